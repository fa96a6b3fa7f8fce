"""scripts/run_steps.py (DuckDB) against the independent Python reference and the
Rust core, plus its error messages.

    python3 -m unittest discover -s tests/python -t .

Expected numbers come from tests/fixtures/run_examples_expected.json, written by
scripts/make_run_examples.py's reference reader (plain Python, math.fsum), which
shares no code with sql/ or src/. The Rust comparison runs
`cargo run --example run_steps -- PATH` (the core's native twin) and is
skipped, saying so, while that example does not exist.
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

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RUNS = os.path.join(ROOT, "www", "examples", "runs")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "run_examples_expected.json")
SCRIPT = os.path.join(ROOT, "scripts", "run_steps.py")
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import make_run_examples as ref  # noqa: E402  (the reference reader)
import run_steps  # noqa: E402

REL = 1e-12
with open(FIXTURE, encoding="utf-8") as _f:
    EXPECTED = json.load(_f)
HEADER = EXPECTED["header"]


def run_cli(path, *extra):
    p = subprocess.run([sys.executable, SCRIPT, path, "--quiet", *extra],
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def parse_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [[None if c == "" else float(c) for c in row] for row in rows[1:]]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return abs(a - b) <= REL * max(abs(a), abs(b))


class Compare(unittest.TestCase):
    def assertTable(self, got, want, what):
        self.assertEqual(len(got), len(want), "%s: %d steps, expected %d" % (what, len(got), len(want)))
        for g, w in zip(got, want):
            for name, a, b in zip(HEADER, g, w):
                self.assertTrue(close(a, b), "%s, step %s, %s: %r, expected %r"
                                % (what, w[0], name, a, b))


class AgainstReference(Compare):
    """DuckDB's per-step table equals the Python reference on every example run."""

    def test_examples_are_up_to_date(self):
        p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make_run_examples.py"),
                            "--check"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)

    def test_every_example_run(self):
        for name, run in EXPECTED["runs"].items():
            if run["format"] == "trace-safetensors":
                continue  # DuckDB has no safetensors reader (checked below)
            with self.subTest(run=name):
                code, out, err = run_cli(os.path.join(RUNS, run["path"]))
                self.assertEqual(code, 0, err)
                header, rows = parse_csv(out)
                self.assertEqual(header, HEADER)
                self.assertTable(rows, run["rows"], name)

    def test_format_flag_and_autodetect_agree(self):
        for name, fmt in [("prime-rl", "prime-rl"), ("trace", "trace"), ("nemo-rl", "nemo-rl"),
                          ("openrlhf", "openrlhf")]:
            with self.subTest(run=name):
                path = os.path.join(RUNS, EXPECTED["runs"][name]["path"])
                self.assertEqual(run_cli(path)[1], run_cli(path, "--format", fmt)[1])

    def test_fixture_is_not_degenerate(self):
        # The examples must exercise what the columns mean, or the comparison proves little.
        prime = EXPECTED["runs"]["prime-rl"]["rows"]
        trace = EXPECTED["runs"]["trace"]["rows"]
        self.assertEqual([r[0] for r in prime], [0, 1, 2, 3, 4, 6])  # a missing step
        self.assertTrue(all(r[10] is None for r in prime))  # no S̄ in prime-rl
        self.assertTrue(any(r[10] is None for r in trace) and any(r[10] is not None for r in trace))
        self.assertTrue(any(r[6] is None for r in trace))  # a step without signed tokens
        self.assertTrue(any(r[11] > 0 for r in trace[:-1]) and any(r[11] < 0 for r in trace[:-1]))
        self.assertTrue(all(r[3] is None for r in EXPECTED["runs"]["nemo-rl"]["rows"]))
        # The same-context columns: the trace has entropy_after (a step with no update
        # gives ΔH 0 and no agreement; a step without S̄ on a moved token, no PG
        # agreement); no other format has them.
        col = {h: i for i, h in enumerate(HEADER)}
        same = [r[col["realised_dh_same"]] for r in trace]
        self.assertTrue(all(v is not None for v in same) and 0.0 in same)
        self.assertTrue(any(v is not None and v < 0 for v in same))
        self.assertTrue(any(r[col["agree_token_term"]] is None for r in trace))
        self.assertTrue(any(r[col["agree_pg_polarity"]] is None and r[col["agree_token_term"]] is not None
                            for r in trace))
        agree = [r[col["agree_token_term"]] for r in trace if r[col["agree_token_term"]] is not None]
        self.assertTrue(all(0.5 < a < 1 for a in agree), agree)  # better than a coin, not perfect
        for name in ("prime-rl", "nemo-rl", "openrlhf"):
            self.assertTrue(all(r[12:] == [None, None, None] for r in EXPECTED["runs"][name]["rows"]))

    def test_edge_cases_against_reference(self):
        """A step with no counted token, NaN literals, a lone step, steps out of order."""
        rng = random.Random(5)
        with tempfile.TemporaryDirectory() as tmp:
            def sample(step, on=True, n=6):
                lp = [-rng.random() * 3 for _ in range(n)]
                return {"schema_version": 1, "step": step, "rank": 0, "micro_step": 0,
                        "env_name": None, "token_ids": list(range(n)),
                        "position_ids": list(range(n)), "loss_mask": [on] * n,
                        "advantages": [rng.choice([-1.0, 0.0, 0.5])] * n,
                        "trainer_logprobs": lp, "inference_logprobs": lp,
                        "entropy": [rng.random() * 2 for _ in range(n)],
                        "is_masked": [False] * n}
            steps = {7: [sample(7), sample(7)], 2: [sample(2, on=False)], 10: [sample(10)],
                     11: [sample(11), sample(11, n=0)], 12: [sample(12), sample(12)],
                     13: [sample(13)]}
            steps[10][0]["entropy"][2] = float("nan")
            steps[10][0]["trainer_logprobs"][3] = float("-inf")
            del steps[12][1]["advantages"]  # counts, but the step has no token term then
            steps[13][0]["trainer_logprobs"][1] = 4e-7  # rounding above 0: read as 0
            steps[13][0]["entropy"][2] = -3e-7  # rounding below 0: read as 0
            for step, samples in steps.items():
                d = os.path.join(tmp, "token_exports", "step_%d" % step)
                os.makedirs(d)
                with open(os.path.join(d, "rank_0.jsonl"), "w") as f:
                    for s in samples:
                        f.write(json.dumps(s) + "\n")  # NaN and -Infinity literals
            want = [[r[h] for h in HEADER] for r in ref.ref_prime_rl(tmp)]
            self.assertEqual([r[0] for r in want], [2, 7, 10, 11, 12, 13])
            self.assertEqual(want[0][1:3], [0, 0])
            self.assertEqual(want[4][2], 12)
            self.assertIsNone(want[4][5])  # token_term
            self.assertIsNotNone(want[4][3])  # mean_entropy
            code, out, err = run_cli(tmp)
            self.assertEqual(code, 0, err)
            self.assertTable(parse_csv(out)[1], want, "edge cases")


