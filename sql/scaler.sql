-- promo.scaler and promo.standardize
SET extra_float_digits = 0;

CREATE TABLE sc (g int, x float8[]);
INSERT INTO sc VALUES
  (1, '{1, 10, NULL}'), (1, '{2, 20, NULL}'), (1, '{3, 30, 5}'),
  (2, '{4, NULL, 5}'), (2, NULL), (2, '{5, 50, 5}');

-- Per-dimension statistics; NULL elements are skipped per dimension.
SELECT promo.scaler(x) FROM sc;
SELECT g, promo.scaler(x) FROM sc GROUP BY g ORDER BY g;

-- Standardize: z-scores; NULL elements and flat dimensions become 0.
SELECT x, promo.standardize(x, (SELECT promo.scaler(x) FROM sc)) FROM sc WHERE x IS NOT NULL ORDER BY x[1];

-- Standardized features have mean 0 and sample deviation 1.
SELECT d, round(avg(z)::numeric, 12) AS mean, round(stddev(z)::numeric, 12) AS sd
FROM (SELECT promo.standardize(ARRAY[i, i * i, sqrt(i)], s) AS zs
      FROM generate_series(1, 50) i,
           (SELECT promo.scaler(ARRAY[i, i * i, sqrt(i)]) AS s FROM generate_series(1, 50) i) m) t,
     unnest(zs) WITH ORDINALITY u(z, d)
GROUP BY d ORDER BY d;

-- Reference fixtures from numpy (nan-aware, ddof=1) to 1e-12 relative.
\i test/fixtures/scaler.sql
SELECT r.dataset, r.dim,
       (s.m::jsonb->'count'->>(r.dim - 1))::float8 = r.count AS count,
       abs((s.m::jsonb->'mean'->>(r.dim - 1))::float8 - r.mean) <= 1e-12 * abs(r.mean) AS mean,
       abs((s.m::jsonb->'std'->>(r.dim - 1))::float8 - r.std) <= 1e-12 * r.std AS std,
       (s.m::jsonb->'min'->>(r.dim - 1))::float8 = r.min AS min,
       (s.m::jsonb->'max'->>(r.dim - 1))::float8 = r.max AS max
FROM (SELECT dataset, promo.scaler(x) AS m FROM fixtures.scaler_data GROUP BY dataset) s
JOIN fixtures.scaler_ref r USING (dataset)
ORDER BY 1, 2;
-- Standardized values to 1e-12, plus the rounding of a stored mean of
-- magnitude |mean| (half an ulp, 1.1e-16 |mean|, divided by std).
SELECT z.dataset, count(*) AS rows,
       bool_and(abs(a - b) <= 1e-12 * greatest(abs(b), 1)
                + 2.3e-16 * coalesce(abs(r.mean) / nullif(r.std, 0), 0)) AS standardized
FROM (SELECT dataset, promo.scaler(x) AS m FROM fixtures.scaler_data GROUP BY dataset) s
JOIN fixtures.scaler_standardized z USING (dataset)
JOIN fixtures.scaler_data d USING (dataset, id),
     unnest(promo.standardize(d.x, s.m), z.z) WITH ORDINALITY u(a, b, dim)
JOIN fixtures.scaler_ref r USING (dim)
WHERE r.dataset = z.dataset
GROUP BY 1 ORDER BY 1;

-- Forced parallel plan: the same model as the serial plan.
CREATE TABLE sc_big AS
SELECT ARRAY[i % 13, CASE WHEN i % 5 = 0 THEN NULL ELSE sqrt(i) END, sin(i)]::float8[] AS x
FROM generate_series(1, 100000) i;
ANALYZE sc_big;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE sc_serial AS SELECT promo.scaler(x) AS m FROM sc_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT promo.scaler(x) FROM sc_big;
SELECT k, abs((a.m::jsonb->k->>i)::float8 - (b.m::jsonb->k->>i)::float8)
          <= 1e-9 * abs((a.m::jsonb->k->>i)::float8) AS same
FROM sc_serial a, (SELECT promo.scaler(x) AS m FROM sc_big) b,
     unnest(ARRAY['count', 'mean', 'std', 'min', 'max']) k, generate_series(0, 2) i
ORDER BY k, i;
RESET ALL;
SET extra_float_digits = 0;

-- Empty input gives NULL; bad input is an error.
SELECT promo.scaler(x) IS NULL AS empty FROM sc WHERE false;
SELECT promo.scaler(x) FROM (VALUES ('{1,2}'::float8[]), ('{1}')) v(x);
SELECT promo.scaler(x) FROM (VALUES ('{1,NaN}'::float8[])) v(x);
SELECT promo.scaler(x) FROM (VALUES ('{{1,2}}'::float8[])) v(x);
SELECT promo.scaler(x) FROM (VALUES ('{}'::float8[])) v(x);
SELECT promo.scaler(x) FROM (VALUES ('{1e200}'::float8[]), ('{-1e200}'), ('{3e200}')) v(x);
SELECT promo.standardize('{1,2,3}', promo.scaler(x)) FROM sc;
SELECT promo.standardize('{1,-Infinity,3}', promo.scaler(x)) FROM sc;
SELECT promo._scaler_combine('{7002,1,0,0,0,0,0}', '{7002,2,0,0,0,0,0,0,0,0,0,0}');

-- Forged states: one check of every scaler state in accum, combine and
-- final ([2] count, [3] shift, [4] mean, [5] m2, [6] min, [7] max).  The
-- first is a genuine state of the values 1 and 2.
SELECT promo._scaler_final('{7002,1,2,1,0.5,0.5,1,2}');
SELECT promo._scaler_final('{7002,1,2,0,1,1,5,2}');
SELECT promo._scaler_combine('{7002,1,3,0,1,1,0,2}', '{7002,1,-3,0,1,1,0,2}');
SELECT promo._scaler_final('{7002,1,1.5,0,1,1,0,2}');
SELECT promo._scaler_final('{7002,1,2,0,NaN,1,0,2}');
SELECT promo._scaler_final('{7002,1,2,0,1,-1,0,2}');
SELECT promo._scaler_accum('{7002,1,2,0,1,Infinity,0,2}', '{1}');
SELECT promo._scaler_accum('{7002,1,2,0,1,1,5,2}', NULL);

-- promo.scaler_stats: one row per dimension; NULL where undefined.
SELECT * FROM promo.scaler_stats((SELECT promo.scaler(x) FROM sc));
SELECT * FROM promo.scaler_stats('{"kind": "scaler", "version": 1, "count": [0, 1], "mean": [null, 4], "std": [null, null], "min": [null, 4], "max": [null, 4]}');
SELECT s.dim, s.count = (m::jsonb->'count'->>(s.dim - 1))::bigint AS count,
       s.mean = (m::jsonb->'mean'->>(s.dim - 1))::float8 AS mean,
       s.std = (m::jsonb->'std'->>(s.dim - 1))::float8 AS std
FROM (SELECT promo.scaler(ARRAY[i, sqrt(i)]) AS m FROM generate_series(1, 9) i) t,
     promo.scaler_stats(m) s ORDER BY 1;
SELECT * FROM promo.scaler_stats((SELECT promo.linreg(y, x) FROM (VALUES (1.0::float8, '{1}'::float8[]), (2, '{2}'), (4, '{3}')) v(y, x)));

DROP TABLE sc, sc_big, sc_serial;
