// End to end: the control lab in Debian's Chromium. What is tested is the
// page's wiring (link → settings → simulate options → readouts): the
// expected numbers come from calling the core's `simulate` directly in the
// page with options written out here by hand, not through the page's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { open, ARTIFACTS } from './harness.mjs';
import { useEnv } from './hooks.mjs';

const STRATEGIES = ['pg', 'entropy-bonus', 'clip-higher', 'polarity'];

// A non-default lab view: every setting differs from the page's default.
const LINK = {
  preset: 'unlikely-correct',
  vocab: 300,
  correct: 3,
  noise: 0.2,
  zipf: 1.3,
  group: 8,
  steps: 150,
  seed: 42,
  seeds: 1,
  lr: 0.4,
  epochs: 3,
  clipLow: 0.15,
  clipHigh: 0.35,
  entropyCoef: 0.1,
  targetEntropy: 2,
  polarityGain: 3,
  polarityMaxWeight: 6,
  logx: 0,
};
const hashOf = (o) =>
  '#' +
  Object.entries(o)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

/** The `simulate` options that view must produce, spelled out by hand. */
const linkOptions = (strategy, seed = 42) => ({
  strategy,
  preset: 'unlikely-correct',
  vocab: 300,
  correct: 3,
  noise: 0.2,
  zipf: 1.3,
  group: 8,
  steps: 150,
  seed,
  lr: 0.4,
  epochs: 3,
  clipLow: 0.15,
  clipHigh: 0.35,
  entropyCoef: 0.1,
  targetEntropy: 2,
  polarityGain: 3,
  polarityMaxWeight: 6,
});

const env = useEnv();

/** Runs `simulate` in the page for each options object; returns finals. */
function core(page, list) {
  return page.evaluate(async (list) => {
    const m = await import('/pkg/entropy_polarity.js');
    await m.default();
    const total = (a) => a.reduce((x, y) => x + y, 0);
    return list.map((o) => {
      const r = m.simulate(o);
      const n = r.entropy.length - 1;
      return {
        entropy: r.entropy[n],
        reward: r.reward[n],
        h0: r.entropy[0],
        target: r.targetEntropy,
        expanding: total(r.expanding),
        contracting: total(r.contracting),
      };
    });
  }, list);
}

const readout = (page, id) => page.$eval(`[data-testid="${id}"]`, (el) => el.dataset.value);
const runCount = (page) => page.$eval('[data-testid="lab-ms"]', (el) => Number(el.dataset.run ?? 0));
async function nextRun(page, before) {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="lab-ms"]').dataset.run ?? 0) > n, before, {
    timeout: 20000,
  });
}
async function errorText(page) {
  return page.$eval('[data-testid="error"]', (el) => (el.hidden ? null : el.textContent));
}

async function checkAgainstCore(page, optionsFor) {
  const expected = await core(
    page,
    STRATEGIES.map((s) => optionsFor(s)),
  );
  for (const [i, s] of STRATEGIES.entries()) {
    const e = expected[i];
    // data-value is String(number): the shortest text that reads back to the same double.
    assert.equal(await readout(page, `lab-final-entropy-${s}`), String(e.entropy), `final entropy of ${s}`);
    assert.equal(await readout(page, `lab-final-reward-${s}`), String(e.reward), `final reward of ${s}`);
    assert.equal(await readout(page, `lab-expanding-${s}`), String(e.expanding), `expanding samples of ${s}`);
    assert.equal(await readout(page, `lab-contracting-${s}`), String(e.contracting), `contracting samples of ${s}`);
    const shown = await page.$eval(`[data-testid="lab-final-entropy-${s}"]`, (el) => el.textContent);
    assert.ok(Math.abs(Number(shown.replace('−', '-')) - e.entropy) <= 1e-4 * Math.max(1, e.entropy), `${s}: text “${shown}”`);
  }
  return expected;
}

