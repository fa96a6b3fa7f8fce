// The control lab's settings and their URL-hash form: every lab view is a
// link, e.g. #preset=random&vocab=100&lr=0.5&epochs=8&seeds=16
// Ranges are the core's business: numbers go to `simulate` as typed and its
// errors explain what is allowed. Only the page's own settings (seeds, logx)
// are checked here.

export const STRATEGIES = Object.freeze([
  { key: 'pg', name: 'plain PG', label: 'plain PG', marker: 'circle' },
  { key: 'entropy-bonus', name: 'entropy bonus', label: 'bonus', marker: 'square' },
  { key: 'clip-higher', name: 'clip-higher', label: 'clip-higher', marker: 'triangle' },
  { key: 'polarity', name: 'polarity (ours)', label: 'polarity', marker: 'diamond' },
]);

export const PRESETS = Object.freeze(['one-correct', 'several-correct', 'unlikely-correct', 'noisy', 'random']);
/** Presets that read `correct`; for the others it is not sent (the core would
 *  still check it against V, which only gets in the way). */
export const USES_CORRECT = Object.freeze(['several-correct', 'unlikely-correct']);

export const MAX_SEEDS = 32;

/**
 * The settings in link order. `auto`: may be left to the core (written as
 * `auto`); `page`: the page's own, not a `simulate` option.
 */
export const PARAMS = Object.freeze([
  { key: 'preset', kind: 'text', name: 'reward preset' },
  { key: 'vocab', name: 'vocabulary V' },
  { key: 'correct', name: 'correct tokens' },
  { key: 'noise', auto: true, name: 'reward noise σ' },
  { key: 'zipf', name: 'Zipf exponent' },
  { key: 'group', name: 'group size G' },
  { key: 'steps', name: 'steps' },
  { key: 'seed', name: 'seed' },
  { key: 'seeds', page: true, name: 'seeds averaged' },
  { key: 'lr', name: 'step size η' },
  { key: 'epochs', name: 'epochs' },
  { key: 'clipLow', name: 'ε_low' },
  { key: 'clipHigh', name: 'ε_high' },
  { key: 'entropyCoef', name: 'entropy coefficient β' },
  { key: 'targetEntropy', auto: true, name: 'target entropy H*' },
  { key: 'polarityGain', name: 'gain κ' },
  { key: 'polarityMaxWeight', name: 'largest weight' },
  { key: 'logx', kind: 'bool', page: true, name: 'log step axis' },
]);
const BY_KEY = Object.fromEntries(PARAMS.map((p) => [p.key, p]));

/**
 * The page's defaults: the core's (from simulateDefaults()) except a larger
 * problem (V = 1000, 1000 steps, the benchmark size) and a preset on
 * which the strategies part ways.
 */
export function labDefaults(core) {
  return Object.freeze({
    preset: 'several-correct',
    vocab: 1000,
    correct: core.correct,
    noise: null,
    zipf: core.zipf,
    group: core.group,
    steps: 1000,
    seed: 1, // with the core's default seed 0, polarity's run happens to collapse too
    seeds: 1,
    lr: core.lr,
    epochs: core.epochs,
    clipLow: core.clipLow,
    clipHigh: core.clipHigh,
    entropyCoef: core.entropyCoef,
    targetEntropy: null,
    polarityGain: core.polarityGain,
    polarityMaxWeight: core.polarityMaxWeight,
    logx: true,
  });
}

/** The link form of the settings: every setting, in a fixed order. */
export function hashFromParams(p) {
  const q = PARAMS.map(({ key, kind }) => {
    const v = p[key];
    const text = kind === 'bool' ? (v ? '1' : '0') : v === null ? 'auto' : String(v);
    return `${key}=${encodeURIComponent(text)}`;
  });
  return '#' + q.join('&');
}

/**
 * Reads settings from a hash. Missing keys take the defaults. Returns
 * { params, problems }: problems are sentences about what could not be read
 * (a value that is not a number, an unknown key); those settings keep their
 * defaults. Out-of-range numbers are kept: the core explains them.
 */
export function paramsFromHash(hash, defaults) {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const params = { ...defaults };
  const problems = [];
  for (const [key, raw] of q) {
    const def = BY_KEY[key];
    if (!def) {
      problems.push(`The link has an unknown setting “${key}”; it was ignored.`);
      continue;
    }
    const text = raw.trim();
    if (def.kind === 'text') {
      params[key] = text;
    } else if (def.kind === 'bool') {
      if (text === '1' || text === 'true') params[key] = true;
      else if (text === '0' || text === 'false') params[key] = false;
      else problems.push(`${key} in the link must be 0 or 1, not “${raw}”.`);
    } else if (def.auto && (text === 'auto' || text === '')) {
      params[key] = null;
    } else {
      const v = text === '' ? NaN : Number(text);
      if (Number.isFinite(v)) params[key] = v;
      else problems.push(`${key} in the link is “${raw}”, not a number${def.auto ? ' (or auto)' : ''}; using ${String(defaults[key] ?? 'auto')}.`);
    }
  }
  return { params, problems };
}

/** Checks the page's own settings; returns a message or null. */
export function checkPageParams(p) {
  if (!(Number.isInteger(p.seeds) && p.seeds >= 1 && p.seeds <= MAX_SEEDS)) {
    return `seeds = ${p.seeds} is not allowed: average over 1 to ${MAX_SEEDS} seeds (a whole number).`;
  }
  return null;
}

/** The `simulate` options for one strategy and seed. */
export function simulateOptions(p, strategy, seed = p.seed) {
  const o = {
    strategy,
    preset: p.preset,
    vocab: p.vocab,
    zipf: p.zipf,
    group: p.group,
    steps: p.steps,
    seed,
    lr: p.lr,
    epochs: p.epochs,
    clipLow: p.clipLow,
    clipHigh: p.clipHigh,
    entropyCoef: p.entropyCoef,
    polarityGain: p.polarityGain,
    polarityMaxWeight: p.polarityMaxWeight,
  };
  if (USES_CORRECT.includes(p.preset)) o.correct = p.correct;
  if (p.noise !== null) o.noise = p.noise;
  if (p.targetEntropy !== null) o.targetEntropy = p.targetEntropy;
  return o;
}

export function paramName(key) {
  return BY_KEY[key]?.name ?? key;
}
