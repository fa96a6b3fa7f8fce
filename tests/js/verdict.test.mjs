// The verdict follows the exact change (issue 9 item 7): with
// #logits=2,1,0.5,-1&step=1000&adv=-1000 the first order says "widens by
// 1.68e5" while the exact change is −1.01.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verdict } from '../../www/js/explorer/verdict.js';

const base = { kind: 'pg', label: 'Paris', p: 0.57, adv: -1000, step: -1e6 };

test('when first order and exact disagree in sign, the exact change decides and the sentence says so', () => {
  const v = verdict({ ...base, first: 1.68e5, exact: -1.01 });
  assert.equal(v.direction, 'contracts');
  assert.ok(v.broke);
  assert.match(v.text, /narrows/);
  assert.match(v.text, /ΔH = −1\.01 nats exactly/);
  assert.match(v.text, /wrong sign.*linearisation/);
});

test('when they agree, the first-order value leads and the exact one follows', () => {
  const v = verdict({ ...base, adv: 1, step: 0.1, first: -0.0123, exact: -0.0121 });
  assert.equal(v.direction, 'contracts');
  assert.equal(v.broke, false);
  assert.match(v.text, /narrows the distribution: ΔH ≈ −0\.0123 nats \(exact −0\.0121 nats\)/);
  assert.match(verdict({ ...base, first: 0.5, exact: 0.4, bits: true }).text, /widens.*0\.721 bits/);
  assert.equal(verdict({ ...base, step: 0, first: 0, exact: 0 }).text, 'With η·A = 0 nothing changes.');
});

test('the verdict gives its reason: the side of the flip and the sign of A', () => {
  const pg = verdict({ kind: 'pg', label: 'Paris', p: 0.609, adv: 1, step: 0.1, first: -0.0168, exact: -0.0171, flip: 0.4906 });
  assert.match(pg.text, /narrows the distribution because p = 0\.609 > p† = 0\.491 and A > 0: ΔH ≈/);
  const rare = verdict({ kind: 'pg', label: 'Lille', p: 0.03, adv: 1, step: 0.1, first: 0.01, exact: 0.01, flip: 0.4906 });
  assert.match(rare.text, /widens the distribution because p = 0\.03 < p† = 0\.491 and A > 0/);
  const pen = verdict({ kind: 'pg', label: 'Paris', p: 0.609, adv: -1, step: -0.1, first: 0.0168, exact: 0.0165, flip: 0.4906 });
  assert.match(pen.text, /widens the distribution because p = 0\.609 > p† = 0\.491 and A < 0/);
  const nudge = verdict({ kind: 'nudge', label: 'Nice', p: 0.2, adv: 1, step: 0.1, first: 0.01, exact: 0.01, flip: 0.3624 });
  assert.match(nudge.text, /widens the distribution because p = 0\.2 < e\^\{−H\} = 0\.362 and ε = η·A > 0/);
  // A nudge has no advantage: it is named by its ε, not "with A = 1".
  assert.match(nudge.text, /^A nudge on “Nice” \(p = 0\.2\) of ε = 0\.1 widens/);
  assert.doesNotMatch(nudge.text, /A = /);
});
