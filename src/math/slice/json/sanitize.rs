//! What serde_json refuses but real files contain, rewritten before parsing:
//! - Python's `json.dumps` writes `NaN`, `Infinity`, `-Infinity` (not JSON):
//!   they are quoted, and the number reader understands the strings;
//! - a lone UTF-16 surrogate escape (`"\ud800"`, as a tokenizer writes for a
//!   token that is half of a character) is not text: it becomes `\ufffd`
//!   (�), so that one token's text is marked instead of the file refused.

/// The rewritten text (`None`: nothing to rewrite, no copy) and what was rewritten.
pub(super) struct Sanitized {
    pub text: Option<Vec<u8>>,
    pub literals: usize,
    pub surrogates: usize,
}

const REPLACEMENT: &[u8] = b"\\ufffd";

pub(super) fn sanitize(bytes: &[u8]) -> Sanitized {
    let mut out = Sanitized {
        text: None,
        literals: 0,
        surrogates: 0,
    };
    let mut copied = 0;
    let mut in_str = false;
    let mut i = 0;
    // Replaces bytes[i..i + len] by `with`.
    let splice = |out: &mut Sanitized, i: usize, len: usize, with: &[u8], copied: &mut usize| {
        let o = out
            .text
            .get_or_insert_with(|| Vec::with_capacity(bytes.len() + 64));
        o.extend_from_slice(&bytes[*copied..i]);
        o.extend_from_slice(with);
        *copied = i + len;
    };
    while i < bytes.len() {
        let b = bytes[i];
        if in_str {
            match b {
                b'"' => in_str = false,
                b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                    match hex4(bytes, i + 2) {
                        Some(0xD800..=0xDBFF) => {
                            let pair = bytes.get(i + 6) == Some(&b'\\')
                                && bytes.get(i + 7) == Some(&b'u')
                                && matches!(hex4(bytes, i + 8), Some(0xDC00..=0xDFFF));
                            if pair {
                                i += 12;
                                continue;
                            }
                            out.surrogates += 1;
                            splice(&mut out, i, 6, REPLACEMENT, &mut copied);
                        }
                        Some(0xDC00..=0xDFFF) => {
                            out.surrogates += 1;
                            splice(&mut out, i, 6, REPLACEMENT, &mut copied);
                        }
                        // Other escapes (or a malformed one, which serde_json reports).
                        _ => {}
                    }
                    i += 6;
                    continue;
                }
                b'\\' => {
                    i += 2;
                    continue;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_str = true;
            i += 1;
            continue;
        }
        let lit: Option<&[u8]> = [&b"-Infinity"[..], b"Infinity", b"NaN"]
            .into_iter()
            .find(|l| bytes[i..].starts_with(l));
        if let Some(l) = lit {
            out.literals += 1;
            let quoted = [&b"\""[..], l, b"\""].concat();
            splice(&mut out, i, l.len(), &quoted, &mut copied);
            i += l.len();
        } else {
            i += 1;
        }
    }
    if let Some(o) = out.text.as_mut() {
        o.extend_from_slice(&bytes[copied.min(bytes.len())..]);
    }
    out
}

/// The four hex digits at `at`, if they are there.
fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let s = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> (String, usize, usize) {
        let r = sanitize(s.as_bytes());
        let text = r
            .text
            .map(|t| String::from_utf8(t).unwrap())
            .unwrap_or_else(|| s.to_owned());
        (text, r.literals, r.surrogates)
    }

    #[test]
    fn literals_are_quoted_outside_strings_only() {
        assert_eq!(
            run(r#"[NaN, -Infinity, "NaN", Infinity]"#),
            (r#"["NaN", "-Infinity", "NaN", "Infinity"]"#.into(), 3, 0)
        );
        assert_eq!(run("[1, 2]"), ("[1, 2]".into(), 0, 0));
    }

    #[test]
    fn lone_surrogates_are_marked_and_pairs_kept() {
        assert_eq!(
            run(r#"["a\ud800b", "\ud83d\ude00", "\udc00", "\\ud800", "\uD800\u0041"]"#),
            (
                r#"["a\ufffdb", "\ud83d\ude00", "\ufffd", "\\ud800", "\ufffd\u0041"]"#.into(),
                0,
                3
            )
        );
        // Cut off inside an escape: left for serde_json to report.
        assert_eq!(run(r#"["\ud8"#), (r#"["\ud8"#.into(), 0, 0));
    }
}
