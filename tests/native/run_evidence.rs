//! The across-steps evidence (src/math/run/evidence.rs) against independent
//! computations: permutation p-values counted by hand (Spearman's ρ on n = 4
//! and 5) and by a plain recursive enumeration written here, and the gap,
//! no-update and sign rules on the shipped examples' per-step rows.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::evidence::{erfc, evidence, RANDOM_PERMUTATIONS, RANDOM_UP_TO};
use entropy_polarity::math::run::StepRow;

fn rows(steps: &[f64], term: &[f64], dh: &[f64]) -> Vec<StepRow> {
    steps
        .iter()
        .zip(term.iter().zip(dh))
        .map(|(&step, (&token_term, &realised_dh))| StepRow {
            step,
            tokens: 10.0,
            token_term,
            realised_dh,
            share_pos_expand: 0.25,
            share_pos_contract: 0.25,
            share_neg_expand: 0.25,
            share_neg_contract: 0.25,
            ..Default::default()
        })
        .collect()
}

/// Pearson's r by its textbook formula.
fn r(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    sxy / (sxx * syy).sqrt()
}

/// Two-sided exact p-value of r: every ordering of y, enumerated by a plain
/// recursion (a used mask and the running Σ (x−x̄)(y−ȳ)).
fn exact_p(x: &[f64], y: &[f64]) -> f64 {
    let obs = r(x, y).abs();
    let n = x.len();
    let (mx, my) = (
        x.iter().sum::<f64>() / n as f64,
        y.iter().sum::<f64>() / n as f64,
    );
    let den = (x.iter().map(|a| (a - mx).powi(2)).sum::<f64>()
        * y.iter().map(|b| (b - my).powi(2)).sum::<f64>())
    .sqrt();
    #[allow(clippy::too_many_arguments)]
    fn walk(
        i: usize,
        used: &mut [bool],
        acc: f64,
        x: &[f64],
        y: &[f64],
        m: (f64, f64),
        den: f64,
        obs: f64,
        out: &mut (u64, u64),
    ) {
        if i == x.len() {
            out.1 += 1;
            out.0 += ((acc / den).abs() >= obs - 1e-12) as u64;
            return;
        }
        for j in 0..y.len() {
            if !used[j] {
                used[j] = true;
                walk(
                    i + 1,
                    used,
                    acc + (x[i] - m.0) * (y[j] - m.1),
                    x,
                    y,
                    m,
                    den,
                    obs,
                    out,
                );
                used[j] = false;
            }
        }
    }
    let mut out = (0, 0);
    walk(
        0,
        &mut vec![false; n],
        0.0,
        x,
        y,
        (mx, my),
        den,
        obs,
        &mut out,
    );
    out.0 as f64 / out.1 as f64
}

#[test]
fn spearman_p_values_counted_by_hand() {
    // n = 5, y = x with one adjacent pair swapped: Σd² = 2, ρ = 1 − 6·2/120 = 0.9.
    // |ρ| ≥ 0.9: the identity and the 4 adjacent swaps, and their 5 reverses: 10 of 120.
    let e = evidence(&rows(
        &[0., 1., 2., 3., 4., 5.],
        &[1., 2., 3., 4., 5., 9.],
        &[1., 2., 3., 5., 4., f64::NAN],
    ));
    assert_eq!(e.n, 5);
    assert!((e.spearman - 0.9).abs() < 1e-12, "{}", e.spearman);
    assert!(
        (e.p_spearman - 10.0 / 120.0).abs() < 1e-12,
        "{}",
        e.p_spearman
    );
    assert!(e.exact && e.permutations == 120);
    // n = 4, ρ = 1: only the identity and the reverse reach |ρ| = 1: 2 of 24.
    let e = evidence(&rows(
        &[0., 1., 2., 3., 4.],
        &[1., 2., 3., 4., 0.],
        &[10., 20., 30., 40., f64::NAN],
    ));
    assert!((e.p_spearman - 2.0 / 24.0).abs() < 1e-12 && (e.p_pearson - 2.0 / 24.0).abs() < 1e-12);
    assert_eq!((e.signed, e.same_sign), (4, 4));
}

#[test]
fn pearson_p_value_matches_a_plain_enumeration() {
    let x = [0.023, -0.0156, 0.0058, 0.0137, 0.0154, -0.0036, 0.011];
    let y = [-0.289, -0.18, -0.274, -0.147, -0.056, 0.02, -0.1];
    let steps: Vec<f64> = (0..=7).map(f64::from).collect();
    let mut dh = y.to_vec();
    dh.push(f64::NAN);
    let mut tt = x.to_vec();
    tt.push(0.0);
    let e = evidence(&rows(&steps, &tt, &dh));
    assert_eq!(e.n, 7);
    assert!((e.pearson - r(&x, &y)).abs() < 1e-12);
    let want = exact_p(&x, &y);
    assert!(
        (e.p_pearson - want).abs() < 1e-12,
        "{} vs {want}",
        e.p_pearson
    );
    assert_eq!(e.permutations, 5040);
}

