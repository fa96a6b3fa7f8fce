//! Prints the per-step CSV (the page's export-steps) of a training run:
//!
//!     cargo run --release --example run_steps -- DIR [--time]
//!
//! Reads the files of DIR (recursively, in path order) that the page reads
//! from a folder (.jsonl, .ndjson, .json, .safetensors, .csv) through the
//! same streaming reader, 1 MiB at a time; like the page, a file that is
//! not a run file (a config, a tokenizer, an empty file) is skipped with a
//! note on stderr, and the run is refused only when no run file is left.
//! With --time, prints the bytes read and the throughput to stderr.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use entropy_polarity::math::run::csv::write_steps;
use entropy_polarity::math::run::{RunError, RunOptions, RunReader};

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            files(&path, out)?;
        } else if [".jsonl", ".ndjson", ".json", ".safetensors", ".csv"]
            .iter()
            .any(|e| name.to_ascii_lowercase().ends_with(e))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let time = args.iter().any(|a| a == "--time");
    let Some(dir) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: run_steps DIR [--time]");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    let mut paths = vec![];
    if let Err(e) = files(dir, &mut paths) {
        eprintln!("{}: {e}", dir.display());
        std::process::exit(1);
    }
    paths.sort();
    let start = Instant::now();
    let mut bytes = 0u64;
    let mut r = RunReader::new(RunOptions::default());
    let mut buf = vec![0u8; 1 << 20];
    let run = |r: &mut RunReader, bytes: &mut u64, buf: &mut [u8]| -> Result<(), String> {
        let (mut read, mut first_foreign) = (0, None);
        for p in &paths {
            let rel = p
                .strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/");
            let mut f = std::fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let mut one = || -> Result<(), RunError> {
                r.begin_file(&rel)?;
                loop {
                    let n = f
                        .read(buf)
                        .map_err(|e| RunError::new("io", e.to_string()).at(&rel, None))?;
                    if n == 0 {
                        break;
                    }
                    *bytes += n as u64;
                    r.push(&buf[..n])?;
                }
                r.end_file().map(|_| ())
            };
            match one() {
                Ok(()) => read += 1,
                Err(e) if e.foreign => {
                    eprintln!("skipped, not a run file: {e}");
                    first_foreign.get_or_insert(e);
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        match first_foreign {
            Some(e) if read == 0 => Err(e.to_string()),
            _ => Ok(()),
        }
    };
    if let Err(e) = run(&mut r, &mut bytes, &mut buf) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let steps = r.steps();
    let secs = start.elapsed().as_secs_f64();
    print!("{}", write_steps(&steps.rows));
    if time {
        eprintln!(
            "{} files, {:.1} MB in {:.3} s: {:.0} MB/s",
            paths.len(),
            bytes as f64 / 1e6,
            secs,
            bytes as f64 / 1e6 / secs
        );
    }
}
