//! The lab's runs in trace format v1 (docs/trace-format.md): JSONL, one line
//! per sampled completion. Each completion is one token, so every per-token
//! array has one entry: the token, its ln p under the sampling policy, the
//! entropy and S̄ of that policy at the step, the group-normalised advantage
//! (before any strategy's weights) and mask true.

use super::run::SimResult;
use std::fmt::Write;

/// A JSON number, or null when it is not finite (as the format says).
fn num(out: &mut String, x: f64) {
    if x.is_finite() {
        // Rust's shortest round-trip decimal, valid JSON (no exponent).
        let _ = write!(out, "{x:?}");
    } else {
        out.push_str("null");
    }
}

/// Writes the recorded groups of `run` (see `Simulation::record`) as JSONL.
/// `env_name` names the run (e.g. the strategy).
pub fn to_jsonl(run: &SimResult, env_name: &str) -> String {
    let mut out = String::new();
    let env: String = env_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_:.".contains(*c))
        .collect();
    for (step, s) in run.trace.iter().enumerate() {
        for (i, &k) in s.tokens.iter().enumerate() {
            let _ = write!(
                out,
                "{{\"trace\":\"entropy-polarity\",\"version\":1,\"step\":{step},\"sample\":{i},\"token_id\":[{k}],\"logprob\":["
            );
            num(&mut out, s.logprob[i]);
            out.push_str("],\"entropy\":[");
            num(&mut out, s.entropy);
            out.push_str("],\"mean_discriminator\":[");
            num(&mut out, s.mean_discriminator);
            out.push_str("],\"advantage\":[");
            num(&mut out, s.advantage[i]);
            let _ = writeln!(out, "],\"mask\":[true],\"env_name\":\"{env}\"}}");
        }
    }
    out
}
