// @ts-check
// Charts of the training-run panel, drawn as plain SVG elements with classes
// (CSP-safe; colours live in css/runs.css, so dark mode follows the page). Each
// draws at the <svg>'s current CSS width, so text keeps its size on a phone.
// Polarity sign is told by colour (blue ▲ expands / orange ▼ contracts, the
// Okabe–Ito pair of the explorer) and by shape or pattern as well.

import { leastSquares } from '../../pkg/entropy_polarity.js';
import { axes, emptyNote, frame } from '../chart/frame.js';
import { barPath, dot, line, rule, seriesPoints, shapePath } from '../chart/marks.js';
import { extent, linear, ticks } from '../chart/scale.js';
import { scatterFrame, zeroLines } from '../chart/scatter.js';
import { el } from '../chart/svg.js';
import { fmt } from '../lib/format.js';

/** The x axis of a chart over training steps: whole-step ticks about every 70 units. */
function stepAxis(steps, W, L, R) {
  const s0 = steps[0] ?? 0,
    s1 = steps[steps.length - 1] ?? 1;
  const x = steps.length <= 1 ? () => (L + W - R) / 2 : linear(s0, s1 > s0 ? s1 : s0 + 1, L, W - R);
  const xt = ticks(s0, s1, Math.max(2, Math.floor((W - L) / 70))).filter(Number.isInteger);
  return { x, xt: xt.length ? xt : [s0] };
}

/**
 * Lines across steps: `series` = [{ values, cls, name }], gaps where a value
 * is empty (NaN). Returns false (and draws a note) when nothing is finite.
 * @param {Element} svg @param {number[]} steps @param {{ values: ArrayLike<number>, cls: string, name: string }[]} series
 * `domain` fixes the y range; `ref` draws a labelled horizontal reference
 * line (e.g. 0.5, what a coin scores on sign agreement).
 * @param {{ yLabel?: string, zero?: boolean, height?: number, domain?: [number, number], ref?: { value: number, label: string }, yFmt?: (v: number) => string }} [options]
 */
export function drawSeries(svg, steps, series, options = {}) {
  const { yLabel = undefined, zero = false, height = 170, domain = undefined, ref = undefined, yFmt = undefined } = options;
  const { W, Ht, L, R, area } = frame(svg, { height, left: 56, right: 12, top: 20, bottom: 32 });
  const found = extent(
    series.map((s) => s.values),
    { withZero: zero },
  );
  const ext = found && domain ? domain : found;
  if (!ext) {
    emptyNote(svg, W, Ht, 'empty: no values in this run');
    return false;
  }
  const [y0, y1] = ext;
  const { x, xt } = stepAxis(steps, W, L, R);
  const y = linear(y0, y1, area.y0, area.y1);
  axes(svg, { ...area, x, y, xt, yt: ticks(y0, y1, 4), xFmt: String, ...(yFmt ? { yFmt } : {}), xLabel: 'step', yLabel });
  if (zero && y0 < 0 && y1 > 0) svg.append(rule(area, { y: y(0) }, 'zero'));
  if (ref) {
    svg.append(rule(area, { y: y(ref.value) }, 'ref', { title: ref.label, attrs: { 'data-ref': ref.value } }));
    svg.append(el('text', { x: area.x1 - 2, y: y(ref.value) - 3, 'text-anchor': 'end', class: 'label' }, ref.label));
  }
  const n = steps.length;
  // More steps than pixel columns (issue 19: a 1,000,000-row CSV): the path keeps each column's extremes.
  const cols = Math.max(1, Math.round(area.x1 - area.x0));
  for (const s of series) {
    svg.append(
      line(
        seriesPoints(s.values, (i) => x(steps[i]), y, cols),
        `line ${s.cls}`,
        { title: s.name },
      ),
    );
    if (n > 60) continue;
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (Number.isFinite(v)) svg.append(dot(x(steps[i]), y(v), 2.6, `dot ${s.cls}`, `step ${steps[i]}: ${s.name} = ${fmt(v, 5)}`));
    }
  }
  return true;
}

// Named for what they count, the sign of the token term and of A, not for
// what the entropy did (issue 19): the realised change is measured apart.
const SHARES = [
  ['sharePosExpand', 'share-pos-expand', 'token term > 0 with A > 0'],
  ['sharePosContract', 'share-pos-contract', 'token term < 0 with A > 0'],
  ['shareNegExpand', 'share-neg-expand', 'token term > 0 with A < 0'],
  ['shareNegContract', 'share-neg-contract', 'token term < 0 with A < 0'],
];
export const SHARE_NAMES = SHARES.map(([, cls, name]) => ({ cls, name }));

