-- Counted tokens of a prime-rl token export (token_exports/step_<n>/rank_<r>.jsonl,
-- one sample per line). Which tokens count: docs/trace-format.md. prime-rl's
-- trainer_logprobs are the policy being updated, so they are the logprob used here.
--
-- In:  the variable run_files, a list of JSONL paths (SET VARIABLE run_files = [...]).
-- Out: the view run_tokens(step, sample, counted, logprob, entropy, advantage,
--      mean_discriminator, entropy_after), one row per token, counted true where the token counts;
--      run_steps.sql turns it into the per-step table.
-- A sample without advantages still counts its tokens (then the step has no token
-- term). A per-token array whose length differs from token_ids', a step missing, a
-- logprob above 1e-6 or an entropy below -1e-6 stops the query with an error naming
-- the file and the field; scripts/run_steps.py adds the line.
CREATE OR REPLACE TEMP VIEW run_tokens AS
WITH samples AS (
    SELECT filename, step, token_ids, loss_mask, advantages, trainer_logprobs, entropy,
           is_masked,
           -- the step_<n> folder, which the line's step must agree with
           TRY_CAST(regexp_extract(filename, '(^|[/\\])step_([0-9]+)[/\\][^/\\]*$', 2) AS DOUBLE) AS dir_step,
           -- a sample is a line; any id unique per line will do
           row_number() OVER () AS sample
    FROM read_json(getvariable('run_files'), format = 'newline_delimited', filename = true,
                   columns = {step: 'DOUBLE', token_ids: 'DOUBLE[]', loss_mask: 'DOUBLE[]',
                              advantages: 'DOUBLE[]', trainer_logprobs: 'DOUBLE[]',
                              entropy: 'DOUBLE[]', is_masked: 'DOUBLE[]'})
),
checked AS (
    SELECT * FROM samples
    WHERE CASE
        WHEN step IS NULL THEN error(printf('%s: a sample without step', filename))
        WHEN NOT (step >= 0 AND step < 9e15 AND step = floor(step)) THEN error(printf(
            '%s: field step is %s: it must be a whole number from 0 to 9e15', filename, step::VARCHAR))
        WHEN step <> dir_step THEN error(printf(
            '%s: field step is %d but the file is in the folder step_%d', filename, step::BIGINT, dir_step::BIGINT))
        WHEN token_ids IS NULL THEN error(printf('%s: step %d: a sample without token_ids', filename, step))
        WHEN len(loss_mask) IS DISTINCT FROM len(token_ids) THEN error(printf(
            '%s: step %d: field loss_mask has %s values, token_ids %d', filename, step::BIGINT, coalesce(len(loss_mask)::VARCHAR, 'no'), len(token_ids)))
        WHEN len(advantages) <> len(token_ids) THEN error(printf(
            '%s: step %d: field advantages has %d values, token_ids %d', filename, step::BIGINT, len(advantages), len(token_ids)))
        WHEN len(trainer_logprobs) IS DISTINCT FROM len(token_ids) THEN error(printf(
            '%s: step %d: field trainer_logprobs has %s values, token_ids %d', filename, step::BIGINT, coalesce(len(trainer_logprobs)::VARCHAR, 'no'), len(token_ids)))
        WHEN entropy IS NULL THEN error(printf(
            '%s: step %d: field entropy has no values, token_ids %d (this export carries no entropy: without it there is no polarity; write our trace format, docs/trace-format.md)', filename, step::BIGINT, len(token_ids)))
        WHEN len(entropy) <> len(token_ids) THEN error(printf(
            '%s: step %d: field entropy has %d values, token_ids %d', filename, step::BIGINT, len(entropy), len(token_ids)))
        WHEN len(is_masked) <> len(token_ids) THEN error(printf(
            '%s: step %d: field is_masked has %d values, token_ids %d', filename, step::BIGINT, len(is_masked), len(token_ids)))
        WHEN len(list_filter(loss_mask, lambda x: x <> 0 AND x <> 1)) > 0 THEN error(printf(
            '%s: step %d: field loss_mask holds %s: a mask entry is true or false (or 1 or 0)', filename, step::BIGINT, list_filter(loss_mask, lambda x: x <> 0 AND x <> 1)[1]::VARCHAR))
        WHEN len(list_filter(is_masked, lambda x: x <> 0 AND x <> 1)) > 0 THEN error(printf(
            '%s: step %d: field is_masked holds %s: a mask entry is true or false (or 1 or 0)', filename, step::BIGINT, list_filter(is_masked, lambda x: x <> 0 AND x <> 1)[1]::VARCHAR))
        ELSE true END
),
tokens AS (
    SELECT c.filename, c.step::BIGINT AS step, c.sample, c.loss_mask[u.i] = 1 AS on_loss, c.is_masked[u.i] = 1 AS trust_masked,
           c.trainer_logprobs[u.i] AS logprob, c.entropy[u.i] AS entropy, c.advantages[u.i] AS advantage,
           c.advantages IS NULL AS no_advantages
    FROM checked AS c CROSS JOIN UNNEST(c.token_ids) WITH ORDINALITY AS u(token_id, i)
)
SELECT step, sample, counted, logprob, entropy, advantage,
       CAST(NULL AS DOUBLE) AS mean_discriminator, CAST(NULL AS DOUBLE) AS entropy_after
FROM (
    SELECT *, coalesce(on_loss AND trust_masked IS NOT TRUE AND isfinite(logprob)
                       AND isfinite(entropy) AND (no_advantages OR isfinite(advantage)), false) AS counted
    FROM tokens
)
WHERE CASE
    WHEN counted AND logprob > 1e-6 THEN error(printf(
        '%s: step %d: a trainer_logprobs value %s > 0: not a log-probability', filename, step, logprob::VARCHAR))
    WHEN counted AND entropy > 22.18070977791825 THEN error(printf(
        '%s: step %d: an entropy %s > ln 2^32 = 22.18 nats: is it in bits, or not an entropy?', filename, step, entropy::VARCHAR))
    WHEN counted AND entropy < -1e-6 THEN error(printf(
        '%s: step %d: an entropy %s < 0', filename, step, entropy::VARCHAR))
    ELSE true END;
