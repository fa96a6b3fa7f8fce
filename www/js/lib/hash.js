// @ts-check
// The one URL-hash codec of the explorer (js/lib/link-state.js) and the control lab
// (js/lab/state.js): how a hash splits into settings, how unknown keys and
// unreadable values are reported, and how settings are written back. Each
// page declares only its keys and what their values may be (issue 8: the two
// pages had two codecs that treated unknown keys differently).

/**
 * Splits a hash ("#a=1&b=2" or "a=1&b=2") into its settings. Every key not
 * in `known` is a problem ("… has an unknown setting “x”, which was ignored"),
 * named once however often it appears.
 * @param {string} hash @param {readonly string[]} known
 * @returns {{ params: URLSearchParams, problems: string[] }}
 */
export function readHash(hash, known) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems = [];
  for (const key of new Set(params.keys())) {
    if (!known.includes(key)) problems.push(unknownSetting(key));
  }
  return { params, problems };
}

/** The sentence both pages use for a key they do not know. @param {string} key */
export function unknownSetting(key) {
  return `the link has an unknown setting “${key}”, which was ignored`;
}

/**
 * A number from the link: undefined when absent; when present but not a
 * finite number accepted by `ok`, `problem` goes into `problems`.
 * @param {URLSearchParams} params @param {string} key
 * @param {(v: number) => boolean} ok @param {string} problem @param {string[]} problems
 */
export function readNumber(params, key, ok, problem, problems) {
  if (!params.has(key)) return undefined;
  const text = String(params.get(key)).trim();
  const v = text === '' ? NaN : Number(text);
  if (Number.isFinite(v) && ok(v)) return v;
  problems.push(problem);
  return undefined;
}

/**
 * A 0/1 switch from the link (also true/false): undefined when absent or
 * unreadable (then a problem).
 * @param {URLSearchParams} params @param {string} key @param {string[]} problems
 */
export function readBool(params, key, problems) {
  if (!params.has(key)) return undefined;
  const text = String(params.get(key)).trim();
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  problems.push(`${key} in the link must be 0 or 1, not “${params.get(key)}”`);
  return undefined;
}

/**
 * Writes settings as a hash, in the order given; each value is written
 * URI-encoded unless `raw` (for values the page has already made
 * link-safe, such as the explorer's comma-separated labels).
 * @param {Array<[string, string] | [string, string, 'raw']>} pairs
 */
export function writeHash(pairs) {
  return '#' + pairs.map(([k, v, raw]) => `${k}=${raw ? v : encodeURIComponent(v)}`).join('&');
}
