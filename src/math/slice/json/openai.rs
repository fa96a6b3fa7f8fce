//! The OpenAI-compatible logprobs shapes (truncated distributions): chat
//! `content[] = {token, logprob, top_logprobs: [{token, logprob}]}` and
//! completions `{tokens, token_logprobs, top_logprobs: [{token: logprob}]}`.
//! Each position becomes a row of the listed logprobs; [`TopBuilder`] checks
//! them and collects what the person should know.

use serde_json::{Map, Value};

use super::super::{Format, ParseError, Slice, SliceKind, TopLogprobs};
use super::visit::special;

/// A choice's `logprobs`: chat (`content`) or completions (`tokens`, …).
pub(super) fn logprobs_object(
    lp: &Value,
    choice: usize,
    b: &mut TopBuilder,
) -> Result<(), ParseError> {
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

/// A logprob: a number, "-inf"-like strings, or null (masked, noted by the
/// caller). `None`: not a number.
fn logprob(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => special(s),
        Value::Null => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

pub(super) fn chat_content(
    items: &[Value],
    choice: usize,
    b: &mut TopBuilder,
) -> Result<(), ParseError> {
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
        let lp_value = obj.get("logprob");
        let lp = lp_value
            .and_then(logprob)
            .ok_or_else(|| bad("\"logprob\" is missing or not a number"))?;
        if lp_value == Some(&Value::Null) {
            b.note_null(row, token);
        }
        let mut top = Vec::new();
        match obj.get("top_logprobs") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for e in list {
                    let t = e
                        .get("token")
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad("a top_logprobs entry has no \"token\" string"))?;
                    let v = e.get("logprob");
                    let l = v.and_then(logprob).ok_or_else(|| {
                        bad(&format!(
                            "the top_logprobs entry of token {t:?} has no numeric \"logprob\""
                        ))
                    })?;
                    if v == Some(&Value::Null) {
                        b.note_null(row, t);
                    }
                    top.push((t.to_owned(), l));
                }
            }
            Some(_) => return Err(bad("\"top_logprobs\" is not an array")),
        }
        b.push(token.to_owned(), lp, top, choice)?;
    }
    Ok(())
}

