
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
