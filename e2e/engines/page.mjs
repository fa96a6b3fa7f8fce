// A playwright-shaped page over a small engine driver, so that the same
// e2e tests run in Firefox (puppeteer-core, WebDriver BiDi) and WebKitGTK
// (selenium-webdriver, WebDriver classic). Only the subset the tests use
// (listed in e2e/README.md) is here. Everything that reads or changes the
// DOM runs as one script in the page; clicks, keys, the mouse, file inputs
// and screenshots go through the driver's real input and capture commands.
//
// A driver has: exec(expression) → string, goto(url), reload(), click(selector),
// mouse{Move,Down,Up}(…), keyDown(key), keyUp(key), typeText(text), setInputFiles(selector, paths),
// screenshot({ path, fullPage, selector }), addInitScript(source), close().
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeValue, decodeValue } from './inpage.mjs';

const DEFAULT_TIMEOUT = 30000;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** An error thrown by the test's own function inside the page (not retried). */
class PageError extends Error {}

/** Page-side helpers shared by every script: find an element through frames, visibility. */
const PRELUDE = `
  const __doc = (frames) => {
    let d = document;
    for (const f of frames) {
      const el = d.querySelector(f);
      d = el && el.contentDocument;
      if (!d) return null;
    }
    return d;
  };
  const __all = (frames, sel) => { const d = __doc(frames); return d ? [...d.querySelectorAll(sel)] : []; };
  const __one = (frames, sel) => { const d = __doc(frames); return d ? d.querySelector(sel) : null; };
  const __visible = (el) => {
    if (!el || !el.isConnected) return false;
    const w = el.ownerDocument.defaultView;
    const st = w.getComputedStyle(el);
    if (st.visibility !== 'visible') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const __need = (frames, sel) => {
    const el = __one(frames, sel);
    if (!el) throw new Error('no element matches ' + sel);
    return el;
  };
  const __drain = () => {
    const e = window.__e2e;
    if (!e) return [[], 0];
    const p = e.problems.splice(0);
    return [p, e.downloads.length];
  };
`;

function fnSource(fn) {
  if (typeof fn === 'function') return fn.toString();
  return `() => (${fn})`; // a string is an expression, as in playwright
}

export class Page {
  constructor(driver, { hooksAll }) {
    this.driver = driver;
    this.listeners = { console: [], pageerror: [], request: [] };
    this.downloadsSeen = 0;
    this.hooksAll = hooksAll;
    this.keyboard = {
      press: (key) => this.#press(key),
      down: (key) => this.#keys(key, 'down'),
      up: (key) => this.#keys(key, 'up'),
      type: async (text) => {
        for (const ch of text) await this.#press(ch);
      },
    };
    this.mouse = {
      move: async (x, y, { steps = 1 } = {}) => {
        await driver.mouseMove(x, y, steps);
      },
      down: async () => {
        await driver.mouseDown();
      },
      up: async () => {
        await driver.mouseUp();
        await this.#sync();
      },
      click: async (x, y) => {
        await driver.mouseMove(x, y, 1);
        await driver.mouseDown();
        await driver.mouseUp();
        await this.#sync();
      },
    };
  }

  on(event, fn) {
    (this.listeners[event] ??= []).push(fn);
    return this;
  }

