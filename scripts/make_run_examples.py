#!/usr/bin/env python3
"""Writes the seeded example training runs and their expected per-step table.

    python3 scripts/make_run_examples.py [--check]

Writes, under www/examples/runs/ (about 0.6 MB in all):
  prime-rl/token_exports/step_<n>/rank_<r>.jsonl   prime-rl token exports
  trace/run.jsonl, trace/run.safetensors            our trace format v1 (same run twice)
  nemo-rl/train_data_step<N>.jsonl                  NeMo-RL train data (no entropy)
  openrlhf/board.jsonl                              OpenRLHF logging board (no entropy,
                                                    no advantages)
  prime-rl-traces/monitors/file/traces/...          prime-rl's trace stream with annotations
                                                    (scripts/prime_traces_example.py, its own
                                                    fixture; listed in index.json)
plus index.json (run name → its files, paths relative to www/examples/runs/, so
the page can fetch a run from a static server without a directory listing; the
real run smollm2-grpo/, written by scripts/real_run.py, is listed and checked
but not generated here),
and tests/fixtures/run_examples_expected.json: the per-step columns of
docs/trace-format.md for each run, computed here by a reader written apart from
the Rust core and the DuckDB query (plain Python, math.fsum). The expected table
is computed from the files as written (read back), not from the generator's
state, so it checks exactly what a reader of the files must get.

Every token comes from a real softmax over a 70-word vocabulary: its logprob,
the entropy H of its position and (trace) S̄ = Σ p_j S_j belong to the same
distribution. The logits sharpen from step to step, faster when the previous
step's mean token term was negative, so the realised entropy change across
steps is meaningful and follows the token term. Standard library only;
--check regenerates in memory and fails if the files on disk differ.
"""

import json
import math
import os
import random
import re
import struct
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "www", "examples", "runs")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "run_examples_expected.json")
SEED = 20260514

HEADER = [
    "step", "samples", "tokens", "mean_entropy", "mean_prob", "token_term",
    "share_pos_expand", "share_pos_contract", "share_neg_expand",
    "share_neg_contract", "pg_polarity", "realised_dh",
    "realised_dh_same", "agree_token_term", "agree_pg_polarity",
]

# A small word vocabulary, so the trace can carry token text.
WORDS = (
    " the of and to a in is that for it as with was on be by at this an are "
    "or from but not have all we can if so there their one will which has "
    "more no when up out do then its them only some than into two other "
    "time like first could any"
).split(" ")[1:]
WORDS = [" " + w for w in WORDS] + [str(d) for d in range(10)] + ["\n", ".", ",", "="]
V = len(WORDS)  # 70
TOKEN_BASE = 1000  # token id of WORDS[0]; other ids are offsets


def f32(x):
    """Rounds to float32, as torch's .tolist() of a float32 tensor gives."""
    if x is None or not math.isfinite(x):
        return x
    return struct.unpack("<f", struct.pack("<f", x))[0]


class Position:
    """One next-token distribution: softmax of sigma·g over the vocabulary
    (or of the logits z given)."""

    def __init__(self, rng, sigma, z=None):
        if z is None:
            z = [sigma * rng.gauss(0.0, 1.0) for _ in range(V)]
        m = max(z)
        y = [v - m for v in z]
        e = [math.exp(v) for v in y]
        total = math.fsum(e)
        self.p = [v / total for v in e]
        lse = math.log(total)
        self.logp = [v - lse for v in y]
        self.h = -math.fsum(p * l for p, l in zip(self.p, self.logp))
        # S̄ = Σ p_j (p_j − Σp²)(y_j − ȳ): doubly centred, never negative by rounding.
        ybar = math.fsum(p * v for p, v in zip(self.p, y))
        p2 = math.fsum(p * p for p in self.p)
        self.sbar = max(0.0, math.fsum(p * (p - p2) * (v - ybar) for p, v in zip(self.p, y)))

    def sample(self, rng):
        u, acc = rng.random(), 0.0
        for j, p in enumerate(self.p):
            acc += p
            if u < acc:
                return j
        return V - 1


def token_term(a, logp, h):
    p = math.exp(logp)
    return -a * p * (h + logp)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


# ---------------------------------------------------------------- prime-rl

