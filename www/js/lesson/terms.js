// @ts-check
// The lesson's glossary: every term the lesson uses, with the definition a
// reader gets on hover, focus or tap (docs/lesson.md). Scene text refers to
// a term as [[key]] or [[key|shown text]] (js/lesson/text.js renders it);
// `name` is what [[key]] shows. Rich text: ^{…} superscript, _{…} subscript.

/** @type {Readonly<Record<string, {name: string, def: string}>>} */
export const TERMS = Object.freeze({
  logit: {
    name: 'logit',
    def: 'A logit z_{k} is the raw score a model gives token k before softmax. Only differences between logits matter: adding the same number to all of them changes nothing.',
  },
  softmax: {
    name: 'softmax',
    def: 'p_{k} = exp(z_{k}/T) / Σ_{j} exp(z_{j}/T): turns logits into probabilities that are positive and sum to 1.',
  },
  T: {
    name: 'temperature T',
    def: 'Temperature T divides every logit before softmax. T > 1 flattens the distribution, T < 1 sharpens it. Updates act on the raw logits, so first-order changes carry a factor 1/T.',
  },
  p: {
    name: 'p_{k}',
    def: 'p_{k}: the probability of token k, softmax of the logits.',
  },
  H: {
    name: 'entropy H',
    def: 'Entropy H = −Σ_{k} p_{k} ln p_{k}: how spread out the distribution is. 0 when one token is certain; ln V when all V tokens are equally likely.',
  },
  nats: {
    name: 'nats',
    def: 'The unit of entropy with the natural logarithm (ln). 1 nat = 1/ln 2 ≈ 1.443 bits.',
  },
  nudge: {
    name: 'nudge',
    def: 'A nudge raises one logit by ε: z_{k} ← z_{k} + ε. Every other logit stays put.',
  },
  S: {
    name: 'S_{k}',
    def: 'The discriminator S_{k} = p_{k} (H + ln p_{k}). Raising z_{k} by ε changes H by about −ε S_{k} / T. S_{k} < 0 exactly when p_{k} < e^{−H}.',
  },
  eH: {
    name: 'e^{−H}',
    def: 'e^{−H}: where a nudge flips. Raising a token likelier than e^{−H} narrows the distribution; raising a rarer one widens it.',
  },
  pg: {
    name: 'policy-gradient step',
    def: 'The RL update on a sampled token k: z ← z + η A (e_{k} − p). Token k gains η A (1 − p_{k}); every other token j loses η A p_{j}.',
  },
  A: {
    name: 'advantage A',
    def: 'Advantage A: how much better than expected the sampled answer was (e.g. its reward minus the average reward). A > 0 reinforces the token, A < 0 penalises it.',
  },
  eta: {
    name: 'step size η',
    def: 'Step size η (the learning rate) scales the update. Only the product η·A enters the step.',
  },
  Sbar: {
    name: 'S̄',
    def: 'S̄ = Σ_{j} p_{j} S_{j}, the mean discriminator. It is the covariance of p and ln p under p, so S̄ ≥ 0 (0 only when all tokens are equally likely).',
  },
  pdag: {
    name: 'p†',
    def: 'p†: where a policy-gradient step flips, the probability at which S_{k} = S̄ (p† = S̄ / W₀(S̄ e^{H})). Rewarding a token below p† widens the distribution; above it narrows.',
  },
  asym: {
    name: 'asymmetry',
    def: 'p† ≥ e^{−H} always, because S̄ ≥ 0. Between the two a nudge narrows while a rewarded policy-gradient step widens.',
  },
  polarity: {
    name: 'polarity',
    def: 'Polarity A (S̄ − S_{k}): the sign of the first-order entropy change of a policy-gradient step. > 0 widens (entropy up), < 0 narrows.',
  },
  first: {
    name: 'first order',
    def: 'The first-order change: the slope of H times the step (ΔH ≈ (η A / T)(S̄ − S_{k}) for a policy-gradient step). Accurate for small steps only.',
  },
  exact: {
    name: 'exact change',
    def: 'The exact change: apply the update for real and measure H(after) − H(before).',
  },
  cov: {
    name: 'Cov_{p}(A, S)',
    def: 'The covariance of the advantage and S under p: Σ_{k} p_{k} A_{k} S_{k} − Ā S̄, where Ā = Σ p_{k} A_{k}. Positive when rewarded tokens are the likely ones.',
  },
});
