-- The synthetic shop of scripts/demo_shop.sql at a small size: shape,
-- referential consistency, the documented funnel, offer and segment
-- properties, recovery of the hidden truth by least squares (R1, R2), and
-- determinism (same seed and size give identical tables, under any plan).
BEGIN;
SELECT plan(38);

\set users 2000
\set seed 7
\i scripts/demo_shop.sql

-- md5 over every generated table, each in a total order.
CREATE FUNCTION pg_temp.demo_checksum() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT md5(concat_ws('|',
        (SELECT md5(string_agg(s::text, ',' ORDER BY s.segment)) FROM promo_demo.segments s),
        (SELECT md5(string_agg(t::text, ',' ORDER BY t.user_id)) FROM promo_demo.truth t),
        (SELECT md5(string_agg(u::text, ',' ORDER BY u.user_id)) FROM promo_demo.users u),
        (SELECT md5(string_agg(i::text, ',' ORDER BY i.item_id)) FROM promo_demo.items i),
        (SELECT md5(string_agg(e::text, ',' ORDER BY e.user_id, e.event_time, e.event_type,
                                                     e.item_id, e.rating, e.amount))
         FROM promo_demo.events e),
        (SELECT md5(string_agg(o::text, ',' ORDER BY o.order_id)) FROM promo_demo.orders o),
        (SELECT md5(string_agg(f::text, ',' ORDER BY f.offer_id)) FROM promo_demo.offers f)))
$$;

-- ---------------------------------------------------------------------------
-- Shape
-- ---------------------------------------------------------------------------
SELECT tables_are('promo_demo',
    ARRAY['segments', 'truth', 'users', 'items', 'events', 'orders', 'offers'],
    'promo_demo holds exactly the documented tables (staging tables are gone)');

SELECT is((SELECT count(*) FROM promo_demo.users), 2000::bigint,
          'users: one row per requested user');

SELECT is((SELECT count(*) FROM promo_demo.truth t JOIN promo_demo.users u USING (user_id)),
          2000::bigint, 'truth: one row per user');

SELECT ok((SELECT count(*) BETWEEN 1000 AND 5000 AND count(DISTINCT category) BETWEEN 10 AND 20
           FROM promo_demo.items),
          'items: a few thousand items in 10-20 categories');

SELECT is_empty($$SELECT item_id FROM promo_demo.items
                  WHERE NOT (unit_cost > 0 AND unit_cost < list_price)$$,
                'items: unit costs are positive and below list prices');

SELECT is_empty($$SELECT s.segment, count(t.user_id) FROM promo_demo.segments s
                  LEFT JOIN promo_demo.truth t USING (segment)
                  GROUP BY s.segment
                  HAVING count(t.user_id) NOT BETWEEN 0.05 * 2000 AND 0.40 * 2000$$,
                'every segment holds between 5% and 40% of the users');

SELECT ok((SELECT p.provolatile = 'i' AND p.proparallel = 's' AND l.lanname = 'sql'
           FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
           WHERE p.oid = 'promo_demo.u(bigint, bigint, integer)'::regprocedure),
          'the uniform draw is an IMMUTABLE PARALLEL SAFE SQL function');

SELECT ok((SELECT min(x) > 0 AND max(x) < 1 AND abs(avg(x) - 0.5) < 0.005
                  AND abs(avg((x < 0.1)::int) - 0.1) < 0.005
           FROM (SELECT promo_demo.u(7, g, 1) AS x
                 FROM generate_series(1::bigint, 100000) g) d),
          'the uniform draw lies in (0,1) with the right mean and lower decile');

SELECT is((SELECT count(DISTINCT promo_demo.u(7, g * 1048576 + j, 201))
           FROM generate_series(1::bigint, 8192) g, generate_series(1, 10) j),
          81920::bigint,
          'distinct 64-bit keys give distinct draws (no 32-bit folding collisions)');

