//! Sealed prime-rl chunks (`NNNNN.jsonl.zst`): zstd in independent frames
//! ("seekable zstd", each frame at most 4 MiB of text) followed by a skippable
//! frame holding the seek table. A reader of the whole chunk just decodes the
//! frames one after another and skips the skippable ones; `ruzstd` does both
//! and builds for wasm32.

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// A frame's text is handed on once the frame is whole and its checksum
/// matches; a frame that decodes to more than this is handed on in pieces
/// as it goes (a damaged end is then reported after its first pieces).
const HOLD_BYTES: usize = 16 << 20;

/// Decodes every frame of `input`. On a corrupt frame, returns what the
/// frames before it held and a message naming the frame and its byte offset,
/// so the lines before the damage are still read.
pub fn decode(input: &[u8]) -> (Vec<u8>, Option<String>) {
    let mut out = Vec::new();
    let damage = decode_each(input, |text| out.extend_from_slice(text));
    (out, damage)
}

/// Decodes `input` frame by frame, handing each frame's text to `each`
/// (memory: one frame's text, at most [`HOLD_BYTES`]); returns the message
/// of a corrupt frame, where decoding stopped.
pub fn decode_each(input: &[u8], mut each: impl FnMut(&[u8])) -> Option<String> {
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
                    None => return fail(&"the skippable frame runs past the end"),
                }
                continue;
            }
            Err(e) => return fail(&e),
        }
        out.clear();
        loop {
            if let Err(e) = dec.decode_blocks(&mut rest, BlockDecodingStrategy::UptoBytes(1 << 20))
            {
                return fail(&e);
            }
            if let Some(bytes) = dec.collect() {
                out.extend_from_slice(&bytes);
            }
            if dec.is_finished() {
                break;
            }
            if rest.is_empty() {
                return fail(&"the file ends inside the frame");
            }
            if out.len() > HOLD_BYTES {
                each(&out);
                out.clear();
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
                return fail(&"its checksum does not match the data");
            }
        }
        each(&out);
    }
    None
}
