//! No input makes the run reader panic, and the way bytes are split into
//! pushes never changes the result: random bytes, format-shaped random lines,
//! and random mutations of the example runs are fed in random chunks. Case
//! counts are modest so this runs in seconds; raise PROPTEST_CASES for more.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::csv::{parse_steps, write_steps};
use entropy_polarity::math::run::tokenizer::Tokenizer;
use entropy_polarity::math::run::{RunOptions, RunReader, StepRow};
use proptest::prelude::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLES: [&str; 6] = [
    "www/examples/runs/prime-rl/token_exports/step_1/rank_0.jsonl",
    "www/examples/runs/nemo-rl/train_data_step2.jsonl",
    "www/examples/runs/openrlhf/board.jsonl",
    "www/examples/runs/trace/run.jsonl",
    "www/examples/runs/trace/run.safetensors",
    "tests/fixtures/run_examples_expected.json",
];
const NAMES: [&str; 7] = [
    "token_exports/step_3/rank_0.jsonl",
    "train_data_step2.jsonl",
    "board.jsonl",
    "run.jsonl",
    "run.safetensors",
    "a.csv",
    "a.npy",
];

use crate::support::proptest_config::config;

fn example(i: usize) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/{}", EXAMPLES[i % EXAMPLES.len()])).unwrap()
}

/// Reads one file pushed at the given cut points; checks what a result
/// must satisfy and returns the steps (or the error's code and line).
fn feed(name: &str, bytes: &[u8], cuts: &[usize]) -> Result<Vec<StepRow>, (String, Option<u64>)> {
    let mut r = RunReader::new(RunOptions {
        samples_per_step: 2,
        extremes: 3,
        max_sample_tokens: 50,
    });
    let go = |r: &mut RunReader| -> Result<(), entropy_polarity::math::run::RunError> {
        r.begin_file(name)?;
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort();
        let mut at = 0;
        for c in cuts.into_iter().chain([bytes.len()]) {
            r.push(&bytes[at..c])?;
            at = c;
        }
        r.end_file()?;
        Ok(())
    };
    if let Err(e) = go(&mut r) {
        assert!(!e.message.is_empty() && !e.code.is_empty());
        assert_eq!(e.file, name, "{e}");
        return Err((e.code.to_string(), e.line));
    }
    let steps = r.steps().rows;
    for w in steps.windows(2) {
        assert!(w[0].step < w[1].step);
    }
    for s in &steps {
        assert!(s.samples <= s.tokens && s.tokens >= 0.0);
        let shares = [
            s.share_pos_expand,
            s.share_pos_contract,
            s.share_neg_expand,
            s.share_neg_contract,
        ];
        if shares.iter().all(|x| x.is_finite()) {
            assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert!(s.mean_entropy.is_nan() || s.mean_entropy >= 0.0);
        assert!(s.mean_prob.is_nan() || (0.0..=1.0).contains(&s.mean_prob));
    }
    // The CSV of any result reads back to the same numbers.
    let back = parse_steps(&write_steps(&steps)).unwrap();
    assert_eq!(format!("{back:?}"), format!("{steps:?}"));
    let d = r.detail();
    assert!(d.iter().all(|t| t.position < 1 << 20));
    let _ = r.summary();
    Ok(steps)
}

fn json_token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just("\"".to_string()),
        (-1e3f64..1e3).prop_map(|x| format!("{x}")),
        "[a-z_]{1,12}".prop_map(|s| format!("\"{s}\":")),
        prop::sample::select(vec![
            "\"trace\":\"entropy-polarity\",",
            "\"version\":1,",
            "\"step\":",
            "\"sample\":",
            "\"logprob\":",
            "\"entropy\":",
            "\"advantage\":",
            "\"mask\":",
            "\"trainer_logprobs\":",
            "\"loss_mask\":",
            "\"prev_logprobs\":",
            "\"token_loss_mask\":",
            "\"response_tokens\":",
            "\"logprobs\":",
            "{",
            "}",
            "\n",
            "[[",
            "]]",
            "1e400",
            "-0",
            "\u{feff}",
        ])
        .prop_map(str::to_string),
    ]
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600), name in 0usize..7, cuts in prop::collection::vec(any::<usize>(), 0..5)) {
        let _ = feed(NAMES[name], &bytes, &cuts);
    }

    #[test]
    fn format_shaped_lines(tokens in prop::collection::vec(json_token(), 0..80), name in 0usize..5, cuts in prop::collection::vec(any::<usize>(), 0..5)) {
        let text: String = tokens.concat();
        let _ = feed(NAMES[name], text.as_bytes(), &cuts);
        let _ = parse_steps(&text);
        let _ = Tokenizer::from_json(&text);
    }

    #[test]
    fn mutated_examples(i in 0usize..6, edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..6), cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        let mut bytes = example(i);
        for (at, b, kind) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = b,
                1 => bytes.insert(at, b),
                _ => bytes.truncate(at.max(1)),
            }
        }
        let _ = feed(EXAMPLES[i % 6].rsplit('/').next().unwrap(), &bytes, &cuts);
    }

    /// The split into pushes never matters: same steps (bit for bit) or the
    /// same error at the same line.
    #[test]
    fn any_split_same_result(i in 0usize..5, cuts in prop::collection::vec(any::<usize>(), 1..8), flip in prop::option::of((any::<usize>(), any::<u8>()))) {
        let mut bytes = example(i);
        if let Some((at, b)) = flip {
            let n = bytes.len();
            bytes[at % n] = b;
        }
        let name = EXAMPLES[i].trim_start_matches("www/examples/runs/");
        let whole = feed(name, &bytes, &[]);
        let split = feed(name, &bytes, &cuts);
        prop_assert_eq!(format!("{whole:?}"), format!("{split:?}"));
    }

    #[test]
    fn tokenizer_decodes_any_ids(ids in prop::collection::vec(0u32..40, 0..30)) {
        let t = Tokenizer::from_json(r#"{"model":{"vocab":{"Ã":0,"©":1,"Ġa":2,"<0xE2>":3,"<0x82>":4,"b":5}},"decoder":{"type":"ByteLevel"}}"#).unwrap();
        let each = t.decode_tokens(&ids);
        prop_assert_eq!(each.len(), ids.len());
        prop_assert_eq!(each.concat(), t.decode_text(&ids));
    }
}

