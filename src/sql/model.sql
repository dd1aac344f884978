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

CREATE FUNCTION with_names(model model, names text[]) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_with_names'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION feature_names(model model) RETURNS text[]
	AS 'MODULE_PATHNAME', 'promo_feature_names'
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
COMMENT ON FUNCTION with_names(model, text[]) IS
	'the model (of any kind) carrying feature names, one per feature: distinct, not empty, at most 255 bytes each; they replace any names it had';
COMMENT ON FUNCTION feature_names(model) IS
	'the model''s feature names, one per feature, or NULL when it has none';

-- Equality, hashing and an order on the stored form: =, <>, DISTINCT,
-- GROUP BY, UNION, hash joins and count(DISTINCT model) work on models.
-- Two models are equal when their stored values are (every NaN is written
-- the same way); the order is arbitrary but total and stable.

CREATE FUNCTION model_eq(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_eq'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_ne(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_ne'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_lt(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_lt'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_le(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_le'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_gt(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_gt'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_ge(a model, b model) RETURNS bool
	AS 'MODULE_PATHNAME', 'promo_model_ge'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_cmp(a model, b model) RETURNS int
	AS 'MODULE_PATHNAME', 'promo_model_cmp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_hash(m model) RETURNS int
	AS 'MODULE_PATHNAME', 'promo_model_hash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION model_hash_extended(m model, seed int8) RETURNS int8
	AS 'MODULE_PATHNAME', 'promo_model_hash_extended'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR = (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES
);

CREATE OPERATOR <> (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);

CREATE OPERATOR < (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);

CREATE OPERATOR <= (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);

CREATE OPERATOR > (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE OPERATOR >= (
	LEFTARG = model, RIGHTARG = model, FUNCTION = model_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS model_ops
	DEFAULT FOR TYPE model USING btree AS
	OPERATOR 1 <,
	OPERATOR 2 <=,
	OPERATOR 3 =,
	OPERATOR 4 >=,
	OPERATOR 5 >,
	FUNCTION 1 model_cmp(model, model);

CREATE OPERATOR CLASS model_hash_ops
	DEFAULT FOR TYPE model USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 model_hash(model),
	FUNCTION 2 model_hash_extended(model, int8);

COMMENT ON FUNCTION model_eq(model, model) IS 'true when two models are equal: the same stored form';
COMMENT ON FUNCTION model_ne(model, model) IS 'true when two models differ';
COMMENT ON FUNCTION model_lt(model, model) IS 'an arbitrary, stable order of models, for sorting (DISTINCT)';
COMMENT ON FUNCTION model_le(model, model) IS 'an arbitrary, stable order of models, for sorting (DISTINCT)';
COMMENT ON FUNCTION model_gt(model, model) IS 'an arbitrary, stable order of models, for sorting (DISTINCT)';
COMMENT ON FUNCTION model_ge(model, model) IS 'an arbitrary, stable order of models, for sorting (DISTINCT)';
COMMENT ON FUNCTION model_cmp(model, model) IS 'btree support: -1, 0 or 1 in the arbitrary, stable order of models';
COMMENT ON FUNCTION model_hash(model) IS 'hash support: a hash of the stored form, equal for equal models';
COMMENT ON FUNCTION model_hash_extended(model, int8) IS 'hash support: a seeded 64-bit hash of the stored form';
COMMENT ON OPERATOR =(model, model) IS 'equal models: the same stored form';
COMMENT ON OPERATOR <>(model, model) IS 'different models';
COMMENT ON OPERATOR <(model, model) IS 'an arbitrary, stable order of models, for sorting';
COMMENT ON OPERATOR <=(model, model) IS 'an arbitrary, stable order of models, for sorting';
COMMENT ON OPERATOR >(model, model) IS 'an arbitrary, stable order of models, for sorting';
COMMENT ON OPERATOR >=(model, model) IS 'an arbitrary, stable order of models, for sorting';
COMMENT ON OPERATOR CLASS model_ops USING btree IS 'default btree operator class of promo.model: sorting for DISTINCT, GROUP BY and count(DISTINCT)';
COMMENT ON OPERATOR FAMILY model_ops USING btree IS 'btree operators of promo.model';
COMMENT ON OPERATOR CLASS model_hash_ops USING hash IS 'default hash operator class of promo.model: hashing for DISTINCT, GROUP BY, UNION and hash joins';
COMMENT ON OPERATOR FAMILY model_hash_ops USING hash IS 'hash operators of promo.model';
