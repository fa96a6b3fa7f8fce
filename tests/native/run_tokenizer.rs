//! Token text from small hand-written tokenizer.json files: GPT-2 byte-level
//! BPE, SentencePiece-style Metaspace with byte fallback (Llama), a Unigram
//! vocabulary list, added tokens, and characters split across tokens.

#![cfg(not(target_arch = "wasm32"))]

use entropy_polarity::math::run::code;
use entropy_polarity::math::run::tokenizer::Tokenizer;

#[test]
fn byte_level_bpe() {
    // "é" is the bytes C3 A9, which bytes_to_unicode maps to 'Ã' and '©';
    // "Ġ" stands for a space and "Ċ" for a newline.
    let t = Tokenizer::from_json(
        r#"{"version":"1.0","added_tokens":[{"id":6,"content":"<|im_end|>","special":true}],
            "model":{"type":"BPE","vocab":{"Hello":0,"Ġworld":1,"Ċ":2,"Ã©":3,"Ã":4,"©":5},"merges":[]},
            "decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true}}"#,
    )
    .unwrap();
    assert_eq!(
        t.decode_each(&[0, 1, 2, 3, 6]),
        ["Hello", " world", "\n", "é", "<|im_end|>"]
    );
    // Split across two tokens: alone each is invalid UTF-8 ...
    assert_eq!(t.decode_each(&[4, 5]), ["\u{FFFD}", "\u{FFFD}"]);
    // ... decoded as one sample, the character goes to the token completing it.
    assert_eq!(t.decode_tokens(&[0, 4, 5, 1]), ["Hello", "", "é", " world"]);
    assert_eq!(t.decode_text(&[0, 4, 5]), "Helloé");
    // A lone continuation byte stays a replacement character on its token.
    assert_eq!(t.decode_tokens(&[5, 0]), ["\u{FFFD}", "Hello"]);
    assert_eq!(t.decode_each(&[99]), ["<id 99>"]);
}

#[test]
fn metaspace_with_byte_fallback() {
    // Llama-2 style decoder: Replace ▁ → " ", ByteFallback, Fuse, Strip.
    let t = Tokenizer::from_json(
        r#"{"model":{"type":"BPE","byte_fallback":true,
              "vocab":{"<unk>":0,"<s>":1,"</s>":2,"<0x0A>":3,"▁Hello":4,"▁world":5,"<0xE2>":6,"<0x82>":7,"<0xAC>":8}},
            "decoder":{"type":"Sequence","decoders":[
              {"type":"Replace","pattern":{"String":"▁"},"content":" "},
              {"type":"ByteFallback"},{"type":"Fuse"},
              {"type":"Strip","content":" ","start":1,"stop":0}]}}"#,
    )
    .unwrap();
    assert_eq!(t.decode_each(&[4, 5, 3]), [" Hello", " world", "\n"]);
    // "€" = E2 82 AC in three byte-fallback tokens.
    assert_eq!(t.decode_tokens(&[4, 6, 7, 8]), [" Hello", "", "", "€"]);
    assert_eq!(t.decode_text(&[6, 7, 8, 3]), "€\n");
}

#[test]
fn unigram_list_with_metaspace() {
    let t = Tokenizer::from_json(
        r#"{"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0.0],["▁a",-1.5],["b",-2.0]]},
            "decoder":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always"}}"#,
    )
    .unwrap();
    assert_eq!(t.vocab_size(), 3);
    assert_eq!(t.decode_each(&[1, 2, 1]), [" a", "b", " a"]);
}

#[test]
fn refusals_name_the_field() {
    let e = Tokenizer::from_json("{not json").unwrap_err();
    assert_eq!(e.code, code::TOKENIZER);
    let e = Tokenizer::from_json(r#"{"version":"1.0"}"#).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (code::TOKENIZER, Some("model"))
    );
    let e = Tokenizer::from_json(r#"{"model":{"type":"BPE"}}"#).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("model.vocab"));
    let e = Tokenizer::from_json(r#"{"model":{"vocab":{"a":"x"}}}"#).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("model.vocab"));
}

/// The hostile-input sweep (issue 19, items 4 and 11): an added token's id
/// of 2³² + 1 used to wrap onto token 1, and an id of 16,777,215 made the
/// vocabulary 16,777,216 slots long.
#[test]
fn ids_out_of_range_are_refused_and_large_ids_cost_one_entry() {
    let e = Tokenizer::from_json(
        r#"{"added_tokens":[{"id":4294967297,"content":"<evil>"}],
            "model":{"type":"BPE","vocab":{"a":0,"b":1}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.code, code::TOKENIZER);
    assert_eq!(e.field.as_deref(), Some("added_tokens[0].id"));
    assert!(e.message.contains("4294967297"), "{}", e.message);
    for bad in ["-1", "1.5", "4294967296"] {
        let text = format!(r#"{{"model":{{"type":"BPE","vocab":{{"a":0,"b":{bad}}}}}}}"#);
        let e = Tokenizer::from_json(&text).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("model.vocab"), "{bad}");
    }
    let t = Tokenizer::from_json(
        r#"{"added_tokens":[{"id":16777215,"content":"<big>"}],
            "model":{"type":"BPE","vocab":{"a":0,"b":1,"far":4294967295}}}"#,
    )
    .unwrap();
    assert_eq!(
        t.decode_each(&[1, 16_777_215, 4_294_967_295]),
        ["b", "<big>", "far"]
    );
    assert_eq!(t.vocab_size(), 1 << 32);
}
