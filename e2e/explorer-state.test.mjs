// End to end: the explorer's state across links, history and steps (issue 11,
// "Bugs"). Each block reproduces one reported bug; expected numbers come from
// e2e/reference.mjs (independent formulas), never from the page's core.
// One page load for the bugs, one for sampling: this file's budget is ~60 s per engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { value, hashState } from './explorer-page.mjs';
import { stats, applyUpdate, softmax, close } from './reference.mjs';

const env = useEnv();

const logitsInHash = async (page) => (await hashState(page)).logits;
const rows = (page) => page.$$eval('[data-testid="history-table"] tbody tr', (r) => r.map((tr) => [...tr.cells].map((c) => c.textContent)));
const waitRows = (page, n) =>
  page.waitForFunction((n) => document.querySelectorAll('[data-testid="history-table"] tbody tr').length === n, n, { timeout: 10000 });
/** Waits until the entropy readout shows H (to 1e-9). */
const waitEntropy = (page, H) =>
  page.waitForFunction(
    (H) => {
      const v = Number(document.querySelector('[data-testid="entropy"]').dataset.value);
      return Math.abs(v - H) < 1e-9;
    },
    H,
    { timeout: 10000 },
  );
const num = (text) => Number(text.replace('−', '-'));

const Z0 = [2, 1, 0.5, -1];
// A link exactly as "Copy link" writes it (labels, T, adv: every key).
const PASTED = '#logits=0,0,0&labels=a,b,c&T=1&token=1&kind=pg&step=0.1&adv=1';

