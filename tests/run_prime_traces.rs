//! prime-rl's trace streams with annotations (src/core/run/prime_traces.rs)
//! against the seeded example www/examples/runs/prime-rl-traces/, whose
//! per-step table tests/fixtures/prime_traces_expected.json is computed by a
//! plain-Python fold written apart (scripts/prime_traces_example.py); and each
//! kind of bad input, which must name file, line and field and keep the rest.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::core::run::prime_traces::{steps_of, PrimeTraces};
use entropy_polarity::core::run::{code, RunError};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const TRACES: &str = "www/examples/runs/prime-rl-traces/monitors/file/traces";

/// Every chunk file of the example, path relative to the traces folder.
fn example_files() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &std::path::Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = format!("{rel}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &format!("{name}/"), out);
            } else {
                out.push((name, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&std::path::Path::new(ROOT).join(TRACES), "", &mut out);
    out.sort();
    assert_eq!(out.len(), 6, "the example's chunk files");
    out
}

fn read(files: &[(String, Vec<u8>)]) -> entropy_polarity::core::run::prime_traces::Folded {
    let mut r = PrimeTraces::new();
    // Reverse order: the fold must not depend on the order files are given in.
    for (path, bytes) in files.iter().rev() {
        r.add_file(path, bytes);
    }
    r.finish()
}

fn expected() -> Vec<Vec<Value>> {
    let text = std::fs::read_to_string(format!("{ROOT}/tests/fixtures/prime_traces_expected.json"))
        .expect("run python3 scripts/make_run_examples.py");
    let v: Value = serde_json::from_str(&text).unwrap();
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().clone())
        .collect()
}

/// The table's 15 columns of a row, NaN for empty.
fn columns(r: &entropy_polarity::core::run::StepRow) -> Vec<f64> {
    vec![
        r.step,
        r.samples,
        r.tokens,
        r.mean_entropy,
        r.mean_prob,
        r.token_term,
        r.share_pos_expand,
        r.share_pos_contract,
        r.share_neg_expand,
        r.share_neg_contract,
        r.pg_polarity,
        r.realised_dh,
        r.realised_dh_same,
        r.agree_token_term,
        r.agree_pg_polarity,
    ]
}

fn assert_table(got: &[entropy_polarity::core::run::StepRow], want: &[Vec<Value>]) {
    assert_eq!(got.len(), want.len(), "steps");
    for (g, w) in got.iter().zip(want) {
        for (c, (x, y)) in columns(g).iter().zip(w).enumerate() {
            match y.as_f64() {
                None => assert!(x.is_nan(), "step {} column {c}: {x}, want empty", g.step),
                // Both sides sum compensated and divide once: agreement to rounding.
                Some(y) => assert!(
                    (x - y).abs() <= 1e-12 * (1.0 + y.abs()),
                    "step {} column {c}: {x} vs {y}",
                    g.step
                ),
            }
        }
    }
}

#[test]
fn example_folds_to_the_independent_table() {
    let f = read(&example_files());
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.untrained, 2, "the two eval episodes are never shipped");
    let steps = steps_of(&f.samples);
    assert_table(&steps.rows, &expected());
}

fn errors_of(files: &[(String, Vec<u8>)]) -> (Vec<RunError>, usize) {
    let f = read(files);
    let tokens = steps_of(&f.samples)
        .rows
        .iter()
        .map(|r| r.tokens)
        .sum::<f64>() as usize;
    (f.errors, tokens)
}

fn baseline_tokens() -> usize {
    expected()
        .iter()
        .map(|r| r[2].as_u64().unwrap() as usize)
        .sum()
}

/// Appends one line to the live trainer chunk.
fn with_trainer_line(line: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = example_files();
    let live = files
        .iter_mut()
        .find(|(p, _)| p == "annotations/trainer/00001.jsonl")
        .unwrap();
    live.1.extend_from_slice(line.as_bytes());
    live.1.push(b'\n');
    files
}

fn one_error(errors: &[RunError], code: &str, field: &str) -> RunError {
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors[0].clone();
    assert_eq!(e.code, code, "{e:?}");
    assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    assert!(e.line.is_some() && !e.file.is_empty(), "{e:?}");
    e
}

fn trainer_lines() -> usize {
    let files = example_files();
    let live = &files
        .iter()
        .find(|(p, _)| p == "annotations/trainer/00001.jsonl")
        .unwrap()
        .1;
    live.iter().filter(|&&b| b == b'\n').count()
}

