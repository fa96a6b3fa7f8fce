#!/usr/bin/env python3
"""The seeded example run in prime-rl's trace-stream layout, its expected per-step table,
and the same synthetic run written as the old token_exports (for the cross-check).

    python3 scripts/prime_traces_example.py [--check]     (make_run_examples.py calls it)

Writes www/examples/runs/prime-rl-traces/monitors/file/traces/:
  stream/00000.jsonl.zst, 00001.jsonl.zst   sealed episode chunks (seekable zstd)
  stream/00002.jsonl                        the live chunk (plain)
  annotations/orchestrator/00000.jsonl      ship updates: info.ship.step, advantages
  annotations/trainer/00000.jsonl.zst, 00001.jsonl
                                            trainer updates: trainer_logprobs, entropies,
                                            is_masked (4 decimals, as prime-rl rounds them)
and tests/fixtures/prime_traces_expected.json: the per-step columns, computed here by
a plain-Python fold written apart from the Rust core (docs/trace-format.md).

Layout and records follow prime-rl's monitors/file/traces/{chunks,update}.py,
trainer/rl/annotations.py, orchestrator/annotations.py and verifiers' v1 graph/trace
(MessageNode, Branch): docs/trace-format.md "prime-rl trace streams" names each field.
Sealed chunks are compressed with the zstd command line tool, one frame per
FRAME_BYTES of text plus the seekable format's seek table (prime-rl: 4 MiB frames; the
example uses small ones so every chunk has several). --check compares .zst files by
their decompressed text, since zstd versions may compress differently.
"""

import json
import math
import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import make_run_examples as mre  # noqa: E402  (Position, f32, per_step, HEADER, V, TOKEN_BASE)

ROOT = mre.ROOT
NAME = "prime-rl-traces"
TRACES = NAME + "/monitors/file/traces"
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "prime_traces_expected.json")
SEED = 20261207
FRAME_BYTES = 4096
DECIMALS = 4  # RECORD_FLOAT_DECIMALS
BASE_TIME = 1788000000.0


def rounded(x):
    """prime-rl's annotation floats: float32, then round(value, 4); non-finite -> null."""
    x = mre.f32(x)
    return None if x is None or not math.isfinite(x) else round(x, DECIMALS)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


# ---------------------------------------------------------------- the synthetic run

def node(parent, role, ids, mask, logprobs=()):
    return {"parent": parent, "message": {"role": role, "content": "…"},
            "sampled": any(mask), "token_ids": ids, "mask": mask,
            "logprobs": [rounded(v) for v in logprobs]}


def make_run(rng):
    """Episodes of a 5-step GRPO run, as the synthetic truth: per trace its nodes and,
    per branch, the full-precision per-token columns the trainer saw."""
    episodes = []
    sigma = 2.8
    for step in range(5):
        terms = []
        for group in range(2):
            prompt = [mre.TOKEN_BASE + rng.randrange(mre.V) for _ in range(rng.randint(5, 8))]
            rewards = [rng.randint(0, 1) for _ in range(3)]
            if step == 2 and group == 1:
                rewards = [1, 1, 1]  # solved group: every advantage 0
            mean_r = sum(rewards) / 3
            std_r = math.sqrt(sum((r - mean_r) ** 2 for r in rewards) / 3)
            for s in range(3):
                adv = (rewards[s] - mean_r) / (std_r + 1e-4)
                tid = "%032x" % rng.getrandbits(128)
                nodes = [node(None, "user", prompt, [False] * len(prompt))]
                cols = {}  # node index -> per sampled token (lp, h, masked)

                def turn(parent, n):
                    scaffold = [mre.TOKEN_BASE + 1, mre.TOKEN_BASE + 2]
                    ids, lps, col = [], [], []
                    for _ in range(n):
                        pos = mre.Position(rng, sigma)
                        k = pos.sample(rng)
                        ids.append(mre.TOKEN_BASE + k)
                        lps.append(pos.logp[k])
                        col.append((mre.f32(pos.logp[k]), mre.f32(pos.h), rng.random() < 0.04))
                    nodes.append(node(parent, "assistant", scaffold + ids,
                                      [False] * 2 + [True] * n, lps))
                    cols[len(nodes) - 1] = col
                    return len(nodes) - 1

                last = turn(0, rng.randint(6, 12))
                if rng.random() < 0.5:  # a tool result and a second turn
                    tool = [mre.TOKEN_BASE + rng.randrange(mre.V) for _ in range(rng.randint(3, 5))]
                    nodes.append(node(last, "tool", tool, [False] * len(tool)))
                    last = turn(len(nodes) - 1, rng.randint(4, 8))
                if rng.random() < 0.35:  # compaction: a second branch off the prompt
                    turn(0, rng.randint(4, 8))
                for col in cols.values():
                    for lp, h, masked in col:
                        if not masked:
                            terms.append(mre.token_term(adv, lp, h))
                episodes.append({"step": step, "group": group, "id": tid, "nodes": nodes,
                                 "cols": cols, "adv": adv, "reward": rewards[s],
                                 "env": ["gsm8k", "code"][group]})
        mean_term = math.fsum(terms) / len(terms) if terms else 0.0
        sigma *= math.exp(0.12 - 2.0 * mean_term)
    # Two eval episodes: in the stream, never shipped, so never trained on.
    for k in range(2):
        prompt = [mre.TOKEN_BASE + rng.randrange(mre.V) for _ in range(4)]
        episodes.append({"step": 4, "group": None, "id": "e%031x" % k, "eval": True,
                         "nodes": [node(None, "user", prompt, [False] * 4),
                                   node(0, "assistant", [mre.TOKEN_BASE] * 3, [True] * 3, [-0.5] * 3)],
                         "cols": {}, "adv": 0.0, "reward": 0, "env": "gsm8k"})
    return episodes


