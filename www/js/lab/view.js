// @ts-check
// The control lab's view of the runs on screen (lab.shown): the entropy and
// reward charts with their hover readout, the legend, the readout table and
// the per-branch charts. Drawing: charts.js.

import { stdErr, total } from '../../pkg/entropy_polarity.js';
import { $, byTest } from '../lib/dom.js';
import { fmt } from '../lib/format.js';
import { el } from '../chart/svg.js';
import { swatch, drawLineChart, showHover, stepAt, binBranches, branchExtent, drawBranchChart } from './charts.js';
import { lab } from './settings.js';

const layouts = {};

/** Σ over the steps (the core's compensated total). */
const sum = (/** @type {ArrayLike<number>} */ a) => total(Float64Array.from(a));
const last = (a) => a[a.length - 1];

function seriesOf(key) {
  return lab.active.map((strategy) => ({ strategy, values: lab.shown.agg[strategy.key][key] }));
}

function chartWidth(wrap) {
  return Math.max(260, Math.floor(wrap.clientWidth));
}

export function render() {
  if (!lab.shown) return;
  const { params: p, agg } = lab.shown;
  const narrow = window.innerWidth < 600;
  const targeted = agg.polarity ?? agg.entropic;
  const target = targeted ? targeted.targetEntropy : null;
  renderLegend();

  // Entropy.
  const ent = seriesOf('entropy');
  let hMax = target ?? 0;
  for (const s of ent) for (const v of s.values) hMax = Math.max(hMax, v);
  const ew = chartWidth($('entropy-wrap'));
  layouts.entropy = drawLineChart($('chart-entropy'), {
    width: ew,
    height: narrow ? 240 : 300,
    steps: p.steps,
    logX: p.logx,
    series: ent,
    yMin: 0,
    yMax: hMax * 1.05 || 1,
    yLabel: 'entropy H (nats)',
    fmt,
    refs:
      target === null
        ? []
        : [{ y: target, label: `H* = ${fmt(target, 3)} (${agg.polarity ? 'polarity' : 'entropic'}'s target)`, cls: 'ref-target' }],
  });
  layouts.entropy.series = ent;

  // Expected reward.
  const rew = seriesOf('reward');
  let rLo = 0,
    rHi = 1;
  for (const s of rew)
    for (const v of s.values) {
      rLo = Math.min(rLo, v);
      rHi = Math.max(rHi, v);
    }
  layouts.reward = drawLineChart($('chart-reward'), {
    width: chartWidth($('reward-wrap')),
    height: narrow ? 170 : 200,
    steps: p.steps,
    logX: p.logx,
    series: rew,
    yMin: rLo,
    yMax: rHi,
    yLabel: 'expected reward Σ p·r',
    fmt,
  });
  layouts.reward.series = rew;
  renderHover(null);

  renderTable(p, agg);
  renderBranches(p, agg);
}

function renderHover(t) {
  const out = $('hover');
  if (!lab.shown) return;
  for (const k of ['entropy', 'reward']) if (layouts[k]) showHover(layouts[k], t, layouts[k].series);
  lab.hoverStep = t;
  const step = t ?? lab.shown.params.steps;
  byTest('open-explorer').textContent = `Open step ${step} in the explorer`;
  const parts = lab.active.map((s) => {
    const a = lab.shown.agg[s.key];
    return `${s.label} H ${fmt(a.entropy[step], 4)}, reward ${fmt(a.reward[step], 3)}`;
  });
  out.textContent = `${t === null ? 'End' : 'Step'} ${step}: ${parts.join(' · ')}`;
}

export function wireHover(svg) {
  const key = svg.id === 'chart-entropy' ? 'entropy' : 'reward';
  svg.addEventListener('pointermove', (e) => {
    const layout = layouts[key];
    if (!layout || !lab.shown) return;
    const r = svg.getBoundingClientRect();
    const px = ((e.clientX - r.left) * svg.viewBox.baseVal.width) / r.width;
    renderHover(stepAt(layout, px));
  });
  svg.addEventListener('pointerleave', () => renderHover(null));
}

const ROWS = [
  {
    label: 'final entropy H (nats)',
    short: 'final H',
    id: 'final-entropy',
    get: (a) => last(a.entropy),
    digits: 5,
    se: (a) => a.runs.map((r) => last(r.entropy)),
  },
  {
    label: 'final expected reward',
    short: 'final reward',
    id: 'final-reward',
    get: (a) => last(a.reward),
    digits: 5,
    se: (a) => a.runs.map((r) => last(r.reward)),
  },
  {
    label: 'expanding samples (polarity > 0)',
    short: 'expanding',
    id: 'expanding',
    get: (a) => sum(a.expanding),
    digits: 6,
    cls: 'num-exp',
  },
  {
    label: 'contracting samples (polarity < 0)',
    short: 'contracting',
    id: 'contracting',
    get: (a) => sum(a.contracting),
    digits: 6,
    cls: 'num-con',
  },
  {
    label: 'ΔH from expanding updates (first order)',
    short: 'ΔH expanding',
    id: 'dh-expand',
    get: (a) => sum(a.expandDh),
    digits: 4,
    cls: 'num-exp',
  },
  {
    label: 'ΔH from contracting updates',
    short: 'ΔH contracting',
    id: 'dh-contract',
    get: (a) => sum(a.contractDh),
    digits: 4,
    cls: 'num-con',
  },
  { label: 'ΔH from the entropy bonus', short: 'ΔH bonus', id: 'dh-bonus', get: (a) => sum(a.bonusDh), digits: 4 },
  { label: 'realised ΔH = H(end) − H(0)', short: 'realised ΔH', id: 'dh-real', get: (a) => last(a.entropy) - a.entropy[0], digits: 4 },
  { label: 'clipped by clip-high (sample-epochs)', short: 'clip-high hits', id: 'clipped-high', get: (a) => sum(a.clippedHigh), digits: 6 },
  { label: 'clipped by clip-low (sample-epochs)', short: 'clip-low hits', id: 'clipped-low', get: (a) => sum(a.clippedLow), digits: 6 },
  { label: 'ε_high used', short: 'ε_high', id: 'clip-high-used', get: (a) => a.clipHighUsed, digits: 4 },
  {
    label: 'weight w of expanding updates, last step',
    short: 'w, last step',
    id: 'weight',
    get: (a) => (a.expandWeight.length ? last(a.expandWeight) : 1),
    digits: 4,
  },
];

