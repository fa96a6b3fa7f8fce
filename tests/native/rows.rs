//! The fast f32 row kernel (`math::rows`) against the f64 reference path
//! (`Distribution::from_logits`) on the same f32 input, closed forms, masks
//! and every error.

use entropy_polarity::math::rows::{
    analyze_row, analyze_rows, analyze_rows_from, kernel, RowStats, RowsError, SliceRows, Tokens,
};
use entropy_polarity::math::Distribution;

// On wasm32 every #[test] below runs as a wasm-bindgen test (in Node), so
// the simd128 kernel is checked against the f64 path exactly like the
// native one: `wasm-pack test --node -- --test native rows::`.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::splitmix::Rng;

const V: usize = 152_064;

/// Reference statistics in f64 from the same f32 values.
struct Reference {
    d: Distribution,
    /// Σ p_j² |y_j − ȳ|: the size of the terms S̄ is made of.
    mean_disc_scale: f64,
    ybar: f64,
    ymax: f64,
}

fn reference(row: &[f32]) -> Reference {
    let z: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let ymax = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // ȳ = y_j − c_j for any unmasked j (c_j = H + ln p_j = y_j − ȳ).
    let j = argmax(&z);
    let ybar = (z[j] - ymax) - d.centred_log_probs()[j];
    let mean_disc_scale = d
        .probs()
        .iter()
        .zip(d.centred_log_probs())
        .filter(|(&p, _)| p > 0.0)
        .map(|(&p, &c)| p * p * c.abs())
        .sum();
    Reference {
        d,
        mean_disc_scale,
        ybar,
        ymax,
    }
}

fn argmax(z: &[f64]) -> usize {
    let mut best = 0;
    for (j, &v) in z.iter().enumerate() {
        if v > z[best] {
            best = j;
        }
    }
    best
}

/// Checks one row against the reference; returns (relative H error, S̄ error / scale).
fn check_row(name: &str, row: &[f32], token: u32, adv: f32) -> (f64, f64) {
    let s: RowStats = analyze_row(row, Some(token), adv).unwrap();
    let r = reference(row);
    let h = r.d.entropy();
    // H: 1e-5 relative (H = 0 exactly when one token has all the mass).
    let h_err = (s.entropy - h).abs();
    assert!(
        h_err <= 1e-5 * h,
        "{name}: H = {} against {h} (error {h_err:e})",
        s.entropy
    );
    // S̄ = Σ p² (y − ȳ): f32 sums of terms of size Σ p² |y − ȳ| (plus |ȳ| Σ p²
    // from the centring); 1e-5 of that is ~20× the f32 rounding of 150k terms.
    let sbar = r.d.mean_discriminator();
    let p2: f64 = r.d.probs().iter().map(|p| p * p).sum();
    let scale = r.mean_disc_scale + r.ybar.abs() * p2;
    let s_err = (s.mean_discriminator - sbar).abs();
    assert!(
        s_err <= 1e-5 * scale,
        "{name}: S̄ = {} against {sbar} (error {s_err:e}, scale {scale:e})",
        s.mean_discriminator
    );
    assert!(s.mean_discriminator >= 0.0);
    // e^-H: relative error = absolute error of H.
    let fnudge = r.d.flip_nudge();
    assert!(
        (s.flip_nudge - fnudge).abs() <= fnudge * (1.5 * h_err + 1e-15),
        "{name}: e^-H"
    );
    // p†: d ln p† = W/(1+W) (dS̄/S̄ + dH) − dH, so |d ln p†| ≤ |dS̄|/S̄ + 2|dH|.
    let fpg = r.d.flip_policy_gradient();
    let rel_s = if sbar > 0.0 { s_err / sbar } else { 0.0 };
    let tol = (rel_s + 2.0 * h_err) * 1.5 + 1e-14;
    assert!(
        ((s.flip_pg - fpg) / fpg).abs() <= tol,
        "{name}: p† = {} against {fpg} (tolerance {tol:e})",
        s.flip_pg
    );
    // Sampled token: p_k = e^{y_k}/Z to the relative error of Z; S_k = p_k (y_k − ȳ)
    // with ȳ off by ~1e-6 |ȳ|.
    let t = s.sampled.unwrap();
    let k = token as usize;
    let pk = r.d.probs()[k];
    assert!(
        (t.prob - pk).abs() <= 1e-5 * pk,
        "{name}: p_k = {} against {pk}",
        t.prob
    );
    let sk = r.d.discriminator_at(k);
    let yk = f64::from(row[k]) - r.ymax;
    let sk_tol = if pk > 0.0 {
        1e-5 * pk * (yk.abs() + r.ybar.abs())
    } else {
        0.0
    };
    assert!(
        (t.discriminator - sk).abs() <= sk_tol || t.discriminator == sk,
        "{name}: S_k = {} against {sk}",
        t.discriminator
    );
    let ck = r.d.sensitivity(k).unwrap();
    assert!((t.sensitivity - ck).abs() <= sk_tol + 1e-5 * scale);
    assert!((t.polarity - f64::from(adv) * t.sensitivity).abs() <= 1e-15 * t.polarity.abs());
    (h_err / h.max(1e-300), s_err / scale.max(1e-300))
}

