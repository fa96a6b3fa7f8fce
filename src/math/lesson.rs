//! The lesson's own arithmetic, kept here so that its page holds none
//! (docs/lesson.md): each token's share of the expected entropy change of a
//! sampled policy-gradient step. (Its bars of a long distribution are in
//! `bars`.)

use super::dist::Distribution;
use super::error::CoreError;
use super::update::UpdateKind;

/// Each token's share of E_{k~p}[ΔH] for a policy-gradient step with
/// advantage A_k on the sampled token k (to first order).
#[derive(Clone, Debug, PartialEq)]
pub struct Shares {
    /// p_k ΔH_k, with ΔH_k = (η A_k / T)(S̄ − S_k) the first-order change of
    /// a step on token k (0 for a masked token).
    pub contributions: Vec<f64>,
    /// Σ_k p_k ΔH_k = −(η/T) Cov_p(A, S) (`Distribution::expected_change`).
    pub total: f64,
    /// Cov_p(A, S) (`Distribution::advantage_covariance`).
    pub covariance: f64,
}

impl Distribution {
    /// The shares of a step of size `step` (η) with per-token `advantages`.
    pub fn shares(&self, advantages: &[f64], step: f64) -> Result<Shares, CoreError> {
        let total = self.expected_change(advantages, step)?; // checks both
        let p = self.probs();
        let contributions: Vec<f64> = p
            .iter()
            .enumerate()
            .map(|(k, &pk)| {
                if pk > 0.0 {
                    pk * self.first_order_unchecked(
                        k,
                        UpdateKind::PolicyGradient,
                        step * advantages[k],
                    )
                } else {
                    0.0
                }
            })
            .collect();
        let covariance = self.advantage_covariance(advantages)?;
        Ok(Shares {
            contributions,
            total,
            covariance,
        })
    }
}
