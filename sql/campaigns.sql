-- Campaigns: catalogue, refresh, assignments and plan on a small synthetic
-- shop whose users come with their own feature vectors.
SET client_min_messages = warning;
-- Errors show their message, detail and hint, not the PL/pgSQL call stack.
\set SHOW_CONTEXT never
SET extra_float_digits = 0;
SELECT setseed(0.25);
CREATE TABLE cp_users AS
SELECT g::bigint AS user_id, ARRAY[random() * 2 - 1, random() * 2 - 1]::float8[] AS x
FROM generate_series(1, 3000) g;
-- A randomized past campaign: a quarter of the users per arm; offers lift
-- conversion most for users with a large x[2].
CREATE TABLE cp_history AS
SELECT 'past' AS campaign, u.user_id, a.offer_id, c.converted,
       CASE WHEN c.converted THEN b.basket - b.basket * a.pct ELSE 0 END AS revenue,
       CASE WHEN c.converted THEN b.basket * a.pct ELSE 0 END AS discount_cost
FROM cp_users u
CROSS JOIN LATERAL (SELECT (ARRAY[NULL, 'pct10', 'pct20', 'msg'])[1 + (u.user_id % 4)::int] AS offer_id) o
CROSS JOIN LATERAL (SELECT o.offer_id,
                           CASE o.offer_id WHEN 'pct10' THEN 0.1 WHEN 'pct20' THEN 0.2 ELSE 0 END AS pct,
                           CASE o.offer_id WHEN 'pct10' THEN 0.8 WHEN 'pct20' THEN 1.4
                                           WHEN 'msg' THEN 0.2 ELSE 0 END AS lift) a
CROSS JOIN LATERAL (SELECT random() < 1 / (1 + exp(-(-1.5 + 0.5 * u.x[1]
                                                     + a.lift * (1 + u.x[2])))) AS converted) c
CROSS JOIN LATERAL (SELECT 40 * exp(0.3 * u.x[1] + 0.2 * (random() - 0.5)) AS basket) b;

INSERT INTO promo.campaigns (campaign, budget, holdout_share, offer_history, features, margin_rate)
VALUES ('cp', 800, 0.1, 'cp_history', 'cp_users', 0.4);
INSERT INTO promo.offers (offer_id, kind, pct) VALUES ('pct10', 'percent_off', 0.1),
                                                      ('pct20', 'percent_off', 0.2);
INSERT INTO promo.offers (offer_id, kind, contact_cost) VALUES ('msg', 'message', 0.05);
CALL promo.refresh('cp');

-- Every user has one row; the holdout is about 10% and gets nothing.
SELECT user_group, count(*) > 0 AS users, count(offer_id) > 0 AS given,
       count(*) = count(DISTINCT user_id) AS one_row_each
FROM promo.assignments WHERE campaign = 'cp' GROUP BY user_group ORDER BY user_group;
SELECT count(*) AS users FROM promo.assignments WHERE campaign = 'cp';
SELECT abs(avg((user_group = 'holdout')::int) - 0.1) < 0.01 AS holdout_share_ok
FROM promo.assignments WHERE campaign = 'cp';
-- The budget holds, and no offer of negative expected value is given.
SELECT sum(expected_cost) <= 800 AS within_budget, sum(expected_cost) > 700 AS budget_used,
       count(*) FILTER (WHERE offer_id IS NOT NULL AND expected_profit < 0) AS negative
FROM promo.assignments WHERE campaign = 'cp';
-- The solver gives the offers to users with a large x[2], where they lift most.
SELECT offer_id IS NOT NULL AS given, round(avg(x[2])::numeric, 1) > 0 AS high_x2
FROM promo.assignments JOIN cp_users USING (user_id)
WHERE campaign = 'cp' AND user_group = 'treatment' GROUP BY 1 ORDER BY 1;
-- Reasons name the decision, and the given offers' top features.
SELECT reason ->> 'decision' AS decision,
       bool_and(jsonb_array_length(reason -> 'top_features') BETWEEN 1 AND 3) AS top_features
