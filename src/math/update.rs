//! The two updates of docs/math.md, applied to the raw logits z:
//! - nudge: z_k ← z_k + ε;
//! - policy-gradient step: z ← z + η A (e_k − p).
//!
//! `step` is ε for a nudge and η·A for a policy-gradient step. In the scaled
//! logits y = z / T the update is δ = Δz / T, which is where the 1/T factor of
//! the first-order changes comes from.

use super::dist::Distribution;
use super::error::CoreError;
use super::sum::{sum, Neumaier};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateKind {
    Nudge,
    PolicyGradient,
}

impl UpdateKind {
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        match s {
            "nudge" => Ok(UpdateKind::Nudge),
            "pg" => Ok(UpdateKind::PolicyGradient),
            other => Err(CoreError::UnknownKind {
                kind: other.to_string(),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UpdateKind::Nudge => "nudge",
            UpdateKind::PolicyGradient => "pg",
        }
    }
}

fn check_step(step: f64) -> Result<(), CoreError> {
    if step.is_finite() {
        Ok(())
    } else {
        Err(CoreError::Step { value: step })
    }
}

impl Distribution {
    /// First-order entropy change: −ε S_k / T (nudge), η A (S̄ − S_k) / T (PG).
    pub fn first_order(&self, k: usize, kind: UpdateKind, step: f64) -> Result<f64, CoreError> {
        self.check_token(k)?;
        check_step(step)?;
        Ok(self.first_order_unchecked(k, kind, step))
    }

    pub(crate) fn first_order_unchecked(&self, k: usize, kind: UpdateKind, step: f64) -> f64 {
        let s_k = self.discriminator_at(k);
        let scale = step / self.temperature();
        match kind {
            UpdateKind::Nudge => -scale * s_k,
            UpdateKind::PolicyGradient => scale * self.sensitivity_unchecked(k),
        }
    }

    /// The exact entropy change H(after) − H(before) of really applying the
    /// update, computed without subtracting the two entropies.
    pub fn exact(&self, k: usize, kind: UpdateKind, step: f64) -> Result<f64, CoreError> {
        self.check_token(k)?;
        check_step(step)?;
        Ok(self.exact_unchecked(k, kind, step))
    }

    pub(crate) fn exact_unchecked(&self, k: usize, kind: UpdateKind, step: f64) -> f64 {
        let scale = step / self.temperature();
        let (r, rest_k) = reference_and_rest(self.probs(), k);
        exact_delta_of(
            self.probs(),
            self.log_probs(),
            self.centred_log_probs(),
            self.entropy(),
            (k, r, rest_k),
            kind,
            scale,
        )
    }
}

/// The logits after really applying the update (the page's "take the step").
pub fn apply_update(
    logits: &[f64],
    probs: &[f64],
    k: usize,
    kind: UpdateKind,
    step: f64,
) -> Vec<f64> {
    match kind {
        UpdateKind::Nudge => logits
            .iter()
            .enumerate()
            .map(|(j, &z)| if j == k { z + step } else { z })
            .collect(),
        UpdateKind::PolicyGradient => logits
            .iter()
            .zip(probs)
            .enumerate()
            .map(|(j, (&z, &pj))| z + step * (if j == k { 1.0 } else { 0.0 } - pj))
            .collect(),
    }
}

/// Exact ΔH of an update on token k for a distribution given by its
/// probabilities, log-probabilities, centred log-probabilities c = H + ln p
/// and entropy; `scale` is the step divided by the temperature.
///
/// The increments are taken relative to the most likely token r: only the
/// differences δ_j − δ_r enter, and they are formed without 1 − p_k (which
/// has no digits left when p_k ≈ 1; Σ_{i≠k} p_i has them all).
/// `(k, r, rest_k)`: the updated token, the most likely token (the first of
/// ties) and Σ_{j≠k} p_j, as [`reference_and_rest`] gives them; callers
/// that already loop over the tokens (the exact curve) form them there.
pub(crate) fn exact_delta_of(
    p: &[f64],
    log_p: &[f64],
    c: &[f64],
    entropy: f64,
    (k, r, rest_k): (usize, usize, f64),
    kind: UpdateKind,
    scale: f64,
) -> f64 {
    let diff = |j: usize| -> f64 {
        if j == r {
            return 0.0;
        }
        match kind {
            // δ = ε e_k
            UpdateKind::Nudge => {
                scale * (f64::from(u8::from(j == k)) - f64::from(u8::from(r == k)))
            }
            // δ_j = s (δ_jk − p_j)
            UpdateKind::PolicyGradient => {
                if r == k {
                    -scale * (rest_k + p[j]) // s (−p_j − (1 − p_k))
                } else if j == k {
                    scale * (rest_k + p[r]) // s (1 − p_k + p_r)
                } else {
                    scale * (p[r] - p[j])
                }
            }
        }
    };
    exact_delta(p, log_p, c, entropy, r, diff)
}

/// The most likely token (the first of ties) and Σ_{j≠k} p_j (compensated).
pub(crate) fn reference_and_rest(p: &[f64], k: usize) -> (usize, f64) {
    let r = (0..p.len()).fold(0, |best, j| if p[j] > p[best] { j } else { best });
    let rest_k = sum(p
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != k)
        .map(|(_, &x)| x));
    (r, rest_k)
}

