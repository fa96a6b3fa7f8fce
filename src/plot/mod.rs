//! The entropy-change chart: [`model`] turns a distribution and an update
//! into finished numbers, [`chart`] draws those numbers on any plotters
//! backend (canvas in the page, SVG for export and native tests).

pub mod chart;
pub mod model;

pub use chart::{draw_curve, ChartStyle, Layout, MIN_HEIGHT, MIN_WIDTH};
pub use model::{CurveModel, CurveOptions, MAX_DOTS};
