//! What the explorer asks of a row opened from a slice besides its
//! `Distribution`: the bars it shows and the bar editor's drag.

use super::convert::{self, index, object, to_f64_vec, Error};
use crate::math;
use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const EXPLORER_TYPES: &str = r#"
/** The bars of a row opened from a slice (docs/math.md, "Rows opened from a slice"). */
export interface TopBars {
  /** Row index of each bar, most likely first; −1 for the "rest" bucket (last). */
  index: Int32Array;
  /** Logit of each bar; the bucket's is the log-sum-exp of the rest. */
  logits: Float64Array;
  /** How many tokens the bucket holds (0: no bucket). */
  rest: number;
  /** The bar of the sampled token (0 when there is none). */
  token: number;
}
"#;

/// The bars of a row opened from a slice: the most likely tokens and one
/// "rest" bucket (docs/math.md). `token`: the sampled token, or undefined.
#[wasm_bindgen(js_name = topBars, unchecked_return_type = "TopBars")]
pub fn top_bars(
    logits: &JsValue,
    token: Option<f64>,
    shown: Option<f64>,
) -> Result<JsValue, Error> {
    let z = to_f64_vec(logits, "logits")?;
    let sampled = match token {
        Some(t) => Some(convert::size(t, "token")?),
        None => None,
    };
    let shown = match shown {
        Some(n) => convert::size(n, "shown")?,
        None => math::explorer::MAX_BARS,
    };
    let b = math::explorer::top_bars(&z, sampled, shown)?;
    let index: Vec<i32> = b.index.iter().map(|i| i.map_or(-1, |j| j as i32)).collect();
    Ok(object(&[
        ("index", js_sys::Int32Array::from(&index[..]).into()),
        ("logits", Float64Array::from(&b.logits[..]).into()),
        ("rest", (b.rest as f64).into()),
        ("token", (b.token as f64).into()),
    ]))
}

/// The logit that gives token `j` probability `q` at `temperature`, the
/// other logits kept (the bar editor's drag).
#[wasm_bindgen(js_name = logitForProb)]
pub fn logit_for_prob(logits: &JsValue, j: f64, q: f64, temperature: f64) -> Result<f64, Error> {
    let z = to_f64_vec(logits, "logits")?;
    let j = index(j, "token", z.len())?;
    Ok(math::explorer::logit_for_prob(&z, j, q, temperature)?)
}
