#!/usr/bin/env python3
"""Whole-run throughput: the per-step table of a prime-rl run folder, five ways.

    python3 bench/make_big_run.py /tmp/ep-big-run --gb 2      # once, ~2 GB
    python3 bench/run_steps_bench.py /tmp/ep-big-run [--rounds 3] [--page] [--json]

Implementations, each a separate process reading the same files (so the OS page
cache serves all of them alike after the first read):
  duckdb      python3 scripts/run_steps.py DIR (sql/, DuckDB's read_json, all cores)
  spark       the same with --engine spark: the same SQL on Spark local[*] (JVM start
              included; CPU time includes the JVM's, which run_steps waits for)
  json-numpy  json.loads per line, NumPy arrays per sample, per-step sums (1 core)
  polars      polars.scan_ndjson over the files, explode, group_by (all cores)
  native      the same Rust reader natively, one thread (cargo's examples/run_steps,
              built with `cargo build --release --example run_steps`; skipped if absent)
  page        with --page: the page's run panel in headless Chromium (bench/run_stream.mjs),
              the worker parsing and aggregating in wasm (needs scripts/build.sh first);
              its long main-thread tasks and memory are passed on in --json's summary
Every implementation's table must equal DuckDB's (1e-9 relative) or the run fails:
a baseline counts only at equal accuracy. Reported: wall time, on-CPU time (the
process and its threads), MB/s of JSONL over wall time, and each rate's ratio to
json-numpy's in the same round; the median over rounds.
"""

import argparse
import csv
import io
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
HEADER = ("step,samples,tokens,mean_entropy,mean_prob,token_term,share_pos_expand,"
          "share_pos_contract,share_neg_expand,share_neg_contract,pg_polarity,realised_dh,"
          "realised_dh_same,agree_token_term,agree_pg_polarity").split(",")


def files_of(root):
    out = []
    for dirpath, _, names in os.walk(root):
        out += [os.path.join(dirpath, n) for n in names if re.search(r"step_\d+[/\\]rank_\d+\.jsonl$",
                                                                     os.path.join(dirpath, n))]
    return sorted(out)


def finish(per_step):
    """per_step: {step: [samples, tokens, ΣH, Σp, Σterm, pe, pc, ne, nc]} → CSV rows."""
    rows = []
    for step in sorted(per_step):
        s, n, sh, sp, st, pe, pc, ne, nc = per_step[step]
        signed = pe + pc + ne + nc
        share = (lambda k: k / signed) if signed else (lambda k: None)
        rows.append([step, s, n, sh / n if n else None, sp / n if n else None,
                     st / n if n else None, share(pe), share(pc), share(ne), share(nc), None, None,
                     None, None, None])  # prime-rl: no entropy_after
    for cur, nxt in zip(rows, rows[1:]):
        if cur[3] is not None and nxt[3] is not None:
            cur[11] = nxt[3] - cur[3]
    return rows


def write_csv(rows):
    out = io.StringIO()
    out.write(",".join(HEADER) + "\n")
    for r in rows:
        out.write(",".join("" if v is None else repr(v) for v in r) + "\n")
    sys.stdout.write(out.getvalue())


def impl_json_numpy(root):
    import numpy as np
    per_step = {}
    for path in files_of(root):
        with open(path, "rb") as f:
            for line in f:
                r = json.loads(line)
                lp = np.array(r["trainer_logprobs"], dtype=np.float64)  # None → NaN
                h = np.array(r["entropy"], dtype=np.float64)
                a = np.array(r["advantages"], dtype=np.float64)
                c = np.array(r["loss_mask"], dtype=bool)
                im = r.get("is_masked")
                if im is not None:
                    c &= ~np.array(im, dtype=bool)  # None → False
                c &= np.isfinite(lp) & np.isfinite(h) & np.isfinite(a)
                lp, h, a = lp[c], h[c], a[c]
                p = np.exp(lp)
                term = -a * p * (h + lp)
                acc = per_step.setdefault(r["step"], [0, 0, 0.0, 0.0, 0.0, 0, 0, 0, 0])
                acc[0] += 1 if lp.size else 0
                acc[1] += lp.size
                acc[2] += h.sum()
                acc[3] += p.sum()
                acc[4] += term.sum()
                pos, neg = a > 0, a < 0
                up, down = term > 0, term < 0
                acc[5] += int(np.count_nonzero(pos & up))
                acc[6] += int(np.count_nonzero(pos & down))
                acc[7] += int(np.count_nonzero(neg & up))
                acc[8] += int(np.count_nonzero(neg & down))
    write_csv(finish({k: [float(x) if isinstance(x, np.floating) else x for x in v]
                      for k, v in per_step.items()}))


def impl_polars(root):
    import polars as pl
    lists = ["loss_mask", "advantages", "trainer_logprobs", "entropy", "is_masked"]
    schema = {"step": pl.Int64, "loss_mask": pl.List(pl.Boolean),
              "advantages": pl.List(pl.Float64), "trainer_logprobs": pl.List(pl.Float64),
              "entropy": pl.List(pl.Float64), "is_masked": pl.List(pl.Boolean)}
    lp, h, a = pl.col("trainer_logprobs"), pl.col("entropy"), pl.col("advantages")
    term = -a * lp.exp() * (h + lp)
    q = (pl.scan_ndjson(files_of(root), schema=schema)
         .with_row_index("sample")
         .with_columns(pl.when(pl.col("is_masked").is_null())
                       .then(pl.col("loss_mask").list.eval(pl.element() & False))
                       .otherwise(pl.col("is_masked")).alias("is_masked"))
         .explode(lists)
         .filter(pl.col("loss_mask") & pl.col("is_masked").fill_null(False).not_()
                 & lp.is_finite() & h.is_finite() & a.is_finite())
         .with_columns(term.alias("term"))
         .group_by("step")
         .agg(pl.col("sample").n_unique().alias("samples"), pl.len().alias("tokens"),
              h.sum().alias("sh"), lp.exp().sum().alias("sp"), pl.col("term").sum().alias("st"),
              ((a > 0) & (pl.col("term") > 0)).sum().alias("pe"),
              ((a > 0) & (pl.col("term") < 0)).sum().alias("pc"),
              ((a < 0) & (pl.col("term") > 0)).sum().alias("ne"),
              ((a < 0) & (pl.col("term") < 0)).sum().alias("nc")))
    df = q.collect(engine="streaming")
    write_csv(finish({r[0]: list(r[1:]) for r in df.select(
        "step", "samples", "tokens", "sh", "sp", "st", "pe", "pc", "ne", "nc").iter_rows()}))


