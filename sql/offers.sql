-- Offer economics: promo.offer_terms, promo.offer, face_value,
-- expected_face_value, expected_cost, expected_margin, incremental_profit
-- and offer_economics.
SET extra_float_digits = 0;

-- The constructor: absent parameters stay NULL, no contact cost is 0.
SELECT promo.offer('percent_off', 0.1);
SELECT promo.offer('percent_off', pct => 0.1, min_basket => 50, contact_cost => 0.02);
SELECT promo.offer('amount_off', amount => 10, min_basket => 30);
SELECT promo.offer('capped_percent', pct => 0.2, cap => 15);
SELECT promo.offer('spend_threshold', amount => 20, min_basket => 100);
SELECT promo.offer('spend_threshold', amount => 20, min_basket => 20);
SELECT promo.offer('cashback', pct => 0.05, cap => 10);
SELECT promo.offer('cashback', amount => 5, min_basket => 40);
SELECT promo.offer('message', contact_cost => 0.01);
SELECT promo.offer('message', contact_cost => NULL);
SELECT (promo.offer('capped_percent', 0.2, cap => 15)).cap;
SELECT promo.offer(NULL) IS NULL AS null_kind_null_terms;

-- Face values by hand, below, at and above each threshold.
CREATE TABLE hand_offers (name text, terms promo.offer_terms);
INSERT INTO hand_offers VALUES
    ('pct 10% from 50', promo.offer('percent_off', 0.1, min_basket => 50)),
    ('10 off from 30', promo.offer('amount_off', amount => 10, min_basket => 30)),
    ('10 off', promo.offer('amount_off', amount => 10)),
    ('20% up to 15 from 40', promo.offer('capped_percent', 0.2, min_basket => 40, cap => 15)),
    ('spend 100 save 20', promo.offer('spend_threshold', amount => 20, min_basket => 100)),
    ('5% back up to 10', promo.offer('cashback', 0.05, cap => 10)),
    ('5 back from 40', promo.offer('cashback', amount => 5, min_basket => 40)),
    ('message', promo.offer('message', contact_cost => 0.01));
SELECT name, array_agg(promo.face_value(terms, b) ORDER BY b) AS faces
FROM hand_offers, unnest('{0, 4, 29.99, 30, 39.99, 40, 49.99, 50, 74, 75, 99.99, 100, 250}'::float8[]) AS b
GROUP BY name ORDER BY name;
SELECT '{0, 4, 29.99, 30, 39.99, 40, 49.99, 50, 74, 75, 99.99, 100, 250}'::float8[] AS baskets;

-- With basket_sd 0 the expectation is the face at the mean.
SELECT count(*) AS points, bool_and(promo.expected_face_value(terms, b, 0) = promo.face_value(terms, b)) AS equal
FROM hand_offers, unnest(ARRAY[0, 4, 29.99, 30, 40, 49.99, 50, 75, 99.99, 100, 250]) AS b;

-- Closed forms by hand.  A percentage without threshold is linear: pct * mean
-- at any spread.  A basket of mean 200 and sd 200 sqrt(3) has median
-- 200 / sqrt(1 + 3) = 100, so spend 100 save 20 is worth 20 / 2.
SELECT promo.expected_face_value(promo.offer('percent_off', 0.1), 123, 400) AS pct_of_mean,
       promo.expected_face_value(promo.offer('spend_threshold', amount => 20, min_basket => 100),
                                 200, 200 * sqrt(3)) AS half_of_saving;

-- A minimum-basket offer is not free for a user just below the threshold:
-- the face at the mean is 0, its expectation is 20 P(B >= 100), about 7.49.
SELECT promo.face_value(terms, 95) AS at_mean,
       round(promo.expected_face_value(terms, 95, 30)::numeric, 6) AS expected
FROM hand_offers WHERE name = 'spend 100 save 20';

