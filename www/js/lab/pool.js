// @ts-check
// The lab's workers (worker.js): a pool (lib/worker-rpc.js) of at most four,
// one task per worker at a time. A batch is cancelled by terminating its
// workers, which stops even a task in the middle of a slice; a new batch
// cancels the one before.

import { WorkerPool } from '../lib/worker-rpc.js';

const SIZE = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));

/** A pool of `size` lab workers. */
export const labPool = (size = SIZE) => new WorkerPool(new URL('./worker.js', import.meta.url), size);
