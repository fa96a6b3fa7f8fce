//! The training-run reader on arbitrary bytes: none may panic, and the split
//! into pushes must not change the result. The first byte picks the file name
//! and the chunk size; seed the corpus with www/examples/runs/** (see the
//! command in fuzz/Cargo.toml).
#![no_main]

use entropy_polarity::math::run::csv::parse_steps;
use entropy_polarity::math::run::tokenizer::Tokenizer;
use entropy_polarity::math::run::{RunOptions, RunReader};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = [
    "token_exports/step_3/rank_0.jsonl",
    "train_data_step2.jsonl",
    "board.jsonl",
    "run.jsonl",
    "run.safetensors",
];

fn read(name: &str, data: &[u8], chunk: usize) -> String {
    let opts = RunOptions { samples_per_step: 2, extremes: 3, max_sample_tokens: 64 };
    let mut r = RunReader::new(opts);
    let res = r.begin_file(name).and_then(|_| {
        for c in data.chunks(chunk.max(1)) {
            r.push(c)?;
        }
        r.end_file()
    });
    match res {
        Ok(_) => {
            let _ = r.detail();
            format!("{:?}", r.steps())
        }
        Err(e) => format!("{}:{:?}", e.code, e.line),
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&flags, data)) = input.split_first() else {
        return;
    };
    let name = NAMES[(flags % 5) as usize];
    let chunk = 1 + (flags >> 3) as usize;
    assert_eq!(read(name, data, data.len().max(1)), read(name, data, chunk));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_steps(text);
        if let Ok(t) = Tokenizer::from_json(text) {
            let ids: Vec<u32> = data.iter().map(|&b| b as u32).collect();
            assert_eq!(t.decode_tokens(&ids).concat(), t.decode_text(&ids));
        }
    }
});
