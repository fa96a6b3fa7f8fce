// @ts-check
// <entropy-polarity-view>: one chart view as a custom element, for
// documentation pages. Include this module once:
//
//   <script type="module" src="entropy-polarity-view.js"></script>
//   <entropy-polarity-view logits="2,1,0.5,-1" token="0" kind="pg" step="0.1"></entropy-polarity-view>
//
// Attributes (all live; changing one redraws; docs/contract.md, "The element"):
// logits (comma-separated, -inf masks), labels (comma-separated token names,
// shown as text only), token, kind ("pg" | "nudge"), step (η), adv (A,
// default 1), temperature (default 1), log ("1" for a logarithmic q axis),
// height (CSS pixels, default 320, clamped to 160–2000), theme ("light" |
// "dark" | "auto", default auto), interactive (present: choose the token and
// drag its probability; fires `change`), explorer (the explorer page the
// "open in the explorer" link goes to), nolink (present: no link).
// Every element on a page shares one wasm module. Attributes are clamped to
// what can be drawn: a height of 1e9 would ask the browser for a canvas it
// cannot allocate. No inline styles or scripts, so it runs under a strict CSP.

import { Distribution, logitForProb } from './pkg/entropy_polarity.js';
import { fmt as fmt5 } from './js/lib/format.js';
import { LiveElement, part } from './js/lib/live-element.js';
import { DEFAULT_STATE, hashFromState, parseLogit, stateFromHash } from './js/lib/link-state.js';

const fmt = (v) => fmt5(v, 4);

const STYLESHEET = new URL('./entropy-polarity-view.css', import.meta.url).href;
const EXPLORER = new URL('./index.html', import.meta.url).href;

// What can be drawn: the canvas stays within browsers' limits (the
// smallest, WebKit's, is about 4096 × 4096 device pixels at 16 M pixels).
const MIN_HEIGHT = 160;
const MAX_HEIGHT = 2000;
const MAX_CANVAS_SIDE = 4096;
const MAX_LOGITS = 100_000;
// Token buttons beyond this many would bury the chart; the explorer's own
// limit (js/lib/link-state.js) is the same.
const MAX_TOKEN_BUTTONS = 64;
const MAX_LABEL = 24;
// One arrow press moves the chosen logit by this much (Shift: ten times).
const KEY_STEP = 0.1;

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

/** Token names from the labels attribute: trimmed, cut to 24 characters, `t<j>` where missing. */
function parseLabels(text, n) {
  const given = text === null ? [] : String(text).split(',', MAX_TOKEN_BUTTONS + 1);
  return Array.from({ length: n }, (_, j) => (given[j] ?? '').trim().slice(0, MAX_LABEL) || `t${j}`);
}

