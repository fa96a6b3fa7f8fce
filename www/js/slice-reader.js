// @ts-check
// The slice panel's side of the worker protocol (www/js/slice-worker.js).
// One worker per file: `load` starts a worker for the file; it replaces the
// slice on view only once it is done, and then the old slice's worker is
// terminated, which frees its memory (wasm memory never shrinks, a
// terminated worker's is returned). `cancel` terminates the loading worker
// at once, even in the middle of one long parse.
//
//   const reader = new SliceReader({ progress, done, failed, row, rowFailed });
//   reader.load(file, options) → id;  reader.cancel() → whether one was loading;
//   reader.requestRow(row) → reqId (answered by row / rowFailed)

const WORKER_URL = new URL('./slice-worker.js', import.meta.url);

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
    const job = { id, worker };
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
    this.loading.worker.terminate();
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

  /** The load `job` ended: drop its worker, then report. */
  finish(job, report) {
    job.worker.terminate();
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
    if (m.type === 'progress') {
      this.on.progress({ ...m, id });
    } else if (m.type === 'error') {
      this.finish(job, () => this.on.failed({ ...m, id }));
    } else if (m.type === 'done') {
      this.shown?.worker.terminate();
      this.shown = job;
      this.loading = null;
      this.on.done({ ...m, id });
    }
  }
}
