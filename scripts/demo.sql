-- scripts/demo.sql: what promo does with the demo shop, step by step.
-- Run by `make demo` after scripts/demo_shop.sql has built schema promo_demo.
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== The shop =='
SELECT (SELECT count(*) FROM promo_demo.users) AS users,
       (SELECT count(*) FROM promo_demo.items) AS items,
       (SELECT count(*) FROM promo_demo.events) AS events,
       (SELECT count(*) FROM promo_demo.orders) AS orders,
       (SELECT count(*) FROM promo_demo.offers) AS past_offers;

\echo
\echo '== 1. Per-user behaviour features, standardized with promo.scaler =='
DROP TABLE IF EXISTS promo_demo.user_features;
CREATE TABLE promo_demo.user_features AS
SELECT u.user_id,
       ARRAY[count(*) FILTER (WHERE e.event_type = 'view'),
             count(*) FILTER (WHERE e.event_type = 'cart'),
             count(*) FILTER (WHERE e.event_type = 'purchase'),
             coalesce(sum(e.amount), 0),
             avg(e.rating)]::float8[] AS x
FROM promo_demo.users u
LEFT JOIN promo_demo.events e USING (user_id)
GROUP BY u.user_id;
\echo 'scaler over views, carts, purchases, spend, average rating (NULL ratings skipped):'
SELECT promo.scaler(x) AS scaler FROM promo_demo.user_features \gset
SELECT k AS feature,
       (:'scaler'::promo.model::jsonb -> 'count' ->> i)::int AS count,
       round((:'scaler'::promo.model::jsonb -> 'mean' ->> i)::numeric, 2) AS mean,
       round((:'scaler'::promo.model::jsonb -> 'std' ->> i)::numeric, 2) AS std,
       (:'scaler'::promo.model::jsonb -> 'max' ->> i)::numeric AS max
FROM unnest(ARRAY['views', 'carts', 'purchases', 'spend', 'avg_rating']) WITH ORDINALITY f(k, n),
     LATERAL (SELECT (n - 1)::int AS i) j;
\echo 'standardized features of the first five users (missing rating imputed as 0):'
SELECT user_id, x AS raw,
       (SELECT array_agg(round(z::numeric, 2)) FROM unnest(promo.standardize(x, :'scaler')) z) AS z
FROM promo_demo.user_features ORDER BY user_id LIMIT 5;

\echo
\echo '== 2. Offer response by segment: promo.linreg on the past experiment =='
\echo 'purchased ~ depth x kind; estimates against the hidden truth of the demo shop'
WITH fits AS (
    SELECT t.segment,
           promo.linreg(o.purchased::int,
                        ARRAY[o.discount_depth * (o.offer_kind = 'percent')::int,
                              o.discount_depth * (o.offer_kind = 'coupon')::int,
                              o.discount_depth * (o.offer_kind = 'spend_x_save_y')::int]::float8[]) AS m
    FROM promo_demo.offers o JOIN promo_demo.truth t USING (user_id)
    GROUP BY t.segment
)
SELECT s.name AS segment, c.term,
       CASE c.term WHEN 0 THEN 'baseline' WHEN 1 THEN 'percent' WHEN 2 THEN 'coupon'
                   ELSE 'spend_x_save_y' END AS effect,
       round(c.estimate::numeric, 3) AS estimate,
       round(c.std_error::numeric, 3) AS std_error,
       round(c.p_value::numeric, 4) AS p_value,
       round((CASE c.term WHEN 0 THEN tr.offer_base WHEN 1 THEN tr.response_percent
                          WHEN 2 THEN tr.response_coupon ELSE tr.response_spend END)::numeric, 3) AS truth
FROM fits f
CROSS JOIN LATERAL promo.coefficients(f.m) c
JOIN promo_demo.segments s ON s.segment = f.segment
JOIN (SELECT t.segment, avg(t.offer_base) AS offer_base, avg(t.response_percent) AS response_percent,
             avg(t.response_coupon) AS response_coupon, avg(t.response_spend) AS response_spend
      FROM promo_demo.offers o JOIN promo_demo.truth t USING (user_id) GROUP BY t.segment) tr
  ON tr.segment = f.segment
ORDER BY f.segment, c.term;

\echo
\echo '== 3. Price elasticity of quantity by segment (orders, promo.linreg) =='
\echo 'quantity ~ ln(list price / price paid): elasticity = slope / intercept'
WITH fits AS (
    SELECT t.segment,
           promo.linreg(o.quantity, ARRAY[ln(o.list_price / o.price_paid)]::float8[]) AS m,
           avg(t.price_sensitivity) AS truth
    FROM promo_demo.orders o JOIN promo_demo.truth t USING (user_id)
    GROUP BY t.segment
)
SELECT s.name AS segment,
       (promo.metrics(f.m) ->> 'n')::int AS orders,
       round((b.estimate / a.estimate)::numeric, 2) AS elasticity,
       round(f.truth::numeric, 2) AS truth,
       round(b.p_value::numeric, 4) AS p_value
FROM fits f
JOIN promo_demo.segments s ON s.segment = f.segment
CROSS JOIN LATERAL (SELECT estimate FROM promo.coefficients(f.m) WHERE term = 0) a
CROSS JOIN LATERAL (SELECT estimate, p_value FROM promo.coefficients(f.m) WHERE term = 1) b
ORDER BY f.segment;

\echo
\echo '== 4. Users most similar to user 1 (cosine and Pearson of category view profiles) =='
DROP TABLE IF EXISTS promo_demo.category_profile;
CREATE TABLE promo_demo.category_profile AS
SELECT u.user_id,
       array_agg(coalesce(v.views, 0)::float8 ORDER BY c.category) AS profile
FROM promo_demo.users u
CROSS JOIN (SELECT DISTINCT category FROM promo_demo.items) c
LEFT JOIN (SELECT e.user_id, i.category, count(*) AS views
           FROM promo_demo.events e JOIN promo_demo.items i USING (item_id)
           WHERE e.event_type = 'view' GROUP BY 1, 2) v
  ON v.user_id = u.user_id AND v.category = c.category
GROUP BY u.user_id;
SELECT p.user_id, s.name AS segment,
       round(promo.cosine(p.profile, me.profile)::numeric, 3) AS cosine,
       round(promo.pearson(p.profile, me.profile)::numeric, 3) AS pearson
FROM promo_demo.category_profile p
JOIN promo_demo.truth t USING (user_id)
JOIN promo_demo.segments s USING (segment),
     (SELECT profile FROM promo_demo.category_profile WHERE user_id = 1) me
WHERE p.user_id <> 1 AND promo.cosine(p.profile, me.profile) IS NOT NULL
ORDER BY promo.cosine(p.profile, me.profile) DESC, p.user_id
LIMIT 5;

\echo
\echo '== Models are values: store them, read them as JSON =='
DROP TABLE IF EXISTS promo_demo.models;
CREATE TABLE promo_demo.models (name text PRIMARY KEY, model promo.model, trained_at timestamptz DEFAULT now());
INSERT INTO promo_demo.models (name, model)
SELECT 'offer_response', promo.linreg(purchased::int, ARRAY[discount_depth]::float8[])
FROM promo_demo.offers WHERE offer_kind <> 'none';
SELECT name, jsonb_pretty(promo.metrics(model)) AS metrics FROM promo_demo.models;
