/*
 * logreg_fit.c
 *		The scale-out logistic regression path: an IRLS-step aggregate and
 *		its driver.
 *
 * promo.logreg_step(y, x, weight, coef, center, scale) evaluates each row
 * at given coefficients and adds it to the core's pass state (the X'WX and
 * X'Wz sums of one Newton step, the deviance and counts).  Its state is a
 * plain float8[] with a combine function, so it scans in parallel and a
 * distributed planner can push it to its workers:
 *
 *	 [0] tag, [1] d, [2] coefficients given (0: glm's starting values),
 *	 [3] rows skipped for a NULL, [4] rows buffered, then the d centres,
 *	 the d scales, the d + 1 coefficients (zeros when not given), the
 *	 core's pass state, and the buffer: PROMO_LOGREG_CHUNK rows of x, their
 *	 y and their weights.
 *
 * Rows are buffered and added a block at a time by one call of the core,
 * as the in-memory path does; combine and final add what is left.
 *
 * promo._logreg_start(y, x, weight) is the first pass, which needs no
 * standardization: it gathers the core's moments of the rows (each
 * feature's mean and standard deviation, and what the first pass at glm's
 * starting values adds at any centre and scale) in a float8[] state:
 *
 *	 [0] tag, [1] d (0 until a complete row), [2] rows skipped for a NULL,
 *	 [3] rows of weight 0, [4] rows buffered, then (once d is known) the
 *	 core's moments and the buffer: PROMO_LOGREG_CHUNK rows of x, their y
 *	 and their weights.
 *
 * promo.logreg_fit runs the core's IRLS loop (promo_logreg_iterate, the
 * same as the in-memory aggregate's) over a table: one _logreg_start
 * query for the counts, the standardization and the first pass, then one
 * logreg_step query per Newton step through SPI, in a memory context
 * reset every step.
 */
#include "logreg_glue.h"
#include "contract.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "spi_util.h"

#define STEP_TAG 7031.0
#define STEP_HEADER 5

#define STEP_D 1
#define STEP_HAS_COEF 2
#define STEP_SKIPPED 3
#define STEP_BUFFERED 4

/* Largest count a state holds exactly. */
#define MAX_COUNT 9007199254740992.0

/* Views into a step state. */
typedef struct StepState
{
	double	   *s;
	int			d;
	double	   *center;			/* d */
	double	   *scale;			/* d */
	double	   *beta;			/* d + 1 */
	double	   *pass;			/* promo_logreg_state_length(d) */
	double	   *xbuf;			/* PROMO_LOGREG_CHUNK x d */
	double	   *ybuf;			/* PROMO_LOGREG_CHUNK */
	double	   *wbuf;			/* PROMO_LOGREG_CHUNK */
} StepState;

/* Number of doubles in a step state of d features. */
static Size
StepLength(int d)
{
	return STEP_HEADER + 3 * (Size) d + 1 + promo_logreg_state_length(d) +
		(Size) PROMO_LOGREG_CHUNK * (d + 2);
}

/* The views of a state's data. */
static StepState
StepView(double *s)
{
	StepState	st;

	st.s = s;
	st.d = (int) s[STEP_D];
	st.center = s + STEP_HEADER;
	st.scale = st.center + st.d;
	st.beta = st.scale + st.d;
	st.pass = st.beta + st.d + 1;
	st.xbuf = st.pass + promo_logreg_state_length(st.d);
	st.ybuf = st.xbuf + (Size) PROMO_LOGREG_CHUNK * st.d;
	st.wbuf = st.ybuf + PROMO_LOGREG_CHUNK;
	return st;
}

/* Error unless n values from v on are finite, and above lo. */
static void
CheckValues(const double *v, Size n, double lo, const char *detail)
{
	for (Size i = 0; i < n; i++)
		if (!isfinite(v[i]) || !(v[i] > lo))
			promo_bad_state(detail);
}

/*
 * Error unless m buffered rows of aggregate agg are finite, y 0 or 1,
 * weights finite and not negative.
 */
static void
CheckRows(const char *agg, const double *x, const double *y, const double *w,
		  int m, int d)
{
	CheckValues(x, (Size) m * d, -DBL_MAX,
				psprintf("The %s state's buffered rows must be finite.", agg));
	for (int r = 0; r < m; r++)
		if ((y[r] != 0.0 && y[r] != 1.0) || !isfinite(w[r]) || !(w[r] >= 0.0))
			promo_bad_state(psprintf("The %s state's buffered y must be 0 or 1 and weights finite and not negative.",
									 agg));
}

/*
 * Error unless the counts of a pass state (or of the moments, which begin
 * with the same header) are whole, not negative and consistent.
 */
