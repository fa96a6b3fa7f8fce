//! entropy-polarity: whether a policy-gradient update on a softmax widens or
//! narrows the distribution, and where that sign flips.
//!
//! - [`math`]: the math (pure Rust, no web dependencies);
//! - [`plot`]: the chart, drawn on any plotters backend;
//! - `wasm`: the one wasm-bindgen layer (compiled for wasm32 only).

pub mod math;
pub mod plot;

#[cfg(target_arch = "wasm32")]
mod wasm;