function renderTable(p, agg) {
  const narrow = window.innerWidth < 600;
  const table = byTest('lab-table');
  const head = document.createElement('tr');
  const corner = document.createElement('th');
  corner.textContent = p.seeds > 1 ? `mean of ${p.seeds} seeds` : `seed ${p.seed}`;
  corner.scope = 'col';
  head.append(corner);
  for (const s of lab.active) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.className = `col-${s.key}`;
    th.append(swatch(s, 26, 12), document.createTextNode(` ${s.name}`));
    head.append(th);
  }
  table.tHead.replaceChildren(head);
  const rows = ROWS.map((row) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = narrow ? row.short : row.label;
    if (narrow) th.title = row.label;
    tr.append(th);
    for (const s of lab.active) {
      const a = agg[s.key];
      const v = row.get(a);
      const td = document.createElement('td');
      td.dataset.testid = `lab-${row.id}-${s.key}`;
      td.dataset.value = String(v);
      let text = Number.isInteger(v) && Math.abs(v) < 1e9 ? String(v) : fmt(v, narrow ? Math.min(row.digits, row.se ? 4 : 3) : row.digits);
      if (row.se && a.n > 1) text += ` ± ${fmt(stdErr(row.se(a)), 2)}`;
      td.textContent = text;
      if (row.cls) td.className = row.cls;
      tr.append(td);
    }
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  const note = $('readout-note');
  note.textContent =
    (p.seeds > 1 ? `Means over seeds ${p.seed} to ${p.seed + p.seeds - 1} (± one standard error over seeds); counts are means too. ` : '') +
    `Initial entropy H₀ = ${fmt(agg[lab.active[0].key].entropy[0], 5)} nats${agg.polarity ? `; polarity's target H* = ${fmt(agg.polarity.targetEntropy, 5)} nats` : ''}. ` +
    'Counts are summed over steps; a sample-epoch is one sample in one optimisation epoch.';
}

function renderBranches(p, agg) {
  const grid = $('branches');
  if ([...grid.children].map((f) => f.dataset.strategy).join() !== lab.active.map((s) => s.key).join()) {
    grid.replaceChildren(
      ...lab.active.map((s) => {
        const fig = document.createElement('figure');
        fig.className = 'branch';
        fig.dataset.strategy = s.key;
        const cap = document.createElement('figcaption');
        const svg = el('svg', { class: 'branch-chart', role: 'img', 'aria-label': `Entropy change by branch, ${s.name}` });
        fig.append(cap, svg);
        return fig;
      }),
    );
  }
  const figs = [...grid.children];
  const w = Math.max(240, Math.floor(figs[0].clientWidth));
  const plotW = w - 54;
  const bins = Math.max(8, Math.min(p.steps || 1, Math.floor(plotW / (p.steps > plotW / 3 ? 3 : 1))));
  const binned = lab.active.map((s) => binBranches(agg[s.key], p.steps, p.logx, bins));
  const { lo, hi } = branchExtent(binned);
  lab.active.forEach((s, i) => {
    const fig = figs[i];
    const a = agg[s.key];
    const cap = fig.querySelector('figcaption');
    cap.replaceChildren(
      swatch(s, 26, 12),
      document.createTextNode(` ${s.name}: `),
      span(`${fmtCount(sum(a.expanding))} expanding`, 'num-exp'),
      document.createTextNode(' · '),
      span(`${fmtCount(sum(a.contracting))} contracting`, 'num-con'),
      document.createTextNode(` samples; realised ΔH ${fmt(last(a.entropy) - a.entropy[0], 3)}`),
    );
    drawBranchChart(fig.querySelector('svg.branch-chart'), {
      width: w,
      height: 150,
      steps: p.steps,
      logX: p.logx,
      bins: binned[i],
      lo,
      hi,
      fmt,
    });
  });
}

function fmtCount(v) {
  return Number.isInteger(v) ? String(v) : fmt(v, 4);
}
function span(text, cls) {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

function renderLegend() {
  $('legend').replaceChildren(
    ...lab.active.map((s) => {
      const li = document.createElement('li');
      li.append(swatch(s), document.createTextNode(` ${s.name}`));
      return li;
    }),
  );
}
