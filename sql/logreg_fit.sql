-- promo.logreg_fit and promo.logreg_step: the fit over a table, one scan
-- per Newton step, against the in-memory promo.logreg on R's fixtures
-- (test/fixtures/logreg/), serial and forced-parallel plans, progress,
-- the step aggregate's own checks, every input error.
SET extra_float_digits = 0;

-- The datasets: y, w, then the features of each line.
CREATE TABLE lgf_data (dataset text, id serial, y float8, w float8, x float8[]);
CREATE TEMP TABLE lgf_raw (line text);
\copy lgf_raw from program 'for f in basic offset weights correlated near_separation; do grep -v "^#" test/fixtures/logreg/$f.csv | tail -n +2 | sed "s/^/$f,/"; done'
INSERT INTO lgf_data (dataset, y, w, x)
SELECT a[1], a[2]::float8, a[3]::float8, a[4:]::float8[]
FROM (SELECT string_to_array(line, ',') AS a FROM lgf_raw) s;
-- A NULL row of each kind, skipped by both paths.
INSERT INTO lgf_data (dataset, y, w, x) VALUES
  ('basic', NULL, 1, '{1,2,3}'), ('basic', 1, 1, NULL), ('basic', 0, 1, '{1,NULL,3}');
SELECT dataset, count(*) AS n, array_length(min(x), 1) AS d, bool_and(w = 1) AS unit_weights
FROM lgf_data GROUP BY dataset ORDER BY dataset;

-- One view per dataset, as logreg_fit reads a relation; y also as boolean.
CREATE VIEW lgf_basic AS SELECT y, y = 1 AS label, w, x FROM lgf_data WHERE dataset = 'basic';
CREATE VIEW lgf_offset AS SELECT y, w, x FROM lgf_data WHERE dataset = 'offset';
CREATE VIEW lgf_weights AS SELECT y, w, x FROM lgf_data WHERE dataset = 'weights';
CREATE VIEW lgf_correlated AS SELECT y, w, x FROM lgf_data WHERE dataset = 'correlated';
CREATE VIEW lgf_near AS SELECT y, w, x FROM lgf_data WHERE dataset = 'near_separation';

-- Both paths' models in long form: every term statistic and metric.
CREATE FUNCTION lgf_long(m promo.model)
RETURNS TABLE (quantity text, term int, value float8) LANGUAGE sql AS $$
  SELECT q.quantity, c.term, q.value
  FROM promo.coefficients(m) c,
       LATERAL (VALUES ('estimate', c.estimate), ('std_error', c.std_error),
                       ('z_value', c.t_value), ('p_value', c.p_value)) q (quantity, value)
  UNION ALL
  SELECT key, -1, CASE key WHEN 'converged' THEN value::bool::int::float8 ELSE value::float8 END
  FROM jsonb_each_text(promo.metrics(m))
  WHERE jsonb_typeof(promo.metrics(m) -> key) IN ('number', 'boolean')
$$;
CREATE TEMP TABLE lgf_pairs (dataset text, plan text, in_memory promo.model, table_fit promo.model);

-- Largest relative difference of any quantity, and quantities compared.
CREATE VIEW lgf_diff AS
SELECT p.dataset, p.plan, count(*) AS compared,
       count(*) FILTER (WHERE b.value IS NULL) AS missing,
       max(abs(a.value - b.value) / greatest(abs(a.value), 1e-300)) < 1e-9 AS within_1e9
FROM lgf_pairs p, lgf_long(p.in_memory) a
LEFT JOIN LATERAL lgf_long(p.table_fit) b ON b.quantity = a.quantity AND b.term = a.term
GROUP BY p.dataset, p.plan ORDER BY p.dataset, p.plan;

-- Progress: one NOTICE per pass, the deviance of the rows at that pass.
SELECT promo.metrics(promo.logreg_fit('lgf_basic', 'y', 'x')) ->> 'iterations' AS iterations;
SET client_min_messages = warning;