static void
CheckCounts(const char *agg, const double *pass)
{
	if (!promo_whole_in(pass[PROMO_LOGREG_S_N], 0, MAX_COUNT) ||
		!promo_whole_in(pass[PROMO_LOGREG_S_N1], 0, pass[PROMO_LOGREG_S_N]) ||
		!promo_whole_in(pass[PROMO_LOGREG_S_EXTREME], 0, pass[PROMO_LOGREG_S_N]) ||
		!(pass[PROMO_LOGREG_S_SUMW] >= 0.0) ||
		!(pass[PROMO_LOGREG_S_SUMWY] >= 0.0) ||
		!(pass[PROMO_LOGREG_S_SUMWY] <= pass[PROMO_LOGREG_S_SUMW]))
		promo_bad_state(psprintf("The %s state's counts must be whole, not negative and consistent.",
								 agg));
}

/*
 * The state's data, after checking all of it: the header against the
 * length, the point of evaluation finite with positive scales, the counts
 * whole and consistent, the buffered rows valid input of the core.  The
 * sums may be non-finite: the core reports them.  The one check of a
 * logreg_step state.
 */
static StepState
StepData(ArrayType *state)
{
	double	   *s = promo_state_data(state, STEP_TAG, STEP_HEADER);
	StepState	st;

	if (!promo_whole_in(s[STEP_D], 1, PROMO_LOGREG_MAX_FEATURES) ||
		ARR_DIMS(state)[0] != StepLength((int) s[STEP_D]) ||
		!promo_whole_in(s[STEP_HAS_COEF], 0, 1) ||
		!promo_whole_in(s[STEP_SKIPPED], 0, MAX_COUNT) ||
		!promo_whole_in(s[STEP_BUFFERED], 0, PROMO_LOGREG_CHUNK - 1))
		promo_bad_state("The logreg_step state's header does not match its length.");
	st = StepView(s);
	CheckValues(st.center, st.d, -DBL_MAX, "The logreg_step state's centres must be finite.");
	CheckValues(st.scale, st.d, 0.0, "The logreg_step state's scales must be finite and positive.");
	CheckValues(st.beta, st.d + 1, -DBL_MAX, "The logreg_step state's coefficients must be finite.");
	CheckCounts("logreg_step", st.pass);
	CheckRows("logreg_step", st.xbuf, st.ybuf, st.wbuf, (int) s[STEP_BUFFERED], st.d);
	return st;
}

/* The point where rows are evaluated: the arguments, checked. */
typedef struct StepArgs
{
	int			d;
	const double *coef;			/* d + 1, or NULL */
	const double *center;
	const double *scale;
} StepArgs;

/* A float8[] argument of n values, or of any length when n < 0. */
static const double *
VectorArg(FunctionCallInfo fcinfo, int argno, const char *what, int *n)
{
	int			got;
	const double *v;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	v = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(argno), what, &got);
	if (*n >= 0)
		promo_check_length(what, got, *n);
	*n = got;
	return v;
}

