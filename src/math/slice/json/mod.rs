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
//!
//! Files: `sanitize` (Python's literals, lone surrogates), `visit` (the
//! streaming serde visitors), `logits` (a plain logits array or object),
//! `openai` (the truncated top-logprobs shapes).

mod logits;
mod openai;
mod sanitize;
mod visit;

use serde::de::DeserializeSeed;
use serde_json::{Map, Value};

use super::{strip_bom, ParseError, Slice};
use logits::full_slice;
use openai::{chat_content, completions, logprobs_object, TopBuilder};
use sanitize::sanitize;
use visit::{Acc, Obj, Top, TopSeed};

pub(super) fn parse(bytes: &[u8]) -> Result<Slice, ParseError> {
    let bytes = strip_bom(bytes);
    let sanitized = sanitize(bytes);
    let text = sanitized.text.as_deref().unwrap_or(bytes);
    let mut acc = Acc::default();
    let mut de = serde_json::Deserializer::from_slice(text);
    let top = TopSeed { acc: &mut acc }.deserialize(&mut de);
    let top = match top.and_then(|t| de.end().map(|_| t)) {
        Ok(t) => t,
        Err(e) => return Err(acc.error.take().unwrap_or_else(|| json_err(&e))),
    };
    let mut warnings = Vec::new();
    if sanitized.literals > 0 {
        warnings.push(
            "The file uses NaN/Infinity literals (Python's json.dumps); they were read as numbers (JSON itself has no such literals).".into(),
        );
    }
    if sanitized.surrogates > 0 {
        warnings.push(format!(
            "{} string(s) hold a lone UTF-16 surrogate escape such as \\ud800 (half of a character), which is not text: each was replaced by \u{FFFD}.",
            sanitized.surrogates
        ));
    }
    let marked = sanitized.surrogates > 0;
    match top {
        Top::Numbers | Top::Rows => full_slice(acc, None, None, warnings),
        Top::Objects(items) => {
            let mut b = TopBuilder::new(warnings, marked);
            chat_content(&items, 0, &mut b)?;
            b.finish()
        }
        Top::Object(obj) => object(acc, obj, warnings, marked),
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

fn object(acc: Acc, obj: Obj, warnings: Vec<String>, marked: bool) -> Result<Slice, ParseError> {
    if obj.logits {
        return full_slice(acc, obj.tokens.as_ref(), obj.advantages.as_ref(), warnings);
    }
    let mut b = TopBuilder::new(warnings, marked);
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