test('links, Back/Forward, and the step history stay true to the page', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=${Z0.join(',')}&token=0&kind=pg&step=0.5`);
  const H0 = stats(Z0).H;
  await waitEntropy(page, H0);

  // Bug: pasting a copied link into the same tab changed the address, not the page.
  await page.evaluate((h) => {
    location.hash = h;
  }, PASTED);
  await waitEntropy(page, Math.log(3));
  assert.deepEqual(await logitsInHash(page), [0, 0, 0]);
  assert.equal(await page.$eval('[data-testid="token"]', (s) => s.value), '1');

  // Bug: Back and Forward drifted the same way.
  await page.evaluate(() => history.back());
  await waitEntropy(page, H0);
  assert.deepEqual(await logitsInHash(page), Z0);
  await page.evaluate(() => history.forward());
  await waitEntropy(page, Math.log(3));
  await page.evaluate(() => history.back());
  await waitEntropy(page, H0);

  // Two steps on token 0, then one on token 3 (switching the token mid-run).
  await page.click('[data-testid="take-step"]');
  await waitRows(page, 1);
  await page.click('[data-testid="take-step"]');
  await waitRows(page, 2);
  await page.selectOption('[data-testid="token"]', '3');
  await page.click('[data-testid="take-step"]');
  await waitRows(page, 3);
  const z1 = applyUpdate(Z0, 1, 0, 'pg', 0.5);
  const z2 = applyUpdate(z1, 1, 0, 'pg', 0.5);
  const z3 = applyUpdate(z2, 1, 3, 'pg', 0.5);
  (await logitsInHash(page)).forEach((z, j) => assert.ok(close(z, z3[j], 1e-9), `logit ${j}`));
  // Bug: switching the token joined two tokens' p_k into one line. The p_k
  // column (and line) now follows one token, the chosen one, for every step;
  // the "rewarded" column says which token each step updated.
  const table = (await rows(page)).reverse(); // oldest first
  [z1, z2, z3].forEach((z, i) => {
    assert.ok(close(num(table[i][2]), softmax(z)[3], 1e-3), `p of token 3 after step ${i + 1}: ${table[i][2]}`);
    assert.ok(close(num(table[i][1]), stats(z).H, 1e-4), `H after step ${i + 1}`);
  });
  assert.deepEqual(
    table.map((r) => r[5]),
    ['t0', 't0', 't3'],
  );
  const pLine = await page.$eval('[data-testid="history"] .p-line', (p) => p.dataset.values.split(',').map(Number));
  [Z0, z1, z2, z3].forEach((z, i) => assert.ok(close(pLine[i], softmax(z)[3], 1e-9), `p line point ${i}`));

  // Undo restores the logits, and keeps settings changed since (η here).
  await page.fill('[data-testid="step"]', '0.2');
  await page.press('[data-testid="step"]', 'Enter');
  await page.click('[data-testid="undo-step"]');
  await waitRows(page, 2);
  (await logitsInHash(page)).forEach((z, j) => assert.ok(close(z, z2[j], 1e-9), `undo logit ${j}`));
  assert.equal(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('step')), '0.2');

  // Bug: changing the distribution kept the old history, whose rows then lied;
  // Undo or Reset after a preset change silently discarded the preset.
  await page.selectOption('[data-testid="preset"]', 'uniform');
  await waitEntropy(page, Math.log(8));
  await waitRows(page, 0);
  assert.equal(await page.$eval('[data-testid="undo-step"]', (b) => b.disabled), true);
  assert.equal(await page.$eval('[data-testid="reset-steps"]', (b) => b.disabled), true);
  // Bug: the step history's H scale topped at its last round tick (2 for
  // H = ln 8), so a high H was drawn above the chart, over its labels.
  const [dotY, plotTop] = await page.$eval('[data-testid="history"]', (s) => [
    Number(s.querySelector('.h-dot').getAttribute('cy')),
    Math.min(...[...s.querySelectorAll('line.axis')].map((l) => Number(l.getAttribute('y1')))),
  ]);
  assert.ok(dotY >= plotTop, `H = ln 8 drawn at row ${dotY}, above the plot's top ${plotTop}`);
  await page.evaluate(() => {
    for (const id of ['undo-step', 'reset-steps']) document.querySelector(`[data-testid="${id}"]`).click();
  });
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok)));
  assert.deepEqual(await logitsInHash(page), Array(8).fill(0), 'the preset stays');
  assert.ok(close(await value(page, 'entropy'), Math.log(8), 1e-12));

  // A step, then a typed logit: the history starts again from the new distribution.
  await page.click('[data-testid="take-step"]');
  await waitRows(page, 1);
  await page.fill('[data-testid="token-logit"]', '1');
  await page.press('[data-testid="token-logit"]', 'Enter');
  await waitRows(page, 0);
  // A pasted link with other logits also starts a new history.
  await page.click('[data-testid="take-step"]');
  await waitRows(page, 1);
  await page.evaluate((h) => {
    location.hash = h;
  }, PASTED);
  await waitEntropy(page, Math.log(3));
  await waitRows(page, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

/** −(η/T) Cov_p(A, S), A the rewards normalised under p: written from docs/math.md. */
function expectedChange(z, rewards, eta) {
  const { p, S, Sbar } = stats(z);
  const mean = p.reduce((a, x, j) => a + x * rewards[j], 0);
  const sd = Math.sqrt(p.reduce((a, x, j) => a + x * (rewards[j] - mean) ** 2, 0));
  const A = rewards.map((r) => (sd > 0 ? (r - mean) / sd : 0));
  const Abar = p.reduce((a, x, j) => a + x * A[j], 0);
  return -eta * (p.reduce((a, x, j) => a + x * A[j] * S[j], 0) - Abar * Sbar);
}

/**
 * The expected first-order ΔH of a GRPO-style step over a group of G, by brute force:
 * every ordered G-tuple of draws, weighted by Π p, its step from groupStep, ΔH ≈ −Σ_j S_j Δz_j (T = 1).
 */
function groupExpectation(z, rewards, G, eta) {
  const { p, S } = stats(z);
  const V = p.length;
  let total = 0;
  for (let code = 0; code < V ** G; code++) {
    const counts = Array(V).fill(0);
    let w = 1;
    for (let i = 0, c = code; i < G; i++, c = Math.floor(c / V)) {
      counts[c % V]++;
      w *= p[c % V];
    }
    const z1 = groupStep(z, rewards, counts, eta);
    total += w * -S.reduce((a, s, j) => a + s * (z1[j] - z[j]), 0);
  }
  return total;
}

/** The GRPO-style step from the draws' counts per token (docs/math.md, "Sampling"). */
function groupStep(z, rewards, counts, eta) {
  const p = softmax(z);
  const draws = counts.flatMap((n, k) => Array(n).fill(k));
  const G = draws.length;
  const r = draws.map((k) => rewards[k]);
  const mean = r.reduce((a, b) => a + b, 0) / G;
  const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / G);
  const A = r.map((x) => (sd > 0 ? (x - mean) / sd : 0));
  return z.map((zj, j) => zj + (eta / G) * draws.reduce((a, k, i) => a + A[i] * ((k === j ? 1 : 0) - p[j]), 0));
}

