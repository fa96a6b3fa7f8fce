//! Draws a [`CurveModel`] on any plotters backend. The same code paints the
//! page's canvas and writes the exported SVG.

use super::model::CurveModel;
use crate::math::format::readable;
use crate::math::UpdateKind;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colours from the Okabe–Ito palette (safe for the common colour-vision
/// deficiencies); the two sides are also told apart by their labels.
#[derive(Clone, Copy, Debug)]
pub struct ChartStyle {
    /// Device pixels per CSS pixel: fonts, lines and margins scale with it so
    /// the canvas stays crisp on HiDPI screens.
    pub scale: f64,
    pub dark: bool,
}

impl Default for ChartStyle {
    fn default() -> Self {
        Self {
            scale: 1.0,
            dark: false,
        }
    }
}

struct Palette {
    background: RGBColor,
    ink: RGBColor,
    grid: RGBColor,
    expand: RGBColor,
    contract: RGBColor,
    first_order: RGBColor,
    exact: RGBColor,
    marker: RGBColor,
}

impl Palette {
    fn of(dark: bool) -> Self {
        if dark {
            Palette {
                background: RGBColor(24, 26, 31),
                ink: RGBColor(226, 228, 233),
                grid: RGBColor(58, 62, 72),
                expand: RGBColor(86, 180, 233),  // sky blue
                contract: RGBColor(230, 159, 0), // orange
                first_order: RGBColor(236, 238, 242),
                exact: RGBColor(240, 110, 60), // vermillion, lifted for dark ground
                marker: RGBColor(204, 121, 167), // reddish purple
            }
        } else {
            Palette {
                background: RGBColor(255, 255, 255),
                ink: RGBColor(34, 36, 40),
                grid: RGBColor(226, 229, 234),
                expand: RGBColor(0, 114, 178),   // blue
                contract: RGBColor(230, 159, 0), // orange
                first_order: RGBColor(20, 22, 26),
                exact: RGBColor(213, 94, 0),     // vermillion
                marker: RGBColor(204, 121, 167), // reddish purple
            }
        }
    }
}

/// The smallest chart, in CSS pixels, that still holds its axes, labels
/// and legend; the canvas and the SVG export both keep to it.
pub const MIN_WIDTH: u32 = 240;
pub const MIN_HEIGHT: u32 = 160;

/// Where the plotting area landed, in backend pixels, and the data ranges it
/// maps: enough for a test (or a pointer handler) to turn data into pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// x range in chart coordinates (log10 q on a log axis).
    pub x_min: f64,
    pub x_max: f64,
    pub y_min: f64,
    pub y_max: f64,
    pub log_x: bool,
}

