// How long the page's workers take to be ready, in each engine: N lab
// workers (www/js/lab/worker.js) started at once, from `new Worker` to the
// answer of a first request, when each compiles the wasm module itself
// (posted `module: null`, the fallback of www/js/lib/worker-rpc.js) and when
// the page compiles it once and posts the compiled module (what the page
// does, issue 23). Interleaved rounds, medians; the page's own compile is
// counted in the second (a fresh page each round, so nothing is cached but
// the browser's HTTP cache).
//
//   E2E_ENGINE=chromium|firefox|webkit node bench/worker_start.mjs [workers] [--rounds N]   (default 4, 5)
import { loadavg } from 'node:os';
import { setup, open } from '../e2e/harness.mjs';

const args = process.argv.slice(2);
const workers = Number(args[0] && !args[0].startsWith('--') ? args[0] : 4);
const rounds = Number(args[args.indexOf('--rounds') + 1] || 5);

/** In the page: ms until `n` lab workers have answered a first request. */
function ready([n, posted]) {
  return (async () => {
    const rpc = await import(new URL('./js/lib/worker-rpc.js', location.href).href);
    const url = new URL('./js/lab/worker.js', location.href);
    const t0 = performance.now();
    const module = posted ? await rpc.wasmModule() : null;
    const answered = Array.from({ length: n }, (_, k) => {
      const w = new Worker(url, { type: 'module' });
      w.postMessage({ type: 'wasm', module });
      return new Promise((resolve, reject) => {
        w.onmessage = (e) => (e.data.type === 'done' ? resolve(w.terminate()) : reject(new Error(e.data.message)));
        w.onerror = (e) => reject(new Error(e.message));
        w.postMessage({ type: 'none', id: k }); // answered with 'done' once the module is instantiated
      });
    });
    await Promise.all(answered);
    return performance.now() - t0;
  })();
}

const env = await setup();
const times = { compiled: [], posted: [] };
try {
  for (let r = 0; r < rounds; r++) {
    for (const posted of r % 2 ? [true, false] : [false, true]) {
      const { page, context } = await open(env.browser, `${env.base}/figures.html`, { ready: false });
      times[posted ? 'posted' : 'compiled'].push(await page.evaluate(ready, [workers, posted]));
      await context.close();
    }
  }
} finally {
  await env.close();
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const { compiled, posted } = times;
console.log(
  `${env.engine}: ${workers} workers ready, median of ${rounds} (load ${loadavg()[0].toFixed(1)}): ` +
    `each compiling ${median(compiled).toFixed(0)} ms, module posted ${median(posted).toFixed(0)} ms ` +
    `(${(median(compiled) / median(posted)).toFixed(2)}×); all: ${compiled.map(Math.round).join(' ')} | ${posted.map(Math.round).join(' ')}`,
);
