//! Unit tests on hand-built byte buffers: every format, every refusal.
//! Expected values are written out by hand (known bit patterns), not
//! computed with the code under test.

use super::*;

const NEG: f32 = f32::NEG_INFINITY;

// ------------------------------------------------------------ builders

/// A .npy file: header dict text, version, payload.
fn npy_v(version: u8, dict: &str, payload: &[u8]) -> Vec<u8> {
    let mut header = dict.as_bytes().to_vec();
    header.push(b'\n');
    let mut out = b"\x93NUMPY".to_vec();
    out.push(version);
    out.push(0);
    if version == 1 {
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(&header);
    out.extend_from_slice(payload);
    out
}

fn npy(descr: &str, fortran: bool, shape: &str, payload: &[u8]) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    npy_v(1, &dict, payload)
}

fn f32s_le(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
fn f32s_be(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}
fn f64s_le(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
fn f64s_be(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}
fn u16s_le(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
fn u16s_be(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

/// A .safetensors file from (name, dtype, shape, bytes), in this order.
fn st(tensors: &[(&str, &str, &[usize], Vec<u8>)]) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut offset = 0;
    for (name, dtype, shape, raw) in tensors {
        let shape: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        entries.push(format!(
            "\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{}],\"data_offsets\":[{offset},{}]}}",
            shape.join(","),
            offset + raw.len()
        ));
        offset += raw.len();
    }
    let header = format!(
        "{{\"__metadata__\":{{\"format\":\"pt\"}},{}}}",
        entries.join(",")
    );
    st_raw(
        &header,
        &tensors
            .iter()
            .flat_map(|t| t.3.clone())
            .collect::<Vec<u8>>(),
    )
}

fn st_raw(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn parse(name: &str, bytes: &[u8]) -> Result<Slice, ParseError> {
    parse_any(name, bytes)
}

fn ok(name: &str, bytes: &[u8]) -> Slice {
    parse(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn err(name: &str, bytes: &[u8]) -> ParseError {
    match parse(name, bytes) {
        Ok(s) => panic!("{name}: expected an error, got {s:?}"),
        Err(e) => e,
    }
}

fn layout_of(bytes: &[u8], opts: &ParseOptions) -> Layout {
    match read_header("x", bytes, bytes.len() as u64, opts).unwrap() {
        Header::Ready(l) => *l,
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------ .npy

const V6: [f32; 6] = [1.5, -2.25, 0.0, 3.0, NEG, -0.5];

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
fn npy_f64_too_large_for_f32_is_positive_infinity_but_huge_negative_is_masked() {
    let e = err(
        "a.npy",
        &npy("<f8", false, "(2, 2)", &f64s_le(&[0.0, 1.0, 1e300, 2.0])),
    );
    assert_eq!(e, ParseError::PositiveInfinity { row: 1, col: 0 });
    assert!(e.to_string().contains("too large for float32"), "{e}");
    let s = ok(
        "a.npy",
        &npy("<f8", false, "(2,)", &f64s_le(&[-1e300, 2.0])),
    );
    assert_eq!(s.logits, [NEG, 2.0]);
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
    assert!(decode_rows(&l, 0, &file[l.data_offset as usize..], &mut out).is_err());
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
    let l = Layout {
        format: BinaryFormat::Npy,
        dtype: FloatType::F16,
        endian: Endian::Little,
        order: Order::Fortran,
        shape: vec![rows, vocab],
        rows,
        vocab,
        data_offset: 0,
        file_len: (rows * vocab * 2) as u64,
        header_len: 0,
        logits_name: None,
        tokens: None,
        advantages: None,
        tensors: vec![],
        warnings: vec![],
    };
    let data = vec![0u8; rows * vocab * 2];
    let e = decode_all(&l, &data).unwrap_err();
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

// ------------------------------------------------------------ streaming

#[test]
fn header_asks_for_more_bytes_until_it_has_them() {
    let file = npy_v(
        2,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
        &f32s_le(&V6),
    );
    let len = file.len() as u64;
    let o = ParseOptions::default();
    assert_eq!(
        read_header("a.npy", &file[..4], len, &o).unwrap(),
        Header::NeedBytes(9)
    );
    assert_eq!(
        read_header("a.npy", &file[..9], len, &o).unwrap(),
        Header::NeedBytes(12)
    );
    let data_offset = len - 24;
    assert_eq!(
        read_header("a.npy", &file[..12], len, &o).unwrap(),
        Header::NeedBytes(data_offset)
    );
    let Header::Ready(l) = read_header("a.npy", &file[..data_offset as usize], len, &o).unwrap()
    else {
        panic!()
    };
    assert_eq!((l.rows, l.vocab, l.data_offset), (2, 3, data_offset));
    assert_eq!(l.data_range(), (data_offset, len));
    assert_eq!(row_byte_range(&l, 1).unwrap(), (data_offset + 12, len));
    assert!(matches!(
        row_byte_range(&l, 2),
        Err(ParseError::RowOutOfRange { row: 2, rows: 2 })
    ));

    let st_file = st(&[("logits", "F32", &[2, 3], f32s_le(&V6))]);
    let n = u64::from_le_bytes(st_file[..8].try_into().unwrap());
    assert_eq!(
        read_header("s", &st_file[..8], st_file.len() as u64, &o).unwrap(),
        Header::NeedBytes(9)
    );
    assert_eq!(
        read_header("s", &st_file[..20], st_file.len() as u64, &o).unwrap(),
        Header::NeedBytes(8 + n)
    );
}

#[test]
fn streamed_rows_in_any_chunking_equal_the_whole_decode() {
    // 7 rows × 5, distinct values, one masked per row.
    let v: Vec<f32> = (0..35)
        .map(|i| {
            if i % 6 == 0 {
                NEG
            } else {
                i as f32 * 0.25 - 3.0
            }
        })
        .collect();
    for (descr, bytes) in [
        ("<f4", f32s_le(&v)),
        (">f4", f32s_be(&v)),
        (
            "<f8",
            f64s_le(&v.iter().map(|&x| x as f64).collect::<Vec<_>>()),
        ),
    ] {
        let file = npy(descr, false, "(7, 5)", &bytes);
        let l = layout_of(&file, &ParseOptions::default());
        let whole = decode_all(&l, &file[l.data_offset as usize..]).unwrap();
        assert_eq!(whole, v);
        for splits in [
            vec![7],
            vec![1, 6],
            vec![3, 3, 1],
            vec![1; 7],
            vec![2, 0, 5],
        ] {
            let mut out = Vec::new();
            let mut row = 0;
            for n in splits {
                let (start, _) = if row < 7 {
                    row_byte_range(&l, row).unwrap()
                } else {
                    (l.data_range().1, 0)
                };
                let end = start + n as u64 * l.row_bytes();
                let got =
                    decode_rows(&l, row, &file[start as usize..end as usize], &mut out).unwrap();
                assert_eq!(got, n);
                row += n;
            }
            assert_eq!(out, whole, "{descr}");
        }
        // Reopen row 4 alone.
        let (a, b) = row_byte_range(&l, 4).unwrap();
        let mut out = Vec::new();
        decode_rows(&l, 4, &file[a as usize..b as usize], &mut out).unwrap();
        assert_eq!(out, &v[20..25]);
        // Not whole rows, and rows past the end.
        let mut out = Vec::new();
        assert!(matches!(
            decode_rows(&l, 0, &file[a as usize..b as usize - 1], &mut out),
            Err(ParseError::Chunk { .. })
        ));
        assert!(matches!(
            decode_rows(
                &l,
                6,
                &file[a as usize..a as usize + 2 * l.row_bytes() as usize],
                &mut out
            ),
            Err(ParseError::Chunk { .. })
        ));
        // A bad value in a chunk is named with its row in the file.
        assert_eq!(l.rows_per_chunk(3 * l.row_bytes() + 1), 3);
    }
    let mut bad = v.clone();
    bad[5 * 5 + 3] = f32::NAN;
    let file = npy("<f4", false, "(7, 5)", &f32s_le(&bad));
    let l = layout_of(&file, &ParseOptions::default());
    let (a, b) = (row_byte_range(&l, 4).unwrap().0, l.data_range().1);
    let mut out = vec![];
    assert_eq!(
        decode_rows(&l, 4, &file[a as usize..b as usize], &mut out),
        Err(ParseError::NotANumber { row: 5, col: 3 })
    );
}

#[test]
fn size_limits_are_stated() {
    let file = npy("<f4", false, "(2, 3)", &f32s_le(&V6));
    let o = ParseOptions::default();
    let e = read_header("a.npy", &file, 5 << 30, &o).unwrap_err();
    assert!(matches!(e, ParseError::TooLarge { limit, .. } if limit == BINARY_MAX_BYTES));
    assert!(e.to_string().contains("4 GiB"), "{e}");
    let e = read_header("a.json", b"[[1, 2], [3, 4]]", 300 << 20, &o).unwrap_err();
    assert!(e.to_string().contains("256 MiB"), "{e}");
    assert_eq!(
        read_header("a.json", b"[[1, 2], [3, 4]]", 16, &o).unwrap(),
        Header::Text(Format::Json)
    );
    assert_eq!(
        read_header("a.csv", b"1,2\n3,4\n", 8, &o).unwrap(),
        Header::Text(Format::Csv)
    );
}

// ------------------------------------------------------------ .safetensors

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
    let TensorList::Ready(listed) = list_tensors(&file, file.len() as u64).unwrap() else {
        panic!()
    };
    assert_eq!(listed.len(), 3);
    assert_eq!(
        (listed[1].name.as_str(), listed[1].dtype.as_str()),
        ("b", "F16")
    );
    assert_eq!(listed[1].shape, [1, 3]);
    assert_eq!(listed[1].end - listed[1].start, 6);
    let n = u64::from_le_bytes(file[..8].try_into().unwrap());
    assert_eq!(
        list_tensors(&file[..12], file.len() as u64).unwrap(),
        TensorList::NeedBytes(8 + n)
    );
    assert!(list_tensors(b"[1, 2, 3, 4]", 12).is_err());
    let e = parse_any_with("s", &file, &pick("nope")).unwrap_err();
    assert!(
        matches!(&e, ParseError::TensorNotFound { available, .. } if available.len() == 3),
        "{e}"
    );
    let e = parse_any_with("s", &file, &pick("ids")).unwrap_err();
    assert!(matches!(e, ParseError::WrongTensorKind { .. }), "{e}");
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
    assert!(matches!(e, ParseError::WrongTensorKind { .. }), "{e}");
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
    assert!(matches!(e, ParseError::WrongTensorKind { .. }), "{e}");
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

// ------------------------------------------------------------ JSON

#[test]
fn json_arrays() {
    let s = ok("a.json", b" [1, -2.5, 3e-1] ");
    assert_eq!((s.rows, s.vocab, s.format), (1, 3, Format::Json));
    assert_eq!(s.logits, [1.0, -2.5, 0.3]);
    let s = ok("a.json", b"[[1, 2], [3, 4], [5, 6]]");
    assert_eq!((s.rows, s.vocab), (3, 2));
    assert_eq!(s.logits, [1., 2., 3., 4., 5., 6.]);
    let e = err("a.json", b"[[1, 2], [3, 4], [5]]");
    assert_eq!(
        e,
        ParseError::Ragged {
            format: "JSON",
            row: 2,
            len: 1,
            expected: 2,
            line: None
        }
    );
    assert!(
        e.to_string()
            .contains("row 2 has 1 value, but row 0 has 2 values"),
        "{e}"
    );
    assert!(matches!(err("a.json", b"[]"), ParseError::NoValues { .. }));
    assert!(matches!(
        err("a.json", b"[[], []]"),
        ParseError::NoValues { .. }
    ));
}

#[test]
fn json_special_numbers() {
    // null and "-inf" are masked tokens; null is counted in a warning.
    let s = ok("a.json", br#"[[1, null, "-inf"], [0, "-Infinity", 2]]"#);
    assert_eq!(s.logits, [1., NEG, NEG, 0., NEG, 2.]);
    assert!(s.warnings[0].contains("1 null"), "{:?}", s.warnings);
    // Python's json.dumps literals.
    let s = ok("a.json", b"[[1, -Infinity], [2, 3]]");
    assert_eq!(s.logits, [1., NEG, 2., 3.]);
    assert_eq!(
        err("a.json", b"[[1, 2], [NaN, 3]]"),
        ParseError::NotANumber { row: 1, col: 0 }
    );
    assert_eq!(
        err("a.json", b"[0, Infinity]"),
        ParseError::PositiveInfinity { row: 0, col: 1 }
    );
    assert_eq!(
        err("a.json", br#"[0, "nan"]"#),
        ParseError::NotANumber { row: 0, col: 1 }
    );
    assert_eq!(
        err("a.json", b"[0, 1e39]"),
        ParseError::PositiveInfinity { row: 0, col: 1 }
    );
    assert_eq!(
        err("a.json", b"[[null, null]]"),
        ParseError::AllMasked { row: 0 }
    );
    // Not numbers.
    let e = err("a.json", b"[[1, 2], [3, true]]");
    assert!(
        matches!(e, ParseError::BadValue { row: 1, col: 1, .. }),
        "{e:?}"
    );
    let e = err("a.json", br#"[1, "x"]"#);
    assert!(
        matches!(e, ParseError::BadValue { row: 0, col: 1, .. }),
        "{e:?}"
    );
}

#[test]
fn json_object_with_tokens_and_advantages() {
    let s = ok(
        "a.json",
        br#"{"logits": [[1, 2, 3], [4, 5, 6]], "tokens": [2, 0], "advantages": 0.5, "note": "x"}"#,
    );
    assert_eq!(s.tokens, Some(vec![2, 0]));
    assert_eq!(s.advantages, Some(vec![0.5, 0.5]));
    let s = ok(
        "a.json",
        br#"{"advantages": [1, -1], "logits": [[1, 2], [3, 4]]}"#,
    );
    assert_eq!(s.advantages, Some(vec![1.0, -1.0]));
    let s = ok("a.json", br#"{"logits": [1, 2, 3], "tokens": 1}"#);
    assert_eq!(s.tokens, Some(vec![1]));
    assert_eq!(
        err(
            "a.json",
            br#"{"logits": [[1, 2], [3, 4]], "advantages": [1, 2, 3]}"#
        ),
        ParseError::AdvantagesLength { len: 3, rows: 2 }
    );
    assert!(matches!(
        err(
            "a.json",
            br#"{"logits": [[1, 2], [3, 4]], "advantages": [1, null]}"#
        ),
        ParseError::AdvantageNotFinite { row: 1, .. }
    ));
    assert_eq!(
        err("a.json", br#"{"logits": [[1, 2], [3, 4]], "tokens": [1]}"#),
        ParseError::TokensLength { len: 1, rows: 2 }
    );
    assert_eq!(
        err(
            "a.json",
            br#"{"logits": [[1, 2], [3, 4]], "tokens": [1, 2]}"#
        ),
        ParseError::TokenOutOfRange {
            row: 1,
            token: 2,
            vocab: 2
        }
    );
    for t in ["-1", "0.5", "\"a\""] {
        let json = format!(r#"{{"logits": [[1, 2], [3, 4]], "tokens": [0, {t}]}}"#);
        assert!(matches!(
            err("a.json", json.as_bytes()),
            ParseError::BadToken { row: 1, .. }
        ));
    }
}

#[test]
fn json_shapes_we_do_not_read() {
    for (json, needle) in [
        (&br#"{"foo": 1, "bar": [1]}"#[..], "\"foo\", \"bar\""),
        (b"42", "a single number"),
        (b"{}", "an empty object"),
        (br#"{"tokens": [1, 2]}"#, "\"tokens\""),
        (b"[1, [2]]", "mixing numbers and arrays"),
        (b"[[1], 2]", "mixing arrays and numbers"),
    ] {
        let e = err("a.json", json);
        assert!(matches!(e, ParseError::JsonShape { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains(needle) && msg.contains("Accepted"), "{msg}");
    }
    let e = err("a.json", b"[[[1, 2]], [[3, 4]]]");
    assert!(matches!(e, ParseError::Shape { .. }), "{e:?}");
    let e = err("a.json", br#"{"logits": [[1, 2], {"a": 1}]}"#);
    assert!(matches!(e, ParseError::JsonShape { .. }), "{e:?}");
}

#[test]
fn json_syntax_errors_have_a_position() {
    let e = err("a.json", b"[[1, 2],\n [3, 4,]]");
    assert!(matches!(e, ParseError::Json { line: 2, .. }), "{e:?}");
    let e = err("a.json", b"[[1, 2], [3, 4]");
    assert!(e.to_string().contains("cut off"), "{e}");
    let e = err("a.json", b"[1, 2] x");
    assert!(matches!(e, ParseError::Json { .. }), "{e:?}");
}

fn chat_entry(token: &str, lp: f64, top: &[(&str, f64)]) -> String {
    let top: Vec<String> = top
        .iter()
        .map(|(t, l)| format!(r#"{{"token": "{t}", "logprob": {l}, "bytes": [1]}}"#))
        .collect();
    format!(
        r#"{{"token": "{token}", "logprob": {lp}, "bytes": null, "top_logprobs": [{}]}}"#,
        top.join(", ")
    )
}

#[test]
fn json_openai_chat_top_logprobs() {
    let ln = f64::ln;
    let c = [
        chat_entry(
            "a",
            ln(0.5),
            &[("a", ln(0.5)), ("b", ln(0.25)), ("c", ln(0.125))],
        ),
        // sampled token "z" is not in the top list: appended.
        chat_entry("z", ln(0.0625), &[("x", ln(0.5)), ("y", ln(0.25))]),
        // sampled second; the list comes unsorted.
        chat_entry(
            "NaN",
            ln(0.25),
            &[("q", ln(0.125)), ("NaN", ln(0.25)), ("r", ln(0.5))],
        ),
    ];
    let json = format!(
        r#"{{"id": "x", "choices": [{{"index": 0, "message": {{}}, "logprobs": {{"content": [{}]}}}}]}}"#,
        c.join(", ")
    );
    let s = ok("chat.json", json.as_bytes());
    assert_eq!((s.rows, s.vocab), (3, 3));
    assert_eq!(s.tokens, Some(vec![0, 2, 1]));
    let SliceKind::TopLogprobs(t) = &s.kind else {
        panic!()
    };
    assert_eq!(t.listed, [3, 3, 3]);
    assert_eq!(t.sampled_appended, [false, true, false]);
    assert_eq!(t.listed_mass, [0.875, 0.8125, 0.875]);
    assert_eq!(t.tail_mass(1), 0.1875);
    assert_eq!(t.labels[2], ["r", "NaN", "q"]);
    assert_eq!(t.labels[1], ["x", "y", "z"]);
    assert_eq!(
        s.row(2),
        &[ln(0.5) as f32, ln(0.25) as f32, ln(0.125) as f32]
    );
    assert!(s.is_truncated());
    assert!(s.warnings.iter().any(|w| w.contains("truncated")));
    // The same content list alone, and the logprobs object alone.
    let alone = format!("[{}]", c.join(", "));
    assert_eq!(ok("c.json", alone.as_bytes()).logits, s.logits);
    let obj = format!(r#"{{"content": [{}]}}"#, c.join(", "));
    assert_eq!(ok("c.json", obj.as_bytes()).logits, s.logits);
    // Rows of different lengths are padded with -inf.
    let c2 = [
        chat_entry("a", -0.1, &[("a", -0.1)]),
        chat_entry("b", -1.0, &[("b", -1.0), ("c", -2.0)]),
    ];
    let s = ok("c.json", format!("[{}]", c2.join(",")).as_bytes());
    assert_eq!(s.row(0), &[-0.1f32, NEG]);
    // Two choices in a row.
    let json = format!(
        r#"{{"choices": [{{"logprobs": {{"content": [{}]}}}}, {{"logprobs": {{"content": [{}]}}}}]}}"#,
        c[0], c[1]
    );
    let s = ok("c.json", json.as_bytes());
    let SliceKind::TopLogprobs(t) = &s.kind else {
        panic!()
    };
    assert_eq!(t.choice, [0, 1]);
}

#[test]
fn json_openai_completions_top_logprobs() {
    let json = br#"{"object": "text_completion", "choices": [{"index": 0, "text": "ab",
        "logprobs": {"text_offset": [0, 0, 1],
                     "tokens": ["<s>", "a", "b"],
                     "token_logprobs": [null, -0.5, -3.0],
                     "top_logprobs": [null, {"b": -1.5, "a": -0.5}, {"a": -0.25, "c": -2.5}]}}]}"#;
    let s = ok("comp.json", json);
    assert_eq!((s.rows, s.vocab), (2, 3));
    assert_eq!(s.tokens, Some(vec![0, 2]));
    assert_eq!(s.logits, [-0.5, -1.5, NEG, -0.25, -2.5, -3.0]);
    let SliceKind::TopLogprobs(t) = &s.kind else {
        panic!()
    };
    assert_eq!(t.listed, [2, 3]);
    assert_eq!(t.labels[1], ["a", "c", "b"]);
    assert!((t.listed_mass[0] - ((-0.5f64).exp() + (-1.5f64).exp())).abs() < 1e-15);
    assert!(s
        .warnings
        .iter()
        .any(|w| w.contains("1 positions without a logprob")));
    // Mismatched lengths, and a response without logprobs.
    let bad = br#"{"choices": [{"logprobs": {"tokens": ["a"], "token_logprobs": [-1, -2], "top_logprobs": [null]}}]}"#;
    assert!(matches!(err("c.json", bad), ParseError::JsonShape { .. }));
    let none = br#"{"choices": [{"index": 0, "logprobs": null, "text": "a"}]}"#;
    let e = err("c.json", none);
    assert!(e.to_string().contains("top_logprobs"), "{e}");
}

#[test]
fn json_openai_bad_logprobs() {
    let pos = format!("[{}]", chat_entry("a", 0.5, &[("a", 0.5)]));
    let e = err("c.json", pos.as_bytes());
    assert!(
        matches!(e, ParseError::TopLogprobs { row: 0, .. }) && e.to_string().contains("logits"),
        "{e}"
    );
    let nan = r#"[{"token": "a", "logprob": NaN, "top_logprobs": []}]"#;
    assert!(err("c.json", nan.as_bytes()).to_string().contains("NaN"));
    let masked = r#"[{"token": "a", "logprob": null, "top_logprobs": []}]"#;
    assert_eq!(
        err("c.json", masked.as_bytes()),
        ParseError::AllMasked { row: 0 }
    );
    let missing = r#"[{"logprob": -1, "top_logprobs": []}]"#;
    assert!(matches!(
        err("c.json", missing.as_bytes()),
        ParseError::TopLogprobs { row: 0, .. }
    ));
}

// ------------------------------------------------------------ CSV

#[test]
fn csv_basic_forms() {
    let s = ok("a.csv", b"1, 2 ,3\n-4,5,-inf\n");
    assert_eq!((s.rows, s.vocab, s.format), (2, 3, Format::Csv));
    assert_eq!(s.logits, [1., 2., 3., -4., 5., NEG]);
    // BOM, CRLF, a header, comments, blank lines, -Infinity.
    let s = ok(
        "a.csv",
        b"\xEF\xBB\xBFtok0,tok1\r\n# comment\r\n0.5,-Infinity\r\n\r\n1.5,2\r\n",
    );
    assert_eq!(s.logits, [0.5, NEG, 1.5, 2.0]);
    assert!(s.warnings[0].contains("tok0,tok1"), "{:?}", s.warnings);
    // np.savetxt default: space-separated, %.18e.
    let s = ok(
        "a.txt",
        b"1.000000000000000000e+00 -2.500000000000000000e+00\n3.0 4.0\n",
    );
    assert_eq!(s.logits, [1.0, -2.5, 3.0, 4.0]);
    let s = ok("a.tsv", b"1\t2\n3\t4");
    assert_eq!(s.logits, [1., 2., 3., 4.]);
    let s = ok("a.csv", b"\"1\";\"2\"\n3;4\n");
    assert_eq!(s.logits, [1., 2., 3., 4.]);
}

#[test]
fn csv_bad_input() {
    let e = err("a.csv", b"1,2,3\n4,5\n");
    assert_eq!(
        e,
        ParseError::Ragged {
            format: "CSV",
            row: 1,
            len: 2,
            expected: 3,
            line: Some(2)
        }
    );
    assert!(e.to_string().contains("line 2"), "{e}");
    let e = err("a.csv", b"a,b\n1,2\n3,x\n");
    assert_eq!(
        e,
        ParseError::BadValue {
            row: 1,
            col: 1,
            text: "x".into(),
            line: Some(3)
        }
    );
    assert_eq!(
        err("a.csv", b"1,2\n3,nan\n"),
        ParseError::NotANumber { row: 1, col: 1 }
    );
    assert_eq!(
        err("a.csv", b"1,inf\n"),
        ParseError::PositiveInfinity { row: 0, col: 1 }
    );
    assert_eq!(
        err("a.csv", b"1,2\n-inf,-inf\n"),
        ParseError::AllMasked { row: 1 }
    );
    assert!(matches!(
        err("a.csv", b"x,y\n"),
        ParseError::NoValues { .. }
    ));
    assert!(matches!(
        err("a.csv", b"1,2,\n"),
        ParseError::NoValues { .. } | ParseError::BadValue { .. }
    ));
    assert!(matches!(
        err("a.csv", b"1,2\n3,\n"),
        ParseError::BadValue { row: 1, col: 1, .. }
    ));
    assert!(matches!(
        err("a.csv", b"  \n\n"),
        ParseError::NoValues { .. }
    ));
}

// ------------------------------------------------------------ sniffing

#[test]
fn sniffing_and_unrecognised_files() {
    assert_eq!(err("a.npy", b""), ParseError::Empty);
    assert!(ParseError::Empty.to_string().contains("empty"));
    let e = err("logits.npy", b"PK\x03\x04rest");
    assert!(e.to_string().contains("zip"), "{e}");
    let e = err("logits.npy", b"\x93NUMPX\x01\x00");
    assert!(
        matches!(e, ParseError::BadMagic { format: ".npy", .. }),
        "{e}"
    );
    assert!(e.to_string().contains("\\x93NUMPX"), "{e}");
    let e = err("x.bin", b"\x00\x01\x02\xff\xfe");
    assert!(matches!(e, ParseError::Unrecognised { .. }), "{e}");
    let e = err("x.csv", b"\xFF\xFE1\x00,\x002\x00");
    assert!(e.to_string().contains("UTF-16"), "{e}");
    let e = err("x.pt", b"\x80\x02}q\x00");
    assert!(e.to_string().contains("pickle"), "{e}");
    assert_eq!(sniff("", b"\x93NUMPY").unwrap(), Format::Npy);
    assert_eq!(sniff("", b"  {\"a\": 1}").unwrap(), Format::Json);
    assert_eq!(sniff("", b"1,2").unwrap(), Format::Csv);
    assert_eq!(
        sniff("", &st(&[("a", "F32", &[1], f32s_le(&[1.0]))])).unwrap(),
        Format::Safetensors
    );
    // A .json name on text that is not JSON gets the JSON parser's message.
    assert!(matches!(err("a.json", b"1,2"), ParseError::Json { .. }));
}

#[test]
fn every_error_message_is_a_sentence() {
    let samples = [
        ParseError::Empty,
        ParseError::TooLarge {
            what: "x",
            size: 5 << 30,
            limit: BINARY_MAX_BYTES,
        },
        ParseError::ConfirmBf16 {
            dtype: "|V2".into(),
        },
        ParseError::FortranTooLarge {
            values: 1 << 30,
            limit: FORTRAN_MAX_VALUES,
        },
        ParseError::AmbiguousTensor {
            candidates: (0..30).map(|i| format!("t{i}")).collect(),
        },
        ParseError::RowOutOfRange { row: 5, rows: 2 },
    ];
    for e in samples {
        let m = e.to_string();
        assert!(
            m.ends_with('.') && m.chars().next().unwrap().is_uppercase(),
            "{m}"
        );
    }
    let m = ParseError::AmbiguousTensor {
        candidates: (0..30).map(|i| format!("t{i}")).collect(),
    }
    .to_string();
    assert!(m.contains("and 10 more"), "{m}");
}
