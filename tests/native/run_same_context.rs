//! The same-context change (trace fields `entropy_after`, `logprob_after`):
//! the three per-step columns against values worked out by hand here, the
//! scatter's statistics, and every refusal naming file, line and field.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::same::stats;
use entropy_polarity::math::run::{code, RunError, RunOptions, RunReader};

fn read(files: &[(&str, &[u8])]) -> Result<RunReader, RunError> {
    let mut r = RunReader::new(RunOptions::default());
    for (path, bytes) in files {
        r.begin_file(path)?;
        for c in bytes.chunks(7) {
            r.push(c)?;
        }
        r.end_file()?;
    }
    Ok(r)
}

fn line(step: u32, sample: u32, fields: &str) -> String {
    format!(
        r#"{{"trace":"entropy-polarity","version":1,"step":{step},"sample":{sample},{fields}}}"#
    )
}

/// Step 0: four samples; step 1: one token without S̄, one sample without
/// entropy_after.
fn run() -> String {
    [
        line(0, 0, r#""logprob":[-0.5,-2.0],"entropy":[1.0,1.5],"mean_discriminator":[0.1,0.2],"advantage":1,"entropy_after":[0.9,1.6],"logprob_after":[-0.4,-2.1]"#),
        line(0, 1, r#""logprob":[-1.0,-0.3],"entropy":[2.0,0.7],"mean_discriminator":[0.05,0.1],"advantage":-1,"entropy_after":[2.25,0.7],"logprob_after":[-1.1,-0.3]"#),
        line(0, 2, r#""logprob":[-0.1,-0.2],"entropy":[0.5,0.8],"mean_discriminator":[0.5,0.3],"advantage":1,"entropy_after":[0.6,null],"logprob_after":[-0.05,null]"#),
        line(0, 3, r#""logprob":[-0.7],"entropy":[1.2],"mean_discriminator":[0.1],"advantage":0,"entropy_after":[1.1],"logprob_after":[-0.7]"#),
        line(1, 0, r#""logprob":[-0.5],"entropy":[1.0],"mean_discriminator":[null],"advantage":1,"entropy_after":[1.2],"logprob_after":[-0.6]"#),
        line(1, 1, r#""logprob":[-0.5],"entropy":[1.0],"mean_discriminator":[0.2],"advantage":1"#),
    ]
    .join("\n")
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-14 * b.abs().max(1e-3),
        "{what}: got {a}, want {b}"
    );
}

#[test]
fn columns_by_hand() {
    let r = read(&[("t/run.jsonl", run().as_bytes())]).unwrap();
    let rows = r.steps().rows;
    // Step 0: ΔH over the six tokens with entropy_after: −0.1, 0.1, 0.25, 0, 0.1, −0.1.
    let dh = (0.9 - 1.0) + (1.6 - 1.5) + (2.25 - 2.0) + (0.7 - 0.7) + (0.6 - 0.5) + (1.1 - 1.2);
    close(
        rows[0].realised_dh_same,
        dh / 6.0,
        "step 0 realised_dh_same",
    );
    // A ≠ 0 and ΔH ≠ 0: s0 ×2, s1 first, s2 first. Token terms −A·p(H + ℓ):
    // −0.303 (ΔH −), +0.068 (+), +0.368 (+), −0.362 (+): three of four agree.
    close(rows[0].agree_token_term, 0.75, "step 0 agree_token_term");
    // PG polarity A(S̄ − S): −0.203 (−), +0.268 (+), +0.318 (+), +0.138 (+): all four.
    close(rows[0].agree_pg_polarity, 1.0, "step 0 agree_pg_polarity");
    // Step 1: one token with ΔH = 0.2 and token term −0.303; its S̄ is missing.
    close(
        rows[1].realised_dh_same,
        1.2 - 1.0,
        "step 1 realised_dh_same",
    );
    close(rows[1].agree_token_term, 0.0, "step 1 agree_token_term");
    assert!(rows[1].agree_pg_polarity.is_nan(), "S̄ missing: empty");
    let s = r.summary();
    assert!(s.has_entropy_after);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("t/run.jsonl:3: entropy_after[1]")),
        "{:?}",
        s.warnings
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("1 of 6 samples have no entropy_after")),
        "{:?}",
        s.warnings
    );
    // The kept detail carries the values after the step.
    let d = r.detail();
    let t = d
        .iter()
        .find(|t| t.step == 0 && t.sample == 1 && t.position == 0)
        .unwrap();
    assert_eq!((t.entropy_after, t.logprob_after), (2.25, -1.1));
}

#[test]
fn scatter_statistics() {
    let r = read(&[("t/run.jsonl", run().as_bytes())]).unwrap();
    let c = r.same_context();
    // Points: step 0's six tokens with both values (A = 0 included: predicted 0),
    // step 1's one token (no S̄: plotted at its token term).
    assert_eq!(c.overall.n, 7);
    assert_eq!(
        c.steps.iter().map(|s| (s.0, s.1.n)).collect::<Vec<_>>(),
        vec![(0, 6), (1, 1)]
    );
    // Signed points: step 0's four agree (PG polarity), step 1's token term disagrees.
    assert_eq!(c.overall.n_signed, 5);
    close(c.overall.agreement, 0.8, "overall agreement");
    assert!(c.steps[1].1.pearson.is_nan(), "one point: no correlation");
}

#[test]
fn stats_by_hand() {
    // y = −x on three points, one zero: Pearson −1, Spearman −1, no agreement.
    let s = stats(&[1.0, 2.0, 0.0, f64::NAN], &[-1.0, -2.0, 0.0, 5.0]);
    assert_eq!((s.n, s.n_signed), (3, 2));
    close(s.pearson, -1.0, "pearson");
    close(s.spearman, -1.0, "spearman");
    close(s.agreement, 0.0, "agreement");
    // x = [1,2,3,4], y = [1,3,2,4]: Σdxdy = 4, Σdx² = Σdy² = 5 → 0.8; ranks equal the values.
    let s = stats(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]);
    close(s.pearson, 0.8, "pearson");
    close(s.spearman, 0.8, "spearman");
    close(s.agreement, 1.0, "agreement");
    assert!(stats(&[0.0], &[1.0]).agreement.is_nan());
}

fn fails(text: &str) -> RunError {
    match read(&[("t/run.jsonl", text.as_bytes())]) {
        Err(e) => e,
        Ok(_) => panic!("expected an error"),
    }
}

fn expect(e: &RunError, code: &str, line: u64, field: &str) {
    assert_eq!(
        (e.code, e.file.as_str(), e.line, e.field.as_deref()),
        (code, "t/run.jsonl", Some(line), Some(field)),
        "{e}"
    );
    assert!(
        e.to_string().starts_with(&format!("t/run.jsonl:{line}: ")),
        "{e}"
    );
}

#[test]
fn refusals_name_file_line_and_field() {
    let ok = line(
        0,
        0,
        r#""logprob":[-0.5],"entropy":[1.0],"advantage":1,"entropy_after":[1.1]"#,
    );
    // (the second line's extra field, the code, the field named)
    for (extra, want, field) in [
        (r#""entropy_after":[1]"#, code::LENGTHS, "entropy_after"),
        (
            r#""logprob_after":[-1,-1,-1]"#,
            code::LENGTHS,
            "logprob_after",
        ),
        (
            r#""entropy_after":[1,"x"]"#,
            code::FIELD_TYPE,
            "entropy_after[1]",
        ),
        (
            r#""entropy_after":[1,-0.5]"#,
            code::ENTROPY_NEGATIVE,
            "entropy_after[1]",
        ),
        (
            r#""logprob_after":[0.5,-1]"#,
            code::LOGPROB_POSITIVE,
            "logprob_after[0]",
        ),
    ] {
        let bad = line(
            0,
            1,
            &format!(r#""logprob":[-0.5,-1],"entropy":[1,1],"advantage":1,{extra}"#),
        );
        expect(&fails(&format!("{ok}\n{bad}\n")), want, 2, field);
    }
    // Rounding-sized excursions are read as 0.
    let r = read(&[(
        "t/run.jsonl",
        line(0, 0, r#""logprob":[-0.5],"entropy":[1.0],"advantage":1,"entropy_after":[-1e-7],"logprob_after":[1e-7]"#).as_bytes(),
    )])
    .unwrap();
    let t = &r.detail()[0];
    assert_eq!((t.entropy_after, t.logprob_after), (0.0, 0.0));
}

use crate::support::trace_safetensors as st;

fn safetensors_trace(after_dtype: st::Dtype, after_len: usize) -> Vec<u8> {
    use st::{le64, lef, Dtype};
    let after = match after_dtype {
        Dtype::F32 => lef(&[0.75, f32::NAN, 2.5][..after_len]),
        _ => le64(&[1, 2, 3][..after_len]),
    };
    st::trace(&[
        ("step", Dtype::I64, 3, le64(&[0, 0, 0])),
        ("sample", Dtype::I64, 3, le64(&[0, 0, 1])),
        ("logprob", Dtype::F32, 3, lef(&[-0.5, -2.0, -1.0])),
        ("entropy", Dtype::F32, 3, lef(&[1.0, 1.5, 2.0])),
        ("advantage", Dtype::F32, 3, lef(&[1.0, 1.0, -1.0])),
        ("entropy_after", after_dtype, after_len, after),
    ])
}

#[test]
fn safetensors_entropy_after() {
    use st::Dtype;
    let bytes = safetensors_trace(Dtype::F32, 3);
    let r = read(&[("t/run.safetensors", &bytes)]).unwrap();
    let row = &r.steps().rows[0];
    // ΔH: 0.75 − 1 (NaN after: left out), 2.5 − 2.
    close(
        row.realised_dh_same,
        (-0.25 + 0.5) / 2.0,
        "realised_dh_same",
    );
    // Token terms: −p(H + ℓ) = −e^−0.5·0.5 < 0 with ΔH < 0 (agree); A = −1:
    // +e^−1·1 > 0 with ΔH > 0 (agree).
    close(row.agree_token_term, 1.0, "agree_token_term");
    assert!(row.agree_pg_polarity.is_nan(), "no S̄ tensor");
    for (dtype, len, code) in [
        (Dtype::I64, 3, code::SAFETENSORS),
        (Dtype::F32, 2, code::LENGTHS),
    ] {
        let bytes = safetensors_trace(dtype, len);
        let e = match read(&[("t/run.safetensors", &bytes)]) {
            Err(e) => e,
            Ok(_) => panic!("expected an error for {dtype:?} × {len}"),
        };
        assert_eq!(
            (e.code, e.file.as_str(), e.field.as_deref()),
            (code, "t/run.safetensors", Some("entropy_after")),
            "{e}"
        );
    }
}
