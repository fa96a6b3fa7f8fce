//! A file's reading, recorded: what a recording [`RunReader`] parsed from one
//! file (its format, its samples with their lines, the lines it repaired,
//! its notes, or the error that stopped it), as bytes that another reader
//! replays ([`RunReader::replay`]). This is how files are parsed in parallel
//! (the page's parse workers, one file each) while one reader aggregates
//! them in file order: the aggregator makes the same calls, with the same
//! values, in the same order as when it reads the files itself, so its
//! tables are the single reader's bit for bit (f64s cross as their bits).
//!
//! Little-endian, private to this crate's two ends (the bytes never outlive
//! one page load), so there is no version field.
//!
//! [`RunReader`]: super::RunReader
//! [`RunReader::replay`]: super::RunReader::replay

use super::error::{code, RunError};
use super::formats::{Format, Sample};

/// What a tape holds.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// The file's format, and the line it was told from (none for safetensors).
    Format(Format, Option<u64>),
    Sample(u64, Sample),
    /// A line read after a repair: 0 non-finite words, 1 lone surrogates.
    Repaired(u8, u64),
    /// A line that used the sampler's logprobs (inference, generation).
    Notes(bool, bool),
    /// What stopped the file (the last event).
    Failed(RunError),
    /// The file was read whole: its lines (or safetensors entries). The last event.
    End(u64),
}

const FORMATS: [Format; 6] = [
    Format::PrimeRl,
    Format::PrimeTraces,
    Format::Trace,
    Format::TraceSafetensors,
    Format::NemoRl,
    Format::OpenRlhf,
];

const CODES: [&str; 21] = [
    code::NOT_JSON,
    code::FIELD_TYPE,
    code::MISSING_FIELD,
    code::LENGTHS,
    code::LOGPROB_POSITIVE,
    code::ENTROPY_NEGATIVE,
    code::ENTROPY_TOO_LARGE,
    code::DUPLICATE_SAMPLE,
    code::MEAN_DISCRIMINATOR_NEGATIVE,
    code::MIXED_FORMATS,
    code::EMPTY_FILE,
    code::LOGIT_SLICE,
    code::UNKNOWN_FORMAT,
    code::BAD_VALUE,
    code::VERSION,
    code::SAFETENSORS,
    code::TOO_LARGE,
    code::STATE,
    code::CSV,
    code::TOKENIZER,
    code::NEEDS_SERIAL,
];

/// Appends one event.
pub fn write(out: &mut Vec<u8>, e: &Event) {
    match e {
        Event::Format(f, line) => {
            out.push(0);
            out.push(FORMATS.iter().position(|g| g == f).unwrap_or(0) as u8);
            opt_u64(out, *line);
        }
        Event::Sample(line, s) => {
            out.push(1);
            u64_(out, *line);
            u64_(out, s.step as u64);
            opt_u64(out, s.sample.map(|v| v as u64));
            opt_str(out, s.env_name.as_deref());
            u64_(out, s.len() as u64);
            f64s(out, &s.token_id);
            f64s(out, &s.logprob);
            for c in [
                &s.entropy,
                &s.mean_disc,
                &s.advantage,
                &s.entropy_after,
                &s.logprob_after,
            ] {
                out.push(c.is_some() as u8);
                if let Some(c) = c {
                    f64s(out, c);
                }
            }
            out.extend(s.mask.iter().map(|&m| m as u8));
            out.push(s.text.is_some() as u8);
            for t in s.text.iter().flatten() {
                str_(out, t);
            }
        }
        Event::Repaired(k, line) => {
            out.push(2);
            out.push(*k);
            u64_(out, *line);
        }
        Event::Notes(a, b) => {
            out.push(3);
            out.push(*a as u8 | (*b as u8) << 1);
        }
        Event::Failed(e) => {
            out.push(4);
            out.push(CODES.iter().position(|c| *c == e.code).unwrap_or(17) as u8);
            str_(out, &e.file);
            opt_u64(out, e.line);
            opt_str(out, e.field.as_deref());
            str_(out, &e.message);
            out.push(e.foreign as u8);
        }
        Event::End(lines) => {
            out.push(5);
            u64_(out, *lines);
        }
    }
}

