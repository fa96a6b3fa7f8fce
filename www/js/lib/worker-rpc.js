// @ts-check
// The one way the page talks to its workers (slices, runs, lab).
//
// The wasm module is compiled once per page (wasmModule) and posted to each
// worker, { type: 'wasm', module }; the worker instantiates it (wasmFromPage)
// instead of fetching and compiling it again. Compiling once per worker was
// what made WebKit's first progress slow under load (issue 23). A compiled
// WebAssembly.Module can be posted to a worker in all three engines; should
// compiling or posting fail, the worker gets `module: null` and loads the
// module itself, as before. A worker's handlers wait for its module, so the
// page posts requests at once, before the module is there.
//
// Workers are made here, on the page, never inside a worker: in Firefox a
// `new Worker` inside a worker now and then never returns (README, "Reading a
// big slice"); a worker that needs helpers asks the page for them.
//
// WorkerRpc: one worker, requests with ids. `call(msg)` posts msg with an
// `id`; the worker's messages with that id go to `onMessage` until the last
// one (by default { type: 'done' }), which resolves the call; one of type
// 'error' or 'failed' rejects it with that message. Cancel is terminate and
// respawn: `cancel()` stops the worker at once (even inside a long wasm call,
// and its memory is freed), rejects what was pending with { cancelled: true },
// and the next call starts a fresh worker.
//
// WorkerPool: `size` WorkerRpc, each given the next task of a batch when it
// is done with one; one batch at a time, cancel is terminate and respawn.

const WASM_URL = new URL('../../pkg/entropy_polarity_bg.wasm', import.meta.url);

/**
 * How many workers read a big input: `?workers=N` in the page's address
 * (read at each load). N > 1 uses a pool of N (the slice panel's analysers,
 * the run panel's parsers), 1 one worker alone; without it, one per core,
 * capped by each pool. Every worker instantiates the module the page
 * compiled once (below), which is what made pools fit to be the default (issue 23).
 * @returns {number | null}
 */
export function askedWorkers() {
  const n = Number(new URLSearchParams(location.search).get('workers'));
  return Number.isInteger(n) && n >= 1 ? n : null;
}

/** @type {Promise<WebAssembly.Module> | null} */
let compiling = null;

/** The page's wasm module, compiled once (streaming where the engine can). */
export function wasmModule() {
  if (!compiling) {
    const bytes = () => fetch(WASM_URL).then((r) => r.arrayBuffer());
    compiling =
      typeof WebAssembly.compileStreaming === 'function'
        ? WebAssembly.compileStreaming(fetch(WASM_URL)).catch(async () => WebAssembly.compile(await bytes()))
        : bytes().then((b) => WebAssembly.compile(b));
    compiling.catch(() => {
      compiling = null; // a later worker tries again
    });
  }
  return compiling;
}

/**
 * A module worker at `url`, posted the page's compiled module as soon as it
 * is there.
 * @param {URL} url
 */
export function startWorker(url) {
  const worker = new Worker(url, { type: 'module' });
  wasmModule().then(
    (module) => {
      try {
        worker.postMessage({ type: 'wasm', module });
      } catch {
        worker.postMessage({ type: 'wasm', module: null }); // a module this engine cannot post
      }
    },
    () => worker.postMessage({ type: 'wasm', module: null }),
  );
  return worker;
}

/**
 * In a worker: resolves once wasm-bindgen's `init` has instantiated the module
 * the page posts ({ type: 'wasm', module }). Call it before setting
 * `self.onmessage`: that message goes no further.
 * @param {(arg?: { module_or_path: WebAssembly.Module }) => Promise<any>} init
 * @returns {Promise<void>}
 */
export function wasmFromPage(init) {
  return new Promise((resolve, reject) => {
    /** @param {MessageEvent} e */
    const take = (e) => {
      if (e.data?.type !== 'wasm') return;
      e.stopImmediatePropagation();
      self.removeEventListener('message', take);
      const { module } = e.data;
      // Should the posted module not instantiate here, the worker loads its own.
      const own = () => init();
      (module ? init({ module_or_path: module }).catch(own) : own()).then(() => resolve(), reject);
    };
    self.addEventListener('message', take);
  });
}

/**
 * In a worker: its postMessage (the DOM lib types only the window's).
 * @param {any} m @param {Transferable[]} [transfer]
 */
