// @ts-check
// The bar editor: one bar per token, height = probability on a 0–1 scale.
// Drag a bar to set its probability, click to choose it, arrow keys to edit.
// Each bar is coloured (and patterned) by the sign of the entropy change it
// would cause if it were the updated token, and a line marks the flip.

import { setRichText } from '../chart/richtext.js';

export class BarEditor {
  /**
   * @param {HTMLElement} root
   * @param {{ onProb(j:number, q:number, done:boolean):void, onSelect(j:number):void,
   *           onStepLogit(j:number, dz:number):void }} handlers
   */
  constructor(root, handlers) {
    this.root = root;
    this.h = handlers;
    this.bars = [];
    this.flipLine = document.createElement('div');
    this.flipLine.className = 'flip-line';
    this.flipLabel = document.createElement('span');
    this.flipLine.append(this.flipLabel);
    this.plot = document.createElement('div');
    this.plot.className = 'bars-plot';
    this.labels = document.createElement('div');
    this.labels.className = 'bars-labels';
    root.append(this.plot, this.labels);
    this.plot.append(this.flipLine);
    // The y scale: probability 0 to 1, on the grid lines the CSS draws.
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      const tick = document.createElement('span');
      tick.className = 'bars-tick';
      tick.setAttribute('aria-hidden', 'true');
      tick.style.bottom = `${v * 100}%`;
      tick.textContent = String(v);
      this.plot.append(tick);
    }
    this.drag = null;
    /** @type {{j: number, id: number, x0: number, y0: number} | null} a touch that may be a tap */
    this.tap = null;
    this.plot.addEventListener('pointerdown', (e) => this.pointerDown(e));
    this.plot.addEventListener('pointermove', (e) => this.pointerMove(e));
    this.plot.addEventListener('pointerup', (e) => this.pointerUp(e));
    this.plot.addEventListener('pointercancel', (e) => this.pointerUp(e));
    root.addEventListener('keydown', (e) => this.keyDown(e));
  }

  ensureCount(n) {
    while (this.bars.length < n) {
      const i = this.bars.length;
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.tabIndex = -1;
      bar.setAttribute('role', 'option');
      bar.dataset.index = String(i);
      bar.dataset.testid = `bar-${i}`;
      const fill = document.createElement('div');
      fill.className = 'bar-fill';
      // On touch screens a drag edits only from this handle at the bar's
      // top; a swipe anywhere else scrolls the page.
      const handle = document.createElement('div');
      handle.className = 'bar-handle';
      fill.append(handle);
      const value = document.createElement('span');
      value.className = 'bar-value';
      value.setAttribute('aria-hidden', 'true');
      bar.append(fill, value);
      const label = document.createElement('div');
      label.className = 'bar-label';
      this.plot.append(bar);
      this.labels.append(label);
      this.bars.push({ bar, fill, label, value });
    }
    while (this.bars.length > n) {
      const { bar, label } = this.bars.pop();
      bar.remove();
      label.remove();
    }
    this.root.style.setProperty('--n', String(n));
  }

  /**
   * @param {{probs: Float64Array, labels: string[], selected: number,
   *          signs: number[], flip: number, flipName: string}} v
   */
  update(v) {
    const n = v.probs.length;
    this.ensureCount(n);
    this.root.classList.toggle('many', n > 16);
    for (let i = 0; i < n; i++) {
      const { bar, fill, label, value } = this.bars[i];
      const p = v.probs[i];
      fill.style.height = `${(p * 100).toFixed(3)}%`;
      // p on the bar itself: a hover title never shows on a touch screen.
      value.textContent = p >= 0.995 ? p.toFixed(3) : p.toFixed(2).replace(/^0/, '');
      value.style.bottom = `${(p * 100).toFixed(3)}%`;
      const sel = i === v.selected;
      bar.classList.toggle('selected', sel);
      bar.tabIndex = sel ? 0 : -1;
      bar.setAttribute('aria-selected', String(sel));
      bar.classList.toggle('expands', v.signs[i] > 0);
      bar.classList.toggle('contracts', v.signs[i] < 0);
      bar.classList.toggle('masked', p === 0);
      const verdict = v.signs[i] > 0 ? 'expands' : v.signs[i] < 0 ? 'contracts' : 'no change';
      bar.setAttribute('aria-label', `${v.labels[i]}: p = ${p.toPrecision(3)}, an update on it ${verdict} entropy`);
      bar.title = `${v.labels[i]}  p = ${p.toPrecision(4)}`;
      label.textContent = v.labels[i];
      label.classList.toggle('selected', sel);
    }
    const f = Math.min(Math.max(v.flip, 0), 1);
    this.flipLine.style.bottom = `${(f * 100).toFixed(3)}%`;
    setRichText(this.flipLabel, `${v.flipName} = ${v.flip.toPrecision(3)}`);
    this.selected = v.selected;
    this.count = n;
  }

  focusSelected() {
    this.bars[this.selected]?.bar.focus();
  }

  probAt(e) {
    const r = this.plot.getBoundingClientRect();
    const q = (r.bottom - e.clientY) / r.height;
    return Math.min(0.995, Math.max(0.002, q));
  }

  indexAt(e) {
    const r = this.plot.getBoundingClientRect();
    const i = Math.floor(((e.clientX - r.left) / r.width) * this.count);
    return Math.min(this.count - 1, Math.max(0, i));
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    const j = this.indexAt(e);
    if (e.pointerType !== 'mouse' && !(/** @type {HTMLElement} */ (e.target).closest('.bar-handle'))) {
      // Touch or pen off a handle: a tap chooses the bar, a swipe scrolls
      // (the browser takes it: touch-action pan-y, then pointercancel).
      this.tap = { j, id: e.pointerId, x0: e.clientX, y0: e.clientY };
      return;
    }
    this.drag = { j, id: e.pointerId, moved: false, y0: e.clientY };
    this.plot.setPointerCapture(e.pointerId);
    this.h.onSelect(j);
    e.preventDefault();
  }

  pointerMove(e) {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    if (!this.drag.moved && Math.abs(e.clientY - this.drag.y0) < 3) return;
    this.drag.moved = true;
    this.h.onProb(this.drag.j, this.probAt(e), false);
  }

  pointerUp(e) {
    const tap = this.tap;
    this.tap = null;
    if (tap && e.type === 'pointerup' && tap.id === e.pointerId && Math.hypot(e.clientX - tap.x0, e.clientY - tap.y0) < 10) {
      this.h.onSelect(tap.j);
      return;
    }
    if (!this.drag || e.pointerId !== this.drag.id) return;
    if (this.drag.moved) this.h.onProb(this.drag.j, this.probAt(e), true);
    this.drag = null;
    this.focusSelected();
  }

  keyDown(e) {
    const j = this.selected;
    const big = e.shiftKey ? 10 : 1;
    // The selection moves at once, not at the next render: a key that comes
    // before the next frame (fast typing, or a throttled background tab)
    // must act on the bar the previous key chose.
    const select = (k) => {
      this.selected = k;
      this.h.onSelect(k);
    };
    switch (e.key) {
      case 'ArrowUp':
        this.h.onStepLogit(j, 0.1 * big);
        break;
      case 'ArrowDown':
        this.h.onStepLogit(j, -0.1 * big);
        break;
      case 'ArrowLeft':
        select(Math.max(0, j - 1));
        break;
      case 'ArrowRight':
        select(Math.min(this.count - 1, j + 1));
        break;
      case 'Home':
        select(0);
        break;
      case 'End':
        select(this.count - 1);
        break;
      default:
        return;
    }
    e.preventDefault();
    requestAnimationFrame(() => this.focusSelected());
  }
}
