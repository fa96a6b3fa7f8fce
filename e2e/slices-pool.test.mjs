// The slice pool end to end (www/js/slices/pool.js, js/slices/pool-worker.js): one page,
// files of several 24 MiB chunks. With ?workers=3 the exported CSV (every
// number printed in full) is the same text as with ?workers=1 (the slice
// worker alone), so the pool's results are bit for bit the single worker's;
// a NaN in a later chunk names its row in the file and keeps the previous
// view; cancel in the middle of a pool run, then another file loads; the
// pool's workers are made by the page, not inside the slice worker (in
// Firefox a nested `new Worker` now and then never returned, and the load
// never finished), and loads one after another, some cancelled, all end. Values
// themselves are checked against an independent f64 reference in
// slices.test.mjs and tests/js/pool.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, open as openFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, open } from './harness.mjs';
import { close } from './reference.mjs';

const ROWS = 144;
const VOCAB = 131072; // 512 KiB rows: 48 rows per chunk, 3 chunks

let env, tmp;
before(async () => {
  env = await setup();
  tmp = await mkdtemp(join(tmpdir(), 'ep-pool-'));
});
after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Row r of the test file: its own slope and phase; row 40 near-one-hot, row 50 half masked; `nanRow` gets a NaN. */
function row(r, nanRow) {
  const z = new Float32Array(VOCAB);
  const slope = 0.6 + (r % 9) / 6;
  for (let j = 0; j < VOCAB; j++) z[j] = -slope * Math.log(j + 1) + 0.5 * Math.sin(j * 12.9898 + r);
  if (r === 40) z[123] += 60;
  if (r === 50) for (let j = 1; j < VOCAB; j += 2) z[j] = -Infinity;
  if (r === nanRow) z[777] = Number.NaN;
  return z;
}

