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

-- Scoring one user against a catalogue of offers.

CREATE FUNCTION score_offers(x float8[], terms offer_terms[], attributes float8[],
	names text[], response model[], basket model, basket_sigma float8,
	redemption float8[], margin_rate float8, eligible boolean[],
	OUT p_none float8, OUT basket_none float8, OUT p float8[], OUT value float8[],
	OUT cost float8[], OUT redeem float8[])
	AS 'MODULE_PATHNAME', 'promo_score_offers'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION score_offers(float8[], offer_terms[], float8[], text[], model[], model, float8, float8[], float8, boolean[]) IS
	'one user against k offers: P(convert) per arm from the logreg response models (no offer first), the lognormal basket from a linreg of ln(basket) with residual sd basket_sigma, and each offer''s expected incremental profit (NaN where not eligible), cost and redemptions; models read x and the offer''s row of attributes by feature name';


-- ---------------------------------------------------------------------
-- Campaigns: the offer catalogue, per-user assignment and its views
-- ---------------------------------------------------------------------
--
-- A campaign names its inputs as relations mapped onto the documented
-- contracts (README, "Campaigns"):
--   offer_history (campaign, user_id, offer_id, converted boolean,
--                  revenue, discount_cost)  one row per user exposed in a
--                  past campaign, offer_id NULL for the control arm;
--                  revenue is what the customer paid, discount_cost what
--                  the offer cost the shop, so the basket before the
--                  offer is revenue + discount_cost;
--   features (user_id, x float8[])  the users to assign and their feature
--                  vectors, or else the behaviour contract of
--                  promo.user_features (events, orders, items [, users]),
--                  from which promo builds the vector itself;
--   segments (user_id, segment int)  optional, for offer eligibility.
-- CALL promo.refresh(campaign) trains the response models, scores every
-- (user, eligible offer), assigns under the budgets and replaces the
-- campaign's rows of promo.assignments in one transaction.
--
-- The functions of the refresh pipeline (promo.refresh, promo._campaign*,
-- promo._basket_columns) build and read temporary tables and write the
-- plan: they are VOLATILE and PARALLEL UNSAFE, PostgreSQL's defaults.
--
-- The dynamic SQL of this file formats only regclass values (printed
-- quoted and schema-qualified as needed, so %s is the right conversion,
-- not %I) and fragments chosen from constants; values go in through USING.

CREATE TABLE campaigns (
	campaign text PRIMARY KEY CHECK (campaign <> ''),
	starts_at timestamptz,
	ends_at timestamptz,
	budget float8 NOT NULL CHECK (budget > 0 AND budget < 'infinity'),
	max_offers bigint CHECK (max_offers > 0),
	holdout_share float8 NOT NULL DEFAULT 0.1
		CHECK (holdout_share >= 0 AND holdout_share < 1),
	explore_share float8 NOT NULL DEFAULT 0
		CHECK (explore_share >= 0 AND explore_share < 1),
	min_roi float8 CHECK (min_roi >= 0 AND min_roi < 'infinity'),
	margin_rate float8 CHECK (margin_rate > 0 AND margin_rate <= 1),
	offer_history regclass NOT NULL,
	features regclass,
	events regclass,
	orders regclass,
	items regclass,
	users regclass,
	features_as_of timestamptz,
	segments regclass,
	response_model model,
	CHECK (ends_at > starts_at),
	CHECK (holdout_share + explore_share < 1),
	CHECK (features IS NOT NULL
		   OR (events IS NOT NULL AND orders IS NOT NULL AND items IS NOT NULL))
);

CREATE TABLE offers (
	offer_id text PRIMARY KEY CHECK (offer_id <> ''),
	campaign text REFERENCES campaigns ON UPDATE CASCADE ON DELETE CASCADE,
	kind text NOT NULL,
	pct float8,
	amount float8,
	min_basket float8,
	cap float8,
	contact_cost float8 NOT NULL DEFAULT 0,
	budget float8 CHECK (budget > 0),
	max_redemptions float8 CHECK (max_redemptions > 0),
	segments int[],
	tiers text[] CHECK (tiers <@ '{high,normal,low}'),
	customers text NOT NULL DEFAULT 'all'
		CHECK (customers IN ('all', 'new', 'returning')),
	min_expected_basket float8 CHECK (min_expected_basket >= 0),
	frequency_cap int CHECK (frequency_cap > 0),
	active boolean NOT NULL DEFAULT true,
	terms offer_terms GENERATED ALWAYS AS
		(offer(kind, pct, amount, min_basket, cap, contact_cost)) STORED
);

-- The last plan of each campaign: one row per user, replaced whole by
-- promo.refresh.
CREATE TABLE _assignment_rows (
	campaign text NOT NULL REFERENCES campaigns ON UPDATE CASCADE ON DELETE CASCADE,
	user_id bigint NOT NULL,
	offer_id text,
	grp text NOT NULL CHECK (grp IN ('treatment', 'holdout', 'explore')),
	p_convert float8,
	p_convert_none float8,
	expected_profit float8 NOT NULL,
	expected_cost float8 NOT NULL,
	reason jsonb NOT NULL,
	offer_p float8[] NOT NULL,
	offer_profit float8[] NOT NULL,
	offer_cost float8[] NOT NULL,
	offer_eligible boolean[] NOT NULL,
	PRIMARY KEY (campaign, user_id)
);

-- One row per campaign: when its plan was built and the solver's report.
CREATE TABLE _campaign_runs (
	campaign text PRIMARY KEY REFERENCES campaigns ON UPDATE CASCADE ON DELETE CASCADE,
	refreshed_at timestamptz NOT NULL,
	report jsonb NOT NULL,
	offer_ids text[] NOT NULL
);

SELECT pg_catalog.pg_extension_config_dump('campaigns', '');
SELECT pg_catalog.pg_extension_config_dump('offers', '');
SELECT pg_catalog.pg_extension_config_dump('_assignment_rows', '');
SELECT pg_catalog.pg_extension_config_dump('_campaign_runs', '');

-- The names of the behaviour features promo builds from the behaviour
-- contract, in vector order.
CREATE FUNCTION behaviour_feature_names() RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN '{log_views,log_carts,log_purchases,conversion_rate,log_recency_days,no_orders,log_frequency,log_monetary,log_avg_basket}'::text[];

