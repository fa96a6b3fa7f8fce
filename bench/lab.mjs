// Benchmark (not a test): the control lab's four runs in headless Chromium.
// For each reward preset, opens the lab on 1,000 steps × 4 strategies with
// V = 1000, G = 16 (4 epochs, the default), presses Run several times and
// reports the median of the page's own timing (the four `simulate` calls,
// `data-value` of [data-testid="lab-ms"]) and of the clock time until the
// charts are drawn. The target: under 100 ms in the browser.
//
// Baselines measured in the same page and run:
//   - the same four runs with epochs = 1 (one softmax per step instead of 4);
//   - a plain JavaScript loop of Math.exp with as many calls as the four runs
//     make (4 strategies × steps × epochs × V: one exp per token per epoch,
//     an upper bound, since a step without signal skips its epochs).
//
//   node bench/lab.mjs [repeats=7]
import { setup, open } from '../e2e/harness.mjs';
import { loadavg, cpus } from 'node:os';

const repeats = Number(process.argv[2] ?? 7);
const V = 1000,
  G = 16,
  STEPS = 1000,
  EPOCHS = 4;
const PRESETS = ['one-correct', 'several-correct', 'unlikely-correct', 'noisy', 'random'];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const f = (x) => x.toFixed(1).padStart(6);

const env = await setup();
try {
  const hash = (preset) => `#preset=${preset}&vocab=${V}&group=${G}&steps=${STEPS}&epochs=${EPOCHS}&seed=1&seeds=1`;
  const { page, context } = await open(env.browser, `${env.base}/lab.html${hash(PRESETS[0])}`);
  const cold = Number(await page.$eval('[data-testid="lab-ms"]', (el) => el.dataset.value));
  const runCount = () => page.$eval('[data-testid="lab-ms"]', (el) => Number(el.dataset.run));
  const waitRun = (n) =>
    page.waitForFunction((n) => Number(document.querySelector('[data-testid="lab-ms"]').dataset.run) > n, n, { timeout: 60000 });

  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  console.log(`Control lab, headless Chromium: 4 strategies × ${STEPS} steps, V = ${V}, G = ${G}; median of ${repeats} runs (ms)`);
  console.log(`machine: ${cpus().length} CPUs, load average ${load()} at the start (other work on the machine inflates every figure)`);
  console.log(`first run after opening the page (cold wasm, one-correct): ${cold.toFixed(1)} ms`);
  console.log('');
  console.log('preset             page: 4 runs  page: clock | same, epochs=1 | Math.exp loop, same count');
  for (const preset of PRESETS) {
    let n = await runCount();
    await page.evaluate((h) => {
      location.hash = h;
    }, hash(preset));
    await waitRun(n);
    const compute = [],
      clock = [];
    for (let i = 0; i < repeats; i++) {
      n = await runCount();
      await page.click('[data-testid="lab-run"]');
      await waitRun(n);
      const [c, w] = await page.$eval('[data-testid="lab-ms"]', (el) => [Number(el.dataset.value), Number(el.dataset.wall)]);
      compute.push(c);
      clock.push(w);
    }
    const base = await page.evaluate(
      async ({ preset, V, G, STEPS, EPOCHS, repeats }) => {
        const m = await import('/pkg/entropy_polarity.js');
        await m.default();
        const strategies = ['pg', 'entropy-bonus', 'clip-higher', 'polarity'];
        const one = [],
          exps = [];
        let sink = 0;
        for (let i = 0; i < repeats; i++) {
          const t0 = performance.now();
          for (const strategy of strategies) m.simulate({ strategy, preset, vocab: V, group: G, steps: STEPS, seed: 1, epochs: 1 });
          one.push(performance.now() - t0);
          const count = strategies.length * STEPS * EPOCHS * V;
          const t1 = performance.now();
          let acc = 0;
          for (let k = 0; k < count; k++) acc += Math.exp(-(k % V) * 1e-3);
          exps.push(performance.now() - t1);
          sink += acc;
        }
        const med = (xs) => {
          const s = [...xs].sort((a, b) => a - b);
          return s[Math.floor(s.length / 2)];
        };
        return { one: med(one), exps: med(exps), sink };
      },
      { preset, V, G, STEPS, EPOCHS, repeats },
    );
    console.log(`${preset.padEnd(17)} ${f(median(compute))}        ${f(median(clock))}      | ${f(base.one)}         | ${f(base.exps)}`);
  }
  console.log(`load average ${load()} at the end`);
  console.log('');
  console.log(`Target: under 100 ms for the four runs. "page: 4 runs" is the page's own timing of its four simulate calls;`);
  console.log(`"page: clock" adds splitting the runs over animation frames and drawing the charts.`);
  console.log(
    `Math.exp count = 4 × ${STEPS} × ${EPOCHS} × ${V} = ${((4 * STEPS * EPOCHS * V) / 1e6).toFixed(0)} M (an upper bound on the core's exps).`,
  );
  await context.close();
} finally {
  await env.close();
}
