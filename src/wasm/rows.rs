//! `analyzeRows` (docs/contract.md): per-row statistics of a float32 logit slice.

use super::convert::{code, object, size, Error};
use crate::math::rows;
use js_sys::{Array, Float32Array, Float64Array, Uint32Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A bad argument (code "type"), naming it.
fn arg_error(msg: &str, field: &str) -> Error {
    Error::new(code::TYPE, msg).field(field)
}

#[wasm_bindgen(typescript_custom_section)]
const ROWS_TYPES: &str = r#"
/** analyzeRows: one entry per row; the last four only when tokens were given. */
export interface RowsAnalysis {
  entropy: Float64Array; meanDiscriminator: Float64Array;
  flipNudge: Float64Array; flipPolicyGradient: Float64Array;
  token?: Uint32Array; prob?: Float64Array; discriminator?: Float64Array;
  sensitivity?: Float64Array; polarity?: Float64Array;
}
"#;

/// `analyzeRows(logits, rows, vocab, tokens?, advantages?)`.
///
/// - `logits`: Float32Array of rows × vocab, row-major; −Infinity masks a token.
/// - `tokens`: Uint32Array (or array of whole numbers), the sampled token of
///   each row; or the string `"greedy"`: each row's most likely token.
/// - `advantages`: Float32Array, Float64Array or array of numbers; one per row
///   or a single one for all rows. Without it A = 1 (polarity = sensitivity).
///
/// Returns `{ entropy, meanDiscriminator, flipNudge, flipPolicyGradient }`,
/// each a Float64Array with one value per row, and, only when `tokens` is
/// given, `{ token, prob, discriminator, sensitivity, polarity }` for the
/// sampled token of each row (`token`: Uint32Array, the greedy token's column
/// with `"greedy"`). Without tokens those four keys are absent (not empty
/// arrays, not NaN). Bad input throws an Error that says what to fix.
#[wasm_bindgen(js_name = analyzeRows, unchecked_return_type = "RowsAnalysis")]
pub fn analyze_rows(
    logits: &JsValue,
    rows: f64,
    vocab: f64,
    tokens: JsValue,
    advantages: JsValue,
) -> Result<JsValue, Error> {
    let logits = logits.dyn_ref::<Float32Array>().ok_or_else(|| {
        arg_error(
            "logits must be a Float32Array of rows × vocab values (row-major).",
            "logits",
        )
    })?;
    let rows = size(rows, "rows")?;
    let vocab = size(vocab, "vocab")?;
    let tokens = token_ids(&tokens)?;
    let advantages = advantage_values(&advantages)?;
    rows::check_shape(logits.length() as usize, rows, vocab)?;
    // Copy the rows into wasm memory one at a time, just before they are
    // analysed (two row buffers, not a copy of the whole slice).
    let source = rows::CopiedRows::new(rows, vocab, |r, buffer| {
        let start = (r * vocab) as u32;
        logits.subarray(start, start + vocab as u32).copy_to(buffer)
    });
    let a = rows::analyze_rows_from(source, rows, vocab, tokens.as_ref(), advantages.as_deref())?;
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
    pub fn new(rows: f64, vocab: f64) -> Result<RowsBuffer, Error> {
        let rows = size(rows, "rows")?;
        let vocab = size(vocab, "vocab")?;
        let len = rows.checked_mul(vocab).ok_or_else(|| {
            Error::new(
                code::RANGE,
                format!("{rows} × {vocab} logits do not fit in memory."),
            )
        })?;
        rows::check_shape(len, rows, vocab)?;
        let mut logits = Vec::new();
        logits.try_reserve_exact(len).map_err(|_| {
            Error::new(
                code::RANGE,
                format!(
                    "Cannot allocate {:.0} MB for {rows} × {vocab} logits in WebAssembly memory \
                 (at most 4 GB in all): analyse fewer rows at a time.",
                    len as f64 * 4.0 / 1e6
                ),
            )
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
    pub fn analyze(&self, tokens: JsValue, advantages: JsValue) -> Result<JsValue, Error> {
        let tokens = token_ids(&tokens)?;
        let advantages = advantage_values(&advantages)?;
        let source = rows::SliceRows {
            logits: &self.logits,
            vocab: self.vocab,
        };
        let a = rows::analyze_rows_from(
            source,
            self.rows,
            self.vocab,
            tokens.as_ref(),
            advantages.as_deref(),
        )?;
        to_js(&a)
    }
}

/// `{ entropy, meanDiscriminator, flipNudge, flipPolicyGradient[, token,
/// prob, discriminator, sensitivity, polarity] }`: Float64Arrays (token:
/// Uint32Array); the token keys are absent without tokens.
fn to_js(a: &rows::RowsAnalysis) -> Result<JsValue, Error> {
    let col = |v: &[f64]| JsValue::from(Float64Array::from(v));
    let mut entries = vec![
        ("entropy", col(&a.entropy)),
        ("meanDiscriminator", col(&a.mean_discriminator)),
        ("flipNudge", col(&a.flip_nudge)),
        ("flipPolicyGradient", col(&a.flip_pg)),
    ];
    if let Some(s) = &a.sampled {
        entries.extend([
            ("token", Uint32Array::from(&s.token[..]).into()),
            ("prob", col(&s.prob)),
            ("discriminator", col(&s.discriminator)),
            ("sensitivity", col(&s.sensitivity)),
            ("polarity", col(&s.polarity)),
        ]);
    }
    Ok(object(&entries))
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// The `tokens` argument, owned: none, given ids, or `"greedy"`.
enum TokenArg {
    None,
    Given(Vec<u32>),
    Greedy,
}

impl TokenArg {
    fn as_ref(&self) -> rows::Tokens<'_> {
        match self {
            TokenArg::None => rows::Tokens::None,
            TokenArg::Given(t) => rows::Tokens::Given(t),
            TokenArg::Greedy => rows::Tokens::Greedy,
        }
    }
}

fn token_ids(v: &JsValue) -> Result<TokenArg, Error> {
    if absent(v) {
        return Ok(TokenArg::None);
    }
    if v.as_string().as_deref() == Some("greedy") {
        return Ok(TokenArg::Greedy);
    }
    if let Some(a) = v.dyn_ref::<Uint32Array>() {
        return Ok(TokenArg::Given(a.to_vec()));
    }
    if Array::is_array(v) {
        return Array::from(v)
            .iter()
            .enumerate()
            .map(|(row, x)| match x.as_f64() {
                Some(t) if t >= 0.0 && t.fract() == 0.0 && t <= u32::MAX as f64 => Ok(t as u32),
                _ => Err(Error::new(code::TYPE, format!(
                    "tokens: the entry for row {row} is not a token id (a whole number of at least 0)."
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TokenArg::Given);
    }
    Err(Error::new(
        code::TYPE,
        "tokens must be a Uint32Array (or an array of token ids), one per row, or \"greedy\".",
    ))
}

fn advantage_values(v: &JsValue) -> Result<Option<Vec<f32>>, Error> {
    if absent(v) {
        return Ok(None);
    }
    if let Some(a) = v.dyn_ref::<Float32Array>() {
        return Ok(Some(a.to_vec()));
    }
    let narrow = |x: f64, row: usize| -> Result<f32, Error> {
        let a = x as f32;
        if a.is_finite() {
            Ok(a)
        } else {
            Err(Error::new(
                code::RANGE,
                format!(
                "advantages: the entry for row {row} is {x}; advantages must be finite numbers \
                 within the float32 range."
            ),
            ))
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
                None => Err(Error::new(
                    code::RANGE,
                    format!("advantages: the entry for row {r} is not a number."),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some);
    }
    Err(Error::new(
        code::TYPE,
        "advantages must be a Float32Array (or Float64Array, or an array of numbers): \
         one per row, or a single one for all rows.",
    ))
}