/** The four shares stacked per step (a bar per step; empty steps left blank). */
export function drawShares(svg, all) {
  const { W, Ht, L, R, area } = frame(svg, { height: 170, left: 56, right: 12, top: 20, bottom: 32 });
  if (!SHARES.some(([k]) => all[k].some(Number.isFinite))) {
    emptyNote(svg, W, Ht, 'empty: no token terms in this run');
    return false;
  }
  // More steps than pixel columns: one bar per column, the mean shares of its steps.
  const s = all.step.length > W - L - R ? meanPerColumn(all, Math.max(1, Math.round(W - L - R))) : all;
  const steps = s.step;
  const n = steps.length;
  const { x, xt } = stepAxis(all.step, W, L + 6, R + 6);
  const y = linear(0, 1, area.y0, area.y1);
  axes(svg, {
    ...area,
    x,
    y,
    xt,
    yt: [0, 0.25, 0.5, 0.75, 1],
    xFmt: String,
    yFmt: (v) => `${v * 100}%`,
    xLabel: 'step',
    yLabel: 'share of tokens with A ≠ 0',
  });
  let gap = (W - L - R) / Math.max(1, n);
  if (n > 1) gap = Math.min(gap, (x(steps[n - 1]) - x(steps[0])) / (n - 1));
  const bw = Math.max(1, Math.min(24, gap * 0.8));
  const paths = SHARES.map(() => '');
  for (let i = 0; i < n; i++) {
    let acc = 0;
    SHARES.forEach(([k], j) => {
      const v = s[k][i];
      if (!Number.isFinite(v) || v <= 0) return;
      paths[j] += barPath(x(steps[i]) - bw / 2, bw, y(acc + v), y(acc));
      acc += v;
    });
  }
  SHARES.forEach(([, cls, name], j) => {
    if (!paths[j]) return;
    const p = el('path', { d: paths[j], class: `share ${cls}` });
    p.append(el('title', {}, name));
    svg.append(p);
  });
  return true;
}

/**
 * The shares of `s` averaged over `cols` equal ranges of steps (each range's
 * steps with all four shares), one entry per range that has any.
 */
function meanPerColumn(s, cols) {
  const n = s.step.length;
  const s0 = s.step[0],
    span = s.step[n - 1] - s0 || 1;
  const sum = SHARES.map(() => new Float64Array(cols));
  const stepSum = new Float64Array(cols);
  const count = new Float64Array(cols);
  for (let i = 0; i < n; i++) {
    if (!SHARES.every(([k]) => Number.isFinite(s[k][i]))) continue;
    const c = Math.min(cols - 1, Math.floor(((s.step[i] - s0) / span) * cols));
    SHARES.forEach(([k], j) => (sum[j][c] += s[k][i]));
    stepSum[c] += s.step[i];
    count[c]++;
  }
  const keep = [];
  for (let c = 0; c < cols; c++) if (count[c]) keep.push(c);
  const out = { step: keep.map((c) => stepSum[c] / count[c]) };
  SHARES.forEach(([k], j) => (out[k] = keep.map((c) => sum[j][c] / count[c])));
  return out;
}

/** The run panel's scatter frame: axes holding the points `idx` and 0, with the two zero lines. */
function scatterAxes(svg, xs, ys, idx, { xLabel, yLabel, height, empty, yFmt = undefined }) {
  const box = { height, left: 62, right: 14, top: 22, bottom: 36 };
  const s = scatterFrame(svg, { box, xs, ys, idx, xLabel, yLabel, empty, ...(yFmt ? { yFmt } : {}) });
  if (s) zeroLines(svg, s);
  return s;
}

/**
 * Scatter of y against x with one labelled point per entry (`labels`), and
 * the least-squares line over the points kept. Used for token term against
 * realised ΔH per step: `leftOut(i)` names why a point is left out of the
 * statistics (a gap, no update), and such points are drawn hollow. Beyond
 * `maxLabelled` points, the points are one path, one dot per pixel, without
 * titles (issue 19: 100,000 steps made 200,000 SVG nodes).
 */
