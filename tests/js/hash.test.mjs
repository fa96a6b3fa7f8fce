// One hash codec for the explorer and the lab (www/js/lib/hash.js, issue 8): the
// same reading of keys, the same report of an unknown one, and links that
// survive a round trip on both pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readBool, readHash, readNumber, unknownSetting, writeHash } from '../../www/js/lib/hash.js';
import { hashFromParams, paramsFromHash } from '../../www/js/lab/state.js';
import { stateFromHash } from '../../www/js/lib/link-state.js';

test('unknown keys are reported once, by both pages alike', () => {
  const { params, problems } = readHash('#a=1&zz=2&zz=3', ['a']);
  assert.equal(params.get('a'), '1');
  assert.deepEqual(problems, [unknownSetting('zz')]);
  const explorer = stateFromHash('#logits=1,2&colour=red').problems;
  const lab = paramsFromHash([{ key: 'vocab', kind: 'number' }], '#colour=red', { vocab: 10 }).problems;
  assert.deepEqual(explorer, [unknownSetting('colour')]);
  assert.deepEqual(lab, ['The link has an unknown setting “colour”, which was ignored.']);
});

test('numbers and switches: absent, good, or a problem', () => {
  const { params } = readHash('x=2.5&y=abc&z=&b=1&c=maybe', ['x', 'y', 'z', 'b', 'c']);
  const problems = [];
  assert.equal(
    readNumber(params, 'x', (v) => v > 0, 'x bad', problems),
    2.5,
  );
  assert.equal(
    readNumber(params, 'y', () => true, 'y bad', problems),
    undefined,
  );
  assert.equal(
    readNumber(params, 'z', () => true, 'z bad', problems),
    undefined,
  );
  assert.equal(
    readNumber(params, 'x', (v) => v > 3, 'x small', problems),
    undefined,
  );
  assert.equal(
    readNumber(params, 'w', () => true, 'w bad', problems),
    undefined,
  );
  assert.equal(readBool(params, 'b', problems), true);
  assert.equal(readBool(params, 'c', problems), undefined);
  assert.deepEqual(problems, ['y bad', 'z bad', 'x small', 'b in the link must be 0 or 1, not “maybe”'.replace('b in', 'c in')]);
});

test('written settings read back on the lab page (text, bool, vector, auto)', () => {
  const table = [
    { key: 'preset', kind: 'text' },
    { key: 'lr', kind: 'number', auto: true },
    { key: 'logx', kind: 'bool' },
    { key: 'logits', kind: 'vector' },
  ];
  const p = { preset: 'a b&c', lr: null, logx: true, logits: [1, -2.5] };
  const hash = hashFromParams(table, p);
  assert.equal(
    hash,
    writeHash([
      ['preset', 'a b&c'],
      ['lr', 'auto'],
      ['logx', '1'],
      ['logits', '1,-2.5'],
    ]),
  );
  const back = paramsFromHash(table, hash, { preset: '', lr: 1, logx: false, logits: null });
  assert.deepEqual(back, { params: p, problems: [] });
  const bad = paramsFromHash(table, '#logx=maybe', { preset: '', lr: 1, logx: false, logits: null });
  assert.deepEqual(bad.problems, ['logx in the link must be 0 or 1, not “maybe”.']);
});
