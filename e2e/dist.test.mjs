// The self-contained folder of scripts/dist.sh works on its own: served from
// another directory, the page, the lab and the embeds load and compute; it is
// an npm package whose entry points exist; and a page on ANOTHER origin, under
// a strict CSP that names only that origin, loads the element from it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE, setup, open } from './harness.mjs';
import { startServer } from '../scripts/serve.mjs';
import { stats, firstOrder, close } from './reference.mjs';

let dir, env, browser, base, cdn, cdnServer;
// The package's files and its types do not depend on the browser: checked once,
// in the Chromium pass (the three engines run at once; tsc alone takes seconds).
const ONCE = ENGINE === 'chromium' ? {} : { skip: 'engine-independent: checked in the Chromium pass' };
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ep-dist-'));
  execFileSync('bash', ['scripts/dist.sh', join(dir, 'site'), '--no-build'], { stdio: 'ignore' });
  // The dist folder on its own origin, as a CDN serves it (with CORS).
  cdnServer = await startServer(0, '127.0.0.1', join(dir, 'site'), { cors: true });
  cdn = `http://127.0.0.1:${cdnServer.address().port}`;
  // The documentation site: its own page, and the dist folder vendored under /site.
  mkdirSync(join(dir, 'host'));
  symlinkSync(join(dir, 'site'), join(dir, 'host', 'site'));
  writeFileSync(
    join(dir, 'host', 'host.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A docs page</title><link rel="icon" href="${cdn}/favicon.svg">
<script type="module" src="${cdn}/entropy-polarity-view.js"></script></head><body>
<entropy-polarity-view id="v" logits="3,1,0,-1" labels="yes,no,maybe,never" token="2" kind="nudge" step="0.5" theme="dark" interactive></entropy-polarity-view>
<script type="module" src="${cdn}/js/figures.js"></script>
<entropy-polarity-figure id="f" figure="flip" count="40"></entropy-polarity-figure>
</body></html>`,
  );
  env = await setup({
    root: join(dir, 'host'),
    csp: `default-src 'self' ${cdn}; script-src 'self' ${cdn} 'wasm-unsafe-eval'`,
  });
  ({ browser, base } = env);
});
after(async () => {
  await env?.close();
  await new Promise((ok) => (cdnServer ? cdnServer.close(ok) : ok()));
  rmSync(dir, { recursive: true, force: true });
});

test('the dist folder serves the explorer, the lab and the embeds on its own', async () => {
  const { page, problems, context } = await open(browser, `${base}/site/#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1`);
  const H = Number(await page.getAttribute('[data-testid="entropy"]', 'data-value'));
  assert.ok(close(H, stats([2, 1, 0.5, -1]).H, 1e-12));
  await page.goto(`${base}/site/docs-example.html`);
  await page.waitForFunction(() => document.getElementById('likely')?.values);
  await page.goto(`${base}/site/lab.html`);
  await page.waitForSelector('html[data-ready="1"]');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the dist folder ships the TypeScript declarations of the API', () => {
  const dts = readFileSync(join(dir, 'site', 'pkg', 'entropy_polarity.d.ts'), 'utf8');
  for (const name of [
    'class Distribution',
    'drawCurve(',
    'options?: ChartOptions',
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

test('the dist folder is an npm package: exports, types and the files an author needs', ONCE, () => {
  const site = join(dir, 'site');
  const pkg = JSON.parse(readFileSync(join(site, 'package.json'), 'utf8'));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: site, encoding: 'utf8' }));
  const files = new Set(packed.files.map((f) => f.path));
  for (const f of [
    'package.json',
    'README.md',
    'entropy-polarity-view.js',
    'entropy-polarity-view.css',
    'entropy-polarity-view.d.ts',
    'pkg/entropy_polarity.js',
    'js/figures.js',
    'js/figures.d.ts',
    'figures.html',
    'pkg/entropy_polarity_bg.wasm',
    'pkg/entropy_polarity.d.ts',
    'embed-resize.js',
    'index.html',
    'js/lib/link-state.js',
    'css/base.css',
  ]) {
    assert.ok(files.has(f), `the package holds ${f}`);
  }
  assert.equal(pkg.types, './entropy-polarity-view.d.ts');
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (key.includes('*')) continue;
    for (const path of typeof target === 'string' ? [target] : Object.values(target)) {
      assert.ok(files.has(path.replace(/^\.\//, '')), `export ${key} → ${path} is in the package`);
    }
  }
  assert.ok(!files.has('e2e/harness.mjs') && ![...files].some((f) => f.endsWith('.rs')), 'no tests or Rust sources');
  // About 0.8 MB of code, module and toy examples, plus the real SmolLM2 slice and its
  // tokenizer (1.8 MB packed), which the slice panel's first example needs. Pages load
  // examples only on demand, so this is the download size, not a page's weight.
  assert.ok(packed.size < 3e6, `packed size ${packed.size} bytes`);
});

test('a TypeScript page type-checks against the package (strict)', ONCE, () => {
  const app = join(dir, 'ts-app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'page.ts'),
    `import type { EntropyPolarityState } from 'entropy-polarity';
import 'entropy-polarity/figures';
import init, { Distribution } from 'entropy-polarity/wasm';
const view = document.querySelector('entropy-polarity-view');
const H: number | undefined = view?.values?.entropy;
view?.addEventListener('change', (e) => {
  const s: EntropyPolarityState = (e as CustomEvent<EntropyPolarityState>).detail;
  console.log(s.token, s.labels[s.token], H);
});
const fig = document.querySelector('entropy-polarity-figure');
console.log(fig?.values?.figure);
await init();
console.log(Distribution.fromLogits(new Float64Array([1, 2])).flipPolicyGradient);
`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'es2022',
        moduleResolution: 'bundler',
        lib: ['esnext', 'dom'],
        types: [],
        skipLibCheck: true,
      },
      files: ['page.ts'],
    }),
  );
  // As if installed: node_modules/entropy-polarity, resolved through the package's exports map.
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(join(dir, 'site'), join(app, 'node_modules', 'entropy-polarity'));
  execFileSync(join(process.cwd(), 'node_modules/.bin/tsc'), ['-p', join(app, 'tsconfig.json')], { encoding: 'utf8' });
});

