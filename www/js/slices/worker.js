// @ts-check
// The slice worker: reads one uploaded logit slice off the main thread and
// analyses every row with the wasm core (docs/contract.md).
//
// One worker per file: the page starts a worker for each file it opens and
// terminates it to cancel, or once another slice replaces this one. That
// makes cancel immediate even inside one long wasm call (parsing a 200 MB
// JSON), and gives the file's memory back to the browser (wasm memory only
// grows; a terminated worker's is freed).
//
// Binary C-order files (.npy, .safetensors) are streamed: whole rows are read
// in chunks of at most CHUNK_BYTES with Blob.slice, decoded (decodeRows) and
// analysed (analyzeRows) one chunk at a time, so memory is bounded by the
// chunk, not the file. Only the layout (byte offsets) and the File are kept:
// a row is reopened by reading its own byte range again. Fortran-order
// arrays (rows strided over the whole file) are decoded whole within the
// core's limit; JSON and CSV are parsed whole (within the core's limit) and
// kept in wasm memory.
//
// Messages in:
//   { type: 'wasm', module }                                        // first (lib/worker-rpc.js)
//   { type: 'open', id, file, options: { confirmBf16, logitsTensor, tokensTensor,
//                                    advantagesTensor, greedy, workers } }   // once
//   (workers: how many pool workers analyse a streamed file, pool.js;
//    default the cores, at most MAX_WORKERS; 1 analyses it here)
//   { type: 'row', row, id }                                        // reopen one row
//   { type: 'pool', ports }            // the pool asked for: one MessagePort per worker
//   { type: 'pool-error', worker, message }          // pool worker `worker` stopped
// Messages out (the open request's carry its id):
//   { type: 'pool', size }             // make `size` pool workers (reader.js)
//   { type: 'progress', phase, done, total, unit }   // phase header | read | parse | analyse; unit bytes | rows
//   { type: 'done', summary, columns }               // typed arrays, transferred
//   { type: 'error', message, code?, candidates? }
//   { type: 'row', id, index, logits, labels, token, advantage } | { type: 'error', id, message }

import init, { readHeader, parseSlice, analyzeRows } from '../../pkg/entropy_polarity.js';
import { postToPage, wasmFromPage } from '../lib/worker-rpc.js';
import { poolSize, runPool } from './pool.js';
import { header, readBytes, wasmOptions } from './read.js';

const MAX_WORKERS = 8; // more workers than this only add memory (workers × 2 chunks)

// 24 MiB: on a 2 GiB .npy (2 workers, 2 cores) 2.8–3.2 s, as fast as 32 MiB (2.8–3.1 s) and
// faster than 16 (3.1–3.2 s) or 8 (3.3 s), with the renderer's rise under 300 MiB (32: 360)
const CHUNK_BYTES = 24 << 20; // a chunk of whole rows (one row if a row is larger)
const PROGRESS_MS = 60;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// Per-row columns analyzeRows returns (Float64Array each; token: Uint32Array).
const ROW_KEYS = ['entropy', 'meanDiscriminator', 'flipNudge', 'flipPolicyGradient'];
const TOKEN_KEYS = ['token', 'prob', 'discriminator', 'sensitivity', 'polarity'];

const ready = wasmFromPage(init); // the page's compiled module
let current = null; // the loaded slice: what reopens its rows
let openId = null; // the page's id of the open request: on all its messages
/** Posts a message of the open request. */
const post = (/** @type {any} */ m, /** @type {Transferable[]} */ transfer = []) => postToPage({ ...m, id: openId }, transfer);
let poolPorts = null; // resolves with the ports of the pool asked for
const poolFailed = []; // per pool worker: what to do when the page says it stopped

/**
 * Ports to `size` pool workers, made by the page (reader.js says why
 * not here).
 */
function askPool(size) {
  return new Promise((resolve) => {
    poolPorts = resolve;
    post({ type: 'pool', size });
  });
}

/** Per-row result columns, filled chunk by chunk. */
function columnsFor(rows, withToken) {
  const cols = {};
  for (const k of ROW_KEYS) cols[k] = new Float64Array(rows);
  if (withToken) for (const k of TOKEN_KEYS) cols[k] = k === 'token' ? new Uint32Array(rows) : new Float64Array(rows);
  return cols;
}

