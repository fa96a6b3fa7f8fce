// The page's number rule (www/js/lib/format.js) on the cases that
// src/math/format.rs checks for the chart, so both write numbers alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmt, fmtEntropy, fmtPercent } from '../../www/js/lib/format.js';

test('fmt writes numbers for people by the one rule', () => {
  for (const [v, d, want] of [
    [0, 5, '0'],
    [0.25, 5, '0.25'],
    [-0.0012, 3, '−0.0012'],
    [-0.00012, 3, '−1.2e−4'],
    [3e-9, 5, '3e−9'],
    [1 / 3, 5, '0.33333'],
    [12345.678, 5, '12346'],
    [99999.7, 5, '1e5'],
    [123456, 3, '1.23e5'],
    [2.5e300, 4, '2.5e300'],
    [-Infinity, 5, '−∞'],
    [NaN, 5, '—'],
  ])
    assert.equal(fmt(v, d), want, `fmt(${v}, ${d})`);
  assert.equal(fmt(undefined), '—');
  assert.equal(fmt(-1.5), '−1.5');
  assert.ok(!fmt(-1.7976931348623157e308).includes('-'), 'no ASCII hyphen anywhere');
});

test('fmtEntropy and fmtPercent', () => {
  assert.equal(fmtEntropy(Math.LN2, true), '1 bits');
  assert.equal(fmtEntropy(1.2345678, false), '1.2346 nats');
  assert.equal(fmtPercent(0.5), '50.0 %');
  assert.equal(fmtPercent(1e-6), '1e−4 %');
  assert.equal(fmtPercent(Infinity), '—');
});
