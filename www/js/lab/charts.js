// @ts-check
// The control lab's charts, drawn as plain SVG elements with classes (no
// inline styles, so a strict CSP allows them; colours live in css/lab.css).
// Strategies differ by colour AND dash pattern AND marker shape, and every
// line carries its name at its end, so no reader depends on colour.

import { el } from '../chart/svg.js';
import { frame, ticks, wholeTicks } from '../chart/axis.js';

/** A marker shape centred on (cx, cy), about `s` pixels across. */
export function marker(shape, cx, cy, s, cls) {
  const h = s / 2;
  const f = (v) => v.toFixed(1);
  switch (shape) {
    case 'square':
      return el('rect', { x: f(cx - h * 0.9), y: f(cy - h * 0.9), width: f(s * 0.9), height: f(s * 0.9), class: cls });
    case 'triangle':
      return el('path', {
        d: `M${f(cx)},${f(cy - h * 1.1)} L${f(cx + h * 1.05)},${f(cy + h * 0.8)} L${f(cx - h * 1.05)},${f(cy + h * 0.8)} Z`,
        class: cls,
      });
    case 'diamond':
      return el('path', {
        d: `M${f(cx)},${f(cy - h * 1.2)} L${f(cx + h * 1.05)},${f(cy)} L${f(cx)},${f(cy + h * 1.2)} L${f(cx - h * 1.05)},${f(cy)} Z`,
        class: cls,
      });
    default:
      return el('circle', { cx: f(cx), cy: f(cy), r: f(h), class: cls });
  }
}

/** A legend swatch: a short stretch of the line with its marker. */
export function swatch(strategy, width = 34, height = 14) {
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true', class: 'swatch-svg' });
  svg.append(el('line', { x1: 1, x2: width - 1, y1: height / 2, y2: height / 2, class: `line s-${strategy.key}` }));
  svg.append(marker(strategy.marker, width / 2, height / 2, 8, `mark s-${strategy.key}`));
  return svg;
}

/** Maps steps 0…n to [0, 1], linearly or as log(1 + t). */
export function stepScale(n, logX) {
  const m = Math.max(n, 1);
  const lm = Math.log1p(m);
  return logX ? { f: (t) => Math.log1p(Math.max(t, 0)) / lm, inv: (u) => Math.expm1(u * lm) } : { f: (t) => t / m, inv: (u) => u * m };
}

function stepTicks(n, logX, count) {
  if (n <= 0) return [0];
  if (logX) {
    const t = [0];
    for (let p = 1; p <= n; p *= 10) t.push(p);
    return t;
  }
  return wholeTicks(0, n, count);
}

function stepLabel(t) {
  return t >= 10000 && t % 1000 === 0 ? `${t / 1000}k` : String(t);
}

/** Path through (x(i), y(values[i])); long series keep each pixel column's min and max. */
function linePath(values, xOf, yOf, width) {
  const n = values.length;
  const pts = [];
  if (n > 2 * width) {
    let col = -1,
      lo = 0,
      hi = 0,
      loI = 0,
      hiI = 0;
    const flush = () => {
      if (col < 0) return;
      const [a, b] = loI <= hiI ? [loI, hiI] : [hiI, loI];
      pts.push([xOf(a), yOf(values[a])]);
      if (b !== a) pts.push([xOf(b), yOf(values[b])]);
    };
    for (let i = 0; i < n; i++) {
      const c = Math.floor(xOf(i));
      if (c !== col) {
        flush();
        col = c;
        lo = hi = values[i];
        loI = hiI = i;
      } else {
        if (values[i] < lo) {
          lo = values[i];
          loI = i;
        }
        if (values[i] > hi) {
          hi = values[i];
          hiI = i;
        }
      }
    }
    flush();
    if (pts.length && pts[pts.length - 1][0] !== xOf(n - 1)) pts.push([xOf(n - 1), yOf(values[n - 1])]);
  } else {
    for (let i = 0; i < n; i++) pts.push([xOf(i), yOf(values[i])]);
  }
  return pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
}

