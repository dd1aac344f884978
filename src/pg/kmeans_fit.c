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
 * promo.kmeans_fit drives it over a table with SPI, one scan per
 * iteration, with the same stopping rules as the in-memory aggregate.
 */
#include "kmeans_glue.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "kmeans.h"

#define STEP_TAG 7003.0
#define STEP_HEADER 11

#define S_K 1
#define S_D 2
#define S_N 3
#define S_SKIPPED 4
#define S_MOVED 5
#define S_INERTIA 6
#define S_CANDIDATES 7
#define S_HAS_PREVIOUS 8
#define S_BUFFERED 9
#define S_CAPACITY 10

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
	st.k = (int) s[S_K];
	st.d = (int) s[S_D];
	st.sumsq = s + STEP_HEADER;
	st.counts = st.sumsq + st.d;
	st.sums = st.counts + st.k;
	st.cand = st.sums + (Size) st.k * st.d;
	st.centroids = st.cand + (Size) st.k * (st.d + 2);
	st.previous = st.centroids + (Size) st.k * st.d;
	st.buffer = st.previous + (Size) st.k * st.d;
	return st;
}

/* The state's data, after checking its header against its length. */
static StepState
StepData(ArrayType *state)
{
	double	   *s = promo_state_data(state, STEP_TAG, STEP_HEADER);

	if (!promo_whole_in(s[S_K], 1, PROMO_KMEANS_MAX_K) ||
		!promo_whole_in(s[S_D], 1, PROMO_MAX_DIMENSIONS) ||
		ARR_DIMS(state)[0] != StepLength((int) s[S_K], (int) s[S_D]) ||
		!promo_whole_in(s[S_CANDIDATES], 0, s[S_K]) ||
		!promo_whole_in(s[S_HAS_PREVIOUS], 0, 1) ||
		s[S_CAPACITY] != StepCapacity((int) s[S_D]) ||
		!promo_whole_in(s[S_BUFFERED], 0, s[S_CAPACITY] - 1))
		promo_bad_state("The kmeans_step state's header does not match its length.");
	return StepView(s);
}

/* A k x d float8 matrix argument, checked; cached for the whole scan. */
typedef struct CentroidCache
{
	Datum		key;			/* the Datum last seen, for constant arguments */
	int			k;
	int			d;
	double	   *values;
} CentroidCache;

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
	CentroidCache *cache = (CentroidCache *) fcinfo->flinfo->fn_extra;
	Datum		datum = PG_GETARG_DATUM(argno);
	ArrayType  *arr;
	int			n;
	const double *v;

	if (cache == NULL)
		cache = fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, 2 * sizeof(CentroidCache));
	cache += slot;
	*fresh = false;
	*k = cache->k;
	*d = cache->d;
	if (cache->values != NULL && cache->key == datum &&
		get_fn_expr_arg_stable(fcinfo->flinfo, argno))
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
	st.s[S_K] = st.k = k;
	st.s[S_D] = st.d = d;
	st = StepView(st.s);
	st.s[S_CAPACITY] = StepCapacity(d);
	st.s[S_HAS_PREVIOUS] = previous != NULL;
	memcpy(st.centroids, centroids, sizeof(double) * k * d);
	if (previous)
		memcpy(st.previous, previous, sizeof(double) * k * d);
	return state;
}

/* Offer a row as a relocation candidate of the state. */
static void
OfferCandidate(StepState *st, double dist, int label, const double *row)
{
	int			held = (int) st->s[S_CANDIDATES];

	promo_kmeans_offer_candidate(st->cand, st->k, st->d, &held, dist, label, row);
	st->s[S_CANDIDATES] = held;
}

/*
 * Label the buffered rows by one product against the centroids (and one
 * against the previous centroids), then add them up.  The inertia and the
 * candidates use exact squared distances, not the product's expansion.
 */
static void
Flush(StepState *st)
{
	int			m = (int) st->s[S_BUFFERED];
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
	if (st->s[S_HAS_PREVIOUS] != 0)
	{
		promo_kmeans_norms(st->previous, k, d, cnorm);
		promo_kmeans_label_chunk(st->buffer, m, d, k, st->previous, cnorm, before, best, dist);
	}
	for (int r = 0; r < m; r++)
	{
		const double *x = st->buffer + (Size) r * d;
		int			label = labels[r];
		double		dist2 = promo_sqdist(x, st->centroids + (Size) label * d, d);

		st->s[S_N] += 1;
		st->s[S_INERTIA] += dist2;
		st->s[S_MOVED] += st->s[S_HAS_PREVIOUS] == 0 || before[r] != label;
		st->counts[label] += 1;
		for (int j = 0; j < d; j++)
		{
			st->sums[(Size) label * d + j] += x[j];
			st->sumsq[j] += x[j] * x[j];
		}
		OfferCandidate(st, dist2, label, x);
	}
	st->s[S_BUFFERED] = 0;
	pfree(labels);
	pfree(best);
}

