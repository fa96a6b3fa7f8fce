// @ts-check
// The numbers behind the paper's figures (figures.html), all computed by the
// core through the wasm binding (src/math/figures.rs, docs/math.md): H,
// e^−H, p†, S̄ and the first-order and exact ΔH of each update, over random
// distributions drawn from the core's seeded generator, so a figure is the
// same on every load and a test can recompute each point from the logits it
// exposes. Here the core's columns only become the rows the element shows.
// Call only after the module's init() has resolved.

import {
  curvesFigure as curves,
  flipFigure as flip,
  quadrantsFigure as quadrants,
  scatterFigure as scatter,
} from '../../pkg/entropy_polarity.js';

export { nudgeLine } from '../../pkg/entropy_polarity.js';

/**
 * One object per entry of the core's columns `c`: its logits as an array,
 * and the entry of each column in `keys`.
 * @param {{logits: Float64Array[]} & Record<string, any>} c @param {string[]} keys
 */
function rows(c, keys) {
  return c.logits.map((z, i) => Object.fromEntries([['logits', Array.from(z)], ...keys.map((k) => [k, c[k][i]])]));
}

/**
 * Figure 1: first-order ΔH of a policy-gradient step (per unit η·A) against
 * the token's probability q, for distributions of several entropies. Each is
 * the same 20-token Zipf-like shape at another sharpness; the curve holds H
 * and S̄ fixed (docs/math.md, "The curve"); the dots are the real tokens.
 */
export function curvesFigure({ samples = 160 } = {}) {
  return curves(samples).map((c) => ({
    logits: Array.from(c.logits),
    entropy: c.entropy,
    meanDiscriminator: c.meanDiscriminator,
    flipNudge: c.flipNudge,
    flipPolicyGradient: c.flipPolicyGradient,
    curve: Array.from(c.q, (q, i) => [q, c.curve[i]]),
    tokens: Array.from(c.tokenProbs, (q, j) => [q, c.tokenFirstOrder[j]]),
  }));
}

/** Figure 2: p† against e^−H over many random distributions (the asymmetry: p† ≥ e^−H). */
export function flipFigure({ count = 300, seed = 2 } = {}) {
  return rows(flip(count, seed), ['entropy', 'flipNudge', 'flipPolicyGradient']);
}

/**
 * Figure 3: first-order against exact ΔH for random distributions, a sampled
 * token and a random step η·A in [−maxStep, maxStep].
 */
export function scatterFigure({ count = 300, seed = 3, maxStep = 1 } = {}) {
  return rows(scatter(count, seed, maxStep), ['token', 'step', 'firstOrder', 'exact']);
}

/**
 * Figure 4: the quadrants. For random distributions, a token sampled from p
 * and an advantage of ±1 (a fair coin), a policy-gradient step of η = 0.1:
 * is the token above or below its p†, and does H expand or contract (exact)?
 */
export function quadrantsFigure({ count = 400, seed = 4, step = 0.1 } = {}) {
  const c = quadrants(count, seed, step);
  const samples = rows(c, ['token', 'adv', 'prob', 'flipPolicyGradient', 'firstOrder', 'exact']);
  /** @type {Record<string, {count: number, expand: number, meanExact: number}>} */
  const four = {};
  for (const q of c.quadrants)
    four[`${q.rewarded ? 'pos' : 'neg'}-${q.above ? 'above' : 'below'}`] = { count: q.count, expand: q.expand, meanExact: q.meanExact };
  return { step, samples, quadrants: four };
}
