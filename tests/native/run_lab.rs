//! Round trip: the control lab's run, written in trace format v1
//! (math::simulate::trace::to_jsonl, what the lab page downloads), read back
//! by the RunReader. Every sample of a lab step shares the policy's entropy,
//! so realised_dh must equal the lab's own entropy differences H[t+1] − H[t].

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::{Format, RunOptions, RunReader};
use entropy_polarity::math::simulate::{trace::to_jsonl, SimOptions, Simulation};

#[test]
fn lab_trace_realised_dh_is_the_labs_entropy_change() {
    let opts = SimOptions {
        steps: 40,
        ..SimOptions::default()
    };
    let mut sim = Simulation::new(&opts).unwrap().record();
    while !sim.is_done() {
        sim.advance(8).unwrap();
    }
    let run = sim.finish();
    let text = to_jsonl(&run, "lab:pg");
    let mut r = RunReader::new(RunOptions::default());
    r.begin_file("lab-trace.jsonl").unwrap();
    for c in text.as_bytes().chunks(4096) {
        r.push(c).unwrap();
    }
    r.end_file().unwrap();
    assert_eq!(r.summary().format, Some(Format::Trace));
    let steps = r.steps().rows;
    assert_eq!(steps.len(), 40);
    let mut compared = 0;
    for (t, s) in steps.iter().enumerate() {
        assert_eq!(s.step, t as f64);
        if s.tokens > 0.0 {
            let h = run.entropy[t];
            assert!((s.mean_entropy - h).abs() <= 1e-15 * h.max(1.0), "step {t}");
        }
        if t + 1 < steps.len() && s.realised_dh.is_finite() {
            let want = run.entropy[t + 1] - run.entropy[t];
            assert!(
                (s.realised_dh - want).abs() <= 4e-16 * run.entropy[t].max(1.0),
                "step {t}: realised_dh {} against the lab's {want}",
                s.realised_dh
            );
            compared += 1;
        }
    }
    assert!(
        compared >= 30,
        "only {compared} steps had counted tokens on both sides"
    );
}
