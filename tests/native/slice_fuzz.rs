//! No input makes a slice parser panic: random bytes, format-shaped random
//! text, random mutations of the valid example files, and hand-made
//! inconsistent layouts are fed to every entry point, which must return Ok
//! or Err. Case counts are modest so this runs in seconds; raise
//! PROPTEST_CASES for a longer run.

// Native only: the browser tier is tests/web.rs.
#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::slice::{
    decode_advantages, decode_all, decode_rows, decode_tokens, parse_any_with, read_header,
    row_byte_range, sniff, BinaryFormat, DecodeNotes, Endian, FileLayout, FloatType, Header, Order,
    ParseOptions, SideTensor, SideType, Slice, TensorPick,
};
use proptest::prelude::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLES: [&str; 10] = [
    "toy.npy",
    "fortran_f64.npy",
    "big_endian_v2.npy",
    "f16.npy",
    "bf16.npy",
    "slice.safetensors",
    "slice.json",
    "slice.csv",
    "chat_top_logprobs.json",
    "completions_top_logprobs.json",
];
const NAMES: [&str; 6] = ["a.npy", "a.safetensors", "a.json", "a.csv", "a.bin", ""];

use crate::support::proptest_config::config;

fn opts(bf16: bool, pick: u8) -> ParseOptions {
    let name = |i: u8| ["logits", "tokens", "advantages", "nope"][(i % 4) as usize].to_string();
    ParseOptions {
        confirm_bf16: bf16,
        logits_tensor: if pick & 1 == 1 {
            Some(name(pick >> 1))
        } else {
            None
        },
        tokens_tensor: match pick % 3 {
            0 => TensorPick::Auto,
            1 => TensorPick::Skip,
            _ => TensorPick::Named(name(pick >> 2)),
        },
        advantages_tensor: if pick & 8 == 8 {
            TensorPick::Named(name(pick >> 4))
        } else {
            TensorPick::Auto
        },
    }
}

/// What a parsed slice must always satisfy.
fn check_slice(s: &Slice) {
    assert!(s.rows > 0 && s.vocab > 0);
    assert_eq!(s.logits.len(), s.rows * s.vocab);
    for row in s.logits.chunks_exact(s.vocab) {
        assert!(row.iter().all(|v| v.is_finite() || *v == f32::NEG_INFINITY));
        assert!(row.iter().any(|v| v.is_finite()));
    }
    if let Some(t) = &s.tokens {
        assert_eq!(t.len(), s.rows);
        assert!(t.iter().all(|&t| (t as usize) < s.vocab));
    }
    if let Some(a) = &s.advantages {
        assert_eq!(a.len(), s.rows);
        assert!(a.iter().all(|a| a.is_finite()));
    }
}

/// Every entry point on one byte buffer.
fn exercise(name: &str, bytes: &[u8], o: &ParseOptions, extra_len: u64) {
    if let Ok(s) = parse_any_with(name, bytes, o) {
        check_slice(&s);
    }
    let _ = sniff(name, bytes);
    for file_len in [bytes.len() as u64, bytes.len() as u64 + extra_len] {
        for cut in [bytes.len(), bytes.len() / 2, bytes.len().min(16)] {
            if let Ok(Header::Ready(l)) = read_header(name, &bytes[..cut], file_len, o) {
                exercise_layout(&l, bytes);
            }
        }
    }
}

