// @ts-check
// The example page's interactions: an attribute changed by a button redraws a view;
// a view's change event is shown beside it.
const button = document.getElementById('flip-sign');
button.addEventListener('click', () => {
  const view = document.getElementById('likely');
  const adv = Number(view.getAttribute('adv') ?? '1');
  view.setAttribute('adv', String(-adv));
  button.textContent = `Flip the advantage of the first view (now A = ${-adv})`;
});

// The interactive view says what the reader changed (its `change` event).
document.getElementById('interactive').addEventListener('change', (e) => {
  const { token, labels, logits } = /** @type {CustomEvent} */ (e).detail;
  document.getElementById('last-change').textContent =
    `change: token ${token} (${labels[token]}), logits ${logits.map((z) => Number(z.toFixed(3))).join(', ')}`;
});
