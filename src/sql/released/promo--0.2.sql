-- promo 0.2 as released: frozen, do not edit. It lets the upgrade test install 0.2.
\echo Use "CREATE EXTENSION promo" to load this file. \quit

-- ---------------------------------------------------------------------
-- The model type
-- ---------------------------------------------------------------------

CREATE TYPE model;

CREATE FUNCTION model_in(cstring) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_model_in'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_out(model) RETURNS cstring
	AS 'MODULE_PATHNAME', 'promo_model_out'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_recv(internal) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_model_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_send(model) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_model_send'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE model (
	INPUT = model_in,
	OUTPUT = model_out,
	RECEIVE = model_recv,
	SEND = model_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);

CREATE CAST (model AS jsonb) WITH INOUT;
CREATE CAST (jsonb AS model) WITH INOUT;

CREATE FUNCTION predict(model model, x float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_predict'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION metrics(model model) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'promo_metrics'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON TYPE model IS
	'a trained model of any kind; text form is JSON, castable to and from jsonb';
COMMENT ON FUNCTION model_in(cstring) IS 'text input of promo.model: a JSON object, checked field by field';
COMMENT ON FUNCTION model_out(model) IS 'text output of promo.model: a JSON object';
COMMENT ON FUNCTION model_recv(internal) IS 'binary input of promo.model';
COMMENT ON FUNCTION model_send(model) IS 'binary output of promo.model';
COMMENT ON CAST (model AS jsonb) IS 'the model as a JSON document';
COMMENT ON CAST (jsonb AS model) IS 'a model from a JSON document, checked field by field';
COMMENT ON FUNCTION predict(model, float8[]) IS
	'the model''s prediction for feature vector x (linreg: the fitted value)';
COMMENT ON FUNCTION metrics(model) IS
	'the model''s kind, number of features and scalar statistics as jsonb';

-- ---------------------------------------------------------------------
-- Similarity
-- ---------------------------------------------------------------------

CREATE FUNCTION cosine(a float8[], b float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_cosine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION pearson(a float8[], b float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_pearson'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION cosine(float8[], float8[]) IS
	'cosine similarity of two vectors of equal length; NULL when either norm is zero';
COMMENT ON FUNCTION pearson(float8[], float8[]) IS
	'Pearson correlation of two vectors of equal length; NULL when either is constant or has fewer than two elements';

-- ---------------------------------------------------------------------
-- Least squares
-- ---------------------------------------------------------------------

CREATE FUNCTION linreg_accum(state float8[], y float8, x float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_linreg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION linreg_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_linreg_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION linreg_final(state float8[]) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_linreg_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE linreg(y float8, x float8[]) (
	SFUNC = linreg_accum,
	STYPE = float8[],
	COMBINEFUNC = linreg_combine,
	FINALFUNC = linreg_final,
	PARALLEL = SAFE
);

CREATE FUNCTION coefficients(model model,
	OUT term int, OUT estimate float8, OUT std_error float8,
	OUT t_value float8, OUT p_value float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_coefficients'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

COMMENT ON FUNCTION linreg_accum(float8[], float8, float8[]) IS
	'transition function of promo.linreg: buffers a row, or counts it skipped when y or x has a NULL';
COMMENT ON FUNCTION linreg_combine(float8[], float8[]) IS
	'combine function of promo.linreg: merges two partial states';
COMMENT ON FUNCTION linreg_final(float8[]) IS
	'final function of promo.linreg: fits the model';
COMMENT ON AGGREGATE linreg(float8, float8[]) IS
	'ordinary least squares of y on x with an intercept (term 0), with the statistics of R''s summary(lm)';
COMMENT ON FUNCTION coefficients(model) IS
	'one row per term of a linreg model (term 0 is the intercept): estimate, standard error, t value, two-sided p value';

-- ---------------------------------------------------------------------
-- Scaler
-- ---------------------------------------------------------------------

CREATE FUNCTION scaler_accum(state float8[], x float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_scaler_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION scaler_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_scaler_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION scaler_final(state float8[]) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_scaler_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE scaler(x float8[]) (
	SFUNC = scaler_accum,
	STYPE = float8[],
	COMBINEFUNC = scaler_combine,
	FINALFUNC = scaler_final,
	PARALLEL = SAFE
);

CREATE FUNCTION standardize(x float8[], scaler model) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_standardize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION scaler_accum(float8[], float8[]) IS
	'transition function of promo.scaler: adds a row, skipping NULL elements per dimension';
COMMENT ON FUNCTION scaler_combine(float8[], float8[]) IS
	'combine function of promo.scaler: merges two partial states';
COMMENT ON FUNCTION scaler_final(float8[]) IS
	'final function of promo.scaler: the scaler model';
COMMENT ON AGGREGATE scaler(float8[]) IS
	'per-dimension count, mean, sample standard deviation, min and max of feature vectors';
COMMENT ON FUNCTION standardize(float8[], model) IS
	'z-scores of x under a scaler model; NULL elements become 0 (the mean), dimensions with zero or undefined deviation become 0';

-- ---------------------------------------------------------------------
-- k-means
-- ---------------------------------------------------------------------

CREATE FUNCTION kmeans_accum(state internal, x float8[], k int) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_kmeans_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION kmeans_accum(state internal, x float8[], k int, options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_kmeans_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION kmeans_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_kmeans_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION kmeans_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_kmeans_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION kmeans_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_kmeans_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION kmeans_final(state internal) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_kmeans_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE kmeans(x float8[], k int) (
	SFUNC = kmeans_accum,
	STYPE = internal,
	COMBINEFUNC = kmeans_combine,
	SERIALFUNC = kmeans_serialize,
	DESERIALFUNC = kmeans_deserialize,
	FINALFUNC = kmeans_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

CREATE AGGREGATE kmeans(x float8[], k int, options jsonb) (
	SFUNC = kmeans_accum,
	STYPE = internal,
	COMBINEFUNC = kmeans_combine,
	SERIALFUNC = kmeans_serialize,
	DESERIALFUNC = kmeans_deserialize,
	FINALFUNC = kmeans_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

CREATE FUNCTION kmeans_distance(model model, x float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_kmeans_distance'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION kmeans_accum(internal, float8[], int) IS
	'transition function of promo.kmeans: keeps the row';
COMMENT ON FUNCTION kmeans_accum(internal, float8[], int, jsonb) IS
	'transition function of promo.kmeans with options: keeps the row';
COMMENT ON FUNCTION kmeans_combine(internal, internal) IS
	'combine function of promo.kmeans: appends the rows of a partial state';
COMMENT ON FUNCTION kmeans_serialize(internal) IS
	'serializes a promo.kmeans state for parallel workers';
COMMENT ON FUNCTION kmeans_deserialize(bytea, internal) IS
	'deserializes a promo.kmeans state';
COMMENT ON FUNCTION kmeans_final(internal) IS
	'final function of promo.kmeans: seeds and runs Lloyd iterations';
COMMENT ON AGGREGATE kmeans(float8[], int) IS
	'k-means clustering in memory with k-means++ seeding (seed 0)';
COMMENT ON AGGREGATE kmeans(float8[], int, jsonb) IS
	'k-means clustering in memory; options seed, max_iter, tol, init ("k-means++", "random" or centroids), progress';
COMMENT ON FUNCTION kmeans_distance(model, float8[]) IS
	'Euclidean distance from x to the nearest centroid of a kmeans model';

-- The scale-out path: one Lloyd step as a combinable aggregate, and a driver.

CREATE FUNCTION kmeans_step_accum(state float8[], x float8[], centroids float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_kmeans_step_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION kmeans_step_accum(state float8[], x float8[], centroids float8[], previous float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_kmeans_step_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION kmeans_step_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_kmeans_step_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION kmeans_step_final(state float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_kmeans_step_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE kmeans_step(x float8[], centroids float8[]) (
	SFUNC = kmeans_step_accum,
	STYPE = float8[],
	COMBINEFUNC = kmeans_step_combine,
	FINALFUNC = kmeans_step_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE kmeans_step(x float8[], centroids float8[], previous float8[]) (
	SFUNC = kmeans_step_accum,
	STYPE = float8[],
	COMBINEFUNC = kmeans_step_combine,
	FINALFUNC = kmeans_step_final,
	PARALLEL = SAFE
);

CREATE FUNCTION kmeans_fit(source regclass, features name, k int,
	seed bigint DEFAULT 0, max_iter int DEFAULT 300, tol float8 DEFAULT 1e-4,
	init jsonb DEFAULT '"k-means++"', sample_size int DEFAULT 100000,
	progress bool DEFAULT false) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_kmeans_fit'
	LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION kmeans_step_accum(float8[], float8[], float8[]) IS
	'transition function of promo.kmeans_step: assigns the row to its nearest centroid';
COMMENT ON FUNCTION kmeans_step_accum(float8[], float8[], float8[], float8[]) IS
	'transition function of promo.kmeans_step: assigns the row and compares with the previous centroids';
COMMENT ON FUNCTION kmeans_step_combine(float8[], float8[]) IS
	'combine function of promo.kmeans_step: adds counts and sums';
COMMENT ON FUNCTION kmeans_step_final(float8[]) IS
	'final function of promo.kmeans_step: labels the rows still buffered';
COMMENT ON AGGREGATE kmeans_step(float8[], float8[]) IS
	'one Lloyd step: per-centroid counts and sums of the rows nearest to each of the k x d centroids';
COMMENT ON AGGREGATE kmeans_step(float8[], float8[], float8[]) IS
	'one Lloyd step that also counts rows whose nearest centroid changed since the previous centroids';
COMMENT ON FUNCTION kmeans_fit(regclass, name, int, bigint, int, float8, jsonb, int, bool) IS
	'k-means over a table, one parallel scan per iteration; k-means++ or random seeding from a sample of sample_size rows, or explicit init centroids';

-- Choosing k.

CREATE FUNCTION silhouette_accum(state float8[], x float8[], model model) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_silhouette_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION silhouette_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_silhouette_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION silhouette_final(state float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_silhouette_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE silhouette(x float8[], model model) (
	SFUNC = silhouette_accum,
	STYPE = float8[],
	COMBINEFUNC = silhouette_combine,
	FINALFUNC = silhouette_final,
	PARALLEL = SAFE
);

CREATE FUNCTION kmeans_choose_k(source regclass, features name,
	k_min int DEFAULT 2, k_max int DEFAULT 10, seed bigint DEFAULT 0,
	max_iter int DEFAULT 300, tol float8 DEFAULT 1e-4, sample_size int DEFAULT 100000,
	OUT k int, OUT inertia float8, OUT silhouette float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_kmeans_choose_k'
	LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION silhouette_accum(float8[], float8[], model) IS
	'transition function of promo.silhouette';
COMMENT ON FUNCTION silhouette_combine(float8[], float8[]) IS
	'combine function of promo.silhouette';
COMMENT ON FUNCTION silhouette_final(float8[]) IS
	'final function of promo.silhouette: the mean';
COMMENT ON AGGREGATE silhouette(float8[], model) IS
	'mean simplified silhouette of rows under a kmeans model: (b - a) / b, a and b the distances to the nearest and second-nearest centroids';
COMMENT ON FUNCTION kmeans_choose_k(regclass, name, int, int, bigint, int, float8, int) IS
	'inertia and simplified silhouette of promo.kmeans_fit for each k from k_min to k_max, one row per k';

-- ---------------------------------------------------------------------
-- Funnel transitions
-- ---------------------------------------------------------------------
--
-- A user's events in time order form the sequence start -> first event
-- -> ... -> last event -> end over the states start, view, cart, purchase,
-- rating and end.  Counts are a float8[] of 42 elements: element
-- 6 * i + j + 1 counts the moves from state i to state j (states numbered
-- 0 = start, 1 = view, 2 = cart, 3 = purchase, 4 = rating, 5 = end), and
-- element 37 + i the visits of state i (a visit of start or end is a
-- sequence, a visit of another state an event).  Counts of several users
-- add up element by element.

CREATE FUNCTION check_event_type(event_type text) RETURNS text
	AS 'MODULE_PATHNAME', 'promo_check_event_type'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION transitions_accum(state float8[], event_type text) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION transitions_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION transitions_final(state float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE transitions(event_type text) (
	SFUNC = transitions_accum,
	STYPE = float8[],
	COMBINEFUNC = transitions_combine,
	FINALFUNC = transitions_final,
	PARALLEL = SAFE
);

CREATE FUNCTION transitions_sum_accum(state float8[], counts float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_sum_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION transitions_sum_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_sum_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION transitions_sum_final(state float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_sum_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE transitions_sum(counts float8[]) (
	SFUNC = transitions_sum_accum,
	STYPE = float8[],
	COMBINEFUNC = transitions_sum_combine,
	FINALFUNC = transitions_sum_final,
	PARALLEL = SAFE
);

CREATE FUNCTION transition_matrix(counts float8[],
	OUT from_state text, OUT to_state text,
	OUT transitions bigint, OUT probability float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_transition_matrix'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 25;

CREATE FUNCTION purchase_probability(counts float8[],
	OUT state text, OUT probability float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_purchase_probability'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 6;

COMMENT ON FUNCTION check_event_type(text) IS
	'event_type when it is view, cart, purchase or rating, otherwise an error naming the known types';
COMMENT ON FUNCTION transitions_accum(float8[], text) IS
	'transition function of promo.transitions: appends an event, skipping a NULL event type';
COMMENT ON FUNCTION transitions_combine(float8[], float8[]) IS
	'combine function of promo.transitions: appends the second partial sequence to the first';
COMMENT ON FUNCTION transitions_final(float8[]) IS
	'final function of promo.transitions: counts of start -> events -> end';
COMMENT ON AGGREGATE transitions(text) IS
	'transition counts (42-element float8[]) of one user''s events; call it as transitions(event_type ORDER BY event_time)';
COMMENT ON FUNCTION transitions_sum_accum(float8[], float8[]) IS
	'transition function of promo.transitions_sum: checks and adds a counts array, skipping NULL';
COMMENT ON FUNCTION transitions_sum_combine(float8[], float8[]) IS
	'combine function of promo.transitions_sum: adds two partial sums';
COMMENT ON FUNCTION transitions_sum_final(float8[]) IS
	'final function of promo.transitions_sum: the summed counts';
COMMENT ON AGGREGATE transitions_sum(float8[]) IS
	'element-wise sum of transition counts, e.g. of the per-user results of promo.transitions over a segment';
COMMENT ON FUNCTION transition_matrix(float8[]) IS
	'one row per possible move between start, view, cart, purchase, rating and end: its count and its probability from the source state (NULL when the source was never visited)';
COMMENT ON FUNCTION purchase_probability(float8[]) IS
	'per state, the probability of reaching purchase before end in the absorbing Markov chain estimated from transition counts (purchase 1, end 0, NULL for a state never visited)';

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