-- The behaviour vector of one row of promo.user_features (unscaled):
-- counts and money on a log scale, recency 0 and a no_orders flag for
-- users who never ordered.
CREATE FUNCTION behaviour_vector(views bigint, carts bigint, purchases bigint,
	conversion_rate float8, recency_days float8, frequency bigint,
	monetary float8, avg_basket_value float8) RETURNS float8[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY[ln(1 + coalesce(views, 0)), ln(1 + coalesce(carts, 0)),
				 ln(1 + coalesce(purchases, 0)), coalesce(conversion_rate, 0),
				 ln(1 + greatest(coalesce(recency_days, 0), 0)),
				 CASE WHEN coalesce(frequency, 0) = 0 THEN 1 ELSE 0 END,
				 ln(1 + coalesce(frequency, 0)),
				 ln(1 + greatest(coalesce(monetary, 0), 0)),
				 ln(1 + greatest(coalesce(avg_basket_value, 0), 0))]::float8[];

-- The campaign's row, or an error naming the unknown campaign.
CREATE FUNCTION _campaign(name text) RETURNS campaigns
	LANGUAGE plpgsql
AS $function$
DECLARE
	c promo.campaigns;
BEGIN
	SELECT * INTO c FROM promo.campaigns WHERE campaign = name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'campaign "%" does not exist', name
			USING ERRCODE = 'undefined_object',
				  HINT = 'Insert the campaign into promo.campaigns first.';
	END IF;
	RETURN c;
END
$function$;

-- Temporary table _promo_x (user_id, x, tier, returning_customer, basket):
-- the users to assign and their feature vectors, from the campaign's
-- features relation or else built from the behaviour contract and
-- standardized by a scaler over all users; with the behaviour contract,
-- also each user's RFM tier, whether they ordered before and their mean
-- basket, for eligibility.  Returns the feature names.
CREATE FUNCTION _campaign_features(c campaigns) RETURNS text[]
	LANGUAGE plpgsql
AS $function$
DECLARE
	as_of timestamptz := coalesce(c.features_as_of, now());
	dim int;
BEGIN
	DROP TABLE IF EXISTS pg_temp._promo_x;
	CREATE TEMP TABLE _promo_x (user_id bigint PRIMARY KEY, x float8[],
		tier text, returning_customer boolean, basket float8) ON COMMIT DROP;
	IF c.features IS NOT NULL THEN
		PERFORM promo._check_contract(c.features, 'features', '{user_id,x}',
									  '{bigint,float8[]}', '{t,t}');
		EXECUTE format('INSERT INTO _promo_x (user_id, x) '
					   'SELECT f.user_id, f.x FROM %s f '
					   'WHERE f.user_id IS NOT NULL AND f.x IS NOT NULL', c.features);
	END IF;
	IF c.events IS NOT NULL THEN
		-- The features once, and the RFM tiers from them.
		DROP TABLE IF EXISTS pg_temp._promo_uf;
		CREATE TEMP TABLE _promo_uf ON COMMIT DROP AS
		SELECT * FROM promo.user_features(c.events, c.orders, c.items, as_of, c.users);
		CREATE TEMP TABLE _promo_b ON COMMIT DROP AS
		SELECT f.user_id,
			   promo.behaviour_vector(f.views, f.carts, f.purchases, f.conversion_rate,
									  f.recency_days, f.frequency, f.monetary,
									  f.avg_basket_value) AS x,
			   r.tier, f.frequency > 0 AS returning_customer, f.avg_basket_value AS basket
		FROM _promo_uf f
		JOIN promo.rfm_tiers('pg_temp._promo_uf'::regclass) r USING (user_id);
		IF c.features IS NULL THEN
			INSERT INTO _promo_x
			SELECT b.user_id, promo.standardize(b.x, s.m), b.tier,
				   b.returning_customer, b.basket
			FROM _promo_b b, (SELECT promo.scaler(x) AS m FROM _promo_b) s;
		ELSE
			UPDATE _promo_x u SET tier = b.tier, returning_customer = b.returning_customer,
								  basket = b.basket
			FROM _promo_b b WHERE b.user_id = u.user_id;
		END IF;
		DROP TABLE _promo_b, _promo_uf;
	END IF;
	SELECT min(cardinality(x)) INTO dim FROM _promo_x;
	IF dim IS NULL THEN
		RAISE EXCEPTION 'campaign "%" has no users to assign', c.campaign
			USING ERRCODE = 'no_data_found',
				  HINT = 'The features relation or the behaviour contract gives the users.';
	ELSIF dim <> (SELECT max(cardinality(x)) FROM _promo_x) THEN
		RAISE EXCEPTION 'feature vectors of % differ in length', c.features
			USING ERRCODE = 'array_subscript_error';
	END IF;
	ANALYZE _promo_x;
	IF c.features IS NULL THEN
		RETURN promo.behaviour_feature_names();
	END IF;
	RETURN (SELECT array_agg('x' || i ORDER BY i) FROM generate_series(1, dim) i);
END
$function$;

-- Temporary table _promo_offers: the campaign's active offers in offer_id
-- order (ord 1..m), with their terms and attributes for the shared model.
CREATE FUNCTION _campaign_offers(c campaigns) RETURNS int
	LANGUAGE plpgsql
AS $function$
DECLARE
	m int;
BEGIN
	DROP TABLE IF EXISTS pg_temp._promo_offers;
	CREATE TEMP TABLE _promo_offers ON COMMIT DROP AS
	SELECT row_number() OVER (ORDER BY o.offer_id)::int AS ord, o.*,
		   NULL::promo.model AS model, NULL::text AS model_source, 1::float8 AS redemption
	FROM promo.offers o
	WHERE o.active AND (o.campaign = c.campaign OR o.campaign IS NULL);
	SELECT count(*) INTO m FROM _promo_offers;
	IF m = 0 THEN
		RAISE EXCEPTION 'campaign "%" has no active offers', c.campaign
			USING ERRCODE = 'no_data_found',
				  HINT = 'Insert offers into promo.offers with this campaign or none.';
	END IF;
	RETURN m;
END
$function$;

-- The attributes of an offer the shared response model sees, relative to
-- a typical basket: kind indicators (percent_off, amount_off,
-- capped_percent, spend_threshold, cashback, message), the expected
-- saving rate at that basket and the threshold relative to it.
CREATE FUNCTION offer_attributes(terms offer_terms, basket float8) RETURNS float8[]
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN ARRAY[(terms).kind = 'percent_off', (terms).kind = 'amount_off',
				 (terms).kind = 'capped_percent', (terms).kind = 'spend_threshold',
				 (terms).kind = 'cashback', (terms).kind = 'message']::int[]::float8[]
		   || ARRAY[promo.face_value(terms, basket) / basket,
					coalesce((terms).min_basket, 0) / basket];

-- Temporary table _promo_h: the offer history joined to the users'
-- features, basket = revenue + discount_cost.  Errors when the history
-- names offers missing from the catalogue or has no control rows.
CREATE FUNCTION _campaign_history(c campaigns) RETURNS bigint
	LANGUAGE plpgsql
AS $function$
DECLARE
	unknown text;
	n bigint;
BEGIN
	PERFORM promo._check_contract(c.offer_history, 'offer_history',
		'{campaign,user_id,offer_id,converted,revenue,discount_cost}',
		ARRAY['"any"', 'bigint', '"any"', 'boolean', 'float8', 'float8']::regtype[],
		'{t,t,t,t,t,t}');
	DROP TABLE IF EXISTS pg_temp._promo_h;
	EXECUTE format($q$
		CREATE TEMP TABLE _promo_h ON COMMIT DROP AS
		SELECT h.user_id::bigint AS user_id, h.offer_id::text AS offer_id,
			   h.converted::boolean AS converted,
			   CASE WHEN h.converted THEN h.revenue::float8 + coalesce(h.discount_cost::float8, 0)
			   END AS basket,
			   coalesce(h.discount_cost::float8, 0) AS discount_cost,
			   x.x
		FROM %s h JOIN _promo_x x ON x.user_id = h.user_id::bigint
		WHERE h.converted IS NOT NULL
	$q$, c.offer_history);
	SELECT h.offer_id INTO unknown FROM _promo_h h
	WHERE h.offer_id IS NOT NULL
	  AND NOT EXISTS (SELECT 1 FROM promo.offers o WHERE o.offer_id = h.offer_id)
	LIMIT 1;
	IF unknown IS NOT NULL THEN
		RAISE EXCEPTION 'offer history % names offer "%", which is not in promo.offers',
			c.offer_history, unknown
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Every offer_id of the history must be in the catalogue (it may be inactive).';
	END IF;
	SELECT count(*) INTO n FROM _promo_h WHERE offer_id IS NULL;
	IF n = 0 THEN
		RAISE EXCEPTION 'offer history % has no control rows of the campaign''s users',
			c.offer_history
			USING ERRCODE = 'no_data_found',
				  DETAIL = 'Incremental profit is measured against users given no offer (offer_id NULL).';
	END IF;
	ANALYZE _promo_h;
	RETURN (SELECT count(*) FROM _promo_h);
END
$function$;

-- The options of every response model: a light L2 penalty keeps each fit
-- defined when a feature is constant or an arm is small.
CREATE FUNCTION _response_options() RETURNS jsonb
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN '{"lambda": 1}'::jsonb;

-- The smallest number of conversions and of non-conversions an arm of the
-- history needs for a model of its own (fewer: the shared model answers).
CREATE FUNCTION _arm_min_rows() RETURNS int
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN 30;

-- The elements of x at the positions keep, in that order.
-- (A quoted body: a polymorphic SQL function cannot have a standard one.)
CREATE FUNCTION _pick(x anyarray, keep int[]) RETURNS anyarray
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $function$
		SELECT ARRAY(SELECT x[k.i] FROM unnest(keep) WITH ORDINALITY k(i, n) ORDER BY k.n)
	$function$;

-- Of the columns keep of the features and offer attributes (xa), in
-- order, those that least squares of ln(basket) over the history's
-- conversions can use together: each column is added unless it is a
-- linear combination of those before it (there are few columns and each
-- trial fits one small cross-product matrix).
CREATE FUNCTION _basket_columns(keep int[]) RETURNS int[]
	LANGUAGE plpgsql
AS $function$
DECLARE
	chosen int[] := '{}';
	j int;
BEGIN
	FOREACH j IN ARRAY keep LOOP
		BEGIN
			PERFORM promo.linreg(ln(h.basket), promo._pick(h.xa, chosen || j))
			FROM _promo_ht h WHERE h.converted AND h.basket > 0;
			chosen := chosen || j;
		EXCEPTION WHEN data_exception THEN
			NULL;				-- collinear with the columns before it
		END;
	END LOOP;
	RETURN chosen;
END
$function$;

-- The campaign's response_model, checked against what a refresh gives it:
-- a logreg whose features are named among the user features (names) and
-- the offer attributes (promo.offer_attribute_names()), reading at least
-- one attribute; a model without names must see all of them in that order.
CREATE FUNCTION _campaign_response_model(c campaigns, names text[]) RETURNS model
	LANGUAGE plpgsql
AS $function$
DECLARE
	m promo.model := c.response_model;
	anames text[] := names || promo.offer_attribute_names();
	features int := (promo.metrics(m) ->> 'features')::int;
	unknown text;
BEGIN
	IF promo.metrics(m) ->> 'kind' <> 'logreg' THEN
		RAISE EXCEPTION 'response model of campaign "%" is a % model, not a logreg model',
			c.campaign, promo.metrics(m) ->> 'kind'
			USING ERRCODE = 'data_exception';
	END IF;
	IF promo.feature_names(m) IS NULL THEN
		IF features <> cardinality(anames) THEN
			RAISE EXCEPTION 'response model of campaign "%" has % features, the campaign gives %',
				c.campaign, features, cardinality(anames)
				USING ERRCODE = 'data_exception',
					  DETAIL = 'A model without feature names sees the user''s features followed by the offer attributes of promo.offer_attributes.',
					  HINT = 'Or fit it with names (promo.logreg(y, x, names)): it may then read any of them, in any order.';
		END IF;
		RETURN promo.with_names(m, anames);
	END IF;
	SELECT n INTO unknown FROM unnest(promo.feature_names(m)) n
	WHERE array_position(anames, n) IS NULL LIMIT 1;
	IF unknown IS NOT NULL THEN
		RAISE EXCEPTION 'response model of campaign "%" reads feature "%", which the campaign does not give',
			c.campaign, unknown
			USING ERRCODE = 'data_exception',
				  DETAIL = format('The campaign gives %s.', array_to_string(anames, ', '));
	END IF;
	IF NOT promo.feature_names(m) && promo.offer_attribute_names() THEN
		RAISE EXCEPTION 'response model of campaign "%" reads no offer attribute', c.campaign
			USING ERRCODE = 'data_exception',
				  DETAIL = 'Without one it gives every offer the same conversion probability.';
	END IF;
	RETURN m;
END
$function$;

-- The response models of a campaign, fitted on the training side of the
-- history (promo.in_sample by user, 80%) and judged on the rest: a model
-- for the control arm, one per offer with enough history, and a shared
-- model on features and offer attributes (with zero attributes for the
-- control arm) that answers for the other offers; an offer's own model is
-- kept only when its held-out log loss beats the shared model's.  Columns
-- constant over the history are left out of the fits (x_keep, shared_keep);
-- the models carry the names of their columns, which reasons show.
-- With the campaign's response_model set, that model answers for every
-- arm.  The basket: one least-squares model of ln(basket) over all
-- conversions, on the features and the offer attributes.  Returns the
-- models' report.
CREATE FUNCTION _campaign_models(c campaigns, names text[], basket_ref float8) RETURNS jsonb
	LANGUAGE plpgsql
AS $function$
DECLARE
	nattr int := 8;
	dim int := (SELECT cardinality(x) FROM _promo_x LIMIT 1);
	x_keep int[];
	shared_keep int[];
	basket_keep int[];
	anames text[] := names || promo.offer_attribute_names();
	shared promo.model;
	control promo.model;
	basket_model promo.model;
	arm record;
	conversions bigint;
	basket_sd float8;
	pooled_redemption float8;
	failed jsonb := '{}';
	report jsonb;
BEGIN
	DROP TABLE IF EXISTS pg_temp._promo_ht;
	CREATE TEMP TABLE _promo_ht ON COMMIT DROP AS
	SELECT h.*, promo.in_sample(h.user_id, 0.8, 0) AS train,
		   h.x || coalesce(promo.offer_attributes(o.terms, basket_ref),
						   array_fill(0::float8, ARRAY[nattr])) AS xa
	FROM _promo_h h
	LEFT JOIN promo.offers o USING (offer_id);
	-- Columns that vary over the history: the others cannot be learned
	-- (the user's features are the first dim columns of xa).
	SELECT coalesce(array_agg(v.j ORDER BY v.j), '{}') INTO shared_keep
	FROM (SELECT j FROM _promo_ht h, generate_subscripts(h.xa, 1) j
		  GROUP BY j HAVING min(h.xa[j]) < max(h.xa[j])) v;
	x_keep := ARRAY(SELECT j FROM unnest(shared_keep) j WHERE j <= dim);

	IF c.response_model IS NOT NULL THEN
		shared := promo._campaign_response_model(c, names);
		-- where each of its features is in xa, for the reasons
		shared_keep := ARRAY(SELECT array_position(anames, n.name)
							 FROM unnest(promo.feature_names(shared)) WITH ORDINALITY n(name, i)
							 ORDER BY n.i);
	ELSE
		SELECT promo.logreg(converted, promo._pick(xa, shared_keep),
							promo._pick(anames, shared_keep), promo._response_options())
		INTO shared FROM _promo_ht WHERE train;
		SELECT promo.logreg(converted, promo._pick(x, x_keep), promo._pick(names, x_keep),
							promo._response_options())
		INTO control FROM _promo_ht WHERE train AND offer_id IS NULL;
		-- Own models where the arm has enough history and its fit exists.
		FOR arm IN SELECT h.offer_id FROM _promo_ht h
				   WHERE h.train AND h.offer_id IS NOT NULL
				   GROUP BY h.offer_id
				   HAVING count(*) FILTER (WHERE h.converted) >= promo._arm_min_rows()
					  AND count(*) FILTER (WHERE NOT h.converted) >= promo._arm_min_rows()
				   ORDER BY h.offer_id
		LOOP
			BEGIN
				UPDATE _promo_offers o SET model =
					(SELECT promo.logreg(h.converted, promo._pick(h.x, x_keep),
										 promo._pick(names, x_keep), promo._response_options())
					 FROM _promo_ht h WHERE h.train AND h.offer_id = arm.offer_id)
				WHERE o.offer_id = arm.offer_id;
			EXCEPTION WHEN data_exception OR invalid_parameter_value THEN
				failed := failed || jsonb_build_object(arm.offer_id, SQLERRM);
			END;
		END LOOP;
		-- Keep an own model only where it beats the shared one held out.
		UPDATE _promo_offers o SET model = NULL
		FROM (SELECT h.offer_id,
					 promo.log_loss(promo.predict(p.model, promo._pick(h.x, x_keep)), h.converted) AS own,
					 promo.log_loss(promo.predict(shared, promo._pick(h.xa, shared_keep)),
									h.converted) AS shared_loss
			  FROM _promo_ht h JOIN _promo_offers p USING (offer_id)
			  WHERE NOT h.train AND p.model IS NOT NULL
			  GROUP BY h.offer_id) e
		WHERE e.offer_id = o.offer_id AND NOT (e.own < e.shared_loss);
	END IF;
	UPDATE _promo_offers SET model_source = CASE WHEN model IS NULL THEN 'shared' ELSE 'own' END;

	-- Redemption: the share of the offers' face value at the converting
	-- baskets that the history shows as discount_cost (not every converting
	-- user redeems); per arm with enough conversions, else pooled over all
	-- offered arms, else 1; at most 1; 1 for messages, which have nothing
	-- to redeem (their redemptions are their conversions).
	-- (one scan of the history: per arm and, on the rollup's row, pooled)
	DROP TABLE IF EXISTS pg_temp._promo_redeemed;
	CREATE TEMP TABLE _promo_redeemed ON COMMIT DROP AS
	SELECT CASE WHEN grouping(h.offer_id) = 0 THEN h.offer_id END AS offer_id,
		   count(*) AS conversions,
		   least(sum(h.discount_cost) / nullif(sum(promo.face_value(o.terms, h.basket)), 0), 1) AS rate
	FROM _promo_h h JOIN promo.offers o USING (offer_id)
	WHERE h.converted AND h.basket > 0
	GROUP BY ROLLUP (h.offer_id);
	SELECT r.rate INTO pooled_redemption FROM _promo_redeemed r WHERE r.offer_id IS NULL;
	UPDATE _promo_offers o
	SET redemption = CASE WHEN o.kind = 'message' THEN 1 ELSE
		coalesce((SELECT r.rate FROM _promo_redeemed r
				  WHERE r.offer_id = o.offer_id AND r.conversions >= promo._arm_min_rows()),
				 pooled_redemption, 1) END;

	-- The basket model: ln(basket) of every conversion of the history on
	-- the features and the offer's attributes (zero for the control arm),
	-- so that offers shift the basket through their attributes and a small
	-- arm borrows from the others; with few conversions, on the first of
	-- those columns only (_arm_min_rows conversions beyond the columns).
	SELECT count(*) INTO conversions FROM _promo_ht h WHERE h.converted AND h.basket > 0;
	basket_keep := promo._basket_columns(shared_keep);
	basket_keep := basket_keep[1:least(cardinality(basket_keep), conversions - promo._arm_min_rows())];
	IF coalesce(cardinality(basket_keep), 0) = 0 THEN
		RAISE EXCEPTION 'offer history % has too few conversions with a positive basket to learn baskets from',
			c.offer_history
			USING ERRCODE = 'no_data_found',
				  DETAIL = format('It has %s; promo needs more than %s and a feature that varies among them.',
								  conversions, promo._arm_min_rows());
	END IF;
	SELECT promo.linreg(ln(h.basket), promo._pick(h.xa, basket_keep), promo._pick(anames, basket_keep))
	INTO basket_model
	FROM _promo_ht h WHERE h.converted AND h.basket > 0;
	basket_sd := (promo.metrics(basket_model) ->> 'sigma')::float8;

	DROP TABLE IF EXISTS pg_temp._promo_models;
	CREATE TEMP TABLE _promo_models ON COMMIT DROP AS
	SELECT shared, shared_keep, control, x_keep, basket_model AS basket, basket_sd;

	SELECT jsonb_build_object(
		'history_rows', (SELECT count(*) FROM _promo_h),
		'held_out_rows', (SELECT count(*) FROM _promo_ht WHERE NOT train),
		'held_out_auc', (SELECT promo.auc(CASE WHEN h.offer_id IS NULL AND control IS NOT NULL
												THEN promo.predict(control, promo._pick(h.x, x_keep))
												WHEN p.model IS NOT NULL
												THEN promo.predict(p.model, promo._pick(h.x, x_keep))
												ELSE promo.predict(shared, promo._pick(h.xa, shared_keep))
										   END, h.converted)
						 FROM _promo_ht h LEFT JOIN _promo_offers p USING (offer_id)
						 WHERE NOT h.train),
		'redemption', pooled_redemption,
		'own_models', (SELECT coalesce(jsonb_agg(offer_id ORDER BY ord), '[]')
					   FROM _promo_offers WHERE model_source = 'own'),
		'failed_fits', failed)
	INTO report;
	RETURN report;
END
$function$;

-- Temporary table _promo_scored: per user, the group (holdout and explore
-- by promo.in_sample of (campaign, user), independent of the scores), the
-- control arm's conversion probability and mean basket and, per offer in
-- ord order, expected incremental profit (NaN where the user is not
-- eligible), expected cost, expected redemptions, conversion probability
-- and eligibility: promo.score_offers per user, the models matched to the
-- features and offer attributes by name.
CREATE FUNCTION _campaign_score(c campaigns, names text[], margin float8, basket_ref float8) RETURNS void
	LANGUAGE plpgsql
AS $function$
BEGIN
	DROP TABLE IF EXISTS pg_temp._promo_seg;
	CREATE TEMP TABLE _promo_seg (user_id bigint PRIMARY KEY, segment int) ON COMMIT DROP;
	IF c.segments IS NOT NULL THEN
		PERFORM promo._check_contract(c.segments, 'segments', '{user_id,segment}',
									  '{bigint,int}', '{t,t}');
		EXECUTE format('INSERT INTO _promo_seg SELECT DISTINCT ON (user_id) user_id, segment '
					   'FROM %s WHERE user_id IS NOT NULL ORDER BY user_id, segment', c.segments);
	END IF;
	PERFORM promo._campaign_eligibility();

	DROP TABLE IF EXISTS pg_temp._promo_scored;
	CREATE TEMP TABLE _promo_scored ON COMMIT DROP AS
	-- What every user shares, gathered once: the offers in ord order, their
	-- attributes as rows of a matrix, and one response model per arm (the
	-- control arm first; the shared model where an arm has none).
	WITH k AS MATERIALIZED (
		SELECT array_agg(o.terms ORDER BY o.ord) AS terms,
			   array_agg(promo.offer_attributes(o.terms, basket_ref) ORDER BY o.ord) AS attributes,
			   names || promo.offer_attribute_names() AS names,
			   ARRAY[coalesce(m.control, m.shared)]
			   || array_agg(coalesce(o.model, m.shared) ORDER BY o.ord) AS response,
			   m.basket, m.basket_sd,
			   array_agg(o.redemption ORDER BY o.ord) AS redemption,
			   array_fill(true, ARRAY[count(*)::int]) AS everywhere
		FROM _promo_offers o CROSS JOIN _promo_models m
		GROUP BY m.control, m.shared, m.basket, m.basket_sd
	)
	SELECT s.user_id, s.user_group, (s.r).p_none, (s.r).basket_none, (s.r).value,
		   (s.r).cost, (s.r).redeem, (s.r).p, s.eligible
	FROM (SELECT x.user_id,
				 CASE WHEN promo.in_sample(c.campaign || '/' || x.user_id, c.holdout_share, 0)
					  THEN 'holdout'
					  WHEN promo.in_sample(c.campaign || '/' || x.user_id,
										   c.holdout_share + c.explore_share, 0)
					  THEN 'explore' ELSE 'treatment' END AS user_group,
				 coalesce(e.eligible, k.everywhere) AS eligible,
				 promo.score_offers(x.x, k.terms, k.attributes, k.names, k.response, k.basket,
									k.basket_sd, k.redemption, margin,
									coalesce(e.eligible, k.everywhere)) AS r
		  FROM _promo_x x CROSS JOIN k
		  LEFT JOIN _promo_elig e USING (user_id)) s;
	ANALYZE _promo_scored;
END
$function$;

-- Temporary table _promo_elig: the eligibility (one element per offer in
-- ord order) of the users some offer's rules leave out; the users not in
-- it may get every offer.  Only offers with a rule are evaluated per user.
CREATE FUNCTION _campaign_eligibility() RETURNS void
	LANGUAGE plpgsql
AS $function$
BEGIN
	DROP TABLE IF EXISTS pg_temp._promo_elig;
	CREATE TEMP TABLE _promo_elig ON COMMIT DROP AS
	WITH ruled AS MATERIALIZED (
		SELECT o.* FROM _promo_offers o
		WHERE o.segments IS NOT NULL OR o.tiers IS NOT NULL OR o.customers <> 'all'
		   OR o.min_expected_basket IS NOT NULL OR o.frequency_cap IS NOT NULL
	), seen AS (
		SELECT h.user_id, h.offer_id, count(*) AS times
		FROM _promo_h h JOIN ruled o USING (offer_id)
		WHERE o.frequency_cap IS NOT NULL
		GROUP BY h.user_id, h.offer_id
	), left_out AS (
		SELECT x.user_id, array_agg(o.ord) AS ords
		FROM _promo_x x
		CROSS JOIN ruled o
		LEFT JOIN _promo_seg s ON s.user_id = x.user_id
		LEFT JOIN seen f ON f.user_id = x.user_id AND f.offer_id = o.offer_id
		WHERE NOT coalesce((o.segments IS NULL OR s.segment = ANY (o.segments))
						   AND (o.tiers IS NULL OR x.tier = ANY (o.tiers))
						   AND (o.customers = 'all' OR (o.customers = 'returning') = x.returning_customer)
						   AND (o.min_expected_basket IS NULL OR x.basket >= o.min_expected_basket)
						   AND (o.frequency_cap IS NULL OR coalesce(f.times, 0) < o.frequency_cap),
						   false)
		GROUP BY x.user_id
	)
	SELECT l.user_id,
		   ARRAY(SELECT NOT (o.ord = ANY (l.ords)) FROM _promo_offers o ORDER BY o.ord) AS eligible
	FROM left_out l;
	CREATE UNIQUE INDEX ON _promo_elig (user_id);
END
$function$;

-- The names of the attributes of promo.offer_attributes, in order.
CREATE FUNCTION offer_attribute_names() RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN '{is_percent_off,is_amount_off,is_capped_percent,is_spend_threshold,is_cashback,is_message,saving_rate,threshold_ratio}'::text[];

-- The three features contributing most (in absolute value) to a
-- prediction in link space, as a jsonb array of {feature, value,
-- contribution}, the features by the model's names.
CREATE FUNCTION _top_features(model model, x float8[]) RETURNS jsonb
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('feature', e.name,
														  'value', e.value,
														  'contribution', e.contribution)
									  ORDER BY abs(e.contribution) DESC, e.feature), '[]')
			FROM (SELECT * FROM promo.explain(model, x) t
				  WHERE t.feature > 0
				  ORDER BY abs(t.contribution) DESC, t.feature LIMIT 3) e);

