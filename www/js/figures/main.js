// @ts-check
// <entropy-polarity-figure figure="curves | flip | scatter | quadrants">: the
// paper's figures, computed live by the core (js/figures/data.js) and drawn
// in SVG at the element's own width. figures.html shows all four; any
// documentation page can embed one:
//
//   <script type="module" src="js/figures.js"></script>
//   <entropy-polarity-figure figure="flip"></entropy-polarity-figure>
//
// Attributes: figure, theme ("light" | "dark" | "auto"), count (random
// distributions, 20–2000), seed (whole number). Parts: title, chart, caption,
// table (quadrants), error. No inline styles or scripts (strict CSP).

import { curvesFigure, flipFigure, nudgeLine, quadrantsFigure, scatterFigure } from './data.js';
import { legend } from '../chart/legend.js';
import { setRichText } from '../chart/richtext.js';
import { axes, dot, line } from './plot.js';
import { fmt, fmtPercent } from '../lib/format.js';
import { LiveElement, part } from '../lib/live-element.js';

const STYLESHEET = new URL('../../entropy-polarity-figure.css', import.meta.url).href;
const FIGURES = ['curves', 'flip', 'scatter', 'quadrants'];

/** What each figure claims, as its title. */
const TITLES = {
  curves: 'Entropy change against token probability, for several entropies H',
  flip: 'Where the sign flips: p† against e^{−H} across H (the asymmetry)',
  scatter: 'First-order against exact ΔH over random distributions',
  quadrants: 'Which updates expand and which contract: advantage sign × probability against p†',
};

const clampInt = (text, fallback, lo, hi) => {
  const v = Math.round(Number(text));
  return text !== null && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
};

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN;
};

export class EntropyPolarityFigure extends LiveElement {
  static observedAttributes = ['figure', 'theme', 'count', 'seed'];

  constructor() {
    super(STYLESHEET);
    this.heading = part('p', 'title', 'title');
    this.chart = part('div', 'chart', 'chart');
    this.caption = part('p', 'caption', 'caption');
    this.mount(this.heading, this.chart, this.caption);
    /** @type {any} the figure's numbers, whose shape depends on the figure */
    this.data = null;
    this.key = '';
  }

  /** The figure's numbers (for pages and tests); null before the first render or on an error. */
  get values() {
    return this.data;
  }

  /** Computes the figure's numbers (again only for a new figure, count or seed) and draws it at the element's width. */
  draw() {
    const figure = this.getAttribute('figure') ?? 'curves';
    if (!FIGURES.includes(figure)) throw new Error(`Unknown figure "${figure}": use ${FIGURES.join(', ')}.`);
    const count = clampInt(this.getAttribute('count'), figure === 'quadrants' ? 400 : 300, 20, 2000);
    const seed = clampInt(this.getAttribute('seed'), FIGURES.indexOf(figure) + 1, 0, 2 ** 31);
    const key = `${figure} ${count} ${seed}`;
    if (key !== this.key) {
      this.data =
        figure === 'curves'
          ? { figure, curves: curvesFigure() }
          : figure === 'flip'
            ? { figure, points: flipFigure({ count, seed }) }
            : figure === 'scatter'
              ? { figure, points: scatterFigure({ count, seed }) }
              : { figure, ...quadrantsFigure({ count, seed }) };
      this.key = key;
    }
    const width = Math.max(260, Math.round(this.clientWidth || 640));
    const height = Math.round(Math.min(440, Math.max(260, width * 0.6)));
    setRichText(this.heading, TITLES[figure]);
    this.chart.replaceChildren();
    setRichText(this.caption, this[figure](width, height));
  }

  clear() {
    this.data = null;
    this.key = '';
    this.chart.replaceChildren();
    this.caption.textContent = '';
  }

  curves(width, height) {
    const { curves } = this.data;
    const ys = curves.flatMap((c) => c.curve.map(([, y]) => y));
    const { svg, sx, sy, plot, area } = axes(
      width,
      height,
      { min: 1e-4, max: 1, log: true, label: 'token probability q (log scale)' },
      // The sharpest curves fall far below zero near q = 1: the range keeps the crossings readable.
      { min: Math.max(Math.min(...ys), -4 * Math.max(...ys)), max: Math.max(...ys) * 1.05, label: 'first-order ΔH per unit η·A (nats)' },
      TITLES.curves,
    );
    curves.forEach((c, i) => {
      plot.append(line(sx, sy, c.curve, `curve c${i}`));
      for (const [q, y] of c.tokens) if (q >= 1e-4) plot.append(dot(sx, sy, q, y, `token c${i}`, 2.5));
      plot.append(dot(sx, sy, c.flipPolicyGradient, 0, `flip c${i}`, 4.5));
    });
    legend(
      svg,
      area,
      curves.map((c, i) => [`token c${i}`, `H = ${fmt(c.entropy, 3)} nats, p† = ${fmt(c.flipPolicyGradient, 3)}`]),
      { bottom: true },
    );
    this.chart.append(svg);
    return (
      'A policy-gradient step on a token of probability q changes H by η·A·(S̄ − q(H + ln q)) to first order: ' +
      'the curves hold H and S̄ of five distributions (one 20-token shape, sharper to flatter); the small dots are their tokens, ' +
      'the large dots each curve’s zero p†. Rewarding (A > 0) a token left of its p† widens the distribution, right of it narrows it.'
    );
  }

