// @ts-check
// The "Training runs" panel (#run): pick files, a folder or a per-step CSV,
// read them in a Web Worker (www/js/runs/worker.js, the wasm RunReader), and
// show what polarity did across the run: per-step charts, the correlation of
// the token term with the realised entropy change, and the kept tokens as
// strips. The math is the core's (docs/trace-format.md); this file wires the
// DOM. Nothing from a file is ever rendered as markup (textContent only).
// This file: the inputs, the worker, errors and progress; what a result
// shows: view.js (status, charts, correlation) and tokens.js (kept tokens).
//
//   mountRunPanel(section, { openRow })   // openRow: as the slice panel's

import { dropTarget, byTest as find, openExampleFromUrl } from '../lib/dom.js';
import { WorkerRpc, askedWorkers, startWorker } from '../lib/worker-rpc.js';
import { setTextWithOverbars } from '../chart/richtext.js';
import { pickRunFiles, filesOfEntry } from './files.js';
import { runTokens } from './tokens.js';
import { fmtBytes } from '../lib/format.js';
import { int, runView } from './view.js';

const EXAMPLES = [
  ['smollm2-grpo', 'SmolLM2-135M under GRPO: a real run, with the same-context change'],
  ['prime-rl', 'prime-rl token_exports/ (folder)'],
  ['prime-rl-traces', 'prime-rl trace streams, monitors/file/traces/ (folder)'],
  ['trace', 'trace format, JSONL'],
  ['trace-safetensors', 'trace format, safetensors'],
  ['nemo-rl', 'NeMo-RL (no entropy)'],
  ['openrlhf', 'OpenRLHF logging board (no entropy, no advantages)'],
];

// Error messages are capped (a 5 MB cell quoted in one froze the tab; the core quotes 40 characters).
const MAX_MESSAGE = 2000;
// Files handed to the worker per main-thread task.
const FILES_PER_TASK = 50;
const READ_AHEAD_URL = new URL('../lib/read-ahead-worker.js', import.meta.url);
const PARSE_URL = new URL('./parse-worker.js', import.meta.url);

/**
 * What the panel's view (view.js) and token view (tokens.js) share with it.
 * @typedef {object} RunContext
 * @property {HTMLElement} section
 * @property {(testid: string) => any} byTest
 * @property {any} shown the run on view (null before the first)
 * @property {(fn: () => void) => void} timed runs fn as one timed main-thread task
 * @property {(tasks: Array<() => void>) => void} runQueue draws in small tasks, dropping an older queue
 * @property {(tasks: Array<() => void>) => void} enqueue adds tasks to the running queue
 * @property {(text: string) => void} notice
 * @property {(message: string) => void} showError
 * @property {(msg: Record<string, any>, transfer?: Transferable[]) => Promise<any>} ask a request to the worker
 * @property {(row: object) => void} openRow
 */

