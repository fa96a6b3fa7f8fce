// @ts-check
// The lesson's charts. The entropy-change curve is the core's own drawing
// (Distribution.drawCurve, as on the explorer); the rest are plain SVG with
// classes only (no inline styles, so a strict CSP allows them; colours in
// css/lesson.css): the bars of a distribution with its flip lines, the history
// of a run of steps, each token's share of the average ΔH, a control-lab run.

import { Distribution, topProbBars } from '../../pkg/entropy_polarity.js';
import { axes, frame } from '../chart/frame.js';
import { drawStepHistory } from '../chart/history.js';
import { bar, line, rule } from '../chart/marks.js';
import { richText } from '../chart/richtext.js';
import { linear, scaleFromZero, ticks, wholeTicks } from '../chart/scale.js';
import { el } from '../chart/svg.js';
import { fitCanvas } from '../lib/dom.js';
import { fmt } from '../lib/format.js';

/**
 * The drawing width in SVG units: the element's own width between 340 and
 * 560, so that text keeps its CSS size on a phone instead of shrinking with
 * a fixed viewBox. `zoom` > 1 (presentation mode's larger type) draws in
 * fewer units, so that the chart's text grows with the page's.
 * @param {SVGSVGElement} svg @param {number} [zoom]
 */
const widthOf = (svg, zoom = 1) => Math.max(340, Math.min(560, Math.round((svg.clientWidth || 560) / zoom)));

const MAX_BARS = 16;

/**
 * @typedef {{p: number[], labels: string[], token: number, eH?: number, pdag?: number, after?: number[] | null, afterLabel?: string, zoom?: number}} BarsSpec
 * token −1: none marked; eH, pdag: the flip lines (none when not given).
 */

/**
 * A long distribution as its MAX_BARS − 1 likeliest tokens (the chosen one
 * always among them), most likely first, and one bar for the rest (the
 * core's topProbBars).
 * @param {BarsSpec} o @returns {BarsSpec}
 */
function topBars(o) {
  const b = topProbBars(Float64Array.from(o.p), o.after ? Float64Array.from(o.after) : null, o.token >= 0 ? o.token : undefined, MAX_BARS);
  return {
    ...o,
    p: Array.from(b.probs),
    labels: Array.from(b.index, (j) => (j < 0 ? `${b.rest} more` : o.labels[j])),
    token: b.token,
    after: b.after ? Array.from(b.after) : null,
  };
}

/**
 * The distribution as bars: p_k per token (the chosen token marked), the
 * flip lines at e^−H and p†, and optionally the probabilities after the
 * update as outlines.
 * @param {SVGSVGElement} svg @param {BarsSpec} o
 */
export function drawBars(svg, o) {
  if (o.p.length > MAX_BARS) o = topBars(o);
  const right = o.eH === undefined ? 16 : 78;
  const { W, Ht: H, L, R, T, B, area } = frame(svg, { width: widthOf(svg, o.zoom), height: 200, left: 40, right, top: 14, bottom: 34 });
  const { yt, y } = scaleFromZero(Math.max(...o.p, ...(o.after ?? []), o.pdag ?? 0, o.eH ?? 0) * 1.08, area);
  const n = o.p.length;
  const slot = (W - L - R) / n;
  const x = (i) => L + i * slot;
  axes(svg, { ...area, x, y, xt: [], yt, yFmt: (v) => fmt(v, 2) });
  svg.append(el('text', { x: 4, y: T - 3, class: 'label' }, 'p'));
  const w = Math.max(1, slot * 0.72);
  o.p.forEach((pk, i) => {
    svg.append(bar(x(i) + (slot - w) / 2, w, y(0), y(pk), i === o.token ? 'bar chosen' : 'bar'));
    if (o.after) svg.append(bar(x(i) + (slot - w) / 2, w, y(0), y(o.after[i]), 'bar-after'));
  });
  // Each token's name under its bar. Names wider than the bar's slot (long names,
  // many bars, a phone) alternate between two rows so that neighbours do not touch;
  // their width is known only once they are on screen.
  const names = o.labels.map(
    (name, i) =>
      /** @type {SVGTextElement} */ (
        el(
          'text',
          { x: (x(i) + slot / 2).toFixed(1), y: H - B + 13, 'text-anchor': 'middle', class: i === o.token ? 'tick chosen-label' : 'tick' },
          name,
        )
      ),
  );
  svg.append(...names);
  if (n > 8 || names.some((t) => t.getComputedTextLength() > slot - 4))
    names.forEach((t, i) => {
      if (i % 2) t.setAttribute('y', String(H - B + 26));
    });
  const flips = o.eH === undefined ? [] : [{ v: o.eH, name: 'e^{−H}', cls: 'flip-eh' }];
  if (o.pdag !== undefined && o.eH !== undefined) flips.push({ v: o.pdag, name: 'p†', cls: 'flip-pdag' });
  // Labels that would overlap move apart.
  const close = flips.length === 2 && Math.abs(y(flips[0].v) - y(flips[1].v)) < 13;
  flips.forEach((fl, i) => {
    const py = y(fl.v);
    svg.append(rule(area, { y: py }, `flip ${fl.cls}`));
    const ly = py + 4 + (close ? (fl.v >= flips[1 - i].v ? -6 : 6) : 0);
    svg.append(richText({ x: W - R + 4, y: ly.toFixed(1), class: `flip-label ${fl.cls}` }, `${fl.name} ${fmt(fl.v, 2)}`));
  });
  if (o.after && o.afterLabel) svg.append(el('text', { x: W - R, y: T - 3, 'text-anchor': 'end', class: 'tick' }, o.afterLabel));
}