/** Spreads label positions apart by at least `gap`, inside [lo, hi]. */
function spread(items, gap, lo, hi) {
  const sorted = [...items].sort((a, b) => a.y - b.y);
  for (let i = 1; i < sorted.length; i++) sorted[i].y = Math.max(sorted[i].y, sorted[i - 1].y + gap);
  const over = sorted.length ? sorted[sorted.length - 1].y - hi : 0;
  if (over > 0) for (const s of sorted) s.y -= over;
  for (let i = sorted.length - 2; i >= 0; i--) sorted[i].y = Math.min(sorted[i].y, sorted[i + 1].y - gap);
  for (const s of sorted) s.y = Math.max(s.y, lo);
  return items;
}

/**
 * A line chart of one quantity over steps 0…n, one line per strategy.
 * @param {SVGSVGElement} svg
 * @param {{ width:number, height:number, steps:number, logX:boolean,
 *   series:{strategy:object, values:Float64Array}[], yMin:number, yMax:number,
 *   yLabel:string, fmt:(v:number, d?:number)=>string,
 *   refs?:{y:number, label:string, cls:string}[] }} o
 * @returns the layout, for hover read-outs
 */
export function drawLineChart(svg, o) {
  const { width, height, steps, logX, series, yLabel, fmt } = o;
  const narrow = width < 520;
  const { x0, x1, y0, y1 } = frame(svg, { width, height, left: 44, right: narrow ? 86 : 96, top: 18, bottom: 34 }).area;
  svg.setAttribute('width', String(width));
  const sx = stepScale(steps, logX);
  const xOf = (t) => x0 + sx.f(t) * (x1 - x0);
  const yMin = o.yMin,
    yMax = o.yMax > o.yMin ? o.yMax : o.yMin + 1;
  const yOf = (v) => y0 - ((v - yMin) / (yMax - yMin)) * (y0 - y1);

  const grid = el('g', { class: 'grid-g' });
  for (const v of ticks(yMin, yMax, narrow ? 4 : 5)) {
    const y = yOf(v);
    grid.append(el('line', { x1: x0, x2: x1, y1: y.toFixed(1), y2: y.toFixed(1), class: 'grid' }));
    grid.append(el('text', { x: x0 - 6, y: (y + 4).toFixed(1), 'text-anchor': 'end', class: 'tick' }, fmt(v, 3)));
  }
  for (const t of stepTicks(steps, logX, narrow ? 4 : 8)) {
    const x = xOf(t);
    grid.append(el('line', { x1: x.toFixed(1), x2: x.toFixed(1), y1: y0, y2: y0 + 4, class: 'axis' }));
    grid.append(el('text', { x: x.toFixed(1), y: y0 + 16, 'text-anchor': 'middle', class: 'tick' }, stepLabel(t)));
  }
  grid.append(el('line', { x1: x0, x2: x1, y1: y0, y2: y0, class: 'axis' }));
  grid.append(el('line', { x1: x0, x2: x0, y1: y1, y2: y0, class: 'axis' }));
  grid.append(el('text', { x: x1, y: height - 4, 'text-anchor': 'end', class: 'axis-label' }, logX ? 'step (log scale)' : 'step'));
  grid.append(el('text', { x: 4, y: 11, class: 'axis-label' }, yLabel));
  svg.append(grid);

  for (const r of o.refs ?? []) {
    if (!(r.y >= yMin && r.y <= yMax)) continue;
    const y = yOf(r.y);
    svg.append(el('line', { x1: x0, x2: x1, y1: y.toFixed(1), y2: y.toFixed(1), class: `ref ${r.cls}` }));
    svg.append(el('text', { x: x0 + 4, y: (y - 4).toFixed(1), class: `ref-label ${r.cls}` }, r.label));
  }

  const n = steps + 1;
  const xi = (i) => xOf(i);
  const lines = el('g', { class: 'lines' });
  const marks = el('g', { class: 'marks' });
  const ends = [];
  const per = 6; // markers along each line, staggered between strategies
  series.forEach(({ strategy, values }, si) => {
    const cls = `s-${strategy.key}`;
    lines.append(el('path', { d: linePath(values, xi, yOf, x1 - x0), class: `line ${cls}` }));
    for (let j = 0; j < per; j++) {
      const u = (j + (si + 1) / (series.length + 1)) / per;
      const i = Math.min(n - 1, Math.round(sx.inv(u)));
      marks.append(marker(strategy.marker, xi(i), yOf(values[i]), 8, `mark ${cls}`));
    }
    const last = values[n - 1];
    marks.append(marker(strategy.marker, xi(n - 1), yOf(last), 8, `mark ${cls}`));
    ends.push({ strategy, y: yOf(last), y0: yOf(last) });
  });
  svg.append(lines, marks);

  spread(ends, 13, y1 + 4, y0 - 2);
  const labels = el('g', { class: 'end-labels' });
  for (const e of ends) {
    const cls = `s-${e.strategy.key}`;
    if (Math.abs(e.y - e.y0) > 2) {
      labels.append(el('line', { x1: x1 + 5, x2: x1 + 9, y1: e.y0.toFixed(1), y2: e.y.toFixed(1), class: `leader ${cls}` }));
    }
    labels.append(el('text', { x: x1 + 11, y: (e.y + 4).toFixed(1), class: `end-label ${cls}` }, e.strategy.label));
  }
  svg.append(labels);

  const hover = el('g', { class: 'hover-g' });
  svg.append(hover);
  return { x0, x1, y0, y1, xOf, yOf, sx, steps, hover };
}

