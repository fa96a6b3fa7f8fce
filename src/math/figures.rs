//! The numbers behind the paper's figures (figures.html, docs/math.md): the
//! first-order curve for several entropies, p† against e^−H, first order
//! against exact, and the quadrants. The random distributions come from the
//! simulation's seeded generator ([`Rng`]: its normal deviates, and tokens
//! drawn by `sampling::draw`), so a figure is the same on every load and in
//! every engine, and a test can recompute each point from its logits.

use super::dist::Distribution;
use super::error::CoreError;
use super::sampling::draw;
use super::simulate::Rng;
use super::sum::sum;
use super::update::UpdateKind;

/// Figure 1's distributions: the same 20-token Zipf-like shape
/// z_j = −1.5 ln(j + 1) divided by each of these sharpnesses.
pub const SHARPNESS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 5.0];

/// Rounds to 6 decimals, so that a logit reads back as written.
fn six(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Random logits: 4 to 64 tokens, normal logits with a spread from 0.3 to 4
/// (near uniform to peaked), rounded to 6 decimals.
pub fn random_logits(rng: &mut Rng) -> Vec<f64> {
    let n = 4 + (rng.uniform() * 61.0) as usize;
    let spread = 0.3 + rng.uniform() * 3.7;
    (0..n).map(|_| six(rng.normal() * spread)).collect()
}

/// One distribution of figure 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub logits: Vec<f64>,
    pub entropy: f64,
    pub mean_discriminator: f64,
    pub flip_nudge: f64,
    pub flip_pg: f64,
    /// (q, S̄ − q (H + ln q)): the first-order ΔH per unit η·A of a token of
    /// probability q with H and S̄ held, at `samples` q log-spaced in (1e-4, 1).
    pub curve: Vec<(f64, f64)>,
    /// (p_j, first-order ΔH of a unit step on j): the real tokens, on the curve.
    pub tokens: Vec<(f64, f64)>,
}

/// Figure 1: one [`Curve`] per [`SHARPNESS`].
pub fn curves(samples: usize) -> Vec<Curve> {
    SHARPNESS
        .iter()
        .map(|&sharp| {
            let logits: Vec<f64> = (0..20)
                .map(|j| six(-1.5 * ((j + 1) as f64).ln() / sharp))
                .collect();
            let d = Distribution::from_logits(&logits, 1.0).expect("finite logits");
            let (h, s_bar) = (d.entropy(), d.mean_discriminator());
            let curve = (0..samples)
                .map(|i| {
                    let q = 10f64.powf(-4.0 + 4.0 * (i as f64 + 0.5) / samples as f64);
                    (q, s_bar - q * (h + q.ln()))
                })
                .collect();
            let tokens = d
                .probs()
                .iter()
                .enumerate()
                .map(|(j, &q)| {
                    (
                        q,
                        d.first_order_unchecked(j, UpdateKind::PolicyGradient, 1.0),
                    )
                })
                .collect();
            Curve {
                entropy: h,
                mean_discriminator: s_bar,
                flip_nudge: d.flip_nudge(),
                flip_pg: d.flip_policy_gradient(),
                logits,
                curve,
                tokens,
            }
        })
        .collect()
}

/// One distribution of figure 2.
#[derive(Clone, Debug, PartialEq)]
pub struct FlipPoint {
    pub logits: Vec<f64>,
    pub entropy: f64,
    pub flip_nudge: f64,
    pub flip_pg: f64,
}

/// Figure 2: p† against e^−H over `count` random distributions.
pub fn flip(count: usize, seed: u64) -> Vec<FlipPoint> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let logits = random_logits(&mut rng);
            let d = Distribution::from_logits(&logits, 1.0).expect("finite logits");
            FlipPoint {
                entropy: d.entropy(),
                flip_nudge: d.flip_nudge(),
                flip_pg: d.flip_policy_gradient(),
                logits,
            }
        })
        .collect()
}

