//! The paper's figures (src/math/figures.rs), as columns: one entry per
//! random distribution, each distribution's logits as a Float64Array.
//! js/figures/data.js turns them into the rows the element exposes.

use super::convert::{code, object, whole, Error};
use crate::math::figures;
use crate::math::format::js_number;
use js_sys::{Array, Float64Array, Uint32Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** curvesFigure: one distribution of figure 1 (docs/math.md, "The curve"). */
export interface CurveFigure {
  logits: Float64Array; entropy: number; meanDiscriminator: number;
  flipNudge: number; flipPolicyGradient: number;
  /** q, log-spaced in (1e-4, 1), and S̄ − q (H + ln q) at each. */
  q: Float64Array; curve: Float64Array;
  /** Each token's p_j and the first-order ΔH of a unit policy-gradient step on it. */
  tokenProbs: Float64Array; tokenFirstOrder: Float64Array;
}
/** flipFigure: one entry per random distribution. */
export interface FlipFigure {
  logits: Float64Array[]; entropy: Float64Array; flipNudge: Float64Array; flipPolicyGradient: Float64Array;
}
/** scatterFigure: one entry per random distribution, a token drawn from it and a step. */
export interface ScatterFigure {
  logits: Float64Array[]; token: Uint32Array; step: Float64Array; firstOrder: Float64Array; exact: Float64Array;
}
/** nudgeLine: p = e^−H at evenly spaced H. */
export interface NudgeLine { entropy: Float64Array; p: Float64Array }
/** One quadrant of figure 4. */
export interface Quadrant { rewarded: boolean; above: boolean; count: number; expand: number; meanExact: number }
/** quadrantsFigure: the samples (one per random distribution) and the four quadrants. */
export interface QuadrantsFigure {
  logits: Float64Array[]; token: Uint32Array; adv: Float64Array; prob: Float64Array;
  flipPolicyGradient: Float64Array; firstOrder: Float64Array; exact: Float64Array;
  quadrants: Quadrant[];
}
"#;

/// Most random distributions a figure draws (a page's limit, so that a
/// mistyped count does not hang the page).
const MAX_COUNT: u64 = 100_000;

fn count(value: f64) -> Result<usize, Error> {
    match whole(value, "count")? {
        n if n <= MAX_COUNT => Ok(n as usize),
        _ => Err(Error::new(
            code::RANGE,
            format!(
                "count = {}: give at most {MAX_COUNT} distributions.",
                js_number(value)
            ),
        )
        .field("count")),
    }
}

fn column(values: impl Iterator<Item = f64>) -> JsValue {
    Float64Array::from(&values.collect::<Vec<f64>>()[..]).into()
}

fn logits<'a>(rows: impl Iterator<Item = &'a Vec<f64>>) -> JsValue {
    rows.map(|z| JsValue::from(Float64Array::from(&z[..])))
        .collect::<Array>()
        .into()
}

/// `curvesFigure(samples = 160)`: figure 1, five sharpnesses of one shape.
#[wasm_bindgen(js_name = curvesFigure, unchecked_return_type = "CurveFigure[]")]
pub fn curves_figure(samples: Option<f64>) -> Result<JsValue, Error> {
    let samples = samples
        .map_or(Ok(160), |s| whole(s, "samples"))?
        .clamp(2, 4000) as usize;
    Ok(figures::curves(samples)
        .iter()
        .map(|c| {
            object(&[
                ("logits", Float64Array::from(&c.logits[..]).into()),
                ("entropy", c.entropy.into()),
                ("meanDiscriminator", c.mean_discriminator.into()),
                ("flipNudge", c.flip_nudge.into()),
                ("flipPolicyGradient", c.flip_pg.into()),
                ("q", column(c.curve.iter().map(|v| v.0))),
                ("curve", column(c.curve.iter().map(|v| v.1))),
                ("tokenProbs", column(c.tokens.iter().map(|v| v.0))),
                ("tokenFirstOrder", column(c.tokens.iter().map(|v| v.1))),
            ])
        })
        .collect::<Array>()
        .into())
}

/// `flipFigure(count, seed)`: figure 2, p† against e^−H.
#[wasm_bindgen(js_name = flipFigure, unchecked_return_type = "FlipFigure")]
pub fn flip_figure(n: f64, seed: f64) -> Result<JsValue, Error> {
    let pts = figures::flip(count(n)?, whole(seed, "seed")?);
    Ok(object(&[
        ("logits", logits(pts.iter().map(|p| &p.logits))),
        ("entropy", column(pts.iter().map(|p| p.entropy))),
        ("flipNudge", column(pts.iter().map(|p| p.flip_nudge))),
        ("flipPolicyGradient", column(pts.iter().map(|p| p.flip_pg))),
    ]))
}

/// `nudgeLine(hMax, samples = 100)`: figure 2's line p = e^−H, H from 0 to hMax.
#[wasm_bindgen(js_name = nudgeLine, unchecked_return_type = "NudgeLine")]
pub fn nudge_line(h_max: f64, samples: Option<f64>) -> Result<JsValue, Error> {
    let n = samples
        .map_or(Ok(100), |s| whole(s, "samples"))?
        .clamp(2, 4000) as usize;
    let line = figures::nudge_line(h_max, n);
    Ok(object(&[
        ("entropy", column(line.iter().map(|v| v.0))),
        ("p", column(line.iter().map(|v| v.1))),
    ]))
}

/// `scatterFigure(count, seed, maxStep)`: figure 3, first order against exact.
#[wasm_bindgen(js_name = scatterFigure, unchecked_return_type = "ScatterFigure")]
pub fn scatter_figure(n: f64, seed: f64, max_step: f64) -> Result<JsValue, Error> {
    let pts = figures::scatter(count(n)?, whole(seed, "seed")?, max_step)?;
    let token: Vec<u32> = pts.iter().map(|p| p.token as u32).collect();
    Ok(object(&[
        ("logits", logits(pts.iter().map(|p| &p.logits))),
        ("token", Uint32Array::from(&token[..]).into()),
        ("step", column(pts.iter().map(|p| p.step))),
        ("firstOrder", column(pts.iter().map(|p| p.first_order))),
        ("exact", column(pts.iter().map(|p| p.exact))),
    ]))
}

/// `quadrantsFigure(count, seed, step)`: figure 4, the quadrants.
#[wasm_bindgen(js_name = quadrantsFigure, unchecked_return_type = "QuadrantsFigure")]
pub fn quadrants_figure(n: f64, seed: f64, step: f64) -> Result<JsValue, Error> {
    let (samples, four) = figures::quadrants(count(n)?, whole(seed, "seed")?, step)?;
    let token: Vec<u32> = samples.iter().map(|s| s.token as u32).collect();
    let quadrants: Array = four
        .iter()
        .map(|q| {
            object(&[
                ("rewarded", q.rewarded.into()),
                ("above", q.above.into()),
                ("count", (q.count as f64).into()),
                ("expand", (q.expand as f64).into()),
                ("meanExact", q.mean_exact.into()),
            ])
        })
        .collect();
    Ok(object(&[
        ("logits", logits(samples.iter().map(|s| &s.logits))),
        ("token", Uint32Array::from(&token[..]).into()),
        ("adv", column(samples.iter().map(|s| s.advantage))),
        ("prob", column(samples.iter().map(|s| s.prob))),
        (
            "flipPolicyGradient",
            column(samples.iter().map(|s| s.flip_pg)),
        ),
        ("firstOrder", column(samples.iter().map(|s| s.first_order))),
        ("exact", column(samples.iter().map(|s| s.exact))),
        ("quadrants", quadrants.into()),
    ]))
}
