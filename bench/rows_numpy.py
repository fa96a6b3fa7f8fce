"""NumPy baselines for the [64 x 152,064] float32 row statistics benchmark.

Reads the slice written by `cargo bench --bench rows -- --write-data DIR` and
times, interleaved, float32 formulations of the same per-row statistics
(H, S̄, e^-H, p†, and the sampled token's p_k, S_k, sensitivity, polarity):

- fused: per row, the max, then e = exp(z - max) once and four reductions
  (Σe, Σe·y, Σe², Σe²·y; the products by BLAS sdot), into preallocated
  buffers; the fastest float32 formulation found (see bench/README.md);
- fused2d: the same on blocks of rows with axis-1 reductions;
- logsoftmax: a plain multi-pass log-softmax over the whole slice.

    python3 bench/rows_numpy.py [--data DIR] [--reps N] [--json]

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


def finish(m, z, sey, se2, se2y, x, tokens, adv):
    """Per-row scalars (float64) -> the output columns."""
    ybar = sey / z
    h = np.log(z) - ybar
    sbar = np.maximum((se2y - ybar * se2) / (z * z), 0.0)
    rows = np.arange(x.shape[0])
    yk = x[rows, tokens].astype(np.float64) - m
    with np.errstate(invalid="ignore"):
        pk = np.exp(yk) / z
        sk = np.where(pk > 0, pk * (yk - ybar), 0.0)
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


def fused(x, tokens, adv, _buf={}):
    rows, vocab = x.shape
    if _buf.get("vocab") != vocab:
        _buf.update(vocab=vocab, y=np.empty(vocab, np.float32), e=np.empty(vocab, np.float32),
                    t=np.empty(vocab, np.float32))
    y, e, t = _buf["y"], _buf["e"], _buf["t"]
    acc = np.empty((5, rows))
    for r in range(rows):
        row = x[r]
        m = row.max()
        np.subtract(row, m, out=y)
        np.exp(y, out=e)
        # Masked tokens: e = 0 but y = -inf, and 0·(-inf) = NaN.
        np.maximum(y, np.float32(-104.0), out=y)
        np.multiply(e, y, out=t)
        acc[:, r] = (m, e.sum(), t.sum(), np.dot(e, e), np.dot(e, t))
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
    h = h[:, 0].astype(np.float64)
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


def on_cpu():
    """On-CPU time of this thread (robust when other processes share the cores)."""
    return time.thread_time()


def main():
    args = sys.argv[1:]

    def opt(flag, default):
        return args[args.index(flag) + 1] if flag in args else default

    here = os.path.dirname(os.path.abspath(__file__))
    data = opt("--data", os.path.join(here, "..", "target", "rows-bench"))
    reps = int(opt("--reps", "9"))
    shape = json.load(open(os.path.join(data, "shape.json")))
    rows, vocab = shape["rows"], shape["vocab"]
    x = np.fromfile(os.path.join(data, "logits.f32"), dtype="<f4").reshape(rows, vocab)
    tokens = np.fromfile(os.path.join(data, "tokens.u32"), dtype="<u4").astype(np.intp)
    adv = np.fromfile(os.path.join(data, "advantages.f32"), dtype="<f4")
    ref = np.fromfile(os.path.join(data, "entropy_ref.f64"), dtype="<f8")

    impls = {"numpy-fused": fused, "numpy-fused2d": fused2d, "numpy-logsoftmax": logsoftmax}
    accuracy = {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        for name, f in impls.items():
            out = f(x, tokens, adv)
            f(x, tokens, adv)
            accuracy[name] = float(np.max(np.abs(out["entropy"] - ref) / ref))
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
                        "cpu_logits_per_s": n / c, "max_rel_entropy_err": accuracy[name]}
    if "--json" in args:
        print(json.dumps(result))
    else:
        for name, r in result.items():
            print(f"{name:17s} [{rows} x {vocab}]: median {r['seconds'] * 1e3:.2f} ms of {reps} -> "
                  f"{r['logits_per_s']:.3e} logits/s (on-CPU {r['cpu_logits_per_s']:.3e}); "
                  f"entropy max rel. error vs f64 {r['max_rel_entropy_err']:.2e}")


if __name__ == "__main__":
    main()
