//! The per-step columns across the boundary, both ways: `RunSteps` (one
//! Float64Array per column, as `RunReader.steps()` and `parseStepsCsv` give
//! them) to the core's `StepRow`s and back, and `writeStepsCsv`, the core's
//! CSV writer for steps held in JavaScript (the runs page's download).

use super::convert::{code, Error};
use crate::math::run::csv::write_steps;
use crate::math::run::StepRow;
use js_sys::{Float64Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A field of `StepRow`.
type Field = fn(&mut StepRow) -> &mut f64;

/// Each column's name in `RunSteps` and its field of `StepRow`, in the
/// order of the CSV header (docs/trace-format.md).
const STEP_COLUMNS: [(&str, Field); 15] = [
    ("step", |r| &mut r.step),
    ("samples", |r| &mut r.samples),
    ("tokens", |r| &mut r.tokens),
    ("meanEntropy", |r| &mut r.mean_entropy),
    ("meanProb", |r| &mut r.mean_prob),
    ("tokenTerm", |r| &mut r.token_term),
    ("sharePosExpand", |r| &mut r.share_pos_expand),
    ("sharePosContract", |r| &mut r.share_pos_contract),
    ("shareNegExpand", |r| &mut r.share_neg_expand),
    ("shareNegContract", |r| &mut r.share_neg_contract),
    ("pgPolarity", |r| &mut r.pg_polarity),
    ("realisedDh", |r| &mut r.realised_dh),
    ("realisedDhSame", |r| &mut r.realised_dh_same),
    ("agreeTokenTerm", |r| &mut r.agree_token_term),
    ("agreePgPolarity", |r| &mut r.agree_pg_polarity),
];

/// `RunSteps` as the core's rows: one row per entry of `steps.step`; a
/// column that is absent, or shorter, reads as NaN (an empty cell); one
/// that is there but not a Float64Array is an error naming it. `what`
/// names the export in messages.
pub(super) fn step_rows(steps: &JsValue, what: &str) -> Result<Vec<StepRow>, Error> {
    let mut rows: Vec<StepRow> = Vec::new();
    for (name, field) in STEP_COLUMNS {
        let v = Reflect::get(steps, &name.into()).unwrap_or(JsValue::UNDEFINED);
        if v.is_undefined() && name != "step" {
            rows.iter_mut().for_each(|r| *field(r) = f64::NAN);
            continue;
        }
        let column = v.dyn_into::<Float64Array>().map_err(|_| {
            Error::new(
                code::TYPE,
                format!("{what}: steps.{name} is not a Float64Array"),
            )
            .field(name)
        })?;
        if name == "step" {
            rows = vec![StepRow::default(); column.length() as usize];
        }
        let values = column.to_vec();
        for (i, r) in rows.iter_mut().enumerate() {
            *field(r) = values.get(i).copied().unwrap_or(f64::NAN);
        }
    }
    Ok(rows)
}

/// `RunSteps` from the core's rows.
pub(super) fn steps_js(rows: &[StepRow]) -> JsValue {
    let mut rows = rows.to_vec();
    let pairs: Vec<(&str, JsValue)> = STEP_COLUMNS
        .iter()
        .map(|&(name, field)| {
            let v: Vec<f64> = rows.iter_mut().map(|r| *field(r)).collect();
            (name, Float64Array::from(&v[..]).into())
        })
        .collect();
    super::convert::object(&pairs)
}

/// `writeStepsCsv(steps)`: the per-step CSV of `RunSteps` (the core's
/// writer, as `RunReader.stepsCsv()`: the export-steps header, shortest
/// round-trip numbers, NaN as an empty cell).
#[wasm_bindgen(js_name = writeStepsCsv)]
pub fn write_steps_csv(
    #[wasm_bindgen(unchecked_param_type = "RunSteps")] steps: &JsValue,
) -> Result<String, Error> {
    Ok(write_steps(&step_rows(steps, "writeStepsCsv")?))
}