-- Assign the scored users: explore users a uniformly random eligible offer
-- (by a hash of campaign and user, stable across refreshes), treatment
-- users by promo.assign under what the explore users left of the budgets,
-- holdout users nothing; then replace the campaign's rows.  Returns the
-- solver's report.
CREATE FUNCTION _campaign_assign(c campaigns, basket_ref float8) RETURNS jsonb
	LANGUAGE plpgsql
AS $function$
DECLARE
	explore_cost float8;
	explore_count bigint;
	constraints jsonb;
	result record;
	spent_offer int;
BEGIN
	DROP TABLE IF EXISTS pg_temp._promo_choice;
	CREATE TEMP TABLE _promo_choice (user_id bigint PRIMARY KEY, ord int,
		runner_up int, runner_up_value float8, status text) ON COMMIT DROP;

	INSERT INTO _promo_choice
	SELECT e.user_id,
		   e.elig[1 + (hashtextextended(c.campaign || '/' || e.user_id || '/explore', 0)
					   & 9223372036854775807) % cardinality(e.elig)],
		   NULL, NULL, 'explore'
	FROM (SELECT s.user_id, array_agg(i ORDER BY i) AS elig
		  FROM _promo_scored s, generate_subscripts(s.eligible, 1) i
		  WHERE s.user_group = 'explore' AND s.eligible[i]
		  GROUP BY s.user_id) e;
	SELECT coalesce(sum(s.cost[ch.ord]), 0), count(*) INTO explore_cost, explore_count
	FROM _promo_choice ch JOIN _promo_scored s USING (user_id);
	IF explore_cost >= c.budget THEN
		RAISE EXCEPTION 'the explore share of campaign "%" costs % of its budget %',
			c.campaign, round(explore_cost::numeric, 2), c.budget
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Lower explore_share or raise the budget.';
	END IF;

	IF c.max_offers IS NOT NULL AND explore_count >= c.max_offers THEN
		RAISE EXCEPTION 'the explore share of campaign "%" takes % users of its % contacts',
			c.campaign, explore_count, c.max_offers
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Lower explore_share or raise max_offers.';
	END IF;

	-- What the explore group leaves of each offer's budget and redemption
	-- cap; an offer with nothing left is not given to the treatment group.
	DROP TABLE IF EXISTS pg_temp._promo_left;
	CREATE TEMP TABLE _promo_left ON COMMIT DROP AS
	SELECT o.ord, o.budget - coalesce(x.cost, 0) AS budget,
		   o.max_redemptions - coalesce(x.redeem, 0) AS redemptions
	FROM _promo_offers o
	LEFT JOIN (SELECT ch.ord, sum(s.cost[ch.ord]) AS cost, sum(s.redeem[ch.ord]) AS redeem
			   FROM _promo_choice ch JOIN _promo_scored s USING (user_id)
			   GROUP BY ch.ord) x USING (ord);
	FOR spent_offer IN SELECT ord FROM _promo_left WHERE budget <= 0 OR redemptions <= 0 LOOP
		UPDATE _promo_scored SET value[spent_offer] = 'NaN' WHERE user_group = 'treatment';
	END LOOP;

	SELECT jsonb_strip_nulls(jsonb_build_object(
		'budget', c.budget - explore_cost,
		'max_contacts', c.max_offers - explore_count,
		'offer_budget', (SELECT jsonb_agg(CASE WHEN budget > 0 THEN budget END ORDER BY ord)
						 FROM _promo_left),
		'offer_redemptions', (SELECT jsonb_agg(CASE WHEN redemptions > 0 THEN redemptions END
											   ORDER BY ord)
							  FROM _promo_left),
		'min_roi', c.min_roi))
	INTO constraints;

	SELECT (a).* INTO result
	FROM (SELECT promo.assign(s.user_id, s.value, s.cost, s.redeem, constraints) AS a
		  FROM _promo_scored s WHERE s.user_group = 'treatment') t;
	INSERT INTO _promo_choice
	SELECT r.user_id, r.offer, r.runner_up, r.runner_up_value, r.status
	FROM unnest(result.user_id, result.offer, result.runner_up, result.runner_up_value,
				result.status) AS r(user_id, offer, runner_up, runner_up_value, status);

	DELETE FROM promo._assignment_rows WHERE campaign = c.campaign;
	INSERT INTO promo._assignment_rows
	SELECT c.campaign, s.user_id, o.offer_id, s.user_group,
		   CASE WHEN ch.ord IS NOT NULL THEN s.p[ch.ord] END,
		   s.p_none,
		   coalesce(s.value[ch.ord], 0), coalesce(s.cost[ch.ord], 0),
		   jsonb_strip_nulls(jsonb_build_object(
			   'decision', CASE s.user_group WHEN 'holdout' THEN 'holdout'
							   WHEN 'explore' THEN 'explore: random eligible offer'
							   ELSE replace(replace(replace(ch.status, '_', ' '), 'none:', 'not given: '),
											'downgraded:', 'downgraded: ') END,
			   'expected_profit', s.value[ch.ord],
			   'runner_up', (SELECT r.offer_id FROM _promo_offers r WHERE r.ord = ch.runner_up),
			   'runner_up_profit', ch.runner_up_value,
			   'p_convert_without_offer', s.p_none,
			   'top_features', CASE WHEN ch.ord IS NOT NULL THEN
				   CASE WHEN o.model IS NOT NULL
						THEN promo._top_features(o.model, promo._pick(x.x, m.x_keep))
						ELSE promo._top_features(m.shared,
												 promo._pick(x.x || promo.offer_attributes(o.terms, basket_ref),
															 m.shared_keep)) END END)),
		   s.p, s.value, s.cost, s.eligible
	FROM _promo_scored s
	JOIN _promo_x x USING (user_id)
	CROSS JOIN _promo_models m
	LEFT JOIN _promo_choice ch USING (user_id)
	LEFT JOIN _promo_offers o ON o.ord = ch.ord;

	RETURN result.report || jsonb_build_object('explore_users', explore_count,
											   'explore_cost', explore_cost);
