// @ts-check
// The control lab's charts, drawn with the chart kit (js/chart/: classes
// only, so a strict CSP allows them; colours live in css/lab.css). Strategies
// differ by colour AND dash pattern AND marker shape, and every line carries
// its name at its end, so no reader depends on colour.

import { axes, frame } from '../chart/frame.js';
import { endLabels } from '../chart/legend.js';
import { bar, line, marker, rule, seriesPoints } from '../chart/marks.js';
import { guide } from '../chart/readout.js';
import { linear, stepScale, ticks, wholeTicks } from '../chart/scale.js';
import { el } from '../chart/svg.js';

/** A legend swatch: a short stretch of the line with its marker. */
export function swatch(strategy, width = 34, height = 14) {
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true', class: 'swatch-svg' });
  svg.append(el('line', { x1: 1, x2: width - 1, y1: height / 2, y2: height / 2, class: `line s-${strategy.key}` }));
  svg.append(marker(strategy.marker, width / 2, height / 2, 8, `mark s-${strategy.key}`));
  return svg;
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

/**
 * The axes of a chart over steps 0…n (linear or log), in a group of their own.
 * @param {Element} svg @param {import('../chart/frame.js').Area} area
 * @param {{ steps: number, logX: boolean, xOf: (t: number) => number, yOf: (v: number) => number, xCount: number,
 *   yt: number[], yFmt: (v: number) => string, yLabel?: string, width?: number }} o
 */
function stepAxes(svg, area, o) {
  const g = el('g', { class: 'grid-g' });
  axes(g, {
    ...area,
    x: o.xOf,
    y: o.yOf,
    xt: stepTicks(o.steps, o.logX, o.xCount),
    yt: o.yt,
    xFmt: stepLabel,
    yFmt: o.yFmt,
    xLabel: o.logX ? 'step (log scale)' : 'step',
    ...(o.yLabel ? { yLabel: o.yLabel } : {}),
    ...(o.width ? { width: o.width } : {}),
    tickClass: 'tick',
    labelClass: 'axis-label',
  });
  svg.append(g);
}

/**
 * A line chart of one quantity over steps 0…n, one line per strategy.
 * @param {SVGSVGElement} svg
 * @param {{ width:number, height:number, steps:number, logX:boolean,
 *   series:{strategy:any, values:Float64Array}[], yMin:number, yMax:number,
 *   yLabel:string, fmt:(v:number, d?:number)=>string,
 *   refs?:{y:number, label:string, cls:string}[] }} o
 * @returns the layout, for hover read-outs
 */
export function drawLineChart(svg, o) {
  const { width, height, steps, logX, series, yLabel, fmt } = o;
  const narrow = width < 520;
  const { area } = frame(svg, { width, height, left: 44, right: narrow ? 86 : 96, top: 18, bottom: 34 });
  const { x0, x1, y0, y1 } = area;
  svg.setAttribute('width', String(width));
  const sx = stepScale(steps, logX);
  const xOf = (t) => x0 + sx.f(t) * (x1 - x0);
  const yMin = o.yMin,
    yMax = o.yMax > o.yMin ? o.yMax : o.yMin + 1;
  const yOf = linear(yMin, yMax, y0, y1);

  stepAxes(svg, area, {
    steps,
    logX,
    xOf,
    yOf,
    xCount: narrow ? 4 : 8,
    yt: ticks(yMin, yMax, narrow ? 4 : 5),
    yFmt: (v) => fmt(v, 3),
    yLabel,
  });

  for (const r of o.refs ?? []) {
    if (!(r.y >= yMin && r.y <= yMax)) continue;
    const y = yOf(r.y);
    svg.append(rule(area, { y }, `ref ${r.cls}`));
    svg.append(el('text', { x: x0 + 4, y: (y - 4).toFixed(1), class: `ref-label ${r.cls}` }, r.label));
  }

  const n = steps + 1;
  const lines = el('g', { class: 'lines' });
  const marks = el('g', { class: 'marks' });
  const ends = [];
  const per = 6; // markers along each line, staggered between strategies
  series.forEach(({ strategy, values }, si) => {
    const cls = `s-${strategy.key}`;
    lines.append(line(seriesPoints(values, xOf, yOf, x1 - x0), `line ${cls}`));
    for (let j = 0; j < per; j++) {
      const u = (j + (si + 1) / (series.length + 1)) / per;
      const i = Math.min(n - 1, Math.round(sx.inv(u)));
      marks.append(marker(strategy.marker, xOf(i), yOf(values[i]), 8, `mark ${cls}`));
    }
    const last = values[n - 1];
    marks.append(marker(strategy.marker, xOf(n - 1), yOf(last), 8, `mark ${cls}`));
    ends.push({ y: yOf(last), text: strategy.label, cls });
  });
  svg.append(lines, marks, endLabels(area, ends));

  const hover = el('g', { class: 'hover-g' });
  svg.append(hover);
  return { x0, x1, y0, y1, xOf, yOf, sx, steps, hover };
}

/** Moves the hover guide to step t (or hides it when t is null). */
export function showHover(layout, t, series) {
  const x = t === null ? null : layout.xOf(t);
  const marks =
    t === null
      ? []
      : series.map(({ strategy, values }) => marker(strategy.marker, x, layout.yOf(values[t]), 10, `mark hover-mark s-${strategy.key}`));
  guide(layout.hover, x, layout, marks);
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
  const { area } = frame(svg, { width, height, left: 44, right: 12, top: 8, bottom: 34 });
  const { x0, x1 } = area;
  svg.setAttribute('width', String(width));
  const n = bins.exp.length;
  const sx = stepScale(steps, logX);
  const yOf = linear(lo, hi > lo ? hi : lo + 1, area.y0, area.y1);
  const id = `hatch-${++patternId}`;
  const defs = el('defs');
  const pat = el('pattern', { id, width: 5, height: 5, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pat.append(el('rect', { width: 5, height: 5, class: 'hatch-bg' }), el('line', { x1: 0, y1: 0, x2: 0, y2: 5, class: 'hatch-line' }));
  const did = `dots-${patternId}`;
  const dots = el('pattern', { id: did, width: 4, height: 4, patternUnits: 'userSpaceOnUse' });
  dots.append(el('rect', { width: 4, height: 4, class: 'dots-bg' }), el('circle', { cx: 2, cy: 2, r: 1, class: 'dots-dot' }));
  defs.append(pat, dots);
  svg.append(defs);

  const xOf = (t) => x0 + sx.f(t) * (x1 - x0);
  stepAxes(svg, area, { steps, logX, xOf, yOf, xCount: 4, yt: ticks(lo, hi, 4), yFmt: (v) => fmt(v, 2), width });

  const bars = el('g', { class: 'bars-g' });
  const real = [];
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
      if (Math.abs(yb - ya) >= 0.05) bars.append(bar(x, bw, ya, yb, cls, fill ? { fill } : {}));
    };
    rect(0, bins.exp[i], 'bar-exp');
    rect(bins.exp[i], bins.exp[i] + bins.bonus[i], 'bar-bonus', `url(#${did})`);
    rect(bins.con[i], 0, 'bar-con', `url(#${id})`);
    real.push([x + bw / 2, yOf(bins.real[i])]);
  }
  svg.append(bars, rule(area, { y: yOf(0) }, 'axis'));
  if (real.length) svg.append(line(real, 'real-line'));
}
