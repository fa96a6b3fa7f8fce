//! CSV of numbers, one row per position: `z0,z1,…` per line. Whitespace
//! around values is allowed, as are tab- or space-separated lines (what
//! `np.savetxt` writes by default) and `#` comment lines. A first line that is
//! not all numbers is skipped as a header (with a warning). `-inf` /
//! `-Infinity` is a masked token; `nan`, `inf` are refused naming the row and
//! column. Hand-written: there is no quoting to handle, only numbers.

use super::{strip_bom, DecodeNotes, Format, ParseError, Slice, SliceKind};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Comma,
    Semicolon,
    Tab,
    Space,
}

fn split(line: &str, sep: Sep) -> Vec<&str> {
    match sep {
        Sep::Comma => line.split(',').collect(),
        Sep::Semicolon => line.split(';').collect(),
        Sep::Tab => line.split('\t').collect(),
        Sep::Space => line.split_ascii_whitespace().collect(),
    }
}

/// A cell → logit (float64, narrowed per row); `None` if it is not a number. Rust's parser accepts
/// `inf`, `-inf`, `infinity`, `nan` in any case, which `check_row` then sorts
/// out (−∞ masked; NaN, +∞ refused).
fn number(cell: &str) -> Option<f64> {
    let c = cell.trim();
    let c = c
        .strip_prefix('"')
        .and_then(|c| c.strip_suffix('"'))
        .unwrap_or(c)
        .trim();
    if c.is_empty() {
        return None;
    }
    c.parse::<f64>().ok()
}

pub(super) fn parse(bytes: &[u8]) -> Result<Slice, ParseError> {
    let bytes = strip_bom(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| ParseError::Unrecognised {
        reason: format!(
            "it is not a .npy, .safetensors or JSON file, and not text either (byte {} is not UTF-8), so not a CSV",
            e.valid_up_to()
        ),
    })?;
    let mut warnings = Vec::new();
    let mut logits = Vec::new();
    let mut notes = DecodeNotes::default();
    let mut wide = Vec::new();
    let mut vocab = 0usize;
    let mut rows = 0usize;
    let mut sep = None;
    let mut first = true;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let s = *sep.get_or_insert_with(|| {
            if line.contains(',') {
                Sep::Comma
            } else if line.contains(';') {
                Sep::Semicolon
            } else if line.contains('\t') {
                Sep::Tab
            } else {
                Sep::Space
            }
        });
        let cells = split(trimmed, s);
        if first {
            first = false;
            if cells.iter().any(|c| number(c).is_none()) {
                let mut shown: String = trimmed.chars().take(60).collect();
                if shown.len() < trimmed.len() {
                    shown.push('…');
                }
                warnings.push(format!(
                    "Line {line_no} is not all numbers and was skipped as a header: \"{shown}\"."
                ));
                continue;
            }
        }
        if rows == 0 {
            vocab = cells.len();
        } else if cells.len() != vocab {
            return Err(ParseError::Ragged {
                format: "CSV",
                row: rows,
                len: cells.len(),
                expected: vocab,
                line: Some(line_no),
            });
        }
        wide.clear();
        for (col, c) in cells.iter().enumerate() {
            match number(c) {
                Some(v) => wide.push(v),
                None => {
                    return Err(ParseError::BadValue {
                        row: rows,
                        col,
                        text: c.trim().chars().take(40).collect(),
                        line: Some(line_no),
                    })
                }
            }
        }
        notes.narrow_row(rows, &wide, &mut logits);
        rows += 1;
    }
    if rows == 0 {
        return Err(ParseError::NoValues {
            format: "CSV",
            detail: "it has no lines of numbers".into(),
        });
    }
    warnings.extend(notes.warnings("CSV numbers"));
    Ok(Slice {
        format: Format::Csv,
        rows,
        vocab,
        logits,
        tokens: None,
        advantages: None,
        kind: SliceKind::Full,
        warnings,
    })
}