#[test]
fn update_for_a_missing_trace() {
    let (errors, tokens) = errors_of(&with_trainer_line(
        r#"{"version":1,"trace_id":"nope","info":{},"branches":[{"index":0,"entropies":[1.0]}]}"#,
    ));
    let e = one_error(&errors, code::BAD_VALUE, "trace_id");
    assert_eq!(e.file, "annotations/trainer/00001.jsonl");
    assert_eq!(e.line, Some(trainer_lines() as u64 + 1));
    assert!(e.message.contains("nope"), "{e}");
    assert_eq!(tokens, baseline_tokens(), "the rest of the run is kept");
}

/// The id and branch count of the first trace of the live stream chunk.
fn a_trace() -> (String, usize) {
    let files = example_files();
    let live = &files
        .iter()
        .find(|(p, _)| p == "stream/00002.jsonl")
        .unwrap()
        .1;
    let first = live.split(|&b| b == b'\n').next().unwrap();
    let v: Value = serde_json::from_slice(first).unwrap();
    let t = &v["traces"][0];
    let nodes = t["nodes"].as_array().unwrap();
    let parents: Vec<i64> = nodes.iter().filter_map(|n| n["parent"].as_i64()).collect();
    let leaves = (0..nodes.len() as i64)
        .filter(|i| !parents.contains(i))
        .count();
    (t["id"].as_str().unwrap().to_string(), leaves)
}

#[test]
fn branch_index_out_of_range() {
    let (id, branches) = a_trace();
    let line = format!(
        r#"{{"version":1,"trace_id":"{id}","info":{{}},"branches":[{{"index":{branches},"entropies":[1.0]}}]}}"#
    );
    let (errors, tokens) = errors_of(&with_trainer_line(&line));
    let e = one_error(&errors, code::BAD_VALUE, "branches[0].index");
    assert!(e.message.contains(&format!("{branches} branches")), "{e}");
    assert_eq!(tokens, baseline_tokens());
}

#[test]
fn stream_shorter_than_the_branch_keeps_the_covered_nodes() {
    // A trainer stream of 3 values: the prompt node (5-8 tokens) is not even
    // covered, so nothing changes, and the message names the field.
    let (id, _) = a_trace();
    let line = format!(
        r#"{{"version":1,"trace_id":"{id}","info":{{}},"branches":[{{"index":0,"entropies":[null,9.0,9.0]}}]}}"#
    );
    let (errors, tokens) = errors_of(&with_trainer_line(&line));
    let e = one_error(&errors, code::LENGTHS, "branches[0].entropies");
    assert!(e.message.contains("shorter"), "{e}");
    assert_eq!(tokens, baseline_tokens());
}

#[test]
fn unknown_update_version() {
    let (id, _) = a_trace();
    let line = format!(r#"{{"version":2,"trace_id":"{id}","info":{{}},"branches":[]}}"#);
    let (errors, tokens) = errors_of(&with_trainer_line(&line));
    let e = one_error(&errors, code::VERSION, "version");
    assert!(e.message.contains("version 2"), "{e}");
    assert_eq!(tokens, baseline_tokens());
}

#[test]
fn wrong_type_names_the_field() {
    let (id, _) = a_trace();
    let line = format!(
        r#"{{"version":1,"trace_id":"{id}","info":{{}},"branches":[{{"index":0,"entropies":[null,"x"]}}]}}"#
    );
    let (errors, _) = errors_of(&with_trainer_line(&line));
    one_error(&errors, code::FIELD_TYPE, "branches[0].entropies[1]");
}

#[test]
fn corrupt_zstd_frame_keeps_the_frames_before_it() {
    let mut files = example_files();
    let (path, bytes) = files
        .iter_mut()
        .find(|(p, _)| p == "stream/00001.jsonl.zst")
        .unwrap();
    let path = path.clone();
    // Flip a byte in the middle of the chunk's last data frame.
    let at = bytes.len() * 3 / 4;
    bytes[at] ^= 0x55;
    let (errors, tokens) = errors_of(&files);
    let zst: Vec<_> = errors.iter().filter(|e| e.file == path).collect();
    assert!(!zst.is_empty(), "{errors:?}");
    assert!(
        zst.iter().any(|e| e.message.contains("zstd frame")),
        "{errors:?}"
    );
    // Lost episodes leave their updates without a trace: each is named, the
    // rest of the run is read.
    assert!(
        errors
            .iter()
            .all(|e| e.line.is_some() && !e.file.is_empty()),
        "{errors:?}"
    );
    assert!(tokens > 0 && tokens < baseline_tokens(), "{tokens}");
}
