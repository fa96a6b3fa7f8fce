#!/usr/bin/env python3
"""Write the example logit slices in www/examples/ and their expected decoded
values in tests/fixtures/examples_expected.json.

Python standard library only (struct, json, random): the .npy and
.safetensors bytes are written by hand, so the Rust parsers are checked
against an independent writer, and every expected value is computed here
(float32 / float16 rounding with struct, bfloat16 round-to-nearest-even by
hand). Fixed seed: running it again writes the same bytes.

    python3 scripts/make_examples.py
"""

import json
import math
import os
import random
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "www", "examples")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "examples_expected.json")
SEED = 20260515
NEG_INF = float("-inf")


# ---------------------------------------------------------------- rounding

def f32(x):
    """Nearest float32 (round half to even), as a Python float."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f16(x):
    """Nearest float16 (struct's 'e' format rounds half to even)."""
    return struct.unpack("<e", struct.pack("<e", x))[0]


def bf16_bits(x):
    """bfloat16 bits of x: round the float32 bits to 16 (half to even)."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    if (bits & 0x7F800000) == 0x7F800000:  # inf / nan: truncate
        return bits >> 16
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16) & 0xFFFF


def bf16_value(b):
    return struct.unpack("<f", struct.pack("<I", b << 16))[0]


# Known values (checked again in the Rust tests).
assert bf16_bits(1.0) == 0x3F80 and bf16_bits(-2.0) == 0xC000
assert bf16_bits(1.00390625) == 0x3F80  # exactly halfway: ties to even (down)
assert bf16_bits(1.01171875) == 0x3F82  # halfway between 0x3F81 and 0x3F82: up to even
assert bf16_bits(NEG_INF) == 0xFF80


# ---------------------------------------------------------------- data

def logit_rows(rng, rows, vocab, masked=0, quantum=None):
    """Zipf-like logits plus noise; `masked` entries per row set to -inf."""
    out = []
    for r in range(rows):
        scale = 0.6 + 0.25 * r
        row = [-scale * 1.3 * math.log(j + 1) + rng.gauss(0.0, 1.0) for j in range(vocab)]
        rng.shuffle(row)
        if quantum:
            row = [round(z * quantum) / quantum for z in row]
        for j in rng.sample(range(vocab), masked):
            row[j] = NEG_INF
        out.append(row)
    return out


def softmax(row):
    m = max(row)
    e = [math.exp(z - m) if z != NEG_INF else 0.0 for z in row]
    s = sum(e)
    return [x / s for x in e]


def sample(rng, probs):
    u = rng.random()
    acc = 0.0
    for i, p in enumerate(probs):
        acc += p
        if u < acc:
            return i
    return max(i for i, p in enumerate(probs) if p > 0)


# ---------------------------------------------------------------- writers

def npy_bytes(descr, fortran, shape, payload, version=(1, 0)):
    shape_txt = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_txt)
    pre = 10 if version[0] == 1 else 12
    total = pre + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    enc = header.encode("utf-8" if version[0] == 3 else "latin1")
    if version[0] == 1:
        lead = b"\x93NUMPY" + bytes(version) + struct.pack("<H", len(enc))
    else:
        lead = b"\x93NUMPY" + bytes(version) + struct.pack("<I", len(enc))
    assert (len(lead) + len(enc)) % 64 == 0
    return lead + enc + payload


def pack(fmt_char, endian, values):
    return struct.pack(endian + fmt_char * len(values), *values)


def safetensors_bytes(tensors):
    """tensors: list of (name, dtype, shape, raw bytes), written in this order."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(raw for _, _, _, raw in tensors)


def checks(rows, pick_rows):
    """(row, col, value) at the first, last and a middle column of some rows."""
    out = []
    vocab = len(rows[0])
    for r in pick_rows:
        for c in sorted({0, vocab // 2, vocab - 1}):
            out.append([r, c, enc(rows[r][c])])
    # every masked entry of those rows too
    for r in pick_rows:
        for c, v in enumerate(rows[r]):
            if v == NEG_INF and [r, c, "-inf"] not in out:
                out.append([r, c, "-inf"])
    return out


def enc(v):
    return "-inf" if v == NEG_INF else v


# ---------------------------------------------------------------- examples

def write_json(path, obj, indent=None):
    """The file holds json.dumps(obj) and a final newline."""
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent)
        f.write("\n")


def main():
    rng = random.Random(SEED)
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    expected = []

    def write(name, data):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)

    def full(name, fmt, rows, decoded, tokens=None, advantages=None, options=None, warnings=0):
        expected.append({
            "file": name, "format": fmt, "rows": len(decoded), "vocab": len(decoded[0]),
            "checks": checks(decoded, sorted({0, min(1, len(decoded) - 1), len(decoded) // 2, len(decoded) - 1})),
            "row_sums": [sum(v for v in row if v != NEG_INF) for row in decoded],
            "masked": sum(1 for row in decoded for v in row if v == NEG_INF),
            "tokens": tokens, "advantages": advantages, "truncated": False,
            "options": options or {},
        })

    # toy.npy: float32, C order, 8 × 50, two masked tokens per row, v1.0.
    rows = logit_rows(rng, 8, 50, masked=2)
    dec = [[f32(z) for z in row] for row in rows]
    write("toy.npy", npy_bytes("<f4", False, (8, 50), pack("f", "<", [z for row in rows for z in row])))
    full("toy.npy", "npy", rows, dec)

    # fortran_f64.npy: float64, Fortran (column-major) order, 6 × 40, v1.0.
    rows = logit_rows(rng, 6, 40, masked=1)
    colmajor = [rows[r][c] for c in range(40) for r in range(6)]
    write("fortran_f64.npy", npy_bytes("<f8", True, (6, 40), pack("d", "<", colmajor)))
    full("fortran_f64.npy", "npy", rows, [[f32(z) for z in row] for row in rows])

    # big_endian_v2.npy: '>f4', header version 2.0, shape (1, 5, 32) (leading 1 squeezed).
    rows = logit_rows(rng, 5, 32)
    write("big_endian_v2.npy", npy_bytes(">f4", False, (1, 5, 32),
                                         pack("f", ">", [z for row in rows for z in row]), version=(2, 0)))
    full("big_endian_v2.npy", "npy", rows, [[f32(z) for z in row] for row in rows])

    # f16.npy: '<f2', header version 3.0, 4 × 64.
    rows = logit_rows(rng, 4, 64, masked=3)
    write("f16.npy", npy_bytes("<f2", False, (4, 64), pack("e", "<", [z for row in rows for z in row]),
                               version=(3, 0)))
    full("f16.npy", "npy", rows, [[f16(z) for z in row] for row in rows])

    # bf16.npy: '|V2' raw 2-byte values holding bfloat16 (needs confirm_bf16), 1-D: one row of 96.
    row = logit_rows(rng, 1, 96, masked=1)[0]
    bits = [bf16_bits(z) for z in row]
    write("bf16.npy", npy_bytes("|V2", False, (96,), pack("H", "<", bits)))
    full("bf16.npy", "npy", [row], [[bf16_value(b) for b in bits]], options={"confirm_bf16": True})

    # slice.safetensors: BF16 logits 8 × 64, I64 tokens, F32 advantages.
    rows = logit_rows(rng, 8, 64, masked=2)
    bits = [[bf16_bits(z) for z in row] for row in rows]
    dec = [[bf16_value(b) for b in row] for row in bits]
    tokens = [sample(rng, softmax(row)) for row in dec]
    adv = [f32(round(rng.gauss(0.0, 1.0), 3)) for _ in rows]
    write("slice.safetensors", safetensors_bytes([
        ("logits", "BF16", [8, 64], pack("H", "<", [b for row in bits for b in row])),
        ("tokens", "I64", [8], pack("q", "<", tokens)),
        ("advantages", "F32", [8], pack("f", "<", adv)),
    ]))
    full("slice.safetensors", "safetensors", rows, dec, tokens=tokens, advantages=adv)

    # slice.json: {"logits", "tokens", "advantages"}, 5 × 20, values on a 1/256 grid
    # (exact in decimal, float32 and float64).
    rows = logit_rows(rng, 5, 20, quantum=256)
    tokens = [sample(rng, softmax(row)) for row in rows]
    adv = [round(rng.gauss(0.0, 1.0) * 64) / 64 for _ in rows]
    write_json(os.path.join(OUT, "slice.json"), {"logits": rows, "tokens": tokens, "advantages": adv})
    full("slice.json", "json", rows, rows, tokens=tokens, advantages=adv)

    # slice.csv: 6 × 30, one masked token per row written as -inf, 1/256 grid.
    rows = logit_rows(rng, 6, 30, masked=1, quantum=256)
    with open(os.path.join(OUT, "slice.csv"), "w") as f:
        for row in rows:
            f.write(",".join("-inf" if z == NEG_INF else repr(z) for z in row) + "\n")
    full("slice.csv", "csv", rows, rows)

    # Top-logprobs responses (truncated distributions).
    words = ["The", " answer", " is", " 42", ".", " So", " x", " =", " 7", ",", " then", " y",
             " +", " 3", " we", " get", " 10", " Therefore", " final", ":", "\n", " boxed",
             "{", "}", " and", " not", " 6", " 8", " because", " it", " equals", " sum",
             " of", " two", " numbers", " Let", " me", " check", " again", " yes"]

    def positions(n, k, forced_out):
        """n positions over `words`: (sampled token, its logprob, top-k list)."""
        out = []
        for i in range(n):
            logits = [rng.gauss(0.0, 2.5) - 0.08 * j for j in range(len(words))]
            m = max(logits)
            lse = m + math.log(sum(math.exp(z - m) for z in logits))
            lps = [z - lse for z in logits]
            order = sorted(range(len(words)), key=lambda j: -lps[j])
            top = [(words[j], lps[j]) for j in order[:k]]
            if i in forced_out:
                s = order[k + 2]  # sampled token outside the top k
            else:
                s = sample(rng, [math.exp(l) for l in lps])
            out.append((words[s], lps[s], top))
        return out

    def top_expect(name, pos):
        listed_mass, sampled, appended, vocab = [], [], [], 0
        rows = []
        for tok, lp, top in pos:
            entries = sorted(top, key=lambda e: -e[1])
            idx = next((i for i, (t, _) in enumerate(entries) if t == tok), None)
            if idx is None:
                entries.append((tok, lp))
                idx = len(entries) - 1
            appended.append(idx == len(top))
            sampled.append(idx)
            listed_mass.append(sum(math.exp(l) for _, l in entries))
            rows.append([l for _, l in entries])
            vocab = max(vocab, len(entries))
        dec = [[f32(l) for l in row] + [NEG_INF] * (vocab - len(row)) for row in rows]
        expected.append({
            "file": name, "format": "json", "rows": len(rows), "vocab": vocab,
            "checks": checks(dec, sorted({0, 1, len(dec) // 2, len(dec) - 1})),
            "row_sums": [sum(v for v in row if v != NEG_INF) for row in dec],
            "masked": sum(1 for row in dec for v in row if v == NEG_INF),
            "tokens": sampled, "advantages": None, "truncated": True,
            "listed_mass": listed_mass, "appended": appended,
            "labels_first_row": [t for t, _ in sorted(pos[0][2], key=lambda e: -e[1])],
            "options": {},
        })

    # chat_top_logprobs.json: chat.completion with 12 positions × top 5.
    pos = positions(12, 5, forced_out={7})
    content = [{
        "token": tok, "logprob": lp, "bytes": list(tok.encode()),
        "top_logprobs": [{"token": t, "logprob": l, "bytes": list(t.encode())} for t, l in top],
    } for tok, lp, top in pos]
    chat = {
        "id": "chatcmpl-example", "object": "chat.completion", "created": 1760000000,
        "model": "example-model",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "".join(p[0] for p in pos)},
            "logprobs": {"content": content},
            "finish_reason": "length",
        }],
        "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21},
    }
    write_json(os.path.join(OUT, "chat_top_logprobs.json"), chat, indent=1)
    top_expect("chat_top_logprobs.json", pos)

    # completions_top_logprobs.json: text_completion, 10 positions × top 4 (a dict per position).
    pos = positions(10, 4, forced_out={3})
    offsets, text = [], ""
    for tok, _, _ in pos:
        offsets.append(len(text))
        text += tok
    comp = {
        "id": "cmpl-example", "object": "text_completion", "created": 1760000000,
        "model": "example-model",
        "choices": [{
            "index": 0, "text": text,
            "logprobs": {
                "text_offset": offsets,
                "token_logprobs": [lp for _, lp, _ in pos],
                "tokens": [tok for tok, _, _ in pos],
                "top_logprobs": [{t: l for t, l in top} for _, _, top in pos],
            },
            "finish_reason": "length",
        }],
        "usage": {"prompt_tokens": 5, "completion_tokens": 10, "total_tokens": 15},
    }
    write_json(os.path.join(OUT, "completions_top_logprobs.json"), comp, indent=1)
    top_expect("completions_top_logprobs.json", pos)

    write_json(FIXTURE, {"seed": SEED, "examples": expected}, indent=1)
    print("wrote %d examples to %s" % (len(expected), OUT))


if __name__ == "__main__":
    main()
