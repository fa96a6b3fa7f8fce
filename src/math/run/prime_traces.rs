//! prime-rl's trace streams with annotations (since its PR #3444): the file
//! monitor writes each episode once, as it lands, to a chunked trace stream,
//! and every later fact about a trace (the orchestrator's advantages, the
//! trainer's logprobs, entropies and `is_masked`) as an *update* record in the
//! producer's own annotation stream. A reader folds the updates onto the
//! trace's nodes in write order, newest wins, with the coverage rules of
//! prime-rl's `fold_trace_updates`; each branch (root-to-leaf node path) is one
//! training sample. docs/trace-format.md "prime-rl trace streams" is the account.
//!
//! Lines are told apart by content: an episode has `traces`, an update
//! `trace_id`.
//!
//! Memory: a trace is folded and handed out as soon as its episode and every
//! update naming it have been read, then dropped (an 8-byte hash of its id is
//! kept, to refuse it a second time). How many updates name a trace comes
//! from a counting pass over the annotation streams first ([`PrimeFold::count_line`],
//! 12 bytes per trace); without one, every trace waits for [`PrimeFold::finish`].
//! So what is held is the traces in flight in the reading order, and
//! [`plan`] interleaves the streams by chunk position, so that in a run
//! written as prime-rl writes it (episode, then its updates, a few steps
//! later) that is a window of the run, not all of it.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use serde::Deserialize;
use serde_json::Value;

use super::error::{code, RunError};
use super::formats::{check_ranges, Sample};

/// `UPDATE_VERSION` of prime-rl's update.py: the only one this reader knows.
pub const UPDATE_VERSION: i64 = 1;

type Floats = Option<Vec<Option<f64>>>;
type Flags = Option<Vec<Option<bool>>>;

#[derive(Deserialize, Default)]
#[serde(default)]
struct NodeIn {
    parent: Option<Value>,
    token_ids: Vec<f64>,
    mask: Vec<bool>,
    advantages: Floats,
    trainer_logprobs: Floats,
    entropies: Floats,
    is_masked: Flags,
}

