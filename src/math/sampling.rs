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
//! - [`Distribution::expected_group_change`]: the exact expectation of that
//!   step's first-order ΔH for a group of G (the group's normalisation makes
//!   it differ from the population's −(η/T) Cov_p(A, S) at small G).

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
        let cov = self.advantage_covariance(advantages)?;
        if !step.is_finite() {
            return Err(CoreError::Step { value: step });
        }
        Ok(-(step / self.temperature()) * cov)
    }

    /// Cov_p(A, S) = Σ_k p_k (A_k − Ā)(S_k − S̄), one advantage per token
    /// (see [`Self::expected_change`] for why it is summed centred).
    pub fn advantage_covariance(&self, advantages: &[f64]) -> Result<f64, CoreError> {
        check_per_token(advantages, self.len(), "advantages")?;
        let p = self.probs();
        let a_bar = sum(p.iter().zip(advantages).map(|(&pk, &a)| pk * a));
        let s_bar = self.mean_discriminator();
        Ok(sum(p.iter().enumerate().filter(|(_, &pk)| pk > 0.0).map(
            |(k, &pk)| pk * (advantages[k] - a_bar) * (self.discriminator_at(k) - s_bar),
        )))
    }
}

/// Most multisets of reward values `expected_group_change` sums over (about
/// 0.1 s natively): two distinct rewards (the explorer's 0/1) at any group
/// size, three up to G ≈ 1400.
pub const MAX_GROUP_TERMS: usize = 1 << 20;

impl Distribution {
    /// E[ΔH] to first order of [`sampled_step`], exactly, for a group of G:
    /// (η/T) E[A_1 (S̄ − S_{k_1})] (the G draws are exchangeable and the
    /// group's advantages sum to 0, so E[(1/G) Σ_i A_i (S̄ − S_{k_i})] is that
    /// of draw 1). Given draw 1's reward v, A_1 depends only on how many of
    /// the other G − 1 draws carry each reward value u: multinomial counts
    /// with probabilities π_u = Σ_{r_k = u} p_k. So
    ///
    ///   E[ΔH] = (η/T) Σ_v D_v E_n[a(v, n)],   D_v = Σ_{r_k = v} p_k (S̄ − S_k),
    ///
    /// summed over every multiset n of the other draws' rewards
    /// (C(G − 2 + m, m − 1) of them for m distinct rewards; an error above
    /// MAX_GROUP_TERMS). docs/math.md, "A sampled (GRPO-style) step".
    pub fn expected_group_change(
        &self,
        rewards: &[f64],
        group: usize,
        step: f64,
    ) -> Result<f64, CoreError> {
        check_per_token(rewards, self.len(), "rewards")?;
        if !step.is_finite() {
            return Err(CoreError::Step { value: step });
        }
        if group == 0 || group > MAX_GROUP {
            return Err(CoreError::Group { value: group });
        }
        // The distinct rewards of the tokens that can be drawn, their mass and D_v.
        let p = self.probs();
        let s_bar = self.mean_discriminator();
        let mut values: Vec<(f64, f64, f64)> = Vec::new(); // (v, π_v, D_v)
        for (k, &pk) in p.iter().enumerate().filter(|(_, &pk)| pk > 0.0) {
            let d = pk * (s_bar - self.discriminator_at(k));
            match values.iter_mut().find(|e| e.0 == rewards[k]) {
                Some(e) => {
                    e.1 += pk;
                    e.2 += d;
                }
                None => values.push((rewards[k], pk, d)),
            }
        }
        let m = values.len();
        if m < 2 || group == 1 {
            // Every group's rewards are equal: every advantage is 0.
            return Ok(0.0);
        }
        let others = group - 1;
        if multisets(others, m) > MAX_GROUP_TERMS as f64 {
            return Err(CoreError::GroupTerms {
                distinct: m,
                group,
                max: MAX_GROUP_TERMS,
            });
        }
        // ln n! for n ≤ G − 1, and ln π_u.
        let mut ln_fact = vec![0.0; others + 1];
        for n in 1..=others {
            ln_fact[n] = ln_fact[n - 1] + (n as f64).ln();
        }
        let ln_pi: Vec<f64> = values.iter().map(|e| e.1.ln()).collect();
        let g = group as f64;
        let mut counts = vec![0usize; m];
        let mut terms: Vec<f64> = Vec::new();
        // Every composition of `others` into m counts, in lexicographic order.
        counts[m - 1] = others;
        loop {
            let ln_prob = ln_fact[others]
                + counts
                    .iter()
                    .zip(&ln_pi)
                    .map(|(&n, &l)| {
                        if n == 0 {
                            0.0
                        } else {
                            n as f64 * l - ln_fact[n]
                        }
                    })
                    .sum::<f64>();
            let prob = ln_prob.exp();
            let others_sum = sum(counts.iter().zip(&values).map(|(&n, e)| n as f64 * e.0));
            for &(v, _, d) in &values {
                let mean = (v + others_sum) / g;
                let var = ((v - mean) * (v - mean)
                    + sum(counts
                        .iter()
                        .zip(&values)
                        .map(|(&n, e)| n as f64 * (e.0 - mean) * (e.0 - mean))))
                    / g;
                // One reward value in the whole group: its advantages are all 0.
                let alone = counts.iter().zip(&values).all(|(&n, e)| n == 0 || e.0 == v);
                if !alone && var > 0.0 {
                    terms.push(prob * d * (v - mean) / var.sqrt());
                }
            }
            if !next_composition(&mut counts) {
                break;
            }
        }
        Ok(step / self.temperature() * sum(terms))
    }
}

/// How many multisets of n draws over m values: C(n + m − 1, m − 1), as a float.
fn multisets(n: usize, m: usize) -> f64 {
    (1..m).fold(1.0, |acc, i| acc * (n + i) as f64 / i as f64)
}

/// The next composition of the same total (counts summing to n), or false
/// after the last: moves one unit from the last non-zero count but the
/// first to its left neighbour, and the rest of the tail to the end.
fn next_composition(c: &mut [usize]) -> bool {
    let m = c.len();
    // The rightmost position i ≥ 1 with c[i] > 0.
    let Some(i) = (1..m).rev().find(|&i| c[i] > 0) else {
        return false;
    };
    let tail = c[i];
    c[i] = 0;
    c[i - 1] += 1;
    c[m - 1] = tail - 1;
    true
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
pub(crate) fn draw(p: &[f64], rng: &mut Rng) -> usize {
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
