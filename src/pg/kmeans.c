/*
 * kmeans.c
 *		promo.kmeans aggregate (in memory), predict, distance, silhouette,
 *		and what both k-means paths share (options, hooks, checks, models).
 *
 * The aggregate holds its rows in an internal state (serialized between
 * parallel workers, within promo.max_memory), puts them in a canonical
 * order so that the result does not depend on the order rows arrive in,
 * seeds with k-means++ or at random from pg_prng, and runs the core's
 * Lloyd loop.
 */
#include "kmeans_glue.h"

#include <float.h>
#include <limits.h>
#include <math.h>

#include "common/hashfn.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "kmeans.h"

/*
 * The rows seen so far and what to do with them.  Rows are kept in blocks
 * of about BLOCK_BYTES, so that growing never copies what is already held.
 */
typedef struct KmeansState
{
	int32		d;
	int32		k;
	int64		n;
	int64		n_skipped;
	PromoKmeansOptions opts;	/* opts.init_centroids is always NULL here */
	double	   *init;			/* k x d explicit centroids, or NULL */
	int64		block_rows;		/* rows per block */
	int32		nblocks;		/* blocks allocated */
	int32		maxblocks;		/* length of blocks */
	double	  **blocks;			/* each block_rows x d */
} KmeansState;

#define BLOCK_BYTES (8 * 1024 * 1024)

/* ---- options ---- */

/* The names of the init methods, by PromoKmeansInit. */
const char *const promo_kmeans_init_names[] = {"k-means++", "random", NULL};

/* The options of every k-means fit: defaults and ranges, once. */
static const PromoOptionDef kmeans_option_defs[] = {
	{"seed", PROMO_OPTION_INT64, offsetof(PromoKmeansOptions, seed), 0, -9e15, 9e15},
	{"max_iter", PROMO_OPTION_INT, offsetof(PromoKmeansOptions, max_iter),
	PROMO_KMEANS_DEFAULT_MAX_ITER, 0, INT_MAX},
	{"tol", PROMO_OPTION_REAL, offsetof(PromoKmeansOptions, tol),
	PROMO_KMEANS_DEFAULT_TOL, 0, DBL_MAX},
	{"init", PROMO_OPTION_CHOICE, offsetof(PromoKmeansOptions, init),
		PROMO_KMEANS_INIT_PLUSPLUS, 0, 0, promo_kmeans_init_names,
	offsetof(PromoKmeansOptions, init_centroids), "an array of k centroids"},
	{"progress", PROMO_OPTION_BOOL, offsetof(PromoKmeansOptions, progress), 0, 0, 1},
};

const PromoOptionTable promo_kmeans_options = {
	"kmeans", kmeans_option_defs, lengthof(kmeans_option_defs)
};

/* Error: centroid c of init is not an array of d numbers. */
static void
BadInitCentroid(int c, int d)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("kmeans option \"init\": centroid %d must be an array of %d numbers",
					c + 1, d)));
}

/* Explicit initial centroids: k arrays of d finite numbers. */
static double *
ParseInitCentroids(JsonbContainer *rows, int k, int d)
{
	double	   *init;

	if (JsonContainerSize(rows) != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans option \"init\" has %d centroids, but k is %d",
						JsonContainerSize(rows), k)));
	init = palloc(sizeof(double) * k * d);
	for (int c = 0; c < k; c++)
	{
		JsonbValue *row = getIthJsonbValueFromContainer(rows, c);

		if (row->type != jbvBinary || !JsonContainerIsArray(row->val.binary.data) ||
			JsonContainerSize(row->val.binary.data) != d)
			BadInitCentroid(c, d);
		for (int j = 0; j < d; j++)
		{
			JsonbValue *v = getIthJsonbValueFromContainer(row->val.binary.data, j);

			if (v->type != jbvNumeric)
				BadInitCentroid(c, d);
			init[c * d + j] = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
																 NumericGetDatum(v->val.numeric)));
			promo_check_finite("kmeans option \"init\"", init[c * d + j]);
		}
	}
	return init;
}

