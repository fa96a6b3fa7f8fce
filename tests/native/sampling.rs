//! Rewards, the expected ΔH over sampling and the sampled step
//! (src/math/sampling.rs) against arithmetic written here: a plain softmax,
//! entropy from scratch, central finite differences of the exact entropy, and
//! closed forms (docs/math.md, "Sampling: the expected change is a covariance").

#![cfg(not(target_arch = "wasm32"))]
// Index loops mirror the formulas (Σ over j), as in docs/math.md.
#![allow(clippy::needless_range_loop)]

use entropy_polarity::math::sampling::{reward_advantages, sampled_step, MAX_GROUP};
use entropy_polarity::math::simulate::Rng;
use entropy_polarity::math::{CoreError, Distribution};

fn softmax(z: &[f64], t: f64) -> Vec<f64> {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| ((v - m) / t).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|&v| v / s).collect()
}

fn entropy(z: &[f64], t: f64) -> f64 {
    -softmax(z, t)
        .iter()
        .filter(|&&x| x > 0.0)
        .map(|&x| x * x.ln())
        .sum::<f64>()
}

/// Σ_k p_k · d/dη H(z + η A_k (e_k − p)) at η = 0, by central differences of
/// the exact entropy: the expectation over sampling, with no covariance in sight.
fn expected_by_differences(z: &[f64], t: f64, a: &[f64]) -> f64 {
    let p = softmax(z, t);
    let h = 1e-5;
    let moved = |k: usize, s: f64| -> Vec<f64> {
        z.iter()
            .enumerate()
            .map(|(j, &zj)| zj + s * a[k] * (f64::from(u8::from(j == k)) - p[j]))
            .collect()
    };
    (0..z.len())
        .map(|k| p[k] * (entropy(&moved(k, h), t) - entropy(&moved(k, -h), t)) / (2.0 * h))
        .sum()
}

fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= abs.max(rel * b.abs())
}