/* The coefficients, centres and scales of a logreg_step call. */
static StepArgs
StepArgsOf(FunctionCallInfo fcinfo)
{
	StepArgs	a;
	int			p;

	a.d = -1;
	a.center = VectorArg(fcinfo, 5, "center", &a.d);
	promo_check_not_empty("center", a.d);
	if (a.d > PROMO_LOGREG_MAX_FEATURES)
		promo_model_check_size(PROMO_MODEL_LOGREG, a.d, 0);
	a.scale = VectorArg(fcinfo, 6, "scale", &a.d);
	for (int j = 0; j < a.d; j++)
		if (!(a.scale[j] > 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scale must be positive, not %g", a.scale[j])));
	p = a.d + 1;
	a.coef = PG_ARGISNULL(4) ? NULL : VectorArg(fcinfo, 4, "coef", &p);
	return a;
}

/* Error unless a state was made at the point a describes. */
static void
CheckSamePoint(const StepState *st, const StepArgs *a)
{
	Size		bytes = sizeof(double) * a->d;

	if (st->d != a->d ||
		memcmp(st->center, a->center, bytes) != 0 ||
		memcmp(st->scale, a->scale, bytes) != 0 ||
		(st->s[STEP_HAS_COEF] != 0) != (a->coef != NULL) ||
		(a->coef != NULL && memcmp(st->beta, a->coef, bytes + sizeof(double)) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("coef, center and scale must be the same for every row of one logreg_step aggregate")));
}

/* A zeroed step state at the point a describes. */
static ArrayType *
NewStepState(const StepArgs *a)
{
	ArrayType  *state = promo_state_new(STEP_TAG, StepLength(a->d));
	double	   *s = (double *) ARR_DATA_PTR(state);
	StepState	st;

	s[STEP_D] = a->d;
	s[STEP_HAS_COEF] = a->coef != NULL;
	st = StepView(s);
	memcpy(st.center, a->center, sizeof(double) * a->d);
	memcpy(st.scale, a->scale, sizeof(double) * a->d);
	if (a->coef)
		memcpy(st.beta, a->coef, sizeof(double) * (a->d + 1));
	return state;
}

#define START_TAG 7032.0
#define START_HEADER 5

#define START_D 1
#define START_SKIPPED 2
#define START_ZERO 3
#define START_BUFFERED 4

/* Views into a first-pass state. */
typedef struct StartState
{
	double	   *s;
	int			d;				/* 0: no complete row yet, nothing after the
								 * header */
	double	   *moments;		/* promo_logreg_moments_length(d) */
	double	   *xbuf;			/* PROMO_LOGREG_CHUNK x d */
	double	   *ybuf;			/* PROMO_LOGREG_CHUNK */
	double	   *wbuf;			/* PROMO_LOGREG_CHUNK */
} StartState;

/*
 * What the support functions keep across calls: the core's scratch space
 * and, for the transition functions, logreg_step's checked arguments and
 * the state returned last, with its views.  That state was checked when it
 * came in and has changed only through the transition function since, so
 * it is not checked again row after row; the aggregate's memory being
 * reset forgets it.
 */
typedef struct StepCache
{
	int			work_d;
	double	   *work;
	StepArgs	args;			/* d < 0 until the first call */
	double	   *values;			/* args' values: 3 d + 1 */
	Datum		keys[3];		/* coef, center, scale last seen */
	bool		constant;		/* all three literals or query parameters */
	PromoTrustedState trusted;
	StepState	step;			/* the views of the trusted state, */
	StartState	start;			/* as the function's aggregate has it */
} StepCache;

/* The function's cache, made on its first call. */
static StepCache *
GetStepCache(FunctionCallInfo fcinfo)
{
	StepCache  *cache = fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(StepCache));
		cache->args.d = -1;
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

/*
 * Trust the state a transition function returns when it is the one the
 * aggregate passed in.  A state made by the call is copied by the
 * aggregate, and its address freed: nothing is trusted until the copy
 * comes back and is checked.
 */
static void
TrustIfKept(FunctionCallInfo fcinfo, StepCache *cache, ArrayType *state)
{
	if (!PG_ARGISNULL(0) && state == (ArrayType *) PG_GETARG_POINTER(0))
		promo_state_trust(fcinfo, &cache->trusted, state);
	else
		cache->trusted.state = NULL;
}

/* The core's scratch space for d features (a pass or moments), kept with the function. */
static double *
AccumWork(FunctionCallInfo fcinfo, int d)
{
	StepCache  *cache = GetStepCache(fcinfo);

	if (cache->work == NULL || cache->work_d != d)
	{
		if (cache->work)
			pfree(cache->work);
		cache->work = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
										 sizeof(double) * Max(promo_logreg_accum_work(d),
															  promo_logreg_moments_work(d)));
		cache->work_d = d;
	}
	return cache->work;
}

/* Does float8[] argument argno hold exactly the n values v? */
static bool
SameVector(FunctionCallInfo fcinfo, int argno, const double *v, int n)
{
	ArrayType  *arr;

	if (PG_ARGISNULL(argno))
		return false;
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	return ARR_NDIM(arr) == 1 && !ARR_HASNULL(arr) && ARR_DIMS(arr)[0] == n &&
		memcmp(ARR_DATA_PTR(arr), v, sizeof(double) * n) == 0;
}

/*
 * Are the coefficients, centres and scales those of the previous call?
 * Constant arguments are recognized by their address; computed ones may
 * reuse the address of another value, so they are compared by value.
 */
static bool
SameArgs(FunctionCallInfo fcinfo, const StepCache *cache)
{
	const StepArgs *a = &cache->args;

	if (a->d < 0 || PG_ARGISNULL(4) != (a->coef == NULL))
		return false;
	if (cache->constant && !PG_ARGISNULL(5) && !PG_ARGISNULL(6) &&
		cache->keys[1] == PG_GETARG_DATUM(5) && cache->keys[2] == PG_GETARG_DATUM(6) &&
		(a->coef == NULL || cache->keys[0] == PG_GETARG_DATUM(4)))
		return true;
	return SameVector(fcinfo, 5, a->center, a->d) &&
		SameVector(fcinfo, 6, a->scale, a->d) &&
		(a->coef == NULL || SameVector(fcinfo, 4, a->coef, a->d + 1));
}

/*
 * The transition function's point of evaluation, checked when it is not
 * the previous call's; *fresh tells which.
 */
static const StepArgs *
CachedArgs(FunctionCallInfo fcinfo, bool *fresh)
{
	StepCache  *cache = GetStepCache(fcinfo);
	StepArgs	a;
	double	   *v;

	*fresh = !SameArgs(fcinfo, cache);
	if (*fresh)
	{
		a = StepArgsOf(fcinfo);
		if (cache->values)
			pfree(cache->values);
		v = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * (3 * a.d + 1));
		memcpy(v, a.center, sizeof(double) * a.d);
		memcpy(v + a.d, a.scale, sizeof(double) * a.d);
		if (a.coef)
			memcpy(v + 2 * a.d, a.coef, sizeof(double) * (a.d + 1));
		cache->values = v;
		cache->args.d = a.d;
		cache->args.center = v;
		cache->args.scale = v + a.d;
		cache->args.coef = a.coef ? v + 2 * a.d : NULL;
		cache->constant = promo_agg_arg_is_constant(fcinfo, 4) &&
			promo_agg_arg_is_constant(fcinfo, 5) &&
			promo_agg_arg_is_constant(fcinfo, 6);
	}
	for (int i = 0; i < 3; i++)
		cache->keys[i] = PG_ARGISNULL(4 + i) ? (Datum) 0 : PG_GETARG_DATUM(4 + i);
	return &cache->args;
}