def write_same_context_trace(folder):
    """A trace with entropy_after at its edges: a null (the token counts but has no
    change), a rounding-sized negative (read as 0), a sample without the field, a
    token without S̄ on a moved token (no PG agreement that step), A = 0 (in the mean,
    not in the agreement), a zero change, and a step where nothing moved."""
    rng = random.Random(17)
    lines = []
    for step in range(4):
        for sample in range(3):
            n = 5
            lp = [-rng.random() * 3 for _ in range(n)]
            h = [0.2 + rng.random() * 2 for _ in range(n)]
            rec = {"trace": "entropy-polarity", "version": 1, "step": step, "sample": sample,
                   "token_id": list(range(n)), "logprob": lp, "entropy": h,
                   "mean_discriminator": [rng.random() * 0.3 for _ in range(n)],
                   "advantage": [1.0, -0.5, 0.0][sample]}
            if step == 3:
                rec["entropy_after"] = list(h)  # nothing moved
            else:
                rec["entropy_after"] = [x + rng.gauss(0.0, 0.05) for x in h]
                rec["logprob_after"] = [min(0.0, x + rng.gauss(0.0, 0.05)) for x in lp]
            lines.append(rec)
    lines[0]["entropy_after"][1] = None
    lines[0]["entropy_after"][2] = lines[0]["entropy"][2] = 0.0
    lines[1]["entropy_after"][0] = -3e-7
    lines[1]["entropy"][0] = 0.01
    lines[2]["entropy_after"][3] = lines[2]["entropy"][3]  # a zero change
    del lines[4]["entropy_after"]
    lines[7]["mean_discriminator"][2] = None
    path = os.path.join(folder, "run.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(json.dumps(r) + "\n" for r in lines))
    return path


class AgainstRustCore(Compare):
    """DuckDB's table equals the Rust core's (`cargo run --example run_steps`)."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(os.path.join(ROOT, "examples", "run_steps.rs")):
            raise unittest.SkipTest("examples/run_steps.rs (the Rust core's per-step CLI) "
                                    "is not in this tree yet")
        cargo = shutil.which("cargo") or os.path.expanduser("~/.cargo/bin/cargo")
        p = subprocess.run([cargo, "build", "--quiet", "--example", "run_steps"],
                           cwd=ROOT, capture_output=True, text=True)
        if p.returncode != 0:
            raise AssertionError("cargo build --example run_steps failed:\n" + p.stderr)
        cls.cargo = cargo

    def rust(self, path):
        p = subprocess.run([self.cargo, "run", "--quiet", "--example", "run_steps",
                            "--", path], cwd=ROOT, capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        return parse_csv(p.stdout)

    def test_every_example_run(self):
        for name, run in EXPECTED["runs"].items():
            with self.subTest(run=name), tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(RUNS, run["path"])
                if os.path.isfile(path):  # the example reads folders: give it one of its own
                    shutil.copy(path, tmp)
                    path = os.path.join(tmp, os.path.basename(path))
                header, rust_rows = self.rust(os.path.dirname(path) if os.path.isfile(path) else path)
                self.assertEqual(header, HEADER)
                self.assertTable(rust_rows, run["rows"], name + " (Rust against the reference)")
                if run["format"] != "trace-safetensors":
                    code, out, err = run_cli(path)
                    self.assertEqual(code, 0, err)
                    self.assertTable(parse_csv(out)[1], rust_rows, name + " (DuckDB against Rust)")


    def test_same_context_edges(self):
        """The three same-context columns at their edges: DuckDB and the core both equal
        the reference."""
        with tempfile.TemporaryDirectory() as tmp:
            path = write_same_context_trace(tmp)
            want = [[r[h] for h in HEADER] for r in ref.ref_trace_jsonl(path)]
            col = {h: i for i, h in enumerate(HEADER)}
            self.assertIsNone(want[2][col["agree_pg_polarity"]])  # S̄ missing on a moved token
            self.assertIsNotNone(want[2][col["agree_token_term"]])
            self.assertEqual(want[3][col["realised_dh_same"]], 0.0)
            self.assertIsNone(want[3][col["agree_token_term"]])
            header, rust_rows = self.rust(tmp)
            self.assertTable(rust_rows, want, "same-context edges (Rust)")
            code, out, err = run_cli(path)
            self.assertEqual(code, 0, err)
            self.assertTable(parse_csv(out)[1], want, "same-context edges (DuckDB)")


class Errors(unittest.TestCase):
    """Bad input: exit status 2 and a message naming the file and line."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        src = os.path.join(RUNS, "prime-rl")
        self.run_dir = os.path.join(self.tmp, "run")
        shutil.copytree(src, self.run_dir)
        self.file = os.path.join(self.run_dir, "token_exports", "step_1", "rank_0.jsonl")
        with open(self.file, encoding="utf-8") as f:
            self.lines = f.read().splitlines()

    def rewrite(self, line_no, change):
        rec = json.loads(self.lines[line_no - 1])
        change(rec)
        self.lines[line_no - 1] = json.dumps(rec)
        self.write()

    def write(self):
        with open(self.file, "w", encoding="utf-8") as f:
            f.write("\n".join(self.lines) + "\n")

    def fails(self, path, *needles):
        code, out, err = run_cli(path)
        self.assertEqual(code, 2, "expected a failure, got:\n" + out + err)
        self.assertEqual(out, "")
        for n in needles:
            self.assertIn(n, err)
        self.assertNotIn("Traceback", err)
        return err

    def test_missing_folder(self):
        self.fails(os.path.join(self.tmp, "nope"), "nope: no such folder or file")

    def test_no_run_files(self):
        os.makedirs(os.path.join(self.tmp, "empty", "sub"))
        self.fails(os.path.join(self.tmp, "empty"), "no *.jsonl files found")
        self.fails_prime = self.fails

    def test_no_prime_rl_files_with_format(self):
        os.makedirs(os.path.join(self.tmp, "other"))
        with open(os.path.join(self.tmp, "other", "notes.jsonl"), "w") as f:
            f.write("{}\n")
        code, _, err = run_cli(os.path.join(self.tmp, "other"), "--format", "prime-rl")
        self.assertEqual(code, 2)
        self.assertIn("no token_exports/step_<n>/rank_<r>.jsonl files found", err)

    def test_not_json(self):
        self.lines[1] = self.lines[1][:200]  # line 2 cut short
        self.write()
        self.fails(self.run_dir, self.file + ":2: not JSON")

    def test_not_json_after_the_first_line_of_a_later_file(self):
        other = os.path.join(self.run_dir, "token_exports", "step_4", "rank_1.jsonl")
        with open(other, encoding="utf-8") as f:
            lines = f.read().splitlines()
        lines[2] = "garbage"
        with open(other, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        self.fails(self.run_dir, other + ":3: not JSON")

    def test_arrays_of_different_lengths(self):
        self.rewrite(3, lambda r: r["entropy"].pop())
        self.fails(self.run_dir, self.file + ":3:", "field entropy has", "token_ids")

    def test_field_missing(self):
        self.rewrite(2, lambda r: r.pop("trainer_logprobs"))
        self.fails(self.run_dir, self.file + ":2:", "field trainer_logprobs has no values")

    def test_wrong_type(self):
        self.rewrite(2, lambda r: r.update(step="three"))
        self.fails(self.run_dir, self.file + ":2:")

    def test_positive_logprob(self):
        def change(r):
            i = r["loss_mask"].index(True)
            r["trainer_logprobs"][i] = 0.75
        self.rewrite(2, change)
        self.fails(self.run_dir, self.file + ":2:", "trainer_logprobs value 0.75 > 0")

    def test_negative_entropy(self):
        def change(r):
            i = r["loss_mask"].index(True)
            r["entropy"][i] = -0.5
        self.rewrite(3, change)
        self.fails(self.run_dir, self.file + ":3:", "entropy -0.5 < 0")

    def test_mixed_formats(self):
        shutil.copy(os.path.join(RUNS, "trace", "run.jsonl"),
                    os.path.join(self.run_dir, "token_exports", "trace.jsonl"))
        err = self.fails(self.run_dir, "mixed formats")
        self.assertIn("trace.jsonl is trace", err)
        self.assertIn("rank_0.jsonl is prime-rl", err)

    def test_every_file_empty(self):
        os.makedirs(os.path.join(self.tmp, "e", "step_0"))
        open(os.path.join(self.tmp, "e", "step_0", "rank_0.jsonl"), "w").close()
        self.fails(os.path.join(self.tmp, "e"), "rank_0.jsonl: the file is empty")

    def test_safetensors_only(self):
        self.fails(os.path.join(RUNS, "trace", "run.safetensors"), "no safetensors reader")

    def trace_with(self, line_no, change):
        path = os.path.join(self.tmp, "t.jsonl")
        with open(os.path.join(RUNS, "trace", "run.jsonl"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        rec = json.loads(lines[line_no - 1])
        change(rec)
        lines[line_no - 1] = json.dumps(rec)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def test_trace_entropy_after_of_another_length(self):
        path = self.trace_with(3, lambda r: r["entropy_after"].pop())
        self.fails(path, path + ":3:", "field entropy_after has")

    def test_trace_negative_entropy_after(self):
        path = self.trace_with(4, lambda r: r["entropy_after"].__setitem__(3, -0.25))
        self.fails(path, path + ":4:", "entropy_after -0.25 < 0")

    def test_trace_positive_logprob_after(self):
        path = self.trace_with(2, lambda r: r["logprob_after"].__setitem__(1, 0.5))
        self.fails(path, path + ":2:", "logprob_after 0.5 > 0")

    def test_trace_without_advantage(self):
        path = os.path.join(self.tmp, "t.jsonl")
        with open(os.path.join(RUNS, "trace", "run.jsonl"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        rec = json.loads(lines[4])
        rec["advantage"] = "high"
        lines[4] = json.dumps(rec)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        self.fails(path, path + ":5:", "advantage")


class Numbers(unittest.TestCase):
    """The CSV numbers are JavaScript's shortest round-trip strings."""

    def test_round_trip(self):
        rng = random.Random(3)
        for _ in range(20000):
            x = math.ldexp(rng.random() - 0.5, rng.randint(-1074, 1023))
            self.assertEqual(float(run_steps.js_number(x)), x)

    def test_same_text_as_javascript(self):
        node = shutil.which("node")
        if not node:
            self.skipTest("node not installed")
        rng = random.Random(4)
        xs = [1e-7, 1e-6, 1.5e-7, 1e21, 1e20, 0.1 + 0.2, 5e-324, -0.5, 2.0, 1234.5678,
              1.7976931348623157e308, 123456789012345680000.0]
        xs += [math.ldexp(rng.random(), rng.randint(-40, 80)) for _ in range(300)]
        xs += [rng.random() * 10 ** rng.randint(-9, 23) for _ in range(300)]
        p = subprocess.run([node, "-e", "for (const l of require('fs').readFileSync(0, 'utf8')"
                            ".trim().split('\\n')) console.log(String(Number(l)))"],
                           input="\n".join(repr(x) for x in xs), capture_output=True, text=True)
        self.assertEqual(p.stdout.split(), [run_steps.js_number(x) for x in xs])


if __name__ == "__main__":
    unittest.main()