#[derive(Deserialize)]
struct TraceIn {
    id: String,
    #[serde(default)]
    info: Value,
    #[serde(default)]
    nodes: Vec<NodeIn>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EnvIn {
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BranchIn {
    index: Value,
    advantages: Floats,
    trainer_logprobs: Floats,
    entropies: Floats,
    is_masked: Flags,
}

/// One line of either stream: an episode (`traces`) or an update (`trace_id`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct LineIn {
    traces: Option<Vec<TraceIn>>,
    env: Option<EnvIn>,
    trace_id: Option<String>,
    version: Option<Value>,
    info: Value,
    branches: Vec<BranchIn>,
}

/// What the counting pass reads of a line: the trace an update names (serde
/// skips the rest without building it).
#[derive(Deserialize)]
struct IdIn {
    trace_id: Option<String>,
}

struct Trace {
    id: String,
    info: Value,
    nodes: Vec<NodeIn>,
    env: Option<Rc<str>>,
    at: Place,
}

/// Where a record was read: the file (its index in reading order and path),
/// the stream directory and chunk number, the line, and whether the
/// counting pass read that file.
#[derive(Clone)]
pub struct Place {
    pub file: u32,
    pub path: Rc<str>,
    pub dir: Rc<str>,
    pub chunk: u64,
    pub line: u64,
    pub counted: bool,
}

impl Place {
    /// Write order within a producer's stream: chunk, then line.
    fn order(&self) -> (&str, u64, u64) {
        (&self.dir, self.chunk, self.line)
    }
}

/// A branch handed out by the fold: one training sample, with where its
/// episode was read.
pub struct Folded {
    pub sample: Sample,
    pub env: Option<Rc<str>>,
    pub at: Place,
}

#[derive(Default)]
struct Pending {
    trace: Option<Trace>,
    updates: Vec<(Place, LineIn)>,
    /// Updates read from files the counting pass read.
    counted: u32,
    /// An update came from a file the counting pass did not read: the count
    /// cannot say when the trace is whole, so it waits for `finish`.
    hold: bool,
}

/// The fold of a run's trace stream and annotation streams, line by line, in
/// any order of files (see the module documentation for what it holds).
#[derive(Default)]
pub struct PrimeFold {
    /// Updates per trace (by id hash) found by the counting pass; None
    /// without one.
    expected: Option<HashMap<u64, u32>>,
    pending: HashMap<String, Pending>,
    /// Traces already folded and handed out (by id hash).
    done: HashSet<u64>,
    held: usize,
    peak: usize,
    records: u64,
    errors: Vec<RunError>,
    /// Branches of traces with no `info.ship.step` (never shipped to the trainer).
    pub untrained: u64,
}

/// `NNNNN.jsonl` or `NNNNN.jsonl.zst` → (directory, chunk number, sealed).
pub fn chunk_name(path: &str) -> Option<(String, u64, bool)> {
    let (dir, name) = path.rsplit_once(['/', '\\']).unwrap_or(("", path));
    let (stem, sealed) = match name.strip_suffix(".jsonl.zst") {
        Some(s) => (s, true),
        None => (name.strip_suffix(".jsonl")?, false),
    };
    let n = stem
        .parse()
        .ok()
        .filter(|_| stem.bytes().all(|b| b.is_ascii_digit()))?;
    Some((dir.to_string(), n, sealed))
}

fn dirs(path: &str) -> impl Iterator<Item = &str> {
    let mut parts: Vec<&str> = path.split(['/', '\\']).collect();
    parts.pop();
    parts.into_iter()
}

/// Under an `annotations/` folder: an update stream (update.py: "each producer
/// appends its own stream under the trace directory's annotations/").
pub fn is_annotation(path: &str) -> bool {
    dirs(path).any(|d| d == "annotations")
}

/// The order to read a trace-stream folder in, and what to count first.
#[derive(Debug, PartialEq)]
pub struct Plan {
    /// Indexes of the annotation chunks (every chunk when the paths have no
    /// folders), read first by the counting pass.
    pub count: Vec<usize>,
    /// Indexes of every chunk to read, the streams interleaved by chunk position.
    pub read: Vec<usize>,
    /// Indexes left out, with why: not a chunk (an index, a config, `live/`
    /// in-flight rollouts), or a sealed twin of a plain chunk still present.
    pub skipped: Vec<(usize, &'static str)>,
}

/// Whether `paths` are a prime-rl trace-stream folder (a chunk under
/// `annotations/`, or a sealed `.jsonl.zst` chunk), and if so its [`Plan`].
///
/// Reading order: stream by stream, chunk k of n sits at k/n of its stream;
/// files are read in that order (the trace stream first at a tie), so each
/// stream is read about as far as the others, which (written side by side in
/// time) keeps the traces in flight to a window.
pub fn plan(paths: &[&str]) -> Option<Plan> {
    let chunks: Vec<Option<(String, u64, bool)>> = paths
        .iter()
        .map(|p| chunk_name(p).filter(|_| !dirs(p).any(|d| d == "live")))
        .collect();
    let prime = paths
        .iter()
        .zip(&chunks)
        .any(|(p, c)| c.as_ref().is_some_and(|c| c.2 || is_annotation(p)));
    if !prime {
        return None;
    }
    let mut skipped = Vec::new();
    let mut streams: HashMap<&str, Vec<(u64, usize)>> = HashMap::new();
    let plain: HashSet<(&str, u64)> = chunks
        .iter()
        .flatten()
        .filter(|c| !c.2)
        .map(|c| (c.0.as_str(), c.1))
        .collect();
    for (i, c) in chunks.iter().enumerate() {
        match c {
            None => skipped.push((
                i,
                "not a chunk of a trace or annotation stream (NNNNN.jsonl, NNNNN.jsonl.zst)",
            )),
            // Mid-seal both exist; prime-rl's open_chunk reads the plain one.
            // (Names without folders may be two streams' chunks: both are read.)
            Some((d, n, true)) if !d.is_empty() && plain.contains(&(d.as_str(), *n)) => skipped
                .push((
                    i,
                    "the sealed twin of a plain chunk that is still there (the plain one is read)",
                )),
            Some((d, n, _)) => streams.entry(d).or_default().push((*n, i)),
        }
    }
    let mut keyed = Vec::new();
    for (dir, mut list) in streams {
        list.sort();
        let n = list.len() as f64;
        let annotation = is_annotation(&format!("{dir}/x"));
        for (k, (_, i)) in list.into_iter().enumerate() {
            keyed.push((k as f64 / n, annotation, dir, k, i));
        }
    }
    keyed.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(b.2))
            .then(a.3.cmp(&b.3))
    });
    let read: Vec<usize> = keyed.iter().map(|k| k.4).collect();
    // Files given without their folders (names only) cannot say which are
    // annotation streams: then every chunk is counted (episode lines count nothing).
    let by_folder = read.iter().any(|&i| is_annotation(paths[i]));
    let count = read
        .iter()
        .copied()
        .filter(|&i| !by_folder || is_annotation(paths[i]))
        .collect();
    Some(Plan {
        count,
        read,
        skipped,
    })
}

