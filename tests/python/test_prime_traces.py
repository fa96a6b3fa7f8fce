"""Cross-check: one synthetic prime-rl run written twice, as the old token_exports
(full float32 precision) and as today's trace stream with annotations (trainer floats
rounded to 4 decimals, RECORD_FLOAT_DECIMALS), read by the two plain-Python readers
of scripts/, must give the same per-step table: counts exactly, and every figure within
the tolerance that rounding to 4 decimals allows, computed per token below
(docs/trace-format.md "What rounding to 4 decimals does"); and the same for the Rust core
the page runs (`cargo run --example run_steps`, its native twin), reading both layouts.
Needs the zstd command line tool, cargo and (DuckDB) the duckdb package. About ten
seconds with the example built.

    python3 -m unittest tests/python/test_prime_traces.py
"""

import csv
import io
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import make_run_examples as mre  # noqa: E402
import prime_traces_example as pte  # noqa: E402

HALF = 0.5 * 10.0 ** -pte.DECIMALS  # the largest change round(x, 4) makes


def write(root, files):
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())


class CrossCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.episodes = pte.make_run(random.Random(pte.SEED))
        cls.tmp = tempfile.TemporaryDirectory()
        write(cls.tmp.name, pte.write_streams(cls.episodes))
        write(cls.tmp.name, pte.token_exports(cls.episodes))
        cls.new = pte.ref_prime_traces(os.path.join(cls.tmp.name, pte.TRACES))
        cls.old = mre.ref_prime_rl(os.path.join(cls.tmp.name, "token_exports"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def counted(self, step):
        """(A, ℓ, H) of the counted tokens of a step, at full precision."""
        out = []
        for ep in self.episodes:
            if ep["step"] != step or ep.get("eval"):
                continue
            for path in pte.paths_of(ep["nodes"]):
                for i in path:
                    out += [(ep["adv"], lp, h) for lp, h, masked in ep["cols"].get(i, []) if not masked]
        return out

    def test_counts_are_equal(self):
        self.assertEqual(len(self.new), len(self.old))
        for n, o in zip(self.new, self.old):
            for col in ("step", "samples", "tokens"):
                self.assertEqual(n[col], o[col], (n["step"], col))

    def tolerances(self, step):
        """Per column, how far rounding to 4 decimals may move the step's figure."""
        dp = math.expm1(HALF)  # relative change of p_k when ℓ moves by HALF
        toks = self.counted(step)
        # |ΔH|, |Δℓ| ≤ HALF per token: the means move by at most HALF, p by p·dp.
        tol = {"mean_entropy": HALF, "mean_prob": dp}
        # −A·p(H+ℓ): |Δ| ≤ |A|·p·(dp·|H+ℓ| + 2·HALF), plus float32 of A in the old export.
        bound = [abs(a) * math.exp(lp) * (dp * abs(h + lp) + 2 * HALF) + abs(a * math.exp(lp) * (h + lp)) * 2 ** -23
                 for a, lp, h in toks]
        tol["token_term"] = math.fsum(bound) / len(bound) if bound else 0.0
        # A share moves only through tokens whose term can change sign: |term| ≤ bound.
        near = sum(1 for (a, lp, h), b in zip(toks, bound) if a != 0 and abs(a * math.exp(lp) * (h + lp)) <= b)
        den = sum(1 for a, lp, h in toks if a != 0 and h + lp != 0)
        for col in ("share_pos_expand", "share_pos_contract", "share_neg_expand", "share_neg_contract"):
            tol[col] = near / den if den else 0.0
        tol["realised_dh"] = 2 * HALF
        return tol, len(toks)

    def assert_within(self, new, old):
        """Counts equal, every figure within its tolerance; how many figures differ."""
        changed = 0
        self.assertEqual(len(new), len(old))
        for n, o in zip(new, old):
            for col in ("step", "samples", "tokens"):
                self.assertEqual(n[col], o[col], (n["step"], col))
            tol, count = self.tolerances(n["step"])
            self.assertEqual(count, n["tokens"])
            for col, t in tol.items():
                x, y = n[col], o[col]
                self.assertEqual(x is None, y is None, (n["step"], col))
                if x is not None:
                    self.assertLessEqual(abs(x - y), t + 1e-15, (n["step"], col, x, y, t))
                    changed += x != y
        return changed

    def test_figures_within_the_rounding_tolerance(self):
        # The rounding is real: the two layouts do not give identical figures.
        self.assertGreater(self.assert_within(self.new, self.old), 0)

    def test_rust_core_within_the_rounding_tolerance(self):
        """The page's reader (the Rust core, through its native twin) on both layouts."""
        cargo = shutil.which("cargo") or os.path.expanduser("~/.cargo/bin/cargo")
        if not os.path.exists(cargo):
            self.skipTest("no cargo")

        def rust(path):
            p = subprocess.run([cargo, "run", "--quiet", "--example", "run_steps", "--", path],
                               cwd=ROOT, capture_output=True, text=True, timeout=900)
            self.assertEqual(p.returncode, 0, p.stderr)
            rows = list(csv.DictReader(io.StringIO(p.stdout)))
            return [{k: (None if v == "" else float(v)) for k, v in r.items()} for r in rows]

        new = rust(os.path.join(self.tmp.name, pte.TRACES))
        old = rust(os.path.join(self.tmp.name, "token_exports"))
        self.assertGreater(self.assert_within(new, old), 0)
        # and each layout as its plain-Python reader reads it
        for got, want in ((new, self.new), (old, self.old)):
            for g, w in zip(got, want):
                for col, x in g.items():
                    y = w[col]
                    self.assertEqual(x is None, y is None, (w["step"], col))
                    if x is not None:
                        self.assertLessEqual(abs(x - y), 1e-12 * (1 + abs(y)), (w["step"], col, x, y))

    def test_pg_polarity_and_same_context_are_empty_in_both(self):
        for n, o in zip(self.new, self.old):
            for col in ("pg_polarity", "realised_dh_same", "agree_token_term", "agree_pg_polarity"):
                self.assertIsNone(n[col])
                self.assertIsNone(o[col])



class DuckDB(unittest.TestCase):
    """run_steps.py (DuckDB, its own zstd) on the example's monitors/file/traces/ folder:
    the per-step table of the plain-Python fold; a bad update stops it naming the file."""

    def run_cli(self, path, *extra):
        p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "run_steps.py"), path,
                            "--quiet", *extra], capture_output=True, text=True, timeout=300)
        return p.returncode, p.stdout, p.stderr

    def test_example_equals_the_plain_python_fold(self):
        with open(os.path.join(ROOT, "tests", "fixtures", "prime_traces_expected.json")) as f:
            want = json.load(f)["rows"]
        code, out, err = self.run_cli(os.path.join(mre.OUT, pte.TRACES))
        self.assertEqual(code, 0, err)
        rows = list(csv.reader(io.StringIO(out)))
        self.assertEqual(rows[0], mre.HEADER)
        self.assertEqual(len(rows) - 1, len(want))
        for got, w in zip(rows[1:], want):
            for name, g, x in zip(mre.HEADER, got, w):
                if x is None:
                    self.assertEqual(g, "", (w[0], name))
                else:
                    self.assertLessEqual(abs(float(g) - x), 1e-12 * (1 + abs(x)), (w[0], name, g, x))

    def test_bad_update_names_file_and_field(self):
        src = os.path.join(mre.OUT, pte.TRACES)
        for line, field in (('{"version":2,"trace_id":"x","info":{},"branches":[]}', "field version"),
                            ('{"version":1,"trace_id":"nope","info":{},"branches":[]}', "field trace_id")):
            with tempfile.TemporaryDirectory() as tmp:
                dst = os.path.join(tmp, "traces")
                shutil.copytree(src, dst)
                live = os.path.join(dst, "annotations", "trainer", "00001.jsonl")
                with open(live, "a") as f:
                    f.write(line + "\n")
                with open(live) as f:
                    n = sum(1 for _ in f)
                code, out, err = self.run_cli(dst)
                self.assertNotEqual(code, 0)
                self.assertIn("00001.jsonl:%d: %s" % (n, field), err)


if __name__ == "__main__":
    unittest.main()
