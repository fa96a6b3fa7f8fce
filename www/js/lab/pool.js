// @ts-check
// A small pool of lab workers (worker.js), one task per worker at a
// time. A batch is cancelled by terminating its workers: that stops even a
// task in the middle of a slice, and fresh workers are made for the next
// batch. One batch at a time: a new batch cancels the one before.

const SIZE = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));

export class LabPool {
  constructor(size = SIZE) {
    this.size = size;
    /** @type {Worker[]} */
    this.workers = [];
    this.batch = 0;
    /** @type {null | ((reason: any) => void)} */
    this.rejectCurrent = null;
  }

  spawn() {
    while (this.workers.length < this.size) {
      this.workers.push(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
    }
  }

  /** Stops the running batch (its promise rejects with { cancelled: true }). */
  cancel() {
    for (const w of this.workers) w.terminate();
    this.workers = [];
    const reject = this.rejectCurrent;
    this.rejectCurrent = null;
    reject?.({ cancelled: true });
  }

  /**
   * Runs `tasks` (worker messages without `id`); `onMessage(msg, task)` sees
   * every message. Resolves when all are done; rejects with the first error
   * ({ message, code, field }) and stops the rest.
   * @param {Array<Record<string, any>>} tasks
   * @param {(msg: any, task: any) => void} onMessage
   */
  run(tasks, onMessage) {
    this.cancel();
    this.spawn();
    const batch = ++this.batch;
    return new Promise((resolve, reject) => {
      this.rejectCurrent = reject;
      let next = 0;
      let finished = 0;
      if (!tasks.length) {
        this.rejectCurrent = null;
        resolve(undefined);
        return;
      }
      const give = (w) => {
        if (next >= tasks.length) return;
        const task = tasks[next];
        const id = `${batch}:${next++}`;
        w.onmessage = ({ data }) => {
          if (batch !== this.batch) return;
          if (data.type === 'error') {
            this.rejectCurrent = null;
            for (const x of this.workers) x.terminate();
            this.workers = [];
            reject(data);
            return;
          }
          onMessage(data, task);
          if (data.type === 'done') {
            finished++;
            if (finished === tasks.length) {
              this.rejectCurrent = null;
              resolve(undefined);
            } else give(w);
          }
        };
        w.onerror = (e) => {
          if (batch !== this.batch) return;
          this.rejectCurrent = null;
          reject({ message: `The lab worker failed: ${e.message || 'it did not load'}`, code: 'worker', field: null });
        };
        w.postMessage({ ...task, id });
      };
      for (const w of this.workers) give(w);
    });
  }
}
