-- promo.linreg: least squares with R's summary(lm) statistics
SET extra_float_digits = 0;

-- A small exact fit: y = 1 + 2 x1 - 3 x2.
CREATE TABLE lr (g int, y float8, x float8[]);
INSERT INTO lr
SELECT i % 2, 1 + 2 * a - 3 * b, ARRAY[a, b]
FROM (SELECT i, (i % 7)::float8 AS a, ((i * i) % 11)::float8 AS b
      FROM generate_series(1, 40) i) s;

SELECT term, round(estimate::numeric, 10) AS estimate
FROM promo.coefficients((SELECT promo.linreg(y, x) FROM lr));

-- Rows with a NULL y, a NULL x or a NULL element are skipped and counted.
INSERT INTO lr VALUES (0, NULL, '{1,2}'), (1, 5, NULL), (0, 5, '{1,NULL}');
SELECT (m->>'n')::int AS n, (m->>'n_skipped')::int AS n_skipped,
       (m->>'df_residual')::int AS df
FROM (SELECT promo.metrics(promo.linreg(y, x)) AS m FROM lr) s;

-- GROUP BY and FILTER compose as with any aggregate.
SELECT g, round(promo.predict(promo.linreg(y, x), '{1,1}')::numeric, 8) AS at_1_1
FROM lr GROUP BY g ORDER BY g;
SELECT round(promo.predict(promo.linreg(y, x) FILTER (WHERE g = 1), '{2,0}')::numeric, 8)
FROM lr;

-- Feature names: promo.linreg(y, x, names) is the fit of promo.linreg(y, x)
-- carrying the names; NULL names on every row are no names.  The names
-- may come from a column, if it is the same on every row (rows skipped for
-- a NULL included).
SELECT promo.linreg(y, x, '{a, b}') OPERATOR(promo.=) promo.with_names(promo.linreg(y, x), '{a, b}') AS same_fit,
       promo.feature_names(promo.linreg(y, x, '{a, b}')) AS names,
       promo.linreg(y, x, NULL::text[]) OPERATOR(promo.=) promo.linreg(y, x) AS null_is_none,
       promo.feature_names(promo.linreg(y, x, ARRAY['a', CASE WHEN g >= 0 THEN 'b' END])) AS from_column
FROM lr;
SELECT term, name, round(estimate::numeric, 10) AS estimate
FROM promo.coefficients((SELECT promo.linreg(y, x, '{recency, frequency}') FROM lr));
SELECT g, promo.feature_names(promo.linreg(y, x, '{a, b}')) FROM lr GROUP BY g ORDER BY g;
SELECT promo.linreg(y, x, '{a, b}') IS NULL AS all_skipped_named FROM lr WHERE y IS NULL;
-- Names that are not one per element of x, or not the same on every row.
SELECT promo.linreg(y, x, '{a}') FROM lr;
SELECT promo.linreg(y, x, '{a, b, c}') FROM lr;
SELECT promo.linreg(y, x, '{a, NULL}') FROM lr;
SELECT promo.linreg(y, x, '{a, a}') FROM lr;
SELECT promo.linreg(y, x, CASE WHEN g = 0 THEN '{a, b}' ELSE '{a, c}' END::text[]) FROM lr;
SELECT promo.linreg(y, x, CASE WHEN g = 0 THEN '{a, b}'::text[] END) FROM lr;
SELECT promo.linreg(y, x, CASE WHEN y IS NULL THEN '{a, c}' ELSE '{a, b}' END::text[]) FROM lr;

-- Empty input and input of only skipped rows give NULL.
SELECT promo.linreg(y, x) IS NULL AS empty FROM lr WHERE false;
SELECT promo.linreg(y, x) IS NULL AS all_skipped FROM lr WHERE y IS NULL;

-- Noisy data: statistics are present and consistent.
CREATE TABLE lr_noise AS
SELECT 3 + 0.5 * a - 2 * b + sin(i * 12.9898) * 0.3 AS y, ARRAY[a, b] AS x
FROM (SELECT i, cos(i * 0.7) * 10 AS a, sin(i * 1.3) * 5 AS b
      FROM generate_series(1, 500) i) s;
SELECT term, round(estimate::numeric, 2) AS estimate, std_error > 0 AS has_se,
       p_value < 1e-10 AS significant
FROM promo.coefficients((SELECT promo.linreg(y, x) FROM lr_noise));
SELECT (m->>'r2')::float8 BETWEEN 0.99 AND 1 AS r2_high,
       (m->>'adj_r2')::float8 < (m->>'r2')::float8 AS adj_below,
       (m->>'condition_number')::float8 > 1 AS cond
