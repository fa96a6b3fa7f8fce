//! Token text from a Hugging Face `tokenizer.json`, for traces that carry only
//! ids. Only what decoding needs: `model.vocab` (an object token → id for
//! BPE/WordPiece, or a list of [piece, score] for Unigram), `added_tokens`,
//! and the decoder: `ByteLevel` (every character stands for one byte through
//! GPT-2's bytes_to_unicode table), `Metaspace` / `Replace` ("▁" → space) and
//! `ByteFallback` (`<0x0A>` → the byte 0x0A). Bytes become text with UTF-8
//! replacement (U+FFFD) for what is not valid.

use std::collections::HashMap;

use serde_json::Value;

use super::error::{clip as short, code, RunError};

#[derive(Clone, Debug, Default)]
pub struct Tokenizer {
    /// Id → token string as stored in the vocabulary (a map: memory follows
    /// the entries, not the largest id, so an id of 16,777,215 costs one entry).
    pieces: HashMap<u32, String>,
    /// Ids of added tokens, written as they are (no byte mapping).
    added: HashMap<u32, String>,
    byte_level: bool,
    /// The metaspace character to turn into a space ("▁" for SentencePiece).
    metaspace: Option<char>,
    byte_fallback: bool,
}

fn err(msg: impl Into<String>) -> RunError {
    RunError::new(code::TOKENIZER, msg)
}

/// GPT-2's bytes_to_unicode, inverted: the character that stands for each byte.
fn byte_level_table() -> HashMap<char, u8> {
    let mut bs: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut cs = bs.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !bs.contains(&b) {
            bs.push(b);
            cs.push(256 + n);
            n += 1;
        }
    }
    bs.iter()
        .zip(&cs)
        .map(|(&b, &c)| (char::from_u32(c).unwrap(), b as u8))
        .collect()
}

thread_local! {
    static BYTE_LEVEL: HashMap<char, u8> = byte_level_table();
}

