/*
 * kmeans_fit.c
 *		The scale-out k-means path: a Lloyd-step aggregate and its driver.
 *
 * promo.kmeans_step(x, centroids [, previous]) assigns each row to its
 * nearest centroid and sums the rows per centroid.  Its state is a plain
 * float8[] with a combine function, so it scans in parallel and a
 * distributed planner can push it to its workers:
 *
 *	 [0] tag, [1] k, [2] d, [3] n, [4] skipped, [5] moved, [6] inertia,
 *	 [7] candidates held, [8] previous given (0 or 1), [9] rows buffered,
 *	 [10] buffer capacity, then d sums of squares, k counts, k x d sums,
 *	 k relocation candidates of d + 2 values (distance, label, row),
 *	 farthest first, the k x d centroids, the k x d previous centroids,
 *	 and the buffered rows.
 *
 * Rows are buffered and labelled a block at a time by one matrix product,
 * as the in-memory path does; the final function labels what is left.
 *
 * promo.kmeans_fit runs the core's Lloyd loop (promo_kmeans_iterate, the
 * same as the in-memory aggregate's) over a table: each step is one
 * kmeans_step query through SPI, in a memory context reset every step.
 */
#include "kmeans_glue.h"
#include "contract.h"

#include <float.h>
#include <limits.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/primnodes.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "spi_util.h"

#define STEP_TAG 7003.0
#define STEP_HEADER 11

#define STEP_K 1
#define STEP_D 2
#define STEP_N 3
#define STEP_SKIPPED 4
#define STEP_MOVED 5
#define STEP_INERTIA 6
#define STEP_CANDIDATES 7
#define STEP_HAS_PREVIOUS 8
#define STEP_BUFFERED 9
#define STEP_CAPACITY 10

/* Views into a step state. */
typedef struct StepState
{
	double	   *s;
	int			k;
	int			d;
	double	   *sumsq;			/* d */
	double	   *counts;			/* k */
	double	   *sums;			/* k x d */
	double	   *cand;			/* k x (d + 2) */
	double	   *centroids;		/* k x d */
	double	   *previous;		/* k x d */
	double	   *buffer;			/* capacity x d */
} StepState;

/* Rows a state buffers: a block of one product, fewer when d is large. */
static int
StepCapacity(int d)
{
	return Max(1, Min(PROMO_KMEANS_CHUNK, 65536 / d));
}

/* Number of doubles in a step state. */
static int
StepLength(int k, int d)
{
	return STEP_HEADER + d + k + k * d + k * (d + 2) + 2 * k * d + StepCapacity(d) * d;
}

/* The views of a state's data. */
static StepState
StepView(double *s)
{
	StepState	st;

	st.s = s;
	st.k = (int) s[STEP_K];
	st.d = (int) s[STEP_D];
	st.sumsq = s + STEP_HEADER;
	st.counts = st.sumsq + st.d;
	st.sums = st.counts + st.k;
	st.cand = st.sums + (Size) st.k * st.d;
	st.centroids = st.cand + (Size) st.k * (st.d + 2);
	st.previous = st.centroids + (Size) st.k * st.d;
	st.buffer = st.previous + (Size) st.k * st.d;
	return st;
}

/* Error unless n values from v on are finite, and at least lo. */
static void
CheckValues(const double *v, Size n, double lo, const char *detail)
{
	for (Size i = 0; i < n; i++)
		if (!isfinite(v[i]) || v[i] < lo)
			promo_bad_state(detail);
}

/* Largest count a state holds exactly. */
#define MAX_COUNT 9007199254740992.0

/*
 * The state's data, after checking all of it: the header against the
 * length, counts whole and non-negative and adding up to n, sums and
 * centroids finite, candidates farthest first and naming clusters.  The
 * one check of a kmeans_step state.
 */