async function writeNpy(path, nanRow = -1) {
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${ROWS}, ${VOCAB}), }`;
  h += ' '.repeat(63 - ((10 + h.length) % 64)) + '\n';
  const lead = Buffer.alloc(10);
  lead.write('\x93NUMPY', 0, 'latin1');
  lead[6] = 1;
  lead.writeUInt16LE(h.length, 8);
  const fh = await openFile(path, 'w');
  try {
    await fh.write(Buffer.concat([lead, Buffer.from(h, 'latin1')]));
    for (let r = 0; r < ROWS; r++) await fh.write(Buffer.from(row(r, nanRow).buffer));
  } finally {
    await fh.close();
  }
}

/** f64 entropy of row r (two passes), independent of the page. */
function entropy(r) {
  const z = row(r);
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0,
    sy = 0;
  for (const v of z)
    if (v > -Infinity) {
      const e = Math.exp(v - m);
      s += e;
      sy += e * (v - m);
    }
  return Math.log(s) - sy / s;
}

const state = (page) => page.$eval('#slices', (s) => s.dataset.sliceState ?? '');
const text = (page, id) => page.$eval(`[data-testid="${id}"]`, (e) => e.textContent);

/** Loads `path` with ?workers=N (null: without it, the page's default). */
async function upload(page, path, workers) {
  await page.evaluate((w) => history.replaceState(null, '', w ? `?workers=${w}` : location.pathname), workers);
  const before = await page.$eval('#slices', (s) => s.dataset.sliceId ?? '');
  await page.setInputFiles('[data-testid="upload"]', path);
  await page.waitForFunction(
    (prev) => {
      const s = document.getElementById('slices');
      return ['error', 'cancelled'].includes(s.dataset.sliceState) || (s.dataset.sliceState === 'ready' && s.dataset.sliceId !== prev);
    },
    before,
    { timeout: 60000 },
  );
  return state(page);
}

async function exportCsv(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-rows"]')]);
  return readFile(await download.path(), 'utf8');
}

test('pool of workers: same CSV as one worker, a NaN row named, cancel then load', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  const good = join(tmp, 'pool.npy');
  const bad = join(tmp, 'pool-nan.npy');
  await writeNpy(good);
  await writeNpy(bad, 140); // third chunk
  try {
    // count the pool workers the page makes (lib/worker-rpc.js looks Worker up at each call),
    // all the workers, and the compiled wasm modules posted to them (issue 23: compiled once)
    await page.evaluate(() => {
      const Made = window.Worker;
      Object.assign(window, { __poolWorkers: 0, __workers: 0, __modulesPosted: 0 });
      window.Worker = class extends Made {
        constructor(url, options) {
          super(url, options);
          window.__workers++;
          if (String(url).endsWith('/pool-worker.js')) window.__poolWorkers++;
        }
        postMessage(m, transfer) {
          super.postMessage(m, transfer);
          if (m?.type === 'wasm' && m.module instanceof WebAssembly.Module) window.__modulesPosted++;
        }
      };
    });
    await page.check('[data-testid="greedy"]'); // token columns too
    // one worker: the slice worker reads and analyses alone
    assert.equal(await upload(page, good, 1), 'ready');
    assert.doesNotMatch(await text(page, 'slice-read'), /workers/);
    const single = await exportCsv(page);
    // three workers: the same text, so the same numbers bit for bit
    assert.equal(await upload(page, good, 3), 'ready');
    assert.match(await text(page, 'slice-read'), /3 workers/);
    assert.equal(await page.evaluate(() => window.__poolWorkers), 3, 'the page made the 3 pool workers');
    const { workers, modules } = await page.evaluate(() => ({ workers: window.__workers, modules: window.__modulesPosted }));
    assert.equal(workers, 5, 'two slice workers and three pool workers');
    assert.equal(modules, workers, 'each worker was posted the compiled module, none compiles it itself');
    const pooled = await exportCsv(page);
    assert.equal(pooled, single, 'pooled CSV differs from the single worker’s');
    const lines = pooled
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    assert.equal(lines.length, ROWS);
    for (const r of [0, 40, 47, 48, 50, 95, 96, 143]) {
      const H = entropy(r);
      assert.ok(close(Number(lines[r][1]), H, 1e-5, 1e-12), `row ${r} entropy ${lines[r][1]} vs ${H}`);
    }
    // a NaN in row 140, read by one of three workers: named, the view kept
    assert.equal(await upload(page, bad, 3), 'error');
    const err = await text(page, 'error');
    assert.match(err, /\brow 140\b/i, err);
    assert.match(err, /NaN/i, err);
    assert.match(await text(page, 'slice-status'), /Kept the previous slice \(pool\.npy\)/);
    // cancel in the middle of a pool run, then another file loads
    await page.evaluate(() => history.replaceState(null, '', '?workers=2'));
    await page.setInputFiles('[data-testid="upload"]', good);
    // Click Cancel in the same task that sees the load running: with the pool on by default
    // a 48 MiB load can end between a wait and a separate click, and Cancel is then hidden.
    await page.waitForFunction(
      () => {
        const cancel = document.querySelector('[data-testid="cancel"]');
        if (document.getElementById('slices').dataset.sliceState !== 'loading') return false;
        if (!(cancel instanceof HTMLElement) || cancel.closest('[hidden]')) return false;
        cancel.click();
        return true;
      },
      null,
      { polling: 5, timeout: 20000 },
    );
    await page.waitForFunction(() => document.getElementById('slices').dataset.sliceState !== 'loading', null, { timeout: 20000 });
    const after = await state(page);
    // (the load may have finished before the click on a fast machine)
    if (after === 'cancelled') assert.match(await text(page, 'slice-status'), /Cancelled; kept the previous slice \(pool\.npy\)/);
    else assert.equal(after, 'ready');
    await page.waitForTimeout(300);
    assert.equal(await state(page), after, 'nothing arrives after cancel');
    assert.equal(await upload(page, good, 2), 'ready');
    assert.equal(await exportCsv(page), single, 'after the cancel, the same results again');
    // the default (no ?workers): the pool, one worker per core (issue 23), the same numbers
    assert.equal(await upload(page, good, null), 'ready');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    // (one per core, capped by the file's chunks: 3 here)
    if (cores > 1) assert.match(await text(page, 'slice-read'), new RegExp(`, ${Math.min(cores, 3)} workers`));
    assert.equal(await exportCsv(page), single, 'the default (pooled) CSV differs from the single worker’s');
    // loads back to back, every other one cancelled a little later each time: each one ends
    for (let i = 0; i < 4; i++) {
      if (i % 2) {
        await page.setInputFiles('[data-testid="upload"]', good);
        await page.waitForTimeout(80 * i);
        // The load may have ended before the click: Cancel is then hidden.
        await page.evaluate(() => {
          const cancel = document.querySelector('[data-testid="cancel"]');
          if (cancel instanceof HTMLElement && !cancel.closest('[hidden]')) cancel.click();
        });
        assert.match(await state(page), /^(cancelled|ready)$/, `load ${i}: cancel stops it`);
      } else assert.equal(await upload(page, good, 2), 'ready', `load ${i}`);
    }
  } finally {
    await rm(good, { force: true });
    await rm(bad, { force: true });
  }
  assert.deepEqual(problems, []);
  await context.close();
});
