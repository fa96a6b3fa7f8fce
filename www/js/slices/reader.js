// @ts-check
// The slice panel's side of the worker protocol (www/js/slices/worker.js),
// over lib/worker-rpc.js. One worker per file: `load` starts a worker for the
// file; it replaces the slice on view only once it is done, and then the old
// slice's worker is terminated, which frees its memory (wasm memory never
// shrinks, a terminated worker's is returned). `cancel` terminates the
// loading worker at once, even in the middle of one long parse.
//
// A file read by a pool (worker.js, `?workers=N`) asks for its pool's
// workers ({ type: 'pool', size }); they are made here, on the page, and the
// slice worker gets one MessagePort to each. The slice worker does not make
// them itself: in Firefox a `new Worker` inside a worker now and then never
// returns (its thread waits for the main thread for good), so the load never
// finished (README, "Reading a big slice"). They end with their load.
//
//   const reader = new SliceReader({ progress, done, failed, row, rowFailed });
//   reader.load(file, options) → id;  reader.cancel() → whether one was loading;
//   reader.requestRow(row) → reqId (answered by row / rowFailed)

import { WorkerRpc, startWorker } from '../lib/worker-rpc.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
const POOL_URL = new URL('./pool-worker.js', import.meta.url);

/** @typedef {{ id: number, rpc: WorkerRpc, pool: Worker[] }} Job */

export class SliceReader {
  /** @param {{ progress(m: object): void, done(m: object): void, failed(m: object): void, row(m: object): void, rowFailed(m: object): void }} on */
  constructor(on) {
    this.on = on;
    /** @type {Job | null} */
    this.loading = null;
    /** @type {Job | null} the slice on view */
    this.shown = null;
    this.nextId = 1;
    this.nextReq = 1;
  }

  /** Starts reading `file` in a fresh worker; a load still running is dropped. */
  load(file, options) {
    this.cancel();
    const id = this.nextId++;
    /** @type {Job} */
    const job = { id, rpc: new WorkerRpc(WORKER_URL, { crashed: (message) => this.crashed(job, message) }), pool: [] };
    this.loading = job;
    job.rpc
      .call(
        { type: 'open', file, options },
        {
          onMessage: (m) => {
            if (this.loading !== job) return;
            if (m.type === 'pool') this.startPool(job, m.size);
            else if (m.type === 'progress') this.on.progress({ ...m, id });
          },
        },
      )
      .then(
        (m) => {
          if (this.loading !== job) return;
          this.endPool(job); // idle by now; the slice worker reopens rows alone
          this.shown?.rpc.cancel();
          this.shown = job;
          this.loading = null;
          this.on.done({ ...m, id });
        },
        (m) => {
          if (this.loading === job && !m.cancelled && !m.crashed) this.finish(job, () => this.on.failed({ ...m, id }));
        },
      );
    return id;
  }

  /** Stops the load in progress, if any (the slice on view stays). */
  cancel() {
    if (!this.loading) return false;
    this.end(this.loading);
    this.loading = null;
    return true;
  }

  /** Asks the worker of the slice on view for row `row`. */
  requestRow(row) {
    const job = this.shown;
    if (!job) return null;
    const reqId = this.nextReq++;
    job.rpc.call({ type: 'row', row }, { last: (m) => m.type === 'row' }).then(
      (m) => {
        if (this.shown === job) this.on.row({ ...m, id: job.id, reqId });
      },
      (m) => {
        if (this.shown === job && !m.cancelled && !m.crashed) this.on.rowFailed({ message: m.message, reqId });
      },
    );
    return reqId;
  }

  /** @param {Job} job @param {string} message */
  crashed(job, message) {
    const text = `The slice reader stopped (${message}). Try again, or reload the page.`;
    if (this.loading === job) this.finish(job, () => this.on.failed({ id: job.id, message: text }));
    else if (this.shown === job) this.on.rowFailed({ message: text });
  }

  /** Terminates `job`'s worker and its pool. @param {Job} job */
  end(job) {
    job.rpc.cancel();
    this.endPool(job);
  }

  /** @param {Job} job */
  endPool(job) {
    for (const w of job.pool) w.terminate();
    job.pool = [];
  }

  /**
   * `size` pool workers for the load `job`, each given one end of a channel;
   * the other ends go to its slice worker.
   * @param {Job} job @param {number} size
   */
  startPool(job, size) {
    const ports = [];
    for (let k = 0; k < size; k++) {
      const w = startWorker(POOL_URL);
      w.onerror = (e) => {
        e.preventDefault?.();
        if (this.loading === job) job.rpc.post({ type: 'pool-error', worker: k, message: e.message || 'worker error' });
      };
      const { port1, port2 } = new MessageChannel();
      w.postMessage({ type: 'port' }, [port1]);
      job.pool.push(w);
      ports.push(port2);
    }
    job.rpc.post({ type: 'pool', ports }, ports);
  }

  /** The load `job` ended: drop its worker, then report. @param {Job} job @param {() => void} report */
  finish(job, report) {
    this.end(job);
    if (this.loading === job) this.loading = null;
    report();
  }
}
