/*
 * test_kmeans.c
 *		Unit tests of kmeans.c: seeding, the Lloyd loop, its stopping rules
 *		and the empty-cluster rule.
 */
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans.h"

/* Uniform numbers from the unit runner's generator. */
static double
TestUniform(void *ctx)
{
	return unit_uniform((uint64_t *) ctx, 0.0, 1.0);
}

/* Counts progress calls. */
static void
TestProgress(void *ctx, int iteration, double inertia, double moved_share)
{
	(void) iteration;
	(void) inertia;
	(void) moved_share;
	(*(int *) ((uint64_t *) ctx + 1))++;
}

/* Run Lloyd over n rows of d from centroids (k x d), in place. */
static PromoKmeansResult
run_lloyd(const double *x, size_t n, int d, int k, double *centroids,
		  int max_iter, double tol, double *sizes, int *progress_calls)
{
	uint64_t	ctx[2] = {1, 0};
	PromoKmeansHooks hooks = {ctx, TestUniform, NULL, TestProgress};
	double	   *work = unit_alloc(sizeof(double) * promo_kmeans_work_doubles(n, d, k));
	int		   *labels = unit_alloc(sizeof(int) * n);
	PromoKmeansResult res;

	res = promo_kmeans_lloyd(x, n, d, k, centroids, max_iter, tol, labels, sizes,
							 work, &hooks);
	if (progress_calls)
		*progress_calls = (int) ctx[1];
	free(work);
	free(labels);
	return res;
}

/* Two groups on a line settle on their means. */
static void
test_lloyd_two_groups(void)
{
	double		x[] = {0, 1, 2, 10, 11, 12};
	double		c[] = {0, 1};
	double		sizes[2];
	int			calls = 0;
	PromoKmeansResult res = run_lloyd(x, 6, 1, 2, c, 100, 0.0, sizes, &calls);

	CHECK_INT(res.status, PROMO_KMEANS_OK);
	CHECK_CLOSE(c[0], 1.0, 1e-15);
	CHECK_CLOSE(c[1], 11.0, 1e-15);
	CHECK_CLOSE(sizes[0], 3, 0);
	CHECK_CLOSE(sizes[1], 3, 0);
	CHECK_CLOSE(res.inertia, 4.0, 1e-15);
	CHECK_CLOSE(res.n, 6, 0);
	CHECK(res.converged);
	/* labels settle in the second step, which the third confirms */
	CHECK_INT(res.iterations, 3);
	CHECK_INT(calls, res.iterations);
}

/* max_iter stops the loop unconverged; a loose tol stops it converged. */
static void
test_lloyd_stopping(void)
{
	double		x[] = {0, 1, 2, 10, 11, 12};
	double		c[] = {0, 1};
	double		sizes[2];
	PromoKmeansResult res = run_lloyd(x, 6, 1, 2, c, 1, 0.0, sizes, NULL);

	CHECK_INT(res.iterations, 1);
	CHECK(!res.converged);
	/* sizes and inertia belong to the final centroids {0, 7.2} */
	CHECK_CLOSE(c[1], 7.2, 1e-15);
	CHECK_CLOSE(sizes[0], 3, 0);
	CHECK_CLOSE(sizes[1], 3, 0);
	CHECK_CLOSE(res.inertia, 5 + 2.8 * 2.8 + 3.8 * 3.8 + 4.8 * 4.8, 1e-14);
	c[0] = 0;
	c[1] = 1;
	res = run_lloyd(x, 6, 1, 2, c, 100, 1e6, sizes, NULL);
	CHECK_INT(res.iterations, 1);
	CHECK(res.converged);
	c[0] = 0;
	c[1] = 1;
	res = run_lloyd(x, 6, 1, 2, c, 0, 0.0, sizes, NULL);
	CHECK_INT(res.iterations, 0);
	CHECK_CLOSE(sizes[0], 1, 0);
	CHECK_CLOSE(res.inertia, 0 + 1 + 81 + 100 + 121, 1e-15);
}

