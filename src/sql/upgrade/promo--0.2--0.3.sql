-- promo 0.2 -> 0.3: only what changed. Hand-written; the upgrade test checks
-- that 0.2 updated with this script has the catalogue of a fresh 0.3.
\echo Use "ALTER EXTENSION promo UPDATE TO '0.3'" to load this file. \quit

-- Aggregate support functions take a leading underscore, out of the user's way.
ALTER FUNCTION kmeans_accum(internal, float8[], int) RENAME TO _kmeans_accum;
ALTER FUNCTION kmeans_accum(internal, float8[], int, jsonb) RENAME TO _kmeans_accum;
ALTER FUNCTION kmeans_combine(internal, internal) RENAME TO _kmeans_combine;
ALTER FUNCTION kmeans_serialize(internal) RENAME TO _kmeans_serialize;
ALTER FUNCTION kmeans_deserialize(bytea, internal) RENAME TO _kmeans_deserialize;
ALTER FUNCTION kmeans_final(internal) RENAME TO _kmeans_final;
ALTER FUNCTION kmeans_step_accum(float8[], float8[], float8[]) RENAME TO _kmeans_step_accum;
ALTER FUNCTION kmeans_step_accum(float8[], float8[], float8[], float8[]) RENAME TO _kmeans_step_accum;
ALTER FUNCTION kmeans_step_combine(float8[], float8[]) RENAME TO _kmeans_step_combine;
ALTER FUNCTION kmeans_step_final(float8[]) RENAME TO _kmeans_step_final;
ALTER FUNCTION silhouette_accum(float8[], float8[], model) RENAME TO _silhouette_accum;
ALTER FUNCTION silhouette_combine(float8[], float8[]) RENAME TO _silhouette_combine;
ALTER FUNCTION silhouette_final(float8[]) RENAME TO _silhouette_final;
ALTER FUNCTION linreg_accum(float8[], float8, float8[]) RENAME TO _linreg_accum;
ALTER FUNCTION linreg_combine(float8[], float8[]) RENAME TO _linreg_combine;
ALTER FUNCTION linreg_final(float8[]) RENAME TO _linreg_final;
ALTER FUNCTION transitions_accum(float8[], text) RENAME TO _transitions_accum;
ALTER FUNCTION transitions_combine(float8[], float8[]) RENAME TO _transitions_combine;
ALTER FUNCTION transitions_final(float8[]) RENAME TO _transitions_final;
ALTER FUNCTION transitions_sum_accum(float8[], float8[]) RENAME TO _transitions_sum_accum;
ALTER FUNCTION transitions_sum_combine(float8[], float8[]) RENAME TO _transitions_sum_combine;
ALTER FUNCTION transitions_sum_final(float8[]) RENAME TO _transitions_sum_final;
ALTER FUNCTION scaler_accum(float8[], float8[]) RENAME TO _scaler_accum;
ALTER FUNCTION scaler_combine(float8[], float8[]) RENAME TO _scaler_combine;
ALTER FUNCTION scaler_final(float8[]) RENAME TO _scaler_final;

-- Input contracts: column checks, users without activity, basket values,
-- category vectors, the funnel tie rule, profiles from computed features.
DROP FUNCTION segment_profiles(regclass, regclass, regclass, regclass, timestamptz);
DROP FUNCTION rfm_tiers(regclass, regclass, regclass, timestamptz);
DROP FUNCTION user_features(regclass, regclass, regclass, timestamptz);

CREATE FUNCTION _check_contract(rel regclass, contract text, columns text[],
	types regtype[], required bool[]) RETURNS bool[]
	AS 'MODULE_PATHNAME', 'promo_check_contract_sql'
	LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

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
COMMENT ON FUNCTION _rfm_query(text) IS
	'the RFM scoring query of promo.rfm_tiers over a FROM item with user_id, recency_days, frequency and monetary';
COMMENT ON FUNCTION rfm_tiers(regclass, regclass, regclass, timestamptz, regclass) IS
	'recency, frequency and monetary quintile scores (1..5, among users with orders; 1 without) and the tier: high when their sum is at least 12, low when at most 6, else normal';
COMMENT ON FUNCTION rfm_tiers(regclass) IS
	'RFM scores and tiers of the users of a features relation computed by promo.user_features';

-- Profiles from a features relation, or (features NULL) from the features
-- promo.user_features computes from events, orders and items as of as_of.
-- JIT is off: the planner's estimates over the jsonb shares and the CTEs
-- are orders of magnitude above the real row counts, and buy a JIT
-- compilation that takes longer than the query (3 s against 0.5 s for
-- 10,000 users).
CREATE FUNCTION _segment_profiles(assignments regclass, features regclass,
	events regclass, orders regclass, items regclass, as_of timestamptz)
	RETURNS TABLE (segment int, users bigint, share float8, views float8,
		carts float8, purchases float8, conversion_rate float8,
		recency_days float8, frequency float8, monetary float8,
		avg_discount float8, avg_basket_value float8, top_categories text[],
		tier_mix jsonb)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED ROWS 10 SET jit = off
AS $function$
DECLARE
	source text;
	bad text;
	missing bigint;
