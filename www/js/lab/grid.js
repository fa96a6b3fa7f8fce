// @ts-check
// The scenario grid view: every strategy over reward structures × V × lr ×
// epochs × clip settings × seeds, run cell by cell in workers with progress
// and cancel; the core (gridSummary) decides each cell's outcome, this file
// draws the table. The grid's axes are lab settings (g…), so a grid is a
// link; `grid=1` in the link runs it on load.

import { gridPlan, gridSummary } from '../../pkg/entropy_polarity.js';
import { labPool } from './pool.js';
import { STRATEGIES, gridSpec } from './state.js';

const byTest = (t) => /** @type {HTMLElement} */ (document.querySelector(`[data-testid="${t}"]`));
const pool = labPool();
let ctx;
let generation = 0;

/** @param {{ getParams: () => any, params: () => readonly any[], writeHash: () => void, showError: (m: string, k?: string|null) => void, clearError: () => void }} c */
export function wireGrid(c) {
  ctx = c;
  for (const input of document.querySelectorAll('[data-gparam]')) {
    input.addEventListener('change', () => {
      const key = /** @type {HTMLInputElement} */ (input).dataset.gparam;
      const text = /** @type {HTMLInputElement} */ (input).value.trim();
      const p = ctx.getParams();
      p[key] = input.getAttribute('type') === 'number' ? Number(text) : text;
      ctx.writeHash();
    });
  }
  byTest('grid-run').addEventListener('click', () => {
    ctx.getParams().grid = true;
    ctx.writeHash();
    runGrid();
  });
  byTest('grid-cancel').addEventListener('click', () => {
    generation++;
    pool.cancel();
    done('cancelled');
  });
}

/** Shows the link's grid settings; runs the grid when the link says grid=1. */
export function loadGrid() {
  const p = ctx.getParams();
  for (const input of document.querySelectorAll('[data-gparam]')) {
    /** @type {HTMLInputElement} */ (input).value = String(p[/** @type {HTMLInputElement} */ (input).dataset.gparam]);
  }
  if (p.grid) runGrid();
}

function done(text) {
  byTest('grid-cancel').hidden = true;
  byTest('grid-progress').hidden = true;
  byTest('grid-status').textContent = text;
  byTest('grid-status').dataset.state = text.startsWith('cancelled') ? 'cancelled' : 'done';
}

function runGrid() {
  const gen = ++generation;
  const spec = gridSpec(ctx.getParams());
  if ('error' in spec) {
    ctx.showError(spec.error);
    return;
  }
  let plan;
  try {
    plan = gridPlan(spec);
  } catch (e) {
    ctx.showError(e.message, null);
    return;
  }
  const ns = plan.scenarios.length;
  const nk = plan.strategies.length;
  const cells = new Float64Array(ns * nk * 5);
  const tasks = [];
  for (let s = 0; s < ns; s++) for (let k = 0; k < nk; k++) tasks.push({ type: 'cell', spec, scenario: s, strategy: k });
  let finished = 0;
  const status = byTest('grid-status');
  status.dataset.state = 'running';
  status.textContent = `running ${plan.runs} runs (${ns} scenarios × ${nk} strategies × ${plan.seeds} seeds)…`;
  const bar = /** @type {HTMLProgressElement} */ (byTest('grid-progress'));
  bar.hidden = false;
  bar.value = 0;
  byTest('grid-cancel').hidden = false;
  const t0 = performance.now();
  pool
    .run(tasks, (msg) => {
      if (gen !== generation || msg.type !== 'cell') return;
      cells.set(msg.cell, (msg.scenario * nk + msg.strategy) * 5);
      bar.value = ++finished / tasks.length;
    })
    .then(
      () => {
        if (gen !== generation) return;
        const summary = gridSummary(spec, cells);
        render(plan, summary, spec);
        done(`${plan.runs} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      },
      (e) => {
        if (gen !== generation) return;
        if (e.cancelled) {
          done('cancelled');
          return;
        }
        done('not run');
        ctx.showError(e.message, e.field);
      },
    );
}

function cell(tag, text, attrs = {}) {
  const c = document.createElement(tag);
  c.textContent = text;
  for (const [k, v] of Object.entries(attrs)) c.setAttribute(k, v);
  return c;
}

function render(plan, summary, spec) {
  const ns = plan.scenarios.length;
  const nk = plan.strategies.length;
  const out = summary.outcomes;
  const table = /** @type {HTMLTableElement} */ (byTest('grid-table'));
  const head = document.createElement('tr');
  head.append(
    cell('th', 'strategy', { scope: 'col' }),
    cell('th', 'keeps H and learns', { scope: 'col' }),
    cell('th', 'collapsed', { scope: 'col' }),
    cell('th', 'too slow', { scope: 'col' }),
    cell('th', 'both', { scope: 'col' }),
  );
  for (const r of spec.rewards) head.append(cell('th', r, { scope: 'col' }));
  table.tHead?.replaceChildren(head);
  const rows = [];
  const fails = [];
  for (let k = 0; k < nk; k++) {
    const key = plan.strategies[k];
    const name = STRATEGIES.find((s) => s.key === key)?.name ?? key;
    const count = (o) => {
      let n = 0;
      for (let s = 0; s < ns; s++) if (out[s * nk + k] === o) n++;
      return n;
    };
    const pass = count('pass');
    const tr = document.createElement('tr');
    tr.dataset.strategy = key;
    tr.append(
      cell('th', name, { scope: 'row' }),
      cell('td', `${pass}/${ns} (${Math.round((100 * pass) / ns)} %)`, {
        'data-testid': `grid-pass-${key}`,
        'data-value': String(pass / ns),
      }),
      cell('td', String(count('collapsed'))),
      cell('td', String(count('slow'))),
      cell('td', String(count('both'))),
    );
    for (const r of spec.rewards) {
      let p = 0,
        a = 0;
      plan.scenarios.forEach((label, s) => {
        if (label.startsWith(`${r} `)) {
          a++;
          if (out[s * nk + k] === 'pass') p++;
        }
      });
      tr.append(cell('td', `${p}/${a}`));
    }
    rows.push(tr);
    const failed = plan.scenarios.map((label, s) => [label, out[s * nk + k]]).filter(([, o]) => o !== 'pass');
    if (failed.length) {
      const li = document.createElement('li');
      li.append(cell('strong', `${name}: `), document.createTextNode(failed.map(([l, o]) => `${l} (${o})`).join('; ')));
      fails.push(li);
    }
  }
  table.tBodies[0].replaceChildren(...rows);
  byTest('grid-failures').replaceChildren(...fails);
  byTest('grid-summary').textContent = summary.table;
}
