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
//! Strategies ([`Strategy`]): `pg` (the above with ε_high = ε_low),
//! `entropy-bonus` (adds β ∇_z H = −β S to every epoch's gradient),
//! `clip-higher` (ε_high = `clip_high`, DAPO's decoupled upper bound) and
//! `polarity` (our rendering of PAPO's polarity-aware advantage reweighting;
//! see [`Strategy::Polarity`]). Options a strategy or preset does not use are
//! accepted and ignored, so one option set can drive all four strategies.
//!
//! Reproducibility: the generator and the `exp`/`ln` used here (module
//! `detmath`) are built from integer and correctly rounded IEEE operations
//! only, and all sums run in a fixed order, so a seed gives the same bits
//! natively and in WebAssembly (tests/simulate_wasm.rs checks this).
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
mod rng;

pub use rng::Rng;

use std::fmt;

pub const MIN_VOCAB: usize = 2;
pub const MAX_VOCAB: usize = 1000;
pub const MIN_GROUP: usize = 2;
pub const MAX_GROUP: usize = 1024;
pub const MAX_STEPS: usize = 10_000;
pub const MAX_EPOCHS: usize = 32;
pub const MAX_LR: f64 = 100.0;
/// Added to the group's standard deviation when normalising advantages.
pub const ADVANTAGE_EPS: f64 = 1e-6;
/// The vocabulary size when neither `vocab` nor a vector gives one.
pub const DEFAULT_VOCAB: usize = 100;
/// Zipf exponent of the default initial logits z_j = −s ln(j + 1).
pub const DEFAULT_ZIPF: f64 = 1.0;
/// Number of rewarded tokens of the `several-correct` and `unlikely-correct` presets.
pub const DEFAULT_CORRECT: usize = 4;
/// Standard deviation of the reward noise of the `noisy` preset.
pub const DEFAULT_NOISE: f64 = 0.5;

/// How the update is shaped. See the module documentation for the shared part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// `"pg"`: plain (clipped, when epochs > 1) policy gradient with a
    /// symmetric clip: ε_high = ε_low = `clip_low`.
    Pg,
    /// `"entropy-bonus"`: like `pg`, plus the aggregate regulariser β H in
    /// the objective: each epoch adds η β ∇_z H = −η β S to the logits
    /// (β = `entropy_coef`; ∇_z H = −S at temperature 1).
    EntropyBonus,
    /// `"clip-higher"`: like `pg` but with its own upper clip bound,
    /// ε_high = `clip_high` (DAPO, Yu et al. 2025, use 0.28 against
    /// ε_low = 0.2). Any ε_high ≥ 0 is accepted, so the two bounds can also be
    /// studied one at a time.
    ClipHigher,
    /// `"polarity"`: **our own rendering** of polarity-aware advantage
    /// reweighting in the spirit of PAPO (Zhang et al. 2026,
    /// arXiv:2605.11775), not the paper's exact algorithm. Exactly:
    ///
    /// - at the start of each step, with H the current entropy and H* =
    ///   `target_entropy` (default: half the initial entropy),
    ///   w = clamp(exp(κ (H* − H)), 1/w_max, w_max), κ = `polarity_gain`,
    ///   w_max = `polarity_max_weight`;
    /// - each sample's advantage is scaled by w if its polarity
    ///   A_i (S̄ − S_{k_i}) at π_old is positive (an entropy-expanding update),
    ///   by 1/w if it is negative (contracting), and left alone if it is 0;
    /// - the weighted advantages then go through the same clipped update as
    ///   `pg` (symmetric clip, same epochs).
    ///
    /// Below the target, expanding updates are amplified and contracting ones
    /// damped (and the reverse above it); both branches are always kept,
    /// never dropped. The weight w is reported per step (`expand_weight`).
    Polarity,
}

impl Strategy {
    pub const ALL: [Strategy; 4] = [
        Strategy::Pg,
        Strategy::EntropyBonus,
        Strategy::ClipHigher,
        Strategy::Polarity,
    ];

    pub fn parse(s: &str) -> Result<Self, SimError> {
        Strategy::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| SimError::UnknownStrategy {
                name: s.to_string(),
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Pg => "pg",
            Strategy::EntropyBonus => "entropy-bonus",
            Strategy::ClipHigher => "clip-higher",
            Strategy::Polarity => "polarity",
        }
    }
}

