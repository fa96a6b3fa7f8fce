#!/usr/bin/env python3
"""Reference values for the entropy-polarity core, in 60-digit decimal arithmetic.

Writes tests/reference/cases.json (read by tests/native/accuracy.rs). Only the
standard library is used: every reference number is computed with
`decimal` at 60 significant digits and written with 25 significant digits.

    python3 tests/reference/gen.py           # (re)write cases.json
    python3 tests/reference/gen.py --check   # regenerate in memory, compare
                                             # with the committed file, exit 1
                                             # on any difference

The inputs handed to Rust are f64 logits. They are stored as repr() strings
(shortest round-trip form, "-inf" for a masked token) and every reference
value is computed from exactly those f64 values (Decimal(float) is exact).

The math (docs/math.md), at temperature T, with y = (z - max z) / T:
  p_j = e^{y_j} / Z,  H = ln Z - sum_j p_j y_j,  S_j = p_j (H + ln p_j),
  Sbar = sum_j p_j S_j,  flip_nudge = e^-H,
  flip_pg = the root q > e^-H of q (H + ln q) = Sbar (solved directly by
  Newton, *not* through the Lambert W form, so that the check is independent).
Updates act on the raw logits: nudge z_k += eps, pg z += eta A (e_k - p), so
in y the increment is step / T. First order: -(step/T) S_k and
(step/T)(Sbar - S_k). Exact: H(after) - H(before), both entropies at 60
digits (a change of 1e-13 on H = 10.8 still keeps ~45 digits).

The exact curve of token k: p_k -> q, the others scaled by (1-q)/(1-p_k).
Its zeros are found by a scan in logit(q) over [1e-12, 1 - 1e-12] (the range
of the Rust search) followed by bisection, both for a finite step (really
applying the update) and in the limit step -> 0, where the zeros are those of
Sbar(q) - S_k(q) (pg) and of H(q) + ln q (nudge).
"""

import decimal
import json
import math
import os
import sys
from decimal import Decimal as D

