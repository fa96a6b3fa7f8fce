"""prime-rl's trace streams with annotations, folded one trace at a time: what Spark's
workers run (spark.py, `--engine spark`) once Spark has read and decompressed the chunks
and grouped their lines by trace. The fold is prime-rl's `fold_trace_updates`
(docs/trace-format.md "prime-rl trace streams"); DuckDB does the same in
sql/tokens_prime_rl_traces.sql, the page in src/math/run/prime_traces.rs.

Plain Python, no imports beyond the standard library, so a worker needs only this file.
"""

import hashlib
import json
import math
import re

UPDATE_VERSION = 1
STREAM_FIELDS = ("advantages", "trainer_logprobs", "entropies", "is_masked")
ANNOTATIONS = re.compile(r"(^|[/\\])annotations[/\\]")
CHUNK = re.compile(r"(^|[/\\])(\d+)\.jsonl(\.zst)?$")
ROUNDING = 1e-6  # a logprob this far above 0 (an entropy below 0) is rounding


class FoldError(Exception):
    """A bad record, said as the DuckDB reader says it: 'file:line: field f: what'."""

    def __init__(self, path, line, field, message):
        super().__init__("%s:%d: %s%s" % (path, line, "field %s: " % field if field else "", message))


def write_order(path):
    """Where a chunk sits in its producer's stream: (directory, chunk number)."""
    m = CHUNK.search(path)
    return (path[:m.start(2)], int(m.group(2))) if m else (path, 0)


def records(path, text):
    """(trace_id, (kind, order, path, line, record)) for every line of one chunk's text;
    kind 0 is an episode's trace, 1 an update. A line that is not JSON is an error."""
    order = write_order(path)
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            yield None, (2, order, path, n, "not JSON (%s)" % e)
            continue
        if not isinstance(rec, dict):
            yield None, (2, order, path, n, "a JSON %s, not an object" % type(rec).__name__)
        elif isinstance(rec.get("traces"), list):
            env = rec.get("env") or {}
            env = env.get("name") or env.get("id") if isinstance(env, dict) else None
            for i, t in enumerate(rec["traces"]):
                tid = t.get("id") if isinstance(t, dict) else None
                if not isinstance(tid, str):
                    yield None, (2, order, path, n, "field traces[%d].id: a trace needs an id" % i)
                else:
                    yield tid, (0, order, path, n, t)
        elif "trace_id" in rec:
            if rec.get("version") != UPDATE_VERSION or isinstance(rec.get("version"), bool):
                yield None, (2, order, path, n, "field version: update version %s is unknown "
                             "(this reader knows %d)" % (json.dumps(rec.get("version")), UPDATE_VERSION))
            else:
                yield str(rec["trace_id"]), (1, order, path, n, rec)
        else:
            yield None, (2, order, path, n, "neither an episode (traces) nor a trace update (trace_id)")


def branch_paths(nodes):
    """Root-to-leaf node indexes, one per leaf, in leaf order; a cycle ends a path."""
    n = len(nodes)

    def parent(i):
        p = nodes[i].get("parent") if isinstance(nodes[i], dict) else None
        return p if isinstance(p, int) and not isinstance(p, bool) and 0 <= p < n else None

    parents = {parent(i) for i in range(n)} - {None}
    out = []
    for leaf in (i for i in range(n) if i not in parents):
        path, seen, i = [], set(), leaf
        while i is not None and i not in seen:
            seen.add(i)
            path.append(i)
            i = parent(i)
        out.append(path[::-1])
    return out


def merge(old, new):
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{k: merge(old.get(k), v) for k, v in new.items()}}
    return new


def sample_id(trace_id, branch):
    """A sample's id: 63 bits of a hash of (trace, branch), the same on every worker."""
    return int.from_bytes(hashlib.blake2b(("%s/%d" % (trace_id, branch)).encode(), digest_size=8).digest(),
                          "big") >> 1


def fold(trace_id, items):
    """One trace's episode and updates (records() items, any order) → its token rows
    (step, sample, counted, logprob, entropy, advantage, None, None). Raises FoldError
    with the first problem by place."""
    items = sorted(items, key=lambda it: (it[0], it[1], it[3]))
    traces = [it for it in items if it[0] == 0]
    updates = [it for it in items if it[0] == 1]
    if not traces:
        _, _, path, line, _ = updates[0]
        raise FoldError(path, line, "trace_id", "no trace %s in the trace stream" % trace_id)
    if len(traces) > 1:
        _, _, path, line, _ = traces[1]
        raise FoldError(path, line, "traces.id", "trace %s was already read: a trace is written once" % trace_id)
    _, _, tpath, tline, trace = traces[0]
    nodes = [dict(n) if isinstance(n, dict) else {} for n in trace.get("nodes") or []]
    info = trace.get("info") or {}
    paths = branch_paths(nodes)
    for _, _, path, line, up in updates:
        if up.get("info"):
            info = merge(info, up["info"])
        for b, br in enumerate(up.get("branches") or []):
            index = br.get("index")
            if not (isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(paths)):
                raise FoldError(path, line, "branches[%d].index" % b, "branch %s is not one of trace %s's branches"
                                % ("null" if index is None else json.dumps(index), trace_id))
            for field in STREAM_FIELDS:
                stream = br.get(field) or []
                at = 0
                for i in paths[index]:
                    ntok = len(nodes[i].get("token_ids") or [])
                    if at + ntok > len(stream):
                        break  # prime-rl: a node the stream does not cover keeps what it had
                    vals = [v for v, m in zip(stream[at:at + ntok], nodes[i].get("mask") or []) if m]
                    at += ntok
                    known = [v is not None for v in vals]
                    if vals and (any(known) if field == "is_masked" else all(known)):
                        nodes[i][field] = vals
    step = (info.get("ship") or {}).get("step") if isinstance(info, dict) else None
    if not isinstance(step, int) or isinstance(step, bool):
        return  # never shipped to the trainer: not trained on
    for b, path in enumerate(paths):
        has_adv = any(nodes[i].get("advantages") is not None for i in path)
        sample = sample_id(trace_id, b)
        for i in path:
            k = sum(1 for m in nodes[i].get("mask") or [] if m)
            col = lambda f: (nodes[i].get(f) or [None] * k) + [None] * k  # noqa: E731
            for lp, h, a, masked in zip(col("trainer_logprobs")[:k], col("entropies")[:k],
                                        col("advantages")[:k], col("is_masked")[:k]):
                counted = (masked is not True and finite(lp) and finite(h)
                           and (not has_adv or finite(a)))
                if counted and lp > ROUNDING:
                    raise FoldError(tpath, tline, "trainer_logprobs",
                                    "step %d: a trainer_logprobs value %r > 0: not a log-probability" % (step, lp))
                if counted and h < -ROUNDING:
                    raise FoldError(tpath, tline, "entropies", "step %d: an entropies value %r < 0" % (step, h))
                yield (step, sample, counted, num(lp), num(h), num(a), None, None)


def finite(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def num(x):
    return float(x) if finite(x) else None
