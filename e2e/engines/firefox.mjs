// Firefox ESR (Debian's /usr/bin/firefox-esr), headless, driven by
// puppeteer-core over WebDriver BiDi. No browser download: the executable is
// given. Firefox has no per-page colour-scheme emulation over BiDi, so a
// dark context comes from a second Firefox started with the content
// preference for dark; the device scale factor is BiDi's devicePixelRatio.
import puppeteer from 'puppeteer-core';
import { Page } from './page.mjs';
import { installHooks } from './inpage.mjs';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const HOOKS = `(${installHooks.toString()})(false)`;

function launchFirefox(scheme) {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: {
      // 0 = dark, 1 = light: what prefers-color-scheme reports to pages.
      'layout.css.prefers-color-scheme.content-override': scheme === 'dark' ? 0 : 1,
      'browser.download.panel.shown': true,
    },
  });
}

function driverFor(p) {
  return {
    exec: (expression) => p.evaluate(expression),
    goto: (url) => p.goto(url, { waitUntil: 'load' }),
    reload: () => p.reload({ waitUntil: 'load' }),
    click: (selector) => p.click(selector),
    mouseMove: (x, y, steps) => p.mouse.move(x, y, { steps }),
    mouseDown: () => p.mouse.down(),
    mouseUp: () => p.mouse.up(),
    keyDown: (key) => p.keyboard.down(key),
    keyUp: (key) => p.keyboard.up(key),
    typeText: (text) => p.keyboard.type(text),
    async setInputFiles(selector, paths) {
      const input = await p.$(selector);
      await input.uploadFile(...paths);
    },
    async screenshot({ path, fullPage, selector }) {
      if (selector) return (await p.$(selector)).screenshot({ path });
      return p.screenshot({ path, fullPage });
    },
    addInitScript: (source) => p.evaluateOnNewDocument(source),
    close: () => p.close(),
  };
}

export async function launch() {
  const browsers = new Map();
  const browserFor = (scheme) => {
    if (!browsers.has(scheme)) browsers.set(scheme, launchFirefox(scheme));
    return browsers.get(scheme);
  };
  await browserFor('light');
  return {
    engine: 'firefox',
    async newContext({ viewport = { width: 1280, height: 720 }, colorScheme = 'light', deviceScaleFactor = 1 } = {}) {
      const ctx = await (await browserFor(colorScheme)).createBrowserContext();
      const inits = [];
      const pages = [];
      return {
        async newPage() {
          const p = await ctx.newPage();
          await p.setViewport({ ...viewport, deviceScaleFactor });
          await p.evaluateOnNewDocument(HOOKS);
          for (const s of inits) await p.evaluateOnNewDocument(s);
          const page = new Page(driverFor(p), { hooksAll: false });
          p.on('console', (m) => {
            if (m.type() === 'error') page._emit([['console', m.text()]]);
          });
          p.on('pageerror', (e) => page._emit([['pageerror', e.message ?? String(e)]]));
          p.on('request', (r) => page._emit([['request', r.url()]]));
          pages.push(page);
          return page;
        },
        async addInitScript(script, arg) {
          const source = typeof script === 'function' ? `(${script})(${JSON.stringify(arg)})` : (script.content ?? script);
          inits.push(source);
          for (const page of pages) await page.driver.addInitScript(source);
        },
        async close() {
          await ctx.close();
        },
      };
    },
    async close() {
      for (const b of browsers.values()) await (await b).close();
    },
  };
}
