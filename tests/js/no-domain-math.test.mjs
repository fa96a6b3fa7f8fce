// Every number the page shows comes from the core (issue 20, §3): outside
// js/chart/ (scales and ticks) and js/lib/format.js (how numbers are
// written), no module under www/js calls Math.log or Math.exp or sums with
// reduce. Such a line belongs in src/math with a native test and a wasm
// export. Comments are left out of the search; Math.log10, log1p and expm1
// (tick steps, log axes) are not these.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW_JS = fileURLToPath(new URL('../../www/js/', import.meta.url));
const ALLOWED = [/^chart\//, /^lib\/format\.js$/];

// Comments become blank (their newlines kept, so that line numbers still hold).
const withoutComments = (src) => src.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

/** The text of the call's arguments from the "(" at `open`, to its matching ")". */
function argumentsAt(src, open) {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '(') depth++;
    else if (src[i] === ')' && --depth === 0) return src.slice(open + 1, i);
  }
  return src.slice(open + 1);
}

/** What in `src` is domain math: one "line: text" per find. */
export function domainMath(src) {
  const code = withoutComments(src);
  const lineOf = (at) => code.slice(0, at).split('\n').length;
  const found = [];
  for (const m of code.matchAll(/\bMath\.(log|exp)\s*\(/g)) found.push(`${lineOf(m.index)}: Math.${m[1]}`);
  for (const m of code.matchAll(/\.reduce\s*\(/g)) {
    const args = argumentsAt(code, m.index + m[0].length - 1);
    // The accumulator: the callback's first parameter, `(acc, …) =>` or `acc =>`.
    const acc = /^\s*(?:function\s*)?\(?\s*([\w$]+)/.exec(args)?.[1];
    if (
      acc &&
      new RegExp(`(^|[^\\w$.])${acc.replace('$', '\\$')}\\s*[-+]|[-+]\\s*${acc.replace('$', '\\$')}\\b`).test(
        args.slice(args.indexOf('=>') + 2),
      )
    )
      found.push(`${lineOf(m.index)}: a summing reduce`);
  }
  return found;
}

function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

test('the search finds what it looks for, and not the rest', () => {
  assert.deepEqual(domainMath('const s = xs.reduce((a, b) => a + b, 0);'), ['1: a summing reduce']);
  assert.deepEqual(domainMath('x\ny = p.reduce((acc, pk, k) => acc + pk * A[k], 0)'), ['2: a summing reduce']);
  assert.deepEqual(domainMath('q.reduce((a, v, i) => (keep.includes(i) ? a : a + v), 0)'), ['1: a summing reduce']);
  assert.deepEqual(domainMath('const h = -p * Math.log(p); const e = Math.exp (h);'), ['1: Math.log', '1: Math.exp']);
  // Not domain math: a running maximum, other Math functions, comments, strings of URLs.
  assert.deepEqual(domainMath('out.reduce((best, e, i) => (e.H > out[best].H ? i : best), 0)'), []);
  assert.deepEqual(domainMath('Math.log10(x); Math.log1p(x); Math.expm1(x)'), []);
  assert.deepEqual(domainMath('// Math.log(p) is the core\'s\n/* xs.reduce((a, b) => a + b) */ const u = "http://x";'), []);
});

test('no domain math in www/js outside js/chart/ and js/lib/format.js', () => {
  const found = [];
  for (const file of modules(WWW_JS)) {
    const name = relative(WWW_JS, file).split('\\').join('/');
    if (ALLOWED.some((re) => re.test(name))) continue;
    for (const f of domainMath(readFileSync(file, 'utf8'))) found.push(`js/${name}:${f}`);
  }
  assert.deepEqual(found, [], 'move these to the core (src/math) with a native test and a wasm export');
});
