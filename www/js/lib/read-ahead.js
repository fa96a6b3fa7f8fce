// @ts-check
// The reading side of lib/read-ahead-worker.js: a worker's chunks of each
// File in turn, read ahead on that worker's thread while this one computes.
//
//   const ahead = new ReadAhead(port, files, { chunk, depth });
//   const bytes = await ahead.next(k);   // the next chunk of files[k], in order
//   ahead.skip(k);                        // the rest of files[k] is not wanted
//
// Chunks of a file before k (skipped) are dropped as they come. A file that
// cannot be read rejects `next` with the browser's reason.

export class ReadAhead {
  /**
   * @param {MessagePort} port the other end is a read-ahead worker's
   * @param {File[]} files read in this order
   * @param {{ chunk: number, depth: number }} o chunk bytes; chunks read ahead at most
   */
  constructor(port, files, { chunk, depth }) {
    this.port = port;
    /** @type {any[]} messages not taken yet */
    this.queue = [];
    /** @type {((m: any) => void) | null} */
    this.wake = null;
    port.onmessage = (e) => {
      this.queue.push(e.data);
      const wake = this.wake;
      this.wake = null;
      wake?.(undefined);
    };
    port.postMessage({ type: 'read', files, chunk, depth });
  }

  /**
   * The next chunk of file `k` (call it only while bytes of k are left).
   * @param {number} k
   * @returns {Promise<Uint8Array>}
   */
  async next(k) {
    for (;;) {
      while (this.queue.length) {
        const m = this.queue.shift();
        this.port.postMessage({ type: 'ack' });
        if (m.type === 'failed' && m.file === k) throw new Error(m.message);
        if (m.file === k) return m.bytes;
        // a chunk of a file skipped before: dropped
      }
      await new Promise((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** The rest of file `k` is not wanted. @param {number} k */
  skip(k) {
    this.port.postMessage({ type: 'skip', file: k });
  }

  close() {
    this.port.close();
  }
}
