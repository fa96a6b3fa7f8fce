// @ts-check
// Scales and ticks for every chart drawn in plain SVG: one tick rule (round
// steps of 1, 2, 2.5 or 5 × 10^k), linear maps from values to pixels, and the
// ranges the charts draw over.

/**
 * Round tick values covering [lo, hi], at most `count` steps apart: the step
 * is the smallest of 1, 2, 2.5 or 5 × 10^k that is at least (hi − lo) /
 * count. With 2.5 among them a chart gets more than count / 2 steps (with
 * 1, 2, 5 alone, as few as count / 2.5: a phone's 0–1 axis asking for 4 got
 * 0, 0.5, 1). `[lo]` when the range is empty.
 * @param {number} lo @param {number} hi @param {number} [count]
 * @returns {number[]}
 */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(count, 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  // 1e-9 absorbs rounding in raw / p (0.3 / 0.1 = 2.9999999999999996).
  const step = ([1, 2, 2.5, 5].find((m) => m * p >= raw * (1 - 1e-9)) ?? 10) * p;
  const out = [];
  // k × step (not a running sum), so that 0.1 × 3 stays 0.30000000000000004 at worst, never drifts;
  // the ±1e-9 steps let lo and hi themselves count.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return out;
}

/** Only the whole numbers among `ticks(lo, hi, count)` (rows, steps, counts). */
export function wholeTicks(lo, hi, count = 5) {
  return ticks(lo, hi, count).filter((v) => Number.isInteger(v));
}

/**
 * The linear map sending d0 to r0 and d1 to r1 (an empty domain maps
 * everything to the middle of the range).
 * @param {number} d0 @param {number} d1 @param {number} r0 @param {number} r1
 * @returns {(v: number) => number}
 */
export function linear(d0, d1, r0, r1) {
  if (!(d1 !== d0)) return () => (r0 + r1) / 2;
  // (v − d0) / (d1 − d0) first: d1 itself then lands exactly on r1.
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/**
 * The base-10 log map sending d0 to r0 and d1 to r1 (both d0, d1 > 0).
 * @param {number} d0 @param {number} d1 @param {number} r0 @param {number} r1
 * @returns {(v: number) => number}
 */
export function log10Scale(d0, d1, r0, r1) {
  const f = linear(Math.log10(d0), Math.log10(d1), r0, r1);
  return (v) => f(Math.log10(v));
}

/** The powers of ten in [lo, hi] (both > 0) whose exponents `ticks` picks: 0.001, 0.01, 0.1, 1… */
export function powerTicks(lo, hi, count = 5) {
  // Number("1e-4") is the double nearest 0.0001; 10 ** -4 is not.
  return wholeTicks(Math.log10(lo), Math.log10(hi), count).map((e) => Number(`1e${e}`));
}

/**
 * Maps counts 0…n (training steps) to [0, 1], linearly or as log(1 + t)
 * (a log axis that still shows step 0); `inv` maps back.
 * @param {number} n @param {boolean} logX
 */
export function stepScale(n, logX) {
  const m = Math.max(n, 1);
  const lm = Math.log1p(m);
  return logX ? { f: (t) => Math.log1p(Math.max(t, 0)) / lm, inv: (u) => Math.expm1(u * lm) } : { f: (t) => t / m, inv: (u) => u * m };
}

/**
 * The y scale of a chart whose values run from 0 up to `hi`: about `count`
 * round ticks, and the map from a value to a pixel row between `y0` (0, the
 * x axis) and `y1` (the top edge). The top is `hi` or the last tick,
 * whichever is higher, so that no value is drawn above the chart.
 * @param {number} hi @param {{ y0: number, y1: number }} area @param {number} [count]
 */
export function scaleFromZero(hi, { y0, y1 }, count = 4) {
  const yt = ticks(0, hi, count);
  const top = Math.max(hi, yt[yt.length - 1]);
  return { yt, y: linear(0, top, y0, y1), top };
}

/**
 * The least and greatest finite value in `arrays` ([lo, hi]), widened by
 * `pad` × its span on each side (a single value by 10 % of itself, or by
 * `unit` when it is 0); with `withZero`, 0 is inside. null when no value is
 * finite.
 * @param {ArrayLike<number>[]} arrays @param {{ withZero?: boolean, pad?: number, unit?: number }} [options]
 * @returns {[number, number] | null}
 */
export function extent(arrays, { withZero = false, pad = 0.06, unit = 1 } = {}) {
  let lo = Infinity,
    hi = -Infinity;
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (lo > hi) return null;
  if (withZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  const by = (hi - lo) * pad || Math.abs(hi) * 0.1 || unit;
  return [lo - by, hi + by];
}
