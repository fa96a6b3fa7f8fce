//! The safetensors variant of our trace (docs/trace-format.md): 1-D tensors of
//! one entry per token, all samples concatenated, with the JSONL names. A
//! sample is a run of consecutive entries with the same (step, sample).
//! Tensors are stored one after another, so the whole file is needed before
//! the first token can be read: the reader buffers it (up to
//! [`MAX_SAFETENSORS_BYTES`]; bigger runs are written as one file per step).

use safetensors::{Dtype, SafeTensors};

use super::error::{code, RunError};
use super::formats::{check_ranges, logit_slice_error, whole, Sample, TRACE_VERSION};

pub const MAX_SAFETENSORS_BYTES: usize = 1 << 30;

fn err(msg: impl Into<String>) -> RunError {
    RunError::new(code::SAFETENSORS, msg)
}

/// One tensor read entry by entry as f64 (ints and flags included).
struct Column<'a> {
    dtype: Dtype,
    data: &'a [u8],
}

impl Column<'_> {
    fn get(&self, i: usize) -> f64 {
        let b = |n: usize| &self.data[i * n..(i + 1) * n];
        match self.dtype {
            Dtype::F64 => f64::from_le_bytes(b(8).try_into().unwrap()),
            Dtype::F32 => f32::from_le_bytes(b(4).try_into().unwrap()) as f64,
            Dtype::I64 => i64::from_le_bytes(b(8).try_into().unwrap()) as f64,
            Dtype::I32 => i32::from_le_bytes(b(4).try_into().unwrap()) as f64,
            Dtype::U32 => u32::from_le_bytes(b(4).try_into().unwrap()) as f64,
            Dtype::U8 | Dtype::BOOL => self.data[i] as f64,
            _ => f64::NAN,
        }
    }

    /// Entry `i` as written (an I64 id exactly, not the double it rounds to).
    fn text(&self, i: usize) -> String {
        match self.dtype {
            Dtype::I64 => {
                i64::from_le_bytes(self.data[i * 8..i * 8 + 8].try_into().unwrap()).to_string()
            }
            _ => self.get(i).to_string(),
        }
    }
}

const ALLOWED: [(&str, &[Dtype], bool); 10] = [
    ("step", &[Dtype::I64, Dtype::I32, Dtype::U32], true),
    ("sample", &[Dtype::I64, Dtype::I32, Dtype::U32], true),
    ("token_id", &[Dtype::I64, Dtype::I32, Dtype::U32], false),
    ("logprob", &[Dtype::F32, Dtype::F64], true),
    ("entropy", &[Dtype::F32, Dtype::F64], false),
    ("mean_discriminator", &[Dtype::F32, Dtype::F64], false),
    ("advantage", &[Dtype::F32, Dtype::F64], false),
    ("mask", &[Dtype::U8, Dtype::BOOL], false),
    ("entropy_after", &[Dtype::F32, Dtype::F64], false),
    ("logprob_after", &[Dtype::F32, Dtype::F64], false),
];

/// From the first bytes of a safetensors file: `None` until its header is
/// in; then the whole file's size as the header declares it, after checking
/// that the header is ours (a trace's metadata), so that a big file which
/// is not a trace, or too big to hold, is refused before it is buffered.
pub fn declared_size(buf: &[u8]) -> Result<Option<u64>, RunError> {
    let Some(len) = buf.get(..8) else {
        return Ok(None);
    };
    let n = u64::from_le_bytes(len.try_into().unwrap());
    if n > 100_000_000 {
        return Err(err(format!(
            "the first 8 bytes give a header of {n} bytes: this is not a safetensors file"
        )));
    }
    let Some(header) = buf.get(8..8 + n as usize) else {
        return Ok(None);
    };
    #[derive(serde::Deserialize)]
    struct Entry {
        data_offsets: Option<(u64, u64)>,
    }
    let map: std::collections::BTreeMap<String, serde_json::Value> = serde_json::from_slice(header)
        .map_err(|e| err(format!("the safetensors header cannot be read: {e}")))?;
    let trace = map
        .get("__metadata__")
        .and_then(|m| m.get("trace"))
        .and_then(|t| t.as_str())
        == Some("entropy-polarity");
    if !trace {
        return Err(logit_slice_error(
            "a .safetensors file without trace metadata",
        ));
    }
    let mut data = 0u64;
    for (name, v) in map.iter().filter(|(k, _)| *k != "__metadata__") {
        let e: Entry = serde_json::from_value(v.clone()).map_err(|e| {
            err(format!("tensor {name} in the header cannot be read: {e}")).field(name.as_str())
        })?;
        data = data.max(e.data_offsets.map_or(0, |o| o.1));
    }
    Ok(Some((8 + n).saturating_add(data)))
}

