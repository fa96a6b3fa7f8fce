//! Per-row statistics of a float32 logit slice (docs/math.md, docs/contract.md: `analyzeRows`):
//! the fast path for R rows × V logits.
//!
//! Each row takes two passes (the maximum, then one fused pass; see
//! [`kernel`]) and yields, in f64:
//!
//! ```text
//! H  = ln Z − ȳ                         ȳ = E_p[y], y = z − max z
//! S̄  = (Σ e² y − ȳ Σ e²) / Z²  (≥ 0)    = Σ p_j² (y_j − ȳ) = Σ p_j S_j
//! e^−H,  p† = flip_pg(H, S̄)
//! for the sampled token k:  p_k,  S_k = p_k (y_k − ȳ),  c_k = S̄ − S_k,  P_k = A·c_k
//! ```
//!
//! Accuracy against the f64 [`Distribution`](super::Distribution) path on the
//! same f32 input (tests/native/rows.rs): H within 1e-5 relative (observed below
//! 1e-6, also on near-one-hot rows); tokens more than 119 nats below the
//! row maximum (p < 2e-52·p_max) count as 0. S̄ and S_k carry an absolute error of at most 1e-5 (observed ~1e-7) times
//! the size of the terms they are made of (Σ p_j² (|y_j − ȳ| + |ȳ|), resp.
//! p_k (|y_k| + |ȳ|)): f32 accumulation error, amplified where those terms
//! cancel (S̄ on near-uniform rows).
//!
//! Rows are independent; [`analyze_row`] does one row, for callers that
//! stream rows in, and [`analyze_rows_from`] takes rows from any
//! [`RowSource`] (e.g. [`CopiedRows`], which copies them in one at a time).
//! No row contains NaN in its results: bad input is a [`RowsError`].
//!
//! Speed (bench/README.md): about 24 four-lane SIMD operations per four
//! logits in the fused pass; a row whose logits sit 81–89 nats below its
//! maximum is slower (subnormal arithmetic, see [`kernel`]).

pub mod kernel;
mod simd;

use super::dist::flip_pg;
use std::f64::consts::LN_2;
use std::fmt;

/// The statistics of the sampled token of one row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokenStats {
    pub token: u32,
    /// p_k (0 for a masked token).
    pub prob: f64,
    /// S_k = p_k (H + ln p_k) = p_k (y_k − ȳ).
    pub discriminator: f64,
    /// c_k = S̄ − S_k.
    pub sensitivity: f64,
    /// P_k = A·c_k.
    pub polarity: f64,
}

/// The statistics of one row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowStats {
    /// H in nats.
    pub entropy: f64,
    /// S̄ = Σ p_j S_j ≥ 0.
    pub mean_discriminator: f64,
    /// e^−H.
    pub flip_nudge: f64,
    /// p† = S̄ / W₀(S̄ e^H).
    pub flip_pg: f64,
    /// Present when a sampled token was given.
    pub sampled: Option<TokenStats>,
}

/// Which token of each row the per-token columns are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tokens<'a> {
    /// No per-token columns.
    None,
    /// The sampled token of each row.
    Given(&'a [u32]),
    /// Each row's most likely token (the first maximum), as greedy decoding
    /// would pick it: found by the maximum pass the kernel makes anyway.
    Greedy,
}

impl<'a> From<Option<&'a [u32]>> for Tokens<'a> {
    fn from(t: Option<&'a [u32]>) -> Self {
        t.map_or(Tokens::None, Tokens::Given)
    }
}

/// Per-token columns of [`RowsAnalysis`], one value per row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SampledColumns {
    /// The token of each row (given, or the greedy one).
    pub token: Vec<u32>,
    pub prob: Vec<f64>,
    pub discriminator: Vec<f64>,
    pub sensitivity: Vec<f64>,
    pub polarity: Vec<f64>,
}

/// Columns of per-row statistics, one value per row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowsAnalysis {
    pub entropy: Vec<f64>,
    pub mean_discriminator: Vec<f64>,
    pub flip_nudge: Vec<f64>,
    pub flip_pg: Vec<f64>,
    /// Present exactly when tokens were given.
    pub sampled: Option<SampledColumns>,
}