/**
 * The entropy-change curve, drawn by the core on a canvas sized for the screen.
 * `zoom` > 1 (presentation mode) scales its text, lines and margins with the
 * page's type: the core draws everything at `scale` device pixels per unit.
 * Returns the core's layout (exactFlip among it); the canvas keeps the
 * plot's left edge in CSS pixels as data-plot-left (for tests).
 * @param {HTMLCanvasElement} canvas @param {import('./scenes.js').SceneState} s @param {boolean} dark @param {number} [zoom]
 */
export function drawCurve(canvas, s, dark, zoom = 1) {
  const dpr = fitCanvas(canvas);
  // The chart needs at least 240 CSS units across (the core's MIN_WIDTH).
  const z = Math.max(1, Math.min(zoom, canvas.clientWidth / 300));
  const d = Distribution.fromLogits(Float64Array.from(s.logits), s.temperature);
  try {
    const layout = d.drawCurve(canvas, s.token, s.kind, s.step * s.adv, { logX: s.logX, scale: dpr * z, dark });
    canvas.dataset.plotLeft = String(layout.left / dpr);
    return layout;
  } finally {
    d.free();
  }
}

/**
 * A run of steps: H (solid, left scale), p_k (dashed) and p† (dotted) on the
 * right scale 0–1, drawn up to step `upto`.
 * @param {SVGSVGElement} svg @param {{H: number, pk: number, pdag: number}[]} hist @param {number} upto
 * @param {string} label the token's name @param {number} [zoom]
 */
export function drawHistory(svg, hist, upto, label, zoom = 1) {
  const n = hist.length - 1;
  const { x, area } = drawStepHistory(svg, {
    box: { width: widthOf(svg, zoom), height: 220, left: 40, right: 40, top: 18, bottom: 34 },
    steps: n,
    upto,
    left: [{ values: hist.map((e) => e.H), cls: 'h-line', dot: 'h-dot' }],
    right: [
      { values: hist.map((e) => e.pdag), cls: 'pdag-line' },
      { values: hist.map((e) => e.pk), cls: 'pk-line', dot: 'pk-dot' },
    ],
    rightTicks: [0, 0.5, 1],
    rightDigits: 1,
    xTicks: 6,
    xLabel: 'step',
    dotRadius: 4,
    tickClass: 'tick',
  });
  const { x0, x1, y1 } = area;
  svg.append(el('text', { x: x0, y: y1 - 6, class: 'label h-key' }, 'H (nats) ━'));
  // The key of the right scale ends short of its axis, its two entries an em space apart
  // (SVG collapses plain spaces).
  svg.append(richText({ x: x1 - 6, y: y1 - 6, 'text-anchor': 'end', class: 'label' }, `p of “${label}” ╍\u2003p† ┈`));
  // Where the token passes p†: from there on every reward narrows.
  const cross = hist.findIndex((e) => e.pk > e.pdag);
  if (cross >= 0 && cross <= upto) {
    svg.append(rule(area, { x: x(cross) }, 'cross'));
    svg.append(el('text', { x: x(cross) + 4, y: area.y0 - 6, class: 'tick cross-label' }, 'p > p† from here'));
  }
  const last = hist[upto];
  // Full-precision values for tools and tests.
  svg.dataset.h = hist.map((e) => e.H).join(',');
  svg.dataset.pk = hist.map((e) => e.pk).join(',');
  svg.setAttribute(
    'aria-label',
    `History of ${upto} steps: H from ${fmt(hist[0].H, 3)} to ${fmt(last.H, 3)} nats; p of ${label} from ${fmt(hist[0].pk, 3)} to ${fmt(last.pk, 3)}.`,
  );
}

/**
 * Each token's share p_k ΔH_k of the expected entropy change, with its
 * advantage under it.
 * @param {SVGSVGElement} svg
 * `scale`: the largest |share| or |sum| the chart must hold, the same for
 * every case the scene compares, so that switching cases keeps the y axis.
 * @param {{labels: string[], A: number[], contrib: number[], sum: number, scale?: number}} o @param {number} [zoom]
 */
