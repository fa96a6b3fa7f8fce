//! The run loop, one step at a time ([`Simulation::step`]) so that a caller
//! (the page's worker) can run a long simulation in bounded slices, report
//! progress and stop.

use super::policy::{sample, Policy};
use super::rng::Rng;
use super::setup::Setup;
use super::strategy::{
    covariances, disc_clip_keep, pic_weights, polarity_weight, steer_weights, top_covariance,
};
use super::{SimError, SimOptions, Strategy, ADVANTAGE_EPS};

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
    /// The weight w of expanding samples (1/w for contracting) for
    /// `polarity`; w₊ for `entropic`; 1 for the others.
    pub expand_weight: Vec<f64>,
    /// Samples a strategy dropped (clip-cov, disc-clip) or penalised (kl-cov).
    pub shaped: Vec<u32>,
    /// Share of groups with all-equal rewards expected at π_old (no signal):
    /// Σ_v P(r = v)^G over the token reward values; 0 with noise or coins.
    pub dead_share: Vec<f64>,
    /// The token rewards r_j used (from the preset or given).
    pub token_rewards: Vec<f64>,
    pub initial_probs: Vec<f64>,
    pub final_probs: Vec<f64>,
    /// H* as resolved (used by `polarity` and `entropic`).
    pub target_entropy: f64,
    /// ε_high as applied (ε_low except for `clip-higher`).
    pub clip_high_used: f64,
    /// The sampled groups, when recorded ([`Simulation::record`]).
    pub trace: Vec<TraceStep>,
}

/// One step's sampled group, as the trace format writes it
/// (docs/trace-format.md): each sample is a one-token completion.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceStep {
    pub tokens: Vec<u32>,
    /// ln p_k under the sampling policy π_old.
    pub logprob: Vec<f64>,
    /// H and S̄ of π_old (the same for every sample: one position).
    pub entropy: f64,
    pub mean_discriminator: f64,
    /// The group-normalised advantage A_i (before any strategy's weights).
    pub advantage: Vec<f64>,
}

/// A simulation in progress.
pub struct Simulation {
    o: SimOptions,
    setup: Setup,
    rng: Rng,
    pi: Policy,
    out: SimResult,
    step: usize,
    record: bool,
    /// EntroPIC's integral of (H* − H).
    integral: f64,
    /// Token reward values and their token lists, for the dead-group share.
    levels: Vec<(f64, Vec<usize>)>,
    // Per-group buffers.
    tokens: Vec<usize>,
    observed: Vec<f64>,
    adv: Vec<f64>,
    old_p: Vec<f64>,
    moves: Vec<f64>,
    penalised: Vec<bool>,
}

impl Simulation {
    /// Checks the options and prepares step 0.
    pub fn new(options: &SimOptions) -> Result<Self, SimError> {
        let setup = Setup::new(options)?;
        let g = options.group;
        let pi = Policy::new(setup.logits.clone(), setup.rewards.clone());
        let steps = options.steps;
        let mut levels: Vec<(f64, Vec<usize>)> = Vec::new();
        if setup.noise == 0.0 && !setup.coin {
            for (j, &r) in setup.rewards.iter().enumerate() {
                match levels.iter_mut().find(|(v, _)| *v == r) {
                    Some((_, js)) => js.push(j),
                    None => levels.push((r, vec![j])),
                }
            }
        }
        let out = SimResult {
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
            shaped: Vec::with_capacity(steps),
            dead_share: Vec::with_capacity(steps),
            token_rewards: Vec::new(),
            initial_probs: pi.probs(),
            final_probs: Vec::new(),
            target_entropy: setup.target,
            clip_high_used: setup.eps_high,
            trace: Vec::new(),
        };
        let mut sim = Simulation {
            o: options.clone(),
            rng: Rng::new(options.seed),
            setup,
            pi,
            out,
            step: 0,
            record: false,
            integral: 0.0,
            levels,
            tokens: vec![0; g],
            observed: vec![0.0; g],
            adv: vec![0.0; g],
            old_p: vec![0.0; g],
            moves: vec![0.0; g],
            penalised: vec![false; g],
        };
        sim.out.entropy.push(sim.pi.entropy);
        sim.out.reward.push(sim.pi.reward);
        Ok(sim)
    }