static StepState
StepData(ArrayType *state)
{
	double	   *s = promo_state_data(state, STEP_TAG, STEP_HEADER);
	StepState	st;
	int			width;
	double		total = 0.0;

	if (!promo_whole_in(s[STEP_K], 1, PROMO_KMEANS_MAX_K) ||
		!promo_whole_in(s[STEP_D], 1, PROMO_MAX_DIMENSIONS) ||
		ARR_DIMS(state)[0] != StepLength((int) s[STEP_K], (int) s[STEP_D]) ||
		!promo_whole_in(s[STEP_CANDIDATES], 0, s[STEP_K]) ||
		!promo_whole_in(s[STEP_HAS_PREVIOUS], 0, 1) ||
		s[STEP_CAPACITY] != StepCapacity((int) s[STEP_D]) ||
		!promo_whole_in(s[STEP_BUFFERED], 0, s[STEP_CAPACITY] - 1))
		promo_bad_state("The kmeans_step state's header does not match its length.");
	if (!promo_whole_in(s[STEP_N], 0, MAX_COUNT) ||
		!promo_whole_in(s[STEP_SKIPPED], 0, MAX_COUNT) ||
		!promo_whole_in(s[STEP_MOVED], 0, s[STEP_N]) ||
		!isfinite(s[STEP_INERTIA]) || s[STEP_INERTIA] < 0)
		promo_bad_state("The kmeans_step state's counts must be whole, not negative, and its inertia finite.");
	st = StepView(s);
	width = st.d + 2;
	for (int c = 0; c < st.k; c++)
	{
		if (!promo_whole_in(st.counts[c], 0, MAX_COUNT))
			promo_bad_state("The kmeans_step state's cluster counts must be whole and not negative.");
		total += st.counts[c];
	}
	if (total != s[STEP_N])
		promo_bad_state("The kmeans_step state's cluster counts do not add up to its rows.");
	CheckValues(st.sumsq, st.d, 0.0, "The kmeans_step state's sums of squares must be finite and not negative.");
	CheckValues(st.sums, (Size) st.k * st.d, -DBL_MAX, "The kmeans_step state's sums must be finite.");
	for (int c = 0; c < (int) s[STEP_CANDIDATES]; c++)
	{
		const double *cand = st.cand + (Size) c * width;

		if (!isfinite(cand[0]) || cand[0] < 0 ||
			(c > 0 && cand[0] > cand[-width]) ||
			!promo_whole_in(cand[1], 0, st.k - 1))
			promo_bad_state("A kmeans_step candidate has a bad distance or names no cluster.");
		CheckValues(cand + 2, st.d, -DBL_MAX, "A kmeans_step candidate's row must be finite.");
	}
	CheckValues(st.centroids, (Size) st.k * st.d * (1 + (s[STEP_HAS_PREVIOUS] != 0)), -DBL_MAX,
				"The kmeans_step state's centroids must be finite.");
	CheckValues(st.buffer, (Size) s[STEP_BUFFERED] * st.d, -DBL_MAX,
				"The kmeans_step state's buffered rows must be finite.");
	return st;
}

/* A k x d float8 matrix argument, checked; cached for the whole scan. */
typedef struct CentroidCache
{
	Datum		key;			/* the Datum last seen, for constant arguments */
	bool		constant;		/* a literal or a query parameter */
	int			k;
	int			d;
	double	   *values;
} CentroidCache;

/*
 * What the transition function keeps across calls: its centroid arguments
 * and the state it returned last.  That state was checked when it came in
 * and has changed only through the transition function since, so it is
 * not checked again row after row; the aggregate's memory being reset
 * forgets it.
 */
typedef struct StepCache
{
	CentroidCache centroids[2];
	PromoTrustedState trusted;
} StepCache;

/* The transition function's cache, made on its first call. */
static StepCache *
GetStepCache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(StepCache));
	return (StepCache *) fcinfo->flinfo->fn_extra;
}




/*
 * Centroids from a 2-D float8[] argument (k rows of d).  *fresh tells
 * whether the argument's values differ from those of the previous call.
 * Only a constant argument (a literal or a query parameter) is recognized
 * by its address: a computed one may reuse the address of another value,
 * so it is compared by value.
 */