/// What can be wrong with a slice. Rows and columns count from 0.
#[derive(Clone, Debug, PartialEq)]
pub enum RowsError {
    /// The vocabulary size is 0.
    EmptyVocab,
    /// `logits.len()` is not rows × vocab (or rows × vocab overflows).
    LengthMismatch {
        len: usize,
        rows: usize,
        vocab: usize,
    },
    NotANumber {
        row: usize,
        column: usize,
    },
    PositiveInfinity {
        row: usize,
        column: usize,
    },
    AllMasked {
        row: usize,
    },
    TokensLength {
        len: usize,
        rows: usize,
    },
    TokenOutOfRange {
        row: usize,
        token: u32,
        vocab: usize,
    },
    AdvantagesLength {
        len: usize,
        rows: usize,
    },
    AdvantageNotFinite {
        row: usize,
        value: f32,
    },
}

impl RowsError {
    /// The same error for row `row` (for callers of [`analyze_row`], which
    /// does not know where its row sits in the slice).
    pub fn at_row(self, row: usize) -> Self {
        use RowsError::*;
        match self {
            NotANumber { column, .. } => NotANumber { row, column },
            PositiveInfinity { column, .. } => PositiveInfinity { row, column },
            AllMasked { .. } => AllMasked { row },
            TokenOutOfRange { token, vocab, .. } => TokenOutOfRange { row, token, vocab },
            AdvantageNotFinite { value, .. } => AdvantageNotFinite { row, value },
            other => other,
        }
    }
}

impl fmt::Display for RowsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowsError::EmptyVocab => write!(
                f,
                "The vocabulary size is 0: every row needs at least one logit."
            ),
            RowsError::LengthMismatch { len, rows, vocab } => write!(
                f,
                "The slice has {len} logits, but {rows} rows × {vocab} tokens need {}. \
                 Check the shape (rows × vocab, row-major).",
                match rows.checked_mul(*vocab) {
                    Some(n) => n.to_string(),
                    None => "more than fit in memory".to_string(),
                }
            ),
            RowsError::NotANumber { row, column } => write!(
                f,
                "Row {row}, column {column} (counting from 0) is not a number (NaN). \
                 Replace it with a finite logit, or -Infinity to mask the token."
            ),
            RowsError::PositiveInfinity { row, column } => write!(
                f,
                "Row {row}, column {column} (counting from 0) is +Infinity, which has no softmax. \
                 Use a large finite logit instead."
            ),
            RowsError::AllMasked { row } => write!(
                f,
                "Row {row} (counting from 0) is entirely masked (-Infinity): \
                 at least one token of every row needs a finite logit."
            ),
            RowsError::TokensLength { len, rows } => write!(
                f,
                "There are {len} sampled token ids for {rows} rows: give exactly one per row."
            ),
            RowsError::TokenOutOfRange { row, token, vocab } => write!(
                f,
                "Row {row} (counting from 0): sampled token {token} is outside the vocabulary \
                 of {vocab} tokens (ids 0 to {}). Are the token ids from the same model, \
                 and is the vocabulary size right?",
                vocab.saturating_sub(1)
            ),
            RowsError::AdvantagesLength { len, rows } => write!(
                f,
                "There are {len} advantages for {rows} rows: give one per row, or a single one for all rows."
            ),
            RowsError::AdvantageNotFinite { row, value } => write!(
                f,
                "The advantage of row {row} (counting from 0) is {value}: advantages must be finite numbers."
            ),
        }
    }
}

impl std::error::Error for RowsError {}

/// Statistics of every row of a row-major `rows × vocab` slice. `tokens`
/// (one per row) adds the sampled-token columns; `advantages` has one value
/// per row or a single one for all rows (A = 1 when absent). −∞ masks a
/// token; NaN and +∞ are errors.
pub fn analyze_rows(
    logits: &[f32],
    rows: usize,
    vocab: usize,
    tokens: Option<&[u32]>,
    advantages: Option<&[f32]>,
) -> Result<RowsAnalysis, RowsError> {
    check_shape(logits.len(), rows, vocab)?;
    let source = SliceRows { logits, vocab };
    analyze_rows_from(source, rows, vocab, tokens.into(), advantages)
}

/// `Ok` when `len` logits make `rows` rows of `vocab` (≥ 1) tokens.
pub fn check_shape(len: usize, rows: usize, vocab: usize) -> Result<(), RowsError> {
    if vocab == 0 {
        return Err(RowsError::EmptyVocab);
    }
    if rows.checked_mul(vocab) != Some(len) {
        return Err(RowsError::LengthMismatch { len, rows, vocab });
    }
    Ok(())
}

