// Independent reference arithmetic for the end-to-end tests: plain
// double-precision formulas straight from docs/math.md, written without looking at
// (or calling) the Rust core. Fine for the well-conditioned toy cases tested.

export function softmax(z, T = 1) {
  const m = z.reduce((a, v) => Math.max(a, v), -Infinity); // no spread: rows reach 152k values
  const e = z.map((v) => (v === -Infinity ? 0 : Math.exp((v - m) / T)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function entropy(p) {
  return -p.reduce((a, x) => (x > 0 ? a + x * Math.log(x) : a), 0);
}

export function stats(z, T = 1) {
  const p = softmax(z, T);
  const H = entropy(p);
  const S = p.map((x) => (x > 0 ? x * (H + Math.log(x)) : 0));
  const Sbar = p.reduce((a, x, j) => a + x * S[j], 0);
  // p†: the root of q (H + ln q) = S̄ above e^-H, by bisection (not Lambert W).
  let lo = Math.exp(-H),
    hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid * (H + Math.log(mid)) < Sbar) lo = mid;
    else hi = mid;
  }
  return { p, H, S, Sbar, flipNudge: Math.exp(-H), flipPG: 0.5 * (lo + hi) };
}

/** Logits after the update, applied to the raw logits (docs/math.md). */
export function applyUpdate(z, T, k, kind, step) {
  const p = softmax(z, T);
  return z.map((v, j) => (kind === 'nudge' ? (j === k ? v + step : v) : v + step * ((j === k ? 1 : 0) - p[j])));
}

export function firstOrder(z, T, k, kind, step) {
  const { S, Sbar } = stats(z, T);
  return kind === 'nudge' ? (-step * S[k]) / T : (step * (Sbar - S[k])) / T;
}

/** H(after) − H(before): fine here because the tested steps are not tiny. */
export function exactChange(z, T, k, kind, step) {
  return entropy(softmax(applyUpdate(z, T, k, kind, step), T)) - entropy(softmax(z, T));
}

export function close(a, b, rel = 1e-9, abs = 1e-14) {
  return Math.abs(a - b) <= Math.max(abs, rel * Math.abs(b));
}

/**
 * The zero of the exact curve of token k nearest `near` (docs/math.md, "The curve"): for q,
 * set p_k = q and scale the other probabilities by (1 − q)/(1 − p_k), apply the update to
 * logits T·ln p′, and measure the exact ΔH. A scan of 4000 points in logit(q) over
 * [1e-12, 1 − 1e-12], then bisection in each bracket; null when it never crosses zero.
 */
export function exactFlip(z, T, k, kind, step, near) {
  const p = softmax(z, T);
  const dh = (q) => {
    const moved = p.map((x, j) => (j === k ? q : (x * (1 - q)) / (1 - p[k])));
    return exactChange(
      moved.map((x) => (x > 0 ? T * Math.log(x) : -Infinity)),
      T,
      k,
      kind,
      step,
    );
  };
  const lo = Math.log(1e-12 / (1 - 1e-12));
  const qAt = (u) => 1 / (1 + Math.exp(-u));
  const roots = [];
  const n = 4000;
  let u0 = lo;
  let f0 = dh(qAt(u0));
  for (let i = 1; i <= n; i++) {
    const u1 = lo + (-2 * lo * i) / n;
    const f1 = dh(qAt(u1));
    if (f0 === 0 || Math.sign(f0) !== Math.sign(f1)) {
      let [a, b, fa] = [u0, u1, f0];
      for (let j = 0; j < 80; j++) {
        const m = 0.5 * (a + b);
        const fm = dh(qAt(m));
        if (Math.sign(fm) === Math.sign(fa)) [a, fa] = [m, fm];
        else b = m;
      }
      roots.push(qAt(0.5 * (a + b)));
    }
    [u0, f0] = [u1, f1];
  }
  if (!roots.length) return null;
  return roots.reduce((best, r) => (Math.abs(Math.log(r / near)) < Math.abs(Math.log(best / near)) ? r : best));
}
