"""`--engine spark` (python/entropy_polarity/spark.py) against DuckDB, the Rust core
and the plain-Python reference, plus its error messages.

    python3 -m unittest tests/python/test_spark.py

One SparkSession (local[2], driver on 127.0.0.1) serves the whole module, so the JVM
starts once; its start-up time is printed. Expected numbers come from
tests/fixtures/run_examples_expected.json and scripts/make_run_examples.py's reference
readers (plain Python, math.fsum), which share no code with sql/, spark.py or src/.
Skipped, saying so, when pyspark or Java is missing (scripts/setup.sh --test installs
both).
"""

import contextlib
import io
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RUNS = os.path.join(ROOT, "www", "examples", "runs")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import make_run_examples as ref  # noqa: E402  (the reference reader)
from test_run_steps import write_same_context_trace  # noqa: E402
from entropy_polarity import steps  # noqa: E402

with open(os.path.join(ROOT, "tests", "fixtures", "run_examples_expected.json"), encoding="utf-8") as _f:
    EXPECTED = json.load(_f)
HEADER = EXPECTED["header"]
REL = 1e-9
SPARK = None  # the module's one session


def setUpModule():
    global SPARK, spark
    try:
        from entropy_polarity import spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError:
        raise unittest.SkipTest("pyspark is not installed (scripts/setup.sh --test)")
    if not shutil.which("java"):
        raise unittest.SkipTest("no Java: apt-get install openjdk-17-jre-headless")
    start = time.monotonic()
    SPARK = spark.session("local[2]")
    print("\ntest_spark: SparkSession (JVM) started in %.1f s" % (time.monotonic() - start),
          file=sys.stderr)


def tearDownModule():
    if SPARK is not None:
        spark.stop(SPARK)  # and wait for the JVM, so its CPU time counts in this process's


def on_spark(path):
    files, fmt = steps.pick_files(path, None)
    return spark.run(files, fmt, False, spark=SPARK)


def on_duckdb(path):
    files, fmt = steps.pick_files(path, None)
    return steps.run(files, fmt, False)


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b or abs(a - b) <= REL * max(abs(a), abs(b))


class Compare(unittest.TestCase):
    def assertTable(self, got, want, what):
        self.assertEqual(len(got), len(want), "%s: %d steps, expected %d" % (what, len(got), len(want)))
        for g, w in zip(got, want):
            self.assertEqual(len(g), len(HEADER), what)
            for name, a, b in zip(HEADER, g, w):
                self.assertTrue(close(a, b), "%s, step %s, %s: %r, expected %r" % (what, w[0], name, a, b))


def write_jsonl(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)  # NaN and -Infinity literals


