//! Training-run traces: per-token exports of real trainers (prime-rl,
//! NeMo-RL, the OpenRLHF logging board) and our own trace format, read as a
//! stream of byte chunks, aggregated per step, with a bounded per-token
//! sample kept for the page. docs/trace-format.md is the account of the
//! formats, of which tokens count and of every column.
//!
//! Memory is bounded by the number of steps, `samples_per_step` whole samples
//! and `extremes` tokens per step, and the longest line (a safetensors trace
//! file is buffered whole, up to 1 GiB; its header is checked first, so a
//! file that is bigger, or not a trace, is refused before it is buffered; a
//! zstd file, compressed, likewise, and decoded a frame at a time). A
//! prime-rl trace-stream folder also holds its traces in flight
//! (prime_traces.rs: [`RunReader::plan`], [`RunReader::begin_count`],
//! [`RunReader::end_run`]).

pub mod columns;
pub mod csv;
pub mod error;
pub mod evidence;
mod fast;
pub mod formats;
pub mod lines;
pub mod prime_traces;
pub mod repair;
pub mod safetensors;
pub mod same;
pub mod stats;
pub mod step;
pub mod tape;
pub mod token;
pub mod tokenizer;
pub mod zst;

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

pub use error::{code, RunError};
pub use formats::{Format, Sample};
pub use step::{KeptToken, StepRow};
pub use token::{logits_for_point, stand_in, token_values, StandIn, TokenValues};

use formats::{detect, logit_slice_error, parse_line, path_info, LineNotes, PathInfo};
use lines::LineSplitter;
use prime_traces::{Folded, Place, PrimeFold};
use step::{fill_realised, Limits, Origin, StepAcc};

/// What the reader keeps per step for the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Whole samples kept per step (a uniform reservoir sample).
    pub samples_per_step: usize,
    /// Most expanding and most contracting tokens kept per step (each).
    pub extremes: usize,
    /// Tokens kept from one whole sample (its first, mask-on tokens).
    pub max_sample_tokens: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            samples_per_step: 8,
            extremes: 20,
            max_sample_tokens: 4096,
        }
    }
}

/// What `end_file` reports for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSummary {
    pub format: Format,
    /// Non-blank lines (JSONL) or entries (safetensors).
    pub lines: u64,
    pub samples: u64,
    /// Per-token entries read.
    pub tokens: u64,
    /// Tokens that count (docs/trace-format.md "Which tokens count").
    pub counted: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub format: Option<Format>,
    pub files: u64,
    pub samples: u64,
    pub tokens: u64,
    pub counted: u64,
    pub has_entropy: bool,
    pub has_mean_discriminator: bool,
    pub has_advantages: bool,
    /// Some sample carries `entropy_after` (the same-context change).
    pub has_entropy_after: bool,
    /// Field names absent from the whole run: "entropy", "mean_discriminator", "advantage".
    pub missing: Vec<&'static str>,
    pub warnings: Vec<String>,
    /// Files skipped as not run files ([`RunError::foreign`]): "path: why".
    pub skipped: Vec<String>,
    /// Problems that left part of a file out while the rest was read (a
    /// prime-rl trace stream's bad updates): the first [`MAX_PROBLEMS`].
    pub problems: Vec<RunError>,
    /// How many problems there were in all.
    pub problems_total: u64,
}

/// Problems listed in [`Summary::problems`] (the rest are counted).
pub const MAX_PROBLEMS: usize = 100;

/// The per-step columns, one entry per step in ascending order (NaN = empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Steps {
    pub rows: Vec<StepRow>,
}

/// The file being read.
struct Current {
    path: String,
    info: PathInfo,
    index: u32,
    mode: Mode,
    lines: LineSplitter,
    format: Option<Format>,
    summary: (u64, u64, u64, u64), // lines, samples, tokens, counted
    env: Option<Rc<str>>,
    /// First bytes, held until there are enough to tell text from binary.
    head: Vec<u8>,
    /// (step, sample) ids seen in this file, and the line (or entry) of each.
    seen: HashMap<(i64, i64), u64>,
    /// A safetensors file's size as its header declares it.
    declared: Option<u64>,
    /// The counting pass of a trace-stream folder ([`RunReader::begin_count`]).
    counting: bool,
    /// Where lines of a trace-stream chunk are read (file, directory, chunk).
    place: Option<Place>,
}

