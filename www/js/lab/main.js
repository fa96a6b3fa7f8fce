// @ts-check
// The control lab: settings ⇄ URL hash (settings.js, state.js), one
// `simulate` run per shown strategy and seed (running.js), charts and
// readouts (view.js); the scenario grid (grid.js); the trace download; links
// to the explorer. All the simulation happens in the wasm core, in workers
// (pool.js), never on the main thread.

import init, { explorerLogits, simulateOptions, simulateDefaults } from '../../pkg/entropy_polarity.js';
import { wasmModule } from '../lib/worker-rpc.js';
import { wireCopyLink, download } from '../lib/share.js';
import { $, byTest, clearError } from '../lib/dom.js';
import {
  STRATEGIES,
  MAX_TRACE_LINES,
  buildParams,
  labDefaults,
  hashFromParams,
  paramsFromHash,
  runOptions,
  USES_CORRECT,
} from './state.js';
import { labPool } from './pool.js';
import { wireGrid, loadGrid } from './grid.js';
import { swatch } from './charts.js';
import { lab, applyLimits, focusStrategy, inputs, readInput, showError, syncFocus, syncInputs } from './settings.js';
import { cancelRun, markReady, run, scheduleRun } from './running.js';
import { render, wireHover } from './view.js';

const side = labPool(1); // trace downloads and explorer links

function loadHash() {
  const { params: p, problems } = paramsFromHash(lab.PARAMS, location.hash, lab.DEFAULTS);
  lab.params = p;
  syncInputs();
  clearError();
  run(problems);
  loadGrid();
}

async function downloadTrace() {
  const p = lab.shown?.params ?? lab.params;
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
    await side.run([{ type: 'trace', options: runOptions(lab.PARAMS, p, key, p.seed), envName: `lab:${key}` }], (msg) => {
      if (msg.type === 'trace') text = msg.text;
    });
    download(new Blob([text], { type: 'application/x-ndjson' }), `lab-trace-${key}-seed${p.seed}.jsonl`);
    status.textContent = `${lines} lines (${key}, seed ${p.seed}): trace format v1`;
  } catch (e) {
    status.textContent = '';
    if (!e.cancelled) showError(e.message, e.field);
  }
}

/** Opens the policy of the focused strategy at the hovered step (or the end) in the explorer. */
async function openInExplorer() {
  const p = lab.shown?.params ?? lab.params;
  const key = focusStrategy();
  const step = lab.hoverStep ?? p.steps;
  try {
    /** @type {Float64Array} */
    let probs = new Float64Array(0);
    await side.run([{ type: 'upto', options: runOptions(lab.PARAMS, p, key, p.seed), steps: step }], (msg) => {
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
  for (const holder of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-swatch]'))) {
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
        Number.isInteger(lab.params.vocab) &&
        lab.params.vocab >= 2 &&
        Number.isFinite(lab.params.correct) &&
        lab.params.correct > lab.params.vocab - 1
      ) {
        lab.params.correct = lab.params.vocab - 1;
        $('p-correct').value = String(lab.params.correct);
      }
      $('p-correct').disabled = !USES_CORRECT.includes(lab.params.preset);
      if (input.dataset.param === 'logx') {
        if (lab.shown) {
          lab.shown.params.logx = lab.params.logx;
          history.replaceState(null, '', hashFromParams(lab.PARAMS, lab.shown.params));
          render();
        }
        return;
      }
      scheduleRun();
    };
    input.addEventListener('input', () => onEdit(false));
    input.addEventListener('change', () => onEdit(true));
  }
  for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('[data-strategy-toggle]'))) {
    box.addEventListener('change', () => {
      lab.params.strategies = [.../** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('[data-strategy-toggle]'))]
        .filter((b) => b.checked)
        .map((b) => b.dataset.strategyToggle)
        .join(',');
      syncFocus();
      scheduleRun();
    });
  }
  byTest('lab-cancel').addEventListener('click', cancelRun);
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
    lab.params = { ...lab.DEFAULTS };
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
    await init({ module_or_path: await wasmModule() }); // the workers' module too
  } catch (e) {
    showError(`The WebAssembly core did not load: ${e.message}`);
    markReady();
    return;
  }
  lab.PARAMS = buildParams(simulateOptions());
  lab.DEFAULTS = labDefaults(simulateDefaults());
  applyLimits();
  wire();
  wireGrid({
    getParams: () => lab.params,
    params: () => lab.PARAMS,
    writeHash: () => history.replaceState(null, '', hashFromParams(lab.PARAMS, lab.params)),
    showError,
    clearError,
  });
  loadHash();
}

main();
