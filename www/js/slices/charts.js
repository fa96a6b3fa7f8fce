// @ts-check
// Charts of the "Your logits" panel, drawn with the chart kit (js/chart/:
// classes only, so a strict CSP allows them; colours in css/slices.css
// and css/chart.css, so dark mode follows the page). Each draws into an <svg>
// at its current CSS width, so text keeps its size on a phone.

import { axes, frame } from '../chart/frame.js';
import { bandData, bar, dot, line, rule, shapePath } from '../chart/marks.js';
import { indexAt, nearest, pointerAt } from '../chart/readout.js';
import { linear, ticks, wholeTicks } from '../chart/scale.js';
import { scatterFrame, zeroLines } from '../chart/scatter.js';
import { el } from '../chart/svg.js';
import { fmt } from '../lib/format.js';

/**
 * Entropy along the positions. `lower` (optional): the lower bound of a
 * truncated slice, drawn dashed. Many rows are drawn as a min–max band per
 * pixel column. Returns a function mapping a client x to a row.
 */
export function drawEntropy(svg, H, { lower = null, truncated = false } = {}) {
  const { W, Ht, area } = frame(svg, { height: 210, left: 46, right: 12, top: 22, bottom: 34 });
  const n = H.length;
  let hi = 0;
  for (let i = 0; i < n; i++) hi = Math.max(hi, H[i], lower ? lower[i] : 0);
  hi = hi > 0 ? hi * 1.08 : 1;
  const x = n <= 1 ? () => (area.x0 + area.x1) / 2 : linear(0, n - 1, area.x0, area.x1);
  const y = linear(0, hi, area.y0, area.y1);
  axes(svg, {
    ...area,
    x,
    y,
    xt: wholeTicks(0, Math.max(0, n - 1), Math.max(2, Math.floor((W - area.x0) / 70))),
    yt: ticks(0, hi, 4),
    xFmt: (v) => String(v),
    xLabel: 'position (row)',
    yLabel: truncated ? 'H, nats (solid: top-k renormalised; dashed: lower bound)' : 'H, nats',
  });
  const series = (arr, cls) => {
    const cols = area.x1 - area.x0;
    if (n <= cols) {
      svg.append(
        line(
          Array.from(arr, (v, i) => /** @type {[number, number]} */ ([x(i), y(v)])),
          cls,
        ),
      );
      if (n <= 80) for (let i = 0; i < n; i++) svg.append(dot(x(i), y(arr[i]), 2.5, `${cls}-dot`));
      return;
    }
    // min–max band per pixel column, and the mean line
    /** @type {[number, number][]} */
    const top = [],
      bottom = [],
      mid = [];
    for (let c = 0; c < cols; c++) {
      const a = Math.floor((c / cols) * n),
        b = Math.max(a + 1, Math.floor(((c + 1) / cols) * n));
      let mn = Infinity,
        mx = -Infinity,
        sum = 0;
      for (let i = a; i < b; i++) {
        const v = arr[i];
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
        sum += v;
      }
      const px = area.x0 + c + 0.5;
      top.push([px, y(mx)]);
      bottom.push([px, y(mn)]);
      mid.push([px, y(sum / (b - a))]);
    }
    svg.append(el('path', { d: bandData(top, bottom), class: `${cls}-band` }));
    svg.append(line(mid, cls));
  };
  series(H, 'h-line');
  if (lower) series(lower, 'hlb-line');
  return (clientX) => indexAt(pointerAt(svg, clientX, 0, W, Ht).x, area.x0, area.x1, n);
}

/** The marker of a row by its advantage's sign: ● A > 0, ▲ A < 0, □ A = 0. */
/** @type {Record<string, 'circle' | 'triangle' | 'square'>} */
const SIGN = { pos: 'circle', neg: 'triangle', zero: 'square' };

export const MAX_POINTS = 3000;

/**
 * Every row at (ln p_k + H, polarity): the zero of the x axis is the nudge
 * flip p_k = e^−H. `rows`: indices of the rows to draw (a subsample when the
 * slice is large). One <path> per advantage sign keeps the DOM small; the
 * returned function finds the row nearest a pointer position (or null).
 */
