-- promo 0.1 as released: frozen, do not edit. It lets the upgrade test install 0.1.
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
