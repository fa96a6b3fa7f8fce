// @ts-check
// The figures' frame (figures.html and <entropy-polarity-figure>): linear or
// log axes drawn with the chart kit (js/chart/) at the figure's own width in
// CSS pixels, so that text stays readable on a phone. Colours come from
// classes (entropy-polarity-figure.css).

import { axes as drawAxes, clipped, newSvg } from '../chart/frame.js';
import { dot as dotMark, line as lineMark, rule } from '../chart/marks.js';
import { plainText } from '../chart/richtext.js';
import { linear, log10Scale, powerTicks, ticks } from '../chart/scale.js';
import { el } from '../chart/svg.js';

/** @typedef {{ min: number, max: number, label: string, log?: boolean }} Axis log: base 10 over min..max > 0 */

/** @param {Axis} a @param {number} r0 @param {number} r1 */
const scaleOf = (a, r0, r1) => (a.log ? log10Scale(a.min, a.max, r0, r1) : linear(a.min, a.max, r0, r1));

/**
 * An SVG with axes, named `title` (rich text: e^{−H}). Returns { svg, sx,
 * sy, plot, area }: sx, sy map data to pixels, `plot` is the group to draw
 * in (clipped to the axes), `area` the plot area (for the legend).
 * @param {number} width @param {number} height @param {Axis} x @param {Axis} y @param {string} title
 */
export function axes(width, height, x, y, title) {
  const area = { x0: 58, x1: width - 12, y0: height - 44, y1: 10, height };
  const name = plainText(title);
  const svg = newSvg(width, height, name);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.append(el('title', {}, name));
  const sx = scaleOf(x, area.x0, area.x1);
  const sy = scaleOf(y, area.y0, area.y1);
  drawAxes(svg, {
    ...area,
    x: sx,
    y: sy,
    xt: x.log ? powerTicks(x.min, x.max) : ticks(x.min, x.max, width < 420 ? 4 : 6),
    yt: y.log ? powerTicks(y.min, y.max) : ticks(y.min, y.max),
    xGrid: true,
    box: true,
    tickClass: 'tick',
    labelClass: 'axis-label',
    xLabel: x.label,
    yLabel: y.label,
    yLabelAt: 'side',
    height: height - 4,
  });
  if (!y.log && y.min < 0 && y.max > 0) svg.append(rule(area, { y: sy(0) }, 'zero'));
  return { svg, sx, sy, plot: clipped(svg, area), area };
}

/** A line through data points [[x, y], …]. */
export function line(sx, sy, points, cls) {
  return lineMark(
    points.map(([a, b]) => [sx(a), sy(b)]),
    cls,
  );
}

/** A dot at data (x, y). */
export function dot(sx, sy, x, y, cls, r = 3) {
  return dotMark(sx(x), sy(y), r, cls);
}
