// @ts-check
// The toy-distribution explorer: the page state, what an edit does to it,
// and one render of it. All math happens in the wasm core; the inputs are
// wired in js/explorer/controls.js, the readouts' wording in js/explorer/verdict.js, an opened
// slice row in js/explorer/opened-row.js, the token table in js/explorer/token-table.js.

import init, { Distribution, logitForProb, maxDots } from '../../pkg/entropy_polarity.js';
import { wasmModule } from '../lib/worker-rpc.js';
import { drawHistory, renderHistoryTable } from './history.js';
import { download } from '../lib/share.js';
import { plainText, setRichText } from '../lib/overbar.js';
import { fmt, fmtEntropy, fmtPercent } from '../lib/format.js';
import { mountSlicePanel } from '../slices/panel.js';
import { mountRunPanel } from '../runs/panel.js';
import { $, byTest, clearError, fitCanvas, showError as showPageError } from '../lib/dom.js';
import { DEFAULT_STATE, fitRewards, hashFromState, stateFromHash } from '../lib/link-state.js';
import { renderRewards } from './rewards.js';
import { wireTerms } from './terms.js';
import { anchorTarget, syncInputs, wireControls } from './controls.js';
import { bannerText, barProbs, openRow } from './opened-row.js';
import { renderTokenTable, tokenCsv } from './token-table.js';
import { verdict } from './verdict.js';
import { historyPoints, sameDistribution } from './steps.js';
import { reportHeight } from '../lib/embed-size.js';

/** @type {import('../lib/link-state.js').State} */
let state = structuredClone(DEFAULT_STATE);
/** @type {any} the Distribution of `state` (or of the opened row) */
let dist = null;
/** @type {import('./opened-row.js').OpenedRow | null} a row opened from a slice */
let row = null;
let frame = 0;
/** @type {any} */
let bars;
// Steps taken for real, oldest first (js/explorer/steps.js). The history belongs to
// one distribution: an edit of the logits or temperature that is not a step
// (a preset, a typed logit, a pasted link, Back) starts it again.
/** @type {import('./steps.js').Step[]} */
let steps = [];
let stepTimer = 0;

/** Row index of bar j (−1: the "rest" bucket of an opened row). */
const fullIndex = (j) => (row ? row.display[j] : j);

// Errors say what is wrong and keep what the person had; they fade after 9 s.
const ERROR_MS = 9000;
const showError = (message, field = null) => showPageError(message, { field, hideAfterMs: ERROR_MS });

/** Tries a new state; applies it only if the core accepts it. A step (or
 *  its undo) passes `keepSteps`; any other new distribution clears them. */
function commit(next, { focusBars = false, keepSteps = false } = {}) {
  fitRewards(next); // one reward per token, whatever the edit did to the tokens
  let d;
  const leaveRow = row && next.logits.join() !== state.logits.join();
  try {
    d =
      row && !leaveRow
        ? Distribution.fromLogits(row.logits, next.temperature)
        : Distribution.fromLogits(Float64Array.from(next.logits), next.temperature);
  } catch (e) {
    showError(e.message);
    syncInputs(state); // put the inputs back to the state we kept
    return false;
  }
  dist?.free();
  dist = d;
  if (!keepSteps && !sameDistribution(state, next)) {
    clearTimeout(stepTimer);
    steps = [];
  }
  state = next;
  if (leaveRow) row = null;
  clearError();
  history.replaceState(null, '', hashFromState(state));
  // "Run this distribution in the lab": its logits at temperature 1 as the lab's start.
  const toLab = `lab.html#logits=${state.logits.map((z) => z / state.temperature).join(',')}`;
  byTest('to-lab').href = toLab;
  byTest('sample-to-lab').href = toLab;
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
    // The banner changes in the same frame as the numbers it names.
    renderRowBanner();
    render();
  });
}

// ---------- rendering ----------

/** ε for a nudge, η·A for a policy-gradient step. */
const stepValue = (s = state) => s.step * s.adv;