static const double *
CentroidsArg(FunctionCallInfo fcinfo, int argno, int slot, int *k, int *d,
			 bool *fresh)
{
	CentroidCache *cache = &GetStepCache(fcinfo)->centroids[slot];
	Datum		datum = PG_GETARG_DATUM(argno);
	ArrayType  *arr;
	int			n;
	const double *v;

	*fresh = false;
	*k = cache->k;
	*d = cache->d;
	if (cache->values != NULL && cache->key == datum && cache->constant)
		return cache->values;
	arr = DatumGetArrayTypeP(datum);
	if (cache->values != NULL && ARR_NDIM(arr) == 2 && !ARR_HASNULL(arr) &&
		ARR_DIMS(arr)[0] == cache->k && ARR_DIMS(arr)[1] == cache->d &&
		memcmp(ARR_DATA_PTR(arr), cache->values,
			   sizeof(double) * cache->k * cache->d) == 0)
	{
		cache->key = datum;
		return cache->values;
	}
	*fresh = true;
	if (ARR_NDIM(arr) != 2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("centroids must be a two-dimensional array of k rows"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(arr))));
	*k = ARR_DIMS(arr)[0];
	*d = ARR_DIMS(arr)[1];
	promo_kmeans_check_k(*k);
	/* A 2-D array checked as its flat run of values. */
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("centroids must not contain NULL elements")));
	v = (const double *) ARR_DATA_PTR(arr);
	n = *k * *d;
	for (int i = 0; i < n; i++)
		promo_check_finite("centroids", v[i]);
	if (cache->values)
		pfree(cache->values);
	cache->values = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * n);
	memcpy(cache->values, v, sizeof(double) * n);
	cache->constant = promo_agg_arg_is_constant(fcinfo, argno);
	cache->key = datum;
	cache->k = *k;
	cache->d = *d;
	return cache->values;
}

/* A zeroed step state for the given centroids (and previous ones). */
static ArrayType *
NewStepState(int k, int d, const double *centroids, const double *previous)
{
	ArrayType  *state = promo_state_new(STEP_TAG, StepLength(k, d));
	StepState	st;

	st = StepView((double *) ARR_DATA_PTR(state));
	st.s[STEP_K] = st.k = k;
	st.s[STEP_D] = st.d = d;
	st = StepView(st.s);
	st.s[STEP_CAPACITY] = StepCapacity(d);
	st.s[STEP_HAS_PREVIOUS] = previous != NULL;
	memcpy(st.centroids, centroids, sizeof(double) * k * d);
	if (previous)
		memcpy(st.previous, previous, sizeof(double) * k * d);
	return state;
}

/* Offer a row as a relocation candidate of the state. */
static void
OfferCandidate(StepState *st, double dist, int label, const double *row)
{
	int			held = (int) st->s[STEP_CANDIDATES];

	promo_kmeans_offer_candidate(st->cand, st->k, st->d, &held, dist, label, row);
	st->s[STEP_CANDIDATES] = held;
}

/*
 * Label the buffered rows by one product against the centroids (and one
 * against the previous centroids), then add them up.  The inertia and the
 * candidates use exact squared distances, not the product's expansion.
 */
static void
Flush(StepState *st)
{
	int			m = (int) st->s[STEP_BUFFERED];
	int			k = st->k;
	int			d = st->d;
	int		   *labels;
	int		   *before;
	double	   *best;
	double	   *dist;
	double	   *cnorm;

	if (m == 0)
		return;
	labels = palloc(sizeof(int) * 2 * m);
	before = labels + m;
	best = palloc(sizeof(double) * (m + (Size) PROMO_KMEANS_CHUNK * k + k));
	dist = best + m;
	cnorm = dist + (Size) PROMO_KMEANS_CHUNK * k;
	promo_kmeans_norms(st->centroids, k, d, cnorm);
	promo_kmeans_label_chunk(st->buffer, m, d, k, st->centroids, cnorm, labels, best, dist);
	if (st->s[STEP_HAS_PREVIOUS] != 0)
	{
		promo_kmeans_norms(st->previous, k, d, cnorm);
		promo_kmeans_label_chunk(st->buffer, m, d, k, st->previous, cnorm, before, best, dist);
	}
	for (int r = 0; r < m; r++)
	{
		const double *x = st->buffer + (Size) r * d;
		int			label = labels[r];
		double		dist2 = promo_sqdist(x, st->centroids + (Size) label * d, d);

		st->s[STEP_N] += 1;
		st->s[STEP_INERTIA] += dist2;
		st->s[STEP_MOVED] += st->s[STEP_HAS_PREVIOUS] == 0 || before[r] != label;
		st->counts[label] += 1;
		for (int j = 0; j < d; j++)
		{
			st->sums[(Size) label * d + j] += x[j];
			st->sumsq[j] += x[j] * x[j];
		}
		OfferCandidate(st, dist2, label, x);
	}
	st->s[STEP_BUFFERED] = 0;
	pfree(labels);
	pfree(best);
}

