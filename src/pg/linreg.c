/*
 * linreg.c
 *		promo.linreg aggregate: least squares from a float8[] state.
 *
 * The state is a plain float8[] so that partial aggregation can ship it
 * between processes and nodes as an ordinary value:
 *
 *	 [0] tag, [1] d (-1 until a complete row arrives), [2] rows skipped,
 *	 [3] buffer capacity in rows, [4] rows buffered, [5] n merged,
 *	 then q = d + 1 shifts, q means, q x q co-moments, and capacity x q
 *	 buffered rows (see moments.h).
 *
 * Rows are buffered so that they reach the moments in blocks, one BLAS
 * dsyrk per block.  The buffer starts small and grows, so that many small
 * groups stay small.
 */
#include "model.h"

#include <math.h>

#include "funcapi.h"

#include "linreg.h"

#define LINREG_TAG 7001.0
#define LINREG_HEADER 6
#define LINREG_FIRST_CAPACITY 8
#define LINREG_MAX_CAPACITY 256

/* Offsets into the state's data. */
#define S_DIM 1
#define S_SKIPPED 2
#define S_CAPACITY 3
#define S_BUFFERED 4
#define S_N 5

/* Number of doubles in a state of d features and a buffer capacity. */
static int
StateLength(int d, int capacity)
{
	int			q = d + 1;

	return LINREG_HEADER + 2 * q + q * q + capacity * q;
}

/* A state of d features (-1: not known yet) with all counts zero. */
static ArrayType *
NewState(int d, int capacity)
{
	ArrayType  *state = promo_state_new(LINREG_TAG,
										d < 0 ? LINREG_HEADER : StateLength(d, capacity));
	double	   *s = (double *) ARR_DATA_PTR(state);

	s[S_DIM] = d;
	s[S_CAPACITY] = d < 0 ? 0 : capacity;
	return state;
}

/* The state's data, after checking its layout is self-consistent. */
static double *
StateData(ArrayType *state)
{
	double	   *s = promo_state_data(state, LINREG_TAG, LINREG_HEADER);
	int			len = ARR_DIMS(state)[0];

	if (!promo_whole_in(s[S_DIM], -1, PROMO_LINREG_MAX_FEATURES) ||
		!promo_whole_in(s[S_CAPACITY], 0, LINREG_MAX_CAPACITY) ||
		!promo_whole_in(s[S_BUFFERED], 0, s[S_CAPACITY]) ||
		len != (s[S_DIM] < 0 ? LINREG_HEADER :
				StateLength((int) s[S_DIM], (int) s[S_CAPACITY])))
		promo_bad_state("The linreg state's header does not match its length.");
	return s;
}

/* A view of the state's moments. */
static PromoMoments
StateMoments(double *s)
{
	PromoMoments m;

	m.q = (int) s[S_DIM] + 1;
	m.n = &s[S_N];
	m.shift = &s[LINREG_HEADER];
	m.mean = m.shift + m.q;
	m.comoment = m.mean + m.q;
	return m;
}

/* The state's row buffer. */
static double *
StateBuffer(double *s)
{
	int			q = (int) s[S_DIM] + 1;

	return &s[LINREG_HEADER + 2 * q + q * q];
}

/* Merge nrows rows (row-major, q wide) into the moments; rows is clobbered. */
static void
MergeRows(PromoMoments *m, double *rows, int nrows)
{
	double	   *work = palloc(sizeof(double) * PROMO_MOMENTS_WORK(m->q));

	promo_moments_add_rows(m, rows, nrows, work);
	pfree(work);
}

/* Empty the state's buffer into its moments. */
static void
Flush(double *s)
{
	PromoMoments m = StateMoments(s);

	MergeRows(&m, StateBuffer(s), (int) s[S_BUFFERED]);
	s[S_BUFFERED] = 0;
}

/* A copy of the state with a larger buffer. */
static ArrayType *
Grow(double *s)
{
	int			d = (int) s[S_DIM];
	int			cap = Min(2 * (int) s[S_CAPACITY], LINREG_MAX_CAPACITY);
	ArrayType  *bigger = NewState(d, cap);
	double	   *b = (double *) ARR_DATA_PTR(bigger);

	memcpy(b, s, sizeof(double) * StateLength(d, (int) s[S_CAPACITY]));
	b[S_CAPACITY] = cap;
	return bigger;
}

/* Error unless a first row's dimension is within the documented limit. */
static void
CheckFeatureLimit(int d)
{
	promo_check_not_empty("x", d);
	if (d > PROMO_LINREG_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("linreg accepts at most %d features, x has %d",
						PROMO_LINREG_MAX_FEATURES, d),
				 errdetail("The least-squares state grows with the square of the number of features.")));
}

