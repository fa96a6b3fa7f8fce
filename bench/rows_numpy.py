"""NumPy baselines for the [64 x 152,064] float32 row statistics benchmark.

Reads the slice written by `cargo bench --bench rows -- --write-data DIR` and
times, interleaved, float32 formulations of the same per-row statistics
(H, S̄, e^-H, p†, and the sampled token's p_k, S_k, sensitivity, polarity):

- fused: per row, the max, then e = exp(z - max) once and four reductions
  (Σe, Σe·y, Σe², Σe²·y, all by BLAS sdot) into preallocated buffers: the
  fastest float32 formulation found (tried: .sum() instead of sdot, Σe²y as
  dot(e², y), blocks of rows with axis-1 reductions, a clamp pass on every
  row — all as fast or slower);
- fused2d: the same on blocks of rows with axis-1 reductions;
- logsoftmax: a plain multi-pass log-softmax over the whole slice;
- fused-log1p: fused with the max term left out of the sums (its e = 1 and
  y = 0 are added exactly afterwards) and ln Z = log1p(rest): Σe = 1 + tiny
  in float32 loses near-one-hot rows, this keeps them. Σe and Σe·y use
  NumPy's pairwise .sum(): sdot's float32 accumulation alone is off by up
  to ~1.1e-5 relative on the bench slice.

Only a formulation within 1e-5 relative entropy on every row counts as a
baseline (the page's own accuracy). Every formulation is checked against a
float64 reference computed here from the same float32 input, which is itself
right on near-one-hot rows (ln Z = log1p of the non-max mass), on the bench
slice plus extra rows: one logit lifted by 40 to 60 over a 152k row, and
rows with masked (-inf) tokens. The others are reported "too inaccurate"
with their max error, and never used in a ratio.

    python3 bench/rows_numpy.py [--data DIR] [--reps N] [--json]
    python3 bench/rows_numpy.py --npy FILE.npy [--block 64] [--json]

--npy times the script a researcher would write for a big C-order float32
.npy: np.load(mmap_mode='r'), blocks of 64 rows, the fastest accurate
formulation (fused-log1p); it reports its wall time (reading included; the
file is usually in the page cache, as it is for the browser benchmark).

Single-threaded BLAS (OPENBLAS_NUM_THREADS=1 is set below unless already
set), to compare with single-threaded wasm on one core.
"""
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402


def lambert_w0(x):
    """Principal Lambert W for x >= 0 (float64 arrays), Halley iterations."""
    x = np.asarray(x, dtype=np.float64)
    w = np.where(x < 3, np.log1p(x), np.log(np.maximum(x, 3)) - np.log(np.log(np.maximum(x, 3))))
    for _ in range(60):
        ew = np.exp(w)
        f = w * ew - x
        w_new = w - f / (ew * (w + 1) - (w + 2) * f / (2 * w + 2))
        if np.all(np.abs(w_new - w) <= 1e-15 * np.abs(w_new)):
            return w_new
        w = w_new
    return w


def columns(h, sbar, pk, sk, adv):
    """The output columns from each row's H, S̄ and the sampled token's p_k, S_k."""
    sens = sbar - sk
    return {
        "entropy": h,
        "meanDiscriminator": sbar,
        "flipNudge": np.exp(-h),
        "flipPolicyGradient": np.exp(lambert_w0(sbar * np.exp(h)) - h),
        "prob": pk,
        "discriminator": sk,
        "sensitivity": sens,
        "polarity": adv.astype(np.float64) * sens,
    }


def from_sums(m, z, log_z, sey, se2, se2y, x, tokens, adv):
    """Per-row scalars (float64): max, Z = Σe, ln Z, Σe·y, Σe², Σe²·y -> the output columns."""
    ybar = sey / z
    h = log_z - ybar
    sbar = np.maximum((se2y - ybar * se2) / (z * z), 0.0)
    rows = np.arange(x.shape[0])
    yk = x[rows, tokens].astype(np.float64) - m
    with np.errstate(invalid="ignore"):
        pk = np.exp(yk) / z
        sk = np.where(pk > 0, pk * (yk - ybar), 0.0)
    return columns(h, sbar, pk, sk, adv)


def finish(m, z, sey, se2, se2y, x, tokens, adv):
    """Per-row scalars (float64) -> the output columns."""
    return from_sums(m, z, np.log(z), sey, se2, se2y, x, tokens, adv)


def finish_log1p(m, rest, sey, rest2, se2y, x, tokens, adv):
    """finish() given the sums without the max term (e = 1, y = 0 there)."""
    return from_sums(m, 1.0 + rest, np.log1p(rest), sey, 1.0 + rest2, se2y, x, tokens, adv)


def row_buffers(vocab, _cache={}):
    """Preallocated float32 rows y, e, t and a row of ones, reused across calls."""
    if vocab not in _cache:
        _cache.clear()
        _cache[vocab] = tuple(np.empty(vocab, np.float32) for _ in range(3)) + (np.ones(vocab, np.float32),)
    return _cache[vocab]


