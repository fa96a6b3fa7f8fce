// @ts-check
// S̄ (the mean discriminator) is written "S" + U+0304, a combining overbar.
// WebKit's fonts drop the combining mark and show a bare "S", so text for
// the screen never relies on it: each "S̄" becomes an "S" whose bar is drawn
// as a line (CSS text-decoration, class .overbar in css/base.css). The plain
// string, with U+0304, stays in links, CSV headers and aria-labels.
// setRichText also writes "e^{−H}" and "p_{k}" with real superscripts and
// subscripts (issue 11: "e^−H" and "p_k" read as plain text).

const MARK = 'S\u0304';
const SVG = 'http://www.w3.org/2000/svg';

/** Appends `text` to `node`, drawing the bar of every S̄ (HTML or SVG text). */
function appendWithOverbars(node, text) {
  const svg = node.namespaceURI === SVG;
  text.split(MARK).forEach((part, i) => {
    if (i > 0) {
      const s = svg ? document.createElementNS(SVG, 'tspan') : document.createElement('span');
      s.setAttribute('class', 'overbar');
      if (svg) s.setAttribute('text-decoration', 'overline'); // also in SVG files saved without css/base.css
      s.textContent = 'S';
      node.append(s);
    }
    if (part) node.append(part);
  });
  return node;
}

/** Sets `node`'s text to `text`, drawing the bar of every S̄ (HTML or SVG text). */
export function setTextWithOverbars(node, text) {
  node.replaceChildren();
  return appendWithOverbars(node, text);
}

/**
 * Sets an HTML element's text: S̄ as above, "^{…}" as a superscript and
 * "_{…}" as a subscript. Text only (no markup is parsed from `text`).
 * @param {HTMLElement} node @param {string} text
 */
export function setRichText(node, text) {
  node.replaceChildren();
  for (const part of text.split(/(\^\{[^}]*\}|_\{[^}]*\})/)) {
    if (/^[\^_]\{/.test(part)) {
      node.append(appendWithOverbars(document.createElement(part[0] === '^' ? 'sup' : 'sub'), part.slice(2, -1)));
    } else if (part) appendWithOverbars(node, part);
  }
  return node;
}

/** The text a screen reader or a plain-text copy gets: "e^{−H}" → "e^−H". @param {string} text */
export function plainText(text) {
  return text.replace(/([\^_])\{([^}]*)\}/g, '$1$2');
}
