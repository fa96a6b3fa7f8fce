//! "Did polarity predict my run's entropy change?" across steps: the mean
//! token term of each step against its `realised_dh` (the next present
//! step's mean H minus this one's), with what makes the answer honest
//! (issue 19, docs/trace-format.md "Across steps"):
//!
//! - a pair whose next present step is further away than the run's shortest
//!   spacing spans a gap (prime-rl's example lacks step 5, so step 4's
//!   realised ΔH is H(6) − H(4)): it is left out;
//! - a step with no counted token that has A ≠ 0 and a nonzero token term
//!   (every advantage 0: no update) predicts nothing: it is left out;
//! - the uncertainty: two-sided permutation p-values of Pearson's r and
//!   Spearman's ρ (every ordering of the realised ΔH for n ≤ 9, else
//!   `RANDOM_PERMUTATIONS` seeded random orderings up to `RANDOM_UP_TO`
//!   pairs; beyond, the large-n limit of the permutation distribution,
//!   normal with variance 1/(n − 1));
//! - the plain sign count: in how many of the used steps the mean token term
//!   had the sign of the realised ΔH.

use super::stats::{pearson, ranks};
use super::step::StepRow;

/// Up to this many pairs every ordering is enumerated (9! = 362,880).
pub const EXACT_UP_TO: usize = 9;
/// Random orderings above `EXACT_UP_TO` (p is then within about ±0.005 at p = 0.05).
pub const RANDOM_PERMUTATIONS: u64 = 20_000;
/// Up to this many pairs random orderings are counted (20,000 × 1,000 products,
/// a few ms); a 100,000-step run uses the normal limit instead.
pub const RANDOM_UP_TO: usize = 1000;

#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// Over the used pairs; NaN with fewer than 2 pairs or a constant series.
    pub pearson: f64,
    pub spearman: f64,
    /// Used pairs (both values finite, no gap, an update).
    pub n: usize,
    /// Two-sided permutation p-values (NaN when the statistic is NaN).
    pub p_pearson: f64,
    pub p_spearman: f64,
    /// Orderings the p-values count over (0 when the normal limit was used);
    /// `exact` when that is all n! of them.
    pub permutations: u64,
    pub exact: bool,
    /// The shortest spacing between consecutive present steps (NaN with < 2 steps).
    pub stride: f64,
    /// Steps whose realised ΔH spans a gap (their next present step is further than `stride`).
    pub gaps: Vec<f64>,
    /// Steps left out as updates of nothing (no token with A ≠ 0 and a nonzero token term).
    pub no_update: Vec<f64>,
    /// The steps used, in order.
    pub used: Vec<f64>,
    /// Among used steps where both are nonzero: how many, and how many had the same sign.
    pub signed: usize,
    pub same_sign: usize,
    /// Which series is constant over the used pairs (no correlation can be computed).
    pub constant: Option<&'static str>,
}

/// True when no counted token of the step had A ≠ 0 and a nonzero token
/// term: the four shares are empty while the mean token term is 0.
pub fn no_update(r: &StepRow) -> bool {
    r.token_term == 0.0
        && [
            r.share_pos_expand,
            r.share_pos_contract,
            r.share_neg_expand,
            r.share_neg_contract,
        ]
        .iter()
        .all(|s| s.is_nan())
}

pub fn evidence(rows: &[StepRow]) -> Evidence {
    let stride = rows
        .windows(2)
        .map(|w| w[1].step - w[0].step)
        .filter(|d| *d > 0.0)
        .fold(f64::NAN, f64::min);
    let (mut gaps, mut skipped, mut used) = (vec![], vec![], vec![]);
    let (mut xs, mut ys) = (vec![], vec![]);
    for (i, r) in rows.iter().enumerate() {
        if !(r.token_term.is_finite() && r.realised_dh.is_finite()) {
            continue;
        }
        if rows
            .get(i + 1)
            .is_some_and(|next| next.step - r.step > stride)
        {
            gaps.push(r.step);
        } else if no_update(r) {
            skipped.push(r.step);
        } else {
            used.push(r.step);
            xs.push(r.token_term);
            ys.push(r.realised_dh);
        }
    }
    let n = xs.len();
    let (rx, ry) = (ranks(&xs), ranks(&ys));
    let (pearson_r, spearman) = (pearson(&xs, &ys), pearson(&rx, &ry));
    let (p_pearson, p_spearman, permutations) =
        permutation_p(&xs, &ys, &rx, &ry, pearson_r, spearman);
    let signed: Vec<bool> = xs
        .iter()
        .zip(&ys)
        .filter(|(x, y)| **x != 0.0 && **y != 0.0)
        .map(|(x, y)| (*x > 0.0) == (*y > 0.0))
        .collect();
    let flat = |v: &[f64]| n >= 2 && v.iter().all(|x| *x == v[0]);
    Evidence {
        pearson: pearson_r,
        spearman,
        n,
        p_pearson,
        p_spearman,
        permutations,
        exact: n <= EXACT_UP_TO,
        stride,
        gaps,
        no_update: skipped,
        used,
        signed: signed.len(),
        same_sign: signed.iter().filter(|s| **s).count(),
        constant: if flat(&xs) {
            Some("token_term")
        } else if flat(&ys) {
            Some("realised_dh")
        } else {
            None
        },
    }
}

