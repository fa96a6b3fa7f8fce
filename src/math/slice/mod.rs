//! Logit slices (docs/contract.md, "Slices"): rows × vocab logits read from `.npy`,
//! `.safetensors`, JSON or CSV, with optional sampled token ids and advantages.
//!
//! Two ways in:
//! - **streamed** (binary formats, files up to [`BINARY_MAX_BYTES`]): a Web Worker
//!   passes the first bytes of the file to [`read_header`], gets a [`FileLayout`]
//!   (or [`Header::NeedBytes`]: read more and call again), then reads whole rows
//!   with `Blob.slice` and decodes them with [`decode_rows`]; [`row_byte_range`]
//!   gives the file offsets that reopen any row exactly. Fortran-order arrays,
//!   whose rows are strided, go through [`decode_all`] (limit
//!   [`FORTRAN_MAX_VALUES`]).
//! - **whole buffer**: [`parse_any`] sniffs the format and returns a [`Slice`]
//!   (text formats are limited to [`TEXT_MAX_BYTES`]).
//!
//! Every value that leaves this module is a finite logit or −∞ (a masked token):
//! NaN, +∞ and rows with every token masked are errors naming the row and column.
//! `null` in JSON logits is read as −∞ (masked) with a warning: Python's
//! `json.dumps` writes `-Infinity` (also accepted, though not valid JSON), but
//! JavaScript's `JSON.stringify` turns ±Infinity and NaN into `null`.

mod binary;
mod csv;
mod error;
mod json;
mod narrow;
mod npy;
mod safetensors;

pub use binary::{
    decode_advantages, decode_all, decode_rows, decode_tokens, read_header, row_byte_range,
    BinaryFormat, Endian, FileLayout, FloatType, Header, Order, SideTensor, SideType, TensorEntry,
};
pub use error::ParseError;
pub use narrow::DecodeNotes;

/// Streamed binary files (.npy, .safetensors): larger is refused.
pub const BINARY_MAX_BYTES: u64 = 4 << 30;
/// JSON and CSV are parsed whole, in memory: larger is refused.
pub const TEXT_MAX_BYTES: u64 = 256 << 20;
/// Fortran-order arrays are decoded whole (rows are strided): at most this many
/// values (256 MiB as float32).
pub const FORTRAN_MAX_VALUES: u64 = 64 << 20;
/// Largest .npy header read (NumPy itself refuses headers over 10,000 bytes by default).
pub const NPY_MAX_HEADER: u64 = 1 << 20;
/// Largest safetensors JSON header (the `safetensors` crate's own limit).
pub const SAFETENSORS_MAX_HEADER: u64 = 100_000_000;

/// The four upload formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Npy,
    Safetensors,
    Json,
    Csv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Npy => ".npy",
            Format::Safetensors => ".safetensors",
            Format::Json => "JSON",
            Format::Csv => "CSV",
        }
    }
}

/// Which tensor fills an optional role (safetensors token ids, advantages).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TensorPick {
    /// Use a tensor with the conventional name, if there is one.
    #[default]
    Auto,
    /// Do not read this role.
    Skip,
    /// Use the tensor with this name.
    Named(String),
}

/// Choices the file cannot make for the person.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Read `|V2` (2-byte void) .npy data as bfloat16.
    pub confirm_bf16: bool,
    /// safetensors: the logits tensor; `None` = the one named `logits`, or the only float tensor.
    pub logits_tensor: Option<String>,
    /// safetensors: integer tensor of sampled token ids (auto: `tokens`, `token_ids`, `input_ids`).
    pub tokens_tensor: TensorPick,
    /// safetensors: float tensor of advantages (auto: `advantages`).
    pub advantages_tensor: TensorPick,
}

/// What kind of distribution the rows are.
#[derive(Clone, Debug, PartialEq)]
pub enum SliceKind {
    /// Full logits over the vocabulary.
    Full,
    /// Truncated: only the top logprobs of each position were listed.
    TopLogprobs(TopLogprobs),
}