fn realistic_row(rng: &mut Rng, sigma: f64, n_large: usize, large: f64) -> Vec<f32> {
    let mut row: Vec<f32> = (0..V).map(|_| (sigma * rng.normal()) as f32).collect();
    for _ in 0..n_large {
        let j = rng.below(V);
        row[j] = (large + 3.0 * rng.normal()) as f32;
    }
    row
}

#[test]
fn realistic_rows_agree_with_the_f64_path() {
    let mut rng = Rng(0x5EED);
    let mut worst = (0f64, 0f64);
    let mut note = |e: (f64, f64)| worst = (worst.0.max(e.0), worst.1.max(e.1));
    for (i, (sigma, n_large, large)) in [
        (3.0, 5, 20.0),
        (3.0, 0, 0.0),
        (2.0, 20, 12.0),
        (4.0, 3, 30.0),
        (1.0, 1, 8.0),
    ]
    .into_iter()
    .enumerate()
    {
        let row = realistic_row(&mut rng, sigma, n_large, large);
        let token = rng.below(V) as u32;
        note(check_row(&format!("normal row {i}"), &row, token, 0.7));
        let top = argmax_f32(&row) as u32;
        note(check_row(
            &format!("normal row {i}, top token"),
            &row,
            top,
            -1.5,
        ));
    }
    let row: Vec<f32> = (0..V).map(|_| (2.0 * rng.gumbel()) as f32).collect();
    note(check_row("gumbel row", &row, 17, 1.0));
    eprintln!(
        "realistic rows: worst relative H error {:e}, worst S̄ error / scale {:e}",
        worst.0, worst.1
    );
}

#[test]
fn peaked_rows_keep_relative_precision() {
    let mut rng = Rng(7);
    let mut worst = 0f64;
    // One token far above a 3·N(0,1) background: H from ~1 down to ~1e-11.
    for gap in [5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0] {
        let mut row: Vec<f32> = (0..V).map(|_| (3.0 * rng.normal()) as f32).collect();
        let k = rng.below(V);
        row[k] = 13.0 + gap as f32;
        let (eh, _) = check_row(&format!("gap {gap}"), &row, k as u32, 1.0);
        check_row(&format!("gap {gap}, other token"), &row, 3, 1.0);
        worst = worst.max(eh);
    }
    // Two tied maxima in different blocks, the rest far below.
    let mut row = vec![-30f32; V];
    row[10] = 0.0;
    row[V - 10] = 0.0;
    check_row("two tied maxima", &row, 10, 1.0);
    eprintln!("peaked rows: worst relative H error {worst:e}");
}

