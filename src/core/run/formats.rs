//! The JSONL formats a run can come in, how each is recognised (path and first
//! line), and one parser per format turning a line into a [`Sample`]: the same
//! columns whatever the trainer called them. Which tokens count and which
//! field is used for what is written down in docs/trace-format.md.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::columns::{self, Nums, Scalar, Texts};
use super::error::{code, RunError};

/// Rounding allowance for a logprob above 0 or an entropy (or S̄) below 0:
/// smaller excursions are clamped to 0, larger ones refused.
pub const ROUNDING: f64 = 1e-6;

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
    /// `step_<n>` directory (prime-rl) or `train_data_step<N>` file name (NeMo-RL).
    pub step: Option<i64>,
    pub nemo_name: bool,
}

pub fn path_info(path: &str) -> PathInfo {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_string();
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let digits = |s: &str| -> Option<i64> {
        let d: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        (!d.is_empty()).then(|| d.parse().ok()).flatten()
    };
    let nemo = name
        .strip_prefix("train_data_step")
        .and_then(|rest| digits(rest).filter(|_| rest.ends_with(".jsonl")));
    let dir_step = path.split(['/', '\\']).rev().skip(1).find_map(|part| {
        part.strip_prefix("step_")
            .and_then(|r| digits(r).filter(|_| r.chars().all(|c| c.is_ascii_digit())))
    });
    PathInfo {
        step: nemo.or(dir_step),
        nemo_name: nemo.is_some(),
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
    let value: Value = match serde_json::from_slice(first_line) {
        Ok(v) => v,
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
    let obj = match value {
        Value::Object(o) => o,
        Value::Array(_) => return Err(logit_slice_error("a JSON array of logits")),
        _ => {
            return Err(RunError::new(
                code::UNKNOWN_FORMAT,
                "the first line is a JSON value but not an object; a run has one JSON object per sample",
            ))
        }
    };
    let has = |k: &str| obj.contains_key(k);
    if obj.get("trace").and_then(Value::as_str) == Some("entropy-polarity") {
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

fn step_value(v: Option<Scalar>, field: &str, fallback: Option<i64>) -> Result<i64, RunError> {
    match v {
        Some(Scalar(x)) if x.is_finite() => whole(x, field),
        _ => fallback
            .ok_or_else(|| missing(field, "each sample needs the training step it belongs to")),
    }
}

fn whole(x: f64, field: &str) -> Result<i64, RunError> {
    if x.fract() == 0.0 && (0.0..9.0e15).contains(&x) {
        Ok(x as i64)
    } else {
        Err(RunError::new(
            code::BAD_VALUE,
            format!("field {field} is {x}: it must be a whole number ≥ 0"),
        )
        .field(field))
    }
}

/// Refuses a logprob above 0 beyond rounding, and clamps a rounding-sized one.
fn clamp_logprob(l: &mut f64, field: &str, i: usize) -> Result<(), RunError> {
    if *l > ROUNDING {
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

/// Refuses logprobs above 0 and entropies / S̄ below 0 beyond rounding on
/// tokens whose masks are on, and clamps the rounding-sized ones.
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
                if v < 0.0 {
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
    step: Option<Scalar>,
    sample: Option<Scalar>,
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
    step: Option<Scalar>,
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
    let step = step_value(p.step, "step", path.step)?;
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
    // `is_masked: null` (the whole field) means no trust-region mask.
    let is_masked = p.is_masked.filter(|m| !m.scalar);
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
    let step = path.step.filter(|_| path.nemo_name).ok_or_else(|| {
        RunError::new(
            code::MISSING_FIELD,
            format!("NeMo-RL writes the step only in the file name: name this file train_data_step<N>.jsonl (it is {})", path.name),
        )
        .field("step")
    })?;
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
    step: Option<Scalar>,
    response_tokens: Option<Texts>,
    logprobs: Option<Nums>,
}

fn openrlhf(line: &[u8], path: &PathInfo) -> Result<Sample, RunError> {
    let b: BoardLine = parse(line)?;
    let step = step_value(b.step, "step", path.step)?;
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
            (Some(12), false, "jsonl")
        );
        let p = path_info("logs/exp_1/train_data_step7.jsonl");
        assert_eq!((p.step, p.nemo_name), (Some(7), true));
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