def make_prime_rl(rng):
    """token_exports/step_<n>/rank_<r>.jsonl: 6 steps (step 5 not exported), 2 ranks."""
    files = {}
    sigma = 2.8
    for step in [0, 1, 2, 3, 4, 6]:
        terms = []
        for rank in range(2):
            lines = []
            # One prompt per rank file, three samples (a GRPO group); rewards 0/1.
            prompt = [rng.randrange(V) for _ in range(rng.randint(6, 10))]
            rewards = [rng.randint(0, 1) for _ in range(3)]
            if step == 2 and rank == 1:
                rewards = [1, 1, 1]  # a solved group: every advantage 0
            mean_r = sum(rewards) / 3
            std_r = math.sqrt(sum((r - mean_r) ** 2 for r in rewards) / 3)
            for s in range(3):
                if step == 3 and rank == 1:
                    adv = None  # std normalisation of a uniform group: NaN, written null
                    rewards = [0, 0, 0]
                else:
                    adv = (rewards[s] - mean_r) / (std_r + 1e-4)
                ids, lm, advs, tlp, ilp, ent, msk = [], [], [], [], [], [], []
                # context: the prompt, loss_mask false, advantage 0
                for j, tok in enumerate(prompt):
                    pos = Position(rng, 1.0)
                    ids.append(TOKEN_BASE + tok)
                    lm.append(False)
                    advs.append(0.0)
                    tlp.append(0.0 if j == 0 else f32(pos.logp[tok]))
                    ilp.append(0.0)
                    ent.append(f32(pos.h))
                    msk.append(False)
                # completion, then (sometimes) a tool result and a second turn
                turns = [rng.randint(8, 16)]
                if rng.random() < 0.4:
                    turns += [-rng.randint(3, 5), rng.randint(4, 8)]
                for n in turns:
                    for _ in range(abs(n)):
                        pos = Position(rng, sigma if n > 0 else 1.0)
                        k = pos.sample(rng)
                        lp = pos.logp[k]
                        ids.append(TOKEN_BASE + k)
                        if n < 0:  # tool output: context again
                            lm.append(False)
                            advs.append(0.0)
                            tlp.append(f32(lp))
                            ilp.append(0.0)
                            ent.append(f32(pos.h))
                            msk.append(False)
                            continue
                        drift = rng.gauss(0.0, 0.03)
                        if rng.random() < 0.04:
                            drift = rng.choice([-2.6, 2.4])  # far off-policy: trust-region masked
                        lm.append(True)
                        advs.append(None if adv is None else f32(adv))
                        tlp.append(f32(lp))
                        ilp.append(f32(min(0.0, lp + drift)))
                        ent.append(f32(pos.h))
                        msk.append(abs(drift) > 2.0)
                        if adv is not None and abs(drift) <= 2.0:
                            terms.append(token_term(adv, lp, pos.h))
                # NaN and inf are written as null: a few entropies and logprobs
                for _ in range(rng.choice([0, 0, 1])):
                    i = rng.randrange(len(prompt), len(ids))
                    if rng.random() < 0.5:
                        ent[i] = None
                    else:
                        tlp[i] = None
                ratio, kl, dprob = [], [], []
                for t, i_ in zip(tlp, ilp):
                    if t is None:
                        ratio.append(None)
                        kl.append(None)
                        dprob.append(None)
                        continue
                    r = math.exp(t - i_)
                    ratio.append(f32(r))
                    kl.append(f32(r - 1.0 - (t - i_)))
                    dprob.append(f32(math.exp(t) - math.exp(i_)))
                rec = {
                    "schema_version": 1,
                    "step": step,
                    "rank": rank,
                    "micro_step": s % 2,
                    "env_name": None if (step + rank) % 3 == 0 else ["gsm8k", "code"][rank],
                    "token_ids": ids,
                    "position_ids": list(range(len(ids))),
                    "loss_mask": lm,
                    "advantages": advs,
                    "inference_logprobs": ilp,
                    "trainer_logprobs": tlp,
                    "entropy": ent,
                    "is_masked": msk,
                    "mismatch_kl": kl,
                    "importance_ratio": ratio,
                    "prob_delta": dprob,
                }
                # Fields come and go under schema_version 1: is_masked is absent
                # from rank 1's files before step 2, null for one sample, and one
                # sample carries null entries for tokens it did not judge.
                if rank == 1 and step < 2:
                    del rec["is_masked"]
                elif step == 4 and rank == 0 and s == 2:
                    rec["is_masked"] = None
                elif step == 6 and rank == 1 and s == 0:
                    rec["is_masked"] = [None if not m else m for m in msk]
                lines.append(dumps(rec))
            files[f"prime-rl/token_exports/step_{step}/rank_{rank}.jsonl"] = "\n".join(lines) + "\n"
        # Sharpen: faster when the step's updates contracted entropy.
        mean_term = math.fsum(terms) / len(terms) if terms else 0.0
        sigma *= math.exp(0.12 - 2.0 * mean_term)
    return files


