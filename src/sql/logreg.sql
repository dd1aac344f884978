-- ---------------------------------------------------------------------
-- Logistic regression
-- ---------------------------------------------------------------------

-- One transition function for every signature: y boolean or float8 0/1,
-- an optional weight, optional names, optional options.  The rows are held
-- in memory.

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
COMMENT ON FUNCTION predict_link(model, float8[]) IS
	'the prediction of a linreg or logreg model for x in link space: logreg''s log-odds, linreg''s fitted value';
COMMENT ON FUNCTION explain(model, float8[]) IS
	'contributions to predict_link of a linreg or logreg model: feature 0 the baseline, then coefficient * (value - training mean) per feature (linreg: mean 0); they sum to the link; name is (baseline), then the feature names (NULL when the model has no names)';

-- The scale-out path: one IRLS pass as an aggregate over a real SQL state,
-- and a driver that runs one such pass per Newton step over a table.

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
