// End to end for prime-rl's trace streams with annotations on the run panel
// (issue 22): the seeded example (www/examples/runs/prime-rl-traces/), picked,
// linked (?run-example=) and dropped as a folder, gives the per-step table of
// the plain-Python fold scripts/prime_traces_example.py wrote apart
// (tests/fixtures/prime_traces_expected.json); each kind of bad input is
// listed by file, line and field while the rest of the run is read. Only the
// harness's page API, so the engines' adapters run it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { open, ENGINE } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { progressMoves, runState, upload } from './run-page.mjs';

const RUNS = new URL('../www/examples/runs/', import.meta.url).pathname;
const TRACES = join(RUNS, 'prime-rl-traces/monitors/file/traces');
const FIXTURE = JSON.parse(await readFile(new URL('../tests/fixtures/prime_traces_expected.json', import.meta.url), 'utf8'));
const BASELINE = FIXTURE.rows.reduce((s, r) => s + r[2], 0); // counted tokens of the run

const env = useEnv({ tmp: 'ep-run-traces-' });

const text = (page, id) => page.evaluate((t) => document.querySelector(`[data-testid="${t}"]`)?.textContent ?? '', id);

async function exportSteps(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-steps"]')]);
  const [head, ...lines] = (await readFile(await download.path(), 'utf8')).trimEnd().split('\n');
  return { head: head.split(','), rows: lines.map((l) => l.split(',').map((c) => (c === '' ? null : Number(c)))) };
}

function checkTable(csv, what) {
  assert.deepEqual(csv.head, FIXTURE.header, `${what}: header`);
  assert.equal(csv.rows.length, FIXTURE.rows.length, `${what}: one line per step`);
  csv.rows.forEach((row, i) =>
    FIXTURE.header.forEach((h, j) => {
      const [got, want] = [row[j], FIXTURE.rows[i][j]];
      if (want === null) assert.equal(got, null, `${what} step ${row[0]} ${h}: ${got}, want empty`);
      else assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${what} step ${row[0]} ${h}: ${got} vs ${want}`);
    }),
  );
}

/** Every file under a folder (the harness's files input takes a list). */
async function filesUnder(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push(...(e.isDirectory() ? await filesUnder(p) : [p]));
  }
  return out.sort();
}

/** Drops the traces folder: the folder input in Chromium, its files elsewhere (e2e/README.md). */
const drop = async (page, dir) =>
  ENGINE === 'chromium' ? upload(page, dir, '[data-testid="run-upload-folder"]') : upload(page, await filesUnder(dir));

const problemsShown = (page) =>
  page.evaluate(() => [...document.querySelectorAll('[data-testid="run-problem"]')].map((e) => ({ ...e.dataset, text: e.textContent })));

test('the example, linked and dropped as a folder: the plain-Python fold’s table', async () => {
  const linked = await open(env.browser, `${env.base}/?run-example=prime-rl-traces#run`);
  const { page } = linked;
  await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('run').dataset.runState ?? ''), null, {
    timeout: 60000,
  });
  assert.equal(await runState(page), 'ready', await text(page, 'run-error'));
  assert.equal(await page.getAttribute('[data-testid="run-status"]', 'data-format'), 'prime-rl-traces');
  const status = await text(page, 'run-status');
  assert.match(status, /prime-rl trace streams with annotations/);
  assert.match(status, /Read 6 file\(s\)/);
  assert.match(status, /2 branch\(es\) of traces never shipped/, 'the eval episodes are named as not read');
  checkTable(await exportSteps(page), 'picked example');
  assert.deepEqual(await problemsShown(page), []);

  assert.equal(await drop(page, TRACES), 'ready', await text(page, 'run-error'));
  checkTable(await exportSteps(page), 'dropped folder');
  assert.deepEqual(linked.problems, []);
  await linked.context.close();
});

