//! The simulate options, declared once.
//!
//! The table in [`declare!`] below is the only place an option is written:
//! the [`SimOptions`] struct, its `Default`, the table the page reads
//! ([`options`], exported to JavaScript as `simulateOptions()`: name, kind,
//! default, min, max, help), the range checks of [`SimOptions::validate`] and
//! the name → field conversion of the wasm layer ([`SimOptions::set`]) all
//! derive from it. Ranges that depend on other options (`correct` ≤ V − 1,
//! `targetEntropy` ≤ ln V, vector lengths, conflicts) are checked in
//! `setup.rs`, after the table's own ranges.

use super::{PolarityMode, Preset, SimError, Strategy};

/// What kind of value an option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole number ≥ 0.
    Count,
    /// A real number.
    Real,
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// One number per token (Float64Array, Float32Array or an array).
    Vector,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Real => "number",
            Kind::Choice(_) => "choice",
            Kind::Vector => "vector",
        }
    }
}

/// An option's value as it arrives from outside (the wasm layer, a link).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Not given (JavaScript `undefined` or `null`).
    Absent,
    Number(f64),
    Text(String),
    Vector(Vec<f64>),
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Number(x)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionSpec {
    /// The name, as JavaScript and links spell it.
    pub name: &'static str,
    pub kind: Kind,
    /// Allowed range of a number (NaN for words and vectors).
    pub min: f64,
    pub max: f64,
    /// `min` itself is excluded (lr > 0).
    pub min_open: bool,
    /// May be left out, and then depends on other options (see `help`).
    pub optional: bool,
    /// The value used when the option is left out, or `Absent` when that
    /// depends on other options.
    pub default: Value,
    /// What the option is, in a few words (used in error messages).
    pub help: &'static str,
}

impl OptionSpec {
    /// The allowed range in words, e.g. "a whole number from 2 to 1000".
    pub fn range_text(&self) -> String {
        let whole = if self.kind == Kind::Count {
            "a whole number "
        } else {
            ""
        };
        let num = crate::math::format::js_number;
        match (self.min_open, self.max.is_finite()) {
            (false, true) => format!("{whole}from {} to {}", num(self.min), num(self.max)),
            (true, true) => format!(
                "{whole}greater than {} and at most {}",
                num(self.min),
                num(self.max)
            ),
            (false, false) => format!("{whole}≥ {}", num(self.min)),
            (true, false) => format!("{whole}> {}", num(self.min)),
        }
    }

    /// Whether a number lies in the table's range.
    pub fn allows(&self, x: f64) -> bool {
        let above = if self.min_open {
            x > self.min
        } else {
            x >= self.min
        };
        x.is_finite() && above && x <= self.max
    }
}

/// A field type of [`SimOptions`]: how it is read from a [`Value`] and
/// shown in the table.
pub trait OptionValue: Sized {
    const KIND: Kind;
    const OPTIONAL: bool = false;
    fn from_value(spec: &OptionSpec, v: Value) -> Result<Self, SimError>;
    fn to_value(&self) -> Value;
    /// The number to range-check, if this is a number.
    fn number(&self) -> Option<f64> {
        None
    }
}

/// The error for a value of the wrong type.
pub fn wrong_type(spec: &OptionSpec) -> SimError {
    SimError::Type {
        option: spec.name,
        want: match spec.kind {
            Kind::Count => "a whole number",
            Kind::Real => "a number",
            Kind::Choice(_) => "a string",
            Kind::Vector => "a Float64Array, Float32Array or an array of numbers",
        },
    }
}

/// Largest whole number JavaScript holds exactly (Number.MAX_SAFE_INTEGER).
pub const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A number, any number: the ranges are checked later, against the table.
fn real(spec: &OptionSpec, v: Value) -> Result<f64, SimError> {
    match v {
        Value::Number(x) => Ok(x),
        _ => Err(wrong_type(spec)),
    }
}

/// A whole number from 0 to [`MAX_SAFE`] that fits `T` (usize has 32 bits
/// in wasm); anything else is out of range.
fn whole<T: TryFrom<u64>>(spec: &OptionSpec, v: Value) -> Result<T, SimError> {
    let x = real(spec, v)?;
    if x.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&x) {
        if let Ok(n) = T::try_from(x as u64) {
            return Ok(n);
        }
    }
    Err(SimError::Range {
        option: spec.name,
        value: x,
    })
}

