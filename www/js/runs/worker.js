// @ts-check
// The run worker: streams the files of a training run through the wasm
// core's RunReader (docs/trace-format.md), off the main thread. The core
// splits lines, keeps the partial one, counts tokens and aggregates per step;
// this file only takes the Files' chunks from the page's read-ahead worker
// (lib/read-ahead-worker.js: reading on this thread stalled while the core
// parsed, so reading and parsing added up), reports progress and packs results.
// A prime-rl trace-stream folder is read as the core plans it (planFiles):
// its annotation chunks counted first, then every chunk in the plan's order,
// so that the fold holds only the traces in flight; progress counts both passes.
//
// Cancel is the page's job: it terminates this worker and starts a new one,
// which releases every byte the reader held.
//
// Messages in (after { type: 'wasm', module }, lib/worker-rpc.js):
//   { type: 'files', id, files: File[], paths: string[] }           // a batch of the run's files (any number of these)
//   { type: 'open', id, port }                                     // then read them, through
//                                                                  //   port: a read-ahead worker's (lib/read-ahead.js)
//   { type: 'decode', id, tokenizer: File, ids: Uint32Array }      // HF tokenizer.json → token strings (ids checked by the page)
//   { type: 'point', id, p, H }                                    // logits of a distribution at (p_k, H)
// Messages out:
//   { type: 'progress', id, done, total, file }                    // bytes over all files
//   { type: 'done', id, result }                                   // typed arrays transferred
//   { type: 'error', id, message, file?, line?, field?, code? }
//   { type: 'decoded', id, text } | { type: 'point', id, logits, token, H, exact } | { type: 'failed', id, message }

import init, { RunReader, stepEvidence, parseStepsCsv, isStepsCsv, Tokenizer, standIn } from '../../pkg/entropy_polarity.js';
import { postToPage as post, wasmFromPage } from '../lib/worker-rpc.js';
import { ReadAhead } from '../lib/read-ahead.js';

// Chunks read ahead by the page's read-ahead worker (lib/read-ahead-worker.js):
// 4 MiB, four ahead (1 MiB chunks read at half the speed in Chromium).
const READ_AHEAD = { chunk: 1 << 22, depth: 4 };
const PROGRESS_MS = 80;
// What the page keeps per step besides the aggregates (the aggregates are exact).
const DETAIL = { samplesPerStep: 4, extremes: 20 };
// The largest stand-in distribution opened in the explorer (ln 32768 ≈ 10.4
// nats; a larger one freezes the explorer for seconds, issue 19).
const MAX_STAND_IN = 1 << 15;

const ready = wasmFromPage(init); // the page's compiled module
const wasm = () => ready;

async function readBytes(file, start, end, path) {
  try {
    return new Uint8Array(await file.slice(start, end).arrayBuffer());
  } catch (e) {
    throw new Error(
      `${path}: the file could not be read (${e.message || e.name}). It may have moved since it was chosen; choose it again.`,
    );
  }
}

/** An Error from the binding, or ours, as a plain message object. */
function failure(e, path) {
  return {
    message: e?.message ?? String(e),
    file: e?.file ?? path ?? null,
    line: e?.line ?? null,
    field: e?.field ?? null,
    code: e?.code ?? null,
  };
}

function columns(obj) {
  // Typed-array columns (and string arrays) as they came from the binding.
  const out = {};
  for (const [k, v] of Object.entries(obj ?? {})) out[k] = v;
  return out;
}

function transferables(...objs) {
  const list = [];
  for (const o of objs) for (const v of Object.values(o ?? {})) if (ArrayBuffer.isView(v)) list.push(v.buffer);
  return [...new Set(list)];
}

/**
 * The kept tokens grouped by sample (step, file, sample), each group in
 * position order, and the coloured value of each token: its full polarity
 * where the trace has S̄, else its token term. Done here so that the page's
 * main thread never sorts a large detail.
 */
function indexDetail(d) {
  const n = d.step?.length ?? 0;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const file = d.file ?? new Uint32Array(n);
  order.sort((a, b) => d.step[a] - d.step[b] || file[a] - file[b] || d.sample[a] - d.sample[b] || d.position[a] - d.position[b]);
  const starts = [];
  for (let k = 0; k < n; k++) {
    const i = order[k],
      j = order[k - 1];
    if (k === 0 || d.step[i] !== d.step[j] || file[i] !== file[j] || d.sample[i] !== d.sample[j]) starts.push(k);
  }
  starts.push(n);
  const value = new Float64Array(n);
  const mags = [];
  const stride = Math.max(1, Math.floor(n / 20000));
  for (let i = 0; i < n; i++) {
    const p = d.polarity?.[i];
    value[i] = Number.isFinite(p) ? p : (d.tokenTerm?.[i] ?? NaN);
    if (i % stride === 0 && Number.isFinite(value[i]) && value[i] !== 0) mags.push(Math.abs(value[i]));
  }
  // Colour scale: the 90th percentile of |value|, so one outlier does not wash out the rest.
  const scale = p90(mags);
  // The same for the realised change on the same context, when the trace has it.
  const dhMags = [];
  for (let i = 0; i < n; i += stride) {
    const v = d.dhSame?.[i];
    if (Number.isFinite(v) && v !== 0) dhMags.push(Math.abs(v));
  }
  return { order, groupStart: Uint32Array.from(starts), value, scale, dhScale: p90(dhMags) };
}

