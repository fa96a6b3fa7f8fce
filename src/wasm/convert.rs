//! The boundary convention: how every export in `src/wasm/` takes JavaScript
//! values in and hands results and errors back. New exports follow it; the
//! page and the tests rely on it (docs/contract.md).
//!
//! - **Errors.** Fallible exports return `Result<_, Error>`. An [`Error`]
//!   reaches JavaScript as a plain `Error` whose `message` says what to change,
//!   with two properties: `code` (a short stable string, see [`code`]) and,
//!   when one input is at fault, `field` (the argument or option name as the
//!   caller writes it, e.g. `"vocab"`). Make one with
//!   `Error::new(code::RANGE, message).field("vocab")`; add more properties
//!   with `.with("candidates", array)`. A core error converts with `?`
//!   through its `From` impl below (one per area: `CoreError`, the slice
//!   parsers' `ParseError`, the simulation's `SimError`, the run reader's
//!   `RunError`, the row kernel's `RowsError`); a new area adds its own here.
//!   Never convert to `JsError`: it keeps only the message.
//! - **Strings, bytes and id arrays** from JavaScript: take a `JsValue` and
//!   read it with [`string`], [`bytes`] or [`u32s`] (wasm-bindgen's own `&str`,
//!   `&[u8]` conversions read a number as garbage, a string as zero bytes, or trap).
//! - **Whole numbers** (counts, indices, byte offsets arrive as JS numbers):
//!   take an `f64`, never a Rust integer (wasm-bindgen turns −1, 2.5 or NaN
//!   into some integer without a word), and read it with
//!   [`whole`]`(value, "rows")`, [`size`]`(value, "row")` when it becomes a
//!   `usize`, or [`index`]`(value, "token", len)` when it must also be below
//!   a length. Nothing else checks `fract()` but `analyzeRows`' token ids
//!   (`rows.rs`: u32, each refused by its row).
//! - **Number arrays**: [`to_f64_vec`] (Float64Array, Float32Array or an
//!   array of numbers).
//! - **Options in**: a serde struct read by [`options`], which first refuses
//!   a key it does not know, by name (serde-wasm-bindgen asks only for the
//!   fields it knows, so `deny_unknown_fields` can never fire there). When
//!   serde cannot say what the options mean (left out, null and a name are
//!   three choices in `slice.rs`), [`option_object`] does the same checks and
//!   hands back the object to read field by field.
//! - **Results out**: [`object`]`(&[("key", value.into()), …])` builds a
//!   plain object. Bulk numbers go out as typed arrays
//!   (`Float64Array::from(&v[..]).into()`), everything else as JS values.
//!   serde is for options coming in, not for results going out.
//! - **Numbers quoted in messages**: `crate::math::format::js_number`, the
//!   notation a person can type back (docs/contract.md, "Numbers").

use crate::math::format::js_number;
use crate::math::rows::RowsError;
use crate::math::run::RunError;
use crate::math::simulate::SimError;
use crate::math::slice::ParseError;
use crate::math::CoreError;
use js_sys::{Float32Array, Float64Array, Object, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// The stable `code` values of thrown errors (the core adds its own, see
/// `CoreError::code`).
pub mod code {
    /// A value of the wrong JavaScript type (a string where a number goes…).
    pub const TYPE: &str = "type";
    /// A number outside its allowed range, or not whole where it must be.
    pub const RANGE: &str = "range";
    /// An options object with a key the export does not know.
    pub const UNKNOWN_OPTION: &str = "unknown-option";
    /// The canvas cannot be drawn on (too small, no 2D context).
    pub const CANVAS: &str = "canvas";
}

/// An error on its way to JavaScript (see the module documentation).
#[derive(Debug)]
pub struct Error {
    code: &'static str,
    field: Option<String>,
    message: String,
    extra: Vec<(&'static str, JsValue)>,
}

impl Error {
    /// An error with a stable `code` (see [`code`], or the area's own) and a
    /// message that says what to change.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            field: None,
            message: message.into(),
            extra: Vec::new(),
        }
    }

    /// Names the argument or option at fault (the JS `field` property).
    pub fn field(mut self, name: impl Into<String>) -> Self {
        self.field = Some(name.into());
        self
    }

    /// One more property on the thrown Error (e.g. a list of candidates).
    pub fn with(mut self, key: &'static str, value: impl Into<JsValue>) -> Self {
        self.extra.push((key, value.into()));
        self
    }

    /// The message as the `Error` will carry it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        let err = Error::new(e.code(), e.to_string());
        match e.field() {
            Some(f) => err.field(f),
            None => err,
        }
    }
}

