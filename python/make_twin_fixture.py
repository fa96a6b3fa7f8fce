#!/usr/bin/env python3
"""Runs the NumPy twin of the trace writer (python/entropy_polarity/writer.py) on seeded
logits and writes tests/fixtures/trace_writer_twin.json, which tests/native/run_writer.rs
compares with the Rust core (Distribution on the same logits, and the RunReader on
the trace lines the writer produced).

    python3 python/make_twin_fixture.py           # (re)write the fixture
    python3 python/make_twin_fixture.py --check   # exit 1 if the committed one is stale

The check compares numbers at 1e-12 relative, not text: NumPy's exp and log round the
last digit differently on different CPUs (an AMD EPYC against an Intel Xeon), and the
fixture must not depend on the machine that wrote it.
"""

import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from entropy_polarity.writer import trace_columns_np, trace_line  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "trace_writer_twin.json")


def cases():
    rng = np.random.default_rng(20261201)
    out = []
    # (name, logits, temperature): chunk 16 splits every case across chunks.
    normal = rng.normal(0, 2, size=(40, 50))
    wide = rng.normal(0, 3, size=(20, 400))
    near_one_hot = np.zeros((18, 64))
    near_one_hot[:, 0] = np.linspace(5, 73, 18)  # 1 - p_max from ~1e-1 down to ~1e-30
    masked = rng.normal(0, 1.5, size=(20, 30))
    masked[:, 20:] = -np.inf
    masked[::3, 5:10] = -np.inf
    for name, logits, temp in [("normal", normal, 1.0), ("wide", wide, 0.7),
                               ("near-one-hot", near_one_hot, 1.0), ("masked", masked, 1.3)]:
        n, v = logits.shape
        y = logits / temp
        p = np.exp(y - y.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        ids = [int(rng.choice(v, p=row)) for row in p]
        adv = np.round(rng.normal(0, 1, size=n), 6)
        cols = trace_columns_np(logits, ids, adv, temperature=temp, chunk=16)
        # Two samples per case (split at n // 2), step = case number.
        step = len(out)
        lines = [trace_line(step, k, {c: v[a:b] for c, v in cols.items()})
                 for k, (a, b) in enumerate([(0, n // 2), (n // 2, n)])]
        out.append({
            "name": name, "temperature": temp, "step": step,
            "logits": [[repr(float(x)) for x in row] for row in logits],
            "columns": cols, "lines": lines,
        })
    return out


def render():
    doc = {"about": "python/entropy_polarity/writer.py's NumPy twin on seeded logits (python/make_twin_fixture.py); "
                    "tests/native/run_writer.rs checks the core against it. Logits are repr() strings ('-inf' masks).",
           "cases": cases()}
    return json.dumps(doc, indent=1) + "\n"


REL = 1e-12  # the fixture's numbers against a fresh run: rounding, not a change


def _number(x):
    """A float for a number or a repr() string of one, else None."""
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return float(x)
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def differs(old, new, where="fixture"):
    """The first place where two fixture documents differ beyond rounding, or None.
    Trace lines (JSON text) are compared field by field."""
    if isinstance(old, dict) and isinstance(new, dict):
        if old.keys() != new.keys():
            return "%s: keys %s vs %s" % (where, sorted(old), sorted(new))
        return next((d for k in old if (d := differs(old[k], new[k], "%s.%s" % (where, k)))), None)
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return "%s: %d vs %d items" % (where, len(old), len(new))
        return next((d for i, (a, b) in enumerate(zip(old, new)) if (d := differs(a, b, "%s[%d]" % (where, i)))), None)
    if isinstance(old, str) and isinstance(new, str) and old.startswith("{") and new.startswith("{"):
        return differs(json.loads(old), json.loads(new), where)
    a, b = _number(old), _number(new)
    if a is not None and b is not None and type(old) is type(new):
        if a == b or math.isfinite(a - b) and abs(a - b) <= REL * max(abs(a), abs(b)):
            return None
        return "%s: %r vs %r" % (where, old, new)
    return None if old == new else "%s: %r vs %r" % (where, old, new)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            diff = differs(json.load(f), json.loads(text))
        if diff:
            print("make_twin_fixture.py --check: tests/fixtures/trace_writer_twin.json is stale (committed vs now, %s); "
                  "run python3 python/make_twin_fixture.py" % diff, file=sys.stderr)
            sys.exit(1)
        print("trace_writer_twin.json is up to date (to %g relative)" % REL)
    else:
        with open(OUT, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote", OUT)
