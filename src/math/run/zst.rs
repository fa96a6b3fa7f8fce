//! Sealed prime-rl chunks (`NNNNN.jsonl.zst`): zstd in independent frames
//! ("seekable zstd", each frame at most 4 MiB of text) followed by a skippable
//! frame holding the seek table. A reader of the whole chunk just decodes the
//! frames one after another and skips the skippable ones; `ruzstd` does both
//! and builds for wasm32.

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// Decodes every frame of `input`. On a corrupt frame, returns what the
/// frames before it held and a message naming the frame and its byte offset,
/// so the lines before the damage are still read.
pub fn decode(input: &[u8]) -> (Vec<u8>, Option<String>) {
    let mut out = Vec::new();
    let mut rest = input;
    let mut dec = FrameDecoder::new();
    let mut frame = 0usize;
    while !rest.is_empty() {
        let offset = input.len() - rest.len();
        frame += 1;
        let fail = |e: &dyn std::fmt::Display| {
            Some(format!(
                "zstd frame {frame} (byte {offset}) is corrupt: {e}; the lines before it are kept"
            ))
        };
        match dec.init(&mut rest) {
            Ok(()) => {}
            Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                length,
                ..
            })) => {
                // The seek table (or any skippable frame): not data.
                match rest.get(length as usize..) {
                    Some(r) => rest = r,
                    None => return (out, fail(&"the skippable frame runs past the end")),
                }
                continue;
            }
            Err(e) => return (out, fail(&e)),
        }
        let start = out.len();
        loop {
            if let Err(e) = dec.decode_blocks(&mut rest, BlockDecodingStrategy::UptoBytes(1 << 20))
            {
                out.truncate(start);
                return (out, fail(&e));
            }
            if let Some(bytes) = dec.collect() {
                out.extend_from_slice(&bytes);
            }
            if dec.is_finished() {
                break;
            }
            if rest.is_empty() {
                out.truncate(start);
                return (out, fail(&"the file ends inside the frame"));
            }
        }
        if let Some(bytes) = dec.collect() {
            out.extend_from_slice(&bytes);
        }
        // A frame written with a checksum (zstd's default) must match it: a
        // flipped byte inside a raw block decodes without any other complaint.
        if let (Some(want), Some(got)) =
            (dec.get_checksum_from_data(), dec.get_calculated_checksum())
        {
            if want != got {
                out.truncate(start);
                return (out, fail(&"its checksum does not match the data"));
            }
        }
    }
    (out, None)
}
