/*
 * test_moments.c
 *		Unit tests of moments.c: block accumulation and merging.
 */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "moments.h"

#define MAXQ 4
#define NROWS 61

/* A moments state with its own storage. */
typedef struct MomentsBuf
{
	double		n;
	double		shift[MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	PromoMoments m;
} MomentsBuf;

/*
 * An empty state.  The shift, mean and co-moment storage is filled with
 * NaN: an empty state must never read it.
 */
static void
buf_init(MomentsBuf *b, int q)
{
	b->n = 0.0;
	for (int i = 0; i < MAXQ; i++)
		b->shift[i] = b->mean[i] = NAN;
	for (int i = 0; i < MAXQ * MAXQ; i++)
		b->comoment[i] = NAN;
	b->m.q = q;
	b->m.n = &b->n;
	b->m.shift = b->shift;
	b->m.mean = b->mean;
	b->m.comoment = b->comoment;
}

/* Correlated rows (nrows x MAXQ, row-major) with means away from zero. */
static void
make_rows(double *rows, int nrows, uint64_t seed)
{
	uint64_t	st = seed;

	for (int r = 0; r < nrows; r++)
	{
		double		u0 = unit_uniform(&st, -1.0, 1.0);
		double		u1 = unit_uniform(&st, -1.0, 1.0);
		double		u2 = unit_uniform(&st, -1.0, 1.0);
		double		u3 = unit_uniform(&st, -1.0, 1.0);
		double	   *z = rows + (size_t) r * MAXQ;

		z[0] = 3.0 + 2.0 * u0;
		z[1] = -5.0 + u0 + 0.5 * u1;
		z[2] = 10.0 - 0.7 * u0 + 0.8 * u1 + 0.3 * u2;
		z[3] = 1.5 + 0.4 * u0 - 0.6 * u2 + 0.5 * u3;
	}
}

/* Textbook two-pass mean and full co-moment matrix (column-major). */
static void
two_pass(const double *rows, int nrows, int q, double *mean, double *comoment)
{
	for (int j = 0; j < q; j++)
	{
		double		s = 0.0;

		for (int r = 0; r < nrows; r++)
			s += rows[(size_t) r * q + j];
		mean[j] = s / nrows;
	}
	for (int j = 0; j < q; j++)
		for (int i = 0; i < q; i++)
		{
			double		s = 0.0;

			for (int r = 0; r < nrows; r++)
				s += (rows[(size_t) r * q + i] - mean[i]) *
					(rows[(size_t) r * q + j] - mean[j]);
			comoment[i + j * q] = s;
		}
}

/* Add rows [from, to) in blocks of the given sizes, used cyclically. */
static void
add_blocks(MomentsBuf *b, const double *rows, int from, int to,
		   const int *sizes, int nsizes)
{
	int			q = b->m.q;
	double		block[NROWS * MAXQ];
	double		work[PROMO_MOMENTS_WORK(MAXQ)];
	int			k = 0;

	for (int r = from; r < to;)
	{
		int			nb = sizes[k++ % nsizes];

		if (nb > to - r)
			nb = to - r;
		/* add_rows overwrites its input, so hand it a copy */
		memcpy(block, rows + (size_t) r * q, sizeof(double) * nb * q);
		promo_moments_add_rows(&b->m, block, nb, work);
		r += nb;
	}
}

/* The state's n, mean and upper co-moment triangle against references. */
static void
check_state(const MomentsBuf *b, int nrows, const double *mean,
			const double *comoment, double mean_tol, double comoment_tol)
{
	int			q = b->m.q;

	CHECK(b->n == (double) nrows);
	for (int j = 0; j < q; j++)
		CHECK_CLOSE(promo_moments_mean(&b->m, j), mean[j], mean_tol);
	for (int j = 0; j < q; j++)
		for (int i = 0; i <= j; i++)
			CHECK_CLOSE(b->comoment[i + j * q], comoment[i + j * q], comoment_tol);
}

static void
moments_one_block_matches_two_pass(void)
{
	double		rows[NROWS * MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	MomentsBuf	b;
	const int	all[] = {NROWS};

	make_rows(rows, NROWS, 11);
	two_pass(rows, NROWS, MAXQ, mean, comoment);
	buf_init(&b, MAXQ);
	add_blocks(&b, rows, 0, NROWS, all, 1);
	check_state(&b, NROWS, mean, comoment, 1e-12, 1e-12);
}

static void
moments_many_blocks_match_two_pass(void)
{
	double		rows[NROWS * MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	MomentsBuf	b;
	const int	sizes[] = {1, 2, 7, 1, 3, 5};

	make_rows(rows, NROWS, 12);
	two_pass(rows, NROWS, MAXQ, mean, comoment);
	buf_init(&b, MAXQ);
	add_blocks(&b, rows, 0, NROWS, sizes, 6);
	check_state(&b, NROWS, mean, comoment, 1e-12, 1e-12);
}

static void
moments_single_rows_match_two_pass(void)
{
	double		rows[NROWS * MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	MomentsBuf	b;
	const int	one[] = {1};

	make_rows(rows, NROWS, 13);
	two_pass(rows, NROWS, MAXQ, mean, comoment);
	buf_init(&b, MAXQ);
	add_blocks(&b, rows, 0, NROWS, one, 1);
	check_state(&b, NROWS, mean, comoment, 1e-12, 1e-12);
}

static void
moments_merge_halves_matches_two_pass(void)
{
	double		rows[NROWS * MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	double		work[PROMO_MOMENTS_WORK(MAXQ)];
	MomentsBuf	a;
	MomentsBuf	b;
	const int	sizes_a[] = {10};
	const int	sizes_b[] = {4, 9};
	int			half = 25;

	make_rows(rows, NROWS, 14);
	two_pass(rows, NROWS, MAXQ, mean, comoment);

	buf_init(&a, MAXQ);
	buf_init(&b, MAXQ);
	add_blocks(&a, rows, 0, half, sizes_a, 1);
	add_blocks(&b, rows, half, NROWS, sizes_b, 2);
	CHECK(a.n == (double) half);
	CHECK(b.n == (double) (NROWS - half));
	promo_moments_merge(&a.m, &b.m, work);
	check_state(&a, NROWS, mean, comoment, 1e-12, 1e-12);

	/* The other way round gives the same. */
	buf_init(&a, MAXQ);
	buf_init(&b, MAXQ);
	add_blocks(&a, rows, 0, half, sizes_a, 1);
	add_blocks(&b, rows, half, NROWS, sizes_b, 2);
	promo_moments_merge(&b.m, &a.m, work);
	check_state(&b, NROWS, mean, comoment, 1e-12, 1e-12);
}

/*
 * Rows 1e9 + v.  The v are multiples of 2^-10, so every 1e9 + v is exact
 * and the offset-removed values are exactly v.  A plain sum of squares
 * would lose every digit here (squares near 1e18 against co-moments near
 * 1e2).
 */
#define OFFSET 1e9

static void
make_offset_rows(double *rows, double *small, int nrows, uint64_t seed)
{
	make_rows(small, nrows, seed);
	for (int i = 0; i < nrows * MAXQ; i++)
	{
		small[i] = round(small[i] * 1024.0) / 1024.0;
		rows[i] = OFFSET + small[i];
	}
}

/*
 * The mean of 1e9 + v is 1e9 + mean(v) rounded to the spacing of doubles
 * near 1e9 (2^-23, about 1.2e-7).
 */
static void
check_offset_mean(const MomentsBuf *b, const double *small_mean)
{
	for (int j = 0; j < MAXQ; j++)
		CHECK_ABS(promo_moments_mean(&b->m, j) - OFFSET, small_mean[j], 0x1.0p-23);
}

/* Upper co-moment triangle against the two-pass one of the values v. */
static void
check_offset_comoment(const MomentsBuf *b, const double *comoment)
{
	for (int j = 0; j < MAXQ; j++)
		for (int i = 0; i <= j; i++)
			CHECK_CLOSE(b->comoment[i + j * MAXQ], comoment[i + j * MAXQ], 1e-12);
}

static void
moments_huge_offset_one_block(void)
{
	double		rows[NROWS * MAXQ];
	double		small[NROWS * MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	MomentsBuf	b;
	const int	all[] = {NROWS};

	make_offset_rows(rows, small, NROWS, 21);
	two_pass(small, NROWS, MAXQ, mean, comoment);
	buf_init(&b, MAXQ);
	add_blocks(&b, rows, 0, NROWS, all, 1);
	CHECK(b.n == (double) NROWS);
	check_offset_mean(&b, mean);
	check_offset_comoment(&b, comoment);
}

static void
moments_huge_offset_blocks_and_merge(void)
{
	double		rows[NROWS * MAXQ];
	double		small[NROWS * MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	double		work[PROMO_MOMENTS_WORK(MAXQ)];
	MomentsBuf	a;
	MomentsBuf	b;
	const int	sizes[] = {1, 6, 2, 11};

	make_offset_rows(rows, small, NROWS, 22);
	two_pass(small, NROWS, MAXQ, mean, comoment);

	/* many blocks */
	buf_init(&a, MAXQ);
	add_blocks(&a, rows, 0, NROWS, sizes, 4);
	CHECK(a.n == (double) NROWS);
	check_offset_mean(&a, mean);
	check_offset_comoment(&a, comoment);

	/* two streams merged */
	buf_init(&a, MAXQ);
	buf_init(&b, MAXQ);
	add_blocks(&a, rows, 0, 30, sizes, 4);
	add_blocks(&b, rows, 30, NROWS, sizes, 4);
	promo_moments_merge(&a.m, &b.m, work);
	CHECK(a.n == (double) NROWS);
	check_offset_mean(&a, mean);
	check_offset_comoment(&a, comoment);
}

/* Two streams far apart: one near 0, one near 1e9. */
static void
moments_merge_streams_far_apart(void)
{
	double		rows[NROWS * MAXQ];
	double		small[NROWS * MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	double		work[PROMO_MOMENTS_WORK(MAXQ)];
	MomentsBuf	a;
	MomentsBuf	b;
	const int	sizes[] = {5};
	int			half = 20;

	/* the first rows without the offset: all values exact */
	make_offset_rows(rows, small, NROWS, 23);
	memcpy(rows, small, sizeof(double) * half * MAXQ);
	two_pass(rows, NROWS, MAXQ, mean, comoment);

	buf_init(&a, MAXQ);
	buf_init(&b, MAXQ);
	add_blocks(&a, rows, 0, half, sizes, 1);
	add_blocks(&b, rows, half, NROWS, sizes, 1);
	promo_moments_merge(&a.m, &b.m, work);
	check_state(&a, NROWS, mean, comoment, 1e-12, 1e-12);
}

static void
moments_merge_empty_is_noop(void)
{
	double		rows[NROWS * MAXQ];
	double		work[PROMO_MOMENTS_WORK(MAXQ)];
	MomentsBuf	a;
	MomentsBuf	before;
	MomentsBuf	e;
	const int	sizes[] = {7};

	make_rows(rows, NROWS, 31);
	buf_init(&a, MAXQ);
	add_blocks(&a, rows, 0, NROWS, sizes, 1);
	buf_init(&before, MAXQ);
	add_blocks(&before, rows, 0, NROWS, sizes, 1);

	/* An empty other side (its NaN storage not even read). */
	buf_init(&e, MAXQ);
	promo_moments_merge(&a.m, &e.m, work);
	CHECK(a.n == before.n);
	for (int j = 0; j < MAXQ; j++)
		CHECK(promo_moments_mean(&a.m, j) == promo_moments_mean(&before.m, j));
	for (int j = 0; j < MAXQ; j++)
		for (int i = 0; i <= j; i++)
			CHECK(a.comoment[i + j * MAXQ] == before.comoment[i + j * MAXQ]);

	/* Zero rows added. */
	promo_moments_add_rows(&a.m, rows, 0, work);
	CHECK(a.n == before.n);
	for (int j = 0; j < MAXQ; j++)
		CHECK(promo_moments_mean(&a.m, j) == promo_moments_mean(&before.m, j));

	/* An empty state taking a full one becomes exactly that one. */
	buf_init(&e, MAXQ);
	promo_moments_merge(&e.m, &a.m, work);
	CHECK(e.n == a.n);
	for (int j = 0; j < MAXQ; j++)
		CHECK(promo_moments_mean(&e.m, j) == promo_moments_mean(&a.m, j));
	for (int j = 0; j < MAXQ; j++)
		for (int i = 0; i <= j; i++)
			CHECK(e.comoment[i + j * MAXQ] == a.comoment[i + j * MAXQ]);

	/* Two empty states stay empty. */
	buf_init(&a, MAXQ);
	buf_init(&e, MAXQ);
	promo_moments_merge(&a.m, &e.m, work);
	CHECK(a.n == 0.0);
}

static void
moments_single_row_has_zero_comoment(void)
{
	double		row[MAXQ] = {1.25, -3.5, 1e9 + 0.125, 0.1};
	double		copy[MAXQ];
	double		work[PROMO_MOMENTS_WORK(MAXQ)];
	MomentsBuf	b;

	memcpy(copy, row, sizeof(row));
	buf_init(&b, MAXQ);
	promo_moments_add_rows(&b.m, copy, 1, work);
	CHECK(b.n == 1.0);
	for (int j = 0; j < MAXQ; j++)
		CHECK(promo_moments_mean(&b.m, j) == row[j]);
	for (int j = 0; j < MAXQ; j++)
		for (int i = 0; i <= j; i++)
			CHECK(b.comoment[i + j * MAXQ] == 0.0);
}

const UnitTest unit_moments_tests[] = {
	UNIT_TEST(moments_one_block_matches_two_pass),
	UNIT_TEST(moments_many_blocks_match_two_pass),
	UNIT_TEST(moments_single_rows_match_two_pass),
	UNIT_TEST(moments_merge_halves_matches_two_pass),
	UNIT_TEST(moments_huge_offset_one_block),
	UNIT_TEST(moments_huge_offset_blocks_and_merge),
	UNIT_TEST(moments_merge_streams_far_apart),
	UNIT_TEST(moments_merge_empty_is_noop),
	UNIT_TEST(moments_single_row_has_zero_comoment),
	{NULL, NULL}
};
