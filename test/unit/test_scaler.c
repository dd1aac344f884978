/*
 * test_scaler.c
 *		Unit tests of scaler.c: per-dimension statistics and standardizing.
 */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "scaler.h"

#define D 3
#define NROWS 40

/* Scaler statistics with their own, zeroed storage. */
typedef struct ScalerBuf
{
	double		count[D];
	double		shift[D];
	double		mean[D];
	double		m2[D];
	double		min[D];
	double		max[D];
	PromoScalerStats s;
} ScalerBuf;

static void
buf_init(ScalerBuf *b)
{
	memset(b, 0, sizeof(*b));
	b->s.d = D;
	b->s.count = b->count;
	b->s.shift = b->shift;
	b->s.mean = b->mean;
	b->s.m2 = b->m2;
	b->s.min = b->min;
	b->s.max = b->max;
}

/*
 * Rows with missing values: dimension 0 is never missing, dimension 1 is
 * missing in every third row, dimension 2 in all but every fourth row.
 * Missing elements hold NaN, which must never be read.
 */
static void
make_rows(double *x, bool *isnull, int nrows, uint64_t seed, double offset)
{
	uint64_t	st = seed;

	for (int r = 0; r < nrows; r++)
	{
		double	   *row = x + (size_t) r * D;
		bool	   *nul = isnull + (size_t) r * D;

		row[0] = offset + unit_uniform(&st, -10.0, 30.0);
		row[1] = offset + unit_uniform(&st, 1e3, 1e3 + 0.5);
		row[2] = offset + unit_uniform(&st, -1e-3, 2e-3);
		nul[0] = false;
		nul[1] = r % 3 == 1;
		nul[2] = r % 4 != 0;
		for (int j = 0; j < D; j++)
			if (nul[j])
				row[j] = NAN;
	}
}

/* Two-pass count, mean, sample std, min and max of the present values. */
typedef struct Reference
{
	double		count[D];
	double		mean[D];
	double		std[D];
	double		min[D];
	double		max[D];
} Reference;

static void
two_pass(const double *x, const bool *isnull, int from, int to, Reference *ref)
{
	for (int j = 0; j < D; j++)
	{
		double		n = 0.0;
		double		sum = 0.0;
		double		ss = 0.0;

		ref->min[j] = INFINITY;
		ref->max[j] = -INFINITY;
		for (int r = from; r < to; r++)
		{
			double		v = x[(size_t) r * D + j];

			if (isnull[(size_t) r * D + j])
				continue;
			n += 1.0;
			sum += v;
			ref->min[j] = fmin(ref->min[j], v);
			ref->max[j] = fmax(ref->max[j], v);
		}
		ref->count[j] = n;
		ref->mean[j] = sum / n;
		for (int r = from; r < to; r++)
		{
			double		v = x[(size_t) r * D + j];

			if (!isnull[(size_t) r * D + j])
				ss += (v - ref->mean[j]) * (v - ref->mean[j]);
		}
		ref->std[j] = sqrt(ss / (n - 1.0));
	}
}

static void
add_rows(ScalerBuf *b, const double *x, const bool *isnull, int from, int to)
{
	for (int r = from; r < to; r++)
		promo_scaler_add(&b->s, x + (size_t) r * D,
						 isnull ? isnull + (size_t) r * D : NULL);
}

static void
check_against(const ScalerBuf *b, const Reference *ref, double tol)
{
	double		mean[D];
	double		std[D];

	promo_scaler_mean(&b->s, mean);
	promo_scaler_std(&b->s, std);
	for (int j = 0; j < D; j++)
	{
		CHECK(b->count[j] == ref->count[j]);
		CHECK_CLOSE(mean[j], ref->mean[j], tol);
		CHECK_CLOSE(std[j], ref->std[j], tol);
		CHECK(b->min[j] == ref->min[j]);
		CHECK(b->max[j] == ref->max[j]);
	}
}

static void
scaler_one_pass_matches_two_pass(void)
{
	double		x[NROWS * D];
	bool		isnull[NROWS * D];
	bool		none[NROWS * D] = {false};
	Reference	ref;
	ScalerBuf	b;

	make_rows(x, isnull, NROWS, 41, 0.0);
	/* without any missing values (dimensions 1 and 2 refilled) */
	for (int r = 0; r < NROWS; r++)
	{
		x[(size_t) r * D + 1] = 1e3 + 0.01 * r * r;
		x[(size_t) r * D + 2] = 1.0 / (r + 1.0);
	}
	two_pass(x, none, 0, NROWS, &ref);
	CHECK(ref.count[0] == NROWS && ref.count[2] == NROWS);

	buf_init(&b);
	add_rows(&b, x, NULL, 0, NROWS);
	check_against(&b, &ref, 1e-12);

	buf_init(&b);
	add_rows(&b, x, none, 0, NROWS);
	check_against(&b, &ref, 1e-12);
}

