// Independent per-step arithmetic for the run tests: reads prime-rl token
// exports and trace-format JSONL with JSON.parse and applies the counting
// rules of docs/trace-format.md in plain JavaScript (f64, naive sums), never
// through the page's code.

const fin = (v) => typeof v === 'number' && Number.isFinite(v);

/** Counted tokens of one prime-rl line: { step, tokens: [{ lp, H, A, Sbar }] }. */
export function primeRlSample(o) {
  const out = [];
  const n = o.token_ids.length;
  for (let i = 0; i < n; i++) {
    if (o.loss_mask?.[i] !== true) continue;
    if (o.is_masked?.[i] === true) continue;
    const lp = o.trainer_logprobs?.[i],
      H = o.entropy?.[i],
      A = o.advantages?.[i];
    if (!fin(lp) || !fin(H) || !fin(A)) continue;
    out.push({ lp, H, A, Sbar: NaN, Hafter: NaN });
  }
  return { step: o.step, tokens: out };
}

/** Counted tokens of one trace line. */
export function traceSample(o) {
  const out = [];
  const n = o.token_id.length;
  for (let i = 0; i < n; i++) {
    if (o.mask && o.mask[i] === false) continue;
    const lp = o.logprob[i],
      H = o.entropy[i];
    const A = Array.isArray(o.advantage) ? o.advantage[i] : o.advantage;
    const Sbar = o.mean_discriminator ? o.mean_discriminator[i] : null;
    const Hafter = o.entropy_after ? o.entropy_after[i] : null;
    if (!fin(lp) || !fin(H) || !fin(A)) continue;
    out.push({ lp, H, A, Sbar: fin(Sbar) ? Sbar : NaN, Hafter: fin(Hafter) ? Hafter : NaN });
  }
  return { step: o.step, tokens: out };
}

/** The per-step table (the columns of docs/trace-format.md, "Per step"; NaN = empty) from samples. */
export function perStep(samples) {
  const by = new Map();
  for (const s of samples) {
    if (!by.has(s.step)) by.set(s.step, []);
    by.get(s.step).push(s);
  }
  const steps = [...by.keys()].sort((a, b) => a - b);
  const rows = steps.map((step) => {
    let nS = 0,
      nT = 0,
      sH = 0,
      sP = 0,
      sTerm = 0,
      sPol = 0,
      allSbar = true;
    const q = { pe: 0, pc: 0, ne: 0, nc: 0 };
    // same context: ΔH sum and count; sign agreement (hits, tokens) of the token term and PG polarity
    let sDh = 0,
      nDh = 0,
      pgMissing = 0;
    const agree = { tt: [0, 0], pg: [0, 0] };
    const count = (a, x, dh) => {
      if (x === 0) return;
      a[1]++;
      if (x > 0 === dh > 0) a[0]++;
    };
    for (const s of by.get(step)) {
      if (s.tokens.length) nS++;
      for (const t of s.tokens) {
        const p = Math.exp(t.lp);
        const S = p * (t.H + t.lp);
        const term = -t.A * S;
        nT++;
        sH += t.H;
        sP += p;
        sTerm += term;
        if (Number.isNaN(t.Sbar)) allSbar = false;
        else sPol += t.A * (t.Sbar - S);
        if (Number.isFinite(t.Hafter)) {
          const dh = t.Hafter - t.H;
          sDh += dh;
          nDh++;
          if (t.A !== 0 && dh !== 0) {
            count(agree.tt, term, dh);
            if (Number.isNaN(t.Sbar)) pgMissing++;
            else count(agree.pg, t.A * (t.Sbar - S), dh);
          }
        }
        if (t.A !== 0 && term !== 0) {
          if (t.A > 0) term > 0 ? q.pe++ : q.pc++;
          else term > 0 ? q.ne++ : q.nc++;
        }
      }
    }
    const nq = q.pe + q.pc + q.ne + q.nc;
    const share = (k) => (nq ? q[k] / nq : NaN);
    return {
      step,
      samples: nS,
      tokens: nT,
      mean_entropy: nT ? sH / nT : NaN,
      mean_prob: nT ? sP / nT : NaN,
      token_term: nT ? sTerm / nT : NaN,
      share_pos_expand: share('pe'),
      share_pos_contract: share('pc'),
      share_neg_expand: share('ne'),
      share_neg_contract: share('nc'),
      pg_polarity: nT && allSbar ? sPol / nT : NaN,
      realised_dh_same: nDh ? sDh / nDh : NaN,
      agree_token_term: agree.tt[1] ? agree.tt[0] / agree.tt[1] : NaN,
      agree_pg_polarity: agree.pg[1] && !pgMissing ? agree.pg[0] / agree.pg[1] : NaN,
    };
  });
  rows.forEach((r, i) => {
    r.realised_dh = i + 1 < rows.length ? rows[i + 1].mean_entropy - r.mean_entropy : NaN;
  });
  return rows;
}

/** Pearson and Spearman (average ranks for ties) over pairs where both are finite. */
export function correlate(xs, ys) {
  const pairs = xs.map((x, i) => [x, ys[i]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const pearson = (a, b) => {
    const n = a.length,
      ma = a.reduce((s, v) => s + v, 0) / n,
      mb = b.reduce((s, v) => s + v, 0) / n;
    let sab = 0,
      saa = 0,
      sbb = 0;
    for (let i = 0; i < n; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    return sab / Math.sqrt(saa * sbb);
  };
  const rank = (v) => {
    const idx = v.map((x, i) => [x, i]).sort((a, b) => a[0] - b[0]);
    const r = new Array(v.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const a = pairs.map((p) => p[0]),
    b = pairs.map((p) => p[1]);
  return { n: pairs.length, pearson: pearson(a, b), spearman: pearson(rank(a), rank(b)) };
}

/**
 * The steps the run panel's correlation may use (issue 19), decided here
 * from the per-step rows: both values finite, the next present step no
 * further than the run's shortest spacing (no gap), and an update (some
 * token with A ≠ 0 and a nonzero token term: a share is not empty).
 */
export function usableSteps(rows) {
  let stride = Infinity;
  for (let i = 1; i < rows.length; i++) stride = Math.min(stride, rows[i].step - rows[i - 1].step);
  const shares = ['share_pos_expand', 'share_pos_contract', 'share_neg_expand', 'share_neg_contract'];
  const out = { used: [], gaps: [], noUpdate: [] };
  rows.forEach((r, i) => {
    if (!Number.isFinite(r.token_term) || !Number.isFinite(r.realised_dh)) return;
    if (i + 1 < rows.length && rows[i + 1].step - r.step > stride) out.gaps.push(r.step);
    else if (r.token_term === 0 && shares.every((k) => Number.isNaN(r[k]))) out.noUpdate.push(r.step);
    else out.used.push(r);
  });
  return out;
}

/** Two-sided exact permutation p-value of Spearman's ρ: every ordering of ys, enumerated. */
export function spearmanPermutationP(xs, ys) {
  const obs = Math.abs(correlate(xs, ys).spearman);
  let hits = 0,
    total = 0;
  const walk = (prefix, rest) => {
    if (!rest.length) {
      total++;
      if (Math.abs(correlate(xs, prefix).spearman) >= obs - 1e-12) hits++;
      return;
    }
    rest.forEach((v, i) => walk([...prefix, v], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  walk([], ys);
  return hits / total;
}
