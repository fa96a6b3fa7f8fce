//! The streamed path: headers read from prefixes, rows decoded in any chunking.

use super::*;

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
        let whole = decode_all(
            &l,
            &file[l.data_offset as usize..],
            &mut DecodeNotes::default(),
        )
        .unwrap();
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
                let got = decode_rows(
                    &l,
                    row,
                    &file[start as usize..end as usize],
                    &mut out,
                    &mut DecodeNotes::default(),
                )
                .unwrap();
                assert_eq!(got, n);
                row += n;
            }
            assert_eq!(out, whole, "{descr}");
        }
        // Reopen row 4 alone.
        let (a, b) = row_byte_range(&l, 4).unwrap();
        let mut out = Vec::new();
        decode_rows(
            &l,
            4,
            &file[a as usize..b as usize],
            &mut out,
            &mut DecodeNotes::default(),
        )
        .unwrap();
        assert_eq!(out, &v[20..25]);
        // Not whole rows, and rows past the end.
        let mut out = Vec::new();
        assert!(matches!(
            decode_rows(
                &l,
                0,
                &file[a as usize..b as usize - 1],
                &mut out,
                &mut DecodeNotes::default()
            ),
            Err(ParseError::Chunk { .. })
        ));
        assert!(matches!(
            decode_rows(
                &l,
                6,
                &file[a as usize..a as usize + 2 * l.row_bytes() as usize],
                &mut out,
                &mut DecodeNotes::default()
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
        decode_rows(
            &l,
            4,
            &file[a as usize..b as usize],
            &mut out,
            &mut DecodeNotes::default()
        ),
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
