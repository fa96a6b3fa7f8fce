//! The trace writer's NumPy twin (python/entropy_polarity/writer.py) against the core:
//! on the same logits, its logprob, entropy and S̄ must be the core's
//! (`Distribution`), and the trace lines it writes, read by the `RunReader`,
//! must give the per-step columns the core computes from the logits.
//! tests/fixtures/trace_writer_twin.json is written by
//! python/make_twin_fixture.py; `fixture_is_current` fails when it is stale.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::{RunOptions, RunReader};
use entropy_polarity::math::Distribution;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fixture() -> Value {
    let path = format!("{ROOT}/tests/fixtures/trace_writer_twin.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run python3 python/make_twin_fixture.py"));
    serde_json::from_str(&text).unwrap()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// Both keep ln Z as log1p of the non-max mass (docs/math.md, Numerics), so H and
/// S̄ agree to 1e-12 relative even where 1 − p_max is 1e-30; a logprob near 0
/// (the max token of such a row) is held to 1e-12 absolute.
fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs(),
        "{what}: twin {got}, core {want}"
    );
}

fn close_abs(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12,
        "{what}: twin {got}, core {want}"
    );
}

#[test]
fn twin_columns_equal_the_core_on_the_same_logits() {
    let f = fixture();
    let mut rows = 0;
    for case in f["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = case["temperature"].as_f64().unwrap();
        let cols = &case["columns"];
        let (ids, lp, h, sbar) = (
            nums(&cols["token_id"]),
            nums(&cols["logprob"]),
            nums(&cols["entropy"]),
            nums(&cols["mean_discriminator"]),
        );
        for (r, row) in case["logits"].as_array().unwrap().iter().enumerate() {
            let logits: Vec<f64> = row
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().parse().unwrap())
                .collect();
            let d = Distribution::from_logits(&logits, t).unwrap();
            let k = ids[r] as usize;
            let what = format!("{name} row {r}");
            close(h[r], d.entropy(), &format!("{what} entropy"));
            close(sbar[r], d.mean_discriminator(), &format!("{what} S̄"));
            close_abs(lp[r], d.log_probs()[k], &format!("{what} logprob"));
            rows += 1;
        }
    }
    assert!(rows > 90, "{rows} rows");
}

#[test]
fn twin_trace_lines_give_the_cores_step_columns() {
    let f = fixture();
    let cases = f["cases"].as_array().unwrap();
    let mut r = RunReader::new(RunOptions::default());
    r.begin_file("twin/run.jsonl").unwrap();
    for case in cases {
        for line in case["lines"].as_array().unwrap() {
            r.push(line.as_str().unwrap().as_bytes()).unwrap();
            r.push(b"\n").unwrap();
        }
    }
    r.end_file().unwrap();
    let steps = r.steps().rows;
    assert_eq!(steps.len(), cases.len());
    for (case, row) in cases.iter().zip(&steps) {
        let t = case["temperature"].as_f64().unwrap();
        let ids = nums(&case["columns"]["token_id"]);
        let adv = nums(&case["columns"]["advantage"]);
        // The same step from the logits alone, through Distribution.
        let (mut h, mut term, mut pg) = (vec![], vec![], vec![]);
        for (r, row) in case["logits"].as_array().unwrap().iter().enumerate() {
            let logits: Vec<f64> = row
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().parse().unwrap())
                .collect();
            let d = Distribution::from_logits(&logits, t).unwrap();
            let k = ids[r] as usize;
            h.push(d.entropy());
            term.push(-adv[r] * d.discriminator_at(k));
            pg.push(adv[r] * d.sensitivity(k).unwrap());
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let name = case["name"].as_str().unwrap();
        assert_eq!(row.tokens as usize, h.len(), "{name}");
        close(row.mean_entropy, mean(&h), &format!("{name} mean_entropy"));
        close(row.token_term, mean(&term), &format!("{name} token_term"));
        close(row.pg_polarity, mean(&pg), &format!("{name} pg_polarity"));
    }
}

#[test]
fn fixture_is_current() {
    let out = std::process::Command::new("python3")
        .arg(format!("{ROOT}/python/make_twin_fixture.py"))
        .arg("--check")
        .output()
        .expect("python3 runs (numpy: bash scripts/setup.sh --test)");
    assert!(
        out.status.success(),
        "python3 python/make_twin_fixture.py --check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
