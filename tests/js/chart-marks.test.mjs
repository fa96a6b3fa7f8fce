// The chart kit's pure parts (www/js/chart/): path data, the thinning of
// long series, marker shapes, legend wrapping and spreading, hover look-ups
// and the rich-text runs. Expected strings and indices are worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandData, pathData, seriesPoints, shapePath } from '../../www/js/chart/marks.js';
import { spread, wrap } from '../../www/js/chart/legend.js';
import { indexAt, nearest } from '../../www/js/chart/readout.js';
import { plainText, richParts } from '../../www/js/chart/richtext.js';

test('pathData: one decimal, a gap at every missing point', () => {
  assert.equal(
    pathData([
      [0, 0],
      [10.04, 5.06],
      [20, 1],
    ]),
    'M0.0,0.0L10.0,5.1L20.0,1.0',
  );
  assert.equal(pathData([[0, 0], null, [2, 2], [3, NaN], [4, 4], [5, 5]]), 'M0.0,0.0M2.0,2.0M4.0,4.0L5.0,5.0');
  assert.equal(pathData([]), '');
});

test('seriesPoints: every point when there is room, each column’s least and greatest when not', () => {
  const x = (i) => i,
    y = (v) => 100 - v;
  assert.deepEqual(seriesPoints([1, NaN, 3], x, y), [[0, 99], null, [2, 97]]);
  // 8 values over 2 columns (x = i / 4): column 0 holds 5, 1, 9, 2 → its least (1, i = 1) then its greatest (9, i = 2);
  // column 1 holds 4, 4, 4, 4 → one point, its first; then the last value (i = 7) ends the line.
  const pts = seriesPoints([5, 1, 9, 2, 4, 4, 4, 4], (i) => i / 4, y, 2);
  assert.deepEqual(pts, [
    [0.25, 99],
    [0.5, 91],
    [1, 96],
    [1.75, 96],
  ]);
  // the greatest before the least keeps that order; a gap stays a gap
  assert.deepEqual(
    seriesPoints([9, 1, NaN, 2, 3, 3], (i) => Math.floor(i / 3), y, 1),
    [[0, 91], [0, 99], null, [1, 98], [1, 97], [1, 97]],
  );
  // a last value that is its column's extreme is not repeated
  assert.deepEqual(
    seriesPoints([1, 2, 3, 4, 5], (i) => Math.floor(i / 3), y, 1),
    [
      [0, 99],
      [0, 97],
      [1, 96],
      [1, 95],
    ],
  );
});

test('shapePath: each marker centred on its point, size across', () => {
  // a circle of size 6 at (10, 20): two arcs of radius 3 from (7, 20)
  assert.equal(shapePath('circle', 10, 20, 6), 'M7.0,20.0a3,3 0 1,0 6,0a3,3 0 1,0 -6,0');
  // a square 0.9 × 10 = 9 across, centred: from (5.5, 15.5)
  assert.equal(shapePath('square', 10, 20, 10), 'M5.5,15.5h9.0v9.0h-9.0Z');
  // a triangle, apex 1.25 half-sizes up, base 0.9 down and 1.25 across (6.25 rounds up)
  assert.equal(shapePath('triangle', 0, 0, 10), 'M0.0,-6.3L6.3,4.5L-6.3,4.5Z');
  assert.equal(
    bandData(
      [
        [0, 1],
        [1, 2],
      ],
      [
        [0, 5],
        [1, 6],
      ],
    ),
    'M0.0,1.0L1.0,2.0L1.0,6.0L0.0,5.0Z',
  );
});

test('legend: wrap at spaces, labels spread apart inside their bounds', () => {
  assert.deepEqual(wrap('first-order ΔH against exact ΔH', 14), ['first-order ΔH', 'against exact', 'ΔH']);
  assert.deepEqual(wrap('antidisestablishment x', 5), ['antidisestablishment', 'x'], 'a long word stays whole');
  // three labels at 50, 52, 54 with 13 apart, inside [0, 100]: 50, 63, 76
  assert.deepEqual(
    spread([{ y: 52 }, { y: 50 }, { y: 54 }], 13, 0, 100).map((e) => e.y),
    [63, 50, 76],
  );
  // pushed past the bottom (95): the stack moves up to end at 95
  assert.deepEqual(
    spread([{ y: 90 }, { y: 92 }], 13, 0, 95).map((e) => e.y),
    [82, 95],
  );
});

test('readout: the step under a pointer, the point nearest it', () => {
  // 11 steps from column 40 to 440: 40 units a step; column 255 is step 5.375 → 5
  assert.equal(indexAt(255, 40, 440, 11), 5);
  assert.equal(indexAt(30, 40, 440, 11), null, 'left of the plot');
  assert.equal(indexAt(38, 40, 440, 11), 0, 'within the slack');
  assert.equal(indexAt(100, 40, 440, 1), 0);
  // nearest within 8 units: (3, 4) is 5 away, (10, 10) too far
  assert.equal(nearest([10, 3], [10, 4], 0, 0), 1);
  assert.equal(nearest([10], [10], 0, 0), -1);
});

test('rich text: S̄ drawn, ^{…} and _{…} as scripts, nothing else parsed', () => {
  assert.deepEqual(richParts('A (S\u0304 − S_{k})'), [
    { kind: 'text', text: 'A (' },
    { kind: 'bar', text: 'S' },
    { kind: 'text', text: ' − S' },
    { kind: 'sub', text: 'k' },
    { kind: 'text', text: ')' },
  ]);
  assert.deepEqual(richParts('e^{−H} 0.37'), [
    { kind: 'text', text: 'e' },
    { kind: 'sup', text: '−H' },
    { kind: 'text', text: ' 0.37' },
  ]);
  assert.deepEqual(richParts('x_{1}', false), [{ kind: 'text', text: 'x_{1}' }], 'a user’s name keeps its braces');
  assert.deepEqual(richParts('p_k <b>'), [{ kind: 'text', text: 'p_k <b>' }]);
  assert.equal(plainText('p_{k} > e^{−H}'), 'p_k > e^−H');
});