def paths_of(nodes):
    """Root-to-leaf node indexes, leaf order (verifiers' leaves + parent walk)."""
    has_child = {n["parent"] for n in nodes if n["parent"] is not None}
    out = []
    for leaf in [i for i in range(len(nodes)) if i not in has_child]:
        path, cur = [], leaf
        while cur is not None:
            path.append(cur)
            cur = nodes[cur]["parent"]
        out.append(path[::-1])
    return out


def branch_streams(ep, path):
    """Full-length streams over the branch's tokens, as the producers write them."""
    adv, lp, ent, msk = [], [], [], []
    for i in path:
        n = ep["nodes"][i]
        col = iter(ep["cols"].get(i, []))
        for m in n["mask"]:
            if m:
                t_lp, t_h, t_masked = next(col)
                adv.append(ep["adv"])
                lp.append(rounded(t_lp))
                ent.append(rounded(t_h))
                msk.append(t_masked)
            else:
                adv.append(0.0)  # Branch.advantages spreads 0.0 off the sampled tokens
                lp.append(None)  # the trainer writes null outside its loss mask
                ent.append(None)
                msk.append(False)
    # After the right shift a sample's first value crosses the packing boundary.
    lp[0] = ent[0] = msk[0] = None
    return adv, lp, ent, msk


def episode_record(ep):
    work_step = max(0, ep["step"] - 1)
    kind = "eval" if ep.get("eval") else "train"
    return {
        "id": "ep-" + ep["id"][:12], "env": {"id": ep["env"], "name": ep["env"]},
        "task": {"type": "Task", "data": {"question": "…"}},
        "group": None if ep["group"] is None else {"id": "g%d-%d" % (ep["step"], ep["group"])},
        "run": {"type": "train", "id": "example", "work": {"type": kind, "step": work_step}},
        "ok": True,
        "traces": [{
            "version": 1, "id": ep["id"],
            "task": {"type": "Task", "data": {"question": "…"}},
            "agent": {"config": {}, "name": "solver"},
            "nodes": ep["nodes"],
            "rewards": {"correct": {"score": float(ep["reward"]), "weight": 1.0}},
            "info": {"kind": kind, "dispatch": {"step": work_step, "time": BASE_TIME + ep["step"]},
                     "arrival": {"step": ep["step"], "time": BASE_TIME + ep["step"] + 0.5}},
        }],
    }


