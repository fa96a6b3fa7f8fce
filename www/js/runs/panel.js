// @ts-check
// The "Training runs" panel (#run): pick files, a folder or a per-step CSV,
// read them in a Web Worker (www/js/runs/worker.js, the wasm RunReader), and
// show what polarity did across the run: per-step charts, the correlation of
// the token term with the realised entropy change, and the kept tokens as
// strips. The math is the core's (docs/trace-format.md); this file wires the
// DOM. Nothing from a file is ever rendered as markup (textContent only).
//
//   mountRunPanel(section, { openRow })   // openRow: as the slice panel's

import { dropTarget, byTest as find, openExampleFromUrl } from '../lib/dom.js';
import { fmt } from '../lib/format.js';
import { setTextWithOverbars, setRichText, plainText } from '../lib/overbar.js';
import { download } from '../lib/share.js';
import { drawSeries, drawShares, drawScatter, drawAdvantageProb, drawTokenScatter, SHARE_NAMES } from './charts.js';
import { renderStrip, visible } from './strip.js';
import { stepsCsv, renderStepsTable } from './csv.js';
import { pickRunFiles, filesOfEntry } from './files.js';
import { FINDINGS } from './findings.js';

const FORMATS = {
  'prime-rl': { name: 'prime-rl token exports', logprobs: 'trainer_logprobs, the policy being updated' },
  trace: { name: 'entropy-polarity trace (JSONL)', logprobs: 'logprob, the policy being updated' },
  'trace-safetensors': { name: 'entropy-polarity trace (safetensors)', logprobs: 'logprob, the policy being updated' },
  'nemo-rl': { name: 'NeMo-RL train_data_step files', logprobs: 'prev_logprobs, the policy being updated' },
  openrlhf: { name: 'OpenRLHF logging board', logprobs: 'logprobs' },
};

const HOW_TO_ADD =
  'compute it where the trainer has the logits with the writer in python/entropy_polarity/writer.py (chunked, no_grad) and save the trace format of docs/trace-format.md; then drop that trace here.';
const MISSING = {
  entropy: `entropy: these files carry no entropy per position, so S_{k}, the token term, the shares and the polarity are empty; p_{k} and the advantages are shown. To add it, ${HOW_TO_ADD}`,
  mean_discriminator:
    'S̄ (mean_discriminator): the full policy-gradient polarity A (S̄ − S_{k}) and p† need it; the token term −A·S_{k} is exact without it, and the bound below says what it implies.',
  advantage: 'advantages: the token term, the shares and the polarity need them; p_{k} (and the entropy, where present) are shown.',
};

const EXAMPLES = [
  ['smollm2-grpo', 'SmolLM2-135M under GRPO: a real run, with the same-context change'],
  ['prime-rl', 'prime-rl token_exports/ (folder)'],
  ['trace', 'trace format, JSONL'],
  ['trace-safetensors', 'trace format, safetensors'],
  ['nemo-rl', 'NeMo-RL (no entropy)'],
  ['openrlhf', 'OpenRLHF logging board (no entropy, no advantages)'],
];

function fmtBytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}
const int = (v) => Number(v).toLocaleString('en');
/** A list of steps, at most 8 named. */
const stepList = (v) => (v.length > 8 ? `${Array.from(v.slice(0, 8)).join(', ')} and ${v.length - 8} more` : Array.from(v).join(', '));
/** A label cut to 60 characters (a 10 MB env_name is a name, not a page). */
const label = (t) => (t.length > 60 ? `${t.slice(0, 60)}… (${int(t.length)} characters)` : t);
// Error messages are capped (a 5 MB cell quoted in one froze the tab; the core quotes 40 characters).
const MAX_MESSAGE = 2000;
// Files handed to the worker per main-thread task.
const FILES_PER_TASK = 50;
// Options in a step list; more steps are offered as ranges (issue 19: 100,000 options).
const MAX_STEP_OPTIONS = 500;

/** Options for a list of steps (ascending): one per step, or ranges "a:b" when there are many. */
function stepOptions(steps) {
  if (steps.length <= MAX_STEP_OPTIONS) return steps.map((v) => new Option(`step ${v}`, String(v)));
  const per = Math.ceil(steps.length / MAX_STEP_OPTIONS);
  const out = [];
  for (let k = 0; k < steps.length; k += per) {
    const a = steps[k],
      b = steps[Math.min(steps.length, k + per) - 1];
    out.push(new Option(`steps ${a}–${b}`, `${a}:${b}`));
  }
  return out;
}
/** The [first, last] steps an option value stands for, or null for "all". */
function stepRange(value) {
  if (value === 'all' || value === '') return null;
  const [a, b] = value.split(':').map(Number);
  return [a, b ?? a];
}
const sign = (v) => (v > 0 ? '▲ expands' : v < 0 ? '▼ contracts' : '');

