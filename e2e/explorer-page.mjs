// Page helpers for the explorer (index.html), shared by its tests.

/** The number a readout holds (its data-value), not the rounded text. */
export const value = (page, id) => page.$eval(`[data-testid="${id}"]`, (el) => Number(el.dataset.value));

/** The explorer's state as its link (the URL hash) holds it. */
export const hashState = (page) =>
  page.evaluate(() => {
    const q = new URLSearchParams(location.hash.slice(1));
    return {
      logits: q
        .get('logits')
        .split(',')
        .map((v) => (v === '-inf' ? -Infinity : Number(v))),
      T: Number(q.get('T')),
      token: Number(q.get('token')),
      kind: q.get('kind'),
      step: Number(q.get('step')),
      adv: Number(q.get('adv')),
    };
  });
