//! The explorer's arithmetic in the core (src/math/explorer.rs) against
//! independent computations written here: a full sort instead of a
//! selection, probabilities from a plain softmax, and the textbook formulas
//! for S and S̄ (docs/math.md).

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::explorer::{log_sum_exp, logit_for_prob, top_bars, MAX_BARS};
use entropy_polarity::math::{CoreError, Distribution};

use crate::support::splitmix::Rng;

/// Plain softmax with an f64 total (fine at the 1e-9 these tests ask).
fn softmax(z: &[f64]) -> Vec<f64> {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|&v| v / s).collect()
}

fn row(rng: &mut Rng, v: usize) -> Vec<f64> {
    (0..v)
        .map(|_| match rng.below(10) {
            0 => f64::NEG_INFINITY,
            1 => (rng.below(5) as f64) - 2.0, // ties
            _ => 3.0 * rng.normal(),
        })
        .collect()
}

#[test]
fn top_bars_are_the_most_likely_tokens_and_the_bucket_holds_the_rest() {
    let mut rng = Rng(7);
    for case in 0..300 {
        let v = [2, 5, 63, 64, 65, 200, 5000][case % 7];
        let z = row(&mut rng, v);
        if z.iter().all(|&x| x == f64::NEG_INFINITY) {
            continue;
        }
        let sampled = if case % 3 == 0 {
            None
        } else {
            Some(rng.below(v))
        };
        let b = top_bars(&z, sampled, MAX_BARS).unwrap();
        // Independent: a stable full sort of the unmasked tokens.
        let mut live: Vec<usize> = (0..v).filter(|&j| z[j] > f64::NEG_INFINITY).collect();
        live.sort_by(|&a, &b| z[b].partial_cmp(&z[a]).unwrap());
        let wants = if live.len() > MAX_BARS {
            MAX_BARS - 1
        } else {
            live.len()
        };
        let mut want: Vec<usize> = live[..wants].to_vec();
        let s = sampled.filter(|&k| z[k] > f64::NEG_INFINITY);
        if let Some(k) = s {
            if !want.contains(&k) {
                want[wants - 1] = k;
                want.sort_by(|&a, &b| z[b].partial_cmp(&z[a]).unwrap());
            }
        }
        let got: Vec<usize> = b.index.iter().flatten().copied().collect();
        assert_eq!(got, want, "case {case}: bars");
        assert_eq!(b.rest, live.len() - wants, "case {case}: rest count");
        assert_eq!(b.index.len(), wants + usize::from(b.rest > 0));
        assert!(b.index.len() <= MAX_BARS);
        for (i, &j) in got.iter().enumerate() {
            assert_eq!(b.logits[i], z[j]);
        }
        match s {
            Some(k) => assert_eq!(b.index[b.token], Some(k), "case {case}: sampled bar"),
            None => assert_eq!(b.token, 0),
        }
        // The bars' probabilities are the row's, the bucket's their rest.
        let p = softmax(&z);
        let q = softmax(&b.logits);
        for (i, bar) in b.index.iter().enumerate() {
            let want = match bar {
                Some(j) => p[*j],
                None => 1.0 - got.iter().map(|&j| p[j]).sum::<f64>(),
            };
            assert!(
                (q[i] - want).abs() < 1e-9,
                "case {case}: bar {i}: {} vs {want}",
                q[i]
            );
        }
    }
}

#[test]
fn a_152k_row_opens_with_its_bucket() {
    // Issue 9 item 5: rows of 128k–152k tokens overflowed the stack of a JS
    // spread; the core has no such limit.
    let mut rng = Rng(11);
    let z: Vec<f64> = (0..152_064).map(|_| 2.0 * rng.normal()).collect();
    let b = top_bars(&z, Some(151_000), MAX_BARS).unwrap();
    assert_eq!(b.index.len(), MAX_BARS);
    assert_eq!(b.rest, 152_064 - (MAX_BARS - 1));
    assert_eq!(b.index[b.token], Some(151_000));
    let p = softmax(&z);
    let shown: f64 = b.index.iter().flatten().map(|&j| p[j]).sum();
    let q = softmax(&b.logits);
    assert!((q[MAX_BARS - 1] - (1.0 - shown)).abs() < 1e-9);
}

#[test]
fn top_bars_refuse_what_a_distribution_refuses() {
    assert_eq!(top_bars(&[], None, 64), Err(CoreError::Empty));
    assert_eq!(
        top_bars(&[f64::NEG_INFINITY; 2], None, 64),
        Err(CoreError::AllMasked)
    );
    assert_eq!(
        top_bars(&[0.0, f64::NAN], None, 64),
        Err(CoreError::NotANumber { index: 1 })
    );
    // A masked sampled token has no bar: the first bar is chosen.
    let b = top_bars(&[1.0, f64::NEG_INFINITY, 0.0], Some(1), 64).unwrap();
    assert_eq!((b.index, b.token), (vec![Some(0), Some(2)], 0));
}

#[test]
fn logit_for_prob_gives_the_token_that_probability() {
    let mut rng = Rng(3);
    for case in 0..200 {
        let v = 2 + rng.below(40);
        let mut z: Vec<f64> = (0..v).map(|_| 4.0 * rng.normal()).collect();
        let j = rng.below(v);
        let q = 0.002 + 0.993 * rng.uniform();
        let t = [0.3, 1.0, 2.5][case % 3];
        let others: Vec<f64> = (0..v).filter(|&i| i != j).map(|i| z[i]).collect();
        z[j] = logit_for_prob(&z, j, q, t).unwrap();
        let p = softmax(&z.iter().map(|x| x / t).collect::<Vec<_>>());
        assert!(
            (p[j] - q).abs() < 1e-12,
            "case {case}: p = {} for q = {q}",
            p[j]
        );
        // The others keep their logits.
        let kept: Vec<f64> = (0..v).filter(|&i| i != j).map(|i| z[i]).collect();
        assert_eq!(kept, others);
    }
    // Alone among masked tokens, a token's probability is 1 whatever its logit.
    assert_eq!(
        logit_for_prob(&[0.5, f64::NEG_INFINITY], 0, 0.3, 1.0),
        Ok(0.5)
    );
    assert!(logit_for_prob(&[0.0, 1.0], 2, 0.5, 1.0).is_err());
    assert!(logit_for_prob(&[0.0, 1.0], 0, 1.0, 1.0).is_err());
}

#[test]
fn polarity_is_advantage_times_mean_minus_own_discriminator() {
    let z = [2.0, 1.0, 0.5, -1.0];
    let d = Distribution::from_logits(&z, 1.0).unwrap();
    let p = softmax(&z);
    let h: f64 = -p.iter().map(|x| x * x.ln()).sum::<f64>();
    let s: Vec<f64> = p.iter().map(|x| x * (h + x.ln())).collect();
    let s_bar: f64 = p.iter().zip(&s).map(|(a, b)| a * b).sum();
    for (k, s_k) in s.iter().enumerate() {
        for a in [-2.0, 0.0, 0.7] {
            let want = a * (s_bar - s_k);
            assert!(
                (d.polarity(k, a).unwrap() - want).abs() < 1e-14,
                "k={k} A={a}"
            );
        }
    }
    assert!(d.polarity(4, 1.0).is_err());
}

#[test]
fn log_sum_exp_of_a_few_values() {
    let v = [0.5, -1.0, 2.0];
    let want = v.iter().map(|x: &f64| x.exp()).sum::<f64>().ln();
    assert!((log_sum_exp(&v) - want).abs() < 1e-15);
}
