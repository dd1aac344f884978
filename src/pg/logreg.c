/*
 * logreg.c
 *		promo.logreg aggregate (in memory): logistic regression by IRLS.
 *
 * IRLS reads every row once per Newton step, so the aggregate holds its
 * rows in an internal state (serialized between parallel workers, appended
 * by the combine function) and the final function runs the core's
 * in-memory fit over them.  The state keeps x (n x d, row-major), y (0 or
 * 1) and, for the weighted signatures, the weights, in arrays that double
 * as they fill, within promo.max_memory.
 *
 * A row whose y, x, an element of x or weight is NULL is skipped and
 * counted in the model's n_skipped; y other than 0 or 1, non-finite x and
 * negative or non-finite weights are errors.  The names signatures keep
 * the feature names in the state (the same on every row) for the model.
 *
 * The support functions are promo._logreg_accum etc. in SQL; their C
 * symbols are promo_logreg_agg_*, as the core owns promo_logreg_accum.
 */
#include "logreg_glue.h"
#include "options.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/memutils.h"


typedef struct LogregState
{
	int32		d;				/* features, -1 until a complete row */
	bool		weighted;		/* the (y, x, weight) signatures */
	int64		n;				/* rows held */
	int64		n_skipped;		/* rows with a NULL */
	int64		capacity;		/* rows the arrays can hold */
	PromoLogregOptions opts;
	PromoNamesArg names;		/* feature names, n = 0 for none */
	double	   *x;				/* capacity x d */
	double	   *y;				/* capacity */
	double	   *w;				/* capacity, or NULL when not weighted */
} LogregState;

/* Rows the arrays hold at first. */
#define FIRST_CAPACITY 64

/* ---- options ---- */

/* The options of promo.logreg: defaults and ranges from the core. */
static const PromoOptionDef logreg_option_defs[] = {
	{"max_iter", PROMO_OPTION_INT, offsetof(PromoLogregOptions, max_iter),
	PROMO_LOGREG_DEFAULT_MAX_ITER, 1, PROMO_LOGREG_MAX_MAX_ITER},
	{"tol", PROMO_OPTION_REAL, offsetof(PromoLogregOptions, tol),
	PROMO_LOGREG_DEFAULT_TOL, 0, DBL_MAX, .min_exclusive = true},
	{"lambda", PROMO_OPTION_REAL, offsetof(PromoLogregOptions, lambda),
	PROMO_LOGREG_DEFAULT_LAMBDA, 0, DBL_MAX},
};

static const PromoOptionTable logreg_options = {
	"logreg", logreg_option_defs, lengthof(logreg_option_defs)
};

/* Options from a jsonb object (NULL: the defaults), checked by the core too. */
PromoLogregOptions
promo_logreg_parse_options(Jsonb *options)
{
	PromoLogregOptions opts;
	const char *bad;

	promo_options_parse(&logreg_options, options, &opts);
	bad = promo_logreg_invalid_option(&opts);
	if (bad != NULL)
		elog(ERROR, "logreg option \"%s\" passed the option table but not the core's check", bad);
	return opts;
}

/* ---- the state ---- */

/* Bytes the state holds per row of d features. */
static double
RowBytes(int d, bool weighted)
{
	return sizeof(double) * (d + 1.0 + (weighted ? 1 : 0));
}

/* Error unless rows rows of the state's width fit in promo.max_memory. */
static void
CheckMemory(const LogregState *st, double rows)
{
	double		bytes = rows * RowBytes(st->d, st->weighted);

	if (bytes > (double) promo_max_memory_kb * 1024.0)
		promo_check_memory(bytes,
						   psprintf("promo.logreg over %.0f rows of %d features", rows, st->d),
						   psprintf("promo.logreg holds its rows in memory, %.0f bytes per row of %d features; "
									"raise promo.max_memory. promo.logreg_fit reads a table "
									"once per iteration instead.",
									RowBytes(st->d, st->weighted), st->d));
}

/* A new state without rows, in cxt. */
static LogregState *
NewState(MemoryContext cxt, bool weighted, const PromoLogregOptions *opts)
{
	LogregState *st = MemoryContextAllocZero(cxt, sizeof(LogregState));

	st->d = -1;
	st->weighted = weighted;
	st->opts = *opts;
	return st;
}

/* A huge array of n doubles in cxt, or old grown to n. */
static double *
GrowArray(MemoryContext cxt, double *old, int64 n)
{
	Size		bytes = sizeof(double) * (Size) n;

	return old == NULL ? MemoryContextAllocHuge(cxt, bytes) : repalloc_huge(old, bytes);
}

