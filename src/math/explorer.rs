//! The explorer's own arithmetic, kept here so that the page holds none:
//! the bars of a row opened from a slice (the most likely tokens and one
//! "rest" bucket, docs/math.md "Rows opened from a slice"), the logit that
//! gives a token a chosen probability (the bar editor's drag), and polarity.

use super::dist::Distribution;
use super::error::CoreError;
use super::sum::sum;

/// How many bars an opened row shows at most, the last being the "rest"
/// bucket when the row has more tokens: one under the editor's 64 tokens,
/// so that the toy copy of the bars can still gain a token.
pub const MAX_BARS: usize = 63;

/// The bars of an opened row.
#[derive(Clone, Debug, PartialEq)]
pub struct TopBars {
    /// Row index of each bar, most likely first; `None` for the bucket (last).
    pub index: Vec<Option<usize>>,
    /// The logit of each bar; the bucket's is the log-sum-exp of the rest,
    /// so its probability is exactly their total.
    pub logits: Vec<f64>,
    /// How many tokens the bucket holds (0: no bucket).
    pub rest: usize,
    /// The bar of the sampled token, when it is unmasked; else 0.
    pub token: usize,
}

/// ln Σ e^{v}, over any number of values, in two passes (max, then the
/// compensated sum of e^{v − max}); −∞ for no values or all −∞.
pub fn log_sum_exp(values: &[f64]) -> f64 {
    let m = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY || m.is_nan() {
        return m;
    }
    m + sum(values.iter().map(|&v| (v - m).exp())).ln()
}

/// The bars for a row of `logits` (−∞ masks a token; NaN and +∞ are errors,
/// as for a distribution): at most `shown` bars, which are the `shown` most
/// likely unmasked tokens when they are all there is, else the `shown − 1`
/// most likely (the sampled token replacing the last of them when it is not
/// among them) and one bucket for the rest. Ties keep row order.
pub fn top_bars(
    logits: &[f64],
    sampled: Option<usize>,
    shown: usize,
) -> Result<TopBars, CoreError> {
    for (index, &z) in logits.iter().enumerate() {
        if z.is_nan() {
            return Err(CoreError::NotANumber { index });
        }
        if z == f64::INFINITY {
            return Err(CoreError::PositiveInfinity { index });
        }
    }
    let shown = shown.clamp(2, MAX_BARS);
    let mut live: Vec<usize> = (0..logits.len())
        .filter(|&j| logits[j] > f64::NEG_INFINITY)
        .collect();
    if live.is_empty() {
        return Err(if logits.is_empty() {
            CoreError::Empty
        } else {
            CoreError::AllMasked
        });
    }
    // Most likely first, ties in row order: a total order, so the result
    // does not depend on the selection algorithm.
    let order = |&a: &usize, &b: &usize| logits[b].total_cmp(&logits[a]).then(a.cmp(&b));
    let wants = if live.len() > shown {
        shown - 1
    } else {
        live.len()
    };
    if wants < live.len() {
        live.select_nth_unstable_by(wants, order);
    }
    let (top, rest) = live.split_at_mut(wants);
    let sampled = sampled.filter(|&k| k < logits.len() && logits[k] > f64::NEG_INFINITY);
    if let Some(k) = sampled {
        if !top.contains(&k) {
            // Swap it in for the least likely of the top.
            top.sort_unstable_by(order);
            let at = rest
                .iter()
                .position(|&j| j == k)
                .expect("an unmasked token is in top or rest");
            std::mem::swap(&mut top[wants - 1], &mut rest[at]);
        }
    }
    top.sort_unstable_by(order);
    let mut index: Vec<Option<usize>> = top.iter().map(|&j| Some(j)).collect();
    let mut bar_logits: Vec<f64> = top.iter().map(|&j| logits[j]).collect();
    let rest_logits: Vec<f64> = rest.iter().map(|&j| logits[j]).collect();
    if !rest_logits.is_empty() {
        index.push(None);
        bar_logits.push(log_sum_exp(&rest_logits));
    }
    let token = sampled
        .and_then(|k| top.iter().position(|&j| j == k))
        .unwrap_or(0);
    Ok(TopBars {
        index,
        logits: bar_logits,
        rest: rest_logits.len(),
        token,
    })
}

/// The logit that gives token `j` probability `q` at temperature `t` while
/// every other logit stays (so the others keep their ratios):
/// z_j = T (ln q − ln(1 − q) + logsumexp_{i≠j}(z_i / T)). With no other
/// unmasked token, q cannot change: the logit stays.
pub fn logit_for_prob(logits: &[f64], j: usize, q: f64, t: f64) -> Result<f64, CoreError> {
    if j >= logits.len() {
        return Err(CoreError::TokenOutOfRange {
            token: j,
            vocab: logits.len(),
        });
    }
    if !(t.is_finite() && t > 0.0) {
        return Err(CoreError::Temperature { value: t });
    }
    if !(q > 0.0 && q < 1.0) {
        return Err(CoreError::NegativeProbability { index: j, value: q });
    }
    let others: Vec<f64> = logits
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != j)
        .map(|(_, &z)| z / t)
        .collect();
    let lse = log_sum_exp(&others);
    if lse == f64::NEG_INFINITY {
        return Ok(logits[j]);
    }
    Ok(t * (q.ln() - (-q).ln_1p() + lse))
}

impl Distribution {
    /// P_k = A (S̄ − S_k): > 0 widens the distribution, < 0 narrows it.
    pub fn polarity(&self, k: usize, advantage: f64) -> Result<f64, CoreError> {
        Ok(advantage * self.sensitivity(k)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sum_exp_has_no_length_limit_and_matches_a_direct_sum() {
        // 200,000 values: a spread call (Math.max(...v)) overflows the stack
        // in JavaScript from about 125k; this is one pass.
        let v: Vec<f64> = (0..200_000).map(|i| -((i % 1000) as f64) / 100.0).collect();
        // Σ over 200 copies of Σ_{k<1000} e^{−k/100}, a geometric series.
        let r: f64 = (-0.01f64).exp();
        let want = (200.0 * (1.0 - r.powi(1000)) / (1.0 - r)).ln();
        assert!((log_sum_exp(&v) - want).abs() < 1e-12 * want.abs());
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY; 3]), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[1000.0, 1000.0]), 1000.0 + 2f64.ln());
    }
}
