"""The per-step table of a whole training run on Apache Spark (`--engine spark`).

    entropy-polarity-steps DIR --engine spark [--master spark://host:7077] > steps.csv

The SQL is the DuckDB SQL beside steps.py, read at run time: run_steps.sql (the
aggregation) and tokens_<format>.sql (the readers). `to_spark` rewrites the few
constructs where the two dialects differ, so a column added there reaches Spark
without an edit here. What Spark cannot say cheaply (the line of a bad record) comes
from the same Python pre-checks steps.py uses (`steps.explain`). Formats: prime-rl token
exports, our trace format, NeMo-RL, OpenRLHF (SPARK_FORMATS), and prime-rl's trace streams
(`traces_view`): Spark reads the chunks, the sealed ones through its own zstd codec
(chosen by the .zst extension), and its Python workers fold each trace
(prime_traces.py), since the DuckDB fold (a recursive query over list lambdas) is more
than `to_spark` rewrites.

Local mode (the default, `local[*]`) binds the driver to 127.0.0.1 and has no UI. On a
cluster (`--master URL`) every executor must see the run folder at the same path.
Needs `pip install pyspark` (scripts/setup.sh --test pins 4.3.0) and Java 17+.
"""

import json
import os
import re
import sys
import threading
import time
import urllib.parse

from . import steps

# ------------------------------------------------------------------ DuckDB SQL → Spark SQL

# DuckDB's types in read_json(columns = …) → Spark's. A JSON-typed field is kept as
# its raw JSON text: Spark's JSON reader does that for a STRING field.
TYPES = {"BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "BOOLEAN": "BOOLEAN", "VARCHAR": "STRING",
         "JSON": "STRING", "MASK": "STRING"}

# Spark's sum is not compensated, and adds in whatever order its tasks finish. fsum(x)
# becomes sum(hi) + sum(lo) instead: lo = x % 2^-20 (exact, as fmod is) and hi = x - lo,
# x cut to a multiple of 2^-20 (exact too). Multiples of 2^-20 below 2^33 in magnitude
# are all doubles, so sum(hi) is exact in any order while Σ|x| < 8.6e9 (a step's
# entropies: 12 nats × 700 M tokens); every |lo| < 2^-20, so sum(lo) errs by about a
# millionth of what a plain sum would. Exact to ~1e-12 absolute for a step of 10^7 tokens.
FSUM = "(sum({0} - {0} % 9.5367431640625E-7) + sum({0} % 9.5367431640625E-7))"  # 2^-20


def _call_spans(sql, name):
    """(start, open paren, close paren) of each call name(…), parentheses balanced."""
    for m in re.finditer(r"\b%s\(" % name, sql):
        depth, i = 0, m.end() - 1
        for j in range(i, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[j], 0)
            if depth == 0:
                yield m.start(), i, j
                break


def _rewrite_calls(sql, name, template):
    """name(ARG) → template.format(ARG) for every call; calls inside ARG are kept as is."""
    out, last = [], 0
    for start, i, j in _call_spans(sql, name):
        if start < last:
            continue  # nested in a call already rewritten
        out += [sql[last:start], template.format(sql[i + 1:j])]
        last = j + 1
    return "".join(out + [sql[last:]])


def spark_type(duck):
    """'DOUBLE[][]' → 'ARRAY<ARRAY<DOUBLE>>' (a MASK is read as text)."""
    base, dims = duck.split("[", 1)[0], duck.count("[]")
    return "ARRAY<" * dims + TYPES[base] + ">" * dims


