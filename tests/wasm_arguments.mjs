// Checks, in Node, that the wasm exports read whole-number arguments and
// option objects through src/wasm/convert.rs (build first with
// scripts/build.sh): −1, 2.5 and NaN are refused with an Error whose `code`
// is "range" and whose `field` names the argument, never silently turned
// into some integer; a good value still works, so the checks can fail.
//
//   node tests/wasm_arguments.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const m = await import(join(root, 'www', 'pkg', 'entropy_polarity.js'));
m.initSync({ module: readFileSync(join(root, 'www', 'pkg', 'entropy_polarity_bg.wasm')) });

const BAD = [-1, 2.5, Number.NaN];

/** `call()` throws an Error with this code and field, its message naming the field. */
function refuses(call, code, field) {
  assert.throws(call, (e) => {
    assert.ok(e instanceof Error, `not an Error: ${e}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.field, field, e.message);
    assert.ok(e.message.toLowerCase().includes(field.toLowerCase()), `message does not name ${field}: ${e.message}`);
    return true;
  });
}

test('LabRun.advance: steps must be a whole number ≥ 0', () => {
  const run = new m.LabRun({ vocab: 8, steps: 3 });
  for (const steps of BAD) refuses(() => run.advance(steps), 'range', 'steps');
  assert.equal(run.advance(1), 1);
  assert.equal(run.advance(0), 1);
  assert.equal(run.advance(5), 3); // up to the end
  run.free();
});

test('gridCell: scenario and strategy are indices into the plan', () => {
  const spec = { rewards: ['one'], vocab: [8], lr: [0.5], epochs: [1], seeds: 1, steps: 2, strategies: ['pg', 'clip-higher'] };
  const plan = m.gridPlan(spec);
  assert.deepEqual([plan.scenarios.length, plan.strategies.length], [1, 2]);
  for (const i of [...BAD, 1]) refuses(() => m.gridCell(spec, i, 0), 'range', 'scenario');
  for (const i of [...BAD, 2]) refuses(() => m.gridCell(spec, 0, i), 'range', 'strategy');
  const cell = m.gridCell(spec, 0, 1);
  assert.ok(cell instanceof Float64Array && cell.length === 5, 'a cell is 5 numbers');
});

test('SliceData: rows and counts', () => {
  const bytes = new TextEncoder().encode('[[1, 2, 3], [0, 0, 0]]');
  const { data } = m.parseSlice('two.json', bytes);
  for (const r of BAD) {
    refuses(() => data.row(r), 'range', 'row');
    refuses(() => data.labels(r), 'range', 'row');
    refuses(() => data.rowsLogits(r, 1), 'range', 'firstRow');
    refuses(() => data.rowsLogits(0, r), 'range', 'count');
  }
  assert.deepEqual(Array.from(data.row(1)), [0, 0, 0]);
  assert.deepEqual(Array.from(data.rowsLogits(0, 2)), [1, 2, 3, 0, 0, 0]);
  data.free();
});

test('slice options: read through convert.rs (unknown key, wrong types)', () => {
  const bytes = new TextEncoder().encode('[[1, 2, 3]]');
  refuses(() => m.parseSlice('a.json', bytes, { confirmBF16: true }), 'unknown-option', 'confirmBF16');
  refuses(() => m.parseSlice('a.json', bytes, { confirmBf16: 'yes' }), 'type', 'confirmBf16');
  refuses(() => m.parseSlice('a.json', bytes, { tokensTensor: 3 }), 'type', 'tokensTensor');
  assert.throws(
    () => m.parseSlice('a.json', bytes, 'confirm'),
    (e) => e.code === 'type' && /Slice options/.test(e.message),
  );
  assert.equal(m.parseSlice('a.json', bytes, { confirmBf16: false, tokensTensor: null }).info.rows, 1);
});

test('topBars: token and shown are whole numbers', () => {
  const z = [3, 2, 1, 0];
  for (const t of BAD) refuses(() => m.topBars(z, t), 'range', 'token');
  for (const n of BAD) refuses(() => m.topBars(z, undefined, n), 'range', 'shown');
  assert.equal(m.topBars(z, 2, 2).index.length, 2); // one bar and the rest
});
