//! "Entropy change against token probability" (docs/math.md, "The curve").
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
use super::sum::{sum, Neumaier};
use super::update::{exact_delta_of, UpdateKind};

/// Lowest and highest q the exact curve's zero search looks at.
pub const Q_MIN: f64 = 1e-12;
pub const Q_MAX: f64 = 1.0 - 1e-12;
/// Grid points of the zero search in logit(q) over [Q_MIN, Q_MAX].
pub const DEFAULT_SCAN: usize = 160;

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

    /// ln(1 − p_k), taken as the log of the other tokens' summed mass so that
    /// it stays exact when p_k ≈ 1; an error when they hold nothing to rescale.
    fn ln_other_mass(&self, k: usize) -> Result<f64, CoreError> {
        let rest = sum(self
            .probs()
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != k)
            .map(|(_, &x)| x));
        if rest <= 0.0 {
            return Err(CoreError::Curve {
                reason: "The chosen token holds all the probability, so there is no other token to rescale.",
            });
        }
        Ok(rest.ln())
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
        let shift = (-q).ln_1p() - self.ln_other_mass(k)?;
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
        if !(q > 0.0 && q < 1.0) {
            return Err(CoreError::Curve {
                reason: "The probability q must lie strictly between 0 and 1.",
            });
        }
        if !step.is_finite() {
            return Err(CoreError::Step { value: step });
        }
        Ok(ExactCurve::new(self, k, kind, step)?.at(q))
    }

    /// The exact curve sampled at each q of `qs` (each in (0, 1)).
    pub fn exact_curve(
        &self,
        k: usize,
        kind: UpdateKind,
        step: f64,
        qs: &[f64],
    ) -> Result<Vec<f64>, CoreError> {
        if qs.iter().any(|&q| !(q > 0.0 && q < 1.0)) {
            return Err(CoreError::Curve {
                reason: "The probability q must lie strictly between 0 and 1.",
            });
        }
        if !step.is_finite() {
            return Err(CoreError::Step { value: step });
        }
        let mut curve = ExactCurve::new(self, k, kind, step)?;
        Ok(qs.iter().map(|&q| curve.at(q)).collect())
    }

    /// Every q in [Q_MIN, Q_MAX] where the exact curve of token k crosses
    /// zero: a scan of `scan` grid points (≥ 8; [`DEFAULT_SCAN`] unless rows
    /// are long, where each evaluation costs O(V)) in logit(q), then Illinois
    /// (regula falsi) refinement. Zeros closer together than the grid
    /// spacing can be missed.
    pub fn exact_zeros(
        &self,
        k: usize,
        kind: UpdateKind,
        step: f64,
        scan: usize,
    ) -> Result<Vec<f64>, CoreError> {
        self.check_token(k)?;
        if !step.is_finite() {
            return Err(CoreError::Step { value: step });
        }
        if step == 0.0 {
            return Ok(Vec::new()); // the curve is identically zero
        }
        let scan = scan.max(8);
        let mut curve = ExactCurve::new(self, k, kind, step)?;
        let mut f = |u: f64| curve.at(expit(u));
        let (u0, u1) = (logit(Q_MIN), logit(Q_MAX));
        let mut zeros = Vec::new();
        let (mut a, mut fa) = (u0, f(u0));
        for i in 1..=scan {
            let b = u0 + (u1 - u0) * i as f64 / scan as f64;
            let fb = f(b);
            if fa == 0.0 {
                zeros.push(expit(a));
            } else if fb != 0.0 && (fa < 0.0) != (fb < 0.0) {
                zeros.push(expit(illinois(&mut f, a, fa, b, fb)));
            }
            (a, fa) = (b, fb);
        }
        Ok(zeros)
    }

    /// The zero of the exact curve nearest (in log q) to the first-order flip
    /// of `kind`, if there is one, by a `scan`-point zero search
    /// ([`Self::exact_zeros`]).
    pub fn exact_flip(
        &self,
        k: usize,
        kind: UpdateKind,
        step: f64,
        scan: usize,
    ) -> Result<Option<f64>, CoreError> {
        let target = self.flip(kind).ln();
        Ok(self
            .exact_zeros(k, kind, step, scan)?
            .into_iter()
            .min_by(|a, b| (a.ln() - target).abs().total_cmp(&(b.ln() - target).abs())))
    }
}

