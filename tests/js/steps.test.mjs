// The step history's bookkeeping (www/js/explorer/steps.js): which edits keep it, and
// the points it draws (issue 11, "Bugs": a history kept across a new
// distribution lied; switching the token joined two tokens' p_k into one line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyPoints, sameDistribution } from '../../www/js/explorer/steps.js';

test('a history is kept only for the same logits and temperature', () => {
  const s = { logits: [2, 1, -Infinity], temperature: 1 };
  assert.equal(sameDistribution(s, { logits: [2, 1, -Infinity], temperature: 1 }), true);
  assert.equal(sameDistribution(s, { logits: [2, 1, -Infinity], temperature: 0.5 }), false);
  assert.equal(sameDistribution(s, { logits: [2, 1.0001, -Infinity], temperature: 1 }), false);
  assert.equal(sameDistribution(s, { logits: [2, 1], temperature: 1 }), false);
  assert.equal(sameDistribution({ logits: [0, -0], temperature: 1 }, { logits: [0, 0], temperature: 1 }), false);
});

test('the p line follows one token through every step', () => {
  const steps = [
    { before: [], H: 1, probs: [0.5, 0.3, 0.2], predicted: 0, realised: 0, tokens: [0] },
    { before: [], H: 0.9, probs: [0.6, 0.25, 0.15], predicted: 0, realised: 0, tokens: [2] },
  ];
  assert.deepEqual(historyPoints(steps, 2, 0.8, [0.7, 0.2, 0.1]), [
    { H: 1, pk: 0.2 },
    { H: 0.9, pk: 0.15 },
    { H: 0.8, pk: 0.1 },
  ]);
  assert.deepEqual(historyPoints([], 1, 0.5, [0.9, 0.1]), [{ H: 0.5, pk: 0.1 }]);
});
