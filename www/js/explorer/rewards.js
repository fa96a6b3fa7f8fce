// @ts-check
// The reward toggles of "Sample and reward": one button per token, pressed
// when the token earns a reward of 1 (docs/math.md, "Sampling").

/**
 * Shows one toggle per token; rebuilds only when the tokens change.
 * @param {HTMLElement} box @param {string[]} labels @param {number[]} rewards
 */
export function renderRewards(box, labels, rewards) {
  const names = labels.map((l, j) => `${j}: ${l}`);
  if (box.children.length !== labels.length || [...box.children].some((b, j) => b.getAttribute('aria-label') !== names[j])) {
    box.replaceChildren(
      ...labels.map((l, j) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'reward';
        b.dataset.testid = `reward-${j}`;
        b.dataset.index = String(j);
        b.setAttribute('aria-label', names[j]);
        b.textContent = l;
        return b;
      }),
    );
  }
  rewards.forEach((r, j) => {
    const b = /** @type {HTMLElement} */ (box.children[j]);
    b.setAttribute('aria-pressed', r ? 'true' : 'false');
    b.title = r ? `“${labels[j]}” earns reward 1 (press: 0)` : `“${labels[j]}” earns reward 0 (press: 1)`;
  });
}