/// ΔH for scaled-logit increments given as differences δ_j − δ_r from a
/// reference token r (the most likely one), through the identity
///   ΔH = −KL(p′‖p) − E_p′[H + ln p] = −Σ p_j φ(d_j) − Σ (p′_j − p_j) c_j,
/// with d_j = ln p′_j − ln p_j and φ(d) = d e^d − e^d + 1 ≥ 0. Neither sum
/// suffers the cancellation that makes H′ − H useless when the change is tiny
/// next to H; φ and p′ − p are evaluated by series/expm1 for small d and
/// through p′ = exp(ln p + d) (which cannot overflow) for large d.
///
/// The two sums can still cancel each other when a large step hands the mass
/// from one dominant token to another (both are then large and ΔH is not);
/// there H′ − H is the better-conditioned form, and it is used instead.
pub(crate) fn exact_delta(
    p: &[f64],
    log_p: &[f64],
    c: &[f64],
    entropy: f64,
    r: usize,
    diff: impl Fn(usize) -> f64,
) -> f64 {
    let live = || (0..p.len()).filter(|&j| p[j] > 0.0);

    // L = ln Σ p_j e^{δ_j − δ_r} = ln(1 + Σ_{j≠r} p_j (e^{δ_j − δ_r} − 1)),
    // so that ln p′_j − ln p_j = (δ_j − δ_r) − L, and d_r = −L exactly.
    let mut s = Neumaier::new();
    let mut overflow = false;
    for j in live().filter(|&j| j != r) {
        let dj = diff(j);
        if dj <= 1.0 {
            s.add(p[j] * expm1_fast(dj));
        } else {
            let a = log_p[j] + dj;
            overflow |= a > 700.0;
            s.add(a.exp() - p[j]);
        }
    }
    let s = s.value();
    let l = if overflow || s < -0.5 {
        // Far from 1: a shifted log-sum-exp is accurate and cannot overflow.
        let m = live()
            .map(|j| log_p[j] + diff(j))
            .fold(f64::NEG_INFINITY, f64::max);
        let mut acc = Neumaier::new();
        for j in live() {
            acc.add((log_p[j] + diff(j) - m).exp());
        }
        m + acc.value().ln()
    } else {
        s.ln_1p()
    };

    let mut kl = Neumaier::new();
    let mut lin = Neumaier::new();
    for j in live() {
        let dj = diff(j) - l;
        let (phi_term, dp) = if dj.abs() < 0.5 {
            (p[j] * phi_small(dj), p[j] * expm1_fast(dj))
        } else {
            let p_new = (log_p[j] + dj).exp();
            (p_new * (dj - 1.0) + p[j], p_new - p[j])
        };
        kl.add(phi_term);
        lin.add(dp * c[j]);
    }
    let (kl, lin) = (kl.value().max(0.0), lin.value());
    let delta = -kl - lin;
    // Rounding error here is ~eps (KL + |lin|); that of H′ − H is ~eps (H + H′).
    if kl + lin.abs() > 16.0 * delta.abs() {
        let y: Vec<f64> = (0..p.len())
            .map(|j| {
                if p[j] > 0.0 {
                    log_p[j] + diff(j)
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let after = Distribution::from_scaled(y, 1.0).entropy();
        if entropy + after < kl + lin.abs() {
            return after - entropy;
        }
    }
    delta
}

/// φ(d) = d e^d − e^d + 1 = Σ_{n≥2} (n−1) dⁿ/n!, for |d| < 0.5. The terms
/// fall at least 4× per order there, so the loop stops as soon as one no
/// longer changes the sum (after a handful of terms for the small d of a
/// small step; 26 terms bound it).
/// e^x − 1; below |x| = 1e-3 by its Taylor polynomial (the next term is
/// under 1e-18 relative), which is exact enough and much cheaper than
/// `exp_m1`. The tail tokens of a long row all land there.
#[inline]
fn expm1_fast(x: f64) -> f64 {
    if x.abs() < 1e-3 {
        x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0)))))
    } else {
        x.exp_m1()
    }
}

