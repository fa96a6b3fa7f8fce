//! The control lab's bindings: `simulate(options)`, the option table
//! `simulateOptions()` (from the core's one declaration, so the page's
//! inputs, limits and link codec derive from it), a step-wise `LabRun` for
//! the worker, the trace download and the scenario grid.
//!
//! Errors follow src/wasm/convert.rs: JS `Error`s with `.code` (stable, e.g.
//! "range") and `.field` (the option at fault, as JavaScript spells it), so
//! the page marks the right input without reading the message.

use super::convert::{self, code, index, object, size, to_f64_vec, unknown_key, Error};
use crate::math::simulate::grid::{self, Cell, GridSpec, RewardCase};
use crate::math::simulate::{
    self as sim, options, options::wrong_type, Kind, SimError, SimOptions, SimResult, Simulation,
    Strategy, Value,
};
use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const LAB_TYPES: &str = r#"
/** One run of the control lab (`simulate`, `LabRun.result`). */
export interface LabResult {
  strategy: string;
  /** steps + 1 values: before the first step, then after each. */
  entropy: Float64Array; reward: Float64Array;
  /** One value per step. */
  expanding: Uint32Array; contracting: Uint32Array;
  expandDh: Float64Array; contractDh: Float64Array; bonusDh: Float64Array;
  clippedLow: Uint32Array; clippedHigh: Uint32Array;
  expandWeight: Float64Array; shaped: Uint32Array; deadShare: Float64Array;
  tokenRewards: Float64Array; initialProbs: Float64Array; finalProbs: Float64Array;
  targetEntropy: number; clipHighUsed: number;
}
/** One row of `simulateOptions()`: the core's one declaration of an option. */
export interface SimulateOption {
  name: string;
  kind: "count" | "number" | "choice" | "vector";
  min: number | null; max: number | null; minOpen: boolean; optional: boolean;
  default: number | string | null; help: string; choices?: string[];
}
/** `gridPlan(spec)`. */
export interface GridPlan { scenarios: string[]; strategies: string[]; seeds: number; runs: number; }
/** `gridSummary(spec, cells)`. */
export interface GridSummary { outcomes: ("pass" | "collapsed" | "slow" | "both")[]; table: string; }
"#;

/// Reads a JavaScript options object through the table.
fn read_options(given: &JsValue) -> Result<SimOptions, Error> {
    let mut o = SimOptions::default();
    if given.is_undefined() || given.is_null() {
        return Ok(o);
    }
    let Some(obj) = given.dyn_ref::<Object>() else {
        return Err(Error::new(
            code::TYPE,
            "simulate options must be an object, such as { strategy: \"pg\", vocab: 100 }.",
        ));
    };
    let table = options();
    for key in Object::keys(obj).iter() {
        let name = key.as_string().unwrap_or_default();
        let Some(spec) = table.iter().find(|s| s.name == name) else {
            return Err(SimError::UnknownOption { name }.into());
        };
        let v = Reflect::get(obj, &key).unwrap_or(JsValue::UNDEFINED);
        let value = if v.is_undefined() || v.is_null() {
            Value::Absent
        } else if let Some(x) = v.as_f64() {
            Value::Number(x)
        } else if let Some(t) = v.as_string() {
            Value::Text(t)
        } else if spec.kind == Kind::Vector {
            let x = to_f64_vec(&v, spec.name).map_err(|e| e.field(spec.name))?;
            Value::Vector(x)
        } else {
            return Err(wrong_type(spec).into());
        };
        o.set(spec.name, value)?;
    }
    Ok(o)
}

fn result_js(r: &SimResult, strategy: Strategy) -> JsValue {
    let f64s = |v: &[f64]| JsValue::from(Float64Array::from(v));
    let u32s = |v: &[u32]| JsValue::from(Uint32Array::from(v));
    object(&[
        ("strategy", JsValue::from_str(strategy.as_str())),
        ("entropy", f64s(&r.entropy)),
        ("reward", f64s(&r.reward)),
        ("expanding", u32s(&r.expanding)),
        ("contracting", u32s(&r.contracting)),
        ("expandDh", f64s(&r.expand_dh)),
        ("contractDh", f64s(&r.contract_dh)),
        ("bonusDh", f64s(&r.bonus_dh)),
        ("clippedLow", u32s(&r.clipped_low)),
        ("clippedHigh", u32s(&r.clipped_high)),
        ("expandWeight", f64s(&r.expand_weight)),
        ("shaped", u32s(&r.shaped)),
        ("deadShare", f64s(&r.dead_share)),
        ("tokenRewards", f64s(&r.token_rewards)),
        ("initialProbs", f64s(&r.initial_probs)),
        ("finalProbs", f64s(&r.final_probs)),
        ("targetEntropy", JsValue::from_f64(r.target_entropy)),
        ("clipHighUsed", JsValue::from_f64(r.clip_high_used)),
    ])
}