/// A number field: read by `$read`, shown and range-checked as an f64.
macro_rules! number_option {
    ($t:ty, $kind:expr, $read:expr) => {
        impl OptionValue for $t {
            const KIND: Kind = $kind;
            fn from_value(spec: &OptionSpec, v: Value) -> Result<Self, SimError> {
                $read(spec, v)
            }
            fn to_value(&self) -> Value {
                Value::Number(*self as f64)
            }
            fn number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    };
}
number_option!(usize, Kind::Count, whole);
number_option!(u64, Kind::Count, whole);
number_option!(f64, Kind::Real, real);

impl OptionValue for Vec<f64> {
    const KIND: Kind = Kind::Vector;
    fn from_value(spec: &OptionSpec, v: Value) -> Result<Self, SimError> {
        match v {
            Value::Vector(x) => Ok(x),
            _ => Err(wrong_type(spec)),
        }
    }
    fn to_value(&self) -> Value {
        Value::Vector(self.clone())
    }
}

impl<T: OptionValue> OptionValue for Option<T> {
    const KIND: Kind = T::KIND;
    const OPTIONAL: bool = true;
    fn from_value(spec: &OptionSpec, v: Value) -> Result<Self, SimError> {
        match v {
            Value::Absent => Ok(None),
            v => T::from_value(spec, v).map(Some),
        }
    }
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Absent, T::to_value)
    }
    fn number(&self) -> Option<f64> {
        self.as_ref().and_then(T::number)
    }
}

/// Words options ([`Strategy`], [`Preset`], [`PolarityMode`]).
pub trait Word: Sized + Copy + 'static {
    const NAMES: &'static [&'static str];
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
}

macro_rules! word_option {
    ($t:ty) => {
        impl OptionValue for $t {
            const KIND: Kind = Kind::Choice(<$t as Word>::NAMES);
            fn from_value(spec: &OptionSpec, v: Value) -> Result<Self, SimError> {
                match v {
                    Value::Text(s) => <$t as Word>::ALL
                        .iter()
                        .copied()
                        .find(|k| k.as_str() == s)
                        .ok_or(SimError::Choice {
                            option: spec.name,
                            name: s,
                            choices: <$t as Word>::NAMES,
                        }),
                    _ => Err(wrong_type(spec)),
                }
            }
            fn to_value(&self) -> Value {
                Value::Text(self.as_str().to_string())
            }
        }
    };
}
word_option!(Strategy);
word_option!(Preset);
word_option!(PolarityMode);

fn is_open(bound: &str) -> bool {
    bound == "open"
}