/* Buffer one row, labelling the block when the buffer is full. */
static void
AddRow(StepState *st, const double *x)
{
	memcpy(st->buffer + (Size) st->s[STEP_BUFFERED] * st->d, x, sizeof(double) * st->d);
	st->s[STEP_BUFFERED] += 1;
	if (st->s[STEP_BUFFERED] == st->s[STEP_CAPACITY])
		Flush(st);
}

/* Error unless two states (or a state and arguments) share their centroids. */
static void
CheckSameCentroids(const StepState *st, int k, int d, const double *centroids,
				   const double *previous)
{
	Size		bytes = sizeof(double) * k * d;

	if (st->k != k || st->d != d ||
		memcmp(st->centroids, centroids, bytes) != 0 ||
		(st->s[STEP_HAS_PREVIOUS] != 0) != (previous != NULL) ||
		(previous != NULL && memcmp(st->previous, previous, bytes) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("centroids must be the same for every row of one kmeans_step aggregate")));
}

/* promo.kmeans_step transition: buffer x for labelling. */
PG_FUNCTION_INFO_V1(promo_kmeans_step_accum);
Datum
promo_kmeans_step_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	StepState	st;
	const double *centroids;
	const double *previous = NULL;
	const double *x;
	int			k;
	int			d;
	int			n;
	bool		fresh;
	bool		fresh_previous = false;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("centroids must not be NULL")));
	centroids = CentroidsArg(fcinfo, 2, 0, &k, &d, &fresh);
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
	{
		int			pk;
		int			pd;

		previous = CentroidsArg(fcinfo, 3, 1, &pk, &pd, &fresh_previous);
		if (pk != k || pd != d)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("previous centroids must have the shape of the centroids")));
	}
	if (state == NULL)
		state = NewStepState(k, d, centroids, previous);
	st = state == GetStepCache(fcinfo)->trusted.state ?
		StepView((double *) ARR_DATA_PTR(state)) : StepData(state);
	promo_state_trust(fcinfo, &GetStepCache(fcinfo)->trusted, state);
	/* Arguments seen before were checked against the state already. */
	if (fresh || fresh_previous || st.k != k || st.d != d)
		CheckSameCentroids(&st, k, d, centroids, previous);
	if (PG_ARGISNULL(1))
	{
		st.s[STEP_SKIPPED] += 1;
		PG_RETURN_ARRAYTYPE_P(state);
	}
	x = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(1), "x", &n);
	if (n != d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("x has %d elements, but the centroids have %d", n, d)));
	AddRow(&st, x);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.kmeans_step combine: add counts and sums, merge candidates. */
PG_FUNCTION_INFO_V1(promo_kmeans_step_combine);
Datum
promo_kmeans_step_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	StepState	a = StepData(state);
	StepState	b = StepData(PG_GETARG_ARRAYTYPE_P(1));
	int			width = a.d + 2;

	CheckSameCentroids(&a, b.k, b.d, b.centroids,
					   b.s[STEP_HAS_PREVIOUS] != 0 ? b.previous : NULL);
	for (int i = STEP_N; i <= STEP_INERTIA; i++)
		a.s[i] += b.s[i];
	for (int j = 0; j < a.d; j++)
		a.sumsq[j] += b.sumsq[j];
	for (Size i = 0; i < (Size) a.k * (a.d + 1); i++)
		a.counts[i] += b.counts[i];	/* counts and sums are contiguous */
	for (int c = 0; c < (int) b.s[STEP_CANDIDATES]; c++)
		OfferCandidate(&a, b.cand[(Size) c * width], (int) b.cand[(Size) c * width + 1],
					   b.cand + (Size) c * width + 2);
	for (int r = 0; r < (int) b.s[STEP_BUFFERED]; r++)
		AddRow(&a, b.buffer + (Size) r * b.d);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.kmeans_step final: the state with every buffered row counted. */
