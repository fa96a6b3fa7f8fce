// Writes a large C-order float32 .npy for streaming tests and benchmarks, in
// pieces (never whole in memory). Every row is the same Zipf-like row, whose
// f64 entropy `bigRowEntropy` gives independently of the page.
import { open as openFile } from 'node:fs/promises';

export function bigRow(vocab) {
  const z = new Float32Array(vocab);
  for (let j = 0; j < vocab; j++) z[j] = -1.3 * Math.log(j + 1) + Math.sin(j * 12.9898) * 0.5;
  return z;
}

/** f64 entropy of bigRow(vocab): H = ln Z − E_p[y], y = z − max z (a loop: too many values to spread). */
export function bigRowEntropy(vocab) {
  const z = bigRow(vocab);
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0,
    sy = 0;
  for (const v of z) {
    const e = Math.exp(v - m);
    s += e;
    sy += e * (v - m);
  }
  return Math.log(s) - sy / s;
}

/** `bigEndian`: store '>f4' (decoded by the core) instead of '<f4' (read as is). */
export async function writeBigNpy(path, rows, vocab, { bigEndian = false } = {}) {
  let header = `{'descr': '${bigEndian ? '>' : '<'}f4', 'fortran_order': False, 'shape': (${rows}, ${vocab}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const lead = Buffer.alloc(10);
  lead.write('\x93NUMPY', 0, 'latin1');
  lead[6] = 1;
  lead[7] = 0;
  lead.writeUInt16LE(header.length, 8);
  const fh = await openFile(path, 'w');
  try {
    await fh.write(Buffer.concat([lead, Buffer.from(header, 'latin1')]));
    const row = bigRow(vocab);
    if (bigEndian) {
      const v = new DataView(row.buffer);
      for (let j = 0; j < vocab; j++) v.setFloat32(j * 4, row[j], false);
    }
    const per = Math.max(1, Math.floor((8 << 20) / (vocab * 4)));
    const block = Buffer.alloc(vocab * 4 * per);
    for (let b = 0; b < per; b++) Buffer.from(row.buffer).copy(block, b * vocab * 4);
    for (let r = 0; r < rows; r += per) await fh.write(block, 0, Math.min(per, rows - r) * vocab * 4);
  } finally {
    await fh.close();
  }
}
