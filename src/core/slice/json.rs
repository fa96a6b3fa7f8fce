//! JSON uploads:
//! - `[z0, z1, …]` (one row) or `[[…], […], …]` (rows × vocab);
//! - `{"logits": one of the above, "tokens": [ids], "advantages": number or [per row]}`;
//! - OpenAI-compatible logprobs, as vLLM and others serve them: chat
//!   `choices[].logprobs.content[] = {token, logprob, top_logprobs: [{token, logprob}]}`
//!   and completions `choices[].logprobs = {tokens, token_logprobs, top_logprobs: [{token: logprob}]}`
//!   (also the inner `logprobs` object, or the `content` list, on its own).
//!
//! Logit arrays are streamed by a serde visitor straight into a `Vec<f32>`
//! (a `serde_json::Value` per number would take ~10× the file size); the
//! small OpenAI shapes go through `Value`.
//!
//! Numbers: `null` is a masked token (−∞), counted in a warning; the strings
//! "-inf"/"-Infinity" are masked too; Python's non-standard `NaN`,
//! `Infinity`, `-Infinity` literals are accepted, and NaN/+∞ are then refused
//! naming the row and column.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{strip_bom, Format, ParseError, Slice, SliceKind, TopLogprobs};

pub(super) fn parse(bytes: &[u8]) -> Result<Slice, ParseError> {
    let bytes = strip_bom(bytes);
    let sanitized = sanitize(bytes);
    let text = sanitized.as_deref().unwrap_or(bytes);
    let mut acc = Acc::default();
    let mut de = serde_json::Deserializer::from_slice(text);
    let top = TopSeed { acc: &mut acc }.deserialize(&mut de);
    let top = match top.and_then(|t| de.end().map(|_| t)) {
        Ok(t) => t,
        Err(e) => return Err(acc.error.take().unwrap_or_else(|| json_err(&e))),
    };
    let mut warnings = Vec::new();
    if sanitized.is_some() {
        warnings.push(
            "The file uses NaN/Infinity literals (Python's json.dumps); they were read as numbers (JSON itself has no such literals).".into(),
        );
    }
    match top {
        Top::Numbers | Top::Rows => full_slice(acc, None, None, warnings),
        Top::Objects(items) => {
            let mut b = TopBuilder::new(warnings);
            chat_content(&items, 0, &mut b)?;
            b.finish()
        }
        Top::Object(obj) => object(acc, obj, warnings),
        Top::Scalar(what) => Err(ParseError::JsonShape { found: what.into() }),
    }
}

fn json_err(e: &serde_json::Error) -> ParseError {
    let text = e.to_string();
    let reason = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    let reason = if e.is_eof() {
        format!("it ends too early ({reason}); the file may be cut off")
    } else {
        reason
    };
    ParseError::Json {
        line: e.line(),
        column: e.column(),
        reason,
    }
}

/// Python's `json.dumps` writes `NaN`, `Infinity`, `-Infinity` (not JSON):
/// quote them so serde_json reads them as strings, which the number reader
/// understands. `None` when the text has none (no copy).
fn sanitize(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let (mut in_str, mut esc) = (false, false);
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_str {
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_str = true;
            i += 1;
            continue;
        }
        let lit: Option<&[u8]> = [&b"-Infinity"[..], b"Infinity", b"NaN"]
            .into_iter()
            .find(|l| bytes[i..].starts_with(l));
        if let Some(l) = lit {
            let o = out.get_or_insert_with(|| Vec::with_capacity(bytes.len() + 64));
            o.extend_from_slice(&bytes[copied..i]);
            o.push(b'"');
            o.extend_from_slice(l);
            o.push(b'"');
            i += l.len();
            copied = i;
        } else {
            i += 1;
        }
    }
    let mut o = out?;
    o.extend_from_slice(&bytes[copied..]);
    Some(o)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
enum Mode {
    #[default]
    Unknown,
    /// A flat array of numbers: one row.
    Flat,
    /// An array of arrays.
    Nested,
    /// An array of objects (chat `content` list).
    Objects,
}

/// Logits read so far.
#[derive(Default)]
struct Acc {
    data: Vec<f32>,
    lens: Vec<usize>,
    nulls: usize,
    mode: Mode,
    seen_logits: bool,
    /// A structured error found inside the visitor (serde only carries text).
    error: Option<ParseError>,
}

