//! The scenario grid: every strategy over reward structures × V × lr ×
//! epochs × clip settings × seeds, and a summary of where each strategy
//! keeps its entropy while still learning, and where and how it fails.
//!
//! A scenario *succeeds* for a strategy when, averaged over the seeds,
//! - its final expected reward gained at least 90 % of the best gain any
//!   strategy reached in that scenario (R − R₀ ≥ 0.9 (R_best − R₀); every
//!   strategy passes when no strategy gained 0.01), and
//! - its final entropy is at least `keep` × H_ideal, where H_ideal =
//!   min(H₀, ln m) and m is the number of tokens with the highest token
//!   reward (the entropy a reward-optimal policy can keep; the random preset
//!   rewards nothing, so m = V and H_ideal = H₀). With one rewarded token
//!   H_ideal = 0: collapse is then the goal, and only reward counts.
//!
//! Failures are `collapsed` (reward reached, entropy lost), `slow` (entropy
//! kept, reward not reached) or `both`.

use super::{simulate, Preset, SimError, SimOptions, Strategy};

/// The reward structures of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RewardCase {
    One,
    Several,
    Unlikely,
    Noisy,
    Random,
    /// Explicit rewards on 4 tokens, one of them the initially most likely
    /// (issue 13's case): tokens 0, V/8, 2V/8 and 3V/8 of the Zipf start.
    Explicit,
}