impl Tokenizer {
    pub fn from_json(text: &str) -> Result<Self, RunError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| err(format!("this tokenizer.json is not JSON: {e}")))?;
        let model = v.get("model").ok_or_else(|| {
            err("this JSON has no \"model\": it is not a Hugging Face tokenizer.json")
                .field("model")
        })?;
        let mut pieces: HashMap<u32, String> = HashMap::new();
        let mut put = |id: u32, s: &str| {
            pieces.insert(id, s.to_string());
        };
        match model.get("vocab") {
            Some(Value::Object(m)) => {
                for (tok, id) in m {
                    let id = token_id(id).ok_or_else(|| {
                        err(format!(
                            "model.vocab[\"{}\"] is {}, not a token id (a whole number from 0 to 4294967295)",
                            short(tok),
                            short(&id.to_string())
                        ))
                        .field("model.vocab")
                    })?;
                    put(id, tok);
                }
            }
            Some(Value::Array(list)) => {
                for (id, entry) in list.iter().enumerate() {
                    let piece = entry
                        .get(0)
                        .and_then(Value::as_str)
                        .or_else(|| entry.as_str())
                        .ok_or_else(|| {
                            err(format!("model.vocab[{id}] is not [piece, score]"))
                                .field("model.vocab")
                        })?;
                    let id = u32::try_from(id).map_err(|_| {
                        err("model.vocab has more than 4294967296 entries").field("model.vocab")
                    })?;
                    put(id, piece);
                }
            }
            _ => {
                return Err(
                    err("model.vocab is missing: this tokenizer.json has no vocabulary")
                        .field("model.vocab"),
                )
            }
        }
        let mut added = HashMap::new();
        if let Some(Value::Array(list)) = v.get("added_tokens") {
            for (i, t) in list.iter().enumerate() {
                let Some(content) = t.get("content").and_then(Value::as_str) else {
                    continue;
                };
                // An id beyond u32 would wrap onto another token (2³² + 1 onto 1).
                let id = t.get("id").and_then(token_id).ok_or_else(|| {
                    err(format!(
                        "added_tokens[{i}].id is {}, not a token id (a whole number from 0 to 4294967295)",
                        t.get("id").map_or("missing".into(), |v| short(&v.to_string()))
                    ))
                    .field(format!("added_tokens[{i}].id"))
                })?;
                added.insert(id, content.to_string());
                put(id, content);
            }
        }
        let mut tok = Tokenizer {
            pieces,
            added,
            byte_fallback: model
                .get("byte_fallback")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            ..Default::default()
        };
        if let Some(d) = v.get("decoder") {
            tok.read_decoder(d);
        }
        Ok(tok)
    }

    fn read_decoder(&mut self, d: &Value) {
        match d.get("type").and_then(Value::as_str) {
            Some("ByteLevel") => self.byte_level = true,
            Some("ByteFallback") => self.byte_fallback = true,
            Some("Metaspace") => {
                let r = d
                    .get("replacement")
                    .and_then(Value::as_str)
                    .and_then(|s| s.chars().next());
                self.metaspace = Some(r.unwrap_or('▁'));
            }
            Some("Replace") => {
                let pat = d
                    .get("pattern")
                    .and_then(|p| p.get("String"))
                    .and_then(Value::as_str);
                let content = d.get("content").and_then(Value::as_str);
                if let (Some(p), Some(" ")) = (pat, content) {
                    self.metaspace = p.chars().next();
                }
            }
            Some("Sequence") => {
                if let Some(Value::Array(ds)) = d.get("decoders") {
                    for x in ds {
                        self.read_decoder(x);
                    }
                }
            }
            _ => {}
        }
    }

    /// One more than the largest id (0 for an empty vocabulary).
    pub fn vocab_size(&self) -> usize {
        self.pieces.keys().max().map_or(0, |&m| m as usize + 1)
    }

    /// The bytes a token stands for.
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        let Some(piece) = self.pieces.get(&id) else {
            return format!("<id {id}>").into_bytes();
        };
        if self.added.contains_key(&id) {
            return piece.as_bytes().to_vec();
        }
        if self.byte_fallback {
            if let Some(b) = byte_fallback(piece) {
                return vec![b];
            }
        }
        if self.byte_level {
            return BYTE_LEVEL.with(|t| {
                let mut out = Vec::with_capacity(piece.len());
                for c in piece.chars() {
                    match t.get(&c) {
                        Some(&b) => out.push(b),
                        None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                    }
                }
                out
            });
        }
        match self.metaspace {
            Some(m) => piece.replace(m, " ").into_bytes(),
            None => piece.as_bytes().to_vec(),
        }
    }

    /// Each token on its own (a character split across tokens shows as U+FFFD).
    pub fn decode_each(&self, ids: &[u32]) -> Vec<String> {
        ids.iter()
            .map(|&id| String::from_utf8_lossy(&self.token_bytes(id)).into_owned())
            .collect()
    }

    /// The tokens of one sample, decoded together: each character goes to the
    /// token holding its last byte, so a character split across tokens appears
    /// once, whole, on the token that completes it (the earlier ones show "").
    pub fn decode_tokens(&self, ids: &[u32]) -> Vec<String> {
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(ids.len()); // end offset of each token
        for &id in ids {
            bytes.extend(self.token_bytes(id));
            ends.push(bytes.len());
        }
        let mut out = vec![String::new(); ids.len()];
        let mut tok = 0usize;
        let mut at = 0usize;
        let mut give = |last_byte: usize, s: &str, tok: &mut usize| {
            while *tok + 1 < ends.len() && ends[*tok] <= last_byte {
                *tok += 1;
            }
            out[*tok].push_str(s);
        };
        for chunk in bytes.utf8_chunks() {
            for (i, c) in chunk.valid().char_indices() {
                give(
                    at + i + c.len_utf8() - 1,
                    c.encode_utf8(&mut [0; 4]),
                    &mut tok,
                );
            }
            at += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                at += chunk.invalid().len();
                give(at - 1, "\u{FFFD}", &mut tok);
            }
        }
        out
    }

    /// The whole text of the ids.
    pub fn decode_text(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids.iter().flat_map(|&id| self.token_bytes(id)).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// A JSON number that is a token id: a whole number in 0..=u32::MAX.
fn token_id(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|x| u32::try_from(x).ok())
}

/// `<0x0A>` → 0x0A.
fn byte_fallback(piece: &str) -> Option<u8> {
    let hex = piece.strip_prefix("<0x")?.strip_suffix('>')?;
    (hex.len() == 2)
        .then(|| u8::from_str_radix(hex, 16).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_table_is_a_bijection() {
        let t = byte_level_table();
        assert_eq!(t.len(), 256);
        assert_eq!(t[&'Ġ'], b' ');
        assert_eq!(t[&'Ċ'], b'\n');
        assert_eq!(t[&'!'], b'!');
    }
}
