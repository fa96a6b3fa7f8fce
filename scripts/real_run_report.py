#!/usr/bin/env python3
"""What polarity predicted on a real run: the per-token prediction against the
change the optimizer step really made at the same position, on the same context.

    python3 scripts/real_run_report.py DIR [DIR ...] [--json OUT]

Each DIR holds trace v1 files (step_<n>.jsonl) with `entropy_after`, as
scripts/real_run.py writes them. Plain Python and NumPy, independent of the Rust
core and of the SQL (this is the check of the diagnostic, not a use of it).

Per token (counted as docs/trace-format.md says: mask on, finite logprob,
entropy and advantage), with p = e^logprob and S_k = p (H + logprob):
  token term  -A S_k          the first-order change of raising z_k alone
  PG polarity A (S-bar - S_k) the first-order change of the tabular PG step
  dH          entropy_after - entropy, the realised same-context change
Sign agreement is over tokens with A != 0, a nonzero prediction and dH != 0
(0.5 is the coin; "majority" is the share of the commoner sign of dH, the
score of always guessing it). Spearman and Pearson are over the same tokens.
Per step: the mean token term (over all counted tokens, A = 0 included, as the
per-step CSV has it) against realised_dh_same (the mean dH) and against the old
realised_dh (next step's mean entropy minus this step's, other samples).
"""

import argparse
import glob
import json
import math
import os
import re
import sys

import numpy as np


def read_run(d):
    """Counted tokens of every step_<n>.jsonl in d, as arrays."""
    cols = {k: [] for k in ("step", "sample", "A", "lp", "H", "sbar", "Ha")}
    files = sorted(glob.glob(os.path.join(d, "step_*.jsonl")),
                   key=lambda p: int(re.search(r"step_(\d+)", p).group(1)))
    if not files:
        sys.exit(f"{d}: no step_<n>.jsonl files")

    def num(v):
        return float("nan") if v is None else float(v)

    for path in files:
        with open(path, encoding="utf-8") as f:
            for ln, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    o = json.loads(line)
                    n = len(o["logprob"])
                    adv = o["advantage"]
                    adv = adv if isinstance(adv, list) else [adv] * n
                    mask = o.get("mask") or [True] * n
                    sbar = o.get("mean_discriminator") or [None] * n
                    after = o.get("entropy_after") or [None] * n
                    for i in range(n):
                        lp, h, a = num(o["logprob"][i]), num(o["entropy"][i]), num(adv[i])
                        if not (mask[i] and math.isfinite(lp) and math.isfinite(h) and math.isfinite(a)):
                            continue
                        for k, v in (("step", o["step"]), ("sample", o["sample"]), ("A", a),
                                     ("lp", lp), ("H", h), ("sbar", num(sbar[i])),
                                     ("Ha", num(after[i]))):
                            cols[k].append(v)
                except (KeyError, TypeError, ValueError, IndexError) as e:
                    sys.exit(f"{path}, line {ln}: {e!r}")
    t = {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}
    p = np.exp(t["lp"])
    t["p"] = p
    t["S"] = p * (t["H"] + t["lp"])
    t["tt"] = -t["A"] * t["S"]
    t["pg"] = t["A"] * (t["sbar"] - t["S"])
    t["dh"] = t["Ha"] - t["H"]
    return t


def ranks(x):
    """1-based ranks, ties averaged."""
    _, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    top = np.cumsum(counts)
    return (top - (counts - 1) / 2.0)[inv]


def pearson(x, y):
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def spearman(x, y):
    return pearson(ranks(x), ranks(y)) if len(x) >= 3 else float("nan")


def agreement(pred, dh, keep):
    """Sign agreement of pred with dh over keep & pred != 0 & dh != 0 (finite)."""
    k = keep & (pred != 0) & (dh != 0) & np.isfinite(pred) & np.isfinite(dh)
    x, y = pred[k], dh[k]
    n = int(k.sum())
    if n == 0:
        return {"n": 0}
    neg = float(np.mean(y < 0))
    return {"n": n, "agree": float(np.mean(np.sign(x) == np.sign(y))),
            "majority": max(neg, 1 - neg), "spearman": spearman(x, y), "pearson": pearson(x, y)}


