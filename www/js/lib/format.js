// @ts-check
// Numbers for a person to read (docs/contract.md, "Numbers"): a few
// significant digits, trailing zeros dropped, exponent form outside
// 1e−3…1e5 (1.2e−4, 2e5: no plus sign), a real minus sign (U+2212) for the
// number and its exponent, ∞, and — for no value. `readable` in
// src/math/format.rs writes the same, for the chart; tests/js/format.test.mjs
// checks the cases its Rust tests check.

/** @param {string} s */
const trimZeros = (s) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

/**
 * @param {number | null | undefined} v
 * @param {number} [digits] significant digits (default 5)
 */
export function fmt(v, digits = 5) {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  // Round to the digits first: 99999.7 with 5 digits is 1.0000e5, which
  // belongs to the exponent form.
  const [mantissa, e] = a.toExponential(Math.max(digits, 1) - 1).split('e');
  const exp = Number(e);
  const body =
    exp >= -3 && exp < 5
      ? trimZeros(a.toFixed(Math.max(0, digits - 1 - exp)))
      : `${trimZeros(mantissa)}e${exp < 0 ? '−' : ''}${Math.abs(exp)}`;
  return v < 0 ? `−${body}` : body;
}

/** Entropy-like quantity in the chosen unit. @param {number} nats @param {boolean} bits */
export function fmtEntropy(nats, bits) {
  return bits ? `${fmt(nats / Math.LN2)} bits` : `${fmt(nats)} nats`;
}

/** A fraction as a percentage. @param {number} v */
export function fmtPercent(v) {
  if (!Number.isFinite(v)) return '—';
  if (v < 1e-4) return `${fmt(v * 100, 2)} %`;
  return `${(v * 100).toPrecision(3)} %`;
}

/** A size in bytes, KiB, MiB or GiB. @param {number} n */
export function fmtBytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}