function p90(mags) {
  mags.sort((a, b) => a - b);
  return mags.length ? mags[Math.min(mags.length - 1, Math.floor(mags.length * 0.9))] : 0;
}

/**
 * Env names as an index per token and the list of distinct names: a 10 MB
 * env_name shared by a file's tokens is posted to the page once, not once
 * per token (issue 19).
 */
function envIndex(d) {
  if (!d.envName) return;
  const ids = new Map();
  const index = new Uint32Array(d.envName.length);
  d.envName.forEach((v, i) => {
    let k = ids.get(v);
    if (k === undefined) ids.set(v, (k = ids.size));
    index[i] = k;
  });
  d.envIndex = index;
  d.envNames = [...ids.keys()];
  delete d.envName;
}

async function openCsv(file, path) {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(await readBytes(file, 0, file.size, path));
  let steps;
  try {
    steps = columns(parseStepsCsv(text));
  } catch (e) {
    const f = failure(e, path);
    f.message = `${path}: ${f.message}`;
    throw Object.assign(new Error(f.message), f);
  }
  const notes = steps.notes;
  delete steps.notes;
  return {
    kind: 'csv',
    files: [path],
    bytes: file.size,
    steps,
    notes,
    detail: null,
    correlation: stepEvidence(/** @type {any} */ (steps)),
    summary: null,
  };
}

