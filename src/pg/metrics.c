/*
 * metrics.c
 *		Classifier and regression metric aggregates, and the deterministic
 *		train/test split promo.in_sample.
 *
 * log_loss and brier share one float8[] state kind (probability),
 * calibration and regression_metrics have one each; every kind is checked
 * by one function, called by its transition, combine and final functions,
 * so a forged state is an error.  The states are:
 *
 *	 probability  [0] tag, [1] rows, [2] sum of log losses, [3] sum of
 *				  squared errors (metrics.h's PROMO_PROB_STATE_LENGTH)
 *	 calibration  [0] tag, [1] bins, then per bin rows, sum of p, positives
 *	 regression	  [0] tag, then metrics.h's regression state of 6 doubles
 *
 * auc ranks every score, so it holds its rows in an internal state that
 * is serialized for parallel workers and limited by promo.max_memory.
 * Serializing sorts a worker's rows and combining merges sorted runs, so
 * that a parallel plan sorts in the workers, not all rows in the leader.
 *
 * A row whose score, probability, prediction, actual value or label is
 * NULL is skipped, as avg() skips NULLs; no usable row gives NULL.
 */
#include "promo.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_collation.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/typcache.h"

#include "metrics.h"

#define PROBABILITY_TAG 7021.0
#define CALIBRATION_TAG 7022.0
#define REGRESSION_TAG 7023.0

#define PROBABILITY_LENGTH (1 + PROMO_PROB_STATE_LENGTH)
#define CALIBRATION_HEADER 2
#define REGRESSION_LENGTH (1 + PROMO_REGRESSION_STATE_LENGTH)

/* The most rows a float8[] state counts exactly: 2^53. */
#define MAX_COUNT 9007199254740992.0

/* The log loss of one row is at most -log(DBL_EPSILON) (metrics.h). */
#define MAX_ROW_LOG_LOSS 36.05

/* ---- arguments ---- */

/* Is any of the first n arguments after the state NULL? (A skipped row.) */
static bool
RowHasNull(FunctionCallInfo fcinfo, int n)
{
	for (int i = 1; i <= n; i++)
		if (PG_ARGISNULL(i))
			return true;
	return false;
}

/* A label argument as 1 or 0. */
static double
LabelArg(FunctionCallInfo fcinfo, int argno)
{
	return PG_GETARG_BOOL(argno) ? 1.0 : 0.0;
}

/* A probability argument: error unless in [0, 1]. */
static double
ProbabilityArg(FunctionCallInfo fcinfo, int argno)
{
	double		p = PG_GETARG_FLOAT8(argno);

	if (!(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("p must be between 0 and 1, got %g", p),
				 errdetail("p is the predicted probability of the positive label.")));
	return p;
}

/* A finite float8 argument named what. */
static double
FiniteArg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	double		v = PG_GETARG_FLOAT8(argno);

	promo_check_finite(what, v);
	return v;
}

