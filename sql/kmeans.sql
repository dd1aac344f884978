-- promo.kmeans (in memory), promo.kmeans_step and promo.kmeans_fit (scale-out)
SET extra_float_digits = 0;

-- Reference fixtures: scikit-learn's Lloyd from the same initial centroids.
\i test/fixtures/kmeans.sql
CREATE TABLE km_fit AS
SELECT s.dataset,
       (SELECT promo.kmeans(d.x, s.k, jsonb_build_object(
                   'init', (SELECT jsonb_agg(to_jsonb(i.centroid) ORDER BY i.cluster)
                            FROM fixtures.kmeans_init i WHERE i.dataset = s.dataset),
                   'tol', s.tol, 'max_iter', s.max_iter))
        FROM fixtures.kmeans_data d WHERE d.dataset = s.dataset) AS memory
FROM fixtures.kmeans_summary s;
-- The scale-out path reads each dataset through a view.
CREATE FUNCTION km_fit_view(ds text) RETURNS promo.model LANGUAGE plpgsql AS $$
DECLARE
    m promo.model;
BEGIN
    EXECUTE format('CREATE TEMP VIEW km_source AS SELECT x FROM fixtures.kmeans_data WHERE dataset = %L', ds);
    SELECT promo.kmeans_fit('km_source', 'x', s.k, max_iter => s.max_iter, tol => s.tol,
                            init => (SELECT jsonb_agg(to_jsonb(i.centroid) ORDER BY i.cluster)
                                     FROM fixtures.kmeans_init i WHERE i.dataset = ds))
      INTO m FROM fixtures.kmeans_summary s WHERE s.dataset = ds;
    DROP VIEW km_source;
    RETURN m;
END $$;
ALTER TABLE km_fit ADD COLUMN scaleout promo.model;
UPDATE km_fit SET scaleout = km_fit_view(dataset);

-- Centroids to 1e-9 relative, sizes exactly, for both paths.
SELECT f.dataset, r.cluster, path,
       (SELECT bool_and(abs(a - b) <= 1e-9 * greatest(abs(b), 1e-300))
        FROM unnest(ARRAY(SELECT jsonb_array_elements_text(m::jsonb -> 'centroids' -> (r.cluster - 1))::float8),
                    r.centroid) u(a, b)) AS centroid,
       (m::jsonb -> 'sizes' ->> (r.cluster - 1))::bigint = r.size AS size
FROM km_fit f
CROSS JOIN LATERAL (VALUES ('memory', f.memory), ('scaleout', f.scaleout)) p(path, m)
JOIN fixtures.kmeans_ref r ON r.dataset = f.dataset
ORDER BY 1, 2, 3;
-- Inertia to 1e-9 relative, iterations exactly, and why each run stopped.
SELECT s.dataset, path, s.stopped,
       abs((m::jsonb ->> 'inertia')::float8 - s.inertia) <= 1e-9 * s.inertia AS inertia,
       (m::jsonb ->> 'iterations')::int = s.iterations AS iterations,
       (m::jsonb ->> 'converged')::bool AS converged
FROM km_fit f
JOIN fixtures.kmeans_summary s USING (dataset)
CROSS JOIN LATERAL (VALUES ('memory', f.memory), ('scaleout', f.scaleout)) p(path, m)
ORDER BY 1, 2;

-- Predict gives the cluster (1..k); distance is to the nearest centroid.
SELECT promo.predict(memory, ARRAY(SELECT jsonb_array_elements_text(memory::jsonb -> 'centroids' -> 1)::float8)) AS cluster,
       promo.kmeans_distance(memory, ARRAY(SELECT jsonb_array_elements_text(memory::jsonb -> 'centroids' -> 1)::float8)) AS distance
FROM km_fit WHERE dataset = 'blobs';
SELECT promo.metrics(memory) - 'inertia' AS metrics, round((promo.metrics(memory) ->> 'inertia')::numeric, 6) AS inertia
FROM km_fit WHERE dataset = 'blobs';

