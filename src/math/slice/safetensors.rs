//! The .safetensors header: an 8-byte little-endian length `n`, then `n` bytes
//! of JSON `{"name": {"dtype": "BF16", "shape": [8, 50], "data_offsets": [0, 800]}, ...}`,
//! then the data. The JSON is read with the `safetensors` crate's own
//! `tensor::Metadata` (which checks dtypes, shapes and that the offsets tile
//! the data), deserialized from the header bytes alone: the crate's
//! `SafeTensors::read_metadata` would want the whole file in memory.

use safetensors::tensor::Metadata;
use safetensors::Dtype;

use super::binary::{
    rows_vocab, BinaryFormat, Endian, FileLayout, FloatType, Order, SideTensor, SideType,
    TensorEntry,
};
use super::{ParseError, ParseOptions, TensorPick, SAFETENSORS_MAX_HEADER};

const FORMAT: &str = ".safetensors";
const TOKEN_NAMES: [&str; 3] = ["tokens", "token_ids", "input_ids"];
const ADVANTAGE_NAMES: [&str; 1] = ["advantages"];

pub(super) enum StHead {
    NeedBytes(u64),
    Ready(Box<FileLayout>),
}

/// Plausible safetensors start: a header length, then a JSON object. A
/// length over the limit still counts when its bytes are binary (a zero or
/// non-ASCII byte, which text never starts with), so that the person hears
/// "header too large", not "not a safetensors file".
pub(super) fn looks_like(prefix: &[u8]) -> bool {
    if prefix.len() < 9 || prefix[8] != b'{' {
        return false;
    }
    let n = u64::from_le_bytes(prefix[..8].try_into().unwrap());
    let binary = prefix[..8].iter().any(|&b| b == 0 || !b.is_ascii());
    (2..=SAFETENSORS_MAX_HEADER).contains(&n) || (n >= 2 && binary)
}

/// The first tensor name that the header lists twice (serde would keep the
/// last one silently, and the offsets would then fail to tile the data).
fn duplicate_name(json: &[u8]) -> Option<String> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Names;
    impl<'de> Visitor<'de> for Names {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(name) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                if !seen.insert(name.clone()) {
                    return Ok(Some(name));
                }
            }
            Ok(None)
        }
    }
    // Anything that is not an object is left for the real parse to explain.
    serde_json::Deserializer::from_slice(json)
        .deserialize_map(Names)
        .ok()
        .flatten()
}

fn float_type(d: Dtype) -> Option<FloatType> {
    match d {
        Dtype::F16 => Some(FloatType::F16),
        Dtype::BF16 => Some(FloatType::BF16),
        Dtype::F32 => Some(FloatType::F32),
        Dtype::F64 => Some(FloatType::F64),
        _ => None,
    }
}

fn int_type(d: Dtype) -> Option<SideType> {
    let (bytes, signed) = match d {
        Dtype::I8 => (1, true),
        Dtype::U8 => (1, false),
        Dtype::I16 => (2, true),
        Dtype::U16 => (2, false),
        Dtype::I32 => (4, true),
        Dtype::U32 => (4, false),
        Dtype::I64 => (8, true),
        Dtype::U64 => (8, false),
        _ => return None,
    };
    Some(SideType::Int { bytes, signed })
}

struct Entry {
    name: String,
    dtype: Dtype,
    shape: Vec<usize>,
    start: u64,
    end: u64,
}

pub(super) fn read(
    prefix: &[u8],
    file_len: u64,
    opts: &ParseOptions,
) -> Result<StHead, ParseError> {
    match entries(prefix, file_len)? {
        Entries::NeedBytes(n) => Ok(StHead::NeedBytes(n)),
        Entries::Ready(entries) => {
            layout(entries, file_len, opts).map(|l| StHead::Ready(Box::new(l)))
        }
    }
}

enum Entries {
    NeedBytes(u64),
    Ready(Vec<Entry>),
}

impl Entry {
    fn public(&self) -> TensorEntry {
        TensorEntry {
            name: self.name.clone(),
            dtype: format!("{:?}", self.dtype),
            shape: self.shape.clone(),
            start: self.start,
            end: self.end,
        }
    }

    /// The error for this tensor read as `role` ("the logits", …), which
    /// its dtype (or its being the logits already) rules out.
    fn wrong_kind(&self, role: &'static str) -> ParseError {
        ParseError::WrongTensorKind {
            name: self.name.clone(),
            dtype: format!("{:?}", self.dtype),
            role,
        }
    }
}

