-- promo.user_features, promo.winsorize, promo.clip and promo.rfm_tiers
SET extra_float_digits = 0;

-- A small shop in a schema and tables whose names need quoting.
CREATE SCHEMA "Shop";
CREATE TABLE "Shop"."Items" (item_id bigint PRIMARY KEY, category text);
INSERT INTO "Shop"."Items" VALUES (1, 'books'), (2, 'books'), (3, 'toys'), (4, NULL);
CREATE TABLE "Shop"."Events" (user_id bigint, item_id bigint, event_type text,
                              event_time timestamptz, amount numeric, rating numeric);
INSERT INTO "Shop"."Events" VALUES
  -- user 1: 3 views, a cart, a purchase and a rating; books 5, toys 1
  (1, 1, 'view', '2024-01-01 10:00+00', NULL, NULL),
  (1, 3, 'view', '2024-01-02 10:00+00', NULL, NULL),
  (1, 1, 'cart', '2024-01-02 12:00+00', NULL, NULL),
  (1, 1, 'purchase', '2024-01-03 00:00+00', 18, NULL),
  (1, 1, 'rating', '2024-01-10 00:00+00', NULL, 5),
  (1, 2, 'view', '2024-01-15 00:00+00', NULL, NULL),
  -- user 2: 3 views and a cart; item 99 has no category, item 4 a NULL one
  (2, 3, 'view', '2024-02-01 00:00+00', NULL, NULL),
  (2, 99, 'view', '2024-02-03 00:00+00', NULL, NULL),
  (2, 4, 'view', '2024-02-03 00:00+00', NULL, NULL),
  (2, 3, 'cart', '2024-02-03 00:00+00', NULL, NULL),
  -- user 3: an event on as_of (not before it) and one without a type
  (3, 1, 'view', '2024-03-01 00:00+00', NULL, NULL),
  (3, 1, NULL, '2024-02-01 00:00+00', NULL, NULL),
  -- user 4: only later events; a row without a user
  (4, 1, 'view', '2024-03-05 00:00+00', NULL, NULL),
  (NULL, 1, 'view', '2024-01-05 00:00+00', NULL, NULL);
CREATE TABLE "Shop"."Orders" (user_id bigint, item_id bigint, order_time timestamptz,
                              quantity int, list_price numeric, price_paid numeric,
                              discount numeric);
INSERT INTO "Shop"."Orders" VALUES
  (1, 1, '2024-01-03 00:00+00', 2, 10, 9, 0.10),
  (1, 3, '2024-02-15 00:00+00', 1, 20, 15, 0.25),
  (3, 2, '2024-02-20 12:00+00', 1, 5, 5, 0),
  (2, 3, '2024-03-01 00:00+00', 1, 20, 20, 0);

-- As of 2024-03-01, by hand:
--   user 1: conversion 1/3; last order 15 days before (2024 is a leap
--           year); 2 orders worth 2 * 9 + 15 = 33 at discounts 0.10 and
--           0.25 (mean 0.175); books 5/6, toys 1/6
--   user 2: conversion 0; its order is not before as_of: no recency,
--           frequency 0; toys 2/2 (the other views have no category)
--   user 3: no event counts (one is on as_of, one has no type), so zeros
--           and an empty category_share; one order 9.5 days before
--   user 4: nothing before as_of, so no row
SELECT * FROM promo.user_features('"Shop"."Events"', '"Shop"."Orders"', '"Shop"."Items"',
                                  '2024-03-01 00:00+00');

-- The default as_of is now(): every event and order counts.
SELECT user_id, views, frequency FROM promo.user_features('"Shop"."Events"', '"Shop"."Orders"', '"Shop"."Items"');

