-- promo.assign: hand-checked plans and statuses, every input error, GROUP
-- BY over two campaigns, row order and forced-parallel plans giving the
-- serial result.
SET extra_float_digits = 0;

-- Budget 6 (worked out in test/unit/test_assign.c): user 1 (10 at cost 5
-- or 6 at cost 1), user 2 (8 at 4 or 7 at 2), user 3 (ineligible, -1).
-- The best plan is 6 + 8 = 14 at cost 5; the LP bound is 16 (the budget's
-- multiplier 1), so the gap is 2 / 16.
CREATE TEMP TABLE as_hand AS
SELECT promo.assign(u, v, c, NULL, '{"budget": 6}') AS r
FROM (VALUES (1, ARRAY[10, 6]::float8[], ARRAY[5, 1]::float8[]),
             (2, ARRAY[8, 7], ARRAY[4, 2]),
             (3, ARRAY[NULL, -1], ARRAY[NULL, 1])) t (u, v, c);
SELECT (r).user_id, (r).offer, (r).runner_up, (r).runner_up_value, (r).status FROM as_hand;
SELECT (r).report ->> 'profit' AS profit, (r).report ->> 'spend' AS spend,
       (r).report ->> 'contacts' AS contacts,
       round(((r).report ->> 'dual_bound')::numeric, 9) AS dual_bound,
       round(((r).report ->> 'gap')::numeric, 9) AS gap,
       round(((r).report -> 'multipliers' ->> 'budget')::numeric, 9) AS budget_multiplier,
       (r).report -> 'offers' -> 'users' AS offer_users,
       (r).report -> 'status' ->> 'downgraded:budget' AS downgraded,
       (r).report ->> 'converged' AS converged
FROM as_hand;
-- One row per user, as a refresh would store it.
SELECT a.*
FROM as_hand, unnest((r).user_id, (r).offer, (r).runner_up, (r).runner_up_value, (r).status)
     AS a (user_id, offer, runner_up, runner_up_value, status);

-- Statuses.  min_roi 1: user 1's 10 at cost 20 is below it (it gets 3 at
-- cost 1), user 2's only offer too; user 3 has no positive value, user 4
-- no eligible offer; user 5's offers of equal value go to the lower one.
SELECT (r).offer, (r).status
FROM (SELECT promo.assign(u, v, c, NULL, '{"min_roi": 1}') AS r
      FROM (VALUES (1, ARRAY[10, 3]::float8[], ARRAY[20, 1]::float8[]),
                   (2, ARRAY[4, NULL], ARRAY[8, NULL]),
                   (3, ARRAY[-1, 0], ARRAY[1, 0]),
                   (4, ARRAY[NULL, 'NaN']::float8[], ARRAY[NULL, NULL]::float8[]),
                   (5, ARRAY[2, 2], ARRAY[1, 1])) t (u, v, c)) s;
-- Two contacts for values 5, 9, 7: users 2 and 3; the contact multiplier is 5.
SELECT (r).offer, (r).status, (r).report ->> 'profit' AS profit,
       round(((r).report -> 'multipliers' ->> 'contacts')::numeric, 9) AS contact_multiplier
FROM (SELECT promo.assign(u, ARRAY[v], '{1}', NULL, '{"max_contacts": 2}') AS r
      FROM (VALUES (1, 5.0::float8), (2, 9), (3, 7)) t (u, v)) s;
-- Offer 1's budget 3: users 2 and 3 on offer 1, user 1 on offer 2 (13).
-- Offer 1's redemptions 1 (separately): user 1 keeps it, user 2 takes offer
-- 2, user 3 none.
SELECT (r).offer, (r).status, (r).report ->> 'profit' AS profit,
       (r).report -> 'offers' -> 'budget' AS offer_budget,
       (r).report -> 'offers' -> 'max_redemptions' AS max_redemptions
FROM (SELECT promo.assign(u, v, c, rd, k) AS r
      FROM (VALUES (1, ARRAY[6, 4]::float8[], ARRAY[2, 1]::float8[], ARRAY[0.5, 0.4]::float8[]),
                   (2, ARRAY[5, 2.5], ARRAY[2, 1], ARRAY[0.5, 0.2]),
                   (3, ARRAY[4, NULL], ARRAY[1, NULL], ARRAY[0.6, NULL])) t (u, v, c, rd),
           (VALUES ('{"offer_budget": [3, null]}'::jsonb)) k (k)) s;
SELECT (r).offer, (r).status, (r).report ->> 'profit' AS profit,
       (r).report ->> 'redemptions' AS redemptions
FROM (SELECT promo.assign(u, v, c, rd, '{"offer_redemptions": [1, null]}') AS r
      FROM (VALUES (1, ARRAY[3, NULL]::float8[], ARRAY[1, NULL]::float8[], ARRAY[0.6, NULL]::float8[]),
                   (2, ARRAY[2, 1], ARRAY[1, 1], ARRAY[0.5, 0.1]),
                   (3, ARRAY[1.5, NULL], ARRAY[1, NULL], ARRAY[0.5, NULL])) t (u, v, c, rd)) s;
