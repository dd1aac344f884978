
-- ---------------------------------------------------------------------
-- Input contracts, user features and RFM tiers
-- ---------------------------------------------------------------------
--
-- Input contracts.  A shop maps its own tables onto these relations, with
-- views where its names or types differ.  A column may have any type that
-- converts implicitly to its contract type (integer types for bigint;
-- numeric, real and integer types for float8; date and timestamp for
-- timestamptz, read in the session's TimeZone; varchar for text).
-- promo._check_contract checks a relation before any query reads it and
-- names the relation, the column and the expected type.  Required columns
-- must be there; optional ones are read when present.
--
--   events (user_id bigint, item_id bigint, event_type text,
--           event_time timestamptz)
--       one row per behaviour event; event_type is 'view', 'cart',
--       'purchase' or 'rating' (another value is an error; a NULL type or
--       user_id skips the row).  Other columns (amount, rating) are not read.
--   orders (user_id bigint, order_time timestamptz, price_paid float8;
--           optional quantity float8, discount float8, order_id any type)
--       one row per order line; price_paid is per unit, discount a
--       fraction of the list price.  Without quantity every line counts
--       once; without discount avg_discount is NULL; lines with the same
--       order_id form one basket, and without order_id each line is a
--       basket of its own.  A shop that records whole baskets maps each
--       basket to one line: price_paid the basket's total, no quantity.
--   items  (item_id bigint, category text)
--       one row per item (a repeated item_id is an error).
--   users  (user_id bigint), optional argument
--       the users to describe: each comes out, with the fill values below
--       when it has no event or order before as_of.
--
-- Only events and orders strictly before as_of count, so features can be
-- computed as of a past date without looking ahead.  Users are those of
-- users, if given, and those with at least one event or order before
-- as_of.  Per user:
--
--   views, carts, purchases, ratings   events of each type
--   conversion_rate    purchases / views
--   recency_days       days from the last order to as_of
--   frequency          order lines
--   monetary           sum of price_paid * quantity
--   avg_discount       mean discount of the order lines
--   avg_basket_value   monetary / number of baskets
--   category_share     {category: share of the user's events on items of
--                      that category}, over the events whose item has one
--
-- Fill values: a user without events has 0 views, carts, purchases,
-- ratings and conversion_rate (also 0 without views) and an empty
-- category_share; a user without orders has 0 frequency, monetary and
-- avg_discount and a NULL recency_days and avg_basket_value (0 would read
-- as "bought just now" and "buys empty baskets"; promo.scaler skips NULL
-- elements and promo.standardize makes them 0).  NULL prices, quantities
-- and discounts are left out of the sums and means.
--
-- Outliers: winsorize a feature at percentile bounds that PostgreSQL's
-- percentile_cont computes, e.g.
--
--   WITH f AS (SELECT * FROM promo.user_features('events', 'orders', 'items', '2025-01-01')),
--        b AS (SELECT percentile_cont(ARRAY[0.01, 0.99])
--                         WITHIN GROUP (ORDER BY monetary) AS p FROM f)
--   SELECT user_id, promo.winsorize(monetary, p[1], p[2]) FROM f, b;
--
-- or a feature vector with promo.clip and per-dimension bounds, then
-- standardize with promo.scaler and promo.standardize.
--
-- RFM: among the users with orders, each of recency (reversed: recent is
-- high), frequency and monetary scores 1 + floor(5 u), u the share of those
-- users with a lower value plus half the share with an equal one.  With
-- distinct values and a multiple of 5 users this is ntile(5); unlike
-- ntile, equal values share a score whatever the row order.  Users without
-- orders score 1 in each.  Tiers: high when the sum is 12 or more, low
-- when it is 6 or less, normal otherwise.

CREATE FUNCTION _check_contract(rel regclass, contract text, columns text[],
	types regtype[], required bool[]) RETURNS bool[]
	AS 'MODULE_PATHNAME', 'promo_check_contract_sql'
	LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

-- Its dynamic SQL formats only regclass arguments (printed quoted and
-- schema-qualified as needed, so %s is the right conversion, not %I) and
-- fragments chosen from constants in the body; values go in through USING.
CREATE FUNCTION user_features(events regclass, orders regclass, items regclass,
	as_of timestamptz DEFAULT now(), users regclass DEFAULT NULL)
	RETURNS TABLE (user_id bigint, views bigint, carts bigint,
		purchases bigint, ratings bigint, conversion_rate float8,
		recency_days float8, frequency bigint, monetary float8,
		avg_discount float8, avg_basket_value float8, category_share jsonb)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED ROWS 10000
AS $function$
DECLARE
	duplicate text;
	ord bool[];					-- which optional orders columns there are
	people text;
BEGIN
	IF events IS NULL OR orders IS NULL OR items IS NULL OR as_of IS NULL THEN
		RETURN;
	END IF;
	PERFORM promo._check_contract(events, 'events',
		'{user_id,item_id,event_type,event_time}',
		'{bigint,bigint,text,timestamptz}', '{t,t,t,t}');
	ord := promo._check_contract(orders, 'orders',
		'{user_id,order_time,price_paid,quantity,discount,order_id}',
		ARRAY['bigint', 'timestamptz', 'float8', 'float8', 'float8', '"any"']::regtype[],
		'{t,t,t,f,f,f}');
	PERFORM promo._check_contract(items, 'items', '{item_id,category}',
		'{bigint,text}', '{t,t}');
	IF users IS NOT NULL THEN
		PERFORM promo._check_contract(users, 'users', '{user_id}', '{bigint}', '{t}');
	END IF;

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

	people := 'SELECT user_id FROM by_user UNION SELECT user_id FROM by_orders';
	IF users IS NOT NULL THEN
		people := people || format(' UNION SELECT u.user_id::bigint FROM %s u '
								   'WHERE u.user_id IS NOT NULL', users);
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
				   sum(o.price_paid * %4$s)::float8 AS monetary,
				   %5$s AS avg_discount,
				   %6$s AS baskets
			FROM %3$s o
			WHERE o.order_time < $1 AND o.user_id IS NOT NULL
			GROUP BY o.user_id
		),
		people AS (%7$s)
		SELECT p.user_id,
			   coalesce(b.views, 0), coalesce(b.carts, 0),
			   coalesce(b.purchases, 0), coalesce(b.ratings, 0),
			   CASE WHEN b.views > 0 THEN b.purchases::float8 / b.views ELSE 0 END,
			   (extract(epoch FROM $1 - o.last_order) / 86400)::float8,
			   coalesce(o.frequency, 0), coalesce(o.monetary, 0),
			   %8$s,
			   o.monetary / o.baskets,
			   coalesce(s.category_share, '{}'::jsonb)
		FROM people p
		LEFT JOIN by_user b USING (user_id)
		LEFT JOIN by_orders o USING (user_id)
		LEFT JOIN shares s USING (user_id)
		ORDER BY p.user_id
	$query$, events, items, orders,
		CASE WHEN ord[4] THEN 'o.quantity' ELSE '1' END,
		CASE WHEN ord[5] THEN 'avg(o.discount)::float8' ELSE 'NULL::float8' END,
		CASE WHEN ord[6] THEN 'count(DISTINCT o.order_id) + count(*) FILTER (WHERE o.order_id IS NULL)'
			 ELSE 'count(*)' END,
		people,
		CASE WHEN ord[5] THEN 'coalesce(o.avg_discount, 0)' ELSE 'NULL::float8' END)
		USING as_of;