/**
 * Analyses rows [0, rows) delivered by `next(first, count)` → Float32Array,
 * chunk by chunk; reports progress via `report(rowsDone)`. `tokens` is a
 * Uint32Array, 'greedy' (each row's most likely token, found by the core)
 * or null. When analyzeRows refuses a chunk, `explain(first, logits)` (if
 * given) may throw the parser's own message for it instead.
 * @param {{ rows: number, vocab: number, perChunk: number, next: (first: number, n: number) => Promise<Float32Array>,
 *   tokens: any, advantages: any, report: (done: number) => void, timing: any,
 *   explain?: (first: number, logits: Float32Array) => void }} a
 */
async function analyseAll({ rows, vocab, perChunk, next, tokens, advantages, report, timing, explain }) {
  const cols = columnsFor(rows, Boolean(tokens));
  for (let first = 0; first < rows; first += perChunk) {
    const n = Math.min(perChunk, rows - first);
    const logits = await next(first, n);
    const t = performance.now();
    const tok = tokens === 'greedy' ? 'greedy' : tokens ? tokens.subarray(first, first + n) : undefined;
    const adv = advantages ? advantages.subarray(first, first + n) : undefined;
    let r;
    try {
      r = analyzeRows(logits, n, vocab, tok, adv);
    } catch (e) {
      explain?.(first, logits);
      throw e;
    }
    for (const k of Object.keys(cols)) cols[k].set(r[k], first);
    timing.analyse += performance.now() - t;
    report(first + n);
  }
  return cols;
}

function progressReporter(phase, total, unit) {
  let last = 0;
  return (done, force = false) => {
    const now = performance.now();
    if (!force && now - last < PROGRESS_MS && done < total) return;
    last = now;
    post({ type: 'progress', phase, done, total, unit });
  };
}

/**
 * The same as analyseAll over a C-order binary file, by a pool of `size`
 * workers (pool.js, pool-worker.js), each with its own wasm instance reading
 * its own chunks: the columns are bit for bit those of one worker (each row
 * is analysed alone, chunks are cut at the same rows). Memory: each worker
 * holds at most two chunks (the one analysed, the one being read).
 */
async function analysePooled({ file, info, options, perChunk, size, identity, rows, tokens, advantages, timing, report }) {
  const { dataStart, rowBytes } = info;
  const cols = columnsFor(rows, Boolean(tokens));
  let rowsDone = 0;
  const ports = await askPool(size);
  await runPool({
    size,
    chunks: Math.ceil(rows / perChunk),
    spawn: (k, deliver) => {
      const port = ports[k];
      port.onmessage = (e) => deliver(e.data);
      poolFailed[k] = (message) =>
        deliver({ type: 'error', chunk: -1, message: `A reading worker stopped (${message}). Try again, or reload the page.` });
      port.postMessage({ type: 'init', file, options, identity });
      const stop = () => {
        port.postMessage({ type: 'stop' });
        port.close();
      };
      return { post: (m) => port.postMessage(m), terminate: stop };
    },
    job: (chunk) => {
      const first = chunk * perChunk;
      const n = Math.min(perChunk, rows - first);
      const m = { type: 'chunk', chunk, first, n, start: dataStart + first * rowBytes, end: dataStart + (first + n) * rowBytes };
      if (tokens) m.tokens = tokens === 'greedy' ? 'greedy' : tokens.slice(first, first + n);
      if (advantages) m.advantages = advantages.slice(first, first + n);
      return [m, []];
    },
    result: (_chunk, m) => {
      for (const k of Object.keys(cols)) cols[k].set(m.columns[k], m.first);
      for (const k of Object.keys(timing)) timing[k] += m.timing[k];
      rowsDone += m.columns.entropy.length;
      report(rowsDone);
    },
  });
  return cols;
}

