//! Training-run traces for JavaScript (docs/trace-format.md): the streaming
//! `RunReader`, `correlation`, `parseStepsCsv` and `Tokenizer`.
//!
//! Errors are JavaScript `Error`s (src/wasm/convert.rs, `From<RunError>`)
//! whose message names file:line and field, with the same facts as properties: `code` (stable, see
//! `math::run::error::code`), `file`, `line` (1-based, or null) and `field`
//! (or null).

use super::convert::{self, object, to_f64_vec, whole, Error};
use super::steps::{step_rows, steps_js};
use crate::math::run::csv::{is_steps_header, parse_steps_noted, write_steps};
use crate::math::run::evidence;
use crate::math::run::same;
use crate::math::run::stats;
use crate::math::run::tokenizer;
use crate::math::run::{self, FileSummary, RunOptions};
use js_sys::{Array, Float64Array, Uint32Array, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const RUN_TYPES: &str = r#"
/** An error of the run reader: where, and a stable code (docs/trace-format.md, "Refused inputs"). */
export interface RunError extends EntropyPolarityError {
  /** The path given to beginFile, or null. */
  file: string | null;
  /** 1-based line (JSONL, CSV) or safetensors entry, or null for the whole file. */
  line: number | null;
  field: string | null;
}
export interface RunReaderOptions {
  /** Whole samples kept per step (0 to 1000, default 8). */
  samplesPerStep?: number;
  /** Most expanding and most contracting tokens kept per step, each (0 to 10000, default 20). */
  extremes?: number;
  /** Mask-on tokens kept from one whole sample (default 4096). */
  maxSampleTokens?: number;
}
export type RunFormat = "prime-rl" | "prime-rl-traces" | "trace" | "trace-safetensors" | "nemo-rl" | "openrlhf";
/** How to read a prime-rl trace-stream folder (docs/trace-format.md, "Memory"). */
export interface RunPlan {
  /** Indexes of the paths to read first with beginCount (the annotation chunks). */
  count: Uint32Array;
  /** Indexes of the paths to read then with beginFile, in this order. */
  read: Uint32Array;
  /** Paths left out, and why (not a chunk, a sealed twin of a plain chunk). */
  skipped: { index: number; why: string }[];
}
/** A problem that left part of a file out while the rest of the run was read. */
export interface RunProblem {
  message: string;
  code: string;
  file: string | null;
  line: number | null;
  field: string | null;
}
export interface RunFileSummary {
  format: RunFormat;
  /** Non-blank lines (JSONL) or entries (safetensors). */
  lines: number;
  samples: number;
  /** Per-token entries read. */
  tokens: number;
  /** Tokens that count (docs/trace-format.md, "Which tokens count"). */
  counted: number;
}
export interface RunSummary {
  format: RunFormat | null;
  files: number;
  samples: number;
  tokens: number;
  counted: number;
  hasEntropy: boolean;
  hasMeanDiscriminator: boolean;
  hasAdvantages: boolean;
  /** Some sample carries entropy_after (the same-context change after the step). */
  hasEntropyAfter: boolean;
  /** Fields absent from the whole run: "entropy", "mean_discriminator", "advantage". */
  missing: string[];
  warnings: string[];
  /** Files skipped as not run files: "path: why". */
  skipped: string[];
  /** The first 100 problems (a trace stream's bad updates), each naming file, line and field. */
  problems: RunProblem[];
  /** How many problems there were in all. */
  problemsTotal: number;
}
/** The per-step columns, one entry per step, steps ascending; NaN = empty cell. */
export interface RunSteps {
  step: Float64Array; samples: Float64Array; tokens: Float64Array;
  meanEntropy: Float64Array; meanProb: Float64Array; tokenTerm: Float64Array;
  sharePosExpand: Float64Array; sharePosContract: Float64Array;
  shareNegExpand: Float64Array; shareNegContract: Float64Array;
  pgPolarity: Float64Array; realisedDh: Float64Array;
  realisedDhSame: Float64Array; agreeTokenTerm: Float64Array; agreePgPolarity: Float64Array;
}
/** Kept tokens (docs/trace-format.md, "Kept detail"); NaN where an input is missing. */
export interface RunDetail {
  step: Float64Array; sample: Float64Array; position: Float64Array; tokenId: Float64Array;
  logprob: Float64Array; entropy: Float64Array; meanDiscriminator: Float64Array;
  advantage: Float64Array; prob: Float64Array; discriminator: Float64Array;
  tokenTerm: Float64Array; sensitivity: Float64Array; polarity: Float64Array;
  flipNudge: Float64Array; flipPg: Float64Array; normalised: Float64Array;
  /** The same position after the optimizer step (NaN where the trace has none). */
  entropyAfter: Float64Array; logprobAfter: Float64Array; probAfter: Float64Array;
  /** entropyAfter − entropy. */
  dhSame: Float64Array;
  /** What the scatter plots against dhSame: the PG polarity where the token has S̄, else the token term. */
  predicted: Float64Array;
  /** 1 when the token is a point of the same-context scatter (counted, in a kept whole sample, both values finite). */
  point: Uint8Array;
  /** Index of the file, in beginFile order. */
  file: Uint32Array;
  line: Float64Array;
  /** 1 when the token counts. */
  counted: Uint8Array;
  /** 1 inside a whole kept sample, 0 for a token kept as an extreme. */
  whole: Uint8Array;
  text: string[] | null;
  envName: string[] | null;
}
/** Predicted against same-context ΔH over a set of points (docs/trace-format.md, "Same-context change"). */
export interface SameStats {
  pearson: number;
  spearman: number;
  /** Share with the same sign among points where both are nonzero (NaN if none). */
  agreement: number;
  /** Points in the correlations. */
  n: number;
  /** Points in the agreement. */
  nSigned: number;
}
export interface SameContext {
  overall: SameStats;
  /** Per step with at least one point, ascending. */
  steps: { step: Float64Array; pearson: Float64Array; spearman: Float64Array; agreement: Float64Array; n: Float64Array; nSigned: Float64Array };
}
/** Across steps: the mean token term against realised ΔH, honestly (docs/trace-format.md, "Across steps"). */
export interface StepEvidence {
  /** Over the used steps; NaN with fewer than 2 or a constant series. */
  pearson: number;
  spearman: number;
  /** Steps used: both values finite, no gap before the next step, an update. */
  n: number;
  /** Two-sided permutation p-values (NaN when the statistic is NaN). */
  pPearson: number;
  pSpearman: number;
  /** Orderings counted; exact when that is all n! of them (n ≤ 9). */
  permutations: number;
  exact: boolean;
  /** The shortest spacing between consecutive steps. */
  stride: number;
  /** Steps whose next present step is further than the stride (left out). */
  gaps: Float64Array;
  /** Steps with no token having A ≠ 0 and a nonzero token term (left out). */
  noUpdate: Float64Array;
  used: Float64Array;
  /** Used steps where both are nonzero, and how many of them had the same sign. */
  signed: number;
  sameSign: number;
  /** "token_term" or "realised_dh" when that series is constant over the used steps, else null. */
  constant: string | null;
}
export interface Correlation {
  /** NaN with fewer than 2 pairs or a constant series. */
  pearson: number;
  spearman: number;
  /** Pairs where both values are finite. */
  n: number;
}
"#;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Options {
    samples_per_step: Option<f64>,
    extremes: Option<f64>,
    max_sample_tokens: Option<f64>,
}