/// Two-sided permutation p-values of r (on xs, ys) and ρ (on their ranks):
/// the share of orderings of y whose |statistic| reaches the observed one.
/// Σx, Σy, Σx², Σy² do not change under a reordering, so each ordering
/// needs only Σ x·y (a relative tolerance counts the ties, the observed
/// ordering among them).
fn permutation_p(
    xs: &[f64],
    ys: &[f64],
    rx: &[f64],
    ry: &[f64],
    r: f64,
    rho: f64,
) -> (f64, f64, u64) {
    let n = xs.len();
    if n < 2 || (r.is_nan() && rho.is_nan()) {
        return (f64::NAN, f64::NAN, 0);
    }
    if n > RANDOM_UP_TO {
        // Under random orderings r has mean 0 and variance 1/(n − 1) exactly,
        // and is normal in the limit: p = erfc(|r| √((n − 1)/2)).
        let p = |stat: f64| erfc(stat.abs() * ((n - 1) as f64 / 2.0).sqrt());
        return (p(r), p(rho), 0);
    }
    let centred = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| x - m).collect::<Vec<f64>>()
    };
    let (cx, cy, crx, cry) = (centred(xs), centred(ys), centred(rx), centred(ry));
    let norm = |a: &[f64], b: &[f64]| {
        (a.iter().map(|x| x * x).sum::<f64>() * b.iter().map(|x| x * x).sum::<f64>()).sqrt()
    };
    let (nr, nrho) = (norm(&cx, &cy), norm(&crx, &cry));
    let reach = |stat: f64, dot: f64, den: f64| {
        stat.is_finite() && (dot / den).abs() >= stat.abs() * (1.0 - 1e-9)
    };
    let (mut hit_r, mut hit_rho, mut total) = (0u64, 0u64, 0u64);
    let mut order: Vec<usize> = (0..n).collect();
    let mut count = |order: &[usize]| {
        let dot = |a: &[f64], b: &[f64]| {
            order
                .iter()
                .enumerate()
                .map(|(i, &j)| a[i] * b[j])
                .sum::<f64>()
        };
        hit_r += reach(r, dot(&cx, &cy), nr) as u64;
        hit_rho += reach(rho, dot(&crx, &cry), nrho) as u64;
        total += 1;
    };
    if n <= EXACT_UP_TO {
        heap_permutations(&mut order, &mut count);
        let p = |h: u64| h as f64 / total as f64;
        (
            if r.is_nan() { f64::NAN } else { p(hit_r) },
            if rho.is_nan() { f64::NAN } else { p(hit_rho) },
            total,
        )
    } else {
        // The observed ordering counts once, as in (1 + hits) / (1 + N).
        count(&order);
        let mut rng = 0x005E_EDC0_22E1_A7E5_u64 ^ n as u64;
        for _ in 0..RANDOM_PERMUTATIONS {
            for i in (1..n).rev() {
                let j = (super::step::splitmix(&mut rng) % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            count(&order);
        }
        let p = |h: u64| h as f64 / total as f64;
        (
            if r.is_nan() { f64::NAN } else { p(hit_r) },
            if rho.is_nan() { f64::NAN } else { p(hit_rho) },
            total,
        )
    }
}

/// The complementary error function, to about 1e-7 relative (Numerical
/// Recipes' erfcc, a Chebyshev fit), enough for a p-value.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Every ordering of `a` (Heap's algorithm, iterative), each handed to `f`.
fn heap_permutations(a: &mut [usize], f: &mut impl FnMut(&[usize])) {
    let n = a.len();
    let mut c = vec![0usize; n];
    f(a);
    let mut i = 0;
    while i < n {
        if c[i] < i {
            a.swap(if i % 2 == 0 { 0 } else { c[i] }, i);
            f(a);
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_visits_every_ordering_once() {
        let mut seen = std::collections::HashSet::new();
        heap_permutations(&mut [0, 1, 2, 3], &mut |o| {
            assert!(seen.insert(o.to_vec()));
        });
        assert_eq!(seen.len(), 24);
    }
}