#[test]
fn near_uniform_rows() {
    let mut rng = Rng(11);
    for sigma in [1e-1, 1e-2, 1e-3, 1e-5] {
        let row: Vec<f32> = (0..V)
            .map(|_| (5.0 + sigma * rng.normal()) as f32)
            .collect();
        check_row(&format!("sigma {sigma}"), &row, 5, 2.0);
    }
}

#[test]
fn rows_with_masked_tokens() {
    let mut rng = Rng(13);
    // Half masked, a top-k style row (50 left), and a single survivor.
    for keep in [V / 2, 50, 2] {
        let mut row = vec![f32::NEG_INFINITY; V];
        let mut kept = Vec::new();
        for _ in 0..keep {
            let j = rng.below(V);
            row[j] = (3.0 * rng.normal()) as f32;
            kept.push(j);
        }
        check_row(&format!("{keep} kept"), &row, kept[0] as u32, 1.0);
        // A masked sampled token: probability 0, S_k = 0, sensitivity = S̄.
        let masked = (0..V).find(|&j| row[j] == f32::NEG_INFINITY).unwrap();
        let s = analyze_row(&row, Some(masked as u32), 2.0).unwrap();
        let t = s.sampled.unwrap();
        assert_eq!((t.prob, t.discriminator), (0.0, 0.0));
        assert_eq!(t.sensitivity, s.mean_discriminator);
        assert_eq!(t.polarity, 2.0 * s.mean_discriminator);
    }
    let mut row = vec![f32::NEG_INFINITY; V];
    row[V - 1] = -7.0;
    let s = analyze_row(&row, Some((V - 1) as u32), 1.0).unwrap();
    assert_eq!(s.entropy, 0.0);
    assert_eq!(s.mean_discriminator, 0.0);
    assert_eq!(s.flip_nudge, 1.0);
    assert_eq!(s.sampled.unwrap().prob, 1.0);
}

#[test]
fn masked_entries_change_nothing_else() {
    // Masking entries equals dropping them (up to f32 summation order).
    let mut rng = Rng(17);
    let dense: Vec<f32> = (0..1000).map(|_| (3.0 * rng.normal()) as f32).collect();
    let mut spread = vec![f32::NEG_INFINITY; 5000];
    for (i, &v) in dense.iter().enumerate() {
        spread[5 * i + 2] = v;
    }
    let a = analyze_row(&dense, Some(10), 1.0).unwrap();
    let b = analyze_row(&spread, Some(52), 1.0).unwrap();
    assert!((a.entropy - b.entropy).abs() <= 1e-6 * a.entropy);
    assert!((a.mean_discriminator - b.mean_discriminator).abs() <= 1e-6 * a.mean_discriminator);
    let (ta, tb) = (a.sampled.unwrap(), b.sampled.unwrap());
    assert!((ta.prob - tb.prob).abs() <= 1e-6 * ta.prob);
}

#[test]
fn uniform_rows_closed_form() {
    // H = ln V, S̄ = 0, p† = e^-H = 1/V, S_k = 0 — for lengths that exercise
    // every tail of the 16-entry steps and 256-entry blocks. e = 1 exactly
    // at the maximum; sums of equal f32 terms round (about 1e-9 relative).
    for v in [1usize, 2, 3, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1000, V] {
        let row = vec![1.5f32; v];
        let s = analyze_row(&row, Some((v - 1) as u32), 3.0).unwrap();
        let ln_v = (v as f64).ln();
        let tol = 1e-8;
        assert!(
            (s.entropy - ln_v).abs() <= tol * ln_v.max(1.0),
            "V = {v}: H = {}",
            s.entropy
        );
        assert_eq!(s.mean_discriminator, 0.0, "V = {v}");
        assert!((s.flip_nudge * v as f64 - 1.0).abs() <= tol);
        assert!((s.flip_pg * v as f64 - 1.0).abs() <= tol);
        let t = s.sampled.unwrap();
        assert!((t.prob * v as f64 - 1.0).abs() <= tol);
        assert_eq!(t.discriminator, 0.0);
        assert_eq!(t.polarity, 0.0);
    }
}

