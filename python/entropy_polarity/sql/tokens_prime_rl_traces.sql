-- Counted tokens of a prime-rl run in the trace-stream layout (monitors/file/traces/:
-- the episode stream and annotations/<producer>/ update streams, NNNNN.jsonl live and
-- NNNNN.jsonl.zst sealed; DuckDB decompresses the zstd chunks itself). The fold is
-- prime-rl's fold_trace_updates (docs/trace-format.md "prime-rl trace streams"): per
-- node and stream field, the newest update (write order: the file list's order, then
-- line) whose stream covers the node and has a known value at each sampled position
-- (is_masked: at least one) wins; one sample per branch (root-to-leaf path), step
-- info.ship.step (traces never shipped are left out).
--
-- In:  the variable run_files, the chunk paths in write order, annotation streams
--      being those under an annotations/ folder.
-- Out: the view run_tokens of tokens_prime_rl.sql. An unknown update version, an
--      update naming no trace of the stream or a branch index out of range stops the
--      query with an error naming the file; a stream shorter than its branch leaves
--      the uncovered nodes as they were, as prime-rl does.
CREATE OR REPLACE TEMP VIEW run_tokens AS
WITH RECURSIVE traces AS (
    SELECT t.id AS trace_id, t.info AS info, t.nodes AS nodes
    FROM (SELECT unnest(traces) AS t
          FROM read_json(list_filter(getvariable('run_files'), lambda f: f NOT SIMILAR TO '.*[/\\]annotations[/\\].*'),
                         format = 'newline_delimited',
                         columns = {traces: 'STRUCT(id VARCHAR, info JSON, nodes STRUCT(
                             parent JSON, token_ids BIGINT[], mask BOOLEAN[], advantages DOUBLE[],
                             trainer_logprobs DOUBLE[], entropies DOUBLE[], is_masked BOOLEAN[])[])[]'}))
),
nodes AS (
    SELECT trace_id, n.i - 1 AS node, len(nodes) AS n_nodes,
           -- a parent that is not an integer index of this trace points nowhere
           CASE WHEN json_type(n.v.parent) IN ('BIGINT', 'UBIGINT') AND n.v.parent::BIGINT BETWEEN 0 AND len(nodes) - 1
                THEN n.v.parent::BIGINT END AS parent,
           coalesce(len(n.v.token_ids), 0) AS ntok, coalesce(n.v.mask, []) AS mask,
           n.v.advantages AS advantages, n.v.trainer_logprobs AS trainer_logprobs,
           n.v.entropies AS entropies, list_transform(n.v.is_masked, lambda b: b::DOUBLE) AS is_masked
    FROM traces, unnest(nodes) WITH ORDINALITY AS n(v, i)
),
leaves AS (
    SELECT trace_id, node, row_number() OVER (PARTITION BY trace_id ORDER BY node) - 1 AS branch
    FROM nodes AS c
    WHERE NOT EXISTS (SELECT 1 FROM nodes AS p WHERE p.trace_id = c.trace_id AND p.parent = c.node)
),
walk AS (
    -- from each leaf to its root; a node seen before (a cycle) ends the walk
    SELECT trace_id, branch, node, 0 AS depth, [node] AS seen FROM leaves
    UNION ALL
    SELECT w.trace_id, w.branch, n.parent, w.depth + 1, list_append(w.seen, n.parent)
    FROM walk AS w JOIN nodes AS n ON n.trace_id = w.trace_id AND n.node = w.node
    WHERE n.parent IS NOT NULL AND NOT list_contains(w.seen, n.parent)
),
path AS (
    -- each node of a branch with where its tokens start in the branch's streams (1-based)
    SELECT w.trace_id, w.branch, w.node, w.depth, n.ntok, n.mask,
           (sum(n.ntok) OVER (PARTITION BY w.trace_id, w.branch ORDER BY w.depth DESC) - n.ntok + 1)::BIGINT AS start
    FROM walk AS w JOIN nodes AS n USING (trace_id, node)
),
updates AS (
    SELECT row_number() OVER () AS ord, filename, version, trace_id, info, branches
    FROM read_json(list_filter(getvariable('run_files'), lambda f: f SIMILAR TO '.*[/\\]annotations[/\\].*'),
                   format = 'newline_delimited', filename = true,
                   columns = {version: 'BIGINT', trace_id: 'VARCHAR', info: 'JSON',
                              branches: 'STRUCT("index" BIGINT, advantages DOUBLE[], trainer_logprobs DOUBLE[],
                                                 entropies DOUBLE[], is_masked BOOLEAN[])[]'})
),
checked AS (
    SELECT * FROM updates AS u
    WHERE CASE
        WHEN version IS DISTINCT FROM 1 THEN error(printf(
            '%s: field version: update version %s is unknown (this reader knows 1)', filename, coalesce(version::VARCHAR, 'none')))
        WHEN NOT EXISTS (SELECT 1 FROM traces AS t WHERE t.trace_id = u.trace_id) THEN error(printf(
            '%s: field trace_id: no trace %s in the trace stream', filename, trace_id))
        ELSE true END
),
entries AS (
    -- one row per (update, branch entry, stream field); is_masked as 1.0 / 0.0
    SELECT c.ord, c.filename, c.trace_id, b.i AS bpos, b.v."index" AS branch, f.s.field AS field, f.s.stream AS stream
    FROM checked AS c, unnest(c.branches) WITH ORDINALITY AS b(v, i),
         unnest([{'field': 'advantages', 'stream': b.v.advantages},
                 {'field': 'trainer_logprobs', 'stream': b.v.trainer_logprobs},
                 {'field': 'entropies', 'stream': b.v.entropies},
                 {'field': 'is_masked', 'stream': list_transform(b.v.is_masked, lambda x: x::DOUBLE)}]) AS f(s)
    WHERE len(f.s.stream) > 0
      AND CASE WHEN b.v."index" IS NULL OR b.v."index" < 0
                    OR b.v."index" >= (SELECT count(*) FROM leaves AS l WHERE l.trace_id = c.trace_id)
               THEN error(printf('%s: field branches[%d].index: branch %s is not one of trace %s''s branches',
                                 c.filename, b.i - 1, coalesce(b.v."index"::VARCHAR, 'null'), c.trace_id))
               ELSE true END
),
candidates AS (
    SELECT e.trace_id, p.node, e.field, e.ord, e.bpos,
           [e.stream[p.start + j - 1] FOR j IN range(1, p.ntok + 1) IF p.mask[j]] AS vals
    FROM entries AS e JOIN path AS p ON p.trace_id = e.trace_id AND p.branch = e.branch
    WHERE len(e.stream) >= p.start + p.ntok - 1  -- the stream covers the node
),
winners AS (
    SELECT trace_id, node, field, arg_max(vals, (ord, bpos)) AS vals
    FROM candidates
    WHERE len(vals) > 0
      AND CASE WHEN field = 'is_masked' THEN list_count(vals) > 0 ELSE list_count(vals) = len(vals) END
    GROUP BY ALL
),
folded AS (
    SELECT n.trace_id, n.node, n.mask,
           coalesce(a.vals, n.advantages) AS advantages,
           coalesce(l.vals, n.trainer_logprobs) AS trainer_logprobs,
           coalesce(h.vals, n.entropies) AS entropies,
           coalesce(m.vals, n.is_masked) AS is_masked
    FROM nodes AS n
    LEFT JOIN winners AS a ON a.trace_id = n.trace_id AND a.node = n.node AND a.field = 'advantages'
    LEFT JOIN winners AS l ON l.trace_id = n.trace_id AND l.node = n.node AND l.field = 'trainer_logprobs'
    LEFT JOIN winners AS h ON h.trace_id = n.trace_id AND h.node = n.node AND h.field = 'entropies'
    LEFT JOIN winners AS m ON m.trace_id = n.trace_id AND m.node = n.node AND m.field = 'is_masked'
),
steps AS (
    -- info deep-merged in write order: the newest ship.step, else the trace's own
    SELECT t.trace_id,
           coalesce((SELECT arg_max(json_extract(u.info, '$.ship.step')::BIGINT, u.ord) FROM checked AS u
                     WHERE u.trace_id = t.trace_id AND json_extract(u.info, '$.ship.step') IS NOT NULL),
                    json_extract(t.info, '$.ship.step')::BIGINT) AS step
    FROM traces AS t
),
samples AS (
    SELECT p.trace_id, p.branch, s.step,
           dense_rank() OVER (ORDER BY p.trace_id, p.branch) AS sample,
           bool_or(f.advantages IS NOT NULL) OVER (PARTITION BY p.trace_id, p.branch) AS has_advantages,
           f.*
    FROM path AS p JOIN steps AS s USING (trace_id) JOIN folded AS f USING (trace_id, node)
    WHERE s.step IS NOT NULL
),
tokens AS (
    SELECT step, sample, has_advantages,
           trainer_logprobs[k] AS logprob, entropies[k] AS entropy, advantages[k] AS advantage,
           is_masked[k] AS masked
    FROM samples, unnest(range(1, len(list_filter(mask, lambda m: m)) + 1)) AS r(k)
)
SELECT step, sample, counted, logprob, entropy, advantage,
       CAST(NULL AS DOUBLE) AS mean_discriminator, CAST(NULL AS DOUBLE) AS entropy_after
FROM (
    SELECT *, coalesce(masked IS DISTINCT FROM 1.0 AND isfinite(logprob) AND isfinite(entropy)
                       AND (NOT has_advantages OR isfinite(advantage)), false) AS counted
    FROM tokens
)
WHERE CASE
    WHEN counted AND logprob > 1e-6 THEN error(printf(
        'step %d: a trainer_logprobs value %s > 0: not a log-probability', step, logprob::VARCHAR))
    WHEN counted AND entropy < -1e-6 THEN error(printf(
        'step %d: an entropies value %s < 0', step, entropy::VARCHAR))
    ELSE true END;
