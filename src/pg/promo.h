/*
 * promo.h
 *		Shared declarations of promo's PostgreSQL glue.
 */
#ifndef PROMO_PG_H
#define PROMO_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/jsonb.h"

/* ---- promo.c: argument validation shared by every function ---- */

/* 1-D float8[] without NULL elements or non-finite values: its data. */
extern const double *promo_vector(ArrayType *arr, const char *what, int *n);

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

/* Error for a transition state that is not one of promo's. */
extern void promo_bad_state(const char *detail) pg_attribute_noreturn();

/* A float8[] transition state as its data, checked against its tag. */
extern double *promo_state_data(ArrayType *state, double tag, int min_len);

/* ---- model.c: the promo.model type ---- */

typedef enum PromoModelKind
{
	PROMO_MODEL_LINREG = 1,
	PROMO_MODEL_SCALER = 2,
	PROMO_MODEL_KMEANS = 3
} PromoModelKind;

/* On-disk form: a small header, then the kind's fields as float8 values. */
typedef struct PromoModel
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int16		kind;			/* PromoModelKind */
	int16		version;		/* layout version of the kind */
	int32		dim;			/* number of features */
	int32		dim2;			/* second dimension, 0 where unused */
	double		values[FLEXIBLE_ARRAY_MEMBER];
} PromoModel;

#define PROMO_MODEL_VERSION 1

/* The most features a model or a per-dimension aggregate accepts. */
#define PROMO_MAX_DIMENSIONS 100000

/* The most clusters a k-means model has. */
#define PROMO_KMEANS_MAX_K 10000

#define DatumGetPromoModel(x) ((PromoModel *) PG_DETOAST_DATUM(x))
#define PG_GETARG_PROMO_MODEL(n) DatumGetPromoModel(PG_GETARG_DATUM(n))

/* A model argument, detoasted once per query (cached in fn_extra). */
extern PromoModel *promo_model_arg(FunctionCallInfo fcinfo, int argno);

/* A zeroed model of the given kind, dimension and clusters (0: none). */
extern PromoModel *promo_model_new(PromoModelKind kind, int dim, int dim2);

/* The values of the named field of a model (layout by kind). */
extern double *promo_model_field(PromoModel *model, const char *name);

/* Error unless the model is of the given kind; fname names the caller. */
extern void promo_model_expect(PromoModel *model, PromoModelKind kind,
							   const char *fname);

/* Error unless a feature vector fits the model's dimension. */
extern void promo_model_check_dim(PromoModel *model, int n);

/* ---- per-kind hooks the model type dispatches to ---- */

/* linreg.c: fitted value of x. */
extern double promo_linreg_model_predict(PromoModel *model, const double *x);

/* kmeans.c: the cluster (1..k) nearest to x, and a model from a fit. */
extern double promo_kmeans_model_predict(PromoModel *model, const double *x);
extern PromoModel *promo_kmeans_model(int d, int k, const double *centroids,
									  const double *sizes, double n,
									  double n_skipped, double inertia,
									  int iterations, bool converged);

/* kmeans.c: explicit initial centroids from a jsonb array. */
extern double *promo_kmeans_init_centroids(Jsonb *init, int k, int d);

#endif							/* PROMO_PG_H */