END
$function$;

-- The plan checked against the randomized offer history, without the
-- models: over the history rows of the plan's users, the inverse-propensity
-- (IPS) estimate of the plan's incremental profit and spend per user,
-- against giving nothing, with the arms' shares in the history as the
-- propensities, and the doubly robust (DR) estimate that adds the
-- models' expectation; each with a 95% normal interval, scaled to the
-- plan's users.  A row's realized profit is basket x margin -
-- discount_cost when it converted, less the offer's contact cost; its
-- spend is discount_cost plus the contact cost.
CREATE FUNCTION _campaign_check(c campaigns, margin float8) RETURNS jsonb
	LANGUAGE plpgsql
AS $function$
DECLARE
	result jsonb;
BEGIN
	WITH arms AS (
		SELECT offer_id, count(*)::float8 / sum(count(*)) OVER () AS share
		FROM _promo_h GROUP BY offer_id
	), rows AS (
		SELECT h.user_id,
			   CASE WHEN h.converted THEN h.basket * margin - h.discount_cost ELSE 0 END
			   - coalesce(o.contact_cost, 0) AS profit,
			   CASE WHEN h.offer_id IS NOT NULL THEN h.discount_cost + coalesce(o.contact_cost, 0)
					ELSE 0 END AS spend,
			   (h.offer_id IS NOT DISTINCT FROM a.offer_id)::int / ar.share AS w,
			   (h.offer_id IS NULL)::int / n.share AS w_none,
			   s.p_none * s.basket_none * margin AS mu_none,
			   coalesce(s.value[ch.ord], 0) AS value,
			   coalesce(s.cost[ch.ord], 0) AS cost,
			   CASE WHEN h.offer_id IS NOT DISTINCT FROM a.offer_id
					THEN coalesce(s.value[ch.ord], 0) ELSE 0 END AS value_taken
		FROM _promo_h h
		JOIN promo._assignment_rows a ON a.campaign = c.campaign AND a.user_id = h.user_id
		JOIN _promo_scored s ON s.user_id = h.user_id
		JOIN arms ar ON ar.offer_id IS NOT DISTINCT FROM h.offer_id
		JOIN arms n ON n.offer_id IS NULL
		LEFT JOIN _promo_choice ch ON ch.user_id = h.user_id
		LEFT JOIN promo.offers o ON o.offer_id = h.offer_id
	), terms AS (
		SELECT r.w * r.profit - r.w_none * r.profit AS ips_profit,
			   r.w * r.spend AS ips_spend,
			   r.value + r.w * (r.profit - r.mu_none - r.value_taken)
			   - r.w_none * (r.profit - r.mu_none) AS dr_profit,
			   r.cost + r.w * (r.spend - r.cost) AS dr_spend
		FROM rows r
	), est AS (
		SELECT count(*) AS n,
			   avg(ips_profit) AS ips_profit, stddev_samp(ips_profit) AS ips_profit_sd,
			   avg(ips_spend) AS ips_spend, stddev_samp(ips_spend) AS ips_spend_sd,
			   avg(dr_profit) AS dr_profit, stddev_samp(dr_profit) AS dr_profit_sd,
			   avg(dr_spend) AS dr_spend, stddev_samp(dr_spend) AS dr_spend_sd
		FROM terms
	), scale AS (
		SELECT count(*)::float8 AS users FROM promo._assignment_rows WHERE campaign = c.campaign
	)
	SELECT jsonb_build_object(
		'history_rows', e.n,
		'ips_profit', u.users * e.ips_profit,
		'ips_profit_low', u.users * (e.ips_profit - 1.96 * e.ips_profit_sd / sqrt(e.n)),
		'ips_profit_high', u.users * (e.ips_profit + 1.96 * e.ips_profit_sd / sqrt(e.n)),
		'ips_spend', u.users * e.ips_spend,
		'ips_spend_low', u.users * (e.ips_spend - 1.96 * e.ips_spend_sd / sqrt(e.n)),
		'ips_spend_high', u.users * (e.ips_spend + 1.96 * e.ips_spend_sd / sqrt(e.n)),
		'dr_profit', u.users * e.dr_profit,
		'dr_profit_low', u.users * (e.dr_profit - 1.96 * e.dr_profit_sd / sqrt(e.n)),
		'dr_profit_high', u.users * (e.dr_profit + 1.96 * e.dr_profit_sd / sqrt(e.n)),
		'dr_spend', u.users * e.dr_spend,
		'dr_spend_low', u.users * (e.dr_spend - 1.96 * e.dr_spend_sd / sqrt(e.n)),
		'dr_spend_high', u.users * (e.dr_spend + 1.96 * e.dr_spend_sd / sqrt(e.n)),
		'over_budget', u.users * (e.ips_spend - 1.96 * e.ips_spend_sd / sqrt(e.n)) > c.budget)
	INTO result
	FROM est e, scale u
	WHERE e.n >= 2;
	RETURN result;