PREC = 60
CTX = decimal.Context(
    prec=PREC,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
decimal.setcontext(CTX)

ZERO = D(0)
ONE = D(1)
TWO = D(2)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")

# q range of the exact-curve zero search (src/math/curve.rs: Q_MIN, Q_MAX).
Q_MIN = 1e-12
Q_MAX = 1.0 - 1e-12


# --------------------------------------------------------------------------
# formatting


def fmt(d):
    """25 significant digits; '0' for zero."""
    d = +d  # round to context
    if d.is_zero():
        return "0"
    return format(d, ".24e")


def frepr(x):
    """The exact f64 as its shortest round-trip string."""
    if x == -math.inf:
        return "-inf"
    return repr(float(x))


def dec(x):
    """f64 -> exact Decimal (None for a masked token)."""
    if x == -math.inf:
        return None
    return D(x)


# --------------------------------------------------------------------------
# elementary functions

_EXP_MEMO = {}


def dexp(x):
    r = _EXP_MEMO.get(x)
    if r is None:
        r = x.exp()
        if len(_EXP_MEMO) < 200000:
            _EXP_MEMO[x] = r
    return r


def lambert_w0(x):
    """W0(x) by Newton, from a start on the side where Newton is monotone."""
    x = D(x)
    if x.is_zero():
        return ZERO
    e = ONE.exp()
    assert x > -ONE / e
    eps = D(10) ** (-(PREC - 3))
    if x > e:
        # f(w) = w + ln w - ln x: increasing and concave, so Newton from the
        # left (w = 1 < W(x) since x > e) increases monotonically to the root.
        lx = x.ln()
        w = ONE
        for _ in range(500):
            step = (w + w.ln() - lx) / (ONE + ONE / w)
            w -= step
            if abs(step) <= eps * abs(w):
                break
        else:
            raise RuntimeError("W0 Newton did not converge")
    else:
        # f(w) = w e^w - x: increasing and convex on (-1, inf), so Newton
        # from the right (w0 >= W(x)) decreases monotonically to the root.
        if x > 0:
            w = x if x < D("1e-3") else (ONE + x).ln()
        else:
            w = ZERO
        for _ in range(2000):
            ew = w.exp()
            step = (w * ew - x) / (ew * (w + ONE))
            w -= step
            if abs(step) <= eps * abs(w):
                break
        else:
            raise RuntimeError("W0 Newton did not converge")
    return +w


def solve_flip_pg(H, Sbar):
    """The root q >= e^-H of g(q) = q (H + ln q) - Sbar.

    g is increasing and convex on [e^-H, inf) (g' = H + ln q + 1 >= 1,
    g'' = 1/q), g(e^-H) = -Sbar <= 0, so Newton from a point with g > 0
    decreases monotonically to the root."""
    lo = (-H).exp()
    if Sbar.is_zero():
        return lo

    def g(q):
        return q * (H + q.ln()) - Sbar

    inc = TWO * Sbar
    hi = lo + inc
    while g(hi) <= 0:
        inc *= 2
        hi = lo + inc
    q = hi
    eps = D(10) ** (-(PREC - 3))
    for _ in range(500):
        step = g(q) / (H + q.ln() + ONE)
        q -= step
        if abs(step) <= eps * q:
            break
    else:
        raise RuntimeError("flip_pg Newton did not converge")
    return +q


# --------------------------------------------------------------------------
# distributions


def entropy_of(ys):
    """H of softmax(ys) for Decimal scaled logits (None = masked)."""
    live = [y for y in ys if y is not None]
    m = max(live)
    es = [dexp(y - m) for y in live]
    Z = sum(es)
    M = sum(e * (y - m) for e, y in zip(es, live))
    return Z.ln() - M / Z


class Dist:
    def __init__(self, logits, T):
        """logits: list of f64 (or -inf); T: f64."""
        self.T = D(T)
        z = [dec(v) for v in logits]
        self.V = len(z)
        self.live = [j for j in range(self.V) if z[j] is not None]
        m = max(z[j] for j in self.live)
        self.y = [None if v is None else (v - m) / self.T for v in z]
        e = [ZERO] * self.V
        for j in self.live:
            e[j] = dexp(self.y[j])
        self.e = e
        self.Z = sum(e[j] for j in self.live)
        self.M = sum(e[j] * self.y[j] for j in self.live)  # sum e^y y
        self.lse = self.Z.ln()
        self.p = [e[j] / self.Z for j in range(self.V)]
        self.logp = [None if self.y[j] is None else self.y[j] - self.lse for j in range(self.V)]
        self.H = self.lse - self.M / self.Z
        self.ybar = self.M / self.Z
        self.S = [ZERO] * self.V
        for j in self.live:
            self.S[j] = self.p[j] * (self.H + self.logp[j])
        self.Sbar = sum(self.p[j] * self.S[j] for j in self.live)
        self.flip_nudge = (-self.H).exp()
        self.flip_pg = solve_flip_pg(self.H, self.Sbar)
        # Internal consistency (not the reference itself): the closed forms
        # of docs/math.md must agree with the direct definitions.
        tol = D(10) ** (-(PREC - 12))
        assert abs(sum(self.S[j] for j in self.live)) <= tol * (ONE + sum(abs(s) for s in self.S))
        Hdirect = -sum(self.p[j] * self.logp[j] for j in self.live)
        assert abs(Hdirect - self.H) <= tol * (ONE + self.H)
        if self.Sbar > 0:
            w = lambert_w0(self.Sbar * self.H.exp())
            lam = self.Sbar / w
            assert abs(lam - self.flip_pg) <= tol * self.flip_pg, (lam, self.flip_pg)
        assert self.flip_pg >= self.flip_nudge

    # first order -----------------------------------------------------------
    def first_order(self, k, kind, step):
        s = D(step) / self.T
        if kind == "nudge":
            return -s * self.S[k]
        return s * (self.Sbar - self.S[k])

    # exact -----------------------------------------------------------------
    def exact(self, k, kind, step):
        s = D(step) / self.T
        if self.y[k] is None and kind == "nudge":
            # Masked token: the nudge moves -inf to -inf. (The pg step on a
            # masked token still moves the live logits by -s p_j.)
            return ZERO
        H0 = self.lse - self.M / self.Z
        if kind == "nudge":
            # Only y_k changes: update the two sums in O(1).
            ek = self.e[k]
            es = dexp(s)
            Z1 = self.Z + ek * (es - ONE)
            M1 = self.M - ek * self.y[k] + ek * es * (self.y[k] + s)
            H1 = Z1.ln() - M1 / Z1
        else:
            # y'_j = y_j + delta_j, e^{y'_j} = e^{y_j} e^{delta_j}; the sums
            # need no shift (the Decimal exponent range is huge).
            Z1 = ZERO
            M1 = ZERO
            for j in self.live:
                dj = s * ((ONE if j == k else ZERO) - self.p[j])
                ej = self.e[j] * dexp(dj)
                Z1 += ej
                M1 += ej * (self.y[j] + dj)
            H1 = Z1.ln() - M1 / Z1
        return H1 - H0

    def exact_full(self, k, kind, step):
        """Both updates by full recomputation of H(after) (checks the O(1) nudge
        form and the pg loop of exact())."""
        s = D(step) / self.T
        ys = list(self.y)
        if ys[k] is None and kind == "nudge":
            return ZERO
        if kind == "nudge":
            ys[k] = ys[k] + s
        else:
            ys = [None if y is None else y + s * ((ONE if j == k else ZERO) - self.p[j]) for j, y in enumerate(ys)]
        return entropy_of(ys) - (self.lse - self.M / self.Z)

    # the rescaled family -----------------------------------------------------
    def family(self, k):
        return Family(self, k)


class Family:
    """p_k = q, p_j = p_j (1 - q) / (1 - p_k) for j != k."""

    def __init__(self, d, k):
        self.d = d
        self.k = k
        others = [j for j in d.live if j != k]
        self.others = others
        self.R = sum(d.p[j] for j in others)  # 1 - p_k without cancellation
        assert self.R > 0
        self.lnR = self.R.ln()
        self.A = sum(d.p[j] * d.logp[j] for j in others)
        self.B = sum(d.p[j] * d.p[j] for j in others)
        self.C = sum(d.p[j] * d.p[j] * d.logp[j] for j in others)

    def parts(self, q):
        """q is a Decimal, or a tuple (q, ln q, ln(1 - q)) from the zero scan."""
        if isinstance(q, tuple):
            q, lq, l1q = q
        else:
            lq, l1q = q.ln(), (ONE - q).ln()
        r = (ONE - q) / self.R
        lr = l1q - self.lnR
        H = -q * lq - (ONE - q) * lr - r * self.A
        return q, r, lr, lq, H

    def limit(self, kind, q):
        """The step -> 0 curve divided by the step: sign of the exact curve."""
        q, r, lr, lq, H = self.parts(q)
        if kind == "nudge":
            return -(H + lq)  # -S_k(q)/q
        Sk = q * (H + lq)
        Sbar = q * Sk + r * r * (self.B * (H + lr) + self.C)
        return Sbar - Sk

    def exact(self, kind, step, q):
        d = self.d
        s = D(step) / d.T
        q, r, lr, lq, H = self.parts(q)
        if kind == "nudge":
            # sum p' ln p' = -H(q); only the k-th term changes.
            es = dexp(s)
            Z1 = ONE + q * (es - ONE)
            M1 = -H - q * lq + q * es * (lq + s)
            H1 = Z1.ln() - M1 / Z1
            return H1 - H
        Z1 = ZERO
        M1 = ZERO
        for j in self.others:
            pj = r * d.p[j]
            yj = lr + d.logp[j] - s * pj
            ej = pj * dexp(-s * pj)
            Z1 += ej
            M1 += ej * yj
        yk = lq + s * (ONE - q)
        ek = q * dexp(s * (ONE - q))
        Z1 += ek
        M1 += ek * yk
        H1 = Z1.ln() - M1 / Z1
        return H1 - H


def expit(u):
    return ONE / (ONE + (-u).exp())


def at_u(u):
    """(q, ln q, ln(1 - q)) for q = expit(u), with one exp and one ln."""
    t = ONE + (-u).exp()
    lq = -t.ln()
    return (ONE / t, lq, lq - u)


def logit(q):
    return q.ln() - (ONE - q).ln()


def zeros(f, scan):
    """Zeros of f(q) on [Q_MIN, Q_MAX]: scan `scan` intervals in logit(q),
    then bisect each sign change in u = logit(q) to 1e-32. f receives
    at_u(u) = (q, ln q, ln(1 - q))."""
    u0 = logit(D(Q_MIN))
    u1 = logit(D(Q_MAX))
    found = []
    prev_u = u0
    prev_f = f(at_u(u0))
    tol = D("1e-32")
    for i in range(1, scan + 1):
        u = u0 + (u1 - u0) * i / scan
        fu = f(at_u(u))
        if prev_f.is_zero():
            found.append(expit(prev_u))
        elif not fu.is_zero() and (prev_f < 0) != (fu < 0):
            a, b, fa = prev_u, u, prev_f
            while b - a > tol:
                mid = (a + b) / 2
                fm = f(at_u(mid))
                if fm.is_zero():
                    a = b = mid
                    break
                if (fm < 0) == (fa < 0):
                    a, fa = mid, fm
                else:
                    b = mid
            found.append(expit((a + b) / 2))
        prev_u, prev_f = u, fu
    return found


# --------------------------------------------------------------------------
# inputs


class Lcg:
    """64-bit LCG (Knuth's MMIX constants); the high bits are used."""

    def __init__(self, seed):
        self.x = seed & (2**64 - 1)

    def next(self):
        self.x = (6364136223846793005 * self.x + 1442695040888963407) % 2**64
        return self.x >> 33

    def fixed(self, lo_millionths, hi_millionths):
        """A logit n / 1e6 with integer n uniform in [lo, hi]: short repr()."""
        n = lo_millionths + self.next() % (hi_millionths - lo_millionths + 1)
        return n / 1e6  # correctly rounded f64


def f64(d):
    return float(+d)


def random_50k():
    g = Lcg(20260511)
    return [g.fixed(-500000, 500000) for _ in range(50000)]


def random_wide_1000():
    g = Lcg(7)
    # sum of three uniforms in [-4, 4]: a bell shape over [-12, 12]
    return [
        (g.next() % 8000001 + g.next() % 8000001 + g.next() % 8000001 - 12000000) / 1e6 for _ in range(1000)
    ]


def zipf_logits(n, a):
    return [f64(-D(a) * D(j).ln()) for j in range(1, n + 1)]


def near_one_hot(n, tail):
    """Top logit 0, the other n - 1 share the mass `tail` (p_max ~ 1 - tail)."""
    base = (D(tail) / (ONE - D(tail)) / (n - 1)).ln()
    if n == 2:
        return [0.0, f64(base)]
    return [0.0] + [f64(base + D(j % 7) / 1000 - D(3) / 1000) for j in range(1, n)]


NEG = -math.inf
# |exact change| below this is rounding noise of the 60-digit entropies (the
# smallest real change in the cases is ~1e-33).
NOISE = D("1e-50")

STEPS_SMALL = ["1e-4", "0.3", "2.0", "-1.5", "40.0"]


def nearest(d, values, target, exclude=()):
    best = None
    for j in d.live:
        if j in exclude:
            continue
        dist = abs(values[j] - target)
        if best is None or dist < best[0]:
            best = (dist, j)
    return best[1]


def case_specs():
    """(name, logits-or-ref, T, options). Options pick tokens, updates,
    curve points and zero searches."""
    specs = []

    # The issue: 50,000 tokens, H ~ 10.8, step 1e-4, changes of ~1e-13.
    specs.append(dict(name="uniform_50k", fill=(0.0, 50000), T=1.0,
                      tokens=[0, 12345, 49999],
                      curve_tokens=[12345],
                      updates=[(0, "nudge", "1e-4"), (0, "pg", "1e-4"), (12345, "nudge", "0.01"),
                               (12345, "nudge", "-3.0"), (49999, "pg", "1.0")]))
    specs.append(dict(name="random_50k", logits=random_50k(), T=1.0, big=True,
                      steps_pg=["1e-4", "0.01", "1.0"], steps_nudge=["1e-4", "0.01", "1.0", "-2.0"],
                      curve_tokens="top", curve_kinds=(("nudge", 0.5),)))
    specs.append(dict(name="random_50k_t0.3", logits_from="random_50k", T=0.3, big=True,
                      steps_pg=["0.5"], steps_nudge=["1e-4", "0.5", "-2.0"], curve_tokens=[]))
    specs.append(dict(name="random_50k_t2.5", logits_from="random_50k", T=2.5, big=True,
                      steps_pg=["1e-4"], steps_nudge=["1e-4", "3.0"], curve_tokens=[]))
    specs.append(dict(name="random_wide_1000", logits=random_wide_1000(), T=1.0, big=True,
                      steps_pg=["1e-4", "0.2", "5.0"], steps_nudge=["1e-4", "0.2", "5.0", "-7.0"],
                      curve_tokens="top", zero_steps={"pg": [None], "nudge": [None, "0.1"]}))
    # Near one-hot: 1 - p_max = 1e-12 and 1e-15.
    specs.append(dict(name="one_hot_1e-12_two", logits=near_one_hot(2, "1e-12"), T=1.0))
    specs.append(dict(name="one_hot_1e-15_two", logits=near_one_hot(2, "1e-15"), T=1.0))
    specs.append(dict(name="one_hot_1e-12_many", logits=near_one_hot(1000, "1e-12"), T=1.0, big=True,
                      steps_pg=["1e-4", "0.3", "2.0"], steps_nudge=["1e-4", "0.3", "-1.5", "40.0"]))
    specs.append(dict(name="one_hot_1e-6_two", logits=near_one_hot(2, "1e-6"), T=1.0))
    # A large update that hands the mass from one dominant token to another:
    # H is ~1e-11 before and after, while the logits move by 60.
    specs.append(dict(name="swap_dominant", logits=[0.0, -30.0, -30.0], T=1.0,
                      updates=[(1, "nudge", "60.0"), (1, "nudge", "30.0"), (1, "pg", "60.0"),
                               (1, "nudge", "1e-4"), (0, "pg", "1e-4")]))
    specs.append(dict(name="big_logits", logits=[1e4, 9999.5, 0.0, -1e4], T=1.0))
    specs.append(dict(name="big_logits_t2.5", logits=[1e4, 9999.5, 0.0, -1e4], T=2.5))
    specs.append(dict(name="single", logits=[3.7], T=1.0, curve=False))
    specs.append(dict(name="ties", logits=[1.0, 1.0, 1.0, 0.0, 0.0, -2.0], T=1.0,
                      zero_tokens=[0, 5], zero_steps={"pg": [None, "1e-6", "0.5"], "nudge": [None, "0.5"]}))
    specs.append(dict(name="masked", logits=[2.0, NEG, 0.5, NEG, -1.0, 0.25], T=1.0,
                      zero_tokens=[0, 2], zero_steps={"pg": [None, "0.5"], "nudge": [None, "0.5"]}))
    base = [2.0, 1.0, 0.5, -0.3, -1.0, -4.0, 3.1]
    for T in (0.3, 1.0, 2.5):
        specs.append(dict(name="temps_t%s" % T, logits=base, T=T,
                          zero_tokens=[6, 1], zero_steps={"pg": [None, "1e-6", "1.0"], "nudge": [None, "1.0"]}))
    # docs/math.md ("The exact curve"): "0.113 against 0.252 for the top token of a Zipf(1.5) distribution over 100 tokens".
    specs.append(dict(name="zipf_1.5_100", logits=zipf_logits(100, "1.5"), T=1.0, big=True,
                      steps_pg=["1e-4", "0.1", "1.0"], steps_nudge=["1e-4", "0.1", "1.0"],
                      curve_tokens="top", zero_tokens=[0, 3],
                      zero_steps={"pg": [None, "1e-6", "0.1", "1.0"], "nudge": [None, "1e-6", "1.0"]}))
    return specs


# --------------------------------------------------------------------------
# building the cases

CURVE_QS = [1e-9, 1e-4, 0.02, 0.3, 0.9, 1 - 1e-9]


def build_case(spec, logits_by_name):
    name = spec["name"]
    if "fill" in spec:
        v, n = spec["fill"]
        logits = [v] * n
        logits_json = {"fill": frepr(v), "len": n}
    elif "logits_from" in spec:
        logits = logits_by_name[spec["logits_from"]]
        logits_json = {"from": spec["logits_from"]}
    else:
        logits = spec["logits"]
        logits_json = [frepr(v) for v in logits]
    logits_by_name[name] = logits
    T = spec["T"]
    d = Dist(logits, T)
    out = {
        "name": name,
        "temperature": frepr(T),
        "logits": logits_json,
        "vocab": d.V,
        "entropy": fmt(d.H),
        "mean_disc": fmt(d.Sbar),
        "flip_nudge": fmt(d.flip_nudge),
        "flip_pg": fmt(d.flip_pg),
        "sum_abs_disc": fmt(sum(abs(s) for s in d.S)),
    }

    # Tokens to report.
    big = spec.get("big", False) or d.V > 64
    if "tokens" in spec:
        toks = list(spec["tokens"])
    elif not big:
        toks = list(range(d.V))
    else:
        top = max(d.live, key=lambda j: (d.p[j], -j))
        bottom = min(d.live, key=lambda j: (d.p[j], j))
        c = [None if d.logp[j] is None else d.H + d.logp[j] for j in range(d.V)]
        # Tokens where the first-order change nearly vanishes: c_k ~ 0 (nudge)
        # and S_k ~ Sbar (pg). Their exact change is ~ step^2 p_k: the issue.
        near_nudge = min(d.live, key=lambda j: (abs(c[j]), j))
        near_pg = min((j for j in d.live if j != near_nudge), key=lambda j: (abs(d.S[j] - d.Sbar), j))
        toks = []
        for j in [top, bottom, near_nudge, near_pg, 1, d.V // 2, d.V - 1]:
            if j not in toks:
                toks.append(j)
        spec["_roles"] = dict(top=top, bottom=bottom, near_nudge=near_nudge, near_pg=near_pg)
        out["roles"] = spec["_roles"]
    out["tokens"] = [{"index": j, "prob": fmt(d.p[j]), "disc": fmt(d.S[j])} for j in toks]

    # Updates: first order and exact.
    ups = []
    if "updates" in spec:
        ups = list(spec["updates"])
    elif big:
        roles = spec["_roles"]
        for st in spec["steps_nudge"]:
            ups.append((roles["near_nudge"], "nudge", st))
            ups.append((roles["top"], "nudge", st))
            ups.append((roles["bottom"], "nudge", st))
        for st in spec["steps_pg"]:
            ups.append((roles["near_pg"], "pg", st))
            ups.append((roles["top"], "pg", st))
        ups.append((roles["near_nudge"], "pg", spec["steps_pg"][0]))
    else:
        for k in toks:
            for st in STEPS_SMALL:
                ups.append((k, "nudge", st))
                ups.append((k, "pg", st))
    upd_json = []
    for k, kind, st in ups:
        step = float(st)
        ex = d.exact(k, kind, step)
        if abs(ex) < NOISE:
            ex = ZERO  # H(after) - H(before) below the 60-digit noise: 0
        if kind == "nudge" and d.V <= 1000:
            full = d.exact_full(k, kind, step)
            assert abs(full - ex) <= D("1e-45") * (ONE + abs(ex)), (name, k, st, full, ex)
        upd_json.append({
            "token": k, "kind": kind, "step": frepr(step),
            "first_order": fmt(d.first_order(k, kind, step)),
            "exact": fmt(ex),
        })
    out["updates"] = upd_json

    # The fixed (first-order) curve at a few q.
    if spec.get("curve", True):
        fc = []
        for kind, st in (("nudge", 0.7), ("pg", -1.3)):
            s = D(st) / d.T
            for q in CURVE_QS:
                qd = D(q)
                sq = qd * (d.H + qd.ln())
                val = -s * sq if kind == "nudge" else s * (d.Sbar - sq)
                fc.append({"kind": kind, "step": frepr(st), "q": frepr(q), "value": fmt(val)})
        out["fixed_curve"] = fc

    # The exact curve of a token at a few q, for finite steps.
    ec = []
    zs = []
    if spec.get("curve", True):
        if isinstance(spec.get("curve_tokens"), list):
            ctoks = spec["curve_tokens"]
        elif spec.get("curve_tokens") == "top":
            ctoks = [spec["_roles"]["top"]]
        else:
            ctoks = spec.get("zero_tokens", toks[:2])
        for k in ctoks:
            if k not in d.live or d.p[k] >= 1:
                continue
            fam = d.family(k)
            for kind, st in spec.get("curve_kinds", (("nudge", 0.5), ("pg", 0.5), ("pg", -2.0))):
                for q in (1e-6, 0.01, 0.2, 0.6, 0.95):
                    ec.append({"token": k, "kind": kind, "step": frepr(st), "q": frepr(q),
                               "value": fmt(fam.exact(kind, st, D(q)))})
        # Zeros of the exact curve: step None = the limit step -> 0.
        for k in spec.get("zero_tokens", ctoks if "zero_steps" in spec else []):
            fam = d.family(k)
            for kind, steps in spec["zero_steps"].items():
                for st in steps:
                    if st is None:
                        found = zeros(lambda q: fam.limit(kind, q), 1000)
                    else:
                        stf = float(st)
                        found = zeros(lambda q: fam.exact(kind, stf, q), 240 if kind == "pg" else 480)
                    zs.append({"token": k, "kind": kind, "step": "0" if st is None else frepr(float(st)),
                               "zeros": [fmt(z) for z in found]})
    if ec:
        out["exact_curve"] = ec
    if zs:
        out["zeros"] = zs
    return out


LAMBERT_X = [
    1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-7, 9.99e-7, 1e-6, 1.01e-6, 1e-5, 1e-3, 0.1, 0.5,
    1.0, 2.0, math.e, 2.7183, 3.0, 10.0, 100.0, 1e3, 1e5, 1e10, 1e20, 1e50, 1e100, 1e200, 1e300,
    1.7976931348623157e308,
    -1e-300, -1e-10, -1e-6, -1e-3, -0.1, -0.2, -0.3, -0.35, -0.36, -0.367,
]


def self_test():
    """The fast paths against the plain definitions."""
    d = Dist([0.3, -1.2, 2.5, -math.inf, 0.0], 0.7)
    assert d.exact(3, "pg", 0.4) != 0 and d.exact(3, "nudge", 0.4) == 0
    for k in range(5):
        for kind in ("nudge", "pg"):
            for st in (1e-5, 0.4, -3.0):
                a, b = d.exact(k, kind, st), d.exact_full(k, kind, st)
                assert abs(a - b) <= D(10) ** (-(PREC - 10)), (k, kind, st, a, b)
    fam = d.family(2)
    for kind in ("nudge", "pg"):
        for q in ("1e-5", "0.3", "0.999"):
            qd = D(q)
            r = (ONE - qd) / fam.R
            ys = [None if d.logp[j] is None else (qd.ln() if j == 2 else r.ln() + d.logp[j]) for j in range(5)]
            pq = [ZERO if y is None else y.exp() for y in ys]
            sd = D(0.4) / d.T  # the f64 step, as fam.exact uses
            after = [None if y is None else y + (sd if j == 2 else ZERO) if kind == "nudge"
                     else y + sd * ((ONE if j == 2 else ZERO) - pq[j]) for j, y in enumerate(ys)]
            want = entropy_of(after) - entropy_of(ys)
            got = fam.exact(kind, 0.4, qd)
            assert abs(got - want) <= D(10) ** (-(PREC - 10)), (kind, q, got, want)


def build():
    self_test()
    logits_by_name = {}
    cases = [build_case(s, logits_by_name) for s in case_specs()]
    lam = [{"x": frepr(x), "w": fmt(lambert_w0(D(x)))} for x in LAMBERT_X]
    return {
        "about": "Reference values for tests/native/accuracy.rs, written by tests/reference/gen.py "
                 "(Python decimal, %d significant digits). Do not edit by hand." % PREC,
        "precision": PREC,
        "lambert_w0": lam,
        "cases": cases,
    }


# --------------------------------------------------------------------------
# a small JSON writer: one key per line, long lists of scalars wrapped


def dump(obj, indent=0):
    pad = " " * indent
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            items.append(pad + " " + json.dumps(k) + ": " + dump(v, indent + 1).lstrip())
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            parts = [json.dumps(v) for v in obj]
            lines, cur = [], ""
            for p in parts:
                if cur and len(cur) + len(p) + 2 > 110:
                    lines.append(cur)
                    cur = ""
                cur += (", " if cur else "") + p
            if cur:
                lines.append(cur)
            if len(lines) <= 1:
                return pad + "[" + (lines[0] if lines else "") + "]"
            return pad + "[\n" + ",\n".join(pad + "  " + ln for ln in lines) + "\n" + pad + "]"
        return pad + "[\n" + ",\n".join(dump(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return pad + json.dumps(obj)


def render():
    text = dump(build()) + "\n"
    json.loads(text)  # well-formed
    return text


def main(argv):
    check = "--check" in argv[1:]
    unknown = [a for a in argv[1:] if a != "--check"]
    if unknown:
        print("usage: gen.py [--check]", file=sys.stderr)
        return 2
    text = render()
    if check:
        try:
            with open(OUT, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            print("gen.py --check: %s is missing; run python3 tests/reference/gen.py" % OUT, file=sys.stderr)
            return 1
        if old != text:
            a, b = old.splitlines(), text.splitlines()
            for i in range(max(len(a), len(b))):
                la = a[i] if i < len(a) else "<end of file>"
                lb = b[i] if i < len(b) else "<end of file>"
                if la != lb:
                    print("gen.py --check: cases.json is stale (first difference at line %d)\n"
                          "  committed:   %s\n  regenerated: %s\n"
                          "Run python3 tests/reference/gen.py to refresh it." % (i + 1, la, lb),
                          file=sys.stderr)
                    break
            return 1
        print("gen.py --check: cases.json is up to date")
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d bytes)" % (OUT, len(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
