// @ts-check
// The lesson's scenes (docs/lesson.md): what each one claims, the whole state
// it sets, the question it asks and the answer it reveals. The numbers come
// from the core (js/lesson/numbers.js computes `n` for a scene); this module
// only words them. Text is rich text (js/lesson/text.js): [[term]] links
// a definition, ^{…} and _{…} are super- and subscripts.

import { fmt } from '../lib/format.js';
import { preset } from '../lib/link-state.js';

/** A number for the text: 3 significant digits. @param {number} v */
export const f3 = (v) => fmt(v, 3);
/** A change with its sign: +0.0224, −0.482. @param {number} v */
export const signed = (v) => (v > 0 ? `+${fmt(v, 3)}` : fmt(v, 3));

/** A sum that cancels exactly in exact arithmetic: 0, and its rounding residue. @param {number} v */
const zero = (v) => (Math.abs(v) < 1e-12 ? `0 (${fmt(v, 2)} after rounding)` : signed(v));

/** The two predictions every scene offers. */
export const CHOICES = Object.freeze([
  { key: 'widen', label: 'Wider', hint: 'entropy goes up' },
  { key: 'narrow', label: 'Narrower', hint: 'entropy goes down' },
]);

/** The direction of a change, as a choice key. @param {number} dh */
export const direction = (dh) => (dh > 0 ? 'widen' : dh < 0 ? 'narrow' : 'same');

/**
 * What the curve's ◆ is, against the first-order flip `name` = `flip`: the
 * zero of the exact change of this step (`stepName` = the scene's step) with
 * the chosen token itself moved to q. Moving the token changes H and S̄,
 * which the solid curve holds fixed, and the zero moves with the step size;
 * the shading follows the solid curve (docs/math.md, "The curve").
 * `short`: one sentence for an answer, pointing to the caption under the curve.
 * @param {any} n @param {string} name @param {number} flip @param {string} stepName @param {boolean} [short]
 */
export function flipNote(n, name, flip, stepName, short = false) {
  if (n.exactFlip === null || n.exactFlip === undefined) return `The dashed exact curve of this step does not cross zero (no ◆).`;
  if (short) return `(The ◆ at q = ${f3(n.exactFlip)}, where this step's exact change flips, is not ${name}: see under the curve.)`;
  return (
    `The ◆ at q = ${f3(n.exactFlip)} is where the exact change of this step (${stepName} = ${fmt(n.step, 3)}) crosses zero ` +
    `with the token itself moved to q. It is not ${name} = ${f3(flip)}: moving the token changes H and S̄, which the solid ` +
    `curve and its shading hold fixed, and the ◆ moves as the step grows.`
  );
}

const PARIS = { logits: [2, 1, 0.5, -1], labels: ['Paris', 'Lyon', 'Nice', 'Lille'] };

/**
 * @typedef {object} SceneState the explorer's whole state (js/lib/link-state.js)
 * @property {number[]} logits @property {string[]} labels @property {number} temperature
 * @property {number} token @property {'pg'|'nudge'} kind @property {number} step η (or ε)
 * @property {number} adv A @property {boolean} logX @property {boolean} bits
 *
 * @typedef {object} Scene
 * @property {string} id @property {string} title @property {string} claim one sentence
 * @property {SceneState} state
 * @property {string[]} charts what the scene draws: bars, curve, history, average, quadrants, lab
 * @property {string[]} [readouts] the readouts shown before the reveal, of H, eH, pdag, p (default all;
 *   a term appears only once the scene, or one before it, has defined it)
 * @property {(n: any) => string} body what the scene explains (terms defined here)
 * @property {(n: any) => string} question
 * @property {(n: any) => {key: string, text: string}} answer the right choice and why
 * @property {number} [steps] scene "steps": how many steps are taken
 * @property {number[]} [rewards] scene "average": the reward of each token
 * @property {Record<string, any>} [lab] scene "control": the lab's settings
 * @property {{href: string, text: string}[]} [links] more places to go
 */