PG_FUNCTION_INFO_V1(promo_kmeans_step_final);
Datum
promo_kmeans_step_final(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P_COPY(0);
	StepState	st = StepData(state);

	Flush(&st);
	/* An empty buffer reads the same whatever rows passed through it. */
	memset(st.buffer, 0, sizeof(double) * (Size) st.s[STEP_CAPACITY] * st.d);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* ---- the driver ---- */

/* The option kmeans_fit takes besides those of kmeans. */
static const PromoOptionDef fit_option_defs[] = {
	{"sample_size", PROMO_OPTION_INT, offsetof(PromoKmeansOptions, sample_size),
	100000, 1, INT_MAX},
};

static const PromoOptionTable fit_options = {
	"kmeans_fit", fit_option_defs, lengthof(fit_option_defs)
};

/* A k x d float8[] array Datum. */
static Datum
MatrixDatum(const double *v, int k, int d)
{
	Datum	   *elems = palloc(sizeof(Datum) * k * d);
	int			dims[2] = {k, d};
	int			lbs[2] = {1, 1};

	for (int i = 0; i < k * d; i++)
		elems[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_md_array(elems, NULL, 2, dims, lbs, FLOAT8OID,
											  sizeof(float8), FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
}

/* The table and column, quoted, for the driver's queries. */
typedef struct Source
{
	char	   *relation;
	char	   *column;
} Source;

/*
 * A table as the core's source of rows: one kmeans_step query per step.
 * Everything a step allocates lives in itercxt, reset before the next.
 */
typedef struct TableSource
{
	const Source *src;
	int			k;
	int			d;
	MemoryContext itercxt;
	double		skipped;		/* NULL rows of the last scan */
	PromoKmeansStepStats last;	/* the last step's report */
} TableSource;

/* Run one kmeans_step query over the source; its state, in itercxt. */
static StepState
RunStep(TableSource *ts, const double *centroids, const double *previous)
{
	MemoryContext old;
	char	   *sql;
	Oid			types[2] = {FLOAT8ARRAYOID, FLOAT8ARRAYOID};
	Datum		values[2];
	char		nulls[2] = {' ', previous ? ' ' : 'n'};
	bool		isnull;
	Datum		result;

	MemoryContextReset(ts->itercxt);
	old = MemoryContextSwitchTo(ts->itercxt);
	sql = psprintf("SELECT promo.kmeans_step(%s, $1, $2) FROM %s",
				   ts->src->column, ts->src->relation);
	values[0] = MatrixDatum(centroids, ts->k, ts->d);
	values[1] = previous ? MatrixDatum(previous, ts->k, ts->d) : (Datum) 0;
	result = promo_spi_value(sql, 2, types, values, nulls, &isnull, "kmeans_step");
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("kmeans_fit found no rows in %s", ts->src->relation)));
	MemoryContextSwitchTo(old);
	return StepData(DatumGetArrayTypeP(result));
}

/* What a step state says about its rows; sizes get its counts. */
static void
ReadStats(TableSource *ts, const StepState *st, double *sizes,
		  PromoKmeansStepStats *stats)
{
	double		var = 0.0;
	double		n = st->s[STEP_N];

	for (int j = 0; j < st->d; j++)
	{
		double		total = 0.0;

		for (int c = 0; c < st->k; c++)
			total += st->sums[(Size) c * st->d + j];
		var += st->sumsq[j] / n - (total / n) * (total / n);
	}
	memcpy(sizes, st->counts, sizeof(double) * st->k);
	ts->skipped = st->s[STEP_SKIPPED];
	stats->n = n;
	stats->moved = st->s[STEP_MOVED];
	stats->inertia = st->s[STEP_INERTIA];
	stats->mean_variance = var / st->d;
	stats->relocated = 0;
}

/* One Lloyd step over the table (PromoKmeansSource.step). */
static void
TableStep(void *ctx, const double *centroids, const double *previous,
		  double *next, double *sizes, PromoKmeansStepStats *stats)
{
	TableSource *ts = ctx;
	StepState	st = RunStep(ts, centroids, previous);
	double	   *counts = MemoryContextAlloc(ts->itercxt, sizeof(double) * ts->k);

	ReadStats(ts, &st, sizes, stats);
	memcpy(counts, sizes, sizeof(double) * ts->k);
	/* The state is the step's own copy: its sums may change. */
	stats->relocated = promo_kmeans_means(ts->k, ts->d, counts, st.sums, st.cand,
										  (int) st.s[STEP_CANDIDATES], next);
	ts->last = *stats;
}

/* Sizes and inertia of the final centroids (PromoKmeansSource.finish). */
static void
TableFinish(void *ctx, const double *centroids, bool labels_current,
			double *sizes, PromoKmeansStepStats *stats)
{
	TableSource *ts = ctx;
	StepState	st;

	if (labels_current)
	{
		/* sizes still hold the last step's counts */
		*stats = ts->last;
		return;
	}
	st = RunStep(ts, centroids, NULL);
	ReadStats(ts, &st, sizes, stats);
}

/* One value of a query, in the current memory context (see spi_util.h). */
static double
CountRows(const Source *src)
{
	bool		isnull;
	Datum		count = promo_spi_value(psprintf("SELECT count(*)::float8 FROM %s", src->relation),
										0, NULL, NULL, NULL, &isnull, "count");

	return DatumGetFloat8(count);
}

/*
 * Can the relation be sampled (TABLESAMPLE takes tables, partitioned
 * tables and materialized views, not views or foreign tables), and the
 * planner's estimate of its rows.
 */
static bool
Sampleable(Oid relid, double *reltuples)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class rel;
	bool		ok;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	rel = (Form_pg_class) GETSTRUCT(tup);
	ok = rel->relkind == RELKIND_RELATION || rel->relkind == RELKIND_MATVIEW ||
		rel->relkind == RELKIND_PARTITIONED_TABLE;
	*reltuples = rel->reltuples;
	ReleaseSysCache(tup);
	return ok;
}

