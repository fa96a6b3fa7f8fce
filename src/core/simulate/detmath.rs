//! `exp` and `ln` built from the four IEEE-754 operations only, so that a
//! simulation gives the same bits natively and in WebAssembly.
//!
//! `f64::exp`/`f64::ln` call the platform's libm (glibc natively, Rust's
//! port of musl in wasm32); both are accurate to about an ulp but need not
//! round the same way, and one differing bit would make a long run
//! unreproducible across the two. Addition, multiplication, division and
//! square root are correctly rounded everywhere, and Rust never contracts
//! them into fused multiply-adds, so these functions are bit-identical on
//! every target. They are accurate to a couple of ulps, which is all a
//! simulation needs (the careful single-distribution math lives in `dist`).

/// 1.5 · 2^52: adding it rounds a number of magnitude < 2^51 to an integer
/// (round to nearest even) and leaves that integer in the low mantissa bits.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that k · LN2_HI is exact for |k| < 2^20 (fdlibm's split).
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
/// Below this, e^x is subnormal or zero; we return 0 (a probability under
/// 1e-307 relative to the largest is 0 for every purpose here).
const EXP_UNDERFLOW: f64 = -708.0;
const EXP_OVERFLOW: f64 = 709.0;

/// e^x, for x ≤ 709. Returns 0 below −708 and +∞ above 709; NaN stays NaN.
#[inline]
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < EXP_UNDERFLOW {
        return 0.0;
    }
    if x > EXP_OVERFLOW {
        return f64::INFINITY;
    }
    // x = k ln 2 + r, |r| ≤ ln2 / 2 (Cody–Waite reduction).
    let t = x * LOG2_E + ROUND_MAGIC;
    let k = t - ROUND_MAGIC;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // e^r by its Taylor series to degree 13: the remainder is below
    // 0.35^14 / 14! ≈ 5e-18, under a tenth of an ulp of e^r.
    let mut s = 1.0 / 6_227_020_800.0; // 1/13!
    s = s * r + 1.0 / 479_001_600.0; // 1/12!
    s = s * r + 1.0 / 39_916_800.0;
    s = s * r + 1.0 / 3_628_800.0;
    s = s * r + 1.0 / 362_880.0;
    s = s * r + 1.0 / 40_320.0;
    s = s * r + 1.0 / 5_040.0;
    s = s * r + 1.0 / 720.0;
    s = s * r + 1.0 / 120.0;
    s = s * r + 1.0 / 24.0;
    s = s * r + 1.0 / 6.0;
    s = s * r + 0.5;
    // e^r = 1 + r + r² s: adding the small part last keeps the rounding low.
    let er = 1.0 + (r + r * r * s);
    // 2^k from its bits; k ∈ [−1022, 1023] here. The low bits of t hold k.
    let biased = (t.to_bits() as i64).wrapping_add(1023) as u64;
    er * f64::from_bits((biased & 0x7ff) << 52)
}

/// ln x for finite x > 0 (normal numbers). Returns NaN for x ≤ 0 or NaN,
/// +∞ for +∞; subnormals are scaled first.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x == f64::INFINITY {
        return x;
    }
    let (x, shift) = if x < f64::MIN_POSITIVE {
        (x * 18_014_398_509_481_984.0, -54) // · 2^54
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023 + shift;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023 << 52));
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh s, s = (m − 1)/(m + 1), |s| ≤ 0.1716, s² ≤ 0.0295.
    // The series 2(s + s³/3 + …) to s²¹ leaves a remainder below 1e-18.
    let f = m - 1.0;
    let s = f / (m + 1.0);
    let s2 = s * s;
    let mut q = 1.0 / 21.0;
    q = q * s2 + 1.0 / 19.0;
    q = q * s2 + 1.0 / 17.0;
    q = q * s2 + 1.0 / 15.0;
    q = q * s2 + 1.0 / 13.0;
    q = q * s2 + 1.0 / 11.0;
    q = q * s2 + 1.0 / 9.0;
    q = q * s2 + 1.0 / 7.0;
    q = q * s2 + 1.0 / 5.0;
    q = q * s2 + 1.0 / 3.0;
    // 2 atanh s = f − s f + 2 s s² q  (since 2s = f − s f exactly in algebra:
    // 2s = 2f/(m+1) and f − s f = f (1 − s) = f · 2/(m + 1)).
    let ln_m = f - s * f + 2.0 * s * s2 * q;
    let e = e as f64;
    e * LN2_HI + (ln_m + e * LN2_LO)
}

/// ln(1 + x) for x ≥ 0 (finite), accurate also for tiny x.
pub fn ln_1p(x: f64) -> f64 {
    let u = 1.0 + x;
    if u == 1.0 {
        x
    } else {
        // Goldberg's correction: ln(u) · x / (u − 1) cancels the rounding of 1 + x.
        ln(u) * (x / (u - 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        ((a - b) / b.abs().max(f64::MIN_POSITIVE)).abs() / f64::EPSILON
    }

    #[test]
    fn exp_matches_libm_to_a_few_ulps() {
        let mut x = -708.0;
        while x < 709.0 {
            assert!(
                ulps(exp(x), x.exp()) <= 2.0,
                "x = {x}: {} vs {}",
                exp(x),
                x.exp()
            );
            x += 0.012_345_678_9;
        }
        for &x in &[
            0.0,
            1e-300,
            -1e-20,
            1e-10,
            0.5 * std::f64::consts::LN_2,
            1.0,
        ] {
            assert!(ulps(exp(x), x.exp()) <= 1.0, "x = {x}");
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn ln_matches_libm_to_a_few_ulps() {
        let mut x = 1e-300;
        while x < 1e300 {
            assert!(ulps(ln(x), x.ln()) <= 2.0, "x = {x}");
            x *= 1.001_234_5;
        }
        let mut x = 0.5;
        while x < 2.0 {
            if x != 1.0 {
                assert!(ulps(ln(x), x.ln()) <= 2.0, "x = {x}");
            }
            x += 1e-4;
        }
        assert_eq!(ln(1.0), 0.0);
        assert!((ln(5e-320) - 5e-320f64.ln()).abs() < 1e-12);
        assert!(ln(-1.0).is_nan());
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn ln_1p_keeps_tiny_arguments() {
        for &x in &[1e-20, 1e-12, 3e-9, 1e-4, 0.3, 2.0, 999.0] {
            assert!(ulps(ln_1p(x), x.ln_1p()) <= 3.0, "x = {x}");
        }
        assert_eq!(ln_1p(0.0), 0.0);
    }
}