def sum_ey(e, y, t, total):
    """Σe·y by `total`, leaving t = e·y. Masked tokens have e = 0 but y = -inf,
    and 0·(-inf) = NaN: only such rows pay for clamping y and a second pass."""
    np.multiply(e, y, out=t)
    sey = total(t)
    if not np.isfinite(sey):
        np.maximum(y, np.float32(-104.0), out=y)
        np.multiply(e, y, out=t)
        sey = total(t)
    return sey


def fused(x, tokens, adv):
    rows, vocab = x.shape
    y, e, t, ones = row_buffers(vocab)
    acc = np.empty((5, rows))
    for r in range(rows):
        row = x[r]
        m = row.max()
        np.subtract(row, m, out=y)
        np.exp(y, out=e)
        # Every reduction through BLAS sdot (a little faster than .sum()).
        sey = sum_ey(e, y, t, lambda v: np.dot(v, ones))
        acc[:, r] = (m, np.dot(e, ones), sey, np.dot(e, e), np.dot(e, t))
    return finish(*acc, x, tokens, adv)


def fused2d(x, tokens, adv, block=8):
    rows, vocab = x.shape
    acc = np.empty((5, rows))
    y = np.empty((block, vocab), np.float32)
    e = np.empty((block, vocab), np.float32)
    t = np.empty((block, vocab), np.float32)
    for r0 in range(0, rows, block):
        xb = x[r0:r0 + block]
        n = xb.shape[0]
        m = xb.max(axis=1)
        yb, eb, tb = y[:n], e[:n], t[:n]
        np.subtract(xb, m[:, None], out=yb)
        np.exp(yb, out=eb)
        np.maximum(yb, np.float32(-104.0), out=yb)
        np.multiply(eb, yb, out=tb)
        acc[0, r0:r0 + n] = m
        acc[1, r0:r0 + n] = eb.sum(axis=1)
        acc[2, r0:r0 + n] = tb.sum(axis=1)
        acc[3, r0:r0 + n] = np.einsum("ij,ij->i", eb, eb)
        acc[4, r0:r0 + n] = np.einsum("ij,ij->i", eb, tb)
    return finish(*acc, x, tokens, adv)


def fused_log1p(x, tokens, adv):
    """fused, but the max term is left out of the sums and ln Z = log1p(rest)."""
    rows, vocab = x.shape
    y, e, t, _ = row_buffers(vocab)
    acc = np.empty((5, rows))
    for r in range(rows):
        row = x[r]
        i = int(row.argmax())
        m = row[i]
        np.subtract(row, m, out=y)
        np.exp(y, out=e)
        e[i] = 0  # the max term (e = 1, y = 0) is added exactly below
        # The entropy's two sums by NumPy's pairwise .sum(): BLAS sdot's
        # float32 accumulation is off by ~1e-5 relative over 152k terms.
        sey = sum_ey(e, y, t, lambda v: v.sum(dtype=np.float32))
        acc[:, r] = (m, e.sum(dtype=np.float32), sey, np.dot(e, e), np.dot(e, t))
    return finish_log1p(*acc, x, tokens, adv)


def reference_entropy(x):
    """float64 entropy of each float32 row, right on near-one-hot rows:
    y = z - max, rest = Σ_{j != argmax} e^y_j, H = log1p(rest) - Σ_{j != argmax} e^y_j y_j / (1 + rest)."""
    out = np.empty(x.shape[0])
    for r in range(x.shape[0]):
        z = x[r].astype(np.float64)
        i = int(z.argmax())
        y = z - z[i]
        e = np.exp(y)
        e[i] = 0.0
        finite = np.isfinite(y)
        rest = e.sum()
        out[r] = np.log1p(rest) - np.dot(e[finite], y[finite]) / (1.0 + rest)
    return out


