-- promo.logreg: logistic regression against R's glm(family = binomial) and
-- scikit-learn's penalized LogisticRegression (test/fixtures/logreg/, made
-- by scripts/fixtures/logreg.R and logreg_sklearn.py), NULL rows, every
-- input error, separation, serial = parallel plans, predict_link, explain.
SET extra_float_digits = 0;

-- The datasets: y, w, then the features of each line.  A real table, so
-- that parallel workers can scan it.
CREATE TABLE lg_data (dataset text, id serial, y float8, w float8, x float8[]);
CREATE TEMP TABLE lg_raw (line text);
\copy lg_raw from program 'for f in basic offset weights correlated near_separation separation quasi_separation; do grep -v "^#" test/fixtures/logreg/$f.csv | tail -n +2 | sed "s/^/$f,/"; done'
INSERT INTO lg_data (dataset, y, w, x)
SELECT a[1], a[2]::float8, a[3]::float8, a[4:]::float8[]
FROM (SELECT string_to_array(line, ',') AS a FROM lg_raw) s;
CREATE TEMP TABLE lg_ref (dataset text, quantity text, term int, value float8);
\copy lg_ref from program 'grep -v "^#" test/fixtures/logreg/glm.csv' with (format csv, header)
CREATE TEMP TABLE lg_sk (dataset text, quantity text, term int, value float8);
\copy lg_sk from program 'grep -v "^#" test/fixtures/logreg/sklearn.csv' with (format csv, header)
SELECT dataset, count(*) AS n, bool_and(w = 1) AS unit_weights
FROM lg_data GROUP BY dataset ORDER BY dataset;

-- The fits: the weighted signature where weights are not all 1.
CREATE TEMP TABLE lg_fit AS
SELECT dataset,
       CASE WHEN bool_and(w = 1) THEN promo.logreg(y, x)
            ELSE promo.logreg(y, x, w) END AS m
FROM lg_data
WHERE dataset IN ('basic', 'offset', 'weights', 'correlated', 'near_separation')
GROUP BY dataset;

-- Every quantity of the model in the fixture's long form.
CREATE TEMP VIEW lg_ours AS
SELECT dataset, q.quantity, c.term, q.value
FROM lg_fit, promo.coefficients(m) c,
     LATERAL (VALUES ('estimate', c.estimate), ('std_error', c.std_error),
                     ('z_value', c.t_value), ('p_value', c.p_value)) q (quantity, value)
UNION ALL
SELECT dataset, key, -1,
       CASE key WHEN 'converged' THEN value::bool::int::float8 ELSE value::float8 END
FROM lg_fit, jsonb_each_text(promo.metrics(m))
WHERE key IN ('null_deviance', 'deviance', 'aic', 'log_likelihood', 'df_null',
              'df_residual', 'n', 'iterations', 'converged')
UNION ALL
SELECT dataset, 'fitted_01', -1, ((promo.metrics(m) ->> 'n_extreme')::float8 > 0)::int
FROM lg_fit;

-- Every statistic of R's glm to 1e-6 relative (off must be 0).
SELECT r.dataset, count(*) AS compared,
       count(*) FILTER (WHERE o.value IS NULL
                           OR abs(o.value - r.value) > 1e-6 * abs(r.value)) AS off
FROM lg_ref r LEFT JOIN lg_ours o USING (dataset, quantity, term)
WHERE r.dataset IN (SELECT dataset FROM lg_fit)
GROUP BY r.dataset ORDER BY r.dataset;
SELECT r.dataset, r.quantity, r.term, r.value AS r, o.value AS promo
FROM lg_ref r LEFT JOIN lg_ours o USING (dataset, quantity, term)
WHERE r.dataset IN (SELECT dataset FROM lg_fit)
  AND (o.value IS NULL OR abs(o.value - r.value) > 1e-6 * abs(r.value));

-- Weights of 1 are no weights; a weight of 2 is the row twice.
SELECT promo.logreg(y, x, 1.0::float8)::text = promo.logreg(y, x)::text AS unit_weights_same
FROM lg_data WHERE dataset = 'basic';
SELECT max(abs(a.estimate - b.estimate) / abs(b.estimate)) < 1e-9 AS doubled_rows_same
FROM promo.coefficients((SELECT promo.logreg(y, x, 2.0::float8) FROM lg_data WHERE dataset = 'basic')) a
JOIN promo.coefficients((SELECT promo.logreg(y, x) FROM lg_data, generate_series(1, 2)
                         WHERE dataset = 'basic')) b USING (term);
