// The toy-distribution explorer: state ⇄ URL hash, editor, readouts, chart.
// All math happens in the wasm core; this file only wires the page.

import init, { Distribution } from './pkg/entropy_polarity.js';
import { BarEditor } from './js/bars.js';
import { drawHistory } from './js/history.js';
import { download, wireCopyLink } from './js/share.js';
import { setTextWithOverbars } from './js/overbar.js';
import { fmt, fmtEntropy, fmtPercent } from './js/format.js';
import { mountSlicePanel } from './js/slice-panel.js';
import {
  DEFAULT_STATE, MAX_TOKENS, MIN_TOKENS, formatLogit, hashFromState, logitForProb, parseLogit,
  preset, stateFromHash,
} from './js/state.js';

const $ = (id) => document.getElementById(id);
const byTest = (t) => document.querySelector(`[data-testid="${t}"]`);

let state = structuredClone(DEFAULT_STATE);
let dist = null; // Distribution for `state` (or for the opened row)
// A row opened from a logit slice: its full logits drive every number and
// the curve, while the editor shows the top tokens plus one "rest" bucket
// (`display[j]` is the row index of bar j, −1 for the bucket). Editing the
// logits turns the view into a toy copy of what the bars show.
let row = null;

const fullIndex = (j) => (row ? row.display[j] : j);
let frame = 0;
let bars;
// Steps taken for real: each entry is the state before the step and what
// the step did ({ before, H, pk, predicted, realised, token }).
let steps = [];

// ---------- errors: say what is wrong, keep what the person had ----------

let errorTimer = 0;
function showError(message, field = null) {
  field?.setAttribute('aria-invalid', 'true'); // the typed text stays, to be corrected
  const box = byTest('error');
  box.textContent = message;
  box.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { box.hidden = true; }, 9000);
}
function clearError() {
  byTest('error').hidden = true;
  document.querySelectorAll('[aria-invalid="true"]').forEach((el) => el.removeAttribute('aria-invalid'));
}

/** Tries a new state; applies it only if the core accepts it. */
function commit(next, { focusBars = false } = {}) {
  let d;
  const leaveRow = row && next.logits.join() !== state.logits.join();
  try {
    d = row && !leaveRow
      ? Distribution.fromLogits(row.logits, next.temperature)
      : Distribution.fromLogits(Float64Array.from(next.logits), next.temperature);
  } catch (e) {
    showError(e.message);
    syncInputs(); // put the inputs back to the state we kept
    return false;
  }
  dist?.free();
  dist = d;
  state = next;
  if (leaveRow) row = null;
  renderRowBanner();
  clearError();
  history.replaceState(null, '', hashFromState(state));
  schedule();
  if (focusBars) requestAnimationFrame(() => bars.focusSelected());
  return true;
}

function edit(fn, opts) {
  const next = structuredClone(state);
  fn(next);
  return commit(next, opts);
}

function schedule() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

// ---------- rendering ----------

function stepValue(s = state) {
  return s.step * s.adv; // ε = η·A for a nudge, η·A for a policy-gradient step
}

