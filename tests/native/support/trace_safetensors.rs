//! Writes a safetensors trace (docs/trace-format.md) from 1-D columns, with
//! the trace metadata, for the run reader's tests.

use safetensors::tensor::TensorView;
pub use safetensors::Dtype;

/// Little-endian bytes of i64 and f32 columns.
pub fn le64(v: &[i64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
pub fn lef(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// `columns`: (name, dtype, entries, bytes), each a 1-D tensor.
pub fn trace(columns: &[(&str, Dtype, usize, Vec<u8>)]) -> Vec<u8> {
    let views: Vec<(&str, TensorView)> = columns
        .iter()
        .map(|(name, dtype, n, bytes)| (*name, TensorView::new(*dtype, vec![*n], bytes).unwrap()))
        .collect();
    let meta = [
        ("trace".to_string(), "entropy-polarity".to_string()),
        ("version".to_string(), "1".to_string()),
    ]
    .into_iter()
    .collect();
    safetensors::serialize(views, Some(meta)).unwrap()
}
