//! .safetensors: tensor choice, side tensors, bad headers.

use super::*;

fn i64s(v: &[i64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn safetensors_logits_tokens_advantages() {
    let file = st(&[
        ("logits", "F32", &[2, 3], f32s_le(&V6)),
        ("tokens", "I64", &[2], i64s(&[2, 0])),
        ("advantages", "F32", &[2], f32s_le(&[0.5, -1.0])),
    ]);
    let s = ok("s.safetensors", &file);
    assert_eq!((s.rows, s.vocab, s.format), (2, 3, Format::Safetensors));
    assert_eq!(s.logits, V6);
    assert_eq!(s.tokens, Some(vec![2, 0]));
    assert_eq!(s.advantages, Some(vec![0.5, -1.0]));
    let l = layout_of(&file, &ParseOptions::default());
    assert_eq!(l.logits_name.as_deref(), Some("logits"));
    assert_eq!(l.tensors.len(), 3);
    assert_eq!(l.tensors[1].dtype, "I64");
    let t = l.tokens.as_ref().unwrap();
    assert_eq!((t.end - t.start, t.len), (16, 2));
    assert_eq!(
        decode_tokens(&l, &file[t.start as usize..t.end as usize]).unwrap(),
        [2, 0]
    );
    // Skip the tokens when asked.
    let o = ParseOptions {
        tokens_tensor: TensorPick::Skip,
        ..Default::default()
    };
    assert_eq!(parse_any_with("s", &file, &o).unwrap().tokens, None);
}

#[test]
fn safetensors_half_and_double_logits() {
    let bf = st(&[(
        "logits",
        "BF16",
        &[2, 2],
        u16s_le(&[0x3F80, 0xC000, 0xFF80, 0x4049]),
    )]);
    assert_eq!(ok("s", &bf).logits, [1.0, -2.0, NEG, 3.140625]);
    let h = st(&[(
        "logits",
        "F16",
        &[4],
        u16s_le(&[0x3C00, 0xC000, 0xFC00, 0x3800]),
    )]);
    assert_eq!(ok("s", &h).logits, [1.0, -2.0, NEG, 0.5]);
    let d = st(&[(
        "x",
        "F64",
        &[1, 2, 2],
        f64s_le(&[0.25, -0.125, 8.0, -1e300]),
    )]);
    let s = ok("s", &d);
    assert_eq!((s.rows, s.vocab), (2, 2));
    assert_eq!(s.logits, [0.25, -0.125, 8.0, NEG]);
}

/// The role a `WrongTensorKind` error names.
fn wrong_role(e: &ParseError) -> Option<&'static str> {
    match e {
        ParseError::WrongTensorKind { role, .. } => Some(role),
        _ => None,
    }
}

#[test]
fn safetensors_tensor_choice() {
    let file = st(&[
        ("a", "F32", &[1, 2], f32s_le(&[1.0, 2.0])),
        ("b", "F16", &[1, 3], u16s_le(&[0x3C00, 0x3C00, 0x3C00])),
        ("ids", "I32", &[1], vec![0, 0, 0, 0]),
    ]);
    let e = err("s", &file);
    assert_eq!(e.candidates().unwrap(), ["a".to_string(), "b".to_string()]);
    assert!(e.to_string().contains("\"a\", \"b\""), "{e}");
    let pick = |name: &str| ParseOptions {
        logits_tensor: Some(name.into()),
        ..Default::default()
    };
    assert_eq!(parse_any_with("s", &file, &pick("b")).unwrap().vocab, 3);
    let listed = layout_of(&file, &pick("b")).tensors;
    assert_eq!(listed.len(), 3);
    assert_eq!(
        (listed[1].name.as_str(), listed[1].dtype.as_str()),
        ("b", "F16")
    );
    assert_eq!(listed[1].shape, [1, 3]);
    assert_eq!(listed[1].end - listed[1].start, 6);
    let e = parse_any_with("s", &file, &pick("nope")).unwrap_err();
    assert!(
        matches!(&e, ParseError::TensorNotFound { available, .. } if available.len() == 3),
        "{e}"
    );
    let e = parse_any_with("s", &file, &pick("ids")).unwrap_err();
    assert_eq!(wrong_role(&e), Some("the logits"), "{e}");
    // The logits tensor picked again as the token ids or the advantages.
    for (tokens, advantages, role) in [
        ("a", "", "the token ids (it is already the logits)"),
        ("", "a", "the advantages (it is already the logits)"),
    ] {
        let named = |n: &str| match n {
            "" => TensorPick::Skip,
            n => TensorPick::Named(n.into()),
        };
        let o = ParseOptions {
            logits_tensor: Some("a".into()),
            tokens_tensor: named(tokens),
            advantages_tensor: named(advantages),
            ..Default::default()
        };
        let e = parse_any_with("s", &file, &o).unwrap_err();
        assert_eq!(wrong_role(&e), Some(role), "{e}");
        assert!(e.to_string().starts_with("Tensor \"a\""), "{e}");
    }
    // Picked tokens tensor.
    let o = ParseOptions {
        logits_tensor: Some("a".into()),
        tokens_tensor: TensorPick::Named("ids".into()),
        ..Default::default()
    };
    assert_eq!(
        parse_any_with("s", &file, &o).unwrap().tokens,
        Some(vec![0])
    );
    // A tensor named "logits" wins; advantages never count as logits candidates.
    let file = st(&[
        ("hidden", "F32", &[2], f32s_le(&[1.0, 2.0])),
        ("logits", "F32", &[3], f32s_le(&[1.0, 2.0, 3.0])),
        ("advantages", "F32", &[], f32s_le(&[0.25])),
    ]);
    let s = ok("s", &file);
    assert_eq!((s.vocab, s.advantages), (3, Some(vec![0.25])));
    let file = st(&[
        ("scores", "F32", &[2, 2], f32s_le(&[1.0, 2.0, 3.0, 4.0])),
        ("advantages", "F32", &[1], f32s_le(&[0.25])),
    ]);
    assert_eq!(ok("s", &file).advantages, Some(vec![0.25, 0.25]));
    let file = st(&[("ids", "I64", &[2], i64s(&[1, 2]))]);
    assert!(matches!(err("s", &file), ParseError::NoFloatTensor { .. }));
    let file = st(&[("logits", "F8_E4M3", &[2], vec![0, 0])]);
    assert!(err("s", &file).to_string().contains("F8_E4M3"));
}

#[test]
fn safetensors_bad_side_tensors() {
    let logits = ("logits", "F32", &[2usize, 3][..], f32s_le(&V6));
    let e = err(
        "s",
        &st(&[logits.clone(), ("tokens", "I64", &[2], i64s(&[1, 3]))]),
    );
    assert_eq!(
        e,
        ParseError::TokenOutOfRange {
            row: 1,
            token: 3,
            vocab: 3
        }
    );
    let e = err(
        "s",
        &st(&[logits.clone(), ("tokens", "I64", &[2], i64s(&[-1, 0]))]),
    );
    assert_eq!(
        e,
        ParseError::BadToken {
            row: 0,
            value: "-1".into()
        }
    );
    let e = err(
        "s",
        &st(&[logits.clone(), ("input_ids", "U8", &[3], vec![0, 1, 2])]),
    );
    assert!(
        matches!(
            e,
            ParseError::SideTensorLength {
                len: 3,
                rows: 2,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("input_ids"), "{e}");
    let e = err(
        "s",
        &st(&[
            logits.clone(),
            ("tokens", "F32", &[2], f32s_le(&[0.0, 1.0])),
        ]),
    );
    assert_eq!(wrong_role(&e), Some("the token ids"), "{e}");
    let e = err(
        "s",
        &st(&[
            logits.clone(),
            ("advantages", "F32", &[3], f32s_le(&[0.; 3])),
        ]),
    );
    assert!(
        matches!(
            e,
            ParseError::SideTensorLength {
                len: 3,
                rows: 2,
                ..
            }
        ),
        "{e}"
    );
    let e = err(
        "s",
        &st(&[
            logits.clone(),
            ("advantages", "F32", &[2], f32s_le(&[0.0, f32::NAN])),
        ]),
    );
    assert!(
        matches!(e, ParseError::AdvantageNotFinite { row: 1, .. }),
        "{e}"
    );
    let e = err(
        "s",
        &st(&[logits.clone(), ("advantages", "I64", &[2], i64s(&[1, 2]))]),
    );
    assert_eq!(wrong_role(&e), Some("the advantages"), "{e}");
    // U16 and I32 token ids.
    let s = ok(
        "s",
        &st(&[
            logits.clone(),
            ("token_ids", "U16", &[2, 1], u16s_le(&[2, 1])),
        ]),
    );
    assert_eq!(s.tokens, Some(vec![2, 1]));
}

#[test]
fn safetensors_bad_headers_and_data() {
    let good = st(&[("logits", "F32", &[2, 3], f32s_le(&V6))]);
    let e = err("s.safetensors", &good[..good.len() - 4]);
    assert!(matches!(e, ParseError::Truncated { .. }), "{e}");
    let mut long = good.clone();
    long.extend_from_slice(&[0; 4]);
    assert!(matches!(err("s", &long), ParseError::ShapeMismatch { .. }));
    // Offsets that do not tile the data, sizes that do not match the shape.
    for header in [
        r#"{"logits":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]}}"#,
        r#"{"logits":{"dtype":"F32","shape":[2,2],"data_offsets":[0,24]}}"#,
        r#"{"logits":{"dtype":"F33","shape":[2,3],"data_offsets":[0,24]}}"#,
        r#"{"logits":{"dtype":"F32","shape":[2,3]}}"#,
        r#"{"logits":[1,2,3]}"#,
    ] {
        let e = err("s", &st_raw(header, &f32s_le(&V6)));
        assert!(matches!(e, ParseError::Header { .. }), "{header}: {e}");
    }
    // Header length past the end of the file.
    let mut f = good.clone();
    f[..8].copy_from_slice(&1000u64.to_le_bytes());
    assert!(matches!(err("s", &f), ParseError::Truncated { .. }));
    // A .safetensors name on bytes that are not one.
    let e = err("x.safetensors", b"hello world");
    assert!(matches!(e, ParseError::BadMagic { .. }), "{e}");
}