impl Acc {
    fn fail<E: de::Error>(&mut self, e: ParseError) -> E {
        let msg = e.to_string();
        self.error = Some(e);
        E::custom(msg)
    }

    fn set_mode<E: de::Error>(&mut self, m: Mode) -> Result<(), E> {
        if self.mode == Mode::Unknown {
            self.mode = m;
        }
        if self.mode != m {
            let found = format!(
                "an array mixing {} and {}",
                mode_name(self.mode),
                mode_name(m)
            );
            return Err(self.fail(ParseError::JsonShape { found }));
        }
        Ok(())
    }
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Flat | Mode::Unknown => "numbers",
        Mode::Nested => "arrays",
        Mode::Objects => "objects",
    }
}

/// A JSON scalar → logit. `None`: not a number (bool, other text).
fn special(s: &str) -> Option<f32> {
    match s.trim().to_ascii_lowercase().as_str() {
        "-inf" | "-infinity" => Some(f32::NEG_INFINITY),
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f32::INFINITY),
        "nan" | "-nan" | "+nan" => Some(f32::NAN),
        _ => None,
    }
}

enum Top {
    Numbers,
    Rows,
    Objects(Vec<Value>),
    Object(Obj),
    Scalar(&'static str),
}

#[derive(Default)]
struct Obj {
    logits: bool,
    tokens: Option<Value>,
    advantages: Option<Value>,
    choices: Option<Value>,
    content: Option<Value>,
    top_logprobs: Option<Value>,
    token_logprobs: Option<Value>,
    keys: Vec<String>,
}

struct TopSeed<'a> {
    acc: &'a mut Acc,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Top;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(TopVisitor { acc: self.acc })
    }
}

struct TopVisitor<'a> {
    acc: &'a mut Acc,
}

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = Top;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of logits or an object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
        let objects = read_array(self.acc, seq, true)?;
        Ok(match self.acc.mode {
            Mode::Objects => Top::Objects(objects),
            Mode::Nested => Top::Rows,
            _ => Top::Numbers,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut obj = Obj::default();
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "logits" => {
                    if self.acc.seen_logits {
                        let e = ParseError::JsonShape {
                            found: "an object with \"logits\" twice".into(),
                        };
                        return Err(self.acc.fail(e));
                    }
                    self.acc.seen_logits = true;
                    map.next_value_seed(LogitsSeed { acc: self.acc })?;
                    obj.logits = true;
                    obj.keys.push(key);
                    continue;
                }
                "tokens" => &mut obj.tokens,
                "advantages" => &mut obj.advantages,
                "choices" => &mut obj.choices,
                "content" => &mut obj.content,
                "top_logprobs" => &mut obj.top_logprobs,
                "token_logprobs" => &mut obj.token_logprobs,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    obj.keys.push(key);
                    continue;
                }
            };
            *slot = Some(map.next_value::<Value>()?);
            obj.keys.push(key);
        }
        Ok(Top::Object(obj))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Scalar("a single true/false"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Scalar("a single number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Scalar("a single number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Scalar("a single number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Scalar("a single string"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top::Scalar("null"))
    }
}

/// The value of "logits": an array of numbers or of arrays.
struct LogitsSeed<'a> {
    acc: &'a mut Acc,
}

impl<'de> DeserializeSeed<'de> for LogitsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(LogitsVisitor { acc: self.acc })
    }
}

struct LogitsVisitor<'a> {
    acc: &'a mut Acc,
}

impl<'de> Visitor<'de> for LogitsVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of logits, or an array of rows of logits")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        read_array(self.acc, seq, false).map(|_| ())
    }
}

/// The outer array: numbers (one row), arrays (rows) or, at the top level, objects.
fn read_array<'de, A: SeqAccess<'de>>(
    acc: &mut Acc,
    mut seq: A,
    allow_objects: bool,
) -> Result<Vec<Value>, A::Error> {
    let mut objects = Vec::new();
    let mut index = 0usize;
    while let Some(item) = seq.next_element_seed(ItemSeed {
        acc,
        index,
        allow_objects,
    })? {
        if let Some(v) = item {
            objects.push(v);
        }
        index += 1;
    }
    Ok(objects)
}