# ---------------------------------------------------------------- trace v1

# The trace run comes from a real (toy) policy: logits z = W x of a shared
# matrix W (V × D) and a random context vector x per position, trained by one
# plain policy-gradient step per training step on the mean over counted tokens
# of A·ln p_k. Positions share W, so a token's realised change is its own
# update plus the spill-over of every other token's: the same-context columns
# then measure something (with independent logits per position the first-order
# prediction would be right almost always).
D = 24
LEARNING_RATE = 12.0


def matvec(w, x):
    return [math.fsum(wj * xi for wj, xi in zip(row, x)) for row in w]


def make_trace(rng):
    """Our trace format: 6 steps × 4 samples; JSONL and safetensors of the same run,
    with entropy_after and logprob_after from the policy right after each step."""
    samples = []
    w = [[2.6 * rng.gauss(0.0, 1.0) for _ in range(D)] for _ in range(V)]
    for step in range(6):
        rewards = [rng.randint(0, 1) for _ in range(4)]
        if step == 2:
            rewards = [0, 0, 0, 0]  # no signal: every advantage 0, the shares are empty
        mean_r = sum(rewards) / 4
        std_r = math.sqrt(sum((r - mean_r) ** 2 for r in rewards) / 4)
        contexts = []  # per sample: the context vectors of its positions
        for s in range(4):
            adv = f32((rewards[s] - mean_r) / (std_r + 1e-4))
            n = rng.randint(8, 16)
            tid, lp, ent, sbar, advs, mask, text, xs = [], [], [], [], [], [], [], []
            for i in range(n):
                x = [rng.gauss(0.0, 1.0) / math.sqrt(D) for _ in range(D)]
                pos = Position(None, None, matvec(w, x))
                k = pos.sample(rng)
                xs.append((x, k, pos))
                tid.append(TOKEN_BASE + k)
                lp.append(f32(pos.logp[k]))
                ent.append(f32(pos.h))
                sbar.append(f32(pos.sbar))
                advs.append(adv)
                mask.append(not (s == 3 and i < 2))  # two tokens outside the loss
                text.append(WORDS[k])
            contexts.append(xs)
            samples.append(dict(step=step, sample=s, token_id=tid, logprob=lp, entropy=ent,
                                mean_discriminator=sbar, advantage=advs, mask=mask,
                                text=text, env_name=["gsm8k", "code"][s % 2]))
        # One step of gradient ascent on mean_t A_t ln p(k_t | x_t) over the
        # step's loss tokens: d ln p_k / dW = (e_k − p) xᵀ.
        mine = samples[-4:]
        grad = [[0.0] * D for _ in range(V)]
        terms = [(smp["advantage"][i], x, k, pos) for smp, xs in zip(mine, contexts)
                 for i, (x, k, pos) in enumerate(xs) if smp["mask"][i]]
        for a, x, k, pos in terms:
            for j in range(V):
                g = a * ((j == k) - pos.p[j]) / len(terms)
                if g:
                    row = grad[j]
                    for d in range(D):
                        row[d] += g * x[d]
        w = [[wj + LEARNING_RATE * gj for wj, gj in zip(wr, gr)] for wr, gr in zip(w, grad)]
        # The same positions, the same contexts, right after the step.
        for smp, xs in zip(mine, contexts):
            after = [Position(None, None, matvec(w, x)) for x, _, _ in xs]
            smp["entropy_after"] = [f32(q.h) for q in after]
            smp["logprob_after"] = [f32(q.logp[k]) for q, (_, k, _) in zip(after, xs)]
        # Nulls where a writer met a non-finite value (each in a counted token).
        if step == 1:
            mine[0]["entropy"][3] = None  # a non-finite entropy: the token does not count
        if step == 3:
            mine[2]["entropy_after"][1] = None  # counts, but has no same-context change
        if step == 4:
            mine[1]["mean_discriminator"][5] = None  # no pg_polarity, no agree_pg_polarity
        if step == 5:
            mine[2]["logprob"][0] = None

    lines = []
    for i, smp in enumerate(samples):
        rec = {"trace": "entropy-polarity", "version": 1, "step": smp["step"],
               "sample": smp["sample"]}
        for key in ("token_id", "logprob", "entropy", "mean_discriminator"):
            rec[key] = smp[key]
        # advantage: one number for most samples, per token for some
        rec["advantage"] = smp["advantage"] if i % 3 == 0 else smp["advantage"][0]
        if not all(smp["mask"]):
            rec["mask"] = smp["mask"]
        elif i % 2 == 0:
            rec["mask"] = smp["mask"]  # all true, written out; the others omit it
        rec["text"] = smp["text"]
        if i % 5 != 4:
            rec["env_name"] = smp["env_name"]
        rec["entropy_after"] = smp["entropy_after"]
        rec["logprob_after"] = smp["logprob_after"]
        lines.append(dumps(rec))
    jsonl = "\n".join(lines) + "\n"
    return {"trace/run.jsonl": jsonl, "trace/run.safetensors": trace_safetensors(samples)}