#[test]
fn short_rows_of_every_length_agree() {
    // Tails of the SIMD steps and blocks, with masks mixed in.
    let mut rng = Rng(19);
    for v in (1..40).chain([255, 256, 257, 511, 513, 1001, 4099]) {
        let row: Vec<f32> = (0..v)
            .map(|j| {
                if j > 0 && rng.uniform() < 0.2 {
                    f32::NEG_INFINITY
                } else {
                    (4.0 * rng.normal()) as f32
                }
            })
            .collect();
        check_row(&format!("V = {v}"), &row, (v / 2) as u32, -0.5);
    }
}

#[test]
fn extreme_but_finite_logits() {
    // z − max overflows to −∞ in f32: those tokens have probability 0.
    let row = [3.0e38f32, -3.0e38, 3.0e38, 1.0];
    let s = analyze_row(&row, Some(1), 1.0).unwrap();
    assert!((s.entropy - 2f64.ln()).abs() < 1e-15);
    assert_eq!(s.sampled.unwrap().prob, 0.0);
    let s = analyze_row(&[f32::MIN_POSITIVE, 0.0, -f32::MIN_POSITIVE], None, 1.0).unwrap();
    assert!((s.entropy - 3f64.ln()).abs() < 1e-15);
    assert!(s.sampled.is_none());
}

#[test]
fn slices_match_rows_and_broadcast_advantages() {
    let mut rng = Rng(23);
    let (rows, vocab) = (5, 3001);
    let logits: Vec<f32> = (0..rows * vocab)
        .map(|_| (3.0 * rng.normal()) as f32)
        .collect();
    let tokens: Vec<u32> = (0..rows).map(|_| rng.below(vocab) as u32).collect();
    let adv = [0.5f32, -1.0, 2.0, 0.0, -0.25];
    let a = analyze_rows(&logits, rows, vocab, Some(&tokens), Some(&adv)).unwrap();
    let cols = a.sampled.as_ref().unwrap();
    for r in 0..rows {
        let s = analyze_row(&logits[r * vocab..(r + 1) * vocab], Some(tokens[r]), adv[r]).unwrap();
        assert_eq!(a.entropy[r], s.entropy);
        assert_eq!(a.mean_discriminator[r], s.mean_discriminator);
        assert_eq!(a.flip_nudge[r], s.flip_nudge);
        assert_eq!(a.flip_pg[r], s.flip_pg);
        let t = s.sampled.unwrap();
        assert_eq!(cols.prob[r], t.prob);
        assert_eq!(cols.discriminator[r], t.discriminator);
        assert_eq!(cols.sensitivity[r], t.sensitivity);
        assert_eq!(cols.polarity[r], t.polarity);
        assert!(a.flip_pg[r] >= a.flip_nudge[r]);
    }
    // One advantage for all rows; none = 1 (polarity = sensitivity).
    let one = analyze_rows(&logits, rows, vocab, Some(&tokens), Some(&[-2.0])).unwrap();
    let none = analyze_rows(&logits, rows, vocab, Some(&tokens), None).unwrap();
    let (one, none) = (one.sampled.unwrap(), none.sampled.unwrap());
    for r in 0..rows {
        assert_eq!(one.polarity[r], -2.0 * one.sensitivity[r]);
        assert_eq!(none.polarity[r], none.sensitivity[r]);
    }
    // Without tokens there are no token columns, only row statistics.
    let plain = analyze_rows(&logits, rows, vocab, None, None).unwrap();
    assert!(plain.sampled.is_none());
    assert_eq!(plain.entropy, a.entropy);
    // No rows: empty columns.
    let empty = analyze_rows(&[], 0, vocab, Some(&[]), None).unwrap();
    assert!(empty.entropy.is_empty() && empty.sampled.unwrap().prob.is_empty());
}