/* Explicit initial centroids from a jsonb array of k arrays of d numbers. */
double *
promo_kmeans_init_centroids(Jsonb *init, int k, int d)
{
	return ParseInitCentroids(&init->root, k, d);
}

/* ---- what both paths share ---- */

/* Hooks for the core: pg_prng, interrupts and NOTICE progress. */
static double
HookUniform(void *ctx)
{
	return pg_prng_double(&((PromoKmeansHookState *) ctx)->rng);
}

static void
HookInterrupt(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

static void
HookProgress(void *ctx, int iteration, double inertia, double moved_share)
{
	ereport(NOTICE,
			(errmsg("%s iteration %d: inertia %.6g, %.2f%% of points moved",
					((PromoKmeansHookState *) ctx)->name, iteration, inertia,
					100.0 * moved_share)));
}

/* Hooks for the core: pg_prng from seed, interrupts, NOTICE progress. */
PromoKmeansHooks
promo_kmeans_hooks(PromoKmeansHookState *hs, const char *name, int64 seed,
				   bool progress)
{
	PromoKmeansHooks hooks = {hs, HookUniform, HookInterrupt,
	progress ? HookProgress : NULL};

	pg_prng_seed(&hs->rng, (uint64) seed);
	hs->name = name;
	return hooks;
}

/* Error unless k is a number of clusters a kmeans model can have. */
void
promo_kmeans_check_k(int k)
{
	if (k < 1 || k > PROMO_KMEANS_MAX_K)
		ereport(ERROR,
				(errcode(k < 1 ? ERRCODE_INVALID_PARAMETER_VALUE : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("k must be between 1 and %d, not %d", PROMO_KMEANS_MAX_K, k)));
}

/* Error unless there are at least k rows. */
void
promo_kmeans_check_rows(int k, double n)
{
	if (n < k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k (%d) is larger than the number of rows (%.0f)", k, n)));
}

/* Error for a core status other than PROMO_KMEANS_OK. */
void
promo_kmeans_check_status(const PromoKmeansResult *res, int k,
						  const char *source)
{
	if (res->status == PROMO_KMEANS_ROWS_CHANGED)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the rows of %s changed during the k-means fit", source),
				 errdetail("The first scan read %.0f rows and a later one a different number.",
						   res->n),
				 errhint("Fit a table or materialized view that does not change meanwhile, "
						 "or run the fit in a REPEATABLE READ transaction.")));
	if (res->status == PROMO_KMEANS_TOO_FEW_ROWS)
		promo_kmeans_check_rows(k, Min(res->n, k - 1));
}

/* A kmeans model from fitted centroids and the run's result. */
PromoModel *
promo_kmeans_model(int d, int k, const double *centroids, const double *sizes,
				   double n_skipped, const PromoKmeansResult *res)
{
	PromoModel *model = promo_model_new(PROMO_MODEL_KMEANS, d, k);

	if (!isfinite(res->inertia))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kmeans input values are too large"),
				 errdetail("Squared distances overflow double precision."),
				 errhint("Rescale the values, for example with promo.standardize.")));
	promo_model_field(model, "n")[0] = res->n;
	promo_model_field(model, "n_skipped")[0] = n_skipped;
	promo_model_field(model, "inertia")[0] = res->inertia;
	promo_model_field(model, "iterations")[0] = res->iterations;
	promo_model_field(model, "converged")[0] = res->converged ? 1.0 : 0.0;
	memcpy(promo_model_field(model, "centroids"), centroids, sizeof(double) * k * d);
	memcpy(promo_model_field(model, "sizes"), sizes, sizeof(double) * k);
	return promo_model_finish(model);
}

/* ---- the aggregate ---- */

/* Bytes promo.kmeans needs at its peak for n rows of d features. */
static double
MemoryNeeded(double n, int d)
{
	/* the rows twice while they are put in order, plus sort keys */
	return n * (2.0 * sizeof(double) * d + 48);
}

