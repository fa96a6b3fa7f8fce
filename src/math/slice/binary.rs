//! The streamed path for binary files: a header read from the first bytes
//! gives a [`FileLayout`]; rows are then decoded chunk by chunk from exact file
//! offsets, so the file is never held whole.

use half::{bf16, f16};

use super::narrow::DecodeNotes;
use super::{
    check_row, check_text_size, npy, safetensors, sniff, Format, ParseError, ParseOptions, Slice,
    SliceKind, BINARY_MAX_BYTES, FORTRAN_MAX_VALUES,
};

/// Element type of the logits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatType {
    F16,
    BF16,
    F32,
    F64,
}

impl FloatType {
    /// Bytes per value.
    pub fn size(self) -> usize {
        match self {
            FloatType::F16 | FloatType::BF16 => 2,
            FloatType::F32 => 4,
            FloatType::F64 => 8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FloatType::F16 => "float16",
            FloatType::BF16 => "bfloat16",
            FloatType::F32 => "float32",
            FloatType::F64 => "float64",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// Memory order of a 2-D array: C = row-major (rows contiguous), Fortran =
/// column-major (rows strided). One-row or one-column arrays are always `C`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    C,
    Fortran,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryFormat {
    Npy,
    Safetensors,
}

/// One tensor of a safetensors file (for the person to pick from).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorEntry {
    pub name: String,
    /// safetensors dtype name: "F32", "BF16", "I64", …
    pub dtype: String,
    pub shape: Vec<usize>,
    /// Absolute byte range in the file.
    pub start: u64,
    pub end: u64,
}

/// Element type of a side tensor (token ids, advantages); little-endian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SideType {
    Int { bytes: u8, signed: bool },
    Float(FloatType),
}

/// Token ids or advantages stored beside the logits (safetensors only): read
/// the file bytes `start..end` and pass them to [`decode_tokens`] /
/// [`decode_advantages`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideTensor {
    pub name: String,
    pub dtype: SideType,
    /// Number of values (`rows`, or 1 for a single advantage).
    pub len: usize,
    pub start: u64,
    pub end: u64,
}

/// Where the logits are in a binary file and how to decode them.
#[derive(Clone, Debug, PartialEq)]
pub struct FileLayout {
    pub format: BinaryFormat,
    pub dtype: FloatType,
    pub endian: Endian,
    pub order: Order,
    /// The shape as stored (before squeezing leading 1s).
    pub shape: Vec<usize>,
    pub rows: usize,
    pub vocab: usize,
    /// Absolute file offset of the first logit.
    pub data_offset: u64,
    /// The file's size, as given to [`read_header`].
    pub file_len: u64,
    /// safetensors: the logits tensor's name.
    pub logits_name: Option<String>,
    pub tokens: Option<SideTensor>,
    pub advantages: Option<SideTensor>,
    /// safetensors: every tensor in the file; empty for .npy.
    pub tensors: Vec<TensorEntry>,
    pub warnings: Vec<String>,
}

impl FileLayout {
    /// Bytes of one row (contiguous in C order).
    pub fn row_bytes(&self) -> u64 {
        (self.vocab as u64).saturating_mul(self.dtype.size() as u64)
    }

    /// Total logits.
    pub fn values(&self) -> u64 {
        (self.rows as u64).saturating_mul(self.vocab as u64)
    }

    /// Absolute byte range of all logits.
    pub fn data_range(&self) -> (u64, u64) {
        (
            self.data_offset,
            self.data_offset
                .saturating_add(self.values().saturating_mul(self.dtype.size() as u64)),
        )
    }

    /// True when rows are not contiguous (Fortran order): use [`decode_all`].
    pub fn is_strided(&self) -> bool {
        self.order == Order::Fortran
    }

    /// Whole rows that fit in `max_bytes` (at least 1): a chunk size for streaming.
    pub fn rows_per_chunk(&self, max_bytes: u64) -> usize {
        let per = self.row_bytes().max(1);
        ((max_bytes / per).max(1)).min(self.rows as u64) as usize
    }
}

/// Result of reading a header from the first bytes of a file.
#[derive(Clone, Debug, PartialEq)]
pub enum Header {
    Ready(Box<FileLayout>),
    /// Call again with at least this many bytes from the start of the file.
    NeedBytes(u64),
    /// JSON or CSV: read the whole file (it is within [`super::TEXT_MAX_BYTES`])
    /// and call [`super::parse_any`].
    Text(Format),
}