static void
scaler_skips_nulls_per_dimension(void)
{
	double		x[NROWS * D];
	bool		isnull[NROWS * D];
	Reference	ref;
	ScalerBuf	b;

	make_rows(x, isnull, NROWS, 42, 0.0);
	two_pass(x, isnull, 0, NROWS, &ref);
	/* each dimension has its own count */
	CHECK(ref.count[0] == 40.0);
	CHECK(ref.count[1] == 27.0);
	CHECK(ref.count[2] == 10.0);

	buf_init(&b);
	add_rows(&b, x, isnull, 0, NROWS);
	check_against(&b, &ref, 1e-12);
}

/* Values near 1e9 keep their spread: the std equals that of v alone. */
static void
scaler_huge_offset(void)
{
	double		x[NROWS * D];
	double		v[NROWS * D];
	bool		isnull[NROWS * D];
	Reference	ref;
	ScalerBuf	b;
	double		mean[D];
	double		std[D];

	/* v on a 2^-10 grid so that 1e9 + v is exact */
	make_rows(v, isnull, NROWS, 43, 0.0);
	for (int i = 0; i < NROWS * D; i++)
	{
		v[i] = round(v[i] * 1024.0) / 1024.0;
		x[i] = 1e9 + v[i];
	}
	two_pass(v, isnull, 0, NROWS, &ref);

	buf_init(&b);
	add_rows(&b, x, isnull, 0, NROWS);
	promo_scaler_mean(&b.s, mean);
	promo_scaler_std(&b.s, std);
	for (int j = 0; j < D; j++)
	{
		CHECK(b.count[j] == ref.count[j]);
		/* to the spacing of doubles near 1e9 */
		CHECK_ABS(mean[j] - 1e9, ref.mean[j], 0x1.0p-23);
		if (ref.std[j] > 0.0)
			CHECK_CLOSE(std[j], ref.std[j], 1e-12);
		else
			CHECK(std[j] == 0.0);
		CHECK(b.min[j] == 1e9 + ref.min[j]);
		CHECK(b.max[j] == 1e9 + ref.max[j]);
	}
	/* dimension 0 has a real spread at this grid */
	CHECK(ref.std[0] > 1.0);
}

static void
scaler_merge_halves_matches_one_pass(void)
{
	double		x[NROWS * D];
	bool		isnull[NROWS * D];
	Reference	ref;
	ScalerBuf	a;
	ScalerBuf	b;
	ScalerBuf	whole;
	double		mean_merged[D];
	double		mean_whole[D];
	double		std_merged[D];
	double		std_whole[D];
	int			half = 17;

	make_rows(x, isnull, NROWS, 44, 0.0);
	two_pass(x, isnull, 0, NROWS, &ref);

	buf_init(&a);
	buf_init(&b);
	buf_init(&whole);
	add_rows(&a, x, isnull, 0, half);
	add_rows(&b, x, isnull, half, NROWS);
	add_rows(&whole, x, isnull, 0, NROWS);
	promo_scaler_merge(&a.s, &b.s);
	check_against(&a, &ref, 1e-12);

	promo_scaler_mean(&a.s, mean_merged);
	promo_scaler_mean(&whole.s, mean_whole);
	promo_scaler_std(&a.s, std_merged);
	promo_scaler_std(&whole.s, std_whole);
	for (int j = 0; j < D; j++)
	{
		CHECK(a.count[j] == whole.count[j]);
		CHECK_CLOSE(mean_merged[j], mean_whole[j], 1e-12);
		CHECK_CLOSE(std_merged[j], std_whole[j], 1e-12);
		CHECK(a.min[j] == whole.min[j]);
		CHECK(a.max[j] == whole.max[j]);
	}

	/* halves far apart: the second one shifted by 1e6 */
	for (int r = half; r < NROWS; r++)
		for (int j = 0; j < D; j++)
			x[(size_t) r * D + j] += 1e6;
	two_pass(x, isnull, 0, NROWS, &ref);
	buf_init(&a);
	buf_init(&b);
	add_rows(&a, x, isnull, 0, half);
	add_rows(&b, x, isnull, half, NROWS);
	promo_scaler_merge(&b.s, &a.s);
	check_against(&b, &ref, 1e-12);
}

