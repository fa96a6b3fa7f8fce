// @ts-check
// Every term the explorer uses, defined once, and shown where it is used:
// an element with data-term="A" gets its definition on hover, on keyboard
// focus and on tap (a tap focuses it). The definition is text in the page
// (role tooltip, aria-describedby), so screen readers read it too.

import { setRichText } from '../lib/overbar.js';

/** @type {Record<string, string>} */
export const TERMS = {
  H: 'Entropy H = −Σ p_{j} ln p_{j}: how spread out the next-token distribution is (in nats; ln 2 nats = 1 bit).',
  A: 'Advantage A: how much better than expected the sampled token’s outcome was. A > 0 reinforces the token, A < 0 pushes it down.',
  eta: 'Step size η (the learning rate): how far one update moves the logits.',
  T: 'Temperature T: p = softmax(z / T). Above 1 flattens the distribution, below 1 sharpens it.',
  pk: 'p_{k}: the probability of the chosen token k, the one the update acts on.',
  Sk: 'Discriminator S_{k} = p_{k} (H + ln p_{k}): raising token k’s logit by a small ε changes H by about −ε S_{k} / T. Positive for tokens likelier than e^{−H}.',
  Sbar: 'Mean discriminator S̄ = Σ p_{j} S_{j}: the covariance of p and ln p under p, never negative (0 only for a uniform distribution).',
  pdagger:
    'p† = S̄ / W₀(S̄ e^{H}), the policy-gradient flip: a step with A > 0 on a token with p < p† widens the distribution, above p† it narrows it. p† ≥ e^{−H}.',
  eH: 'e^{−H}, the nudge flip: raising the logit of a token likelier than e^{−H} narrows the distribution, of a rarer one widens it.',
  sensitivity: 'Sensitivity S̄ − S_{k}: the first-order ΔH of a policy-gradient step on token k, per unit η·A/T.',
  G: 'Group size G: how many tokens one sampled step draws from p. Their rewards are normalised within the group, as in GRPO.',
  cov: 'Cov_{p}(A, S) = Σ p_{k} A_{k} S_{k} − Ā S̄: how the advantage varies with S_{k} over tokens drawn from p. Positive when likely tokens (large S_{k}) get the advantage: then H falls on average.',
  polarity:
    'Polarity A (S̄ − S_{k}): its sign says whether the step widens (+, entropy up) or narrows (−, entropy down) the distribution, to first order.',
};

let next = 0;

/** Gives every [data-term] element in `root` its definition. */
export function wireTerms(root = document) {
  for (const el of root.querySelectorAll('[data-term]')) {
    const key = /** @type {HTMLElement} */ (el).dataset.term ?? '';
    const text = TERMS[key];
    if (!text || el.querySelector('.term-tip')) continue;
    const tip = document.createElement('span');
    tip.className = 'term-tip';
    tip.setAttribute('role', 'tooltip');
    tip.id = `term-tip-${next++}`;
    setRichText(tip, text);
    el.classList.add('term');
    el.setAttribute('tabindex', '0');
    el.setAttribute('aria-describedby', tip.id);
    el.append(tip);
    // Inside a <label>, a tap would activate the control and take the
    // focus (and the definition) away: keep it on the term.
    // .open as well as :focus: a window without system focus (a second
    // screen, WebKitGTK under test) never matches :focus.
    el.addEventListener('focus', () => {
      el.classList.add('open');
      keepOnScreen(tip);
    });
    el.addEventListener('mouseenter', () => requestAnimationFrame(() => keepOnScreen(tip)));
    el.addEventListener('blur', () => el.classList.remove('open'));
    el.addEventListener('click', (e) => {
      e.preventDefault();
      /** @type {HTMLElement} */ (el).focus();
    });
  }
}

/** Shifts a shown definition left so that it stays inside the window (a term near the right edge). */
function keepOnScreen(/** @type {HTMLElement} */ tip) {
  tip.style.left = '0px';
  const r = tip.getBoundingClientRect();
  const over = r.right - (document.documentElement.clientWidth - 8);
  if (over > 0) tip.style.left = `${-Math.min(over, r.left - 8)}px`;
}