-- Serial plans.
SET max_parallel_workers_per_gather = 0;
INSERT INTO lgf_pairs
SELECT 'basic', 'serial', (SELECT promo.logreg(y, x) FROM lgf_basic), promo.logreg_fit('lgf_basic', 'y', 'x')
UNION ALL
SELECT 'basic boolean', 'serial', (SELECT promo.logreg(label, x) FROM lgf_basic), promo.logreg_fit('lgf_basic', 'label', 'x')
UNION ALL
SELECT 'offset', 'serial', (SELECT promo.logreg(y, x) FROM lgf_offset), promo.logreg_fit('lgf_offset', 'y', 'x')
UNION ALL
SELECT 'weights', 'serial', (SELECT promo.logreg(y, x, w) FROM lgf_weights), promo.logreg_fit('lgf_weights', 'y', 'x', 'w')
UNION ALL
SELECT 'correlated', 'serial', (SELECT promo.logreg(y, x) FROM lgf_correlated), promo.logreg_fit('lgf_correlated', 'y', 'x')
UNION ALL
SELECT 'near_separation', 'serial', (SELECT promo.logreg(y, x) FROM lgf_near), promo.logreg_fit('lgf_near', 'y', 'x')
UNION ALL
SELECT 'correlated lambda', 'serial', (SELECT promo.logreg(y, x, '{"lambda": 2}'::jsonb) FROM lgf_correlated),
       promo.logreg_fit('lgf_correlated', 'y', 'x', options => '{"lambda": 2}');
RESET max_parallel_workers_per_gather;

-- Forced-parallel plans: the step's partial states are combined.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 1;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT promo.logreg_step(y, x, w, NULL, '{0,0,0}', '{1,1,1}') FROM lgf_basic;
INSERT INTO lgf_pairs
SELECT 'basic', 'parallel', (SELECT promo.logreg(y, x) FROM lgf_basic), promo.logreg_fit('lgf_basic', 'y', 'x')
UNION ALL
SELECT 'weights', 'parallel', (SELECT promo.logreg(y, x, w) FROM lgf_weights), promo.logreg_fit('lgf_weights', 'y', 'x', 'w')
UNION ALL
SELECT 'offset', 'parallel', (SELECT promo.logreg(y, x) FROM lgf_offset), promo.logreg_fit('lgf_offset', 'y', 'x');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- Every quantity of every pair within 1e-9 relative, none missing.
SELECT * FROM lgf_diff;
SELECT promo.metrics(table_fit) ->> 'n_skipped' AS skipped, promo.metrics(table_fit) ->> 'n' AS n
FROM lgf_pairs WHERE dataset = 'basic' AND plan = 'serial';

-- Names, as the aggregate's: kept in the model, one per element of the
-- features column.
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SELECT promo.logreg_fit('lgf_basic', 'y', 'x', names => '{a, b, c}')
       OPERATOR(promo.=) promo.with_names(promo.logreg_fit('lgf_basic', 'y', 'x'), '{a, b, c}') AS same_fit,
       promo.feature_names(promo.logreg_fit('lgf_basic', 'y', 'x', NULL, '{"lambda": 1}', '{a, b, c}')) AS names,
       promo.feature_names(promo.logreg_fit('lgf_basic', 'y', 'x')) IS NULL AS unnamed;
SELECT term, name FROM promo.coefficients(promo.logreg_fit('lgf_weights', 'y', 'x', 'w', names => '{recency, spend}'));
RESET max_parallel_workers_per_gather;
RESET client_min_messages;
SELECT promo.logreg_fit('lgf_basic', 'y', 'x', names => '{a, b}');
SELECT promo.logreg_fit('lgf_basic', 'y', 'x', names => '{a, NULL, c}');
SELECT promo.logreg_fit('lgf_basic', 'y', 'x', names => '{a, b, a}');

-- Options as promo.logreg's: not converged within max_iter is a NOTICE.
RESET client_min_messages;
SELECT promo.metrics(promo.logreg_fit('lgf_basic', 'y', 'x', NULL, '{"max_iter": 1}')) ->> 'converged' AS converged;
SET client_min_messages = warning;

