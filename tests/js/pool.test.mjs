// The slice pool (www/js/slices/pool.js with js/slices/pool-worker.js's chunk handling) in
// Node, on the real wasm build (scripts/build.sh first) and real .npy bytes:
// results equal one analyzeRows call over the whole slice bit for bit, for
// any number of workers and any order of arrival; a failing chunk names its
// row in the file and stops every worker. Workers are made in-process
// (runPool takes a spawn function), with random delays to shuffle arrivals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initSync, readHeader, analyzeRows } from '../../www/pkg/entropy_polarity.js';
import { poolSize, runPool } from '../../www/js/slices/pool.js';
import { chunkRunner } from '../../www/js/slices/pool-worker.js';
import { header } from '../../www/js/slices/read.js';

initSync({ module: readFileSync(new URL('../../www/pkg/entropy_polarity_bg.wasm', import.meta.url)) });

const ROWS = 23;
const VOCAB = 4099;
const PER_CHUNK = 4; // 6 chunks, the last one of 3 rows

/** Varied rows: Zipf-like slopes, one near-one-hot row, one half-masked row. */
function logits() {
  const z = new Float32Array(ROWS * VOCAB);
  for (let r = 0; r < ROWS; r++)
    for (let j = 0; j < VOCAB; j++) z[r * VOCAB + j] = -1.1 * (1 + r / 10) * Math.log(j + 1) + 0.5 * Math.sin(j * 12.9898 + r);
  z[5 * VOCAB + 17] += 50;
  for (let j = 0; j < VOCAB; j += 2) z[9 * VOCAB + j] = -Infinity;
  return z;
}