fn json<T: for<'de> Deserialize<'de>>(line: &[u8]) -> Result<T, RunError> {
    let de = &mut serde_json::Deserializer::from_slice(line);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let err = RunError::new(code::FIELD_TYPE, format!("{}", e.inner()));
        if field == "." {
            err
        } else {
            err.field(field)
        }
    })
}

fn id_hash(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl PrimeFold {
    pub fn new() -> Self {
        Self::default()
    }

    /// The counting pass: one line of an annotation stream. Call it for every
    /// line of every annotation chunk before reading any file with [`line`](Self::line).
    pub fn count_line(&mut self, line: &[u8]) -> Result<(), RunError> {
        let counts = self.expected.get_or_insert_with(HashMap::new);
        let rec: IdIn = json(line)?;
        if let Some(id) = rec.trace_id {
            *counts.entry(id_hash(&id)).or_default() += 1;
        }
        Ok(())
    }

    /// Starts counting with nothing counted yet (a run without annotation
    /// streams: every trace is whole when its episode is read).
    pub fn expect_counts(&mut self) {
        self.expected.get_or_insert_with(HashMap::new);
    }

    /// Records (episode traces and updates) held at most at one time, and
    /// read in all.
    pub fn held(&self) -> (usize, u64) {
        (self.peak, self.records)
    }

    /// The problems met since the last call: each names file, line and field.
    pub fn take_errors(&mut self) -> Vec<RunError> {
        std::mem::take(&mut self.errors)
    }

    /// One line of either stream, read at `at`; the traces it makes whole
    /// are folded and their branches handed to `out`.
    pub fn line(
        &mut self,
        line: &[u8],
        at: Place,
        out: &mut dyn FnMut(Folded),
    ) -> Result<(), RunError> {
        let rec: LineIn = json(line)?;
        if let Some(traces) = rec.traces {
            let env: Option<Rc<str>> = rec.env.and_then(|e| e.name.or(e.id)).map(Rc::from);
            for (i, t) in traces.into_iter().enumerate() {
                let seen = self.done.contains(&id_hash(&t.id))
                    || self.pending.get(&t.id).is_some_and(|p| p.trace.is_some());
                if seen {
                    self.errors.push(
                        RunError::new(
                            code::BAD_VALUE,
                            format!("trace {} was already read: a trace is written once", t.id),
                        )
                        .field(format!("traces[{i}].id"))
                        .at(&at.path, Some(at.line)),
                    );
                    continue;
                }
                self.records += 1;
                self.hold(1);
                let id = t.id.clone();
                self.pending.entry(id.clone()).or_default().trace = Some(Trace {
                    id: t.id,
                    info: t.info,
                    nodes: t.nodes,
                    env: env.clone(),
                    at: at.clone(),
                });
                self.if_whole(&id, out);
            }
            return Ok(());
        }
        let Some(id) = rec.trace_id.clone() else {
            return Err(RunError::new(
                code::UNKNOWN_FORMAT,
                "neither an episode (traces) nor a trace update (trace_id)",
            ));
        };
        match rec.version.as_ref().and_then(Value::as_i64) {
            Some(UPDATE_VERSION) => {}
            _ => {
                return Err(RunError::new(
                    code::VERSION,
                    format!(
                        "update version {} is unknown: this reader knows version {UPDATE_VERSION}",
                        rec.version.map_or("(none)".into(), |v| v.to_string())
                    ),
                )
                .field("version"))
            }
        }
        if self.done.contains(&id_hash(&id)) {
            return Err(RunError::new(
                code::BAD_VALUE,
                format!("trace {id} was already folded and counted when this update came (its file was not in the counting pass, which reads the chunks under annotations/): this update is left out"),
            )
            .field("trace_id"));
        }
        self.records += 1;
        self.hold(1);
        let p = self.pending.entry(id.clone()).or_default();
        p.counted += at.counted as u32;
        p.hold |= !at.counted;
        p.updates.push((at, rec));
        self.if_whole(&id, out);
        Ok(())
    }

    fn hold(&mut self, n: usize) {
        self.held += n;
        self.peak = self.peak.max(self.held);
    }

    /// Folds and hands out the trace when its episode and every counted
    /// update are in.
    fn if_whole(&mut self, id: &str, out: &mut dyn FnMut(Folded)) {
        let Some(expected) = &self.expected else {
            return;
        };
        let Some(p) = self.pending.get(id) else {
            return;
        };
        let want = expected.get(&id_hash(id)).copied().unwrap_or(0);
        if p.trace.is_some() && !p.hold && p.counted == want {
            let p = self.pending.remove(id).unwrap();
            self.emit(p, out);
        }
    }

    fn emit(&mut self, p: Pending, out: &mut dyn FnMut(Folded)) {
        self.held -= p.updates.len() + p.trace.is_some() as usize;
        let Some(mut trace) = p.trace else {
            for (at, up) in p.updates {
                let id = up.trace_id.unwrap_or_default();
                self.errors.push(
                    RunError::new(
                        code::BAD_VALUE,
                        format!("no trace {id} in the trace stream: this update is left out"),
                    )
                    .field("trace_id")
                    .at(&at.path, Some(at.line)),
                );
            }
            return;
        };
        self.done.insert(id_hash(&trace.id));
        let mut updates = p.updates;
        updates.sort_by(|a, b| a.0.order().cmp(&b.0.order()));
        let paths = branch_node_paths(&trace.nodes);
        for (at, up) in updates {
            self.apply(&mut trace, &paths, at, up);
        }
        let Some(step) = trace.info.pointer("/ship/step").and_then(Value::as_i64) else {
            self.untrained += paths.len() as u64;
            return;
        };
        for (b, path) in paths.iter().enumerate() {
            let mut s = branch_sample(&trace, path, step);
            match check_ranges(&mut s, "trainer_logprobs", "entropies", "") {
                Ok(()) => out(Folded {
                    sample: s,
                    env: trace.env.clone(),
                    at: trace.at.clone(),
                }),
                Err(mut e) => {
                    // The field's index counts the branch's sampled tokens.
                    e.message = format!("trace {}, branch {b}: {}", trace.id, e.message);
                    self.errors.push(e.at(&trace.at.path, Some(trace.at.line)));
                }
            }
        }
    }

    /// One update onto its trace (prime-rl's `fold_trace_updates`, one record).
    fn apply(&mut self, trace: &mut Trace, paths: &[Vec<usize>], at: Place, up: LineIn) {
        let here = |e: RunError| e.at(&at.path, Some(at.line));
        if up.info.as_object().is_some_and(|o| !o.is_empty()) {
            deep_merge(&mut trace.info, up.info);
        }
        for (b, branch) in up.branches.into_iter().enumerate() {
            let index = branch
                .index
                .as_i64()
                .filter(|i| (0..paths.len() as i64).contains(i));
            let Some(index) = index else {
                self.errors.push(here(
                    RunError::new(
                        code::BAD_VALUE,
                        format!(
                            "branch index {} is not one of the trace's {} branches: left out",
                            branch.index,
                            paths.len()
                        ),
                    )
                    .field(format!("branches[{b}].index")),
                ));
                continue;
            };
            let path = &paths[index as usize];
            let nodes = &mut trace.nodes;
            let mut short = |field: &str| {
                self.errors.push(here(
                    RunError::new(
                        code::LENGTHS,
                        format!("the {field} stream is shorter than branch {index}: its tail nodes keep what they had"),
                    )
                    .field(format!("branches[{b}].{field}")),
                ));
            };
            if fold_floats(nodes, path, branch.advantages.as_deref(), |n| {
                &mut n.advantages
            }) {
                short("advantages");
            }
            if fold_floats(nodes, path, branch.trainer_logprobs.as_deref(), |n| {
                &mut n.trainer_logprobs
            }) {
                short("trainer_logprobs");
            }
            if fold_floats(nodes, path, branch.entropies.as_deref(), |n| {
                &mut n.entropies
            }) {
                short("entropies");
            }
            if fold_flags(nodes, path, branch.is_masked.as_deref()) {
                short("is_masked");
            }
        }
    }

    /// Folds what is still held (traces whose updates did not all come, or
    /// every trace without a counting pass), in the order their episodes
    /// were read, and names each update whose trace never came.
    pub fn finish(&mut self, out: &mut dyn FnMut(Folded)) {
        let mut rest: Vec<Pending> = std::mem::take(&mut self.pending).into_values().collect();
        let key = |p: &Pending| match (&p.trace, p.updates.first()) {
            (Some(t), _) => (0, t.at.file, t.at.line),
            (None, Some((at, _))) => (1, at.file, at.line),
            (None, None) => (2, 0, 0),
        };
        rest.sort_by_key(key);
        for p in rest {
            self.emit(p, out);
        }
    }
}

fn deep_merge(old: &mut Value, new: Value) {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            for (k, v) in n {
                deep_merge(o.entry(k).or_insert(Value::Null), v);
            }
        }
        (old, new) => *old = new,
    }
}