-- Seeding is deterministic for a seed, k-means++ by default; GROUP BY works.
CREATE TABLE km_pts AS
SELECT i, i % 4 AS g,
       ARRAY[(i % 3) * 10 + sin(i), (i % 3) * 5 + cos(i * 1.7)]::float8[] AS x
FROM generate_series(1, 3000) i;
SELECT promo.kmeans(x, 3, '{"seed": 11}')::text = promo.kmeans(x, 3, '{"seed": 11}')::text AS same_seed_same_model,
       promo.kmeans(x, 3, '{"seed": 11, "init": "random"}')::text
           = promo.kmeans(x, 3, '{"seed": 11, "init": "random"}')::text AS random_too
FROM km_pts;
SELECT g, jsonb_path_query_array(promo.kmeans(x, 3)::jsonb, '$.sizes[*]') AS sizes
FROM km_pts GROUP BY g ORDER BY g;
-- Rows arrive in any order: the model is the same.
SELECT (SELECT promo.kmeans(x, 3) FROM (SELECT x FROM km_pts ORDER BY i) a)::text
     = (SELECT promo.kmeans(x, 3) FROM (SELECT x FROM km_pts ORDER BY i DESC) b)::text AS order_free;

-- Progress, when asked for.
SELECT promo.kmeans(x, 3, '{"progress": true, "init": [[0, 0], [1, 1], [20, 10]], "tol": 0}') IS NOT NULL
FROM km_pts;

-- An empty cluster moves to the point farthest from its centroid.
SELECT jsonb_path_query_array(
           promo.kmeans(x, 3, '{"init": [[0, 0], [10, 5], [1000, 1000]], "max_iter": 1}')::jsonb,
           '$.sizes[*]') AS sizes_after_relocation
FROM km_pts;

-- Forced parallel plans: both aggregates give the serial result.
ANALYZE km_pts;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE km_serial AS
SELECT promo.kmeans(x, 3) AS m, promo.kmeans_step(x, '{{0,0},{10,5},{20,10}}') AS step FROM km_pts;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT promo.kmeans(x, 3) FROM km_pts;
EXPLAIN (COSTS OFF) SELECT promo.kmeans_step(x, '{{0,0},{10,5},{20,10}}') FROM km_pts;
SELECT (SELECT promo.kmeans(x, 3) FROM km_pts)::text = m::text AS kmeans_same,
       (SELECT bool_and(abs(a - b) <= 1e-9 * greatest(abs(b), 1))
        FROM unnest((SELECT promo.kmeans_step(x, '{{0,0},{10,5},{20,10}}') FROM km_pts), step) u(a, b)
       ) AS step_same
FROM km_serial;
RESET ALL;
SET extra_float_digits = 0;

-- kmeans_step knows its centroids by value, not by where they are stored:
-- per-group centroids computed by an expression or read through a join.
SELECT s, (promo.kmeans_step(array[g::float8], array[[s*100::float8]]))[18] AS centroid
FROM generate_series(1, 6) g, (VALUES (1), (2)) v(s) GROUP BY s ORDER BY s;
CREATE TABLE km_group_centroids AS
SELECT g, ARRAY[[g, 0], [10 + g, 5], [20 + g, 10]]::float8[] AS c FROM generate_series(0, 3) g;
SELECT p.g, (promo.kmeans_step(p.x, c.c))[35:36] AS first_centroid,
       (SELECT sum(v) FROM unnest((promo.kmeans_step(p.x, c.c))[14:16]) v) AS counted
FROM km_pts p JOIN km_group_centroids c USING (g) GROUP BY p.g, c.c ORDER BY p.g;
SELECT promo.kmeans_step(array[g::float8], array[[g::float8]]) FROM generate_series(1, 3) g;

-- kmeans_fit seeds from the table (a sample when it is large) by seed.
SELECT promo.kmeans_fit('km_pts', 'x', 3, seed => 3)::text
     = promo.kmeans_fit('km_pts', 'x', 3, seed => 3)::text AS fit_deterministic;
