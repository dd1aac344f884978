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
 *
 * The names signature, promo.linreg(y, x, names), wraps the same state
 * with the feature names in an internal state (see NamedState).
 */
#include "model.h"

#include <math.h>

#include "funcapi.h"
#include "utils/builtins.h"

#include "finite.h"
#include "linreg.h"

#define LINREG_TAG 7001.0
#define LINREG_HEADER 6
#define LINREG_FIRST_CAPACITY 8
#define LINREG_MAX_CAPACITY 256

/* Offsets of the header fields in the state's data. */
#define LINREG_DIM 1			/* d, -1 until a complete row arrives */
#define LINREG_SKIPPED 2		/* rows skipped for a NULL */
#define LINREG_CAPACITY 3		/* buffer capacity in rows */
#define LINREG_BUFFERED 4		/* rows in the buffer */
#define LINREG_MERGED 5			/* rows merged into the moments */

/* How much of a state StateData checks. */
typedef enum StateScope
{
	STATE_HEADER,				/* header and counts: what every row reads */
	STATE_ALL					/* also the moments and the buffered rows */
} StateScope;

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

	s[LINREG_DIM] = d;
	s[LINREG_CAPACITY] = d < 0 ? 0 : capacity;
	return state;
}

/* A view of the state's moments. */
static PromoMoments
StateMoments(double *s)
{
	PromoMoments m;

	m.q = (int) s[LINREG_DIM] + 1;
	m.n = &s[LINREG_MERGED];
	m.shift = &s[LINREG_HEADER];
	m.mean = m.shift + m.q;
	m.comoment = m.mean + m.q;
	return m;
}

/* The state's row buffer. */
static double *
StateBuffer(double *s)
{
	int			q = (int) s[LINREG_DIM] + 1;

	return &s[LINREG_HEADER + 2 * q + q * q];
}

/* Error: sums of squares overflow (from the state or from the fit). */
static void
ReportOverflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("linreg input values are too large"),
			 errdetail("Sums of squares of y or x overflow double precision."),
			 errhint("Rescale the values, for example with promo.standardize.")));
}

/*
 * The state's data, after the one check of a linreg state: the header
 * matches the length, the counts are whole numbers from 0 to 2^53 and, for
 * STATE_ALL, the moments and buffered rows are finite with a co-moment
 * diagonal that is not negative.  Accum checks the header for each row and
 * everything before it merges the buffer; combine and final check all.
 */
static double *
StateData(ArrayType *state, StateScope scope)
{
	double	   *s = promo_state_data(state, LINREG_TAG, LINREG_HEADER);
	int			len = ARR_DIMS(state)[0];
	PromoMoments m;

	if (!promo_whole_in(s[LINREG_DIM], -1, PROMO_LINREG_MAX_FEATURES) ||
		!promo_whole_in(s[LINREG_CAPACITY], 0, LINREG_MAX_CAPACITY) ||
		!promo_whole_in(s[LINREG_BUFFERED], 0, s[LINREG_CAPACITY]) ||
		len != (s[LINREG_DIM] < 0 ? LINREG_HEADER :
				StateLength((int) s[LINREG_DIM], (int) s[LINREG_CAPACITY])))
		promo_bad_state("The linreg state's header does not match its length.");
	if (!promo_whole_in(s[LINREG_SKIPPED], 0, PROMO_MAX_COUNT) ||
		!promo_whole_in(s[LINREG_MERGED], 0, PROMO_MAX_COUNT))
		promo_bad_state("The linreg state's row counts are not whole numbers from 0 to 2^53.");
	if (s[LINREG_DIM] < 0 && (s[LINREG_MERGED] != 0 || s[LINREG_BUFFERED] != 0))
		promo_bad_state("The linreg state has rows but no dimension.");
	if (scope == STATE_HEADER || s[LINREG_DIM] < 0)
		return s;
	m = StateMoments(s);
	if (!promo_all_finite(m.shift, 2 * m.q + m.q * m.q) ||
		!promo_all_finite(StateBuffer(s), (int) s[LINREG_BUFFERED] * m.q))
		promo_bad_state("The linreg state has moments or rows that are not finite.");
	for (int i = 0; i < m.q; i++)
		if (m.comoment[i + i * m.q] < 0)
			promo_bad_state("The linreg state has a negative sum of squares.");
	return s;
}

