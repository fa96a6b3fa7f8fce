//! The two passes over one row of float32 logits.
//!
//! Pass 1 finds the row maximum m (and the block where it first occurs).
//! Pass 2 computes e_j = 2^{u_j}, u_j = (z_j − m)·log₂e, with a vectorisable
//! f32 exp2 and accumulates, per row,
//!
//! ```text
//! Z = Σ e,   EU = Σ e·u,   E2 = Σ e²,   E2U = Σ e²·u
//! ```
//!
//! in f32 lanes over blocks of [`BLOCK`] elements; every block's lane sums
//! are added into f64. Working in base 2 saves the Cody–Waite reduction: the
//! caller multiplies EU and E2U by ln 2.
//!
//! Numerics:
//! - exp2: u is clamped at [`LO`] = −103; n = round(u) by the 1.5·2²³ trick,
//!   f = u − n ∈ [−½, ½] exactly, 2^f by a degree-5 minimax polynomial
//!   (≤ 2.3 ulp in f32 Horner form), 2^n built in the exponent bits. The
//!   rounding of u = (z − m)·log₂e adds |u|·2⁻²⁴ relative, the same order as
//!   the rounding of z − m itself.
//! - The loop works with e·2^40 (the factor is free: it is part of the
//!   exponent bias), so that e² stays a normal f32 for every e ≥ 2^LO and
//!   below f32::MAX for every e ≤ 1. The loop never meets a subnormal (slow on
//!   x86, and wasm cannot flush them) nor an overflow.
//! - Entries with u ≤ −103 (p < 2⁻¹⁰³ p_max ≈ 1e-31 p_max, including the −∞
//!   of masked tokens) count as exactly 0. Their total effect on H is below
//!   V·2⁻¹⁰³·(103 ln 2 + 1) ≈ 1e-24 for V = 152,064.
//! - The block that holds the first maximum is accumulated without the
//!   entries equal to the maximum, which are counted instead: Z = n_top +
//!   rest exactly, so ln Z = ln1p(n_top − 1 + rest) keeps near-one-hot rows
//!   to f32 relative precision. Ties in other blocks make Z ≥ 2, where that
//!   precision does not matter.
//! - NaN propagates into Z (the clamp and the mask keep it), +∞ shows up as
//!   the maximum, and a row of −∞ as a maximum of −∞: the caller rescans only
//!   such rows, to name the column.

use super::simd::F32x4;

/// Elements per f32 partial sum. 152,064 = 594 blocks.
pub const BLOCK: usize = 256;
/// Lower clamp for u (base-2 exponent): 2^LO is where e counts as 0.
pub const LO: f32 = -103.0;
/// e is computed as e·2^SCALE (see the module docs).
const SCALE: i32 = 40;
/// 1.5·2²³ + exponent bias + SCALE: adding it rounds u to an integer n and
/// leaves n + 127 + SCALE in the low mantissa bits.
const MAGIC: f32 = 12_582_912.0 + 127.0 + SCALE as f32;
const LOG2E: f32 = std::f32::consts::LOG2_E;
// 2^f ≈ 1 + f·(C1 + f·(C2 + f·(C3 + f·(C4 + f·C5)))) on [−½, ½], relative
// error 9.2e-8 (minimax with the constant term fixed at 1, so 2⁰ = 1 exactly).
#[allow(clippy::approx_constant)] // the fitted value, not ln 2 (which is 0x3f31_7218)
const C1: f32 = 0.693_147;
const C2: f32 = 0.240_222_42;
const C3: f32 = 0.055_507_336;
const C4: f32 = 0.009_671_509;
const C5: f32 = 0.001_326_470_9;

/// Pass-2 results of one row, in base-2 units (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums {
    /// Entries equal to the maximum inside the top block (≥ 1 unless the
    /// row is all masked).
    pub n_top: f64,
    /// Σ e over everything else.
    pub z_rest: f64,
    pub eu: f64,
    /// Σ e² over everything except the counted maxima.
    pub e2_rest: f64,
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

/// e^y·(1 + O(2.3 ulp + |y|·2⁻²⁴)) for y ≤ 0; 0 for y ≤ −103 ln 2 (≈ −71.4)
/// and for y = −∞; NaN for NaN. The scalar twin of the vector kernel (same
/// operations, same results).
pub fn exp_f32(y: f32) -> f32 {
    let u = y * LOG2E;
    // `u < LO` is false for NaN: NaN passes through.
    let uc = if u < LO { LO } else { u };
    let v = uc + MAGIC;
    let f = uc - (v - MAGIC);
    let q = (((C5 * f + C4) * f + C3) * f + C2) * f + C1;
    let p = q * f + 1.0;
    let e = p * f32::from_bits(v.to_bits() << 23);
    if uc == LO {
        0.0
    } else {
        e * UNSCALE as f32
    }
}