fn phi_small(d: f64) -> f64 {
    let mut term = d * d * 0.5; // d² / 2!
    let mut acc = term;
    for n in 3..=26 {
        term *= d / n as f64;
        let next = acc + (n - 1) as f64 * term;
        if next == acc {
            break;
        }
        acc = next;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_expm1_matches_the_library() {
        for &x in &[1e-300, -1e-9, 3e-6, -9.99e-4, 9.99e-4, 1e-3, -0.3, 2.0] {
            let (a, b) = (expm1_fast(x), f64::exp_m1(x));
            assert!(((a - b) / b).abs() < 4e-16, "x={x}: {a} vs {b}");
        }
    }

    #[test]
    fn phi_series_matches_direct_formula_where_that_is_accurate() {
        for &d in &[0.49f64, -0.49, 0.3, -0.2] {
            let direct = d * d.exp() - d.exp() + 1.0;
            assert!(((phi_small(d) - direct) / direct).abs() < 1e-13, "d={d}");
        }
        // d²/2 + d³/3 + O(d⁴)
        assert!(((phi_small(1e-8) - (5e-17 + 1e-24 / 3.0)) / 5e-17).abs() < 1e-15);
    }

    #[test]
    fn unknown_kind_is_named() {
        let e = UpdateKind::parse("adam").unwrap_err();
        assert!(e.to_string().contains("\"adam\""));
    }

    #[test]
    fn exact_agrees_with_recomputation_for_large_steps() {
        let logits = [2.0, 1.0, 0.5, -1.0, -3.0];
        for &t in &[0.5, 1.0, 2.0] {
            let d = Distribution::from_logits(&logits, t).unwrap();
            for kind in [UpdateKind::Nudge, UpdateKind::PolicyGradient] {
                for k in 0..logits.len() {
                    for &step in &[-40.0, -3.0, 0.7, 5.0, 900.0] {
                        let after = apply_update(&logits, d.probs(), k, kind, step);
                        let h1 = Distribution::from_logits(&after, t).unwrap().entropy();
                        let want = h1 - d.entropy();
                        let got = d.exact(k, kind, step).unwrap();
                        assert!(
                            (got - want).abs() < 1e-12,
                            "t={t} {kind:?} k={k} step={step}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