const isDark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

/** The bars' view of the current distribution, for the table and its CSV. */
function tokenRows(all) {
  const s = state,
    d = dist,
    step = stepValue();
  const disc = d.discriminator();
  return {
    labels: s.labels,
    logits: s.logits,
    probs: row ? barProbs(row, all) : all,
    index: s.logits.map((_, j) => fullIndex(j)),
    disc: (i) => disc[i],
    firstOrder: (i) => d.firstOrder(i, s.kind, step),
    exact: (i) => d.exact(i, s.kind, step),
  };
}

function render() {
  const t0 = performance.now();
  const s = state;
  const d = dist;
  const k = fullIndex(s.token);
  const step = stepValue();
  const all = d.probs();
  const flipKind = s.kind === 'pg' ? d.flipPolicyGradient : d.flipNudge;

  // Chart first, on a backing store sized for the screen's pixel ratio (the
  // core measures its labels on the canvas itself, src/wasm/measure.rs).
  const canvas = byTest('curve');
  const dpr = fitCanvas(canvas);
  let layout = null;
  try {
    layout = d.drawCurve(canvas, k, s.kind, step, { logX: s.logX, scale: dpr, dark: isDark() });
  } catch (e) {
    showError(e.message);
  }
  const rows = tokenRows(all);
  // Bars: the sign each token's own update would have.
  bars.update({
    probs: rows.probs,
    labels: s.labels,
    selected: s.token,
    flip: flipKind,
    signs: rows.index.map((i) => (i < 0 ? 0 : Math.sign(rows.firstOrder(i)))),
    flipName: s.kind === 'pg' ? 'p†' : 'e^{−H}',
  });
  renderTokenTable(byTest('token-table').tBodies[0], rows, s.token);
  renderReadouts(all, k, step, layout?.exactFlip);
  renderHistory(all);
  renderSampling();
  syncInputs(s);
  const ms = performance.now() - t0;
  readout('render-ms', `recomputed and redrawn in ${ms.toFixed(1)} ms`, ms);
}

/** Sets a readout's text and, for tests and tools, its full-precision value. */
function readout(id, text, value) {
  const el = byTest(id);
  el.textContent = text;
  if (value !== undefined) el.dataset.value = String(value);
}

