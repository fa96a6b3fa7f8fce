//! The lesson's own arithmetic, kept here so that its page holds none
//! (docs/lesson.md): each token's share of the expected entropy change of a
//! sampled policy-gradient step, and the bars of a long distribution (its
//! likeliest tokens and one bar for the rest).

use super::dist::Distribution;
use super::error::CoreError;
use super::explorer::top_bars;
use super::sum::sum;
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
    /// Cov_p(A, S) = Σ_k p_k (A_k − Ā)(S_k − S̄), summed centred so that a
    /// constant advantage gives 0 to a few ulps, not a difference of sums.
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
        let a_bar = sum(p.iter().zip(advantages).map(|(&pk, &a)| pk * a));
        let s_bar = self.mean_discriminator();
        let covariance = sum(p
            .iter()
            .enumerate()
            .filter(|(_, &pk)| pk > 0.0)
            .map(|(k, &pk)| pk * (advantages[k] - a_bar) * (self.discriminator_at(k) - s_bar)));
        Ok(Shares {
            contributions,
            total,
            covariance,
        })
    }
}

/// The bars of a long distribution given as probabilities.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbBars {
    /// Index of each bar's token, most likely first; `None` for the bar of
    /// the rest (last, present when tokens were left out).
    pub index: Vec<Option<usize>>,
    /// Each bar's probability; the rest's is the total of the tokens it holds.
    pub probs: Vec<f64>,
    /// The same bars of a second distribution over the same tokens (the
    /// probabilities after an update), when one was given.
    pub after: Option<Vec<f64>>,
    /// How many tokens the rest holds (0: no bar for the rest).
    pub rest: usize,
    /// The bar of `token`, when one was given.
    pub token: Option<usize>,
}

/// At most `shown` bars for the probabilities `p` (and the same bars of
/// `after`): the `shown − 1` likeliest tokens, `token` replacing the last of
/// them when it is not among them, most likely first (ties in token order),
/// and one bar for the rest. The choice is `explorer::top_bars`' on ln p.
pub fn top_prob_bars(
    p: &[f64],
    after: Option<&[f64]>,
    token: Option<usize>,
    shown: usize,
) -> Result<ProbBars, CoreError> {
    for q in [Some(p), after].into_iter().flatten() {
        if let Some((index, &value)) = q
            .iter()
            .enumerate()
            .find(|(_, &v)| !(v.is_finite() && v >= 0.0))
        {
            return Err(CoreError::NegativeProbability { index, value });
        }
    }
    if let Some(a) = after.filter(|a| a.len() != p.len()) {
        return Err(CoreError::PerToken {
            what: "after",
            given: a.len(),
            vocab: p.len(),
            index: None,
        });
    }
    let logits: Vec<f64> = p.iter().map(|&v| v.ln()).collect();
    let bars = top_bars(&logits, token, shown)?;
    let mut kept = vec![false; p.len()];
    for &j in bars.index.iter().flatten() {
        kept[j] = true;
    }
    let rest = p.len() - kept.iter().filter(|&&k| k).count();
    let fold = |q: &[f64]| -> Vec<f64> {
        let mut out: Vec<f64> = bars.index.iter().flatten().map(|&j| q[j]).collect();
        if rest > 0 {
            out.push(sum(q
                .iter()
                .zip(&kept)
                .filter(|(_, &k)| !k)
                .map(|(&v, _)| v)));
        }
        out
    };
    let mut index: Vec<Option<usize>> = bars.index.iter().copied().flatten().map(Some).collect();
    if rest > 0 {
        index.push(None);
    }
    Ok(ProbBars {
        probs: fold(p),
        after: after.map(fold),
        token: token.and_then(|k| index.iter().position(|&j| j == Some(k))),
        index,
        rest,
    })
}