/// 2^−SCALE.
const UNSCALE: f64 = 1.0 / (1u64 << SCALE) as f64;

/// Pass 1: the maximum of the row, ignoring NaN, and the index of the block
/// where it first occurs. −∞ for an empty or all-masked (or all-NaN) row.
pub fn row_max(row: &[f32]) -> (f32, usize) {
    let mut m = f32::NEG_INFINITY;
    let mut top = 0;
    for (b, block) in row.chunks(BLOCK).enumerate() {
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
        if bm > m {
            m = bm;
            top = b;
        }
    }
    (m, top)
}

/// Four lanes from `c[i..i + 4]`.
#[inline(always)]
fn load(c: &[f32], i: usize) -> F32x4 {
    F32x4::load(c[i..i + 4].try_into().unwrap())
}

/// Pass 2 (see the module docs). `m` is the row maximum, finite.
pub fn row_sums(row: &[f32], m: f32, top_block: usize) -> Sums {
    let mut total = Sums::default();
    for (b, block) in row.chunks(BLOCK).enumerate() {
        let s = if b == top_block {
            block_sums::<true>(block, m)
        } else {
            block_sums::<false>(block, m)
        };
        total.add(&s);
    }
    total
}

/// Lane accumulators of one chain.
#[derive(Clone, Copy)]
struct Acc {
    z: F32x4,
    eu: F32x4,
    e2: F32x4,
    e2u: F32x4,
    top: F32x4,
}

#[inline(always)]
fn block_sums<const TOP: bool>(block: &[f32], m: f32) -> Sums {
    let zero = F32x4::splat(0.0);
    let mut a0 = Acc {
        z: zero,
        eu: zero,
        e2: zero,
        e2u: zero,
        top: zero,
    };
    let mut a1 = a0;
    let m = F32x4::splat(m);
    // Two independent chains of 4 lanes (written out: see row_max).
    let mut it = block.chunks_exact(8);
    for c in &mut it {
        step::<TOP>(load(c, 0), m, &mut a0);
        step::<TOP>(load(c, 4), m, &mut a1);
    }
    let rem = it.remainder();
    if !rem.is_empty() {
        // Pad with −∞, which contributes exactly 0.
        let mut pad = [f32::NEG_INFINITY; 8];
        pad[..rem.len()].copy_from_slice(rem);
        step::<TOP>(load(&pad, 0), m, &mut a0);
        step::<TOP>(load(&pad, 4), m, &mut a1);
    }
    let total = |x: F32x4, y: F32x4| -> f64 {
        let s = x.add(y).to_array();
        (f64::from(s[0]) + f64::from(s[1])) + (f64::from(s[2]) + f64::from(s[3]))
    };
    // Exact power-of-two rescaling back to e (and e²).
    Sums {
        n_top: if TOP { total(a0.top, a1.top) } else { 0.0 },
        z_rest: total(a0.z, a1.z) * UNSCALE,
        eu: total(a0.eu, a1.eu) * UNSCALE,
        e2_rest: total(a0.e2, a1.e2) * (UNSCALE * UNSCALE),
        e2u: total(a0.e2u, a1.e2u) * (UNSCALE * UNSCALE),
    }
}

#[inline(always)]
fn step<const TOP: bool>(x: F32x4, m: F32x4, acc: &mut Acc) {
    let sp = F32x4::splat;
    let lo = sp(LO);
    let magic = sp(MAGIC);
    let u = x.sub(m).mul(sp(LOG2E)).clamp_below(lo);
    let v = u.add(magic);
    let f = u.sub(v.sub(magic));
    let q = sp(C5).mul(f).add(sp(C4)).mul(f).add(sp(C3));
    let q = q.mul(f).add(sp(C2)).mul(f).add(sp(C1));
    let p = q.mul(f).add(sp(1.0));
    let e = p.mul(v.shl23_bits()).zero_where(u.eq_mask(lo));
    let eu = e.mul(u);
    let e2 = e.mul(e);
    let e2u = e.mul(eu);
    if TOP {
        // Counted (as 1, not 2^SCALE) instead of summed.
        let at_max = u.eq_mask(sp(0.0));
        acc.z = acc.z.add(e.zero_where(at_max));
        acc.e2 = acc.e2.add(e2.zero_where(at_max));
        acc.top = acc.top.add(sp(1.0).keep_where(at_max));
    } else {
        acc.z = acc.z.add(e);
        acc.e2 = acc.e2.add(e2);
    }
    acc.eu = acc.eu.add(eu);
    acc.e2u = acc.e2u.add(e2u);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficients_are_the_fitted_f32_values() {
        let bits = [C1, C2, C3, C4, C5].map(f32::to_bits);
        assert_eq!(
            bits,
            [
                0x3f31_7215,
                0x3e75_fcde,
                0x3d63_5ba9,
                0x3c1e_7540,
                0x3aad_dcfa
            ]
        );
    }
}
