// Measures the run panel on a generated prime-rl run (not a test): load time
// through the real upload input and the tab's memory (resident size of this
// browser's renderer processes, bench/procmem.mjs, polled every 100 ms; the
// worker and its wasm memory live in the renderer).
//   node scripts/measure_run_page.mjs [MiB total, default 200] [steps, default 4]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, open, recordLongTasks, longTasks } from '../e2e/harness.mjs';
import { writeBigRun } from '../e2e/run-big.mjs';
import { watch, sample } from '../bench/procmem.mjs';

const mib = Number(process.argv[2] ?? 200);
const steps = Number(process.argv[3] ?? 4);

const dir = await mkdtemp(join(tmpdir(), 'ep-measure-'));
const env = await setup();
try {
  const t0 = Date.now();
  const run = await writeBigRun(dir, { steps, mbPerStep: mib / steps });
  console.log(`generated ${(run.bytes / 2 ** 20).toFixed(0)} MiB in ${steps} files (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const { page, context } = await open(env.browser, `${env.base}/`);
  await recordLongTasks(page);
  const stop = await watch();
  const t1 = Date.now();
  await page.setInputFiles('[data-testid="run-upload"]', run.files);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('run').dataset.runState), null, {
    timeout: 600000,
    polling: 100,
  });
  const ms = Date.now() - t1;
  const mem = await stop();
  const [idle, peak] = [mem.idle.renderer, mem.peak.renderer];
  const state = await page.getAttribute('#run', 'data-run-state');
  const after = (await sample()).renderer;
  const long = await longTasks(page);
  const status = await page.evaluate(() => document.querySelector('[data-testid="run-status"]').textContent);
  console.log(`state ${state}; load ${(ms / 1000).toFixed(2)} s = ${(run.bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`);
  console.log(
    `renderer RSS: idle ${(idle / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB, after ${(after / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(`main-thread long tasks (ms): ${JSON.stringify(long.map(Math.round))}`);
  console.log(`the panel's longest main-thread handler: ${await page.getAttribute('#run', 'data-longest-ms')} ms`);
  console.log(status.slice(0, 400));
  await context.close();
} finally {
  await env.close();
  await rm(dir, { recursive: true, force: true });
}
