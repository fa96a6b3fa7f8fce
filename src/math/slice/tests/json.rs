//! JSON: arrays, objects, the OpenAI top-logprobs shapes.

use super::*;

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
    // Beyond float32 but finite: shifted by the row maximum (docs/math.md).
    assert_eq!(ok("a.json", b"[0, 1e39]").logits, [NEG, 0.0]);
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
    let e = err("a.json", b"[[1, 2], [3, [4]]]");
    assert!(matches!(e, ParseError::JsonShape { .. }), "{e:?}");
    assert!(
        e.to_string().contains("row 1, column 1 is itself an array"),
        "{e}"
    );
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
    assert!(s
        .warnings
        .iter()
        .any(|w| w.contains("In 1 positions the sampled token was not among")));
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
