// @ts-check
// The per-row table of a slice and its CSV export, both from one column
// spec (columnSpec): a column with a `csv` name is exported, in spec order,
// under the header docs/contract.md fixes; the table shows every column.

import { fmt, fmtPercent } from '../lib/format.js';
import { setTextWithOverbars } from '../lib/overbar.js';

/** The exported columns, in order (docs/contract.md: outside tools read this header). */
export const CSV_HEADER = 'row,entropy,token,prob,discriminator,sensitivity,polarity,flip_nudge,flip_pg';

/**
 * @typedef {{ key: string, label: string, csv?: string, value(r: number): number | null,
 *   text?(r: number): string, raw?: boolean }} Column
 * `value` is the number (null: no value for this row), `text` what the
 * table shows (default: fmt(value), '—' for null), `raw` puts the value in
 * the cell's data-value too.
 */

/** @returns {Column[]} */
export function columnSpec(summary, c) {
  const hasTok = Boolean(c.polarity && c.tokens);
  const tok = (f) => (r) => (hasTok ? f(r) : null);
  /** @type {Column[]} */
  const cols = [
    { key: 'row', label: 'row', csv: 'row', value: (r) => r, text: (r) => String(r) },
    { key: 'H', label: summary.truncated ? 'H top-k' : 'H (nats)', csv: 'entropy', value: (r) => c.entropy[r] },
  ];
  if (summary.truncated) {
    cols.push({ key: 'hlb', label: 'H ≥', value: (r) => c.entropyBound[r], raw: true });
    cols.push({ key: 'tail', label: 'tail', value: (r) => c.tailMass[r], text: (r) => fmtPercent(c.tailMass[r]), raw: true });
  }
  if (summary.choices > 1)
    cols.push({ key: 'choice', label: 'choice', value: (r) => c.choice[r], text: (r) => String(c.choice[r]), raw: true });
  cols.push({
    key: 'token',
    label: 'token',
    csv: 'token',
    value: tok((r) => c.tokens[r]),
    text: (r) => (c.tokens ? String(c.tokens[r]) + (c.tokenLabels ? ` “${c.tokenLabels[r]}”` : '') : '—'),
  });
  if (c.advantages) cols.push({ key: 'A', label: 'A', value: (r) => c.advantages[r], text: (r) => fmt(c.advantages[r], 4) });
  cols.push(
    { key: 'p', label: 'p_k', csv: 'prob', value: tok((r) => c.prob[r]) },
    { key: 'S', label: 'S_k', csv: 'discriminator', value: tok((r) => c.discriminator[r]) },
    { key: 'c', label: 'S̄ − S_k', csv: 'sensitivity', value: tok((r) => c.sensitivity[r]) },
    { key: 'P', label: 'polarity', csv: 'polarity', value: tok((r) => c.polarity[r]) },
    { key: 'eH', label: 'e^−H', csv: 'flip_nudge', value: (r) => c.flipNudge[r] },
    { key: 'pd', label: 'p†', csv: 'flip_pg', value: (r) => c.flipPolicyGradient[r] },
  );
  return cols;
}

/** What the table shows in column `col` of row `r`. */
export function cellText(col, r) {
  if (col.text) return col.text(r);
  const v = col.value(r);
  return v === null ? '—' : fmt(v);
}

/** A `<tr>` per row index in `rows` (display order), built with textContent only. */
export function tableRows(cols, rows, polarity) {
  return rows.map((r) => {
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.row = String(r);
    tr.dataset.testid = 'slice-row';
    for (const col of cols) {
      const td = document.createElement('td');
      td.textContent = cellText(col, r);
      td.dataset.col = col.key;
      if (col.raw) td.dataset.value = String(col.value(r));
      if (col.key === 'P' && polarity) td.className = polarity[r] > 0 ? 'expands' : polarity[r] < 0 ? 'contracts' : '';
      tr.append(td);
    }
    return tr;
  });
}

/** The header `<tr>`. */
export function tableHead(cols) {
  const tr = document.createElement('tr');
  for (const col of cols) {
    const th = document.createElement('th');
    th.scope = 'col';
    setTextWithOverbars(th, col.label);
    tr.append(th);
  }
  return tr;
}

/** The CSV of `rows` rows as Blob parts, yielding to the page every 20,000 rows. */
export async function csvParts(cols, rows) {
  const exported = cols.filter((c) => c.csv);
  if (exported.map((c) => c.csv).join(',') !== CSV_HEADER) throw new Error('The CSV columns no longer match docs/contract.md.');
  const cell = (col, r) => {
    const v = col.value(r);
    return v === null || v === undefined ? '' : String(v);
  };
  const parts = [CSV_HEADER + '\n'];
  for (let a = 0; a < rows; a += 20_000) {
    const b = Math.min(rows, a + 20_000);
    let chunk = '';
    for (let r = a; r < b; r++) chunk += exported.map((col) => cell(col, r)).join(',') + '\n';
    parts.push(chunk);
    if (b < rows) await new Promise((ok) => setTimeout(ok, 0));
  }
  return parts;
}
