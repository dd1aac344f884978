-- promo.transitions, promo.transitions_sum, promo.transition_matrix and
-- promo.purchase_probability: the funnel as an absorbing Markov chain
SET extra_float_digits = 0;

-- Four users, worked out by hand:
--   user 1: view cart purchase          user 3: view
--   user 2: view view cart view         user 4: cart purchase rating
-- A NULL event type is skipped.  Moves: start -> view 3, start -> cart 1;
-- view -> view 1, view -> cart 2, view -> end 2 (view visited 5 times);
-- cart -> view 1, cart -> purchase 2 (3 visits); purchase -> rating 1,
-- purchase -> end 1 (2 visits); rating -> end 1 (1 visit); 4 sequences.
CREATE TABLE mk (user_id int, segment int, event_type text, event_time timestamptz);
INSERT INTO mk VALUES
  (1, 1, 'view', '2024-01-01 10:00+00'), (1, 1, 'purchase', '2024-01-01 10:20+00'),
  (1, 1, 'cart', '2024-01-01 10:05+00'),
  (2, 1, 'view', '2024-01-02 09:00+00'), (2, 1, 'view', '2024-01-02 09:01+00'),
  (2, 1, 'cart', '2024-01-02 09:02+00'), (2, 1, 'view', '2024-01-02 09:03+00'),
  (2, 1, NULL, '2024-01-02 09:02:30+00'),
  (3, 2, 'view', '2024-01-03 12:00+00'),
  (4, 2, 'rating', '2024-01-20 08:00+00'), (4, 2, 'cart', '2024-01-04 08:00+00'),
  (4, 2, 'purchase', '2024-01-04 08:30+00');

-- Per user: 42 counts (6 x 6 moves, then visits of each state).
CREATE TABLE mk_users AS
SELECT user_id, segment, promo.transitions(event_type ORDER BY event_time) AS c
FROM mk GROUP BY user_id, segment;
SELECT user_id, c FROM mk_users ORDER BY user_id;

-- All users: the matrix above, probabilities over the visits of the source.
SELECT from_state, to_state, transitions, round(probability::numeric, 12) AS probability
FROM promo.transition_matrix((SELECT promo.transitions_sum(c) FROM mk_users));

-- Purchase before end: rating only ends, so 0; p_cart = 2/3 + p_view / 3
-- and p_view = p_view / 5 + 2 p_cart / 5 give p_view = 2/5, p_cart = 4/5,
-- and p_start = 3/4 * 2/5 + 1/4 * 4/5 = 1/2.
SELECT state, round(probability::numeric, 12) AS probability
FROM promo.purchase_probability((SELECT promo.transitions_sum(c) FROM mk_users));

-- Per segment.  Segment 1 (users 1, 2) never rates, so rating is NULL;
-- view moves to view, cart and end 1, 2 and 1 times in 4 visits and cart
-- to view and purchase once each, so p_view = p_view / 4 + p_cart / 2 and
-- p_cart = 1/2 + p_view / 2 give p_cart = 3/4 and p_start = p_view = 1/2.
-- In segment 2 (users 3, 4) view only ends and cart only buys: p_view = 0,
-- p_cart = 1 and p_start = 1/2 * 0 + 1/2 * 1.
SELECT segment, state, round(probability::numeric, 12) AS probability
FROM (SELECT segment, promo.transitions_sum(c) AS c FROM mk_users GROUP BY segment) s,
     promo.purchase_probability(c)
ORDER BY segment, state;
-- Segment sums add up to the total.
SELECT (SELECT promo.transitions_sum(c) FROM mk_users) =
       (SELECT promo.transitions_sum(c)
        FROM (SELECT promo.transitions_sum(c) AS c FROM mk_users GROUP BY segment) s)
       AS segments_add_up;

-- One aggregate over everyone would join users' sequences end to start:
-- aggregate per user, then sum.
SELECT (SELECT c[6 * 1 + 2 + 1] FROM (SELECT promo.transitions_sum(c) AS c FROM mk_users) s)
           AS view_to_cart_per_user,
       (SELECT c[6 * 1 + 2 + 1]
        FROM (SELECT promo.transitions(event_type ORDER BY user_id, event_time) AS c FROM mk) s)
           AS view_to_cart_one_sequence;

-- Empty input and only NULL event types give NULL; the sum skips NULL.
SELECT promo.transitions(event_type) IS NULL AS empty FROM mk WHERE false;
SELECT promo.transitions(event_type) IS NULL AS only_null FROM mk WHERE event_type IS NULL;
SELECT promo.transitions_sum(c) IS NULL AS empty_sum FROM mk_users WHERE false;
SELECT promo.transitions_sum(c) = (SELECT promo.transitions_sum(c) FROM mk_users) AS null_skipped
FROM (SELECT c FROM mk_users UNION ALL SELECT NULL) s;

