//! Native timing of the control lab's workload (not a test; no thresholds):
//! 1,000 steps of each of the 4 strategies with V = 1,000 and G = 16, the
//! page's target being under 100 ms in the browser for the whole set.
//!
//! Run with `cargo bench --bench simulate`. Prints the median of N runs of
//! the whole set, for each reward preset and for 1 and 4 epochs: wall-clock
//! time, and on Linux also the CPU time of this thread (from
//! /proc/thread-self/schedstat), which is what counts on a shared machine.

use entropy_polarity::math::simulate::{simulate, Preset, SimOptions, Strategy};
use std::hint::black_box;
use std::time::Instant;

const RUNS: usize = 15;

/// CPU time of this thread in ms, if the kernel tells.
fn cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e6)
}

/// Medians of wall-clock and CPU time in ms.
fn median_ms(mut f: impl FnMut()) -> (f64, Option<f64>) {
    f(); // warm-up
    let mut wall = Vec::with_capacity(RUNS);
    let mut cpu = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (t, c) = (Instant::now(), cpu_ms());
        f();
        wall.push(t.elapsed().as_secs_f64() * 1e3);
        if let (Some(a), Some(b)) = (c, cpu_ms()) {
            cpu.push(b - a);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let c = (cpu.len() == RUNS).then(|| median(&mut cpu));
    (median(&mut wall), c)
}

fn main() {
    // A yardstick for this machine: as many libm exps as 4 epochs of the
    // whole set computes softmax entries (4 × 4,000 steps × 1,000 tokens).
    let z: Vec<f64> = (0..1000).map(|j| -((j + 1) as f64).ln()).collect();
    let mut e = vec![0.0; 1000];
    let (wall, cpu) = median_ms(|| {
        for it in 0..16_000 {
            let s = it as f64 * 1e-9;
            for (e, &z) in e.iter_mut().zip(&z) {
                *e = black_box(z - s).exp();
            }
            black_box(&e);
        }
    });
    let cpu = cpu.map_or(String::new(), |c| format!(", CPU {c:7.2} ms"));
    println!("yardstick: 16M calls of f64::exp (libm): wall {wall:7.2} ms{cpu}");
    println!("simulate: 1000 steps x 4 strategies, V = 1000, G = 16; median of {RUNS} runs");
    for epochs in [SimOptions::default().epochs, 1] {
        for preset in Preset::ALL {
            let base = SimOptions {
                vocab: Some(1000),
                group: 16,
                steps: 1000,
                seed: 1,
                epochs,
                preset: Some(preset),
                ..SimOptions::default()
            };
            let (wall, cpu) = median_ms(|| {
                for strategy in Strategy::ALL {
                    let o = SimOptions {
                        strategy,
                        ..base.clone()
                    };
                    black_box(simulate(black_box(&o)).unwrap());
                }
            });
            let cpu = cpu.map_or(String::new(), |c| format!(", CPU {c:7.2} ms"));
            println!(
                "  epochs = {epochs}, preset = {:<16} wall {wall:7.2} ms{cpu}",
                preset.as_str()
            );
        }
    }
}
