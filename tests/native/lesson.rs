//! The lesson's shares (src/math/lesson.rs) against 40-digit mpmath (the
//! snippet is below).

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::{CoreError, Distribution};

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
