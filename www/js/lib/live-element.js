// @ts-check
// What the page's custom elements (<entropy-polarity-view>,
// <entropy-polarity-figure>) share: a shadow root with the element's own
// stylesheet and an error part, and one lifecycle, attribute → schedule →
// render. A new attribute, width or colour scheme schedules a render; it runs
// once a frame, after the page's one wasm module has loaded. A subclass
// builds its parts, then fills them in draw() and empties them in clear().

import init from '../../pkg/entropy_polarity.js';

let wasmReady = null;
const loadWasm = () => (wasmReady ??= init()); // wasm-bindgen's init is shared: one module for the page

/** An element of the shadow root with a documented part name (docs/contract.md) and a class. */
export function part(tag, name, className = '') {
  const e = document.createElement(tag);
  e.setAttribute('part', name);
  if (className) e.className = className;
  return e;
}

export class LiveElement extends HTMLElement {
  /**
   * @param {string} stylesheet the element's CSS, as a link: no inline styles,
   *   so that it runs under a strict Content-Security-Policy
   */
  constructor(stylesheet) {
    super();
    this.attachShadow({ mode: 'open' });
    this.stylesheet = document.createElement('link');
    this.stylesheet.rel = 'stylesheet';
    this.stylesheet.href = stylesheet;
    this.error = part('p', 'error', 'error');
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    this.frame = 0;
  }

  /**
   * Puts the parts in the shadow root, after the stylesheet and before the
   * error, inside one wrapper whose class says the colour scheme drawn
   * (`scheme dark` or `scheme light`; the stylesheet's colours hang on it).
   */
  mount(...parts) {
    this.root = document.createElement('div');
    this.root.className = 'scheme light';
    this.root.append(...parts, this.error);
    this.shadowRoot?.append(this.stylesheet, this.root);
  }

  /**
   * "light" or "dark": the theme attribute; for "auto" (or none), the host
   * page's: dark when the text the element inherits is light (a dark page),
   * whatever the reader's OS prefers. A light page under a dark OS keeps
   * dark text (docs/contract.md, "The element").
   */
  get scheme() {
    const theme = this.getAttribute('theme');
    if (theme === 'light' || theme === 'dark') return theme;
    const from = this.parentElement ?? /** @type {ShadowRoot | null} */ (this.getRootNode())?.host ?? null;
    const rgb = from
      ? getComputedStyle(from)
          .color.match(/[\d.]+/g)
          ?.map(Number)
      : undefined;
    if (!rgb || rgb.length < 3) return this.darkQuery?.matches ? 'dark' : 'light';
    // Relative luminance (WCAG) of the inherited text colour.
    const lin = (/** @type {number} */ c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const lum = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
    return lum > 0.4 ? 'dark' : 'light';
  }

  connectedCallback() {
    // Only a new width needs a render: the height is ours (set by render), and
    // rendering on it makes WebKit report a ResizeObserver loop as a page error.
    this.resize = new ResizeObserver((entries) => {
      const width = Math.round(entries[entries.length - 1].contentRect.width);
      if (width === this.observedWidth) return;
      this.observedWidth = width;
      this.schedule();
    });
    this.resize.observe(this);
    this.darkQuery = window.matchMedia?.('(prefers-color-scheme: dark)');
    this.onScheme = () => this.schedule();
    this.darkQuery?.addEventListener('change', this.onScheme);
    this.schedule();
  }

  disconnectedCallback() {
    this.resize?.disconnect();
    this.darkQuery?.removeEventListener('change', this.onScheme);
  }

  attributeChangedCallback() {
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(async () => {
      await loadWasm();
      this.frame = 0;
      this.render();
    });
  }

  /** What the last render computed (for pages and tests); null before it or on an error. */
  get values() {
    return null;
  }

  /** Fills the parts from the attributes, then fires `rendered` with the values; shows the error part instead when draw() throws. */
  render() {
    const dark = this.scheme === 'dark';
    this.root?.classList.toggle('dark', dark);
    this.root?.classList.toggle('light', !dark);
    try {
      this.draw();
      this.error.hidden = true;
      this.dispatchEvent(new CustomEvent('rendered', { detail: this.values }));
    } catch (e) {
      // Nothing of the previous attributes stays beside the error.
      this.clear();
      this.error.textContent = e.message;
      this.error.hidden = false;
    }
  }

  /** Fills the parts from the attributes; throws on attributes it cannot draw. */
  draw() {}

  /** Empties the parts (and the values) for the error part to stand alone. */
  clear() {}
}
