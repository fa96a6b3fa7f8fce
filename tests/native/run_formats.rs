//! Each run format read through the streaming reader, against per-step values
//! worked out by hand here (p = e^ℓ, S = p (H + ℓ), token term −A·S, written
//! out term by term; not through the reader's own arithmetic).

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::csv::STEPS_HEADER;
use entropy_polarity::math::run::{Format, RunOptions, RunReader, StepRow};

const LN2: f64 = std::f64::consts::LN_2;

fn read(files: &[(&str, &[u8])], chunk: usize) -> RunReader {
    let mut r = RunReader::new(RunOptions::default());
    for (path, bytes) in files {
        r.begin_file(path).unwrap();
        for c in bytes.chunks(chunk.max(1)) {
            r.push(c).unwrap();
        }
        r.end_file().unwrap();
    }
    r
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-14 * b.abs().max(1e-3),
        "{what}: got {a}, want {b}"
    );
}

fn check(row: &StepRow, want: [f64; 12]) {
    let got = row.cells();
    for k in 0..12 {
        close(
            got[k],
            want[k],
            &format!("step {} {}", row.step, STEPS_HEADER[k]),
        );
    }
}

const NAN: f64 = f64::NAN;

#[test]
fn prime_rl() {
    // Step 1, line 1: a context token (loss_mask false), two counted tokens,
    // one with a null trainer logprob (not counted).
    let l1 = format!(
        r#"{{"schema_version":1,"step":1,"rank":0,"micro_step":0,"env_name":"math","token_ids":[10,11,12,13],"position_ids":[0,1,2,3],"loss_mask":[false,true,true,true],"advantages":[0,1.0,1.0,1.0],"inference_logprobs":[0,-0.7,-1.4,-0.1],"trainer_logprobs":[0,{},{},null],"entropy":[0,1.0,1.0,0.5],"is_masked":[false,false,false,false],"mismatch_kl":[0,0,0,0],"prob_delta":[null,0,0,0]}}"#,
        (0.5f64).ln(),
        (0.25f64).ln()
    );
    // Line 2: negative advantage; the second token is trust-region masked.
    let l2 = format!(
        r#"{{"schema_version":1,"step":1,"rank":0,"env_name":null,"token_ids":[20,21],"loss_mask":[true,true],"advantages":[-0.5,-0.5],"trainer_logprobs":[{},{}],"entropy":[0.3,0.3],"is_masked":[false,true]}}"#,
        (0.9f64).ln(),
        (0.1f64).ln()
    );
    // Step 2 (step from the field; the directory agrees).
    let l3 = format!(
        r#"{{"schema_version":1,"step":2,"token_ids":[5],"loss_mask":[true],"advantages":[2.0],"trainer_logprobs":[{}],"entropy":[0.7],"is_masked":null}}"#,
        (0.6f64).ln()
    );
    let f1 = format!("{l1}\n{l2}\n");
    let f2 = l3.clone(); // no final newline
    for chunk in [1, 7, 1 << 20] {
        let r = read(
            &[
                ("run/token_exports/step_1/rank_0.jsonl", f1.as_bytes()),
                ("run/token_exports/step_2/rank_0.jsonl", f2.as_bytes()),
            ],
            chunk,
        );
        let s = r.summary();
        assert_eq!(s.format, Some(Format::PrimeRl));
        assert_eq!((s.files, s.samples, s.tokens, s.counted), (2, 3, 7, 4));
        assert_eq!(s.missing, vec!["mean_discriminator"]);
        let steps = r.steps().rows;
        assert_eq!(steps.len(), 2);
        // Hand values: S = p (H + ln p).
        let s_a = 0.5 * (1.0 - LN2); // A = 1  → term −S_a < 0: pos_contract
        let s_b = 0.25 * (1.0 - 2.0 * LN2); // A = 1 → term −S_b > 0: pos_expand
        let s_c = 0.9 * (0.3 + 0.9f64.ln()); // A = −0.5 → term 0.5 S_c > 0: neg_expand
        let h1 = (1.0 + 1.0 + 0.3) / 3.0;
        check(
            &steps[0],
            [
                1.0,
                2.0,
                3.0,
                h1,
                (0.5 + 0.25 + 0.9) / 3.0,
                (-s_a - s_b + 0.5 * s_c) / 3.0,
                1.0 / 3.0,
                1.0 / 3.0,
                1.0 / 3.0,
                0.0,
                NAN,
                0.7 - h1,
            ],
        );
        let s_d = 0.6 * (0.7 + 0.6f64.ln());
        check(
            &steps[1],
            [
                2.0,
                1.0,
                1.0,
                0.7,
                0.6,
                -2.0 * s_d,
                0.0,
                1.0,
                0.0,
                0.0,
                NAN,
                NAN,
            ],
        );
        // Detail: both samples of step 1 whole (mask-on tokens), env kept.
        let d = r.detail();
        let whole: Vec<_> = d.iter().filter(|t| t.whole && t.step == 1).collect();
        // Mask-on tokens only: the trust-region masked one is left out.
        assert_eq!(whole.len(), 4);
        assert_eq!(whole[0].env_name.as_deref(), Some("math"));
        assert_eq!(
            (whole[0].position, whole[0].token_id, whole[0].line),
            (1, 11.0, 1)
        );
        assert!(!whole[2].counted, "null logprob is kept but not counted");
    }
}

