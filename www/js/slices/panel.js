// @ts-check
// The "Your logits" panel (docs/contract.md): upload or pick an example
// slice, read it in a Web Worker (reader.js, worker.js), and show
// entropy and polarity per position. All arithmetic is done by the wasm core
// in the worker; this file wires the panel and draws the summary, charts and
// quadrants (markup: template.js; table and CSV: table.js).
//
//   mountSlicePanel(section, { openRow })
//
// openRow({ logits, token, labels, name, index, advantage, truncated }) is
// called when a row is clicked: logits is the full row (Float32Array; for a
// top-logprobs slice its listed logprobs), token the sampled token's column
// (or null), labels the token strings of a top-logprobs row (or null).

import { logProbPlusEntropy } from '../../pkg/entropy_polarity.js';
import { fmt, fmtPercent } from '../lib/format.js';
import { download } from '../lib/share.js';
import { byTest as byTestIn, clearError, dropTarget, openExampleFromUrl, showError } from '../lib/dom.js';
import { drawEntropy, drawScatter, drawHistogram, MAX_POINTS } from './charts.js';
import { SliceReader } from './reader.js';
import { columnSpec, csvParts, tableHead, tableRows } from './table.js';
import { EXAMPLES, TEMPLATE } from './template.js';

const PAGE = 50;
const SORT_LIMIT = 200_000;

function fmtBytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

/**
 * How many workers analyse a streamed file: `?workers=N` in the page's
 * address (read at each load; N > 1 uses the pool, capped by the cores in
 * www/js/slices/worker.js). Without it, 1: the slice worker reads and
 * analyses itself. The pool is opt-in: with three browsers on two cores,
 * WebKit's first pooled result can take over 20 s (README, "Your logits").
 */