test('the element loads from another origin under a CSP that names it, and computes', async () => {
  const { page, context, problems } = await open(browser, `${base}/host.html`, { ready: false });
  // Let the first load finish before the reload: a reload that aborts its
  // module fetch is reported by Firefox as a NetworkError page error.
  await page.waitForFunction(() => document.getElementById('v')?.values && document.getElementById('f')?.values, null, { timeout: 15000 });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.reload();
  await page.waitForFunction(() => document.getElementById('v')?.values, null, { timeout: 15000 });
  await page.waitForFunction(() => document.getElementById('f')?.values, null, { timeout: 15000 });
  // The figure from the other origin: its numbers, against the reference.
  const fig = await page.evaluate(() => document.getElementById('f').values.points);
  assert.equal(fig.length, 40);
  for (const p of fig) assert.ok(close(p.flipPolicyGradient, stats(p.logits).flipPG, 1e-9));
  const v = await page.evaluate(() => {
    const el = document.getElementById('v');
    const root = el.shadowRoot;
    return {
      entropy: el.values.entropy,
      firstOrder: el.values.firstOrder,
      scheme: el.values.scheme,
      label: el.values.label,
      tokens: [...root.querySelectorAll('[part~="token"]')].map((b) => b.textContent),
      link: root.querySelector('[part="link"]').href,
      wasm: performance
        .getEntriesByType('resource')
        .filter((r) => r.name.endsWith('.wasm'))
        .map((r) => r.name),
      csp: window.__csp,
    };
  });
  const z = [3, 1, 0, -1];
  assert.ok(close(v.entropy, stats(z).H, 1e-12));
  assert.ok(close(v.firstOrder, firstOrder(z, 1, 2, 'nudge', 0.5), 1e-10));
  assert.equal(v.scheme, 'dark');
  assert.equal(v.label, 'maybe');
  assert.deepEqual(v.tokens, ['yes', 'no', 'maybe', 'never']);
  assert.ok(v.link.startsWith(`${cdn}/index.html#logits=3,1,0,-1&`), v.link);
  assert.deepEqual(v.wasm, [`${cdn}/pkg/entropy_polarity_bg.wasm`]);
  assert.deepEqual(v.csp, []);
  // Every request went to the page's origin or the package's: nothing else, offline.
  const others = problems.filter((p) => !p.startsWith(`left the origin: ${cdn}/`));
  assert.deepEqual(others, []);
  assert.ok(problems.length > 0, 'the element really came from the other origin');
  await context.close();
});
