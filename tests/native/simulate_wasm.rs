//! The same seed gives the same run in wasm as natively: the core's output
//! for the seed-7 configuration, computed in wasm, equals the fixture that
//! the native test wrote, as text (so bit for bit).
//!
//! Run with
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  cargo test --target wasm32-unknown-unknown --test native simulate_wasm::`
//! (Node.js by default). Natively this file is empty.
#![cfg(target_arch = "wasm32")]

use crate::support::simulate_fixture as fixture;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn seed7_in_wasm_matches_the_native_fixture() {
    let stored = include_str!("../fixtures/simulate_seed7.json");
    assert_eq!(fixture::text(), stored);
}