/// Decoders on a layout and whatever bytes are at hand.
fn exercise_layout(l: &FileLayout, bytes: &[u8]) {
    let (start, end) = l.data_range();
    let data = bytes
        .get(start as usize..(end as usize).min(bytes.len()))
        .unwrap_or(&[]);
    let _ = decode_all(l, data, &mut DecodeNotes::default());
    let mut out = Vec::new();
    for first in [
        0,
        1,
        l.rows.saturating_sub(1),
        l.rows,
        l.rows.saturating_add(1),
    ] {
        let _ = decode_rows(l, first, data, &mut out, &mut DecodeNotes::default());
        let _ = row_byte_range(l, first);
        if let Ok((a, b)) = row_byte_range(l, first) {
            if let Some(row) = bytes.get(a as usize..b as usize) {
                let mut one = Vec::new();
                if decode_rows(l, first, row, &mut one, &mut DecodeNotes::default()).is_ok() {
                    assert_eq!(one.len(), l.vocab);
                }
            }
        }
    }
    let _ = decode_tokens(l, data);
    let _ = decode_advantages(l, data);
    if let Some(t) = &l.tokens {
        if let Some(b) = bytes.get(t.start as usize..t.end as usize) {
            let _ = decode_tokens(l, b);
        }
    }
    if let Some(a) = &l.advantages {
        if let Some(b) = bytes.get(a.start as usize..a.end as usize) {
            let _ = decode_advantages(l, b);
        }
    }
}

fn examples() -> Vec<Vec<u8>> {
    EXAMPLES
        .iter()
        .map(|n| std::fs::read(format!("{ROOT}/www/examples/{n}")).unwrap())
        .collect()
}

/// The hostile inputs of the upload sweep, kept as cargo-fuzz seeds (tracked; corpus/ is cargo-fuzz output and ignored) in
/// fuzz/seeds/slice_parsers (first byte: the name hint, as in the fuzz
/// target): (name, bytes).
fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let dir = format!("{ROOT}/fuzz/seeds/slice_parsers");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .filter_map(|b| {
            let (&flag, rest) = b.split_first()?;
            Some((NAMES[flag as usize % 5], rest.to_vec()))
        })
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 13, "the hostile seeds are in {dir}");
    seeds
}

