-- promo.model: text (JSON) and binary forms, casts, metrics, validation
SET extra_float_digits = 0;

-- A model reads back as it was written, through text, jsonb and binary.
CREATE TABLE mdl (name text, m promo.model);
INSERT INTO mdl
SELECT 'linreg', promo.linreg(y, x)
FROM (VALUES (1.0::float8, '{1,0}'::float8[]), (2, '{2,1}'), (4, '{3,3}'), (3, '{4,2}'), (6, '{6,3}')) v(y, x);
INSERT INTO mdl SELECT 'scaler', promo.scaler(x)
FROM (VALUES ('{1,NULL}'::float8[]), ('{3,NULL}'), ('{5,2}')) v(x);
INSERT INTO mdl SELECT 'kmeans', promo.kmeans(x, 2, '{"seed": 1}')
FROM (VALUES ('{1,1}'::float8[]), ('{1,2}'), ('{8,8}'), ('{9,8}'), ('{9,9}')) v(x);
SELECT name, m::text::promo.model::text = m::text AS text_roundtrip,
       m::jsonb::promo.model::text = m::text AS jsonb_roundtrip,
       m::jsonb::promo.model OPERATOR(promo.=) m AS jsonb_equal,
       jsonb_typeof(m::jsonb) AS json_type
FROM mdl ORDER BY name;
-- (Rounded: the last bits of a least-squares fit depend on the BLAS kernel.)
SELECT jsonb_object_agg(key, CASE jsonb_typeof(value) WHEN 'number' THEN to_jsonb(round(value::numeric, 10)::float8)
                                                      ELSE value END) AS linreg_scalars
FROM mdl, jsonb_each(m::jsonb - 'estimate' - 'std_error' - 't_value' - 'p_value')
WHERE name = 'linreg';
SELECT m FROM mdl WHERE name = 'scaler';
SELECT promo.metrics(m) FROM mdl WHERE name = 'scaler';

