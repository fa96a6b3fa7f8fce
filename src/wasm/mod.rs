//! The one wasm-bindgen layer: converts JavaScript values to core types and
//! core errors to JavaScript `Error`s (through [`js_error`], the only place
//! that does). No math lives here.

mod measure;

use crate::core::error::js_number;
use crate::core::{self, CoreError, UpdateKind};
use crate::plot::{
    draw_curve, ChartStyle, CurveModel, CurveOptions, Layout, MIN_HEIGHT, MIN_WIDTH,
};
use js_sys::{Float32Array, Float64Array};
use measure::{measuring_context, Measured};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

mod rows;
mod run;
mod simulate;
mod slice;

#[wasm_bindgen(start)]
fn start() {
    // A panic is a bug: show it in the console with its message.
    console_error_panic_hook::set_once();
}

fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Accepts Float64Array, Float32Array or a plain array of numbers.
fn to_f64_vec(v: &JsValue, what: &str) -> Result<Vec<f64>, JsError> {
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
                    js_error(format!(
                        "{what}: entry {i} is not a number. Give numbers only."
                    ))
                })
            })
            .collect()
    } else {
        Err(js_error(format!(
            "{what} must be a Float64Array or Float32Array (or an array of numbers)."
        )))
    }
}

fn token_index(token: f64, vocab: usize) -> Result<usize, JsError> {
    if token.is_finite() && token >= 0.0 && token.fract() == 0.0 && token < vocab as f64 {
        Ok(token as usize)
    } else {
        Err(js_error(format!(
            "Token {} does not exist: choose a whole number from 0 to {}.",
            js_number(token),
            vocab.saturating_sub(1)
        )))
    }
}

fn kind(kind: &str) -> Result<UpdateKind, JsError> {
    UpdateKind::parse(kind).map_err(js_error)
}

/// A softmax distribution with its entropy statistics.
#[wasm_bindgen]
pub struct Distribution {
    inner: core::Distribution,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LayoutJs {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
    log_x: bool,
    exact_flip: Option<f64>,
}

/// The first key of `obj` not in `known`. serde-wasm-bindgen reads a struct
/// by asking for each field it knows, so `deny_unknown_fields` never sees a
/// misspelt option; every options object is checked with this instead.
fn unknown_key(obj: &js_sys::Object, known: &[&str]) -> Option<String> {
    js_sys::Object::keys(obj)
        .iter()
        .map(|k| k.as_string().unwrap_or_default())
        .find(|k| !known.contains(&k.as_str()))
}

fn chart_options(options: JsValue) -> Result<ChartOptions, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(ChartOptions::default());
    }
    // serde-wasm-bindgen only reads the fields it knows, so a misspelt
    // option would pass silently: check the keys here.
    const KNOWN: [&str; 6] = ["logX", "scale", "dark", "samples", "width", "height"];
    if let Some(obj) = options.dyn_ref::<js_sys::Object>() {
        if let Some(key) = unknown_key(obj, &KNOWN) {
            return Err(js_error(format!(
                "Chart options: unknown option \"{key}\"; the options are {}.",
                KNOWN.join(", ")
            )));
        }
    }
    let o: ChartOptions = serde_wasm_bindgen::from_value(options)
        .map_err(|e| js_error(format!("Chart options: {e}")))?;
    if let Some(s) = o.scale {
        if !(s.is_finite() && s > 0.0 && s <= 8.0) {
            return Err(js_error(format!(
                "Chart option scale = {s}: use a device pixel ratio between 0 and 8."
            )));
        }
    }
    Ok(o)
}

#[wasm_bindgen]
impl Distribution {
    /// p = softmax(logits / temperature); −Infinity masks a token.
    #[wasm_bindgen(js_name = fromLogits)]
    pub fn from_logits(
        logits: &JsValue,
        temperature: Option<f64>,
    ) -> Result<Distribution, JsError> {
        let z = to_f64_vec(logits, "logits")?;
        let inner =
            core::Distribution::from_logits(&z, temperature.unwrap_or(1.0)).map_err(js_error)?;
        Ok(Distribution { inner })
    }

