// The slice worker: reads an uploaded logit slice off the main thread and
// analyses every row with the wasm core (docs/contract.md).
//
// Binary C-order files (.npy, .safetensors) are streamed: whole rows are read
// in chunks of at most CHUNK_BYTES with Blob.slice, decoded (decodeRows) and
// analysed (analyzeRows) one chunk at a time, so memory is bounded by the
// chunk, not the file. Only the layout (byte offsets) and the File are kept:
// a row is reopened by reading its own byte range again.
// Fortran-order arrays (rows strided over the whole file) are decoded whole
// within the core's limit; JSON and CSV are parsed whole (within the core's
// limit) and kept in wasm memory.
//
// Messages in:
//   { type: 'open', id, file, options: { confirmBf16, logitsTensor, tokensTensor,
//                                        advantagesTensor, greedy } }
//   { type: 'cancel', id }
//   { type: 'row', id, row, reqId }          // reopen one row of slice `id`
// Messages out:
//   { type: 'progress', id, phase, done, total, unit }   // phase header | read | parse | analyse; unit bytes | rows
//   { type: 'done', id, summary, columns }   // typed arrays, transferred
//   { type: 'cancelled', id }
//   { type: 'error', id, message, code?, candidates?, fatal? }
//   { type: 'row', reqId, id, index, logits, labels, token, advantage } | { type: 'row-error', reqId, message }

import init, { readHeader, parseSlice, analyzeRows, sliceLimits } from '../pkg/entropy_polarity.js';

const CHUNK_BYTES = 16 << 20; // a chunk of whole rows (one row if a row is larger)
const PREFIX_BYTES = 64 << 10; // first read for the header
const PROGRESS_MS = 60;
// Read the next chunk while this one is decoded and analysed.
const PREFETCH = true;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let wasmReady = null;
let current = null; // the last slice that loaded: what reopens its rows
let job = null; // { id, cancelled }

function ensureWasm() {
  wasmReady ??= init();
  return wasmReady;
}

/** Lets queued messages (cancel) in between chunks. */
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
function yieldToEvents() {
  return new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });
}

class Cancelled extends Error {}

async function readBytes(file, start, end) {
  try {
    return new Uint8Array(await file.slice(start, end).arrayBuffer());
  } catch (e) {
    throw new Error(`The file could not be read (${e.message || e.name}). It may have been moved or changed since it was chosen; choose it again.`);
  }
}

function wasmOptions(o) {
  const out = {};
  if (o.confirmBf16) out.confirmBf16 = true;
  if (o.logitsTensor) out.logitsTensor = o.logitsTensor;
  if (o.tokensTensor !== undefined) out.tokensTensor = o.tokensTensor;
  if (o.advantagesTensor !== undefined) out.advantagesTensor = o.advantagesTensor;
  return out;
}

/** Per-row result columns, filled chunk by chunk. */
class Columns {
  constructor(rows, withToken) {
    this.rows = rows;
    const f = () => new Float64Array(rows);
    this.entropy = f(); this.meanDiscriminator = f(); this.flipNudge = f(); this.flipPolicyGradient = f();
    if (withToken) { this.prob = f(); this.discriminator = f(); this.sensitivity = f(); this.polarity = f(); }
  }

  put(first, r) {
    for (const k of ['entropy', 'meanDiscriminator', 'flipNudge', 'flipPolicyGradient', 'prob', 'discriminator', 'sensitivity', 'polarity']) {
      if (this[k] && r[k]) this[k].set(r[k], first);
    }
  }

  plain() {
    const o = {};
    for (const k of ['entropy', 'meanDiscriminator', 'flipNudge', 'flipPolicyGradient', 'prob', 'discriminator', 'sensitivity', 'polarity']) {
      if (this[k]) o[k] = this[k];
    }
    return o;
  }
}

/** Index of the largest logit of each row (first on ties): the greedy token. */
function argmaxRows(logits, rows, vocab, out, first) {
  for (let r = 0; r < rows; r++) {
    let best = 0, bv = -Infinity;
    const o = r * vocab;
    for (let j = 0; j < vocab; j++) { const v = logits[o + j]; if (v > bv) { bv = v; best = j; } }
    out[first + r] = best;
  }
}

/**
 * Analyses rows [0, rows) delivered by `next(first, count)` → Float32Array,
 * chunk by chunk; honours cancel; reports progress via `report(rowsDone)`.
 * When analyzeRows refuses a chunk, `explain(first, logits)` (if given) may
 * throw the parser's own message for it instead.
 */
async function analyseAll(j, { rows, vocab, perChunk, next, tokens, advantages, greedy, report, timing, explain }) {
  const cols = new Columns(rows, Boolean(tokens || greedy));
  const greedyTokens = !tokens && greedy ? new Uint32Array(rows) : null;
  for (let first = 0; first < rows; first += perChunk) {
    if (j.cancelled) throw new Cancelled();
    const n = Math.min(perChunk, rows - first);
    const logits = await next(first, n);
    if (j.cancelled) throw new Cancelled();
    const t = performance.now();
    if (greedyTokens) argmaxRows(logits, n, vocab, greedyTokens, first);
    const tok = tokens ? tokens.subarray(first, first + n) : greedyTokens ? greedyTokens.subarray(first, first + n) : undefined;
    const adv = advantages ? advantages.subarray(first, first + n) : undefined;
    let r;
    try {
      r = analyzeRows(logits, n, vocab, tok, adv);
    } catch (e) {
      explain?.(first, logits);
      throw e;
    }
    cols.put(first, r);
    timing.analyse += performance.now() - t;
    report(first + n);
    await yieldToEvents();
  }
  return { cols, tokens: tokens ?? greedyTokens };
}

