//! Long distributions as a few bars, kept here so that the pages hold no
//! arithmetic: the likeliest tokens and one bar for the rest, given as
//! probabilities (the lesson's bars), a row's values folded into bars chosen
//! already (the explorer's opened row), and the logits of a long policy cut
//! to what the explorer holds (the control lab's "open in the explorer").
//! `explorer::top_bars` is the same choice on logits.

use super::error::CoreError;
use super::explorer::top_bars;
use super::sum::sum;

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
    // Tokens with p = 0 are never among the bars: they go to the rest too.
    let rest = p.len() - bars.index.iter().flatten().count();
    let mut index: Vec<Option<usize>> = bars.index.iter().copied().flatten().map(Some).collect();
    if rest > 0 {
        index.push(None);
    }
    Ok(ProbBars {
        probs: fold_bars(p, &index),
        after: after.map(|a| fold_bars(a, &index)),
        token: token.and_then(|k| index.iter().position(|&j| j == Some(k))),
        index,
        rest,
    })
}

/// `values` (one per token) as bars: each bar's token's value, and for the
/// bar of the rest (`None`) the total of the tokens no bar names.
/// Indices at or past `values.len()` count as no token.
pub fn fold_bars(values: &[f64], index: &[Option<usize>]) -> Vec<f64> {
    let mut named = vec![false; values.len()];
    for &j in index.iter().flatten().filter(|&&j| j < values.len()) {
        named[j] = true;
    }
    let rest = sum(values
        .iter()
        .zip(&named)
        .filter(|(_, &n)| !n)
        .map(|(&v, _)| v));
    index
        .iter()
        .map(|i| i.map_or(rest, |j| values.get(j).copied().unwrap_or(f64::NAN)))
        .collect()
}

/// Logits (ln p, at least −700 so that a link can write them) of the
/// probabilities `p` cut to at most `max_tokens`: all of them when that is
/// all there is, else the `max_tokens − 1` likeliest (ties: the earlier
/// token), in token order, and last one token holding the rest.
pub fn explorer_logits(p: &[f64], max_tokens: usize) -> Vec<f64> {
    let log = |v: f64| v.ln().max(-700.0);
    if p.len() <= max_tokens {
        return p.iter().map(|&v| log(v)).collect();
    }
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
    let mut top: Vec<Option<usize>> = order[..max_tokens.max(2) - 1]
        .iter()
        .map(|&j| Some(j))
        .collect();
    top.sort_unstable();
    top.push(None);
    fold_bars(p, &top).into_iter().map(log).collect()
}