/// prime-rl's `branch_node_paths`: root-to-leaf node indexes, one per leaf
/// (a node no valid `parent` points at), in leaf order; a cycle ends a path.
pub fn branch_node_paths_of(parents: &[Option<i64>]) -> Vec<Vec<usize>> {
    let n = parents.len();
    let valid = |p: Option<i64>| p.filter(|p| (0..n as i64).contains(p)).map(|p| p as usize);
    let mut is_parent = vec![false; n];
    for p in parents.iter().filter_map(|p| valid(*p)) {
        is_parent[p] = true;
    }
    let mut out = Vec::new();
    for leaf in (0..n).filter(|&i| !is_parent[i]) {
        let mut path = Vec::new();
        let mut seen = vec![false; n];
        let mut node = Some(leaf);
        while let Some(i) = node.filter(|&i| !seen[i]) {
            seen[i] = true;
            path.push(i);
            node = valid(parents[i]);
        }
        path.reverse();
        out.push(path);
    }
    out
}

fn branch_node_paths(nodes: &[NodeIn]) -> Vec<Vec<usize>> {
    // A parent that is not an integer (a float, a string) points nowhere, as in Python.
    let parents: Vec<Option<i64>> = nodes
        .iter()
        .map(|n| {
            n.parent
                .as_ref()
                .filter(|p| p.is_i64() || p.is_u64())
                .and_then(Value::as_i64)
        })
        .collect();
    branch_node_paths_of(&parents)
}