/* promo.linreg transition: buffer one row (y, x) or count it skipped. */
PG_FUNCTION_INFO_V1(promo_linreg_accum);
Datum
promo_linreg_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *s;
	ArrayType  *xarr;
	const double *x;
	double		y;
	int			d;
	int			q;

	if (state == NULL)
		state = NewState(-1, 0);
	s = StateData(state);
	/* A NULL y, x or element of x skips the row, as R's lm does. */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) ||
		array_contains_nulls(xarr = PG_GETARG_ARRAYTYPE_P(2)))
	{
		s[S_SKIPPED] += 1;
		PG_RETURN_ARRAYTYPE_P(state);
	}
	y = PG_GETARG_FLOAT8(1);
	promo_check_finite("y", y);
	x = promo_vector_arg(xarr, "x", &d);

	if (s[S_DIM] < 0)
	{
		double		skipped = s[S_SKIPPED];

		CheckFeatureLimit(d);
		state = NewState(d, LINREG_FIRST_CAPACITY);
		s = StateData(state);
		s[S_SKIPPED] = skipped;
	}
	promo_check_row_length("linreg", "features", d, (int) s[S_DIM]);

	if (s[S_BUFFERED] == s[S_CAPACITY])
	{
		if (s[S_CAPACITY] < LINREG_MAX_CAPACITY)
		{
			state = Grow(s);
			s = StateData(state);
		}
		else
			Flush(s);
	}
	q = d + 1;
	memcpy(StateBuffer(s) + (int) s[S_BUFFERED] * q, x, sizeof(double) * d);
	StateBuffer(s)[(int) s[S_BUFFERED] * q + d] = y;
	s[S_BUFFERED] += 1;
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Merge src's moments and buffered rows into dst (same dimension). */
static void
MergeStates(double *dst, double *src)
{
	PromoMoments m = StateMoments(dst);
	PromoMoments other = StateMoments(src);
	int			nbuf = (int) src[S_BUFFERED];
	Size		bytes = sizeof(double) * nbuf * m.q;
	double	   *rows = palloc(Max(bytes, 1));
	double	   *work = palloc(sizeof(double) * PROMO_MOMENTS_WORK(m.q));

	promo_moments_merge(&m, &other, work);
	memcpy(rows, StateBuffer(src), bytes);
	MergeRows(&m, rows, nbuf);
	dst[S_SKIPPED] += src[S_SKIPPED];
	pfree(rows);
	pfree(work);
}

/* promo.linreg combine: merge two partial states. */
PG_FUNCTION_INFO_V1(promo_linreg_combine);
Datum
promo_linreg_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *s = StateData(state);
	ArrayType  *other = PG_GETARG_ARRAYTYPE_P(1);
	double	   *o = StateData(other);

	if (o[S_DIM] < 0)
	{
		s[S_SKIPPED] += o[S_SKIPPED];
		PG_RETURN_ARRAYTYPE_P(state);
	}
	if (s[S_DIM] < 0)
	{
		/* Only skipped rows here: take the other state whole. */
		double		skipped = s[S_SKIPPED];

		state = PG_GETARG_ARRAYTYPE_P_COPY(1);
		s = StateData(state);
		s[S_SKIPPED] += skipped;
		PG_RETURN_ARRAYTYPE_P(state);
	}
	promo_check_row_length("linreg", "features", (int) o[S_DIM], (int) s[S_DIM]);
	MergeStates(s, o);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Report a failed fit as the error it stands for. */
static void
ReportFitFailure(PromoLinregStatus status, const PromoLinregFit *fit, int bad_term)
{
	switch (status)
	{
		case PROMO_LINREG_OK:
			return;
		case PROMO_LINREG_SINGLE_ROW:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("linreg needs at least two rows"),
					 errdetail("Only one row had a non-NULL y and x.")));
			break;
		case PROMO_LINREG_TOO_FEW_ROWS:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("linreg has %d terms but only %.0f rows",
							fit->d + 1, fit->n),
					 errdetail("Fitting the intercept and %d features needs at least %d rows.",
							   fit->d, fit->d + 2),
					 errhint("Use fewer features or more rows.")));
			break;
		case PROMO_LINREG_CONSTANT_FEATURE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature %d is constant", bad_term),
					 errdetail("A constant feature is collinear with the intercept."),
					 errhint("Remove x[%d] from the features.", bad_term)));
			break;
		case PROMO_LINREG_COLLINEAR:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("features are collinear"),
					 errdetail("Feature %d is a linear combination of the other features.",
							   bad_term),
					 errhint("Remove x[%d] or another feature it depends on.", bad_term)));
			break;
		case PROMO_LINREG_OVERFLOW:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("linreg input values are too large"),
					 errdetail("Sums of squares of y or x overflow double precision."),
					 errhint("Rescale the values, for example with promo.standardize.")));
			break;
		case PROMO_LINREG_NUMERIC:
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("least-squares factorization failed")));
			break;
	}
}