def step_table(t):
    steps = np.unique(t["step"])
    rows = []
    for s in steps:
        k = t["step"] == s
        has = k & np.isfinite(t["dh"])
        rows.append({"step": int(s), "tokens": int(k.sum()), "mean_entropy": float(t["H"][k].mean()),
                     "token_term": float(t["tt"][k].mean()),
                     "pg_polarity": float(t["pg"][k].mean()),
                     "realised_dh_same": float(t["dh"][has].mean()) if has.any() else float("nan"),
                     "agree_token_term": agreement(t["tt"], t["dh"], k & (t["A"] != 0)).get("agree")})
    for a, b in zip(rows, rows[1:]):
        a["realised_dh"] = b["mean_entropy"] - a["mean_entropy"]
    rows[-1]["realised_dh"] = float("nan")
    return rows


def across_steps(rows, x, y):
    xs = np.array([r[x] for r in rows], dtype=np.float64)
    ys = np.array([r[y] for r in rows], dtype=np.float64)
    k = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[k], ys[k]
    nz = (xs != 0) & (ys != 0)  # a step whose advantages are all 0 predicts 0: no sign
    return {"n": int(k.sum()), "pearson": pearson(xs, ys), "spearman": spearman(xs, ys),
            "n_signed": int(nz.sum()),
            # the steps that trained: a group whose rewards are all equal has A = 0 everywhere
            "pearson_active": pearson(xs[xs != 0], ys[xs != 0]),
            "spearman_active": spearman(xs[xs != 0], ys[xs != 0]),
            "sign_agree": float(np.mean(np.sign(xs[nz]) == np.sign(ys[nz]))) if nz.any() else float("nan")}


