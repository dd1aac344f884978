-- promo.auc, log_loss, brier, calibration, regression_metrics and in_sample.
SET extra_float_digits = 0;

-- Reference fixture: scikit-learn 1.2.1 on 300 rows (scripts/fixtures/logreg_sklearn.py).
CREATE TABLE met (score float8, label float8, prob float8, prediction float8, actual float8);
\copy met FROM PROGRAM 'grep -v "^#" test/fixtures/logreg/metrics.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE met_ref (quantity text, index int, value float8);
\copy met_ref FROM PROGRAM 'grep -v "^#" test/fixtures/logreg/metrics_ref.csv' WITH (FORMAT csv, HEADER true)
SELECT count(*) AS rows, count(DISTINCT score) AS distinct_scores, sum(label) AS positives FROM met;

-- Every scalar metric to 1e-12 relative.
WITH got AS (
    SELECT promo.auc(score, label = 1) AS auc,
           promo.log_loss(prob, label = 1) AS log_loss,
           promo.brier(prob, label = 1) AS brier,
           (promo.regression_metrics(prediction, actual)).*
    FROM met
), long AS (
    SELECT q, v FROM got,
    LATERAL (VALUES ('auc', auc), ('log_loss', log_loss), ('brier', brier),
                    ('rmse', rmse), ('mae', mae), ('r2', r2)) AS x(q, v)
)
SELECT r.quantity, abs(l.v - r.value) <= 1e-12 * abs(r.value) AS matches
FROM met_ref r JOIN long l ON l.q = r.quantity ORDER BY r.quantity;

-- Calibration in 10 bins: counts exactly, mean_p and rate to 1e-12.
WITH c AS (
    SELECT b.* FROM (SELECT promo.calibration(prob, label = 1, 10) AS j FROM met) s,
    jsonb_to_recordset(s.j) AS b(bin int, lo float8, hi float8, count bigint, mean_p float8, rate float8)
)
SELECT c.bin, c.lo, c.hi, c.count,
       c.count = n.value AS count_matches,
       abs(c.mean_p - m.value) <= 1e-12 * m.value AS mean_p_matches,
       abs(c.rate - r.value) <= 1e-12 * r.value AS rate_matches
FROM c
JOIN met_ref n ON n.quantity = 'calibration_count' AND n.index = c.bin - 1
LEFT JOIN met_ref m ON m.quantity = 'calibration_mean_p' AND m.index = c.bin - 1
LEFT JOIN met_ref r ON r.quantity = 'calibration_rate' AND r.index = c.bin - 1
ORDER BY c.bin;

-- AUC by hand: positives 0.8, 0.5, 0.2 and negatives 0.5, 0.2, 0.1 win
-- 3 + (2 + 1/2) + (1 + 1/2) = 7 of 9 pairs, a tie counting one half.
CREATE TABLE hand (score float8, label boolean);
INSERT INTO hand VALUES (0.8, true), (0.5, true), (0.2, true), (0.5, false), (0.2, false), (0.1, false);
SELECT promo.auc(score, label) = 7.0 / 9 AS auc_is_7_9 FROM hand;
-- Rows in any order, and NULL scores or labels skipped.
SELECT promo.auc(score, label ORDER BY score DESC) = 7.0 / 9 AS any_order,
       promo.auc(score, label) FILTER (WHERE score > 0.1) AS without_lowest
FROM hand;
SELECT promo.auc(s, l) = 7.0 / 9 AS nulls_skipped
FROM (SELECT score AS s, label AS l FROM hand
      UNION ALL VALUES (NULL, true), (0.9, NULL), (NULL, NULL)) v;
-- Perfect, reversed and all-tied rankings; infinite scores rank.
SELECT promo.auc(score, label) AS perfect, promo.auc(-score, label) AS reversed,
       promo.auc(0, label) AS all_tied
