//! Round trip: a lab run written in trace format v1 (the lab's download),
//! read back by the run core (the run view's reader): the per-step table's
//! realised_dh equals the lab's own entropy differences, and every step has
//! the group it sampled.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::{RunOptions, RunReader};
use entropy_polarity::math::simulate::{trace, Preset, SimOptions, Simulation, Strategy};

#[test]
fn lab_trace_round_trips_through_the_run_reader() {
    for (strategy, preset, group) in [
        (Strategy::Pg, Preset::SeveralCorrect, 8),
        (Strategy::Polarity, Preset::Noisy, 5),
        (Strategy::ClipCov, Preset::Random, 16),
    ] {
        let steps = 40;
        let o = SimOptions {
            strategy,
            preset: Some(preset),
            vocab: Some(50),
            group,
            steps,
            seed: 9,
            ..SimOptions::default()
        };
        let mut sim = Simulation::new(&o).unwrap().record();
        sim.advance(steps).unwrap();
        let run = sim.finish();
        let text = trace::to_jsonl(&run, strategy.as_str());
        assert_eq!(text.lines().count(), steps * group);

        let mut reader = RunReader::new(RunOptions::default());
        reader.begin_file("lab/run.jsonl").unwrap();
        // Uneven chunks: the reader keeps partial lines.
        for chunk in text.as_bytes().chunks(997) {
            reader.push(chunk).unwrap();
        }
        let file = reader.end_file().unwrap();
        assert_eq!(file.samples as usize, steps * group, "{file:?}");
        let rows = reader.steps().rows;
        assert_eq!(rows.len(), steps);
        for (t, row) in rows.iter().enumerate() {
            assert_eq!(row.step, t as f64);
            assert_eq!(row.samples, group as f64);
            assert_eq!(row.tokens, group as f64);
            assert!(
                (row.mean_entropy - run.entropy[t]).abs() <= 1e-13,
                "step {t}"
            );
            if t + 1 < steps {
                let want = run.entropy[t + 1] - run.entropy[t];
                assert!(
                    (row.realised_dh - want).abs() <= 1e-12,
                    "{strategy:?} step {t}: realised_dh {} vs lab {want}",
                    row.realised_dh
                );
            } else {
                assert!(row.realised_dh.is_nan(), "the last step has no next one");
            }
        }
    }
}