/// Per-row detail of a top-logprobs slice. Its `logits` are the listed
/// logprobs (ln p of the model's full distribution), padded with −∞ up to the
/// longest row; `tokens` are the column of the sampled token in each row (a
/// sampled token missing from the top list is appended as the last listed
/// column, with a warning).
#[derive(Clone, Debug, PartialEq)]
pub struct TopLogprobs {
    /// Σ exp(logprob) over the listed entries of each row (≤ 1 up to rounding):
    /// the missing tail has mass 1 − listed_mass.
    pub listed_mass: Vec<f64>,
    /// Per row, the least entropy the model can have: −Σ p ln p over the
    /// listed tokens plus the tail t split into as many tokens at the
    /// smallest listed probability as fit and a remainder (docs/math.md,
    /// "Truncated slices").
    pub entropy_bound: Vec<f64>,
    /// Number of listed (non-padding) columns per row.
    pub listed: Vec<usize>,
    /// Token text of each listed column, per row.
    pub labels: Vec<Vec<String>>,
    /// Which `choices[]` entry each row came from.
    pub choice: Vec<usize>,
}

impl TopLogprobs {
    /// Probability mass not listed in row `row` (0 when rounding pushes the listed mass over 1).
    pub fn tail_mass(&self, row: usize) -> f64 {
        (1.0 - self.listed_mass[row]).max(0.0)
    }
}

/// A parsed slice: `rows` × `vocab` logits, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Slice {
    pub format: Format,
    pub rows: usize,
    pub vocab: usize,
    /// Row-major; finite or −∞ (masked).
    pub logits: Vec<f32>,
    /// Sampled token per row (a column index, `< vocab`).
    pub tokens: Option<Vec<u32>>,
    /// One per row (a single advantage given for all rows is repeated).
    pub advantages: Option<Vec<f32>>,
    pub kind: SliceKind,
    /// Things the person should know that did not stop the parse.
    pub warnings: Vec<String>,
}

impl Slice {
    pub fn row(&self, r: usize) -> &[f32] {
        &self.logits[r * self.vocab..(r + 1) * self.vocab]
    }

    pub fn is_truncated(&self) -> bool {
        matches!(self.kind, SliceKind::TopLogprobs(_))
    }
}

/// Which format `prefix` (the first bytes of the file, or all of it) is in.
/// `name_hint` (a file name) only sharpens the error when the bytes match
/// no format.
pub fn sniff(name_hint: &str, prefix: &[u8]) -> Result<Format, ParseError> {
    if prefix.is_empty() {
        return Err(ParseError::Empty);
    }
    if prefix.starts_with(npy::MAGIC) {
        return Ok(Format::Npy);
    }
    if safetensors::looks_like(prefix) {
        return Ok(Format::Safetensors);
    }
    let ext = extension(name_hint);
    let text = strip_bom(prefix);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') | Some(b'{') => return Ok(Format::Json),
        None => {
            return Err(ParseError::NoValues {
                format: "text",
                detail: "it contains only whitespace".into(),
            })
        }
        _ => {}
    }
    if prefix.starts_with(b"PK\x03\x04") {
        return Err(ParseError::Unrecognised {
            reason: "it is a zip archive, as written by torch.save (.pt) or np.savez (.npz); save one array with np.save(path, t.float().numpy()) or safetensors.torch.save_file".into(),
        });
    }
    if prefix.starts_with(b"\xFF\xFE") || prefix.starts_with(b"\xFE\xFF") {
        return Err(ParseError::Unrecognised {
            reason: "it is UTF-16 text (as Windows PowerShell writes it); save it as UTF-8".into(),
        });
    }
    if prefix.first() == Some(&0x80) {
        return Err(ParseError::Unrecognised {
            reason: "it looks like a Python pickle (torch.save / pickle.dump); save the array with np.save or safetensors instead".into(),
        });
    }
    match ext.as_str() {
        "npy" => {
            return Err(ParseError::BadMagic {
                format: ".npy",
                found: format!(
                    "the first bytes are {}, not \\x93NUMPY",
                    show_bytes(prefix, 6)
                ),
            })
        }
        "safetensors" => {
            return Err(ParseError::BadMagic {
                format: ".safetensors",
                found: format!(
                    "the first bytes are {}, not an 8-byte header length followed by '{{'",
                    show_bytes(prefix, 9)
                ),
            })
        }
        "json" => return Ok(Format::Json),
        _ => {}
    }
    let head = &prefix[..prefix.len().min(4096)];
    if head.contains(&0) || looks_binary(head) {
        return Err(ParseError::Unrecognised {
            reason: format!(
                "it starts with the bytes {}, which are neither the \\x93NUMPY magic, a safetensors header, nor text",
                show_bytes(prefix, 8)
            ),
        });
    }
    Ok(Format::Csv)
}

