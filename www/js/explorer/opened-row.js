// @ts-check
// A row opened from a logit slice: its full logits drive every number and
// the curve, while the bar editor shows the most likely tokens plus one
// "rest" bucket, which the core picks (topBars, docs/math.md "Rows opened
// from a slice"). Editing the logits turns the view into a toy copy of what
// the bars show.

import { foldBars, topBars } from '../../pkg/entropy_polarity.js';

/**
 * @typedef {object} OpenedRow
 * @property {Float64Array} logits the full row
 * @property {number[]} display row index of each bar; −1 for the bucket
 * @property {number} rest tokens in the bucket
 * @property {string} name file name
 * @property {number} index row number in the file
 * @property {boolean} truncated only the listed top logprobs are known
 */

/** A bar label: the token text (no commas, at most 24 characters) or #id. */
const barLabel = (labels, j) => (labels?.[j] ?? `#${j}`).replaceAll(',', ' ').slice(0, 24) || `#${j}`;

/**
 * The bars of a row sent by the slice panel: { row, logits, labels, token }
 * with `token` the sampled token's bar. Throws (the core's Error) when the
 * row has no unmasked token or holds NaN or +∞.
 * @param {{ logits: ArrayLike<number>, token?: number | null, labels?: string[] | null,
 *   name: string, index: number, truncated?: boolean }} r
 */
export function openRow(r) {
  const z = Float64Array.from(r.logits);
  const sampled = Number.isInteger(r.token) && /** @type {number} */ (r.token) >= 0 ? r.token : undefined;
  const bars = topBars(z, sampled);
  const display = Array.from(bars.index);
  const logits = Array.from(bars.logits);
  const labels = display.map((j) => (j < 0 ? `rest (${bars.rest.toLocaleString('en')})` : barLabel(r.labels, j)));
  /** @type {OpenedRow} */
  const row = { logits: z, display, rest: bars.rest, name: r.name, index: r.index, truncated: !!r.truncated };
  return { row, logits, labels, token: bars.token };
}

/**
 * Probabilities of the bars: each token's own, the bucket's the rest.
 * @param {OpenedRow} row @param {Float64Array} all the row's probabilities
 */
export function barProbs(row, all) {
  return foldBars(all, row.display);
}

/** The banner above the bars. @param {OpenedRow} row */
export function bannerText(row) {
  const v = row.logits.length;
  const shown = row.display.length - (row.rest ? 1 : 0);
  return (
    `Row ${row.index} of ${row.name}: ${v.toLocaleString('en')} tokens` +
    (row.truncated ? ' (only the listed top logprobs, renormalised: the model’s tail is missing)' : '') +
    `. The bars show the ${shown} most likely` +
    (row.rest ? ' and one “rest” bucket' : '') +
    '; every number and the curve use the full row. Editing the logits makes a toy copy of the bars.'
  );
}
