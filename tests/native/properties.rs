//! Property tests of the core (docs/math.md) on random logits: 2 to 64 tokens,
//! values in [−20, 20] (some of them integers, so that ties occur), about
//! one in seven masked (−∞), temperatures in [0.2, 5].
//!
//! Every tolerance below is written as a bound on the rounding error the
//! quantity can carry, with its reasoning next to it.

// Native only: the browser tier is tests/web.rs.
#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::{apply_update, Distribution, UpdateKind};
use proptest::prelude::*;
use proptest::sample::Index;

const KINDS: [UpdateKind; 2] = [UpdateKind::Nudge, UpdateKind::PolicyGradient];

use crate::support::csum::csum;

fn logit_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -20.0f64..20.0,
        1 => (-20i32..=20).prop_map(f64::from),
    ]
}

/// Random logits with at least one unmasked entry, and a temperature.
fn logits_and_temperature() -> impl Strategy<Value = (Vec<f64>, f64)> {
    (
        prop::collection::vec((logit_value(), prop::bool::weighted(0.15)), 2..=64),
        0.2f64..5.0,
    )
        .prop_map(|(v, t)| {
            let mut z: Vec<f64> = v
                .iter()
                .map(|&(x, masked)| if masked { f64::NEG_INFINITY } else { x })
                .collect();
            if z.iter().all(|x| x.is_infinite()) {
                z[0] = 0.0;
            }
            (z, t)
        })
}

/// The live token nearest (cyclically) to a random index.
fn live_token(z: &[f64], i: &Index) -> usize {
    let n = z.len();
    let start = i.index(n);
    (0..n)
        .map(|o| (start + o) % n)
        .find(|&j| z[j].is_finite())
        .unwrap()
}

/// Scaled logits y = (z − max z)/T.
fn scaled(z: &[f64], t: f64) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    z.iter().map(|&v| (v - max) / t).collect()
}

/// E_p|y| over the live tokens: the scale of the absolute rounding error of
/// anything formed from the centred log-probabilities y_j − ȳ.
fn mean_abs_y(d: &Distribution, y: &[f64]) -> f64 {
    csum(
        d.probs()
            .iter()
            .zip(y)
            .filter(|(&p, _)| p > 0.0)
            .map(|(&p, &v)| p * v.abs()),
    )
}

fn max_abs_live(y: &[f64]) -> f64 {
    y.iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()))
}

