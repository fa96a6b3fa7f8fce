//! .npy: dtypes, byte orders, header versions, Fortran order, bad headers and values.

use super::*;

#[test]
fn npy_f32_little_and_big_endian() {
    for (descr, payload) in [("<f4", f32s_le(&V6)), (">f4", f32s_be(&V6))] {
        let s = ok("a.npy", &npy(descr, false, "(2, 3)", &payload));
        assert_eq!((s.rows, s.vocab, s.format), (2, 3, Format::Npy));
        assert_eq!(s.logits, V6, "{descr}");
        assert_eq!(s.row(1), &[3.0, NEG, -0.5]);
        assert!(s.warnings.is_empty());
        assert_eq!(s.kind, SliceKind::Full);
    }
}

#[test]
fn npy_f64_both_endians_round_to_f32() {
    let v = [0.1f64, -1e-3, 2.0, f64::NEG_INFINITY, 1e10, -7.25];
    for payload in [f64s_le(&v), f64s_be(&v)] {
        let d = if payload == f64s_le(&v) { "<f8" } else { ">f8" };
        let s = ok("a.npy", &npy(d, false, "(3, 2)", &payload));
        assert_eq!(s.logits, [0.1f32, -0.001, 2.0, NEG, 1e10, -7.25]);
    }
}

#[test]
fn npy_f64_beyond_f32_is_shifted_and_huge_negative_is_masked() {
    // Row 1 = [1e300, 2]: shifted by 1e300, so 2 − 1e300 is below float32.
    let s = ok(
        "a.npy",
        &npy("<f8", false, "(2, 2)", &f64s_le(&[0.0, 1.0, 1e300, 2.0])),
    );
    assert_eq!(s.logits, [0.0, 1.0, 0.0, NEG]);
    let w = s.warnings.join(" ");
    assert!(
        w.contains("Row 1 of the float64 logits") && w.contains("1e300"),
        "{w}"
    );
    assert!(w.contains("row 1, column 1, 2"), "{w}");
    let s = ok(
        "a.npy",
        &npy("<f8", false, "(2,)", &f64s_le(&[-1e300, 2.0])),
    );
    assert_eq!(s.logits, [NEG, 2.0]);
    assert!(
        s.warnings[0].contains("row 0, column 0, -1e300"),
        "{:?}",
        s.warnings
    );
}

#[test]
fn npy_f16_known_bits_both_endians() {
    // 1.0, -2.0, -inf, 0.5, 65504 (max), 2^-24 (smallest subnormal)
    let bits = [0x3C00u16, 0xC000, 0xFC00, 0x3800, 0x7BFF, 0x0001];
    let want = [1.0f32, -2.0, NEG, 0.5, 65504.0, 5.960_464_5e-8];
    for (d, p) in [("<f2", u16s_le(&bits)), (">f2", u16s_be(&bits))] {
        let s = ok("h.npy", &npy(d, false, "(6,)", &p));
        assert_eq!(s.logits, want, "{d}");
        assert_eq!((s.rows, s.vocab), (1, 6));
    }
    let e = err(
        "h.npy",
        &npy("<f2", false, "(2,)", &u16s_le(&[0x3C00, 0x7C00])),
    );
    assert_eq!(e, ParseError::PositiveInfinity { row: 0, col: 1 });
    let e = err(
        "h.npy",
        &npy("<f2", false, "(2,)", &u16s_le(&[0x7E00, 0x3C00])),
    );
    assert_eq!(e, ParseError::NotANumber { row: 0, col: 0 });
}

#[test]
fn npy_v2_bfloat16_needs_confirmation() {
    // bf16: 0x3F80 = 1.0, 0xC000 = -2.0, 0xFF80 = -inf, 0x4049 = 3.140625, 0x3F81 = 1.0078125
    let bits = [0x3F80u16, 0xC000, 0xFF80, 0x4049, 0x3F81, 0x0000];
    let file = npy("|V2", false, "(2, 3)", &u16s_le(&bits));
    let e = err("b.npy", &file);
    assert_eq!(
        e,
        ParseError::ConfirmBf16 {
            dtype: "|V2".into()
        }
    );
    assert!(e.to_string().contains("Confirm"), "{e}");
    let opts = ParseOptions {
        confirm_bf16: true,
        ..Default::default()
    };
    let s = parse_any_with("b.npy", &file, &opts).unwrap();
    assert_eq!(s.logits, [1.0, -2.0, NEG, 3.140625, 1.0078125, 0.0]);
    assert_eq!(s.warnings.len(), 1);
    // '<V2' (how ml_dtypes' bfloat16 is saved) is the same.
    let s = parse_any_with("b.npy", &npy("<V2", false, "(6,)", &u16s_le(&bits)), &opts).unwrap();
    assert_eq!(s.logits[3], 3.140625);
}