-- A shop maps its own tables onto the contract with views.
CREATE TABLE "Shop".clicks (uid int, sku int, kind text, at timestamp);
INSERT INTO "Shop".clicks VALUES (7, 3, 'VIEW', '2024-01-01'), (7, 3, 'BUY', '2024-01-02');
CREATE VIEW "Shop".events_v AS
SELECT uid::bigint AS user_id, sku::bigint AS item_id,
       CASE kind WHEN 'VIEW' THEN 'view' WHEN 'BUY' THEN 'purchase' END AS event_type,
       at AT TIME ZONE 'UTC' AS event_time, NULL::numeric AS amount, NULL::numeric AS rating
FROM "Shop".clicks;
SELECT user_id, views, purchases, conversion_rate, frequency, category_share
FROM promo.user_features('"Shop".events_v', '"Shop"."Orders"', '"Shop"."Items"', '2024-01-10+00')
WHERE user_id = 7;

-- Every user of a users relation comes out: user 4 (events only after
-- as_of) and user 5 (nothing at all) with the fill values; user 2, not in
-- users but active, still comes out.
CREATE TABLE "Shop"."Users" (user_id int);
INSERT INTO "Shop"."Users" VALUES (1), (3), (4), (5), (5), (NULL);
SELECT * FROM promo.user_features('"Shop"."Events"', '"Shop"."Orders"', '"Shop"."Items"',
                                  '2024-03-01 00:00+00', users => '"Shop"."Users"');
SELECT user_id, tier FROM promo.rfm_tiers('"Shop"."Events"', '"Shop"."Orders"', '"Shop"."Items"',
                                          '2024-03-01 00:00+00', '"Shop"."Users"');

-- Whole baskets: no item, quantity, list price, discount or order id.
-- Each row is a basket; avg_discount is NULL without a discount column.
CREATE TABLE "Shop".baskets (customer bigint, paid_at date, total numeric);
INSERT INTO "Shop".baskets VALUES (1, '2024-01-05', 30), (1, '2024-02-05', 50), (2, '2024-02-10', 7.5);
CREATE VIEW "Shop".basket_orders AS
SELECT customer AS user_id, paid_at AS order_time, total AS price_paid FROM "Shop".baskets;
SELECT user_id, recency_days, frequency, monetary, avg_discount, avg_basket_value
FROM promo.user_features('"Shop"."Events"', '"Shop".basket_orders', '"Shop"."Items"',
                         '2024-03-01 00:00+00');
-- Order lines with an order id: lines of one order form one basket (a
-- NULL order id is a basket of its own), timestamps without time zone.
CREATE TABLE "Shop".lines (user_id int, order_id text, order_time timestamp,
                           quantity int, price_paid float8, discount real);
INSERT INTO "Shop".lines VALUES
  (1, 'a', '2024-01-05 10:00', 2, 5, 0), (1, 'a', '2024-01-05 10:00', 1, 10, 0.5),
  (1, 'b', '2024-02-01 00:00', 1, 20, 0), (1, NULL, '2024-02-02 00:00', 1, 40, 0);
SELECT user_id, frequency, monetary, avg_discount, avg_basket_value
FROM promo.user_features('"Shop"."Events"', '"Shop".lines', '"Shop"."Items"', '2024-03-01 00:00+00')
WHERE user_id = 1;

-- Category shares as a vector in a fixed category order, ready for the
-- scaler: the order names the dimensions, a missing category is 0.
SELECT user_id, promo.category_vector(category_share, ARRAY['books', 'games', 'toys']) AS x
FROM promo.user_features('"Shop"."Events"', '"Shop"."Orders"', '"Shop"."Items"', '2024-03-01 00:00+00');
SELECT promo.category_vector('{}', '{}') AS empty,
       promo.category_vector('{"a": 1}', '[0:1]={b,a}') AS lower_bound_0;