SELECT jsonb_path_query_array(promo.kmeans_fit('km_pts', 'x', 3, sample_size => 100)::jsonb,
                              '$.sizes[*]') AS sampled_seeding_sizes;
-- A table is sampled whatever the planner's estimate (a distributed table's
-- coordinator has none): a never analyzed copy gets the same seeds.
CREATE TABLE km_fresh AS SELECT * FROM km_pts;
SELECT promo.kmeans_fit('km_fresh', 'x', 3, sample_size => 100, max_iter => 0)::jsonb -> 'centroids'
     = promo.kmeans_fit('km_pts', 'x', 3, sample_size => 100, max_iter => 0)::jsonb -> 'centroids'
       AS same_seeds;
-- A view cannot be sampled: it is read whole, and every row counts.
CREATE VIEW km_view AS SELECT x FROM km_pts;
SELECT (promo.kmeans_fit('km_view', 'x', 3, sample_size => 100)::jsonb ->> 'n')::int AS rows_through_view;
DROP VIEW km_view;

-- Choosing k: inertia falls with k, the silhouette peaks at the true 3.
SELECT k, round(inertia::numeric, 1) AS inertia, round(silhouette::numeric, 4) AS silhouette
FROM promo.kmeans_choose_k('km_pts', 'x', 2, 5);
WITH m AS MATERIALIZED (
    SELECT (SELECT promo.kmeans(x, 3) FROM km_pts) AS m3, promo.kmeans_fit('km_pts', 'x', 5) AS m5
)
SELECT round(promo.silhouette(x, m3)::numeric, 4) AS silhouette_of_3,
       round(promo.silhouette(x, m5)::numeric, 4) AS of_5
FROM km_pts, m;

-- A long fit honours statement_timeout (and so cancel).
CREATE TABLE km_big AS
SELECT ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7), cos(i * 2.9)]::float8[] AS x
FROM generate_series(1, 200000) i;
SET statement_timeout = '100ms';
SELECT promo.kmeans(x, 50, '{"tol": 0, "max_iter": 100000}') FROM km_big;
RESET statement_timeout;

-- Empty input gives NULL; NULL rows are skipped and counted.
SELECT promo.kmeans(x, 2) IS NULL AS empty FROM km_pts WHERE false;
SELECT promo.metrics(promo.kmeans(x, 2)) ->> 'n_skipped' AS skipped
FROM (SELECT x FROM km_pts UNION ALL SELECT NULL) s;

-- From the same initial centroids kmeans and kmeans_fit give the same
-- model, also when a cluster is left empty; sizes are what predict gives.
CREATE TABLE km_same AS SELECT '{1,2}'::float8[] AS x FROM generate_series(1, 10);
CREATE TABLE km_same_fit AS
SELECT (SELECT promo.kmeans(x, 2, '{"init": [[1, 2], [5, 5]]}') FROM km_same) AS memory,
       promo.kmeans_fit('km_same', 'x', 2, init => '[[1, 2], [5, 5]]') AS scaleout;
SELECT jsonb_path_query_array(memory::jsonb, '$.sizes[*]') AS memory_sizes,
       jsonb_path_query_array(scaleout::jsonb, '$.sizes[*]') AS scaleout_sizes,
       memory::text = scaleout::text AS same_model
FROM km_same_fit;
SELECT promo.predict(scaleout, x) AS predicted, count(*) FROM km_same, km_same_fit GROUP BY 1;
-- Options left NULL take the defaults.
SELECT promo.kmeans_fit('km_pts', 'x', 3, seed => NULL, max_iter => NULL, tol => NULL,
                        init => NULL, sample_size => NULL, progress => NULL)::text
     = promo.kmeans_fit('km_pts', 'x', 3)::text AS null_options_are_defaults;

