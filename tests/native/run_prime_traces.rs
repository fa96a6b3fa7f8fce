//! prime-rl's trace streams with annotations (src/math/run/prime_traces.rs)
//! against the seeded example www/examples/runs/prime-rl-traces/, whose
//! per-step table tests/fixtures/prime_traces_expected.json is computed by a
//! plain-Python fold written apart (scripts/prime_traces_example.py); and each
//! kind of bad input, which must name file, line and field and keep the rest.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::prime_traces::{steps_of, PrimeTraces};
use entropy_polarity::math::run::{code, RunError};
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

fn read(files: &[(String, Vec<u8>)]) -> entropy_polarity::math::run::prime_traces::Folded {
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
fn columns(r: &entropy_polarity::math::run::StepRow) -> Vec<f64> {
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

fn assert_table(got: &[entropy_polarity::math::run::StepRow], want: &[Vec<Value>]) {
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

/// One file of the example, by its path under the traces folder.
fn example_file(path: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(ROOT).join(TRACES).join(path)).unwrap()
}

fn trainer_lines() -> usize {
    let live = example_file("annotations/trainer/00001.jsonl");
    live.iter().filter(|&&b| b == b'\n').count()
}

/// The id and branch count of the first trace of the live stream chunk.
fn a_trace() -> (String, usize) {
    let live = example_file("stream/00002.jsonl");
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

/// Each kind of bad update, appended to the live trainer chunk: one error naming
/// that file, the new line and the field, and every other token still read.
#[test]
fn each_bad_update_is_named_and_the_rest_kept() {
    let (id, branches) = a_trace();
    let update = |rest: &str| format!(r#"{{"version":1,"trace_id":"{id}","info":{{}},{rest}}}"#);
    let cases = [
        // an update for a trace the stream does not have
        (
            r#"{"version":1,"trace_id":"nope","info":{},"branches":[{"index":0,"entropies":[1.0]}]}"#.to_string(),
            code::BAD_VALUE,
            "trace_id",
            "no trace nope".to_string(),
        ),
        (
            update(&format!(r#""branches":[{{"index":{branches},"entropies":[1.0]}}]"#)),
            code::BAD_VALUE,
            "branches[0].index",
            format!("{branches} branches"),
        ),
        // 3 values: not even the prompt node (5-8 tokens) is covered, nothing changes
        (
            update(r#""branches":[{"index":0,"entropies":[null,9.0,9.0]}]"#),
            code::LENGTHS,
            "branches[0].entropies",
            "shorter".to_string(),
        ),
        (
            update(r#""branches":[]"#).replace(r#""version":1"#, r#""version":2"#),
            code::VERSION,
            "version",
            "version 2".to_string(),
        ),
        (
            update(r#""branches":[{"index":0,"entropies":[null,"x"]}]"#),
            code::FIELD_TYPE,
            "branches[0].entropies[1]",
            String::new(),
        ),
    ];
    for (line, code, field, fragment) in cases {
        let (errors, tokens) = errors_of(&with_trainer_line(&line));
        assert_eq!(errors.len(), 1, "{line}: {errors:?}");
        let e = &errors[0];
        assert_eq!((e.code, e.field.as_deref()), (code, Some(field)), "{e:?}");
        assert_eq!(e.file, "annotations/trainer/00001.jsonl");
        assert_eq!(e.line, Some(trainer_lines() as u64 + 1));
        assert!(e.message.contains(&fragment), "{e}");
        assert_eq!(
            tokens,
            baseline_tokens(),
            "{field}: the rest of the run is kept"
        );
    }
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

/// Decoding speed of a sealed chunk against reading the plain one (a
/// measurement, not a check: `cargo test --release --test native
/// run_prime_traces::measure -- --ignored --nocapture`). Needs the zstd command line tool.
#[test]
#[ignore]
fn measure_zstd_against_plain() {
    use std::io::Write;
    use std::time::Instant;
    let live = example_file("stream/00002.jsonl");
    // 64 MB of text that compresses like a real run: copies of the live chunk
    // with every digit that follows a digit or a '.' redrawn (the numbers stay
    // valid JSON; a repeated copy would compress to almost nothing).
    let mut plain: Vec<u8> = live.repeat((64 << 20) / live.len());
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in 1..plain.len() {
        if plain[i].is_ascii_digit() && (plain[i - 1].is_ascii_digit() || plain[i - 1] == b'.') {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            plain[i] = b'0' + (x % 10) as u8;
        }
    }
    let mut z = std::process::Command::new("zstd")
        .args(["-q", "-c", "-3"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = z.stdin.take().unwrap();
    let input = plain.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let sealed = z.wait_with_output().unwrap().stdout;
    writer.join().unwrap();
    let mb = plain.len() as f64 / 1e6;
    let t = Instant::now();
    let (text, err) = entropy_polarity::math::run::zst::decode(&sealed);
    let dt = t.elapsed().as_secs_f64();
    assert!(err.is_none() && text == plain);
    println!(
        "zstd decode: {mb:.0} MB of text from {:.1} MB in {dt:.2} s, {:.0} MB/s",
        sealed.len() as f64 / 1e6,
        mb / dt
    );
    // Episode ids repeat in the repeated text: the duplicates are refused, which
    // costs the same parse; the point is the time per byte.
    for (name, bytes) in [("plain", &plain), ("sealed", &sealed)] {
        let t = Instant::now();
        let mut r = PrimeTraces::new();
        r.add_file(
            &format!(
                "stream/00000.jsonl{}",
                if name == "sealed" { ".zst" } else { "" }
            ),
            bytes,
        );
        let dt = t.elapsed().as_secs_f64();
        println!("read {name}: {dt:.2} s, {:.0} MB/s of text", mb / dt);
    }
}

/// A folded value out of range (a logprob above 0) refuses that branch's
/// sample, named by the episode's file and line, the trace and the field.
#[test]
fn out_of_range_value_names_the_episode() {
    let (id, _) = a_trace();
    let stream = vec!["0.5"; 1000].join(",");
    let line = format!(
        r#"{{"version":1,"trace_id":"{id}","info":{{}},"branches":[{{"index":0,"trainer_logprobs":[{stream}]}}]}}"#
    );
    let (errors, tokens) = errors_of(&with_trainer_line(&line));
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.code, code::LOGPROB_POSITIVE, "{e:?}");
    assert_eq!((e.file.as_str(), e.line), ("stream/00002.jsonl", Some(1)));
    assert!(
        e.field.as_deref().unwrap().starts_with("trainer_logprobs["),
        "{e:?}"
    );
    assert!(e.message.contains(&id), "{e}");
    assert!(tokens > 0 && tokens < baseline_tokens(), "{tokens}");
}
