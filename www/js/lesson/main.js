// @ts-check
// The guided lesson (lesson.html, docs/lesson.md): one scene at a time, each
// a link (#scene=3), each asking for a prediction before it reveals the
// answer; presentation mode (#…&present=1 or ?present=1: large type, keys
// advance, Esc leaves). Scene data: js/lesson/scenes.js; numbers:
// js/lesson/numbers.js (the wasm core); charts: js/lesson/charts.js.

import init from '../../pkg/entropy_polarity.js';
import { fmt } from '../lib/format.js';
import { byTest, clearError, showError } from '../lib/dom.js';
import { drawAverage, drawBars, drawCurve, drawHistory, drawLab, renderQuadrants } from './charts.js';
import { explorerHref, keyMove, labHref, lessonHash, parseLessonLink } from './nav.js';
import { sceneNumbers } from './numbers.js';
import { CHOICES, SCENES, flipNote } from './scenes.js';
import { plainText, setRich, wireTerms } from './text.js';

const CHART_KINDS = ['bars', 'curve', 'history', 'average', 'quadrants', 'lab'];
// Scene 5 plays one step every STEP_MS: 30 steps in about 21 s, slow enough to narrate.
const STEP_MS = 700;
const READOUTS = ['H', 'eH', 'pdag', 'p'];

/** What is on screen: scene index, its numbers, revealed or not, the step shown. */
const view = { index: -1, present: false, /** @type {any} */ n: null, revealed: false, chosen: '', step: 0, rewards: 'likely' };
let playTimer = 0;
/** @type {() => boolean} */
let hideTip = () => false;

/** Narrow screens: the charts sit in the text's column (css/lesson.css). */
const narrow = () => window.matchMedia?.('(max-width: 900px)').matches ?? false;
/** How much larger than 16 px the type is (presentation mode): chart text grows with it. */
const zoom = () => Math.max(1, Number.parseFloat(getComputedStyle(document.documentElement).fontSize) / 16 || 1);
const isDark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
const scene = () => SCENES[view.index];
/** The name of the token the scene's update acts on. */
const tokenName = (s) => s.state.labels[s.state.token];

function readout(id, v, text = fmt(v, 4)) {
  const e = byTest(id);
  e.textContent = text;
  e.dataset.value = String(v);
}

