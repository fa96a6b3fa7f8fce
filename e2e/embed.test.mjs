// End to end: embedding (custom element and iframe), the strict CSP,
// exports, keyboard use, narrow screens, dark mode, and no request leaving
// the origin. Screenshots of every view land in test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setup, open, ARTIFACTS } from './harness.mjs';
import { stats, firstOrder, close } from './reference.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const HASH = '#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1';

/** Records CSP violations in the page (besides the console errors they log). */
async function watchCsp(context) {
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

async function viewValues(page, id) {
  await page.waitForFunction((i) => document.getElementById(i)?.values, id, { timeout: 15000 });
  return page.evaluate((i) => {
    const { layout, ...v } = document.getElementById(i).values;
    return v;
  }, id);
}

test('every response carries the strict CSP and the pages raise no violation', async () => {
  const res = await fetch(`${env.base}/`);
  assert.equal(res.headers.get('content-security-policy'), "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'");
  for (const path of [`/${HASH}`, `/?embed=1${HASH}`, '/docs-example.html']) {
    const { page, context, problems } = await open(env.browser, env.base + path, { ready: !path.includes('docs') });
    await watchCsp(context);
    await page.reload();
    if (path.includes('docs')) await viewValues(page, 'likely');
    else await page.waitForSelector('html[data-ready="1"]');
    assert.deepEqual(await page.evaluate(() => window.__csp), [], `CSP violations on ${path}`);
    assert.deepEqual(problems, [], `problems on ${path}`);
    await context.close();
  }
});

test('custom elements render the right numbers, share one module and follow attribute changes', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/docs-example.html`, { ready: false, viewport: { width: 1000, height: 900 } });
  const ref = stats([2, 1, 0.5, -1]);
  const a = await viewValues(page, 'likely');
  assert.ok(close(a.entropy, ref.H, 1e-12));
  assert.ok(close(a.flipPolicyGradient, ref.flipPG, 1e-10));
  assert.ok(close(a.firstOrder, firstOrder([2, 1, 0.5, -1], 1, 0, 'pg', 0.1), 1e-10));
  assert.ok(a.firstOrder < 0, 'rewarding the likely token contracts');
  const b = await viewValues(page, 'unlikely');
  assert.ok(close(b.firstOrder, firstOrder([2, 1, 0.5, -1], 1, 3, 'pg', 0.1), 1e-10));
  assert.ok(b.firstOrder > 0, 'rewarding the unlikely token expands');
  // One wasm module fetched for the page, however many elements.
  const wasmFetches = await page.evaluate(() => performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.wasm')).length);
  assert.equal(wasmFetches, 1);
  // Live attributes: flip the sign of the advantage.
  await page.click('[data-testid="flip-sign"]');
  await page.waitForFunction(() => document.getElementById('likely').values.firstOrder > 0);
  const flipped = await viewValues(page, 'likely');
  assert.ok(close(flipped.firstOrder, -a.firstOrder, 1e-12));
  // The chart really is drawn: its canvas holds many non-background pixels.
  const inked = await page.evaluate(() => {
    const c = document.getElementById('likely').shadowRoot.querySelector('canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 100 && d[i + 1] < 100 && d[i + 2] < 100) n++;
    return n;
  });
  assert.ok(inked > 1000, `dark pixels drawn: ${inked}`);
  // The iframe embed shows the chart view alone and its numbers.
  const frame = page.frameLocator('[data-testid="iframe"]');
  await frame.locator('html[data-ready="1"]').waitFor({ state: 'attached' });
  const hidden = await frame.locator('.editor').isHidden();
  assert.ok(hidden, 'embed hides the editor');
  assert.ok(await frame.locator('[data-testid="curve"]').isVisible());
  const fe = Number(await frame.locator('[data-testid="entropy"]').getAttribute('data-value'));
  assert.ok(close(fe, stats([3, 1, 0, -1, -2]).H, 1e-12));
  await page.screenshot({ path: `${ARTIFACTS}/docs-example.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('SVG export parses and holds the curve; PNG export is at device resolution', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/${HASH}`, { deviceScaleFactor: 2 });
  const [svgDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-svg"]')]);
  const svg = await readFile(await svgDl.path(), 'utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.nodeName,
      lines: doc.querySelectorAll('polyline, path').length,
      longest: Math.max(...[...doc.querySelectorAll('polyline')].map((p) => p.getAttribute('points').trim().split(/\s+/).length)),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent.trim()),
    };
  }, svg);
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.ok(parsed.longest >= 100, `a sampled curve with many points (${parsed.longest})`);
  // e^−H is drawn as "e" with a raised "−H" (a real superscript, issue 11).
  assert.ok(parsed.texts.includes('p†') && parsed.texts.includes('e') && parsed.texts.includes('−H'), JSON.stringify(parsed.texts));

  const [pngDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-png"]')]);
  const png = await readFile(await pngDl.path());
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  const css = await page.$eval('[data-testid="curve"]', (c) => [c.clientWidth, c.clientHeight]);
  assert.deepEqual([w, h], [css[0] * 2, css[1] * 2], 'PNG at devicePixelRatio 2');

  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-tokens"]')]);
  const rows = (await readFile(await csvDl.path(), 'utf8')).trim().split('\n');
  assert.equal(rows[0], 'token,label,logit,prob,discriminator,first_order_dh,exact_dh');
  const ref = stats([2, 1, 0.5, -1]);
  rows.slice(1).forEach((line, j) => {
    const f = line.split(',');
    assert.ok(close(Number(f[3]), ref.p[j], 1e-12), `p_${j}`);
    assert.ok(close(Number(f[4]), ref.S[j], 1e-10, 1e-15), `S_${j}`);
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the keyboard alone changes a bar and the readouts follow', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/${HASH}`);
  const before = await page.$eval('[data-testid="entropy"]', (el) => el.dataset.value);
  let onBar = false;
  for (let i = 0; i < 12 && !onBar; i++) {
    await page.keyboard.press('Tab');
    onBar = await page.evaluate(() => document.activeElement?.dataset.testid?.startsWith('bar-') ?? false);
  }
  assert.ok(onBar, 'a bar is reachable with Tab');
  const focusVisible = await page.evaluate(() => getComputedStyle(document.activeElement, ':focus-visible').outlineStyle);
  assert.notEqual(focusVisible, 'none', 'focus is visible');
  // The arrows go to the focused bar itself: after an earlier test closes its
  // context, WebKitGTK's driver can send page-level keys to nowhere.
  await page.press('[data-testid="bar-0"]', 'ArrowRight');
  await page.press('[data-testid="bar-1"]', 'ArrowUp');
  await page.press('[data-testid="bar-1"]', 'ArrowUp');
  await page.waitForFunction(() => location.hash.includes('logits=2,1.2,'));
  assert.ok(await page.evaluate(() => location.hash.includes('token=1')));
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok))); // readouts follow at the next frame
  const after = await page.$eval('[data-testid="entropy"]', (el) => el.dataset.value);
  assert.notEqual(after, before);
  assert.ok(close(Number(after), stats([2, 1.2, 0.5, -1]).H, 1e-12));
  // Controls are labelled.
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !el.labels?.length && !el.getAttribute('aria-label')).map((el) => el.id || el.name));
  assert.deepEqual(unlabelled, []);
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [name, width, scheme] of [['wide-light', 1920, 'light'], ['wide-dark', 1920, 'dark'], ['narrow-light', 375, 'light'], ['narrow-dark', 375, 'dark']]) {
  test(`${name}: no horizontal scroll, no request off the origin, screenshots`, async () => {
    for (const [view, path] of [['page', `/${HASH}`], ['embed', `/?embed=1${HASH}`], ['docs', '/docs-example.html']]) {
      const { page, context, problems } = await open(env.browser, env.base + path, {
        viewport: { width, height: 900 }, colorScheme: scheme, ready: view !== 'docs',
      });
      if (view === 'docs') await viewValues(page, 'likely');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${view} at ${width}px scrolls sideways by ${overflow}px`);
      await page.screenshot({ path: `${ARTIFACTS}/${view}-${name}.png`, fullPage: view !== 'embed' });
      assert.deepEqual(problems, [], `${view}`);
      await context.close();
    }
  });
}