/* Error unless n rows of d features fit in promo.max_memory. */
static void
CheckMemory(double n, int d)
{
	if (MemoryNeeded(n, d) > (double) promo_max_memory_kb * 1024.0)
		promo_check_memory(MemoryNeeded(n, d),
						   psprintf("promo.kmeans over %.0f rows of %d features", n, d),
						   psprintf("promo.kmeans holds about %.0f bytes per row of %d features. "
									"promo.kmeans_fit clusters a table of any size, reading it once per iteration; "
									"or raise promo.max_memory.",
									MemoryNeeded(1, d), d));
}

/* A new state for the first row: dimensions, k and options. */
static KmeansState *
NewState(MemoryContext aggctx, int d, int k, Jsonb *options)
{
	MemoryContext old = MemoryContextSwitchTo(aggctx);
	KmeansState *st = palloc0(sizeof(KmeansState));

	promo_model_check_size(PROMO_MODEL_KMEANS, d, k);
	st->d = d;
	st->k = k;
	promo_options_parse(&promo_kmeans_options, options, &st->opts);
	if (st->opts.init == PROMO_KMEANS_INIT_EXPLICIT)
		st->init = promo_kmeans_init_centroids(st->opts.init_centroids, k, d);
	st->opts.init_centroids = NULL;
	MemoryContextSwitchTo(old);
	return st;
}

/* The address of row i of the state. */
static inline double *
RowAt(const KmeansState *st, int64 i)
{
	return st->blocks[i / st->block_rows] + (i % st->block_rows) * st->d;
}

/*
 * Append nrows rows (row-major, d wide) to the state's blocks, within
 * promo.max_memory.  Blocks are no larger than a quarter of the limit.
 */
static void
AppendRows(KmeansState *st, MemoryContext cxt, const double *rows, int64 nrows)
{
	CheckMemory((double) st->n + nrows, st->d);
	if (st->block_rows == 0)
		st->block_rows = Max(1, Min(BLOCK_BYTES, (int64) promo_max_memory_kb * 256) /
							 ((int64) sizeof(double) * st->d));
	while (nrows > 0)
	{
		int64		at = st->n % st->block_rows;
		int64		take = Min(nrows, st->block_rows - at);

		if (at == 0 && st->n / st->block_rows == st->nblocks)
		{
			if (st->nblocks == st->maxblocks)
			{
				st->maxblocks = Max(16, 2 * st->maxblocks);
				st->blocks = st->blocks == NULL ?
					MemoryContextAlloc(cxt, sizeof(double *) * st->maxblocks) :
					repalloc(st->blocks, sizeof(double *) * st->maxblocks);
			}
			st->blocks[st->nblocks++] =
				MemoryContextAllocHuge(cxt, sizeof(double) * st->block_rows * st->d);
		}
		memcpy(RowAt(st, st->n), rows, sizeof(double) * take * st->d);
		st->n += take;
		rows += take * st->d;
		nrows -= take;
	}
}

/* Error unless a row of d features fits the state. */
static void
CheckRow(KmeansState *st, int d, int k)
{
	promo_check_row_length("kmeans", "features", d, st->d);
	if (k != st->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be the same for every row of one kmeans aggregate")));
}

/* promo.kmeans transition: keep the row; a NULL row is counted skipped. */
PG_FUNCTION_INFO_V1(promo_kmeans_accum);
Datum
promo_kmeans_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	KmeansState *st = PG_ARGISNULL(0) ? NULL : (KmeansState *) PG_GETARG_POINTER(0);
	const double *x;
	int			d;
	int			k;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "promo_kmeans_accum called in non-aggregate context");
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("k must not be NULL")));
	k = PG_GETARG_INT32(2);
	promo_kmeans_check_k(k);
	if (PG_ARGISNULL(1))
	{
		if (st != NULL)
			st->n_skipped++;
		else
		{
			/* Count the skipped row in a state with no rows yet. */
			st = MemoryContextAllocZero(aggctx, sizeof(KmeansState));
			st->d = -1;
			st->k = k;
			st->n_skipped = 1;
		}
		PG_RETURN_POINTER(st);
	}
	x = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(1), "x", &d);
	promo_check_not_empty("x", d);
	if (st == NULL || st->d < 0)
	{
		int64		skipped = st ? st->n_skipped : 0;

		st = NewState(aggctx, d, k,
					  PG_NARGS() > 3 && !PG_ARGISNULL(3) ? PG_GETARG_JSONB_P(3) : NULL);
		st->n_skipped = skipped;
	}
	CheckRow(st, d, k);
	AppendRows(st, aggctx, x, 1);
	PG_RETURN_POINTER(st);
}