function renderReadouts(all, k, step, exactFlip) {
  const s = state,
    d = dist;
  const H = d.entropy;
  const Sk = d.discriminator()[k];
  const first = d.firstOrder(k, s.kind, step);
  const exact = d.exact(k, s.kind, step);
  const flipName = s.kind === 'pg' ? 'p†' : 'e^{−H}';
  const flipKind = s.kind === 'pg' ? d.flipPolicyGradient : d.flipNudge;
  readout('entropy', fmtEntropy(H, s.bits), H);
  readout('flip-nudge', fmt(d.flipNudge), d.flipNudge);
  readout('flip-pg', fmt(d.flipPolicyGradient), d.flipPolicyGradient);
  readout('prob', fmt(all[k]), all[k]);
  readout('disc', fmt(Sk), Sk);
  readout('mean-disc', fmt(d.meanDiscriminator), d.meanDiscriminator);
  const sens = d.sensitivity(k);
  readout('sensitivity', fmt(sens), sens);
  const polarity = d.polarity(k, s.adv);
  readout('polarity', `${fmt(polarity)} ${polarity > 0 ? '▲ expands' : polarity < 0 ? '▼ contracts' : ''}`, polarity);
  const unit = (v) => (s.bits ? v / Math.LN2 : v);
  const u = s.bits ? ' bits' : ' nats';
  readout('first-order', fmt(unit(first), 6) + u, first);
  readout('exact', fmt(unit(exact), 6) + u, exact);
  const rel = exact === 0 ? (first === 0 ? 0 : Infinity) : Math.abs(first - exact) / Math.abs(exact);
  readout('rel-diff', fmtPercent(rel), rel);
  readout('exact-flip', exactFlip === undefined ? 'none in (0, 1)' : `q = ${fmt(exactFlip)}`, exactFlip ?? '');

  const label = s.labels[s.token];
  const v = verdict({ kind: s.kind, label, p: all[k], adv: s.adv, step, first, exact, bits: s.bits, flip: flipKind });
  const box = byTest('verdict');
  box.className = `verdict ${v.direction}`;
  box.dataset.broke = v.broke ? '1' : '';
  // The reason in a span of its own: the ?embed=1 view leaves it out to keep
  // its height (www/css/base.css, .embed .verdict-reason).
  const at = v.reason ? v.text.indexOf(v.reason) : -1;
  if (at < 0) setRichText(box, v.text);
  else {
    const part = (text, cls = '') => {
      const span = setRichText(document.createElement('span'), text);
      if (cls) span.className = cls;
      return span;
    };
    box.replaceChildren(part(v.text.slice(0, at)), part(v.reason, 'verdict-reason'), part(v.text.slice(at + v.reason.length)));
  }
  const n = all.length.toLocaleString('en');
  // What each curve holds (issue 11: they answer different questions). Kept
  // short: the ?embed=1 view shows it under the chart in a fixed height.
  const caption =
    (s.kind === 'pg'
      ? `Solid: first-order ΔH of a policy-gradient step on another token of probability q, H and S̄ fixed (η·A = ${fmt(step, 3)}). `
      : `Solid: first-order ΔH of a nudge on another token of probability q, H fixed (ε = ${fmt(step, 3)}). `) +
    (row && all.length > maxDots()
      ? `Dots: the most likely tokens of the row and a sample of the rest of its ${n}. `
      : `Dots: the ${n} tokens. `) +
    `Dashed: exact ΔH with “${label}” itself moved to q` +
    (exactFlip === undefined ? '.' : `; zero at q = ${fmt(exactFlip, 4)} (◆), against ${flipName} = ${fmt(flipKind, 4)}.`);
  setRichText($('caption'), caption);
  byTest('curve').setAttribute('aria-label', `Chart: ${plainText(caption)}`);
}

// ---------- a row opened from a logit slice ----------

/** Shows one row of a slice in the explorer (event from the slice panel). */
function showRow(r) {
  let opened;
  try {
    opened = openRow(r);
  } catch (e) {
    showError(`Row ${r.index} cannot be shown: ${e.message}`);
    return;
  }
  const next = structuredClone(state);
  next.logits = opened.logits;
  next.labels = opened.labels;
  next.token = opened.token;
  next.kind = 'pg';
  if (Number.isFinite(r.advantage) && r.advantage !== 0) next.adv = r.advantage;
  next.logX = true; // real vocabularies span many decades
  steps = [];
  const [rowBefore, stateBefore] = [row, state];
  row = opened.row;
  state = { ...state, logits: next.logits }; // so that commit keeps the row
  if (!commit(next)) {
    [row, state] = [rowBefore, stateBefore];
    return;
  }
  document.querySelector('.editor')?.scrollIntoView({ behavior: 'smooth' });
}

function renderRowBanner() {
  byTest('row-banner').hidden = !row;
  if (row) $('row-banner-text').textContent = bannerText(row);
}

// ---------- take the step ----------

/** A step acts on what the bars show: an opened row is left for its toy copy. */
function leaveRow() {
  if (!row) return true;
  row = null;
  return commit(structuredClone(state));
}

function takeStep() {
  if (!leaveRow()) return false;
  const s = state;
  const d = dist;
  const k = s.token;
  const step = stepValue();
  const predicted = d.firstOrder(k, s.kind, step);
  const realised = d.exact(k, s.kind, step);
  const next = structuredClone(s);
  next.logits = Array.from(d.updatedLogits(Float64Array.from(s.logits), k, s.kind, step));
  const entry = { before: s.logits, H: d.entropy, probs: Array.from(d.probs()), predicted, realised, tokens: [k] };
  if (!commit(next, { keepSteps: true })) return false;
  steps.push(entry);
  return true;
}

