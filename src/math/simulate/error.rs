//! Why a simulation could not run. Every variant names the option at fault
//! as data ([`SimError::option`]) and has a stable [`SimError::code`], so the
//! page marks the right input without reading the message.

use super::options::spec;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    /// An option name the table does not have.
    UnknownOption {
        name: String,
    },
    /// A value of the wrong type (a word where a number belongs, …).
    Type {
        option: &'static str,
        want: &'static str,
    },
    /// A word that is not one of the choices.
    Choice {
        option: &'static str,
        name: String,
        choices: &'static [&'static str],
    },
    /// A number outside the table's range (or not whole where a count belongs).
    Range {
        option: &'static str,
        value: f64,
    },
    /// A vector whose length is not V.
    Length {
        option: &'static str,
        len: usize,
        vocab: usize,
    },
    NotFinite {
        option: &'static str,
        index: usize,
        value: f64,
    },
    TargetEntropy {
        value: f64,
        max: f64,
    },
    Correct {
        value: usize,
        vocab: usize,
    },
    Conflict {
        given: &'static str,
        other: &'static str,
    },
    /// The numbers stopped being finite (only conceivable with extreme
    /// settings); reported instead of passing NaN off as a result.
    Diverged {
        step: usize,
    },
}

impl SimError {
    /// The option at fault, as JavaScript spells it (None: the run as a whole).
    pub fn option(&self) -> Option<&str> {
        match self {
            SimError::UnknownOption { name } => Some(name),
            SimError::Type { option, .. }
            | SimError::Choice { option, .. }
            | SimError::Range { option, .. }
            | SimError::Length { option, .. }
            | SimError::NotFinite { option, .. } => Some(option),
            SimError::TargetEntropy { .. } => Some("targetEntropy"),
            SimError::Correct { .. } => Some("correct"),
            SimError::Conflict { given, .. } => Some(given),
            SimError::Diverged { .. } => None,
        }
    }

    /// A stable code for programs (the wasm boundary's codes, src/wasm/convert.rs,
    /// where they mean the same: "type", "range", "unknown-option").
    pub fn code(&self) -> &'static str {
        match self {
            SimError::UnknownOption { .. } => "unknown-option",
            SimError::Type { .. } => "type",
            SimError::Choice { .. } => "unknown-choice",
            SimError::Range { .. } | SimError::TargetEntropy { .. } | SimError::Correct { .. } => {
                "range"
            }
            SimError::Length { .. } => "wrong-length",
            SimError::NotFinite { .. } => "not-finite",
            SimError::Conflict { .. } => "conflict",
            SimError::Diverged { .. } => "diverged",
        }
    }
}

fn quoted(words: &[&str]) -> String {
    let q: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    match q.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => q.join(""),
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let num = crate::math::format::js_number;
        match self {
            SimError::UnknownOption { name } => {
                let known: Vec<&str> = super::options::options().iter().map(|s| s.name).collect();
                write!(f, "simulate: unknown option \"{name}\". Known options: {}.", known.join(", "))
            }
            SimError::Type { option, want } => {
                write!(f, "simulate option {option} must be {want}.")
            }
            SimError::Choice {
                option,
                name,
                choices,
            } => {
                let what = spec(option).map_or(*option, |s| s.help);
                write!(f, "{option} = \"{name}\" is unknown: {what} is one of {}.", quoted(choices))
            }
            SimError::Range { option, value } => match spec(option) {
                Some(s) => write!(
                    f,
                    "{option} = {} is not allowed: {} must be {}.",
                    num(*value),
                    s.help,
                    s.range_text()
                ),
                None => write!(f, "{option} = {} is not allowed.", num(*value)),
            },
            SimError::Length { option, len, vocab } => write!(
                f,
                "{option} has {len} entries but the vocabulary has {vocab} tokens: give one entry per token (or leave vocab out)."
            ),
            SimError::NotFinite {
                option,
                index,
                value,
            } => write!(
                f,
                "{option}[{index}] is {}: every entry must be a finite number.",
                num(*value)
            ),
            SimError::TargetEntropy { value, max } => write!(
                f,
                "targetEntropy = {} is out of range: use 0 to ln(vocab) = {max:.4} nats.",
                num(*value)
            ),
            SimError::Correct { value, vocab } => write!(
                f,
                "correct = {value} is out of range: reward 1 to {} of the {vocab} tokens (at least one must stay unrewarded).",
                vocab - 1
            ),
            SimError::Conflict { given, other } => write!(
                f,
                "Both {given} and {other} are given: they set the same thing, so give only one."
            ),
            SimError::Diverged { step } => write!(
                f,
                "The run diverged at step {step} (the logits overflowed): use a smaller lr or tighter clip bounds."
            ),
        }
    }
}

impl std::error::Error for SimError {}
