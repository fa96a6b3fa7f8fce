//! The figures' numbers (src/math/figures.rs) recomputed from the logits
//! each point holds, with the textbook formulas written here (docs/math.md):
//! a plain softmax, H = −Σ p ln p, S_j = p_j (H + ln p_j), S̄ = Σ p S, the
//! first-order ΔH (η/T)(S̄ − S_k) and the exact ΔH as H(after) − H(before).

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::figures::{
    curves, flip, nudge_line, quadrants, random_logits, scatter,
};
use entropy_polarity::math::simulate::Rng;

struct Plain {
    p: Vec<f64>,
    h: f64,
    s_bar: f64,
}

fn plain(z: &[f64]) -> Plain {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - m).exp()).collect();
    let t: f64 = e.iter().sum();
    let p: Vec<f64> = e.iter().map(|&v| v / t).collect();
    let h = -p.iter().map(|&q| q * q.ln()).sum::<f64>();
    let s_bar = p.iter().map(|&q| q * q * (h + q.ln())).sum();
    Plain { p, h, s_bar }
}

fn first_order(z: &[f64], k: usize, step: f64) -> f64 {
    let d = plain(z);
    step * (d.s_bar - d.p[k] * (d.h + d.p[k].ln()))
}

fn exact(z: &[f64], k: usize, step: f64) -> f64 {
    let d = plain(z);
    let after: Vec<f64> = z
        .iter()
        .enumerate()
        .map(|(j, &v)| v + step * (f64::from(j == k) - d.p[j]))
        .collect();
    plain(&after).h - d.h
}

fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * b.abs() + abs
}

#[test]
fn random_logits_repeat_and_stay_in_range() {
    let (mut a, mut b) = (Rng::new(7), Rng::new(7));
    let mut sizes = Vec::new();
    for _ in 0..500 {
        let z = random_logits(&mut a);
        assert_eq!(z, random_logits(&mut b), "the same seed, the same logits");
        assert!(
            z.iter()
                .all(|&v| v.is_finite() && ((v * 1e6).round() / 1e6) == v),
            "six decimals"
        );
        sizes.push(z.len());
    }
    assert_eq!(
        (sizes.iter().min(), sizes.iter().max()),
        (Some(&4), Some(&64))
    );
}

#[test]
fn curves_hold_their_tokens_and_cross_zero_at_p_dagger() {
    let c = curves(160);
    assert_eq!(c.len(), 5);
    for w in c.windows(2) {
        assert!(w[1].entropy > w[0].entropy, "flatter shapes, higher H");
    }
    assert!(c[4].entropy - c[0].entropy > 2.0);
    for f in &c {
        let d = plain(&f.logits);
        assert!(
            close(f.entropy, d.h, 1e-12, 0.0) && close(f.mean_discriminator, d.s_bar, 1e-9, 1e-15)
        );
        assert!(close(f.flip_nudge, (-d.h).exp(), 1e-12, 0.0));
        // The curve S̄ − q (H + ln q) is 0 at p†.
        let q = f.flip_pg;
        assert!((d.s_bar - q * (d.h + q.ln())).abs() < 1e-12);
        assert_eq!(f.curve.len(), 160);
        assert!(close(
            f.curve[0].0,
            10f64.powf(-4.0 + 4.0 * 0.5 / 160.0),
            1e-14,
            0.0
        ));
        for &(q, y) in &f.curve {
            assert!(close(y, d.s_bar - q * (d.h + q.ln()), 1e-9, 1e-14));
        }
        for (j, &(q, y)) in f.tokens.iter().enumerate() {
            assert!(close(q, d.p[j], 1e-12, 1e-300));
            assert!(
                close(y, first_order(&f.logits, j, 1.0), 1e-9, 1e-14),
                "token {j}"
            );
        }
    }
}

