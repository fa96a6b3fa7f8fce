//! `simulate(options)` for the control lab (docs/contract.md): a plain options object
//! in (through serde-wasm-bindgen), typed arrays out. Unknown options, wrong
//! types and out-of-range values are thrown as `Error`s with the core's
//! person-readable message; options left out take the core's defaults.
//!
//! serde-wasm-bindgen reads a struct by asking the object for each known
//! field, so `deny_unknown_fields` never sees an unknown key: the keys are
//! checked against [`KNOWN`] before deserialising.

use super::{js_error, to_f64_vec, unknown_key};
use crate::core::simulate::{self as sim, Preset, SimOptions, SimResult, Strategy};
use js_sys::{Float64Array, Object, Reflect, Uint32Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The JavaScript options. Numbers arrive as f64 and are checked here for
/// being whole where the core wants a count; everything else (ranges,
/// lengths, conflicts) is checked by the core.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Options {
    strategy: Option<String>,
    vocab: Option<f64>,
    group: Option<f64>,
    steps: Option<f64>,
    seed: Option<f64>,
    lr: Option<f64>,
    epochs: Option<f64>,
    clip_low: Option<f64>,
    clip_high: Option<f64>,
    entropy_coef: Option<f64>,
    target_entropy: Option<f64>,
    polarity_gain: Option<f64>,
    polarity_max_weight: Option<f64>,
    preset: Option<String>,
    /// Float64Array, Float32Array or an array of numbers (read by `to_f64_vec`).
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    rewards: JsValue,
    correct: Option<f64>,
    noise: Option<f64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    logits: JsValue,
    zipf: Option<f64>,
}

/// The option names, as JavaScript spells them (the fields of [`Options`]).
const KNOWN: [&str; 19] = [
    "strategy",
    "vocab",
    "group",
    "steps",
    "seed",
    "lr",
    "epochs",
    "clipLow",
    "clipHigh",
    "entropyCoef",
    "targetEntropy",
    "polarityGain",
    "polarityMaxWeight",
    "preset",
    "rewards",
    "correct",
    "noise",
    "logits",
    "zipf",
];

/// Unknown keys and values of the wrong JavaScript type, named (serde's own
/// type errors do not say which option they are about). `null` and
/// `undefined` mean "not given".
fn check_keys(options: &JsValue) -> Result<(), JsError> {
    let Some(obj) = options.dyn_ref::<Object>() else {
        return Err(js_error(
            "simulate options must be an object, such as { strategy: \"pg\", vocab: 100 }.",
        ));
    };
    if let Some(key) = unknown_key(obj, &KNOWN) {
        return Err(js_error(format!(
            "simulate: unknown option \"{key}\". Known options: {}.",
            KNOWN.join(", ")
        )));
    }
    for key in Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        let value = Reflect::get(obj, &JsValue::from_str(&key)).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let wrong = match key.as_str() {
            "strategy" | "preset" => (!value.is_string()).then_some("a string, such as \"pg\""),
            "rewards" | "logits" => None, // read by `to_f64_vec`, which explains itself
            _ => value.as_f64().is_none().then_some("a number"),
        };
        if let Some(want) = wrong {
            let got = value.js_typeof().as_string().unwrap_or_default();
            return Err(js_error(format!(
                "simulate option {key} must be {want}, not a {got}."
            )));
        }
    }
    Ok(())
}

/// An optional vector option: undefined or null means not given.
fn vector(v: &JsValue, what: &str) -> Result<Option<Vec<f64>>, JsError> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        to_f64_vec(v, what).map(Some).map_err(JsError::from)
    }
}

/// Largest seed JavaScript can hold exactly (Number.MAX_SAFE_INTEGER).
const MAX_SEED: f64 = 9_007_199_254_740_991.0;

/// A count given as a JS number: finite, whole, not negative.
fn whole(name: &str, value: f64, allowed: &str) -> Result<u64, JsError> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SEED {
        Ok(value as u64)
    } else {
        Err(js_error(format!(
            "{name} = {value} is not allowed: use a whole number {allowed}."
        )))
    }
}

fn count(name: &str, value: f64, allowed: &str) -> Result<usize, JsError> {
    let v = whole(name, value, allowed)?;
    // Beyond usize (wasm32: 2^32) is far outside every range anyway.
    usize::try_from(v).map_err(|_| {
        js_error(format!(
            "{name} = {value} is not allowed: use a whole number {allowed}."
        ))
    })
}

fn to_core(o: Options) -> Result<SimOptions, JsError> {
    let d = SimOptions::default();
    let vocab_range = format!("from {} to {}", sim::MIN_VOCAB, sim::MAX_VOCAB);
    Ok(SimOptions {
        strategy: match o.strategy {
            Some(s) => Strategy::parse(&s).map_err(js_error)?,
            None => d.strategy,
        },
        vocab: o
            .vocab
            .map(|v| count("vocab", v, &vocab_range))
            .transpose()?,
        group: o
            .group
            .map(|v| {
                count(
                    "group",
                    v,
                    &format!("from {} to {}", sim::MIN_GROUP, sim::MAX_GROUP),
                )
            })
            .transpose()?
            .unwrap_or(d.group),
        steps: o
            .steps
            .map(|v| count("steps", v, &format!("from 0 to {}", sim::MAX_STEPS)))
            .transpose()?
            .unwrap_or(d.steps),
        seed: o
            .seed
            .map(|v| whole("seed", v, "from 0 to 9007199254740991"))
            .transpose()?
            .unwrap_or(d.seed),
        lr: o.lr.unwrap_or(d.lr),
        epochs: o
            .epochs
            .map(|v| count("epochs", v, &format!("from 1 to {}", sim::MAX_EPOCHS)))
            .transpose()?
            .unwrap_or(d.epochs),
        clip_low: o.clip_low.unwrap_or(d.clip_low),
        clip_high: o.clip_high.unwrap_or(d.clip_high),
        entropy_coef: o.entropy_coef.unwrap_or(d.entropy_coef),
        target_entropy: o.target_entropy,
        polarity_gain: o.polarity_gain.unwrap_or(d.polarity_gain),
        polarity_max_weight: o.polarity_max_weight.unwrap_or(d.polarity_max_weight),
        preset: o
            .preset
            .map(|s| Preset::parse(&s).map_err(js_error))
            .transpose()?,
        rewards: vector(&o.rewards, "rewards")?,
        correct: o
            .correct
            .map(|v| count("correct", v, "from 1 to vocab − 1"))
            .transpose()?,
        noise: o.noise,
        logits: vector(&o.logits, "logits")?,
        zipf: o.zipf,
    })
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| js_error(format!("could not set {key} on the result")))
}

