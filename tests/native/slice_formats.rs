//! Every example file in www/examples/ parses to the values that
//! scripts/make_examples.py computed independently (Python, stdlib only) and
//! wrote to tests/fixtures/examples_expected.json; binary examples give the
//! same values when streamed in chunks from their header.

// Native only: the browser tier is tests/web.rs.
#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::slice::{
    decode_advantages, decode_all, decode_rows, decode_tokens, parse_any_with, read_header,
    row_byte_range, DecodeNotes, Format, Header, ParseOptions, SliceKind,
};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn expected() -> Vec<Value> {
    let path = format!("{ROOT}/tests/fixtures/examples_expected.json");
    let text = std::fs::read_to_string(&path).expect("run scripts/make_examples.py");
    let v: Value = serde_json::from_str(&text).unwrap();
    v["examples"].as_array().unwrap().clone()
}

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/www/examples/{name}")).unwrap()
}

fn options(e: &Value) -> ParseOptions {
    ParseOptions {
        confirm_bf16: e["options"]["confirm_bf16"].as_bool().unwrap_or(false),
        ..Default::default()
    }
}

/// An expected value: a number or "-inf".
fn value(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        _ => v.as_f64().unwrap(),
    }
}

#[test]
fn every_example_is_covered() {
    let names: Vec<String> = expected()
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_owned())
        .collect();
    // Files only: www/examples/runs/ holds the training-run examples, checked elsewhere.
    let mut on_disk: Vec<String> = std::fs::read_dir(format!("{ROOT}/www/examples"))
        .unwrap()
        .map(|d| d.unwrap())
        .filter(|d| d.file_type().unwrap().is_file())
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, on_disk);
    for fmt in ["npy", "safetensors", "json", "csv"] {
        assert!(
            expected().iter().any(|e| e["format"] == fmt),
            "no {fmt} example"
        );
    }
}

#[test]
fn examples_parse_to_the_python_values() {
    for e in expected() {
        let name = e["file"].as_str().unwrap();
        let bytes = file(name);
        let s = parse_any_with(name, &bytes, &options(&e))
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let fmt = match s.format {
            Format::Npy => "npy",
            Format::Safetensors => "safetensors",
            Format::Json => "json",
            Format::Csv => "csv",
        };
        assert_eq!(fmt, e["format"], "{name}");
        assert_eq!(s.rows as u64, e["rows"].as_u64().unwrap(), "{name}");
        assert_eq!(s.vocab as u64, e["vocab"].as_u64().unwrap(), "{name}");
        for c in e["checks"].as_array().unwrap() {
            let (r, col) = (
                c[0].as_u64().unwrap() as usize,
                c[1].as_u64().unwrap() as usize,
            );
            assert_eq!(s.row(r)[col] as f64, value(&c[2]), "{name} [{r}, {col}]");
        }
        for (r, want) in e["row_sums"].as_array().unwrap().iter().enumerate() {
            let got: f64 = s
                .row(r)
                .iter()
                .filter(|v| v.is_finite())
                .map(|&v| v as f64)
                .sum();
            let want = want.as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-9 * (1.0 + want.abs()),
                "{name} row {r}: {got} vs {want}"
            );
        }
        let masked = s.logits.iter().filter(|v| **v == f32::NEG_INFINITY).count();
        assert_eq!(masked as u64, e["masked"].as_u64().unwrap(), "{name}");
        match e["tokens"].as_array() {
            Some(t) => {
                let want: Vec<u32> = t.iter().map(|v| v.as_u64().unwrap() as u32).collect();
                assert_eq!(s.tokens.as_ref(), Some(&want), "{name}");
            }
            None => assert_eq!(s.tokens, None, "{name}"),
        }
        match e["advantages"].as_array() {
            Some(a) => {
                let got: Vec<f64> = s
                    .advantages
                    .as_ref()
                    .unwrap()
                    .iter()
                    .map(|&x| x as f64)
                    .collect();
                let want: Vec<f64> = a.iter().map(|v| v.as_f64().unwrap()).collect();
                assert_eq!(got, want, "{name}");
            }
            None => assert_eq!(s.advantages, None, "{name}"),
        }
        match (&s.kind, e["truncated"].as_bool().unwrap()) {
            (SliceKind::Full, false) => {}
            (SliceKind::TopLogprobs(t), true) => {
                for (r, m) in e["listed_mass"].as_array().unwrap().iter().enumerate() {
                    let m = m.as_f64().unwrap();
                    assert!((t.listed_mass[r] - m).abs() < 1e-12, "{name} row {r}");
                    assert!(t.tail_mass(r) > 0.0, "{name} row {r}");
                }
                let appended: Vec<bool> = e["appended"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_bool().unwrap())
                    .collect();
                // An appended sampled token is the last listed column, and
                // the warning counts them.
                let tokens = s.tokens.as_ref().unwrap();
                for (r, &a) in appended.iter().enumerate() {
                    if a {
                        assert_eq!(tokens[r] as usize, t.listed[r] - 1, "{name} row {r}");
                    }
                }
                let n = appended.iter().filter(|&&a| a).count();
                let said = format!("In {n} positions the sampled token was not among");
                assert!(s.warnings.iter().any(|w| w.contains(&said)), "{name}");
                assert!(
                    appended.contains(&true),
                    "{name}: the example should exercise appending"
                );
                let labels: Vec<&str> = e["labels_first_row"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert_eq!(&t.labels[0][..labels.len()], labels, "{name}");
            }
            (k, t) => panic!("{name}: kind {k:?}, expected truncated = {t}"),
        }
    }
}

