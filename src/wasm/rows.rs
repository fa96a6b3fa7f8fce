//! `analyzeRows` (docs/contract.md): per-row statistics of a float32 logit slice.

use super::js_error;
use crate::core::rows;
use js_sys::{Array, Float32Array, Float64Array, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `analyzeRows(logits, rows, vocab, tokens?, advantages?)`.
///
/// - `logits`: Float32Array of rows × vocab, row-major; −Infinity masks a token.
/// - `tokens`: Uint32Array (or array of whole numbers), the sampled token of each row.
/// - `advantages`: Float32Array, Float64Array or array of numbers; one per row
///   or a single one for all rows. Without it A = 1 (polarity = sensitivity).
///
/// Returns `{ entropy, meanDiscriminator, flipNudge, flipPolicyGradient }`,
/// each a Float64Array with one value per row, and, only when `tokens` is
/// given, `{ prob, discriminator, sensitivity, polarity }` for the sampled
/// token of each row. Without tokens those four keys are absent (not empty
/// arrays, not NaN). Bad input throws an Error that says what to fix.
#[wasm_bindgen(js_name = analyzeRows)]
pub fn analyze_rows(
    logits: &JsValue,
    rows: f64,
    vocab: f64,
    tokens: JsValue,
    advantages: JsValue,
) -> Result<JsValue, JsError> {
    let logits = logits.dyn_ref::<Float32Array>().ok_or_else(|| {
        js_error("logits must be a Float32Array of rows × vocab values (row-major).")
    })?;
    let rows = count(rows, "rows")?;
    let vocab = count(vocab, "vocab")?;
    let tokens = token_ids(&tokens)?;
    let advantages = advantage_values(&advantages)?;
    rows::check_shape(logits.length() as usize, rows, vocab).map_err(js_error)?;
    // Copy the rows into wasm memory one at a time, just before they are
    // analysed (two row buffers, not a copy of the whole slice).
    let source = rows::CopiedRows::new(rows, vocab, |r, buffer| {
        let start = (r * vocab) as u32;
        logits.subarray(start, start + vocab as u32).copy_to(buffer)
    });
    let a = rows::analyze_rows_from(
        source,
        rows,
        vocab,
        tokens.as_deref(),
        advantages.as_deref(),
    )
    .map_err(js_error)?;
    to_js(&a)
}

/// A rows × vocab float32 slice that lives in WebAssembly memory, so that it
/// can be analysed without the copy `analyzeRows` makes. Write the logits
/// (row-major) into `view()`, then call `analyze(tokens?, advantages?)`;
/// `free()` it when done.
///
/// The Float32Array from `view()` points into WebAssembly memory, which
/// moves when the memory grows (any call into the module may grow it): take
/// a fresh view right before writing, and do not keep it.
#[wasm_bindgen]
pub struct RowsBuffer {
    logits: Vec<f32>,
    rows: usize,
    vocab: usize,
}

#[wasm_bindgen]
impl RowsBuffer {
    #[wasm_bindgen(constructor)]
    pub fn new(rows: f64, vocab: f64) -> Result<RowsBuffer, JsError> {
        let rows = count(rows, "rows")?;
        let vocab = count(vocab, "vocab")?;
        let len = rows
            .checked_mul(vocab)
            .ok_or_else(|| js_error(format!("{rows} × {vocab} logits do not fit in memory.")))?;
        rows::check_shape(len, rows, vocab).map_err(js_error)?;
        let mut logits = Vec::new();
        logits.try_reserve_exact(len).map_err(|_| {
            js_error(format!(
                "Cannot allocate {:.0} MB for {rows} × {vocab} logits in WebAssembly memory \
                 (at most 4 GB in all): analyse fewer rows at a time.",
                len as f64 * 4.0 / 1e6
            ))
        })?;
        logits.resize(len, 0.0);
        Ok(RowsBuffer {
            logits,
            rows,
            vocab,
        })
    }

    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> usize {
        self.rows
    }

    #[wasm_bindgen(getter)]
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// A Float32Array view of the logits in WebAssembly memory (see above).
    pub fn view(&mut self) -> Float32Array {
        // SAFETY: the view covers exactly this Vec, which lives as long as
        // the RowsBuffer; JavaScript is told not to keep it past a call that
        // may grow (and so detach) the memory.
        unsafe { Float32Array::view_mut_raw(self.logits.as_mut_ptr(), self.logits.len()) }
    }

    /// The same result as `analyzeRows` on these logits.
    pub fn analyze(&self, tokens: JsValue, advantages: JsValue) -> Result<JsValue, JsError> {
        let tokens = token_ids(&tokens)?;
        let advantages = advantage_values(&advantages)?;
        let a = rows::analyze_rows(
            &self.logits,
            self.rows,
            self.vocab,
            tokens.as_deref(),
            advantages.as_deref(),
        )
        .map_err(js_error)?;
        to_js(&a)
    }
}

/// `{ entropy, meanDiscriminator, flipNudge, flipPolicyGradient[, prob,
/// discriminator, sensitivity, polarity] }` of Float64Arrays.
fn to_js(a: &rows::RowsAnalysis) -> Result<JsValue, JsError> {
    let out = Object::new();
    let put = |key: &str, v: &[f64]| -> Result<(), JsError> {
        Reflect::set(&out, &key.into(), &Float64Array::from(v))
            .map(|_| ())
            .map_err(|_| js_error("could not build the result object"))
    };
    put("entropy", &a.entropy)?;
    put("meanDiscriminator", &a.mean_discriminator)?;
    put("flipNudge", &a.flip_nudge)?;
    put("flipPolicyGradient", &a.flip_pg)?;
    if let Some(s) = &a.sampled {
        put("prob", &s.prob)?;
        put("discriminator", &s.discriminator)?;
        put("sensitivity", &s.sensitivity)?;
        put("polarity", &s.polarity)?;
    }
    Ok(out.into())
}

fn count(v: f64, what: &str) -> Result<usize, JsError> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
        Ok(v as usize)
    } else {
        Err(js_error(format!(
            "{what} = {v}: give a whole number of at least 0."
        )))
    }
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn token_ids(v: &JsValue) -> Result<Option<Vec<u32>>, JsError> {
    if absent(v) {
        return Ok(None);
    }
    if let Some(a) = v.dyn_ref::<Uint32Array>() {
        return Ok(Some(a.to_vec()));
    }
    if Array::is_array(v) {
        return Array::from(v)
            .iter()
            .enumerate()
            .map(|(row, x)| match x.as_f64() {
                Some(t) if t >= 0.0 && t.fract() == 0.0 && t <= u32::MAX as f64 => Ok(t as u32),
                _ => Err(js_error(format!(
                    "tokens: the entry for row {row} is not a token id (a whole number of at least 0)."
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some);
    }
    Err(js_error(
        "tokens must be a Uint32Array (or an array of token ids), one per row.",
    ))
}

fn advantage_values(v: &JsValue) -> Result<Option<Vec<f32>>, JsError> {
    if absent(v) {
        return Ok(None);
    }
    if let Some(a) = v.dyn_ref::<Float32Array>() {
        return Ok(Some(a.to_vec()));
    }
    let narrow = |x: f64, row: usize| -> Result<f32, JsError> {
        let a = x as f32;
        if a.is_finite() {
            Ok(a)
        } else {
            Err(js_error(format!(
                "advantages: the entry for row {row} is {x}; advantages must be finite numbers \
                 within the float32 range."
            )))
        }
    };
    if let Some(a) = v.dyn_ref::<Float64Array>() {
        return a
            .to_vec()
            .into_iter()
            .enumerate()
            .map(|(r, x)| narrow(x, r))
            .collect::<Result<Vec<_>, _>>()
            .map(Some);
    }
    if Array::is_array(v) {
        return Array::from(v)
            .iter()
            .enumerate()
            .map(|(r, x)| match x.as_f64() {
                Some(x) => narrow(x, r),
                None => Err(js_error(format!(
                    "advantages: the entry for row {r} is not a number."
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some);
    }
    Err(js_error(
        "advantages must be a Float32Array (or Float64Array, or an array of numbers): \
         one per row, or a single one for all rows.",
    ))
}
