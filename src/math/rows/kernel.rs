//! The two passes over one row of float32 logits.
//!
//! Pass 1 finds the row maximum m (and the block where it first occurs).
//! Pass 2 computes e_j = 2^{u_j}, u_j = (z_j − m)·log₂e, with a vectorised
//! f32 exp2 and accumulates, per row,
//!
//! ```text
//! Z = Σ e,   EU = Σ e·u,   E2 = Σ e²,   E2U = Σ e²·u
//! ```
//!
//! in f32 lanes over blocks of [`BLOCK`] entries; every block's lane sums are
//! added into f64. Working in base 2 saves the Cody–Waite reduction: the
//! caller multiplies EU and E2U by ln 2. [`row_sums_then_max`] also runs pass 1
//! of the next row inside pass 2 of this one, block by block, so that the
//! memory-bound maximum overlaps the arithmetic-bound exp (15% faster in V8).
//!
//! The exp2, per lane (24 SIMD operations per four logits in all, counting the
//! products and sums):
//! - u = max((z − m)·log₂e, LO); v = u + MAGIC rounds u to the integer n and
//!   leaves n + 127 + SCALE in the low mantissa bits of v (the 1.5·2²³ trick);
//!   f = u − (v − MAGIC) = u − n ∈ [−½, ½] exactly;
//! - 2^f ≈ t(f)/B0, t monic of degree 5 in Horner form (4 multiplications,
//!   5 additions), within 2.9 ulp in f32 arithmetic, exactly 1 at f = 0;
//! - e' = t·2^{n+SCALE}, the power of two made by shifting v's bits left by 23.
//!   The constant 2^−SCALE/B0 is applied once, to the f64 sums.
//!
//! Numerics:
//! - The rounding of u = (z − m)·log₂e adds |u|·2⁻²⁴ relative, the same order
//!   as the rounding of z − m itself.
//! - LO = −(127 + SCALE): at the clamp the exponent field is 0, so masked
//!   tokens (−∞) and everything more than 119 nats below the maximum
//!   (p < 2e-52·p_max) give exactly e' = 0, without a separate mask.
//!   SCALE = 45 keeps every block sum of e'² far below f32::MAX. The price:
//!   for logits 81 to 89 nats below the row maximum, e'² is a subnormal f32.
//!   The results stay right, but x86 computes subnormal results about 20×
//!   slower (wasm cannot flush them to zero), so a row made of such logits
//!   takes that much longer. (Further down e'² underflows to 0, at full
//!   speed; a 2-operation mask instead would cost 7% on every row.)
//! - The block that holds the first maximum is accumulated without the
//!   entries equal to the maximum, which are counted instead: Z = n_top +
//!   rest exactly, so ln Z = ln1p(n_top − 1 + rest) keeps near-one-hot rows
//!   to f32 relative precision. Ties in other blocks make Z ≥ 2, where that
//!   precision does not matter.
//! - NaN propagates into Z (the clamp keeps it), +∞ shows up as the maximum,
//!   and a row of −∞ as a maximum of −∞: the caller rescans only such rows,
//!   to name the column.

use super::simd::F32x4;

/// Entries per f32 partial sum (64 per lane). 152,064 = 594 blocks.
pub const BLOCK: usize = 256;
/// e' = e·2^SCALE inside the loop (see the module docs).
const SCALE: i32 = 45;
/// Lower clamp for u: the exponent field of 2^{n+SCALE} is 0 there.
const LO: f32 = -(127.0 + SCALE as f32);
/// 1.5·2²³ + exponent bias + SCALE.
const MAGIC: f32 = 12_582_912.0 + 127.0 + SCALE as f32;
const LOG2E: f32 = std::f32::consts::LOG2_E;
// 2^f ≈ (f⁵ + B4 f⁴ + B3 f³ + B2 f² + B1 f + B0) / B0 on [−½, ½]: the
// minimax (relative error 7.5e-8) degree-5 polynomial, divided by its
// leading coefficient so that Horner's scheme needs one multiplication less,
// and normalised so that 2⁰ = 1 exactly. In f32 arithmetic the error is
// within 2.9 ulp (tests/native/rows.rs measures it).
const B0: f32 = 753.212_95;
const B1: f32 = 522.087_2;
const B2: f32 = 180.937_71;
const B3: f32 = 41.808_69;
const B4: f32 = 7.287_741;
/// 2^−SCALE / B0: turns sums of e' into sums of e.
const TO_E: f64 = 1.0 / (B0 as f64 * (1u64 << SCALE) as f64);

/// Pass-2 results of one row, in base-2 units (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums {
    /// Entries equal to the maximum inside the top block (≥ 1 unless the
    /// row is all masked).
    pub n_top: f64,
    /// Σ e over everything else.
    pub z_rest: f64,
    /// Σ e·u.
    pub eu: f64,
    /// Σ e² over everything except the counted maxima.
    pub e2_rest: f64,
    /// Σ e²·u.
    pub e2u: f64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.n_top += o.n_top;
        self.z_rest += o.z_rest;
        self.eu += o.eu;
        self.e2_rest += o.e2_rest;
        self.e2u += o.e2u;
    }

    pub fn is_finite(&self) -> bool {
        self.z_rest.is_finite()
            && self.eu.is_finite()
            && self.e2_rest.is_finite()
            && self.e2u.is_finite()
    }
}