/** A C-order .npy File of `z` (rows × vocab float32). */
function npy(z, { bigEndian = false } = {}) {
  let h = `{'descr': '${bigEndian ? '>' : '<'}f4', 'fortran_order': False, 'shape': (${ROWS}, ${VOCAB}), }`;
  h += ' '.repeat(63 - ((10 + h.length) % 64)) + '\n';
  const lead = Buffer.alloc(10);
  lead.write('\x93NUMPY', 0, 'latin1');
  lead[6] = 1;
  lead.writeUInt16LE(h.length, 8);
  const data = Buffer.alloc(z.length * 4);
  for (let i = 0; i < z.length; i++) bigEndian ? data.writeFloatBE(z[i], i * 4) : data.writeFloatLE(z[i], i * 4);
  return new File([lead, Buffer.from(h, 'latin1'), data], 'slice.npy');
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Runs the pool over `file` with `size` in-process workers; returns the columns and what happened. */
async function pooled(file, size, { tokens, advantages } = {}) {
  const h = await header(readHeader, file, {});
  const { dataStart, rowBytes, rows } = h.info;
  const identity = h.info.endian === 'little';
  const cols = {};
  const log = { handed: [], terminated: new Set(), late: 0, inFlight: new Map(), maxInFlight: 0 };
  let over = false;
  const run = runPool({
    size,
    chunks: Math.ceil(rows / PER_CHUNK),
    spawn: (k, deliver) => {
      let alive = true;
      const chunk = chunkRunner(file, Promise.resolve({ layout: h.layout, identity }), async (m) => {
        await sleep(Math.random() * 8);
        if (!alive) return;
        if (over) log.late++;
        log.inFlight.set(k, log.inFlight.get(k) - 1);
        deliver(m);
      });
      log.inFlight.set(k, 0);
      return {
        post: (m) => {
          log.handed.push(m.chunk);
          log.inFlight.set(k, log.inFlight.get(k) + 1);
          log.maxInFlight = Math.max(log.maxInFlight, log.inFlight.get(k));
          chunk(m);
        },
        terminate: () => {
          alive = false;
          log.terminated.add(k);
        },
      };
    },
    job: (c) => {
      const first = c * PER_CHUNK;
      const n = Math.min(PER_CHUNK, rows - first);
      const m = { chunk: c, first, n, start: dataStart + first * rowBytes, end: dataStart + (first + n) * rowBytes };
      if (tokens) m.tokens = tokens === 'greedy' ? 'greedy' : tokens.slice(first, first + n);
      if (advantages) m.advantages = advantages.slice(first, first + n);
      return [m, []];
    },
    result: (_c, m) => {
      for (const [k, v] of Object.entries(m.columns)) {
        cols[k] ??= new v.constructor(rows);
        cols[k].set(v, m.first);
      }
    },
  });
  try {
    await run;
  } finally {
    over = true;
  }
  return { cols, log };
}

const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('poolSize: asked, else the cores; at most the cap and one per chunk', () => {
  assert.equal(poolSize(undefined, 2, 8, 100), 2);
  assert.equal(poolSize(3, 2, 8, 100), 3);
  assert.equal(poolSize(20, 2, 8, 100), 8);
  assert.equal(poolSize(4, 2, 8, 3), 3);
  assert.equal(poolSize(0, undefined, 8, 5), 1);
  assert.equal(poolSize(2.5, 4, 8, 5), 4);
});

test('pool results equal one analyzeRows call bit for bit, any number of workers', async () => {
  const z = logits();
  const tokens = Uint32Array.from({ length: ROWS }, (_, r) => (r * 7919) % VOCAB);
  tokens[9] = 1; // a masked token (p_k = 0)
  const advantages = Float32Array.from({ length: ROWS }, (_, r) => Math.sin(r) * 2);
  const cases = [
    { label: 'no tokens', opts: {}, want: analyzeRows(z, ROWS, VOCAB) },
    { label: 'greedy', opts: { tokens: 'greedy' }, want: analyzeRows(z, ROWS, VOCAB, 'greedy') },
    { label: 'tokens and advantages', opts: { tokens, advantages }, want: analyzeRows(z, ROWS, VOCAB, tokens, advantages) },
  ];
  for (const bigEndian of [false, true]) {
    const file = npy(z, { bigEndian });
    for (const { label, opts, want } of cases) {
      for (const size of [1, 2, 3, 7]) {
        const { cols, log } = await pooled(file, size, opts);
        const where = `${label}, ${bigEndian ? 'big' : 'little'}-endian, ${size} workers`;
        assert.deepEqual(Object.keys(cols).sort(), Object.keys(want).sort(), `${where}: keys`);
        for (const k of Object.keys(want)) assert.ok(bytesOf(cols[k]).equals(bytesOf(want[k])), `${where}: ${k} differs`);
        assert.deepEqual(
          [...log.handed].sort((a, b) => a - b),
          [0, 1, 2, 3, 4, 5],
          `${where}: each chunk once`,
        );
        assert.ok(log.maxInFlight <= 2, `${where}: at most 2 chunks per worker (${log.maxInFlight})`);
        assert.equal(log.terminated.size, size, `${where}: every worker ended`);
      }
    }
  }
  // the reference is right, too (not only equal): row 5 is near-one-hot
  const h5 = cases[0].want.entropy[5];
  assert.ok(h5 > 0 && h5 < 1e-15, `near-one-hot row entropy ${h5}`);
});

test('a failing chunk names its row in the file and stops every worker', async () => {
  for (const bigEndian of [false, true]) {
    const z = logits();
    z[14 * VOCAB + 100] = Number.NaN; // chunk 3 (rows 12–15)
    const file = npy(z, { bigEndian });
    for (const size of [2, 3]) {
      const where = `${bigEndian ? 'big' : 'little'}-endian, ${size} workers`;
      const started = performance.now();
      let handedAtFailure = -1;
      const p = pooled(file, size);
      await assert.rejects(
        p.catch((e) => {
          handedAtFailure = e.chunk;
          throw e;
        }),
        (e) => {
          assert.match(e.message, /\brow 14\b/i, `${where}: ${e.message}`);
          assert.doesNotMatch(e.message, /\brow 2\b/i, `${where}: row counted in the file, not the chunk`);
          return true;
        },
      );
      assert.equal(handedAtFailure, 3, `${where}: the failing chunk`);
      assert.ok(performance.now() - started < 5000);
    }
  }
  // every worker was terminated and nothing was handed out after the failure
  const z = logits();
  z[1 * VOCAB + 3] = Number.NaN; // chunk 0: fails first
  const file = npy(z);
  const h = await header(readHeader, file, {});
  const handed = [];
  const terminated = [];
  await assert.rejects(
    runPool({
      size: 3,
      chunks: 6,
      spawn: (k, deliver) => {
        const chunk = chunkRunner(file, Promise.resolve({ layout: h.layout, identity: true }), (m) =>
          // chunk 0 answers at once, the others late
          setTimeout(() => deliver(m), m.chunk === 0 ? 0 : 50),
        );
        return {
          post: (m) => {
            handed.push(m.chunk);
            chunk(m);
          },
          terminate: () => terminated.push(k),
        };
      },
      job: (c) => {
        const first = c * PER_CHUNK;
        const n = Math.min(PER_CHUNK, ROWS - first);
        return [
          { chunk: c, first, n, start: h.info.dataStart + first * h.info.rowBytes, end: h.info.dataStart + (first + n) * h.info.rowBytes },
          [],
        ];
      },
      result: () => assert.fail('no result counts after the failure'),
    }),
    /row 1\b/i,
  );
  assert.deepEqual(terminated.sort(), [0, 1, 2], 'all three workers terminated');
  assert.deepEqual(handed, [0, 1, 2, 3, 4, 5], 'two chunks per worker handed out at start, none after');
  await sleep(120); // the late answers arrive and are dropped (result would fail the test)
});