/* Buffer one row, labelling the block when the buffer is full. */
static void
AddRow(StepState *st, const double *x)
{
	memcpy(st->buffer + (Size) st->s[S_BUFFERED] * st->d, x, sizeof(double) * st->d);
	st->s[S_BUFFERED] += 1;
	if (st->s[S_BUFFERED] == st->s[S_CAPACITY])
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
		(st->s[S_HAS_PREVIOUS] != 0) != (previous != NULL) ||
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
	st = StepData(state);
	/* Arguments seen before were checked against the state already. */
	if (fresh || fresh_previous || st.k != k || st.d != d)
		CheckSameCentroids(&st, k, d, centroids, previous);
	if (PG_ARGISNULL(1))
	{
		st.s[S_SKIPPED] += 1;
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
					   b.s[S_HAS_PREVIOUS] != 0 ? b.previous : NULL);
	for (int i = S_N; i <= S_INERTIA; i++)
		a.s[i] += b.s[i];
	for (int j = 0; j < a.d; j++)
		a.sumsq[j] += b.sumsq[j];
	for (Size i = 0; i < (Size) a.k * (a.d + 1); i++)
		a.counts[i] += b.counts[i];	/* counts and sums are contiguous */
	for (int c = 0; c < (int) b.s[S_CANDIDATES]; c++)
		OfferCandidate(&a, b.cand[(Size) c * width], (int) b.cand[(Size) c * width + 1],
					   b.cand + (Size) c * width + 2);
	for (int r = 0; r < (int) b.s[S_BUFFERED]; r++)
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
	memset(st.buffer, 0, sizeof(double) * (Size) st.s[S_CAPACITY] * st.d);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* ---- the driver ---- */

/* One Lloyd step's outcome, read back from its state. */
typedef struct StepResult
{
	double		n;
	double		skipped;
	double		moved;
	double		inertia;
	double		mean_variance;
	double	   *counts;			/* k */
	double	   *next;			/* k x d: the means, empty clusters moved */
} StepResult;

/* Error unless every candidate's label names a cluster (it indexes them). */
static void
CheckCandidates(const StepState *st)
{
	int			width = st->d + 2;

	for (int c = 0; c < (int) st->s[S_CANDIDATES]; c++)
		if (!promo_whole_in(st->cand[(Size) c * width + 1], 0, st->k - 1))
			promo_bad_state("A kmeans_step candidate names no cluster.");
}

/* Read a step state into a StepResult allocated in the current context. */
static StepResult
ReadStep(ArrayType *state)
{
	StepState	st = StepData(state);
	StepResult	r;
	double	   *sums = palloc(sizeof(double) * st.k * st.d);
	double		var = 0.0;

	r.n = st.s[S_N];
	r.skipped = st.s[S_SKIPPED];
	r.moved = st.s[S_MOVED];
	r.inertia = st.s[S_INERTIA];
	r.counts = palloc(sizeof(double) * st.k);
	r.next = palloc(sizeof(double) * st.k * st.d);
	memcpy(r.counts, st.counts, sizeof(double) * st.k);
	memcpy(sums, st.sums, sizeof(double) * st.k * st.d);
	for (int j = 0; j < st.d; j++)
	{
		double		total = 0.0;

		for (int c = 0; c < st.k; c++)
			total += sums[(Size) c * st.d + j];
		var += st.sumsq[j] / r.n - (total / r.n) * (total / r.n);
	}
	r.mean_variance = var / st.d;
	CheckCandidates(&st);
	promo_kmeans_relocate(st.k, st.d, r.counts, sums, st.cand, (int) st.s[S_CANDIDATES]);
	for (Size i = 0; i < (Size) st.k * st.d; i++)
		r.next[i] = sums[i] / r.counts[i / st.d];
	return r;
}

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
 * Run one step over the source; NULL previous means "no earlier labels".
 * The SPI calls here pass no row limit: a limit would keep the planner
 * from launching parallel workers.
 */
static StepResult
RunStep(const Source *src, const double *centroids, const double *previous,
		int k, int d, MemoryContext resultcxt)
{
	char	   *sql = psprintf("SELECT promo.kmeans_step(%s, $1, $2) FROM %s",
							   src->column, src->relation);
	Oid			types[2] = {FLOAT8ARRAYOID, FLOAT8ARRAYOID};
	Datum		values[2];
	char		nulls[2] = {' ', previous ? ' ' : 'n'};
	bool		isnull;
	Datum		result;
	MemoryContext old;
	StepResult	r;

	values[0] = MatrixDatum(centroids, k, d);
	values[1] = previous ? MatrixDatum(previous, k, d) : (Datum) 0;
	if (SPI_execute_with_args(sql, 2, types, values, nulls, true, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "kmeans_step query failed");
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("kmeans_fit found no rows in %s", src->relation)));
	old = MemoryContextSwitchTo(resultcxt);
	r = ReadStep(DatumGetArrayTypeP(result));
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
	return r;
}

