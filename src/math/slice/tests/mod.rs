//! Unit tests on hand-built byte buffers: every format, every refusal.
//! Expected values are written out by hand (known bit patterns), not
//! computed with the code under test.

use super::*;

mod csv;
mod hostile;
mod json;
mod npy;
mod safetensors;
mod sniff;
mod streaming;

const NEG: f32 = f32::NEG_INFINITY;
/// Six logits with a masked one, used by several formats.
const V6: [f32; 6] = [1.5, -2.25, 0.0, 3.0, NEG, -0.5];

// ------------------------------------------------------------ builders

/// A .npy file: header dict text, version, payload.
fn npy_v(version: u8, dict: &str, payload: &[u8]) -> Vec<u8> {
    let mut header = dict.as_bytes().to_vec();
    header.push(b'\n');
    let mut out = b"\x93NUMPY".to_vec();
    out.push(version);
    out.push(0);
    if version == 1 {
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(&header);
    out.extend_from_slice(payload);
    out
}

fn npy(descr: &str, fortran: bool, shape: &str, payload: &[u8]) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    npy_v(1, &dict, payload)
}

fn f32s_le(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
fn f32s_be(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}
fn f64s_le(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
fn f64s_be(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}
fn u16s_le(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
fn u16s_be(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

/// A .safetensors file from (name, dtype, shape, bytes), in this order.
fn st(tensors: &[(&str, &str, &[usize], Vec<u8>)]) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut offset = 0;
    for (name, dtype, shape, raw) in tensors {
        let shape: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        entries.push(format!(
            "\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{}],\"data_offsets\":[{offset},{}]}}",
            shape.join(","),
            offset + raw.len()
        ));
        offset += raw.len();
    }
    let header = format!(
        "{{\"__metadata__\":{{\"format\":\"pt\"}},{}}}",
        entries.join(",")
    );
    st_raw(
        &header,
        &tensors
            .iter()
            .flat_map(|t| t.3.clone())
            .collect::<Vec<u8>>(),
    )
}

fn st_raw(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn parse(name: &str, bytes: &[u8]) -> Result<Slice, ParseError> {
    parse_any(name, bytes)
}

fn ok(name: &str, bytes: &[u8]) -> Slice {
    parse(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn err(name: &str, bytes: &[u8]) -> ParseError {
    match parse(name, bytes) {
        Ok(s) => panic!("{name}: expected an error, got {s:?}"),
        Err(e) => e,
    }
}

fn layout_of(bytes: &[u8], opts: &ParseOptions) -> FileLayout {
    match read_header("x", bytes, bytes.len() as u64, opts).unwrap() {
        Header::Ready(l) => *l,
        other => panic!("{other:?}"),
    }
}
