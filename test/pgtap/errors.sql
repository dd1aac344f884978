-- Every bad input raises its documented SQLSTATE and message.
BEGIN;
SELECT plan(16);

SELECT throws_ok($$SELECT promo.cosine('{1,NULL}', '{1,2}')$$,
                 '22004', 'a must not contain NULL elements', 'NULL element: 22004');
SELECT throws_ok($$SELECT promo.cosine('{1,2}', '{1,2,3}')$$,
                 '2202E', 'b has 3 elements, expected 2', 'length mismatch: 2202E');
SELECT throws_ok($$SELECT promo.pearson('{{1,2},{3,4}}', '{1,2,3,4}')$$,
                 '2202E', 'a must be a one-dimensional array', 'two dimensions: 2202E');
SELECT throws_ok($$SELECT promo.cosine('{1,NaN}', '{1,2}')$$,
                 '22000', 'a must not contain NaN or infinity', 'NaN: 22000');
SELECT throws_ok($$SELECT promo.linreg(y, x) FROM (VALUES ('Infinity'::float8, '{1}'::float8[])) v(y, x)$$,
                 '22000', 'y must not be NaN or infinity', 'infinite y: 22000');
SELECT throws_ok($$SELECT promo.linreg(y, x) FROM (VALUES (1, '{1,2}'::float8[]), (2, '{1}')) v(y, x)$$,
                 '2202E', 'x has 1 elements, but earlier rows had 2', 'ragged rows: 2202E');
SELECT throws_ok($$SELECT promo.linreg(1, array_fill(0.5::float8, ARRAY[1001]))$$,
                 '54000', 'linreg accepts at most 1000 features, x has 1001', 'feature limit: 54000');
SELECT throws_ok($$SELECT promo.linreg(y, x) FROM (VALUES (1, '{1,2}'::float8[])) v(y, x)$$,
                 '22000', 'linreg needs at least two rows', 'single row: 22000');
SELECT throws_ok($$SELECT promo.linreg(i, ARRAY[i, i]) FROM generate_series(1, 3) i$$,
                 '22000', 'linreg has 3 terms but only 3 rows', 'too few rows: 22000');
SELECT throws_ok($$SELECT promo.linreg(i, ARRAY[i, 7]) FROM generate_series(1, 9) i$$,
                 '22000', 'feature 2 is constant', 'constant feature: 22000');
SELECT throws_ok($$SELECT promo.linreg(i, ARRAY[i, 2 * i]) FROM generate_series(1, 9) i$$,
                 '22000', 'features are collinear', 'collinear features: 22000');
SELECT throws_ok($$SELECT '{"kind": "forest", "version": 1}'::promo.model$$,
                 '22P02', 'invalid promo.model value', 'unknown kind: 22P02');
SELECT throws_ok($$SELECT promo.standardize('{1}', promo.linreg(i, ARRAY[i])) FROM generate_series(1, 5) i$$,
                 '22023', 'promo.standardize needs a scaler model, not a linreg model', 'wrong kind: 22023');
SELECT throws_ok($$SELECT promo.predict(promo.linreg(i, ARRAY[i])::promo.model, '{1,2}') FROM generate_series(1, 5) i$$,
                 '2202E', 'x has 2 elements, but the model expects 1', 'wrong dimension: 2202E');
SELECT throws_ok($$SELECT promo.scaler(x) FROM (VALUES ('{}'::float8[])) v(x)$$,
                 '2202E', 'x must have at least one element', 'empty vector: 2202E');
SELECT throws_ok($$SELECT promo._linreg_accum('{1,2,3}', 1, '{1}')$$,
                 '22023', 'invalid promo aggregate state', 'foreign state: 22023');

SELECT * FROM finish();
ROLLBACK;