function takeSteps(n, stepOnce = takeStep) {
  clearTimeout(stepTimer);
  $('bars').classList.add('stepping');
  const one = (left) => {
    if (left <= 0 || !stepOnce()) {
      stepTimer = setTimeout(() => $('bars').classList.remove('stepping'), 260);
      return;
    }
    stepTimer = setTimeout(() => one(left - 1), n > 1 ? 140 : 0);
  };
  one(n);
}

// ---------- sample and reward ----------

// Seeds 1, 2, … of this page's sampled steps: a session replays exactly.
let seed = 0;

/** One GRPO-style step on tokens drawn from p (docs/math.md, "Sampling"). */
function sampleStep() {
  if (!leaveRow()) return false;
  const s = state;
  const d = dist;
  const rewards = Float64Array.from(s.rewards);
  let out;
  let predicted;
  try {
    // The prediction for this group size (exact over every group), not the many-samples value.
    predicted = d.expectedGroupChange(rewards, s.group, s.step);
    out = d.sampledStep(Float64Array.from(s.logits), rewards, s.group, s.step, ++seed);
  } catch (e) {
    showError(e.message);
    return false;
  }
  const H0 = d.entropy;
  const probs = Array.from(d.probs());
  if (!commit({ ...structuredClone(s), logits: Array.from(out.logits) }, { keepSteps: true })) return false;
  // H(after) − H(before): a group moves many logits at once, so there is no
  // one-token exact formula; at the page's sizes the difference has digits to spare.
  const realised = dist.entropy - H0;
  steps.push({ before: s.logits, H: H0, probs, predicted, realised, tokens: Array.from(out.tokens), sampled: true, rewards: s.rewards });
  return true;
}

function renderSampling() {
  const s = state;
  renderRewards($('rewards'), s.labels, s.rewards);
  if (document.activeElement !== $('group')) $('group').value = String(s.group);
  const unit = (v) => (s.bits ? v / Math.LN2 : v);
  const u = s.bits ? ' bits' : ' nats';
  let expected = NaN;
  try {
    expected = dist.expectedChange(dist.rewardAdvantages(Float64Array.from(s.rewards)), s.step);
  } catch {
    // an opened row has more tokens than the bars: shown once it is a toy
  }
  const some = s.rewards.some((r) => r);
  const all = s.rewards.every((r) => r);
  readout(
    'expected-change',
    Number.isNaN(expected)
      ? '—'
      : !some || all
        ? `0${u} (${some ? 'every' : 'no'} token rewarded: no advantage)`
        : fmt(unit(expected), 4) + u,
    Number.isNaN(expected) ? '' : expected,
  );
  // The same expectation for a group of G normalised by its own mean and sd: exact, and
  // smaller at small G (docs/math.md, "A sampled (GRPO-style) step").
  let group = NaN;
  try {
    group = dist.expectedGroupChange(Float64Array.from(s.rewards), s.group, s.step);
  } catch {
    // as above; or too many distinct rewards for an exact sum (the page's are 0 and 1)
  }
  readout(
    'expected-group-change',
    Number.isNaN(group) ? '—' : `${fmt(unit(group), 4)}${u} (G = ${s.group})`,
    Number.isNaN(group) ? '' : group,
  );
  const last = [...steps].reverse().find((e) => e.sampled);
  readout('sampled-realised', last ? fmt(unit(last.realised), 4) + u : '—', last ? last.realised : '');
}

// Undo and Reset put the logits back and keep every setting changed since
// (η, A, the token): the history is of the logits only.
function undoStep() {
  clearTimeout(stepTimer);
  const last = steps.pop();
  if (last) commit({ ...structuredClone(state), logits: last.before }, { keepSteps: true });
}