-- A source whose rows change between scans is an error, never a NaN model.
CREATE SEQUENCE km_scans;
CREATE VIEW km_shrinking AS
SELECT x FROM km_pts WHERE i % (SELECT nextval('km_scans'))::int = 0;
SELECT promo.kmeans_fit('km_shrinking', 'x', 3, init => '[[0, 0], [10, 5], [20, 10]]');

-- Forged states are refused by every function that takes one.
CREATE TABLE km_state AS SELECT promo.kmeans_step(ARRAY[1::float8], '{{1}}') AS s;
SELECT promo._kmeans_step_final(s[1:3] || 'NaN'::float8 || s[5:]) FROM km_state;
SELECT promo._kmeans_step_final(s[1:12] || '-1'::float8 || s[14:]) FROM km_state;
SELECT promo._kmeans_step_final(s[1:15] || '999'::float8 || s[17:]) FROM km_state;
SELECT promo._kmeans_step_final(s[1:13] || 'Infinity'::float8 || s[15:]) FROM km_state;
SELECT promo._kmeans_step_combine(s, s[1:12] || '-1'::float8 || s[14:]) FROM km_state;
SELECT promo._kmeans_step_accum(s[1:15] || '999'::float8 || s[17:], '{1}', '{{1}}') FROM km_state;
DO $$ BEGIN
    EXECUTE format('CREATE AGGREGATE km_forged(float8[], float8[]) (SFUNC = promo._kmeans_step_accum, STYPE = float8[], INITCOND = %L)',
                   (SELECT (s[1:12] || '-1'::float8 || s[14:])::text FROM km_state));
END $$;
SELECT km_forged(x, '{{1}}') FROM (VALUES ('{1}'::float8[]), ('{2}')) v(x);
DROP AGGREGATE km_forged(float8[], float8[]);
SELECT promo._silhouette_final('{7004,1,-3}');
SELECT promo._silhouette_final('{7004,NaN,3}');
SELECT promo._silhouette_final('{7004,5,3}');
SELECT promo._silhouette_combine('{7004,1,3}', '{7004,1,2.5}');
SELECT promo._silhouette_accum('{7004,1,3,0}', '{1,2}', NULL);

-- promo.kmeans holds its rows within promo.max_memory.
SET max_parallel_workers_per_gather = 0;
SET promo.max_memory = '1MB';
SELECT promo.kmeans(x, 3) FROM km_big;
RESET promo.max_memory;
RESET max_parallel_workers_per_gather;

-- Bad input.
SELECT promo.kmeans(x, 0) FROM km_pts;
SELECT promo.kmeans(x, 3) FROM (VALUES ('{1,1}'::float8[]), ('{1,1}'), ('{2,2}'), ('{1,1}')) v(x);
SELECT promo.kmeans(x, 5) FROM (VALUES ('{1,1}'::float8[]), ('{2,2}')) v(x);
SELECT promo.kmeans(x, 2) FROM (VALUES ('{1,NULL}'::float8[])) v(x);
SELECT promo.kmeans(x, 2) FROM (VALUES ('{1,NaN}'::float8[])) v(x);
SELECT promo.kmeans(x, 2) FROM (VALUES ('{1,2}'::float8[]), ('{1,2,3}')) v(x);
SELECT promo.kmeans(x, 2) FROM (VALUES ('{1e200}'::float8[]), ('{-1e200}'), ('{3e200}')) v(x);
SELECT promo.kmeans(x, 2, '{"init": [[0, 0]]}') FROM km_pts;
SELECT promo.kmeans(x, 2, '{"init": [[0, 0], [1, 2, 3]]}') FROM km_pts;
SELECT promo.kmeans(x, 2, '{"init": "kmeans++"}') FROM km_pts;
SELECT promo.kmeans(x, 2, '{"iterations": 5}') FROM km_pts;
SELECT promo.kmeans(x, 2, '{"tol": -1}') FROM km_pts;
SELECT promo.kmeans(x, 2, '{"max_iter": 1.5}') FROM km_pts;
SELECT promo.kmeans_step(x, '{1,2}') FROM km_pts;
SELECT promo.kmeans_step(x, '{{1,2,3}}') FROM km_pts;
SELECT promo._kmeans_step_accum('{7003,1,1,0,0,0,0,-5,0,0,0,0,0,0}', '{1}', '{{1}}');
SELECT promo._kmeans_step_combine(promo._kmeans_step_accum(NULL, '{1}', '{{0},{2}}'),
                                 '{7003,2,1,1,0,1,0,1.5,0,0,0,0,0,0,0,0,0,0,0}');