impl Layout {
    /// Pixel position of the data point (q, ΔH).
    pub fn to_pixel(&self, q: f64, y: f64) -> (f64, f64) {
        let x = if self.log_x { q.log10() } else { q };
        let px =
            self.left + (x - self.x_min) / (self.x_max - self.x_min) * (self.right - self.left);
        let py =
            self.bottom - (y - self.y_min) / (self.y_max - self.y_min) * (self.bottom - self.top);
        (px, py)
    }
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// Draws the chart filling `root`.
pub fn draw_curve<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &CurveModel,
    style: &ChartStyle,
) -> Result<Layout, String> {
    let pal = Palette::of(style.dark);
    let px = |v: f64| (v * style.scale).round().max(1.0) as u32;
    let font = |size: f64| {
        ("sans-serif", size * style.scale)
            .into_font()
            .color(&pal.ink)
    };
    root.fill(&pal.background).map_err(err)?;

    let (x0, x1) = (m.x_of(m.q_min.max(1e-300)), m.x_of(m.q_max));
    let x0 = if m.log_x { x0 } else { 0.0 };
    let (y0, y1) = m.y_range();
    // The legend sits in a band above the plot, never over the data
    // (issue 11: it hid dots and the p†/e^−H labels).
    let legend = legend_rows(root, m, style)?;
    let mut chart = ChartBuilder::on(root)
        .margin(px(14.0))
        .margin_top(px(10.0) + legend.height)
        .x_label_area_size(px(46.0))
        .y_label_area_size(px(74.0))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;

    let log_x = m.log_x;
    let x_fmt = move |v: &f64| {
        if log_x {
            // 1e−3: a power of ten, its exponent with a real minus sign.
            format!("1e{}", readable(v.round(), 3))
        } else {
            format!("{v:.1}")
        }
    };
    // A tick at 1e-17 is a rounded zero: call it 0.
    let y_span = y1 - y0;
    let y_fmt = move |v: &f64| readable(if v.abs() < 1e-9 * y_span { 0.0 } else { *v }, 3);
    // Fewer ticks on a narrow (phone) chart, so that labels do not collide.
    let css_width = root.dim_in_pixel().0 as f64 / style.scale;
    let x_labels = if log_x {
        ((x1 - x0).round() as usize + 1)
            .min(16)
            .min((css_width / 70.0) as usize)
    } else if css_width < 560.0 {
        6
    } else {
        11
    };
    chart
        .configure_mesh()
        .x_desc(if log_x {
            "token probability q (log scale)"
        } else {
            "token probability q"
        })
        .y_desc("entropy change ΔH (nats)")
        .x_labels(x_labels)
        .y_labels(7)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(font(12.0))
        .axis_desc_style(font(13.0))
        .bold_line_style(pal.grid.stroke_width(px(1.0)))
        .light_line_style(TRANSPARENT)
        .axis_style(pal.ink.stroke_width(px(1.0)))
        .draw()
        .map_err(err)?;

    // Expanding and contracting sides of the first-order flip, shaded and named.
    let flip_x = m.x_of(m.flip()).clamp(x0, x1);
    let (below, above) = if m.expanding_below {
        (pal.expand, pal.contract)
    } else {
        (pal.contract, pal.expand)
    };
    chart
        .draw_series([
            Rectangle::new([(x0, y0), (flip_x, y1)], below.mix(0.10).filled()),
            Rectangle::new([(flip_x, y0), (x1, y1)], above.mix(0.10).filled()),
        ])
        .map_err(err)?;
    let (below_text, above_text) = if m.expanding_below {
        ("◀ expands H", "contracts H ▶")
    } else {
        ("◀ contracts H", "expands H ▶")
    };
    // Hatch the contracting side too, so the sides differ by pattern and
    // not by colour alone.
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let to_px = |x: f64| xr.start as f64 + (x - x0) / (x1 - x0) * (xr.end - xr.start) as f64;
    let (ca, cb) = if m.expanding_below {
        (flip_x, x1)
    } else {
        (x0, flip_x)
    };
    hatch(
        root,
        (to_px(ca).round() as i32, yr.start),
        (to_px(cb).round() as i32, yr.end),
        px(12.0) as i32,
        pal.contract.mix(0.35).stroke_width(px(1.0)),
    )?;
    // Name each side where it has room for its label.
    let plot_px = (xr.end - xr.start) as f64;
    let label_y = y1 - 0.03 * (y1 - y0);
    let pad = 0.01 * (x1 - x0);
    let side_font = font(12.0);
    for (text, color, from, to, anchor) in [
        (below_text, below, x0, flip_x, HPos::Right),
        (above_text, above, flip_x, x1, HPos::Left),
    ] {
        let room = (to - from) / (x1 - x0) * plot_px;
        let (w, _) = root.estimate_text_size(text, &side_font).map_err(err)?;
        if room > w as f64 + 0.03 * plot_px {
            let x = if matches!(anchor, HPos::Right) {
                flip_x - pad
            } else {
                flip_x + pad
            };
            chart
                .draw_series([Text::new(
                    text,
                    (x, label_y),
                    side_font.clone().color(&color).pos(text_pos(anchor)),
                )])
                .map_err(err)?;
        }
    }

    // Zero line.
    chart
        .draw_series(LineSeries::new(
            [(x0, 0.0), (x1, 0.0)],
            pal.ink.mix(0.55).stroke_width(px(1.0)),
        ))
        .map_err(err)?;

    // Vertical markers at e^−H and (for a policy-gradient step) p†, labelled
    // at the bottom. p† is the flip of a PG step only: a nudge has none.
    let markers: &[(f64, &str)] = match m.kind {
        UpdateKind::Nudge => &[(m.flip_nudge, "e^{−H}")],
        UpdateKind::PolicyGradient => &[(m.flip_nudge, "e^{−H}"), (m.flip_pg, "p†")],
    };
    for (i, &(q, label)) in markers.iter().enumerate() {
        let x = m.x_of(q);
        if !(x >= x0 && x <= x1) {
            continue;
        }
        chart
            .draw_series(DashedLineSeries::new(
                [(x, y0), (x, y1)],
                px(4.0),
                px(4.0),
                pal.marker.stroke_width(px(1.5)),
            ))
            .map_err(err)?;
        let ly = y0 + (0.04 + 0.07 * i as f64) * (y1 - y0);
        let (lx, lyp) = chart.backend_coord(&(x + pad, ly));
        draw_rich(root, label, (lx, lyp), 12.0 * style.scale, &pal.marker)?;
    }

    // First-order curve (fixed H and S̄).
    chart
        .draw_series(LineSeries::new(
            m.first_order.iter().map(|&(q, y)| (m.x_of(q), y)),
            pal.first_order.stroke_width(px(2.0)),
        ))
        .map_err(err)?
        .label(match m.kind {
            UpdateKind::Nudge => "first order, fixed H",
            UpdateKind::PolicyGradient => "first order, fixed H and S̄",
        })
        .legend(move |(x, y)| {
            PathElement::new([(x, y), (x + 18, y)], pal.first_order.stroke_width(2))
        });

    // Exact curve of the chosen token, dashed, with its true zero crossing.
    if !m.exact.is_empty() {
        chart
            .draw_series(DashedLineSeries::new(
                m.exact.iter().map(|&(q, y)| (m.x_of(q), y)),
                px(7.0),
                px(4.0),
                pal.exact.stroke_width(px(2.0)),
            ))
            .map_err(err)?
            .label("exact, chosen token moved to q")
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 7, y)], pal.exact.stroke_width(2))
            });
    }
    if let Some(q) = m.exact_flip {
        let x = m.x_of(q);
        if x >= x0 && x <= x1 {
            let r = px(6.0) as i32;
            chart
                .draw_series([EmptyElement::at((x, 0.0))
                    + Polygon::new([(0, -r), (r, 0), (0, r), (-r, 0)], pal.exact.filled())])
                .map_err(err)?
                .label("exact sign flip")
                .legend(move |(x, y)| {
                    Polygon::new(
                        [(x + 4, y - 5), (x + 9, y), (x + 4, y + 5), (x - 1, y)],
                        pal.exact.filled(),
                    )
                });
        }
    }

    // Every token on the curve; the chosen one ringed.
    let dot = px(3.5) as i32;
    chart
        .draw_series(
            m.tokens.iter().map(|&(q, y)| {
                Circle::new((m.x_of(q), y), dot, pal.first_order.mix(0.75).filled())
            }),
        )
        .map_err(err)?;
    if let Some(i) = m.chosen {
        let (q, y) = m.tokens[i];
        chart
            .draw_series([Circle::new(
                (m.x_of(q), y),
                px(7.0) as i32,
                pal.exact.stroke_width(px(2.5)),
            )])
            .map_err(err)?;
    }

    let (xr, yr) = chart.plotting_area().get_pixel_range();
    draw_legend(root, &legend, &pal, style, (xr.start, px(8.0) as i32))?;

    Ok(Layout {
        left: xr.start as f64,
        right: xr.end as f64,
        top: yr.start as f64,
        bottom: yr.end as f64,
        x_min: x0,
        x_max: x1,
        y_min: y0,
        y_max: y1,
        log_x: m.log_x,
    })
}

