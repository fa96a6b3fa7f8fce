// @ts-check
// The verdict sentence under the update controls. Pure (no DOM), so that
// node --test checks it (tests/js/verdict.test.mjs).

import { fmt } from '../lib/format.js';

/**
 * What the update does, in one sentence. The direction follows the *exact*
 * change; when the first-order prediction has the other sign, the sentence
 * says that the step is too large for the linearisation (docs/math.md,
 * "The exact change").
 * With `flip` (p† for a policy-gradient step, e^−H for a nudge) the sentence
 * gives its reason: the side of the flip p is on, and the sign of A.
 * @param {{ kind: string, label: string, p: number, adv: number, step: number,
 *   first: number, exact: number, bits?: boolean, flip?: number }} v
 * @returns {{ text: string, direction: 'expands' | 'contracts' | '', broke: boolean, reason: string }}
 *   `reason`: the "because …" part of `text` ('' when there is none)
 */
export function verdict({ kind, label, p, adv, step, first, exact, bits = false, flip }) {
  if (step === 0) return { text: 'With η·A = 0 nothing changes.', direction: '', broke: false, reason: '' };
  const u = bits ? ' bits' : ' nats';
  const show = (v) => fmt(bits ? v / Math.LN2 : v, 3) + u;
  const sign = Math.sign(exact) || Math.sign(first);
  const verb = sign > 0 ? 'widens' : sign < 0 ? 'narrows' : 'leaves unchanged';
  const broke = exact !== 0 && first !== 0 && Math.sign(exact) !== Math.sign(first);
  const why = reason(kind, p, adv, step, flip, broke);
  const head =
    `A ${kind === 'pg' ? 'policy-gradient step' : 'nudge'} on “${label}” (p = ${fmt(p, 3)}) ` +
    // A nudge has no advantage: it raises one logit by ε = η·A.
    `${kind === 'pg' ? `with A = ${fmt(adv, 3)}` : `of ε = ${fmt(step, 3)}`} ${verb} the distribution${why}: `;
  const text = broke
    ? `${head}ΔH = ${show(exact)} exactly. The first-order prediction, ΔH ≈ ${show(first)}, has the ` +
      'wrong sign: this step is too large for the linearisation.'
    : `${head}ΔH ≈ ${show(first)} (exact ${show(exact)}).`;
  return { text, direction: sign > 0 ? 'expands' : sign < 0 ? 'contracts' : '', broke, reason: why };
}

/**
 * "because p = 0.609 > p† = 0.491 and A > 0": why the first-order change has
 * its sign (docs/math.md, "Where the sign flips"). To first order a PG step
 * with A > 0 widens exactly when p < p†, a nudge with ε > 0 when p < e^−H;
 * a negative A (or ε) turns each around.
 */
function reason(kind, p, adv, step, flip, broke) {
  if (flip === undefined || !Number.isFinite(flip) || p === flip) return '';
  const name = kind === 'pg' ? 'p†' : 'e^{−H}';
  const cmp = p > flip ? '>' : '<';
  const push = kind === 'pg' ? `A ${adv > 0 ? '>' : '<'} 0` : `ε = η·A ${step > 0 ? '>' : '<'} 0`;
  return ` ${broke ? 'to first order ' : ''}because p = ${fmt(p, 3)} ${cmp} ${name} = ${fmt(flip, 3)} and ${push}`;
}
