-- test/fuzz/sql_fixture.sql: the database scripts/fuzz_sql.sh points
-- SQLsmith at (after CREATE EXTENSION promo and scripts/demo_shop.sql).
--
-- SQLsmith takes its arguments from table columns (its constants of other
-- types than int and bool are NULL), so the tables below hold edge cases
-- for every argument type of promo's functions.  It reads the functions it
-- may call from an unqualified pg_proc; role promo_fuzzer has
-- promo_fuzz_catalog first on its search_path, whose pg_proc view offers
-- only promo's functions and a few array and jsonb helpers.  The role can
-- read the tables but not write them, so the data survive the run.

CREATE SCHEMA promo_fuzz;

-- Vectors: empty, short, long, non-finite, NULL elements, huge and tiny
-- magnitudes, two-dimensional, a lower bound other than 1.
CREATE TABLE promo_fuzz.vectors (x float8[], y float8, k int);
INSERT INTO promo_fuzz.vectors VALUES
	('{}', 0, 0),
	('{1}', 1, 1),
	('{1,2}', 2, 2),
	('{5,5}', -1, 3),
	('{1,2,3}', 1e308, -1),
	('{0,0,0}', 0, 100),
	('{NaN,1}', 'NaN', 2147483647),
	('{Infinity,-Infinity}', 'Infinity', 2),
	('{1e308,-1e308}', -1e308, 2),
	('{1e-300,2e-300}', 1e-300, 2),
	('{4.9e-324,0}', 4.9e-324, 1),
	('{NULL,1}', NULL, 2),
	(NULL, 1, NULL),
	('{{1,2},{3,4}}', 3, 2),
	('{{1,2},{5,5}}', 3, 2),
	('[0:1]={5,6}', 4, 2),
	(array_fill(1.5::float8, ARRAY[300]), 2, 2),
	(ARRAY[7002,1,2,0,1,1,5,2]::float8[], 1, 2),
	(ARRAY[7001,1,-7,0,0,3,0,0,2,4,2,4,4,8.5]::float8[], 1, 2);

-- Points with a small cluster structure, for the table-driven fits.
CREATE TABLE promo_fuzz.points AS
SELECT g AS id, ARRAY[(g % 3) * 10 + (g % 7) * 0.1, (g % 5) * 0.5]::float8[] AS features,
	(g % 11)::float8 AS y
FROM generate_series(1, 60) g;

-- Options and centroids as jsonb.
CREATE TABLE promo_fuzz.options (options jsonb);
INSERT INTO promo_fuzz.options VALUES
	('{}'), ('null'), ('[]'), ('{"a": 1}'), ('"k-means++"'), ('"random"'),
	('{"seed": 7, "max_iter": 100}'), ('{"seed": -1}'), ('{"seed": "x"}'),
	('{"max_iter": 0}'), ('{"max_iter": -1}'), ('{"tol": -1}'),
	('{"tol": "NaN"}'), ('{"init": "random"}'), ('{"init": [[1, 2], [5, 5]]}'),
	('{"init": [[1, 2]]}'), ('{"init": [[1], [2, 3]]}'), ('{"init": [["a"]]}'),
	('{"init": []}'), ('{"init": {"a": 1}}'), ('{"progress": true}'),
	('[[1, 2], [5, 5]]'), ('[[1e308, 1e308], [-1e308, 0]]'), (NULL);

-- Event types, valid and not.
CREATE TABLE promo_fuzz.words (word text);
INSERT INTO promo_fuzz.words VALUES
	('view'), ('cart'), ('purchase'), ('rating'), ('VIEW'), (''), ('start'),
	('end'), ('bogus'), (repeat('x', 1000)), (NULL);

-- Relations and column names for the functions that take a regclass.
CREATE TABLE promo_fuzz.relations (rel regclass, col name);
INSERT INTO promo_fuzz.relations VALUES
	('promo_fuzz.points', 'features'), ('promo_fuzz.points', 'y'),
	('promo_fuzz.points', 'nope'), ('promo_fuzz.vectors', 'x'),
	('promo_demo.events', 'event_type'), ('promo_demo.orders', 'user_id'),
	('promo_demo.items', 'category'), ('pg_class', 'relname'), (NULL, NULL);

-- Models of every kind, trained and hand-made, and counts arrays.
CREATE TABLE promo_fuzz.models (model promo.model);
INSERT INTO promo_fuzz.models
SELECT promo.kmeans(features, 3) FROM promo_fuzz.points
UNION ALL
SELECT promo.kmeans(features, 1, '{"init": "random"}') FROM promo_fuzz.points
UNION ALL
SELECT promo.linreg(y, features) FROM promo_fuzz.points
UNION ALL
SELECT promo.scaler(features) FROM promo_fuzz.points
UNION ALL
SELECT promo.scaler(x) FROM promo_fuzz.vectors WHERE k = 2 AND x = '{1,2}'
UNION ALL
SELECT NULL;

CREATE TABLE promo_fuzz.counts (counts float8[]);
INSERT INTO promo_fuzz.counts
SELECT promo.transitions(event_type ORDER BY event_time, event_type)
FROM promo_demo.events GROUP BY user_id % 3
UNION ALL
SELECT promo.transitions(word) FROM promo_fuzz.words WHERE word IN ('view', 'cart')
UNION ALL
SELECT array_fill(0::float8, ARRAY[42])
UNION ALL
SELECT array_fill(-1::float8, ARRAY[42]);

-- The functions SQLsmith may call: promo's, and helpers that build or
-- change arrays and jsonb so that promo sees derived values too.
CREATE SCHEMA promo_fuzz_catalog;
CREATE VIEW promo_fuzz_catalog.pg_proc AS
SELECT * FROM pg_catalog.pg_proc
WHERE pronamespace = 'promo'::regnamespace
	OR (pronamespace = 'pg_catalog'::regnamespace
		AND proname IN ('array_append', 'array_prepend', 'array_cat',
						'array_remove', 'array_replace', 'trim_array',
						'array_agg', 'array_fill', 'array_length',
						'jsonb_build_array', 'jsonb_set', 'to_jsonb',
						'jsonb_agg', 'float8', 'abs', 'sqrt', 'power',
						'count', 'sum', 'avg'));

-- The role SQLsmith connects as (tables are read-only to it).
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'promo_fuzzer') THEN
		CREATE ROLE promo_fuzzer LOGIN;
	END IF;
END
$$;
ALTER ROLE promo_fuzzer SET search_path = promo_fuzz_catalog, pg_catalog, public;
GRANT USAGE ON SCHEMA promo_fuzz, promo_fuzz_catalog, promo_demo TO promo_fuzzer;
GRANT SELECT ON ALL TABLES IN SCHEMA promo_fuzz, promo_fuzz_catalog, promo_demo
	TO promo_fuzzer;
