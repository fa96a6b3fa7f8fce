// The charts' shared axes (www/js/chart/axis.js): round ticks, the scale from 0
// that the lesson's and the explorer's step charts share, and frame()'s
// plot area. Expected ticks are worked by hand from the 1, 2, 2.5, 5 × 10^k
// rule; the scale is checked by where 0 and the highest value land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frame, scaleFromZero, ticks, wholeTicks } from '../../www/js/chart/axis.js';

test('ticks are round and stay within the range', () => {
  // 1.4556 / 4 = 0.36 → steps of 0.5; 2.18 / 4 = 0.55 → 1; 2 / 4 = 0.5 → 0.5.
  assert.deepEqual(ticks(0, 1.4556, 4), [0, 0.5, 1]);
  assert.deepEqual(ticks(0, 2.18, 4), [0, 1, 2]);
  assert.deepEqual(ticks(-1, 1, 4), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(ticks(0.3, 0.3), [0.3], 'an empty range is its one value');
  assert.deepEqual(wholeTicks(0, 3, 6), [0, 1, 2, 3]);
});

test('scaleFromZero draws every value from 0 to hi inside the chart', () => {
  const area = { y0: 144, y1: 12 };
  // H of 4 equal tokens is ln 4 = 1.386; the charts ask for a top of 1.05 × H.
  // The last tick is then 1, below ln 4: a top at the last tick drew the
  // explorer's H line above its chart.
  for (const H of [Math.log(4), Math.log(8), 0.9, 1]) {
    const { yt, y } = scaleFromZero(H * 1.05, area);
    assert.equal(y(0), area.y0, `0 on the x axis (H ${H})`);
    assert.ok(y(H) >= area.y1 && y(H) < area.y0, `H ${H} at row ${y(H)}, inside ${area.y1}–${area.y0}`);
    for (const v of yt) assert.ok(y(v) >= area.y1 && y(v) <= area.y0, `tick ${v} inside`);
  }
  assert.equal(scaleFromZero(Math.log(4) * 1.05, area).y(Math.log(4) * 1.05), area.y1, 'hi at the top edge');
});

test('frame() gives the width and the plot area from the margins', () => {
  const stub = (clientWidth) => ({
    clientWidth,
    parentElement: null,
    attrs: {},
    cleared: false,
    setAttribute(k, v) {
      this.attrs[k] = v;
    },
    replaceChildren() {
      this.cleared = true;
    },
  });
  const box = { height: 200, left: 40, right: 78, top: 14, bottom: 34 };
  const own = stub(900);
  const f = frame(own, { ...box, width: 560 });
  assert.equal(f.W, 560, 'a chart that chooses its width keeps it');
  assert.deepEqual(f.area, { x0: 40, x1: 482, y0: 166, y1: 14, height: 200 });
  assert.deepEqual(own.attrs, { viewBox: '0 0 560 200', height: '200' });
  assert.ok(own.cleared);
  assert.equal(frame(stub(200), box).W, 260, 'at least 260 wide');
  assert.equal(frame(stub(0), box).W, 480, 'no width yet: 480');
  assert.equal(frame(stub(700.4), box).area.x1, 700 - 78);
});