/* Room for more rows: double the arrays, or grow them to what fits. */
static void
Reserve(LogregState *st, MemoryContext cxt, int64 more)
{
	int64		need = st->n + more;
	int64		cap;
	double		limit_rows = (double) promo_max_memory_kb * 1024.0 / RowBytes(st->d, st->weighted);

	if (need <= st->capacity)
		return;
	CheckMemory(st, (double) need);
	cap = Max(need, Max(FIRST_CAPACITY, 2 * st->capacity));
	if ((double) cap > limit_rows)
		cap = need;
	st->x = GrowArray(cxt, st->x, cap * st->d);
	st->y = GrowArray(cxt, st->y, cap);
	if (st->weighted)
		st->w = GrowArray(cxt, st->w, cap);
	st->capacity = cap;
}

/* Append nrows rows (x row-major, y, w or NULL) to the state. */
static void
AppendRows(LogregState *st, MemoryContext cxt, const double *x, const double *y,
		   const double *w, int64 nrows)
{
	if (nrows == 0)
		return;
	Reserve(st, cxt, nrows);
	memcpy(st->x + st->n * st->d, x, sizeof(double) * nrows * st->d);
	memcpy(st->y + st->n, y, sizeof(double) * nrows);
	if (st->weighted)
		memcpy(st->w + st->n, w, sizeof(double) * nrows);
	st->n += nrows;
}

/* Set the state's dimension from its first complete row, or check it. */
static void
SetDimension(LogregState *st, int d)
{
	if (st->d < 0)
	{
		promo_check_not_empty("x", d);
		promo_model_check_size(PROMO_MODEL_LOGREG, d, 0);
		st->d = d;
	}
	promo_check_row_length("logreg", "features", d, st->d);
}

/*
 * The argument types of a transition function's signature: y boolean or
 * float8, and the positions of the optional arguments after (y, x), told
 * apart by their types (0: absent).
 */
typedef struct AccumSignature
{
	bool		boolean;		/* y is boolean, not float8 */
	int			weight;
	int			names;
	int			options;
} AccumSignature;

/*
 * The signature of the transition function's call, found from the call's
 * expression once and kept with the function: the lookup walks the
 * expression, too slow to repeat row after row.
 */
static const AccumSignature *
GetSignature(FunctionCallInfo fcinfo)
{
	AccumSignature *sig = fcinfo->flinfo->fn_extra;
	Oid			ytype;

	if (sig != NULL)
		return sig;
	sig = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(AccumSignature));
	ytype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	if (ytype != BOOLOID && ytype != FLOAT8OID)
		elog(ERROR, "promo_logreg_agg_accum: y must be boolean or float8");
	sig->boolean = ytype == BOOLOID;
	sig->weight = sig->names = sig->options = 0;
	for (int i = 3; i < PG_NARGS(); i++)
	{
		Oid			type = get_fn_expr_argtype(fcinfo->flinfo, i);

		if (type == FLOAT8OID)
			sig->weight = i;
		else if (type == TEXTARRAYOID)
			sig->names = i;
		else if (type == JSONBOID)
			sig->options = i;
		else
			elog(ERROR, "promo_logreg_agg_accum: argument %d has an unexpected type", i);
	}
	fcinfo->flinfo->fn_extra = sig;
	return sig;
}

/* The response argument as 0 or 1: a boolean, or a float8 0 or 1. */
static double
ResponseArg(FunctionCallInfo fcinfo, const AccumSignature *sig)
{
	if (sig->boolean)
		return PG_GETARG_BOOL(1) ? 1.0 : 0.0;
	return promo_logreg_check_response(PG_GETARG_FLOAT8(1));
}

/* y as a number: error unless it is 0 or 1. */
double
promo_logreg_check_response(double y)
{
	if (y != 0.0 && y != 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("y must be 0 or 1, not %g", y),
				 errhint("Pass y as a boolean, or as float8 0 and 1.")));
	return y;
}

