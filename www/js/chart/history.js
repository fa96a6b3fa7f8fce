// @ts-check
// A history over steps 0…n with two scales: values from 0 up (entropy H, in
// nats) on the left and probabilities 0–1 on the right, each series a line
// with a dot at the last step drawn. The explorer's step history and the
// lesson's run of steps are both this chart; each adds its own keys.

import { el } from './svg.js';
import { fmt } from '../lib/format.js';
import { axes, frame } from './frame.js';
import { linear, scaleFromZero, wholeTicks } from './scale.js';
import { dot, line } from './marks.js';

/**
 * @typedef {object} HistorySeries
 * @property {ArrayLike<number>} values one per step, step 0 first
 * @property {string} cls the line's class
 * @property {string} [dot] the class of the dot at the last step drawn (none without)
 * @property {Record<string, string>} [attrs] more attributes of the line (data-values…)
 */

/**
 * Draws the history into `svg` and returns the chart's layout (the step's
 * column `x`, the two scales, the plot area) for the view's keys and marks.
 * @param {SVGSVGElement} svg
 * @param {{ box: { width: number, height: number, left: number, right: number, top: number, bottom: number },
 *   steps: number, upto?: number, left: HistorySeries[], right: HistorySeries[],
 *   rightTicks: number[], rightDigits: number, xTicks?: number, xLabel: string, dotRadius: number, tickClass?: string }} o
 * `steps`: the last step (n); `upto`: the last step drawn (n by default); `xTicks`: about how many step ticks (none without).
 */
export function drawStepHistory(svg, o) {
  const { W, area } = frame(svg, o.box);
  const n = o.steps;
  const upto = o.upto ?? n;
  let hi = 1e-9;
  for (const s of o.left) for (let i = 0; i < s.values.length; i++) hi = Math.max(hi, s.values[i]);
  // The left scale's top is never below its highest value (a top at the last round tick drew H above the chart).
  const { yt, y: yL } = scaleFromZero(hi * 1.05, area);
  const x = linear(0, n, area.x0, n <= 0 ? area.x0 : area.x1);
  const yR = linear(0, 1, area.y0, area.y1);
  const tick = o.tickClass ? { class: o.tickClass } : {};
  axes(svg, {
    ...area,
    x,
    y: yL,
    xt: o.xTicks ? wholeTicks(0, n, o.xTicks) : [],
    yt,
    yFmt: (v) => fmt(v, 2),
    xLabel: o.xLabel,
    height: area.height - 2,
    ...(o.tickClass ? { tickClass: o.tickClass } : {}),
  });
  for (const v of o.rightTicks) svg.append(el('text', { x: area.x1 + 4, y: yR(v) + 4, ...tick }, v.toFixed(o.rightDigits)));
  const layout = { W, area, x, yL, yR };
  if (n < 0 || !o.left.length) return layout;
  const draw = (s, y) => {
    const pts = [];
    for (let i = 0; i <= upto && i < s.values.length; i++) pts.push(/** @type {[number, number]} */ ([x(i), y(s.values[i])]));
    svg.append(line(pts, s.cls, { attrs: s.attrs }));
    return pts;
  };
  const dots = [];
  for (const [series, y] of /** @type {const} */ ([
    [o.right, yR],
    [o.left, yL],
  ]))
    for (const s of series) {
      const pts = draw(s, y);
      if (s.dot && pts.length) dots.push(dot(...pts[pts.length - 1], o.dotRadius, s.dot));
    }
  svg.append(...dots);
  return layout;
}
