// One test file's set-up, as node:test hooks: the harness (server and
// browser) started before the file's tests and closed after them, and, when
// asked, a fresh temporary folder removed after them.
import { before, after } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup } from './harness.mjs';

/**
 * Registers the hooks; returns the object that `before` fills with setup()'s
 * { base, browser, engine, close } and, with `tmp` (a name prefix such as
 * 'ep-slices-'), `tmp`: the temporary folder's path.
 */
export function useEnv({ tmp: prefix, ...options } = {}) {
  const env = {};
  before(async () => {
    Object.assign(env, await setup(options));
    if (prefix) env.tmp = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    await env.close?.();
    if (env.tmp) await rm(env.tmp, { recursive: true, force: true });
  });
  return env;
}