def report(t):
    ok = np.isfinite(t["dh"])
    active = ok & (t["A"] != 0)
    above = t["p"] > np.exp(-t["H"])  # the nudge flip: reinforcing narrows above e^-H
    nsteps = int(t["step"].max())
    third = [(1, nsteps // 3), (nsteps // 3 + 1, 2 * nsteps // 3), (2 * nsteps // 3 + 1, nsteps)]
    big = np.abs(t["tt"]) >= np.quantile(np.abs(t["tt"][active]), 0.9) if active.any() else active
    rows = step_table(t)
    out = {
        "tokens": int(len(t["H"])), "tokens_with_after": int(ok.sum()),
        "tokens_A_nonzero": int(active.sum()),
        "mean_abs_dh": {"A!=0": float(np.abs(t["dh"][active]).mean()),
                        "A=0": float(np.abs(t["dh"][ok & (t["A"] == 0)]).mean())
                        if (ok & (t["A"] == 0)).any() else float("nan")},
        # the drift every position shares: tokens with A = 0 get no push of their own
        "mean_dh": {"A!=0": float(t["dh"][active].mean()),
                    "A=0": float(t["dh"][ok & (t["A"] == 0)].mean())
                    if (ok & (t["A"] == 0)).any() else float("nan")},
        "token_term": agreement(t["tt"], t["dh"], active),
        "pg_polarity": agreement(t["pg"], t["dh"], active),
        "by": {
            "p_k > e^-H": agreement(t["tt"], t["dh"], active & above),
            "p_k < e^-H": agreement(t["tt"], t["dh"], active & ~above),
            "A > 0": agreement(t["tt"], t["dh"], active & (t["A"] > 0)),
            "A < 0": agreement(t["tt"], t["dh"], active & (t["A"] < 0)),
            "largest 10 % of the token term by size": agreement(t["tt"], t["dh"], active & big),
            **{f"steps {a}-{b}": agreement(t["tt"], t["dh"], active & (t["step"] >= a) & (t["step"] <= b))
               for a, b in third},
        },
        "by_pg": {
            "p_k > e^-H": agreement(t["pg"], t["dh"], active & above),
            "p_k < e^-H": agreement(t["pg"], t["dh"], active & ~above),
            "A > 0": agreement(t["pg"], t["dh"], active & (t["A"] > 0)),
            "A < 0": agreement(t["pg"], t["dh"], active & (t["A"] < 0)),
        },
        "steps": {
            "n": len(rows),
            "token_term~realised_dh_same": across_steps(rows, "token_term", "realised_dh_same"),
            "token_term~realised_dh": across_steps(rows, "token_term", "realised_dh"),
            "pg_polarity~realised_dh_same": across_steps(rows, "pg_polarity", "realised_dh_same"),
            "steps_with_agreement": sum(r["agree_token_term"] is not None for r in rows),
            "share_steps_agree_above_half": float(np.mean([r["agree_token_term"] > 0.5 for r in rows
                                                           if r["agree_token_term"] is not None])),
        },
        "per_step": rows,
    }
    return out


def fmt_agree(a):
    if not a.get("n"):
        return "n=0"
    return (f"agree {a['agree']:.3f} (majority {a['majority']:.3f}), Spearman {a['spearman']:+.3f}, "
            f"Pearson {a['pearson']:+.3f}, n={a['n']}")


def show(name, r):
    print(f"## {name}")
    print(f"counted tokens {r['tokens']}, with entropy_after {r['tokens_with_after']}, A != 0 "
          f"{r['tokens_A_nonzero']}; mean |dH| A!=0 {r['mean_abs_dh']['A!=0']:.3g}, "
          f"A=0 {r['mean_abs_dh']['A=0']:.3g}")
    print(f"mean dH A!=0 {r['mean_dh']['A!=0']:+.3g}, A=0 {r['mean_dh']['A=0']:+.3g}")
    print(f"token term  vs same-context dH: {fmt_agree(r['token_term'])}")
    print(f"PG polarity vs same-context dH: {fmt_agree(r['pg_polarity'])}")
    for k, a in r["by"].items():
        print(f"  token term, {k:22s} {fmt_agree(a)}")
    for k, a in r["by_pg"].items():
        print(f"  PG polarity, {k:21s} {fmt_agree(a)}")
    for k, a in r["steps"].items():
        if isinstance(a, dict):
            print(f"  per step ({r['steps']['n']} steps) {k}: Pearson {a['pearson']:+.3f}, "
                  f"Spearman {a['spearman']:+.3f}, n={a['n']}; over the steps with a nonzero "
                  f"prediction Pearson {a['pearson_active']:+.3f}, Spearman {a['spearman_active']:+.3f}; "
                  f"same sign {a['sign_agree']:.3f} "
                  f"of the {a['n_signed']} steps where both are nonzero")
    print(f"  steps whose token-term agreement is above 0.5: "
          f"{r['steps']['share_steps_agree_above_half']:.3f} of {r['steps']['steps_with_agreement']}")
    print()


def markdown(results):
    """One Markdown table: a row per figure, a column per run (for README.md)."""
    def agree(a):
        return f"{a['agree']:.2f} ({a['majority']:.2f}), {a['spearman']:+.2f}, {a['n']}" if a.get("n") else "–"

    def steps(a):
        return (f"{a['pearson']:+.2f} / {a['spearman']:+.2f} ({a['n']}); trained steps "
                f"{a['pearson_active']:+.2f} / {a['spearman_active']:+.2f} ({a['n_signed']})")

    rows = [("counted tokens (A ≠ 0)", lambda r: f"{r['tokens']} ({r['tokens_A_nonzero']})"),
            ("mean \\|ΔH\\|, A ≠ 0 / A = 0",
             lambda r: f"{r['mean_abs_dh']['A!=0']:.3f} / {r['mean_abs_dh']['A=0']:.3f}"),
            ("mean ΔH, A ≠ 0 / A = 0", lambda r: f"{r['mean_dh']['A!=0']:+.3f} / {r['mean_dh']['A=0']:+.3f}"),
            ("token term: agree (majority), Spearman, n", lambda r: agree(r["token_term"])),
            ("PG polarity: agree (majority), Spearman, n", lambda r: agree(r["pg_polarity"]))]
    rows += [(f"token term, {k}", (lambda k: lambda r: agree(r["by"][k]))(k))
             for k in next(iter(results.values()))["by"] if not k.startswith("steps ")]
    rows += [(f"PG polarity, {k}", (lambda k: lambda r: agree(r["by_pg"][k]))(k))
             for k in next(iter(results.values()))["by_pg"]]
    rows += [("token term, first / middle / last third of the steps",
              lambda r: " · ".join(f"{a['agree']:.2f}" if a.get("n") else "–"
                                   for k, a in r["by"].items() if k.startswith("steps "))),
             ("per step: token term vs realised_dh_same, Pearson / Spearman (steps)",
              lambda r: steps(r["steps"]["token_term~realised_dh_same"])),
             ("per step: PG polarity vs realised_dh_same",
              lambda r: steps(r["steps"]["pg_polarity~realised_dh_same"])),
             ("per step: token term vs realised_dh (next step, other samples)",
              lambda r: steps(r["steps"]["token_term~realised_dh"]))]
    out = ["| | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]
    for name, f in rows:
        out.append(f"| {name} | " + " | ".join(f(r) for r in results.values()) + " |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--json", help="write every number here")
    ap.add_argument("--markdown", action="store_true", help="also print one table of the runs")
    args = ap.parse_args(argv)
    out = {}
    for d in args.dirs:
        out[d] = report(read_run(d))
        show(d, out[d])
    if args.markdown:
        print(markdown(out))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1, allow_nan=True)


if __name__ == "__main__":
    main()