  #emit(problems) {
    for (const [kind, text] of problems) {
      if (kind === 'console') for (const f of this.listeners.console) f({ type: () => 'error', text: () => text });
      else if (kind === 'pageerror') for (const f of this.listeners.pageerror) f(new Error(text));
      else if (kind === 'request') for (const f of this.listeners.request) f({ url: () => text });
    }
  }

  /**
   * Runs `body` (source text using the prelude and the decoded `__arg`) in
   * the page; returns its value with NaN, −0, typed arrays… intact.
   */
  async #run(body, arg, frames = []) {
    const script = `(async () => {
      ${encodeValue.toString()}
      ${decodeValue.toString()}
      ${PRELUDE}
      const __frames = ${JSON.stringify(frames)};
      let __out;
      try {
        const __arg = decodeValue(${JSON.stringify(encodeValue(arg))});
        __out = { ok: encodeValue(await (async () => { ${body} })()) };
      } catch (e) {
        // A document with no root element is one between two pages (Firefox
        // runs scripts there during a navigation): say so, so polling retries.
        __out = { err: String((e && e.message) || e), stack: String((e && e.stack) || ''), between: !document.documentElement };
      }
      __out.drain = __drain();
      return JSON.stringify(__out);
    })()`;
    const raw = await this.driver.exec(script);
    const out = JSON.parse(raw);
    this.#emit(out.drain[0]);
    if ('err' in out) throw out.between ? new Error(`between documents: ${out.err}`) : new PageError(out.err);
    return decodeValue(out.ok);
  }

  /** Reports what the hooks recorded since the last script (after commands that run none). */
  async #sync() {
    try {
      await this.#run('return null;');
    } catch {
      /* navigating */
    }
  }

  // ---------------------------------------------------------------- navigation

  async goto(url) {
    await this.#sync();
    await this.driver.goto(url);
    await this.#sync();
    return null;
  }

  async reload() {
    await this.#sync();
    await this.driver.reload();
    await this.#sync();
    return null;
  }

  async waitForTimeout(ms) {
    await sleep(ms);
  }

  // ---------------------------------------------------------------- scripts

  evaluate(fn, arg) {
    return this.#run(`return (${fnSource(fn)})(__arg);`, arg);
  }

  /** Polls `fn(arg)` until truthy (playwright's polling: 'raf' or milliseconds). */
  async waitForFunction(fn, arg, { timeout = DEFAULT_TIMEOUT, polling } = {}) {
    const interval = typeof polling === 'number' ? polling : 16;
    return this.#poll(`return (${fnSource(fn)})(__arg);`, arg, [], timeout, interval, 'waitForFunction');
  }

  async #poll(body, arg, frames, timeout, interval, what) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const v = await this.#run(body, arg, frames);
        if (v) return v;
      } catch (e) {
        if (e instanceof PageError && !/no element matches/.test(e.message)) throw e;
        last = e; // the page is navigating: try again
      }
      if (Date.now() > deadline) throw new Error(`${what}: timeout ${timeout} ms exceeded${last ? ` (${last.message})` : ''}`);
      await sleep(interval);
    }
  }

  async waitForSelector(selector, options = {}) {
    return this.#waitFor([], selector, options);
  }

  async #waitFor(frames, selector, { state = 'visible', timeout = DEFAULT_TIMEOUT } = {}) {
    const body = `
      const el = __one(__frames, __arg.selector);
      switch (__arg.state) {
        case 'attached': return !!el;
        case 'detached': return !el;
        case 'visible': return __visible(el);
        case 'hidden': return !__visible(el);
      }`;
    await this.#poll(body, { selector, state }, frames, timeout, 20, `waitForSelector ${selector} (${state})`);
    return state === 'detached' || state === 'hidden' ? null : new ElementHandle(this, frames, selector);
  }

  $eval(selector, fn, arg) {
    return this.#run(`return (${fnSource(fn)})(__need(__frames, __arg.s), __arg.a);`, { s: selector, a: arg });
  }

  $$eval(selector, fn, arg) {
    return this.#run(`return (${fnSource(fn)})(__all(__frames, __arg.s), __arg.a);`, { s: selector, a: arg });
  }

  async $(selector) {
    const found = await this.#run('return !!__one(__frames, __arg);', selector);
    return found ? new ElementHandle(this, [], selector) : null;
  }

  /** Runs fn(element, arg) for the first match inside the given frames. */
  _onElement(frames, selector, fn, arg) {
    return this.#run(`return (${fnSource(fn)})(__need(__frames, __arg.s), __arg.a);`, { s: selector, a: arg }, frames);
  }

  _waitFor(frames, selector, options) {
    return this.#waitFor(frames, selector, options);
  }

  /** Native events (Firefox reports console messages, page errors and requests itself). */
  _emit(problems) {
    this.#emit(problems);
  }

  _visible(frames, selector) {
    return this.#run('return __visible(__one(__frames, __arg));', selector, frames);
  }

  // ---------------------------------------------------------------- reading

  async textContent(selector) {
    await this.#waitFor([], selector, { state: 'attached' });
    return this.$eval(selector, (el) => el.textContent);
  }

  async getAttribute(selector, name) {
    await this.#waitFor([], selector, { state: 'attached' });
    return this.$eval(selector, (el, n) => el.getAttribute(n), name);
  }

  async inputValue(selector) {
    await this.#waitFor([], selector, { state: 'attached' });
    return this.$eval(selector, (el) => {
      if (!('value' in el)) throw new Error('Not an input, textarea or select element');
      return el.value;
    });
  }

  // ---------------------------------------------------------------- acting

  async click(selector, { timeout } = {}) {
    await this.#waitFor([], selector, { state: 'visible', timeout });
    await this.driver.click(selector);
    await this.#sync();
  }

  async check(selector) {
    await this.#waitFor([], selector, { state: 'visible' });
    if (!(await this.$eval(selector, (el) => el.checked))) await this.driver.click(selector);
    if (!(await this.$eval(selector, (el) => el.checked))) throw new Error(`check: ${selector} did not become checked`);
  }

  async focus(selector) {
    await this.#waitFor([], selector, { state: 'attached' });
    await this.$eval(selector, (el) => el.focus());
  }

  async press(selector, key) {
    await this.focus(selector);
    await this.#press(key);
  }

  /**
   * Like playwright's fill: date-like inputs get their value set (with
   * `input` and `change`); text is selected and replaced by an editing
   * command (typing, where that fails), so the browser counts it as the
   * user's edit (Enter or blur then fires `change`).
   */
  async fill(selector, value) {
    await this.#waitFor([], selector, { state: 'visible' });
    const how = await this.$eval(
      selector,
      (el, v) => {
        const type = el.localName === 'input' ? el.type.toLowerCase() : '';
        if (['color', 'date', 'time', 'datetime-local', 'month', 'range', 'week'].includes(type)) {
          el.focus();
          el.value = v.trim();
          el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
          el.dispatchEvent(new Event('change', { bubbles: true }));
          return 'done';
        }
        if (type === 'number' && Number.isNaN(Number(v.trim()))) throw new Error('Cannot type text into input[type=number]');
        el.focus();
        if (el.localName === 'input' || el.localName === 'textarea') el.select();
        else {
          const r = document.createRange();
          r.selectNodeContents(el);
          getSelection().removeAllRanges();
          getSelection().addRange(r);
        }
        // One edit, as playwright's insertText: one `input` event for the whole text.
        if (v !== '' && document.execCommand('insertText', false, v)) return 'done';
        return 'type';
      },
      value,
    );
    if (how === 'type') {
      if (value === '') await this.#press('Delete');
      else await this.driver.typeText(value);
    }
    await this.#sync();
  }

  /** Like playwright's selectOption: by value or label; fires `input` and `change`. */
  async selectOption(selector, values) {
    await this.#waitFor([], selector, { state: 'attached' });
    const list = (Array.isArray(values) ? values : [values]).map((v) => (typeof v === 'string' ? { value: v, label: v } : v));
    return this.$eval(
      selector,
      (el, want) => {
        const options = [...el.options];
        const picked = want.map((w) => {
          const o = options.find(
            (opt, i) =>
              (w.value !== undefined && opt.value === w.value) || (w.label !== undefined && opt.label === w.label) || w.index === i,
          );
          if (!o) throw new Error(`selectOption: no option matches ${JSON.stringify(w)}`);
          return o;
        });
        for (const o of options) o.selected = picked.includes(o);
        el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
        return picked.map((o) => o.value);
      },
      list,
    );
  }

  async dispatchEvent(selector, type, init = {}) {
    await this.#waitFor([], selector, { state: 'attached' });
    await this.$eval(selector, (el, [t, i]) => el.dispatchEvent(new Event(t, { bubbles: true, cancelable: true, composed: true, ...i })), [
      type,
      init,
    ]);
    await this.#sync();
  }

  async setInputFiles(selector, files) {
    await this.#waitFor([], selector, { state: 'attached' });
    await this.driver.setInputFiles(selector, Array.isArray(files) ? files : [files]);
    await this.#sync();
  }

  async #keys(key, dir) {
    const parts = key.length > 1 ? key.split('+') : [key];
    if (dir === 'down') for (const k of parts) await this.driver.keyDown(k);
    else for (const k of parts.reverse()) await this.driver.keyUp(k);
  }

  async #press(key) {
    const parts = key.length > 1 && key.includes('+') ? key.split('+') : [key];
    for (const k of parts) await this.driver.keyDown(k);
    for (const k of parts.slice().reverse()) await this.driver.keyUp(k);
    await this.#sync();
  }

  async screenshot({ path, fullPage = false } = {}) {
    const buf = await this.driver.screenshot({ path, fullPage });
    await this.#sync();
    return buf;
  }

  // ---------------------------------------------------------------- locators

  locator(selector) {
    return new Locator(this, [], selector);
  }

  frameLocator(selector) {
    return { locator: (inner) => new Locator(this, [selector], inner) };
  }

  // ---------------------------------------------------------------- downloads

  /**
   * Only 'download'. The hooks (inpage.mjs) keep the file that <a download>
   * would save; this waits for the next one and hands it over like playwright.
   */
  async waitForEvent(event, { timeout = DEFAULT_TIMEOUT } = {}) {
    if (event !== 'download') throw new Error(`waitForEvent('${event}') is not in the e2e harness subset`);
    const index = this.downloadsSeen++;
    const entry = await this.#poll(
      'const d = (window.__e2e?.downloads ?? [])[__arg]; return d && d.done ? d : null;',
      index,
      [],
      timeout,
      20,
      'waitForEvent(download)',
    );
    if (entry.error) throw new Error(`download of ${entry.url} failed in the page: ${entry.error}`);
    const dir = await mkdtemp(join(tmpdir(), 'e2e-download-'));
    const file = join(dir, entry.name);
    await writeFile(file, Buffer.from(entry.b64, 'base64'));
    return {
      path: async () => file,
      suggestedFilename: () => entry.name,
      url: () => entry.url,
      saveAs: async (to) => writeFile(to, Buffer.from(entry.b64, 'base64')),
    };
  }

  async close() {
    await this.driver.close();
  }
}

