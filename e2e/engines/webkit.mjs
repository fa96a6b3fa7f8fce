// WebKitGTK: Debian's MiniBrowser under Xvfb (`xvfb-run -a WebKitWebDriver`),
// driven by selenium-webdriver over WebDriver classic. MiniBrowser has no
// headless mode, hence Xvfb. What WebDriver classic cannot do is done so:
// - init scripts and the hooks (inpage.mjs): the test server puts a
//   same-origin <script src="/__e2e/init.js"> first in every HTML page;
// - console errors, page errors, requests off the origin: recorded by those
//   hooks and read back after every command;
// - dark colour scheme and device scale factor: a second WebKitWebDriver
//   whose MiniBrowser runs with GTK_THEME=Adwaita:dark or GDK_SCALE=2;
// - viewport: the window is sized until innerWidth × innerHeight match.
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { Builder, By, Key } from 'selenium-webdriver';
import { Origin } from 'selenium-webdriver/lib/input.js';
import { Page } from './page.mjs';
import { installHooks } from './inpage.mjs';

const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const HOOKS = `(${installHooks.toString()})(true);`;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

const KEYS = {
  ArrowUp: Key.ARROW_UP,
  ArrowDown: Key.ARROW_DOWN,
  ArrowLeft: Key.ARROW_LEFT,
  ArrowRight: Key.ARROW_RIGHT,
  Enter: Key.ENTER,
  Tab: Key.TAB,
  Escape: Key.ESCAPE,
  Backspace: Key.BACK_SPACE,
  Delete: Key.DELETE,
  Home: Key.HOME,
  End: Key.END,
  PageUp: Key.PAGE_UP,
  PageDown: Key.PAGE_DOWN,
  Space: ' ',
  Shift: Key.SHIFT,
  Control: Key.CONTROL,
  Alt: Key.ALT,
  Meta: Key.META,
};
const key = (k) => KEYS[k] ?? k;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitForPort(port, child, ms = 20000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode})`);
    const up = await new Promise((ok) => {
      const c = connect(port, '127.0.0.1', () => {
        c.end();
        ok(true);
      });
      c.on('error', () => ok(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error(`WebKitWebDriver did not listen on port ${port}`);
}

/** One `xvfb-run -a WebKitWebDriver` per environment variant (light, dark, scale 2). */
async function startDriver(env) {
  const port = await freePort();
  const child = spawn('xvfb-run', ['-a', '-s', '-screen 0 3840x2400x24', 'WebKitWebDriver', `--port=${port}`], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
    detached: true,
  });
  await waitForPort(port, child);
  return {
    url: `http://127.0.0.1:${port}`,
    stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    },
  };
}

/** Serves the hooks and the contexts' init scripts, and puts them first in every HTML page. */
function injectInto(server, initScripts) {
  const handlers = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (req.url.startsWith('/__e2e/init.js')) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end([HOOKS, ...[...initScripts.values()].flat()].join('\n;\n'));
      return;
    }
    const { writeHead, end } = res;
    let html = false;
    res.writeHead = function (status, headers) {
      html = /text\/html/.test(headers?.['Content-Type'] ?? '');
      return writeHead.apply(this, arguments);
    };
    res.end = function (body, ...rest) {
      if (html && body) body = String(body).replace(/<head>|(?=<script)/i, (m) => `${m}<script src="/__e2e/init.js"></script>`);
      return end.call(this, body, ...rest);
    };
    for (const h of handlers) h.call(server, req, res);
  });
}