-- No rows: NULL.  No constraints: each user's best offer.
SELECT promo.assign(u, v, c, NULL, NULL) IS NULL AS no_rows
FROM (VALUES (1::bigint, '{1}'::float8[], '{1}'::float8[])) t (u, v, c) WHERE false;
SELECT (r).offer, (r).report ->> 'gap' AS gap
FROM (SELECT promo.assign(u, v, c, NULL, NULL) AS r
      FROM (VALUES (7, ARRAY[1, 3, 2]::float8[], ARRAY[0, 9, 1]::float8[]),
                   (8, ARRAY[4, 3, 2], ARRAY[1, 1, 1])) t (u, v, c)) s;

-- Two campaigns, one GROUP BY: scored rows joined with each campaign's
-- constraints.  Values, costs and redemptions come from integer formulas
-- (exact on every platform).
CREATE TABLE as_scored AS
SELECT c AS campaign, u AS user_id,
       array_agg(CASE WHEN (u * 7 + j * 3) % 11 = 0 THEN NULL
                      ELSE ((u * 7919 + j * 104729 + c * 31) % 1000) / 100.0 - 2 END ORDER BY j)::float8[] AS value,
       array_agg(((u * 31 + j * 17 + c) % 500) / 100.0 ORDER BY j)::float8[] AS cost,
       array_agg(((u * 13 + j * 7) % 100) / 100.0 ORDER BY j)::float8[] AS redeem
FROM generate_series(1, 2) c, generate_series(1, 10000) u, generate_series(1, 4) j
GROUP BY c, u;
ANALYZE as_scored;
CREATE TABLE as_campaigns (campaign int PRIMARY KEY, constraints jsonb);
INSERT INTO as_campaigns VALUES
    (1, '{"budget": 5000, "max_contacts": 4000}'),
    (2, '{"budget": 3000, "offer_budget": [800, null, 900, null], "offer_redemptions": [null, 400, null, null], "min_roi": 0.5}');
CREATE TABLE as_plan AS
SELECT s.campaign, promo.assign(s.user_id, s.value, s.cost, s.redeem, k.constraints) AS r
FROM as_scored s JOIN as_campaigns k USING (campaign)
GROUP BY s.campaign;
-- Every cap holds, summed from the plan's rows; the report agrees.
CREATE TEMP TABLE as_rows AS
SELECT p.campaign, a.user_id, a.offer, s.value[a.offer] AS value, s.cost[a.offer] AS cost,
       s.redeem[a.offer] AS redeem, a.status
FROM as_plan p
CROSS JOIN LATERAL unnest((p.r).user_id, (p.r).offer, (p.r).status) AS a (user_id, offer, status)
JOIN as_scored s ON s.campaign = p.campaign AND s.user_id = a.user_id;
SELECT campaign, count(*) AS users, count(offer) AS contacts,
       round(sum(cost)::numeric, 6) AS spend,
       round(sum(cost)::numeric, 6) <= (k.constraints ->> 'budget')::numeric AS within_budget,
       count(offer) <= coalesce((k.constraints ->> 'max_contacts')::int, 10000) AS within_contacts
FROM as_rows JOIN as_campaigns k USING (campaign)
GROUP BY campaign, k.constraints ORDER BY campaign;
SELECT r.campaign, r.offer, round(sum(r.cost)::numeric, 6) AS spend,
       round(sum(r.redeem)::numeric, 6) AS redemptions,
       sum(r.cost) <= coalesce((k.constraints -> 'offer_budget' ->> (r.offer - 1))::float8, 'Infinity')
         AS within_offer_budget,
       sum(r.redeem) <= coalesce((k.constraints -> 'offer_redemptions' ->> (r.offer - 1))::float8, 'Infinity')
         AS within_redemptions
FROM as_rows r JOIN as_campaigns k USING (campaign)
WHERE r.offer IS NOT NULL GROUP BY r.campaign, r.offer, k.constraints ORDER BY 1, 2;
SELECT p.campaign,
       round(((p.r).report ->> 'spend')::numeric, 6) =
         (SELECT round(sum(cost)::numeric, 6) FROM as_rows r WHERE r.campaign = p.campaign) AS report_spend,
       ((p.r).report ->> 'contacts')::int = (SELECT count(offer) FROM as_rows r WHERE r.campaign = p.campaign)
         AS report_contacts,
       ((p.r).report ->> 'gap')::float8 < 1e-3 AS gap_below_01_percent,
       ((p.r).report ->> 'dual_bound')::float8 >= ((p.r).report ->> 'profit')::float8 AS bound_above_profit
