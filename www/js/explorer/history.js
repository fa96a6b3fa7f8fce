// @ts-check
// The step history: entropy H (solid, left scale) and the chosen token's
// probability p_k (dashed, right scale 0–1) over the steps taken, drawn as
// plain SVG elements (no inline styles, so a strict CSP allows it).

import { el } from '../chart/svg.js';
import { axes, scaleFromZero } from '../chart/axis.js';
import { fmt } from '../lib/format.js';

const W = 480,
  H = 170,
  L = 44,
  R = 40,
  T = 12,
  B = 26;

/**
 * @param {SVGSVGElement} svg @param {{H:number, pk:number}[]} points (step 0 first)
 * @param {string} [label] the token whose probability the dashed line follows
 */
export function drawHistory(svg, points, label = '') {
  svg.replaceChildren();
  const n = points.length;
  // The H scale is the lesson's (js/lesson/charts.js): its top is never below the highest H.
  const { yt, y: yH } = scaleFromZero(Math.max(1e-9, ...points.map((p) => p.H)) * 1.05, { y0: H - B, y1: T });
  const x = (i) => L + (n <= 1 ? 0 : (i / (n - 1)) * (W - L - R));
  const yP = (v) => T + (1 - v) * (H - T - B);
  axes(svg, {
    x0: L,
    x1: W - R,
    y0: H - B,
    y1: T,
    x,
    y: yH,
    xt: [],
    yt,
    yFmt: (v) => fmt(v, 2),
    xLabel: n <= 1 ? 'no steps yet' : `step (0 to ${n - 1})`,
    height: H - 2,
  });
  for (const v of [0, 0.25, 0.5, 0.75, 1]) svg.append(el('text', { x: W - R + 4, y: yP(v) + 4 }, v.toFixed(2)));
  svg.append(el('text', { x: L, y: T - 2, class: 'h-label' }, 'H (nats) —'));
  svg.append(pLabel(label, W - R, T - 2));
  if (n === 0) return;
  const path = (f) => points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${f(p).toFixed(1)}`).join(' ');
  svg.append(el('path', { d: path((p) => yH(p.H)), class: 'h-line' }));
  // The values ride along for tools and tests (docs/contract.md).
  svg.append(el('path', { d: path((p) => yP(p.pk)), class: 'p-line', 'data-values': points.map((p) => p.pk).join(',') }));
  const last = points[n - 1];
  svg.append(el('circle', { cx: x(n - 1), cy: yH(last.H), r: 3.5, class: 'h-dot' }));
  svg.append(el('circle', { cx: x(n - 1), cy: yP(last.pk), r: 3.5, class: 'p-dot' }));
}

/** "- - p(label)" with a real subscript-free form: p of the named token. */
function pLabel(label, x, y) {
  const t = el('text', { x, y, 'text-anchor': 'end', class: 'p-label' }, '- - p');
  if (label) t.append(el('tspan', { 'baseline-shift': 'sub', 'font-size': '80%' }, 'k'), ` (${label.slice(0, 12)})`);
  return t;
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
