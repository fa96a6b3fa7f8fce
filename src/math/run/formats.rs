//! The JSONL formats a run can come in, how each is recognised (path and first
//! line), and one parser per format turning a line into a [`Sample`]: the same
//! columns whatever the trainer called them. Which tokens count and which
//! field is used for what is written down in docs/trace-format.md.

use serde::de::DeserializeOwned;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

use super::columns::{self, Num, Nums, Scalar, Texts};
use super::error::{code, RunError};

/// Rounding allowance for a logprob above 0 or an entropy (or S̄) below 0:
/// smaller excursions are clamped to 0, larger ones refused.
pub const ROUNDING: f64 = 1e-6;

/// The largest entropy accepted, ln 2³² ≈ 22.18 nats: a uniform distribution
/// over four billion tokens. Anything above is not an entropy in nats (bits,
/// perhaps, or garbage); the SQL readers use the same bound.
pub const MAX_ENTROPY: f64 = 22.180_709_777_918_25;

/// Steps and sample ids are below 9e15, where doubles still count exactly
/// (the SQL readers use the same bound).
pub const MAX_ID: f64 = 9.0e15;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    PrimeRl,
    Trace,
    TraceSafetensors,
    NemoRl,
    OpenRlhf,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::PrimeRl => "prime-rl",
            Format::Trace => "trace",
            Format::TraceSafetensors => "trace-safetensors",
            Format::NemoRl => "nemo-rl",
            Format::OpenRlhf => "openrlhf",
        }
    }

    /// Whether the format has a field for the entropy of each position.
    pub fn carries_entropy(self) -> bool {
        matches!(
            self,
            Format::PrimeRl | Format::Trace | Format::TraceSafetensors
        )
    }
}

/// One sample (completion) in the common shape. All per-token vectors have
/// `len()` entries; `mask[i]` is every mask of the format (loss mask, sample
/// mask, length, trust region) combined.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    pub step: i64,
    /// The sample id when the format has one (trace).
    pub sample: Option<i64>,
    pub env_name: Option<String>,
    /// NaN where the format carries no ids (OpenRLHF).
    pub token_id: Vec<f64>,
    pub logprob: Vec<f64>,
    pub entropy: Option<Vec<f64>>,
    pub mean_disc: Option<Vec<f64>>,
    pub advantage: Option<Vec<f64>>,
    pub mask: Vec<bool>,
    pub text: Option<Vec<String>>,
    /// H and ℓ_k at the same position and context right after the optimizer
    /// step that used the sample (trace only; NaN where not finite).
    pub entropy_after: Option<Vec<f64>>,
    pub logprob_after: Option<Vec<f64>>,
}

impl Sample {
    pub fn len(&self) -> usize {
        self.logprob.len()
    }

    pub fn is_empty(&self) -> bool {
        self.logprob.is_empty()
    }
}

/// What the path says about a file.
#[derive(Clone, Debug, Default)]
pub struct PathInfo {
    pub name: String,
    pub ext: String,
    /// `step_<n>` directory (prime-rl) or `train_data_step<N>` file name
    /// (NeMo-RL); `Err(digits)` when the number is 9e15 or more.
    pub step: Option<Result<i64, String>>,
    pub nemo_name: bool,
}

pub fn path_info(path: &str) -> PathInfo {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_string();
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let digits = |s: &str| -> Option<Result<i64, String>> {
        let d: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        (!d.is_empty()).then(|| match d.parse::<i64>() {
            Ok(n) if (n as f64) < MAX_ID => Ok(n),
            _ => Err(d),
        })
    };
    let nemo = name
        .strip_prefix("train_data_step")
        .and_then(|rest| digits(rest).filter(|_| rest.ends_with(".jsonl")));
    let dir_step = path.split(['/', '\\']).rev().skip(1).find_map(|part| {
        part.strip_prefix("step_")
            .and_then(|r| digits(r).filter(|_| r.chars().all(|c| c.is_ascii_digit())))
    });
    PathInfo {
        nemo_name: nemo.is_some(),
        step: nemo.or(dir_step),
        name,
        ext,
    }
}

