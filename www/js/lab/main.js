// The control lab: settings ⇄ URL hash, one `simulate` run per shown
// strategy and seed, charts and readouts; the scenario grid (grid.js);
// the trace download; links to the explorer. All the simulation happens in
// the wasm core, in workers (pool.js), never on the main thread: a
// newer run or Cancel terminates the older one.

import init, { explorerLogits, meanPerStep, simulateOptions, simulateDefaults, stdErr, total } from '../../pkg/entropy_polarity.js';
import { wireCopyLink, download } from '../lib/share.js';
import { fmt } from '../lib/format.js';
import {
  STRATEGIES,
  BY_STRATEGY,
  USES_CORRECT,
  MAX_TRACE_LINES,
  buildParams,
  labDefaults,
  hashFromParams,
  paramsFromHash,
  checkPageParams,
  shownStrategies,
  runOptions,
} from './state.js';
import { LabPool } from './pool.js';
import { wireGrid, loadGrid } from './grid.js';
import { el } from '../chart/svg.js';
import { $, byTest, clearError, showError as showPageError } from '../lib/dom.js';
import { swatch, drawLineChart, showHover, stepAt, binBranches, branchExtent, drawBranchChart } from './charts.js';

const DEBOUNCE_MS = 250;

let DEFAULTS;
/** The settings, from the core's option table (state.js). */
let PARAMS;
const pool = new LabPool();
const side = new LabPool(1); // trace downloads and explorer links
/** The strategies of the charts on screen. */
let active = STRATEGIES.slice(0, 4);
let params; // the settings of the inputs (may not have run yet)
let shown = null; // { params, agg } of the charts on screen
let generation = 0;
let debounce = 0;
const layouts = {};

// ---------- errors: say what is wrong, keep what is on screen ----------

/** Shows `message`; `key` names the setting at fault (its input is marked). */
function showError(message, key = null) {
  showPageError(message, { field: key && document.querySelector(`[data-param="${key}"]`) });
}
const paramName = (key) => PARAMS.find((p) => p.key === key)?.name ?? key;

/** Input limits and range hints from the core's table: one place for them. */
function applyLimits() {
  const js = (x) => String(x);
  for (const def of PARAMS) {
    if (!def.spec) continue;
    const { min, max, help } = def.spec;
    const input = document.querySelector(`input[data-param="${def.key}"]`);
    if (input && input.type === 'number') {
      if (min !== null) input.min = js(min);
      if (max !== null && Number.isFinite(max)) input.max = js(max);
      input.title = help;
    }
    const hint = document.querySelector(`[data-range="${def.key}"]`);
    if (hint && min !== null) hint.textContent = Number.isFinite(max) ? `${js(min)}–${js(max)}` : `≥ ${js(min)}`;
  }
}

// ---------- inputs ⇄ settings ----------

function inputs() {
  return [...document.querySelectorAll('[data-param]')];
}

function syncInputs() {
  const focused = document.activeElement;
  for (const input of inputs()) {
    const key = input.dataset.param;
    const v = params[key];
    if (input.type === 'checkbox') {
      input.checked = !!v;
      continue;
    }
    if (input === focused) continue;
    if (input.tagName === 'SELECT') {
      if (![...input.options].some((o) => o.value === v)) {
        input.append(new Option(`${v} (unknown)`, v)); // shown as given; the core explains
      }
      input.value = v;
    } else {
      input.value = v === null ? '' : String(v);
    }
  }
  $('p-correct').disabled = !USES_CORRECT.includes(params.preset);
  $('p-correct').title = $('p-correct').disabled ? 'Used by the several-correct and unlikely-correct presets' : '';
  const on = String(params.strategies).split(',');
  for (const box of document.querySelectorAll('[data-strategy-toggle]')) box.checked = on.includes(box.dataset.strategyToggle);
  syncFocus();
}

/** Reads one input into `params`; returns an error message or null. */
function readInput(input) {
  const key = input.dataset.param;
  const def = PARAMS.find((p) => p.key === key);
  if (input.type === 'checkbox') {
    params[key] = input.checked;
    return null;
  }
  if (input.tagName === 'SELECT') {
    params[key] = input.value;
    return null;
  }
  const text = input.value.trim();
  if (input.validity.badInput || (text === '' && !def.auto)) {
    return `${paramName(key)}: type a number${def.auto ? ', or leave it empty for the automatic value' : ''}.`;
  }
  params[key] = text === '' ? null : Number(text);
  return null;
}