-- boolean y is 0/1 y.
SELECT promo.logreg(y = 1, x)::text = promo.logreg(y, x)::text AS boolean_y_same
FROM lg_data WHERE dataset = 'basic';

-- The L2 penalty against scikit-learn (C = 1 / lambda): estimates and deviance.
CREATE TEMP TABLE lg_pen AS
SELECT dataset,
       CASE WHEN bool_and(w = 1) THEN promo.logreg(y, x, opts)
            ELSE promo.logreg(y, x, w, opts) END AS m
FROM (SELECT d.*, jsonb_build_object('lambda', l.value, 'tol', 1e-12) AS opts
      FROM lg_data d JOIN lg_sk l ON l.dataset = d.dataset AND l.quantity = 'lambda') s
GROUP BY dataset;
SELECT s.dataset, count(*) AS compared,
       count(*) FILTER (WHERE o.value IS NULL
                           OR abs(o.value - s.value) > 1e-6 * abs(s.value)) AS off
FROM lg_sk s
LEFT JOIN (SELECT dataset, 'estimate' AS quantity, term, estimate AS value
           FROM lg_pen, promo.coefficients(m)
           UNION ALL
           SELECT dataset, key, -1, value::float8
           FROM lg_pen, jsonb_each_text(promo.metrics(m))
           WHERE key IN ('deviance', 'lambda')) o USING (dataset, quantity, term)
WHERE s.quantity IN ('estimate', 'deviance', 'lambda')
GROUP BY s.dataset ORDER BY s.dataset;
SELECT dataset, (promo.metrics(m) ->> 'converged')::bool AS converged FROM lg_pen ORDER BY 1;

-- predict is the probability, predict_link the log-odds.
SELECT bool_and(abs(promo.predict(m, x) - 1 / (1 + exp(-promo.predict_link(m, x)))) < 1e-15)
       AS predict_is_logistic_of_link,
       bool_and(abs(promo.predict_link(m, x) - (c0 + (SELECT sum(e * v) FROM unnest(est[2:], x) u (e, v))))
                < 1e-9 * (1 + abs(promo.predict_link(m, x)))) AS link_is_linear
FROM lg_data JOIN (SELECT dataset, m, (promo.metrics(m) IS NOT NULL) AS ok,
                          ARRAY(SELECT estimate FROM promo.coefficients(m) ORDER BY term) AS est,
                          (SELECT estimate FROM promo.coefficients(m) WHERE term = 0) AS c0
                   FROM lg_fit) f USING (dataset);

-- explain: baseline (feature 0) plus coefficient * (value - training mean)
-- sums to predict_link on every row, for logreg and linreg.
SELECT dataset, bool_and(abs(s - promo.predict_link(m, x)) <= 1e-9 * (1 + abs(promo.predict_link(m, x))))
       AS explain_sums_to_link
FROM lg_data JOIN lg_fit USING (dataset),
     LATERAL (SELECT sum(contribution) AS s FROM promo.explain(m, x)) e
GROUP BY dataset ORDER BY dataset;
SELECT feature, value, round(contribution::numeric, 10) AS contribution
FROM promo.explain((SELECT m FROM lg_fit WHERE dataset = 'basic'), '{0.1, 4.8, 0}');
-- The baseline is the link at the training means: the means' own contributions are 0.
SELECT bool_and(abs(contribution) < 1e-12) AS means_contribute_nothing
FROM lg_fit, promo.explain(m, ARRAY(SELECT jsonb_array_elements_text(m::jsonb -> 'mean')::float8)) e
WHERE feature > 0;
-- linreg models hold no means: baseline is the intercept, contributions b_j x_j.
CREATE TEMP TABLE lg_lin AS SELECT promo.linreg(y, x) AS m FROM lg_data WHERE dataset = 'basic';
SELECT feature, value, round(contribution::numeric, 10) AS contribution
FROM lg_lin, promo.explain(m, '{1, 2, 3}');
SELECT abs((SELECT sum(contribution) FROM lg_lin, promo.explain(m, '{1, 2, 3}'))
           - promo.predict_link(m, '{1, 2, 3}')) < 1e-12 AS linreg_sums,
       promo.predict_link(m, '{1, 2, 3}') = promo.predict(m, '{1, 2, 3}') AS linreg_link_is_prediction
FROM lg_lin;