export function drawAverage(svg, o, zoom = 1) {
  const { W, Ht: H, L, R, T, B, area } = frame(svg, { width: widthOf(svg, zoom), height: 210, left: 58, right: 16, top: 20, bottom: 40 });
  const m = (o.scale ?? Math.max(...o.contrib.map(Math.abs), Math.abs(o.sum))) * 1.15 || 1;
  const yt = ticks(-m, m, 4);
  const lo = Math.min(-m, yt[0]),
    hi = Math.max(m, yt[yt.length - 1]);
  const y = linear(lo, hi, H - B, T);
  const cols = o.contrib.length + 1;
  const slot = (W - L - R) / cols;
  const x = (i) => L + i * slot;
  axes(svg, { ...area, x, y, xt: [], yt, yFmt: (v) => fmt(v, 2) });
  svg.append(rule(area, { y: y(0) }, 'zero'));
  svg.append(el('text', { x: 4, y: T - 6, class: 'label' }, 'share of E[ΔH] (nats)'));
  const column = (i, v, cls, name, under) => {
    const w = slot * 0.6;
    svg.append(bar(x(i) + (slot - w) / 2, w, y(0), y(v), `${cls} ${v >= 0 ? 'up' : 'down'}`));
    svg.append(el('text', { x: (x(i) + slot / 2).toFixed(1), y: H - B + 15, 'text-anchor': 'middle', class: 'tick' }, name));
    svg.append(el('text', { x: (x(i) + slot / 2).toFixed(1), y: H - B + 29, 'text-anchor': 'middle', class: 'tick' }, under));
  };
  o.contrib.forEach((v, i) => column(i, v, 'share', o.labels[i], `A ${o.A[i] > 0 ? '+' : ''}${fmt(o.A[i], 2)}`));
  // A sum that cancels (the same A for every token) shows as 0, its rounding residue aside.
  const cancels = Math.abs(o.sum) < 1e-12 * m;
  column(o.contrib.length, cancels ? 0 : o.sum, 'total', 'sum', cancels ? '0 (cancels)' : `${o.sum > 0 ? '+' : ''}${fmt(o.sum, 3)}`);
  svg.dataset.sum = String(o.sum);
  svg.dataset.yMax = String(hi);
  svg.setAttribute(
    'aria-label',
    `Each token's share of E[ΔH]: ${o.contrib.map((v, i) => `${o.labels[i]} ${fmt(v, 3)}`).join(', ')}; sum ${fmt(o.sum, 3)} nats.`,
  );
}

/**
 * A control-lab run: H over the steps for plain PG and polarity-aware reweighting.
 * @param {SVGSVGElement} svg @param {{pg: number[], polarity: number[]}} runs @param {number} [zoom]
 */
export function drawLab(svg, runs, zoom = 1) {
  const { L, T, area } = frame(svg, { width: widthOf(svg, zoom), height: 260, left: 40, right: 16, top: 22, bottom: 34 });
  const n = runs.pg.length - 1;
  const { yt, y } = scaleFromZero(Math.max(...runs.pg, ...runs.polarity) * 1.05, area);
  const x = linear(0, n, area.x0, area.x1);
  axes(svg, { ...area, x, y, xt: wholeTicks(0, n, 6), yt, yFmt: (v) => fmt(v, 2), xLabel: 'step' });
  svg.append(el('text', { x: L, y: T - 8, class: 'label' }, 'H (nats):'));
  svg.append(el('text', { x: L + 70, y: T - 8, class: 'label pg-key' }, '━ plain PG'));
  svg.append(el('text', { x: L + 170, y: T - 8, class: 'label pol-key' }, '╍ polarity (one-sided)'));
  const points = (ys) => ys.map((v, i) => /** @type {[number, number]} */ ([x(i), y(v)]));
  svg.append(line(points(runs.polarity), 'pol-line'), line(points(runs.pg), 'pg-line'));
  svg.dataset.pg = runs.pg.join(',');
  svg.dataset.polarity = runs.polarity.join(',');
  svg.setAttribute(
    'aria-label',
    `Entropy over ${n} steps: plain PG from ${fmt(runs.pg[0], 3)} to ${fmt(runs.pg[n], 3)} nats, polarity-aware to ${fmt(runs.polarity[n], 3)}.`,
  );
}

/**
 * The four quadrants as a table: rows likely / unlikely token, columns A > 0 / A < 0.
 * @param {HTMLTableElement} table
 * @param {{token: number, p: number, adv: number, exact: number}[]} q
 * @param {string[]} labels @param {number} pdag
 */
export function renderQuadrants(table, q, labels, pdag) {
  const cell = (tag, text, cls) => {
    const c = document.createElement(tag);
    c.textContent = text;
    if (cls) c.className = cls;
    return c;
  };
  const head = document.createElement('tr');
  head.append(cell('th', ''), cell('th', 'rewarded, A = +1'), cell('th', 'penalised, A = −1'));
  const rows = [0, 2].map((i) => {
    const tr = document.createElement('tr');
    const th = cell('th', `${labels[q[i].token]}, p = ${fmt(q[i].p, 2)} (${q[i].p > pdag ? 'likely: above' : 'unlikely: below'} p†)`);
    th.scope = 'row';
    tr.append(th);
    for (const e of [q[i], q[i + 1]]) {
      const td = cell(
        'td',
        `${e.exact > 0 ? '▲ widens' : '▼ narrows'} ${e.exact > 0 ? '+' : ''}${fmt(e.exact, 3)}`,
        e.exact > 0 ? 'widen' : 'narrow',
      );
      td.dataset.value = String(e.exact);
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...rows);
}
