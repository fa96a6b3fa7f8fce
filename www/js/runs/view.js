// @ts-check
// The run panel's view of a result (panel.js reads it): the status lines,
// the per-step charts, the correlation of the token term with the realised
// entropy change, the same-context comparison, the per-step table and its
// CSV. Text helpers the token view (tokens.js) shares are here too.

import { fmt, fmtBytes } from '../lib/format.js';
import { setTextWithOverbars, setRichText, plainText } from '../lib/overbar.js';
import { download } from '../lib/share.js';
import { drawSeries, drawShares, drawScatter, drawAdvantageProb, drawTokenScatter, SHARE_NAMES } from './charts.js';
import { stepsCsv, renderStepsTable } from './csv.js';
import { FINDINGS } from './findings.js';

const FORMATS = {
  'prime-rl': { name: 'prime-rl token exports', logprobs: 'trainer_logprobs, the policy being updated' },
  trace: { name: 'entropy-polarity trace (JSONL)', logprobs: 'logprob, the policy being updated' },
  'trace-safetensors': { name: 'entropy-polarity trace (safetensors)', logprobs: 'logprob, the policy being updated' },
  'nemo-rl': { name: 'NeMo-RL train_data_step files', logprobs: 'prev_logprobs, the policy being updated' },
  openrlhf: { name: 'OpenRLHF logging board', logprobs: 'logprobs' },
};

const HOW_TO_ADD =
  'compute it where the trainer has the logits with the writer in python/entropy_polarity/writer.py (chunked, no_grad) and save the trace format of docs/trace-format.md; then drop that trace here.';
const MISSING = {
  entropy: `entropy: these files carry no entropy per position, so S_{k}, the token term, the shares and the polarity are empty; p_{k} and the advantages are shown. To add it, ${HOW_TO_ADD}`,
  mean_discriminator:
    'S̄ (mean_discriminator): the full policy-gradient polarity A (S̄ − S_{k}) and p† need it; the token term −A·S_{k} is exact without it, and the bound below says what it implies.',
  advantage: 'advantages: the token term, the shares and the polarity need them; p_{k} (and the entropy, where present) are shown.',
};

export const int = (v) => Number(v).toLocaleString('en');
/** A list of steps, at most 8 named. */
export const stepList = (v) =>
  v.length > 8 ? `${Array.from(v.slice(0, 8)).join(', ')} and ${v.length - 8} more` : Array.from(v).join(', ');
/** A label cut to 60 characters (a 10 MB env_name is a name, not a page). */
export const label = (t) => (t.length > 60 ? `${t.slice(0, 60)}… (${int(t.length)} characters)` : t);
// Error messages are capped (a 5 MB cell quoted in one froze the tab; the core quotes 40 characters).
// Options in a step list; more steps are offered as ranges (issue 19: 100,000 options).
const MAX_STEP_OPTIONS = 500;

/** Options for a list of steps (ascending): one per step, or ranges "a:b" when there are many. */
export function stepOptions(steps) {
  if (steps.length <= MAX_STEP_OPTIONS) return steps.map((v) => new Option(`step ${v}`, String(v)));
  const per = Math.ceil(steps.length / MAX_STEP_OPTIONS);
  const out = [];
  for (let k = 0; k < steps.length; k += per) {
    const a = steps[k],
      b = steps[Math.min(steps.length, k + per) - 1];
    out.push(new Option(`steps ${a}–${b}`, `${a}:${b}`));
  }
  return out;
}
/** The [first, last] steps an option value stands for, or null for "all". */
export function stepRange(value) {
  if (value === 'all' || value === '') return null;
  const [a, b] = value.split(':').map(Number);
  return [a, b ?? a];
}
export const sign = (v) => (v > 0 ? '▲ expands' : v < 0 ? '▼ contracts' : '');

// Text with S̄ goes through setTextWithOverbars (WebKit drops the combining bar).
export function para(text, cls) {
  const p = document.createElement('p');
  if (cls) p.className = cls;
  return setTextWithOverbars(p, text);
}
// The panel's own text with "S_{k}", "e^{−H}" drawn as sub/superscripts (www/js/lib/overbar.js);
// never text from a file (a name like "a_{b}.jsonl" is shown as it is, through para).
export function richPara(text, cls) {
  const p = document.createElement('p');
  if (cls) p.className = cls;
  return setRichText(p, text);
}

