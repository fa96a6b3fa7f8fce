// Every module of the chart kit (www/js/chart/) opts in to type checking,
// so `tsc` (scripts/check.sh) reads all of it. That the kit imports nothing
// of a view is tests/js/layout.test.mjs's to say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const CHART = new URL('../../www/js/chart/', import.meta.url);

test('every chart module starts with // @ts-check', () => {
  const files = readdirSync(CHART).filter((f) => f.endsWith('.js'));
  assert.ok(files.includes('scale.js') && files.includes('richtext.js'), `chart modules: ${files}`);
  const unchecked = files.filter((f) => !readFileSync(new URL(f, CHART), 'utf8').startsWith('// @ts-check\n'));
  assert.deepEqual(unchecked, []);
});
