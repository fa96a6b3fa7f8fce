// The self-contained folder of scripts/dist.sh works on its own: served from
// another directory, the page, the lab and the embeds load and compute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, open } from './harness.mjs';
import { stats, close } from './reference.mjs';

let dir, env, browser, base;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ep-dist-'));
  execFileSync('bash', ['scripts/dist.sh', join(dir, 'site'), '--no-build'], { stdio: 'ignore' });
  env = await setup({ root: join(dir, 'site') });
  ({ browser, base } = env);
});
after(async () => {
  await env?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the dist folder serves the explorer, the lab and the embeds on its own', async () => {
  const { page, problems, context } = await open(browser, `${base}/#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1`);
  const H = Number(await page.getAttribute('[data-testid="entropy"]', 'data-value'));
  assert.ok(close(H, stats([2, 1, 0.5, -1]).H, 1e-12));
  await page.goto(`${base}/docs-example.html`);
  await page.waitForFunction(() => document.getElementById('likely')?.values);
  await page.goto(`${base}/lab.html`);
  await page.waitForSelector('html[data-ready="1"]');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the dist folder ships the TypeScript declarations of the API', () => {
  const dts = readFileSync(join(dir, 'site', 'pkg', 'entropy_polarity.d.ts'), 'utf8');
  for (const name of [
    'class Distribution',
    'drawCurve(',
    'options: ChartOptions | undefined',
    '): ChartLayout',
    'export function topBars(',
    'interface TopBars',
    'interface ChartLayout',
    'interface RowsAnalysis',
    'interface EntropyPolarityError',
  ]) {
    assert.ok(dts.includes(name), `entropy_polarity.d.ts declares ${name}`);
  }
});