fn result_js(r: &SimResult, strategy: Strategy) -> Result<JsValue, JsError> {
    let obj = Object::new();
    let f64s = |v: &[f64]| JsValue::from(Float64Array::from(v));
    let u32s = |v: &[u32]| JsValue::from(Uint32Array::from(v));
    set(&obj, "strategy", &JsValue::from_str(strategy.as_str()))?;
    set(&obj, "entropy", &f64s(&r.entropy))?;
    set(&obj, "reward", &f64s(&r.reward))?;
    set(&obj, "expanding", &u32s(&r.expanding))?;
    set(&obj, "contracting", &u32s(&r.contracting))?;
    set(&obj, "expandDh", &f64s(&r.expand_dh))?;
    set(&obj, "contractDh", &f64s(&r.contract_dh))?;
    set(&obj, "bonusDh", &f64s(&r.bonus_dh))?;
    set(&obj, "clippedLow", &u32s(&r.clipped_low))?;
    set(&obj, "clippedHigh", &u32s(&r.clipped_high))?;
    set(&obj, "expandWeight", &f64s(&r.expand_weight))?;
    set(&obj, "tokenRewards", &f64s(&r.token_rewards))?;
    set(&obj, "initialProbs", &f64s(&r.initial_probs))?;
    set(&obj, "finalProbs", &f64s(&r.final_probs))?;
    set(&obj, "targetEntropy", &JsValue::from_f64(r.target_entropy))?;
    set(&obj, "clipHighUsed", &JsValue::from_f64(r.clip_high_used))?;
    Ok(obj.into())
}

/// Runs the control lab's simulation. `options` is a plain object (or
/// undefined for all defaults); see `simulateDefaults()` for the names.
///
/// Returns `{ strategy, entropy, reward, expanding, contracting, expandDh,
/// contractDh, bonusDh, clippedLow, clippedHigh, expandWeight, tokenRewards,
/// initialProbs, finalProbs, targetEntropy, clipHighUsed }`: `entropy` and
/// `reward` are Float64Arrays of steps + 1 values, the per-step arrays have
/// `steps` values (counts as Uint32Array).
#[wasm_bindgen]
pub fn simulate(options: JsValue) -> Result<JsValue, JsError> {
    let o: Options = if options.is_undefined() || options.is_null() {
        Options::default()
    } else {
        check_keys(&options)?;
        serde_wasm_bindgen::from_value(options).map_err(|e| {
            let e = e.to_string();
            js_error(format!(
                "simulate options: {}",
                e.strip_prefix("Error: ").unwrap_or(&e)
            ))
        })?
    };
    let o = to_core(o)?;
    let r = sim::simulate(&o).map_err(js_error)?;
    result_js(&r, o.strategy)
}

/// The defaults of `simulate`'s options, as a plain object (for the page's
/// controls). `vocab` is the default when neither `rewards` nor `logits`
/// gives a length; `targetEntropy` (half the initial entropy) and `noise`
/// (0.5 for the "noisy" preset, else 0) depend on other options and are left
/// out; `rewards` and `logits` have no default.
#[wasm_bindgen(js_name = simulateDefaults)]
pub fn simulate_defaults() -> Result<JsValue, JsError> {
    let d = SimOptions::default();
    let obj = Object::new();
    let num = |x: f64| JsValue::from_f64(x);
    set(&obj, "strategy", &JsValue::from_str(d.strategy.as_str()))?;
    set(&obj, "vocab", &num(sim::DEFAULT_VOCAB as f64))?;
    set(&obj, "group", &num(d.group as f64))?;
    set(&obj, "steps", &num(d.steps as f64))?;
    set(&obj, "seed", &num(d.seed as f64))?;
    set(&obj, "lr", &num(d.lr))?;
    set(&obj, "epochs", &num(d.epochs as f64))?;
    set(&obj, "clipLow", &num(d.clip_low))?;
    set(&obj, "clipHigh", &num(d.clip_high))?;
    set(&obj, "entropyCoef", &num(d.entropy_coef))?;
    set(&obj, "polarityGain", &num(d.polarity_gain))?;
    set(&obj, "polarityMaxWeight", &num(d.polarity_max_weight))?;
    set(
        &obj,
        "preset",
        &JsValue::from_str(Preset::OneCorrect.as_str()),
    )?;
    set(&obj, "correct", &num(sim::DEFAULT_CORRECT as f64))?;
    set(&obj, "zipf", &num(sim::DEFAULT_ZIPF))?;
    Ok(obj.into())
}