#[test]
fn every_error_is_named() {
    let ok = vec![0.5f32; 12];
    let err = |logits: &[f32], rows, vocab, t: Option<&[u32]>, a: Option<&[f32]>| {
        analyze_rows(logits, rows, vocab, t, a).unwrap_err()
    };
    assert_eq!(err(&ok, 3, 0, None, None), RowsError::EmptyVocab);
    assert_eq!(
        err(&ok, 3, 5, None, None),
        RowsError::LengthMismatch {
            len: 12,
            rows: 3,
            vocab: 5
        }
    );
    let overflow = err(&ok, usize::MAX, 2, None, None);
    assert!(matches!(overflow, RowsError::LengthMismatch { .. }));
    assert!(overflow.to_string().contains("more than fit"), "{overflow}");
    assert_eq!(
        err(&ok, 3, 4, Some(&[0, 1]), None),
        RowsError::TokensLength { len: 2, rows: 3 }
    );
    assert_eq!(
        err(&ok, 3, 4, Some(&[0, 4, 1]), None),
        RowsError::TokenOutOfRange {
            row: 1,
            token: 4,
            vocab: 4
        }
    );
    assert_eq!(
        err(&ok, 3, 4, None, Some(&[1.0, 2.0])),
        RowsError::AdvantagesLength { len: 2, rows: 3 }
    );
    assert_eq!(
        err(&ok, 3, 4, None, Some(&[])),
        RowsError::AdvantagesLength { len: 0, rows: 3 }
    );
    assert!(matches!(
        err(&ok, 3, 4, None, Some(&[1.0, f32::NAN, 0.0])),
        RowsError::AdvantageNotFinite { row: 1, .. }
    ));
    assert!(matches!(
        err(&ok, 3, 4, None, Some(&[f32::INFINITY])),
        RowsError::AdvantageNotFinite { row: 0, .. }
    ));

    // NaN and +inf at every position of a 600-wide row (every lane, chain,
    // block and the tail), in row 2 of 3.
    let vocab = 600;
    for column in (0..vocab).step_by(7).chain([vocab - 1, 255, 256]) {
        for (bad, want) in [
            (f32::NAN, RowsError::NotANumber { row: 2, column }),
            (
                f32::INFINITY,
                RowsError::PositiveInfinity { row: 2, column },
            ),
        ] {
            let mut z = vec![0.25f32; 3 * vocab];
            z[2 * vocab + column] = bad;
            assert_eq!(err(&z, 3, vocab, None, None), want);
        }
    }
    // The first bad entry is named; NaN beside masks is NaN, not "all masked".
    let mut z = vec![f32::NEG_INFINITY; 40];
    z[30] = f32::NAN;
    z[35] = f32::INFINITY;
    assert_eq!(
        err(&z, 1, 40, None, None),
        RowsError::NotANumber { row: 0, column: 30 }
    );
    z[30] = 1.0;
    assert_eq!(
        err(&z, 1, 40, None, None),
        RowsError::PositiveInfinity { row: 0, column: 35 }
    );
    // NaN next to the maximum (in the block that is summed specially).
    let mut z = vec![0f32; 300];
    z[100] = 50.0;
    z[101] = f32::NAN;
    assert_eq!(
        err(&z, 1, 300, None, None),
        RowsError::NotANumber {
            row: 0,
            column: 101
        }
    );
    let mut z = vec![1f32; 20];
    z[10..].fill(f32::NEG_INFINITY);
    assert_eq!(err(&z, 2, 10, None, None), RowsError::AllMasked { row: 1 });

    // The single-row entry names row 0, and at_row moves it.
    let e = analyze_row(&[f32::NAN], None, 1.0).unwrap_err();
    assert_eq!(
        e.clone().at_row(7),
        RowsError::NotANumber { row: 7, column: 0 }
    );
    assert_eq!(
        analyze_row(&[], None, 1.0).unwrap_err(),
        RowsError::EmptyVocab
    );
    assert_eq!(
        analyze_row(&[1.0, 2.0], Some(2), 1.0).unwrap_err(),
        RowsError::TokenOutOfRange {
            row: 0,
            token: 2,
            vocab: 2
        }
    );
    assert!(matches!(
        analyze_row(&[1.0], None, f32::NAN).unwrap_err(),
        RowsError::AdvantageNotFinite { .. }
    ));
}