BEGIN
	PERFORM promo._check_contract(assignments, 'assignments', '{user_id,segment}',
		'{bigint,bigint}', '{t,t}');
	-- A regclass prints as a quoted name that resolves to the same
	-- relation under this call's search_path: it goes into the queries as is.
	EXECUTE format('SELECT user_id::text FROM %s WHERE segment IS NOT NULL '
				   'GROUP BY user_id HAVING count(DISTINCT segment) > 1 '
				   'ORDER BY user_id LIMIT 1', assignments) INTO bad;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'user_id % is assigned to more than one segment in %', bad, assignments
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give each user one segment.';
	END IF;
	IF features IS NULL THEN
		source := 'promo.user_features($1, $2, $3, $4, $5)';
	ELSE
		PERFORM promo._check_contract(features, 'features',
			'{user_id,views,carts,purchases,conversion_rate,recency_days,frequency,'
			'monetary,avg_discount,avg_basket_value,category_share}',
			'{bigint,float8,float8,float8,float8,float8,float8,float8,float8,float8,jsonb}',
			'{t,t,t,t,t,t,t,t,t,t,t}');
		EXECUTE format('SELECT count(DISTINCT a.user_id) FROM %s a WHERE a.segment IS NOT NULL '
					   'AND NOT EXISTS (SELECT FROM %s f WHERE f.user_id = a.user_id)',
					   assignments, features) INTO missing;
		IF missing > 0 THEN
			RAISE EXCEPTION '% assigned users of % have no row in %', missing, assignments, features
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Compute the features with promo.user_features(..., users => ...) '
							 'so that every assigned user has a row.';
		END IF;
		source := features::text;
	END IF;

	RETURN QUERY EXECUTE format($query$
		WITH a AS (
			SELECT DISTINCT user_id::bigint AS user_id, segment::int AS segment
			FROM %1$s WHERE segment IS NOT NULL AND user_id IS NOT NULL
		),
		u AS MATERIALIZED (
			SELECT uf.user_id::bigint AS user_id, uf.views, uf.carts, uf.purchases,
				   uf.conversion_rate, uf.recency_days, uf.frequency, uf.monetary,
				   uf.avg_discount, uf.avg_basket_value, uf.category_share
			FROM %2$s uf
		),
		f AS (
			SELECT a.segment, u.*
			FROM a JOIN u USING (user_id)
		),
		r AS (%3$s),
		cats AS (
			SELECT s.segment, array_agg(s.category ORDER BY s.r) AS top
			FROM (SELECT f.segment, c.key AS category,
						 row_number() OVER (PARTITION BY f.segment
											ORDER BY sum(c.value::float8) DESC, c.key) AS r
				  FROM f, jsonb_each_text(f.category_share) c
				  GROUP BY f.segment, c.key) s
			WHERE s.r <= 3
			GROUP BY s.segment
		),
		tiers AS (
			SELECT a.segment,
				   jsonb_build_object(
					   'high', avg((r.tier = 'high')::int)::float8,
					   'normal', avg((r.tier = 'normal')::int)::float8,
					   'low', avg((r.tier = 'low')::int)::float8) AS mix
			FROM a JOIN r USING (user_id)
			GROUP BY a.segment
		)
		SELECT f.segment, count(*)::bigint,
			   count(*)::float8 / sum(count(*)) OVER (),
			   avg(f.views)::float8, avg(f.carts)::float8, avg(f.purchases)::float8,
			   avg(f.conversion_rate)::float8, avg(f.recency_days)::float8,
			   avg(f.frequency)::float8, avg(f.monetary)::float8,
			   avg(f.avg_discount)::float8, avg(f.avg_basket_value)::float8,
			   c.top, t.mix
		FROM f
		LEFT JOIN cats c USING (segment)
		LEFT JOIN tiers t USING (segment)
		GROUP BY f.segment, c.top, t.mix
		ORDER BY f.segment
	$query$, assignments, source, promo._rfm_query('u'))
		USING events, orders, items, as_of, assignments;
END
$function$;

CREATE FUNCTION segment_profiles(assignments regclass, events regclass,
	orders regclass, items regclass, as_of timestamptz DEFAULT now())
	RETURNS TABLE (segment int, users bigint, share float8, views float8,
		carts float8, purchases float8, conversion_rate float8,
		recency_days float8, frequency float8, monetary float8,
		avg_discount float8, avg_basket_value float8, top_categories text[],
		tier_mix jsonb)
	LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED ROWS 10
AS $function$
	SELECT * FROM promo._segment_profiles(assignments, NULL, events, orders, items, as_of)
$function$;

CREATE FUNCTION segment_profiles(assignments regclass, features regclass)
	RETURNS TABLE (segment int, users bigint, share float8, views float8,
		carts float8, purchases float8, conversion_rate float8,
		recency_days float8, frequency float8, monetary float8,
		avg_discount float8, avg_basket_value float8, top_categories text[],
		tier_mix jsonb)
	LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED ROWS 10
AS $function$
	SELECT * FROM promo._segment_profiles(assignments, features, NULL, NULL, NULL, NULL)
$function$;

COMMENT ON FUNCTION _segment_profiles(regclass, regclass, regclass, regclass, regclass, timestamptz) IS
	'segment profiles of promo.segment_profiles from a features relation, or from events, orders and items when features is NULL';
COMMENT ON FUNCTION segment_profiles(regclass, regclass, regclass, regclass, timestamptz) IS
	'per segment of an assignments relation (user_id, segment): size, share, mean features in original units, top categories and RFM tier mix, from events, orders and items as of as_of';
COMMENT ON FUNCTION segment_profiles(regclass, regclass) IS
	'per segment of an assignments relation (user_id, segment): size, share, mean features, top categories and RFM tier mix, from a features relation of promo.user_features';

-- k-means: options of kmeans_fit and kmeans_choose_k left NULL take the
-- defaults of promo.kmeans, declared once in C.
CREATE OR REPLACE FUNCTION kmeans_fit(source regclass, features name, k int,
	seed bigint DEFAULT NULL, max_iter int DEFAULT NULL, tol float8 DEFAULT NULL,
	init jsonb DEFAULT NULL, sample_size int DEFAULT NULL,
	progress bool DEFAULT NULL) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_kmeans_fit'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION kmeans_fit(regclass, name, int, bigint, int, float8, jsonb, int, bool) IS
	'k-means over a table, one parallel scan per iteration; k-means++ or random seeding from a sample of sample_size rows (default 100000), or explicit init centroids; NULL options take the defaults of promo.kmeans';