-- Feature names: every signature takes names after x (and weight), before
-- options; its model is the one without names, carrying them.  NULL names
-- on every row are no names.
SELECT promo.logreg(y, x, n) OPERATOR(promo.=) promo.with_names(promo.logreg(y, x), n) AS y_x,
       promo.logreg(y, x, n, o) OPERATOR(promo.=) promo.with_names(promo.logreg(y, x, o), n) AS y_x_options,
       promo.logreg(y, x, w, n) OPERATOR(promo.=) promo.with_names(promo.logreg(y, x, w), n) AS y_x_weight,
       promo.logreg(y, x, w, n, o) OPERATOR(promo.=) promo.with_names(promo.logreg(y, x, w, o), n) AS y_x_weight_options,
       promo.logreg(y = 1, x, n) OPERATOR(promo.=) promo.with_names(promo.logreg(y = 1, x), n) AS boolean_y,
       promo.logreg(y = 1, x, n, o) OPERATOR(promo.=) promo.with_names(promo.logreg(y = 1, x, o), n) AS boolean_y_options,
       promo.logreg(y = 1, x, w, n) OPERATOR(promo.=) promo.with_names(promo.logreg(y = 1, x, w), n) AS boolean_y_weight,
       promo.logreg(y = 1, x, w, n, o) OPERATOR(promo.=) promo.with_names(promo.logreg(y = 1, x, w, o), n)
           AS boolean_y_weight_options,
       promo.logreg(y, x, NULL::text[]) OPERATOR(promo.=) promo.logreg(y, x) AS null_is_none
FROM lg_data, (VALUES ('{recency, spend}'::text[], '{"lambda": 0.5}'::jsonb)) v (n, o)
WHERE dataset = 'weights' GROUP BY n, o;
-- coefficients and explain name the terms: (intercept), (baseline), the
-- features; NULL without names.
CREATE TEMP TABLE lg_named AS
SELECT promo.logreg(y, x, '{recency, frequency, "spend (90 days)"}'::text[]) AS m
FROM lg_data WHERE dataset = 'basic';
SELECT term, name, round(estimate::numeric, 8) AS estimate FROM lg_named, promo.coefficients(m);
SELECT feature, name, value, round(contribution::numeric, 10) AS contribution
FROM lg_named, promo.explain(m, '{0.1, 4.8, 0}');
SELECT count(*) AS rows, count(name) AS named
FROM lg_fit, promo.explain(m, '{0.1, 4.8, 0}') WHERE dataset = 'basic';
SELECT count(*) AS rows, count(name) AS named
FROM lg_fit, promo.coefficients(m) WHERE dataset = 'basic';
-- Names that are not one per element of x, or not the same on every row
-- (a NULL on some rows only, rows skipped for a NULL included).
SELECT promo.logreg(y, x, '{a, b}'::text[]) FROM lg_data WHERE dataset = 'basic';
SELECT promo.logreg(y, x, w, '{a, b, NULL}'::text[]) FROM lg_data WHERE dataset = 'basic';
SELECT promo.logreg(y, x, '{a, b, b}'::text[], '{}'::jsonb) FROM lg_data WHERE dataset = 'basic';
SELECT promo.logreg(y, x, CASE WHEN id % 2 = 0 THEN '{a, b, c}' ELSE '{a, b, d}' END::text[])
FROM lg_data WHERE dataset = 'basic';
SELECT promo.logreg(y, x, CASE WHEN id % 2 = 0 THEN '{a, b, c}'::text[] END) FROM lg_data WHERE dataset = 'basic';
SELECT promo.logreg(y, x, CASE WHEN y IS NULL THEN '{a, b, d}' ELSE '{a, b, c}' END::text[])
FROM (SELECT y, x FROM lg_data WHERE dataset = 'basic' UNION ALL VALUES (NULL::float8, '{1, 2, 3}'::float8[])) s;

-- NULL y, NULL x, NULL elements and NULL weights skip the row (n_skipped).
SELECT promo.metrics(m) ->> 'n' AS n, promo.metrics(m) ->> 'n_skipped' AS n_skipped,
       promo.coefficients(m) = promo.coefficients((SELECT promo.logreg(y, x) FROM lg_data WHERE dataset = 'basic'))
       AS same_fit
FROM (SELECT promo.logreg(y, x, w) AS m
      FROM (SELECT y, x, w FROM lg_data WHERE dataset = 'basic'
            UNION ALL VALUES (NULL::float8, '{1,2,3}'::float8[], 1::float8),
                             (1, NULL, 1), (0, '{1,NULL,3}', 1), (1, '{1,2,3}', NULL)) s) f