/*
 * A state with the dimensions, options and skipped count of b, and init
 * (k x d, or NULL) for its explicit centroids, but no rows yet, in cxt.
 */
static KmeansState *
EmptyLike(MemoryContext cxt, const KmeansState *b, const double *init)
{
	KmeansState *a = MemoryContextAllocZero(cxt, sizeof(KmeansState));

	a->d = b->d;
	a->k = b->k;
	a->n_skipped = b->n_skipped;
	a->opts = b->opts;
	if (init)
		a->init = memcpy(MemoryContextAlloc(cxt, sizeof(double) * b->k * b->d),
						 init, sizeof(double) * b->k * b->d);
	return a;
}

/* promo.kmeans combine: append the rows of the second state. */
PG_FUNCTION_INFO_V1(promo_kmeans_combine);
Datum
promo_kmeans_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	KmeansState *a = PG_ARGISNULL(0) ? NULL : (KmeansState *) PG_GETARG_POINTER(0);
	KmeansState *b = PG_ARGISNULL(1) ? NULL : (KmeansState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "promo_kmeans_combine called in non-aggregate context");
	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL || a->d < 0)
	{
		/* No rows on this side yet: take the other side's settings. */
		int64		skipped = a ? a->n_skipped : 0;

		a = EmptyLike(aggctx, b, b->init);
		a->n_skipped += skipped;
	}
	else
		a->n_skipped += b->n_skipped;
	if (b->d < 0 || b->n == 0)
		PG_RETURN_POINTER(a);
	CheckRow(a, b->d, b->k);
	for (int i = 0; i < b->nblocks; i++)
		AppendRows(a, aggctx, b->blocks[i], Min(b->block_rows, b->n - i * b->block_rows));
	PG_RETURN_POINTER(a);
}

/* promo.kmeans serialize: header, explicit centroids, then the rows. */
PG_FUNCTION_INFO_V1(promo_kmeans_serialize);
Datum
promo_kmeans_serialize(PG_FUNCTION_ARGS)
{
	KmeansState *st = (KmeansState *) PG_GETARG_POINTER(0);
	Size		ninit = st->init ? (Size) st->k * st->d : 0;
	Size		npoints = st->d > 0 ? (Size) st->n * st->d : 0;
	Size		size = VARHDRSZ + sizeof(KmeansState) + sizeof(double) * (ninit + npoints);
	bytea	   *out;
	char	   *p;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans state of %lld rows is too large to pass between parallel workers",
						(long long) st->n),
				 errhint("Run the aggregate without parallel workers, or use promo.kmeans_fit.")));
	out = palloc(size);
	SET_VARSIZE(out, size);
	p = VARDATA(out);
	memcpy(p, st, sizeof(KmeansState));
	p += sizeof(KmeansState);
	if (ninit)
		memcpy(p, st->init, sizeof(double) * ninit);
	p += sizeof(double) * ninit;
	for (int i = 0; i < st->nblocks && npoints > 0; i++)
	{
		Size		bytes = sizeof(double) * st->d * Min(st->block_rows, st->n - i * st->block_rows);

		memcpy(p, st->blocks[i], bytes);
		p += bytes;
	}
	PG_RETURN_BYTEA_P(out);
}