def write_streams(episodes):
    """The files of the run, as prime-rl's file monitor lays them out."""
    stream, orch, trainer = [], [], []
    for ep in episodes:
        stream.append(dumps(episode_record(ep)))
        if ep.get("eval"):
            continue
        paths = paths_of(ep["nodes"])
        t = BASE_TIME + ep["step"] + 0.75
        orch.append(dumps({"version": 1, "trace_id": ep["id"],
                           "info": {"effective": True, "ship": {"step": ep["step"], "time": t},
                                    "advantage": ep["adv"]},
                           "branches": [{"index": b, "advantages": branch_streams(ep, p)[0]}
                                        for b, p in enumerate(paths)]}))
        for b, p in enumerate(paths):
            _, lp, ent, msk = branch_streams(ep, p)
            trainer.append(dumps({"version": 1, "trace_id": ep["id"], "info": {},
                                  "branches": [{"index": b, "trainer_logprobs": lp,
                                                "entropies": ent, "is_masked": msk}]}))
    # A stale first annotation, overwritten by a later one (newest wins): the
    # trainer's first record for the first trace, with wrong entropies, goes first.
    first = json.loads(trainer[0])
    first["branches"][0]["entropies"] = [None if v is None else 9.0 for v in first["branches"][0]["entropies"]]
    trainer.insert(0, dumps(first))
    files = {}
    for rel, lines, pieces in (("stream", stream, 3), ("annotations/orchestrator", orch, 1),
                               ("annotations/trainer", trainer, 2)):
        size = -(-len(lines) // pieces)
        for c in range(pieces):
            text = "".join(line + "\n" for line in lines[c * size:(c + 1) * size]).encode()
            sealed = c < pieces - 1  # the last chunk is the live one
            name = "%s/%s/%05d.jsonl" % (TRACES, rel, c)
            files[name + (".zst" if sealed else "")] = seekable_zstd(text) if sealed else text
    return files


def seekable_zstd(text):
    """zstd frames of FRAME_BYTES of text each, then the seek table (a skippable frame,
    magic 0x184D2A5E; footer: frame count, descriptor, magic 0x8F92EAB1)."""
    frames, table = [], b""
    for i in range(0, len(text), FRAME_BYTES):
        piece = text[i:i + FRAME_BYTES]
        z = subprocess.run(["zstd", "-q", "-c", "-3"], input=piece, check=True,
                           capture_output=True).stdout
        frames.append(z)
        table += struct.pack("<II", len(z), len(piece))
    table += struct.pack("<IBI", len(frames), 0, 0x8F92EAB1)
    return b"".join(frames) + struct.pack("<II", 0x184D2A5E, len(table)) + table


def token_exports(episodes):
    """The same run in the old layout (token_exports/step_<n>/rank_0.jsonl): one line per
    branch, full precision (float32), as prime-rl wrote before PR #3444."""
    files = {}
    for ep in episodes:
        if ep.get("eval"):
            continue
        for p in paths_of(ep["nodes"]):
            ids, lm, advs, lps, ents, msks = [], [], [], [], [], []
            for i in p:
                n = ep["nodes"][i]
                col = iter(ep["cols"].get(i, []))
                for tok, m in zip(n["token_ids"], n["mask"]):
                    ids.append(tok)
                    lm.append(m)
                    if m:
                        lp, h, masked = next(col)
                        advs.append(mre.f32(ep["adv"]))
                        lps.append(lp)
                        ents.append(h)
                        msks.append(masked)
                    else:
                        advs.append(0.0)
                        lps.append(0.0)
                        ents.append(1.0)
                        msks.append(False)
            rec = {"schema_version": 1, "step": ep["step"], "rank": 0, "micro_step": 0,
                   "env_name": ep["env"], "token_ids": ids, "position_ids": list(range(len(ids))),
                   "loss_mask": lm, "advantages": advs, "trainer_logprobs": lps,
                   "entropy": ents, "is_masked": msks}
            key = "token_exports/step_%d/rank_0.jsonl" % ep["step"]
            files[key] = files.get(key, "") + dumps(rec) + "\n"
    return files


# ---------------------------------------------------------------- reference reader

def read_chunks(directory):
    """Records of one chunked stream, in chunk order (sealed ones through zstd -dc)."""
    names = sorted(n for n in os.listdir(directory) if n.split(".", 1)[0].isdigit())
    for name in names:
        path = os.path.join(directory, name)
        if name.endswith(".zst"):
            data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
        else:
            with open(path, "rb") as f:
                data = f.read()
        for line in data.decode().splitlines():
            if line.strip():
                yield json.loads(line)


def merge(old, new):
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for k, v in new.items():
            out[k] = merge(old.get(k), v)
        return out
    return new


def fold(trace, updates):
    """Onto the trace's nodes, in write order: a node takes a stream's values at its
    sampled positions when the stream covers the node and (for floats) none is null;
    is_masked keeps nulls but needs one known value."""
    nodes = trace["nodes"]
    paths = paths_of(nodes)
    for up in updates:
        if up.get("info"):
            trace["info"] = merge(trace.get("info") or {}, up["info"])
        for br in up.get("branches") or []:
            if not (isinstance(br.get("index"), int) and 0 <= br["index"] < len(paths)):
                continue
            for field in ("advantages", "trainer_logprobs", "entropies", "is_masked"):
                stream = br.get(field) or []
                at = 0
                for i in paths[br["index"]]:
                    n = len(nodes[i]["token_ids"])
                    if at + n > len(stream):
                        break
                    vals = [v for v, m in zip(stream[at:at + n], nodes[i]["mask"]) if m]
                    at += n
                    known = [v is not None for v in vals]
                    if vals and (any(known) if field == "is_masked" else all(known)):
                        nodes[i][field] = vals


def ref_prime_traces(traces_dir):
    traces, order = {}, []
    for rec in read_chunks(os.path.join(traces_dir, "stream")):
        for t in rec["traces"]:
            traces[t["id"]] = t
            order.append(t["id"])
    updates = {}
    for producer in sorted(os.listdir(os.path.join(traces_dir, "annotations"))):
        for up in read_chunks(os.path.join(traces_dir, "annotations", producer)):
            updates.setdefault(up["trace_id"], []).append(up)
    by_step = {}
    for tid in order:
        t = traces[tid]
        fold(t, updates.get(tid, []))
        step = ((t.get("info") or {}).get("ship") or {}).get("step")
        if step is None:
            continue
        for b, p in enumerate(paths_of(t["nodes"])):
            toks = by_step.setdefault(step, [])
            for i in p:
                n = t["nodes"][i]
                k = sum(n["mask"])
                get = lambda f: (n.get(f) or [None] * k)
                for lp, h, a, m in zip(get("trainer_logprobs"), get("entropies"),
                                       get("advantages"), get("is_masked")):
                    if m is not True and mre.finite(lp) and mre.finite(h) and mre.finite(a):
                        toks.append(((tid, b), lp, h, a, None, None))
    return mre.per_step(by_step, True, False)


def generate():
    episodes = make_run(random.Random(SEED))
    return episodes, write_streams(episodes)


def expected(root):
    rows = ref_prime_traces(os.path.join(root, TRACES))
    return {"about": "Per-step columns (docs/trace-format.md) of www/examples/runs/" + NAME
                     + ", from scripts/prime_traces_example.py's plain-Python fold; null = empty.",
            "header": mre.HEADER, "path": TRACES,
            "rows": [[row[h] for h in mre.HEADER] for row in rows]}


def unzst(data):
    return subprocess.run(["zstd", "-dc"], input=data, check=True, capture_output=True).stdout


def same_text(rel, old, new):
    """A sealed chunk by its text: zstd versions may compress the same text differently."""
    try:
        return unzst(old) == unzst(new) if rel.endswith(".zst") else old == new
    except subprocess.CalledProcessError:
        return False


def main(check=False):
    _, files = generate()
    differ = mre.sync_files(files, check, same_text)
    if differ:  # (check) a damaged chunk may not even decompress for the table below
        sys.exit("out of date (run python3 scripts/make_run_examples.py): " + ", ".join(differ))
    fixture = json.dumps(expected(mre.OUT), indent=1, allow_nan=False) + "\n"
    mre.sync_fixture(FIXTURE, fixture, check, differ)
    if check:
        print("prime-rl trace-stream example up to date")
        return
    print("wrote %d files of %s, %.0f kB" % (len(files), NAME, sum(map(len, files.values())) / 1000))


if __name__ == "__main__":
    main("--check" in sys.argv[1:])