/* A row weight: error unless finite and not negative. */
double
promo_logreg_check_weight(double w)
{
	if (!isfinite(w) || w < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight must be a finite number of at least 0, not %g", w)));
	return w;
}

/* Error unless the state's names (if any) name each of its features. */
static void
CheckNameCount(const LogregState *st)
{
	if (st->names.names.n > 0 && st->d >= 0)
		promo_names_check_count(&st->names.names, st->d, "element of x");
}

/*
 * promo.logreg transition, every signature: (y, x [, weight] [, names]
 * [, options]), y boolean or float8.  Keeps the row, or counts it skipped
 * when y, x, an element of x or the weight is NULL.
 */
PG_FUNCTION_INFO_V1(promo_logreg_agg_accum);
Datum
promo_logreg_agg_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	LogregState *st;
	const AccumSignature *sig = GetSignature(fcinfo);
	bool		first = PG_ARGISNULL(0);
	ArrayType  *xarr;
	const double *x;
	double		y;
	double		w = 1.0;
	int			d;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "promo_logreg_agg_accum called in non-aggregate context");
	if (first)
	{
		PromoLogregOptions opts = promo_logreg_parse_options(sig->options && !PG_ARGISNULL(sig->options) ?
															 PG_GETARG_JSONB_P(sig->options) : NULL);

		st = NewState(aggctx, sig->weight > 0, &opts);
	}
	else
		st = (LogregState *) PG_GETARG_POINTER(0);
	/* The names are the same on every row, skipped or not. */
	if (sig->names)
		promo_names_accum(fcinfo, sig->names, &st->names, first, aggctx);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || (sig->weight && PG_ARGISNULL(sig->weight)) ||
		promo_array_has_nulls(xarr = PG_GETARG_ARRAYTYPE_P(2)))
	{
		st->n_skipped++;
		PG_RETURN_POINTER(st);
	}
	y = ResponseArg(fcinfo, sig);
	if (sig->weight)
		w = promo_logreg_check_weight(PG_GETARG_FLOAT8(sig->weight));
	x = promo_vector_arg(xarr, "x", &d);
	SetDimension(st, d);
	CheckNameCount(st);
	AppendRows(st, aggctx, x, &y, &w, 1);
	PG_RETURN_POINTER(st);
}

/* promo.logreg combine: append the rows of the second state. */
PG_FUNCTION_INFO_V1(promo_logreg_agg_combine);
Datum
promo_logreg_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	LogregState *a = PG_ARGISNULL(0) ? NULL : (LogregState *) PG_GETARG_POINTER(0);
	LogregState *b = PG_ARGISNULL(1) ? NULL : (LogregState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "promo_logreg_agg_combine called in non-aggregate context");
	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = NewState(aggctx, b->weighted, &b->opts);
		a->names.names = promo_names_copy(&b->names.names, aggctx);
	}
	if (a->weighted != b->weighted)
		promo_bad_state("A weighted and an unweighted logreg state cannot be combined.");
	promo_names_combine(&a->names.names, &b->names.names);
	a->n_skipped += b->n_skipped;
	if (b->d < 0)
		PG_RETURN_POINTER(a);
	SetDimension(a, b->d);
	CheckNameCount(a);
	AppendRows(a, aggctx, b->x, b->y, b->w, b->n);
	PG_RETURN_POINTER(a);
}

/*
 * promo.logreg serialize: the header, then x, y, the weights and the
 * names section.
 */
PG_FUNCTION_INFO_V1(promo_logreg_agg_serialize);
Datum
promo_logreg_agg_serialize(PG_FUNCTION_ARGS)
{
	LogregState *st = (LogregState *) PG_GETARG_POINTER(0);
	Size		nx = st->d > 0 ? (Size) st->n * st->d : 0;
	Size		nw = st->weighted ? (Size) st->n : 0;
	Size		size = VARHDRSZ + sizeof(LogregState) + sizeof(double) * (nx + st->n + nw) +
		st->names.names.len;
	bytea	   *out;
	char	   *p;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("logreg state of %lld rows is too large to pass between parallel workers",
						(long long) st->n),
				 errhint("Run the aggregate without parallel workers.")));
	out = palloc(size);
	SET_VARSIZE(out, size);
	p = VARDATA(out);
	memcpy(p, st, sizeof(LogregState));
	p += sizeof(LogregState);
	if (st->n > 0)
	{
		/* Rows exist only with a dimension, and then the arrays do too. */
		memcpy(p, st->x, sizeof(double) * nx);
		p += sizeof(double) * nx;
		memcpy(p, st->y, sizeof(double) * st->n);
		p += sizeof(double) * st->n;
		if (nw > 0)
			memcpy(p, st->w, sizeof(double) * nw);
		p += sizeof(double) * nw;
	}
	if (st->names.names.len > 0)
		memcpy(p, st->names.names.data, st->names.names.len);
	PG_RETURN_BYTEA_P(out);
}