    /// Probabilities (≥ 0, summing to 1 ± 1e-6).
    #[wasm_bindgen(js_name = fromProbs)]
    pub fn from_probs(probs: &JsValue) -> Result<Distribution, JsError> {
        let p = to_f64_vec(probs, "probs")?;
        let inner = core::Distribution::from_probs(&p).map_err(js_error)?;
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
    pub fn sensitivity(&self, token: f64) -> Result<f64, JsError> {
        let k = token_index(token, self.inner.len())?;
        self.inner.sensitivity(k).map_err(js_error)
    }

    /// First-order ΔH; kind "nudge" | "pg", step = ε or η·A.
    #[wasm_bindgen(js_name = firstOrder)]
    pub fn first_order(&self, token: f64, kind_name: &str, step: f64) -> Result<f64, JsError> {
        let k = token_index(token, self.inner.len())?;
        self.inner
            .first_order(k, kind(kind_name)?, step)
            .map_err(js_error)
    }

    /// ΔH after really applying the update.
    pub fn exact(&self, token: f64, kind_name: &str, step: f64) -> Result<f64, JsError> {
        let k = token_index(token, self.inner.len())?;
        self.inner
            .exact(k, kind(kind_name)?, step)
            .map_err(js_error)
    }

    /// The logits after really applying the update to `logits` (which must be
    /// the logits this distribution was made from): z_k + ε for a nudge,
    /// z + η A (e_k − p) for a policy-gradient step.
    #[wasm_bindgen(js_name = updatedLogits)]
    pub fn updated_logits(
        &self,
        logits: &JsValue,
        token: f64,
        kind_name: &str,
        step: f64,
    ) -> Result<Vec<f64>, JsError> {
        let z = to_f64_vec(logits, "logits")?;
        if z.len() != self.inner.len() {
            return Err(js_error(format!(
                "updatedLogits needs the {} logits this distribution was made from, not {}.",
                self.inner.len(),
                z.len()
            )));
        }
        let k = token_index(token, self.inner.len())?;
        if !step.is_finite() {
            return Err(js_error(CoreError::Step { value: step }));
        }
        Ok(core::apply_update(
            &z,
            self.inner.probs(),
            k,
            kind(kind_name)?,
            step,
        ))
    }

    /// The zero of the exact curve nearest the first-order flip, or undefined.
    #[wasm_bindgen(js_name = exactFlip)]
    pub fn exact_flip(
        &self,
        token: f64,
        kind_name: &str,
        step: f64,
    ) -> Result<Option<f64>, JsError> {
        let k = token_index(token, self.inner.len())?;
        self.inner
            .exact_flip(k, kind(kind_name)?, step)
            .map_err(js_error)
    }

    /// Draws the entropy-change chart on a canvas whose backing store the
    /// caller has sized (CSS size × devicePixelRatio, passed as `scale`).
    /// Returns the plotting area and ranges, for pointer mapping and tests.
    #[wasm_bindgen(js_name = drawCurve)]
    pub fn draw_curve(
        &self,
        canvas: &HtmlCanvasElement,
        token: f64,
        kind_name: &str,
        step: f64,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let o = chart_options(options)?;
        let model = self.model(token, kind_name, step, &o)?;
        let scale = o.scale.unwrap_or(1.0);
        let (min_w, min_h) = (f64::from(MIN_WIDTH) * scale, f64::from(MIN_HEIGHT) * scale);
        if f64::from(canvas.width()) < min_w || f64::from(canvas.height()) < min_h {
            return Err(js_error(format!(
                "The canvas is {}×{} pixels, too small for the chart: give it at least {}×{}.",
                canvas.width(),
                canvas.height(),
                min_w.ceil(),
                min_h.ceil()
            )));
        }
        let no_context = || js_error("The canvas has no 2D context to draw on.");
        let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(no_context)?;
        let ctx = measuring_context(Some(canvas)).ok_or_else(no_context)?;
        let root = Measured::new(backend, ctx).into_drawing_area();
        let style = ChartStyle {
            scale: o.scale.unwrap_or(1.0),
            dark: o.dark,
        };
        let layout = draw_curve(&root, &model, &style).map_err(js_error)?;
        root.present()
            .map_err(|e| js_error(format!("drawing failed: {e:?}")))?;
        layout_js(layout, model.exact_flip)
    }

    /// The same chart as an SVG document (for export).
    #[wasm_bindgen(js_name = curveSvg)]
    pub fn curve_svg(
        &self,
        token: f64,
        kind_name: &str,
        step: f64,
        options: JsValue,
    ) -> Result<String, JsError> {
        let o = chart_options(options)?;
        let model = self.model(token, kind_name, step, &o)?;
        let size = (
            o.width.unwrap_or(800).clamp(MIN_WIDTH, 4000),
            o.height.unwrap_or(480).clamp(MIN_HEIGHT, 4000),
        );
        let mut out = String::new();
        {
            let ctx = measuring_context(None)
                .ok_or_else(|| js_error("No canvas is available to measure text."))?;
            let root =
                Measured::new(SVGBackend::with_string(&mut out, size), ctx).into_drawing_area();
            let style = ChartStyle {
                scale: o.scale.unwrap_or(1.0),
                dark: o.dark,
            };
            draw_curve(&root, &model, &style).map_err(js_error)?;
            root.present()
                .map_err(|e| js_error(format!("drawing failed: {e:?}")))?;
        }
        Ok(out)
    }
}

impl Distribution {
    fn model(
        &self,
        token: f64,
        kind_name: &str,
        step: f64,
        o: &ChartOptions,
    ) -> Result<CurveModel, JsError> {
        let k = token_index(token, self.inner.len())?;
        if !step.is_finite() {
            return Err(js_error(CoreError::Step { value: step }));
        }
        let opts = CurveOptions {
            token: k,
            kind: kind(kind_name)?,
            step,
            log_x: o.log_x,
            samples: o.samples.unwrap_or(200).clamp(16, 4000),
        };
        CurveModel::build(&self.inner, &opts).map_err(js_error)
    }
}

fn layout_js(l: Layout, exact_flip: Option<f64>) -> Result<JsValue, JsError> {
    let out = LayoutJs {
        left: l.left,
        right: l.right,
        top: l.top,
        bottom: l.bottom,
        x_min: l.x_min,
        x_max: l.x_max,
        y_min: l.y_min,
        y_max: l.y_max,
        log_x: l.log_x,
        exact_flip,
    };
    serde_wasm_bindgen::to_value(&out).map_err(js_error)
}