function render() {
  const t0 = performance.now();
  const s = state;
  const d = dist;
  const k = fullIndex(s.token);
  const step = stepValue();
  const all = d.probs();
  const probs = row ? displayProbs(all) : all;
  const H = d.entropy;
  const flipN = d.flipNudge;
  const flipPG = d.flipPolicyGradient;
  const discAll = d.discriminator();
  const Sk = discAll[k];
  const Sbar = d.meanDiscriminator;
  const sens = d.sensitivity(k);
  const first = d.firstOrder(k, s.kind, step);
  const exact = d.exact(k, s.kind, step);
  const flipKind = s.kind === 'pg' ? flipPG : flipN;

  // Chart first, on a backing store sized for the screen's pixel ratio:
  // plotters measures text with DOM spans, which is cheap only while the
  // layout is clean (before the bars and readouts below are touched).
  const canvas = byTest('curve');
  const dpr = Math.min(window.devicePixelRatio || 1, 3);
  const cssW = canvas.clientWidth;
  const cssH = canvas.clientHeight;
  const w = Math.max(1, Math.round(cssW * dpr));
  const h = Math.max(1, Math.round(cssH * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  let layout = null;
  try {
    layout = d.drawCurve(canvas, k, s.kind, step, { logX: s.logX, scale: dpr, dark: isDark() });
  } catch (e) {
    showError(e.message);
  }
  canvas._layout = layout; // for tests and pointer hit-testing
  // Bars: the sign each token's own update would have.
  const deltas = Array.from(probs, (_, j) => (fullIndex(j) < 0 ? NaN : d.firstOrder(fullIndex(j), s.kind, step)));
  const signs = deltas.map((v) => (Number.isNaN(v) ? 0 : Math.sign(v)));
  bars.update({
    probs, labels: s.labels, selected: s.token, signs, flip: flipKind,
    flipName: s.kind === 'pg' ? 'p†' : 'e^−H',
  });

  renderTokenTable(probs, Array.from(probs, (_, j) => (fullIndex(j) < 0 ? NaN : discAll[fullIndex(j)])), deltas);

  const set = (id, text, value) => {
    const el = byTest(id);
    el.textContent = text;
    if (value !== undefined) el.dataset.value = String(value);
  };
  set('entropy', fmtEntropy(H, s.bits), H);
  set('flip-nudge', fmt(flipN), flipN);
  set('flip-pg', fmt(flipPG), flipPG);
  set('prob', fmt(all[k]), all[k]);
  set('disc', fmt(Sk), Sk);
  set('mean-disc', fmt(Sbar), Sbar);
  set('sensitivity', fmt(sens), sens);
  const polarity = s.adv * sens;
  set('polarity', `${fmt(polarity)} ${polarity > 0 ? '▲ expands' : polarity < 0 ? '▼ contracts' : ''}`, polarity);
  const unit = (v) => (s.bits ? v / Math.LN2 : v);
  const u = s.bits ? ' bits' : ' nats';
  set('first-order', fmt(unit(first), 6) + u, first);
  set('exact', fmt(unit(exact), 6) + u, exact);
  const rel = exact === 0 ? (first === 0 ? 0 : Infinity) : Math.abs(first - exact) / Math.abs(exact);
  set('rel-diff', fmtPercent(rel), rel);

  const exactFlip = layout?.exactFlip;
  set('exact-flip', exactFlip === undefined ? 'none in (0, 1)' : `q = ${fmt(exactFlip)}`, exactFlip ?? '');

  const label = s.labels[s.token];
  const kindText = s.kind === 'pg' ? 'policy-gradient step' : 'nudge';
  const verb = first > 0 ? 'widens' : first < 0 ? 'narrows' : 'leaves unchanged';
  const verdict = byTest('verdict');
  verdict.className = `verdict ${first > 0 ? 'expands' : first < 0 ? 'contracts' : ''}`;
  verdict.textContent = step === 0
    ? 'With η·A = 0 nothing changes.'
    : `A ${kindText} on “${label}” (p = ${fmt(all[k], 3)}) with A = ${fmt(s.adv, 3)} ${verb} the distribution: ` +
      `ΔH ≈ ${fmt(unit(first), 3)}${u} (exact ${fmt(unit(exact), 3)}).`;
  const caption =
    `Solid: first-order ΔH for a token of probability q with H and S̄ held fixed (η·A = ${fmt(step, 3)}). ` +
    (row && all.length > 1500 // the chart's dot limit (MAX_DOTS in src/plot/model.rs)
      ? `Dots: the most likely tokens of the row and a sample of the rest of its ${all.length.toLocaleString('en')}. `
      : `Dots: the ${all.length.toLocaleString('en')} tokens. `) +
    `Dashed: exact ΔH with “${label}” moved to q` +
    (exactFlip === undefined ? '.' : `; it crosses zero at q = ${fmt(exactFlip, 4)} (◆), against ` +
      `${s.kind === 'pg' ? 'p†' : 'e^−H'} = ${fmt(flipKind, 4)}.`);
  setTextWithOverbars($('caption'), caption);
  canvas.setAttribute('aria-label', `Chart: ${caption}`);

  renderHistory(all);
  syncInputs();
  const ms = performance.now() - t0;
  set('render-ms', `recomputed and redrawn in ${ms.toFixed(1)} ms`, ms);
}

// ---------- a row opened from a logit slice ----------

const SHOWN = 63; // bars for a row: the top tokens, then one "rest" bucket

/** Probabilities of the bars in row mode (the bucket holds the rest). */
function displayProbs(all) {
  let top = 0;
  const out = row.display.map((i) => (i < 0 ? 0 : (top += all[i], all[i])));
  const b = row.display.indexOf(-1);
  if (b >= 0) out[b] = Math.max(0, 1 - top);
  return new Float64Array(out);
}

function logSumExp(values) {
  const m = Math.max(...values);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const v of values) s += Math.exp(v - m);
  return m + Math.log(s);
}

/** Shows one row of a slice in the explorer (event from the slice panel). */
function openRow(r) {
  const z = Float64Array.from(r.logits);
  const live = [];
  for (let j = 0; j < z.length; j++) if (z[j] > -Infinity) live.push(j);
  if (live.length === 0) {
    showError(`Row ${r.index} has no unmasked token to show.`);
    return;
  }
  live.sort((a, b) => z[b] - z[a]);
  const wants = live.length > SHOWN ? SHOWN - 1 : live.length;
  let top = live.slice(0, wants);
  const sampled = Number.isInteger(r.token) && z[r.token] > -Infinity ? r.token : null;
  if (sampled !== null && !top.includes(sampled)) top = [...top.slice(0, wants - 1), sampled];
  top.sort((a, b) => z[b] - z[a]);
  const inTop = new Set(top);
  const rest = live.filter((j) => !inTop.has(j));
  const label = (j) => (r.labels?.[j] ?? `#${j}`).replaceAll(',', ' ').slice(0, 24) || `#${j}`;
  const next = structuredClone(state);
  next.logits = top.map((j) => z[j]);
  next.labels = top.map(label);
  const display = [...top];
  if (rest.length) {
    next.logits.push(logSumExp(rest.map((j) => z[j])));
    next.labels.push(`rest (${rest.length.toLocaleString('en')})`);
    display.push(-1);
  }
  next.token = sampled === null ? 0 : top.indexOf(sampled);
  next.kind = 'pg';
  if (Number.isFinite(r.advantage) && r.advantage !== 0) next.adv = r.advantage;
  next.logX = true; // real vocabularies span many decades
  steps = [];
  const [rowBefore, stateBefore] = [row, state];
  row = { logits: z, display, name: r.name, index: r.index, truncated: !!r.truncated };
  state = { ...state, logits: next.logits }; // so that commit keeps the row
  if (!commit(next)) {
    [row, state] = [rowBefore, stateBefore];
    return;
  }
  document.querySelector('.editor')?.scrollIntoView({ behavior: 'smooth' });
}

function renderRowBanner() {
  const banner = byTest('row-banner');
  if (!row) {
    banner.hidden = true;
    return;
  }
  const v = row.logits.length;
  banner.hidden = false;
  $('row-banner-text').textContent =
    `Row ${row.index} of ${row.name}: ${v.toLocaleString('en')} tokens` +
    (row.truncated ? ' (only the listed top logprobs, renormalised: the model’s tail is missing)' : '') +
    `. The bars show the ${Math.min(v, SHOWN - 1)} most likely` +
    (row.display.includes(-1) ? ' and one “rest” bucket' : '') +
    '; every number and the curve use the full row. Editing the logits makes a toy copy of the bars.';
}

// ---------- take the step ----------

function takeStep() {
  if (row) {
    // A step acts on what the bars show: leave the row for its toy copy.
    row = null;
    if (!commit(structuredClone(state))) return false;
  }
  const s = state;
  const d = dist;
  const k = s.token;
  const step = stepValue();
  const predicted = d.firstOrder(k, s.kind, step);
  const realised = d.exact(k, s.kind, step);
  const before = structuredClone(s);
  const z = d.updatedLogits(Float64Array.from(s.logits), k, s.kind, step);
  const next = structuredClone(s);
  next.logits = Array.from(z);
  const H0 = d.entropy;
  const pk0 = d.probs()[k];
  if (!commit(next)) return false;
  steps.push({ before, H: H0, pk: pk0, predicted, realised, token: k });
  return true;
}

let stepTimer = 0;
function takeSteps(n) {
  clearTimeout(stepTimer);
  $('bars').classList.add('stepping');
  const one = (left) => {
    if (left <= 0 || !takeStep()) {
      stepTimer = setTimeout(() => $('bars').classList.remove('stepping'), 260);
      return;
    }
    stepTimer = setTimeout(() => one(left - 1), n > 1 ? 140 : 0);
  };
  one(n);
}

function undoStep() {
  clearTimeout(stepTimer);
  const last = steps.pop();
  if (last) commit(last.before);
}

function resetSteps() {
  clearTimeout(stepTimer);
  if (steps.length) commit(steps[0].before);
  steps = [];
  schedule();
}

/** @param {Float64Array} all the probabilities of the current distribution */
function renderHistory(all) {
  const s = state;
  const d = dist;
  // Steps are taken on toy distributions only (a step leaves an opened row),
  // so their token indices index `all`; otherwise map the bar to the row.
  const tracked = steps.length ? steps[steps.length - 1].token : fullIndex(s.token);
  const points = steps.map((e) => ({ H: e.H, pk: e.pk }));
  points.push({ H: d.entropy, pk: all[tracked] ?? 0 });
  drawHistory($('history'), points, fmt);
  const body = byTest('history-table').tBodies[0];
  body.replaceChildren(...steps.map((e, i) => {
    const row = document.createElement('tr');
    const after = i + 1 < steps.length ? steps[i + 1].H : d.entropy;
    for (const v of [String(i + 1), fmt(after, 5), fmt(i + 1 < steps.length ? steps[i + 1].pk : all[e.token], 4),
      fmt(e.predicted, 4), fmt(e.realised, 4)]) {
      const td = document.createElement('td');
      td.textContent = v;
      row.append(td);
    }
    return row;
  }).reverse());
  $('undo-step').disabled = steps.length === 0;
  $('reset-steps').disabled = steps.length === 0;
}

/** The per-token table: what an update on each token would do. */
function renderTokenTable(probs, disc, deltas) {
  const s = state;
  const body = byTest('token-table').tBodies[0];
  while (body.rows.length > probs.length) body.deleteRow(-1);
  while (body.rows.length < probs.length) {
    const row = body.insertRow();
    for (let c = 0; c < 5; c++) row.insertCell();
  }
  for (let j = 0; j < probs.length; j++) {
    const row = body.rows[j];
    row.dataset.index = String(j);
    row.classList.toggle('selected', j === s.token);
    const c = row.cells;
    c[0].textContent = s.labels[j];
    c[1].textContent = s.logits[j] === -Infinity ? '−∞' : fmt(s.logits[j], 4);
    c[2].textContent = fmt(probs[j], 4);
    c[3].textContent = fmt(disc[j], 4);
    c[4].textContent = `${fmt(deltas[j], 3)} ${deltas[j] > 0 ? '▲' : deltas[j] < 0 ? '▼' : ''}`;
    c[4].className = deltas[j] > 0 ? 'expands' : deltas[j] < 0 ? 'contracts' : '';
  }
}

/** The per-token table as CSV (full precision). */
function tokenCsv() {
  const s = state;
  const d = dist;
  const step = stepValue();
  const all = d.probs();
  const probs = row ? displayProbs(all) : all;
  const disc = d.discriminator();
  const lines = ['token,label,logit,prob,discriminator,first_order_dh,exact_dh'];
  for (let j = 0; j < probs.length; j++) {
    const i = fullIndex(j); // −1: the "rest" bucket of an opened row
    const label = /[",\n]/.test(s.labels[j]) ? `"${s.labels[j].replaceAll('"', '""')}"` : s.labels[j];
    const math = i < 0 ? ['', '', ''] : [disc[i], d.firstOrder(i, s.kind, step), d.exact(i, s.kind, step)];
    lines.push([i < 0 ? '' : i, label, s.logits[j], probs[j], ...math].join(','));
  }
  return lines.join('\n') + '\n';
}

function isDark() {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

// ---------- inputs ----------

function syncInputs() {
  const s = state;
  const active = document.activeElement;
  const put = (el, v) => { if (el !== active) el.value = v; };
  const sel = $('token');
  if (sel.options.length !== s.logits.length || [...sel.options].some((o, i) => o.textContent !== `${i}: ${s.labels[i]}`)) {
    sel.replaceChildren(...s.labels.map((l, i) => new Option(`${i}: ${l}`, String(i))));
  }
  sel.value = String(s.token);
  put($('tok-label'), s.labels[s.token]);
  put($('tok-logit'), formatLogit(s.logits[s.token]));
  put($('logits-text'), s.logits.map(formatLogit).join(', '));
  put($('temp'), String(s.temperature));
  put($('temp-range'), String(Math.log10(s.temperature)));
  // An advantage from a float32 file (0.7919999957…) reads better short.
  put($('adv'), String(Number(s.adv.toPrecision(6))));
  put($('adv-range'), String(s.adv));
  put($('step'), String(s.step));
  put($('step-range'), String(Math.log10(Math.max(s.step, 1e-4))));
  document.querySelector(`input[name="kind"][value="${s.kind}"]`).checked = true;
  $('logx').checked = s.logX;
  $('units').textContent = s.bits ? 'bits' : 'nats';
  $('tok-add').disabled = s.logits.length >= MAX_TOKENS;
  $('tok-remove').disabled = s.logits.length <= MIN_TOKENS;
}

function numberInput(el, apply, what) {
  el.addEventListener('change', () => {
    const v = Number(el.value);
    if (el.value.trim() === '' || !Number.isFinite(v)) {
      showError(`${what}: “${el.value}” is not a number.`, el);
      return;
    }
    apply(v);
  });
}

function wire() {
  bars = new BarEditor($('bars'), {
    onProb: (j, q) => edit((s) => {
      s.logits[j] = Math.round(logitForProb(s.logits, j, q, s.temperature) * 1e4) / 1e4;
      s.token = j;
    }),
    onSelect: (j) => { if (fullIndex(j) >= 0) edit((s) => { s.token = j; }); },
    onStepLogit: (j, dz) => edit((s) => {
      if (s.logits[j] !== -Infinity) s.logits[j] = Math.round((s.logits[j] + dz) * 1e4) / 1e4;
    }, { focusBars: true }),
  });

  $('preset').addEventListener('change', (e) => {
    const p = preset(e.target.value);
    e.target.value = '';
    if (p) edit((s) => { s.logits = p.logits; s.labels = p.labels; s.token = 0; });
  });
  $('tok-label').addEventListener('input', (e) => edit((s) => {
    s.labels[s.token] = e.target.value.replaceAll(',', ' ').slice(0, 24) || `t${s.token}`;
  }));
  $('tok-logit').addEventListener('change', (e) => {
    const z = parseLogit(e.target.value);
    if (Number.isNaN(z)) {
      showError(`The logit of “${state.labels[state.token]}” must be a number (or -inf to mask it); “${e.target.value}” is not.`, e.target);
      return;
    }
    edit((s) => { s.logits[s.token] = z; });
  });
  $('logits-text').addEventListener('change', (e) => {
    const parts = e.target.value.split(/[\s,;]+/).filter((x) => x !== '');
    const zs = parts.map(parseLogit);
    const bad = zs.findIndex((z) => Number.isNaN(z));
    if (bad >= 0) {
      showError(`Logit ${bad + 1} (“${parts[bad]}”) is not a number. Use numbers separated by commas, and -inf to mask a token.`, e.target);
      return;
    }
    if (zs.length < MIN_TOKENS || zs.length > MAX_TOKENS) {
      showError(`The editor takes ${MIN_TOKENS} to ${MAX_TOKENS} tokens; you gave ${zs.length}.`, e.target);
      return;
    }
    edit((s) => {
      s.labels = zs.map((_, i) => s.labels[i] ?? `t${i}`);
      s.logits = zs;
      s.token = Math.min(s.token, zs.length - 1);
    });
  });
  $('tok-add').addEventListener('click', () => edit((s) => {
    if (s.logits.length >= MAX_TOKENS) return;
    const finite = s.logits.filter(Number.isFinite);
    s.logits.push(Math.round((Math.min(...finite) - 0.5) * 1e4) / 1e4);
    s.labels.push(`t${s.logits.length - 1}`);
    s.token = s.logits.length - 1;
  }));
  $('tok-remove').addEventListener('click', () => edit((s) => {
    if (s.logits.length <= MIN_TOKENS) return;
    s.logits.splice(s.token, 1);
    s.labels.splice(s.token, 1);
    s.token = Math.min(s.token, s.logits.length - 1);
  }));
  $('token').addEventListener('change', (e) => {
    if (fullIndex(Number(e.target.value)) < 0) {
      showError('The “rest” bucket stands for many tokens; choose a single token to update.');
      syncInputs();
      return;
    }
    edit((s) => { s.token = Number(e.target.value); });
  });
  window.addEventListener('open-row', (e) => openRow(e.detail));
  $('row-leave').addEventListener('click', () => {
    row = null;
    commit(structuredClone(state));
  });
  document.querySelectorAll('input[name="kind"]').forEach((r) =>
    r.addEventListener('change', () => edit((s) => { s.kind = r.value; })));
  $('temp-range').addEventListener('input', (e) => edit((s) => {
    s.temperature = Number((10 ** Number(e.target.value)).toPrecision(3));
  }));
  numberInput($('temp'), (v) => edit((s) => { s.temperature = v; }), 'Temperature');
  $('adv-range').addEventListener('input', (e) => edit((s) => { s.adv = Number(e.target.value); }));
  numberInput($('adv'), (v) => edit((s) => { s.adv = v; }), 'Advantage');
  $('step-range').addEventListener('input', (e) => edit((s) => {
    s.step = Number((10 ** Number(e.target.value)).toPrecision(3));
  }));
  numberInput($('step'), (v) => {
    if (v < 0) {
      showError('The step size η must be 0 or more; use a negative advantage to push the other way.', $('step'));
      return;
    }
    edit((s) => { s.step = v; });
  }, 'Step size');
  $('logx').addEventListener('change', (e) => edit((s) => { s.logX = e.target.checked; }));
  $('units').addEventListener('click', () => edit((s) => { s.bits = !s.bits; }));

  $('export-svg').addEventListener('click', () => {
    const canvas = byTest('curve');
    const svg = dist.curveSvg(state.token, state.kind, stepValue(), {
      logX: state.logX, width: canvas.clientWidth || 800, height: canvas.clientHeight || 480, dark: isDark(),
    });
    download(new Blob([svg], { type: 'image/svg+xml' }), 'entropy-polarity.svg');
  });
  $('take-step').addEventListener('click', () => takeSteps(1));
  $('take-10').addEventListener('click', () => takeSteps(10));
  $('undo-step').addEventListener('click', undoStep);
  $('reset-steps').addEventListener('click', resetSteps);
  $('export-tokens').addEventListener('click', () => {
    download(new Blob([tokenCsv()], { type: 'text/csv' }), 'entropy-polarity-tokens.csv');
  });
  byTest('token-table').addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-index]');
    if (row) edit((s) => { s.token = Number(row.dataset.index); });
  });
  $('export-png').addEventListener('click', () => {
    byTest('curve').toBlob((b) => b && download(b, 'entropy-polarity.png'), 'image/png');
  });
  wireCopyLink($('copy-link'));

  // In-page links scroll without touching the hash, which holds the state.
  document.querySelectorAll('a[href^="#"]:not([href="#"])').forEach((link) => link.addEventListener('click', (e) => {
    e.preventDefault();
    document.querySelector(link.getAttribute('href'))?.scrollIntoView({ behavior: 'smooth' });
  }));
  window.addEventListener('hashchange', () => loadHash());
  new ResizeObserver(() => schedule()).observe(byTest('curve'));
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => schedule());
}

