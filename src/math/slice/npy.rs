//! The .npy header (NumPy format versions 1.0, 2.0, 3.0): magic, version,
//! header length, and a Python dict literal
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (8, 50), }`.
//! Written by hand: it is a few dozen lines and no maintained crate reads
//! just the header from a prefix of the file.

use super::binary::{Endian, FloatType};
use super::{show_bytes, ParseError, NPY_MAX_HEADER};

pub(super) const MAGIC: &[u8] = b"\x93NUMPY";
const FORMAT: &str = ".npy";

pub(super) enum NpyHead {
    NeedBytes(u64),
    Ready {
        descr: String,
        fortran: bool,
        shape: Vec<usize>,
        data_offset: u64,
    },
}

fn header_err(reason: impl Into<String>) -> ParseError {
    ParseError::Header {
        format: FORMAT,
        reason: reason.into(),
    }
}

/// Read the header from `prefix` (the first bytes of a file of `file_len` bytes).
pub(super) fn read(prefix: &[u8], file_len: u64) -> Result<NpyHead, ParseError> {
    let have = prefix.len() as u64;
    if !MAGIC.starts_with(&prefix[..prefix.len().min(6)]) {
        return Err(ParseError::BadMagic {
            format: FORMAT,
            found: format!("the first bytes are {}", show_bytes(prefix, 6)),
        });
    }
    let preamble_short = |need: u64| -> Result<NpyHead, ParseError> {
        if file_len < need {
            Err(ParseError::Truncated {
                what: "the .npy preamble (magic, version, header length)".into(),
                expected: need,
                present: file_len,
            })
        } else {
            Ok(NpyHead::NeedBytes(need))
        }
    };
    if have < 8 {
        return preamble_short(10);
    }
    let (major, minor) = (prefix[6], prefix[7]);
    let pre = match (major, minor) {
        (1, 0) => 10u64,
        (2, 0) | (3, 0) => 12u64,
        _ => return Err(ParseError::UnsupportedNpyVersion { major, minor }),
    };
    if have < pre {
        return preamble_short(pre);
    }
    let header_len = if pre == 10 {
        u16::from_le_bytes([prefix[8], prefix[9]]) as u64
    } else {
        u32::from_le_bytes([prefix[8], prefix[9], prefix[10], prefix[11]]) as u64
    };
    if header_len > NPY_MAX_HEADER {
        return Err(header_err(format!(
            "it says the header is {header_len} bytes long, over the {NPY_MAX_HEADER}-byte limit (NumPy writes a few hundred)"
        )));
    }
    let data_offset = pre + header_len;
    if file_len < data_offset {
        return Err(ParseError::Truncated {
            what: "the .npy header".into(),
            expected: data_offset,
            present: file_len,
        });
    }
    if have < data_offset {
        return Ok(NpyHead::NeedBytes(data_offset));
    }
    let raw = &prefix[pre as usize..data_offset as usize];
    let text: String = if major == 3 {
        std::str::from_utf8(raw)
            .map_err(|_| header_err("a version 3.0 header must be UTF-8 text"))?
            .to_owned()
    } else {
        // Versions 1.0 and 2.0 are latin-1 (in practice ASCII).
        raw.iter().map(|&b| b as char).collect()
    };
    let dict = match Parser::new(&text).document()? {
        Py::Dict(d) => d,
        _ => return Err(header_err("it is not a Python dictionary")),
    };
    let get = |key: &str| dict.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let descr = match get("descr") {
        Some(Py::Str(s)) => s.clone(),
        Some(Py::List) => {
            return Err(ParseError::UnsupportedDtype {
                format: FORMAT,
                dtype: "a structured (record) dtype".into(),
                hint: "Save a plain float array: np.save(path, x.astype(np.float32)).".into(),
            })
        }
        Some(_) => return Err(header_err("'descr' is not a string")),
        None => return Err(header_err("the key 'descr' is missing")),
    };
    let fortran = match get("fortran_order") {
        Some(Py::Bool(b)) => *b,
        Some(_) => return Err(header_err("'fortran_order' is not True or False")),
        None => return Err(header_err("the key 'fortran_order' is missing")),
    };
    let shape = match get("shape") {
        Some(t @ Py::Tuple(items)) => items
            .iter()
            .map(|v| match v {
                Py::Int(n) => usize::try_from(*n).map_err(|_| {
                    header_err(format!("'shape' is {}: the dimension {n} is too large", t.show()))
                }),
                other => Err(header_err(format!(
                    "'shape' is {}: every dimension must be a whole number of at least 0, and {} is not",
                    t.show(),
                    other.show()
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(other) => {
            return Err(header_err(format!(
                "'shape' is {}, not a tuple of whole numbers",
                other.show()
            )))
        }
        None => return Err(header_err("the key 'shape' is missing")),
    };
    Ok(NpyHead::Ready {
        descr,
        fortran,
        shape,
        data_offset,
    })
}

/// A dtype string such as `'<f4'` → element type and byte order, or an error
/// that names the dtype and says how to save the array instead.
pub(super) fn dtype(
    descr: &str,
    confirm_bf16: bool,
    warnings: &mut Vec<String>,
) -> Result<(FloatType, Endian), ParseError> {
    let unsupported = |what: &str, hint: &str| ParseError::UnsupportedDtype {
        format: FORMAT,
        dtype: format!("'{descr}' ({what})"),
        hint: hint.into(),
    };
    let (order, rest) = match descr.chars().next() {
        Some(c @ ('<' | '>' | '=' | '|')) => (c, &descr[1..]),
        _ => ('=', descr),
    };
    let mut chars = rest.chars();
    let kind = chars.next().unwrap_or(' ');
    let size: Option<usize> = chars.as_str().parse().ok();
    let to_f32 = "Save it with np.save(path, x.astype(np.float32)).";
    match kind {
        'f' => {
            let ty = match size {
                Some(2) => FloatType::F16,
                Some(4) => FloatType::F32,
                Some(8) => FloatType::F64,
                Some(n) if n > 8 => {
                    return Err(unsupported(
                        &format!("{}-bit extended precision float", n * 8),
                        "Save it with np.save(path, x.astype(np.float64)).",
                    ))
                }
                _ => return Err(unsupported("an unknown float size", to_f32)),
            };
            let endian = match order {
                '<' => Endian::Little,
                '>' => Endian::Big,
                _ => {
                    warnings.push(format!(
                        "The .npy dtype '{descr}' does not state a byte order; read as little-endian."
                    ));
                    Endian::Little
                }
            };
            Ok((ty, endian))
        }
        'V' if size == Some(2) => {
            if confirm_bf16 {
                warnings.push(format!(
                    "Raw 2-byte values (dtype '{descr}') read as bfloat16, as confirmed."
                ));
                Ok((FloatType::BF16, Endian::Little))
            } else {
                Err(ParseError::ConfirmBf16 {
                    dtype: descr.to_owned(),
                })
            }
        }
        'V' => Err(unsupported("raw bytes", to_f32)),
        'i' | 'u' => Err(unsupported(
            if kind == 'i' { "integer" } else { "unsigned integer" },
            "Convert it: np.save(path, x.astype(np.float32)). If these are bfloat16 bits (t.view(torch.int16)), save t.float().numpy() instead.",
        )),
        'b' => Err(unsupported("boolean", to_f32)),
        'c' => Err(unsupported(
            "complex",
            "Save the real part: np.save(path, x.real.astype(np.float32)).",
        )),
        'O' => Err(unsupported(
            "Python objects, stored with pickle",
            "Save a numeric array: np.save(path, np.asarray(x, dtype=np.float32)).",
        )),
        'U' | 'S' | 'a' => Err(unsupported("text", to_f32)),
        'M' | 'm' => Err(unsupported("date/time", to_f32)),
        _ => Err(unsupported("unknown", to_f32)),
    }
}

/// The part of Python literal syntax that NumPy headers use.
#[derive(Debug)]
enum Py {
    Str(String),
    Bool(bool),
    Int(u64),
    /// Any other number (negative, fractional, exponent), as written.
    Num(String),
    None,
    Tuple(Vec<Py>),
    List,
    Dict(Vec<(String, Py)>),
}

impl Py {
    /// As Python would print it (for messages).
    fn show(&self) -> String {
        match self {
            Py::Str(s) => format!("'{s}'"),
            Py::Bool(b) => if *b { "True" } else { "False" }.into(),
            Py::Int(n) => n.to_string(),
            Py::Num(t) => t.clone(),
            Py::None => "None".into(),
            Py::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(Py::show).collect();
                if items.len() == 1 {
                    format!("({},)", inner[0])
                } else {
                    format!("({})", inner.join(", "))
                }
            }
            Py::List => "[…]".into(),
            Py::Dict(_) => "{…}".into(),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 16;

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            s: text.as_bytes(),
            text,
            i: 0,
            depth: 0,
        }
    }

    fn document(&mut self) -> Result<Py, ParseError> {
        let v = self.value()?;
        self.ws();
        if self.i != self.s.len() {
            return Err(self.err("unexpected text after the dictionary"));
        }
        Ok(v)
    }

    fn err(&self, what: &str) -> ParseError {
        header_err(format!(
            "{what} at byte {} of the header dictionary",
            self.i
        ))
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }

    fn value(&mut self) -> Result<Py, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("too deeply nested"));
        }
        let v = match self.peek() {
            Some(b'{') => self.dict(),
            Some(b'(') => self.seq(b')').map(Py::Tuple),
            Some(b'[') => self.seq(b']').map(|_| Py::List),
            Some(q @ (b'\'' | b'"')) => self.string(q).map(Py::Str),
            Some(c) if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => self.number(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i].is_ascii_alphanumeric() {
                    self.i += 1;
                }
                match &self.text[start..self.i] {
                    "True" => Ok(Py::Bool(true)),
                    "False" => Ok(Py::Bool(false)),
                    "None" => Ok(Py::None),
                    _ => Err(self.err("unknown word")),
                }
            }
            Some(_) => Err(self.err("unexpected character")),
            None => Err(self.err("it ends too early")),
        };
        self.depth -= 1;
        v
    }

    fn number(&mut self) -> Result<Py, ParseError> {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_digit() || b"+-.eE".contains(&self.s[self.i]))
        {
            self.i += 1;
        }
        let text = &self.text[start..self.i];
        // Python 2 long suffix, as in shapes written by old NumPy: (3L, 4L).
        if self.i < self.s.len() && (self.s[self.i] == b'L' || self.s[self.i] == b'l') {
            self.i += 1;
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            let n: u64 = text
                .parse()
                .map_err(|_| self.err(&format!("the number {text} is too large")))?;
            return Ok(Py::Int(n));
        }
        Ok(Py::Num(text.to_owned()))
    }

    fn string(&mut self, quote: u8) -> Result<String, ParseError> {
        self.i += 1;
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != quote {
            if self.s[self.i] == b'\\' {
                return Err(self.err("escape sequences are not expected"));
            }
            self.i += 1;
        }
        if self.i >= self.s.len() {
            return Err(self.err("a string is not closed"));
        }
        let s = self.text[start..self.i].to_owned();
        self.i += 1;
        Ok(s)
    }

    fn seq(&mut self, close: u8) -> Result<Vec<Py>, ParseError> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.i += 1;
                return Ok(items);
            }
            items.push(self.value()?);
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(c) if c == close => {}
                _ => return Err(self.err("expected ',' or a closing bracket")),
            }
        }
    }

    fn dict(&mut self) -> Result<Py, ParseError> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            match self.peek() {
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Py::Dict(items));
                }
                Some(q @ (b'\'' | b'"')) => {
                    let key = self.string(q)?;
                    if self.peek() != Some(b':') {
                        return Err(self.err("expected ':' after a key"));
                    }
                    self.i += 1;
                    let v = self.value()?;
                    items.push((key, v));
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {}
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
                _ => return Err(self.err("expected a quoted key")),
            }
        }
    }
}
