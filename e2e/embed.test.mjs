// End to end: embedding (custom element and iframe), the strict CSP,
// exports, keyboard use, narrow screens, dark mode, and no request leaving
// the origin. Screenshots of every view land in test-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { open, ARTIFACTS } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { stats, firstOrder, exactChange, close } from './reference.mjs';

const env = useEnv();

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
  const { page, context, problems } = await open(env.browser, `${env.base}/docs-example.html`, {
    ready: false,
    viewport: { width: 1000, height: 900 },
  });
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
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => !el.labels?.length && !el.getAttribute('aria-label'))
      .map((el) => el.id || el.name),
  );
  assert.deepEqual(unlabelled, []);
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [name, width, scheme] of [
  ['wide-light', 1920, 'light'],
  ['wide-dark', 1920, 'dark'],
  ['narrow-light', 375, 'light'],
  ['narrow-dark', 375, 'dark'],
]) {
  test(`${name}: no horizontal scroll, no request off the origin, screenshots`, async () => {
    for (const [view, path] of [
      ['page', `/${HASH}`],
      ['embed', `/?embed=1${HASH}`],
      ['docs', '/docs-example.html'],
    ]) {
      const { page, context, problems } = await open(env.browser, env.base + path, {
        viewport: { width, height: 900 },
        colorScheme: scheme,
        ready: view !== 'docs',
      });
      if (view === 'docs') await viewValues(page, 'likely');
      if (view === 'docs') {
        // Every line of the page is legible in its scheme: the event line too.
        const ev = await page.$eval('[data-testid="last-change"]', (e) => getComputedStyle(e).color);
        const [r, g, b] = ev.match(/[\d.]+/g).map(Number);
        const lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        assert.ok(scheme === 'dark' ? lum > 0.5 : lum < 0.5, `event line ${ev} in ${scheme}`);
        // The figure's legend stays inside its chart at every width, and in the 280 px column of
        // a 320 px host page (WebKit's window cannot be narrower than 375 px: the element is).
        await page.waitForFunction(() => document.getElementById('figure')?.shadowRoot?.querySelector('svg .legend'));
        if (width < 400)
          await page.evaluate(async () => {
            const f = document.getElementById('figure');
            const done = new Promise((ok) => f.addEventListener('rendered', ok, { once: true }));
            f.style.width = '280px';
            await done;
          });
        const clipped = await page.$eval('[data-testid="figure"]', (f) => {
          const svg = f.shadowRoot.querySelector('svg').getBoundingClientRect();
          return [...f.shadowRoot.querySelectorAll('.legend text')]
            .filter((t) => t.getBoundingClientRect().right > svg.right + 0.5)
            .map((t) => t.textContent);
        });
        assert.deepEqual(clipped, [], `figure legend at ${width} px`);
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${view} at ${width}px scrolls sideways by ${overflow}px`);
      await page.screenshot({ path: `${ARTIFACTS}/${view}-${name}.png`, fullPage: view !== 'embed' });
      assert.deepEqual(problems, [], `${view}`);
      await context.close();
    }
  });
}

test('element: labels are text, themes switch, the reader chooses and drags, the link carries the state', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/docs-example.html`, {
    ready: false,
    viewport: { width: 1000, height: 900 },
  });
  await viewValues(page, 'interactive');
  // Labels that look like markup stay text: no element is made of them.
  const hostile = '<img src=x>,<b>bold</b>,a&amp;b,"q"';
  const shown = await page.evaluate(async (labels) => {
    const el = document.getElementById('interactive');
    el.setAttribute('labels', labels);
    el.setAttribute('token', '1');
    await new Promise((ok) => el.addEventListener('rendered', ok, { once: true }));
    const root = el.shadowRoot;
    return {
      buttons: [...root.querySelectorAll('[part~="token"]')].map((b) => b.textContent),
      chosen: root.querySelector('[part~="token-chosen"]').textContent,
      caption: root.querySelector('[part~="caption"]').textContent,
      made: root.querySelectorAll('img, b').length,
      label: el.values.label,
    };
  }, hostile);
  assert.deepEqual(shown.buttons, ['<img src=x>', '<b>bold</b>', 'a&amp;b', '"q"']);
  assert.equal(shown.chosen, '<b>bold</b>');
  assert.ok(shown.caption.includes('token 1 (<b>bold</b>)'), shown.caption);
  assert.equal(shown.made, 0, 'no element made of a label');

  // Themes: the canvas background and the host's colours follow the attribute.
  const themed = await page.evaluate(async () => {
    const el = document.getElementById('interactive');
    const look = async (theme) => {
      el.setAttribute('theme', theme);
      await new Promise((ok) => el.addEventListener('rendered', ok, { once: true }));
      const c = el.shadowRoot.querySelector('canvas');
      const px = [...c.getContext('2d').getImageData(1, 1, 1, 1).data].slice(0, 3);
      return { scheme: el.values.scheme, px, text: getComputedStyle(el).color };
    };
    return { dark: await look('dark'), light: await look('light'), auto: await look('auto') };
  });
  assert.equal(themed.dark.scheme, 'dark');
  assert.ok(
    themed.dark.px.every((v) => v < 60),
    `dark canvas ${themed.dark.px}`,
  );
  assert.equal(themed.light.scheme, 'light');
  assert.ok(
    themed.light.px.every((v) => v > 230),
    `light canvas ${themed.light.px}`,
  );
  assert.notEqual(themed.dark.text, themed.light.text, 'text colour follows the theme');
  assert.equal(themed.auto.scheme, 'light', 'auto follows the host page (light here)');
  // "auto" follows the host page, not the OS: a dark page under a light OS gets light text
  // (and a light page under a dark OS dark text: the same rule, docs/contract.md).
  const host = await page.evaluate(async () => {
    document.body.style.background = '#111';
    document.body.style.color = '#eee';
    const view = document.getElementById('interactive');
    const fig = document.getElementById('figure');
    const again = (el) => {
      const done = new Promise((ok) => el.addEventListener('rendered', ok, { once: true }));
      el.setAttribute('theme', 'auto');
      return done;
    };
    await Promise.all([again(view), again(fig)]);
    const c = view.shadowRoot.querySelector('canvas');
    const out = {
      scheme: view.values.scheme,
      px: [...c.getContext('2d').getImageData(1, 1, 1, 1).data].slice(0, 3),
      figureText: getComputedStyle(fig.shadowRoot.querySelector('svg text')).fill,
      figureTitle: getComputedStyle(fig.shadowRoot.querySelector('[part~="title"]')).color,
    };
    document.body.style.background = '';
    document.body.style.color = '';
    return out;
  });
  const lum = (css) => {
    const [r, g, b] = css.match(/[\d.]+/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  assert.equal(host.scheme, 'dark', 'auto on a dark host page');
  assert.ok(
    host.px.every((v) => v < 60),
    `canvas ${host.px}`,
  );
  assert.ok(lum(host.figureText) > 0.6 && lum(host.figureTitle) > 0.6, `figure text ${host.figureText}, title ${host.figureTitle}`);

  // Choosing a token by click fires `change` with the state and updates the attribute.
  await page.evaluate(() => {
    window.__changes = [];
    document.getElementById('interactive').addEventListener('change', (e) => window.__changes.push(e.detail));
  });
  await page.locator('[data-testid="view-interactive"]').evaluate((el) => el.shadowRoot.querySelector('[data-token="3"]').click());
  await page.waitForFunction(() => window.__changes.length === 1);
  let changes = await page.evaluate(() => window.__changes);
  assert.equal(changes[0].token, 3);
  assert.deepEqual(changes[0].logits, [2, 1, 0.5, -1]);
  assert.equal(await page.getAttribute('[data-testid="view-interactive"]', 'token'), '3');
  await page.waitForFunction(() => document.getElementById('interactive').values?.label === '"q"');
  // The keyboard on the chart raises the chosen logit by 0.1.
  await page.evaluate(() => {
    const c = document.getElementById('interactive').shadowRoot.querySelector('canvas');
    c.focus();
    c.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
  });
  await page.waitForFunction(() => window.__changes.length === 2);
  assert.equal(await page.getAttribute('[data-testid="view-interactive"]', 'logits'), '2,1,0.5,-0.9');
  // A drag to the middle of the q axis gives the token probability ≈ 0.5.
  const raised = stats([2, 1, 0.5, -0.9]).p[3];
  await page.waitForFunction((p) => Math.abs(document.getElementById('interactive').values?.prob - p) < 1e-12, raised);
  const at = await page.evaluate(() => {
    const el = document.getElementById('interactive');
    const c = el.shadowRoot.querySelector('canvas');
    const r = c.getBoundingClientRect();
    const l = el.values.layout;
    const k = r.width / c.width;
    return {
      x: r.left + ((l.left + l.right) / 2) * k,
      y: r.top + ((l.top + l.bottom) / 2) * k,
      dq: (l.xMax - l.xMin) / (l.right - l.left) / k,
    };
  });
  await page.mouse.move(at.x - 40, at.y);
  await page.mouse.down();
  await page.mouse.move(at.x, at.y);
  await page.mouse.up();
  await page.waitForFunction(() => Math.abs(document.getElementById('interactive').values?.prob - 0.5) < 0.02);
  const dragged = await viewValues(page, 'interactive');
  const z = (await page.getAttribute('[data-testid="view-interactive"]', 'logits')).split(',').map(Number);
  const ref = stats(z);
  assert.ok(Math.abs(ref.p[3] - 0.5) <= 2 * at.dq, `dragged to p = ${ref.p[3]} (one pixel is ${at.dq})`);
  assert.ok(close(dragged.prob, ref.p[3], 1e-10));
  assert.ok(close(dragged.firstOrder, firstOrder(z, 1, 3, 'pg', 0.1), 1e-9));
  changes = await page.evaluate(() => window.__changes);
  assert.deepEqual(changes.at(-1).logits, z, 'the last change event holds the new logits');

  // "Open in the explorer": the link's hash is the explorer's state (js/lib/link-state.js).
  const href = await page.locator('[data-testid="view-interactive"]').evaluate((el) => el.shadowRoot.querySelector('[part="link"]').href);
  const url = new URL(href);
  assert.equal(url.pathname, '/index.html');
  const hash = new URLSearchParams(url.hash.slice(1));
  assert.deepEqual(hash.get('logits').split(',').map(Number), z);
  assert.equal(hash.get('token'), '3');
  assert.equal(hash.get('labels'), '<img src=x>,<b>bold</b>,a&amp;b,"q"');
  assert.equal(hash.get('kind'), 'pg');
  await page.goto(href);
  await page.waitForSelector('html[data-ready="1"]');
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok)));
  const H = Number(await page.getAttribute('[data-testid="entropy"]', 'data-value'));
  assert.ok(close(H, ref.H, 1e-11), `the explorer opened the same distribution (H ${H} against ${ref.H})`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('iframes: no clipping at 375, 768 and 1440 wide, self-sized or at the documented height', async () => {
  const DOCUMENTED = 600; // README, "Embedding"
  for (const width of [375, 768, 1440]) {
    // Sized by embed-resize.js on the docs page.
    const { page, context, problems } = await open(env.browser, `${env.base}/docs-example.html`, {
      ready: false,
      viewport: { width, height: 900 },
    });
    const frame = page.frameLocator('[data-testid="iframe"]');
    await frame.locator('html[data-ready="1"]').waitFor({ state: 'attached' });
    await page.waitForFunction(() => document.querySelector('[data-testid="iframe"]').style.height !== '');
    await page.waitForTimeout(100);
    // Through the element: the driver may run the function in the top document.
    const inside = await frame.locator('body').evaluate((body) => {
      const doc = body.ownerDocument;
      return {
        content: doc.documentElement.scrollHeight,
        frame: doc.defaultView.innerHeight,
        curveBottom: doc.querySelector('[data-testid="curve"]').getBoundingClientRect().bottom,
        captionBottom: doc.getElementById('caption').getBoundingClientRect().bottom,
      };
    });
    assert.ok(inside.content <= inside.frame + 1, `self-sized at ${width}: content ${inside.content} in a frame of ${inside.frame}`);
    assert.ok(inside.captionBottom <= inside.frame && inside.curveBottom <= inside.frame, `${width}: ${JSON.stringify(inside)}`);
    assert.ok(inside.frame - inside.content < 40, `no large gap at ${width}: ${JSON.stringify(inside)}`);
    assert.deepEqual(problems, []);
    await context.close();
    // Without the snippet: the embed alone at the documented height, at this
    // width and, in a frame inside it, at a phone's 320 px or a docs column's
    // 720 (the tallest case; WebKit's window cannot be made 320 px wide).
    const embedUrl = '/?embed=1#logits=3,1,0,-1,-2&token=1&kind=nudge&step=0.5';
    const alone = await open(env.browser, env.base + embedUrl, { viewport: { width, height: DOCUMENTED } });
    const fit = await alone.page.evaluate(
      async ({ url, frameWidth, height }) => {
        const own = document.documentElement.scrollHeight;
        if (!frameWidth) return { own };
        const f = document.createElement('iframe');
        f.width = String(frameWidth);
        f.height = String(height);
        f.src = url;
        document.body.prepend(f);
        await new Promise((ok) => f.addEventListener('load', ok, { once: true }));
        const doc = f.contentDocument;
        for (let i = 0; i < 200 && doc.documentElement.dataset.ready !== '1'; i++) await new Promise((ok) => setTimeout(ok, 25));
        await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
        return {
          own,
          inner: doc.documentElement.scrollHeight,
          innerWidth: f.contentWindow.innerWidth,
          ready: doc.documentElement.dataset.ready,
        };
      },
      { url: embedUrl, frameWidth: { 375: 320, 768: 720 }[width], height: DOCUMENTED },
    );
    assert.ok(fit.own <= DOCUMENTED, `the embed needs ${fit.own} px at ${width} wide, more than the documented ${DOCUMENTED}`);
    if (fit.inner !== undefined) {
      assert.equal(fit.ready, '1');
      assert.ok(fit.inner <= DOCUMENTED, `the embed needs ${fit.inner} px at ${fit.innerWidth} wide, more than ${DOCUMENTED}`);
    }
    assert.deepEqual(alone.problems, []);
    await alone.context.close();
  }
});

test("figures: the paper's four figures match independent arithmetic; bad attributes get an error", async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/figures.html`, {
    ready: false,
    viewport: { width: 900, height: 900 },
  });
  await page.waitForFunction(() => ['curves', 'flip', 'scatter', 'quadrants'].every((f) => document.getElementById(`fig-${f}`)?.values));
  const v = await page.evaluate(() => {
    const get = (f) => {
      const el = document.getElementById(`fig-${f}`);
      const root = el.shadowRoot;
      return {
        ...el.values,
        dots: root.querySelectorAll('circle.token').length,
        caption: root.querySelector('[part="caption"]').textContent,
      };
    };
    return { curves: get('curves'), flip: get('flip'), scatter: get('scatter'), quadrants: get('quadrants') };
  });
  // 1. Curves: H, S̄, e^−H and p† of each distribution, its tokens on the curve, the curve itself.
  assert.equal(v.curves.curves.length, 5);
  for (const c of v.curves.curves) {
    const ref = stats(c.logits);
    assert.ok(close(c.entropy, ref.H, 1e-12) && close(c.meanDiscriminator, ref.Sbar, 1e-9, 1e-15));
    assert.ok(close(c.flipNudge, ref.flipNudge, 1e-12) && close(c.flipPolicyGradient, ref.flipPG, 1e-9));
    c.tokens.forEach(([q, y], j) => {
      assert.ok(close(q, ref.p[j], 1e-12, 1e-300));
      assert.ok(close(y, firstOrder(c.logits, 1, j, 'pg', 1), 1e-9, 1e-14), `curve token ${j}`);
    });
    for (const [q, y] of c.curve) assert.ok(close(y, ref.Sbar - q * (ref.H + Math.log(q)), 1e-9, 1e-14));
  }
  const Hs = v.curves.curves.map((c) => c.entropy);
  assert.ok(Hs[4] - Hs[0] > 2, `several entropies: ${Hs}`);
  // 2. p† ≥ e^−H, every point recomputed.
  let above = 0;
  for (const p of v.flip.points) {
    const ref = stats(p.logits);
    assert.ok(close(p.entropy, ref.H, 1e-12) && close(p.flipNudge, ref.flipNudge, 1e-12));
    assert.ok(close(p.flipPolicyGradient, ref.flipPG, 1e-9), `p† ${p.flipPolicyGradient} against ${ref.flipPG}`);
    if (ref.flipPG >= ref.flipNudge * (1 - 1e-12)) above++;
  }
  assert.equal(v.flip.points.length, 300);
  assert.equal(v.flip.summary.above, above);
  assert.equal(above, 300, 'the asymmetry holds in every distribution');
  assert.ok(v.flip.caption.includes(`in ${above} of 300`), v.flip.caption);
  assert.equal(v.flip.dots, 300 + 2, 'one dot per distribution, two in the legend');
  // 3. First order and exact, each recomputed; the caption's counts.
  let agree = 0;
  for (const p of v.scatter.points) {
    assert.ok(close(p.firstOrder, firstOrder(p.logits, 1, p.token, 'pg', p.step), 1e-9, 1e-14));
    assert.ok(close(p.exact, exactChange(p.logits, 1, p.token, 'pg', p.step), 1e-7, 1e-12), `exact ${p.exact}`);
    if (Math.sign(p.firstOrder) === Math.sign(p.exact)) agree++;
  }
  assert.equal(v.scatter.summary.agree, agree);
  assert.ok(v.scatter.caption.includes(`agrees in ${agree} of 300`), v.scatter.caption);
  // 4. Quadrants: classified again from the logits (p of the token against p†), exact signs recounted.
  const counts = {};
  for (const s of v.quadrants.samples) {
    const ref = stats(s.logits);
    assert.ok(close(s.prob, ref.p[s.token], 1e-12, 1e-300));
    const key = `${s.adv > 0 ? 'pos' : 'neg'}-${ref.p[s.token] > ref.flipPG ? 'above' : 'below'}`;
    const exact = exactChange(s.logits, 1, s.token, 'pg', 0.1 * s.adv);
    assert.ok(close(s.exact, exact, 1e-7, 1e-12));
    counts[key] ??= { count: 0, expand: 0 };
    counts[key].count++;
    if (exact > 0) counts[key].expand++;
  }
  for (const [key, q] of Object.entries(v.quadrants.quadrants)) {
    assert.equal(q.count, counts[key]?.count ?? 0, key);
    assert.equal(q.expand, counts[key]?.expand ?? 0, key);
  }
  // Rewarding a likely token contracts, penalising it expands (exactly, up to the
  // few tokens near p† where first order and exact differ): the claim, in the counts.
  const share = (k) => counts[k].expand / counts[k].count;
  assert.ok(
    share('pos-above') < 0.1 && share('neg-above') > 0.9 && share('pos-below') > 0.9 && share('neg-below') < 0.1,
    JSON.stringify(counts),
  );
  // A bad attribute: an error a person can act on, no stale numbers; then back.
  const bad = await page.evaluate(async () => {
    const el = document.getElementById('fig-flip');
    el.setAttribute('figure', '<b>x</b>');
    await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    const r = {
      values: el.values,
      error: el.shadowRoot.querySelector('[part="error"]').textContent,
      svg: el.shadowRoot.querySelectorAll('svg, b').length,
    };
    el.setAttribute('figure', 'flip');
    el.setAttribute('theme', 'dark');
    await new Promise((ok) => el.addEventListener('rendered', ok, { once: true }));
    return { ...r, back: el.values.points.length, bg: getComputedStyle(el).backgroundColor };
  });
  assert.equal(bad.values, null);
  assert.ok(bad.error.includes('Unknown figure "<b>x</b>"'), bad.error);
  assert.equal(bad.svg, 0);
  assert.equal(bad.back, 300);
  assert.equal(bad.bg, 'rgb(24, 26, 31)', 'theme="dark" gives the figure its dark background');
  await page.screenshot({ path: `${ARTIFACTS}/figures.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