/// Read the header of a file of `file_len` bytes from its first bytes
/// (`prefix`; 64 KiB is usually enough, a header longer than the prefix
/// answers [`Header::NeedBytes`]). Checks the size limits and that the file
/// is as long as its header says.
pub fn read_header(
    name_hint: &str,
    prefix: &[u8],
    file_len: u64,
    opts: &ParseOptions,
) -> Result<Header, ParseError> {
    if file_len == 0 {
        return Err(ParseError::Empty);
    }
    if prefix.len() as u64 > file_len {
        return Err(ParseError::Chunk {
            reason: format!(
                "the header prefix has {} bytes but the file only {file_len}",
                prefix.len()
            ),
        });
    }
    if prefix.len() < 9 && (prefix.len() as u64) < file_len {
        return Ok(Header::NeedBytes(file_len.min(9)));
    }
    match sniff(name_hint, prefix)? {
        Format::Npy => {
            check_binary_size(file_len)?;
            npy_layout(prefix, file_len, opts)
        }
        Format::Safetensors => {
            check_binary_size(file_len)?;
            Ok(match safetensors::read(prefix, file_len, opts)? {
                safetensors::StHead::NeedBytes(n) => Header::NeedBytes(n),
                safetensors::StHead::Ready(layout) => Header::Ready(layout),
            })
        }
        f @ (Format::Json | Format::Csv) => {
            check_text_size(file_len)?;
            Ok(Header::Text(f))
        }
    }
}

fn check_binary_size(len: u64) -> Result<(), ParseError> {
    if len > BINARY_MAX_BYTES {
        return Err(ParseError::TooLarge {
            what: ".npy and .safetensors files",
            size: len,
            limit: BINARY_MAX_BYTES,
        });
    }
    Ok(())
}

fn npy_layout(prefix: &[u8], file_len: u64, opts: &ParseOptions) -> Result<Header, ParseError> {
    let (descr, fortran, shape, data_offset) = match npy::read(prefix, file_len)? {
        npy::NpyHead::NeedBytes(n) => return Ok(Header::NeedBytes(n)),
        npy::NpyHead::Ready {
            descr,
            fortran,
            shape,
            data_offset,
        } => (descr, fortran, shape, data_offset),
    };
    let mut warnings = Vec::new();
    let (dtype, endian) = npy::dtype(&descr, opts.confirm_bf16, &mut warnings)?;
    let (rows, vocab) = rows_vocab(".npy", &shape, &mut warnings)?;
    let order = if fortran && rows > 1 && vocab > 1 {
        Order::Fortran
    } else {
        Order::C
    };
    let layout = FileLayout {
        format: BinaryFormat::Npy,
        dtype,
        endian,
        order,
        shape,
        rows,
        vocab,
        data_offset,
        file_len,
        logits_name: None,
        tokens: None,
        advantages: None,
        tensors: Vec::new(),
        warnings,
    };
    let expected = layout.values() * dtype.size() as u64;
    let present = file_len - data_offset;
    if present < expected {
        return Err(ParseError::Truncated {
            what: format!("the data for shape {:?} of {}", layout.shape, dtype.name()),
            expected: data_offset + expected,
            present: file_len,
        });
    }
    if present > expected {
        return Err(ParseError::ShapeMismatch {
            what: format!("the {} data", dtype.name()),
            shape: layout.shape.clone(),
            expected,
            present,
        });
    }
    Ok(Header::Ready(Box::new(layout)))
}

/// A stored shape → (rows, vocab): 1-D is one row, 2-D is rows × vocab, and
/// leading dimensions of size 1 are dropped ((1, rows, vocab) → rows × vocab).
pub(super) fn rows_vocab(
    format: &'static str,
    shape: &[usize],
    warnings: &mut Vec<String>,
) -> Result<(usize, usize), ParseError> {
    let shape_err = |reason: String| ParseError::Shape {
        format,
        shape: shape.to_vec(),
        reason,
    };
    let mut dims = shape;
    while dims.len() > 2 && dims[0] == 1 {
        dims = &dims[1..];
    }
    let (rows, vocab) = match *dims {
        [] => {
            return Err(shape_err(
                "it is a single number (0-D), not a row of logits. Save at least a 1-D array of logits."
                    .into(),
            ))
        }
        [v] => (1, v),
        [r, v] => (r, v),
        _ => {
            return Err(shape_err(format!(
                "a {}-D array has no single way to pick rows. Save 2-D rows × vocab, e.g. x.reshape(-1, x.shape[-1]) (all positions of all sequences) or x[0] (the first sequence).",
                dims.len()
            )))
        }
    };
    if rows == 0 || vocab == 0 {
        return Err(ParseError::NoValues {
            format,
            detail: format!("its shape {shape:?} has a zero dimension"),
        });
    }
    if dims.len() < shape.len() {
        warnings.push(format!(
            "Shape {shape:?} read as {rows} rows × {vocab} (leading dimensions of size 1 dropped)."
        ));
    }
    // Every byte offset must fit in u64 and a row in memory.
    (rows as u64)
        .checked_mul(vocab as u64)
        .and_then(|n| n.checked_mul(8))
        .filter(|&b| b <= u64::MAX / 2)
        .ok_or_else(|| shape_err("it is too large".into()))?;
    Ok((rows, vocab))
}