test('sample and reward: expected ΔH, the sampled step, and the history of draws', async () => {
  const labels = ['t0', 't1', 't2', 't3']; // a link with logits and no labels
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=${Z0.join(',')}&token=0&kind=pg&step=0.5`);
  // No rewards: nothing to prefer, expected 0.
  assert.equal(await value(page, 'expected-change'), 0);
  await page.click('[data-testid="reward-0"]');
  await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('rewards') === '1,0,0,0');
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok)));
  assert.equal(await page.getAttribute('[data-testid="reward-0"]', 'aria-pressed'), 'true');
  const want = expectedChange(Z0, [1, 0, 0, 0], 0.5);
  assert.ok(
    want < 0 && close(await value(page, 'expected-change'), want, 1e-9),
    `expected ΔH ${await value(page, 'expected-change')} vs ${want}`,
  );

  // For the group of G = 8 itself, normalised by its own mean and sd: less than the many-samples value.
  const g8 = groupExpectation(Z0, [1, 0, 0, 0], 8, 0.5);
  const shown = await value(page, 'expected-group-change');
  assert.ok(close(shown, g8, 1e-9) && Math.abs(g8) < Math.abs(want), `expected ΔH at G = 8: ${shown} vs ${g8} (population ${want})`);

  await page.click('[data-testid="sample-step"]');
  await waitRows(page, 1);
  const [row] = await rows(page);
  // "★Paris ×5, Lyon ×2, …": the draws of the group, rewarded ones starred.
  const counts = [0, 0, 0, 0];
  for (const part of row[5].split(', ')) {
    const m = /^(★?)(\S+) ×(\d+)$/.exec(part);
    assert.ok(m, `draw "${part}"`);
    const k = labels.indexOf(m[2]);
    counts[k] = Number(m[3]);
    assert.equal(m[1] === '★', k === 0, `star on ${m[2]}`);
  }
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    8,
    'a group of G = 8',
  );
  const z1 = groupStep(Z0, [1, 0, 0, 0], counts, 0.5);
  (await logitsInHash(page)).forEach((z, j) => assert.ok(close(z, z1[j], 1e-9), `logit ${j}: ${z} vs ${z1[j]}`));
  const realised = await value(page, 'sampled-realised');
  assert.ok(close(realised, stats(z1).H - stats(Z0).H, 1e-9, 1e-12), 'realised ΔH');
  assert.ok(close(num(row[3]), g8, 1e-3), 'the row shows the expected ΔH for its group size as its prediction');

  // Ten more: collapse emerges from rewarding the likely token.
  await page.click('[data-testid="sample-10"]');
  await waitRows(page, 11);
  assert.ok((await value(page, 'entropy')) < stats(Z0).H - 0.1, 'entropy falls');
  // Rewarding every token alike: no advantage, nothing moves.
  // One toggle at a time: each click waits for its own reward in the link, so a click never
  // lands on a button the previous toggle is redrawing (seen once in WebKit under load).
  for (const j of [1, 2, 3]) {
    await page.click(`[data-testid="reward-${j}"]`);
    await page.waitForFunction((k) => (new URLSearchParams(location.hash.slice(1)).get('rewards') ?? '').split(',')[k] === '1', j);
  }
  await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('rewards') === '1,1,1,1');
  const before = await logitsInHash(page);
  await page.click('[data-testid="sample-step"]');
  await waitRows(page, 12);
  assert.deepEqual(await logitsInHash(page), before);
  // Bad group sizes are refused and the previous one kept.
  await page.fill('[data-testid="group"]', '2.5');
  await page.press('[data-testid="group"]', 'Enter');
  await page.waitForFunction(() => /Group size/.test(document.querySelector('[data-testid="error"]').textContent));
  assert.equal(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('group')), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('legible on a 390 px phone: touch targets, p on the bars, terms, the verdict’s reason, the lab’s chart first', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=${Z0.join(',')}&token=0&kind=pg&step=0.1`, {
    viewport: { width: 390, height: 844 },
  });
  const ref = stats(Z0);
  // The verdict says why: p against p†, and the sign of A.
  const verdict = await page.textContent('[data-testid="verdict"]');
  assert.match(
    verdict,
    new RegExp(`narrows the distribution because p = ${ref.p[0].toFixed(3)} > p† = ${ref.flipPG.toFixed(3)} and A > 0`),
  );
  // p on every bar, without hovering (touch screens never hover).
  const shown = await page.$$eval('[data-testid^="bar-"] .bar-value', (v) => v.map((e) => e.textContent));
  ref.p.forEach((p, j) => assert.equal(Number(`0${shown[j]}`), Number(p.toFixed(2)), `bar ${j} shows p`));
  // Touch targets: the update's buttons and the reward toggles are ≥ 44 px tall.
  const small = await page.$$eval(
    '.steps button, .tools button, .token-edit button, [data-testid="rewards"] button, select, input[type="number"]',
    (els) => els.filter((e) => e.offsetParent && e.getBoundingClientRect().height < 44).map((e) => e.outerHTML.slice(0, 60)),
  );
  assert.deepEqual(small, []);
  // A swipe on the bars scrolls; only a bar's handle takes a drag.
  const touch = await page.evaluate(() => [
    getComputedStyle(document.querySelector('.bars-plot')).touchAction,
    getComputedStyle(document.querySelector('.bar-handle')).touchAction,
  ]);
  assert.deepEqual(touch, ['pan-y', 'none']);
  // A term's definition appears on focus (a tap focuses it) and is read out.
  await page.focus('[data-term="pdagger"]');
  const tip = await page.evaluate(() => {
    const t = document.activeElement.querySelector('.term-tip');
    return {
      visible: getComputedStyle(t).display !== 'none',
      text: t.textContent,
      by: document.activeElement.getAttribute('aria-describedby') === t.id,
    };
  });
  assert.ok(tip.visible && tip.by && /widens the distribution/.test(tip.text), JSON.stringify(tip));
  // The token table's last column (ΔH with its ▲/▼) is on screen, not clipped behind a scroll.
  const table = await page.$eval('[data-testid="token-table"]', (t) => {
    const wrap = t.parentElement.getBoundingClientRect();
    const last = t.querySelector('tbody tr td:last-child').getBoundingClientRect();
    return { over: t.parentElement.scrollWidth - t.parentElement.clientWidth, right: last.right, wrap: wrap.right };
  });
  assert.ok(table.over <= 0 && table.right <= table.wrap + 0.5, `token table: ${JSON.stringify(table)}`);
  // The history's labels are legible: ≥ 9 CSS px on screen.
  const px = await page.$eval('#history text', (t) => t.getBoundingClientRect().height);
  assert.ok(px >= 9, `history label ${px} px tall`);
  // The lab: the first chart comes before the settings.
  await page.goto(`${env.base}/lab.html`);
  await page.waitForSelector('[data-testid="lab-chart-entropy"]');
  const order = await page.evaluate(() => {
    const y = (sel) => document.querySelector(sel).getBoundingClientRect().top;
    return [y('[data-testid="lab-chart-entropy"]'), y('#params')];
  });
  assert.ok(order[0] < order[1], `lab chart at ${order[0]}, settings at ${order[1]}`);
  assert.deepEqual(problems, []);
  await context.close();
});