FROM (SELECT promo.metrics(promo.linreg(y, x)) AS m FROM lr_noise) s;

-- Reference fixtures: every statistic against R's lm() to 1e-8 relative.
\i test/fixtures/linreg.sql
CREATE TABLE lr_fit AS
SELECT dataset, promo.linreg(y, x) AS m FROM fixtures.linreg_data GROUP BY dataset;
SELECT f.dataset, f.term,
       abs(c.estimate - f.estimate) <= 1e-8 * abs(f.estimate) AS estimate,
       abs(c.std_error - f.std_error) <= 1e-8 * abs(f.std_error) AS std_error,
       abs(c.t_value - f.t_value) <= 1e-8 * abs(f.t_value) AS t_value,
       abs(c.p_value - f.p_value) <= 1e-8 * abs(f.p_value) + 1e-300 AS p_value
FROM lr_fit, promo.coefficients(m) c
JOIN fixtures.linreg_coef f USING (term)
WHERE f.dataset = lr_fit.dataset
ORDER BY 1, 2;
SELECT f.dataset,
       (m->>'n')::float8 = f.n AS n,
       (m->>'n_skipped')::float8 = f.n_skipped AS n_skipped,
       (m->>'df_residual')::float8 = f.df_residual AS df,
       abs((m->>'r2')::float8 - f.r2) <= 1e-8 * abs(f.r2) AS r2,
       abs((m->>'adj_r2')::float8 - f.adj_r2) <= 1e-8 * abs(f.adj_r2) AS adj_r2,
       abs((m->>'sigma')::float8 - f.sigma) <= 1e-8 * f.sigma AS sigma,
       abs((m->>'f_statistic')::float8 - f.f_statistic) <= 1e-8 * f.f_statistic AS f,
       abs((m->>'f_p_value')::float8 - f.f_p_value) <= 1e-8 * f.f_p_value + 1e-300 AS f_p,
       abs((m->>'condition_number')::float8 - f.condition_number)
           <= 1e-8 * f.condition_number AS kappa
FROM (SELECT dataset, promo.metrics(m) AS m FROM lr_fit) s
JOIN fixtures.linreg_metrics f USING (dataset)
ORDER BY 1;
SELECT p.dataset, count(*) AS rows,
       bool_and(abs(promo.predict(m, p.x) - p.fitted) <= 1e-8 * abs(p.fitted)) AS fitted
FROM lr_fit JOIN fixtures.linreg_predict p USING (dataset)
GROUP BY 1 ORDER BY 1;

-- Forced parallel plan: partial aggregates combine to the serial result.
CREATE TABLE lr_big AS
SELECT 2 + 0.25 * a - 1.5 * b + c + sin(i * 3.1) AS y, ARRAY[a, b, c] AS x
FROM (SELECT i, (i % 97)::float8 AS a, cos(i)::float8 AS b, sqrt(i) AS c
      FROM generate_series(1, 100000) i) s;
INSERT INTO lr_big VALUES (NULL, '{1,2,3}'), (1, NULL);
ANALYZE lr_big;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE lr_serial AS SELECT promo.linreg(y, x) AS m FROM lr_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT promo.linreg(y, x) FROM lr_big;
SELECT s.term, abs(s.estimate - p.estimate) <= 1e-9 * abs(s.estimate) AS same_estimate,
       abs(s.std_error - p.std_error) <= 1e-9 * s.std_error AS same_se
FROM promo.coefficients((SELECT m FROM lr_serial)) s
JOIN promo.coefficients((SELECT promo.linreg(y, x) FROM lr_big)) p USING (term);
SELECT (promo.metrics(promo.linreg(y, x))->>'n_skipped')::int AS skipped_in_parallel FROM lr_big;
-- The names signature, whose state is serialized between processes:
-- the serial fit with the names, given as a literal or by a column.
EXPLAIN (COSTS OFF) SELECT promo.linreg(y, x, '{a, b, c}') FROM lr_big;
SELECT s.term, p.name, abs(s.estimate - p.estimate) <= 1e-9 * abs(s.estimate) AS same_estimate,
       abs(s.std_error - p.std_error) <= 1e-9 * s.std_error AS same_se
FROM promo.coefficients((SELECT m FROM lr_serial)) s
JOIN promo.coefficients((SELECT promo.linreg(y, x, '{a, b, c}') FROM lr_big)) p USING (term);
SELECT promo.feature_names(m), (promo.metrics(m)->>'n_skipped')::int AS skipped_in_parallel
FROM (SELECT promo.linreg(y, x, ARRAY['a', 'b', CASE WHEN y IS NULL THEN 'c' ELSE 'c' END]) AS m
      FROM lr_big) s;
