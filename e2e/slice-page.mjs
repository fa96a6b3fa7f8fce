// Page helpers for the "Your logits" panel (#slices), shared by the slices
// tests. They use only the harness's page subset (evaluate, waitForFunction,
// setInputFiles), so every engine's page runs them.

/** Uploads `path`; resolves with the panel's state once the load ended. */
export async function upload(page, path) {
  const before = await page.evaluate(() => document.getElementById('slices').dataset.sliceId ?? '');
  await page.setInputFiles('[data-testid="upload"]', path);
  await page.waitForFunction(
    (prev) => {
      const s = document.getElementById('slices');
      return (
        s.dataset.sliceState === 'error' ||
        s.dataset.sliceState === 'cancelled' ||
        (s.dataset.sliceState === 'ready' && s.dataset.sliceId !== prev)
      );
    },
    before,
    { timeout: 30000 },
  );
  return page.evaluate(() => document.getElementById('slices').dataset.sliceState ?? '');
}

/** The page's error message, '' while it is hidden. */
export const errorText = (page) =>
  page.evaluate(() => {
    const e = document.querySelector('[data-testid="error"]');
    return e.hidden ? '' : e.textContent;
  });