test('a lab link restores every setting, runs, and the drawn final entropies are the core’s', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/lab.html${hashOf(LINK)}`);
  assert.equal(await errorText(page), null);
  // The inputs show the link's settings.
  const inputs = await page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-param]')].map((e) => [e.dataset.param, e.type === 'checkbox' ? e.checked : e.value]),
    ),
  );
  const shownOfLink = {
    preset: 'unlikely-correct',
    vocab: '300',
    correct: '3',
    noise: '0.2',
    zipf: '1.3',
    group: '8',
    steps: '150',
    seed: '42',
    seeds: '1',
    lr: '0.4',
    epochs: '3',
    clipLow: '0.15',
    clipHigh: '0.35',
    entropyCoef: '0.1',
    targetEntropy: '2',
    polarityGain: '3',
    polarityMaxWeight: '6',
    logx: false,
  };
  for (const [k, v] of Object.entries(shownOfLink)) assert.equal(inputs[k], v, `input ${k}`);
  const expected = await checkAgainstCore(page, linkOptions);
  // The strategies really differ on this view (else the check above proves little).
  assert.equal(new Set(expected.map((e) => e.entropy)).size, 4);

  // The entropy chart: one line per strategy, each with its own dash class, marker and end label.
  const chart = await page.$eval('[data-testid="lab-chart-entropy"]', (svg) => ({
    lines: [...svg.querySelectorAll('path.line')].map((p) => [...p.classList].find((c) => c.startsWith('s-'))),
    labels: [...svg.querySelectorAll('text.end-label')].map((t) => t.textContent),
    marks: new Set([...svg.querySelectorAll('.mark')].map((m) => m.tagName + [...m.classList].find((c) => c.startsWith('s-')))).size,
    target: [...svg.querySelectorAll('text.ref-label')].map((t) => t.textContent).join(''),
  }));
  assert.deepEqual(
    chart.lines,
    STRATEGIES.map((s) => `s-${s}`),
  );
  assert.deepEqual(chart.labels.sort(), ['bonus', 'clip-higher', 'plain PG', 'polarity']);
  assert.ok(chart.marks >= 4, 'a marker shape per strategy');
  assert.match(chart.target, /H\* = 2\b/);
  // The end-of-line markers sit where the final entropies are.
  const ends = await page.$eval('[data-testid="lab-chart-entropy"]', (svg) => {
    const y = (el) => (el.tagName === 'circle' ? Number(el.getAttribute('cy')) : el.getBBox().y + el.getBBox().height / 2);
    const out = {};
    for (const m of svg.querySelectorAll('.marks .mark')) {
      const s = [...m.classList].find((c) => c.startsWith('s-')).slice(2);
      const x = m.tagName === 'circle' ? Number(m.getAttribute('cx')) : m.getBBox().x + m.getBBox().width / 2;
      if (!out[s] || x >= out[s].x) out[s] = { x, y: y(m) };
    }
    return out;
  });
  const order = (vals) => STRATEGIES.slice().sort((a, b) => vals[a] - vals[b]);
  const byEnd = Object.fromEntries(STRATEGIES.map((s) => [s, -ends[s].y]));
  const byCore = Object.fromEntries(STRATEGIES.map((s, i) => [s, expected[i].entropy]));
  assert.deepEqual(order(byEnd), order(byCore), 'line ends are in the order of the final entropies');

  // The link now spells out every setting, as it was given.
  const hash = await page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.slice(1))));
  for (const [k, v] of Object.entries(LINK)) assert.equal(hash[k], String(v), `hash ${k}`);
  const ms = Number(await readout(page, 'lab-ms'));
  assert.ok(ms > 0 && ms < 60000, `lab-ms ${ms}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('editing a setting re-runs, and Run re-runs; several seeds give the mean', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/lab.html${hashOf(LINK)}`);
  let n = await runCount(page);
  await page.fill('[data-testid="lab-seeds"]', '3');
  await nextRun(page, n);
  assert.match(await page.evaluate(() => location.hash), /&seeds=3&/);
  const per = await core(
    page,
    STRATEGIES.flatMap((s) => [42, 43, 44].map((seed) => linkOptions(s, seed))),
  );
  for (const [i, s] of STRATEGIES.entries()) {
    const runs = per.slice(3 * i, 3 * i + 3);
    let sum = 0;
    for (const r of runs) sum += r.entropy; // seed order, as documented on the page
    assert.equal(await readout(page, `lab-final-entropy-${s}`), String(sum / 3), `mean final entropy of ${s}`);
    const text = await page.$eval(`[data-testid="lab-final-entropy-${s}"]`, (el) => el.textContent);
    assert.match(text, /±/);
  }
  n = await runCount(page);
  await page.fill('[data-testid="lab-seeds"]', '1');
  await nextRun(page, n);
  n = await runCount(page);
  await page.click('[data-testid="lab-run"]');
  await nextRun(page, n);
  await checkAgainstCore(page, linkOptions);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the same seed gives the same run in the browser as natively (fixture)', async () => {
  const fixture = JSON.parse(await readFile(new URL('../tests/fixtures/simulate_seed7.json', import.meta.url), 'utf8'));
  const { page, problems, context } = await open(env.browser, `${env.base}/lab.html${hashOf(LINK)}`);
  const out = await page.evaluate(async (options) => {
    const m = await import('/pkg/entropy_polarity.js');
    await m.default();
    const r = m.simulate(options);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v) : v]));
  }, fixture.options);
  const keys = Object.keys(fixture).filter((k) => k !== 'about' && k !== 'options');
  assert.ok(keys.length >= 10, `fixture arrays: ${keys}`);
  for (const k of keys) {
    assert.equal(out[k].length, fixture[k].length, `${k} length`);
    fixture[k].forEach((v, i) => assert.ok(Object.is(out[k][i], v), `${k}[${i}]: browser ${out[k][i]} vs native ${v}`));
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bad setting in the link is explained, and the page stays usable', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/lab.html${hashOf({ ...LINK, vocab: 1 })}`);
  const message = await errorText(page);
  assert.ok(message && message.includes('vocab = 1') && message.includes('2 to 1000'), `error: ${message}`);
  assert.equal(await page.getAttribute('[data-testid="lab-vocab"]', 'aria-invalid'), 'true');
  assert.equal(await page.$('[data-testid="lab-final-entropy-pg"]'), null, 'nothing drawn from a bad link');
  // Fix it in the page: the run goes through and matches the core.
  const n = await runCount(page);
  await page.fill('[data-testid="lab-vocab"]', '300');
  await nextRun(page, n);
  assert.equal(await errorText(page), null);
  await checkAgainstCore(page, linkOptions);
  assert.match(await page.evaluate(() => location.hash), /vocab=300/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bad edit keeps the previous charts and link', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/lab.html${hashOf(LINK)}`);
  const before = await readout(page, 'lab-final-entropy-polarity');
  const hash = await page.evaluate(() => location.hash);
  const n = await runCount(page);
  await page.fill('[data-testid="lab-lr"]', '0');
  await page.click('[data-testid="lab-run"]');
  await nextRun(page, n);
  const message = await errorText(page);
  assert.ok(message?.startsWith('lr = 0 '), `error: ${message}`);
  assert.equal(await readout(page, 'lab-final-entropy-polarity'), before);
  assert.equal(await page.$$eval('[data-testid="lab-chart-entropy"] path.line', (p) => p.length), 4);
  assert.equal(await page.evaluate(() => location.hash), hash);
  // An unknown word in the link is named; the rest still runs.
  await page.evaluate(
    (h) => {
      location.hash = h;
    },
    hashOf({ ...LINK, vocab: 'many', colour: 'red' }),
  );
  await page.waitForFunction(
    () =>
      !document.querySelector('[data-testid="error"]').hidden && /many/.test(document.querySelector('[data-testid="error"]').textContent),
    null,
    { timeout: 20000 },
  );
  assert.match(await errorText(page), /unknown setting “colour”/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Park et al. link: under random rewards plain PG loses more entropy than clip-higher', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/lab.html`);
  const n = await runCount(page);
  await page.click('[data-testid="lab-park-link"]');
  await nextRun(page, n);
  assert.equal(await errorText(page), null);
  const q = await page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.slice(1))));
  assert.equal(q.preset, 'random');
  assert.equal(q.seeds, '16');
  const h = Object.fromEntries(await Promise.all(STRATEGIES.map(async (s) => [s, Number(await readout(page, `lab-final-entropy-${s}`))])));
  const h0 = (await core(page, [{ strategy: 'pg', preset: 'random', vocab: 100, steps: 0 }]))[0].h0;
  assert.ok(h.pg < h0 - 0.5, `plain PG falls: ${h.pg} from ${h0}`);
  assert.ok(h.pg < h['clip-higher'], `plain PG ${h.pg} below clip-higher ${h['clip-higher']}`);
  assert.ok(h['entropy-bonus'] > h0, `the bonus widens: ${h['entropy-bonus']}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('light and dark, wide and narrow: no sideways scrolling, screenshots', async () => {
  for (const [width, scheme] of [
    [1280, 'light'],
    [1280, 'dark'],
    [375, 'light'],
    [375, 'dark'],
    [1920, 'light'],
  ]) {
    const { page, problems, context } = await open(env.browser, `${env.base}/lab.html`, {
      viewport: { width, height: 900 },
      colorScheme: scheme,
    });
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(scroll <= client, `${width}px ${scheme}: scrollWidth ${scroll} > ${client}`);
    // Every chart fits its panel.
    const over = await page.$$eval(
      'svg.lab-chart, svg.branch-chart',
      (svgs) => svgs.filter((s) => s.getBoundingClientRect().right > s.parentElement.getBoundingClientRect().right + 1).length,
    );
    assert.equal(over, 0);
    await page.screenshot({ path: `${ARTIFACTS}/lab-${scheme}-${width}.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  }
});
