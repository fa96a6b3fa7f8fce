//! Column arithmetic for the pages (src/math/series.rs): totals, means over
//! seeds and standard errors (the control lab), the least-squares line (the
//! runs' scatter), ln p_k + H per row (the slices' scatter), and the stand-in
//! distribution of a trace token (src/math/run/token.rs).

use super::convert::to_f64_vec;
use super::convert::{code, object, whole, Error};
use crate::math::{run, series};
use js_sys::{Array, Float64Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** leastSquares: y = meanY + slope (x − meanX). */
export interface Line { meanX: number; meanY: number; slope: number }
/** standIn: a distribution with token 0 at p_k and entropy `entropy` (docs/trace-format.md). */
export interface StandIn {
  logits: Float64Array;
  /** The entropy reached: the H asked for, or the nearest a stand-in of at most maxVocab tokens reaches. */
  entropy: number;
  vocab: number;
}
"#;

/// `total(values)`: Σ values, compensated (0 for none).
#[wasm_bindgen]
pub fn total(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: &JsValue,
) -> Result<f64, Error> {
    Ok(series::total(&to_f64_vec(values, "values")?))
}

/// `mean(values)`: NaN for none.
#[wasm_bindgen]
pub fn mean(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: &JsValue,
) -> Result<f64, Error> {
    Ok(series::mean(&to_f64_vec(values, "values")?))
}

/// `stdErr(values)`: the standard error of their mean, s/√n (NaN for fewer
/// than 2 values).
#[wasm_bindgen(js_name = stdErr)]
pub fn std_err(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: &JsValue,
) -> Result<f64, Error> {
    Ok(series::std_err(&to_f64_vec(values, "values")?))
}

/// `meanPerStep(runs)`: the mean over runs (one array each) of every step,
/// cut to the shortest run.
#[wasm_bindgen(js_name = meanPerStep, unchecked_return_type = "Float64Array")]
pub fn mean_per_step(
    #[wasm_bindgen(unchecked_param_type = "Array<Float64Array | number[]>")] runs: &JsValue,
) -> Result<JsValue, Error> {
    if !Array::is_array(runs) {
        return Err(
            Error::new(code::TYPE, "runs must be an array of arrays of numbers.").field("runs"),
        );
    }
    let runs = Array::from(runs)
        .iter()
        .enumerate()
        .map(|(i, r)| to_f64_vec(&r, &format!("runs[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Float64Array::from(&series::mean_per_step(&runs)[..]).into())
}

/// `leastSquares(xs, ys)`: the least-squares line through the pairs where
/// both are finite; undefined with fewer than 2 or no spread in x.
#[wasm_bindgen(js_name = leastSquares, unchecked_return_type = "Line | undefined")]
pub fn least_squares(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] xs: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] ys: &JsValue,
) -> Result<JsValue, Error> {
    let (x, y) = (to_f64_vec(xs, "xs")?, to_f64_vec(ys, "ys")?);
    Ok(
        series::least_squares(&x, &y).map_or(JsValue::UNDEFINED, |l| {
            object(&[
                ("meanX", l.mean_x.into()),
                ("meanY", l.mean_y.into()),
                ("slope", l.slope.into()),
            ])
        }),
    )
}

/// `logProbPlusEntropy(prob, entropy)`: ln p_k + H per row (−∞ where p_k = 0).
#[wasm_bindgen(js_name = logProbPlusEntropy, unchecked_return_type = "Float64Array")]
pub fn log_prob_plus_entropy(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] prob: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] entropy: &JsValue,
) -> Result<JsValue, Error> {
    let (p, h) = (to_f64_vec(prob, "prob")?, to_f64_vec(entropy, "entropy")?);
    if p.len() != h.len() {
        return Err(Error::new(
            code::RANGE,
            format!(
                "prob has {} rows and entropy {}: give one value per row in each.",
                p.len(),
                h.len()
            ),
        )
        .field("entropy"));
    }
    Ok(Float64Array::from(&series::log_prob_plus_entropy(&p, &h)[..]).into())
}

/// `standIn(p, H, maxVocab)`: a distribution of 3 to maxVocab tokens whose
/// token 0 has probability p and whose entropy is H, or the nearest entropy
/// such a distribution reaches; null for p outside (0, 1) or H < 0.
#[wasm_bindgen(js_name = standIn, unchecked_return_type = "StandIn | null")]
pub fn stand_in(p: f64, entropy: f64, max_vocab: f64) -> Result<JsValue, Error> {
    let max = whole(max_vocab, "maxVocab")?;
    if !(3..=1 << 20).contains(&max) {
        return Err(Error::new(
            code::RANGE,
            "maxVocab: give a whole number from 3 to 1048576.",
        )
        .field("maxVocab"));
    }
    Ok(
        run::stand_in(p, entropy, max as usize).map_or(JsValue::NULL, |s| {
            object(&[
                ("logits", Float64Array::from(&s.logits[..]).into()),
                ("entropy", s.entropy.into()),
                ("vocab", (s.vocab as f64).into()),
            ])
        }),
    )
}
