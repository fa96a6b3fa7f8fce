// End to end: the served page in Debian's Chromium. Readouts are checked
// against e2e/reference.mjs (independent formulas), never against the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { open, ARTIFACTS } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { value, hashState } from './explorer-page.mjs';
import { stats, firstOrder, exactChange, applyUpdate, close } from './reference.mjs';

const env = useEnv();

async function checkReadouts(page) {
  // The link changes at once, the readouts at the next frame (a late one in WebKitGTK).
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok)));
  const s = await hashState(page);
  const ref = stats(s.logits, s.T);
  const step = s.step * s.adv;
  assert.ok(close(await value(page, 'entropy'), ref.H, 1e-12), 'entropy');
  assert.ok(close(await value(page, 'flip-nudge'), ref.flipNudge, 1e-12), 'e^-H');
  assert.ok(close(await value(page, 'flip-pg'), ref.flipPG, 1e-10), 'p†');
  assert.ok(close(await value(page, 'prob'), ref.p[s.token], 1e-12), 'p_k');
  assert.ok(close(await value(page, 'first-order'), firstOrder(s.logits, s.T, s.token, s.kind, step), 1e-10), 'first order');
  assert.ok(close(await value(page, 'exact'), exactChange(s.logits, s.T, s.token, s.kind, step), 1e-7, 1e-15), 'exact');
  return s;
}