/// Where [`analyze_rows_from`] gets the rows of a slice.
pub trait RowSource {
    /// Row `r` and, when `r + 1 < rows`, row `r + 1` (each `vocab` long;
    /// both are needed because row r's pass also finds row r + 1's maximum).
    /// Called for r = 0, 1, 2, … in order.
    fn rows(&mut self, r: usize) -> (&[f32], Option<&[f32]>);
}

/// The rows of a row-major slice in memory.
pub struct SliceRows<'a> {
    pub logits: &'a [f32],
    pub vocab: usize,
}

impl RowSource for SliceRows<'_> {
    fn rows(&mut self, r: usize) -> (&[f32], Option<&[f32]>) {
        let v = self.vocab;
        (
            &self.logits[r * v..(r + 1) * v],
            self.logits.get((r + 1) * v..(r + 2) * v),
        )
    }
}

/// Rows copied in one at a time by `fill(r, buffer)` into two row buffers:
/// memory for two rows instead of the whole slice, and each row is still in
/// cache when it is analysed (used for JavaScript arrays and file chunks).
pub struct CopiedRows<F: FnMut(usize, &mut [f32])> {
    fill: F,
    rows: usize,
    buffers: [Vec<f32>; 2],
    /// Which row each buffer holds.
    holds: [Option<usize>; 2],
}

impl<F: FnMut(usize, &mut [f32])> CopiedRows<F> {
    pub fn new(rows: usize, vocab: usize, fill: F) -> Self {
        let buffer = || vec![0f32; if rows == 0 { 0 } else { vocab }];
        CopiedRows {
            fill,
            rows,
            buffers: [buffer(), buffer()],
            holds: [None, None],
        }
    }

    fn load(&mut self, r: usize) {
        if self.holds[r % 2] != Some(r) {
            (self.fill)(r, &mut self.buffers[r % 2]);
            self.holds[r % 2] = Some(r);
        }
    }
}

impl<F: FnMut(usize, &mut [f32])> RowSource for CopiedRows<F> {
    fn rows(&mut self, r: usize) -> (&[f32], Option<&[f32]>) {
        self.load(r);
        let has_next = r + 1 < self.rows;
        if has_next {
            self.load(r + 1);
        }
        let [a, b] = &self.buffers;
        let (this, next) = if r % 2 == 0 { (a, b) } else { (b, a) };
        (this, has_next.then_some(next.as_slice()))
    }
}

/// [`analyze_rows`] for rows from any [`RowSource`] (the caller has checked
/// the shape, e.g. with [`check_shape`]).
pub fn analyze_rows_from(
    mut source: impl RowSource,
    rows: usize,
    vocab: usize,
    tokens: Tokens<'_>,
    advantages: Option<&[f32]>,
) -> Result<RowsAnalysis, RowsError> {
    if vocab == 0 {
        return Err(RowsError::EmptyVocab);
    }
    if let Tokens::Given(t) = tokens {
        if t.len() != rows {
            return Err(RowsError::TokensLength { len: t.len(), rows });
        }
        if let Some(row) = t.iter().position(|&k| k as usize >= vocab) {
            return Err(RowsError::TokenOutOfRange {
                row,
                token: t[row],
                vocab,
            });
        }
    }
    if let Some(a) = advantages {
        if a.len() != 1 && a.len() != rows {
            return Err(RowsError::AdvantagesLength { len: a.len(), rows });
        }
        if let Some(row) = a.iter().position(|v| !v.is_finite()) {
            return Err(RowsError::AdvantageNotFinite { row, value: a[row] });
        }
    }
    let advantage = |r: usize| match advantages {
        None => 1.0,
        Some([a]) => *a,
        Some(a) => a[r],
    };

    let mut out = RowsAnalysis {
        entropy: Vec::with_capacity(rows),
        mean_discriminator: Vec::with_capacity(rows),
        flip_nudge: Vec::with_capacity(rows),
        flip_pg: Vec::with_capacity(rows),
        sampled: (tokens != Tokens::None).then(|| SampledColumns {
            token: Vec::with_capacity(rows),
            prob: Vec::with_capacity(rows),
            discriminator: Vec::with_capacity(rows),
            sensitivity: Vec::with_capacity(rows),
            polarity: Vec::with_capacity(rows),
        }),
    };
    // Row r's fused pass also finds row r + 1's maximum (see kernel).
    let mut max = None;
    for r in 0..rows {
        let (row, next) = source.rows(r);
        assert_eq!(
            row.len(),
            vocab,
            "a row source gives rows of `vocab` logits"
        );
        let (m, top_block) = max.take().unwrap_or_else(|| kernel::row_max(row));
        if !m.is_finite() {
            return Err(diagnose(row).at_row(r));
        }
        let sums = match next {
            Some(next) => {
                let (sums, next_max) = kernel::row_sums_then_max(row, m, top_block, next);
                max = Some(next_max);
                sums
            }
            None => kernel::row_sums(row, m, top_block),
        };
        if !sums.is_finite() {
            return Err(diagnose(row).at_row(r));
        }
        let token = match tokens {
            Tokens::None => None,
            Tokens::Given(t) => Some(t[r]),
            Tokens::Greedy => Some(first_max(row, m, top_block)),
        };
        let s = finish(row, m, &sums, token, advantage(r));
        out.entropy.push(s.entropy);
        out.mean_discriminator.push(s.mean_discriminator);
        out.flip_nudge.push(s.flip_nudge);
        out.flip_pg.push(s.flip_pg);
        if let (Some(cols), Some(t)) = (out.sampled.as_mut(), s.sampled) {
            cols.token.push(t.token);
            cols.prob.push(t.prob);
            cols.discriminator.push(t.discriminator);
            cols.sensitivity.push(t.sensitivity);
            cols.polarity.push(t.polarity);
        }
    }
    Ok(out)
}