#[test]
fn flip_points_keep_the_asymmetry() {
    let pts = flip(300, 2);
    assert_eq!(pts.len(), 300);
    assert_eq!(pts, flip(300, 2));
    assert_ne!(
        pts[0].logits,
        flip(1, 3)[0].logits,
        "another seed, other logits"
    );
    for f in &pts {
        let d = plain(&f.logits);
        assert!(close(f.entropy, d.h, 1e-12, 0.0) && close(f.flip_nudge, (-d.h).exp(), 1e-12, 0.0));
        assert!((d.s_bar - f.flip_pg * (d.h + f.flip_pg.ln())).abs() < 1e-12);
        assert!(f.flip_pg >= f.flip_nudge * (1.0 - 1e-12), "p† ≥ e^−H");
    }
}

#[test]
fn the_nudge_line_by_hand() {
    // H = 0, 1, 2: p = 1, 1/e, 1/e².
    let l = nudge_line(2.0, 3);
    assert_eq!((l[0], l[1].0, l[2].0), ((0.0, 1.0), 1.0, 2.0));
    assert!(
        close(l[1].1, 0.36787944117144233, 1e-15, 0.0)
            && close(l[2].1, 0.1353352832366127, 1e-15, 0.0)
    );
    assert_eq!(nudge_line(5.0, 0).len(), 2);
}

#[test]
fn scatter_points_recompute_from_their_logits() {
    let pts = scatter(300, 3, 0.5).unwrap();
    for s in &pts {
        assert!(s.step.abs() <= 0.5 && s.token < s.logits.len());
        assert!(close(
            s.first_order,
            first_order(&s.logits, s.token, s.step),
            1e-9,
            1e-14
        ));
        assert!(close(
            s.exact,
            exact(&s.logits, s.token, s.step),
            1e-7,
            1e-12
        ));
    }
    // Tokens drawn from p: the likeliest token is drawn about as often as its mean p says.
    let likeliest = pts
        .iter()
        .filter(|s| {
            let p = plain(&s.logits).p;
            p.iter().all(|&q| q <= p[s.token])
        })
        .count() as f64;
    let expected: f64 = pts
        .iter()
        .map(|s| plain(&s.logits).p.iter().copied().fold(0.0, f64::max))
        .sum();
    assert!(
        (likeliest - expected).abs() < 4.0 * expected.sqrt(),
        "{likeliest} against {expected}"
    );
    assert!(scatter(1, 3, f64::NAN).is_err());
}

#[test]
fn quadrants_count_every_sample_once_by_its_own_p_dagger_and_exact_sign() {
    let (samples, four) = quadrants(400, 4, 0.1).unwrap();
    assert_eq!(four.iter().map(|q| q.count).sum::<usize>(), 400);
    for q in &four {
        let inside: Vec<_> = samples
            .iter()
            .filter(|s| {
                let d = plain(&s.logits);
                (s.advantage > 0.0) == q.rewarded && (d.p[s.token] > s.flip_pg) == q.above
            })
            .collect();
        assert_eq!(q.count, inside.len());
        let exacts: Vec<f64> = inside
            .iter()
            .map(|s| exact(&s.logits, s.token, 0.1 * s.advantage))
            .collect();
        assert_eq!(q.expand, exacts.iter().filter(|&&e| e > 0.0).count());
        let mean = exacts.iter().sum::<f64>() / exacts.len().max(1) as f64;
        assert!(
            close(q.mean_exact, mean, 1e-7, 1e-12),
            "{} against {mean}",
            q.mean_exact
        );
        // The claim: rewarding a likely token (or penalising an unlikely one) contracts.
        let share = q.expand as f64 / q.count as f64;
        assert!(
            if q.rewarded == q.above {
                share < 0.1
            } else {
                share > 0.9
            },
            "{q:?}"
        );
    }
    let rewarded = samples.iter().filter(|s| s.advantage > 0.0).count();
    assert!(
        (160..240).contains(&rewarded),
        "a fair coin: {rewarded} of 400"
    );
    for s in &samples {
        assert!(s.advantage == 1.0 || s.advantage == -1.0);
        assert!(close(
            s.first_order,
            first_order(&s.logits, s.token, 0.1 * s.advantage),
            1e-9,
            1e-14
        ));
    }
}
