//! What one token's logprob ℓ, entropy H, advantage A and (when the trace has
//! it) mean discriminator S̄ give (docs/trace-format.md, "Per token"):
//! p = e^ℓ, S = p (H + ℓ), the token term −A·S, e^−H, ℓ + H, and with S̄ the
//! sensitivity S̄ − S, the policy-gradient polarity A (S̄ − S) and p†.

use crate::math::dist::flip_pg;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokenValues {
    pub prob: f64,
    pub discriminator: f64,
    pub token_term: f64,
    pub flip_nudge: f64,
    pub normalised: f64,
    /// NaN without S̄.
    pub sensitivity: f64,
    pub polarity: f64,
    pub flip_pg: f64,
}

/// Missing inputs are NaN and give NaN exactly where they are needed.
pub fn token_values(logprob: f64, entropy: f64, advantage: f64, mean_disc: f64) -> TokenValues {
    let prob = logprob.exp();
    let normalised = logprob + entropy;
    let discriminator = prob * normalised;
    let sensitivity = mean_disc - discriminator;
    TokenValues {
        prob,
        discriminator,
        token_term: -advantage * discriminator,
        flip_nudge: (-entropy).exp(),
        normalised,
        sensitivity,
        polarity: advantage * sensitivity,
        flip_pg: if mean_disc.is_finite() && entropy.is_finite() {
            flip_pg(entropy, mean_disc)
        } else {
            f64::NAN
        },
    }
}

/// A probability distribution with one token (index 0) at probability `p`
/// and entropy `h`, and S̄ = `sbar` when that is reachable: the explorer opens
/// a trace token at (p_k, H) with it. The other tokens share 1 − p in two
/// groups of equal tokens (sizes and split found by bisection), which is
/// enough to hit any (p, H) with H between the entropy of "p and one other
/// token" and the maximum for `vocab` tokens. Returns the log-probabilities
/// (logits up to a constant).
pub fn logits_for_point(p: f64, h: f64, vocab: usize) -> Option<Vec<f64>> {
    if !(p > 0.0 && p < 1.0 && h.is_finite() && vocab >= 2) {
        return None;
    }
    let q = 1.0 - p;
    let base = -p * p.ln();
    // With the rest split evenly over m tokens: H = base − q ln(q/m).
    let h_even = |m: f64| base - q * (q / m).ln();
    if h < h_even(1.0) - 1e-12 || h > h_even((vocab - 1) as f64) + 1e-12 {
        return None;
    }
    // Smallest m whose even split reaches h, then move mass between one token
    // and the other m − 1 to land on h exactly (H is monotone in the split).
    let mut m = 1usize;
    while m < vocab - 1 && h_even(m as f64) < h {
        m += 1;
    }
    let mut out = vec![f64::NEG_INFINITY; vocab];
    out[0] = p.ln();
    if m == 1 {
        out[1] = q.ln();
        return Some(out);
    }
    // One token holds x·q, the other m − 1 share (1 − x)·q; x from 1/m (even, H = h_even(m))
    // up to 1 − small (H → h_even(m − 1)-ish): bisect on H(x).
    let ent = |x: f64| {
        let a = x * q;
        let b = (1.0 - x) * q / (m - 1) as f64;
        let t = |v: f64| if v > 0.0 { -v * v.ln() } else { 0.0 };
        base + t(a) + (m - 1) as f64 * t(b)
    };
    let (mut lo, mut hi) = (1.0 / m as f64, 1.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if ent(mid) > h {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let x = 0.5 * (lo + hi);
    out[1] = (x * q).ln();
    let b = ((1.0 - x) * q / (m - 1) as f64).ln();
    for v in out.iter_mut().take(m + 1).skip(2) {
        *v = b;
    }
    Some(out)
}

/// A stand-in distribution for a trace token at (p_k, H), as the explorer
/// opens it: token 0 at probability p and entropy `entropy`, which may
/// differ from the H asked for in two ways. H is first raised to
/// h(p) = −p ln p − (1 − p) ln(1 − p), the least entropy any distribution
/// with p_k = p has (a float32 trace can fall below it by rounding); and
/// when reaching H would take more than `max_vocab` tokens, it is lowered to
/// the most that many reach (the rest spread evenly over max_vocab − 1).
#[derive(Clone, Debug, PartialEq)]
pub struct StandIn {
    pub logits: Vec<f64>,
    pub entropy: f64,
    pub vocab: usize,
}

/// The [`StandIn`] for (p, h), its vocabulary sized so that the entropy is
/// reachable (at least 3 tokens, at most `max_vocab`); `None` for p outside
/// (0, 1) or h not a number ≥ 0.
pub fn stand_in(p: f64, h: f64, max_vocab: usize) -> Option<StandIn> {
    if !(p > 0.0 && p < 1.0 && h >= 0.0) {
        return None;
    }
    let q = 1.0 - p;
    let base = -p * p.ln();
    let h = h.max(base - q * q.ln());
    // The rest spread evenly over m tokens reaches base − q ln(q/m) ≥ h.
    let m = q * ((h - base) / q).exp();
    let vocab = (m.ceil() + 2.0).max(3.0).min(max_vocab as f64) as usize;
    let entropy = h.min(base - q * (q / (vocab - 1) as f64).ln());
    logits_for_point(p, entropy, vocab).map(|logits| StandIn {
        logits,
        entropy,
        vocab,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // ℓ = ln 0.5, H = ln 2 (a fair coin): S = 0.5 (ln 2 − ln 2) = 0.
        let v = token_values(0.5f64.ln(), 2f64.ln(), 1.0, 0.0);
        assert!((v.prob - 0.5).abs() < 1e-15);
        assert!(v.discriminator.abs() < 1e-16);
        assert!((v.flip_nudge - 0.5).abs() < 1e-15);
        // ℓ = ln 0.2, H = 1, A = −2: S = 0.2 (1 + ln 0.2), term = 0.4 (1 + ln 0.2).
        let v = token_values(0.2f64.ln(), 1.0, -2.0, f64::NAN);
        let s = 0.2 * (1.0 + 0.2f64.ln());
        assert!((v.token_term - 0.4 * (1.0 + 0.2f64.ln())).abs() < 1e-15);
        assert!((v.discriminator - s).abs() < 1e-16);
        assert!(v.polarity.is_nan() && v.flip_pg.is_nan());
        let v = token_values(0.2f64.ln(), 1.0, -2.0, 0.1);
        assert!((v.polarity - (-2.0 * (0.1 - s))).abs() < 1e-15);
    }

    #[test]
    fn point_distribution_hits_p_and_h() {
        use crate::math::Distribution;
        for &(p, h) in &[(0.3, 1.2), (0.9, 0.4), (0.01, 5.0), (0.5, 0.7)] {
            let l = logits_for_point(p, h, 1000).expect("reachable");
            let d = Distribution::from_logits(&l, 1.0).unwrap();
            assert!((d.probs()[0] - p).abs() < 1e-12, "{p} {h}");
            assert!((d.entropy() - h).abs() < 1e-9, "{p} {h}: {}", d.entropy());
        }
        assert!(logits_for_point(0.5, 0.1, 10).is_none()); // below two-token entropy
    }
}
