// Scaling of the analysis alone (a file already read): the rows analysed by
// 1 worker thread, then split between 2 (and 4), each thread with its own
// wasm instance (www/pkg, as the page's pool workers) and its rows already
// in its own memory. Wall time from "go" to the last answer; interleaved
// rounds, medians; the ratio 1-thread time / 2-thread time is the speed-up.
//
//   node bench/pool_scaling.mjs [rows] [vocab] [--rounds N]   (default 256 × 152064, 7 rounds)
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, dirname } from 'node:path';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', 'www', 'pkg');

if (!isMainThread) {
  const { initSync, analyzeRows } = await import(pathToFileURL(join(pkg, 'entropy_polarity.js')).href);
  initSync({ module: readFileSync(join(pkg, 'entropy_polarity_bg.wasm')) });
  const { logits, rows, vocab } = workerData;
  const chunk = Math.max(1, Math.floor((24 << 20) / (4 * vocab))); // the page's 24 MiB chunks
  analyzeRows(logits.subarray(0, vocab), 1, vocab, 'greedy'); // warm up
  parentPort.on('message', () => {
    let sum = 0;
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      sum += analyzeRows(logits.subarray(r * vocab, (r + n) * vocab), n, vocab, 'greedy').entropy[0];
    }
    parentPort.postMessage(sum);
  });
} else {
  const args = process.argv.slice(2);
  const rows = Number(args[0] && !args[0].startsWith('--') ? args[0] : 256);
  const vocab = Number(args[1] && !args[1].startsWith('--') ? args[1] : 152064);
  const rounds = Number(args[args.indexOf('--rounds') + 1] || 7);
  let s = 1;
  const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const all = new Float32Array(rows * vocab).map(() => 3 * (rand() + rand() + rand() - 1.5));

  /** n threads, each with its share of the rows (copied), ready to go. */
  async function team(n) {
    const per = Math.ceil(rows / n);
    const ws = [];
    for (let k = 0; k < n; k++) {
      const a = Math.min(rows, k * per);
      const b = Math.min(rows, a + per);
      const logits = all.slice(a * vocab, b * vocab);
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { logits, rows: b - a, vocab }, transferList: [logits.buffer] });
      await new Promise((ok) => w.once('online', ok));
      ws.push(w);
    }
    await new Promise((ok) => setTimeout(ok, 300)); // wasm compiled and warmed up
    return ws;
  }
  const go = async (ws) => {
    const t = performance.now();
    await Promise.all(
      ws.map(
        (w) =>
          new Promise((ok) => {
            w.once('message', ok);
            w.postMessage('go');
          }),
      ),
    );
    return performance.now() - t;
  };
  const teams = { 1: await team(1), 2: await team(2), 4: await team(4) };
  const times = { 1: [], 2: [], 4: [] };
  for (let r = 0; r < rounds; r++) for (const n of [1, 2, 4]) times[n].push(await go(teams[n]));
  for (const ws of Object.values(teams)) for (const w of ws) await w.terminate();
  const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const logitsN = rows * vocab;
  console.log(
    `analysis only, ${rows} × ${vocab} float32 (greedy tokens), ${rounds} interleaved rounds; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  for (const n of [1, 2, 4]) {
    const m = median(times[n]);
    console.log(
      `  ${n} thread(s): median ${m.toFixed(0)} ms, ${(logitsN / (m / 1000)).toExponential(2)} logits/s; speed-up vs 1: ${(median(times[1]) / m).toFixed(2)}× (median of per-round ratios ${median(times[1].map((t, i) => t / times[n][i])).toFixed(2)}×)`,
    );
  }
  console.log('target: 2 threads ≥ 1.7× one (2 cores)');
}