/// Walks a full-length stream along a branch, handing each node its span.
/// Returns true when the stream ran out before the branch did.
fn walk<T: Copy>(
    nodes: &mut [NodeIn],
    path: &[usize],
    stream: &[T],
    mut f: impl FnMut(&mut NodeIn, &[T]),
) -> bool {
    let mut cursor = 0;
    for &i in path {
        let len = nodes[i].token_ids.len();
        if stream.len() < cursor + len {
            return true;
        }
        f(&mut nodes[i], &stream[cursor..cursor + len]);
        cursor += len;
    }
    false
}

/// The span's values at the node's sampled positions (`zip(span, mask)`).
fn sampled<T: Copy>(span: &[T], mask: &[bool]) -> Vec<T> {
    span.iter()
        .zip(mask)
        .filter(|(_, &m)| m)
        .map(|(v, _)| *v)
        .collect()
}

/// A float stream: a node takes it only with a known value at every sampled position.
fn fold_floats(
    nodes: &mut [NodeIn],
    path: &[usize],
    stream: Option<&[Option<f64>]>,
    field: impl Fn(&mut NodeIn) -> &mut Floats,
) -> bool {
    let Some(stream) = stream.filter(|s| !s.is_empty()) else {
        return false;
    };
    walk(nodes, path, stream, |node, span| {
        let values = sampled(span, &node.mask);
        if !values.is_empty() && values.iter().all(Option::is_some) {
            *field(node) = Some(values);
        }
    })
}

