//! The example runs of www/examples/runs/ read by the core, against the
//! per-step columns that scripts/make_run_examples.py computed in plain
//! Python (math.fsum) when it wrote them: tests/fixtures/run_examples_expected.json.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use entropy_polarity::math::run::{RunOptions, RunReader};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            files(&e.unwrap().path(), out);
        }
    } else if p
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "safetensors")
    {
        out.push(p.to_path_buf());
    }
}

fn read(base: &Path, rel: &str) -> RunReader {
    let mut paths = vec![];
    files(&base.join(rel), &mut paths);
    paths.sort();
    assert!(!paths.is_empty(), "no run files under {rel}");
    let mut r = RunReader::new(RunOptions::default());
    for p in paths {
        let name = p.strip_prefix(base).unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&p).unwrap();
        r.begin_file(&name).unwrap();
        // Odd chunk size: lines and safetensors headers straddle pushes.
        for c in bytes.chunks(997) {
            r.push(c).unwrap();
        }
        r.end_file().unwrap();
    }
    r
}

fn fixture() -> Value {
    let path = format!("{ROOT}/tests/fixtures/run_examples_expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn example_runs_match_the_independent_python_columns() {
    let fixture = fixture();
    let header: Vec<&str> = fixture["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(
        header,
        entropy_polarity::math::run::csv::STEPS_HEADER.to_vec()
    );
    let base = Path::new(ROOT).join("www/examples/runs");
    let runs = fixture["runs"].as_object().unwrap();
    assert!(runs.len() >= 5, "one expected run per format");
    for (name, run) in runs {
        let r = read(&base, run["path"].as_str().unwrap());
        assert_eq!(
            r.summary().format.map(|f| f.name()),
            run["format"].as_str(),
            "{name}"
        );
        let got = r.steps().rows;
        let want = run["rows"].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{name}: number of steps");
        for (g, w) in got.iter().zip(want) {
            let g = g.cells();
            for (k, wv) in w.as_array().unwrap().iter().enumerate() {
                let what = format!("{name} step {} {}", g[0], header[k]);
                match wv.as_f64() {
                    None => assert!(g[k].is_nan(), "{what}: got {}, want empty", g[k]),
                    Some(x) => assert!(
                        (g[k] - x).abs() <= 1e-13 * x.abs().max(1e-2),
                        "{what}: got {}, want {x}",
                        g[k]
                    ),
                }
            }
        }
    }
}

/// The run panel's same-context scatter (predicted against entropy_after −
/// entropy) of the trace example, whose every sample the reader keeps, against
/// the statistics scripts/make_run_examples.py computed in plain Python.
#[test]
fn same_context_statistics_match_the_independent_python_ones() {
    let fixture = fixture();
    let base = Path::new(ROOT).join("www/examples/runs");
    for name in ["trace", "trace-safetensors"] {
        let run = &fixture["runs"][name];
        let want = &run["same_context"];
        let got = read(&base, run["path"].as_str().unwrap()).same_context();
        let check = |g: &entropy_polarity::math::run::same::SameStats, w: &Value, what: &str| {
            assert_eq!(g.n as u64, w["n"].as_u64().unwrap(), "{what}: n");
            assert_eq!(
                g.n_signed as u64,
                w["n_signed"].as_u64().unwrap(),
                "{what}: n_signed"
            );
            for (k, v) in [
                ("pearson", g.pearson),
                ("spearman", g.spearman),
                ("agreement", g.agreement),
            ] {
                match w[k].as_f64() {
                    None => assert!(v.is_nan(), "{what} {k}: got {v}, want empty"),
                    Some(x) => assert!((v - x).abs() <= 1e-12, "{what} {k}: got {v}, want {x}"),
                }
            }
        };
        check(&got.overall, &want["overall"], name);
        let steps = want["steps"].as_array().unwrap();
        assert_eq!(got.steps.len(), steps.len(), "{name}: steps with points");
        for ((step, g), w) in got.steps.iter().zip(steps) {
            assert_eq!(*step, w["step"].as_i64().unwrap());
            check(g, w, &format!("{name} step {step}"));
        }
    }
}
