//! Logit-slice parsers for JavaScript (docs/contract.md, "Slices"): the streamed path for binary
//! files (`readHeader` → [`SliceLayout`], whose methods decode chunks of whole
//! rows read with `Blob.slice`) and the whole-buffer path (`parseSlice` →
//! [`SliceData`], used for JSON and CSV).
//!
//! Errors are thrown as JavaScript `Error`s carrying the core's message. Two
//! kinds also carry what the page needs to let the person choose:
//! - `error.code === "confirm-bf16"`: a `|V2` .npy; call again with
//!   `{ confirmBf16: true }` once the person confirms it holds bfloat16;
//! - `error.code === "pick-tensor"` and `error.candidates` (array of tensor
//!   names): a .safetensors file whose logits tensor must be named
//!   (`{ logitsTensor: name }`).
//!
//! File offsets are returned as numbers (exact: files are below 2^53 bytes).

use super::{js_error, unknown_key};
use crate::core::slice::{
    self, BinaryFormat, Endian, Header, Layout, Order, ParseError, ParseOptions, SideTensor, Slice,
    SliceKind, TensorEntry, TensorList, TensorPick,
};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A parse error as a JavaScript `Error`, with `code` and `candidates` when
/// the person can fix it by choosing (see the module documentation).
fn slice_error(e: ParseError) -> JsValue {
    let err: JsValue = js_error(&e).into();
    let code = match &e {
        ParseError::ConfirmBf16 { .. } => Some("confirm-bf16"),
        ParseError::AmbiguousTensor { .. }
        | ParseError::TensorNotFound { .. }
        | ParseError::NoFloatTensor { .. } => Some("pick-tensor"),
        _ => None,
    };
    if let Some(code) = code {
        let _ = Reflect::set(&err, &"code".into(), &code.into());
    }
    if let Some(names) = e.candidates() {
        let list: Array = names.iter().map(|n| JsValue::from_str(n)).collect();
        let _ = Reflect::set(&err, &"candidates".into(), &list);
    }
    err
}

/// Plain Error (no code) for bad arguments from JavaScript.
fn arg_error(msg: impl std::fmt::Display) -> JsValue {
    js_error(msg).into()
}

const OPTION_KEYS: [&str; 4] = [
    "confirmBf16",
    "logitsTensor",
    "tokensTensor",
    "advantagesTensor",
];

/// `{ confirmBf16?: boolean, logitsTensor?: string, tokensTensor?: string | null,
///    advantagesTensor?: string | null }`. For the two side tensors: left out
/// (or `undefined`) = the conventional name if present, `null` or `false` =
/// do not read one, a string = that tensor.
fn parse_options(v: &JsValue) -> Result<ParseOptions, JsValue> {
    let mut o = ParseOptions::default();
    if v.is_undefined() || v.is_null() {
        return Ok(o);
    }
    let obj = v.dyn_ref::<Object>().ok_or_else(|| {
        arg_error("Slice options must be an object such as { confirmBf16: true }.")
    })?;
    if let Some(key) = unknown_key(obj, &OPTION_KEYS) {
        return Err(arg_error(format!(
            "Slice options: unknown option \"{key}\"; the options are {}.",
            OPTION_KEYS.join(", ")
        )));
    }
    let get = |k: &str| Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let confirm = get("confirmBf16");
    if !confirm.is_undefined() {
        o.confirm_bf16 = confirm
            .as_bool()
            .ok_or_else(|| arg_error("Slice option confirmBf16 must be true or false."))?;
    }
    let logits = get("logitsTensor");
    if !(logits.is_undefined() || logits.is_null()) {
        o.logits_tensor = Some(logits.as_string().ok_or_else(|| {
            arg_error("Slice option logitsTensor must be the name of a tensor (a string).")
        })?);
    }
    o.tokens_tensor = pick(&get("tokensTensor"), "tokensTensor")?;
    o.advantages_tensor = pick(&get("advantagesTensor"), "advantagesTensor")?;
    Ok(o)
}

fn pick(v: &JsValue, key: &str) -> Result<TensorPick, JsValue> {
    if v.is_undefined() {
        Ok(TensorPick::Auto)
    } else if v.is_null() || v.as_bool() == Some(false) {
        Ok(TensorPick::Skip)
    } else if let Some(name) = v.as_string() {
        Ok(TensorPick::Named(name))
    } else {
        Err(arg_error(format!(
            "Slice option {key} must be a tensor name, null (none) or left out (automatic)."
        )))
    }
}