/** @param {HTMLElement} section @param {{ openRow(row: object): void }} hooks */
export function mountRunPanel(section, { openRow }) {
  if (!section) return null;
  const byTest = (t) => find(t, section);
  const input = byTest('run-upload');
  const folderInput = byTest('run-upload-folder');
  const tokInput = byTest('run-tokenizer');
  const exampleSel = byTest('run-example');
  const progBox = byTest('run-progress-box');
  const prog = byTest('run-progress');
  const progText = section.querySelector('.run-progress-text');
  const errorBox = byTest('run-error');
  const status = byTest('run-status');

  for (const [value, label] of EXAMPLES) exampleSel.append(new Option(label, value));

  // ---------- the worker: one job at a time; cancel = terminate + respawn ----------
  const reader = new WorkerRpc(new URL('./worker.js', import.meta.url), {
    crashed: (message) => {
      if (job) fail({ message: `The run reader stopped (${message}). Try again; if it persists, reload the page.` });
    },
  });
  let job = null; // { id, label, started }
  let tokenizer = null; // a tokenizer.json File chosen before a run: applied to the next run only
  /** Frees everything the reader held; a request still waiting is told to try again. */
  const stopWorker = () => reader.stop({ cancelled: true, message: 'The reader was restarted; try again.' });
  // The job's helper workers, made here as every worker is (lib/worker-rpc.js):
  // a read-ahead worker (lib/read-ahead-worker.js) that reads the files while
  // the reader parses, and, when the reader asks, parse workers (parse-worker.js),
  // each with a read-ahead worker of its own. They end with the job.
  /** @type {Worker[]} */
  let helpers = [];
  /** A fresh read-ahead worker; returns the other end of its channel. */
  const startReadAhead = () => {
    const w = new Worker(READ_AHEAD_URL, { type: 'module' });
    helpers.push(w);
    const { port1, port2 } = new MessageChannel();
    w.postMessage({ type: 'port' }, [port1]);
    return port2;
  };
  const stopReadAhead = () => {
    for (const w of helpers) w.terminate();
    helpers = [];
  };
  /** `size` parse workers for the job `id`; the reader gets a port to each. */
  const startParsers = (id, size) => {
    const ports = [];
    for (let k = 0; k < size; k++) {
      const w = startWorker(PARSE_URL);
      helpers.push(w);
      w.onerror = (e) => {
        e.preventDefault?.();
        if (job?.id === id) reader.post({ type: 'pool-error', id, message: e.message || 'worker error' });
      };
      const run = new MessageChannel();
      w.postMessage({ type: 'ports' }, [run.port1, startReadAhead()]);
      ports.push(run.port2);
    }
    reader.post({ type: 'pool', id, ports }, ports);
  };
  /** One request to the reader (its first answer ends it). */
  const ask = (msg, transfer = []) => reader.call(msg, { transfer, last: () => true });

  function setState(s) {
    section.dataset.runState = s;
  }

  function showError(message, { slice = false } = {}) {
    const text =
      message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}… (${int(message.length - MAX_MESSAGE)} more characters)` : message;
    errorBox.replaceChildren(document.createTextNode(text));
    if (slice) {
      const a = document.createElement('a');
      a.href = '#slices';
      a.textContent = ' Go to “Your logits”.';
      errorBox.append(a);
    }
    errorBox.hidden = false;
  }
  function clearError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
  }

  function notice(text) {
    let n = /** @type {HTMLElement | null} */ (section.querySelector('.run-notice'));
    if (!n) {
      n = /** @type {HTMLElement} */ (document.createElement('p'));
      n.className = 'run-notice';
      n.dataset.testid = 'run-notice';
      status.after(n);
    }
    setTextWithOverbars(n, text);
  }

  /**
   * Reads `entries` ({ file, path }) as one run (or one per-step CSV).
   * @param {{ file: File, path: string }[]} entries
   * @param {{ fromFolder?: boolean, label?: string }} [opts]
   */
  function load(entries, { fromFolder = false, label = undefined } = {}) {
    const { files, skipped } = pickRunFiles(entries, { fromFolder });
    if (!files.length) {
      showError(
        entries.length
          ? `No run files in ${label ?? 'that folder'}: the reader takes .jsonl, .json, .safetensors and a per-step .csv (${skipped} other file(s) skipped).`
          : 'No files were given.',
      );
      setState('error');
      return;
    }
    if (job) cancel({ quiet: true });
    longest = 0; // data-longest-ms is per load
    const id = reader.id();
    // No File.size here: in Chromium each is a synchronous stat (issue 19);
    // the worker sums the sizes and reports them.
    job = {
      id,
      label: label ?? (files.length === 1 ? files[0].path : `${files.length} files`),
      started: performance.now(),
      skipped,
    };
    setState('loading');
    clearError();
    notice('');
    prog.removeAttribute('value');
    progText.textContent = `Opening ${job.label}…`;
    progBox.hidden = false;
    // The files go over in batches, one task each: cloning a File into the
    // worker stats it on this thread (3,000 files held it for 1.5 s, issue 19).
    const send = (from) => {
      if (job?.id !== id) return;
      const part = files.slice(from, from + FILES_PER_TASK);
      timed(() => reader.post({ type: 'files', id, files: part.map((f) => f.file), paths: part.map((f) => f.path) }));
      if (from + FILES_PER_TASK < files.length) setTimeout(() => send(from + FILES_PER_TASK), 0);
      else {
        stopReadAhead();
        const port = startReadAhead();
        const open = { type: 'open', id, port, workers: askedWorkers() };
        reader
          .call(open, { transfer: [port], onMessage: (m) => (m.type === 'pool' ? startParsers(id, m.size) : timed(() => progress(m))) })
          .then(
            (m) => {
              stopReadAhead();
              timed(() => done(m));
            },
            (m) => {
              if (job?.id !== id) return;
              stopReadAhead();
              if (!m.cancelled && !m.crashed) timed(() => fail(m));
            },
          );
      }
    };
    send(0);
  }

  function cancel({ quiet = false } = {}) {
    if (!job) return;
    stopWorker(); // frees everything the reader held
    stopReadAhead();
    job = null;
    progBox.hidden = true;
    if (quiet) return;
    setState('cancelled');
    notice(ctx.shown ? `Cancelled; the previous view (${ctx.shown.label}) is kept.` : 'Cancelled.');
  }

  function fail(m) {
    job = null;
    stopWorker(); // wasm memory only grows: a new worker frees what the refused run held
    progBox.hidden = true;
    setState('error');
    const where = [m.file, m.line != null ? `line ${m.line}` : null, m.field ? `field “${m.field}”` : null].filter(Boolean).join(', ');
    const message = m.message || 'The run could not be read.';
    // The binding's message names file, line and field; ours add them when missing.
    showError(where && !message.includes(String(m.file ?? '')) ? `${where}: ${message}` : message, { slice: m.code === 'logit-slice' });
    errorBox.dataset.file = m.file ?? '';
    errorBox.dataset.line = m.line ?? '';
    errorBox.dataset.field = m.field ?? '';
    if (ctx.shown) notice(`The previous view (${ctx.shown.label}) is kept.`);
  }

  // The page promises no main-thread task over 50 ms: a result is drawn as a
  // queue of small tasks (status, each chart, the tokens), each timed; the
  // longest (ms) since the last load began is kept in data-longest-ms for the tests. A newer result
  // drops what is left of an older one's queue.
  let longest = 0;
  let queue = [];
  function timed(fn) {
    const t0 = performance.now();
    try {
      fn();
    } finally {
      longest = Math.max(longest, performance.now() - t0);
      section.dataset.longestMs = longest.toFixed(1);
    }
  }
  function runQueue(list) {
    queue = list;
    const next = () => {
      if (queue !== list || !list.length) return;
      setTimeout(next, 0); // the rest runs even if this task throws (a bug, reported by the browser)
      timed(list.shift());
    };
    setTimeout(next, 0);
  }
  /** Adds tasks to the running queue (keeping its end), or starts one. */
  function enqueue(tasks) {
    if (queue.length) queue.splice(queue.length - 1, 0, ...tasks);
    else runQueue(tasks);
  }
  /** A progress message of the job on its way. */
  function progress(m) {
    if (m.id !== job?.id) return;
    if (m.type === 'progress') {
      const frac = m.total > 0 ? m.done / m.total : 0;
      prog.value = frac;
      prog.dataset.done = String(m.done);
      progText.textContent = `Reading ${m.file}: ${fmtBytes(m.done)} of ${fmtBytes(m.total)} (${Math.floor(frac * 100)} %)`;
    }
  }

  /** The job's result: show it. */
  function done(m) {
    if (m.id !== job?.id) return; // a job replaced meanwhile
    const label = job.label;
    const skipped = job.skipped;
    job = null;
    progBox.hidden = true;
    clearError();
    const before = ctx.shown?.tokenizerName;
    show({ ...m.result, label, skipped, id: m.id }, () => {
      setState('ready');
      section.dataset.runId = String(m.id);
      // A tokenizer belongs to the run it was chosen for (issue 19: one
      // stayed applied to later runs); one chosen before this run is its.
      if (tokenizer && ctx.shown.detail) applyTokenizer(tokenizer);
      else if (before && ctx.shown.detail) notice(`${before} decoded the previous run; choose it again if it is this run’s tokenizer.`);
      tokenizer = null;
    });
  }

  /** @type {RunContext} */
  const ctx = { section, byTest, shown: null, timed, runQueue, enqueue, notice, showError, ask, openRow };
  const tokenView = runTokens(ctx);
  const { show, renderStatus } = runView(ctx, tokenView);
  const { renderTokens } = tokenView;

  // ---------- inputs ----------
  const fromInput = (el) => [...el.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
  input.addEventListener('change', () =>
    timed(() => {
      const e = fromInput(input);
      const folder = e.some((x) => x.path.includes('/'));
      if (e.length) load(e, { fromFolder: folder, label: e.length === 1 ? e[0].path : `${e.length} files` });
      input.value = '';
    }),
  );
  folderInput.addEventListener('change', () =>
    timed(() => {
      const e = fromInput(folderInput);
      if (e.length) load(e, { fromFolder: true, label: `folder ${e[0].path.split('/')[0]}` });
      folderInput.value = '';
    }),
  );
  byTest('run-cancel').addEventListener('click', () => cancel());
  dropTarget(section, async (e) => {
    const dt = e.dataTransfer;
    if (!dt?.files?.length && !dt?.items?.length) return;
    e.preventDefault();
    // Directories come only through webkitGetAsEntry, and only during the event.
    const roots = [...(dt.items ?? [])].map((it) => it.webkitGetAsEntry?.()).filter(Boolean);
    try {
      if (roots.some((r) => r.isDirectory)) {
        const entries = (await Promise.all(roots.map((r) => filesOfEntry(r)))).flat();
        load(entries, { fromFolder: true, label: roots.length === 1 ? `folder ${roots[0].name}` : `${roots.length} dropped items` });
      } else {
        const files = [...dt.files].map((file) => ({ file, path: file.name }));
        load(files, { label: files.length === 1 ? files[0].path : `${files.length} files` });
      }
    } catch (err) {
      showError(`The dropped folder could not be listed (${err.message || err.name}).`);
    }
  });
  exampleSel.addEventListener('change', async () => {
    const name = exampleSel.value;
    exampleSel.value = '';
    if (!name) return;
    try {
      const base = new URL('../../examples/runs/', import.meta.url);
      const res = await fetch(new URL('index.json', base));
      if (!res.ok) throw new Error(`index.json: HTTP ${res.status}`);
      const paths = (await res.json())[name];
      if (!Array.isArray(paths) || !paths.length) throw new Error(`no files listed for ${name}`);
      const entries = await Promise.all(
        paths.map(async (p) => {
          const r = await fetch(new URL(p, base));
          if (!r.ok) throw new Error(`${p}: HTTP ${r.status}`);
          return { file: new File([await r.blob()], p.split('/').pop()), path: p };
        }),
      );
      load(entries, { fromFolder: true, label: `example ${name}` });
    } catch (err) {
      showError(`The example run could not be fetched (${err.message}).`);
    }
  });
  openExampleFromUrl(exampleSel, 'run-example');
  tokInput.addEventListener('change', () => {
    const file = tokInput.files?.[0] ?? null;
    tokInput.value = '';
    if (!file) return;
    if (ctx.shown?.detail && !job) applyTokenizer(file);
    else tokenizer = file; // applied to the run being read, or the next one
  });

  /**
   * Decodes the kept tokens' ids of the run on view with `file`. Only ids
   * that are whole numbers from 0 to 2³² − 1 are decoded (a missing id is
   * NaN, and Uint32Array.from turned NaN into 0 and −1 into 4294967295);
   * the others keep showing what the file gave.
   */
  async function applyTokenizer(file) {
    const s = ctx.shown;
    const d = s.detail;
    const at = [];
    for (let i = 0; i < s.n; i++) {
      const v = d.tokenId[i];
      if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) at.push(i);
    }
    if (!at.length) {
      showError(`${file.name}: the kept tokens of this run have no token ids (token_id), so there is nothing to decode.`);
      return;
    }
    try {
      const ids = Uint32Array.from(at, (i) => d.tokenId[i]);
      const r = await ask({ type: 'decode', tokenizer: file, ids }, [ids.buffer]);
      if (ctx.shown !== s) return;
      const decoded = new Array(s.n).fill(null);
      at.forEach((i, k) => (decoded[i] = r.text[k]));
      s.decoded = decoded;
      s.tokenizerName = file.name;
      clearError();
      renderStatus();
      renderTokens();
      notice(
        `Token text from ${file.name}${at.length < s.n ? ` (${int(s.n - at.length)} kept tokens have no valid id and are shown as the file gives them)` : ''}.`,
      );
    } catch (err) {
      showError(`${file.name}: ${err.message}`);
    }
  }

  return { load, cancel };
}
