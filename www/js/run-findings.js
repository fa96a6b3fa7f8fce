// @ts-check
// What a shipped real run showed, shown under the run panel's status when that
// example is open. The numbers come from scripts/real_run_report.py on the
// shipped traces and on two more seeds (README.md, "What polarity predicted
// on a real run"); keep both in step when the run is redone.

/** Example name → one paragraph. */
export const FINDINGS = {
  'smollm2-grpo': 'TODO',
};
