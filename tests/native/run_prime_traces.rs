//! prime-rl's trace streams with annotations (src/math/run/prime_traces.rs,
//! read through the RunReader as the page reads them)
//! against the seeded example www/examples/runs/prime-rl-traces/, whose
//! per-step table tests/fixtures/prime_traces_expected.json is computed by a
//! plain-Python fold written apart (scripts/prime_traces_example.py); and each
//! kind of bad input, which must name file, line and field and keep the rest;
//! and the memory the fold holds, on a run of many traces.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::{code, RunError, RunOptions, RunReader, StepRow};
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

/// What a read gives: the per-step rows, the problems, the summary's
/// warnings, and the records the fold held at most and read in all.
struct Read {
    rows: Vec<StepRow>,
    errors: Vec<RunError>,
    warnings: Vec<String>,
    held: (usize, u64),
}

/// Reads the files as the page does: the plan's counting pass, then its
/// order, each file pushed in pieces of `piece` bytes.
fn read_planned(files: &[(String, Vec<u8>)], piece: usize) -> Read {
    let mut r = RunReader::new(RunOptions::default());
    let paths: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    let plan = r.plan(&paths).expect("a trace-stream folder");
    assert!(plan.skipped.is_empty(), "{:?}", plan.skipped);
    for (pass, list) in [(0, &plan.count), (1, &plan.read)] {
        for &i in list {
            let (path, bytes) = &files[i];
            if pass == 0 {
                r.begin_count(path).unwrap();
            } else {
                r.begin_file(path).unwrap();
            }
            for p in bytes.chunks(piece.max(1)) {
                r.push(p).unwrap();
            }
            r.end_file().unwrap();
        }
    }
    finish(r)
}

/// Reads the files without a plan, in the order given: each chunk is told by
/// its content and every trace waits for the end.
fn read_unplanned(files: &[(String, Vec<u8>)]) -> Read {
    let mut r = RunReader::new(RunOptions::default());
    for (path, bytes) in files {
        r.begin_file(path).unwrap();
        r.push(bytes).unwrap();
        r.end_file().unwrap();
    }
    finish(r)
}

fn finish(mut r: RunReader) -> Read {
    r.end_run();
    let s = r.summary();
    assert_eq!(s.problems.len() as u64, s.problems_total);
    Read {
        rows: r.steps().rows,
        errors: s.problems,
        warnings: s.warnings,
        held: r.prime_held(),
    }
}