/// A file length or offset from JavaScript: a whole number ≥ 0.
fn byte_count(v: f64, what: &str) -> Result<u64, JsValue> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 {
        Ok(v as u64)
    } else {
        Err(arg_error(format!(
            "{what} = {v}: give a whole number of bytes (at least 0)."
        )))
    }
}

fn index(v: f64, what: &str) -> Result<usize, JsValue> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
        Ok(v as usize)
    } else {
        Err(arg_error(format!(
            "{what} = {v}: give a whole number of at least 0."
        )))
    }
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &key.into(), &value.into());
}

fn range(start: u64, end: u64) -> Array {
    Array::of2(&(start as f64).into(), &(end as f64).into())
}

fn strings(v: &[String]) -> Array {
    v.iter().map(|s| JsValue::from_str(s)).collect()
}

fn tensor_js(t: &TensorEntry) -> JsValue {
    let o = Object::new();
    set(&o, "name", t.name.as_str());
    set(&o, "dtype", t.dtype.as_str());
    let shape: Array = t.shape.iter().map(|&d| JsValue::from(d as f64)).collect();
    set(&o, "shape", shape);
    set(&o, "start", t.start as f64);
    set(&o, "end", t.end as f64);
    o.into()
}

/// `readHeader(name, prefix, fileLen, options?)`: the header of a file of
/// `fileLen` bytes from its first bytes (64 KiB is usually enough).
///
/// Returns one of
/// - `{ kind: "ready", layout: SliceLayout }` (.npy, .safetensors);
/// - `{ kind: "need", bytes }`: call again with at least the first `bytes` bytes;
/// - `{ kind: "text", format: "JSON" | "CSV" }`: read the whole file and call
///   `parseSlice`.
///
/// Checks the size limits, and that the file is exactly as long as its header says.
#[wasm_bindgen(js_name = readHeader)]
pub fn read_header(
    name: &str,
    prefix: &[u8],
    file_len: f64,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let file_len = byte_count(file_len, "fileLen")?;
    let opts = parse_options(&options)?;
    let out = Object::new();
    match slice::read_header(name, prefix, file_len, &opts).map_err(slice_error)? {
        Header::Ready(layout) => {
            set(&out, "kind", "ready");
            set(&out, "layout", SliceLayout { inner: *layout });
        }
        Header::NeedBytes(n) => {
            set(&out, "kind", "need");
            set(&out, "bytes", n as f64);
        }
        Header::Text(format) => {
            set(&out, "kind", "text");
            set(&out, "format", format.name());
        }
    }
    Ok(out.into())
}

/// `listTensors(prefix, fileLen)`: every tensor of a .safetensors file,
/// whatever its dtype: `{ kind: "ready", tensors: [{ name, dtype, shape,
/// start, end }] }` or `{ kind: "need", bytes }`.
#[wasm_bindgen(js_name = listTensors)]
pub fn list_tensors(prefix: &[u8], file_len: f64) -> Result<JsValue, JsValue> {
    let file_len = byte_count(file_len, "fileLen")?;
    let out = Object::new();
    match slice::list_tensors(prefix, file_len).map_err(slice_error)? {
        TensorList::Ready(list) => {
            set(&out, "kind", "ready");
            let arr: Array = list.iter().map(tensor_js).collect();
            set(&out, "tensors", arr);
        }
        TensorList::NeedBytes(n) => {
            set(&out, "kind", "need");
            set(&out, "bytes", n as f64);
        }
    }
    Ok(out.into())
}

/// `sliceLimits()`: `{ binaryMaxBytes, textMaxBytes, fortranMaxValues }`.
#[wasm_bindgen(js_name = sliceLimits)]
pub fn slice_limits() -> JsValue {
    let o = Object::new();
    set(&o, "binaryMaxBytes", slice::BINARY_MAX_BYTES as f64);
    set(&o, "textMaxBytes", slice::TEXT_MAX_BYTES as f64);
    set(&o, "fortranMaxValues", slice::FORTRAN_MAX_VALUES as f64);
    o.into()
}