/// Read a header the way the worker does: 16 bytes first, then what it asks for.
fn header_streamed(name: &str, bytes: &[u8], opts: &ParseOptions) -> Header {
    let mut have = 16.min(bytes.len());
    for _ in 0..5 {
        match read_header(name, &bytes[..have], bytes.len() as u64, opts).unwrap() {
            Header::NeedBytes(n) => {
                assert!(
                    n as usize > have && n as usize <= bytes.len(),
                    "{name}: {n}"
                );
                have = n as usize;
            }
            h => return h,
        }
    }
    panic!("{name}: header never complete");
}

#[test]
fn binary_examples_stream_to_the_same_values() {
    for e in expected() {
        let name = e["file"].as_str().unwrap();
        let bytes = file(name);
        let opts = options(&e);
        let whole = parse_any_with(name, &bytes, &opts).unwrap();
        let layout = match header_streamed(name, &bytes, &opts) {
            Header::Ready(l) => l,
            Header::Text(_) => continue,
            Header::NeedBytes(_) => unreachable!(),
        };
        let (start, end) = layout.data_range();
        if layout.is_strided() {
            assert!(row_byte_range(&layout, 0).is_err());
            let all = decode_all(
                &layout,
                &bytes[start as usize..end as usize],
                &mut DecodeNotes::default(),
            )
            .unwrap();
            assert_eq!(all, whole.logits, "{name}");
            continue;
        }
        // Chunks of 1, 2, 3, 1, 2, 3, … rows.
        let mut out = Vec::new();
        let mut row = 0;
        let mut n = 1;
        while row < layout.rows {
            let take = n.min(layout.rows - row);
            let (a, _) = row_byte_range(&layout, row).unwrap();
            let (_, b) = row_byte_range(&layout, row + take - 1).unwrap();
            assert_eq!(
                decode_rows(
                    &layout,
                    row,
                    &bytes[a as usize..b as usize],
                    &mut out,
                    &mut DecodeNotes::default()
                )
                .unwrap(),
                take
            );
            row += take;
            n = n % 3 + 1;
        }
        assert_eq!(out, whole.logits, "{name}");
        // Reopen the last row from its offsets.
        let last = layout.rows - 1;
        let (a, b) = row_byte_range(&layout, last).unwrap();
        let mut one = Vec::new();
        decode_rows(
            &layout,
            last,
            &bytes[a as usize..b as usize],
            &mut one,
            &mut DecodeNotes::default(),
        )
        .unwrap();
        assert_eq!(one, whole.row(last), "{name}");
        if let Some(t) = &layout.tokens {
            let tokens = decode_tokens(&layout, &bytes[t.start as usize..t.end as usize]).unwrap();
            assert_eq!(Some(tokens), whole.tokens, "{name}");
        }
        if let Some(a) = &layout.advantages {
            let adv = decode_advantages(&layout, &bytes[a.start as usize..a.end as usize]).unwrap();
            assert_eq!(Some(adv), whole.advantages, "{name}");
        }
    }
}