const OPTION_KEYS: [&str; 3] = ["samplesPerStep", "extremes", "maxSampleTokens"];

fn options(v: JsValue) -> Result<RunOptions, Error> {
    let o: Options = convert::options(v, &OPTION_KEYS, "RunReader options")?;
    let mut out = RunOptions::default();
    let get = |x: Option<f64>, name: &str, max: u64, into: &mut usize| -> Result<(), Error> {
        if let Some(x) = x {
            let n = whole(x, name)?;
            if n > max {
                return Err(Error::new(
                    convert::code::RANGE,
                    format!("RunReader option {name} = {n}: choose at most {max}."),
                )
                .field(name));
            }
            *into = n as usize;
        }
        Ok(())
    };
    get(
        o.samples_per_step,
        "samplesPerStep",
        1000,
        &mut out.samples_per_step,
    )?;
    get(o.extremes, "extremes", 10_000, &mut out.extremes)?;
    get(
        o.max_sample_tokens,
        "maxSampleTokens",
        1 << 20,
        &mut out.max_sample_tokens,
    )?;
    Ok(out)
}

fn file_summary(f: FileSummary) -> JsValue {
    object(&[
        ("format", f.format.name().into()),
        ("lines", (f.lines as f64).into()),
        ("samples", (f.samples as f64).into()),
        ("tokens", (f.tokens as f64).into()),
        ("counted", (f.counted as f64).into()),
    ])
}

