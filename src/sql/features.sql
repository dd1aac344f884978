
-- ---------------------------------------------------------------------
-- User features and RFM tiers
-- ---------------------------------------------------------------------
--
-- Input contract.  A shop maps its own tables onto three relations, with
-- views where its names or types differ:
--
--   events (user_id bigint, item_id bigint, event_type text,
--           event_time timestamptz, amount numeric, rating numeric)
--       one row per behaviour event; event_type is 'view', 'cart',
--       'purchase' or 'rating' (another value is an error; a NULL type or
--       user_id skips the row).
--   orders (user_id bigint, item_id bigint, order_time timestamptz,
--           quantity numeric, list_price numeric, price_paid numeric,
--           discount numeric)
--       one row per order line; price_paid is per unit, discount a
--       fraction of list_price.
--   items  (item_id bigint, category text)
--       one row per item (a repeated item_id is an error).
--
-- user_features reads user_id, item_id, event_type and event_time of
-- events, user_id, order_time, quantity, price_paid and discount of
-- orders, and items whole.  Only events and orders strictly before as_of
-- count, so features can be computed as of a past date without looking
-- ahead.  Users are those with at least one such event or order.  Per user:
--
--   views, carts, purchases, ratings   events of each type
--   conversion_rate    purchases / views
--   recency_days       days from the last order to as_of
--   frequency          order lines
--   monetary           sum of price_paid * quantity
--   avg_discount       mean discount of the order lines
--   category_share     {category: share of the user's events on items of
--                      that category}, over the events whose item has one
--
-- Missing values: a user without events has 0 views, carts, purchases,
-- ratings and conversion_rate (also 0 without views) and an empty
-- category_share; a user without orders has 0 frequency, monetary and
-- avg_discount and a NULL recency_days (0 would read as "bought just
-- now"; promo.scaler skips NULL elements and promo.standardize makes them
-- 0).  NULL prices, quantities and discounts are left out of the sums and
-- means.
--
-- Outliers: winsorize a feature at percentile bounds that PostgreSQL's
-- percentile_cont computes, e.g.
--
--   WITH f AS (SELECT * FROM promo.user_features('events', 'orders', 'items')),
--        b AS (SELECT percentile_cont(ARRAY[0.01, 0.99])
--                         WITHIN GROUP (ORDER BY monetary) AS p FROM f)
--   SELECT user_id, promo.winsorize(monetary, p[1], p[2]) FROM f, b;
--
-- or a feature vector with promo.clip and per-dimension bounds
--
--   SELECT array_agg(p[1] ORDER BY d) AS lo, array_agg(p[2] ORDER BY d) AS hi
--   FROM (SELECT d, percentile_cont(ARRAY[0.01, 0.99]) WITHIN GROUP (ORDER BY v) AS p
--         FROM features, unnest(features.x) WITH ORDINALITY u(v, d)
--         GROUP BY d) s;
--
-- then standardize with promo.scaler and promo.standardize.
--
-- RFM: among the users with orders, each of recency (reversed: recent is
-- high), frequency and monetary scores 1 + floor(5 u), u the share of those
-- users with a lower value plus half the share with an equal one.  With
-- distinct values and a multiple of 5 users this is ntile(5); unlike
-- ntile, equal values share a score whatever the row order.  Users without
-- orders score 1 in each.  Tiers: high when the sum is 12 or more, low
-- when it is 6 or less, normal otherwise.

CREATE FUNCTION user_features(events regclass, orders regclass, items regclass,
	as_of timestamptz DEFAULT now())
	RETURNS TABLE (user_id bigint, views bigint, carts bigint,
		purchases bigint, ratings bigint, conversion_rate float8,
		recency_days float8, frequency bigint, monetary float8,
		avg_discount float8, category_share jsonb)
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED ROWS 10000
AS $function$
DECLARE
	duplicate text;
