
-- ---------------------------------------------------------------------
-- Scaler
-- ---------------------------------------------------------------------

CREATE FUNCTION _scaler_accum(state float8[], x float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_scaler_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _scaler_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_scaler_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _scaler_final(state float8[]) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_scaler_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE scaler(x float8[]) (
	SFUNC = _scaler_accum,
	STYPE = float8[],
	COMBINEFUNC = _scaler_combine,
	FINALFUNC = _scaler_final,
	PARALLEL = SAFE
);

CREATE FUNCTION standardize(x float8[], scaler model) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_standardize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION scaler_stats(model model,
	OUT dim int, OUT count bigint, OUT mean float8, OUT std float8,
	OUT min float8, OUT max float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_scaler_stats'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

COMMENT ON FUNCTION _scaler_accum(float8[], float8[]) IS
	'transition function of promo.scaler: adds a row, skipping NULL elements per dimension';
COMMENT ON FUNCTION _scaler_combine(float8[], float8[]) IS
	'combine function of promo.scaler: merges two partial states';
COMMENT ON FUNCTION _scaler_final(float8[]) IS
	'final function of promo.scaler: the scaler model';
COMMENT ON AGGREGATE scaler(float8[]) IS
	'per-dimension count, mean, sample standard deviation, min and max of feature vectors';
COMMENT ON FUNCTION standardize(float8[], model) IS
	'z-scores of x under a scaler model; NULL elements become 0 (the mean), dimensions with zero or undefined deviation become 0';
COMMENT ON FUNCTION scaler_stats(model) IS
	'one row per dimension of a scaler model (dim 1 is x[1]): count of values, mean, sample standard deviation, min and max; NULL where undefined';