/* Error unless every value of a state just extended is finite. */
static void
CheckNoOverflow(const double *s, int len, const char *aggregate)
{
	for (int i = 0; i < len; i++)
		if (!isfinite(s[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s input values are too large", aggregate),
					 errdetail("Sums of squares overflow double precision."),
					 errhint("Rescale the values.")));
}

/* A float8 result, NULL when it is NaN (not defined). */
static Datum
Float8OrNull(FunctionCallInfo fcinfo, double v)
{
	if (isnan(v))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(v);
}

/* ---- log loss and Brier score: the probability state ---- */

/* The probability state's data, after checking all of it. */
static double *
ProbabilityState(ArrayType *state)
{
	double	   *s = promo_state_data(state, PROBABILITY_TAG, PROBABILITY_LENGTH);
	double		n = s[1];

	if (ARR_DIMS(state)[0] != PROBABILITY_LENGTH ||
		!promo_whole_in(n, 0, MAX_COUNT) ||
		!(s[2] >= 0.0 && s[2] <= n * MAX_ROW_LOG_LOSS) ||
		!(s[3] >= 0.0 && s[3] <= n))
		promo_bad_state("The log loss / Brier state's counts or sums are out of range.");
	return s;
}

/* promo.log_loss and promo.brier transition: add one (p, label) row. */
PG_FUNCTION_INFO_V1(promo_probability_accum);
Datum
promo_probability_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *s;
	double		p;
	double		label;

	if (state == NULL)
		state = promo_state_new(PROBABILITY_TAG, PROBABILITY_LENGTH);
	s = ProbabilityState(state);
	if (RowHasNull(fcinfo, 2))
		PG_RETURN_ARRAYTYPE_P(state);
	p = ProbabilityArg(fcinfo, 1);
	label = LabelArg(fcinfo, 2);
	promo_prob_accum(s + 1, &p, &label, 1);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.log_loss and promo.brier combine: add two partial states. */
PG_FUNCTION_INFO_V1(promo_probability_combine);
Datum
promo_probability_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *s = ProbabilityState(state);
	double	   *o = ProbabilityState(PG_GETARG_ARRAYTYPE_P(1));

	promo_prob_merge(s + 1, o + 1);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.log_loss final: mean log loss, NULL without rows. */
PG_FUNCTION_INFO_V1(promo_log_loss_final);
Datum
promo_log_loss_final(PG_FUNCTION_ARGS)
{
	double	   *s = ProbabilityState(PG_GETARG_ARRAYTYPE_P(0));

	return Float8OrNull(fcinfo, promo_log_loss(s + 1));
}

/* promo.brier final: mean squared error of p, NULL without rows. */
PG_FUNCTION_INFO_V1(promo_brier_final);
Datum
promo_brier_final(PG_FUNCTION_ARGS)
{
	double	   *s = ProbabilityState(PG_GETARG_ARRAYTYPE_P(0));

	return Float8OrNull(fcinfo, promo_brier(s + 1));
}

/* ---- calibration ---- */

/*
 * The calibration state's data, after checking its header and bin "only"
 * (every bin when only < 0).  The transition function checks the bin it
 * adds to before adding, so that a row never turns a forged bin into a
 * valid one, at a cost independent of the number of bins; combine and
 * final check every bin.
 */
static double *
CalibrationState(ArrayType *state, int only)
{
	double	   *s = promo_state_data(state, CALIBRATION_TAG, CALIBRATION_HEADER);
	int			bins;
	int			first;
	int			last;

	if (!promo_whole_in(s[1], 1, PROMO_CALIBRATION_MAX_BINS))
		promo_bad_state("The calibration state's number of bins is out of range.");
	bins = (int) s[1];
	if (ARR_DIMS(state)[0] != CALIBRATION_HEADER + PROMO_CALIBRATION_STATE_LENGTH(bins))
		promo_bad_state("The calibration state's length does not match its number of bins.");
	first = only < 0 ? 0 : only;
	last = only < 0 ? bins - 1 : only;
	for (int b = first; b <= last; b++)
	{
		const double *bin = s + CALIBRATION_HEADER + 3 * b;

		if (!promo_whole_in(bin[0], 0, MAX_COUNT) ||
			!(bin[1] >= 0.0 && bin[1] <= bin[0]) ||
			!promo_whole_in(bin[2], 0, bin[0]))
			promo_bad_state("The calibration state's counts or sums are out of range.");
	}
	return s;
}

/* The bins argument: error unless given and in [1, PROMO_CALIBRATION_MAX_BINS]. */
static int
BinsArg(FunctionCallInfo fcinfo, int argno)
{
	int			bins;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("bins must not be NULL")));
	bins = PG_GETARG_INT32(argno);
	if (bins < 1 || bins > PROMO_CALIBRATION_MAX_BINS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be between 1 and %d, got %d",
						PROMO_CALIBRATION_MAX_BINS, bins)));
	return bins;
}

/* Error unless two bin counts of one calibration aggregate agree. */
static void
CheckSameBins(int got, int want)
{
	if (got != want)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be the same for every row of one calibration aggregate"),
				 errdetail("A row has %d bins, earlier rows had %d.", got, want)));
}