async function open({ id, files, paths, workers }, port) {
  const t0 = performance.now();
  await wasm();
  let total = 0; // bytes, for the progress bar
  for (const f of files) total += f.size;
  let done = 0;
  let last = 0;
  const report = (path, force = false) => {
    const now = performance.now();
    if (!force && now - last < PROGRESS_MS) return;
    last = now;
    post({ type: 'progress', id, done, total, file: path });
  };

  // A per-step CSV (its header says so) dropped alone is opened as one;
  // anything else, other CSVs too, goes through the reader, which names what
  // it is (a logit slice, say).
  if (files.length === 1 && paths[0].toLowerCase().endsWith('.csv')) {
    const head = new TextDecoder().decode(await readBytes(files[0], 0, Math.min(files[0].size, 4096), paths[0]));
    if (isStepsCsv(head)) {
      const result = await openCsv(files[0], paths[0]);
      result.elapsedMs = performance.now() - t0;
      return result;
    }
  }

  let reader = new RunReader({ ...DETAIL });
  let ahead = null;
  try {
    const perFile = [];
    // The files in reading order, each with whether it is the counting pass.
    let order = files.map((_, i) => ({ i, count: false }));
    const notRead = [];
    const plan = reader.planFiles(paths);
    if (plan) {
      order = [...plan.count].map((i) => ({ i, count: true })).concat([...plan.read].map((i) => ({ i, count: false })));
      for (const { index, why } of plan.skipped) notRead.push(`${paths[index]}: ${why}`);
      total = 0; // bytes over both passes, for the progress bar
      for (const o of order) total += files[o.i].size;
    }
    // A file the core finds is not a run file at all (a config, a
    // tokenizer.json, a per-step CSV, an empty file: err.foreign) is skipped,
    // and the summary names it; the run is refused only when nothing else is.
    let firstForeign = null;
    /** File i read: `read()` gives its summary or throws why not (a file that is not a run file is noted; any other error ends the run). */
    const settle = (i, count, read) => {
      try {
        const summary = read();
        if (!count) perFile.push({ path: paths[i], ...summary });
        return true;
      } catch (e) {
        if (!e?.foreign) throw e;
        firstForeign ??= e;
        return false;
      }
    };

    // Several run files (not a trace-stream folder, whose fold spans its
    // files): parse workers parse them, one file each, and this reader
    // replays their tapes in file order, which is bit for bit reading them here.
    // By default one core is left for reading: in Chromium on 2 cores the
    // browser's reading of the files keeps one core busy, and two parsers made
    // a 0.5 GB run no faster (1.85 s against 1.77 s with one).
    const cores = navigator.hardwareConcurrency || 1;
    const size = plan ? 1 : Math.min(workers ?? cores - 1, MAX_PARSERS, files.length);
    let serial = size < 2;
    if (!serial) {
      try {
        await readParallel({
          id,
          size,
          files,
          paths,
          reader,
          settle,
          progress: (bytes) => {
            done += bytes;
            report('');
          },
        });
      } catch (e) {
        if (e?.code !== 'needs-serial') throw e;
        // A trace-stream chunk among the files: the whole run is read here.
        reader.free();
        reader = new RunReader({ ...DETAIL });
        perFile.length = 0;
        firstForeign = null;
        done = 0;
        serial = true;
      }
    }
    if (serial) {
      // The read-ahead worker reads the files in this order while the core parses.
      ahead = new ReadAhead(
        port,
        order.map(({ i }) => files[i]),
        READ_AHEAD,
      );
      for (const [k, { i, count }] of order.entries()) {
        const file = files[i];
        const path = paths[i];
        const before = done;
        let failed = null;
        try {
          if (count) reader.beginCount(path);
          else reader.beginFile(path);
          for (let at = 0; at < file.size; ) {
            const bytes = await ahead.next(k).catch((e) => {
              throw new Error(
                `${path}: the file could not be read (${e.message}). It may have moved since it was chosen; choose it again.`,
              );
            });
            reader.push(bytes);
            at += bytes.length;
            done += bytes.length;
            report(path);
          }
        } catch (e) {
          failed = e;
        }
        const read = settle(i, count, () => {
          if (failed) throw failed;
          return reader.endFile();
        });
        if (!read) {
          ahead.skip(k);
          done = before + file.size;
        }
      }
    }
    if (firstForeign && !perFile.length) throw firstForeign;
    report(paths[paths.length - 1] ?? '', true);
    reader.endRun(); // a trace stream's traces still held are folded now
    const summary = reader.summary();
    if (notRead.length)
      summary.warnings.push(
        `${notRead.length} file(s) of the trace-stream folder not read: ${notRead.slice(0, 5).join('; ')}${notRead.length > 5 ? '; …' : ''}`,
      );
    const steps = columns(reader.steps());
    const detail = columns(reader.detail());
    const index = indexDetail(detail);
    envIndex(detail);
    // Predicted against same-context ΔH, computed by the core (the page only draws).
    const same = summary.hasEntropyAfter ? reader.sameContext() : null;
    return {
      kind: 'run',
      // detail.file indexes the files read (beginFile order): a plan reorders
      // them, and files skipped as not run files are not counted
      files: perFile.map((f) => f.path),
      bytes: total,
      summary,
      perFile,
      steps,
      detail,
      index,
      same,
      correlation: stepEvidence(/** @type {any} */ (steps)),
      elapsedMs: performance.now() - t0,
      detailLimits: DETAIL,
    };
  } finally {
    ahead?.close();
    reader.free?.();
  }
}

// ---------- reading in parallel (docs/trace-format.md, "Reading in parallel") ----------

// Parse workers at most (each holds up to two files' tapes; more only add memory on this page's machines).
const MAX_PARSERS = 4;
// Parse requests a parse worker holds at once (the file it parses, the next).
const AHEAD_PER_PARSER = 2;

/** @type {{ id: number, resolve(ports: MessagePort[]): void, reject(e: any): void } | null} */
let poolWait = null;
/** @type {((message: string) => void) | null} a parse worker failed (the page says) */
let poolFailed = null;

/** Ports to `size` parse workers, made by the page (panel.js), as the slice pool's are. */
function askPool(id, size) {
  return new Promise((resolve, reject) => {
    poolWait = { id, resolve, reject };
    post({ type: 'pool', id, size });
  });
}

/**
 * Files i = k, k + size, k + 2·size, … go to parse worker k, in order; each
 * file's tape is replayed by `reader` in file order as soon as the tapes
 * before it are in, through `settle` (as reading the file here would be).
 * At most AHEAD_PER_PARSER files per worker are asked for and not yet
 * replayed, so memory is bounded by the workers, not by the run.
 */
