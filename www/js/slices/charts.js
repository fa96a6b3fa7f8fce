// @ts-check
// Charts of the "Your logits" panel, drawn as plain SVG elements (CSP-safe:
// no inline styles; colours come from classes in css/slices.css, so dark mode
// follows the page). Each function draws into an <svg> at its current CSS
// width, so text keeps its size on a phone.

import { el } from '../chart/svg.js';
import { fmt } from '../lib/format.js';
import { axes, frame, ticks, wholeTicks } from '../chart/axis.js';

/**
 * Entropy along the positions. `lower` (optional): the lower bound of a
 * truncated slice, drawn dashed. Many rows are drawn as a min–max band per
 * pixel column. Returns a function mapping a client x to a row.
 */
export function drawEntropy(svg, H, { lower = null, truncated = false } = {}) {
  const { W, Ht, L, R, T, B, area } = frame(svg, { height: 210, left: 46, right: 12, top: 22, bottom: 34 });
  const n = H.length;
  let hi = 0;
  for (let i = 0; i < n; i++) hi = Math.max(hi, H[i], lower ? lower[i] : 0);
  hi = hi > 0 ? hi * 1.08 : 1;
  const x = (i) => L + (n <= 1 ? (W - L - R) / 2 : (i / (n - 1)) * (W - L - R));
  const y = (v) => T + (1 - v / hi) * (Ht - T - B);
  axes(svg, {
    ...area,
    x,
    y,
    xt: wholeTicks(0, Math.max(0, n - 1), Math.max(2, Math.floor((W - L) / 70))),
    yt: ticks(0, hi, 4),
    xFmt: (v) => String(v),
    xLabel: 'position (row)',
    yLabel: truncated ? 'H, nats (solid: top-k renormalised; dashed: lower bound)' : 'H, nats',
  });
  const series = (arr, cls) => {
    const cols = W - L - R;
    if (n <= cols) {
      const d = Array.from(arr, (v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
      svg.append(el('path', { d, class: cls }));
      if (n <= 80) for (let i = 0; i < n; i++) svg.append(el('circle', { cx: x(i), cy: y(arr[i]), r: 2.5, class: `${cls}-dot` }));
      return;
    }
    // min–max band per pixel column, and the mean line
    let top = '',
      bottom = '',
      mid = '';
    for (let c = 0; c < cols; c++) {
      const a = Math.floor((c / cols) * n),
        b = Math.max(a + 1, Math.floor(((c + 1) / cols) * n));
      let mn = Infinity,
        mx = -Infinity,
        s = 0;
      for (let i = a; i < b; i++) {
        const v = arr[i];
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
        s += v;
      }
      const px = (L + c + 0.5).toFixed(1);
      top += `${c ? 'L' : 'M'}${px},${y(mx).toFixed(1)}`;
      bottom = `L${px},${y(mn).toFixed(1)}` + bottom;
      mid += `${c ? 'L' : 'M'}${px},${y(s / (b - a)).toFixed(1)}`;
    }
    svg.append(el('path', { d: `${top}${bottom}Z`, class: `${cls}-band` }));
    svg.append(el('path', { d: mid, class: cls }));
  };
  series(H, 'h-line');
  if (lower) series(lower, 'hlb-line');
  return (clientX) => {
    const r = svg.getBoundingClientRect();
    const px = ((clientX - r.left) / r.width) * W;
    if (px < L - 4 || px > W - R + 4) return null;
    return n <= 1 ? 0 : Math.max(0, Math.min(n - 1, Math.round(((px - L) / (W - L - R)) * (n - 1))));
  };
}

/** Path data of one marker by advantage sign: ● A > 0, ▲ A < 0, □ A = 0. */
function markerPath(px, py, adv) {
  const x = px.toFixed(1),
    y = py.toFixed(1);
  if (adv > 0) return `M${(px - 3.6).toFixed(1)},${y}a3.6,3.6 0 1,0 7.2,0a3.6,3.6 0 1,0 -7.2,0`;
  if (adv < 0) return `M${x},${(py - 4.6).toFixed(1)}l4.6,7.8h-9.2Z`;
  return `M${(px - 3.2).toFixed(1)},${(py - 3.2).toFixed(1)}h6.4v6.4h-6.4Z`;
}

export const MAX_POINTS = 3000;

/**
 * Every row at (ln p_k + H, polarity): the zero of the x axis is the nudge
 * flip p_k = e^−H. `rows`: indices of the rows to draw (a subsample when the
 * slice is large). One <path> per advantage sign keeps the DOM small; the
 * returned function finds the row nearest a pointer position (or null).
 */
export function drawScatter(svg, { x: xs, y: ys, adv, rows }) {
  const { W, Ht, L, R, T, B, area } = frame(svg, { height: 250, left: 58, right: 14, top: 22, bottom: 36 });
  let x0 = 0,
    x1 = 0,
    y0 = 0,
    y1 = 0;
  for (const r of rows) {
    x0 = Math.min(x0, xs[r]);
    x1 = Math.max(x1, xs[r]);
    y0 = Math.min(y0, ys[r]);
    y1 = Math.max(y1, ys[r]);
  }
  const padX = (x1 - x0) * 0.05 || 1,
    padY = (y1 - y0) * 0.08 || 1e-3;
  x0 -= padX;
  x1 += padX;
  y0 -= padY;
  y1 += padY;
  const x = (v) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const y = (v) => T + (1 - (v - y0) / (y1 - y0)) * (Ht - T - B);
  svg.append(el('rect', { x: L, y: T, width: W - L - R, height: Math.max(0, y(0) - T), class: 'zone-expand' }));
  svg.append(el('rect', { x: L, y: y(0), width: W - L - R, height: Math.max(0, Ht - B - y(0)), class: 'zone-contract' }));
  axes(svg, {
    ...area,
    x,
    y,
    xt: ticks(x0, x1, Math.max(2, Math.floor((W - L) / 80))),
    yt: ticks(y0, y1, 4),
    xLabel: 'ln p_k + H   (0: p_k = e^−H, the nudge flip)',
    yLabel: 'polarity P_k = A (S̄ − S_k)',
  });
  svg.append(el('line', { x1: x(0), x2: x(0), y1: T, y2: Ht - B, class: 'flip' }));
  svg.append(el('line', { x1: L, x2: W - R, y1: y(0), y2: y(0), class: 'zero' }));
  svg.append(el('text', { x: W - R - 4, y: T + 12, 'text-anchor': 'end', class: 'zone-label expand' }, '↑ expands'));
  svg.append(el('text', { x: W - R - 4, y: Ht - B - 6, 'text-anchor': 'end', class: 'zone-label contract' }, '↓ contracts'));
  const d = { pos: [], neg: [], zero: [] };
  const px = new Float64Array(rows.length),
    py = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const a = adv ? adv[r] : 1;
    px[i] = x(xs[r]);
    py[i] = y(ys[r]);
    d[a > 0 ? 'pos' : a < 0 ? 'neg' : 'zero'].push(markerPath(px[i], py[i], a));
  });
  for (const k of ['pos', 'neg', 'zero']) if (d[k].length) svg.append(el('path', { d: d[k].join(''), class: `pt adv-${k}` }));
  return (clientX, clientY) => {
    const box = svg.getBoundingClientRect();
    const sx = ((clientX - box.left) / box.width) * W,
      sy = ((clientY - box.top) / box.height) * Ht;
    let best = -1,
      bd = 8 * 8;
    for (let i = 0; i < rows.length; i++) {
      const dd = (px[i] - sx) ** 2 + (py[i] - sy) ** 2;
      if (dd <= bd) {
        bd = dd;
        best = i;
      }
    }
    return best < 0 ? null : rows[best];
  };
}