/// 45° hatch lines filling the pixel rectangle [a, b].
fn hatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (xa, ya): (i32, i32),
    (xb, yb): (i32, i32),
    spacing: i32,
    style: ShapeStyle,
) -> Result<(), String> {
    if xb <= xa || yb <= ya {
        return Ok(());
    }
    // Lines x + y = c, clipped to the rectangle.
    let mut c = xa + ya + spacing;
    while c < xb + yb {
        let (sx, ex) = ((c - yb).max(xa), (c - ya).min(xb));
        if sx < ex {
            root.draw(&PathElement::new([(sx, c - sx), (ex, c - ex)], style))
                .map_err(err)?;
        }
        c += spacing;
    }
    Ok(())
}

/// The legend's items, laid out in rows across the chart's width.
struct Legend {
    /// (what, label, x offset, row) per item.
    items: Vec<(u8, &'static str, i32, i32)>,
    height: u32,
}

/// How long the legend's labels are: in full on a wide chart, shorter on a
/// narrow one, and the bare names when even those do not fit a row (a
/// 320 px host page: issue 19).
#[derive(Clone, Copy, PartialEq)]
enum Labels {
    Wide,
    Narrow,
    Compact,
}

/// What each curve holds (issue 11: the two curves answer different
/// questions, docs/math.md "The curve").
fn legend_items(m: &CurveModel, labels: Labels) -> Vec<(u8, &'static str)> {
    let mut items: Vec<(u8, &'static str)> = vec![(
        0,
        match (m.kind, labels) {
            (UpdateKind::Nudge, Labels::Wide) => {
                "first order: another token of probability q, H fixed"
            }
            (UpdateKind::PolicyGradient, Labels::Wide) => {
                "first order: another token of probability q, H and S\u{304} fixed"
            }
            (_, Labels::Narrow) => "first order, another token at q",
            (_, Labels::Compact) => "first order",
        },
    )];
    if !m.exact.is_empty() {
        items.push((
            1,
            match labels {
                Labels::Wide => "exact: this token moved to q",
                Labels::Narrow => "exact, this token at q",
                Labels::Compact => "exact",
            },
        ));
    }
    if m.exact_flip.is_some() {
        items.push((
            2,
            if labels == Labels::Compact {
                "exact flip"
            } else {
                "exact sign flip"
            },
        ));
    }
    if m.chosen.is_some() {
        items.push((3, "this token"));
    }
    items
}

