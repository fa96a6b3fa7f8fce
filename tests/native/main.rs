//! The native tests, one test binary (linked once instead of once per file).
//! Run one area with `cargo test --test native <module>::`, e.g.
//! `cargo test --test native run_formats::`; the shared helpers are in
//! `support/`.
//!
//! Most modules are native only (`#![cfg(not(target_arch = "wasm32"))]` at
//! their top). Two also build for wasm32, where their tests run as
//! wasm-bindgen tests in Node: `rows` (the simd128 kernel against the f64
//! path) and `simulate_wasm` (wasm only: same seed, same run as natively).
//! The browser tier is the separate binary tests/web.rs, because
//! `wasm_bindgen_test_configure!(run_in_browser)` applies to a whole binary.

mod support;

mod accuracy;
mod bars;
mod explorer;
mod figures;
mod lesson;
mod properties;
mod rows;
mod run_csv;
mod run_errors;
mod run_evidence;
mod run_examples;
mod run_formats;
mod run_fuzz;
mod run_hostile;
mod run_lab;
mod run_prime_traces;
mod run_same_context;
mod run_tape;
mod run_tokenizer;
mod run_writer;
mod sampling;
mod series;
mod simulate;
mod simulate_strategies;
mod simulate_trace;
mod simulate_wasm;
mod slice_formats;
mod slice_fuzz;
