//! The one wasm-bindgen layer: converts JavaScript values to core types and
//! core errors to JavaScript `Error`s, by the convention written down in
//! [`convert`] (read it before adding an export). No math lives here.

mod convert;
mod measure;

use crate::math::{self, UpdateKind};
use crate::plot::{
    draw_curve, ChartStyle, CurveModel, CurveOptions, Layout, MIN_HEIGHT, MIN_WIDTH,
};
use convert::{code, index, object, options, Error};
use js_sys::{Float32Array, Float64Array};
use measure::{measuring_context, Measured};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

mod bars;
mod figures;
mod lesson;
mod rows;
mod run;
mod series;
mod simulate;
mod slice;
mod steps;

impl From<Error> for JsError {
    fn from(e: Error) -> JsError {
        JsError::new(e.message())
    }
}

// TypeScript shapes of the plain objects that cross the boundary, written
// into pkg/entropy_polarity.d.ts next to the generated signatures (exports
// name them with `unchecked_return_type` / `unchecked_param_type`).
#[wasm_bindgen(typescript_custom_section)]
const RESULT_TYPES: &str = r#"
/** Every export throws a plain Error with these properties (docs/contract.md, "Errors"). */
export interface EntropyPolarityError extends Error {
  /** A short stable name: "type", "range", "unknown-option", "canvas", "empty", "not-a-number", … */
  code: string;
  /** The argument or option at fault, when one is. */
  field?: string | null;
}
/** Options of drawCurve and curveSvg; every one is optional. */
export interface ChartOptions {
  /** Logarithmic q axis. */
  logX?: boolean;
  /** devicePixelRatio the canvas backing store was sized for (0 < scale ≤ 8). */
  scale?: number;
  dark?: boolean;
  /** Points of the curves (16 to 4000, default 200). */
  samples?: number;
  /** SVG size in pixels (curveSvg only). */
  width?: number;
  height?: number;
}
/** Where drawCurve drew: the plot area in canvas pixels and its ranges. */
export interface ChartLayout {
  left: number; right: number; top: number; bottom: number;
  /** q range (log10 q on a log axis). */
  xMin: number; xMax: number;
  /** ΔH range. */
  yMin: number; yMax: number;
  logX: boolean;
  /** Zero of the exact curve, when it has one in (0, 1). */
  exactFlip?: number;
}
/** The bars of a row opened from a slice (docs/math.md, "Rows opened from a slice"). */
export interface TopBars {
  /** Row index of each bar, most likely first; −1 for the "rest" bucket (last). */
  index: Int32Array;
  /** Logit of each bar; the bucket's is the log-sum-exp of the rest. */
  logits: Float64Array;
  /** How many tokens the bucket holds (0: no bucket). */
  rest: number;
  /** The bar of the sampled token (0 when there is none). */
  token: number;
}
/** Distribution.sampledStep: the group drawn from p and the logits after the step. */
export interface SampledStep {
  /** The G tokens drawn, in order. */
  tokens: Uint32Array;
  /** Each draw's group-normalised advantage (r − mean)/sd; all 0 when the group's rewards are equal. */
  advantages: Float64Array;
  /** z + (η/G) Σ_i A_i (e_{k_i} − p). */
  logits: Float64Array;
}
/** analyzeRows: one entry per row; the last four only when tokens were given. */
export interface RowsAnalysis {
  entropy: Float64Array; meanDiscriminator: Float64Array;
  flipNudge: Float64Array; flipPolicyGradient: Float64Array;
  token?: Uint32Array; prob?: Float64Array; discriminator?: Float64Array;
  sensitivity?: Float64Array; polarity?: Float64Array;
}
"#;

#[wasm_bindgen(start)]
fn start() {
    // A panic is a bug: show it in the console with its message.
    console_error_panic_hook::set_once();
}