const LEGEND_ROW: f64 = 18.0;
const LEGEND_SWATCH: f64 = 26.0;
const LEGEND_GAP: f64 = 18.0;

fn legend_rows<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &CurveModel,
    style: &ChartStyle,
) -> Result<Legend, String> {
    let s = style.scale;
    let px = |v: f64| (v * s).round() as i32;
    let font = ("sans-serif", 12.0 * s).into_font().color(&BLACK);
    let (width, _) = root.dim_in_pixel();
    // The band starts at the plot's left edge (the y labels' width in).
    let avail = width as i32 - px(14.0 + 74.0 + 14.0);
    let widths = |labels: Labels| -> Result<Vec<(u8, &'static str, i32)>, String> {
        legend_items(m, labels)
            .into_iter()
            .map(|(what, label)| {
                let (w, _) = root
                    .estimate_text_size(&label.replace(OVERBAR, "S"), &font)
                    .map_err(err)?;
                Ok((what, label, px(LEGEND_SWATCH + 6.0) + w as i32))
            })
            .collect()
    };
    let mut measured = widths(if width as f64 / s >= 640.0 {
        Labels::Wide
    } else {
        Labels::Narrow
    })?;
    if measured.iter().any(|&(_, _, w)| w > avail) {
        measured = widths(Labels::Compact)?;
    }
    let (mut x, mut row) = (0, 0);
    let mut items = Vec::new();
    for (what, label, item_w) in measured {
        if x > 0 && x + item_w > avail {
            x = 0;
            row += 1;
        }
        items.push((what, label, x, row));
        x += item_w + px(LEGEND_GAP);
    }
    Ok(Legend {
        items,
        height: ((row + 1) as f64 * LEGEND_ROW * s).round() as u32,
    })
}