/// e^y within 2.9 ulp + |y|·2⁻²⁴ relative for −87 < y ≤ 0 (where e^y is a
/// normal f32; below that f32 underflows); exactly 0 for y < −119 and −∞;
/// NaN for NaN. The scalar twin of the vector kernel: the same operations in
/// the same order, and the same e' = e·2^SCALE/C before the final scaling.
pub fn exp_f32(y: f32) -> f32 {
    let u = y * LOG2E;
    // `u < LO` is false for NaN: NaN passes through.
    let u = if u < LO { LO } else { u };
    let v = u + MAGIC;
    let f = u - (v - MAGIC);
    let t = ((((f + B4) * f + B3) * f + B2) * f + B1) * f + B0;
    let e = t * f32::from_bits(v.to_bits() << 23);
    (f64::from(e) * TO_E) as f32
}

/// Pass 1: the maximum of the row, ignoring NaN, and the index of the block
/// where it first occurs. −∞ for an empty or all-masked (or all-NaN) row.
pub fn row_max(row: &[f32]) -> (f32, usize) {
    let mut max = BlockMax::new();
    for (b, block) in row.chunks(BLOCK).enumerate() {
        max.block(b, block);
    }
    max.result()
}

/// Pass 2 (see the module docs). `m` is the row maximum, finite;
/// `top_block` the block where it first occurs.
pub fn row_sums(row: &[f32], m: f32, top_block: usize) -> Sums {
    sums::<false>(row, m, top_block, &[]).0
}

/// Pass 2 of `row` and, in the same loop, pass 1 of `next` (the next row,
/// of the same length): what [`row_sums`] and [`row_max`] return.
pub fn row_sums_then_max(
    row: &[f32],
    m: f32,
    top_block: usize,
    next: &[f32],
) -> (Sums, (f32, usize)) {
    assert_eq!(row.len(), next.len(), "rows of one slice have one length");
    sums::<true>(row, m, top_block, next)
}

/// The running maximum over blocks, and the block where it first occurs.
struct BlockMax {
    max: f32,
    block: usize,
}

impl BlockMax {
    fn new() -> Self {
        BlockMax {
            max: f32::NEG_INFINITY,
            block: 0,
        }
    }

    #[inline(always)]
    fn block(&mut self, b: usize, block: &[f32]) {
        // Four independent chains: max has a latency of several cycles.
        // (Written out: the release profile's opt-level "s" does not unroll.)
        let mut a = [F32x4::splat(f32::NEG_INFINITY); 4];
        let mut it = block.chunks_exact(16);
        for c in &mut it {
            a[0] = a[0].max_ignore_nan(load(c, 0));
            a[1] = a[1].max_ignore_nan(load(c, 4));
            a[2] = a[2].max_ignore_nan(load(c, 8));
            a[3] = a[3].max_ignore_nan(load(c, 12));
        }
        let lanes = a[0]
            .max_ignore_nan(a[1])
            .max_ignore_nan(a[2].max_ignore_nan(a[3]))
            .to_array();
        let mut bm = f32::NEG_INFINITY;
        for &x in lanes.iter().chain(it.remainder()) {
            bm = if x > bm { x } else { bm };
        }
        if bm > self.max {
            self.max = bm;
            self.block = b;
        }
    }

    fn result(&self) -> (f32, usize) {
        (self.max, self.block)
    }
}

/// Four lanes from `c[i..i + 4]`.
#[inline(always)]
fn load(c: &[f32], i: usize) -> F32x4 {
    F32x4::load(c[i..i + 4].try_into().unwrap())
}

fn sums<const NEXT: bool>(
    row: &[f32],
    m: f32,
    top_block: usize,
    next: &[f32],
) -> (Sums, (f32, usize)) {
    let m = F32x4::splat(m);
    let mut total = Sums::default();
    let mut next_max = BlockMax::new();
    for (b, block) in row.chunks(BLOCK).enumerate() {
        let s = if b == top_block {
            block_sums::<true>(block, m)
        } else {
            block_sums::<false>(block, m)
        };
        total.add(&s);
        if NEXT {
            next_max.block(b, &next[b * BLOCK..(b * BLOCK + block.len())]);
        }
    }
    (total, next_max.result())
}

/// Per-lane terms (or sums of terms) of the four sums, and the count of
/// entries at the maximum.
#[derive(Clone, Copy)]
struct Terms {
    z: F32x4,
    eu: F32x4,
    e2: F32x4,
    e2u: F32x4,
    top: F32x4,
}

