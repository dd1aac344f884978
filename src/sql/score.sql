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
