//! The error type of the distribution math (`dist`, `update`, `curve`). The
//! file parsers (`slice::ParseError`), the row kernel and the simulation have
//! their own, each beside the code that raises it. Messages are written for
//! the person at the page: they say what is wrong and what to do, and the
//! wasm layer passes them through unchanged (src/wasm/convert.rs).

use super::format::js_number;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum CoreError {
    Empty,
    NotANumber {
        index: usize,
    },
    PositiveInfinity {
        index: usize,
    },
    AllMasked,
    NegativeProbability {
        index: usize,
        value: f64,
    },
    ProbabilitySum {
        sum: f64,
    },
    Temperature {
        value: f64,
    },
    TokenOutOfRange {
        token: usize,
        vocab: usize,
    },
    Step {
        value: f64,
    },
    UnknownKind {
        kind: String,
    },
    Curve {
        reason: &'static str,
    },
    /// Per-token values (advantages, rewards) of the wrong count, or the
    /// one at `index` not finite.
    PerToken {
        what: &'static str,
        given: usize,
        vocab: usize,
        index: Option<usize>,
    },
    /// A sampled step's group size outside 1 ..= sampling::MAX_GROUP.
    Group {
        value: usize,
    },
    /// The exact expectation over a group would sum over too many multisets.
    GroupTerms {
        distinct: usize,
        group: usize,
        max: usize,
    },
}

impl CoreError {
    /// A short stable name for the kind of error, the `code` property of the
    /// JS Error the wasm layer throws (docs/contract.md, "Errors").
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Empty => "empty",
            CoreError::NotANumber { .. } => "not-a-number",
            CoreError::PositiveInfinity { .. } => "infinite",
            CoreError::AllMasked => "all-masked",
            CoreError::NegativeProbability { .. } => "not-a-probability",
            CoreError::ProbabilitySum { .. } => "probability-sum",
            CoreError::Temperature { .. } | CoreError::Step { .. } => "range",
            CoreError::TokenOutOfRange { .. } => "range",
            CoreError::UnknownKind { .. } => "unknown-kind",
            CoreError::Curve { .. } => "curve",
            CoreError::PerToken { .. } | CoreError::Group { .. } | CoreError::GroupTerms { .. } => {
                "range"
            }
        }
    }

    /// The argument at fault, where one is (the JS Error's `field`).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CoreError::Temperature { .. } => Some("temperature"),
            CoreError::TokenOutOfRange { .. } => Some("token"),
            CoreError::Step { .. } => Some("step"),
            CoreError::UnknownKind { .. } => Some("kind"),
            CoreError::PerToken { what, .. } => Some(what),
            CoreError::Group { .. } | CoreError::GroupTerms { .. } => Some("group"),
            _ => None,
        }
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
            CoreError::PerToken { what, given, vocab, index: None } => write!(
                f,
                "Give one of the {what} per token: the distribution has {vocab} tokens, not {given}."
            ),
            CoreError::PerToken { what, index: Some(i), .. } => write!(
                f,
                "The {what} must be finite numbers; the one of token {i} is not."
            ),
            CoreError::Group { value } => write!(
                f,
                "A group of {value} samples is not possible: draw from 1 to {} tokens per step.",
                super::sampling::MAX_GROUP
            ),
            CoreError::GroupTerms { distinct, group, max } => write!(
                f,
                "The exact expectation over a group of {group} with {distinct} distinct rewards sums over more than {max} cases: use fewer distinct rewards or a smaller group."
            ),
        }
    }
}

impl std::error::Error for CoreError {}