/// Parse a whole file held in memory. `name_hint` is the file name (used for
/// error messages only). Binary formats use the same header and decoding code
/// as the streamed path.
pub fn parse_any(name_hint: &str, bytes: &[u8]) -> Result<Slice, ParseError> {
    parse_any_with(name_hint, bytes, &ParseOptions::default())
}

/// [`parse_any`] with choices (bfloat16 confirmation, tensor names).
pub fn parse_any_with(
    name_hint: &str,
    bytes: &[u8],
    opts: &ParseOptions,
) -> Result<Slice, ParseError> {
    let format = sniff(name_hint, bytes)?;
    match format {
        Format::Npy | Format::Safetensors => binary::parse_whole(name_hint, bytes, opts),
        Format::Json | Format::Csv => {
            check_text_size(bytes.len() as u64)?;
            let mut slice = if format == Format::Json {
                json::parse(bytes)?
            } else {
                csv::parse(bytes)?
            };
            validate(&mut slice)?;
            Ok(slice)
        }
    }
}

pub(crate) fn check_text_size(len: u64) -> Result<(), ParseError> {
    if len > TEXT_MAX_BYTES {
        return Err(ParseError::TooLarge {
            what: "JSON and CSV files (they are read whole)",
            size: len,
            limit: TEXT_MAX_BYTES,
        });
    }
    Ok(())
}

/// The checks every format shares: shape, NaN/+∞ (row and column named),
/// all-masked rows, token ids inside the vocabulary, advantages one per row
/// and finite.
pub(crate) fn validate(slice: &mut Slice) -> Result<(), ParseError> {
    let format = slice.format.name();
    if slice.rows == 0 {
        return Err(ParseError::NoValues {
            format,
            detail: "it has no rows".into(),
        });
    }
    if slice.vocab == 0 {
        return Err(ParseError::NoValues {
            format,
            detail: "its rows are empty".into(),
        });
    }
    debug_assert_eq!(slice.logits.len(), slice.rows * slice.vocab);
    for (row, values) in slice.logits.chunks_exact(slice.vocab).enumerate() {
        check_row(row, values)?;
    }
    if let Some(tokens) = &slice.tokens {
        if tokens.len() != slice.rows {
            return Err(ParseError::TokensLength {
                len: tokens.len(),
                rows: slice.rows,
            });
        }
        for (row, &t) in tokens.iter().enumerate() {
            if t as usize >= slice.vocab {
                return Err(ParseError::TokenOutOfRange {
                    row,
                    token: t as u64,
                    vocab: slice.vocab,
                });
            }
        }
    }
    if let Some(adv) = &mut slice.advantages {
        if adv.len() == 1 && slice.rows > 1 {
            let a = adv[0];
            adv.resize(slice.rows, a);
        }
        if adv.len() != slice.rows {
            return Err(ParseError::AdvantagesLength {
                len: adv.len(),
                rows: slice.rows,
            });
        }
        for (row, a) in adv.iter().enumerate() {
            if !a.is_finite() {
                return Err(ParseError::AdvantageNotFinite {
                    row,
                    value: a.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// NaN / +∞ / all-masked check of one row.
#[inline]
pub(crate) fn check_row(row: usize, values: &[f32]) -> Result<(), ParseError> {
    let mut any_finite = false;
    for (col, &v) in values.iter().enumerate() {
        if v.is_finite() {
            any_finite = true;
        } else if v.is_nan() {
            return Err(ParseError::NotANumber { row, col });
        } else if v > 0.0 {
            return Err(ParseError::PositiveInfinity { row, col });
        }
    }
    if !any_finite {
        return Err(ParseError::AllMasked { row });
    }
    Ok(())
}

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, ext)) => ext.to_ascii_lowercase(),
        None => String::new(),
    }
}

fn looks_binary(head: &[u8]) -> bool {
    // Invalid UTF-8 that is not just a multi-byte character cut at the end.
    match std::str::from_utf8(head) {
        Ok(_) => false,
        Err(e) => e.error_len().is_some(),
    }
}

pub(crate) fn show_bytes(bytes: &[u8], n: usize) -> String {
    let mut s = String::from("b'");
    for &b in bytes.iter().take(n) {
        if b.is_ascii_graphic() && b != b'\'' && b != b'\\' {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s.push('\'');
    s
}

#[cfg(test)]
mod tests;