FROM as_plan p ORDER BY 1;
-- Every offer given is eligible, of positive value and at least min_roi.
SELECT campaign, bool_and(value > 0) AS positive,
       bool_and(campaign = 1 OR value >= 0.5 * cost) AS min_roi_kept
FROM as_rows WHERE offer IS NOT NULL GROUP BY campaign ORDER BY 1;
SELECT campaign, status, count(*) FROM as_rows GROUP BY 1, 2 ORDER BY 1, 2;

-- The result depends on the set of rows, not their order.
SELECT p.campaign,
       (SELECT promo.assign(s.user_id, s.value, s.cost, s.redeem, k.constraints ORDER BY s.user_id DESC)
        FROM as_scored s JOIN as_campaigns k USING (campaign) WHERE s.campaign = p.campaign) = p.r
         AS reversed_same,
       (SELECT promo.assign(s.user_id, s.value, s.cost, s.redeem, k.constraints ORDER BY s.value[1], s.user_id)
        FROM as_scored s JOIN as_campaigns k USING (campaign) WHERE s.campaign = p.campaign) = p.r
         AS shuffled_same
FROM as_plan p ORDER BY 1;

-- Serial = forced-parallel plan (partial states serialized and combined).
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT s.campaign, promo.assign(s.user_id, s.value, s.cost, s.redeem, k.constraints) AS r
FROM as_scored s JOIN as_campaigns k USING (campaign) GROUP BY s.campaign;
SELECT q.campaign, q.r = p.r AS parallel_same
FROM (SELECT s.campaign, promo.assign(s.user_id, s.value, s.cost, s.redeem, k.constraints) AS r
      FROM as_scored s JOIN as_campaigns k USING (campaign) GROUP BY s.campaign) q
JOIN as_plan p USING (campaign) ORDER BY 1;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- The users are held within promo.max_memory: about 150 + 24 x offers bytes each.
SET promo.max_memory = '1MB';
SELECT promo.assign(user_id, value, cost, redeem, NULL) FROM as_scored;
RESET promo.max_memory;

-- Errors: constraints.
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"budgett": 5}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"budget": 0}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"budget": -3}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"budget": "10"}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"max_contacts": 2.5}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"min_roi": -1}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"offer_budget": 5}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"offer_budget": [5, 6]}');
SELECT promo.assign(1, '{1,2}', '{1,1}', NULL, '{"offer_budget": [5, 0]}');
SELECT promo.assign(1, '{1,2}', '{1,1}', NULL, '{"offer_redemptions": [5, "x"]}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"max_iter": 0}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"tol": 0}');
SELECT promo.assign(1, '{1}', '{1}', NULL, '[1, 2]');
SELECT promo.assign(u, '{1}', '{1}', NULL, k)
FROM (VALUES (1, '{"budget": 5}'::jsonb), (2, '{"budget": 6}')) t (u, k);
-- The same constraints written differently are the same.
SELECT (promo.assign(u, '{1}', '{1}', NULL, k)).report ->> 'budget' AS budget
FROM (VALUES (1, '{"budget": 5}'::jsonb), (2, '{"budget": 5.0}')) t (u, k);
-- Errors: rows.
SELECT promo.assign(NULL, '{1}', '{1}', NULL, NULL);
SELECT promo.assign(1, NULL, '{1}', NULL, NULL);
SELECT promo.assign(1, '{1}', NULL, NULL, NULL);
SELECT promo.assign(1, '{1}', '{1}', NULL, '{"offer_redemptions": [1]}');
SELECT promo.assign(1, '{}', '{}', NULL, NULL);
SELECT promo.assign(1, '{1,2}', '{1}', NULL, NULL);
SELECT promo.assign(1, '{1,2}', '{1,2}', '{1}', NULL);
SELECT promo.assign(1, '{{1,2}}', '{{1,2}}', NULL, NULL);
SELECT promo.assign(1, '{Infinity}', '{1}', NULL, NULL);
SELECT promo.assign(1, '{1e16}', '{1}', NULL, NULL);
SELECT promo.assign(1, '{1,2}', '{1,-1}', NULL, NULL);
SELECT promo.assign(1, '{1,2}', '{1,NULL}', NULL, NULL);
SELECT promo.assign(1, '{1,2}', '{1,2}', '{0.5,NaN}', NULL);
SELECT promo.assign(1, array_fill(1.0::float8, ARRAY[1001]), array_fill(1.0::float8, ARRAY[1001]), NULL, NULL);
SELECT promo.assign(u, v, v, NULL, NULL)
FROM (VALUES (1, '{1,2}'::float8[]), (2, '{1}')) t (u, v);
SELECT promo.assign(u, '{1}', '{1}', NULL, NULL)
FROM (VALUES (5), (3), (5)) t (u);

DROP TABLE as_scored, as_campaigns, as_plan;
