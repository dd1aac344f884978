
-- ---------------------------------------------------------------------
-- Assignment: at most one offer per user under budgets and caps
-- ---------------------------------------------------------------------

CREATE TYPE assignment_result AS (
	user_id bigint[],
	offer int[],
	runner_up int[],
	runner_up_value float8[],
	status text[],
	report jsonb
);

CREATE FUNCTION _assign_accum(state internal, user_id bigint, value float8[], cost float8[],
	redeem float8[], constraints jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_assign_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _assign_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_assign_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _assign_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_assign_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _assign_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_assign_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _assign_final(state internal) RETURNS assignment_result
	AS 'MODULE_PATHNAME', 'promo_assign_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE assign(user_id bigint, value float8[], cost float8[], redeem float8[],
	constraints jsonb) (
	SFUNC = _assign_accum,
	STYPE = internal,
	COMBINEFUNC = _assign_combine,
	SERIALFUNC = _assign_serialize,
	DESERIALFUNC = _assign_deserialize,
	FINALFUNC = _assign_final,
	PARALLEL = SAFE
);

COMMENT ON TYPE assignment_result IS
	'result of promo.assign: per user in ascending user_id order, the offer given (1-based array position, NULL for none), the runner-up offer and its value, the status (given, none:..., downgraded:...); and a jsonb report (spend, profit, multipliers, dual bound, gap, per-offer figures)';
COMMENT ON FUNCTION _assign_accum(internal, bigint, float8[], float8[], float8[], jsonb) IS
	'transition function of promo.assign: keeps the user''s row; NULL elements of value mark ineligible offers';
COMMENT ON FUNCTION _assign_combine(internal, internal) IS
	'combine function of promo.assign: appends the users of a partial state';
COMMENT ON FUNCTION _assign_serialize(internal) IS
	'serializes a promo.assign state for parallel workers';
COMMENT ON FUNCTION _assign_deserialize(bytea, internal) IS
	'deserializes a promo.assign state';
COMMENT ON FUNCTION _assign_final(internal) IS
	'final function of promo.assign: sorts the users by user_id and solves the assignment';
COMMENT ON AGGREGATE assign(bigint, float8[], float8[], float8[], jsonb) IS
	'at most one offer per user maximizing the sum of value (expected incremental profit) under the constraints (budget, max_contacts, offer_budget, offer_redemptions, min_roi): the Lagrangian dual of the multiple-choice knapsack, then a repair that keeps every cap; value, cost, redeem hold one element per offer';