#[test]
fn trace_jsonl_with_mean_discriminator() {
    // Per-token advantage on sample 0, one advantage for sample 1; a masked token.
    let lines = [
        format!(
            r#"{{"trace":"entropy-polarity","version":1,"step":0,"sample":0,"token_id":[1,2],"logprob":[{},{}],"entropy":[1.2,0.4],"mean_discriminator":[0.05,0.02],"advantage":[1,-1],"mask":[true,true],"text":["a","b"]}}"#,
            0.3f64.ln(),
            0.8f64.ln()
        ),
        format!(
            r#"{{"trace":"entropy-polarity","version":1,"step":0,"sample":1,"token_id":[3,4],"logprob":[{},-5],"entropy":[2.0,9],"mean_discriminator":[0.1,null],"advantage":0.5,"mask":[true,false],"env_name":"code"}}"#,
            0.05f64.ln()
        ),
        format!(
            r#"{{"trace":"entropy-polarity","version":1,"step":1,"sample":0,"token_id":[9],"logprob":[{}],"entropy":[1.0],"mean_discriminator":[0.07],"advantage":[-2]}}"#,
            0.5f64.ln()
        ),
    ];
    let text = lines.join("\r\n") + "\r\n";
    let r = read(&[("trace/run.jsonl", text.as_bytes())], 5);
    let steps = r.steps().rows;
    let s1 = 0.3 * (1.2 + 0.3f64.ln());
    let s2 = 0.8 * (0.4 + 0.8f64.ln());
    let s3 = 0.05 * (2.0 + 0.05f64.ln());
    let tt = [-s1, s2, -0.5 * s3];
    let pg = [0.05 - s1, -(0.02 - s2), 0.5 * (0.1 - s3)];
    let signs: Vec<(bool, bool)> = [(1.0, tt[0]), (-1.0, tt[1]), (0.5, tt[2])]
        .iter()
        .map(|&(a, t): &(f64, f64)| (a > 0.0, t > 0.0))
        .collect();
    let share = |a: bool, e: bool| signs.iter().filter(|&&s| s == (a, e)).count() as f64 / 3.0;
    let h0 = (1.2 + 0.4 + 2.0) / 3.0;
    check(
        &steps[0],
        [
            0.0,
            2.0,
            3.0,
            h0,
            (0.3 + 0.8 + 0.05) / 3.0,
            (tt[0] + tt[1] + tt[2]) / 3.0,
            share(true, true),
            share(true, false),
            share(false, true),
            share(false, false),
            (pg[0] + pg[1] + pg[2]) / 3.0,
            1.0 - h0,
        ],
    );
    let s4 = 0.5 * (1.0 + 0.5f64.ln()); // > 0, A = −2: the token term 2 S₄ expands
    check(
        &steps[1],
        [
            1.0,
            1.0,
            1.0,
            1.0,
            0.5,
            2.0 * s4,
            0.0,
            0.0,
            1.0,
            0.0,
            -2.0 * (0.07 - s4),
            NAN,
        ],
    );
    let s = r.summary();
    assert!(s.has_entropy && s.has_mean_discriminator && s.has_advantages);
    assert!(s.missing.is_empty());
    let d = r.detail();
    assert_eq!(d[0].text.as_deref(), Some("a"));
    assert_eq!(
        d.iter()
            .find(|t| t.sample == 1)
            .unwrap()
            .env_name
            .as_deref(),
        Some("code")
    );
}