SELECT promo.kmeans_fit('km_pts', 'x', 0);
SELECT promo.kmeans_fit('km_pts', 'no_such_column', 2);
SELECT promo.kmeans_fit('km_pts', 'x', 2, init => '[[0, 0]]');
SELECT promo.predict(promo.kmeans(x, 2), '{1}') FROM km_pts;
SELECT promo.kmeans_distance(promo.linreg(x[1], x), '{1,2}') FROM km_pts;
-- squared distances that overflow are an error, not the distance sqrt(DBL_MAX)
SELECT promo.kmeans_distance('{"kind": "kmeans", "version": 1, "n": 2, "n_skipped": 0, "inertia": 0.5, "iterations": 1, "converged": true, "centroids": [[0], [1]], "sizes": [1, 1]}', '{1e200}');
SELECT promo.predict('{"kind": "kmeans", "version": 1, "n": 2, "n_skipped": 0, "inertia": 0.5, "iterations": 1, "converged": true, "centroids": [[0], [1]], "sizes": [1, 1]}', '{1e200}');
SELECT promo.silhouette('{1e200}'::float8[], '{"kind": "kmeans", "version": 1, "n": 2, "n_skipped": 0, "inertia": 0.5, "iterations": 1, "converged": true, "centroids": [[0], [1]], "sizes": [1, 1]}');
-- just below the overflow, the distance is right
SELECT promo.kmeans_distance('{"kind": "kmeans", "version": 1, "n": 2, "n_skipped": 0, "inertia": 0.5, "iterations": 1, "converged": true, "centroids": [[0], [1]], "sizes": [1, 1]}', '{1e150}') = 1e150 - 1 AS right_distance;
SELECT promo.kmeans_fit('km_pts', 'x', 2, max_iter => -1);
SELECT promo.silhouette(x, (SELECT promo.kmeans(x, 1) FROM km_pts)) FROM km_pts;
SELECT * FROM promo.kmeans_choose_k('km_pts', 'x', 1, 3);
SELECT promo.kmeans(x, 2) FROM (SELECT array_fill(1::float8, ARRAY[200000]) AS x) s;
SELECT promo.kmeans(x, 2) FROM (VALUES ('{1e-300}'::float8[]), ('{2e-300}'), ('{3e-300}')) v(x);
SELECT promo.kmeans(x, 2) FROM (VALUES ('{1e-310}'::float8[]), ('{2e-310}'), ('{3e-310}')) v(x);
SELECT promo.kmeans_fit('km_pts', 'x', 3, sample_size => 1);
CREATE TABLE km_two AS SELECT ARRAY[i::float8] AS x FROM generate_series(1, 2) i;
SELECT promo.kmeans_fit('km_two', 'x', 3, init => '[[0], [1], [2]]');
SELECT promo.kmeans_fit('km_pts', 'x', 2, init => '{"a": 1}');
SELECT promo.kmeans_fit('km_pts', 'x', 2, tol => 'NaN');
SELECT promo.kmeans(x, 2, '{"progress": 1}') FROM km_pts;
CREATE TABLE km_empty (x float8[]);
SELECT promo.kmeans_fit('km_empty', 'x', 2, init => '[[0, 0], [1, 1]]');

DROP VIEW km_shrinking;
DROP SEQUENCE km_scans;
DROP TABLE km_fit, km_pts, km_group_centroids, km_same, km_same_fit, km_state, km_two, km_fresh, km_serial, km_empty, km_big;
DROP FUNCTION km_fit_view(text);
