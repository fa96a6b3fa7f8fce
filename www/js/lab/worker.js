// @ts-check
// The lab's worker: runs simulations off the main thread with its own wasm
// instance, in slices of bounded work, posting progress after each slice.
// Cancelling is terminating the worker (pool.js, lib/worker-rpc.js), which works even in
// the middle of a slice; a slice is at most SLICE_WORK units (epochs × (V + G)
// per step), a few milliseconds, so progress is frequent.
//
// Messages in (after { type: 'wasm', module }, lib/worker-rpc.js):
//   { type: 'runs', id, jobs: [{ key, options }] }      // whole runs
//   { type: 'upto', id, options, steps }                 // the policy after `steps` steps
//   { type: 'trace', id, options, envName }              // a run in trace format v1
//   { type: 'cell', id, spec, scenario, strategy }       // one grid cell
// Messages out:
//   { type: 'progress', id, steps }                      // steps done since the last message
//   { type: 'result', id, key, result }                  // typed arrays, transferred
//   { type: 'probs', id, probs } | { type: 'trace', id, text } | { type: 'cell', id, scenario, strategy, cell }
//   { type: 'done', id }
//   { type: 'error', id, message, code, field }

import init, { LabRun, gridCell } from '../../pkg/entropy_polarity.js';
import { postToPage as post, wasmFromPage } from '../lib/worker-rpc.js';

const SLICE_WORK = 2e6;
const ready = wasmFromPage(init); // the page's compiled module

function slices(run, id) {
  const per = Math.max(1, Math.floor(SLICE_WORK / Math.max(1, run.stepCost)));
  let before = 0;
  while (!run.done) {
    const now = run.advance(per);
    post({ type: 'progress', id, steps: now - before });
    before = now;
  }
}

function transferables(result) {
  return Object.values(result)
    .filter((v) => ArrayBuffer.isView(v))
    .map((v) => v.buffer);
}

self.onmessage = async ({ data }) => {
  await ready;
  const { id } = data;
  try {
    if (data.type === 'runs') {
      for (const job of data.jobs) {
        const run = new LabRun(job.options, false);
        try {
          slices(run, id);
          const result = run.result();
          post({ type: 'result', id, key: job.key, result }, transferables(result));
        } finally {
          run.free();
        }
      }
    } else if (data.type === 'upto') {
      const run = new LabRun({ ...data.options, steps: data.steps }, false);
      try {
        slices(run, id);
        const { finalProbs } = run.result();
        post({ type: 'probs', id, probs: finalProbs }, [finalProbs.buffer]);
      } finally {
        run.free();
      }
    } else if (data.type === 'trace') {
      const run = new LabRun(data.options, true);
      try {
        slices(run, id);
        post({ type: 'trace', id, text: run.traceJsonl(data.envName) });
      } finally {
        run.free();
      }
    } else if (data.type === 'cell') {
      const cell = gridCell(data.spec, data.scenario, data.strategy);
      post({ type: 'cell', id, scenario: data.scenario, strategy: data.strategy, cell }, [cell.buffer]);
    }
    post({ type: 'done', id });
  } catch (e) {
    post({ type: 'error', id, message: e?.message ?? String(e), code: e?.code ?? null, field: e?.field ?? null });
  }
};
