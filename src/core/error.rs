//! The one error type of the core. Messages are written for the person at the
//! page: they say what is wrong and what to do, and the wasm layer passes them
//! through unchanged.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum CoreError {
    Empty,
    NotANumber { index: usize },
    PositiveInfinity { index: usize },
    AllMasked,
    NegativeProbability { index: usize, value: f64 },
    ProbabilitySum { sum: f64 },
    Temperature { value: f64 },
    TokenOutOfRange { token: usize, vocab: usize },
    Step { value: f64 },
    UnknownKind { kind: String },
    Curve { reason: &'static str },
}

/// A number as a person reading JavaScript would write it (Infinity, not inf).
pub fn js_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "Infinity".into()
    } else if v == f64::NEG_INFINITY {
        "-Infinity".into()
    } else {
        format!("{v}")
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::Empty => write!(f, "The distribution is empty: give at least one logit or probability."),
            CoreError::NotANumber { index } => write!(
                f,
                "Token {index} is not a number (NaN). Replace it with a finite logit, or -Infinity to mask the token."
            ),
            CoreError::PositiveInfinity { index } => write!(
                f,
                "Token {index} has a logit of +Infinity, which has no softmax. Use a large finite value instead."
            ),
            CoreError::AllMasked => write!(
                f,
                "Every token is masked (-Infinity): at least one token needs a finite logit."
            ),
            CoreError::NegativeProbability { index, value } => write!(
                f,
                "Probability {index} is {}: {}; each must be a number from 0 to 1.",
                js_number(*value),
                if *value < 0.0 { "probabilities cannot be negative" } else { "that is not a probability" }
            ),
            CoreError::ProbabilitySum { sum } => write!(
                f,
                "The probabilities sum to {}, not 1 (allowed: 1 ± 1e-6). Normalise them, or enter logits instead.",
                js_number(*sum)
            ),
            CoreError::Temperature { value } => write!(
                f,
                "Temperature {} is not allowed: it must be a finite number greater than 0.",
                js_number(*value)
            ),
            CoreError::TokenOutOfRange { token, vocab } => write!(
                f,
                "Token {token} does not exist: the distribution has {vocab} tokens (0 to {}).",
                vocab.saturating_sub(1)
            ),
            CoreError::Step { value } => write!(
                f,
                "Step {} is not a finite number: give a step size such as 0.1.",
                js_number(*value)
            ),
            CoreError::UnknownKind { kind } => write!(
                f,
                "Unknown update kind \"{kind}\": use \"nudge\" (raise one logit) or \"pg\" (policy-gradient step)."
            ),
            CoreError::Curve { reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for CoreError {}
