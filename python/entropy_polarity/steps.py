#!/usr/bin/env python3
"""The per-step table of a whole training run, through DuckDB (or Spark).

    entropy-polarity-steps DIR [--format auto|prime-rl|trace|nemo-rl|openrlhf|prime-rl-traces] > steps.csv
    entropy-polarity-steps DIR --engine spark [--master URL]   # spark.py: the same SQL on Spark
    python3 scripts/run_steps.py DIR …     # the same, from a checkout

DIR is a run folder (or one file): prime-rl token exports
(token_exports/step_<n>/rank_<r>.jsonl), our trace format (*.jsonl),
NeMo-RL's train_data_step<N>.jsonl, an OpenRLHF logging board (*.jsonl) or
prime-rl's trace streams with annotations (monitors/file/traces/, NNNNN.jsonl and
NNNNN.jsonl.zst chunks; recognised by an annotations/ folder).
Files of the folder that are not run files (a config, a tokenizer.json, an empty
file) are skipped with a note, as on the page (docs/trace-format.md, "One rule for
every reader").
Writes to standard output the per-step CSV of docs/trace-format.md with the
header of the page's export-steps download, so the page's run panel opens it.
Numbers are written in JavaScript's shortest round-trip form, empty cells for
NULL. Progress goes to standard error; errors name the file and line.

The SQL lives beside this module in sql/: tokens_<format>.sql reads the files and
says which tokens count, run_steps.sql makes the per-step table. Needs the `duckdb`
package (pip install duckdb; scripts/setup.sh --test pins the version).
"""

import argparse
import json
import math
import os
import re
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SQL = os.path.join(HERE, "sql")  # package data, installed with the package
HEADER = ("step,samples,tokens,mean_entropy,mean_prob,token_term,share_pos_expand,"
          "share_pos_contract,share_neg_expand,share_neg_contract,pg_polarity,realised_dh,"
          "realised_dh_same,agree_token_term,agree_pg_polarity")
FORMATS = ("prime-rl", "trace", "nemo-rl", "openrlhf", "prime-rl-traces")
PROGRESS_BYTES = 64 << 20  # report progress for runs above this size (or with --progress)

PRIME_RL_FILE = re.compile(r"step_\d+[/\\]rank_\d+\.jsonl$")
NEMO_RL_FILE = re.compile(r"train_data_step\d+\.jsonl$")
# prime-rl's trace-stream layout (monitors/file/traces/): numbered chunks, live or sealed
TRACE_CHUNK = re.compile(r"(^|[/\\])\d+\.jsonl(\.zst)?$")
ANNOTATIONS = re.compile(r"(^|[/\\])annotations[/\\]")


class RunError(Exception):
    """An error a person can act on; printed without a traceback."""


# ------------------------------------------------------------------ files and format

def natural(path):
    """step_10 after step_9."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def list_files(root):
    if os.path.isfile(root):
        return [root]
    if not os.path.isdir(root):
        raise RunError("%s: no such folder or file" % root)
    found = []
    for dirpath, dirnames, names in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found += [os.path.join(dirpath, n) for n in names if not n.startswith(".")]
    return sorted(found, key=natural)


class NotRunFile(RunError):
    """The file is not a run file at all (a config, a tokenizer, an empty file): skipped
    with a note when the folder holds run files, as the page does (RunError.foreign)."""


MAX_ID = 9e15  # steps and sample ids are below this, as in the core (formats.rs)


def loads(line):
    """One line as the core reads it: strict UTF-8 (a byte-order mark past the start of
    the file is an error), NaN/Infinity allowed (DuckDB reads them as non-finite)."""
    return json.loads(line.decode("utf-8"))


def first_record(path):
    """The first non-empty line of a JSONL file, parsed, with its number. Raises
    NotRunFile for an empty file, a first line that is not an object, or (for .json)
    not JSON at all; RunError for a .jsonl file whose first line is not JSON."""
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if line.strip():
                try:
                    rec = loads(line)
                except (ValueError, RecursionError) as e:
                    what = "nested too deeply to read" if isinstance(e, RecursionError) else e
                    cls = RunError if path.endswith((".jsonl", ".ndjson")) else NotRunFile
                    raise cls("%s:%d: not JSON (%s)" % (path, n, what)) from None
                if not isinstance(rec, dict):
                    raise NotRunFile("%s:%d: a JSON %s, not an object (one sample per line)"
                                     % (path, n, type(rec).__name__))
                return rec
    raise NotRunFile("%s: the file is empty: a run file holds one JSON object per sample" % path)


def format_of(path, rec):
    """The same decision as the core's formats::detect."""
    has = rec.__contains__
    if rec.get("trace") == "entropy-polarity":
        return "trace"
    if has("trainer_logprobs") or (has("schema_version") and has("token_ids")) or \
            (has("loss_mask") and has("entropy")):
        return "prime-rl"
    if has("token_loss_mask") or has("prev_logprobs") or has("generation_logprobs"):
        return "nemo-rl"
    if has("response_tokens") or (has("logprobs") and (has("ref_logprobs") or has("token_rewards")
                                                       or has("values"))):
        return "openrlhf"
    return None


