// @ts-check
// Legends of the SVG charts: a boxed key of swatches and names (wrapped to
// the plot's width, so a narrow page clips nothing), and names at the ends
// of lines, spread apart so that none overlaps another.

import { el } from './svg.js';
import { richText } from './richtext.js';

/** The width of one 12 px character, about: enough to size a box around text that is not on screen yet. */
const CHAR = 6.4;
const ROW = 16;

/**
 * `text` in lines of at most `fit` characters, broken at spaces (a longer
 * word stays whole).
 * @param {string} text @param {number} fit
 */
export function wrap(text, fit) {
  const out = [''];
  for (const word of text.split(' ')) {
    const cur = out[out.length - 1];
    if (cur && cur.length + 1 + word.length > fit) out.push(word);
    else out[out.length - 1] = cur ? `${cur} ${word}` : word;
  }
  return out;
}

/**
 * A key: one row per [class, text] (a dot of that class, then the rich
 * text), in a box at the plot area's top-left corner, or at its bottom-left
 * one with `bottom`.
 * @param {Element} svg @param {{ x0: number, x1: number, y0: number, y1: number }} area
 * @param {[string, string][]} rows @param {{ bottom?: boolean }} [options]
 */
export function legend(svg, area, rows, { bottom = false } = {}) {
  const fit = Math.max(12, Math.floor((area.x1 - area.x0 - 34) / CHAR));
  const wrapped = rows.map(([cls, text]) => /** @type {[string, string[]]} */ ([cls, wrap(text, fit)]));
  const lines = wrapped.reduce((a, [, l]) => a + l.length, 0);
  const top = bottom ? area.y0 - lines * ROW - 8 : area.y1 + 4;
  const widest = Math.max(...wrapped.flatMap(([, l]) => l.map((t) => t.length)));
  const g = el('g', { class: 'legend' });
  g.append(el('rect', { class: 'legend-bg', x: area.x0 + 4, y: top, width: 26 + widest * CHAR, height: lines * ROW + 6, rx: 4 }));
  let row = 0;
  for (const [cls, parts] of wrapped) {
    const y = top + 15 + row * ROW;
    g.append(el('circle', { class: cls, cx: area.x0 + 14, cy: y - 4, r: 4 }));
    parts.forEach((t, i) => g.append(richText({ x: area.x0 + 24, y: y + i * ROW }, t)));
    row += parts.length;
  }
  svg.append(g);
  return g;
}

/**
 * Moves label rows `y` apart by at least `gap`, keeping them inside
 * [lo, hi] and in their order (in place; returns `items`).
 * @template {{ y: number }} T @param {T[]} items @param {number} gap @param {number} lo @param {number} hi
 */
export function spread(items, gap, lo, hi) {
  const sorted = [...items].sort((a, b) => a.y - b.y);
  for (let i = 1; i < sorted.length; i++) sorted[i].y = Math.max(sorted[i].y, sorted[i - 1].y + gap);
  const over = sorted.length ? sorted[sorted.length - 1].y - hi : 0;
  if (over > 0) for (const s of sorted) s.y -= over;
  for (let i = sorted.length - 2; i >= 0; i--) sorted[i].y = Math.min(sorted[i].y, sorted[i + 1].y - gap);
  for (const s of sorted) s.y = Math.max(s.y, lo);
  return items;
}

/**
 * Names at the right ends of lines: each at its line's last row `y`, moved
 * apart (`gap`) within the plot area, with a short leader when moved.
 * @param {{ x1: number, y0: number, y1: number }} area @param {{ y: number, text: string, cls: string }[]} ends @param {number} [gap]
 */
export function endLabels(area, ends, gap = 13) {
  const items = spread(
    ends.map((e) => ({ ...e, at: e.y })),
    gap,
    area.y1 + 4,
    area.y0 - 2,
  );
  const g = el('g', { class: 'end-labels' });
  for (const e of items) {
    if (Math.abs(e.y - e.at) > 2) {
      g.append(el('line', { x1: area.x1 + 5, x2: area.x1 + 9, y1: e.at.toFixed(1), y2: e.y.toFixed(1), class: `leader ${e.cls}` }));
    }
    g.append(el('text', { x: area.x1 + 11, y: (e.y + 4).toFixed(1), class: `end-label ${e.cls}` }, e.text));
  }
  return g;
}
