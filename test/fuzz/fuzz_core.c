/*
 * fuzz_core.c
 *		libFuzzer target for the C core: any input must neither crash nor
 *		break the invariants the glue relies on.
 *
 * The first byte picks an algorithm; the rest is read as parameters and
 * as doubles (non-finite ones are replaced, as the glue rejects them).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clip.h"
#include "kmeans.h"
#include "linreg.h"
#include "markov.h"
#include "moments.h"
#include "scaler.h"
#include "similarity.h"

/* The fuzzer's bytes as a stream of parameters and doubles. */
typedef struct Input
{
	const uint8_t *data;
	size_t		size;
	size_t		at;
} Input;

/* The next byte, 0 once the input is used up. */
static uint8_t
NextByte(Input *in)
{
	return in->at < in->size ? in->data[in->at++] : 0;
}

/* The next double, finite (the glue never passes anything else). */
static double
NextDouble(Input *in)
{
	double		v = 0.0;

	if (in->at + sizeof(v) <= in->size)
	{
		memcpy(&v, in->data + in->at, sizeof(v));
		in->at += sizeof(v);
	}
	return isfinite(v) ? v : 1.0;
}

/* Deterministic uniform draws from the input, for seeding. */
static double
Uniform(void *ctx)
{
	return NextByte((Input *) ctx) / 256.0;
}

/* Abort on a broken invariant, so the fuzzer reports it. */
static void
Require(int ok)
{
	if (!ok)
		abort();
}

/* Least squares from streamed moments: estimates finite when it fits. */
static void
FuzzLinreg(Input *in)
{
	int			d = 1 + NextByte(in) % 5;
	int			q = d + 1;
	int			n = NextByte(in) % 40;
	double		nrows = 0;
	double		shift[6], mean[6], comoment[36];
	double		rows[40 * 6];
	double		est[6 * 4];
	double	   *work = malloc(sizeof(double) * (promo_linreg_work_doubles(d) + PROMO_MOMENTS_WORK(q)));
	int			iwork[6];
	int			bad;
	PromoMoments m = {q, &nrows, shift, mean, comoment};
	PromoLinregFit fit = {0};

	for (int i = 0; i < n * q; i++)
		rows[i] = NextDouble(in);
	promo_moments_add_rows(&m, rows, n / 2, work);
	promo_moments_add_rows(&m, rows + (n / 2) * q, n - n / 2, work);
	fit.estimate = est;
	fit.std_error = est + q;
	fit.t_value = est + 2 * q;
	fit.p_value = est + 3 * q;
	/* A fit it accepts has finite estimates and standard errors. */
	if (n > 0 && promo_linreg_fit(&m, &fit, &bad, work, iwork) == PROMO_LINREG_OK)
		for (int j = 0; j < q; j++)
			Require(isfinite(fit.estimate[j]) && isfinite(fit.std_error[j]));
	free(work);
}

/* Scaler: counts add up, std never negative, clipping stays in bounds. */
static void
FuzzScaler(Input *in)
{
	int			d = 1 + NextByte(in) % 4;
	int			n = NextByte(in) % 30;
	double		st[7 * 4] = {0};
	double		out[4], std[4], lo[4], hi[4];
	PromoScalerStats s = {d, st, st + 4, st + 8, st + 12, st + 16, st + 20};

	for (int r = 0; r < n; r++)
	{
		double		x[4];
		bool		isnull[4];

		for (int j = 0; j < d; j++)
		{
			x[j] = NextDouble(in);
			isnull[j] = NextByte(in) & 1;
		}
		promo_scaler_add(&s, x, isnull);
		promo_clip_values(d, x, isnull, x, x, out);
	}
	promo_scaler_std(&s, std);
	for (int j = 0; j < d; j++)
	{
		Require(s.count[j] <= n);
		Require(isnan(std[j]) || std[j] >= 0);
		lo[j] = NextDouble(in);
		hi[j] = lo[j] + fabs(NextDouble(in));
	}
	promo_clip_values(d, std, NULL, lo, hi, out);
	for (int j = 0; j < d; j++)
		Require(isnan(std[j]) || (out[j] >= lo[j] && out[j] <= hi[j]));
}

/* Cosine and Pearson stay within [-1, 1] when defined. */
static void
FuzzSimilarity(Input *in)
{
	int			n = NextByte(in) % 20;
	double		a[20], b[20], work[40], r;

	for (int i = 0; i < n; i++)
	{
		a[i] = NextDouble(in);
		b[i] = NextDouble(in);
	}
	if (promo_cosine_similarity(a, b, n, work, &r))
		Require(r >= -1.0 && r <= 1.0);
	if (promo_pearson_correlation(a, b, n, work, &r))
		Require(r >= -1.0 && r <= 1.0);
}

/* k-means: sizes add up to the rows, inertia not negative. */
static void
FuzzKmeans(Input *in)
{
	int			d = 1 + NextByte(in) % 3;
	size_t		n = 1 + NextByte(in) % 40;
	int			k = 1 + NextByte(in) % 5;
	double		x[40 * 3], centroids[5 * 3], sizes[5];
	int			labels[40];
	double	   *work = malloc(sizeof(double) * promo_kmeans_work_doubles(n, d, k));
	PromoKmeansHooks hooks = {in, Uniform, NULL, NULL};
	PromoKmeansResult res;
	double		total = 0;

	for (size_t i = 0; i < n * d; i++)
		x[i] = NextDouble(in) / 1e150;	/* squared distances stay finite */
	if ((size_t) k <= n && promo_kmeans_plusplus(x, n, d, k, centroids, work, &hooks) == k)
	{
		res = promo_kmeans_lloyd(x, n, d, k, centroids, NextByte(in) % 8, 0.0,
								 labels, sizes, work, &hooks);
		for (int c = 0; c < k; c++)
			total += sizes[c];
		Require(total == (double) n);
		Require(res.inertia >= 0);
	}
	free(work);
}

/* Markov: any event sequence closes into valid counts. */
static void
FuzzMarkov(Input *in)
{
	double		seq[PROMO_MARKOV_SEQ_LEN], counts[PROMO_MARKOV_COUNTS] = {0};
	double		p[PROMO_MARKOV_STATES];
	int			n = NextByte(in) % 30;
	int			where;

	promo_markov_sequence_init(seq);
	for (int i = 0; i < n; i++)
		promo_markov_sequence_add(seq, 1 + NextByte(in) % 4);
	if (promo_markov_sequence_close(seq, counts))
	{
		Require(promo_markov_counts_check(counts, &where) == PROMO_MARKOV_OK);
		Require(promo_markov_purchase_probability(counts, p) == PROMO_MARKOV_OK);
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Entry point: dispatch on the first byte. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {data, size, 0};

	switch (NextByte(&in) % 5)
	{
		case 0:
			FuzzLinreg(&in);
			break;
		case 1:
			FuzzScaler(&in);
			break;
		case 2:
			FuzzSimilarity(&in);
			break;
		case 3:
			FuzzKmeans(&in);
			break;
		case 4:
			FuzzMarkov(&in);
			break;
	}
	return 0;
}
