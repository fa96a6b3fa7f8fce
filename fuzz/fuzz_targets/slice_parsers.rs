//! Every slice-parser entry point on arbitrary bytes: none may panic.
//! The first byte picks the file-name hint and options; seed the corpus with
//! www/examples/* (see the command in fuzz/Cargo.toml).
#![no_main]

use entropy_polarity::math::slice::{
    DecodeNotes,
    decode_advantages, decode_all, decode_rows, decode_tokens, parse_any_with, read_header,
    row_byte_range, Header, ParseOptions, TensorPick,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&flags, data)) = input.split_first() else {
        return;
    };
    let name = ["a.npy", "a.safetensors", "a.json", "a.csv", "a.bin"][(flags % 5) as usize];
    let opts = ParseOptions {
        confirm_bf16: flags & 0x08 != 0,
        logits_tensor: (flags & 0x10 != 0).then(|| "logits".to_string()),
        tokens_tensor: if flags & 0x20 != 0 {
            TensorPick::Skip
        } else {
            TensorPick::Auto
        },
        advantages_tensor: if flags & 0x40 != 0 {
            TensorPick::Named("advantages".into())
        } else {
            TensorPick::Auto
        },
    };
    let _ = parse_any_with(name, data, &opts);
    let extra = if flags & 0x80 != 0 { 1 << 20 } else { 0 };
    for cut in [data.len(), data.len() / 2, data.len().min(64)] {
        let Ok(Header::Ready(l)) =
            read_header(name, &data[..cut], (data.len() + extra) as u64, &opts)
        else {
            continue;
        };
        let (start, end) = l.data_range();
        let region = data
            .get(start as usize..(end as usize).min(data.len()))
            .unwrap_or(&[]);
        let _ = decode_all(&l, region, &mut DecodeNotes::default());
        let mut out = Vec::new();
        let _ = decode_rows(&l, 0, region, &mut out, &mut DecodeNotes::default());
        if let Ok((a, b)) = row_byte_range(&l, l.rows.saturating_sub(1)) {
            if let Some(row) = data.get(a as usize..b as usize) {
                let _ = decode_rows(&l, l.rows - 1, row, &mut out, &mut DecodeNotes::default());
            }
        }
        if let Some(t) = &l.tokens {
            if let Some(b) = data.get(t.start as usize..t.end as usize) {
                let _ = decode_tokens(&l, b);
            }
        }
        if let Some(a) = &l.advantages {
            if let Some(b) = data.get(a.start as usize..a.end as usize) {
                let _ = decode_advantages(&l, b);
            }
        }
    }
});
