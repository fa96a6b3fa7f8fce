//! The control lab's simulation: a toy RL run on one softmax policy.
//!
//! A policy π = softmax(z) over V tokens (V from 2 to 1,000, temperature 1)
//! and a reward r_j for each token. Every step:
//!
//! 1. the current policy is π_old; record its entropy H, S̄ and S_j (docs/math.md);
//! 2. sample a group of G tokens k_1…k_G from π_old (GRPO-like), with the
//!    seeded generator [`Rng`]; each sample's observed reward is r_{k_i}
//!    plus, depending on the preset, noise (see [`Preset`]);
//! 3. group-normalised advantages A_i = (r_i − mean) / (std + 1e-6), with the
//!    population std; a group whose rewards are all equal gets A_i = 0;
//! 4. the polarity of sample i is P_i = A_i (S̄ − S_{k_i}) at π_old: > 0 counts
//!    as "expanding", < 0 as "contracting" (A_i = 0 counts as neither);
//! 5. `epochs` full-batch gradient-ascent steps on the clipped surrogate
//!    J = (1/G) Σ_i min(ρ_i a_i, clip(ρ_i, 1 − ε_low, 1 + ε_high) a_i),
//!    ρ_i = π(k_i)/π_old(k_i), a_i the (strategy-weighted) advantage. Its
//!    gradient in the logits is (1/G) Σ_i a_i ρ_i (e_{k_i} − p) over the
//!    samples the clip leaves alone; a sample is clipped (gradient 0) when
//!    a_i > 0 and ρ_i > 1 + ε_high, or a_i < 0 and ρ_i < 1 − ε_low. So
//!    z ← z + η (1/G) Σ_i a_i ρ_i (e_{k_i} − p) [+ the entropy bonus].
//!    In the first epoch ρ = 1 and this is the plain policy-gradient step
//!    z ← z + η Σ_i A_i (e_{k_i} − p) / G; with one epoch the clip never acts.
//!
//! Strategies ([`Strategy`], strategy.rs): `pg` (the above with ε_high =
//! ε_low), `entropy-bonus` (adds β ∇_z H = −β S to every epoch's gradient),
//! `clip-higher` (ε_high = `clip_high`, DAPO's decoupled upper bound),
//! `polarity` (our rendering of PAPO's polarity-aware advantage reweighting),
//! and from the literature `clip-cov`, `kl-cov`, `disc-clip`, `entropic` and
//! `steer`. Options a strategy or preset does not use are accepted and
//! ignored, so one option set can drive every strategy.
//!
//! Files: options.rs (the one declaration of the options), setup.rs (checks
//! across options, rewards and targets), policy.rs (the softmax and its
//! statistics), strategy.rs (each strategy's rule), run.rs (the step loop),
//! grid.rs (the scenario grid), trace.rs (the trace-format writer).
//!
//! Reproducibility: the generator and the `exp`/`ln` used here (module
//! `detmath`) are built from integer and correctly rounded IEEE operations
//! only, and all sums run in a fixed order, so a seed gives the same bits
//! natively and in WebAssembly (tests/native/simulate_wasm.rs checks this).
//!
//! Cost per step: `epochs` softmaxes, O(V) each (one exp per token; the same
//! pass gives H, S̄, the expected reward and the running sums that sampling
//! searches), O(G log V) to sample, O(V + G) per update. A step whose group
//! carries no signal (all rewards equal) and no entropy bonus leaves the
//! logits alone and costs O(G log V).
//!
//! Error messages name the options as JavaScript spells them (`clipLow`, …),
//! because the wasm layer passes them to the page unchanged.

mod detmath;
pub mod error;
pub mod grid;
pub mod options;
mod policy;
mod rng;
pub mod run;
mod setup;
pub mod strategy;
pub mod trace;

pub use error::SimError;
pub use options::{options, Kind, OptionSpec, SimOptions, Value};
pub use rng::Rng;
pub use run::{simulate, SimResult, Simulation, TraceStep};
pub use setup::default_correct;
pub use strategy::{PolarityMode, Strategy};

use options::Word;

pub const MIN_VOCAB: usize = 2;
pub const MAX_VOCAB: usize = 1000;
/// Added to the group's standard deviation when normalising advantages.
pub const ADVANTAGE_EPS: f64 = 1e-6;
/// The vocabulary size when neither `vocab` nor a vector gives one.
pub const DEFAULT_VOCAB: usize = 100;
/// Zipf exponent of the default initial logits z_j = −s ln(j + 1).
pub const DEFAULT_ZIPF: f64 = 1.0;
/// Number of rewarded tokens of the `several-correct` and `unlikely-correct`
/// presets (at most V − 1: see [`default_correct`]).
pub const DEFAULT_CORRECT: usize = 4;
/// Standard deviation of the reward noise of the `noisy` preset.
pub const DEFAULT_NOISE: f64 = 0.5;

/// Reward presets. Tokens are chosen by their rank in the *initial*
/// distribution (most likely first; ties by index), so they mean the same
/// with the default Zipf logits (where rank = index) and with given logits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// `"one-correct"`: reward 1 for the initially most likely token, 0 for
    /// the others.
    OneCorrect,
    /// `"several-correct"`: reward 1 for the `correct` initially most likely
    /// tokens.
    SeveralCorrect,
    /// `"unlikely-correct"`: reward 1 for `correct` tokens that start
    /// unlikely: the most likely tokens among those with initial probability
    /// below e^{−H₀}/2, half the nudge flip (the least likely tokens if fewer
    /// than `correct` qualify).
    UnlikelyCorrect,
    /// `"noisy"`: the rewards of `one-correct`, and every sampled reward gets
    /// Gaussian noise of standard deviation `noise` (default 0.5).
    Noisy,
    /// `"random"`: purely random symmetric rewards: every sample's reward is
    /// an independent fair coin ±1, unrelated to its token (the token rewards
    /// are all 0, so the expected reward stays 0).
    Random,
}

impl Word for Preset {
    const NAMES: &'static [&'static str] = &[
        "one-correct",
        "several-correct",
        "unlikely-correct",
        "noisy",
        "random",
    ];
    const ALL: &'static [Preset] = &Preset::ALL;
    fn as_str(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|&s| s == self).expect("listed")]
    }
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::OneCorrect,
        Preset::SeveralCorrect,
        Preset::UnlikelyCorrect,
        Preset::Noisy,
        Preset::Random,
    ];

    pub fn parse(s: &str) -> Result<Self, SimError> {
        use options::OptionValue;
        let spec = options::spec("preset").expect("in the table");
        Preset::from_value(&spec, Value::Text(s.to_string()))
    }

    pub fn as_str(self) -> &'static str {
        Word::as_str(self)
    }
}