/// Absolute byte range `(start, end)` of row `row`, to reopen it exactly with
/// `Blob.slice(start, end)` and [`decode_rows`]. Errors for Fortran order,
/// whose rows are not contiguous.
pub fn row_byte_range(layout: &FileLayout, row: usize) -> Result<(u64, u64), ParseError> {
    if row >= layout.rows {
        return Err(ParseError::RowOutOfRange {
            row,
            rows: layout.rows,
        });
    }
    if layout.is_strided() {
        return Err(ParseError::StridedRows {
            values: layout.values(),
            limit: FORTRAN_MAX_VALUES,
        });
    }
    let start = layout
        .data_offset
        .checked_add((row as u64).saturating_mul(layout.row_bytes()))
        .filter(|s| s.checked_add(layout.row_bytes()).is_some())
        .ok_or_else(|| ParseError::Chunk {
            reason: "the layout's offsets overflow".into(),
        })?;
    Ok((start, start + layout.row_bytes()))
}

/// Decode `bytes` — whole rows of a C-order layout, starting at row
/// `first_row` — appending the logits to `out` as f32. Returns the number of
/// rows decoded. float64 rows are narrowed by [`DecodeNotes::narrow_row`]
/// (what it shifted or lost is in `notes`). NaN, +∞ and rows with every
/// token masked are errors naming the row and column; −∞ stays −∞.
pub fn decode_rows(
    layout: &FileLayout,
    first_row: usize,
    bytes: &[u8],
    out: &mut Vec<f32>,
    notes: &mut DecodeNotes,
) -> Result<usize, ParseError> {
    if layout.is_strided() {
        return Err(ParseError::StridedRows {
            values: layout.values(),
            limit: FORTRAN_MAX_VALUES,
        });
    }
    let row_bytes = usize::try_from(layout.row_bytes()).unwrap_or(usize::MAX);
    if row_bytes == 0 || bytes.len() % row_bytes != 0 {
        return Err(ParseError::Chunk {
            reason: format!(
                "a chunk of {} bytes is not a whole number of rows of {row_bytes} bytes",
                bytes.len()
            ),
        });
    }
    let n = bytes.len() / row_bytes;
    if first_row > layout.rows || n > layout.rows - first_row {
        return Err(ParseError::Chunk {
            reason: format!(
                "rows {first_row}..{} asked for, but the slice has {} rows",
                first_row.saturating_add(n),
                layout.rows
            ),
        });
    }
    out.reserve(n * layout.vocab);
    let mut wide = Vec::new();
    for (i, row) in bytes.chunks_exact(row_bytes).enumerate() {
        let start = out.len();
        if layout.dtype == FloatType::F64 {
            wide.clear();
            wide.extend(row.chunks_exact(8).map(|b| f64_at(b, layout.endian, notes)));
            notes.narrow_row(first_row + i, &wide, out);
        } else {
            decode_values(layout.dtype, layout.endian, row, out);
        }
        check_row(first_row + i, &out[start..]).inspect_err(|_| out.truncate(start))?;
    }
    Ok(n)
}