def parse(text):
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER, rows[0]
    return [[None if c == "" else float(c) for c in r] for r in rows[1:]]


def same(a, b, rel=1e-9):
    if len(a) != len(b):
        return "%d steps against %d" % (len(a), len(b))
    for ra, rb in zip(a, b):
        for name, x, y in zip(HEADER, ra, rb):
            if (x is None) != (y is None) or (x is not None and abs(x - y) > rel * max(abs(x), abs(y), 1e-300)):
                return "step %s, %s: %r against %r" % (ra[0], name, x, y)
    return None


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (" ".join(cmd), p.stderr[-3000:]))
    return p.stdout, p.stderr, wall, cpu


def main():
    ap = argparse.ArgumentParser(description="whole-run throughput benchmark")
    ap.add_argument("dir")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--page", action="store_true", help="also the page (headless Chromium)")
    ap.add_argument("--only", help="comma-separated implementations")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--impl", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.impl:
        {"json-numpy": impl_json_numpy, "polars": impl_polars}[args.impl](args.dir)
        return
    files = files_of(args.dir)
    size = sum(os.path.getsize(p) for p in files)
    if not files:
        raise SystemExit("%s: no token_exports/step_<n>/rank_<r>.jsonl files" % args.dir)
    me = [sys.executable, os.path.abspath(__file__)]
    impls = {
        "duckdb": [sys.executable, "scripts/run_steps.py", args.dir, "--quiet"],
        "spark": [sys.executable, "scripts/run_steps.py", args.dir, "--quiet", "--engine", "spark"],
        "json-numpy": me + [args.dir, "--impl", "json-numpy"],
        "polars": me + [args.dir, "--impl", "polars"],
    }
    try:
        import polars  # noqa: F401
    except ImportError:
        print("polars is not installed: skipped (pip install polars)", file=sys.stderr)
        del impls["polars"]
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print("pyspark is not installed: skipped (pip install pyspark)", file=sys.stderr)
        del impls["spark"]
    native = os.path.join(ROOT, "target", "release", "examples", "run_steps")
    if os.path.exists(native):
        impls["native"] = [native, args.dir]
    else:
        print("native reader not built: skipped (cargo build --release --example run_steps)",
              file=sys.stderr)
    if args.page:
        impls["page"] = ["node", "bench/run_stream.mjs", args.dir]
    if args.only:
        impls = {k: v for k, v in impls.items() if k in args.only.split(",")}
    print("%d files, %.2f GB of JSONL; %d round(s); load average %.1f"
          % (len(files), size / 1e9, args.rounds, os.getloadavg()[0]), file=sys.stderr)
    results = {k: [] for k in impls}
    page_extra = []
    load_start = os.getloadavg()
    reference = None
    for rnd in range(args.rounds):
        for name, cmd in impls.items():
            out, err, wall, cpu = timed(cmd)
            if name == "page":  # files handed to the input → panel ready, not the browser start
                lines = out.strip().splitlines()
                print("\n".join("    " + l for l in lines[:-1]), file=sys.stderr)
                m = json.loads(lines[-1])
                out, wall = m.pop("csv"), m["seconds"]
                cpu = float("nan")
                page_extra.append(m)
            table = parse(out)
            if reference is None:
                reference = table
            diff = same(table, reference)
            if diff:
                raise SystemExit("%s disagrees with %s: %s" % (name, next(iter(impls)), diff))
            results[name].append((wall, cpu))
            print("round %d  %-10s wall %7.2f s  cpu %7.2f s  %7.1f MB/s  (load average %.1f)"
                  % (rnd + 1, name, wall, cpu, size / 1e6 / wall, os.getloadavg()[0]),
                  file=sys.stderr, flush=True)
    base = "json-numpy" if "json-numpy" in results else None
    summary = {"bytes": size, "files": len(files), "rounds": args.rounds, "impls": {},
               "page": page_extra, "loadavg_start": load_start,
               "loadavg_end": os.getloadavg()}
    print("\n%-10s %10s %10s %10s %12s" % ("impl", "wall s", "cpu s", "MB/s", "× json-numpy"))
    for name, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        ratio = (statistics.median(results[base][i][0] / runs[i][0] for i in range(len(runs)))
                 if base else float("nan"))
        summary["impls"][name] = {"wall": wall, "cpu": cpu, "mb_per_s": size / 1e6 / wall,
                                  "ratio_to_json_numpy": ratio, "rounds": runs}
        print("%-10s %10.2f %10.2f %10.1f %12.2f" % (name, wall, cpu, size / 1e6 / wall, ratio))
    if args.json:
        print(json.dumps(no_nan(summary)))


def no_nan(v):
    """NaN → null, so that any JSON reader takes the summary."""
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, dict):
        return {k: no_nan(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [no_nan(x) for x in v]
    return v


if __name__ == "__main__":
    main()