/**
 * The view of the run panel `ctx` (panel.js); `tokens` is its token view.
 * @param {import('./panel.js').RunContext} ctx @param {{ renderFilters(): void, renderTokens(): void }} tokens
 */
export function runView(ctx, tokens) {
  const { section, byTest, timed, runQueue, enqueue } = ctx;
  const view = byTest('run-view');
  const charts = byTest('run-charts');
  const scatter = byTest('run-scatter');
  const corrBox = byTest('run-correlation');
  const table = byTest('run-steps-table');
  const status = byTest('run-status');
  const advFig = byTest('run-adv-figure');
  const sameFig = byTest('run-same');
  const sameStep = byTest('run-same-step');
  const sameSvg = byTest('run-same-scatter');
  const sameStats = byTest('run-same-stats');
  const sameNote = byTest('run-same-note');
  const { renderFilters, renderTokens } = tokens;

  /** Shows a result, in small tasks; `then` runs after the last. */
  function show(result, then) {
    const d = result.detail;
    ctx.shown = { ...result, decoded: null, tokenizerName: null };
    if (d) {
      ctx.shown.n = d.step.length;
      ctx.shown.hasPolarity = Boolean(d.polarity) && Array.prototype.some.call(d.polarity, Number.isFinite);
      ctx.shown.hasEntropy = result.summary.hasEntropy;
      ctx.shown.hasAfter = Boolean(result.same);
    }
    view.hidden = false;
    renderStatus();
    renderCorrelation();
    runQueue([
      ...chartTasks(),
      () => {
        if (table.closest('details').open) renderStepsTable(table, ctx.shown.steps);
      },
      () => renderFilters(),
      () => renderTokens(),
      () => renderAdvFig(),
      then,
    ]);
  }

  function renderStatus() {
    const s = ctx.shown;
    const st = s.steps.step;
    const range = st.length ? `${int(st.length)} step(s), ${st[0]}–${st[st.length - 1]}` : 'no steps';
    const secs = `${(s.elapsedMs / 1000).toFixed(2)} s`;
    const lines = [];
    if (s.kind === 'csv') {
      lines.push(para(`Read ${s.files[0]} (${fmtBytes(s.bytes)}) in ${secs}: a per-step CSV, ${range}.`));
      lines.push(
        para(
          'Token detail is not included: a per-step CSV holds only the per-step figures (charts and correlation below). Drop the run’s own files to see tokens.',
          'run-status-note',
        ),
      );
      for (const n of s.notes ?? []) lines.push(para(n, 'run-warning'));
    } else {
      const m = s.summary;
      const f = FORMATS[m.format] ?? { name: m.format, logprobs: 'logprob' };
      lines.push(
        para(
          `Read ${int(m.files)} file(s) (${fmtBytes(s.bytes)}) in ${secs}: ${f.name}, ${range}.` +
            (s.skipped ? ` ${s.skipped} other file(s) in the folder were skipped.` : ''),
        ),
      );
      lines.push(
        para(
          `${int(m.samples)} samples, ${int(m.tokens)} tokens, ${int(m.counted)} counted ` +
            (m.hasEntropy
              ? '(loss mask on, not trust-region masked, finite logprob, entropy and advantage).'
              : '(masks on and a finite logprob: with no entropy, nothing else can be asked).'),
        ),
      );
      lines.push(para(`Logprobs used: ${f.logprobs}.`));
      for (const k of m.missing ?? []) lines.push(richPara(`Missing ${MISSING[k] ?? k}`, 'run-missing'));
      // A null S̄ at a counted token empties pg_polarity for its step (issue 19:
      // the trace example said "Nothing missing … exact" with step 4 blank).
      const noPg = Array.from(s.steps.step).filter((_, i) => s.steps.tokens[i] > 0 && !Number.isFinite(s.steps.pgPolarity[i]));
      if (!(m.missing ?? []).length && noPg.length)
        lines.push(
          para(
            `Entropy, S̄ and advantages are present, but S̄ is null at counted tokens of step(s) ${stepList(noPg)}: pg_polarity is empty there. At the other steps the full policy-gradient polarity is exact.`,
            'run-missing',
          ),
        );
      else if (!(m.missing ?? []).length)
        lines.push(para('Nothing missing: entropy, S̄ and advantages are all present, so the full policy-gradient polarity is exact.'));
      if (m.hasEntropyAfter)
        lines.push(
          para(
            'entropy_after is present: each token’s entropy right after the optimizer step, on the same context, so the predicted change can be set against the realised one (“Predicted against realised, on the same context” below).',
          ),
        );
      for (const w of m.warnings ?? []) lines.push(para(w, 'run-warning'));
      const lim = s.detailLimits;
      lines.push(
        para(
          `The per-step figures use every counted token. Token detail is kept for up to ${lim.samplesPerStep} whole samples and the ${lim.extremes} most expanding and ${lim.extremes} most contracting tokens per step (${int(s.n)} tokens kept), so memory stays bounded.` +
            (s.tokenizerName
              ? ` Token text decoded with ${s.tokenizerName}.`
              : s.detail.text
                ? ' Token text from the files.'
                : ' No token text in the files: ids are shown (drop a tokenizer.json to decode them).'),
        ),
      );
    }
    const finding = FINDINGS[s.label.replace(/^example /, '')]; // what a shipped real run showed
    if (finding) {
      const p = para(finding, 'run-finding');
      p.dataset.testid = 'run-finding';
      lines.push(p);
    }
    status.replaceChildren(...lines);
    status.dataset.format = s.kind === 'csv' ? 'steps-csv' : s.summary.format;
  }

  /** One task per chart: each reads its width and draws. */
  function chartTasks() {
    const s = ctx.shown.steps;
    const x = Array.from(s.step);
    const tasks = [];
    const figs = [];
    const fig = (title, draw, note) => {
      const f = document.createElement('figure');
      f.className = 'run-chart';
      const cap = document.createElement('figcaption');
      setRichText(cap, title);
      if (note) {
        const sm = document.createElement('small');
        setRichText(sm, ` ${note}`);
        cap.append(sm);
      }
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('class', 'run-svg');
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', plainText(title));
      f.append(cap, svg);
      figs.push(f);
      tasks.push(() => draw(svg));
    };
    fig('Mean entropy H (nats)', (svg) => drawSeries(svg, x, [{ values: s.meanEntropy, cls: 's-entropy', name: 'mean H' }]));
    fig('Mean p_{k} of the sampled tokens', (svg) => drawSeries(svg, x, [{ values: s.meanProb, cls: 's-prob', name: 'mean p_k' }]));
    const hasPg = Array.prototype.some.call(s.pgPolarity, Number.isFinite);
    fig(
      hasPg ? 'Mean token term −A·S_{k} (solid) and PG polarity A (S̄ − S_{k}) (dashed)' : 'Mean token term −A·S_{k}',
      (svg) =>
        drawSeries(
          svg,
          x,
          [
            { values: s.tokenTerm, cls: 's-term', name: 'token term' },
            ...(hasPg ? [{ values: s.pgPolarity, cls: 's-pg', name: 'PG polarity' }] : []),
          ],
          { zero: true, yLabel: '> 0 expands, per unit η/T' },
        ),
      hasPg ? '' : '(PG polarity needs S̄)',
    );
    fig(
      'Realised ΔH, next step, other samples',
      (svg) => drawSeries(svg, x, [{ values: s.realisedDh, cls: 's-dh', name: 'realised ΔH, next step' }], { zero: true }),
      '(the next step’s mean H minus this one’s: other prompts, other samples)',
    );
    // The same-context columns, when the trace has entropy_after (or the CSV has them).
    if (Array.prototype.some.call(s.realisedDhSame ?? [], Number.isFinite)) {
      fig(
        'Realised ΔH on the same context',
        (svg) => drawSeries(svg, x, [{ values: s.realisedDhSame, cls: 's-dh', name: 'realised_dh_same' }], { zero: true }),
        '(mean of entropy_after − entropy over counted tokens: the step’s own effect)',
      );
      figs[figs.length - 1].dataset.testid = 'run-chart-dh-same';
      const hasAgreePg = Array.prototype.some.call(s.agreePgPolarity, Number.isFinite);
      fig(
        hasAgreePg
          ? 'Sign agreement with the same-context ΔH: token term (solid), PG polarity (dashed)'
          : 'Sign agreement of the token term with the same-context ΔH',
        (svg) =>
          drawSeries(
            svg,
            x,
            [
              { values: s.agreeTokenTerm, cls: 's-term', name: 'agree_token_term' },
              ...(hasAgreePg ? [{ values: s.agreePgPolarity, cls: 's-pg', name: 'agree_pg_polarity' }] : []),
            ],
            {
              domain: [0, 1],
              ref: { value: 0.5, label: '0.5: a coin' },
              yFmt: (v) => `${Math.round(v * 100)}%`,
              yLabel: 'share of tokens, same sign',
            },
          ),
        '(among counted tokens with A ≠ 0 and a nonzero change)',
      );
      figs[figs.length - 1].dataset.testid = 'run-chart-agreement';
    }
    fig(
      'Signs of the token term, among tokens with A ≠ 0',
      (svg) => drawShares(svg, s),
      '(what the first-order term predicts, not what happened)',
    );
    const legendBox = document.createElement('p');
    legendBox.className = 'run-share-legend';
    for (const { cls, name } of SHARE_NAMES) {
      const k = document.createElement('span');
      k.className = `key ${cls}`;
      k.textContent = name;
      legendBox.append(k);
    }
    figs[figs.length - 1].append(legendBox);
    charts.replaceChildren(...figs);
    const c = ctx.shown.correlation;
    /** @type {Map<number, string>} why a step's point is left out of the statistics */
    const out = new Map();
    for (const v of c.gaps) out.set(v, 'its realised ΔH spans a gap in the steps');
    for (const v of c.noUpdate) out.set(v, 'no update (every advantage 0)');
    tasks.push(() => {
      drawScatter(scatter, s.tokenTerm, s.realisedDh, {
        labels: (i) => `step ${s.step[i]}`,
        leftOut: (i) => out.get(s.step[i]) ?? null,
        xLabel: 'mean token term of the step',
        yLabel: 'realised ΔH (next step − this step)',
      });
      drawnWidth = section.clientWidth;
    });
    tasks.push(() => renderSame());
    return tasks;
  }

  // ---------- predicted against realised, on the same context ----------
  const pct = (v) => (Number.isFinite(v) ? `${fmt(100 * v, 3)} %` : '—');
  function statsText(c, where) {
    if (!(c.n > 0)) return `${where}: no token has both a prediction and a same-context change.`;
    return (
      `${where}: Pearson r = ${Number.isFinite(c.pearson) ? fmt(c.pearson, 3) : '—'}, Spearman ρ = ${Number.isFinite(c.spearman) ? fmt(c.spearman, 3) : '—'}` +
      ` over ${int(c.n)} tokens; the signs agree for ${pct(c.agreement)} of the ${int(c.nSigned)} tokens where both are nonzero (a coin: 50 %).`
    );
  }

  function renderSame() {
    const s = ctx.shown;
    const show = Boolean(s?.same && s.detail);
    sameFig.hidden = !show;
    if (!show) return;
    const d = s.detail;
    const st = s.same.steps;
    const prev = sameStep.dataset.run === String(s.id) ? sameStep.value : 'all';
    sameStep.replaceChildren(new Option('all steps', 'all'), ...stepOptions(Array.from(st.step)));
    sameStep.value = [...sameStep.options].some((o) => o.value === prev) ? prev : 'all';
    sameStep.dataset.run = String(s.id);
    const idx = [];
    let withSbar = 0;
    for (let i = 0; i < s.n; i++)
      if (d.point[i]) {
        idx.push(i);
        if (Number.isFinite(d.polarity[i])) withSbar++;
      }
    const range = stepRange(sameStep.value);
    const chosen = range && range[0] === range[1] ? range[0] : null;
    const drawn = drawTokenScatter(sameSvg, d.predicted, d.dhSame, idx, {
      chosen: range === null ? null : (i) => d.step[i] >= range[0] && d.step[i] <= range[1],
      xLabel:
        withSbar === idx.length
          ? 'predicted: PG polarity A (S̄ − S_k)'
          : withSbar
            ? 'predicted: PG polarity, or token term without S̄'
            : 'predicted: token term −A·S_k',
      yLabel: 'ΔH, same context',
    });
    const o = s.same.overall;
    Object.assign(sameStats.dataset, {
      pearson: String(o.pearson),
      spearman: String(o.spearman),
      agreement: String(o.agreement),
      n: String(o.n),
      nSigned: String(o.nSigned),
    });
    const lines = [statsText(o, 'All steps')];
    const k = chosen === null ? -1 : Array.prototype.indexOf.call(st.step, chosen);
    if (k >= 0) {
      const c = { pearson: st.pearson[k], spearman: st.spearman[k], agreement: st.agreement[k], n: st.n[k], nSigned: st.nSigned[k] };
      Object.assign(sameStats.dataset, { stepPearson: String(c.pearson), stepAgreement: String(c.agreement), stepN: String(c.n) });
      lines.push(statsText(c, `Step ${chosen}`));
    } else for (const key of ['stepPearson', 'stepAgreement', 'stepN']) delete sameStats.dataset[key];
    sameStats.textContent = lines.join(' ');
    const lim = s.detailLimits;
    setRichText(
      sameNote,
      `What is compared: the predicted first-order entropy change of each token (its PG polarity A (S̄ − S_{k}) where it has S̄ — ${int(withSbar)} of ${int(idx.length)} points — else its token term −A·S_{k}; per unit η/T) ` +
        'against entropy_after − entropy: the entropy at the same position, on the same context, right after the optimizer step that used the sample. ' +
        'The prediction is what plain gradient ascent on this token alone would do to its own softmax, to first order. It does not account for: ' +
        'a real network sharing parameters across positions (every other token’s update moves this position too), Adam rescaling each parameter’s step (and momentum carrying earlier steps), ' +
        'gradient clipping and the learning-rate schedule, and the first-order approximation itself (a large step curves away from it). ' +
        `Computed over the counted tokens of the kept whole samples (up to ${lim.samplesPerStep} per step, a uniform sample; all of a step with no more samples), ` +
        `not over the extremes kept for the token strip, which are chosen by their token term; the per-step charts above use every counted token.` +
        (drawn < idx.length ? ` ${int(drawn)} of the ${int(idx.length)} points are drawn (an even stride); the statistics use all.` : ''),
    );
  }
  sameStep.addEventListener('change', () => timed(() => renderSame()));

  /**
   * Did polarity predict this run's entropy change? The core's answer
   * (stepEvidence): pairs across a gap and steps with no update left out,
   * a permutation p-value, the sign count; "supports" only when significant.
   */
  function renderCorrelation() {
    const c = ctx.shown.correlation;
    Object.assign(corrBox.dataset, {
      pearson: String(c.pearson),
      spearman: String(c.spearman),
      n: String(c.n),
      pSpearman: String(c.pSpearman),
      pPearson: String(c.pPearson),
      gaps: Array.from(c.gaps).join(' '),
      noUpdate: Array.from(c.noUpdate).join(' '),
      sameSign: String(c.sameSign),
      signed: String(c.signed),
    });
    const parts = [];
    if (c.gaps.length)
      parts.push(
        `Gaps in the steps: consecutive steps are ${fmt(c.stride)} apart, but the next step after step ${stepList(c.gaps)} is further on, so ${c.gaps.length > 1 ? 'their' : 'its'} realised ΔH spans missing steps; ${c.gaps.length > 1 ? 'they are' : 'it is'} left out (hollow dots).`,
      );
    if (c.noUpdate.length)
      parts.push(
        `Step ${stepList(c.noUpdate)} had no update (no token with A ≠ 0 and a nonzero token term: every advantage 0), so ${c.noUpdate.length > 1 ? 'they predict' : 'it predicts'} nothing and ${c.noUpdate.length > 1 ? 'are' : 'is'} left out.`,
      );
    const pct = (p) => (p < 0.001 ? '< 0.1 %' : `${fmt(100 * p, 2)} %`);
    if (c.constant)
      parts.push(
        `No correlation can be computed: ${c.constant === 'token_term' ? 'the mean token term' : 'the realised ΔH'} is the same at all ${int(c.n)} steps used.`,
      );
    else if (!(c.n >= 3))
      parts.push(`A correlation needs at least 3 steps with a token term, a realised ΔH and an update; this run has ${int(c.n)}.`);
    else {
      const orderings = c.exact
        ? `over all ${int(c.permutations)} orderings`
        : c.permutations
          ? `over ${int(c.permutations)} random orderings`
          : 'in its normal limit for many steps';
      parts.push(
        `Over ${int(c.n)} steps, the mean token term and the realised ΔH correlate with Pearson r = ${fmt(c.pearson, 3)} and Spearman ρ = ${fmt(c.spearman, 3)} ` +
          `(permutation test ${orderings}: p = ${fmt(c.pSpearman, 2)} for ρ, ${fmt(c.pPearson, 2)} for r).`,
      );
      if (c.pSpearman < 0.05)
        parts.push(
          c.spearman > 0
            ? 'Significant at the 5 % level and positive: this run supports the paper’s claim that polarity predicts the entropy change.'
            : 'Significant at the 5 % level and negative: on this run the entropy moved against the token term, which contradicts the claim.',
        );
      else
        parts.push(
          `Not significant: with ${int(c.n)} steps a correlation at least this strong arises by chance in ${pct(c.pSpearman)} of orderings, so this run neither supports nor contradicts the claim that polarity predicts the entropy change.`,
        );
    }
    if (c.signed)
      parts.push(
        c.sameSign === c.signed
          ? `The mean token term had the sign of the realised ΔH in all ${int(c.signed)} steps.`
          : `The token term had the wrong sign in ${int(c.signed - c.sameSign)} of ${int(c.signed)} steps (the sign of the realised ΔH in ${int(c.sameSign)}).`,
      );
    parts.push(
      'Caveat: realised ΔH (realised_dh) is the next step’s mean entropy minus this step’s, over other prompts and other samples, so it mixes the update’s effect with the batches’ differences. ' +
        (ctx.shown.hasAfter
          ? 'The same-context measure below (entropy_after: the same positions right after the step) isolates the step’s own effect.'
          : 'For the step’s own effect on the same context, write entropy_after in a trace (docs/trace-format.md): the panel then sets each token’s prediction against it.'),
    );
    corrBox.textContent = parts.join(' ');
  }

  table.closest('details').addEventListener('toggle', (e) => {
    if (e.target.open && ctx.shown) renderStepsTable(table, ctx.shown.steps);
  });
  byTest('export-steps').addEventListener('click', () => {
    if (!ctx.shown) return;
    const base = (ctx.shown.label || 'run')
      .replace(/^(folder|example) /, '')
      .replace(/[^\w.-]+/g, '_')
      .replace(/\.[^.]*$/, '');
    download(new Blob([stepsCsv(ctx.shown.steps)], { type: 'text/csv' }), `${base || 'run'}-steps.csv`);
  });

  let drawnWidth = 0;
  let resizeFrame = 0;
  new ResizeObserver(() => {
    if (!ctx.shown || resizeFrame || section.clientWidth === drawnWidth) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (ctx.shown) enqueue([...chartTasks(), () => renderAdvFig()]);
    });
  }).observe(section);

  function renderAdvFig() {
    const s = ctx.shown;
    const show = s?.detail && !s.hasEntropy && s.summary.hasAdvantages;
    advFig.hidden = !show;
    if (show)
      drawAdvantageProb(
        byTest('run-adv-scatter'),
        s.detail.prob,
        s.detail.advantage,
        Array.from({ length: s.n }, (_, i) => i),
      );
  }

  return { show, renderStatus };
}
