// @ts-check
// The explorer's step history: entropy H (solid, left scale) and the chosen
// token's probability p_k (dashed, right scale 0–1) over the steps taken
// (the chart is js/chart/history.js), and the table of those steps.

import { el } from '../chart/svg.js';
import { drawStepHistory } from '../chart/history.js';
import { richText } from '../chart/richtext.js';
import { fmt } from '../lib/format.js';

/**
 * @param {SVGSVGElement} svg @param {{H:number, pk:number}[]} points (step 0 first)
 * @param {string} [label] the token whose probability the dashed line follows
 */
export function drawHistory(svg, points, label = '') {
  const n = points.length - 1;
  const { area } = drawStepHistory(svg, {
    box: { width: 480, height: 170, left: 44, right: 40, top: 12, bottom: 26 },
    steps: n,
    // The values ride along for tools and tests (docs/contract.md).
    left: [{ values: points.map((p) => p.H), cls: 'h-line', dot: 'h-dot' }],
    right: [{ values: points.map((p) => p.pk), cls: 'p-line', dot: 'p-dot', attrs: { 'data-values': points.map((p) => p.pk).join(',') } }],
    rightTicks: [0, 0.25, 0.5, 0.75, 1],
    rightDigits: 2,
    xLabel: n < 1 ? 'no steps yet' : `step (0 to ${n})`,
    dotRadius: 3.5,
  });
  svg.append(el('text', { x: area.x0, y: area.y1 - 2, class: 'h-label' }, 'H (nats) —'));
  svg.append(pLabel(label, area.x1, area.y1 - 2));
}

/** "- - p_k (label)": the dashed line's key, p of the named token. */
function pLabel(label, x, y) {
  return richText({ x, y, 'text-anchor': 'end', class: 'p-label' }, label ? '- - p_{k}' : '- - p', label ? ` (${label.slice(0, 12)})` : '');
}

/**
 * The table of steps taken, newest first: H and p_k after each step, the
 * predicted and realised ΔH, and the token(s) each step rewarded.
 * @param {HTMLTableSectionElement} body
 * @param {{H:number, pk:number}[]} points from historyPoints (js/explorer/steps.js)
 * @param {import('./steps.js').Step[]} steps @param {string[]} labels
 */
export function renderHistoryTable(body, points, steps, labels) {
  body.replaceChildren(
    ...steps
      .map((e, i) => {
        const tr = document.createElement('tr');
        if (e.sampled) tr.className = 'sampled';
        for (const v of [
          String(i + 1),
          fmt(points[i + 1].H, 5),
          fmt(points[i + 1].pk, 4),
          fmt(e.predicted, 4),
          fmt(e.realised, 4),
          rewarded(e, labels),
        ]) {
          const td = document.createElement('td');
          td.textContent = v;
          tr.append(td);
        }
        return tr;
      })
      .reverse(),
  );
}

/** Which tokens a step rewarded: "Paris", or for a sampled group its draws,
 *  rewarded ones starred: "★Paris ×5, Lyon ×3". */
export function rewarded(e, labels) {
  if (!e.sampled) return labels[e.tokens[0]] ?? String(e.tokens[0]);
  const counts = new Map();
  for (const k of e.tokens) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([k, n]) => `${e.rewards?.[k] ? '★' : ''}${labels[k] ?? k} ×${n}`)
    .join(', ');
}