static void
scaler_merge_with_empty_side(void)
{
	double		x[NROWS * D];
	bool		isnull[NROWS * D];
	ScalerBuf	a;
	ScalerBuf	before;
	ScalerBuf	e;
	double		mean_a[D];
	double		mean_e[D];
	double		std_a[D];
	double		std_e[D];

	make_rows(x, isnull, NROWS, 45, 0.0);
	buf_init(&a);
	add_rows(&a, x, isnull, 0, NROWS);
	before = a;

	/* nothing merged in: unchanged, bit for bit */
	buf_init(&e);
	promo_scaler_merge(&a.s, &e.s);
	CHECK(memcmp(a.count, before.count, sizeof(a.count)) == 0);
	CHECK(memcmp(a.shift, before.shift, sizeof(a.shift)) == 0);
	CHECK(memcmp(a.mean, before.mean, sizeof(a.mean)) == 0);
	CHECK(memcmp(a.m2, before.m2, sizeof(a.m2)) == 0);
	CHECK(memcmp(a.min, before.min, sizeof(a.min)) == 0);
	CHECK(memcmp(a.max, before.max, sizeof(a.max)) == 0);

	/* merged into nothing: the same statistics */
	promo_scaler_merge(&e.s, &a.s);
	promo_scaler_mean(&a.s, mean_a);
	promo_scaler_mean(&e.s, mean_e);
	promo_scaler_std(&a.s, std_a);
	promo_scaler_std(&e.s, std_e);
	for (int j = 0; j < D; j++)
	{
		CHECK(e.count[j] == a.count[j]);
		CHECK(mean_e[j] == mean_a[j]);
		CHECK(std_e[j] == std_a[j]);
		CHECK(e.min[j] == a.min[j]);
		CHECK(e.max[j] == a.max[j]);
	}
}

/* A dimension empty on one side only merges as that dimension's one side. */
static void
scaler_merge_dimension_empty_on_one_side(void)
{
	const double xa[2][D] = {{1.0, NAN, 5.0}, {3.0, NAN, 7.0}};
	const bool na[D] = {false, true, false};
	const double xb[2][D] = {{NAN, -2.0, 9.0}, {NAN, 4.0, 11.0}};
	const bool nb[D] = {true, false, false};
	ScalerBuf	a;
	ScalerBuf	b;
	double		mean[D];
	double		std[D];

	buf_init(&a);
	buf_init(&b);
	for (int r = 0; r < 2; r++)
	{
		promo_scaler_add(&a.s, xa[r], na);
		promo_scaler_add(&b.s, xb[r], nb);
	}
	promo_scaler_merge(&a.s, &b.s);
	promo_scaler_mean(&a.s, mean);
	promo_scaler_std(&a.s, std);

	CHECK(a.count[0] == 2.0 && a.count[1] == 2.0 && a.count[2] == 4.0);
	CHECK(mean[0] == 2.0);
	CHECK(mean[1] == 1.0);
	CHECK(mean[2] == 8.0);
	CHECK_CLOSE(std[0], sqrt(2.0), 1e-15);
	CHECK_CLOSE(std[1], sqrt(18.0), 1e-15);
	CHECK_CLOSE(std[2], sqrt(20.0 / 3.0), 1e-15);
	CHECK(a.min[0] == 1.0 && a.max[0] == 3.0);
	CHECK(a.min[1] == -2.0 && a.max[1] == 4.0);
	CHECK(a.min[2] == 5.0 && a.max[2] == 11.0);
}

static void
scaler_std_nan_below_two_values(void)
{
	const double x[D] = {2.5, NAN, -1.0};
	const double y[D] = {NAN, NAN, 3.0};
	const bool nx[D] = {false, true, false};
	const bool ny[D] = {true, true, false};
	ScalerBuf	b;
	double		mean[D];
	double		std[D];

	buf_init(&b);
	promo_scaler_std(&b.s, std);
	promo_scaler_mean(&b.s, mean);
	for (int j = 0; j < D; j++)
	{
		CHECK(isnan(std[j]));
		CHECK(isnan(mean[j]));
	}

	promo_scaler_add(&b.s, x, nx);
	promo_scaler_add(&b.s, y, ny);
	promo_scaler_std(&b.s, std);
	promo_scaler_mean(&b.s, mean);
	/* one value */
	CHECK(b.count[0] == 1.0);
	CHECK(isnan(std[0]));
	CHECK(mean[0] == 2.5);
	CHECK(b.min[0] == 2.5 && b.max[0] == 2.5);
	/* no value */
	CHECK(b.count[1] == 0.0);
	CHECK(isnan(std[1]));
	CHECK(isnan(mean[1]));
	/* two values */
	CHECK(b.count[2] == 2.0);
	CHECK_CLOSE(std[2], sqrt(8.0), 1e-15);
	CHECK(mean[2] == 1.0);
}