/// The legend band, drawn by hand above the plot. (plotters' own series
/// labels measure text through the page's DOM, which forces a layout per
/// label and is refused under a strict CSP.)
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    legend: &Legend,
    pal: &Palette,
    style: &ChartStyle,
    (left, top): (i32, i32),
) -> Result<(), String> {
    let s = style.scale;
    let px = |v: f64| (v * s).round() as i32;
    let font = ("sans-serif", 12.0 * s).into_font().color(&pal.ink);
    let (row, swatch, pad) = (px(LEGEND_ROW), px(LEGEND_SWATCH), px(6.0));
    for &(what, label, dx, r) in &legend.items {
        let cy = top + row * r + row / 2;
        let (sx, ex) = (left + dx, left + dx + swatch);
        let lw = px(2.0).max(1) as u32;
        match what {
            0 => root.draw(&PathElement::new(
                [(sx, cy), (ex, cy)],
                pal.first_order.stroke_width(lw),
            )),
            1 => {
                let d = swatch / 3;
                root.draw(&PathElement::new(
                    [(sx, cy), (sx + d, cy)],
                    pal.exact.stroke_width(lw),
                ))
                .and_then(|_| {
                    root.draw(&PathElement::new(
                        [(ex - d, cy), (ex, cy)],
                        pal.exact.stroke_width(lw),
                    ))
                })
            }
            2 => {
                let (c, r) = ((sx + ex) / 2, px(6.0));
                root.draw(&Polygon::new(
                    [(c, cy - r), (c + r, cy), (c, cy + r), (c - r, cy)],
                    pal.exact.filled(),
                ))
            }
            _ => root.draw(&Circle::new(
                ((sx + ex) / 2, cy),
                px(7.0),
                pal.exact.stroke_width(px(2.5) as u32),
            )),
        }
        .map_err(err)?;
        root.draw(&Text::new(
            label.replace(OVERBAR, "S"),
            (ex + pad, cy),
            font.clone().pos(text_pos(HPos::Left)),
        ))
        .map_err(err)?;
        if let Some(i) = label.find(OVERBAR) {
            // The bar of S̄, drawn over the S: the text is centred on cy, so
            // the top of a capital sits near cy − 0.4 em; the bar goes 0.1 em higher.
            let (before, _) = root
                .estimate_text_size(&label[..i].replace(OVERBAR, "S"), &font)
                .map_err(err)?;
            let (s_w, _) = root.estimate_text_size("S", &font).map_err(err)?;
            let (x, y) = (ex + pad + before as i32, cy - px(6.0));
            root.draw(&PathElement::new(
                [(x, y), (x + s_w as i32, y)],
                pal.ink.stroke_width(px(1.0).max(1) as u32),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}

/// Text with real superscripts and subscripts, written "e^{−H}" or
/// "p_{k}": the braces' content is drawn at 70 % size, raised or lowered by
/// 0.35 em. Left-aligned at `at`, vertically centred like `text_pos`.
fn draw_rich<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    size: f64,
    color: &RGBColor,
) -> Result<(), String> {
    let (mut x, y) = at;
    let mut rest = text;
    while !rest.is_empty() {
        let (part, shift, scale, next) = match rest.find(['^', '_']) {
            Some(0) => {
                let close = rest.find('}').unwrap_or(rest.len());
                let inner = rest.get(2..close).unwrap_or("");
                let dy = if rest.starts_with('^') { -0.35 } else { 0.3 };
                (inner, dy, 0.7, rest.get(close + 1..).unwrap_or(""))
            }
            Some(i) => (&rest[..i], 0.0, 1.0, &rest[i..]),
            None => (rest, 0.0, 1.0, ""),
        };
        let font = ("sans-serif", size * scale).into_font().color(color);
        let py = y + (shift * size).round() as i32;
        root.draw(&Text::new(
            part.to_string(),
            (x, py),
            font.clone().pos(text_pos(HPos::Left)),
        ))
        .map_err(err)?;
        let (w, _) = root.estimate_text_size(part, &font).map_err(err)?;
        x += w as i32;
        rest = next;
    }
    Ok(())
}

/// S̄ as "S" + combining U+0304, which WebKit's fonts drop (a bare "S"):
/// chart text writes a plain S and draws the bar as a line.
const OVERBAR: &str = "S\u{304}";

fn text_pos(h: HPos) -> Pos {
    Pos::new(h, VPos::Center)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::Distribution;
    use crate::plot::{CurveModel, CurveOptions};

    fn svg(log_x: bool) -> (String, Layout, CurveModel) {
        let d = Distribution::from_logits(&[2.0, 1.0, 0.5, -1.0], 1.0).unwrap();
        let o = CurveOptions {
            token: 0,
            kind: UpdateKind::PolicyGradient,
            step: 0.1,
            log_x,
            samples: 200,
        };
        let m = CurveModel::build(&d, &o).unwrap();
        let mut out = String::new();
        let layout = {
            let root = SVGBackend::with_string(&mut out, (800, 480)).into_drawing_area();
            let l = draw_curve(&root, &m, &ChartStyle::default()).unwrap();
            root.present().unwrap();
            l
        };
        (out, layout, m)
    }

    /// At a 320 px host page's width every legend item fits its row: the
    /// labels shorten instead of running off the canvas (issue 19).
    #[test]
    fn legend_fits_a_narrow_chart_and_a_nudge_has_no_p_dagger() {
        let d = Distribution::from_logits(&[2.0, 1.0, 0.5, -1.0], 1.0).unwrap();
        for kind in [UpdateKind::PolicyGradient, UpdateKind::Nudge] {
            let o = CurveOptions {
                token: 0,
                kind,
                step: 0.1,
                log_x: false,
                samples: 200,
            };
            let m = CurveModel::build(&d, &o).unwrap();
            for width in [240u32, 280, 300, 320, 400, 640, 800] {
                let mut out = String::new();
                let root = SVGBackend::with_string(&mut out, (width, 300)).into_drawing_area();
                let style = ChartStyle::default();
                let legend = legend_rows(&root, &m, &style).unwrap();
                let font = ("sans-serif", 12.0).into_font().color(&BLACK);
                let avail = width as i32 - (14 + 74 + 14);
                for &(_, label, x, _) in &legend.items {
                    let (w, _) = root
                        .estimate_text_size(&label.replace(OVERBAR, "S"), &font)
                        .unwrap();
                    let right = x + (LEGEND_SWATCH + 6.0) as i32 + w as i32;
                    assert!(
                        right <= avail,
                        "{width} px: {label:?} ends at {right} > {avail}"
                    );
                }
                assert_eq!(legend.items.len(), 4, "{width} px: every item drawn");
            }
            // p† is a policy-gradient step's flip: a nudge's chart has no p† marker.
            let mut out = String::new();
            {
                let root = SVGBackend::with_string(&mut out, (800, 480)).into_drawing_area();
                draw_curve(&root, &m, &ChartStyle::default()).unwrap();
                root.present().unwrap();
            }
            assert_eq!(
                out.contains("p†"),
                kind == UpdateKind::PolicyGradient,
                "{kind:?}"
            );
            assert!(out.contains("−H"));
        }
    }

    #[test]
    fn svg_has_the_curves_and_labels() {
        for log_x in [false, true] {
            let (s, layout, m) = svg(log_x);
            assert!(s.starts_with("<svg"));
            assert!(
                s.contains("p†") && s.contains("−H") && !s.contains("e^"),
                "markers are labelled, e^−H with a real superscript"
            );
            assert!(s.contains("expands H") && s.contains("contracts H"));
            // S̄ is a plain S under a drawn bar: WebKit drops the combining U+0304.
            assert!(
                s.contains("another token of probability q, H and S fixed")
                    && s.contains("exact: this token moved to q")
                    && !s.contains('\u{304}')
            );
            // The legend sits above the plot, clear of the data.
            assert!(layout.top > 30.0, "legend band: plot top at {}", layout.top);
            assert!(s.contains("stroke-dasharray") || s.matches("<polyline").count() >= 3);
            assert!(m.exact_flip.is_some());
            // The flip marker's pixel column is where the layout says p† is.
            let (x, _) = layout.to_pixel(m.flip_pg, 0.0);
            assert!(x > layout.left && x < layout.right);
        }
    }
}