def check_path_step(path):
    """A step in the path (step_<n>/ or train_data_step<N>) must be below 9e15."""
    for m in re.finditer(r"(?:^|[/\\])(?:step_|train_data_step)(\d+)", path):
        if int(m.group(1)) >= MAX_ID:
            raise RunError("%s: the step in this file's path (%s) is 9e15 or more: a step must be "
                           "a whole number from 0 to 9e15" % (path, m.group(1)))


def pick_files(root, fmt):
    """The JSONL files of the run and its format; raises RunError when there are none,
    when the formats are mixed, or when a file is in no known format. Files that are
    not run files (NotRunFile) are skipped with a note on stderr, as on the page."""
    every = list_files(root)
    chunks = [p for p in every if TRACE_CHUNK.search(p) and "live" not in re.split(r"[/\\]", p)]
    if fmt == "prime-rl-traces" or (fmt in (None, "auto") and any(ANNOTATIONS.search(p) for p in chunks)):
        if not chunks:
            raise RunError("%s: no NNNNN.jsonl or NNNNN.jsonl.zst chunks found" % root)
        return chunks, "prime-rl-traces"  # updates are the chunks under annotations/
    jsonl = [p for p in every if p.endswith((".jsonl", ".ndjson", ".json"))]
    if fmt == "prime-rl" and os.path.isdir(root):
        jsonl = [p for p in jsonl if PRIME_RL_FILE.search(p)]
    elif fmt == "nemo-rl":
        jsonl = [p for p in jsonl if NEMO_RL_FILE.search(p)]
    if not jsonl:
        st = [p for p in every if p.endswith(".safetensors")]
        if st:
            raise RunError(
                "%s: a safetensors trace; DuckDB has no safetensors reader. Drop the file on "
                "the page's run panel, or write the JSONL variant of the trace." % st[0])
        want = {"prime-rl": "token_exports/step_<n>/rank_<r>.jsonl",
                "nemo-rl": "train_data_step<N>.jsonl"}.get(fmt, "*.jsonl")
        raise RunError("%s: no %s files found" % (root, want))
    kinds, skipped, run_files = {}, [], []
    for p in jsonl:
        try:
            rec = first_record(p)
            kind = format_of(p, rec)
            if kind is None:
                raise NotRunFile("%s:1: not a known run format (fields %s); expected prime-rl, "
                                 "trace, nemo-rl or openrlhf" % (p, ", ".join(sorted(rec)[:8])))
        except NotRunFile as e:
            skipped.append(e)
            continue
        check_path_step(p)
        kinds.setdefault(kind, p)
        run_files.append(p)
    if not kinds:
        if len(skipped) == 1:
            raise skipped[0]
        raise RunError("%s: no run file among %d file(s) (%s)" % (root, len(skipped), skipped[0]))
    for e in skipped:
        print("run_steps: skipped, not a run file: %s" % e, file=sys.stderr)
    jsonl = run_files
    if len(kinds) > 1:
        raise RunError("mixed formats in one run: " + "; ".join(
            "%s is %s" % (p, k) for k, p in sorted(kinds.items())))
    found = next(iter(kinds))
    if fmt not in (None, "auto") and found != fmt:
        raise RunError("%s is %s, not %s (--format)" % (kinds[found], found, fmt))
    return jsonl, found


