// The explorer's link codec (www/js/lib/link-state.js): every state survives a round
// trip, bad values and unknown keys are reported, and logits that JavaScript
// can hold are written back as numbers (issue 9 item 8: 1e308 was written
// back as "Infinity", which the text box then refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_STATE,
  HASH_KEYS,
  formatLogit,
  hashFromState,
  parseLogit,
  preset,
  roundLogit,
  stateFromHash,
} from '../../www/js/lib/link-state.js';

test('a state survives the link', () => {
  const s = {
    ...structuredClone(DEFAULT_STATE),
    logits: [1e308, -1e308, 0.1 + 0.2, -Infinity],
    labels: ['a b', 'ü', 'x', 't3'],
    temperature: 0.5,
    token: 2,
    kind: 'nudge',
    step: 0.25,
    adv: -1.5,
    logX: true,
    bits: true,
    rewards: [1, 0, 0, 1],
    group: 32,
  };
  const { state, problems } = stateFromHash(hashFromState(s));
  assert.deepEqual(problems, []);
  assert.deepEqual(state, { ...s, logits: [1e308, -1e308, 0.3, -Infinity] });
});

test('unknown keys and bad values are reported, the rest is used', () => {
  const { state, problems } = stateFromHash('#logits=1,2&tokn=1&kind=sgd&T=-1&step=0.5');
  assert.deepEqual(state.logits, [1, 2]);
  assert.equal(state.step, 0.5);
  assert.equal(state.kind, DEFAULT_STATE.kind);
  assert.equal(problems.length, 3, problems.join('; '));
  assert.match(problems.join(';'), /unknown setting “tokn”/);
  assert.match(problems.join(';'), /"sgd"/);
  assert.match(problems.join(';'), /temperature/);
  // Every key the codec writes, it reads.
  const written = new URLSearchParams(
    hashFromState({ ...DEFAULT_STATE, logX: true, bits: true, rewards: [0, 1, 0, 0], group: 4 }).slice(1),
  );
  assert.deepEqual([...written.keys()].sort(), [...HASH_KEYS].sort());
});

test('huge finite logits are written back as numbers, never Infinity', () => {
  for (const z of [1e308, -1e308, 1.7976931348623157e308, 123456789012.5, 1e11]) {
    const text = formatLogit(z);
    assert.ok(Number.isFinite(parseLogit(text)), `${z} → “${text}”`);
    assert.equal(parseLogit(text), z);
  }
  assert.equal(formatLogit(0.123456), '0.1235');
  assert.equal(formatLogit(-Infinity), '-inf');
  assert.equal(roundLogit(1e308 + 0.1), 1e308);
  assert.equal(parseLogit('−∞'), -Infinity);
  assert.ok(Number.isNaN(parseLogit('')));
});

test('presets are valid states', () => {
  for (const name of ['uniform', 'peaked', 'zipf', 'fork', 'tail']) {
    const p = preset(name);
    assert.equal(p.logits.length, p.labels.length, name);
    assert.ok(p.logits.every(Number.isFinite), name);
  }
  assert.equal(preset('nope'), null);
});

test('rewards and the group size: one reward per token, whole groups', () => {
  const { state, problems } = stateFromHash('#logits=1,2,3&rewards=1,0&group=0');
  assert.deepEqual(state.rewards, [0, 0, 0]);
  assert.equal(state.group, DEFAULT_STATE.group);
  assert.equal(problems.length, 2, problems.join('; '));
  assert.match(problems.join(';'), /3 zeros and ones/);
  assert.match(problems.join(';'), /group size/);
  // No rewards, the default group: the link does not mention them.
  assert.doesNotMatch(hashFromState(DEFAULT_STATE), /rewards|group/);
  assert.deepEqual(stateFromHash('#logits=1,2&rewards=0,1&group=16').state.rewards, [0, 1]);
});