    /// Keeps every sampled group in [`SimResult::trace`] (for the trace
    /// download; G entries per step).
    pub fn record(mut self) -> Self {
        self.record = true;
        self
    }

    pub fn steps_done(&self) -> usize {
        self.step
    }

    pub fn is_done(&self) -> bool {
        self.step >= self.o.steps
    }

    /// Work units of one step (for bounding a slice): epochs × (V + G).
    pub fn step_cost(&self) -> usize {
        self.o.epochs * (self.pi.z.len() + self.o.group)
    }

    /// Runs up to `n` more steps; returns how many ran.
    pub fn advance(&mut self, n: usize) -> Result<usize, SimError> {
        let mut ran = 0;
        while ran < n && !self.is_done() {
            self.step()?;
            ran += 1;
        }
        Ok(ran)
    }

    /// The run so far (all of it once [`Simulation::is_done`]).
    pub fn finish(mut self) -> SimResult {
        self.out.final_probs = self.pi.probs();
        self.out.token_rewards = self.pi.r;
        self.out
    }

    /// One step: sample, advantages, the strategy's shaping, epochs.
    pub fn step(&mut self) -> Result<(), SimError> {
        let o = &self.o;
        let g = o.group;
        let strategy = o.strategy;
        let scale = o.lr / g as f64;
        let bonus = if strategy == Strategy::EntropyBonus {
            o.lr * o.entropy_coef
        } else {
            0.0
        };
        let setup = &self.setup;
        let (lo, hi) = (1.0 - setup.eps_low, 1.0 + setup.eps_high);
        let pi = &mut self.pi;
        let rng = &mut self.rng;
        let dead = if self.levels.is_empty() {
            0.0
        } else {
            let g = g as i32;
            self.levels
                .iter()
                .map(|(_, js)| js.iter().map(|&j| pi.p(j)).sum::<f64>().powi(g))
                .sum::<f64>()
                .min(1.0)
        };

        // 2. sample the group from π_old.
        for k in self.tokens.iter_mut() {
            *k = sample(&pi.cdf, &pi.e, rng);
        }
        for (obs, &k) in self.observed.iter_mut().zip(&self.tokens) {
            let mut x = pi.r[k];
            if setup.coin {
                x += rng.sign();
            }
            if setup.noise > 0.0 {
                x += setup.noise * rng.normal();
            }
            *obs = x;
        }

        // 3. group-normalised advantages.
        let (min, max) = self
            .observed
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let adv = &mut self.adv;
        if max > min {
            let mean = self.observed.iter().sum::<f64>() / g as f64;
            let var = self
                .observed
                .iter()
                .map(|&x| (x - mean) * (x - mean))
                .sum::<f64>()
                / g as f64;
            let denom = var.sqrt() + ADVANTAGE_EPS;
            for (a, &x) in adv.iter_mut().zip(&self.observed) {
                *a = (x - mean) / denom;
            }
        } else {
            adv.iter_mut().for_each(|a| *a = 0.0);
        }
        if self.record {
            self.out.trace.push(TraceStep {
                tokens: self.tokens.iter().map(|&k| k as u32).collect(),
                logprob: self.tokens.iter().map(|&k| log_prob(pi, k)).collect(),
                entropy: pi.entropy,
                mean_discriminator: pi.mean_disc,
                advantage: adv.clone(),
            });
        }

        // 4. polarity at π_old, then the strategy's shaping.
        let polarity: Vec<f64> = self
            .tokens
            .iter()
            .zip(adv.iter())
            .map(|(&k, &a)| a * (pi.mean_disc - pi.disc(k)))
            .collect();
        let (mut n_exp, mut n_con) = (0u32, 0u32);
        for (i, &k) in self.tokens.iter().enumerate() {
            if polarity[i] > 0.0 {
                n_exp += 1;
            } else if polarity[i] < 0.0 {
                n_con += 1;
            }
            self.old_p[i] = pi.p(k);
        }
        self.penalised.iter_mut().for_each(|x| *x = false);
        let mut weight = 1.0;
        let mut shaped = 0u32;
        match strategy {
            Strategy::Polarity => {
                weight = polarity_weight(
                    o.polarity_mode,
                    o.polarity_gain,
                    o.polarity_max_weight,
                    setup.target,
                    pi.entropy,
                );
                for (a, &pol) in adv.iter_mut().zip(&polarity) {
                    if pol > 0.0 {
                        *a *= weight;
                    } else if pol < 0.0 {
                        *a /= weight;
                    }
                }
            }
            Strategy::ClipCov | Strategy::KlCov => {
                let logp: Vec<f64> = self.tokens.iter().map(|&k| log_prob(pi, k)).collect();
                let pick = top_covariance(&covariances(adv, &logp), o.cov_fraction);
                for (i, &picked) in pick.iter().enumerate() {
                    if picked && adv[i] != 0.0 {
                        shaped += 1;
                        if strategy == Strategy::ClipCov {
                            adv[i] = 0.0;
                        } else {
                            self.penalised[i] = true;
                        }
                    }
                }
            }
            Strategy::DiscClip => {
                for (a, keep) in adv.iter_mut().zip(disc_clip_keep(&polarity, o.disc_clip_k)) {
                    if !keep && *a != 0.0 {
                        *a = 0.0;
                        shaped += 1;
                    }
                }
            }
            Strategy::EntroPic => {
                let (wp, wn) = pic_weights(
                    o.pic_kp,
                    o.pic_ki,
                    setup.target,
                    pi.entropy,
                    &mut self.integral,
                );
                weight = wp;
                for a in adv.iter_mut() {
                    *a *= if *a > 0.0 { wp } else { wn };
                }
            }
            Strategy::Steer => {
                let w = steer_weights(adv, &self.old_p, pi.entropy);
                for (a, w) in adv.iter_mut().zip(w) {
                    *a *= w;
                }
            }
            Strategy::Pg | Strategy::EntropyBonus | Strategy::ClipHigher => {}
        }

        // 5. epochs of clipped policy-gradient ascent.
        let (mut dh_exp, mut dh_con, mut dh_bonus) = (0.0, 0.0, 0.0);
        let (mut clip_lo, mut clip_hi) = (0u32, 0u32);
        let kl = scale * o.kl_coef;
        // A group without signal and no bonus leaves the logits as they are.
        let idle = bonus == 0.0 && adv.iter().all(|&a| a == 0.0);
        for epoch in 0..if idle { 0 } else { o.epochs } {
            let mut total = 0.0;
            for (i, &k) in self.tokens.iter().enumerate() {
                self.moves[i] = 0.0;
                let a = adv[i];
                if a == 0.0 {
                    continue;
                }
                let ratio = if epoch == 0 {
                    1.0
                } else {
                    pi.p(k) / self.old_p[i]
                };
                let mut step = scale * a * ratio;
                if self.penalised[i] {
                    // KL-Cov: no clip, a penalty κ|ln ρ| instead, whose
                    // gradient in z is −κ sign(ln ρ)(e_k − p).
                    step -= kl
                        * if ratio > 1.0 {
                            1.0
                        } else if ratio < 1.0 {
                            -1.0
                        } else {
                            0.0
                        };
                } else if a > 0.0 && ratio > hi {
                    clip_hi += 1;
                    continue;
                } else if a < 0.0 && ratio < lo {
                    clip_lo += 1;
                    continue;
                }
                let dh = step * (pi.mean_disc - pi.disc(k));
                if dh > 0.0 {
                    dh_exp += dh;
                } else {
                    dh_con += dh;
                }
                total += step;
                self.moves[i] = step;
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
            for (&k, &m) in self.tokens.iter().zip(&self.moves) {
                pi.z[k] += m;
            }
            pi.refresh();
        }

        self.step += 1;
        if !(pi.entropy.is_finite() && pi.mean_disc.is_finite() && pi.reward.is_finite()) {
            return Err(SimError::Diverged { step: self.step });
        }
        let out = &mut self.out;
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
        out.shaped.push(shaped);
        out.dead_share.push(dead);
        Ok(())
    }
}

/// ln p_k = (y_k − ȳ) − H (docs/math.md: H + ln p_k = y_k − ȳ), exact
/// for the near-one-hot policies where ln(p_k) of a rounded p_k is not.
fn log_prob(pi: &Policy, k: usize) -> f64 {
    pi.z[k] - pi.max - pi.ybar - pi.entropy
}

/// Runs the simulation. Deterministic for a given `options` (seed included).
pub fn simulate(options: &SimOptions) -> Result<SimResult, SimError> {
    let mut sim = Simulation::new(options)?;
    sim.advance(options.steps)?;
    Ok(sim.finish())
}
