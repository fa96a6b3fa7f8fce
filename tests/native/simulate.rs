//! Properties of the control lab's simulation that follow from the math of
//! docs/math.md (and from Park et al. 2025 for clipping), not numbers copied from
//! the code.

// Native only: the browser tier is tests/web.rs.
#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::simulate::{
    simulate, PolarityMode, Preset, SimError, SimOptions, SimResult, Strategy,
};
use entropy_polarity::math::Distribution;

fn zipf_logits(v: usize, s: f64) -> Vec<f64> {
    (0..v).map(|j| -s * ((j + 1) as f64).ln()).collect()
}

fn one_hot(v: usize, k: usize) -> Vec<f64> {
    let mut r = vec![0.0; v];
    r[k] = 1.0;
    r
}

/// First-order prediction of entropy[t + 1] − entropy[t].
fn predicted(r: &SimResult, t: usize) -> f64 {
    r.expand_dh[t] + r.contract_dh[t] + r.bonus_dh[t]
}

fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

// ---------------------------------------------------------------------------
// Direction: the sign of the entropy change.

/// Group-normalised advantages sum to zero, so a step's first-order change is
/// −Σ_i A_i S_{k_i} = −n A₊ (S_k − mean S of the other samples) for a single
/// rewarded token k sampled n times. The top token has the largest S_j
/// (S = q (H + ln q) increases in q above e^{−H−1} and is negative below e^{−H}),
/// so rewarding it — a token above p† — lowers H on every step that carries
/// a signal, and leaves H untouched on steps whose group is all-equal.
#[test]
fn rewarding_the_top_token_narrows_on_every_step() {
    let v = 20;
    let logits = zipf_logits(v, 1.0);
    let d = Distribution::from_logits(&logits, 1.0).unwrap();
    assert!(
        d.probs()[0] > d.flip_policy_gradient(),
        "the test needs a token above p†"
    );
    for seed in 0..4 {
        let r = simulate(&SimOptions {
            logits: Some(logits.clone()),
            rewards: Some(one_hot(v, 0)),
            group: 8,
            lr: 0.02,
            epochs: 1,
            steps: 400,
            seed,
            ..SimOptions::default()
        })
        .unwrap();
        let mut signal_steps = 0;
        for t in 0..400 {
            let real = r.entropy[t + 1] - r.entropy[t];
            let first = predicted(&r, t);
            if r.expanding[t] + r.contracting[t] == 0 {
                assert_eq!(real, 0.0, "seed {seed} step {t}: no signal, yet H moved");
                continue;
            }
            signal_steps += 1;
            assert!(real < 0.0, "seed {seed} step {t}: H rose by {real}");
            assert!(first < 0.0, "seed {seed} step {t}: first order {first}");
            assert!(
                (real - first).abs() <= 0.2 * first.abs(),
                "seed {seed} step {t}: realised {real} vs first order {first}"
            );
        }
        assert!(
            signal_steps > 100,
            "seed {seed}: only {signal_steps} steps had a signal"
        );
        assert!(r.reward[400] > r.reward[0] && r.entropy[400] < r.entropy[0]);
    }
}

/// The token with the most negative S_j (p_j = e^{−H−1}, below e^{−H} ≤ p†):
/// no other sample can have a smaller S, so the first step that rewards it
/// widens the distribution; only once it has become likely does H fall.
#[test]
fn rewarding_a_token_below_the_flip_widens_first_then_turns() {
    let v = 20;
    let logits = zipf_logits(v, 1.0);
    let d = Distribution::from_logits(&logits, 1.0).unwrap();
    let s = d.discriminator();
    let k = (0..v).min_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
    assert!(d.probs()[k] < d.flip_nudge() && d.flip_nudge() <= d.flip_policy_gradient());
    for seed in 0..4 {
        let r = simulate(&SimOptions {
            logits: Some(logits.clone()),
            rewards: Some(one_hot(v, k)),
            group: 8,
            lr: 0.2,
            epochs: 1,
            steps: 1500,
            seed,
            ..SimOptions::default()
        })
        .unwrap();
        let t = (0..1500)
            .find(|&t| r.expanding[t] + r.contracting[t] > 0)
            .expect("the rewarded token is never sampled");
        assert_eq!(r.entropy[t], r.entropy[0], "H moved before any signal");
        let real = r.entropy[t + 1] - r.entropy[t];
        assert!(
            real > 0.0,
            "seed {seed}: first rewarded step changed H by {real}"
        );
        assert!(predicted(&r, t) > 0.0);
        let (peak_at, peak) = r
            .entropy
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert!(peak > r.entropy[0] && peak_at > t);
        // ... and where it turns: the run ends narrower than it started,
        // with the rewarded token dominant.
        assert!(
            r.entropy[1500] < r.entropy[0],
            "seed {seed}: H never turned"
        );
        assert!(r.final_probs[k] > 0.5);
    }
}