CREATE OR REPLACE FUNCTION kmeans_choose_k(source regclass, features name,
	k_min int DEFAULT 2, k_max int DEFAULT 10, seed bigint DEFAULT NULL,
	max_iter int DEFAULT NULL, tol float8 DEFAULT NULL, sample_size int DEFAULT NULL,
	OUT k int, OUT inertia float8, OUT silhouette float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_kmeans_choose_k'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;

-- Models: equality, hashing and order on promo.model; promo.scaler_stats.
-- Equality, hashing and an order on the stored form: =, <>, DISTINCT,
-- GROUP BY, UNION, hash joins and count(DISTINCT model) work on models.
-- Two models are equal when their stored values are (every NaN is written
-- the same way); the order is arbitrary but total and stable.

CREATE FUNCTION model_eq(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_eq'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_ne(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_ne'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_lt(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_lt'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_le(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_le'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_gt(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_gt'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_ge(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_ge'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_cmp(a model, b model) RETURNS int
	AS 'MODULE_PATHNAME', 'promo_model_cmp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_hash(m model) RETURNS int
	AS 'MODULE_PATHNAME', 'promo_model_hash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_hash_extended(m model, seed int8) RETURNS int8
	AS 'MODULE_PATHNAME', 'promo_model_hash_extended'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR = (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES
);

CREATE OPERATOR <> (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);

CREATE OPERATOR < (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);

CREATE OPERATOR <= (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);

CREATE OPERATOR > (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE OPERATOR >= (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS model_ops
	DEFAULT FOR TYPE model USING btree AS
	OPERATOR 1 <,
	OPERATOR 2 <=,
	OPERATOR 3 =,
	OPERATOR 4 >=,
	OPERATOR 5 >,
	FUNCTION 1 model_cmp(model, model);

CREATE OPERATOR CLASS model_hash_ops
	DEFAULT FOR TYPE model USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 model_hash(model),
	FUNCTION 2 model_hash_extended(model, int8);

COMMENT ON FUNCTION model_eq(model, model) IS 'true when two models are equal: the same stored form';
COMMENT ON FUNCTION model_ne(model, model) IS 'true when two models differ';
COMMENT ON FUNCTION model_lt(model, model) IS 'an arbitrary, stable order of models, for sorting (DISTINCT)';
COMMENT ON FUNCTION model_le(model, model) IS 'an arbitrary, stable order of models, for sorting (DISTINCT)';
COMMENT ON FUNCTION model_gt(model, model) IS 'an arbitrary, stable order of models, for sorting (DISTINCT)';
COMMENT ON FUNCTION model_ge(model, model) IS 'an arbitrary, stable order of models, for sorting (DISTINCT)';
COMMENT ON FUNCTION model_cmp(model, model) IS 'btree support: -1, 0 or 1 in the arbitrary, stable order of models';
COMMENT ON FUNCTION model_hash(model) IS 'hash support: a hash of the stored form, equal for equal models';
COMMENT ON FUNCTION model_hash_extended(model, int8) IS 'hash support: a seeded 64-bit hash of the stored form';
COMMENT ON OPERATOR =(model, model) IS 'equal models: the same stored form';
COMMENT ON OPERATOR <>(model, model) IS 'different models';
COMMENT ON OPERATOR <(model, model) IS 'an arbitrary, stable order of models, for sorting';
COMMENT ON OPERATOR <=(model, model) IS 'an arbitrary, stable order of models, for sorting';
COMMENT ON OPERATOR >(model, model) IS 'an arbitrary, stable order of models, for sorting';
COMMENT ON OPERATOR >=(model, model) IS 'an arbitrary, stable order of models, for sorting';
COMMENT ON OPERATOR CLASS model_ops USING btree IS 'default btree operator class of promo.model: sorting for DISTINCT, GROUP BY and count(DISTINCT)';
COMMENT ON OPERATOR FAMILY model_ops USING btree IS 'btree operators of promo.model';
COMMENT ON OPERATOR CLASS model_hash_ops USING hash IS 'default hash operator class of promo.model: hashing for DISTINCT, GROUP BY, UNION and hash joins';
COMMENT ON OPERATOR FAMILY model_hash_ops USING hash IS 'hash operators of promo.model';

CREATE FUNCTION scaler_stats(model model,
	OUT dim int, OUT count bigint, OUT mean float8, OUT std float8,
	OUT min float8, OUT max float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_scaler_stats'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

COMMENT ON FUNCTION scaler_stats(model) IS
	'one row per dimension of a scaler model (dim 1 is x[1]): count of values, mean, sample standard deviation, min and max; NULL where undefined';

-- Logistic regression: promo.logreg, predict_link, explain; coefficients
-- and predict also take logreg models.
-- One transition function for every signature: y boolean or float8 0/1,
-- an optional weight, optional options.  The rows are held in memory.

CREATE FUNCTION _logreg_accum(state internal, y boolean, x float8[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y boolean, x float8[], options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y boolean, x float8[], weight float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y boolean, x float8[], weight float8, options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y float8, x float8[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y float8, x float8[], options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y float8, x float8[], weight float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y float8, x float8[], weight float8, options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _logreg_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _logreg_final(state internal) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE logreg(y boolean, x float8[]) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y boolean, x float8[], options jsonb) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y boolean, x float8[], weight float8) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y boolean, x float8[], weight float8, options jsonb) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y float8, x float8[]) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y float8, x float8[], options jsonb) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y float8, x float8[], weight float8) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y float8, x float8[], weight float8, options jsonb) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE FUNCTION predict_link(model model, x float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_predict_link'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION explain(model model, x float8[],
	OUT feature int, OUT value float8, OUT contribution float8, OUT name text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_explain'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

COMMENT ON FUNCTION _logreg_accum(internal, boolean, float8[]) IS
	'transition function of promo.logreg: keeps the row; a NULL y, x, element of x skips it';
COMMENT ON FUNCTION _logreg_accum(internal, boolean, float8[], jsonb) IS
	'transition function of promo.logreg: keeps the row; a NULL y, x, element of x skips it';
COMMENT ON FUNCTION _logreg_accum(internal, boolean, float8[], float8) IS
	'transition function of promo.logreg: keeps the row, with its weight; a NULL y, x, element of x or weight skips it';
COMMENT ON FUNCTION _logreg_accum(internal, boolean, float8[], float8, jsonb) IS
	'transition function of promo.logreg: keeps the row, with its weight; a NULL y, x, element of x or weight skips it';
COMMENT ON FUNCTION _logreg_accum(internal, float8, float8[]) IS
	'transition function of promo.logreg: keeps the row; a NULL y, x, element of x skips it';
COMMENT ON FUNCTION _logreg_accum(internal, float8, float8[], jsonb) IS
	'transition function of promo.logreg: keeps the row; a NULL y, x, element of x skips it';
COMMENT ON FUNCTION _logreg_accum(internal, float8, float8[], float8) IS
	'transition function of promo.logreg: keeps the row, with its weight; a NULL y, x, element of x or weight skips it';
COMMENT ON FUNCTION _logreg_accum(internal, float8, float8[], float8, jsonb) IS
	'transition function of promo.logreg: keeps the row, with its weight; a NULL y, x, element of x or weight skips it';
COMMENT ON FUNCTION _logreg_combine(internal, internal) IS
	'combine function of promo.logreg: appends the rows of a partial state';
COMMENT ON FUNCTION _logreg_serialize(internal) IS
	'serializes a promo.logreg state for parallel workers';
COMMENT ON FUNCTION _logreg_deserialize(bytea, internal) IS
	'deserializes a promo.logreg state';
COMMENT ON FUNCTION _logreg_final(internal) IS
	'final function of promo.logreg: fits the rows held by IRLS';
COMMENT ON AGGREGATE logreg(boolean, float8[]) IS
	'logistic regression of y on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial))';
COMMENT ON AGGREGATE logreg(boolean, float8[], jsonb) IS
	'logistic regression of y on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); options max_iter, tol, lambda (L2 penalty, intercept not penalized)';
COMMENT ON AGGREGATE logreg(boolean, float8[], float8) IS
	'logistic regression of y on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); rows weighted by weight >= 0';
COMMENT ON AGGREGATE logreg(boolean, float8[], float8, jsonb) IS
	'logistic regression of y on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); rows weighted by weight >= 0; options max_iter, tol, lambda (L2 penalty, intercept not penalized)';
COMMENT ON AGGREGATE logreg(float8, float8[]) IS
	'logistic regression of y (0 or 1) on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial))';
COMMENT ON AGGREGATE logreg(float8, float8[], jsonb) IS
	'logistic regression of y (0 or 1) on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); options max_iter, tol, lambda (L2 penalty, intercept not penalized)';
COMMENT ON AGGREGATE logreg(float8, float8[], float8) IS
	'logistic regression of y (0 or 1) on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); rows weighted by weight >= 0';
COMMENT ON AGGREGATE logreg(float8, float8[], float8, jsonb) IS
	'logistic regression of y (0 or 1) on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); rows weighted by weight >= 0; options max_iter, tol, lambda (L2 penalty, intercept not penalized)';
COMMENT ON FUNCTION predict_link(model, float8[]) IS
	'the prediction of a linreg or logreg model for x in link space: logreg''s log-odds, linreg''s fitted value';
COMMENT ON FUNCTION explain(model, float8[]) IS
	'contributions to predict_link of a linreg or logreg model: feature 0 the baseline, then coefficient * (value - training mean) per feature (linreg: mean 0); they sum to the link; name is (baseline), then the feature names (NULL when the model has no names)';
COMMENT ON FUNCTION predict(model, float8[]) IS
	'the model''s prediction for feature vector x (linreg: the fitted value; logreg: the probability of y = 1)';

-- Classifier and regression metrics (auc, log_loss, brier, calibration,
-- regression_metrics) and the train/test split in_sample: new objects.

CREATE FUNCTION _auc_accum(state internal, score float8, label boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_auc_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _auc_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_auc_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _auc_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_auc_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _auc_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_auc_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _auc_final(state internal) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_auc_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE auc(score float8, label boolean) (
	SFUNC = _auc_accum,
	STYPE = internal,
	COMBINEFUNC = _auc_combine,
	SERIALFUNC = _auc_serialize,
	DESERIALFUNC = _auc_deserialize,
	FINALFUNC = _auc_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

CREATE FUNCTION _probability_accum(state float8[], p float8, label boolean) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_probability_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _probability_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_probability_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _log_loss_final(state float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_log_loss_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _brier_final(state float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_brier_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE log_loss(p float8, label boolean) (
	SFUNC = _probability_accum,
	STYPE = float8[],
	COMBINEFUNC = _probability_combine,
	FINALFUNC = _log_loss_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE brier(p float8, label boolean) (
	SFUNC = _probability_accum,
	STYPE = float8[],
	COMBINEFUNC = _probability_combine,
	FINALFUNC = _brier_final,
	PARALLEL = SAFE
);

CREATE FUNCTION _calib_accum(state float8[], p float8, label boolean, bins int) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_calib_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _calib_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_calib_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _calib_final(state float8[]) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'promo_calib_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE calibration(p float8, label boolean, bins int) (
	SFUNC = _calib_accum,
	STYPE = float8[],
	COMBINEFUNC = _calib_combine,
	FINALFUNC = _calib_final,
	PARALLEL = SAFE
);

CREATE TYPE regression_metrics_result AS (n bigint, rmse float8, mae float8, r2 float8);

CREATE FUNCTION _regression_metrics_accum(state float8[], prediction float8, actual float8) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_regression_metrics_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _regression_metrics_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_regression_metrics_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _regression_metrics_final(state float8[]) RETURNS regression_metrics_result
	AS 'MODULE_PATHNAME', 'promo_regression_metrics_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE regression_metrics(prediction float8, actual float8) (
	SFUNC = _regression_metrics_accum,
	STYPE = float8[],
	COMBINEFUNC = _regression_metrics_combine,
	FINALFUNC = _regression_metrics_final,
	PARALLEL = SAFE
);

CREATE FUNCTION in_sample(key anyelement, fraction float8, seed int) RETURNS boolean
	AS 'MODULE_PATHNAME', 'promo_in_sample'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION _auc_accum(internal, float8, boolean) IS
	'transition function of promo.auc: keeps the row, skips it when score or label is NULL';
COMMENT ON FUNCTION _auc_combine(internal, internal) IS
	'combine function of promo.auc: appends the rows of a partial state';
COMMENT ON FUNCTION _auc_serialize(internal) IS
	'serializes a promo.auc state for parallel workers';
COMMENT ON FUNCTION _auc_deserialize(bytea, internal) IS
	'deserializes a promo.auc state, checking every row';
COMMENT ON FUNCTION _auc_final(internal) IS
	'final function of promo.auc: the Mann-Whitney statistic';
COMMENT ON AGGREGATE auc(float8, boolean) IS
	'ROC AUC of score for label: the share of (positive, negative) pairs ranked right, a tie counting one half; NULL when only one label is present; holds its rows (promo.max_memory)';
COMMENT ON FUNCTION _probability_accum(float8[], float8, boolean) IS
	'transition function of promo.log_loss and promo.brier: adds the row, skips it when p or label is NULL';
COMMENT ON FUNCTION _probability_combine(float8[], float8[]) IS
	'combine function of promo.log_loss and promo.brier: adds two partial states';
COMMENT ON FUNCTION _log_loss_final(float8[]) IS
	'final function of promo.log_loss: the mean log loss';
COMMENT ON FUNCTION _brier_final(float8[]) IS
	'final function of promo.brier: the mean squared error of the probabilities';
COMMENT ON AGGREGATE log_loss(float8, boolean) IS
	'mean log loss of probabilities p in [0, 1] for label, p clipped to [eps, 1 - eps] as scikit-learn does';
COMMENT ON AGGREGATE brier(float8, boolean) IS
	'Brier score: mean squared error of probabilities p in [0, 1] for label';
COMMENT ON FUNCTION _calib_accum(float8[], float8, boolean, int) IS
	'transition function of promo.calibration: counts the row in its bin, skips it when p or label is NULL';
COMMENT ON FUNCTION _calib_combine(float8[], float8[]) IS
	'combine function of promo.calibration: adds two partial states of as many bins';
COMMENT ON FUNCTION _calib_final(float8[]) IS
	'final function of promo.calibration: one jsonb object per bin';
COMMENT ON AGGREGATE calibration(float8, boolean, int) IS
	'calibration curve of probabilities p for label in bins equal-width bins of [0, 1]: a jsonb array of {bin, lo, hi, count, mean_p, rate}, mean_p and rate null for an empty bin';
COMMENT ON TYPE regression_metrics_result IS
	'result of promo.regression_metrics: rows, root mean squared error, mean absolute error, r2';
COMMENT ON FUNCTION _regression_metrics_accum(float8[], float8, float8) IS
	'transition function of promo.regression_metrics: adds the row, skips it when prediction or actual is NULL';
COMMENT ON FUNCTION _regression_metrics_combine(float8[], float8[]) IS
	'combine function of promo.regression_metrics: merges two partial states';
COMMENT ON FUNCTION _regression_metrics_final(float8[]) IS
	'final function of promo.regression_metrics: n, RMSE, MAE and r2';
COMMENT ON AGGREGATE regression_metrics(float8, float8) IS
	'(n, rmse, mae, r2) of predictions against actual values; r2 = 1 - SSE / SST, NULL when actual is constant';
COMMENT ON FUNCTION in_sample(anyelement, float8, int) IS
	'deterministic train/test split: true for about fraction of the keys, by the hash of the key with seed; the same key is always on the same side';

-- Privileges: every role may use the schema (functions run as the caller).
GRANT USAGE ON SCHEMA promo TO PUBLIC;

-- ---------------------------------------------------------------------
-- Logistic regression over a table: logreg_step and logreg_fit
-- ---------------------------------------------------------------------
CREATE FUNCTION _logreg_step_accum(state float8[], y float8, x float8[], weight float8,
	coef float8[], center float8[], scale float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_logreg_step_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_step_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_logreg_step_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _logreg_step_final(state float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_logreg_step_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE logreg_step(y float8, x float8[], weight float8,
	coef float8[], center float8[], scale float8[]) (
	SFUNC = _logreg_step_accum,
	STYPE = float8[],
	COMBINEFUNC = _logreg_step_combine,
	FINALFUNC = _logreg_step_final,
	PARALLEL = SAFE
);

CREATE FUNCTION logreg_fit(source regclass, target name, features name,
	weight name DEFAULT NULL, options jsonb DEFAULT NULL, names text[] DEFAULT NULL) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_logreg_fit_table'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION _logreg_step_accum(float8[], float8, float8[], float8, float8[], float8[], float8[]) IS
	'transition function of promo.logreg_step: adds the row evaluated at coef; a NULL y, x, element of x or weight skips it';
COMMENT ON FUNCTION _logreg_step_combine(float8[], float8[]) IS
	'combine function of promo.logreg_step: adds two passes at the same coefficients';
COMMENT ON FUNCTION _logreg_step_final(float8[]) IS
	'final function of promo.logreg_step: the checked state';
COMMENT ON AGGREGATE logreg_step(float8, float8[], float8, float8[], float8[], float8[]) IS
	'one IRLS pass of logistic regression: X''WX, X''Wz, deviance and counts of the rows (y 0 or 1, weight >= 0) at coefficients coef (intercept first, on the features standardized by center and scale; NULL: glm''s starting values)';
COMMENT ON FUNCTION logreg_fit(regclass, name, name, name, jsonb, text[]) IS
	'logistic regression of a boolean or 0/1 target column on a float8[] features column of a table, optionally weighted by a weight column: the model of promo.logreg, read by one parallel scan per Newton step; options as promo.logreg; names, one per element of features, are kept in the model';

-- ---------------------------------------------------------------------
-- Feature names carried in models: with_names, feature_names, the names
-- signatures of linreg and logreg, a name column in coefficients (whose
-- result columns change, so it is dropped and created again)
-- ---------------------------------------------------------------------

CREATE FUNCTION with_names(model model, names text[]) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_with_names'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION feature_names(model model) RETURNS text[]
	AS 'MODULE_PATHNAME', 'promo_feature_names'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION with_names(model, text[]) IS
	'the model (of any kind) carrying feature names, one per feature: distinct, not empty, at most 255 bytes each; they replace any names it had';
COMMENT ON FUNCTION feature_names(model) IS
	'the model''s feature names, one per feature, or NULL when it has none';

CREATE FUNCTION _linreg_named_accum(state internal, y float8, x float8[], names text[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_linreg_named_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _linreg_named_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_linreg_named_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _linreg_named_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_linreg_named_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _linreg_named_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_linreg_named_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _linreg_named_final(state internal) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_linreg_named_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE linreg(y float8, x float8[], names text[]) (
	SFUNC = _linreg_named_accum,
	STYPE = internal,
	COMBINEFUNC = _linreg_named_combine,
	SERIALFUNC = _linreg_named_serialize,
	DESERIALFUNC = _linreg_named_deserialize,
	FINALFUNC = _linreg_named_final,
	PARALLEL = SAFE
);

-- A view or function that uses promo.coefficients would keep the old
-- columns: the update stops and names them, to be dropped before it and
-- created again after it.
DO $$
DECLARE
	users text;
BEGIN
	-- A view depends through its rewrite rule: name the view.
	SELECT string_agg(DISTINCT coalesce(pg_describe_object('pg_class'::regclass, r.ev_class, 0),
										pg_describe_object(d.classid, d.objid, d.objsubid)), ', ')
	INTO users
	FROM pg_depend d
	LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
	WHERE d.refclassid = 'pg_proc'::regclass
	  AND d.refobjid = 'coefficients(model)'::regprocedure
	  AND d.deptype = 'n';
	IF users IS NOT NULL THEN
		RAISE EXCEPTION 'promo 0.3 adds a column to promo.coefficients, which % uses', users
			USING HINT = 'Drop them, run ALTER EXTENSION promo UPDATE, then create them again.',
				  ERRCODE = 'dependent_objects_still_exist';
	END IF;
END
$$;
DROP FUNCTION coefficients(model);

CREATE FUNCTION coefficients(model model,
	OUT term int, OUT estimate float8, OUT std_error float8,
	OUT t_value float8, OUT p_value float8, OUT name text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_coefficients'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

COMMENT ON FUNCTION _linreg_named_accum(internal, float8, float8[], text[]) IS
	'transition function of promo.linreg with names: buffers a row, or counts it skipped when y or x has a NULL; the names must be the same on every row';
COMMENT ON FUNCTION _linreg_named_combine(internal, internal) IS
	'combine function of promo.linreg with names: merges two partial states with the same names';
COMMENT ON FUNCTION _linreg_named_serialize(internal) IS
	'serializes a promo.linreg state with names for parallel workers';
COMMENT ON FUNCTION _linreg_named_deserialize(bytea, internal) IS
	'deserializes a promo.linreg state with names';
COMMENT ON FUNCTION _linreg_named_final(internal) IS
	'final function of promo.linreg with names: fits the model and gives it the names';
COMMENT ON AGGREGATE linreg(float8, float8[], text[]) IS
	'ordinary least squares of y on x with an intercept (term 0), with the statistics of R''s summary(lm); names (one per element of x, the same on every row) are kept in the model';
COMMENT ON FUNCTION coefficients(model) IS
	'one row per term of a linreg or logreg model (term 0 is the intercept): estimate, standard error, t value (logreg: z value), two-sided p value, and the term''s name ((intercept), then the feature names; NULL when the model has no names)';

CREATE FUNCTION _logreg_accum(state internal, y boolean, x float8[], names text[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y boolean, x float8[], names text[], options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y boolean, x float8[], weight float8, names text[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y boolean, x float8[], weight float8, names text[], options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y float8, x float8[], names text[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y float8, x float8[], names text[], options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y float8, x float8[], weight float8, names text[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_accum(state internal, y float8, x float8[], weight float8, names text[], options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_logreg_agg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE logreg(y boolean, x float8[], names text[]) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y boolean, x float8[], names text[], options jsonb) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y boolean, x float8[], weight float8, names text[]) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y boolean, x float8[], weight float8, names text[], options jsonb) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y float8, x float8[], names text[]) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y float8, x float8[], names text[], options jsonb) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y float8, x float8[], weight float8, names text[]) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE logreg(y float8, x float8[], weight float8, names text[], options jsonb) (
	SFUNC = _logreg_accum,
	STYPE = internal,
	COMBINEFUNC = _logreg_combine,
	SERIALFUNC = _logreg_serialize,
	DESERIALFUNC = _logreg_deserialize,
	FINALFUNC = _logreg_final,
	PARALLEL = SAFE
);

COMMENT ON FUNCTION _logreg_accum(internal, boolean, float8[], text[]) IS
	'transition function of promo.logreg: keeps the row; a NULL y, x, element of x skips it; the names must be the same on every row';
COMMENT ON FUNCTION _logreg_accum(internal, boolean, float8[], text[], jsonb) IS
	'transition function of promo.logreg: keeps the row; a NULL y, x, element of x skips it; the names must be the same on every row';
COMMENT ON FUNCTION _logreg_accum(internal, boolean, float8[], float8, text[]) IS
	'transition function of promo.logreg: keeps the row, with its weight; a NULL y, x, element of x or weight skips it; the names must be the same on every row';
COMMENT ON FUNCTION _logreg_accum(internal, boolean, float8[], float8, text[], jsonb) IS
	'transition function of promo.logreg: keeps the row, with its weight; a NULL y, x, element of x or weight skips it; the names must be the same on every row';
COMMENT ON FUNCTION _logreg_accum(internal, float8, float8[], text[]) IS
	'transition function of promo.logreg: keeps the row; a NULL y, x, element of x skips it; the names must be the same on every row';
COMMENT ON FUNCTION _logreg_accum(internal, float8, float8[], text[], jsonb) IS
	'transition function of promo.logreg: keeps the row; a NULL y, x, element of x skips it; the names must be the same on every row';
COMMENT ON FUNCTION _logreg_accum(internal, float8, float8[], float8, text[]) IS
	'transition function of promo.logreg: keeps the row, with its weight; a NULL y, x, element of x or weight skips it; the names must be the same on every row';
COMMENT ON FUNCTION _logreg_accum(internal, float8, float8[], float8, text[], jsonb) IS
	'transition function of promo.logreg: keeps the row, with its weight; a NULL y, x, element of x or weight skips it; the names must be the same on every row';
COMMENT ON AGGREGATE logreg(boolean, float8[], text[]) IS
	'logistic regression of y on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); names (one per element of x, the same on every row) are kept in the model';
COMMENT ON AGGREGATE logreg(boolean, float8[], text[], jsonb) IS
	'logistic regression of y on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); names (one per element of x, the same on every row) are kept in the model; options max_iter, tol, lambda (L2 penalty, intercept not penalized)';
COMMENT ON AGGREGATE logreg(boolean, float8[], float8, text[]) IS
	'logistic regression of y on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); rows weighted by weight >= 0; names (one per element of x, the same on every row) are kept in the model';
COMMENT ON AGGREGATE logreg(boolean, float8[], float8, text[], jsonb) IS
	'logistic regression of y on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); rows weighted by weight >= 0; names (one per element of x, the same on every row) are kept in the model; options max_iter, tol, lambda (L2 penalty, intercept not penalized)';
COMMENT ON AGGREGATE logreg(float8, float8[], text[]) IS
	'logistic regression of y (0 or 1) on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); names (one per element of x, the same on every row) are kept in the model';
COMMENT ON AGGREGATE logreg(float8, float8[], text[], jsonb) IS
	'logistic regression of y (0 or 1) on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); names (one per element of x, the same on every row) are kept in the model; options max_iter, tol, lambda (L2 penalty, intercept not penalized)';
COMMENT ON AGGREGATE logreg(float8, float8[], float8, text[]) IS
	'logistic regression of y (0 or 1) on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); rows weighted by weight >= 0; names (one per element of x, the same on every row) are kept in the model';
COMMENT ON AGGREGATE logreg(float8, float8[], float8, text[], jsonb) IS
	'logistic regression of y (0 or 1) on x with an intercept (term 0), by IRLS, with the statistics of Rs summary(glm(family = binomial)); rows weighted by weight >= 0; names (one per element of x, the same on every row) are kept in the model; options max_iter, tol, lambda (L2 penalty, intercept not penalized)';

-- ---------------------------------------------------------------------
-- Offer economics
-- ---------------------------------------------------------------------

CREATE TYPE offer_terms AS (kind text, pct float8, amount float8,
	min_basket float8, cap float8, contact_cost float8);

CREATE FUNCTION offer(kind text, pct float8 DEFAULT NULL, amount float8 DEFAULT NULL,
	min_basket float8 DEFAULT NULL, cap float8 DEFAULT NULL,
	contact_cost float8 DEFAULT 0) RETURNS offer_terms
	AS 'MODULE_PATHNAME', 'promo_offer'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION face_value(terms offer_terms, basket float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_face_value'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION expected_face_value(terms offer_terms, basket_mean float8,
	basket_sd float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_expected_face_value'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION expected_cost(terms offer_terms, p_convert float8, basket_mean float8,
	basket_sd float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_expected_cost'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION expected_margin(terms offer_terms, basket_mean float8,
	basket_sd float8, margin_rate float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_expected_margin'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION incremental_profit(terms offer_terms, p_convert float8,
	basket_mean float8, basket_sd float8, p_none float8, basket_none_mean float8,
	margin_rate float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_incremental_profit'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION offer_economics(terms offer_terms[], p_convert float8[],
	basket_mean float8[], basket_sd float8[], p_none float8, basket_none_mean float8,
	margin_rate float8, OUT value float8[], OUT cost float8[])
	AS 'MODULE_PATHNAME', 'promo_offer_economics'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON TYPE offer_terms IS
	'an offer''s kind (percent_off, amount_off, capped_percent, spend_threshold, cashback, message) and parameters; made and checked by promo.offer, checked again by every function that reads it';
COMMENT ON FUNCTION offer(text, float8, float8, float8, float8, float8) IS
	'checked offer terms: pct in (0, 1), amount, cap and a spend threshold positive, min_basket and contact_cost not negative, a spend_threshold saving at most its min_basket, no parameter the kind does not take; NULL when kind is NULL';
COMMENT ON FUNCTION face_value(offer_terms, float8) IS
	'the saving the offer gives on a basket at list prices: 1{basket >= min_basket} min(limit, rate basket), 0 for a message';
COMMENT ON FUNCTION expected_face_value(offer_terms, float8, float8) IS
	'the face value''s expectation over a lognormal basket of that mean and standard deviation (a point when basket_sd is 0), in closed form';
COMMENT ON FUNCTION expected_cost(offer_terms, float8, float8, float8) IS
	'expected cost of contacting a user: p_convert times the expected face value, plus contact_cost';
COMMENT ON FUNCTION expected_margin(offer_terms, float8, float8, float8) IS
	'margin of a converting user after the offer: basket_mean times margin_rate less the expected face value';
COMMENT ON FUNCTION incremental_profit(offer_terms, float8, float8, float8, float8, float8, float8) IS
	'expected incremental profit of the offer over no offer: p_convert (basket_mean margin_rate - expected face) - p_none basket_none_mean margin_rate - contact_cost';
COMMENT ON FUNCTION offer_economics(offer_terms[], float8[], float8[], float8[], float8, float8, float8) IS
	'incremental profit and expected cost of one user''s offers at once, element by element (NULL where the terms or an input element is NULL); the terms array is decoded once per query when it repeats';

-- logreg_fit's first scan gathers the moments of the rows, which give the
-- standardization and the first pass at once.
CREATE FUNCTION _logreg_start_accum(state float8[], y float8, x float8[], weight float8)
	RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_logreg_start_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _logreg_start_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_logreg_start_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _logreg_start_final(state float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_logreg_start_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE _logreg_start(y float8, x float8[], weight float8) (
	SFUNC = _logreg_start_accum,
	STYPE = float8[],
	COMBINEFUNC = _logreg_start_combine,
	FINALFUNC = _logreg_start_final,
	PARALLEL = SAFE
);

COMMENT ON FUNCTION _logreg_start_accum(float8[], float8, float8[], float8) IS
	'transition function of promo._logreg_start: adds the row to the moments; a NULL y, x, element of x or weight skips it';
COMMENT ON FUNCTION _logreg_start_combine(float8[], float8[]) IS
	'combine function of promo._logreg_start: merges the moments of two sets of rows';
COMMENT ON FUNCTION _logreg_start_final(float8[]) IS
	'final function of promo._logreg_start: the checked state';
COMMENT ON AGGREGATE _logreg_start(float8, float8[], float8) IS
	'the first IRLS pass of promo.logreg_fit: counts of the rows (y 0 or 1, weight >= 0), each feature''s mean and standard deviation, and the moments that give the pass at glm''s starting values';

-- ---------------------------------------------------------------------
-- Assignment: promo.assign
-- ---------------------------------------------------------------------

CREATE TYPE assignment_result AS (
	user_id bigint[],
	offer int[],
	runner_up int[],
	runner_up_value float8[],
	status text[],
	report jsonb
);

CREATE FUNCTION _assign_accum(state internal, user_id bigint, value float8[], cost float8[],
	redeem float8[], constraints jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_assign_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _assign_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_assign_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _assign_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_assign_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _assign_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_assign_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _assign_final(state internal) RETURNS assignment_result
	AS 'MODULE_PATHNAME', 'promo_assign_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE assign(user_id bigint, value float8[], cost float8[], redeem float8[],
	constraints jsonb) (
	SFUNC = _assign_accum,
	STYPE = internal,
	COMBINEFUNC = _assign_combine,
	SERIALFUNC = _assign_serialize,
	DESERIALFUNC = _assign_deserialize,
	FINALFUNC = _assign_final,
	PARALLEL = SAFE
);

COMMENT ON TYPE assignment_result IS
	'result of promo.assign: per user in ascending user_id order, the offer given (1-based array position, NULL for none), the runner-up offer and its value, the status (given, none:..., downgraded:...); and a jsonb report (spend, profit, multipliers, dual bound, gap, per-offer figures)';
COMMENT ON FUNCTION _assign_accum(internal, bigint, float8[], float8[], float8[], jsonb) IS
	'transition function of promo.assign: keeps the user''s row; NULL elements of value mark ineligible offers';
COMMENT ON FUNCTION _assign_combine(internal, internal) IS
	'combine function of promo.assign: appends the users of a partial state';
COMMENT ON FUNCTION _assign_serialize(internal) IS
	'serializes a promo.assign state for parallel workers';
COMMENT ON FUNCTION _assign_deserialize(bytea, internal) IS
	'deserializes a promo.assign state';
COMMENT ON FUNCTION _assign_final(internal) IS
	'final function of promo.assign: sorts the users by user_id and solves the assignment';
COMMENT ON AGGREGATE assign(bigint, float8[], float8[], float8[], jsonb) IS
	'at most one offer per user maximizing the sum of value (expected incremental profit) under the constraints (budget, max_contacts, offer_budget, offer_redemptions, min_roi): the Lagrangian dual of the multiple-choice knapsack, then a repair that keeps every cap; value, cost, redeem hold one element per offer';
