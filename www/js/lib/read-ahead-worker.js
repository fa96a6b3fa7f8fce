// @ts-check
// A worker that only reads Files, in order, in chunks, and hands each chunk
// (transferred, not copied) to whoever holds the other end of its port
// (lib/read-ahead.js). Why a worker of its own: a Blob's bytes reach the
// thread that asked for them only while that thread's event loop runs, so a
// worker that reads and then parses for 20 ms stalls its own read for those
// 20 ms, and reading and parsing add up instead of overlapping (measured in
// Chromium: 100 MB of run files took read time + parse time with the next
// chunk already requested). This thread never computes, so its reads flow
// while the reader parses.
//
// Made by the page (never inside a worker: Firefox, lib/worker-rpc.js).
// Messages in (on self): { type: 'port' } with one MessagePort; then on the port:
//   { type: 'read', files: File[], chunk, depth }  read files[0], files[1], … in order
//   { type: 'ack' }          one chunk was taken: at most `depth` are unacknowledged
//   { type: 'skip', file }   stop reading file index `file` (the rest is not wanted)
// Messages out (on the port):
//   { type: 'bytes', file, start, bytes }   a Uint8Array, its buffer transferred
//   { type: 'failed', file, message }       that file could not be read (counts as a chunk); the next is read

/** Reads `files` in order over `port`; returns the port's message handler. */
export function readAhead(port) {
  let files = /** @type {File[]} */ ([]);
  let chunk = 1 << 22;
  let depth = 4;
  let out = 0; // chunks sent and not yet acknowledged
  let file = 0;
  let at = 0;
  let reading = false;

  const pump = async () => {
    if (reading) return;
    reading = true;
    while (out < depth && file < files.length) {
      const f = files[file];
      if (at >= f.size) {
        file++; // (an empty file sends nothing: its reader knows its size)
        at = 0;
        continue;
      }
      const [k, start, end] = [file, at, Math.min(f.size, at + chunk)];
      at = end;
      out++;
      let bytes;
      try {
        bytes = new Uint8Array(await f.slice(start, end).arrayBuffer());
      } catch (e) {
        // Said once; the reader decides (the file may have been skipped meanwhile).
        port.postMessage({ type: 'failed', file: k, message: e?.message || e?.name || String(e) });
        if (k === file) {
          file++;
          at = 0;
        }
        continue;
      }
      port.postMessage({ type: 'bytes', file: k, start, bytes }, [bytes.buffer]);
    }
    reading = false;
  };

  return (/** @type {MessageEvent} */ e) => {
    const m = e.data;
    if (m?.type === 'read') {
      ({ files, chunk, depth } = m);
      pump();
    } else if (m?.type === 'ack') {
      out--;
      pump();
    } else if (m?.type === 'skip' && m.file === file) {
      file++;
      at = 0;
      pump();
    }
  };
}

if (typeof (/** @type {any} */ (globalThis).WorkerGlobalScope) !== 'undefined') {
  self.onmessage = (e) => {
    const port = e.ports[0];
    if (e.data?.type !== 'port' || !port) return;
    port.onmessage = readAhead(port);
  };
}
