//! Every refusal names the file, the line and the field, with a stable code.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::{code, RunError, RunOptions, RunReader};

fn read(files: &[(&str, &[u8])]) -> Result<RunReader, RunError> {
    let mut r = RunReader::new(RunOptions::default());
    for (path, bytes) in files {
        r.begin_file(path)?;
        for c in bytes.chunks(4) {
            r.push(c)?;
        }
        r.end_file()?;
    }
    Ok(r)
}

fn fails(files: &[(&str, &[u8])]) -> RunError {
    match read(files) {
        Err(e) => e,
        Ok(_) => panic!("expected an error"),
    }
}

const OK: &str = r#"{"trace":"entropy-polarity","version":1,"step":0,"sample":0,"token_id":[1,2],"logprob":[-0.5,-1],"entropy":[1,1],"advantage":1}"#;

fn trace_line(fields: &str) -> String {
    format!(r#"{{"trace":"entropy-polarity","version":1,"step":0,"sample":1,{fields}}}"#)
}

fn expect(e: &RunError, code: &str, file: &str, line: Option<u64>, field: Option<&str>) {
    assert_eq!(e.code, code, "{e}");
    assert_eq!(e.file, file, "{e}");
    assert_eq!(e.line, line, "{e}");
    assert_eq!(e.field.as_deref(), field, "{e}");
    let shown = e.to_string();
    assert!(shown.starts_with(file), "{shown}");
    if let Some(l) = line {
        assert!(shown.starts_with(&format!("{file}:{l}: ")), "{shown}");
    }
}

#[test]
fn arrays_of_different_lengths_name_both_fields() {
    let bad = trace_line(r#""token_id":[1,2,3],"logprob":[-0.5,-1],"entropy":[1,1],"advantage":1"#);
    let text = format!("{OK}\n{bad}\n");
    let e = fails(&[("t/run.jsonl", text.as_bytes())]);
    expect(&e, code::LENGTHS, "t/run.jsonl", Some(2), Some("token_id"));
    assert!(
        e.message.contains("logprob has 2") && e.message.contains("token_id has 3"),
        "{e}"
    );
}

#[test]
fn a_line_that_is_not_json() {
    let second = OK.replace("\"sample\":0", "\"sample\":1"); // ids are unique in a file
    let text = format!("{OK}\n{second}\n{{\"trace\": oops\n");
    let e = fails(&[("t/run.jsonl", text.as_bytes())]);
    expect(&e, code::NOT_JSON, "t/run.jsonl", Some(3), None);
    // A truncated last line (no newline) is named too.
    let text = format!("{OK}\n{}", &OK[..40]);
    let e = fails(&[("t/run.jsonl", text.as_bytes())]);
    expect(&e, code::NOT_JSON, "t/run.jsonl", Some(2), None);
}

#[test]
fn a_value_of_the_wrong_type_names_its_path() {
    let bad = trace_line(r#""logprob":[-0.5,-1],"entropy":[1,"high"],"advantage":1"#);
    let e = fails(&[("t/run.jsonl", format!("{OK}\n{bad}").as_bytes())]);
    expect(
        &e,
        code::FIELD_TYPE,
        "t/run.jsonl",
        Some(2),
        Some("entropy[1]"),
    );
}

#[test]
fn positive_logprob_beyond_rounding() {
    let bad = trace_line(r#""logprob":[-0.5,0.01],"entropy":[1,1],"advantage":1"#);
    let e = fails(&[("t/run.jsonl", bad.as_bytes())]);
    expect(
        &e,
        code::LOGPROB_POSITIVE,
        "t/run.jsonl",
        Some(1),
        Some("logprob[1]"),
    );
    // Rounding-sized: accepted (clamped to 0, p = 1).
    let ok = trace_line(r#""logprob":[-0.5,1e-9],"entropy":[1,0],"advantage":1"#);
    let r = read(&[("t/run.jsonl", ok.as_bytes())]).unwrap();
    assert_eq!(r.steps().rows[0].tokens, 2.0);
    // prime-rl names its own field.
    let p =
        r#"{"step":1,"loss_mask":[true],"trainer_logprobs":[0.5],"entropy":[1],"advantages":[1]}"#;
    let e = fails(&[("x/step_1/rank_0.jsonl", p.as_bytes())]);
    expect(
        &e,
        code::LOGPROB_POSITIVE,
        "x/step_1/rank_0.jsonl",
        Some(1),
        Some("trainer_logprobs[0]"),
    );
}

#[test]
fn negative_entropy_beyond_rounding() {
    let bad = trace_line(r#""logprob":[-0.5,-1],"entropy":[1,-0.25],"advantage":1"#);
    let e = fails(&[("t/run.jsonl", bad.as_bytes())]);
    expect(
        &e,
        code::ENTROPY_NEGATIVE,
        "t/run.jsonl",
        Some(1),
        Some("entropy[1]"),
    );
    let bad =
        trace_line(r#""logprob":[-0.5],"entropy":[1],"mean_discriminator":[-0.1],"advantage":1"#);
    let e = fails(&[("t/run.jsonl", bad.as_bytes())]);
    expect(
        &e,
        code::MEAN_DISCRIMINATOR_NEGATIVE,
        "t/run.jsonl",
        Some(1),
        Some("mean_discriminator[0]"),
    );
}

#[test]
fn mixed_schemas_say_which_file_is_which() {
    let p =
        r#"{"step":1,"loss_mask":[true],"trainer_logprobs":[-0.5],"entropy":[1],"advantages":[1]}"#;
    let e = fails(&[
        ("run/step_1/rank_0.jsonl", p.as_bytes()),
        ("other/run.jsonl", OK.as_bytes()),
    ]);
    expect(&e, code::MIXED_FORMATS, "other/run.jsonl", Some(1), None);
    assert!(e.message.contains("other/run.jsonl is trace"), "{e}");
    assert!(
        e.message.contains("run/step_1/rank_0.jsonl is prime-rl"),
        "{e}"
    );
}

#[test]
fn empty_files() {
    let e = fails(&[("t/run.jsonl", b"")]);
    expect(&e, code::EMPTY_FILE, "t/run.jsonl", None, None);
    let e = fails(&[("t/run.jsonl", b"\n  \n\r\n")]);
    expect(&e, code::EMPTY_FILE, "t/run.jsonl", None, None);
}

#[test]
fn logit_slices_point_to_the_logits_panel() {
    let hint = "open it in the Your logits panel";
    let e = fails(&[("slice.npy", b"\x93NUMPY\x01\x00")]);
    expect(&e, code::LOGIT_SLICE, "slice.npy", None, None);
    assert!(e.message.contains(hint));
    // .npy bytes under another name.
    let e = fails(&[("dump.bin", b"\x93NUMPY\x01\x00v\x00{'descr'")]);
    expect(&e, code::LOGIT_SLICE, "dump.bin", None, None);
    // A CSV of logits, a JSON array of logits, a JSON object with logits.
    for (name, text) in [
        ("slice.csv", "1.5,2,-0.5\n0,0,1\n"),
        ("logits.jsonl", "[1.5, 2, -0.5]\n"),
        ("logits.json", "{\"logits\": [[1, 2]], \"tokens\": [0]}\n"),
    ] {
        let e = fails(&[(name, text.as_bytes())]);
        expect(&e, code::LOGIT_SLICE, name, Some(1), None);
        assert!(e.message.contains(hint), "{e}");
    }
    // A safetensors file without our trace metadata.
    let data = [0u8; 8];
    let view =
        safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![2], &data).unwrap();
    let bytes = safetensors::serialize(vec![("logits", view)], None).unwrap();
    let e = fails(&[("slice.safetensors", &bytes)]);
    expect(&e, code::LOGIT_SLICE, "slice.safetensors", None, None);
}

#[test]
fn unknown_json_lines_list_their_fields() {
    let e = fails(&[("x.jsonl", b"{\"prompt\": \"hi\", \"answer\": 3}\n")]);
    expect(&e, code::UNKNOWN_FORMAT, "x.jsonl", Some(1), None);
    assert!(
        e.message.contains("prompt, answer") || e.message.contains("answer, prompt"),
        "{e}"
    );
}

#[test]
fn missing_step_and_version() {
    let e = fails(&[(
        "run.jsonl",
        br#"{"trainer_logprobs":[-1],"entropy":[1],"advantages":[1]}"#,
    )]);
    expect(&e, code::MISSING_FIELD, "run.jsonl", Some(1), Some("step"));
    let e = fails(&[(
        "logs/train_data.jsonl",
        br#"{"token_ids":[[1]],"prev_logprobs":[[-1]],"token_loss_mask":[[1]]}"#,
    )]);
    expect(
        &e,
        code::MISSING_FIELD,
        "logs/train_data.jsonl",
        Some(1),
        Some("step"),
    );
    let e = fails(&[(
        "t.jsonl",
        br#"{"trace":"entropy-polarity","version":2,"step":0,"sample":0,"logprob":[-1]}"#,
    )]);
    expect(&e, code::VERSION, "t.jsonl", Some(1), Some("version"));
}

#[test]
fn calls_out_of_order() {
    let mut r = RunReader::new(RunOptions::default());
    assert_eq!(r.push(b"{}").unwrap_err().code, code::STATE);
    assert_eq!(r.end_file().unwrap_err().code, code::STATE);
    r.begin_file("a.jsonl").unwrap();
    assert_eq!(r.begin_file("b.jsonl").unwrap_err().code, code::STATE);
}