BEGIN
	-- A regclass prints as a quoted name that resolves to the same
	-- relation under this call's search_path: it goes into the queries as is.
	EXECUTE format('SELECT item_id::text FROM %1$s GROUP BY item_id '
				   'HAVING count(*) > 1 ORDER BY item_id LIMIT 1', items)
		INTO duplicate;
	IF duplicate IS NOT NULL THEN
		RAISE EXCEPTION 'item_id % occurs more than once in %', duplicate, items
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Each item must have exactly one category.',
				  HINT = 'Map items onto the input contract with one row per item_id.';
	END IF;

	-- One scan of events (grouped by user, category and event type, so
	-- each group's type is checked once) and one of orders.
	RETURN QUERY EXECUTE format($query$
		WITH ev AS (
			SELECT e.user_id::bigint AS user_id, i.category::text AS category,
				   promo.check_event_type(e.event_type::text) AS event_type,
				   count(*) AS n
			FROM %1$s e
			LEFT JOIN %2$s i ON i.item_id = e.item_id
			WHERE e.event_time < $1 AND e.user_id IS NOT NULL
			  AND e.event_type IS NOT NULL
			GROUP BY e.user_id, i.category, e.event_type
		),
		by_user AS (
			SELECT ev.user_id,
				   coalesce(sum(n) FILTER (WHERE event_type = 'view'), 0)::bigint AS views,
				   coalesce(sum(n) FILTER (WHERE event_type = 'cart'), 0)::bigint AS carts,
				   coalesce(sum(n) FILTER (WHERE event_type = 'purchase'), 0)::bigint AS purchases,
				   coalesce(sum(n) FILTER (WHERE event_type = 'rating'), 0)::bigint AS ratings
			FROM ev
			GROUP BY ev.user_id
		),
		by_category AS (
			SELECT ev.user_id, ev.category, sum(n) AS n,
				   sum(sum(n)) OVER (PARTITION BY ev.user_id) AS total
			FROM ev
			WHERE ev.category IS NOT NULL
			GROUP BY ev.user_id, ev.category
		),
		shares AS (
			SELECT c.user_id,
				   jsonb_object_agg(c.category, (c.n::float8 / c.total::float8)::numeric)
					   AS category_share
			FROM by_category c
			GROUP BY c.user_id
		),
		by_orders AS (
			SELECT o.user_id::bigint AS user_id, count(*) AS frequency,
				   max(o.order_time)::timestamptz AS last_order,
				   sum(o.price_paid * o.quantity)::float8 AS monetary,
				   avg(o.discount)::float8 AS avg_discount
			FROM %3$s o
			WHERE o.order_time < $1 AND o.user_id IS NOT NULL
			GROUP BY o.user_id
		)
		SELECT user_id,
			   coalesce(b.views, 0), coalesce(b.carts, 0),
			   coalesce(b.purchases, 0), coalesce(b.ratings, 0),
			   CASE WHEN b.views > 0 THEN b.purchases::float8 / b.views ELSE 0 END,
			   (extract(epoch FROM $1 - o.last_order) / 86400)::float8,
			   coalesce(o.frequency, 0), coalesce(o.monetary, 0),
			   coalesce(o.avg_discount, 0),
			   coalesce(s.category_share, '{}'::jsonb)
		FROM by_user b
		FULL JOIN by_orders o USING (user_id)
		LEFT JOIN shares s USING (user_id)
		ORDER BY user_id
	$query$, events, items, orders) USING as_of;
END
$function$;

CREATE FUNCTION winsorize(x float8, lo float8, hi float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_winsorize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION clip(x float8[], lo float8[], hi float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_clip'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION rfm_tiers(events regclass, orders regclass, items regclass,
	as_of timestamptz DEFAULT now())
	RETURNS TABLE (user_id bigint, r_score int, f_score int, m_score int,
		rfm_score int, tier text)
	LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED ROWS 10000
AS $function$
	-- Quintile score of a value among the buyers: 1 + floor(5 u), u the
	-- mid-rank share (values below plus half the ties, over the buyers);
	-- rank() - 1 counts the values below, count(*) the values up to the
	-- current one including its ties.
	WITH f AS (
		SELECT uf.user_id, uf.frequency > 0 AS buyer, uf.recency_days,
			   uf.frequency, uf.monetary
		FROM promo.user_features(events, orders, items, as_of) uf
	),
	scored AS (
		SELECT f.user_id,
			   CASE WHEN f.buyer THEN 1 + 5 * (rank() OVER r - 1 + count(*) OVER r)
						/ (2 * count(*) OVER b) ELSE 1 END::int AS r_score,
			   CASE WHEN f.buyer THEN 1 + 5 * (rank() OVER q - 1 + count(*) OVER q)
						/ (2 * count(*) OVER b) ELSE 1 END::int AS f_score,
			   CASE WHEN f.buyer THEN 1 + 5 * (rank() OVER m - 1 + count(*) OVER m)
						/ (2 * count(*) OVER b) ELSE 1 END::int AS m_score
		FROM f
		WINDOW b AS (PARTITION BY f.buyer),
			   r AS (b ORDER BY f.recency_days DESC),
			   q AS (b ORDER BY f.frequency),
			   m AS (b ORDER BY f.monetary)
	)
	SELECT s.user_id, s.r_score, s.f_score, s.m_score,
		   s.r_score + s.f_score + s.m_score,
		   CASE WHEN s.r_score + s.f_score + s.m_score >= 12 THEN 'high'
				WHEN s.r_score + s.f_score + s.m_score <= 6 THEN 'low'
				ELSE 'normal' END
	FROM scored s
	ORDER BY s.user_id
$function$;

COMMENT ON FUNCTION user_features(regclass, regclass, regclass, timestamptz) IS
	'per-user behaviour features from events, orders and items relations of the documented input contract, counting only rows before as_of';
COMMENT ON FUNCTION winsorize(float8, float8, float8) IS
	'x clipped to [lo, hi]; infinite bounds clip on one side only';
COMMENT ON FUNCTION clip(float8[], float8[], float8[]) IS
	'x clipped element by element to [lo[i], hi[i]]; NULL elements of x stay NULL';
COMMENT ON FUNCTION rfm_tiers(regclass, regclass, regclass, timestamptz) IS
	'recency, frequency and monetary quintile scores (1..5, among users with orders; 1 without) and the tier: high when their sum is at least 12, low when at most 6, else normal';
