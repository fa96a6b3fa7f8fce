// @ts-check
// The step history's bookkeeping, pure (no DOM) so that node --test checks it
// (tests/js/steps.test.mjs): when a new state keeps the history, and the
// points the history chart and table show.

/**
 * @typedef {object} Step one step taken for real
 * @property {number[]} before the logits before it
 * @property {number} H the entropy before it
 * @property {number[]} probs every token's probability before it
 * @property {number} predicted ΔH predicted (first order; for a sampled step,
 *   the expectation over sampling)
 * @property {number} realised ΔH realised (exact)
 * @property {number[]} tokens the token(s) it rewarded: one for "Take the step",
 *   the group's draws for a sampled step
 * @property {boolean} [sampled] drawn from p (a "sample and reward" step)
 * @property {number[]} [rewards] each token's reward then (sampled steps)
 */

/**
 * Whether two states hold the same distribution (logits and temperature),
 * so that a history of steps taken on one is still true of the other.
 * @param {{logits: number[], temperature: number}} a @param {{logits: number[], temperature: number}} b
 */
export function sameDistribution(a, b) {
  return a.temperature === b.temperature && a.logits.length === b.logits.length && a.logits.every((z, j) => Object.is(z, b.logits[j]));
}

/**
 * The history's points, step 0 first: H and the probability of one token,
 * `tracked`, before each step and now. One token through every step, so that
 * switching the chosen token redraws the line instead of joining two tokens.
 * @param {Step[]} steps @param {number} tracked @param {number} H the entropy now
 * @param {ArrayLike<number>} probs the probabilities now
 * @returns {{H: number, pk: number}[]}
 */
export function historyPoints(steps, tracked, H, probs) {
  const points = steps.map((e) => ({ H: e.H, pk: e.probs[tracked] ?? 0 }));
  points.push({ H, pk: probs[tracked] ?? 0 });
  return points;
}