const CASES: [(&[f64], f64, &[f64]); 5] = [
    (&[2.0, 1.0, 0.5, -1.0], 1.0, &[1.0, 0.0, 0.0, 0.0]),
    (&[2.0, 1.0, 0.5, -1.0], 1.0, &[0.0, 0.0, 0.0, 1.0]),
    (&[2.0, 1.0, 0.5, -1.0], 0.7, &[0.3, -1.2, 2.0, 0.5]),
    (
        &[4.0, 1.0, 0.5, 0.0, -0.5, -1.0, -1.5, -2.0],
        1.3,
        &[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    ),
    (&[0.1, -2.0, 3.0], 2.0, &[-1.0, 2.0, 0.5]),
];

#[test]
fn expected_change_is_the_average_of_each_tokens_derivative() {
    for (z, t, a) in CASES {
        let d = Distribution::from_logits(z, t).unwrap();
        let eta = 0.3;
        let got = d.expected_change(a, eta).unwrap();
        let want = eta * expected_by_differences(z, t, a);
        assert!(
            close(got, want, 1e-6, 1e-12),
            "{z:?} T={t} A={a:?}: {got} vs {want}"
        );
    }
}

#[test]
fn expected_change_closed_forms() {
    // Two tokens, p = (q, 1 − q): Cov_p(A, S) = q (1 − q)(A_1 − A_2)(S_1 − S_2).
    let q: f64 = 0.8;
    let z = [(q / (1.0 - q)).ln(), 0.0];
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let h = -(q * q.ln() + (1.0 - q) * (1.0 - q).ln());
    let s1 = q * (h + q.ln());
    let s2 = (1.0 - q) * (h + (1.0 - q).ln());
    let want = -0.5 * q * (1.0 - q) * (1.0 - (-1.0)) * (s1 - s2);
    let got = d.expected_change(&[1.0, -1.0], 0.5).unwrap();
    assert!(close(got, want, 1e-12, 0.0), "{got} vs {want}");
    // Rewarding the likely token narrows on average (Cui et al. 2025).
    assert!(got < 0.0);

    // Uniform: every S_k is equal, so no advantages move H on average.
    let u = Distribution::from_logits(&[0.0; 6], 1.0).unwrap();
    let got = u
        .expected_change(&[1.0, -2.0, 0.5, 3.0, 0.0, 1.0], 1.0)
        .unwrap();
    assert!(got.abs() < 1e-16, "{got}");
}

#[test]
fn a_constant_advantage_changes_nothing_on_average() {
    for (z, t, _) in CASES {
        let d = Distribution::from_logits(z, t).unwrap();
        for c in [1.0, -3.5, 1e6] {
            let got = d.expected_change(&vec![c; z.len()], 0.7).unwrap();
            assert!(got.abs() <= 1e-14 * c.abs(), "{z:?} A={c}: {got}");
        }
    }
    // Shifting every advantage by a constant changes nothing either.
    let (z, t, a) = CASES[2];
    let d = Distribution::from_logits(z, t).unwrap();
    let shifted: Vec<f64> = a.iter().map(|x| x + 5.0).collect();
    let (x, y) = (
        d.expected_change(a, 1.0).unwrap(),
        d.expected_change(&shifted, 1.0).unwrap(),
    );
    assert!(close(x, y, 1e-12, 1e-15), "{x} vs {y}");
}

#[test]
fn masked_tokens_do_not_enter_and_bad_input_names_the_field() {
    let d = Distribution::from_logits(&[1.0, f64::NEG_INFINITY, 0.0], 1.0).unwrap();
    let a = d.expected_change(&[1.0, 100.0, 0.0], 1.0).unwrap();
    let b = d.expected_change(&[1.0, -7.0, 0.0], 1.0).unwrap();
    assert_eq!(a, b);
    let e = d.expected_change(&[1.0, 0.0], 1.0).unwrap_err();
    assert_eq!((e.code(), e.field()), ("range", Some("advantages")));
    assert!(e.to_string().contains("3 tokens, not 2"), "{e}");
    let e = d.expected_change(&[1.0, f64::NAN, 0.0], 1.0).unwrap_err();
    assert!(e.to_string().contains("token 1"), "{e}");
    assert_eq!(
        d.expected_change(&[0.0; 3], f64::INFINITY)
            .unwrap_err()
            .field(),
        Some("step")
    );
}

#[test]
fn reward_advantages_are_normalised_under_p() {
    let z = [2.0, 1.0, 0.5, -1.0];
    let p = softmax(&z, 1.0);
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let r = [1.0, 0.0, 0.0, 1.0];
    let a = reward_advantages(&d, &r).unwrap();
    let mean: f64 = p.iter().zip(&r).map(|(x, y)| x * y).sum();
    let sd = p
        .iter()
        .zip(&r)
        .map(|(x, y)| x * (y - mean).powi(2))
        .sum::<f64>()
        .sqrt();
    for k in 0..4 {
        assert!(close(a[k], (r[k] - mean) / sd, 1e-12, 0.0));
    }
    // Every token rewarded alike: nothing to prefer.
    assert_eq!(reward_advantages(&d, &[2.0; 4]).unwrap(), vec![0.0; 4]);
}

#[test]
fn a_sampled_step_applies_the_group_update_to_the_tokens_it_drew() {
    let z = [2.0, 1.0, 0.5, -1.0, f64::NEG_INFINITY];
    let p = softmax(&z, 1.0);
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let rewards = [1.0, 0.0, 0.0, 1.0, 1.0];
    let g = 16;
    let eta = 0.5;
    let s = sampled_step(&d, &z, &rewards, g, eta, &mut Rng::new(3)).unwrap();
    assert_eq!(s.tokens.len(), g);
    assert!(s.tokens.iter().all(|&k| k < 4), "never the masked token");
    // Group normalisation, written out.
    let r: Vec<f64> = s.tokens.iter().map(|&k| rewards[k]).collect();
    let mean = r.iter().sum::<f64>() / g as f64;
    let sd = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / g as f64).sqrt();
    for (i, &x) in r.iter().enumerate() {
        assert!(close(s.advantages[i], (x - mean) / sd, 1e-12, 1e-15));
    }
    // z + (η/G) Σ_i A_i (e_{k_i} − p), one draw at a time.
    let mut want = z.to_vec();
    for (&k, &a) in s.tokens.iter().zip(&s.advantages) {
        for j in 0..4 {
            want[j] += eta / g as f64 * a * (f64::from(u8::from(j == k)) - p[j]);
        }
    }
    for j in 0..4 {
        assert!(
            close(s.logits[j], want[j], 1e-12, 1e-14),
            "{j}: {} vs {}",
            s.logits[j],
            want[j]
        );
    }
    assert_eq!(s.logits[4], f64::NEG_INFINITY);
    // The same seed draws the same group; another seed another one.
    assert_eq!(
        s,
        sampled_step(&d, &z, &rewards, g, eta, &mut Rng::new(3)).unwrap()
    );
    assert_ne!(
        s.tokens,
        sampled_step(&d, &z, &rewards, g, eta, &mut Rng::new(4))
            .unwrap()
            .tokens
    );
    // A group that is rewarded alike has no advantage: nothing moves.
    let same = sampled_step(&d, &z, &[1.0; 5], g, eta, &mut Rng::new(3)).unwrap();
    assert_eq!(same.logits, z.to_vec());
}

