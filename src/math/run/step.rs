//! Per-step aggregation (the columns of the per-step CSV, docs/trace-format.md
//! "Per step") and the bounded per-token detail: whole samples (a reservoir of
//! at most `samples_per_step` per step, so every rank has a chance) plus the
//! `extremes` most expanding and most contracting tokens of each step.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::formats::Sample;
use super::token::token_values;
use crate::math::sum::Neumaier;

/// Where a token came from and what it holds (the raw inputs; derived values
/// are computed when the detail is read).
#[derive(Clone, Debug, PartialEq)]
pub struct KeptToken {
    pub step: i64,
    pub sample: i64,
    pub position: u32,
    pub token_id: f64,
    pub logprob: f64,
    pub entropy: f64,
    pub mean_disc: f64,
    pub advantage: f64,
    /// NaN where the trace has no (finite) value after the step.
    pub entropy_after: f64,
    pub logprob_after: f64,
    pub file: u32,
    pub line: u64,
    pub counted: bool,
    /// Part of a whole kept sample (false: kept as one of the extremes).
    pub whole: bool,
    pub text: Option<String>,
    pub env_name: Option<std::rc::Rc<str>>,
}

impl KeptToken {
    /// p_k after the step, e^{ℓ after} (NaN where the trace has no value after).
    pub fn prob_after(&self) -> f64 {
        self.logprob_after.exp()
    }
}

/// Token term with an order (for the extremes heaps); ties broken by arrival.
#[derive(Clone, Debug)]
struct Ranked {
    key: f64,
    seq: u64,
    token: KeptToken,
}
impl PartialEq for Ranked {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ranked {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key.total_cmp(&o.key).then(o.seq.cmp(&self.seq))
    }
}

#[derive(Default)]
pub struct StepAcc {
    pub step: i64,
    pub lines: u64,
    pub samples: u64,
    pub tokens: u64,
    sum_h: Neumaier,
    n_h: u64,
    sum_p: Neumaier,
    sum_tt: Neumaier,
    n_tt: u64,
    sum_pg: Neumaier,
    n_pg: u64,
    /// pos_expand, pos_contract, neg_expand, neg_contract.
    shares: [u64; 4],
    share_den: u64,
    /// Same-context change ΔH = entropy_after − entropy (docs/trace-format.md).
    sum_dh: Neumaier,
    n_dh: u64,
    /// Sign agreement with ΔH: (same sign, counted) for the token term and
    /// the PG polarity; `pg_missing` counts eligible tokens without S̄.
    agree_tt: (u64, u64),
    agree_pg: (u64, u64),
    pg_missing: u64,
    /// Kept whole samples: (eligible-sample number, tokens).
    reservoir: Vec<(u64, Vec<KeptToken>)>,
    rng: u64,
    /// Most expanding (min-heap of the k largest token terms) and most contracting.
    expanding: BinaryHeap<Reverse<Ranked>>,
    contracting: BinaryHeap<Ranked>,
    seq: u64,
}

/// The per-step columns (NaN = empty cell).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepRow {
    pub step: f64,
    pub samples: f64,
    pub tokens: f64,
    pub mean_entropy: f64,
    pub mean_prob: f64,
    pub token_term: f64,
    pub share_pos_expand: f64,
    pub share_pos_contract: f64,
    pub share_neg_expand: f64,
    pub share_neg_contract: f64,
    pub pg_polarity: f64,
    pub realised_dh: f64,
    pub realised_dh_same: f64,
    pub agree_token_term: f64,
    pub agree_pg_polarity: f64,
}

pub(crate) fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Where a sample sits in the run, for the detail.
pub struct Origin<'a> {
    pub file: u32,
    pub line: u64,
    /// The sample's id in its step (its own, or its arrival number).
    pub sample: i64,
    pub env_name: Option<&'a std::rc::Rc<str>>,
}

pub struct Limits {
    pub samples_per_step: usize,
    pub extremes: usize,
    pub max_sample_tokens: usize,
}

impl StepAcc {
    pub fn new(step: i64) -> Self {
        StepAcc {
            step,
            rng: (step as u64) ^ 0x5EED_0FE1_A000,
            ..Default::default()
        }
    }