fn entropy(z: &[f64], t: f64) -> f64 {
    Distribution::from_logits(z, t).unwrap().entropy()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Σ_j S_j = 0 exactly in exact arithmetic. In f64, Σ_j p_j (y_j − ȳ)
    /// = ȳ (1 − Σ p_j) plus the rounding of each term: a few ulps of
    /// Σ_j |S_j| (and p_top |ȳ| ≤ Σ_j |S_j| bounds the first part, since the
    /// top token has y = 0). 1e-12 of Σ|S_j| is ~50x that.
    #[test]
    fn discriminators_sum_to_zero((z, t) in logits_and_temperature()) {
        let d = Distribution::from_logits(&z, t).unwrap();
        let s = d.discriminator();
        let total = csum(s.iter().copied());
        let scale = csum(s.iter().map(|x| x.abs()));
        prop_assert!(total.abs() <= 1e-12 * scale, "Σ S = {total:e}, Σ|S| = {scale:e}");
    }

    /// S̄ ≥ 0, and S̄ equals Σ_j p_j S_j to a few ulps of Σ_j p_j |S_j| plus
    /// the conditioning of the c_j = y_j − ȳ (a few ulps of |y_j| + E|y|
    /// each, weighted by p_j²).
    #[test]
    fn mean_discriminator_is_non_negative_and_consistent((z, t) in logits_and_temperature()) {
        let d = Distribution::from_logits(&z, t).unwrap();
        let sbar = d.mean_discriminator();
        prop_assert!(sbar >= 0.0, "S̄ = {sbar:e}");
        let s = d.discriminator();
        let p = d.probs();
        let y = scaled(&z, t);
        let m = mean_abs_y(&d, &y);
        let direct = csum(p.iter().zip(&s).map(|(&pj, &sj)| pj * sj));
        let tol = 1e-12 * csum(p.iter().zip(&s).map(|(&pj, &sj)| pj * sj.abs()))
            + 1e-14 * csum((0..p.len()).filter(|&j| p[j] > 0.0).map(|j| p[j] * p[j] * (y[j].abs() + m)));
        prop_assert!((sbar - direct).abs() <= tol, "S̄ = {sbar:e}, Σ p S = {direct:e}, tol {tol:e}");
    }

    /// ∂H/∂z_j = −S_j / T against Richardson-extrapolated central
    /// differences of H from `from_logits`.
    ///
    /// In y = z/T units the step is h_y = 1e-3 (h = 1e-3·T in z): the
    /// extrapolated difference (4 D(h/2) − D(h))/3 has truncation error
    /// h_y⁴ |H⁽⁵⁾|/480 ~ 1e-14 (the derivatives of H in y are bounded by
    /// small multiples of 1 + H), and rounding error ≈ 1.7 ε_H / h_y, where
    /// the absolute error ε_H of a computed H is a few ulps of
    /// 1 + H + E|y| + max|y| (lse, ȳ and the rounded y_j): ~1e-12 in all.
    /// The tolerance in y units is 1e-10 (1 + H + E|y| + max|y|), ~100x that
    /// bound (the largest error seen over 20,000 rows was ~1e-13); divided by
    /// T for z units. Typical |S_j| are 1e-3..0.3, so this checks S_j / T to
    /// ~1e-8 relative or better.
    #[test]
    fn gradient_of_entropy_is_minus_s_over_t((z, t) in logits_and_temperature(), i in any::<Index>()) {
        let j = live_token(&z, &i);
        let d = Distribution::from_logits(&z, t).unwrap();
        let y = scaled(&z, t);
        let diff = |h: f64| {
            let (mut zp, mut zm) = (z.clone(), z.clone());
            zp[j] = z[j] + h;
            zm[j] = z[j] - h;
            (entropy(&zp, t) - entropy(&zm, t)) / (zp[j] - zm[j])
        };
        let h = 1e-3 * t;
        let fd = (4.0 * diff(h / 2.0) - diff(h)) / 3.0;
        let want = -d.discriminator_at(j) / t;
        let tol = 1e-10 * (1.0 + d.entropy() + mean_abs_y(&d, &y) + max_abs_live(&y)) / t;
        prop_assert!((fd - want).abs() <= tol, "token {j}: finite difference {fd:e}, −S/T = {want:e}, tol {tol:e}");
    }

    /// exact / first-order → 1 as the step → 0, wherever the first-order
    /// change per unit of (scaled) step is at least 1e-3. The gap is the
    /// second-order term: |ΔH − first| ≤ ½ |∂²H/∂δ²| δ², with |∂²H/∂δ²| at
    /// most ~30 for these rows, so at δ = 1e-7 the ratio is within
    /// 0.5·30·1e-7/1e-3 = 1.5e-3 of 1 (asserted: 1e-2), and the distance to
    /// 1 must shrink ~10x from δ = 1e-6 to 1e-7 (asserted: by 5x, up to a
    /// 1e-8 allowance for the rounding of the exact change).
    #[test]
    fn exact_over_first_order_tends_to_one((z, t) in logits_and_temperature(), i in any::<Index>()) {
        let k = live_token(&z, &i);
        let d = Distribution::from_logits(&z, t).unwrap();
        for kind in KINDS {
            let per_unit = d.first_order(k, kind, t).unwrap(); // δ = step/T = 1
            if per_unit.abs() < 1e-3 {
                continue;
            }
            let ratio = |delta: f64| {
                let step = delta * t;
                d.exact(k, kind, step).unwrap() / d.first_order(k, kind, step).unwrap()
            };
            let (r6, r7) = (ratio(1e-6), ratio(1e-7));
            prop_assert!((r7 - 1.0).abs() <= 1e-2, "{kind:?} token {k}: ratio {r7} at δ = 1e-7");
            prop_assert!(
                (r7 - 1.0).abs() <= 0.2 * (r6 - 1.0).abs() + 1e-8,
                "{kind:?} token {k}: ratio {r6} at δ = 1e-6, {r7} at δ = 1e-7"
            );
        }
    }

    /// p† ≥ e^−H and p† (H + ln p†) = S̄. p† = exp(W₀(S̄ e^H) − H) carries a
    /// relative error of a few ulps of 1 + H + |ln p†|; through
    /// g(q) = q (H + ln q), whose derivative is H + ln q + 1, that is an
    /// absolute error in g of a few ulps of p† (1 + H + |ln p†|)², to which
    /// S̄'s own ~1e-15 relative error adds. The tolerance is ~100x that.
    #[test]
    fn flip_pg_solves_its_equation((z, t) in logits_and_temperature()) {
        let d = Distribution::from_logits(&z, t).unwrap();
        let (h, sbar) = (d.entropy(), d.mean_discriminator());
        let (pn, pg) = (d.flip_nudge(), d.flip_policy_gradient());
        prop_assert!(pg >= pn * (1.0 - 1e-14), "p† = {pg:e} < e^-H = {pn:e}");
        let g = pg * (h + pg.ln());
        let w = 1.0 + h + pg.ln().abs();
        let tol = 1e-12 * sbar + 1e-14 * pg * w * w;
        prop_assert!((g - sbar).abs() <= tol, "p† (H + ln p†) = {g:e}, S̄ = {sbar:e}, tol {tol:e}");
    }

    /// 0 ≤ H ≤ ln(#unmasked); the computed ln n and H are both good to a few
    /// ulps of ln n.
    #[test]
    fn entropy_is_bounded((z, t) in logits_and_temperature()) {
        let d = Distribution::from_logits(&z, t).unwrap();
        let live = z.iter().filter(|v| v.is_finite()).count();
        let h = d.entropy();
        prop_assert!(h >= 0.0);
        prop_assert!(h <= (live as f64).ln() * (1.0 + 1e-14) + 1e-15, "H = {h}, n = {live}");
    }

    /// For moderate steps (|step| in [1e-2, 5], either sign) the exact change
    /// equals H(after) − H(before) recomputed from `apply_update` and
    /// `from_logits`: there the subtraction loses nothing that matters. Both
    /// entropies, and the core's KL-identity form, are good to a few ulps of
    /// 1 + max|y| (before and after), so the tolerance is 1e-13 times that.
    #[test]
    fn exact_matches_recomputation_for_moderate_steps(
        (z, t) in logits_and_temperature(),
        i in any::<Index>(),
        mag in 1e-2f64..5.0,
        negative in any::<bool>(),
    ) {
        let k = live_token(&z, &i);
        let step = if negative { -mag } else { mag };
        let d = Distribution::from_logits(&z, t).unwrap();
        for kind in KINDS {
            let after = apply_update(&z, d.probs(), k, kind, step);
            let d1 = Distribution::from_logits(&after, t).unwrap();
            let want = d1.entropy() - d.entropy();
            let got = d.exact(k, kind, step).unwrap();
            let scale = 1.0 + max_abs_live(&scaled(&z, t)) + max_abs_live(&scaled(&after, t));
            let tol = 1e-13 * scale;
            prop_assert!(
                (got - want).abs() <= tol,
                "{kind:?} token {k} step {step}: exact {got:e}, recomputed {want:e}, tol {tol:e}"
            );
        }
    }

    /// Uniform rows: H = ln V, S_j = 0, S̄ = 0, e^−H = p† = 1/V (whatever the
    /// common logit and the temperature).
    #[test]
    fn uniform_closed_form(v in 1usize..=2000, value in -1e3f64..1e3, t in 0.2f64..5.0) {
        let d = Distribution::from_logits(&vec![value; v], t).unwrap();
        let ln_v = (v as f64).ln();
        prop_assert!((d.entropy() - ln_v).abs() <= 4.0 * f64::EPSILON * ln_v, "H = {}, ln V = {ln_v}", d.entropy());
        prop_assert!(d.discriminator().iter().all(|s| s.abs() <= 1e-15 / v as f64));
        prop_assert!(d.mean_discriminator().abs() <= 1e-15 / v as f64);
        let inv = 1.0 / v as f64;
        prop_assert!((d.flip_nudge() - inv).abs() <= 1e-14 * inv);
        prop_assert!((d.flip_policy_gradient() - inv).abs() <= 1e-14 * inv);
    }

    /// Two tokens p = (a, 1 − a) given as logits (ln a, ln(1 − a)):
    /// H = −a ln a − (1 − a) ln(1 − a), written with ln_1p so that it is
    /// accurate for tiny a. The rounded logits perturb a by ~eps |ln a|
    /// relative, which moves H by no more than that relative, so 1e-13.
    /// Also S_0 = a (H + ln a) and S̄ = a² (H + ln a) + (1−a)² (H + ln(1−a)).
    #[test]
    fn two_tokens_closed_form(log10_a in -12.0f64..-std::f64::consts::LOG10_2, swap in any::<bool>()) {
        let a = 10f64.powf(log10_a);
        let (la, lb) = (a.ln(), (-a).ln_1p());
        let h = -a * la - (1.0 - a) * lb;
        let z = if swap { vec![lb, la] } else { vec![la, lb] };
        let d = Distribution::from_logits(&z, 1.0).unwrap();
        prop_assert!((d.entropy() - h).abs() <= 1e-13 * h, "a = {a:e}: H = {:e}, want {h:e}", d.entropy());
        let ia = usize::from(swap);
        let s_a = a * (h + la);
        let got = d.discriminator_at(ia);
        // S_a = a (H + ln a): H + ln a is a difference of O(|ln a|) terms.
        prop_assert!((got - s_a).abs() <= 1e-13 * a * la.abs(), "S_a = {got:e}, want {s_a:e}");
        let sbar = a * a * (h + la) + (1.0 - a) * (1.0 - a) * (h + lb);
        prop_assert!(
            (d.mean_discriminator() - sbar).abs() <= 1e-12 * sbar.abs() + 1e-14 * a * la.abs(),
            "S̄ = {:e}, want {sbar:e}", d.mean_discriminator()
        );
    }

    /// The same through `from_probs`, with a = k / 2^20 so that 1 − a is
    /// exact and the two probabilities sum to exactly 1.
    #[test]
    fn two_tokens_from_probs(k in 1u32..=(1 << 19)) {
        let a = f64::from(k) / f64::from(1u32 << 20);
        let h = -a * a.ln() - (1.0 - a) * (-a).ln_1p();
        let d = Distribution::from_probs(&[a, 1.0 - a]).unwrap();
        prop_assert!((d.entropy() - h).abs() <= 1e-13 * h, "a = {a}: H = {}, want {h}", d.entropy());
        prop_assert!((d.probs()[0] - a).abs() <= 4.0 * f64::EPSILON * a);
    }
}