/* promo.calibration transition: add one (p, label) row to its bin. */
PG_FUNCTION_INFO_V1(promo_calib_accum);
Datum
promo_calib_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	int			bins = BinsArg(fcinfo, 3);
	double	   *s;
	double		p;
	double		label;

	if (state == NULL)
	{
		state = promo_state_new(CALIBRATION_TAG,
								CALIBRATION_HEADER + PROMO_CALIBRATION_STATE_LENGTH(bins));
		((double *) ARR_DATA_PTR(state))[1] = bins;
	}
	/* The header first (with bin 0, which every state has): bins must agree. */
	s = CalibrationState(state, 0);
	CheckSameBins(bins, (int) s[1]);
	if (RowHasNull(fcinfo, 2))
		PG_RETURN_ARRAYTYPE_P(state);
	p = ProbabilityArg(fcinfo, 1);
	label = LabelArg(fcinfo, 2);
	CalibrationState(state, promo_calibration_bin(p, bins));
	promo_calibration_accum(s + CALIBRATION_HEADER, bins, &p, &label, 1);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.calibration combine: add two partial states of as many bins. */
PG_FUNCTION_INFO_V1(promo_calib_combine);
Datum
promo_calib_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *s = CalibrationState(state, -1);
	double	   *o = CalibrationState(PG_GETARG_ARRAYTYPE_P(1), -1);

	CheckSameBins((int) o[1], (int) s[1]);
	promo_calibration_merge(s + CALIBRATION_HEADER, o + CALIBRATION_HEADER, (int) s[1]);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Append v to buf as a JSON number in its shortest exact form, or null. */
static void
AppendJsonNumber(StringInfo buf, double v)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (isnan(v))
	{
		appendStringInfoString(buf, "null");
		return;
	}
	double_to_shortest_decimal_buf(v, digits);
	appendStringInfoString(buf, digits);
}

/*
 * promo.calibration final: a jsonb array of one object per bin, bin 1
 * first: bin, lo, hi, count, mean_p and rate (null when the bin is
 * empty).  NULL without rows.
 */
