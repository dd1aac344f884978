/*
 * scaler.c
 *		promo.scaler aggregate, promo.standardize and promo.scaler_stats.
 *
 * The state is a plain float8[]: [0] tag, [1] d, then count, shift, mean,
 * m2, min and max, d values each (see scaler.h).  NULL elements are
 * skipped per dimension, so each dimension has its own count.
 */
#include "model.h"

#include <math.h>

#include "funcapi.h"

#include "finite.h"
#include "scaler.h"

#define SCALER_TAG 7002.0
#define SCALER_HEADER 2
#define SCALER_FIELDS 6

/* Offset of the state's dimension. */
#define SCALER_DIM 1

/* Error: the statistics of dimension j (0-based) overflow. */
static void
ReportOverflow(int j)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("scaler input values are too large"),
			 errdetail("The mean or variance of dimension %d overflows double precision.",
					   j + 1)));
}

/* Error unless the d values of v are finite (a mean or a spread). */
static void
CheckOverflow(const double *v, int d)
{
	if (promo_all_finite(v, d))
		return;
	for (int j = 0; j < d; j++)
		if (!isfinite(v[j]))
			ReportOverflow(j);
}

/* What is wrong with a dimension of a scaler state, by fault. */
static const char *const fault_details[] = {
	[PROMO_SCALER_NOT_FINITE] = "has statistics that are not finite",
	[PROMO_SCALER_BAD_COUNT] = "has a count that is not a whole number from 0 to 2^53",
	[PROMO_SCALER_NEGATIVE_M2] = "has a negative sum of squares",
	[PROMO_SCALER_MIN_ABOVE_MAX] = "has min greater than max",
};

/* Error for a scaler state: the detail names what is wrong. */
static void
BadState(const char *what, int j)
{
	promo_bad_state(psprintf("Dimension %d of the scaler state %s.", j + 1, what));
}

/*
 * A view of a scaler state, after the one check every accum, combine and
 * final makes: the header matches the length, and the statistics pass
 * promo_scaler_check (whole counts in [0, 2^53], finite statistics, m2 not
 * negative, min <= max where there are values).
 */
static PromoScalerStats
StateStats(ArrayType *state)
{
	double	   *s = promo_state_data(state, SCALER_TAG, SCALER_HEADER);
	PromoScalerStats st;
	int			d;
	int			bad;
	PromoScalerFault fault;

	if (!promo_whole_in(s[SCALER_DIM], 1, PROMO_MAX_DIMENSIONS) ||
		ARR_DIMS(state)[0] != SCALER_HEADER + SCALER_FIELDS * (int) s[SCALER_DIM])
		promo_bad_state("The scaler state's header does not match its length.");
	d = (int) s[SCALER_DIM];
	st.d = d;
	st.count = &s[SCALER_HEADER];
	st.shift = st.count + d;
	st.mean = st.shift + d;
	st.m2 = st.mean + d;
	st.min = st.m2 + d;
	st.max = st.min + d;
	fault = promo_scaler_check(&st, &bad);
	if (fault != PROMO_SCALER_OK)
		BadState(fault_details[fault], bad);
	return st;
}

/* A zeroed state of d dimensions. */
static ArrayType *
NewState(int d)
{
	ArrayType  *state = promo_state_new(SCALER_TAG, SCALER_HEADER + SCALER_FIELDS * d);

	((double *) ARR_DATA_PTR(state))[SCALER_DIM] = d;
	return state;
}

/* Error unless d dimensions are allowed and match the state's. */
static void
CheckDimensions(int state_d, int d)
{
	promo_check_not_empty("x", d);
	if (d > PROMO_MAX_DIMENSIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("scaler accepts at most %d dimensions, x has %d",
						PROMO_MAX_DIMENSIONS, d)));
	if (state_d >= 0)
		promo_check_row_length("scaler", "elements", d, state_d);
}

