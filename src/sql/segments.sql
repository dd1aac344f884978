
-- ---------------------------------------------------------------------
-- Segment profiles
-- ---------------------------------------------------------------------
--
-- assignments is a relation (user_id bigint, segment int), for example
--   SELECT user_id, promo.predict(model, features)::int AS segment FROM ...
-- Per segment: its users and their share, the mean of each feature of
-- promo.user_features (the centroid in original units), the three
-- categories with the largest mean share of the users' events, and the
-- mix of RFM tiers (share of the segment's users in each tier).

CREATE FUNCTION segment_profiles(assignments regclass, events regclass,
	orders regclass, items regclass, as_of timestamptz DEFAULT now())
	RETURNS TABLE (segment int, users bigint, share float8, views float8,
		carts float8, purchases float8, conversion_rate float8,
		recency_days float8, frequency float8, monetary float8,
		avg_discount float8, top_categories text[], tier_mix jsonb)
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED ROWS 10
AS $function$
BEGIN
	-- A regclass prints as a quoted name that resolves to the same
	-- relation under this call's search_path: it goes into the query as is.
	RETURN QUERY EXECUTE format($query$
		WITH a AS (
			SELECT DISTINCT ON (user_id) user_id::bigint AS user_id, segment::int AS segment
			FROM %1$s WHERE segment IS NOT NULL ORDER BY user_id
		),
		f AS (
			SELECT a.segment, uf.*
			FROM a JOIN promo.user_features($1, $2, $3, $4) uf USING (user_id)
		),
		cats AS (
			SELECT s.segment, array_agg(s.category ORDER BY s.share DESC, s.category) AS top
			FROM (SELECT f.segment, c.key AS category,
						 sum(c.value::float8) / count(DISTINCT f.user_id) AS share,
						 row_number() OVER (PARTITION BY f.segment
											ORDER BY sum(c.value::float8) DESC, c.key) AS r
				  FROM f, jsonb_each_text(f.category_share) c
				  GROUP BY f.segment, c.key) s
			WHERE s.r <= 3
			GROUP BY s.segment
		),
		tiers AS (
			SELECT t.segment, jsonb_object_agg(t.tier, t.share ORDER BY t.tier) AS mix
			FROM (SELECT a.segment, r.tier,
						 count(*)::float8 / sum(count(*)) OVER (PARTITION BY a.segment) AS share
				  FROM a JOIN promo.rfm_tiers($1, $2, $3, $4) r USING (user_id)
				  GROUP BY a.segment, r.tier) t
			GROUP BY t.segment
		)
		SELECT f.segment, count(*)::bigint,
			   count(*)::float8 / sum(count(*)) OVER (),
			   avg(f.views)::float8, avg(f.carts)::float8, avg(f.purchases)::float8,
			   avg(f.conversion_rate), avg(f.recency_days), avg(f.frequency)::float8,
			   avg(f.monetary), avg(f.avg_discount),
			   c.top, t.mix
		FROM f
		LEFT JOIN cats c USING (segment)
		LEFT JOIN tiers t USING (segment)
		GROUP BY f.segment, c.top, t.mix
		ORDER BY f.segment
	$query$, assignments) USING events, orders, items, as_of;
END
$function$;

COMMENT ON FUNCTION segment_profiles(regclass, regclass, regclass, regclass, timestamptz) IS
	'per segment of an assignments relation (user_id, segment): size, share, mean features in original units, top categories and RFM tier mix';