#[test]
fn npy_header_versions_2_and_3() {
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    for v in [1, 2, 3] {
        let s = ok("a.npy", &npy_v(v, dict, &f32s_le(&V6)));
        assert_eq!(s.logits, V6, "version {v}");
    }
    // 3.0 is UTF-8: a non-ASCII extra key is fine; invalid UTF-8 is not.
    let utf8 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'note': 'héllo→', }";
    assert_eq!(ok("a.npy", &npy_v(3, utf8, &f32s_le(&V6))).logits, V6);
    let mut bad = npy_v(3, dict, &f32s_le(&V6));
    bad[14] = 0xFF;
    assert!(matches!(err("a.npy", &bad), ParseError::Header { .. }));
    let mut v4 = npy_v(2, dict, &f32s_le(&V6));
    v4[6] = 4;
    assert_eq!(
        err("a.npy", &v4),
        ParseError::UnsupportedNpyVersion { major: 4, minor: 0 }
    );
}

#[test]
fn npy_header_variants() {
    // Python 2 long suffix, double quotes, no trailing comma, keys in another order.
    let dict = "{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"<f4\"}";
    assert_eq!(ok("a.npy", &npy_v(1, dict, &f32s_le(&V6))).logits, V6);
    for (dict, what) in [
        ("{'descr': '<f4', 'shape': (6,), }", "fortran_order"),
        ("{'descr': '<f4', 'fortran_order': False, }", "shape"),
        ("{'fortran_order': False, 'shape': (6,), }", "descr"),
        (
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (6,), }",
            "True or False",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': [6], }",
            "tuple",
        ),
        ("not a dict", "unknown word"),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)",
            "'}'",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), } junk",
            "after",
        ),
    ] {
        let e = err("a.npy", &npy_v(1, dict, &f32s_le(&V6)));
        assert!(
            matches!(e, ParseError::Header { .. }) && e.to_string().contains(what),
            "{dict}: {e}"
        );
    }
}

#[test]
fn npy_fortran_order_is_transposed_and_not_streamable() {
    // 2 × 3 array [[1, 2, 3], [4, 5, 6]] stored column-major: 1 4 2 5 3 6.
    let file = npy("<f4", true, "(2, 3)", &f32s_le(&[1., 4., 2., 5., 3., 6.]));
    let s = ok("f.npy", &file);
    assert_eq!(s.logits, [1., 2., 3., 4., 5., 6.]);
    let l = layout_of(&file, &ParseOptions::default());
    assert_eq!(l.order, Order::Fortran);
    assert!(l.is_strided());
    let e = row_byte_range(&l, 0).unwrap_err();
    assert!(matches!(e, ParseError::StridedRows { values: 6, .. }));
    assert!(e.to_string().contains("ascontiguousarray"), "{e}");
    let mut out = Vec::new();
    assert!(decode_rows(
        &l,
        0,
        &file[l.data_offset as usize..],
        &mut out,
        &mut DecodeNotes::default()
    )
    .is_err());
    // A NaN is reported at its row and column, not its storage position.
    let file = npy(
        "<f4",
        true,
        "(2, 3)",
        &f32s_le(&[1., 4., 2., f32::NAN, 3., 6.]),
    );
    assert_eq!(
        err("f.npy", &file),
        ParseError::NotANumber { row: 1, col: 1 }
    );
    // One row in Fortran order is the same bytes as C order.
    let l = layout_of(
        &npy("<f4", true, "(1, 3)", &f32s_le(&[1., 2., 3.])),
        &ParseOptions::default(),
    );
    assert_eq!(l.order, Order::C);
}

#[test]
fn npy_fortran_over_the_limit_says_so() {
    let rows = 1usize << 13;
    let vocab = (FORTRAN_MAX_VALUES as usize / rows) + 1;
    let l = FileLayout {
        format: BinaryFormat::Npy,
        dtype: FloatType::F16,
        endian: Endian::Little,
        order: Order::Fortran,
        shape: vec![rows, vocab],
        rows,
        vocab,
        data_offset: 0,
        file_len: (rows * vocab * 2) as u64,
        logits_name: None,
        tokens: None,
        advantages: None,
        tensors: vec![],
        warnings: vec![],
    };
    let data = vec![0u8; rows * vocab * 2];
    let e = decode_all(&l, &data, &mut DecodeNotes::default()).unwrap_err();
    assert!(matches!(e, ParseError::FortranTooLarge { .. }));
    assert!(e.to_string().contains("67108864 values"), "{e}");
}

