/*
 * kmeans_glue.h
 *		What the two k-means glue files (kmeans.c, kmeans_fit.c) share.
 */
#ifndef PROMO_KMEANS_GLUE_H
#define PROMO_KMEANS_GLUE_H

#include "model.h"
#include "options.h"

#include "common/pg_prng.h"
#include "utils/jsonb.h"

#include "kmeans.h"

/* How the initial centroids are placed (the init option). */
typedef enum PromoKmeansInit
{
	PROMO_KMEANS_INIT_PLUSPLUS,
	PROMO_KMEANS_INIT_RANDOM,
	PROMO_KMEANS_INIT_EXPLICIT	/* centroids given as a JSON array */
} PromoKmeansInit;

/* The options of a k-means fit (promo_kmeans_options declares them). */
typedef struct PromoKmeansOptions
{
	int64		seed;
	int32		max_iter;
	double		tol;
	int32		init;			/* PromoKmeansInit */
	Jsonb	   *init_centroids; /* PROMO_KMEANS_INIT_EXPLICIT: the array */
	bool		progress;
	int32		sample_size;	/* kmeans_fit only: rows to seed from */
} PromoKmeansOptions;

/* The names of the init methods, by PromoKmeansInit (NULL-terminated). */
extern const char *const promo_kmeans_init_names[];

/* seed, max_iter, tol, init and progress, with defaults and ranges. */
extern const PromoOptionTable promo_kmeans_options;

/* What the core's hooks need: the random numbers and progress's name. */
typedef struct PromoKmeansHookState
{
	pg_prng_state rng;
	const char *name;			/* in progress NOTICEs */
} PromoKmeansHookState;

/* Hooks for the core: pg_prng from seed, interrupts, NOTICE progress. */
extern PromoKmeansHooks promo_kmeans_hooks(PromoKmeansHookState *hs,
										   const char *name, int64 seed,
										   bool progress);

/* Error unless k is a number of clusters a kmeans model can have. */
extern void promo_kmeans_check_k(int k);

/* Error unless there are at least k rows. */
extern void promo_kmeans_check_rows(int k, double n);

/* Error for a core status other than PROMO_KMEANS_OK; source names the input. */
extern void promo_kmeans_check_status(const PromoKmeansResult *res, int k,
									  const char *source);

/* A kmeans model from a fit, checked as model input checks it. */
extern PromoModel *promo_kmeans_model(int d, int k, const double *centroids,
									  const double *sizes, double n_skipped,
									  const PromoKmeansResult *res);

/* Explicit initial centroids from a jsonb array of k arrays of d numbers. */
extern double *promo_kmeans_init_centroids(Jsonb *init, int k, int d);

#endif							/* PROMO_KMEANS_GLUE_H */
