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
