//! Lenient serde readers for the values trainers write: a per-token column is
//! a JSON array of numbers where `null` stands for NaN/±inf (prime-rl writes
//! non-finite values that way), booleans are 0/1, and one extra list level is
//! flattened (NeMo-RL wraps every field: `[[1, 2, 3]]`). A bare number is
//! accepted where a column may be one value per sample (our `advantage`).

use serde::de::{self, Deserializer};
use serde::Deserialize;

/// A per-token column (or one value for the whole sample: `scalar`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Nums {
    pub values: Vec<f64>,
    /// The JSON held one number, not an array.
    pub scalar: bool,
}

impl Nums {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The single value of a per-sample field written as `x` or `[x]`.
    pub fn single(&self) -> Option<f64> {
        (self.values.len() == 1).then(|| self.values[0])
    }
}

impl<'de> Deserialize<'de> for Nums {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The column's text is taken whole (serde_json has checked its
        // syntax while skipping it) and its numbers read by `scan`, which is
        // about twice as fast as serde's per-element visitor (numbers are
        // most of a trace). A reader that cannot lend raw text falls back.
        match <&'de serde_json::value::RawValue>::deserialize(d) {
            Ok(raw) => {
                let mut values = Vec::new();
                let scalar = scan(raw.get().as_bytes(), &mut values).map_err(de::Error::custom)?;
                Ok(Nums { values, scalar })
            }
            Err(e) => Err(e),
        }
    }
}

/// Index of the entry an error is about, written first in its message so
/// that the caller can name the field as `entropy[3]`.
pub const AT_INDEX: &str = "at index ";

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// One JSON number. Up to 15 significant digits without an exponent is
/// m / 10^k with both exact, so one division rounds correctly (Clinger's
/// fast path); anything else goes to the standard library's correctly
/// rounded parser.
fn number(t: &[u8]) -> Option<f64> {
    let (neg, body) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        _ => (false, t),
    };
    let mut m: u64 = 0;
    let mut digits = 0u32;
    let mut frac: Option<usize> = None;
    let mut simple = true;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if m != 0 || b != b'0' {
                    digits += 1;
                }
                m = m.wrapping_mul(10).wrapping_add((b - b'0') as u64);
            }
            b'.' if frac.is_none() => frac = Some(body.len() - i - 1),
            _ => {
                simple = false;
                break;
            }
        }
    }
    if simple && digits <= 15 && frac.unwrap_or(0) <= 22 && !body.is_empty() {
        let v = m as f64 / POW10[frac.unwrap_or(0)];
        return Some(if neg { -v } else { v });
    }
    std::str::from_utf8(t).ok()?.parse().ok()
}