/** Moves the hover guide to step t (or hides it when t is null). */
export function showHover(layout, t, series) {
  const g = layout.hover;
  g.replaceChildren();
  if (t === null) return;
  const x = layout.xOf(t);
  g.append(el('line', { x1: x.toFixed(1), x2: x.toFixed(1), y1: layout.y1, y2: layout.y0, class: 'hover-line' }));
  for (const { strategy, values } of series) {
    g.append(marker(strategy.marker, x, layout.yOf(values[t]), 10, `mark hover-mark s-${strategy.key}`));
  }
}

/** The step under pointer x, or null outside the plot. */
export function stepAt(layout, px) {
  if (px < layout.x0 - 4 || px > layout.x1 + 4) return null;
  const u = Math.min(1, Math.max(0, (px - layout.x0) / (layout.x1 - layout.x0)));
  return Math.min(layout.steps, Math.max(0, Math.round(layout.sx.inv(u))));
}

/**
 * The per-step branch contributions averaged over the steps in each of (at
 * most) `bins` columns of the step axis (linear or log, as the line charts).
 * Step t (from entropy[t] to entropy[t + 1]) sits at t + 0.5. On a linear
 * axis every column holds the same whole number of steps, so columns do not
 * alternate between one and two steps; means per step keep columns of
 * different widths (log axis) comparable.
 */
export function binBranches(r, steps, logX, bins) {
  const sx = stepScale(steps, logX);
  const per = logX ? 0 : Math.max(1, Math.ceil(steps / bins));
  const n = logX ? bins : Math.max(1, Math.ceil(steps / per));
  const out = {
    exp: new Float64Array(n),
    con: new Float64Array(n),
    bonus: new Float64Array(n),
    real: new Float64Array(n),
    count: new Uint32Array(n),
    used: new Uint8Array(n),
    from: new Float64Array(n),
    to: new Float64Array(n),
  };
  for (let b = 0; b < n; b++) {
    out.from[b] = Infinity;
    out.to[b] = -Infinity;
  }
  for (let t = 0; t < steps; t++) {
    const b = logX ? Math.min(n - 1, Math.floor(sx.f(t + 0.5) * n)) : Math.floor(t / per);
    out.exp[b] += r.expandDh[t];
    out.con[b] += r.contractDh[t];
    out.bonus[b] += r.bonusDh[t];
    out.real[b] += r.entropy[t + 1] - r.entropy[t];
    out.count[b]++;
    out.from[b] = Math.min(out.from[b], t);
    out.to[b] = Math.max(out.to[b], t + 1);
  }
  for (let b = 0; b < n; b++) {
    const c = out.count[b];
    if (!c) continue;
    out.used[b] = 1;
    out.exp[b] /= c;
    out.con[b] /= c;
    out.bonus[b] /= c;
    out.real[b] /= c;
  }
  return out;
}

/** The smallest and largest value any bin of any panel reaches (0 included). */
export function branchExtent(binned) {
  let lo = 0,
    hi = 0;
  for (const b of binned) {
    for (let i = 0; i < b.exp.length; i++) {
      hi = Math.max(hi, b.exp[i] + b.bonus[i], b.real[i]);
      lo = Math.min(lo, b.con[i], b.real[i]);
    }
  }
  return { lo, hi };
}

