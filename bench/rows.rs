//! Benchmark of `math::rows::analyze_rows` on a [64 × 152,064] float32 slice
//! (no criterion: std::time, median of N runs). Also checks the entropy of
//! every row against the f64 reference path.
//!
//!     cargo bench --bench rows -- [--reps N] [--write-data DIR] [--json]
//!
//! `--write-data DIR` writes the slice for the wasm and NumPy benchmarks
//! (bench/run.sh): logits.f32 (row-major, little-endian), tokens.u32,
//! advantages.f32, entropy_ref.f64 (the f64 reference entropies) and
//! shape.json.

use entropy_polarity::math::rows::analyze_rows;
use entropy_polarity::math::Distribution;
use std::time::Instant;

const ROWS: usize = 64;
const VOCAB: usize = 152_064;

#[path = "../tests/native/support/splitmix.rs"]
mod splitmix;
use splitmix::Rng;

pub struct Slice {
    pub logits: Vec<f32>,
    pub tokens: Vec<u32>,
    pub advantages: Vec<f32>,
}

/// Logits like an LLM's: 3·N(0,1) over the vocabulary plus a handful of
/// large ones whose height varies by row (from broad rows to near-one-hot
/// ones); every 16th row has half of its vocabulary masked (−∞). The sampled
/// token is drawn from the row's softmax; advantages are N(0,1).
pub fn make_slice(seed: u64) -> Slice {
    let mut rng = Rng(seed);
    let mut logits = vec![0f32; ROWS * VOCAB];
    let mut tokens = Vec::with_capacity(ROWS);
    let mut advantages = Vec::with_capacity(ROWS);
    for (r, row) in logits.chunks_exact_mut(VOCAB).enumerate() {
        for v in row.iter_mut() {
            *v = (3.0 * rng.normal()) as f32;
        }
        let height = 8.0 + 24.0 * (r % 8) as f64 / 7.0;
        for _ in 0..1 + r % 6 {
            let j = rng.below(VOCAB);
            row[j] = (height + 2.0 * rng.normal()) as f32;
        }
        if r % 16 == 15 {
            for v in row.iter_mut().skip(1).step_by(2) {
                *v = f32::NEG_INFINITY;
            }
        }
        // Sample from softmax(row) by inverse CDF, in f64.
        let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let total: f64 = row.iter().map(|&v| (v as f64 - m).exp()).sum();
        let mut target = rng.uniform() * total;
        let mut k = 0;
        for (j, &v) in row.iter().enumerate() {
            let e = (v as f64 - m).exp();
            if e > 0.0 {
                k = j;
            }
            target -= e;
            if target <= 0.0 {
                break;
            }
        }
        tokens.push(k as u32);
        advantages.push(rng.normal() as f32);
    }
    Slice {
        logits,
        tokens,
        advantages,
    }
}

/// On-CPU time of this thread in seconds (less sensitive than wall time to
/// other processes sharing the cores), or NaN where it cannot be read.
fn on_cpu() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into `t`.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
        t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
    } else {
        f64::NAN
    }
}

/// Wall and on-CPU seconds of one call.
fn timed<T>(f: impl FnOnce() -> T) -> (f64, f64) {
    let c = on_cpu();
    let t = Instant::now();
    std::hint::black_box(f());
    (t.elapsed().as_secs_f64(), on_cpu() - c)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn write_bytes<T: Copy>(path: &std::path::Path, data: &[T], to_le: impl Fn(T) -> Vec<u8>) {
    let bytes: Vec<u8> = data.iter().flat_map(|&x| to_le(x)).collect();
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let reps: usize = value("--reps").map_or(15, |s| s.parse().expect("--reps N"));
    let json = args.iter().any(|a| a == "--json");

    let slice = make_slice(0x00C0_FFEE);
    // f64 reference entropies (Distribution::from_logits on the same f32 values).
    let reference: Vec<f64> = slice
        .logits
        .chunks_exact(VOCAB)
        .map(|row| {
            let z: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
            Distribution::from_logits(&z, 1.0).unwrap().entropy()
        })
        .collect();

    if let Some(dir) = value("--write-data") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        write_bytes(&dir.join("logits.f32"), &slice.logits, |x| {
            x.to_le_bytes().to_vec()
        });
        write_bytes(&dir.join("tokens.u32"), &slice.tokens, |x| {
            x.to_le_bytes().to_vec()
        });
        write_bytes(&dir.join("advantages.f32"), &slice.advantages, |x| {
            x.to_le_bytes().to_vec()
        });
        write_bytes(&dir.join("entropy_ref.f64"), &reference, |x| {
            x.to_le_bytes().to_vec()
        });
        std::fs::write(
            dir.join("shape.json"),
            format!("{{\"rows\": {ROWS}, \"vocab\": {VOCAB}}}\n"),
        )
        .unwrap();
    }

    if args.iter().any(|a| a == "--phases") {
        use entropy_polarity::math::rows::kernel;
        let rows = || slice.logits.chunks_exact(VOCAB);
        let maxes: Vec<(f32, usize)> = rows().map(kernel::row_max).collect();
        let (mut t_max, mut t_sums) = (Vec::new(), Vec::new());
        for _ in 0..reps {
            t_max.push(
                timed(|| {
                    for row in rows() {
                        std::hint::black_box(kernel::row_max(std::hint::black_box(row)));
                    }
                })
                .1,
            );
            t_sums.push(
                timed(|| {
                    for (row, &(m, b)) in rows().zip(&maxes) {
                        std::hint::black_box(kernel::row_sums(std::hint::black_box(row), m, b));
                    }
                })
                .1,
            );
        }
        let n = (ROWS * VOCAB) as f64;
        println!(
            "phases (on-CPU): max pass {:.3e} logits/s, fused pass {:.3e} logits/s",
            n / median(t_max),
            n / median(t_sums)
        );
    }
    let run = || {
        analyze_rows(
            &slice.logits,
            ROWS,
            VOCAB,
            Some(&slice.tokens),
            Some(&slice.advantages),
        )
        .unwrap()
    };
    let out = run(); // warm-up
    let max_rel = out
        .entropy
        .iter()
        .zip(&reference)
        .map(|(h, r)| ((h - r) / r).abs())
        .fold(0f64, f64::max);
    let (mut wall, mut cpu) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        let (w, c) = timed(run);
        wall.push(w);
        cpu.push(c);
    }
    let (t, c) = (median(wall), median(cpu));
    let rate = (ROWS * VOCAB) as f64 / t;
    let cpu_rate = (ROWS * VOCAB) as f64 / c;
    let h_range = reference
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &h| (lo.min(h), hi.max(h)));
    if json {
        println!(
            "{{\"native\": {{\"seconds\": {t:e}, \"logits_per_s\": {rate:e}, \"cpu_seconds\": {c:e}, \
             \"cpu_logits_per_s\": {cpu_rate:e}, \"max_rel_entropy_err\": {max_rel:e}}}}}"
        );
    } else {
        println!(
            "native analyze_rows [{ROWS} x {VOCAB}]: median {:.2} ms of {reps} -> {rate:.3e} logits/s \
             (on-CPU {cpu_rate:.3e}); entropy max rel. error vs f64 {max_rel:.2e} (H from {:.2e} to {:.2})",
            t * 1e3,
            h_range.0,
            h_range.1
        );
    }
}