/// Figure 2's line p = e^−H at `samples` (≥ 2) entropies evenly spaced from
/// 0 to `h_max`: where a nudge flips sign.
pub fn nudge_line(h_max: f64, samples: usize) -> Vec<(f64, f64)> {
    let n = samples.max(2);
    (0..n)
        .map(|i| {
            let h = h_max * i as f64 / (n - 1) as f64;
            (h, (-h).exp())
        })
        .collect()
}

/// One point of figure 3.
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterPoint {
    pub logits: Vec<f64>,
    /// Drawn from p.
    pub token: usize,
    /// η·A, uniform in [−max_step, max_step], rounded to 6 decimals.
    pub step: f64,
    pub first_order: f64,
    pub exact: f64,
}

/// Figure 3: first-order against exact ΔH of a policy-gradient step on a
/// sampled token, over `count` random distributions.
pub fn scatter(count: usize, seed: u64, max_step: f64) -> Result<Vec<ScatterPoint>, CoreError> {
    if !max_step.is_finite() {
        return Err(CoreError::Step { value: max_step });
    }
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let logits = random_logits(&mut rng);
            let step = six((2.0 * rng.uniform() - 1.0) * max_step);
            let d = Distribution::from_logits(&logits, 1.0)?;
            let token = draw(d.probs(), &mut rng);
            Ok(ScatterPoint {
                first_order: d.first_order(token, UpdateKind::PolicyGradient, step)?,
                exact: d.exact(token, UpdateKind::PolicyGradient, step)?,
                logits,
                token,
                step,
            })
        })
        .collect()
}

/// One sample of figure 4.
#[derive(Clone, Debug, PartialEq)]
pub struct QuadrantSample {
    pub logits: Vec<f64>,
    /// Drawn from p.
    pub token: usize,
    /// ±1, a fair coin.
    pub advantage: f64,
    pub prob: f64,
    pub flip_pg: f64,
    pub first_order: f64,
    pub exact: f64,
}

/// The samples of one quadrant of figure 4.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quadrant {
    /// A > 0 (rewarded) or A < 0.
    pub rewarded: bool,
    /// p_k > p† or not.
    pub above: bool,
    pub count: usize,
    /// How many of them expand H (exact ΔH > 0).
    pub expand: usize,
    /// Their mean exact ΔH (0 for none).
    pub mean_exact: f64,
}

/// Figure 4: `count` random distributions, a token drawn from each, an
/// advantage of ±1 and a policy-gradient step of `step`·A; the four
/// quadrants (rewarded above, rewarded below, penalised above, penalised below).
pub fn quadrants(
    count: usize,
    seed: u64,
    step: f64,
) -> Result<(Vec<QuadrantSample>, [Quadrant; 4]), CoreError> {
    if !step.is_finite() {
        return Err(CoreError::Step { value: step });
    }
    let mut rng = Rng::new(seed);
    let samples = (0..count)
        .map(|_| {
            let logits = random_logits(&mut rng);
            let d = Distribution::from_logits(&logits, 1.0)?;
            let token = draw(d.probs(), &mut rng);
            let advantage = if rng.uniform() < 0.5 { 1.0 } else { -1.0 };
            Ok(QuadrantSample {
                prob: d.probs()[token],
                flip_pg: d.flip_policy_gradient(),
                first_order: d.first_order(token, UpdateKind::PolicyGradient, step * advantage)?,
                exact: d.exact(token, UpdateKind::PolicyGradient, step * advantage)?,
                logits,
                token,
                advantage,
            })
        })
        .collect::<Result<Vec<_>, CoreError>>()?;
    let quadrant = |rewarded: bool, above: bool| {
        let inside: Vec<&QuadrantSample> = samples
            .iter()
            .filter(|s| (s.advantage > 0.0) == rewarded && (s.prob > s.flip_pg) == above)
            .collect();
        Quadrant {
            rewarded,
            above,
            count: inside.len(),
            expand: inside.iter().filter(|s| s.exact > 0.0).count(),
            mean_exact: sum(inside.iter().map(|s| s.exact)) / inside.len().max(1) as f64,
        }
    };
    let four = [
        quadrant(true, true),
        quadrant(true, false),
        quadrant(false, true),
        quadrant(false, false),
    ];
    Ok((samples, four))
}
