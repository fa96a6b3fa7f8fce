// @ts-check
// The lesson's rich text, built with textContent only (never markup from
// strings): [[key]] or [[key|shown]] is a term from js/lesson/terms.js,
// ^{…} a superscript, _{…} a subscript, and S̄ gets a drawn overbar
// (js/lib/overbar.js: WebKit's fonts drop U+0304). A term is a button: its
// definition shows on hover, focus and tap, in one shared tooltip.

import { TERMS } from './terms.js';
import { setTextWithOverbars } from '../lib/overbar.js';

const TOKEN = /\[\[([A-Za-z]+)(?:\|([^\]]+))?\]\]|\^\{([^}]*)\}|_\{([^}]*)\}/g;

/**
 * Appends `text` to `node` as rich text (terms become buttons when `terms`).
 * @param {Element} node @param {string} text @param {{terms?: boolean}} [opts]
 */
export function appendRich(node, text, { terms = true } = {}) {
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) node.append(plain(text.slice(last, at)));
    if (m[1] !== undefined) {
      const term = TERMS[m[1]];
      if (!term) throw new Error(`lesson text: unknown term "${m[1]}"`);
      const shown = m[2] ?? term.name;
      if (terms) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'term';
        b.dataset.term = m[1];
        appendRich(b, shown, { terms: false });
        node.append(b);
      } else appendRich(node, shown, { terms: false });
    } else {
      const s = document.createElement(m[3] !== undefined ? 'sup' : 'sub');
      s.append(plain(m[3] ?? m[4]));
      node.append(s);
    }
    last = at + m[0].length;
  }
  if (last < text.length) node.append(plain(text.slice(last)));
  return node;
}

/** Replaces `node`'s content with rich text. @param {Element} node @param {string} text */
export function setRich(node, text, opts) {
  node.replaceChildren();
  return appendRich(node, text, opts);
}

/** Text with S̄ drawn as S under a line, as a fragment. @param {string} text */
function plain(text) {
  const span = document.createElement('span');
  setTextWithOverbars(span, text);
  const f = document.createDocumentFragment();
  f.append(...span.childNodes);
  return f;
}

/** The plain-text form of rich text (for aria-labels and titles). @param {string} text */
export function plainText(text) {
  return text.replace(TOKEN, (_, key, shown, sup, sub) => (key !== undefined ? plainText(shown ?? TERMS[key]?.name ?? key) : (sup ?? sub)));
}

/**
 * What a term's tooltip says: its name as a heading, then its definition;
 * no heading when the definition already starts with the name
 * ("e^{−H}: where a nudge flips", not "e^{−H}: e^{−H}: …").
 * @param {string} key @returns {{heading: string | null, def: string}}
 */
export function termTip(key) {
  const term = TERMS[key];
  const name = plainText(term.name).toLowerCase();
  return { heading: plainText(term.def).toLowerCase().startsWith(name) ? null : term.name, def: term.def };
}

/**
 * One tooltip for every term button under `root`: shown on hover, focus and
 * tap (click), hidden on Escape, on leaving, or on a tap elsewhere.
 * Returns `hide`, which reports whether a tooltip was open.
 * @param {HTMLElement} root @param {HTMLElement} tip an element with role="tooltip"
 */
export function wireTerms(root, tip) {
  /** @type {HTMLElement | null} */
  let owner = null;
  const show = (/** @type {HTMLElement} */ b) => {
    const term = TERMS[b.dataset.term ?? ''];
    if (!term) return;
    owner?.removeAttribute('aria-describedby');
    owner = b;
    tip.replaceChildren();
    const { heading, def } = termTip(b.dataset.term ?? '');
    if (heading) {
      const name = document.createElement('strong');
      appendRich(name, heading, { terms: false });
      tip.append(name, ': ');
    }
    appendRich(tip, def, { terms: false });
    tip.hidden = false;
    b.setAttribute('aria-describedby', tip.id);
    place(b);
  };
  const place = (/** @type {HTMLElement} */ b) => {
    // A readout's name: the tip goes above or below the whole row of readouts,
    // never over the numbers it explains.
    const row = b.closest('.readouts');
    const r = (row ?? b).getBoundingClientRect();
    const w = Math.min(360, window.innerWidth - 16);
    tip.style.setProperty('--tip-w', `${w}px`);
    const left = Math.max(8, Math.min(window.innerWidth - w - 8, r.left));
    tip.style.setProperty('--tip-x', `${left + window.scrollX}px`);
    const below = r.bottom + 6;
    const h = tip.offsetHeight;
    const above = r.top - h - 6;
    // Above a row of readouts when there is room (below it are the bars with the same flips).
    const top = above > 0 && (row || below + h > window.innerHeight - 4) ? above : below;
    tip.style.setProperty('--tip-y', `${top + window.scrollY}px`);
  };
  const hide = () => {
    const was = !tip.hidden;
    tip.hidden = true;
    owner?.removeAttribute('aria-describedby');
    owner = null;
    return was;
  };
  const termOf = (/** @type {EventTarget | null} */ t) =>
    t instanceof Element ? /** @type {HTMLElement | null} */ (t.closest('button.term')) : null;
  root.addEventListener('mouseover', (e) => {
    const b = termOf(e.target);
    if (b && b !== owner) show(b);
  });
  root.addEventListener('mouseout', (e) => {
    const b = termOf(e.target);
    if (b && b === owner && !b.contains(/** @type {Node | null} */ (e.relatedTarget)) && document.activeElement !== b) hide();
  });
  root.addEventListener('focusin', (e) => {
    const b = termOf(e.target);
    if (b) show(b);
  });
  root.addEventListener('focusout', (e) => {
    if (termOf(e.target) === owner) hide();
  });
  root.addEventListener('click', (e) => {
    const b = termOf(e.target);
    if (b) {
      if (b === owner && !tip.hidden && document.activeElement !== b) hide();
      else show(b);
    } else if (!tip.contains(/** @type {Node} */ (e.target))) hide();
  });
  return hide;
}
