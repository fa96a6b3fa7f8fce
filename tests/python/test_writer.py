"""The trace writer (python/entropy_polarity/writer.py) against 50-digit arithmetic.

    python3 -m unittest tests/python/test_writer.py

Expected values come from mpmath at 50 digits, computed from the textbook formulas
(ln p = z/T - ln sum e^(z/T), H = -sum p ln p, S_j = p_j (H + ln p_j),
S-bar = sum p_j S_j), which share nothing with the writer's log1p and centring.
On the same float64 logits, H and S-bar must be within 1e-12 relative and logprob
within 1e-12 absolute, for the NumPy twin and the torch writer alike, on random
rows, rows with -inf masks, rows with ties for the max and near-one-hot rows with
a tail mass from 1e-1 down to 1e-30. The torch half is skipped, saying so, only
when torch is not installed (scripts/setup.sh --test installs it).
"""

import json
import math
import os
import sys
import unittest

import mpmath
import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

from entropy_polarity import trace_columns_np, trace_line  # noqa: E402

try:
    import torch
except ImportError:  # the torch half says it is skipped
    torch = None

REL, ABS = 1e-12, 1e-12


def reference(row, t):
    """ln p of every token, H and S-bar of one row, at 50 digits (mpmath)."""
    with mpmath.workdps(50):
        t = mpmath.mpf(float(t))
        y = [None if math.isinf(z) else mpmath.mpf(float(z)) / t for z in row]
        top = max(v for v in y if v is not None)
        lse = top + mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in y if v is not None))
        lnp = [None if v is None else v - lse for v in y]
        p = [mpmath.mpf(0) if v is None else mpmath.exp(v) for v in lnp]
        h = -mpmath.fsum(pj * lj for pj, lj in zip(p, lnp) if lj is not None)
        sbar = mpmath.fsum(pj * pj * (h + lj) for pj, lj in zip(p, lnp) if lj is not None)
        return lnp, h, sbar


def cases():
    """(name, logits [N, V] float64, sampled ids, temperature)."""
    rng = np.random.default_rng(20261207)
    out = []
    out.append(("random", rng.normal(0, 2, size=(12, 50)), 1.0))
    out.append(("random wide", rng.normal(0, 3, size=(4, 1500)), 0.7))
    masked = rng.normal(0, 1.5, size=(10, 40))
    masked[:, 30:] = -np.inf
    masked[::2, 3:9] = -np.inf
    masked[1, :] = -np.inf
    masked[1, 7] = 2.5  # one token left: H = 0, S-bar = 0
    out.append(("masked", masked, 1.3))
    # Near one-hot: a tail mass q = 1 - p_max from 1e-1 down to 1e-30.
    q = np.logspace(-1, -30, 30)
    tail = rng.normal(0, 1, size=(30, 64))
    near = tail.copy()
    near[:, 5] = np.log(np.exp(tail).sum(-1) - np.exp(tail[:, 5])) - np.log(q) + np.log1p(-q)
    out.append(("near one-hot", near, 1.0))
    near_t = near.copy()
    near_t[::3, 40:] = -np.inf
    out.append(("near one-hot, masked, T=0.9", near_t * 0.9, 0.9))
    # Ties for the max: two equal maxima with a tail of 1e-3 … 1e-25, and integer logits.
    tie = np.tile(np.arange(-30.0, 0.0), (12, 1))
    tie[:, 3] = tie[:, 17] = np.linspace(7, 58, 12)
    out.append(("two-way tie", tie, 1.0))
    out.append(("integer logits", rng.integers(-3, 3, size=(8, 20)).astype(np.float64), 1.0))
    return [(name, z, [int(rng.integers(0, z.shape[1])) if not np.isinf(z[i]).any() else
                       int(np.flatnonzero(~np.isinf(z[i]))[-1]) for i in range(z.shape[0])], t)
            for name, z, t in out]


