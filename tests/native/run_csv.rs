//! The per-step CSV reader (src/math/run/csv.rs) on the headers and cells of
//! the hostile-input sweep (issue 19, items 7, 9 and 11): quoted headers,
//! ", " separators, misspelt and extra columns, 12-, 13- and 15-column CSVs,
//! steps out of order, values out of range, and a 5 MB cell.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::code;
use entropy_polarity::math::run::csv::{
    is_steps_header, parse_steps, parse_steps_noted, write_steps, STEPS_HEADER,
};

const ROW0: &str = "0,4,46,2.2,0.2,0.03,0.25,0.25,0.25,0.25,,-0.1";
const ROW1: &str = "1,4,41,2.1,0.3,-0.01,0.1,0.2,0.3,0.4,0.01,";

fn old_header() -> String {
    STEPS_HEADER[..12].join(",")
}

#[test]
fn quoted_and_spaced_headers_read_like_plain_ones() {
    let plain = format!("{}\n{ROW0}\n{ROW1}\n", old_header());
    let want = format!("{:?}", parse_steps(&plain).unwrap());
    let quote_all = |l: &str| {
        l.split(',')
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let quoted = format!(
        "{}\r\n{}\r\n{}\r\n",
        quote_all(&old_header()),
        quote_all(ROW0),
        quote_all(ROW1)
    );
    assert_eq!(format!("{:?}", parse_steps(&quoted).unwrap()), want);
    let spaced = plain.replace(',', ", ");
    assert_eq!(format!("{:?}", parse_steps(&spaced).unwrap()), want);
    for text in [&plain, &quoted, &spaced] {
        assert!(is_steps_header(text), "{text}");
    }
    assert!(!is_steps_header("token,logit,prob\n"));
    assert!(!is_steps_header("step,loss,lr\n"));
}

#[test]
fn a_misspelt_column_is_named_and_an_extra_one_is_noted() {
    let text = format!(
        "{}\n{ROW0}\n",
        old_header().replace("mean_entropy", "mean_entrpy")
    );
    assert!(
        is_steps_header(&text),
        "still a per-step CSV, so its error names the column"
    );
    let e = parse_steps(&text).unwrap_err();
    assert_eq!(
        (e.code, e.line, e.field.as_deref()),
        (code::CSV, Some(1), Some("mean_entropy"))
    );
    assert!(
        e.message.contains("column 4") && e.message.contains("\"mean_entrpy\""),
        "{}",
        e.message
    );
    // a column no reader knows: read, with a note naming it
    let text = format!("{},learning_rate\n{ROW0},3e-6\n{ROW1},3e-6\n", old_header());
    let (rows, notes) = parse_steps_noted(&text).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].pg_polarity, 0.01);
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].contains("column 13") && notes[0].contains("learning_rate"),
        "{notes:?}"
    );
    // the columns by name, in any order
    let swapped = format!(
        "tokens,samples,{}\n46,4,{}\n",
        old_header().replacen("step,samples,tokens", "step", 1),
        ROW0.replacen("0,4,46", "0", 1)
    );
    let r = parse_steps(&swapped).unwrap();
    assert_eq!((r[0].samples, r[0].tokens), (4.0, 46.0));
    // a required column missing, with nothing like it: says which
    let e = parse_steps(&format!("{}\n", old_header().replace(",pg_polarity", ""))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("pg_polarity"));
    // a column twice
    let e = parse_steps(&format!("{},step\n", old_header())).unwrap_err();
    assert!(e.message.contains("columns 1 and 13"), "{}", e.message);
}

#[test]
fn twelve_thirteen_and_fifteen_columns_open() {
    for width in [12, 13, 15] {
        let head = STEPS_HEADER[..width].join(",");
        let row = format!("{ROW0}{}", ",0.001".repeat(width - 12));
        let r = parse_steps(&format!("{head}\n{row}\n")).unwrap();
        assert_eq!(r[0].tokens, 46.0, "{width} columns");
        assert_eq!(r[0].realised_dh_same.is_finite(), width >= 13);
    }
}