  flip(width, height) {
    const { points } = this.data;
    const Hmax = Math.max(...points.map((p) => p.entropy)) * 1.05;
    const pmin = Math.min(...points.map((p) => p.flipNudge));
    const { svg, sx, sy, plot, area } = axes(
      width,
      height,
      { min: 0, max: Hmax, label: 'entropy H (nats)' },
      { min: 10 ** Math.floor(Math.log10(pmin)), max: 1, log: true, label: 'probability where the sign flips' },
      TITLES.flip,
    );
    const nudge = nudgeLine(Hmax, 100);
    plot.append(
      line(
        sx,
        sy,
        Array.from(nudge.entropy, (H, i) => [H, nudge.p[i]]),
        'curve nudge',
      ),
    );
    for (const p of points) plot.append(dot(sx, sy, p.entropy, p.flipPolicyGradient, 'token pg', 2.5));
    legend(
      svg,
      area,
      [
        ['token nudge', 'e^{−H}, where a nudge flips'],
        ['token pg', 'p†, where a policy-gradient step flips'],
      ],
      { bottom: true },
    );
    this.chart.append(svg);
    const above = points.filter((p) => p.flipPolicyGradient >= p.flipNudge).length;
    const ratios = points.map((p) => p.flipPolicyGradient / p.flipNudge);
    this.data.summary = { above, median: median(ratios), max: Math.max(...ratios) };
    return (
      `Over ${points.length} random distributions (4–64 tokens), p† ≥ e^{−H} in ${above} of ${points.length}: ` +
      `p† is e^{−H} times ${fmt(Math.min(...ratios), 3)} to ${fmt(Math.max(...ratios), 3)} (median ${fmt(median(ratios), 3)}). ` +
      'Because S̄ ≥ 0: a rewarded token between e^{−H} and p† would narrow the distribution if only its own logit rose (a nudge), ' +
      'but a policy-gradient step, which also lowers the other logits, widens it.'
    );
  }

  scatter(width, height) {
    const { points } = this.data;
    const all = points.flatMap((p) => [p.firstOrder, p.exact]);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const pad = (hi - lo) * 0.04;
    const { svg, sx, sy, plot, area } = axes(
      width,
      height,
      { min: lo - pad, max: hi + pad, label: 'first-order ΔH (nats)' },
      { min: lo - pad, max: hi + pad, label: 'exact ΔH (nats)' },
      TITLES.scatter,
    );
    plot.append(
      line(
        sx,
        sy,
        [
          [lo - pad, lo - pad],
          [hi + pad, hi + pad],
        ],
        'curve diagonal',
      ),
    );
    for (const p of points)
      plot.append(
        dot(sx, sy, p.firstOrder, p.exact, Math.sign(p.firstOrder) === Math.sign(p.exact) ? 'token agree' : 'token disagree', 2.5),
      );
    const agree = points.filter((p) => Math.sign(p.firstOrder) === Math.sign(p.exact)).length;
    const errors = points.map((p) => Math.abs(p.exact - p.firstOrder));
    const rel = points.filter((p) => p.exact !== 0).map((p) => Math.abs(p.exact - p.firstOrder) / Math.abs(p.exact));
    legend(svg, area, [
      ['token agree', `same sign (${agree})`],
      ['token disagree', `opposite sign (${points.length - agree})`],
    ]);
    this.chart.append(svg);
    this.data.summary = { agree, medianError: median(errors), maxError: Math.max(...errors), medianRelative: median(rel) };
    return (
      `${points.length} policy-gradient steps (random distribution, sampled token, η·A from −1 to 1). On the diagonal the first-order value is exact. ` +
      `The sign agrees in ${agree} of ${points.length}; |exact − first order| has median ${fmt(median(errors), 3)} and maximum ${fmt(Math.max(...errors), 3)} nats ` +
      `(median ${fmtPercent(median(rel))} of |exact|): the error grows like (η·A)².`
    );
  }

  quadrants() {
    const { quadrants, samples, step } = this.data;
    const table = document.createElement('table');
    table.setAttribute('part', 'table');
    const head = table.createTHead().insertRow();
    for (const t of ['', 'p > p† (likely token)', 'p < p† (unlikely token)']) {
      const th = document.createElement('th');
      th.textContent = t;
      head.append(th);
    }
    const body = table.createTBody();
    for (const [a, name] of [
      ['pos', 'A > 0 (rewarded)'],
      ['neg', 'A < 0 (penalised)'],
    ]) {
      const row = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = name;
      row.append(th);
      for (const side of ['above', 'below']) {
        const q = quadrants[`${a}-${side}`];
        const cell = row.insertCell();
        const expands = q.count > 0 && q.expand * 2 > q.count;
        cell.className = q.count === 0 ? '' : expands ? 'expand' : 'contract';
        cell.dataset.quadrant = `${a}-${side}`;
        const share = document.createElement('strong');
        share.textContent = `${fmtPercent(q.count / samples.length)} of updates`;
        const what = document.createElement('span');
        what.textContent = q.count
          ? `${expands ? 'expand' : 'contract'}: ${q.expand} of ${q.count} widen H; mean ΔH ${fmt(q.meanExact, 3)} nats`
          : 'none';
        cell.append(share, document.createElement('br'), what);
      }
    }
    this.chart.append(table);
    const above = quadrants['pos-above'].count + quadrants['neg-above'].count;
    const mostly = above * 2 > samples.length;
    return (
      `${samples.length} updates: a random distribution, a token sampled from it, an advantage of +1 or −1 (a fair coin), η = ${step}. ` +
      `Sampled tokens sit above their p† in ${fmtPercent(above / samples.length)} of updates, so rewards mostly ${mostly ? 'narrow' : 'widen'} the distribution ` +
      `and penalties mostly ${mostly ? 'widen' : 'narrow'} it; the less likely tokens do the opposite.`
    );
  }
}

if (!customElements.get('entropy-polarity-figure')) customElements.define('entropy-polarity-figure', EntropyPolarityFigure);
