-- Tokens of OpenRLHF's RL Logging Board JSONL: one sample per line with step,
-- response_tokens [str] and logprobs [float] (and ref_logprobs, values, rewards).
-- Every response token with a finite logprob counts. The board has no entropy and no
-- advantages, so entropy and advantage are NULL and only samples, tokens and
-- mean_prob of the per-step table are filled.
--
-- In:  the variable run_files (a list of JSONL paths).
-- Out: the view run_tokens(step, sample, counted, logprob, entropy, advantage,
--      mean_discriminator, entropy_after).
CREATE OR REPLACE TEMP VIEW run_tokens AS
WITH samples AS (
    SELECT filename, step, logprobs, response_tokens, row_number() OVER () AS sample
    FROM read_json(getvariable('run_files'), format = 'newline_delimited', filename = true,
                   columns = {step: 'BIGINT', logprobs: 'DOUBLE[]', response_tokens: 'VARCHAR[]'})
),
checked AS (
    SELECT * FROM samples
    WHERE CASE
        WHEN step IS NULL THEN error(printf('%s: a sample without step', filename))
        WHEN logprobs IS NULL THEN error(printf('%s: step %d: a sample without logprobs', filename, step))
        WHEN len(response_tokens) <> len(logprobs) THEN error(printf(
            '%s: step %d: field logprobs has %d values, response_tokens %d', filename, step, len(logprobs), len(response_tokens)))
        ELSE true END
),
tokens AS (
    SELECT c.filename, c.step, c.sample, u.logprob
    FROM checked AS c CROSS JOIN UNNEST(c.logprobs) WITH ORDINALITY AS u(logprob, i)
)
SELECT step, sample, counted, logprob, CAST(NULL AS DOUBLE) AS entropy,
       CAST(NULL AS DOUBLE) AS advantage, CAST(NULL AS DOUBLE) AS mean_discriminator,
       CAST(NULL AS DOUBLE) AS entropy_after
FROM (SELECT *, coalesce(isfinite(logprob), false) AS counted FROM tokens)
WHERE CASE WHEN counted AND logprob > 1e-6 THEN error(printf(
        '%s: step %d: a logprobs value %s > 0: not a log-probability', filename, step, logprob::VARCHAR))
      ELSE true END;
