-- promo extension script. Generated from src/sql/*.sql by make: edit those.
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
	'the model''s prediction for feature vector x (linreg: the fitted value; logreg: the probability of y = 1)';
COMMENT ON FUNCTION metrics(model) IS
	'the model''s kind, number of features and scalar statistics as jsonb';