def to_spark(sql):
    """DuckDB SQL of sql/ → (Spark SQL, the read_json columns [(name, DuckDB type)]).

    read_json(getvariable('run_files'), …, columns = {…}) becomes the view run_json
    (registered by `run`, with a filename column as DuckDB's filename = true gives)."""
    fields, masks = [], set(re.findall(r"\blist_filter\((\w+),", sql))
    m = re.search(r"read_json\(getvariable\('run_files'\).*?columns\s*=\s*\{(.*?)\}\)", sql, re.S)
    if m:
        fields = re.findall(r"(\w+):\s*'(\w+(?:\[\])*)'", m.group(1))
        # a mask read as DOUBLE[] (DuckDB reads true as 1): Spark's JSON reader takes no
        # true for a double, so it is read as text and converted in run_json
        fields = [(n, "MASK[]" if n in masks and t == "DOUBLE[]" else t) for n, t in fields]
        sql = sql[:m.start()] + "run_json" + sql[m.end():]
    # any id unique per line will do (DuckDB: a row number over the scan)
    sql = sql.replace("row_number() OVER ()", "monotonically_increasing_id()")
    # CROSS JOIN UNNEST(a) WITH ORDINALITY AS u(v, i): Spark's posexplode counts from 0
    for m in list(re.finditer(r"CROSS JOIN UNNEST\((.+?)\) WITH ORDINALITY AS (\w+)\((\w+), (\w+)\)", sql)):
        arr, alias, value, index = m.groups()
        sql = sql.replace(m.group(0), "LATERAL VIEW posexplode(%s) %s AS %s_0, %s"
                          % (arr, alias, index, value))
        sql = re.sub(r"\b%s\.%s\b" % (alias, index), "(%s.%s_0 + 1)" % (alias, index), sql)
    # list_filter(a, lambda x: …)[k] → filter(a, x -> …), its k-th element counted from 1
    out, last = [], 0
    for start, i, j in _call_spans(sql, "list_filter"):
        body = re.sub(r"\blambda (\w+):", r"\1 ->", sql[i + 1:j])
        k = re.match(r"\[(\d+)\]", sql[j + 1:])
        call = "filter(%s)" % body
        out += [sql[last:start], "try_element_at(%s, %s)" % (call, k.group(1)) if k else call]
        last = j + 1 + (k.end() if k else 0)
    sql = "".join(out + [sql[last:]])
    # a[i] counts from 1 in DuckDB, from 0 in Spark; past the end it is NULL in both
    sql = re.sub(r"CAST\((\w+) AS DOUBLE\[\]\)", r"from_json(\1, 'array<double>')", sql)
    sql = re.sub(r"\b([\w.]+)\[([^\[\]]+)\]", r"try_element_at(\1, \2)", sql)
    sql = re.sub(r"\berror\(", "raise_error(", sql)
    sql = re.sub(r"\blen\(", "array_size(", sql)
    sql = sql.replace("::VARCHAR", "::STRING")
    sql = _rewrite_calls(sql, "isfinite", "(NOT isnan({0}) AND abs({0}) < double('Infinity'))")
    # json_type of a field Spark kept as raw JSON text (SQL NULL for JSON null)
    sql = _rewrite_calls(sql, "json_type", "(CASE WHEN {0} LIKE '[%' THEN 'ARRAY' "
                                           "WHEN try_cast({0} AS DOUBLE) IS NOT NULL THEN 'DOUBLE' "
                                           "WHEN {0} IS NOT NULL THEN 'OTHER' END)")
    sql = _rewrite_calls(sql, "fsum", FSUM)
    return sql, fields


def _read(name):
    with open(os.path.join(steps.SQL, name), encoding="utf-8") as f:
        return f.read()


# ------------------------------------------------------------------ the session

LOG4J = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spark-log4j2.properties")