export function drawScatter(
  svg,
  xs,
  ys,
  { labels, xLabel, yLabel, height = 240, leftOut = (/** @type {number} */ _i) => /** @type {string | null} */ (null), maxLabelled = 400 },
) {
  const idx = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) idx.push(i);
  const frameOf = scatterAxes(svg, xs, ys, idx, { xLabel, yLabel, height, empty: 'no step has both values' });
  if (!frameOf) return;
  const { x, y, x0, x1 } = frameOf;
  // The least-squares line over the points kept, from the core, for the eye
  // only (the numbers are in the caption).
  const kept = idx.filter((i) => !leftOut(i));
  const fit = leastSquares(
    Float64Array.from(kept, (i) => xs[i]),
    Float64Array.from(kept, (i) => ys[i]),
  );
  if (fit) {
    const at = (v) => y(fit.meanY + fit.slope * (v - fit.meanX));
    svg.append(el('line', { x1: x(x0), y1: at(x0), x2: x(x1), y2: at(x1), class: 'fit' }));
  }
  if (idx.length > maxLabelled) {
    // one dot per pixel: a bitmap of the pixels already drawn
    const w = Math.ceil(x(x1)) + 4;
    const seen = new Uint8Array(w * (height + 4));
    const d = { in: '', out: '' };
    for (const i of idx) {
      const px = Math.round(x(xs[i])),
        py = Math.round(y(ys[i]));
      const k = py * w + px;
      if (seen[k]) continue;
      seen[k] = 1;
      d[leftOut(i) ? 'out' : 'in'] += shapePath('circle', px, py, 4);
    }
    if (d.in) svg.append(el('path', { d: d.in, class: 'pt' }));
    if (d.out) svg.append(el('path', { d: d.out, class: 'pt out' }));
    return;
  }
  for (const i of idx) {
    const why = leftOut(i);
    const title = `${labels ? labels(i) : i}: ${fmt(xs[i], 4)}, ${fmt(ys[i], 4)}${why ? ` (left out: ${why})` : ''}`;
    svg.append(dot(x(xs[i]), y(ys[i]), idx.length > 200 ? 2 : 3.6, why ? 'pt out' : 'pt', title));
  }
}

/** The marker of a token by its advantage's sign: ● A > 0, ▲ A < 0, □ A = 0. */
const SIGN = /** @type {const} */ ({ pos: 'circle', neg: 'triangle', zero: 'square' });

/**
 * Advantage against probability of kept tokens (formats without entropy):
 * log p axis; ● A > 0, ▲ A < 0, □ A = 0.
 */
export function drawAdvantageProb(svg, prob, adv, keep) {
  const { W, L, area } = frame(svg, { height: 220, left: 56, right: 12, top: 20, bottom: 36 });
  const idx = keep.filter((i) => prob[i] > 0 && Number.isFinite(adv[i]));
  if (!idx.length) return false;
  let lo = 0,
    a0 = 0,
    a1 = 0;
  for (const i of idx) {
    lo = Math.min(lo, Math.log10(prob[i]));
    a0 = Math.min(a0, adv[i]);
    a1 = Math.max(a1, adv[i]);
  }
  lo = Math.floor(lo);
  if (lo === 0) lo = -1;
  const pad = (a1 - a0) * 0.08 || 1;
  const [y0, y1] = [a0 - pad, a1 + pad];
  const x = linear(lo, 0, area.x0, area.x1);
  const y = linear(y0, y1, area.y0, area.y1);
  const xt = [];
  const stride = Math.max(1, Math.ceil(-lo / Math.max(2, Math.floor((W - L) / 60))));
  for (let e = lo; e <= 0; e += stride) xt.push(e);
  axes(svg, {
    ...area,
    x,
    y,
    xt,
    yt: ticks(y0, y1, 4),
    xFmt: (e) => `1e${e}`.replace('1e0', '1'),
    xLabel: 'p_{k} (log scale)',
    yLabel: 'advantage A',
  });
  svg.append(rule(area, { y: y(0) }, 'zero'));
  const d = { pos: '', neg: '', zero: '' };
  for (const i of idx) {
    const k = adv[i] > 0 ? 'pos' : adv[i] < 0 ? 'neg' : 'zero';
    d[k] += shapePath(SIGN[k], x(Math.log10(prob[i])), y(adv[i]), 6);
  }
  for (const k of ['pos', 'neg', 'zero']) if (d[k]) svg.append(el('path', { d: d[k], class: `apt adv-${k}` }));
  return true;
}

/**
 * Per-token scatter of predicted against realised change, with zero lines:
 * `idx` lists the points (indices into xs, ys); those of `chosen(i)` are
 * drawn solid, the rest faint (all points when `chosen` is null). Points are
 * drawn as one path per group, so thousands stay cheap; at most `maxPoints`
 * are drawn (an even stride), the caller's statistics use all of them.
 * Returns the number of points drawn.
 */
export function drawTokenScatter(svg, xs, ys, idx, { chosen = null, xLabel, yLabel, maxPoints = 4000, height = 260 }) {
  const frameOf = scatterAxes(svg, xs, ys, idx, { xLabel, yLabel, height, empty: 'no token has both values', yFmt: (v) => fmt(v, 3) });
  if (!frameOf) return 0;
  const { x, y } = frameOf;
  const stride = Math.max(1, Math.ceil(idx.length / maxPoints));
  let on = '',
    off = '',
    drawn = 0;
  for (let k = 0; k < idx.length; k += stride) {
    const i = idx[k];
    const d = shapePath('circle', x(xs[i]), y(ys[i]), 4.8);
    if (!chosen || chosen(i)) on += d;
    else off += d;
    drawn++;
  }
  if (off) svg.append(el('path', { d: off, class: 'tpt faint' }));
  if (on) svg.append(el('path', { d: on, class: 'tpt', 'data-testid': 'run-same-points' }));
  return drawn;
}