/* Add the buffered rows to the pass by one call of the core. */
static void
Flush(FunctionCallInfo fcinfo, StepState *st)
{
	PromoLogregAt at;

	if (st->s[STEP_BUFFERED] == 0)
		return;
	at.d = st->d;
	at.center = st->center;
	at.scale = st->scale;
	at.beta = st->s[STEP_HAS_COEF] != 0 ? st->beta : NULL;
	promo_logreg_accum(st->pass, &at, st->xbuf, st->ybuf, st->wbuf,
					   (int) st->s[STEP_BUFFERED], AccumWork(fcinfo, st->d));
	st->s[STEP_BUFFERED] = 0;
}

/*
 * Append a row of d features to the row buffers of a state (buffered counts
 * its rows); true when the buffer is full and must be added.
 */
static bool
BufferRow(double *xbuf, double *ybuf, double *wbuf, double *buffered, int d,
		  const double *x, double y, double w)
{
	int			m = (int) *buffered;

	memcpy(xbuf + (Size) m * d, x, sizeof(double) * d);
	ybuf[m] = y;
	wbuf[m] = w;
	*buffered = m + 1;
	return m + 1 == PROMO_LOGREG_CHUNK;
}

/* Buffer one checked row, adding the block when the buffer is full. */
static void
AddRow(FunctionCallInfo fcinfo, StepState *st, const double *x, double y, double w)
{
	if (BufferRow(st->xbuf, st->ybuf, st->wbuf, &st->s[STEP_BUFFERED], st->d, x, y, w))
		Flush(fcinfo, st);
}

/*
 * promo.logreg_step transition: add the row evaluated at the coefficients
 * (glm's starting values when coef is NULL); a NULL y, x, element of x or
 * weight skips it.
 */
PG_FUNCTION_INFO_V1(promo_logreg_step_accum);
Datum
promo_logreg_step_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	bool		fresh;
	const StepArgs *a = CachedArgs(fcinfo, &fresh);
	StepCache  *cache = GetStepCache(fcinfo);
	bool		trusted;
	StepState	st;
	ArrayType  *xarr;
	const double *x;
	double		y;
	double		w;
	int			n;

	if (state == NULL)
		state = NewStepState(a);
	trusted = state == cache->trusted.state;
	st = trusted ? cache->step : StepData(state);
	/* The trusted state was checked against arguments seen before. */
	if (fresh || !trusted)
		CheckSamePoint(&st, a);
	TrustIfKept(fcinfo, cache, state);
	cache->step = st;
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		promo_array_has_nulls(xarr = PG_GETARG_ARRAYTYPE_P(2)))
	{
		st.s[STEP_SKIPPED] += 1;
		PG_RETURN_ARRAYTYPE_P(state);
	}
	y = promo_logreg_check_response(PG_GETARG_FLOAT8(1));
	w = promo_logreg_check_weight(PG_GETARG_FLOAT8(3));
	x = promo_vector_arg(xarr, "x", &n);
	promo_check_row_length("logreg_step", "features", n, a->d);
	AddRow(fcinfo, &st, x, y, w);
	PG_RETURN_ARRAYTYPE_P(state);
}