def session(master=None):
    """A SparkSession: local mode on 127.0.0.1 without a UI, or a cluster's master."""
    import warnings

    # pyspark warns about the pandas version on import; this module does not use pandas
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    from pyspark.sql import SparkSession

    local = master is None or master.startswith("local")
    # Spark's log lines (and the executor's copy of every error) would bury ours
    java = "-Dlog4j2.configurationFile=file:" + LOG4J
    if local:
        # The JVM's optimising compiler (C2) costs more CPU than it saves on a run of a
        # few GB or less (a 0.5 GB run: 33 s of CPU with the quick compiler alone, 46 s
        # with both; the test tier 61 s against 81 s)
        java += " -XX:TieredStopAtLevel=1"
    b = (SparkSession.builder.appName("entropy-polarity-steps")
         .master(master or "local[*]")
         .config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.extraJavaOptions", java)
         # backslashes in string literals stay backslashes, as in DuckDB
         .config("spark.sql.parser.escapedStringLiterals", "true"))
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        b = (b.config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             # what is shuffled is small (partial sums per step and sample): Spark's 200
             # partitions and adaptive re-planning only cost time on one machine
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.adaptive.enabled", "false"))
    return b.getOrCreate()


def stop(spark):
    """Stops the session and waits for its JVM to exit: its memory is back, and its
    CPU time counts in this process's children (what bench/run_steps_bench.py reads)."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    spark.stop()
    proc = getattr(gateway, "proc", None)
    if proc is not None:
        gateway.shutdown()
        proc.stdin.close()  # the JVM's gateway exits at the end of its standard input
        proc.wait(timeout=60)
        SparkContext._gateway = SparkContext._jvm = None


# ------------------------------------------------------------------ errors

# raise_error's message; on a cluster it comes inside the report of the failed stage
USER_ERROR = re.compile(r"\[USER_RAISED_EXCEPTION\] (.*?)(?: SQLSTATE: \w+)?$", re.M)
NOT_READ = "a line that is not JSON or has a field of the wrong type"


def explain(err, paths, fields):
    """A Spark error → the message steps.py gives for DuckDB's ('file:line: what')."""
    text = str(err)
    m = FOLD_ERROR.search(text)
    if m:
        return m.group(1).strip()
    m = USER_ERROR.search(text)
    if not m:
        return text.strip().split("\n")[0]
    msg = m.group(1).strip()
    # Spark names files by URL (file:/a%20b/c.jsonl): back to the path as given
    msg = re.sub(r"file:(.+?\.jsonl)(?=: )",
                 lambda u: paths.get(os.path.abspath(urllib.parse.unquote(
                     re.sub("^//", "", u.group(1)))), u.group(1)), msg)
    path, _, what = msg.partition(": ")
    if what == NOT_READ:
        return not_read(path, fields)
    return steps.explain(msg)


def fits(value, duck):
    """Whether Spark's JSON reader takes value for a field of DuckDB type duck."""
    if value is None or duck in ("JSON", "VARCHAR"):
        return True  # Spark keeps any JSON value as text in a STRING field
    if duck.endswith("[]"):
        return isinstance(value, list) and all(fits(v, duck[:-2]) for v in value)
    if duck == "BOOLEAN":
        return isinstance(value, bool)
    if duck == "MASK":
        return isinstance(value, (bool, int, float))
    if duck == "BIGINT":
        return isinstance(value, int) and not isinstance(value, bool) and -2 ** 63 <= value < 2 ** 63
    return isinstance(value, (int, float)) and not isinstance(value, bool)  # DOUBLE


def not_read(path, fields):
    """The line Spark's JSON reader could not read, found again in Python: not JSON
    (as steps.locate finds it for DuckDB), or a field of the wrong type."""
    line = steps.locate(path, None)
    if line:
        with open(path, "rb") as f:
            text = f.read().splitlines()[line - 1]
        try:
            json.loads(text)
        except ValueError as e:
            return "%s:%d: not JSON (%s)" % (path, line, e)
    wrong = lambda r: next((n for n, t in fields if not fits(r.get(n), t)), None)
    line = steps.locate(path, lambda r: not isinstance(r, dict) or wrong(r))
    if line:
        with open(path, "rb") as f:
            rec = json.loads(f.read().splitlines()[line - 1])
        if not isinstance(rec, dict):
            return "%s:%d: a JSON %s, not an object" % (path, line, type(rec).__name__)
        name = wrong(rec)
        return "%s:%d: field %s is %.60s, not %s" % (path, line, name, json.dumps(rec[name]),
                                                    dict(fields)[name])
    return "%s: %s" % (path, NOT_READ)


# ------------------------------------------------------------------ the query

# Formats read through the DuckDB SQL rewritten (to_spark); prime-rl-traces is folded by
# traces_view instead.
SPARK_FORMATS = ("prime-rl", "trace", "nemo-rl", "openrlhf")
TOKEN_SCHEMA = ("step BIGINT, sample BIGINT, counted BOOLEAN, logprob DOUBLE, entropy DOUBLE, "
                "advantage DOUBLE, mean_discriminator DOUBLE, entropy_after DOUBLE")
# A fold error as the worker raises it, found again in Spark's report of the failed task
FOLD_ERROR = re.compile(r"FoldError: (.+)$", re.M)


def globs(files):
    """Spark reads a path as a glob pattern: a folder named "run [2]" is escaped."""
    return [re.sub(r"([\\\[\]{}*?])", r"\\\1", os.path.abspath(p)) for p in files]


def traces_view(spark, files):
    """The view run_tokens of a prime-rl trace-stream folder: Spark reads each chunk whole
    (decompressing NNNNN.jsonl.zst with its zstd codec, by the extension), its Python
    workers split the lines, group them by trace and fold each trace (prime_traces.py,
    shipped to them with addPyFile). A bad record fails the job with a FoldError, which
    `explain` turns into 'file:line: field …'."""
    spark.sparkContext.addPyFile(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "prime_traces.py"))
    paths = {os.path.abspath(p): p for p in files}
    text = spark.read.text(globs(files), wholetext=True).selectExpr("_metadata.file_path AS url", "value")

    # Nested, so that cloudpickle ships these by value: a worker imports only prime_traces.
    def lines(row):
        import urllib.parse as up

        import prime_traces as pt
        local = os.path.abspath(up.unquote(re.sub("^file:(//)?", "", row.url)))
        return pt.records(paths.get(local, local), row.value)

    def fold(group):
        import prime_traces as pt
        trace_id, items = group
        items = list(items)
        if trace_id is None:  # lines that are no record: the first by place
            _, _, path, line, what = min(items, key=lambda it: (it[1], it[3]))
            field, _, msg = what.partition(": ") if what.startswith("field ") else ("", "", what)
            raise pt.FoldError(path, line, field[6:], msg)
        return pt.fold(trace_id, items)

    rows = text.rdd.flatMap(lines).groupByKey().flatMap(fold)
    spark.createDataFrame(rows, TOKEN_SCHEMA).createOrReplaceTempView("run_tokens")


