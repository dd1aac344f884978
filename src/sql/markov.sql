
-- ---------------------------------------------------------------------
-- Funnel transitions
-- ---------------------------------------------------------------------
--
-- A user's events in time order form the sequence start -> first event
-- -> ... -> last event -> end over the states start, view, cart, purchase,
-- rating and end.  Counts are a float8[] of 42 elements: element
-- 6 * i + j + 1 counts the moves from state i to state j (states numbered
-- 0 = start, 1 = view, 2 = cart, 3 = purchase, 4 = rating, 5 = end), and
-- element 37 + i the visits of state i (a visit of start or end is a
-- sequence, a visit of another state an event).  Counts of several users
-- add up element by element.

CREATE FUNCTION check_event_type(event_type text) RETURNS text
	AS 'MODULE_PATHNAME', 'promo_check_event_type'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _transitions_accum(state float8[], event_type text) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _transitions_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _transitions_final(state float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE transitions(event_type text) (
	SFUNC = _transitions_accum,
	STYPE = float8[],
	COMBINEFUNC = _transitions_combine,
	FINALFUNC = _transitions_final,
	PARALLEL = SAFE
);

CREATE FUNCTION _transitions_sum_accum(state float8[], counts float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_sum_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _transitions_sum_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_sum_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _transitions_sum_final(state float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_transitions_sum_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE transitions_sum(counts float8[]) (
	SFUNC = _transitions_sum_accum,
	STYPE = float8[],
	COMBINEFUNC = _transitions_sum_combine,
	FINALFUNC = _transitions_sum_final,
	PARALLEL = SAFE
);

CREATE FUNCTION transition_matrix(counts float8[],
	OUT from_state text, OUT to_state text,
	OUT transitions bigint, OUT probability float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_transition_matrix'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 25;

CREATE FUNCTION purchase_probability(counts float8[],
	OUT state text, OUT probability float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_purchase_probability'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 6;

COMMENT ON FUNCTION check_event_type(text) IS
	'event_type when it is view, cart, purchase or rating, otherwise an error naming the known types';
COMMENT ON FUNCTION _transitions_accum(float8[], text) IS
	'transition function of promo.transitions: appends an event, skipping a NULL event type';
COMMENT ON FUNCTION _transitions_combine(float8[], float8[]) IS
	'combine function of promo.transitions: appends the second partial sequence to the first';
COMMENT ON FUNCTION _transitions_final(float8[]) IS
	'final function of promo.transitions: counts of start -> events -> end';
COMMENT ON AGGREGATE transitions(text) IS
	'transition counts (42-element float8[]) of one user''s events; call it as transitions(event_type ORDER BY event_time)';
COMMENT ON FUNCTION _transitions_sum_accum(float8[], float8[]) IS
	'transition function of promo.transitions_sum: checks and adds a counts array, skipping NULL';
COMMENT ON FUNCTION _transitions_sum_combine(float8[], float8[]) IS
	'combine function of promo.transitions_sum: adds two partial sums';
COMMENT ON FUNCTION _transitions_sum_final(float8[]) IS
	'final function of promo.transitions_sum: the summed counts';
COMMENT ON AGGREGATE transitions_sum(float8[]) IS
	'element-wise sum of transition counts, e.g. of the per-user results of promo.transitions over a segment';
COMMENT ON FUNCTION transition_matrix(float8[]) IS
	'one row per possible move between start, view, cart, purchase, rating and end: its count and its probability from the source state (NULL when the source was never visited)';
COMMENT ON FUNCTION purchase_probability(float8[]) IS
	'per state, the probability of reaching purchase before end in the absorbing Markov chain estimated from transition counts (purchase 1, end 0, NULL for a state never visited)';