-- ---------------------------------------------------------------------------
-- Referential consistency and the funnel
-- ---------------------------------------------------------------------------
SELECT is_empty($$SELECT e.user_id, e.item_id FROM promo_demo.events e
                  WHERE NOT EXISTS (SELECT FROM promo_demo.users u WHERE u.user_id = e.user_id)
                     OR NOT EXISTS (SELECT FROM promo_demo.items i WHERE i.item_id = e.item_id)$$,
                'every event refers to a known user and item');

SELECT ok((SELECT count(*) FILTER (WHERE event_type = 'view')
                > count(*) FILTER (WHERE event_type = 'cart')
              AND count(*) FILTER (WHERE event_type = 'cart')
                > count(*) FILTER (WHERE event_type = 'purchase')
              AND count(*) FILTER (WHERE event_type = 'purchase')
                > count(*) FILTER (WHERE event_type = 'rating')
              AND count(*) FILTER (WHERE event_type = 'rating') > 0
           FROM promo_demo.events),
          'funnel: views > carts > purchases > ratings > 0');

SELECT ok((SELECT count(*) FILTER (WHERE event_type = 'cart')::float8
                  / count(*) FILTER (WHERE event_type = 'view') BETWEEN 0.03 AND 0.15
              AND count(*) FILTER (WHERE event_type = 'purchase')::float8
                  / count(*) FILTER (WHERE event_type = 'cart') BETWEEN 0.20 AND 0.60
           FROM promo_demo.events),
          'funnel: view->cart 3-15%, cart->purchase 20-60%');

SELECT is_empty($$SELECT e.user_id, e.item_id, e.event_type, e.event_time
                  FROM promo_demo.events e
                  WHERE e.event_type <> 'view'
                    AND NOT EXISTS (
                        SELECT FROM promo_demo.events p
                        WHERE p.user_id = e.user_id AND p.item_id = e.item_id
                          AND p.event_time < e.event_time
                          AND p.event_type = CASE e.event_type WHEN 'cart' THEN 'view'
                                                               WHEN 'purchase' THEN 'cart'
                                                               ELSE 'purchase' END)$$,
                'every cart, purchase and rating follows a view, cart and purchase of the item');

SELECT is_empty($$SELECT e.user_id, e.event_time FROM promo_demo.events e
                  JOIN promo_demo.users u USING (user_id)
                  WHERE e.event_type = 'view'
                    AND (e.event_time < greatest(timestamptz '2024-01-01 00:00+00',
                                                 u.signup_date::timestamp AT TIME ZONE 'UTC')
                         OR e.event_time >= timestamptz '2025-01-01 00:00+00')$$,
                'views fall in 2024, after the signup date');

SELECT is_empty($$SELECT user_id, rating FROM promo_demo.events
                  WHERE (event_type = 'rating') <> (rating IS NOT NULL)
                     OR rating NOT IN (1, 2, 3, 4, 5)
                     OR (event_type = 'purchase') <> (amount IS NOT NULL)$$,
                'ratings are integers 1-5 on rating rows; amounts only on purchases');

SELECT is((SELECT count(*) FROM promo_demo.orders),
          (SELECT count(*) FROM promo_demo.events WHERE event_type = 'purchase'),
          'one order per purchase event');

SELECT is((SELECT count(*) FROM promo_demo.orders o
           WHERE (SELECT count(*) FROM promo_demo.events e
                  WHERE e.event_type = 'purchase' AND e.user_id = o.user_id
                    AND e.item_id = o.item_id AND e.event_time = o.order_time
                    AND e.amount = o.price_paid * o.quantity) = 1),
          (SELECT count(*) FROM promo_demo.orders),
          'every order matches its purchase event (user, item, time, amount)');

