-- scripts/demo_campaign.sql: the demo shop's campaign, from its tables to
-- per-user assignments, and the plan valued with the shop's hidden truth.
-- Included by scripts/demo.sql and test/pgtap/campaign_demo.sql after
-- scripts/demo_shop.sql.  Leaves promo_demo.campaign_truth (policy,
-- true incremental profit, true spend) for the plan against a blanket 10%
-- offer and random offers, each filled up to the plan's spend.
--
-- The shop maps its past experiment onto the offer-history contract with a
-- view; its three offer kinds all take the depth off the basket, so the
-- catalogue has one percent_off offer per (kind, depth) arm.  The budget
-- is 0.5 per user of the shop.
CREATE OR REPLACE VIEW promo_demo.offer_history AS
SELECT 'q1-2025' AS campaign, o.user_id,
       CASE WHEN o.offer_kind <> 'none'
            THEN o.offer_kind || '_' || (o.discount_depth * 100)::int END AS offer_id,
       o.purchased AS converted, o.revenue,
       CASE WHEN o.redeemed THEN o.revenue / (1 - o.discount_depth) * o.discount_depth
            ELSE 0 END AS discount_cost
FROM promo_demo.offers o;
DELETE FROM promo.campaigns WHERE campaign = 'spring';
INSERT INTO promo.campaigns (campaign, budget, holdout_share, explore_share, offer_history,
                             events, orders, items, users, features_as_of)
VALUES ('spring', 0.5 * (SELECT count(*) FROM promo_demo.users), 0.1, 0.02, 'promo_demo.offer_history', 'promo_demo.events',
        'promo_demo.orders', 'promo_demo.items', 'promo_demo.users', '2025-01-01');
INSERT INTO promo.offers (offer_id, campaign, kind, pct)
SELECT k || '_' || d, 'spring', 'percent_off', d / 100.0
FROM unnest(ARRAY['percent', 'coupon', 'spend_x_save_y']) k, generate_series(5, 30, 5) d;
CALL promo.refresh('spring');

-- True expected incremental profit and spend of giving a user an arm:
-- P(buy) = offer_base + depth x response of the kind, the basket's truth
-- value, the shop's margin from its items, 90% of converting offer users
-- redeem (a redeemed offer costs its depth of the basket).
DROP TABLE IF EXISTS promo_demo.campaign_truth;
CREATE TABLE promo_demo.campaign_truth AS
WITH margin AS (
    SELECT 1 - avg(unit_cost / list_price)::float8 AS m FROM promo_demo.items
), truth AS (
    -- true expected incremental profit of giving user u the arm (kind, depth)
    SELECT t.user_id, a.offer_id,
           (t.offer_base + d.depth * CASE d.kind WHEN 'percent' THEN t.response_percent
                                                 WHEN 'coupon' THEN t.response_coupon
                                                 ELSE t.response_spend END)
           * t.offer_basket_value * (mg.m - 0.9 * d.depth)
           - t.offer_base * t.offer_basket_value * mg.m AS profit,
           (t.offer_base + d.depth * CASE d.kind WHEN 'percent' THEN t.response_percent
                                                 WHEN 'coupon' THEN t.response_coupon
                                                 ELSE t.response_spend END)
           * t.offer_basket_value * 0.9 * d.depth AS spend
    FROM promo_demo.truth t
    CROSS JOIN margin mg
    CROSS JOIN LATERAL (SELECT k AS kind, dd / 100.0 AS depth FROM unnest(ARRAY['percent', 'coupon', 'spend_x_save_y']) k,
                        generate_series(5, 30, 5) dd) d
    CROSS JOIN LATERAL (SELECT d.kind || '_' || (d.depth * 100)::int AS offer_id) a
), plan AS (
    SELECT sum(tr.profit) AS profit, sum(tr.spend) AS spend
    FROM promo.assignments a JOIN truth tr USING (user_id, offer_id)
    WHERE a.campaign = 'spring' AND a.user_group = 'treatment'
), blanket AS (
    SELECT sum(profit) AS profit, sum(spend) AS spend FROM (
        SELECT tr.profit, tr.spend,
               sum(tr.spend) OVER (ORDER BY hashint8(tr.user_id), tr.user_id) AS running
        FROM truth tr JOIN promo.assignments a USING (user_id)
        WHERE tr.offer_id = 'percent_10' AND a.campaign = 'spring' AND a.user_group = 'treatment') b
    WHERE running <= (SELECT spend FROM plan)
), random_offers AS (
    SELECT sum(profit) AS profit, sum(spend) AS spend FROM (
        SELECT tr.profit, tr.spend,
               sum(tr.spend) OVER (ORDER BY hashint8(tr.user_id), tr.user_id) AS running
        FROM (SELECT a.user_id,
                     (ARRAY(SELECT k || '_' || d FROM unnest(ARRAY['percent', 'coupon', 'spend_x_save_y']) k,
                            generate_series(5, 30, 5) d))[1 + (hashint8(a.user_id) & 1023) % 18] AS offer_id
              FROM promo.assignments a
              WHERE a.campaign = 'spring' AND a.user_group = 'treatment') a
        JOIN truth tr USING (user_id, offer_id)) r
    WHERE running <= (SELECT spend FROM plan)
)
SELECT 'promo plan' AS policy, profit, spend FROM plan
UNION ALL SELECT 'blanket 10% off', profit, spend FROM blanket
UNION ALL SELECT 'random offers', profit, spend FROM random_offers;
