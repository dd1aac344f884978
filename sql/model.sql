-- promo.model: text (JSON) and binary forms, casts, metrics, validation
SET extra_float_digits = 0;

-- A model reads back as it was written, through text, jsonb and binary.
CREATE TABLE mdl (name text, m promo.model);
INSERT INTO mdl
SELECT 'linreg', promo.linreg(y, x)
FROM (VALUES (1.0::float8, '{1,0}'::float8[]), (2, '{2,1}'), (4, '{3,3}'), (3, '{4,2}'), (6, '{6,3}')) v(y, x);
INSERT INTO mdl SELECT 'scaler', promo.scaler(x)
FROM (VALUES ('{1,NULL}'::float8[]), ('{3,NULL}'), ('{5,2}')) v(x);
SELECT name, m::text::promo.model::text = m::text AS text_roundtrip,
       m::jsonb::promo.model::text = m::text AS jsonb_roundtrip,
       jsonb_typeof(m::jsonb) AS json_type
FROM mdl ORDER BY name;
SELECT m::jsonb - 'estimate' - 'std_error' - 't_value' - 'p_value' AS linreg_scalars
FROM mdl WHERE name = 'linreg';
SELECT m FROM mdl WHERE name = 'scaler';
SELECT promo.metrics(m) FROM mdl WHERE name = 'scaler';

-- Binary COPY round trip (through a file in pg_regress's results directory).
CREATE TABLE mdl_copy (name text, m promo.model);
\copy mdl TO 'results/model_copy.bin' WITH (FORMAT binary)
\copy mdl_copy FROM 'results/model_copy.bin' WITH (FORMAT binary)
SELECT a.name, a.m::text = b.m::text AS binary_roundtrip
FROM mdl a JOIN mdl_copy b USING (name) ORDER BY 1;

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
