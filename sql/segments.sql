-- promo.segment_profiles, and the input contracts of the functions that
-- read a table given as regclass (kmeans_fit, kmeans_choose_k).
SET extra_float_digits = 0;

-- A small shop: users 1..4 active, user 5 without any event or order.
CREATE TABLE seg_items (item_id bigint, category text);
INSERT INTO seg_items VALUES (1, 'books'), (2, 'toys'), (3, 'games'), (4, 'food');
CREATE TABLE seg_events (user_id bigint, item_id bigint, event_type text, event_time timestamptz);
INSERT INTO seg_events VALUES
  (1, 1, 'view', '2024-01-01+00'), (1, 1, 'cart', '2024-01-01+00'), (1, 1, 'purchase', '2024-01-02+00'),
  (1, 2, 'view', '2024-01-03+00'),
  (2, 2, 'view', '2024-01-01+00'), (2, 3, 'view', '2024-01-02+00'), (2, 4, 'view', '2024-01-02+00'),
  (3, 1, 'view', '2024-01-05+00'), (3, 1, 'purchase', '2024-01-06+00'),
  (4, 3, 'view', '2024-01-07+00');
CREATE TABLE seg_orders (user_id bigint, order_id bigint, order_time timestamptz,
                         quantity int, price_paid numeric, discount numeric);
INSERT INTO seg_orders VALUES
  (1, 10, '2024-01-02+00', 2, 10, 0.1), (1, 10, '2024-01-02+00', 1, 5, 0),
  (3, 11, '2024-01-06+00', 1, 100, 0.2), (3, 12, '2024-01-20+00', 1, 50, 0);
-- Segment 1: users 1 and 2; segment 2: users 3, 4 and 5 (5 has no
-- activity: it counts, with the fill values); user 6 has no segment.
CREATE TABLE seg_assign (user_id int, segment bigint);
INSERT INTO seg_assign VALUES (1, 1), (2, 1), (3, 2), (4, 2), (5, 2), (5, 2), (6, NULL);

-- By hand, as of 2024-02-01: segment 1 has 2 users (share 0.4), views
-- (2 + 3) / 2, purchases 1 / 2, monetary (25 + 0) / 2, one basket of 25;
-- segment 2 has 3 users, views 2 / 3, monetary 150 / 3, baskets of user 3
-- worth 75 on average; recency is the mean over buyers only (NULL
-- without orders).  Top categories of segment 1 by summed share: books
-- 3/4, toys 1/4 + 1/3, then food and games tie at 1/3 (food first by
-- name).  Only users 1 and 3 buy, both normal: tier_mix always has high,
-- normal and low.
SELECT * FROM promo.segment_profiles('seg_assign', 'seg_events', 'seg_orders', 'seg_items',
                                     '2024-02-01+00');

-- The same from features already computed (with every assigned user).
CREATE TABLE seg_features AS
SELECT * FROM promo.user_features('seg_events', 'seg_orders', 'seg_items', '2024-02-01+00',
                                  users => 'seg_assign');
SELECT count(*) AS differ
FROM (SELECT * FROM promo.segment_profiles('seg_assign', 'seg_features')
      EXCEPT ALL
      SELECT * FROM promo.segment_profiles('seg_assign', 'seg_events', 'seg_orders', 'seg_items',
                                           '2024-02-01+00')) d;
SELECT segment, users, tier_mix FROM promo.segment_profiles('seg_assign', 'seg_features');

-- Bad input.
\set SHOW_CONTEXT never
-- Features computed without user 5.
CREATE TABLE seg_features_active AS
SELECT * FROM promo.user_features('seg_events', 'seg_orders', 'seg_items', '2024-02-01+00');
SELECT * FROM promo.segment_profiles('seg_assign', 'seg_features_active');
-- A user in two segments.
INSERT INTO seg_assign VALUES (1, 2);
SELECT * FROM promo.segment_profiles('seg_assign', 'seg_features');
DELETE FROM seg_assign WHERE user_id = 1 AND segment = 2;
-- Contracts: assignments without segment, a segment of type text,
-- features without avg_basket_value.
CREATE VIEW seg_no_segment AS SELECT user_id FROM seg_assign;
SELECT * FROM promo.segment_profiles('seg_no_segment', 'seg_features');
CREATE VIEW seg_text_segment AS SELECT user_id, segment::text AS segment FROM seg_assign;
SELECT * FROM promo.segment_profiles('seg_text_segment', 'seg_events', 'seg_orders', 'seg_items',
                                     '2024-02-01+00');
CREATE VIEW seg_old_features AS SELECT user_id, views, carts, purchases, conversion_rate,
       recency_days, frequency, monetary, avg_discount, category_share FROM seg_features;
SELECT * FROM promo.segment_profiles('seg_assign', 'seg_old_features');
-- kmeans_fit and kmeans_choose_k check the features column first.
CREATE TABLE seg_points (id int, x float8[], label text, xs real[]);
INSERT INTO seg_points SELECT i, ARRAY[i, i % 3], 'p', ARRAY[i, i % 3] FROM generate_series(1, 20) i;
SELECT promo.kmeans_fit('seg_points', 'y', 2);
SELECT promo.kmeans_fit('seg_points', 'label', 2);
SELECT * FROM promo.kmeans_choose_k('seg_points', 'label', 2, 3);
SELECT * FROM promo.kmeans_choose_k('seg_points', 'nope', 2, 3);
\set SHOW_CONTEXT errors
-- Another array of numbers converts implicitly: real[] fits like float8[].
SELECT promo.kmeans_fit('seg_points', 'xs', 2, seed => 1)::text
       = promo.kmeans_fit('seg_points', 'x', 2, seed => 1)::text AS real_array_accepted;

SET client_min_messages = warning;
DROP TABLE seg_items, seg_events, seg_orders, seg_assign, seg_features, seg_features_active,
           seg_points CASCADE;