/// The recorded branches add up to the first-order change, which matches the
/// realised change for small steps, for every strategy (epochs and bonus too).
/// The second-order remainder scales with the gross first-order movement
/// (expanding + |contracting| + bonus), not with the net, which nearly cancels
/// under random rewards.
#[test]
fn branch_contributions_add_up_to_the_realised_change() {
    for strategy in Strategy::ALL {
        for preset in [Preset::SeveralCorrect, Preset::Noisy, Preset::Random] {
            let r = simulate(&SimOptions {
                strategy,
                preset: Some(preset),
                vocab: Some(50),
                lr: 0.01,
                epochs: 3,
                steps: 200,
                seed: 11,
                ..SimOptions::default()
            })
            .unwrap();
            let (mut real, mut first) = (0.0, 0.0);
            for t in 0..200 {
                assert!(r.expand_dh[t] >= 0.0 && r.contract_dh[t] <= 0.0 && r.bonus_dh[t] >= 0.0);
                let (a, b) = (r.entropy[t + 1] - r.entropy[t], predicted(&r, t));
                let gross = r.expand_dh[t] - r.contract_dh[t] + r.bonus_dh[t];
                assert!(
                    (a - b).abs() <= 0.05 * gross + 1e-12,
                    "{strategy:?} {preset:?} step {t}: realised {a} vs first order {b}"
                );
                real += a;
                first += b;
            }
            assert!(
                (real - first).abs() <= 0.1 * first.abs() + 0.01 * (real.abs() + 1e-3),
                "{strategy:?} {preset:?}: realised {real} vs first order {first} over the run"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Reproducibility.

#[test]
fn a_seed_fixes_the_run() {
    for strategy in Strategy::ALL {
        for preset in Preset::ALL {
            let o = SimOptions {
                strategy,
                preset: Some(preset),
                steps: 100,
                seed: 42,
                ..SimOptions::default()
            };
            let a = simulate(&o).unwrap();
            assert_eq!(a, simulate(&o).unwrap());
            let b = simulate(&SimOptions { seed: 43, ..o }).unwrap();
            assert_ne!(a.entropy, b.entropy, "{strategy:?} {preset:?}");
        }
    }
}

/// The four strategies are drawn from the same seed: their first sampled
/// group is the same, so the first step's polarity counts agree.
#[test]
fn strategies_share_the_first_group() {
    let runs: Vec<SimResult> = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            simulate(&SimOptions {
                strategy,
                preset: Some(Preset::Noisy),
                steps: 1,
                seed: 5,
                ..SimOptions::default()
            })
            .unwrap()
        })
        .collect();
    for r in &runs[1..] {
        assert_eq!(r.expanding[0], runs[0].expanding[0]);
        assert_eq!(r.contracting[0], runs[0].contracting[0]);
        assert_eq!(r.entropy[0], runs[0].entropy[0]);
    }
}

/// Each strategy reduces to plain `pg` when its own knob is neutral: the
/// strategies differ only in what they say they change.
#[test]
fn neutral_knobs_give_plain_pg_bit_for_bit() {
    let base = SimOptions {
        preset: Some(Preset::SeveralCorrect),
        lr: 0.5,
        steps: 150,
        seed: 9,
        ..SimOptions::default()
    };
    let pg = simulate(&base).unwrap();
    assert!(pg
        .clipped_low
        .iter()
        .chain(&pg.clipped_high)
        .any(|&c| c > 0));
    let same = |o: SimOptions| {
        let r = simulate(&o).unwrap();
        assert_eq!(r.entropy, pg.entropy, "{:?}", o.strategy);
        assert_eq!(r.clipped_high, pg.clipped_high);
    };
    same(SimOptions {
        strategy: Strategy::EntropyBonus,
        entropy_coef: 0.0,
        ..base.clone()
    });
    same(SimOptions {
        strategy: Strategy::ClipHigher,
        clip_high: base.clip_low,
        ..base.clone()
    });
    same(SimOptions {
        strategy: Strategy::Polarity,
        polarity_gain: 0.0,
        ..base.clone()
    });
}

// ---------------------------------------------------------------------------
// Control.

#[test]
fn polarity_weights_follow_the_entropy_towards_the_target() {
    // Noisy rewards keep the advantages non-zero, so there is always
    // something to reweight (an all-equal group has nothing to steer).
    // The two-sided controller (kept as an option): its weight goes both ways.
    const TARGET: f64 = 1.5;
    let o = SimOptions {
        strategy: Strategy::Polarity,
        polarity_mode: PolarityMode::TwoSided,
        polarity_max_weight: 4.0,
        preset: Some(Preset::Noisy),
        target_entropy: Some(TARGET),
        steps: 300,
        seed: 2,
        ..SimOptions::default()
    };
    let r = simulate(&o).unwrap();
    assert_eq!(r.target_entropy, TARGET);
    for t in 0..300 {
        let want = (o.polarity_gain * (TARGET - r.entropy[t]))
            .exp()
            .clamp(1.0 / o.polarity_max_weight, o.polarity_max_weight);
        assert!(
            (r.expand_weight[t] - want).abs() <= 1e-14 * want,
            "step {t}"
        );
    }
    // Averaged over seeds, the run ends nearer the target than plain pg
    // (which collapses towards 0).
    let (mut pol, mut pg) = (vec![], vec![]);
    for seed in 0..16 {
        let run = |strategy| {
            let r = simulate(&SimOptions {
                strategy,
                seed,
                ..o.clone()
            })
            .unwrap();
            (r.entropy[300] - TARGET).abs()
        };
        pol.push(run(Strategy::Polarity));
        pg.push(run(Strategy::Pg));
    }
    let d: Vec<f64> = pg.iter().zip(&pol).map(|(a, b)| a - b).collect();
    let (m, se) = mean_se(&d);
    assert!(
        m - 3.0 * se > 0.0,
        "distance to target: pg − polarity = {m} ± {se}"
    );
}

#[test]
fn an_entropy_bonus_widens_what_random_rewards_would_narrow() {
    let (mut bonus, mut pg) = (vec![], vec![]);
    for seed in 0..16 {
        let run = |strategy| {
            simulate(&SimOptions {
                strategy,
                preset: Some(Preset::Random),
                entropy_coef: 0.5,
                steps: 200,
                seed,
                ..SimOptions::default()
            })
            .unwrap()
        };
        let b = run(Strategy::EntropyBonus);
        assert!(b.bonus_dh.iter().all(|&x| x > 0.0));
        bonus.push(b.entropy[200]);
        pg.push(run(Strategy::Pg).entropy[200]);
    }
    let d: Vec<f64> = bonus.iter().zip(&pg).map(|(a, b)| a - b).collect();
    let (m, se) = mean_se(&d);
    assert!(m - 3.0 * se > 0.0, "bonus − pg final entropy = {m} ± {se}");
}

// ---------------------------------------------------------------------------
// Park et al. 2025 (arXiv:2509.26114): with purely random rewards, clip-low
// raises entropy, clip-high lowers it, and under a symmetric clip clip-high
// dominates, so entropy drifts down.
//
// The toy has a second, clip-free drift: logits that random-walk under
// zero-mean updates make the softmax peakier on average (a second-order
// effect), so "entropy falls under symmetric clipping" alone would pass even
// if clipping did nothing. The claim is about clipping, so each clipped run is
// compared with the same seed's unclipped run (ε_low = 1, ε_high = 1e9: the
// ratio can never leave the band), and the mean difference over 128 seeds
// must clear zero by three standard errors. (With 64 seeds the weakest of the
// effects, clip-low's, sat between 2.8 and 5.4 standard errors over five
// disjoint seed sets; with 128 every effect cleared 4.8 on five disjoint sets.)
// The clip must act for any of this to show: lr 0.5 and 8 epochs per group
// move the ratios of singly sampled tokens well past 1 ± 0.2.

struct ParkRuns {
    /// Final-minus-initial entropy per seed.
    dh: Vec<f64>,
    clipped_low: u64,
    clipped_high: u64,
}

fn park(clip_low: f64, clip_high: f64, seeds: std::ops::Range<u64>) -> ParkRuns {
    let mut out = ParkRuns {
        dh: vec![],
        clipped_low: 0,
        clipped_high: 0,
    };
    for seed in seeds {
        let r = simulate(&SimOptions {
            strategy: Strategy::ClipHigher, // the two bounds as given
            preset: Some(Preset::Random),
            vocab: Some(100),
            group: 16,
            lr: 0.5,
            epochs: 8,
            steps: 200,
            clip_low,
            clip_high,
            seed,
            ..SimOptions::default()
        })
        .unwrap();
        out.dh.push(r.entropy[200] - r.entropy[0]);
        out.clipped_low += r.clipped_low.iter().map(|&c| u64::from(c)).sum::<u64>();
        out.clipped_high += r.clipped_high.iter().map(|&c| u64::from(c)).sum::<u64>();
    }
    out
}

fn paired(a: &ParkRuns, b: &ParkRuns) -> (f64, f64) {
    let d: Vec<f64> = a.dh.iter().zip(&b.dh).map(|(x, y)| x - y).collect();
    mean_se(&d)
}

#[test]
fn park_clip_high_dominates_under_random_rewards() {
    let seeds = 0..128;
    let none = park(1.0, 1e9, seeds.clone());
    let sym = park(0.2, 0.2, seeds.clone());
    let high = park(1.0, 0.2, seeds.clone());
    let low = park(0.2, 1e9, seeds);
    assert_eq!(none.clipped_low + none.clipped_high, 0);

    // Entropy drifts down under the symmetric clip ...
    let (m, se) = mean_se(&sym.dh);
    assert!(m + 3.0 * se < 0.0, "symmetric clip: ΔH = {m} ± {se}");
    // ... by more than without clipping: the clip's own effect is negative.
    let (m, se) = paired(&sym, &none);
    assert!(m + 3.0 * se < 0.0, "symmetric − unclipped: {m} ± {se}");
    // Clip-high alone lowers entropy, clip-low alone raises it.
    let (m, se) = paired(&high, &none);
    assert!(m + 3.0 * se < 0.0, "clip-high only − unclipped: {m} ± {se}");
    let (m, se) = paired(&low, &none);
    assert!(m - 3.0 * se > 0.0, "clip-low only − unclipped: {m} ± {se}");
    // With ε_low = ε_high, clip-high also fires more often: 1 + ε is nearer
    // 1 in log-ratio than 1 − ε (ln 1.2 = 0.18 < −ln 0.8 = 0.22), and the
    // surrogate's gradient grows with ρ for a > 0 and shrinks for a < 0.
    assert!(
        sym.clipped_high > sym.clipped_low,
        "clip-high {} vs clip-low {} events",
        sym.clipped_high,
        sym.clipped_low
    );
}

// ---------------------------------------------------------------------------
// Validation.

fn err(o: SimOptions) -> String {
    let e = simulate(&o).unwrap_err().to_string();
    assert_eq!(o.validate().unwrap_err().to_string(), e);
    e
}

#[test]
fn bad_options_are_explained() {
    let d = SimOptions::default;
    assert!(Strategy::parse("ppo")
        .unwrap_err()
        .to_string()
        .contains("\"ppo\""));
    assert!(matches!(
        Preset::parse("easy").unwrap_err(),
        SimError::Choice { .. }
    ));
    assert!(err(SimOptions {
        vocab: Some(1),
        ..d()
    })
    .contains("vocab = 1 "));
    assert!(err(SimOptions {
        vocab: Some(1001),
        ..d()
    })
    .contains("2 to 1000"));
    assert!(err(SimOptions { group: 1, ..d() }).contains("group = 1 "));
    assert!(err(SimOptions {
        steps: 10_001,
        ..d()
    })
    .contains("steps = 10001"));
    assert!(err(SimOptions { epochs: 0, ..d() }).contains("epochs = 0"));
    for (lr, text) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (0.0, "0"),
        (-1.0, "-1"),
        (1e3, "1000"),
    ] {
        assert!(err(SimOptions { lr, ..d() }).starts_with(&format!("lr = {text} ")));
    }
    assert!(err(SimOptions {
        clip_low: 1.5,
        ..d()
    })
    .contains("clipLow"));
    assert!(err(SimOptions {
        clip_high: -0.1,
        ..d()
    })
    .contains("clipHigh"));
    assert!(err(SimOptions {
        entropy_coef: f64::NAN,
        ..d()
    })
    .contains("entropyCoef"));
    assert!(err(SimOptions {
        polarity_max_weight: 0.5,
        ..d()
    })
    .contains("polarityMaxWeight"));
    assert!(err(SimOptions {
        noise: Some(-1.0),
        ..d()
    })
    .contains("noise"));
    assert!(err(SimOptions {
        zipf: Some(11.0),
        ..d()
    })
    .contains("zipf"));
    assert!(err(SimOptions {
        vocab: Some(10),
        rewards: Some(vec![0.0; 9]),
        ..d()
    })
    .contains("rewards has 9 entries but the vocabulary has 10"));
    assert!(err(SimOptions {
        logits: Some(vec![0.0, f64::NAN, 1.0]),
        ..d()
    })
    .contains("logits[1] is NaN"));
    assert!(err(SimOptions {
        rewards: Some(vec![1.0, 0.0]),
        preset: Some(Preset::Random),
        ..d()
    })
    .contains("Both rewards and preset"));
    assert!(err(SimOptions {
        logits: Some(vec![1.0, 0.0]),
        zipf: Some(1.0),
        ..d()
    })
    .contains("Both logits and zipf"));
    assert!(err(SimOptions {
        correct: Some(100),
        ..d()
    })
    .contains("correct = 100"));
    assert!(err(SimOptions {
        vocab: Some(10),
        target_entropy: Some(2.5),
        ..d()
    })
    .contains("targetEntropy = 2.5"));
}

#[test]
fn shapes_and_inferred_vocab() {
    let r = simulate(&SimOptions {
        rewards: Some(vec![0.0, 1.0, 0.5]),
        steps: 7,
        ..SimOptions::default()
    })
    .unwrap();
    assert_eq!(r.token_rewards, vec![0.0, 1.0, 0.5]);
    assert_eq!(r.final_probs.len(), 3);
    assert_eq!((r.entropy.len(), r.reward.len()), (8, 8));
    for v in [
        &r.expanding,
        &r.contracting,
        &r.clipped_low,
        &r.clipped_high,
    ] {
        assert_eq!(v.len(), 7);
    }
    assert!(r
        .entropy
        .iter()
        .all(|h| h.is_finite() && *h >= 0.0 && *h <= 3f64.ln() + 1e-12));
    let none = simulate(&SimOptions {
        steps: 0,
        ..SimOptions::default()
    })
    .unwrap();
    assert_eq!((none.entropy.len(), none.expanding.len()), (1, 0));
    assert!((none.initial_probs.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

// ---------------------------------------------------------------------------
// Native output for a small documented configuration, for the wasm/browser
// side to compare with (same seed, same numbers; tests/native/simulate_wasm.rs does
// so for the core). `UPDATE_FIXTURES=1 cargo test --test native simulate::fixture`
// rewrites it.

use crate::support::simulate_fixture as fixture;

#[test]
fn fixture_seed7_matches_native_output() {
    let text = fixture::text();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture::PATH);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap();
    assert!(
        stored == text,
        "{} differs from the native run:\n{text}",
        fixture::PATH
    );
}

/// `SimOptions::set`, the way the wasm layer and links reach the table:
/// counts take whole numbers from 0 to 2^53 − 1 only, every option its own
/// type, and an absent optional value leaves it empty.
#[test]
fn set_reads_each_kind_of_value() {
    use entropy_polarity::math::simulate::Value;
    let mut o = SimOptions::default();
    o.set("group", Value::Number(8.0)).unwrap();
    o.set("seed", Value::Number(9_007_199_254_740_991.0))
        .unwrap();
    o.set("lr", Value::Number(0.5)).unwrap();
    o.set("correct", Value::Number(3.0)).unwrap();
    o.set("strategy", Value::Text("clip-higher".into()))
        .unwrap();
    o.set("logits", Value::Vector(vec![0.0, -1.0])).unwrap();
    assert_eq!(
        (o.group, o.seed, o.lr, o.correct, o.strategy),
        (8, (1u64 << 53) - 1, 0.5, Some(3), Strategy::ClipHigher)
    );
    assert_eq!(o.logits, Some(vec![0.0, -1.0]));
    o.set("correct", Value::Absent).unwrap();
    assert_eq!(o.correct, None);
    // Not whole, negative or beyond 2^53 − 1: out of range, with the value.
    for (name, x) in [
        ("group", 2.5),
        ("steps", -1.0),
        ("seed", 9_007_199_254_740_992.0),
        ("vocab", f64::NAN),
        ("correct", f64::INFINITY),
    ] {
        let e = o.set(name, Value::Number(x)).unwrap_err();
        assert!(
            matches!(e, SimError::Range { option, value } if option == name && value.to_bits() == x.to_bits()),
            "{name} = {x}: {e:?}"
        );
    }
    // The wrong type: what each kind wants.
    for (name, v, want) in [
        ("group", Value::Text("8".into()), "a whole number"),
        ("lr", Value::Vector(vec![0.1]), "a number"),
        ("zipf", Value::Text("1".into()), "a number"),
        ("strategy", Value::Number(1.0), "a string"),
        (
            "rewards",
            Value::Number(1.0),
            "a Float64Array, Float32Array or an array of numbers",
        ),
    ] {
        let e = o.set(name, v).unwrap_err();
        assert_eq!(e, SimError::Type { option: name, want }, "{name}");
    }
    assert!(matches!(
        o.set("colour", Value::Number(1.0)),
        Err(SimError::UnknownOption { name }) if name == "colour"
    ));
}
