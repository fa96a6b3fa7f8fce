// End to end for the real run shipped as the first example of the run panel:
// SmolLM2-135M-Instruct under GRPO (scripts/real_run.py, www/examples/runs/smollm2-grpo/).
// It is opened from the picker and from the lesson's link; its per-step CSV is
// checked against the table that scripts/make_run_examples.py computed from the
// files in plain Python (tests/fixtures/run_examples_expected.json), and the
// same-context columns, when the CSV has them, against arithmetic done here on
// the files (JSON.parse, plain f64 sums) — never with the page's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { open } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { runState } from './run-page.mjs';
import { visible } from '../www/js/run-strip.js';

const RUNS = new URL('../www/examples/runs/', import.meta.url).pathname;
const INDEX = JSON.parse(await readFile(join(RUNS, 'index.json'), 'utf8'));
const FIXTURE = JSON.parse(await readFile(new URL('../tests/fixtures/run_examples_expected.json', import.meta.url), 'utf8'));
const NAME = 'smollm2-grpo';

const env = useEnv();

// ---------------------------------------------------------------- expectations

/** Every line of the shipped traces, parsed. */
async function lines() {
  const out = [];
  for (const p of INDEX[NAME]) {
    for (const l of (await readFile(join(RUNS, p), 'utf8')).split('\n')) if (l.trim()) out.push(JSON.parse(l));
  }
  return out;
}

const fin = (v) => typeof v === 'number' && Number.isFinite(v);

/**
 * The same-context columns of SPEC §6 per step, from the lines: realised_dh_same,
 * agree_token_term, agree_pg_polarity (NaN = empty).
 */
function sameContext(all) {
  const by = new Map();
  for (const o of all) {
    const n = o.logprob.length;
    for (let i = 0; i < n; i++) {
      if (o.mask && o.mask[i] === false) continue;
      const lp = o.logprob[i],
        H = o.entropy[i],
        A = Array.isArray(o.advantage) ? o.advantage[i] : o.advantage;
      if (!fin(lp) || !fin(H) || !fin(A)) continue;
      if (!by.has(o.step)) by.set(o.step, { n: 0, sum: 0, tt: [0, 0], pg: [0, 0], sbarAll: true });
      const s = by.get(o.step);
      const Ha = o.entropy_after?.[i];
      if (!fin(Ha)) continue;
      const dh = Ha - H;
      s.n++;
      s.sum += dh;
      const S = Math.exp(lp) * (H + lp);
      const term = -A * S;
      if (A === 0 || dh === 0) continue;
      if (term !== 0) {
        s.tt[1]++;
        if (Math.sign(term) === Math.sign(dh)) s.tt[0]++;
      }
      const Sbar = o.mean_discriminator?.[i];
      if (!fin(Sbar)) {
        s.sbarAll = false;
        continue;
      }
      const pol = A * (Sbar - S);
      if (pol !== 0) {
        s.pg[1]++;
        if (Math.sign(pol) === Math.sign(dh)) s.pg[0]++;
      }
    }
  }
  return new Map(
    [...by].map(([step, s]) => [
      step,
      {
        realised_dh_same: s.n ? s.sum / s.n : NaN,
        agree_token_term: s.tt[1] ? s.tt[0] / s.tt[1] : NaN,
        agree_pg_polarity: s.sbarAll && s.pg[1] ? s.pg[0] / s.pg[1] : NaN,
      },
    ]),
  );
}

const close = (a, b, rel) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

async function exportSteps(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-steps"]')]);
  const [head, ...rows] = (await readFile(await download.path(), 'utf8')).trimEnd().split('\n');
  return { cols: head.split(','), rows: rows.map((l) => l.split(',')) };
}

