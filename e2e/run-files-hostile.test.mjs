// End to end: the page-visible cases of the run reader's hostile-input sweep
// (issue 19; the full list is tests/fixtures/hostile_runs.json, checked
// natively and through DuckDB). Unrelated files beside a run are skipped and
// named; a safetensors trace over 1 GiB is refused from its header, at once.
// Only the harness's page subset (evaluate, setInputFiles, getAttribute).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { open } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { upload } from './run-page.mjs';

const env = useEnv({ tmp: 'ep-run-files-hostile-' });
const RUNS = new URL('../www/examples/runs/', import.meta.url).pathname;

async function file(name, bytes) {
  const path = join(env.tmp, name);
  await writeFile(path, bytes);
  return path;
}
const textOf = (page, sel) => page.evaluate((q) => document.querySelector(q)?.textContent ?? '', sel);

test('a run with a config, a tokenizer.json, a per-step CSV and an empty rank file opens, naming what it skipped', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/`);
  const rank = join(env.tmp, 'rank_0.jsonl');
  await copyFile(join(RUNS, 'prime-rl/token_exports/step_1/rank_0.jsonl'), rank);
  const others = [
    await file('config.json', `${JSON.stringify({ model: 'x', lr: 1e-6 }, null, 2)}\n`),
    await file('tokenizer.json', `${JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: { a: 0 } } })}\n`),
    await file(
      'steps.csv',
      'step,samples,tokens,mean_entropy,mean_prob,token_term,share_pos_expand,share_pos_contract,share_neg_expand,share_neg_contract,pg_polarity,realised_dh\n1,2,4,1.5,0.4,0.1,,,,,,\n',
    ),
    await file('rank_1.jsonl', ''),
  ];
  assert.equal(await upload(page, [rank, ...others]), 'ready', await textOf(page, '[data-testid="run-error"]'));
  const status = await textOf(page, '[data-testid="run-status"]');
  assert.match(
    status,
    /4 file\(s\) skipped as not run files: config\.json, rank_1\.jsonl, steps\.csv, tokenizer\.json \(the first: config\.json:1: /,
  );
  // A token names the file it came from, not the skipped file before it (config.json)
  await page.click('[data-testid="run-jump-expand"]');
  const where = await textOf(page, '[data-testid="run-token"] dd[data-key="where"]');
  assert.match(where, / — rank_0\.jsonl line \d+$/, where);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a safetensors trace declaring 2 GiB is refused from its header, with its size', async () => {
  const { page, context } = await open(env.browser, `${env.base}/`);
  const header = Buffer.from(
    JSON.stringify({
      __metadata__: { trace: 'entropy-polarity', version: '1' },
      logprob: { dtype: 'F32', shape: [536870912], data_offsets: [0, 2147483648] },
    }),
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  const big = await file('big.safetensors', Buffer.concat([len, header, Buffer.alloc(64)]));
  assert.equal(await upload(page, [big]), 'error');
  const msg = await textOf(page, '[data-testid="run-error"]');
  assert.match(msg, /big\.safetensors: this safetensors trace is 2048 MiB, and the reader holds a safetensors trace whole, up to 1024 MiB/);
  await context.close();
});