impl RewardCase {
    pub const ALL: [RewardCase; 6] = [
        RewardCase::One,
        RewardCase::Several,
        RewardCase::Unlikely,
        RewardCase::Noisy,
        RewardCase::Random,
        RewardCase::Explicit,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RewardCase::One => "one",
            RewardCase::Several => "several",
            RewardCase::Unlikely => "unlikely",
            RewardCase::Noisy => "noisy",
            RewardCase::Random => "random",
            RewardCase::Explicit => "explicit",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The rewards of issue 13's explicit case for V tokens.
pub fn explicit_rewards(vocab: usize) -> Vec<f64> {
    let mut r = vec![0.0; vocab];
    for i in 0..4 {
        r[(i * vocab / 8).min(vocab - 1)] = 1.0;
    }
    r
}

/// One axis value each.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scenario {
    pub reward: RewardCase,
    pub vocab: usize,
    pub lr: f64,
    pub epochs: usize,
    pub clip_low: f64,
    pub clip_high: f64,
}

impl Scenario {
    pub fn label(&self) -> String {
        format!(
            "{} V={} lr={} epochs={} clip={}/{}",
            self.reward.as_str(),
            self.vocab,
            self.lr,
            self.epochs,
            self.clip_low,
            self.clip_high
        )
    }
}

/// The grid's axes and its fixed settings.
#[derive(Clone, Debug, PartialEq)]
pub struct GridSpec {
    pub rewards: Vec<RewardCase>,
    pub vocab: Vec<usize>,
    pub lr: Vec<f64>,
    pub epochs: Vec<usize>,
    /// (ε_low, ε_high) pairs.
    pub clip: Vec<(f64, f64)>,
    /// Seeds 0..seeds.
    pub seeds: u64,
    pub steps: usize,
    pub group: usize,
    /// Fraction of H_ideal a run must keep.
    pub keep: f64,
    pub strategies: Vec<Strategy>,
    /// The strategies' own knobs (gain, fractions, …) and the Zipf start;
    /// the axes and fixed settings above override the rest.
    pub base: SimOptions,
}

impl Default for GridSpec {
    /// The pinned grid (tests/fixtures/grid_summary.txt): small enough to
    /// run in seconds natively.
    fn default() -> Self {
        GridSpec {
            rewards: RewardCase::ALL.to_vec(),
            vocab: vec![20, 100],
            lr: vec![0.1, 0.5],
            epochs: vec![1, 4],
            clip: vec![(0.2, 0.28)],
            seeds: 3,
            steps: 150,
            group: 16,
            keep: 0.5,
            strategies: Strategy::ALL.to_vec(),
            base: SimOptions::default(),
        }
    }
}

impl GridSpec {
    /// Every combination, rewards outermost.
    pub fn scenarios(&self) -> Vec<Scenario> {
        let mut out = Vec::new();
        for &reward in &self.rewards {
            for &vocab in &self.vocab {
                for &lr in &self.lr {
                    for &epochs in &self.epochs {
                        for &(clip_low, clip_high) in &self.clip {
                            out.push(Scenario {
                                reward,
                                vocab,
                                lr,
                                epochs,
                                clip_low,
                                clip_high,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// The simulate options of one run of the grid.
    pub fn options(&self, sc: &Scenario, strategy: Strategy, seed: u64) -> SimOptions {
        let (preset, rewards) = match sc.reward {
            RewardCase::One => (Some(Preset::OneCorrect), None),
            RewardCase::Several => (Some(Preset::SeveralCorrect), None),
            RewardCase::Unlikely => (Some(Preset::UnlikelyCorrect), None),
            RewardCase::Noisy => (Some(Preset::Noisy), None),
            RewardCase::Random => (Some(Preset::Random), None),
            RewardCase::Explicit => (None, Some(explicit_rewards(sc.vocab))),
        };
        SimOptions {
            strategy,
            vocab: Some(sc.vocab),
            group: self.group,
            steps: self.steps,
            seed,
            lr: sc.lr,
            epochs: sc.epochs,
            clip_low: sc.clip_low,
            clip_high: sc.clip_high,
            preset,
            rewards,
            ..self.base.clone()
        }
    }
}

/// One strategy in one scenario, means over the seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    pub h0: f64,
    pub r0: f64,
    pub entropy: f64,
    pub reward: f64,
    /// min(H₀, ln m), see the module documentation.
    pub h_ideal: f64,
}

/// Runs one strategy over the seeds of one scenario.
pub fn run_cell(spec: &GridSpec, sc: &Scenario, strategy: Strategy) -> Result<Cell, SimError> {
    let (mut h, mut r) = (0.0, 0.0);
    let mut first = None;
    for seed in 0..spec.seeds {
        let run = simulate(&spec.options(sc, strategy, seed))?;
        h += run.entropy[run.entropy.len() - 1];
        r += run.reward[run.reward.len() - 1];
        if first.is_none() {
            let top = run
                .token_rewards
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let m = run.token_rewards.iter().filter(|&&x| x == top).count();
            first = Some((
                run.entropy[0],
                run.reward[0],
                (m as f64).ln().min(run.entropy[0]),
            ));
        }
    }
    let n = spec.seeds.max(1) as f64;
    let (h0, r0, h_ideal) = first.unwrap_or((0.0, 0.0, 0.0));
    Ok(Cell {
        h0,
        r0,
        entropy: h / n,
        reward: r / n,
        h_ideal,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Collapsed,
    Slow,
    Both,
}

/// The outcome of every cell; `cells[s][k]`: scenario s, strategy k.
pub fn outcomes(spec: &GridSpec, cells: &[Vec<Cell>]) -> Vec<Vec<Outcome>> {
    cells
        .iter()
        .map(|row| {
            let r0 = row.first().map_or(0.0, |c| c.r0);
            let best = row
                .iter()
                .map(|c| c.reward)
                .fold(f64::NEG_INFINITY, f64::max);
            let gain = best - r0;
            row.iter()
                .map(|c| {
                    let rewarded = gain < 0.01 || c.reward - r0 >= 0.9 * gain;
                    let kept = c.entropy >= spec.keep * c.h_ideal;
                    match (kept, rewarded) {
                        (true, true) => Outcome::Pass,
                        (false, true) => Outcome::Collapsed,
                        (true, false) => Outcome::Slow,
                        (false, false) => Outcome::Both,
                    }
                })
                .collect()
        })
        .collect()
}

/// Runs the whole grid natively: `cells[s][k]`.
pub fn run(spec: &GridSpec) -> Result<Vec<Vec<Cell>>, SimError> {
    spec.scenarios()
        .iter()
        .map(|sc| {
            spec.strategies
                .iter()
                .map(|&k| run_cell(spec, sc, k))
                .collect()
        })
        .collect()
}

/// The summary table as text: per strategy, passes and failures overall
/// and passes per reward structure.
pub fn summary(spec: &GridSpec, cells: &[Vec<Cell>]) -> String {
    let scen = spec.scenarios();
    let out = outcomes(spec, cells);
    let mut s = format!(
        "grid: {} scenarios × {} seeds, {} steps, G = {}, keep ≥ {} × H_ideal, reward gain ≥ 0.9 × best\n",
        scen.len(),
        spec.seeds,
        spec.steps,
        spec.group,
        spec.keep
    );
    s.push_str(&format!(
        "{:<14} {:>5} {:>9} {:>5} {:>5} {:>8} {:>8}",
        "strategy", "pass", "collapsed", "slow", "both", "mean H", "mean R"
    ));
    for r in &spec.rewards {
        s.push_str(&format!(" {:>8}", r.as_str()));
    }
    s.push('\n');
    for (k, strategy) in spec.strategies.iter().enumerate() {
        let count = |o: Outcome| out.iter().filter(|row| row[k] == o).count();
        let n = cells.len() as f64;
        let mh = cells.iter().map(|row| row[k].entropy).sum::<f64>() / n;
        let mr = cells.iter().map(|row| row[k].reward).sum::<f64>() / n;
        s.push_str(&format!(
            "{:<14} {:>5} {:>9} {:>5} {:>5} {:>8.4} {:>8.4}",
            strategy.as_str(),
            count(Outcome::Pass),
            count(Outcome::Collapsed),
            count(Outcome::Slow),
            count(Outcome::Both),
            mh,
            mr
        ));
        for r in &spec.rewards {
            let (pass, all) = scen
                .iter()
                .zip(&out)
                .filter(|(sc, _)| sc.reward == *r)
                .fold((0, 0), |(p, a), (_, row)| {
                    (p + usize::from(row[k] == Outcome::Pass), a + 1)
                });
            s.push_str(&format!(" {:>8}", format!("{pass}/{all}")));
        }
        s.push('\n');
    }
    s
}
