// The chart kit (www/js/chart/) is shared by every view, so it imports
// nothing view-specific: only its own modules and www/js/lib/. Each module
// also opts in to type checking (// @ts-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const JS = new URL('../../www/js/', import.meta.url).pathname;
const CHART = join(JS, 'chart');
const ALLOWED = [CHART, join(JS, 'lib')];

/** Every static or dynamic import specifier in `source`. */
const importsOf = (source) => [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);

test('js/chart/ imports only js/chart/ and js/lib/', () => {
  const files = readdirSync(CHART).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 6, `chart modules: ${files}`);
  const bad = [];
  for (const f of files) {
    for (const spec of importsOf(readFileSync(join(CHART, f), 'utf8'))) {
      const target = resolve(dirname(join(CHART, f)), spec);
      if (!spec.startsWith('.') || !ALLOWED.some((dir) => target.startsWith(`${dir}/`)))
        bad.push(`${f} imports ${spec} (${relative(JS, target)})`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the rule catches a view import', () => {
  const spec = importsOf("import { x } from '../lab/charts.js';\nconst m = await import('./scale.js');");
  assert.deepEqual(spec, ['../lab/charts.js', './scale.js']);
  const target = resolve(CHART, spec[0]);
  assert.ok(!ALLOWED.some((dir) => target.startsWith(`${dir}/`)));
});

test('every chart module is type-checked', () => {
  for (const f of readdirSync(CHART).filter((n) => n.endsWith('.js')))
    assert.match(readFileSync(join(CHART, f), 'utf8'), /^\/\/ @ts-check\n/, `${f} starts with // @ts-check`);
});
