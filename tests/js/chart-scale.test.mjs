// The chart kit's one tick rule and its scales (www/js/chart/scale.js).
// Every expected list is worked by hand from the rule: step = the smallest
// of 1, 2, 2.5, 5 × 10^k that is at least (hi − lo) / count; ticks are the
// multiples of the step inside [lo, hi].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extent, linear, log10Scale, powerTicks, scaleFromZero, stepScale, ticks, wholeTicks } from '../../www/js/chart/scale.js';

const near = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

test('ticks: steps of 1, 2, 2.5 or 5 × 10^k, never more than count of them', () => {
  // 1 / 5 = 0.2 → 0.2 itself.
  assert.deepEqual(ticks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  // 1.04 / 4 = 0.26 → 0.5 (0.25 is just too small).
  assert.deepEqual(ticks(0, 1.04, 4), [0, 0.5, 1]);
  // 2.57 / 4 = 0.6425 → 1; the first multiple of 1 at or above −0.37 is 0.
  assert.deepEqual(ticks(-0.37, 2.2, 4), [0, 1, 2]);
  // 94 / 5 = 18.8 → 20; 100 is past 97.
  assert.deepEqual(ticks(3, 97, 5), [20, 40, 60, 80]);
  // 10 / 4 = 2.5 → 2.5 itself.
  assert.deepEqual(ticks(-5, 5, 4), [-5, -2.5, 0, 2.5, 5]);
  // 1 / 4 = 0.25 → 0.25: a 0–1 axis asking for 4 gets 4 steps (1, 2, 5 alone gave 0, 0.5, 1).
  assert.deepEqual(ticks(0, 1, 4), [0, 0.25, 0.5, 0.75, 1]);
  // 1e6 / 3 = 333,333 → 500,000.
  assert.deepEqual(ticks(0, 1e6, 3), [0, 5e5, 1e6]);
});

test('ticks: the ends count, and decimals come out as written', () => {
  // 0.3 / 3 is 0.09999999999999999 in binary: still a step of 0.1, and 0.3 (not 0.30000000000000004) is the last tick.
  assert.deepEqual(ticks(0, 0.3, 3), [0, 0.1, 0.2, 0.3]);
  // 0.0032 / 4 = 0.0008 → 0.001.
  assert.deepEqual(ticks(0.001, 0.0042, 4), [0.001, 0.002, 0.003, 0.004]);
  // −0.7 / 0.1 rounds to −7, not −6.999…: −0.7 is a tick.
  assert.deepEqual(ticks(-0.7, 0, 7), [-0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 0]);
  assert.ok(!Object.is(ticks(-1, 1, 2)[1], -0), 'zero is written 0, not −0');
});

test('ticks: an empty or reversed range is its one value; whole ticks drop fractions', () => {
  assert.deepEqual(ticks(0.3, 0.3), [0.3]);
  assert.deepEqual(ticks(2, 1), [2]);
  assert.deepEqual(wholeTicks(0, 3, 6), [0, 1, 2, 3]); // steps of 0.5
  assert.deepEqual(wholeTicks(0, 1, 4), [0, 1]); // steps of 0.5 between 0 and 1
});

test('linear maps the domain onto the range, both ways round', () => {
  const y = linear(0, 10, 100, 0);
  assert.equal(y(0), 100);
  assert.equal(y(10), 0);
  assert.ok(near(y(2.5), 75));
  assert.ok(near(linear(-1, 1, 40, 440)(0), 240));
  assert.equal(linear(3, 3, 0, 50)(3), 25, 'an empty domain: the middle');
});

test('scaleFromZero keeps every value up to hi inside the chart', () => {
  // hi = 1.4556: ticks 0, 0.5, 1 and the top is hi itself (above the last tick).
  const s = scaleFromZero(1.4556, { y0: 144, y1: 12 });
  assert.deepEqual(s.yt, [0, 0.5, 1]);
  assert.equal(s.y(0), 144);
  assert.ok(near(s.y(1.4556), 12));
  // hi = 0.9 with 2 ticks: 0.45 → 0.5, ticks 0, 0.5; the top is hi, 0.9.
  assert.deepEqual(scaleFromZero(0.9, { y0: 90, y1: 0 }, 2).yt, [0, 0.5]);
  assert.ok(near(scaleFromZero(0.9, { y0: 90, y1: 0 }, 2).y(0.5), 40));
  // hi = 2 with 4 ticks: 0.5 apart, the last tick is hi and the top.
  const t = scaleFromZero(2, { y0: 100, y1: 0 });
  assert.deepEqual(t.yt, [0, 0.5, 1, 1.5, 2]);
  assert.ok(near(t.top, 2));
  assert.ok(near(t.y(0.5), 75));
});

test('extent: finite values only, padded, optionally with 0', () => {
  const is = (got, want, what) => assert.ok(got && near(got[0], want[0]) && near(got[1], want[1]), `${what}: ${got} ≠ ${want}`);
  is(
    extent([
      [1, NaN, 3],
      [2, Infinity],
    ]),
    [0.88, 3.12],
    'span 2, padded by 6 %',
  );
  is(extent([[1, 3]], { withZero: true, pad: 0.1 }), [-0.3, 3.3], 'with 0: span 3');
  is(extent([[5, 5]]), [4.5, 5.5], 'one value: ±10 % of it');
  is(extent([[0]], { unit: 1e-3 }), [-1e-3, 1e-3], 'only 0: ± unit');
  assert.equal(extent([[NaN], []]), null);
});

test('stepScale: steps 0…n onto [0, 1], linear or log(1 + t), and back', () => {
  const lin = stepScale(10, false);
  assert.ok(near(lin.f(5), 0.5) && near(lin.inv(0.5), 5));
  // log(1 + 9) / log(1 + 99) = 1 / 2: step 9 sits halfway along 0…99.
  const log = stepScale(99, true);
  assert.ok(near(log.f(9), 0.5) && near(log.inv(0.5), 9));
  assert.equal(log.f(0), 0);
  assert.ok(near(log.f(99), 1));
  assert.equal(stepScale(0, false).f(0), 0, 'no steps: step 0 at the start');
});

test('log10Scale and powerTicks: decades evenly apart, ticks on whole powers', () => {
  const x = log10Scale(1e-4, 1, 0, 400);
  assert.ok(near(x(1e-4), 0) && near(x(1e-2), 200) && near(x(1), 400));
  // exponents −4…0 over 5 steps: 1 apart, all whole
  assert.deepEqual(powerTicks(1e-4, 1), [1e-4, 1e-3, 1e-2, 1e-1, 1]);
  // exponents −6.3…0 over 2 steps: 3.15 → a step of 5: −5 and 0
  assert.deepEqual(powerTicks(5e-7, 1, 2), [1e-5, 1]);
});
