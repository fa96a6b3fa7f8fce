//! Arithmetic on columns of numbers that the pages show, kept here so that
//! they hold none: totals, means over seeds and their standard errors (the
//! control lab), a least-squares line (the runs' scatter), and ln p_k + H per
//! row (the slices' scatter). Sums are compensated ([`sum`]) but for the
//! means over seeds.

use super::sum::sum;

/// Σ x, compensated; 0 for none.
pub fn total(xs: &[f64]) -> f64 {
    sum(xs.iter().copied())
}

/// The mean of `xs` (NaN for none).
pub fn mean(xs: &[f64]) -> f64 {
    total(xs) / xs.len() as f64
}

/// The standard error of the mean, s/√n with s the sample standard
/// deviation (n − 1 in the denominator); NaN for fewer than 2 values.
pub fn std_err(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if xs.len() < 2 {
        return f64::NAN;
    }
    let m = mean(xs);
    (sum(xs.iter().map(|&x| (x - m) * (x - m))) / (n - 1.0) / n).sqrt()
}

/// The mean over runs of each step: out[i] = (runs[0][i] + runs[1][i] + …)
/// / runs.len(), summed plainly in run (seed) order, as the lab documents
/// it, so that a reader redoing the sum gets the same bits (a handful of
/// seeds: compensation would change nothing that matters). Runs of
/// different lengths are cut to the shortest (none: empty).
pub fn mean_per_step(runs: &[Vec<f64>]) -> Vec<f64> {
    let len = runs.iter().map(Vec::len).min().unwrap_or(0);
    (0..len)
        .map(|i| runs.iter().fold(0.0, |acc, r| acc + r[i]) / runs.len() as f64)
        .collect()
}

/// A straight line y = mean_y + slope (x − mean_x).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    pub mean_x: f64,
    pub mean_y: f64,
    pub slope: f64,
}

/// The least-squares line through the pairs where both values are finite;
/// `None` with fewer than 2 such pairs or when their x are all equal.
pub fn least_squares(xs: &[f64], ys: &[f64]) -> Option<Line> {
    let (x, y): (Vec<f64>, Vec<f64>) = xs
        .iter()
        .zip(ys)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a, b))
        .unzip();
    if x.len() < 2 {
        return None;
    }
    let (mean_x, mean_y) = (mean(&x), mean(&y));
    let sxy = sum(x.iter().zip(&y).map(|(&a, &b)| (a - mean_x) * (b - mean_y)));
    let sxx = sum(x.iter().map(|&a| (a - mean_x) * (a - mean_x)));
    (sxx > 0.0).then(|| Line {
        mean_x,
        mean_y,
        slope: sxy / sxx,
    })
}

/// ln p_k + H of each row (= S_k / p_k): where the sampled token sits
/// against the typical −ln p; −∞ for a masked token (p_k = 0).
pub fn log_prob_plus_entropy(prob: &[f64], entropy: &[f64]) -> Vec<f64> {
    prob.iter()
        .zip(entropy)
        .map(|(&p, &h)| p.ln() + h)
        .collect()
}
