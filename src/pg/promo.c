/*
 * promo.c
 *		Module entry and the argument checks every promo function shares.
 */
#include "promo.h"

#include <limits.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/primnodes.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "finite.h"

PG_MODULE_MAGIC;

/* promo.max_memory default: 1 GB, in kB. */
#define PROMO_MAX_MEMORY_DEFAULT (1024 * 1024)

int			promo_max_memory_kb = PROMO_MAX_MEMORY_DEFAULT;

void		_PG_init(void);

/* Module load: register promo's settings. */
void
_PG_init(void)
{
	DefineCustomIntVariable("promo.max_memory",
							"Memory one in-memory promo fit may hold.",
							"Algorithms that hold their rows (kmeans) refuse "
							"inputs that would need more; the streaming "
							"alternatives have no such limit.",
							&promo_max_memory_kb,
							PROMO_MAX_MEMORY_DEFAULT,
							64, MAX_KILOBYTES,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("promo");
}

/* bytes as kB below 64 MB, else as MB: enough digits to tell two apart. */
static char *
FormatBytes(double bytes)
{
	if (bytes < 64.0 * 1048576.0)
		return psprintf("%.0f kB", ceil(bytes / 1024.0));
	return psprintf("%.1f MB", bytes / 1048576.0);
}

/* Error unless bytes fit within promo.max_memory. */
void
promo_check_memory(double bytes, const char *what, const char *hint)
{
	double		limit = (double) promo_max_memory_kb * 1024.0;

	if (bytes > limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s would need %s, more than promo.max_memory (%s)",
						what, FormatBytes(bytes), FormatBytes(limit)),
				 hint ? errhint("%s", hint) : 0));
}

/* Error unless arr is a one-dimensional float8 array. */
void
promo_check_float8_array(ArrayType *arr, const char *what)
{
	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be a float8 array", what)));
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("The array has %d dimensions.", ARR_NDIM(arr))));
}

/* Error unless v is finite. */
void
promo_check_finite(const char *what, double v)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must not be NaN or infinity", what)));
}

/* Error naming the first element of values that is not admissible. */
static void
CheckElements(const char *what, const double *values, const bool *isnull,
			  int n, bool allow_infinity)
{
	/* NULL elements hold 0 in values, so the fast test covers them too. */
	if (promo_all_finite(values, n))
		return;
	for (int i = 0; i < n; i++)
	{
		if (isnull != NULL && isnull[i])
			continue;
		if (isnan(values[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 allow_infinity ? errmsg("%s must not contain NaN", what) :
					 errmsg("%s must not contain NaN or infinity", what),
					 errdetail("Element %d is NaN.", i + 1)));
		if (isinf(values[i]) && !allow_infinity)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s must not contain NaN or infinity", what),
					 errdetail("Element %d is infinite.", i + 1)));
	}
}

/* 1-D float8[] without NULL elements or non-finite values: its data. */
const double *
promo_vector_arg(ArrayType *arr, const char *what, int *n)
{
	const double *values;

	promo_check_float8_array(arr, what);
	if (promo_array_has_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain NULL elements", what)));
	/* One dimension at most (checked above): its length is the count. */
	*n = ARR_NDIM(arr) == 1 ? ARR_DIMS(arr)[0] : 0;
	values = (const double *) ARR_DATA_PTR(arr);
	CheckElements(what, values, NULL, *n, false);
	return values;
}

/*
 * A palloc'd copy of a 1-D float8[]'s values, checked as flags say:
 * PROMO_NULLS lets NULL elements through (*isnull is set, or NULL when
 * there are none; they read as 0), PROMO_INFINITY lets infinities through.
 * NaN is never admitted.
 */
double *
promo_vector_copy(ArrayType *arr, const char *what, int *n, bool **isnull,
				  int flags)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *values;
	bool		anynull = false;

	promo_check_float8_array(arr, what);
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, n);
	values = palloc(sizeof(double) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		values[i] = nulls[i] ? 0.0 : DatumGetFloat8(elems[i]);
		if (nulls[i] && !(flags & PROMO_NULLS))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL elements", what),
					 errdetail("Element %d is NULL.", i + 1)));
		anynull = anynull || nulls[i];
	}
	if (isnull != NULL)
		*isnull = anynull ? nulls : NULL;
	CheckElements(what, values, anynull ? nulls : NULL, *n,
				  (flags & PROMO_INFINITY) != 0);
	return values;
}

/* 1-D float8[] that may hold NULL elements; a palloc'd copy of its values. */
double *
promo_vector_nullable(ArrayType *arr, const char *what, int *n, bool **isnull)
{
	return promo_vector_copy(arr, what, n, isnull, PROMO_NULLS);
}

/*
 * An array argument, without the palloc of PG_GETARG_ARRAYTYPE_P when it
 * is a short inline value (at most 126 bytes, as most rows' arrays of a
 * few offers or features are): its bytes are copied into buf under a
 * 4-byte header, as detoasting would.  Other values are detoasted.
 */
ArrayType *
promo_array_arg(FunctionCallInfo fcinfo, int argno, PromoArrayBuffer *buf)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	Size		len;

	if (!VARATT_IS_EXTENDED(v))
		return (ArrayType *) v;
	if (!VARATT_IS_SHORT(v))
		return PG_GETARG_ARRAYTYPE_P(argno);
	len = VARSIZE_SHORT(v) - VARHDRSZ_SHORT;
	SET_VARSIZE(buf->bytes, len + VARHDRSZ);
	memcpy(VARDATA(buf->bytes), VARDATA_SHORT(v), len);
	return (ArrayType *) buf->bytes;
}

/*
 * The number of elements of a 1-D float8[] (checked as such), NULL
 * elements allowed: with promo_vector_into, a row read without copies.
 */