/* The empty-cluster rule: the farthest row whose cluster can spare it. */
static void
test_means_relocation(void)
{
	/* clusters of 3 and 0 rows; candidates (dist, label, row), farthest first */
	double		counts[] = {3, 0};
	double		sums[] = {6, 0};
	double		cand[] = {4, 0, 4, 1, 0, 1, 0, 0, 1};
	double		next[2];
	int			moved = promo_kmeans_means(2, 1, counts, sums, cand, 3, next);

	CHECK_INT(moved, 1);
	CHECK_CLOSE(counts[0], 2, 0);
	CHECK_CLOSE(counts[1], 1, 0);
	CHECK_CLOSE(next[0], 1.0, 0);
	CHECK_CLOSE(next[1], 4.0, 0);

	/* no cluster can spare a row: still empty, next untouched */
	{
		double		c2[] = {1, 0};
		double		s2[] = {5, 0};
		double		cand2[] = {0, 0, 5};
		double		n2[2] = {-1, -1};

		CHECK_INT(promo_kmeans_means(2, 1, c2, s2, cand2, 1, n2), -1);
		CHECK_CLOSE(n2[0], -1, 0);
	}
}

/* Equal rows: the relocated cluster shares its row; sizes follow predict. */
static void
test_lloyd_empty_cluster_sizes(void)
{
	double		x[20];
	double		c[] = {1, 2, 5, 5};
	double		sizes[2];
	PromoKmeansResult res;

	for (int i = 0; i < 10; i++)
	{
		x[2 * i] = 1;
		x[2 * i + 1] = 2;
	}
	res = run_lloyd(x, 10, 2, 2, c, 300, 1e-4, sizes, NULL);
	CHECK_INT(res.status, PROMO_KMEANS_OK);
	CHECK_CLOSE(c[2], 1, 0);
	CHECK_CLOSE(c[3], 2, 0);
	/* every row is nearest to the first of two equal centroids */
	CHECK_CLOSE(sizes[0], 10, 0);
	CHECK_CLOSE(sizes[1], 0, 0);
	CHECK_CLOSE(res.inertia, 0, 0);
}

/* Seeding is a function of the random numbers alone. */
static void
test_seeding_deterministic(void)
{
	enum
	{
		N = 200, D = 3, K = 4
	};
	double		x[N * D];
	double		a[K * D];
	double		b[K * D];
	size_t		perm[N];
	double	   *work = unit_alloc(sizeof(double) * promo_kmeans_work_doubles(N, D, K));
	uint64_t	st = 7;
	uint64_t	s1 = 99;
	uint64_t	s2 = 99;
	PromoKmeansHooks h1 = {&s1, TestUniform, NULL, NULL};
	PromoKmeansHooks h2 = {&s2, TestUniform, NULL, NULL};

	for (int i = 0; i < N * D; i++)
		x[i] = unit_uniform(&st, -5, 5) + (i / D % 4) * 20;
	CHECK_INT(promo_kmeans_plusplus(x, N, D, K, a, work, &h1), K);
	CHECK_INT(promo_kmeans_plusplus(x, N, D, K, b, work, &h2), K);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	/* k-means++ spreads out: no two seeds within the same group of 20 */
	for (int i = 0; i < K; i++)
		for (int j = i + 1; j < K; j++)
			CHECK(promo_sqdist(a + i * D, a + j * D, D) > 100);
	s1 = s2 = 5;
	CHECK_INT(promo_kmeans_random(x, N, D, K, a, perm, &h1), K);
	CHECK_INT(promo_kmeans_random(x, N, D, K, b, perm, &h2), K);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	free(work);
}

/* Fewer distinct points than k: seeding places what it can. */
static void
test_seeding_too_few_distinct(void)
{
	double		x[] = {1, 1, 1, 2, 2};
	double		c[3];
	double	   *work = unit_alloc(sizeof(double) * promo_kmeans_work_doubles(5, 1, 3));
	uint64_t	s = 3;
	PromoKmeansHooks h = {&s, TestUniform, NULL, NULL};

	CHECK_INT(promo_kmeans_plusplus(x, 5, 1, 3, c, work, &h), 2);
	free(work);
}

