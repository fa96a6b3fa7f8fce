// @ts-check
// Hover read-outs of the SVG charts: where a pointer is in the chart's own
// units, which step or row of a line it is over, which point it is nearest,
// and the guide line with its markers drawn there.

import { el } from './svg.js';

/**
 * A pointer's position in the units of an <svg> drawn `W` × `H` wide and
 * high (its viewBox), whatever size the page shows it at.
 * @param {Element} svg @param {number} clientX @param {number} clientY @param {number} W @param {number} H
 */
export function pointerAt(svg, clientX, clientY, W, H) {
  const box = svg.getBoundingClientRect();
  return { x: ((clientX - box.left) / box.width) * W, y: ((clientY - box.top) / box.height) * H };
}

/**
 * The index 0…n − 1 of evenly spaced points from column x0 to x1 nearest
 * column `px`, or null beyond `slack` units outside [x0, x1].
 * @param {number} px @param {number} x0 @param {number} x1 @param {number} n @param {number} [slack]
 */
export function indexAt(px, x0, x1, n, slack = 4) {
  if (!(n > 0) || px < x0 - slack || px > x1 + slack) return null;
  if (n === 1 || x1 === x0) return 0;
  return Math.max(0, Math.min(n - 1, Math.round(((px - x0) / (x1 - x0)) * (n - 1))));
}

/**
 * The index of the point (xs[i], ys[i]) nearest (px, py) within `radius`
 * units (the last of equally near ones, i.e. the one drawn on top), or -1.
 * @param {ArrayLike<number>} xs @param {ArrayLike<number>} ys @param {number} px @param {number} py @param {number} [radius]
 */
export function nearest(xs, ys, px, py, radius = 8) {
  let best = -1,
    bd = radius * radius;
  for (let i = 0; i < xs.length; i++) {
    const d = (xs[i] - px) ** 2 + (ys[i] - py) ** 2;
    if (d <= bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

/**
 * Redraws `g` as a hover guide: a vertical line at column x across the plot
 * area and the given marks (or nothing when x is null).
 * @param {Element} g @param {number | null} x @param {{ y0: number, y1: number }} area @param {Element[]} [marks]
 */
export function guide(g, x, { y0, y1 }, marks = []) {
  g.replaceChildren();
  if (x === null) return;
  g.append(el('line', { x1: x.toFixed(1), x2: x.toFixed(1), y1, y2: y0, class: 'hover-line' }), ...marks);
}
