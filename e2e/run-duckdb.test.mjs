// End to end: the per-step CSV that scripts/run_steps.py (DuckDB) writes for a
// run, dropped on the run panel, shows the same correlation of token_term with
// realised_dh as the run's own files read by the page — and both equal the
// correlation computed here, in plain JavaScript, from the Python reference
// table (tests/fixtures/run_examples_expected.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { open } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { upload, correlation } from './run-page.mjs';
import { correlate, usableSteps } from './run-reference.mjs';

const ROOT = new URL('../', import.meta.url).pathname;
const RUNS = join(ROOT, 'www/examples/runs');
const INDEX = JSON.parse(await readFile(join(RUNS, 'index.json'), 'utf8'));
const FIXTURE = JSON.parse(await readFile(join(ROOT, 'tests/fixtures/run_examples_expected.json'), 'utf8'));

const env = useEnv({ tmp: 'ep-duckdb-' });

const close = (a, b, rel) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

/** Loads `paths` into the run panel; → the correlation shown and the status line. */
async function load(page, paths) {
  assert.equal(await upload(page, paths), 'ready', await page.textContent('[data-testid="run-error"]'));
  return { ...(await correlation(page)), status: await page.textContent('[data-testid="run-status"]') };
}

for (const name of ['prime-rl', 'trace']) {
  test(`${name}: the DuckDB per-step CSV shows the folder's correlation`, async () => {
    const run = FIXTURE.runs[name];
    const { stdout } = await promisify(execFile)('python3', [join(ROOT, 'scripts/run_steps.py'), join(RUNS, run.path), '--quiet']);
    const csvPath = join(env.tmp, `${name}-steps.csv`);
    await writeFile(csvPath, stdout);

    // Over the steps the panel may use (no gap, an update; issue 19), decided here.
    const rows = run.rows.map((r) => Object.fromEntries(FIXTURE.header.map((h, j) => [h, r[j] ?? NaN])));
    const { used } = usableSteps(rows);
    const want = correlate(
      used.map((r) => r.token_term),
      used.map((r) => r.realised_dh),
    );
    assert.ok(want.n >= 3, 'the example run has enough steps for a correlation');

    const { page, problems, context } = await open(env.browser, `${env.base}/`);
    const folder = await load(
      page,
      INDEX[name].map((p) => join(RUNS, p)),
    );
    const fromCsv = await load(page, [csvPath]);
    assert.equal(await page.getAttribute('[data-testid="run-status"]', 'data-format'), 'steps-csv');
    assert.match(fromCsv.status, /token detail/i, 'the page says a per-step CSV has no token detail');
    for (const [what, got] of [
      ['folder', folder],
      ['DuckDB CSV', fromCsv],
    ]) {
      assert.equal(got.n, want.n, `${what}: n`);
      assert.ok(close(got.pearson, want.pearson, 1e-9), `${what}: Pearson ${got.pearson}, expected ${want.pearson}`);
      assert.ok(close(got.spearman, want.spearman, 1e-9), `${what}: Spearman ${got.spearman}, expected ${want.spearman}`);
    }
    assert.ok(close(fromCsv.pearson, folder.pearson, 1e-12), `Pearson: CSV ${fromCsv.pearson}, folder ${folder.pearson}`);
    assert.ok(close(fromCsv.spearman, folder.spearman, 1e-12), `Spearman: CSV ${fromCsv.spearman}, folder ${folder.spearman}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}
