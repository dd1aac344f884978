-- A campaign on the synthetic shop of scripts/demo_shop.sql, built by
-- scripts/demo_campaign.sql from the shop's tables and its randomized offer
-- experiment: the plan's true incremental profit (from the shop's hidden
-- truth) beats a blanket 10% offer and random offers at the same spend,
-- the models rank held-out conversions above chance, and the budget holds.
BEGIN;
SELECT plan(8);

\set users 3000
\set seed 11
SET client_min_messages = warning;
\i scripts/demo_shop.sql
\i scripts/demo_campaign.sql

SELECT cmp_ok((SELECT (report -> 'models' ->> 'held_out_auc')::float8
               FROM promo._campaign_runs WHERE campaign = 'spring'),
              '>', 0.6::float8, 'the response models rank held-out conversions above chance');

SELECT cmp_ok((SELECT sum(expected_cost) FROM promo.assignments WHERE campaign = 'spring'),
              '<=', (SELECT budget FROM promo.campaigns WHERE campaign = 'spring'),
              'the plan''s expected cost is within the budget');

SELECT is((SELECT count(*) FROM promo.assignments
           WHERE campaign = 'spring' AND offer_id IS NOT NULL AND user_group = 'treatment'
             AND expected_profit < 0), 0::bigint, 'no offer of negative expected value is given');

SELECT cmp_ok((SELECT profit FROM promo_demo.campaign_truth WHERE policy = 'promo plan'),
              '>', (SELECT profit FROM promo_demo.campaign_truth WHERE policy = 'blanket 10% off'),
              'the plan''s true incremental profit beats a blanket 10% offer at the same spend');

SELECT cmp_ok((SELECT profit FROM promo_demo.campaign_truth WHERE policy = 'promo plan'),
              '>', (SELECT profit FROM promo_demo.campaign_truth WHERE policy = 'random offers'),
              'and random offers at the same spend');

SELECT cmp_ok((SELECT profit FROM promo_demo.campaign_truth WHERE policy = 'promo plan'),
              '>', 0::float8, 'the plan''s true incremental profit is positive');

SELECT ok((SELECT abs(avg((user_group = 'holdout')::int) - 0.1) < 0.015
           FROM promo.assignments WHERE campaign = 'spring'),
          'the holdout is 10% of the users');

-- The shop's generator has 90% of converting offer users redeem.
SELECT ok((SELECT (report -> 'models' ->> 'redemption')::float8 BETWEEN 0.85 AND 0.95
           FROM promo._campaign_runs WHERE campaign = 'spring'),
          'the redemption rate learned from the history is about 0.9');

SELECT * FROM finish();
ROLLBACK;
