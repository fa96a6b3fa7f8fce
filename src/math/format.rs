//! Numbers written for people, by one rule (docs/contract.md, "Numbers"):
//!
//! - [`readable`]: what a person reads on the page (readouts, chart ticks,
//!   captions): a few significant digits, trailing zeros dropped, exponent
//!   form outside 1e−3…1e5 (`1.2e−4`, `2e5`: no plus sign), a real minus
//!   sign (U+2212) for the number and its exponent, and ∞. The page's
//!   `fmt` (www/js/lib/format.js) follows the same rule, and the tests of both
//!   check the same cases.
//! - [`js_number`]: a number quoted back in a message, a CSV cell or a link:
//!   ASCII, the way JavaScript writes it, so a person can paste it into an
//!   input and a program can parse it.

/// `v` exactly as JavaScript's `String(v)` writes it: the shortest digits
/// that read back to `v`, in exponent form (`1e+300`, `1.5e-7`) from 1e21
/// up and below 1e-6, and `Infinity`, `-Infinity`, `NaN`.
pub fn js_number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return "0".into(); // JavaScript writes -0 as "0" too
    }
    // `{:e}` gives the shortest round-trip digits; only the layout differs.
    let e_form = format!("{v:e}");
    let (mantissa, exp) = e_form.split_once('e').expect("exponent form has an e");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    if (-7 < exp) && (exp < 21) {
        format!("{v}")
    } else {
        format!("{mantissa}e{}{exp}", if exp > 0 { "+" } else { "" })
    }
}

/// `v` with at most `digits` significant digits for a person to read (see
/// the module documentation).
pub fn readable(v: f64, digits: usize) -> String {
    let digits = digits.max(1);
    if v.is_nan() {
        return "—".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    let a = v.abs();
    // Round to `digits` significant digits first: 99999.7 with 5 digits is
    // 1.0000e5, which belongs to the exponent form.
    let exp_form = format!("{:.*e}", digits - 1, a);
    let (mantissa, exp) = exp_form.split_once('e').expect("exponent form has an e");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    let body = if (-3..5).contains(&exp) {
        let decimals = (digits as i32 - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{a:.decimals$}"))
    } else {
        let sign = if exp < 0 { "−" } else { "" };
        format!("{}e{sign}{}", trim_zeros(mantissa), exp.abs())
    };
    if v < 0.0 {
        format!("−{body}")
    } else {
        body
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_numbers() {
        // The same cases as tests/js/format.test.mjs checks for the page's fmt.
        for (v, d, want) in [
            (0.0, 5, "0"),
            (0.25, 5, "0.25"),
            (-0.0012, 3, "−0.0012"),
            (-0.00012, 3, "−1.2e−4"),
            (3e-9, 5, "3e−9"),
            (1.0 / 3.0, 5, "0.33333"),
            (12345.678, 5, "12346"),
            (99999.7, 5, "1e5"),
            (123456.0, 3, "1.23e5"),
            (2.5e300, 4, "2.5e300"),
            (f64::NEG_INFINITY, 5, "−∞"),
            (f64::NAN, 5, "—"),
        ] {
            assert_eq!(readable(v, d), want, "readable({v}, {d})");
        }
    }

    #[test]
    fn js_numbers() {
        // What node prints for String(v).
        for (v, want) in [
            (1e300, "1e+300"),
            (-0.5, "-0.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (1e-6, "0.000001"),
            (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5e-324, "5e-324"),
        ] {
            assert_eq!(js_number(v), want, "js_number({v:e})");
        }
        assert_eq!(js_number(f64::INFINITY), "Infinity");
        assert_eq!(js_number(f64::NAN), "NaN");
    }
}