int
promo_vector_length(ArrayType *arr, const char *what)
{
	promo_check_float8_array(arr, what);
	return ARR_NDIM(arr) == 1 ? ARR_DIMS(arr)[0] : 0;
}

/*
 * The elements of a float8[] that passed promo_vector_length into out,
 * NULL elements as null_value; the values themselves are not checked.
 */
void
promo_vector_into(ArrayType *arr, double *out, double null_value)
{
	int			n = ARR_NDIM(arr) == 1 ? ARR_DIMS(arr)[0] : 0;
	const double *data = (const double *) ARR_DATA_PTR(arr);
	bits8	   *nulls = ARR_NULLBITMAP(arr);

	if (nulls == NULL)
	{
		memcpy(out, data, sizeof(double) * n);
		return;
	}
	for (int i = 0; i < n; i++)
		out[i] = nulls[i / 8] & (1 << (i % 8)) ? *data++ : null_value;
}

/* Error unless got == want: arrays of different lengths. */
void
promo_check_length(const char *what, int got, int want)
{
	if (got != want)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d elements, expected %d", what, got, want)));
}

/* Error unless a feature vector has at least one element. */
void
promo_check_not_empty(const char *what, int n)
{
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must have at least one element", what)));
}

/*
 * Error unless a row of an aggregate has as many elements as its first row;
 * unit names them (features, elements) in the detail.
 */
void
promo_check_row_length(const char *aggregate, const char *unit, int got, int want)
{
	if (got != want)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("x has %d elements, but earlier rows had %d", got, want),
				 errdetail("All rows of one %s aggregate must have the same number of %s.",
						   aggregate, unit)));
}

/* A 1-D float8[] holding n values (zeros when values is NULL). */
ArrayType *
promo_float8_array(const double *values, int n)
{
	ArrayType  *arr;
	Size		nbytes = ARR_OVERHEAD_NONULLS(1) + sizeof(float8) * (Size) n;

	arr = (ArrayType *) palloc0(nbytes);
	SET_VARSIZE(arr, nbytes);
	arr->ndim = 1;
	arr->dataoffset = 0;
	arr->elemtype = FLOAT8OID;
	ARR_DIMS(arr)[0] = n;
	ARR_LBOUND(arr)[0] = 1;
	if (n > 0 && values != NULL)
		memcpy(ARR_DATA_PTR(arr), values, sizeof(float8) * (Size) n);
	if (n == 0)
		arr->ndim = 0;
	return arr;
}

/* A new float8[] transition state of len values: the tag, then zeros. */
ArrayType *
promo_state_new(double tag, int len)
{
	ArrayType  *state = promo_float8_array(NULL, len);

	((double *) ARR_DATA_PTR(state))[0] = tag;
	return state;
}

/* The transition state: in place inside an aggregate, else a copy. */
ArrayType *
promo_agg_state(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return NULL;
	if (AggCheckCallContext(fcinfo, NULL))
		return PG_GETARG_ARRAYTYPE_P(argno);
	return PG_GETARG_ARRAYTYPE_P_COPY(argno);
}

/* Error for a transition state that is not one of promo's. */
void
promo_bad_state(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid promo aggregate state"),
			 errdetail("%s", detail)));
}

/* A float8[] transition state as its data, checked against its tag. */
double *
promo_state_data(ArrayType *state, double tag, int min_len)
{
	int			n;

	if (ARR_ELEMTYPE(state) != FLOAT8OID || ARR_NDIM(state) != 1 ||
		ARR_HASNULL(state))
		promo_bad_state("The state must be a one-dimensional float8 array without NULLs.");
	n = ARR_DIMS(state)[0];
	if (n < min_len || ((double *) ARR_DATA_PTR(state))[0] != tag)
		promo_bad_state("The state is not one of this aggregate's states.");
	return (double *) ARR_DATA_PTR(state);
}

/* Memory context callback: the trusted state is gone. */
static void
ForgetTrusted(void *arg)
{
	((PromoTrustedState *) arg)->state = NULL;
}

/* Remember state as checked until the aggregate's memory is reset. */
void
promo_state_trust(FunctionCallInfo fcinfo, PromoTrustedState *trusted,
				  ArrayType *state)
{
	MemoryContext aggctx;

	/* Row after row the state is the trusted one: no more to do. */
	if (trusted->state == state || !AggCheckCallContext(fcinfo, &aggctx))
		return;
	if (trusted->state == NULL)
	{
		trusted->forget.func = ForgetTrusted;
		trusted->forget.arg = trusted;
		MemoryContextRegisterResetCallback(aggctx, &trusted->forget);
		trusted->cxt = aggctx;
	}
	if (trusted->cxt == aggctx)
		trusted->state = state;
}

/*
 * Is aggregate argument argno constant: a literal or a query parameter?
 * (The transition function's own expression has placeholders for an
 * aggregate's arguments; the Aggref has them.)
 */
bool
promo_agg_arg_is_constant(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	Node	   *expr;

	if (aggref == NULL || argno < 1 || argno > list_length(aggref->args))
		return false;
	expr = (Node *) ((TargetEntry *) list_nth(aggref->args, argno - 1))->expr;
	return IsA(expr, Const) ||
		(IsA(expr, Param) && ((Param *) expr)->paramkind == PARAM_EXTERN);
}

/* The composite result type of a per-row function, blessed once. */
TupleDesc
promo_result_desc(FunctionCallInfo fcinfo, TupleDesc *kept)
{
	TupleDesc	desc;
	MemoryContext old;

	if (*kept)
		return *kept;
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	*kept = BlessTupleDesc(CreateTupleDescCopy(desc));
	MemoryContextSwitchTo(old);
	return *kept;
}