/*
 * The share (percent) of a table to sample for about sample_size rows.
 * The estimate serves when it says the table is larger; otherwise (a
 * small, never analyzed or distributed table, whose coordinator knows no
 * rows) the rows are counted.
 */
static double
SamplePercent(const Source *src, double reltuples, int32 sample_size)
{
	double		rows = reltuples > sample_size ? reltuples : CountRows(src);

	return rows > sample_size ? 100.0 * sample_size / rows : 100.0;
}

/*
 * Initial centroids from the in-memory aggregate over a sample.  A table
 * is always read through TABLESAMPLE ... REPEATABLE, which a distributed
 * planner pushes down to each shard; a view is read whole.
 */
static double *
SampleSeeds(const Source *src, Oid relid, int k, const PromoKmeansOptions *o,
			int *d)
{
	double		reltuples;
	bool		sample = Sampleable(relid, &reltuples);
	char	   *sql = psprintf("SELECT promo.kmeans(%s, $1, jsonb_build_object('seed', $2, 'max_iter', 0, 'init', $3::text)) FROM %s%s",
							   src->column, src->relation,
							   sample ? " TABLESAMPLE BERNOULLI ($4) REPEATABLE ($2)" : "");
	Oid			types[4] = {INT4OID, INT8OID, TEXTOID, FLOAT8OID};
	Datum		values[4];
	bool		isnull;
	Datum		result;
	PromoModel *model;

	if (o->sample_size < k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample_size (%d) must be at least k (%d)", o->sample_size, k),
				 errhint("Seeding picks the initial centroids from about sample_size rows.")));
	values[0] = Int32GetDatum(k);
	values[1] = Int64GetDatum(o->seed);
	values[2] = CStringGetTextDatum(promo_kmeans_init_names[o->init]);
	values[3] = Float8GetDatum(sample ? SamplePercent(src, reltuples, o->sample_size) : 100.0);
	result = promo_spi_value(sql, sample ? 4 : 3, types, values, NULL, &isnull, "kmeans seeding");
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("kmeans_fit found no rows to seed from in %s", src->relation),
				 sample ? errhint("The sample of about %d rows came back empty: raise sample_size.",
								  o->sample_size) : 0));
	model = DatumGetPromoModel(result);
	*d = model->dim;
	return promo_model_field(model, "centroids");
}

/* The quoted relation and column names of a regclass and a column. */
static Source
SourceNames(Oid relid, Name column)
{
	Source		src;
	char	   *relname = get_rel_name(relid);

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	src.relation = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
											  relname);
	src.column = pstrdup(quote_identifier(NameStr(*column)));
	return src;
}

