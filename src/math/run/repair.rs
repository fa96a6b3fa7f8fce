//! Two things trainers write that are not JSON, read the way DuckDB reads
//! them (so the page and `entropy-polarity-steps` agree): Python's
//! `json.dumps` writes `NaN`, `Infinity` and `-Infinity` for non-finite
//! numbers (read as non-finite, like `null`), and a lone UTF-16 surrogate
//! escape such as `"\ud800"` in a string (read as U+FFFD). Only a line that
//! failed to parse is repaired; the reader warns about each kind once.

/// `-Infinity` before `Infinity`, so the sign goes with it.
const WORDS: [&[u8]; 3] = [b"-Infinity", b"Infinity", b"NaN"];

/// What a repair changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repairs {
    pub non_finite: bool,
    pub surrogates: bool,
}

/// The line with bare `NaN` / `Infinity` / `-Infinity` turned into `null` and
/// lone surrogate escapes into `\ufffd`; `None` when there is neither.
pub fn repair(line: &[u8]) -> Option<(Vec<u8>, Repairs)> {
    let mut out = Vec::with_capacity(line.len() + 8);
    let mut r = Repairs::default();
    let mut i = 0;
    let mut in_str = false;
    while i < line.len() {
        let b = line[i];
        if in_str {
            if b == b'"' {
                in_str = false;
            } else if b == b'\\' && i + 1 < line.len() {
                if let Some(u) = escape(line, i) {
                    let high = (0xD800..0xDC00).contains(&u);
                    let low = (0xDC00..0xE000).contains(&u);
                    let paired =
                        high && escape(line, i + 6).is_some_and(|v| (0xDC00..0xE000).contains(&v));
                    if paired {
                        out.extend_from_slice(&line[i..i + 12]);
                        i += 12;
                        continue;
                    }
                    if high || low {
                        out.extend_from_slice(b"\\ufffd");
                        r.surrogates = true;
                        i += 6;
                        continue;
                    }
                }
                out.extend_from_slice(&line[i..i + 2]);
                i += 2;
                continue;
            }
            out.push(b);
            i += 1;
            continue;
        }
        if b == b'"' {
            in_str = true;
        } else if let Some(w) = WORDS.iter().find(|w| line[i..].starts_with(w)) {
            out.extend_from_slice(b"null");
            r.non_finite = true;
            i += w.len();
            continue;
        }
        out.push(b);
        i += 1;
    }
    (r.non_finite || r.surrogates).then_some((out, r))
}

/// The code unit of a `\uXXXX` escape starting at `line[i]`.
fn escape(line: &[u8], i: usize) -> Option<u32> {
    let e = line.get(i..i + 6)?;
    if e[0] != b'\\' || e[1] != b'u' {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(&e[2..]).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(s: &str) -> Option<String> {
        repair(s.as_bytes()).map(|(v, _)| String::from_utf8(v).unwrap())
    }

    #[test]
    fn non_finite_words_become_null_outside_strings() {
        assert_eq!(
            fixed(r#"{"a":[NaN,-Infinity,Infinity,1],"t":"NaN"}"#).as_deref(),
            Some(r#"{"a":[null,null,null,1],"t":"NaN"}"#)
        );
        assert_eq!(fixed(r#"{"a":[1],"t":"Infinity"}"#), None);
    }

    #[test]
    fn lone_surrogates_become_the_replacement_character() {
        assert_eq!(
            fixed(r#"{"t":["\ud800x","\ud83d\ude00","\udc00","\\ud800"]}"#).as_deref(),
            Some(r#"{"t":["\ufffdx","\ud83d\ude00","\ufffd","\\ud800"]}"#)
        );
    }
}
