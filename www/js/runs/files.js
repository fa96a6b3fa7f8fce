// @ts-check
// Which files make a run: picking them out of a folder (from the folder input
// or a dropped directory) and ordering them. (The core tells a per-step CSV
// from a run file, csv::is_steps_header.)

/** The per-step CSV header (docs/contract.md), in this order. */
export const STEPS_HEADER =
  'step,samples,tokens,mean_entropy,mean_prob,token_term,share_pos_expand,share_pos_contract,share_neg_expand,share_neg_contract,pg_polarity,realised_dh,realised_dh_same,agree_token_term,agree_pg_polarity';

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
    // run.json: the run's settings, which PolarityGRPOTrainer writes beside its traces.
    if (fromFolder && (name.startsWith('.') || !RUN_FILE.test(name) || name === 'run.json')) skipped++;
    else keep.push(e);
  }
  keep.sort(byPath);
  return { files: keep, skipped };
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
    for (const e of batch) out.push(...(await filesOfEntry(e, `${prefix}${entry.name}/`)));
  }
  return out;
}