function loadHash() {
  if (location.hash && !location.hash.includes('=')) {
    // A plain anchor (#slices): scroll there, keep the state.
    document.querySelector(location.hash)?.scrollIntoView();
    if (dist) {
      history.replaceState(null, '', hashFromState(state));
      return;
    }
  }
  const { state: s, problems } = stateFromHash(location.hash.includes('=') ? location.hash : '');
  if (location.hash && hashFromState(s) === location.hash && dist) return; // our own write
  if (!commit(s)) commit(structuredClone(DEFAULT_STATE));
  if (problems.length) showError(`Part of the link could not be used: ${problems.join('; ')}.`);
}

async function main() {
  if (new URLSearchParams(location.search).get('embed') === '1') document.documentElement.classList.add('embed');
  try {
    await init();
  } catch (e) {
    showError(`The WebAssembly module failed to load (${e.message}). Reload the page; if it persists, rebuild with scripts/serve.sh.`);
    return;
  }
  wire();
  mountSlicePanel(document.getElementById('slices'), { openRow: (row) => window.dispatchEvent(new CustomEvent('open-row', { detail: row })) });
  loadHash();
  // Ready once the first render has run: it waits for a frame (schedule),
  // which a slow or busy engine (WebKitGTK here) gives only later, and
  // until then the readouts are blank. This callback runs after render's.
  requestAnimationFrame(() => { document.documentElement.dataset.ready = '1'; });
}

main();
