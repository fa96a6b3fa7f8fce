// @ts-check
// The lesson's links: lesson.html#scene=3 (scenes count from 1), plus
// &present=1 for presentation mode (?present=1 works too), and the links a
// scene opens elsewhere: the explorer (its own hash, js/lib/link-state.js) and the
// control lab (simulate's option names, docs/contract.md "The link").

import { DEFAULT_STATE, hashFromState } from '../lib/link-state.js';

/**
 * Where a lesson link points: scene index (0-based, clamped) and presentation.
 * @param {string} hash location.hash @param {string} search location.search @param {number} count scenes
 * @returns {{index: number, present: boolean}}
 */
export function parseLessonLink(hash, search, count) {
  const h = new URLSearchParams(hash.replace(/^#/, ''));
  const q = new URLSearchParams(search.replace(/^\?/, ''));
  const n = Number(h.get('scene'));
  const index = Number.isInteger(n) && n >= 1 ? Math.min(n, count) - 1 : 0;
  return { index, present: h.get('present') === '1' || q.get('present') === '1' };
}

/** The hash of scene `index` (0-based). @param {number} index @param {boolean} present */
export function lessonHash(index, present) {
  return `#scene=${index + 1}${present ? '&present=1' : ''}`;
}

/**
 * The explorer with a scene's whole state. Settings the scene does not name
 * (the explorer may have more, e.g. the rewards its sampling draws from)
 * take the explorer's defaults; `rewards`, one per token, is passed on.
 * @param {import('./scenes.js').SceneState} state @param {number[]} [rewards]
 */
export function explorerHref(state, rewards) {
  const s = { ...DEFAULT_STATE, ...state, rewards: rewards ?? state.logits.map(() => 0) };
  return `index.html${hashFromState(s)}`;
}

/** The control lab with these settings. @param {Record<string, string | number>} options */
export function labHref(options) {
  return `lab.html#${Object.entries(options)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')}`;
}

/** The scene a key moves to in presentation mode, or null (not ours). @param {string} key */
export function keyMove(key) {
  if (key === 'ArrowRight' || key === 'PageDown' || key === ' ' || key === 'Spacebar') return 1;
  if (key === 'ArrowLeft' || key === 'PageUp') return -1;
  return null;
}
