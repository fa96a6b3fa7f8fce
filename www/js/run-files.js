// Which files make a run: picking them out of a folder (from the folder input
// or a dropped directory), ordering them, and telling a per-step CSV or a
// logit slice (which belongs to the "Your logits" panel) from a run file.
// Used by the panel (main thread) and the worker.

/** The per-step CSV header (docs/trace-format.md), in this order. */
export const STEPS_HEADER = 'step,samples,tokens,mean_entropy,mean_prob,token_term,share_pos_expand,share_pos_contract,share_neg_expand,share_neg_contract,pg_polarity,realised_dh';

// Files a run folder may hold that the reader reads; the rest (configs,
// logs, checkpoints) are skipped and counted.
const RUN_FILE = /\.(jsonl|ndjson|json|safetensors|csv)$/i;

/** Natural order: step_2 before step_10. */
const collator = new Intl.Collator('en', { numeric: true });
export const byPath = (a, b) => collator.compare(a.path, b.path);

/**
 * From { file, path } entries of a folder, the ones to read (sorted) and
 * how many were skipped. Explicitly chosen files are all kept.
 */
export function pickRunFiles(entries, { fromFolder }) {
  const keep = [];
  let skipped = 0;
  for (const e of entries) {
    const name = e.path.split('/').pop();
    if (fromFolder && (name.startsWith('.') || !RUN_FILE.test(name))) skipped++;
    else keep.push(e);
  }
  keep.sort(byPath);
  return { files: keep, skipped };
}

/** True when the first line of a CSV is the per-step header. */
export function isStepsCsv(head) {
  const first = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0].trim();
  return first === STEPS_HEADER;
}

const SLICE_PANEL = 'the “Your logits” panel above (#slices) reads logit slices';

/**
 * A message pointing to the slice panel when `path` (with its first bytes
 * `head`, or 'csv' for a CSV that is not per-step) looks like a logit slice;
 * null otherwise.
 */
export function sliceHint(path, head) {
  const name = path.toLowerCase();
  const where = `${path} looks like a logit slice (rows × vocabulary), not a training-run export: ${SLICE_PANEL}.`;
  if (head === 'csv') return where;
  if (name.endsWith('.npy')) return `${path} is a NumPy array, not a training-run export: ${SLICE_PANEL}.`;
  if (!(head instanceof Uint8Array)) return null;
  if (head.length >= 6 && head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') {
    return `${path} is a NumPy array, not a training-run export: ${SLICE_PANEL}.`;
  }
  if (name.endsWith('.safetensors') && head.length > 8) {
    // A trace in safetensors carries __metadata__.trace = "entropy-polarity".
    const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
    if (n > 0 && 8 + n <= head.length) {
      try {
        const h = JSON.parse(new TextDecoder().decode(head.subarray(8, 8 + n)));
        if (h?.__metadata__?.trace !== 'entropy-polarity' && !('token_id' in h) && !('logprob' in h)) {
          return `${path} is a .safetensors file without the trace metadata (__metadata__.trace = "entropy-polarity") and without token_id/logprob tensors: if it holds logits, ${SLICE_PANEL}; if it is a trace, see docs/trace-format.md.`;
        }
      } catch { /* not ours to judge: the reader explains */ }
    }
  }
  if (name.endsWith('.json')) {
    const text = new TextDecoder().decode(head.subarray(0, 4096)).trimStart();
    if (/^\[\s*[[\d-]/.test(text) || /^\{\s*"(logits|choices)"/.test(text)) return where;
  }
  return null;
}

/** Reads every file under a dropped directory entry, with its relative path. */
export async function filesOfEntry(entry, prefix = '') {
  if (entry.isFile) {
    const file = await new Promise((ok, fail) => entry.file(ok, fail));
    return [{ file, path: prefix + entry.name }];
  }
  if (!entry.isDirectory) return [];
  const reader = entry.createReader();
  const out = [];
  // readEntries returns the listing in batches until an empty one.
  for (;;) {
    const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
    if (!batch.length) break;
    for (const e of batch) out.push(...await filesOfEntry(e, `${prefix}${entry.name}/`));
  }
  return out;
}
