// Reading at the floor: for one big C-order float32 .npy, in one headless
// Chromium and one run, interleaved round after round,
//   - the raw read: the browser reading the same File with nothing else to do
//     (bench/read.html: Blob.slice().arrayBuffer() chunks, stream(), a BYOB
//     reader; 1, 2 and 4 readers in workers) — the page's floor;
//   - the page: the "Your logits" panel from the file pick to the finished
//     table (state "ready"), with the settings a user gets by default and with
//     ?workers=1 (the slice worker alone), its renderer memory rise and its
//     longest main-thread task; at the end, the renderer's memory once the
//     big file is replaced by a small one;
//   - NumPy: bench/rows_numpy.py --npy (mmap, 64-row blocks, fused-log1p).
// The file is written once (so it sits in the page cache for everyone) and
// deleted at the end.
//
//   node bench/slice_pool.mjs [rows] [vocab] [--rounds N] [--quick] [--json]
//   (default 3500 × 152064 = 2.0 GiB, 2 rounds; --quick: fewer raw variants;
//   --json: a last line of JSON for bench/table.mjs)
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup, open, recordLongTasks, longTasks } from '../e2e/harness.mjs';
import { writeBigNpy, bigRowEntropy } from '../e2e/bignpy.mjs';
import { watch, settled } from './procmem.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--rounds'));
const rows = Number(positional[0] ?? 3500);
const vocab = Number(positional[1] ?? 152064);
const rounds = Number(args[args.indexOf('--rounds') + 1] || 2);
const quick = args.includes('--quick');
const asJson = args.includes('--json');
const loadStart = loadavg();
const CHUNK = 16 << 20;
const RAW = quick
  ? [
      ['slice', 1],
      ['slice', 2],
      ['stream', 1],
    ]
  : [
      ['slice', 1],
      ['slice', 2],
      ['slice', 4],
      ['stream', 1],
      ['stream', 2],
      ['byob', 1],
      ['byob', 2],
    ];

