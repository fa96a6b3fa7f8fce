// @ts-check
// Reading a slice file in a worker: the helpers the slice worker
// (worker.js) and the pool's workers (pool-worker.js) share.

/** Bytes [start, end) of `file`, or an Error a person can act on. */
export async function readBytes(file, start, end) {
  try {
    return new Uint8Array(await file.slice(start, end).arrayBuffer());
  } catch (e) {
    throw new Error(
      `The file could not be read (${e.message || e.name}). It may have been moved or changed since it was chosen; choose it again.`,
    );
  }
}

/** The options readHeader takes (docs/contract.md), from the panel's. */
export function wasmOptions(o) {
  const out = {};
  if (o.confirmBf16) out.confirmBf16 = true;
  if (o.logitsTensor) out.logitsTensor = o.logitsTensor;
  if (o.tokensTensor !== undefined) out.tokensTensor = o.tokensTensor;
  if (o.advantagesTensor !== undefined) out.advantagesTensor = o.advantagesTensor;
  return out;
}

const PREFIX_BYTES = 64 << 10; // first read for the header

/** Reads the header with `readHeader`, asking for more bytes as long as the core needs them. */
export async function header(readHeader, file, options) {
  let len = Math.min(file.size, PREFIX_BYTES);
  for (let tries = 0; tries < 8; tries++) {
    const prefix = await readBytes(file, 0, len);
    const h = readHeader(file.name, prefix, file.size, wasmOptions(options));
    if (h.kind !== 'need') return h;
    const want = Math.min(file.size, h.bytes);
    if (want <= len) throw new Error(`Internal reading error: the header needs ${h.bytes} bytes but ${len} were given.`);
    len = want;
  }
  throw new Error('Internal reading error: the header did not settle after 8 reads.');
}
