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
\echo '== 1. Per-user behaviour features (promo.user_features), standardized =='
DROP TABLE IF EXISTS promo_demo.user_features;
CREATE TABLE promo_demo.user_features AS
SELECT * FROM promo.user_features('promo_demo.events', 'promo_demo.orders', 'promo_demo.items',
                                  '2025-01-01', users => 'promo_demo.users');
SELECT user_id, views, carts, purchases, round(conversion_rate::numeric, 3) AS conversion,
       round(recency_days::numeric, 1) AS recency_days, frequency, round(monetary::numeric, 2) AS monetary
FROM promo_demo.user_features ORDER BY user_id LIMIT 5;
\echo 'scaler over views, carts, purchases, conversion, recency, monetary (NULL recency skipped):'
SELECT promo.scaler(ARRAY[views, carts, purchases, conversion_rate, recency_days, monetary]::float8[]) AS scaler
FROM promo_demo.user_features \gset
SELECT k AS feature,
       (:'scaler'::promo.model::jsonb -> 'count' ->> i)::int AS count,
       round((:'scaler'::promo.model::jsonb -> 'mean' ->> i)::numeric, 3) AS mean,
       round((:'scaler'::promo.model::jsonb -> 'std' ->> i)::numeric, 3) AS std,
       round((:'scaler'::promo.model::jsonb -> 'max' ->> i)::numeric, 3) AS max
FROM unnest(ARRAY['views', 'carts', 'purchases', 'conversion', 'recency_days', 'monetary'])
     WITH ORDINALITY f(k, n),
     LATERAL (SELECT (n - 1)::int AS i) j;

\echo
\echo '== 2. RFM value tiers (promo.rfm_tiers) =='
SELECT tier, count(*) AS users, round(avg(rfm_score), 1) AS avg_score
FROM promo.rfm_tiers('promo_demo.user_features')
GROUP BY tier ORDER BY avg_score DESC;

\echo
\echo '== 3. Funnel as a Markov chain, per hidden segment (promo.transitions) =='
WITH per_user AS (
    SELECT e.user_id, promo.transitions(e.event_type ORDER BY e.event_time, promo.funnel_step(e.event_type)) AS counts
    FROM promo_demo.events e GROUP BY e.user_id
), per_segment AS (
    SELECT s.name, promo.transitions_sum(p.counts) AS counts
    FROM per_user p JOIN promo_demo.truth t USING (user_id) JOIN promo_demo.segments s USING (segment)
    GROUP BY s.name
)
SELECT name AS segment, state, round(probability::numeric, 3) AS p_purchase
FROM per_segment, promo.purchase_probability(counts)
WHERE state IN ('start', 'view', 'cart')
ORDER BY segment, state DESC;

\echo
\echo '== 4. Segments: k-means on behaviour features =='
\ir demo_segment_features.sql
\echo 'choosing k: inertia and simplified silhouette per k'
SELECT k, round(inertia::numeric, 1) AS inertia, round(silhouette::numeric, 3) AS silhouette
FROM promo.kmeans_choose_k('promo_demo.segment_features', 'x', 2, 7, seed => 1);
DROP TABLE IF EXISTS promo_demo.segments_found;
CREATE TABLE promo_demo.segments_found AS
SELECT f.user_id, promo.predict(m.model, f.x)::int AS segment
FROM promo_demo.segment_features f,
     (SELECT promo.kmeans(x, 5, '{"seed": 1}') AS model FROM promo_demo.segment_features) m;
\echo 'found segments against the hidden ones (users):'
SELECT s.name AS hidden_segment,
       count(*) FILTER (WHERE f.segment = 1) AS "1", count(*) FILTER (WHERE f.segment = 2) AS "2",
       count(*) FILTER (WHERE f.segment = 3) AS "3", count(*) FILTER (WHERE f.segment = 4) AS "4",
       count(*) FILTER (WHERE f.segment = 5) AS "5"
FROM promo_demo.segments_found f
JOIN promo_demo.truth t ON t.user_id = f.user_id
JOIN promo_demo.segments s ON s.segment = t.segment
GROUP BY s.segment, s.name ORDER BY s.segment;
\echo 'segment profiles (promo.segment_profiles):'
SELECT segment, users, round(share::numeric, 3) AS share, round(views::numeric, 1) AS views,
       round(conversion_rate::numeric, 3) AS conversion, round(monetary::numeric, 1) AS monetary,
       top_categories, round((tier_mix ->> 'high')::numeric, 3) AS high_tier
FROM promo.segment_profiles('promo_demo.segments_found', 'promo_demo.user_features');

\echo
\echo '== 5. Offer response by segment: promo.linreg on the past experiment =='
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
\echo '== 6. Price elasticity of quantity by segment (orders, promo.linreg) =='
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
\echo '== 7. Users most similar to user 1 (cosine and Pearson of category view profiles) =='
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

\echo
\echo '== 8. A campaign: per-user offers under a budget (promo.refresh, promo.assignments) =='
\ir demo_campaign.sql
\echo 'the plan: per offer and group, and the total against the budget'
SELECT coalesce(offer_id, CASE WHEN total THEN 'TOTAL' ELSE '(none)' END) AS offer,
       user_group, users, round(expected_conversions::numeric, 1) AS conversions,
       round(expected_cost::numeric, 0) AS cost, round(expected_profit::numeric, 0) AS profit,
       budget
FROM promo.campaign_plan WHERE campaign = 'spring'
ORDER BY total, user_group NULLS LAST, offer_id NULLS FIRST;
\echo 'the plan checked on the randomized offer history, without the models (IPS)'
\echo 'and with them (doubly robust), 95% intervals, against the models'' expectation'
SELECT round(expected_profit::numeric, 0) AS expected_profit,
       round(ips_profit::numeric, 0) AS ips_profit,
       round(ips_profit_low::numeric, 0) || ' to ' || round(ips_profit_high::numeric, 0) AS ips_interval,
       round(dr_profit::numeric, 0) AS dr_profit,
       round(dr_profit_low::numeric, 0) || ' to ' || round(dr_profit_high::numeric, 0) AS dr_interval,
       over_budget
FROM promo.campaign_plan WHERE campaign = 'spring' AND total;
\echo 'the plan against a blanket 10% offer and random offers at the same spend,'
\echo 'valued with the demo shop''s hidden truth'
SELECT policy, round(profit::numeric, 0) AS true_incremental_profit,
       round(spend::numeric, 0) AS true_spend
FROM promo_demo.campaign_truth;
\echo 'sample assignments, with the reason for each decision'
SELECT user_id, offer_id, user_group, round(p_convert::numeric, 3) AS p_convert,
       round(expected_profit::numeric, 2) AS profit, reason ->> 'decision' AS decision,
       reason ->> 'runner_up' AS runner_up,
       reason -> 'top_features' -> 0 ->> 'feature' AS top_feature
FROM promo.assignments WHERE campaign = 'spring'
ORDER BY user_id LIMIT 8;
