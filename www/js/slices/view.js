// @ts-check
// The "Your logits" panel's view of a slice (panel.js reads it): the
// summary, warnings, the truncation note, the safetensors picker, the charts,
// the quadrants, the row table (table.js) and its CSV.

import { logProbPlusEntropy } from '../../pkg/entropy_polarity.js';
import { fmt, fmtBytes, fmtPercent } from '../lib/format.js';
import { download } from '../lib/share.js';
import { drawEntropy, drawScatter, drawHistogram, MAX_POINTS } from './charts.js';
import { columnSpec, csvParts, tableHead, tableRows } from './table.js';

const PAGE = 50;
const SORT_LIMIT = 200_000;

/**
 * What the panel (panel.js) shares with its view.
 * @typedef {object} SliceContext
 * @property {HTMLElement} section
 * @property {(sel: string) => any} q an element of the panel's body
 * @property {(testid: string) => any} byTest
 * @property {any} shown the slice on view: { id, summary, columns, xNorm, hasTok, order, page }
 * @property {HTMLElement} status
 * @property {(row: number) => void} openRow asks the reader for row `row` and opens it in the explorer
 */

/** @param {SliceContext} ctx */
export function sliceView(ctx) {
  const { section, q, byTest, status } = ctx;
  const view = byTest('slice-view');
  const tableHead_ = q('.slice-table thead');
  const tableBody = q('.slice-table tbody');
  const sortSel = byTest('slice-sort');

  function show(id, summary, columns) {
    const t0 = performance.now();
    const n = summary.rows;
    const hasTok = Boolean(columns.polarity);
    // Derived per-row values for the scatter, quadrants and histogram.
    const xNorm = hasTok ? logProbPlusEntropy(columns.prob, columns.entropy) : new Float64Array(n);
    ctx.shown = { id, summary, columns, xNorm, hasTok, order: null, page: 0 };
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
    const drawing = ctx.shown;
    setTimeout(() => {
      if (ctx.shown !== drawing) return;
      T(renderCharts);
      section.dataset.renderParts = tt.join(' ');
      section.dataset.renderMs = (performance.now() - t0).toFixed(1);
      section.dataset.sliceState = 'ready';
    }, 0);
    section.dataset.sliceId = String(id);
    status.textContent = `${summary.name}: ${n.toLocaleString('en')} rows analysed in ${(summary.elapsedMs / 1000).toFixed(2)} s.`;
  }

  function renderSummary() {
    const s = ctx.shown.summary;
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
    const { summary: s, columns: c } = ctx.shown;
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
    const s = ctx.shown.summary;
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
    const { summary: s, columns: c, xNorm, hasTok } = ctx.shown;
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
    if (!ctx.shown || resizeFrame || section.clientWidth === drawnWidth) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (ctx.shown) renderCharts();
    });
  }).observe(section);

  function renderQuadrants() {
    const box = byTest('quadrants');
    const { summary: s, columns: c, hasTok } = ctx.shown;
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
    const { summary: s, columns: c } = ctx.shown;
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
    const s = ctx.shown.summary;
    const cols = columnSpec(s, ctx.shown.columns);
    tableHead_.replaceChildren(tableHead(cols));
    const pages = Math.max(1, Math.ceil(s.rows / PAGE));
    ctx.shown.page = Math.max(0, Math.min(pages - 1, ctx.shown.page));
    const start = ctx.shown.page * PAGE;
    const end = Math.min(s.rows, start + PAGE);
    const rows = [];
    for (let i = start; i < end; i++) rows.push(ctx.shown.order ? ctx.shown.order[i] : i);
    tableBody.replaceChildren(...tableRows(cols, rows, ctx.shown.columns.polarity));
    q('[data-role="page"]').textContent =
      `rows ${start.toLocaleString('en')}–${(end - 1).toLocaleString('en')} of ${s.rows.toLocaleString('en')}`;
    q('[data-role="prev"]').disabled = ctx.shown.page === 0;
    q('[data-role="next"]').disabled = ctx.shown.page >= pages - 1;
    q('[data-role="goto"]').max = String(s.rows - 1);
  }

  sortSel.addEventListener('change', () => {
    if (!ctx.shown) return;
    ctx.shown.order = rowOrder();
    ctx.shown.page = 0;
    renderTable();
  });
  q('[data-role="prev"]').addEventListener('click', () => {
    ctx.shown.page--;
    renderTable();
  });
  q('[data-role="next"]').addEventListener('click', () => {
    ctx.shown.page++;
    renderTable();
  });
  q('[data-role="goto"]').addEventListener('change', (e) => {
    const r = Number(e.target.value);
    if (!ctx.shown || !Number.isInteger(r) || r < 0 || r >= ctx.shown.summary.rows) return;
    const pos = ctx.shown.order ? ctx.shown.order.indexOf(r) : r;
    ctx.shown.page = Math.floor(pos / PAGE);
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

  // ---------- CSV export (table.js) ----------
  byTest('export-rows').addEventListener('click', async () => {
    if (!ctx.shown) return;
    const { summary: s, columns: c } = ctx.shown;
    const parts = await csvParts(columnSpec(s, c), s.rows);
    download(new Blob(parts, { type: 'text/csv' }), `${s.name.replace(/\.[^.]*$/, '')}-rows.csv`);
  });

  /** Marks row `r` in the table and opens it. */
  function requestRow(r) {
    if (!ctx.shown) return;
    for (const tr of tableBody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    tableBody.querySelector(`tr[data-row="${r}"]`)?.classList.add('selected');
    ctx.openRow(r);
  }

  return { show };
}
