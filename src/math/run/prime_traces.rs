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
//! `trace_id`. Updates refer to traces anywhere in the run, so the fold waits
//! for every file: memory holds the run's sampled-token columns.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::error::{code, RunError};
use super::formats::{check_ranges, Sample};
use super::lines::LineSplitter;
use super::step::{fill_realised, Limits, Origin, StepAcc};
use super::{zst, Steps};

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

struct Trace {
    id: String,
    info: Value,
    nodes: Vec<NodeIn>,
    env: Option<String>,
    /// Where the episode was read, for messages about the folded trace.
    path: std::rc::Rc<str>,
    line: u64,
}

/// Where a record was read: stream directory, chunk number, line.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    dir: String,
    chunk: u64,
    line: u64,
    path: String,
}

/// Reads a run's trace stream and annotation streams, file by file (in any
/// order), and folds them at `finish`.
#[derive(Default)]
pub struct PrimeTraces {
    traces: Vec<Trace>,
    by_id: HashMap<String, usize>,
    updates: Vec<(Place, LineIn)>,
    errors: Vec<RunError>,
}

/// What the fold gives: one sample per branch of every trained trace, and
/// every problem met (each names file, line and field; the rest is kept).
pub struct Folded {
    pub samples: Vec<Sample>,
    pub errors: Vec<RunError>,
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

impl PrimeTraces {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one whole chunk file of a trace or annotation stream.
    pub fn add_file(&mut self, path: &str, bytes: &[u8]) {
        let (dir, chunk, sealed) = chunk_name(path).unwrap_or((String::new(), 0, false));
        let (text, damage) = if sealed || bytes.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
            let (text, e) = zst::decode(bytes);
            (std::borrow::Cow::Owned(text), e)
        } else {
            (std::borrow::Cow::Borrowed(bytes), None)
        };
        let mut lines = LineSplitter::new();
        let mut each = |line: &[u8], n: u64| {
            if !line.iter().all(u8::is_ascii_whitespace) {
                let place = Place {
                    dir: dir.clone(),
                    chunk,
                    line: n,
                    path: path.to_string(),
                };
                if let Err(e) = self.line(line, place) {
                    self.errors.push(e.at(path, Some(n)));
                }
            }
            Ok(())
        };
        let r = lines
            .push(&text, &mut each)
            .and_then(|()| lines.finish(&mut each));
        if let Err(e) = r {
            self.errors.push(e.at(path, None));
        }
        if let Some(msg) = damage {
            self.errors
                .push(RunError::new(code::BAD_VALUE, msg).at(path, Some(lines.line() + 1)));
        }
    }

    fn line(&mut self, line: &[u8], place: Place) -> Result<(), RunError> {
        let rec: LineIn = json(line)?;
        if let Some(traces) = rec.traces {
            let env = rec.env.and_then(|e| e.name.or(e.id));
            let path: std::rc::Rc<str> = place.path.as_str().into();
            for (i, t) in traces.into_iter().enumerate() {
                if self.by_id.contains_key(&t.id) {
                    return Err(RunError::new(
                        code::BAD_VALUE,
                        format!("trace {} was already read: a trace is written once", t.id),
                    )
                    .field(format!("traces[{i}].id")));
                }
                self.by_id.insert(t.id.clone(), self.traces.len());
                self.traces.push(Trace {
                    id: t.id,
                    info: t.info,
                    nodes: t.nodes,
                    env: env.clone(),
                    path: path.clone(),
                    line: place.line,
                });
            }
            return Ok(());
        }
        if rec.trace_id.is_none() {
            return Err(RunError::new(
                code::UNKNOWN_FORMAT,
                "neither an episode (traces) nor a trace update (trace_id)",
            ));
        }
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
        self.updates.push((place, rec));
        Ok(())
    }