def run(files, fmt, progress, master=None, spark=None):
    """The per-step rows for files of format fmt, as steps.run gives them. Without
    spark, a session is made (or the active one used) for this run alone."""
    if fmt not in SPARK_FORMATS + ("prime-rl-traces",):
        raise steps.RunError("%s: Spark reads %s and prime-rl-traces"
                             % (files[0], ", ".join(SPARK_FORMATS)))
    from pyspark.sql import SparkSession

    if spark is None:
        own = SparkSession.getActiveSession() is None
        try:
            spark = session(master)
        except Exception as e:  # noqa: BLE001 - pyspark's error when the JVM does not start
            raise steps.RunError("Spark did not start (%s); it needs Java 17 or later "
                                 "(apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
                                 % str(e).strip().split("\n")[0]) from None
        if own:
            try:
                return run(files, fmt, progress, master, spark)
            finally:
                stop(spark)
    query, _ = to_spark(_read("run_steps.sql"))
    paths = {os.path.abspath(p): p for p in files}
    if fmt == "prime-rl-traces":
        traces_view(spark, files)
        return collect(spark, query, progress, paths, [])
    reader, fields = to_spark(_read("tokens_%s.sql" % fmt.replace("-", "_")))
    schema = ", ".join("%s %s" % (n, spark_type(t)) for n, t in fields)
    raw = (spark.read.schema(schema + ", _corrupt_record STRING")
           .option("mode", "PERMISSIVE").json(globs(files))
           .selectExpr("*", "_metadata.file_path AS filename"))
    raw.createOrReplaceTempView("run_json_raw")
    # masks come as text: true/false (or 1/0) → 1.0/0.0, as DuckDB reads them
    masks = [n for n, t in fields if t == "MASK[]"]
    converted = "".join(", transform(%s, v -> CAST(CASE v WHEN 'true' THEN '1' WHEN 'false' THEN '0' "
                        "ELSE v END AS DOUBLE)) AS %s" % (n, n) for n in masks)
    spark.sql("CREATE OR REPLACE TEMP VIEW run_json AS SELECT * EXCEPT (%s)%s FROM run_json_raw "
              "WHERE CASE WHEN _corrupt_record IS NOT NULL THEN raise_error(printf('%%s: %s', filename)) "
              "ELSE true END" % (", ".join(masks + ["_corrupt_record"]), converted, NOT_READ))
    spark.sql(reader)
    return collect(spark, query, progress, paths, fields)


def collect(spark, query, progress, paths, fields):
    """Runs the per-step query (progress on stderr) and explains a failure."""
    result, failure = [], []

    def work():
        try:
            df = spark.sql(query)
            header = steps.HEADER.split(",")
            if df.columns != header:
                failure.append(RuntimeError("run_steps.sql gives %s, the header is %s"
                                            % (df.columns, header)))
                return
            result.extend(tuple(r) for r in df.collect())
        except Exception as e:  # noqa: BLE001 - py4j and Spark errors, explained below
            failure.append(e)

    t = threading.Thread(target=work, daemon=True)
    start = time.monotonic()
    t.start()
    last = None
    tracker = spark.sparkContext.statusTracker()
    while t.is_alive():
        t.join(1.0)
        if progress and t.is_alive():
            done = total = 0
            for sid in tracker.getActiveStageIds():
                info = tracker.getStageInfo(sid)
                if info:
                    done, total = done + info.numCompletedTasks, total + info.numTasks
            if total and (done, total) != last:
                last = (done, total)
                print("run_steps: %d of %d Spark tasks  %.0f s" % (done, total, time.monotonic() - start),
                      file=sys.stderr, flush=True)
    if failure:
        if isinstance(failure[0], RuntimeError):
            raise failure[0]
        raise steps.RunError(explain(failure[0], paths, fields))
    return result