/* Error unless the moments are finite, after rows or states merged. */
static void
CheckOverflow(double *s)
{
	PromoMoments m = StateMoments(s);

	if (!promo_all_finite(m.mean, m.q + m.q * m.q))
		ReportOverflow();
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

	MergeRows(&m, StateBuffer(s), (int) s[LINREG_BUFFERED]);
	s[LINREG_BUFFERED] = 0;
	CheckOverflow(s);
}

/* A copy of the state with a larger buffer. */
static ArrayType *
Grow(double *s)
{
	int			d = (int) s[LINREG_DIM];
	int			cap = Min(2 * (int) s[LINREG_CAPACITY], LINREG_MAX_CAPACITY);
	ArrayType  *bigger = NewState(d, cap);
	double	   *b = (double *) ARR_DATA_PTR(bigger);

	memcpy(b, s, sizeof(double) * StateLength(d, (int) s[LINREG_CAPACITY]));
	b[LINREG_CAPACITY] = cap;
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

/*
 * Buffer the row of arguments 1 and 2 (y, x) in the state (NULL: none yet)
 * or count it skipped: the state, changed in place or a new one.
 */
static ArrayType *
AddRow(FunctionCallInfo fcinfo, ArrayType *state)
{
	double	   *s;
	ArrayType  *xarr;
	const double *x;
	double		y;
	int			d;
	int			q;

	if (state == NULL)
		state = NewState(-1, 0);
	s = StateData(state, STATE_HEADER);
	/* A NULL y, x or element of x skips the row, as R's lm does. */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) ||
		array_contains_nulls(xarr = PG_GETARG_ARRAYTYPE_P(2)))
	{
		s[LINREG_SKIPPED] += 1;
		return state;
	}
	y = PG_GETARG_FLOAT8(1);
	promo_check_finite("y", y);
	x = promo_vector_arg(xarr, "x", &d);

	if (s[LINREG_DIM] < 0)
	{
		double		skipped = s[LINREG_SKIPPED];

		CheckFeatureLimit(d);
		state = NewState(d, LINREG_FIRST_CAPACITY);
		s = StateData(state, STATE_HEADER);
		s[LINREG_SKIPPED] = skipped;
	}
	promo_check_row_length("linreg", "features", d, (int) s[LINREG_DIM]);

	if (s[LINREG_BUFFERED] == s[LINREG_CAPACITY])
	{
		if (s[LINREG_CAPACITY] < LINREG_MAX_CAPACITY)
		{
			state = Grow(s);
			s = StateData(state, STATE_HEADER);
		}
		else
			Flush(StateData(state, STATE_ALL));
	}
	q = d + 1;
	memcpy(StateBuffer(s) + (int) s[LINREG_BUFFERED] * q, x, sizeof(double) * d);
	StateBuffer(s)[(int) s[LINREG_BUFFERED] * q + d] = y;
	s[LINREG_BUFFERED] += 1;
	return state;
}

/* promo.linreg transition: buffer one row (y, x) or count it skipped. */
PG_FUNCTION_INFO_V1(promo_linreg_accum);
Datum
promo_linreg_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(AddRow(fcinfo, promo_agg_state(fcinfo, 0)));
}

/* Merge src's moments and buffered rows into dst (same dimension). */
static void
MergeStates(double *dst, double *src)
{
	PromoMoments m = StateMoments(dst);
	PromoMoments other = StateMoments(src);
	int			nbuf = (int) src[LINREG_BUFFERED];
	Size		bytes = sizeof(double) * nbuf * m.q;
	double	   *rows = palloc(Max(bytes, 1));
	double	   *work = palloc(sizeof(double) * PROMO_MOMENTS_WORK(m.q));

	promo_moments_merge(&m, &other, work);
	memcpy(rows, StateBuffer(src), bytes);
	MergeRows(&m, rows, nbuf);
	dst[LINREG_SKIPPED] += src[LINREG_SKIPPED];
	pfree(rows);
	pfree(work);
	CheckOverflow(dst);
}

/*
 * Merge the partial state other into state (which may change in place):
 * the merged state, state itself or a copy of other.
 */
