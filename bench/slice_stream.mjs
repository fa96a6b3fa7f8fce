// Streams a large .npy through the page's "Your logits" panel in headless
// Chromium and reports the time, the tab's peak memory and the main thread's
// longest task. The file is written to a temporary directory and deleted.
//
//   node bench/slice_stream.mjs [rows] [vocab] [--greedy]   (default 3500 152064: 2.1 GB)
//
// --greedy ticks "use each row's most likely token" (argmax in the worker, and
// the polarity views drawn).
//
// Memory: the resident set (VmRSS) of Chromium's renderer processes (the tab
// and its worker run there), sampled every 100 ms; the browser and GPU
// processes are reported apart. Needs about rows × vocab × 4 bytes of free
// disk space in the temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, open, recordLongTasks, longTasks } from '../e2e/harness.mjs';
import { writeBigNpy, bigRowEntropy } from '../e2e/bignpy.mjs';
import { watch } from './procmem.mjs';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const rows = Number(positional[0] ?? 3500);
const vocab = Number(positional[1] ?? 152064);
const greedy = process.argv.includes('--greedy');

const dir = await mkdtemp(join(tmpdir(), 'ep-bench-'));
const path = join(dir, `slice-${rows}x${vocab}.npy`);
const GB = (b) => (b / 2 ** 30).toFixed(2) + ' GiB';
const MB = (b) => (b / 2 ** 20).toFixed(0) + ' MiB';
let env;
try {
  let t = performance.now();
  await writeBigNpy(path, rows, vocab);
  const size = rows * vocab * 4;
  console.log(`wrote ${path}: ${rows} × ${vocab} float32, ${GB(size)} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  env = await setup();
  const { page, problems } = await open(env.browser, `${env.base}/`);
  await recordLongTasks(page);
  if (greedy) await page.check('[data-testid="greedy"]');
  const stop = await watch();
  t = performance.now();
  await page.setInputFiles('[data-testid="upload"]', path);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('slices').dataset.sliceState), null, {
    timeout: 30 * 60_000,
    polling: 200,
  });
  const wall = (performance.now() - t) / 1000;
  const { idle, peak } = await stop();
  const err = await page.$eval('[data-testid="error"]', (e) => (e.hidden ? '' : e.textContent));
  if (err) throw new Error(err);
  const status = await page.$eval('[data-testid="slice-status"]', (e) => e.textContent);
  const h0 = await page.$eval('[data-testid="slice-row"] td[data-col="H"]', (e) => e.textContent);
  const long = await longTasks(page);
  console.log(await page.$eval('[data-testid="slice-read"]', (e) => e.textContent));
  console.log(status, `(panel drawn in ${await page.$eval('#slices', (e) => e.dataset.renderMs + ' ms: ' + e.dataset.renderParts)})`);
  console.log(
    `wall time ${wall.toFixed(1)} s (${(size / 2 ** 20 / wall).toFixed(0)} MiB/s, ${((rows * vocab) / wall / 1e6).toFixed(0)} M logits/s)`,
  );
  console.log(`renderer RSS: idle ${MB(idle.renderer)}, peak ${MB(peak.renderer)}; browser+GPU+utility: peak ${MB(peak.other)}`);
  console.log(`main-thread long tasks: ${long.length}, longest ${Math.round(Math.max(0, ...long))} ms`);
  console.log(`row 0 entropy on the page ${h0}, f64 reference ${bigRowEntropy(vocab).toPrecision(6)}`);
  if (problems.length) console.log(problems.join('\n'));
} finally {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
}