/** A binary file: streamed by rows (C order) or decoded whole (Fortran order). */
async function openBinary(file, info, L, options, summary, timing) {
  Object.assign(summary, {
    format: info.format,
    dtype: info.dtype,
    order: info.order,
    shape: info.shape,
    rows: info.rows,
    vocab: info.vocab,
    tensors: info.tensors,
    logitsName: info.logitsName ?? null,
    tokensName: info.tokensName ?? null,
    advantagesName: info.advantagesName ?? null,
    endian: info.endian,
  });
  const tokens = info.tokensRange ? L.decodeTokens(await readBytes(file, ...info.tokensRange)) : null;
  const advantages = info.advantagesRange ? L.decodeAdvantages(await readBytes(file, ...info.advantagesRange)) : null;
  const { dataStart: start, dataEnd: end, rowBytes, rows, vocab } = info;
  const common = { rows, vocab, tokens: tokens ?? (options.greedy ? 'greedy' : null), advantages, timing };
  let cols, state;
  if (!info.strided) {
    const perChunk = L.rowsPerChunk(CHUNK_BYTES);
    let ahead = null;
    const identity = info.dtype === 'float32' && info.endian === 'little' && LITTLE_ENDIAN_HOST;
    summary.path = identity ? 'streamed (float32 read as is)' : 'streamed';
    const report = progressReporter('analyse', end - start, 'bytes');
    const reportRows = (rowsDone) => report(rowsDone * rowBytes);
    const range = (f, k) => [start + f * rowBytes, start + (f + k) * rowBytes];
    const size = poolSize(options.workers, navigator.hardwareConcurrency, MAX_WORKERS, Math.ceil(rows / perChunk));
    summary.workers = size;
    if (size > 1) {
      summary.path += `, ${size} workers`;
      cols = await analysePooled({ ...common, file, info, options, perChunk, size, identity, report: reportRows });
    } else {
      cols = await analyseAll({
        ...common,
        perChunk,
        // The next chunk is read while this one is decoded and analysed
        // (at most two chunks in memory).
        next: async (first, n) => {
          const read = ahead?.first === first ? ahead.bytes : readBytes(file, ...range(first, n));
          const after = first + n;
          ahead = after < rows ? { first: after, bytes: readBytes(file, ...range(after, Math.min(perChunk, rows - after))) } : null;
          ahead?.bytes.catch(() => {}); // an error surfaces when that chunk is awaited
          let t = performance.now();
          const bytes = await read;
          timing.read += performance.now() - t;
          if (identity) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
          t = performance.now();
          const logits = L.decodeRows(first, bytes);
          timing.decode += performance.now() - t;
          return logits;
        },
        // Little-endian float32 needs no decoding: the bytes are viewed as
        // they are, and analyzeRows refuses NaN, +inf and all-masked rows
        // like decodeRows does. If it does, decodeRows on the same bytes
        // gives the parser's message (row counted in the whole file).
        explain: identity
          ? (first, logits) => {
              L.decodeRows(first, new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength));
            }
          : null,
        report: reportRows,
      });
    }
    state = { kind: 'stream', layout: L };
  } else {
    summary.path = 'whole (Fortran order)';
    L.checkDecodeAll();
    post({ type: 'progress', phase: 'read', done: 0, total: end - start });
    const all = L.decodeAll(await readBytes(file, start, end));
    cols = await analyseAll({
      ...common,
      perChunk: Math.max(1, Math.floor(CHUNK_BYTES / (4 * vocab))),
      next: async (first, n) => all.subarray(first * vocab, (first + n) * vocab),
      report: progressReporter('analyse', rows, 'rows'),
    });
    state = { kind: 'decoded', rows, vocab, logits: all };
  }
  summary.warnings = [...L.decodeWarnings(), ...info.warnings];
  if (tokens) summary.tokenSource = 'file';
  if (advantages) summary.advantageSource = 'file';
  return { cols, state, advantages };
}