END
$function$;

-- Train or reuse the response models of a campaign, score its users,
-- assign under its budgets and replace its plan, all in the caller's
-- transaction: readers see the old plan or the new one, and a failing
-- refresh leaves the old plan in place.
CREATE PROCEDURE refresh(campaign text)
	LANGUAGE plpgsql
AS $procedure$
DECLARE
	c promo.campaigns := promo._campaign(campaign);
	names text[];
	margin float8;
	basket_ref float8;
	models jsonb;
	solver jsonb;
	verdict jsonb;
BEGIN
	RAISE NOTICE 'refresh %: features', c.campaign;
	names := promo._campaign_features(c);
	PERFORM promo._campaign_offers(c);
	PERFORM promo._campaign_history(c);
	margin := promo._campaign_margin(c);
	SELECT avg(basket) INTO basket_ref FROM _promo_h WHERE converted AND basket > 0;
	RAISE NOTICE 'refresh %: response models', c.campaign;
	models := promo._campaign_models(c, names, basket_ref);
	RAISE NOTICE 'refresh %: scoring', c.campaign;
	PERFORM promo._campaign_score(c, names, margin, basket_ref);
	RAISE NOTICE 'refresh %: assigning', c.campaign;
	solver := promo._campaign_assign(c, basket_ref);
	verdict := promo._campaign_check(c, margin);
	IF (verdict ->> 'over_budget')::bool THEN
		RAISE WARNING 'the plan of campaign "%" spends more than its budget on the offer history', c.campaign
			USING DETAIL = format('Inverse-propensity estimate of the spend: %s to %s against a budget of %s.',
								  round((verdict ->> 'ips_spend_low')::numeric, 2),
								  round((verdict ->> 'ips_spend_high')::numeric, 2), c.budget);
	END IF;
	INSERT INTO promo._campaign_runs AS r VALUES (c.campaign, now(),
		jsonb_build_object('margin_rate', margin, 'basket_ref', basket_ref,
						   'models', models, 'solver', solver, 'history_check', verdict,
						   'users', (SELECT count(*) FROM _promo_scored)),
		(SELECT array_agg(offer_id ORDER BY ord) FROM _promo_offers))
	ON CONFLICT ON CONSTRAINT _campaign_runs_pkey DO UPDATE
		SET refreshed_at = excluded.refreshed_at, report = excluded.report,
			offer_ids = excluded.offer_ids;
