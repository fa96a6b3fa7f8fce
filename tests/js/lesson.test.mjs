// The lesson's pure parts (www/js/lesson-*.js): the scene links, the keys of
// presentation mode, every scene's state (a valid explorer state that
// survives the explorer's link), every term the text uses is defined, and
// each scene's answer, worded from numbers computed here by the independent
// reference (e2e/reference.mjs), names the right direction and its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explorerHref, keyMove, labHref, lessonHash, parseLessonLink } from '../../www/js/lesson/nav.js';
import { CHOICES, SCENES, direction, signed } from '../../www/js/lesson/scenes.js';
import { TERMS } from '../../www/js/lesson/terms.js';
import { plainText, termTip } from '../../www/js/lesson/text.js';
import { HASH_KEYS, MAX_TOKENS, MIN_TOKENS, stateFromHash } from '../../www/js/lib/link-state.js';
import { applyUpdate, entropy, exactChange, exactFlip, firstOrder, softmax, stats } from '../../e2e/reference.mjs';

test('a lesson link names a scene and presentation mode', () => {
  assert.deepEqual(parseLessonLink('#scene=3', '', 9), { index: 2, present: false });
  assert.deepEqual(parseLessonLink('#scene=3&present=1', '', 9), { index: 2, present: true });
  assert.deepEqual(parseLessonLink('#scene=9', '?present=1', 9), { index: 8, present: true });
  // Out of range or not a number: the nearest scene, or the first.
  assert.deepEqual(parseLessonLink('#scene=99', '', 9), { index: 8, present: false });
  assert.deepEqual(parseLessonLink('#scene=0', '', 9), { index: 0, present: false });
  assert.deepEqual(parseLessonLink('#scene=2.5', '', 9), { index: 0, present: false });
  assert.deepEqual(parseLessonLink('#scene=<b>', '', 9), { index: 0, present: false });
  assert.deepEqual(parseLessonLink('', '', 9), { index: 0, present: false });
  for (let i = 0; i < 9; i++)
    for (const p of [false, true]) assert.deepEqual(parseLessonLink(lessonHash(i, p), '', 9), { index: i, present: p });
});

test('presentation keys: → Space PageDown forward, ← PageUp back, others not ours', () => {
  for (const k of ['ArrowRight', 'PageDown', ' ']) assert.equal(keyMove(k), 1);
  for (const k of ['ArrowLeft', 'PageUp']) assert.equal(keyMove(k), -1);
  for (const k of ['Escape', 'Enter', 'a', 'ArrowUp', 'Tab']) assert.equal(keyMove(k), null);
});