FROM promo.assignments WHERE campaign = 'cp' AND offer_id IS NOT NULL
GROUP BY 1 ORDER BY 1;
SELECT DISTINCT reason ->> 'decision' AS decision
FROM promo.assignments WHERE campaign = 'cp' ORDER BY 1;
-- Users not given an offer for the budget name their best offer as runner-up.
SELECT bool_and(reason ? 'runner_up' AND (reason ->> 'runner_up_profit')::float8 > 0) AS runner_up_named
FROM promo.assignments
WHERE campaign = 'cp' AND reason ->> 'decision' = 'not given: budget';
-- The plan checked on the history: the inverse-propensity estimate of its
-- incremental profit, computed here from the history by hand, and
-- intervals of positive width.
WITH arms AS (
    SELECT offer_id, count(*)::float8 / sum(count(*)) OVER () AS share
    FROM cp_history GROUP BY offer_id
), r AS (
    SELECT (h.offer_id IS NOT DISTINCT FROM a.offer_id)::int / ar.share
           - (h.offer_id IS NULL)::int / (SELECT share FROM arms WHERE offer_id IS NULL) AS w,
           CASE WHEN h.converted THEN (h.revenue + h.discount_cost) * 0.4 - h.discount_cost
                ELSE 0 END - coalesce(o.contact_cost, 0) AS profit
    FROM cp_history h
    JOIN promo.assignments a ON a.campaign = 'cp' AND a.user_id = h.user_id
    JOIN arms ar ON ar.offer_id IS NOT DISTINCT FROM h.offer_id
    LEFT JOIN promo.offers o ON o.offer_id = h.offer_id
)
SELECT abs(p.ips_profit - 3000 * (SELECT avg(w * profit) FROM r)) < 1e-6 * abs(p.ips_profit) AS ips_by_hand,
       p.ips_profit_low < p.ips_profit_high AND p.dr_profit_low < p.dr_profit_high
       AND p.ips_spend_low < p.ips_spend_high AS intervals, p.over_budget
FROM promo.campaign_plan p WHERE p.campaign = 'cp' AND p.total;
-- Every converting user of the history redeemed: the redemption rate is 1.
SELECT round((report -> 'models' ->> 'redemption')::numeric, 9) AS redemption
FROM promo._campaign_runs WHERE campaign = 'cp';
-- The plan's total row matches the rows.
SELECT p.users = (SELECT count(offer_id) FROM promo.assignments WHERE campaign = 'cp') AS users_match,
       abs(p.expected_cost - (SELECT sum(expected_cost) FROM promo.assignments WHERE campaign = 'cp')) < 1e-9 AS cost_match,
       p.budget
FROM promo.campaign_plan p WHERE p.campaign = 'cp' AND p.total;

-- Every user's score for every offer: the given offer's row agrees with
-- the assignment, and the solver gave no user an offer worth less than
-- zero or left out of its eligible ones.
SELECT count(*) = 3 * 3000 AS every_pair,
       count(*) FILTER (WHERE s.given) = (SELECT count(offer_id) FROM promo.assignments
                                          WHERE campaign = 'cp') AS given_rows,
       bool_and(abs(s.expected_profit - a.expected_profit) < 1e-9
                AND abs(s.expected_cost - a.expected_cost) < 1e-9
                AND abs(s.p_convert - a.p_convert) < 1e-12) FILTER (WHERE s.given) AS given_match,
       bool_and(s.eligible AND s.expected_profit > 0)
           FILTER (WHERE s.given AND a.user_group = 'treatment') AS given_eligible_positive
FROM promo.offer_scores s
JOIN promo.assignments a USING (campaign, user_id)
WHERE s.campaign = 'cp';

-- A second refresh keeps the same holdout users.
CREATE TEMP TABLE cp_before AS SELECT user_id, user_group FROM promo.assignments WHERE campaign = 'cp';
CALL promo.refresh('cp');
SELECT count(*) AS changed_groups
FROM cp_before b JOIN promo.assignments a USING (user_id)
WHERE a.campaign = 'cp' AND a.user_group IS DISTINCT FROM b.user_group;

-- A contact cap: at most 100 users get an offer.
UPDATE promo.campaigns SET max_offers = 100 WHERE campaign = 'cp';
CALL promo.refresh('cp');
SELECT count(offer_id) <= 100 AS within_cap, count(offer_id) > 0 AS some_given
FROM promo.assignments WHERE campaign = 'cp';
UPDATE promo.campaigns SET max_offers = NULL WHERE campaign = 'cp';

-- An offer's own budget holds.
UPDATE promo.offers SET budget = 50 WHERE offer_id = 'pct20';
CALL promo.refresh('cp');
SELECT coalesce(sum(expected_cost), 0) <= 50 AS offer_budget_ok
FROM promo.assignments WHERE campaign = 'cp' AND offer_id = 'pct20';
UPDATE promo.offers SET budget = NULL WHERE offer_id = 'pct20';