/* Explicit initial centroids from the init array; *d from its first row. */
static double *
ExplicitSeeds(Jsonb *init, int k, int *d)
{
	JsonbValue *first = getIthJsonbValueFromContainer(&init->root, 0);

	*d = first != NULL && first->type == jbvBinary &&
		JsonContainerIsArray(first->val.binary.data) ?
		JsonContainerSize(first->val.binary.data) : 0;
	return promo_kmeans_init_centroids(init, k, Max(*d, 1));
}

/* What one k-means fit over a table needs. */
typedef struct FitArgs
{
	Source		src;
	Oid			relid;
	int			k;
	PromoKmeansOptions opts;
} FitArgs;

/* An SQL argument that sets an option when it is not NULL. */
typedef struct OptionArg
{
	int			argno;
	const char *name;
	Oid			type;
	const PromoOptionTable *table;
} OptionArg;

/* Options from defaults, then from the arguments that are not NULL. */
static void
OptionArgs(FunctionCallInfo fcinfo, const OptionArg *args, int nargs,
		   PromoKmeansOptions *o)
{
	promo_options_defaults(&promo_kmeans_options, o);
	promo_options_defaults(&fit_options, o);
	for (int i = 0; i < nargs; i++)
	{
		const OptionArg *a = &args[i];
		Datum		v = PG_GETARG_DATUM(a->argno);

		if (PG_ARGISNULL(a->argno))
			continue;
		if (a->type == JSONBOID)
			promo_option_set_jsonb(a->table, a->name, DatumGetJsonbP(v), o);
		else
			promo_option_set_number(a->table, a->name,
									a->type == INT4OID ? DatumGetInt32(v) :
									a->type == INT8OID ? (double) DatumGetInt64(v) :
									a->type == BOOLOID ? DatumGetBool(v) :
									DatumGetFloat8(v), o);
	}
}

/*
 * k-means over a table, one parallel scan per Lloyd iteration, with the
 * in-memory path's rules (the core's loop).  The caller has connected to
 * SPI; the model is allocated in the current memory context, and so is
 * everything else that outlives one iteration.
 */
static PromoModel *
FitTable(const FitArgs *a)
{
	int			k = a->k;
	int			d;
	double	   *centroids;
	double	   *sizes;
	PromoKmeansHookState hs;
	PromoKmeansHooks hooks = promo_kmeans_hooks(&hs, "kmeans_fit", a->opts.seed,
												a->opts.progress);
	TableSource ts = {&a->src, k};
	PromoKmeansSource source = {&ts, TableStep, TableFinish};
	PromoKmeansResult res;
	PromoModel *model;

	promo_kmeans_check_k(k);
	if (a->opts.init == PROMO_KMEANS_INIT_EXPLICIT)
		centroids = ExplicitSeeds(a->opts.init_centroids, k, &d);
	else
		centroids = SampleSeeds(&a->src, a->relid, k, &a->opts, &d);
	promo_model_check_size(PROMO_MODEL_KMEANS, d, k);
	ts.d = d;
	ts.itercxt = AllocSetContextCreate(CurrentMemoryContext, "kmeans_fit iteration",
									   ALLOCSET_DEFAULT_SIZES);
	sizes = palloc(sizeof(double) * k);
	res = promo_kmeans_iterate(&source, k, d, centroids, a->opts.max_iter,
							   a->opts.tol, sizes,
							   palloc(sizeof(double) * PROMO_KMEANS_ITERATE_WORK(k, d)),
							   &hooks);
	promo_kmeans_check_status(&res, k, a->src.relation);
	model = promo_kmeans_model(d, k, centroids, sizes, ts.skipped, &res);
	MemoryContextDelete(ts.itercxt);
	return model;
}

/* A memory context for one fit, under the caller's. */
static MemoryContext
FitContext(void)
{
	return AllocSetContextCreate(CurrentMemoryContext, "kmeans_fit",
								 ALLOCSET_DEFAULT_SIZES);
}

