//! float64 logits → the float32 the row kernel reads, without losing what
//! matters. Only differences between the logits of a row matter (softmax is
//! shift-invariant), so a row whose values float32 cannot hold closely
//! enough (|z| ≳ 256, or beyond float32's range) is shifted by its maximum
//! in float64 first: `[1e8, 1e8 + 1, …]` becomes `[0, −1, …]` exactly, where
//! a plain cast would make every entry 1e8. What still cannot be held (a
//! logit more than 3.4e38 below its row's maximum becomes −∞, probability 0
//! in any precision) is counted and reported.
//!
//! [`DecodeNotes`] also checks that float64 data are plausible: a float32
//! array written under a float64 header (same byte count) reads as float64
//! values whose two halves are each an ordinary float32 number.

/// Largest error a plain cast may put into a logit before the row is
/// shifted: 1e-5 nats moves H by less than the row kernel's own 1e-5
/// relative accuracy (docs/math.md). Plain casts of |z| < 256 stay below it.
const TOLERANCE: f64 = 1e-5;

/// What narrowing and decoding float64 data did, for the warnings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecodeNotes {
    /// Rows shifted by their maximum, and the first one (row, shift).
    shifted_rows: usize,
    first_shift: Option<(usize, f64)>,
    /// Logits that became −∞ although finite, and the first one (row, column, value).
    underflow: usize,
    first_underflow: Option<(usize, usize, f64)>,
    /// float64 values seen, how many have two halves that each read as an
    /// ordinary float32 number, and how many have a non-zero low half
    /// (float32 data cast to float64 have zero low halves: not a misread).
    f64_values: u64,
    f32_like: u64,
    low_nonzero: u64,
}

impl DecodeNotes {
    /// Appends one row of float64 logits (`row` counted in the whole slice)
    /// to `out` as float32, shifted by the row maximum where a plain cast
    /// would lose more than [`TOLERANCE`].
    pub fn narrow_row(&mut self, row: usize, values: &[f64], out: &mut Vec<f32>) {
        let max = values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        // A finite value that casts to −∞ (below −3.4e38) loses nothing by
        // itself: its probability is 0 in float64 too. It is only noted.
        let lossy = max.is_finite()
            && values.iter().any(|&v| {
                let x = v as f32;
                v.is_finite() && x != f32::NEG_INFINITY && (f64::from(x) - v).abs() > TOLERANCE
            });
        if !lossy {
            for (col, &v) in values.iter().enumerate() {
                let x = v as f32;
                if x == f32::NEG_INFINITY && v.is_finite() {
                    self.note_underflow(row, col, v);
                }
                out.push(x);
            }
            return;
        }
        self.shifted_rows += 1;
        self.first_shift.get_or_insert((row, max));
        for (col, &v) in values.iter().enumerate() {
            if v.is_finite() {
                let d = (v - max) as f32;
                if d == f32::NEG_INFINITY {
                    self.note_underflow(row, col, v);
                }
                out.push(d);
            } else {
                // NaN and ±∞ as they are: the row checks name them.
                out.push(v as f32);
            }
        }
    }

    fn note_underflow(&mut self, row: usize, col: usize, v: f64) {
        self.underflow += 1;
        self.first_underflow.get_or_insert((row, col, v));
    }

    /// Counts how float32-like the raw float64 `value` is (see the module docs).
    pub(crate) fn look_at_bits(&mut self, bits: u64) {
        self.f64_values += 1;
        let (hi, lo) = ((bits >> 32) as u32, bits as u32);
        if ordinary_f32(hi) && ordinary_f32(lo) {
            self.f32_like += 1;
        }
        if lo != 0 {
            self.low_nonzero += 1;
        }
    }

    /// Sentences for the person: what was shifted, lost, or looks wrong.
    /// `what` names the values ("float64 logits", "JSON numbers").
    pub fn warnings(&self, what: &str) -> Vec<String> {
        let mut out = Vec::new();
        // Real float64 logits have a low half that reads as an ordinary
        // float32 about one time in six; float32 logits misread do always.
        let n = self.f64_values;
        if n >= 16 && self.f32_like * 10 >= n * 9 && self.low_nonzero * 2 >= n {
            out.push(format!(
                "The header says float64, but the data look like float32 written under a float64 header: in {} of {} values both 4-byte halves are ordinary float32 numbers, which real float64 data almost never are. The logits shown are probably garbage: save the array again with its real dtype (np.save writes it for you).",
                self.f32_like, self.f64_values
            ));
        }
        if let Some((row, shift)) = self.first_shift {
            let more = match self.shifted_rows - 1 {
                0 => String::new(),
                1 => " and 1 more row".into(),
                n => format!(" and {n} more rows"),
            };
            out.push(format!(
                "Row {row}{more} of the {what} cannot be held in float32, the precision the page computes in, without losing more than {TOLERANCE:e} (row {row}'s maximum is {}): each such row was shifted by its maximum in float64 first, which keeps every probability and keeps the differences between logits to float32 precision. Opened rows show the shifted logits.",
                short(shift)
            ));
        }
        if let Some((row, col, v)) = self.first_underflow {
            out.push(format!(
                "{} of the {what} (the first: row {row}, column {col}, {}) lie more than 3.4e38 below their row's maximum, beyond float32: they are read as masked (-Infinity). Their probability is 0 in any precision.",
                self.underflow,
                short(v)
            ));
        }
        out
    }
}

/// A number as a person reads it: 1e300, not 300 digits.
fn short(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e6).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// A float32 bit pattern that is 0 or a normal number of magnitude
/// 1e-6 … 1e6, as logits are.
fn ordinary_f32(bits: u32) -> bool {
    let x = f32::from_bits(bits).abs();
    x == 0.0 || (1e-6..1e6).contains(&x)
}
