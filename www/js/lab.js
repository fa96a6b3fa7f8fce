// The control lab: settings ⇄ URL hash, four `simulate` runs (one per
// strategy, same seed), charts and readouts. All the simulation happens in
// the wasm core; this file only wires the page.
//
// Runs are split over animation frames (as many as fit in ~12 ms, at least
// one per frame), so the page keeps answering while V = 1000 and several
// epochs take a while, and a newer run simply abandons an older one.

import init, { simulate, simulateDefaults } from '../pkg/entropy_polarity.js';
import { wireCopyLink } from './share.js';
import { fmt } from './format.js';
import {
  STRATEGIES, PARAMS, USES_CORRECT, labDefaults, hashFromParams, paramsFromHash, checkPageParams,
  simulateOptions, paramName,
} from './lab-state.js';
import { el } from './svg.js';
import { $, byTest, clearError, showError as showPageError } from './dom.js';
import {
  swatch, drawLineChart, showHover, stepAt, binBranches, branchExtent, drawBranchChart,
} from './lab-charts.js';


const FRAME_BUDGET_MS = 12;
const DEBOUNCE_MS = 250;

let DEFAULTS;
let params; // the settings of the inputs (may not have run yet)
let shown = null; // { params, agg } of the charts on screen
let generation = 0;
let debounce = 0;
let layouts = {};

// ---------- errors: say what is wrong, keep what is on screen ----------

/** Shows `message`; `key` names the setting at fault (its input is marked). */
function showError(message, key = null) {
  showPageError(message, { field: key && document.querySelector(`[data-param="${key}"]`) });
}
/** The setting a core message is about: the messages start with its name. */
function keyOfMessage(message) {
  const m = /^(?:simulate option )?([A-Za-z]+) =?/.exec(message);
  return m && PARAMS.some((p) => p.key === m[1]) ? m[1] : null;
}

// ---------- inputs ⇄ settings ----------

function inputs() {
  return [...document.querySelectorAll('[data-param]')];
}