/// The slice parsers' errors: code "slice", or a code the page acts on when
/// the person can fix the file by choosing: "confirm-bf16" (call again with
/// `{ confirmBf16: true }`) or "pick-tensor" with `candidates` (tensor names).
impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        let code = match &e {
            ParseError::ConfirmBf16 { .. } => "confirm-bf16",
            ParseError::AmbiguousTensor { .. }
            | ParseError::TensorNotFound { .. }
            | ParseError::NoFloatTensor { .. } => "pick-tensor",
            _ => "slice",
        };
        let mut err = Error::new(code, e.to_string());
        if let Some(names) = e.candidates() {
            let names: js_sys::Array = names.iter().map(|n| JsValue::from_str(n)).collect();
            err = err.with("candidates", names);
        }
        err
    }
}

/// The simulation's errors: its code, and the option at fault as `field`.
impl From<SimError> for Error {
    fn from(e: SimError) -> Self {
        let err = Error::new(e.code(), e.to_string());
        match e.option() {
            Some(o) => err.field(o),
            None => err,
        }
    }
}

/// The run reader's errors (docs/trace-format.md): `code` and `field` as
/// everywhere, plus `file`, `line` and `foreign`; absent facts are null.
impl From<RunError> for Error {
    fn from(e: RunError) -> Self {
        let file = if e.file.is_empty() {
            JsValue::NULL
        } else {
            e.file.as_str().into()
        };
        let line = e.line.map_or(JsValue::NULL, |l| (l as f64).into());
        let err = Error::new(e.code, e.to_string())
            .with("file", file)
            .with("line", line)
            .with("foreign", e.foreign);
        match e.field {
            Some(f) => err.field(f),
            None => err.with("field", JsValue::NULL),
        }
    }
}

/// What the row kernel refuses (NaN, +∞, all masked, lengths…): code "rows".
impl From<RowsError> for Error {
    fn from(e: RowsError) -> Self {
        Error::new("rows", e.to_string())
    }
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let err = js_sys::Error::new(&e.message);
        let mut props = vec![("code", JsValue::from_str(e.code))];
        if let Some(f) = e.field {
            props.push(("field", JsValue::from(f)));
        }
        props.extend(e.extra);
        set_all(&err, &props);
        err.into()
    }
}

fn set_all(target: &Object, entries: &[(&str, JsValue)]) {
    for (key, value) in entries {
        // Defining a string key on a fresh ordinary object (or Error) cannot
        // fail: Reflect.set only fails on frozen objects, setters and proxies.
        let _ = Reflect::set(target, &JsValue::from_str(key), value);
    }
}

/// A plain object with these properties, in this order.
pub fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    set_all(&o, entries);
    o.into()
}

/// A JS number that must be a whole number ≥ 0 (a count, an index, a byte
/// offset): finite, no fraction, at most 2^53 − 1.
pub fn whole(value: f64, name: &str) -> Result<u64, Error> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE {
        Ok(value as u64)
    } else {
        Err(Error::new(
            code::RANGE,
            format!(
                "{name} = {}: give a whole number of at least 0.",
                js_number(value)
            ),
        )
        .field(name))
    }
}

/// A whole number ≥ 0 used as a Rust size or position (a row, a count):
/// [`whole`], and small enough for `usize` (below 2³² in wasm32).
pub fn size(value: f64, name: &str) -> Result<usize, Error> {
    let n = whole(value, name)?;
    usize::try_from(n)
        .map_err(|_| Error::new(code::RANGE, format!("{name} = {n} is too large.")).field(name))
}

/// A whole number that must index something of length `len`.
pub fn index(value: f64, name: &str, len: usize) -> Result<usize, Error> {
    match whole(value, name) {
        Ok(i) if i < len as u64 => Ok(i as usize),
        _ => Err(Error::new(
            code::RANGE,
            format!(
                "{} {} does not exist: choose a whole number from 0 to {}.",
                capitalised(name),
                js_number(value),
                len.saturating_sub(1)
            ),
        )
        .field(name)),
    }
}

