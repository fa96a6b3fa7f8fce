// @ts-check
// One worker of a slice's pool (pool.js; made by the page, reader.js,
// for a slice worker, worker.js, which talks to it over a port): it has
// its own wasm instance, reads its own chunks of whole rows from the File
// (Blob.slice, no SharedArrayBuffer) and analyses them with analyzeRows.
// A chunk's read starts as soon as the chunk is handed out, so the next
// chunk is read while this one is analysed; chunks are analysed in the
// order they came.
//
// Messages in (on self, from the page):
//   { type: 'wasm', module } (lib/worker-rpc.js)
//   { type: 'port' } with one MessagePort: the slice worker's end; then all
//   messages go over it
// Messages in (on the port):
//   { type: 'init', file, options, identity }   // once, first
//   { type: 'chunk', chunk, first, n, start, end, tokens?, advantages? }
//      rows [first, first + n) are bytes [start, end) of the file; tokens is
//      a Uint32Array, 'greedy' or absent; advantages a Float32Array or absent
//   { type: 'stop' }                             // the pool is over: close
// Messages out (on the port):
//   { type: 'result', chunk, first, columns, timing }   // columns transferred
//   { type: 'error', chunk, message, code? }             // names the row (counted in the file)

import init, { readHeader, analyzeRows } from '../../pkg/entropy_polarity.js';
import { wasmFromPage } from '../lib/worker-rpc.js';
import { header, readBytes } from './read.js';

/** @type {Promise<void> | null} the page's compiled module, instantiated (in a worker only) */
let wasmReady = null;

/** Waits for wasm (in a worker) and reads the header: → { layout, identity }. */
async function setUp(file, { options, identity }) {
  await wasmReady;
  const h = await header(readHeader, file, options);
  if (h.kind !== 'ready') throw new Error('Internal reading error: the pool reads binary slices only.');
  return { layout: h.layout, identity };
}

/** One chunk, once `reading` (its bytes) and `ready` are there: → [result message, transfer]. */
async function analyse(m, ready, reading) {
  const { layout, identity } = await ready;
  const timing = { read: 0, decode: 0, analyse: 0 };
  let t = performance.now();
  const bytes = await reading;
  timing.read = performance.now() - t;
  t = performance.now();
  const logits = identity ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : layout.decodeRows(m.first, bytes);
  timing.decode = performance.now() - t;
  t = performance.now();
  let r;
  try {
    r = analyzeRows(logits, m.n, logits.length / m.n, m.tokens, m.advantages);
  } catch (e) {
    // As in worker.js: analyzeRows counts rows in the chunk; the
    // parser's message on the same bytes names the row in the file.
    if (identity) layout.decodeRows(m.first, bytes);
    throw e;
  }
  timing.analyse = performance.now() - t;
  const columns = {};
  for (const k of Object.keys(r)) if (ArrayBuffer.isView(r[k])) columns[k] = r[k];
  const transfer = Object.values(columns).map((a) => a.buffer);
  return [{ type: 'result', chunk: m.chunk, first: m.first, columns, timing }, transfer];
}

/**
 * The worker's chunk handling, apart from its messages (tests/js/pool.test.mjs
 * drives it in Node): returns `chunk(m)`, which starts reading m's bytes at
 * once and analyses chunks one after the other; `post(message, transfer)`
 * gets each result or error.
 */
export function chunkRunner(file, ready, post) {
  ready.catch(() => {}); // reported with the first chunk
  let queue = Promise.resolve();
  return (m) => {
    const reading = readBytes(file, m.start, m.end);
    reading.catch(() => {}); // an error surfaces when the chunk is analysed
    queue = queue.then(() =>
      analyse(m, ready, reading).then(
        ([msg, transfer]) => post(msg, transfer),
        (err) => post({ type: 'error', chunk: m.chunk, message: err?.message ?? String(err), code: err?.code }, []),
      ),
    );
  };
}

if (typeof (/** @type {any} */ (globalThis).WorkerGlobalScope) !== 'undefined') {
  wasmReady = wasmFromPage(init);
  self.onmessage = (e) => {
    const port = e.ports[0];
    if (e.data?.type !== 'port' || !port) return;
    let chunk = null;
    port.onmessage = (e) => {
      const m = e.data;
      if (m?.type === 'init') chunk = chunkRunner(m.file, setUp(m.file, m), (msg, transfer) => port.postMessage(msg, { transfer }));
      else if (m?.type === 'chunk') chunk(m);
      else if (m?.type === 'stop') self.close();
    };
  };
}