#[test]
fn random_orderings_above_nine_pairs_agree_with_the_enumeration() {
    // n = 10 (3,628,800 orderings, enumerated here): the seeded random
    // orderings give p within 4 standard errors.
    let x: Vec<f64> = (0..10)
        .map(|i| ((i * 7) % 10) as f64 + 0.1 * i as f64)
        .collect();
    let y: Vec<f64> = (0..10)
        .map(|i| ((i * 3) % 10) as f64 + (i % 4) as f64)
        .collect();
    let steps: Vec<f64> = (0..=10).map(f64::from).collect();
    let (mut tt, mut dh) = (x.clone(), y.clone());
    tt.push(1.0);
    dh.push(f64::NAN);
    let e = evidence(&rows(&steps, &tt, &dh));
    assert!(!e.exact && e.permutations == RANDOM_PERMUTATIONS + 1);
    let want = exact_p(&x, &y);
    let se = (want * (1.0 - want) / RANDOM_PERMUTATIONS as f64).sqrt();
    assert!(
        (e.p_pearson - want).abs() < 4.0 * se + 1e-4,
        "{} vs {want}",
        e.p_pearson
    );
}

#[test]
fn gaps_no_update_steps_and_constant_series_are_left_out() {
    // Steps 0 1 2 3 4 6 (prime-rl's example lacks 5): step 4's ΔH spans the gap.
    let e = evidence(&rows(
        &[0., 1., 2., 3., 4., 6.],
        &[0.02, -0.01, 0.005, 0.01, 0.015, -0.004],
        &[-0.3, -0.2, -0.3, -0.1, -0.05, f64::NAN],
    ));
    assert_eq!(e.gaps, vec![4.0]);
    assert_eq!(e.used, vec![0., 1., 2., 3.]);
    assert_eq!(e.stride, 1.0);
    // the sign: token term and ΔH agree only at step 1 (both negative)
    assert_eq!((e.signed, e.same_sign), (4, 1));
    // a run traced every 10 steps has no gap
    let e = evidence(&rows(
        &[10., 20., 30., 40.],
        &[1., 2., 3., 0.],
        &[1., 3., 2., f64::NAN],
    ));
    assert!(e.gaps.is_empty() && e.n == 3 && e.stride == 10.0);
    // every advantage 0 at step 2: token term 0, shares empty: not a point
    let mut rs = rows(
        &[0., 1., 2., 3., 4.],
        &[0.1, 0.2, 0.0, 0.3, 0.0],
        &[0.1, 0.3, 0.2, 0.4, f64::NAN],
    );
    let r2 = &mut rs[2];
    (
        r2.share_pos_expand,
        r2.share_pos_contract,
        r2.share_neg_expand,
        r2.share_neg_contract,
    ) = (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    let e = evidence(&rs);
    assert_eq!(
        (e.no_update.clone(), e.used.clone()),
        (vec![2.0], vec![0., 1., 3.])
    );
    // a constant series: no correlation, and it says which
    let e = evidence(&rows(
        &[0., 1., 2., 3.],
        &[0.5, 0.5, 0.5, 0.0],
        &[1., 2., 3., f64::NAN],
    ));
    assert_eq!(e.constant, Some("token_term"));
    assert!(e.pearson.is_nan() && e.p_pearson.is_nan());
}

#[test]
fn long_runs_use_the_normal_limit() {
    // erfc at points from mpmath (50 digits): erfc(0.5), erfc(1), erfc(2), erfc(-1).
    for (x, want) in [
        (0.5, 0.479_500_122_186_953_5),
        (1.0, 0.157_299_207_050_285_13),
        (2.0, 0.004_677_734_981_047_266),
        (-1.0, 1.842_700_792_949_715),
    ] {
        assert!(
            (erfc(x) - want).abs() <= 2e-7 * want,
            "erfc({x}) = {} vs {want}",
            erfc(x)
        );
    }
    // 100,000 steps: answered at once, p from the limit N(0, 1/(n − 1)) of r.
    let n = 100_000usize;
    let steps: Vec<f64> = (0..=n).map(|i| i as f64).collect();
    let tt: Vec<f64> = (0..=n).map(|i| (i as f64).sin()).collect();
    let dh: Vec<f64> = (0..=n)
        .map(|i| {
            if i < n {
                (i as f64 * 0.7).cos() + 0.01 * (i as f64).sin()
            } else {
                f64::NAN
            }
        })
        .collect();
    let e = evidence(&rows(&steps, &tt, &dh));
    assert_eq!((e.n, e.permutations), (n, 0));
    let z = e.pearson.abs() * ((n - 1) as f64).sqrt();
    assert!((e.p_pearson - erfc(z / 2f64.sqrt())).abs() < 1e-12);
    assert!(n > RANDOM_UP_TO);
}
