// @ts-check
// The step history: entropy H (solid, left scale) and the chosen token's
// probability p_k (dashed, right scale 0–1) over the steps taken, drawn as
// plain SVG elements (no inline styles, so a strict CSP allows it).

import { el } from './svg.js';
import { axes, ticks } from './axis.js';
import { fmt } from './format.js';

const W = 480,
  H = 170,
  L = 44,
  R = 40,
  T = 12,
  B = 26;

/** @param {SVGSVGElement} svg @param {{H:number, pk:number}[]} points (step 0 first) */
export function drawHistory(svg, points) {
  svg.replaceChildren();
  const n = points.length;
  const hTicks = ticks(0, Math.max(1e-9, ...points.map((p) => p.H)) * 1.05, 4);
  const hMax = hTicks[hTicks.length - 1];
  const x = (i) => L + (n <= 1 ? 0 : (i / (n - 1)) * (W - L - R));
  const yH = (v) => T + (1 - v / hMax) * (H - T - B);
  const yP = (v) => T + (1 - v) * (H - T - B);
  axes(svg, {
    x0: L,
    x1: W - R,
    y0: H - B,
    y1: T,
    x,
    y: yH,
    xt: [],
    yt: hTicks,
    yFmt: (v) => fmt(v, 2),
    xLabel: n <= 1 ? 'no steps yet' : `step (0 to ${n - 1})`,
    height: H - 2,
  });
  for (const v of [0, 0.25, 0.5, 0.75, 1]) svg.append(el('text', { x: W - R + 4, y: yP(v) + 4 }, v.toFixed(2)));
  svg.append(el('text', { x: L, y: T - 2, class: 'h-label' }, 'H (nats) —'));
  svg.append(el('text', { x: W - R, y: T - 2, 'text-anchor': 'end', class: 'p-label' }, '- - p_k'));
  if (n === 0) return;
  const path = (f) => points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${f(p).toFixed(1)}`).join(' ');
  svg.append(el('path', { d: path((p) => yH(p.H)), class: 'h-line' }));
  svg.append(el('path', { d: path((p) => yP(p.pk)), class: 'p-line' }));
  const last = points[n - 1];
  svg.append(el('circle', { cx: x(n - 1), cy: yH(last.H), r: 3.5, class: 'h-dot' }));
  svg.append(el('circle', { cx: x(n - 1), cy: yP(last.pk), r: 3.5, class: 'p-dot' }));
}

/**
 * The table of steps taken, newest first: H and p_k after each step, and the
 * predicted (first-order) and realised (exact) ΔH.
 * @param {HTMLTableSectionElement} body
 * @param {{H:number, pk:number, predicted:number, realised:number, token:number}[]} steps
 *   each with H and p_k *before* it
 * @param {number} H the entropy now @param {Float64Array} all the probabilities now
 */
export function renderHistoryTable(body, steps, H, all) {
  body.replaceChildren(
    ...steps
      .map((e, i) => {
        const tr = document.createElement('tr');
        const next = steps[i + 1];
        for (const v of [
          String(i + 1),
          fmt(next ? next.H : H, 5),
          fmt(next ? next.pk : all[e.token], 4),
          fmt(e.predicted, 4),
          fmt(e.realised, 4),
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
