// The step history: entropy H (solid, left scale) and the chosen token's
// probability p_k (dashed, right scale 0–1) over the steps taken, drawn as
// plain SVG elements (no inline styles, so a strict CSP allows it).

import { el } from './svg.js';
const W = 480, H = 170, L = 44, R = 40, T = 12, B = 26;

/** @param {SVGSVGElement} svg @param {{H:number, pk:number}[]} points (step 0 first) */
export function drawHistory(svg, points, fmt) {
  svg.replaceChildren();
  const n = points.length;
  const hMax = Math.max(1e-9, ...points.map((p) => p.H)) * 1.1;
  const x = (i) => L + (n <= 1 ? 0 : (i / (n - 1)) * (W - L - R));
  const yH = (v) => T + (1 - v / hMax) * (H - T - B);
  const yP = (v) => T + (1 - v) * (H - T - B);
  for (let g = 0; g <= 4; g++) {
    const y = T + (g / 4) * (H - T - B);
    svg.append(el('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }));
    svg.append(el('text', { x: L - 4, y: y + 4, 'text-anchor': 'end' }, fmt(hMax * (1 - g / 4), 2)));
    svg.append(el('text', { x: W - R + 4, y: y + 4 }, (1 - g / 4).toFixed(2)));
  }
  svg.append(el('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));
  svg.append(el('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle' }, n <= 1 ? 'no steps yet' : `step (0 to ${n - 1})`));
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