/**
 * Histogram of polarity with bins symmetric about 0 (so no bin straddles the
 * sign change), clamped to ±`limit` (values beyond go into the end bins).
 */
export function drawHistogram(svg, values, { bins = 40, limit }) {
  const { W, Ht, L, R, T, B, area } = frame(svg, { height: 210, left: 46, right: 12, top: 22, bottom: 36 });
  const half = bins / 2;
  const counts = new Uint32Array(bins);
  const w = limit / half;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    let b = Math.floor(v / w) + half;
    if (v === 0) continue; // neither side; counted separately
    b = Math.max(0, Math.min(bins - 1, b));
    counts[b]++;
  }
  const top = Math.max(1, ...counts);
  const x = (v) => L + ((v + limit) / (2 * limit)) * (W - L - R);
  const y = (c) => T + (1 - c / top) * (Ht - T - B);
  axes(svg, {
    ...area,
    x,
    y,
    xt: ticks(-limit, limit, Math.max(4, Math.floor((W - L) / 80))),
    yt: wholeTicks(0, top, 4),
    yFmt: (v) => String(v),
    xLabel: 'polarity P_k',
    yLabel: 'rows',
  });
  for (let b = 0; b < bins; b++) {
    if (!counts[b]) continue;
    const a = -limit + b * w;
    const cls = a >= 0 ? 'bar-expand' : 'bar-contract';
    const r = el('rect', {
      x: x(a) + 0.5,
      y: y(counts[b]),
      width: Math.max(1, x(a + w) - x(a) - 1),
      height: Ht - B - y(counts[b]),
      class: cls,
    });
    const lo = b === 0 ? '≤ ' + fmt(-limit + w, 3) : fmt(a, 3);
    const hi = b === bins - 1 ? '≥ ' + fmt(a, 3) : fmt(a + w, 3);
    r.append(el('title', {}, `${counts[b]} rows with polarity in ${b === 0 ? lo : b === bins - 1 ? hi : `[${lo}, ${hi})`}`));
    svg.append(r);
  }
  svg.append(el('line', { x1: x(0), x2: x(0), y1: T, y2: Ht - B, class: 'zero' }));
  svg.append(el('text', { x: x(0) + 4, y: T - 6, class: 'zone-label expand' }, 'expands →'));
  svg.append(el('text', { x: x(0) - 4, y: T - 6, 'text-anchor': 'end', class: 'zone-label contract' }, '← contracts'));
  return counts;
}