/// Runs the control lab's simulation whole. `options` is a plain object (or
/// undefined for all defaults); `simulateOptions()` lists the names.
///
/// Returns `{ strategy, entropy, reward, expanding, contracting, expandDh,
/// contractDh, bonusDh, clippedLow, clippedHigh, expandWeight, shaped,
/// deadShare, tokenRewards, initialProbs, finalProbs, targetEntropy,
/// clipHighUsed }`: `entropy` and `reward` are Float64Arrays of steps + 1
/// values, the per-step arrays have `steps` values (counts as Uint32Array).
#[wasm_bindgen(unchecked_return_type = "LabResult")]
pub fn simulate(options: JsValue) -> Result<JsValue, Error> {
    let o = read_options(&options)?;
    let r = sim::simulate(&o)?;
    Ok(result_js(&r, o.strategy))
}

fn value_js(v: &Value) -> JsValue {
    match v {
        Value::Absent => JsValue::NULL,
        Value::Number(x) => JsValue::from_f64(*x),
        Value::Text(s) => JsValue::from_str(s),
        Value::Vector(x) => Float64Array::from(&x[..]).into(),
    }
}

/// The table of `simulate`'s options, in order: `[{ name, kind ("count" |
/// "number" | "choice" | "vector"), min, max (null when not numeric;
/// max may be Infinity), minOpen, optional, default (null: depends on other
/// options), help, choices (for "choice") }]`.
#[wasm_bindgen(js_name = simulateOptions, unchecked_return_type = "SimulateOption[]")]
pub fn simulate_options() -> JsValue {
    let out = Array::new();
    for s in options() {
        let n = |x: f64| {
            if x.is_nan() {
                JsValue::NULL
            } else {
                JsValue::from_f64(x)
            }
        };
        let mut entries = vec![
            ("name", JsValue::from_str(s.name)),
            ("kind", JsValue::from_str(s.kind.as_str())),
            ("min", n(s.min)),
            ("max", n(s.max)),
            ("minOpen", JsValue::from_bool(s.min_open)),
            ("optional", JsValue::from_bool(s.optional)),
            ("default", value_js(&s.default)),
            ("help", JsValue::from_str(s.help)),
        ];
        if let Kind::Choice(words) = s.kind {
            let a: Array = words.iter().map(|w| JsValue::from_str(w)).collect();
            entries.push(("choices", a.into()));
        }
        out.push(&object(&entries));
    }
    out.into()
}

/// The defaults as `{ name: value }` (null where the default depends on
/// other options, e.g. `correct`: 4, or V − 1 when V ≤ 4). From the table.
#[wasm_bindgen(js_name = simulateDefaults)]
pub fn simulate_defaults() -> JsValue {
    let entries: Vec<_> = options()
        .iter()
        .filter(|s| s.kind != Kind::Vector)
        .map(|s| (s.name, value_js(&s.default)))
        .collect();
    object(&entries)
}

/// A simulation run in slices, for the page's worker: `new LabRun(options,
/// record)`, then `advance(n)` until `done`, then `result()`;
/// `traceJsonl(envName)` when `record` was true.
#[wasm_bindgen]
pub struct LabRun {
    sim: Option<Simulation>,
    strategy: Strategy,
    result: Option<SimResult>,
}