/// Reward presets. Tokens are chosen by their rank in the *initial*
/// distribution (most likely first; ties by index), so they mean the same
/// with the default Zipf logits (where rank = index) and with given logits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// `"one-correct"`: reward 1 for the initially most likely token, 0 for
    /// the others.
    OneCorrect,
    /// `"several-correct"`: reward 1 for the `correct` (default 4) initially
    /// most likely tokens.
    SeveralCorrect,
    /// `"unlikely-correct"`: reward 1 for `correct` (default 4) tokens that
    /// start unlikely: the most likely tokens among those with initial
    /// probability below e^{−H₀}/2, half the nudge flip (the least likely
    /// tokens if fewer than `correct` qualify).
    UnlikelyCorrect,
    /// `"noisy"`: the rewards of `one-correct`, and every sampled reward gets
    /// Gaussian noise of standard deviation `noise` (default 0.5).
    Noisy,
    /// `"random"`: purely random symmetric rewards: every sample's reward is
    /// an independent fair coin ±1, unrelated to its token (the token rewards
    /// are all 0, so the expected reward stays 0).
    Random,
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
        Preset::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| SimError::UnknownPreset {
                name: s.to_string(),
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::OneCorrect => "one-correct",
            Preset::SeveralCorrect => "several-correct",
            Preset::UnlikelyCorrect => "unlikely-correct",
            Preset::Noisy => "noisy",
            Preset::Random => "random",
        }
    }
}

/// Everything a run depends on. `Default` gives the documented defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct SimOptions {
    pub strategy: Strategy,
    /// V, 2..=1000. `None`: the length of `rewards`/`logits` if given, else 100.
    pub vocab: Option<usize>,
    /// G, samples per step, 2..=1024. Default 16.
    pub group: usize,
    /// Steps, 0..=10,000. Default 500.
    pub steps: usize,
    pub seed: u64,
    /// η > 0, at most 100. Default 0.3.
    pub lr: f64,
    /// Optimisation epochs per sampled group, 1..=32. Default 4.
    pub epochs: usize,
    /// ε_low ∈ [0, 1]; also ε_high for every strategy but `clip-higher`. Default 0.2.
    pub clip_low: f64,
    /// ε_high ≥ 0 of `clip-higher`. Default 0.28.
    pub clip_high: f64,
    /// β ∈ [0, 100] of `entropy-bonus`. Default 0.05.
    pub entropy_coef: f64,
    /// H* ∈ [0, ln V] of `polarity`, nats. `None`: half the initial entropy.
    pub target_entropy: Option<f64>,
    /// κ ∈ [0, 100] of `polarity`, per nat. Default 2.
    pub polarity_gain: f64,
    /// w_max ∈ [1, 1e6] of `polarity`. Default 4.
    pub polarity_max_weight: f64,
    /// Reward preset; `None` with no `rewards`: `one-correct`.
    pub preset: Option<Preset>,
    /// Explicit token rewards (length V, finite); excludes `preset`.
    pub rewards: Option<Vec<f64>>,
    /// Rewarded tokens of `several-correct`/`unlikely-correct`, 1..V−1. Default 4 (at most V − 1).
    pub correct: Option<usize>,
    /// Standard deviation of Gaussian noise on every sampled reward, [0, 100].
    /// `None`: 0.5 for the `noisy` preset, 0 otherwise.
    pub noise: Option<f64>,
    /// Explicit initial logits (length V, finite); excludes `zipf`.
    pub logits: Option<Vec<f64>>,
    /// Zipf exponent s ∈ [0, 10] of the default initial logits z_j = −s ln(j + 1). Default 1.
    pub zipf: Option<f64>,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            strategy: Strategy::Pg,
            vocab: None,
            group: 16,
            steps: 500,
            seed: 0,
            lr: 0.3,
            epochs: 4,
            clip_low: 0.2,
            clip_high: 0.28,
            entropy_coef: 0.05,
            target_entropy: None,
            polarity_gain: 2.0,
            polarity_max_weight: 4.0,
            preset: None,
            rewards: None,
            correct: None,
            noise: None,
            logits: None,
            zipf: None,
        }
    }
}