/// Accepts Float64Array, Float32Array or a plain array of numbers.
pub(crate) fn to_f64_vec(v: &JsValue, what: &str) -> Result<Vec<f64>, Error> {
    let type_error = |message: String| Error::new(code::TYPE, message).field(what);
    if let Some(a) = v.dyn_ref::<Float64Array>() {
        Ok(a.to_vec())
    } else if let Some(a) = v.dyn_ref::<Float32Array>() {
        Ok(a.to_vec().into_iter().map(f64::from).collect())
    } else if js_sys::Array::is_array(v) {
        js_sys::Array::from(v)
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_f64().ok_or_else(|| {
                    type_error(format!(
                        "{what}: entry {i} is not a number. Give numbers only."
                    ))
                })
            })
            .collect()
    } else {
        Err(type_error(format!(
            "{what} must be a Float64Array or Float32Array (or an array of numbers)."
        )))
    }
}

fn token_index(token: f64, vocab: usize) -> Result<usize, Error> {
    index(token, "token", vocab)
}

/// The update kind, "nudge" or "pg", from a JS value (a string is checked
/// here: wasm-bindgen's own `&str` conversion traps on a number).
fn kind(kind: &JsValue) -> Result<UpdateKind, Error> {
    Ok(UpdateKind::parse(&convert::string(kind, "kind")?)?)
}

fn finite_step(step: f64) -> Result<f64, Error> {
    if step.is_finite() {
        Ok(step)
    } else {
        Err(math::CoreError::Step { value: step }.into())
    }
}

/// A softmax distribution with its entropy statistics.
#[wasm_bindgen]
pub struct Distribution {
    inner: math::Distribution,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ChartOptions {
    #[serde(default)]
    log_x: bool,
    scale: Option<f64>,
    #[serde(default)]
    dark: bool,
    samples: Option<usize>,
    width: Option<u32>,
    height: Option<u32>,
}

fn chart_options(value: JsValue) -> Result<ChartOptions, Error> {
    const KNOWN: [&str; 6] = ["logX", "scale", "dark", "samples", "width", "height"];
    let o: ChartOptions = options(value, &KNOWN, "Chart options")?;
    if let Some(s) = o.scale {
        if !(s.is_finite() && s > 0.0 && s <= 8.0) {
            return Err(Error::new(
                code::RANGE,
                format!("Chart option scale = {s}: use a device pixel ratio between 0 and 8."),
            )
            .field("scale"));
        }
    }
    Ok(o)
}

#[wasm_bindgen]
impl Distribution {
    /// p = softmax(logits / temperature); −Infinity masks a token.
    #[wasm_bindgen(js_name = fromLogits)]
    pub fn from_logits(logits: &JsValue, temperature: Option<f64>) -> Result<Distribution, Error> {
        let z = to_f64_vec(logits, "logits")?;
        let inner = math::Distribution::from_logits(&z, temperature.unwrap_or(1.0))?;
        Ok(Distribution { inner })
    }

    /// Probabilities (≥ 0, summing to 1 ± 1e-6).
    #[wasm_bindgen(js_name = fromProbs)]
    pub fn from_probs(probs: &JsValue) -> Result<Distribution, Error> {
        let p = to_f64_vec(probs, "probs")?;
        let inner = math::Distribution::from_probs(&p)?;
        Ok(Distribution { inner })
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    #[wasm_bindgen(getter)]
    pub fn temperature(&self) -> f64 {
        self.inner.temperature()
    }

    /// H in nats.
    #[wasm_bindgen(getter)]
    pub fn entropy(&self) -> f64 {
        self.inner.entropy()
    }

    /// S̄ = Σ p_j S_j.
    #[wasm_bindgen(getter, js_name = meanDiscriminator)]
    pub fn mean_discriminator(&self) -> f64 {
        self.inner.mean_discriminator()
    }

    /// e^−H.
    #[wasm_bindgen(getter, js_name = flipNudge)]
    pub fn flip_nudge(&self) -> f64 {
        self.inner.flip_nudge()
    }

    /// p† = S̄ / W₀(S̄ e^H).
    #[wasm_bindgen(getter, js_name = flipPolicyGradient)]
    pub fn flip_policy_gradient(&self) -> f64 {
        self.inner.flip_policy_gradient()
    }

    pub fn probs(&self) -> Vec<f64> {
        self.inner.probs().to_vec()
    }

    /// S_j = p_j (H + ln p_j).
    pub fn discriminator(&self) -> Vec<f64> {
        self.inner.discriminator()
    }

    /// c_k = S̄ − S_k.
    pub fn sensitivity(&self, token: f64) -> Result<f64, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self.inner.sensitivity(k)?)
    }

