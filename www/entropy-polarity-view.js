// @ts-check
// <entropy-polarity-view>: one chart view as a custom element, for
// documentation pages. Include this module once:
//
//   <script type="module" src="entropy-polarity-view.js"></script>
//   <entropy-polarity-view logits="2,1,0.5,-1" token="0" kind="pg" step="0.1"></entropy-polarity-view>
//
// Attributes (all live; changing one redraws): logits (comma-separated, -inf
// masks), token, kind ("pg" | "nudge"), step (η), adv (A, default 1),
// temperature (default 1), log ("1" for a logarithmic q axis), height (CSS
// pixels, default 320, clamped to 160–2000). Every element on a page shares
// one wasm module. Attributes are clamped to what can be drawn: a height of
// 1e9 would ask the browser for a canvas it cannot allocate.
// No inline styles or scripts, so it runs under a strict CSP.

import init, { Distribution } from './pkg/entropy_polarity.js';
import { fmt as fmt5 } from './js/format.js';
import { parseLogit } from './js/state.js';

const fmt = (v) => fmt5(v, 4);

let wasmReady = null;
function loadWasm() {
  wasmReady ??= init(); // wasm-bindgen's init is shared: one module for the page
  return wasmReady;
}

const STYLESHEET = new URL('./entropy-polarity-view.css', import.meta.url).href;

// What can be drawn: the canvas stays within browsers' limits (the
// smallest, WebKit's, is about 4096 × 4096 device pixels at 16 M pixels).
const MIN_HEIGHT = 160;
const MAX_HEIGHT = 2000;
const MAX_CANVAS_SIDE = 4096;
const MAX_LOGITS = 100_000;

function parseLogits(text) {
  const parts = String(text ?? '')
    .split(',', MAX_LOGITS + 1)
    .filter((t) => t.trim() !== '');
  if (parts.length > MAX_LOGITS)
    throw new Error(
      `The logits attribute lists more than ${MAX_LOGITS.toLocaleString('en')} values; the element draws at most that many tokens.`,
    );
  return parts.map(parseLogit);
}

/** A number attribute clamped to [lo, hi]; `fallback` when it is not a number. */
function clamp(text, fallback, lo, hi) {
  const v = Number(text);
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

export class EntropyPolarityView extends HTMLElement {
  static observedAttributes = ['logits', 'token', 'kind', 'step', 'adv', 'temperature', 'log', 'height'];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = STYLESHEET;
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('part', 'chart');
    this.canvas.setAttribute('role', 'img');
    this.caption = document.createElement('p');
    this.caption.className = 'readout';
    this.caption.setAttribute('part', 'readout');
    this.caption.setAttribute('aria-live', 'polite');
    this.error = document.createElement('p');
    this.error.className = 'error';
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    root.append(link, this.canvas, this.caption, this.error);
    this.frame = 0;
  }

  connectedCallback() {
    // Only a new width needs a redraw: the height is ours (set by render), and
    // redrawing on it makes WebKit report a ResizeObserver loop as a page error.
    this.resize = new ResizeObserver((entries) => {
      const width = entries[entries.length - 1].contentRect.width;
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

  /** The numbers of the last successful render (for pages and tests). */
  get values() {
    return this.last ?? null;
  }

  render() {
    const a = (name, fallback) => this.getAttribute(name) ?? fallback;
    const token = Number(a('token', '0'));
    const kind = a('kind', 'pg');
    const step = Number(a('step', '0.1')) * Number(a('adv', '1'));
    const temperature = Number(a('temperature', '1'));
    const height = clamp(a('height', '320'), 320, MIN_HEIGHT, MAX_HEIGHT);
    let d;
    try {
      d = Distribution.fromLogits(Float64Array.from(parseLogits(a('logits', '2,1,0.5,-1'))), temperature);
      const dpr = Math.min(window.devicePixelRatio || 1, 3);
      const side = (css) => Math.max(1, Math.min(MAX_CANVAS_SIDE, Math.round(css * dpr)));
      const w = side(this.clientWidth);
      this.canvas.style.height = `${height}px`;
      const h = side(height);
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
      const dark = this.darkQuery?.matches ?? false;
      const layout = d.drawCurve(this.canvas, token, kind, step, { logX: a('log', '0') === '1', scale: dpr, dark });
      const first = d.firstOrder(token, kind, step);
      const exact = d.exact(token, kind, step);
      this.last = {
        entropy: d.entropy,
        flipNudge: d.flipNudge,
        flipPolicyGradient: d.flipPolicyGradient,
        firstOrder: first,
        exact,
        exactFlip: layout.exactFlip,
        layout,
      };
      this.caption.textContent =
        `H = ${fmt(d.entropy)} nats · e^−H = ${fmt(d.flipNudge)} · p† = ${fmt(d.flipPolicyGradient)} · ` +
        `token ${token}: ΔH ≈ ${fmt(first)} (exact ${fmt(exact)}), ${first > 0 ? 'expands' : first < 0 ? 'contracts' : 'no change'}`;
      this.canvas.setAttribute('aria-label', `Entropy change against token probability. ${this.caption.textContent}`);
      this.error.hidden = true;
      this.canvas.hidden = false;
      this.dispatchEvent(new CustomEvent('rendered', { detail: this.last }));
    } catch (e) {
      // Nothing of the previous attributes stays beside the error.
      this.last = null;
      this.caption.textContent = '';
      this.canvas.hidden = true;
      this.canvas.removeAttribute('aria-label');
      this.error.textContent = e.message;
      this.error.hidden = false;
    } finally {
      d?.free();
    }
  }
}

if (!customElements.get('entropy-polarity-view')) customElements.define('entropy-polarity-view', EntropyPolarityView);
