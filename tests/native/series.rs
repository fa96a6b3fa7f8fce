//! Column arithmetic the pages show (src/math/series.rs) and the runs'
//! stand-in distribution (src/math/run/token.rs, `stand_in`), against
//! numbers worked by hand in the comments.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::stand_in;
use entropy_polarity::math::series::{
    least_squares, log_prob_plus_entropy, mean, mean_per_step, std_err, total, Line,
};

#[test]
fn totals_means_and_standard_errors_by_hand() {
    assert_eq!(total(&[]), 0.0);
    // 1e16 + 1 − 1e16: a plain left-to-right sum gives 0.
    assert_eq!(total(&[1e16, 1.0, -1e16]), 1.0);
    assert_eq!(mean(&[1.0, 2.0, 3.0, 4.0]), 2.5);
    assert!(mean(&[]).is_nan());
    // s² = (2.25 + 0.25 + 0.25 + 2.25)/3 = 5/3; s/√n = √(5/12).
    assert!((std_err(&[1.0, 2.0, 3.0, 4.0]) - (5.0f64 / 12.0).sqrt()).abs() < 1e-15);
    assert!(std_err(&[3.0]).is_nan());
    assert_eq!(std_err(&[7.0, 7.0, 7.0]), 0.0);
}

#[test]
fn means_per_step_over_runs() {
    let runs = vec![
        vec![1.0, 2.0, 3.0],
        vec![3.0, 2.0, 0.0],
        vec![2.0, 5.0, 0.0],
    ];
    assert_eq!(mean_per_step(&runs), [2.0, 3.0, 1.0]);
    assert_eq!(mean_per_step(&runs[..1]), [1.0, 2.0, 3.0]);
    assert_eq!(
        mean_per_step(&[vec![1.0, 2.0], vec![3.0]]),
        [2.0],
        "cut to the shortest"
    );
    assert!(mean_per_step(&[]).is_empty());
    // Summed plainly in seed order: (0.1 + 0.2) + 0.3 = 0.6000000000000001, then / 3.
    assert_eq!(
        mean_per_step(&[vec![0.1], vec![0.2], vec![0.3]]),
        [(0.1 + 0.2 + 0.3) / 3.0]
    );
    assert_eq!(
        mean_per_step(&[vec![0.1], vec![0.2], vec![0.3]])[0],
        0.20000000000000004
    );
}

#[test]
fn least_squares_by_hand() {
    // (0, 0), (1, 1), (2, 3): x̄ = 1, ȳ = 4/3, Sxy = (−1)(−4/3) + (1)(5/3) = 3, Sxx = 2.
    let l = least_squares(&[0.0, 1.0, 2.0, f64::NAN], &[0.0, 1.0, 3.0, 4.0]).unwrap();
    assert_eq!((l.mean_x, l.slope), (1.0, 1.5));
    assert!((l.mean_y - 4.0 / 3.0).abs() < 1e-15);
    // On the line y = 3 − 2x exactly; pairs with a non-finite value are left out.
    let l = least_squares(&[-1.0, 0.5, 2.0, 9.0], &[5.0, 2.0, -1.0, f64::INFINITY]).unwrap();
    assert!((l.slope + 2.0).abs() < 1e-15 && (l.mean_y - (3.0 - 2.0 * l.mean_x)).abs() < 1e-15);
    assert_eq!(
        least_squares(&[1.0, 1.0], &[0.0, 2.0]),
        None,
        "no spread in x"
    );
    assert_eq!(least_squares(&[1.0], &[0.0]), None);
    let _: Option<Line> = least_squares(&[], &[]);
}

#[test]
fn log_prob_plus_entropy_by_hand() {
    // A fair coin: ln ½ + ln 2 = 0; a certain token: ln 1 + 0 = 0; a masked one: −∞.
    let v = log_prob_plus_entropy(&[0.5, 1.0, 0.0, 0.25], &[2f64.ln(), 0.0, 1.0, 1.0]);
    assert!(v[0].abs() < 1e-16 && v[1] == 0.0 && v[2] == f64::NEG_INFINITY);
    assert!((v[3] - (1.0 - 4f64.ln())).abs() < 1e-15);
}

/// p_0 and H of the stand-in's logits, by a plain softmax.
fn p0_and_entropy(z: &[f64]) -> (f64, f64) {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - m).exp()).collect();
    let t: f64 = e.iter().sum();
    let h = -e
        .iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v / t * (v / t).ln())
        .sum::<f64>();
    (e[0] / t, h)
}

#[test]
fn stand_ins_reach_the_point_or_the_nearest_reachable_entropy() {
    // Reachable: p = 0.2, H = 1.5 nats (more than h(0.2) = 0.500 and less than ln 1000).
    let s = stand_in(0.2, 1.5, 1 << 15).unwrap();
    let (p, h) = p0_and_entropy(&s.logits);
    assert_eq!(s.entropy, 1.5);
    assert!((p - 0.2).abs() < 1e-12 && (h - 1.5).abs() < 1e-9, "{p} {h}");
    // m = 0.8 e^{(1.5 + 0.2 ln 0.2)/0.8} ≈ 3.49 (the rest spread evenly over
    // m tokens reaches 1.5): ⌈m⌉ + 2 = 6 tokens.
    assert_eq!((s.vocab, s.logits.len()), (6, 6));
    // Below the floor: p = ½, H = 0.1 is raised to h(½) = ln 2 (½ and ½);
    // m = ½ e^{(ln 2 − ½ ln 2)/½} = 1, so 3 tokens, the third masked.
    let s = stand_in(0.5, 0.1, 1 << 15).unwrap();
    let (p, h) = p0_and_entropy(&s.logits);
    assert!((s.entropy - 2f64.ln()).abs() < 1e-15 && s.vocab == 3);
    assert!((p - 0.5).abs() < 1e-12 && (h - 2f64.ln()).abs() < 1e-9);
    // Beyond 100 tokens: p = 0.01, H = 20 is lowered to −0.01 ln 0.01 − 0.99 ln(0.99/99).
    let s = stand_in(0.01, 20.0, 100).unwrap();
    let want = -0.01 * 0.01f64.ln() - 0.99 * (0.99f64 / 99.0).ln();
    let (p, h) = p0_and_entropy(&s.logits);
    assert!((s.entropy - want).abs() < 1e-12 && s.vocab == 100);
    assert!((p - 0.01).abs() < 1e-12 && (h - want).abs() < 1e-9);
    for (p, h) in [
        (0.0, 1.0),
        (1.0, 1.0),
        (0.5, -0.1),
        (f64::NAN, 1.0),
        (0.5, f64::NAN),
    ] {
        assert_eq!(stand_in(p, h, 1 << 15), None, "p = {p}, H = {h}");
    }
}