/// A bad line is named by its number, wherever it is and however the file is split.
#[test]
fn bad_line_number_survives_any_split() {
    let good = std::fs::read_to_string(format!("{ROOT}/{}", EXAMPLES[3])).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    for k in [0, 1, lines.len() / 2, lines.len() - 1] {
        let mut l = lines.clone();
        l.insert(k, "{\"trace\": nope}");
        let text = l.join("\n");
        for cuts in [vec![], vec![1, 2, 3], vec![text.len() / 3, text.len() / 2]] {
            let e = feed("run.jsonl", text.as_bytes(), &cuts).unwrap_err();
            assert_eq!(e, ("not-json".to_string(), Some(k as u64 + 1)));
        }
    }
}

/// The hostile inputs of issue 19's sweep, kept as cargo-fuzz seeds in
/// fuzz/seeds/run_parsers (written by tests/fixtures/make_hostile_runs.py;
/// first byte: the file name, as in the fuzz target): answered without a
/// panic, the same whatever the split.
#[test]
fn hostile_seeds_are_answered_alike_in_any_split() {
    const FUZZ_NAMES: [&str; 5] = [
        "token_exports/step_3/rank_0.jsonl",
        "train_data_step2.jsonl",
        "board.jsonl",
        "run.jsonl",
        "run.safetensors",
    ];
    let dir = format!("{ROOT}/fuzz/seeds/run_parsers");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let b = std::fs::read(e.unwrap().path()).unwrap();
        let (&flag, rest) = b.split_first().unwrap();
        let name = FUZZ_NAMES[flag as usize % 5];
        // Compared as text: NaN cells are equal there.
        let whole = format!("{:?}", feed(name, rest, &[]));
        let split = format!("{:?}", feed(name, rest, &[1, 7, 9, 100, 4099]));
        assert_eq!(whole, split, "{name}");
        n += 1;
    }
    assert!(n >= 26, "the hostile seeds are in {dir}");
}
