-- Tokens of NeMo-RL's train_data_step<N>.jsonl: one sample per line, every field one
-- list level deeper (a batch of one): token_ids [[int]], token_loss_mask [[0|1]],
-- advantages [[float]], prev_logprobs [[float]], input_lengths [int],
-- sample_loss_mask [float]. The step is the N of the file name.
-- A token counts where token_loss_mask and sample_loss_mask are on, its position is
-- below input_lengths (the rest is padding) and prev_logprobs (the policy being
-- updated) is finite. NeMo-RL writes no entropy, so entropy is NULL here and every
-- entropy-based column of the per-step table is empty: samples, tokens and mean_prob
-- are what this export allows.
--
-- In:  the variable run_files (a list of train_data_step<N>.jsonl paths).
-- Out: the view run_tokens(step, sample, counted, logprob, entropy, advantage,
--      mean_discriminator, entropy_after).
CREATE OR REPLACE TEMP VIEW run_tokens AS
WITH samples AS (
    SELECT filename,
           CAST(regexp_extract(filename, 'train_data_step([0-9]+)\.jsonl$', 1) AS BIGINT) AS step,
           token_ids[1] AS token_ids, token_loss_mask[1] AS token_loss_mask,
           advantages[1] AS advantages, prev_logprobs[1] AS prev_logprobs,
           input_lengths[1] AS input_length, sample_loss_mask[1] AS sample_loss_mask,
           row_number() OVER () AS sample
    FROM read_json(getvariable('run_files'), format = 'newline_delimited', filename = true,
                   columns = {token_ids: 'BIGINT[][]', token_loss_mask: 'DOUBLE[][]',
                              advantages: 'DOUBLE[][]', prev_logprobs: 'DOUBLE[][]',
                              input_lengths: 'BIGINT[]', sample_loss_mask: 'DOUBLE[]'})
),
checked AS (
    SELECT * FROM samples
    WHERE CASE
        WHEN token_ids IS NULL THEN error(printf('%s: a sample without token_ids', filename))
        WHEN len(token_loss_mask) IS DISTINCT FROM len(token_ids) THEN error(printf(
            '%s: field token_loss_mask has %s values, token_ids %d', filename, coalesce(len(token_loss_mask)::VARCHAR, 'no'), len(token_ids)))
        WHEN len(prev_logprobs) IS DISTINCT FROM len(token_ids) THEN error(printf(
            '%s: field prev_logprobs has %s values, token_ids %d', filename, coalesce(len(prev_logprobs)::VARCHAR, 'no'), len(token_ids)))
        WHEN len(advantages) <> len(token_ids) THEN error(printf(
            '%s: field advantages has %d values, token_ids %d', filename, len(advantages), len(token_ids)))
        WHEN input_length IS NULL OR input_length > len(token_ids) THEN error(printf(
            '%s: field input_lengths is %s, token_ids has %d values', filename, coalesce(input_length::VARCHAR, 'missing'), len(token_ids)))
        ELSE true END
),
tokens AS (
    SELECT c.filename, c.step, c.sample,
           c.token_loss_mask[u.i] <> 0 AND coalesce(c.sample_loss_mask, 1) <> 0
               AND u.i <= c.input_length AS on_loss,
           c.prev_logprobs[u.i] AS logprob, c.advantages[u.i] AS advantage
    FROM checked AS c CROSS JOIN UNNEST(c.token_ids) WITH ORDINALITY AS u(token_id, i)
)
SELECT step, sample, counted, logprob, CAST(NULL AS DOUBLE) AS entropy, advantage,
       CAST(NULL AS DOUBLE) AS mean_discriminator, CAST(NULL AS DOUBLE) AS entropy_after
FROM (SELECT *, coalesce(on_loss AND isfinite(logprob), false) AS counted FROM tokens)
WHERE CASE WHEN counted AND logprob > 1e-6 THEN error(printf(
        '%s: a prev_logprobs value %s > 0: not a log-probability', filename, logprob::VARCHAR))
      ELSE true END;
