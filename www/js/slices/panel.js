// @ts-check
// The "Your logits" panel (docs/contract.md): upload or pick an example
// slice, read it in a Web Worker (reader.js, worker.js), and show
// entropy and polarity per position. All arithmetic is done by the wasm core
// in the worker; this file wires the panel, its reader and its inputs; view.js
// draws the summary, charts, quadrants and table (markup: template.js).
//
//   mountSlicePanel(section, { openRow })
//
// openRow({ logits, token, labels, name, index, advantage, truncated }) is
// called when a row is clicked: logits is the full row (Float32Array; for a
// top-logprobs slice its listed logprobs), token the sampled token's column
// (or null), labels the token strings of a top-logprobs row (or null).

import { fmtBytes } from '../lib/format.js';
import { byTest as byTestIn, clearError, dropTarget, openExampleFromUrl, showError } from '../lib/dom.js';
import { SliceReader } from './reader.js';
import { EXAMPLES, TEMPLATE } from './template.js';
import { askedWorkers } from '../lib/worker-rpc.js';
import { sliceView } from './view.js';

/** @param {HTMLElement} section @param {{ openRow(row: object): void }} hooks */
export function mountSlicePanel(section, { openRow }) {
  if (!section) return null;
  const keep = section.querySelector('h2');
  const hint = section.querySelector('.hint');
  section.replaceChildren(...[keep, hint].filter(Boolean));
  if (hint)
    hint.textContent =
      'Load a logit slice dumped from PyTorch or NumPy (.npy, .safetensors, JSON incl. OpenAI-style top_logprobs, CSV) to see the entropy of every position and the polarity of its sampled token. The file is read in your browser, in chunks; nothing is uploaded.';
  const body = document.createElement('div');
  body.className = 'slice-body';
  body.innerHTML = TEMPLATE;
  section.append(body);

  const q = (sel) => body.querySelector(sel);
  const byTest = (t) => byTestIn(t, body);
  const input = byTest('upload');
  const exampleSel = byTest('slice-example');
  const bf16Box = byTest('confirm-bf16');
  const greedyBox = byTest('greedy');
  const prompt = byTest('slice-prompt');
  const progBox = byTest('slice-progress-box');
  const prog = byTest('slice-progress');
  const progText = q('.slice-progress-text');
  const status = byTest('slice-status');

  for (const [file, what] of EXAMPLES) {
    const o = document.createElement('option');
    o.value = file;
    o.textContent = `${file} — ${what}`;
    exampleSel.append(o);
  }

  // ---------- the reader (one worker per file) ----------
  let pending = null; // { id, file, options, started }
  let lastFile = null;
  let tensorChoice = {}; // safetensors picks for lastFile
  let parseTimer = 0;
  const rowRequests = new Map();
  /** @type {import('./view.js').SliceContext} */
  const ctx = { section, q, byTest, status, shown: null, openRow: requestRow };
  const { show } = sliceView(ctx);
  const reader = new SliceReader({
    progress: onProgress,
    done: (m) => {
      stopParseClock();
      progBox.hidden = true;
      pending = null;
      clearError();
      show(m.id, m.summary, m.columns);
    },
    failed: (m) => failPending(m.message, m),
    row: onRow,
    rowFailed: (m) => {
      rowRequests.delete(m.reqId);
      showError(m.message);
    },
  });

  function load(file, { keepChoices = false } = {}) {
    if (!file) return;
    if (file !== lastFile && !keepChoices) tensorChoice = {};
    lastFile = file;
    stopParseClock();
    const options = { confirmBf16: bf16Box.checked, greedy: greedyBox.checked, workers: askedWorkers(), ...tensorChoice };
    const id = reader.load(file, options);
    pending = { id, file, options, started: performance.now() };
    section.dataset.sliceState = 'loading';
    prompt.hidden = true;
    prompt.replaceChildren();
    prog.removeAttribute('value');
    progText.textContent = `Opening ${file.name} (${fmtBytes(file.size)})…`;
    progBox.hidden = false;
    status.textContent = '';
  }

  /** A whole-file parse has no measure of how far it is: show the seconds it has taken. */
  function startParseClock(what) {
    stopParseClock();
    const t0 = performance.now();
    const tick = () => {
      progText.textContent = `${what} (${Math.round((performance.now() - t0) / 1000)} s; Cancel stops it at once)`;
    };
    tick();
    parseTimer = setInterval(tick, 1000);
  }
  function stopParseClock() {
    clearInterval(parseTimer);
    parseTimer = 0;
  }

  function failPending(message, extra = {}) {
    stopParseClock();
    progBox.hidden = true;
    const file = pending?.file;
    pending = null;
    section.dataset.sliceState = 'error';
    // (runpage) A .jsonl is a training-run export, not a slice: point to the #run panel.
    showError(
      /\.(jsonl|ndjson)$/i.test(file?.name ?? '')
        ? `${message} A .jsonl file is usually a training-run export: the “Training runs” panel below (#run) reads those.`
        : message,
    );
    status.textContent = ctx.shown ? `Kept the previous slice (${ctx.shown.summary.name}).` : '';
    if (extra.code === 'confirm-bf16' && file) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.testid = 'confirm-bf16-retry';
      b.textContent = 'It is bfloat16: read it';
      b.addEventListener('click', () => {
        bf16Box.checked = true;
        load(file, { keepChoices: true });
      });
      prompt.replaceChildren(document.createTextNode(`${file.name} holds raw 2-byte values. `), b);
      prompt.hidden = false;
    } else if (extra.code === 'pick-tensor' && file && extra.candidates?.length) {
      const sel = document.createElement('select');
      sel.dataset.testid = 'pick-tensor';
      for (const c of extra.candidates) sel.append(new Option(c, c));
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'Read this tensor as the logits';
      b.addEventListener('click', () => {
        tensorChoice = { ...tensorChoice, logitsTensor: sel.value };
        load(file, { keepChoices: true });
      });
      const label = document.createElement('label');
      label.append('Logits tensor ', sel);
      prompt.replaceChildren(label, b);
      prompt.hidden = false;
    }
  }

  function onRow(m) {
    if (!rowRequests.delete(m.reqId)) return;
    const s = ctx.shown;
    if (!s || s.id !== m.id) return;
    status.textContent = `Row ${m.index} of ${s.summary.name} opened in the explorer.`;
    openRow?.({
      logits: m.logits,
      token: m.token ?? null,
      labels: m.labels ?? null,
      name: s.summary.name,
      index: m.index,
      advantage: m.advantage,
      truncated: Boolean(s.summary.truncated),
    });
  }

  function onProgress(m) {
    if (!pending || m.id !== pending.id) return;
    const what = { header: 'Reading the header of', read: 'Reading', parse: 'Parsing', analyse: 'Analysing' }[m.phase] ?? m.phase;
    if (m.phase !== 'analyse') {
      prog.removeAttribute('value'); // indeterminate: one step, no measure of how far
      if (m.phase === 'parse') startParseClock(`${what} ${pending.file.name}…`);
      else progText.textContent = `${what} ${pending.file.name}…`;
      return;
    }
    stopParseClock();
    const frac = m.total > 0 ? m.done / m.total : 0;
    prog.value = frac;
    const amount =
      m.unit === 'bytes'
        ? `${fmtBytes(m.done)} of ${fmtBytes(m.total)}`
        : `row ${m.done.toLocaleString('en')} of ${m.total.toLocaleString('en')}`;
    progText.textContent = `${what} ${pending.file.name}: ${amount} (${Math.floor(frac * 100)} %)`;
    prog.dataset.done = String(m.done);
  }

  function cancelled() {
    stopParseClock();
    progBox.hidden = true;
    pending = null;
    section.dataset.sliceState = 'cancelled';
    status.textContent = ctx.shown ? `Cancelled; kept the previous slice (${ctx.shown.summary.name}).` : 'Cancelled.';
  }

  // ---------- cancel, inputs ----------
  byTest('cancel').addEventListener('click', () => {
    if (reader.cancel()) cancelled();
  });
  input.addEventListener('change', () => {
    load(input.files?.[0]);
    input.value = '';
  });
  exampleSel.addEventListener('change', async () => {
    const name = exampleSel.value;
    exampleSel.value = '';
    if (!name) return;
    try {
      const res = await fetch(new URL(`../../examples/${name}`, import.meta.url));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      load(new File([await res.blob()], name.split('/').pop()));
    } catch (e) {
      showError(`The example ${name} could not be fetched (${e.message}).`);
    }
  });
  openExampleFromUrl(exampleSel, 'slice-example');
  greedyBox.addEventListener('change', () => {
    if (lastFile && ctx.shown && ctx.shown.summary.tokenSource !== 'file') load(lastFile, { keepChoices: true });
  });
  dropTarget(section, (e) => {
    const f = e.dataTransfer?.files?.[0];
    if (!f) return;
    e.preventDefault();
    load(f);
  });
  q('[data-role="apply-tensors"]').addEventListener('click', () => {
    const pick = (role) => q(`.slice-tensors select[data-role="${role}"]`).value;
    const opt = (v) => (v === '' ? null : v);
    tensorChoice = { logitsTensor: pick('logits'), tokensTensor: opt(pick('tokens')), advantagesTensor: opt(pick('advantages')) };
    if (lastFile) load(lastFile, { keepChoices: true });
  });

  /** Asks the worker of the slice on view for row `r` (onRow opens it). */
  function requestRow(r) {
    const reqId = reader.requestRow(r);
    if (reqId === null) return;
    rowRequests.set(reqId, r);
    status.textContent = `Opening row ${r}…`;
  }

  return { load };
}
