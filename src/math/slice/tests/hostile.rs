//! The hostile inputs of the upload sweep (issue 9): each is answered with
//! a message that names what is wrong, or read with a warning that says
//! what was changed. Expected numbers come from closed forms or Python's
//! `decimal` (quoted), not from the code under test.

use super::*;
use crate::math::rows::analyze_rows;

/// H of softmax([0, 1, 2, 3]), from Python's decimal at 40 digits.
const H_0123: f64 = 0.947_536_963_975_425_6;

#[test]
fn float64_rows_keep_their_differences() {
    // [1e8, 1e8+1, 1e8+2, 1e8+3] cast to float32 is four times 1e8 (H = ln 4).
    let z = [1e8, 1e8 + 1.0, 1e8 + 2.0, 1e8 + 3.0];
    for file in [
        npy("<f8", false, "(4,)", &f64s_le(&z)),
        npy(">f8", false, "(1, 4)", &f64s_be(&z)),
        st(&[("logits", "F64", &[1, 4], f64s_le(&z))]),
    ] {
        let s = ok("a", &file);
        assert_eq!(s.logits, [-3.0, -2.0, -1.0, 0.0]);
        assert!(s
            .warnings
            .iter()
            .any(|w| w.contains("shifted by its maximum")));
        let h = analyze_rows(&s.logits, 1, 4, None, None).unwrap().entropy[0];
        assert!((h - H_0123).abs() < 1e-6, "{h}");
    }
    // The same through JSON and CSV, which are float64 text.
    for (name, text) in [
        ("a.json", "[[100000000, 100000001, 100000002, 100000003]]"),
        ("a.csv", "100000000,100000001,100000002,100000003\n"),
    ] {
        let s = ok(name, text.as_bytes());
        assert_eq!(s.logits, [-3.0, -2.0, -1.0, 0.0], "{name}");
    }
    // Ordinary float64 logits are cast as they are, without a warning.
    let s = ok("a", &npy("<f8", false, "(3,)", &f64s_le(&[0.1, -2.5, 7.0])));
    assert_eq!(s.logits, [0.1f64 as f32, -2.5, 7.0]);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    // A finite 1e300 is not "+Infinity": its row is shifted, and what falls
    // below float32 is named.
    let s = ok(
        "a",
        &npy("<f8", false, "(3,)", &f64s_le(&[1e300, 1e300, 0.0])),
    );
    assert_eq!(s.logits, [0.0, 0.0, NEG]);
    let w = s.warnings.join(" ");
    assert!(
        w.contains("row 0, column 2, 0") && w.contains("masked"),
        "{w}"
    );
}

#[test]
fn float32_data_under_a_float64_header_is_flagged() {
    // 32 float32 logits written under '<f8' with shape (16,): same byte count.
    let z: Vec<f32> = (0..32).map(|i| (i as f32 - 15.5) * 0.73).collect();
    let s = ok("a.npy", &npy("<f8", false, "(16,)", &f32s_le(&z)));
    assert!(
        s.warnings[0].contains("look like float32 written under a float64 header"),
        "{:?}",
        s.warnings
    );
    // float32 values widened to float64 (zero low halves) and computed
    // float64 values are not flagged.
    let wide: Vec<f64> = z[..16].iter().map(|&x| f64::from(x)).collect();
    let computed: Vec<f64> = (0..16).map(|i| (i as f64 * 0.1).sin() * 3.0).collect();
    for v in [wide, computed] {
        let s = ok("a.npy", &npy("<f8", false, "(16,)", &f64s_le(&v)));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }
}

#[test]
fn safetensors_header_too_large_is_said_so() {
    for n in [1u64 << 63, 120_000_000] {
        let mut file = n.to_le_bytes().to_vec();
        file.extend_from_slice(b"{\"a\": 1}");
        for name in ["x.safetensors", "x.bin"] {
            let e = err(name, &file);
            let msg = e.to_string();
            assert!(matches!(e, ParseError::Header { .. }), "{name} {n}: {e:?}");
            assert!(msg.contains(&format!("header is {n} bytes long")), "{msg}");
            assert!(msg.contains("limit"), "{msg}");
        }
    }
    // Text whose ninth byte is '{' is still JSON.
    assert_eq!(
        ok("a.json", b"[       {\"token\": \"a\", \"logprob\": -0.1}]").rows,
        1
    );
}

#[test]
fn safetensors_duplicate_tensor_is_named() {
    let header = r#"{"logits":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"logits":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#;
    let e = err(
        "s.safetensors",
        &st_raw(header, &f32s_le(&[1.0, 2.0, 3.0, 4.0])),
    );
    assert!(
        e.to_string().contains("lists the tensor \"logits\" twice"),
        "{e}"
    );
}

