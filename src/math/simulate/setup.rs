//! From options to a run: the checks that depend on more than one option
//! (vector lengths, `correct` ≤ V − 1, `targetEntropy` ≤ ln V, conflicts),
//! then the resolved initial logits, token rewards and targets.

use super::policy::Policy;
use super::{detmath, PolarityMode, Preset, SimError, SimOptions, Strategy};

/// Everything a run needs, validated and resolved.
pub(super) struct Setup {
    pub logits: Vec<f64>,
    pub rewards: Vec<f64>,
    pub noise: f64,
    /// Random preset: a fair ±1 coin on every sample.
    pub coin: bool,
    pub eps_low: f64,
    pub eps_high: f64,
    /// H* as resolved (polarity and entropic).
    pub target: f64,
}

fn check_vector(option: &'static str, v: &[f64], vocab: usize) -> Result<(), SimError> {
    if v.len() != vocab {
        return Err(SimError::Length {
            option,
            len: v.len(),
            vocab,
        });
    }
    match v.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(SimError::NotFinite {
            option,
            index,
            value: v[index],
        }),
        None => Ok(()),
    }
}

/// The default number of rewarded tokens for V tokens: 4, or V − 1 if smaller.
pub fn default_correct(vocab: usize) -> usize {
    super::DEFAULT_CORRECT.min(vocab.saturating_sub(1)).max(1)
}

impl Setup {
    pub(super) fn new(o: &SimOptions) -> Result<Setup, SimError> {
        o.check_ranges()?;
        if o.rewards.is_some() && o.preset.is_some() {
            return Err(SimError::Conflict {
                given: "rewards",
                other: "preset",
            });
        }
        if o.logits.is_some() && o.zipf.is_some() {
            return Err(SimError::Conflict {
                given: "logits",
                other: "zipf",
            });
        }
        let vocab = o
            .vocab
            .or(o.rewards.as_ref().map(Vec::len))
            .or(o.logits.as_ref().map(Vec::len))
            .unwrap_or(super::DEFAULT_VOCAB);
        if !(super::MIN_VOCAB..=super::MAX_VOCAB).contains(&vocab) {
            return Err(SimError::Range {
                option: "vocab",
                value: vocab as f64,
            });
        }
        if let Some(r) = &o.rewards {
            check_vector("rewards", r, vocab)?;
        }
        if let Some(z) = &o.logits {
            check_vector("logits", z, vocab)?;
        }
        if let Some(m) = o.correct {
            if m == 0 || m >= vocab {
                return Err(SimError::Correct { value: m, vocab });
            }
        }

        let logits = match &o.logits {
            Some(z) => z.clone(),
            None => {
                let s = o.zipf.unwrap_or(super::DEFAULT_ZIPF);
                (0..vocab)
                    .map(|j| -s * detmath::ln((j + 1) as f64))
                    .collect()
            }
        };
        let initial = Policy::new(logits.clone(), vec![0.0; vocab]);
        let preset = o.preset.unwrap_or(Preset::OneCorrect);
        let rewards = match &o.rewards {
            Some(r) => r.clone(),
            None => preset_rewards(
                preset,
                &initial,
                o.correct.unwrap_or(default_correct(vocab)),
            ),
        };
        let explicit = o.rewards.is_some();
        let noise = o.noise.unwrap_or(if !explicit && preset == Preset::Noisy {
            super::DEFAULT_NOISE
        } else {
            0.0
        });
        let max_h = detmath::ln(vocab as f64);
        let target = match o.target_entropy {
            Some(t) => {
                if !(t.is_finite() && t >= 0.0 && t <= max_h * (1.0 + 1e-12)) {
                    return Err(SimError::TargetEntropy {
                        value: t,
                        max: max_h,
                    });
                }
                t
            }
            // One-sided polarity engages as soon as entropy falls below
            // where it started; the two-sided controller and entropic hold
            // half of it (their published-style default).
            None => match (o.strategy, o.polarity_mode) {
                (Strategy::Polarity, PolarityMode::OneSided) => initial.entropy,
                _ => 0.5 * initial.entropy,
            },
        };
        let eps_high = match o.strategy {
            Strategy::ClipHigher => o.clip_high,
            _ => o.clip_low,
        };
        Ok(Setup {
            logits,
            rewards,
            noise,
            coin: !explicit && preset == Preset::Random,
            eps_low: o.clip_low,
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

#[cfg(test)]
mod tests {
    use super::super::{simulate, DEFAULT_CORRECT};
    use super::*;

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