let patternId = 0;

/**
 * One strategy's branch panel: bars up for expanding contributions (with the
 * bonus stacked on top), hatched bars down for contracting ones, and the
 * realised change as a line.
 */
export function drawBranchChart(svg, o) {
  const { width, height, steps, logX, bins, lo, hi, fmt } = o;
  const { x0, x1, y0, y1 } = frame(svg, { width, height, left: 44, right: 12, top: 8, bottom: 34 }).area;
  svg.setAttribute('width', String(width));
  const n = bins.exp.length;
  const span = hi - lo || 1;
  const sx = stepScale(steps, logX);
  const yOf = (v) => y1 + ((hi - v) / span) * (y0 - y1);
  const id = `hatch-${++patternId}`;
  const defs = el('defs');
  const pat = el('pattern', { id, width: 5, height: 5, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pat.append(el('rect', { width: 5, height: 5, class: 'hatch-bg' }), el('line', { x1: 0, y1: 0, x2: 0, y2: 5, class: 'hatch-line' }));
  const did = `dots-${patternId}`;
  const dots = el('pattern', { id: did, width: 4, height: 4, patternUnits: 'userSpaceOnUse' });
  dots.append(el('rect', { width: 4, height: 4, class: 'dots-bg' }), el('circle', { cx: 2, cy: 2, r: 1, class: 'dots-dot' }));
  defs.append(pat, dots);
  svg.append(defs);

  const g = el('g', { class: 'grid-g' });
  for (const v of ticks(lo, hi, 4)) {
    const y = yOf(v);
    g.append(el('line', { x1: x0, x2: x1, y1: y.toFixed(1), y2: y.toFixed(1), class: v === 0 ? 'axis' : 'grid' }));
    g.append(el('text', { x: x0 - 5, y: (y + 4).toFixed(1), 'text-anchor': 'end', class: 'tick' }, fmt(v, 2)));
  }
  for (const t of stepTicks(steps, logX, 4)) {
    const x = x0 + sx.f(t) * (x1 - x0);
    const anchor = x > width - 16 ? 'end' : 'middle'; // keep the last label inside
    g.append(
      el('text', { x: (anchor === 'end' ? width - 2 : x).toFixed(1), y: y0 + 15, 'text-anchor': anchor, class: 'tick' }, stepLabel(t)),
    );
  }
  svg.append(g);

  const xOf = (t) => x0 + sx.f(t) * (x1 - x0);
  const bars = el('g', { class: 'bars-g' });
  const real = [];
  const z = yOf(0);
  for (let i = 0; i < n; i++) {
    if (!bins.used[i]) continue;
    // A column spans its steps' positions (a single step on a log axis is
    // drawn from t to t + 1).
    const xa = xOf(bins.from[i]),
      xb = xOf(bins.to[i]);
    const gap = xb - xa > 3 ? 1 : 0;
    const x = xa + gap / 2;
    const bw = Math.max(0.8, xb - xa - gap);
    const rect = (a, b, cls, fill) => {
      const ya = yOf(a),
        yb = yOf(b);
      if (Math.abs(yb - ya) < 0.05) return;
      const attrs = {
        x: x.toFixed(2),
        y: Math.min(ya, yb).toFixed(2),
        width: bw.toFixed(2),
        height: Math.abs(yb - ya).toFixed(2),
        class: cls,
      };
      if (fill) attrs.fill = fill;
      bars.append(el('rect', attrs));
    };
    rect(0, bins.exp[i], 'bar-exp');
    rect(bins.exp[i], bins.exp[i] + bins.bonus[i], 'bar-bonus', `url(#${did})`);
    rect(bins.con[i], 0, 'bar-con', `url(#${id})`);
    real.push([x + bw / 2, yOf(bins.real[i])]);
  }
  svg.append(bars);
  svg.append(el('line', { x1: x0, x2: x1, y1: z.toFixed(1), y2: z.toFixed(1), class: 'axis' }));
  if (real.length) {
    svg.append(el('path', { d: real.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(''), class: 'real-line' }));
  }
  svg.append(el('text', { x: x1, y: height - 3, 'text-anchor': 'end', class: 'axis-label' }, logX ? 'step (log scale)' : 'step'));
}