-- The tie rule of promo.transitions: events at the same time in funnel
-- order (view, cart, purchase, rating), whatever order they were stored in.
SELECT promo.funnel_step(t) FROM unnest(ARRAY['view', 'cart', 'purchase', 'rating']) t;
SELECT promo.transitions(event_type ORDER BY event_time, promo.funnel_step(event_type))
       = promo.transitions(event_type ORDER BY event_time, promo.funnel_step(event_type) DESC)
       AS same_either_way,
       promo.transitions(event_type ORDER BY event_time, promo.funnel_step(event_type))
       = (SELECT promo.transitions(t ORDER BY o)
          FROM unnest(ARRAY['view', 'cart', 'purchase']) WITH ORDINALITY u(t, o)) AS funnel_order
FROM (VALUES ('purchase', 2), ('cart', 1), ('view', 1)) v(event_type, event_time);

-- Winsorizing: clip to [lo, hi]; infinite bounds clip one side only.
SELECT promo.winsorize(5, 0, 3) AS above, promo.winsorize(-1, 0, 3) AS below,
       promo.winsorize(2, 0, 3) AS inside, promo.winsorize(1e300, '-Infinity', 10) AS one_sided,
       promo.winsorize('Infinity', 0, 10) AS infinite_x, promo.winsorize(NULL, 0, 1) IS NULL AS null_x;
SELECT promo.clip('{1, NULL, 50, -3}', '{0, 0, 0, -Infinity}', '{10, 10, 10, 10}') AS clipped,
       promo.clip('{}', '{}', '{}') AS empty,
       promo.clip('[0:1]={5,6}', '{0,0}', '{1,1}') AS lower_bound_0;

-- RFM tiers.  Ten buyers (users 1..10) with recency 1..10 days, frequency
-- 5, 4, 4, 3, 2, 2, 1, 1, 1, 1 and monetary 500, 400, 300, 240, 200, 150,
-- 100, 80, 50, 10; users 11 and 12 only view.  A score is 1 + floor(5 u),
-- u the share of buyers below the value plus half of its ties: recency and
-- monetary are distinct and score 5 5 4 4 3 3 2 2 1 1 (as ntile(5) would);
-- frequency 1 has no buyer below and 4 tied (u = 2/10: score 2), 2 has 4
-- below and 2 tied (u = 5/10: 3), 3 has u = 6.5/10 (4), 4 has u = 8/10 (5)
-- and 5 has u = 9.5/10 (5).  Users without orders score 1 everywhere.
-- Sums: 15 15 13 12 (high), 9 9 (normal), 6 6 4 4 3 3 (low).
CREATE TABLE rfm_orders (user_id bigint, item_id bigint, order_time timestamptz,
                         quantity int, list_price numeric, price_paid numeric,
                         discount numeric);
INSERT INTO rfm_orders
SELECT u, 1, timestamptz '2024-12-31 00:00+00' - (u + 10 * (k - 1)) * interval '1 day',
       1, m::numeric / f, m::numeric / f, 0
FROM (VALUES (1, 5, 500), (2, 4, 400), (3, 4, 300), (4, 3, 240), (5, 2, 200),
             (6, 2, 150), (7, 1, 100), (8, 1, 80), (9, 1, 50), (10, 1, 10)) v(u, f, m),
     generate_series(1, f) k;
CREATE TABLE rfm_events AS
SELECT u::bigint AS user_id, 1::bigint AS item_id, 'view'::text AS event_type,
       timestamptz '2024-06-01 00:00+00' AS event_time, NULL::numeric AS amount,
       NULL::numeric AS rating
FROM generate_series(1, 12) u;
SELECT * FROM promo.rfm_tiers('rfm_events', 'rfm_orders', '"Shop"."Items"', '2024-12-31 00:00+00');
SELECT user_id, recency_days, frequency, monetary
FROM promo.user_features('rfm_events', 'rfm_orders', '"Shop"."Items"', '2024-12-31 00:00+00')
ORDER BY user_id;

-- Demo shop (500 users, seed 7), as of the end of its event window.
\set users 500
\set seed 7
\set ECHO none
\i scripts/demo_shop.sql
\set ECHO all
CREATE TABLE f AS
SELECT * FROM promo.user_features('promo_demo.events', 'promo_demo.orders', 'promo_demo.items',
                                  '2025-01-01 00:00+00');