function syncInputs() {
  const active = document.activeElement;
  for (const input of inputs()) {
    const key = input.dataset.param;
    const v = params[key];
    if (input.type === 'checkbox') { input.checked = !!v; continue; }
    if (input === active) continue;
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
}

/** Reads one input into `params`; returns an error message or null. */
function readInput(input) {
  const key = input.dataset.param;
  const def = PARAMS.find((p) => p.key === key);
  if (input.type === 'checkbox') { params[key] = input.checked; return null; }
  if (input.tagName === 'SELECT') { params[key] = input.value; return null; }
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

/** Runs the four strategies (× seeds) for the current settings. */
function run(notes = []) {
  clearTimeout(debounce);
  const gen = ++generation;
  const p = { ...params };
  const pageProblem = checkPageParams(p);
  if (pageProblem) {
    fail(gen, pageProblem, 'seeds');
    return;
  }
  const jobs = [];
  for (const s of STRATEGIES) for (let i = 0; i < p.seeds; i++) jobs.push({ strategy: s.key, seed: p.seed + i });
  const results = Object.fromEntries(STRATEGIES.map((s) => [s.key, []]));
  let done = 0;
  let compute = 0;
  const wall0 = performance.now();
  document.body.classList.add('running');
  setStatus(`running… 0 of ${jobs.length} runs`);

  const frame = () => {
    if (gen !== generation) return; // a newer run took over
    const f0 = performance.now();
    try {
      do {
        const job = jobs[done];
        const t0 = performance.now();
        const r = simulate(simulateOptions(p, job.strategy, job.seed));
        compute += performance.now() - t0;
        results[job.strategy].push(r);
        done++;
      } while (done < jobs.length && performance.now() - f0 < FRAME_BUDGET_MS);
    } catch (e) {
      fail(gen, e.message, keyOfMessage(e.message));
      return;
    }
    if (done < jobs.length) {
      setStatus(`running… ${done} of ${jobs.length} runs`);
      requestAnimationFrame(frame);
      return;
    }
    const wall = performance.now() - wall0;
    const agg = Object.fromEntries(STRATEGIES.map((s) => [s.key, aggregate(results[s.key])]));
    shown = { params: p, agg };
    clearError();
    if (notes.length) showError(notes.join(' ')); // what the link had that could not be used
    history.replaceState(null, '', hashFromParams(p));
    document.body.classList.remove('running');
    const runs = jobs.length === 4 ? '4 runs' : `4 × ${p.seeds} runs`;
    setStatus(`${runs} of ${p.steps} steps: ${compute.toFixed(1)} ms computing, ${wall.toFixed(0)} ms on the clock`, compute);
    byTest('lab-ms').dataset.wall = String(wall);
    render();
    markReady();
  };
  requestAnimationFrame(frame);
}

function fail(gen, message, key) {
  if (gen !== generation) return;
  document.body.classList.remove('running');
  showError(message, key);
  setStatus(shown ? 'not run: the charts show the last run that worked' : 'not run');
  markReady();
}

/**
 * One strategy's runs over seeds: the run itself for one seed, else means
 * per step (summed in seed order from 0, then divided by the count).
 */
function aggregate(runs) {
  const first = runs[0];
  const out = { runs, n: runs.length, targetEntropy: first.targetEntropy, clipHighUsed: first.clipHighUsed };
  const keys = ['entropy', 'reward', 'expanding', 'contracting', 'expandDh', 'contractDh', 'bonusDh',
    'clippedLow', 'clippedHigh', 'expandWeight'];
  for (const k of keys) {
    if (runs.length === 1) { out[k] = first[k]; continue; }
    const m = new Float64Array(first[k].length);
    for (const r of runs) for (let i = 0; i < m.length; i++) m[i] += r[k][i];
    for (let i = 0; i < m.length; i++) m[i] /= runs.length;
    out[k] = m;
  }
  return out;
}

// ---------- drawing ----------

const sum = (a) => { let s = 0; for (const v of a) s += v; return s; };
const last = (a) => a[a.length - 1];

function seriesOf(key) {
  return STRATEGIES.map((strategy) => ({ strategy, values: shown.agg[strategy.key][key] }));
}

function chartWidth(wrap) {
  return Math.max(260, Math.floor(wrap.clientWidth));
}

function render() {
  if (!shown) return;
  const { params: p, agg } = shown;
  const narrow = window.innerWidth < 600;
  const target = agg.polarity.targetEntropy;

  // Entropy.
  const ent = seriesOf('entropy');
  let hMax = target;
  for (const s of ent) for (const v of s.values) hMax = Math.max(hMax, v);
  const ew = chartWidth($('entropy-wrap'));
  layouts.entropy = drawLineChart($('chart-entropy'), {
    width: ew, height: narrow ? 240 : 300, steps: p.steps, logX: p.logx, series: ent,
    yMin: 0, yMax: hMax * 1.05 || 1, yLabel: 'entropy H (nats)', fmt,
    refs: [{ y: target, label: `H* = ${fmt(target, 3)} (polarity's target)`, cls: 'ref-target' }],
  });
  layouts.entropy.series = ent;

  // Expected reward.
  const rew = seriesOf('reward');
  let rLo = 0, rHi = 1;
  for (const s of rew) for (const v of s.values) { rLo = Math.min(rLo, v); rHi = Math.max(rHi, v); }
  layouts.reward = drawLineChart($('chart-reward'), {
    width: chartWidth($('reward-wrap')), height: narrow ? 170 : 200, steps: p.steps, logX: p.logx, series: rew,
    yMin: rLo, yMax: rHi, yLabel: 'expected reward Σ p·r', fmt,
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
  const step = t ?? shown.params.steps;
  const parts = STRATEGIES.map((s) => {
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
  { label: 'final entropy H (nats)', short: 'final H', id: 'final-entropy', get: (a) => last(a.entropy), digits: 5, se: (a) => a.runs.map((r) => last(r.entropy)) },
  { label: 'final expected reward', short: 'final reward', id: 'final-reward', get: (a) => last(a.reward), digits: 5, se: (a) => a.runs.map((r) => last(r.reward)) },
  { label: 'expanding samples (polarity > 0)', short: 'expanding', id: 'expanding', get: (a) => sum(a.expanding), digits: 6, cls: 'num-exp' },
  { label: 'contracting samples (polarity < 0)', short: 'contracting', id: 'contracting', get: (a) => sum(a.contracting), digits: 6, cls: 'num-con' },
  { label: 'ΔH from expanding updates (first order)', short: 'ΔH expanding', id: 'dh-expand', get: (a) => sum(a.expandDh), digits: 4, cls: 'num-exp' },
  { label: 'ΔH from contracting updates', short: 'ΔH contracting', id: 'dh-contract', get: (a) => sum(a.contractDh), digits: 4, cls: 'num-con' },
  { label: 'ΔH from the entropy bonus', short: 'ΔH bonus', id: 'dh-bonus', get: (a) => sum(a.bonusDh), digits: 4 },
  { label: 'realised ΔH = H(end) − H(0)', short: 'realised ΔH', id: 'dh-real', get: (a) => last(a.entropy) - a.entropy[0], digits: 4 },
  { label: 'clipped by clip-high (sample-epochs)', short: 'clip-high hits', id: 'clipped-high', get: (a) => sum(a.clippedHigh), digits: 6 },
  { label: 'clipped by clip-low (sample-epochs)', short: 'clip-low hits', id: 'clipped-low', get: (a) => sum(a.clippedLow), digits: 6 },
  { label: 'ε_high used', short: 'ε_high', id: 'clip-high-used', get: (a) => a.clipHighUsed, digits: 4 },
  { label: 'weight w of expanding updates, last step', short: 'w, last step', id: 'weight', get: (a) => (a.expandWeight.length ? last(a.expandWeight) : 1), digits: 4 },
];

function mean(xs) { return sum(xs) / xs.length; }
function stdErr(xs) {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1) / xs.length);
}

function renderTable(p, agg) {
  const narrow = window.innerWidth < 600;
  const table = byTest('lab-table');
  const head = document.createElement('tr');
  head.append(document.createElement('th'));
  head.firstChild.textContent = p.seeds > 1 ? `mean of ${p.seeds} seeds` : `seed ${p.seed}`;
  head.firstChild.scope = 'col';
  for (const s of STRATEGIES) {
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
    for (const s of STRATEGIES) {
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
  note.textContent = (p.seeds > 1
    ? `Means over seeds ${p.seed} to ${p.seed + p.seeds - 1} (± one standard error over seeds); counts are means too. `
    : '') + `Initial entropy H₀ = ${fmt(agg.pg.entropy[0], 5)} nats; polarity's target H* = ${fmt(agg.polarity.targetEntropy, 5)} nats. ` +
    'Counts are summed over steps; a sample-epoch is one sample in one optimisation epoch.';
}

function renderBranches(p, agg) {
  const grid = $('branches');
  if (grid.children.length !== STRATEGIES.length) {
    grid.replaceChildren(...STRATEGIES.map((s) => {
      const fig = document.createElement('figure');
      fig.className = 'branch';
      fig.dataset.strategy = s.key;
      const cap = document.createElement('figcaption');
      const svg = el('svg', { class: 'branch-chart', role: 'img', 'aria-label': `Entropy change by branch, ${s.name}` });
      fig.append(cap, svg);
      return fig;
    }));
  }
  const figs = [...grid.children];
  const w = Math.max(240, Math.floor(figs[0].clientWidth));
  const plotW = w - 54;
  const bins = Math.max(8, Math.min(p.steps || 1, Math.floor(plotW / (p.steps > plotW / 3 ? 3 : 1))));
  const binned = STRATEGIES.map((s) => binBranches(agg[s.key], p.steps, p.logx, bins));
  const { lo, hi } = branchExtent(binned);
  STRATEGIES.forEach((s, i) => {
    const fig = figs[i];
    const a = agg[s.key];
    const cap = fig.querySelector('figcaption');
    cap.replaceChildren(swatch(s, 26, 12), document.createTextNode(` ${s.name}: `),
      span(`${fmtCount(sum(a.expanding))} expanding`, 'num-exp'), document.createTextNode(' · '),
      span(`${fmtCount(sum(a.contracting))} contracting`, 'num-con'),
      document.createTextNode(` samples; realised ΔH ${fmt(last(a.entropy) - a.entropy[0], 3)}`));
    drawBranchChart(fig.querySelector('svg.branch-chart'), {
      width: w, height: 150, steps: p.steps, logX: p.logx, bins: binned[i], lo, hi, fmt,
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
  const { params: p, problems } = paramsFromHash(location.hash, DEFAULTS);
  params = p;
  syncInputs();
  clearError();
  run(problems);
}

function wire() {
  const legend = $('legend');
  legend.replaceChildren(...STRATEGIES.map((s) => {
    const li = document.createElement('li');
    li.append(swatch(s), document.createTextNode(` ${s.name}`));
    return li;
  }));
  for (const holder of document.querySelectorAll('[data-swatch]')) {
    holder.replaceChildren(swatch(STRATEGIES.find((s) => s.key === holder.dataset.swatch), 30, 14));
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
      if (input.dataset.param === 'vocab' && Number.isInteger(params.vocab) && params.vocab >= 2
          && Number.isFinite(params.correct) && params.correct > params.vocab - 1) {
        params.correct = params.vocab - 1;
        $('p-correct').value = String(params.correct);
      }
      $('p-correct').disabled = !USES_CORRECT.includes(params.preset);
      if (input.dataset.param === 'logx') {
        if (shown) {
          shown.params.logx = params.logx;
          history.replaceState(null, '', hashFromParams(shown.params));
          render();
        }
        return;
      }
      scheduleRun();
    };
    input.addEventListener('input', () => onEdit(false));
    input.addEventListener('change', () => onEdit(true));
  }
  $('params').addEventListener('submit', (e) => { e.preventDefault(); run(); });
  byTest('lab-run').addEventListener('click', () => {
    for (const input of inputs()) {
      const problem = readInput(input);
      if (problem) { showError(problem, input.dataset.param); return; }
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
  DEFAULTS = labDefaults(simulateDefaults());
  wire();
  loadHash();
}

main();
