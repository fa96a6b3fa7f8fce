// The read-ahead pair (www/js/lib/read-ahead-worker.js's readAhead and
// lib/read-ahead.js's ReadAhead) in Node, on real Blobs, over a channel that
// delivers as a MessagePort does (the browsers' e2e suites cover the real one): every file's bytes come back whole and in order for any chunk size,
// empty files included; no more than `depth` chunks are ever unacknowledged;
// a skipped file's leftover chunks are dropped and the next file is whole;
// a file that cannot be read rejects with the browser's reason, and a
// skipped one that fails does not stop the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAhead } from '../../www/js/lib/read-ahead-worker.js';
import { ReadAhead } from '../../www/js/lib/read-ahead.js';

/** A file of `n` bytes whose byte i is (i·7 + seed) mod 251. */
function blob(n, seed) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) % 251;
  return new Blob([b]);
}

/**
 * A channel between the two ends, as a MessageChannel delivers (later, in
 * order) but without cloning, so that a File whose read fails can cross;
 * the reading end counts the chunks in flight (sent, not yet acknowledged).
 */
function channel() {
  const seen = { out: 0, most: 0 };
  const end = () => ({
    onmessage: null,
    other: null,
    postMessage(m) {
      setTimeout(() => this.other.onmessage?.({ data: m }), 0);
    },
    close() {},
  });
  const [reader, worker] = [end(), end()];
  reader.other = worker;
  worker.other = reader;
  const handle = readAhead(/** @type {any} */ (worker));
  worker.onmessage = (e) => {
    if (e.data?.type === 'ack') seen.out--;
    handle(e);
  };
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (m) => {
    if (m?.type === 'bytes' || m?.type === 'failed') seen.most = Math.max(seen.most, ++seen.out);
    post(m);
  };
  return { port: /** @type {any} */ (reader), seen, close: () => {} };
}

async function readAll(ahead, files, k) {
  const parts = [];
  for (let at = 0; at < files[k].size; ) {
    const b = await ahead.next(k);
    parts.push(b);
    at += b.length;
  }
  return Buffer.concat(parts);
}

test('every file comes back whole and in order; at most depth chunks in flight', async () => {
  const sizes = [0, 1, 4095, 4096, 4097, 10000, 0, 333];
  for (const [chunk, depth] of [
    [4096, 1],
    [1000, 3],
    [7, 4],
  ]) {
    const files = sizes.map((n, k) => blob(n, k));
    const c = channel();
    const ahead = new ReadAhead(c.port, files, { chunk, depth });
    for (let k = 0; k < files.length; k++) {
      const got = await readAll(ahead, files, k);
      assert.deepEqual(got, Buffer.from(await files[k].arrayBuffer()), `file ${k}, chunk ${chunk}`);
      await new Promise((r) => setTimeout(r, 1)); // let the reader run ahead
    }
    assert.ok(c.seen.most <= depth, `${c.seen.most} chunks in flight, depth ${depth}`);
    assert.ok(depth === 1 || c.seen.most > 1, 'the reader did read ahead');
    ahead.close();
    c.close();
  }
});

test('a skipped file: its leftover chunks are dropped, the next file is whole', async () => {
  const files = [blob(50000, 1), blob(3000, 2), blob(20000, 3)];
  const c = channel();
  const ahead = new ReadAhead(c.port, files, { chunk: 1000, depth: 4 });
  await ahead.next(0); // one chunk of file 0, then it is not wanted
  ahead.skip(0);
  assert.deepEqual(await readAll(ahead, files, 1), Buffer.from(await files[1].arrayBuffer()));
  assert.deepEqual(await readAll(ahead, files, 2), Buffer.from(await files[2].arrayBuffer()));
  ahead.close();
  c.close();
});

test("a file that cannot be read rejects with the browser's reason; a skipped one does not stop the rest", async () => {
  const broken = {
    size: 5000,
    slice: () => ({ arrayBuffer: () => Promise.reject(new DOMException('A requested file could not be read', 'NotReadableError')) }),
  };
  const files = [blob(3000, 1), broken, blob(2000, 3)];
  const c = channel();
  const ahead = new ReadAhead(c.port, /** @type {any} */ (files), { chunk: 1000, depth: 2 });
  assert.equal((await readAll(ahead, files, 0)).length, 3000);
  await assert.rejects(ahead.next(1), /could not be read/);
  ahead.close();
  c.close();

  // The broken file skipped (as the run reader skips a foreign file): the next one still comes.
  const d = channel();
  const again = new ReadAhead(d.port, /** @type {any} */ ([broken, blob(2000, 3)]), { chunk: 1000, depth: 2 });
  again.skip(0);
  assert.equal((await readAll(again, [broken, blob(2000, 3)], 1)).length, 2000);
  again.close();
  d.close();
});
