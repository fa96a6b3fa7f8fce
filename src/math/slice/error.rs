//! `ParseError`: every way an uploaded slice can be refused. Each message says
//! what is wrong, where (row and column counted from 0, as in the per-row
//! table), and what to do about it; the wasm layer passes it through unchanged.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum ParseError {
    /// Zero bytes.
    Empty,
    /// The file parsed but holds no values (shape with a 0, `[]`, only a header line…).
    NoValues {
        format: &'static str,
        detail: String,
    },
    /// Over the size limit of its path.
    TooLarge {
        what: &'static str,
        size: u64,
        limit: u64,
    },
    /// Fewer bytes than the header promises.
    Truncated {
        what: String,
        expected: u64,
        present: u64,
    },
    /// More bytes than the header's shape accounts for.
    ShapeMismatch {
        what: String,
        shape: Vec<usize>,
        expected: u64,
        present: u64,
    },
    /// The first bytes match no accepted format.
    Unrecognised {
        reason: String,
    },
    /// The name says one format, the bytes another.
    BadMagic {
        format: &'static str,
        found: String,
    },
    /// A malformed header (.npy dictionary, safetensors JSON).
    Header {
        format: &'static str,
        reason: String,
    },
    UnsupportedNpyVersion {
        major: u8,
        minor: u8,
    },
    UnsupportedDtype {
        format: &'static str,
        dtype: String,
        hint: String,
    },
    /// `|V2` data: bfloat16 is the likely meaning but the file cannot say so.
    ConfirmBf16 {
        dtype: String,
    },
    /// A shape that is not one row or rows × vocab.
    Shape {
        format: &'static str,
        shape: Vec<usize>,
        reason: String,
    },
    /// Fortran-order array over the whole-buffer limit.
    FortranTooLarge {
        values: u64,
        limit: u64,
    },
    /// Row-wise access to a Fortran-order (column-major) array.
    StridedRows {
        values: u64,
        limit: u64,
    },
    /// `decode_rows` was handed bytes that are not whole rows of the layout.
    Chunk {
        reason: String,
    },
    RowOutOfRange {
        row: usize,
        rows: usize,
    },
    NotANumber {
        row: usize,
        col: usize,
    },
    PositiveInfinity {
        row: usize,
        col: usize,
    },
    AllMasked {
        row: usize,
    },
    /// Rows of different lengths (JSON, CSV).
    Ragged {
        format: &'static str,
        row: usize,
        len: usize,
        expected: usize,
        line: Option<usize>,
    },
    /// A cell that is not a number.
    BadValue {
        row: usize,
        col: usize,
        text: String,
        line: Option<usize>,
    },
    /// A token id that is negative, fractional or not a number.
    BadToken {
        row: usize,
        value: String,
    },
    TokenOutOfRange {
        row: usize,
        token: u64,
        vocab: usize,
    },
    TokensLength {
        len: usize,
        rows: usize,
    },
    AdvantagesLength {
        len: usize,
        rows: usize,
    },
    AdvantageNotFinite {
        row: usize,
        value: String,
    },
    /// JSON syntax error.
    Json {
        line: usize,
        column: usize,
        reason: String,
    },
    /// Valid JSON of a shape we do not read.
    JsonShape {
        found: String,
    },
    TensorNotFound {
        name: String,
        available: Vec<String>,
    },
    /// Several float tensors and none named `logits`.
    AmbiguousTensor {
        candidates: Vec<String>,
    },
    NoFloatTensor {
        available: Vec<String>,
    },
    /// A tensor picked for a role its dtype cannot fill.
    WrongTensorKind {
        name: String,
        dtype: String,
        role: &'static str,
    },
    /// A side tensor (tokens, advantages) with the wrong number of values.
    SideTensorLength {
        name: String,
        role: &'static str,
        len: u64,
        rows: usize,
    },
    /// An OpenAI-style logprobs response that is inconsistent.
    TopLogprobs {
        row: usize,
        reason: String,
    },
}

impl ParseError {
    /// Tensor names the person can pick from, when the error is about picking one.
    pub fn candidates(&self) -> Option<&[String]> {
        match self {
            ParseError::AmbiguousTensor { candidates } => Some(candidates),
            ParseError::TensorNotFound { available, .. }
            | ParseError::NoFloatTensor { available } => Some(available),
            _ => None,
        }
    }
}