-- Every offer's closed form against a sum over the lognormal's density in
-- SQL: B = exp(m + s z), the midpoint rule in z with step 1e-3 over about
-- [-9, 9 + s], the cells aligned on the jump of the face at min_basket, so
-- each cell is smooth and the sum is accurate to better than 1e-6.
WITH law AS (
    SELECT mean, sd, sqrt(ln(1 + (sd / mean) ^ 2)) AS s,
           ln(mean) - ln(1 + (sd / mean) ^ 2) / 2 AS m
    FROM (VALUES (20.0::float8, 10.0::float8), (60, 30), (95, 30), (180, 90), (400, 1000)) AS v(mean, sd)
), cells AS (
    SELECT o.name, o.terms, law.*,
           coalesce((ln(nullif((o.terms).min_basket, 0)) - law.m) / law.s, 0) AS jump
    FROM hand_offers o, law
), grid AS (
    SELECT c.*, c.jump + (i + 0.5) * 1e-3 AS z
    FROM cells c,
         generate_series(floor((-9 - c.jump) / 1e-3)::int, ceil((9 + c.s - c.jump) / 1e-3)::int) AS i
), quadrature AS (
    SELECT name, terms, mean, sd,
           sum(promo.face_value(terms, exp(m + s * z)) * exp(-z * z / 2)) * 1e-3 / sqrt(2 * pi()) AS q
    FROM grid
    GROUP BY name, terms, mean, sd
)
SELECT name, count(*) AS baskets,
       max(abs(promo.expected_face_value(terms, mean, sd) - q) / greatest(q, 1e-9)) < 1e-5 AS agree
FROM quadrature
GROUP BY name ORDER BY name;

-- Cost, margin and incremental profit by hand: 10% off a basket of 100
-- (face 10) bought with probability 0.3, contact cost 0.05, margin rate 0.4,
-- and without the offer probability 0.2 of a basket of 90:
-- cost 0.3 * 10 + 0.05 = 3.05, margin 40 - 10 = 30,
-- v = 0.3 * 30 - 0.2 * 90 * 0.4 - 0.05 = 1.75.
SELECT promo.expected_cost(t, 0.3, 100, 0) AS cost,
       promo.expected_margin(t, 100, 0, 0.4) AS margin,
       promo.incremental_profit(t, 0.3, 100, 0, 0.2, 90, 0.4) AS value
FROM promo.offer('percent_off', 0.1, contact_cost => 0.05) AS t;
-- A message costs its contact whether or not the user converts.
SELECT promo.expected_cost(t, 0, 100, 20) AS cost_at_p0,
       promo.expected_cost(t, 1, 100, 20) AS cost_at_p1,
       promo.incremental_profit(t, 0.25, 100, 20, 0.2, 100, 0.4) AS value
FROM promo.offer('message', contact_cost => 0.01) AS t;

-- The vector form agrees with the scalar functions element by element.
SELECT e.value = ARRAY[promo.incremental_profit(c[1], 0.3, 100, 0, 0.2, 90, 0.4),
                       promo.incremental_profit(c[2], 0.25, 95, 30, 0.2, 90, 0.4),
                       promo.incremental_profit(c[3], 0.2, 120, 60, 0.2, 90, 0.4)] AS values_agree,
       e.cost = ARRAY[promo.expected_cost(c[1], 0.3, 100, 0),
                      promo.expected_cost(c[2], 0.25, 95, 30),
                      promo.expected_cost(c[3], 0.2, 120, 60)] AS costs_agree
FROM (SELECT ARRAY[promo.offer('percent_off', 0.1, contact_cost => 0.05),
                   promo.offer('spend_threshold', amount => 20, min_basket => 100),
                   promo.offer('message', contact_cost => 0.01)] AS c) s,
     LATERAL promo.offer_economics(s.c, '{0.3,0.25,0.2}', '{100,95,120}', '{0,30,60}', 0.2, 90, 0.4) e;
-- An element is NULL where its terms, p_convert, basket_mean or basket_sd is.
SELECT * FROM promo.offer_economics(
    ARRAY[promo.offer('percent_off', 0.1), NULL, promo.offer('amount_off', amount => 5),
          promo.offer('percent_off', 0.2), promo.offer('percent_off', 0.3)],
    '{0.5,0.5,NULL,0.5,0.5}', '{100,100,100,NULL,100}', '{0,0,0,0,NULL}', 0, 0, 0.5);
-- No offers: empty arrays.
SELECT * FROM promo.offer_economics('{}', '{}', '{}', '{}', 0.1, 50, 0.3);

