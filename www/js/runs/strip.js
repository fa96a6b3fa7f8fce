// @ts-check
// The token strip of one sample: each kept token as a focusable span, its
// background by the sign and size of its token term −A·S_k (or its full
// polarity when the trace has S̄): blue = expands, orange = contracts, four
// intensity steps. Colour is never the only cue: expanding tokens are
// underlined solid, contracting ones dashed, and the readout spells the sign
// with ▲/▼. One token is in the tab order at a time (roving tabindex); the
// arrow keys, Home and End move along the strip, Enter opens the token.

const BINS = 4;

/** Visible text of a token: newlines and tabs shown, empty as ∅. */
export function visible(text) {
  if (text === '') return '∅';
  return text.replaceAll('\n', '⏎').replaceAll('\t', '⇥');
}

/** The class of a value against the scale: exp-1…4, con-1…4, or flat/none. */
export function tone(v, scale) {
  if (!Number.isFinite(v)) return 'none';
  if (v === 0 || !(scale > 0)) return 'flat';
  const b = Math.min(BINS, 1 + Math.floor((Math.abs(v) / scale) * BINS));
  return `${v > 0 ? 'exp' : 'con'}-${Math.min(BINS, b)}`;
}

/**
 * Draws `rows` (detail indices in position order) into `box`.
 * `value(i)` is the coloured quantity, `text(i)` the token text,
 * `position(i)` its position (gaps between kept positions are shown as …).
 * `dim(i)`: drawn faint (filtered out). `onFocus(i)` on hover or focus,
 * `onOpen(i)` on click or Enter.
 */
export function renderStrip(box, rows, { value, text, position, scale, dim, onFocus, onOpen }) {
  const spans = [];
  const parts = [];
  let prev = null;
  for (const i of rows) {
    const pos = position(i);
    if (prev !== null && pos > prev + 1) {
      const gap = document.createElement('span');
      gap.className = 'tok-gap';
      gap.textContent = '…';
      gap.title = `${pos - prev - 1} position(s) not kept or not counted`;
      parts.push(gap);
    }
    prev = pos;
    const s = document.createElement('span');
    s.className = `tok ${tone(value(i), scale)}${dim(i) ? ' dim' : ''}`;
    s.textContent = visible(text(i));
    s.tabIndex = -1;
    s.dataset.i = String(i);
    s.dataset.testid = 'run-tok';
    parts.push(s);
    spans.push(s);
  }
  if (spans.length) spans[0].tabIndex = 0;
  box.replaceChildren(...parts);
  const focusAt = (k) => {
    const t = spans[Math.max(0, Math.min(spans.length - 1, k))];
    if (!t) return;
    for (const s of box.querySelectorAll('.tok[tabindex="0"]')) s.tabIndex = -1;
    t.tabIndex = 0;
    t.focus();
  };
  const idx = (el) => spans.indexOf(el);
  const tokenOf = (e) => e.target.closest?.('.tok');
  // Listeners are added once per box; each render swaps what they act on.
  const first = !box.stripHandlers;
  box.stripHandlers = {
    over: (e) => {
      const t = tokenOf(e);
      if (t) onFocus(Number(t.dataset.i));
    },
    click: (e) => {
      const t = tokenOf(e);
      if (!t) return;
      focusAt(idx(t));
      onOpen(Number(t.dataset.i));
    },
    key: (e) => {
      const t = tokenOf(e);
      if (!t) return;
      const k = idx(t);
      const moves = { ArrowRight: k + 1, ArrowDown: k + 1, ArrowLeft: k - 1, ArrowUp: k - 1, Home: 0, End: spans.length - 1 };
      if (e.key in moves) {
        e.preventDefault();
        focusAt(moves[e.key]);
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onOpen(Number(t.dataset.i));
      }
    },
  };
  if (first) {
    box.addEventListener('pointerover', (e) => box.stripHandlers.over(e));
    box.addEventListener('focusin', (e) => box.stripHandlers.over(e));
    box.addEventListener('click', (e) => box.stripHandlers.click(e));
    box.addEventListener('keydown', (e) => box.stripHandlers.key(e));
  }
  return { focus: (i) => focusAt(spans.findIndex((s) => s.dataset.i === String(i))) };
}