#[derive(PartialEq)]
enum Mode {
    Unknown,
    Lines,
    Buffer(Vec<u8>),
    /// A zstd file, held compressed until `end_file` decodes it.
    Zstd(Vec<u8>),
}

/// The largest zstd file held (compressed) for decoding.
pub const MAX_ZSTD_BYTES: usize = 1 << 30;

pub struct RunReader {
    opts: RunOptions,
    /// The run's format and the first file that had it.
    format: Option<(Format, String)>,
    files: u32,
    steps: BTreeMap<i64, StepAcc>,
    current: Option<Current>,
    samples: u64,
    tokens: u64,
    counted: u64,
    with_entropy: u64,
    without_entropy: u64,
    with_sbar: u64,
    without_sbar: u64,
    with_adv: u64,
    with_after: u64,
    /// Counted tokens of samples with `entropy_after` where it is not finite,
    /// and where the first one is (file:line: field).
    after_missing: (u64, Option<String>),
    notes: (u64, u64),
    /// Lines read after a repair (repair.rs): non-finite words, lone
    /// surrogates; each with how many and where the first was.
    repaired: [(u64, Option<String>); 2],
    /// Files skipped as not run files: (path, the refusal that says why).
    skipped: Vec<(String, String)>,
    /// The fold of a prime-rl trace-stream folder, and the paths of its plan.
    prime: PrimeFold,
    planned: std::collections::HashSet<String>,
    counted_paths: std::collections::HashSet<String>,
    problems: Vec<RunError>,
    problems_total: u64,
    /// A recording reader's tape (tape.rs): what it parsed, not aggregated.
    tape: Option<Vec<u8>>,
}

impl RunReader {
    pub fn new(opts: RunOptions) -> Self {
        RunReader {
            opts,
            format: None,
            files: 0,
            steps: BTreeMap::new(),
            current: None,
            samples: 0,
            tokens: 0,
            counted: 0,
            with_entropy: 0,
            without_entropy: 0,
            with_sbar: 0,
            without_sbar: 0,
            with_adv: 0,
            with_after: 0,
            after_missing: (0, None),
            notes: (0, 0),
            repaired: [(0, None), (0, None)],
            skipped: Vec::new(),
            prime: PrimeFold::new(),
            planned: Default::default(),
            counted_paths: Default::default(),
            problems: Vec::new(),
            problems_total: 0,
            tape: None,
        }
    }

    /// A reader that parses one file and records it (tape.rs) instead of
    /// aggregating it: `begin_file`, `push`…, `end_file`, then
    /// [`take_tape`](Self::take_tape), which another reader replays.
    pub fn recording() -> Self {
        RunReader {
            tape: Some(Vec::new()),
            ..RunReader::new(RunOptions::default())
        }
    }

    fn record(&mut self, e: &tape::Event) {
        if let Some(t) = &mut self.tape {
            tape::write(t, e);
        }
    }

