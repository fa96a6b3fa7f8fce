// @ts-check
// The control lab's settings and their URL-hash form: every lab view is a
// link, e.g. #preset=random&vocab=100&lr=0.5&epochs=8&seeds=16
// The simulate options come from the core's one table (simulateOptions():
// name, kind, default, min, max, help); only the page's own settings
// (seeds, strategies shown, log axis, the grid's axes) are declared here.
// Ranges are the core's business: numbers go to `simulate` as typed and its
// errors (with .option) explain what is allowed.

import { readBool, readHash, writeHash } from '../lib/hash.js';

export const STRATEGIES = Object.freeze([
  { key: 'pg', name: 'plain PG', label: 'plain PG', marker: 'circle' },
  { key: 'entropy-bonus', name: 'entropy bonus', label: 'bonus', marker: 'square' },
  { key: 'clip-higher', name: 'clip-higher', label: 'clip-higher', marker: 'triangle' },
  { key: 'polarity', name: 'polarity (ours)', label: 'polarity', marker: 'diamond' },
  { key: 'clip-cov', name: 'Clip-Cov', label: 'clip-cov', marker: 'square' },
  { key: 'kl-cov', name: 'KL-Cov', label: 'kl-cov', marker: 'triangle' },
  { key: 'disc-clip', name: 'disc. clipping', label: 'disc-clip', marker: 'circle' },
  { key: 'entropic', name: 'EntroPIC-style PI', label: 'entropic', marker: 'diamond' },
  { key: 'steer', name: 'STEER weights', label: 'steer', marker: 'circle' },
]);
export const BY_STRATEGY = Object.fromEntries(STRATEGIES.map((s) => [s.key, s]));
export const DEFAULT_SHOWN = 'pg,entropy-bonus,clip-higher,polarity';

/** Presets that read `correct`; for the others it is not sent. */
export const USES_CORRECT = Object.freeze(['several-correct', 'unlikely-correct']);

export const MAX_SEEDS = 32;
/** Lines a trace download may hold (steps × group). */
export const MAX_TRACE_LINES = 200000;

/** The page's own settings, after the simulate options in the link. */
const PAGE_PARAMS = [
  { key: 'seeds', kind: 'count', page: true, name: 'seeds averaged' },
  { key: 'strategies', kind: 'list', page: true, name: 'strategies shown' },
  { key: 'logx', kind: 'bool', page: true, name: 'log step axis' },
  { key: 'grid', kind: 'bool', page: true, name: 'run the scenario grid' },
  { key: 'gRewards', kind: 'list', page: true, grid: true, name: 'grid reward structures' },
  { key: 'gVocab', kind: 'list', page: true, grid: true, name: 'grid V' },
  { key: 'gLr', kind: 'list', page: true, grid: true, name: 'grid lr' },
  { key: 'gEpochs', kind: 'list', page: true, grid: true, name: 'grid epochs' },
  { key: 'gClip', kind: 'list', page: true, grid: true, name: 'grid clip ε_low:ε_high' },
  { key: 'gSeeds', kind: 'count', page: true, grid: true, name: 'grid seeds' },
  { key: 'gSteps', kind: 'count', page: true, grid: true, name: 'grid steps' },
  { key: 'gKeep', kind: 'number', page: true, grid: true, name: 'grid entropy share kept' },
];

/**
 * The settings in link order, from the core's table: every option but
 * `strategy` (the page runs several) and `rewards` (not a link setting),
 * then the page's own. `auto`: may be left to the core (written `auto`).
 * @param {Array<{name: string, kind: string, optional: boolean, default: any, help: string}>} table
 */
export function buildParams(table) {
  const core = table
    .filter((s) => s.name !== 'strategy' && s.name !== 'rewards')
    .map((s) => ({
      key: s.name,
      kind: s.kind === 'choice' ? 'text' : s.kind === 'vector' ? 'vector' : s.kind,
      auto: s.optional && (s.default === null || s.kind === 'vector'),
      name: s.help,
      spec: s,
    }));
  return Object.freeze([...core, ...PAGE_PARAMS]);
}

/**
 * The page's defaults: the core's except a larger problem (V = 1000, 1000
 * steps) and a preset on which the strategies part ways.
 * @param {Record<string, any>} core simulateDefaults()
 */
export function labDefaults(core) {
  const d = { ...core };
  delete d.strategy;
  return Object.freeze({
    ...d,
    preset: 'several-correct',
    vocab: 1000,
    steps: 1000,
    seed: 1,
    logits: null,
    seeds: 1,
    strategies: DEFAULT_SHOWN,
    logx: true,
    grid: false,
    gRewards: 'one,several,unlikely,noisy,random,explicit',
    gVocab: '20,100',
    gLr: '0.1,0.5',
    gEpochs: '1,4',
    gClip: '0.2:0.28',
    gSeeds: 3,
    gSteps: 150,
    gKeep: 0.5,
  });
}

/** The link form of the settings: every setting, in a fixed order (a
 * vector only when given). */
