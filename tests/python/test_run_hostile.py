"""entropy-polarity-steps (DuckDB) on the shared list of hostile run inputs,
tests/fixtures/hostile_runs.json: the same accept/refuse decision as the core
(tests/native/run_hostile.rs), refusals at the same file and line, accepted runs with the
same samples and tokens per step.

    python3 -m unittest tests/python/test_run_hostile.py
"""

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

from entropy_polarity import steps  # noqa: E402

with open(os.path.join(ROOT, "tests", "fixtures", "hostile_runs.json"), encoding="utf-8") as _f:
    CASES = json.load(_f)["cases"]


def content(v):
    if isinstance(v, str):
        return v.encode("utf-8", "surrogatepass")
    return (v["repeat"] * v["times"] + v.get("then", "")).encode("utf-8")


def run(folder):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = steps.main([folder, "--quiet"])
    return code, out.getvalue(), err.getvalue()


class Hostile(unittest.TestCase):
    def test_every_case_gets_the_listed_decision(self):
        self.assertGreaterEqual(len(CASES), 20)
        for c in CASES:
            with self.subTest(c["name"]), tempfile.TemporaryDirectory() as tmp:
                for rel, v in c["files"].items():
                    path = os.path.join(tmp, rel)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(content(v))
                code, out, err = run(tmp)
                self.assertNotIn("Traceback", err)
                if c["expect"] == "accept":
                    self.assertEqual(code, 0, err)
                    rows = list(csv.DictReader(io.StringIO(out)))
                    got = {r["step"]: [float(r["samples"]), float(r["tokens"])] for r in rows}
                    self.assertEqual(got, c["steps"], err)
                else:
                    want = c["expect"]["refuse"]
                    self.assertEqual(code, 2, "accepted:\n" + out + err)
                    where = os.path.join(tmp, want["file"])
                    if want["line"] is not None:
                        where += ":%d:" % want["line"]
                    self.assertIn(where, err)


if __name__ == "__main__":
    unittest.main()
