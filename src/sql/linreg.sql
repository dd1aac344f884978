
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

CREATE FUNCTION coefficients(model model,
	OUT term int, OUT estimate float8, OUT std_error float8,
	OUT t_value float8, OUT p_value float8)
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
COMMENT ON FUNCTION coefficients(model) IS
	'one row per term of a linreg or logreg model (term 0 is the intercept): estimate, standard error, t value (logreg: z value), two-sided p value';
