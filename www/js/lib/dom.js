// @ts-check
// Page helpers shared by every view: element lookup and the one error box
// ([data-testid="error"]), which says what is wrong while the page keeps
// what the person had.

/** @param {string} id @returns {any} the element with this id */
export const $ = (id) => document.getElementById(id);

/**
 * The first element with this data-testid inside `root` (default: the page).
 * @param {string} testId @param {ParentNode} [root] @returns {any}
 */
export const byTest = (testId, root = document) => root.querySelector(`[data-testid="${testId}"]`);

let hideTimer = 0;

/**
 * Shows `message` in the error box. `field`: the input at fault, marked
 * aria-invalid (its text stays, to be corrected). `hideAfterMs`: hide the box
 * after that long (0: keep it until the next clearError).
 * @param {string} message
 * @param {{ field?: Element | null, hideAfterMs?: number }} [options]
 */
export function showError(message, { field = null, hideAfterMs = 0 } = {}) {
  field?.setAttribute('aria-invalid', 'true');
  const box = byTest('error');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(hideTimer);
  if (hideAfterMs > 0)
    hideTimer = setTimeout(() => {
      box.hidden = true;
    }, hideAfterMs);
}

/** Hides the error box and clears every aria-invalid mark. */
export function clearError() {
  const box = byTest('error');
  if (box) box.hidden = true;
  document.querySelectorAll('[aria-invalid="true"]').forEach((e) => e.removeAttribute('aria-invalid'));
}

/**
 * Makes `section` a drop target for files: it is marked (class drop-target)
 * while files are dragged over it, and `onDrop` gets the drop event of any
 * drop that carries files (the caller calls preventDefault once it takes them).
 * @param {HTMLElement} section @param {(e: DragEvent) => void} onDrop
 */
export function dropTarget(section, onDrop) {
  section.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    section.classList.add('drop-target');
  });
  section.addEventListener('dragleave', (e) => {
    if (e.target === section) section.classList.remove('drop-target');
  });
  section.addEventListener('drop', (e) => {
    section.classList.remove('drop-target');
    onDrop(e);
  });
}

/**
 * Sizes a canvas's backing store to its CSS box at the screen's pixel ratio
 * (at most 3), so the core draws sharp lines and measures its labels at the
 * size they are shown; returns that ratio (the core's `scale`).
 * @param {HTMLCanvasElement} canvas @returns {number}
 */
export function fitCanvas(canvas) {
  const dpr = Math.min(window.devicePixelRatio || 1, 3);
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return dpr;
}

/**
 * Opens the example that the page URL names in `?<param>=` (the lesson links to the
 * real examples this way), when `select` offers it: as if the person had picked it.
 * @param {HTMLSelectElement} select @param {string} param
 */
export function openExampleFromUrl(select, param) {
  const name = new URLSearchParams(location.search).get(param);
  if (!name || ![...select.options].some((o) => o.value === name)) return;
  select.value = name;
  select.dispatchEvent(new Event('change'));
}