fn f64s(v: impl Iterator<Item = f64>) -> Float64Array {
    let v: Vec<f64> = v.collect();
    Float64Array::from(&v[..])
}

/// Streams the files of one training run (see the module documentation of
/// `math::run`): `beginFile(path)`, `push(bytes)` any number of times,
/// `endFile()`, for each file; then `summary()`, `steps()`, `detail()`.
#[wasm_bindgen]
pub struct RunReader {
    inner: run::RunReader,
}

#[wasm_bindgen]
impl RunReader {
    /// `new RunReader({ samplesPerStep = 8, extremes = 20, maxSampleTokens = 4096 })`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "RunReaderOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<RunReader, Error> {
        Ok(RunReader {
            inner: run::RunReader::new(self::options(options.unwrap_or(JsValue::UNDEFINED))?),
        })
    }

    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    ) -> Result<(), Error> {
        let path = convert::string(&path, "path")?;
        Ok(self.inner.begin_file(&path)?)
    }

    /// `planFiles(paths)`: for a prime-rl trace-stream folder, which files to
    /// count first (`beginCount`) and the order to read them all in; null
    /// when the paths are not one.
    #[wasm_bindgen(js_name = planFiles, unchecked_return_type = "RunPlan | null")]
    pub fn plan_files(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] paths: JsValue,
    ) -> Result<JsValue, Error> {
        let paths = convert::strings(&paths, "paths")?;
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let Some(plan) = self.inner.plan(&refs) else {
            return Ok(JsValue::NULL);
        };
        let u32s = |v: &[usize]| {
            let v: Vec<u32> = v.iter().map(|&i| i as u32).collect();
            Uint32Array::from(&v[..])
        };
        let skipped: Array = plan
            .skipped
            .iter()
            .map(|(i, why)| {
                object(&[
                    ("index", (*i as f64).into()),
                    ("why", JsValue::from_str(why)),
                ])
            })
            .collect();
        Ok(object(&[
            ("count", u32s(&plan.count).into()),
            ("read", u32s(&plan.read).into()),
            ("skipped", skipped.into()),
        ]))
    }

    /// Starts a file of a trace-stream folder's counting pass (see `planFiles`).
    #[wasm_bindgen(js_name = beginCount)]
    pub fn begin_count(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    ) -> Result<(), Error> {
        let path = convert::string(&path, "path")?;
        Ok(self.inner.begin_count(&path)?)
    }

    /// Ends the run: folds what a trace-stream folder still holds. Call it
    /// after the last file, before `summary`, `steps` and `detail`.
    #[wasm_bindgen(js_name = endRun)]
    pub fn end_run(&mut self) {
        self.inner.end_run();
    }

    /// The next bytes of the current file (a Uint8Array, split anywhere).
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<(), Error> {
        let bytes = convert::bytes(&bytes, "bytes")?;
        Ok(self.inner.push(&bytes)?)
    }

    /// `{ format, lines, samples, tokens, counted }` of the file just read.
    #[wasm_bindgen(js_name = endFile, unchecked_return_type = "RunFileSummary")]
    pub fn end_file(&mut self) -> Result<JsValue, Error> {
        Ok(file_summary(self.inner.end_file()?))
    }

    /// `RunReader.recording()`: a reader that parses one file at a time and
    /// records it (`beginFile`, `push`…, `endFile`, then `takeTape`) for
    /// another reader to `replay`: files parsed in parallel, aggregated in
    /// order, bit for bit as one reader would (math::run::tape).
    pub fn recording() -> RunReader {
        RunReader {
            inner: run::RunReader::recording(),
        }
    }

    /// The recording of the file just read, or of the error that stopped it.
    #[wasm_bindgen(js_name = takeTape)]
    pub fn take_tape(&mut self) -> Vec<u8> {
        self.inner.take_tape()
    }

    /// Reads a file from a recording's tape: as `beginFile`, `push`…,
    /// `endFile` on the file itself, with the same result or error.
    #[wasm_bindgen(unchecked_return_type = "RunFileSummary")]
    pub fn replay(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] tape: JsValue,
    ) -> Result<JsValue, Error> {
        let path = convert::string(&path, "path")?;
        let tape = convert::bytes(&tape, "tape")?;
        Ok(file_summary(self.inner.replay(&path, &tape)?))
    }

    /// `{ format, files, samples, tokens, counted, hasEntropy,
    ///    hasMeanDiscriminator, hasAdvantages, missing, warnings }`.
    #[wasm_bindgen(unchecked_return_type = "RunSummary")]
    pub fn summary(&self) -> JsValue {
        let s = self.inner.summary();
        let missing: Array = s.missing.iter().map(|m| JsValue::from_str(m)).collect();
        let warnings: Array = s.warnings.iter().map(|m| JsValue::from_str(m)).collect();
        let skipped: Array = s.skipped.iter().map(|m| JsValue::from_str(m)).collect();
        let problems: Array = s
            .problems
            .iter()
            .map(|e| {
                let or_null = |v: Option<JsValue>| v.unwrap_or(JsValue::NULL);
                object(&[
                    ("message", JsValue::from_str(&e.to_string())),
                    ("code", JsValue::from_str(e.code)),
                    (
                        "file",
                        or_null((!e.file.is_empty()).then(|| e.file.as_str().into())),
                    ),
                    ("line", or_null(e.line.map(|l| (l as f64).into()))),
                    ("field", or_null(e.field.as_deref().map(JsValue::from_str))),
                ])
            })
            .collect();
        object(&[
            (
                "format",
                s.format.map_or(JsValue::NULL, |f| f.name().into()),
            ),
            ("files", (s.files as f64).into()),
            ("samples", (s.samples as f64).into()),
            ("tokens", (s.tokens as f64).into()),
            ("counted", (s.counted as f64).into()),
            ("hasEntropy", s.has_entropy.into()),
            ("hasMeanDiscriminator", s.has_mean_discriminator.into()),
            ("hasAdvantages", s.has_advantages.into()),
            ("hasEntropyAfter", s.has_entropy_after.into()),
            ("missing", missing.into()),
            ("warnings", warnings.into()),
            ("skipped", skipped.into()),
            ("problems", problems.into()),
            ("problemsTotal", (s.problems_total as f64).into()),
        ])
    }

    /// The per-step columns (Float64Array each, NaN = empty), steps ascending.
    #[wasm_bindgen(unchecked_return_type = "RunSteps")]
    pub fn steps(&self) -> JsValue {
        steps_js(&self.inner.steps().rows)
    }

    /// The per-step CSV (the export-steps header, shortest round-trip numbers).
    #[wasm_bindgen(js_name = stepsCsv)]
    pub fn steps_csv(&self) -> String {
        write_steps(&self.inner.steps().rows)
    }

    /// Predicted against same-context ΔH over the kept whole samples,
    /// overall and per step (computed here, so the page only draws).
    #[wasm_bindgen(js_name = sameContext, unchecked_return_type = "SameContext")]
    pub fn same_context(&self) -> JsValue {
        let c = self.inner.same_context();
        let one = |s: &same::SameStats| {
            object(&[
                ("pearson", s.pearson.into()),
                ("spearman", s.spearman.into()),
                ("agreement", s.agreement.into()),
                ("n", (s.n as f64).into()),
                ("nSigned", (s.n_signed as f64).into()),
            ])
        };
        let col = |f: fn(&(i64, same::SameStats)) -> f64| f64s(c.steps.iter().map(f));
        let steps = object(&[
            ("step", col(|s| s.0 as f64).into()),
            ("pearson", col(|s| s.1.pearson).into()),
            ("spearman", col(|s| s.1.spearman).into()),
            ("agreement", col(|s| s.1.agreement).into()),
            ("n", col(|s| s.1.n as f64).into()),
            ("nSigned", col(|s| s.1.n_signed as f64).into()),
        ]);
        object(&[("overall", one(&c.overall)), ("steps", steps)])
    }

    /// The kept tokens as columns; see docs/trace-format.md "Detail".
    #[wasm_bindgen(unchecked_return_type = "RunDetail")]
    pub fn detail(&self) -> JsValue {
        let d = self.inner.detail();
        let vals: Vec<run::TokenValues> = d
            .iter()
            .map(|t| run::token_values(t.logprob, t.entropy, t.advantage, t.mean_disc))
            .collect();
        let col = |f: &dyn Fn(&run::KeptToken) -> f64| f64s(d.iter().map(f));
        let der = |f: fn(&run::TokenValues) -> f64| f64s(vals.iter().map(f));
        let files: Vec<u32> = d.iter().map(|t| t.file).collect();
        let flags = |f: fn(&run::KeptToken) -> bool| {
            let v: Vec<u8> = d.iter().map(|t| f(t) as u8).collect();
            Uint8Array::from(&v[..])
        };
        // One JavaScript string per run of equal values (a 10 MB env_name
        // shared by every token of a file is copied once, not per token).
        let strings = |f: fn(&run::KeptToken) -> Option<&str>| -> JsValue {
            if d.iter().any(|t| f(t).is_some()) {
                let mut last: Option<(&str, JsValue)> = None;
                d.iter()
                    .map(|t| {
                        let s = f(t).unwrap_or("");
                        match &last {
                            Some((p, v)) if std::ptr::eq(*p, s) || *p == s => v.clone(),
                            _ => {
                                let v = JsValue::from_str(s);
                                last = Some((s, v.clone()));
                                v
                            }
                        }
                    })
                    .collect::<Array>()
                    .into()
            } else {
                JsValue::NULL
            }
        };
        object(&[
            ("step", col(&|t| t.step as f64).into()),
            ("sample", col(&|t| t.sample as f64).into()),
            ("position", col(&|t| t.position as f64).into()),
            ("tokenId", col(&|t| t.token_id).into()),
            ("logprob", col(&|t| t.logprob).into()),
            ("entropy", col(&|t| t.entropy).into()),
            ("meanDiscriminator", col(&|t| t.mean_disc).into()),
            ("advantage", col(&|t| t.advantage).into()),
            ("prob", der(|v| v.prob).into()),
            ("discriminator", der(|v| v.discriminator).into()),
            ("tokenTerm", der(|v| v.token_term).into()),
            ("sensitivity", der(|v| v.sensitivity).into()),
            ("polarity", der(|v| v.polarity).into()),
            ("flipNudge", der(|v| v.flip_nudge).into()),
            ("flipPg", der(|v| v.flip_pg).into()),
            ("normalised", der(|v| v.normalised).into()),
            ("entropyAfter", col(&|t| t.entropy_after).into()),
            ("logprobAfter", col(&|t| t.logprob_after).into()),
            ("probAfter", col(&|t| t.prob_after()).into()),
            ("dhSame", col(&same::dh_same).into()),
            ("predicted", col(&same::predicted).into()),
            ("point", flags(same::is_point).into()),
            ("file", Uint32Array::from(&files[..]).into()),
            ("line", col(&|t| t.line as f64).into()),
            ("counted", flags(|t| t.counted).into()),
            ("whole", flags(|t| t.whole).into()),
            ("text", strings(|t| t.text.as_deref())),
            ("envName", strings(|t| t.env_name.as_deref())),
        ])
    }
}