/** JSON or CSV: parsed whole, kept in wasm memory. */
async function openText(file, format, options, summary, timing) {
  summary.format = format;
  summary.path = 'whole (text)';
  post({ type: 'progress', phase: 'read', done: 0, total: file.size });
  const bytes = await readBytes(file, 0, file.size);
  post({ type: 'progress', phase: 'parse', done: 0, total: file.size });
  const { data, info } = parseSlice(file.name, bytes, wasmOptions(options));
  const { rows, vocab } = info;
  Object.assign(summary, {
    format: info.format,
    rows,
    vocab,
    shape: [rows, vocab],
    dtype: 'float32',
    warnings: info.warnings,
    truncated: info.truncated,
  });
  const tokens = info.tokens ?? null;
  const advantages = info.advantages ?? null;
  const cols = await analyseAll({
    rows,
    vocab,
    tokens: tokens ?? (options.greedy ? 'greedy' : null),
    advantages,
    timing,
    perChunk: Math.max(1, Math.floor(CHUNK_BYTES / (4 * vocab))),
    next: async (first, n) => data.rowsLogits(first, n),
    report: progressReporter('analyse', rows, 'rows'),
  });
  if (tokens) summary.tokenSource = 'file';
  if (advantages) summary.advantageSource = 'file';
  if (info.truncated) {
    Object.assign(cols, { tailMass: info.tailMass, entropyBound: info.entropyBound, listed: info.listed, choice: info.choice });
    cols.tokenLabels = info.tokenLabels; // plain strings, copied
    summary.choices = info.choice.length ? Math.max(...new Set(info.choice)) + 1 : 1;
  }
  return { cols, state: { kind: 'text', data }, advantages };
}

async function open({ id, file, options = {} }) {
  openId = id;
  const t0 = performance.now();
  const timing = { read: 0, decode: 0, analyse: 0 }; // ms in the worker
  try {
    await ready;
    post({ type: 'progress', phase: 'header', done: 0, total: file.size });
    const h = await header(readHeader, file, options);
    const summary = {
      name: file.name,
      size: file.size,
      format: null,
      dtype: null,
      order: 'C',
      shape: null,
      rows: 0,
      vocab: 0,
      warnings: [],
      truncated: false,
      tokenSource: null,
      tokensName: null,
      advantagesName: null,
      advantageSource: null,
      tensors: [],
      logitsName: null,
      path: null,
      choices: 1,
    };
    const { cols, state, advantages } =
      h.kind === 'ready'
        ? await openBinary(file, h.info, h.layout, options, summary, timing)
        : await openText(file, h.format, options, summary, timing);
    if (!summary.tokenSource && cols.token) summary.tokenSource = 'greedy';
    summary.elapsedMs = performance.now() - t0;
    summary.timing = timing;
    current = { file, state, tokens: cols.token ?? null, advantages };
    /** @type {Record<string, any>} */
    const columns = { ...cols };
    if (cols.token) columns.tokens = Uint32Array.from(cols.token);
    delete columns.token;
    if (advantages) columns.advantages = Float32Array.from(advantages);
    const transfer = Object.values(columns)
      .filter((a) => ArrayBuffer.isView(a))
      .map((a) => a.buffer);
    post({ type: 'done', summary, columns }, transfer);
  } catch (e) {
    post({ type: 'error', message: e?.message ?? String(e), code: e?.code, candidates: e?.candidates });
  }
}

async function openRow({ row, id }) {
  try {
    if (!current) throw new Error('That slice is no longer loaded; load it again.');
    const { state, file } = current;
    let logits,
      labels = null;
    if (state.kind === 'stream') {
      const [s, e] = state.layout.rowRange(row);
      logits = state.layout.decodeRows(row, await readBytes(file, s, e));
    } else if (state.kind === 'decoded') {
      if (!(Number.isInteger(row) && row >= 0 && row < state.rows))
        throw new Error(`Row ${row} does not exist: the slice has ${state.rows} rows.`);
      logits = state.logits.slice(row * state.vocab, (row + 1) * state.vocab);
    } else {
      logits = state.data.row(row);
      labels = state.data.labels(row) ?? null;
    }
    const token = current.tokens ? current.tokens[row] : null;
    const advantage = current.advantages ? current.advantages[row] : 1;
    postToPage({ type: 'row', id, index: row, logits, labels, token, advantage }, [logits.buffer]);
  } catch (e) {
    postToPage({ type: 'error', id, message: e?.message ?? String(e) });
  }
}

self.onmessage = (e) => {
  const m = e.data;
  if (m?.type === 'open') open(m);
  else if (m?.type === 'row') openRow(m);
  else if (m?.type === 'pool') poolPorts?.(m.ports);
  else if (m?.type === 'pool-error') poolFailed[m.worker]?.(m.message);
};
