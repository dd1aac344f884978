/*
 * kmeans.h
 *		k-means: k-means++ or random seeding and Lloyd iterations.
 *
 * Points are n x d row-major.  The iteration follows scikit-learn's Lloyd
 * algorithm so that, given the same initial centroids, both produce the
 * same centroids, inertia and iteration count: labels come from the
 * current centroids, centroids are the means of their points, and the loop
 * stops when no label changes or when the centroids move (sum of squared
 * shifts) by at most tol times the mean per-feature variance.
 */
#ifndef PROMO_KMEANS_H
#define PROMO_KMEANS_H

#include <stdbool.h>
#include <stddef.h>

/* What the caller lends the algorithm: randomness, interrupts, progress. */
typedef struct PromoKmeansHooks
{
	void	   *ctx;
	double		(*uniform) (void *ctx); /* uniform on [0, 1) */
	void		(*interrupt) (void *ctx);	/* called often; may not return */
	void		(*progress) (void *ctx, int iteration, double inertia,
							 double moved_share);	/* may be NULL */
} PromoKmeansHooks;

typedef struct PromoKmeansResult
{
	double		inertia;		/* sum of squared distances to centroids */
	int			iterations;
	bool		converged;
} PromoKmeansResult;

/* Rows labelled by one matrix product. */
#define PROMO_KMEANS_CHUNK 256

/* |c|^2 for each of the k centroids. */
extern void promo_kmeans_norms(const double *centroids, int k, int d,
							   double *cnorm);

/*
 * Label m <= PROMO_KMEANS_CHUNK rows with their nearest centroid by one
 * matrix product; best[r] is |c|^2 - 2 x.c for that centroid (the squared
 * distance less |x|^2).  dist holds PROMO_KMEANS_CHUNK x k doubles.
 */
extern void promo_kmeans_label_chunk(const double *x, int m, int d, int k,
									 const double *centroids,
									 const double *cnorm, int *labels,
									 double *best, double *dist);

/* Doubles of scratch space the functions below need. */
extern size_t promo_kmeans_work_doubles(size_t n, int d, int k);

/*
 * Seed k centroids by greedy k-means++ (2 + ln k candidates per step, the
 * one that lowers the potential most wins).  Returns the number of centroids
 * placed: fewer than k when the points have fewer than k distinct values.
 */
extern int	promo_kmeans_plusplus(const double *x, size_t n, int d, int k,
								  double *centroids, double *work,
								  const PromoKmeansHooks *hooks);

/* Seed k centroids at distinct random points; returns how many it placed. */
extern int	promo_kmeans_random(const double *x, size_t n, int d, int k,
								double *centroids, size_t *perm,
								const PromoKmeansHooks *hooks);

/*
 * Relocation candidates: the k rows farthest from their centroids, each
 * d + 2 values (squared distance, label, row), farthest first; *held says
 * how many there are.  Offer each row; keep the list in cand.
 */
extern void promo_kmeans_offer_candidate(double *cand, int k, int d, int *held,
										 double dist, int label,
										 const double *row);

/*
 * The rule for empty clusters, shared by both paths: each empty cluster, in
 * order, takes the farthest candidate whose cluster keeps at least one row
 * (its sums and counts move with it).
 */
extern void promo_kmeans_relocate(int k, int d, double *counts, double *sums,
								  const double *cand, int held);

/*
 * Lloyd iterations from the given centroids (updated in place); labels
 * (n) and sizes (k) receive the final assignment.  Empty clusters are
 * relocated by promo_kmeans_relocate.
 */
extern PromoKmeansResult promo_kmeans_lloyd(const double *x, size_t n, int d,
											int k, double *centroids,
											int max_iter, double tol,
											int *labels, double *sizes,
											double *work,
											const PromoKmeansHooks *hooks);

/* Index of the centroid nearest to x, and the squared distance to it. */
extern int	promo_kmeans_nearest(const double *centroids, int k, int d,
								 const double *x, double *dist2);

/*
 * Simplified silhouette of x: (b - a) / max(a, b) with a, b the distances
 * to the nearest and second-nearest centroids (k >= 2); 0 when both are 0.
 */
extern double promo_kmeans_silhouette(const double *centroids, int k, int d,
									  const double *x);

/* Squared Euclidean distance of two d-vectors. */
extern double promo_sqdist(const double *a, const double *b, int d);

#endif							/* PROMO_KMEANS_H */
