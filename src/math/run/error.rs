//! `RunError`: every way a training-run file can be refused. Each error names
//! the file, the line (1-based, as an editor counts; for safetensors traces the
//! entry) and the field, carries a short stable `code` the page can branch on,
//! and a message that says what to do.

use std::fmt;

/// Stable error codes (the page and tests branch on these, not on messages).
pub mod code {
    pub const NOT_JSON: &str = "not-json";
    pub const FIELD_TYPE: &str = "field-type";
    pub const MISSING_FIELD: &str = "missing-field";
    pub const LENGTHS: &str = "lengths";
    pub const LOGPROB_POSITIVE: &str = "logprob-positive";
    pub const ENTROPY_NEGATIVE: &str = "entropy-negative";
    pub const ENTROPY_TOO_LARGE: &str = "entropy-too-large";
    pub const DUPLICATE_SAMPLE: &str = "duplicate-sample";
    pub const MEAN_DISCRIMINATOR_NEGATIVE: &str = "mean-discriminator-negative";
    pub const MIXED_FORMATS: &str = "mixed-formats";
    pub const EMPTY_FILE: &str = "empty-file";
    pub const LOGIT_SLICE: &str = "logit-slice";
    pub const UNKNOWN_FORMAT: &str = "unknown-format";
    pub const BAD_VALUE: &str = "bad-value";
    pub const VERSION: &str = "version";
    pub const SAFETENSORS: &str = "safetensors";
    pub const TOO_LARGE: &str = "too-large";
    pub const STATE: &str = "state";
    pub const CSV: &str = "csv";
    pub const TOKENIZER: &str = "tokenizer";
    /// A recording reader met a file that only a reader of the whole run can
    /// read (a prime-rl trace-stream chunk): read the run in one reader.
    pub const NEEDS_SERIAL: &str = "needs-serial";
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// One of [`code`].
    pub code: &'static str,
    /// The path given to `begin_file` ("" when no file is concerned).
    pub file: String,
    /// 1-based line (JSONL, CSV) or entry (safetensors); `None` for the whole file.
    pub line: Option<u64>,
    /// The field (JSON key, tensor or CSV column), with an index when it is one entry.
    pub field: Option<String>,
    /// What is wrong and what to do, without the location (Display adds it).
    pub message: String,
    /// The file is not a run file at all (its format was not recognised:
    /// a config, a tokenizer, a per-step CSV, a logit slice, an empty file).
    /// A reader of several files skips it with a note and goes on; nothing
    /// of it was read.
    pub foreign: bool,
}

impl RunError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        RunError {
            code,
            file: String::new(),
            line: None,
            field: None,
            message: message.into(),
            foreign: false,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn at(mut self, file: &str, line: Option<u64>) -> Self {
        if self.file.is_empty() {
            self.file = file.to_string();
        }
        if self.line.is_none() {
            self.line = line;
        }
        self
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.is_empty(), self.line) {
            (false, Some(l)) => write!(f, "{}:{l}: ", self.file)?,
            (false, None) => write!(f, "{}: ", self.file)?,
            (true, Some(l)) => write!(f, "line {l}: ",)?,
            (true, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for RunError {}

/// At most 40 characters of `s` for a message ("…" marks a cut), so a 5 MB
/// cell or name is never copied into an error.
pub fn clip(s: &str) -> String {
    match s.char_indices().nth(40) {
        None => s.to_string(),
        Some((at, _)) => format!("{}…", &s[..at]),
    }
}
