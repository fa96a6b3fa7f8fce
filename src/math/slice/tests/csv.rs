//! CSV: separators, headers, bad cells.

use super::*;

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