#[test]
fn npy_shapes() {
    // 1-D: one row; (1, 2, 3): leading 1 dropped, with a warning.
    let s = ok("a.npy", &npy("<f4", false, "(6,)", &f32s_le(&V6)));
    assert_eq!((s.rows, s.vocab), (1, 6));
    let s = ok("a.npy", &npy("<f4", false, "(1, 2, 3)", &f32s_le(&V6)));
    assert_eq!((s.rows, s.vocab), (2, 3));
    assert_eq!(s.warnings.len(), 1);
    let e = err("a.npy", &npy("<f4", false, "(2, 1, 3)", &f32s_le(&V6)));
    assert!(
        matches!(e, ParseError::Shape { .. }) && e.to_string().contains("reshape"),
        "{e}"
    );
    let e = err("a.npy", &npy("<f4", false, "()", &f32s_le(&[1.0])));
    assert!(
        matches!(e, ParseError::Shape { .. }) && e.to_string().contains("0-D"),
        "{e}"
    );
    let e = err("a.npy", &npy("<f4", false, "(0, 5)", &[]));
    assert!(matches!(e, ParseError::NoValues { .. }), "{e}");
}

#[test]
fn npy_truncated_and_too_long_data() {
    let file = npy("<f4", false, "(2, 3)", &f32s_le(&V6));
    let off = file.len() - 24;
    let e = err("a.npy", &file[..file.len() - 4]);
    assert_eq!(
        e,
        ParseError::Truncated {
            what: "the data for shape [2, 3] of float32".into(),
            expected: (off + 24) as u64,
            present: (off + 20) as u64,
        }
    );
    assert!(e.to_string().contains("4 missing"), "{e}");
    let mut long = file.clone();
    long.extend_from_slice(&[0; 8]);
    let e = err("a.npy", &long);
    assert!(
        matches!(
            e,
            ParseError::ShapeMismatch {
                expected: 24,
                present: 32,
                ..
            }
        ),
        "{e:?}"
    );
    // Cut inside the header.
    assert!(matches!(
        err("a.npy", &file[..20]),
        ParseError::Truncated { .. }
    ));
    assert!(matches!(
        err("a.npy", &file[..8]),
        ParseError::Truncated { .. }
    ));
}

#[test]
fn npy_unsupported_dtypes_name_the_dtype_and_the_fix() {
    for (descr, needle) in [
        ("<i8", "astype(np.float32)"),
        ("|i1", "integer"),
        ("<u2", "unsigned"),
        ("|b1", "boolean"),
        ("<c8", "x.real"),
        ("|O", "pickle"),
        ("<U4", "text"),
        ("<f16", "float64"),
        ("|V4", "raw bytes"),
        ("<M8[ns]", "date"),
    ] {
        let e = err("a.npy", &npy(descr, false, "(2,)", &[0; 8]));
        let msg = e.to_string();
        assert!(
            matches!(e, ParseError::UnsupportedDtype { .. })
                && msg.contains(descr)
                && msg.contains(needle),
            "{descr}: {msg}"
        );
    }
    let dict = "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }";
    let e = err("a.npy", &npy_v(1, dict, &[0; 8]));
    assert!(e.to_string().contains("structured"), "{e}");
}

#[test]
fn npy_bad_values_name_row_and_column() {
    let e = err(
        "a.npy",
        &npy(
            "<f4",
            false,
            "(2, 3)",
            &f32s_le(&[0., 1., 2., 3., f32::NAN, 5.]),
        ),
    );
    assert_eq!(e, ParseError::NotANumber { row: 1, col: 1 });
    assert!(e.to_string().contains("Row 1, column 1"), "{e}");
    let e = err(
        "a.npy",
        &npy(
            "<f4",
            false,
            "(2, 3)",
            &f32s_le(&[0., 1., f32::INFINITY, 3., 4., 5.]),
        ),
    );
    assert_eq!(e, ParseError::PositiveInfinity { row: 0, col: 2 });
    let e = err(
        "a.npy",
        &npy(
            "<f4",
            false,
            "(2, 3)",
            &f32s_le(&[0., 1., 2., NEG, NEG, NEG]),
        ),
    );
    assert_eq!(e, ParseError::AllMasked { row: 1 });
}
