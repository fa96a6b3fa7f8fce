"""Write an entropy-polarity trace (docs/trace-format.md) from a trainer's logits.

`trace_columns` is the PyTorch writer a trainer calls where it already holds the
logits of the sampled completions; `trace_columns_np` is its NumPy twin, line for
line the same computation, which the tests run against the Rust core
(tests/run_writer.rs via python/make_twin_fixture.py), so the documented code is
tested code. Both work over positions in chunks, so memory stays at one chunk x
vocabulary (as TRL's chunked entropy does), and compute in float64.

    cols = trace_columns(logits[0, :-1], ids[0, 1:], adv, temperature=0.7)
    f.write(trace_line(step, sample, cols, mask=completion_mask) + "\\n")

The math (docs/math.md): with y = (z - max z) / T, ln p_j = y_j - ln sum e^y,
H = ln Z - sum p_j y_j, H + ln p_j = y_j - ybar, and
S-bar = sum p_j (p_j - sum p^2)(y_j - ybar), doubly centred so that it cannot go
below 0 by rounding. A logit of -inf is a masked token (p = 0).
"""

import json
import math


def trace_columns(logits, token_ids, advantages, temperature=1.0, chunk=1024):
    """logits [N, V], token_ids [N] (sampled ids), advantages [N] or a number."""
    import torch

    lp, ent, sbar = [], [], []
    with torch.no_grad():
        for s in range(0, logits.shape[0], chunk):
            y = logits[s:s + chunk].double() / temperature
            y = y - y.max(-1, keepdim=True).values
            logz = torch.logsumexp(y, -1, keepdim=True)
            p = torch.exp(y - logz)
            ids = torch.as_tensor(token_ids[s:s + chunk], device=y.device).long()[:, None]
            lp.append((y.gather(-1, ids) - logz)[:, 0])
            y = torch.where(p > 0, y, torch.zeros_like(y))  # masked: p = 0, no -inf * 0
            ybar = (p * y).sum(-1, keepdim=True)
            p2 = (p * p).sum(-1, keepdim=True)
            ent.append((logz - ybar)[:, 0])
            sbar.append((p * (p - p2) * (y - ybar)).sum(-1).clamp(min=0))
    n = logits.shape[0]
    adv = advantages if isinstance(advantages, (int, float)) else torch.as_tensor(advantages).tolist()
    return {"token_id": [int(t) for t in token_ids], "logprob": torch.cat(lp).tolist(),
            "entropy": torch.cat(ent).tolist(), "mean_discriminator": torch.cat(sbar).tolist(),
            "advantage": adv if isinstance(adv, list) else [float(adv)] * n}


def trace_columns_np(logits, token_ids, advantages, temperature=1.0, chunk=1024):
    """The NumPy twin of `trace_columns` (same arguments, same columns)."""
    import numpy as np

    lp, ent, sbar = [], [], []
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        for s in range(0, logits.shape[0], chunk):
            y = np.asarray(logits[s:s + chunk], dtype=np.float64) / temperature
            y = y - y.max(-1, keepdims=True)
            logz = np.log(np.exp(y).sum(-1, keepdims=True))
            p = np.exp(y - logz)
            ids = np.asarray(token_ids[s:s + chunk], dtype=np.int64)[:, None]
            lp.append((np.take_along_axis(y, ids, -1) - logz)[:, 0])
            y = np.where(p > 0, y, 0.0)  # masked: p = 0, no -inf * 0
            ybar = (p * y).sum(-1, keepdims=True)
            p2 = (p * p).sum(-1, keepdims=True)
            ent.append((logz - ybar)[:, 0])
            sbar.append(np.maximum((p * (p - p2) * (y - ybar)).sum(-1), 0))
    n = logits.shape[0]
    adv = advantages if isinstance(advantages, (int, float)) else np.asarray(advantages, dtype=np.float64).tolist()
    return {"token_id": [int(t) for t in token_ids], "logprob": np.concatenate(lp).tolist(),
            "entropy": np.concatenate(ent).tolist(), "mean_discriminator": np.concatenate(sbar).tolist(),
            "advantage": adv if isinstance(adv, list) else [float(adv)] * n}


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
