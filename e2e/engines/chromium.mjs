// Chromium (Debian's /usr/bin/chromium) driven by playwright-core, which
// already has the page API the tests use: no adapter needed.
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export async function launch() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  browser.engine = 'chromium';
  return browser;
}