#[test]
fn nemo_rl_extra_list_level_and_masks() {
    let lines = [
        format!(
            r#"{{"content":["x"],"token_ids":[[1,2,3,4]],"token_loss_mask":[[0,1,1,1]],"advantages":[[0,0.5,0.5,0.5]],"generation_logprobs":[[0,-1,-1,-1]],"prev_logprobs":[[0,{},{},-0.1]],"input_lengths":[3],"sample_loss_mask":[1.0]}}"#,
            0.5f64.ln(),
            0.25f64.ln()
        ),
        // Sample mask off: nothing counts.
        r#"{"token_ids":[[1]],"token_loss_mask":[[1]],"advantages":[[1]],"prev_logprobs":[[-0.2]],"input_lengths":[1],"sample_loss_mask":[0.0]}"#.to_string(),
    ];
    let text = lines.join("\n");
    let r = read(
        &[("logs/exp_001/train_data_step3.jsonl", text.as_bytes())],
        3,
    );
    let steps = r.steps().rows;
    check(
        &steps[0],
        [3.0, 1.0, 2.0, NAN, 0.375, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    );
    let s = r.summary();
    assert_eq!(s.format, Some(Format::NemoRl));
    assert_eq!(s.missing, vec!["entropy", "mean_discriminator"]);
}

#[test]
fn openrlhf_board() {
    let text = format!(
        "{{\"step\":5,\"response_tokens\":[\"He\",\"llo\"],\"logprobs\":[{},{}],\"ref_logprobs\":[-1,-1],\"values\":[0,0],\"token_rewards\":[0,1],\"reward\":1.0}}\n{{\"step\":6,\"response_tokens\":[\"x\"],\"logprobs\":[{}],\"ref_logprobs\":[-1],\"values\":[0],\"token_rewards\":[0],\"reward\":0}}\n",
        0.5f64.ln(),
        0.2f64.ln(),
        0.9f64.ln()
    );
    let r = read(&[("openrlhf/board.jsonl", text.as_bytes())], 11);
    let steps = r.steps().rows;
    check(
        &steps[0],
        [5.0, 1.0, 2.0, NAN, 0.35, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    );
    check(
        &steps[1],
        [6.0, 1.0, 1.0, NAN, 0.9, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    );
    assert_eq!(r.detail()[1].text.as_deref(), Some("llo"));
    assert_eq!(
        r.summary().missing,
        vec!["entropy", "mean_discriminator", "advantage"]
    );
}

use crate::support::trace_safetensors as st;

/// A safetensors trace: two samples of step 4, then one of step 5.
pub fn trace_safetensors() -> Vec<u8> {
    use st::{le64, lef, Dtype};
    st::trace(&[
        ("step", Dtype::I64, 4, le64(&[4, 4, 4, 5])),
        ("sample", Dtype::I64, 4, le64(&[0, 0, 1, 0])),
        ("token_id", Dtype::I64, 4, le64(&[7, 8, 9, 10])),
        ("logprob", Dtype::F32, 4, lef(&[-0.5, -2.0, -0.25, -1.0])),
        ("entropy", Dtype::F32, 4, lef(&[1.0, 1.5, 0.5, 2.0])),
        ("advantage", Dtype::F32, 4, lef(&[1.0, 1.0, -1.0, 0.5])),
        ("mask", Dtype::U8, 4, vec![1u8, 1, 1, 0]),
    ])
}

#[test]
fn trace_safetensors_variant() {
    let bytes = trace_safetensors();
    let r = read(&[("trace/run.safetensors", &bytes)], 13);
    assert_eq!(r.summary().format, Some(Format::TraceSafetensors));
    let steps = r.steps().rows;
    // f32 values that are exact: -0.5, -2, -0.25, 1, 1.5, 0.5.
    let s = |l: f64, h: f64| l.exp() * (h + l);
    let tt = [-s(-0.5, 1.0), -s(-2.0, 1.5), s(-0.25, 0.5)];
    let signs = [
        (true, tt[0] > 0.0),
        (true, tt[1] > 0.0),
        (false, tt[2] > 0.0),
    ];
    let share = |a: bool, e: bool| signs.iter().filter(|&&x| x == (a, e)).count() as f64 / 3.0;
    check(
        &steps[0],
        [
            4.0,
            2.0,
            3.0,
            1.0,
            ((-0.5f64).exp() + (-2.0f64).exp() + (-0.25f64).exp()) / 3.0,
            (tt[0] + tt[1] + tt[2]) / 3.0,
            share(true, true),
            share(true, false),
            share(false, true),
            share(false, false),
            NAN,
            NAN, // step 5 has no counted token: its mean entropy is empty
        ],
    );
    check(
        &steps[1],
        [5.0, 0.0, 0.0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    );
}
