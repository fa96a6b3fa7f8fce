// @ts-check
// The slice panel's side of the worker protocol (www/js/slices/worker.js).
// One worker per file: `load` starts a worker for the file; it replaces the
// slice on view only once it is done, and then the old slice's worker is
// terminated, which frees its memory (wasm memory never shrinks, a
// terminated worker's is returned). `cancel` terminates the loading worker
// at once, even in the middle of one long parse.
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

const WORKER_URL = new URL('./worker.js', import.meta.url);
const POOL_URL = new URL('./pool-worker.js', import.meta.url);

export class SliceReader {
  /** @param {{ progress(m: object): void, done(m: object): void, failed(m: object): void, row(m: object): void, rowFailed(m: object): void }} on */
  constructor(on) {
    this.on = on;
    this.loading = null; // { id, worker }
    this.shown = null; // { id, worker }: the slice on view
    this.nextId = 1;
    this.nextReq = 1;
  }

  /** Starts reading `file` in a fresh worker; a load still running is dropped. */
  load(file, options) {
    this.cancel();
    const id = this.nextId++;
    const worker = new Worker(WORKER_URL, { type: 'module' });
    const job = { id, worker, pool: [] };
    this.loading = job;
    worker.onmessage = (e) => this.message(job, e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      const message = `The slice reader stopped (${e.message || 'worker error'}). Try again, or reload the page.`;
      if (this.loading === job) this.finish(job, () => this.on.failed({ id, message }));
      else if (this.shown === job) this.on.rowFailed({ message });
    };
    worker.postMessage({ type: 'open', file, options });
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
    if (!this.shown) return null;
    const reqId = this.nextReq++;
    this.shown.worker.postMessage({ type: 'row', row, reqId });
    return reqId;
  }

  /** Terminates `job`'s worker and its pool. */
  end(job) {
    job.worker.terminate();
    this.endPool(job);
  }

  endPool(job) {
    for (const w of job.pool) w.terminate();
    job.pool = [];
  }

  /** `size` pool workers for the load `job`, each given one end of a channel; the other ends go to its slice worker. */
  startPool(job, size) {
    const ports = [];
    for (let k = 0; k < size; k++) {
      const w = new Worker(POOL_URL, { type: 'module' });
      w.onerror = (e) => {
        e.preventDefault?.();
        job.worker.postMessage({ type: 'pool-error', worker: k, message: e.message || 'worker error' });
      };
      const { port1, port2 } = new MessageChannel();
      w.postMessage({ type: 'port' }, [port1]);
      job.pool.push(w);
      ports.push(port2);
    }
    job.worker.postMessage({ type: 'pool', ports }, ports);
  }

  /** The load `job` ended: drop its worker, then report. */
  finish(job, report) {
    this.end(job);
    if (this.loading === job) this.loading = null;
    report();
  }

  message(job, m) {
    const { id } = job;
    if (m.type === 'row' || m.type === 'row-error') {
      if (this.shown !== job) return;
      if (m.type === 'row') this.on.row({ ...m, id });
      else this.on.rowFailed(m);
      return;
    }
    if (this.loading !== job) return; // a load that was cancelled or replaced
    if (m.type === 'pool') {
      this.startPool(job, m.size);
    } else if (m.type === 'progress') {
      this.on.progress({ ...m, id });
    } else if (m.type === 'error') {
      this.finish(job, () => this.on.failed({ ...m, id }));
    } else if (m.type === 'done') {
      this.endPool(job); // idle by now; the slice worker reopens rows alone
      this.shown?.worker.terminate();
      this.shown = job;
      this.loading = null;
      this.on.done({ ...m, id });
    }
  }
}