/// Message for a file that belongs in the logit-slice panel.
pub fn logit_slice_error(what: &str) -> RunError {
    RunError::new(
        code::LOGIT_SLICE,
        format!("this is a logit slice ({what}), not a training-run trace: open it in the Your logits panel"),
    )
}

/// Recognises the format of a JSONL file from its path and first line.
pub fn detect(path: &PathInfo, first_line: &[u8]) -> Result<Format, RunError> {
    // Checked the way every later line is: syntax only (no depth limit, any
    // number, 1e309 included), then the keys of the object.
    match serde_json::from_slice::<IgnoredAny>(first_line) {
        Ok(_) => {}
        Err(e) => {
            let t = first_line.trim_ascii_start();
            let numeric = t
                .first()
                .is_some_and(|b| b.is_ascii_digit() || *b == b'-' || *b == b'.');
            if path.ext == "csv" || (numeric && t.contains(&b',')) {
                return Err(logit_slice_error("a CSV of logits"));
            }
            if t.starts_with(b"{") || t.starts_with(b"[") {
                return Err(RunError::new(
                    code::NOT_JSON,
                    format!("the first line is not a JSON object on one line ({e}); a run is JSON Lines, one sample per line (a pretty-printed JSON file of logits belongs in the Your logits panel)"),
                ));
            }
            return Err(RunError::new(
                code::NOT_JSON,
                format!(
                    "the first line is not JSON ({e}); a run is JSON Lines, one sample per line"
                ),
            ));
        }
    };
    let obj: BTreeMap<String, &RawValue> = match first_line.trim_ascii_start().first() {
        Some(b'{') => serde_json::from_slice(first_line).map_err(|e| {
            RunError::new(code::NOT_JSON, format!("the first line cannot be read as an object: {}", strip_position(&e.to_string())))
        })?,
        Some(b'[') => return Err(logit_slice_error("a JSON array of logits")),
        _ => {
            return Err(RunError::new(
                code::UNKNOWN_FORMAT,
                "the first line is a JSON value but not an object; a run has one JSON object per sample",
            ))
        }
    };
    let has = |k: &str| obj.contains_key(k);
    if obj.get("trace").map(|v| v.get()) == Some("\"entropy-polarity\"") {
        return Ok(Format::Trace);
    }
    if has("trainer_logprobs")
        || (has("schema_version") && has("token_ids"))
        || (has("loss_mask") && has("entropy"))
    {
        return Ok(Format::PrimeRl);
    }
    if has("token_loss_mask") || has("prev_logprobs") || has("generation_logprobs") {
        return Ok(Format::NemoRl);
    }
    if has("response_tokens")
        || (has("logprobs") && (has("ref_logprobs") || has("token_rewards") || has("values")))
    {
        return Ok(Format::OpenRlhf);
    }
    if has("logits") || has("choices") || has("top_logprobs") || has("content") && has("logprobs") {
        return Err(logit_slice_error(
            "JSON logits or an OpenAI-style logprobs response",
        ));
    }
    let keys: Vec<&str> = obj.keys().take(12).map(String::as_str).collect();
    Err(RunError::new(
        code::UNKNOWN_FORMAT,
        format!(
            "the first line has the fields {} and matches no run format: expected our trace (\"trace\": \"entropy-polarity\"), prime-rl token exports (trainer_logprobs), NeMo-RL train_data (prev_logprobs) or the OpenRLHF logging board (response_tokens)",
            if keys.is_empty() { "(none)".to_string() } else { keys.join(", ") }
        ),
    ))
}

