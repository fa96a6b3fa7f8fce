"""Write an entropy-polarity trace (docs/trace-format.md) from a trainer's logits.

`trace_columns` is the PyTorch writer a trainer calls where it already holds the
logits of the sampled completions; `trace_columns_np` is its NumPy twin, line for
line the same computation, which the tests run against the Rust core
(tests/native/run_writer.rs via python/make_twin_fixture.py) and against 50-digit mpmath
(tests/python/test_writer.py), so the documented code is tested code. Both compute
in float64 and work over positions in chunks (as TRL's chunked entropy does).

    cols = trace_columns(logits[0, :-1], ids[0, 1:], adv, temperature=0.7)
    f.write(trace_line(step, sample, cols, mask=completion_mask) + "\\n")

The math (docs/math.md, Numerics): with y = (z - max z) / T and m the position of
the max (y_m = 0; the first one on ties), ln Z = ln sum e^y = log1p(sum_{j != m} e^y_j),
so a near one-hot row keeps its tail (down to 1e-300) instead of rounding 1 + tail to 1.
Then ln p_j = y_j - ln Z, H = ln Z - ybar with ybar = sum p_j y_j <= 0 (two terms >= 0,
no cancellation), H + ln p_j = y_j - ybar, and S-bar = sum p_j (p_j - sum p^2)(y_j - ybar),
doubly centred; for the max token p_m - sum p^2 = p_m q - sum_{j != m} p_j^2 with
q = 1 - p_m = tail / (1 + tail), which keeps the digits that 1 - (1 - q) loses.
A logit of -inf is a masked token (p = 0). A row with every logit -inf or a NaN
gives NaN (a null in the trace).

Memory: besides the caller's logits, each chunk holds three float64 arrays of
chunk x V at once (24 * chunk * V bytes: 3.7 GB for chunk 1024 and V = 152064), plus
small per-row vectors. With a large vocabulary pass a smaller chunk (chunk = 2**22 // V
keeps it near 100 MB).
"""

import json
import math


def trace_columns(logits, token_ids, advantages, temperature=1.0, chunk=1024):
    """logits [N, V] (any float dtype, any device), token_ids [N] (sampled ids),
    advantages [N] or a number. Returns a dict of lists: token_id, logprob, entropy,
    mean_discriminator, advantage."""
    import torch

    token_ids = _ids(token_ids)  # one transfer from a device, not one per token
    lp, ent, sbar = [], [], []
    with torch.no_grad():
        for s in range(0, logits.shape[0], chunk):
            y = logits[s:s + chunk].to(torch.float64) / temperature    # array 1: y
            top, m = y.max(-1, keepdim=True)
            y.sub_(top)                                                # y <= 0, y[m] = 0
            p = torch.exp(y).scatter_(-1, m, 0.0)                      # array 2: the tail's e^y
            tail = p.sum(-1, keepdim=True)
            logz = torch.log1p(tail)
            pm = 1.0 / (1.0 + tail)
            p.mul_(pm).scatter_(-1, m, pm)                             # p = e^y / Z
            ids = torch.as_tensor(token_ids[s:s + chunk], device=y.device).long()[:, None]
            lp.append((y.gather(-1, ids) - logz)[:, 0])
            y.nan_to_num_(nan=math.nan, neginf=0.0)                    # masked: p = 0, no -inf * 0
            ybar = (p * y).sum(-1, keepdim=True)                       # array 3 (a temporary)
            ent.append((logz - ybar)[:, 0])
            c = (p * p).scatter_(-1, m, 0.0)                           # array 3: p^2 off the max,
            rest2 = c.sum(-1, keepdim=True)                            # then p - sum p^2
            torch.sub(p, rest2 + pm * pm, out=c).scatter_(-1, m, pm * tail * pm - rest2)
            sbar.append(c.mul_(p).mul_(y.sub_(ybar)).sum(-1).clamp(min=0))
    n = logits.shape[0]
    adv = advantages if isinstance(advantages, (int, float)) else torch.as_tensor(advantages).tolist()
    return {"token_id": token_ids, "logprob": torch.cat(lp).tolist(),
            "entropy": torch.cat(ent).tolist(), "mean_discriminator": torch.cat(sbar).tolist(),
            "advantage": adv if isinstance(adv, list) else [float(adv)] * n}


def trace_columns_np(logits, token_ids, advantages, temperature=1.0, chunk=1024):
    """The NumPy twin of `trace_columns` (same arguments, same columns)."""
    import numpy as np

    token_ids = _ids(token_ids)
    lp, ent, sbar = [], [], []
    with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
        for s in range(0, logits.shape[0], chunk):
            y = np.array(logits[s:s + chunk], dtype=np.float64)                # array 1: y
            y /= temperature
            m = y.argmax(-1)[:, None]
            y -= np.take_along_axis(y, m, -1)                                  # y <= 0, y[m] = 0
            p = np.exp(y)                                                      # array 2: the tail's e^y
            np.put_along_axis(p, m, 0.0, -1)
            tail = p.sum(-1, keepdims=True)
            logz = np.log1p(tail)
            pm = 1.0 / (1.0 + tail)
            p *= pm                                                            # p = e^y / Z
            np.put_along_axis(p, m, pm, -1)
            ids = np.asarray(token_ids[s:s + chunk], dtype=np.int64)[:, None]
            lp.append((np.take_along_axis(y, ids, -1) - logz)[:, 0])
            y[y == -np.inf] = 0.0                                              # masked: p = 0, no -inf * 0
            ybar = (p * y).sum(-1, keepdims=True)                              # array 3 (a temporary)
            ent.append((logz - ybar)[:, 0])
            c = p * p                                                          # array 3: p^2 off the max,
            np.put_along_axis(c, m, 0.0, -1)                                   # then p - sum p^2
            rest2 = c.sum(-1, keepdims=True)
            np.subtract(p, rest2 + pm * pm, out=c)
            np.put_along_axis(c, m, pm * tail * pm - rest2, -1)
            y -= ybar
            c *= p
            c *= y
            sbar.append(np.maximum(c.sum(-1), 0))
    n = logits.shape[0]
    adv = advantages if isinstance(advantages, (int, float)) else np.asarray(advantages, dtype=np.float64).tolist()
    return {"token_id": token_ids, "logprob": np.concatenate(lp).tolist(),
            "entropy": np.concatenate(ent).tolist(), "mean_discriminator": np.concatenate(sbar).tolist(),
            "advantage": adv if isinstance(adv, list) else [float(adv)] * n}


def _ids(token_ids):
    """Token ids as a list of ints, from a list, a NumPy array or a tensor on any device."""
    return [int(t) for t in (token_ids.tolist() if hasattr(token_ids, "tolist") else token_ids)]


def _finite(v):
    return v if isinstance(v, float) and math.isfinite(v) or isinstance(v, (int, bool, str)) else None


def trace_line(step, sample, columns, mask=None, text=None, env_name=None):
    """One JSONL line of the trace format (no newline); non-finite numbers become null."""
    line = {"trace": "entropy-polarity", "version": 1, "step": int(step), "sample": int(sample)}
    for k, v in columns.items():
        line[k] = [_finite(x) for x in v] if isinstance(v, list) else _finite(v)
    if mask is not None:
        line["mask"] = [bool(m) for m in mask]
    if text is not None:
        line["text"] = list(text)
    if env_name is not None:
        line["env_name"] = env_name
    return json.dumps(line, allow_nan=False)