async function readParallel({ id, size, files, paths, reader, settle, progress }) {
  const ports = await askPool(id, size);
  return new Promise((resolve, reject) => {
    const tapes = new Map(); // file index → { tape } | { unreadable }
    const asked = new Array(size).fill(0); // files asked of each worker
    let next = 0; // the next file to replay
    let over = false;
    const fail = (e) => {
      if (over) return;
      over = true;
      for (const p of ports) p.close();
      reject(e);
    };
    poolFailed = (message) => fail(new Error(`A parse worker stopped (${message}). Try again; if it persists, reload the page.`));
    const ask = (k) => {
      const i = k + asked[k] * size;
      if (i >= files.length) return;
      asked[k]++;
      ports[k].postMessage({ type: 'parse', k: (i - k) / size, path: paths[i] });
    };
    const replay = () => {
      while (!over && tapes.has(next)) {
        const i = next++;
        const m = tapes.get(i);
        tapes.delete(i);
        settle(i, false, () => {
          if (m.unreadable !== undefined)
            throw new Error(
              `${paths[i]}: the file could not be read (${m.unreadable}). It may have moved since it was chosen; choose it again.`,
            );
          return reader.replay(paths[i], m.tape);
        });
        ask(i % size);
      }
      if (!over && next === files.length) {
        over = true;
        for (const p of ports) p.close();
        resolve(undefined);
      }
    };
    ports.forEach((port, k) => {
      port.onmessage = (e) => {
        const m = e.data;
        if (over) return;
        if (m?.type === 'progress') progress(m.bytes);
        else if (m?.type === 'tape') {
          tapes.set(k + m.k * size, m);
          try {
            replay();
          } catch (err) {
            fail(err);
          }
        }
      };
      port.postMessage({ type: 'files', files: files.filter((_, i) => i % size === k), ...READ_AHEAD });
      for (let a = 0; a < AHEAD_PER_PARSER; a++) ask(k);
    });
  });
}

// The last tokenizer parsed, kept so that decoding again does not parse again.
let parsed = null; // { key, tok }

async function decode({ id, tokenizer, ids }) {
  await wasm();
  const key = `${tokenizer.name}\u0000${tokenizer.size}\u0000${tokenizer.lastModified}`;
  if (parsed?.key !== key) {
    parsed?.tok.free?.();
    parsed = null;
    const text = new TextDecoder().decode(await readBytes(tokenizer, 0, tokenizer.size, tokenizer.name));
    parsed = { key, tok: Tokenizer.fromJson(text) };
  }
  const tok = parsed.tok;
  let top = 0;
  for (const id of ids) top = Math.max(top, id);
  if (ids.length && top >= tok.vocabSize)
    throw new Error(
      `its ids end at ${(tok.vocabSize - 1).toLocaleString('en')}, but this run has token id ${top.toLocaleString('en')}: it is not this run's tokenizer.`,
    );
  post({ type: 'decoded', id, text: Array.from(tok.decode(ids)) });
}

/**
 * Logits of a stand-in distribution at (p_k, H), from the core (standIn):
 * H is raised to the least entropy any distribution with p_k = p has (a
 * float32 trace can fall below it by rounding) or lowered to the most
 * MAX_STAND_IN tokens reach, and the vocabulary is sized so that it is reachable.
 */
async function point({ id, p, H }) {
  await wasm();
  if (!(p > 0 && p < 1) || !(H >= 0)) throw new Error(`No stand-in distribution has p_k = ${p} and H = ${H}: p_k must be in (0, 1).`);
  const s = standIn(p, H, MAX_STAND_IN);
  if (!s)
    throw new Error(`No stand-in distribution of up to ${MAX_STAND_IN.toLocaleString('en')} tokens reaches p_k = ${p} and H = ${H} nats.`);
  post({ type: 'point', id, logits: s.logits, token: 0, H: s.entropy, exact: s.entropy === H, vocab: s.vocab }, [s.logits.buffer]);
}

// The batches of files of the job being handed over: { id, files, paths }.
let incoming = null;

self.onmessage = async (e) => {
  const m = e.data;
  if (m?.type === 'files') {
    if (incoming?.id !== m.id) incoming = { id: m.id, files: [], paths: [] };
    incoming.files.push(...m.files);
    incoming.paths.push(...m.paths);
  } else if (m?.type === 'open') {
    const job = incoming?.id === m.id ? incoming : { id: m.id, files: [], paths: [] };
    incoming = null;
    try {
      const result = await open({ ...job, workers: m.workers }, m.port);
      const msg = { type: 'done', id: m.id, result };
      try {
        post(msg, transferables(result.steps, result.detail, result.index, result.same?.steps));
      } catch {
        post(msg); // a view of wasm memory cannot be transferred: copy
      }
    } catch (err) {
      post({ type: 'error', id: m.id, ...failure(err) });
    }
  } else if (m?.type === 'pool' && poolWait?.id === m.id) {
    poolWait.resolve(m.ports);
    poolWait = null;
  } else if (m?.type === 'pool-error') {
    poolFailed?.(m.message);
  } else if (m?.type === 'decode' || m?.type === 'point') {
    try {
      await (m.type === 'decode' ? decode(m) : point(m));
    } catch (err) {
      post({ type: 'failed', id: m.id, message: err?.message ?? String(err) });
    }
  }
};
