//! The seed-7 fixture: a small documented configuration and its output as
//! JSON text. Shared by the native test (tests/native/simulate.rs), which writes
//! and checks the file, and the wasm test (tests/native/simulate_wasm.rs), which
//! checks that wasm gives the same text.
//!
//! Compared as text: serde_json writes each number as the shortest decimal
//! that reads back to the same double (JavaScript's JSON.parse reads it
//! exactly, so a browser test can compare with `===`/`Object.is`), while
//! parsing it back here would add a rounding step.

use entropy_polarity::math::simulate::{simulate, Preset, SimOptions, Strategy};
use serde_json::json;

#[allow(dead_code)] // the wasm test reads the file with include_str!
pub const PATH: &str = "tests/fixtures/simulate_seed7.json";

pub fn options() -> SimOptions {
    SimOptions {
        strategy: Strategy::Polarity,
        vocab: Some(8),
        group: 4,
        steps: 12,
        seed: 7,
        lr: 0.5,
        epochs: 3,
        preset: Some(Preset::Noisy),
        ..SimOptions::default()
    }
}

pub fn text() -> String {
    let r = simulate(&options()).unwrap();
    let out = json!({
        "about": "Output of the entropy-polarity core's simulate() for `options` (the JavaScript \
                  option names; everything else at its default), written by tests/native/simulate.rs. \
                  simulate(options) in wasm must give the same numbers bit for bit: the core \
                  uses only IEEE-exact operations.",
        "options": {
            "strategy": "polarity", "vocab": 8, "group": 4, "steps": 12, "seed": 7,
            "lr": 0.5, "epochs": 3, "preset": "noisy"
        },
        "entropy": r.entropy,
        "reward": r.reward,
        "expanding": r.expanding,
        "contracting": r.contracting,
        "expandDh": r.expand_dh,
        "contractDh": r.contract_dh,
        "clippedLow": r.clipped_low,
        "clippedHigh": r.clipped_high,
        "expandWeight": r.expand_weight,
        "shaped": r.shaped,
        "deadShare": r.dead_share,
        "finalProbs": r.final_probs,
    });
    serde_json::to_string_pretty(&out).unwrap() + "\n"
}
