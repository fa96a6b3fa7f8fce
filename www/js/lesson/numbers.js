// @ts-check
// Every number a lesson scene shows, from the wasm core (docs/math.md):
// the distribution's H, e^−H, p†, S̄, the chosen token's first-order and
// exact ΔH, and what a scene adds (a hotter copy, a run of steps, the
// average over sampling, the four quadrants, a control-lab run).
// Call only after the module's init() has resolved.

import { Distribution, simulate } from '../../pkg/entropy_polarity.js';

/**
 * Runs `fn` on the distribution of `logits` at temperature `T`, then frees it.
 * @template R @param {number[]} logits @param {number} T @param {(d: any) => R} fn @returns {R}
 */
function withDist(logits, T, fn) {
  const d = Distribution.fromLogits(Float64Array.from(logits), T);
  try {
    return fn(d);
  } finally {
    d.free();
  }
}

/** The summary of one distribution. @param {any} d */
const summary = (d) => ({
  H: d.entropy,
  eH: d.flipNudge,
  pdag: d.flipPolicyGradient,
  Sbar: d.meanDiscriminator,
  p: Array.from(d.probs()),
  S: Array.from(d.discriminator()),
});

/**
 * E[ΔH] over k ~ p of a policy-gradient step with advantage A_k on the
 * sampled token, to first order: Σ_k p_k ΔH_k, each ΔH_k the first-order
 * change of a step on k, and Cov_p(A, S) (the core's shares; docs/lesson.md:
 * the sum equals −(η/T) Cov_p(A, S)). `token`: the rewarded token the
 * scene's bars mark (−1: none).
 * @param {any} d @param {number[]} A advantages @param {number} eta @param {number} token
 */
function shares(d, A, eta, token) {
  const s = d.shares(Float64Array.from(A), eta);
  return { A, contrib: Array.from(s.contributions), sum: s.total, cov: s.covariance, token };
}

/**
 * Advantages from rewards, as on the explorer: A_k = (r_k − r̄)/σ with r̄ and
 * σ the mean and standard deviation of r under p (the core's
 * rewardAdvantages; docs/math.md, "Rewards to advantages").
 * @param {any} d @param {number[]} r
 */
const advantages = (d, r) => Array.from(d.rewardAdvantages(Float64Array.from(r)));

/** Group sizes whose exact expectation scene 6 quotes (docs/math.md, "A sampled step"). */
export const GROUPS = Object.freeze([4, 16]);

/**
 * The numbers of one scene (js/lesson/scenes.js says which it needs).
 * @param {import('./scenes.js').Scene} scene
 */
export function sceneNumbers(scene) {
  const s = scene.state;
  const k = s.token;
  const step = s.step * s.adv;
  return withDist(s.logits, s.temperature, (d) => {
    const base = summary(d);
    const updated = Array.from(d.updatedLogits(Float64Array.from(s.logits), k, s.kind, step));
    /** @type {Record<string, any>} */
    const n = {
      ...base,
      pk: base.p[k],
      step,
      Sk: base.S[k],
      first: d.firstOrder(k, s.kind, step),
      exact: d.exact(k, s.kind, step),
      after: withDist(updated, s.temperature, (d2) => Array.from(d2.probs())),
    };
    if (scene.id === 'entropy') n.hot = withDist(s.logits, 2 * s.temperature, summary);
    if (scene.id === 'policy-gradient') n.nudge = d.exact(k, 'nudge', step);
    // Where the exact change of this step crosses zero (the curve's ◆).
    if (scene.charts.includes('curve')) n.exactFlip = d.exactFlip(k, s.kind, step) ?? null;
    if (scene.id === 'first-order') n.small = { first: d.firstOrder(k, 'pg', 0.1), exact: d.exact(k, 'pg', 0.1) };
    if (scene.id === 'steps') Object.assign(n, history(s, scene.steps ?? 30));
    if (scene.id === 'average') {
      const r = scene.rewards ?? [];
      const last = r.length - 1;
      const rare = r.map((_, j) => (j === last ? 1 : 0));
      // The scene's rewards, and two to compare: the rarest token rewarded
      // instead, and the same advantage A = 1 whichever token is sampled.
      const cases = {
        likely: shares(d, advantages(d, r), step, r.indexOf(1)),
        rare: shares(d, advantages(d, rare), step, last),
        same: shares(
          d,
          r.map(() => 1),
          step,
          -1,
        ),
      };
      // One y scale for the three cases, so that switching shows the sizes.
      const scale = Math.max(...Object.values(cases).flatMap((c) => [...c.contrib, c.sum].map(Math.abs)));
      // A group of G normalised by its own mean and σ: the exact expectation.
      const group = Object.fromEntries(GROUPS.map((g) => [g, d.expectedGroupChange(Float64Array.from(r), g, step)]));
      n.average = { ...cases.likely, constant: cases.same.sum, rare: cases.rare.sum, cases, scale, group };
    }
    if (scene.id === 'quadrants') {
      n.quadrants = [0, s.logits.length - 1].flatMap((j) =>
        [1, -1].map((a) => ({
          token: j,
          p: base.p[j],
          adv: a,
          first: d.firstOrder(j, 'pg', s.step * a),
          exact: d.exact(j, 'pg', s.step * a),
        })),
      );
    }
    if (scene.id === 'control') {
      const run = (strategy) => Array.from(simulate({ ...scene.lab, strategy }).entropy);
      n.lab = { pg: run('pg'), polarity: run('polarity') };
    }
    return n;
  });
}

/**
 * `steps` policy-gradient steps on the scene's token, each applied exactly
 * (updatedLogits): H, p_k, p† and the probabilities before each step and
 * after the last; the step where H peaks, the first where p_k > p†, each
 * step's exact ΔH and the first step that narrows.
 * @param {import('./scenes.js').SceneState} s @param {number} steps
 */
function history(s, steps) {
  const out = [];
  let z = s.logits.slice();
  for (let i = 0; i <= steps; i++) {
    const zi = z;
    const next = withDist(zi, s.temperature, (d) => {
      const b = summary(d);
      out.push({ H: b.H, eH: b.eH, pk: b.p[s.token], pdag: b.pdag, p: b.p });
      return Array.from(d.updatedLogits(Float64Array.from(zi), s.token, s.kind, s.step * s.adv));
    });
    z = next;
  }
  const peak = out.reduce((best, e, i) => (e.H > out[best].H ? i : best), 0);
  const cross = out.findIndex((e) => e.pk > e.pdag);
  // The exact change of each step (step i → i + 1), and the first that narrows.
  const dh = out.slice(1).map((e, i) => e.H - out[i].H);
  const fall = dh.findIndex((v) => v < 0);
  return { history: out, peak, cross, dh, fall };
}