-- The combine function appends the second partial sequence to the first.
SELECT promo._transitions_final(promo._transitions_combine(
           promo._transitions_accum(promo._transitions_accum(NULL, 'view'), 'cart'),
           promo._transitions_accum(promo._transitions_accum(NULL, 'cart'), 'purchase')))
       = (SELECT promo.transitions(e ORDER BY i)
          FROM unnest('{view,cart,cart,purchase}'::text[]) WITH ORDINALITY u(e, i))
       AS combine_appends;

-- Called directly, outside an aggregate, the transition function leaves
-- its state argument alone and returns a new state.
SELECT st[1:4] AS before, (promo._transitions_accum(st, 'cart'))[1:4] AS after, st[1:4] AS still
FROM (SELECT promo._transitions_accum(NULL, 'view') AS st OFFSET 0) s;

-- promo.check_event_type passes the known types through.
SELECT promo.check_event_type(t) FROM unnest('{view,cart,purchase,rating}'::text[]) t;

-- Demo shop, per segment.  By the generator's rates, browsers (segment 3)
-- move from view to cart (cart rate 0.03) and from cart to purchase (buy
-- rate 0.12) least often and loyal high spenders (segment 2: 0.14, 0.55)
-- most often; loyal high spenders are the most likely to reach a purchase
-- from the start and dormant users (segment 5, 3 views a year) the least.
\set users 500
\set seed 7
\set ECHO none
\i scripts/demo_shop.sql
\set ECHO all
CREATE TABLE mk_demo AS
SELECT t.segment, promo.transitions_sum(u.c) AS c
FROM (SELECT user_id, promo.transitions(event_type ORDER BY event_time, event_type) AS c
      FROM promo_demo.events GROUP BY user_id) u
JOIN promo_demo.truth t USING (user_id)
GROUP BY t.segment;
SELECT segment, c[37] AS users, c[38] AS views, c[40] AS purchases
FROM mk_demo ORDER BY segment;
-- Every view, cart, purchase and rating event is one visit.
SELECT (SELECT sum(c[38] + c[39] + c[40] + c[41]) FROM mk_demo) =
       (SELECT count(*) FROM promo_demo.events) AS every_event_visited;
WITH m AS (
  SELECT segment, from_state || ' -> ' || to_state AS move, probability
  FROM mk_demo, promo.transition_matrix(c)
  WHERE (from_state, to_state) IN (('view', 'cart'), ('cart', 'purchase'))
)
SELECT move,
       (SELECT array_agg(segment ORDER BY probability) FROM m WHERE m.move = mv.move)
           AS segments_by_probability
FROM (SELECT DISTINCT move FROM m) mv ORDER BY move;
SELECT array_agg(segment ORDER BY probability) AS segments_by_purchase_from_start
FROM mk_demo, promo.purchase_probability(c)
WHERE state = 'start';
-- Every row of a matrix that was left sums to probability 1.
SELECT segment, from_state, round(sum(probability)::numeric, 12) AS total
FROM mk_demo, promo.transition_matrix(c)
GROUP BY segment, from_state
HAVING round(sum(probability)::numeric, 12) <> 1;

-- Forced parallel plan: partial sums combine to the serial result.
CREATE TABLE mk_big AS
SELECT g AS user_id, g % 5 AS segment, c
FROM generate_series(1, 20000) g,
     LATERAL (SELECT promo.transitions(e ORDER BY i) AS c
              FROM unnest((ARRAY['{view}', '{view,cart}', '{view,cart,purchase}',
                                 '{view,view,cart,purchase,rating}'])[1 + g % 4]::text[])
                   WITH ORDINALITY u(e, i)) s;
ANALYZE mk_big;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE mk_serial AS SELECT promo.transitions_sum(c) AS c FROM mk_big;
CREATE TABLE mk_serial_segments AS
SELECT segment, promo.transitions_sum(c) AS c FROM mk_big GROUP BY segment;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT promo.transitions_sum(c) FROM mk_big;
SELECT (SELECT c FROM mk_serial) = promo.transitions_sum(c) AS same_sum,
       (SELECT c[37] FROM mk_serial) AS users
FROM mk_big;
SELECT segment, p.c = s.c AS same_sum, p.c[37] AS users, p.c[40] AS purchases
FROM (SELECT segment, promo.transitions_sum(c) AS c FROM mk_big GROUP BY segment) p
JOIN mk_serial_segments s USING (segment)
ORDER BY segment;
RESET ALL;
SET extra_float_digits = 0;

-- Bad input: every error has its own message.
SELECT promo.transitions(event_type) FROM (VALUES ('view'), ('click')) v(event_type);
SELECT promo.check_event_type('View');

