#!/usr/bin/env python3
"""Brute-force reference for the exact expectation of a sampled (GRPO-style)
step's first-order entropy change over a group of G draws (docs/math.md,
"A sampled (GRPO-style) step"), in 50-digit mpmath arithmetic.

Every ordered G-tuple of tokens is enumerated (V**G of them), weighted by
prod p_{k_i}; each gets the group-normalised advantages
A_i = (r_{k_i} - mean)/sd (population sd; all 0 when the group's rewards are
equal), the logit increment dz = (eta/G) sum_i A_i (e_{k_i} - p), and the
first-order change dH = -(1/T) sum_j S_j dz_j (dH/dz_j = -S_j/T). No
exchangeability argument, no multisets: that is the core's shortcut, checked
here against the plain definition.

    python3 tests/reference/group_expectation.py          # (re)write the fixture
    python3 tests/reference/group_expectation.py --check  # compare, exit 1 on a difference

Writes tests/fixtures/group_expectation.json, read by tests/native/sampling.rs.
"""

import itertools
import json
import os
import sys

import mpmath as mp

mp.mp.dps = 50

# (logits, T, rewards, eta, groups). The first is the lesson's scene 6
# (Paris rewarded); the population value is -(eta/T) Cov_p(A, S) with
# A = (r - rbar)/sigma under p.
CASES = [
    ([2, 1, 0.5, -1], 1, [1, 0, 0, 0], 1, [1, 2, 3, 4, 6, 8]),
    ([2, 1, 0.5, -1], 1, [0, 0, 0, 1], 0.5, [2, 4, 7]),
    ([0.3, -1.2, 2.0, 0.5], 0.7, [0.5, -1, 2, 0.5], 1, [2, 3, 5]),
    ([4, 1, 0.5, 0, -0.5], 1.3, [1, 1, 0, 0, 1], 0.25, [3, 5]),
]


def stats(z, T):
    z = [mp.mpf(v) for v in z]
    m = max(z)
    e = [mp.exp((v - m) / T) for v in z]
    s = mp.fsum(e)
    p = [v / s for v in e]
    H = -mp.fsum(x * mp.log(x) for x in p)
    S = [x * (H + mp.log(x)) for x in p]
    return p, S


def brute(z, T, r, eta, G):
    T = mp.mpf(T)
    eta = mp.mpf(eta)
    r = [mp.mpf(v) for v in r]
    p, S = stats(z, T)
    V = len(p)
    total = mp.mpf(0)
    for draw in itertools.product(range(V), repeat=G):
        w = mp.fprod(p[k] for k in draw)
        rr = [r[k] for k in draw]
        mean = mp.fsum(rr) / G
        var = mp.fsum((x - mean) ** 2 for x in rr) / G
        if var == 0:
            continue
        A = [(x - mean) / mp.sqrt(var) for x in rr]
        dz = [-(eta / G) * mp.fsum(A) * p[j] for j in range(V)]
        for a, k in zip(A, draw):
            dz[k] += eta / G * a
        total += w * (-mp.fsum(S[j] * dz[j] for j in range(V)) / T)
    return total


def population(z, T, r, eta):
    p, S = stats(z, mp.mpf(T))
    r = [mp.mpf(v) for v in r]
    rbar = mp.fsum(pk * x for pk, x in zip(p, r))
    sd = mp.sqrt(mp.fsum(pk * (x - rbar) ** 2 for pk, x in zip(p, r)))
    A = [(x - rbar) / sd for x in r]
    Abar = mp.fsum(pk * a for pk, a in zip(p, A))
    Sbar = mp.fsum(pk * s for pk, s in zip(p, S))
    cov = mp.fsum(pk * (a - Abar) * (s - Sbar) for pk, a, s in zip(p, A, S))
    return -mp.mpf(eta) / mp.mpf(T) * cov


def build():
    out = []
    for z, T, r, eta, groups in CASES:
        out.append({
            "logits": z, "T": T, "rewards": r, "eta": eta,
            "population": mp.nstr(population(z, T, r, eta), 25),
            "groups": {str(G): mp.nstr(brute(z, T, r, eta, G), 25) for G in groups},
        })
    return out


if __name__ == "__main__":
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "group_expectation.json")
    data = json.dumps(build(), indent=1) + "\n"
    if "--check" in sys.argv:
        same = open(path).read() == data
        print("same" if same else "differs")
        sys.exit(0 if same else 1)
    open(path, "w").write(data)
    print(data)