def generated_runs(tmp):
    """A prime-rl run and a trace run with several files per step (ranks, parts), NaN
    (null) values, masked tokens, a step with nothing counted."""
    rng = random.Random(21)

    def softmax_token(n):
        # a logprob and the entropy of a real distribution, so S_k and S̄ are consistent
        z = [rng.gauss(0, 2) for _ in range(n)]
        m = max(z)
        p = [math.exp(v - m) for v in z]
        s = sum(p)
        p = [v / s for v in p]
        k = rng.randrange(n)
        h = -math.fsum(v * math.log(v) for v in p if v > 0)
        sbar = math.fsum(v * v * (h + math.log(v)) for v in p if v > 0)
        return math.log(p[k]), h, max(sbar, 0.0)

    prime = os.path.join(tmp, "prime")
    for step in (0, 1, 2, 5, 9):
        for rank in range(3):
            samples = []
            for _ in range(rng.randint(1, 4)):
                n = rng.randint(3, 40)
                toks = [softmax_token(rng.randint(2, 30)) for _ in range(n)]
                a = rng.choice([-1.5, -0.25, 0.0, 0.5, 2.0])
                samples.append({
                    "schema_version": 1, "step": step, "rank": rank, "micro_step": 0, "env_name": None,
                    "token_ids": list(range(n)), "position_ids": list(range(n)),
                    "loss_mask": [step != 2 and i >= n // 4 for i in range(n)],
                    "advantages": [a] * n, "trainer_logprobs": [t[0] for t in toks],
                    "inference_logprobs": [t[0] for t in toks], "entropy": [t[1] for t in toks],
                    "is_masked": [rng.random() < 0.1 for _ in range(n)]})
            samples[0]["entropy"][-1] = None  # prime-rl writes NaN and ±inf as null
            samples[-1]["trainer_logprobs"][-1] = None
            write_jsonl(os.path.join(prime, "token_exports", "step_%d" % step, "rank_%d.jsonl" % rank), samples)

    trace = os.path.join(tmp, "trace")
    every, sample = [], 0
    for step in (1, 2, 3, 4):
        for part in range(3):
            lines = []
            for _ in range(rng.randint(1, 3)):
                n = rng.randint(2, 30)
                toks = [softmax_token(rng.randint(2, 30)) for _ in range(n)]
                rec = {"trace": "entropy-polarity", "version": 1, "step": step, "sample": sample,
                       "token_id": list(range(n)), "logprob": [t[0] for t in toks],
                       "entropy": [t[1] for t in toks],
                       "advantage": rng.choice([0.75, -1.0, [rng.gauss(0, 1) for _ in range(n)]]),
                       "mask": [rng.random() < 0.9 for _ in range(n)]}
                if step != 3:  # step 3 has no S̄ and no same-context change
                    rec["mean_discriminator"] = [t[2] for t in toks]
                    rec["entropy_after"] = [max(0.0, t[1] + rng.gauss(0, 0.05)) for t in toks]
                    rec["logprob_after"] = [min(0.0, t[0] + rng.gauss(0, 0.05)) for t in toks]
                lines.append(rec)
                sample += 1
            write_jsonl(os.path.join(trace, "step_%d" % step, "part_%d.jsonl" % part), lines)
            every += lines
    # the reference reads one file; the sample ids of the trace make that the same run
    whole = os.path.join(tmp, "trace-whole.jsonl")
    write_jsonl(whole, every)
    return {"prime-rl": (prime, ref.ref_prime_rl(prime)),
            "trace": (trace, ref.ref_trace_jsonl(whole))}


class ExampleRuns(Compare):
    """Spark's table equals the reference and DuckDB's on the five example runs."""

    def test_every_example_run(self):
        for name, run in EXPECTED["runs"].items():
            path = os.path.join(RUNS, run["path"])
            with self.subTest(run=name):
                if run["format"] == "trace-safetensors":
                    with self.assertRaises(steps.RunError) as e:
                        on_spark(path)  # the same pre-check as DuckDB's
                    self.assertIn("no safetensors reader", str(e.exception))
                    continue
                rows = on_spark(path)
                # step, samples and tokens print as integers, as DuckDB's do
                self.assertTrue(all(isinstance(v, int) for r in rows for v in r[:3]), rows)
                self.assertTable(rows, run["rows"], name + " (Spark against the reference)")
                self.assertTable(rows, on_duckdb(path), name + " (Spark against DuckDB)")


class TraceStreams(Compare):
    """prime-rl's trace streams (Spark's own zstd codec, the fold on its workers): the
    table of scripts/prime_traces_example.py's plain-Python fold, and DuckDB's."""

    def test_example(self):
        with open(os.path.join(ROOT, "tests", "fixtures", "prime_traces_expected.json"), encoding="utf-8") as f:
            fixture = json.load(f)
        path = os.path.join(RUNS, "prime-rl-traces")
        self.assertTrue(any(p.endswith(".zst") for p in steps.pick_files(path, None)[0]))
        rows = on_spark(path)
        self.assertTable(rows, fixture["rows"], "prime-rl-traces (Spark against the reference)")
        self.assertTable(rows, on_duckdb(path), "prime-rl-traces (Spark against DuckDB)")


class GeneratedRuns(Compare):
    """Several files per step: Spark against the reference, DuckDB and the Rust core."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.runs = generated_runs(cls.tmp)
        cls.spark_rows = {name: on_spark(path) for name, (path, _) in cls.runs.items()}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_against_reference_and_duckdb(self):
        for name, (path, want) in self.runs.items():
            with self.subTest(run=name):
                want = [[r[h] for h in HEADER] for r in want]
                self.assertGreater(len(want), 3)
                rows = self.spark_rows[name]
                self.assertTable(rows, want, name + " (Spark against the reference)")
                self.assertTable(rows, on_duckdb(path), name + " (Spark against DuckDB)")

    def test_run_is_not_degenerate(self):
        prime = [[r[h] for h in HEADER] for r in self.runs["prime-rl"][1]]
        self.assertEqual([r[1:3] for r in prime if r[0] == 2], [[0, 0]])  # nothing counted
        trace = [[r[h] for h in HEADER] for r in self.runs["trace"][1]]
        for column in ("pg_polarity", "realised_dh_same", "agree_token_term", "agree_pg_polarity"):
            values = [r[HEADER.index(column)] for r in trace]
            self.assertTrue(None in values and any(v is not None for v in values), column)

    def test_same_context_edges(self):
        # test_run_steps's trace with entropy_after at its edges (null, rounding below 0,
        # a sample without it, S̄ missing on a moved token, a step where nothing moved)
        path = write_same_context_trace(self.tmp)
        want = [[r[h] for h in HEADER] for r in ref.ref_trace_jsonl(path)]
        rows = on_spark(path)
        self.assertTable(rows, want, "same-context edges (Spark against the reference)")
        self.assertTable(rows, on_duckdb(path), "same-context edges (Spark against DuckDB)")

    def test_against_rust_core(self):
        if not os.path.exists(os.path.join(ROOT, "examples", "run_steps.rs")):
            self.skipTest("examples/run_steps.rs is not in this tree")
        cargo = shutil.which("cargo") or os.path.expanduser("~/.cargo/bin/cargo")
        for name, (path, _) in self.runs.items():
            with self.subTest(run=name):
                p = subprocess.run([cargo, "run", "--quiet", "--example", "run_steps", "--", path],
                                   cwd=ROOT, capture_output=True, text=True, timeout=900)
                self.assertEqual(p.returncode, 0, p.stderr)
                lines = p.stdout.strip().split("\n")
                self.assertEqual(lines[0].split(","), HEADER)
                rust = [[None if c == "" else float(c) for c in line.split(",")] for line in lines[1:]]
                self.assertTable(self.spark_rows[name], rust, name + " (Spark against Rust)")


class CompensatedSum(unittest.TestCase):
    """fsum on Spark: exact (sum of parts on a 2^-20 grid plus the rest), whatever
    order Spark adds in, where a plain sum misses 1e-9."""

    def test_cancelling_values(self):
        # pairs v, -v(1 - 1e-9) with v from 1e-12 to 1e7: each leaves a tiny remainder
        SPARK.range(4000, numPartitions=4).selectExpr(
            "(1 + (floor(id / 2) * 7919) % 9) * power(10, (floor(id / 2) * 31) % 19 - 12)"
            " * CASE WHEN id % 2 = 0 THEN 1 ELSE 1e-9 - 1 END AS x").createOrReplaceTempView("xs")
        xs = [r.x for r in SPARK.sql("SELECT x FROM xs").collect()]
        exact = math.fsum(xs)
        plain = SPARK.sql("SELECT sum(x) AS s FROM xs").collect()[0].s
        self.assertGreater(abs(plain - exact), 1e-9 * abs(exact))  # Spark's own sum misses
        sql, _ = spark.to_spark("SELECT fsum(x) AS s FROM xs")
        got = SPARK.sql(sql).collect()[0].s
        self.assertLessEqual(abs(got - exact), 1e-15 * abs(exact), (got, exact, plain))


class Errors(unittest.TestCase):
    """Bad input: the message DuckDB's run gives (file, line, field), from Spark. One
    case per way an error arises: Spark's JSON reader, a check of the samples, a check
    of the tokens, per format."""

    def setUp(self):
        top = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, top)
        # a folder name Spark would read as a glob and write as a URL
        self.tmp = os.path.join(top, "a run [2]")

    def copy(self, name):
        dst = os.path.join(self.tmp, name)
        src = os.path.join(RUNS, name)
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        else:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(src, dst)
        return dst

    def edit(self, path, line_no, change):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        if callable(change):
            rec = json.loads(lines[line_no - 1])
            change(rec)
            lines[line_no - 1] = json.dumps(rec)
        else:
            lines[line_no - 1] = change
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def same_error(self, run, where, *needles, detail=True):
        with self.assertRaises(steps.RunError) as d:
            on_duckdb(run)
        with self.assertRaises(steps.RunError) as s:
            on_spark(run)
        duck, ours = str(d.exception), str(s.exception)
        self.assertTrue(duck.startswith(where), duck)
        if detail:
            self.assertEqual(ours, duck)
        else:  # the reader's own words differ; the place and the kind do not
            self.assertTrue(ours.startswith(where), ours)
        for n in needles:
            self.assertIn(n, ours)

    def prime(self):
        run = self.copy("prime-rl")
        return run, os.path.join(run, "token_exports", "step_1", "rank_0.jsonl")

    def test_not_json(self):
        run, f = self.prime()
        with open(f, encoding="utf-8") as fh:
            cut = fh.read().splitlines()[1][:200]
        self.edit(f, 2, cut)
        self.same_error(run, f + ":2: not JSON", detail=False)

    def test_wrong_type(self):
        run, f = self.prime()
        self.edit(f, 2, lambda r: r.update(step="three"))
        self.same_error(run, f + ":2:", "step", detail=False)

    def test_arrays_of_different_lengths(self):
        run, f = self.prime()
        self.edit(f, 3, lambda r: r["entropy"].pop())
        self.same_error(run, f + ":3:", "field entropy has")

    def test_positive_logprob(self):
        run, f = self.prime()
        self.edit(f, 2, lambda r: r["trainer_logprobs"].__setitem__(r["loss_mask"].index(True), 0.75))
        self.same_error(run, f + ":2:", "trainer_logprobs value 0.75 > 0")

    def test_mask_not_zero_or_one(self):
        # masks are read as DOUBLE[] (true as 1) and checked with list_filter
        run, f = self.prime()
        self.edit(f, 2, lambda r: r["loss_mask"].__setitem__(2, 2))
        self.same_error(run, f + ":2:", "field loss_mask holds 2")

    def test_trace_advantage_not_a_number(self):
        f = self.copy("trace/run.jsonl")
        self.edit(f, 5, lambda r: r.update(advantage="high"))
        self.same_error(f, f + ":5:", "field advantage is neither")

    def test_trace_entropy_after_of_another_length(self):
        f = self.copy("trace/run.jsonl")
        self.edit(f, 6, lambda r: r["entropy_after"].pop())
        self.same_error(f, f + ":6:", "field entropy_after has")

    def test_nemo_rl_input_lengths(self):
        run = self.copy("nemo-rl")
        f = os.path.join(run, "train_data_step3.jsonl")
        self.edit(f, 2, lambda r: r.update(input_lengths=[10 ** 6]))
        self.same_error(run, f + ":2:", "field input_lengths is 1000000")

    def test_prime_rl_trace_stream_updates(self):
        # folded by Spark's Python workers (prime_traces.py); DuckDB's words and place
        src = os.path.join(RUNS, "prime-rl-traces")
        for line, field in (('{"version":2,"trace_id":"x","info":{},"branches":[]}', "field version"),
                            ('{"version":1,"trace_id":"nope","info":{},"branches":[]}', "field trace_id")):
            shutil.rmtree(self.tmp, ignore_errors=True)
            run = self.copy("prime-rl-traces")
            live = os.path.join(run, "monitors", "file", "traces", "annotations", "trainer", "00001.jsonl")
            with open(live, "a", encoding="utf-8") as f:
                f.write(line + "\n")
            with open(live, encoding="utf-8") as f:
                n = sum(1 for _ in f)
            self.same_error(run, "%s:%d: %s" % (live, n, field))
        self.assertTrue(os.path.isdir(src))

    def test_openrlhf_lengths(self):
        f = self.copy("openrlhf/board.jsonl")
        self.edit(f, 3, lambda r: r["logprobs"].pop())
        self.same_error(f, f + ":3:", "field logprobs has")


class CommandLine(unittest.TestCase):
    """`--engine spark` prints the CSV `--engine duckdb` prints (in this process, so the
    module's SparkSession serves it: getOrCreate hands it back)."""

    def csv(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = steps.main([os.path.join(RUNS, "trace", "run.jsonl"), "--quiet", *args])
        self.assertEqual(code, 0)
        lines = out.getvalue().splitlines()
        return lines[0], [[None if c == "" else float(c) for c in line.split(",")] for line in lines[1:]]

    def test_same_csv_as_duckdb(self):
        header, want = self.csv()
        self.assertEqual(header.split(","), HEADER)
        got_header, got = self.csv("--engine", "spark", "--master", "local[2]")
        self.assertEqual(got_header, header)
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            self.assertTrue(all(close(a, b) for a, b in zip(g, w)), (g, w))


if __name__ == "__main__":
    unittest.main()
