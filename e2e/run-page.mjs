// Page helpers for the run panel (#run), shared by the run tests. Only the
// harness's page API (evaluate, getAttribute, …), so the engines' adapters
// run them too.

export const runState = (page) => page.getAttribute('#run', 'data-run-state');

/** Gives `paths` to the file input `selector`; resolves with the panel's state once the load ended. */
export async function upload(page, paths, selector = '[data-testid="run-upload"]') {
  const before = (await page.getAttribute('#run', 'data-run-id')) ?? '';
  await page.setInputFiles(selector, paths);
  await page.waitForFunction(
    (prev) => {
      const s = document.getElementById('run');
      return (
        s.dataset.runState === 'error' || s.dataset.runState === 'cancelled' || (s.dataset.runState === 'ready' && s.dataset.runId !== prev)
      );
    },
    before,
    { timeout: 60000 },
  );
  return runState(page);
}

/** The correlation the panel shows: { pearson, spearman, n, text }. */
export const correlation = (page) =>
  page.evaluate(() => {
    const e = document.querySelector('[data-testid="run-correlation"]');
    const d = e.dataset;
    return {
      pearson: Number(d.pearson),
      spearman: Number(d.spearman),
      n: Number(d.n),
      pSpearman: Number(d.pSpearman),
      gaps: d.gaps,
      noUpdate: d.noUpdate,
      text: e.textContent,
    };
  });

/** Waits until the progress bar of the run being read has moved, twice (the read is under way). */
export async function progressMoves(page, timeout = 30000) {
  const sel = '[data-testid="run-progress"]';
  await page.waitForFunction((q) => Number(document.querySelector(q).value) > 0, sel, { polling: 20, timeout });
  const p0 = await page.evaluate((q) => Number(document.querySelector(q).value), sel);
  await page.waitForFunction(([q, v]) => Number(document.querySelector(q).value) > v, [sel, p0], { polling: 20, timeout });
}