export function hashFromParams(params, p) {
  /** @type {Array<[string, string]>} */
  const q = [];
  for (const { key, kind } of params) {
    const v = p[key];
    if (kind === 'vector') {
      if (v) q.push([key, Array.from(v).join(',')]);
      continue;
    }
    q.push([key, kind === 'bool' ? (v ? '1' : '0') : v === null ? 'auto' : String(v)]);
  }
  return writeHash(q);
}

/**
 * Reads settings from a hash. Missing keys take the defaults. Returns
 * { params, problems }: problems are sentences about what could not be read
 * (a value that is not a number, an unknown key); those settings keep their
 * defaults. Out-of-range numbers are kept: the core explains them.
 */
export function paramsFromHash(params, hash, defaults) {
  const byKey = Object.fromEntries(params.map((p) => [p.key, p]));
  const { params: q, problems: unknown } = readHash(hash, Object.keys(byKey));
  const out = { ...defaults };
  const problems = unknown;
  for (const [key, raw] of q) {
    const def = byKey[key];
    if (!def) continue; // reported above
    const text = raw.trim();
    if (def.kind === 'text' || def.kind === 'list') {
      out[key] = text;
    } else if (def.kind === 'bool') {
      const b = readBool(q, key, problems);
      if (b !== undefined) out[key] = b;
    } else if (def.kind === 'vector') {
      const v = text.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
      if (v.length >= 2 && v.every(Number.isFinite)) out[key] = v;
      else problems.push(`${key} in the link must be at least two numbers separated by commas.`);
    } else if (def.auto && (text === 'auto' || text === '')) {
      out[key] = null;
    } else {
      const v = text === '' ? NaN : Number(text);
      if (Number.isFinite(v)) out[key] = v;
      else
        problems.push(
          `${key} in the link is “${raw}”, not a number${def.auto ? ' (or auto)' : ''}; using ${String(defaults[key] ?? 'auto')}.`,
        );
    }
  }
  // The lab shows each problem as a sentence of its own.
  return { params: out, problems: problems.map((m) => `${m.replace(/^the /, 'The ')}${m.endsWith('.') ? '' : '.'}`) };
}

/** The strategies shown, in the page's order; unknown names are reported. */
export function shownStrategies(p) {
  const keys = String(p.strategies)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = keys.filter((k) => !BY_STRATEGY[k]);
  return { list: STRATEGIES.filter((s) => keys.includes(s.key)), unknown };
}

/** Checks the page's own settings; returns { message, key } or null. */
export function checkPageParams(p) {
  if (!(Number.isInteger(p.seeds) && p.seeds >= 1 && p.seeds <= MAX_SEEDS)) {
    return { key: 'seeds', message: `seeds = ${p.seeds} is not allowed: average over 1 to ${MAX_SEEDS} seeds (a whole number).` };
  }
  const { list, unknown } = shownStrategies(p);
  if (unknown.length)
    return { key: 'strategies', message: `Unknown strategy “${unknown[0]}” in the link: use ${STRATEGIES.map((s) => s.key).join(', ')}.` };
  if (!list.length) return { key: 'strategies', message: 'Pick at least one strategy to show.' };
  return null;
}

/**
 * The `simulate` options for one strategy and seed: every core setting
 * except those left to the core (null) and those the run does not read.
 */
export function runOptions(params, p, strategy, seed = p.seed) {
  /** @type {Record<string, any>} */
  const o = { strategy };
  for (const def of params) {
    if (def.page) continue;
    const v = p[def.key];
    if (v === null || v === undefined) continue;
    if (def.key === 'correct' && !USES_CORRECT.includes(p.preset)) continue;
    if (def.key === 'zipf' && p.logits) continue; // the logits set the start
    if (def.key === 'vocab' && p.logits) continue; // their length is V
    o[def.key] = def.kind === 'vector' ? Float64Array.from(v) : v;
  }
  o.seed = seed;
  return o;
}

/** The grid's settings as gridPlan() takes them, or { error, key }. */
export function gridSpec(p, strategies = STRATEGIES.map((s) => s.key)) {
  const nums = (key) => {
    const v = String(p[key])
      .split(',')
      .map((x) => Number(x.trim()));
    if (!v.length || !v.every(Number.isFinite)) throw { key, message: `${key}: give numbers separated by commas, such as 0.1,0.5.` };
    return v;
  };
  try {
    const clip = String(p.gClip)
      .split(',')
      .map((pair) => {
        const [lo, hi = lo] = pair.split(':').map((x) => Number(x.trim()));
        if (!Number.isFinite(lo) || !Number.isFinite(hi))
          throw { key: 'gClip', message: 'gClip: give ε_low:ε_high pairs separated by commas, such as 0.2:0.28.' };
        return [lo, hi];
      });
    return {
      rewards: String(p.gRewards)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      vocab: nums('gVocab'),
      lr: nums('gLr'),
      epochs: nums('gEpochs'),
      clip,
      seeds: p.gSeeds,
      steps: p.gSteps,
      keep: p.gKeep,
      strategies,
    };
  } catch (e) {
    return { error: e.message, key: e.key };
  }
}