SELECT is_empty($$SELECT o.order_id FROM promo_demo.orders o
                  JOIN promo_demo.items i USING (item_id)
                  WHERE o.list_price <> i.list_price
                     OR o.price_paid <> round(o.list_price * (1 - o.discount), 2)
                     OR o.discount NOT IN (0, 0.10, 0.20, 0.30)
                     OR o.quantity < 1$$,
                'orders: list price of the item, price paid = list price less the discount');

SELECT ok((SELECT min(order_id) = 1 AND max(order_id) = count(*) FROM promo_demo.orders)
          AND (SELECT min(offer_id) = 1 AND max(offer_id) = count(*) FROM promo_demo.offers),
          'order and offer ids are dense from 1');

-- ---------------------------------------------------------------------------
-- Offer experiment
-- ---------------------------------------------------------------------------
SELECT is_empty($$SELECT u.user_id, count(o.offer_id) FROM promo_demo.users u
                  LEFT JOIN promo_demo.offers o USING (user_id)
                  GROUP BY u.user_id HAVING count(o.offer_id) NOT BETWEEN 2 AND 4$$,
                'every user received 2 to 4 offers');

SELECT is_empty($$SELECT offer_id FROM promo_demo.offers
                  WHERE (offer_kind = 'none') <> (discount_depth = 0)
                     OR discount_depth NOT IN (0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30)
                     OR (redeemed AND NOT purchased)
                     OR (redeemed AND offer_kind = 'none')
                     OR purchased <> (revenue > 0)
                     OR offer_time < timestamptz '2025-01-01 00:00+00'
                     OR offer_time >= timestamptz '2025-04-01 00:00+00'$$,
                'offers: depth 0 only for none, redeemed implies purchased, revenue iff purchased');

SELECT is_empty($$SELECT k.kind, count(o.offer_id)
                  FROM unnest(ARRAY['none', 'percent', 'coupon', 'spend_x_save_y']) AS k(kind)
                  LEFT JOIN promo_demo.offers o ON o.offer_kind = k.kind
                  GROUP BY k.kind
                  HAVING count(o.offer_id) < 0.15 * (SELECT count(*) FROM promo_demo.offers)$$,
                'all four arms are present with roughly equal shares');

SELECT ok((SELECT avg(purchased::int) FILTER (WHERE offer_kind = 'none')
                < least(avg(purchased::int) FILTER (WHERE offer_kind = 'percent'),
                        avg(purchased::int) FILTER (WHERE offer_kind = 'coupon'),
                        avg(purchased::int) FILTER (WHERE offer_kind = 'spend_x_save_y'))
           FROM promo_demo.offers),
          'the none arm has a lower purchase rate than every discount arm');

-- ---------------------------------------------------------------------------
-- Segments: documented behaviour, and recoverable from behaviour alone
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE demo_user_features AS
SELECT t.user_id, t.segment,
       coalesce(a.views, 0) AS views, coalesce(a.carts, 0) AS carts,
       coalesce(a.purchases, 0) AS purchases, a.log_price, a.recency
FROM promo_demo.truth t
LEFT JOIN (
    SELECT e.user_id,
           count(*) FILTER (WHERE e.event_type = 'view') AS views,
           count(*) FILTER (WHERE e.event_type = 'cart') AS carts,
           count(*) FILTER (WHERE e.event_type = 'purchase') AS purchases,
           avg(ln(i.list_price::float8)) FILTER (WHERE e.event_type = 'view') AS log_price,
           extract(epoch FROM timestamptz '2025-01-01 00:00+00'
                              - max(e.event_time) FILTER (WHERE e.event_type = 'view'))
               / 86400 AS recency
    FROM promo_demo.events e JOIN promo_demo.items i USING (item_id)
    GROUP BY e.user_id
) AS a USING (user_id);

CREATE TEMP TABLE demo_segment_stats AS
SELECT segment, avg(views) AS views,
       sum(purchases)::float8 / nullif(sum(carts), 0) AS conversion,
       avg(log_price) AS log_price, avg(recency) AS recency
FROM demo_user_features GROUP BY segment;