    /// P_k = A (S̄ − S_k): > 0 widens the distribution, < 0 narrows it.
    pub fn polarity(&self, token: f64, advantage: f64) -> Result<f64, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self.inner.polarity(k, advantage)?)
    }

    /// First-order ΔH; kind "nudge" | "pg", step = ε or η·A.
    #[wasm_bindgen(js_name = firstOrder)]
    pub fn first_order(
        &self,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
    ) -> Result<f64, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self.inner.first_order(k, kind(&kind_name)?, step)?)
    }

    /// ΔH after really applying the update.
    pub fn exact(
        &self,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
    ) -> Result<f64, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self.inner.exact(k, kind(&kind_name)?, step)?)
    }

    /// The logits after really applying the update to `logits` (which must be
    /// the logits this distribution was made from): z_k + ε for a nudge,
    /// z + η A (e_k − p) for a policy-gradient step.
    #[wasm_bindgen(js_name = updatedLogits)]
    pub fn updated_logits(
        &self,
        logits: &JsValue,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
    ) -> Result<Vec<f64>, Error> {
        let z = to_f64_vec(logits, "logits")?;
        if z.len() != self.inner.len() {
            return Err(Error::new(
                code::RANGE,
                format!(
                    "updatedLogits needs the {} logits this distribution was made from, not {}.",
                    self.inner.len(),
                    z.len()
                ),
            )
            .field("logits"));
        }
        let k = token_index(token, self.inner.len())?;
        let step = finite_step(step)?;
        Ok(math::apply_update(
            &z,
            self.inner.probs(),
            k,
            kind(&kind_name)?,
            step,
        ))
    }

    /// E over k ~ p of the first-order ΔH of z ← z + η A_k (e_k − p):
    /// −(η/T) Cov_p(A, S), one advantage per token (docs/math.md, "Sampling").
    #[wasm_bindgen(js_name = expectedChange)]
    pub fn expected_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")] advantages: &JsValue,
        step: f64,
    ) -> Result<f64, Error> {
        let a = to_f64_vec(advantages, "advantages")?;
        Ok(self.inner.expected_change(&a, step)?)
    }

    /// Per-token advantages (r − r̄)/σ, r̄ and σ under p; all 0 when σ = 0.
    #[wasm_bindgen(js_name = rewardAdvantages)]
    pub fn reward_advantages(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")]
        rewards: &JsValue,
    ) -> Result<Vec<f64>, Error> {
        let r = to_f64_vec(rewards, "rewards")?;
        Ok(math::sampling::reward_advantages(&self.inner, &r)?)
    }

    /// The exact E[ΔH] (first order) of `sampledStep` for a group of `group`
    /// draws with these per-token rewards (docs/math.md, "A sampled step").
    #[wasm_bindgen(js_name = expectedGroupChange)]
    pub fn expected_group_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")]
        rewards: &JsValue,
        group: f64,
        step: f64,
    ) -> Result<f64, Error> {
        let r = to_f64_vec(rewards, "rewards")?;
        let group = convert::whole(group, "group")? as usize;
        Ok(self.inner.expected_group_change(&r, group, step)?)
    }

    /// One GRPO-style step: draw `group` tokens from p with the seeded
    /// generator, normalise their rewards within the group, and update
    /// `logits` (the ones this distribution was made from).
    #[wasm_bindgen(js_name = sampledStep, unchecked_return_type = "SampledStep")]
    pub fn sampled_step(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")]
        logits: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")]
        rewards: &JsValue,
        group: f64,
        step: f64,
        seed: f64,
    ) -> Result<JsValue, Error> {
        let z = to_f64_vec(logits, "logits")?;
        let r = to_f64_vec(rewards, "rewards")?;
        let group = convert::whole(group, "group")? as usize;
        let mut rng = math::simulate::Rng::new(convert::whole(seed, "seed")?);
        let s = math::sampling::sampled_step(&self.inner, &z, &r, group, step, &mut rng)?;
        let tokens: Vec<u32> = s.tokens.iter().map(|&k| k as u32).collect();
        Ok(object(&[
            ("tokens", js_sys::Uint32Array::from(&tokens[..]).into()),
            ("advantages", Float64Array::from(&s.advantages[..]).into()),
            ("logits", Float64Array::from(&s.logits[..]).into()),
        ]))
    }

    /// The zero of the exact curve nearest the first-order flip, or undefined.
    #[wasm_bindgen(js_name = exactFlip)]
    pub fn exact_flip(
        &self,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
    ) -> Result<Option<f64>, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self
            .inner
            .exact_flip(k, kind(&kind_name)?, step, math::curve::DEFAULT_SCAN)?)
    }

    /// Draws the entropy-change chart on a canvas whose backing store the
    /// caller has sized (CSS size × devicePixelRatio, passed as `scale`).
    /// Returns the plotting area and ranges, for pointer mapping and tests.
    #[wasm_bindgen(js_name = drawCurve, unchecked_return_type = "ChartLayout")]
    pub fn draw_curve(
        &self,
        canvas: &HtmlCanvasElement,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
        #[wasm_bindgen(unchecked_optional_param_type = "ChartOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, Error> {
        let o = chart_options(options.unwrap_or(JsValue::UNDEFINED))?;
        let model = self.model(token, kind(&kind_name)?, step, &o)?;
        let scale = o.scale.unwrap_or(1.0);
        let (min_w, min_h) = (f64::from(MIN_WIDTH) * scale, f64::from(MIN_HEIGHT) * scale);
        if f64::from(canvas.width()) < min_w || f64::from(canvas.height()) < min_h {
            return Err(Error::new(
                code::CANVAS,
                format!(
                    "The canvas is {}×{} pixels, too small for the chart: give it at least {}×{}.",
                    canvas.width(),
                    canvas.height(),
                    min_w.ceil(),
                    min_h.ceil()
                ),
            ));
        }
        let no_context = || Error::new(code::CANVAS, "The canvas has no 2D context to draw on.");
        let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(no_context)?;
        let ctx = measuring_context(Some(canvas)).ok_or_else(no_context)?;
        let root = Measured::new(backend, ctx).into_drawing_area();
        let style = ChartStyle {
            scale: o.scale.unwrap_or(1.0),
            dark: o.dark,
        };
        let layout = draw_curve(&root, &model, &style).map_err(drawing_failed)?;
        root.present().map_err(drawing_failed)?;
        Ok(layout_js(layout, model.exact_flip))
    }

    /// The same chart as an SVG document (for export).
    #[wasm_bindgen(js_name = curveSvg)]
    pub fn curve_svg(
        &self,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
        #[wasm_bindgen(unchecked_optional_param_type = "ChartOptions")] options: Option<JsValue>,
    ) -> Result<String, Error> {
        let o = chart_options(options.unwrap_or(JsValue::UNDEFINED))?;
        let model = self.model(token, kind(&kind_name)?, step, &o)?;
        let size = (
            o.width.unwrap_or(800).clamp(MIN_WIDTH, 4000),
            o.height.unwrap_or(480).clamp(MIN_HEIGHT, 4000),
        );
        let mut out = String::new();
        {
            let ctx = measuring_context(None).ok_or_else(|| {
                Error::new(code::CANVAS, "No canvas is available to measure text.")
            })?;
            let root =
                Measured::new(SVGBackend::with_string(&mut out, size), ctx).into_drawing_area();
            let style = ChartStyle {
                scale: o.scale.unwrap_or(1.0),
                dark: o.dark,
            };
            draw_curve(&root, &model, &style).map_err(drawing_failed)?;
            root.present().map_err(drawing_failed)?;
        }
        Ok(out)
    }
}

