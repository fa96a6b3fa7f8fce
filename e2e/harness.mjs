// Shared set-up for end-to-end tests: serve www/ on a free loopback port and
// drive Debian's Chromium with playwright-core (no browser download).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { startServer } from '../scripts/serve.mjs';

export const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
];

/** Starts the static server and the browser; returns { base, browser, close }. */
export async function setup() {
  const server = await startServer(0);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * Opens a page and collects console errors, page errors and requests that
 * leave the origin. Waits for the app to say it is ready when `ready` is set.
 */
export async function open(browser, url, { ready = true, viewport = { width: 1280, height: 900 }, colorScheme = 'light', deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(url).origin;
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`left the origin: ${u}`);
  });
  await page.goto(url);
  if (ready) await page.waitForSelector('html[data-ready="1"]', { timeout: 15000 });
  return { page, context, problems };
}