/// A run. Per-step vectors have `steps` entries; `entropy` and `reward` have
/// `steps + 1` (before the first step, then after each).
#[derive(Clone, Debug, PartialEq)]
pub struct SimResult {
    /// H in nats.
    pub entropy: Vec<f64>,
    /// Expected reward Σ_j p_j r_j under the token rewards (noise-free).
    pub reward: Vec<f64>,
    /// Samples with positive polarity A_i (S̄ − S_{k_i}) at π_old.
    pub expanding: Vec<u32>,
    /// Samples with negative polarity.
    pub contracting: Vec<u32>,
    /// First-order ΔH of the step from the samples whose contribution
    /// η a_i ρ_i (S̄ − S_{k_i}) / G was positive, summed over epochs (each epoch at
    /// its own current distribution). Clipped samples contribute nothing.
    pub expand_dh: Vec<f64>,
    /// The same for negative contributions (≤ 0).
    pub contract_dh: Vec<f64>,
    /// First-order ΔH of the entropy bonus, η β Σ_j S_j² per epoch, summed
    /// (0 for the other strategies). expand_dh + contract_dh + bonus_dh is
    /// the first-order prediction of entropy[t + 1] − entropy[t].
    pub bonus_dh: Vec<f64>,
    /// Sample-epochs whose gradient clip-low removed (a < 0, ρ < 1 − ε_low).
    pub clipped_low: Vec<u32>,
    /// Sample-epochs whose gradient clip-high removed (a > 0, ρ > 1 + ε_high).
    pub clipped_high: Vec<u32>,
    /// The weight w of expanding samples (1/w for contracting); 1 except for `polarity`.
    pub expand_weight: Vec<f64>,
    /// The token rewards r_j used (from the preset or given).
    pub token_rewards: Vec<f64>,
    pub initial_probs: Vec<f64>,
    pub final_probs: Vec<f64>,
    /// H* as resolved (used by `polarity` only).
    pub target_entropy: f64,
    /// ε_high as applied (ε_low except for `clip-higher`).
    pub clip_high_used: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    UnknownStrategy {
        name: String,
    },
    UnknownPreset {
        name: String,
    },
    Vocab {
        value: usize,
    },
    Length {
        what: &'static str,
        len: usize,
        vocab: usize,
    },
    NotFinite {
        what: &'static str,
        index: usize,
        value: f64,
    },
    Group {
        value: usize,
    },
    Steps {
        value: usize,
    },
    Epochs {
        value: usize,
    },
    /// A real-valued option outside its range; `allowed` says what is.
    Number {
        name: &'static str,
        value: f64,
        allowed: &'static str,
    },
    TargetEntropy {
        value: f64,
        max: f64,
    },
    Correct {
        value: usize,
        vocab: usize,
    },
    Conflict {
        given: &'static str,
        other: &'static str,
    },
    /// The numbers stopped being finite (only conceivable with extreme
    /// settings); reported instead of passing NaN off as a result.
    Diverged {
        step: usize,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownStrategy { name } => write!(
                f,
                "Unknown strategy \"{name}\": use \"pg\", \"entropy-bonus\", \"clip-higher\" or \"polarity\"."
            ),
            SimError::UnknownPreset { name } => write!(
                f,
                "Unknown reward preset \"{name}\": use \"one-correct\", \"several-correct\", \"unlikely-correct\", \"noisy\" or \"random\"."
            ),
            SimError::Vocab { value } => write!(
                f,
                "vocab = {value} is out of range: the toy vocabulary has {MIN_VOCAB} to {MAX_VOCAB} tokens."
            ),
            SimError::Length { what, len, vocab } => write!(
                f,
                "{what} has {len} entries but the vocabulary has {vocab} tokens: give one entry per token (or leave vocab out)."
            ),
            SimError::NotFinite { what, index, value } => write!(
                f,
                "{what}[{index}] is {value}: every entry must be a finite number."
            ),
            SimError::Group { value } => write!(
                f,
                "group = {value} is out of range: sample {MIN_GROUP} to {MAX_GROUP} tokens per step (advantages compare samples within a group, so one is not enough)."
            ),
            SimError::Steps { value } => write!(
                f,
                "steps = {value} is too many: run at most {MAX_STEPS} steps."
            ),
            SimError::Epochs { value } => write!(
                f,
                "epochs = {value} is out of range: use 1 to {MAX_EPOCHS} optimisation epochs per sampled group."
            ),
            SimError::Number {
                name,
                value,
                allowed,
            } => write!(f, "{name} = {value} is not allowed: {allowed}."),
            SimError::TargetEntropy { value, max } => write!(
                f,
                "targetEntropy = {value} is out of range: use 0 to ln(vocab) = {max:.4} nats."
            ),
            SimError::Correct { value, vocab } => write!(
                f,
                "correct = {value} is out of range: reward 1 to {} of the {vocab} tokens (at least one must stay unrewarded).",
                vocab - 1
            ),
            SimError::Conflict { given, other } => write!(
                f,
                "Both {given} and {other} are given: they set the same thing, so give only one."
            ),
            SimError::Diverged { step } => write!(
                f,
                "The run diverged at step {step} (the logits overflowed): use a smaller lr or tighter clip bounds."
            ),
        }
    }
}

