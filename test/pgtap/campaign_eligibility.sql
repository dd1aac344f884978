-- Offer eligibility in a refresh, on the demo shop's campaign: each rule
-- (RFM tier, new or returning customer, mean past basket, frequency cap
-- over the offer history, segment) leaves out exactly the users it should,
-- as recomputed here from promo.user_features, promo.rfm_tiers and the
-- history, and no user is given an offer they may not have.
BEGIN;
SELECT plan(11);

\set users 1500
\set seed 5
SET client_min_messages = warning;
\i scripts/demo_shop.sql
\i scripts/demo_campaign.sql

-- What the rules see, computed independently of the refresh.
CREATE TEMP TABLE expect AS
SELECT f.user_id, r.tier, f.frequency > 0 AS returning_customer, f.avg_basket_value AS basket,
       (SELECT count(*) FROM promo_demo.offer_history h
        WHERE h.user_id = f.user_id AND h.offer_id = 'spend_x_save_y_10') AS times_sxsy10,
       (f.user_id % 3)::int AS segment
FROM promo.user_features('promo_demo.events', 'promo_demo.orders', 'promo_demo.items',
                         '2025-01-01', 'promo_demo.users') f
JOIN promo.rfm_tiers('promo_demo.events', 'promo_demo.orders', 'promo_demo.items',
                     '2025-01-01', 'promo_demo.users') r USING (user_id);
CREATE TABLE promo_demo.user_segments AS SELECT user_id, segment FROM expect;

UPDATE promo.campaigns SET segments = 'promo_demo.user_segments' WHERE campaign = 'spring';
UPDATE promo.offers SET tiers = '{high}' WHERE offer_id = 'percent_10';
UPDATE promo.offers SET customers = 'new' WHERE offer_id = 'coupon_5';
UPDATE promo.offers SET customers = 'returning' WHERE offer_id = 'percent_5';
UPDATE promo.offers SET min_expected_basket = 60 WHERE offer_id = 'coupon_10';
UPDATE promo.offers SET frequency_cap = 1 WHERE offer_id = 'spend_x_save_y_10';
UPDATE promo.offers SET segments = '{1,2}' WHERE offer_id = 'percent_15';
CALL promo.refresh('spring');

CREATE TEMP TABLE got AS
SELECT s.user_id, s.offer_id, s.eligible,
       CASE s.offer_id
           WHEN 'percent_10' THEN e.tier = 'high'
           WHEN 'coupon_5' THEN NOT e.returning_customer
           WHEN 'percent_5' THEN e.returning_customer
           WHEN 'coupon_10' THEN coalesce(e.basket >= 60, false)
           WHEN 'spend_x_save_y_10' THEN e.times_sxsy10 < 1
           WHEN 'percent_15' THEN e.segment IN (1, 2)
           ELSE true END AS want
FROM promo.offer_scores s JOIN expect e USING (user_id)
WHERE s.campaign = 'spring';

SELECT is((SELECT count(*) FROM got), 18 * (SELECT count(*) FROM expect),
          'every user has a score for every offer');
SELECT is((SELECT count(*) FROM got WHERE eligible IS DISTINCT FROM want AND offer_id = 'percent_10'),
          0::bigint, 'tiers: only high-tier users may have percent_10');
SELECT is((SELECT count(*) FROM got WHERE eligible IS DISTINCT FROM want AND offer_id = 'coupon_5'),
          0::bigint, 'customers new: only users without orders may have coupon_5');
SELECT is((SELECT count(*) FROM got WHERE eligible IS DISTINCT FROM want AND offer_id = 'percent_5'),
          0::bigint, 'customers returning: only users with orders may have percent_5');
SELECT is((SELECT count(*) FROM got WHERE eligible IS DISTINCT FROM want AND offer_id = 'coupon_10'),
          0::bigint, 'min_expected_basket: only users whose mean basket is 60 or more may have coupon_10');
SELECT is((SELECT count(*) FROM got WHERE eligible IS DISTINCT FROM want AND offer_id = 'spend_x_save_y_10'),
          0::bigint, 'frequency_cap 1: users the history shows with spend_x_save_y_10 may not have it again');
SELECT is((SELECT count(*) FROM got WHERE eligible IS DISTINCT FROM want AND offer_id = 'percent_15'),
          0::bigint, 'segments: only users of segments 1 and 2 may have percent_15');
SELECT is((SELECT count(*) FROM got WHERE NOT eligible AND offer_id NOT IN
              ('percent_10', 'coupon_5', 'percent_5', 'coupon_10', 'spend_x_save_y_10', 'percent_15')),
          0::bigint, 'offers without rules are open to every user');
-- Each rule leaves some users in and some out, so the checks above bite.
SELECT is((SELECT count(*) FROM (
               SELECT offer_id FROM got
               WHERE offer_id IN ('percent_10', 'coupon_5', 'percent_5', 'coupon_10',
                                  'spend_x_save_y_10', 'percent_15')
               GROUP BY offer_id HAVING bool_or(eligible) AND bool_or(NOT eligible)) r),
          6::bigint, 'each of the six rules lets some users in and keeps some out');
SELECT is((SELECT count(*) FROM promo.assignments a JOIN got g USING (user_id, offer_id)
           WHERE a.campaign = 'spring' AND NOT g.eligible),
          0::bigint, 'no user is given an offer they may not have, explore users included');
SELECT cmp_ok((SELECT sum(expected_cost) FROM promo.assignments WHERE campaign = 'spring'),
              '<=', (SELECT budget FROM promo.campaigns WHERE campaign = 'spring'),
              'the budget holds');

SELECT * FROM finish();
ROLLBACK;