const dir = await mkdtemp(join(tmpdir(), 'ep-pool-'));
const path = join(dir, `slice-${rows}x${vocab}.npy`);
const GiB = (b) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const MiB = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
let env;
try {
  await writeBigNpy(path, rows, vocab);
  const size = rows * vocab * 4;
  console.log(
    `file: ${rows} × ${vocab} float32, ${GiB(size)}; load average at start ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  env = await setup({ root: join(here, '..') });
  const reader = (await open(env.browser, `${env.base}/bench/read.html`, { ready: false })).page;
  await reader.waitForFunction(() => window.benchReady === true);
  await reader.setInputFiles('#file', path);
  const app = await open(env.browser, `${env.base}/www/`);
  const { page } = app;

  async function pageRun(workers) {
    await page.evaluate((w) => history.replaceState(null, '', w ? `?workers=${w}` : location.pathname), workers);
    // A fresh document, so that the page reads its settings (?workers) anew.
    await page.reload();
    await page.waitForSelector('html[data-ready="1"]');
    await recordLongTasks(page);
    const before = await page.$eval('#slices', (s) => s.dataset.sliceId ?? '');
    const stop = await watch(); // an idle sample first
    const t = performance.now();
    await page.setInputFiles('[data-testid="upload"]', path);
    await page.waitForFunction(
      (prev) => {
        const s = document.getElementById('slices');
        return s.dataset.sliceState === 'error' || (s.dataset.sliceState === 'ready' && s.dataset.sliceId !== prev);
      },
      before,
      { timeout: 30 * 60_000, polling: 50 },
    );
    const ms = performance.now() - t;
    const mem = await stop();
    const err = await page.$eval('[data-testid="error"]', (e) => (e.hidden ? '' : e.textContent));
    if (err) throw new Error(err);
    const read = await page.$eval('[data-testid="slice-read"]', (e) => e.textContent);
    const h0 = Number(await page.$eval('[data-testid="slice-row"] td[data-col="H"]', (e) => e.textContent));
    const long = await longTasks(page);
    return { ms, rise: mem.peak.renderer - mem.idle.renderer, idle: mem.idle.renderer, long: Math.max(0, ...long), read, h0 };
  }

  const res = { raw: {}, page1: [], pageN: [], numpy: [] };
  for (let r = 1; r <= rounds; r++) {
    for (const [method, n] of RAW) {
      const key = `${method}×${n}`;
      try {
        const ms = await reader.evaluate(([m, k, c]) => window.rawRead(m, k, c), [method, n, CHUNK]);
        (res.raw[key] ??= []).push(ms);
      } catch (e) {
        res.raw[key] = [`failed: ${e.message.split('\n')[0]}`];
      }
    }
    res.pageN.push(await pageRun(null)); // what a user gets
    res.page1.push(await pageRun(1));
    const np = JSON.parse(
      execFileSync('python3', [join(here, 'rows_numpy.py'), '--npy', path, '--json'], {
        env: { ...process.env, OPENBLAS_CORETYPE: '', OPENBLAS_L2_SIZE: '' },
      }).toString(),
    );
    res.numpy.push(np.seconds * 1000);
    console.log(
      `round ${r}/${rounds} done; load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
  }

  // The big file replaced by a small one: what the tab holds afterwards.
  const idleRss = Math.min(...res.pageN.map((x) => x.idle));
  await page.setInputFiles('[data-testid="upload"]', join(here, '..', 'www', 'examples', 'toy.npy'));
  await page.waitForFunction(() => document.getElementById('slices').dataset.sliceState === 'ready', null, { timeout: 120_000 });
  const replaced = await settled(page);

  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const rate = (ms) => `${(size / 2 ** 30 / (ms / 1000)).toFixed(2)} GiB/s`;
  console.log('\nraw read of the File in Chromium (median of rounds):');
  let floor = Infinity;
  let floorKey = '';
  for (const [key, v] of Object.entries(res.raw)) {
    if (typeof v[0] === 'string') {
      console.log(`  ${key.padEnd(10)} ${v[0]}`);
      continue;
    }
    const m = median(v);
    if (m < floor) [floor, floorKey] = [m, key];
    console.log(`  ${key.padEnd(10)} ${s(m)}  (${rate(m)}; rounds: ${v.map(s).join(', ')})`);
  }
  const pageN = median(res.pageN.map((x) => x.ms));
  const page1 = median(res.page1.map((x) => x.ms));
  const numpy = median(res.numpy);
  console.log(`fastest raw read (the floor): ${floorKey}, ${s(floor)}`);
  console.log(`page, pick → finished table, default settings: ${s(pageN)} (rounds: ${res.pageN.map((x) => s(x.ms)).join(', ')})`);
  console.log(`  its status: ${res.pageN.at(-1).read}`);
  console.log(`page, ?workers=1 (the slice worker alone):  ${s(page1)} (rounds: ${res.page1.map((x) => s(x.ms)).join(', ')})`);
  console.log(`  its status: ${res.page1.at(-1).read}`);
  console.log(`NumPy (mmap, 64-row blocks, fused-log1p):    ${s(numpy)} (rounds: ${res.numpy.map(s).join(', ')})`);
  console.log('ratios (medians of this run):');
  console.log(`  page / fastest raw read           ${(pageN / floor).toFixed(2)}×  (target ≤ 1.15×)`);
  console.log(`  page ?workers=1 / fastest raw read ${(page1 / floor).toFixed(2)}×`);
  console.log(`  page / NumPy                      ${(pageN / numpy).toFixed(2)}×`);
  console.log(`  raw read / NumPy                  ${(floor / numpy).toFixed(2)}×`);
  const all = [...res.pageN, ...res.page1];
  console.log(
    `renderer memory rise: default workers ${res.pageN.map((x) => MiB(x.rise)).join(', ')}; workers=1 ${res.page1.map((x) => MiB(x.rise)).join(', ')} (target < 300 MiB)`,
  );
  console.log(`longest main-thread task: ${Math.round(Math.max(...all.map((x) => x.long)))} ms (target ≤ 50 ms)`);
  console.log(`renderer RSS: idle ${MiB(idleRss)}; ${MiB(replaced)} once the big file is replaced by a small one`);
  const H = bigRowEntropy(vocab);
  console.log(
    `row 0 entropy on the page ${all[0].h0}, f64 reference ${H.toPrecision(6)} (rel. error ${(Math.abs(all[0].h0 - H) / H).toExponential(1)})`,
  );
  console.log(
    `load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (asJson)
    console.log(
      JSON.stringify({
        rows,
        vocab,
        bytes: size,
        raw: res.raw,
        floor: { ms: floor, key: floorKey },
        page: res.pageN.map((x) => x.ms),
        page_workers1: res.page1.map((x) => x.ms),
        numpy: res.numpy,
        status: res.pageN.at(-1).read,
        longest_task_ms: Math.max(...all.map((x) => x.long)),
        rise: all.map((x) => x.rise),
        rss_idle: idleRss,
        rss_replaced: replaced,
        h0: all[0].h0,
        h0_reference: H,
        loadavg_start: loadStart,
        loadavg_end: loadavg(),
      }),
    );
} finally {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
}
