/*
 * test_similarity.c
 *		Unit tests of similarity.c: cosine similarity and Pearson correlation.
 */
#include "unit.h"

#include <math.h>

#include "similarity.h"

#define MAXN 64

/* A value no computed result takes: a false return must leave it alone. */
#define UNTOUCHED 42.0

static bool
cosine(const double *a, const double *b, int n, double *result)
{
	double		work[2 * MAXN];

	return promo_cosine_similarity(a, b, n, work, result);
}

static bool
pearson(const double *a, const double *b, int n, double *result)
{
	double		work[2 * MAXN];

	return promo_pearson_correlation(a, b, n, work, result);
}

/* Textbook cosine, for data where nothing overflows. */
static double
textbook_cosine(const double *a, const double *b, int n)
{
	double		ab = 0.0;
	double		aa = 0.0;
	double		bb = 0.0;

	for (int i = 0; i < n; i++)
	{
		ab += a[i] * b[i];
		aa += a[i] * a[i];
		bb += b[i] * b[i];
	}
	return ab / sqrt(aa * bb);
}

/* Textbook two-pass Pearson correlation. */
static double
textbook_pearson(const double *a, const double *b, int n)
{
	double		ma = 0.0;
	double		mb = 0.0;
	double		sab = 0.0;
	double		saa = 0.0;
	double		sbb = 0.0;

	for (int i = 0; i < n; i++)
	{
		ma += a[i];
		mb += b[i];
	}
	ma /= n;
	mb /= n;
	for (int i = 0; i < n; i++)
	{
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	return sab / sqrt(saa * sbb);
}

static void
cosine_parallel_orthogonal_antiparallel(void)
{
	const double a[3] = {1.0, 2.0, 3.0};
	const double twice[3] = {2.0, 4.0, 6.0};
	const double minus[3] = {-0.5, -1.0, -1.5};
	const double u[4] = {1.0, 2.0, 0.0, -1.0};
	const double v[4] = {2.0, -1.0, 5.0, 0.0};
	const double e1[2] = {1.0, 0.0};
	const double diag[2] = {1.0, 1.0};
	const double p[2] = {3.0, 4.0};
	const double q[2] = {4.0, 3.0};
	double		r = UNTOUCHED;

	CHECK(cosine(a, twice, 3, &r));
	CHECK_CLOSE(r, 1.0, 1e-15);
	CHECK(r <= 1.0);
	CHECK(cosine(a, a, 3, &r));
	CHECK_CLOSE(r, 1.0, 1e-15);
	CHECK(cosine(a, minus, 3, &r));
	CHECK_CLOSE(r, -1.0, 1e-15);
	CHECK(r >= -1.0);
	CHECK(cosine(u, v, 4, &r));
	CHECK_ABS(r, 0.0, 1e-15);
	CHECK(cosine(e1, diag, 2, &r));
	CHECK_CLOSE(r, sqrt(0.5), 1e-15);
	CHECK(cosine(p, q, 2, &r));
	CHECK_CLOSE(r, 0.96, 1e-15);
}

static void
cosine_scale_invariant(void)
{
	enum
	{
		N = 50
	};
	double		a[N];
	double		b[N];
	double		sa[N];
	double		sb[N];
	uint64_t	st = 501;
	double		r;
	double		rs;

	for (int i = 0; i < N; i++)
	{
		a[i] = unit_uniform(&st, -1.0, 2.0);
		b[i] = a[i] + unit_uniform(&st, -1.0, 1.0);
		sa[i] = 1e-3 * a[i];
		sb[i] = 7.5e5 * b[i];
	}
	CHECK(cosine(a, b, N, &r));
	CHECK_CLOSE(r, textbook_cosine(a, b, N), 1e-13);
	CHECK(cosine(sa, sb, N, &rs));
	CHECK_CLOSE(rs, r, 1e-13);
	/* symmetric */
	CHECK(cosine(b, a, N, &rs));
	CHECK_CLOSE(rs, r, 1e-14);
}

/*
 * Squares of 1e200 overflow and those of 1e-200 underflow; the cosine
 * must not.  This holds only if the norms are computed with scaling: a
 * norm that sums plain squares (as some BLAS nrm2 kernels do, relying on
 * x87 extended range, which valgrind emulates in double) gets inf or 0.
 */
static void
cosine_extreme_magnitudes(void)
{
	const double big_p[2] = {3e200, 4e200};
	const double big_q[2] = {4e200, 3e200};
	const double tiny_p[2] = {3e-200, 4e-200};
	const double tiny_q[2] = {4e-200, 3e-200};
	const double big3[3] = {1e200, 2e200, 3e200};
	const double big3_neg[3] = {-2e200, -4e200, -6e200};
	double		r = UNTOUCHED;

	CHECK(cosine(big_p, big_q, 2, &r));
	CHECK_CLOSE(r, 0.96, 1e-15);
	CHECK(cosine(tiny_p, tiny_q, 2, &r));
	CHECK_CLOSE(r, 0.96, 1e-15);
	CHECK(cosine(big_p, tiny_q, 2, &r));
	CHECK_CLOSE(r, 0.96, 1e-15);
	CHECK(cosine(big3, big3, 3, &r));
	CHECK_CLOSE(r, 1.0, 1e-15);
	CHECK(cosine(big3, big3_neg, 3, &r));
	CHECK_CLOSE(r, -1.0, 1e-15);
}

static void
cosine_zero_vector_is_undefined(void)
{
	const double a[3] = {1.0, -2.0, 0.5};
	const double zero[3] = {0.0, 0.0, 0.0};
	double		r = UNTOUCHED;

	CHECK(!cosine(a, zero, 3, &r));
	CHECK(!cosine(zero, a, 3, &r));
	CHECK(!cosine(zero, zero, 3, &r));
	CHECK(!cosine(a, a, 0, &r));
	CHECK(r == UNTOUCHED);
}

static void
pearson_matches_two_pass(void)
{
	enum
	{
		N = 30
	};
	double		a[N];
	double		b[N];
	uint64_t	st = 601;
	double		r = UNTOUCHED;

	for (int i = 0; i < N; i++)
	{
		a[i] = unit_uniform(&st, 5.0, 15.0);
		b[i] = -0.3 * a[i] + unit_uniform(&st, 0.0, 4.0) + 100.0;
	}
	CHECK(pearson(a, b, N, &r));
	CHECK_CLOSE(r, textbook_pearson(a, b, N), 1e-12);
	CHECK(r < -0.1 && r > -1.0);

	/* a small known case: r = 0.8 for (1,2,3,4,5) and (1,3,2,5,4) */
	{
		const double x[5] = {1.0, 2.0, 3.0, 4.0, 5.0};
		const double y[5] = {1.0, 3.0, 2.0, 5.0, 4.0};

		CHECK(pearson(x, y, 5, &r));
		CHECK_CLOSE(r, 0.8, 1e-15);
	}
}

static void
pearson_linear_relations(void)
{
	enum
	{
		N = 20
	};
	double		a[N];
	double		up[N];
	double		down[N];
	double		b[N];
	double		affine[N];
	uint64_t	st = 602;
	double		r;
	double		ra;

	for (int i = 0; i < N; i++)
	{
		a[i] = unit_uniform(&st, -3.0, 3.0);
		up[i] = 3.0 * a[i] + 2.0;
		down[i] = -0.5 * a[i] + 7.0;
		b[i] = unit_uniform(&st, -1.0, 1.0) + a[i];
		affine[i] = 40.0 * b[i] - 1e3;
	}
	CHECK(pearson(a, up, N, &r));
	CHECK_CLOSE(r, 1.0, 1e-14);
	CHECK(r <= 1.0);
	CHECK(pearson(a, down, N, &r));
	CHECK_CLOSE(r, -1.0, 1e-14);
	CHECK(r >= -1.0);
	/* invariant under a positive affine map of either side */
	CHECK(pearson(a, b, N, &r));
	CHECK(pearson(a, affine, N, &ra));
	CHECK_CLOSE(ra, r, 1e-13);
}

/* Offsets and magnitudes that a sum-of-products formula would not survive. */
static void
pearson_offset_and_magnitude(void)
{
	enum
	{
		N = 25
	};
	double		v[N];
	double		b[N];
	double		off[N];
	double		big[N];
	uint64_t	st = 603;
	double		r;
	double		ro;

	for (int i = 0; i < N; i++)
	{
		/* on a 2^-10 grid so that 1e9 + v is exact */
		v[i] = round(unit_uniform(&st, -4.0, 4.0) * 1024.0) / 1024.0;
		b[i] = v[i] * v[i] + unit_uniform(&st, -2.0, 2.0);
		off[i] = 1e9 + v[i];
		big[i] = 1e200 * v[i];
	}
	CHECK(pearson(v, b, N, &r));
	CHECK(pearson(off, b, N, &ro));
	CHECK_CLOSE(ro, r, 1e-12);
	CHECK(pearson(big, b, N, &ro));
	CHECK_CLOSE(ro, r, 1e-13);
}

static void
pearson_constant_is_undefined(void)
{
	const double a[3] = {1.0, 2.0, 4.0};
	const double five[3] = {5.0, 5.0, 5.0};
	const double tenth[3] = {0.1, 0.1, 0.1};
	const double big[3] = {1e9 + 0.1, 1e9 + 0.1, 1e9 + 0.1};
	double		r = UNTOUCHED;

	/* 0.1 + 0.1 + 0.1 != 0.3: the mean is not exactly 0.1 */
	CHECK((0.1 + 0.1 + 0.1) / 3.0 != 0.1);
	CHECK(!pearson(a, five, 3, &r));
	CHECK(!pearson(five, a, 3, &r));
	CHECK(!pearson(a, tenth, 3, &r));
	CHECK(!pearson(tenth, a, 3, &r));
	CHECK(!pearson(big, a, 3, &r));
	CHECK(!pearson(five, tenth, 3, &r));
	CHECK(r == UNTOUCHED);
}

static void
pearson_too_short_is_undefined(void)
{
	const double a[2] = {1.0, 2.0};
	const double b[2] = {3.0, 1.0};
	double		r = UNTOUCHED;

	CHECK(!pearson(a, b, 1, &r));
	CHECK(!pearson(a, b, 0, &r));
	CHECK(r == UNTOUCHED);
	/* two distinct points are perfectly (anti)correlated */
	CHECK(pearson(a, b, 2, &r));
	CHECK_CLOSE(r, -1.0, 1e-15);
}

const UnitTest unit_similarity_tests[] = {
	UNIT_TEST(cosine_parallel_orthogonal_antiparallel),
	UNIT_TEST(cosine_scale_invariant),
	UNIT_TEST(cosine_extreme_magnitudes),
	UNIT_TEST(cosine_zero_vector_is_undefined),
	UNIT_TEST(pearson_matches_two_pass),
	UNIT_TEST(pearson_linear_relations),
	UNIT_TEST(pearson_offset_and_magnitude),
	UNIT_TEST(pearson_constant_is_undefined),
	UNIT_TEST(pearson_too_short_is_undefined),
	{NULL, NULL}
};