impl std::error::Error for SimError {}

/// Everything [`simulate`] needs, validated and resolved.
struct Setup {
    logits: Vec<f64>,
    rewards: Vec<f64>,
    noise: f64,
    coin: bool,
    eps_low: f64,
    eps_high: f64,
    target: f64,
}

fn check_number(
    name: &'static str,
    value: f64,
    ok: impl Fn(f64) -> bool,
    allowed: &'static str,
) -> Result<(), SimError> {
    if value.is_finite() && ok(value) {
        Ok(())
    } else {
        Err(SimError::Number {
            name,
            value,
            allowed,
        })
    }
}

fn check_vector(what: &'static str, v: &[f64], vocab: usize) -> Result<(), SimError> {
    if v.len() != vocab {
        return Err(SimError::Length {
            what,
            len: v.len(),
            vocab,
        });
    }
    match v.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(SimError::NotFinite {
            what,
            index,
            value: v[index],
        }),
        None => Ok(()),
    }
}

impl SimOptions {
    /// Checks every option; the messages say what is allowed.
    pub fn validate(&self) -> Result<(), SimError> {
        self.setup().map(|_| ())
    }

    fn setup(&self) -> Result<Setup, SimError> {
        if !(MIN_GROUP..=MAX_GROUP).contains(&self.group) {
            return Err(SimError::Group { value: self.group });
        }
        if self.steps > MAX_STEPS {
            return Err(SimError::Steps { value: self.steps });
        }
        if !(1..=MAX_EPOCHS).contains(&self.epochs) {
            return Err(SimError::Epochs { value: self.epochs });
        }
        check_number(
            "lr",
            self.lr,
            |x| x > 0.0 && x <= MAX_LR,
            "the step size must be a finite number greater than 0 and at most 100 (such as 0.5)",
        )?;
        check_number(
            "clipLow",
            self.clip_low,
            |x| (0.0..=1.0).contains(&x),
            "the lower clip ε_low must be from 0 to 1 (the ratio is clipped at 1 − ε_low; 0.2 is usual)",
        )?;
        check_number(
            "clipHigh",
            self.clip_high,
            |x| x >= 0.0,
            "the upper clip ε_high must be a finite number ≥ 0 (the ratio is clipped at 1 + ε_high; DAPO uses 0.28)",
        )?;
        check_number(
            "entropyCoef",
            self.entropy_coef,
            |x| (0.0..=100.0).contains(&x),
            "the entropy-bonus coefficient must be from 0 to 100",
        )?;
        check_number(
            "polarityGain",
            self.polarity_gain,
            |x| (0.0..=100.0).contains(&x),
            "the gain κ must be from 0 to 100 (per nat of distance to the target entropy)",
        )?;
        check_number(
            "polarityMaxWeight",
            self.polarity_max_weight,
            |x| (1.0..=1e6).contains(&x),
            "the largest advantage weight must be from 1 to 1e6",
        )?;
        if let Some(noise) = self.noise {
            check_number(
                "noise",
                noise,
                |x| (0.0..=100.0).contains(&x),
                "the reward noise (a standard deviation) must be from 0 to 100",
            )?;
        }
        if let Some(s) = self.zipf {
            check_number(
                "zipf",
                s,
                |x| (0.0..=10.0).contains(&x),
                "the Zipf exponent of the initial logits must be from 0 (uniform) to 10",
            )?;
        }
        if self.rewards.is_some() && self.preset.is_some() {
            return Err(SimError::Conflict {
                given: "rewards",
                other: "preset",
            });
        }
        if self.logits.is_some() && self.zipf.is_some() {
            return Err(SimError::Conflict {
                given: "logits",
                other: "zipf",
            });
        }

        let vocab = self
            .vocab
            .or(self.rewards.as_ref().map(Vec::len))
            .or(self.logits.as_ref().map(Vec::len))
            .unwrap_or(DEFAULT_VOCAB);
        if !(MIN_VOCAB..=MAX_VOCAB).contains(&vocab) {
            return Err(SimError::Vocab { value: vocab });
        }
        if let Some(r) = &self.rewards {
            check_vector("rewards", r, vocab)?;
        }
        if let Some(z) = &self.logits {
            check_vector("logits", z, vocab)?;
        }
        if let Some(m) = self.correct {
            if m == 0 || m >= vocab {
                return Err(SimError::Correct { value: m, vocab });
            }
        }

        let logits = match &self.logits {
            Some(z) => z.clone(),
            None => {
                let s = self.zipf.unwrap_or(DEFAULT_ZIPF);
                (0..vocab)
                    .map(|j| -s * detmath::ln((j + 1) as f64))
                    .collect()
            }
        };
        let initial = Policy::new(logits.clone(), vec![0.0; vocab]);
        let preset = self.preset.unwrap_or(Preset::OneCorrect);
        let rewards = match &self.rewards {
            Some(r) => r.clone(),
            None => preset_rewards(
                preset,
                &initial,
                self.correct.unwrap_or(DEFAULT_CORRECT.min(vocab - 1)),
            ),
        };
        let explicit = self.rewards.is_some();
        let noise = self
            .noise
            .unwrap_or(if !explicit && preset == Preset::Noisy {
                DEFAULT_NOISE
            } else {
                0.0
            });
        let max_h = detmath::ln(vocab as f64);
        let target = match self.target_entropy {
            Some(t) => {
                if !(t.is_finite() && t >= 0.0 && t <= max_h * (1.0 + 1e-12)) {
                    return Err(SimError::TargetEntropy {
                        value: t,
                        max: max_h,
                    });
                }
                t
            }
            None => 0.5 * initial.entropy,
        };
        let eps_high = match self.strategy {
            Strategy::ClipHigher => self.clip_high,
            _ => self.clip_low,
        };
        Ok(Setup {
            logits,
            rewards,
            noise,
            coin: !explicit && preset == Preset::Random,
            eps_low: self.clip_low,
            eps_high,
            target,
        })
    }
}

