// The bookkeeping of the figures (www/js/figures/data.js), with a stand-in for
// the wasm Distribution written from e2e/reference.mjs's plain formulas: the
// seeded draws are reproducible and in range, and the quadrants are counted
// from each sample's own p† and exact sign. (The numbers the core computes
// are checked against the same reference in e2e/embed.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curvesFigure, flipFigure, quadrantsFigure, randomLogits, rng, scatterFigure } from '../../www/js/figures/data.js';
import { exactChange, firstOrder, stats } from '../../e2e/reference.mjs';

class RefDistribution {
  static fromLogits(z) {
    const d = new RefDistribution();
    d.z = Array.from(z);
    d.s = stats(d.z);
    return d;
  }
  get entropy() {
    return this.s.H;
  }
  get meanDiscriminator() {
    return this.s.Sbar;
  }
  get flipNudge() {
    return this.s.flipNudge;
  }
  get flipPolicyGradient() {
    return this.s.flipPG;
  }
  probs() {
    return Float64Array.from(this.s.p);
  }
  firstOrder(k, kind, step) {
    return firstOrder(this.z, 1, k, kind, step);
  }
  exact(k, kind, step) {
    return exactChange(this.z, 1, k, kind, step);
  }
  free() {
    this.freed = true;
  }
}

test('the seeded draws repeat and stay in range', () => {
  const a = rng(7);
  const b = rng(7);
  const xs = Array.from({ length: 1000 }, a);
  assert.deepEqual(xs, Array.from({ length: 1000 }, b));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(xs.reduce((s, x) => s + x, 0) / 1000 - 0.5) < 0.05, 'roughly uniform');
  const r = rng(1);
  const sizes = Array.from({ length: 500 }, () => randomLogits(r)).map((z) => {
    assert.ok(
      z.every((v) => Number.isFinite(v) && Number(v.toFixed(6)) === v),
      'six decimals',
    );
    return z.length;
  });
  assert.equal(Math.min(...sizes), 4);
  assert.equal(Math.max(...sizes), 64);
});

test('curves: five entropies, each curve zero at its p†', () => {
  const curves = curvesFigure(RefDistribution);
  assert.equal(curves.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(curves[i].entropy > curves[i - 1].entropy, 'flatter shapes, higher H');
  for (const c of curves) {
    const q = c.flipPolicyGradient;
    assert.ok(Math.abs(c.meanDiscriminator - q * (c.entropy + Math.log(q))) < 1e-12);
  }
});

test('flip and scatter hold the logits they were computed from', () => {
  const flip = flipFigure(RefDistribution, { count: 50, seed: 9 });
  assert.equal(flip.length, 50);
  for (const p of flip) assert.equal(p.entropy, stats(p.logits).H);
  const scatter = scatterFigure(RefDistribution, { count: 50, seed: 9, maxStep: 0.5 });
  for (const p of scatter) {
    assert.ok(Math.abs(p.step) <= 0.5 && p.token >= 0 && p.token < p.logits.length);
    assert.equal(p.firstOrder, firstOrder(p.logits, 1, p.token, 'pg', p.step));
  }
});

test('quadrants: every sample counted once, by its own p† and its exact sign', () => {
  const { samples, quadrants, step } = quadrantsFigure(RefDistribution, { count: 300, seed: 11 });
  assert.equal(step, 0.1);
  const total = Object.values(quadrants).reduce((s, q) => s + q.count, 0);
  assert.equal(total, 300);
  for (const [key, q] of Object.entries(quadrants)) {
    const [a, side] = key.split('-');
    const inside = samples.filter((s) => s.adv > 0 === (a === 'pos') && s.prob > s.flipPolicyGradient === (side === 'above'));
    assert.equal(q.count, inside.length, key);
    assert.equal(q.expand, inside.filter((s) => s.exact > 0).length, key);
  }
  // A fair coin: both signs of the advantage appear about equally often.
  const pos = samples.filter((s) => s.adv > 0).length;
  assert.ok(pos > 120 && pos < 180, `${pos} of 300 rewarded`);
  // To first order the quadrant decides the sign (docs/math.md, "Where the sign flips").
  for (const s of samples) {
    const expected = s.adv > 0 === s.prob < s.flipPolicyGradient;
    if (Math.abs(s.prob - s.flipPolicyGradient) > 1e-9) assert.equal(s.firstOrder > 0, expected);
  }
});