END
$procedure$;

-- The margin rate of a campaign: its own, else 1 - mean(unit_cost /
-- list_price) over the items when the items relation has both columns,
-- else 0.3.
CREATE FUNCTION _campaign_margin(c campaigns) RETURNS float8
	LANGUAGE plpgsql
AS $function$
DECLARE
	has bool[];
	rate float8;
BEGIN
	IF c.margin_rate IS NOT NULL THEN
		RETURN c.margin_rate;
	END IF;
	IF c.items IS NOT NULL THEN
		has := promo._check_contract(c.items, 'items', '{item_id,category,unit_cost,list_price}',
									 '{bigint,text,float8,float8}', '{t,t,f,f}');
		IF has[3] AND has[4] THEN
			EXECUTE format('SELECT 1 - avg(unit_cost::float8 / list_price::float8) FROM %s '
						   'WHERE list_price > 0 AND unit_cost >= 0', c.items) INTO rate;
		END IF;
	END IF;
	RETURN coalesce(rate, 0.3);
END
$function$;

CREATE VIEW assignments AS
SELECT a.campaign, a.user_id, a.offer_id, a.grp AS user_group, a.p_convert,
	   a.p_convert_none, a.expected_profit, a.expected_cost, a.reason,
	   r.refreshed_at
FROM _assignment_rows a
JOIN _campaign_runs r USING (campaign);

CREATE VIEW offer_scores AS
SELECT a.campaign, a.user_id, o.offer_id, e.eligible,
	   e.p AS p_convert,
	   CASE WHEN e.eligible AND e.profit <> 'NaN' THEN e.profit END AS expected_profit,
	   e.cost AS expected_cost,
	   o.offer_id IS NOT DISTINCT FROM a.offer_id AS given