/// Root of f in [a, b] (f(a), f(b) of opposite signs) by the Illinois
/// variant of regula falsi: superlinear, and never leaves the bracket.
fn illinois(
    f: &mut impl FnMut(f64) -> f64,
    mut a: f64,
    mut fa: f64,
    mut b: f64,
    mut fb: f64,
) -> f64 {
    for _ in 0..100 {
        let mut c = b - fb * (b - a) / (fb - fa);
        if !(c > a.min(b) && c < a.max(b)) {
            c = 0.5 * (a + b);
        }
        let fc = f(c);
        if fc == 0.0 {
            return c;
        }
        if (fc < 0.0) != (fb < 0.0) {
            (a, fa) = (b, fb);
        } else {
            fa *= 0.5;
        }
        (b, fb) = (c, fc);
        if (b - a).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0) {
            break;
        }
    }
    b
}

/// The exact curve of one token, evaluated without building a new
/// Distribution per q: the rescaled family has p′_k = q and
/// p′_j = p_j r, ln p′_j = ln p_j + ln r with r = (1 − q)/(1 − p_k), so no
/// new exponentials are needed before the update itself.
struct ExactCurve<'a> {
    d: &'a Distribution,
    k: usize,
    kind: UpdateKind,
    scale: f64,
    ln_rest: f64,
    p: Vec<f64>,
    log_p: Vec<f64>,
    c: Vec<f64>,
}

impl<'a> ExactCurve<'a> {
    fn new(d: &'a Distribution, k: usize, kind: UpdateKind, step: f64) -> Result<Self, CoreError> {
        d.check_token(k)?;
        let ln_rest = d.ln_other_mass(k)?;
        let n = d.len();
        Ok(Self {
            d,
            k,
            kind,
            scale: step / d.temperature(),
            ln_rest,
            p: vec![0.0; n],
            log_p: vec![f64::NEG_INFINITY; n],
            c: vec![f64::NEG_INFINITY; n],
        })
    }

    fn at(&mut self, q: f64) -> f64 {
        let ln_r = (-q).ln_1p() - self.ln_rest;
        let r = ln_r.exp();
        let (p0, lp0) = (self.d.probs(), self.d.log_probs());
        let mut h = Neumaier::new();
        // The reference token and Σ_{j≠k} p′_j of `exact_delta_of`, formed in
        // this pass rather than in two more.
        let (mut top, mut top_p, mut rest) = (0, -1.0, Neumaier::new());
        for j in 0..p0.len() {
            let (pj, lj) = if j == self.k {
                (q, q.ln())
            } else if p0[j] > 0.0 {
                (p0[j] * r, lp0[j] + ln_r)
            } else {
                (0.0, f64::NEG_INFINITY)
            };
            self.p[j] = pj;
            self.log_p[j] = lj;
            if pj > 0.0 {
                h.add(-pj * lj);
            }
            if pj > top_p {
                (top, top_p) = (j, pj);
            }
            if j != self.k {
                rest.add(pj);
            }
        }
        let entropy = h.value();
        for j in 0..p0.len() {
            self.c[j] = self.log_p[j] + entropy;
        }
        exact_delta_of(
            &self.p,
            &self.log_p,
            &self.c,
            entropy,
            (self.k, top, rest.value()),
            self.kind,
            self.scale,
        )
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
    fn fast_exact_curve_matches_rebuilding_the_distribution() {
        let d = Distribution::from_logits(&[3.0, 1.0, 0.2, f64::NEG_INFINITY, -2.0], 0.8).unwrap();
        for kind in [UpdateKind::Nudge, UpdateKind::PolicyGradient] {
            for &q in &[1e-9, 0.01, 0.3, 0.9, 1.0 - 1e-9] {
                let fast = d.exact_at_prob(2, kind, 0.4, q).unwrap();
                let slow = d.rescaled(2, q).unwrap().exact(2, kind, 0.4).unwrap();
                assert!(
                    (fast - slow).abs() <= 1e-13 * slow.abs().max(1e-3),
                    "{kind:?} q={q}: {fast} vs {slow}"
                );
            }
        }
    }

    #[test]
    fn zeros_are_roots() {
        let d = Distribution::from_logits(&[2.0, 1.0, 0.5, -1.0], 1.0).unwrap();
        for kind in [UpdateKind::Nudge, UpdateKind::PolicyGradient] {
            let zs = d.exact_zeros(0, kind, 0.1, DEFAULT_SCAN).unwrap();
            assert!(!zs.is_empty());
            for q in zs {
                let r = d.rescaled(0, q).unwrap();
                // A root to within a few ulps in logit(q): the value there is
                // tiny next to the curve's scale.
                let v = r.exact(0, kind, 0.1).unwrap();
                assert!(v.abs() < 1e-12, "{kind:?}: f({q}) = {v}");
            }
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
