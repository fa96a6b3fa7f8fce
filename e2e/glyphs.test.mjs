// S̄ is never left to a combining character (WebKit's fonts drop U+0304 and
// show a bare "S"): every view draws the bar as a line, class .overbar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, ARTIFACTS } from './harness.mjs';
import { useEnv } from './hooks.mjs';

const env = useEnv();

/** Visible text nodes holding U+0304, and the drawn overbars (their S and line style). */
const scan = (page) =>
  page.evaluate(() => {
    const combining = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.nodeValue.includes('\u0304') && n.parentElement?.getClientRects().length) combining.push(n.nodeValue.trim().slice(0, 60));
    }
    const bars = [...document.querySelectorAll('.overbar')]
      .filter((e) => e.getClientRects().length)
      .map((e) => ({ text: e.textContent, line: getComputedStyle(e).textDecorationLine }));
    return { combining, bars };
  });

for (const [name, path] of [
  ['explorer', '/#logits=2,1,0.5,-1&token=0&kind=pg&step=0.1'],
  ['lab', '/lab.html'],
]) {
  test(`${name}: S̄ and r̄ are letters under a drawn bar, never a combining character`, async () => {
    const { page, problems, context } = await open(env.browser, env.base + path);
    if (name === 'explorer') {
      // the slice table's "S̄ − S_k" column and the polarity chart's axis
      await page.selectOption('[data-testid="slice-example"]', 'slice.safetensors');
      await page.waitForFunction(() => document.getElementById('slices').dataset.sliceState === 'ready');
    }
    const { combining, bars } = await scan(page);
    assert.deepEqual(combining, [], 'text still using U+0304');
    assert.ok(bars.length >= 3, `drawn overbars: ${bars.length}`);
    for (const b of bars) {
      // S̄ (the mean discriminator) and r̄ (the mean reward of a group's advantages)
      assert.match(b.text, /^[Sr]$/);
      assert.match(b.line, /overline/);
    }
    await page.screenshot({ path: `${ARTIFACTS}/glyphs-${name}.png` });
    assert.deepEqual(problems, []);
    await context.close();
  });
}
