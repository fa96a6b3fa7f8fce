//! The shared list of hostile run inputs (tests/fixtures/hostile_runs.json):
//! the core, driven as the page's worker drives it (a file that is not a run
//! file is skipped; the run is refused only when no run file is left), makes
//! the decision the list records, at the file, line and field it records.
//! tests/python/test_run_hostile.py holds DuckDB to the same list.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::core::run::{RunError, RunOptions, RunReader};
use serde_json::Value;

const LIST: &str = include_str!("fixtures/hostile_runs.json");

/// A file's bytes: a string, or {repeat, times, then}.
fn content(v: &Value) -> Vec<u8> {
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        _ => {
            let mut s = v["repeat"]
                .as_str()
                .unwrap()
                .repeat(v["times"].as_u64().unwrap() as usize);
            s.push_str(v["then"].as_str().unwrap_or(""));
            s.into_bytes()
        }
    }
}

/// Reads the files in path order, 7 bytes at a time, as run-worker.js does.
pub fn read(files: &serde_json::Map<String, Value>) -> Result<RunReader, RunError> {
    let mut paths: Vec<&String> = files.keys().collect();
    paths.sort();
    let mut r = RunReader::new(RunOptions::default());
    let (mut read, mut first_foreign) = (0, None);
    for p in paths {
        let bytes = content(&files[p.as_str()]);
        let one = |r: &mut RunReader| -> Result<(), RunError> {
            r.begin_file(p)?;
            for c in bytes.chunks(7) {
                r.push(c)?;
            }
            r.end_file().map(|_| ())
        };
        match one(&mut r) {
            Ok(()) => read += 1,
            Err(e) if e.foreign => {
                first_foreign.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    match first_foreign {
        Some(e) if read == 0 => Err(e),
        _ => Ok(r),
    }
}

#[test]
fn every_case_gets_the_listed_decision() {
    let doc: Value = serde_json::from_str(LIST).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    // Every case is tried; the failures are listed together.
    let mut failed = vec![];
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let r = std::panic::catch_unwind(|| check(c));
        if let Err(e) = r {
            let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
            failed.push(format!("{name}: {msg}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

fn check(c: &Value) {
    let name = c["name"].as_str().unwrap();
    let got = read(c["files"].as_object().unwrap());
    {
        match (&c["expect"], got) {
            (Value::String(a), Ok(r)) if a == "accept" => {
                let rows = r.steps().rows;
                let want = c["steps"].as_object().unwrap();
                assert_eq!(rows.len(), want.len(), "{name}: steps");
                for row in rows {
                    let w = &want[&row.step.to_string()];
                    assert_eq!(
                        (row.samples, row.tokens),
                        (w[0].as_f64().unwrap(), w[1].as_f64().unwrap()),
                        "{name}: step {} samples and tokens",
                        row.step
                    );
                }
                // A skipped file is named in the summary.
                let s = r.summary();
                assert_eq!(
                    s.skipped.is_empty(),
                    !s.warnings.iter().any(|w| w.contains("skipped")),
                    "{name}"
                );
            }
            (Value::Object(o), Err(e)) => {
                let want = &o["refuse"];
                assert_eq!(e.file, want["file"].as_str().unwrap(), "{name}: {e}");
                if let Some(l) = want["line"].as_u64() {
                    assert_eq!(e.line, Some(l), "{name}: {e}");
                }
                if let Some(f) = want["field"].as_str() {
                    assert_eq!(e.field.as_deref(), Some(f), "{name}: {e}");
                }
                assert!(e.to_string().starts_with(&e.file), "{name}: {e}");
                if let Some(says) = want.get("says").and_then(Value::as_str) {
                    assert!(e.message.contains(says), "{name}: {e}");
                }
            }
            (want, Ok(_)) => panic!("{name}: accepted, expected {want}"),
            (want, Err(e)) => panic!("{name}: refused ({e}), expected {want}"),
        }
    }
}