macro_rules! declare {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident : $ty:ty = $default:expr $(=> $fallback:expr)? ;
        $js:literal, $bound:ident [$min:expr, $max:expr], $help:literal;
    )*) => {
        /// Everything a run depends on. `Default` gives the documented
        /// defaults. Declared once, with the table [`options`].
        #[derive(Clone, Debug, PartialEq)]
        pub struct SimOptions {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl Default for SimOptions {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        /// The table of options, in declaration order.
        pub fn options() -> Vec<OptionSpec> {
            let d = SimOptions::default();
            vec![$(
                OptionSpec {
                    name: $js,
                    kind: <$ty as OptionValue>::KIND,
                    min: $min,
                    max: $max,
                    min_open: is_open(stringify!($bound)),
                    optional: <$ty as OptionValue>::OPTIONAL,
                    default: {
                        #[allow(unused_mut, unused_assignments)]
                        let mut v = OptionValue::to_value(&d.$field);
                        $( v = Value::from($fallback); )?
                        v
                    },
                    help: $help,
                },
            )*]
        }

        impl SimOptions {
            /// Sets the option called `name` (as JavaScript spells it).
            pub fn set(&mut self, name: &str, value: Value) -> Result<(), SimError> {
                let table = options();
                let Some(spec) = table.iter().find(|s| s.name == name) else {
                    return Err(SimError::UnknownOption { name: name.to_string() });
                };
                match name {
                    $( $js => self.$field = OptionValue::from_value(spec, value)?, )*
                    _ => unreachable!("every name in the table has a field"),
                }
                Ok(())
            }

            /// The numbers to range-check, with their names, in table order.
            pub(super) fn numbers(&self) -> Vec<(&'static str, Option<f64>)> {
                vec![$( ($js, OptionValue::number(&self.$field)), )*]
            }
        }
    };
}

const NONE: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

declare! {
    /// How the update is shaped; see [`Strategy`].
    strategy: Strategy = Strategy::Pg;
        "strategy", closed [NONE, NONE], "the strategy that shapes the update";
    /// V. `None`: the length of `rewards`/`logits` if given, else 100.
    vocab: Option<usize> = None => super::DEFAULT_VOCAB as f64;
        "vocab", closed [2.0, 1000.0], "the vocabulary size V (tokens)";
    /// G, samples per step.
    group: usize = 16;
        "group", closed [2.0, 1024.0], "the group size G (samples per step; advantages compare samples within a group, so one is not enough)";
    steps: usize = 500;
        "steps", closed [0.0, 10_000.0], "the number of steps";
    seed: u64 = 0;
        "seed", closed [0.0, MAX_SAFE], "the seed of the sampler";
    /// η.
    lr: f64 = 0.3;
        "lr", open [0.0, 100.0], "the step size η";
    /// Optimisation epochs per sampled group.
    epochs: usize = 4;
        "epochs", closed [1.0, 32.0], "the number of optimisation epochs per sampled group";
    /// ε_low; also ε_high for every strategy but `clip-higher`.
    clip_low: f64 = 0.2;
        "clipLow", closed [0.0, 1.0], "the lower clip ε_low (the ratio is clipped at 1 − ε_low; 0.2 is usual)";
    /// ε_high of `clip-higher`.
    clip_high: f64 = 0.28;
        "clipHigh", closed [0.0, INF], "the upper clip ε_high of clip-higher (the ratio is clipped at 1 + ε_high; DAPO uses 0.28)";
    /// β of `entropy-bonus`.
    entropy_coef: f64 = 0.05;
        "entropyCoef", closed [0.0, 100.0], "the entropy-bonus coefficient β";
    /// H* of `polarity` and `entropic`, nats. `None`: see [`Strategy`].
    target_entropy: Option<f64> = None;
        "targetEntropy", closed [0.0, 6.907_755_278_982_137], "the target entropy H* in nats (at most ln V; empty: the initial entropy for polarity, half of it for entropic)";
    /// κ of `polarity`, per nat.
    polarity_gain: f64 = 2.0;
        "polarityGain", closed [0.0, 100.0], "the polarity gain κ (per nat of entropy below the target)";
    /// w_max of `polarity`.
    polarity_max_weight: f64 = 2.0;
        "polarityMaxWeight", closed [1.0, 1e6], "the largest polarity weight w_max";
    /// One-sided (default) or the original two-sided controller.
    polarity_mode: PolarityMode = PolarityMode::OneSided;
        "polarityMode", closed [NONE, NONE], "how polarity weighs: one-sided never amplifies contraction, two-sided is the original controller";
    /// Fraction of the group that `clip-cov` detaches and `kl-cov` penalises.
    cov_fraction: f64 = 0.2;
        "covFraction", closed [0.0, 1.0], "the fraction of the group with the largest covariance that clip-cov drops and kl-cov penalises";
    /// KL-Cov's coefficient of |ln ρ| on the selected samples.
    kl_coef: f64 = 1.0;
        "klCoef", closed [0.0, 100.0], "the coefficient of kl-cov's penalty |ln ρ|";
    /// Clip_B's width in standard deviations.
    disc_clip_k: f64 = 1.0;
        "discClipK", closed [0.0, 100.0], "how many standard deviations below the group's mean polarity disc-clip drops a sample";
    /// EntroPIC's proportional gain.
    pic_kp: f64 = 1.0;
        "picKp", closed [0.0, 100.0], "entropic's proportional gain K_p (per nat)";
    /// EntroPIC's integral gain.
    pic_ki: f64 = 0.05;
        "picKi", closed [0.0, 100.0], "entropic's integral gain K_i (per nat·step)";
    /// Reward preset; `None` with no `rewards`: `one-correct`.
    preset: Option<Preset> = None => "one-correct";
        "preset", closed [NONE, NONE], "the reward preset";
    /// Explicit token rewards (length V, finite); excludes `preset`.
    rewards: Option<Vec<f64>> = None;
        "rewards", closed [NONE, NONE], "explicit token rewards, one per token";
    /// Rewarded tokens of `several-correct`/`unlikely-correct`, 1..V−1.
    /// `None`: 4, or V − 1 when V ≤ 4.
    correct: Option<usize> = None;
        "correct", closed [1.0, 999.0], "the number of rewarded tokens (at most V − 1; empty: 4, or V − 1 if smaller)";
    /// Standard deviation of Gaussian noise on every sampled reward.
    /// `None`: 0.5 for the `noisy` preset, 0 otherwise.
    noise: Option<f64> = None;
        "noise", closed [0.0, 100.0], "the reward noise σ (empty: 0.5 for the noisy preset, else 0)";
    /// Explicit initial logits (length V, finite); excludes `zipf`.
    logits: Option<Vec<f64>> = None;
        "logits", closed [NONE, NONE], "explicit initial logits, one per token";
    /// Zipf exponent s of the default initial logits z_j = −s ln(j + 1). `None`: 1.
    zipf: Option<f64> = None => super::DEFAULT_ZIPF;
        "zipf", closed [0.0, 10.0], "the Zipf exponent s of the initial logits z_j = −s ln(j + 1)";
}

impl SimOptions {
    /// Checks every option against the table's ranges, then the ranges
    /// that depend on other options; the messages say what is allowed.
    pub fn validate(&self) -> Result<(), SimError> {
        self.check_ranges()?;
        super::setup::Setup::new(self).map(|_| ())
    }

    pub(super) fn check_ranges(&self) -> Result<(), SimError> {
        let table = options();
        for (name, value) in self.numbers() {
            let spec = table.iter().find(|s| s.name == name).expect("in the table");
            if let Some(x) = value {
                if !spec.allows(x) {
                    return Err(SimError::Range {
                        option: spec.name,
                        value: x,
                    });
                }
            }
        }
        Ok(())
    }
}

/// The row of the table called `name`.
pub fn spec(name: &str) -> Option<OptionSpec> {
    options().into_iter().find(|s| s.name == name)
}
