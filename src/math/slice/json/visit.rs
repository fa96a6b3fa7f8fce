//! The streaming serde visitors: logit arrays go straight into a `Vec<f32>`
//! (a `serde_json::Value` per number would take ~10× the file size), one row
//! at a time through float64 (see `narrow`); the small OpenAI shapes and the
//! side fields go through `Value`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::super::{DecodeNotes, ParseError};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) enum Mode {
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
pub(super) struct Acc {
    pub(super) data: Vec<f32>,
    /// The row being read, in float64 until it is complete.
    wide: Vec<f64>,
    pub(super) lens: Vec<usize>,
    pub(super) nulls: usize,
    pub(super) mode: Mode,
    seen_logits: bool,
    pub(super) notes: DecodeNotes,
    /// A structured error found inside the visitor (serde only carries text).
    pub(super) error: Option<ParseError>,
}

impl Acc {
    /// Row `row` is complete: narrow it to float32.
    fn end_row(&mut self, row: usize) {
        self.notes.narrow_row(row, &self.wide, &mut self.data);
        self.wide.clear();
    }

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

/// A JSON string → logit. `None`: not a number (other text).
pub(super) fn special(s: &str) -> Option<f64> {
    match s.trim().to_ascii_lowercase().as_str() {
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "nan" | "-nan" | "+nan" => Some(f64::NAN),
        _ => None,
    }
}

pub(super) enum Top {
    Numbers,
    Rows,
    Objects(Vec<Value>),
    Object(Obj),
    Scalar(&'static str),
}

#[derive(Default)]
pub(super) struct Obj {
    pub(super) logits: bool,
    pub(super) tokens: Option<Value>,
    pub(super) advantages: Option<Value>,
    pub(super) choices: Option<Value>,
    pub(super) content: Option<Value>,
    pub(super) top_logprobs: Option<Value>,
    pub(super) token_logprobs: Option<Value>,
    pub(super) keys: Vec<String>,
}

pub(super) struct TopSeed<'a> {
    pub(super) acc: &'a mut Acc,
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
    if acc.mode == Mode::Flat {
        acc.end_row(0);
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
        v: Option<f64>,
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
    v: Option<f64>,
    text: &dyn Fn() -> String,
) -> Result<(), E> {
    match v {
        Some(x) => {
            acc.wide.push(x);
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
        self.cell(Some(v), &|| v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Value>, E> {
        self.cell(Some(v as f64), &|| v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Value>, E> {
        self.cell(Some(v as f64), &|| v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<Value>, E> {
        self.acc.nulls += 1;
        self.cell(Some(f64::NEG_INFINITY), &|| "null".into())
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
        self.acc.end_row(row);
        self.acc.lens.push(col);
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
    fn put<E: de::Error>(self, v: Option<f64>, text: &dyn Fn() -> String) -> Result<(), E> {
        push_cell(self.acc, self.row, self.col, v, text)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a logit (a number)")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.put(Some(v), &|| v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.put(Some(v as f64), &|| v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.put(Some(v as f64), &|| v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.acc.nulls += 1;
        self.put(Some(f64::NEG_INFINITY), &|| "null".into())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.put(special(v), &|| v.to_owned())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.put(None, &|| v.to_string())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        let e = ParseError::JsonShape {
            found: format!(
                "arrays nested three or more deep: row {}, column {} is itself an array, not a number. The page reads 1-D (one row) or 2-D (rows × vocab) logits; save x.reshape(-1, x.shape[-1]).tolist() for all positions",
                self.row, self.col
            ),
        };
        Err(self.acc.fail(e))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.put(None, &|| "an object".into())
    }
}