function driverFor(wd, state) {
  const actions = () => wd.actions({ async: true });
  return {
    async exec(expression) {
      return wd.executeAsyncScript(`const done = arguments[arguments.length - 1];
        Promise.resolve(${expression}).then(done, (e) => done(JSON.stringify({ err: String(e), drain: [[], 0] })));`);
    },
    goto: (url) => wd.get(url),
    reload: () => wd.navigate().refresh(),
    async click(selector) {
      try {
        await (await wd.findElement(By.css(selector))).click();
      } catch (e) {
        // WebKit's element click refuses some boxes playwright clicks (a table
        // row): click the middle of its box with the mouse instead.
        if (e.name !== 'ElementNotInteractableError') throw e;
        const [x, y] = await wd.executeScript(
          `const r = document.querySelector(arguments[0]);
          r.scrollIntoView({ block: 'center', inline: 'center' });
          const b = r.getBoundingClientRect();
          return [Math.round(b.x + b.width / 2), Math.round(b.y + b.height / 2)];`,
          selector,
        );
        await actions().move({ x, y, origin: Origin.VIEWPORT }).press().release().perform();
      }
    },
    async mouseMove(x, y, steps) {
      const [x0, y0] = state.mouse;
      let a = actions();
      for (let i = 1; i <= steps; i++) {
        a = a.move({
          x: Math.round(x0 + ((x - x0) * i) / steps),
          y: Math.round(y0 + ((y - y0) * i) / steps),
          origin: Origin.VIEWPORT,
          duration: 0,
        });
      }
      await a.perform();
      state.mouse = [x, y];
    },
    mouseDown: () => actions().press().perform(),
    mouseUp: () => actions().release().perform(),
    keyDown: (k) => actions().keyDown(key(k)).perform(),
    keyUp: (k) => actions().keyUp(key(k)).perform(),
    typeText: (text) => actions().sendKeys(text).perform(),
    async setInputFiles(selector, paths) {
      await (await wd.findElement(By.css(selector))).sendKeys(paths.join('\n'));
    },
    async screenshot({ path, fullPage, selector }) {
      // Right after a load or a resize MiniBrowser may not have painted yet.
      await wd.executeAsyncScript(
        'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));',
      );
      let b64;
      if (selector) b64 = await (await wd.findElement(By.css(selector))).takeScreenshot(true);
      else if (fullPage) b64 = await (await wd.findElement(By.css('html'))).takeScreenshot(false);
      else b64 = await wd.takeScreenshot();
      const buf = Buffer.from(b64, 'base64');
      if (path) await writeFile(path, buf);
      return buf;
    },
    close: () => wd.quit(),
  };
}

/** Sizes the window until the page's viewport is width × height CSS pixels. */
async function sizeViewport(wd, { width, height }) {
  let [w, h] = [width, height];
  for (let i = 0; i < 3; i++) {
    // The driver refuses some corrections ("Invalid width value"): try the
    // asked size again rather than fail the test.
    await wd
      .manage()
      .window()
      .setRect({ width: w, height: h, x: 0, y: 0 })
      .catch(() => wd.manage().window().setRect({ width, height, x: 0, y: 0 }));
    const [iw, ih] = await wd.executeScript('return [innerWidth, innerHeight];');
    if (iw === width && ih === height) return;
    w = Math.max(width, Math.round(w + width - (Number(iw) || width)));
    h = Math.max(height, Math.round(h + height - (Number(ih) || height)));
  }
  throw new Error(`WebKit: cannot size the viewport to ${width} × ${height}`);
}

export async function launch({ server }) {
  const initScripts = new Map();
  injectInto(server, initScripts);
  // WebKitWebDriver holds one session at a time, and a MiniBrowser takes
  // seconds to start: each (driver, session) is kept and reused, on
  // about:blank, by the next context of the same variant. A context left
  // open (a failed test) keeps its own; the next one starts another driver.
  const pool = []; // { name, driver, wd, busy }
  let nextId = 0;
  async function take(name, env) {
    let entry = pool.find((e) => e.name === name && !e.busy);
    if (!entry) {
      const driver = await startDriver(env);
      const wd = await new Builder()
        .usingServer(driver.url)
        .withCapabilities({
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', '--full-screen'] }, // full screen: no toolbar, so no minimum width
        })
        .build();
      await wd.manage().setTimeouts({ script: 120000, pageLoad: 60000 });
      entry = { name, driver, wd, busy: false };
      pool.push(entry);
    }
    entry.busy = true;
    return entry;
  }
  await take('light', {}).then((e) => {
    e.busy = false;
  });
  return {
    engine: 'webkit',
    async newContext({ viewport = { width: 1280, height: 720 }, colorScheme = 'light', deviceScaleFactor = 1 } = {}) {
      const env = {};
      if (colorScheme === 'dark') env.GTK_THEME = 'Adwaita:dark';
      if (deviceScaleFactor !== 1) env.GDK_SCALE = String(deviceScaleFactor);
      const name =
        Object.entries(env)
          .map((e) => e.join('='))
          .join(' ') || 'light';
      const id = nextId++;
      const taken = [];
      return {
        async newPage() {
          const entry = await take(name, env);
          taken.push(entry);
          await sizeViewport(entry.wd, viewport);
          return new Page(driverFor(entry.wd, { mouse: [0, 0] }), { hooksAll: true });
        },
        async addInitScript(script, arg) {
          const source = typeof script === 'function' ? `(${script})(${JSON.stringify(arg)})` : (script.content ?? script);
          initScripts.set(id, [...(initScripts.get(id) ?? []), source]);
        },
        async close() {
          initScripts.delete(id);
          for (const entry of taken) {
            try {
              await entry.wd.actions().clear();
              await entry.wd.get('about:blank');
              entry.busy = false;
            } catch {
              /* a broken session stays busy: never reused */
            }
          }
        },
      };
    },
    async close() {
      for (const e of pool) {
        await e.wd.quit().catch(() => {});
        e.driver.stop();
      }
    },
  };
}
