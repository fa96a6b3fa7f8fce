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
--      mean_discriminator, entropy_after); errors name the file and field (steps.py adds the line).
-- A sample is (file, step, sample): `sample` out is filename#sample, so two ranks that both
-- number from 0 are different samples; the same (step, sample) twice in one file is refused.
-- step and sample are read as DOUBLE so that 3.5 or -1 is refused, not rounded.
CREATE OR REPLACE TEMP VIEW run_tokens AS
WITH samples AS (
    SELECT filename, trace, version, step, sample, token_id, logprob, entropy,
           mean_discriminator, mask, entropy_after, logprob_after,
           count(*) OVER (PARTITION BY filename, step, sample) AS copies,
           CASE WHEN json_type(advantage) = 'ARRAY' THEN CAST(advantage AS DOUBLE[]) END AS advantages,
           CASE WHEN json_type(advantage) IN ('DOUBLE', 'BIGINT', 'UBIGINT')
                THEN CAST(advantage AS DOUBLE) END AS advantage,
           advantage AS advantage_json
    FROM read_json(getvariable('run_files'), format = 'newline_delimited', filename = true,
                   columns = {trace: 'VARCHAR', version: 'BIGINT', step: 'DOUBLE', sample: 'DOUBLE',
                              token_id: 'DOUBLE[]', logprob: 'DOUBLE[]', entropy: 'DOUBLE[]',
                              mean_discriminator: 'DOUBLE[]', advantage: 'JSON', mask: 'DOUBLE[]',
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
        WHEN NOT (step >= 0 AND step < 9e15 AND step = floor(step)) THEN error(printf(
            '%s: field step is %s: it must be a whole number from 0 to 9e15', filename, step::VARCHAR))
        WHEN NOT (sample >= 0 AND sample < 9e15 AND sample = floor(sample)) THEN error(printf(
            '%s: field sample is %s: it must be a whole number from 0 to 9e15', filename, sample::VARCHAR))
        WHEN copies > 1 THEN error(printf(
            '%s: step %d sample %d appears %d times in this file: each sample of a file needs its own (step, sample)', filename, step::BIGINT, sample::BIGINT, copies))
        WHEN logprob IS NULL THEN error(printf('%s: step %d sample %d: field logprob is missing', filename, step::BIGINT, sample::BIGINT))
        WHEN len(token_id) <> len(logprob) THEN error(printf(
            '%s: step %d sample %d: field token_id has %d values, logprob %d', filename, step::BIGINT, sample::BIGINT, len(token_id), len(logprob)))
        WHEN len(entropy) IS DISTINCT FROM len(logprob) THEN error(printf(
            '%s: step %d sample %d: field entropy has %s values, logprob %d', filename, step::BIGINT, sample::BIGINT, coalesce(len(entropy)::VARCHAR, 'no'), len(logprob)))
        WHEN len(mean_discriminator) <> len(logprob) THEN error(printf(
            '%s: step %d sample %d: field mean_discriminator has %d values, logprob %d', filename, step::BIGINT, sample::BIGINT, len(mean_discriminator), len(logprob)))
        WHEN advantages IS NULL AND advantage IS NULL AND json_type(advantage_json) <> 'NULL' THEN error(printf(
            '%s: step %d sample %d: field advantage is neither a number nor an array', filename, step::BIGINT, sample::BIGINT))
        WHEN len(advantages) <> len(logprob) THEN error(printf(
            '%s: step %d sample %d: field advantage has %d values, logprob %d', filename, step::BIGINT, sample::BIGINT, len(advantages), len(logprob)))
        WHEN len(mask) <> len(logprob) THEN error(printf(
            '%s: step %d sample %d: field mask has %d values, logprob %d', filename, step::BIGINT, sample::BIGINT, len(mask), len(logprob)))
        WHEN len(list_filter(mask, lambda x: x <> 0 AND x <> 1)) > 0 THEN error(printf(
            '%s: step %d sample %d: field mask holds %s: a mask entry is true or false (or 1 or 0)', filename, step::BIGINT, sample::BIGINT, list_filter(mask, lambda x: x <> 0 AND x <> 1)[1]::VARCHAR))
        WHEN len(entropy_after) <> len(logprob) THEN error(printf(
            '%s: step %d sample %d: field entropy_after has %d values, logprob %d', filename, step::BIGINT, sample::BIGINT, len(entropy_after), len(logprob)))
        WHEN len(logprob_after) <> len(logprob) THEN error(printf(
            '%s: step %d sample %d: field logprob_after has %d values, logprob %d', filename, step::BIGINT, sample::BIGINT, len(logprob_after), len(logprob)))
        ELSE true END
),
tokens AS (
    SELECT c.filename, c.step::BIGINT AS step, c.filename || '#' || c.sample::BIGINT AS sample,
           coalesce(c.mask[u.i] = 1, c.mask IS NULL) AS on_loss,
           c.logprob[u.i] AS logprob, c.entropy[u.i] AS entropy,
           CASE WHEN c.advantages IS NOT NULL THEN c.advantages[u.i] ELSE c.advantage END AS advantage,
           c.advantage_json IS NULL AS no_advantage,
           c.mean_discriminator[u.i] AS mean_discriminator,
           c.entropy_after[u.i] AS entropy_after, c.logprob_after[u.i] AS logprob_after
    FROM checked AS c CROSS JOIN UNNEST(c.logprob) WITH ORDINALITY AS u(lp, i)
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
        '%s: step %d: a logprob %s > 0: not a log-probability', filename, step, logprob::VARCHAR))
    WHEN counted AND entropy > 22.18070977791825 THEN error(printf(
        '%s: step %d: an entropy %s > ln 2^32 = 22.18 nats: is it in bits, or not an entropy?', filename, step, entropy::VARCHAR))
    WHEN counted AND entropy_after > 22.18070977791825 THEN error(printf(
        '%s: step %d: an entropy_after %s > ln 2^32 = 22.18 nats: is it in bits, or not an entropy?', filename, step, entropy_after::VARCHAR))
    WHEN counted AND entropy < -1e-6 THEN error(printf(
        '%s: step %d: an entropy %s < 0', filename, step, entropy::VARCHAR))
    WHEN counted AND mean_discriminator < -1e-6 THEN error(printf(
        '%s: step %d: a mean_discriminator %s < 0: S̄ = Cov(p, ln p) is never negative', filename, step, mean_discriminator::VARCHAR))
    WHEN counted AND entropy_after < -1e-6 THEN error(printf(
        '%s: step %d: an entropy_after %s < 0', filename, step, entropy_after::VARCHAR))
    WHEN counted AND logprob_after > 1e-6 THEN error(printf(
        '%s: step %d: a logprob_after %s > 0: not a log-probability', filename, step, logprob_after::VARCHAR))
    ELSE true END;