static ArrayType *
CombineStates(ArrayType *state, ArrayType *other)
{
	double	   *s = StateData(state, STATE_ALL);
	double	   *o = StateData(other, STATE_ALL);

	if (o[LINREG_DIM] < 0)
	{
		s[LINREG_SKIPPED] += o[LINREG_SKIPPED];
		return state;
	}
	if (s[LINREG_DIM] < 0)
	{
		/* Only skipped rows here: take the other state whole. */
		double		skipped = s[LINREG_SKIPPED];

		state = (ArrayType *) palloc(VARSIZE(other));
		memcpy(state, other, VARSIZE(other));
		s = StateData(state, STATE_ALL);
		s[LINREG_SKIPPED] += skipped;
		return state;
	}
	promo_check_row_length("linreg", "features", (int) o[LINREG_DIM], (int) s[LINREG_DIM]);
	MergeStates(s, o);
	return state;
}

/* promo.linreg combine: merge two partial states. */
PG_FUNCTION_INFO_V1(promo_linreg_combine);
Datum
promo_linreg_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(CombineStates(promo_agg_state(fcinfo, 0),
										PG_GETARG_ARRAYTYPE_P(1)));
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
		case PROMO_LINREG_TINY_FEATURE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature %d is too small in magnitude to fit", bad_term),
					 errdetail("Its values are below 1e-154, where their squares underflow to zero, so it cannot be told from a constant."),
					 errhint("Rescale x[%d], for example to standard units with promo.scaler.", bad_term)));
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
			ReportOverflow();
			break;
		case PROMO_LINREG_NUMERIC:
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("least-squares factorization failed")));
			break;
	}
}

/* A linreg model from a successful fit, with names unless names->n = 0. */
static PromoModel *
ModelFromFit(const PromoLinregFit *fit, double skipped, const PromoNames *names)
{
	PromoModel *model = promo_model_new(PROMO_MODEL_LINREG, fit->d, 0);

	promo_model_field(model, "n")[0] = fit->n;
	promo_model_field(model, "n_skipped")[0] = skipped;
	promo_model_field(model, "df_residual")[0] = fit->df_residual;
	promo_model_field(model, "r2")[0] = fit->r2;
	promo_model_field(model, "adj_r2")[0] = fit->adj_r2;
	promo_model_field(model, "sigma")[0] = fit->sigma;
	promo_model_field(model, "f_statistic")[0] = fit->f_statistic;
	promo_model_field(model, "f_p_value")[0] = fit->f_p_value;
	promo_model_field(model, "condition_number")[0] = fit->condition_number;
	promo_model_set_terms(model, fit->estimate, fit->std_error, "t_value",
						  fit->t_value, fit->p_value);
	if (names->n > 0)
		return promo_model_with_names(model, names);
	return promo_model_finish(model);
}

/*
 * The model fitted to a state, which is changed (the final functions pass
 * a copy), with names unless names->n = 0; NULL when no row was usable.
 */
static PromoModel *
FitState(ArrayType *state, const PromoNames *names)
{
	double	   *s;
	int			d;
	int			q;
	PromoMoments m;
	PromoLinregFit fit;
	PromoLinregStatus status;
	int			bad_term;

	s = StateData(state, STATE_ALL);
	if (s[LINREG_DIM] < 0)
		return NULL;
	Flush(s);
	d = (int) s[LINREG_DIM];
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
	return ModelFromFit(&fit, s[LINREG_SKIPPED], names);
}