/* Fill a linreg model from a successful fit. */
static PromoModel *
ModelFromFit(const PromoLinregFit *fit, double skipped)
{
	PromoModel *model = promo_model_new(PROMO_MODEL_LINREG, fit->d, 0);
	Size		bytes = sizeof(double) * (fit->d + 1);

	promo_model_field(model, "n")[0] = fit->n;
	promo_model_field(model, "n_skipped")[0] = skipped;
	promo_model_field(model, "df_residual")[0] = fit->df_residual;
	promo_model_field(model, "r2")[0] = fit->r2;
	promo_model_field(model, "adj_r2")[0] = fit->adj_r2;
	promo_model_field(model, "sigma")[0] = fit->sigma;
	promo_model_field(model, "f_statistic")[0] = fit->f_statistic;
	promo_model_field(model, "f_p_value")[0] = fit->f_p_value;
	promo_model_field(model, "condition_number")[0] = fit->condition_number;
	memcpy(promo_model_field(model, "estimate"), fit->estimate, bytes);
	memcpy(promo_model_field(model, "std_error"), fit->std_error, bytes);
	memcpy(promo_model_field(model, "t_value"), fit->t_value, bytes);
	memcpy(promo_model_field(model, "p_value"), fit->p_value, bytes);
	return model;
}

/* promo.linreg final: fit, or NULL when no row was usable. */
PG_FUNCTION_INFO_V1(promo_linreg_final);
Datum
promo_linreg_final(PG_FUNCTION_ARGS)
{
	ArrayType  *state;
	double	   *s;
	int			d;
	int			q;
	PromoMoments m;
	PromoLinregFit fit;
	PromoLinregStatus status;
	int			bad_term;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	/* The final function must not change the state: work on a copy. */
	state = PG_GETARG_ARRAYTYPE_P_COPY(0);
	s = StateData(state);
	if (s[S_DIM] < 0)
		PG_RETURN_NULL();
	Flush(s);
	d = (int) s[S_DIM];
	q = d + 1;
	m = StateMoments(s);

	fit.estimate = palloc(sizeof(double) * q * 4);
	fit.std_error = fit.estimate + q;
	fit.t_value = fit.std_error + q;
	fit.p_value = fit.t_value + q;
	status = promo_linreg_fit(&m, &fit, &bad_term,
							  palloc(sizeof(double) * promo_linreg_work_doubles(d)),
							  palloc(sizeof(int) * promo_linreg_work_ints(d)));
	ReportFitFailure(status, &fit, bad_term);
	PG_RETURN_POINTER(ModelFromFit(&fit, s[S_SKIPPED]));
}

/* Fitted value of x under a linreg model. */
double
promo_linreg_model_predict(PromoModel *model, const double *x)
{
	return promo_linreg_predict(promo_model_field(model, "estimate"), model->dim, x);
}

/*
 * promo.coefficients(model): one row per term, as summary(lm) or
 * summary(glm) prints.
 */
PG_FUNCTION_INFO_V1(promo_coefficients);
Datum
promo_coefficients(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const double *columns[4];

	if (model->kind != PROMO_MODEL_LINREG && model->kind != PROMO_MODEL_LOGREG)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("promo.coefficients needs a linreg or logreg model")));
	InitMaterializedSRF(fcinfo, 0);
	columns[0] = promo_model_field(model, "estimate");
	columns[1] = promo_model_field(model, "std_error");
	/* A logreg model's z values go in the t_value column. */
	columns[2] = promo_model_field(model, model->kind == PROMO_MODEL_LOGREG ?
								   "z_value" : "t_value");
	columns[3] = promo_model_field(model, "p_value");
	for (int term = 0; term <= model->dim; term++)
	{
		Datum		values[5];
		bool		nulls[5] = {false};

		values[0] = Int32GetDatum(term);
		for (int c = 0; c < 4; c++)
		{
			values[c + 1] = Float8GetDatum(columns[c][term]);
			nulls[c + 1] = isnan(columns[c][term]);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