# ------------------------------------------------------------------ output

def js_number(x):
    """JavaScript's Number.prototype.toString: the shortest round-trip digits
    (Python's repr finds them), laid out as ECMAScript does."""
    if isinstance(x, int):
        return str(x)
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mant, _, exp = repr(abs(x)).partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    n = len(whole) + (int(exp) if exp else 0)  # decimal point position
    if whole == "0":  # 0.000123 → digits "123", point after -3 zeros
        n -= len(frac) - len(frac.lstrip("0")) + 1
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        s = digits + "0" * (n - k)
    elif 0 < n <= 21:
        s = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        s = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        s = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + s


def cell(v):
    if v is None:
        return ""
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    return js_number(v)


# ------------------------------------------------------------------ errors with lines

def locate(path, bad):
    """The first line of path whose parsed record satisfies bad(record), or whose
    text is not JSON when bad is None."""
    try:
        with open(path, "rb") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = loads(line if n > 1 or not line.startswith(b"\xef\xbb\xbf") else line[3:])
                    if bad is None and LONE_SURROGATE.search(line):
                        return n  # DuckDB refuses what Python's json reads
                except (ValueError, RecursionError):
                    if bad is None:
                        return n
                    continue
                if bad is not None:
                    try:
                        if bad(rec):
                            return n
                    except (KeyError, TypeError, IndexError, AttributeError):
                        return n
    except OSError:
        pass
    return None


def length(v):
    return len(v) if isinstance(v, list) else None


def nested(rec, key):
    """NeMo-RL wraps every field in one list; the others do not."""
    v = rec.get(key)
    if isinstance(v, list) and v and isinstance(v[0], list):
        return v[0]
    return v