/* promo.linreg final: fit, or NULL when no row was usable. */
PG_FUNCTION_INFO_V1(promo_linreg_final);
Datum
promo_linreg_final(PG_FUNCTION_ARGS)
{
	PromoNames	none = {0, 0, NULL};
	PromoModel *model;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	/* The final function must not change the state: work on a copy. */
	model = FitState(PG_GETARG_ARRAYTYPE_P_COPY(0), &none);
	if (model == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(model);
}

/* ---- the names signature, promo.linreg(y, x, names) ---- */

/*
 * Its state: the float8[] state of promo.linreg(y, x), kept in the
 * aggregate's memory, and the feature names.  Partial states travel
 * between parallel workers serialized: the names, then the doubles.
 */
typedef struct NamedState
{
	ArrayType  *state;			/* set by the first row */
	PromoNamesArg names;		/* n = 0: no names */
} NamedState;

/* Bytes of a serialized named state before its names and doubles. */
#define NAMED_HEADER (2 * sizeof(int32))

/* Keep next, which AddRow or CombineStates returned, as the named state's. */
static void
KeepState(NamedState *ns, ArrayType *next, MemoryContext aggctx)
{
	ArrayType  *copy;

	if (next == ns->state)
		return;
	copy = MemoryContextAlloc(aggctx, VARSIZE(next));
	memcpy(copy, next, VARSIZE(next));
	if (ns->state != NULL)
		pfree(ns->state);
	ns->state = copy;
}

/* Error unless the names (if any) name each feature the rows have. */
static void
CheckNameCount(const NamedState *ns)
{
	int			d = (int) StateData(ns->state, STATE_HEADER)[LINREG_DIM];

	if (ns->names.names.n > 0 && d >= 0)
		promo_names_check_count(&ns->names.names, d, "element of x");
}

/* promo.linreg(y, x, names) transition: the row, and the same names. */
PG_FUNCTION_INFO_V1(promo_linreg_named_accum);
Datum
promo_linreg_named_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	bool		first = PG_ARGISNULL(0);
	NamedState *ns;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "promo_linreg_named_accum called in non-aggregate context");
	ns = first ? MemoryContextAllocZero(aggctx, sizeof(NamedState)) :
		(NamedState *) PG_GETARG_POINTER(0);
	promo_names_accum(fcinfo, 3, &ns->names, first, aggctx);
	/* AddRow allocates a new state in the row's memory; keep it longer. */
	KeepState(ns, AddRow(fcinfo, ns->state), aggctx);
	CheckNameCount(ns);
	PG_RETURN_POINTER(ns);
}

/* promo.linreg(y, x, names) combine: the same names, merged states. */
PG_FUNCTION_INFO_V1(promo_linreg_named_combine);
Datum
promo_linreg_named_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	NamedState *a = PG_ARGISNULL(0) ? NULL : (NamedState *) PG_GETARG_POINTER(0);
	NamedState *b = PG_ARGISNULL(1) ? NULL : (NamedState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "promo_linreg_named_combine called in non-aggregate context");
	if (b == NULL && a == NULL)
		PG_RETURN_NULL();
	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = MemoryContextAllocZero(aggctx, sizeof(NamedState));
		a->names.names = promo_names_copy(&b->names.names, aggctx);
		KeepState(a, b->state, aggctx);
		PG_RETURN_POINTER(a);
	}
	promo_names_combine(&a->names.names, &b->names.names);
	KeepState(a, CombineStates(a->state, b->state), aggctx);
	CheckNameCount(a);
	PG_RETURN_POINTER(a);
}

/*
 * promo.linreg(y, x, names) serialize: the number of names and their
 * bytes (int32 each), the names section, then the state's doubles.
 */
PG_FUNCTION_INFO_V1(promo_linreg_named_serialize);
Datum
promo_linreg_named_serialize(PG_FUNCTION_ARGS)
{
	NamedState *ns = (NamedState *) PG_GETARG_POINTER(0);
	const PromoNames *names = &ns->names.names;
	Size		doubles = sizeof(double) * ARR_DIMS(ns->state)[0];
	Size		size = VARHDRSZ + NAMED_HEADER + names->len + doubles;
	bytea	   *out = palloc(size);
	char	   *p = VARDATA(out);

	SET_VARSIZE(out, size);
	memcpy(p, &names->n, sizeof(int32));
	memcpy(p + sizeof(int32), &names->len, sizeof(int32));
	p += NAMED_HEADER;
	if (names->len > 0)
		memcpy(p, names->data, names->len);
	memcpy(p + names->len, ARR_DATA_PTR(ns->state), doubles);
	PG_RETURN_BYTEA_P(out);
}

