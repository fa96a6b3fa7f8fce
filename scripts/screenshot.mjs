// Takes screenshots of the page for a person to look at:
//   node scripts/screenshot.mjs [url-suffix] [out.png] [width] [dark] [css-selector]
import { setup, open } from '../e2e/harness.mjs';

const [suffix = '/', out = 'test-artifacts/page.png', width = '1280', dark = '', selector = ''] = process.argv.slice(2);
const env = await setup();
try {
  const { page, problems } = await open(env.browser, env.base + suffix, {
    viewport: { width: Number(width), height: 900 },
    colorScheme: dark ? 'dark' : 'light',
    ready: !/\.html/.test(suffix) || suffix.includes('index.html'),
  });
  await page.waitForTimeout(/\.html/.test(suffix) ? 1500 : 200);
  if (selector) await page.locator(selector).screenshot({ path: out });
  else await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
  if (problems.length) console.log(problems.join('\n'));
} finally {
  await env.close();
}