#[test]
fn steps_must_increase_and_values_must_fit_their_column() {
    let head = old_header();
    let row = |step: &str| ROW0.replacen("0,", &format!("{step},"), 1);
    // steps 3, 0, 5, 0, 1: refused at line 3, naming both steps
    let text = format!("{head}\n{}\n{}\n{}\n", row("3"), row("0"), row("5"));
    let e = parse_steps(&text).unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("step")));
    assert!(
        e.message.contains("step 0 comes after step 3"),
        "{}",
        e.message
    );
    let e = parse_steps(&format!("{head}\n{}\n{}\n", row("2"), row("2"))).unwrap_err();
    assert_eq!(e.line, Some(3));
    for (cells, field) in [
        ("0,4,46,2.2,0.2,0.03,7,0.25,0.25,0.25,,", "share_pos_expand"),
        (
            "0,4,46,2.2,0.2,0.03,-6,0.25,0.25,0.25,,",
            "share_pos_expand",
        ),
        ("0,4,46,2.2,-3,0.03,0.25,0.25,0.25,0.25,,", "mean_prob"),
        ("0,4,1.5,2.2,0.2,0.03,0.25,0.25,0.25,0.25,,", "tokens"),
        ("0,-4,46,2.2,0.2,0.03,0.25,0.25,0.25,0.25,,", "samples"),
        ("0,4,46,-2.2,0.2,0.03,0.25,0.25,0.25,0.25,,", "mean_entropy"),
        ("-1,4,46,2.2,0.2,0.03,0.25,0.25,0.25,0.25,,", "step"),
        ("2.5,4,46,2.2,0.2,0.03,0.25,0.25,0.25,0.25,,", "step"),
    ] {
        let e = parse_steps(&format!("{head}\n{cells}\n")).unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(2), Some(field)),
            "{cells}: {}",
            e.message
        );
    }
    // 15 columns: the agreement shares too
    let e = parse_steps(&format!("{}\n{ROW0},,1.5,\n", STEPS_HEADER.join(","))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("agree_token_term"));
}

#[test]
fn a_huge_cell_is_not_copied_into_the_message() {
    let cell = "9".repeat(5 << 20) + "x";
    let e = parse_steps(&format!("{}\n0,4,46,{cell},0.2,0.03,,,,,,\n", old_header())).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("mean_entropy"));
    assert!(e.message.len() < 300, "{} bytes", e.message.len());
    assert!(e.message.contains("5242881 characters"), "{}", e.message);
    // a huge unknown column name in the header: the note is short too
    let (_, notes) = parse_steps_noted(&format!(
        "{},{}\n{ROW0},1\n",
        old_header(),
        "n".repeat(1 << 20)
    ))
    .unwrap();
    assert!(notes[0].len() < 300);
}

#[test]
fn written_csvs_read_back() {
    let (rows, notes) = parse_steps_noted(&format!("{}\n{ROW0}\n{ROW1}\n", old_header())).unwrap();
    assert!(notes.is_empty());
    assert_eq!(
        format!("{:?}", parse_steps(&write_steps(&rows)).unwrap()),
        format!("{rows:?}")
    );
}

/// The sweep's per-step CSVs and tokenizers, kept as cargo-fuzz seeds in
/// fuzz/seeds/run_steps_csv (first byte: the fuzz target's name flag; the
/// name says whether the CSV or tokenizer is read, `_ok_`, or refused, `_err_`).
#[test]
fn csv_and_tokenizer_seeds_are_answered_as_named() {
    use entropy_polarity::math::run::tokenizer::Tokenizer;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/run_steps_csv");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        let bytes = std::fs::read(e.path()).unwrap();
        let text = std::str::from_utf8(&bytes[1..]).unwrap();
        let ok = if name.starts_with("csv_") {
            parse_steps(text).is_ok()
        } else {
            Tokenizer::from_json(text).is_ok()
        };
        assert_eq!(ok, name.contains("_ok_"), "{name}");
        n += 1;
    }
    assert!(n >= 16, "the seeds are in {dir}");
}
