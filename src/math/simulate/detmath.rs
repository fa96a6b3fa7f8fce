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
/// 64 / ln 2.
const INV_LN2_64: f64 = 92.332_482_616_893_66;
/// ln 2 split so that n · LN2_HI is exact for |n| < 2^20 (fdlibm's split).
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// Below this, e^x is subnormal or zero; we return 0 (a probability under
/// 1e-307 relative to the largest is 0 for every purpose here).
const EXP_UNDERFLOW: f64 = -708.0;
const EXP_OVERFLOW: f64 = 709.0;
/// Where [`exp_nonpos`] returns 0: e^−340 ≈ 1.5e-148, so that squares of
/// probabilities stay normal numbers (subnormal arithmetic is very slow on
/// common CPUs) and nothing a simulation shows changes.
pub const EXP_NONPOS_CUTOFF: f64 = -340.0;

/// 2^(j/64), j = 0…63, correctly rounded (computed with 60-digit decimals).
#[rustfmt::skip]
const TWO_POW_J64: [f64; 64] = [
    1.0,
    1.0108892860517005,
    1.0218971486541166,
    1.0330248790212284,
    1.0442737824274138,
    1.0556451783605572,
    1.0671404006768237,
    1.0787607977571199,
    1.0905077326652577,
    1.102382583307841,
    1.1143867425958924,
    1.1265216186082418,
    1.1387886347566916,
    1.1511892299529827,
    1.1637248587775775,
    1.1763969916502812,
    1.189207115002721,
    1.202156731452703,
    1.215247359980469,
    1.22848053610687,
    1.241857812073484,
    1.255380757024691,
    1.2690509571917332,
    1.2828700160787783,
    1.2968395546510096,
    1.3109612115247644,
    1.3252366431597413,
    1.339667524053303,
    1.3542555469368927,
    1.3690024229745905,
    1.383909881963832,
    1.3989796725383112,
    std::f64::consts::SQRT_2,
    1.42961333839197,
    1.4451808069770467,
    1.460917794180647,
    1.4768261459394993,
    1.4929077282912648,
    1.5091644275934228,
    1.5255981507445384,
    1.5422108254079407,
    1.559004400237837,
    1.5759808451078865,
    1.593142151342267,
    1.6104903319492543,
    1.6280274218573478,
    1.645755478153965,
    1.6636765803267364,
    1.681792830507429,
    1.7001063537185235,
    1.718619298122478,
    1.7373338352737062,
    1.7562521603732995,
    1.7753764925265212,
    1.7947090750031072,
    1.8142521755003989,
    1.8340080864093424,
    1.8539791250833855,
    1.8741676341103,
    1.8945759815869656,
    1.9152065613971474,
    1.9360617934922943,
    1.9571441241754002,
    1.978456026387951,
];

/// e^x for x ∈ [−708, 709] (not checked): x = (64 m + j) ln2/64 + r with
/// |r| ≤ ln2/128, e^x = 2^m · 2^(j/64) · e^r, and e^r by its Taylor series
/// to degree 5 (remainder below 0.0055^6/720 ≈ 4e-17 relative).
#[inline(always)]
fn exp_reduced(x: f64) -> f64 {
    let t = x * INV_LN2_64 + ROUND_MAGIC;
    let n = t - ROUND_MAGIC;
    let r = (x - n * (LN2_HI / 64.0)) - n * (LN2_LO / 64.0);
    let ni = (t.to_bits() as i64).wrapping_sub(ROUND_MAGIC.to_bits() as i64);
    let j = (ni & 63) as usize;
    let m = ni >> 6;
    let mut s = 1.0 / 120.0;
    s = s * r + 1.0 / 24.0;
    s = s * r + 1.0 / 6.0;
    s = s * r + 0.5;
    // e^r − 1 = r + r² s; adding it to 1 only after scaling by the table
    // entry keeps the rounding at about an ulp.
    let tj = TWO_POW_J64[j];
    let em1 = r + r * r * s;
    (tj + tj * em1) * f64::from_bits(((m + 1023) as u64) << 52)
}

/// e^x. Returns 0 below −708 and +∞ above 709; NaN stays NaN.
#[inline]
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x < EXP_UNDERFLOW {
        0.0
    } else if x > EXP_OVERFLOW {
        f64::INFINITY
    } else {
        exp_reduced(x)
    }
}

/// e^y for y ≤ 0 (the shifted logits of a softmax), 0 below
/// [`EXP_NONPOS_CUTOFF`]. For y > 0 or NaN the result is unspecified (finite).
#[inline(always)]
pub fn exp_nonpos(y: f64) -> f64 {
    // Selects, not f64::max (which in wasm costs a NaN dance).
    let low = y < EXP_NONPOS_CUTOFF;
    let v = exp_reduced(if low { EXP_NONPOS_CUTOFF } else { y });
    if low {
        0.0
    } else {
        v
    }
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
        assert_eq!(exp_nonpos(0.0), 1.0);
        assert_eq!(exp_nonpos(-341.0), 0.0);
        assert_eq!(exp_nonpos(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp_nonpos(-3.25), exp(-3.25));
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