/*
 * promo.logreg_step combine: add two passes at the same point, the first
 * one's buffer added before, the second one's buffered rows after.
 */
PG_FUNCTION_INFO_V1(promo_logreg_step_combine);
Datum
promo_logreg_step_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	StepState	a = StepData(state);
	StepState	b = StepData(PG_GETARG_ARRAYTYPE_P(1));
	StepArgs	point = {b.d, b.s[STEP_HAS_COEF] != 0 ? b.beta : NULL, b.center, b.scale};

	CheckSamePoint(&a, &point);
	Flush(fcinfo, &a);
	a.s[STEP_SKIPPED] += b.s[STEP_SKIPPED];
	promo_logreg_state_merge(a.pass, b.pass, a.d);
	for (int r = 0; r < (int) b.s[STEP_BUFFERED]; r++)
		AddRow(fcinfo, &a, b.xbuf + (Size) r * b.d, b.ybuf[r], b.wbuf[r]);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.logreg_step final: the state, checked, with every buffered row added. */
PG_FUNCTION_INFO_V1(promo_logreg_step_final);
Datum
promo_logreg_step_final(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P_COPY(0);
	StepState	st = StepData(state);

	Flush(fcinfo, &st);
	/* An empty buffer reads the same whatever rows passed through it. */
	memset(st.xbuf, 0, sizeof(double) * (Size) PROMO_LOGREG_CHUNK * (st.d + 2));
	PG_RETURN_ARRAYTYPE_P(state);
}

/* ---- the first pass: promo._logreg_start ---- */

/* Number of doubles in a first-pass state of d features. */
static Size
StartLength(int d)
{
	if (d == 0)
		return START_HEADER;
	return START_HEADER + promo_logreg_moments_length(d) +
		(Size) PROMO_LOGREG_CHUNK * (d + 2);
}

/* The views of a first-pass state's data. */
static StartState
StartView(double *s)
{
	StartState	st;

	st.s = s;
	st.d = (int) s[START_D];
	st.moments = s + START_HEADER;
	st.xbuf = st.moments + promo_logreg_moments_length(st.d);
	st.ybuf = st.xbuf + (Size) PROMO_LOGREG_CHUNK * st.d;
	st.wbuf = st.ybuf + PROMO_LOGREG_CHUNK;
	return st;
}

/*
 * The first-pass state's data, after checking all of it: the header
 * against the length, the counts whole and consistent, the sums of
 * squares not negative, the buffered rows valid input of the core.  The
 * one check of a _logreg_start state.
 */
static StartState
StartData(ArrayType *state)
{
	double	   *s = promo_state_data(state, START_TAG, START_HEADER);
	StartState	st;

	if (!promo_whole_in(s[START_D], 0, PROMO_LOGREG_MAX_FEATURES) ||
		ARR_DIMS(state)[0] != StartLength((int) s[START_D]) ||
		!promo_whole_in(s[START_SKIPPED], 0, MAX_COUNT) ||
		!promo_whole_in(s[START_ZERO], 0, MAX_COUNT) ||
		!promo_whole_in(s[START_BUFFERED], 0, s[START_D] == 0 ? 0 : PROMO_LOGREG_CHUNK - 1))
		promo_bad_state("The _logreg_start state's header does not match its length.");
	st = StartView(s);
	if (st.d == 0)
		return st;
	CheckCounts("_logreg_start", st.moments);
	if (!promo_logreg_moments_valid(st.moments, st.d))
		promo_bad_state("The _logreg_start state's sums of squares and weights must not be negative.");
	CheckRows("_logreg_start", st.xbuf, st.ybuf, st.wbuf, (int) s[START_BUFFERED], st.d);
	return st;
}

/*
 * A state of d features with the counts of a header-only one (d = 0):
 * where the first complete row goes.
 */
static ArrayType *
WidenStart(const StartState *st, int d)
{
	ArrayType  *state = promo_state_new(START_TAG, StartLength(d));
	double	   *s = (double *) ARR_DATA_PTR(state);

	s[START_D] = d;
	s[START_SKIPPED] = st->s[START_SKIPPED];
	s[START_ZERO] = st->s[START_ZERO];
	return state;
}

/* Add the buffered rows to the moments by one call of the core. */
static void
FlushStart(FunctionCallInfo fcinfo, StartState *st)
{
	if (st->s[START_BUFFERED] == 0)
		return;
	promo_logreg_moments_accum(st->moments, st->d, st->xbuf, st->ybuf, st->wbuf,
							   (int) st->s[START_BUFFERED], AccumWork(fcinfo, st->d));
	st->s[START_BUFFERED] = 0;
}