#[test]
fn hostile_seeds_are_answered() {
    for (name, bytes) in hostile() {
        exercise(name, &bytes, &ParseOptions::default(), 4096);
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, u8),
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let at = |i: usize, len: usize| i % len;
    match m {
        Mutation::Set(i, b) => {
            let i = at(*i, bytes.len());
            bytes[i] = *b;
        }
        Mutation::Flip(i, bit) => {
            let i = at(*i, bytes.len());
            bytes[i] ^= 1 << bit;
        }
        Mutation::Truncate(i) => {
            let i = at(*i, bytes.len());
            bytes.truncate(i);
        }
        Mutation::Insert(i, v) => {
            let i = at(*i, bytes.len());
            bytes.splice(i..i, v.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = at(*i, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Duplicate(i, n) => {
            let i = at(*i, bytes.len());
            let end = (i + n).min(bytes.len());
            let chunk = bytes[i..end].to_vec();
            bytes.splice(i..i, chunk);
        }
    }
}

/// Text from an alphabet that JSON / CSV / .npy-header parsers care about.
fn texty(alphabet: &'static str, max: usize) -> impl Strategy<Value = Vec<u8>> {
    let chars: Vec<u8> = alphabet.bytes().collect();
    prop::collection::vec(prop::sample::select(chars), 0..max)
}

proptest! {
    #![proptest_config(config(600))]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300),
                    name in prop::sample::select(&NAMES[..]),
                    bf16 in any::<bool>(), pick in any::<u8>(), extra in 0u64..1_000_000) {
        exercise(name, &bytes, &opts(bf16, pick), extra);
    }

    #[test]
    fn json_like_text(mut text in texty("[]{},:\"- 0123456789.eE+nulltrueNaInfiy\n", 120),
                      wrap in 0u8..4) {
        // Bias towards the shapes the parser recognises.
        let (pre, post): (&[u8], &[u8]) = match wrap {
            0 => (b"", b""),
            1 => (b"{\"logits\": [", b"]}"),
            2 => (b"{\"choices\": [{\"logprobs\": {\"content\": [", b"]}}]}"),
            _ => (b"[[", b"]]"),
        };
        let mut bytes = pre.to_vec();
        bytes.append(&mut text);
        bytes.extend_from_slice(post);
        exercise("a.json", &bytes, &ParseOptions::default(), 0);
    }

    #[test]
    fn csv_like_text(text in texty("0123456789.,;-+e \t\n\r#\"infaINFx", 160)) {
        exercise("a.csv", &text, &ParseOptions::default(), 0);
    }

    #[test]
    fn npy_header_like_text(dict in texty("{}()[]'\":, 0123456789<>|=fiuVcOTrueFalsdescrhpLN\n", 90),
                            version in 1u8..4, payload in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut bytes = b"\x93NUMPY".to_vec();
        bytes.push(version);
        bytes.push(0);
        if version == 1 {
            bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        } else {
            bytes.extend_from_slice(&(dict.len() as u32).to_le_bytes());
        }
        bytes.extend_from_slice(&dict);
        bytes.extend_from_slice(&payload);
        exercise("a.npy", &bytes, &opts(true, 0), 0);
    }
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn mutated_examples(which in 0usize..EXAMPLES.len(),
                        muts in prop::collection::vec(mutation(), 1..4),
                        bf16 in any::<bool>(), pick in any::<u8>()) {
        let mut bytes = examples().swap_remove(which);
        for m in &muts {
            apply(&mut bytes, m);
        }
        exercise(EXAMPLES[which], &bytes, &opts(bf16, pick), 4096);
    }

    #[test]
    fn mutated_hostile_inputs(which in 0usize..13,
                              muts in prop::collection::vec(mutation(), 1..4),
                              pick in any::<u8>()) {
        let seeds = hostile();
        let (name, mut bytes) = seeds[which % seeds.len()].clone();
        for m in &muts {
            apply(&mut bytes, m);
        }
        exercise(name, &bytes, &opts(false, pick), 4096);
    }
}

fn float_type() -> impl Strategy<Value = FloatType> {
    prop::sample::select(vec![
        FloatType::F16,
        FloatType::BF16,
        FloatType::F32,
        FloatType::F64,
    ])
}

fn side() -> impl Strategy<Value = Option<SideTensor>> {
    prop::option::of(
        (
            0u8..10,
            any::<bool>(),
            0usize..6,
            0u64..80,
            0u64..80,
            float_type(),
            any::<bool>(),
        )
            .prop_map(|(bytes, signed, len, start, end, ft, int)| SideTensor {
                name: "t".into(),
                dtype: if int {
                    SideType::Int { bytes, signed }
                } else {
                    SideType::Float(ft)
                },
                len,
                start,
                end,
            }),
    )
}

proptest! {
    #![proptest_config(config(800))]

    /// FileLayout fields are public: an inconsistent hand-made layout is an error, not a panic.
    #[test]
    fn inconsistent_layouts(rows in prop_oneof![0usize..6, Just(usize::MAX), Just(1usize << 40)],
                            vocab in prop_oneof![0usize..6, Just(usize::MAX), Just(1usize << 40)],
                            ft in float_type(), big in any::<bool>(), fortran in any::<bool>(),
                            data_offset in prop_oneof![0u64..64, Just(u64::MAX - 3)],
                            tokens in side(), advantages in side(),
                            bytes in prop::collection::vec(any::<u8>(), 0..160)) {
        let l = FileLayout {
            format: BinaryFormat::Npy,
            dtype: ft,
            endian: if big { Endian::Big } else { Endian::Little },
            order: if fortran { Order::Fortran } else { Order::C },
            shape: vec![rows, vocab],
            rows,
            vocab,
            data_offset,
            file_len: bytes.len() as u64,
                        logits_name: None,
            tokens,
            advantages,
            tensors: vec![],
            warnings: vec![],
        };
        let _ = l.rows_per_chunk(1 << 20);
        exercise_layout(&l, &bytes);
        let mut out = Vec::new();
        let _ = decode_rows(&l, 0, &bytes, &mut out, &mut DecodeNotes::default());
        let _ = decode_all(&l, &bytes, &mut DecodeNotes::default());
        let _ = decode_tokens(&l, &bytes);
        let _ = decode_advantages(&l, &bytes);
    }
}