impl Distribution {
    fn model(
        &self,
        token: f64,
        update: UpdateKind,
        step: f64,
        o: &ChartOptions,
    ) -> Result<CurveModel, Error> {
        let k = token_index(token, self.inner.len())?;
        let step = finite_step(step)?;
        let opts = CurveOptions {
            token: k,
            kind: update,
            step,
            log_x: o.log_x,
            samples: o.samples.unwrap_or(200).clamp(16, 4000),
        };
        Ok(CurveModel::build(&self.inner, &opts)?)
    }
}

/// The bars of a row opened from a slice: the most likely tokens and one
/// "rest" bucket (docs/math.md). `token`: the sampled token, or undefined.
#[wasm_bindgen(js_name = topBars, unchecked_return_type = "TopBars")]
pub fn top_bars(
    logits: &JsValue,
    token: Option<f64>,
    shown: Option<f64>,
) -> Result<JsValue, Error> {
    let z = to_f64_vec(logits, "logits")?;
    let sampled = match token {
        Some(t) => Some(convert::whole(t, "token")? as usize),
        None => None,
    };
    let shown = match shown {
        Some(n) => convert::whole(n, "shown")? as usize,
        None => math::explorer::MAX_BARS,
    };
    let b = math::explorer::top_bars(&z, sampled, shown)?;
    let index: Vec<i32> = b.index.iter().map(|i| i.map_or(-1, |j| j as i32)).collect();
    Ok(object(&[
        ("index", js_sys::Int32Array::from(&index[..]).into()),
        ("logits", Float64Array::from(&b.logits[..]).into()),
        ("rest", (b.rest as f64).into()),
        ("token", (b.token as f64).into()),
    ]))
}