/// Decode the whole data region (`bytes` = the file from `data_offset` to the
/// end of the logits) into row-major f32, transposing Fortran order (limit
/// [`FORTRAN_MAX_VALUES`] values).
pub fn decode_all(
    layout: &FileLayout,
    bytes: &[u8],
    notes: &mut DecodeNotes,
) -> Result<Vec<f32>, ParseError> {
    if layout.rows == 0 || layout.vocab == 0 {
        return Err(ParseError::NoValues {
            format: "binary",
            detail: "the layout has no rows or no columns".into(),
        });
    }
    let expected = layout.values().saturating_mul(layout.dtype.size() as u64);
    if bytes.len() as u64 != expected {
        return Err(ParseError::Truncated {
            what: format!("the {} logits ({:?})", layout.dtype.name(), layout.shape),
            expected,
            present: bytes.len() as u64,
        });
    }
    if !layout.is_strided() {
        let mut out = Vec::new();
        decode_rows(layout, 0, bytes, &mut out, notes)?;
        return Ok(out);
    }
    if layout.values() > FORTRAN_MAX_VALUES {
        return Err(ParseError::FortranTooLarge {
            values: layout.values(),
            limit: FORTRAN_MAX_VALUES,
        });
    }
    let (rows, vocab) = (layout.rows, layout.vocab);
    if layout.dtype == FloatType::F64 {
        // Narrowed row by row (a row's shift needs the whole row in float64).
        let mut out = Vec::with_capacity(rows * vocab);
        let mut wide = vec![0f64; vocab];
        for r in 0..rows {
            for (c, w) in wide.iter_mut().enumerate() {
                let at = (c * rows + r) * 8;
                *w = f64_at(&bytes[at..at + 8], layout.endian, notes);
            }
            let start = out.len();
            notes.narrow_row(r, &wide, &mut out);
            check_row(r, &out[start..])?;
        }
        return Ok(out);
    }
    let mut cols = Vec::with_capacity(rows * vocab);
    decode_values(layout.dtype, layout.endian, bytes, &mut cols);
    let mut out = vec![0f32; rows * vocab];
    for (c, column) in cols.chunks_exact(rows).enumerate() {
        for (r, &v) in column.iter().enumerate() {
            out[r * vocab + c] = v;
        }
    }
    for (r, row) in out.chunks_exact(vocab).enumerate() {
        check_row(r, row)?;
    }
    Ok(out)
}

/// Decode the token ids of `layout.tokens` from its bytes (`start..end` of
/// the file). Every id must be in `0..vocab`.
pub fn decode_tokens(layout: &FileLayout, bytes: &[u8]) -> Result<Vec<u32>, ParseError> {
    let side = layout.tokens.as_ref().ok_or_else(|| ParseError::Chunk {
        reason: "this layout has no token tensor".into(),
    })?;
    let (size, signed) = match side.dtype {
        SideType::Int { bytes, signed } if matches!(bytes, 1 | 2 | 4 | 8) => {
            (bytes as usize, signed)
        }
        _ => {
            return Err(ParseError::Chunk {
                reason: "the token tensor is not 1, 2, 4 or 8-byte integers".into(),
            })
        }
    };
    check_side_len(layout, side, bytes, size)?;
    let mut out = Vec::with_capacity(side.len);
    for (row, b) in bytes.chunks_exact(size).enumerate() {
        let mut buf = [0u8; 8];
        buf[..size].copy_from_slice(b);
        if signed && b[size - 1] & 0x80 != 0 {
            buf[size..].fill(0xff);
        }
        let raw = u64::from_le_bytes(buf);
        if signed && (raw as i64) < 0 {
            return Err(ParseError::BadToken {
                row,
                value: (raw as i64).to_string(),
            });
        }
        if raw >= layout.vocab as u64 {
            return Err(ParseError::TokenOutOfRange {
                row,
                token: raw,
                vocab: layout.vocab,
            });
        }
        out.push(raw as u32);
    }
    Ok(out)
}

/// Decode the advantages of `layout.advantages` from its bytes; a single
/// value is repeated for every row. Every advantage must be finite.
pub fn decode_advantages(layout: &FileLayout, bytes: &[u8]) -> Result<Vec<f32>, ParseError> {
    let side = layout
        .advantages
        .as_ref()
        .ok_or_else(|| ParseError::Chunk {
            reason: "this layout has no advantages tensor".into(),
        })?;
    let ty = match side.dtype {
        SideType::Float(t) => t,
        SideType::Int { .. } => {
            return Err(ParseError::Chunk {
                reason: "the advantages tensor is not float".into(),
            })
        }
    };
    check_side_len(layout, side, bytes, ty.size())?;
    let mut out = Vec::with_capacity(side.len);
    decode_values(ty, Endian::Little, bytes, &mut out);
    for (row, a) in out.iter().enumerate() {
        if !a.is_finite() {
            return Err(ParseError::AdvantageNotFinite {
                row,
                value: a.to_string(),
            });
        }
    }
    if out.len() == 1 {
        out.resize(layout.rows, out[0]);
    }
    Ok(out)
}