// ---------- running ----------

function scheduleRun() {
  clearTimeout(debounce);
  debounce = setTimeout(run, DEBOUNCE_MS);
}

function setStatus(text, value) {
  const ms = byTest('lab-ms');
  ms.textContent = text;
  if (value !== undefined) ms.dataset.value = String(value);
}

let attempts = 0;
/** Every finished attempt (run or error) counts, so tests can wait for the next one. */
function markReady() {
  byTest('lab-ms').dataset.run = String(++attempts);
  document.documentElement.dataset.ready = '1';
}

/** Runs the shown strategies (× seeds) for the current settings, in workers. */
function run(notes = []) {
  clearTimeout(debounce);
  const gen = ++generation;
  const p = { ...params };
  const pageProblem = checkPageParams(p);
  if (pageProblem) {
    pool.cancel();
    fail(gen, pageProblem.message, pageProblem.key);
    return;
  }
  const strategies = shownStrategies(p).list;
  const jobs = [];
  for (const s of strategies) {
    for (let i = 0; i < p.seeds; i++) {
      jobs.push({ type: 'runs', jobs: [{ key: `${s.key}:${i}`, options: runOptions(PARAMS, p, s.key, p.seed + i) }] });
    }
  }
  const results = Object.fromEntries(strategies.map((s) => [s.key, new Array(p.seeds)]));
  const total = jobs.length * Math.max(1, p.steps);
  let stepsDone = 0;
  let runsDone = 0;
  const wall0 = performance.now();
  document.body.classList.add('running');
  byTest('lab-cancel').hidden = false;
  setStatus(`running… 0 of ${jobs.length} runs`);
  byTest('lab-progress').value = 0;
  byTest('lab-progress').hidden = false;
  pool
    .run(jobs, (msg) => {
      if (gen !== generation) return;
      if (msg.type === 'progress') {
        stepsDone += msg.steps;
        byTest('lab-progress').value = stepsDone / total;
      } else if (msg.type === 'result') {
        const [key, i] = msg.key.split(':');
        results[key][Number(i)] = msg.result;
        runsDone++;
        setStatus(`running… ${runsDone} of ${jobs.length} runs`);
      }
    })
    .then(
      () => {
        if (gen !== generation) return;
        const wall = performance.now() - wall0;
        active = strategies;
        const agg = Object.fromEntries(strategies.map((s) => [s.key, aggregate(results[s.key])]));
        shown = { params: p, agg };
        clearError();
        if (notes.length) showError(notes.join(' ')); // what the link had that could not be used
        history.replaceState(null, '', hashFromParams(PARAMS, p));
        stopRunning();
        const runs = p.seeds === 1 ? `${jobs.length} runs` : `${strategies.length} × ${p.seeds} runs`;
        setStatus(`${runs} of ${p.steps} steps in workers: ${wall.toFixed(0)} ms on the clock`, wall);
        byTest('lab-ms').dataset.wall = String(wall);
        render();
        markReady();
      },
      (e) => {
        if (gen !== generation) return;
        if (e.cancelled) {
          stopRunning();
          setStatus(shown ? 'cancelled: the charts show the last run that finished' : 'cancelled');
          markReady();
          return;
        }
        fail(gen, e.message, e.field);
      },
    );
}

function stopRunning() {
  document.body.classList.remove('running');
  byTest('lab-cancel').hidden = true;
  byTest('lab-progress').hidden = true;
}

function fail(gen, message, key) {
  if (gen !== generation) return;
  stopRunning();
  showError(message, key);
  setStatus(shown ? 'not run: the charts show the last run that worked' : 'not run');
  markReady();
}

/**
 * One strategy's runs over seeds: the run itself for one seed, else the
 * core's means per step (meanPerStep).
 */
function aggregate(runs) {
  const first = runs[0];
  const out = { runs, n: runs.length, targetEntropy: first.targetEntropy, clipHighUsed: first.clipHighUsed };
  const keys = [
    'entropy',
    'reward',
    'expanding',
    'contracting',
    'expandDh',
    'contractDh',
    'bonusDh',
    'clippedLow',
    'clippedHigh',
    'expandWeight',
  ];
  for (const k of keys) out[k] = runs.length === 1 ? first[k] : meanPerStep(runs.map((r) => r[k]));
  return out;
}

// ---------- drawing ----------

/** Σ over the steps (the core's compensated total). */
const sum = (/** @type {ArrayLike<number>} */ a) => total(Float64Array.from(a));
const last = (a) => a[a.length - 1];