-- With the users relation every user of the shop comes out.
SELECT (SELECT count(*) FROM promo.user_features('promo_demo.events', 'promo_demo.orders',
                                                 'promo_demo.items', '2025-01-01 00:00+00',
                                                 users => 'promo_demo.users'))
       = (SELECT count(*) FROM promo_demo.users) AS every_user;
-- RFM from the features already computed is RFM from the relations.
SELECT count(*) AS differ
FROM (SELECT * FROM promo.rfm_tiers('f')
      EXCEPT ALL
      SELECT * FROM promo.rfm_tiers('promo_demo.events', 'promo_demo.orders', 'promo_demo.items',
                                    '2025-01-01 00:00+00')) d;
-- Counts agree with the generator's tables (some ratings fall after
-- as_of); shares of each user sum to 1.
SELECT (SELECT count(*) FROM f) = (SELECT count(DISTINCT user_id) FROM promo_demo.events
                                    WHERE event_time < '2025-01-01 00:00+00')
           AS every_active_user,
       (SELECT sum(views + carts + purchases + ratings) FROM f)
           = (SELECT count(*) FROM promo_demo.events WHERE event_time < '2025-01-01 00:00+00')
           AS every_event_before_as_of,
       (SELECT sum(frequency) FROM f) = (SELECT count(*) FROM promo_demo.orders) AS every_order,
       (SELECT abs(sum(monetary) - (SELECT sum(price_paid * quantity) FROM promo_demo.orders)::float8)
               < 1e-6 FROM f) AS monetary,
       (SELECT bool_and(purchases = frequency) FROM f) AS one_order_per_purchase,
       (SELECT bool_and(abs(s - 1) < 1e-12)
        FROM (SELECT sum(value::float8) AS s
              FROM f, jsonb_each_text(category_share) GROUP BY user_id) s) AS shares_sum_to_1,
       (SELECT bool_and((recency_days IS NULL) = (frequency = 0)) FROM f) AS recency_iff_orders,
       (SELECT bool_and(recency_days >= 0) FROM f) AS recency_non_negative;
-- Segment properties the generator documents: browsers (3) view the most
-- and convert the least, loyal high spenders (2) convert and spend the
-- most and dormant users (5) bought longest ago.  Bargain hunters (1) buy
-- at deeper discounts than loyal high spenders: by the generator's rates
-- the mean discount of a purchase is 0.108 against 0.071.
SELECT segment, count(*) AS users, round(avg(views)) AS views,
       round(avg(conversion_rate)::numeric, 4) AS conversion,
       round(avg(monetary)::numeric) AS monetary,
       round(avg(avg_discount) FILTER (WHERE frequency > 0)::numeric, 3) AS discount,
       round(avg(recency_days)::numeric) AS recency
FROM f JOIN promo_demo.truth USING (user_id)
GROUP BY segment ORDER BY segment;
WITH s AS (
  SELECT segment, avg(views) AS views, avg(conversion_rate) AS conversion,
         avg(monetary) AS monetary,
         avg(avg_discount) FILTER (WHERE frequency > 0) AS discount,
         avg(recency_days) AS recency
  FROM f JOIN promo_demo.truth USING (user_id) GROUP BY segment
)
SELECT (SELECT conversion FROM s WHERE segment = 3) < ALL (SELECT conversion FROM s WHERE segment <> 3)
           AS browsers_convert_least,
       (SELECT views FROM s WHERE segment = 3) > ALL (SELECT views FROM s WHERE segment <> 3)
           AS browsers_view_most,
       (SELECT conversion FROM s WHERE segment = 2) > ALL (SELECT conversion FROM s WHERE segment <> 2)
           AS loyal_convert_most,
       (SELECT monetary FROM s WHERE segment = 2) > ALL (SELECT monetary FROM s WHERE segment <> 2)
           AS loyal_spend_most,
       (SELECT discount FROM s WHERE segment = 1) > (SELECT discount FROM s WHERE segment = 2)
           AS bargain_hunters_deeper_discount,
       (SELECT recency FROM s WHERE segment = 5) > ALL (SELECT recency FROM s WHERE segment <> 5)
           AS dormant_longest_ago;