-- 1 bargain_hunter, 2 loyal_high_spender, 3 browser, 4 occasional, 5 dormant
SELECT ok((SELECT bool_and(a.views > b.views)
           FROM (VALUES (3, 2), (2, 1), (1, 4), (4, 5)) AS o(hi, lo)
           JOIN demo_segment_stats a ON a.segment = o.hi
           JOIN demo_segment_stats b ON b.segment = o.lo),
          'mean views: browser > loyal > bargain hunter > occasional > dormant');

SELECT ok((SELECT max(conversion) = max(conversion) FILTER (WHERE segment = 2)
              AND min(conversion) = min(conversion) FILTER (WHERE segment = 3)
           FROM demo_segment_stats),
          'cart conversion: highest for loyal high spenders, lowest for browsers');

SELECT ok((SELECT max(log_price) = max(log_price) FILTER (WHERE segment = 2)
              AND min(log_price) = min(log_price) FILTER (WHERE segment = 1)
           FROM demo_segment_stats),
          'viewed prices: highest for loyal high spenders, lowest for bargain hunters');

SELECT ok((SELECT max(recency) = max(recency) FILTER (WHERE segment = 5)
           FROM demo_segment_stats),
          'dormant users have the oldest last view');

SELECT ok((SELECT avg(basket) FILTER (WHERE segment = 2)
                > max(basket) FILTER (WHERE segment <> 2)
           FROM (SELECT t.segment, avg(o.quantity) AS basket
                 FROM promo_demo.orders o JOIN promo_demo.truth t USING (user_id)
                 GROUP BY t.segment) b),
          'loyal high spenders buy the largest baskets');

-- Gaussian naive Bayes on five standardized behaviour features, with the
-- class means and spreads estimated from the truth labels (in sample).
SELECT cmp_ok((
    WITH f AS (
        SELECT user_id, segment,
               ln(1 + views) AS f1, ln(1 + carts) AS f2, ln(1 + purchases) AS f3,
               log_price AS f4, ln(1 + coalesce(recency, 400)) AS f5
        FROM demo_user_features
    ), z AS (
        SELECT user_id, segment,
               (f1 - avg(f1) OVER ()) / stddev(f1) OVER () AS z1,
               (f2 - avg(f2) OVER ()) / stddev(f2) OVER () AS z2,
               (f3 - avg(f3) OVER ()) / stddev(f3) OVER () AS z3,
               coalesce((f4 - avg(f4) OVER ()) / stddev(f4) OVER (), 0) AS z4,
               (f5 - avg(f5) OVER ()) / stddev(f5) OVER () AS z5
        FROM f
    ), c AS (
        SELECT segment AS class,
               avg(z1) AS m1, greatest(stddev(z1), 0.05) AS s1,
               avg(z2) AS m2, greatest(stddev(z2), 0.05) AS s2,
               avg(z3) AS m3, greatest(stddev(z3), 0.05) AS s3,
               avg(z4) AS m4, greatest(stddev(z4), 0.05) AS s4,
               avg(z5) AS m5, greatest(stddev(z5), 0.05) AS s5
        FROM z GROUP BY segment
    ), pred AS (
        SELECT DISTINCT ON (z.user_id) z.user_id, z.segment, c.class
        FROM z CROSS JOIN c
        ORDER BY z.user_id,
                 ((z1 - m1) / s1) ^ 2 + ((z2 - m2) / s2) ^ 2 + ((z3 - m3) / s3) ^ 2
                 + ((z4 - m4) / s4) ^ 2 + ((z5 - m5) / s5) ^ 2
                 + 2 * ln(s1 * s2 * s3 * s4 * s5)
    )
    SELECT avg((segment = class)::int)::float8 FROM pred), '>=', 0.90::float8,
    'segments are recoverable from behaviour: naive Bayes accuracy >= 90%');