/* promo.kmeans deserialize: the inverse of serialize. */
PG_FUNCTION_INFO_V1(promo_kmeans_deserialize);
Datum
promo_kmeans_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_P(0);
	KmeansState header;
	KmeansState *st;
	const char *p = VARDATA(in);
	Size		ninit;
	Size		npoints;

	if (VARSIZE(in) < VARHDRSZ + sizeof(KmeansState))
		elog(ERROR, "corrupt kmeans state");
	memcpy(&header, p, sizeof(KmeansState));
	p += sizeof(KmeansState);
	if ((header.d != -1 && (header.d < 1 || header.d > PROMO_MAX_DIMENSIONS)) ||
		header.k < 1 || header.k > PROMO_KMEANS_MAX_K || header.n < 0 ||
		header.n > VARSIZE(in) / sizeof(double) || header.n_skipped < 0)
		elog(ERROR, "corrupt kmeans state");
	/* The pointers in the header are the sender's: only their nullness counts. */
	ninit = header.init ? (Size) header.k * header.d : 0;
	npoints = header.d > 0 ? (Size) header.n * header.d : 0;
	if (VARSIZE(in) != VARHDRSZ + sizeof(KmeansState) + sizeof(double) * (ninit + npoints))
		elog(ERROR, "corrupt kmeans state");
	st = EmptyLike(CurrentMemoryContext, &header, ninit ? (const double *) p : NULL);
	p += sizeof(double) * ninit;
	if (npoints > 0)
		AppendRows(st, CurrentMemoryContext, (const double *) p, header.n);
	PG_RETURN_POINTER(st);
}

/* ---- fitting ---- */

/* A row's place in the canonical order: a hash of its values, then the row. */
typedef struct RowKey
{
	uint64		hash;
	int64		row;
} RowKey;

/* Rows compare by hash, and by their values when the hashes are equal. */
static int
CompareRowKeys(const void *a, const void *b, void *arg)
{
	const RowKey *x = a;
	const RowKey *y = b;
	const KmeansState *st = arg;
	const double *u;
	const double *v;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	u = RowAt(st, x->row);
	v = RowAt(st, y->row);
	for (int j = 0; j < st->d; j++)
	{
		if (u[j] != v[j])
			return u[j] < v[j] ? -1 : 1;
	}
	return 0;
}