#[test]
fn draws_follow_p() {
    let z = [2.0, 1.0, 0.5, -1.0];
    let p = softmax(&z, 1.0);
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let s = sampled_step(&d, &z, &[0.0; 4], MAX_GROUP, 0.0, &mut Rng::new(11)).unwrap();
    for (k, &pk) in p.iter().enumerate() {
        let share = s.tokens.iter().filter(|&&t| t == k).count() as f64 / MAX_GROUP as f64;
        // 5 standard errors of a share of 4096 draws.
        let se = (pk * (1.0 - pk) / MAX_GROUP as f64).sqrt();
        assert!((share - pk).abs() < 5.0 * se, "token {k}: {share} vs {pk}");
    }
}

#[test]
fn large_groups_realise_the_expected_change() {
    // A small step with a large group: the realised ΔH is close to
    // −(η/T) Cov_p(A, S) with A the rewards normalised under p.
    let z = [2.0, 1.0, 0.5, -1.0];
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let rewards = [1.0, 0.0, 0.0, 0.0];
    let eta = 0.05;
    let expected = d
        .expected_change(&reward_advantages(&d, &rewards).unwrap(), eta)
        .unwrap();
    let runs = 20;
    let mean: f64 = (0..runs)
        .map(|seed| {
            let s = sampled_step(&d, &z, &rewards, MAX_GROUP, eta, &mut Rng::new(seed)).unwrap();
            entropy(&s.logits, 1.0) - entropy(&z, 1.0)
        })
        .sum::<f64>()
        / runs as f64;
    assert!(
        expected < 0.0,
        "rewarding the likely token narrows on average"
    );
    assert!(close(mean, expected, 0.05, 0.0), "{mean} vs {expected}");
}

#[test]
fn a_sampled_step_refuses_bad_input() {
    let z = [1.0, 0.0];
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let mut rng = Rng::new(1);
    let err = |r: Result<_, CoreError>| r.unwrap_err();
    assert_eq!(
        err(sampled_step(&d, &z, &[1.0], 4, 0.1, &mut rng)).field(),
        Some("rewards")
    );
    assert_eq!(
        err(sampled_step(&d, &[1.0], &[1.0, 0.0], 4, 0.1, &mut rng)).field(),
        Some("logits")
    );
    assert_eq!(
        err(sampled_step(&d, &z, &[1.0, 0.0], 0, 0.1, &mut rng)).field(),
        Some("group")
    );
    assert_eq!(
        err(sampled_step(
            &d,
            &z,
            &[1.0, 0.0],
            MAX_GROUP + 1,
            0.1,
            &mut rng
        ))
        .field(),
        Some("group")
    );
    assert_eq!(
        err(sampled_step(&d, &z, &[1.0, 0.0], 4, f64::NAN, &mut rng)).field(),
        Some("step")
    );
}