/** Shows the scene the link names (and the presentation mode it asks for). */
function load() {
  const { index, present } = parseLessonLink(location.hash, location.search, SCENES.length);
  const modeChanged = present !== view.present;
  setPresent(present);
  if (index === view.index) {
    renderNav();
    // The type size changed with the mode: the charts' text follows it.
    if (modeChanged) drawScene();
    return;
  }
  stopPlay();
  hideTip();
  view.index = index;
  view.revealed = false;
  view.chosen = '';
  try {
    view.n = sceneNumbers(scene());
    clearError();
  } catch (e) {
    view.n = null;
    showError(`This scene could not be computed: ${e.message}. Reload the page; if it persists, rebuild with scripts/build.sh.`);
    return;
  }
  view.step = 0;
  view.rewards = 'likely';
  renderScene();
  const title = document.getElementById('scene-title');
  // A new scene from a key or a link: start reading at its title.
  if (!document.activeElement || document.activeElement === document.body || document.activeElement.closest('.step-nav, .scene-nav')) {
    title?.setAttribute('tabindex', '-1');
    title?.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function setPresent(on) {
  view.present = on;
  document.documentElement.classList.toggle('present', on);
  const b = byTest('present');
  b.setAttribute('aria-pressed', String(on));
  b.textContent = on ? 'Leave presentation (Esc)' : 'Present';
}

/** Goes to scene `index` (0-based), keeping the presentation mode. */
function go(index, present = view.present) {
  if (index < 0 || index >= SCENES.length) return;
  const hash = lessonHash(index, present);
  if (!present && new URLSearchParams(location.search).get('present') === '1') {
    // Leaving a ?present=1 link: drop the query without a reload.
    history.pushState(null, '', location.pathname + hash);
    load();
  } else if (location.hash === hash) load();
  else location.hash = hash;
}

/** The scene list and Back / Next, for the scene shown and the mode. */
function renderNav() {
  const list = byTest('scene-list');
  list.replaceChildren(
    ...SCENES.map((s, i) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = lessonHash(i, view.present);
      a.textContent = String(i + 1);
      a.title = plainText(s.title);
      a.setAttribute('aria-label', `Scene ${i + 1}: ${plainText(s.title)}`);
      if (i === view.index) a.setAttribute('aria-current', 'step');
      li.append(a);
      return li;
    }),
  );
  const prev = byTest('prev');
  const next = byTest('next');
  prev.href = lessonHash(Math.max(0, view.index - 1), view.present);
  prev.hidden = view.index === 0;
  next.href = lessonHash(Math.min(SCENES.length - 1, view.index + 1), view.present);
  next.hidden = view.index === SCENES.length - 1;
}

function renderScene() {
  const s = scene();
  const n = view.n;
  const main = byTest('scene');
  main.dataset.scene = s.id;
  main.dataset.revealed = '';
  document.title = `${view.index + 1}. ${plainText(s.title)} — Entropy polarity lesson`;
  renderNav();
  byTest('scene-count').textContent = `Scene ${view.index + 1} of ${SCENES.length}`;
  setRich(byTest('scene-title'), s.title, { terms: false });
  setRich(byTest('claim'), s.claim);
  setRich(byTest('body'), s.body(n));
  setRich(byTest('question'), s.question(n));
  byTest('answer').hidden = true;
  for (const c of CHOICES) {
    const b = byTest(`choice-${c.key}`);
    b.setAttribute('aria-pressed', 'false');
    b.disabled = false;
  }
  byTest('open-explorer').href = explorerHref(s.state, s.rewards);

  const shown = s.readouts ?? READOUTS;
  for (const key of READOUTS) {
    const row = /** @type {HTMLElement} */ (document.querySelector(`[data-readout="${key}"]`));
    row.hidden = !shown.includes(key);
  }
  renderReadouts();

  for (const kind of CHART_KINDS) {
    const fig = /** @type {HTMLElement} */ (document.querySelector(`[data-chart="${kind}"]`));
    fig.hidden = !s.charts.includes(kind);
    fig.classList.add('veiled');
  }
  setRich(byTest('curve-caption'), curveCaption(s), { terms: false });
  drawScene();
}

/** What the reader needs to predict: H, e^−H, p† and p of the token (in the
 *  steps scene, of the step shown), and the change the scene asks about. */
function renderReadouts() {
  const s = scene();
  const n = view.n;
  const at = s.id === 'steps' ? n.history[view.step] : n;
  const tok = s.id === 'average' ? caseToken() : s.state.token;
  const name = tok < 0 ? tokenName(s) : s.state.labels[tok];
  readout('r-entropy', at.H, `${fmt(at.H, 4)} nats`);
  readout('r-flip-nudge', at.eH);
  readout('r-flip-pg', at.pdag);
  document.getElementById('r-prob-name').textContent = s.id === 'steps' ? `step ${view.step}: p of “${name}”` : `p of “${name}”`;
  readout('r-prob', at === n ? n.p[Math.max(0, tok)] : at.pk);
  const [a, b] = changes(s, n);
  /** @type {[string, {name: string, value: number, level?: boolean} | null][]} */
  const rows = [
    ['r-first', a],
    ['r-exact', b],
  ];
  for (const [id, c] of rows) {
    const row = /** @type {HTMLElement} */ (byTest(id).parentElement);
    row.classList.toggle('unused', !c);
    if (!c) continue;
    setRich(/** @type {HTMLElement} */ (row.querySelector('dt')), c.name);
    // A change carries its sign; a level (H at T = 2) is in nats.
    readout(id, c.value, c.level ? `${fmt(c.value, 4)} nats` : `${c.value > 0 ? '+' : ''}${fmt(c.value, 4)}`);
  }
}

/** The token a scene-6 case rewards (−1: the same A for every token). */
const caseToken = () => view.n.average.cases[view.rewards].token;

/**
 * The two changes shown with the answer: the quantity the scene asks about.
 * @param {any} s @param {any} n @returns {({name: string, value: number, level?: boolean} | null)[]}
 */
function changes(s, n) {
  if (s.id === 'entropy')
    return [
      { name: 'H at T = 2', value: n.hot.H, level: true },
      { name: 'ΔH [[exact|exact]]', value: n.hot.H - n.H },
    ];
  if (s.id === 'average') return [{ name: 'E[ΔH] [[first]]', value: n.average.cases[view.rewards].sum }, null];
  if (s.id === 'steps') {
    const i = Math.min(view.step, n.dh.length - 1);
    return [{ name: `ΔH, step ${i} → ${i + 1} ([[exact|exact]])`, value: n.dh[i] }, null];
  }
  return [
    { name: 'ΔH [[first]]', value: n.first },
    { name: 'ΔH [[exact|exact]]', value: n.exact },
  ];
}

/** What the charts draw, in words, for each update (state.kind): the lines on the bars, and
 *  the core's curve (the two curves answer different questions). */
const CAPTIONS = {
  nudge: {
    lines: 'Line: e^{−H}, where a nudge flips.',
    curve: 'Solid: first-order ΔH of a nudge on a token of probability q (H held fixed); it crosses zero at e^{−H}.',
  },
  pg: {
    lines: 'Lines: e^{−H} (where a nudge flips) and p† (where a policy-gradient step flips).',
    curve: 'Solid: first-order ΔH of a policy-gradient step on a token of probability q (H and S̄ held fixed); it crosses zero at p†.',
  },
};

function curveCaption(s) {
  const n = view.n;
  const flip = s.state.kind === 'nudge' ? ['e^{−H}', n.eH, 'ε'] : ['p†', n.pdag, 'η·A'];
  return (
    `${CAPTIONS[s.state.kind].curve} Dots: the tokens. Dashed: the exact ΔH with “${tokenName(s)}” moved to q. ` +
    `Blue region: widens, orange: narrows, both to first order. ${flipNote(n, flip[0], flip[1], flip[2])}`
  );
}

/** Draws the scene's charts: the bars always, the rest once revealed. */
function drawScene() {
  const s = scene();
  const n = view.n;
  if (!n) return;
  const st = s.state;
  const showAfter = view.revealed && (s.id === 'entropy' || s.id === 'first-order');
  const stepP = s.id === 'steps' ? n.history[view.step].p : n.p;
  if (s.charts.includes('bars')) {
    const flips = s.id === 'steps' ? n.history[view.step] : n;
    const shown = s.readouts ?? READOUTS;
    drawBars(byTest('bars'), {
      p: stepP,
      labels: st.labels,
      token: s.id === 'average' ? caseToken() : st.token,
      eH: shown.includes('eH') ? flips.eH : undefined,
      pdag: st.kind === 'pg' && shown.includes('pdag') ? flips.pdag : undefined,
      zoom: zoom(),
      after: showAfter ? (s.id === 'entropy' ? n.hot.p : n.after) : null,
      afterLabel: s.id === 'entropy' ? 'outline: at T = 2' : 'outline: after the step',
    });
    byTest('bars').setAttribute('aria-label', barsLabel(s, stepP));
    setRich(byTest('bars-caption'), barsCaption(s), { terms: false });
  }
  // The quadrants' table is laid out before the reveal (hidden by the veil), so that it keeps its size.
  if (s.charts.includes('quadrants')) renderQuadrants(byTest('quadrants'), n.quadrants, st.labels, n.pdag);
  if (!view.revealed) return;
  if (s.charts.includes('curve')) {
    try {
      drawCurve(byTest('curve'), st, isDark(), zoom());
    } catch (e) {
      showError(e.message);
    }
  }
  if (s.charts.includes('history')) drawHistory(byTest('history'), n.history, view.step, tokenName(s), zoom());
  if (s.charts.includes('average')) {
    byTest('case-likely').textContent = `reward ${st.labels[0]} (likely)`;
    byTest('case-rare').textContent = `reward ${st.labels[st.labels.length - 1]} (rare)`;
    for (const b of document.querySelectorAll('[data-case]'))
      b.setAttribute('aria-pressed', String(b.getAttribute('data-case') === view.rewards));
    drawAverage(byTest('average'), { labels: st.labels, ...n.average.cases[view.rewards], scale: n.average.scale }, zoom());
  }
  if (s.charts.includes('lab')) drawLab(byTest('lab-chart'), n.lab, zoom());
}

function barsLabel(s, p) {
  const st = s.state;
  const shown = p.length <= 12 ? p.map((v, i) => `${st.labels[i]} ${fmt(v, 3)}`).join(', ') : `${p.length} tokens`;
  const tok = s.id === 'average' ? caseToken() : st.token;
  return `Probabilities: ${shown}.${tok < 0 ? '' : ` Marked: ${st.labels[tok]}.`}`;
}

function barsCaption(s) {
  const tok = s.id === 'average' ? caseToken() : s.state.token;
  const shown = s.readouts ?? READOUTS;
  const marked = tok < 0 ? 'no token is marked (every one has the same A)' : `“${s.state.labels[tok]}” is marked`;
  const lines = !shown.includes('eH') ? '' : shown.includes('pdag') ? CAPTIONS[s.state.kind].lines : CAPTIONS.nudge.lines;
  return `Bars: p of each token; ${marked}${s.id === 'average' ? ' (the rewarded token)' : ''}. ${lines}`;
}

/** The reader predicted `key` ('' for "just show me"): show the answer and the charts. */
function reveal(key) {
  const s = scene();
  const n = view.n;
  if (!n) return;
  const ans = s.answer(n);
  view.revealed = true;
  view.chosen = key;
  byTest('scene').dataset.revealed = '1';
  const fb = byTest('feedback');
  const right = key === ans.key;
  const word = ans.key === 'widen' ? 'wider' : ans.key === 'narrow' ? 'narrower' : 'unchanged';
  fb.textContent = key === '' ? `Answer: ${word}.` : right ? `Right: ${word}.` : `Not quite: it gets ${word}.`;
  fb.className = `feedback ${key === '' ? 'shown' : right ? 'right' : 'wrong'}`;
  fb.dataset.correct = key === '' ? '' : right ? '1' : '0';
  fb.dataset.answer = ans.key;
  setRich(byTest('answer-text'), ans.text);
  renderLinks(s);
  byTest('answer').hidden = false;
  for (const c of CHOICES) byTest(`choice-${c.key}`).setAttribute('aria-pressed', String(c.key === key));
  for (const fig of document.querySelectorAll('.chart')) fig.classList.remove('veiled');
  // Scene 5's steps wait for the presenter's Play (or the slider).
  renderReadouts();
  drawScene();
  if (narrow()) {
    // On a phone the chart the answer refers to sits above the question: bring it into view.
    const first = /** @type {HTMLElement | null} */ (document.querySelector('.chart:not([hidden]):not([data-chart="bars"])'));
    first?.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
  }
}

function renderLinks(s) {
  const ul = byTest('scene-links');
  const links = [...(s.links ?? [])];
  if (s.lab) links.unshift({ href: labHref({ ...s.lab, seeds: 1 }), text: 'Open this run in the control lab' });
  ul.replaceChildren(
    ...links.map((l) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = l.href;
      a.textContent = l.text;
      li.append(a);
      return li;
    }),
  );
  ul.hidden = links.length === 0;
}