/// Parses one line as `T`, telling a line that is not JSON from a field of
/// the wrong type (whose path, e.g. `entropy[3]`, is found by a second,
/// slower pass only when the fast one fails).
fn parse<T: DeserializeOwned>(line: &[u8]) -> Result<T, RunError> {
    match serde_json::from_slice::<T>(line) {
        Ok(v) => Ok(v),
        Err(e) if e.is_data() => {
            let de = &mut serde_json::Deserializer::from_slice(line);
            match serde_path_to_error::deserialize::<_, T>(de) {
                Err(pe) => {
                    let mut path = pe.path().to_string();
                    let mut msg = strip_position(&pe.into_inner().to_string());
                    // serde names a repeated key in its message, at the path ".".
                    if let Some(key) = msg
                        .strip_prefix("duplicate field `")
                        .and_then(|r| r.split('`').next())
                    {
                        let field = if path == "." {
                            key.to_string()
                        } else {
                            format!("{path}.{key}")
                        };
                        return Err(RunError::new(
                            code::FIELD_TYPE,
                            format!("field {field} appears twice in this line: keep one"),
                        )
                        .field(field));
                    }
                    // Column errors start "at index N: " (columns::scan).
                    if let Some(rest) = msg.strip_prefix(columns::AT_INDEX) {
                        if let Some((idx, what)) = rest.split_once(": ") {
                            path = format!("{path}[{idx}]");
                            msg = what.to_string();
                        }
                    }
                    Err(RunError::new(
                        code::FIELD_TYPE,
                        format!("{path} has the wrong type: {msg}"),
                    )
                    .field(path))
                }
                Ok(_) => Err(RunError::new(code::FIELD_TYPE, e.to_string())),
            }
        }
        Err(e) => Err(RunError::new(
            code::NOT_JSON,
            format!("this line is not JSON: {}", strip_position(&e.to_string())),
        )),
    }
}

/// serde_json appends " at line 1 column 17"; the line is ours to name.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => format!(
            "{} (column {})",
            &msg[..i],
            msg[i..].rsplit(' ').next().unwrap_or("?")
        ),
        None => msg.to_string(),
    }
}

fn missing(field: &str, what: &str) -> RunError {
    RunError::new(
        code::MISSING_FIELD,
        format!("field {field} is missing: {what}"),
    )
    .field(field)
}

/// All present per-token columns must be as long as the first.
fn check_lengths(cols: &[(&str, Option<usize>)]) -> Result<(), RunError> {
    let mut present = cols.iter().filter_map(|(n, l)| l.map(|l| (*n, l)));
    if let Some((first, n)) = present.next() {
        for (name, len) in present {
            if len != n {
                return Err(RunError::new(
                    code::LENGTHS,
                    format!("per-token arrays differ in length: {first} has {n} entries but {name} has {len}; every per-token array of a sample must have one entry per token"),
                )
                .field(name));
            }
        }
    }
    Ok(())
}

/// A step or sample id: the line's own (`null` counts as absent), else the
/// one the path gives (`fallback`).
fn step_value(
    v: Option<Num>,
    field: &str,
    fallback: Option<&Result<i64, String>>,
) -> Result<i64, RunError> {
    match v {
        Some(n) if !n.value.is_nan() => whole(n.value, &n.text, field),
        _ => match fallback {
            Some(Ok(s)) => Ok(*s),
            Some(Err(digits)) => Err(path_step_error(digits)),
            None => Err(missing(
                field,
                "each sample needs the training step it belongs to",
            )),
        },
    }
}

/// A step or id must be a whole number in [0, 9e15); `text` is as written.
pub fn whole(x: f64, text: &str, field: &str) -> Result<i64, RunError> {
    if x.fract() == 0.0 && (0.0..MAX_ID).contains(&x) {
        Ok(x as i64)
    } else {
        Err(RunError::new(
            code::BAD_VALUE,
            format!("field {field} is {text}: it must be a whole number from 0 to 9e15"),
        )
        .field(field))
    }
}

fn path_step_error(digits: &str) -> RunError {
    RunError::new(
        code::BAD_VALUE,
        format!("the step in this file's path ({digits}) is 9e15 or more: a step must be a whole number from 0 to 9e15"),
    )
    .field("step")
}

/// A per-token field written as one number (only the advantage may be one
/// per sample) is refused, naming it.
fn per_token(cols: &[(&str, Option<&Nums>)]) -> Result<(), RunError> {
    for (name, col) in cols {
        if let Some(c) = col.filter(|c| c.scalar) {
            return Err(RunError::new(
                code::FIELD_TYPE,
                format!(
                    "{name} is one value ({}) where an array with one entry per token belongs",
                    c.values[0]
                ),
            )
            .field(*name));
        }
    }
    Ok(())
}