/* promo.scaler transition: add one row; a NULL row is skipped. */
PG_FUNCTION_INFO_V1(promo_scaler_accum);
Datum
promo_scaler_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *x;
	bool	   *isnull;
	int			d;
	PromoScalerStats st;

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		(void) StateStats(state);
		PG_RETURN_ARRAYTYPE_P(state);
	}
	x = promo_vector_nullable(PG_GETARG_ARRAYTYPE_P(1), "x", &d, &isnull);
	if (state == NULL)
	{
		CheckDimensions(-1, d);
		state = NewState(d);
	}
	st = StateStats(state);
	CheckDimensions(st.d, d);
	promo_scaler_add(&st, x, isnull);
	CheckOverflow(st.mean, d);
	CheckOverflow(st.m2, d);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.scaler combine: merge two partial states. */
PG_FUNCTION_INFO_V1(promo_scaler_combine);
Datum
promo_scaler_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	PromoScalerStats st = StateStats(state);
	PromoScalerStats other = StateStats(PG_GETARG_ARRAYTYPE_P(1));

	CheckDimensions(st.d, other.d);
	promo_scaler_merge(&st, &other);
	CheckOverflow(st.mean, st.d);
	CheckOverflow(st.m2, st.d);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.scaler final: a scaler model; NaN marks dimensions without data. */
PG_FUNCTION_INFO_V1(promo_scaler_final);
Datum
promo_scaler_final(PG_FUNCTION_ARGS)
{
	PromoScalerStats st;
	PromoModel *model;
	Size		bytes;
	double	   *min;
	double	   *max;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = StateStats(PG_GETARG_ARRAYTYPE_P(0));
	model = promo_model_new(PROMO_MODEL_SCALER, st.d, 0);
	bytes = sizeof(double) * st.d;
	memcpy(promo_model_field(model, "count"), st.count, bytes);
	min = memcpy(promo_model_field(model, "min"), st.min, bytes);
	max = memcpy(promo_model_field(model, "max"), st.max, bytes);
	promo_scaler_mean(&st, promo_model_field(model, "mean"));
	promo_scaler_std(&st, promo_model_field(model, "std"));
	for (int j = 0; j < st.d; j++)
	{
		if (st.count[j] == 0)
			min[j] = max[j] = NAN;
		else if (!isfinite(promo_model_field(model, "mean")[j]) ||
				 isinf(promo_model_field(model, "std")[j]))
			ReportOverflow(j);
	}
	PG_RETURN_POINTER(promo_model_finish(model));
}

/* promo.standardize(x, scaler): z-scores, NULL elements imputed as 0. */
PG_FUNCTION_INFO_V1(promo_standardize);
Datum
promo_standardize(PG_FUNCTION_ARGS)
{
	PromoModel *model = promo_model_arg(fcinfo, 1);
	double	   *x;
	bool	   *isnull;
	int			d;

	promo_model_expect(model, PROMO_MODEL_SCALER, "promo.standardize");
	x = promo_vector_nullable(PG_GETARG_ARRAYTYPE_P(0), "x", &d, &isnull);
	promo_model_check_dim(model, d);
	promo_scaler_standardize(d, promo_model_field(model, "mean"),
							 promo_model_field(model, "std"), x, isnull, x);
	PG_RETURN_ARRAYTYPE_P(promo_float8_array(x, d));
}

/* promo.scaler_stats(model): one row per dimension of a scaler model. */
PG_FUNCTION_INFO_V1(promo_scaler_stats);
Datum
promo_scaler_stats(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const double *columns[4];
	const double *count;

	promo_model_expect(model, PROMO_MODEL_SCALER, "promo.scaler_stats");
	InitMaterializedSRF(fcinfo, 0);
	count = promo_model_field(model, "count");
	columns[0] = promo_model_field(model, "mean");
	columns[1] = promo_model_field(model, "std");
	columns[2] = promo_model_field(model, "min");
	columns[3] = promo_model_field(model, "max");
	for (int j = 0; j < model->dim; j++)
	{
		Datum		values[6];
		bool		nulls[6] = {false};

		values[0] = Int32GetDatum(j + 1);
		values[1] = Int64GetDatum((int64) count[j]);
		for (int c = 0; c < 4; c++)
		{
			values[c + 2] = Float8GetDatum(columns[c][j]);
			nulls[c + 2] = isnan(columns[c][j]);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
