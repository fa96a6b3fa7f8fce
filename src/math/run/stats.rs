//! Pearson and Spearman correlation across steps (token term against realised
//! ΔH), over the pairs where both values are finite. Means are computed
//! first and the centred products summed with compensation (two-pass), so a
//! large common offset does not eat the digits. Spearman is Pearson on ranks,
//! tied values sharing their average rank.

use crate::math::sum::Neumaier;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Correlation {
    /// NaN with fewer than 2 pairs or a constant series.
    pub pearson: f64,
    pub spearman: f64,
    pub n: usize,
}

pub fn correlation(x: &[f64], y: &[f64]) -> Correlation {
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let n = xs.len();
    Correlation {
        pearson: pearson(&xs, &ys),
        spearman: pearson(&ranks(&xs), &ranks(&ys)),
        n,
    }
}

fn mean(v: &[f64]) -> f64 {
    let mut s = Neumaier::new();
    v.iter().for_each(|&x| s.add(x));
    s.value() / v.len() as f64
}

pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (Neumaier::new(), Neumaier::new(), Neumaier::new());
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy.add(dx * dy);
        sxx.add(dx * dx);
        syy.add(dy * dy);
    }
    let den = (sxx.value() * syy.value()).sqrt();
    if den > 0.0 {
        (sxy.value() / den).clamp(-1.0, 1.0)
    } else {
        f64::NAN
    }
}

/// 1-based ranks; ties get the average of the ranks they span.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && v[idx[j]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + 1 + j) as f64 / 2.0; // average of ranks i+1 ..= j
        for &k in &idx[i..j] {
            out[k] = r;
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // y = 2x + 1 exactly: both 1.
        let c = correlation(&[1.0, 2.0, 3.0, f64::NAN], &[3.0, 5.0, 7.0, 1.0]);
        assert_eq!(c.n, 3);
        assert!((c.pearson - 1.0).abs() < 1e-15 && (c.spearman - 1.0).abs() < 1e-15);
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
        // x = [1,2,3,4], y = [1,3,2,4]: Σdxdy = 4, Σdx² = Σdy² = 5 → 0.8.
        let c = correlation(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((c.pearson - 0.8).abs() < 1e-15);
        assert!(correlation(&[1.0], &[2.0]).pearson.is_nan());
        assert!(correlation(&[1.0, 1.0], &[2.0, 3.0]).pearson.is_nan());
    }
}