export function drawScatter(svg, { x: xs, y: ys, adv, rows }) {
  const s = scatterFrame(svg, {
    box: { height: 250, left: 58, right: 14, top: 22, bottom: 36 },
    xs,
    ys,
    idx: rows,
    xLabel: 'ln p_{k} + H   (0: p_{k} = e^{−H}, the nudge flip)',
    yLabel: 'polarity P_{k} = A (S\u0304 − S_{k})',
    empty: 'no rows',
    xSpacing: 80,
    pad: { x: 0.05, y: 0.08 },
    unit: { x: 1, y: 1e-3 },
    under: ({ y, area }) => {
      const z = Math.min(area.y0, Math.max(area.y1, y(0)));
      svg.append(el('rect', { x: area.x0, y: area.y1, width: area.x1 - area.x0, height: z - area.y1, class: 'zone-expand' }));
      svg.append(el('rect', { x: area.x0, y: z, width: area.x1 - area.x0, height: area.y0 - z, class: 'zone-contract' }));
    },
  });
  if (!s) return () => null;
  const { x, y, area, W, Ht } = s;
  zeroLines(svg, s, 'flip');
  svg.append(el('text', { x: area.x1 - 4, y: area.y1 + 12, 'text-anchor': 'end', class: 'zone-label expand' }, '↑ expands'));
  svg.append(el('text', { x: area.x1 - 4, y: area.y0 - 6, 'text-anchor': 'end', class: 'zone-label contract' }, '↓ contracts'));
  const d = { pos: [], neg: [], zero: [] };
  const px = new Float64Array(rows.length),
    py = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const a = adv ? adv[r] : 1;
    const k = a > 0 ? 'pos' : a < 0 ? 'neg' : 'zero';
    px[i] = x(xs[r]);
    py[i] = y(ys[r]);
    d[k].push(shapePath(SIGN[k], px[i], py[i], 7.2));
  });
  for (const k of ['pos', 'neg', 'zero']) if (d[k].length) svg.append(el('path', { d: d[k].join(''), class: `pt adv-${k}` }));
  return (clientX, clientY) => {
    const p = pointerAt(svg, clientX, clientY, W, Ht);
    const i = nearest(px, py, p.x, p.y);
    return i < 0 ? null : rows[i];
  };
}

/**
 * Histogram of polarity with bins symmetric about 0 (so no bin straddles the
 * sign change), clamped to ±`limit` (values beyond go into the end bins).
 */
export function drawHistogram(svg, values, { bins = 40, limit }) {
  const { W, area } = frame(svg, { height: 210, left: 46, right: 12, top: 22, bottom: 36 });
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
  const x = linear(-limit, limit, area.x0, area.x1);
  const y = linear(0, top, area.y0, area.y1);
  axes(svg, {
    ...area,
    x,
    y,
    xt: ticks(-limit, limit, Math.max(4, Math.floor((W - area.x0) / 80))),
    yt: wholeTicks(0, top, 4),
    yFmt: (v) => String(v),
    xLabel: 'polarity P_{k}',
    yLabel: 'rows',
  });
  for (let b = 0; b < bins; b++) {
    if (!counts[b]) continue;
    const a = -limit + b * w;
    const r = bar(x(a) + 0.5, Math.max(1, x(a + w) - x(a) - 1), area.y0, y(counts[b]), a >= 0 ? 'bar-expand' : 'bar-contract');
    const lo = b === 0 ? '≤ ' + fmt(-limit + w, 3) : fmt(a, 3);
    const hi = b === bins - 1 ? '≥ ' + fmt(a, 3) : fmt(a + w, 3);
    r.append(el('title', {}, `${counts[b]} rows with polarity in ${b === 0 ? lo : b === bins - 1 ? hi : `[${lo}, ${hi})`}`));
    svg.append(r);
  }
  svg.append(rule(area, { x: x(0) }, 'zero'));
  svg.append(el('text', { x: x(0) + 4, y: area.y1 - 6, class: 'zone-label expand' }, 'expands →'));
  svg.append(el('text', { x: x(0) - 4, y: area.y1 - 6, 'text-anchor': 'end', class: 'zone-label contract' }, '← contracts'));
  return counts;
}