\set SHOW_CONTEXT never
SELECT promo.linreg(y, x, CASE WHEN x[1] < 50 THEN '{a, b, c}' ELSE '{a, b, d}' END::text[]) FROM lr_big;
\set SHOW_CONTEXT errors
RESET ALL;
SET extra_float_digits = 0;

-- Bad input: every error has its own message.
SELECT promo.linreg(y, x) FROM (VALUES (1.0::float8, '{{1,2},{3,4}}'::float8[])) v(y, x);
SELECT promo.linreg(y, x) FROM (VALUES ('NaN'::float8, '{1}'::float8[])) v(y, x);
SELECT promo.linreg(y, x) FROM (VALUES (1.0::float8, '{1,Infinity}'::float8[])) v(y, x);
SELECT promo.linreg(y, x) FROM (VALUES (1.0::float8, '{1,2}'::float8[]), (2, '{1,2,3}')) v(y, x);
SELECT promo.linreg(y, x) FROM (VALUES (1.0::float8, '{}'::float8[])) v(y, x);
SELECT promo.linreg(y, x) FROM (VALUES (1.0::float8, '{1,2}'::float8[])) v(y, x);
SELECT promo.linreg(y, x) FROM (VALUES (1.0::float8, '{1,2}'::float8[]), (2, '{3,5}'), (3, '{4,4}')) v(y, x);
SELECT promo.linreg(i, ARRAY[i, 1]) FROM generate_series(1, 10) i;
-- values on a 1e-300 scale vary but their squares underflow: said so
SELECT promo.linreg(i, ARRAY[i, i * 1e-300]) FROM generate_series(1, 10) i;
SELECT promo.linreg(i, ARRAY[i, i * i, 2 * i + 3 * i * i]) FROM generate_series(1, 10) i;
SELECT promo.linreg(1, array_fill(1.0::float8, ARRAY[1001]));
SELECT promo.linreg(y, x) FROM (VALUES (1e200::float8, '{1e200}'::float8[]), (2e200, '{3e200}'), (3, '{5}')) v(y, x);
SELECT promo._linreg_accum('{1,2,3}', 1, '{1}');
SELECT promo._linreg_final('{7001,5,0,0,0,0}');
SELECT promo._linreg_accum('{7001,1e300,0,0,0,0}', 1, '{1}');

-- Forged states: one check of every linreg state in accum, combine and
-- final.  The first is a state that fits (three rows, means 2 and 4).
-- Then: negative skipped rows, n = 3 combined with n = -3, a fractional n,
-- NaN and negative co-moments, a NaN buffered row, rows without a
-- dimension, a negative count reaching accum.
SELECT promo.metrics(promo._linreg_final('{7001,1,0,0,0,3,0,0,2,4,2,4,4,8.5}')) ->> 'n' AS n;
SELECT promo._linreg_final('{7001,1,-7,0,0,3,0,0,2,4,2,4,4,8.5}');
SELECT promo._linreg_combine('{7001,1,0,0,0,3,0,0,2,4,2,4,4,8.5}', '{7001,1,0,0,0,-3,0,0,2,4,2,4,4,8.5}');
SELECT promo._linreg_combine('{7001,1,0,0,0,3,0,0,2,4,2,4,4,8.5}', '{7001,1,0,0,0,2.5,0,0,2,4,2,4,4,8.5}');
SELECT promo._linreg_final('{7001,1,0,0,0,3,0,0,2,4,NaN,4,4,8.5}');
SELECT promo._linreg_final('{7001,1,0,0,0,3,0,0,2,4,-2,4,4,8.5}');
SELECT promo._linreg_final('{7001,1,0,1,1,3,0,0,2,4,2,4,4,8.5,NaN,1}');
SELECT promo._linreg_combine('{7001,-1,0,0,0,5}', '{7001,-1,0,0,0,0}');
SELECT promo._linreg_accum('{7001,1,-1,0,0,0,0,0,0,0,0,0,0,0}', 1, '{1}');

-- Called directly, outside an aggregate, the transition function leaves
-- its state argument alone and returns a new state.
SELECT st AS before, promo._linreg_accum(st, 2, '{3}') AS after, st AS still
FROM (SELECT promo._linreg_accum(NULL, 1, '{2}') AS st OFFSET 0) s;

DROP TABLE lr, lr_noise, lr_fit, lr_big, lr_serial;
