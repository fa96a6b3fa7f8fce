// @ts-check
// Text with S̄, superscripts and subscripts, in HTML and in SVG: the one
// place that writes them (charts, tables, terms, captions).
//
// S̄ (the mean discriminator) is written "S" + U+0304, a combining overbar.
// WebKit's fonts drop the combining mark and show a bare "S", so text for
// the screen never relies on it: each "S̄" becomes an "S" whose bar is drawn
// as a line (class .overbar, css/chart.css). The plain string, with U+0304,
// stays in links, CSV headers and aria-labels. "e^{−H}" and "p_{k}" get a
// real superscript and subscript (issue 11: "e^−H" and "p_k" read as code).
// Text only: no markup is ever parsed from the text.

const MARK = 'S\u0304';
const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * `text` cut into runs: plain text, a superscript (^{…}), a subscript (_{…})
 * or an S̄ (`bar`); with `scripts` false only S̄ is picked out (for names a
 * user wrote, whose braces are their own).
 * @param {string} text @param {boolean} [scripts]
 * @returns {{ kind: 'text' | 'sup' | 'sub' | 'bar', text: string }[]}
 */
export function richParts(text, scripts = true) {
  const out = [];
  for (const part of scripts ? text.split(/(\^\{[^}]*\}|_\{[^}]*\})/) : [text]) {
    if (!part) continue;
    if (scripts && /^[\^_]\{/.test(part)) {
      out.push({ kind: part[0] === '^' ? 'sup' : 'sub', text: part.slice(2, -1) });
      continue;
    }
    part.split(MARK).forEach((piece, i) => {
      if (i > 0) out.push({ kind: 'bar', text: 'S' });
      if (piece) out.push({ kind: 'text', text: piece });
    });
  }
  return /** @type {any} */ (out);
}

/** How far a superscript is raised and a subscript lowered in SVG (user units; the charts' text is 11–13 px). */
const SHIFT = { sup: -5, sub: 4 };

/**
 * Sets `node`'s text (an HTML element or SVG <text>): S̄ as a drawn bar, and
 * with `scripts` (the default) "^{…}" raised and "_{…}" lowered. In SVG a
 * script is a smaller <tspan> moved by dy; the next run moves back, since
 * baseline-shift is not drawn by every browser. `tail` is appended as it is
 * (a name a user wrote, whose braces are their own).
 * @template {Element} T @param {T} node @param {string} text @param {{ scripts?: boolean, tail?: string }} [options]
 * @returns {T}
 */
export function setRichText(node, text, { scripts = true, tail = '' } = {}) {
  const svg = node.namespaceURI === SVG_NS;
  node.replaceChildren();
  let back = 0; // the dy that returns to the baseline
  const parts = richParts(text, scripts);
  if (tail) parts.push(...richParts(tail, false));
  for (const { kind, text: t } of parts) {
    if (!svg) {
      if (kind === 'text') node.append(t);
      else node.append(htmlRun(kind, t));
      continue;
    }
    const attrs = {};
    const shift = kind === 'sup' || kind === 'sub' ? SHIFT[kind] : 0;
    if (shift - back) attrs.dy = String(shift - back);
    if (shift) attrs.class = 'small';
    if (kind === 'bar') Object.assign(attrs, { class: 'overbar', 'text-decoration': 'overline' }); // also in SVG files saved without the CSS
    back = shift;
    if (kind === 'text' && !attrs.dy) node.append(t);
    else node.append(tspan(attrs, t));
  }
  return node;
}

/** Sets `node`'s text drawing the bar of every S̄ and nothing else (names whose braces are their own). */
export function setTextWithOverbars(node, text) {
  return setRichText(node, text, { scripts: false });
}

/** An SVG <text> with `attrs` and rich `text`, then `tail` as it is (as setRichText). */
export function richText(attrs, text, tail = '') {
  const t = document.createElementNS(SVG_NS, 'text');
  for (const [k, v] of Object.entries(attrs)) t.setAttribute(k, String(v));
  return setRichText(t, text, { tail });
}

/** The text a screen reader or a plain-text copy gets: "e^{−H}" → "e^−H". @param {string} text */
export function plainText(text) {
  return text.replace(/([\^_])\{([^}]*)\}/g, '$1$2');
}

function htmlRun(kind, text) {
  const e = document.createElement(kind === 'bar' ? 'span' : kind);
  if (kind === 'bar') e.className = 'overbar';
  // A bar inside a script (S̄ in a subscript) is drawn too.
  if (kind === 'bar') e.textContent = text;
  else setRichText(e, text, { scripts: false });
  return e;
}

function tspan(attrs, text) {
  const s = document.createElementNS(SVG_NS, 'tspan');
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
  s.textContent = text;
  return s;
}