def trace_safetensors(samples):
    """The same run as 1-D tensors (one entry per token), written by hand:
    8-byte little-endian header length, the JSON header, the data."""
    cols = {k: [] for k in ("step", "sample", "token_id", "logprob", "entropy",
                            "mean_discriminator", "advantage", "mask", "entropy_after",
                            "logprob_after")}
    nan = float("nan")
    for smp in samples:
        for i in range(len(smp["token_id"])):
            cols["step"].append(smp["step"])
            cols["sample"].append(smp["sample"])
            cols["token_id"].append(smp["token_id"][i])
            for key in ("logprob", "entropy", "mean_discriminator", "advantage",
                        "entropy_after", "logprob_after"):
                v = smp[key][i]
                cols[key].append(nan if v is None else v)
            cols["mask"].append(1 if smp["mask"][i] else 0)
    n = len(cols["step"])
    # Widest first, so every tensor starts aligned to its element size.
    layout = [("step", "I64", "q"), ("sample", "I64", "q"), ("token_id", "I32", "i"),
              ("logprob", "F32", "f"), ("entropy", "F32", "f"),
              ("mean_discriminator", "F32", "f"), ("advantage", "F32", "f"),
              ("entropy_after", "F32", "f"), ("logprob_after", "F32", "f"),
              ("mask", "U8", "B")]
    header = {"__metadata__": {"trace": "entropy-polarity", "version": "1"}}
    data = b""
    for name, dtype, fmt in layout:
        blob = struct.pack("<%d%s" % (n, fmt), *cols[name])
        header[name] = {"dtype": dtype, "shape": [n], "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-(8 + len(head)) % 8)
    return struct.pack("<Q", len(head)) + head + data


# ---------------------------------------------------------------- NeMo-RL

def make_nemo_rl(rng):
    """train_data_step<N>.jsonl: 4 steps × 4 samples, padded to the step's longest,
    every field one list level deeper (a batch of one). No entropy."""
    files = {}
    sigma = 2.7
    for step in range(1, 5):
        prompt = [rng.randrange(V) for _ in range(rng.randint(5, 8))]
        rewards = [float(rng.randint(0, 1)) for _ in range(4)]
        mean_r = sum(rewards) / 4
        rows = []
        for s in range(4):
            ids, mask, gen, prev = [], [], [], []
            for j, tok in enumerate(prompt):
                pos = Position(rng, 1.0)
                ids.append(TOKEN_BASE + tok)
                mask.append(0)
                gen.append(0.0)
                prev.append(0.0 if j == 0 else f32(pos.logp[tok]))
            for _ in range(rng.randint(8, 14)):
                pos = Position(rng, sigma)
                k = pos.sample(rng)
                ids.append(TOKEN_BASE + k)
                mask.append(1)
                prev.append(f32(pos.logp[k]))
                gen.append(f32(min(0.0, pos.logp[k] + rng.gauss(0.0, 0.02))))
            rows.append((ids, mask, gen, prev, rewards[s] - mean_r))
        if step == 3:
            rows[1][3][len(prompt) + 2] = None  # a non-finite logprob, written null
        width = max(len(r[0]) for r in rows)
        lines = []
        for s, (ids, mask, gen, prev, adv) in enumerate(rows):
            n = len(ids)
            pad = width - n
            rec = {
                "content": [[{"role": "user", "content": "Solve: %d + %d" % (s, step)},
                             {"role": "assistant", "content": "..."}]],
                "rewards": [rewards[s]],
                "generation_logprobs": [gen + [0.0] * pad],
                "prev_logprobs": [prev + [0.0] * pad],
                "input_lengths": [n],
                "token_ids": [ids + [0] * pad],
                "token_loss_mask": [mask + [0] * pad],
                # sample 3 of step 2 was dropped from the loss (an overlong answer)
                "sample_loss_mask": [0.0 if (step == 2 and s == 3) else 1.0],
                "advantages": [[adv if m else 0.0 for m in mask] + [0.0] * pad],
            }
            lines.append(dumps(rec))
        files[f"nemo-rl/train_data_step{step}.jsonl"] = "\n".join(lines) + "\n"
        sigma *= 1.15
    return files


# ---------------------------------------------------------------- OpenRLHF

def make_openrlhf(rng):
    """The RL Logging Board's JSONL: one line per sample; no entropy, no advantages."""
    lines = []
    sigma = 2.7
    for step in range(1, 5):
        for s in range(3):
            toks, lps, ref, vals, trew = [], [], [], [], []
            n = rng.randint(8, 14)
            reward = float(rng.randint(0, 1))
            for i in range(n):
                pos = Position(rng, sigma)
                k = pos.sample(rng)
                toks.append(WORDS[k])
                lps.append(f32(pos.logp[k]))
                ref.append(f32(min(0.0, pos.logp[k] + rng.gauss(0.0, 0.05))))
                vals.append(f32(0.5 + rng.gauss(0.0, 0.1)))
                trew.append(reward if i == n - 1 else 0.0)
            if step == 2 and s == 1:
                lps[4] = None
            lines.append(dumps({
                "step": step, "prompt": "Q%d.%d" % (step, s), "response": "".join(toks),
                "response_tokens": toks, "logprobs": lps, "ref_logprobs": ref,
                "values": vals, "token_rewards": trew, "reward": reward,
            }))
        sigma *= 1.15
    return {"openrlhf/board.jsonl": "\n".join(lines) + "\n"}


# ---------------------------------------------------------------- reference reader

def finite(x):
    return x is not None and math.isfinite(x)


def clamp(t):
    """A logprob up to 1e-6 above 0, an entropy or S̄ up to 1e-6 below 0: rounding, read as 0.
    A token without a finite entropy after the step gets None there."""
    key, lp, h, a, sbar, h_after = t
    assert lp <= 1e-6 and (h is None or h >= -1e-6), t
    return (key, min(lp, 0.0), None if h is None else max(h, 0.0), a,
            max(sbar, 0.0) if finite(sbar) else sbar,
            max(h_after, 0.0) if finite(h_after) else None)


def sign_agreement(pairs):
    """Share of (predicted, change) pairs whose signs agree, over the pairs where both
    are nonzero; None without such a pair."""
    signed = [(x, y) for x, y in pairs if x != 0 and y != 0]
    if not signed:
        return None
    return sum(1 for x, y in signed if (x > 0) == (y > 0)) / len(signed)


def same_context_columns(row, toks):
    """realised_dh_same, agree_token_term, agree_pg_polarity (docs/trace-format.md)
    from counted tokens (key, lp, H, A, S̄, H_after), clamped."""
    with_after = [t for t in toks if t[5] is not None and t[2] is not None]
    if not with_after:
        return
    row["realised_dh_same"] = math.fsum(t[5] - t[2] for t in with_after) / len(with_after)
    moved = [t for t in with_after if finite(t[3]) and t[3] != 0 and t[5] - t[2] != 0]
    s_k = lambda t: math.exp(t[1]) * (t[2] + t[1])
    row["agree_token_term"] = sign_agreement([(-t[3] * s_k(t), t[5] - t[2]) for t in moved])
    if all(finite(t[4]) for t in moved):
        row["agree_pg_polarity"] = sign_agreement(
            [(t[3] * (t[4] - s_k(t)), t[5] - t[2]) for t in moved])


def per_step(tokens_by_step, has_entropy, has_sbar_possible):
    """tokens_by_step: {step: [(sample_key, logprob, entropy|None, adv|None, sbar|None,
    entropy_after|None)]} of counted tokens only. Returns the rows of the per-step table
    (None = empty); a mean is empty unless every counted token of the step has its
    inputs (the same-context columns: see same_context_columns)."""
    rows = []
    for step in sorted(tokens_by_step):
        toks = [clamp(t) for t in tokens_by_step[step]]
        n = len(toks)
        row = dict.fromkeys(HEADER)
        row["step"] = step
        row["samples"] = len({t[0] for t in toks})
        row["tokens"] = n
        if n:
            row["mean_prob"] = math.fsum(math.exp(t[1]) for t in toks) / n
        if has_entropy and n:
            row["mean_entropy"] = math.fsum(t[2] for t in toks) / n
        if has_entropy and n and all(finite(t[3]) for t in toks):
            terms = [(t[3], -t[3] * (math.exp(t[1]) * (t[2] + t[1]))) for t in toks]
            row["token_term"] = math.fsum(tt for _, tt in terms) / n
            signed = [(a, tt) for a, tt in terms if a != 0 and tt != 0]
            if signed:
                m = len(signed)
                row["share_pos_expand"] = sum(1 for a, tt in signed if a > 0 and tt > 0) / m
                row["share_pos_contract"] = sum(1 for a, tt in signed if a > 0 and tt < 0) / m
                row["share_neg_expand"] = sum(1 for a, tt in signed if a < 0 and tt > 0) / m
                row["share_neg_contract"] = sum(1 for a, tt in signed if a < 0 and tt < 0) / m
            if has_sbar_possible and all(finite(t[4]) for t in toks):
                pg = [t[3] * (t[4] - math.exp(t[1]) * (t[2] + t[1])) for t in toks]
                row["pg_polarity"] = math.fsum(pg) / n
        if has_entropy:
            same_context_columns(row, toks)
        rows.append(row)
    if has_entropy:
        for cur, nxt in zip(rows, rows[1:]):
            if cur["mean_entropy"] is not None and nxt["mean_entropy"] is not None:
                cur["realised_dh"] = nxt["mean_entropy"] - cur["mean_entropy"]
    return rows


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ref_prime_rl(folder):
    by_step = {}
    for dirpath, _, names in sorted(os.walk(folder)):
        for name in sorted(names):
            if not name.endswith(".jsonl"):
                continue
            path = os.path.join(dirpath, name)
            for ln, rec in enumerate(read_jsonl(path), 1):
                toks = by_step.setdefault(rec["step"], [])
                masked = rec.get("is_masked")
                for i in range(len(rec["token_ids"])):
                    advs = rec.get("advantages")
                    lp, h = rec["trainer_logprobs"][i], rec["entropy"][i]
                    a = None if advs is None else advs[i]
                    if not rec["loss_mask"][i] or (masked is not None and masked[i] is True):
                        continue
                    if finite(lp) and finite(h) and (advs is None or finite(a)):
                        toks.append(((path, ln), lp, h, a, None, None))
    return per_step(by_step, True, False)


def ref_trace_jsonl(path):
    return ref_trace_records(read_jsonl(path))


def ref_trace_folder(folder):
    """A trace folder: its step_<n>.jsonl files (run.json and README.md are not traces)."""
    return ref_trace_records([rec for rel in shipped_traces(folder) for rec in read_jsonl(rel)])


def shipped_traces(folder):
    return sorted((os.path.join(folder, f) for f in os.listdir(folder)
                   if f.startswith("step_") and f.endswith(".jsonl")), key=natural)


def ref_trace_records(records):
    by_step = {}
    for rec in records:
        toks = by_step.setdefault(rec["step"], [])
        n = len(rec["token_id"])
        has_adv = rec.get("advantage") is not None
        adv = rec.get("advantage") if isinstance(rec.get("advantage"), list) else [rec.get("advantage")] * n
        mask = rec.get("mask") or [True] * n
        sbar = rec.get("mean_discriminator") or [None] * n
        after = rec.get("entropy_after") or [None] * n
        for i in range(n):
            lp, h, a = rec["logprob"][i], rec["entropy"][i], adv[i]
            if mask[i] and finite(lp) and finite(h) and (not has_adv or finite(a)):
                toks.append((rec["sample"], lp, h, a, sbar[i], after[i]))
    return per_step(by_step, True, True)


def ref_trace_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (hlen,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + hlen])
    data = blob[8 + hlen:]
    fmts = {"I64": "q", "I32": "i", "F32": "f", "F64": "d", "U8": "B", "BOOL": "?"}
    cols = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        cols[name] = struct.unpack("<%d%s" % (t["shape"][0], fmts[t["dtype"]]), data[a:b])
    by_step = {}
    for i in range(len(cols["step"])):
        toks = by_step.setdefault(cols["step"][i], [])
        lp, h, a = cols["logprob"][i], cols["entropy"][i], cols["advantage"][i]
        after = cols["entropy_after"][i] if "entropy_after" in cols else None
        if cols["mask"][i] and finite(lp) and finite(h) and finite(a):
            toks.append((cols["sample"][i], lp, h, a, cols["mean_discriminator"][i], after))
    return per_step(by_step, True, True)


