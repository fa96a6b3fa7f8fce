// @ts-check
// Axes for the charts drawn in plain SVG (the slice and run panels, the
// lesson, the step history; the control lab takes frame() and the ticks):
// the chart's frame and plot area, round tick values and scales, and the
// grid, tick marks, labels and axis lines, all as classed elements (no
// inline styles, so a strict CSP allows them; colours live in the page's CSS).

import { el } from './svg.js';
import { fmt } from '../lib/format.js';
import { setTextWithOverbars } from '../lib/overbar.js';

/**
 * Clears an <svg> for a chart of `height` SVG units and returns its width
 * with the chart's margins under the short names the drawing code uses, and
 * `area`, the plot area's edges as axes() takes them. The width is `width`
 * when the chart chooses its own, else the element's CSS width (at least 260,
 * so text keeps its size on a phone); `height` is also set as the element's
 * height, which the page's CSS may override.
 * @param {SVGSVGElement | Element} svg
 * @param {{ height: number, left: number, right: number, top: number, bottom: number, width?: number }} box
 */
export function frame(svg, { height, left, right, top, bottom, width }) {
  const W = width ?? Math.max(260, Math.round(svg.clientWidth || svg.parentElement?.clientWidth || 480));
  svg.setAttribute('viewBox', `0 0 ${W} ${height}`);
  svg.setAttribute('height', String(height));
  svg.replaceChildren();
  const area = { x0: left, x1: W - right, y0: height - bottom, y1: top, height };
  return { W, Ht: height, L: left, R: right, T: top, B: bottom, area };
}

/**
 * Round tick values (1, 2, 2.5 or 5 × 10^k apart) covering [lo, hi], about
 * `count` of them; `[lo]` when the range is empty.
 * @param {number} lo @param {number} hi @param {number} [count]
 * @returns {number[]}
 */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(count, 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  const step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
  const out = [];
  // The ±1e-9 steps absorb rounding, so that lo and hi themselves count.
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

/** Only the whole numbers among `ticks(lo, hi, count)` (rows, steps, counts). */
export function wholeTicks(lo, hi, count = 5) {
  return ticks(lo, hi, count).filter((v) => Number.isInteger(v));
}

/**
 * The y scale of a chart whose values run from 0 up to `hi`: about `count`
 * round ticks, and the map from a value to a pixel row between `y0` (0, the
 * x axis) and `y1` (the top edge). The top is `hi` or the last tick,
 * whichever is higher, so that no value is drawn above the chart.
 * @param {number} hi @param {{ y0: number, y1: number }} area @param {number} [count]
 */
export function scaleFromZero(hi, { y0, y1 }, count = 4) {
  const yt = ticks(0, hi, count);
  const top = Math.max(hi, yt[yt.length - 1]);
  return { yt, y: (v) => y1 + (1 - v / top) * (y0 - y1) };
}

/**
 * @typedef {object} AxesSpec
 * @property {number} x0 left edge of the plot area
 * @property {number} x1 right edge
 * @property {number} y0 bottom edge (the x axis)
 * @property {number} y1 top edge
 * @property {(v: number) => number} x maps a value to a pixel column
 * @property {(v: number) => number} y maps a value to a pixel row
 * @property {number[]} xt x tick values
 * @property {number[]} yt y tick values (each gets a grid line)
 * @property {(v: number) => string} [xFmt] x tick label (default fmt(v, 3))
 * @property {(v: number) => string} [yFmt] y tick label (default fmt(v, 3))
 * @property {string} [xLabel] under the x axis, centred
 * @property {string} [yLabel] above the y axis
 * @property {number} [height] the chart's height, for the x label (default y0 + 30)
 * @property {string} [tickClass] class of the tick labels
 * @property {string} [labelClass] class of the axis labels (default 'label')
 */

/**
 * Draws y grid lines with labels, x tick marks with labels, the two axis
 * lines and the axis labels into `parent` (an <svg> or <g>).
 * @param {Element} parent @param {AxesSpec} a
 */
export function axes(parent, a) {
  const { x0, x1, y0, y1, x, y, xt, yt } = a;
  const xFmt = a.xFmt ?? ((v) => fmt(v, 3));
  const yFmt = a.yFmt ?? ((v) => fmt(v, 3));
  const tick = a.tickClass ? { class: a.tickClass } : {};
  const f = (v) => v.toFixed(1);
  for (const v of yt) {
    const py = y(v);
    parent.append(el('line', { x1: x0, x2: x1, y1: f(py), y2: f(py), class: 'grid' }));
    parent.append(el('text', { x: x0 - 5, y: f(py + 4), 'text-anchor': 'end', ...tick }, yFmt(v)));
  }
  for (const v of xt) {
    const px = x(v);
    parent.append(el('line', { x1: f(px), x2: f(px), y1: y0, y2: y0 + 4, class: 'axis' }));
    parent.append(el('text', { x: f(px), y: y0 + 15, 'text-anchor': 'middle', ...tick }, xFmt(v)));
  }
  parent.append(el('line', { x1: x0, x2: x1, y1: y0, y2: y0, class: 'axis' }));
  parent.append(el('line', { x1: x0, x2: x0, y1: y1, y2: y0, class: 'axis' }));
  const label = a.labelClass ?? 'label';
  if (a.xLabel)
    parent.append(
      setTextWithOverbars(el('text', { x: (x0 + x1) / 2, y: (a.height ?? y0 + 30) - 4, 'text-anchor': 'middle', class: label }), a.xLabel),
    );
  if (a.yLabel) parent.append(setTextWithOverbars(el('text', { x: x0, y: y1 - 6, class: label }), a.yLabel));
}
