//! Splits a byte stream that arrives in chunks of any size into lines. Whole
//! lines inside a chunk are handed out straight from the chunk; only the
//! unfinished tail is copied and kept for the next chunk.

use super::error::{code, RunError};

/// Longest line accepted (a prime-rl sample with a 32k-token context is a few MB).
pub const MAX_LINE_BYTES: usize = 256 << 20;

#[derive(Default)]
pub struct LineSplitter {
    partial: Vec<u8>,
    /// Lines handed out so far (including blank ones): the next line's number − 1.
    line: u64,
    /// Bytes seen so far, to strip a UTF-8 byte-order mark at the very start.
    bytes: u64,
}

impl LineSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of the last line handed out (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Calls `f(line, number)` for every line completed by `chunk` (without
    /// its `\n` or `\r\n`; blank lines included).
    pub fn push<F>(&mut self, mut chunk: &[u8], mut f: F) -> Result<(), RunError>
    where
        F: FnMut(&[u8], u64) -> Result<(), RunError>,
    {
        self.bytes += chunk.len() as u64;
        if self.line == 0 && self.partial.is_empty() {
            // A BOM split across chunks is caught by strip_bom on line 1.
            chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
        }
        while let Some(i) = memchr::memchr(b'\n', chunk) {
            let (head, rest) = chunk.split_at(i);
            chunk = &rest[1..];
            self.line += 1;
            if self.partial.is_empty() {
                f(trim_cr(head), self.line)?;
            } else {
                self.partial.extend_from_slice(head);
                let mut line = std::mem::take(&mut self.partial);
                let body = strip_bom(&line, self.line);
                let r = f(trim_cr(body), self.line);
                line.clear();
                self.partial = line;
                r?;
            }
        }
        if self.partial.len() + chunk.len() > MAX_LINE_BYTES {
            return Err(RunError::new(
                code::TOO_LARGE,
                format!(
                    "line {} is longer than {} MiB; split the sample, or write the run as a safetensors trace",
                    self.line + 1,
                    MAX_LINE_BYTES >> 20
                ),
            )
            .at("", Some(self.line + 1)));
        }
        self.partial.extend_from_slice(chunk);
        Ok(())
    }

    /// Hands out the last line if the stream did not end with a newline.
    pub fn finish<F>(&mut self, mut f: F) -> Result<(), RunError>
    where
        F: FnMut(&[u8], u64) -> Result<(), RunError>,
    {
        if self.partial.is_empty() {
            return Ok(());
        }
        self.line += 1;
        let line = std::mem::take(&mut self.partial);
        let body = strip_bom(&line, self.line);
        f(trim_cr(body), self.line)
    }
}

fn strip_bom(line: &[u8], number: u64) -> &[u8] {
    if number == 1 {
        line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
    } else {
        line
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]]) -> Vec<(String, u64)> {
        let mut s = LineSplitter::new();
        let mut out = vec![];
        for c in chunks {
            s.push(c, |l, n| {
                out.push((String::from_utf8(l.to_vec()).unwrap(), n));
                Ok(())
            })
            .unwrap();
        }
        s.finish(|l, n| {
            out.push((String::from_utf8(l.to_vec()).unwrap(), n));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn any_split_gives_the_same_lines() {
        let text = b"\xEF\xBB\xBFab\r\n\ncd\nef";
        let want = split(&[text]);
        assert_eq!(
            want,
            vec![
                ("ab".into(), 1),
                ("".into(), 2),
                ("cd".into(), 3),
                ("ef".into(), 4)
            ]
        );
        for i in 0..=text.len() {
            for j in i..=text.len() {
                assert_eq!(
                    split(&[&text[..i], &text[i..j], &text[j..]]),
                    want,
                    "{i} {j}"
                );
            }
        }
        // One byte at a time.
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(split(&bytes), want);
    }
}
