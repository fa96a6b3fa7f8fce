// @ts-check
// The numbers behind the paper's figures (figures.html), all computed by the
// core through the wasm binding (docs/math.md): H, e^−H, p†, S̄ and the first-
// order and exact ΔH of each update. The random distributions come from a
// seeded generator, so a figure is the same on every load and a test can
// recompute it independently from the logits it exposes.

/** @typedef {typeof import('../../pkg/entropy_polarity.js').Distribution} DistributionClass */

/** A small seeded generator (mulberry32): the same figures on every load. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
function gauss(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Random logits: 4 to 64 tokens, Gaussian logits with a spread from 0.3 to 4
 * (near uniform to peaked), rounded to 6 decimals so that the numbers a test
 * reads back are exactly the ones computed here.
 */
export function randomLogits(rand) {
  const n = 4 + Math.floor(rand() * 61);
  const spread = 0.3 + rand() * 3.7;
  return Array.from({ length: n }, () => Math.round(gauss(rand) * spread * 1e6) / 1e6);
}

/** A token drawn from p (the sampled token of an RL step). */
function sample(p, rand) {
  let u = rand();
  for (let j = 0; j < p.length; j++) {
    u -= p[j];
    if (u < 0) return j;
  }
  return p.length - 1;
}

/** Runs `f` on the distribution of `logits` and frees it. */
function withDist(Distribution, logits, f) {
  const d = Distribution.fromLogits(Float64Array.from(logits), 1);
  try {
    return f(d);
  } finally {
    d.free();
  }
}

/**
 * Figure 1: first-order ΔH of a policy-gradient step (per unit η·A) against
 * the token's probability q, for distributions of several entropies. Each is
 * the same 20-token Zipf-like shape at another sharpness; the curve holds H
 * and S̄ fixed (docs/math.md, "The curve"); the dots are the real tokens.
 */
export function curvesFigure(Distribution, { samples = 160 } = {}) {
  const base = Array.from({ length: 20 }, (_, j) => -1.5 * Math.log(j + 1));
  return [0.25, 0.5, 1, 2, 5].map((sharp) => {
    const logits = base.map((z) => Math.round((z / sharp) * 1e6) / 1e6);
    return withDist(Distribution, logits, (d) => {
      const H = d.entropy;
      const Sbar = d.meanDiscriminator;
      const p = Array.from(d.probs());
      const qs = Array.from({ length: samples }, (_, i) => 10 ** (-4 + (4 * (i + 0.5)) / samples));
      return {
        logits,
        entropy: H,
        meanDiscriminator: Sbar,
        flipNudge: d.flipNudge,
        flipPolicyGradient: d.flipPolicyGradient,
        curve: qs.map((q) => [q, Sbar - q * (H + Math.log(q))]),
        tokens: p.map((q, j) => [q, d.firstOrder(j, 'pg', 1)]),
      };
    });
  });
}

/** Figure 2: p† against e^−H over many random distributions (the asymmetry: p† ≥ e^−H). */
export function flipFigure(Distribution, { count = 300, seed = 2 } = {}) {
  const rand = rng(seed);
  return Array.from({ length: count }, () => {
    const logits = randomLogits(rand);
    return withDist(Distribution, logits, (d) => ({
      logits,
      entropy: d.entropy,
      flipNudge: d.flipNudge,
      flipPolicyGradient: d.flipPolicyGradient,
    }));
  });
}

/**
 * Figure 3: first-order against exact ΔH for random distributions, a sampled
 * token and a random step η·A in [−maxStep, maxStep].
 */
export function scatterFigure(Distribution, { count = 300, seed = 3, maxStep = 1 } = {}) {
  const rand = rng(seed);
  return Array.from({ length: count }, () => {
    const logits = randomLogits(rand);
    const step = Math.round((2 * rand() - 1) * maxStep * 1e6) / 1e6;
    return withDist(Distribution, logits, (d) => {
      const token = sample(d.probs(), rand);
      return { logits, token, step, firstOrder: d.firstOrder(token, 'pg', step), exact: d.exact(token, 'pg', step) };
    });
  });
}

/**
 * Figure 4: the quadrants. For random distributions, a token sampled from p
 * and an advantage of ±1 (a fair coin), a policy-gradient step of η = 0.1:
 * is the token above or below its p†, and does H expand or contract (exact)?
 */
export function quadrantsFigure(Distribution, { count = 400, seed = 4, step = 0.1 } = {}) {
  const rand = rng(seed);
  const samples = Array.from({ length: count }, () => {
    const logits = randomLogits(rand);
    return withDist(Distribution, logits, (d) => {
      const p = d.probs();
      const token = sample(p, rand);
      const adv = rand() < 0.5 ? 1 : -1;
      return {
        logits,
        token,
        adv,
        prob: p[token],
        flipPolicyGradient: d.flipPolicyGradient,
        firstOrder: d.firstOrder(token, 'pg', step * adv),
        exact: d.exact(token, 'pg', step * adv),
      };
    });
  });
  /** @type {Record<string, {count: number, expand: number, meanExact: number}>} */
  const quadrants = {};
  for (const a of ['pos', 'neg'])
    for (const side of ['above', 'below']) {
      const inside = samples.filter((s) => s.adv > 0 === (a === 'pos') && s.prob > s.flipPolicyGradient === (side === 'above'));
      quadrants[`${a}-${side}`] = {
        count: inside.length,
        expand: inside.filter((s) => s.exact > 0).length,
        meanExact: inside.reduce((acc, s) => acc + s.exact, 0) / Math.max(1, inside.length),
      };
    }
  return { step, samples, quadrants };
}
