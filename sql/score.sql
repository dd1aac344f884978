-- promo.score_offers: one user against a catalogue of offers, checked
-- against the scalar functions it stands for.
SET extra_float_digits = 0;
\set SHOW_CONTEXT never

-- Users with two features, a history of three arms (no offer, two offers
-- described by two attributes) and baskets.
CREATE TABLE score_hist AS
SELECT i AS user_id,
       ARRAY[((i * 37) % 101) / 50.0 - 1, ((i * 53) % 97) / 40.0 - 1.2]::float8[] AS x,
       i % 3 AS arm,
       (CASE i % 3 WHEN 0 THEN ARRAY[0, 0] WHEN 1 THEN ARRAY[0.1, 0] ELSE ARRAY[0.2, 0.5] END)::float8[] AS a,
       ((i * 7919) % 1000) / 1000.0 AS u
FROM generate_series(1, 3000) i;
CREATE TABLE score_models AS
SELECT (SELECT promo.logreg(u < 0.2 + 0.1 * x[1] - 0.05 * x[2], x, '{f1,f2}'::text[],
                            '{"lambda": 1}'::jsonb)
        FROM score_hist WHERE arm = 0) AS control,
       (SELECT promo.logreg(u < 0.25 + 0.1 * x[1] + 0.3 * a[1] - 0.1 * a[2], x || a,
                            '{f1,f2,depth,threshold}'::text[], '{"lambda": 1}'::jsonb)
        FROM score_hist) AS shared,
       (SELECT promo.linreg(ln(40 + 10 * x[1] + 30 * a[1] + 5 * u), x || a,
                            '{f1,f2,depth,threshold}'::text[])
        FROM score_hist) AS basket;

CREATE TABLE score_offers_in AS
SELECT ARRAY[promo.offer('percent_off', 0.1), promo.offer('spend_threshold', amount => 10, min_basket => 50)] AS terms,
       '{{0.1, 0}, {0.2, 0.5}}'::float8[] AS attributes,
       '{f1,f2,depth,threshold}'::text[] AS names,
       '{0.9, 0.7}'::float8[] AS redemption,
       0.3::float8 AS basket_sigma, 0.35::float8 AS margin;

-- Every output against the scalar functions, for every user: the control
-- model for no offer, the shared model per offer.
WITH s AS (
    SELECT h.user_id, h.x, m.*, o.*,
           promo.score_offers(h.x, o.terms, o.attributes, o.names,
                              ARRAY[m.control, m.shared, m.shared], m.basket,
                              o.basket_sigma, o.redemption, o.margin, '{t,t}') AS r
    FROM score_hist h, score_models m, score_offers_in o
), arms AS (
    SELECT s.*, j,
           promo.predict(s.shared, s.x || ARRAY[s.attributes[j][1], s.attributes[j][2]]) AS p,
           exp(promo.predict(s.basket, s.x || ARRAY[s.attributes[j][1], s.attributes[j][2]])
               + s.basket_sigma ^ 2 / 2) AS mean,
           promo.predict(s.control, s.x) AS p_none,
           exp(promo.predict(s.basket, s.x || '{0,0}'::float8[]) + s.basket_sigma ^ 2 / 2) AS mean_none
    FROM s, generate_series(1, 2) j
), want AS (
    SELECT a.*, a.mean * sqrt(exp(a.basket_sigma ^ 2) - 1) AS sd,
           a.redemption[j] * promo.expected_face_value(a.terms[j], a.mean,
                                                      a.mean * sqrt(exp(a.basket_sigma ^ 2) - 1)) AS face
    FROM arms a
)
SELECT count(*) AS pairs,
       max(abs((r).p[j] - p)) < 1e-12 AS p_ok,
       max(abs((r).p_none - p_none)) < 1e-12 AS p_none_ok,
       max(abs((r).basket_none - mean_none) / mean_none) < 1e-12 AS basket_none_ok,
       max(abs((r).redeem[j] - p * redemption[j])) < 1e-12 AS redeem_ok,
       max(abs((r).value[j] - (p * (mean * margin - face) - p_none * mean_none * margin))) < 1e-9 AS value_ok,
       max(abs((r).cost[j] - p * face)) < 1e-9 AS cost_ok,
       max(abs((r).value[j] - (promo.incremental_profit(terms[j], p, mean, sd, p_none, mean_none, margin)
                               + p * (1 - redemption[j]) * promo.expected_face_value(terms[j], mean, sd)))) < 1e-9
           AS value_is_incremental_profit_with_redemption,
       count(DISTINCT (r).value[j]) > 100 AS values_vary
FROM want;

-- Ineligible offers: NaN value, the rest unchanged.
SELECT (r).value[1] = (q).value[1] AS first_unchanged, (r).value[2] = 'NaN' AS second_nan,
       (r).cost = (q).cost AS costs_unchanged
FROM (SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                                ARRAY[m.control, m.shared, m.shared], m.basket, 0.3,
                                o.redemption, 0.35, '{t,f}') AS r,
             promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                                ARRAY[m.control, m.shared, m.shared], m.basket, 0.3,
                                o.redemption, 0.35, '{t,t}') AS q
      FROM score_models m, score_offers_in o) t;