/* Error unless a deserialized header describes a state of size bytes. */
static void
CheckHeader(const LogregState *h, Size size)
{
	Size		width;
	const PromoNames *names = &h->names.names;

	if ((h->d != -1 && (h->d < 1 || h->d > PROMO_LOGREG_MAX_FEATURES)) ||
		h->n < 0 || h->n_skipped < 0 || (h->d < 0 && h->n != 0) ||
		promo_logreg_invalid_option(&h->opts) != NULL)
		promo_bad_state("The logreg state's header is not valid.");
	if (names->n < 0 || names->n > PROMO_LOGREG_MAX_FEATURES || names->len < 0 ||
		(names->n == 0) != (names->len == 0) ||
		(names->n > 0 && h->d >= 0 && names->n != h->d))
		promo_bad_state("The logreg state's names do not match its features.");
	width = (Size) Max(h->d, 0) + 1 + (h->weighted ? 1 : 0);
	if ((Size) h->n > size / sizeof(double) || (Size) names->len > size ||
		size != sizeof(LogregState) + sizeof(double) * width * h->n + names->len)
		promo_bad_state("The logreg state's header does not match its length.");
}

/* Error unless every row of a state is valid input. */
static void
CheckRows(const LogregState *st)
{
	for (int64 i = 0; i < st->n; i++)
	{
		if ((st->y[i] != 0.0 && st->y[i] != 1.0) ||
			(st->weighted && !(isfinite(st->w[i]) && st->w[i] >= 0.0)))
			promo_bad_state("A logreg state holds a y other than 0 or 1 or an invalid weight.");
	}
	for (int64 i = 0; i < st->n * st->d; i++)
	{
		if (!isfinite(st->x[i]))
			promo_bad_state("A logreg state holds a value of x that is not finite.");
	}
}

/* promo.logreg deserialize: the inverse of serialize, checked. */
PG_FUNCTION_INFO_V1(promo_logreg_agg_deserialize);
Datum
promo_logreg_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_P(0);
	Size		size = VARSIZE(in) - VARHDRSZ;
	const char *p = VARDATA(in);
	LogregState h;
	LogregState *st;
	const double *x;
	const double *y;

	if (size < sizeof(LogregState))
		promo_bad_state("The logreg state is too short.");
	memcpy(&h, p, sizeof(LogregState));
	CheckHeader(&h, size);
	st = NewState(CurrentMemoryContext, h.weighted, &h.opts);
	st->n_skipped = h.n_skipped;
	if (h.names.names.n > 0)
	{
		/* The section ends the state. */
		const char *problem;

		h.names.names.data = (char *) p + size - h.names.names.len;
		problem = promo_names_problem(h.names.names.data, h.names.names.len,
									  h.names.names.n);
		if (problem != NULL)
			promo_bad_state(problem);
		st->names.names = promo_names_copy(&h.names.names, CurrentMemoryContext);
	}
	if (h.d < 0)
		PG_RETURN_POINTER(st);
	st->d = h.d;
	x = (const double *) (p + sizeof(LogregState));
	y = x + (Size) h.n * h.d;
	AppendRows(st, CurrentMemoryContext, x, y, h.weighted ? y + h.n : NULL, h.n);
	CheckRows(st);
	PG_RETURN_POINTER(st);
}

/* ---- fitting ---- */

/* Hook for the core: a cancelled query stops the fit. */
static void
HookInterrupt(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

/* Error for a status without a fit; see logreg_glue.h. */
void
promo_logreg_report_no_fit(PromoLogregStatus status, double rows,
						   double skipped, int bad_term)
{
	switch (status)
	{
		case PROMO_LOGREG_OK:
		case PROMO_LOGREG_NOT_CONVERGED:
		case PROMO_LOGREG_SEPARATION:
			return;
		case PROMO_LOGREG_NO_ROWS:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("logreg has no rows to fit"),
					 errdetail("Of %lld rows, %lld had a NULL y, x or weight and the others a weight of 0.",
							   (long long) rows, (long long) skipped)));
			break;
		case PROMO_LOGREG_ONE_CLASS:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("logreg needs rows of both classes"),
					 errdetail("Every row of positive weight has the same y: there is nothing to learn.")));
			break;
		case PROMO_LOGREG_CONSTANT_FEATURE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature %d is constant", bad_term),
					 errdetail("A constant feature is collinear with the intercept."),
					 errhint("Remove x[%d] from the features.", bad_term)));
			break;
		case PROMO_LOGREG_SINGULAR:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("logreg X'WX is singular"),
					 bad_term > 0 ?
					 errdetail("Feature %d is a linear combination of the other terms.", bad_term) :
					 errdetail("The intercept is a linear combination of the features."),
					 errhint("Remove a feature that depends on the others, or add a penalty (option lambda).")));
			break;
		case PROMO_LOGREG_NUMERIC:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("logreg input values are too large"),
					 errdetail("The sums of the Newton step are not finite."),
					 errhint("Rescale the values, for example with promo.standardize.")));
			break;
	}
}

