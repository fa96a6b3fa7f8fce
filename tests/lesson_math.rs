//! The lesson's arithmetic in the core (src/core/lesson.rs) against numbers
//! computed apart: 40-digit mpmath for the shares (the snippet is below),
//! exact fractions for the bars.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::core::lesson::top_prob_bars;
use entropy_polarity::core::{CoreError, Distribution};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300) || (a - b).abs() <= 1e-18
}

#[test]
fn shares_match_a_40_digit_reference() {
    // mpmath at mp.dps = 40 (printed to 17 digits), z = [2, 1, 0, -1], A = [1, -0.5, 0.25, 0], η = 0.3:
    //   y = z/T; p = softmax(y); H = -Σ p ln p; S = p (H + ln p); S̄ = Σ p S
    //   contribution_k = p_k (η A_k / T)(S̄ − S_k); Cov = Σ p (A − Ā)(S − S̄)
    let cases = [
        (
            1.0,
            [
                -0.03049655427098768,
                -0.010145161505891098,
                0.001953516370115202,
                0.0,
            ],
            -0.038688199406763574,
            0.1289606646892119,
        ),
        (
            2.0,
            [
                -0.009738230863471928,
                -0.001599880896503284,
                0.000981817038787943,
                0.0,
            ],
            -0.01035629472118727,
            0.06904196480791513,
        ),
    ];
    for (t, contributions, total, cov) in cases {
        let d = Distribution::from_logits(&[2.0, 1.0, 0.0, -1.0], t).unwrap();
        let s = d.shares(&[1.0, -0.5, 0.25, 0.0], 0.3).unwrap();
        for (got, want) in s.contributions.iter().zip(contributions) {
            assert!(close(*got, want, 1e-13), "T = {t}: {got} against {want}");
        }
        assert!(close(s.total, total, 1e-13), "T = {t}: total {}", s.total);
        assert!(
            close(s.covariance, cov, 1e-13),
            "T = {t}: covariance {}",
            s.covariance
        );
    }
}

#[test]
fn a_constant_advantage_has_no_covariance_and_bad_advantages_are_refused() {
    let z: Vec<f64> = (0..50).map(|j| -0.7 * j as f64).collect();
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let s = d.shares(&vec![1.0; 50], 0.5).unwrap();
    // Cov_p(1, S) = 0 exactly; centred sums leave a few ulps of S̄.
    assert!(s.covariance.abs() < 1e-15, "{}", s.covariance);
    assert!(s.total.abs() < 1e-15, "{}", s.total);
    assert!(matches!(
        d.shares(&[1.0; 3], 0.5),
        Err(CoreError::PerToken {
            what: "advantages",
            given: 3,
            vocab: 50,
            ..
        })
    ));
    assert!(matches!(
        d.shares(&vec![f64::NAN; 50], 0.5),
        Err(CoreError::PerToken { index: Some(0), .. })
    ));
    assert_eq!(
        d.shares(&vec![1.0; 50], f64::INFINITY),
        Err(CoreError::Step {
            value: f64::INFINITY
        })
    );
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