    /// The recording of the file read (with the error that stopped it, if
    /// one did), leaving the tape empty for the next file.
    pub fn take_tape(&mut self) -> Vec<u8> {
        self.tape.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Reads a file from its recording (see [`RunReader::recording`]): the
    /// same as reading the file itself, call for call, so the tables are the
    /// same bit for bit. Gives the error that stopped the recording (noting a
    /// file that is not a run file as skipped, as [`end_file`](Self::end_file) does).
    pub fn replay(&mut self, path: &str, bytes: &[u8]) -> Result<FileSummary, RunError> {
        let events = tape::read(bytes).map_err(|e| e.at(path, None))?;
        if let Some(tape::Event::Failed(e)) = events.last() {
            if e.foreign {
                self.skipped.push((path.to_string(), e.to_string()));
            }
            return Err(e.clone());
        }
        self.begin_file(path)?;
        let mut cur = self.current.take().unwrap();
        for ev in events {
            match ev {
                tape::Event::Format(f, line) => {
                    self.check_mixed(f, path).map_err(|e| e.at(path, line))?;
                    cur.format = Some(f);
                }
                tape::Event::Sample(line, s) => {
                    self.add_sample(&mut cur, s, line)
                        .map_err(|e| e.at(path, Some(line)))?;
                }
                tape::Event::Repaired(k, line) => {
                    let (count, first) = &mut self.repaired[(k as usize).min(1)];
                    *count += 1;
                    first.get_or_insert_with(|| format!("{path}:{line}"));
                }
                tape::Event::Notes(a, b) => {
                    self.notes.0 += a as u64;
                    self.notes.1 += b as u64;
                }
                tape::Event::Failed(e) => return Err(e),
                tape::Event::End(lines) => cur.summary.0 = lines,
            }
        }
        let format = cur.format.ok_or_else(|| {
            RunError::new(code::STATE, "a parse worker's record has no format").at(path, None)
        })?;
        Ok(self.file_read(format, cur.summary))
    }

    /// For a prime-rl trace-stream folder (see [`prime_traces::plan`]): the
    /// files to count first, and the order to read the chunks in. Following
    /// it, `begin_count`, `push`, `end_file` for each of `count`, then
    /// `begin_file` … for each of `read`, then [`end_run`](Self::end_run),
    /// holds only the traces in flight. None when the paths are not one.
    pub fn plan(&mut self, paths: &[&str]) -> Option<prime_traces::Plan> {
        let plan = prime_traces::plan(paths)?;
        self.prime.expect_counts();
        self.planned = plan.read.iter().map(|&i| paths[i].to_string()).collect();
        Some(plan)
    }

    /// Starts a file of the counting pass: only the trace each update names
    /// is read, so that a trace is folded as soon as all of its are in.
    pub fn begin_count(&mut self, path: &str) -> Result<(), RunError> {
        self.begin_file(path)?;
        if let Err(e) = self.check_mixed(Format::PrimeTraces, path) {
            self.current = None;
            return Err(e.at(path, None));
        }
        let cur = self.current.as_mut().unwrap();
        cur.counting = true;
        cur.format = Some(Format::PrimeTraces);
        self.counted_paths.insert(path.to_string());
        Ok(())
    }

    /// Ends the run: folds the traces still held (a trace stream's traces
    /// whose updates did not all come, or all of them without a counting
    /// pass) and names the updates whose trace never came. Call it once,
    /// after the last file, before `summary`, `steps` and `detail`.
    pub fn end_run(&mut self) {
        let mut folded = Vec::new();
        self.prime.finish(&mut |f| folded.push(f));
        for f in folded {
            let (tokens, counted) = self.add_folded(f);
            self.samples += 1;
            self.tokens += tokens;
            self.counted += counted;
        }
        self.take_prime_errors();
    }

    /// Records held at most at once by the trace-stream fold, and read in all.
    pub fn prime_held(&self) -> (usize, u64) {
        self.prime.held()
    }

    fn problem(&mut self, e: RunError) {
        self.problems_total += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(e);
        }
    }

    fn take_prime_errors(&mut self) {
        for e in self.prime.take_errors() {
            self.problem(e);
        }
    }

    pub fn options(&self) -> RunOptions {
        self.opts
    }

    /// Starts a file; `path` is its relative path (the step of prime-rl and
    /// NeMo-RL files may come from it).
    pub fn begin_file(&mut self, path: &str) -> Result<(), RunError> {
        if let Some(c) = &self.current {
            return Err(RunError::new(
                code::STATE,
                format!("{} was not finished: call endFile before beginFile", c.path),
            )
            .at(path, None));
        }
        let info = path_info(path);
        // A chunk of a planned trace-stream folder: no need to detect it.
        let (format, place) = match prime_traces::chunk_name(path) {
            Some((dir, chunk, _)) if self.planned.contains(path) => {
                self.check_mixed(Format::PrimeTraces, path)
                    .map_err(|e| e.at(path, None))?;
                let place = Place {
                    file: self.files,
                    path: path.into(),
                    dir: dir.into(),
                    chunk,
                    line: 0,
                    counted: self.counted_paths.contains(path),
                };
                (Some(Format::PrimeTraces), Some(place))
            }
            _ => (None, None),
        };
        if info.ext == "npy" {
            let mut e = logit_slice_error("a .npy array").at(path, None);
            e.foreign = true;
            self.skipped.push((path.to_string(), e.to_string()));
            return Err(e);
        }
        self.current = Some(Current {
            path: path.to_string(),
            info,
            index: self.files,
            mode: Mode::Unknown,
            lines: LineSplitter::new(),
            format,
            summary: (0, 0, 0, 0),
            env: None,
            head: Vec::new(),
            seen: HashMap::new(),
            declared: None,
            counting: false,
            place,
        });
        Ok(())
    }