/// A mask holds true/false, 0/1 or null (off); anything else is refused.
fn check_flags(col: Option<&Nums>, name: &str) -> Result<(), RunError> {
    if let Some(c) = col {
        if let Some(i) = c
            .values
            .iter()
            .position(|&v| !(v == 0.0 || v == 1.0 || v.is_nan()))
        {
            return Err(RunError::new(
                code::BAD_VALUE,
                format!(
                    "{name}[{i}] is {}: a mask entry is true or false (or 1 or 0)",
                    c.values[i]
                ),
            )
            .field(format!("{name}[{i}]")));
        }
    }
    Ok(())
}

/// Refuses a logprob above 0 beyond rounding, and clamps a rounding-sized one.
fn clamp_logprob(l: &mut f64, field: &str, i: usize) -> Result<(), RunError> {
    // A non-finite logprob (null, or ±1e309) does not count; it is not checked.
    if *l > ROUNDING && l.is_finite() {
        return Err(RunError::new(
            code::LOGPROB_POSITIVE,
            format!("{field}[{i}] is {l}, above 0: a log-probability is at most 0 (natural log of a probability). Is this a probability or a logit instead?"),
        )
        .field(format!("{field}[{i}]")));
    }
    if *l > 0.0 {
        *l = 0.0;
    }
    Ok(())
}

/// Refuses logprobs above 0 and entropies / S̄ below 0 beyond rounding, and
/// entropies above [`MAX_ENTROPY`], on tokens whose masks are on, and clamps
/// the rounding-sized ones. Non-finite values (null, NaN, ±1e309) are left
/// alone: such a token does not count (as in the SQL readers).
pub(super) fn check_ranges(
    s: &mut Sample,
    lp_field: &str,
    h_field: &str,
    sbar_field: &str,
) -> Result<(), RunError> {
    for i in 0..s.len() {
        if !s.mask[i] {
            continue;
        }
        clamp_logprob(&mut s.logprob[i], lp_field, i)?;
        if let Some(after) = &mut s.logprob_after {
            clamp_logprob(&mut after[i], "logprob_after", i)?;
        }
        for (col, name, what) in [
            (
                &mut s.entropy_after,
                "entropy_after",
                code::ENTROPY_NEGATIVE,
            ),
            (&mut s.entropy, h_field, code::ENTROPY_NEGATIVE),
            (
                &mut s.mean_disc,
                sbar_field,
                code::MEAN_DISCRIMINATOR_NEGATIVE,
            ),
        ] {
            if let Some(c) = col {
                let v = c[i];
                if what == code::ENTROPY_NEGATIVE && v > MAX_ENTROPY && v.is_finite() {
                    return Err(RunError::new(
                        code::ENTROPY_TOO_LARGE,
                        format!("{name}[{i}] is {v}, above ln 2³² ≈ 22.18 nats (the entropy of a uniform distribution over four billion tokens): is it in bits, or not an entropy?"),
                    )
                    .field(format!("{name}[{i}]")));
                }
                if v < 0.0 && v.is_finite() {
                    if v < -ROUNDING {
                        return Err(RunError::new(
                            what,
                            format!(
                                "{name}[{i}] is {v}, below 0: {} is never negative",
                                if what == code::ENTROPY_NEGATIVE {
                                    "an entropy"
                                } else {
                                    "the mean discriminator S̄ = Cov(p, ln p)"
                                }
                            ),
                        )
                        .field(format!("{name}[{i}]")));
                    }
                    c[i] = 0.0;
                }
            }
        }
    }
    Ok(())
}

fn flags(n: usize, col: Option<&Nums>) -> impl Iterator<Item = bool> + '_ {
    (0..n).map(move |i| col.map_or(true, |c| c.values[i] != 0.0 && !c.values[i].is_nan()))
}

// ---- our trace ---------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct TraceLine {
    version: Option<Scalar>,
    step: Option<Num>,
    sample: Option<Num>,
    env_name: Option<String>,
    token_id: Option<Nums>,
    logprob: Option<Nums>,
    entropy: Option<Nums>,
    mean_discriminator: Option<Nums>,
    advantage: Option<Nums>,
    mask: Option<Nums>,
    text: Option<Texts>,
    entropy_after: Option<Nums>,
    logprob_after: Option<Nums>,
}

