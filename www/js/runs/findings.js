// @ts-check
// What a shipped real run showed, shown under the run panel's status when that
// example is open. The numbers come from scripts/real_run_report.py on the
// shipped traces and on two more seeds (README.md, "What polarity predicted
// on a real run"); keep both in step when the run is redone.

/** Example name → one paragraph. */
export const FINDINGS = {
  'smollm2-grpo':
    'What this run showed (scripts/real_run_report.py; this run and two more seeds, 50 steps each). Each token’s prediction is ' +
    'compared with the change the optimizer step really made at that position, on the same context (entropy_after − entropy). ' +
    'Token by token, polarity is a weak predictor here: the token term’s sign matched for 65 % of the 960 tokens with A ≠ 0 ' +
    '(63–65 % over the seeds), but always guessing the commoner sign scores 59 % (59–69 %), so it is no better than that guess ' +
    'on the whole; Spearman +0.36 (+0.31 to +0.36). The full PG polarity A (S̄ − S_k) does no better (63 %, Spearman +0.33). ' +
    'The largest predictions rank better (Spearman +0.50 for the top 10 %). Per step it holds: over the 15 steps that trained, ' +
    'the mean token term follows realised_dh_same (Pearson +0.69; +0.57 and +0.73 in the other seeds), where against the ' +
    'next-step realised_dh it shows nothing (+0.01). In the other 35 steps all 8 rewards were equal (A = 0). Tokens with A = 0 ' +
    'moved too (mean |ΔH| 0.011 against 0.068): the network shares parameters across positions and Adam keeps momentum, which a ' +
    'per-token prediction leaves out.',
};