fn capitalised(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A JS string argument (wasm-bindgen's own `&str` conversion reads a
/// number or an object as garbage, or traps).
pub fn string(v: &JsValue, what: &str) -> Result<String, Error> {
    v.as_string().ok_or_else(|| {
        Error::new(
            code::TYPE,
            format!("{what} must be a string (got {}).", type_name(v)),
        )
        .field(what)
    })
}

/// A Uint8Array argument, copied (a string or an array is refused, not read
/// as zero bytes).
pub fn bytes(v: &JsValue, what: &str) -> Result<Vec<u8>, Error> {
    match v.dyn_ref::<js_sys::Uint8Array>() {
        Some(a) => Ok(a.to_vec()),
        None => Err(Error::new(
            code::TYPE,
            format!("{what} must be a Uint8Array of the file's bytes (got {}); encode text with new TextEncoder().encode(text).", type_name(v)),
        )
        .field(what)),
    }
}

/// A Uint32Array argument, or an array of whole numbers below 2³².
pub fn u32s(v: &JsValue, what: &str) -> Result<Vec<u32>, Error> {
    if let Some(a) = v.dyn_ref::<js_sys::Uint32Array>() {
        return Ok(a.to_vec());
    }
    if !js_sys::Array::is_array(v) {
        return Err(Error::new(
            code::TYPE,
            format!(
                "{what} must be a Uint32Array or an array of whole numbers (got {}).",
                type_name(v)
            ),
        )
        .field(what));
    }
    js_sys::Array::from(v)
        .iter()
        .enumerate()
        .map(|(i, x)| match x.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..4_294_967_296.0).contains(&n) => Ok(n as u32),
            _ => Err(Error::new(
                code::RANGE,
                format!("{what}[{i}] is not a whole number from 0 to 2³² − 1."),
            )
            .field(format!("{what}[{i}]"))),
        })
        .collect()
}

/// A number array argument: Float64Array, Float32Array or a plain array of
/// numbers (anything else is a `type` error naming `what`).
pub fn to_f64_vec(v: &JsValue, what: &str) -> Result<Vec<f64>, Error> {
    let type_error = |message: String| Error::new(code::TYPE, message).field(what);
    if let Some(a) = v.dyn_ref::<Float64Array>() {
        Ok(a.to_vec())
    } else if let Some(a) = v.dyn_ref::<Float32Array>() {
        Ok(a.to_vec().into_iter().map(f64::from).collect())
    } else if js_sys::Array::is_array(v) {
        js_sys::Array::from(v)
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_f64().ok_or_else(|| {
                    type_error(format!(
                        "{what}: entry {i} is not a number. Give numbers only."
                    ))
                })
            })
            .collect()
    } else {
        Err(type_error(format!(
            "{what} must be a Float64Array or Float32Array (or an array of numbers)."
        )))
    }
}

/// What a JS value is, for a message ("a number", "a string", "null").
pub fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if v.is_undefined() {
        "undefined".into()
    } else if js_sys::Array::is_array(v) {
        "an array".into()
    } else {
        match v.js_typeof().as_string().as_deref() {
            Some("object") => "an object".into(),
            Some(t) => format!("a {t}"),
            None => "a value".into(),
        }
    }
}

/// Reads an options object (undefined or null: every default) into `T`,
/// refusing keys outside `known` by name. `what` names the options in
/// messages, e.g. "Chart options".
pub fn options<T: DeserializeOwned + Default>(
    value: JsValue,
    known: &[&str],
    what: &str,
) -> Result<T, Error> {
    if option_object(&value, known, what)?.is_none() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| Error::new(code::TYPE, format!("{what}: {e}")))
}

/// The checks of [`options`] without serde: `None` for undefined or null
/// (every default), else the object, once it is one and holds no key
/// outside `known` (refused by name).
pub fn option_object(value: &JsValue, known: &[&str], what: &str) -> Result<Option<Object>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let Some(obj) = value.dyn_ref::<Object>() else {
        return Err(Error::new(
            code::TYPE,
            format!("{what} must be an object such as {{ {}: … }}.", known[0]),
        ));
    };
    if let Some(key) = unknown_key(obj, known) {
        return Err(Error::new(
            code::UNKNOWN_OPTION,
            format!(
                "{what}: unknown option \"{key}\"; the options are {}.",
                known.join(", ")
            ),
        )
        .field(key));
    }
    Ok(Some(obj.clone()))
}

/// The first own key of `obj` not in `known`.
pub fn unknown_key(obj: &Object, known: &[&str]) -> Option<String> {
    Object::keys(obj)
        .iter()
        .map(|k| k.as_string().unwrap_or_default())
        .find(|k| !known.contains(&k.as_str()))
}
