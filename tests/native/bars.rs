//! The bars of long distributions (src/math/bars.rs) against exact
//! fractions worked by hand.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::bars::{explorer_logits, fold_bars, top_prob_bars};
use entropy_polarity::math::CoreError;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs()
}

#[test]
fn prob_bars_keep_the_likeliest_and_total_the_rest() {
    // p_j = (j + 1)/210, j = 0..19 (Σ_{1..20} = 210): the likeliest are the last tokens.
    let p: Vec<f64> = (0..20).map(|j| (j + 1) as f64 / 210.0).collect();
    let after: Vec<f64> = p.iter().rev().copied().collect();
    let b = top_prob_bars(&p, Some(&after), None, 16).unwrap();
    let want: Vec<Option<usize>> = (5..20).rev().map(Some).chain([None]).collect();
    assert_eq!(b.index, want);
    assert_eq!((b.rest, b.token), (5, None));
    // The rest: tokens 0..4, (1 + 2 + 3 + 4 + 5)/210 before and (20 + … + 16)/210 after.
    assert!(close(b.probs[15], 15.0 / 210.0, 1e-15));
    assert!(close(b.after.as_ref().unwrap()[15], 90.0 / 210.0, 1e-15));
    assert!(
        close(b.probs[0], 20.0 / 210.0, 1e-15) && close(b.after.unwrap()[0], 1.0 / 210.0, 1e-15)
    );
    // Token 2 is not among them: it replaces the least likely (token 5) and sorts last.
    let b = top_prob_bars(&p, None, Some(2), 16).unwrap();
    assert_eq!(b.index[13..], [Some(6), Some(2), None]);
    assert_eq!((b.token, b.after), (Some(14), None));
    assert!(close(
        b.probs[15],
        (1.0 + 2.0 + 4.0 + 5.0 + 6.0) / 210.0,
        1e-15
    ));
    // One token more than the bars: 15 bars and the two least likely in the rest.
    let b = top_prob_bars(&p[..17], None, None, 16).unwrap();
    assert_eq!((b.rest, b.index.len(), b.index[15]), (2, 16, None));
    assert!(close(b.probs[15], 3.0 / 210.0, 1e-15));
    // Ties keep token order; few enough tokens: no bar for the rest.
    let b = top_prob_bars(&[0.25, 0.5, 0.25], None, Some(2), 16).unwrap();
    assert_eq!(b.index, [Some(1), Some(0), Some(2)]);
    assert_eq!((b.rest, b.token), (0, Some(2)));
}

#[test]
fn prob_bars_refuse_what_is_not_a_probability() {
    assert!(matches!(
        top_prob_bars(&[0.5, -0.1, 0.6], None, None, 16),
        Err(CoreError::NegativeProbability { index: 1, .. })
    ));
    assert!(matches!(
        top_prob_bars(&[0.5, 0.5], Some(&[0.5, f64::NAN]), None, 16),
        Err(CoreError::NegativeProbability { index: 1, .. })
    ));
    assert!(matches!(
        top_prob_bars(&[0.5, 0.5], Some(&[1.0]), None, 16),
        Err(CoreError::PerToken {
            what: "after",
            given: 1,
            vocab: 2,
            ..
        })
    ));
    assert_eq!(top_prob_bars(&[], None, None, 16), Err(CoreError::Empty));
}

#[test]
fn values_fold_into_bars_chosen_already() {
    // Bars 3, 0 and the rest (1, 2, 4): 0.4, 0.1 and 0.2 + 0.25 + 0.05.
    let v = [0.1, 0.2, 0.25, 0.4, 0.05];
    let b = fold_bars(&v, &[Some(3), Some(0), None]);
    assert_eq!(b[..2], [0.4, 0.1]);
    assert!(close(b[2], 0.5, 1e-15));
    // An index past the values names no token: NaN for its bar, its value stays in the rest.
    let b = fold_bars(&v, &[Some(9), None]);
    assert!(b[0].is_nan() && close(b[1], 1.0, 1e-15));
}

#[test]
fn explorer_logits_keep_the_likeliest_in_token_order() {
    // 70 tokens, p_j ∝ j + 1 (Σ = 2485): the 63 likeliest are tokens 7..69, in
    // token order, and the rest holds tokens 0..6, (1 + … + 7)/2485 = 28/2485.
    let p: Vec<f64> = (0..70).map(|j| (j + 1) as f64 / 2485.0).collect();
    let z = explorer_logits(&p, 64);
    assert_eq!(z.len(), 64);
    assert!(
        close(z[0], (8.0f64 / 2485.0).ln(), 1e-14) && close(z[62], (70.0f64 / 2485.0).ln(), 1e-14)
    );
    assert!(close(z[63], (28.0f64 / 2485.0).ln(), 1e-14));
    // Few enough: every token, ln p, and a zero probability at −700, not −∞.
    assert_eq!(
        explorer_logits(&[0.5, 0.5, 0.0], 64),
        [0.5f64.ln(), 0.5f64.ln(), -700.0]
    );
}