/* LSD radix sort of keys by hash, 16 bits a pass, through tmp. */
static void
SortByHash(RowKey *keys, RowKey *tmp, int64 n)
{
	int64	   *count = palloc(sizeof(int64) * 65536);

	for (int shift = 0; shift < 64; shift += 16)
	{
		int64		sum = 0;
		RowKey	   *swap;

		memset(count, 0, sizeof(int64) * 65536);
		for (int64 i = 0; i < n; i++)
			count[(keys[i].hash >> shift) & 0xFFFF]++;
		for (int b = 0; b < 65536; b++)
		{
			int64		c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (int64 i = 0; i < n; i++)
			tmp[count[(keys[i].hash >> shift) & 0xFFFF]++] = keys[i];
		CHECK_FOR_INTERRUPTS();
		swap = keys;
		keys = tmp;
		tmp = swap;
	}
	/* Four passes: the sorted keys are back in the caller's array. */
	pfree(count);
}

/*
 * The rows, gathered into one array in a canonical order, so that the
 * model depends only on the set of rows and the seed, never on the order
 * a plan delivered them in.  Rows sort by a hash of their values (a radix
 * sort), and by the values themselves where hashes are equal.
 */
static double *
CanonicalRows(KmeansState *st)
{
	Size		rowbytes = sizeof(double) * st->d;
	RowKey	   *keys = palloc_extended(sizeof(RowKey) * st->n, MCXT_ALLOC_HUGE);
	RowKey	   *tmp = palloc_extended(sizeof(RowKey) * st->n, MCXT_ALLOC_HUGE);
	double	   *points;

	for (int64 i = 0; i < st->n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		keys[i].hash = hash_bytes_extended((const unsigned char *) RowAt(st, i),
										   (int) rowbytes, 0);
		keys[i].row = i;
	}
	SortByHash(keys, tmp, st->n);
	pfree(tmp);
	for (int64 i = 0; i + 1 < st->n; i++)
	{
		int64		end = i + 1;

		/* Equal hashes: duplicate rows, or (rarely) a collision. */
		while (end < st->n && keys[end].hash == keys[i].hash)
			end++;
		if (end - i > 1)
			qsort_arg(keys + i, end - i, sizeof(RowKey), CompareRowKeys, st);
		i = end - 1;
	}
	CHECK_FOR_INTERRUPTS();

	points = palloc_extended(rowbytes * st->n, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < st->n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(points + i * st->d, RowAt(st, keys[i].row), rowbytes);
	}
	pfree(keys);

	/* The final function may modify the state: hand the blocks back. */
	for (int i = 0; i < st->nblocks; i++)
		pfree(st->blocks[i]);
	st->nblocks = 0;
	return points;
}

/* The number of distinct rows among n rows in canonical order. */
static int64
DistinctRows(const double *points, int64 n, int d)
{
	int64		distinct = n > 0;

	/* Equal rows hash alike, so the canonical order keeps them together. */
	for (int64 i = 1; i < n; i++)
		distinct += memcmp(points + (i - 1) * d, points + i * d, sizeof(double) * d) != 0;
	return distinct;
}

/* Place the initial centroids by the chosen method; error if k is too big. */
static void
Seed(KmeansState *st, const double *points, double *centroids, double *work,
	 PromoKmeansHooks *hooks)
{
	int			placed;
	int64		distinct;

	if (st->opts.init == PROMO_KMEANS_INIT_EXPLICIT)
	{
		memcpy(centroids, st->init, sizeof(double) * st->k * st->d);
		return;
	}
	if (st->opts.init == PROMO_KMEANS_INIT_RANDOM)
		placed = promo_kmeans_random(points, st->n, st->d, st->k, centroids,
									 palloc_extended(sizeof(size_t) * st->n, MCXT_ALLOC_HUGE),
									 hooks);
	else
		placed = promo_kmeans_plusplus(points, st->n, st->d, st->k, centroids,
									   work, hooks);
	if (placed == st->k)
		return;
	distinct = DistinctRows(points, st->n, st->d);
	if (distinct >= st->k)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kmeans input values are too small to tell %d points apart", st->k),
				 errdetail("There are %lld distinct points, but their squared distances underflow to zero in double precision (values around 1e-154 or smaller).",
						   (long long) distinct),
				 errhint("Rescale the values, for example with promo.standardize.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("k (%d) is larger than the number of distinct points (%lld)",
					st->k, (long long) distinct)));
}

/* promo.kmeans final: sort, seed, iterate; NULL when no row was usable. */
PG_FUNCTION_INFO_V1(promo_kmeans_final);
Datum
promo_kmeans_final(PG_FUNCTION_ARGS)
{
	KmeansState *st = PG_ARGISNULL(0) ? NULL : (KmeansState *) PG_GETARG_POINTER(0);
	PromoKmeansHookState hs;
	PromoKmeansHooks hooks;
	double	   *work;
	double	   *centroids;
	double	   *sizes;
	int		   *labels;
	double	   *points;
	PromoKmeansResult res;

	if (st == NULL || st->d < 0 || st->n == 0)
		PG_RETURN_NULL();
	hooks = promo_kmeans_hooks(&hs, "kmeans", st->opts.seed, st->opts.progress);
	/* Before the rows are put in order: that is the costly part. */
	promo_kmeans_check_rows(st->k, st->n);

	points = CanonicalRows(st);

	work = palloc_extended(sizeof(double) * promo_kmeans_work_doubles(st->n, st->d, st->k),
						   MCXT_ALLOC_HUGE);
	centroids = palloc(sizeof(double) * st->k * st->d);
	sizes = palloc(sizeof(double) * st->k);
	labels = palloc_extended(sizeof(int) * st->n, MCXT_ALLOC_HUGE);
	Seed(st, points, centroids, work, &hooks);
	res = promo_kmeans_lloyd(points, st->n, st->d, st->k, centroids,
							 st->opts.max_iter, st->opts.tol, labels, sizes,
							 work, &hooks);
	promo_kmeans_check_status(&res, st->k, "the aggregate's input");
	PG_RETURN_POINTER(promo_kmeans_model(st->d, st->k, centroids, sizes,
										 st->n_skipped, &res));
}

