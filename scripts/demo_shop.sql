-- scripts/demo_shop.sql: deterministic synthetic shop for the promo extension.
--
-- Usage (from the repository root):
--   psql -v ON_ERROR_STOP=1 -v users=10000 -v seed=42 -f scripts/demo_shop.sql
-- All variables are optional (defaults: users 10000, seed 42, spread 1,
-- activity 1; see below for spread and activity).  The script
-- drops and recreates schema promo_demo and contains no transaction control,
-- so it can also be run with \i inside an open transaction (as the tests do).
--
-- Tables (all regular, logged):
--   promo_demo.segments  the per-segment constants of the generative model
--   promo_demo.truth     hidden per-user parameters that drive all behaviour
--   promo_demo.users     user_id, signup_date, region, age_band
--   promo_demo.items     item_id, category, list_price, unit_cost
--   promo_demo.events    view / cart / purchase / rating events during 2024
--   promo_demo.orders    one row per purchase event
--   promo_demo.offers    a randomized offer experiment run in Q1 2025
--
-- ===========================================================================
-- GENERATIVE MODEL
-- ===========================================================================
--
-- Randomness.  Every random quantity is a pure function of (seed, key, draw):
--   H(key, d) = hashint8extended(key & (2^32-1),
--                   hashint8extended(key >> 32, hashint8extended(d, seed)))
--   U(key, d) = ((H(key, d) & (2^53-1)) + 0.5) / 2^53       -- uniform on (0,1)
--   (hashint8extended folds its 64-bit value to 32 bits, so the key is fed in
--   two 32-bit halves: distinct keys >= 0 never share a stream of draws.)
--   Z(key, d) = sqrt(-2 ln U(key, d)) * cos(2 pi U(key, d+1)) -- N(0,1), Box-Muller
--   Pois(mu; key, d) = inverse CDF of Poisson(mu) at U(key, d) for mu < 30,
--       and max(0, floor(mu + sqrt(mu) Z(key, d) + 0.5)) for mu >= 30.
--   Het(key, d) = 1 + spread (0.5 U(key, d) - 0.25)   -- multiplicative heterogeneity, mean 1
-- Keys: users and their parameters use key = user_id (draws 1..16); items use
-- key = item_id (draws 101..103); the j-th view of a user uses
-- key = user_id * 2^20 + j (draws 201..213); the k-th offer of a user uses
-- key = user_id * 64 + k (draws 301..307).  Nothing depends on row order,
-- plans or parallel workers, so the same (users, seed) always yields the same
-- table contents.  random() and setseed() are not used.
--
-- Segments (promo_demo.segments, s = 1..5), drawn by inverse CDF from U(user,1):
--   s  name                share  activity cart  buy   conv   basket eps  skew tau rate_p rate_mu p0   r_pct r_cpn r_spd value
--   1  bargain_hunter      0.25    60      0.10  0.25  1.50   1.6    2.5  2.5  1   0.05   3.6     0.10 1.20  1.00  0.80   35
--   2  loyal_high_spender  0.15    70      0.14  0.55  0.20   2.2    0.4  0.4  1   0.30   4.4     0.30 0.30  0.20  0.60  160
--   3  browser             0.20   100      0.03  0.12  0.50   1.1    1.0  1.0  1   0.05   3.8     0.03 0.30  0.40  0.10   50
--   4  occasional          0.25    20      0.09  0.40  0.60   1.3    1.2  1.0  1   0.15   4.0     0.08 0.50  0.60  0.30   60
--   5  dormant             0.15     3      0.06  0.30  0.30   1.2    0.8  1.0  4   0.05   3.5     0.01 0.20  0.15  0.05   40
--
-- Users (key = user_id, i = 1..users):
--   signup_date = 2019-01-01 + floor(2007 U(i,2)) days       (up to 2024-06-30)
--   region      from U(i,3): north .22, south .28, east .18, west .20, central .12
--   age_band    from U(i,4): 18-24 .14, 25-34 .26, 35-44 .22, 45-54 .17,
--                            55-64 .12, 65+ .09
--   Demographics are independent of the segment: the segment can only be
--   recovered from behaviour.
--
-- Truth (hidden per-user parameters, promo_demo.truth):
--   base_activity_i     = activity_s * exp(0.25 Z(i,5) - 0.03125) (lognormal, mean activity_s
--                         expected views per full year)
--   cart_rate_i         = cart_s  * Het(i,7)
--   buy_rate_i          = buy_s   * Het(i,8)
--   price_sensitivity_i = eps_s   * Het(i,9)      (quantity elasticity, see R2)
--   offer_base_i        = p0_s    * Het(i,10)     (purchase prob. without offer)
--   response_percent_i  = r_pct_s * Het(i,13)
--   response_coupon_i   = r_cpn_s * Het(i,14)
--   response_spend_i    = r_spd_s * Het(i,15)
--   discount_response_i = conv_s, basket_size_i = basket_s, item_skew_i = skew_s,
--   time_skew_i = tau_s, rating_rate_i = rate_p_s, rating_mean_i = rate_mu_s,
--   offer_basket_value_i = value_s                 (segment constants)
--   All Het draws are mutually independent and independent of everything else.
--
-- Items: 16 categories of 200 items each (3200 items); item ids are grouped
-- by category and categories are ordered by price level (grocery 6 ... appliances
-- 400, see the items INSERT below), so a low item id means a cheap item.
--   list_price = max(0.99, round(median_c * exp(0.35 Z(item,101) - 0.06125), 2))
--   unit_cost  = round(list_price * (0.45 + 0.35 U(item,103)), 2)   (< list_price)
--
-- Browsing funnel during 2024 (W0 = 2024-01-01 00:00 UTC, W1 = 2025-01-01):
--   active window [a_i, W1) with a_i = max(W0, signup_date), f_i = (W1 - a_i)/(W1 - W0)
--   n_views_i = Pois(base_activity_i * f_i; i, 11)
--   For view j = 1..n_views_i (key v = i * 2^20 + j):
--     item     = min(3200, 1 + floor(3200 * U(v,202)^skew_s))
--                (skew > 1: cheap items, skew < 1: expensive items)
--     t_view   = a_i + floor((W1 - a_i) * U(v,203)^tau_s) seconds
--                (tau = 4: activity concentrated early in the year, i.e. churned)
--     delta    = shop-wide price promotion on that view, exogenous:
--                0 (p .60), 0.10 (p .20), 0.20 (p .12), 0.30 (p .08) from U(v,204)
--     cart     = U(v,201) < cart_rate_i
--     If cart:     t_cart = t_view + 60 + floor(-600 ln U(v,208)) s
--                  price_paid = round(list_price * (1 - delta), 2)
--                  purchase = U(v,205) < buy_rate_i + conv_s * delta
--     If purchase: x = ln(list_price / price_paid)           (>= 0, from stored values)
--                  quantity = 1 + Pois(basket_s * (1 + price_sensitivity_i * x) - 1; v, 206)
--                  t_purchase = t_cart + 60 + floor(-3600 ln U(v,209)) s
--                  rated = U(v,210) < rate_p_s
--     If rated:    rating = min(5, max(1, round(rate_mu_s + 0.8 Z(v,211))))
--                  t_rating = t_purchase + 86400 * (2 + floor(12 U(v,213))) s
--   events: one 'view' row per view, one 'cart', 'purchase', 'rating' row per
--   cart, purchase, rating (same user and item).  amount = price_paid * quantity
--   on purchase rows and NULL otherwise; rating is set on rating rows only.
--   orders: one row per purchase (same user, item and time as the purchase
--   event); discount = delta (fraction), list_price = items.list_price,
--   price_paid as above, price_paid * quantity = the purchase event's amount.
--   order_id numbers the purchases in (user_id, view index) order.
--
-- Offer experiment in 2025-01-01 .. 2025-04-01 (after the event window):
--   n_offers_i = 2 + floor(3 U(i,16))                   (2, 3 or 4 per user)
--   For offer k of user i (key o = i * 64 + k), assigned completely at random:
--     kind  = ('none','percent','coupon','spend_x_save_y')[1 + floor(4 U(o,301))]
--     depth = 0 for 'none', else 0.05 * (1 + floor(6 U(o,302)))  (0.05 .. 0.30)
--             (effective discount fraction: percent off, coupon value / basket,
--             saving / spend threshold)
--     offer_time = 2025-01-01 + floor(90 days * U(o,303))
--     purchased  = U(o,304) < offer_base_i + response_kind_i * depth
--                  (response_kind_i = 0 for 'none'; the probability stays in (0,1))
--     redeemed   = purchased and kind <> 'none' and U(o,305) < 0.9
--     revenue    = purchased ? round(value_s * exp(0.5 Z(o,306) - 0.125)
--                                    * (1 - depth * redeemed), 2) : 0
--
-- ===========================================================================
-- RELATIONS THAT ORDINARY LEAST SQUARES RECOVERS EXACTLY IN EXPECTATION
-- ===========================================================================
-- R1 (offers, linear probability model).  Because kind and depth are assigned
-- at random, independently of the user,
--     E[purchased | user i, kind k, depth d] = offer_base_i + response_k_i * d
-- is exactly linear in d.  With y = purchased::int and regressors
--     x1 = depth * (kind = 'percent'), x2 = depth * (kind = 'coupon'),
--     x3 = depth * (kind = 'spend_x_save_y'),
-- OLS of y on (1, x1, x2, x3) over the offers of segment s is unbiased for
--     intercept = p0_s        = E[truth.offer_base       | segment s]
--     slope x1  = r_pct_s     = E[truth.response_percent | segment s]
--     slope x2  = r_cpn_s     = E[truth.response_coupon  | segment s]
--     slope x3  = r_spd_s     = E[truth.response_spend   | segment s]
-- and over all offers (pooled) for the offer-weighted means of the same truth
-- columns (e.g. avg(truth.response_percent) over the users' offers).
--
-- R2 (orders, demand response to the exogenous shop discount).  With
-- x = ln(list_price / price_paid),
--     E[quantity | user i, x] = basket_s * (1 + price_sensitivity_i * x)
-- exactly (Poisson mean is linear).  Purchase selection depends on the segment
-- and on buy_rate_i, never on price_sensitivity_i, so OLS of quantity on (1, x)
-- over the orders of segment s is unbiased for
--     intercept = basket_s                      (truth.basket_size)
--     slope     = basket_s * eps_s              (eps_s = E[truth.price_sensitivity | s])
-- i.e. slope / intercept recovers the segment's price elasticity of quantity.
-- (Pooled over segments the relation is not linear: the segment mix of the
-- orders shifts with the discount because discount_response differs.)
--
-- Other documented (non-linear) properties: the 'none' arm has the lowest
-- purchase rate (p0 only); browsers have the most views and the lowest
-- conversion, loyal high spenders the highest conversion, basket and viewed
-- prices, bargain hunters view the cheapest items and buy mostly on discount,
-- dormant users have few views concentrated early in 2024.
-- ===========================================================================

\if :{?users}
\else
\set users 10000
\endif
\if :{?seed}
\else
\set seed 42
\endif
-- spread scales the within-segment heterogeneity (1: as documented, 0:
-- every user has exactly the segment's parameters); activity multiplies
-- every segment's views (more events, less sampling noise).  Tests of
-- segmentation use small spread and more activity: well separated segments.
\if :{?spread}
\else
\set spread 1
\endif
\if :{?activity}
\else
\set activity 1
\endif

-- Quiet notices (DROP ... CASCADE) and give sorts and index builds some
-- memory; the previous values are restored at the end.
SELECT current_setting('client_min_messages') AS demo_shop_saved_cmm,
       current_setting('maintenance_work_mem') AS demo_shop_saved_mwm,
       current_setting('work_mem') AS demo_shop_saved_wm
\gset
SET client_min_messages = warning;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';

-- users and seed must be integers (the casts fail otherwise); view keys are
-- user_id * 2^20 + j, which bounds the number of users.
SELECT (:'users')::bigint BETWEEN 1 AND 1000000000
       AND (:'spread')::float8 BETWEEN 0 AND 4
       AND (:'activity')::float8 > 0 AS demo_shop_users_ok,
       (:'seed')::bigint IS NOT NULL AS demo_shop_seed_ok
\gset
\if :demo_shop_users_ok
\else
DO $$ BEGIN RAISE EXCEPTION 'demo_shop.sql: users must be between 1 and 1000000000, spread between 0 and 4, activity positive'; END $$;
\endif

DROP SCHEMA IF EXISTS promo_demo CASCADE;
CREATE SCHEMA promo_demo;
COMMENT ON SCHEMA promo_demo IS 'synthetic shop from scripts/demo_shop.sql';

-- ---------------------------------------------------------------------------
-- Random helpers (pure functions of their arguments).
-- ---------------------------------------------------------------------------
CREATE FUNCTION promo_demo.u(seed bigint, key bigint, draw integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT ((hashint8extended(key & 4294967295,
                              hashint8extended(key >> 32, hashint8extended(draw, seed)))
             & 9007199254740991)::double precision + 0.5) / 9007199254740992.0
$$;
COMMENT ON FUNCTION promo_demo.u(bigint, bigint, integer)
    IS 'uniform draw on (0,1) determined by (seed, key, draw)';

CREATE FUNCTION promo_demo.z(seed bigint, key bigint, draw integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT sqrt(-2.0 * ln(promo_demo.u(seed, key, draw)))
         * cos(2.0 * pi() * promo_demo.u(seed, key, draw + 1))
$$;
COMMENT ON FUNCTION promo_demo.z(bigint, bigint, integer)
    IS 'standard normal draw (Box-Muller on draws draw and draw+1)';

CREATE FUNCTION promo_demo.rpois(mu double precision, u1 double precision,
                                 u2 double precision)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    k integer := 0;
    p double precision;
    f double precision;
BEGIN
    IF mu <= 0 THEN
        RETURN 0;
    END IF;
    IF mu >= 30 THEN
        RETURN greatest(0, floor(mu + sqrt(mu) * sqrt(-2.0 * ln(u1))
                                         * cos(2.0 * pi() * u2) + 0.5))::integer;
    END IF;
    p := exp(-mu);
    f := p;
    WHILE u1 > f AND k < 1000 LOOP
        k := k + 1;
        p := p * mu / k;
        f := f + p;
    END LOOP;
    RETURN k;
END
$$;
COMMENT ON FUNCTION promo_demo.rpois(double precision, double precision, double precision)
    IS 'Poisson(mu) by inverse CDF at u1 (normal approximation from u1,u2 when mu >= 30)';

-- ---------------------------------------------------------------------------
-- Segment constants.
-- ---------------------------------------------------------------------------
CREATE TABLE promo_demo.segments (
    segment             integer PRIMARY KEY,
    name                text NOT NULL UNIQUE,
    share               double precision NOT NULL,
    cum_lo              double precision NOT NULL,
    cum_hi              double precision NOT NULL,
    activity            double precision NOT NULL,  -- mean views per year
    cart_rate           double precision NOT NULL,  -- P(cart | view)
    buy_rate            double precision NOT NULL,  -- P(purchase | cart, delta = 0)
    discount_response   double precision NOT NULL,  -- d P(purchase | cart) / d delta
    basket_size         double precision NOT NULL,  -- E[quantity] at list price
    price_sensitivity   double precision NOT NULL,  -- mean quantity elasticity
    item_skew           double precision NOT NULL,  -- >1 cheap items, <1 expensive
    time_skew           double precision NOT NULL,  -- >1 activity early in the year
    rating_rate         double precision NOT NULL,  -- P(rating | purchase)
    rating_mean         double precision NOT NULL,
    offer_base          double precision NOT NULL,  -- P(purchase | no offer)
    response_percent    double precision NOT NULL,  -- d P(purchase) / d depth
    response_coupon     double precision NOT NULL,
    response_spend      double precision NOT NULL,
    offer_basket_value  double precision NOT NULL   -- mean basket value in offers
);

INSERT INTO promo_demo.segments
SELECT v.segment, v.name, v.share,
       coalesce(sum(v.share) OVER (ORDER BY v.segment ROWS BETWEEN UNBOUNDED PRECEDING
                                                         AND 1 PRECEDING), 0),
       CASE WHEN v.segment = 5 THEN 1.0
            ELSE sum(v.share) OVER (ORDER BY v.segment) END,
       v.activity, v.cart_rate, v.buy_rate, v.discount_response, v.basket_size,
       v.price_sensitivity, v.item_skew, v.time_skew, v.rating_rate, v.rating_mean,
       v.offer_base, v.response_percent, v.response_coupon, v.response_spend,
       v.offer_basket_value
FROM (VALUES
    (1, 'bargain_hunter',     0.25,  60.0, 0.10, 0.25, 1.50, 1.6, 2.5, 2.5, 1.0, 0.05, 3.6, 0.10, 1.20, 1.00, 0.80,  35.0),
    (2, 'loyal_high_spender', 0.15,  70.0, 0.14, 0.55, 0.20, 2.2, 0.4, 0.4, 1.0, 0.30, 4.4, 0.30, 0.30, 0.20, 0.60, 160.0),
    (3, 'browser',            0.20, 100.0, 0.03, 0.12, 0.50, 1.1, 1.0, 1.0, 1.0, 0.05, 3.8, 0.03, 0.30, 0.40, 0.10,  50.0),
    (4, 'occasional',         0.25,  20.0, 0.09, 0.40, 0.60, 1.3, 1.2, 1.0, 1.0, 0.15, 4.0, 0.08, 0.50, 0.60, 0.30,  60.0),
    (5, 'dormant',            0.15,   3.0, 0.06, 0.30, 0.30, 1.2, 0.8, 1.0, 4.0, 0.05, 3.5, 0.01, 0.20, 0.15, 0.05,  40.0)
) AS v(segment, name, share, activity, cart_rate, buy_rate, discount_response,
       basket_size, price_sensitivity, item_skew, time_skew, rating_rate,
       rating_mean, offer_base, response_percent, response_coupon,
       response_spend, offer_basket_value);

-- ---------------------------------------------------------------------------
-- Hidden truth and users.
-- ---------------------------------------------------------------------------
CREATE TABLE promo_demo.truth (
    user_id             bigint PRIMARY KEY,
    segment             integer NOT NULL REFERENCES promo_demo.segments,
    base_activity       double precision NOT NULL,
    cart_rate           double precision NOT NULL,
    buy_rate            double precision NOT NULL,
    discount_response   double precision NOT NULL,
    basket_size         double precision NOT NULL,
    price_sensitivity   double precision NOT NULL,
    item_skew           double precision NOT NULL,
    time_skew           double precision NOT NULL,
    rating_rate         double precision NOT NULL,
    rating_mean         double precision NOT NULL,
    offer_base          double precision NOT NULL,
    response_percent    double precision NOT NULL,
    response_coupon     double precision NOT NULL,
    response_spend      double precision NOT NULL,
    offer_basket_value  double precision NOT NULL
);

INSERT INTO promo_demo.truth
SELECT g.i, s.segment,
       s.activity * :activity
           * exp(0.25 * :spread * promo_demo.z(:seed, g.i, 5) - 0.03125 * :spread * :spread),
       s.cart_rate * (1 + :spread * (0.5 * promo_demo.u(:seed, g.i, 7) - 0.25)),
       s.buy_rate * (1 + :spread * (0.5 * promo_demo.u(:seed, g.i, 8) - 0.25)),
       s.discount_response,
       s.basket_size,
       s.price_sensitivity * (1 + :spread * (0.5 * promo_demo.u(:seed, g.i, 9) - 0.25)),
       s.item_skew, s.time_skew, s.rating_rate, s.rating_mean,
       s.offer_base * (1 + :spread * (0.5 * promo_demo.u(:seed, g.i, 10) - 0.25)),
       s.response_percent * (1 + :spread * (0.5 * promo_demo.u(:seed, g.i, 13) - 0.25)),
       s.response_coupon * (1 + :spread * (0.5 * promo_demo.u(:seed, g.i, 14) - 0.25)),
       s.response_spend * (1 + :spread * (0.5 * promo_demo.u(:seed, g.i, 15) - 0.25)),
       s.offer_basket_value
FROM generate_series(1::bigint, (:users)::bigint) AS g(i)
JOIN promo_demo.segments s
  ON promo_demo.u(:seed, g.i, 1) >= s.cum_lo
 AND promo_demo.u(:seed, g.i, 1) < s.cum_hi;

CREATE TABLE promo_demo.users (
    user_id     bigint PRIMARY KEY,
    signup_date date NOT NULL,
    region      text NOT NULL,
    age_band    text NOT NULL
);

INSERT INTO promo_demo.users
SELECT g.i,
       date '2019-01-01' + floor(2007 * promo_demo.u(:seed, g.i, 2))::integer,
       CASE WHEN r.ur < 0.22 THEN 'north'
            WHEN r.ur < 0.50 THEN 'south'
            WHEN r.ur < 0.68 THEN 'east'
            WHEN r.ur < 0.88 THEN 'west'
            ELSE 'central' END,
       CASE WHEN r.ua < 0.14 THEN '18-24'
            WHEN r.ua < 0.40 THEN '25-34'
            WHEN r.ua < 0.62 THEN '35-44'
            WHEN r.ua < 0.79 THEN '45-54'
            WHEN r.ua < 0.91 THEN '55-64'
            ELSE '65+' END
FROM generate_series(1::bigint, (:users)::bigint) AS g(i)
CROSS JOIN LATERAL (SELECT promo_demo.u(:seed, g.i, 3) AS ur,
                           promo_demo.u(:seed, g.i, 4) AS ua) AS r;

ALTER TABLE promo_demo.truth
    ADD FOREIGN KEY (user_id) REFERENCES promo_demo.users;

-- ---------------------------------------------------------------------------
-- Items.
-- ---------------------------------------------------------------------------
CREATE TABLE promo_demo.items (
    item_id     bigint PRIMARY KEY,
    category    text NOT NULL,
    list_price  numeric(10,2) NOT NULL CHECK (list_price > 0),
    unit_cost   numeric(10,2) NOT NULL CHECK (unit_cost > 0),
    CHECK (unit_cost < list_price)
);

INSERT INTO promo_demo.items
SELECT g.item_id, c.category, p.list_price,
       round(p.list_price * (0.45 + 0.35 * promo_demo.u(:seed, g.item_id, 103))::numeric, 2)
FROM generate_series(1::bigint, 3200::bigint) AS g(item_id)
JOIN (VALUES
    ( 0, 'grocery',       6.0), ( 1, 'books',        14.0),
    ( 2, 'beauty',       18.0), ( 3, 'health',       20.0),
    ( 4, 'pet',          22.0), ( 5, 'toys',         25.0),
    ( 6, 'baby',         30.0), ( 7, 'home',         35.0),
    ( 8, 'clothing',     40.0), ( 9, 'kitchen',      45.0),
    (10, 'sports',       55.0), (11, 'garden',       60.0),
    (12, 'shoes',        70.0), (13, 'outdoor',      90.0),
    (14, 'electronics', 250.0), (15, 'appliances',  400.0)
) AS c(idx, category, median_price) ON c.idx = (g.item_id - 1) / 200
CROSS JOIN LATERAL (
    SELECT greatest(0.99, round((c.median_price
               * exp(0.35 * promo_demo.z(:seed, g.item_id, 101) - 0.06125))::numeric, 2))
           AS list_price
) AS p;

-- ---------------------------------------------------------------------------
-- Per-user plan: active window and number of views (staging, dropped below).
-- ---------------------------------------------------------------------------
CREATE TABLE promo_demo._plan AS
SELECT t.user_id, t.segment, w.t0, 1735689600 - w.t0 AS span,
       promo_demo.rpois(t.base_activity * (1735689600 - w.t0) / 31622400.0,
                        promo_demo.u(:seed, t.user_id, 11),
                        promo_demo.u(:seed, t.user_id, 12)) AS n_views,
       t.cart_rate, t.buy_rate, t.discount_response, t.basket_size,
       t.price_sensitivity, t.item_skew, t.time_skew, t.rating_rate,
       t.rating_mean
FROM promo_demo.truth t
JOIN promo_demo.users us USING (user_id)
CROSS JOIN LATERAL (
    SELECT greatest(1704067200::bigint,
                    (us.signup_date - date '1970-01-01')::bigint * 86400) AS t0
) AS w;

-- ---------------------------------------------------------------------------
-- Views that reach the cart, with everything that follows (staging).
-- ---------------------------------------------------------------------------
CREATE TABLE promo_demo._carts AS
SELECT c.user_id, c.j, c.item_id, i.list_price, c.delta, pp.price_paid,
       c.t_view + 60 + floor(-600 * ln(promo_demo.u(:seed, c.v, 208)))::bigint AS t_cart,
       b.purchased,
       CASE WHEN b.purchased THEN
           1 + promo_demo.rpois(
                   c.basket_size * (1 + c.price_sensitivity
                                    * ln(i.list_price::double precision
                                         / pp.price_paid::double precision)) - 1,
                   promo_demo.u(:seed, c.v, 206), promo_demo.u(:seed, c.v, 207))
       END AS quantity,
       floor(-3600 * ln(promo_demo.u(:seed, c.v, 209)))::bigint AS purchase_delay,
       b.purchased AND promo_demo.u(:seed, c.v, 210) < c.rating_rate AS rated,
       least(5, greatest(1, round(c.rating_mean
                                  + 0.8 * promo_demo.z(:seed, c.v, 211))))::numeric AS rating,
       86400 * (2 + floor(12 * promo_demo.u(:seed, c.v, 213)))::bigint AS rating_delay
FROM (
    SELECT p.user_id, g.j, p.user_id * 1048576 + g.j AS v,
           p.basket_size, p.price_sensitivity, p.buy_rate, p.discount_response,
           p.rating_rate, p.rating_mean,
           least(3200, 1 + floor(3200 * promo_demo.u(:seed, p.user_id * 1048576 + g.j, 202)
                                         ^ p.item_skew))::bigint AS item_id,
           p.t0 + floor(p.span * promo_demo.u(:seed, p.user_id * 1048576 + g.j, 203)
                                  ^ p.time_skew)::bigint AS t_view,
           CASE WHEN d.ud < 0.60 THEN 0.00
                WHEN d.ud < 0.80 THEN 0.10
                WHEN d.ud < 0.92 THEN 0.20
                ELSE 0.30 END::numeric(3,2) AS delta
    FROM promo_demo._plan p
    CROSS JOIN LATERAL generate_series(1, p.n_views) AS g(j)
    CROSS JOIN LATERAL (SELECT promo_demo.u(:seed, p.user_id * 1048576 + g.j, 204) AS ud) AS d
    WHERE promo_demo.u(:seed, p.user_id * 1048576 + g.j, 201) < p.cart_rate
) AS c
JOIN promo_demo.items i ON i.item_id = c.item_id
CROSS JOIN LATERAL (SELECT round(i.list_price * (1 - c.delta), 2) AS price_paid) AS pp
CROSS JOIN LATERAL (
    SELECT promo_demo.u(:seed, c.v, 205)
           < c.buy_rate + c.discount_response * c.delta::double precision AS purchased
) AS b;

-- ---------------------------------------------------------------------------
-- Events.
-- ---------------------------------------------------------------------------
-- Created with CREATE TABLE AS, which loads faster than INSERT ... SELECT
-- (bulk-insert buffer strategy) and lets the planner use parallel workers;
-- the column types are fixed by the casts and the constraints added after.
-- View rows use the same draws (202, 203) as _carts, so carted views coincide.
CREATE TABLE promo_demo.events AS
SELECT p.user_id,
       least(3200, 1 + floor(3200 * promo_demo.u(:seed, p.user_id * 1048576 + g.j, 202)
                                     ^ p.item_skew))::bigint AS item_id,
       'view'::text AS event_type,
       to_timestamp((p.t0 + floor(p.span * promo_demo.u(:seed, p.user_id * 1048576 + g.j, 203)
                                          ^ p.time_skew)::bigint)::double precision)
           AS event_time,
       NULL::numeric AS rating,
       NULL::numeric AS amount
FROM promo_demo._plan p
CROSS JOIN LATERAL generate_series(1, p.n_views) AS g(j)
UNION ALL
SELECT user_id, item_id, 'cart', to_timestamp(t_cart::double precision),
       NULL, NULL
FROM promo_demo._carts
UNION ALL
SELECT user_id, item_id, 'purchase',
       to_timestamp((t_cart + 60 + purchase_delay)::double precision),
       NULL, price_paid * quantity
FROM promo_demo._carts WHERE purchased
UNION ALL
SELECT user_id, item_id, 'rating',
       to_timestamp((t_cart + 60 + purchase_delay + rating_delay)::double precision),
       rating, NULL
FROM promo_demo._carts WHERE rated;

ALTER TABLE promo_demo.events
    ALTER COLUMN user_id SET NOT NULL,
    ALTER COLUMN item_id SET NOT NULL,
    ALTER COLUMN event_type SET NOT NULL,
    ALTER COLUMN event_time SET NOT NULL,
    ADD CHECK (event_type IN ('view', 'cart', 'purchase', 'rating')),
    ADD CHECK (rating BETWEEN 1 AND 5),
    ADD CHECK (amount > 0),
    ADD CHECK ((event_type = 'rating') = (rating IS NOT NULL)),
    ADD CHECK ((event_type = 'purchase') = (amount IS NOT NULL));

-- ---------------------------------------------------------------------------
-- Orders.
-- ---------------------------------------------------------------------------
CREATE TABLE promo_demo.orders (
    order_id    bigint PRIMARY KEY,
    user_id     bigint NOT NULL,
    item_id     bigint NOT NULL,
    order_time  timestamptz NOT NULL,
    quantity    integer NOT NULL CHECK (quantity >= 1),
    list_price  numeric(10,2) NOT NULL,
    price_paid  numeric(10,2) NOT NULL CHECK (price_paid > 0 AND price_paid <= list_price),
    discount    numeric(3,2) NOT NULL CHECK (discount >= 0 AND discount < 1)
);

INSERT INTO promo_demo.orders
SELECT row_number() OVER (ORDER BY user_id, j),
       user_id, item_id,
       to_timestamp((t_cart + 60 + purchase_delay)::double precision),
       quantity, list_price, price_paid, delta
FROM promo_demo._carts
WHERE purchased;

-- ---------------------------------------------------------------------------
-- Offer experiment.
-- ---------------------------------------------------------------------------
CREATE TABLE promo_demo.offers (
    offer_id        bigint PRIMARY KEY,
    user_id         bigint NOT NULL,
    offer_time      timestamptz NOT NULL,
    offer_kind      text NOT NULL
                    CHECK (offer_kind IN ('percent', 'coupon', 'spend_x_save_y', 'none')),
    discount_depth  numeric(3,2) NOT NULL CHECK (discount_depth >= 0 AND discount_depth < 1),
    redeemed        boolean NOT NULL,
    purchased       boolean NOT NULL,
    revenue         numeric(12,2) NOT NULL CHECK (revenue >= 0),
    CHECK ((offer_kind = 'none') = (discount_depth = 0)),
    CHECK (purchased OR NOT redeemed),
    CHECK (purchased = (revenue > 0))
);

-- offer_id numbers the offers in (user_id, k) order: a running sum of the
-- per-user offer counts gives each user's first id without sorting offers.
-- kind: 0 = 'none' (depth 0, no response), 1 percent, 2 coupon, 3 spend_x_save_y.
INSERT INTO promo_demo.offers
SELECT o.id0 + o.k,
       o.user_id,
       to_timestamp((1735689600 + floor(7776000 * promo_demo.u(:seed, o.key, 303))::bigint)
                    ::double precision),
       (ARRAY['none', 'percent', 'coupon', 'spend_x_save_y'])[o.kind + 1],
       o.depth::numeric(3,2),
       o.purchased AND o.kind <> 0 AND promo_demo.u(:seed, o.key, 305) < 0.9,
       o.purchased,
       CASE WHEN o.purchased THEN
           round((o.offer_basket_value
                  * exp(0.5 * promo_demo.z(:seed, o.key, 306) - 0.125)
                  * CASE WHEN o.kind <> 0 AND promo_demo.u(:seed, o.key, 305) < 0.9
                         THEN 1 - o.depth ELSE 1 END)::numeric, 2)
       ELSE 0 END
FROM (
    SELECT a.*,
           promo_demo.u(:seed, a.key, 304)
           < a.offer_base + CASE a.kind WHEN 1 THEN a.response_percent
                                        WHEN 2 THEN a.response_coupon
                                        WHEN 3 THEN a.response_spend
                                        ELSE 0.0 END * a.depth AS purchased
    FROM (
        SELECT t.user_id, t.id0, g.k, t.user_id * 64 + g.k AS key,
               t.offer_base, t.offer_basket_value, t.response_percent,
               t.response_coupon, t.response_spend, d.kind,
               CASE WHEN d.kind = 0 THEN 0.0
                    ELSE (1 + floor(6 * promo_demo.u(:seed, t.user_id * 64 + g.k, 302))) / 20.0
               END AS depth
        FROM (
            SELECT tr.user_id, tr.offer_base, tr.offer_basket_value, tr.response_percent,
                   tr.response_coupon, tr.response_spend, n.n_offers,
                   sum(n.n_offers) OVER (ORDER BY tr.user_id) - n.n_offers AS id0
            FROM promo_demo.truth tr
            CROSS JOIN LATERAL (
                SELECT 2 + floor(3 * promo_demo.u(:seed, tr.user_id, 16))::integer AS n_offers
            ) AS n
        ) AS t
        CROSS JOIN LATERAL generate_series(1, t.n_offers) AS g(k)
        CROSS JOIN LATERAL (
            SELECT floor(4 * promo_demo.u(:seed, t.user_id * 64 + g.k, 301))::integer AS kind
        ) AS d
    ) AS a
) AS o;

-- ---------------------------------------------------------------------------
-- Clean up staging, add keys and indexes, refresh statistics.
-- ---------------------------------------------------------------------------
DROP TABLE promo_demo._carts;
DROP TABLE promo_demo._plan;

ALTER TABLE promo_demo.events
    ADD FOREIGN KEY (user_id) REFERENCES promo_demo.users,
    ADD FOREIGN KEY (item_id) REFERENCES promo_demo.items;
ALTER TABLE promo_demo.orders
    ADD FOREIGN KEY (user_id) REFERENCES promo_demo.users,
    ADD FOREIGN KEY (item_id) REFERENCES promo_demo.items;
ALTER TABLE promo_demo.offers
    ADD FOREIGN KEY (user_id) REFERENCES promo_demo.users;

CREATE INDEX events_user_time_idx ON promo_demo.events (user_id, event_time);
CREATE INDEX orders_user_idx ON promo_demo.orders (user_id, order_time);
CREATE INDEX offers_user_idx ON promo_demo.offers (user_id);
CREATE INDEX truth_segment_idx ON promo_demo.truth (segment);

ANALYZE promo_demo.segments, promo_demo.truth, promo_demo.users, promo_demo.items,
        promo_demo.events, promo_demo.orders, promo_demo.offers;

COMMENT ON TABLE promo_demo.truth IS 'hidden per-user parameters of the generative model';
COMMENT ON TABLE promo_demo.offers IS 'randomized offer experiment, Q1 2025';

SET maintenance_work_mem = :'demo_shop_saved_mwm';
SET work_mem = :'demo_shop_saved_wm';
SET client_min_messages = :'demo_shop_saved_cmm';