/// The events of a tape; an error names the byte where the tape is not one.
pub fn read(b: &[u8]) -> Result<Vec<Event>, RunError> {
    let mut r = Reader { b, i: 0 };
    let mut out = Vec::new();
    while r.i < b.len() {
        out.push(r.event().ok_or_else(|| {
            RunError::new(
                code::STATE,
                format!(
                    "a parse worker's record is cut or corrupt at byte {}: read the run again",
                    r.i
                ),
            )
        })?);
    }
    Ok(out)
}

fn u64_(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn opt_u64(out: &mut Vec<u8>, v: Option<u64>) {
    out.push(v.is_some() as u8);
    u64_(out, v.unwrap_or(0));
}
fn str_(out: &mut Vec<u8>, s: &str) {
    u64_(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}
fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    out.push(s.is_some() as u8);
    str_(out, s.unwrap_or(""));
}
fn f64s(out: &mut Vec<u8>, v: &[f64]) {
    out.reserve(v.len() * 8);
    for x in v {
        out.extend_from_slice(&x.to_bits().to_le_bytes());
    }
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.b.get(self.i..self.i.checked_add(n)?)?;
        self.i += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn opt_u64(&mut self) -> Option<Option<u64>> {
        let some = self.u8()? != 0;
        let v = self.u64()?;
        Some(some.then_some(v))
    }
    fn string(&mut self) -> Option<String> {
        let n = usize::try_from(self.u64()?).ok()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    fn opt_string(&mut self) -> Option<Option<String>> {
        let some = self.u8()? != 0;
        let s = self.string()?;
        Some(some.then_some(s))
    }
    fn f64s(&mut self, n: usize) -> Option<Vec<f64>> {
        let raw = self.take(n.checked_mul(8)?)?;
        Some(
            raw.chunks_exact(8)
                .map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().unwrap())))
                .collect(),
        )
    }

    fn event(&mut self) -> Option<Event> {
        Some(match self.u8()? {
            0 => Event::Format(*FORMATS.get(self.u8()? as usize)?, self.opt_u64()?),
            1 => {
                let line = self.u64()?;
                let step = self.u64()? as i64;
                let sample = self.opt_u64()?.map(|v| v as i64);
                let env_name = self.opt_string()?;
                let n = usize::try_from(self.u64()?).ok()?;
                let token_id = self.f64s(n)?;
                let logprob = self.f64s(n)?;
                let mut cols = [None, None, None, None, None];
                for c in &mut cols {
                    if self.u8()? != 0 {
                        *c = Some(self.f64s(n)?);
                    }
                }
                let [entropy, mean_disc, advantage, entropy_after, logprob_after] = cols;
                let mask = self.take(n)?.iter().map(|&m| m != 0).collect();
                let text = if self.u8()? != 0 {
                    Some((0..n).map(|_| self.string()).collect::<Option<Vec<_>>>()?)
                } else {
                    None
                };
                Event::Sample(
                    line,
                    Sample {
                        step,
                        sample,
                        env_name,
                        token_id,
                        logprob,
                        entropy,
                        mean_disc,
                        advantage,
                        mask,
                        text,
                        entropy_after,
                        logprob_after,
                    },
                )
            }
            2 => Event::Repaired(self.u8()?, self.u64()?),
            3 => {
                let b = self.u8()?;
                Event::Notes(b & 1 != 0, b & 2 != 0)
            }
            4 => {
                let code = *CODES.get(self.u8()? as usize)?;
                let file = self.string()?;
                let line = self.opt_u64()?;
                let field = self.opt_string()?;
                let message = self.string()?;
                let foreign = self.u8()? != 0;
                Event::Failed(RunError {
                    code,
                    file,
                    line,
                    field,
                    message,
                    foreign,
                })
            }
            5 => Event::End(self.u64()?),
            _ => return None,
        })
    }
}
