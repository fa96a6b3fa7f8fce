//! Issue 13's case: explicit rewards on 4 tokens, one of them the initially
//! most likely; polarity against plain PG over V, lr and 16 seeds.
//! `cargo run --release --example lab_issue13 -- [two]` (two: the old two-sided controller).
use entropy_polarity::math::simulate::grid::explicit_rewards;
use entropy_polarity::math::simulate::{simulate, PolarityMode, SimOptions, Strategy};

fn main() {
    let two = std::env::args().any(|a| a == "two");
    println!(
        "{:>5} {:>4} {:>9} {:>9} {:>9} {:>9}",
        "V", "lr", "H pg", "H pol", "R pg", "R pol"
    );
    for v in [20, 100, 1000] {
        for lr in [0.1, 0.3, 0.5] {
            let mut m = [0.0; 4];
            for seed in 0..16 {
                for (i, s) in [Strategy::Pg, Strategy::Polarity].into_iter().enumerate() {
                    let mut o = SimOptions {
                        strategy: s,
                        vocab: Some(v),
                        rewards: Some(explicit_rewards(v)),
                        lr,
                        steps: 300,
                        seed,
                        ..SimOptions::default()
                    };
                    if two {
                        o.polarity_mode = PolarityMode::TwoSided;
                        o.polarity_max_weight = 4.0;
                    }
                    let r = simulate(&o).unwrap();
                    m[i] += r.entropy[300] / 16.0;
                    m[2 + i] += r.reward[300] / 16.0;
                }
            }
            println!(
                "{v:>5} {lr:>4} {:>9.4} {:>9.4} {:>9.4} {:>9.4}",
                m[0], m[1], m[2], m[3]
            );
        }
    }
}