    /// Adds one sample. Returns the number of tokens that counted, and the
    /// first counted position whose `entropy_after` is not finite (when the
    /// sample has that field).
    pub fn add(&mut self, s: &Sample, origin: &Origin, lim: &Limits) -> (u64, Option<usize>) {
        self.lines += 1;
        let has_h = s.entropy.is_some();
        let nan = f64::NAN;
        let at = |c: &Option<Vec<f64>>, i: usize| c.as_ref().map_or(nan, |c| c[i]);
        let mut counted = 0u64;
        let mut no_after = None;
        for i in 0..s.len() {
            if !s.mask[i] {
                continue;
            }
            let l = s.logprob[i];
            let h = at(&s.entropy, i);
            let a = at(&s.advantage, i);
            // docs/trace-format.md "Which tokens count".
            let counts = l.is_finite()
                && (!has_h || (h.is_finite() && (s.advantage.is_none() || a.is_finite())));
            if !counts {
                continue;
            }
            counted += 1;
            let sbar = at(&s.mean_disc, i);
            let v = token_values(l, h, a, sbar);
            self.sum_p.add(v.prob);
            if h.is_finite() {
                self.sum_h.add(h);
                self.n_h += 1;
            }
            if v.token_term.is_finite() {
                self.sum_tt.add(v.token_term);
                self.n_tt += 1;
                if a != 0.0 && v.token_term != 0.0 {
                    self.share_den += 1;
                    let k = match (a > 0.0, v.token_term > 0.0) {
                        (true, true) => 0,
                        (true, false) => 1,
                        (false, true) => 2,
                        (false, false) => 3,
                    };
                    self.shares[k] += 1;
                }
                if lim.extremes > 0 && v.token_term != 0.0 {
                    self.offer_extreme(s, i, v.token_term, origin, lim.extremes);
                }
            }
            if v.polarity.is_finite() {
                self.sum_pg.add(v.polarity);
                self.n_pg += 1;
            }
            let after = at(&s.entropy_after, i);
            if s.entropy_after.is_some() && !after.is_finite() && no_after.is_none() {
                no_after = Some(i);
            }
            let dh = after - h;
            if dh.is_finite() {
                self.sum_dh.add(dh);
                self.n_dh += 1;
                if dh != 0.0 && a != 0.0 && a.is_finite() {
                    agree(&mut self.agree_tt, v.token_term, dh);
                    if sbar.is_finite() {
                        agree(&mut self.agree_pg, v.polarity, dh);
                    } else {
                        self.pg_missing += 1;
                    }
                }
            }
        }
        self.tokens += counted;
        if counted > 0 {
            self.samples += 1;
            self.offer_sample(s, origin, lim);
        }
        (counted, no_after)
    }

    fn kept(&self, s: &Sample, i: usize, origin: &Origin, counted: bool, whole: bool) -> KeptToken {
        let at = |c: &Option<Vec<f64>>| c.as_ref().map_or(f64::NAN, |c| c[i]);
        KeptToken {
            step: self.step,
            sample: origin.sample,
            position: i as u32,
            token_id: s.token_id[i],
            logprob: s.logprob[i],
            entropy: at(&s.entropy),
            mean_disc: at(&s.mean_disc),
            advantage: at(&s.advantage),
            entropy_after: at(&s.entropy_after),
            logprob_after: at(&s.logprob_after),
            file: origin.file,
            line: origin.line,
            counted,
            whole,
            text: s.text.as_ref().map(|t| t[i].clone()),
            env_name: origin.env_name.cloned(),
        }
    }

    fn offer_extreme(&mut self, s: &Sample, i: usize, tt: f64, origin: &Origin, k: usize) {
        self.seq += 1;
        let seq = self.seq;
        if tt > 0.0 {
            let full = self.expanding.len() >= k;
            if full && self.expanding.peek().is_some_and(|m| m.0.key >= tt) {
                return;
            }
            let token = self.kept(s, i, origin, true, false);
            self.expanding.push(Reverse(Ranked {
                key: tt,
                seq,
                token,
            }));
            if self.expanding.len() > k {
                self.expanding.pop();
            }
        } else {
            let full = self.contracting.len() >= k;
            if full && self.contracting.peek().is_some_and(|m| m.key <= tt) {
                return;
            }
            let token = self.kept(s, i, origin, true, false);
            self.contracting.push(Ranked {
                key: tt,
                seq,
                token,
            });
            if self.contracting.len() > k {
                self.contracting.pop();
            }
        }
    }

