-- The per-step table of a training run (docs/trace-format.md, "per-step columns"),
-- in the column order of the page's export-steps CSV.
--
-- In:  the view run_tokens(step, sample, counted, logprob, entropy, advantage,
--      mean_discriminator, entropy_after), one row per token, made by tokens_<format>.sql
--      (entropy_after: H at the same position and context right after the optimizer
--      step; NULL where the trace has none).
--      For formats that carry no entropy (NeMo-RL, OpenRLHF) entropy is NULL
--      throughout, so every entropy-based column comes out NULL (an empty cell).
-- Out: one row per step present in the files, ascending; a step whose samples
--      have no counted token has samples = tokens = 0 and empty means.
--
-- Standard SQL apart from fsum, DuckDB's compensated sum (plain sum elsewhere);
-- README "Whole runs" says how to move it to Spark SQL.
WITH per_token AS (
    -- values only where the token counts, so every aggregate skips the rest
    SELECT step, sample, counted,
           CASE WHEN counted THEN entropy END AS entropy,
           CASE WHEN counted THEN advantage END AS advantage,
           CASE WHEN counted THEN exp(logprob) END AS prob,
           CASE WHEN counted THEN -advantage * exp(logprob) * (entropy + logprob) END AS token_term,
           CASE WHEN counted THEN
               advantage * (mean_discriminator - exp(logprob) * (entropy + logprob)) END AS pg_polarity,
           -- the same-context change; NULL without a finite entropy_after
           CASE WHEN counted THEN entropy_after - entropy END AS dh_same,
           mean_discriminator IS NOT NULL AS has_sbar
    FROM (
        -- a logprob up to 1e-6 above 0 and an entropy up to 1e-6 below 0 are rounding
        -- (the readers reject anything further): read them as 0
        SELECT step, sample, counted, mean_discriminator, advantage, entropy_after,
               CASE WHEN logprob > 0 THEN 0 ELSE logprob END AS logprob,
               CASE WHEN entropy < 0 THEN 0 ELSE entropy END AS entropy
        FROM run_tokens
    )
),
per_step AS (
    SELECT step,
           count(DISTINCT CASE WHEN counted THEN sample END) AS samples,
           count(prob) AS tokens,
           -- a mean only when every counted token of the step has its inputs
           CASE WHEN count(entropy) = count(prob) THEN fsum(entropy) / count(entropy) END AS mean_entropy,
           fsum(prob) / count(prob) AS mean_prob,
           CASE WHEN count(token_term) = count(prob) THEN fsum(token_term) / count(token_term) END AS token_term,
           count(token_term) = count(prob) AS all_signed,
           count(*) FILTER (WHERE advantage > 0 AND token_term > 0) AS pos_expand,
           count(*) FILTER (WHERE advantage > 0 AND token_term < 0) AS pos_contract,
           count(*) FILTER (WHERE advantage < 0 AND token_term > 0) AS neg_expand,
           count(*) FILTER (WHERE advantage < 0 AND token_term < 0) AS neg_contract,
           -- the full PG polarity only where every counted token of the step has S̄
           CASE WHEN count(pg_polarity) = count(prob) THEN fsum(pg_polarity) / count(pg_polarity) END AS pg_polarity,
           fsum(dh_same) / NULLIF(count(dh_same), 0) AS realised_dh_same,
           -- sign agreement with the same-context change, among counted tokens with
           -- A ≠ 0 and a nonzero change (and a nonzero prediction)
           count(*) FILTER (WHERE advantage <> 0 AND dh_same <> 0 AND token_term <> 0
                            AND sign(token_term) = sign(dh_same)) AS tt_agree,
           count(*) FILTER (WHERE advantage <> 0 AND dh_same <> 0 AND token_term <> 0) AS tt_moved,
           count(*) FILTER (WHERE advantage <> 0 AND dh_same <> 0 AND pg_polarity <> 0
                            AND sign(pg_polarity) = sign(dh_same)) AS pg_agree,
           count(*) FILTER (WHERE advantage <> 0 AND dh_same <> 0 AND pg_polarity <> 0) AS pg_moved,
           count(*) FILTER (WHERE advantage <> 0 AND dh_same <> 0 AND NOT has_sbar) AS pg_missing
    FROM per_token
    GROUP BY step
),
signed AS (
    -- the shares' denominator: counted tokens with A ≠ 0 and token term ≠ 0 (none
    -- when a counted token has no advantage or no entropy)
    SELECT *, CASE WHEN all_signed THEN NULLIF(pos_expand + pos_contract + neg_expand + neg_contract, 0) END AS n_signed
    FROM per_step
)
SELECT step, samples, tokens, mean_entropy, mean_prob, token_term,
       CAST(pos_expand AS DOUBLE) / n_signed AS share_pos_expand,
       CAST(pos_contract AS DOUBLE) / n_signed AS share_pos_contract,
       CAST(neg_expand AS DOUBLE) / n_signed AS share_neg_expand,
       CAST(neg_contract AS DOUBLE) / n_signed AS share_neg_contract,
       pg_polarity,
       LEAD(mean_entropy) OVER (ORDER BY step) - mean_entropy AS realised_dh,
       realised_dh_same,
       CAST(tt_agree AS DOUBLE) / NULLIF(tt_moved, 0) AS agree_token_term,
       CASE WHEN pg_missing = 0 THEN CAST(pg_agree AS DOUBLE) / NULLIF(pg_moved, 0) END AS agree_pg_polarity
FROM signed
ORDER BY step;
