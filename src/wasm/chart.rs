//! The entropy-change chart of a `Distribution` (src/plot): drawn on a
//! canvas (`drawCurve`) or written as SVG (`curveSvg`), with its options.

use super::convert::{code, object, options, Error};
use super::distribution::{finite_step, kind, token_index, Distribution};
use super::measure::{measuring_context, Measured};
use crate::math::UpdateKind;
use crate::plot::{
    draw_curve, ChartStyle, CurveModel, CurveOptions, Layout, MIN_HEIGHT, MIN_WIDTH,
};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

#[wasm_bindgen(typescript_custom_section)]
const CHART_TYPES: &str = r#"
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
"#;

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