-- RFM: most loyal high spenders are high, most dormant users low.
SELECT segment, tier, count(*)
FROM promo.rfm_tiers('promo_demo.events', 'promo_demo.orders', 'promo_demo.items',
                     '2025-01-01 00:00+00')
JOIN promo_demo.truth USING (user_id)
GROUP BY segment, tier ORDER BY segment, tier;

-- The pipeline: features -> winsorize at the 1st and 99th percentiles ->
-- scaler -> standardize.  One feature with promo.winsorize:
WITH b AS (SELECT percentile_cont(ARRAY[0.01, 0.99]) WITHIN GROUP (ORDER BY monetary) AS p FROM f)
SELECT count(*) FILTER (WHERE promo.winsorize(monetary, p[1], p[2]) <> monetary) AS clipped,
       max(promo.winsorize(monetary, p[1], p[2])) = p[2] AS max_is_p99
FROM f, b GROUP BY p;
-- The feature vector with promo.clip and per-dimension bounds; recency is
-- NULL without orders, skipped by the scaler and standardized to 0.
CREATE TABLE fx AS
SELECT user_id, ARRAY[views, carts, purchases, ratings, conversion_rate, recency_days,
                      frequency, monetary, avg_discount]::float8[] AS x
FROM f;
CREATE TABLE fx_bounds AS
SELECT array_agg(p[1] ORDER BY d) AS lo, array_agg(p[2] ORDER BY d) AS hi
FROM (SELECT d, percentile_cont(ARRAY[0.01, 0.99]) WITHIN GROUP (ORDER BY v) AS p
      FROM fx, unnest(fx.x) WITH ORDINALITY u(v, d) GROUP BY d) s;
CREATE TABLE fx_clipped AS SELECT user_id, promo.clip(x, lo, hi) AS x FROM fx, fx_bounds;
CREATE TABLE fx_z AS
SELECT user_id, x, promo.standardize(x, (SELECT promo.scaler(x) FROM fx_clipped)) AS z
FROM fx_clipped;
SELECT d, count(v) AS n, bool_and(v BETWEEN lo[d] AND hi[d]) AS within_bounds,
       round(avg(w) FILTER (WHERE v IS NOT NULL)::numeric, 12) AS mean,
       round(stddev(w) FILTER (WHERE v IS NOT NULL)::numeric, 12) AS sd,
       bool_and(w = 0) FILTER (WHERE v IS NULL) AS missing_is_0
FROM fx_z, fx_bounds, unnest(fx_z.x, fx_z.z) WITH ORDINALITY u(v, w, d)
GROUP BY d ORDER BY d;