function askedWorkers() {
  const n = Number(new URLSearchParams(location.search).get('workers'));
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

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
  const view = byTest('slice-view');
  const tableHead_ = q('.slice-table thead');
  const tableBody = q('.slice-table tbody');
  const sortSel = byTest('slice-sort');

  for (const [file, what] of EXAMPLES) {
    const o = document.createElement('option');
    o.value = file;
    o.textContent = `${file} — ${what}`;
    exampleSel.append(o);
  }

  // ---------- the reader (one worker per file) ----------
  let pending = null; // { id, file, options, started }
  let shown = null; // the slice on view: { id, summary, columns, order, page }
  let lastFile = null;
  let tensorChoice = {}; // safetensors picks for lastFile
  let parseTimer = 0;
  const rowRequests = new Map();
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
    status.textContent = shown ? `Kept the previous slice (${shown.summary.name}).` : '';
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
    const s = shown;
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
    status.textContent = shown ? `Cancelled; kept the previous slice (${shown.summary.name}).` : 'Cancelled.';
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
    if (lastFile && shown && shown.summary.tokenSource !== 'file') load(lastFile, { keepChoices: true });
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

  // ---------- the view ----------
  function show(id, summary, columns) {
    const t0 = performance.now();
    const n = summary.rows;
    const hasTok = Boolean(columns.polarity);
    // Derived per-row values for the scatter, quadrants and histogram.
    const xNorm = hasTok ? logProbPlusEntropy(columns.prob, columns.entropy) : new Float64Array(n);
    shown = { id, summary, columns, xNorm, hasTok, order: null, page: 0 };
    sortSel.value = 'row';
    sortSel.disabled = n > SORT_LIMIT;
    view.hidden = false;
    const tt = [];
    const T = (f) => {
      const a = performance.now();
      f();
      tt.push((performance.now() - a).toFixed(1));
    };
    T(renderSummary);
    T(renderTruncated);
    T(renderTensorPicker);
    T(renderQuadrants);
    T(renderTable);
    // The charts in a task of their own (no long main-thread task).
    const drawing = shown;
    setTimeout(() => {
      if (shown !== drawing) return;
      T(renderCharts);
      section.dataset.renderParts = tt.join(' ');
      section.dataset.renderMs = (performance.now() - t0).toFixed(1);
      section.dataset.sliceState = 'ready';
    }, 0);
    section.dataset.sliceId = String(id);
    status.textContent = `${summary.name}: ${n.toLocaleString('en')} rows analysed in ${(summary.elapsedMs / 1000).toFixed(2)} s.`;
  }

  function renderSummary() {
    const s = shown.summary;
    const dl = byTest('slice-summary');
    dl.replaceChildren();
    const item = (k, v, test) => {
      const d = document.createElement('div');
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      if (test) dd.dataset.testid = test;
      d.append(dt, dd);
      dl.append(d);
    };
    item('file', `${s.name} (${fmtBytes(s.size)})`, 'slice-name');
    item(
      'format',
      `${s.format}${s.logitsName ? `, tensor “${s.logitsName}”` : ''}${s.truncated ? ', top-logprobs (truncated)' : ''}`,
      'slice-format',
    );
    item('rows × vocab', `${s.rows.toLocaleString('en')} × ${s.vocab.toLocaleString('en')}`, 'slice-shape');
    item('dtype', `${s.dtype}${s.endian === 'big' ? ' big-endian' : ''}${s.order === 'F' ? ', Fortran order' : ''}`, 'slice-dtype');
    const tok =
      s.tokenSource === 'file'
        ? `from the file${s.tokensName ? ` (“${s.tokensName}”)` : ''}`
        : s.tokenSource === 'greedy'
          ? 'none in the file: each row’s most likely token (greedy)'
          : 'none in the file: the sampled-token columns are empty (tick “use each row’s most likely token” above to fill them)';
    item('sampled tokens', tok, 'slice-tokens');
    item(
      'advantages',
      s.advantageSource === 'file'
        ? `from the file${s.advantagesName ? ` (“${s.advantagesName}”)` : ''}`
        : 'none in the file: A = 1 for every row (polarity = sensitivity)',
      'slice-adv',
    );
    const tm = s.timing;
    item(
      'read',
      `${s.path}, ${(s.elapsedMs / 1000).toFixed(2)} s` +
        (tm && s.elapsedMs > 200
          ? ` (${s.workers > 1 ? `time summed over the ${s.workers} workers, which overlap: ` : ''}reading ${(tm.read / 1000).toFixed(2)} s, decoding ${(tm.decode / 1000).toFixed(2)} s, analysing ${(tm.analyse / 1000).toFixed(2)} s)`
          : ''),
      'slice-read',
    );
    const ul = byTest('slice-warnings');
    ul.replaceChildren(
      ...s.warnings.map((w) => {
        const li = document.createElement('li');
        li.textContent = w;
        return li;
      }),
    );
  }

  function renderTruncated() {
    const box = byTest('truncated');
    const { summary: s, columns: c } = shown;
    if (!s.truncated) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const n = s.rows;
    let tMin = Infinity,
      tMax = 0,
      tSum = 0,
      hk = 0,
      hl = 0;
    for (let r = 0; r < n; r++) {
      const t = c.tailMass[r];
      tMin = Math.min(tMin, t);
      tMax = Math.max(tMax, t);
      tSum += t;
      hk += c.entropy[r];
      hl += c.entropyBound[r];
    }
    let kMin = Infinity,
      kMax = 0;
    for (const k of c.listed) {
      kMin = Math.min(kMin, k);
      kMax = Math.max(kMax, k);
    }
    box.replaceChildren();
    const h = document.createElement('strong');
    h.textContent = 'Truncated distribution: these are not the model’s entropies. ';
    const p1 = document.createElement('p');
    p1.append(
      h,
      `Each position lists only its top ${kMin < kMax ? `${kMin}–${kMax}` : kMax} tokens; their probabilities sum to less than 1. ` +
        `Missing tail mass per row: ${fmtPercent(tMin)} to ${fmtPercent(tMax)} (mean ${fmtPercent(tSum / n)}), in the “tail” column below.`,
    );
    const p2 = document.createElement('p');
    p2.textContent =
      `Two entropies are shown, and the model’s true entropy is neither: ` +
      `“H top-k” is the entropy of the listed tokens renormalised to sum to 1 (mean ${fmt(hk / n, 4)} nats; every per-row statistic here — p_k, S_k, polarity, e^−H, p† — is of this renormalised list); ` +
      `“H ≥” is the least entropy the model can have given the listed p_i: no unlisted token is likelier than the smallest listed one, so the tail t is at least as spread as tokens of that probability and one remainder (mean ${fmt(hl / n, 4)} nats; docs/math.md, “Truncated slices”). ` +
      `The real tail is usually spread over many more tokens, so the model’s entropy is higher than the bound, possibly by a lot.`;
    box.append(p1, p2);
    if (s.choices > 1) {
      // Rows of several choices follow one another: say where each starts.
      const starts = [];
      for (let r = 0; r < n; r++) if (r === 0 || c.choice[r] !== c.choice[r - 1]) starts.push(`choice ${c.choice[r]} from row ${r}`);
      const p3 = document.createElement('p');
      p3.dataset.testid = 'slice-choices';
      p3.textContent = `The response has ${s.choices} choices, read one after the other (${starts.slice(0, 8).join(', ')}${starts.length > 8 ? ', …' : ''}); the “choice” column says which one each row comes from.`;
      box.append(p3);
    }
    box.hidden = false;
  }

  function renderTensorPicker() {
    const box = q('.slice-tensors');
    const s = shown.summary;
    if (s.format !== '.safetensors' || !s.tensors?.length) {
      box.hidden = true;
      return;
    }
    const fill = (role, current, allowNone) => {
      const sel = q(`.slice-tensors select[data-role="${role}"]`);
      sel.replaceChildren();
      if (allowNone) sel.append(new Option('(none)', ''));
      for (const t of s.tensors) sel.append(new Option(`${t.name} — ${t.dtype} [${t.shape.join(', ')}]`, t.name));
      sel.value = current ?? '';
    };
    fill('logits', s.logitsName, false);
    fill('tokens', s.tokensName, true);
    fill('advantages', s.advantagesName, true);
    box.hidden = false;
  }

  let resizeFrame = 0;
  function renderCharts() {
    drawnWidth = section.clientWidth;
    const { summary: s, columns: c, xNorm, hasTok } = shown;
    const n = s.rows;
    const toRow = drawEntropy(byTest('slice-entropy'), c.entropy, { lower: s.truncated ? c.entropyBound : null, truncated: s.truncated });
    byTest('slice-entropy').onclick = (e) => {
      const r = toRow(e.clientX);
      if (r !== null) requestRow(r);
    };
    const scatter = byTest('slice-scatter');
    const note = q('.scatter-note');
    const readout = q('.scatter-readout');
    readout.textContent = '';
    const hist = byTest('slice-histogram');
    const hnote = q('.hist-note');
    if (!hasTok) {
      for (const svg of [scatter, hist]) svg.replaceChildren();
      scatter.setAttribute('height', '0');
      hist.setAttribute('height', '0');
      note.textContent = '— needs a sampled token per row';
      hnote.textContent = '— needs a sampled token per row';
      return;
    }
    // Rows whose sampled token is masked (p_k = 0) have no place on a log axis.
    const rows = [];
    let masked = 0;
    const stride = Math.max(1, Math.ceil(n / MAX_POINTS));
    for (let r = 0; r < n; r += stride) {
      if (Number.isFinite(xNorm[r])) rows.push(r);
    }
    for (let r = 0; r < n; r++) if (!Number.isFinite(xNorm[r])) masked++;
    const nearest = drawScatter(scatter, { x: xNorm, y: c.polarity, adv: c.advantages ?? null, rows });
    note.textContent = [
      stride > 1 ? `(every ${stride}th row: ${rows.length.toLocaleString('en')} of ${n.toLocaleString('en')})` : '',
      masked ? `${masked} row(s) whose sampled token is masked (p_k = 0) are not drawn` : '',
    ]
      .filter(Boolean)
      .join('; ');
    scatter.onclick = (e) => {
      const r = nearest(e.clientX, e.clientY);
      if (r !== null) requestRow(r);
    };
    scatter.onpointermove = (e) => {
      const r = nearest(e.clientX, e.clientY);
      scatter.classList.toggle('over-point', r !== null);
      readout.textContent =
        r === null
          ? ''
          : `row ${r}: ln p_k + H = ${fmt(xNorm[r], 4)}, polarity ${fmt(c.polarity[r], 4)}, A = ${fmt(c.advantages ? c.advantages[r] : 1, 3)} (click to open)`;
    };
    // Histogram range: ±(the 99th percentile of |P|), so one outlier does not squash the rest.
    const sample = [];
    const hs = Math.max(1, Math.floor(n / 50_000));
    for (let r = 0; r < n; r += hs) sample.push(Math.abs(c.polarity[r]));
    sample.sort((a, b) => a - b);
    let maxAbs = 0;
    for (let r = 0; r < n; r++) maxAbs = Math.max(maxAbs, Math.abs(c.polarity[r]));
    let limit = sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.99))] || maxAbs || 1;
    if (limit === 0) limit = 1;
    drawHistogram(hist, c.polarity, { limit: limit * 1.0001 });
    hnote.textContent = limit < maxAbs ? `(|P| above ${fmt(limit, 3)} counted in the end bins; max ${fmt(maxAbs, 3)})` : '';
  }
  let drawnWidth = 0;
  new ResizeObserver(() => {
    if (!shown || resizeFrame || section.clientWidth === drawnWidth) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (shown) renderCharts();
    });
  }).observe(section);

  function renderQuadrants() {
    const box = byTest('quadrants');
    const { summary: s, columns: c, hasTok } = shown;
    box.replaceChildren();
    if (!hasTok) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = 'Polarity needs the sampled token of each row: this file has none.';
      box.append(p);
      return;
    }
    const n = s.rows;
    const k = { pe: 0, pc: 0, ne: 0, nc: 0, zero: 0 };
    const adv = c.advantages;
    for (let r = 0; r < n; r++) {
      const a = adv ? adv[r] : 1,
        p = c.polarity[r];
      if (a === 0 || p === 0 || !Number.isFinite(p)) k.zero++;
      else if (a > 0) p > 0 ? k.pe++ : k.pc++;
      else p > 0 ? k.ne++ : k.nc++;
    }
    const grid = document.createElement('div');
    grid.className = 'quad-grid';
    const cell = (text, cls = '', test) => {
      const d = document.createElement('div');
      d.className = cls;
      if (test) d.dataset.testid = test;
      if (typeof text === 'string') d.textContent = text;
      else d.append(...text);
      grid.append(d);
      return d;
    };
    const count = (v, test, cls) => {
      const b = document.createElement('strong');
      b.textContent = v.toLocaleString('en');
      const sm = document.createElement('small');
      sm.textContent = ` ${fmtPercent(v / n)}`;
      const d = cell([b, sm], `quad ${cls}`, test);
      d.dataset.count = String(v);
    };
    cell('', 'corner');
    cell('↑ expands (P > 0)', 'col-head expand');
    cell('↓ contracts (P < 0)', 'col-head contract');
    const head = (glyph, cls, text) => {
      const g = document.createElement('span');
      g.className = `key ${cls}`;
      g.textContent = glyph;
      return [g, text];
    };
    cell(head('●', 'adv-pos', ' A > 0 rewarded'), 'row-head');
    count(k.pe, 'quad-pos-expand', 'expand');
    count(k.pc, 'quad-pos-contract', 'contract');
    cell(head('▲', 'adv-neg', ' A < 0 penalised'), 'row-head');
    count(k.ne, 'quad-neg-expand', 'expand');
    count(k.nc, 'quad-neg-contract', 'contract');
    box.append(grid);
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent =
      `${n.toLocaleString('en')} rows` +
      (k.zero ? `; ${k.zero} with A = 0 or polarity exactly 0 are in no quadrant.` : '.') +
      (s.advantageSource === 'file' ? '' : ' No advantages in the file: every row counts as A = 1.');
    box.append(note);
  }

  // ---------- the table (table.js) ----------
  function rowOrder() {
    const { summary: s, columns: c } = shown;
    const how = sortSel.value;
    if (how === 'row' || s.rows > SORT_LIMIT) return null;
    const idx = Array.from({ length: s.rows }, (_, i) => i);
    const key = how.startsWith('pol') ? c.polarity : c.entropy;
    if (!key) return null;
    const dir = how.endsWith('asc') ? 1 : -1;
    idx.sort((a, b) => dir * (key[a] - key[b]) || a - b);
    return idx;
  }

  function renderTable() {
    const s = shown.summary;
    const cols = columnSpec(s, shown.columns);
    tableHead_.replaceChildren(tableHead(cols));
    const pages = Math.max(1, Math.ceil(s.rows / PAGE));
    shown.page = Math.max(0, Math.min(pages - 1, shown.page));
    const start = shown.page * PAGE;
    const end = Math.min(s.rows, start + PAGE);
    const rows = [];
    for (let i = start; i < end; i++) rows.push(shown.order ? shown.order[i] : i);
    tableBody.replaceChildren(...tableRows(cols, rows, shown.columns.polarity));
    q('[data-role="page"]').textContent =
      `rows ${start.toLocaleString('en')}–${(end - 1).toLocaleString('en')} of ${s.rows.toLocaleString('en')}`;
    q('[data-role="prev"]').disabled = shown.page === 0;
    q('[data-role="next"]').disabled = shown.page >= pages - 1;
    q('[data-role="goto"]').max = String(s.rows - 1);
  }

  sortSel.addEventListener('change', () => {
    if (!shown) return;
    shown.order = rowOrder();
    shown.page = 0;
    renderTable();
  });
  q('[data-role="prev"]').addEventListener('click', () => {
    shown.page--;
    renderTable();
  });
  q('[data-role="next"]').addEventListener('click', () => {
    shown.page++;
    renderTable();
  });
  q('[data-role="goto"]').addEventListener('change', (e) => {
    const r = Number(e.target.value);
    if (!shown || !Number.isInteger(r) || r < 0 || r >= shown.summary.rows) return;
    const pos = shown.order ? shown.order.indexOf(r) : r;
    shown.page = Math.floor(pos / PAGE);
    renderTable();
    tableBody.querySelector(`tr[data-row="${r}"]`)?.focus();
  });
  tableBody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-row]');
    if (tr) requestRow(Number(tr.dataset.row));
  });
  tableBody.addEventListener('keydown', (e) => {
    const tr = e.target.closest('tr[data-row]');
    if (tr && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      requestRow(Number(tr.dataset.row));
    }
  });

  function requestRow(r) {
    if (!shown) return;
    for (const tr of tableBody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    tableBody.querySelector(`tr[data-row="${r}"]`)?.classList.add('selected');
    const reqId = reader.requestRow(r);
    if (reqId === null) return;
    rowRequests.set(reqId, r);
    status.textContent = `Opening row ${r}…`;
  }

  // ---------- CSV export (table.js) ----------
  byTest('export-rows').addEventListener('click', async () => {
    if (!shown) return;
    const { summary: s, columns: c } = shown;
    const parts = await csvParts(columnSpec(s, c), s.rows);
    download(new Blob(parts, { type: 'text/csv' }), `${s.name.replace(/\.[^.]*$/, '')}-rows.csv`);
  });

  return { load };
}
