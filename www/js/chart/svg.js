// @ts-check
// SVG elements built with attributes and classes only (no inline styles, so
// a strict CSP allows them); shared by every chart drawn in plain SVG.

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element `name` with `attrs`, and optional text content. */
export function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}