/* NOTICE for a fit whose estimates are not a converged maximum. */
void
promo_logreg_report_weak_fit(PromoLogregStatus status, const PromoLogregFit *fit)
{
	if (status == PROMO_LOGREG_SEPARATION)
		ereport(NOTICE,
				(errmsg("logreg found complete or quasi-complete separation"),
				 errdetail("%.0f rows are fitted with probability numerically 0 or 1; the estimates of the separating features diverge and the model is marked not converged.",
						   fit->n_extreme),
				 errhint("Add an L2 penalty (option lambda) for finite estimates.")));
	else if (status == PROMO_LOGREG_NOT_CONVERGED)
		ereport(NOTICE,
				(errmsg("logreg did not converge in %d iterations", fit->iterations),
				 errhint("Raise max_iter or tol, or add a penalty (option lambda).")));
}

/* A fit of d features with its arrays allocated in the current context. */
PromoLogregFit
promo_logreg_fit_alloc(int d)
{
	PromoLogregFit fit;
	int			p = d + 1;

	memset(&fit, 0, sizeof(fit));
	fit.estimate = palloc(sizeof(double) * (4 * p + d));
	fit.std_error = fit.estimate + p;
	fit.z_value = fit.std_error + p;
	fit.p_value = fit.z_value + p;
	fit.mean = fit.p_value + p;
	return fit;
}

/* A logreg model from a fit, with names unless names->n = 0. */
PromoModel *
promo_logreg_model_from_fit(const PromoLogregFit *fit, PromoLogregStatus status, double skipped,
							const PromoNames *names)
{
	PromoModel *model = promo_model_new(PROMO_MODEL_LOGREG, fit->d, 0);

	promo_model_field(model, "n")[0] = fit->n;
	promo_model_field(model, "n_skipped")[0] = skipped;
	promo_model_field(model, "df_null")[0] = fit->df_null;
	promo_model_field(model, "df_residual")[0] = fit->df_residual;
	promo_model_field(model, "null_deviance")[0] = fit->null_deviance;
	promo_model_field(model, "deviance")[0] = fit->deviance;
	promo_model_field(model, "aic")[0] = fit->aic;
	promo_model_field(model, "log_likelihood")[0] = fit->log_likelihood;
	promo_model_field(model, "lambda")[0] = fit->lambda;
	promo_model_field(model, "iterations")[0] = fit->iterations;
	promo_model_field(model, "converged")[0] = status == PROMO_LOGREG_OK ? 1.0 : 0.0;
	promo_model_field(model, "n_extreme")[0] = fit->n_extreme;
	promo_model_set_terms(model, fit->estimate, fit->std_error, "z_value",
						  fit->z_value, fit->p_value);
	memcpy(promo_model_field(model, "mean"), fit->mean, sizeof(double) * fit->d);
	if (names->n > 0)
		return promo_model_with_names(model, names);
	return promo_model_finish(model);
}

/* promo.logreg final: fit the rows held; NULL for an empty input. */
PG_FUNCTION_INFO_V1(promo_logreg_agg_final);
Datum
promo_logreg_agg_final(PG_FUNCTION_ARGS)
{
	LogregState *st = PG_ARGISNULL(0) ? NULL : (LogregState *) PG_GETARG_POINTER(0);
	PromoLogregHooks hooks = {NULL, HookInterrupt};
	PromoLogregFit fit;
	PromoLogregStatus status;
	int			bad_term;

	if (st == NULL)
		PG_RETURN_NULL();
	if (st->d < 0)
		promo_logreg_report_no_fit(PROMO_LOGREG_NO_ROWS, (double) st->n_skipped,
								   (double) st->n_skipped, 0);
	fit = promo_logreg_fit_alloc(st->d);
	status = promo_logreg_fit(st->x, st->y, st->w, (size_t) st->n, st->d, &st->opts,
							  &fit, &bad_term,
							  palloc(sizeof(double) * promo_logreg_fit_work(st->d)),
							  palloc(sizeof(int) * promo_logreg_fit_iwork(st->d)),
							  &hooks);
	promo_logreg_report_no_fit(status, (double) (st->n + st->n_skipped),
							   (double) st->n_skipped, bad_term);
	promo_logreg_report_weak_fit(status, &fit);
	PG_RETURN_POINTER(promo_logreg_model_from_fit(&fit, status, (double) st->n_skipped,
												  &st->names.names));
}

/* ---- using a model ---- */

/* The probability of y = 1 at x under a logreg model. */
double
promo_logreg_model_predict(PromoModel *model, const double *x)
{
	return promo_logreg_probability(promo_logreg_link(promo_model_field(model, "estimate"),
													  model->dim, x));
}
