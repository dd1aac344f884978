/*
 * promo.h
 *		Shared declarations of promo's PostgreSQL glue.
 */
#ifndef PROMO_PG_H
#define PROMO_PG_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/jsonb.h"

/* ---- promo.c: argument validation shared by every function ---- */

/*
 * A float8[] argument checked as a feature vector: one dimension, no NULL
 * elements, finite values.  Returns its data in place (*n values).
 */
extern const double *promo_vector_arg(ArrayType *arr, const char *what, int *n);

/* Error unless arr is a one-dimensional float8 array; what names it. */
extern void promo_check_float8_array(ArrayType *arr, const char *what);

/*
 * Does an array hold a NULL element?  Without a NULL bitmap it cannot, and
 * the test costs no call: row after row, most arrays have none.
 */
static inline bool
promo_array_has_nulls(ArrayType *arr)
{
	return ARR_HASNULL(arr) && array_contains_nulls(arr);
}

/*
 * 1-D float8[] that may hold NULL elements (*isnull is set, or NULL when
 * there are none); values must be finite.  Returns a palloc'd copy.
 */
extern double *promo_vector_nullable(ArrayType *arr, const char *what, int *n,
									 bool **isnull);

/* Flags of promo_vector_copy: what it lets through besides finite numbers. */
#define PROMO_NULLS		0x01	/* NULL elements */
#define PROMO_INFINITY	0x02	/* infinite values */

/* A palloc'd copy of a 1-D float8[]'s values, checked as flags say. */
extern double *promo_vector_copy(ArrayType *arr, const char *what, int *n,
								 bool **isnull, int flags);

/* Room for a short inline array value under a 4-byte header, aligned. */
typedef union PromoArrayBuffer
{
	double		align;
	char		bytes[VARHDRSZ + 128];
} PromoArrayBuffer;

/*
 * An array argument; a short inline value is copied into buf rather than
 * palloc'd (the copy is valid while buf is).
 */
extern ArrayType *promo_array_arg(FunctionCallInfo fcinfo, int argno,
								  PromoArrayBuffer *buf);

/*
 * The length of a 1-D float8[] (checked as such, NULL elements allowed),
 * and its elements into out with NULL elements as null_value (values not
 * checked): a row read in place, without the copies of promo_vector_copy.
 */
extern int	promo_vector_length(ArrayType *arr, const char *what);
extern void promo_vector_into(ArrayType *arr, double *out, double null_value);

/* Error unless a feature vector has at least one element. */
extern void promo_check_not_empty(const char *what, int n);

/* Error unless a row of an aggregate is as long as its first row. */
extern void promo_check_row_length(const char *aggregate, const char *unit,
								   int got, int want);

/* Error unless got == want: arrays of different lengths. */
extern void promo_check_length(const char *what, int got, int want);

/* Error unless v is finite. */
extern void promo_check_finite(const char *what, double v);

/* A 1-D float8[] holding n values (zeros when values is NULL). */
extern ArrayType *promo_float8_array(const double *values, int n);

/*
 * The composite result type of a function called once per row, blessed on
 * the first call and kept in *kept (in the function's memory context).
 */
extern TupleDesc promo_result_desc(FunctionCallInfo fcinfo, TupleDesc *kept);

/* A new float8[] transition state of len values: the tag, then zeros. */
extern ArrayType *promo_state_new(double tag, int len);

/*
 * The transition state an aggregate may update: in place when called as
 * an aggregate, otherwise a copy, so direct calls never mutate arguments.
 */
extern ArrayType *promo_agg_state(FunctionCallInfo fcinfo, int argno);

/* Is v a whole number in [lo, hi]? (A state's header, before any cast.) */
static inline bool
promo_whole_in(double v, double lo, double hi)
{
	return v >= lo && v <= hi && v == (double) (int64) v;
}

/* ---- memory: the promo.max_memory setting ---- */

/* promo.max_memory in kB: what one in-memory fit may hold. */
extern int	promo_max_memory_kb;

/*
 * Error unless an in-memory algorithm holding bytes stays within
 * promo.max_memory; what names the algorithm, hint the way out.
 */
extern void promo_check_memory(double bytes, const char *what, const char *hint);

/*
 * The state a transition function returned last, known to be valid: it was
 * checked, and has changed only through the transition function since, so
 * it need not be checked again row after row.  The aggregate's memory being
 * reset forgets it.  Keep one in the function's fn_extra cache.
 */
typedef struct PromoTrustedState
{
	ArrayType  *state;
	MemoryContext cxt;			/* where forget is registered */
	MemoryContextCallback forget;
} PromoTrustedState;

/* Remember state as checked until the aggregate's memory is reset. */
extern void promo_state_trust(FunctionCallInfo fcinfo, PromoTrustedState *trusted,
							  ArrayType *state);

/*
 * Is aggregate argument argno (1-based, as the transition function sees
 * it) constant for the whole scan: a literal or a query parameter?
 */
extern bool promo_agg_arg_is_constant(FunctionCallInfo fcinfo, int argno);

/* Error for a transition state that is not one of promo's. */
extern void promo_bad_state(const char *detail) pg_attribute_noreturn();

/* A float8[] transition state as its data, checked against its tag. */
extern double *promo_state_data(ArrayType *state, double tag, int min_len);

#endif							/* PROMO_PG_H */
