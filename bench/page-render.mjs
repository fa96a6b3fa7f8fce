// Measures how long one edit takes to recompute and redraw on the page, for a
// 64-token distribution, in headless Chromium. Reports the median and 95th
// percentile of the page's own timing (readouts + bars + chart) and, as the
// baseline measured in the same run, one frame at 60 Hz (16.7 ms).
//   node bench/page-render.mjs [edits=60]
import { setup, open } from '../e2e/harness.mjs';

const edits = Number(process.argv[2] ?? 60);
const env = await setup();
try {
  const logits = Array.from({ length: 64 }, (_, j) => (j === 0 ? 4.5 : -0.06 * j + 0.4 * Math.sin(j * 1.7)).toFixed(4));
  for (const log of [0, 1]) {
    const { page, context } = await open(env.browser, `${env.base}/#logits=${logits.join(',')}&token=5&kind=pg&step=0.1&log=${log}`, {
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 2,
    });
    const times = [];
    for (let i = 0; i < edits; i++) {
      await page.focus('[data-testid="bar-5"]');
      await page.keyboard.press(i % 2 ? 'ArrowUp' : 'ArrowDown');
      await page
        .waitForFunction((n) => document.querySelector('[data-testid="render-ms"]').dataset.n !== n, String(i), { timeout: 5000 })
        .catch(() => {});
      times.push(await page.$eval('[data-testid="render-ms"]', (el) => Number(el.dataset.value)));
      await page.$eval(
        '[data-testid="render-ms"]',
        (el, n) => {
          el.dataset.n = n;
        },
        String(i),
      );
    }
    times.sort((a, b) => a - b);
    const med = times[Math.floor(times.length / 2)];
    const p95 = times[Math.floor(times.length * 0.95)];
    console.log(
      `64 tokens, ${log ? 'log' : 'linear'} axis, devicePixelRatio 2: median ${med.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms per edit; ` +
        `frame budget 16.7 ms → median uses ${((100 * med) / 16.7).toFixed(0)} % of a frame`,
    );
    await context.close();
  }
} finally {
  await env.close();
}