def ref_nemo_rl(folder):
    by_step = {}
    for name in sorted(os.listdir(folder)):
        if not (name.startswith("train_data_step") and name.endswith(".jsonl")):
            continue
        step = int(name[len("train_data_step"):-len(".jsonl")])
        toks = by_step.setdefault(step, [])
        for ln, rec in enumerate(read_jsonl(os.path.join(folder, name)), 1):
            if rec["sample_loss_mask"][0] == 0:
                continue
            for i in range(rec["input_lengths"][0]):
                lp = rec["prev_logprobs"][0][i]
                if rec["token_loss_mask"][0][i] and finite(lp):
                    toks.append((ln, lp, None, rec["advantages"][0][i], None, None))
    return per_step(by_step, False, False)


def ref_openrlhf(path):
    by_step = {}
    for ln, rec in enumerate(read_jsonl(path), 1):
        toks = by_step.setdefault(rec["step"], [])
        for lp in rec["logprobs"]:
            if finite(lp):
                toks.append((ln, lp, None, None, None, None))
    return per_step(by_step, False, False)


def pearson(xs, ys):
    n = len(xs)
    if n < 2:
        return None
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None


def average_ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in order[i:j + 1]:
            r[k] = (i + j) / 2 + 1
        i = j + 1
    return r


def scatter_stats(points):
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return {"pearson": pearson(xs, ys), "spearman": pearson(average_ranks(xs), average_ranks(ys)),
            "agreement": sign_agreement(points), "n": len(points),
            "n_signed": sum(1 for x, y in points if x != 0 and y != 0)}