/* Buffer one checked row of positive weight, adding the block when full. */
static void
AddStartRow(FunctionCallInfo fcinfo, StartState *st, const double *x, double y,
			double w)
{
	if (BufferRow(st->xbuf, st->ybuf, st->wbuf, &st->s[START_BUFFERED], st->d, x, y, w))
		FlushStart(fcinfo, st);
}

/*
 * promo._logreg_start transition: add the row to the moments; a NULL y, x,
 * element of x or weight skips it, a weight of 0 counts it apart.  The
 * first complete row sets the number of features.
 */
PG_FUNCTION_INFO_V1(promo_logreg_start_accum);
Datum
promo_logreg_start_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	StepCache  *cache = GetStepCache(fcinfo);
	StartState	st;
	ArrayType  *xarr;
	const double *x;
	double		y;
	double		w;
	int			n;

	if (state == NULL)
		state = promo_state_new(START_TAG, START_HEADER);
	/* The trusted state has changed only through this function since its check. */
	st = state == cache->trusted.state ? cache->start : StartData(state);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		promo_array_has_nulls(xarr = PG_GETARG_ARRAYTYPE_P(2)))
		st.s[START_SKIPPED] += 1;
	else
	{
		y = promo_logreg_check_response(PG_GETARG_FLOAT8(1));
		w = promo_logreg_check_weight(PG_GETARG_FLOAT8(3));
		x = promo_vector_arg(xarr, "x", &n);
		if (st.d == 0)
		{
			promo_check_not_empty("x", n);
			promo_model_check_size(PROMO_MODEL_LOGREG, n, 0);
			state = WidenStart(&st, n);
			st = StartView((double *) ARR_DATA_PTR(state));
		}
		promo_check_row_length("_logreg_start", "features", n, st.d);
		if (w > 0.0)
			AddStartRow(fcinfo, &st, x, y, w);
		else
			st.s[START_ZERO] += 1;
	}
	TrustIfKept(fcinfo, cache, state);
	cache->start = st;
	PG_RETURN_ARRAYTYPE_P(state);
}

/*
 * promo._logreg_start combine: merge two states' moments, the first one's
 * buffer added before, the second one's buffered rows after.
 */
PG_FUNCTION_INFO_V1(promo_logreg_start_combine);
Datum
promo_logreg_start_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	StartState	a = StartData(state);
	StartState	b = StartData(PG_GETARG_ARRAYTYPE_P(1));

	if (a.d == 0 && b.d > 0)
	{
		state = WidenStart(&a, b.d);
		a = StartView((double *) ARR_DATA_PTR(state));
	}
	a.s[START_SKIPPED] += b.s[START_SKIPPED];
	a.s[START_ZERO] += b.s[START_ZERO];
	if (b.d == 0)
		PG_RETURN_ARRAYTYPE_P(state);
	promo_check_row_length("_logreg_start", "features", b.d, a.d);
	FlushStart(fcinfo, &a);
	promo_logreg_moments_merge(a.moments, b.moments, a.d, AccumWork(fcinfo, a.d));
	for (int r = 0; r < (int) b.s[START_BUFFERED]; r++)
		AddStartRow(fcinfo, &a, b.xbuf + (Size) r * b.d, b.ybuf[r], b.wbuf[r]);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo._logreg_start final: the state, checked, with every buffered row added. */
PG_FUNCTION_INFO_V1(promo_logreg_start_final);
Datum
promo_logreg_start_final(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P_COPY(0);
	StartState	st = StartData(state);

	if (st.d == 0)
		PG_RETURN_ARRAYTYPE_P(state);
	FlushStart(fcinfo, &st);
	/* An empty buffer reads the same whatever rows passed through it. */
	memset(st.xbuf, 0, sizeof(double) * (Size) PROMO_LOGREG_CHUNK * (st.d + 2));
	PG_RETURN_ARRAYTYPE_P(state);
}

/* ---- the driver ---- */

/* The table and the expressions of its columns, for the driver's queries. */
typedef struct Source
{
	char	   *relation;		/* quoted, qualified */
	char	   *y;				/* the target as float8 */
	char	   *x;
	char	   *w;				/* the weight as float8, or 1 */
} Source;

/* Error unless relid has column of a type that converts to want. */
static void
CheckColumn(Oid relid, const char *column, Oid want)
{
	PromoContractColumn col = {column, want, true};

	promo_check_contract(relid, "logreg_fit", &col, 1, NULL);
}

/* Error unless the target is boolean or converts to float8. */
static bool
TargetIsBoolean(Oid relid, const char *column)
{
	AttrNumber	attnum = get_attnum(relid, column);

	if (attnum > 0 && getBaseType(get_atttype(relid, attnum)) == BOOLOID)
		return true;
	CheckColumn(relid, column, FLOAT8OID);
	return false;
}

