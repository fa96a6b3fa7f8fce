//! Logit-slice parsers for JavaScript (docs/contract.md): the streamed path
//! for binary files (`readHeader` → [`SliceLayout`], whose methods decode
//! chunks of whole rows read with `Blob.slice`) and the whole-buffer path
//! (`parseSlice` → [`SliceData`], used for JSON and CSV). Each returns what
//! it found as one plain object (`info`), built with src/wasm/convert.rs.
//!
//! Errors are thrown as JavaScript `Error`s carrying the core's message
//! (src/wasm/convert.rs, `From<ParseError>`), code "slice". Two kinds also
//! carry what the page needs to let the person choose:
//! - `error.code === "confirm-bf16"`: a `|V2` .npy; call again with
//!   `{ confirmBf16: true }` once the person confirms it holds bfloat16;
//! - `error.code === "pick-tensor"` and `error.candidates` (array of tensor
//!   names): a .safetensors file whose logits tensor must be named
//!   (`{ logitsTensor: name }`).
//!
//! File offsets are returned as numbers (exact: files are below 2^53 bytes).

use super::convert::{self, code, object, option_object, size, whole, Error};
use crate::math::slice::{
    self, BinaryFormat, DecodeNotes, Endian, FileLayout, Header, Order, ParseError, ParseOptions,
    SideTensor, Slice, SliceKind, TensorEntry, TensorPick,
};
use js_sys::{Array, Float32Array, Float64Array, Reflect, Uint32Array};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const SLICE_TYPES: &str = r#"
export interface SliceTensor { name: string; dtype: string; shape: number[]; start: number; end: number }
export interface SliceLayoutInfo {
  format: ".npy" | ".safetensors"; rows: number; vocab: number;
  dtype: "float16" | "bfloat16" | "float32" | "float64"; endian: "little" | "big";
  order: "C" | "F"; strided: boolean; shape: number[]; rowBytes: number;
  dataStart: number; dataEnd: number; logitsName?: string; tokensName?: string;
  tokensRange?: [number, number]; advantagesName?: string; advantagesRange?: [number, number];
  tensors: SliceTensor[]; warnings: string[];
}
export type SliceHeader =
  | { kind: "ready"; layout: SliceLayout; info: SliceLayoutInfo }
  | { kind: "need"; bytes: number }
  | { kind: "text"; format: "JSON" | "CSV" };
export interface SliceInfo {
  format: string; rows: number; vocab: number; truncated: boolean; warnings: string[];
  tokens?: Uint32Array; advantages?: Float32Array;
  tailMass?: Float64Array; entropyBound?: Float64Array; listed?: Uint32Array;
  choice?: Uint32Array; tokenLabels?: string[];
}
export interface ParsedSlice { data: SliceData; info: SliceInfo }
"#;