/// Where the logits of a binary file are and how to decode them. Keep it to
/// reopen any row exactly: `file.slice(...layout.rowRange(r))` →
/// `layout.decodeRows(r, bytes)`.
#[wasm_bindgen]
pub struct SliceLayout {
    inner: Layout,
}

fn side_range(s: &Option<SideTensor>) -> JsValue {
    match s {
        Some(t) => range(t.start, t.end).into(),
        None => JsValue::UNDEFINED,
    }
}

#[wasm_bindgen]
impl SliceLayout {
    /// "npy" | "safetensors".
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        match self.inner.format {
            BinaryFormat::Npy => "npy".into(),
            BinaryFormat::Safetensors => "safetensors".into(),
        }
    }

    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> f64 {
        self.inner.rows as f64
    }

    #[wasm_bindgen(getter)]
    pub fn vocab(&self) -> f64 {
        self.inner.vocab as f64
    }

    /// "float16" | "bfloat16" | "float32" | "float64".
    #[wasm_bindgen(getter)]
    pub fn dtype(&self) -> String {
        self.inner.dtype.name().into()
    }

    /// "little" | "big".
    #[wasm_bindgen(getter)]
    pub fn endian(&self) -> String {
        match self.inner.endian {
            Endian::Little => "little".into(),
            Endian::Big => "big".into(),
        }
    }

    /// "C" (row-major) | "F" (Fortran, column-major).
    #[wasm_bindgen(getter)]
    pub fn order(&self) -> String {
        match self.inner.order {
            Order::C => "C".into(),
            Order::Fortran => "F".into(),
        }
    }

    /// True when rows are not contiguous (Fortran order): use `decodeAll`.
    #[wasm_bindgen(getter)]
    pub fn strided(&self) -> bool {
        self.inner.is_strided()
    }

    /// The shape as stored (before leading 1s are dropped).
    #[wasm_bindgen(getter)]
    pub fn shape(&self) -> Array {
        self.inner
            .shape
            .iter()
            .map(|&d| JsValue::from(d as f64))
            .collect()
    }

    /// Bytes of one row.
    #[wasm_bindgen(getter, js_name = rowBytes)]
    pub fn row_bytes(&self) -> f64 {
        self.inner.row_bytes() as f64
    }

    /// First byte of the logits in the file.
    #[wasm_bindgen(getter, js_name = dataStart)]
    pub fn data_start(&self) -> f64 {
        self.inner.data_range().0 as f64
    }

    /// One past the last byte of the logits.
    #[wasm_bindgen(getter, js_name = dataEnd)]
    pub fn data_end(&self) -> f64 {
        self.inner.data_range().1 as f64
    }

    #[wasm_bindgen(getter, js_name = headerBytes)]
    pub fn header_bytes(&self) -> f64 {
        self.inner.header_len as f64
    }

    #[wasm_bindgen(getter, js_name = fileBytes)]
    pub fn file_bytes(&self) -> f64 {
        self.inner.file_len as f64
    }

    /// safetensors: the logits tensor's name; undefined for .npy.
    #[wasm_bindgen(getter, js_name = logitsName)]
    pub fn logits_name(&self) -> Option<String> {
        self.inner.logits_name.clone()
    }

    /// `[start, end]` of the token-id tensor, or undefined.
    #[wasm_bindgen(getter, js_name = tokensRange)]
    pub fn tokens_range(&self) -> JsValue {
        side_range(&self.inner.tokens)
    }

    #[wasm_bindgen(getter, js_name = tokensName)]
    pub fn tokens_name(&self) -> Option<String> {
        self.inner.tokens.as_ref().map(|t| t.name.clone())
    }

    /// `[start, end]` of the advantages tensor, or undefined.
    #[wasm_bindgen(getter, js_name = advantagesRange)]
    pub fn advantages_range(&self) -> JsValue {
        side_range(&self.inner.advantages)
    }

    #[wasm_bindgen(getter, js_name = advantagesName)]
    pub fn advantages_name(&self) -> Option<String> {
        self.inner.advantages.as_ref().map(|t| t.name.clone())
    }

    /// safetensors: every tensor `{ name, dtype, shape, start, end }`; empty for .npy.
    #[wasm_bindgen(getter)]
    pub fn tensors(&self) -> Array {
        self.inner.tensors.iter().map(tensor_js).collect()
    }

    /// Things the person should know that did not stop the parse.
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> Array {
        strings(&self.inner.warnings)
    }

    /// Whole rows that fit in `maxBytes` (at least 1).
    #[wasm_bindgen(js_name = rowsPerChunk)]
    pub fn rows_per_chunk(&self, max_bytes: f64) -> Result<f64, JsValue> {
        let max = byte_count(max_bytes, "maxBytes")?;
        Ok(self.inner.rows_per_chunk(max) as f64)
    }

    /// `[start, end]`: the file bytes of row `row` (C order only).
    #[wasm_bindgen(js_name = rowRange)]
    pub fn row_range(&self, row: f64) -> Result<Array, JsValue> {
        let row = index(row, "row")?;
        let (s, e) = slice::row_byte_range(&self.inner, row).map_err(slice_error)?;
        Ok(range(s, e))
    }

    /// Decodes `bytes` — whole rows starting at row `firstRow` — to a
    /// Float32Array (row-major). NaN, +∞ and all-masked rows are errors that
    /// name the row (counted in the whole file) and the column.
    #[wasm_bindgen(js_name = decodeRows)]
    pub fn decode_rows(&self, first_row: f64, bytes: &[u8]) -> Result<Vec<f32>, JsValue> {
        let first = index(first_row, "firstRow")?;
        let mut out = Vec::new();
        slice::decode_rows(&self.inner, first, bytes, &mut out).map_err(slice_error)?;
        Ok(out)
    }

    /// Throws the core's error when `decodeAll` would refuse this layout for
    /// its size (a Fortran-order array over the limit), before anything is read.
    #[wasm_bindgen(js_name = checkDecodeAll)]
    pub fn check_decode_all(&self) -> Result<(), JsValue> {
        let values = self.inner.values();
        if self.inner.is_strided() && values > slice::FORTRAN_MAX_VALUES {
            return Err(slice_error(ParseError::FortranTooLarge {
                values,
                limit: slice::FORTRAN_MAX_VALUES,
            }));
        }
        Ok(())
    }

    /// Decodes the whole data region (`dataStart..dataEnd` of the file) to
    /// row-major float32, transposing Fortran order.
    #[wasm_bindgen(js_name = decodeAll)]
    pub fn decode_all(&self, bytes: &[u8]) -> Result<Vec<f32>, JsValue> {
        slice::decode_all(&self.inner, bytes).map_err(slice_error)
    }

    /// Decodes the bytes of `tokensRange` to a Uint32Array (one id per row).
    #[wasm_bindgen(js_name = decodeTokens)]
    pub fn decode_tokens(&self, bytes: &[u8]) -> Result<Vec<u32>, JsValue> {
        slice::decode_tokens(&self.inner, bytes).map_err(slice_error)
    }

    /// Decodes the bytes of `advantagesRange` to a Float32Array (one per row;
    /// a single stored value is repeated).
    #[wasm_bindgen(js_name = decodeAdvantages)]
    pub fn decode_advantages(&self, bytes: &[u8]) -> Result<Vec<f32>, JsValue> {
        slice::decode_advantages(&self.inner, bytes).map_err(slice_error)
    }
}