/* The checked source of a fit: relation, target, features, weight or NULL. */
static Source
SourceOf(Oid relid, const char *target, const char *features, const char *weight)
{
	Source		src;
	char	   *relname = get_rel_name(relid);
	bool		boolean;

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	promo_check_features_column(relid, features, "logreg_fit");
	boolean = TargetIsBoolean(relid, target);
	if (weight)
		CheckColumn(relid, weight, FLOAT8OID);
	src.relation = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
											  relname);
	/* A CASE, not a cast through int: two function calls a row fewer. */
	src.y = boolean ?
		psprintf("CASE WHEN %s THEN 1::float8 WHEN NOT %s THEN 0::float8 END",
				 quote_identifier(target), quote_identifier(target)) :
		psprintf("(%s)::float8", quote_identifier(target));
	src.x = psprintf("(%s)::float8[]", quote_identifier(features));
	src.w = weight ? psprintf("(%s)::float8", quote_identifier(weight)) : "1::float8";
	return src;
}

/* What the first pass finds: the rows, and the moments of those to fit. */
typedef struct FirstPass
{
	double		rows;			/* every row */
	double		skipped;		/* rows with a NULL */
	double		n;				/* complete rows of positive weight */
	double		n1;				/* of them, y = 1 */
	int			d;				/* 0 without a complete row */
	double	   *moments;		/* the core's, or NULL without a complete row */
} FirstPass;

/*
 * The first pass over the source, one parallel scan of promo._logreg_start:
 * the rows counted and checked, and the moments of the rows of positive
 * weight (their features' means and standard deviations, and the first
 * Newton step's sums).
 */
static FirstPass
RunFirstPass(const Source *src)
{
	char	   *sql = psprintf("SELECT promo._logreg_start(%s, %s, %s) FROM %s",
							   src->y, src->x, src->w, src->relation);
	bool		isnull;
	Datum		result = promo_spi_value(sql, 0, NULL, NULL, NULL, &isnull, "_logreg_start");
	FirstPass	fp = {0};
	StartState	st;

	if (isnull)
		return fp;
	st = StartData(DatumGetArrayTypeP(result));
	fp.skipped = st.s[START_SKIPPED];
	fp.d = st.d;
	fp.rows = fp.skipped + st.s[START_ZERO];
	if (st.d > 0)
	{
		fp.moments = st.moments;
		fp.n = st.moments[PROMO_LOGREG_S_N];
		fp.n1 = st.moments[PROMO_LOGREG_S_N1];
		fp.rows += fp.n;
	}
	return fp;
}

/* A float8[] Datum of n values. */
static Datum
VectorDatum(const double *v, int n)
{
	return PointerGetDatum(promo_float8_array(v, n));
}

/*
 * One logreg_step query over the source at the solver's point; the core's
 * pass state, in the current memory context, and the rows skipped.
 */
static double *
RunStep(const Source *src, const PromoLogregAt *at, double *skipped)
{
	char	   *sql = psprintf("SELECT promo.logreg_step(%s, %s, %s, $1, $2, $3) FROM %s",
							   src->y, src->x, src->w, src->relation);
	Oid			types[3] = {FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID};
	Datum		values[3];
	char		nulls[3] = {at->beta ? ' ' : 'n', ' ', ' '};
	bool		isnull;
	Datum		result;
	StepState	st;

	values[0] = at->beta ? VectorDatum(at->beta, at->d + 1) : (Datum) 0;
	values[1] = VectorDatum(at->center, at->d);
	values[2] = VectorDatum(at->scale, at->d);
	result = promo_spi_value(sql, 3, types, values, nulls, &isnull, "logreg_step");
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("logreg_fit found no rows in %s", src->relation)));
	st = StepData(DatumGetArrayTypeP(result));
	*skipped = st.s[STEP_SKIPPED];
	return st.pass;
}

/* Error unless a pass read the rows the first scan counted. */
static void
CheckSameRows(const Source *src, const FirstPass *ds, const double *pass)
{
	if (pass[PROMO_LOGREG_S_N] != ds->n || pass[PROMO_LOGREG_S_N1] != ds->n1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the rows of %s changed during the logreg fit", src->relation),
				 errdetail("The first scan read %.0f rows to fit and a later one %.0f.",
						   ds->n, pass[PROMO_LOGREG_S_N]),
				 errhint("Fit a table or materialized view that does not change meanwhile, "
						 "or run the fit in a REPEATABLE READ transaction.")));
}