/** @param {Partial<SceneState>} s @returns {SceneState} */
function state(s) {
  /** @type {SceneState} */
  const out = { ...PARIS, temperature: 1, token: 0, kind: 'pg', step: 0.1, adv: 1, logX: false, bits: false, ...s };
  // −0 (the top logit of a Zipf preset) would come back from a link as 0.
  return { ...out, logits: out.logits.map((z) => z + 0) };
}

/** @type {readonly Scene[]} */
export const SCENES = Object.freeze([
  {
    id: 'entropy',
    title: 'Entropy measures spread',
    claim: 'Entropy H says how spread out a next-token distribution is.',
    state: state({ token: 0 }),
    charts: ['bars'],
    readouts: ['H', 'p'],
    body: (n) =>
      `A language model gives each possible next token a [[logit]] z. [[softmax|Softmax]] turns logits into probabilities ` +
      `p_{k} = exp(z_{k}/T) / Σ_{j} exp(z_{j}/T). ` +
      `[[H|Entropy]] H = −Σ_{k} p_{k} ln p_{k}, in [[nats]], measures the spread: 0 when one token is certain, ` +
      `ln 4 = 1.39 when all four tokens are equally likely. Here H = ${f3(n.H)} nats.`,
    question: () =>
      `Raise the [[T|temperature]] from T = 1 to T = 2: every logit is divided by 2 before softmax. Does the distribution get wider or narrower?`,
    answer: (n) => ({
      key: direction(n.hot.H - n.H),
      text:
        `${n.hot.H > n.H ? 'Wider' : 'Narrower'}: H goes from ${f3(n.H)} to ${f3(n.hot.H)} nats (the outlined bars). Halving the logits halves the gaps between them, ` +
        `so the probabilities move toward equal: Paris falls from ${f3(n.p[0])} to ${f3(n.hot.p[0])}.`,
    }),
  },
  {
    id: 'nudge',
    title: 'A nudge, and its flip at e^{−H}',
    claim: 'To first order, raising one logit widens the distribution if that token is rarer than e^{−H}, and narrows it otherwise.',
    state: state({ token: 1, kind: 'nudge', step: 0.5 }),
    charts: ['bars', 'curve'],
    readouts: ['H', 'eH', 'p'],
    body: (n) =>
      `A [[nudge]] raises one logit: z_{k} ← z_{k} + ε. To [[first|first order]] it changes entropy by ΔH ≈ −ε [[S|S_{k}]] / T, ` +
      `with S_{k} = p_{k} (H + ln p_{k}). S_{k} is negative exactly when p_{k} < [[eH|e^{−H}]] ` +
      `(here e^{−H} = ${f3(n.eH)}, the dashed line). So raising a token rarer than e^{−H} takes mass to where there is little ` +
      `and widens the distribution; raising a likelier one narrows it.`,
    question: (n) => `Nudge Lyon (p = ${f3(n.pk)}) up by ε = 0.5. Wider or narrower?`,
    answer: (n) => ({
      key: direction(n.exact),
      text:
        `${n.exact > 0 ? 'Wider' : 'Narrower'}, because p = ${f3(n.pk)} ${n.pk < n.eH ? '<' : '>'} e^{−H} = ${f3(n.eH)}. ` +
        `First order ΔH ≈ ${signed(n.first)} nats, exact ${signed(n.exact)}. The solid curve shows −ε S / T for a token of ` +
        `any probability q: it crosses zero at e^{−H}. ${flipNote(n, 'e^{−H}', n.eH, 'ε', true)}`,
    }),
  },
  {
    id: 'policy-gradient',
    title: 'The policy-gradient step, and p†',
    claim: 'An RL step flips at p†, not at e^{−H}, and p† ≥ e^{−H}: the asymmetry.',
    state: state({
      logits: [0.5, 0, -1, -1, -1.5, -2],
      labels: ['yes', 'no', 'maybe', 'perhaps', 'unsure', 'never'],
      token: 1,
    }),
    charts: ['bars', 'curve'],
    body: (n) =>
      `RL moves every logit. A [[pg]] on a sampled token k is z ← z + ηA(e_{k} − p), with the [[A|advantage A]] ` +
      `(how much better than expected the sample was) and the [[eta|step size η]]: k rises, every other token falls in ` +
      `proportion to its probability. To first order ΔH ≈ (ηA/T)(S̄ − S_{k}), with [[Sbar|S̄]] = Σ_{j} p_{j} S_{j} ≥ 0. ` +
      `It flips where S_{k} = S̄, at [[pdag|p†]] = ${f3(n.pdag)}; since S̄ ≥ 0, p† ≥ e^{−H} = ${f3(n.eH)}: the [[asym|asymmetry]].`,
    question: (n) =>
      `“no” has p = ${f3(n.pk)}, above e^{−H} = ${f3(n.eH)}, so a nudge would narrow. ` +
      `Reward it with a policy-gradient step (A = +1, η = 0.1). Wider or narrower?`,
    answer: (n) => ({
      key: direction(n.exact),
      text:
        `${n.exact > 0 ? 'Wider' : 'Narrower'}, because p = ${f3(n.pk)} ${n.pk < n.pdag ? '<' : '>'} p† = ${f3(n.pdag)} ` +
        `(exact ${signed(n.exact)} nats; a nudge of the same size: ${signed(n.nudge)}). The step also lowers “yes”, ` +
        `the likeliest token. Between e^{−H} and p† a nudge narrows and a rewarded step widens (to first order).`,
    }),
  },
  {
    id: 'first-order',
    title: 'First order against exact',
    claim: 'The first-order ΔH is a slope: right for small steps, and it can have the wrong sign for large ones.',
    state: state({ token: 3, step: 4 }),
    charts: ['bars', 'curve'],
    body: (n) =>
      `Every ΔH ≈ so far is first order: the slope of H times the step. The [[exact|exact change]] applies the ` +
      `update for real and measures H again. For a small step they agree: rewarding Lille with η·A = 0.1 gives ` +
      `${signed(n.small.first)} to first order and ${signed(n.small.exact)} exactly. In the chart, the solid curve is the ` +
      `first order for a token of probability q; the dashed one is the exact change of Lille moved to q.`,
    question: (n) => `Now η·A = 4 on Lille (p = ${f3(n.pk)}). First order says ΔH ≈ ${signed(n.first)}: wider. What does the real step do?`,
    answer: (n) => ({
      key: direction(n.exact),
      text:
        `${n.exact > 0 ? 'Wider' : 'Narrower'}: the exact ΔH is ${signed(n.exact)} nats. The step lifts Lille's logit by ` +
        `4 × (1 − ${f3(n.pk)}) = ${f3(4 * (1 - n.pk))}, past Paris: Lille ends at p = ${f3(n.after[3])} (outlined bar) and now ` +
        `dominates. First order only sees the start of the move.`,
    }),
  },
  {
    id: 'steps',
    title: 'Taking steps: rise, then collapse',
    claim: 'Rewarding a rare token again and again first widens the distribution, then collapses it.',
    state: state({
      logits: [3, 1.5, 1, 0.5, 0, -0.5, -1, -2],
      labels: ['the', 'a', 'this', 'one', 'that', 'its', 'our', 'zebra'],
      token: 7,
      step: 1,
    }),
    steps: 30,
    charts: ['bars', 'history'],
    body: (n) =>
      `Take the same step 30 times: reward the rare token “zebra” (p = ${f3(n.pk)}) with A = +1 and η = 1, each step ` +
      `applied exactly by the core. After every step the distribution is new, and so are H, p† and where “zebra” sits ` +
      `against p†. Once you have predicted, press Play (or drag the slider) to watch the steps.`,
    question: () => `After 30 rewarded steps, is the distribution wider or narrower than at the start?`,
    answer: (n) => ({
      key: direction(n.history.at(-1).H - n.H),
      text:
        `${n.history.at(-1).H > n.H ? 'Wider' : 'Narrower'}: H ends at ${f3(n.history.at(-1).H)} from ${f3(n.H)} nats. But ` +
        `it first rose, to ${f3(n.history[n.peak].H)} at step ${n.peak}. From step ${n.cross}, p = ${f3(n.history[n.cross].pk)} > ` +
        `p† = ${f3(n.history[n.cross].pdag)}: every further reward narrows. That is collapse. ` +
        (n.fall < n.cross
          ? `H already falls from step ${n.fall} to ${n.fall + 1} (exact ${signed(n.dh[n.fall])} nats) while “zebra” is still below p† ` +
            `(p = ${f3(n.history[n.fall].pk)} < ${f3(n.history[n.fall].pdag)}): p† is where a small step flips, and a step of η = 1 ` +
            `is not small. It lifts “zebra” from ${f3(n.history[n.fall].pk)} to ${f3(n.history[n.fall + 1].pk)} at once, past where ` +
            `widening stops (scene 4: first order against exact).`
          : ''),
    }),
  },
  {
    id: 'average',
    title: 'Why collapse happens on average',
    claim: 'Averaged over which token is sampled, entropy falls when the rewarded tokens are the likely ones.',
    state: state({ token: 0, step: 1 }),
    rewards: [1, 0, 0, 0],
    charts: ['bars', 'average'],
    body: () =>
      `In training the token is sampled, k ~ p, and its advantage compares its reward with the average, in units of the ` +
      `reward's spread (as GRPO and the explorer do): A_{k} = (r_{k} − m)/σ, with m = Σ_{j} p_{j} r_{j} the mean reward and ` +
      `σ its standard deviation under p. Averaged over the sample, E[ΔH] = Σ_{k} p_{k} ΔH_{k} = −(η/T) [[cov|Cov_{p}(A, S)]] to first ` +
      `order (Cui et al. 2025). With the same A for every token it is exactly 0: each token's rise is paid for by the others' falls.`,
    question: (n) =>
      `Reward the answer the model already prefers: Paris (p = ${f3(n.p[0])}) gets r = 1, the others 0; η = 1. ` +
      `On average over sampling, wider or narrower?`,
    answer: (n) => ({
      key: direction(n.average.sum),
      text:
        `${n.average.sum > 0 ? 'Wider' : 'Narrower'}: E[ΔH] = ${signed(n.average.sum)} nats per step, because A and S are both ` +
        `large on Paris: Cov_{p}(A, S) = ${f3(n.average.cov)}. The bars show each token's share p_{k} ΔH_{k}. ` +
        `The same A for every token gives ${zero(n.average.constant)}: the shares cancel. Rewarding rare Lille ` +
        `instead gives ${signed(n.average.rare)}. Try them under the chart. This is the many-samples limit: a group of G ` +
        `samples normalised by its own mean and σ gives less on average, ${signed(n.average.group[4])} at G = 4 and ` +
        `${signed(n.average.group[16])} at G = 16 (exact over every group).`,
    }),
  },
  {
    id: 'quadrants',
    title: 'The four quadrants',
    claim: 'Rewarded or penalised, likely or unlikely: two of the four cases widen, two narrow.',
    state: state({ token: 3, step: 0.5, adv: -1 }),
    charts: ['quadrants', 'curve'],
    body: () =>
      `The sign of ΔH ≈ (ηA/T)(S̄ − S_{k}) is the sign of A times the sign of S̄ − S_{k}: the [[polarity]]. ` +
      `Two questions decide it: was the sample rewarded (A > 0) or penalised (A < 0)? ` +
      `Is it likely (p > p†) or unlikely (p < p†)?`,
    question: (n) => `Penalise rare Lille (p = ${f3(n.pk)}): A = −1, η = 0.5. Wider or narrower?`,
    answer: (n) => ({
      key: direction(n.exact),
      text:
        `${n.exact > 0 ? 'Wider' : 'Narrower'} (exact ${signed(n.exact)} nats), because A < 0 and p = ${f3(n.pk)} < ` +
        `p† = ${f3(n.pdag)}: Lille's little mass goes to the tokens that already have most. The table gives all four ` +
        `cases (exact ΔH, η = 0.5): a rewarded likely token or a penalised rare one narrows; the other two widen. ` +
        flipNote(n, 'p†', n.pdag, 'η·A', true),
    }),
  },
  {
    id: 'control',
    title: 'Control: keeping entropy alive',
    claim: 'Plain policy gradient collapses entropy when rewards follow the likely tokens; control methods change the step.',
    state: state({ ...preset('zipf'), token: 0 }),
    lab: { preset: 'several-correct', vocab: 100, zipf: 1.5, lr: 0.5, steps: 150, group: 16, seed: 1 },
    charts: ['lab'],
    body: () =>
      `Training repeats sampled steps thousands of times, and rewards mostly land on tokens the model already likes, so ` +
      `Cov_{p}(A, S) > 0 and entropy drains. Entropy control changes the step: an entropy bonus adds the gradient of H; ` +
      `clip-higher lets rare tokens rise further (Yu et al. 2025); Zhang et al. 2026 reweight each sample by its ` +
      `[[polarity]]. The lab's “polarity” method is this project's own one-sided rendering of that idea, not the paper's ` +
      `algorithm: once H falls below where it started, it scales up the steps that widen and never amplifies those that narrow. ` +
      `The control lab simulates these on a toy vocabulary.`,
    question: () =>
      `Plain policy gradient, 100 tokens (Zipf), the 4 likeliest rewarded, 150 steps of 16 samples. ` +
      `Does the distribution end wider or narrower than it started?`,
    answer: (n) => ({
      key: direction(n.lab.pg.at(-1) - n.lab.pg[0]),
      text:
        `${n.lab.pg.at(-1) > n.lab.pg[0] ? 'Wider' : 'Narrower'}: plain PG takes H from ${f3(n.lab.pg[0])} to ` +
        `${f3(n.lab.pg.at(-1))} nats. The lab's one-sided polarity reweighting, same seed, ends at ${f3(n.lab.polarity.at(-1))}. ` +
        `Open the lab to compare more methods, seeds and settings.`,
    }),
  },
  {
    id: 'yours',
    title: 'Your own logits, your own run',
    claim: 'The same numbers work on a real model’s logits and on a real training run.',
    state: state({ ...preset('tail'), token: 0, logX: true }),
    charts: ['bars', 'curve'],
    body: () =>
      `A real next-token distribution has one or a few likely tokens and a long tail. The explorer reads logit slices ` +
      `from your own model (“Your logits”) and the per-token exports of an RL run (“Training runs”), and shows every ` +
      `token's p, S_{k}, p† and polarity. This one is a toy long tail of 64 tokens; the q axis is logarithmic.`,
    question: (n) =>
      `A sampled token is usually a likely one. Reward the top token “the” (p = ${f3(n.pk)}) with A = +1, η = 0.1. ` + `Wider or narrower?`,
    answer: (n) => ({
      key: direction(n.exact),
      text:
        `${n.exact > 0 ? 'Wider' : 'Narrower'} (exact ${signed(n.exact)} nats), because p = ${f3(n.pk)} ` +
        `${n.pk > n.pdag ? '>' : '<'} p† = ${f3(n.pdag)}. ${flipNote(n, 'p†', n.pdag, 'η·A', true)} Now try it on your own logits or run:`,
    }),
    links: [
      { href: 'index.html#slices', text: 'Your logits: open a slice from your model' },
      { href: 'index.html#run', text: 'Training runs: open a run’s token exports' },
      {
        href: 'index.html?slice-example=smollm2/slice.safetensors#slices',
        text: 'A real slice: SmolLM2-135M, all 49,152 logits per position',
      },
      { href: 'index.html?run-example=smollm2-grpo#run', text: 'A real run: SmolLM2-135M under GRPO, and what polarity predicted' },
    ],
  },
]);
