-- Tokens of our trace format v1, JSONL (docs/trace-format.md): one sample per line,
-- {"trace":"entropy-polarity","version":1,"step","sample","token_id","logprob",
--  "entropy","mean_discriminator"?,"advantage" (per token or one number),"mask"?,
--  "entropy_after"?,"logprob_after"?}.
-- A token counts where mask is true (default: all), and its logprob, entropy and
-- advantage (when the sample has one) are finite. S̄ (mean_discriminator) is kept where finite, so the
-- per-step table has the full PG polarity when every counted token carries it;
-- entropy_after (H at the same position and context right after the optimizer step)
-- is kept where finite, for the same-context columns.
--
-- In:  the variable run_files (a list of JSONL paths).
-- Out: the view run_tokens(step, sample, counted, logprob, entropy, advantage,
--      mean_discriminator, entropy_after); errors name the file and field (run_steps.py adds the line).
CREATE OR REPLACE TEMP VIEW run_tokens AS
WITH samples AS (
    SELECT filename, trace, version, step, sample, token_id, logprob, entropy,
           mean_discriminator, mask, entropy_after, logprob_after,
           CASE WHEN json_type(advantage) = 'ARRAY' THEN CAST(advantage AS DOUBLE[]) END AS advantages,
           CASE WHEN json_type(advantage) IN ('DOUBLE', 'BIGINT', 'UBIGINT')
                THEN CAST(advantage AS DOUBLE) END AS advantage,
           advantage AS advantage_json
    FROM read_json(getvariable('run_files'), format = 'newline_delimited', filename = true,
                   columns = {trace: 'VARCHAR', version: 'BIGINT', step: 'BIGINT', sample: 'BIGINT',
                              token_id: 'BIGINT[]', logprob: 'DOUBLE[]', entropy: 'DOUBLE[]',
                              mean_discriminator: 'DOUBLE[]', advantage: 'JSON', mask: 'BOOLEAN[]',
                              entropy_after: 'DOUBLE[]', logprob_after: 'DOUBLE[]'})
),
checked AS (
    SELECT * FROM samples
    WHERE CASE
        WHEN trace IS DISTINCT FROM 'entropy-polarity' THEN error(printf(
            '%s: not an entropy-polarity trace (field trace is %s)', filename, coalesce('"' || trace || '"', 'missing')))
        WHEN version IS DISTINCT FROM 1 THEN error(printf(
            '%s: trace version %s; this reader knows version 1', filename, coalesce(version::VARCHAR, 'missing')))
        WHEN step IS NULL OR sample IS NULL THEN error(printf('%s: a sample without step or sample', filename))
        WHEN token_id IS NULL THEN error(printf('%s: step %d sample %d: no token_id', filename, step, sample))
        WHEN len(logprob) IS DISTINCT FROM len(token_id) THEN error(printf(
            '%s: step %d sample %d: field logprob has %s values, token_id %d', filename, step, sample, coalesce(len(logprob)::VARCHAR, 'no'), len(token_id)))
        WHEN len(entropy) IS DISTINCT FROM len(token_id) THEN error(printf(
            '%s: step %d sample %d: field entropy has %s values, token_id %d', filename, step, sample, coalesce(len(entropy)::VARCHAR, 'no'), len(token_id)))
        WHEN len(mean_discriminator) <> len(token_id) THEN error(printf(
            '%s: step %d sample %d: field mean_discriminator has %d values, token_id %d', filename, step, sample, len(mean_discriminator), len(token_id)))
        WHEN advantages IS NULL AND advantage IS NULL AND json_type(advantage_json) <> 'NULL' THEN error(printf(
            '%s: step %d sample %d: field advantage is neither a number nor an array', filename, step, sample))
        WHEN len(advantages) <> len(token_id) THEN error(printf(
            '%s: step %d sample %d: field advantage has %d values, token_id %d', filename, step, sample, len(advantages), len(token_id)))
        WHEN len(mask) <> len(token_id) THEN error(printf(
            '%s: step %d sample %d: field mask has %d values, token_id %d', filename, step, sample, len(mask), len(token_id)))
        WHEN len(entropy_after) <> len(token_id) THEN error(printf(
            '%s: step %d sample %d: field entropy_after has %d values, token_id %d', filename, step, sample, len(entropy_after), len(token_id)))
        WHEN len(logprob_after) <> len(token_id) THEN error(printf(
            '%s: step %d sample %d: field logprob_after has %d values, token_id %d', filename, step, sample, len(logprob_after), len(token_id)))
        ELSE true END
),
tokens AS (
    SELECT c.filename, c.step, c.sample,
           coalesce(c.mask[u.i], c.mask IS NULL) AS on_loss,
           c.logprob[u.i] AS logprob, c.entropy[u.i] AS entropy,
           CASE WHEN c.advantages IS NOT NULL THEN c.advantages[u.i] ELSE c.advantage END AS advantage,
           c.advantage_json IS NULL AS no_advantage,
           c.mean_discriminator[u.i] AS mean_discriminator,
           c.entropy_after[u.i] AS entropy_after, c.logprob_after[u.i] AS logprob_after
    FROM checked AS c CROSS JOIN UNNEST(c.token_id) WITH ORDINALITY AS u(token, i)
)
SELECT step, sample, counted, logprob, entropy, advantage,
       CASE WHEN mean_discriminator < 0 THEN 0 WHEN isfinite(mean_discriminator) THEN mean_discriminator END AS mean_discriminator,
       CASE WHEN entropy_after < 0 THEN 0 WHEN isfinite(entropy_after) THEN entropy_after END AS entropy_after
FROM (
    SELECT *, coalesce(on_loss AND isfinite(logprob) AND isfinite(entropy)
                       AND (no_advantage OR isfinite(advantage)), false) AS counted
    FROM tokens
)
WHERE CASE
    WHEN counted AND logprob > 1e-6 THEN error(printf(
        '%s: step %d sample %d: a logprob %s > 0: not a log-probability', filename, step, sample, logprob::VARCHAR))
    WHEN counted AND entropy < -1e-6 THEN error(printf(
        '%s: step %d sample %d: an entropy %s < 0', filename, step, sample, entropy::VARCHAR))
    WHEN counted AND mean_discriminator < -1e-6 THEN error(printf(
        '%s: step %d sample %d: a mean_discriminator %s < 0: S̄ = Cov(p, ln p) is never negative', filename, step, sample, mean_discriminator::VARCHAR))
    WHEN counted AND entropy_after < -1e-6 THEN error(printf(
        '%s: step %d sample %d: an entropy_after %s < 0', filename, step, sample, entropy_after::VARCHAR))
    WHEN counted AND logprob_after > 1e-6 THEN error(printf(
        '%s: step %d sample %d: a logprob_after %s > 0: not a log-probability', filename, step, sample, logprob_after::VARCHAR))
    ELSE true END;
