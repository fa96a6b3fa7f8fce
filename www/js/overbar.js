// S̄ (the mean discriminator) is written "S" + U+0304, a combining overbar.
// WebKit's fonts drop the combining mark and show a bare "S", so text for
// the screen never relies on it: each "S̄" becomes an "S" whose bar is drawn
// as a line (CSS text-decoration, class .overbar in style.css). The plain
// string, with U+0304, stays in links, CSV headers and aria-labels.

const MARK = 'S\u0304';
const SVG = 'http://www.w3.org/2000/svg';

/** Sets `node`'s text to `text`, drawing the bar of every S̄ (HTML or SVG text). */
export function setTextWithOverbars(node, text) {
  const svg = node.namespaceURI === SVG;
  node.replaceChildren();
  text.split(MARK).forEach((part, i) => {
    if (i > 0) {
      const s = svg ? document.createElementNS(SVG, 'tspan') : document.createElement('span');
      s.setAttribute('class', 'overbar');
      if (svg) s.setAttribute('text-decoration', 'overline'); // also in SVG files saved without style.css
      s.textContent = 'S';
      node.append(s);
    }
    if (part) node.append(part);
  });
  return node;
}
