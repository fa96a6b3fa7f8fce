//! Sniffing formats from their first bytes, and the wording of every error.

use super::*;

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
