// The page's layout (README, "Layout"): www/js/lib/ and www/js/chart/ are
// shared by every view, so they import nothing of a view. Every module there
// is read with TypeScript's own pre-processor (static imports, re-exports,
// dynamic import()), plus the two other ways a module names another: a
// worker's `new URL('…', import.meta.url)` and a JSDoc `import('…')` type.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const WWW = resolve(dirname(fileURLToPath(import.meta.url)), '../../www');
const SHARED = ['js/lib', 'js/chart'];
// What a shared module may import besides other shared modules: the wasm module.
const ALLOWED = ['pkg'];

/** The .js files under `dir`, recursively. */
function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier `source` names. */
export function specifiers(source) {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  const found = importedFiles.map((f) => f.fileName);
  for (const m of source.matchAll(/new\s+URL\(\s*(['"`])([^'"`]+)\1\s*,\s*import\.meta\.url/g)) found.push(m[2]);
  for (const m of source.matchAll(/import\(\s*(['"])([^'"]+)\1\s*\)/g)) found.push(m[2]); // JSDoc types too
  return [...new Set(found)];
}

/** The view-specific modules `file` (under www/, text `source`) imports: www-relative paths. */
function viewImports(file, source = readFileSync(file, 'utf8')) {
  const out = [];
  for (const spec of specifiers(source)) {
    if (!spec.startsWith('.')) {
      out.push(`${spec} (not a relative path)`);
      continue;
    }
    const target = relative(WWW, resolve(dirname(file), spec));
    const ok = [...SHARED, ...ALLOWED].some((d) => target === d || target.startsWith(`${d}/`));
    if (!ok) out.push(target);
  }
  return out;
}

test('the pre-processor finds every form of import the page uses', () => {
  const src = `
    import init, { a } from '../../pkg/x.js';
    export { b } from './b.js';
    import './side-effect.js';
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    /** @type {import('../explorer/main.js').State} */
    const later = () => import('./lazy.js');`;
  assert.deepEqual(specifiers(src).sort(), [
    '../../pkg/x.js',
    '../explorer/main.js',
    './b.js',
    './lazy.js',
    './side-effect.js',
    './worker.js',
  ]);
});

test('a view-specific import in a shared module is caught, a shared one is not', () => {
  const file = join(WWW, 'js/lib/example.js');
  const src = `
    import { fmt } from './format.js';
    import { el } from '../chart/svg.js';
    import init from '../../pkg/entropy_polarity.js';
    import { show } from '../slices/panel.js';
    /** @param {import('../runs/view.js').RunContext} ctx */
    const w = new URL('../lab/worker.js', import.meta.url);
    import('https://example.org/x.js');`;
  assert.deepEqual(viewImports(file, src).sort(), [
    'https://example.org/x.js (not a relative path)',
    'js/lab/worker.js',
    'js/runs/view.js',
    'js/slices/panel.js',
  ]);
});

for (const dir of SHARED) {
  test(`www/${dir}/ imports nothing view-specific`, () => {
    const files = modules(join(WWW, dir));
    assert.ok(files.length > 0, `www/${dir}/ has modules`);
    const bad = files.flatMap((f) => viewImports(f).map((t) => `${relative(WWW, f)} → ${t}`));
    assert.deepEqual(bad, []);
  });
}