pub(super) fn completions(
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
                    if v.is_null() {
                        b.note_null(row, k);
                    }
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

/// The first position where something happened, with the token, and how often.
#[derive(Default)]
struct Seen {
    count: usize,
    first: Option<(usize, String)>,
}

impl Seen {
    fn note(&mut self, row: usize, token: &str) {
        self.count += 1;
        self.first.get_or_insert_with(|| (row, token.to_owned()));
    }
}

/// Builds the truncated slice from positions of (sampled token, logprob, top list).
pub(super) struct TopBuilder {
    pub(super) rows: Vec<Vec<(String, f64)>>,
    sampled: Vec<u32>,
    /// Per row, the smallest probability of its top_logprobs list (1 when empty).
    caps: Vec<f64>,
    appended: usize,
    choice: Vec<usize>,
    pub(super) skipped: usize,
    over_one: usize,
    pub(super) warnings: Vec<String>,
    /// Lone surrogates were replaced by U+FFFD in the text: name such tokens.
    marked: bool,
    nulls: Seen,
    /// Tokens listed twice at one position with the same logprob (dropped)
    /// or with different ones (kept, see `push`).
    repeated: Seen,
    same_text: Seen,
    same_text_logprobs: Option<(f64, f64)>,
}

/// Logprobs above this are refused (a little above 0 is rounding).
const MAX_LOGPROB: f64 = 1e-3;

impl TopBuilder {
    pub(super) fn new(warnings: Vec<String>, marked: bool) -> Self {
        TopBuilder {
            rows: Vec::new(),
            sampled: Vec::new(),
            caps: Vec::new(),
            appended: 0,
            choice: Vec::new(),
            skipped: 0,
            over_one: 0,
            warnings,
            marked,
            nulls: Seen::default(),
            repeated: Seen::default(),
            same_text: Seen::default(),
            same_text_logprobs: None,
        }
    }

    /// A `"logprob": null` read as masked (−∞).
    fn note_null(&mut self, row: usize, token: &str) {
        self.nulls.note(row, token);
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
        // The same text twice: with the same logprob it is one entry listed
        // twice (dropped); with different logprobs it can be two token ids
        // that decode to the same text (byte-fallback tokens), so both stay,
        // and the person is told.
        let mut i = 0;
        while i < top.len() {
            match top[..i].iter().find(|(t, _)| *t == top[i].0) {
                Some((_, l)) if *l == top[i].1 => {
                    self.repeated.note(row, &top[i].0);
                    top.remove(i);
                }
                Some((_, l)) => {
                    if self.same_text.first.is_none() {
                        self.same_text_logprobs = Some((*l, top[i].1));
                    }
                    self.same_text.note(row, &top[i].0);
                    i += 1;
                }
                None => i += 1,
            }
        }
        let found = top
            .iter()
            .enumerate()
            .filter(|(_, (t, _))| *t == token)
            .min_by(|a, b| (a.1 .1 - lp).abs().total_cmp(&(b.1 .1 - lp).abs()))
            .map(|(i, _)| i);
        // No unlisted token is likelier than the smallest top_logprobs entry
        // (an appended sampled token does not count: it may rank lower).
        let cap = top
            .iter()
            .map(|(_, l)| *l)
            .filter(|l| l.is_finite())
            .fold(f64::INFINITY, f64::min)
            .exp()
            .min(1.0);
        self.caps.push(cap);
        let index = match found {
            Some(i) => i,
            None => {
                top.push((token, lp));
                self.appended += 1;
                top.len() - 1
            }
        };
        let mass: f64 = top.iter().map(|(_, l)| l.exp()).sum();
        if mass > 1.0 + 1e-3 {
            self.over_one += 1;
        }
        self.rows.push(top);
        self.sampled.push(index as u32);
        self.choice.push(choice);
        Ok(())
    }

    /// The rows of each choice, e.g. "rows 0–4 are choice 0, rows 5–9 choice 1",
    /// when they come from more than one.
    fn choice_ranges(&self) -> Option<String> {
        let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // (choice, first, last)
        for (r, &c) in self.choice.iter().enumerate() {
            match runs.last_mut() {
                Some((rc, _, last)) if *rc == c => *last = r,
                _ => runs.push((c, r, r)),
            }
        }
        if runs.len() < 2 {
            return None;
        }
        const SHOWN: usize = 8;
        let mut parts: Vec<String> = runs
            .iter()
            .take(SHOWN)
            .map(|&(c, a, b)| {
                if a == b {
                    format!("row {a} is choice {c}")
                } else {
                    format!("rows {a}–{b} are choice {c}")
                }
            })
            .collect();
        if runs.len() > SHOWN {
            parts.push(format!("{} more runs", runs.len() - SHOWN));
        }
        Some(parts.join(", "))
    }

    pub(super) fn finish(mut self) -> Result<Slice, ParseError> {
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
        if let Some(ranges) = self.choice_ranges() {
            let choices = self.choice.iter().max().map_or(0, |&c| c + 1);
            self.warnings.push(format!(
                "The response has {choices} choices, read one after the other: {ranges} (the \"choice\" column of the table)."
            ));
        }
        if let Some((row, token)) = &self.nulls.first {
            self.warnings.push(format!(
                "{} logprob(s) are null and were read as masked (probability 0); the first: position {row}, token {token:?}. JSON writers turn -Infinity and NaN alike into null: check that they were -Infinity.",
                self.nulls.count
            ));
        }
        if let Some((row, token)) = &self.repeated.first {
            self.warnings.push(format!(
                "{} top_logprobs entries repeat an entry of the same position (same token, same logprob) and were dropped; the first: position {row}, token {token:?}.",
                self.repeated.count
            ));
        }
        if let (Some((row, token)), Some((a, b))) = (&self.same_text.first, self.same_text_logprobs)
        {
            self.warnings.push(format!(
                "{} top_logprobs entries share their text with another token of the same position but not its logprob; the first: position {row}, token {token:?} with logprobs {a} and {b}. They are kept as different tokens (two token ids can decode to the same text); if they are one token, the file is inconsistent.",
                self.same_text.count
            ));
        }
        if self.marked {
            let hit = self.rows.iter().enumerate().find_map(|(r, row)| {
                row.iter()
                    .find(|(t, _)| t.contains('\u{FFFD}'))
                    .map(|(t, _)| (r, t.clone()))
            });
            if let Some((row, token)) = hit {
                self.warnings.push(format!(
                    "Token text marked with \u{FFFD} (a lone surrogate in the file): the first at position {row}, token {token:?}."
                ));
            }
        }
        let vocab = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let n = self.rows.len();
        let mut logits = Vec::with_capacity(n * vocab);
        let mut listed_mass = Vec::with_capacity(n);
        let mut entropy_bound = Vec::with_capacity(n);
        let mut listed = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        for (row, cap) in self.rows.into_iter().zip(self.caps) {
            let mass: f64 = row.iter().map(|(_, l)| l.exp()).sum();
            listed_mass.push(mass);
            entropy_bound.push(entropy_lower_bound(row.iter().map(|(_, l)| *l), mass, cap));
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
        if self.appended > 0 {
            self.warnings.push(format!(
                "In {} positions the sampled token was not among the top logprobs; it was added as an extra column.",
                self.appended
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
                entropy_bound,
                listed,
                labels,
                choice: self.choice,
            }),
            warnings: self.warnings,
        })
    }
}

/// The smallest entropy of a distribution of which only these logprobs
/// (summing to `mass` in probability) are known, when no unlisted token is
/// likelier than `cap` (the smallest probability of the top-k list: the
/// tokens left out rank below it). −Σ p ln p over the listed tokens, plus
/// the least the tail t = 1 − mass can add. −x ln x is concave, so the sum
/// over the tail is least at a vertex of {Σ x = t, 0 ≤ x ≤ cap}: as many
/// tokens at the cap as fit, n = ⌊t/cap⌋, and one with the remainder
/// r = t − n·cap (docs/math.md, "Truncated slices"). With cap ≥ t that is
/// one bucket holding the whole tail.
pub(crate) fn entropy_lower_bound(logprobs: impl Iterator<Item = f64>, mass: f64, cap: f64) -> f64 {
    let listed: f64 = logprobs
        .filter(|l| l.is_finite())
        .map(|l| -l.exp() * l)
        .sum();
    let tail = (1.0 - mass).max(0.0);
    if tail <= 0.0 {
        return listed;
    }
    let cap = cap.clamp(f64::MIN_POSITIVE, 1.0);
    let n = (tail / cap).floor();
    let rest = (tail - n * cap).clamp(0.0, cap);
    let plogp = |x: f64| if x > 0.0 { x * x.ln() } else { 0.0 };
    listed - n * plogp(cap) - plogp(rest)
}
