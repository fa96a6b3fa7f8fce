// @ts-check
// The control lab's settings: the shared state of the page (lab), the
// inputs ⇄ settings, the strategy the download and the explorer link are
// about, and errors that name the setting at fault. The link codec and the
// option table's limits: state.js.

import { $, showError as showPageError } from '../lib/dom.js';
import { BY_STRATEGY, STRATEGIES, USES_CORRECT, shownStrategies } from './state.js';

/**
 * The page's state. PARAMS: the settings, from the core's option table
 * (state.js); DEFAULTS their values; params: the settings of the inputs (may
 * not have run yet); shown: { params, agg } of the charts on screen; active:
 * the strategies of the charts on screen; hoverStep: the step under the pointer.
 * @type {{ PARAMS: readonly any[], DEFAULTS: any, params: any, shown: any, active: any[], hoverStep: number | null }}
 */
export const lab = { PARAMS: [], DEFAULTS: null, params: null, shown: null, active: STRATEGIES.slice(0, 4), hoverStep: null };

// Errors say what is wrong and keep what is on screen.
/** Shows `message`; `key` names the setting at fault (its input is marked). */
export function showError(message, key = null) {
  showPageError(message, { field: key && document.querySelector(`[data-param="${key}"]`) });
}
const paramName = (key) => lab.PARAMS.find((p) => p.key === key)?.name ?? key;

/** Input limits and range hints from the core's table: one place for them. */
export function applyLimits() {
  const js = (x) => String(x);
  for (const def of lab.PARAMS) {
    if (!def.spec) continue;
    const { min, max, help } = def.spec;
    const input = /** @type {HTMLInputElement | null} */ (document.querySelector(`input[data-param="${def.key}"]`));
    if (input && input.type === 'number') {
      if (min !== null) input.min = js(min);
      if (max !== null && Number.isFinite(max)) input.max = js(max);
      input.title = help;
    }
    const hint = document.querySelector(`[data-range="${def.key}"]`);
    if (hint && min !== null) hint.textContent = Number.isFinite(max) ? `${js(min)}–${js(max)}` : `≥ ${js(min)}`;
  }
}

export function inputs() {
  return /** @type {any[]} inputs and selects */ ([...document.querySelectorAll('[data-param]')]);
}

export function syncInputs() {
  const focused = document.activeElement;
  for (const input of inputs()) {
    const key = input.dataset.param;
    const v = lab.params[key];
    if (input.type === 'checkbox') {
      input.checked = !!v;
      continue;
    }
    if (input === focused) continue;
    if (input.tagName === 'SELECT') {
      if (![...input.options].some((o) => o.value === v)) {
        input.append(new Option(`${v} (unknown)`, v)); // shown as given; the core explains
      }
      input.value = v;
    } else {
      input.value = v === null ? '' : String(v);
    }
  }
  $('p-correct').disabled = !USES_CORRECT.includes(lab.params.preset);
  $('p-correct').title = $('p-correct').disabled ? 'Used by the several-correct and unlikely-correct presets' : '';
  const on = String(lab.params.strategies).split(',');
  for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('[data-strategy-toggle]')))
    box.checked = on.includes(box.dataset.strategyToggle);
  syncFocus();
}

/** Reads one input into `params`; returns an error message or null. */
export function readInput(input) {
  const key = input.dataset.param;
  const def = lab.PARAMS.find((p) => p.key === key);
  if (input.type === 'checkbox') {
    lab.params[key] = input.checked;
    return null;
  }
  if (input.tagName === 'SELECT') {
    lab.params[key] = input.value;
    return null;
  }
  const text = input.value.trim();
  if (input.validity.badInput || (text === '' && !def.auto)) {
    return `${paramName(key)}: type a number${def.auto ? ', or leave it empty for the automatic value' : ''}.`;
  }
  lab.params[key] = text === '' ? null : Number(text);
  return null;
}

/** The strategy the download and the explorer link are about. */
export function focusStrategy() {
  const key = $('focus-strategy').value;
  return BY_STRATEGY[key] && shownStrategies(lab.shown?.params ?? lab.params).list.some((s) => s.key === key) ? key : lab.active[0].key;
}

export function syncFocus() {
  const select = $('focus-strategy');
  const keep = select.value;
  select.replaceChildren(...shownStrategies(lab.params).list.map((s) => new Option(s.name, s.key)));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}