/// `correlation(x, y)` → `{ pearson, spearman, n }` over the pairs where both
/// are finite (NaN with fewer than 2 pairs or a constant series).
#[wasm_bindgen(unchecked_return_type = "Correlation")]
pub fn correlation(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] x: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] y: JsValue,
) -> Result<JsValue, Error> {
    let (x, y) = (to_f64_vec(&x, "x")?, to_f64_vec(&y, "y")?);
    if x.len() != y.len() {
        return Err(Error::new(
            convert::code::RANGE,
            format!(
                "correlation: x has {} values and y has {}; give one pair per step",
                x.len(),
                y.len()
            ),
        )
        .field("y"));
    }
    let c = stats::correlation(&x, &y);
    Ok(object(&[
        ("pearson", c.pearson.into()),
        ("spearman", c.spearman.into()),
        ("n", (c.n as f64).into()),
    ]))
}

/// `parseStepsCsv(text)`: the same shape as `RunReader.steps()`, plus
/// `notes` (one per column that is not a per-step column, ignored).
#[wasm_bindgen(js_name = parseStepsCsv, unchecked_return_type = "RunSteps & { notes: string[] }")]
pub fn parse_steps_csv(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, Error> {
    let text = convert::string(&text, "text")?;
    let (rows, notes) = parse_steps_noted(&text)?;
    let out = steps_js(&rows);
    let notes: Array = notes.iter().map(|m| JsValue::from_str(m)).collect();
    // Setting a key on the fresh plain object of steps_js cannot fail.
    let _ = js_sys::Reflect::set(&out, &"notes".into(), &notes);
    Ok(out)
}

/// `isStepsCsv(firstLine)`: true when a CSV's first line is a per-step
/// header (by its column names; quoted, spaced or with a misspelt column too).
#[wasm_bindgen(js_name = isStepsCsv)]
pub fn is_steps_csv(
    #[wasm_bindgen(unchecked_param_type = "string")] first_line: JsValue,
) -> Result<bool, Error> {
    Ok(is_steps_header(&convert::string(&first_line, "firstLine")?))
}

/// `stepEvidence(steps)`: from `RunReader.steps()` or `parseStepsCsv`, the
/// across-steps comparison of the mean token term with realised ΔH.
#[wasm_bindgen(js_name = stepEvidence, unchecked_return_type = "StepEvidence")]
pub fn step_evidence(
    #[wasm_bindgen(unchecked_param_type = "RunSteps")] steps: JsValue,
) -> Result<JsValue, Error> {
    let rows = step_rows(&steps, "stepEvidence")?;
    let e = evidence::evidence(&rows);
    Ok(object(&[
        ("pearson", e.pearson.into()),
        ("spearman", e.spearman.into()),
        ("n", (e.n as f64).into()),
        ("pPearson", e.p_pearson.into()),
        ("pSpearman", e.p_spearman.into()),
        ("permutations", (e.permutations as f64).into()),
        ("exact", e.exact.into()),
        ("stride", e.stride.into()),
        ("gaps", Float64Array::from(&e.gaps[..]).into()),
        ("noUpdate", Float64Array::from(&e.no_update[..]).into()),
        ("used", Float64Array::from(&e.used[..]).into()),
        ("signed", (e.signed as f64).into()),
        ("sameSign", (e.same_sign as f64).into()),
        (
            "constant",
            e.constant.map_or(JsValue::NULL, JsValue::from_str),
        ),
    ]))
}

/// Token text from a Hugging Face `tokenizer.json`.
#[wasm_bindgen]
pub struct Tokenizer {
    inner: tokenizer::Tokenizer,
}

#[wasm_bindgen]
impl Tokenizer {
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Tokenizer, Error> {
        let text = convert::string(&text, "text")?;
        Ok(Tokenizer {
            inner: tokenizer::Tokenizer::from_json(&text)?,
        })
    }

    /// One string per id (bytes of a character split across tokens show as
    /// U+FFFD in each; see `decodeText` for the whole text).
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn decode(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint32Array | number[]")] ids: JsValue,
    ) -> Result<Array, Error> {
        let ids = convert::u32s(&ids, "ids")?;
        Ok(self
            .inner
            .decode_tokens(&ids)
            .iter()
            .map(|s| JsValue::from_str(s))
            .collect())
    }

    /// The ids decoded together, so characters split across tokens survive.
    #[wasm_bindgen(js_name = decodeText)]
    pub fn decode_text(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint32Array | number[]")] ids: JsValue,
    ) -> Result<String, Error> {
        Ok(self.inner.decode_text(&convert::u32s(&ids, "ids")?))
    }

    #[wasm_bindgen(getter, js_name = vocabSize)]
    pub fn vocab_size(&self) -> usize {
        self.inner.vocab_size()
    }
}

/// `logitsForPoint(p, H, vocab = 1000)`: logits of a distribution whose token
/// 0 has probability p and whose entropy is H (null when unreachable), so a
/// trace token can be opened in the explorer at (p_k, H). `vocab` is a
/// whole number from 2 to 2²⁰ (an Error otherwise); p and H that are not
/// numbers give null, like an unreachable point.
#[wasm_bindgen(js_name = logitsForPoint, unchecked_return_type = "Float64Array | null")]
pub fn logits_for_point(
    #[wasm_bindgen(unchecked_param_type = "number")] p: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] entropy: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number | undefined")] vocab: JsValue,
) -> Result<JsValue, Error> {
    const MAX_VOCAB: u64 = 1 << 20;
    let vocab = match vocab.as_f64() {
        None if vocab.is_undefined() => 1000,
        Some(v) if whole(v, "vocab").is_ok_and(|n| (2..=MAX_VOCAB).contains(&n)) => v as usize,
        _ => {
            return Err(Error::new(
                convert::code::RANGE,
                format!(
                    "vocab = {}: give a whole number from 2 to {MAX_VOCAB}.",
                    vocab.as_f64().map_or_else(
                        || convert::type_name(&vocab),
                        crate::math::format::js_number
                    )
                ),
            )
            .field("vocab"))
        }
    };
    let (p, h) = (
        p.as_f64().unwrap_or(f64::NAN),
        entropy.as_f64().unwrap_or(f64::NAN),
    );
    Ok(match run::logits_for_point(p, h, vocab) {
        Some(l) => Float64Array::from(&l[..]).into(),
        None => JsValue::NULL,
    })
}
