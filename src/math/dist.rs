//! A softmax distribution and its entropy statistics (docs/math.md, "Distribution").
//!
//! Everything is kept in "centred log-probability" form c_j = H + ln p_j =
//! y_j − ȳ (y the scaled logits, ȳ = E_p[y]): the log-sum-exp drops out of
//! the discriminator S_j = p_j c_j, and no quantity is formed by subtracting
//! two nearly equal rounded numbers.

use super::error::CoreError;
use super::lambert::lambert_w0;
use super::sum::{sum, Neumaier};

/// Allowed deviation of a probability vector's sum from 1.
pub const PROB_SUM_TOLERANCE: f64 = 1e-6;

#[derive(Clone, Debug)]
pub struct Distribution {
    temperature: f64,
    /// Probabilities; exactly 0 for masked tokens.
    p: Vec<f64>,
    /// ln p_j; −∞ for masked tokens.
    log_p: Vec<f64>,
    /// c_j = H + ln p_j; −∞ for masked tokens.
    c: Vec<f64>,
    entropy: f64,
    mean_disc: f64,
}

impl Distribution {
    /// p = softmax(z / T). Entries of −∞ are masked tokens.
    pub fn from_logits(logits: &[f64], temperature: f64) -> Result<Self, CoreError> {
        check_temperature(temperature)?;
        if logits.is_empty() {
            return Err(CoreError::Empty);
        }
        let mut max = f64::NEG_INFINITY;
        for (index, &z) in logits.iter().enumerate() {
            if z.is_nan() {
                return Err(CoreError::NotANumber { index });
            }
            if z == f64::INFINITY {
                return Err(CoreError::PositiveInfinity { index });
            }
            max = max.max(z);
        }
        if max == f64::NEG_INFINITY {
            return Err(CoreError::AllMasked);
        }
        let y: Vec<f64> = logits.iter().map(|&z| (z - max) / temperature).collect();
        Ok(Self::from_scaled(y, temperature))
    }

    /// A distribution given by its probabilities (temperature 1). They must
    /// be non-negative and sum to 1 within [`PROB_SUM_TOLERANCE`]; they are
    /// renormalised exactly. Zeros become masked tokens.
    pub fn from_probs(probs: &[f64]) -> Result<Self, CoreError> {
        if probs.is_empty() {
            return Err(CoreError::Empty);
        }
        for (index, &p) in probs.iter().enumerate() {
            if p.is_nan() || p < 0.0 || p.is_infinite() {
                return Err(CoreError::NegativeProbability { index, value: p });
            }
        }
        let total = sum(probs.iter().copied());
        if total.is_nan() || (total - 1.0).abs() > PROB_SUM_TOLERANCE {
            return Err(CoreError::ProbabilitySum { sum: total });
        }
        let max = probs.iter().copied().fold(0.0, f64::max).ln();
        Ok(Self::from_scaled(
            probs.iter().map(|&p| p.ln() - max).collect(),
            1.0,
        ))
    }

    /// Builds from scaled logits y (= z / T up to a shift) that are finite or
    /// −∞ with at least one finite entry. Callers have validated them.
    pub(crate) fn from_scaled(mut y: Vec<f64>, temperature: f64) -> Self {
        // Shift so that the largest entry is exactly 0; keep its index.
        let (top, ymax) =
            y.iter()
                .copied()
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |acc, (i, v)| if v > acc.1 { (i, v) } else { acc },
                );
        if ymax != 0.0 {
            y.iter_mut().for_each(|v| *v -= ymax);
        }
        // lse = ln(1 + r), r = Σ_{j≠top} e^{y_j}: log1p keeps near-one-hot rows exact.
        let mut r = Neumaier::new();
        for (j, &v) in y.iter().enumerate() {
            if j != top {
                r.add(v.exp());
            }
        }
        let lse = r.value().ln_1p();
        let log_p: Vec<f64> = y.iter().map(|&v| v - lse).collect();
        let p: Vec<f64> = log_p.iter().map(|&l| l.exp()).collect();
        // ȳ = E_p[y]: every term is ≤ 0, so the sum does not cancel.
        let ybar = sum(p
            .iter()
            .zip(&y)
            .filter(|(&pj, _)| pj > 0.0)
            .map(|(&pj, &yj)| pj * yj));
        // H = lse − ȳ: a sum of two non-negative numbers.
        let entropy = (lse - ybar).max(0.0);
        let c: Vec<f64> = y.iter().map(|&v| v - ybar).collect();
        let mean_disc = doubly_centred_mean_disc(&p, &c);
        Self {
            temperature,
            p,
            log_p,
            c,
            entropy,
            mean_disc,
        }
    }

    pub fn len(&self) -> usize {
        self.p.len()
    }

    pub fn is_empty(&self) -> bool {
        self.p.is_empty()
    }

    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// H in nats.
    pub fn entropy(&self) -> f64 {
        self.entropy
    }

    /// S̄ = Σ p_j S_j = Cov_p(p, ln p) ≥ 0.
    pub fn mean_discriminator(&self) -> f64 {
        self.mean_disc
    }

    pub fn probs(&self) -> &[f64] {
        &self.p
    }

    pub fn log_probs(&self) -> &[f64] {
        &self.log_p
    }

    /// c_j = H + ln p_j (−∞ for masked tokens).
    pub fn centred_log_probs(&self) -> &[f64] {
        &self.c
    }

    /// S_j = p_j (H + ln p_j); 0 for masked tokens.
    pub fn discriminator_at(&self, j: usize) -> f64 {
        if self.p[j] > 0.0 {
            self.p[j] * self.c[j]
        } else {
            0.0
        }
    }

    pub fn discriminator(&self) -> Vec<f64> {
        (0..self.len()).map(|j| self.discriminator_at(j)).collect()
    }

    /// c_k = S̄ − S_k: first-order ΔH per unit of η·A (at T = 1).
    pub fn sensitivity(&self, k: usize) -> Result<f64, CoreError> {
        self.check_token(k)?;
        Ok(self.sensitivity_unchecked(k))
    }

    /// For a dominant token S̄ ≈ p_k S_k, and S̄ − S_k cancels by a factor
    /// 1/(1 − p_k); Σ_{j≠k} p_j (S_j − S_k) (equal, as Σ p = 1) does not.
    /// Only one token can have p_k > 1/2, so the O(V) form costs little.
    pub(crate) fn sensitivity_unchecked(&self, k: usize) -> f64 {
        let s_k = self.discriminator_at(k);
        if self.p[k] > 0.5 {
            sum((0..self.len())
                .filter(|&j| j != k && self.p[j] > 0.0)
                .map(|j| self.p[j] * (self.discriminator_at(j) - s_k)))
        } else {
            self.mean_disc - s_k
        }
    }

    /// e^−H: where the sign of a nudge's entropy change flips.
    pub fn flip_nudge(&self) -> f64 {
        (-self.entropy).exp()
    }

    /// p† = S̄ / W₀(S̄ e^H), written as exp(W₀(S̄ e^H) − H) so that S̄ → 0
    /// gives e^−H without 0/0.
    pub fn flip_policy_gradient(&self) -> f64 {
        flip_pg(self.entropy, self.mean_disc)
    }

    pub(crate) fn check_token(&self, k: usize) -> Result<(), CoreError> {
        if k < self.len() {
            Ok(())
        } else {
            Err(CoreError::TokenOutOfRange {
                token: k,
                vocab: self.len(),
            })
        }
    }
}