PG_FUNCTION_INFO_V1(promo_calib_final);
Datum
promo_calib_final(PG_FUNCTION_ARGS)
{
	double	   *s = CalibrationState(PG_GETARG_ARRAYTYPE_P(0), -1);
	int			bins = (int) s[1];
	double		total = 0.0;
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (int b = 0; b < bins; b++)
	{
		double		count;
		double		mean_p;
		double		rate;

		promo_calibration_get(s + CALIBRATION_HEADER, b, &count, &mean_p, &rate);
		total += count;
		appendStringInfo(&buf, "%s{\"bin\": %d, \"lo\": ", b > 0 ? ", " : "", b + 1);
		AppendJsonNumber(&buf, (double) b / bins);
		appendStringInfoString(&buf, ", \"hi\": ");
		AppendJsonNumber(&buf, (double) (b + 1) / bins);
		appendStringInfo(&buf, ", \"count\": %.0f, \"mean_p\": ", count);
		AppendJsonNumber(&buf, mean_p);
		appendStringInfoString(&buf, ", \"rate\": ");
		AppendJsonNumber(&buf, rate);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	if (total == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* ---- regression metrics ---- */

/* The regression state's data, after checking all of it. */
static double *
RegressionState(ArrayType *state)
{
	double	   *s = promo_state_data(state, REGRESSION_TAG, REGRESSION_LENGTH);
	const double *r = s + 1;	/* n, shift, mean, comoment, SSE, SAE */
	bool		ok = ARR_DIMS(state)[0] == REGRESSION_LENGTH &&
		promo_whole_in(r[0], 0, MAX_COUNT);

	for (int i = 1; ok && i < PROMO_REGRESSION_STATE_LENGTH; i++)
		ok = isfinite(r[i]) && (i < 3 || r[i] >= 0.0) && (r[0] > 0 || r[i] == 0.0);
	if (!ok)
		promo_bad_state("The regression_metrics state's counts or sums are out of range.");
	return s;
}

/* promo.regression_metrics transition: add one (prediction, actual) row. */
PG_FUNCTION_INFO_V1(promo_regression_metrics_accum);
Datum
promo_regression_metrics_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *s;
	double		prediction;
	double		actual;

	if (state == NULL)
		state = promo_state_new(REGRESSION_TAG, REGRESSION_LENGTH);
	s = RegressionState(state);
	if (RowHasNull(fcinfo, 2))
		PG_RETURN_ARRAYTYPE_P(state);
	prediction = FiniteArg(fcinfo, 1, "prediction");
	actual = FiniteArg(fcinfo, 2, "actual");
	promo_regression_accum(s + 1, &prediction, &actual, 1);
	CheckNoOverflow(s, REGRESSION_LENGTH, "regression_metrics");
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.regression_metrics combine: merge two partial states. */
PG_FUNCTION_INFO_V1(promo_regression_metrics_combine);
Datum
promo_regression_metrics_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *s = RegressionState(state);
	double	   *o = RegressionState(PG_GETARG_ARRAYTYPE_P(1));

	promo_regression_merge(s + 1, o + 1);
	CheckNoOverflow(s, REGRESSION_LENGTH, "regression_metrics");
	PG_RETURN_ARRAYTYPE_P(state);
}

/*
 * promo.regression_metrics final: (n, rmse, mae, r2), r2 NULL when actual
 * is constant; NULL without rows.
 */
PG_FUNCTION_INFO_V1(promo_regression_metrics_final);
Datum
promo_regression_metrics_final(PG_FUNCTION_ARGS)
{
	double	   *s = RegressionState(PG_GETARG_ARRAYTYPE_P(0));
	TupleDesc	desc;
	double		values[3];
	Datum		datums[4];
	bool		nulls[4] = {false};

	if (s[1] == 0.0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type of regression_metrics must be a row type");
	values[0] = promo_rmse(s + 1);
	values[1] = promo_mae(s + 1);
	values[2] = promo_r2(s + 1);
	datums[0] = Int64GetDatum((int64) s[1]);
	for (int i = 0; i < 3; i++)
	{
		datums[i + 1] = Float8GetDatum(values[i]);
		nulls[i + 1] = isnan(values[i]);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc),
													  datums, nulls)));
}

/* ---- ROC AUC: an internal state holding the rows ---- */

typedef struct AucState
{
	int64		n;				/* rows held */
	int64		capacity;		/* rows allocated */
	bool		sorted;			/* rows are in ascending order of score */
	PromoScoredRow *rows;
} AucState;

/*
 * Error unless growing the row array for rows rows from capacity old to
 * new fits in promo.max_memory: both arrays are held while rows are copied.
 */
static void
CheckAucMemory(int64 rows, int64 old, int64 new)
{
	double		bytes = (double) sizeof(PromoScoredRow) * ((double) old + (double) new);

	if (bytes > (double) promo_max_memory_kb * 1024.0)
		promo_check_memory(bytes,
						   psprintf("promo.auc over %lld rows", (long long) rows),
						   psprintf("promo.auc holds %d bytes per row to rank the scores, up to "
									"three times that while its array grows. Compute it on a "
									"sample of the rows (for example WHERE promo.in_sample(key, 0.1, 0)), "
									"or raise promo.max_memory.",
									(int) sizeof(PromoScoredRow)));
}

/* Append nrows rows to the state, growing its array in cxt. */
static void
AucAppend(AucState *st, MemoryContext cxt, const PromoScoredRow *rows, int64 nrows)
{
	int64		need = st->n + nrows;

	if (need > st->capacity)
	{
		int64		cap = Max(Max(64, 2 * st->capacity), need);

		CheckAucMemory(need, st->capacity, cap);
		st->rows = st->rows == NULL ?
			MemoryContextAllocHuge(cxt, sizeof(PromoScoredRow) * cap) :
			repalloc_huge(st->rows, sizeof(PromoScoredRow) * cap);
		st->capacity = cap;
	}
	memcpy(st->rows + st->n, rows, sizeof(PromoScoredRow) * nrows);
	st->n = need;
	st->sorted = false;
}

