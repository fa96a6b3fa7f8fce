//! The one wasm-bindgen layer: converts JavaScript values to core types and
//! core errors to JavaScript `Error`s, by the convention written down in
//! [`convert`] (read it before adding an export). No math lives here.
//! One file per job: `distribution.rs` (the `Distribution` class), `chart.rs`
//! (its chart), `explorer.rs` (a slice row's bars), `rows.rs`, `slice.rs`,
//! `run.rs`, `steps.rs` (per-step columns) and `simulate.rs`; the pages'
//! arithmetic in `lesson.rs`, `bars.rs`, `figures.rs` and `series.rs`; each
//! TypeScript interface sits beside its export.

mod bars;
mod chart;
mod convert;
mod distribution;
mod explorer;
mod figures;
mod lesson;
mod measure;
mod rows;
mod run;
mod series;
mod simulate;
mod slice;
mod steps;

use wasm_bindgen::prelude::*;

// TypeScript shapes of the plain objects that cross the boundary, written
// into pkg/entropy_polarity.d.ts next to the generated signatures (exports
// name them with `unchecked_return_type` / `unchecked_param_type`). Each
// export's own shapes are declared in its file; this one is shared.
#[wasm_bindgen(typescript_custom_section)]
const ERROR_TYPES: &str = r#"
/** Every export throws a plain Error with these properties (docs/contract.md, "Errors"). */
export interface EntropyPolarityError extends Error {
  /** A short stable name: "type", "range", "unknown-option", "canvas", "empty", "not-a-number", … */
  code: string;
  /** The argument or option at fault, when one is. */
  field?: string | null;
}
"#;

#[wasm_bindgen(start)]
fn start() {
    // A panic is a bug: show it in the console with its message.
    console_error_panic_hook::set_once();
}