fn mib(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes % (1 << 30) == 0 {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{:.0} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{bytes} bytes")
    }
}

fn list(names: &[String]) -> String {
    const MAX: usize = 20;
    let mut s = names
        .iter()
        .take(MAX)
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX {
        s.push_str(&format!(" and {} more", names.len() - MAX));
    }
    if s.is_empty() {
        s.push_str("(none)");
    }
    s
}

fn values(n: usize) -> String {
    if n == 1 {
        "1 value".into()
    } else {
        format!("{n} values")
    }
}

fn at_line(line: &Option<usize>) -> String {
    match line {
        Some(l) => format!(" (line {l} of the file)"),
        None => String::new(),
    }
}

fn shape_str(shape: &[usize]) -> String {
    let inner = shape
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if shape.len() == 1 {
        format!("({inner},)")
    } else {
        format!("({inner})")
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ParseError::*;
        match self {
            Empty => write!(f, "The file is empty (0 bytes). Choose a .npy, .safetensors, .json or .csv file that holds logits."),
            NoValues { format, detail } => write!(f, "The {format} file holds no logits: {detail}. A slice needs at least one row with at least one value."),
            TooLarge { what, size, limit } => write!(
                f,
                "The file is {} ({size} bytes), over the {} limit for {what}. {}",
                mib(*size),
                mib(*limit),
                if what.starts_with(".npy") {
                    "Save fewer rows, e.g. np.save(path, x[:1024])."
                } else {
                    "Save fewer rows, or save them as .npy or .safetensors, which are streamed up to 4 GiB."
                }
            ),
            Truncated { what, expected, present } => write!(
                f,
                "The file is cut off: {what} needs {expected} bytes but only {present} are present ({} missing). Copy or download the file again.",
                expected - present.min(expected)
            ),
            ShapeMismatch { what, shape, expected, present } => write!(
                f,
                "The header's shape {} does not match the data: {what} should be {expected} bytes, but {present} bytes follow the header. Save the array again with np.save or safetensors.",
                shape_str(shape)
            ),
            Unrecognised { reason } => write!(
                f,
                "This file is not in a format the page reads ({reason}). Accepted: .npy (np.save), .safetensors (safetensors.torch.save_file), JSON (an array of logits, an array of rows, an object with \"logits\", or an OpenAI-style logprobs response) and CSV of numbers."
            ),
            BadMagic { format, found } => write!(
                f,
                "The file is named like a {format} file but does not start like one ({found}). Check that it was saved with {} and not renamed from another format.",
                if *format == ".npy" { "np.save" } else { "safetensors' save_file" }
            ),
            Header { format, reason } => write!(f, "The {format} header is not valid: {reason}. Save the array again ({}).", if *format == ".npy" { "np.save" } else { "safetensors.torch.save_file" }),
            UnsupportedNpyVersion { major, minor } => write!(
                f,
                "This .npy file uses format version {major}.{minor}; the page reads versions 1.0, 2.0 and 3.0. Save it again with np.save."
            ),
            UnsupportedDtype { format, dtype, hint } => write!(
                f,
                "The {format} data type {dtype} is not supported: logits must be float16, bfloat16, float32 or float64. {hint}"
            ),
            ConfirmBf16 { dtype } => write!(
                f,
                "This .npy file holds raw 2-byte values (dtype '{dtype}'), which is how bfloat16 arrays are usually saved, but the file cannot say so. Confirm that it holds bfloat16 to read it as such, or save it as float32 instead: np.save(path, t.float().numpy())."
            ),
            Shape { format, shape, reason } => write!(f, "The {format} array has shape {}: {reason}", shape_str(shape)),
            FortranTooLarge { values, limit } => write!(
                f,
                "This array is stored in Fortran (column-major) order, so every row is spread over the whole file and it has to be read at once; that works up to {limit} values (256 MiB as float32), and this one has {values}. Save it in C order: np.save(path, np.ascontiguousarray(x))."
            ),
            StridedRows { values, limit } => write!(
                f,
                "This array is stored in Fortran (column-major) order: its rows are not contiguous, so they cannot be read one chunk at a time. Decode the whole array instead (possible up to {limit} values; this one has {values}), or save it in C order: np.save(path, np.ascontiguousarray(x))."
            ),
            Chunk { reason } => write!(f, "Internal reading error: {reason}."),
            RowOutOfRange { row, rows } => write!(f, "Row {row} does not exist: the slice has {rows} rows (0 to {}).", rows.saturating_sub(1)),
            NotANumber { row, col } => write!(
                f,
                "Row {row}, column {col} is NaN (not a number). Replace NaN logits before saving (e.g. torch.nan_to_num(x, nan=-float('inf')) to mask them)."
            ),
            PositiveInfinity { row, col } => write!(
                f,
                "Row {row}, column {col} is +Infinity, which has no softmax. Use finite logits; -Infinity is accepted and means a masked token."
            ),
            AllMasked { row } => write!(
                f,
                "Row {row} has every token masked (-Infinity): at least one token per row needs a finite logit."
            ),
            Ragged { format, row, len, expected, line } => write!(
                f,
                "The {format} rows have different lengths: row {row}{} has {}, but row 0 has {}. Every row needs one value per vocabulary token.",
                at_line(line),
                values(*len),
                values(*expected)
            ),
            BadValue { row, col, text, line } => write!(
                f,
                "Row {row}, column {col}{} is \"{text}\", which is not a number. Use plain numbers, and -inf for a masked token.",
                at_line(line)
            ),
            BadToken { row, value } => write!(
                f,
                "The token id of row {row} is {value}; token ids must be whole numbers from 0 up to the vocabulary size minus 1."
            ),
            TokenOutOfRange { row, token, vocab } => write!(
                f,
                "The token id of row {row} is {token}, but the rows have only {vocab} logits (ids 0 to {}). Check that the tokens belong to these logits (same vocabulary, no padding id).",
                vocab.saturating_sub(1)
            ),
            TokensLength { len, rows } => write!(
                f,
                "There are {len} token ids for {rows} rows of logits: give exactly one sampled token id per row."
            ),
            AdvantagesLength { len, rows } => write!(
                f,
                "There are {len} advantages for {rows} rows of logits: give one advantage per row, or a single number for all rows."
            ),
            AdvantageNotFinite { row, value } => write!(
                f,
                "The advantage of row {row} is {value}; advantages must be finite numbers."
            ),
            Json { line, column, reason } => write!(
                f,
                "The JSON is not valid at line {line}, column {column}: {reason}."
            ),
            JsonShape { found } => write!(
                f,
                "The JSON is valid but not a shape the page reads (found {found}). Accepted: an array of logits (one row); an array of equal-length arrays (rows × vocab); an object {{\"logits\": …, \"tokens\": [...], \"advantages\": number or [...]}}; an OpenAI-style response with choices[].logprobs (chat: content[].top_logprobs; completions: tokens, token_logprobs, top_logprobs)."
            ),
            TensorNotFound { name, available } => write!(
                f,
                "There is no tensor named \"{name}\" in this .safetensors file. Its tensors are: {}.",
                list(available)
            ),
            AmbiguousTensor { candidates } => write!(
                f,
                "This .safetensors file has several float tensors and none is named \"logits\": pick the one that holds the logits: {}.",
                list(candidates)
            ),
            NoFloatTensor { available } => write!(
                f,
                "This .safetensors file has no float16/bfloat16/float32/float64 tensor to read as logits. Its tensors are: {}.",
                list(available)
            ),
            WrongTensorKind { name, dtype, role } => write!(
                f,
                "Tensor \"{name}\" has dtype {dtype}, which cannot be {role}. {}",
                if *role == "the logits" || *role == "the advantages" {
                    "Save it as float: t.float()."
                } else {
                    "Token ids need an integer dtype: t.long()."
                }
            ),
            SideTensorLength { name, role, len, rows } => write!(
                f,
                "Tensor \"{name}\" ({role}) has {len} values, but the logits have {rows} rows: {}.",
                if *role == "advantages" {
                    "give one advantage per row, or a single value for all rows"
                } else {
                    "give exactly one sampled token id per row (pick another tensor, or none)"
                }
            ),
            TopLogprobs { row, reason } => write!(f, "Position {row} of the logprobs response: {reason}."),
        }
    }
}

impl std::error::Error for ParseError {}