#[test]
fn npy_shape_that_is_not_whole_numbers_is_named() {
    for (shape, bad) in [("(3, -1)", "-1"), ("(2.5, 4)", "2.5"), ("(-2,)", "-2")] {
        let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
        let e = err("a.npy", &npy_v(1, &dict, &f32s_le(&[0.0; 4])));
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("'shape' is {shape}")) && msg.contains(&format!("{bad} is not")),
            "{msg}"
        );
    }
}

#[test]
fn json_deeper_than_two_dimensions_names_the_cell() {
    let e = err("a.json", b"[[[1, 2], [3, 4]]]");
    let msg = e.to_string();
    assert!(msg.contains("row 0, column 0 is itself an array"), "{msg}");
    assert!(!msg.contains("shape ()"), "{msg}");
}

/// (token, logprob, top list of (token, logprob)), as JSON text.
type Position<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

fn chat(tokens: &[Position]) -> String {
    let items: Vec<String> = tokens
        .iter()
        .map(|(t, lp, top)| {
            let top: Vec<String> = top
                .iter()
                .map(|(t, l)| format!(r#"{{"token": "{t}", "logprob": {l}}}"#))
                .collect();
            format!(
                r#"{{"token": "{t}", "logprob": {lp}, "top_logprobs": [{}]}}"#,
                top.join(", ")
            )
        })
        .collect();
    format!(
        r#"{{"choices": [{{"logprobs": {{"content": [{}]}}}}]}}"#,
        items.join(", ")
    )
}

#[test]
fn a_lone_surrogate_marks_one_token_and_keeps_the_file() {
    let json = chat(&[
        ("a", "-0.5", &[("a", "-0.5"), ("b", "-1.5")]),
        (
            r"x\ud800",
            "-0.25",
            &[(r"x\ud800", "-0.25"), (r"\ud83d\ude00", "-2")],
        ),
    ]);
    let s = ok("a.json", json.as_bytes());
    assert_eq!(s.rows, 2);
    let SliceKind::TopLogprobs(t) = &s.kind else {
        panic!()
    };
    assert_eq!(t.labels[1], ["x\u{FFFD}", "\u{1F600}"]);
    let w = s.warnings.join(" ");
    assert!(w.contains("lone UTF-16 surrogate"), "{w}");
    assert!(w.contains("position 1, token \"x\u{FFFD}\""), "{w}");
}

#[test]
fn null_logprobs_are_named() {
    let json = chat(&[("a", "null", &[("a", "null"), ("b", "-0.1")])]);
    let s = ok("a.json", json.as_bytes());
    let w = s.warnings.join(" ");
    assert!(w.contains("2 logprob(s) are null"), "{w}");
    assert!(w.contains("position 0, token \"a\""), "{w}");
}

#[test]
fn repeated_top_logprob_tokens_are_named() {
    // Same text, different logprobs: kept, and named.
    let json = chat(&[("a", "-0.5", &[("a", "-0.5"), ("a", "-2"), ("b", "-1.5")])]);
    let s = ok("a.json", json.as_bytes());
    assert_eq!(s.vocab, 3);
    let w = s.warnings.join(" ");
    assert!(
        w.contains("position 0, token \"a\" with logprobs -0.5 and -2"),
        "{w}"
    );
    // An exact repeat is dropped, and named.
    let json = chat(&[("a", "-0.5", &[("a", "-0.5"), ("b", "-1.5"), ("b", "-1.5")])]);
    let s = ok("a.json", json.as_bytes());
    assert_eq!(s.vocab, 2);
    assert!(s
        .warnings
        .join(" ")
        .contains("dropped; the first: position 0, token \"b\""));
}

#[test]
fn two_choices_say_which_rows_are_which() {
    let item = |t: &str| {
        format!(
            r#"{{"token": "{t}", "logprob": -0.5, "top_logprobs": [{{"token": "{t}", "logprob": -0.5}}]}}"#
        )
    };
    let json = format!(
        r#"{{"choices": [{{"logprobs": {{"content": [{}, {}]}}}}, {{"logprobs": {{"content": [{}]}}}}]}}"#,
        item("a"),
        item("b"),
        item("c")
    );
    let s = ok("a.json", json.as_bytes());
    let SliceKind::TopLogprobs(t) = &s.kind else {
        panic!()
    };
    assert_eq!(t.choice, [0, 0, 1]);
    let w = s.warnings.join(" ");
    assert!(
        w.contains("2 choices") && w.contains("rows 0–1 are choice 0, row 2 is choice 1"),
        "{w}"
    );
}

/// The least −Σ x ln x over every way to split `units` hundredths of
/// probability into tokens of at most `cap_units` hundredths each: exhaustive
/// enumeration of the partitions, no concavity argument.
fn least_tail_entropy(units: u32, cap_units: u32) -> f64 {
    fn go(left: u32, max_part: u32) -> f64 {
        if left == 0 {
            return 0.0;
        }
        (1..=max_part.min(left))
            .map(|part| {
                let x = f64::from(part) / 100.0;
                -x * x.ln() + go(left - part, part)
            })
            .fold(f64::INFINITY, f64::min)
    }
    go(units, cap_units)
}

/// The core's entropy bound of one position: the sampled token `sampled` with
/// probability `p_sampled`, and a top_logprobs list t0, t1, … of probabilities `listed`.
fn bound_of(sampled: &str, p_sampled: f64, listed: &[f64]) -> f64 {
    let lp = |p: f64| format!("{:?}", p.ln());
    let top: Vec<(String, String)> = listed
        .iter()
        .enumerate()
        .map(|(i, &p)| (format!("t{i}"), lp(p)))
        .collect();
    let top: Vec<(&str, &str)> = top.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let json = chat(&[(sampled, &lp(p_sampled), &top)]);
    let SliceKind::TopLogprobs(t) = ok("a.json", json.as_bytes()).kind else {
        panic!()
    };
    t.entropy_bound[0]
}

#[test]
fn truncated_entropy_bound_is_tight_under_the_smallest_listed_probability() {
    let plogp = |ps: &[f64]| -> f64 { ps.iter().map(|&p| -p * p.ln()).sum() };
    // Listed p = 0.5, 0.3, 0.05 (the smallest); tail t = 0.15. No unlisted token
    // is likelier than 0.05, so the tail holds at least three tokens: the
    // least entropy puts 0.05 in each, 3 × 0.05 ln 20 = 0.4494 nats, where one
    // bucket of 0.15 would say 0.15 ln(1/0.15) = 0.2846.
    let least = least_tail_entropy(15, 5);
    assert!((least - 3.0 * 0.05 * 20f64.ln()).abs() < 1e-15, "{least}");
    // A tail under the cap is one bucket (listed 0.6, 0.22; tail 0.18); a tail
    // over it leaves a remainder (listed 0.55, 0.07; tail 0.38 = 5 × 0.07 + 0.03).
    for (ps, units, cap_units) in [
        (&[0.5, 0.3, 0.05][..], 15, 5),
        (&[0.6, 0.22][..], 18, 22),
        (&[0.55, 0.07][..], 38, 7),
    ] {
        let got = bound_of("t0", ps[0], ps);
        let want = plogp(ps) + least_tail_entropy(units, cap_units);
        assert!((got - want).abs() < 1e-12, "{ps:?}: {got} against {want}");
    }
    // A sampled token outside the list is appended with its own (smaller)
    // probability; the cap stays the list's smallest, 0.05, not 0.01.
    let got = bound_of("z", 0.01, &[0.5, 0.3, 0.05]);
    let want = plogp(&[0.5, 0.3, 0.05, 0.01]) + least_tail_entropy(14, 5);
    assert!((got - want).abs() < 1e-12, "{got} against {want}");
}

#[test]
fn truncated_entropy_bound_is_the_one_bucket_bound() {
    // Listed p = 1/2, 1/4; tail 1/4 in one bucket: −Σ p ln p − t ln t
    // = (1/2) ln 2 + (1/4) ln 4 + (1/4) ln 4 = 1.5 ln 2.
    let json = chat(&[(
        "a",
        "-0.6931471805599453",
        &[("a", "-0.6931471805599453"), ("b", "-1.3862943611198906")],
    )]);
    let s = ok("a.json", json.as_bytes());
    let SliceKind::TopLogprobs(t) = &s.kind else {
        panic!()
    };
    assert!((t.entropy_bound[0] - 1.5 * std::f64::consts::LN_2).abs() < 1e-15);
    // No tail: the bound is the listed entropy, ln 2.
    let json = chat(&[(
        "a",
        "-0.6931471805599453",
        &[("a", "-0.6931471805599453"), ("b", "-0.6931471805599453")],
    )]);
    let SliceKind::TopLogprobs(t) = ok("a.json", json.as_bytes()).kind else {
        panic!()
    };
    assert!((t.entropy_bound[0] - std::f64::consts::LN_2).abs() < 1e-15);
}