-- Models are matched by name: a model over its features in another order,
-- or over some of them, gives what the model over the names' order gives.
CREATE TABLE score_renamed AS
SELECT (SELECT promo.logreg(u < 0.25 + 0.1 * x[1] + 0.3 * a[1], ARRAY[a[1], x[2], x[1]],
                            '{depth,f2,f1}'::text[], '{"lambda": 1}'::jsonb)
        FROM score_hist) AS reordered,
       (SELECT promo.logreg(u < 0.25 + 0.1 * x[1] + 0.3 * a[1], x || a[1],
                            '{f1,f2,depth}'::text[], '{"lambda": 1}'::jsonb)
        FROM score_hist) AS ordered;
SELECT max(abs((r1).p[2] - (r2).p[2])) < 1e-9 AS same_p,
       max(abs((r1).p[2] - promo.predict(ordered, x || 0.2::float8))) < 1e-12 AS p_by_name
FROM (SELECT h.x, n.ordered,
             promo.score_offers(h.x, o.terms, o.attributes, o.names,
                                ARRAY[m.control, n.reordered, n.reordered], m.basket, 0.3,
                                o.redemption, 0.35, '{t,t}') AS r1,
             promo.score_offers(h.x, o.terms, o.attributes, o.names,
                                ARRAY[m.control, n.ordered, n.ordered], m.basket, 0.3,
                                o.redemption, 0.35, '{t,t}') AS r2
      FROM score_hist h, score_models m, score_renamed n, score_offers_in o
      WHERE h.user_id <= 200) t;

-- Models without names read x (d features) or x then the attributes.
CREATE TABLE score_unnamed AS
SELECT (SELECT promo.logreg(u < 0.2 + 0.1 * x[1], x, '{"lambda": 1}'::jsonb)
        FROM score_hist WHERE arm = 0) AS c,
       (SELECT promo.logreg(u < 0.25 + 0.1 * x[1] + 0.3 * a[1], x || a, '{"lambda": 1}'::jsonb)
        FROM score_hist) AS s;
SELECT abs((r).p_none - promo.predict(c, '{0.3,-0.2}')) < 1e-12 AS control_by_position,
       abs((r).p[1] - promo.predict(s, '{0.3,-0.2,0.1,0}')) < 1e-12 AS shared_by_position
FROM (SELECT u.c, u.s,
             promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                                ARRAY[u.c, u.s, u.s], m.basket, 0.3, o.redemption, 0.35, '{t,t}') AS r
      FROM score_models m, score_unnamed u, score_offers_in o) t;

-- A query whose shared arguments change from row to row is scored with
-- each row's own (the prepared models are not reused across them).
SELECT v.margin, abs((promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                                         ARRAY[m.control, m.shared, m.shared], m.basket, 0.3,
                                         o.redemption, v.margin, '{t,t}')).value[1]
                     - (promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                                           ARRAY[m.control, m.shared, m.shared], m.basket, 0.3,
                                           o.redemption, v.margin, '{t,t}')).value[1]) = 0 AS stable,
       (promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                           ARRAY[m.control, m.shared, m.shared], m.basket, 0.3,
                           o.redemption, v.margin, '{t,t}')).value[1] > 0 AS positive
FROM score_models m, score_offers_in o, (VALUES (0.1::float8), (0.9), (0.1)) v(margin);

-- An array variable changed in place between calls is read anew each time.
DO $$
DECLARE
    red float8[] := '{0.5, 0.5}';
    costs float8[] := '{}';
    m record;
    o record;
BEGIN
    SELECT * INTO m FROM score_models;
    SELECT * INTO o FROM score_offers_in;
    FOR i IN 1..3 LOOP
        red[1] := i * 0.3;
        costs := costs || (promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                                              ARRAY[m.control, m.shared, m.shared], m.basket, 0.3,
                                              red, 0.35, '{t,t}')).cost[1];
    END LOOP;
    RAISE NOTICE 'costs in proportion to the redemption share: %',
        abs(costs[2] / costs[1] - 2) < 1e-12 AND abs(costs[3] / costs[1] - 3) < 1e-12;
END $$;

-- Bad input.
SELECT promo.score_offers('{0.3}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, '{f1,g2,depth,threshold}',
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.basket, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.shared, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, NULL, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, '{{0.1,0}}', o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, '{{0.1,0},{0.2,NULL}}', o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2,1}', o.terms, '{}', '{f1,f2,f3}',
                          ARRAY[u.c, u.s, u.s], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_unnamed u, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, '{0.9,1.2}', 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, -0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 1.5, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,NULL}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,NaN}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{0.3,-0.2}', ARRAY[o.terms[1], NULL], o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
SELECT promo.score_offers('{1e6,-0.2}', o.terms, o.attributes, o.names,
                          ARRAY[m.control, m.shared, m.shared], m.basket, 0.3, o.redemption, 0.35, '{t,t}')
FROM score_models m, score_offers_in o;