-- ---------------------------------------------------------------------------
-- The documented relations hold exactly in expectation
-- ---------------------------------------------------------------------------
-- R1: E[purchased] = offer_base + response_kind * depth; mean residual ~ 0.
SELECT cmp_ok((
    SELECT abs(avg(r.y - r.p)) / (sqrt(sum(r.p * (1 - r.p))) / count(*))
    FROM (SELECT o.purchased::int::float8 AS y,
                 t.offer_base + o.discount_depth::float8
                     * CASE o.offer_kind WHEN 'percent' THEN t.response_percent
                                         WHEN 'coupon' THEN t.response_coupon
                                         WHEN 'spend_x_save_y' THEN t.response_spend
                                         ELSE 0 END AS p
          FROM promo_demo.offers o JOIN promo_demo.truth t USING (user_id)) r),
    '<', 4.0::float8,
    'R1: purchase probability of offers matches the truth (mean residual within 4 SE)');

-- R2: E[quantity] = basket_size * (1 + price_sensitivity * ln(list/paid)).
SELECT cmp_ok((
    SELECT abs(avg(r.q - r.mu)) / (sqrt(sum(r.mu - 1)) / count(*))
    FROM (SELECT o.quantity::float8 AS q,
                 t.basket_size * (1 + t.price_sensitivity
                                      * ln(o.list_price::float8 / o.price_paid::float8)) AS mu
          FROM promo_demo.orders o JOIN promo_demo.truth t USING (user_id)) r),
    '<', 4.0::float8,
    'R2: order quantities match the truth (mean residual within 4 SE)');

-- R1 by OLS, pooled: intercept = mean offer_base, slope of the depth of each
-- kind = mean response to that kind, both over the offers of the sample.
SELECT is_empty($$
    WITH fit AS (
        SELECT promo.linreg(o.purchased::int::float8,
                   ARRAY[CASE WHEN o.offer_kind = 'percent' THEN o.discount_depth ELSE 0 END,
                         CASE WHEN o.offer_kind = 'coupon' THEN o.discount_depth ELSE 0 END,
                         CASE WHEN o.offer_kind = 'spend_x_save_y' THEN o.discount_depth ELSE 0 END
                   ]::float8[]) AS m
        FROM promo_demo.offers o
    ), target AS (
        SELECT v.term, v.value
        FROM (SELECT avg(t.offer_base) AS b0,
                     avg(t.response_percent) FILTER (WHERE o.offer_kind = 'percent') AS b1,
                     avg(t.response_coupon) FILTER (WHERE o.offer_kind = 'coupon') AS b2,
                     avg(t.response_spend) FILTER (WHERE o.offer_kind = 'spend_x_save_y') AS b3
              FROM promo_demo.offers o JOIN promo_demo.truth t USING (user_id)) a
        CROSS JOIN LATERAL (VALUES (0, a.b0), (1, a.b1), (2, a.b2), (3, a.b3)) AS v(term, value)
    )
    SELECT g.term, c.estimate, c.std_error, g.value AS truth
    FROM target g
    LEFT JOIN (SELECT c.* FROM fit CROSS JOIN LATERAL promo.coefficients(fit.m) c) c USING (term)
    WHERE c.estimate IS NULL OR abs(c.estimate - g.value) > 4 * c.std_error
$$, 'R1 by promo.linreg (pooled): coefficients within 4 SE of the truth means');

