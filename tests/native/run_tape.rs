//! Files parsed apart and replayed (math::run::tape, the page's parse
//! workers): a reader that replays each file's recording, in file order,
//! ends in the same state as one that reads the files itself: the same
//! per-step table, summary and kept tokens (compared through their Debug
//! text, which writes every f64 exactly), and the same first error.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use entropy_polarity::math::run::{code, FileSummary, RunError, RunOptions, RunReader};

fn files_under(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, root, out);
        } else {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read(&p).unwrap()));
        }
    }
}

const OPTS: RunOptions = RunOptions {
    samples_per_step: 4,
    extremes: 20,
    max_sample_tokens: 4096,
};

/// Reads file after file with `read` as the page does: a file that is not a
/// run file is skipped, any other error ends the run; → the reader and each
/// file's outcome.
fn run(
    n: usize,
    mut read: impl FnMut(&mut RunReader, usize) -> Result<FileSummary, RunError>,
) -> (Result<RunReader, RunError>, String) {
    let mut r = RunReader::new(OPTS);
    let mut each = String::new();
    for k in 0..n {
        let one = read(&mut r, k);
        each += &format!("{one:?}\n");
        if let Err(e) = one {
            if !e.foreign {
                return (Err(e), each);
            }
        }
    }
    r.end_run();
    (Ok(r), each)
}

/// Reads the files in one reader.
fn serial(files: &[(String, Vec<u8>)]) -> (Result<RunReader, RunError>, String) {
    run(files.len(), |r, k| {
        let (path, bytes) = &files[k];
        r.begin_file(path)?;
        for c in bytes.chunks(3001) {
            r.push(c)?;
        }
        r.end_file()
    })
}

/// Records each file in a reader of its own, then replays the recordings in order.
fn replayed(files: &[(String, Vec<u8>)]) -> (Result<RunReader, RunError>, String) {
    let tapes: Vec<Vec<u8>> = files
        .iter()
        .map(|(path, bytes)| {
            let mut p = RunReader::recording();
            let _ = (|| {
                p.begin_file(path)?;
                for c in bytes.chunks(1 << 16) {
                    p.push(c)?;
                }
                p.end_file()
            })();
            p.take_tape()
        })
        .collect();
    run(files.len(), |r, k| r.replay(&files[k].0, &tapes[k]))
}

/// Every file's outcome, then the summary, the table and the kept tokens (or the error).
fn state((r, each): &(Result<RunReader, RunError>, String)) -> String {
    match r {
        Ok(r) => format!("{each}{:?}\n{:?}\n{:?}", r.summary(), r.steps(), r.detail()),
        Err(e) => format!("{each}error {e:?}"),
    }
}

#[test]
fn every_example_run_replays_to_the_same_state() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/examples/runs");
    for name in ["prime-rl", "nemo-rl", "openrlhf", "trace", "smollm2-grpo"] {
        let dir = root.join(name);
        let mut files = Vec::new();
        files_under(&dir, &dir, &mut files);
        assert!(!files.is_empty(), "{name}");
        // trace/ holds one run twice, as JSONL and as safetensors: each is a run
        let runs: Vec<Vec<_>> = if name == "trace" {
            files
                .iter()
                .filter(|(p, _)| p.starts_with("run."))
                .map(|f| vec![f.clone()])
                .collect()
        } else {
            vec![files]
        };
        for files in runs {
            let (a, b) = (serial(&files), replayed(&files));
            assert!(a.0.is_ok(), "{name}: {}", state(&a));
            assert_eq!(state(&a), state(&b), "{name}");
            assert!(a.0.as_ref().unwrap().summary().tokens > 0, "{name}");
        }
    }
}

const OK: &str = r#"{"trace":"entropy-polarity","version":1,"step":0,"sample":0,"token_id":[1,2],"logprob":[-0.5,-1],"entropy":[1,NaN],"advantage":1}"#;

fn f(path: &str, text: &str) -> (String, Vec<u8>) {
    (path.to_string(), text.as_bytes().to_vec())
}

#[test]
fn skipped_files_repairs_and_errors_replay_the_same() {
    let line = |step: u32, sample: u32| {
        OK.replace(
            r#""step":0,"sample":0"#,
            &format!(r#""step":{step},"sample":{sample}"#),
        )
    };
    let cases: Vec<Vec<(String, Vec<u8>)>> = vec![
        // a config and an empty file skipped, a repaired line, two files
        vec![
            f("a/config.json", "{\n  \"lr\": 1e-6\n}\n"),
            f("a/r0.jsonl", &format!("{}\n{}\n", line(0, 0), line(1, 0))),
            f("a/r1.jsonl", ""),
            f("a/r2.jsonl", &format!("{}\n\n{}", line(0, 1), line(1, 1))),
        ],
        // the same sample twice in a file: the replay names the same line
        vec![
            f("r0.jsonl", &format!("{}\n{}\n", line(0, 0), line(1, 0))),
            f("r1.jsonl", &format!("{}\n{}\n", line(0, 0), line(0, 0))),
        ],
        // a bad line in the second file
        vec![
            f("r0.jsonl", &format!("{}\n", line(0, 0))),
            f("r1.jsonl", &format!("{}\n{{\"trace\":1\n", line(0, 1))),
        ],
        // two formats
        vec![
            f("r0.jsonl", &format!("{}\n", line(0, 0))),
            (
                "board.jsonl".into(),
                std::fs::read(
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("www/examples/runs/openrlhf/board.jsonl"),
                )
                .unwrap(),
            ),
        ],
    ];
    for (k, files) in cases.iter().enumerate() {
        let (a, b) = (serial(files), replayed(files));
        assert_eq!(state(&a), state(&b), "case {k}");
    }
    let warnings = serial(&cases[0]).0.unwrap().summary().warnings;
    assert!(warnings.iter().any(|w| w.contains("NaN")), "{warnings:?}");
    assert!(
        warnings.iter().any(|w| w.contains("config.json")),
        "{warnings:?}"
    );
    assert_eq!(
        serial(&cases[1]).0.err().unwrap().code,
        code::DUPLICATE_SAMPLE
    );
    assert_eq!(serial(&cases[3]).0.err().unwrap().code, code::MIXED_FORMATS);
}

#[test]
fn a_trace_stream_chunk_asks_for_one_reader_and_a_cut_tape_is_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/examples/runs/prime-rl-traces");
    let mut files = Vec::new();
    files_under(&root, &root, &mut files);
    let (path, bytes) = files.iter().find(|(p, _)| p.ends_with(".jsonl")).unwrap();
    let mut p = RunReader::recording();
    p.begin_file(path).unwrap();
    let e = p
        .push(bytes)
        .and_then(|_| p.end_file().map(|_| ()))
        .unwrap_err();
    assert_eq!(e.code, code::NEEDS_SERIAL, "{e}");

    let mut p = RunReader::recording();
    p.begin_file("r.jsonl").unwrap();
    p.push(OK.as_bytes()).unwrap();
    p.end_file().unwrap();
    let tape = p.take_tape();
    let mut r = RunReader::new(OPTS);
    let e = r.replay("r.jsonl", &tape[..tape.len() - 3]).unwrap_err();
    assert_eq!(e.code, code::STATE);
    assert!(e.to_string().contains("r.jsonl"), "{e}");
    assert!(
        r.replay("r.jsonl", &tape).is_ok(),
        "a refused tape leaves the reader usable"
    );
}