/// Tokens ordered from the most to the least likely (ties by index).
fn ranked(p: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
    order
}

fn preset_rewards(preset: Preset, initial: &Policy, correct: usize) -> Vec<f64> {
    let p = initial.probs();
    let v = p.len();
    let order = ranked(&p);
    let mut r = vec![0.0; v];
    let chosen: &[usize] = match preset {
        Preset::OneCorrect | Preset::Noisy => &order[..1],
        Preset::SeveralCorrect => &order[..correct],
        Preset::UnlikelyCorrect => {
            let threshold = 0.5 * detmath::exp(-initial.entropy);
            let first = order
                .iter()
                .position(|&j| p[j] < threshold)
                .unwrap_or(v)
                .min(v - correct);
            &order[first..first + correct]
        }
        Preset::Random => &[],
    };
    for &j in chosen {
        r[j] = 1.0;
    }
    r
}

/// The softmax policy and the statistics of docs/math.md at its current logits.
///
/// Probabilities are kept unnormalised, e_j = exp(z_j − max z), with
/// p_j = e_j · inv: then one pass over the tokens computes every sum a step
/// needs (Σe, Σe·y, Σe², Σe²·y with y = z − max), before the total is known.
/// The sums run in token order, a fixed order, so results are the same on
/// every target.
struct Policy {
    z: Vec<f64>,
    e: Vec<f64>,
    /// Running sums of e, for sampling.
    cdf: Vec<f64>,
    /// Token rewards, for the expected reward.
    r: Vec<f64>,
    /// Σ p_j r_j.
    reward: f64,
    /// max z at the last refresh (y_j = z_j − max).
    max: f64,
    /// 1 / Σ e_j.
    inv: f64,
    /// ȳ = Σ p_j y_j; H + ln p_j = y_j − ȳ.
    ybar: f64,
    entropy: f64,
    mean_disc: f64,
}