#[test]
fn messages_say_where_and_what_to_do() {
    let cases = [
        (
            RowsError::NotANumber { row: 3, column: 17 },
            &["Row 3", "column 17", "NaN"][..],
        ),
        (
            RowsError::PositiveInfinity { row: 0, column: 9 },
            &["Row 0", "column 9", "+Infinity"],
        ),
        (RowsError::AllMasked { row: 4 }, &["Row 4", "masked"]),
        (
            RowsError::TokenOutOfRange {
                row: 2,
                token: 99,
                vocab: 10,
            },
            &["Row 2", "99", "0 to 9"],
        ),
        (
            RowsError::AdvantagesLength { len: 2, rows: 5 },
            &["2 advantages", "5 rows"],
        ),
        (
            RowsError::TokensLength { len: 1, rows: 5 },
            &["1 sampled", "5 rows"],
        ),
        (
            RowsError::LengthMismatch {
                len: 10,
                rows: 2,
                vocab: 6,
            },
            &["10 logits", "need 12"],
        ),
        (
            RowsError::AdvantageNotFinite {
                row: 1,
                value: f32::NAN,
            },
            &["row 1", "NaN"],
        ),
        (RowsError::EmptyVocab, &["vocabulary size is 0"]),
    ];
    for (e, parts) in cases {
        let msg = e.to_string();
        for p in parts {
            assert!(msg.contains(p), "{msg:?} should contain {p:?}");
        }
    }
}

#[test]
fn fast_exp_is_accurate_and_saturates() {
    // Relative error against f64 exp of the same f32 argument: ≤ 2.9 ulp from
    // the polynomial plus |y|·log2(e)·2^-24 from rounding u = y·log2(e).
    let mut worst_ulp = 0f64;
    let mut y = -87.0f32;
    while y <= 0.0 {
        let got = f64::from(kernel::exp_f32(y));
        let want = f64::from(y).exp();
        let ulp = f64::from(f32::EPSILON) / 2.0; // 2^-24, relative half-ulp scale
        let err = ((got - want) / want).abs() / (2.0 * ulp);
        let allowed = 3.0 + f64::from(y.abs()) * std::f64::consts::LOG2_E;
        assert!(err <= allowed, "exp({y}) = {got}, want {want}: {err} ulp");
        worst_ulp = worst_ulp.max(err - f64::from(y.abs()) * std::f64::consts::LOG2_E);
        y += 0.001_57;
    }
    for y in [-1e-30f32, -1e-7, -0.5, -0.346_573_6, -1.0] {
        let err = ((f64::from(kernel::exp_f32(y)) - f64::from(y).exp()) / f64::from(y).exp()).abs();
        assert!(err < 3.5 * 2f64.powi(-24), "exp({y}): {err}");
    }
    assert_eq!(kernel::exp_f32(0.0), 1.0);
    assert!(kernel::exp_f32(-87.0) > 0.0);
    assert_eq!(kernel::exp_f32(-120.0), 0.0);
    assert_eq!(kernel::exp_f32(-1e30), 0.0);
    assert_eq!(kernel::exp_f32(f32::NEG_INFINITY), 0.0);
    assert!(kernel::exp_f32(f32::NAN).is_nan());
    eprintln!("fast exp: worst error {worst_ulp:.2} ulp beyond the argument rounding");
}

fn argmax_f32(z: &[f32]) -> usize {
    argmax(&z.iter().map(|&v| f64::from(v)).collect::<Vec<_>>())
}