/// `parseSlice(name, bytes, options?)`: a whole file held in memory (any
/// format; JSON and CSV always come this way) → [`SliceData`].
#[wasm_bindgen(js_name = parseSlice)]
pub fn parse_slice(name: &str, bytes: &[u8], options: JsValue) -> Result<SliceData, JsValue> {
    let opts = parse_options(&options)?;
    let inner = slice::parse_any_with(name, bytes, &opts).map_err(slice_error)?;
    Ok(SliceData { inner })
}

/// A parsed slice held in wasm memory: rows × vocab float32 logits (finite or
/// −Infinity), optional tokens and advantages, and for a top-logprobs response
/// the truncation detail.
#[wasm_bindgen]
pub struct SliceData {
    inner: Slice,
}

#[wasm_bindgen]
impl SliceData {
    /// ".npy" | ".safetensors" | "JSON" | "CSV".
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.inner.format.name().into()
    }

    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> f64 {
        self.inner.rows as f64
    }

    #[wasm_bindgen(getter)]
    pub fn vocab(&self) -> f64 {
        self.inner.vocab as f64
    }

    /// True for a top-logprobs slice: each row lists only the top tokens
    /// (their logprobs, padded with −Infinity to the longest row).
    #[wasm_bindgen(getter)]
    pub fn truncated(&self) -> bool {
        self.inner.is_truncated()
    }

    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> Array {
        strings(&self.inner.warnings)
    }

    /// All logits, row-major (a copy).
    pub fn logits(&self) -> Vec<f32> {
        self.inner.logits.clone()
    }

    /// `count` rows from `firstRow`, row-major (a copy).
    #[wasm_bindgen(js_name = rowsLogits)]
    pub fn rows_logits(&self, first_row: f64, count: f64) -> Result<Vec<f32>, JsValue> {
        let first = index(first_row, "firstRow")?;
        let count = index(count, "count")?;
        let rows = self.inner.rows;
        if first > rows || count > rows - first {
            return Err(arg_error(format!(
                "Rows {first} to {} asked for, but the slice has {rows} rows.",
                first.saturating_add(count)
            )));
        }
        let v = self.inner.vocab;
        Ok(self.inner.logits[first * v..(first + count) * v].to_vec())
    }

    /// Row `row`; for a truncated slice only its listed columns (no padding).
    pub fn row(&self, row: f64) -> Result<Vec<f32>, JsValue> {
        let r = self.check_row(row)?;
        let full = self.inner.row(r);
        Ok(match &self.inner.kind {
            SliceKind::TopLogprobs(t) => full[..t.listed[r].min(full.len())].to_vec(),
            SliceKind::Full => full.to_vec(),
        })
    }

    /// Sampled token per row (column index), or undefined.
    pub fn tokens(&self) -> Option<Vec<u32>> {
        self.inner.tokens.clone()
    }

    /// Advantage per row, or undefined.
    pub fn advantages(&self) -> Option<Vec<f32>> {
        self.inner.advantages.clone()
    }

    /// Truncated: Σ exp(logprob) of the listed tokens per row; undefined otherwise.
    #[wasm_bindgen(js_name = listedMass)]
    pub fn listed_mass(&self) -> Option<Vec<f64>> {
        match &self.inner.kind {
            SliceKind::TopLogprobs(t) => Some(t.listed_mass.clone()),
            SliceKind::Full => None,
        }
    }

    /// Truncated: the missing probability 1 − listed mass per row (≥ 0); undefined otherwise.
    #[wasm_bindgen(js_name = tailMass)]
    pub fn tail_mass(&self) -> Option<Vec<f64>> {
        match &self.inner.kind {
            SliceKind::TopLogprobs(t) => {
                Some((0..self.inner.rows).map(|r| t.tail_mass(r)).collect())
            }
            SliceKind::Full => None,
        }
    }

    /// Truncated: listed (non-padding) columns per row; undefined otherwise.
    pub fn listed(&self) -> Option<Vec<u32>> {
        match &self.inner.kind {
            SliceKind::TopLogprobs(t) => Some(t.listed.iter().map(|&n| n as u32).collect()),
            SliceKind::Full => None,
        }
    }

    /// Truncated: 1 where the sampled token was outside the top list and was
    /// appended as the last listed column; undefined otherwise.
    #[wasm_bindgen(js_name = sampledAppended)]
    pub fn sampled_appended(&self) -> Option<Vec<u8>> {
        match &self.inner.kind {
            SliceKind::TopLogprobs(t) => {
                Some(t.sampled_appended.iter().map(|&b| b as u8).collect())
            }
            SliceKind::Full => None,
        }
    }

    /// Truncated: the token text of each listed column of row `row`;
    /// undefined for a full slice.
    pub fn labels(&self, row: f64) -> Result<Option<Vec<String>>, JsValue> {
        let r = self.check_row(row)?;
        Ok(match &self.inner.kind {
            SliceKind::TopLogprobs(t) => Some(t.labels[r].clone()),
            SliceKind::Full => None,
        })
    }
}

impl SliceData {
    fn check_row(&self, row: f64) -> Result<usize, JsValue> {
        let r = index(row, "row")?;
        if r >= self.inner.rows {
            return Err(slice_error(ParseError::RowOutOfRange {
                row: r,
                rows: self.inner.rows,
            }));
        }
        Ok(r)
    }
}
