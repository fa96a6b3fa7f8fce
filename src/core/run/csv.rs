//! The per-step CSV (`export-steps`): its header, writing it, and reading it
//! back (a CSV exported earlier, or one written by entropy-polarity-steps).
//! CSVs written before the three same-context columns (the first 12 columns
//! only) are read too, with those columns empty.

use super::error::{code, RunError};
use super::step::StepRow;

/// The header, in this order (docs/trace-format.md "Per step").
pub const STEPS_HEADER: [&str; 15] = [
    "step",
    "samples",
    "tokens",
    "mean_entropy",
    "mean_prob",
    "token_term",
    "share_pos_expand",
    "share_pos_contract",
    "share_neg_expand",
    "share_neg_contract",
    "pg_polarity",
    "realised_dh",
    "realised_dh_same",
    "agree_token_term",
    "agree_pg_polarity",
];

/// The header of CSVs written before the same-context columns: the first 12.
pub const OLD_COLUMNS: usize = 12;

impl StepRow {
    /// The columns in header order.
    pub fn cells(&self) -> [f64; 15] {
        [
            self.step,
            self.samples,
            self.tokens,
            self.mean_entropy,
            self.mean_prob,
            self.token_term,
            self.share_pos_expand,
            self.share_pos_contract,
            self.share_neg_expand,
            self.share_neg_contract,
            self.pg_polarity,
            self.realised_dh,
            self.realised_dh_same,
            self.agree_token_term,
            self.agree_pg_polarity,
        ]
    }

    /// The row whose columns, in header order, are `cells`.
    pub fn from_cells(cells: [f64; 15]) -> Self {
        StepRow {
            step: cells[0],
            samples: cells[1],
            tokens: cells[2],
            mean_entropy: cells[3],
            mean_prob: cells[4],
            token_term: cells[5],
            share_pos_expand: cells[6],
            share_pos_contract: cells[7],
            share_neg_expand: cells[8],
            share_neg_contract: cells[9],
            pg_polarity: cells[10],
            realised_dh: cells[11],
            realised_dh_same: cells[12],
            agree_token_term: cells[13],
            agree_pg_polarity: cells[14],
        }
    }
}

/// A number with the fewest digits that read back to the same f64 (Rust's
/// `{}` for f64, like JavaScript's `String(x)` except for exponents); NaN
/// and ±inf are empty cells.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        String::new()
    } else if x == 0.0 {
        "0".into()
    } else {
        format!("{x}")
    }
}

pub fn write_steps(rows: &[StepRow]) -> String {
    let mut out = STEPS_HEADER.join(",");
    out.push('\n');
    for r in rows {
        let line: Vec<String> = r.cells().iter().map(|&x| number(x)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn csv_err(line: u64, column: Option<&str>, msg: String) -> RunError {
    let mut e = RunError::new(code::CSV, msg).at("", Some(line));
    e.field = column.map(str::to_string);
    e
}

/// Reads a per-step CSV with exactly the export header, or its first 12
/// columns (older CSVs). Empty cells are NaN.
pub fn parse_steps(text: &str) -> Result<Vec<StepRow>, RunError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim_end_matches('\r')));
    let header = loop {
        match lines.next() {
            Some((_, l)) if l.trim().is_empty() => continue,
            Some(h) => break h,
            None => {
                return Err(csv_err(
                    1,
                    None,
                    "the CSV is empty: expected the header ".to_string() + &STEPS_HEADER.join(","),
                ))
            }
        }
    };
    let names: Vec<&str> = header
        .1
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    let width = if names.len() == OLD_COLUMNS && names == STEPS_HEADER[..OLD_COLUMNS] {
        OLD_COLUMNS
    } else {
        STEPS_HEADER.len()
    };
    if names != STEPS_HEADER[..width] {
        let (i, got) = names
            .iter()
            .enumerate()
            .find(|(i, n)| STEPS_HEADER.get(*i) != Some(n))
            .map(|(i, n)| (i, *n))
            .unwrap_or((names.len(), ""));
        return Err(csv_err(
            header.0,
            STEPS_HEADER.get(i).copied(),
            format!(
                "the header is not the per-step header: column {} is \"{got}\" where \"{}\" was expected; the header is {}",
                i + 1,
                STEPS_HEADER.get(i).unwrap_or(&"(nothing)"),
                STEPS_HEADER.join(",")
            ),
        ));
    }
    let mut rows = vec![];
    for (no, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(',').collect();
        if parts.len() != width {
            return Err(csv_err(
                no,
                None,
                format!("{} cells where the header has {width}", parts.len()),
            ));
        }
        let mut v = [f64::NAN; 15];
        for (k, cell) in parts.iter().enumerate() {
            let c = cell.trim().trim_matches('"');
            if c.is_empty() {
                continue;
            }
            v[k] = c.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                csv_err(no, Some(STEPS_HEADER[k]), format!("column {} ({}) is \"{c}\", not a finite number (leave the cell empty for no value)", k + 1, STEPS_HEADER[k]))
            })?;
        }
        if v[0].is_nan() {
            return Err(csv_err(no, Some("step"), "the step cell is empty".into()));
        }
        rows.push(StepRow::from_cells(v));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let rows = vec![StepRow {
            step: 3.0,
            samples: 2.0,
            tokens: 10.0,
            mean_entropy: 0.1 + 0.2,
            mean_prob: 1e-7,
            token_term: -2.5e-300,
            share_pos_expand: f64::NAN,
            share_pos_contract: f64::NAN,
            share_neg_expand: f64::NAN,
            share_neg_contract: f64::NAN,
            pg_polarity: f64::NAN,
            realised_dh: f64::NAN,
            realised_dh_same: -1e-3,
            agree_token_term: 0.75,
            agree_pg_polarity: f64::NAN,
        }];
        let text = write_steps(&rows);
        assert!(text.starts_with("step,samples,tokens,mean_entropy,"));
        let back = parse_steps(&text).unwrap();
        assert_eq!(back[0].mean_entropy, 0.1 + 0.2);
        assert_eq!(back[0].token_term, -2.5e-300);
        assert!(back[0].realised_dh.is_nan());
        let e = parse_steps(&text.replace(",1e-7,", ",x,").replace("0.0000001", "x")).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("mean_prob")));
        let e = parse_steps("step,tokens\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("samples")));
        assert_eq!(back[0].realised_dh_same, -1e-3);
        assert_eq!(back[0].agree_token_term, 0.75);
        // A CSV of the first 12 columns (written before the same-context ones).
        let old = STEPS_HEADER[..OLD_COLUMNS].join(",") + "\n4,1,2,0.5,0.25,0.125,,,,,,\n";
        let back = parse_steps(&old).unwrap();
        assert_eq!((back[0].step, back[0].mean_entropy), (4.0, 0.5));
        assert!(back[0].realised_dh_same.is_nan() && back[0].agree_pg_polarity.is_nan());
        // 12 cells under the 15-column header, and 15 under the old one, are refused.
        let e =
            parse_steps(&(STEPS_HEADER.join(",") + "\n4,1,2,0.5,0.25,0.125,,,,,,\n")).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(parse_steps(
            &(STEPS_HEADER[..OLD_COLUMNS].join(",") + "\n4,1,2,0.5,0.25,0.125,,,,,,,,,\n")
        )
        .is_err());
        // 13 columns is neither header.
        let e = parse_steps(&(STEPS_HEADER[..13].join(",") + "\n")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("agree_token_term"));
    }
}