FROM _assignment_rows a
JOIN _campaign_runs r USING (campaign)
CROSS JOIN LATERAL unnest(a.offer_p, a.offer_profit, a.offer_cost, a.offer_eligible)
	WITH ORDINALITY AS e(p, profit, cost, eligible, ord)
CROSS JOIN LATERAL (SELECT r.offer_ids[e.ord] AS offer_id) o;

CREATE VIEW campaign_plan AS
SELECT a.campaign, a.offer_id, a.grp AS user_group, count(*) AS users,
	   sum(a.p_convert) AS expected_conversions,
	   sum(a.expected_cost) AS expected_cost,
	   sum(a.expected_profit) AS expected_profit,
	   o.budget, o.max_redemptions, false AS total,
	   NULL::float8 AS ips_profit, NULL::float8 AS ips_profit_low, NULL::float8 AS ips_profit_high,
	   NULL::float8 AS ips_spend, NULL::float8 AS ips_spend_low, NULL::float8 AS ips_spend_high,
	   NULL::float8 AS dr_profit, NULL::float8 AS dr_profit_low, NULL::float8 AS dr_profit_high,
	   NULL::boolean AS over_budget
FROM _assignment_rows a
LEFT JOIN offers o USING (offer_id)
GROUP BY a.campaign, a.offer_id, a.grp, o.budget, o.max_redemptions
UNION ALL
SELECT a.campaign, NULL, NULL, count(*) FILTER (WHERE a.offer_id IS NOT NULL),
	   sum(a.p_convert), sum(a.expected_cost), sum(a.expected_profit),
	   c.budget, NULL, true,
	   (h ->> 'ips_profit')::float8, (h ->> 'ips_profit_low')::float8,
	   (h ->> 'ips_profit_high')::float8, (h ->> 'ips_spend')::float8,
	   (h ->> 'ips_spend_low')::float8, (h ->> 'ips_spend_high')::float8,
	   (h ->> 'dr_profit')::float8, (h ->> 'dr_profit_low')::float8,
	   (h ->> 'dr_profit_high')::float8, (h ->> 'over_budget')::boolean
FROM _assignment_rows a
JOIN campaigns c USING (campaign)
JOIN (SELECT campaign, report -> 'history_check' AS h FROM _campaign_runs) r USING (campaign)
GROUP BY a.campaign, c.budget, r.h;

COMMENT ON TABLE campaigns IS
	'promotion campaigns: budgets, holdout and explore shares and the relations promo.refresh reads';
COMMENT ON COLUMN campaigns.campaign IS 'name of the campaign';
COMMENT ON COLUMN campaigns.starts_at IS 'start of the campaign window (limited-time offers), NULL for open';
COMMENT ON COLUMN campaigns.ends_at IS 'end of the campaign window, NULL for open';
COMMENT ON COLUMN campaigns.budget IS 'total budget in money: the sum of the expected costs of the offers given';
COMMENT ON COLUMN campaigns.max_offers IS 'the most users given an offer (a contact cap), NULL for none';
COMMENT ON COLUMN campaigns.holdout_share IS 'share of users kept without an offer to measure lift, in [0, 1)';
COMMENT ON COLUMN campaigns.explore_share IS 'share of users given a uniformly random eligible offer so that later history stays learnable';
COMMENT ON COLUMN campaigns.min_roi IS 'smallest expected incremental profit per unit of expected cost for an offer to be given, NULL for none';
COMMENT ON COLUMN campaigns.margin_rate IS 'gross margin per unit of basket before discounts; NULL: from items.unit_cost and items.list_price, else 0.3';
COMMENT ON COLUMN campaigns.offer_history IS 'relation (campaign, user_id, offer_id, converted, revenue, discount_cost) of past randomized offers';
COMMENT ON COLUMN campaigns.features IS 'relation (user_id, x float8[]) of the users to assign and their features; NULL: built from the behaviour contract';
COMMENT ON COLUMN campaigns.events IS 'events relation of the behaviour contract of promo.user_features';
COMMENT ON COLUMN campaigns.orders IS 'orders relation of the behaviour contract of promo.user_features';
COMMENT ON COLUMN campaigns.items IS 'items relation of the behaviour contract (optional unit_cost and list_price give the margin rate)';
COMMENT ON COLUMN campaigns.users IS 'optional users relation of the behaviour contract: users without events still get features';
COMMENT ON COLUMN campaigns.features_as_of IS 'time the behaviour features are computed as of, NULL for the time of the refresh';
COMMENT ON COLUMN campaigns.segments IS 'optional relation (user_id, segment int) for offer eligibility by segment';
COMMENT ON COLUMN campaigns.response_model IS 'a logreg of P(convert) over features named as the user features and promo.offer_attribute_names() (at least one attribute; without names: all of them in that order), used for every arm; NULL: promo trains its own';

COMMENT ON TABLE offers IS 'the offer catalogue: terms, budgets, caps and eligibility of each offer';
COMMENT ON COLUMN offers.offer_id IS 'identifier of the offer, as the offer history names it';
COMMENT ON COLUMN offers.campaign IS 'the campaign the offer belongs to, NULL for an offer of every campaign';
COMMENT ON COLUMN offers.kind IS 'percent_off, amount_off, capped_percent, spend_threshold, cashback or message';
COMMENT ON COLUMN offers.pct IS 'discount or rebate rate in (0, 1) (percent_off, capped_percent, cashback)';
COMMENT ON COLUMN offers.amount IS 'money off or saved (amount_off, spend_threshold, fixed cashback)';
COMMENT ON COLUMN offers.min_basket IS 'smallest basket the offer applies to (the X of spend X save Y)';
COMMENT ON COLUMN offers.cap IS 'largest discount of a capped_percent or cashback offer';
COMMENT ON COLUMN offers.contact_cost IS 'cost of contacting a user with the offer, paid whether or not they convert';
COMMENT ON COLUMN offers.budget IS 'the offer''s own budget in money, NULL for none';
COMMENT ON COLUMN offers.max_redemptions IS 'the most expected redemptions of the offer, NULL for none';
COMMENT ON COLUMN offers.segments IS 'segments of the campaign''s segments relation the offer is for, NULL for all';
COMMENT ON COLUMN offers.tiers IS 'RFM tiers (high, normal, low) the offer is for, NULL for all';
COMMENT ON COLUMN offers.customers IS 'all, new (never ordered) or returning customers';
COMMENT ON COLUMN offers.min_expected_basket IS 'smallest mean basket of the user''s past orders for the offer, NULL for none';
COMMENT ON COLUMN offers.frequency_cap IS 'a user who got this offer this many times in the history is not eligible, NULL for no cap';
COMMENT ON COLUMN offers.active IS 'whether promo.refresh may give the offer';
COMMENT ON COLUMN offers.terms IS 'the offer''s terms, checked by promo.offer (generated: an impossible offer is refused with the reason)';

COMMENT ON TABLE _assignment_rows IS 'the plan of each campaign, written by promo.refresh; read it through promo.assignments';
COMMENT ON COLUMN _assignment_rows.campaign IS 'campaign';
COMMENT ON COLUMN _assignment_rows.user_id IS 'user';
COMMENT ON COLUMN _assignment_rows.offer_id IS 'offer given, NULL for none';
COMMENT ON COLUMN _assignment_rows.grp IS 'treatment, holdout or explore';
COMMENT ON COLUMN _assignment_rows.p_convert IS 'expected probability of conversion with the offer given';
COMMENT ON COLUMN _assignment_rows.p_convert_none IS 'expected probability of conversion without an offer';
COMMENT ON COLUMN _assignment_rows.expected_profit IS 'expected incremental profit of the offer given (0 for none)';
COMMENT ON COLUMN _assignment_rows.expected_cost IS 'expected cost of the offer given (0 for none)';
COMMENT ON COLUMN _assignment_rows.reason IS 'why: the decision, runner-up offer, top contributing features';
COMMENT ON COLUMN _assignment_rows.offer_p IS 'per offer of the refresh (promo._campaign_runs.offer_ids order): expected probability of conversion';
COMMENT ON COLUMN _assignment_rows.offer_profit IS 'per offer: expected incremental profit (NaN where not eligible or not available)';
COMMENT ON COLUMN _assignment_rows.offer_cost IS 'per offer: expected cost';
COMMENT ON COLUMN _assignment_rows.offer_eligible IS 'per offer: whether the offer''s rules let the user have it';
COMMENT ON TABLE _campaign_runs IS 'when each campaign''s plan was built, with the models'' and the solver''s report';
COMMENT ON COLUMN _campaign_runs.campaign IS 'campaign';
COMMENT ON COLUMN _campaign_runs.refreshed_at IS 'time of the refresh that built the plan';
COMMENT ON COLUMN _campaign_runs.offer_ids IS 'the offers of the refresh, in the order of the per-offer arrays of promo._assignment_rows';
COMMENT ON COLUMN _campaign_runs.report IS 'margin rate, held-out model quality, solver spend, profit, multipliers and gap';

