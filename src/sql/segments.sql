
-- ---------------------------------------------------------------------
-- Segment profiles
-- ---------------------------------------------------------------------
--
-- The dynamic SQL below formats only regclass arguments (printed quoted
-- and schema-qualified as needed, so %s is the right conversion, not %I)
-- and fragments built from constants; values go in through USING.
--
-- assignments is a relation (user_id bigint, segment int), for example
--   SELECT user_id, promo.predict(model, features)::int AS segment FROM ...
-- (a NULL segment leaves the user out; a user in two segments is an
-- error).  Per segment: its users and their share, the mean of each
-- feature of promo.user_features (the centroid in original units), the
-- three categories with the largest mean share of the users' events, and
-- the mix of RFM tiers (share of the segment's users in each of high,
-- normal and low; RFM scores rank each user among all users of the
-- features).  Every assigned user counts: the features come from
-- promo.user_features with the assignments as its users, or from a
-- features relation already computed that must have a row for each
-- assigned user.

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
