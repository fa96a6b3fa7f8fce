//! The softmax policy π = softmax(z) of the simulation, its statistics
//! (docs/math.md: H, S_j, S̄) kept up to date in one pass per refresh, and
//! sampling from it.

use super::detmath;
use super::rng::Rng;

/// The softmax policy and the statistics of docs/math.md at its current logits.
///
/// Probabilities are kept unnormalised, e_j = exp(z_j − max z), with
/// p_j = e_j · inv: then one pass over the tokens computes every sum a step
/// needs (Σe, Σe·y, Σe², Σe²·y with y = z − max), before the total is known.
/// The sums run in token order, a fixed order, so results are the same on
/// every target.
pub(super) struct Policy {
    pub(super) z: Vec<f64>,
    pub(super) e: Vec<f64>,
    /// Running sums of e, for sampling.
    pub(super) cdf: Vec<f64>,
    /// Token rewards, for the expected reward.
    pub(super) r: Vec<f64>,
    /// Σ p_j r_j.
    pub(super) reward: f64,
    /// max z at the last refresh (y_j = z_j − max).
    pub(super) max: f64,
    /// 1 / Σ e_j.
    pub(super) inv: f64,
    /// ȳ = Σ p_j y_j; H + ln p_j = y_j − ȳ.
    pub(super) ybar: f64,
    pub(super) entropy: f64,
    pub(super) mean_disc: f64,
}

/// The largest entry (of finite numbers), with four independent running
/// maxima so that the comparisons do not wait on each other.
fn max_of(z: &[f64]) -> f64 {
    let (mut m0, mut m1, mut m2, mut m3) = (z[0], z[0], z[0], z[0]);
    let mut chunks = z.chunks_exact(4);
    for c in &mut chunks {
        m0 = if c[0] > m0 { c[0] } else { m0 };
        m1 = if c[1] > m1 { c[1] } else { m1 };
        m2 = if c[2] > m2 { c[2] } else { m2 };
        m3 = if c[3] > m3 { c[3] } else { m3 };
    }
    for &x in chunks.remainder() {
        m0 = if x > m0 { x } else { m0 };
    }
    let a = if m1 > m0 { m1 } else { m0 };
    let b = if m3 > m2 { m3 } else { m2 };
    if b > a {
        b
    } else {
        a
    }
}

impl Policy {
    pub(super) fn new(z: Vec<f64>, r: Vec<f64>) -> Self {
        let v = z.len();
        let mut policy = Self {
            z,
            e: vec![0.0; v],
            cdf: vec![0.0; v],
            r,
            reward: 0.0,
            max: 0.0,
            inv: 1.0,
            ybar: 0.0,
            entropy: 0.0,
            mean_disc: 0.0,
        };
        policy.refresh();
        policy
    }

    /// Recomputes e, the running sums, ȳ, H, S̄ and the expected reward from
    /// z: one exp per token plus one ln, in two passes (the largest logit,
    /// then everything else).
    pub(super) fn refresh(&mut self) {
        let max = max_of(&self.z);
        // Tokens at the maximum have e = 1 exactly and are counted apart
        // (`ties`), so that ln Σ e = ln(1 + rest) can use log1p and keep
        // near-one-hot policies exact.
        let (mut rest, mut s1, mut s2, mut s3, mut ties) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let (mut acc, mut sr) = (0.0, 0.0);
        for (((&zj, ej), cj), &rj) in self
            .z
            .iter()
            .zip(self.e.iter_mut())
            .zip(self.cdf.iter_mut())
            .zip(&self.r)
        {
            let y = zj - max;
            let x = detmath::exp_nonpos(y);
            *ej = x;
            acc += x;
            *cj = acc;
            sr += x * rj;
            let below = y < 0.0;
            rest += if below { x } else { 0.0 };
            ties += if below { 0.0 } else { 1.0 };
            let xy = x * y;
            s1 += xy;
            s2 += x * x;
            s3 += x * xy;
        }
        let rest = rest + (ties - 1.0);
        let inv = 1.0 / (1.0 + rest);
        let ybar = inv * s1;
        let p2 = inv * inv * s2;
        let p2y = inv * inv * s3;
        self.max = max;
        self.inv = inv;
        self.reward = inv * sr;
        self.ybar = ybar;
        // H = ln Σ e − ȳ: both terms ≥ 0, no cancellation.
        self.entropy = (detmath::ln_1p(rest) - ybar).max(0.0);
        // S̄ = Σ p_j² (y_j − ȳ) = Σ p² y − ȳ Σ p² (≥ 0 in exact arithmetic).
        self.mean_disc = (p2y - ybar * p2).max(0.0);
    }

    #[inline]
    pub(super) fn p(&self, k: usize) -> f64 {
        self.e[k] * self.inv
    }

    /// S_k = p_k (H + ln p_k) = p_k (y_k − ȳ).
    #[inline]
    pub(super) fn disc(&self, k: usize) -> f64 {
        self.p(k) * (self.z[k] - self.max - self.ybar)
    }

    pub(super) fn probs(&self) -> Vec<f64> {
        self.e.iter().map(|&e| e * self.inv).collect()
    }
}

/// Samples one token from the cumulative weights `cdf`.
#[inline]
pub(super) fn sample(cdf: &[f64], e: &[f64], rng: &mut Rng) -> usize {
    let u = rng.uniform() * cdf[cdf.len() - 1];
    let mut k = cdf.partition_point(|&c| c <= u).min(cdf.len() - 1);
    // Only reachable through rounding at the very top: never return a
    // zero-probability token.
    while e[k] == 0.0 && k > 0 {
        k -= 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::Distribution;

    #[test]
    fn policy_statistics_match_the_careful_distribution() {
        for z in [
            vec![2.0, 1.0, 0.5, -1.0, -3.0],
            vec![0.0; 7],
            vec![40.0, 0.0, -1.0, 3.0],
            (0..1000).map(|j| -1.3 * ((j + 1) as f64).ln()).collect(),
        ] {
            let pi = Policy::new(z.clone(), vec![0.0; z.len()]);
            let d = Distribution::from_logits(&z, 1.0).unwrap();
            assert!((pi.entropy - d.entropy()).abs() <= 1e-13 * d.entropy().max(1e-300));
            assert!((pi.mean_disc - d.mean_discriminator()).abs() <= 1e-12);
            for k in 0..z.len() {
                assert!((pi.p(k) - d.probs()[k]).abs() <= 1e-15);
                assert!((pi.disc(k) - d.discriminator_at(k)).abs() <= 1e-14);
            }
        }
    }

    #[test]
    fn refresh_skips_nothing_when_the_top_ties() {
        let pi = Policy::new(vec![1.0, 1.0], vec![0.0; 2]);
        assert_eq!(pi.probs(), vec![0.5, 0.5]);
        assert!((pi.entropy - 2f64.ln()).abs() < 1e-16);
    }
}