pub const TRACE_VERSION: i64 = 1;

fn trace(line: &[u8]) -> Result<Sample, RunError> {
    let t: TraceLine = parse(line)?;
    match t.version {
        Some(Scalar(v)) if v == TRACE_VERSION as f64 => {}
        Some(Scalar(v)) => {
            return Err(RunError::new(
                code::VERSION,
                format!("trace version {v}: this reader knows version {TRACE_VERSION} (docs/trace-format.md)"),
            )
            .field("version"))
        }
        None => return Err(missing("version", "a trace line says \"version\": 1")),
    }
    let step = step_value(t.step, "step", None)?;
    let sample = step_value(t.sample, "sample", None)?;
    let logprob = t
        .logprob
        .ok_or_else(|| missing("logprob", "the log-probability of each sampled token"))?;
    let adv_scalar = t
        .advantage
        .as_ref()
        .filter(|a| a.scalar)
        .and_then(Nums::single);
    let per_token_adv = t.advantage.as_ref().filter(|a| !a.scalar);
    per_token(&[
        ("logprob", Some(&logprob)),
        ("token_id", t.token_id.as_ref()),
        ("entropy", t.entropy.as_ref()),
        ("mean_discriminator", t.mean_discriminator.as_ref()),
        ("mask", t.mask.as_ref()),
        ("entropy_after", t.entropy_after.as_ref()),
        ("logprob_after", t.logprob_after.as_ref()),
    ])?;
    check_flags(t.mask.as_ref(), "mask")?;
    check_lengths(&[
        ("logprob", Some(logprob.len())),
        ("token_id", t.token_id.as_ref().map(Nums::len)),
        ("entropy", t.entropy.as_ref().map(Nums::len)),
        (
            "mean_discriminator",
            t.mean_discriminator.as_ref().map(Nums::len),
        ),
        ("advantage", per_token_adv.map(Nums::len)),
        ("mask", t.mask.as_ref().map(Nums::len)),
        ("text", t.text.as_ref().map(|x| x.0.len())),
        ("entropy_after", t.entropy_after.as_ref().map(Nums::len)),
        ("logprob_after", t.logprob_after.as_ref().map(Nums::len)),
    ])?;
    let n = logprob.len();
    let mask = flags(n, t.mask.as_ref()).collect();
    let advantage = match (adv_scalar, t.advantage) {
        (Some(a), _) => Some(vec![a; n]),
        (None, Some(a)) => Some(a.values),
        _ => None,
    };
    let mut s = Sample {
        step,
        sample: Some(sample),
        env_name: t.env_name,
        token_id: t.token_id.map_or_else(|| vec![f64::NAN; n], |c| c.values),
        logprob: logprob.values,
        entropy: t.entropy.map(|c| c.values),
        mean_disc: t.mean_discriminator.map(|c| c.values),
        advantage,
        mask,
        text: t.text.map(|x| x.0),
        entropy_after: t.entropy_after.map(|c| c.values),
        logprob_after: t.logprob_after.map(|c| c.values),
    };
    check_ranges(&mut s, "logprob", "entropy", "mean_discriminator")?;
    Ok(s)
}

// ---- prime-rl token exports --------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct PrimeLine {
    step: Option<Num>,
    env_name: Option<String>,
    token_ids: Option<Nums>,
    loss_mask: Option<Nums>,
    advantages: Option<Nums>,
    trainer_logprobs: Option<Nums>,
    inference_logprobs: Option<Nums>,
    entropy: Option<Nums>,
    is_masked: Option<Nums>,
}

/// What a line told us beyond its sample (for the run's warnings).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineNotes {
    /// prime-rl line without trainer_logprobs: inference_logprobs used.
    pub inference_logprobs: bool,
    /// NeMo-RL line without prev_logprobs: generation_logprobs used.
    pub generation_logprobs: bool,
}