/// The logit that gives token `j` probability `q` at `temperature`, the
/// other logits kept (the bar editor's drag).
#[wasm_bindgen(js_name = logitForProb)]
pub fn logit_for_prob(logits: &JsValue, j: f64, q: f64, temperature: f64) -> Result<f64, Error> {
    let z = to_f64_vec(logits, "logits")?;
    let j = index(j, "token", z.len())?;
    Ok(math::explorer::logit_for_prob(&z, j, q, temperature)?)
}

/// How many tokens the chart draws as dots at most (a sample beyond).
#[wasm_bindgen(js_name = maxDots)]
pub fn max_dots() -> usize {
    crate::plot::MAX_DOTS
}

fn drawing_failed(e: impl std::fmt::Debug) -> Error {
    Error::new(code::CANVAS, format!("drawing failed: {e:?}"))
}

/// The plotting area and ranges of a drawn chart, for pointer mapping and
/// tests (the `ChartLayout` interface in the TypeScript declarations).
fn layout_js(l: Layout, exact_flip: Option<f64>) -> JsValue {
    object(&[
        ("left", l.left.into()),
        ("right", l.right.into()),
        ("top", l.top.into()),
        ("bottom", l.bottom.into()),
        ("xMin", l.x_min.into()),
        ("xMax", l.x_max.into()),
        ("yMin", l.y_min.into()),
        ("yMax", l.y_max.into()),
        ("logX", l.log_x.into()),
        (
            "exactFlip",
            exact_flip.map_or(JsValue::UNDEFINED, JsValue::from),
        ),
    ])
}