/// The largest entry (of finite numbers), with four independent running
/// maxima so that the comparisons do not wait on each other.
fn max_of(z: &[f64]) -> f64 {
    let (mut m0, mut m1, mut m2, mut m3) = (z[0], z[0], z[0], z[0]);
    let mut chunks = z.chunks_exact(4);
    for c in &mut chunks {
        m0 = if c[0] > m0 { c[0] } else { m0 };
        m1 = if c[1] > m1 { c[1] } else { m1 };
        m2 = if c[2] > m2 { c[2] } else { m2 };
        m3 = if c[3] > m3 { c[3] } else { m3 };
    }
    for &x in chunks.remainder() {
        m0 = if x > m0 { x } else { m0 };
    }
    let a = if m1 > m0 { m1 } else { m0 };
    let b = if m3 > m2 { m3 } else { m2 };
    if b > a {
        b
    } else {
        a
    }
}

impl Policy {
    fn new(z: Vec<f64>, r: Vec<f64>) -> Self {
        let v = z.len();
        let mut policy = Self {
            z,
            e: vec![0.0; v],
            cdf: vec![0.0; v],
            r,
            reward: 0.0,
            max: 0.0,
            inv: 1.0,
            ybar: 0.0,
            entropy: 0.0,
            mean_disc: 0.0,
        };
        policy.refresh();
        policy
    }

    /// Recomputes e, the running sums, ȳ, H, S̄ and the expected reward from
    /// z: one exp per token plus one ln, in two passes (the largest logit,
    /// then everything else).
    fn refresh(&mut self) {
        let max = max_of(&self.z);
        // Tokens at the maximum have e = 1 exactly and are counted apart
        // (`ties`), so that ln Σ e = ln(1 + rest) can use log1p and keep
        // near-one-hot policies exact.
        let (mut rest, mut s1, mut s2, mut s3, mut ties) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let (mut acc, mut sr) = (0.0, 0.0);
        for (((&zj, ej), cj), &rj) in self
            .z
            .iter()
            .zip(self.e.iter_mut())
            .zip(self.cdf.iter_mut())
            .zip(&self.r)
        {
            let y = zj - max;
            let x = detmath::exp_nonpos(y);
            *ej = x;
            acc += x;
            *cj = acc;
            sr += x * rj;
            let below = y < 0.0;
            rest += if below { x } else { 0.0 };
            ties += if below { 0.0 } else { 1.0 };
            let xy = x * y;
            s1 += xy;
            s2 += x * x;
            s3 += x * xy;
        }
        let rest = rest + (ties - 1.0);
        let inv = 1.0 / (1.0 + rest);
        let ybar = inv * s1;
        let p2 = inv * inv * s2;
        let p2y = inv * inv * s3;
        self.max = max;
        self.inv = inv;
        self.reward = inv * sr;
        self.ybar = ybar;
        // H = ln Σ e − ȳ: both terms ≥ 0, no cancellation.
        self.entropy = (detmath::ln_1p(rest) - ybar).max(0.0);
        // S̄ = Σ p_j² (y_j − ȳ) = Σ p² y − ȳ Σ p² (≥ 0 in exact arithmetic).
        self.mean_disc = (p2y - ybar * p2).max(0.0);
    }

    #[inline]
    fn p(&self, k: usize) -> f64 {
        self.e[k] * self.inv
    }

    /// S_k = p_k (H + ln p_k) = p_k (y_k − ȳ).
    #[inline]
    fn disc(&self, k: usize) -> f64 {
        self.p(k) * (self.z[k] - self.max - self.ybar)
    }

    fn probs(&self) -> Vec<f64> {
        self.e.iter().map(|&e| e * self.inv).collect()
    }
}

/// Samples one token from the cumulative weights `cdf`.
#[inline]
fn sample(cdf: &[f64], e: &[f64], rng: &mut Rng) -> usize {
    let u = rng.uniform() * cdf[cdf.len() - 1];
    let mut k = cdf.partition_point(|&c| c <= u).min(cdf.len() - 1);
    // Only reachable through rounding at the very top: never return a
    // zero-probability token.
    while e[k] == 0.0 && k > 0 {
        k -= 1;
    }
    k
}