-- The step aggregate: one pass at given coefficients.
SELECT array_length(promo.logreg_step(y, x, w, '{0,0,0,0}', '{0,0,0}', '{1,1,1}'), 1) AS state_length
FROM lgf_basic;
-- The same coefficients for every row, by value.
SELECT promo.logreg_step(y, x, w, ARRAY[0, 0, 0, id % 2]::float8[], '{0,0,0}', '{1,1,1}')
FROM lgf_data WHERE dataset = 'basic';
-- A state that is not logreg_step's is refused by every support function.
SELECT promo._logreg_step_final('{7031, 1, 0, 0, 0}');
SELECT promo._logreg_step_combine('{1, 2}', '{1, 2}');
SELECT promo._logreg_step_accum('{7031, 1, 0, 0, 0}', 1, '{1}', 1, NULL, '{0}', '{1}');
SELECT promo._logreg_step_final(promo._logreg_step_accum(NULL, 1, '{1}', 1, NULL, '{0}', '{1}')
       || '{0}'::float8[]);
-- Rows are buffered in the state: combine adds both partial buffers and
-- final the rest, so two halves combined give the one scan's pass.
CREATE AGGREGATE lgf_step_partial(float8, float8[], float8, float8[], float8[], float8[]) (
  SFUNC = promo._logreg_step_accum, STYPE = float8[]);
CREATE TEMP TABLE lgf_halves AS
SELECT id % 2 AS half, lgf_step_partial(y, x, w, '{0.1,0.2,0.3,0.4}', '{0,0,0}', '{1,1,1}') AS s
FROM lgf_data WHERE dataset = 'basic' GROUP BY id % 2;
SELECT half, s[5] > 0 AS rows_buffered FROM lgf_halves ORDER BY half;
SELECT bool_and(abs(c - o) <= 1e-12 * greatest(1, abs(o))) AS combined_is_one_scan, count(*) AS n
FROM unnest(promo._logreg_step_final(promo._logreg_step_combine(
              (SELECT s FROM lgf_halves WHERE half = 0), (SELECT s FROM lgf_halves WHERE half = 1))),
            (SELECT promo.logreg_step(y, x, w, '{0.1,0.2,0.3,0.4}', '{0,0,0}', '{1,1,1}')
             FROM lgf_basic)) u (c, o);
-- Forged buffered rows are refused: a non-finite x, y not 0 or 1, a
-- negative weight, more rows than the buffer holds (d = 3: x from [42],
-- y from [810], weights from [1066]).
SELECT promo._logreg_step_accum(s[:41] || 'NaN'::float8 || s[43:], 1, '{1,2,3}', 1,
                                '{0.1,0.2,0.3,0.4}', '{0,0,0}', '{1,1,1}')
FROM lgf_halves WHERE half = 0;
SELECT promo._logreg_step_final(s[:809] || 0.5::float8 || s[811:]) FROM lgf_halves WHERE half = 0;
SELECT promo._logreg_step_combine(h.s, s[:1065] || -1::float8 || s[1067:])
FROM lgf_halves h WHERE half = 0;
SELECT promo._logreg_step_final(s[:4] || 256::float8 || s[6:]) FROM lgf_halves WHERE half = 0;
-- Bad arguments of the step.
SELECT promo._logreg_step_accum(NULL, 1, '{1}', 1, NULL, '{0}', '{0}');
SELECT promo._logreg_step_accum(NULL, 1, '{1}', 1, '{0}', '{0}', '{1}');
SELECT promo._logreg_step_accum(NULL, 1, '{1,2}', 1, NULL, '{0}', '{1}');
SELECT promo._logreg_step_accum(NULL, 1, '{1}', 1, NULL, NULL, '{1}');
SELECT promo._logreg_step_accum(NULL, 0.5, '{1}', 1, NULL, '{0}', '{1}');
SELECT promo._logreg_step_accum(NULL, 1, '{1}', -1, NULL, '{0}', '{1}');