fn check_side_len(
    layout: &FileLayout,
    side: &SideTensor,
    bytes: &[u8],
    size: usize,
) -> Result<(), ParseError> {
    // A layout from read_header has rows × vocab values inside the file; a
    // hand-made one might not (and must not make us allocate `rows` values).
    if layout.rows == 0 || layout.vocab == 0 || layout.data_range().1 > layout.file_len {
        return Err(ParseError::Chunk {
            reason: "the layout's rows do not fit in its file".into(),
        });
    }
    let expected = side.end.saturating_sub(side.start);
    if side.end < side.start
        || bytes.len() as u64 != expected
        || Some(expected) != (side.len as u64).checked_mul(size as u64)
    {
        return Err(ParseError::Truncated {
            what: format!("tensor \"{}\"", side.name),
            expected,
            present: bytes.len() as u64,
        });
    }
    Ok(())
}

/// One raw float64 (8 bytes), noted for the plausibility check.
fn f64_at(b: &[u8], endian: Endian, notes: &mut DecodeNotes) -> f64 {
    let a: [u8; 8] = b.try_into().expect("8-byte chunks");
    let bits = match endian {
        Endian::Little => u64::from_le_bytes(a),
        Endian::Big => u64::from_be_bytes(a),
    };
    notes.look_at_bits(bits);
    f64::from_bits(bits)
}

/// Raw values → f32, appended to `out` (float64 logits go through
/// [`DecodeNotes::narrow_row`] instead; advantages are plainly rounded).
fn decode_values(ty: FloatType, endian: Endian, bytes: &[u8], out: &mut Vec<f32>) {
    let big = endian == Endian::Big;
    match ty {
        FloatType::F32 => out.extend(bytes.chunks_exact(4).map(|b| {
            let a = [b[0], b[1], b[2], b[3]];
            if big {
                f32::from_be_bytes(a)
            } else {
                f32::from_le_bytes(a)
            }
        })),
        FloatType::F64 => out.extend(bytes.chunks_exact(8).map(|b| {
            let a: [u8; 8] = b.try_into().unwrap();
            // Rounds to nearest; beyond f32 range becomes ±∞, which the
            // advantage check refuses.
            (if big {
                f64::from_be_bytes(a)
            } else {
                f64::from_le_bytes(a)
            }) as f32
        })),
        FloatType::F16 => out.extend(bytes.chunks_exact(2).map(|b| {
            let bits = if big {
                u16::from_be_bytes([b[0], b[1]])
            } else {
                u16::from_le_bytes([b[0], b[1]])
            };
            f16::from_bits(bits).to_f32()
        })),
        FloatType::BF16 => out.extend(bytes.chunks_exact(2).map(|b| {
            let bits = if big {
                u16::from_be_bytes([b[0], b[1]])
            } else {
                u16::from_le_bytes([b[0], b[1]])
            };
            bf16::from_bits(bits).to_f32()
        })),
    }
}

/// The whole-buffer path for binary files: the same header and decoding as
/// the streamed path.
pub(super) fn parse_whole(
    name_hint: &str,
    bytes: &[u8],
    opts: &ParseOptions,
) -> Result<Slice, ParseError> {
    let layout = match read_header(name_hint, bytes, bytes.len() as u64, opts)? {
        Header::Ready(l) => *l,
        // With the whole file given, a header can only need more if the file is short;
        // read_header reports that as Truncated, so these do not happen.
        Header::NeedBytes(n) => {
            return Err(ParseError::Truncated {
                what: "the header".into(),
                expected: n,
                present: bytes.len() as u64,
            })
        }
        Header::Text(f) => {
            return Err(ParseError::Chunk {
                reason: format!("{} is not a binary format", f.name()),
            })
        }
    };
    let (start, end) = layout.data_range();
    let mut notes = DecodeNotes::default();
    let logits = decode_all(&layout, &bytes[start as usize..end as usize], &mut notes)?;
    let tokens = match &layout.tokens {
        Some(t) => Some(decode_tokens(
            &layout,
            &bytes[t.start as usize..t.end as usize],
        )?),
        None => None,
    };
    let advantages = match &layout.advantages {
        Some(a) => Some(decode_advantages(
            &layout,
            &bytes[a.start as usize..a.end as usize],
        )?),
        None => None,
    };
    Ok(Slice {
        format: match layout.format {
            BinaryFormat::Npy => Format::Npy,
            BinaryFormat::Safetensors => Format::Safetensors,
        },
        rows: layout.rows,
        vocab: layout.vocab,
        logits,
        tokens,
        advantages,
        kind: SliceKind::Full,
        warnings: [notes.warnings("float64 logits"), layout.warnings].concat(),
    })
}