/** Reads the header, asking for more bytes as long as the core needs them. */
async function header(file, options) {
  let len = Math.min(file.size, PREFIX_BYTES);
  for (let tries = 0; tries < 8; tries++) {
    const prefix = await readBytes(file, 0, len);
    const h = readHeader(file.name, prefix, file.size, wasmOptions(options));
    if (h.kind !== 'need') return h;
    const want = Math.min(file.size, h.bytes);
    if (want <= len) throw new Error(`Internal reading error: the header needs ${h.bytes} bytes but ${len} were given.`);
    len = want;
  }
  throw new Error('Internal reading error: the header did not settle after 8 reads.');
}

function progressReporter(id, phase, total, unit) {
  let last = 0;
  return (done, force = false) => {
    const now = performance.now();
    if (!force && now - last < PROGRESS_MS && done < total) return;
    last = now;
    postMessage({ type: 'progress', id, phase, done, total, unit });
  };
}

/** Σ over the listed entries of −p ln p, plus −t ln t for the missing tail in one bucket. */
function tailBoundEntropy(row, tail) {
  let h = 0;
  for (const lp of row) {
    if (lp === -Infinity) continue;
    h -= Math.exp(lp) * lp;
  }
  if (tail > 0) h -= tail * Math.log(tail);
  return h;
}