-- The first scan of logreg_fit: promo._logreg_start gathers the core's
-- moments of the rows.  With d = 3: [2] d, [3] rows skipped, [4] rows of
-- weight 0, [5] rows buffered; the counts and deviance from [6], the shift
-- [12:14] (a row of the data), the means [15:17] and sums of squares
-- [18:20] relative to it, the working weights' sum [21], mean [22:24],
-- co-moments [25:33], then [34:37]; the buffer (x, y, w) from [38].
SELECT s[2] AS d, s[3] AS skipped, s[4] AS zero_weight, s[6] AS n, array_length(s, 1) AS state_length
FROM (SELECT promo._logreg_start(y, x, w) AS s FROM lgf_basic) q;
-- Rows with NULLs only: a header without moments, combined with others.
SELECT promo._logreg_start(y, x, w) FROM lgf_data WHERE y IS NULL OR x IS NULL;
SELECT s[2:4] AS d_skipped_zero, s[6] AS n
FROM (SELECT promo._logreg_start_final(promo._logreg_start_combine(
        '{7032, 0, 2, 1, 0}', promo._logreg_start_combine(
          (SELECT promo._logreg_start(y, x, w) FROM lgf_basic), '{7032, 0, 1, 0, 0}'))) AS s) q;
-- Two halves of 600 rows, each with moments of its own (and its own
-- shift), combined give the one scan's: every quantity that does not
-- depend on the shift within 1e-12.  The second feature has a large offset.
CREATE TABLE lgf_gen AS
SELECT i AS id, (i % 3 = 0)::int::float8 AS y, 0.5 + (i % 5) * 0.5 AS w,
       ARRAY[sin(i), 1e6 + 3 * cos(1.7 * i), (i % 11)::float8] AS x
FROM generate_series(1, 1200) i;
UPDATE lgf_gen SET w = 0 WHERE id % 97 = 0;
CREATE AGGREGATE lgf_start_partial(float8, float8[], float8) (
  SFUNC = promo._logreg_start_accum, STYPE = float8[]);
CREATE TEMP TABLE lgf_start_halves AS
SELECT id % 2 AS half, lgf_start_partial(y, x, w) AS s FROM lgf_gen GROUP BY id % 2;
SELECT bool_and(s[6] >= 256) AS both_have_moments, count(DISTINCT s[12:14]) AS shifts FROM lgf_start_halves;
CREATE FUNCTION lgf_invariants(s float8[]) RETURNS float8[] LANGUAGE sql AS $$
  SELECT s[2:4] || s[6:11] || ARRAY[s[12] + s[15], s[13] + s[16], s[14] + s[17]] || s[18:21]
         || ARRAY[s[12] + s[22], s[13] + s[23], s[14] + s[24]] || s[25:37]
$$;
SELECT bool_and(abs(c - o) <= 1e-12 * greatest(1, abs(o))) AS combined_is_one_scan, count(*) AS n
FROM unnest(lgf_invariants(promo._logreg_start_final(promo._logreg_start_combine(
              (SELECT s FROM lgf_start_halves WHERE half = 0), (SELECT s FROM lgf_start_halves WHERE half = 1)))),
            lgf_invariants((SELECT promo._logreg_start(y, x, w) FROM lgf_gen))) u (c, o);
-- Forged states are refused: a length that does not match, a negative sum
-- of squares, more rows of y = 1 than rows, a non-finite buffered x, a
-- buffered y not 0 or 1, more rows than the buffer holds, a foreign state.
SELECT promo._logreg_start_final('{7032, 1, 0, 0, 0}');
SELECT promo._logreg_start_final(s[:17] || -1::float8 || s[19:]) FROM lgf_start_halves WHERE half = 0;
SELECT promo._logreg_start_final(s[:6] || (s[6] + 1) || s[8:]) FROM lgf_start_halves WHERE half = 0;
SELECT promo._logreg_start_accum(s[:37] || 'NaN'::float8 || s[39:], 1, '{1,2,3}', 1)
FROM lgf_start_halves WHERE half = 0;
SELECT promo._logreg_start_combine(h.s, s[:805] || 0.5::float8 || s[807:])
FROM lgf_start_halves h WHERE half = 0;
SELECT promo._logreg_start_final(s[:4] || 256::float8 || s[6:]) FROM lgf_start_halves WHERE half = 0;
SELECT promo._logreg_start_final('{7031, 0, 0, 0, 0}');
-- Bad rows: y not 0 or 1, a negative weight, ragged or non-finite x.
SELECT promo._logreg_start(y, x, w) FROM (VALUES (0.5, '{1}'::float8[], 1.0)) v (y, x, w);
SELECT promo._logreg_start(y, x, w) FROM (VALUES (1.0, '{1}'::float8[], -1.0)) v (y, x, w);
SELECT promo._logreg_start(y, x, w) FROM (VALUES (1.0, '{1}'::float8[], 1.0), (0, '{1,2}', 0)) v (y, x, w);
SELECT promo._logreg_start(y, x, w) FROM (VALUES (1.0, '{Infinity}'::float8[], 0.0)) v (y, x, w);
DROP AGGREGATE lgf_start_partial(float8, float8[], float8);
DROP FUNCTION lgf_invariants(float8[]);