test('bad updates and a corrupt zstd frame are each named by file, line and field; the rest is read', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  const dir = join(env.tmp, 'traces');
  await cp(TRACES, dir, { recursive: true });
  const live = join(dir, 'annotations/trainer/00001.jsonl');
  const lines = (await readFile(live, 'utf8')).split('\n').filter(Boolean).length;
  // A trace of the live stream chunk and its branch count (leaves: nodes no parent points at).
  const first = JSON.parse((await readFile(join(dir, 'stream/00002.jsonl'), 'utf8')).split('\n')[0]).traces[0];
  const parents = new Set(first.nodes.map((n) => n.parent));
  const branches = first.nodes.filter((_, i) => !parents.has(i)).length;
  const update = (rest) => `{"version":1,"trace_id":"${first.id}","info":{},${rest}}`;
  const bad = [
    ['{"version":1,"trace_id":"nope","info":{},"branches":[{"index":0,"entropies":[1.0]}]}', 'trace_id', /no trace nope/],
    [update(`"branches":[{"index":${branches},"entropies":[1.0]}]`), 'branches[0].index', new RegExp(`${branches} branches`)],
    // 3 values do not cover the prompt node: nothing changes
    [update('"branches":[{"index":0,"entropies":[null,9.0,9.0]}]'), 'branches[0].entropies', /shorter than branch 0/],
    [update('"branches":[]').replace('"version":1', '"version":2'), 'version', /update version 2 is unknown/],
  ];
  await appendFile(live, bad.map((b) => `${b[0]}\n`).join(''));
  assert.equal(await drop(page, dir), 'ready', await text(page, 'run-error'));
  const shown = await problemsShown(page);
  assert.equal(shown.length, bad.length, JSON.stringify(shown));
  bad.forEach(([, field, message], k) => {
    const p = shown.find((s) => s.field === field);
    assert.ok(p, `${field}: ${JSON.stringify(shown)}`);
    assert.ok(p.file.endsWith('00001.jsonl') && !p.file.includes('stream'), `${field}: file ${p.file}`);
    assert.equal(p.line, String(lines + k + 1), `${field}: line`);
    assert.match(p.text, message);
    assert.match(p.text, new RegExp(`00001\\.jsonl:${lines + k + 1}: `), `${field}: the message names file and line`);
  });
  let csv = await exportSteps(page);
  assert.equal(
    csv.rows.reduce((s, r) => s + r[2], 0),
    BASELINE,
    'every token of the run is still read',
  );
  assert.match(await text(page, 'run-status'), /4 problem\(s\) left part of the run out/);

  // A flipped byte in the last frame of a sealed stream chunk: its earlier frames are read.
  await cp(TRACES, dir, { recursive: true, force: true });
  const sealed = join(dir, 'stream/00001.jsonl.zst');
  const bytes = await readFile(sealed);
  bytes[Math.floor((bytes.length * 3) / 4)] ^= 0x55;
  await writeFile(sealed, bytes);
  assert.equal(await drop(page, dir), 'ready', await text(page, 'run-error'));
  const after = await problemsShown(page);
  const zst = after.find((p) => p.file.endsWith('00001.jsonl.zst'));
  assert.ok(zst, JSON.stringify(after));
  assert.match(zst.text, /zstd frame \d+ \(byte \d+\) is corrupt/);
  assert.ok(/^\d+$/.test(zst.line), `the line where decoding stopped: ${zst.line}`);
  // the lost episodes' updates are named, each with its file, line and field
  assert.ok(
    after.filter((p) => p !== zst).every((p) => p.field === 'trace_id' && /^\d+$/.test(p.line) && p.file),
    JSON.stringify(after),
  );
  csv = await exportSteps(page);
  const tokens = csv.rows.reduce((s, r) => s + r[2], 0);
  assert.ok(tokens > 0 && tokens < BASELINE, `${tokens} of ${BASELINE} tokens read`);
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * A trace-stream run of `steps` × `perStep` traces written in time order, as
 * prime-rl writes it (the episodes of step s, the orchestrator's ship updates,
 * then one step later the trainer's updates), each stream cut into chunks of
 * its own length; every trace one branch of a 4-token prompt and `t` sampled
 * tokens, all counted. Returns the folder.
 */
async function writeTraceRun(dir, { steps, perStep, t }) {
  const streams = { stream: [1000, []], 'annotations/orchestrator': [1500, []], 'annotations/trainer': [800, []] };
  const id = (s, k) => `${s.toString(16).padStart(8, '0')}${k.toString(16).padStart(24, '0')}`;
  const nulls = [null, null, null, null];
  const ids = Array.from({ length: t }, (_, i) => 1000 + i);
  for (let s = 0; s <= steps; s++) {
    for (let k = 0; s < steps && k < perStep; k++) {
      const nodes = [
        { parent: null, token_ids: [1, 2, 3, 4], mask: [false, false, false, false] },
        { parent: 0, token_ids: ids, mask: ids.map(() => true) },
      ];
      streams.stream[1].push(JSON.stringify({ env: { name: 'e' }, traces: [{ id: id(s, k), info: {}, nodes }] }));
    }
    for (let k = 0; s < steps && k < perStep; k++) {
      const a = k % 2 ? -1 : 1;
      const advantages = [0, 0, 0, 0, ...ids.map(() => a)];
      streams['annotations/orchestrator'][1].push(
        JSON.stringify({ version: 1, trace_id: id(s, k), info: { ship: { step: s } }, branches: [{ index: 0, advantages }] }),
      );
    }
    for (let k = 0; s > 0 && k < perStep; k++) {
      const branch = {
        index: 0,
        trainer_logprobs: [...nulls, ...ids.map((_, i) => -((i % 7) + 1) / 8)],
        entropies: [...nulls, ...ids.map((_, i) => (i % 5) / 2 + 0.25)],
        is_masked: [...nulls, ...ids.map(() => false)],
      };
      streams['annotations/trainer'][1].push(JSON.stringify({ version: 1, trace_id: id(s - 1, k), info: {}, branches: [branch] }));
    }
  }
  for (const [sub, [size, lines]] of Object.entries(streams)) {
    await mkdir(join(dir, sub), { recursive: true });
    for (let c = 0; c * size < lines.length; c++)
      await writeFile(join(dir, sub, `${String(c).padStart(5, '0')}.jsonl`), `${lines.slice(c * size, (c + 1) * size).join('\n')}\n`);
  }
  return dir;
}

test('a large trace-stream run: progress over both passes, Cancel keeps the view, then it loads whole', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  assert.equal(await drop(page, TRACES), 'ready', await text(page, 'run-error'));
  const kept = await text(page, 'run-status');
  const [steps, perStep, t] = [12, 400, 300];
  const big = await writeTraceRun(join(env.tmp, 'big'), { steps, perStep, t });
  const give = async () =>
    ENGINE === 'chromium'
      ? page.setInputFiles('[data-testid="run-upload-folder"]', big)
      : page.setInputFiles('[data-testid="run-upload"]', await filesUnder(big));
  await give();
  await progressMoves(page, 60000);
  await page.click('[data-testid="run-cancel"]');
  assert.equal(await runState(page), 'cancelled');
  assert.match(await text(page, 'run-notice'), /Cancelled; the previous view .* is kept/);
  assert.equal(await text(page, 'run-status'), kept);
  // left alone, it loads whole: every trace folded, counts known in closed form
  const before = (await page.getAttribute('#run', 'data-run-id')) ?? '';
  await give();
  await page.waitForFunction(
    (prev) =>
      ['ready', 'error'].includes(document.getElementById('run').dataset.runState) && document.getElementById('run').dataset.runId !== prev,
    before,
    { timeout: 120000 },
  );
  assert.equal(await runState(page), 'ready', await text(page, 'run-error'));
  const csv = await exportSteps(page);
  assert.equal(csv.rows.length, steps);
  for (const r of csv.rows) assert.deepEqual(r.slice(1, 3), [perStep, perStep * t], `step ${r[0]}: samples, tokens`);
  assert.deepEqual(await problemsShown(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