/// Reads a column's JSON text (already known to be valid JSON) into `out`:
/// an array of numbers / null (NaN) / booleans (0, 1), with at most one extra
/// list level, or a single such value (returns true then).
pub fn scan(raw: &[u8], out: &mut Vec<f64>) -> Result<bool, String> {
    let mut i = 0usize;
    let n = raw.len();
    let ws = |i: &mut usize| {
        while *i < n && matches!(raw[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    // One value at raw[*i..]; `depth` = how many more list levels are allowed.
    fn value(raw: &[u8], i: &mut usize, out: &mut Vec<f64>, idx: usize) -> Result<(), String> {
        let n = raw.len();
        match raw[*i] {
            b'n' => {
                *i += 4;
                out.push(f64::NAN);
            }
            b't' => {
                *i += 4;
                out.push(1.0);
            }
            b'f' => {
                *i += 5;
                out.push(0.0);
            }
            b'-' | b'0'..=b'9' => {
                let s = *i;
                while *i < n && matches!(raw[*i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    *i += 1;
                }
                let v =
                    number(&raw[s..*i]).ok_or_else(|| format!("{AT_INDEX}{idx}: not a number"))?;
                out.push(v);
            }
            b'"' => {
                return Err(format!(
                    "{AT_INDEX}{idx}: a string where a number (or null) was expected"
                ))
            }
            b'{' => {
                return Err(format!(
                    "{AT_INDEX}{idx}: an object where a number (or null) was expected"
                ))
            }
            _ => {
                return Err(format!(
                    "{AT_INDEX}{idx}: an array nested too deep (at most one extra list level)"
                ))
            }
        }
        Ok(())
    }
    ws(&mut i);
    if i >= n {
        return Err("an empty value".into());
    }
    if raw[i] != b'[' {
        value(raw, &mut i, out, 0)?;
        return Ok(true);
    }
    i += 1;
    loop {
        ws(&mut i);
        if i >= n || raw[i] == b']' {
            break;
        }
        if raw[i] == b'[' {
            // One extra list level (NeMo-RL): its scalars join the column.
            i += 1;
            loop {
                ws(&mut i);
                if i >= n || raw[i] == b']' {
                    i += 1;
                    break;
                }
                let idx = out.len();
                value(raw, &mut i, out, idx)?;
                ws(&mut i);
                if i < n && raw[i] == b',' {
                    i += 1;
                }
            }
        } else {
            let idx = out.len();
            value(raw, &mut i, out, idx)?;
        }
        ws(&mut i);
        if i < n && raw[i] == b',' {
            i += 1;
        }
    }
    Ok(false)
}

/// One number for a per-sample field, written as `x` or `[x]` (NeMo-RL);
/// `null` is NaN.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scalar(pub f64);

impl Default for Scalar {
    fn default() -> Self {
        Scalar(f64::NAN)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = Nums::deserialize(d)?;
        match n.values.len() {
            0 => Ok(Scalar(f64::NAN)),
            1 => Ok(Scalar(n.values[0])),
            k => Err(de::Error::invalid_length(k, &"one number")),
        }
    }
}

/// One number for a per-sample id (step, sample) with its text as written,
/// so that a message quotes `9007199254740993`, not the double it rounds to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Num {
    /// NaN for `null` (or `[]`).
    pub value: f64,
    pub text: String,
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de serde_json::value::RawValue>::deserialize(d)?;
        let mut values = Vec::new();
        scan(raw.get().as_bytes(), &mut values).map_err(de::Error::custom)?;
        let value = match values.len() {
            0 => f64::NAN,
            1 => values[0],
            k => return Err(de::Error::invalid_length(k, &"one number")),
        };
        let text: String = raw
            .get()
            .trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace())
            .chars()
            .take(40)
            .collect();
        Ok(Num { value, text })
    }
}

/// Token strings: `null` entries become empty strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Texts(pub Vec<String>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: Vec<Option<String>> = Deserialize::deserialize(d)?;
        Ok(Texts(
            v.into_iter().map(Option::unwrap_or_default).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_exactly_as_the_standard_parser() {
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        for _ in 0..200_000 {
            let digits = 1 + (next() % 19) as usize;
            let mut t: String = (0..digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let dot = (next() % (digits as u64 + 2)) as usize;
            if dot < digits {
                t.insert(dot, '.');
                if dot == 0 {
                    t.insert(0, '0');
                }
            }
            if next() % 2 == 0 {
                t.insert(0, '-');
            }
            if next() % 8 == 0 {
                t.push_str(&format!("e{}", (next() % 40) as i64 - 20));
            }
            let want: f64 = t.parse().unwrap();
            assert_eq!(
                number(t.as_bytes()).map(f64::to_bits),
                Some(want.to_bits()),
                "{t}"
            );
        }
    }

    #[test]
    fn columns() {
        let n: Nums = serde_json::from_str("[1, null, true, -2.5]").unwrap();
        assert_eq!(n.values[0], 1.0);
        assert!(n.values[1].is_nan());
        assert_eq!(n.values[2], 1.0);
        assert_eq!(n.values[3], -2.5);
        let n: Nums = serde_json::from_str("[[1, 2], [3]]").unwrap();
        assert_eq!(n.values, [1.0, 2.0, 3.0]);
        assert!(serde_json::from_str::<Nums>("[[[1]]]").is_err());
        assert!(serde_json::from_str::<Nums>("[\"a\"]").is_err());
        let n: Nums = serde_json::from_str("0.5").unwrap();
        assert!(n.scalar);
        assert_eq!(serde_json::from_str::<Scalar>("[7]").unwrap(), Scalar(7.0));
        assert_eq!(serde_json::from_str::<Scalar>("7").unwrap(), Scalar(7.0));
        assert!(serde_json::from_str::<Scalar>("[1,2]").is_err());
    }
}