/* promo.kmeans_fit(source, features, k, ...): k-means over a table. */
PG_FUNCTION_INFO_V1(promo_kmeans_fit);
Datum
promo_kmeans_fit(PG_FUNCTION_ARGS)
{
	static const OptionArg args[] = {
		{3, "seed", INT8OID, &promo_kmeans_options},
		{4, "max_iter", INT4OID, &promo_kmeans_options},
		{5, "tol", FLOAT8OID, &promo_kmeans_options},
		{6, "init", JSONBOID, &promo_kmeans_options},
		{7, "sample_size", INT4OID, &fit_options},
		{8, "progress", BOOLOID, &promo_kmeans_options},
	};
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext fitcxt;
	FitArgs		a;
	PromoModel *fitted;
	PromoModel *model;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	promo_check_features_column(PG_GETARG_OID(0), NameStr(*PG_GETARG_NAME(1)), "kmeans_fit");
	a.relid = PG_GETARG_OID(0);
	a.src = SourceNames(a.relid, PG_GETARG_NAME(1));
	a.k = PG_GETARG_INT32(2);
	OptionArgs(fcinfo, args, lengthof(args), &a.opts);
	fitcxt = FitContext();
	SPI_connect();
	MemoryContextSwitchTo(fitcxt);
	fitted = FitTable(&a);
	/* The model must outlive the fit's memory: copy it to the caller's. */
	model = MemoryContextAlloc(callercxt, VARSIZE(fitted));
	memcpy(model, fitted, VARSIZE(fitted));
	SPI_finish();
	MemoryContextDelete(fitcxt);
	PG_RETURN_POINTER(model);
}

/* Mean simplified silhouette of the source's rows under a model. */
static double
Silhouette(const Source *src, PromoModel *model, bool *isnull)
{
	char	   *sql = psprintf("SELECT promo.silhouette(%s, $1) FROM %s",
							   src->column, src->relation);
	Oid			type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									   CStringGetDatum("model"),
									   ObjectIdGetDatum(get_namespace_oid("promo", false)));
	Datum		value = PointerGetDatum(model);
	Datum		result = promo_spi_value(sql, 1, &type, &value, NULL, isnull, "silhouette");

	return *isnull ? 0.0 : DatumGetFloat8(result);
}

/*
 * promo.kmeans_choose_k(source, features, k_min, k_max, ...): inertia and
 * simplified silhouette of a k-means fit for each k, one row per k.
 */
PG_FUNCTION_INFO_V1(promo_kmeans_choose_k);
Datum
promo_kmeans_choose_k(PG_FUNCTION_ARGS)
{
	static const OptionArg args[] = {
		{4, "seed", INT8OID, &promo_kmeans_options},
		{5, "max_iter", INT4OID, &promo_kmeans_options},
		{6, "tol", FLOAT8OID, &promo_kmeans_options},
		{7, "sample_size", INT4OID, &fit_options},
	};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext fitcxt;
	int			k_min;
	int			k_max;
	FitArgs		a;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < 4; i++)
		if (PG_ARGISNULL(i))
			return (Datum) 0;
	promo_check_features_column(PG_GETARG_OID(0), NameStr(*PG_GETARG_NAME(1)), "kmeans_choose_k");
	k_min = PG_GETARG_INT32(2);
	k_max = PG_GETARG_INT32(3);
	promo_kmeans_check_k(k_min);
	promo_kmeans_check_k(k_max);
	if (k_min < 2 || k_max < k_min)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k_min must be at least 2 and k_max at least k_min"),
				 errdetail("The silhouette needs two clusters.")));
	a.relid = PG_GETARG_OID(0);
	a.src = SourceNames(a.relid, PG_GETARG_NAME(1));
	OptionArgs(fcinfo, args, lengthof(args), &a.opts);
	fitcxt = FitContext();
	SPI_connect();
	for (a.k = k_min; a.k <= k_max; a.k++)
	{
		MemoryContext old = MemoryContextSwitchTo(fitcxt);
		PromoModel *model = FitTable(&a);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(a.k);
		values[1] = Float8GetDatum(promo_model_field(model, "inertia")[0]);
		values[2] = Float8GetDatum(Silhouette(&a.src, model, &nulls[2]));
		MemoryContextSwitchTo(old);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextReset(fitcxt);
	}
	SPI_finish();
	MemoryContextDelete(fitcxt);
	return (Datum) 0;
}
