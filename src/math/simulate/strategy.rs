//! The strategies: how each one reshapes a step's advantages before the
//! shared clipped update (run.rs). Each rule is a small pure function of the
//! group, so tests check it against independent arithmetic.
//!
//! What a one-state toy can and cannot show: here every "sequence" is one
//! token drawn from one softmax, so a token-level method acts on G samples of
//! the same position. Methods built for millions of tokens over many
//! positions (Clip-Cov's 2·10⁻⁴ fraction, a batch's statistics) are run with
//! the fraction scaled to a group, and their effect on *which positions*
//! learn (the heart of several of them) cannot appear at all. What the toy
//! does show exactly is each rule's first-order push on H at one position.

use super::options::Word;

/// How the update is shaped. See the module documentation of `simulate`
/// for the shared part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// `"pg"`: plain (clipped, when epochs > 1) policy gradient with a
    /// symmetric clip: ε_high = ε_low = `clip_low`.
    Pg,
    /// `"entropy-bonus"`: like `pg`, plus β H in the objective: each epoch
    /// adds η β ∇_z H = −η β S to the logits (β = `entropy_coef`).
    EntropyBonus,
    /// `"clip-higher"`: like `pg` but with its own upper clip bound,
    /// ε_high = `clip_high` (DAPO, Yu et al. 2025, arXiv:2503.14476).
    ClipHigher,
    /// `"polarity"`: **our own rendering** of polarity-aware advantage
    /// reweighting in the spirit of PAPO (Zhang et al. 2026,
    /// arXiv:2605.11775), not the paper's algorithm. See [`polarity_weight`].
    Polarity,
    /// `"clip-cov"`: Clip-Cov (Cui et al. 2025, arXiv:2505.22617): the
    /// samples with the largest covariance (ln p − mean)(A − mean) lose their
    /// gradient. See [`top_covariance`].
    ClipCov,
    /// `"kl-cov"`: KL-Cov (same paper): the same samples are not clipped but
    /// penalised by `kl_coef`·|ln ρ|.
    KlCov,
    /// `"disc-clip"`: entropy-discriminator clipping (Wang et al. 2026,
    /// arXiv:2602.03392), our reading of its batch-normalised variant. See
    /// [`disc_clip_keep`].
    DiscClip,
    /// `"entropic"`: an EntroPIC-style PI controller (arXiv:2511.15248) on
    /// the weights of positive and negative samples. See [`pic_weights`].
    EntroPic,
    /// `"steer"`: STEER's per-token weights (arXiv:2510.10150). See
    /// [`steer_weights`].
    Steer,
}

impl Word for Strategy {
    const NAMES: &'static [&'static str] = &[
        "pg",
        "entropy-bonus",
        "clip-higher",
        "polarity",
        "clip-cov",
        "kl-cov",
        "disc-clip",
        "entropic",
        "steer",
    ];
    const ALL: &'static [Strategy] = &Strategy::ALL;
    fn as_str(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|&s| s == self).expect("listed")]
    }
}

impl Strategy {
    pub const ALL: [Strategy; 9] = [
        Strategy::Pg,
        Strategy::EntropyBonus,
        Strategy::ClipHigher,
        Strategy::Polarity,
        Strategy::ClipCov,
        Strategy::KlCov,
        Strategy::DiscClip,
        Strategy::EntroPic,
        Strategy::Steer,
    ];

    pub fn parse(s: &str) -> Result<Self, super::SimError> {
        use super::options::OptionValue;
        let spec = super::options::spec("strategy").expect("in the table");
        Strategy::from_value(&spec, super::options::Value::Text(s.to_string()))
    }

    pub fn as_str(self) -> &'static str {
        Word::as_str(self)
    }
}

/// How `polarity` weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolarityMode {
    /// `"one-sided"` (default): w = clamp(exp(κ (H* − H)), 1, w_max) with
    /// H* = the initial entropy unless given. Contraction is never
    /// amplified: above the target the step is plain PG.
    OneSided,
    /// `"two-sided"`: the original controller, w = clamp(exp(κ (H* − H)),
    /// 1/w_max, w_max), H* = half the initial entropy unless given. Above the
    /// target it *amplifies* contracting samples (up to w_max×), which the
    /// grid shows hastens collapse; kept for comparison.
    TwoSided,
}

impl Word for PolarityMode {
    const NAMES: &'static [&'static str] = &["one-sided", "two-sided"];
    const ALL: &'static [PolarityMode] = &[PolarityMode::OneSided, PolarityMode::TwoSided];
    fn as_str(self) -> &'static str {
        match self {
            PolarityMode::OneSided => "one-sided",
            PolarityMode::TwoSided => "two-sided",
        }
    }
}

/// `polarity`'s weight w at entropy `h`: each sample whose polarity
/// A_i (S̄ − S_{k_i}) at π_old is positive (expanding) has its advantage
/// multiplied by w, each negative one (contracting) by 1/w.
pub fn polarity_weight(mode: PolarityMode, gain: f64, max_weight: f64, target: f64, h: f64) -> f64 {
    let w = super::detmath::exp(gain * (target - h));
    match mode {
        PolarityMode::OneSided => w.clamp(1.0, max_weight),
        PolarityMode::TwoSided => w.clamp(1.0 / max_weight, max_weight),
    }
}