END
$function$;

-- The funnel order of an event type: view 1, cart 2, purchase 3, rating 4.
CREATE FUNCTION funnel_step(event_type text) RETURNS int
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN array_position(ARRAY['view', 'cart', 'purchase', 'rating'],
						  promo.check_event_type(event_type));

-- A category_share object as a vector in the order of categories.
CREATE FUNCTION category_vector(category_share jsonb, categories text[])
	RETURNS float8[]
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $function$
BEGIN
	IF jsonb_typeof(category_share) <> 'object' THEN
		RAISE EXCEPTION 'category_share must be a JSON object'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF array_ndims(categories) > 1 THEN
		RAISE EXCEPTION 'categories must be a one-dimensional array'
			USING ERRCODE = 'array_subscript_error';
	END IF;
	IF array_position(categories, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'categories must not contain NULL elements'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN coalesce((SELECT array_agg(coalesce((category_share ->> c)::float8, 0) ORDER BY i)
					 FROM unnest(categories) WITH ORDINALITY u(c, i)),
					'{}');
END
$function$;

CREATE FUNCTION winsorize(x float8, lo float8, hi float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_winsorize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION clip(x float8[], lo float8[], hi float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_clip'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The RFM scoring query over a FROM item with the columns user_id,
-- recency_days, frequency and monetary of promo.user_features.
CREATE FUNCTION _rfm_query(features text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $function$
	-- Quintile score of a value among the buyers: 1 + floor(5 u), u the
	-- mid-rank share (values below plus half the ties, over the buyers);
	-- rank() - 1 counts the values below, count(*) the values up to the
	-- current one including its ties.
	SELECT format($query$
		WITH rfm_f AS (
			SELECT uf.user_id::bigint AS user_id, uf.frequency > 0 AS buyer,
				   uf.recency_days, uf.frequency, uf.monetary
			FROM %s uf
		),
		rfm_scored AS (
			SELECT f.user_id,
				   CASE WHEN f.buyer THEN 1 + 5 * (rank() OVER r - 1 + count(*) OVER r)
							/ (2 * count(*) OVER b) ELSE 1 END::int AS r_score,
				   CASE WHEN f.buyer THEN 1 + 5 * (rank() OVER q - 1 + count(*) OVER q)
							/ (2 * count(*) OVER b) ELSE 1 END::int AS f_score,
				   CASE WHEN f.buyer THEN 1 + 5 * (rank() OVER m - 1 + count(*) OVER m)
							/ (2 * count(*) OVER b) ELSE 1 END::int AS m_score
			FROM rfm_f f
			WINDOW b AS (PARTITION BY f.buyer),
				   r AS (b ORDER BY f.recency_days DESC),
				   q AS (b ORDER BY f.frequency),
				   m AS (b ORDER BY f.monetary)
		)
		SELECT s.user_id, s.r_score, s.f_score, s.m_score,
			   s.r_score + s.f_score + s.m_score AS rfm_score,
			   CASE WHEN s.r_score + s.f_score + s.m_score >= 12 THEN 'high'
					WHEN s.r_score + s.f_score + s.m_score <= 6 THEN 'low'
					ELSE 'normal' END AS tier
		FROM rfm_scored s
		ORDER BY s.user_id
	$query$, features)
$function$;

CREATE FUNCTION rfm_tiers(events regclass, orders regclass, items regclass,
	as_of timestamptz DEFAULT now(), users regclass DEFAULT NULL)
	RETURNS TABLE (user_id bigint, r_score int, f_score int, m_score int,
		rfm_score int, tier text)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED ROWS 10000
AS $function$
BEGIN
	RETURN QUERY EXECUTE promo._rfm_query('promo.user_features($1, $2, $3, $4, $5)')
		USING events, orders, items, as_of, users;
END
$function$;

CREATE FUNCTION rfm_tiers(features regclass)
	RETURNS TABLE (user_id bigint, r_score int, f_score int, m_score int,
		rfm_score int, tier text)
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED ROWS 10000
AS $function$
BEGIN
	PERFORM promo._check_contract(features, 'features',
		'{user_id,recency_days,frequency,monetary}',
		'{bigint,float8,float8,float8}', '{t,t,t,t}');
	RETURN QUERY EXECUTE promo._rfm_query(features::text);
END
$function$;

COMMENT ON FUNCTION _check_contract(regclass, text, text[], regtype[], bool[]) IS
	'error unless rel has each required column, every column it has of a type that converts implicitly to the contract type; returns which columns rel has';
COMMENT ON FUNCTION user_features(regclass, regclass, regclass, timestamptz, regclass) IS
	'per-user behaviour features from events, orders and items relations of the documented input contracts, counting only rows before as_of; every user of users comes out';
COMMENT ON FUNCTION funnel_step(text) IS
	'the funnel order of an event type (view 1, cart 2, purchase 3, rating 4): the tie rule for events at the same time';
COMMENT ON FUNCTION category_vector(jsonb, text[]) IS
	'the shares of a category_share object in the order of categories, 0 for a category it lacks';
COMMENT ON FUNCTION winsorize(float8, float8, float8) IS
	'x clipped to [lo, hi]; infinite bounds clip on one side only';
COMMENT ON FUNCTION clip(float8[], float8[], float8[]) IS
	'x clipped element by element to [lo[i], hi[i]]; NULL elements of x stay NULL';
COMMENT ON FUNCTION _rfm_query(text) IS
	'the RFM scoring query of promo.rfm_tiers over a FROM item with user_id, recency_days, frequency and monetary';
COMMENT ON FUNCTION rfm_tiers(regclass, regclass, regclass, timestamptz, regclass) IS
	'recency, frequency and monetary quintile scores (1..5, among users with orders; 1 without) and the tier: high when their sum is at least 12, low when at most 6, else normal';
COMMENT ON FUNCTION rfm_tiers(regclass) IS
	'RFM scores and tiers of the users of a features relation computed by promo.user_features';
