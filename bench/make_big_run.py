#!/usr/bin/env python3
"""Writes a large prime-rl token export for the whole-run benchmarks (not committed).

    python3 bench/make_big_run.py [OUT] [--gb 2] [--steps 50] [--ranks 2] [--seed 1]

OUT defaults to /tmp/ep-big-run. Layout and fields are prime-rl's
(token_exports/step_<n>/rank_<r>.jsonl, one sample per line, float32 values
written as torch's .tolist() writes them, null for NaN), with sample lengths of
a reasoning run: 200-600 context tokens, 400-2000 completion tokens, sometimes a
tool turn. Samples are drawn (with their own step and rank) from a pool of 120
generated ones, which keeps writing 2 GB to about a minute; every line is parsed
in full by every reader, so the repetition helps none of them. Needs NumPy.
"""

import argparse
import json
import os
import time

import numpy as np


def sample_body(rng):
    """The JSON text of one sample after its step/rank prefix."""
    ctx = int(rng.integers(200, 600))
    turns = [int(rng.integers(400, 2000))]
    if rng.random() < 0.3:
        turns += [-int(rng.integers(20, 120)), int(rng.integers(100, 600))]
    n = ctx + sum(abs(t) for t in turns)
    on = np.zeros(n, bool)
    i = ctx
    for t in turns:
        if t > 0:
            on[i:i + t] = True
        i += abs(t)
    h = rng.gamma(1.3, 0.45, n)                        # entropy, nats
    lp = -h * rng.exponential(0.9, n) - rng.exponential(0.02, n)  # ln p_k ≤ 0, tied to H
    lp[:ctx] = -rng.exponential(3.0, ctx)
    lp[0] = 0.0
    ilp = np.minimum(0.0, lp + rng.normal(0, 0.03, n))
    ilp[~on] = 0.0
    adv = np.where(on, np.float32(rng.normal(0, 1)), 0.0)
    masked = on & (rng.random(n) < 0.01)
    ratio = np.exp(lp - ilp)
    f32 = lambda a: a.astype(np.float32).astype(float).tolist()
    ent = f32(h)
    tlp = f32(lp)
    for j in rng.integers(ctx, n, 2):                  # NaN/inf written as null
        ent[j] = None
    body = {
        "env_name": None if rng.random() < 0.2 else "math",
        "token_ids": rng.integers(0, 151_000, n).tolist(),
        "position_ids": list(range(n)),
        "loss_mask": on.tolist(),
        "advantages": f32(adv),
        "inference_logprobs": f32(ilp),
        "trainer_logprobs": tlp,
        "entropy": ent,
        "is_masked": masked.tolist(),
        "mismatch_kl": f32(ratio - 1 - (lp - ilp)),
        "importance_ratio": f32(ratio),
        "prob_delta": f32(np.exp(lp) - np.exp(ilp)),
    }
    return json.dumps(body, separators=(",", ":"))[1:]  # without the opening brace


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default="/tmp/ep-big-run")
    ap.add_argument("--gb", type=float, default=2.0)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    pool = [sample_body(rng) for _ in range(120)]
    per_file = args.gb * 1e9 / (args.steps * args.ranks)
    total = 0
    for step in range(args.steps):
        for rank in range(args.ranks):
            d = os.path.join(args.out, "token_exports", "step_%d" % step)
            os.makedirs(d, exist_ok=True)
            size, micro = 0, 0
            with open(os.path.join(d, "rank_%d.jsonl" % rank), "w") as f:
                while size < per_file:
                    line = '{"schema_version":1,"step":%d,"rank":%d,"micro_step":%d,%s\n' % (
                        step, rank, micro % 4, pool[int(rng.integers(len(pool)))])
                    f.write(line)
                    size += len(line)
                    micro += 1
            total += size
    print("wrote %.2f GB in %d files under %s (%.0f s)"
          % (total / 1e9, args.steps * args.ranks, args.out, time.time() - t0))


if __name__ == "__main__":
    main()