/** Every column of the CSV against the Python fixture, or (the same-context ones) against `same`. */
function checkCsv(csv, same) {
  const want = FIXTURE.runs[NAME].rows.map((r) => Object.fromEntries(FIXTURE.header.map((h, j) => [h, r[j] ?? NaN])));
  assert.equal(csv.rows.length, want.length, 'one line per step');
  assert.equal(csv.rows.length, INDEX[NAME].length, 'a step per trace file');
  const extra = csv.cols.filter((c) => !FIXTURE.header.includes(c));
  for (const c of extra) assert.ok(['realised_dh_same', 'agree_token_term', 'agree_pg_polarity'].includes(c), `a column nobody checks: ${c}`);
  csv.rows.forEach((cells, i) => {
    assert.equal(cells.length, csv.cols.length, `line ${i + 2}: ${csv.cols.length} fields`);
    const step = Number(cells[0]);
    csv.cols.forEach((c, j) => {
      const got = cells[j] === '' ? NaN : Number(cells[j]);
      const expected = FIXTURE.header.includes(c) ? want[i][c] : same.get(step)[c];
      assert.ok(close(got, expected, 1e-12), `step ${step} ${c}: ${cells[j]} vs ${expected}`);
    });
  });
  return extra;
}

/** Waits for the run panel to show a run other than `prev` (data-run-id). */
async function ready(page, prev) {
  await page.waitForFunction(
    (p) => {
      const s = document.getElementById('run');
      return s.dataset.runState === 'error' || (s.dataset.runState === 'ready' && s.dataset.runId !== p);
    },
    prev,
    { timeout: 60000 },
  );
  return runState(page);
}

const text = (page, id) => page.evaluate((t) => document.querySelector(`[data-testid="${t}"]`)?.textContent ?? '', id);

// ---------------------------------------------------------------- tests

test('the real SmolLM2 run is the first example; its CSV matches the files; tokens show text', async () => {
  const all = await lines();
  const run = JSON.parse(await readFile(join(RUNS, NAME, 'run.json'), 'utf8'));
  assert.equal(run.vocab_size, 49152);
  assert.match(run.model, /SmolLM2-135M-Instruct/);
  assert.ok(all.every((o) => Array.isArray(o.entropy_after) && Array.isArray(o.text)), 'entropy_after and text on every line');

  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  const first = await page.evaluate(() => document.querySelector('[data-testid="run-example"]').options[1].value);
  assert.equal(first, NAME, 'first entry of the picker (after the placeholder)');
  const id = (await page.getAttribute('#run', 'data-run-id')) ?? '';
  await page.selectOption('[data-testid="run-example"]', NAME);
  assert.equal(await ready(page, id), 'ready', await text(page, 'run-error'));
  const extra = checkCsv(await exportSteps(page), sameContext(all));
  if (!extra.length) console.log('# the CSV has no same-context columns yet: the 12 of docs/contract.md checked');

  // The strip shows the files' token text (not ids), and the finding is shown.
  const shown = await page.evaluate(() => [...document.querySelectorAll('[data-testid="run-tok"]')].map((t) => t.textContent));
  assert.ok(shown.length > 0, 'tokens on the strip');
  const texts = new Set(all.flatMap((o) => o.text.map(visible)));
  for (const t of shown) assert.ok(texts.has(t), `strip token ${JSON.stringify(t)} is a token text of the files`);
  assert.ok(shown.some((t) => /\d/.test(t)), 'digits among the tokens');
  assert.match(await text(page, 'run-status'), /Token text from the files/);
  assert.match(await text(page, 'run-finding'), /same context/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the lesson’s links open the real run and the real slice', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/?run-example=${NAME}#run`);
  assert.equal(await ready(page, ''), 'ready', await text(page, 'run-error'));
  assert.match(await text(page, 'run-status'), new RegExp(`${INDEX[NAME].length} file\\(s\\)`));
  await page.goto(`${env.base}/?slice-example=smollm2_slice.safetensors#slices`);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('slices').dataset.sliceState ?? ''), null, {
    timeout: 60000,
  });
  assert.match(await text(page, 'slice-shape'), /^\d+ × 49152$/);
  assert.deepEqual(problems, []);
  await context.close();
});
