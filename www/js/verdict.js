// @ts-check
// The verdict sentence under the update controls. Pure (no DOM), so that
// node --test checks it (tests/js/verdict.test.mjs).

import { fmt } from './format.js';

/**
 * What the update does, in one sentence. The direction follows the *exact*
 * change; when the first-order prediction has the other sign, the sentence
 * says that the step is too large for the linearisation (docs/math.md,
 * "The exact change").
 * @param {{ kind: string, label: string, p: number, adv: number, step: number,
 *   first: number, exact: number, bits?: boolean }} v
 * @returns {{ text: string, direction: 'expands' | 'contracts' | '', broke: boolean }}
 */
export function verdict({ kind, label, p, adv, step, first, exact, bits = false }) {
  if (step === 0) return { text: 'With η·A = 0 nothing changes.', direction: '', broke: false };
  const u = bits ? ' bits' : ' nats';
  const show = (v) => fmt(bits ? v / Math.LN2 : v, 3) + u;
  const sign = Math.sign(exact) || Math.sign(first);
  const verb = sign > 0 ? 'widens' : sign < 0 ? 'narrows' : 'leaves unchanged';
  const broke = exact !== 0 && first !== 0 && Math.sign(exact) !== Math.sign(first);
  const head =
    `A ${kind === 'pg' ? 'policy-gradient step' : 'nudge'} on “${label}” (p = ${fmt(p, 3)}) ` +
    `with A = ${fmt(adv, 3)} ${verb} the distribution: `;
  const text = broke
    ? `${head}ΔH = ${show(exact)} exactly. The first-order prediction, ΔH ≈ ${show(first)}, has the ` +
      'wrong sign: this step is too large for the linearisation.'
    : `${head}ΔH ≈ ${show(first)} (exact ${show(exact)}).`;
  return { text, direction: sign > 0 ? 'expands' : sign < 0 ? 'contracts' : '', broke };
}