def ref_same_context(path):
    """The run panel's scatter for a trace JSONL whose every sample is kept: the
    prediction (PG polarity where the token has S̄, else the token term) against
    entropy_after − entropy, over counted tokens with both finite; overall and per step."""
    by_step = {}
    for rec in read_jsonl(path):
        n = len(rec["token_id"])
        adv = rec["advantage"] if isinstance(rec["advantage"], list) else [rec["advantage"]] * n
        mask = rec.get("mask") or [True] * n
        for i in range(n):
            lp, h, a = rec["logprob"][i], rec["entropy"][i], adv[i]
            sbar, after = rec["mean_discriminator"][i], rec["entropy_after"][i]
            if not (mask[i] and finite(lp) and finite(h) and finite(a) and finite(after)):
                continue
            s_k = math.exp(lp) * (h + lp)
            pred = a * (sbar - s_k) if finite(sbar) else -a * s_k
            by_step.setdefault(rec["step"], []).append((pred, after - h))
    everything = [p for step in sorted(by_step) for p in by_step[step]]
    return {"overall": scatter_stats(everything),
            "steps": [dict(step=step, **scatter_stats(by_step[step])) for step in sorted(by_step)]}


RUNS = [
    # name, path under www/examples/runs, format, reference reader, why columns are empty
    ("smollm2-grpo", "smollm2-grpo", "trace", ref_trace_folder,
     "a real run (scripts/real_run.py), not generated here"),
    ("prime-rl", "prime-rl", "prime-rl", ref_prime_rl,
     "no S̄ in prime-rl's export: pg_polarity empty"),
    ("trace", "trace/run.jsonl", "trace", ref_trace_jsonl, ""),
    ("trace-safetensors", "trace/run.safetensors", "trace-safetensors", ref_trace_safetensors,
     "the same run as trace/run.jsonl"),
    ("nemo-rl", "nemo-rl", "nemo-rl", ref_nemo_rl,
     "NeMo-RL writes no entropy: every entropy-based column is empty"),
    ("openrlhf", "openrlhf/board.jsonl", "openrlhf", ref_openrlhf,
     "the logging board has no entropy and no advantages: only p_k"),
]


