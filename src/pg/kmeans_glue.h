/*
 * kmeans_glue.h
 *		What the two k-means glue files (kmeans.c, kmeans_fit.c) share.
 */
#ifndef PROMO_KMEANS_GLUE_H
#define PROMO_KMEANS_GLUE_H

#include "model.h"

#include "utils/jsonb.h"

/* A kmeans model from a fit. */
extern PromoModel *promo_kmeans_model(int d, int k, const double *centroids,
									  const double *sizes, double n,
									  double n_skipped, double inertia,
									  int iterations, bool converged);

/* Error unless k is a number of clusters a kmeans model can have. */
extern void promo_kmeans_check_k(int k);

/* Explicit initial centroids from a jsonb array of k arrays of d numbers. */
extern double *promo_kmeans_init_centroids(Jsonb *init, int k, int d);

#endif							/* PROMO_KMEANS_GLUE_H */