-- Bad input: every error has its own message.
\set SHOW_CONTEXT never
INSERT INTO "Shop"."Events" VALUES (2, 3, 'wishlist', '2024-02-04 00:00+00', NULL, NULL);
SELECT * FROM promo.user_features('"Shop"."Events"', '"Shop"."Orders"', '"Shop"."Items"', '2024-03-01');
SELECT * FROM promo.rfm_tiers('"Shop"."Events"', '"Shop"."Orders"', '"Shop"."Items"', '2024-03-01');
DELETE FROM "Shop"."Events" WHERE event_type = 'wishlist';
-- Contract checks name the relation, the column and the expected type.
CREATE VIEW "Shop".no_item AS SELECT user_id, event_type, event_time FROM "Shop"."Events";
SELECT * FROM promo.user_features('"Shop".no_item', '"Shop"."Orders"', '"Shop"."Items"', '2024-03-01');
CREATE VIEW "Shop".text_time AS
SELECT user_id, item_id, event_type, event_time::text AS event_time FROM "Shop"."Events";
SELECT * FROM promo.user_features('"Shop".text_time', '"Shop"."Orders"', '"Shop"."Items"', '2024-03-01');
CREATE VIEW "Shop".numeric_user AS
SELECT user_id::numeric AS user_id, item_id, event_type, event_time FROM "Shop"."Events";
SELECT * FROM promo.user_features('"Shop".numeric_user', '"Shop"."Orders"', '"Shop"."Items"', '2024-03-01');
CREATE VIEW "Shop".text_quantity AS SELECT user_id, order_time, price_paid, 'two'::text AS quantity
FROM "Shop"."Orders";
SELECT * FROM promo.user_features('"Shop"."Events"', '"Shop".text_quantity', '"Shop"."Items"', '2024-03-01');
SELECT * FROM promo.user_features('"Shop"."Events"', '"Shop"."Orders"', '"Shop".basket_orders', '2024-03-01');
SELECT * FROM promo.user_features('"Shop"."Events"', '"Shop"."Orders"', '"Shop"."Items"', '2024-03-01',
                                  users => '"Shop".baskets');
SELECT * FROM promo.rfm_tiers('"Shop".baskets');
SELECT * FROM promo.rfm_tiers('"Shop"."Events"', '"Shop".text_quantity', '"Shop"."Items"', '2024-03-01');
SELECT promo._check_contract('"Shop"."Items"', 'items', '{item_id}', '{bigint,text}', '{t}');
SELECT promo._check_contract('"Shop"."Items"', 'items', '{item_id,NULL}', '{bigint,text}', '{t,t}');
SELECT promo._check_contract('"Shop"."Items"', 'items', '{item_id,category,price}', '{bigint,text,float8}',
                             '{t,t,f}') AS present;
SELECT promo.category_vector('[0.5]', '{a}');
SELECT promo.category_vector('{"a": 1}', '{{a}}');
SELECT promo.category_vector('{"a": 1}', '{a,NULL}');
SELECT promo.funnel_step('wishlist');
CREATE TABLE dup_items (item_id bigint, category text);
INSERT INTO dup_items VALUES (1, 'books'), (2, 'toys'), (2, 'games');
SELECT * FROM promo.user_features('"Shop"."Events"', '"Shop"."Orders"', 'dup_items', '2024-03-01');
SELECT promo.winsorize('NaN', 0, 1);
SELECT promo.winsorize(0, 'NaN', 1);
SELECT promo.winsorize(0, 0, 'NaN');
SELECT promo.winsorize(0, 2, 1);
SELECT promo.clip('{{1,2}}', '{0,0}', '{1,1}');
SELECT promo.clip('{1,2}', '{{0,0}}', '{1,1}');
SELECT promo.clip('{1,2}', '{0,0}', '{{1,1}}');
SELECT promo.clip('{1,2}', '{0}', '{1,1}');
SELECT promo.clip('{1,2}', '{0,0}', '{1,1,1}');
SELECT promo.clip('{1,2}', '{0,NULL}', '{1,1}');
SELECT promo.clip('{1,2}', '{0,0}', '{NULL,1}');
SELECT promo.clip('{1,NaN}', '{0,0}', '{1,1}');
SELECT promo.clip('{1,2}', '{0,NaN}', '{1,1}');
SELECT promo.clip('{1,2}', '{0,0}', '{NaN,1}');
SELECT promo.clip('{1,2}', '{0,3}', '{1,2}');

\set SHOW_CONTEXT errors
SET client_min_messages = warning;
DROP TABLE f, fx, fx_bounds, fx_clipped, fx_z, rfm_orders, rfm_events, dup_items;
DROP SCHEMA "Shop" CASCADE;
DROP SCHEMA promo_demo CASCADE;
