// @ts-check
// Axes, ticks, lines and dots in plain SVG for the figures (figures.html).
// Sizes are CSS pixels: the figure redraws at its own width, so that text
// stays readable on a phone. Colours come from classes (css/figures.css).

import { el } from '../chart/svg.js';
import { fmt } from '../lib/format.js';

/** About five round tick values over [lo, hi]. */
export function ticks(lo, hi, n = 5) {
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * An SVG with axes. `x` and `y`: { min, max, label, log } (log: base-10
 * axis over min..max > 0). Returns { svg, sx, sy, plot } where sx, sy map
 * data to pixels and `plot` is the group to draw in (clipped to the axes).
 */
export function axes(width, height, x, y, title) {
  const m = { left: 58, right: 12, top: 10, bottom: 44 };
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  svg.append(el('title', {}, title));
  const tx = (v) => (x.log ? Math.log10(v) : v);
  const ty = (v) => (y.log ? Math.log10(v) : v);
  const [x0, x1, y0, y1] = [tx(x.min), tx(x.max), ty(y.min), ty(y.max)];
  const sx = (v) => m.left + ((tx(v) - x0) / (x1 - x0)) * (width - m.left - m.right);
  const sy = (v) => height - m.bottom - ((ty(v) - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const grid = el('g', { class: 'grid' });
  const labels = el('g', { class: 'tick-labels' });
  const xt = x.log ? ticks(x0, x1).filter(Number.isInteger) : ticks(x.min, x.max, width < 420 ? 4 : 6);
  for (const t of xt) {
    const v = x.log ? 10 ** t : t;
    grid.append(el('line', { x1: sx(v), x2: sx(v), y1: m.top, y2: height - m.bottom }));
    labels.append(el('text', { x: sx(v), y: height - m.bottom + 16, 'text-anchor': 'middle' }, fmt(v, 3)));
  }
  for (const t of y.log ? ticks(y0, y1).filter(Number.isInteger) : ticks(y.min, y.max)) {
    const v = y.log ? 10 ** t : t;
    grid.append(el('line', { x1: m.left, x2: width - m.right, y1: sy(v), y2: sy(v), class: v === 0 ? 'zero' : '' }));
    labels.append(el('text', { x: m.left - 6, y: sy(v) + 4, 'text-anchor': 'end' }, fmt(v, 3)));
  }
  const id = `clip-${Math.random().toString(36).slice(2)}`;
  const clip = el('clipPath', { id });
  clip.append(el('rect', { x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom }));
  const plot = el('g', { 'clip-path': `url(#${id})` });
  svg.append(
    clip,
    grid,
    el('rect', { class: 'frame', x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom }),
    plot,
    labels,
    el('text', { class: 'axis-label', x: (m.left + width - m.right) / 2, y: height - 8, 'text-anchor': 'middle' }, x.label),
    el(
      'text',
      {
        class: 'axis-label',
        x: 14,
        y: (m.top + height - m.bottom) / 2,
        'text-anchor': 'middle',
        transform: `rotate(-90 14 ${(m.top + height - m.bottom) / 2})`,
      },
      y.label,
    ),
  );
  return { svg, sx, sy, plot, margin: m };
}

/**
 * Sets `parent`'s text, with "e^−H" written as e and a raised −H (a <sup> in
 * HTML, a shifted <tspan> in SVG; plain "e^−H" reads as code) and S̄ as an S
 * under a drawn bar (WebKit's fonts drop the combining U+0304; js/lib/overbar.js).
 * Text only, never markup.
 */
export function withSuperscripts(parent, text) {
  const svg = parent instanceof SVGElement;
  const make = (tag, cls, content) => {
    const attrs = cls === 'sup' ? { 'baseline-shift': 'super' } : { 'text-decoration': 'overline' };
    const e = svg ? el('tspan', { class: cls, ...attrs }, content) : document.createElement(tag);
    if (!svg) {
      e.className = cls;
      e.textContent = content;
    }
    return e;
  };
  parent.replaceChildren();
  for (const part of text.split(/(e\^−H|S\u0304)/)) {
    if (part === 'e^−H') parent.append('e', make('sup', 'sup', '−H'));
    else if (part === 'S\u0304') parent.append(make('span', 'overbar', 'S'));
    else if (part) parent.append(part);
  }
  return parent;
}

/** A polyline through data points [[x, y], …]. */
export function line(sx, sy, points, cls) {
  return el('polyline', { class: cls, points: points.map(([a, b]) => `${sx(a).toFixed(1)},${sy(b).toFixed(1)}`).join(' ') });
}

/** A dot at data (x, y). */
export function dot(sx, sy, x, y, cls, r = 3) {
  return el('circle', { class: cls, cx: sx(x).toFixed(1), cy: sy(y).toFixed(1), r });
}

/**
 * A legend: one row per [class, text], in the plot's top-left corner, or its
 * bottom-left one when `bottom` (the SVG's height) is given. A text wider
 * than the plot (a 320 px host page) wraps at spaces onto more lines, so
 * that nothing is clipped at the SVG's edge.
 */
export function legend(svg, margin, rows, bottom) {
  const CHAR = 6.4; // the width of one 12 px character, about
  const width = Number(svg.getAttribute('width')) || 640;
  const fit = Math.max(12, Math.floor((width - margin.left - margin.right - 34) / CHAR));
  const wrapped = rows.map(([cls, text]) => [cls, wrap(text, fit)]);
  const lines = wrapped.reduce((a, [, l]) => a + l.length, 0);
  const g = el('g', { class: 'legend' });
  const top = bottom ? bottom - margin.bottom - lines * 16 - 8 : margin.top + 4;
  const widest = Math.max(...wrapped.flatMap(([, l]) => l.map((t) => t.length)));
  g.append(el('rect', { class: 'legend-bg', x: margin.left + 4, y: top, width: 26 + widest * CHAR, height: lines * 16 + 6, rx: 4 }));
  let line = 0;
  for (const [cls, parts] of wrapped) {
    const y = top + 15 + line * 16;
    g.append(el('circle', { class: cls, cx: margin.left + 14, cy: y - 4, r: 4 }));
    parts.forEach((t, i) => g.append(withSuperscripts(el('text', { x: margin.left + 24, y: y + i * 16 }), t)));
    line += parts.length;
  }
  svg.append(g);
}

/** `text` in lines of at most `fit` characters, broken at spaces (a longer word stays whole). */
function wrap(text, fit) {
  const out = [''];
  for (const word of text.split(' ')) {
    const cur = out[out.length - 1];
    if (cur && cur.length + 1 + word.length > fit) out.push(word);
    else out[out.length - 1] = cur ? `${cur} ${word}` : word;
  }
  return out;
}
