//! The pure core: plain slices in, plain numbers out, `CoreError` on bad
//! input. Nothing here knows about the browser.

pub mod bars;
pub mod curve;
pub mod dist;
pub mod error;
pub mod explorer;
pub mod figures;
pub mod format;
pub mod lambert;
pub mod lesson;
pub mod rows;
pub mod run;
pub mod sampling;
pub mod series;
pub mod simulate;
pub mod slice;
pub mod sum;
pub mod update;

pub use dist::{flip_pg, Distribution};
pub use error::CoreError;
pub use lambert::lambert_w0;
pub use update::{apply_update, UpdateKind};