COMMENT ON VIEW assignments IS 'per user of each campaign: the offer given (or none), group, expectations and the reason';
COMMENT ON COLUMN assignments.campaign IS 'campaign';
COMMENT ON COLUMN assignments.user_id IS 'user';
COMMENT ON COLUMN assignments.offer_id IS 'offer given, NULL for none';
COMMENT ON COLUMN assignments.user_group IS 'treatment (assigned by the solver), holdout (never an offer) or explore (a random eligible offer)';
COMMENT ON COLUMN assignments.p_convert IS 'expected probability of conversion with the offer given, NULL for none';
COMMENT ON COLUMN assignments.p_convert_none IS 'expected probability of conversion without an offer';
COMMENT ON COLUMN assignments.expected_profit IS 'expected incremental profit of the offer given against no offer (0 for none)';
COMMENT ON COLUMN assignments.expected_cost IS 'expected cost of the offer given (0 for none)';
COMMENT ON COLUMN assignments.reason IS 'jsonb: decision, expected_profit, runner_up and runner_up_profit, p_convert_without_offer, top_features';
COMMENT ON COLUMN assignments.refreshed_at IS 'time of the refresh that built the plan';
COMMENT ON VIEW offer_scores IS 'per user of each campaign and offer of its last refresh: eligibility, expected conversion, incremental profit and cost, and whether the offer is the one given';
COMMENT ON COLUMN offer_scores.campaign IS 'campaign';
COMMENT ON COLUMN offer_scores.user_id IS 'user';
COMMENT ON COLUMN offer_scores.offer_id IS 'offer';
COMMENT ON COLUMN offer_scores.eligible IS 'whether the offer''s eligibility rules and frequency cap let the user have it';
COMMENT ON COLUMN offer_scores.p_convert IS 'expected probability of conversion with the offer';
COMMENT ON COLUMN offer_scores.expected_profit IS 'expected incremental profit of the offer against no offer; NULL where not eligible or its budget went to the explore group';
COMMENT ON COLUMN offer_scores.expected_cost IS 'expected cost of the offer';
COMMENT ON COLUMN offer_scores.given IS 'true for the offer the user is given';
COMMENT ON VIEW campaign_plan IS 'per campaign, offer and group: users, expected conversions, cost and incremental profit; total rows against the budget';
COMMENT ON COLUMN campaign_plan.campaign IS 'campaign';
COMMENT ON COLUMN campaign_plan.offer_id IS 'offer, NULL for none (and on total rows)';
COMMENT ON COLUMN campaign_plan.user_group IS 'treatment, holdout or explore (NULL on total rows)';
COMMENT ON COLUMN campaign_plan.users IS 'users (on total rows: users given an offer)';
COMMENT ON COLUMN campaign_plan.expected_conversions IS 'sum of the expected conversion probabilities with the offer';
COMMENT ON COLUMN campaign_plan.expected_cost IS 'sum of expected costs';
COMMENT ON COLUMN campaign_plan.expected_profit IS 'sum of expected incremental profits';
COMMENT ON COLUMN campaign_plan.budget IS 'the offer''s budget, or the campaign''s on total rows';
COMMENT ON COLUMN campaign_plan.max_redemptions IS 'the offer''s redemption cap';
COMMENT ON COLUMN campaign_plan.total IS 'true on the campaign''s total row';
COMMENT ON COLUMN campaign_plan.ips_profit IS 'total rows: inverse-propensity estimate of the plan''s incremental profit on the offer history, scaled to its users';
COMMENT ON COLUMN campaign_plan.ips_profit_low IS 'lower end of the 95% interval of ips_profit';
COMMENT ON COLUMN campaign_plan.ips_profit_high IS 'upper end of the 95% interval of ips_profit';
COMMENT ON COLUMN campaign_plan.ips_spend IS 'total rows: inverse-propensity estimate of the plan''s spend on the offer history';
COMMENT ON COLUMN campaign_plan.ips_spend_low IS 'lower end of the 95% interval of ips_spend';
COMMENT ON COLUMN campaign_plan.ips_spend_high IS 'upper end of the 95% interval of ips_spend';
COMMENT ON COLUMN campaign_plan.dr_profit IS 'total rows: doubly robust estimate of the plan''s incremental profit (models plus history residuals)';
COMMENT ON COLUMN campaign_plan.dr_profit_low IS 'lower end of the 95% interval of dr_profit';
COMMENT ON COLUMN campaign_plan.dr_profit_high IS 'upper end of the 95% interval of dr_profit';
COMMENT ON COLUMN campaign_plan.over_budget IS 'total rows: true when even the low end of ips_spend exceeds the budget';

COMMENT ON FUNCTION behaviour_feature_names() IS
	'names of the behaviour features promo builds for campaigns, in vector order';
COMMENT ON FUNCTION behaviour_vector(bigint, bigint, bigint, float8, float8, bigint, float8, float8) IS
	'the unscaled behaviour feature vector of a row of promo.user_features';
COMMENT ON FUNCTION _campaign(text) IS 'the campaign''s row, or an error naming an unknown campaign';
COMMENT ON FUNCTION _campaign_features(campaigns) IS 'builds the temporary table of users and feature vectors of a refresh';
COMMENT ON FUNCTION _campaign_offers(campaigns) IS 'builds the temporary table of a campaign''s active offers';
COMMENT ON FUNCTION offer_attributes(offer_terms, float8) IS
	'the attributes of an offer at a typical basket, as the shared response model sees them';
COMMENT ON FUNCTION _campaign_history(campaigns) IS 'builds the temporary table of the offer history joined to the features, with its checks';
COMMENT ON FUNCTION _response_options() IS 'options of every response model a refresh trains';
COMMENT ON FUNCTION _arm_min_rows() IS 'conversions and non-conversions an arm needs for a model of its own';
COMMENT ON FUNCTION _basket_columns(int[]) IS
	'the columns a least-squares basket model can use together, each added unless collinear with those before it';
COMMENT ON FUNCTION _campaign_models(campaigns, text[], float8) IS 'trains and selects the response and basket models of a refresh';
COMMENT ON FUNCTION _campaign_score(campaigns, text[], float8, float8) IS 'scores every (user, offer) of a refresh';
COMMENT ON FUNCTION _campaign_eligibility() IS 'builds the temporary table of the users some offer''s rules leave out';
COMMENT ON FUNCTION offer_attribute_names() IS 'names of the attributes of promo.offer_attributes, in order: what a campaign''s response model names them';
COMMENT ON FUNCTION _campaign_response_model(campaigns, text[]) IS 'the campaign''s own response model, checked, with the names of its features';
COMMENT ON FUNCTION _pick(anyarray, int[]) IS 'the elements of x at the positions keep, in that order';
COMMENT ON FUNCTION _top_features(model, float8[]) IS 'the three largest contributions of promo.explain as jsonb';
COMMENT ON FUNCTION _campaign_assign(campaigns, float8) IS 'assigns the scored users and replaces the campaign''s plan';
COMMENT ON FUNCTION _campaign_margin(campaigns) IS 'the margin rate of a campaign';
COMMENT ON FUNCTION _campaign_check(campaigns, float8) IS
	'inverse-propensity and doubly robust estimates of a plan''s incremental profit and spend on the offer history';
COMMENT ON PROCEDURE refresh(text) IS
	'trains, scores and assigns a campaign and replaces its plan in one transaction';
