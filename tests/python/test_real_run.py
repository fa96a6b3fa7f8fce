"""scripts/real_run.py and scripts/real_run_report.py, and the shipped real run.

    python3 -m unittest tests/python/test_real_run.py      # about 40 s (the smoke)

- The smoke: scripts/real_run.py's whole code path (dataset, reward, GRPOConfig,
  PolarityGRPOTrainer, run.json) for 2 steps on `--tiny`, a GPT-2 from a config (a
  real SmolLM2 step took 60-130 s on this shared 2-core machine, over the 2 minutes a
  smoke may take; the full run is the documented script). Its traces have
  entropy_after and text on every line, and the report reads them.
- The reward, the report's ranks, Spearman and sign agreement on hand-made cases.
- The shipped www/examples/runs/smollm2-grpo: every step present, run.json as SPEC §6
  says, and the report's per-step mean dH equal to a plain recomputation here.
"""

import glob
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
SHIPPED = os.path.join(ROOT, "www", "examples", "runs", "smollm2-grpo")

try:
    import numpy  # noqa: F401
    import real_run_report as report
except ImportError as e:
    report, NUMPY = None, str(e)
else:
    NUMPY = None
try:
    import torch  # noqa: F401
    import trl  # noqa: F401
except ImportError as e:
    TORCH = str(e)
else:
    TORCH = None


class Reward(unittest.TestCase):
    def test_first_integer_decides(self):
        import real_run

        got = real_run.correct([" 13\n7 + 2 = 9", " -5\n", " 2 + 9 equals 11", " twelve", ""],
                               [13, -5, 11, 12, 0])
        self.assertEqual(got, [1.0, 1.0, 0.0, 0.0, 0.0])

    def test_problems_are_seeded_and_right(self):
        import real_run

        a, b = real_run.problems(7, 20), real_run.problems(7, 20)
        self.assertEqual(a, b)
        self.assertNotEqual(a, real_run.problems(8, 20))
        for prompt, answer in a:
            x, op, y = prompt.splitlines()[-1].rstrip(" =").split()
            self.assertEqual(answer, int(x) + int(y) if op == "+" else int(x) - int(y))


@unittest.skipIf(report is None, "NumPy missing: %s" % NUMPY)
class ReportMath(unittest.TestCase):
    def test_ranks_average_ties(self):
        self.assertEqual(report.ranks(numpy.array([10.0, 20.0, 10.0, 5.0])).tolist(), [2.5, 4.0, 2.5, 1.0])

    def test_spearman_of_a_monotone_map_is_one(self):
        x = numpy.array([0.3, -1.0, 2.0, 5.0, 0.0])
        self.assertAlmostEqual(report.spearman(x, numpy.exp(x)), 1.0, places=12)
        self.assertAlmostEqual(report.spearman(x, -x ** 3), -1.0, places=12)
        # 1 - 6 sum d^2 / (n (n^2 - 1)) for ranks without ties: d = (0, 0, 1, -1) -> 0.8
        self.assertAlmostEqual(report.spearman(numpy.array([1.0, 2, 3, 4]), numpy.array([1.0, 2, 4, 3])), 0.8,
                               places=12)

    def test_agreement_counts_only_nonzero_pairs(self):
        pred = numpy.array([1.0, -2.0, 0.0, 3.0, -1.0])
        dh = numpy.array([0.5, 0.1, 0.7, 0.0, -0.2])
        a = report.agreement(pred, dh, numpy.ones(5, bool))
        self.assertEqual(a["n"], 3)  # the zero prediction and the zero change are left out
        self.assertAlmostEqual(a["agree"], 2 / 3)
        self.assertAlmostEqual(a["majority"], 2 / 3)


def plain_mean_dh(d):
    """Per step, the mean of entropy_after - entropy over mask-on tokens (every
    token of these runs has finite values), summed with math.fsum."""
    out = {}
    for path in glob.glob(os.path.join(d, "step_*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                for m, h, ha in zip(o["mask"], o["entropy"], o["entropy_after"]):
                    if m:
                        out.setdefault(o["step"], []).append(ha - h)
    return {s: math.fsum(v) / len(v) for s, v in out.items()}


@unittest.skipIf(TORCH or NUMPY, "torch/trl or NumPy missing (scripts/setup.sh --test): %s" % (TORCH or NUMPY))
class Smoke(unittest.TestCase):
    def test_two_steps_on_the_tiny_model(self):
        with tempfile.TemporaryDirectory() as out:
            p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "real_run.py"), "--tiny",
                                "--steps", "2", "--out", out, "--seed", "5"],
                               capture_output=True, text=True, timeout=600)
            self.assertEqual(p.returncode, 0, p.stderr[-3000:])
            self.assertEqual(sorted(os.listdir(out)), ["run.json", "step_1.jsonl", "step_2.jsonl"])
            with open(os.path.join(out, "run.json"), encoding="utf-8") as f:
                run = json.load(f)
            for k in ("model", "vocab_size", "temperature", "learning_rate", "num_generations", "seed",
                      "versions", "wall_time_s", "memory_peak_mib", "command", "task"):
                self.assertIn(k, run)
            self.assertEqual((run["seed"], run["num_generations"]), (5, 8))
            self.assertGreater(run["memory_peak_mib"], 100)
            self.assertEqual(len(run["reward_per_step"]), 2)
            lines = [json.loads(line) for s in (1, 2) for line in open(os.path.join(out, f"step_{s}.jsonl"))]
            self.assertEqual(len(lines), 16)  # 2 steps x G = 8
            for o in lines:
                self.assertEqual(len(o["entropy_after"]), len(o["entropy"]))
                self.assertEqual(len(o["text"]), len(o["token_id"]))
            r = report.report(report.read_run(out))
            self.assertEqual(r["tokens_with_after"], r["tokens"])
            want = plain_mean_dh(out)
            for row in r["per_step"]:
                self.assertAlmostEqual(row["realised_dh_same"], want[row["step"]], delta=1e-12)


@unittest.skipIf(NUMPY, "NumPy missing: %s" % NUMPY)
@unittest.skipUnless(os.path.isdir(SHIPPED), "no shipped real run yet")
class Shipped(unittest.TestCase):
    def test_run_json_and_every_step(self):
        with open(os.path.join(SHIPPED, "run.json"), encoding="utf-8") as f:
            run = json.load(f)
        self.assertEqual(run["vocab_size"], 49152)
        self.assertIn("SmolLM2-135M-Instruct", run["model"])
        self.assertGreaterEqual(run["num_generations"], 8)
        steps = sorted(int(os.path.basename(p)[5:-6]) for p in glob.glob(os.path.join(SHIPPED, "step_*.jsonl")))
        self.assertEqual(steps, list(range(1, run["steps"] + 1)))
        self.assertGreaterEqual(len(steps), 50)
        size = sum(os.path.getsize(os.path.join(SHIPPED, f)) for f in os.listdir(SHIPPED))
        self.assertLess(size, 12 << 20)

    def test_report_matches_a_plain_reading(self):
        r = report.report(report.read_run(SHIPPED))
        want = plain_mean_dh(SHIPPED)
        self.assertEqual(len(r["per_step"]), len(want))
        for row in r["per_step"]:
            self.assertAlmostEqual(row["realised_dh_same"], want[row["step"]], delta=1e-12)


if __name__ == "__main__":
    unittest.main()
