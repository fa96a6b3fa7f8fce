// @ts-check
// The run panel's kept tokens (panel.js reads the run, view.js draws the rest):
// the filters, the sample list, the coloured strip, one token's numbers and
// opening it in the explorer as a stand-in distribution.

import { fmt } from '../lib/format.js';
import { setRichText } from '../chart/richtext.js';
import { renderStrip, visible } from './strip.js';
import { int, label, richPara, sign, stepOptions, stepRange } from './view.js';

/**
 * The token view of the run panel `ctx` (panel.js).
 * @param {import('./panel.js').RunContext} ctx
 */
export function runTokens(ctx) {
  const { section, byTest, notice, showError, ask, openRow } = ctx;
  const tokens = byTest('run-tokens');
  const stepSel = byTest('run-filter-step');
  const envSel = byTest('run-filter-env');
  const advSel = byTest('run-filter-adv');
  const sampleSel = byTest('run-sample');
  const strip = byTest('run-strip');
  const readout = byTest('run-token');
  const legend = byTest('run-legend');
  const detailNote = byTest('run-detail-note');
  const colourSel = byTest('run-colour');
  colourSel.addEventListener('change', () => renderTokens());

  const text = (i) => {
    const s = ctx.shown;
    const t = s.detail.text?.[i];
    if (typeof t === 'string') return t;
    if (s.decoded?.[i] != null) return s.decoded[i];
    const id = s.detail.tokenId[i];
    return Number.isFinite(id) ? `#${id}` : '(no id)';
  };

  function renderFilters() {
    const s = ctx.shown;
    if (!s.detail) {
      tokens.hidden = true;
      return;
    }
    tokens.hidden = false;
    const d = s.detail;
    const steps = [...new Set(Array.from(s.index.groupStart.subarray(0, -1), (k) => d.step[s.index.order[k]]))];
    stepSel.replaceChildren(new Option('all steps', 'all'), ...stepOptions(steps));
    // Env names come as an index per token and the distinct names (worker.js).
    const envs = (d.envNames ?? []).map((v, k) => [v, k]).filter(([v]) => v !== '');
    envSel.replaceChildren(
      new Option('any env', 'all'),
      ...envs.map(([v, k]) => Object.assign(new Option(label(v), String(k)), { title: label(v) })),
    );
    /** @type {HTMLElement} */ (section.querySelector('[data-role="env-filter"]')).hidden = envs.length === 0;
    /** @type {HTMLElement} */ (section.querySelector('[data-role="colour-by"]')).hidden = !s.hasAfter;
    if (!s.hasAfter) colourSel.value = 'predicted';
    advSel.value = 'all';
    fillSamples(null, { draw: false });
  }

  /**
   * The filters, read once per pass over the tokens (issue 19: reading
   * select.value per token scans the options each time, quadratic in steps).
   */
  function filters() {
    return { step: stepRange(stepSel.value), env: envSel.value === 'all' ? -1 : Number(envSel.value), adv: advSel.value };
  }

  function passes(i, f) {
    const d = ctx.shown.detail;
    if (f.step && !(d.step[i] >= f.step[0] && d.step[i] <= f.step[1])) return false;
    if (f.env >= 0 && d.envIndex?.[i] !== f.env) return false;
    if (f.adv === 'pos' && !(d.advantage[i] > 0)) return false;
    if (f.adv === 'neg' && !(d.advantage[i] < 0)) return false;
    return true;
  }

  const MAX_OPTIONS = 2000;
  function fillSamples(select = null, { draw = true } = {}) {
    const s = ctx.shown;
    const { order, groupStart } = s.index;
    const d = s.detail;
    const opts = [];
    let more = 0;
    const f = filters();
    for (let g = 0; g + 1 < groupStart.length; g++) {
      const a = groupStart[g],
        b = groupStart[g + 1];
      let hit = false;
      for (let k = a; k < b && !hit; k++) hit = passes(order[k], f);
      if (!hit && g !== select) continue;
      if (opts.length >= MAX_OPTIONS && g !== select) {
        more++;
        continue;
      }
      const i = order[a];
      const adv = d.advantage[i];
      const part = d.whole && !d.whole[i] ? ' · extremes only' : '';
      const o = new Option(
        `step ${d.step[i]} · sample ${d.sample[i]} · ${int(b - a)} token(s)${Number.isFinite(adv) ? ` · A = ${fmt(adv, 3)}` : ''}${part}`,
        String(g),
      );
      opts.push(o);
    }
    if (more) opts.push(Object.assign(new Option(`(${more} more: narrow the filters)`, ''), { disabled: true }));
    sampleSel.replaceChildren(...opts);
    if (select !== null) sampleSel.value = String(select);
    if (draw) renderTokens();
  }

  let stripApi = null;
  function renderTokens() {
    const s = ctx.shown;
    if (!s?.detail) return;
    const d = s.detail;
    const g = Number(sampleSel.value);
    const { order, groupStart } = s.index;
    const realised = s.hasAfter && colourSel.value === 'realised';
    const value = realised ? s.detail.dhSame : s.index.value;
    const scale = realised ? s.index.dhScale : s.index.scale;
    detailNote.textContent = `${int(s.n)} kept tokens: up to ${s.detailLimits.samplesPerStep} samples and the ${s.detailLimits.extremes} most expanding and contracting tokens per step.`;
    const what = realised
      ? 'realised ΔH on the same context (entropy_after − entropy)'
      : s.hasPolarity
        ? 'PG polarity A (S̄ − S_{k})'
        : s.hasEntropy
          ? 'token term −A·S_{k}'
          : null;
    legend.replaceChildren();
    if (what) {
      legend.append(setRichText(document.createElement('span'), `Colour: ${what}, `));
      const e = document.createElement('span');
      e.className = 'tok exp-3';
      e.textContent = realised ? '▲ H rose (solid underline)' : '▲ expands (solid underline)';
      const c = document.createElement('span');
      c.className = 'tok con-3';
      c.textContent = realised ? '▼ H fell (dashed underline)' : '▼ contracts (dashed underline)';
      legend.append(
        e,
        ' ',
        c,
        `; full colour at |value| ≥ ${fmt(scale, 3)}. Hover or focus a token for its numbers; click or Enter opens it in the explorer.`,
      );
    } else {
      legend.append(
        setRichText(
          document.createElement('span'),
          'No entropy in these files: tokens are not coloured; hover or focus a token for p_{k} and A.',
        ),
      );
    }
    if (!Number.isInteger(g) || sampleSel.value === '') {
      strip.replaceChildren();
      readout.replaceChildren();
      return;
    }
    const rows = Array.from(order.subarray(groupStart[g], groupStart[g + 1]));
    const f = filters();
    stripApi = renderStrip(strip, rows, {
      value: (i) => value[i],
      text,
      position: (i) => d.position[i],
      scale,
      dim: (i) => !passes(i, f),
      onFocus: (i) => showToken(i),
      onOpen: (i) => openToken(i),
    });
    showToken(rows.find((i) => passes(i, f)) ?? rows[0]);
  }

  function showToken(i) {
    const s = ctx.shown;
    const d = s.detail;
    if (i === undefined) {
      readout.replaceChildren();
      return;
    }
    readout.dataset.i = String(i);
    const items = [];
    const item = (name, v, key) => items.push([name, v, key]);
    const A = d.advantage[i];
    const id = d.tokenId[i];
    item('token', `“${visible(text(i))}” ${Number.isFinite(id) ? `(id ${id})` : '(no id in the file)'}`, 'token');
    item(
      'where',
      `step ${d.step[i]}, sample ${d.sample[i]}, position ${d.position[i]}` +
        (d.file && s.files[d.file[i]] ? ` — ${s.files[d.file[i]]}${d.line ? ` line ${d.line[i]}` : ''}` : ''),
      'where',
    );
    item('p_{k}', fmt(d.prob[i]), 'prob');
    item('advantage A', fmt(A), 'advantage');
    if (Number.isFinite(d.entropy[i])) {
      item('H', `${fmt(d.entropy[i])} nats`, 'entropy');
      item('S_{k} = p_{k} (H + ℓ_{k})', fmt(d.discriminator[i]), 'discriminator');
      item('token term −A·S_{k}', `${fmt(d.tokenTerm[i])} ${sign(d.tokenTerm[i])}`, 'token-term');
      item('e^{−H} (nudge flip)', fmt(d.flipNudge[i]), 'flip-nudge');
      item('ℓ_{k} + H (0 at the flip)', fmt(d.normalised[i]), 'normalised');
    }
    if (Number.isFinite(d.entropyAfter?.[i])) {
      item('H after the step', `${fmt(d.entropyAfter[i])} nats`, 'entropy-after');
      item('ΔH, same context', `${fmt(d.dhSame[i])} ${d.dhSame[i] > 0 ? '▲ rose' : d.dhSame[i] < 0 ? '▼ fell' : ''}`, 'dh-same');
    }
    if (Number.isFinite(d.probAfter?.[i])) item('p_{k} after the step', fmt(d.probAfter[i]), 'prob-after');
    if (Number.isFinite(d.meanDiscriminator?.[i])) {
      item('S̄', fmt(d.meanDiscriminator[i]), 'mean-discriminator');
      item('sensitivity S̄ − S_{k}', fmt(d.sensitivity[i]), 'sensitivity');
      item('PG polarity A (S̄ − S_{k})', `${fmt(d.polarity[i])} ${sign(d.polarity[i])}`, 'polarity');
      item('p† (PG flip)', fmt(d.flipPg[i]), 'flip-pg');
    }
    const dl = document.createElement('dl');
    for (const [name, v, key] of items) {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      setRichText(dt, name);
      const dd = document.createElement('dd');
      dd.textContent = v;
      dd.dataset.key = key;
      div.append(dt, dd);
      dl.append(div);
    }
    /** @type {HTMLElement[]} */
    const parts = [dl];
    if (Number.isFinite(d.entropy[i]) && !Number.isFinite(d.meanDiscriminator?.[i]))
      parts.push(richPara(bound(A, d.tokenTerm[i]), 'run-bound'));
    if (!Number.isFinite(d.entropy[i]))
      parts.push(
        richPara(
          'No entropy for this position: S_{k}, the token term and the polarity cannot be computed (see “Missing” above).',
          'run-bound',
        ),
      );
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.dataset.testid = 'run-open';
    btn.textContent = 'Open in the explorer';
    btn.disabled = !Number.isFinite(d.entropy[i]) || !(d.prob[i] > 0);
    btn.addEventListener('click', () => openToken(i));
    parts.push(btn);
    readout.replaceChildren(...parts);
  }

  /** What the token term alone says about the full PG polarity (S̄ ≥ 0). */
  function bound(A, term) {
    const pre = 'Without S̄ the full policy-gradient polarity A (S̄ − S_{k}) = token term + A·S̄ is not known, but S̄ ≥ 0 bounds it: ';
    if (A > 0 && term > 0)
      return `${pre}A > 0, so the polarity is at least the token term, which is positive: this rewarded token certainly expands the entropy.`;
    if (A > 0 && term < 0)
      return `${pre}A > 0, so the polarity is at least the token term (negative here): it may still contract or expand; S̄ decides.`;
    if (A < 0 && term < 0)
      return `${pre}A < 0, so the polarity is at most the token term, which is negative: this penalised token certainly contracts the entropy.`;
    if (A < 0 && term > 0)
      return `${pre}A < 0, so the polarity is at most the token term (positive here): it may still expand or contract; S̄ decides.`;
    return `${pre}with A = 0 or a zero token term nothing is implied beyond it.`;
  }

  async function openToken(i) {
    const s = ctx.shown;
    const d = s.detail;
    const p = d.prob[i],
      H = d.entropy[i];
    if (!Number.isFinite(H) || !(p > 0)) {
      notice('This token has no entropy in the file, so it has no place on the explorer’s curve.');
      return;
    }
    try {
      const r = await ask({ type: 'point', p, H });
      if (ctx.shown !== s) return;
      readout.dataset.standIn = String(r.logits.length); // tokens of the stand-in (bounded, worker.js)
      openRow?.({
        logits: r.logits,
        token: r.token,
        labels: [visible(text(i))],
        index: d.position[i],
        name: `step ${d.step[i]}, sample ${d.sample[i]} (a stand-in distribution with this token’s p_k and H)`,
        advantage: Number.isFinite(d.advantage[i]) && d.advantage[i] !== 0 ? d.advantage[i] : 1,
        truncated: false,
      });
      const sbar = d.meanDiscriminator?.[i];
      notice(
        `Opened step ${d.step[i]}, sample ${d.sample[i]}, position ${d.position[i]} in the explorer at p_k = ${fmt(p, 4)}, H = ${fmt(r.H, 4)} nats` +
          (r.exact ? '' : ` (the nearest a stand-in reaches; the file says H = ${fmt(H, 4)})`) +
          '. The trace holds no full distribution, so the explorer shows a stand-in with the same p_k and H: its nudge curve and e^−H are exact (they depend on p_k and H only). ' +
          (Number.isFinite(sbar)
            ? `Its PG curve and p† use the stand-in’s S̄, not this position’s S̄ = ${fmt(sbar, 4)}; the PG polarity from the trace is ${fmt(d.polarity[i], 4)}.`
            : 'Its PG curve and p† use the stand-in’s S̄: the trace has no S̄, and the PG curve needs it.'),
      );
    } catch (err) {
      showError(err.message);
    }
  }

  function jump(dir) {
    const s = ctx.shown;
    if (!s?.detail) return;
    const { value, order, groupStart } = s.index;
    let best = -1;
    const f = filters();
    for (let i = 0; i < s.n; i++) {
      const v = value[i];
      if (!Number.isFinite(v) || !passes(i, f)) continue;
      if (best < 0 || (dir > 0 ? v > value[best] : v < value[best])) best = i;
    }
    if (best < 0) {
      notice('No token with a token term matches the filters.');
      return;
    }
    // its sample group
    const k = order.indexOf(best);
    let g = 0;
    while (groupStart[g + 1] <= k) g++;
    fillSamples(g);
    stripApi?.focus(best);
    showToken(best);
  }

  stepSel.addEventListener('change', () => fillSamples());
  envSel.addEventListener('change', () => fillSamples());
  advSel.addEventListener('change', () => fillSamples());
  sampleSel.addEventListener('change', () => renderTokens());
  byTest('run-jump-contract').addEventListener('click', () => jump(-1));
  byTest('run-jump-expand').addEventListener('click', () => jump(1));

  return { renderFilters, renderTokens };
}
