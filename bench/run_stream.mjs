// Reads a run folder through the page's run panel (#run) in headless Chromium:
// the worker parses and aggregates every file in wasm. Reports the time from
// handing the files to the input until the panel is ready and its correlation
// drawn, the throughput, the renderer's peak memory, the main thread's long
// tasks (PerformanceObserver 'longtask') during the load, and the renderer's
// memory once the run is replaced by the small example run; the last line is
// JSON for bench/run_steps_bench.py: {"seconds", "bytes", "files", "csv",
// "longest_task_ms", "long_tasks", "rss_idle", "rss_peak", "rss_replaced"}
// (csv: the page's export-steps download; memory in bytes).
//
//   node bench/run_stream.mjs DIR [--workers N]  (DIR e.g. from bench/make_big_run.py;
//                                                 --workers: the page's ?workers=N)
//
// Needs the built page (scripts/build.sh). Files are given to the input by path
// (playwright hands Chromium the paths; nothing is copied).
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setup, open, recordLongTasks, longTasks } from '../e2e/harness.mjs';
import { watch, settled } from './procmem.mjs';

const dir = process.argv[2];
const workers = process.argv.includes('--workers') ? Number(process.argv[process.argv.indexOf('--workers') + 1]) : null;
if (!dir) throw new Error('usage: node bench/run_stream.mjs DIR');

async function walk(d) {
  const out = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (/step_\d+[/\\]rank_\d+\.jsonl$/.test(p)) out.push(p);
  }
  return out.sort();
}

const files = await walk(dir);
if (!files.length) throw new Error(`${dir}: no token_exports/step_<n>/rank_<r>.jsonl files`);
let bytes = 0;
for (const f of files) bytes += (await stat(f)).size;

const env = await setup();
try {
  const { page, problems } = await open(env.browser, `${env.base}/${workers ? `?workers=${workers}` : ''}`);
  await recordLongTasks(page);
  const stop = await watch(200);
  const t = performance.now();
  await page.setInputFiles('[data-testid="run-upload"]', files);
  await page.waitForFunction(
    () => {
      const state = document.getElementById('run').dataset.runState;
      const corr = document.querySelector('[data-testid="run-correlation"]');
      return ['error', 'cancelled'].includes(state) || (state === 'ready' && corr && !corr.hidden && corr.textContent.trim() !== '');
    },
    null,
    { timeout: 60 * 60_000, polling: 50 },
  );
  const seconds = (performance.now() - t) / 1000;
  const { idle, peak } = await stop();
  const long = await longTasks(page);
  const state = await page.getAttribute('#run', 'data-run-state');
  if (state !== 'ready') throw new Error(`run panel: ${state}: ${await page.textContent('[data-testid="run-error"]')}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-steps"]')]);
  const csv = await readFile(await download.path(), 'utf8');
  console.log((await page.textContent('[data-testid="run-status"]')).slice(0, 300));
  // Replaced by the small example run: what the tab holds afterwards.
  const small = await walk(new URL('../www/examples/runs/prime-rl', import.meta.url).pathname);
  await page.setInputFiles('[data-testid="run-upload"]', small);
  await page.waitForFunction(() => document.getElementById('run').dataset.runState === 'ready', null, { timeout: 120_000 });
  const replaced = await settled(page);
  console.log(
    `${files.length} files, ${(bytes / 1e9).toFixed(2)} GB in ${seconds.toFixed(1)} s: ${(bytes / 1e6 / seconds).toFixed(1)} MB/s; ` +
      `renderer RSS idle ${(idle.renderer / 2 ** 20).toFixed(0)} MiB, peak ${(peak.renderer / 2 ** 20).toFixed(0)} MiB, ` +
      `${(replaced / 2 ** 20).toFixed(0)} MiB once replaced by the example run; ` +
      `main-thread long tasks: ${long.length}, longest ${Math.round(Math.max(0, ...long))} ms`,
  );
  if (problems.length) console.log(problems.join('\n'));
  console.log(
    JSON.stringify({
      seconds,
      bytes,
      files: files.length,
      csv,
      longest_task_ms: Math.max(0, ...long),
      long_tasks: long.length,
      rss_idle: idle.renderer,
      rss_peak: peak.renderer,
      rss_replaced: replaced,
    }),
  );
} finally {
  await env.close();
}