    /// Marks an error that shows the file is not a run file at all (see
    /// [`RunError::foreign`]) and notes the file as skipped. A first line
    /// that is not JSON makes a .json file foreign (a pretty-printed config),
    /// not a .jsonl one (a run file cut short).
    fn judge(&mut self, cur: &Current, mut e: RunError) -> RunError {
        let jsonl = matches!(cur.info.ext.as_str(), "jsonl" | "ndjson");
        e.foreign = cur.format.is_none()
            && cur.summary.0 == 0
            && match e.code {
                code::LOGIT_SLICE | code::UNKNOWN_FORMAT | code::EMPTY_FILE => true,
                code::NOT_JSON => !jsonl,
                code::SAFETENSORS => cur.info.ext != "safetensors",
                _ => false,
            };
        if e.foreign {
            self.skipped.push((cur.path.clone(), e.to_string()));
        }
        e
    }

    /// Feeds the next bytes of the current file (any split).
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), RunError> {
        let Some(mut cur) = self.current.take() else {
            return Err(RunError::new(
                code::STATE,
                "no file is open: call beginFile(path) first",
            ));
        };
        match self.push_into(&mut cur, bytes) {
            Ok(()) => {
                self.current = Some(cur);
                Ok(())
            }
            Err(e) => {
                let e = e.at(&cur.path, None);
                let e = self.judge(&cur, e);
                self.record(&tape::Event::Failed(e.clone()));
                Err(e)
            }
        }
    }

    fn push_into(&mut self, cur: &mut Current, bytes: &[u8]) -> Result<(), RunError> {
        if cur.mode == Mode::Unknown {
            // Decide between text and binary on the first 9 bytes (the .npy
            // magic, or a safetensors header length and its '{').
            cur.head.extend_from_slice(bytes);
            if cur.head.len() < 9 {
                return Ok(());
            }
            let head = std::mem::take(&mut cur.head);
            self.decide(cur, &head)?;
            return self.push_into(cur, &head);
        }
        if let Mode::Zstd(buf) = &mut cur.mode {
            if buf.len() + bytes.len() > MAX_ZSTD_BYTES {
                return Err(RunError::new(
                    code::TOO_LARGE,
                    format!("the reader holds a zstd file compressed, up to {} MiB, and this one is longer: decompress it, or split the stream into smaller chunks", MAX_ZSTD_BYTES >> 20),
                ));
            }
            buf.extend_from_slice(bytes);
            return Ok(());
        }
        if let Mode::Buffer(buf) = &mut cur.mode {
            let limit = cur
                .declared
                .unwrap_or(safetensors::MAX_SAFETENSORS_BYTES as u64);
            if (buf.len() + bytes.len()) as u64 > limit {
                return Err(RunError::new(
                    code::SAFETENSORS,
                    format!("the file is longer than the {limit} bytes its safetensors header declares: it is not one safetensors file"),
                ));
            }
            buf.extend_from_slice(bytes);
            if cur.declared.is_none() {
                // The header comes first: refuse a file that is not a trace,
                // or too big to hold, before buffering the rest of it.
                if let Some(total) = safetensors::declared_size(buf)? {
                    if total > safetensors::MAX_SAFETENSORS_BYTES as u64 {
                        return Err(RunError::new(
                            code::TOO_LARGE,
                            format!(
                                "this safetensors trace is {} MiB, and the reader holds a safetensors trace whole, up to {} MiB: write one file per step, or the JSONL variant (read as a stream)",
                                total >> 20,
                                safetensors::MAX_SAFETENSORS_BYTES >> 20
                            ),
                        ));
                    }
                    if (buf.len() as u64) > total {
                        return Err(RunError::new(
                            code::SAFETENSORS,
                            format!("the file is longer than the {total} bytes its safetensors header declares: it is not one safetensors file"),
                        ));
                    }
                    buf.reserve_exact(total as usize - buf.len());
                    cur.declared = Some(total);
                    self.check_mixed(Format::TraceSafetensors, &cur.path)?;
                    self.record(&tape::Event::Format(Format::TraceSafetensors, None));
                    cur.format = Some(Format::TraceSafetensors);
                }
            }
            return Ok(());
        }
        let mut lines = std::mem::take(&mut cur.lines);
        let r = lines.push(bytes, |line, n| {
            self.line(cur, line, n)
                .map_err(|e| e.at(&cur.path, Some(n)))
        });
        cur.lines = lines;
        r
    }

    fn decide(&mut self, cur: &mut Current, head: &[u8]) -> Result<(), RunError> {
        cur.mode = if head.starts_with(b"\x93NUMPY") {
            return Err(logit_slice_error("a .npy array"));
        } else if cur.info.name.ends_with(".zst") || is_zstd(head) {
            Mode::Zstd(Vec::new())
        } else if cur.info.ext == "safetensors" || looks_like_safetensors(head) {
            Mode::Buffer(Vec::new())
        } else {
            Mode::Lines
        };
        Ok(())
    }

    /// One line of a JSONL file; a line that fails is read again once
    /// repaired (repair.rs: NaN/Infinity, lone surrogates), as DuckDB reads it.
    fn line(&mut self, cur: &mut Current, line: &[u8], n: u64) -> Result<(), RunError> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        match self.read_line(cur, line, n) {
            Err(e) if matches!(e.code, code::NOT_JSON | code::FIELD_TYPE) => {
                let Some((fixed, r)) = repair::repair(line) else {
                    return Err(e);
                };
                self.read_line(cur, &fixed, n)?;
                for (k, done) in [r.non_finite, r.surrogates].into_iter().enumerate() {
                    if done {
                        self.record(&tape::Event::Repaired(k as u8, n));
                        let (count, first) = &mut self.repaired[k];
                        *count += 1;
                        first.get_or_insert_with(|| format!("{}:{n}", cur.path));
                    }
                }
                Ok(())
            }
            r => r,
        }
    }

    fn read_line(&mut self, cur: &mut Current, line: &[u8], n: u64) -> Result<(), RunError> {
        let format = match cur.format {
            Some(f) => f,
            None => {
                if cur.info.ext == "csv"
                    && std::str::from_utf8(line).is_ok_and(csv::is_steps_header)
                {
                    return Err(RunError::new(
                        code::UNKNOWN_FORMAT,
                        "this is a per-step CSV (as exported from this page), not a token trace: open the run's token files instead",
                    ));
                }
                let f = detect(&cur.info, line)?;
                self.check_mixed(f, &cur.path)?;
                if self.tape.is_some() {
                    if f == Format::PrimeTraces {
                        return Err(RunError::new(
                            code::NEEDS_SERIAL,
                            "a prime-rl trace-stream chunk is folded with the rest of its folder: read the run in one reader",
                        ));
                    }
                    self.record(&tape::Event::Format(f, Some(n)));
                }
                cur.format = Some(f);
                f
            }
        };
        if format == Format::PrimeTraces {
            return self.prime_line(cur, line, n);
        }
        let mut notes = LineNotes::default();
        let sample = parse_line(format, line, &cur.info, &mut notes)?;
        self.add_sample(cur, sample, n)?;
        cur.summary.0 += 1;
        if notes.inference_logprobs || notes.generation_logprobs {
            self.record(&tape::Event::Notes(
                notes.inference_logprobs,
                notes.generation_logprobs,
            ));
        }
        self.notes.0 += notes.inference_logprobs as u64;
        self.notes.1 += notes.generation_logprobs as u64;
        Ok(())
    }

    /// One line of a trace-stream chunk: counted, or folded (the traces it
    /// makes whole are handed to the step aggregates). A bad line is a
    /// problem, named, and the rest of the file is read.
    fn prime_line(&mut self, cur: &mut Current, line: &[u8], n: u64) -> Result<(), RunError> {
        cur.summary.0 += 1;
        let place = match &cur.place {
            Some(p) => Place {
                line: n,
                ..p.clone()
            },
            // A chunk read without a plan (detected by its content).
            None => {
                let (dir, chunk, _) =
                    prime_traces::chunk_name(&cur.path).unwrap_or((cur.path.clone(), 0, false));
                Place {
                    file: cur.index,
                    path: cur.path.as_str().into(),
                    dir: dir.into(),
                    chunk,
                    line: n,
                    counted: false,
                }
            }
        };
        // The counting pass says nothing: the reading pass names every problem once.
        let r = if cur.counting {
            self.prime.count_line(line).or(Ok(()))
        } else {
            let mut folded = Vec::new();
            let r = self.prime.line(line, place, &mut |f| folded.push(f));
            for f in folded {
                let (tokens, counted) = self.add_folded(f);
                cur.summary.1 += 1;
                cur.summary.2 += tokens;
                cur.summary.3 += counted;
            }
            r
        };
        if let Err(e) = r {
            self.problem(e.at(&cur.path, Some(n)));
        }
        self.take_prime_errors();
        Ok(())
    }

    /// A branch the trace-stream fold handed out, into its step; returns its
    /// tokens and counted tokens.
    fn add_folded(&mut self, f: Folded) -> (u64, u64) {
        let s = f.sample;
        self.with_entropy += 1;
        self.without_sbar += 1;
        self.with_adv += s.advantage.is_some() as u64;
        let (counted, _) = self.add_to_step(&s, f.at.file, f.at.line, None, f.env.as_ref());
        (s.len() as u64, counted)
    }

    /// A sample into its step's accumulator, from `file` at `line`; its id is
    /// `sample` or, without one, its arrival number in the step. Returns the
    /// counted tokens and the first counted position without `entropy_after`.
    fn add_to_step(
        &mut self,
        s: &Sample,
        file: u32,
        line: u64,
        sample: Option<i64>,
        env_name: Option<&Rc<str>>,
    ) -> (u64, Option<usize>) {
        let lim = self.limits();
        let acc = self
            .steps
            .entry(s.step)
            .or_insert_with(|| StepAcc::new(s.step));
        let origin = Origin {
            file,
            line,
            sample: sample.unwrap_or(acc.lines as i64),
            env_name,
        };
        acc.add(s, &origin, &lim)
    }

    /// What each step keeps (the reader's options).
    fn limits(&self) -> Limits {
        Limits {
            samples_per_step: self.opts.samples_per_step,
            extremes: self.opts.extremes,
            max_sample_tokens: self.opts.max_sample_tokens,
        }
    }

    fn check_mixed(&mut self, f: Format, path: &str) -> Result<(), RunError> {
        match &self.format {
            Some((g, first)) if *g != f => Err(RunError::new(
                code::MIXED_FORMATS,
                format!(
                    "{path} is {} but {first} is {}: pick the files of one run, all in one format",
                    f.name(),
                    g.name()
                ),
            )),
            Some(_) => Ok(()),
            None => {
                self.format = Some((f, path.to_string()));
                Ok(())
            }
        }
    }

    fn add_sample(&mut self, cur: &mut Current, s: Sample, line: u64) -> Result<(), RunError> {
        if self.tape.is_some() {
            // Recorded; the duplicate check and the sums are the replaying reader's.
            cur.summary.1 += 1;
            cur.summary.2 += s.len() as u64;
            self.record(&tape::Event::Sample(line, s));
            return Ok(());
        }
        // A sample is (file, step, sample): the same id twice in one file is
        // refused, the same id in two files (two ranks) is two samples.
        if let Some(id) = s.sample {
            if let Some(first) = cur.seen.insert((s.step, id), line) {
                let unit = if cur.format == Some(Format::TraceSafetensors) {
                    "entry"
                } else {
                    "line"
                };
                let first = if unit == "entry" { first - 1 } else { first };
                return Err(RunError::new(
                    code::DUPLICATE_SAMPLE,
                    format!("step {} sample {id} already appeared on {unit} {first} of this file: each sample of a file needs its own (step, sample); the same id in another file is another sample", s.step),
                )
                .field("sample"));
            }
        }
        let n = s.len() as u64;
        if s.entropy.is_some() {
            self.with_entropy += 1;
        } else {
            self.without_entropy += 1;
        }
        if s.mean_disc.is_some() {
            self.with_sbar += 1;
        } else {
            self.without_sbar += 1;
        }
        self.with_adv += s.advantage.is_some() as u64;
        self.with_after += s.entropy_after.is_some() as u64;
        if cur.env.as_deref() != s.env_name.as_deref() {
            cur.env = s.env_name.as_deref().map(Rc::from);
        }
        let (counted, no_after) = self.add_to_step(&s, cur.index, line, s.sample, cur.env.as_ref());
        if let Some(i) = no_after {
            self.after_missing.0 += 1;
            self.after_missing
                .1
                .get_or_insert_with(|| format!("{}:{line}: entropy_after[{i}]", cur.path));
        }
        cur.summary.1 += 1;
        cur.summary.2 += n;
        cur.summary.3 += counted;
        Ok(())
    }

    /// Ends the current file: reads a buffered safetensors trace, hands out a
    /// last line without a newline, refuses an empty file.
    pub fn end_file(&mut self) -> Result<FileSummary, RunError> {
        let Some(mut cur) = self.current.take() else {
            return Err(RunError::new(
                code::STATE,
                "no file is open: call beginFile(path) first",
            ));
        };
        match self.finish(&mut cur) {
            Ok(f) => {
                self.record(&tape::Event::End(f.lines));
                Ok(f)
            }
            Err(e) => {
                let e = e.at(&cur.path, None);
                let e = self.judge(&cur, e);
                self.record(&tape::Event::Failed(e.clone()));
                Err(e)
            }
        }
    }

    fn finish(&mut self, cur: &mut Current) -> Result<FileSummary, RunError> {
        if cur.mode == Mode::Unknown && !cur.head.is_empty() {
            let head = std::mem::take(&mut cur.head);
            self.decide(cur, &head)?;
            self.push_into(cur, &head)?;
        }
        match std::mem::replace(&mut cur.mode, Mode::Lines) {
            Mode::Zstd(buf) => {
                let mut lines = std::mem::take(&mut cur.lines);
                let mut failed = Ok(());
                let damage = zst::decode_each(&buf, |text| {
                    if failed.is_ok() {
                        failed = lines.push(text, |line, n| {
                            self.line(cur, line, n)
                                .map_err(|e| e.at(&cur.path, Some(n)))
                        });
                    }
                });
                failed?;
                // A line cut by the damage is not read (the damage names where).
                if damage.is_none() {
                    lines.finish(|line, n| {
                        self.line(cur, line, n)
                            .map_err(|e| e.at(&cur.path, Some(n)))
                    })?;
                }
                if let Some(msg) = damage {
                    let e = RunError::new(code::BAD_VALUE, msg);
                    if cur.counting {
                        // named once, by the reading pass
                    } else if cur.format == Some(Format::PrimeTraces) {
                        self.problem(e.at(&cur.path, Some(lines.line() + 1)));
                    } else if cur.format.is_none() {
                        return Err(e);
                    } else {
                        return Err(e.at(&cur.path, Some(lines.line() + 1)));
                    }
                }
            }
            Mode::Buffer(buf) => {
                if !safetensors::is_trace(&buf)? {
                    return Err(logit_slice_error(
                        "a .safetensors file without trace metadata",
                    ));
                }
                self.check_mixed(Format::TraceSafetensors, &cur.path)?;
                if cur.format.is_none() {
                    self.record(&tape::Event::Format(Format::TraceSafetensors, None));
                }
                cur.format = Some(Format::TraceSafetensors);
                let entries = safetensors::read(&buf, |s, first| {
                    self.add_sample(cur, s, first + 1)
                        .map_err(|e| e.at("", Some(first + 1)))
                })?;
                cur.summary.0 = entries;
            }
            Mode::Unknown | Mode::Lines => {
                let mut lines = std::mem::take(&mut cur.lines);
                lines.finish(|line, n| {
                    self.line(cur, line, n)
                        .map_err(|e| e.at(&cur.path, Some(n)))
                })?;
            }
        }
        let Some(format) = cur.format else {
            return Err(RunError::new(
                code::EMPTY_FILE,
                "the file is empty: a run file holds one JSON object per sample",
            ));
        };
        if cur.summary.0 == 0 && format != Format::PrimeTraces {
            return Err(RunError::new(code::EMPTY_FILE, "the file holds no samples"));
        }
        if cur.counting {
            return Ok(FileSummary {
                format,
                lines: cur.summary.0,
                samples: 0,
                tokens: 0,
                counted: 0,
            });
        }
        Ok(self.file_read(format, cur.summary))
    }

    /// A file read whole: counted into the run's totals.
    fn file_read(&mut self, format: Format, summary: (u64, u64, u64, u64)) -> FileSummary {
        self.files += 1;
        let (lines, samples, tokens, counted) = summary;
        self.samples += samples;
        self.tokens += tokens;
        self.counted += counted;
        FileSummary {
            format,
            lines,
            samples,
            tokens,
            counted,
        }
    }

    pub fn summary(&self) -> Summary {
        let has_entropy = self.with_entropy > 0;
        let has_sbar = self.with_sbar > 0;
        let has_adv = self.with_adv > 0;
        let mut missing = vec![];
        if !has_entropy {
            missing.push("entropy");
        }
        if !has_sbar {
            missing.push("mean_discriminator");
        }
        if !has_adv {
            missing.push("advantage");
        }
        let mut warnings = vec![];
        if has_entropy && self.without_entropy > 0 {
            warnings.push(format!(
                "{} samples have no entropy field: the entropy columns of their steps are empty",
                self.without_entropy
            ));
        }
        if has_sbar && self.without_sbar > 0 {
            warnings.push(format!(
                "{} samples have no mean_discriminator: pg_polarity is empty for their steps",
                self.without_sbar
            ));
        }
        if let (n @ 1.., Some(first)) = &self.after_missing {
            warnings.push(format!(
                "{n} sample(s) have a counted token whose entropy_after is null or not finite (the first: {first}): those tokens are left out of realised_dh_same and the sign agreement"
            ));
        }
        if self.with_after > 0 && self.with_after < self.with_sbar + self.without_sbar {
            warnings.push(format!(
                "{} of {} samples have no entropy_after: the same-context columns are over the others",
                self.with_sbar + self.without_sbar - self.with_after,
                self.with_sbar + self.without_sbar
            ));
        }
        let [(nf, nf_at), (sur, sur_at)] = &self.repaired;
        if let (1.., Some(at)) = (nf, nf_at) {
            warnings.push(format!(
                "{nf} line(s) hold NaN or Infinity, which JSON does not allow (Python's json.dumps writes them unless allow_nan=False; the first: {at}): they were read as non-finite, like null, so those tokens do not count"
            ));
        }
        if let (1.., Some(at)) = (sur, sur_at) {
            warnings.push(format!(
                "{sur} line(s) hold a lone UTF-16 surrogate escape in a string (the first: {at}): each was read as U+FFFD (�)"
            ));
        }
        if let Some((_, first)) = self.skipped.first() {
            let names: Vec<&str> = self.skipped.iter().take(10).map(|s| s.0.as_str()).collect();
            warnings.push(format!(
                "{} file(s) skipped as not run files: {}{} (the first: {first})",
                self.skipped.len(),
                names.join(", "),
                if self.skipped.len() > 10 { ", …" } else { "" }
            ));
        }
        if self.prime.untrained > 0 {
            warnings.push(format!(
                "{} branch(es) of traces never shipped to the trainer (no info.ship.step: eval or filtered episodes) are not read",
                self.prime.untrained
            ));
        }
        if self.problems_total > 0 {
            warnings.push(format!(
                "{} problem(s) left part of the run out, each named with its file, line and field{}; the rest was read",
                self.problems_total,
                if self.problems_total as usize > MAX_PROBLEMS {
                    format!(" (the first {MAX_PROBLEMS} are listed)")
                } else {
                    String::new()
                }
            ));
        }
        if self.notes.0 > 0 {
            warnings.push(format!(
                "{} samples have no trainer_logprobs: their inference_logprobs (the sampler's, not the policy being updated) were used",
                self.notes.0
            ));
        }
        if self.notes.1 > 0 {
            warnings.push(format!(
                "{} samples have no prev_logprobs: their generation_logprobs (the sampler's) were used",
                self.notes.1
            ));
        }
        Summary {
            format: self.format.as_ref().map(|f| f.0),
            files: self.files as u64,
            samples: self.samples,
            tokens: self.tokens,
            counted: self.counted,
            has_entropy,
            has_mean_discriminator: has_sbar,
            has_advantages: has_adv,
            has_entropy_after: self.with_after > 0,
            missing,
            warnings,
            skipped: self.skipped.iter().map(|s| s.1.clone()).collect(),
            problems: self.problems.clone(),
            problems_total: self.problems_total,
        }
    }

    pub fn steps(&self) -> Steps {
        let mut rows: Vec<StepRow> = self.steps.values().map(StepAcc::row).collect();
        fill_realised(&mut rows);
        Steps { rows }
    }

    /// Predicted against same-context ΔH over the kept whole samples
    /// (see [`same`]).
    pub fn same_context(&self) -> same::SameContext {
        same::same_context(&self.detail())
    }

    /// The kept tokens, step by step (see [`StepAcc::detail`]).
    pub fn detail(&self) -> Vec<KeptToken> {
        let mut out = Vec::new();
        for acc in self.steps.values() {
            acc.detail(&mut out);
        }
        out
    }
}

/// A zstd frame's magic, or a skippable frame's (0x184D2A50 to 0x184D2A5F).
fn is_zstd(prefix: &[u8]) -> bool {
    prefix.starts_with(&[0x28, 0xB5, 0x2F, 0xFD])
        || (prefix.len() >= 4 && prefix[0] & 0xF0 == 0x50 && prefix[1..4] == [0x2A, 0x4D, 0x18])
}

fn looks_like_safetensors(prefix: &[u8]) -> bool {
    prefix.len() >= 9
        && (2..=100_000_000u64).contains(&u64::from_le_bytes(prefix[..8].try_into().unwrap()))
        && prefix[8] == b'{'
}