-- Errors of logreg_fit: missing column, wrong type, one class, no rows,
-- constant feature, bad options, ragged or non-finite x.
SELECT promo.logreg_fit('lgf_basic', 'nope', 'x');
SELECT promo.logreg_fit('lgf_basic', 'y', 'nope');
SELECT promo.logreg_fit('lgf_basic', 'y', 'x', 'nope');
SELECT promo.logreg_fit('lgf_basic', 'x', 'x');
SELECT promo.logreg_fit('lgf_basic', 'y', 'y');
CREATE TABLE lgf_bad (y float8, label text, w float8, x float8[]);
SELECT promo.logreg_fit('lgf_bad', 'label', 'x');
SELECT promo.logreg_fit('lgf_bad', 'y', 'x');
INSERT INTO lgf_bad VALUES (1, 'a', 1, '{1}'), (1, 'b', 1, '{2}');
SELECT promo.logreg_fit('lgf_bad', 'y', 'x');
SELECT promo.logreg_fit('lgf_bad', 'y', 'x', 'w', '{"nope": 1}');
SELECT promo.logreg_fit('lgf_bad', 'y', 'x', 'w', '{"max_iter": 0}');
SELECT promo.logreg_fit('lgf_bad', 'y', 'x', 'w', '{"tol": "a"}');
INSERT INTO lgf_bad VALUES (0, 'c', 1, '{1}');
UPDATE lgf_bad SET x = '{5}';
SELECT promo.logreg_fit('lgf_bad', 'y', 'x');
UPDATE lgf_bad SET x = '{1,1}' WHERE label = 'a';
SELECT promo.logreg_fit('lgf_bad', 'y', 'x');
UPDATE lgf_bad SET x = '{Infinity}' WHERE label = 'a';
SELECT promo.logreg_fit('lgf_bad', 'y', 'x');
UPDATE lgf_bad SET x = ARRAY[ascii(label)];
UPDATE lgf_bad SET y = 2 WHERE label = 'c';
SELECT promo.logreg_fit('lgf_bad', 'y', 'x');
UPDATE lgf_bad SET y = 0, w = -1 WHERE label = 'c';
SELECT promo.logreg_fit('lgf_bad', 'y', 'x', 'w');
-- Weight 0 and NULL rows take no part.
UPDATE lgf_bad SET w = 0 WHERE label = 'c';
SELECT promo.logreg_fit('lgf_bad', 'y', 'x', 'w');
SELECT promo.logreg_fit(NULL, 'y', 'x') IS NULL AS null_source;
-- Rows that change between the scans stop the fit: a view whose rows
-- alternate from one scan to the next.
CREATE SEQUENCE lgf_seq;
CREATE VIEW lgf_changing AS
SELECT y, x FROM (VALUES (0, 1.0::float8, '{1}'::float8[]), (1, 1, '{2}'), (2, 0, '{3}'),
                         (3, 0, '{5}'), (4, 1, '{4}'), (5, 0, '{6}'), (6, 1, '{8}')) v (i, y, x)
WHERE nextval('lgf_seq') % 2 = 0;
SELECT promo.logreg_fit('lgf_changing', 'y', 'x');
DROP VIEW lgf_changing;
DROP SEQUENCE lgf_seq;

DROP VIEW lgf_basic, lgf_offset, lgf_weights, lgf_correlated, lgf_near, lgf_diff;
DROP TABLE lgf_data, lgf_bad, lgf_gen;
DROP FUNCTION lgf_long(promo.model);