struct ItemSeed<'a> {
    acc: &'a mut Acc,
    index: usize,
    allow_objects: bool,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl ItemSeed<'_> {
    fn cell<E: de::Error>(
        self,
        v: Option<f32>,
        text: &dyn Fn() -> String,
    ) -> Result<Option<Value>, E> {
        self.acc.set_mode(Mode::Flat)?;
        push_cell(self.acc, 0, self.index, v, text)?;
        Ok(None)
    }
}

fn push_cell<E: de::Error>(
    acc: &mut Acc,
    row: usize,
    col: usize,
    v: Option<f32>,
    text: &dyn Fn() -> String,
) -> Result<(), E> {
    match v {
        Some(x) => {
            acc.data.push(x);
            Ok(())
        }
        None => {
            let e = ParseError::BadValue {
                row,
                col,
                text: text(),
                line: None,
            };
            Err(acc.fail(e))
        }
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a logit or a row of logits")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Value>, E> {
        self.cell(Some(v as f32), &|| v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Value>, E> {
        self.cell(Some(v as f32), &|| v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Value>, E> {
        self.cell(Some(v as f32), &|| v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<Value>, E> {
        self.acc.nulls += 1;
        self.cell(Some(f32::NEG_INFINITY), &|| "null".into())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Value>, E> {
        self.cell(special(v), &|| v.to_owned())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<Value>, E> {
        self.cell(None, &|| v.to_string())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Value>, A::Error> {
        self.acc.set_mode(Mode::Nested)?;
        let row = self.acc.lens.len();
        let start = self.acc.data.len();
        let mut col = 0;
        while seq
            .next_element_seed(CellSeed {
                acc: self.acc,
                row,
                col,
            })?
            .is_some()
        {
            col += 1;
        }
        self.acc.lens.push(self.acc.data.len() - start);
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Value>, A::Error> {
        if !self.allow_objects {
            let e = ParseError::JsonShape {
                found: format!("an object at position {} of the logits array", self.index),
            };
            return Err(self.acc.fail(e));
        }
        self.acc.set_mode(Mode::Objects)?;
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(v))
    }
}

use serde::Deserialize;

/// One cell of a row.
struct CellSeed<'a> {
    acc: &'a mut Acc,
    row: usize,
    col: usize,
}

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl CellSeed<'_> {
    fn put<E: de::Error>(self, v: Option<f32>, text: &dyn Fn() -> String) -> Result<(), E> {
        push_cell(self.acc, self.row, self.col, v, text)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a logit (a number)")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.put(Some(v as f32), &|| v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.put(Some(v as f32), &|| v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.put(Some(v as f32), &|| v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.acc.nulls += 1;
        self.put(Some(f32::NEG_INFINITY), &|| "null".into())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.put(special(v), &|| v.to_owned())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.put(None, &|| v.to_string())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        let e = ParseError::Shape {
            format: "JSON",
            shape: vec![],
            reason: format!(
                "row {} holds arrays instead of numbers: the page reads 1-D (one row) or 2-D (rows × vocab) logits. Save x.reshape(-1, x.shape[-1]).tolist() for all positions.",
                self.row
            ),
        };
        Err(self.acc.fail(e))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.put(None, &|| "an object".into())
    }
}

/// rows × vocab from the accumulated logits (ragged rows are an error).
fn full_slice(
    acc: Acc,
    tokens: Option<&Value>,
    advantages: Option<&Value>,
    mut warnings: Vec<String>,
) -> Result<Slice, ParseError> {
    let (rows, vocab) = match acc.mode {
        Mode::Nested => {
            let expected = acc.lens[0];
            if let Some((row, &len)) = acc.lens.iter().enumerate().find(|(_, &l)| l != expected) {
                return Err(ParseError::Ragged {
                    format: "JSON",
                    row,
                    len,
                    expected,
                    line: None,
                });
            }
            (acc.lens.len(), expected)
        }
        _ => (1, acc.data.len()),
    };
    if acc.data.is_empty() {
        return Err(ParseError::NoValues {
            format: "JSON",
            detail: if rows == 0 || acc.mode != Mode::Nested {
                "the array is empty".into()
            } else {
                "its rows are empty arrays".into()
            },
        });
    }
    if acc.nulls > 0 {
        warnings.push(format!(
            "{} null logits were read as masked tokens (-Infinity). JavaScript's JSON.stringify writes null for ±Infinity and NaN alike: check that they were -Infinity.",
            acc.nulls
        ));
    }
    let tokens = tokens.map(|v| read_tokens(v, rows, vocab)).transpose()?;
    let advantages = advantages.map(read_advantages).transpose()?;
    Ok(Slice {
        format: Format::Json,
        rows,
        vocab,
        logits: acc.data,
        tokens,
        advantages,
        kind: SliceKind::Full,
        warnings,
    })
}

fn read_tokens(v: &Value, rows: usize, vocab: usize) -> Result<Vec<u32>, ParseError> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Number(_) => vec![v],
        _ => {
            return Err(ParseError::JsonShape {
                found: "\"tokens\" that is not an array of token ids".into(),
            })
        }
    };
    if items.len() != rows {
        return Err(ParseError::TokensLength {
            len: items.len(),
            rows,
        });
    }
    items
        .iter()
        .enumerate()
        .map(|(row, t)| {
            let bad = || ParseError::BadToken {
                row,
                value: t.to_string(),
            };
            let n = t.as_f64().ok_or_else(bad)?;
            if n < 0.0 || n.fract() != 0.0 {
                return Err(bad());
            }
            if n >= vocab as f64 {
                return Err(ParseError::TokenOutOfRange {
                    row,
                    token: t.as_u64().unwrap_or(u64::MAX),
                    vocab,
                });
            }
            Ok(n as u32)
        })
        .collect()
}

fn read_advantages(v: &Value) -> Result<Vec<f32>, ParseError> {
    let one = |row: usize, a: &Value| -> Result<f32, ParseError> {
        let x = match a {
            Value::Number(n) => n.as_f64().map(|x| x as f32),
            Value::String(s) => special(s),
            _ => None,
        };
        match x {
            Some(x) if x.is_finite() => Ok(x),
            _ => Err(ParseError::AdvantageNotFinite {
                row,
                value: a.to_string(),
            }),
        }
    };
    match v {
        Value::Array(a) => a.iter().enumerate().map(|(r, x)| one(r, x)).collect(),
        _ => Ok(vec![one(0, v)?]),
    }
}

fn object(acc: Acc, obj: Obj, warnings: Vec<String>) -> Result<Slice, ParseError> {
    if obj.logits {
        return full_slice(acc, obj.tokens.as_ref(), obj.advantages.as_ref(), warnings);
    }
    let mut b = TopBuilder::new(warnings);
    if let Some(choices) = &obj.choices {
        let choices = choices.as_array().ok_or_else(|| ParseError::JsonShape {
            found: "\"choices\" that is not an array".into(),
        })?;
        let mut skipped = 0;
        for (i, choice) in choices.iter().enumerate() {
            match choice.get("logprobs") {
                None | Some(Value::Null) => skipped += 1,
                Some(lp) => logprobs_object(lp, i, &mut b)?,
            }
        }
        if skipped > 0 && skipped < choices.len() {
            b.warnings.push(format!(
                "{skipped} of {} choices have no logprobs and were left out.",
                choices.len()
            ));
        }
        if b.rows.is_empty() && b.skipped == 0 {
            return Err(ParseError::JsonShape {
                found: "a response whose choices carry no logprobs (request it with logprobs=true and top_logprobs=k for chat, logprobs=k for completions)".into(),
            });
        }
        if choices.len() > 1 {
            b.warnings.push(format!(
                "{} choices were read one after the other (the rows say which choice they come from).",
                choices.len()
            ));
        }
        return b.finish();
    }
    if let Some(content) = &obj.content {
        let items = content.as_array().ok_or_else(|| ParseError::JsonShape {
            found: "\"content\" that is not an array".into(),
        })?;
        chat_content(items, 0, &mut b)?;
        return b.finish();
    }
    if obj.top_logprobs.is_some() || obj.token_logprobs.is_some() {
        let mut m = Map::new();
        for (k, v) in [
            ("tokens", obj.tokens),
            ("token_logprobs", obj.token_logprobs),
            ("top_logprobs", obj.top_logprobs),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        }
        completions(&m, 0, &mut b)?;
        return b.finish();
    }
    let found = if obj.keys.is_empty() {
        "an empty object".to_owned()
    } else {
        let keys: Vec<String> = obj
            .keys
            .iter()
            .take(10)
            .map(|k| format!("\"{k}\""))
            .collect();
        format!("an object with the keys {}", keys.join(", "))
    };
    Err(ParseError::JsonShape { found })
}

/// A choice's `logprobs`: chat (`content`) or completions (`tokens`, …).
fn logprobs_object(lp: &Value, choice: usize, b: &mut TopBuilder) -> Result<(), ParseError> {
    match lp {
        Value::Object(m) if m.contains_key("content") => match &m["content"] {
            Value::Array(items) => chat_content(items, choice, b),
            Value::Null => Ok(()),
            _ => Err(ParseError::JsonShape {
                found: format!("choices[{choice}].logprobs.content that is not an array"),
            }),
        },
        Value::Object(m) if m.contains_key("tokens") || m.contains_key("top_logprobs") => {
            completions(m, choice, b)
        }
        _ => Err(ParseError::JsonShape {
            found: format!("choices[{choice}].logprobs without \"content\" (chat) or \"tokens\"/\"top_logprobs\" (completions)"),
        }),
    }
}

/// A logprob: a number, "-inf"-like strings, or null (masked). `None`: not a number.
fn logprob(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => special(s).map(f64::from),
        Value::Null => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn chat_content(items: &[Value], choice: usize, b: &mut TopBuilder) -> Result<(), ParseError> {
    for item in items {
        let row = b.rows.len();
        let bad = |what: &str| ParseError::TopLogprobs {
            row,
            reason: what.to_owned(),
        };
        let obj = item
            .as_object()
            .ok_or_else(|| bad("the entry is not an object {token, logprob, top_logprobs}"))?;
        let token = obj
            .get("token")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("\"token\" is missing or not a string"))?;
        let lp = obj
            .get("logprob")
            .and_then(logprob)
            .ok_or_else(|| bad("\"logprob\" is missing or not a number"))?;
        let mut top = Vec::new();
        match obj.get("top_logprobs") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for e in list {
                    let t = e
                        .get("token")
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad("a top_logprobs entry has no \"token\" string"))?;
                    let l = e
                        .get("logprob")
                        .and_then(logprob)
                        .ok_or_else(|| bad("a top_logprobs entry has no numeric \"logprob\""))?;
                    top.push((t.to_owned(), l));
                }
            }
            Some(_) => return Err(bad("\"top_logprobs\" is not an array")),
        }
        b.push(token.to_owned(), lp, top, choice)?;
    }
    Ok(())
}

fn completions(
    m: &Map<String, Value>,
    choice: usize,
    b: &mut TopBuilder,
) -> Result<(), ParseError> {
    let shape = |what: &str| ParseError::JsonShape {
        found: format!("completions logprobs (choice {choice}) {what}"),
    };
    let arr = |key: &str| -> Result<&Vec<Value>, ParseError> {
        m.get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| shape(&format!("without a \"{key}\" array")))
    };
    let tokens = arr("tokens")?;
    let lps = arr("token_logprobs")?;
    let tops = arr("top_logprobs")?;
    if lps.len() != tokens.len() || tops.len() != tokens.len() {
        return Err(shape(&format!(
            "with {} tokens, {} token_logprobs and {} top_logprobs (they must have one entry per position)",
            tokens.len(),
            lps.len(),
            tops.len()
        )));
    }
    for ((t, lp), top) in tokens.iter().zip(lps).zip(tops) {
        let row = b.rows.len();
        let bad = |what: String| ParseError::TopLogprobs { row, reason: what };
        let token = t
            .as_str()
            .ok_or_else(|| bad("the token is not a string".into()))?;
        if lp.is_null() {
            // vLLM/OpenAI with echo: the first prompt token has no logprob.
            b.skipped += 1;
            continue;
        }
        let lp = logprob(lp).ok_or_else(|| bad(format!("token_logprob {lp} is not a number")))?;
        let mut list = Vec::new();
        match top {
            Value::Null => {}
            Value::Object(d) => {
                for (k, v) in d {
                    let l = logprob(v)
                        .ok_or_else(|| bad(format!("top_logprobs[\"{k}\"] is not a number")))?;
                    list.push((k.clone(), l));
                }
            }
            _ => {
                return Err(bad(
                    "top_logprobs entry is not an object {token: logprob}".into()
                ))
            }
        }
        b.push(token.to_owned(), lp, list, choice)?;
    }
    Ok(())
}

/// Builds the truncated slice from positions of (sampled token, logprob, top list).
struct TopBuilder {
    rows: Vec<Vec<(String, f64)>>,
    sampled: Vec<u32>,
    appended: Vec<bool>,
    choice: Vec<usize>,
    skipped: usize,
    over_one: usize,
    warnings: Vec<String>,
}

/// Logprobs above this are refused (a little above 0 is rounding).
const MAX_LOGPROB: f64 = 1e-3;

impl TopBuilder {
    fn new(warnings: Vec<String>) -> Self {
        TopBuilder {
            rows: Vec::new(),
            sampled: Vec::new(),
            appended: Vec::new(),
            choice: Vec::new(),
            skipped: 0,
            over_one: 0,
            warnings,
        }
    }

    fn push(
        &mut self,
        token: String,
        lp: f64,
        mut top: Vec<(String, f64)>,
        choice: usize,
    ) -> Result<(), ParseError> {
        let row = self.rows.len();
        for (t, l) in std::iter::once((&token, &lp)).chain(top.iter().map(|(t, l)| (t, l))) {
            if l.is_nan() {
                return Err(ParseError::TopLogprobs {
                    row,
                    reason: format!("the logprob of token {t:?} is NaN (not a number)"),
                });
            }
            if *l > MAX_LOGPROB {
                return Err(ParseError::TopLogprobs {
                    row,
                    reason: format!(
                        "the logprob of token {t:?} is {l}, but log-probabilities are at most 0 (are these logits?)"
                    ),
                });
            }
        }
        // Most likely first (completions dicts come in key order).
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        let found = top
            .iter()
            .enumerate()
            .filter(|(_, (t, _))| *t == token)
            .min_by(|a, b| (a.1 .1 - lp).abs().total_cmp(&(b.1 .1 - lp).abs()))
            .map(|(i, _)| i);
        let (index, appended) = match found {
            Some(i) => (i, false),
            None => {
                top.push((token, lp));
                (top.len() - 1, true)
            }
        };
        let mass: f64 = top.iter().map(|(_, l)| l.exp()).sum();
        if mass > 1.0 + 1e-3 {
            self.over_one += 1;
        }
        self.rows.push(top);
        self.sampled.push(index as u32);
        self.appended.push(appended);
        self.choice.push(choice);
        Ok(())
    }

    fn finish(mut self) -> Result<Slice, ParseError> {
        if self.skipped > 0 {
            self.warnings.push(format!(
                "{} positions without a logprob (e.g. the first prompt token with echo) were left out.",
                self.skipped
            ));
        }
        if self.rows.is_empty() {
            return Err(ParseError::NoValues {
                format: "JSON",
                detail: "the logprobs list no positions".into(),
            });
        }
        let vocab = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let n = self.rows.len();
        let mut logits = Vec::with_capacity(n * vocab);
        let mut listed_mass = Vec::with_capacity(n);
        let mut listed = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        for row in self.rows {
            listed_mass.push(row.iter().map(|(_, l)| l.exp()).sum());
            listed.push(row.len());
            logits.extend(row.iter().map(|(_, l)| *l as f32));
            logits.resize(logits.len() + (vocab - row.len()), f32::NEG_INFINITY);
            labels.push(row.into_iter().map(|(t, _)| t).collect());
        }
        if self.over_one > 0 {
            self.warnings.push(format!(
                "In {} positions the listed probabilities add up to more than 1 (repeated tokens?); their tail mass is shown as 0.",
                self.over_one
            ));
        }
        if vocab == 1 {
            self.warnings.push(
                "Only the sampled token is listed at each position: request top_logprobs (e.g. 20) to see the distribution.".into(),
            );
        }
        let appended = self.appended.iter().filter(|&&a| a).count();
        if appended > 0 {
            self.warnings.push(format!(
                "In {appended} positions the sampled token was not among the top logprobs; it was added as an extra column."
            ));
        }
        self.warnings.push(format!(
            "Top-logprobs are a truncated distribution: each row lists at most {vocab} tokens, and the rest of the probability (the tail) is unknown."
        ));
        Ok(Slice {
            format: Format::Json,
            rows: n,
            vocab,
            logits,
            tokens: Some(self.sampled),
            advantages: None,
            kind: SliceKind::TopLogprobs(TopLogprobs {
                listed_mass,
                listed,
                labels,
                sampled_appended: self.appended,
                choice: self.choice,
            }),
            warnings: self.warnings,
        })
    }
}
