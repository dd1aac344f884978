/*
 * model.h
 *		The promo.model type: every trained model, one kind at a time.
 *
 * A model is a kind plus named float8 fields whose lengths follow from the
 * kind and its dimensions (model.c declares each kind's fields).  Every
 * function that returns a model builds it with promo_model_new, fills its
 * fields and returns promo_model_finish(model), which applies the checks
 * that text and binary input apply: no function can return a model that
 * the type itself would reject on reload.
 */
#ifndef PROMO_MODEL_H
#define PROMO_MODEL_H

#include "promo.h"

typedef enum PromoModelKind
{
	PROMO_MODEL_LINREG = 1,
	PROMO_MODEL_SCALER = 2,
	PROMO_MODEL_KMEANS = 3,
	PROMO_MODEL_LOGREG = 4
} PromoModelKind;

/* On-disk form: a small header, then the kind's fields as float8 values. */
typedef struct PromoModel
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int16		kind;			/* PromoModelKind */
	int16		version;		/* layout version of the kind */
	int32		dim;			/* number of features */
	int32		nclusters;		/* k of a kmeans model, 0 for other kinds */
	double		values[FLEXIBLE_ARRAY_MEMBER];
} PromoModel;

#define PROMO_MODEL_VERSION 1

/* The most features a model or a per-dimension aggregate accepts. */
#define PROMO_MAX_DIMENSIONS 100000

/* The largest count a model or state holds exactly: 2^53. */
#define PROMO_MAX_COUNT 9007199254740992.0

/* The most clusters a k-means model has. */
#define PROMO_KMEANS_MAX_K 10000

#define DatumGetPromoModel(x) ((PromoModel *) PG_DETOAST_DATUM(x))
#define PG_GETARG_PROMO_MODEL(n) DatumGetPromoModel(PG_GETARG_DATUM(n))

/* A model argument, detoasted once per query (cached in fn_extra). */
extern PromoModel *promo_model_arg(FunctionCallInfo fcinfo, int argno);

/*
 * Error unless a model of the kind with dim features and nclusters clusters
 * (0 for kinds without clusters) is within the type's limits.  Producers
 * call it as soon as they know the sizes, before any work.
 */
extern void promo_model_check_size(PromoModelKind kind, int dim, int nclusters);

/* A zeroed model of the given kind and sizes, within the type's limits. */
extern PromoModel *promo_model_new(PromoModelKind kind, int dim, int nclusters);

/*
 * The model, after the checks model input applies to every field: the
 * last step of every function that returns a model.
 */
extern PromoModel *promo_model_finish(PromoModel *model);

/* The values of the named field of a model (layout by kind). */
extern double *promo_model_field(PromoModel *model, const char *name);

/*
 * Copy a regression's per-term columns (intercept first, dim + 1 values
 * each) into the fields estimate, std_error, stat_name and p_value.
 */
extern void promo_model_set_terms(PromoModel *model, const double *estimate,
								  const double *std_error, const char *stat_name,
								  const double *stat, const double *p_value);

/* Error unless the model is of the given kind; fname names the caller. */
extern void promo_model_expect(PromoModel *model, PromoModelKind kind,
							   const char *fname);

/* Error unless a feature vector fits the model's dimension. */
extern void promo_model_check_dim(PromoModel *model, int n);

/* ---- per-kind hooks the model type dispatches to ---- */

/* linreg.c: fitted value of x. */
extern double promo_linreg_model_predict(PromoModel *model, const double *x);

/* kmeans.c: the cluster (1..k) nearest to x. */
extern double promo_kmeans_model_predict(PromoModel *model, const double *x);

/* logreg.c: the probability of y = 1 at x. */
extern double promo_logreg_model_predict(PromoModel *model, const double *x);

#endif							/* PROMO_MODEL_H */