/// A bad option (code "type"), naming it.
fn option_error(msg: impl Into<String>, field: &str) -> Error {
    Error::new(code::TYPE, msg).field(field)
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
/// (serde cannot tell left out from null, so the fields are read one by one.)
fn parse_options(v: &JsValue) -> Result<ParseOptions, Error> {
    let mut o = ParseOptions::default();
    let Some(obj) = option_object(v, &OPTION_KEYS, "Slice options")? else {
        return Ok(o);
    };
    let get = |k: &str| Reflect::get(&obj, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let confirm = get("confirmBf16");
    if !confirm.is_undefined() {
        o.confirm_bf16 = confirm.as_bool().ok_or_else(|| {
            option_error(
                "Slice option confirmBf16 must be true or false.",
                "confirmBf16",
            )
        })?;
    }
    let logits = get("logitsTensor");
    if !(logits.is_undefined() || logits.is_null()) {
        o.logits_tensor = Some(logits.as_string().ok_or_else(|| {
            option_error(
                "Slice option logitsTensor must be the name of a tensor (a string).",
                "logitsTensor",
            )
        })?);
    }
    o.tokens_tensor = pick(&get("tokensTensor"), "tokensTensor")?;
    o.advantages_tensor = pick(&get("advantagesTensor"), "advantagesTensor")?;
    Ok(o)
}

fn pick(v: &JsValue, key: &str) -> Result<TensorPick, Error> {
    if v.is_undefined() {
        Ok(TensorPick::Auto)
    } else if v.is_null() || v.as_bool() == Some(false) {
        Ok(TensorPick::Skip)
    } else if let Some(name) = v.as_string() {
        Ok(TensorPick::Named(name))
    } else {
        Err(option_error(
            format!(
                "Slice option {key} must be a tensor name, null (none) or left out (automatic)."
            ),
            key,
        ))
    }
}

fn num(v: impl Into<f64>) -> JsValue {
    JsValue::from_f64(v.into())
}

fn opt_str(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

fn range(start: u64, end: u64) -> JsValue {
    Array::of2(&num(start as f64), &num(end as f64)).into()
}

fn strings(v: &[String]) -> JsValue {
    v.iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

fn dims(shape: &[usize]) -> JsValue {
    shape
        .iter()
        .map(|&d| num(d as f64))
        .collect::<Array>()
        .into()
}

fn tensor_js(t: &TensorEntry) -> JsValue {
    object(&[
        ("name", t.name.as_str().into()),
        ("dtype", t.dtype.as_str().into()),
        ("shape", dims(&t.shape)),
        ("start", num(t.start as f64)),
        ("end", num(t.end as f64)),
    ])
}

fn side_range(s: &Option<SideTensor>) -> JsValue {
    s.as_ref()
        .map_or(JsValue::UNDEFINED, |t| range(t.start, t.end))
}

/// Everything the page needs to know about a binary file's layout.
fn layout_info(l: &FileLayout) -> JsValue {
    let (data_start, data_end) = l.data_range();
    object(&[
        (
            "format",
            match l.format {
                BinaryFormat::Npy => ".npy",
                BinaryFormat::Safetensors => ".safetensors",
            }
            .into(),
        ),
        ("rows", num(l.rows as f64)),
        ("vocab", num(l.vocab as f64)),
        ("dtype", l.dtype.name().into()),
        (
            "endian",
            match l.endian {
                Endian::Little => "little",
                Endian::Big => "big",
            }
            .into(),
        ),
        (
            "order",
            match l.order {
                Order::C => "C",
                Order::Fortran => "F",
            }
            .into(),
        ),
        ("strided", l.is_strided().into()),
        ("shape", dims(&l.shape)),
        ("rowBytes", num(l.row_bytes() as f64)),
        ("dataStart", num(data_start as f64)),
        ("dataEnd", num(data_end as f64)),
        ("logitsName", opt_str(l.logits_name.as_deref())),
        (
            "tokensName",
            opt_str(l.tokens.as_ref().map(|t| t.name.as_str())),
        ),
        ("tokensRange", side_range(&l.tokens)),
        (
            "advantagesName",
            opt_str(l.advantages.as_ref().map(|t| t.name.as_str())),
        ),
        ("advantagesRange", side_range(&l.advantages)),
        (
            "tensors",
            l.tensors.iter().map(tensor_js).collect::<Array>().into(),
        ),
        ("warnings", strings(&l.warnings)),
    ])
}

/// `readHeader(name, prefix, fileLen, options?)`: the header of a file of
/// `fileLen` bytes from its first bytes (64 KiB is usually enough).
///
/// Returns one of
/// - `{ kind: "ready", layout: SliceLayout, info }` (.npy, .safetensors), where
///   `info` is `{ format, rows, vocab, dtype, endian, order ("C" | "F"),
///   strided, shape, rowBytes, dataStart, dataEnd, logitsName?, tokensName?,
///   tokensRange?, advantagesName?, advantagesRange?, tensors: [{ name, dtype,
///   shape, start, end }], warnings }` (file offsets as numbers);
/// - `{ kind: "need", bytes }`: call again with at least the first `bytes` bytes;
/// - `{ kind: "text", format: "JSON" | "CSV" }`: read the whole file and call
///   `parseSlice`.
///
/// Checks the size limits, and that the file is exactly as long as its header says.
#[wasm_bindgen(js_name = readHeader, unchecked_return_type = "SliceHeader")]
pub fn read_header(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] prefix: JsValue,
    file_len: f64,
    options: JsValue,
) -> Result<JsValue, Error> {
    // Strings and bytes are checked here (see convert.rs: wasm-bindgen's own
    // conversions trap on a number, or read a string as zero bytes).
    let (name, prefix) = (
        convert::string(&name, "name")?,
        convert::bytes(&prefix, "prefix")?,
    );
    let (name, prefix) = (name.as_str(), prefix.as_slice());
    let file_len = whole(file_len, "fileLen")?;
    let opts = parse_options(&options)?;
    Ok(match slice::read_header(name, prefix, file_len, &opts)? {
        Header::Ready(layout) => object(&[
            ("kind", "ready".into()),
            ("info", layout_info(&layout)),
            (
                "layout",
                SliceLayout {
                    inner: *layout,
                    notes: RefCell::default(),
                }
                .into(),
            ),
        ]),
        Header::NeedBytes(n) => object(&[("kind", "need".into()), ("bytes", num(n as f64))]),
        Header::Text(format) => {
            object(&[("kind", "text".into()), ("format", format.name().into())])
        }
    })
}

/// Where the logits of a binary file are and how to decode them. Keep it to
/// reopen any row exactly: `file.slice(...layout.rowRange(r))` →
/// `layout.decodeRows(r, bytes)`.
#[wasm_bindgen]
pub struct SliceLayout {
    inner: FileLayout,
    /// What decoding float64 rows shifted, lost or found implausible.
    notes: RefCell<DecodeNotes>,
}

#[wasm_bindgen]
impl SliceLayout {
    /// Whole rows that fit in `maxBytes` (at least 1).
    #[wasm_bindgen(js_name = rowsPerChunk)]
    pub fn rows_per_chunk(&self, max_bytes: f64) -> Result<f64, Error> {
        let max = whole(max_bytes, "maxBytes")?;
        Ok(self.inner.rows_per_chunk(max) as f64)
    }

    /// `[start, end]`: the file bytes of row `row` (C order only).
    #[wasm_bindgen(js_name = rowRange)]
    pub fn row_range(&self, row: f64) -> Result<JsValue, Error> {
        let row = size(row, "row")?;
        let (s, e) = slice::row_byte_range(&self.inner, row)?;
        Ok(range(s, e))
    }

    /// Decodes `bytes` — whole rows starting at row `firstRow` — to a
    /// Float32Array (row-major). NaN, +∞ and all-masked rows are errors that
    /// name the row (counted in the whole file) and the column.
    #[wasm_bindgen(js_name = decodeRows)]
    pub fn decode_rows(
        &self,
        first_row: f64,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<Vec<f32>, Error> {
        let first = size(first_row, "firstRow")?;
        let mut out = Vec::new();
        let mut notes = self.notes.borrow_mut();
        slice::decode_rows(
            &self.inner,
            first,
            &convert::bytes(&bytes, "bytes")?,
            &mut out,
            &mut notes,
        )?;
        Ok(out)
    }

    /// Throws the core's error when `decodeAll` would refuse this layout for
    /// its size (a Fortran-order array over the limit), before anything is read.
    #[wasm_bindgen(js_name = checkDecodeAll)]
    pub fn check_decode_all(&self) -> Result<(), Error> {
        let values = self.inner.values();
        if self.inner.is_strided() && values > slice::FORTRAN_MAX_VALUES {
            return Err(ParseError::FortranTooLarge {
                values,
                limit: slice::FORTRAN_MAX_VALUES,
            }
            .into());
        }
        Ok(())
    }

    /// Decodes the whole data region (`dataStart..dataEnd` of the file) to
    /// row-major float32, transposing Fortran order.
    #[wasm_bindgen(js_name = decodeAll)]
    pub fn decode_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<Vec<f32>, Error> {
        Ok(slice::decode_all(
            &self.inner,
            &convert::bytes(&bytes, "bytes")?,
            &mut self.notes.borrow_mut(),
        )?)
    }

    /// Decodes the bytes of `tokensRange` to a Uint32Array (one id per row).
    #[wasm_bindgen(js_name = decodeTokens)]
    pub fn decode_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<Vec<u32>, Error> {
        Ok(slice::decode_tokens(
            &self.inner,
            &convert::bytes(&bytes, "bytes")?,
        )?)
    }

    /// Decodes the bytes of `advantagesRange` to a Float32Array (one per row;
    /// a single stored value is repeated).
    #[wasm_bindgen(js_name = decodeAdvantages)]
    pub fn decode_advantages(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<Vec<f32>, Error> {
        Ok(slice::decode_advantages(
            &self.inner,
            &convert::bytes(&bytes, "bytes")?,
        )?)
    }

    /// What decoding so far should tell the person (float64 rows shifted
    /// before narrowing, values lost, data that look like another dtype).
    #[wasm_bindgen(js_name = decodeWarnings, unchecked_return_type = "string[]")]
    pub fn decode_warnings(&self) -> JsValue {
        strings(&self.notes.borrow().warnings("float64 logits"))
    }
}

/// Everything the page needs to know about a parsed slice: `{ format, rows,
/// vocab, truncated, warnings, tokens?: Uint32Array, advantages?:
/// Float32Array }` and, for a top-logprobs slice, `{ tailMass, entropyBound
/// (Float64Array), listed, choice (Uint32Array), tokenLabels (the sampled
/// token's text per row) }`.
fn slice_info(s: &Slice) -> JsValue {
    let mut pairs: Vec<(&str, JsValue)> = vec![
        ("format", s.format.name().into()),
        ("rows", num(s.rows as f64)),
        ("vocab", num(s.vocab as f64)),
        ("truncated", s.is_truncated().into()),
        ("warnings", strings(&s.warnings)),
        (
            "tokens",
            s.tokens
                .as_deref()
                .map_or(JsValue::UNDEFINED, |t| Uint32Array::from(t).into()),
        ),
        (
            "advantages",
            s.advantages
                .as_deref()
                .map_or(JsValue::UNDEFINED, |a| Float32Array::from(a).into()),
        ),
    ];
    if let SliceKind::TopLogprobs(t) = &s.kind {
        let tail: Vec<f64> = (0..s.rows).map(|r| t.tail_mass(r)).collect();
        let listed: Vec<u32> = t.listed.iter().map(|&n| n as u32).collect();
        let choice: Vec<u32> = t.choice.iter().map(|&c| c as u32).collect();
        let labels: Array = (0..s.rows)
            .map(|r| {
                let k = s.tokens.as_ref().map_or(0, |tk| tk[r] as usize);
                JsValue::from_str(t.labels[r].get(k).map_or("", String::as_str))
            })
            .collect();
        pairs.extend([
            ("tailMass", Float64Array::from(&tail[..]).into()),
            (
                "entropyBound",
                Float64Array::from(&t.entropy_bound[..]).into(),
            ),
            ("listed", Uint32Array::from(&listed[..]).into()),
            ("choice", Uint32Array::from(&choice[..]).into()),
            ("tokenLabels", labels.into()),
        ]);
    }
    object(&pairs)
}

/// `parseSlice(name, bytes, options?)`: a whole file held in memory (any
/// format; JSON and CSV always come this way) → `{ data: SliceData, info }`
/// (`info` as described at [`slice_info`]).
#[wasm_bindgen(js_name = parseSlice, unchecked_return_type = "ParsedSlice")]
pub fn parse_slice(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    options: JsValue,
) -> Result<JsValue, Error> {
    let (name, bytes) = (
        convert::string(&name, "name")?,
        convert::bytes(&bytes, "bytes")?,
    );
    let (name, bytes) = (name.as_str(), bytes.as_slice());
    let opts = parse_options(&options)?;
    let inner = slice::parse_any_with(name, bytes, &opts)?;
    let info = slice_info(&inner);
    Ok(object(&[
        ("info", info),
        ("data", SliceData { inner }.into()),
    ]))
}

/// A parsed slice held in wasm memory: rows × vocab float32 logits (finite or
/// −Infinity), to read rows from.
#[wasm_bindgen]
pub struct SliceData {
    inner: Slice,
}

#[wasm_bindgen]
impl SliceData {
    /// `count` rows from `firstRow`, row-major (a copy).
    #[wasm_bindgen(js_name = rowsLogits)]
    pub fn rows_logits(&self, first_row: f64, count: f64) -> Result<Vec<f32>, Error> {
        let first = size(first_row, "firstRow")?;
        let count = size(count, "count")?;
        let rows = self.inner.rows;
        if first > rows || count > rows - first {
            return Err(Error::new(
                code::RANGE,
                format!(
                    "Rows {first} to {} asked for, but the slice has {rows} rows.",
                    first.saturating_add(count)
                ),
            )
            .field("count"));
        }
        let v = self.inner.vocab;
        Ok(self.inner.logits[first * v..(first + count) * v].to_vec())
    }

    /// Row `row`; for a truncated slice only its listed columns (no padding).
    pub fn row(&self, row: f64) -> Result<Vec<f32>, Error> {
        let r = self.check_row(row)?;
        let full = self.inner.row(r);
        Ok(match &self.inner.kind {
            SliceKind::TopLogprobs(t) => full[..t.listed[r].min(full.len())].to_vec(),
            SliceKind::Full => full.to_vec(),
        })
    }

    /// Truncated: the token text of each listed column of row `row`;
    /// undefined for a full slice.
    pub fn labels(&self, row: f64) -> Result<Option<Vec<String>>, Error> {
        let r = self.check_row(row)?;
        Ok(match &self.inner.kind {
            SliceKind::TopLogprobs(t) => Some(t.labels[r].clone()),
            SliceKind::Full => None,
        })
    }
}

impl SliceData {
    fn check_row(&self, row: f64) -> Result<usize, Error> {
        let r = size(row, "row")?;
        if r >= self.inner.rows {
            return Err(ParseError::RowOutOfRange {
                row: r,
                rows: self.inner.rows,
            }
            .into());
        }
        Ok(r)
    }
}