FROM (VALUES (1.0, true), (2, true), (-1, false), (0, false)) v(score, label);
SELECT promo.auc(score, label) AS with_infinities
FROM (VALUES ('Infinity'::float8, true), ('-Infinity', false), (0, true), (0, false)) v(score, label);
-- One label only, no rows, only NULL rows: NULL (the AUC is not defined).
SELECT promo.auc(score, true) AS only_positives, promo.auc(score, false) AS only_negatives FROM hand;
SELECT promo.auc(score, label) AS no_rows FROM hand WHERE false;
SELECT promo.auc(NULL::float8, label) AS null_rows FROM hand;
-- Per group.
SELECT g, promo.auc(score, label) FROM hand, (VALUES (1), (2)) v(g) GROUP BY g ORDER BY g;
-- auc sorts the rows it holds: not a window function; the others are.
SELECT promo.auc(score, label) OVER (ORDER BY score) FROM hand;
SELECT score, promo.brier(score, label) OVER (ORDER BY score ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
FROM hand WHERE score > 0.4 ORDER BY score;

-- Log loss and Brier score by hand, NULL rows skipped, NULL without rows.
SELECT abs(promo.log_loss(p, y) - (-ln(0.8) - ln(0.6)) / 2) < 1e-15 AS log_loss_by_hand,
       abs(promo.brier(p, y) - (0.04 + 0.16) / 2) < 1e-15 AS brier_by_hand
FROM (VALUES (0.8, true), (0.4, false), (NULL, true), (0.3, NULL)) v(p, y);
SELECT promo.log_loss(p, y) AS log_loss, promo.brier(p, y) AS brier
FROM (VALUES (1.0, true), (0.0, false)) v(p, y);
-- A confident mistake costs -ln(eps) (p clipped to [eps, 1 - eps]), not infinity.
SELECT round(promo.log_loss(0, true)::numeric, 10) AS p0_y1, round(promo.log_loss(1, false)::numeric, 10) AS p1_y0,
       promo.brier(0, true) AS brier_p0_y1;
SELECT promo.log_loss(score, label) AS no_rows, promo.brier(score, label) AS no_rows FROM hand WHERE false;
SELECT promo.log_loss(NULL, label) AS null_rows, promo.brier(NULL, label) AS null_rows FROM hand;

-- Calibration by hand: 4 bins [0, .25), [.25, .5), [.5, .75), [.75, 1];
-- 0.25 is in bin 2 and 1 in bin 4.
SELECT promo.calibration(p, y, 4)
FROM (VALUES (0.1, false), (0.25, true), (0.4, false), (1.0, true), (0.8, false), (NULL, true)) v(p, y);
SELECT promo.calibration(p, y, 1) FROM (VALUES (0.0, false), (1.0, true), (0.5, true)) v(p, y);
SELECT promo.calibration(p, y, 3) AS no_rows FROM (VALUES (0.5, true)) v(p, y) WHERE false;
SELECT promo.calibration(NULL, y, 3) AS null_rows FROM (VALUES (true)) v(y);

-- Regression metrics by hand: errors -0.5, 0.5, -0.5; actual mean 13/6,
-- SST 8/3, so r2 = 1 - 0.75 / (8/3) = 0.71875.
SELECT (promo.regression_metrics(p, y)).*
FROM (VALUES (1.0, 1.5), (2.0, 1.5), (3.0, 3.5), (NULL, 1), (1, NULL)) v(p, y);
SELECT (promo.regression_metrics(p, y)).r2 AS r2_of_constant_actual
FROM (VALUES (1.0, 2.0), (3.0, 2.0)) v(p, y);
SELECT promo.regression_metrics(p, y) AS no_rows FROM (VALUES (1.0, 2.0)) v(p, y) WHERE false;
-- Large offsets keep their digits: actual 1e9 + (1, 2, 3), prediction 1e9 + 2.
SELECT (promo.regression_metrics(1e9 + 2, 1e9 + i)).* FROM generate_series(1, 3) i;

-- Forced parallel plans: the serial results.
CREATE TABLE met_big AS
SELECT round(sin(i * 0.7)::numeric, 2)::float8 AS score,
       (hashint4(i) % 3 = 0) <> (sin(i * 0.7) > 0.5) AS label,
       (1 + sin(i * 0.7)) / 2 AS p,
       1000 + cos(i) AS prediction, 1000 + cos(i) + sin(i * 1.3) AS actual
FROM generate_series(1, 200000) i;
INSERT INTO met_big VALUES (NULL, true, NULL, NULL, 1), (0.5, NULL, 0.5, 1, NULL);
ANALYZE met_big;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE met_serial AS
SELECT promo.auc(score, label) AS auc, promo.log_loss(p, label) AS log_loss,
       promo.brier(p, label) AS brier, promo.calibration(p, label, 7) AS calibration,
       promo.regression_metrics(prediction, actual) AS reg
FROM met_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT promo.auc(score, label), promo.log_loss(p, label), promo.brier(p, label),
       promo.calibration(p, label, 7), promo.regression_metrics(prediction, actual)
FROM met_big;
WITH par AS (
    SELECT promo.auc(score, label) AS auc, promo.log_loss(p, label) AS log_loss,
           promo.brier(p, label) AS brier, promo.calibration(p, label, 7) AS calibration,
           promo.regression_metrics(prediction, actual) AS reg
    FROM met_big
)
SELECT p.auc = s.auc AS same_auc,
       abs(p.log_loss - s.log_loss) <= 1e-12 * s.log_loss AS same_log_loss,
       abs(p.brier - s.brier) <= 1e-12 * s.brier AS same_brier,
       (SELECT bool_and(ps->'count' = ss->'count'
                        AND abs((ps->>'mean_p')::float8 - (ss->>'mean_p')::float8) <= 1e-12
                        AND abs((ps->>'rate')::float8 - (ss->>'rate')::float8) <= 1e-12)
        FROM jsonb_array_elements(p.calibration) WITH ORDINALITY a(ps, i)
        JOIN jsonb_array_elements(s.calibration) WITH ORDINALITY b(ss, j) ON i = j) AS same_calibration,
       (p.reg).n = (s.reg).n AS same_n,
       abs((p.reg).rmse - (s.reg).rmse) <= 1e-12 * (s.reg).rmse AS same_rmse,
       abs((p.reg).mae - (s.reg).mae) <= 1e-12 * (s.reg).mae AS same_mae,
       abs((p.reg).r2 - (s.reg).r2) <= 1e-12 AS same_r2
FROM par p, met_serial s;
SELECT (reg).n, round(auc::numeric, 6) AS auc FROM met_serial;
RESET ALL;
SET extra_float_digits = 0;

-- promo.auc holds its rows within promo.max_memory.
SET promo.max_memory = '2MB';
SELECT promo.auc(i, i % 2 = 0) FROM generate_series(1, 100000) i;
SELECT promo.auc(i, i % 3 = 0) FROM generate_series(1, 60000) i;
RESET promo.max_memory;

-- promo.in_sample: the realized fraction of 100,000 keys is within 0.01 of
-- the target (about 7 standard deviations at 0.5, more elsewhere).
SELECT f, abs(avg(promo.in_sample(i, f, 42)::int) - f) < 0.01 AS close
FROM generate_series(1, 100000) i, (VALUES (0.1), (0.5), (0.9)) v(f)
GROUP BY f ORDER BY f;
SELECT count(*) FILTER (WHERE promo.in_sample(i, 0, 1)) AS fraction_0,
       count(*) FILTER (WHERE promo.in_sample(i, 1, 1)) AS fraction_1
FROM generate_series(1, 100000) i;
-- Text keys.
SELECT abs(avg(promo.in_sample('user-' || i, 0.3, 42)::int) - 0.3) < 0.01 AS text_close
FROM generate_series(1, 100000) i;
-- Another seed, another split: about half of the keys change sides.
SELECT avg((promo.in_sample(i, 0.5, 1) <> promo.in_sample(i, 0.5, 2))::int) BETWEEN 0.45 AND 0.55 AS seeds_differ
FROM generate_series(1, 100000) i;
SELECT avg((promo.in_sample('user-' || i, 0.5, 1) <> promo.in_sample('user-' || i, 0.5, 2))::int)
       BETWEEN 0.45 AND 0.55 AS text_seeds_differ
FROM generate_series(1, 100000) i;
-- smallint, int and bigint keys of the same value fall on the same side;
-- samples are nested: a key in the 0.3 sample is in the 0.5 sample.
SELECT bool_and(promo.in_sample(i, 0.5, 7) = promo.in_sample(i::bigint, 0.5, 7)) AS int_bigint,
       bool_and(promo.in_sample(i::smallint, 0.5, 7) = promo.in_sample(i::bigint, 0.5, 7)) AS smallint_bigint,
       bool_and(NOT promo.in_sample(i, 0.3, 7) OR promo.in_sample(i, 0.5, 7)) AS nested
FROM generate_series(-30000, 30000) i;
SELECT bool_and(promo.in_sample(i::bigint * 100000000000, 0.5, 7) =
                promo.in_sample(i::bigint * 100000000000, 0.5, 7)) AS bigint_deterministic,
       abs(avg(promo.in_sample(i::bigint * 100000000000, 0.5, 7)::int) - 0.5) < 0.01 AS bigint_close
FROM generate_series(1, 100000) i;
-- Other hashable types; a NULL key gives NULL.
SELECT promo.in_sample('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 1, 0) AS uuid_key,
       promo.in_sample(1.5::numeric, 1, 0) AS numeric_key,
       promo.in_sample(ARRAY[1, 2], 1, 0) AS array_key,
       promo.in_sample(NULL::int, 0.5, 0) AS null_key;
-- The same key, the same answer, in every call and query.
CREATE TABLE split AS SELECT i, promo.in_sample(i, 0.5, 3) AS train FROM generate_series(1, 1000) i;
SELECT bool_and(train = promo.in_sample(i, 0.5, 3)) AS stable FROM split;

-- Bad input: every error names its argument.
SELECT promo.log_loss(p, true) FROM (VALUES (1.5)) v(p);
SELECT promo.brier(p, true) FROM (VALUES (-0.1)) v(p);
SELECT promo.log_loss(p, true) FROM (VALUES ('NaN'::float8)) v(p);
SELECT promo.calibration(p, true, 10) FROM (VALUES ('Infinity'::float8)) v(p);
SELECT promo.calibration(0.5, true, 0);
SELECT promo.calibration(0.5, true, 10001);
SELECT promo.calibration(0.5, true, NULL);
SELECT promo.calibration(0.5, true, b) FROM (VALUES (2), (3)) v(b);
SELECT promo.auc('NaN', true);
SELECT promo.regression_metrics('NaN', 1);
SELECT promo.regression_metrics(1, '-Infinity');
SELECT promo.regression_metrics(p, y) FROM (VALUES (1e200, -1e200), (0, 0)) v(p, y);
SELECT promo.in_sample(1, 1.5, 0);
SELECT promo.in_sample(1, -0.1, 0);
SELECT promo.in_sample(1, 'NaN', 0);
SELECT promo.in_sample(point(1, 2), 0.5, 0);

-- Forged states are errors, never a wrong answer.
SELECT promo._log_loss_final('{7021,2,1,0.5}') AS valid_state;
SELECT promo._log_loss_final('{7022,2,1,0.5}');
SELECT promo._brier_final('{7021,2,1,0.5,0}');
SELECT promo._brier_final('{7021,-1,0,0}');
SELECT promo._brier_final('{7021,1.5,0,0}');
SELECT promo._brier_final('{7021,1,0,2}');
SELECT promo._log_loss_final('{7021,1,NaN,0}');
SELECT promo._log_loss_final('{7021,1,100,0}');
SELECT promo._probability_accum('{7021,0,1,0}', 0.5, true);
SELECT promo._probability_combine('{7021,1,0,0}', '{7021,1,0,NULL}');
SELECT promo._calib_final('{7022,2,1,0.5,1,0,0,0}') AS valid_state;
SELECT promo._calib_final('{7022,0}');
SELECT promo._calib_final('{7022,2,1,0.5,1}');
SELECT promo._calib_final('{7022,1,1,0.5,2}');
SELECT promo._calib_final('{7022,1,1,1.5,1}');
SELECT promo._calib_final('{7022,1,-1,0,0}');
SELECT promo._calib_accum('{7022,1,0,0,0}', 0.5, true, 2);
SELECT promo._calib_accum('{7022,2,0,0,0,-1,0,0}', 0.7, false, 2);
SELECT promo._calib_final(promo._calib_accum('{7022,2,0,0,0,-1,0,0}', 0.1, false, 2));
SELECT promo._calib_combine('{7022,1,0,0,0}', '{7022,2,0,0,0,0,0,0}');
SELECT promo._regression_metrics_final('{7023,2,1,0.5,0.5,1,1}') AS valid_state;
SELECT promo._regression_metrics_final('{7023,0,0,0,0,0,1}');
SELECT promo._regression_metrics_final('{7023,2,0,0,-1,0,0}');
SELECT promo._regression_metrics_final('{7023,2,0,Infinity,1,0,0}');
SELECT promo._regression_metrics_final('{7023,2,0,0,1,0}');
SELECT promo._regression_metrics_accum('{7023,2.5,0,0,1,0,0}', 1, 1);
SELECT promo._regression_metrics_combine('{7023,1,0,0,0,0,0}', '{7021,1,0,0}');
-- A direct call does not change its argument.
SELECT promo._probability_accum(s, 0.5, true) AS new_state, s AS argument
FROM (VALUES ('{7021,1,0.5,0.25}'::float8[])) v(s);