/* promo.linreg(y, x, names) deserialize: the inverse, checked whole. */
PG_FUNCTION_INFO_V1(promo_linreg_named_deserialize);
Datum
promo_linreg_named_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_P(0);
	Size		size = VARSIZE(in) - VARHDRSZ;
	const char *p = VARDATA(in);
	NamedState *ns = palloc0(sizeof(NamedState));
	PromoNames	names;
	Size		doubles;
	const char *problem = NULL;
	double	   *s;

	if (size < NAMED_HEADER)
		promo_bad_state("The named linreg state is too short.");
	memcpy(&names.n, p, sizeof(int32));
	memcpy(&names.len, p + sizeof(int32), sizeof(int32));
	if (names.n < 0 || names.n > PROMO_LINREG_MAX_FEATURES || names.len < 0 ||
		(names.n == 0) != (names.len == 0) || (Size) names.len > size - NAMED_HEADER ||
		(size - NAMED_HEADER - names.len) % sizeof(double) != 0)
		promo_bad_state("The named linreg state's header does not match its length.");
	names.data = (char *) p + NAMED_HEADER;
	if (names.n > 0)
		problem = promo_names_problem(names.data, names.len, names.n);
	if (problem != NULL)
		promo_bad_state(problem);
	ns->names.names = promo_names_copy(&names, CurrentMemoryContext);
	doubles = (size - NAMED_HEADER - names.len) / sizeof(double);
	if (doubles > PG_INT32_MAX)
		promo_bad_state("The named linreg state is too long.");
	ns->state = promo_float8_array(NULL, (int) doubles);
	/* The doubles follow names of any length: copy them as bytes. */
	memcpy(ARR_DATA_PTR(ns->state), names.data + names.len, doubles * sizeof(double));
	s = StateData(ns->state, STATE_ALL);
	if (names.n > 0 && s[LINREG_DIM] >= 0 && s[LINREG_DIM] != names.n)
		promo_bad_state("The named linreg state's names do not match its features.");
	PG_RETURN_POINTER(ns);
}

/* promo.linreg(y, x, names) final: the fit, with the names. */
PG_FUNCTION_INFO_V1(promo_linreg_named_final);
Datum
promo_linreg_named_final(PG_FUNCTION_ARGS)
{
	NamedState *ns = PG_ARGISNULL(0) ? NULL : (NamedState *) PG_GETARG_POINTER(0);
	ArrayType  *copy;
	PromoModel *model;

	if (ns == NULL || ns->state == NULL)
		PG_RETURN_NULL();
	/* The final function must not change the state: work on a copy. */
	copy = palloc(VARSIZE(ns->state));
	memcpy(copy, ns->state, VARSIZE(ns->state));
	model = FitState(copy, &ns->names.names);
	if (model == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(model);
}

/* Fitted value of x under a linreg model. */
double
promo_linreg_model_predict(PromoModel *model, const double *x)
{
	return promo_linreg_predict(promo_model_field(model, "estimate"), model->dim, x);
}

/*
 * promo.coefficients(model): one row per term, as summary(lm) or
 * summary(glm) prints, with the term's name when the model has names.
 */
PG_FUNCTION_INFO_V1(promo_coefficients);
Datum
promo_coefficients(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const double *columns[4];
	PromoNames	names = promo_model_names(model);
	const char **list = NULL;

	if (model->kind != PROMO_MODEL_LINREG && model->kind != PROMO_MODEL_LOGREG)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("promo.coefficients needs a linreg or logreg model")));
	InitMaterializedSRF(fcinfo, 0);
	if (names.n > 0)
		list = promo_names_list(&names);
	columns[0] = promo_model_field(model, "estimate");
	columns[1] = promo_model_field(model, "std_error");
	/* A logreg model's z values go in the t_value column. */
	columns[2] = promo_model_field(model, model->kind == PROMO_MODEL_LOGREG ?
								   "z_value" : "t_value");
	columns[3] = promo_model_field(model, "p_value");
	for (int term = 0; term <= model->dim; term++)
	{
		Datum		values[6];
		bool		nulls[6] = {false};

		values[0] = Int32GetDatum(term);
		for (int c = 0; c < 4; c++)
		{
			values[c + 1] = Float8GetDatum(columns[c][term]);
			nulls[c + 1] = isnan(columns[c][term]);
		}

		/*
		 * The name, NULL without names.  The declaration of 0.1 and 0.2 (an
		 * extension not yet updated) has five columns and leaves it out.
		 */
		nulls[5] = list == NULL;
		if (list != NULL)
			values[5] = CStringGetTextDatum(term == 0 ? "(intercept)" : list[term - 1]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
