//! A backend wrapper that measures text with the 2D context's `measureText`.
//!
//! On wasm32, plotters measures text by appending a styled `<span>` to the
//! page and reading its size: every label forces a page layout (the main
//! cost of a redraw), and the `style` attribute it sets is refused under a
//! strict Content-Security-Policy. Measuring on a canvas context needs
//! neither. Everything else is passed through to the wrapped backend.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

pub struct Measured<B> {
    inner: B,
    ctx: CanvasRenderingContext2d,
}

#[derive(Debug)]
struct MeasureError;

impl std::fmt::Display for MeasureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the canvas could not measure a text")
    }
}

impl std::error::Error for MeasureError {}

/// A 2D context for measuring: the given canvas's, or a detached one's.
pub fn measuring_context(canvas: Option<&HtmlCanvasElement>) -> Option<CanvasRenderingContext2d> {
    let canvas = match canvas {
        Some(c) => c.clone(),
        None => web_sys::window()?
            .document()?
            .create_element("canvas")
            .ok()?
            .dyn_into()
            .ok()?,
    };
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

impl<B> Measured<B> {
    pub fn new(inner: B, ctx: CanvasRenderingContext2d) -> Self {
        Self { inner, ctx }
    }
}

type Res<B> = Result<(), DrawingErrorKind<<B as DrawingBackend>::ErrorType>>;

impl<B: DrawingBackend> DrawingBackend for Measured<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Res<B> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Res<B> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Res<B> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Res<B> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Res<B> {
        self.inner.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Res<B> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        c: BackendCoord,
        r: u32,
        style: &S,
        fill: bool,
    ) -> Res<B> {
        self.inner.draw_circle(c, r, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Res<B> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Res<B> {
        self.inner.draw_text(text, style, pos)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Res<B> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.ctx.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
        let m = self
            .ctx
            .measure_text(text)
            .map_err(|_| DrawingErrorKind::FontError(Box::new(MeasureError)))?;
        Ok((m.width().ceil() as u32, style.size().ceil() as u32))
    }
}