-- R1 by OLS within each segment.
SELECT is_empty($$
    WITH od AS (
        SELECT t.segment, o.offer_kind, o.purchased, o.discount_depth, t.offer_base,
               t.response_percent, t.response_coupon, t.response_spend
        FROM promo_demo.offers o JOIN promo_demo.truth t USING (user_id)
    ), fit AS (
        SELECT segment,
               promo.linreg(purchased::int::float8,
                   ARRAY[CASE WHEN offer_kind = 'percent' THEN discount_depth ELSE 0 END,
                         CASE WHEN offer_kind = 'coupon' THEN discount_depth ELSE 0 END,
                         CASE WHEN offer_kind = 'spend_x_save_y' THEN discount_depth ELSE 0 END
                   ]::float8[]) AS m
        FROM od GROUP BY segment
    ), target AS (
        SELECT a.segment, v.term, v.value
        FROM (SELECT segment, avg(offer_base) AS b0,
                     avg(response_percent) FILTER (WHERE offer_kind = 'percent') AS b1,
                     avg(response_coupon) FILTER (WHERE offer_kind = 'coupon') AS b2,
                     avg(response_spend) FILTER (WHERE offer_kind = 'spend_x_save_y') AS b3
              FROM od GROUP BY segment) a
        CROSS JOIN LATERAL (VALUES (0, a.b0), (1, a.b1), (2, a.b2), (3, a.b3)) AS v(term, value)
    )
    SELECT g.segment, g.term, c.estimate, c.std_error, g.value AS truth
    FROM target g
    LEFT JOIN (SELECT fit.segment, c.* FROM fit CROSS JOIN LATERAL promo.coefficients(fit.m) c) c
           USING (segment, term)
    WHERE c.estimate IS NULL OR abs(c.estimate - g.value) > 4 * c.std_error
$$, 'R1 by promo.linreg per segment: all 20 coefficients within 4 SE of the truth means');

-- R2 by OLS within each segment with enough orders: quantity on ln(list/paid)
-- has intercept basket_size and slope basket_size * mean price_sensitivity.
SELECT is_empty($$
    WITH od AS (
        SELECT t.segment, o.quantity::float8 AS q,
               ln(o.list_price::float8 / o.price_paid::float8) AS x,
               t.basket_size, t.price_sensitivity
        FROM promo_demo.orders o JOIN promo_demo.truth t USING (user_id)
    ), fit AS (
        SELECT segment, promo.linreg(q, ARRAY[x]) AS m,
               avg(basket_size) AS b0, avg(basket_size * price_sensitivity) AS b1
        FROM od GROUP BY segment HAVING count(*) >= 100
    )
    SELECT fit.segment, c.term, c.estimate, c.std_error,
           CASE c.term WHEN 0 THEN fit.b0 ELSE fit.b1 END AS truth
    FROM fit CROSS JOIN LATERAL promo.coefficients(fit.m) c
    WHERE abs(c.estimate - CASE c.term WHEN 0 THEN fit.b0 ELSE fit.b1 END) > 4 * c.std_error
       OR c.std_error IS NULL
$$, 'R2 by promo.linreg per segment: basket size and elasticity slope within 4 SE');

SELECT cmp_ok((SELECT count(*) FROM (SELECT t.segment FROM promo_demo.orders o
                                     JOIN promo_demo.truth t USING (user_id)
                                     GROUP BY t.segment HAVING count(*) >= 100) s),
              '>=', 3::bigint,
              'R2 is checked in at least three segments');

-- ---------------------------------------------------------------------------
-- Determinism
-- ---------------------------------------------------------------------------
SELECT pg_temp.demo_checksum() AS demo_sum_seed7 \gset

-- Regenerate under a very different plan shape: parallel workers wherever
-- possible, JIT for every query, no hash joins or memoize.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET jit_above_cost = 0;
SET enable_hashjoin = off;
SET enable_memoize = off;
\i scripts/demo_shop.sql
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET jit_above_cost;
RESET enable_hashjoin;
RESET enable_memoize;

SELECT is(pg_temp.demo_checksum(), :'demo_sum_seed7',
          'same users and seed give identical tables under another plan');

\set seed 8
\i scripts/demo_shop.sql

SELECT isnt(pg_temp.demo_checksum(), :'demo_sum_seed7',
            'another seed gives different tables');

SELECT is((SELECT count(*) FROM promo_demo.users), 2000::bigint,
          'another seed keeps the requested number of users');

SELECT * FROM finish();
ROLLBACK;
