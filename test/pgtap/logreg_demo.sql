-- promo.logreg on the synthetic shop of scripts/demo_shop.sql: a model of
-- purchase on offer kind, discount depth and behaviour features, trained
-- on a split of the users by hash, ranks held-out offers well above chance
-- (ROC AUC by the Mann-Whitney rank formula), and explanations sum to the
-- link for every offer.
BEGIN;
SELECT plan(5);

\set users 2000
\set seed 7
\i scripts/demo_shop.sql

CREATE TEMP TABLE lg_features AS
SELECT * FROM promo.user_features('promo_demo.events', 'promo_demo.orders', 'promo_demo.items',
                                  as_of => '2025-01-01', users => 'promo_demo.users');

-- The same user always falls on the same side (about 70% train).
CREATE TEMP TABLE lg_rows AS
SELECT o.offer_id, o.purchased,
       ARRAY[(o.offer_kind = 'percent')::int, (o.offer_kind = 'coupon')::int,
             (o.offer_kind = 'spend_x_save_y')::int, o.discount_depth,
             f.frequency, f.monetary, f.conversion_rate, f.views]::float8[] AS x,
       hashint8(o.user_id) % 10 BETWEEN -6 AND 6 AS train
FROM promo_demo.offers o JOIN lg_features f USING (user_id);

CREATE TEMP TABLE lg_model AS
SELECT promo.logreg(purchased, x) AS m FROM lg_rows WHERE train;

SELECT ok((SELECT (promo.metrics(m) ->> 'converged')::bool FROM lg_model),
          'the purchase model converges');

SELECT is((SELECT (promo.metrics(m) ->> 'n')::bigint FROM lg_model),
          (SELECT count(*) FROM lg_rows WHERE train),
          'the model is fitted on every training offer');

-- Held-out AUC = (sum of the purchases' ranks - n1 (n1 + 1) / 2) / (n1 n0),
-- ties at their mean rank.
SELECT cmp_ok((WITH s AS (SELECT promo.predict(m, x) AS p, purchased
                          FROM lg_rows, lg_model WHERE NOT train),
                    r AS (SELECT purchased,
                                 rank() OVER (ORDER BY p) + (count(*) OVER (PARTITION BY p) - 1) / 2.0 AS rk
                          FROM s)
               SELECT (sum(rk) FILTER (WHERE purchased)
                       - count(*) FILTER (WHERE purchased) * (count(*) FILTER (WHERE purchased) + 1) / 2.0)
                      / (count(*) FILTER (WHERE purchased) * count(*) FILTER (WHERE NOT purchased))
               FROM r),
              '>', 0.6::numeric,
              'held-out AUC of the purchase model is well above 0.5');

SELECT is_empty($$SELECT offer_id FROM lg_rows, lg_model,
                         LATERAL (SELECT sum(contribution) AS s FROM promo.explain(m, x)) e
                  WHERE abs(e.s - promo.predict_link(m, x)) > 1e-9 * (1 + abs(promo.predict_link(m, x)))$$,
                'explanations sum to the log-odds for every offer');

SELECT is_empty($$SELECT offer_id FROM lg_rows, lg_model
                  WHERE abs(promo.predict(m, x) - 1 / (1 + exp(-promo.predict_link(m, x)))) > 1e-12$$,
                'predict is the logistic function of predict_link for every offer');

SELECT * FROM finish();
ROLLBACK;