export const postToPage = (m, transfer = []) => /** @type {any} */ (self).postMessage(m, transfer);

/**
 * @typedef {object} CallOptions
 * @property {Transferable[]} [transfer]
 * @property {(m: any) => void} [onMessage] the call's messages before its last
 * @property {(m: any) => boolean} [last] whether `m` ends the call (default: type 'done')
 */

export class WorkerRpc {
  /**
   * @param {URL} url a module worker whose handlers wait for wasmFromPage
   * @param {{ crashed?(message: string): void }} [on] the worker failed; its
   *   pending calls are rejected first, with { message, crashed: true }
   */
  constructor(url, on = {}) {
    this.url = url;
    this.on = on;
    /** @type {Worker | null} */
    this.worker = null;
    this.nextId = 1;
    /** @type {Map<number, CallOptions & { resolve(m: any): void, reject(e: any): void }>} */
    this.pending = new Map();
  }

  /** A fresh request id (for messages that belong to a later call). */
  id() {
    return this.nextId++;
  }

  /** Posts `msg`, starting the worker if needed; no reply expected. */
  post(/** @type {Record<string, any>} */ msg, /** @type {Transferable[]} */ transfer = []) {
    if (!this.worker) {
      const w = startWorker(this.url);
      w.onmessage = (e) => this.receive(e.data);
      w.onerror = (e) => {
        e.preventDefault?.();
        if (this.worker !== w) return;
        const message = e.message || 'worker error';
        this.stop({ message, crashed: true });
        this.on.crashed?.(message);
      };
      this.worker = w;
    }
    this.worker.postMessage(msg, transfer);
  }

  /**
   * Posts `msg` with an id (msg.id, or a fresh one); resolves with its last message.
   * @param {Record<string, any>} msg @param {CallOptions} [options]
   */
  call(msg, options = {}) {
    const id = msg.id ?? this.id();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { ...options, resolve, reject });
      this.post({ ...msg, id }, options.transfer);
    });
  }

  /** @param {any} m a message from the worker */
  receive(m) {
    const call = this.pending.get(m?.id);
    if (!call) return; // a call given up on
    if (m.type === 'error' || m.type === 'failed') {
      this.pending.delete(m.id);
      call.reject(m);
    } else if (call.last ? call.last(m) : m.type === 'done') {
      this.pending.delete(m.id);
      call.resolve(m);
    } else {
      call.onMessage?.(m);
    }
  }

  /**
   * Terminates the worker and rejects its pending calls with `reason`; the
   * next call starts a fresh one.
   * @param {Record<string, any>} [reason]
   */
  stop(reason = { cancelled: true, message: 'Cancelled.' }) {
    this.worker?.terminate();
    this.worker = null;
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const c of calls) c.reject(reason);
  }

  cancel() {
    this.stop();
  }
}

export class WorkerPool {
  /** @param {URL} url @param {number} size */
  constructor(url, size) {
    this.workers = Array.from({ length: size }, () => new WorkerRpc(url));
    this.batch = 0;
  }

  /** Stops the running batch: its promise rejects with { cancelled: true }. */
  cancel() {
    this.batch++;
    for (const w of this.workers) w.cancel();
  }

  /**
   * Runs `tasks` (worker messages without `id`), each on the next idle worker;
   * `onMessage(msg, task)` sees each message of a task before its 'done'.
   * Resolves when all are done; rejects with the first error ({ message,
   * code, field }, or { cancelled: true }) and stops the rest. A new batch
   * cancels the one before.
   * @param {Array<Record<string, any>>} tasks
   * @param {(msg: any, task: any) => void} onMessage
   * @returns {Promise<void>}
   */
  run(tasks, onMessage) {
    this.cancel();
    const batch = this.batch;
    let next = 0;
    /** @param {WorkerRpc} w */
    const work = async (w) => {
      while (next < tasks.length && batch === this.batch) {
        const task = tasks[next++];
        await w.call(task, { onMessage: (m) => onMessage(m, task) });
      }
    };
    return Promise.all(this.workers.map(work)).then(
      () => undefined,
      (e) => {
        if (batch === this.batch) this.cancel(); // the first error stops the rest
        throw e.crashed ? { message: `The worker failed: ${e.message}`, code: 'worker', field: null } : e;
      },
    );
  }
}
