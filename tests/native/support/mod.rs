//! Helpers shared by the test modules (and `splitmix` by bench/rows.rs).

#[cfg(not(target_arch = "wasm32"))]
pub mod csum;
#[cfg(not(target_arch = "wasm32"))]
pub mod proptest_config;
pub mod simulate_fixture;
pub mod splitmix;
#[cfg(not(target_arch = "wasm32"))]
pub mod trace_safetensors;
