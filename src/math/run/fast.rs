//! One pass over a JSONL line for the common case: a flat object whose
//! per-token fields are flat arrays of numbers. The fields a format uses are
//! read straight from the bytes; the others (`position_ids`,
//! `inference_logprobs`, `mismatch_kl`, …) are checked for JSON syntax and
//! skipped without building anything. serde_json would look at every byte
//! twice (once to find a field's end, once more to read its numbers); this
//! looks once.
//!
//! It accepts a subset of what the serde reader accepts and gives the same
//! values on it: whatever it is unsure of (escapes in keys or strings, nested
//! arrays, a key twice, deep nesting, any syntax error) makes it answer
//! `None`, and the line goes to the serde reader, which also writes the
//! error messages.

use super::columns::{Num, Nums};

/// A number's sign and digits as [`Cursor::scan_number`] gathers them.
struct Scanned {
    negative: bool,
    mantissa: u64,
    digits: u32,
    scale: i64,
}

/// Nesting deeper than this goes to the serde reader (whose own limit is 128).
const MAX_DEPTH: u32 = 100;

pub(super) struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

/// The byte at `i`, or 0 past the end (0 is never valid JSON outside a string).
#[inline(always)]
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

impl<'a> Cursor<'a> {
    #[inline(always)]
    fn peek(&self) -> u8 {
        at(self.b, self.i)
    }

