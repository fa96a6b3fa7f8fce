//! Long distributions as a few bars (src/math/bars.rs): the lesson's bars,
//! an opened row's values folded into its bars, and a long policy's logits
//! cut to what the explorer holds.

use super::convert::to_f64_vec;
use super::convert::{code, object, whole, Error};
use crate::math::bars::{explorer_logits, fold_bars, top_prob_bars};
use js_sys::{Float64Array, Int32Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** topProbBars: the likeliest tokens of a distribution and one bar for the rest. */
export interface ProbBars {
  /** Token of each bar, most likely first; −1 for the rest (last). */
  index: Int32Array;
  /** Probability of each bar; the rest's is the total of its tokens. */
  probs: Float64Array;
  /** The same bars of `after`, when it was given. */
  after: Float64Array | null;
  /** How many tokens the rest holds (0: no bar for the rest). */
  rest: number;
  /** The bar of `token`; −1 when none was given. */
  token: number;
}
"#;

/// `topProbBars(p, after?, token?, shown = 16)`: at most `shown` bars (2 to
/// 63) for the probabilities `p`: the likeliest tokens (`token` among them),
/// most likely first, and one bar for the rest; `after` (the probabilities
/// after an update) folded into the same bars.
#[wasm_bindgen(js_name = topProbBars, unchecked_return_type = "ProbBars")]
pub fn top_prob_bars_js(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] p: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[] | null | undefined")]
    after: &JsValue,
    token: Option<f64>,
    shown: Option<f64>,
) -> Result<JsValue, Error> {
    let p = to_f64_vec(p, "p")?;
    let after = if after.is_undefined() || after.is_null() {
        None
    } else {
        Some(to_f64_vec(after, "after")?)
    };
    let token = token.map(|t| whole(t, "token")).transpose()?;
    let shown = shown.map_or(Ok(16), |n| whole(n, "shown"))?;
    let b = top_prob_bars(
        &p,
        after.as_deref(),
        token.map(|t| t as usize),
        shown as usize,
    )?;
    let index: Vec<i32> = b.index.iter().map(|i| i.map_or(-1, |j| j as i32)).collect();
    Ok(object(&[
        ("index", Int32Array::from(&index[..]).into()),
        ("probs", Float64Array::from(&b.probs[..]).into()),
        (
            "after",
            b.after
                .as_deref()
                .map_or(JsValue::NULL, |a| Float64Array::from(a).into()),
        ),
        ("rest", (b.rest as f64).into()),
        ("token", b.token.map_or(-1.0, |t| t as f64).into()),
    ]))
}

/// `foldBars(values, index)`: one value per bar: `values[index[i]]`, and
/// for the bar of the rest (index −1) the total of the values no bar names.
#[wasm_bindgen(js_name = foldBars, unchecked_return_type = "Float64Array")]
pub fn fold_bars_js(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "number[]")] index: &JsValue,
) -> Result<JsValue, Error> {
    let v = to_f64_vec(values, "values")?;
    let index = to_f64_vec(index, "index")?
        .iter()
        .enumerate()
        .map(|(i, &j)| {
            if j == -1.0 {
                Ok(None)
            } else {
                whole(j, &format!("index[{i}]")).map(|j| Some(j as usize))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Float64Array::from(&fold_bars(&v, &index)[..]).into())
}

/// `explorerLogits(p, maxTokens = 64)`: ln p (at least −700) of at most
/// `maxTokens` tokens: every token when that is all there is, else the
/// likeliest `maxTokens − 1` in token order and one token for the rest.
#[wasm_bindgen(js_name = explorerLogits, unchecked_return_type = "Float64Array")]
pub fn explorer_logits_js(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] p: &JsValue,
    max_tokens: Option<f64>,
) -> Result<JsValue, Error> {
    let p = to_f64_vec(p, "p")?;
    let max = max_tokens.map_or(Ok(64), |n| whole(n, "maxTokens"))?;
    if max < 2 {
        return Err(
            Error::new(code::RANGE, "maxTokens: give a whole number of at least 2.")
                .field("maxTokens"),
        );
    }
    Ok(Float64Array::from(&explorer_logits(&p, max as usize)[..]).into())
}