/** A number attribute clamped to [lo, hi]; `fallback` when it is not a number. */
function clamp(text, fallback, lo, hi) {
  const v = Number(text);
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

/** A logit as the attribute writes it: 12 significant digits, -inf for a mask. */
function logitText(z) {
  return z === -Infinity ? '-inf' : String(Number(z.toPrecision(12)));
}

export class EntropyPolarityView extends LiveElement {
  static observedAttributes = [
    'logits',
    'labels',
    'token',
    'kind',
    'step',
    'adv',
    'temperature',
    'log',
    'height',
    'theme',
    'interactive',
    'explorer',
    'nolink',
  ];

  constructor() {
    super(STYLESHEET);
    // Each part has a documented name (docs/contract.md); "chart" and
    // "readout" are the names of the first release, kept.
    this.canvas = part('canvas', 'canvas chart');
    this.canvas.setAttribute('role', 'img');
    this.tokens = part('div', 'tokens', 'tokens');
    this.tokens.setAttribute('role', 'radiogroup');
    this.tokens.setAttribute('aria-label', 'Token the update rewards');
    this.tokens.hidden = true;
    this.caption = part('p', 'caption readout', 'readout');
    this.caption.setAttribute('aria-live', 'polite');
    this.link = part('a', 'link', 'open');
    this.link.target = '_blank';
    this.link.rel = 'noopener';
    this.link.textContent = 'Open in the explorer';
    this.link.hidden = true;
    this.mount(this.canvas, this.tokens, this.caption, this.link);
    this.layout = null;
    this.canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerup', () => {
      this.dragging = false;
    });
    this.canvas.addEventListener('pointercancel', () => {
      this.dragging = false;
    });
    this.canvas.addEventListener('keydown', (e) => this.onCanvasKey(e));
    this.tokens.addEventListener('keydown', (e) => this.onTokensKey(e));
  }

  /** The numbers of the last successful render (for pages and tests). */
  get values() {
    return this.last ?? null;
  }

  get interactive() {
    return this.hasAttribute('interactive') && this.getAttribute('interactive') !== 'false';
  }

  /** The attributes read as the explorer's state (js/lib/link-state.js); throws on bad logits. */
  readState() {
    const a = (name, fallback) => this.getAttribute(name) ?? fallback;
    const logits = parseLogits(a('logits', '2,1,0.5,-1'));
    return {
      logits,
      labels: parseLabels(this.getAttribute('labels'), logits.length),
      temperature: Number(a('temperature', '1')),
      token: Number(a('token', '0')),
      kind: a('kind', 'pg'),
      step: Number(a('step', '0.1')),
      adv: Number(a('adv', '1')),
      logX: a('log', '0') === '1',
      bits: false,
    };
  }

  /** Draws the chart, caption, tokens and link; throws on attributes it cannot draw. */
  draw() {
    const height = clamp(this.getAttribute('height') ?? '320', 320, MIN_HEIGHT, MAX_HEIGHT);
    let d;
    try {
      const s = this.readState();
      d = Distribution.fromLogits(Float64Array.from(s.logits), s.temperature);
      const token = s.token;
      const step = s.step * s.adv;
      const dpr = Math.min(window.devicePixelRatio || 1, 3);
      const side = (css) => Math.max(1, Math.min(MAX_CANVAS_SIDE, Math.round(css * dpr)));
      const w = side(this.clientWidth);
      this.canvas.style.height = `${height}px`;
      const h = side(height);
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
      const dark = this.scheme === 'dark';
      const layout = d.drawCurve(this.canvas, token, s.kind, step, { logX: s.logX, scale: dpr, dark });
      const first = d.firstOrder(token, s.kind, step);
      const exact = d.exact(token, s.kind, step);
      const label = s.labels[token];
      this.layout = layout;
      this.state = s;
      this.last = {
        entropy: d.entropy,
        flipNudge: d.flipNudge,
        flipPolicyGradient: d.flipPolicyGradient,
        firstOrder: first,
        exact,
        exactFlip: layout.exactFlip,
        prob: d.probs()[token],
        label,
        scheme: this.scheme,
        layout,
      };
      // e^−H with a raised −H (plain "e^−H" reads as code); the label stays text.
      const sup = document.createElement('sup');
      sup.textContent = '−H';
      const rest =
        ` = ${fmt(d.flipNudge)} · p† = ${fmt(d.flipPolicyGradient)} · ` +
        `token ${token} (${label}): ΔH ≈ ${fmt(first)} (exact ${fmt(exact)}), ${first > 0 ? 'expands' : first < 0 ? 'contracts' : 'no change'}`;
      this.caption.replaceChildren(`H = ${fmt(d.entropy)} nats · e`, sup, rest);
      this.canvas.setAttribute(
        'aria-label',
        `Entropy change against token probability. H = ${fmt(d.entropy)} nats · e to the −H${rest}` +
          (this.interactive ? ". Arrow keys raise or lower the chosen token's logit; drag sideways to set its probability." : ''),
      );
      this.renderTokens(s);
      this.renderLink(s);
      this.canvas.hidden = false;
    } finally {
      d?.free();
    }
  }

  clear() {
    this.last = null;
    this.layout = null;
    this.caption.textContent = '';
    this.canvas.hidden = true;
    this.canvas.removeAttribute('aria-label');
    this.tokens.hidden = true;
    this.link.hidden = true;
  }

  /** One radio button per token (interactive only); labels as text, never markup. */
  renderTokens(s) {
    const on = this.interactive && s.logits.length <= MAX_TOKEN_BUTTONS;
    this.tokens.hidden = !on;
    this.canvas.tabIndex = this.interactive ? 0 : -1;
    this.canvas.classList.toggle('draggable', this.interactive);
    if (!on) {
      this.tokens.replaceChildren();
      return;
    }
    const hadFocus = this.shadowRoot?.activeElement?.parentElement === this.tokens;
    const buttons = s.labels.map((label, j) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.setAttribute('role', 'radio');
      b.setAttribute('aria-checked', String(j === s.token));
      b.setAttribute('part', j === s.token ? 'token token-chosen' : 'token');
      b.tabIndex = j === s.token ? 0 : -1;
      b.dataset.token = String(j);
      b.addEventListener('click', () => this.commit({ token: j }));
      return b;
    });
    this.tokens.replaceChildren(...buttons);
    if (hadFocus) buttons[s.token]?.focus();
  }

  /** The explorer link, when the state fits the explorer's link (js/lib/link-state.js). */
  renderLink(s) {
    let base;
    try {
      base = new URL(this.getAttribute('explorer') ?? EXPLORER, document.baseURI);
    } catch {
      base = null;
    }
    // The explorer's defaults for what the element does not show (no rewards,
    // the default group, …), so that a state with more fields still links.
    const hash = hashFromState({ ...structuredClone(DEFAULT_STATE), ...s, rewards: s.logits.map(() => 0) });
    const fits = stateFromHash(hash).problems.length === 0;
    const safe = base && ['http:', 'https:', 'file:'].includes(base.protocol);
    this.link.hidden = this.hasAttribute('nolink') || !fits || !safe;
    if (!this.link.hidden && base) {
      base.hash = hash;
      this.link.href = base.href;
    } else this.link.removeAttribute('href');
  }

  /**
   * Applies a change made by the reader: new attributes, then a `change` event with the state.
   * @param {{ token?: number, logits?: number[] }} change
   */
  commit({ token, logits }) {
    const s = this.state;
    if (!s) return;
    // The event holds what the attribute holds (12 significant digits).
    const text = logits?.map(logitText);
    const next = { ...s, token: token ?? s.token, logits: text ? text.map(parseLogit) : s.logits };
    if (text) this.setAttribute('logits', text.join(','));
    if (token !== undefined) this.setAttribute('token', String(token));
    this.state = next;
    const { logits: z, labels, temperature, token: k, kind, step, adv, logX } = next;
    const detail = { logits: z, labels, temperature, token: k, kind, step, adv, logX };
    this.dispatchEvent(new CustomEvent('change', { detail, bubbles: true, composed: true }));
  }

  onTokensKey(e) {
    const s = this.state;
    if (!s) return;
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let j;
    if (e.key in moves) j = (s.token + moves[e.key] + s.logits.length) % s.logits.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = s.logits.length - 1;
    else return;
    e.preventDefault();
    this.commit({ token: j });
    // The buttons are rebuilt at the next render; focus follows the choice there.
    /** @type {HTMLElement | null} */ (this.tokens.querySelector(`[data-token="${j}"]`))?.focus();
  }

  onCanvasKey(e) {
    const s = this.state;
    if (!this.interactive || !s) return;
    const dir = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
    if (!dir) return;
    e.preventDefault();
    const z = s.logits[s.token];
    const from = Number.isFinite(z) ? z : Math.max(...s.logits.filter(Number.isFinite)) - 10;
    const logits = s.logits.slice();
    logits[s.token] = Math.round((from + dir * KEY_STEP * (e.shiftKey ? 10 : 1)) * 1e4) / 1e4;
    this.commit({ logits });
  }

  onPointerDown(e) {
    if (!this.interactive || !this.layout) return;
    this.dragging = true;
    this.canvas.setPointerCapture?.(e.pointerId);
    this.dragTo(e);
  }

  onPointerMove(e) {
    if (this.dragging) this.dragTo(e);
  }

  /** Sets the chosen token's probability to the q under the pointer. */
  dragTo(e) {
    const s = this.state;
    const l = this.layout;
    if (!s || !l) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) * this.canvas.width) / Math.max(1, rect.width);
    const f = Math.min(1, Math.max(0, (x - l.left) / Math.max(1, l.right - l.left)));
    const v = l.xMin + f * (l.xMax - l.xMin);
    const q = Math.min(1 - 1e-9, Math.max(1e-12, l.logX ? 10 ** v : v));
    let z;
    try {
      z = logitForProb(Float64Array.from(s.logits), s.token, q, s.temperature);
    } catch {
      return; // a masked row or a temperature the chart already reports
    }
    if (!Number.isFinite(z)) return;
    const logits = s.logits.slice();
    logits[s.token] = z;
    this.commit({ logits });
  }
}

if (!customElements.get('entropy-polarity-view')) customElements.define('entropy-polarity-view', EntropyPolarityView);