function resetSteps() {
  clearTimeout(stepTimer);
  if (steps.length) commit({ ...structuredClone(state), logits: steps[0].before }, { keepSteps: true });
  steps = [];
  schedule();
}

/** @param {Float64Array} all the probabilities of the current distribution */
function renderHistory(all) {
  // Steps are taken on toy distributions only (a step leaves an opened row),
  // so the chosen bar indexes every step's probabilities. The p_k line and
  // column follow the token chosen now, through every step.
  const tracked = fullIndex(state.token);
  const points = historyPoints(steps, tracked, dist.entropy, all);
  drawHistory($('history'), points, state.labels[state.token]);
  renderHistoryTable(byTest('history-table').tBodies[0], points, steps, state.labels);
  $('undo-step').disabled = steps.length === 0;
  $('reset-steps').disabled = steps.length === 0;
}

// ---------- the link ----------

function loadHash() {
  if (location.hash && !location.hash.includes('=')) {
    // A plain anchor (#slices): scroll there, keep the state.
    anchorTarget(location.hash)?.scrollIntoView();
    if (dist) {
      history.replaceState(null, '', hashFromState(state));
      return;
    }
  }
  const { state: s, problems } = stateFromHash(location.hash.includes('=') ? location.hash : '');
  // Only a hash that differs from the state shown is news: the page writes
  // its own with replaceState, which fires no hashchange. (Comparing with the
  // *parsed* hash took every canonical link, pasted or from Back, for ours.)
  if (dist && location.hash === hashFromState(state)) return;
  if (!commit(s)) commit(/** @type {import('../lib/link-state.js').State} */ (structuredClone(DEFAULT_STATE)));
  if (problems.length) showError(`Part of the link could not be used: ${problems.join('; ')}.`);
}

async function main() {
  if (new URLSearchParams(location.search).get('embed') === '1') {
    document.documentElement.classList.add('embed');
    reportHeight(); // a parent page may size its iframe to it (README, "Embedding")
  }
  try {
    await init({ module_or_path: await wasmModule() }); // the panels' workers get the same module
  } catch (e) {
    showError(`The WebAssembly module failed to load (${e.message}). Reload the page; if it persists, rebuild with scripts/serve.sh.`);
    return;
  }
  wireTerms();
  bars = wireControls({
    state: () => state,
    edit,
    showError,
    logitForProb,
    loadHash,
    takeSteps,
    sampleSteps: (n) => takeSteps(n, sampleStep),
    undoStep,
    resetSteps,
    isBucket: (j) => fullIndex(j) < 0,
    leaveRow: () => {
      row = null;
      commit(structuredClone(state));
    },
    redraw: schedule,
    exportSvg: () => {
      const canvas = byTest('curve');
      const svg = dist.curveSvg(fullIndex(state.token), state.kind, stepValue(), {
        logX: state.logX,
        width: canvas.clientWidth || 800,
        height: canvas.clientHeight || 480,
        dark: isDark(),
      });
      download(new Blob([svg], { type: 'image/svg+xml' }), 'entropy-polarity.svg');
    },
    exportTokens: () => download(new Blob([tokenCsv(tokenRows(dist.probs()))], { type: 'text/csv' }), 'entropy-polarity-tokens.csv'),
  });
  window.addEventListener('open-row', (e) => showRow(/** @type {CustomEvent} */ (e).detail));
  mountSlicePanel(document.getElementById('slices'), { openRow: (r) => window.dispatchEvent(new CustomEvent('open-row', { detail: r })) });
  mountRunPanel(document.getElementById('run'), { openRow: (r) => window.dispatchEvent(new CustomEvent('open-row', { detail: r })) });
  loadHash();
  // Ready once the first render has run: it waits for a frame (schedule),
  // which a slow or busy engine (WebKitGTK here) gives only later, and
  // until then the readouts are blank. This callback runs after render's.
  requestAnimationFrame(() => {
    document.documentElement.dataset.ready = '1';
  });
}

main();