/// `is_masked` keeps its nulls, but a node needs one known value.
fn fold_flags(nodes: &mut [NodeIn], path: &[usize], stream: Option<&[Option<bool>]>) -> bool {
    let Some(stream) = stream.filter(|s| !s.is_empty()) else {
        return false;
    };
    walk(nodes, path, stream, |node, span| {
        let values = sampled(span, &node.mask);
        if values.iter().any(Option::is_some) {
            node.is_masked = Some(values);
        }
    })
}

/// One branch as a sample: its sampled tokens, with the node columns
/// (NaN where a node has none, so the token does not count).
fn branch_sample(trace: &Trace, path: &[usize], step: i64) -> Sample {
    let has_adv = path.iter().any(|&i| trace.nodes[i].advantages.is_some());
    let mut s = Sample {
        step,
        env_name: trace.env.as_deref().map(String::from),
        entropy: Some(Vec::new()),
        advantage: has_adv.then(Vec::new),
        ..Sample::default()
    };
    for &i in path {
        let node = &trace.nodes[i];
        let col = |c: &Floats, k: usize| {
            c.as_ref()
                .and_then(|c| c.get(k).copied().flatten())
                .unwrap_or(f64::NAN)
        };
        let ids = node
            .token_ids
            .iter()
            .zip(&node.mask)
            .filter(|(_, &m)| m)
            .map(|(t, _)| *t);
        for (k, id) in ids.enumerate() {
            s.token_id.push(id);
            s.logprob.push(col(&node.trainer_logprobs, k));
            s.entropy.as_mut().unwrap().push(col(&node.entropies, k));
            if let Some(a) = &mut s.advantage {
                a.push(col(&node.advantages, k));
            }
            let masked = node
                .is_masked
                .as_ref()
                .and_then(|m| m.get(k).copied().flatten());
            s.mask.push(masked != Some(true));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_names() {
        assert_eq!(
            chunk_name("a/annotations/trainer/00003.jsonl.zst"),
            Some(("a/annotations/trainer".into(), 3, true))
        );
        assert_eq!(chunk_name("00012.jsonl"), Some(("".into(), 12, false)));
        assert_eq!(chunk_name("a/index.jsonl"), None);
    }

    #[test]
    fn plan_counts_annotations_and_interleaves() {
        let paths = [
            "t/annotations/trainer/00000.jsonl.zst",
            "t/annotations/trainer/00001.jsonl",
            "t/stream/00000.jsonl.zst",
            "t/stream/00001.jsonl.zst",
            "t/stream/00001.jsonl",
            "t/stream/index.jsonl",
            "t/live/00012.jsonl",
        ];
        let p = plan(&paths).unwrap();
        assert_eq!(p.count, vec![0, 1]);
        // stream 0 (0/2), trainer 0 (0/2), stream 1 (1/2, the plain twin), trainer 1 (1/2)
        assert_eq!(p.read, vec![2, 0, 4, 1]);
        let skipped: Vec<usize> = p.skipped.iter().map(|s| s.0).collect();
        assert_eq!(skipped, vec![3, 5, 6]);
        // Names only: every chunk is counted.
        let loose = ["00000.jsonl.zst", "00001.jsonl", "00000.jsonl"];
        assert_eq!(plan(&loose).unwrap().count.len(), 3);
        // Token exports are no trace-stream folder.
        assert!(plan(&["token_exports/step_0/rank_0.jsonl"]).is_none());
    }

    #[test]
    fn paths_follow_parents_and_stop_at_cycles() {
        // 0 <- 1 <- 2, 1 <- 3: two leaves; 4 -> 5 -> 4 is a cycle with no leaf.
        let p = [None, Some(0), Some(1), Some(1)];
        assert_eq!(branch_node_paths_of(&p), vec![vec![0, 1, 2], vec![0, 1, 3]]);
        assert_eq!(branch_node_paths_of(&[Some(7)]), vec![vec![0]]);
        assert!(branch_node_paths_of(&[]).is_empty());
    }
}
