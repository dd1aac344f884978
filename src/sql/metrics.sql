
-- ---------------------------------------------------------------------
-- Classifier and regression metrics, train/test split
-- ---------------------------------------------------------------------

CREATE FUNCTION _auc_accum(state internal, score float8, label boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_auc_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _auc_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_auc_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _auc_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_auc_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _auc_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_auc_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _auc_final(state internal) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_auc_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE auc(score float8, label boolean) (
	SFUNC = _auc_accum,
	STYPE = internal,
	COMBINEFUNC = _auc_combine,
	SERIALFUNC = _auc_serialize,
	DESERIALFUNC = _auc_deserialize,
	FINALFUNC = _auc_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

CREATE FUNCTION _probability_accum(state float8[], p float8, label boolean) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_probability_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _probability_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_probability_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _log_loss_final(state float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_log_loss_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _brier_final(state float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_brier_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE log_loss(p float8, label boolean) (
	SFUNC = _probability_accum,
	STYPE = float8[],
	COMBINEFUNC = _probability_combine,
	FINALFUNC = _log_loss_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE brier(p float8, label boolean) (
	SFUNC = _probability_accum,
	STYPE = float8[],
	COMBINEFUNC = _probability_combine,
	FINALFUNC = _brier_final,
	PARALLEL = SAFE
);

CREATE FUNCTION _calib_accum(state float8[], p float8, label boolean, bins int) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_calib_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _calib_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_calib_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _calib_final(state float8[]) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'promo_calib_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE calibration(p float8, label boolean, bins int) (
	SFUNC = _calib_accum,
	STYPE = float8[],
	COMBINEFUNC = _calib_combine,
	FINALFUNC = _calib_final,
	PARALLEL = SAFE
);

CREATE TYPE regression_metrics_result AS (n bigint, rmse float8, mae float8, r2 float8);

CREATE FUNCTION _regression_metrics_accum(state float8[], prediction float8, actual float8) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_regression_metrics_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _regression_metrics_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_regression_metrics_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _regression_metrics_final(state float8[]) RETURNS regression_metrics_result
	AS 'MODULE_PATHNAME', 'promo_regression_metrics_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE regression_metrics(prediction float8, actual float8) (
	SFUNC = _regression_metrics_accum,
	STYPE = float8[],
	COMBINEFUNC = _regression_metrics_combine,
	FINALFUNC = _regression_metrics_final,
	PARALLEL = SAFE
);

CREATE FUNCTION in_sample(key anyelement, fraction float8, seed int) RETURNS boolean
	AS 'MODULE_PATHNAME', 'promo_in_sample'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION _auc_accum(internal, float8, boolean) IS
	'transition function of promo.auc: keeps the row, skips it when score or label is NULL';
COMMENT ON FUNCTION _auc_combine(internal, internal) IS
	'combine function of promo.auc: appends the rows of a partial state';
COMMENT ON FUNCTION _auc_serialize(internal) IS
	'serializes a promo.auc state for parallel workers';
COMMENT ON FUNCTION _auc_deserialize(bytea, internal) IS
	'deserializes a promo.auc state, checking every row';
COMMENT ON FUNCTION _auc_final(internal) IS
	'final function of promo.auc: the Mann-Whitney statistic';
COMMENT ON AGGREGATE auc(float8, boolean) IS
	'ROC AUC of score for label: the share of (positive, negative) pairs ranked right, a tie counting one half; NULL when only one label is present; holds its rows (promo.max_memory)';
COMMENT ON FUNCTION _probability_accum(float8[], float8, boolean) IS
	'transition function of promo.log_loss and promo.brier: adds the row, skips it when p or label is NULL';
COMMENT ON FUNCTION _probability_combine(float8[], float8[]) IS
	'combine function of promo.log_loss and promo.brier: adds two partial states';
COMMENT ON FUNCTION _log_loss_final(float8[]) IS
	'final function of promo.log_loss: the mean log loss';
COMMENT ON FUNCTION _brier_final(float8[]) IS
	'final function of promo.brier: the mean squared error of the probabilities';
COMMENT ON AGGREGATE log_loss(float8, boolean) IS
	'mean log loss of probabilities p in [0, 1] for label, p clipped to [eps, 1 - eps] as scikit-learn does';
COMMENT ON AGGREGATE brier(float8, boolean) IS
	'Brier score: mean squared error of probabilities p in [0, 1] for label';
COMMENT ON FUNCTION _calib_accum(float8[], float8, boolean, int) IS
	'transition function of promo.calibration: counts the row in its bin, skips it when p or label is NULL';
COMMENT ON FUNCTION _calib_combine(float8[], float8[]) IS
	'combine function of promo.calibration: adds two partial states of as many bins';
COMMENT ON FUNCTION _calib_final(float8[]) IS
	'final function of promo.calibration: one jsonb object per bin';
COMMENT ON AGGREGATE calibration(float8, boolean, int) IS
	'calibration curve of probabilities p for label in bins equal-width bins of [0, 1]: a jsonb array of {bin, lo, hi, count, mean_p, rate}, mean_p and rate null for an empty bin';
COMMENT ON TYPE regression_metrics_result IS
	'result of promo.regression_metrics: rows, root mean squared error, mean absolute error, r2';
COMMENT ON FUNCTION _regression_metrics_accum(float8[], float8, float8) IS
	'transition function of promo.regression_metrics: adds the row, skips it when prediction or actual is NULL';
COMMENT ON FUNCTION _regression_metrics_combine(float8[], float8[]) IS
	'combine function of promo.regression_metrics: merges two partial states';
COMMENT ON FUNCTION _regression_metrics_final(float8[]) IS
	'final function of promo.regression_metrics: n, RMSE, MAE and r2';
COMMENT ON AGGREGATE regression_metrics(float8, float8) IS
	'(n, rmse, mae, r2) of predictions against actual values; r2 = 1 - SSE / SST, NULL when actual is constant';
COMMENT ON FUNCTION in_sample(anyelement, float8, int) IS
	'deterministic train/test split: true for about fraction of the keys, by the hash of the key with seed; the same key is always on the same side';