impl Terms {
    #[inline(always)]
    fn add<const TOP: bool>(self, o: Terms) -> Terms {
        Terms {
            z: self.z.add(o.z),
            eu: self.eu.add(o.eu),
            e2: self.e2.add(o.e2),
            e2u: self.e2u.add(o.e2u),
            top: if TOP { self.top.add(o.top) } else { self.top },
        }
    }
}

/// Entries per step of pass 2: four independent exp chains, summed as a tree
/// into one set of accumulators (few registers, short dependency chains).
const STEP: usize = 16;

#[inline(always)]
fn block_sums<const TOP: bool>(block: &[f32], m: F32x4) -> Sums {
    let zero = F32x4::splat(0.0);
    let mut acc = Terms {
        z: zero,
        eu: zero,
        e2: zero,
        e2u: zero,
        top: zero,
    };
    // Written out: the release profile's opt-level "s" does not unroll loops.
    let step = |c: &[f32], acc: Terms| -> Terms {
        let t0 = terms::<TOP>(load(c, 0), m);
        let t1 = terms::<TOP>(load(c, 4), m);
        let t2 = terms::<TOP>(load(c, 8), m);
        let t3 = terms::<TOP>(load(c, 12), m);
        acc.add::<TOP>(t0.add::<TOP>(t1).add::<TOP>(t2.add::<TOP>(t3)))
    };
    let mut it = block.chunks_exact(STEP);
    for c in &mut it {
        acc = step(c, acc);
    }
    let rem = it.remainder();
    if !rem.is_empty() {
        // Pad with −∞, which contributes exactly 0.
        let mut pad = [f32::NEG_INFINITY; STEP];
        pad[..rem.len()].copy_from_slice(rem);
        acc = step(&pad, acc);
    }
    let total = |x: F32x4| -> f64 {
        let s = x.to_array();
        (f64::from(s[0]) + f64::from(s[1])) + (f64::from(s[2]) + f64::from(s[3]))
    };
    Sums {
        n_top: if TOP { total(acc.top) } else { 0.0 },
        z_rest: total(acc.z) * TO_E,
        eu: total(acc.eu) * TO_E,
        e2_rest: total(acc.e2) * (TO_E * TO_E),
        e2u: total(acc.e2u) * (TO_E * TO_E),
    }
}

/// e' for four logits and its products (see the module docs).
#[inline(always)]
fn terms<const TOP: bool>(x: F32x4, m: F32x4) -> Terms {
    let sp = F32x4::splat;
    let u = x.sub(m).mul(sp(LOG2E)).clamp_below(sp(LO));
    let v = u.add(sp(MAGIC));
    let f = u.sub(v.sub(sp(MAGIC)));
    let t = f.add(sp(B4)).mul(f).add(sp(B3)).mul(f).add(sp(B2));
    let t = t.mul(f).add(sp(B1)).mul(f).add(sp(B0));
    let e = t.mul(v.shl23_bits());
    let eu = e.mul(u);
    let e2 = e.mul(e);
    let e2u = e.mul(eu);
    if TOP {
        // Counted (as 1) instead of summed.
        let at_max = u.eq_mask(sp(0.0));
        Terms {
            z: e.zero_where(at_max),
            eu,
            e2: e2.zero_where(at_max),
            e2u,
            top: sp(1.0).keep_where(at_max),
        }
    } else {
        Terms {
            z: e,
            eu,
            e2,
            e2u,
            top: sp(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficients_are_the_fitted_f32_values() {
        let bits = [B0, B1, B2, B3, B4].map(f32::to_bits);
        assert_eq!(
            bits,
            [
                0x443c_4da1,
                0x4402_8595,
                0x4334_f00e,
                0x4227_3c19,
                0x40e9_352d
            ]
        );
    }

    #[test]
    fn block_sums_stay_finite_and_normal_at_the_extremes() {
        // A whole block at the maximum: the largest e'² sum there can be.
        let s = row_sums(&[0.0; BLOCK * 2], 0.0, 1);
        assert_eq!(s.n_top, BLOCK as f64);
        assert!(s.is_finite() && (s.z_rest - BLOCK as f64).abs() < 1e-4);
        assert!((s.e2_rest - BLOCK as f64).abs() < 1e-4);
        // At the clamp: exactly zero.
        assert_eq!(exp_f32(-119.3), 0.0);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        // The smallest normal results are still accurate.
        let y = -87.0f32;
        assert!((f64::from(exp_f32(y)) / f64::from(y).exp() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn pipelined_max_is_the_same() {
        let a: Vec<f32> = (0..1000).map(|i| ((i * 37) % 101) as f32).collect();
        let b: Vec<f32> = (0..1000).map(|i| ((i * 53) % 97) as f32 - 3.0).collect();
        let (m, t) = row_max(&a);
        let (s, next) = row_sums_then_max(&a, m, t, &b);
        assert_eq!(s, row_sums(&a, m, t));
        assert_eq!(next, row_max(&b));
    }
}
