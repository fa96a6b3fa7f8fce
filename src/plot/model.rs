//! Everything the chart shows, computed up front and in data coordinates, so
//! that drawing is a pure function of this struct.

use crate::math::{CoreError, Distribution, UpdateKind};

/// What to draw.
#[derive(Clone, Copy, Debug)]
pub struct CurveOptions {
    pub token: usize,
    pub kind: UpdateKind,
    /// ε (nudge) or η·A (policy gradient).
    pub step: f64,
    /// Logarithmic probability axis.
    pub log_x: bool,
    /// Samples per curve.
    pub samples: usize,
}

#[derive(Clone, Debug)]
pub struct CurveModel {
    pub kind: UpdateKind,
    pub log_x: bool,
    /// Probability range on the x axis.
    pub q_min: f64,
    pub q_max: f64,
    /// (q, first-order ΔH at fixed H and S̄).
    pub first_order: Vec<(f64, f64)>,
    /// (q, exact ΔH) for the chosen token; empty when it cannot be formed.
    pub exact: Vec<(f64, f64)>,
    /// (p_j, first-order ΔH_j) for every unmasked token.
    pub tokens: Vec<(f64, f64)>,
    /// Index into `tokens` of the chosen token, if unmasked.
    pub chosen: Option<usize>,
    pub flip_nudge: f64,
    pub flip_pg: f64,
    /// Zero of the exact curve nearest to the first-order flip.
    pub exact_flip: Option<f64>,
    /// True when probabilities below the flip expand entropy (step ≥ 0).
    pub expanding_below: bool,
}

/// Most dots a chart draws; beyond this a long row shows its most likely
/// tokens and an even sample of the rest by rank.
pub const MAX_DOTS: usize = 1500;

/// The tokens drawn as dots: every unmasked token of a short row; for a long
/// row the top 1,000 by probability, then every k-th by rank, and always the
/// chosen token.
fn dots(p: &[f64], chosen: usize) -> Vec<usize> {
    let mut live: Vec<usize> = (0..p.len()).filter(|&j| p[j] > 0.0).collect();
    if live.len() <= MAX_DOTS {
        return live;
    }
    live.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let top = MAX_DOTS * 2 / 3;
    let stride = (live.len() - top).div_ceil(MAX_DOTS - top);
    let mut out: Vec<usize> = live[..top].to_vec();
    out.extend(live[top..].iter().step_by(stride));
    if p[chosen] > 0.0 && !out.contains(&chosen) {
        out.push(chosen);
    }
    out
}

impl CurveModel {
    pub fn build(d: &Distribution, o: &CurveOptions) -> Result<Self, CoreError> {
        d.check_token(o.token)?;
        let first = |k: usize| d.first_order(k, o.kind, o.step);
        let flip = d.flip(o.kind);
        let p = d.probs();
        let smallest = p
            .iter()
            .copied()
            .filter(|&x| x > 0.0)
            .fold(1.0f64, f64::min);
        let (q_min, q_max) = if o.log_x {
            let lo = smallest.min(d.flip_nudge()).min(flip) / 3.0;
            (10f64.powf(lo.log10().floor()).clamp(1e-15, 1e-2), 1.0)
        } else {
            (0.0, 1.0)
        };
        // Every exact-curve point costs O(V): long rows (real vocabularies)
        // get fewer samples and a coarser zero search, ~6e5 token-evaluations
        // in all.
        let budget = (600_000 / d.len().max(1)).max(16);
        let n = o.samples.max(16).min(budget);
        let scan = budget.min(crate::math::curve::DEFAULT_SCAN);
        let qs: Vec<f64> = (0..n)
            .map(|i| {
                let t = (i as f64 + 0.5) / n as f64;
                if o.log_x {
                    10f64.powf(q_min.log10() * (1.0 - t))
                } else {
                    t
                }
            })
            .collect();
        let first_order = qs
            .iter()
            .map(|&q| (q, d.fixed_curve_at(o.kind, o.step, q)))
            .collect();
        let mut tokens = Vec::new();
        let mut chosen = None;
        for j in dots(p, o.token) {
            if j == o.token {
                chosen = Some(tokens.len());
            }
            tokens.push((p[j], first(j)?));
        }
        // The exact curve needs some other token to rescale; without one
        // (a one-hot row) it is simply not drawn.
        let (exact, exact_flip) = match d.exact_curve(o.token, o.kind, o.step, &qs) {
            Ok(ys) => (
                qs.iter().copied().zip(ys).collect(),
                d.exact_flip(o.token, o.kind, o.step, scan)?,
            ),
            Err(CoreError::Curve { .. }) => (Vec::new(), None),
            Err(e) => return Err(e),
        };
        Ok(CurveModel {
            kind: o.kind,
            log_x: o.log_x,
            q_min,
            q_max,
            first_order,
            exact,
            tokens,
            chosen,
            flip_nudge: d.flip_nudge(),
            flip_pg: d.flip_policy_gradient(),
            exact_flip,
            expanding_below: o.step >= 0.0,
        })
    }

    /// The first-order flip of this model's update kind.
    pub fn flip(&self) -> f64 {
        match self.kind {
            UpdateKind::Nudge => self.flip_nudge,
            UpdateKind::PolicyGradient => self.flip_pg,
        }
    }

    /// x coordinate of a probability on the chart (log10 q on a log axis).
    pub fn x_of(&self, q: f64) -> f64 {
        if self.log_x {
            q.log10()
        } else {
            q
        }
    }

    /// The y range that holds every curve and point, padded.
    pub fn y_range(&self) -> (f64, f64) {
        let ys = self
            .first_order
            .iter()
            .chain(&self.exact)
            .chain(&self.tokens)
            .map(|&(_, y)| y)
            .filter(|y| y.is_finite());
        let (mut lo, mut hi) = ys.fold((0.0f64, 0.0f64), |(a, b), y| (a.min(y), b.max(y)));
        if hi - lo <= 0.0 {
            hi = 1e-3;
            lo = -1e-3;
        }
        let pad = 0.08 * (hi - lo);
        (lo - pad, hi + pad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_rows_draw_a_bounded_sample_that_keeps_the_chosen_token() {
        // 5,000 tokens with distinct probabilities; the chosen one is rare.
        let logits: Vec<f64> = (0..5_000).map(|j| -(j as f64) * 4e-3).collect();
        let d = Distribution::from_logits(&logits, 1.0).unwrap();
        let o = CurveOptions {
            token: 4_999,
            kind: UpdateKind::PolicyGradient,
            step: 0.1,
            log_x: true,
            samples: 200,
        };
        let m = CurveModel::build(&d, &o).unwrap();
        assert!(m.tokens.len() <= MAX_DOTS + 1);
        let (q, _) = m.tokens[m.chosen.unwrap()];
        assert_eq!(q, d.probs()[4_999]);
        // The most likely token is always drawn.
        assert!(m.tokens.iter().any(|&(q, _)| q == d.probs()[0]));
        assert_eq!(m.exact.len(), 120); // 6e5 / 5,000 = 120 samples
    }
}