#[test]
fn soft_masks_and_very_distant_logits() {
    // Large negative finite "masks" (-1e4, -1e9, f32::MIN) act like -inf, and
    // logits 81 to 89 nats below the maximum (where the kernel meets
    // subnormal e'²) still give the right statistics.
    let mut rng = Rng(29);
    for fill in [
        -1e4f32,
        -1e9,
        f32::MIN,
        -85.0,
        -90.0,
        -100.0,
        -118.0,
        -125.0,
    ] {
        let mut row: Vec<f32> = (0..V).map(|_| fill).collect();
        for _ in 0..300 {
            let j = rng.below(V);
            row[j] = (3.0 * rng.normal()) as f32;
        }
        check_row(&format!("fill {fill}"), &row, 0, 1.0);
    }
}

#[test]
fn rows_copied_in_one_at_a_time_give_the_same_results() {
    use entropy_polarity::math::rows::{analyze_rows_from, CopiedRows};
    let mut rng = Rng(31);
    let (rows, vocab) = (5, 777);
    let logits: Vec<f32> = (0..rows * vocab)
        .map(|_| (3.0 * rng.normal()) as f32)
        .collect();
    let tokens: Vec<u32> = (0..rows as u32).collect();
    let want = analyze_rows(&logits, rows, vocab, Some(&tokens), Some(&[0.5])).unwrap();
    let mut loads = Vec::new();
    let source = CopiedRows::new(rows, vocab, |r, buffer: &mut [f32]| {
        loads.push(r);
        buffer.copy_from_slice(&logits[r * vocab..(r + 1) * vocab]);
    });
    let got = analyze_rows_from(source, rows, vocab, Tokens::Given(&tokens), Some(&[0.5])).unwrap();
    assert_eq!(got, want);
    assert_eq!(
        loads,
        (0..rows).collect::<Vec<_>>(),
        "each row copied once, in order"
    );
    // Errors name the right row through the copying source too.
    let mut bad = logits.clone();
    bad[3 * vocab + 9] = f32::NAN;
    let source = CopiedRows::new(rows, vocab, |r, buffer: &mut [f32]| {
        buffer.copy_from_slice(&bad[r * vocab..(r + 1) * vocab]);
    });
    assert_eq!(
        analyze_rows_from(source, rows, vocab, Tokens::None, None).unwrap_err(),
        RowsError::NotANumber { row: 3, column: 9 }
    );
}

/// The first index of the largest entry, written apart from the kernel.
fn first_max(z: &[f32]) -> u32 {
    let mut best = 0;
    for (j, &v) in z.iter().enumerate() {
        if v > z[best] {
            best = j;
        }
    }
    best as u32
}

#[test]
fn greedy_tokens_are_each_rows_first_maximum() {
    let mut rng = Rng(11);
    let vocab = 1000;
    let mut logits: Vec<f32> = (0..4 * vocab).map(|_| rng.normal() as f32).collect();
    // Row 1: ties at 700 and 900 (the first wins); row 2: the maximum in the
    // first block; row 3: the maximum in the last entry, all else masked but one.
    logits[vocab + 700] = 9.0;
    logits[vocab + 900] = 9.0;
    logits[2 * vocab + 3] = 12.0;
    for z in &mut logits[3 * vocab..4 * vocab - 2] {
        *z = f32::NEG_INFINITY;
    }
    logits[4 * vocab - 1] = 1.0;
    let want: Vec<u32> = logits.chunks(vocab).map(first_max).collect();
    assert_eq!(want[1], 700);
    assert_eq!(want[3], 999);
    let greedy = analyze_rows_from(
        SliceRows {
            logits: &logits,
            vocab,
        },
        4,
        vocab,
        Tokens::Greedy,
        None,
    )
    .unwrap();
    let given = analyze_rows(&logits, 4, vocab, Some(&want), None).unwrap();
    let g = greedy.sampled.unwrap();
    assert_eq!(g.token, want);
    assert_eq!(Some(&g), given.sampled.as_ref());
}