LIMIT 1;
-- No rows at all: NULL, as every aggregate.
SELECT promo.logreg(y, x) IS NULL AS empty_is_null FROM lg_data WHERE false;

-- Model round trip through text and jsonb.
SELECT m::text::promo.model::text = m::text AS text_round_trip,
       m::jsonb::promo.model::text = m::text AS jsonb_round_trip
FROM lg_fit WHERE dataset = 'weights';

-- Binary COPY round trip (through a file in pg_regress's results directory).
CREATE TEMP TABLE lg_copy (dataset text, m promo.model);
\copy lg_fit TO 'results/logreg_copy.bin' WITH (FORMAT binary)
\copy lg_copy FROM 'results/logreg_copy.bin' WITH (FORMAT binary)
SELECT a.dataset, a.m::text = b.m::text AS binary_round_trip
FROM lg_fit a JOIN lg_copy b USING (dataset) ORDER BY 1;

-- The rows are held within promo.max_memory: 32 bytes per row of 3 features.
SET max_parallel_workers_per_gather = 0;
SET promo.max_memory = '1MB';
SELECT promo.logreg(g % 3 = 0, ARRAY[g, g % 7, g % 11]::float8[]) FROM generate_series(1, 40000) g;
SELECT promo.metrics(promo.logreg(g % 3 = 0, ARRAY[g, g % 7, g % 11]::float8[])) ->> 'n' AS n
FROM generate_series(1, 30000) g;
RESET promo.max_memory;
RESET max_parallel_workers_per_gather;

-- Separation: a NOTICE and converged false, the rows fitted 0 or 1 counted.
SELECT promo.metrics(promo.logreg(y, x)) - 'null_deviance' - 'deviance' - 'aic' - 'log_likelihood'
FROM lg_data WHERE dataset = 'separation';
SELECT (promo.metrics(m) ->> 'converged')::bool AS converged,
       (promo.metrics(m) ->> 'n_extreme')::float8 > 0 AS fitted_01
FROM (SELECT promo.logreg(y, x) AS m FROM lg_data WHERE dataset = 'quasi_separation') s;
-- A penalty gives finite estimates.
SELECT (promo.metrics(m) ->> 'converged')::bool AS converged
FROM (SELECT promo.logreg(y, x, '{"lambda": 1}'::jsonb) AS m FROM lg_data WHERE dataset = 'separation') s;
-- Not converged within max_iter: a NOTICE.
SELECT (promo.metrics(m) ->> 'converged')::bool AS converged, promo.metrics(m) ->> 'iterations' AS iterations
FROM (SELECT promo.logreg(y, x, '{"max_iter": 1}'::jsonb) AS m FROM lg_data WHERE dataset = 'basic') s;

-- Serial = forced-parallel plan.
CREATE TEMP TABLE lg_serial AS
SELECT dataset, promo.logreg(y, x, w) AS m FROM lg_data GROUP BY dataset HAVING dataset = 'correlated';
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 1;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT promo.logreg(y, x, w) FROM lg_data WHERE dataset = 'correlated';
SELECT s.term, abs(s.estimate - p.estimate) <= 1e-9 * abs(s.estimate) AS estimate_same,
       abs(s.std_error - p.std_error) <= 1e-9 * s.std_error AS std_error_same
FROM promo.coefficients((SELECT m FROM lg_serial)) s
JOIN promo.coefficients((SELECT promo.logreg(y, x, w) FROM lg_data WHERE dataset = 'correlated')) p
USING (term) ORDER BY term;
SELECT promo.metrics(promo.logreg(y, x, w)) ->> 'n' AS n
FROM lg_data WHERE dataset = 'correlated';
-- With names, as a literal or from a column: the serial fit, named; names
-- that differ between rows are an error in the workers.
EXPLAIN (COSTS OFF) SELECT promo.logreg(y, x, w, '{a, b, c, d, e, f}'::text[]) FROM lg_data WHERE dataset = 'correlated';
SELECT s.term, p.name, abs(s.estimate - p.estimate) <= 1e-9 * abs(s.estimate) AS estimate_same
FROM promo.coefficients((SELECT m FROM lg_serial)) s
JOIN promo.coefficients((SELECT promo.logreg(y, x, w, '{a, b, c, d, e, f}'::text[], '{}'::jsonb)
                         FROM lg_data WHERE dataset = 'correlated')) p
USING (term) ORDER BY term;
SELECT promo.feature_names(promo.logreg(y, x, w, ARRAY['a', 'b', 'c', 'd', 'e', CASE WHEN id > 0 THEN 'f' END]))
FROM lg_data WHERE dataset = 'correlated';
\set SHOW_CONTEXT never
SELECT promo.logreg(y, x, w, ARRAY['a', 'b', 'c', 'd', 'e', (id % 2)::text]) FROM lg_data WHERE dataset = 'correlated';
\set SHOW_CONTEXT errors
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- Errors: no estimate exists.
SELECT promo.logreg(y, x) FROM (VALUES (1.0::float8, '{1}'::float8[]), (1, '{2}')) v (y, x);
SELECT promo.logreg(y, x) FROM (VALUES (NULL::float8, '{1}'::float8[]), (1, NULL)) v (y, x);
SELECT promo.logreg(y, x, w) FROM (VALUES (1.0::float8, '{1}'::float8[], 0.0::float8), (0, '{2}', 0)) v (y, x, w);
SELECT promo.logreg(y, x) FROM (VALUES (1.0::float8, '{1,5}'::float8[]), (0, '{2,5}'), (1, '{3,5}')) v (y, x);
SELECT promo.logreg(y, x) FROM (VALUES (1.0::float8, '{1,2}'::float8[]), (0, '{2,4}'), (1, '{3,6}'), (0, '{4,8}')) v (y, x);
-- Errors: bad input.
SELECT promo.logreg(2.0::float8, '{1}'::float8[]);
SELECT promo.logreg(0.5::float8, '{1}'::float8[]);
SELECT promo.logreg('NaN'::float8, '{1}'::float8[]);
SELECT promo.logreg(1.0::float8, '{NaN}'::float8[]);
SELECT promo.logreg(1.0::float8, '{Infinity}'::float8[]);
SELECT promo.logreg(1.0::float8, '{}'::float8[]);
SELECT promo.logreg(1.0::float8, '{{1,2},{3,4}}'::float8[]);
SELECT promo.logreg(y, x) FROM (VALUES (1.0::float8, '{1,2}'::float8[]), (0, '{2}')) v (y, x);
SELECT promo.logreg(true, array_fill(1::float8, ARRAY[1001]));
SELECT promo.logreg(true, '{1}'::float8[], -1.0::float8);
SELECT promo.logreg(true, '{1}'::float8[], 'NaN'::float8);
SELECT promo.logreg(true, '{1}'::float8[], 'Infinity'::float8);
-- Errors: options.
SELECT promo.logreg(true, '{1}'::float8[], '{"max_iter": "ten"}'::jsonb);
SELECT promo.logreg(true, '{1}'::float8[], '{"max_iter": 0}'::jsonb);
SELECT promo.logreg(true, '{1}'::float8[], '{"max_iter": 2.5}'::jsonb);
SELECT promo.logreg(true, '{1}'::float8[], '{"tol": 0}'::jsonb);
SELECT promo.logreg(true, '{1}'::float8[], '{"lambda": -1}'::jsonb);
SELECT promo.logreg(true, '{1}'::float8[], 1.0::float8, '{"lambda": true}'::jsonb);
SELECT promo.logreg(true, '{1}'::float8[], '{"penalty": "l2"}'::jsonb);
SELECT promo.logreg(true, '{1}'::float8[], '[1]'::jsonb);
-- Errors: using a model.
SELECT promo.predict(m, '{1, 2}') FROM lg_fit WHERE dataset = 'basic';
SELECT promo.predict_link(m, '{1, 2, 3, 4}') FROM lg_fit WHERE dataset = 'basic';
SELECT * FROM lg_fit, promo.explain(m, '{1}') WHERE dataset = 'basic';
SELECT promo.predict_link(promo.kmeans(x, 2), '{1, 2, 3}') FROM lg_data WHERE dataset = 'basic';
SELECT * FROM promo.explain((SELECT promo.kmeans(x, 2) FROM lg_data WHERE dataset = 'basic'), '{1, 2, 3}');
-- Errors: a model whose counts do not add up.
SELECT jsonb_set(m::jsonb, '{df_null}', '5')::promo.model FROM lg_fit WHERE dataset = 'basic';
SELECT jsonb_set(m::jsonb, '{converged}', '2')::promo.model FROM lg_fit WHERE dataset = 'basic';

DROP TABLE lg_data;