/// Statistics of one row (errors name row 0; see [`RowsError::at_row`]).
/// `adv` is the advantage A of the sampled token (use 1 for "none").
pub fn analyze_row(row: &[f32], token: Option<u32>, adv: f32) -> Result<RowStats, RowsError> {
    if row.is_empty() {
        return Err(RowsError::EmptyVocab);
    }
    if let Some(k) = token {
        if k as usize >= row.len() {
            return Err(RowsError::TokenOutOfRange {
                row: 0,
                token: k,
                vocab: row.len(),
            });
        }
    }
    if !adv.is_finite() {
        return Err(RowsError::AdvantageNotFinite { row: 0, value: adv });
    }
    let (m, top_block) = kernel::row_max(row);
    if !m.is_finite() {
        return Err(diagnose(row));
    }
    let s = kernel::row_sums(row, m, top_block);
    if !s.is_finite() {
        return Err(diagnose(row));
    }
    Ok(finish(row, m, &s, token, adv))
}

/// The column of the first entry equal to the row maximum `m`, which the
/// maximum pass found in block `top_block`.
fn first_max(row: &[f32], m: f32, top_block: usize) -> u32 {
    let from = top_block * kernel::BLOCK;
    let at = row[from..].iter().position(|&z| z == m).unwrap_or(0);
    (from + at) as u32
}

/// The row statistics from the kernel's sums (`m` the row maximum).
fn finish(row: &[f32], m: f32, s: &kernel::Sums, token: Option<u32>, adv: f32) -> RowStats {
    // Back to natural units: y = u·ln 2.
    let z = s.n_top + s.z_rest;
    let ln_z = ((s.n_top - 1.0) + s.z_rest).ln_1p();
    let ybar = LN_2 * s.eu / z; // ≤ 0
    let entropy = (ln_z - ybar).max(0.0);
    let e2 = s.n_top + s.e2_rest;
    let mean_disc = (LN_2 * (s.e2u - (s.eu / z) * e2) / (z * z)).max(0.0);

    let sampled = token.map(|k| {
        let zk = row[k as usize];
        let (prob, discriminator) = if zk == f32::NEG_INFINITY {
            (0.0, 0.0)
        } else {
            let yk = f64::from(zk) - f64::from(m);
            let p = yk.exp() / z;
            (p, p * (yk - ybar))
        };
        let sensitivity = mean_disc - discriminator;
        TokenStats {
            token: k,
            prob,
            discriminator,
            sensitivity,
            polarity: f64::from(adv) * sensitivity,
        }
    });
    RowStats {
        entropy,
        mean_discriminator: mean_disc,
        flip_nudge: (-entropy).exp(),
        flip_pg: flip_pg(entropy, mean_disc),
        sampled,
    }
}

/// The slow path for a row that failed the cheap checks: name the first bad
/// entry, or say that everything is masked.
#[cold]
fn diagnose(row: &[f32]) -> RowsError {
    for (column, &z) in row.iter().enumerate() {
        if z.is_nan() {
            return RowsError::NotANumber { row: 0, column };
        }
        if z == f32::INFINITY {
            return RowsError::PositiveInfinity { row: 0, column };
        }
    }
    RowsError::AllMasked { row: 0 }
}