-- Terms that change from row to row are decoded again (the cache is keyed
-- on the value): each row agrees with the scalar function of its own terms.
CREATE TABLE user_offers (user_id int, terms promo.offer_terms[], p float8[], mean float8[], sd float8[]);
INSERT INTO user_offers
SELECT u, CASE u % 3 WHEN 0 THEN ARRAY[promo.offer('percent_off', 0.1)]
                     WHEN 1 THEN ARRAY[promo.offer('amount_off', amount => 10, min_basket => 50)]
                     ELSE ARRAY[promo.offer('spend_threshold', amount => 20, min_basket => 100)] END,
       ARRAY[0.1 + u / 100.0], ARRAY[40.0 + u], ARRAY[u / 2.0]
FROM generate_series(1, 60) AS u;
SELECT count(*) AS users,
       bool_and(e.value[1] = promo.incremental_profit(o.terms[1], o.p[1], o.mean[1], o.sd[1], 0.1, 50, 0.3)
                AND e.cost[1] = promo.expected_cost(o.terms[1], o.p[1], o.mean[1], o.sd[1])) AS agree
FROM user_offers o, LATERAL promo.offer_economics(o.terms, o.p, o.mean, o.sd, 0.1, 50, 0.3) e;
SELECT array_agg(DISTINCT promo.face_value(terms[1], 60)) AS faces_at_60 FROM user_offers;

-- A catalogue checks its terms with the constructor: the error says why.
CREATE TABLE catalogue (
    offer_id int PRIMARY KEY, kind text NOT NULL, pct float8, amount float8,
    min_basket float8, cap float8, contact_cost float8 NOT NULL DEFAULT 0,
    terms promo.offer_terms GENERATED ALWAYS AS
        (promo.offer(kind, pct, amount, min_basket, cap, contact_cost)) STORED
);
INSERT INTO catalogue (offer_id, kind, pct, cap) VALUES (1, 'capped_percent', 0.2, 15);
INSERT INTO catalogue (offer_id, kind, amount, min_basket) VALUES (2, 'spend_threshold', 30, 20);
SELECT offer_id, terms, promo.face_value(terms, 100) FROM catalogue;

-- NULL handling: the functions are strict.
SELECT promo.face_value(NULL, 10) IS NULL AS a,
       promo.face_value(promo.offer('percent_off', 0.1), NULL) IS NULL AS b,
       promo.expected_face_value(promo.offer('percent_off', 0.1), 10, NULL) IS NULL AS c,
       promo.expected_cost(promo.offer('percent_off', 0.1), NULL, 10, 0) IS NULL AS d,
       promo.incremental_profit(promo.offer('percent_off', 0.1), 0.1, 10, 0, 0.1, 10, NULL) IS NULL AS e,
       promo.offer_economics(NULL, '{0.1}', '{10}', '{0}', 0.1, 10, 0.3) IS NULL AS f;

-- Bad offers.
SELECT promo.offer('bogus');
SELECT promo.offer('Percent_Off', 0.1);
SELECT promo.offer('percent_off', 0);
SELECT promo.offer('percent_off', 1);
SELECT promo.offer('percent_off', 1.5);
SELECT promo.offer('percent_off', -0.1);
SELECT promo.offer('percent_off', 'NaN');
SELECT promo.offer('percent_off', 'Infinity');
SELECT promo.offer('percent_off');
SELECT promo.offer('percent_off', 0.1, cap => 10);
SELECT promo.offer('percent_off', 0.1, min_basket => -1);
SELECT promo.offer('amount_off', amount => -5);
SELECT promo.offer('amount_off', amount => 0);
SELECT promo.offer('amount_off', amount => 'NaN');
SELECT promo.offer('amount_off', 0.1, amount => 5);
SELECT promo.offer('capped_percent', 0.2);
SELECT promo.offer('capped_percent', 0.2, cap => -1);
SELECT promo.offer('spend_threshold', amount => 30, min_basket => 20);
SELECT promo.offer('spend_threshold', amount => 10);
SELECT promo.offer('spend_threshold', amount => 10, min_basket => 0);
SELECT promo.offer('cashback', 0.1, amount => 5);
SELECT promo.offer('cashback', min_basket => 10);
SELECT promo.offer('cashback', amount => 5, cap => 3);
SELECT promo.offer('message', min_basket => 10);
SELECT promo.offer('message', contact_cost => -0.01);
SELECT promo.offer('message', contact_cost => 'NaN');
-- Terms made by hand are checked where they are used.
SELECT promo.face_value(ROW('percent_off', 2, NULL, NULL, NULL, 0)::promo.offer_terms, 10);
SELECT promo.face_value(ROW('spend_threshold', NULL, 50, 40, NULL, 0)::promo.offer_terms, 10);
SELECT promo.face_value(ROW(NULL, 0.1, NULL, NULL, NULL, 0)::promo.offer_terms, 10);
SELECT promo.face_value(ROW('coupon', 0.1, NULL, NULL, NULL, 0)::promo.offer_terms, 10);
SELECT * FROM promo.offer_economics(ARRAY[promo.offer('percent_off', 0.1),
    ROW('amount_off', NULL, -1, NULL, NULL, 0)::promo.offer_terms], '{0.1,0.1}', '{10,10}', '{0,0}', 0, 0, 0.3);