-- counts: not 42 elements, a NULL element, two dimensions, NaN
SELECT promo.transitions_sum(c) FROM (VALUES ('{1,2,3}'::float8[])) v(c);
SELECT * FROM promo.transition_matrix(array_fill(NULL::float8, ARRAY[42]));
SELECT * FROM promo.purchase_probability(array_fill(0::float8, ARRAY[6, 7]));
SELECT * FROM promo.transition_matrix(array_fill('NaN'::float8, ARRAY[42]));

-- counts: a negative, fractional or too large element; a move into start
-- or out of end; visits that differ from the moves out of or into a state.
-- Element 6 i + j + 1 counts moves from state i to j, element 37 + i the
-- visits of i (0 start, 1 view, 2 cart, 3 purchase, 4 rating, 5 end).
CREATE FUNCTION mk_set(c float8[], k int, v float8) RETURNS float8[]
    LANGUAGE sql IMMUTABLE AS $$ SELECT c[1:k - 1] || v || c[k + 1:42] $$;
CREATE TABLE mk_total AS SELECT promo.transitions_sum(c) AS c FROM mk_users;
SELECT promo.transitions_sum(mk_set(c, 9, -1)) FROM mk_total;
SELECT * FROM promo.transition_matrix(mk_set((SELECT c FROM mk_total), 41, 0.5));
SELECT * FROM promo.purchase_probability(mk_set((SELECT c FROM mk_total), 6, 2 ^ 54));
SELECT * FROM promo.purchase_probability(mk_set((SELECT c FROM mk_total), 13, 1));
SELECT * FROM promo.purchase_probability(mk_set((SELECT c FROM mk_total), 32, 1));
SELECT * FROM promo.purchase_probability(mk_set((SELECT c FROM mk_total), 14, 2));
SELECT * FROM promo.purchase_probability(mk_set(mk_set((SELECT c FROM mk_total), 14, 2), 39, 4));

-- Sums beyond 2^53 are not exact: a bare start -> end 2^53 times is
-- valid, twice it is not.
SELECT promo.transitions_sum(c)
FROM (SELECT mk_set(mk_set(mk_set(array_fill(0::float8, ARRAY[42]), 6, 2 ^ 53), 37, 2 ^ 53), 42, 2 ^ 53) AS c
      FROM generate_series(1, 2)) s;

-- States that are not this aggregate's.
SELECT promo._transitions_accum('{1,2,3}', 'view');
SELECT promo._transitions_final('{7011,-1,-1}');
SELECT promo._transitions_final(ARRAY[7011] || array_fill(0::float8, ARRAY[45]));
SELECT promo._transitions_final(ARRAY[7011, 7, 1] || array_fill(0::float8, ARRAY[42]));
SELECT promo._transitions_sum_combine('{7012}', '{7012}');
SELECT promo._transitions_sum_final(ARRAY[7012] || array_fill(0::float8, ARRAY[43]));

-- Forged states: one check of every transitions and transitions_sum state
-- in accum, combine and final.  A transitions state is [1] tag, [2] first
-- and [3] last event state, then 42 counts without start and end; mk_seq
-- is the genuine state of the single event view.
CREATE FUNCTION mk_seq(k int, v float8) RETURNS float8[]
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT '{7011,1,1}'::float8[] || mk_set(mk_set(array_fill(0::float8, ARRAY[42]), 38, 1), k, v) $$;
SELECT promo._transitions_final(mk_seq(1, 0)) = promo.transitions(e) AS genuine
FROM (VALUES ('view')) v(e);
SELECT promo._transitions_final(mk_seq(9, 'NaN'));
SELECT promo._transitions_final(mk_seq(9, -1));
SELECT promo._transitions_accum(mk_seq(38, 2), 'cart');
SELECT promo._transitions_combine(mk_seq(1, 0), mk_seq(12, 1));
SELECT promo._transitions_accum(ARRAY[7011, 999, 999] || array_fill(0::float8, ARRAY[42]), 'view');
SELECT promo._transitions_final(ARRAY[7011, -1, -1, 1] || array_fill(0::float8, ARRAY[41]));
SELECT promo._transitions_sum_final(ARRAY[7012] || mk_set(c, 9, 'NaN')) FROM mk_total;
SELECT promo._transitions_sum_combine(ARRAY[7012] || c, ARRAY[7012] || mk_set(c, 9, -1)) FROM mk_total;
SELECT promo._transitions_sum_accum(ARRAY[7012] || mk_set(c, 14, 2), NULL) FROM mk_total;
SELECT promo._transitions_sum_final(ARRAY[7012] || c) = c AS genuine FROM mk_total;
DROP FUNCTION mk_seq(int, float8);

SET client_min_messages = warning;
DROP FUNCTION mk_set(float8[], int, float8);
DROP TABLE mk, mk_users, mk_demo, mk_big, mk_serial, mk_serial_segments, mk_total;
DROP SCHEMA promo_demo CASCADE;