// ---------- the steps of scene 5 ----------

function showStep(i) {
  if (!view.revealed) return;
  view.step = i;
  renderReadouts();
  byTest('step-range').value = String(i);
  byTest('step-out').textContent = String(i);
  drawScene();
}

function stopPlay() {
  clearTimeout(playTimer);
  playTimer = 0;
  byTest('play').textContent = '▶ Play';
}

function play() {
  stopPlay();
  const last = scene().steps ?? 0;
  if (reducedMotion()) {
    showStep(last);
    return;
  }
  byTest('play').textContent = '■ Stop';
  if (narrow()) byTest('history').scrollIntoView({ block: 'nearest', behavior: 'auto' });
  const tick = (i) => {
    showStep(i);
    if (i < last) playTimer = setTimeout(() => tick(i + 1), STEP_MS);
    else stopPlay();
  };
  // Play from the step shown, or from the start once the run has ended.
  tick(view.step >= last ? 0 : view.step);
}

// ---------- keys ----------

function onKey(e) {
  if (e.key === 'Escape') {
    if (hideTip()) return;
    if (view.present) {
      e.preventDefault();
      go(view.index, false);
    }
    return;
  }
  if (!view.present || e.altKey || e.ctrlKey || e.metaKey) return;
  const t = /** @type {HTMLElement} */ (e.target);
  // The step slider keeps its arrows; text fields keep their keys.
  if (t?.matches?.('input, textarea, select')) return;
  const move = keyMove(e.key);
  if (move === null) return;
  e.preventDefault();
  // Space must not also press the focused button when it is released.
  /** @type {HTMLElement | null} */ (document.activeElement)?.blur?.();
  go(view.index + move);
}

