//! Lenient serde readers for the values trainers write: a per-token column is
//! a JSON array of numbers where `null` stands for NaN/±inf (prime-rl writes
//! non-finite values that way), booleans are 0/1, and one extra list level is
//! flattened (NeMo-RL wraps every field: `[[1, 2, 3]]`). A bare number is
//! accepted where a column may be one value per sample (our `advantage`).

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

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
        d.deserialize_any(NumsVisitor)
    }
}

struct NumsVisitor;

impl<'de> Visitor<'de> for NumsVisitor {
    type Value = Nums;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of numbers (null for NaN/inf)")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Nums, E> {
        Ok(Nums {
            values: vec![v],
            scalar: true,
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Nums, E> {
        self.visit_f64(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Nums, E> {
        self.visit_f64(v as f64)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Nums, E> {
        self.visit_f64(if v { 1.0 } else { 0.0 })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Nums, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while seq
            .next_element_seed(Extend {
                out: &mut values,
                nested: true,
            })?
            .is_some()
        {}
        Ok(Nums {
            values,
            scalar: false,
        })
    }
}

/// Pushes one element onto `out`: a number, `null` (NaN), a boolean, or
/// (when `nested`) an inner array whose numbers are all pushed.
struct Extend<'a> {
    out: &'a mut Vec<f64>,
    nested: bool,
}

impl<'de> DeserializeSeed<'de> for Extend<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Extend<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or null")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.out.push(v);
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.out.push(v as f64);
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.out.push(v as f64);
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.out.push(if v { 1.0 } else { 0.0 });
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.push(f64::NAN);
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.nested {
            return Err(de::Error::invalid_type(
                de::Unexpected::Seq,
                &"a number or null (at most one extra list level)",
            ));
        }
        while seq
            .next_element_seed(Extend {
                out: &mut *self.out,
                nested: false,
            })?
            .is_some()
        {}
        Ok(())
    }
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
        let n = d.deserialize_any(NumsOrNull)?;
        match n.values.len() {
            0 => Ok(Scalar(f64::NAN)),
            1 => Ok(Scalar(n.values[0])),
            k => Err(de::Error::invalid_length(k, &"one number")),
        }
    }
}

struct NumsOrNull;

impl<'de> Visitor<'de> for NumsOrNull {
    type Value = Nums;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Nums, E> {
        Ok(Nums::default())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Nums, E> {
        NumsVisitor.visit_f64(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Nums, E> {
        NumsVisitor.visit_i64(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Nums, E> {
        NumsVisitor.visit_u64(v)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Nums, A::Error> {
        NumsVisitor.visit_seq(seq)
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
