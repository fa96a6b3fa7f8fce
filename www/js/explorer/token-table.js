// @ts-check
// The explorer's per-token table ("every token under this update") and its
// CSV download (docs/contract.md, "Downloads"). One column list drives both.

import { fmt } from '../lib/format.js';

/**
 * @typedef {object} TokenRows
 * @property {string[]} labels
 * @property {number[]} logits the bars' logits
 * @property {Float64Array} probs the bars' probabilities
 * @property {number[]} index row index of each bar (−1: the "rest" bucket)
 * @property {(i: number) => number} disc S_i of token i
 * @property {(i: number) => number} firstOrder first-order ΔH of an update on token i
 * @property {(i: number) => number} exact exact ΔH of an update on token i
 */

/** Fills the table body; `selected` is the chosen bar. @param {HTMLTableSectionElement} body */
export function renderTokenTable(body, /** @type {TokenRows} */ t, /** @type {number} */ selected) {
  const n = t.probs.length;
  while (body.rows.length > n) body.deleteRow(-1);
  while (body.rows.length < n) {
    const tr = body.insertRow();
    for (let c = 0; c < 5; c++) tr.insertCell();
  }
  for (let j = 0; j < n; j++) {
    const tr = body.rows[j];
    const i = t.index[j];
    const delta = i < 0 ? NaN : t.firstOrder(i);
    tr.dataset.index = String(j);
    tr.classList.toggle('selected', j === selected);
    const c = tr.cells;
    c[0].textContent = t.labels[j];
    c[1].textContent = fmt(t.logits[j], 4);
    c[2].textContent = fmt(t.probs[j], 4);
    c[3].textContent = fmt(i < 0 ? NaN : t.disc(i), 4);
    c[4].textContent = `${fmt(delta, 3)} ${delta > 0 ? '▲' : delta < 0 ? '▼' : ''}`;
    c[4].className = delta > 0 ? 'expands' : delta < 0 ? 'contracts' : '';
  }
}

/** A CSV cell: quoted when it holds a comma, quote or line break. */
const cell = (text) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** The table as CSV, full precision, ASCII numbers. @param {TokenRows} t */
export function tokenCsv(t) {
  const lines = ['token,label,logit,prob,discriminator,first_order_dh,exact_dh'];
  for (let j = 0; j < t.probs.length; j++) {
    const i = t.index[j];
    const math = i < 0 ? ['', '', ''] : [t.disc(i), t.firstOrder(i), t.exact(i)];
    lines.push([i < 0 ? '' : i, cell(t.labels[j]), t.logits[j], t.probs[j], ...math].join(','));
  }
  return lines.join('\n') + '\n';
}
