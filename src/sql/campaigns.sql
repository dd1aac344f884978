
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
