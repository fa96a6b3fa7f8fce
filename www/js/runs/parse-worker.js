// @ts-check
// A parse worker of the run panel: parses whole files of a run with its own
// wasm instance (RunReader.recording) and hands each file's recording (a
// tape, transferred) to the run worker (worker.js), which replays the tapes
// in file order: the run's tables are one reader's bit for bit
// (docs/trace-format.md, "Reading in parallel"). Its bytes come from its own
// read-ahead worker (lib/read-ahead-worker.js), so reading and parsing overlap.
//
// Made by the page (runs/panel.js), never inside a worker (lib/worker-rpc.js).
// Messages in (on self): { type: 'wasm', module }, then { type: 'ports' } with
// [run, read]: the run worker's port and the read-ahead worker's. On `run`:
//   { type: 'files', files: File[], chunk, depth }   this worker's files, in order (once)
//   { type: 'parse', k, path }                       parse its files[k] (in order)
// Messages out (on `run`):
//   { type: 'progress', bytes }                      bytes parsed since the last one
//   { type: 'tape', k, tape } | { type: 'tape', k, unreadable }   (tape transferred)

import init, { RunReader } from '../../pkg/entropy_polarity.js';
import { wasmFromPage } from '../lib/worker-rpc.js';
import { ReadAhead } from '../lib/read-ahead.js';

const PROGRESS_MS = 80;

const ready = wasmFromPage(init);

self.onmessage = (e) => {
  if (e.data?.type !== 'ports') return;
  const [run, read] = e.ports;
  /** @type {ReadAhead | null} */
  let ahead = null;
  /** @type {File[]} */
  let files = [];
  let queue = Promise.resolve();
  let pending = 0;
  let last = 0;
  const progress = (force = false) => {
    const now = performance.now();
    if (!force && now - last < PROGRESS_MS) return;
    last = now;
    if (pending) run.postMessage({ type: 'progress', bytes: pending });
    pending = 0;
  };

  /** Parses files[k] into a tape. */
  const parse = async (k, path) => {
    await ready;
    const reader = RunReader.recording();
    try {
      const file = files[k];
      try {
        reader.beginFile(path);
        for (let at = 0; at < file.size; ) {
          let bytes;
          try {
            bytes = await /** @type {ReadAhead} */ (ahead).next(k);
          } catch (err) {
            return { type: 'tape', k, unreadable: err?.message ?? String(err) };
          }
          reader.push(bytes);
          at += bytes.length;
          pending += bytes.length;
          progress();
        }
        reader.endFile();
      } catch {
        // recorded on the tape: the run worker meets it in its place
        ahead?.skip(k);
      }
      progress(true);
      return { type: 'tape', k, tape: reader.takeTape() };
    } finally {
      reader.free();
    }
  };

  run.onmessage = (e) => {
    const m = e.data;
    if (m?.type === 'files') {
      files = m.files;
      ahead = new ReadAhead(read, files, { chunk: m.chunk, depth: m.depth });
    } else if (m?.type === 'parse') {
      queue = queue.then(async () => {
        const out = await parse(m.k, m.path);
        run.postMessage(out, out.tape ? [out.tape.buffer] : []);
      });
    }
  };
};