/* NOTICE after a pass: its number, deviance and rows. */
static void
ReportPass(const PromoLogregSolver *s, const double *pass)
{
	ereport(NOTICE,
			(errmsg("logreg_fit pass %d: deviance %.10g over %.0f rows",
					s->iterations + 1, pass[PROMO_LOGREG_S_DEVIANCE],
					pass[PROMO_LOGREG_S_N])));
}

/*
 * Logistic regression over a table, one parallel scan per Newton step,
 * by the in-memory path's loop.  The caller has connected to SPI; the
 * model is allocated in the current memory context.
 */
static PromoModel *
FitTable(const Source *src, const PromoLogregOptions *opts, const PromoNames *names)
{
	FirstPass	fp = RunFirstPass(src);
	PromoLogregStatus status = promo_logreg_class_status(fp.n, fp.n1);
	PromoLogregSolver s;
	PromoLogregFit fit;
	PromoLogregAt at;
	MemoryContext itercxt;
	MemoryContext fitcxt = CurrentMemoryContext;
	double	   *mean;
	double	   *sd;
	double	   *pass = NULL;
	double		skipped = fp.skipped;

	promo_logreg_report_no_fit(status, fp.rows, fp.skipped, 0);
	promo_model_check_size(PROMO_MODEL_LOGREG, fp.d, 0);
	if (names->n > 0)
		promo_names_check_count(names, fp.d, "element of the features column");
	mean = palloc(sizeof(double) * fp.d);
	sd = palloc(sizeof(double) * fp.d);
	promo_logreg_moments_describe(fp.moments, fp.d, mean, sd);
	for (int j = 0; j < fp.d; j++)
	{
		promo_check_finite("x", mean[j]);
		promo_check_finite("x", sd[j]);
	}
	status = promo_logreg_solver_init(&s, fp.d, opts, mean, sd,
									  palloc(sizeof(double) * promo_logreg_solver_doubles(fp.d)),
									  palloc(sizeof(int) * promo_logreg_solver_ints(fp.d)));
	itercxt = AllocSetContextCreate(fitcxt, "logreg_fit iteration", ALLOCSET_DEFAULT_SIZES);
	if (status == PROMO_LOGREG_OK)
	{
		/* The first pass comes from the moments; a scan for each later one. */
		at = promo_logreg_solver_at(&s);
		pass = palloc(sizeof(double) * promo_logreg_state_length(fp.d));
		promo_logreg_moments_state(fp.moments, &at, pass);
		ReportPass(&s, pass);
		while (promo_logreg_iterate(&s, pass, &status))
		{
			at = promo_logreg_solver_at(&s);
			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(itercxt);
			MemoryContextSwitchTo(itercxt);
			pass = RunStep(src, &at, &skipped);
			MemoryContextSwitchTo(fitcxt);
			CheckSameRows(src, &fp, pass);
			ReportPass(&s, pass);
		}
	}
	promo_logreg_report_no_fit(status, fp.rows, skipped, s.bad_term);
	fit = promo_logreg_fit_alloc(fp.d);
	promo_logreg_statistics(&s, pass, &fit,
							palloc(sizeof(double) * promo_logreg_statistics_work(fp.d)));
	promo_logreg_report_weak_fit(status, &fit);
	return promo_logreg_model_from_fit(&fit, status, skipped, names);
}

/*
 * promo.logreg_fit(source, target, features, weight, options, names):
 * logistic regression of target on features over a table, as promo.logreg
 * fits it.
 */
PG_FUNCTION_INFO_V1(promo_logreg_fit_table);
Datum
promo_logreg_fit_table(PG_FUNCTION_ARGS)
{
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext fitcxt;
	PromoLogregOptions opts;
	PromoNames	names = {0, 0, NULL};
	Source		src;
	PromoModel *fitted;
	PromoModel *model;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	src = SourceOf(PG_GETARG_OID(0), NameStr(*PG_GETARG_NAME(1)),
				   NameStr(*PG_GETARG_NAME(2)),
				   PG_ARGISNULL(3) ? NULL : NameStr(*PG_GETARG_NAME(3)));
	opts = promo_logreg_parse_options(PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4));
	if (!PG_ARGISNULL(5))
		names = promo_names_from_array(PG_GETARG_ARRAYTYPE_P(5), "names");
	fitcxt = AllocSetContextCreate(CurrentMemoryContext, "logreg_fit",
								   ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(fitcxt);
	fitted = FitTable(&src, &opts, &names);
	/* The model must outlive the fit's memory: copy it to the caller's. */
	model = MemoryContextAlloc(callercxt, VARSIZE(fitted));
	memcpy(model, fitted, VARSIZE(fitted));
	SPI_finish();
	MemoryContextDelete(fitcxt);
	PG_RETURN_POINTER(model);
}