LONE_SURROGATE = re.compile(
    rb"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    rb"|(?<![\\]u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)(?:\\\\)*\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def repaired_copies(files, tmp):
    """DuckDB refuses a lone UTF-16 surrogate escape ("\\ud800") anywhere in a line;
    the core reads it as U+FFFD (src/math/run/repair.rs). Copies of the files that hold
    one, with each replaced by \\ufffd, so both read the same; returns the new list and
    the first file:line repaired (None when there was nothing to repair)."""
    out, first = [], None
    for p in files:
        with open(p, "rb") as f:
            data = f.read()
        if not LONE_SURROGATE.search(data):
            out.append(p)
            continue
        if first is None:
            n = data[:LONE_SURROGATE.search(data).start()].count(b"\n") + 1
            first = "%s:%d" % (p, n)
        q = os.path.join(tmp, "%d_%s" % (len(out), os.path.basename(p)))
        with open(q, "wb") as f:
            f.write(LONE_SURROGATE.sub(lambda m: m.group(0)[:-6] + b"\\ufffd", data))
        out.append(q)
    return out, first


# Per-token fields of every format (a single value there is refused).
ARRAY_FIELDS = ("token_id", "logprob", "entropy", "mean_discriminator", "mask", "entropy_after",
                "logprob_after", "text", "token_ids", "loss_mask", "advantages",
                "trainer_logprobs", "inference_logprobs", "is_masked", "logprobs",
                "response_tokens", "token_loss_mask", "prev_logprobs", "generation_logprobs")


def explain(err):
    """Turns a DuckDB error into 'file:line: message' where the file and line can
    be found (DuckDB's own line numbers for malformed JSON are one too high in 2.0,
    so the line is found again by reading the file)."""
    msg = str(err).split("\n")[0]
    msg = re.sub(r"^[A-Za-z ]+Error: ", "", msg)
    m = re.match(r'Malformed JSON in file "(.+?)", at byte \d+ in line \d+: (.*)', msg)
    if m:
        path, what = m.groups()
        line = locate(path, None)
        return "%s:%s: not JSON (%s)" % (path, line or "?", what.strip())
    m = re.match(r'JSON transform error in file "(.+?)", in line (\d+): (.*)', msg)
    if m:
        path, line, what = m.groups()
        if what.startswith("Expected ARRAY"):
            # DuckDB's line for this one is not always the line: find it again
            line = locate(path, lambda r: any(
                k in r and r[k] is not None and not isinstance(r[k], list) for k in ARRAY_FIELDS)) or line
            what = "a per-token field is one value where an array belongs (%s)" % what.strip()
        return "%s:%s: %s" % (path, line, what.strip())
    m = re.match(r"(.+?\.(?:jsonl|ndjson|json)): (.*)", msg)
    if not m:
        return msg
    path, what = m.groups()
    bad = None
    f = re.search(r"field (\w+) has (\w+) values, (\w+) (\d+)", what)
    if f:
        field, _, ref, _ = f.groups()
        bad = lambda r: length(nested(r, field)) != length(nested(r, ref))
    elif "without step" in what:
        bad = lambda r: r.get("step") is None
    elif "but the file is in the folder step_" in what:
        bad = lambda r: str(r.get("step")) != re.search(r"folder step_(\d+)", what).group(1)
    elif re.search(r"field (step|sample) is ", what):
        key = re.search(r"field (step|sample) is ", what).group(1)
        bad = lambda r: not (isinstance(r.get(key), (int, float)) and 0 <= r[key] < MAX_ID
                             and float(r[key]).is_integer())
    elif "times in this file" in what:
        f = re.search(r"step (\d+) sample (\d+)", what)
        ids, seen = (int(f.group(1)), int(f.group(2))), [0]
        bad = lambda r: (r.get("step"), r.get("sample")) == ids and (seen.__setitem__(0, seen[0] + 1) or seen[0] > 1)
    elif "a mask entry is true or false" in what:
        key = re.search(r"field (\w+) holds", what).group(1)
        bad = lambda r: any(v not in (0, 1, None) for v in (r.get(key) or []))
    elif "> ln 2^32" in what:
        key = re.search(r"an (entropy\w*) ", what).group(1)
        bad = lambda r: any(isinstance(v, (int, float)) and 22.18070977791825 < v < math.inf
                            for v in (r.get(key) or []))
    elif "without token_ids" in what or "no token_id" in what:
        bad = lambda r: r.get("token_ids", r.get("token_id")) is None
    else:
        f = re.search(r"an? (\w+) (?:value )?(\S+) ([<>]) 0", what)
        if f:
            field, value, _ = f.groups()
            field = {"logprob": "logprob", "entropy": "entropy"}.get(field, field)
            target = float(value)
            bad = lambda r: any(isinstance(v, (int, float)) and v == target
                                for v in (nested(r, field) or []))
        elif "field input_lengths" in what:
            bad = lambda r: nested(r, "input_lengths") is None or \
                nested(r, "input_lengths")[0] > len(nested(r, "token_ids"))
        elif "field advantage is neither" in what:
            bad = lambda r: not isinstance(r.get("advantage"), (list, int, float))
        elif re.match(r"field trace_id: no trace (\S+)", what):  # prime-rl trace streams
            missing = re.match(r"field trace_id: no trace (\S+)", what).group(1)
            bad = lambda r: r.get("trace_id") == missing
        elif what.startswith("field version: update version"):
            bad = lambda r: r.get("version") != 1
        elif "field trace" in what or "trace version" in what:
            bad = lambda r: r.get("trace") != "entropy-polarity" or r.get("version") != 1
    line = locate(path, bad) if bad else None
    return "%s:%s: %s" % (path, line, what) if line else msg


# ------------------------------------------------------------------ the query

def run(files, fmt, progress):
    import duckdb  # imported here so --help works without it

    con = duckdb.connect()
    # query_progress() only measures with the progress bar on; its printing stays off,
    # since standard output carries the CSV.
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    con.execute("SET VARIABLE run_files = ?", [files])
    with open(os.path.join(SQL, "tokens_%s.sql" % fmt.replace("-", "_")), encoding="utf-8") as f:
        con.execute(f.read())
    with open(os.path.join(SQL, "run_steps.sql"), encoding="utf-8") as f:
        query = f.read()
    result, failure = [], []

    def work():
        try:
            result.extend(con.execute(query).fetchall())
        except duckdb.Error as e:
            failure.append(e)

    t = threading.Thread(target=work, daemon=True)
    start = time.monotonic()
    t.start()
    last = -1
    while t.is_alive():
        t.join(1.0)
        if progress and t.is_alive():
            try:
                pct = con.query_progress()
            except Exception:  # noqa: BLE001 - progress is a courtesy
                pct = -1
            if pct >= 0 and int(pct) // 5 != last:
                last = int(pct) // 5
                print("run_steps: %3d%%  %.0f s" % (pct, time.monotonic() - start),
                      file=sys.stderr, flush=True)
    if failure:
        e = RunError(explain(failure[0]))
        e.surrogate = "surrogate in string" in str(failure[0])
        raise e
    return result


def run_repairing(files, fmt, progress):
    """run(), and once more over repaired copies when DuckDB refuses a lone surrogate."""
    try:
        return run(files, fmt, progress)
    except RunError as e:
        if not getattr(e, "surrogate", False):
            raise
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        fixed, first = repaired_copies(files, tmp)
        if first is None:
            raise RunError("a lone surrogate escape that could not be found again")
        print("run_steps: warning: lone UTF-16 surrogate escapes in strings were read as "
              "U+FFFD (the first: %s)" % first, file=sys.stderr)
        return run(fixed, fmt, progress)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Per-step table of a training run (docs/trace-format.md), through DuckDB "
                    "or Spark; CSV to stdout.")
    ap.add_argument("dir", help="run folder or file")
    ap.add_argument("--format", default="auto", choices=("auto",) + FORMATS)
    ap.add_argument("--progress", action="store_true",
                    help="report progress on stderr even for a small run")
    ap.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")
    ap.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"),
                    help="duckdb (the default) or Apache Spark (entropy_polarity/spark.py)")
    ap.add_argument("--master", help="with --engine spark: the cluster's master URL "
                    "(default local[*], this machine)")
    args = ap.parse_args(argv)
    try:
        files, fmt = pick_files(args.dir, None if args.format == "auto" else args.format)
        size = sum(os.path.getsize(p) for p in files)
        big = size >= PROGRESS_BYTES
        if not args.quiet:
            print("run_steps: %s, %d file%s, %.1f MB" % (fmt, len(files), "s"[:len(files) != 1],
                                                      size / 1e6), file=sys.stderr, flush=True)
        start = time.monotonic()
        show = (big or args.progress) and not args.quiet
        if args.engine == "spark":
            from . import spark
            rows = spark.run(files, fmt, show, args.master)
        else:
            rows = run_repairing(files, fmt, show)
    except RunError as e:
        print("run_steps.py: %s" % e, file=sys.stderr)
        return 2
    except ImportError:
        print("run_steps.py: the %s package is missing: pip install %s"
              % ((args.engine, "pyspark") if args.engine == "spark" else ("duckdb", "duckdb")),
              file=sys.stderr)
        return 2
    out = [HEADER]
    out += [",".join(cell(v) for v in row) for row in rows]
    sys.stdout.write("\n".join(out) + "\n")
    if not args.quiet:
        took = time.monotonic() - start
        print("run_steps: %d steps, %d counted tokens, %.2f s (%.3g MB/s)"
              % (len(rows), sum(r[2] for r in rows), took, size / 1e6 / max(took, 1e-9)),
              file=sys.stderr)
    return 0


def console():
    """The `entropy-polarity-steps` console script."""
    sys.exit(main())


if __name__ == "__main__":
    console()