/*
 * The planner's estimate of a table's rows, or -1 if it was never analyzed
 * or cannot be sampled (TABLESAMPLE takes tables and materialized views,
 * not views or foreign tables).
 */
static double
EstimatedRows(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class rel;
	double		rows;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	rel = (Form_pg_class) GETSTRUCT(tup);
	rows = rel->relkind == RELKIND_RELATION || rel->relkind == RELKIND_MATVIEW ||
		rel->relkind == RELKIND_PARTITIONED_TABLE ? rel->reltuples : -1;
	ReleaseSysCache(tup);
	return rows;
}

/* Initial centroids from the in-memory aggregate over a sample. */
static double *
SampleSeeds(const Source *src, Oid relid, int k, int64 seed, Jsonb *init,
			int32 sample_size, int *d, MemoryContext resultcxt)
{
	double		reltuples = EstimatedRows(relid);
	bool		sample = reltuples > sample_size;
	char	   *sql = psprintf("SELECT promo.kmeans(%s, $1, jsonb_build_object('seed', $2, 'max_iter', 0, 'init', $3)) FROM %s%s",
							   src->column, src->relation,
							   sample ? " TABLESAMPLE BERNOULLI ($4) REPEATABLE ($2)" : "");
	Oid			types[4] = {INT4OID, INT8OID, JSONBOID, FLOAT8OID};
	Datum		values[4];
	bool		isnull;
	Datum		result;
	PromoModel *model;
	double	   *centroids;

	values[0] = Int32GetDatum(k);
	values[1] = Int64GetDatum(seed);
	values[2] = JsonbPGetDatum(init);
	values[3] = Float8GetDatum(sample ? Min(100.0, 100.0 * sample_size / reltuples) : 100.0);
	if (SPI_execute_with_args(sql, sample ? 4 : 3, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "kmeans seeding query failed");
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("kmeans_fit found no rows to seed from in %s", src->relation)));
	model = DatumGetPromoModel(result);
	*d = model->dim;
	centroids = MemoryContextAlloc(resultcxt, sizeof(double) * k * model->dim);
	memcpy(centroids, promo_model_field(model, "centroids"), sizeof(double) * k * model->dim);
	return centroids;
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

/* Explicit initial centroids from a jsonb array of k arrays. */
static double *
ExplicitSeeds(Jsonb *init, int k, int *d)
{
	JsonbValue *first;

	if (JsonContainerSize(&init->root) != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("init has %d centroids, but k is %d",
						(int) JsonContainerSize(&init->root), k)));
	first = getIthJsonbValueFromContainer(&init->root, 0);
	if (first == NULL || first->type != jbvBinary ||
		!JsonContainerIsArray(first->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("init must be \"k-means++\", \"random\" or an array of centroids")));
	*d = JsonContainerSize(first->val.binary.data);
	return promo_kmeans_init_centroids(init, k, *d);
}

/* NOTICE one iteration's progress. */
static void
ReportProgress(int iteration, const StepResult *r)
{
	ereport(NOTICE,
			(errmsg("kmeans_fit iteration %d: inertia %.6g, %.2f%% of points moved",
					iteration, r->inertia, 100.0 * r->moved / r->n)));
}

/* What one k-means fit over a table needs. */
typedef struct FitArgs
{
	Source		src;
	Oid			relid;
	int			k;
	int64		seed;
	int32		max_iter;
	double		tol;
	Jsonb	   *init;
	int32		sample_size;
	bool		progress;
} FitArgs;