#[wasm_bindgen]
impl LabRun {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, record: Option<bool>) -> Result<LabRun, Error> {
        let o = read_options(&options)?;
        let mut sim = Simulation::new(&o)?;
        if record.unwrap_or(false) {
            sim = sim.record();
        }
        Ok(LabRun {
            sim: Some(sim),
            strategy: o.strategy,
            result: None,
        })
    }

    /// Runs up to `steps` more steps (a whole number ≥ 0); returns the steps
    /// done so far.
    pub fn advance(&mut self, steps: f64) -> Result<u32, Error> {
        let steps = size(steps, "steps")?;
        match &mut self.sim {
            Some(s) => {
                s.advance(steps)?;
                Ok(s.steps_done() as u32)
            }
            None => Err(Error::new("finished", "This run has finished.")),
        }
    }

    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.sim.as_ref().map_or(true, Simulation::is_done)
    }

    /// Work of one step, epochs × (V + G), to size the slices.
    #[wasm_bindgen(getter, js_name = stepCost)]
    pub fn step_cost(&self) -> f64 {
        self.sim.as_ref().map_or(0.0, |s| s.step_cost() as f64)
    }

    fn finished(&mut self) -> &SimResult {
        if let Some(s) = self.sim.take() {
            self.result = Some(s.finish());
        }
        self.result.as_ref().expect("finished")
    }

    /// The run (so far), as `simulate` returns it.
    #[wasm_bindgen(unchecked_return_type = "LabResult")]
    pub fn result(&mut self) -> JsValue {
        let strategy = self.strategy;
        result_js(self.finished(), strategy)
    }

    /// The recorded groups in trace format v1 (JSONL text).
    #[wasm_bindgen(js_name = traceJsonl)]
    pub fn trace_jsonl(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] env_name: JsValue,
    ) -> Result<String, Error> {
        let env_name = convert::string(&env_name, "envName")?;
        Ok(sim::trace::to_jsonl(self.finished(), &env_name))
    }
}

/// The grid as JavaScript gives it; every field optional (defaults: the
/// pinned grid). Unknown keys are refused by `grid_spec` (with the list of
/// known ones) before serde sees the object.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GridJs {
    rewards: Option<Vec<String>>,
    vocab: Option<Vec<usize>>,
    lr: Option<Vec<f64>>,
    epochs: Option<Vec<usize>>,
    clip: Option<Vec<(f64, f64)>>,
    seeds: Option<u64>,
    steps: Option<usize>,
    group: Option<usize>,
    keep: Option<f64>,
    strategies: Option<Vec<String>>,
}

const GRID_KEYS: [&str; 10] = [
    "rewards",
    "vocab",
    "lr",
    "epochs",
    "clip",
    "seeds",
    "steps",
    "group",
    "keep",
    "strategies",
];
/// Runs a grid may hold (scenarios × strategies × seeds).
const MAX_GRID_RUNS: usize = 200_000;