/** Truthy stand-in for playwright's ElementHandle (the tests only test presence). */
class ElementHandle {
  constructor(page, frames, selector) {
    Object.assign(this, { page, frames, selector });
  }
  evaluate(fn, arg) {
    return this.page._onElement(this.frames, this.selector, fn, arg);
  }
}

class Locator {
  constructor(page, frames, selector) {
    Object.assign(this, { page, frames, selector });
  }
  waitFor(options) {
    return this.page._waitFor(this.frames, this.selector, options).then(() => undefined);
  }
  async isVisible() {
    return this.page._visible(this.frames, this.selector);
  }
  async isHidden() {
    return !(await this.isVisible());
  }
  async getAttribute(name) {
    await this.waitFor({ state: 'attached' });
    return this.page._onElement(this.frames, this.selector, (el, n) => el.getAttribute(n), name);
  }
  async textContent() {
    await this.waitFor({ state: 'attached' });
    return this.page._onElement(this.frames, this.selector, (el) => el.textContent);
  }
  async evaluate(fn, arg) {
    await this.waitFor({ state: 'attached' });
    return this.page._onElement(this.frames, this.selector, fn, arg);
  }
  async click() {
    if (this.frames.length) throw new Error('click inside a frame is not in the e2e harness subset');
    return this.page.click(this.selector);
  }
  async screenshot({ path } = {}) {
    if (this.frames.length) throw new Error('screenshots inside a frame are not in the e2e harness subset');
    await this.waitFor({ state: 'visible' });
    return this.page.driver.screenshot({ path, selector: this.selector });
  }
}