# Runs that are shipped, not generated: the index lists their traces as found on disk, and
# the expected table is computed from them like the others'.
SHIPPED = {"smollm2-grpo"}


def generate():
    rng = random.Random(SEED)
    files = {}
    files.update(make_prime_rl(rng))
    files.update(make_trace(rng))
    files.update(make_nemo_rl(rng))
    files.update(make_openrlhf(rng))
    index = {}
    for name, rel, _, _, _ in RUNS:
        if name in SHIPPED:  # listed as found on disk
            index[name] = [os.path.relpath(f, OUT) for f in shipped_traces(os.path.join(OUT, rel))]
            continue
        index[name] = sorted((f for f in files if f == rel or f.startswith(rel + "/")),
                             key=natural)
    import prime_traces_example  # its files are written by its own main; listed here

    index[prime_traces_example.NAME] = sorted(prime_traces_example.generate()[1], key=natural)
    files["index.json"] = json.dumps(index, indent=1) + "\n"
    return files


def natural(path):
    """step_10 after step_9."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def expected(root):
    runs = {}
    for name, rel, fmt, reader, note in RUNS:
        rows = reader(os.path.join(root, rel))
        runs[name] = {"path": rel, "format": fmt, "note": note,
                      "rows": [[row[h] for h in HEADER] for row in rows]}
        if name.startswith("trace"):  # the safetensors file holds the same run
            runs[name]["same_context"] = ref_same_context(os.path.join(root, "trace/run.jsonl"))
    return {"about": "Per-step columns of docs/trace-format.md for www/examples/runs/, "
                     "computed by scripts/make_run_examples.py (plain Python, math.fsum) "
                     "from the files as written; null = empty cell.",
            "header": HEADER, "runs": runs}


def sync_files(files, check, same=lambda rel, old, new: old == new):
    """Writes `files` (path under OUT -> text or bytes), or with `check` returns the paths
    whose file on disk is missing or not `same` (rel, bytes on disk, bytes generated)."""
    differ = []
    for rel, content in sorted(files.items()):
        path = os.path.join(OUT, rel)
        data = content if isinstance(content, bytes) else content.encode()
        if check:
            try:
                with open(path, "rb") as f:
                    if not same(rel, f.read(), data):
                        differ.append(rel)
            except FileNotFoundError:
                differ.append(rel)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return differ


def sync_fixture(path, text, check, differ):
    """Writes the expected-table fixture, or with `check` exits when it or any of `differ`
    is out of date."""
    if not check:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return
    with open(path, encoding="utf-8") as f:
        if f.read() != text:
            differ.append(os.path.relpath(path, ROOT))
    if differ:
        sys.exit("out of date (run python3 scripts/make_run_examples.py): " + ", ".join(differ))


def main():
    check = "--check" in sys.argv[1:]
    import prime_traces_example  # prime-rl's trace-stream layout: its own files and fixture

    prime_traces_example.main(check)
    files = generate()
    differ = sync_files(files, check)
    sync_fixture(FIXTURE, json.dumps(expected(OUT), indent=1, allow_nan=False) + "\n", check, differ)
    if check:
        print("run examples up to date")
        return
    total = sum(len(c) for c in files.values())
    print("wrote %d files, %.0f kB, and %s" % (len(files), total / 1000, os.path.relpath(FIXTURE, ROOT)))


if __name__ == "__main__":
    main()
