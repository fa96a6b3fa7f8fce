// @ts-check
// The frame of a chart drawn in plain SVG: its size and plot area, and the
// axes (grid, tick marks, tick labels, axis lines, axis labels), all as
// classed elements (no inline styles, so a strict CSP allows them; colours
// and sizes live in css/chart.css and the view's own CSS).

import { el } from './svg.js';
import { fmt } from '../lib/format.js';
import { setRichText } from './richtext.js';

/**
 * @typedef {object} Area the plot area, in SVG units
 * @property {number} x0 left edge
 * @property {number} x1 right edge
 * @property {number} y0 bottom edge (the x axis)
 * @property {number} y1 top edge
 * @property {number} height the whole chart's height
 */

/**
 * Clears an <svg> for a chart of `height` SVG units and returns its width
 * with the chart's margins under the short names the drawing code uses, and
 * `area`, the plot area. The width is `width` when the chart chooses its
 * own, else the element's CSS width (at least 260, so text keeps its size on
 * a phone); `height` is also set as the element's height, which the page's
 * CSS may override. The <svg> gets the class chart-svg (css/chart.css).
 * @param {SVGSVGElement | Element} svg
 * @param {{ height: number, left: number, right: number, top: number, bottom: number, width?: number }} box
 */
export function frame(svg, { height, left, right, top, bottom, width }) {
  const W = width ?? Math.max(260, Math.round(svg.clientWidth || svg.parentElement?.clientWidth || 480));
  svg.setAttribute('viewBox', `0 0 ${W} ${height}`);
  svg.setAttribute('height', String(height));
  svg.classList?.add('chart-svg');
  svg.replaceChildren();
  /** @type {Area} */
  const area = { x0: left, x1: W - right, y0: height - bottom, y1: top, height };
  return { W, Ht: height, L: left, R: right, T: top, B: bottom, area };
}

/**
 * A new <svg> of a fixed size in CSS pixels (a chart that is not in the
 * page's markup), with its accessible name.
 * @param {number} width @param {number} height @param {string} [title]
 */
export function newSvg(width, height, title) {
  const svg = el('svg', { width, height, class: 'chart-svg', ...(title ? { role: 'img', 'aria-label': title } : {}) });
  return svg;
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
 * @property {string} [xLabel] under the x axis, centred (rich text: S̄, ^{…}, _{…})
 * @property {string} [yLabel] above the y axis (rich text)
 * @property {'top' | 'side'} [yLabelAt] 'side': turned a quarter along the y axis, at the chart's left edge
 * @property {number} [height] the chart's height, for the x label (default y0 + 30)
 * @property {number} [width] the chart's width: an x tick label within 16 units of it ends at its edge, so it stays inside
 * @property {boolean} [xGrid] x ticks get grid lines across the plot too
 * @property {boolean} [box] a rectangle around the plot area instead of the two axis lines
 * @property {string} [tickClass] class of the tick labels
 * @property {string} [labelClass] class of the axis labels (default 'label')
 */

/**
 * Draws the grid lines with y tick labels, x tick marks with labels, the
 * axis lines (or a box) and the axis labels into `parent` (an <svg> or <g>).
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
    if (a.xGrid) parent.append(el('line', { x1: f(px), x2: f(px), y1: y1, y2: y0, class: 'grid' }));
    else parent.append(el('line', { x1: f(px), x2: f(px), y1: y0, y2: y0 + 4, class: 'axis' }));
    const end = a.width !== undefined && px > a.width - 16;
    parent.append(el('text', { x: f(end ? a.width - 2 : px), y: y0 + 15, 'text-anchor': end ? 'end' : 'middle', ...tick }, xFmt(v)));
  }
  if (a.box) parent.append(el('rect', { x: x0, y: y1, width: x1 - x0, height: y0 - y1, class: 'frame' }));
  else {
    parent.append(el('line', { x1: x0, x2: x1, y1: y0, y2: y0, class: 'axis' }));
    parent.append(el('line', { x1: x0, x2: x0, y1: y1, y2: y0, class: 'axis' }));
  }
  const label = a.labelClass ?? 'label';
  if (a.xLabel) {
    const at = { x: (x0 + x1) / 2, y: (a.height ?? y0 + 30) - 4, 'text-anchor': 'middle', class: label };
    parent.append(setRichText(el('text', at), a.xLabel));
  }
  if (a.yLabel && a.yLabelAt === 'side') {
    const mid = (y0 + y1) / 2;
    const at = { x: 14, y: mid, 'text-anchor': 'middle', transform: `rotate(-90 14 ${mid})`, class: label };
    parent.append(setRichText(el('text', at), a.yLabel));
  } else if (a.yLabel) parent.append(setRichText(el('text', { x: x0, y: y1 - 6, class: label }), a.yLabel));
}

/**
 * A group whose content is clipped to the plot area (points and lines that
 * run past the axes), appended to `svg`.
 * @param {Element} svg @param {{ x0: number, x1: number, y0: number, y1: number }} area
 */
export function clipped(svg, { x0, x1, y0, y1 }) {
  const id = `clip-${Math.random().toString(36).slice(2)}`;
  const clip = el('clipPath', { id });
  clip.append(el('rect', { x: x0, y: y1, width: x1 - x0, height: y0 - y1 }));
  const g = el('g', { 'clip-path': `url(#${id})` });
  svg.append(clip, g);
  return g;
}

/** A note in the middle of an empty chart ("empty: no values in this run"). @param {Element} svg @param {number} W @param {number} H @param {string} text */
export function emptyNote(svg, W, H, text) {
  svg.append(el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'label' }, text));
}
