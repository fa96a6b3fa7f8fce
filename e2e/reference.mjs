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