-- Bad economics inputs.
SELECT promo.face_value(promo.offer('percent_off', 0.1), -1);
SELECT promo.face_value(promo.offer('percent_off', 0.1), 'NaN');
SELECT promo.expected_face_value(promo.offer('percent_off', 0.1), -10, 0);
SELECT promo.expected_face_value(promo.offer('percent_off', 0.1), 10, -1);
SELECT promo.expected_face_value(promo.offer('percent_off', 0.1), 0, 5);
SELECT promo.expected_face_value(promo.offer('percent_off', 0.1), 'Infinity', 5);
SELECT promo.expected_face_value(promo.offer('percent_off', 0.1), 10, 'NaN');
SELECT promo.expected_cost(promo.offer('percent_off', 0.1), 1.5, 10, 0);
SELECT promo.expected_cost(promo.offer('percent_off', 0.1), 'NaN', 10, 0);
SELECT promo.expected_margin(promo.offer('percent_off', 0.1), 10, 0, 1.5);
SELECT promo.expected_margin(promo.offer('percent_off', 0.1), 10, 0, 'NaN');
SELECT promo.incremental_profit(promo.offer('percent_off', 0.1), 0.1, 10, 0, -0.1, 10, 0.3);
SELECT promo.incremental_profit(promo.offer('percent_off', 0.1), 0.1, 10, 0, 0.1, -10, 0.3);
SELECT promo.expected_cost(promo.offer('percent_off', 0.9, contact_cost => 1e308), 1, 1e308, 0);
SELECT * FROM promo.offer_economics(ARRAY[promo.offer('percent_off', 0.1)], '{0.1,0.2}', '{10}', '{0}', 0, 0, 0.3);
SELECT * FROM promo.offer_economics(ARRAY[promo.offer('percent_off', 0.1)], '{0.1}', '{{10}}', '{0}', 0, 0, 0.3);
SELECT * FROM promo.offer_economics(ARRAY[promo.offer('percent_off', 0.1), promo.offer('percent_off', 0.2)],
    '{0.1,2}', '{10,10}', '{0,0}', 0, 0, 0.3);
SELECT * FROM promo.offer_economics(ARRAY[promo.offer('percent_off', 0.1), promo.offer('percent_off', 0.2)],
    '{0.1,0.2}', '{10,-10}', '{0,0}', 0, 0, 0.3);
SELECT * FROM promo.offer_economics(ARRAY[promo.offer('percent_off', 0.1), promo.offer('percent_off', 0.2)],
    '{0.1,0.2}', '{10,0}', '{0,1}', 0, 0, 0.3);
SELECT * FROM promo.offer_economics(ARRAY[promo.offer('percent_off', 0.1)], '{0.1}', '{10}', '{NaN}', 0, 0, 0.3);
SELECT * FROM promo.offer_economics(ARRAY[promo.offer('percent_off', 0.1)], '{0.1}', '{10}', '{0}', 1.1, 0, 0.3);
SELECT * FROM promo.offer_economics(ARRAY[ARRAY[promo.offer('percent_off', 0.1)]], '{0.1}', '{10}', '{0}', 0, 0, 0.3);
SELECT * FROM promo.offer_economics(array_fill(NULL::promo.offer_terms, ARRAY[100001]), '{}', '{}', '{}', 0, 0, 0.3);
