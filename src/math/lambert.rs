//! Principal branch of the Lambert W function, W₀(x) e^{W₀(x)} = x, for
//! x ≥ −1/e. p† = S̄ / W₀(S̄ e^H) needs it on [0, ∞): from tiny arguments
//! (near-uniform rows, S̄ → 0) to large ones (H ≈ 12 for 150k tokens).

const INV_E: f64 = 0.367_879_441_171_442_3;

/// W₀(x). Returns NaN below −1/e (outside the real branch) and for NaN.
pub fn lambert_w0(x: f64) -> f64 {
    if x.is_nan() || x < -INV_E {
        return f64::NAN;
    }
    if x == 0.0 || x.is_infinite() {
        return x; // W(0) = 0; W(+inf) = +inf
    }
    if x.abs() < 1e-6 {
        // Taylor series: W = x − x² + 3/2 x³ − 8/3 x⁴ + 125/24 x⁵; the next
        // term is below 1e-30 relative here.
        let x2 = x * x;
        return x * (1.0 - x + x2 * (1.5 - x * (8.0 / 3.0) + x2 * (125.0 / 24.0)));
    }
    if x > std::f64::consts::E {
        // Newton on f(w) = w + ln w − ln x, which cannot overflow for any
        // finite x: w ← w (1 + ln x − ln w) / (1 + w).
        let lx = x.ln();
        let mut w = lx - lx.ln() + lx.ln() / lx; // asymptotic start
        for _ in 0..32 {
            let next = w * (1.0 + lx - w.ln()) / (1.0 + w);
            let done = (next - w).abs() <= 2.0 * f64::EPSILON * next.abs();
            w = next;
            if done {
                break;
            }
        }
        return w;
    }
    // Halley on f(w) = w e^w − x, from a start that is already close.
    let mut w = if x < -0.25 {
        // Series around the branch point −1/e.
        let p = (2.0 * (std::f64::consts::E * x + 1.0)).max(0.0).sqrt();
        -1.0 + p - p * p / 3.0 + 11.0 / 72.0 * p * p * p
    } else {
        x.ln_1p() * (1.0 - x.ln_1p().ln_1p() / (2.0 + x.ln_1p()))
    };
    for _ in 0..64 {
        let ew = w.exp();
        let f = w * ew - x;
        let wp1 = w + 1.0;
        if wp1 == 0.0 {
            break; // exactly at the branch point
        }
        let denom = ew * wp1 - (w + 2.0) * f / (2.0 * wp1);
        let next = w - f / denom;
        let done = (next - w).abs() <= 2.0 * f64::EPSILON * next.abs().max(f64::MIN_POSITIVE);
        w = next;
        if done {
            break;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::lambert_w0;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn defining_identity_over_many_decades() {
        // w e^w = x, checked in log form where e^w would overflow.
        for e10 in -300..=300 {
            for m in [1.0, 2.5, 7.3] {
                let x = m * 10f64.powi(e10);
                let w = lambert_w0(x);
                let lhs = if w > 1.0 {
                    w.ln() + w
                } else {
                    (w * w.exp()).ln()
                };
                assert!(
                    (lhs - x.ln()).abs() <= 4e-15 * x.ln().abs().max(1.0),
                    "x={x} w={w}"
                );
            }
        }
    }

    #[test]
    fn known_values() {
        // Omega constant W(1), and W(e) = 1, W(-1/e) = -1.
        assert!(rel(lambert_w0(1.0), 0.567_143_290_409_783_8) < 1e-15);
        assert!(rel(lambert_w0(std::f64::consts::E), 1.0) < 1e-15);
        assert!((lambert_w0(-0.367_879_441_171_442_3) + 1.0).abs() < 1e-7);
        assert!(lambert_w0(-0.5).is_nan());
        assert_eq!(lambert_w0(0.0), 0.0);
        assert!(lambert_w0(f64::MAX).is_finite());
        // Tiny arguments: W(x) = x − x² to full precision.
        assert_eq!(lambert_w0(1e-300), 1e-300);
        assert!(rel(lambert_w0(1e-8), 1e-8 - 1e-16) < 1e-15);
    }
}