/* ---- using a model ---- */

/* Error: x is so far from the centroids that squared distances overflow. */
static void
ReportDistanceOverflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("x is too far from the centroids to measure"),
			 errdetail("The squared distances overflow."),
			 errhint("Standardize the features (promo.standardize) before clustering.")));
}

/* Index (0..k-1) of the centroid nearest to x; *dist2 its squared distance. */
static int
Nearest(PromoModel *model, const double *x, double *dist2)
{
	int			c = promo_kmeans_nearest(promo_model_field(model, "centroids"),
										 model->nclusters, model->dim, x, dist2);

	if (!isfinite(*dist2))
		ReportDistanceOverflow();
	return c;
}

/* The cluster (1..k) nearest to x. */
double
promo_kmeans_model_predict(PromoModel *model, const double *x)
{
	double		dist2;

	return 1 + Nearest(model, x, &dist2);
}

/* promo.kmeans_distance(model, x): distance to the nearest centroid. */
PG_FUNCTION_INFO_V1(promo_kmeans_distance);
Datum
promo_kmeans_distance(PG_FUNCTION_ARGS)
{
	PromoModel *model = promo_model_arg(fcinfo, 0);
	const double *x;
	int			n;
	double		dist2;

	promo_model_expect(model, PROMO_MODEL_KMEANS, "promo.kmeans_distance");
	x = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(1), "x", &n);
	promo_model_check_dim(model, n);
	Nearest(model, x, &dist2);
	PG_RETURN_FLOAT8(sqrt(dist2));
}

/* ---- choosing k: simplified silhouette ---- */

#define SILHOUETTE_TAG 7004.0

/*
 * The state's data, after checking all of it: [0] tag, [1] sum of
 * silhouettes, finite and within [-count, count], [2] count, whole and not
 * negative.  The one check of a silhouette state.
 */
static double *
SilhouetteData(ArrayType *state)
{
	double	   *s = promo_state_data(state, SILHOUETTE_TAG, 3);

	if (ARR_DIMS(state)[0] != 3 ||
		!promo_whole_in(s[2], 0, 9007199254740992.0) ||
		!isfinite(s[1]) || fabs(s[1]) > s[2])
		promo_bad_state("A silhouette state is a count, whole and not negative, and a sum of values in [-1, 1].");
	return s;
}

/* promo.silhouette transition: add one row's simplified silhouette. */
PG_FUNCTION_INFO_V1(promo_silhouette_accum);
Datum
promo_silhouette_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	PromoModel *model;
	const double *x;
	double	   *s;
	int			n;
	double		silhouette;

	if (state == NULL)
		state = promo_state_new(SILHOUETTE_TAG, 3);
	s = SilhouetteData(state);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_ARRAYTYPE_P(state);
	model = promo_model_arg(fcinfo, 2);
	promo_model_expect(model, PROMO_MODEL_KMEANS, "promo.silhouette");
	x = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(1), "x", &n);
	promo_model_check_dim(model, n);
	if (model->nclusters < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("promo.silhouette needs a model of at least two clusters")));
	silhouette = promo_kmeans_silhouette(promo_model_field(model, "centroids"),
										 model->nclusters, model->dim, x);
	if (isnan(silhouette))
		ReportDistanceOverflow();
	s[1] += silhouette;
	s[2] += 1;
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.silhouette combine: add sums and counts. */
PG_FUNCTION_INFO_V1(promo_silhouette_combine);
Datum
promo_silhouette_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *a = SilhouetteData(state);
	double	   *b = SilhouetteData(PG_GETARG_ARRAYTYPE_P(1));

	a[1] += b[1];
	a[2] += b[2];
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.silhouette final: the mean, NULL without rows. */
PG_FUNCTION_INFO_V1(promo_silhouette_final);
Datum
promo_silhouette_final(PG_FUNCTION_ARGS)
{
	double	   *s = SilhouetteData(PG_GETARG_ARRAYTYPE_P(0));

	if (s[2] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s[1] / s[2]);
}