fn prime(line: &[u8], path: &PathInfo, notes: &mut LineNotes) -> Result<Sample, RunError> {
    let p: PrimeLine = parse(line)?;
    // The line's step, which must agree with its step_<n> folder.
    let own = p.step.as_ref().filter(|n| !n.value.is_nan()).is_some();
    let step = step_value(p.step, "step", path.step.as_ref())?;
    if own {
        match &path.step {
            Some(Ok(dir)) if *dir != step => {
                return Err(RunError::new(
                    code::BAD_VALUE,
                    format!("field step is {step} but the file is in the folder step_{dir}: which step is it? Fix the line or move the file"),
                )
                .field("step"))
            }
            Some(Err(digits)) => return Err(path_step_error(digits)),
            _ => {}
        }
    }
    let (lp_name, logprob) = match (p.trainer_logprobs, p.inference_logprobs) {
        (Some(t), _) => ("trainer_logprobs", t),
        (None, Some(i)) => {
            notes.inference_logprobs = true;
            ("inference_logprobs", i)
        }
        (None, None) => {
            return Err(missing(
                "trainer_logprobs",
                "the log-probability of each token under the policy being updated",
            ))
        }
    };
    // `is_masked: null` (the whole field) means no trust-region mask; one
    // true or false for the whole sample is refused (it is per token).
    let is_masked = p.is_masked.filter(|m| !(m.scalar && m.values[0].is_nan()));
    per_token(&[
        ("token_ids", p.token_ids.as_ref()),
        (lp_name, Some(&logprob)),
        ("loss_mask", p.loss_mask.as_ref()),
        ("entropy", p.entropy.as_ref()),
        ("is_masked", is_masked.as_ref()),
    ])?;
    check_flags(p.loss_mask.as_ref(), "loss_mask")?;
    check_flags(is_masked.as_ref(), "is_masked")?;
    check_lengths(&[
        ("token_ids", p.token_ids.as_ref().map(Nums::len)),
        (lp_name, Some(logprob.len())),
        ("loss_mask", p.loss_mask.as_ref().map(Nums::len)),
        (
            "advantages",
            p.advantages.as_ref().filter(|a| !a.scalar).map(Nums::len),
        ),
        ("entropy", p.entropy.as_ref().map(Nums::len)),
        ("is_masked", is_masked.as_ref().map(Nums::len)),
    ])?;
    let n = logprob.len();
    let mask = (0..n)
        .map(|i| {
            let on = p.loss_mask.as_ref().map_or(true, |m| m.values[i] == 1.0);
            let tr = is_masked.as_ref().is_some_and(|m| m.values[i] == 1.0);
            on && !tr
        })
        .collect();
    let advantage = p.advantages.map(|a| {
        if a.scalar {
            vec![a.values[0]; n]
        } else {
            a.values
        }
    });
    let mut s = Sample {
        step,
        sample: None,
        env_name: p.env_name,
        token_id: p.token_ids.map_or_else(|| vec![f64::NAN; n], |c| c.values),
        logprob: logprob.values,
        entropy: p.entropy.map(|c| c.values),
        mean_disc: None,
        advantage,
        mask,
        text: None,
        entropy_after: None,
        logprob_after: None,
    };
    check_ranges(&mut s, lp_name, "entropy", "")?;
    Ok(s)
}

// ---- NeMo-RL train_data_step<N>.jsonl ----------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct NemoLine {
    token_ids: Option<Nums>,
    token_loss_mask: Option<Nums>,
    advantages: Option<Nums>,
    prev_logprobs: Option<Nums>,
    generation_logprobs: Option<Nums>,
    input_lengths: Option<Scalar>,
    sample_loss_mask: Option<Scalar>,
}

