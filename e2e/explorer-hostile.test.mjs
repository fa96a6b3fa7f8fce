// Hostile inputs to the explorer (issue 9 items 3, 4, 5, 7, 8): each was a
// defect; each test here failed before its fix. Expected numbers come from
// e2e/reference.mjs (plain double-precision formulas, written apart from
// the core).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, ARTIFACTS } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { stats, firstOrder, exactChange, close } from './reference.mjs';

const env = useEnv();

const value = async (page, id) => Number(await page.getAttribute(`[data-testid="${id}"]`, 'data-value'));
const errorShown = (page) =>
  page.evaluate(() => {
    const box = document.querySelector('[data-testid="error"]');
    return box.hidden ? '' : box.textContent;
  });

/** A float32 .npy (v1 header) of `rows` × `vocab` values. */
function npy(path, rows, vocab, values) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${vocab}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(head);
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(new Float32Array(values).buffer)]));
}

async function uploadAndOpenRow(page, path, row) {
  await page.setInputFiles('[data-testid="upload"]', path);
  await page.waitForFunction(() => document.getElementById('slices').dataset.sliceState === 'ready', null, { timeout: 60000 });
  await page.click(`[data-testid="slice-row"][data-row="${row}"]`);
  await page.waitForFunction(() => !document.querySelector('[data-testid="row-banner"]').hidden, null, { timeout: 30000 });
}

test('a plain anchor in the hash keeps the page working (item 3)', async () => {
  const H = stats([2, 1, 0.5, -1]).H;
  for (const hash of ['#1', '#javascript:alert(1)', '#slices/', '#%E0%A4%A', '#slices']) {
    const { page, problems, context } = await open(env.browser, `${env.base}/index.html${hash}`);
    assert.ok(close(await value(page, 'entropy'), H, 1e-12), `${hash}: the default distribution is shown`);
    assert.equal(await page.evaluate(() => document.querySelectorAll('.bar').length), 4, `${hash}: bars`);
    assert.deepEqual(problems, [], hash);
    await context.close();
  }
});

test('row 0 of a one-row slice opens in the explorer (item 4)', async () => {
  const path = join(ARTIFACTS, 'one-row.csv');
  writeFileSync(path, '3,1,0.5,-2,0\n');
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  await uploadAndOpenRow(page, path, 0);
  assert.match(await page.textContent('[data-testid="row-banner"]'), /Row 0 of one-row\.csv: 5 tokens/);
  assert.match(await page.textContent('[data-testid="slice-status"]'), /Row 0 .*opened/);
  assert.ok(close(await value(page, 'entropy'), stats([3, 1, 0.5, -2, 0]).H, 1e-6));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a row of 152,064 tokens opens with its rest bucket (item 5)', async () => {
  const V = 152_064;
  let x = 987654321;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const z = Array.from(new Float32Array(Array.from({ length: V }, () => 3 * Math.log(rnd() + 1e-9))));
  const path = join(ARTIFACTS, 'vocab-152k.npy');
  npy(path, 1, V, z);
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  await uploadAndOpenRow(page, path, 0);
  assert.match(await page.textContent('[data-testid="row-banner"]'), /152,064 tokens/);
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok))); // readouts follow at the next frame
  assert.ok(close(await value(page, 'entropy'), stats(z).H, 1e-9), 'entropy of the full row');
  assert.equal(await page.evaluate(() => document.querySelectorAll('.bar').length), 63);
  assert.equal(await page.evaluate(() => document.querySelector('.bar-label:last-child').textContent), 'rest (152,002)');
  assert.equal(await errorShown(page), '');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the verdict follows the exact change when the first order has the wrong sign (item 7)', async () => {
  const z = [2, 1, 0.5, -1];
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=2,1,0.5,-1&step=1000&adv=-1000`);
  const first = firstOrder(z, 1, 0, 'pg', -1e6);
  const exact = exactChange(z, 1, 0, 'pg', -1e6);
  assert.ok(first > 0 && exact < 0, 'the case really disagrees');
  assert.ok(close(await value(page, 'exact'), exact, 1e-6));
  assert.equal(await page.getAttribute('[data-testid="verdict"]', 'class'), 'verdict contracts');
  const text = await page.textContent('[data-testid="verdict"]');
  assert.match(text, /narrows/);
  assert.match(text, /wrong sign.*linearisation/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a finite logit of 1e308 is written back as a number the text box accepts (item 8)', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/#logits=1e308,0,1,-1e308`);
  const text = await page.evaluate(() => document.querySelector('[data-testid="logits-text"]').value);
  assert.ok(!/Infinity/.test(text), `text box: ${text}`);
  assert.deepEqual(text.split(',').map(Number), [1e308, 0, 1, -1e308]);
  // Sending its own text back is accepted and changes nothing.
  await page.fill('[data-testid="logits-text"]', text);
  await page.evaluate(() => document.querySelector('[data-testid="logits-text"]').dispatchEvent(new Event('change')));
  assert.equal(await errorShown(page), '');
  assert.equal(await value(page, 'entropy'), 0);
  assert.match(await page.evaluate(() => location.hash), /logits=1e308,0,1,-1e308&/);
  assert.deepEqual(problems, []);
  await context.close();
});
