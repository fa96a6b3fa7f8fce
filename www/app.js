// The toy-distribution explorer: state ⇄ URL hash, editor, readouts, chart.
// All math happens in the wasm core; this file only wires the page.

import init, { Distribution } from './pkg/entropy_polarity.js';
import { BarEditor } from './js/bars.js';
import { drawHistory } from './js/history.js';
import { fmt, fmtEntropy, fmtPercent } from './js/format.js';
import { mountSlicePanel } from './js/slice-panel.js';
import {
  DEFAULT_STATE, MAX_TOKENS, MIN_TOKENS, formatLogit, hashFromState, logitForProb, parseLogit,
  preset, stateFromHash,
} from './js/state.js';

const $ = (id) => document.getElementById(id);
const byTest = (t) => document.querySelector(`[data-testid="${t}"]`);

let state = structuredClone(DEFAULT_STATE);
let dist = null; // Distribution for `state`
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
  try {
    d = Distribution.fromLogits(Float64Array.from(next.logits), next.temperature);
  } catch (e) {
    showError(e.message);
    syncInputs(); // put the inputs back to the state we kept
    return false;
  }
  dist?.free();
  dist = d;
  state = next;
  clearError();
  history.replaceState(null, '', hashFromState(state) + '');
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
  const k = s.token;
  const step = stepValue();
  const probs = d.probs();
  const H = d.entropy;
  const flipN = d.flipNudge;
  const flipPG = d.flipPolicyGradient;
  const Sk = d.discriminator()[k];
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
  const signs = Array.from(probs, (_, j) => Math.sign(d.firstOrder(j, s.kind, step)));
  bars.update({
    probs, labels: s.labels, selected: k, signs, flip: flipKind,
    flipName: s.kind === 'pg' ? 'p†' : 'e^−H',
  });

  renderTokenTable(probs, d.discriminator(), signs.map((_, j) => d.firstOrder(j, s.kind, step)));

  const set = (id, text, value) => {
    const el = byTest(id);
    el.textContent = text;
    if (value !== undefined) el.dataset.value = String(value);
  };
  set('entropy', fmtEntropy(H, s.bits), H);
  set('flip-nudge', fmt(flipN), flipN);
  set('flip-pg', fmt(flipPG), flipPG);
  set('prob', fmt(probs[k]), probs[k]);
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

  const label = s.labels[k];
  const kindText = s.kind === 'pg' ? 'policy-gradient step' : 'nudge';
  const verb = first > 0 ? 'widens' : first < 0 ? 'narrows' : 'leaves unchanged';
  const verdict = byTest('verdict');
  verdict.className = `verdict ${first > 0 ? 'expands' : first < 0 ? 'contracts' : ''}`;
  verdict.textContent = step === 0
    ? 'With η·A = 0 nothing changes.'
    : `A ${kindText} on “${label}” (p = ${fmt(probs[k], 3)}) with A = ${fmt(s.adv, 3)} ${verb} the distribution: ` +
      `ΔH ≈ ${fmt(unit(first), 3)}${u} (exact ${fmt(unit(exact), 3)}).`;
  $('caption').textContent =
    `Solid: first-order ΔH for a token of probability q with H and S̄ held fixed (η·A = ${fmt(step, 3)}). ` +
    `Dots: the ${probs.length} tokens. Dashed: exact ΔH with “${label}” moved to q` +
    (exactFlip === undefined ? '.' : `; it crosses zero at q = ${fmt(exactFlip, 4)} (◆), against ` +
      `${s.kind === 'pg' ? 'p†' : 'e^−H'} = ${fmt(flipKind, 4)}.`);
  canvas.setAttribute('aria-label', `Chart: ${$('caption').textContent}`);

  renderHistory();
  syncInputs();
  const ms = performance.now() - t0;
  set('render-ms', `recomputed and redrawn in ${ms.toFixed(1)} ms`, ms);
}

// ---------- take the step ----------

function takeStep() {
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

function renderHistory() {
  const s = state;
  const d = dist;
  const tracked = steps.length ? steps[steps.length - 1].token : s.token;
  const points = steps.map((e) => ({ H: e.H, pk: e.pk }));
  points.push({ H: d.entropy, pk: d.probs()[tracked] ?? 0 });
  drawHistory($('history'), points, fmt);
  const body = byTest('history-table').tBodies[0];
  body.replaceChildren(...steps.map((e, i) => {
    const row = document.createElement('tr');
    const after = i + 1 < steps.length ? steps[i + 1].H : d.entropy;
    for (const v of [String(i + 1), fmt(after, 5), fmt(i + 1 < steps.length ? steps[i + 1].pk : d.probs()[e.token], 4),
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
  const probs = d.probs();
  const disc = d.discriminator();
  const lines = ['token,label,logit,prob,discriminator,first_order_dh,exact_dh'];
  for (let j = 0; j < probs.length; j++) {
    const label = /[",\n]/.test(s.labels[j]) ? `"${s.labels[j].replaceAll('"', '""')}"` : s.labels[j];
    lines.push([j, label, s.logits[j], probs[j], disc[j], d.firstOrder(j, s.kind, step), d.exact(j, s.kind, step)].join(','));
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
  put($('adv'), String(s.adv));
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
    onSelect: (j) => edit((s) => { s.token = j; }),
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
  $('token').addEventListener('change', (e) => edit((s) => { s.token = Number(e.target.value); }));
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
  $('copy-link').addEventListener('click', async () => {
    const btn = $('copy-link');
    try {
      await navigator.clipboard.writeText(location.href);
      btn.textContent = 'Copied';
    } catch {
      btn.textContent = 'Link in address bar';
    }
    setTimeout(() => { btn.textContent = 'Copy link'; }, 1500);
  });

  // In-page links scroll without touching the hash, which holds the state.
  document.querySelectorAll('a[href^="#"]:not([href="#"])').forEach((link) => link.addEventListener('click', (e) => {
    e.preventDefault();
    document.querySelector(link.getAttribute('href'))?.scrollIntoView({ behavior: 'smooth' });
  }));
  window.addEventListener('hashchange', () => loadHash());
  new ResizeObserver(() => schedule()).observe(byTest('curve'));
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => schedule());
}

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
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
  document.documentElement.dataset.ready = '1';
}

main();
