// @ts-check
// The page state and its URL-hash form (docs/contract.md, "The link"): every
// view is a link, e.g. #logits=2,1,0.5,-1&token=0&kind=pg&step=0.1

import { readHash, readNumber, writeHash } from './hash.js';

export const MIN_TOKENS = 2;
export const MAX_TOKENS = 64;

/**
 * @typedef {object} State everything a view shows, and all a link holds
 * @property {number[]} logits @property {string[]} labels
 * @property {number} temperature @property {number} token the chosen bar
 * @property {string} kind "pg" | "nudge" @property {number} step η
 * @property {number} adv A @property {boolean} logX @property {boolean} bits
 * @property {number[]} rewards each token's reward (0 or 1) for sampled steps
 * @property {number} group G, the tokens a sampled step draws
 */

/** Group sizes a sampled step may draw (the core allows more; the page keeps it quick). */
export const MAX_GROUP = 256;
export const DEFAULT_GROUP = 8;

/** @type {Readonly<State>} */
export const DEFAULT_STATE = Object.freeze({
  logits: [2, 1, 0.5, -1],
  labels: ['Paris', 'Lyon', 'Nice', 'Lille'],
  temperature: 1,
  token: 0,
  kind: 'pg',
  step: 0.1,
  adv: 1,
  logX: false,
  bits: false,
  rewards: [0, 0, 0, 0],
  group: DEFAULT_GROUP,
});

/** The rewards fitted to the logits: one per token, missing ones 0. @param {State} s */
export function fitRewards(s) {
  s.rewards = s.logits.map((_, j) => (s.rewards[j] ? 1 : 0));
}

/** Parses one logit as typed by a person: numbers, or -inf to mask. */
export function parseLogit(text) {
  const t = String(text).trim().toLowerCase();
  if (t === '-inf' || t === '-infinity' || t === '−inf' || t === '−∞' || t === '-∞') return -Infinity;
  if (t === '') return NaN;
  const v = Number(t.replace('−', '-'));
  return v;
}

/**
 * A logit rounded to 4 decimals for editing, or kept as it is where
 * rounding has nothing to cut (|z| ≥ 1e11) and z × 1e4 would overflow
 * (1e308 must not become Infinity).
 * @param {number} z
 */
export function roundLogit(z) {
  if (!Number.isFinite(z) || Math.abs(z) >= 1e11) return z;
  return Math.round(z * 1e4) / 1e4;
}

/** A logit for an input box: short (4 decimals), ASCII, readable back by parseLogit. */
export function formatLogit(z) {
  if (z === -Infinity) return '-inf';
  return String(roundLogit(z));
}

/** A logit for the link: 12 significant digits, so that steps taken for real
 *  survive a reload. */
function linkLogit(z) {
  if (z === -Infinity) return '-inf';
  // "1e+308" would come back as "1e 308": a link decodes + as a space.
  return String(Number(z.toPrecision(12))).replace('e+', 'e');
}

function defaultLabel(i) {
  return `t${i}`;
}

/**
 * Reads the state from a hash string. Returns { state, problems } where
 * problems lists what could not be used (the rest falls back to defaults).
 */
export function stateFromHash(hash) {
  const { params, problems } = readHash(hash, HASH_KEYS);
  const s = /** @type {State} */ (structuredClone(DEFAULT_STATE));
  if (params.has('logits')) {
    const zs = params.get('logits').split(',').map(parseLogit);
    const bad = zs.findIndex((z) => Number.isNaN(z) || z === Infinity);
    if (bad >= 0) problems.push(`logit ${bad + 1} in the link is not a number`);
    else if (zs.length < MIN_TOKENS || zs.length > MAX_TOKENS) {
      problems.push(`the link has ${zs.length} logits; the editor takes ${MIN_TOKENS} to ${MAX_TOKENS}`);
    } else if (zs.every((z) => z === -Infinity)) problems.push('every logit in the link is masked');
    else {
      s.logits = zs;
      s.labels = zs.map((_, i) => defaultLabel(i));
    }
  }
  if (params.has('labels')) {
    const ls = params.get('labels').split(',');
    s.labels = s.logits.map((_, i) => (ls[i] ?? '').slice(0, 24) || defaultLabel(i));
  } else if (params.has('logits') && s.logits !== DEFAULT_STATE.logits) {
    s.labels = s.logits.map((_, i) => defaultLabel(i));
  }
  const num = (key, ok, msg) => readNumber(params, key, ok, msg, problems);
  const t = num('T', (v) => v > 0 && v <= 100, 'the temperature in the link must be a number above 0');
  if (t !== undefined) s.temperature = t;
  const k = num(
    'token',
    (v) => Number.isInteger(v) && v >= 0 && v < s.logits.length,
    `the token in the link must be 0 to ${s.logits.length - 1}`,
  );
  if (k !== undefined) s.token = k;
  const step = num('step', (v) => v >= 0 && v <= 1e3, 'the step in the link must be a number from 0 to 1000');
  if (step !== undefined) s.step = step;
  const adv = num('adv', (v) => Math.abs(v) <= 1e3, 'the advantage in the link must be a number');
  if (adv !== undefined) s.adv = adv;
  if (params.has('kind')) {
    const kind = params.get('kind');
    if (kind === 'pg' || kind === 'nudge') s.kind = kind;
    else problems.push(`unknown update kind "${kind}" in the link (use pg or nudge)`);
  }
  if (params.has('rewards')) {
    const rs = params.get('rewards').split(',');
    if (rs.length !== s.logits.length || rs.some((r) => r !== '0' && r !== '1')) {
      problems.push(`the rewards in the link must be ${s.logits.length} zeros and ones, one per token`);
    } else s.rewards = rs.map(Number);
  }
  fitRewards(s);
  const g = num(
    'group',
    (v) => Number.isInteger(v) && v >= 1 && v <= MAX_GROUP,
    `the group size in the link must be a whole number from 1 to ${MAX_GROUP}`,
  );
  if (g !== undefined) s.group = g;
  s.logX = params.get('log') === '1';
  s.bits = params.get('units') === 'bits';
  return { state: s, problems };
}

