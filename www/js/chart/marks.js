// @ts-check
// The marks of the SVG charts: lines, dots and marker shapes, bars, bands
// and rules. The path builders return path data (pure, unit-tested); the
// rest make classed elements (no inline styles, so a strict CSP allows them).

import { el } from './svg.js';

const f1 = (v) => v.toFixed(1);

/**
 * Path data through pixel points [x, y]; a point that is null or not finite
 * ends the line there, and the next finite point starts a new one (a gap).
 * @param {Iterable<ArrayLike<number> | null>} points
 */
export function pathData(points) {
  let d = '',
    pen = false;
  for (const p of points) {
    if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${f1(p[0])},${f1(p[1])}`;
    pen = true;
  }
  return d;
}

/**
 * The pixel points of a series `values[i]` at (xOf(i), yOf(values[i])),
 * null where a value is not finite (a gap). More points than twice
 * `columns` (the plot's width in pixels): each pixel column keeps only its
 * least and greatest value, in their order, so peaks survive and the path
 * stays ~2 points a pixel (issue 19: a 1,000,000-row CSV); the last value
 * always ends the line, where the chart marks it.
 * @param {ArrayLike<number>} values @param {(i: number) => number} xOf @param {(v: number) => number} yOf
 * @param {number} [columns]
 * @returns {([number, number] | null)[]}
 */
export function seriesPoints(values, xOf, yOf, columns = Infinity) {
  const n = values.length;
  /** @type {([number, number] | null)[]} */
  const out = [];
  if (n <= 2 * columns) {
    for (let i = 0; i < n; i++) out.push(Number.isFinite(values[i]) ? [xOf(i), yOf(values[i])] : null);
    return out;
  }
  let col = NaN,
    loI = -1,
    hiI = -1,
    last = -1;
  const flush = () => {
    if (loI < 0) return;
    const [a, b] = loI <= hiI ? [loI, hiI] : [hiI, loI];
    out.push([xOf(a), yOf(values[a])]);
    if (b !== a) out.push([xOf(b), yOf(values[b])]);
    last = b;
    loI = hiI = -1;
  };
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      flush();
      out.push(null);
      continue;
    }
    const c = Math.floor(xOf(i));
    if (c !== col || loI < 0) {
      flush();
      col = c;
      loI = hiI = i;
    } else {
      if (v < values[loI]) loI = i;
      if (v > values[hiI]) hiI = i;
    }
  }
  flush();
  if (last !== n - 1 && Number.isFinite(values[n - 1])) out.push([xOf(n - 1), yOf(values[n - 1])]);
  return out;
}

/**
 * A <path> (class `cls`) through pixel points, with gaps; `title` names it
 * for a pointer and `attrs` ride along (data-values for tests, say).
 * @param {Iterable<ArrayLike<number> | null>} points @param {string} cls
 * @param {{ title?: string, attrs?: Record<string, string | number> }} [options]
 */
export function line(points, cls, { title, attrs } = {}) {
  const p = el('path', { d: pathData(points), class: cls, ...attrs });
  if (title) p.append(el('title', {}, title));
  return p;
}

/**
 * Path data of a marker centred on (cx, cy), `size` pixels across: circle,
 * square, triangle (point up) or diamond. Many markers of one kind joined in
 * one <path> keep the DOM small.
 * @param {'circle' | 'square' | 'triangle' | 'diamond'} shape @param {number} cx @param {number} cy @param {number} size
 */
export function shapePath(shape, cx, cy, size) {
  const h = size / 2;
  switch (shape) {
    case 'square': // 0.9 across: a square as wide as the circle looks larger
      return `M${f1(cx - h * 0.9)},${f1(cy - h * 0.9)}h${f1(size * 0.9)}v${f1(size * 0.9)}h${f1(-size * 0.9)}Z`;
    case 'triangle': // about the circle's area, so that no sign looks smaller than another
      return `M${f1(cx)},${f1(cy - h * 1.25)}L${f1(cx + h * 1.25)},${f1(cy + h * 0.9)}L${f1(cx - h * 1.25)},${f1(cy + h * 0.9)}Z`;
    case 'diamond':
      return `M${f1(cx)},${f1(cy - h * 1.2)}L${f1(cx + h * 1.05)},${f1(cy)}L${f1(cx)},${f1(cy + h * 1.2)}L${f1(cx - h * 1.05)},${f1(cy)}Z`;
    default:
      return `M${f1(cx - h)},${f1(cy)}a${h},${h} 0 1,0 ${size},0a${h},${h} 0 1,0 ${-size},0`;
  }
}

/**
 * One marker element (a <circle> for a circle, else a <path>).
 * @param {'circle' | 'square' | 'triangle' | 'diamond'} shape @param {number} cx @param {number} cy @param {number} size @param {string} cls
 */
export function marker(shape, cx, cy, size, cls) {
  if (shape === 'circle') return el('circle', { cx: f1(cx), cy: f1(cy), r: f1(size / 2), class: cls });
  return el('path', { d: shapePath(shape, cx, cy, size), class: cls });
}

/**
 * A dot (<circle>) at pixel (cx, cy), radius r, with an optional <title>
 * that a pointer shows.
 * @param {number} cx @param {number} cy @param {number} r @param {string} cls @param {string} [title]
 */
export function dot(cx, cy, r, cls, title) {
  const c = el('circle', { cx: f1(cx), cy: f1(cy), r, class: cls });
  if (title) c.append(el('title', {}, title));
  return c;
}

/**
 * A bar from pixel row ya to yb (either order), `width` wide from column x.
 * @param {number} x @param {number} width @param {number} ya @param {number} yb @param {string} cls
 * @param {Record<string, string>} [attrs]
 */
export function bar(x, width, ya, yb, cls, attrs = {}) {
  return el('rect', {
    x: f1(x),
    y: f1(Math.min(ya, yb)),
    width: f1(width),
    height: f1(Math.abs(yb - ya)),
    class: cls,
    ...attrs,
  });
}

/**
 * Path data of a bar from pixel row ya to yb, `width` wide from column x
 * (many bars of one kind in one <path>, as stacked shares).
 * @param {number} x @param {number} width @param {number} ya @param {number} yb
 */
export function barPath(x, width, ya, yb) {
  return `M${f1(x)},${f1(ya)}h${f1(width)}V${f1(yb)}h${f1(-width)}Z`;
}

/**
 * Path data of the band between two lines of pixel points over the same
 * columns (a min–max band): along `top`, back along `bottom`, closed.
 * @param {ArrayLike<number>[]} top @param {ArrayLike<number>[]} bottom
 */
export function bandData(top, bottom) {
  if (!top.length) return '';
  return `${pathData(top)}${pathData([...bottom].reverse()).replace(/^M/, 'L')}Z`;
}

/**
 * A rule across the plot area: horizontal at pixel row `y`, or vertical at
 * pixel column `x`; `title` says what it marks.
 * @param {{ x0: number, x1: number, y0: number, y1: number }} area @param {{ x?: number, y?: number }} at @param {string} cls
 * @param {{ title?: string, attrs?: Record<string, string | number> }} [options]
 */
export function rule({ x0, x1, y0, y1 }, at, cls, { title, attrs } = {}) {
  const pos =
    at.y !== undefined ? { x1: x0, x2: x1, y1: f1(at.y), y2: f1(at.y) } : { x1: f1(at.x ?? x0), x2: f1(at.x ?? x0), y1: y1, y2: y0 };
  const l = el('line', { ...pos, class: cls, ...attrs });
  if (title) l.append(el('title', {}, title));
  return l;
}