async function main() {
  try {
    await init();
  } catch (e) {
    showError(`The WebAssembly module failed to load (${e.message}). Reload the page; if it persists, rebuild with scripts/build.sh.`);
    return;
  }
  hideTip = wireTerms(document.body, byTest('term-tip'));
  // The readouts' names are terms too (their rich form is in the markup).
  for (const dt of document.querySelectorAll('[data-rich]')) setRich(dt, dt.getAttribute('data-rich') ?? '');
  for (const c of CHOICES) byTest(`choice-${c.key}`).addEventListener('click', () => reveal(c.key));
  byTest('reveal').addEventListener('click', () => reveal(''));
  for (const b of document.querySelectorAll('[data-case]'))
    b.addEventListener('click', () => {
      view.rewards = /** @type {HTMLElement} */ (b).dataset.case ?? 'likely';
      renderReadouts();
      drawScene();
    });
  byTest('present').addEventListener('click', () => go(view.index, !view.present));
  byTest('play').addEventListener('click', () => {
    if (!view.revealed) reveal('');
    if (playTimer) stopPlay();
    else play();
  });
  byTest('step-range').addEventListener('input', (/** @type {Event} */ e) => {
    stopPlay();
    showStep(Number(/** @type {HTMLInputElement} */ (e.target).value));
  });
  window.addEventListener('hashchange', load);
  window.addEventListener('keydown', onKey);
  // Redraw on a new width (canvas backing store) or colour scheme.
  let width = window.innerWidth;
  window.addEventListener('resize', () => {
    if (window.innerWidth === width) return;
    width = window.innerWidth;
    requestAnimationFrame(drawScene);
  });
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => drawScene());
  load();
  requestAnimationFrame(() => {
    document.documentElement.dataset.ready = '1';
  });
}

main();