/** The keys hashFromState writes, and the only ones stateFromHash reads. */
export const HASH_KEYS = ['logits', 'labels', 'T', 'token', 'kind', 'step', 'adv', 'rewards', 'group', 'log', 'units'];

export function hashFromState(s) {
  /** @type {Array<[string, string] | [string, string, 'raw']>} */
  const parts = [
    ['logits', s.logits.map(linkLogit).join(','), 'raw'],
    ['labels', s.labels.map((l) => encodeURIComponent(l.replaceAll(',', ' '))).join(','), 'raw'],
    ['T', String(s.temperature)],
    ['token', String(s.token)],
    ['kind', s.kind],
    ['step', String(s.step)],
    ['adv', String(s.adv)],
  ];
  // Written only when they differ from the defaults, so that links made
  // before sampling existed stay the page's own canonical form.
  if (s.rewards.some((r) => r)) parts.push(['rewards', s.rewards.map((r) => (r ? 1 : 0)).join(','), 'raw']);
  if (s.group !== DEFAULT_GROUP) parts.push(['group', String(s.group)]);
  if (s.logX) parts.push(['log', '1']);
  if (s.bits) parts.push(['units', 'bits']);
  return writeHash(parts);
}

/** Preset distributions: logits and labels. */
export function preset(name) {
  const words = [
    'the',
    'a',
    'this',
    'one',
    'that',
    'its',
    'our',
    'some',
    'any',
    'each',
    'every',
    'no',
    'his',
    'her',
    'their',
    'my',
    'your',
    'an',
    'such',
    'what',
  ];
  const label = (i) => (i < words.length ? words[i] : `t${i}`);
  let logits;
  switch (name) {
    case 'uniform':
      logits = Array(8).fill(0);
      break;
    case 'peaked':
      logits = [4, 1, 0.5, 0, -0.5, -1, -1.5, -2];
      break;
    case 'zipf':
      // p_j ∝ (j+1)^-1.5 over 20 tokens: z_j = −1.5 ln(j + 1), written out
      // (a preset is data; the same in every engine).
      logits = [
        0, -1.0397207708399179, -1.6479184330021643, -2.0794415416798357, -2.4141568686511503, -2.6876392038420827, -2.9188652235829697,
        -3.1191623125197534, -3.295836866004329, -3.453877639491069, -3.596842909197556, -3.7273599746820008, -3.8474240361923053,
        -3.9585859944228874, -4.062075301653315, -4.1588830833596715, -4.249820016084325, -4.335557636844246, -4.41665846874966,
        -4.4935984103309865,
      ];
      break;
    case 'fork':
      return { logits: [2, 2, -1.5, -2, -2.5, -3], labels: ['yes', 'no', 'maybe', 'perhaps', 'unsure', 'never'] };
    case 'tail':
      // One dominant token and a long, slowly decaying tail of 63.
      logits = Array.from({ length: 64 }, (_, j) => (j === 0 ? 4.5 : -0.06 * j + 0.4 * Math.sin(j * 1.7)));
      break;
    default:
      return null;
  }
  return { logits: logits.map(roundLogit), labels: logits.map((_, i) => label(i)) };
}