/// Whether a safetensors file is one of our traces, from its metadata.
pub fn is_trace(buf: &[u8]) -> Result<bool, RunError> {
    let (_, meta) = SafeTensors::read_metadata(buf)
        .map_err(|e| err(format!("the safetensors header cannot be read: {e}")))?;
    Ok(meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get("trace"))
        .is_some_and(|t| t == "entropy-polarity"))
}

/// Calls `f(sample, first_entry)` for every sample of the file; returns the
/// number of entries.
pub fn read<F>(buf: &[u8], mut f: F) -> Result<u64, RunError>
where
    F: FnMut(Sample, u64) -> Result<(), RunError>,
{
    let st = SafeTensors::deserialize(buf)
        .map_err(|e| err(format!("the safetensors file cannot be read: {e}")))?;
    let (_, meta) = SafeTensors::read_metadata(buf).map_err(|e| err(e.to_string()))?;
    let version = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get("version").cloned());
    if version.as_deref() != Some(&TRACE_VERSION.to_string()) {
        return Err(RunError::new(
            code::VERSION,
            format!("trace version {}: this reader knows version {TRACE_VERSION} (docs/trace-format.md)", version.unwrap_or_else(|| "(none)".into())),
        )
        .field("__metadata__.version"));
    }
    let mut cols: Vec<Option<Column>> = Vec::new();
    let mut n: Option<(usize, &str)> = None;
    for (name, dtypes, required) in ALLOWED {
        let view = match st.tensor(name) {
            Ok(v) => v,
            Err(_) if !required => {
                cols.push(None);
                continue;
            }
            Err(_) => {
                return Err(RunError::new(
                    code::MISSING_FIELD,
                    format!(
                    "tensor {name} is missing: a safetensors trace needs step, sample and logprob"
                ),
                )
                .field(name))
            }
        };
        if !dtypes.contains(&view.dtype()) {
            return Err(err(format!(
                "tensor {name} is {:?}; use one of {}",
                view.dtype(),
                dtypes
                    .iter()
                    .map(|d| format!("{d:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .field(name));
        }
        let len = match view.shape() {
            [len] => *len,
            s => {
                return Err(err(format!(
                "tensor {name} has shape {s:?}; every trace tensor is 1-D (one entry per token)"
            ))
                .field(name))
            }
        };
        match n {
            None => n = Some((len, name)),
            Some((m, first)) if m != len => {
                return Err(RunError::new(
                    code::LENGTHS,
                    format!(
                        "tensors differ in length: {first} has {m} entries but {name} has {len}"
                    ),
                )
                .field(name))
            }
            _ => {}
        }
        cols.push(Some(Column {
            dtype: view.dtype(),
            data: view.data(),
        }));
    }
    let n = n.map_or(0, |(n, _)| n);
    let col = |k: usize| cols[k].as_ref();
    let (step_c, sample_c, lp_c) = (col(0).unwrap(), col(1).unwrap(), col(3).unwrap());
    let mut start = 0usize;
    while start < n {
        let (step, sample) = (step_c.get(start), sample_c.get(start));
        let mut end = start + 1;
        while end < n && step_c.get(end) == step && sample_c.get(end) == sample {
            end += 1;
        }
        let take = |k: usize| col(k).map(|c| (start..end).map(|i| c.get(i)).collect::<Vec<f64>>());
        let len = end - start;
        // I64 ids beyond 2⁵³ round as doubles; the bound (9e15) is below that.
        let at_entry = |e: RunError| RunError {
            message: format!("entry {start}: {}", e.message),
            ..e
        };
        let step_id = whole(step, &step_c.text(start), "step").map_err(at_entry)?;
        let sample_id = whole(sample, &sample_c.text(start), "sample").map_err(at_entry)?;
        let mut s = Sample {
            step: step_id,
            sample: Some(sample_id),
            env_name: None,
            token_id: take(2).unwrap_or_else(|| vec![f64::NAN; len]),
            logprob: (start..end).map(|i| lp_c.get(i)).collect(),
            entropy: take(4),
            mean_disc: take(5),
            advantage: take(6),
            mask: take(7).map_or_else(
                || vec![true; len],
                |m| m.iter().map(|&x| x != 0.0).collect(),
            ),
            text: None,
            entropy_after: take(8),
            logprob_after: take(9),
        };
        check_ranges(&mut s, "logprob", "entropy", "mean_discriminator").map_err(|mut e| {
            e.message = format!(
                "in the sample starting at entry {start} (step {step}, sample {sample}): {}",
                e.message
            );
            e
        })?;
        f(s, start as u64)?;
        start = end;
    }
    Ok(n as u64)
}
