// A stand-in distribution for one token of a trace: the trace knows only the
// sampled token's probability p and its position's entropy H, and the
// explorer needs whole logits. This builds logits with token 0 at exactly p
// and the rest shaped so that the entropy is H, since the nudge curve of
// docs/math.md depends only on (p, H). S̄ (and so the PG curve and p†) are the
// stand-in's, not the model's.
// (Math that belongs in the core: move it there when the core offers it.)

const MAX_REST = 1 << 17; // tokens for the rest: entropies up to ln 131072 ≈ 11.8 nats

/** Entropy of q_j ∝ e^{−βj}, j < m (nats), in one pass. */
function geometricEntropy(beta, m) {
  // q_j = e^{−βj}/Z; H = ln Z + β E[j]
  let z = 0, ej = 0;
  for (let j = 0; j < m; j++) {
    const w = Math.exp(-beta * j);
    if (w === 0) break;
    z += w;
    ej += j * w;
  }
  return Math.log(z) + beta * (ej / z);
}

/** Binary entropy h(p) = −p ln p − (1−p) ln(1−p). */
function binary(p) {
  const a = p > 0 ? -p * Math.log(p) : 0;
  const b = p < 1 ? -(1 - p) * Math.log1p(-p) : 0;
  return a + b;
}

/**
 * Logits (Float64Array) of a distribution whose token 0 has probability p
 * and whose entropy is H (as close as the family allows: H below h(p) or
 * above h(p) + (1−p) ln MAX_REST cannot be met). Returns
 * { logits, token: 0, H: the entropy reached, exact: whether it meets H to 1e-9 }.
 */
export function standInLogits(p, H) {
  if (!(p > 0 && p <= 1) || !(H >= 0)) throw new Error(`No distribution has p_k = ${p} and H = ${H}.`);
  if (p === 1) return { logits: Float64Array.of(0), token: 0, H: 0, exact: H === 0 };
  // H = h(p) + (1 − p) H_rest: the entropy left for the other tokens.
  const rest = Math.max(0, (H - binary(p)) / (1 - p));
  const m = Math.min(MAX_REST, Math.max(2, Math.ceil(Math.exp(rest) * 4)));
  let beta;
  if (rest >= Math.log(m)) beta = 0;
  else {
    let lo = 0, hi = 1;
    while (geometricEntropy(hi, m) > rest && hi < 1e6) hi *= 2;
    for (let i = 0; i < 80 && hi - lo > 1e-15 * hi; i++) {
      const mid = (lo + hi) / 2;
      if (geometricEntropy(mid, m) > rest) lo = mid; else hi = mid;
    }
    beta = (lo + hi) / 2;
  }
  // z_j = ln(1−p) − βj − ln Z for the rest, ln p for the token: the
  // probabilities are exactly p and (1 − p) q_j.
  let z = 0;
  for (let j = 0; j < m; j++) z += Math.exp(-beta * j);
  const base = Math.log1p(-p) - Math.log(z);
  const logits = new Float64Array(m + 1);
  logits[0] = Math.log(p);
  for (let j = 0; j < m; j++) logits[j + 1] = base - beta * j;
  const reached = binary(p) + (1 - p) * geometricEntropy(beta, m);
  return { logits, token: 0, H: reached, exact: Math.abs(reached - H) <= 1e-9 * Math.max(1, H) };
}