#[test]
fn expected_change_against_50_digit_references() {
    // mpmath at 50 digits on the same doubles (script in the commit message):
    // softmax, H, S, S̄, Ā, then −(η/T)(Σ p A S − Ā S̄), η = 0.3.
    let cases: [(&[f64], f64, &[f64], f64); 4] = [
        (
            &[2.0, 1.0, 0.5, -1.0],
            1.0,
            &[1.0, 0.0, 0.0, 0.0],
            -0.030_748_626_399_860_93,
        ),
        (
            &[2.0, 1.0, 0.5, -1.0],
            0.7,
            &[0.3, -1.2, 2.0, 0.5],
            -0.020_198_680_962_801_19,
        ),
        (
            &[4.0, 1.0, 0.5, 0.0, -0.5, -1.0, -1.5, -2.0],
            1.3,
            &[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
            -0.014_824_805_659_255_42,
        ),
        // p₀ ≈ 1 − 1e-13: the covariance is 1e-25, far below the sums' rounding.
        (
            &[30.0, 0.0, -5.0, -30.0],
            1.0,
            &[1.0, 0.0, 0.0, 0.0],
            -1.587_760_598_285_566e-25,
        ),
    ];
    for (z, t, a, want) in cases {
        let got = Distribution::from_logits(z, t)
            .unwrap()
            .expected_change(a, 0.3)
            .unwrap();
        assert!(close(got, want, 1e-12, 0.0), "{z:?}: {got:e} vs {want:e}");
    }
}

/// The exact expectation of a sampled step's first-order ΔH over a group of G
/// (Distribution::expected_group_change) against tests/fixtures/group_expectation.json:
/// brute force over every ordered G-tuple of draws in 50-digit mpmath
/// (tests/reference/group_expectation.py). At small G it is well short of the
/// population's −(η/T) Cov_p(A, S) (−0.166 against −0.210 at G = 4 for the
/// lesson's scene 6), and it tends to it as G grows.
#[test]
fn expected_group_change_matches_brute_force_enumeration() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/group_expectation.json"
    ))
    .unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let num = |v: &serde_json::Value| v.as_str().unwrap().parse::<f64>().unwrap();
    let vec = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect::<Vec<_>>()
    };
    let mut checked = 0;
    for c in cases.as_array().unwrap() {
        let (z, t, r, eta) = (
            vec(&c["logits"]),
            c["T"].as_f64().unwrap(),
            vec(&c["rewards"]),
            c["eta"].as_f64().unwrap(),
        );
        let d = Distribution::from_logits(&z, t).unwrap();
        for (g, want) in c["groups"].as_object().unwrap() {
            let got = d
                .expected_group_change(&r, g.parse().unwrap(), eta)
                .unwrap();
            assert!(
                close(got, num(want), 1e-12, 1e-16),
                "{z:?} G = {g}: {got} against {want}"
            );
            checked += 1;
        }
        // A large group comes within 2% of the population's value.
        let pop = num(&c["population"]);
        let big = d.expected_group_change(&r, 400, eta).unwrap();
        let a = reward_advantages(&d, &r).unwrap();
        assert!(close(
            d.expected_change(&a, eta).unwrap(),
            pop,
            1e-12,
            1e-16
        ));
        assert!(
            (big - pop).abs() < 0.02 * pop.abs(),
            "G = 400: {big} against {pop}"
        );
    }
    assert_eq!(checked, 14);
}

#[test]
fn expected_group_change_edge_cases() {
    let d = Distribution::from_logits(&[2.0, 1.0, 0.5, -1.0], 1.0).unwrap();
    // Equal rewards, or a group of one: every advantage is 0.
    assert_eq!(d.expected_group_change(&[1.0; 4], 8, 1.0).unwrap(), 0.0);
    assert_eq!(
        d.expected_group_change(&[1.0, 0.0, 0.0, 0.0], 1, 1.0)
            .unwrap(),
        0.0
    );
    // A masked token's reward never enters: it is never drawn.
    let m = Distribution::from_logits(&[2.0, 1.0, f64::NEG_INFINITY], 1.0).unwrap();
    assert_eq!(
        m.expected_group_change(&[1.0, 1.0, 0.0], 8, 1.0).unwrap(),
        0.0
    );
    // Bad groups and too many multisets are errors naming the group.
    assert!(matches!(
        d.expected_group_change(&[1.0, 0.0, 0.0, 0.0], 0, 1.0),
        Err(CoreError::Group { .. })
    ));
    let e = d
        .expected_group_change(&[1.0, 2.0, 3.0, 4.0], 4096, 1.0)
        .unwrap_err();
    assert!(
        matches!(e, CoreError::GroupTerms { distinct: 4, .. }),
        "{e}"
    );
    // Two distinct rewards at the largest group: fast enough for a page.
    let t0 = std::time::Instant::now();
    d.expected_group_change(&[1.0, 0.0, 0.0, 1.0], MAX_GROUP, 1.0)
        .unwrap();
    assert!(t0.elapsed().as_millis() < 500);
}