async function open(msg) {
  const { id, file, options = {} } = msg;
  const j = { id, cancelled: false };
  if (job) job.cancelled = true;
  job = j;
  const t0 = performance.now();
  const timing = { read: 0, decode: 0, analyse: 0 }; // ms in the worker
  try {
    await ensureWasm();
    postMessage({ type: 'progress', id, phase: 'header', done: 0, total: file.size });
    const h = await header(file, options);
    const summary = {
      name: file.name, size: file.size, format: null, dtype: null, order: 'C', shape: null, rows: 0, vocab: 0,
      warnings: [], truncated: false, tokenSource: null, tokensName: null, advantagesName: null,
      advantageSource: null, tensors: [], logitsName: null, path: null, limits: sliceLimits(),
    };
    let state, result;
    if (h.kind === 'ready') {
      const L = h.layout;
      Object.assign(summary, {
        format: L.format === 'npy' ? '.npy' : '.safetensors', dtype: L.dtype, order: L.order, shape: L.shape,
        rows: L.rows, vocab: L.vocab, warnings: L.warnings, tensors: L.tensors, logitsName: L.logitsName ?? null,
        tokensName: L.tokensName ?? null, advantagesName: L.advantagesName ?? null, endian: L.endian,
      });
      const tokRange = L.tokensRange, advRange = L.advantagesRange;
      const tokens = tokRange ? L.decodeTokens(await readBytes(file, tokRange[0], tokRange[1])) : null;
      const advantages = advRange ? L.decodeAdvantages(await readBytes(file, advRange[0], advRange[1])) : null;
      const [start, end] = [L.dataStart, L.dataEnd];
      if (!L.strided) {
        summary.path = 'streamed';
        const perChunk = L.rowsPerChunk(CHUNK_BYTES);
        const rowBytes = L.rowBytes;
        let ahead = null;
        const identity = L.dtype === 'float32' && L.endian === 'little' && LITTLE_ENDIAN_HOST;
        summary.path = identity ? 'streamed (float32 read as is)' : 'streamed';
        const report = progressReporter(id, 'analyse', end - start, 'bytes');
        result = await analyseAll(j, {
          rows: L.rows, vocab: L.vocab, perChunk, tokens, advantages, greedy: options.greedy, timing,
          // The next chunk is read while this one is decoded and analysed
          // (at most two chunks in memory).
          next: async (first, n) => {
            const range = (f, k) => [start + f * rowBytes, start + (f + k) * rowBytes];
            const read = ahead?.first === first ? ahead.bytes : readBytes(file, ...range(first, n));
            const after = first + n;
            ahead = PREFETCH && after < L.rows ? { first: after, bytes: readBytes(file, ...range(after, Math.min(perChunk, L.rows - after))) } : null;
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
          explain: identity ? (first, logits) => { L.decodeRows(first, new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength)); } : null,
          report: (rowsDone) => report(rowsDone * rowBytes),
        });
        state = { kind: 'stream', layout: L };
      } else {
        summary.path = 'whole (Fortran order)';
        L.checkDecodeAll();
        postMessage({ type: 'progress', id, phase: 'read', done: 0, total: end - start });
        const bytes = await readBytes(file, start, end);
        if (j.cancelled) throw new Cancelled();
        const all = L.decodeAll(bytes);
        const V = L.vocab;
        const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / (4 * V)));
        const report = progressReporter(id, 'analyse', L.rows, 'rows');
        result = await analyseAll(j, {
          rows: L.rows, vocab: V, perChunk, tokens, advantages, greedy: options.greedy, timing,
          next: async (first, n) => all.subarray(first * V, (first + n) * V),
          report,
        });
        state = { kind: 'decoded', layout: L, logits: all };
      }
      result.advantages = advantages;
      if (tokens) summary.tokenSource = 'file';
      if (advantages) summary.advantageSource = 'file';
    } else {
      summary.format = h.format;
      summary.path = 'whole (text)';
      postMessage({ type: 'progress', id, phase: 'read', done: 0, total: file.size });
      const bytes = await readBytes(file, 0, file.size);
      if (j.cancelled) throw new Cancelled();
      postMessage({ type: 'progress', id, phase: 'parse', done: 0, total: file.size });
      const data = parseSlice(file.name, bytes, wasmOptions(options));
      try {
        const rows = data.rows, V = data.vocab;
        Object.assign(summary, { format: data.format, rows, vocab: V, shape: [rows, V], dtype: 'float32', warnings: data.warnings, truncated: data.truncated });
        const tokens = data.tokens() ?? null;
        const advantages = data.advantages() ?? null;
        const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / (4 * V)));
        const report = progressReporter(id, 'analyse', rows, 'rows');
        result = await analyseAll(j, {
          rows, vocab: V, perChunk, tokens, advantages, greedy: options.greedy, timing,
          next: async (first, n) => data.rowsLogits(first, n),
          report,
        });
        result.advantages = advantages;
        if (tokens) summary.tokenSource = 'file';
        if (advantages) summary.advantageSource = 'file';
        if (data.truncated) {
          const tail = Float64Array.from(data.tailMass());
          const listedMass = Float64Array.from(data.listedMass());
          const bound = new Float64Array(rows);
          for (let r = 0; r < rows; r++) bound[r] = tailBoundEntropy(data.row(r), tail[r]);
          const tokenLabels = tokens ? Array.from(tokens, (t, r) => data.labels(r)[t] ?? '') : null;
          result.truncated = { tailMass: tail, listedMass, entropyLowerBound: bound, listed: data.listed(), sampledAppended: data.sampledAppended() };
          result.tokenLabels = tokenLabels;
        }
        state = { kind: 'text', data };
      } catch (e) {
        data.free();
        throw e;
      }
    }
    if (!summary.tokenSource && result.tokens) summary.tokenSource = 'greedy';
    summary.elapsedMs = performance.now() - t0;
    summary.timing = timing;
    // The new slice replaces the old one only now that it has loaded.
    if (current?.state.kind === 'text') current.state.data.free();
    current = { id, file, state, tokens: result.tokens, advantages: result.advantages };
    const columns = { ...result.cols.plain() };
    if (result.tokens) columns.tokens = Uint32Array.from(result.tokens);
    if (result.advantages) columns.advantages = Float32Array.from(result.advantages);
    if (result.truncated) Object.assign(columns, result.truncated);
    const transfer = Object.values(columns).map((a) => a.buffer);
    if (result.tokenLabels) columns.tokenLabels = result.tokenLabels; // plain strings, copied
    postMessage({ type: 'done', id, summary, columns }, transfer);
  } catch (e) {
    if (e instanceof Cancelled) {
      postMessage({ type: 'cancelled', id });
    } else {
      postMessage({
        type: 'error', id, message: e?.message ?? String(e), code: e?.code, candidates: e?.candidates,
        fatal: e instanceof WebAssembly.RuntimeError,
      });
    }
  } finally {
    if (job === j) job = null;
  }
}

async function openRow({ id, row, reqId }) {
  try {
    if (!current || current.id !== id) throw new Error('That slice is no longer loaded; load it again.');
    const { state, file } = current;
    let logits, labels = null;
    if (state.kind === 'stream') {
      const [s, e] = state.layout.rowRange(row);
      logits = state.layout.decodeRows(row, await readBytes(file, s, e));
    } else if (state.kind === 'decoded') {
      const V = state.layout.vocab;
      if (!(row >= 0 && row < state.layout.rows)) throw new Error(`Row ${row} does not exist.`);
      logits = state.logits.slice(row * V, (row + 1) * V);
    } else {
      logits = state.data.row(row);
      labels = state.data.labels(row) ?? null;
    }
    const token = current.tokens ? current.tokens[row] : null;
    const advantage = current.advantages ? current.advantages[row] : 1;
    postMessage({ type: 'row', reqId, id, index: row, logits, labels, token, advantage }, [logits.buffer]);
  } catch (e) {
    postMessage({ type: 'row-error', reqId, message: e?.message ?? String(e) });
  }
}

self.onmessage = (e) => {
  const m = e.data;
  if (m?.type === 'open') open(m);
  else if (m?.type === 'cancel') { if (job && job.id === m.id) job.cancelled = true; }
  else if (m?.type === 'row') openRow(m);
};
