// The run panel's parse workers (www/js/runs/parse-worker.js, issue 23): with
// ?workers=N (N > 1) each file is parsed by one of N workers and the run
// worker replays their recordings in file order. Everything the page shows
// must be what one reader gives (?workers=1), bit for bit: the exported
// per-step CSV (every number printed in full) as the same text, the kept
// token a jump shows, the status, and the same first error. Values themselves
// are checked against independent arithmetic in run.test.mjs; the replay
// against direct reading in tests/native/run_tape.rs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { open } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { upload } from './run-page.mjs';

const RUNS = new URL('../www/examples/runs/', import.meta.url).pathname;
const INDEX = JSON.parse(await readFile(join(RUNS, 'index.json'), 'utf8'));
const files = (name) => INDEX[name].map((p) => join(RUNS, p));

const env = useEnv({ tmp: 'ep-run-parallel-' });

const text = (page, id) => page.evaluate((q) => document.querySelector(`[data-testid="${q}"]`)?.textContent ?? '', id);

/** Counts the parse workers the page makes (lib/worker-rpc.js looks Worker up at each call). */
const countParsers = (page) =>
  page.evaluate(() => {
    const Made = window.Worker;
    Object.assign(window, { __parsers: 0 });
    window.Worker = class extends Made {
      constructor(url, options) {
        super(url, options);
        if (String(url).endsWith('/parse-worker.js')) window.__parsers++;
      }
    };
  });

/** Loads `paths` with ?workers=n; → what the page shows: state, status (timing cut), CSV, a kept token, error. */
async function shown(page, paths, n) {
  await page.evaluate((w) => history.replaceState(null, '', `?workers=${w}`), n);
  const before = await page.evaluate(() => window.__parsers);
  const state = await upload(page, paths);
  const parsers = (await page.evaluate(() => window.__parsers)) - before;
  if (state !== 'ready') return { state, parsers, error: await text(page, 'run-error') };
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-steps"]')]);
  const csv = await readFile(await download.path(), 'utf8');
  // The jump clicked in the page, with the pointer parked in the corner: a token the redrawn
  // view puts under a pointer left on the page shows itself on hover (WebKit, once).
  await page.mouse.move(0, 0);
  await page.evaluate(() => /** @type {HTMLElement} */ (document.querySelector('[data-testid="run-jump-expand"]')).click());
  const where = await page.evaluate(() => document.querySelector('[data-testid="run-token"] dd[data-key="where"]')?.textContent ?? '');
  // the status names the time taken, which differs
  const status = (await text(page, 'run-status')).replace(/in [\d.]+ m?s/g, 'in …');
  return { state, parsers, csv, where, status };
}

test('parse workers give what one reader gives: examples, a skipped file, an error, a trace-stream chunk', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  await countParsers(page);

  for (const name of ['prime-rl', 'nemo-rl', 'smollm2-grpo']) {
    const one = await shown(page, files(name), 1);
    assert.equal(one.state, 'ready', `${name}: ${one.error}`);
    assert.equal(one.parsers, 0, `${name}: ?workers=1 reads alone`);
    const three = await shown(page, files(name), 3);
    assert.equal(three.parsers, 3, `${name}: three parse workers`);
    assert.deepEqual(three, { ...one, parsers: 3 }, `${name}: parsed by three workers`);
    assert.ok(one.csv.split('\n').length > 3 && one.where.includes('line'), `${name}: ${one.where}`);
  }

  // a file that is not a run file among them, before the run's file: skipped alike
  const config = join(env.tmp, 'config.json');
  await writeFile(config, `${JSON.stringify({ model: 'x' }, null, 2)}\n`);
  const withConfig = [config, ...files('prime-rl').slice(0, 3)];
  const a = await shown(page, withConfig, 1);
  assert.equal(a.state, 'ready', a.error);
  assert.match(a.status, /skipped as not run files: config\.json/);
  assert.deepEqual(await shown(page, withConfig, 2), { ...a, parsers: 2 });

  // a bad line in the third file: the same message (file, line, field)
  const bad = join(env.tmp, 'train_data_step3.jsonl');
  const lines = (await readFile(files('nemo-rl')[2], 'utf8')).split('\n');
  lines[1] = lines[1].slice(0, 80); // cut short: not JSON
  await writeFile(bad, lines.join('\n'));
  const broken = [...files('nemo-rl').slice(0, 2), bad, files('nemo-rl')[3]];
  const e1 = await shown(page, broken, 1);
  assert.equal(e1.state, 'error');
  assert.match(e1.error, /train_data_step3\.jsonl:2\b/);
  assert.deepEqual(await shown(page, broken, 3), { ...e1, parsers: 3 });

  // trace-stream chunks under other names (no folder, so no reading plan): a
  // parse worker meets one, and the run worker reads the whole run itself
  const chunks = [];
  for (const [k, p] of files('prime-rl-traces')
    .filter((p) => p.endsWith('.jsonl'))
    .entries()) {
    chunks.push(join(env.tmp, `part${k}.jsonl`));
    await copyFile(p, chunks[k]);
  }
  const c1 = await shown(page, chunks, 1);
  const c2 = await shown(page, chunks, 2);
  assert.equal(c2.parsers, 2);
  assert.deepEqual(c2, { ...c1, parsers: 2 }, 'read again by one reader');

  assert.deepEqual(problems, []);
  await context.close();
});