class Writer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cases = cases()
        cls.ref = {name: [reference(row, t) for row in z] for name, z, _, t in cls.cases}

    def check(self, cols, name, z, ids, t, who):
        for r in range(z.shape[0]):
            lnp, h, sbar = self.ref[name][r]
            what = f"{who}, {name}, row {r}"
            got_h, got_s, got_l = cols["entropy"][r], cols["mean_discriminator"][r], cols["logprob"][r]
            self.assertLessEqual(abs(got_h - float(h)), REL * float(h), f"{what}: H {got_h} vs {h}")
            self.assertLessEqual(abs(got_s - float(sbar)), REL * float(sbar), f"{what}: S-bar {got_s} vs {sbar}")
            self.assertGreaterEqual(got_s, 0.0, what)
            self.assertLessEqual(abs(got_l - float(lnp[ids[r]])), ABS, f"{what}: logprob {got_l} vs {lnp[ids[r]]}")
            self.assertEqual(cols["token_id"][r], ids[r], what)

    def test_numpy_against_50_digits(self):
        for name, z, ids, t in self.cases:
            # chunk 5 splits every case across chunks.
            self.check(trace_columns_np(z, ids, 0.5, temperature=t, chunk=5), name, z, ids, t, "numpy")

    def test_near_one_hot_rows_reach_1e_30(self):
        """The cases do reach a tail mass of 1e-30 (so the test above can fail on log(sum))."""
        name = "near one-hot"
        with mpmath.workdps(50):
            tails = [1 - mpmath.exp(max(v for v in lnp if v is not None)) for lnp, _, _ in self.ref[name]]
        self.assertLess(min(tails), 2e-30)
        self.assertGreater(max(tails), 5e-2)

    def test_torch_equals_numpy_and_50_digits(self):
        if torch is None:
            self.skipTest("torch is not installed (bash scripts/setup.sh --test installs it): torch writer not checked")
        from entropy_polarity import trace_columns
        for name, z, ids, t in self.cases:
            cols = trace_columns(torch.from_numpy(z), ids, torch.full((len(ids),), 0.5), temperature=t, chunk=5)
            self.check(cols, name, z, ids, t, "torch")
            twin = trace_columns_np(z, ids, 0.5, temperature=t, chunk=5)
            self.assertEqual(cols["advantage"], twin["advantage"])
            for c in ("logprob", "entropy", "mean_discriminator"):
                for r, (a, b) in enumerate(zip(cols[c], twin[c])):
                    self.assertLessEqual(abs(a - b), 1e-13 * max(abs(a), abs(b)) + 1e-300,
                                         f"torch vs numpy, {name} row {r} {c}: {a} vs {b}")

    def test_torch_takes_float32_and_bfloat16(self):
        if torch is None:
            self.skipTest("torch is not installed: torch writer not checked")
        from entropy_polarity import trace_columns
        z = np.random.default_rng(3).normal(0, 2, size=(6, 30))
        for dt in (torch.float32, torch.bfloat16):
            zz = torch.from_numpy(z).to(dt)
            cols = trace_columns(zz, [0] * 6, 1.0)
            want = trace_columns_np(zz.double().numpy(), [0] * 6, 1.0)  # the same rounded logits
            for c in ("logprob", "entropy", "mean_discriminator"):
                np.testing.assert_allclose(cols[c], want[c], rtol=1e-13, err_msg=f"{dt} {c}")

    def test_a_fully_masked_row_is_null_in_the_trace(self):
        z = np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, -np.inf]])
        cols = trace_columns_np(z, [0, 1], [1.0, -1.0])
        line = json.loads(trace_line(3, 0, cols))
        self.assertEqual(line["entropy"][0], None)
        self.assertEqual(line["logprob"][0], None)
        self.assertAlmostEqual(line["logprob"][1], -math.log1p(math.exp(-1.0)), places=15)
        self.assertEqual(line["advantage"], [1.0, -1.0])


if __name__ == "__main__":
    unittest.main()