fn nemo(line: &[u8], path: &PathInfo, notes: &mut LineNotes) -> Result<Sample, RunError> {
    let p: NemoLine = parse(line)?;
    let step = match path.step.as_ref().filter(|_| path.nemo_name) {
        Some(Ok(s)) => *s,
        Some(Err(digits)) => return Err(path_step_error(digits)),
        None => {
            return Err(RunError::new(
                code::MISSING_FIELD,
                format!("NeMo-RL writes the step only in the file name: name this file train_data_step<N>.jsonl (it is {})", path.name),
            )
            .field("step"))
        }
    };
    let (lp_name, logprob) = match (p.prev_logprobs, p.generation_logprobs) {
        (Some(t), _) => ("prev_logprobs", t),
        (None, Some(g)) => {
            notes.generation_logprobs = true;
            ("generation_logprobs", g)
        }
        (None, None) => {
            return Err(missing(
                "prev_logprobs",
                "the log-probability of each token under the policy being updated",
            ))
        }
    };
    check_lengths(&[
        ("token_ids", p.token_ids.as_ref().map(Nums::len)),
        (lp_name, Some(logprob.len())),
        ("token_loss_mask", p.token_loss_mask.as_ref().map(Nums::len)),
        ("advantages", p.advantages.as_ref().map(Nums::len)),
    ])?;
    let n = logprob.len();
    let len = p.input_lengths.map_or(
        f64::INFINITY,
        |Scalar(l)| if l.is_nan() { f64::INFINITY } else { l },
    );
    let sample_on = p
        .sample_loss_mask
        .map_or(true, |Scalar(m)| m != 0.0 && !m.is_nan());
    let mask = flags(n, p.token_loss_mask.as_ref())
        .enumerate()
        .map(|(i, on)| on && sample_on && (i as f64) < len)
        .collect();
    let mut s = Sample {
        step,
        sample: None,
        env_name: None,
        token_id: p.token_ids.map_or_else(|| vec![f64::NAN; n], |c| c.values),
        logprob: logprob.values,
        entropy: None,
        mean_disc: None,
        advantage: p.advantages.map(|a| a.values),
        mask,
        text: None,
        entropy_after: None,
        logprob_after: None,
    };
    check_ranges(&mut s, lp_name, "", "")?;
    Ok(s)
}

// ---- OpenRLHF RL logging board -----------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct BoardLine {
    step: Option<Num>,
    response_tokens: Option<Texts>,
    logprobs: Option<Nums>,
}

fn openrlhf(line: &[u8], path: &PathInfo) -> Result<Sample, RunError> {
    let b: BoardLine = parse(line)?;
    let step = step_value(b.step, "step", path.step.as_ref())?;
    let logprob = b
        .logprobs
        .ok_or_else(|| missing("logprobs", "the log-probability of each response token"))?;
    check_lengths(&[
        ("logprobs", Some(logprob.len())),
        (
            "response_tokens",
            b.response_tokens.as_ref().map(|t| t.0.len()),
        ),
    ])?;
    per_token(&[("logprobs", Some(&logprob))])?;
    let n = logprob.len();
    let mut s = Sample {
        step,
        sample: None,
        env_name: None,
        token_id: vec![f64::NAN; n],
        logprob: logprob.values,
        entropy: None,
        mean_disc: None,
        advantage: None,
        mask: vec![true; n],
        text: b.response_tokens.map(|t| t.0),
        entropy_after: None,
        logprob_after: None,
    };
    check_ranges(&mut s, "logprobs", "", "")?;
    Ok(s)
}

/// Parses one JSONL line of a known format.
pub fn parse_line(
    format: Format,
    line: &[u8],
    path: &PathInfo,
    notes: &mut LineNotes,
) -> Result<Sample, RunError> {
    match format {
        Format::Trace => trace(line),
        Format::PrimeRl => prime(line, path, notes),
        Format::NemoRl => nemo(line, path, notes),
        Format::OpenRlhf => openrlhf(line, path),
        Format::TraceSafetensors => unreachable!("safetensors traces are not line-based"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let p = path_info("run/token_exports/step_12/rank_0.jsonl");
        assert_eq!(
            (p.step, p.nemo_name, p.ext.as_str()),
            (Some(Ok(12)), false, "jsonl")
        );
        let p = path_info("logs/exp_1/train_data_step7.jsonl");
        assert_eq!((p.step, p.nemo_name), (Some(Ok(7)), true));
        let p = path_info("train_data_step12345678901234567890.jsonl");
        assert_eq!(p.step, Some(Err("12345678901234567890".into())));
        assert_eq!(path_info("a/step_x/b.jsonl").step, None);
    }

    #[test]
    fn message_names_the_column() {
        assert_eq!(
            strip_position("expected value at line 1 column 17"),
            "expected value (column 17)"
        );
    }
}