-- A campaign's own response model, fitted with names on some of the user
-- features and offer attributes, answers for every arm.
UPDATE promo.campaigns SET response_model =
    (SELECT promo.logreg(h.converted,
                         ARRAY[u.x[2]] || coalesce((promo.offer_attributes(o.terms, 40))[7:7]
                                                   || (promo.offer_attributes(o.terms, 40))[6:6],
                                                   '{0,0}'),
                         ARRAY['x2', 'saving_rate', 'is_message'], '{"lambda": 1}'::jsonb)
     FROM cp_history h JOIN cp_users u USING (user_id) LEFT JOIN promo.offers o USING (offer_id))
WHERE campaign = 'cp';
CALL promo.refresh('cp');
SELECT count(*) AS users, count(offer_id) > 0 AS given, sum(expected_cost) <= 800 AS within_budget,
       bool_and(reason -> 'top_features' -> 0 ->> 'feature' IN ('x2', 'saving_rate', 'is_message'))
           AS reasons_name_its_features
FROM promo.assignments WHERE campaign = 'cp';
SELECT (report -> 'models' -> 'own_models') AS own_models
FROM promo._campaign_runs WHERE campaign = 'cp';
-- It must be a logreg over features the campaign gives, reading an offer
-- attribute; without names, over all of them in order.
UPDATE promo.campaigns SET response_model =
    (SELECT promo.logreg(converted, ARRAY[u.x[2], 1 - u.x[1]], ARRAY['x2', 'age'], '{"lambda": 1}'::jsonb)
     FROM cp_history JOIN cp_users u USING (user_id))
WHERE campaign = 'cp';
CALL promo.refresh('cp');
UPDATE promo.campaigns SET response_model =
    (SELECT promo.logreg(converted, u.x, ARRAY['x1', 'x2'], '{"lambda": 1}'::jsonb)
     FROM cp_history JOIN cp_users u USING (user_id))
WHERE campaign = 'cp';
CALL promo.refresh('cp');
UPDATE promo.campaigns SET response_model =
    (SELECT promo.linreg(revenue, u.x || ARRAY[(u.user_id % 3)::float8], ARRAY['x1', 'x2', 'saving_rate'])
     FROM cp_history JOIN cp_users u USING (user_id))
WHERE campaign = 'cp';
CALL promo.refresh('cp');
UPDATE promo.campaigns SET response_model = NULL WHERE campaign = 'cp';

-- Bad input.
CALL promo.refresh('no such campaign');
INSERT INTO promo.campaigns (campaign, budget, offer_history, features)
VALUES ('bad', 0, 'cp_history', 'cp_users');
INSERT INTO promo.campaigns (campaign, budget, holdout_share, offer_history, features)
VALUES ('bad', 10, 1, 'cp_history', 'cp_users');
INSERT INTO promo.offers (offer_id, kind, pct) VALUES ('bad', 'percent_off', 1.5);
INSERT INTO promo.offers (offer_id, kind, amount) VALUES ('bad', 'amount_off', -5);
INSERT INTO promo.offers (offer_id, kind, min_basket, amount) VALUES ('bad', 'spend_threshold', 50, 60);
-- A campaign's model must see the features and the offer attributes.
UPDATE promo.campaigns SET response_model =
    (SELECT promo.logreg(converted, x) FROM cp_history JOIN cp_users USING (user_id))
WHERE campaign = 'cp';
CALL promo.refresh('cp');
UPDATE promo.campaigns SET response_model = NULL WHERE campaign = 'cp';

-- A failing refresh leaves the previous plan in place.
CREATE TEMP TABLE cp_plan AS SELECT * FROM promo.assignments WHERE campaign = 'cp';
INSERT INTO cp_history VALUES ('past', 1, 'unknown_offer', false, 0, 0);
CALL promo.refresh('cp');
SELECT count(*) AS rows_changed
FROM (SELECT * FROM cp_plan EXCEPT SELECT * FROM promo.assignments WHERE campaign = 'cp') d;

DELETE FROM promo.campaigns WHERE campaign = 'cp';
DELETE FROM promo.offers WHERE offer_id IN ('pct10', 'pct20', 'msg');
SELECT count(*) AS rows_left FROM promo._assignment_rows WHERE campaign = 'cp';
DROP TABLE cp_users, cp_history;