/// Runs the simulation. Deterministic for a given `options` (seed included).
pub fn simulate(options: &SimOptions) -> Result<SimResult, SimError> {
    let setup = options.setup()?;
    let SimOptions {
        strategy,
        group,
        steps,
        seed,
        lr,
        epochs,
        entropy_coef,
        polarity_gain,
        polarity_max_weight,
        ..
    } = *options;
    let g = group;
    let scale = lr / g as f64;
    let bonus = if strategy == Strategy::EntropyBonus {
        lr * entropy_coef
    } else {
        0.0
    };
    let (lo, hi) = (1.0 - setup.eps_low, 1.0 + setup.eps_high);

    let mut rng = Rng::new(seed);
    let mut pi = Policy::new(setup.logits, setup.rewards);

    let mut out = SimResult {
        entropy: Vec::with_capacity(steps + 1),
        reward: Vec::with_capacity(steps + 1),
        expanding: Vec::with_capacity(steps),
        contracting: Vec::with_capacity(steps),
        expand_dh: Vec::with_capacity(steps),
        contract_dh: Vec::with_capacity(steps),
        bonus_dh: Vec::with_capacity(steps),
        clipped_low: Vec::with_capacity(steps),
        clipped_high: Vec::with_capacity(steps),
        expand_weight: Vec::with_capacity(steps),
        token_rewards: Vec::new(),
        initial_probs: pi.probs(),
        final_probs: Vec::new(),
        target_entropy: setup.target,
        clip_high_used: setup.eps_high,
    };
    out.entropy.push(pi.entropy);
    out.reward.push(pi.reward);

    let mut tokens = vec![0usize; g];
    let mut observed = vec![0.0; g];
    let mut adv = vec![0.0; g];
    let mut old_p = vec![0.0; g];
    let mut moves = vec![0.0; g];

    for step in 0..steps {
        // 2. sample the group from π_old.
        for k in tokens.iter_mut() {
            *k = sample(&pi.cdf, &pi.e, &mut rng);
        }
        for (o, &k) in observed.iter_mut().zip(&tokens) {
            let mut x = pi.r[k];
            if setup.coin {
                x += rng.sign();
            }
            if setup.noise > 0.0 {
                x += setup.noise * rng.normal();
            }
            *o = x;
        }

        // 3. group-normalised advantages.
        let (min, max) = observed
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        if max > min {
            let mean = observed.iter().sum::<f64>() / g as f64;
            let var = observed
                .iter()
                .map(|&x| (x - mean) * (x - mean))
                .sum::<f64>()
                / g as f64;
            let denom = var.sqrt() + ADVANTAGE_EPS;
            for (a, &x) in adv.iter_mut().zip(&observed) {
                *a = (x - mean) / denom;
            }
        } else {
            adv.iter_mut().for_each(|a| *a = 0.0);
        }

        // 4. polarity at π_old; the polarity strategy's weights.
        let weight = if strategy == Strategy::Polarity {
            let w = detmath::exp(polarity_gain * (setup.target - pi.entropy));
            w.clamp(1.0 / polarity_max_weight, polarity_max_weight)
        } else {
            1.0
        };
        let (mut n_exp, mut n_con) = (0u32, 0u32);
        for (i, &k) in tokens.iter().enumerate() {
            let polarity = adv[i] * (pi.mean_disc - pi.disc(k));
            if polarity > 0.0 {
                n_exp += 1;
                adv[i] *= weight;
            } else if polarity < 0.0 {
                n_con += 1;
                adv[i] /= weight;
            }
            old_p[i] = pi.p(k);
        }

        // 5. epochs of clipped policy-gradient ascent.
        let (mut dh_exp, mut dh_con, mut dh_bonus) = (0.0, 0.0, 0.0);
        let (mut clip_lo, mut clip_hi) = (0u32, 0u32);
        // A group without signal and no bonus leaves the logits as they are.
        let idle = bonus == 0.0 && adv.iter().all(|&a| a == 0.0);
        for epoch in 0..if idle { 0 } else { epochs } {
            let mut total = 0.0;
            for (i, &k) in tokens.iter().enumerate() {
                moves[i] = 0.0;
                let a = adv[i];
                if a == 0.0 {
                    continue;
                }
                let ratio = if epoch == 0 { 1.0 } else { pi.p(k) / old_p[i] };
                if a > 0.0 && ratio > hi {
                    clip_hi += 1;
                    continue;
                }
                if a < 0.0 && ratio < lo {
                    clip_lo += 1;
                    continue;
                }
                let step = scale * a * ratio;
                let dh = step * (pi.mean_disc - pi.disc(k));
                if dh > 0.0 {
                    dh_exp += dh;
                } else {
                    dh_con += dh;
                }
                total += step;
                moves[i] = step;
            }
            // Dense part first (it reads y = z − max of this epoch), then
            // the sampled logits: Δz = Σ_i step_i e_{k_i} − total·p − ηβ S.
            let (t, b, shift) = (total * pi.inv, bonus * pi.inv, pi.max + pi.ybar);
            if bonus > 0.0 {
                let mut s2 = 0.0;
                for (z, &e) in pi.z.iter_mut().zip(&pi.e) {
                    let s = e * (*z - shift); // S_j / inv
                    s2 += s * s;
                    *z -= t * e + b * s;
                }
                dh_bonus += bonus * s2 * pi.inv * pi.inv;
            } else if total != 0.0 {
                for (z, &e) in pi.z.iter_mut().zip(&pi.e) {
                    *z -= t * e;
                }
            }
            for (&k, &m) in tokens.iter().zip(&moves) {
                pi.z[k] += m;
            }
            pi.refresh();
        }

        if !(pi.entropy.is_finite() && pi.mean_disc.is_finite() && pi.reward.is_finite()) {
            return Err(SimError::Diverged { step: step + 1 });
        }
        out.entropy.push(pi.entropy);
        out.reward.push(pi.reward);
        out.expanding.push(n_exp);
        out.contracting.push(n_con);
        out.expand_dh.push(dh_exp);
        out.contract_dh.push(dh_con);
        out.bonus_dh.push(dh_bonus);
        out.clipped_low.push(clip_lo);
        out.clipped_high.push(clip_hi);
        out.expand_weight.push(weight);
    }
    out.final_probs = pi.probs();
    out.token_rewards = pi.r;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Distribution;

    #[test]
    fn policy_statistics_match_the_careful_distribution() {
        for z in [
            vec![2.0, 1.0, 0.5, -1.0, -3.0],
            vec![0.0; 7],
            vec![40.0, 0.0, -1.0, 3.0],
            (0..1000).map(|j| -1.3 * ((j + 1) as f64).ln()).collect(),
        ] {
            let pi = Policy::new(z.clone(), vec![0.0; z.len()]);
            let d = Distribution::from_logits(&z, 1.0).unwrap();
            assert!((pi.entropy - d.entropy()).abs() <= 1e-13 * d.entropy().max(1e-300));
            assert!((pi.mean_disc - d.mean_discriminator()).abs() <= 1e-12);
            for k in 0..z.len() {
                assert!((pi.p(k) - d.probs()[k]).abs() <= 1e-15);
                assert!((pi.disc(k) - d.discriminator_at(k)).abs() <= 1e-14);
            }
        }
    }

    #[test]
    fn refresh_skips_nothing_when_the_top_ties() {
        let pi = Policy::new(vec![1.0, 1.0], vec![0.0; 2]);
        assert_eq!(pi.probs(), vec![0.5, 0.5]);
        assert!((pi.entropy - 2f64.ln()).abs() < 1e-16);
    }

    #[test]
    fn presets_pick_tokens_by_initial_rank() {
        let o = |preset, correct| SimOptions {
            preset: Some(preset),
            correct,
            steps: 0,
            vocab: Some(1000),
            ..SimOptions::default()
        };
        let one = simulate(&o(Preset::OneCorrect, None)).unwrap();
        assert_eq!(one.token_rewards.iter().sum::<f64>(), 1.0);
        assert_eq!(one.token_rewards[0], 1.0);
        let several = simulate(&o(Preset::SeveralCorrect, Some(3))).unwrap();
        assert_eq!(&several.token_rewards[..4], &[1.0, 1.0, 1.0, 0.0]);
        let unlikely = simulate(&o(Preset::UnlikelyCorrect, None)).unwrap();
        let h0 = unlikely.entropy[0];
        let chosen: Vec<usize> = (0..1000)
            .filter(|&j| unlikely.token_rewards[j] == 1.0)
            .collect();
        assert_eq!(chosen.len(), DEFAULT_CORRECT);
        for &j in &chosen {
            assert!(unlikely.initial_probs[j] < 0.5 * (-h0).exp());
        }
        // the most likely of those below the threshold
        assert!(unlikely.initial_probs[chosen[0] - 1] >= 0.5 * (-h0).exp());
        let random = simulate(&o(Preset::Random, None)).unwrap();
        assert!(random.token_rewards.iter().all(|&r| r == 0.0));
        // Uniform start: nothing is below the threshold, so the last tokens.
        let uniform = simulate(&SimOptions {
            zipf: Some(0.0),
            ..o(Preset::UnlikelyCorrect, Some(2))
        })
        .unwrap();
        assert_eq!(&uniform.token_rewards[997..], &[0.0, 1.0, 1.0]);
    }
}