/* Merge the sorted rows of b into the sorted rows of a, in cxt. */
static void
AucMergeSorted(AucState *a, MemoryContext cxt, const AucState *b)
{
	int64		need = a->n + b->n;
	PromoScoredRow *merged;

	CheckAucMemory(need, a->capacity, need);
	merged = MemoryContextAllocHuge(cxt, sizeof(PromoScoredRow) * need);
	promo_auc_merge(a->rows, (size_t) a->n, b->rows, (size_t) b->n, merged);
	if (a->rows != NULL)
		pfree(a->rows);
	a->rows = merged;
	a->n = a->capacity = need;
}

/* Sort the state's rows, unless they are sorted. */
static void
AucSort(AucState *st)
{
	if (!st->sorted)
		promo_auc_sort(st->rows, (size_t) st->n);
	st->sorted = true;
}

/* A score: error when NaN (infinities rank as they compare). */
static double
ScoreArg(FunctionCallInfo fcinfo, int argno)
{
	double		score = PG_GETARG_FLOAT8(argno);

	if (isnan(score))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("score must not be NaN")));
	return score;
}

/* The aggregate memory context, or an error outside an aggregate. */
static MemoryContext
AggContext(FunctionCallInfo fcinfo, const char *function)
{
	MemoryContext aggctx;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "%s called in non-aggregate context", function);
	return aggctx;
}

/* promo.auc transition: keep one (score, label) row. */
PG_FUNCTION_INFO_V1(promo_auc_accum);
Datum
promo_auc_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = AggContext(fcinfo, "promo_auc_accum");
	AucState   *st = PG_ARGISNULL(0) ? NULL : (AucState *) PG_GETARG_POINTER(0);
	PromoScoredRow row;

	if (RowHasNull(fcinfo, 2))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	row.score = ScoreArg(fcinfo, 1);
	row.label = LabelArg(fcinfo, 2);
	if (st == NULL)
		st = MemoryContextAllocZero(aggctx, sizeof(AucState));
	AucAppend(st, aggctx, &row, 1);
	PG_RETURN_POINTER(st);
}

/* promo.auc combine: append the rows of the second state. */
PG_FUNCTION_INFO_V1(promo_auc_combine);
Datum
promo_auc_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = AggContext(fcinfo, "promo_auc_combine");
	AucState   *a = PG_ARGISNULL(0) ? NULL : (AucState *) PG_GETARG_POINTER(0);
	AucState   *b = PG_ARGISNULL(1) ? NULL : (AucState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = MemoryContextAllocZero(aggctx, sizeof(AucState));
		a->sorted = true;
	}
	if (a->sorted && b->sorted)
		AucMergeSorted(a, aggctx, b);
	else
		AucAppend(a, aggctx, b->rows, b->n);
	PG_RETURN_POINTER(a);
}

/* promo.auc serialize: the row count, then the rows sorted by score. */
PG_FUNCTION_INFO_V1(promo_auc_serialize);
Datum
promo_auc_serialize(PG_FUNCTION_ARGS)
{
	AucState   *st = (AucState *) PG_GETARG_POINTER(0);
	Size		size = VARHDRSZ + sizeof(int64) + sizeof(PromoScoredRow) * (Size) st->n;
	bytea	   *out;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("auc state of %lld rows is too large to pass between parallel workers",
						(long long) st->n),
				 errhint("Run the aggregate without parallel workers, or on a sample of the rows.")));
	AucSort(st);
	out = palloc(size);
	SET_VARSIZE(out, size);
	memcpy(VARDATA(out), &st->n, sizeof(int64));
	memcpy(VARDATA(out) + sizeof(int64), st->rows, sizeof(PromoScoredRow) * (Size) st->n);
	PG_RETURN_BYTEA_P(out);
}

/*
 * promo.auc deserialize: the inverse of serialize, every row checked; the
 * rows count as sorted when they are.
 */