/// p† for given H and S̄ (see [`Distribution::flip_policy_gradient`]).
pub fn flip_pg(entropy: f64, mean_disc: f64) -> f64 {
    let x = mean_disc * entropy.exp();
    (lambert_w0(x) - entropy).exp()
}

pub(crate) fn check_temperature(t: f64) -> Result<(), CoreError> {
    if t.is_finite() && t > 0.0 {
        Ok(())
    } else {
        Err(CoreError::Temperature { value: t })
    }
}

/// S̄ = Σ p_j (p_j − Σp²)(c_j): both factors centred, so that rounding on a
/// near-uniform row cannot push the covariance below zero the way the direct
/// Σ p_j² c_j does.
fn doubly_centred_mean_disc(p: &[f64], c: &[f64]) -> f64 {
    let p2 = sum(p.iter().map(|&x| x * x));
    let s = sum(p
        .iter()
        .zip(c)
        .filter(|(&pj, _)| pj > 0.0)
        .map(|(&pj, &cj)| pj * (pj - p2) * cj));
    s.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_closed_form() {
        let d = Distribution::from_logits(&[0.3; 7], 1.0).unwrap();
        assert!((d.entropy() - 7f64.ln()).abs() < 1e-15);
        assert_eq!(d.mean_discriminator(), 0.0);
        assert!(d.discriminator().iter().all(|&s| s == 0.0));
        assert!((d.flip_policy_gradient() - 1.0 / 7.0).abs() < 1e-16);
    }

    #[test]
    fn single_token_and_masks() {
        let d =
            Distribution::from_logits(&[f64::NEG_INFINITY, 4.0, f64::NEG_INFINITY], 0.5).unwrap();
        assert_eq!(d.entropy(), 0.0);
        assert_eq!(d.probs(), &[0.0, 1.0, 0.0]);
        assert_eq!(d.discriminator(), vec![0.0, 0.0, 0.0]);
        assert_eq!(d.flip_nudge(), 1.0);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert_eq!(
            Distribution::from_logits(&[], 1.0).unwrap_err(),
            CoreError::Empty
        );
        assert_eq!(
            Distribution::from_logits(&[0.0, f64::NAN], 1.0).unwrap_err(),
            CoreError::NotANumber { index: 1 }
        );
        assert_eq!(
            Distribution::from_logits(&[f64::INFINITY], 1.0).unwrap_err(),
            CoreError::PositiveInfinity { index: 0 }
        );
        assert_eq!(
            Distribution::from_logits(&[f64::NEG_INFINITY; 3], 1.0).unwrap_err(),
            CoreError::AllMasked
        );
        assert!(matches!(
            Distribution::from_logits(&[1.0], 0.0).unwrap_err(),
            CoreError::Temperature { .. }
        ));
        assert!(matches!(
            Distribution::from_logits(&[1.0], f64::NAN).unwrap_err(),
            CoreError::Temperature { .. }
        ));
        assert!(matches!(
            Distribution::from_probs(&[0.5, -0.1, 0.6]).unwrap_err(),
            CoreError::NegativeProbability { index: 1, .. }
        ));
        assert!(matches!(
            Distribution::from_probs(&[0.5, 0.4]).unwrap_err(),
            CoreError::ProbabilitySum { .. }
        ));
        assert!(matches!(
            Distribution::from_probs(&[0.5, f64::NAN]).unwrap_err(),
            CoreError::NegativeProbability { .. }
        ));
        let d = Distribution::from_probs(&[0.25, 0.75]).unwrap();
        assert!(matches!(
            d.sensitivity(2).unwrap_err(),
            CoreError::TokenOutOfRange { token: 2, vocab: 2 }
        ));
    }
}