    #[inline(always)]
    fn ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek() == c).then(|| self.i += 1)
    }

    fn word(&mut self, w: &[u8]) -> Option<()> {
        self.b[self.i..].starts_with(w).then(|| self.i += w.len())
    }

    /// A string without escapes or control characters, valid UTF-8; the
    /// cursor is on its opening quote.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let s = self.i;
        let end = s + memchr::memchr(b'"', &self.b[s..])?;
        let body = &self.b[s..end];
        if body.iter().any(|&c| c < 0x20 || c == b'\\') {
            return None;
        }
        self.i = end + 1;
        std::str::from_utf8(body).ok()
    }

    /// Steps over a string as serde_json skips one: escapes checked, no
    /// control characters; the cursor is on its opening quote.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let rest = &self.b[self.i..];
            let k = rest
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
            self.i += k + 1;
            match rest[k] {
                b'"' => return Some(()),
                b'\\' => match self.peek() {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                    b'u' => {
                        let hex = self.b.get(self.i + 1..self.i + 5)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        self.i += 5;
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    /// One JSON number, correctly rounded (as serde_json's float_roundtrip
    /// and the standard library read it). The digits are gathered while the
    /// grammar is checked, so that the common case needs no second pass:
    /// Clinger's fast path (a mantissa of at most 2^53 is exact in f64, and so
    /// is 10^k for k ≤ 22, so one multiplication or division rounds once,
    /// correctly). Anything else (more than 19 digits, a larger mantissa or
    /// power) goes to fast-float2, which reads the checked span.
    #[inline(always)]
    fn number(&mut self) -> Option<f64> {
        const POW10: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        let s = self.i;
        let n = self.scan_number()?;
        if n.digits <= 19 && n.mantissa <= 1 << 53 && (-22..=22).contains(&n.scale) {
            let v = n.mantissa as f64;
            let v = if n.scale >= 0 {
                v * POW10[n.scale as usize]
            } else {
                v / POW10[(-n.scale) as usize]
            };
            return Some(if n.negative { -v } else { v });
        }
        // The span is a JSON number (checked above): fast-float2 reads it
        // correctly rounded, as the standard library would.
        fast_float2::parse(&self.b[s..self.i]).ok()
    }

    /// Steps over one JSON number, checking its grammar, and gathers its
    /// digits on the way: value = ±mantissa · 10^scale while `digits` ≤ 19
    /// (more may have wrapped the mantissa).
    #[inline(always)]
    fn scan_number(&mut self) -> Option<Scanned> {
        let b = self.b;
        let mut i = self.i;
        let negative = at(b, i) == b'-';
        i += negative as usize;
        let mut n = Scanned {
            negative,
            mantissa: 0,
            digits: 0,
            scale: 0,
        };
        let digits = |i: &mut usize, n: &mut Scanned| {
            let from = *i;
            while at(b, *i).is_ascii_digit() {
                n.mantissa = n
                    .mantissa
                    .wrapping_mul(10)
                    .wrapping_add((at(b, *i) - b'0') as u64);
                *i += 1;
            }
            n.digits += (*i - from) as u32;
            *i - from
        };
        match at(b, i) {
            b'0' => i += 1,
            b'1'..=b'9' => {
                digits(&mut i, &mut n);
            }
            _ => return None,
        }
        if at(b, i) == b'.' {
            i += 1;
            let f = digits(&mut i, &mut n);
            if f == 0 {
                return None;
            }
            n.scale = -(f as i64);
        }
        if matches!(at(b, i), b'e' | b'E') {
            i += 1;
            let minus = at(b, i) == b'-';
            i += matches!(at(b, i), b'+' | b'-') as usize;
            let e = i;
            let mut x = 0i64;
            while at(b, i).is_ascii_digit() {
                x = (x * 10 + (at(b, i) - b'0') as i64).min(1 << 40);
                i += 1;
            }
            if i == e {
                return None;
            }
            n.scale += if minus { -x } else { x };
        }
        self.i = i;
        Some(n)
    }

    /// One entry of a column: a number, null (NaN), true (1) or false (0).
    #[inline(always)]
    fn entry(&mut self) -> Option<f64> {
        match self.peek() {
            b'n' => self.word(b"null").map(|_| f64::NAN),
            b't' => self.word(b"true").map(|_| 1.0),
            b'f' => self.word(b"false").map(|_| 0.0),
            _ => self.number(),
        }
    }

    /// A per-token column as [`Nums`] reads it: a flat array of entries or
    /// one entry (`scalar`); `null` is an absent field (`Ok(None)`).
    pub(super) fn nums(&mut self) -> Option<Option<Nums>> {
        if self.peek() == b'n' {
            self.word(b"null")?;
            return Some(None);
        }
        if self.peek() != b'[' {
            let v = self.entry()?;
            return Some(Some(Nums {
                values: vec![v],
                scalar: true,
            }));
        }
        self.i += 1;
        let mut values = Vec::new();
        self.ws();
        if self.eat(b']').is_none() {
            loop {
                self.ws();
                values.push(self.entry()?);
                self.ws();
                match self.peek() {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        Some(Some(Nums {
            values,
            scalar: false,
        }))
    }

    /// A step or id as [`Num`] reads it, when written as a bare number.
    pub(super) fn num(&mut self) -> Option<Option<Num>> {
        if self.peek() == b'n' {
            self.word(b"null")?;
            return Some(None);
        }
        let s = self.i;
        let value = self.number()?;
        let text = std::str::from_utf8(&self.b[s..self.i]).ok()?;
        Some(Some(Num {
            value,
            text: text.chars().take(40).collect(),
        }))
    }

    /// A string field (`null`: absent).
    pub(super) fn string(&mut self) -> Option<Option<String>> {
        if self.peek() == b'n' {
            self.word(b"null")?;
            return Some(None);
        }
        self.plain_string().map(|s| Some(s.to_string()))
    }

    /// Checks one value of any kind and steps over it.
    pub(super) fn skip(&mut self) -> Option<()> {
        self.skip_at(0)
    }

    fn skip_at(&mut self, depth: u32) -> Option<()> {
        match self.peek() {
            b'"' => self.skip_string(),
            b'n' => self.word(b"null"),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'[' | b'{' if depth >= MAX_DEPTH => None,
            b'[' => {
                self.i += 1;
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    if matches!(self.peek(), b'-' | b'0'..=b'9') {
                        self.skip_number()?;
                    } else {
                        self.skip_at(depth + 1)?;
                    }
                    self.ws();
                    match self.peek() {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.i += 1;
                self.ws();
                if self.eat(b'}').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.skip_string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.skip_at(depth + 1)?;
                    self.ws();
                    match self.peek() {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => self.skip_number(),
        }
    }

    /// Steps over one JSON number, checking its grammar ([`Self::scan_number`];
    /// inlined, the unused mantissa and scale are not computed).
    #[inline(always)]
    fn skip_number(&mut self) -> Option<()> {
        self.scan_number().map(|_| ())
    }
}

/// Walks the line's top-level object, calling `field(key, cursor)` with the
/// cursor on each value; `field` reads the value or skips it. `None` when the
/// line is not a plain object (or `field` gave up).
pub(super) fn object<'a>(
    line: &'a [u8],
    mut field: impl FnMut(&'a [u8], &mut Cursor<'a>) -> Option<()>,
) -> Option<()> {
    let mut c = Cursor { b: line, i: 0 };
    c.ws();
    c.eat(b'{')?;
    c.ws();
    if c.eat(b'}').is_none() {
        loop {
            c.ws();
            // Keys with escapes go to the serde reader.
            let key = c.plain_string()?.as_bytes();
            c.ws();
            c.eat(b':')?;
            c.ws();
            field(key, &mut c)?;
            c.ws();
            match c.peek() {
                b',' => c.i += 1,
                b'}' => {
                    c.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    c.ws();
    (c.i == line.len()).then_some(())
}

/// Sets a field once: a key that comes twice goes to the serde reader (which
/// refuses it, naming it).
pub(super) fn once<T>(slot: &mut Option<T>, seen: &mut u32, bit: u32, v: Option<T>) -> Option<()> {
    if *seen & bit != 0 {
        return None;
    }
    *seen |= bit;
    *slot = v;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(s: &str) -> Option<Option<Nums>> {
        let mut c = Cursor {
            b: s.as_bytes(),
            i: 0,
        };
        let v = c.nums()?;
        (c.i == s.len()).then_some(v)
    }

    fn skips(s: &str) -> bool {
        let mut c = Cursor {
            b: s.as_bytes(),
            i: 0,
        };
        c.skip().is_some() && c.i == s.len()
    }

    #[test]
    fn columns_as_the_serde_reader_reads_them() {
        for s in [
            "[1, null, true, false, -2.5, 0.30000001192092896, 1e-7, -0, 12345678901234567890]",
            "[]",
            "[ 1 ]",
            "0.5",
            "true",
        ] {
            let want: Nums = serde_json::from_str(s).unwrap();
            let got = nums(s).unwrap().unwrap();
            assert_eq!(got.scalar, want.scalar, "{s}");
            assert_eq!(got.values.len(), want.values.len(), "{s}");
            for (a, b) in got.values.iter().zip(&want.values) {
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{s}"
                );
            }
        }
        assert_eq!(nums("null"), Some(None));
    }

    #[test]
    fn gives_up_on_what_it_does_not_take() {
        // Not JSON (serde refuses these) or not flat (serde takes these).
        for s in [
            "[1,]", "[,1]", "[01]", "[1.]", "[.5]", "[1e]", "[+1]", "[nul]", "[1 2]", "[-]",
            "[NaN]", "[[1]]", "[\"a\"]", "[1", "nulll",
        ] {
            assert!(nums(s).is_none(), "{s}");
        }
    }

    #[test]
    fn skips_exactly_what_json_allows() {
        for s in [
            "[]",
            "{}",
            "[1,[2,{\"a\":null}],\"x\",true,false,-0.5e+3]",
            "\"é\"",
            "\"a\\n\\ud800\\\"\"",
            "{\"a\": {\"b\": []}}",
        ] {
            assert!(skips(s), "{s}");
            assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok(),
                "{s}"
            );
        }
        for s in [
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "[01]",
            "\"a\\qb\"",
            "\"\\u12\"",
            "\"\u{1}\"",
            "{1:2}",
            "tru",
            "[",
        ] {
            assert!(!skips(s), "{s}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(!skips(&deep));
    }

    #[test]
    fn numbers_at_the_edges_of_the_fast_path() {
        for t in [
            "9007199254740992",
            "9007199254740993",
            "-9007199254740993",
            "900719925474099.3",
            "9007199254740992e22",
            "9007199254740992e23",
            "1e22",
            "1e23",
            "1e-22",
            "1e-23",
            "123456789e-22",
            "0.1",
            "0.2",
            "0.3",
            "-0",
            "-0.0",
            "0e5",
            "0.0000000000000000000000001",
            "1234567890123456789",
            "12345678901234567890",
            "1.7976931348623157e308",
            "1e309",
            "-1e-400",
            "4.9e-324",
            "1e99999999999",
            "0.6931471824645996",
            "-2.3025850929940455",
            "99999999999999999999e-2",
        ] {
            let want: f64 = t.parse().unwrap();
            let mut c = Cursor {
                b: t.as_bytes(),
                i: 0,
            };
            assert_eq!(c.number().map(f64::to_bits), Some(want.to_bits()), "{t}");
            assert_eq!(c.i, t.len(), "{t}");
        }
    }

    #[test]
    fn numbers_read_exactly_as_the_standard_parser() {
        let mut state = 11u64;
        let mut next = || super::super::step::splitmix(&mut state);
        for _ in 0..200_000 {
            let digits = 1 + (next() % 19) as usize;
            let mut t: String = (0..digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            // JSON: no leading zero before other integer digits.
            let dot = (next() % (digits as u64 + 1)) as usize;
            let int_part = if dot == 0 { 1 } else { dot };
            if t.len() > 1 && t.as_bytes()[0] == b'0' && int_part > 1 {
                t.replace_range(0..1, "1");
            }
            if dot > 0 && dot < digits {
                t.insert(dot, '.');
            } else if dot == 0 {
                t.insert_str(0, "0.");
            }
            if next() % 2 == 0 {
                t.insert(0, '-');
            }
            if next() % 8 == 0 {
                t.push_str(&format!("e{}", (next() % 40) as i64 - 20));
            }
            let want: f64 = t.parse().unwrap();
            let mut c = Cursor {
                b: t.as_bytes(),
                i: 0,
            };
            assert_eq!(c.number().map(f64::to_bits), Some(want.to_bits()), "{t}");
            assert_eq!(c.i, t.len(), "{t}");
        }
    }
}
