// @ts-check
// A pool of workers for the chunks of one slice (docs/contract.md, "Your
// logits"): hands chunk indices to workers, at most `depth` in flight per
// worker so that each one reads its next chunk while it analyses this one,
// and gives every result back by chunk index (the caller puts it at its
// rows, so the order of arrival does not matter). The first failure stops
// every worker (terminate) and rejects with that chunk's error.
//
// Pure scheduling: no Worker, no wasm. The slice worker runs it over real workers
// (pool-worker.js, made by the page: reader.js); tests/js/pool.test.mjs
// drives it with workers made in-process.
//
//   await runPool({ spawn, size, chunks, depth, job, result, progress? })
//     spawn(k, deliver) → { post(job), terminate() }; the worker calls
//       deliver({ type: 'result', chunk, … }) or deliver({ type: 'error', chunk, message })
//     job(chunk) → [message, transfer[]]   what worker k is sent for that chunk
//     result(chunk, message)                 one chunk done (any order)

/** Workers to use: `asked` (a whole number ≥ 1) or the cores, at most `cap`, at most one per chunk. */
export function poolSize(asked, cores, cap, chunks) {
  const want = Number.isInteger(asked) && asked >= 1 ? asked : cores || 1;
  return Math.max(1, Math.min(want, cap, chunks));
}

/**
 * @param {{ spawn(k: number, deliver: (m: any) => void): { post(m: any, t?: Transferable[]): void, terminate(): void },
 *   size: number, chunks: number, depth?: number,
 *   job(chunk: number): [any, Transferable[]], result(chunk: number, m: any): void, progress?(done: number): void }} o
 * @returns {Promise<void>}
 */
export function runPool({ spawn, size, chunks, depth = 2, job, result, progress }) {
  return new Promise((resolve, reject) => {
    const workers = [];
    let next = 0; // the next chunk to hand out
    let done = 0;
    let over = false;
    const stop = () => {
      over = true;
      for (const w of workers) w.handle.terminate();
    };
    const feed = (w) => {
      while (!over && w.inFlight < depth && next < chunks) {
        const [m, transfer] = job(next++);
        w.inFlight++;
        w.handle.post(m, transfer);
      }
    };
    const deliver = (w, m) => {
      if (over) return;
      if (m?.type === 'error') {
        stop();
        reject(Object.assign(new Error(m.message), { chunk: m.chunk, code: m.code }));
        return;
      }
      try {
        result(m.chunk, m);
      } catch (e) {
        stop();
        reject(e);
        return;
      }
      w.inFlight--;
      done++;
      progress?.(done);
      if (done === chunks) {
        stop();
        resolve();
      } else feed(w);
    };
    if (chunks <= 0) {
      resolve();
      return;
    }
    for (let k = 0; k < size; k++) {
      const w = { inFlight: 0, handle: null };
      w.handle = spawn(k, (m) => deliver(w, m));
      workers.push(w);
    }
    for (const w of workers) feed(w);
  });
}
