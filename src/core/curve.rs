//! "Entropy change against token probability" (SPEC §2, the curve).
//!
//! Two curves over q ∈ (0, 1):
//! - the first-order curve at fixed H and S̄, a closed form whose zeros are
//!   e^−H (nudge) and p† (policy gradient);
//! - the exact curve of a chosen token k: move p_k to q, rescale the other
//!   tokens by (1 − q)/(1 − p_k), apply the update for real, measure ΔH.
//!   Its zero is the true sign flip for that token, which can sit far from p†
//!   because moving p_k changes H and S̄ too.

use super::dist::Distribution;
use super::error::CoreError;
use super::sum::sum;
use super::update::UpdateKind;

/// Lowest and highest q the exact curve's zero search looks at.
pub const Q_MIN: f64 = 1e-12;
pub const Q_MAX: f64 = 1.0 - 1e-12;

fn logit(q: f64) -> f64 {
    q.ln() - (-q).ln_1p()
}

fn expit(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

impl Distribution {
    /// The probability where the first-order entropy change of `kind`
    /// changes sign: e^−H (nudge) or p† (policy gradient).
    pub fn flip(&self, kind: UpdateKind) -> f64 {
        match kind {
            UpdateKind::Nudge => self.flip_nudge(),
            UpdateKind::PolicyGradient => self.flip_policy_gradient(),
        }
    }

    /// First-order ΔH at fixed H and S̄ for a token of probability q:
    /// −(ε/T) q (H + ln q) or (ηA/T)(S̄ − q (H + ln q)).
    pub fn fixed_curve_at(&self, kind: UpdateKind, step: f64, q: f64) -> f64 {
        let scale = step / self.temperature();
        let s = if q > 0.0 {
            q * (self.entropy() + q.ln())
        } else {
            0.0
        };
        match kind {
            UpdateKind::Nudge => -scale * s,
            UpdateKind::PolicyGradient => scale * (self.mean_discriminator() - s),
        }
    }

    /// This distribution with p_k moved to q and the other tokens rescaled
    /// by (1 − q)/(1 − p_k), at the same temperature.
    pub fn rescaled(&self, k: usize, q: f64) -> Result<Distribution, CoreError> {
        self.check_token(k)?;
        if !(q > 0.0 && q < 1.0) {
            return Err(CoreError::Curve {
                reason: "The probability q must lie strictly between 0 and 1.",
            });
        }
        let p = self.probs();
        // ln(1 − p_k) as the log of the other tokens' mass: exact even when p_k ≈ 1.
        let rest = sum(p
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != k)
            .map(|(_, &x)| x));
        if rest <= 0.0 {
            return Err(CoreError::Curve {
                reason: "The chosen token holds all the probability, so there is no other token to rescale.",
            });
        }
        let shift = (-q).ln_1p() - rest.ln();
        let y: Vec<f64> = self
            .log_probs()
            .iter()
            .enumerate()
            .map(|(j, &l)| if j == k { q.ln() } else { l + shift })
            .collect();
        Ok(Distribution::from_scaled(y, self.temperature()))
    }

    /// Exact ΔH of the update on token k after moving p_k to q.
    pub fn exact_at_prob(
        &self,
        k: usize,
        kind: UpdateKind,
        step: f64,
        q: f64,
    ) -> Result<f64, CoreError> {
        Ok(self.rescaled(k, q)?.exact_unchecked(k, kind, step))
    }

    /// The exact curve sampled at each q of `qs`.
    pub fn exact_curve(
        &self,
        k: usize,
        kind: UpdateKind,
        step: f64,
        qs: &[f64],
    ) -> Result<Vec<f64>, CoreError> {
        qs.iter()
            .map(|&q| self.exact_at_prob(k, kind, step, q))
            .collect()
    }

    /// Every q in [Q_MIN, Q_MAX] where the exact curve of token k crosses
    /// zero, found by a scan in logit(q) and bisection to full precision.
    pub fn exact_zeros(
        &self,
        k: usize,
        kind: UpdateKind,
        step: f64,
    ) -> Result<Vec<f64>, CoreError> {
        self.check_token(k)?;
        if step == 0.0 {
            return Ok(Vec::new()); // the curve is identically zero
        }
        const SCAN: usize = 240;
        let (u0, u1) = (logit(Q_MIN), logit(Q_MAX));
        let f = |u: f64| self.exact_at_prob(k, kind, step, expit(u));
        let mut zeros = Vec::new();
        let mut prev_u = u0;
        let mut prev_f = f(u0)?;
        for i in 1..=SCAN {
            let u = u0 + (u1 - u0) * i as f64 / SCAN as f64;
            let fu = f(u)?;
            if prev_f == 0.0 {
                zeros.push(expit(prev_u));
            } else if fu != 0.0 && (prev_f < 0.0) != (fu < 0.0) {
                let (mut a, mut b, fa) = (prev_u, u, prev_f);
                for _ in 0..80 {
                    let m = 0.5 * (a + b);
                    if m == a || m == b {
                        break;
                    }
                    let fm = f(m)?;
                    if fm == 0.0 {
                        a = m;
                        b = m;
                        break;
                    }
                    if (fm < 0.0) == (fa < 0.0) {
                        a = m;
                    } else {
                        b = m;
                    }
                }
                zeros.push(expit(0.5 * (a + b)));
            }
            prev_u = u;
            prev_f = fu;
        }
        Ok(zeros)
    }

    /// The zero of the exact curve nearest (in log q) to the first-order flip
    /// of `kind`, if there is one.
    pub fn exact_flip(
        &self,
        k: usize,
        kind: UpdateKind,
        step: f64,
    ) -> Result<Option<f64>, CoreError> {
        let target = self.flip(kind).ln();
        Ok(self
            .exact_zeros(k, kind, step)?
            .into_iter()
            .min_by(|a, b| (a.ln() - target).abs().total_cmp(&(b.ln() - target).abs())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_curve_vanishes_at_the_flips() {
        let d = Distribution::from_logits(&[3.0, 1.0, 0.2, -0.5, -2.0], 1.3).unwrap();
        for kind in [UpdateKind::Nudge, UpdateKind::PolicyGradient] {
            let q = d.flip(kind);
            let y = d.fixed_curve_at(kind, 0.7, q);
            assert!(y.abs() < 1e-15, "{kind:?}: {y}");
            // Expanding below the flip, contracting above (positive step).
            assert!(d.fixed_curve_at(kind, 0.7, q * 0.5) > 0.0);
            assert!(d.fixed_curve_at(kind, 0.7, (q * 1.5).min(0.999)) < 0.0);
        }
    }

    #[test]
    fn rescaled_keeps_ratios_and_sets_q() {
        let d = Distribution::from_logits(&[2.0, 1.0, 0.0], 1.0).unwrap();
        let r = d.rescaled(1, 0.6).unwrap();
        let (p, rp) = (d.probs(), r.probs());
        assert!((rp[1] - 0.6).abs() < 1e-15);
        assert!((rp[0] / rp[2] - p[0] / p[2]).abs() < 1e-13);
        assert!(d.rescaled(0, 1.0).is_err());
        let one_hot = Distribution::from_logits(&[0.0, f64::NEG_INFINITY], 1.0).unwrap();
        assert!(one_hot.rescaled(0, 0.5).is_err());
    }
}
