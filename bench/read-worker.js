// Reads bytes [start, end) of a File and touches one byte per 4 KiB page of
// what it read (so nothing is left lazily unread); answers { bytes }.
//   slice:  Blob.slice(chunk).arrayBuffer(), two chunks in flight (as the slice pool does)
//   stream: Blob.slice(start, end).stream(), the browser's own chunks
//   byob:   the same stream read by a BYOB reader into one reused buffer of chunkBytes
//           (what reading straight into wasm memory would do)
let sink = 0;
const touch = (u8) => {
  for (let i = 0; i < u8.length; i += 4096) sink += u8[i];
};

async function slice(file, start, end, chunk) {
  let n = 0;
  const read = (s) => file.slice(s, Math.min(end, s + chunk)).arrayBuffer();
  let next = start < end ? read(start) : null;
  for (let s = start; s < end; s += chunk) {
    const cur = next;
    next = s + chunk < end ? read(s + chunk) : null;
    const b = new Uint8Array(await cur);
    touch(b);
    n += b.length;
  }
  return n;
}

async function stream(file, start, end) {
  let n = 0;
  const r = file.slice(start, end).stream().getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) return n;
    touch(value);
    n += value.length;
  }
}

async function byob(file, start, end, chunk) {
  let n = 0;
  const r = file.slice(start, end).stream().getReader({ mode: 'byob' });
  let buf = new ArrayBuffer(chunk);
  for (;;) {
    const { done, value } = await r.read(new Uint8Array(buf));
    if (done) return n;
    touch(value);
    n += value.length;
    buf = value.buffer;
  }
}

self.onmessage = async ({ data: { file, method, start, end, chunkBytes } }) => {
  try {
    const f = { slice, stream, byob }[method];
    postMessage({ bytes: await f(file, start, end, chunkBytes), sink });
  } catch (e) {
    postMessage({ error: String(e?.message ?? e) });
  }
};