test('there are 7 to 10 scenes, each with a whole explorer state that survives its link', () => {
  assert.ok(SCENES.length >= 7 && SCENES.length <= 10);
  assert.equal(new Set(SCENES.map((s) => s.id)).size, SCENES.length);
  for (const s of SCENES) {
    const st = s.state;
    assert.ok(st.logits.length >= MIN_TOKENS && st.logits.length <= MAX_TOKENS, s.id);
    assert.equal(st.labels.length, st.logits.length, s.id);
    assert.ok(Number.isInteger(st.token) && st.token >= 0 && st.token < st.logits.length, s.id);
    assert.ok(st.kind === 'pg' || st.kind === 'nudge', s.id);
    const href = explorerHref(st);
    assert.match(href, /^index\.html#/);
    const { state, problems } = stateFromHash(href.slice('index.html'.length));
    assert.deepEqual(problems, [], s.id);
    for (const key of ['logits', 'labels', 'temperature', 'token', 'kind', 'step', 'adv', 'logX', 'bits'])
      assert.deepEqual(state[key], st[key], `${s.id}: ${key}`);
    // Every key the explorer writes is there: the link sets the whole state.
    const keys = [...new URLSearchParams(href.split('#')[1]).keys()];
    for (const k of ['logits', 'labels', 'T', 'token', 'kind', 'step', 'adv']) assert.ok(keys.includes(k) && HASH_KEYS.includes(k));
  }
});

test('the lab link carries simulate options by name', () => {
  const s = SCENES.find((x) => x.lab);
  assert.ok(s);
  const h = new URLSearchParams(labHref({ ...s.lab, seeds: 1 }).split('#')[1]);
  assert.equal(h.get('preset'), 'several-correct');
  assert.equal(h.get('vocab'), '100');
  assert.equal(h.get('seeds'), '1');
  assert.equal(h.get('steps'), String(s.lab.steps));
});

/** Every [[term]] the scene texts use, with numbers that make each text whole. */
function allTexts(s, n) {
  return [s.title, s.claim, s.body(n), s.question(n), s.answer(n).text];
}

/** The numbers of a scene, from the independent reference (not the page's code). */
function referenceNumbers(s) {
  const st = s.state;
  const z = st.logits;
  const T = st.temperature;
  const k = st.token;
  const step = st.step * st.adv;
  const r = stats(z, T);
  const n = {
    H: r.H,
    eH: r.flipNudge,
    pdag: r.flipPG,
    Sbar: r.Sbar,
    p: r.p,
    S: r.S,
    pk: r.p[k],
    step,
    exactFlip: exactFlip(z, T, k, st.kind, step, st.kind === 'nudge' ? r.flipNudge : r.flipPG),
    first: firstOrder(z, T, k, st.kind, step),
    exact: exactChange(z, T, k, st.kind, step),
    after: softmax(applyUpdate(z, T, k, st.kind, step), T),
  };
  n.hot = { H: entropy(softmax(z, 2 * T)), p: softmax(z, 2 * T) };
  n.nudge = exactChange(z, T, k, 'nudge', step);
  n.small = { first: firstOrder(z, T, k, 'pg', 0.1), exact: exactChange(z, T, k, 'pg', 0.1) };
  if (s.steps) {
    const hist = [];
    let zz = z;
    for (let i = 0; i <= s.steps; i++) {
      const q = stats(zz, T);
      hist.push({ H: q.H, pk: q.p[k], pdag: q.flipPG, p: q.p });
      zz = applyUpdate(zz, T, k, st.kind, step);
    }
    n.history = hist;
    n.peak = hist.reduce((b, e, i) => (e.H > hist[b].H ? i : b), 0);
    n.cross = hist.findIndex((e) => e.pk > e.pdag);
    n.dh = hist.slice(1).map((e, i) => e.H - hist[i].H);
    n.fall = n.dh.findIndex((v) => v < 0);
  }
  if (s.rewards) {
    // −(η/T) Cov_p(A, S), the closed form (not the per-token sum the page uses).
    const avg = (A) => {
      const Abar = A.reduce((a, x, j) => a + r.p[j] * x, 0);
      const cov = r.p.reduce((a, pj, j) => a + pj * A[j] * r.S[j], 0) - Abar * r.Sbar;
      return { A, cov, sum: (-step / T) * cov, contrib: r.p.map((pj, j) => (pj * step * A[j] * (r.Sbar - r.S[j])) / T) };
    };
    // A = (r − r̄)/σ under p, as on the explorer.
    const adv = (rw) => {
      const mean = rw.reduce((a, y, j) => a + r.p[j] * y, 0);
      const sd = Math.sqrt(rw.reduce((a, y, j) => a + r.p[j] * (y - mean) ** 2, 0));
      return rw.map((x) => (x - mean) / sd);
    };
    n.average = {
      ...avg(adv(s.rewards)),
      constant: avg(s.rewards.map(() => 1)).sum,
      rare: avg(adv(s.rewards.map((_, j) => (j === s.rewards.length - 1 ? 1 : 0)))).sum,
      group: { 4: -0.166, 16: -0.203 }, // stand-ins: the wording only (e2e checks the page's)
    };
  }
  if (s.lab) n.lab = { pg: [2, 1.5, 0.8], polarity: [2, 1.9, 1.7] }; // a stand-in run: the wording only
  return n;
}

test('every term the lesson uses is defined, and defined terms are used', () => {
  const used = new Set();
  for (const s of SCENES) {
    for (const text of allTexts(s, referenceNumbers(s))) {
      for (const m of text.matchAll(/\[\[([A-Za-z]+)/g)) {
        assert.ok(TERMS[m[1]], `${s.id}: [[${m[1]}]] has no definition`);
        used.add(m[1]);
      }
      assert.doesNotMatch(plainText(text), /\[\[|\]\]|\^\{|_\{|undefined|NaN/, `${s.id}: ${text}`);
    }
  }
  for (const key of Object.keys(TERMS))
    assert.ok(used.has(key) || ['p', 'cov'].includes(key) || used.size === 0, `term ${key} is never used`);
  // The brief's terms each have a definition.
  for (const key of ['H', 'nats', 'logit', 'T', 'A', 'eta', 'S', 'Sbar', 'eH', 'pdag', 'polarity', 'first'])
    assert.ok(TERMS[key]?.def.length > 20, key);
});

test('each scene reveals the direction the reference computes, with its reason', () => {
  const expected = {
    entropy: 'widen', // T = 2 flattens
    nudge: 'widen', // p < e^−H
    'policy-gradient': 'widen', // e^−H < p < p†
    'first-order': 'narrow', // the large step overshoots
    steps: 'narrow', // rise, then collapse
    average: 'narrow', // rewards on the likely token
    quadrants: 'narrow', // penalised rare token
    control: 'narrow', // the stand-in run falls
    yours: 'narrow', // the top token is above p†
  };
  for (const s of SCENES) {
    const n = referenceNumbers(s);
    const a = s.answer(n);
    assert.equal(a.key, expected[s.id], s.id);
    assert.ok(CHOICES.some((c) => c.key === a.key));
    const text = plainText(a.text);
    assert.match(text, a.key === 'widen' ? /^Wider/ : /^Narrower/, s.id);
  }
  // The reasons quote the numbers: "p = 0.224 < e^−H = 0.363".
  const nudge = SCENES.find((s) => s.id === 'nudge');
  assert.match(plainText(nudge.answer(referenceNumbers(nudge)).text), /p = 0\.224 < e−H = 0\.363/);
  const pg = SCENES.find((s) => s.id === 'policy-gradient');
  const npg = referenceNumbers(pg);
  assert.ok(npg.pk > npg.eH && npg.pk < npg.pdag, 'scene 3 sits between e^−H and p†');
  assert.ok(npg.nudge < 0 && npg.exact > 0, 'scene 3: a nudge narrows, the step widens');
  assert.match(plainText(pg.answer(npg).text), /p = 0\.267 < p† = 0\.326/);
  const fo = SCENES.find((s) => s.id === 'first-order');
  const nfo = referenceNumbers(fo);
  assert.ok(nfo.first > 0 && nfo.exact < 0, 'scene 4: first order and exact disagree in sign');
  const st = SCENES.find((s) => s.id === 'steps');
  const nst = referenceNumbers(st);
  assert.ok(nst.peak > 0 && nst.history[nst.peak].H > nst.H + 0.3, 'scene 5: H rises first');
  assert.ok(nst.history.at(-1).H < nst.H - 0.5, 'scene 5: then collapses');
  const av = SCENES.find((s) => s.id === 'average');
  const nav = referenceNumbers(av);
  assert.ok(Math.abs(nav.average.constant) < 1e-15, 'a constant advantage gives 0');
  assert.ok(nav.average.rare > 0, 'rewarding the rare token widens on average');
  // The per-token sum equals the covariance form (docs/math.md).
  assert.ok(Math.abs(nav.average.contrib.reduce((a, b) => a + b, 0) - nav.average.sum) < 1e-15);
});

test('scene 5 says why H falls before the token passes p†', () => {
  const st = SCENES.find((s) => s.id === 'steps');
  const n = referenceNumbers(st);
  assert.ok(n.fall >= 0 && n.fall < n.cross, `H falls at step ${n.fall}, p > p† from step ${n.cross}`);
  const text = plainText(st.answer(n).text);
  assert.match(text, new RegExp(`H already falls from step ${n.fall} to ${n.fall + 1} \\(exact ${signed(n.dh[n.fall])} nats\\)`));
  assert.match(text, /still below p†/);
});

test('the curve scenes say what the ◆ is, with the reference’s exact flip', () => {
  for (const id of ['nudge', 'quadrants', 'yours']) {
    const s = SCENES.find((x) => x.id === id);
    const n = referenceNumbers(s);
    const text = plainText(s.answer(n).text);
    const m = /◆ at q = ([0-9.]+)/.exec(text);
    assert.ok(m && Math.abs(Number(m[1]) - n.exactFlip) <= 5e-3 * n.exactFlip, `${id}: ${text}`);
    assert.match(text, /see under the curve/);
  }
  // Scene 2's claim is first order: the ◆ of ε = 0.5 sits below e^−H.
  const nudge = SCENES.find((x) => x.id === 'nudge');
  assert.match(nudge.claim, /^To first order/);
  assert.ok(referenceNumbers(nudge).exactFlip < referenceNumbers(nudge).eH);
});

test('a term’s tooltip does not repeat its heading', () => {
  for (const key of Object.keys(TERMS)) {
    const { heading, def } = termTip(key);
    const shown = plainText(`${heading ? `${heading}: ` : ''}${def}`);
    const name = plainText(TERMS[key].name);
    assert.ok(!shown.toLowerCase().startsWith(`${name}: ${name}`.toLowerCase()), `${key}: ${shown.slice(0, 60)}`);
    assert.ok(shown.toLowerCase().includes(name.toLowerCase().split(' ').at(-1)), `${key}: the tip names the term`);
  }
});

test('signed numbers carry their sign', () => {
  assert.equal(signed(0.02236), '+0.0224');
  assert.equal(signed(-0.4816), '−0.482');
  assert.equal(direction(0), 'same');
});
