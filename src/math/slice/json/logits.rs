//! A plain logits array (`[…]` or `[[…], …]`) or the object
//! `{logits, tokens, advantages}`: the rows the visitors collected, checked
//! for shape, with the side fields.

use serde_json::Value;

use super::super::{Format, ParseError, Slice, SliceKind};
use super::visit::{special, Acc, Mode};

/// rows × vocab from the accumulated logits (ragged rows are an error).
pub(super) fn full_slice(
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
    warnings.extend(acc.notes.warnings("JSON numbers"));
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
            Value::String(s) => special(s).map(|x| x as f32),
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