    /// Folds every update onto its trace (write order: stream directory,
    /// chunk, line) and hands out one sample per branch.
    pub fn finish(mut self) -> Folded {
        let mut updates = std::mem::take(&mut self.updates);
        updates.sort_by(|a, b| a.0.cmp(&b.0));
        let mut paths: Vec<Option<Vec<Vec<usize>>>> =
            (0..self.traces.len()).map(|_| None).collect();
        for (place, up) in updates {
            let at = |e: RunError| e.at(&place.path, Some(place.line));
            let id = up.trace_id.unwrap_or_default();
            let Some(&t) = self.by_id.get(&id) else {
                self.errors.push(at(RunError::new(
                    code::BAD_VALUE,
                    format!("no trace {id} in the trace stream: this update is left out"),
                )
                .field("trace_id")));
                continue;
            };
            let trace = &mut self.traces[t];
            if up.info.as_object().is_some_and(|o| !o.is_empty()) {
                deep_merge(&mut trace.info, up.info);
            }
            let paths = paths[t].get_or_insert_with(|| branch_node_paths(&trace.nodes));
            for (b, branch) in up.branches.into_iter().enumerate() {
                let index = branch
                    .index
                    .as_i64()
                    .filter(|i| (0..paths.len() as i64).contains(i));
                let Some(index) = index else {
                    self.errors.push(at(RunError::new(
                        code::BAD_VALUE,
                        format!(
                            "branch index {} is not one of the trace's {} branches: left out",
                            branch.index,
                            paths.len()
                        ),
                    )
                    .field(format!("branches[{b}].index"))));
                    continue;
                };
                let path = &paths[index as usize];
                let nodes = &mut trace.nodes;
                let mut short = |field: &str| {
                    self.errors.push(at(RunError::new(
                        code::LENGTHS,
                        format!("the {field} stream is shorter than branch {index}: its tail nodes keep what they had"),
                    )
                    .field(format!("branches[{b}].{field}"))));
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
        let mut samples = Vec::new();
        let mut untrained = 0;
        for (t, trace) in self.traces.iter().enumerate() {
            let paths = paths[t]
                .take()
                .unwrap_or_else(|| branch_node_paths(&trace.nodes));
            let Some(step) = trace.info.pointer("/ship/step").and_then(Value::as_i64) else {
                untrained += paths.len() as u64;
                continue;
            };
            for (b, path) in paths.iter().enumerate() {
                let mut s = branch_sample(trace, path, step);
                match check_ranges(&mut s, "trainer_logprobs", "entropies", "") {
                    Ok(()) => samples.push(s),
                    Err(mut e) => {
                        // The field's index counts the branch's sampled tokens.
                        e.message = format!("trace {}, branch {b}: {}", trace.id, e.message);
                        self.errors.push(e.at(&trace.path, Some(trace.line)));
                    }
                }
            }
        }
        Folded {
            samples,
            errors: self.errors,
            untrained,
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
        env_name: trace.env.clone(),
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

/// The per-step columns of a set of samples, as `RunReader::steps` gives them.
pub fn steps_of(samples: &[Sample]) -> Steps {
    let mut steps: std::collections::BTreeMap<i64, StepAcc> = Default::default();
    let lim = Limits {
        samples_per_step: 0,
        extremes: 0,
        max_sample_tokens: 0,
    };
    for (n, s) in samples.iter().enumerate() {
        let acc = steps.entry(s.step).or_insert_with(|| StepAcc::new(s.step));
        let origin = Origin {
            file: 0,
            line: n as u64 + 1,
            sample: n as i64,
            env_name: None,
        };
        acc.add(s, &origin, &lim);
    }
    let mut rows: Vec<_> = steps.values().map(StepAcc::row).collect();
    fill_realised(&mut rows);
    Steps { rows }
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
    fn paths_follow_parents_and_stop_at_cycles() {
        // 0 <- 1 <- 2, 1 <- 3: two leaves; 4 -> 5 -> 4 is a cycle with no leaf.
        let p = [None, Some(0), Some(1), Some(1)];
        assert_eq!(branch_node_paths_of(&p), vec![vec![0, 1, 2], vec![0, 1, 3]]);
        assert_eq!(branch_node_paths_of(&[Some(7)]), vec![vec![0]]);
        assert!(branch_node_paths_of(&[]).is_empty());
    }
}