fn entries(prefix: &[u8], file_len: u64) -> Result<Entries, ParseError> {
    if file_len < 8 {
        return Err(ParseError::Truncated {
            what: "the safetensors header length (8 bytes)".into(),
            expected: 8,
            present: file_len,
        });
    }
    if prefix.len() < 8 {
        return Ok(Entries::NeedBytes(8));
    }
    let n = u64::from_le_bytes(prefix[..8].try_into().unwrap());
    if n > SAFETENSORS_MAX_HEADER {
        return Err(ParseError::Header {
            format: FORMAT,
            reason: format!(
                "it says the header is {n} bytes long, over the {SAFETENSORS_MAX_HEADER}-byte limit"
            ),
        });
    }
    let header_end = 8 + n;
    if file_len < header_end {
        return Err(ParseError::Truncated {
            what: "the safetensors header".into(),
            expected: header_end,
            present: file_len,
        });
    }
    if (prefix.len() as u64) < header_end {
        return Ok(Entries::NeedBytes(header_end));
    }
    let json = &prefix[8..header_end as usize];
    if let Some(name) = duplicate_name(json) {
        return Err(ParseError::Header {
            format: FORMAT,
            reason: format!(
                "it lists the tensor \"{name}\" twice; every tensor name must be unique"
            ),
        });
    }
    let meta: Metadata = serde_json::from_slice(json).map_err(|e| ParseError::Header {
        format: FORMAT,
        reason: format!("{e}"),
    })?;
    let data_len = meta.data_len() as u64;
    let expected = header_end + data_len;
    if file_len < expected {
        return Err(ParseError::Truncated {
            what: format!("the header plus {data_len} bytes of tensor data"),
            expected,
            present: file_len,
        });
    }
    let mut entries = Vec::new();
    for name in meta.offset_keys() {
        let info = meta
            .info(&name)
            .expect("offset_keys come from the same metadata");
        entries.push(Entry {
            start: header_end + info.data_offsets.0 as u64,
            end: header_end + info.data_offsets.1 as u64,
            dtype: info.dtype,
            shape: info.shape.clone(),
            name,
        });
    }
    if file_len > expected {
        let shape = entries.last().map(|e| e.shape.clone()).unwrap_or_default();
        return Err(ParseError::ShapeMismatch {
            what: format!("the tensor data ({} tensors)", entries.len()),
            shape,
            expected: data_len,
            present: file_len - header_end,
        });
    }
    Ok(Entries::Ready(entries))
}

fn layout(
    entries: Vec<Entry>,
    file_len: u64,
    opts: &ParseOptions,
) -> Result<FileLayout, ParseError> {
    let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    let find = |name: &str| entries.iter().find(|e| e.name == name);
    let not_found = |name: &str| ParseError::TensorNotFound {
        name: name.to_owned(),
        available: names.clone(),
    };
    let mut warnings = Vec::new();

    // The logits: the named one, else `logits`, else the only float tensor
    // (tensors named like advantages do not count).
    let logits = match &opts.logits_tensor {
        Some(name) => find(name).ok_or_else(|| not_found(name))?,
        None => match find("logits") {
            Some(e) => e,
            None => {
                let floats: Vec<&Entry> = entries
                    .iter()
                    .filter(|e| {
                        float_type(e.dtype).is_some() && !ADVANTAGE_NAMES.contains(&e.name.as_str())
                    })
                    .collect();
                match floats.len() {
                    1 => floats[0],
                    0 => return Err(ParseError::NoFloatTensor { available: names }),
                    _ => {
                        return Err(ParseError::AmbiguousTensor {
                            candidates: floats.iter().map(|e| e.name.clone()).collect(),
                        })
                    }
                }
            }
        },
    };
    let dtype = float_type(logits.dtype).ok_or_else(|| match logits.dtype {
        Dtype::F8_E4M3
        | Dtype::F8_E5M2
        | Dtype::F8_E8M0
        | Dtype::F8_E4M3FNUZ
        | Dtype::F8_E5M2FNUZ
        | Dtype::F4
        | Dtype::F6_E2M3
        | Dtype::F6_E3M2 => ParseError::UnsupportedDtype {
            format: FORMAT,
            dtype: format!("{:?} (tensor \"{}\")", logits.dtype, logits.name),
            hint: "Convert before saving: t.float().".into(),
        },
        _ => logits.wrong_kind("the logits"),
    })?;
    let (rows, vocab) = rows_vocab(FORMAT, &logits.shape, &mut warnings)?;

    let side = |pick: &TensorPick,
                auto: &[&str],
                role: &'static str,
                accept: &dyn Fn(Dtype) -> Option<SideType>,
                allow_one: bool|
     -> Result<Option<SideTensor>, ParseError> {
        let entry = match pick {
            TensorPick::Skip => return Ok(None),
            TensorPick::Named(name) => find(name).ok_or_else(|| not_found(name))?,
            TensorPick::Auto => match auto.iter().find_map(|n| find(n)) {
                Some(e) => e,
                None => return Ok(None),
            },
        };
        let (as_role, already_logits) = if role == "advantages" {
            (
                "the advantages",
                "the advantages (it is already the logits)",
            )
        } else {
            ("the token ids", "the token ids (it is already the logits)")
        };
        if entry.name == logits.name {
            return Err(entry.wrong_kind(already_logits));
        }
        let ty = accept(entry.dtype).ok_or_else(|| entry.wrong_kind(as_role))?;
        let len: u64 = entry.shape.iter().map(|&d| d as u64).product();
        if len != rows as u64 && !(allow_one && len == 1) {
            return Err(ParseError::SideTensorLength {
                name: entry.name.clone(),
                role,
                len,
                rows,
            });
        }
        Ok(Some(SideTensor {
            name: entry.name.clone(),
            dtype: ty,
            len: len as usize,
            start: entry.start,
            end: entry.end,
        }))
    };
    let tokens = side(
        &opts.tokens_tensor,
        &TOKEN_NAMES,
        "token ids",
        &int_type,
        false,
    )?;
    let advantages = side(
        &opts.advantages_tensor,
        &ADVANTAGE_NAMES,
        "advantages",
        &|d| float_type(d).map(SideType::Float),
        true,
    )?;

    let order = Order::C;
    Ok(FileLayout {
        format: BinaryFormat::Safetensors,
        dtype,
        endian: Endian::Little,
        order,
        shape: logits.shape.clone(),
        rows,
        vocab,
        data_offset: logits.start,
        file_len,
        logits_name: Some(logits.name.clone()),
        tokens,
        advantages,
        tensors: entries.iter().map(Entry::public).collect(),
        warnings,
    })
}