fn read(files: &[(String, Vec<u8>)]) -> Read {
    read_planned(files, 1 << 20)
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
fn columns(r: &StepRow) -> Vec<f64> {
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

fn assert_table(got: &[StepRow], want: &[Vec<Value>]) {
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
    // Planned (pieces of 1000 bytes: lines and zstd files split anywhere),
    // planned from file names alone (files given without their folders),
    // and unplanned in reverse order (the fold must not depend on it).
    let mut files = example_files();
    let loose: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(p, b)| (p.rsplit('/').next().unwrap().to_string(), b.clone()))
        .collect();
    for f in [read_planned(&files, 1000), read_planned(&loose, 1 << 20), {
        files.reverse();
        read_unplanned(&files)
    }] {
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert!(
            f.warnings.iter().any(|w| w.starts_with("2 branch(es)")),
            "the two eval episodes are never shipped: {:?}",
            f.warnings
        );
        assert_table(&f.rows, &expected());
    }
}

fn errors_of(files: &[(String, Vec<u8>)]) -> (Vec<RunError>, usize) {
    let f = read(files);
    let tokens = f.rows.iter().map(|r| r.tokens).sum::<f64>() as usize;
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
    // Given as bare names too: then the counting pass reads the chunk as well.
    let loose: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(p, b)| (p.rsplit('/').next().unwrap().to_string(), b.clone()))
        .collect();
    let name = path.rsplit('/').next().unwrap();
    let f = read(&loose);
    let zst: Vec<_> = f.errors.iter().filter(|e| e.file == name).collect();
    assert_eq!(zst.len(), 1, "named once: {:?}", f.errors);
    let (errors, tokens) = errors_of(&files);
    let zst: Vec<_> = errors.iter().filter(|e| e.file == path).collect();
    // One problem for the chunk (a line cut by the damage is not read on its own).
    assert_eq!(zst.len(), 1, "{errors:?}");
    assert!(zst[0].message.contains("zstd frame"), "{errors:?}");
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
        let mut r = RunReader::new(RunOptions::default());
        let path = format!(
            "stream/00000.jsonl{}",
            if name == "sealed" { ".zst" } else { "" }
        );
        r.begin_file(&path).unwrap();
        r.push(bytes).unwrap();
        r.end_file().unwrap();
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

/// A run of `steps` × `per_step` traces written in time order, as prime-rl
/// writes it: the episodes of step s, then the orchestrator's ship updates
/// of step s, then (one step later, as an async trainer does) the trainer's
/// updates of step s − 1; each stream cut into chunks of its own size.
fn many_traces(steps: usize, per_step: usize) -> Vec<(String, Vec<u8>)> {
    let mut streams: [(&str, usize, Vec<String>); 3] = [
        ("stream", 50, vec![]),
        ("annotations/orchestrator", 120, vec![]),
        ("annotations/trainer", 70, vec![]),
    ];
    let id = |s: usize, k: usize| format!("{s:08x}{k:024x}");
    let trainer = |s: usize, k: usize| {
        // 4 prompt tokens (null), 6 sampled ones; position 0 null as prime-rl writes it.
        let lp: Vec<String> = (0..6).map(|j| format!("-{}.{j}", k % 3)).collect();
        let h: Vec<String> = (0..6).map(|j| format!("{}.{j}", 1 + k % 2)).collect();
        format!(
            r#"{{"version":1,"trace_id":"{}","info":{{}},"branches":[{{"index":0,"trainer_logprobs":[null,null,null,null,{}],"entropies":[null,null,null,null,{}],"is_masked":[null,null,null,null,false,false,false,false,false,false]}}]}}"#,
            id(s, k),
            lp.join(","),
            h.join(",")
        )
    };
    for s in 0..=steps {
        if s < steps {
            for k in 0..per_step {
                streams[0].2.push(format!(
                    r#"{{"env":{{"name":"e"}},"traces":[{{"id":"{}","info":{{}},"nodes":[{{"parent":null,"token_ids":[1,2,3,4],"mask":[false,false,false,false]}},{{"parent":0,"token_ids":[5,6,7,8,9,10],"mask":[true,true,true,true,true,true]}}]}}]}}"#,
                    id(s, k)
                ));
            }
            for k in 0..per_step {
                let a = if k % 2 == 0 { "1.0" } else { "-1.0" };
                streams[1].2.push(format!(
                    r#"{{"version":1,"trace_id":"{}","info":{{"ship":{{"step":{s}}}}},"branches":[{{"index":0,"advantages":[0,0,0,0,{a},{a},{a},{a},{a},{a}]}}]}}"#,
                    id(s, k)
                ));
            }
        }
        if s > 0 {
            for k in 0..per_step {
                streams[2].2.push(trainer(s - 1, k));
            }
        }
    }
    let mut files = Vec::new();
    for (dir, size, lines) in streams {
        for (c, chunk) in lines.chunks(size).enumerate() {
            let text: String = chunk.iter().map(|l| format!("{l}\n")).collect();
            files.push((format!("{dir}/{c:05}.jsonl"), text.into_bytes()));
        }
    }
    // Alphabetical, as a folder lists them: annotations first, the worst order.
    files.sort();
    files
}

/// The fold holds the traces in flight, not the run: read as planned, a run
/// of 3000 traces (9000 records) holds under a tenth of its records at once;
/// read all at once (no counting pass), it holds every one, and both give
/// the same table, whose counts are known in closed form.
#[test]
fn fold_holds_a_window_of_the_run() {
    let (steps, per_step) = (30, 100);
    let files = many_traces(steps, per_step);
    let planned = read_planned(&files, 4096);
    let all = read_unplanned(&files);
    assert!(planned.errors.is_empty(), "{:?}", planned.errors);
    assert_eq!(
        planned.held.1,
        3 * (steps * per_step) as u64,
        "records read"
    );
    assert_eq!(
        all.held.0 as u64, all.held.1,
        "without a plan every record waits"
    );
    assert!(
        planned.held.0 * 10 < planned.held.1 as usize,
        "held at most {} of {} records",
        planned.held.0,
        planned.held.1
    );
    println!(
        "held at most {} of {} records",
        planned.held.0, planned.held.1
    );
    assert_eq!(planned.rows.len(), steps);
    for (p, a) in planned.rows.iter().zip(&all.rows) {
        assert_eq!(
            (p.samples, p.tokens),
            (per_step as f64, 6.0 * per_step as f64)
        );
        for (x, y) in columns(p).iter().zip(columns(a)) {
            assert!(
                x == &y || (x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-12,
                "step {}: {x} vs {y}",
                p.step
            );
        }
    }
}
