// <entropy-polarity-view>: one chart view as a custom element, for
// documentation pages. Include this module once:
//
//   <script type="module" src="entropy-polarity-view.js"></script>
//   <entropy-polarity-view logits="2,1,0.5,-1" token="0" kind="pg" step="0.1"></entropy-polarity-view>
//
// Attributes (all live; changing one redraws): logits (comma-separated, -inf
// masks), token, kind ("pg" | "nudge"), step (η), adv (A, default 1),
// temperature (default 1), log ("1" for a logarithmic q axis), height (CSS
// pixels, default 320). Every element on a page shares one wasm module.
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

function parseLogits(text) {
  return String(text ?? '').split(',').filter((t) => t.trim() !== '').map(parseLogit);
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
    this.resize = new ResizeObserver(() => this.schedule());
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
    const logits = parseLogits(a('logits', '2,1,0.5,-1'));
    const token = Number(a('token', '0'));
    const kind = a('kind', 'pg');
    const step = Number(a('step', '0.1')) * Number(a('adv', '1'));
    const temperature = Number(a('temperature', '1'));
    const height = Math.max(160, Number(a('height', '320')) || 320);
    let d;
    try {
      d = Distribution.fromLogits(Float64Array.from(logits), temperature);
      const dpr = Math.min(window.devicePixelRatio || 1, 3);
      const w = Math.max(1, Math.round(this.clientWidth * dpr));
      this.canvas.style.height = `${height}px`;
      const h = Math.round(height * dpr);
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
      const dark = this.darkQuery?.matches ?? false;
      const layout = d.drawCurve(this.canvas, token, kind, step, { logX: a('log', '0') === '1', scale: dpr, dark });
      const first = d.firstOrder(token, kind, step);
      const exact = d.exact(token, kind, step);
      this.last = {
        entropy: d.entropy, flipNudge: d.flipNudge, flipPolicyGradient: d.flipPolicyGradient,
        firstOrder: first, exact, exactFlip: layout.exactFlip, layout,
      };
      this.caption.textContent =
        `H = ${fmt(d.entropy)} nats · e^−H = ${fmt(d.flipNudge)} · p† = ${fmt(d.flipPolicyGradient)} · ` +
        `token ${token}: ΔH ≈ ${fmt(first)} (exact ${fmt(exact)}), ${first > 0 ? 'expands' : first < 0 ? 'contracts' : 'no change'}`;
      this.canvas.setAttribute('aria-label', `Entropy change against token probability. ${this.caption.textContent}`);
      this.error.hidden = true;
      this.dispatchEvent(new CustomEvent('rendered', { detail: this.last }));
    } catch (e) {
      this.error.textContent = e.message;
      this.error.hidden = false;
    } finally {
      d?.free();
    }
  }
}

if (!customElements.get('entropy-polarity-view')) customElements.define('entropy-polarity-view', EntropyPolarityView);