def extra_rows(vocab, seed=7):
    """Rows the bench slice may lack: one logit lifted by 40 to 60 over a
    3·N(0,1) row (H down to ~1e-20), the same with masked tokens, and a
    broad row with half its tokens masked."""
    g = np.random.default_rng(seed)
    rows = []
    for lift in (40, 45, 50, 55, 60):
        z = (3 * g.standard_normal(vocab)).astype(np.float32)
        z[g.integers(vocab)] = z.max() + lift
        rows.append(z)
    z = (3 * g.standard_normal(vocab)).astype(np.float32)
    z[g.random(vocab) < 0.5] = -np.inf
    z[g.integers(vocab)] = 50
    rows.append(z)
    z = (3 * g.standard_normal(vocab)).astype(np.float32)
    z[: vocab // 2] = -np.inf
    rows.append(z)
    x = np.stack(rows)
    tokens = np.array([int(np.flatnonzero(np.isfinite(r))[0]) for r in x], dtype=np.intp)
    return x, tokens, np.ones(len(rows), np.float32)


def logsoftmax(x, tokens, adv):
    """The textbook formulation: log-softmax, p, H, S = p (H + ln p), S̄ = Σ p S."""
    m = x.max(axis=1, keepdims=True)
    y = x - m
    lse = np.log(np.exp(y).sum(axis=1, keepdims=True))
    logp = y - lse
    p = np.exp(logp)
    plogp = np.where(p > 0, p * logp, np.float32(0))
    h = -plogp.sum(axis=1, keepdims=True)
    s = np.where(p > 0, p * (h + logp), np.float32(0))
    sbar = np.maximum((p * s).sum(axis=1), 0).astype(np.float64)
    rows = np.arange(x.shape[0])
    pk = p[rows, tokens].astype(np.float64)
    sk = s[rows, tokens].astype(np.float64)
    return columns(h[:, 0].astype(np.float64), sbar, pk, sk, adv)


def on_cpu():
    """On-CPU time of this thread (robust when other processes share the cores)."""
    return time.thread_time()


ACCURACY = 1e-5  # relative entropy, every row: the page's own bound (docs/math.md)


def big_npy(path, block, as_json):
    """The researcher's script on a big .npy: mmap, 64-row blocks, fused-log1p."""
    t0, c0 = time.perf_counter(), on_cpu()
    x = np.load(path, mmap_mode="r")
    rows, vocab = x.shape
    h = np.empty(rows)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        for r0 in range(0, rows, block):
            xb = np.ascontiguousarray(x[r0:r0 + block], dtype=np.float32)
            n = xb.shape[0]
            out = fused_log1p(xb, xb.argmax(axis=1), np.ones(n, np.float32))
            h[r0:r0 + n] = out["entropy"]
    t, c = time.perf_counter() - t0, on_cpu() - c0
    r = {"seconds": t, "cpu_seconds": c, "rows": rows, "vocab": vocab, "bytes": os.path.getsize(path),
         "entropy_row0": float(h[0])}
    if as_json:
        print(json.dumps(r))
    else:
        print(f"numpy fused-log1p on {path} [{rows} x {vocab}], blocks of {block}: {t:.2f} s wall "
              f"({r['bytes'] / t / 2**30:.2f} GiB/s), on-CPU {c:.2f} s; H[0] = {h[0]:.6g}")


def main():
    args = sys.argv[1:]

    def opt(flag, default):
        return args[args.index(flag) + 1] if flag in args else default

    if "--npy" in args:
        return big_npy(opt("--npy", None), int(opt("--block", "64")), "--json" in args)
    here = os.path.dirname(os.path.abspath(__file__))
    data = opt("--data", os.path.join(here, "..", "target", "rows-bench"))
    reps = int(opt("--reps", "9"))
    shape = json.load(open(os.path.join(data, "shape.json")))
    rows, vocab = shape["rows"], shape["vocab"]
    x = np.fromfile(os.path.join(data, "logits.f32"), dtype="<f4").reshape(rows, vocab)
    tokens = np.fromfile(os.path.join(data, "tokens.u32"), dtype="<u4").astype(np.intp)
    adv = np.fromfile(os.path.join(data, "advantages.f32"), dtype="<f4")

    impls = {"numpy-fused": fused, "numpy-fused2d": fused2d, "numpy-logsoftmax": logsoftmax,
             "numpy-fused-log1p": fused_log1p}
    accuracy = {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        xe, te, ae = extra_rows(vocab)
        checks = [(x, tokens, adv, reference_entropy(x)), (xe, te, ae, reference_entropy(xe))]
        for name, f in impls.items():
            err = 0.0
            for xc, tc, ac, ref in checks:
                out = f(xc, tc, ac)
                err = max(err, float(np.max(np.abs(out["entropy"] - ref) / ref)))
            accuracy[name] = err if np.isfinite(err) else float("inf")
        wall = {k: [] for k in impls}
        cpu = {k: [] for k in impls}
        for _ in range(reps):
            for name, f in impls.items():
                c0, t0 = on_cpu(), time.perf_counter()
                f(x, tokens, adv)
                wall[name].append(time.perf_counter() - t0)
                cpu[name].append(on_cpu() - c0)
    n = rows * vocab
    result = {}
    for name in impls:
        t, c = float(np.median(wall[name])), float(np.median(cpu[name]))
        result[name] = {"seconds": t, "logits_per_s": n / t, "cpu_seconds": c,
                        "cpu_logits_per_s": n / c, "max_rel_entropy_err": accuracy[name],
                        "accurate": accuracy[name] <= ACCURACY}
    if "--json" in args:
        print(json.dumps(result))
    else:
        for name, r in result.items():
            verdict = "accurate" if r["accurate"] else "TOO INACCURATE (not a baseline)"
            print(f"{name:18s} [{rows} x {vocab}]: median {r['seconds'] * 1e3:.2f} ms of {reps} -> "
                  f"{r['logits_per_s']:.3e} logits/s (on-CPU {r['cpu_logits_per_s']:.3e}); "
                  f"entropy max rel. error vs f64 {r['max_rel_entropy_err']:.2e}: {verdict}")


if __name__ == "__main__":
    main()
