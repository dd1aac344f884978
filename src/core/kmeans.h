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
 *
 * The loop (promo_kmeans_iterate) and the rule for empty clusters
 * (promo_kmeans_means) live here once; the in-memory path and the
 * scale-out path differ only in how they run one step over their rows.
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
 * The next centroids from one step's per-cluster counts and sums (both
 * changed in place) and its relocation candidates: the rule for empty
 * clusters, shared by every path.  Each empty cluster, in order, takes the
 * farthest candidate whose cluster keeps at least one row (its sum and
 * count move with it); then each centroid is the mean of its rows.
 * Returns the number of clusters relocated, or -1 when a cluster is still
 * empty (fewer candidates than empty clusters: fewer rows than k); next
 * is then left unchanged.
 */
extern int	promo_kmeans_means(int k, int d, double *counts, double *sums,
							   const double *cand, int held, double *next);

/* Defaults of the Lloyd iteration, the same for every path. */
#define PROMO_KMEANS_DEFAULT_MAX_ITER 300
#define PROMO_KMEANS_DEFAULT_TOL 1e-4

/* What one Lloyd step (or the final pass) reports about the rows. */
typedef struct PromoKmeansStepStats
{
	double		n;				/* rows labelled */
	double		moved;			/* rows whose label changed (all of them
								 * without earlier labels) */
	double		inertia;		/* squared distances to the step's centroids */
	double		mean_variance;	/* mean per-feature variance of the rows */
	int			relocated;		/* clusters promo_kmeans_means relocated, or
								 * -1 when one stayed empty */
} PromoKmeansStepStats;

/*
 * The rows, as the caller holds them (in memory, or a table read once per
 * step): the two operations the Lloyd iteration needs.
 */
typedef struct PromoKmeansSource
{
	void	   *ctx;

	/*
	 * One Lloyd step: label every row with its nearest centroid (previous:
	 * the centroids of the step before, NULL on the first step), count the
	 * rows of each cluster into sizes (k) and put the next centroids into
	 * next (k x d) through promo_kmeans_means.
	 */
	void		(*step) (void *ctx, const double *centroids,
						 const double *previous, double *next, double *sizes,
						 PromoKmeansStepStats *stats);

	/*
	 * The final sizes and exact inertia of centroids.  labels_current says
	 * that the labels of the last step already belong to these centroids,
	 * so that the rows need not be labelled again.
	 */
	void		(*finish) (void *ctx, const double *centroids,
						   bool labels_current, double *sizes,
						   PromoKmeansStepStats *stats);
} PromoKmeansSource;

typedef enum PromoKmeansStatus
{
	PROMO_KMEANS_OK = 0,
	PROMO_KMEANS_TOO_FEW_ROWS,	/* fewer rows than clusters */
	PROMO_KMEANS_ROWS_CHANGED	/* a step saw a different number of rows */
} PromoKmeansStatus;

typedef struct PromoKmeansResult
{
	double		inertia;		/* sum of squared distances to centroids */
	double		n;				/* rows */
	int			iterations;
	bool		converged;
	PromoKmeansStatus status;
} PromoKmeansResult;

/* Doubles of scratch space promo_kmeans_iterate needs. */
#define PROMO_KMEANS_ITERATE_WORK(k, d) (2 * (size_t) (k) * (d))

/*
 * Lloyd iterations from the given centroids (updated in place), one
 * source->step each: the one loop every path runs.  It stops when no label
 * changed (from the second step on), when the centroids moved (sum of
 * squared shifts) by at most tol times the first step's mean per-feature
 * variance, or after max_iter steps.  The reported sizes (k) and inertia
 * are always those of the labels under the final centroids, what predict
 * gives.  Progress goes to hooks->progress after every step.  A status
 * other than PROMO_KMEANS_OK stops the loop; the caller reports it.
 */
extern PromoKmeansResult promo_kmeans_iterate(const PromoKmeansSource *source,
											  int k, int d, double *centroids,
											  int max_iter, double tol,
											  double *sizes, double *work,
											  const PromoKmeansHooks *hooks);

/*
 * Lloyd iterations over n rows in memory (promo_kmeans_iterate with a
 * source over x); labels (n) receive the final assignment.
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