/* A source whose row count changes, or that has fewer rows than k. */
typedef struct FakeSource
{
	int			steps;
	double		n_first;
	double		n_later;
} FakeSource;

static void
FakeStep(void *ctx, const double *centroids, const double *previous,
		 double *next, double *sizes, PromoKmeansStepStats *stats)
{
	FakeSource *f = ctx;

	(void) previous;
	memcpy(next, centroids, sizeof(double) * 2);
	next[0] += 1.0;				/* keep moving */
	sizes[0] = sizes[1] = 1;
	stats->n = f->steps++ == 0 ? f->n_first : f->n_later;
	stats->moved = 1;
	stats->inertia = 1;
	stats->mean_variance = 1;
	stats->relocated = 0;
}

static void
FakeFinish(void *ctx, const double *centroids, bool labels_current,
		   double *sizes, PromoKmeansStepStats *stats)
{
	(void) labels_current;
	FakeStep(ctx, centroids, NULL, (double[2]) {0, 0}, sizes, stats);
}

static void
test_iterate_status(void)
{
	FakeSource f = {0, 10, 7};
	PromoKmeansSource src = {&f, FakeStep, FakeFinish};
	PromoKmeansHooks hooks = {NULL, NULL, NULL, NULL};
	double		c[2] = {0, 1};
	double		sizes[2];
	double		work[PROMO_KMEANS_ITERATE_WORK(2, 1)];
	PromoKmeansResult res = promo_kmeans_iterate(&src, 2, 1, c, 10, 0.0, sizes, work, &hooks);

	CHECK_INT(res.status, PROMO_KMEANS_ROWS_CHANGED);
	CHECK_INT(f.steps, 2);
	CHECK_CLOSE(res.n, 10, 0);

	f.steps = 0;
	f.n_first = f.n_later = 1;
	res = promo_kmeans_iterate(&src, 2, 1, c, 10, 0.0, sizes, work, &hooks);
	CHECK_INT(res.status, PROMO_KMEANS_TOO_FEW_ROWS);
	CHECK_INT(f.steps, 1);

	f.steps = 0;
	f.n_first = f.n_later = 5;
	res = promo_kmeans_iterate(&src, 2, 1, c, 4, 0.0, sizes, work, &hooks);
	CHECK_INT(res.status, PROMO_KMEANS_OK);
	CHECK_INT(res.iterations, 4);
	CHECK(!res.converged);
	/* four steps, then the final pass */
	CHECK_INT(f.steps, 5);
}

/* Distances whose squares overflow are reported infinite, never DBL_MAX. */
static void
test_nearest_overflow(void)
{
	double		c[2] = {0, 1};
	double		far[1] = {1e200};
	double		near[1] = {0.75};
	double		dist2;

	CHECK_INT(promo_kmeans_nearest(c, 2, 1, near, &dist2), 1);
	CHECK_CLOSE(dist2, 0.0625, 0);
	promo_kmeans_nearest(c, 2, 1, far, &dist2);
	CHECK(isinf(dist2));
	CHECK(isnan(promo_kmeans_silhouette(c, 2, 1, far)));
	CHECK_CLOSE(promo_kmeans_silhouette(c, 2, 1, near), 2.0 / 3.0, 1e-15);
}

const UnitTest unit_kmeans_tests[] = {
	UNIT_TEST(test_nearest_overflow),
	UNIT_TEST(test_lloyd_two_groups),
	UNIT_TEST(test_lloyd_stopping),
	UNIT_TEST(test_means_relocation),
	UNIT_TEST(test_lloyd_empty_cluster_sizes),
	UNIT_TEST(test_seeding_deterministic),
	UNIT_TEST(test_seeding_too_few_distinct),
	UNIT_TEST(test_iterate_status),
	{NULL, NULL}
};
