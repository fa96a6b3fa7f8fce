//! The shared list of hostile run inputs (tests/fixtures/hostile_runs.json):
//! the core, driven as the page's worker drives it (a file that is not a run
//! file is skipped; the run is refused only when no run file is left), makes
//! the decision the list records, at the file, line and field it records.
//! tests/python/test_run_hostile.py holds DuckDB to the same list.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::{RunError, RunOptions, RunReader};
use serde_json::Value;

const LIST: &str = include_str!("../fixtures/hostile_runs.json");

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

/// Reads the files in path order, 7 bytes at a time, as js/runs/worker.js does.
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
                if let Some(w) = c.get("warns").and_then(Value::as_str) {
                    assert!(
                        s.warnings.iter().any(|x| x.contains(w)),
                        "{name}: {:?}",
                        s.warnings
                    );
                }
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

// ---- safetensors traces (DuckDB has no safetensors reader: the core alone) ----

use crate::support::trace_safetensors as st;
use entropy_polarity::math::run::code;

/// A safetensors header (8-byte length, then JSON) and a few bytes of data.
fn header_only(json: &str) -> Vec<u8> {
    let mut out = (json.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(json.as_bytes());
    out.extend_from_slice(&[0u8; 64]);
    out
}

#[test]
fn a_safetensors_trace_over_1_gib_is_refused_from_its_header() {
    // 2 GiB declared; only the header and 64 bytes are pushed.
    let big = header_only(
        r#"{"__metadata__":{"trace":"entropy-polarity","version":"1"},"logprob":{"dtype":"F32","shape":[536870912],"data_offsets":[0,2147483648]}}"#,
    );
    let mut r = RunReader::new(RunOptions::default());
    r.begin_file("big.safetensors").unwrap();
    let e = r.push(&big).unwrap_err();
    assert_eq!(e.code, code::TOO_LARGE, "{e}");
    assert!(
        e.to_string()
            .starts_with("big.safetensors: this safetensors trace is 2048 MiB"),
        "{e}"
    );
    assert!(!e.foreign);
    // A big safetensors file that is not a trace is a logit slice, said at once.
    let slice = header_only(
        r#"{"logits":{"dtype":"F32","shape":[536870912],"data_offsets":[0,2147483648]}}"#,
    );
    let mut r = RunReader::new(RunOptions::default());
    r.begin_file("logits.safetensors").unwrap();
    let e = r.push(&slice).unwrap_err();
    assert_eq!(e.code, code::LOGIT_SLICE, "{e}");
    assert!(e.foreign);
}

fn ids_trace(step: &[i64], sample: &[i64]) -> Vec<u8> {
    let n = step.len();
    st::trace(&[
        ("step", st::Dtype::I64, n, st::le64(step)),
        ("sample", st::Dtype::I64, n, st::le64(sample)),
        ("logprob", st::Dtype::F32, n, st::lef(&vec![-0.5; n])),
        ("entropy", st::Dtype::F32, n, st::lef(&vec![1.0; n])),
    ])
}

fn read_one(path: &str, bytes: &[u8]) -> Result<RunReader, RunError> {
    let mut r = RunReader::new(RunOptions::default());
    r.begin_file(path)?;
    r.push(bytes)?;
    r.end_file()?;
    Ok(r)
}

#[test]
fn safetensors_sample_ids_repeated_apart_are_refused() {
    let e = read_one("t.safetensors", &ids_trace(&[0, 0, 0], &[0, 1, 0]))
        .err()
        .unwrap();
    assert_eq!(
        (e.code, e.line, e.field.as_deref()),
        (code::DUPLICATE_SAMPLE, Some(3), Some("sample")),
        "{e}"
    );
    assert!(e.message.contains("already appeared on entry 0"), "{e}");
    // Consecutive entries with one id are one sample.
    let r = read_one("t.safetensors", &ids_trace(&[0, 0, 0], &[0, 0, 1])).unwrap();
    assert_eq!(r.steps().rows[0].samples, 2.0);
}

#[test]
fn a_safetensors_step_of_2_63_minus_1_is_refused() {
    let e = read_one("t.safetensors", &ids_trace(&[i64::MAX], &[0]))
        .err()
        .unwrap();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (code::BAD_VALUE, Some("step")),
        "{e}"
    );
    assert!(e.message.contains("9223372036854775807"), "{e}");
}