static void
scaler_standardize(void)
{
	enum
	{
		DS = 5
	};
	const double mean[DS] = {10.0, -2.0, 3.0, 4.0, 1e9};
	const double std[DS] = {4.0, 0.5, 0.0, NAN, 2.0};
	const double x[DS] = {18.0, -3.0, 7.0, 9.0, 1e9 + 3.0};
	const bool isnull[DS] = {false, false, false, false, false};
	const bool some_null[DS] = {true, false, false, false, true};
	double		out[DS];

	promo_scaler_standardize(DS, mean, std, x, NULL, out);
	CHECK(out[0] == 2.0);
	CHECK(out[1] == -2.0);
	CHECK(out[2] == 0.0);		/* std 0: centered only */
	CHECK(out[3] == 0.0);		/* std undefined */
	CHECK(out[4] == 1.5);

	promo_scaler_standardize(DS, mean, std, x, isnull, out);
	CHECK(out[0] == 2.0);
	CHECK(out[1] == -2.0);
	CHECK(out[4] == 1.5);

	/* missing elements take the mean: 0 */
	promo_scaler_standardize(DS, mean, std, x, some_null, out);
	CHECK(out[0] == 0.0);
	CHECK(out[1] == -2.0);
	CHECK(out[2] == 0.0);
	CHECK(out[3] == 0.0);
	CHECK(out[4] == 0.0);
}

/* Standardizing the rows with their own statistics gives mean 0, std 1. */
static void
scaler_standardized_rows_have_unit_std(void)
{
	double		x[NROWS * D];
	bool		isnull[NROWS * D];
	double		z[NROWS * D];
	ScalerBuf	b;
	ScalerBuf	bz;
	double		mean[D];
	double		std[D];

	make_rows(x, isnull, NROWS, 46, 0.0);
	buf_init(&b);
	add_rows(&b, x, isnull, 0, NROWS);
	promo_scaler_mean(&b.s, mean);
	promo_scaler_std(&b.s, std);
	for (int r = 0; r < NROWS; r++)
		promo_scaler_standardize(D, mean, std, x + (size_t) r * D,
								 isnull + (size_t) r * D, z + (size_t) r * D);

	buf_init(&bz);
	add_rows(&bz, z, isnull, 0, NROWS);
	promo_scaler_mean(&bz.s, mean);
	promo_scaler_std(&bz.s, std);
	for (int j = 0; j < D; j++)
	{
		CHECK_ABS(mean[j], 0.0, 1e-12);
		CHECK_CLOSE(std[j], 1.0, 1e-12);
	}
}

/* Statistics from outside: genuine ones pass, each forgery is named. */
static void
scaler_check_finds_forged_statistics(void)
{
	ScalerBuf	b;
	double		x[D] = {1.0, 2.0, 3.0};
	double		y[D] = {2.0, 5.0, -1.0};
	int			dim = -1;

	buf_init(&b);
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_OK);
	promo_scaler_add(&b.s, x, NULL);
	promo_scaler_add(&b.s, y, NULL);
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_OK);

	b.count[1] = -2.0;
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_BAD_COUNT);
	CHECK_INT(dim, 1);
	b.count[1] = 2.5;
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_BAD_COUNT);
	b.count[1] = 0x1p54;
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_BAD_COUNT);
	b.count[1] = 2.0;
	b.mean[2] = NAN;
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_NOT_FINITE);
	CHECK_INT(dim, 2);
	b.mean[2] = 0.0;
	b.m2[0] = -1.0;
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_NEGATIVE_M2);
	CHECK_INT(dim, 0);
	b.m2[0] = 0.5;
	b.min[2] = 4.0;
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_MIN_ABOVE_MAX);
	CHECK_INT(dim, 2);
	/* A dimension without values has no min and max to compare. */
	b.count[2] = 0.0;
	CHECK(promo_scaler_check(&b.s, &dim) == PROMO_SCALER_OK);
}

const UnitTest unit_scaler_tests[] = {
	UNIT_TEST(scaler_one_pass_matches_two_pass),
	UNIT_TEST(scaler_skips_nulls_per_dimension),
	UNIT_TEST(scaler_huge_offset),
	UNIT_TEST(scaler_merge_halves_matches_one_pass),
	UNIT_TEST(scaler_merge_with_empty_side),
	UNIT_TEST(scaler_merge_dimension_empty_on_one_side),
	UNIT_TEST(scaler_std_nan_below_two_values),
	UNIT_TEST(scaler_standardize),
	UNIT_TEST(scaler_standardized_rows_have_unit_std),
	UNIT_TEST(scaler_check_finds_forged_statistics),
	{NULL, NULL}
};
