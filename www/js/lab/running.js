// @ts-check
// The control lab's runs: one `simulate` run per shown strategy and seed, in
// workers (pool.js), never on the main thread; a newer run or Cancel
// terminates the older one. Seeds are averaged per step (aggregate).

import { meanPerStep } from '../../pkg/entropy_polarity.js';
import { byTest, clearError } from '../lib/dom.js';
import { labPool } from './pool.js';
import { lab, showError } from './settings.js';
import { checkPageParams, hashFromParams, runOptions, shownStrategies } from './state.js';
import { render } from './view.js';

const DEBOUNCE_MS = 250;
const pool = labPool();
let generation = 0;
let debounce = 0;

export function scheduleRun() {
  clearTimeout(debounce);
  debounce = setTimeout(run, DEBOUNCE_MS);
}

export function setStatus(text, value) {
  const ms = byTest('lab-ms');
  ms.textContent = text;
  if (value !== undefined) ms.dataset.value = String(value);
}

let attempts = 0;
/** Every finished attempt (run or error) counts, so tests can wait for the next one. */
export function markReady() {
  byTest('lab-ms').dataset.run = String(++attempts);
  document.documentElement.dataset.ready = '1';
}

/** Runs the lab.shown strategies (× seeds) for the current settings, in workers. */
export function run(notes = []) {
  clearTimeout(debounce);
  const gen = ++generation;
  const p = { ...lab.params };
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
      jobs.push({ type: 'runs', jobs: [{ key: `${s.key}:${i}`, options: runOptions(lab.PARAMS, p, s.key, p.seed + i) }] });
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
        lab.active = strategies;
        const agg = Object.fromEntries(strategies.map((s) => [s.key, aggregate(results[s.key])]));
        lab.shown = { params: p, agg };
        clearError();
        if (notes.length) showError(notes.join(' ')); // what the link had that could not be used
        history.replaceState(null, '', hashFromParams(lab.PARAMS, p));
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
          setStatus(lab.shown ? 'cancelled: the charts show the last run that finished' : 'cancelled');
          markReady();
          return;
        }
        fail(gen, e.message, e.field);
      },
    );
}

export function stopRunning() {
  document.body.classList.remove('running');
  byTest('lab-cancel').hidden = true;
  byTest('lab-progress').hidden = true;
}

function fail(gen, message, key) {
  if (gen !== generation) return;
  stopRunning();
  showError(message, key);
  setStatus(lab.shown ? 'not run: the charts show the last run that worked' : 'not run');
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
  // Counts come as Uint32Array: the core takes them as Float64Array.
  for (const k of keys) out[k] = runs.length === 1 ? first[k] : meanPerStep(runs.map((r) => Float64Array.from(r[k])));
  return out;
}

/** Stops the running batch; the charts keep the last run that finished. */
export function cancelRun() {
  generation++;
  pool.cancel();
  stopRunning();
  setStatus(lab.shown ? 'cancelled: the charts show the last run that finished' : 'cancelled');
  markReady();
}
