// @ts-check
// The frame of a scatter: x and y ranges that hold the points and 0, padded;
// round ticks; the axes and the two zero lines. The run panel's and the
// slice panel's scatters are all drawn in it.

import { axes, emptyNote, frame } from './frame.js';
import { rule } from './marks.js';
import { extent, linear, ticks } from './scale.js';

/**
 * @typedef {object} ScatterSpec
 * @property {{ height: number, left: number, right: number, top: number, bottom: number }} box the chart's margins
 * @property {ArrayLike<number>} xs @property {ArrayLike<number>} ys
 * @property {ArrayLike<number>} idx the points to hold (indices into xs, ys)
 * @property {string} xLabel @property {string} yLabel
 * @property {string} empty the note drawn when there is no point
 * @property {number} [xSpacing] about how many units between x ticks (default 90)
 * @property {{ x: number, y: number }} [pad] each range is widened by this share of its span (default 0.06)
 * @property {{ x: number, y: number }} [unit] or by this much when the span is 0 (default 1)
 * @property {(v: number) => string} [xFmt] @property {(v: number) => string} [yFmt]
 * @property {(s: { x: (v: number) => number, y: (v: number) => number, area: import('./frame.js').Area }) => void} [under]
 *   draws what goes under the axes (zones)
 */

/**
 * Draws the frame of a scatter of ys against xs over the points `idx` and
 * returns its scales and ranges, or null (after a note saying `empty`) when
 * there is no point.
 * @param {Element} svg @param {ScatterSpec} o
 */
export function scatterFrame(svg, o) {
  const { W, Ht, area } = frame(svg, o.box);
  if (!o.idx.length) {
    emptyNote(svg, W, Ht, o.empty);
    return null;
  }
  const pick = (a) => Array.from(o.idx, (i) => a[i]);
  const pad = o.pad ?? { x: 0.06, y: 0.06 };
  const unit = o.unit ?? { x: 1, y: 1 };
  const [x0, x1] = /** @type {[number, number]} */ (extent([pick(o.xs)], { withZero: true, pad: pad.x, unit: unit.x }));
  const [y0, y1] = /** @type {[number, number]} */ (extent([pick(o.ys)], { withZero: true, pad: pad.y, unit: unit.y }));
  const x = linear(x0, x1, area.x0, area.x1);
  const y = linear(y0, y1, area.y0, area.y1);
  o.under?.({ x, y, area });
  axes(svg, {
    ...area,
    x,
    y,
    xt: ticks(x0, x1, Math.max(2, Math.floor((W - area.x0) / (o.xSpacing ?? 90)))),
    yt: ticks(y0, y1, 4),
    ...(o.xFmt ? { xFmt: o.xFmt } : {}),
    ...(o.yFmt ? { yFmt: o.yFmt } : {}),
    xLabel: o.xLabel,
    yLabel: o.yLabel,
  });
  return { x, y, x0, x1, y0, y1, area, W, Ht };
}

/** The two zero lines of a scatter (x = 0 and y = 0), with class `cls` for the vertical one. */
export function zeroLines(svg, { x, y, area }, cls = 'zero') {
  svg.append(rule(area, { x: x(0) }, cls), rule(area, { y: y(0) }, 'zero'));
}