// Text with S̄ goes through setTextWithOverbars (WebKit drops the combining bar).
function para(text, cls) {
  const p = document.createElement('p');
  if (cls) p.className = cls;
  return setTextWithOverbars(p, text);
}
// The panel's own text with "S_{k}", "e^{−H}" drawn as sub/superscripts (www/js/lib/overbar.js);
// never text from a file (a name like "a_{b}.jsonl" is shown as it is, through para).
function richPara(text, cls) {
  const p = document.createElement('p');
  if (cls) p.className = cls;
  return setRichText(p, text);
}

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
  const view = byTest('run-view');
  const charts = byTest('run-charts');
  const scatter = byTest('run-scatter');
  const corrBox = byTest('run-correlation');
  const table = byTest('run-steps-table');
  const tokens = byTest('run-tokens');
  const stepSel = byTest('run-filter-step');
  const envSel = byTest('run-filter-env');
  const advSel = byTest('run-filter-adv');
  const sampleSel = byTest('run-sample');
  const strip = byTest('run-strip');
  const readout = byTest('run-token');
  const legend = byTest('run-legend');
  const detailNote = byTest('run-detail-note');
  const advFig = byTest('run-adv-figure');
  const sameFig = byTest('run-same');
  const sameStep = byTest('run-same-step');
  const sameSvg = byTest('run-same-scatter');
  const sameStats = byTest('run-same-stats');
  const sameNote = byTest('run-same-note');
  const colourSel = byTest('run-colour');

  for (const [value, label] of EXAMPLES) exampleSel.append(new Option(label, value));

  // ---------- the worker: one job at a time; cancel = terminate + respawn ----------
  let worker = null;
  let nextId = 1;
  let job = null; // { id, label, started }
  let shown = null; // the run on view
  let tokenizer = null; // a tokenizer.json File chosen before a run: applied to the next run only
  const requests = new Map();

  function startWorker() {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (e) => onMessage(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      const id = job?.id;
      stopWorker();
      if (id) fail({ message: `The run reader stopped (${e.message || 'worker error'}). Try again; if it persists, reload the page.` });
    };
  }
  function stopWorker() {
    worker?.terminate();
    worker = null;
    for (const [, r] of requests) r.reject(new Error('The reader was restarted; try again.'));
    requests.clear();
  }
  function ask(msg, transfer = []) {
    if (!worker) startWorker();
    const reqId = nextId++;
    return new Promise((resolve, reject) => {
      requests.set(reqId, { resolve, reject });
      worker.postMessage({ ...msg, reqId }, transfer);
    });
  }

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
    if (!worker) startWorker();
    longest = 0; // data-longest-ms is per load
    const id = nextId++;
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
      if (job?.id !== id || !worker) return;
      const part = files.slice(from, from + FILES_PER_TASK);
      timed(() => worker.postMessage({ type: 'files', id, files: part.map((f) => f.file), paths: part.map((f) => f.path) }));
      if (from + FILES_PER_TASK < files.length) setTimeout(() => send(from + FILES_PER_TASK), 0);
      else worker.postMessage({ type: 'open', id });
    };
    send(0);
  }

  function cancel({ quiet = false } = {}) {
    if (!job) return;
    stopWorker(); // frees everything the reader held
    job = null;
    progBox.hidden = true;
    if (quiet) return;
    setState('cancelled');
    notice(shown ? `Cancelled; the previous view (${shown.label}) is kept.` : 'Cancelled.');
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
    if (shown) notice(`The previous view (${shown.label}) is kept.`);
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
  const onMessage = (m) => timed(() => handle(m));

  function handle(m) {
    if (m.reqId !== undefined && requests.has(m.reqId)) {
      const r = requests.get(m.reqId);
      requests.delete(m.reqId);
      if (m.type === 'failed') r.reject(new Error(m.message));
      else r.resolve(m);
      return;
    }
    if (!job || m.id !== job.id) return; // an old job
    if (m.type === 'progress') {
      const frac = m.total > 0 ? m.done / m.total : 0;
      prog.value = frac;
      prog.dataset.done = String(m.done);
      progText.textContent = `Reading ${m.file}: ${fmtBytes(m.done)} of ${fmtBytes(m.total)} (${Math.floor(frac * 100)} %)`;
    } else if (m.type === 'error') {
      fail(m);
    } else if (m.type === 'done') {
      const label = job.label;
      const skipped = job.skipped;
      job = null;
      progBox.hidden = true;
      clearError();
      const before = shown?.tokenizerName;
      show({ ...m.result, label, skipped, id: m.id }, () => {
        setState('ready');
        section.dataset.runId = String(m.id);
        // A tokenizer belongs to the run it was chosen for (issue 19: one
        // stayed applied to later runs); one chosen before this run is its.
        if (tokenizer && shown.detail) applyTokenizer(tokenizer);
        else if (before && shown.detail) notice(`${before} decoded the previous run; choose it again if it is this run’s tokenizer.`);
        tokenizer = null;
      });
    }
  }

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
    if (shown?.detail && !job) applyTokenizer(file);
    else tokenizer = file; // applied to the run being read, or the next one
  });

  /**
   * Decodes the kept tokens' ids of the run on view with `file`. Only ids
   * that are whole numbers from 0 to 2³² − 1 are decoded (a missing id is
   * NaN, and Uint32Array.from turned NaN into 0 and −1 into 4294967295);
   * the others keep showing what the file gave.
   */
  async function applyTokenizer(file) {
    const s = shown;
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
      if (shown !== s) return;
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

  // ---------- the view ----------
  /** Shows a result, in small tasks; `then` runs after the last. */
  function show(result, then) {
    const d = result.detail;
    shown = { ...result, decoded: null, tokenizerName: null };
    if (d) {
      shown.n = d.step.length;
      shown.hasPolarity = Boolean(d.polarity) && Array.prototype.some.call(d.polarity, Number.isFinite);
      shown.hasEntropy = result.summary.hasEntropy;
      shown.hasAfter = Boolean(result.same);
    }
    view.hidden = false;
    renderStatus();
    renderCorrelation();
    runQueue([
      ...chartTasks(),
      () => {
        if (table.closest('details').open) renderStepsTable(table, shown.steps);
      },
      () => renderFilters(),
      () => renderTokens(),
      () => renderAdvFig(),
      then,
    ]);
  }

  function renderStatus() {
    const s = shown;
    const st = s.steps.step;
    const range = st.length ? `${int(st.length)} step(s), ${st[0]}–${st[st.length - 1]}` : 'no steps';
    const secs = `${(s.elapsedMs / 1000).toFixed(2)} s`;
    const lines = [];
    if (s.kind === 'csv') {
      lines.push(para(`Read ${s.files[0]} (${fmtBytes(s.bytes)}) in ${secs}: a per-step CSV, ${range}.`));
      lines.push(
        para(
          'Token detail is not included: a per-step CSV holds only the per-step figures (charts and correlation below). Drop the run’s own files to see tokens.',
          'run-status-note',
        ),
      );
      for (const n of s.notes ?? []) lines.push(para(n, 'run-warning'));
    } else {
      const m = s.summary;
      const f = FORMATS[m.format] ?? { name: m.format, logprobs: 'logprob' };
      lines.push(
        para(
          `Read ${int(m.files)} file(s) (${fmtBytes(s.bytes)}) in ${secs}: ${f.name}, ${range}.` +
            (s.skipped ? ` ${s.skipped} other file(s) in the folder were skipped.` : ''),
        ),
      );
      lines.push(
        para(
          `${int(m.samples)} samples, ${int(m.tokens)} tokens, ${int(m.counted)} counted ` +
            (m.hasEntropy
              ? '(loss mask on, not trust-region masked, finite logprob, entropy and advantage).'
              : '(masks on and a finite logprob: with no entropy, nothing else can be asked).'),
        ),
      );
      lines.push(para(`Logprobs used: ${f.logprobs}.`));
      for (const k of m.missing ?? []) lines.push(richPara(`Missing ${MISSING[k] ?? k}`, 'run-missing'));
      // A null S̄ at a counted token empties pg_polarity for its step (issue 19:
      // the trace example said "Nothing missing … exact" with step 4 blank).
      const noPg = Array.from(s.steps.step).filter((_, i) => s.steps.tokens[i] > 0 && !Number.isFinite(s.steps.pgPolarity[i]));
      if (!(m.missing ?? []).length && noPg.length)
        lines.push(
          para(
            `Entropy, S̄ and advantages are present, but S̄ is null at counted tokens of step(s) ${stepList(noPg)}: pg_polarity is empty there. At the other steps the full policy-gradient polarity is exact.`,
            'run-missing',
          ),
        );
      else if (!(m.missing ?? []).length)
        lines.push(para('Nothing missing: entropy, S̄ and advantages are all present, so the full policy-gradient polarity is exact.'));
      if (m.hasEntropyAfter)
        lines.push(
          para(
            'entropy_after is present: each token’s entropy right after the optimizer step, on the same context, so the predicted change can be set against the realised one (“Predicted against realised, on the same context” below).',
          ),
        );
      for (const w of m.warnings ?? []) lines.push(para(w, 'run-warning'));
      const lim = s.detailLimits;
      lines.push(
        para(
          `The per-step figures use every counted token. Token detail is kept for up to ${lim.samplesPerStep} whole samples and the ${lim.extremes} most expanding and ${lim.extremes} most contracting tokens per step (${int(s.n)} tokens kept), so memory stays bounded.` +
            (s.tokenizerName
              ? ` Token text decoded with ${s.tokenizerName}.`
              : s.detail.text
                ? ' Token text from the files.'
                : ' No token text in the files: ids are shown (drop a tokenizer.json to decode them).'),
        ),
      );
    }
    const finding = FINDINGS[s.label.replace(/^example /, '')]; // what a shipped real run showed
    if (finding) {
      const p = para(finding, 'run-finding');
      p.dataset.testid = 'run-finding';
      lines.push(p);
    }
    status.replaceChildren(...lines);
    status.dataset.format = s.kind === 'csv' ? 'steps-csv' : s.summary.format;
  }

  /** One task per chart: each reads its width and draws. */
  function chartTasks() {
    const s = shown.steps;
    const x = Array.from(s.step);
    const tasks = [];
    const figs = [];
    const fig = (title, draw, note) => {
      const f = document.createElement('figure');
      f.className = 'run-chart';
      const cap = document.createElement('figcaption');
      setRichText(cap, title);
      if (note) {
        const sm = document.createElement('small');
        setRichText(sm, ` ${note}`);
        cap.append(sm);
      }
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('class', 'run-svg');
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', plainText(title));
      f.append(cap, svg);
      figs.push(f);
      tasks.push(() => draw(svg));
    };
    fig('Mean entropy H (nats)', (svg) => drawSeries(svg, x, [{ values: s.meanEntropy, cls: 's-entropy', name: 'mean H' }]));
    fig('Mean p_{k} of the sampled tokens', (svg) => drawSeries(svg, x, [{ values: s.meanProb, cls: 's-prob', name: 'mean p_k' }]));
    const hasPg = Array.prototype.some.call(s.pgPolarity, Number.isFinite);
    fig(
      hasPg ? 'Mean token term −A·S_{k} (solid) and PG polarity A (S̄ − S_{k}) (dashed)' : 'Mean token term −A·S_{k}',
      (svg) =>
        drawSeries(
          svg,
          x,
          [
            { values: s.tokenTerm, cls: 's-term', name: 'token term' },
            ...(hasPg ? [{ values: s.pgPolarity, cls: 's-pg', name: 'PG polarity' }] : []),
          ],
          { zero: true, yLabel: '> 0 expands, per unit η/T' },
        ),
      hasPg ? '' : '(PG polarity needs S̄)',
    );
    fig(
      'Realised ΔH, next step, other samples',
      (svg) => drawSeries(svg, x, [{ values: s.realisedDh, cls: 's-dh', name: 'realised ΔH, next step' }], { zero: true }),
      '(the next step’s mean H minus this one’s: other prompts, other samples)',
    );
    // The same-context columns, when the trace has entropy_after (or the CSV has them).
    if (Array.prototype.some.call(s.realisedDhSame ?? [], Number.isFinite)) {
      fig(
        'Realised ΔH on the same context',
        (svg) => drawSeries(svg, x, [{ values: s.realisedDhSame, cls: 's-dh', name: 'realised_dh_same' }], { zero: true }),
        '(mean of entropy_after − entropy over counted tokens: the step’s own effect)',
      );
      figs[figs.length - 1].dataset.testid = 'run-chart-dh-same';
      const hasAgreePg = Array.prototype.some.call(s.agreePgPolarity, Number.isFinite);
      fig(
        hasAgreePg
          ? 'Sign agreement with the same-context ΔH: token term (solid), PG polarity (dashed)'
          : 'Sign agreement of the token term with the same-context ΔH',
        (svg) =>
          drawSeries(
            svg,
            x,
            [
              { values: s.agreeTokenTerm, cls: 's-term', name: 'agree_token_term' },
              ...(hasAgreePg ? [{ values: s.agreePgPolarity, cls: 's-pg', name: 'agree_pg_polarity' }] : []),
            ],
            {
              domain: [0, 1],
              ref: { value: 0.5, label: '0.5: a coin' },
              yFmt: (v) => `${Math.round(v * 100)}%`,
              yLabel: 'share of tokens, same sign',
            },
          ),
        '(among counted tokens with A ≠ 0 and a nonzero change)',
      );
      figs[figs.length - 1].dataset.testid = 'run-chart-agreement';
    }
    fig(
      'Signs of the token term, among tokens with A ≠ 0',
      (svg) => drawShares(svg, s),
      '(what the first-order term predicts, not what happened)',
    );
    const legendBox = document.createElement('p');
    legendBox.className = 'run-share-legend';
    for (const { cls, name } of SHARE_NAMES) {
      const k = document.createElement('span');
      k.className = `key ${cls}`;
      k.textContent = name;
      legendBox.append(k);
    }
    figs[figs.length - 1].append(legendBox);
    charts.replaceChildren(...figs);
    const c = shown.correlation;
    /** @type {Map<number, string>} why a step's point is left out of the statistics */
    const out = new Map();
    for (const v of c.gaps) out.set(v, 'its realised ΔH spans a gap in the steps');
    for (const v of c.noUpdate) out.set(v, 'no update (every advantage 0)');
    tasks.push(() => {
      drawScatter(scatter, s.tokenTerm, s.realisedDh, {
        labels: (i) => `step ${s.step[i]}`,
        leftOut: (i) => out.get(s.step[i]) ?? null,
        xLabel: 'mean token term of the step',
        yLabel: 'realised ΔH (next step − this step)',
      });
      drawnWidth = section.clientWidth;
    });
    tasks.push(() => renderSame());
    return tasks;
  }

  // ---------- predicted against realised, on the same context ----------
  const pct = (v) => (Number.isFinite(v) ? `${fmt(100 * v, 3)} %` : '—');
  function statsText(c, where) {
    if (!(c.n > 0)) return `${where}: no token has both a prediction and a same-context change.`;
    return (
      `${where}: Pearson r = ${Number.isFinite(c.pearson) ? fmt(c.pearson, 3) : '—'}, Spearman ρ = ${Number.isFinite(c.spearman) ? fmt(c.spearman, 3) : '—'}` +
      ` over ${int(c.n)} tokens; the signs agree for ${pct(c.agreement)} of the ${int(c.nSigned)} tokens where both are nonzero (a coin: 50 %).`
    );
  }

  function renderSame() {
    const s = shown;
    const show = Boolean(s?.same && s.detail);
    sameFig.hidden = !show;
    if (!show) return;
    const d = s.detail;
    const st = s.same.steps;
    const prev = sameStep.dataset.run === String(s.id) ? sameStep.value : 'all';
    sameStep.replaceChildren(new Option('all steps', 'all'), ...stepOptions(Array.from(st.step)));
    sameStep.value = [...sameStep.options].some((o) => o.value === prev) ? prev : 'all';
    sameStep.dataset.run = String(s.id);
    const idx = [];
    let withSbar = 0;
    for (let i = 0; i < s.n; i++)
      if (d.point[i]) {
        idx.push(i);
        if (Number.isFinite(d.polarity[i])) withSbar++;
      }
    const range = stepRange(sameStep.value);
    const chosen = range && range[0] === range[1] ? range[0] : null;
    const drawn = drawTokenScatter(sameSvg, d.predicted, d.dhSame, idx, {
      chosen: range === null ? null : (i) => d.step[i] >= range[0] && d.step[i] <= range[1],
      xLabel:
        withSbar === idx.length
          ? 'predicted: PG polarity A (S̄ − S_k)'
          : withSbar
            ? 'predicted: PG polarity, or token term without S̄'
            : 'predicted: token term −A·S_k',
      yLabel: 'ΔH, same context',
    });
    const o = s.same.overall;
    Object.assign(sameStats.dataset, {
      pearson: String(o.pearson),
      spearman: String(o.spearman),
      agreement: String(o.agreement),
      n: String(o.n),
      nSigned: String(o.nSigned),
    });
    const lines = [statsText(o, 'All steps')];
    const k = chosen === null ? -1 : Array.prototype.indexOf.call(st.step, chosen);
    if (k >= 0) {
      const c = { pearson: st.pearson[k], spearman: st.spearman[k], agreement: st.agreement[k], n: st.n[k], nSigned: st.nSigned[k] };
      Object.assign(sameStats.dataset, { stepPearson: String(c.pearson), stepAgreement: String(c.agreement), stepN: String(c.n) });
      lines.push(statsText(c, `Step ${chosen}`));
    } else for (const key of ['stepPearson', 'stepAgreement', 'stepN']) delete sameStats.dataset[key];
    sameStats.textContent = lines.join(' ');
    const lim = s.detailLimits;
    setRichText(
      sameNote,
      `What is compared: the predicted first-order entropy change of each token (its PG polarity A (S̄ − S_{k}) where it has S̄ — ${int(withSbar)} of ${int(idx.length)} points — else its token term −A·S_{k}; per unit η/T) ` +
        'against entropy_after − entropy: the entropy at the same position, on the same context, right after the optimizer step that used the sample. ' +
        'The prediction is what plain gradient ascent on this token alone would do to its own softmax, to first order. It does not account for: ' +
        'a real network sharing parameters across positions (every other token’s update moves this position too), Adam rescaling each parameter’s step (and momentum carrying earlier steps), ' +
        'gradient clipping and the learning-rate schedule, and the first-order approximation itself (a large step curves away from it). ' +
        `Computed over the counted tokens of the kept whole samples (up to ${lim.samplesPerStep} per step, a uniform sample; all of a step with no more samples), ` +
        `not over the extremes kept for the token strip, which are chosen by their token term; the per-step charts above use every counted token.` +
        (drawn < idx.length ? ` ${int(drawn)} of the ${int(idx.length)} points are drawn (an even stride); the statistics use all.` : ''),
    );
  }
  sameStep.addEventListener('change', () => timed(() => renderSame()));
  colourSel.addEventListener('change', () => renderTokens());

  /**
   * Did polarity predict this run's entropy change? The core's answer
   * (stepEvidence): pairs across a gap and steps with no update left out,
   * a permutation p-value, the sign count; "supports" only when significant.
   */
  function renderCorrelation() {
    const c = shown.correlation;
    Object.assign(corrBox.dataset, {
      pearson: String(c.pearson),
      spearman: String(c.spearman),
      n: String(c.n),
      pSpearman: String(c.pSpearman),
      pPearson: String(c.pPearson),
      gaps: Array.from(c.gaps).join(' '),
      noUpdate: Array.from(c.noUpdate).join(' '),
      sameSign: String(c.sameSign),
      signed: String(c.signed),
    });
    const parts = [];
    if (c.gaps.length)
      parts.push(
        `Gaps in the steps: consecutive steps are ${fmt(c.stride)} apart, but the next step after step ${stepList(c.gaps)} is further on, so ${c.gaps.length > 1 ? 'their' : 'its'} realised ΔH spans missing steps; ${c.gaps.length > 1 ? 'they are' : 'it is'} left out (hollow dots).`,
      );
    if (c.noUpdate.length)
      parts.push(
        `Step ${stepList(c.noUpdate)} had no update (no token with A ≠ 0 and a nonzero token term: every advantage 0), so ${c.noUpdate.length > 1 ? 'they predict' : 'it predicts'} nothing and ${c.noUpdate.length > 1 ? 'are' : 'is'} left out.`,
      );
    const pct = (p) => (p < 0.001 ? '< 0.1 %' : `${fmt(100 * p, 2)} %`);
    if (c.constant)
      parts.push(
        `No correlation can be computed: ${c.constant === 'token_term' ? 'the mean token term' : 'the realised ΔH'} is the same at all ${int(c.n)} steps used.`,
      );
    else if (!(c.n >= 3))
      parts.push(`A correlation needs at least 3 steps with a token term, a realised ΔH and an update; this run has ${int(c.n)}.`);
    else {
      const orderings = c.exact
        ? `over all ${int(c.permutations)} orderings`
        : c.permutations
          ? `over ${int(c.permutations)} random orderings`
          : 'in its normal limit for many steps';
      parts.push(
        `Over ${int(c.n)} steps, the mean token term and the realised ΔH correlate with Pearson r = ${fmt(c.pearson, 3)} and Spearman ρ = ${fmt(c.spearman, 3)} ` +
          `(permutation test ${orderings}: p = ${fmt(c.pSpearman, 2)} for ρ, ${fmt(c.pPearson, 2)} for r).`,
      );
      if (c.pSpearman < 0.05)
        parts.push(
          c.spearman > 0
            ? 'Significant at the 5 % level and positive: this run supports the paper’s claim that polarity predicts the entropy change.'
            : 'Significant at the 5 % level and negative: on this run the entropy moved against the token term, which contradicts the claim.',
        );
      else
        parts.push(
          `Not significant: with ${int(c.n)} steps a correlation at least this strong arises by chance in ${pct(c.pSpearman)} of orderings, so this run neither supports nor contradicts the claim that polarity predicts the entropy change.`,
        );
    }
    if (c.signed)
      parts.push(
        c.sameSign === c.signed
          ? `The mean token term had the sign of the realised ΔH in all ${int(c.signed)} steps.`
          : `The token term had the wrong sign in ${int(c.signed - c.sameSign)} of ${int(c.signed)} steps (the sign of the realised ΔH in ${int(c.sameSign)}).`,
      );
    parts.push(
      'Caveat: realised ΔH (realised_dh) is the next step’s mean entropy minus this step’s, over other prompts and other samples, so it mixes the update’s effect with the batches’ differences. ' +
        (shown.hasAfter
          ? 'The same-context measure below (entropy_after: the same positions right after the step) isolates the step’s own effect.'
          : 'For the step’s own effect on the same context, write entropy_after in a trace (docs/trace-format.md): the panel then sets each token’s prediction against it.'),
    );
    corrBox.textContent = parts.join(' ');
  }

  // ---------- per token ----------
  const text = (i) => {
    const s = shown;
    const t = s.detail.text?.[i];
    if (typeof t === 'string') return t;
    if (s.decoded?.[i] != null) return s.decoded[i];
    const id = s.detail.tokenId[i];
    return Number.isFinite(id) ? `#${id}` : '(no id)';
  };

  function renderFilters() {
    const s = shown;
    if (!s.detail) {
      tokens.hidden = true;
      return;
    }
    tokens.hidden = false;
    const d = s.detail;
    const steps = [...new Set(Array.from(s.index.groupStart.subarray(0, -1), (k) => d.step[s.index.order[k]]))];
    stepSel.replaceChildren(new Option('all steps', 'all'), ...stepOptions(steps));
    // Env names come as an index per token and the distinct names (worker.js).
    const envs = (d.envNames ?? []).map((v, k) => [v, k]).filter(([v]) => v !== '');
    envSel.replaceChildren(
      new Option('any env', 'all'),
      ...envs.map(([v, k]) => Object.assign(new Option(label(v), String(k)), { title: label(v) })),
    );
    /** @type {HTMLElement} */ (section.querySelector('[data-role="env-filter"]')).hidden = envs.length === 0;
    /** @type {HTMLElement} */ (section.querySelector('[data-role="colour-by"]')).hidden = !s.hasAfter;
    if (!s.hasAfter) colourSel.value = 'predicted';
    advSel.value = 'all';
    fillSamples(null, { draw: false });
  }

  /**
   * The filters, read once per pass over the tokens (issue 19: reading
   * select.value per token scans the options each time, quadratic in steps).
   */
  function filters() {
    return { step: stepRange(stepSel.value), env: envSel.value === 'all' ? -1 : Number(envSel.value), adv: advSel.value };
  }

  function passes(i, f) {
    const d = shown.detail;
    if (f.step && !(d.step[i] >= f.step[0] && d.step[i] <= f.step[1])) return false;
    if (f.env >= 0 && d.envIndex?.[i] !== f.env) return false;
    if (f.adv === 'pos' && !(d.advantage[i] > 0)) return false;
    if (f.adv === 'neg' && !(d.advantage[i] < 0)) return false;
    return true;
  }

  const MAX_OPTIONS = 2000;
  function fillSamples(select = null, { draw = true } = {}) {
    const s = shown;
    const { order, groupStart } = s.index;
    const d = s.detail;
    const opts = [];
    let more = 0;
    const f = filters();
    for (let g = 0; g + 1 < groupStart.length; g++) {
      const a = groupStart[g],
        b = groupStart[g + 1];
      let hit = false;
      for (let k = a; k < b && !hit; k++) hit = passes(order[k], f);
      if (!hit && g !== select) continue;
      if (opts.length >= MAX_OPTIONS && g !== select) {
        more++;
        continue;
      }
      const i = order[a];
      const adv = d.advantage[i];
      const part = d.whole && !d.whole[i] ? ' · extremes only' : '';
      const o = new Option(
        `step ${d.step[i]} · sample ${d.sample[i]} · ${int(b - a)} token(s)${Number.isFinite(adv) ? ` · A = ${fmt(adv, 3)}` : ''}${part}`,
        String(g),
      );
      opts.push(o);
    }
    if (more) opts.push(Object.assign(new Option(`(${more} more: narrow the filters)`, ''), { disabled: true }));
    sampleSel.replaceChildren(...opts);
    if (select !== null) sampleSel.value = String(select);
    if (draw) renderTokens();
  }

  let stripApi = null;
  function renderTokens() {
    const s = shown;
    if (!s?.detail) return;
    const d = s.detail;
    const g = Number(sampleSel.value);
    const { order, groupStart } = s.index;
    const realised = s.hasAfter && colourSel.value === 'realised';
    const value = realised ? s.detail.dhSame : s.index.value;
    const scale = realised ? s.index.dhScale : s.index.scale;
    detailNote.textContent = `${int(s.n)} kept tokens: up to ${s.detailLimits.samplesPerStep} samples and the ${s.detailLimits.extremes} most expanding and contracting tokens per step.`;
    const what = realised
      ? 'realised ΔH on the same context (entropy_after − entropy)'
      : s.hasPolarity
        ? 'PG polarity A (S̄ − S_{k})'
        : s.hasEntropy
          ? 'token term −A·S_{k}'
          : null;
    legend.replaceChildren();
    if (what) {
      legend.append(setRichText(document.createElement('span'), `Colour: ${what}, `));
      const e = document.createElement('span');
      e.className = 'tok exp-3';
      e.textContent = realised ? '▲ H rose (solid underline)' : '▲ expands (solid underline)';
      const c = document.createElement('span');
      c.className = 'tok con-3';
      c.textContent = realised ? '▼ H fell (dashed underline)' : '▼ contracts (dashed underline)';
      legend.append(
        e,
        ' ',
        c,
        `; full colour at |value| ≥ ${fmt(scale, 3)}. Hover or focus a token for its numbers; click or Enter opens it in the explorer.`,
      );
    } else {
      legend.append(
        setRichText(
          document.createElement('span'),
          'No entropy in these files: tokens are not coloured; hover or focus a token for p_{k} and A.',
        ),
      );
    }
    if (!Number.isInteger(g) || sampleSel.value === '') {
      strip.replaceChildren();
      readout.replaceChildren();
      return;
    }
    const rows = Array.from(order.subarray(groupStart[g], groupStart[g + 1]));
    const f = filters();
    stripApi = renderStrip(strip, rows, {
      value: (i) => value[i],
      text,
      position: (i) => d.position[i],
      scale,
      dim: (i) => !passes(i, f),
      onFocus: (i) => showToken(i),
      onOpen: (i) => openToken(i),
    });
    showToken(rows.find((i) => passes(i, f)) ?? rows[0]);
  }

  function showToken(i) {
    const s = shown;
    const d = s.detail;
    if (i === undefined) {
      readout.replaceChildren();
      return;
    }
    readout.dataset.i = String(i);
    const items = [];
    const item = (name, v, key) => items.push([name, v, key]);
    const A = d.advantage[i];
    const id = d.tokenId[i];
    item('token', `“${visible(text(i))}” ${Number.isFinite(id) ? `(id ${id})` : '(no id in the file)'}`, 'token');
    item(
      'where',
      `step ${d.step[i]}, sample ${d.sample[i]}, position ${d.position[i]}` +
        (d.file && s.files[d.file[i]] ? ` — ${s.files[d.file[i]]}${d.line ? ` line ${d.line[i]}` : ''}` : ''),
      'where',
    );
    item('p_{k}', fmt(d.prob[i]), 'prob');
    item('advantage A', fmt(A), 'advantage');
    if (Number.isFinite(d.entropy[i])) {
      item('H', `${fmt(d.entropy[i])} nats`, 'entropy');
      item('S_{k} = p_{k} (H + ℓ_{k})', fmt(d.discriminator[i]), 'discriminator');
      item('token term −A·S_{k}', `${fmt(d.tokenTerm[i])} ${sign(d.tokenTerm[i])}`, 'token-term');
      item('e^{−H} (nudge flip)', fmt(d.flipNudge[i]), 'flip-nudge');
      item('ℓ_{k} + H (0 at the flip)', fmt(d.normalised[i]), 'normalised');
    }
    if (Number.isFinite(d.entropyAfter?.[i])) {
      item('H after the step', `${fmt(d.entropyAfter[i])} nats`, 'entropy-after');
      item('ΔH, same context', `${fmt(d.dhSame[i])} ${d.dhSame[i] > 0 ? '▲ rose' : d.dhSame[i] < 0 ? '▼ fell' : ''}`, 'dh-same');
    }
    if (Number.isFinite(d.probAfter?.[i])) item('p_{k} after the step', fmt(d.probAfter[i]), 'prob-after');
    if (Number.isFinite(d.meanDiscriminator?.[i])) {
      item('S̄', fmt(d.meanDiscriminator[i]), 'mean-discriminator');
      item('sensitivity S̄ − S_{k}', fmt(d.sensitivity[i]), 'sensitivity');
      item('PG polarity A (S̄ − S_{k})', `${fmt(d.polarity[i])} ${sign(d.polarity[i])}`, 'polarity');
      item('p† (PG flip)', fmt(d.flipPg[i]), 'flip-pg');
    }
    const dl = document.createElement('dl');
    for (const [name, v, key] of items) {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      setRichText(dt, name);
      const dd = document.createElement('dd');
      dd.textContent = v;
      dd.dataset.key = key;
      div.append(dt, dd);
      dl.append(div);
    }
    /** @type {HTMLElement[]} */
    const parts = [dl];
    if (Number.isFinite(d.entropy[i]) && !Number.isFinite(d.meanDiscriminator?.[i]))
      parts.push(richPara(bound(A, d.tokenTerm[i]), 'run-bound'));
    if (!Number.isFinite(d.entropy[i]))
      parts.push(
        richPara(
          'No entropy for this position: S_{k}, the token term and the polarity cannot be computed (see “Missing” above).',
          'run-bound',
        ),
      );
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.dataset.testid = 'run-open';
    btn.textContent = 'Open in the explorer';
    btn.disabled = !Number.isFinite(d.entropy[i]) || !(d.prob[i] > 0);
    btn.addEventListener('click', () => openToken(i));
    parts.push(btn);
    readout.replaceChildren(...parts);
  }

  /** What the token term alone says about the full PG polarity (S̄ ≥ 0). */
  function bound(A, term) {
    const pre = 'Without S̄ the full policy-gradient polarity A (S̄ − S_{k}) = token term + A·S̄ is not known, but S̄ ≥ 0 bounds it: ';
    if (A > 0 && term > 0)
      return `${pre}A > 0, so the polarity is at least the token term, which is positive: this rewarded token certainly expands the entropy.`;
    if (A > 0 && term < 0)
      return `${pre}A > 0, so the polarity is at least the token term (negative here): it may still contract or expand; S̄ decides.`;
    if (A < 0 && term < 0)
      return `${pre}A < 0, so the polarity is at most the token term, which is negative: this penalised token certainly contracts the entropy.`;
    if (A < 0 && term > 0)
      return `${pre}A < 0, so the polarity is at most the token term (positive here): it may still expand or contract; S̄ decides.`;
    return `${pre}with A = 0 or a zero token term nothing is implied beyond it.`;
  }

  async function openToken(i) {
    const s = shown;
    const d = s.detail;
    const p = d.prob[i],
      H = d.entropy[i];
    if (!Number.isFinite(H) || !(p > 0)) {
      notice('This token has no entropy in the file, so it has no place on the explorer’s curve.');
      return;
    }
    try {
      const r = await ask({ type: 'point', p, H });
      if (shown !== s) return;
      readout.dataset.standIn = String(r.logits.length); // tokens of the stand-in (bounded, worker.js)
      openRow?.({
        logits: r.logits,
        token: r.token,
        labels: [visible(text(i))],
        index: d.position[i],
        name: `step ${d.step[i]}, sample ${d.sample[i]} (a stand-in distribution with this token’s p_k and H)`,
        advantage: Number.isFinite(d.advantage[i]) && d.advantage[i] !== 0 ? d.advantage[i] : 1,
        truncated: false,
      });
      const sbar = d.meanDiscriminator?.[i];
      notice(
        `Opened step ${d.step[i]}, sample ${d.sample[i]}, position ${d.position[i]} in the explorer at p_k = ${fmt(p, 4)}, H = ${fmt(r.H, 4)} nats` +
          (r.exact ? '' : ` (the nearest a stand-in reaches; the file says H = ${fmt(H, 4)})`) +
          '. The trace holds no full distribution, so the explorer shows a stand-in with the same p_k and H: its nudge curve and e^−H are exact (they depend on p_k and H only). ' +
          (Number.isFinite(sbar)
            ? `Its PG curve and p† use the stand-in’s S̄, not this position’s S̄ = ${fmt(sbar, 4)}; the PG polarity from the trace is ${fmt(d.polarity[i], 4)}.`
            : 'Its PG curve and p† use the stand-in’s S̄: the trace has no S̄, and the PG curve needs it.'),
      );
    } catch (err) {
      showError(err.message);
    }
  }

  function jump(dir) {
    const s = shown;
    if (!s?.detail) return;
    const { value, order, groupStart } = s.index;
    let best = -1;
    const f = filters();
    for (let i = 0; i < s.n; i++) {
      const v = value[i];
      if (!Number.isFinite(v) || !passes(i, f)) continue;
      if (best < 0 || (dir > 0 ? v > value[best] : v < value[best])) best = i;
    }
    if (best < 0) {
      notice('No token with a token term matches the filters.');
      return;
    }
    // its sample group
    const k = order.indexOf(best);
    let g = 0;
    while (groupStart[g + 1] <= k) g++;
    fillSamples(g);
    stripApi?.focus(best);
    showToken(best);
  }

  stepSel.addEventListener('change', () => fillSamples());
  envSel.addEventListener('change', () => fillSamples());
  advSel.addEventListener('change', () => fillSamples());
  sampleSel.addEventListener('change', () => renderTokens());
  byTest('run-jump-contract').addEventListener('click', () => jump(-1));
  byTest('run-jump-expand').addEventListener('click', () => jump(1));

  table.closest('details').addEventListener('toggle', (e) => {
    if (e.target.open && shown) renderStepsTable(table, shown.steps);
  });
  byTest('export-steps').addEventListener('click', () => {
    if (!shown) return;
    const base = (shown.label || 'run')
      .replace(/^(folder|example) /, '')
      .replace(/[^\w.-]+/g, '_')
      .replace(/\.[^.]*$/, '');
    download(new Blob([stepsCsv(shown.steps)], { type: 'text/csv' }), `${base || 'run'}-steps.csv`);
  });

  let drawnWidth = 0;
  let resizeFrame = 0;
  new ResizeObserver(() => {
    if (!shown || resizeFrame || section.clientWidth === drawnWidth) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (shown) enqueue([...chartTasks(), () => renderAdvFig()]);
    });
  }).observe(section);

  function renderAdvFig() {
    const s = shown;
    const show = s?.detail && !s.hasEntropy && s.summary.hasAdvantages;
    advFig.hidden = !show;
    if (show)
      drawAdvantageProb(
        byTest('run-adv-scatter'),
        s.detail.prob,
        s.detail.advantage,
        Array.from({ length: s.n }, (_, i) => i),
      );
  }
  return { load, cancel };
}
