// @ts-check
// The per-step columns of the table on the page, in the order of the
// downloaded CSV's header (docs/trace-format.md), which the core writes.
// `key` names the column in the binding's steps() object.

import { writeStepsCsv } from '../../pkg/entropy_polarity.js';
import { fmt, fmtPercent } from '../lib/format.js';
import { STEPS_HEADER } from './files.js';

const int = (v) => (Number.isFinite(v) ? v.toLocaleString('en') : '');
const num = (v) => (Number.isFinite(v) ? fmt(v, 4) : '');
const pct = (v) => (Number.isFinite(v) ? fmtPercent(v) : '');

export const STEP_COLUMNS = [
  { key: 'step', csv: 'step', label: 'step', show: int },
  { key: 'samples', csv: 'samples', label: 'samples', show: int },
  { key: 'tokens', csv: 'tokens', label: 'tokens', show: int },
  { key: 'meanEntropy', csv: 'mean_entropy', label: 'mean H', show: num },
  { key: 'meanProb', csv: 'mean_prob', label: 'mean p_k', show: num },
  { key: 'tokenTerm', csv: 'token_term', label: 'token term', show: num },
  // The shares count signs of the token term, not what the entropy did (issue 19).
  { key: 'sharePosExpand', csv: 'share_pos_expand', label: 'A>0, term>0', show: pct },
  { key: 'sharePosContract', csv: 'share_pos_contract', label: 'A>0, term<0', show: pct },
  { key: 'shareNegExpand', csv: 'share_neg_expand', label: 'A<0, term>0', show: pct },
  { key: 'shareNegContract', csv: 'share_neg_contract', label: 'A<0, term<0', show: pct },
  { key: 'pgPolarity', csv: 'pg_polarity', label: 'PG polarity', show: num },
  { key: 'realisedDh', csv: 'realised_dh', label: 'ΔH next step, other samples', show: num },
  { key: 'realisedDhSame', csv: 'realised_dh_same', label: 'ΔH same context', show: num },
  { key: 'agreeTokenTerm', csv: 'agree_token_term', label: 'sign agrees: term', show: pct },
  { key: 'agreePgPolarity', csv: 'agree_pg_polarity', label: 'sign agrees: PG', show: pct },
];

if (STEP_COLUMNS.map((c) => c.csv).join(',') !== STEPS_HEADER) throw new Error('run-csv: columns and header disagree');

/**
 * The per-step CSV of `steps` (columns of equal length), written by the core
 * (writeStepsCsv, the writer of RunReader.stepsCsv and scripts/run_steps.py's
 * format). The wasm module must be initialised (the explorer page does it).
 * @param {import('../../pkg/entropy_polarity.js').RunSteps} steps
 */
export const stepsCsv = (steps) => writeStepsCsv(steps);

// Rows drawn in the table; the CSV download has every step (issue 19: a
// 1,000,000-row CSV made a million table rows).
export const MAX_TABLE_ROWS = 1000;

/** Fills a <table> with one row per step (the first MAX_TABLE_ROWS, then a note). */
export function renderStepsTable(table, steps) {
  const tr = document.createElement('tr');
  for (const c of STEP_COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c.label;
    th.title = c.csv;
    tr.append(th);
  }
  table.tHead.replaceChildren(tr);
  const rows = [];
  const n = steps.step.length;
  for (let i = 0; i < Math.min(n, MAX_TABLE_ROWS); i++) {
    const row = document.createElement('tr');
    for (const c of STEP_COLUMNS) {
      const td = document.createElement('td');
      td.textContent = c.show(steps[c.key][i]);
      row.append(td);
    }
    rows.push(row);
  }
  if (n > MAX_TABLE_ROWS) {
    const row = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = STEP_COLUMNS.length;
    td.textContent = `… and ${(n - MAX_TABLE_ROWS).toLocaleString('en')} more steps: the downloaded CSV has them all.`;
    row.append(td);
    rows.push(row);
  }
  table.tBodies[0].replaceChildren(...rows);
}