/// Clip-Cov's and KL-Cov's per-sample covariance
/// (ln p_i − mean ln p)(A_i − mean A), means over the group.
pub fn covariances(adv: &[f64], logp: &[f64]) -> Vec<f64> {
    let n = adv.len() as f64;
    let ma = adv.iter().sum::<f64>() / n;
    let ml = logp.iter().sum::<f64>() / n;
    adv.iter()
        .zip(logp)
        .map(|(&a, &l)| (l - ml) * (a - ma))
        .collect()
}

/// The samples Clip-Cov detaches (and KL-Cov penalises): the
/// n = max(1, ⌊fraction · G⌋) largest covariances among the positive ones
/// (ties: the earlier sample), none when `fraction` is 0.
///
/// The paper picks at random among tokens whose covariance lies in a band
/// [ω_low, ω_high] (Clip-Cov) or takes the top fraction (KL-Cov) of a batch
/// of millions, with fractions of 2·10⁻⁴–2·10⁻³. A group of 16 has no such
/// tail, so both here take the top fraction, deterministically (no draw
/// from the sampler, so every strategy sees the same groups).
pub fn top_covariance(cov: &[f64], fraction: f64) -> Vec<bool> {
    let mut pick = vec![false; cov.len()];
    if fraction <= 0.0 {
        return pick;
    }
    let n = ((fraction * cov.len() as f64).floor() as usize).max(1);
    let mut order: Vec<usize> = (0..cov.len()).filter(|&i| cov[i] > 0.0).collect();
    order.sort_by(|&a, &b| cov[b].total_cmp(&cov[a]).then(a.cmp(&b)));
    for &i in order.iter().take(n) {
        pick[i] = true;
    }
    pick
}

/// Entropy-discriminator clipping, our reading of Wang et al.'s
/// batch-normalised Clip_B: with P_i = A_i (S̄ − S_{k_i}) each sample's
/// first-order push on H and μ, σ its mean and (population) standard
/// deviation over the group, the samples with P_i < μ − k σ — the ones that
/// would shrink entropy far more than the rest — are dropped. Keeps all when
/// σ = 0.
pub fn disc_clip_keep(polarity: &[f64], k: f64) -> Vec<bool> {
    let n = polarity.len() as f64;
    let mu = polarity.iter().sum::<f64>() / n;
    let var = polarity.iter().map(|&x| (x - mu) * (x - mu)).sum::<f64>() / n;
    let sigma = var.sqrt();
    polarity
        .iter()
        .map(|&x| sigma == 0.0 || x >= mu - k * sigma)
        .collect()
}

/// EntroPIC-style PI control: with e = H* − H and the running sum I of e
/// (anti-windup: K_i·I kept in [−1, 1]), u = K_p e + K_i I; positive
/// samples are weighted w₊ = clamp(1 − u, 0, 2), negative ones
/// w₋ = clamp(1 + u, 0, 2). Below the target (e > 0) this damps positive
/// samples and strengthens negative ones, because in an LLM positive samples
/// mostly sit on likely tokens (contracting) and negative ones too
/// (expanding). In the toy the negative samples are mostly *unlikely*
/// unrewarded tokens, where a penalty contracts: the grid shows what that does.
pub fn pic_weights(kp: f64, ki: f64, target: f64, h: f64, integral: &mut f64) -> (f64, f64) {
    let e = target - h;
    *integral += e;
    if ki > 0.0 {
        *integral = integral.clamp(-1.0 / ki, 1.0 / ki);
    }
    let u = kp * e + ki * *integral;
    ((1.0 - u).clamp(0.0, 2.0), (1.0 + u).clamp(0.0, 2.0))
}

/// STEER's weights: Ω_i = A_i/π_i · p_i (1 − p_i)(ln p_i + H) (π_i = p_i
/// here, the sampling policy being the one updated), the sample's estimated
/// entropy change; |Ω| is mapped linearly onto [0.8, 1.2], the largest |Ω|
/// getting 0.8 and the smallest 1.2, over the samples with A ≠ 0 (weight 1
/// for the others and when all |Ω| are equal).
pub fn steer_weights(adv: &[f64], p: &[f64], h: f64) -> Vec<f64> {
    const LO: f64 = 0.8;
    const HI: f64 = 1.2;
    let omega: Vec<f64> = adv
        .iter()
        .zip(p)
        .map(|(&a, &q)| (a / q * q * (1.0 - q) * (super::detmath::ln(q) + h)).abs())
        .collect();
    let live = || {
        adv.iter()
            .zip(&omega)
            .filter(|(&a, _)| a != 0.0)
            .map(|(_, &o)| o)
    };
    let lo = live().fold(f64::INFINITY, f64::min);
    let hi = live().fold(f64::NEG_INFINITY, f64::max);
    adv.iter()
        .zip(&omega)
        .map(|(&a, &o)| {
            if a == 0.0 || hi <= lo || hi.is_nan() {
                1.0
            } else {
                HI - (HI - LO) * (o - lo) / (hi - lo)
            }
        })
        .collect()
}