fn grid_spec(v: &JsValue) -> Result<GridSpec, Error> {
    let bad = |m: String, option: &str| Error::new("grid", m).field(option);
    if let Some(obj) = v.dyn_ref::<Object>() {
        if let Some(k) = unknown_key(obj, &GRID_KEYS) {
            return Err(bad(
                format!(
                    "grid: unknown setting \"{k}\"; the settings are {}.",
                    GRID_KEYS.join(", ")
                ),
                &k,
            ));
        }
    }
    let g: GridJs = if v.is_undefined() || v.is_null() {
        GridJs::default()
    } else {
        serde_wasm_bindgen::from_value(v.clone()).map_err(|e| bad(format!("grid: {e}"), "grid"))?
    };
    let d = GridSpec::default();
    let mut spec = GridSpec {
        rewards: d.rewards.clone(),
        vocab: g.vocab.unwrap_or(d.vocab),
        lr: g.lr.unwrap_or(d.lr),
        epochs: g.epochs.unwrap_or(d.epochs),
        clip: g.clip.unwrap_or(d.clip),
        seeds: g.seeds.unwrap_or(d.seeds),
        steps: g.steps.unwrap_or(d.steps),
        group: g.group.unwrap_or(d.group),
        keep: g.keep.unwrap_or(d.keep),
        strategies: d.strategies.clone(),
        base: d.base,
    };
    if let Some(r) = g.rewards {
        spec.rewards = r
            .iter()
            .map(|s| {
                RewardCase::parse(s).ok_or_else(|| {
                    bad(
                        format!(
                            "grid: unknown reward structure \"{s}\"; use one, several, unlikely, noisy, random or explicit."
                        ),
                        "rewards",
                    )
                })
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(s) = g.strategies {
        spec.strategies = s
            .iter()
            .map(|s| Strategy::parse(s).map_err(Error::from))
            .collect::<Result<_, _>>()?;
    }
    if !(0.0..=1.0).contains(&spec.keep) {
        return Err(bad(
            format!("grid: keep = {} must be from 0 to 1.", spec.keep),
            "keep",
        ));
    }
    if !(1..=64).contains(&spec.seeds) {
        return Err(bad(
            format!("grid: seeds = {} must be from 1 to 64.", spec.seeds),
            "seeds",
        ));
    }
    let runs = spec.scenarios().len() * spec.strategies.len() * spec.seeds as usize;
    if runs == 0 || runs > MAX_GRID_RUNS {
        return Err(bad(
            format!("grid: {runs} runs; a grid holds 1 to {MAX_GRID_RUNS} (scenarios × strategies × seeds)."),
            "grid",
        ));
    }
    // Every scenario's options are valid before anything runs.
    for sc in spec.scenarios() {
        for &k in &spec.strategies {
            spec.options(&sc, k, 0).validate()?;
        }
    }
    Ok(spec)
}

/// The grid's scenarios: `{ scenarios: [label], strategies: [name], seeds,
/// runs }` (errors name the grid setting at fault).
#[wasm_bindgen(js_name = gridPlan, unchecked_return_type = "GridPlan")]
pub fn grid_plan(spec: JsValue) -> Result<JsValue, Error> {
    let spec = grid_spec(&spec)?;
    let labels: Array = spec
        .scenarios()
        .iter()
        .map(|s| JsValue::from_str(&s.label()))
        .collect();
    let names: Array = spec
        .strategies
        .iter()
        .map(|s| JsValue::from_str(s.as_str()))
        .collect();
    let runs = spec.scenarios().len() * spec.strategies.len() * spec.seeds as usize;
    Ok(object(&[
        ("scenarios", labels.into()),
        ("strategies", names.into()),
        ("seeds", JsValue::from_f64(spec.seeds as f64)),
        ("runs", JsValue::from_f64(runs as f64)),
    ]))
}

/// One cell: strategy `strategy` (an index into the plan's strategies) over
/// the seeds of scenario `scenario` (an index into its scenarios):
/// Float64Array [h0, r0, entropy, reward, hIdeal].
#[wasm_bindgen(js_name = gridCell)]
pub fn grid_cell(spec: JsValue, scenario: f64, strategy: f64) -> Result<Float64Array, Error> {
    let spec = grid_spec(&spec)?;
    let scenarios = spec.scenarios();
    let sc = scenarios[index(scenario, "scenario", scenarios.len())?];
    let k = spec.strategies[index(strategy, "strategy", spec.strategies.len())?];
    let c = grid::run_cell(&spec, &sc, k)?;
    Ok(Float64Array::from(
        &[c.h0, c.r0, c.entropy, c.reward, c.h_ideal][..],
    ))
}

/// The outcome of every cell, from the cells (scenario-major, 5 numbers
/// each, as `gridCell` returns them): `{ outcomes: ["pass" | "collapsed" |
/// "slow" | "both", …] (scenario-major), table: text }`.
#[wasm_bindgen(js_name = gridSummary, unchecked_return_type = "GridSummary")]
pub fn grid_summary(
    spec: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] cells: JsValue,
) -> Result<JsValue, Error> {
    let cells = &to_f64_vec(&cells, "cells")?[..];
    let spec = grid_spec(&spec)?;
    let (ns, nk) = (spec.scenarios().len(), spec.strategies.len());
    if cells.len() != ns * nk * 5 {
        return Err(Error::new(
            "grid",
            format!("grid: {} numbers for {ns} × {nk} cells of 5.", cells.len()),
        ));
    }
    let rows: Vec<Vec<Cell>> = cells
        .chunks(nk * 5)
        .map(|row| {
            row.chunks(5)
                .map(|c| Cell {
                    h0: c[0],
                    r0: c[1],
                    entropy: c[2],
                    reward: c[3],
                    h_ideal: c[4],
                })
                .collect()
        })
        .collect();
    let outs: Array = grid::outcomes(&spec, &rows)
        .iter()
        .flatten()
        .map(|o| {
            JsValue::from_str(match o {
                grid::Outcome::Pass => "pass",
                grid::Outcome::Collapsed => "collapsed",
                grid::Outcome::Slow => "slow",
                grid::Outcome::Both => "both",
            })
        })
        .collect();
    Ok(object(&[
        ("outcomes", outs.into()),
        ("table", JsValue::from_str(&grid::summary(&spec, &rows))),
    ]))
}
