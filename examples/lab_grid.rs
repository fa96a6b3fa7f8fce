//! Prints the control lab's scenario-grid summary (the pinned one by
//! default). `cargo run --release --example lab_grid -- [big]`: `big` adds
//! V = 1000, lr 0.3 and 8 seeds; `two-sided` runs polarity as it was before
//! issue 13 (two-sided controller, w_max = 4).
use entropy_polarity::math::simulate::grid::{self, GridSpec};

fn main() {
    let mut spec = GridSpec::default();
    if std::env::args().any(|a| a == "big") {
        spec.vocab = vec![20, 200, 1000];
        spec.lr = vec![0.1, 0.3, 0.5];
        spec.seeds = 8;
        spec.steps = 300;
    }
    if std::env::args().any(|a| a == "two-sided") {
        // The polarity strategy as it was before issue 13: two-sided, w_max 4.
        spec.base.polarity_mode = entropy_polarity::math::simulate::PolarityMode::TwoSided;
        spec.base.polarity_max_weight = 4.0;
    }
    let t = std::time::Instant::now();
    let cells = grid::run(&spec).expect("the grid runs");
    print!("{}", grid::summary(&spec, &cells));
    eprintln!("{:.1} s", t.elapsed().as_secs_f64());
}
