//! The per-step CSV (`export-steps`): its header, writing it, and reading it
//! back (a CSV exported earlier, or one written by entropy-polarity-steps).
//! CSVs written before the three same-context columns (the first 12 columns
//! only) are read too, with those columns empty.

use super::error::{clip, code, RunError};
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

/// A cell as an error message quotes it: at most 40 characters (a 5 MB cell
/// is not copied into the message).
fn quoted(cell: &str) -> String {
    let short = clip(cell);
    if short.len() == cell.len() {
        format!("\"{cell}\"")
    } else {
        format!("\"{short}\" ({} characters)", cell.chars().count())
    }
}

/// The cells of one CSV line: split at commas outside double quotes, each
/// trimmed and unquoted ("" inside quotes is one "), so QUOTE_ALL files,
/// Excel's and ", " separators read alike.
fn cells(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (vec![], String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// True when a CSV's first line is a per-step header: at least half of the
/// 12 columns every per-step CSV has, by name (quoted, spaced, reordered,
/// with a misspelt or extra column too; `parse_steps` then names what is wrong).
pub fn is_steps_header(first_line: &str) -> bool {
    let line = first_line.strip_prefix('\u{feff}').unwrap_or(first_line);
    let names = cells(line.lines().next().unwrap_or(""));
    let known = STEPS_HEADER[..OLD_COLUMNS]
        .iter()
        .filter(|h| names.iter().any(|n| n == *h))
        .count();
    known * 2 >= OLD_COLUMNS
}

/// Edit distance, for naming the column a misspelt header cell stands for.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + (ca != *cb) as usize).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// What each header cell is: the index of its column in `STEPS_HEADER`, or
/// None for a column no reader knows (ignored, with a note). The 12 columns
/// of every per-step CSV are required; the 3 same-context ones are not.
fn header_columns(
    names: &[String],
    line: u64,
) -> Result<(Vec<Option<usize>>, Vec<String>), RunError> {
    let mut map = vec![];
    let mut notes = vec![];
    let mut seen = [None; 15];
    for (i, n) in names.iter().enumerate() {
        let k = STEPS_HEADER.iter().position(|h| h == n);
        if let Some(k) = k {
            if let Some(j) = seen[k] {
                return Err(csv_err(
                    line,
                    Some(STEPS_HEADER[k]),
                    format!(
                        "columns {} and {} are both \"{n}\": each column once",
                        j + 1,
                        i + 1
                    ),
                ));
            }
            seen[k] = Some(i);
        }
        map.push(k);
    }
    let unknown: Vec<(usize, &String)> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| map[*i].is_none())
        .collect();
    if let Some(k) = (0..OLD_COLUMNS).find(|&k| seen[k].is_none()) {
        let want = STEPS_HEADER[k];
        let near = unknown
            .iter()
            .filter(|(_, n)| distance(n, want) <= 3)
            .min_by_key(|(_, n)| distance(n, want));
        let msg = match near {
            Some((i, n)) => format!(
                "column {} is {}, which is not a per-step column: is it {want}? The per-step header is {}",
                i + 1,
                quoted(n),
                STEPS_HEADER.join(",")
            ),
            None => format!(
                "the header has no column {want}; every per-step CSV has {} (and may add {})",
                STEPS_HEADER[..OLD_COLUMNS].join(","),
                STEPS_HEADER[OLD_COLUMNS..].join(",")
            ),
        };
        return Err(csv_err(line, Some(want), msg));
    }
    for (i, n) in unknown {
        notes.push(format!(
            "column {} ({}) is not a per-step column: it is ignored",
            i + 1,
            quoted(n)
        ));
    }
    Ok((map, notes))
}

/// What a per-step column may hold (docs/trace-format.md "Per step").
fn check_cell(k: usize, v: f64) -> Option<&'static str> {
    match STEPS_HEADER[k] {
        "step" | "samples" | "tokens" if !(v.fract() == 0.0 && v >= 0.0) => {
            Some("a whole number ≥ 0")
        }
        "mean_entropy" if v < 0.0 => Some("an entropy, ≥ 0"),
        "mean_prob" if !(0.0..=1.0).contains(&v) => Some("a probability, from 0 to 1"),
        "share_pos_expand" | "share_pos_contract" | "share_neg_expand" | "share_neg_contract"
        | "agree_token_term" | "agree_pg_polarity"
            if !(0.0..=1.0).contains(&v) =>
        {
            Some("a share, from 0 to 1")
        }
        _ => None,
    }
}

/// Reads a per-step CSV: its columns by name, in any order; the 12 columns
/// every per-step CSV has are required, the 3 same-context ones optional,
/// unknown ones ignored (one note each). Empty cells are NaN. Steps must
/// increase from line to line; counts are whole, shares and mean_prob in
/// [0, 1], mean_entropy ≥ 0.
pub fn parse_steps_noted(text: &str) -> Result<(Vec<StepRow>, Vec<String>), RunError> {
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
    let names = cells(header.1);
    let (map, notes) = header_columns(&names, header.0)?;
    let width = names.len();
    let mut rows: Vec<StepRow> = vec![];
    let mut prev: Option<(f64, u64)> = None;
    for (no, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let parts = cells(line);
        if parts.len() != width {
            return Err(csv_err(
                no,
                None,
                format!("{} cells where the header has {width}", parts.len()),
            ));
        }
        let mut v = [f64::NAN; 15];
        for (cell, k) in parts.iter().zip(&map) {
            let Some(k) = *k else { continue };
            if cell.is_empty() {
                continue;
            }
            let name = STEPS_HEADER[k];
            let x = cell
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    csv_err(
                        no,
                        Some(name),
                        format!(
                            "{name} is {}, not a finite number (leave the cell empty for no value)",
                            quoted(cell)
                        ),
                    )
                })?;
            if let Some(want) = check_cell(k, x) {
                return Err(csv_err(
                    no,
                    Some(name),
                    format!("{name} is {x}: it must be {want}"),
                ));
            }
            v[k] = x;
        }
        if v[0].is_nan() {
            return Err(csv_err(no, Some("step"), "the step cell is empty".into()));
        }
        if let Some((p, at)) = prev {
            if v[0] <= p {
                return Err(csv_err(
                    no,
                    Some("step"),
                    format!(
                        "step {} comes after step {p} (line {at}): the steps must increase, one line per step (sort the CSV by step)",
                        v[0]
                    ),
                ));
            }
        }
        prev = Some((v[0], no));
        rows.push(StepRow::from_cells(v));
    }
    Ok((rows, notes))
}

/// [`parse_steps_noted`] without the notes.
pub fn parse_steps(text: &str) -> Result<Vec<StepRow>, RunError> {
    parse_steps_noted(text).map(|(rows, _)| rows)
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
    }
}
