
-- ---------------------------------------------------------------------
-- Least squares
-- ---------------------------------------------------------------------

CREATE FUNCTION _linreg_accum(state float8[], y float8, x float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_linreg_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _linreg_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_linreg_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _linreg_final(state float8[]) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_linreg_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE linreg(y float8, x float8[]) (
	SFUNC = _linreg_accum,
	STYPE = float8[],
	COMBINEFUNC = _linreg_combine,
	FINALFUNC = _linreg_final,
	PARALLEL = SAFE
);

-- The names signature: the state above and the names, in an internal state.

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

CREATE FUNCTION coefficients(model model,
	OUT term int, OUT estimate float8, OUT std_error float8,
	OUT t_value float8, OUT p_value float8, OUT name text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_coefficients'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

COMMENT ON FUNCTION _linreg_accum(float8[], float8, float8[]) IS
	'transition function of promo.linreg: buffers a row, or counts it skipped when y or x has a NULL';
COMMENT ON FUNCTION _linreg_combine(float8[], float8[]) IS
	'combine function of promo.linreg: merges two partial states';
COMMENT ON FUNCTION _linreg_final(float8[]) IS
	'final function of promo.linreg: fits the model';
COMMENT ON AGGREGATE linreg(float8, float8[]) IS
	'ordinary least squares of y on x with an intercept (term 0), with the statistics of R''s summary(lm)';
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
