//! Rewards on tokens and steps on sampled tokens (docs/math.md, "Sampling:
//! the expected change is a covariance").
//!
//! - [`Distribution::expected_change`]: the first-order ΔH of a
//!   policy-gradient step on a token k drawn from p with advantage A_k,
//!   averaged over k: −(η/T) Cov_p(A, S).
//! - [`reward_advantages`]: per-token advantages from per-token rewards,
//!   normalised under p (the many-samples limit of a group's normalisation).
//! - [`sampled_step`]: one GRPO-style step: draw G tokens from p, normalise
//!   their rewards within the group, z ← z + (η/G) Σ_i A_i (e_{k_i} − p).

use super::dist::Distribution;
use super::error::CoreError;
use super::simulate::Rng;
use super::sum::sum;

/// Largest group a sampled step draws (a page's control, not a limit of the math).
pub const MAX_GROUP: usize = 4096;

/// Checks that `values` (advantages or rewards) give one finite number per token.
fn check_per_token(values: &[f64], vocab: usize, what: &'static str) -> Result<(), CoreError> {
    if values.len() != vocab {
        return Err(CoreError::PerToken {
            what,
            given: values.len(),
            vocab,
            index: None,
        });
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(CoreError::PerToken {
            what,
            given: values.len(),
            vocab,
            index: Some(i),
        }),
        None => Ok(()),
    }
}

impl Distribution {
    /// E_{k~p}[ΔH] to first order for z ← z + η A_k (e_k − p):
    /// (η/T) Σ_k p_k A_k (S̄ − S_k) = −(η/T) Σ_k p_k (A_k − Ā)(S_k − S̄).
    ///
    /// Written as a covariance of centred values: a constant advantage gives
    /// A_k − Ā = A(1 − Σp) (a few ulps of A), not a difference of two large
    /// nearly equal sums. Masked tokens (p = 0) do not enter.
    pub fn expected_change(&self, advantages: &[f64], step: f64) -> Result<f64, CoreError> {
        check_per_token(advantages, self.len(), "advantages")?;
        if !step.is_finite() {
            return Err(CoreError::Step { value: step });
        }
        let p = self.probs();
        let a_bar = sum(p.iter().zip(advantages).map(|(&pk, &a)| pk * a));
        let s_bar = self.mean_discriminator();
        let cov = sum(p
            .iter()
            .enumerate()
            .filter(|(_, &pk)| pk > 0.0)
            .map(|(k, &pk)| pk * (advantages[k] - a_bar) * (self.discriminator_at(k) - s_bar)));
        Ok(-(step / self.temperature()) * cov)
    }
}

/// Advantages A_k = (r_k − r̄)/σ with r̄ and σ the mean and standard deviation
/// of the reward under p; all 0 when σ = 0 (every likely token rewarded
/// alike: nothing to prefer). Tokens with p = 0 get (r_k − r̄)/σ too.
pub fn reward_advantages(dist: &Distribution, rewards: &[f64]) -> Result<Vec<f64>, CoreError> {
    check_per_token(rewards, dist.len(), "rewards")?;
    let p = dist.probs();
    let mean = sum(p.iter().zip(rewards).map(|(&pk, &r)| pk * r));
    let var = sum(p
        .iter()
        .zip(rewards)
        .map(|(&pk, &r)| pk * (r - mean) * (r - mean)));
    Ok(normalised(rewards.iter().map(|&r| r - mean), var))
}

/// (x − mean)/σ for the centred values `centred`, or zeros when σ = 0.
fn normalised(centred: impl Iterator<Item = f64>, var: f64) -> Vec<f64> {
    let sd = var.sqrt();
    centred
        .map(|d| if sd > 0.0 { d / sd } else { 0.0 })
        .collect()
}

/// One sampled step: the tokens drawn, their group-normalised advantages, and
/// the logits after the step.
#[derive(Clone, Debug, PartialEq)]
pub struct SampledStep {
    pub tokens: Vec<usize>,
    pub advantages: Vec<f64>,
    pub logits: Vec<f64>,
}

/// Draws `group` tokens from p (inverse CDF on `rng`'s uniforms), gives each
/// draw the advantage A_i = (r_{k_i} − mean)/sd over the group (population
/// sd; all 0 when the group's rewards are equal), and applies
/// z ← z + (η/G) Σ_i A_i (e_{k_i} − p). `logits` must be the ones `dist` was
/// made from.
pub fn sampled_step(
    dist: &Distribution,
    logits: &[f64],
    rewards: &[f64],
    group: usize,
    step: f64,
    rng: &mut Rng,
) -> Result<SampledStep, CoreError> {
    check_per_token(rewards, dist.len(), "rewards")?;
    if logits.len() != dist.len() {
        return Err(CoreError::PerToken {
            what: "logits",
            given: logits.len(),
            vocab: dist.len(),
            index: None,
        });
    }
    if !step.is_finite() {
        return Err(CoreError::Step { value: step });
    }
    if group == 0 || group > MAX_GROUP {
        return Err(CoreError::Group { value: group });
    }
    let p = dist.probs();
    let tokens: Vec<usize> = (0..group).map(|_| draw(p, rng)).collect();
    let r: Vec<f64> = tokens.iter().map(|&k| rewards[k]).collect();
    let g = group as f64;
    let mean = sum(r.iter().copied()) / g;
    let var = sum(r.iter().map(|&x| (x - mean) * (x - mean))) / g;
    let advantages = normalised(r.iter().map(|&x| x - mean), var);
    // Σ_i A_i (e_{k_i} − p) = a − (Σ_i A_i) p, with a_j the advantages of the
    // draws of token j.
    let mut per_token = vec![0.0; p.len()];
    for (&k, &a) in tokens.iter().zip(&advantages) {
        per_token[k] += a;
    }
    let total = sum(advantages.iter().copied());
    let scale = step / g;
    let logits = logits
        .iter()
        .zip(p)
        .zip(&per_token)
        .map(|((&z, &pj), &aj)| {
            if z == f64::NEG_INFINITY {
                z
            } else {
                z + scale * (aj - total * pj)
            }
        })
        .collect();
    Ok(SampledStep {
        tokens,
        advantages,
        logits,
    })
}

/// One token drawn from p by inverse CDF; never a token with p = 0.
fn draw(p: &[f64], rng: &mut Rng) -> usize {
    let u = rng.uniform();
    let mut acc = 0.0;
    let mut last = 0;
    for (k, &pk) in p.iter().enumerate() {
        if pk > 0.0 {
            acc += pk;
            last = k;
            if u < acc {
                return k;
            }
        }
    }
    // u ≥ the rounded total (just below 1): the last possible token.
    last
}
