// Number formatting for readouts: enough digits to check, short enough to read.

const LN2 = Math.LN2;

export function fmt(v, digits = 5) {
  if (v === undefined || v === null) return '—';
  if (Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  let s;
  if (a >= 1e-3 && a < 1e5) s = v.toPrecision(digits);
  else s = v.toExponential(digits - 1);
  // Drop trailing zeros of the mantissa; use a real minus sign.
  s = s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
  return s.replace('-', '−');
}

/** Entropy-like quantity in the chosen unit. */
export function fmtEntropy(nats, bits) {
  return bits ? `${fmt(nats / LN2)} bits` : `${fmt(nats)} nats`;
}

export function fmtPercent(v) {
  if (!Number.isFinite(v)) return '—';
  if (v < 1e-4) return `${fmt(v * 100, 2)} %`;
  return `${(v * 100).toPrecision(3)} %`;
}