-- Binary COPY round trip (through a file in pg_regress's results directory).
CREATE TABLE mdl_copy (name text, m promo.model);
\copy mdl TO 'results/model_copy.bin' WITH (FORMAT binary)
\copy mdl_copy FROM 'results/model_copy.bin' WITH (FORMAT binary)
SELECT a.name, a.m::text = b.m::text AS binary_roundtrip
FROM mdl a JOIN mdl_copy b USING (name) ORDER BY 1;

-- Binary input checks every declared length against the bytes sent before
-- it allocates: a 36-byte value declaring a k-means model of 100,000
-- features and 1,311 clusters (1.05 GB), a scaler with a value missing,
-- one with a value too many, and a negative dimension.  The bytes reach
-- model_recv through a binary COPY of a bytea column into a model column.
CREATE TABLE mdl_raw (b bytea);
CREATE TABLE mdl_in (m promo.model);
CREATE FUNCTION mdl_recv(raw bytea) RETURNS SETOF promo.model LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM mdl_raw;
    DELETE FROM mdl_in;
    INSERT INTO mdl_raw VALUES (raw);
    EXECUTE format('COPY mdl_raw TO %L WITH (FORMAT binary)', current_setting('data_directory') || '/promo_raw.bin');
    EXECUTE format('COPY mdl_in FROM %L WITH (FORMAT binary)', current_setting('data_directory') || '/promo_raw.bin');
    RETURN QUERY SELECT m FROM mdl_in;
END $$;
\set SHOW_CONTEXT never
SELECT mdl_recv('\x00030001000186a00000051f3ff00000000000003ff00000000000003ff0000000000000');
SELECT mdl_recv('\x0002000100000001000000003ff00000000000003ff000000000000000000000000000003ff0000000000000');
SELECT mdl_recv('\x0002000100000001000000003ff00000000000003ff000000000000000000000000000003ff00000000000003ff00000000000003ff0000000000000');
SELECT mdl_recv('\x00020001ffffffff00000000');
-- A well-formed value reads, and a NaN of any payload is stored as the
-- one NaN: this scaler (count 1, std a negative NaN) equals its text form.
SELECT m, m OPERATOR(promo.=) '{"kind": "scaler", "version": 1, "count": [1], "mean": [1], "std": [null], "min": [1], "max": [1]}' AS same
FROM mdl_recv('\x0002000100000001000000003ff00000000000003ff0000000000000fff80000000000013ff00000000000003ff0000000000000') m;
\set SHOW_CONTEXT errors
DROP FUNCTION mdl_recv(bytea);
DROP TABLE mdl_raw, mdl_in;

-- Equality, hashing and order: =, <>, DISTINCT, GROUP BY, UNION,
-- count(DISTINCT) and joins, by hash and by sort.
SELECT a.name, b.name, a.m OPERATOR(promo.=) b.m AS eq, a.m OPERATOR(promo.<>) b.m AS ne
FROM mdl a, mdl b ORDER BY 1, 2;
CREATE TABLE mdl_twice AS SELECT name, m FROM mdl UNION ALL SELECT name, m::text::promo.model FROM mdl;
SELECT count(*) AS rows, count(DISTINCT m) AS models FROM mdl_twice;
SELECT count(*) AS distinct_models FROM (SELECT DISTINCT m FROM mdl_twice) d;
SELECT name, count(*) FROM mdl_twice GROUP BY name, m ORDER BY 1;
SELECT count(*) AS union_models FROM (SELECT m FROM mdl UNION SELECT m FROM mdl_twice) u;
SET enable_hashagg = off;
SELECT count(*) AS distinct_by_sort FROM (SELECT DISTINCT m FROM mdl_twice) d;
SET enable_hashjoin = off;
SELECT count(*) AS merge_join_pairs FROM mdl a JOIN mdl_twice b ON a.m OPERATOR(promo.=) b.m;
RESET enable_hashjoin;
SET enable_mergejoin = off;
SELECT count(*) AS hash_join_pairs FROM mdl a JOIN mdl_twice b ON a.m OPERATOR(promo.=) b.m;
RESET enable_mergejoin;
RESET enable_hashagg;
-- Equal models hash alike; the order is total (exactly one of <, =, >).
SELECT bool_and(promo.model_hash(a.m) = promo.model_hash(b.m)) AS same_hash,
       bool_and(promo.model_hash_extended(a.m, 7) = promo.model_hash_extended(b.m, 7)) AS same_hash64
FROM mdl a JOIN mdl_twice b USING (name);
SELECT bool_and((a.m OPERATOR(promo.<) b.m)::int + (a.m OPERATOR(promo.=) b.m)::int
                + (a.m OPERATOR(promo.>) b.m)::int = 1
                AND promo.model_cmp(a.m, b.m) = -promo.model_cmp(b.m, a.m)) AS total
FROM mdl a, mdl b;
DROP TABLE mdl_twice;

-- Text writes each double in its shortest exact form, whatever
-- extra_float_digits says (0 here); metrics() and the jsonb cast go through
-- jsonb numerics, which print without an exponent, and still read back
-- exactly.
SELECT substring(t FROM '"r2": [^,]*') AS r2, substring(t FROM '"f_p_value": [^,]*') AS f_p_value,
       promo.metrics(t::promo.model)->>'f_p_value' AS metrics_f_p_value,
       (promo.metrics(t::promo.model)->>'f_p_value')::float8 = 1.2345e-30 AS metrics_exact,
       t::promo.model::jsonb::promo.model::text = t AS jsonb_exact
FROM (SELECT jsonb_set(jsonb_set(m::jsonb, '{f_p_value}', '1.2345e-30'), '{r2}',
                       '0.30000000000000004')::promo.model::text AS t
      FROM mdl WHERE name = 'linreg') s;

-- Models live in ordinary tables and keep predicting.
SELECT round(promo.predict(m, '{2,2}')::numeric, 10) FROM mdl WHERE name = 'linreg';

-- Non-finite values: null stands for not available, strings for infinities.
SELECT '{"kind": "scaler", "version": 1, "count": [0], "mean": [null], "std": [null], "min": [null], "max": [null]}'::promo.model;

-- Malformed values: a precise error for each field.
SELECT 'not json'::promo.model;
SELECT '[1, 2]'::promo.model;
SELECT '{"version": 1}'::promo.model;
SELECT '{"kind": "forest", "version": 1}'::promo.model;
SELECT '{"kind": 3, "version": 1}'::promo.model;
SELECT '{"kind": "scaler", "version": 2}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [1], "mean": [1], "std": [0], "min": [1]}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [1], "mean": [1], "std": [0], "min": [1], "max": [1], "extra": 0}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [1, 1], "mean": [1], "std": [0], "min": [1], "max": [1]}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [1], "mean": ["a"], "std": [0], "min": [1], "max": [1]}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [1.5], "mean": [1], "std": [0], "min": [1], "max": [1]}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [2], "mean": [1], "std": [-1], "min": [1], "max": [1]}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [2], "mean": [1], "std": [1], "min": [3], "max": [1]}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": 1, "mean": [1], "std": [0], "min": [1], "max": [1]}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [], "mean": [], "std": [], "min": [], "max": []}'::promo.model;
SELECT '{"kind": "scaler", "version": 1, "count": [1], "mean": ["Infinity"], "std": [0], "min": [1], "max": [1]}'::promo.model;
SELECT jsonb_set(m::jsonb, '{n}', '99')::promo.model FROM mdl WHERE name = 'linreg';
SELECT jsonb_set(m::jsonb, '{p_value,0}', '1.5')::promo.model FROM mdl WHERE name = 'linreg';
SELECT jsonb_set(m::jsonb, '{sigma}', '"x"')::promo.model FROM mdl WHERE name = 'linreg';
SELECT jsonb_set(m::jsonb, '{estimate}', '[1]')::promo.model FROM mdl WHERE name = 'linreg';

-- Functions that need a particular kind say so.
SELECT promo.predict(m, '{1,2}') FROM mdl WHERE name = 'scaler';
SELECT * FROM promo.coefficients((SELECT m FROM mdl WHERE name = 'scaler'));
SELECT promo.standardize('{1,2}', m) FROM mdl WHERE name = 'linreg';
SELECT promo.predict(m, '{1,2,3}') FROM mdl WHERE name = 'linreg';
SELECT promo.predict(m, '{1,NULL}') FROM mdl WHERE name = 'linreg';

DROP TABLE mdl, mdl_copy;