/* Error unless the fit's arguments make sense. */
static void
CheckFitArgs(const FitArgs *a)
{
	if (a->k < 1 || a->k > PROMO_KMEANS_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and %d", PROMO_KMEANS_MAX_K)));
	if (a->max_iter < 0 || !(a->tol >= 0) || isinf(a->tol) || a->sample_size < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_iter and tol must not be negative and sample_size must be positive")));
}

/*
 * k-means over a table, one parallel scan per Lloyd iteration, with the
 * in-memory path's rules.  The caller has connected to SPI.
 */
static PromoModel *
FitTable(const FitArgs *a)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			k = a->k;
	double	   *centroids;
	double	   *previous = NULL;
	double		tol_abs = 0.0;
	int			d;
	int			iterations = 0;
	bool		converged = false;
	bool		strict = false;
	StepResult	r;

	CheckFitArgs(a);
	if (JB_ROOT_IS_SCALAR(a->init))
		centroids = SampleSeeds(&a->src, a->relid, k, a->seed, a->init,
								a->sample_size, &d, cxt);
	else
		centroids = ExplicitSeeds(a->init, k, &d);

	for (int it = 0; it < a->max_iter; it++)
	{
		double		shift = 0.0;

		r = RunStep(&a->src, centroids, previous, k, d, cxt);
		if (it == 0)
			tol_abs = a->tol * r.mean_variance;
		for (Size i = 0; i < (Size) k * d; i++)
			shift += (r.next[i] - centroids[i]) * (r.next[i] - centroids[i]);
		previous = centroids;
		centroids = r.next;
		iterations = it + 1;
		if (a->progress)
			ReportProgress(iterations, &r);
		if (r.moved == 0 && it > 0)
			strict = converged = true;
		else if (shift <= tol_abs)
			converged = true;
		if (converged)
			break;
	}
	/* Sizes and inertia must belong to the final centroids. */
	if (!strict)
		r = RunStep(&a->src, centroids, NULL, k, d, cxt);
	return promo_kmeans_model(d, k, centroids, r.counts, r.n, r.skipped,
							  r.inertia, iterations, converged);
}

/* promo.kmeans_fit(source, features, k, ...): k-means over a table. */
PG_FUNCTION_INFO_V1(promo_kmeans_fit);
Datum
promo_kmeans_fit(PG_FUNCTION_ARGS)
{
	FitArgs		a;
	PromoModel *fitted;
	PromoModel *model;

	a.relid = PG_GETARG_OID(0);
	a.src = SourceNames(a.relid, PG_GETARG_NAME(1));
	a.k = PG_GETARG_INT32(2);
	a.seed = PG_GETARG_INT64(3);
	a.max_iter = PG_GETARG_INT32(4);
	a.tol = PG_GETARG_FLOAT8(5);
	a.init = PG_GETARG_JSONB_P(6);
	a.sample_size = PG_GETARG_INT32(7);
	a.progress = PG_GETARG_BOOL(8);
	SPI_connect();
	fitted = FitTable(&a);
	/* The model must outlive SPI's memory: copy it to the caller's. */
	model = SPI_palloc(VARSIZE(fitted));
	memcpy(model, fitted, VARSIZE(fitted));
	SPI_finish();
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
	Datum		result;

	if (SPI_execute_with_args(sql, 1, &type, &value, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "silhouette query failed");
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
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
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			k_min = PG_GETARG_INT32(2);
	int			k_max = PG_GETARG_INT32(3);
	FitArgs		a;

	if (k_min < 2 || k_max < k_min || k_max > PROMO_KMEANS_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k_min must be at least 2 and k_max between k_min and %d",
						PROMO_KMEANS_MAX_K)));
	InitMaterializedSRF(fcinfo, 0);
	a.relid = PG_GETARG_OID(0);
	a.src = SourceNames(a.relid, PG_GETARG_NAME(1));
	a.seed = PG_GETARG_INT64(4);
	a.max_iter = PG_GETARG_INT32(5);
	a.tol = PG_GETARG_FLOAT8(6);
	a.init = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("\"k-means++\"")));
	a.sample_size = PG_GETARG_INT32(7);
	a.progress = false;
	SPI_connect();
	for (a.k = k_min; a.k <= k_max; a.k++)
	{
		PromoModel *model = FitTable(&a);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(a.k);
		values[1] = Float8GetDatum(promo_model_field(model, "inertia")[0]);
		values[2] = Float8GetDatum(Silhouette(&a.src, model, &nulls[2]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
