//! Predicted against realised entropy change on the same context, per token
//! (docs/trace-format.md, "Same-context change"): for the kept tokens of a
//! trace with `entropy_after`, the prediction (the PG polarity A (S̄ − S_k)
//! where the token has S̄, else the token term −A·S_k) against
//! ΔH = entropy_after − entropy, overall and per step.
//!
//! The points are the counted tokens of the kept *whole* samples (a uniform
//! sample of samples per step, see [`super::step`]); the extremes kept for
//! the token strip are left out, since they were chosen by their token term
//! and would bias every statistic. A step with no more samples than the
//! reader keeps is therefore complete.

use super::stats::correlation;
use super::step::KeptToken;
use super::token::token_values;

/// Statistics of one set of (predicted, ΔH) points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SameStats {
    /// Over the points where both values are finite; NaN with fewer than 2
    /// points or a constant series.
    pub pearson: f64,
    pub spearman: f64,
    /// Share of the points with predicted ≠ 0 and ΔH ≠ 0 whose signs agree
    /// (NaN when there is none); 0.5 is what a coin would score.
    pub agreement: f64,
    /// Points in the correlations.
    pub n: usize,
    /// Points in the agreement.
    pub n_signed: usize,
}

/// The prediction a kept token is plotted at: its PG polarity where it has
/// S̄, else its token term (NaN without entropy or advantage).
pub fn predicted(t: &KeptToken) -> f64 {
    let v = token_values(t.logprob, t.entropy, t.advantage, t.mean_disc);
    if v.polarity.is_finite() {
        v.polarity
    } else {
        v.token_term
    }
}

/// ΔH on the same context (NaN when either entropy is missing).
pub fn dh_same(t: &KeptToken) -> f64 {
    t.entropy_after - t.entropy
}

pub fn stats(x: &[f64], y: &[f64]) -> SameStats {
    let c = correlation(x, y);
    let (mut hit, mut n_signed) = (0usize, 0usize);
    for (&a, &b) in x.iter().zip(y) {
        if a.is_finite() && b.is_finite() && a != 0.0 && b != 0.0 {
            n_signed += 1;
            hit += ((a > 0.0) == (b > 0.0)) as usize;
        }
    }
    SameStats {
        pearson: c.pearson,
        spearman: c.spearman,
        agreement: if n_signed > 0 {
            hit as f64 / n_signed as f64
        } else {
            f64::NAN
        },
        n: c.n,
        n_signed,
    }
}

/// The statistics over all points, and per step (ascending, steps with no
/// point left out).
#[derive(Clone, Debug, PartialEq)]
pub struct SameContext {
    pub overall: SameStats,
    pub steps: Vec<(i64, SameStats)>,
}

/// Whether a kept token is a point of the scatter.
pub fn is_point(t: &KeptToken) -> bool {
    t.whole && t.counted && predicted(t).is_finite() && dh_same(t).is_finite()
}

pub fn same_context(detail: &[KeptToken]) -> SameContext {
    let points: Vec<(i64, f64, f64)> = detail
        .iter()
        .filter(|t| is_point(t))
        .map(|t| (t.step, predicted(t), dh_same(t)))
        .collect();
    let xs: Vec<f64> = points.iter().map(|p| p.1).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.2).collect();
    // The detail comes step by step, so a step's points are one run.
    let per_step = points
        .chunk_by(|a, b| a.0 == b.0)
        .map(|run| {
            let (x, y): (Vec<f64>, Vec<f64>) = run.iter().map(|p| (p.1, p.2)).unzip();
            (run[0].0, stats(&x, &y))
        })
        .collect();
    SameContext {
        overall: stats(&xs, &ys),
        steps: per_step,
    }
}
