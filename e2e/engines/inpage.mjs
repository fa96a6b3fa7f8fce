// What the Firefox and WebKit adapters run inside the page: a value codec
// (WebDriver's JSON turns NaN, ±Infinity, −0, undefined and typed arrays into
// null or plain arrays; playwright keeps them, so the tests may rely on them)
// and the hooks that stand in for what those drivers cannot observe
// (downloads, and in WebKit console errors and page errors). The functions
// below are also sent to the page as source text, so they use nothing from
// outside their own body.

/** A value → plain JSON, with tagged objects for what JSON cannot hold. */
export function encodeValue(value) {
  const seen = new Set();
  const enc = (v, depth) => {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return { $e: 'u' };
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return { $e: 'n', v: 'NaN' };
      if (v === Infinity) return { $e: 'n', v: 'Infinity' };
      if (v === -Infinity) return { $e: 'n', v: '-Infinity' };
      if (Object.is(v, -0)) return { $e: 'n', v: '-0' };
      return v;
    }
    if (typeof v === 'bigint') return { $e: 'b', v: String(v) };
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v) || depth > 64) return { $e: 'u' };
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      return { $e: 't', k: v.constructor.name, v: Array.from(v, (x) => enc(x, depth + 1)) };
    }
    if (v instanceof Date) return { $e: 'd', v: v.getTime() };
    if (v instanceof Error) return { $e: 'x', m: v.message, s: String(v.stack ?? '') };
    if (typeof Node !== 'undefined' && v instanceof Node) return {};
    seen.add(v);
    let out;
    if (Array.isArray(v)) out = v.map((x) => enc(x, depth + 1));
    else if (v instanceof Map) out = { $e: 'm', v: [...v].map(([a, b]) => [enc(a, depth + 1), enc(b, depth + 1)]) };
    else if (v instanceof Set) out = { $e: 's', v: [...v].map((x) => enc(x, depth + 1)) };
    else {
      out = {};
      for (const k of Object.keys(v)) out[k] = enc(v[k], depth + 1);
    }
    seen.delete(v);
    return out;
  };
  return enc(value, 0);
}

/** The inverse of encodeValue. */
export function decodeValue(value) {
  const dec = (v) => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(dec);
    switch (v.$e) {
      case 'u':
        return undefined;
      case 'n':
        return v.v === '-0' ? -0 : Number(v.v);
      case 'b':
        return BigInt(v.v);
      case 't':
        return new globalThis[v.k](v.v.map(dec));
      case 'd':
        return new Date(v.v);
      case 'x':
        return Object.assign(new Error(v.m), { stack: v.s });
      case 'm':
        return new Map(v.v.map(([a, b]) => [dec(a), dec(b)]));
      case 's':
        return new Set(v.v.map(dec));
      default: {
        const o = {};
        for (const k of Object.keys(v)) o[k] = dec(v[k]);
        return o;
      }
    }
  };
  return dec(value);
}

/**
 * Installed before the page's own scripts (a preload script in Firefox, a
 * same-origin <script> the test server puts first in every HTML page for
 * WebKit). `all` also records console errors, uncaught errors, rejected
 * promises, failed resource loads and requests to other origins, which
 * WebKit's WebDriver does not report.
 */
export function installHooks(all) {
  if (window.__e2e) return;
  const self = { downloads: [], problems: [], blobs: new Map() };
  window.__e2e = self;
  // Frames report into the top page, as playwright's page events do.
  let sink = self;
  try {
    if (window.top !== window && window.top.__e2e) sink = window.top.__e2e;
  } catch {
    /* cross-origin */
  }
  const note = (kind, text) => sink.problems.push([kind, text]);

  // Downloads: keep the bytes behind <a download> instead of saving them.
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function (obj) {
    const url = createObjectURL.call(URL, obj);
    if (obj instanceof Blob) self.blobs.set(url, obj);
    return url;
  };
  const toBase64 = (buf) => {
    const bytes = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const capture = (a) => {
    const entry = { name: a.download || a.href.split('/').pop(), url: a.href, done: false };
    sink.downloads.push(entry);
    const href = a.href;
    let bytes;
    if (self.blobs.has(href)) bytes = self.blobs.get(href).arrayBuffer().then(toBase64);
    else if (href.startsWith('data:')) {
      const [head, data] = href.slice(5).split(',', 2);
      bytes = Promise.resolve(head.endsWith(';base64') ? data : btoa(unescape(data)));
    } else
      bytes = fetch(href)
        .then((r) => r.arrayBuffer())
        .then(toBase64);
    bytes.then(
      (b64) => {
        entry.b64 = b64;
        entry.done = true;
      },
      (e) => {
        entry.error = String(e);
        entry.done = true;
      },
    );
  };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.hasAttribute('download')) return capture(this);
    return click.call(this);
  };
  document.addEventListener(
    'click',
    (e) => {
      const a = e.target?.closest?.('a[download]');
      if (a) {
        e.preventDefault();
        capture(a);
      }
    },
    true,
  );

  // A CSP violation is a console error in Chromium; report it the same way.
  document.addEventListener('securitypolicyviolation', (e) => note('console', `CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  if (!all) return;
  const error = console.error;
  console.error = function (...args) {
    note('console', args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    return error.apply(console, args);
  };
  window.addEventListener(
    'error',
    (e) => {
      if (e.target && e.target !== window && (e.target.src || e.target.href))
        note('console', `failed to load ${e.target.src || e.target.href}`);
      else note('pageerror', e.error?.message ?? e.message);
    },
    true,
  );
  window.addEventListener('unhandledrejection', (e) => note('pageerror', String(e.reason?.message ?? e.reason)));
  const origin = location.origin;
  try {
    new PerformanceObserver((list) => {
      for (const r of list.getEntries()) {
        if (!r.name.startsWith(origin) && !r.name.startsWith('data:') && !r.name.startsWith('blob:')) note('request', r.name);
      }
    }).observe({ type: 'resource', buffered: true });
  } catch {
    /* no resource timing */
  }
}