PG_FUNCTION_INFO_V1(promo_auc_deserialize);
Datum
promo_auc_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	Size		len = VARSIZE_ANY_EXHDR(in);
	const char *p = VARDATA_ANY(in);
	AucState   *st = palloc0(sizeof(AucState));
	int64		n;

	if (len < sizeof(int64))
		promo_bad_state("The auc state is too short.");
	memcpy(&n, p, sizeof(int64));
	if (n < 0 || (Size) n != (len - sizeof(int64)) / sizeof(PromoScoredRow) ||
		len != sizeof(int64) + sizeof(PromoScoredRow) * (Size) n)
		promo_bad_state("The auc state's row count does not match its length.");
	AucAppend(st, CurrentMemoryContext, (const PromoScoredRow *) (p + sizeof(int64)), n);
	st->sorted = true;
	for (int64 i = 0; i < n; i++)
	{
		if (isnan(st->rows[i].score) ||
			(st->rows[i].label != 0.0 && st->rows[i].label != 1.0))
			promo_bad_state("The auc state holds a NaN score or a label other than 0 or 1.");
		if (i > 0 && st->rows[i].score < st->rows[i - 1].score)
			st->sorted = false;
	}
	PG_RETURN_POINTER(st);
}

/*
 * promo.auc final: the Mann-Whitney AUC; NULL without rows or when only
 * one label is present.  Sorts the state's rows in place, unless sorted.
 */
PG_FUNCTION_INFO_V1(promo_auc_final);
Datum
promo_auc_final(PG_FUNCTION_ARGS)
{
	AucState   *st = PG_ARGISNULL(0) ? NULL : (AucState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	AucSort(st);
	return Float8OrNull(fcinfo, promo_auc_sorted(st->rows, (size_t) st->n));
}

/* ---- deterministic train/test split ---- */

/* Error unless fraction is in [0, 1]. */
static void
CheckFraction(double fraction)
{
	if (!(fraction >= 0.0 && fraction <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fraction must be between 0 and 1, got %g", fraction)));
}

/* The type cache entry of the key's type, with its extended hash function. */
static TypeCacheEntry *
KeyHashType(FunctionCallInfo fcinfo)
{
	TypeCacheEntry *tc = (TypeCacheEntry *) fcinfo->flinfo->fn_extra;
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 0);

	if (tc != NULL && tc->type_id == type)
		return tc;
	if (!OidIsValid(type))
		elog(ERROR, "could not determine the type of promo.in_sample's key");
	tc = lookup_type_cache(type, TYPECACHE_HASH_EXTENDED_PROC_FINFO);
	if (!OidIsValid(tc->hash_extended_proc))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("key of type %s cannot be hashed", format_type_be(type)),
				 errhint("Use a key of a type with a hash operator class, such as bigint or text.")));
	/* Type cache entries live as long as the backend. */
	fcinfo->flinfo->fn_extra = tc;
	return tc;
}

/*
 * promo.in_sample(key, fraction, seed): true for a share fraction of the
 * keys, by the type's extended hash of the key with the seed mapped to
 * [0, 1); the same key always falls on the same side.
 */
PG_FUNCTION_INFO_V1(promo_in_sample);
Datum
promo_in_sample(PG_FUNCTION_ARGS)
{
	double		fraction = PG_GETARG_FLOAT8(1);
	int32		seed = PG_GETARG_INT32(2);
	TypeCacheEntry *tc;
	Oid			collation = PG_GET_COLLATION();
	uint64		hash;

	CheckFraction(fraction);
	tc = KeyHashType(fcinfo);
	if (!OidIsValid(collation))
		collation = DEFAULT_COLLATION_OID;
	hash = DatumGetUInt64(FunctionCall2Coll(&tc->hash_extended_proc_finfo, collation,
											PG_GETARG_DATUM(0), Int64GetDatum(seed)));
	/* The top 53 bits as a double in [0, 1). */
	PG_RETURN_BOOL((double) (hash >> 11) * 0x1.0p-53 < fraction);
}