test('a hash link restores the view and the readouts match independent arithmetic', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1`);
  const s = await checkReadouts(page);
  assert.deepEqual(s.logits, [2, 1, 0.5, -1]);
  assert.equal(s.kind, 'pg');
  // Worked numbers for this link (computed by hand from the formulas): H ≈ 1.01436 nats.
  assert.ok(Math.abs((await value(page, 'entropy')) - 1.01436) < 1e-4);
  // Every hook of docs/contract.md is on the page.
  for (const id of ['entropy', 'flip-nudge', 'flip-pg', 'curve', 'error', 'export-svg']) {
    assert.ok(await page.$(`[data-testid="${id}"]`), `data-testid=${id}`);
  }
  await page.screenshot({ path: `${ARTIFACTS}/page-light-1280.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('nudge kind, temperature and a masked token from the hash', async () => {
  const { page, problems, context } = await open(
    env.browser,
    `${env.base}/#logits=1.5,-inf,0.2,-0.7,3&T=0.7&token=2&kind=nudge&step=0.5&adv=-1`,
  );
  const s = await checkReadouts(page);
  assert.equal(s.logits[1], -Infinity);
  assert.equal(await value(page, 'prob').then((v) => v > 0), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('dragging a bar and typing a logit change the readouts and the URL', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1`);
  const before = await value(page, 'entropy');
  const box = await page.$eval('.bars-plot', (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  });
  // Bar 1 ("Lyon") sits in the second quarter; drag it to half height: p = 0.5.
  const x = box.x + box.w * (1.5 / 4);
  await page.mouse.move(x, box.y + box.h - 5);
  await page.mouse.down();
  await page.mouse.move(x, box.y + box.h * 0.75, { steps: 4 });
  await page.mouse.move(x, box.y + box.h * 0.5, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('token') === '1');
  const s = await checkReadouts(page);
  assert.ok(Math.abs(stats(s.logits, s.T).p[1] - 0.5) < 0.01, `bar 1 dragged to p≈0.5, got ${stats(s.logits, s.T).p[1]}`);
  assert.notEqual(await value(page, 'entropy'), before);
  // The other tokens kept their logits.
  assert.deepEqual([s.logits[0], s.logits[2], s.logits[3]], [2, 0.5, -1]);

  // Type a logit for token 3.
  await page.selectOption('[data-testid="token"]', '3');
  await page.fill('[data-testid="token-logit"]', '2.5');
  await page.press('[data-testid="token-logit"]', 'Enter');
  await page.waitForFunction(() => location.hash.includes('token=3') && location.hash.includes(',2.5&'));
  const s2 = await checkReadouts(page);
  assert.equal(s2.logits[3], 2.5);

  // Keyboard: the selected bar takes arrow keys.
  await page.focus('[data-testid="bar-3"]');
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => location.hash.includes(',2.6&'));
  await checkReadouts(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad input is explained and the previous view is kept', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1`);
  const hash = await page.evaluate(() => location.hash);
  await page.fill('[data-testid="logits-text"]', '1, 2, abc');
  await page.dispatchEvent('[data-testid="logits-text"]', 'change');
  const err = page.locator('[data-testid="error"]');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /Logit 3 .*abc.* not a number/);
  assert.equal(await page.evaluate(() => location.hash), hash, 'state kept');
  // The typed text stays (to be corrected), marked invalid; the view is unchanged.
  assert.equal(await page.inputValue('[data-testid="logits-text"]'), '1, 2, abc');
  assert.equal(await page.getAttribute('[data-testid="logits-text"]', 'aria-invalid'), 'true');

  // All masked: the core's message reaches the page.
  await page.fill('[data-testid="logits-text"]', '-inf, -inf');
  await page.dispatchEvent('[data-testid="logits-text"]', 'change');
  await page.waitForFunction(() => /masked/.test(document.querySelector('[data-testid="error"]').textContent));
  assert.equal(await page.evaluate(() => location.hash), hash);
  await checkReadouts(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a broken link says what it could not use and still shows a view', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=1,NaN,2&token=0&kind=zz`);
  const msg = await page.textContent('[data-testid="error"]');
  assert.match(msg, /logit 2 in the link is not a number/);
  assert.match(msg, /unknown update kind "zz"/);
  await checkReadouts(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('SVG export is drawn by the chart code and contains the curve', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1&log=1`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-svg"]')]);
  const svg = await readFile(await download.path(), 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /p†/);
  assert.ok((svg.match(/<polyline|<path/g) ?? []).length >= 3, 'curves present');
  assert.deepEqual(problems, []);
  await context.close();
});

test('taking the step for real: collapse for a likely token, expansion for an unlikely one, undo and reset', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=2,1,0.5,-1&token=0&kind=pg&step=0.5`);
  const rows = () => page.$$eval('[data-testid="history-table"] tbody tr', (r) => r.length);
  const H0 = await value(page, 'entropy');
  const predicted = await value(page, 'first-order');
  await page.click('[data-testid="take-step"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-table"] tbody tr').length === 1);
  const H1 = await value(page, 'entropy');
  const z0 = [2, 1, 0.5, -1];
  const want = applyUpdate(z0, 1, 0, 'pg', 0.5);
  const s = await hashState(page);
  s.logits.forEach((z, j) => assert.ok(Math.abs(z - want[j]) < 1e-10, `logit ${j}: ${z} vs ${want[j]}`));
  assert.ok(H1 < H0, 'reinforcing the likely token narrows');
  assert.ok(Math.abs(H1 - H0 - exactChange(z0, 1, 0, 'pg', 0.5)) < 1e-10, 'realised change');
  const cells = await page.$$eval('[data-testid="history-table"] tbody tr:first-child td', (td) => td.map((c) => c.textContent));
  assert.equal(cells[0], '1');
  assert.ok(Math.abs(Number(cells[3].replace('−', '-')) - predicted) < 1e-4 * Math.abs(predicted), 'predicted ΔH shown');

  await page.click('[data-testid="take-10"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-table"] tbody tr').length === 11, null, {
    timeout: 10000,
  });
  const H11 = await value(page, 'entropy');
  assert.ok(H11 < H1 && H11 < 0.5, `entropy collapses: ${H11}`);
  await page.click('[data-testid="undo-step"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-table"] tbody tr').length === 10);
  assert.ok((await value(page, 'entropy')) > H11);
  await page.click('[data-testid="reset-steps"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-table"] tbody tr').length === 0);
  assert.deepEqual((await hashState(page)).logits, z0);
  assert.equal(await value(page, 'entropy'), H0);

  // The unlikely token: the first step widens the distribution.
  await page.selectOption('[data-testid="token"]', '3');
  await page.click('[data-testid="take-step"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-table"] tbody tr').length === 1);
  assert.ok((await value(page, 'entropy')) > H0, 'reinforcing the unlikely token widens');
  assert.equal(await rows(), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a row opened from a slice: full-row numbers, top tokens plus a rest bucket, editing makes a toy', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/${'#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1'}`);
  // A 20,000-token row with a spread like a real model's (fixed pseudo-random values).
  const V = 20000;
  let x = 12345;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const z = Array.from({ length: V }, (_, j) => (j === 7 ? 9 : (4 * Math.log(rnd() + 1e-9)) / 3));
  const f32 = Array.from(new Float32Array(z)); // the slice panel sends float32 rows
  await page.evaluate(
    ([logits]) =>
      window.dispatchEvent(
        new CustomEvent('open-row', {
          detail: {
            logits: new Float32Array(logits),
            token: 123,
            labels: null,
            name: 'test.npy',
            index: 5,
            advantage: -1,
            truncated: false,
          },
        }),
      ),
    [f32],
  );
  await page.waitForFunction(() => !document.querySelector('[data-testid="row-banner"]').hidden);
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok))); // readouts follow at the next frame
  assert.match(await page.textContent('[data-testid="row-banner"]'), /Row 5 of test\.npy: 20,000 tokens/);
  const ref = stats(f32, 1);
  assert.ok(close(await value(page, 'entropy'), ref.H, 1e-10), 'entropy of the full row');
  assert.ok(close(await value(page, 'prob'), ref.p[123], 1e-10), 'the sampled token');
  assert.ok(close(await value(page, 'first-order'), firstOrder(f32, 1, 123, 'pg', 0.1 * -1), 1e-8), 'first order with A = −1');
  assert.equal(await page.$$eval('.bar', (b) => b.length), 63, '62 top tokens and one rest bucket');
  assert.match(await page.$eval('.bar-label:last-child', (el) => el.textContent), /^rest \(19,938\)$/);
  // Editing a logit leaves the row for a toy copy of the bars.
  await page.fill('[data-testid="token-logit"]', '0');
  await page.press('[data-testid="token-logit"]', 'Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="row-banner"]').hidden);
  const s = await hashState(page);
  assert.equal(s.logits.length, 63);
  await checkReadouts(page);
  assert.deepEqual(problems, []);
  await context.close();
});