    /// Reservoir sampling (Algorithm R) over the samples with a counted token.
    fn offer_sample(&mut self, s: &Sample, origin: &Origin, lim: &Limits) {
        let k = lim.samples_per_step;
        if k == 0 {
            return;
        }
        let n = self.samples - 1; // this sample's number among the eligible ones
        let slot = if (n as usize) < k {
            None
        } else {
            let j = splitmix(&mut self.rng) % (n + 1);
            if j as usize >= k {
                return;
            }
            Some(j as usize)
        };
        let has_h = s.entropy.is_some();
        let mut tokens = Vec::new();
        for i in 0..s.len() {
            if !s.mask[i] {
                continue;
            }
            if tokens.len() >= lim.max_sample_tokens {
                break;
            }
            let l = s.logprob[i];
            let h = s.entropy.as_ref().map_or(f64::NAN, |c| c[i]);
            let a = s.advantage.as_ref().map_or(f64::NAN, |c| c[i]);
            let counts = l.is_finite()
                && (!has_h || (h.is_finite() && (s.advantage.is_none() || a.is_finite())));
            tokens.push(self.kept(s, i, origin, counts, true));
        }
        match slot {
            None => self.reservoir.push((n, tokens)),
            Some(j) => self.reservoir[j] = (n, tokens),
        }
    }

    /// The step's columns; `realised_dh` is filled in by the caller.
    pub fn row(&self) -> StepRow {
        let nan = f64::NAN;
        let t = self.tokens;
        let mean = |s: &Neumaier, n: u64| {
            if n == t && t > 0 {
                s.value() / t as f64
            } else {
                nan
            }
        };
        let share = |k: usize| {
            if self.share_den > 0 && self.n_tt == t {
                self.shares[k] as f64 / self.share_den as f64
            } else {
                nan
            }
        };
        StepRow {
            step: self.step as f64,
            samples: self.samples as f64,
            tokens: t as f64,
            mean_entropy: mean(&self.sum_h, self.n_h),
            mean_prob: if t > 0 {
                self.sum_p.value() / t as f64
            } else {
                nan
            },
            token_term: mean(&self.sum_tt, self.n_tt),
            share_pos_expand: share(0),
            share_pos_contract: share(1),
            share_neg_expand: share(2),
            share_neg_contract: share(3),
            pg_polarity: mean(&self.sum_pg, self.n_pg),
            realised_dh: nan,
            realised_dh_same: if self.n_dh > 0 {
                self.sum_dh.value() / self.n_dh as f64
            } else {
                nan
            },
            agree_token_term: ratio(self.agree_tt),
            agree_pg_polarity: if self.pg_missing == 0 {
                ratio(self.agree_pg)
            } else {
                nan
            },
        }
    }

    /// Kept tokens of this step: whole samples in arrival order, then the
    /// extremes not already inside a kept sample (most expanding first, then
    /// most contracting first).
    pub fn detail(&self, out: &mut Vec<KeptToken>) {
        let mut samples: Vec<&(u64, Vec<KeptToken>)> = self.reservoir.iter().collect();
        samples.sort_by_key(|(n, _)| *n);
        let start = out.len();
        for (_, toks) in samples {
            out.extend(toks.iter().cloned());
        }
        let whole: std::collections::HashSet<(u32, u64, u32)> = out[start..]
            .iter()
            .map(|t| (t.file, t.line, t.position))
            .collect();
        let mut exp: Vec<&Ranked> = self.expanding.iter().map(|r| &r.0).collect();
        exp.sort_by(|a, b| b.cmp(a));
        let mut con: Vec<&Ranked> = self.contracting.iter().collect();
        con.sort();
        for r in exp.into_iter().chain(con) {
            let t = &r.token;
            if !whole.contains(&(t.file, t.line, t.position)) {
                out.push(t.clone());
            }
        }
    }
}

/// Counts one token with a nonzero same-context change `dh` towards the
/// sign agreement of `predicted` (skipped when that is zero or not finite).
fn agree(acc: &mut (u64, u64), predicted: f64, dh: f64) {
    if predicted.is_finite() && predicted != 0.0 {
        acc.1 += 1;
        acc.0 += ((predicted > 0.0) == (dh > 0.0)) as u64;
    }
}

/// (same sign, counted) as a share; NaN when nothing was counted.
fn ratio((hit, n): (u64, u64)) -> f64 {
    if n > 0 {
        hit as f64 / n as f64
    } else {
        f64::NAN
    }
}

/// Fills `realised_dh`: the next present step's mean entropy minus this one's.
pub fn fill_realised(rows: &mut [StepRow]) {
    for i in 0..rows.len() {
        rows[i].realised_dh = match rows.get(i + 1) {
            Some(next) => next.mean_entropy - rows[i].mean_entropy,
            None => f64::NAN,
        };
    }
}