function seriesOf(key) {
  return active.map((strategy) => ({ strategy, values: shown.agg[strategy.key][key] }));
}

function chartWidth(wrap) {
  return Math.max(260, Math.floor(wrap.clientWidth));
}

function render() {
  if (!shown) return;
  const { params: p, agg } = shown;
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
  if (!shown) return;
  for (const k of ['entropy', 'reward']) if (layouts[k]) showHover(layouts[k], t, layouts[k].series);
  hoverStep = t;
  const step = t ?? shown.params.steps;
  byTest('open-explorer').textContent = `Open step ${step} in the explorer`;
  const parts = active.map((s) => {
    const a = shown.agg[s.key];
    return `${s.label} H ${fmt(a.entropy[step], 4)}, reward ${fmt(a.reward[step], 3)}`;
  });
  out.textContent = `${t === null ? 'End' : 'Step'} ${step}: ${parts.join(' · ')}`;
}

function wireHover(svg) {
  const key = svg.id === 'chart-entropy' ? 'entropy' : 'reward';
  svg.addEventListener('pointermove', (e) => {
    const layout = layouts[key];
    if (!layout || !shown) return;
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
  head.append(document.createElement('th'));
  head.firstChild.textContent = p.seeds > 1 ? `mean of ${p.seeds} seeds` : `seed ${p.seed}`;
  head.firstChild.scope = 'col';
  for (const s of active) {
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
    for (const s of active) {
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
    `Initial entropy H₀ = ${fmt(agg[active[0].key].entropy[0], 5)} nats${agg.polarity ? `; polarity's target H* = ${fmt(agg.polarity.targetEntropy, 5)} nats` : ''}. ` +
    'Counts are summed over steps; a sample-epoch is one sample in one optimisation epoch.';
}

function renderBranches(p, agg) {
  const grid = $('branches');
  if ([...grid.children].map((f) => f.dataset.strategy).join() !== active.map((s) => s.key).join()) {
    grid.replaceChildren(
      ...active.map((s) => {
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
  const binned = active.map((s) => binBranches(agg[s.key], p.steps, p.logx, bins));
  const { lo, hi } = branchExtent(binned);
  active.forEach((s, i) => {
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

// ---------- wiring ----------

function loadHash() {
  const { params: p, problems } = paramsFromHash(PARAMS, location.hash, DEFAULTS);
  params = p;
  syncInputs();
  clearError();
  run(problems);
  loadGrid();
}

function renderLegend() {
  $('legend').replaceChildren(
    ...active.map((s) => {
      const li = document.createElement('li');
      li.append(swatch(s), document.createTextNode(` ${s.name}`));
      return li;
    }),
  );
}

// ---------- the trace download and the explorer link ----------

/** The strategy the download and the explorer link are about. */
function focusStrategy() {
  const key = $('focus-strategy').value;
  return BY_STRATEGY[key] && shownStrategies(shown?.params ?? params).list.some((s) => s.key === key) ? key : active[0].key;
}

function syncFocus() {
  const select = $('focus-strategy');
  const keep = select.value;
  select.replaceChildren(...shownStrategies(params).list.map((s) => new Option(s.name, s.key)));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

async function downloadTrace() {
  const p = shown?.params ?? params;
  const key = focusStrategy();
  const lines = p.steps * p.group;
  if (lines > MAX_TRACE_LINES) {
    showError(
      `The trace would have ${lines} lines (steps × group); the download holds at most ${MAX_TRACE_LINES}. Use fewer steps or a smaller group.`,
      'steps',
    );
    return;
  }
  const status = byTest('trace-status');
  status.textContent = 'writing the trace…';
  try {
    let text = '';
    await side.run([{ type: 'trace', options: runOptions(PARAMS, p, key, p.seed), envName: `lab:${key}` }], (msg) => {
      if (msg.type === 'trace') text = msg.text;
    });
    download(new Blob([text], { type: 'application/x-ndjson' }), `lab-trace-${key}-seed${p.seed}.jsonl`);
    status.textContent = `${lines} lines (${key}, seed ${p.seed}): trace format v1`;
  } catch (e) {
    status.textContent = '';
    if (!e.cancelled) showError(e.message, e.field);
  }
}

let hoverStep = null;

/** Opens the policy of the focused strategy at the hovered step (or the end) in the explorer. */
async function openInExplorer() {
  const p = shown?.params ?? params;
  const key = focusStrategy();
  const step = hoverStep ?? p.steps;
  try {
    let probs = null;
    await side.run([{ type: 'upto', options: runOptions(PARAMS, p, key, p.seed), steps: step }], (msg) => {
      if (msg.type === 'probs') probs = msg.probs;
    });
    // Logits ln p (the explorer's softmax gives p back), from the core; 7
    // digits keep the link short. The explorer holds at most 64 tokens:
    // beyond that, the 63 likeliest in token order and one bucket for the
    // rest (explorerLogits; the status says so).
    if (probs.length > 64)
      byTest('trace-status').textContent = `V = ${probs.length}: the explorer shows the 63 likeliest tokens and one bucket for the rest.`;
    const logits = Array.from(explorerLogits(probs, 64), (z) => z.toPrecision(7));
    location.href = `index.html#logits=${logits.join(',')}&token=0&kind=pg&step=0.1`;
  } catch (e) {
    if (!e.cancelled) showError(e.message, e.field);
  }
}

function wire() {
  for (const holder of document.querySelectorAll('[data-swatch]')) {
    holder.replaceChildren(
      swatch(
        STRATEGIES.find((s) => s.key === holder.dataset.swatch),
        30,
        14,
      ),
    );
  }

  for (const input of inputs()) {
    // While typing, a half-typed number just waits; leaving the field
    // (change) explains what is wrong.
    const onEdit = (explain) => {
      const problem = readInput(input);
      if (problem) {
        if (explain) showError(problem, input.dataset.param);
        return;
      }
      input.removeAttribute('aria-invalid');
      // A smaller vocabulary takes the number of correct tokens down with
      // it (at least one token must stay unrewarded); the input shows it.
      if (
        input.dataset.param === 'vocab' &&
        Number.isInteger(params.vocab) &&
        params.vocab >= 2 &&
        Number.isFinite(params.correct) &&
        params.correct > params.vocab - 1
      ) {
        params.correct = params.vocab - 1;
        $('p-correct').value = String(params.correct);
      }
      $('p-correct').disabled = !USES_CORRECT.includes(params.preset);
      if (input.dataset.param === 'logx') {
        if (shown) {
          shown.params.logx = params.logx;
          history.replaceState(null, '', hashFromParams(PARAMS, shown.params));
          render();
        }
        return;
      }
      scheduleRun();
    };
    input.addEventListener('input', () => onEdit(false));
    input.addEventListener('change', () => onEdit(true));
  }
  for (const box of document.querySelectorAll('[data-strategy-toggle]')) {
    box.addEventListener('change', () => {
      params.strategies = [...document.querySelectorAll('[data-strategy-toggle]')]
        .filter((b) => b.checked)
        .map((b) => b.dataset.strategyToggle)
        .join(',');
      syncFocus();
      scheduleRun();
    });
  }
  byTest('lab-cancel').addEventListener('click', () => {
    generation++;
    pool.cancel();
    stopRunning();
    setStatus(shown ? 'cancelled: the charts show the last run that finished' : 'cancelled');
    markReady();
  });
  byTest('export-trace').addEventListener('click', downloadTrace);
  byTest('open-explorer').addEventListener('click', openInExplorer);
  $('params').addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  byTest('lab-run').addEventListener('click', () => {
    for (const input of inputs()) {
      const problem = readInput(input);
      if (problem) {
        showError(problem, input.dataset.param);
        return;
      }
    }
    run();
  });
  $('reset').addEventListener('click', () => {
    params = { ...DEFAULTS };
    syncInputs();
    run();
  });
  wireCopyLink($('copy-link'));
  window.addEventListener('hashchange', loadHash);
  wireHover($('chart-entropy'));
  wireHover($('chart-reward'));

  let resizeFrame = 0;
  let lastWidth = 0;
  new ResizeObserver(() => {
    const w = $('entropy-wrap').clientWidth;
    if (w === lastWidth) return;
    lastWidth = w;
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(render);
  }).observe($('entropy-wrap'));
}

async function main() {
  try {
    await init();
  } catch (e) {
    showError(`The WebAssembly core did not load: ${e.message}`);
    markReady();
    return;
  }
  PARAMS = buildParams(simulateOptions());
  DEFAULTS = labDefaults(simulateDefaults());
  applyLimits();
  wire();
  wireGrid({
    getParams: () => params,
    params: () => PARAMS,
    writeHash: () => history.replaceState(null, '', hashFromParams(PARAMS, params)),
    showError,
    clearError,
  });
  loadHash();
}

main();
