/*
 * fuzz_core.c
 *		libFuzzer target for the C core: any input must neither crash nor
 *		break the invariants the glue relies on.
 *
 * The first byte picks a core module (assign, finite, kmeans, linreg,
 * logreg, markov, metrics, moments, offers, scaler and clip, similarity); the rest is read as parameters and as
 * doubles (non-finite ones are replaced where the glue rejects them).
 * Each module's function calls every entry point of its header.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "clip.h"
#include "finite.h"
#include "kmeans.h"
#include "linreg.h"
#include "logreg.h"
#include "markov.h"
#include "metrics.h"
#include "moments.h"
#include "offers.h"
#include "scaler.h"
#include "score.h"
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

/* The next double as it is, NaN and infinities included. */
static double
NextRawDouble(Input *in)
{
	double		v = 0.0;

	if (in->at + sizeof(v) <= in->size)
	{
		memcpy(&v, in->data + in->at, sizeof(v));
		in->at += sizeof(v);
	}
	return v;
}

/* A small value (-8 to 8 in steps of 1/16): sums of these stay exact. */
static double
NextSmall(Input *in)
{
	return ((int) NextByte(in) - 128) / 16.0;
}

/* Deterministic uniform draws from the input, for seeding. */
static double
Uniform(void *ctx)
{
	return NextByte((Input *) ctx) / 256.0;
}

/* Abort on a broken invariant, naming it, so the fuzzer reports it. */
static void
RequireAt(int ok, const char *what, int line)
{
	if (!ok)
	{
		fprintf(stderr, "fuzz_core.c:%d: invariant broken: %s\n", line, what);
		abort();
	}
}

#define Require(ok) RequireAt((ok), #ok, __LINE__)

/* The finiteness test agrees with isfinite on every element. */
static void
FuzzFinite(Input *in)
{
	int			n = NextByte(in) % 40;
	double		v[40];
	bool		all = true;

	for (int i = 0; i < n; i++)
	{
		v[i] = NextByte(in) & 1 ? NextRawDouble(in) : NextSmall(in);
		all = all && isfinite(v[i]);
	}
	Require(promo_all_finite(v, n) == all);
}

/* Moments: merged streams give the counts and means of the whole. */
static void
FuzzMoments(Input *in)
{
	int			q = 1 + NextByte(in) % 5;
	int			n = NextByte(in) % 40;
	int			half = n > 0 ? NextByte(in) % (n + 1) : 0;
	double		rows[40 * 5], copy[40 * 5], sum[5] = {0};
	double		n1 = 0, n2 = 0, n3 = 0;
	double		st[3][5 + 5 + 25];
	double		work[PROMO_MOMENTS_WORK(5)];
	PromoMoments whole = {q, &n1, st[0], st[0] + 5, st[0] + 10};
	PromoMoments a = {q, &n2, st[1], st[1] + 5, st[1] + 10};
	PromoMoments b = {q, &n3, st[2], st[2] + 5, st[2] + 10};

	for (int i = 0; i < n * q; i++)
	{
		rows[i] = copy[i] = NextSmall(in);
		sum[i % q] += rows[i];
	}
	promo_moments_add_rows(&whole, rows, n, work);
	promo_moments_add_rows(&a, copy, half, work);
	promo_moments_add_rows(&b, copy + half * q, n - half, work);
	promo_moments_merge(&a, &b, work);
	Require(n1 == n && n2 == n);
	for (int i = 0; i < q && n > 0; i++)
	{
		Require(fabs(promo_moments_mean(&whole, i) - sum[i] / n) <= 1e-9);
		Require(fabs(promo_moments_mean(&a, i) - sum[i] / n) <= 1e-9);
		/* A variance is never negative beyond rounding. */
		Require(whole.comoment[i + i * q] >= -1e-9 && a.comoment[i + i * q] >= -1e-9);
	}
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
	int		   *iwork = malloc(sizeof(int) * promo_linreg_work_ints(d));
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
	/*
	 * A fit it accepts has finite estimates and standard errors, and
	 * predicts the intercept at the origin.
	 */
	if (n > 0 && promo_linreg_fit(&m, &fit, &bad, work, iwork) == PROMO_LINREG_OK)
	{
		double		origin[5] = {0};

		for (int j = 0; j < q; j++)
			Require(isfinite(fit.estimate[j]) && isfinite(fit.std_error[j]));
		Require(promo_linreg_predict(fit.estimate, d, origin) == fit.estimate[0]);
	}
	free(iwork);
	free(work);
}

/* A scaler view onto 6 x d doubles laid out as in a state. */
static PromoScalerStats
ScalerOn(int d, double *st)
{
	PromoScalerStats s = {d, st, st + d, st + 2 * d, st + 3 * d, st + 4 * d, st + 5 * d};

	return s;
}

/*
 * Scaler: two merged halves have the counts, min and max of the whole,
 * std is never negative, standardize maps missing values to 0 and
 * clipping stays in bounds.
 */
static void
FuzzScaler(Input *in)
{
	int			d = 1 + NextByte(in) % 4;
	int			n = NextByte(in) % 30;
	int			half = NextByte(in) % (n + 1);
	double		st[3][6 * 4] = {{0}};
	double		x[4], out[4], mean[4], std[4], lo[4], hi[4];
	bool		isnull[4];
	int			where;
	PromoScalerStats s = ScalerOn(d, st[0]);
	PromoScalerStats a = ScalerOn(d, st[1]);
	PromoScalerStats b = ScalerOn(d, st[2]);

	for (int r = 0; r < n; r++)
	{
		for (int j = 0; j < d; j++)
		{
			x[j] = NextDouble(in);
			isnull[j] = NextByte(in) & 1;
		}
		promo_scaler_add(&s, x, isnull);
		promo_scaler_add(r < half ? &a : &b, x, isnull);
		promo_clip_values(d, x, isnull, x, x, out);
	}
	promo_scaler_merge(&a, &b);
	/* Statistics it accepts have min <= max wherever there are values. */
	if (promo_scaler_check(&a, &where) == PROMO_SCALER_OK)
		for (int j = 0; j < d; j++)
			Require(a.count[j] == 0 || a.min[j] <= a.max[j]);
	promo_scaler_mean(&s, mean);
	promo_scaler_std(&s, std);
	for (int j = 0; j < d; j++)
	{
		Require(s.count[j] <= n && a.count[j] == s.count[j]);
		Require(s.count[j] == 0 || (a.min[j] == s.min[j] && a.max[j] == s.max[j]));
		Require(isnan(std[j]) || std[j] >= 0);
		x[j] = NextDouble(in);
		isnull[j] = NextByte(in) & 1;
	}
	promo_scaler_standardize(d, mean, std, x, isnull, out);
	for (int j = 0; j < d; j++)
		Require(!isnull[j] || out[j] == 0.0);
	for (int j = 0; j < d; j++)
	{
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

/*
 * Scoring a fitted model: each row's nearest centroid is no farther than
 * any other, and its simplified silhouette lies in [-1, 1].
 */
static void
FuzzKmeansScoring(const double *x, size_t n, int d, int k,
				  const double *centroids)
{
	for (size_t i = 0; i < n; i++)
	{
		double		dist2;
		int			c = promo_kmeans_nearest(centroids, k, d, x + i * d, &dist2);

		Require(c >= 0 && c < k && dist2 == promo_sqdist(centroids + c * d, x + i * d, d));
		for (int j = 0; j < k; j++)
			Require(dist2 <= promo_sqdist(centroids + j * d, x + i * d, d));
		if (k >= 2)
		{
			double		s = promo_kmeans_silhouette(centroids, k, d, x + i * d);

			Require(s >= -1.0 && s <= 1.0);
		}
	}
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
		x[i] = NextDouble(in) / 1e155;	/* the fit's domain: the glue refuses
										 * rows whose squares overflow */
	if ((size_t) k <= n && promo_kmeans_plusplus(x, n, d, k, centroids, work, &hooks) == k)
	{
		res = promo_kmeans_lloyd(x, n, d, k, centroids, NextByte(in) % 8, 0.0,
								 labels, sizes, work, &hooks);
		for (int c = 0; c < k; c++)
			total += sizes[c];
		Require(total == (double) n);
		Require(res.inertia >= 0);
		FuzzKmeansScoring(x, n, d, k, centroids);
		{
			/* a point whose squared distances overflow is infinitely far */
			double		far[3] = {1e300, 1e300, 1e300};
			double		dist2;

			promo_kmeans_nearest(centroids, k, d, far, &dist2);
			Require(isinf(dist2));
		}
	}
	/* Random seeding places distinct rows, at most k. */
	if ((size_t) k <= n)
	{
		size_t	   *perm = malloc(sizeof(size_t) * n);

		Require(promo_kmeans_random(x, n, d, k, centroids, perm, &hooks) <= k);
		free(perm);
	}
	free(work);
}

/*
 * Markov: event names map to their states and back; a sequence split in
 * two and concatenated counts as the whole; a closed sequence is valid
 * counts with probabilities in [0, 1]; forged counts never crash.
 */
static void
FuzzMarkov(Input *in)
{
	double		seq[PROMO_MARKOV_SEQ_LEN], left[PROMO_MARKOV_SEQ_LEN],
				right[PROMO_MARKOV_SEQ_LEN];
	double		counts[PROMO_MARKOV_COUNTS] = {0}, joined[PROMO_MARKOV_COUNTS] = {0};
	double		prob[PROMO_MARKOV_VISITS], p[PROMO_MARKOV_STATES];
	char		name[8];
	size_t		len = NextByte(in) % sizeof(name);
	int			n = NextByte(in) % 30;
	int			half = NextByte(in) % (n + 1);
	int			where;

	for (size_t i = 0; i < len; i++)
		name[i] = NextByte(in) % 2 ? "acehinprtuvw"[NextByte(in) % 12] : (char) NextByte(in);
	where = promo_markov_event_state(name, len);
	Require(where == -1 || (where >= PROMO_MARKOV_VIEW && where <= PROMO_MARKOV_RATING &&
							strlen(promo_markov_state_name(where)) == len));
	promo_markov_sequence_init(seq);
	promo_markov_sequence_init(left);
	promo_markov_sequence_init(right);
	for (int i = 0; i < n; i++)
	{
		int			state = 1 + NextByte(in) % 4;

		Require(promo_markov_event_state(promo_markov_state_name(state),
										 strlen(promo_markov_state_name(state))) == state);
		promo_markov_sequence_add(seq, state);
		promo_markov_sequence_add(i < half ? left : right, state);
	}
	promo_markov_sequence_concat(left, right);
	Require(memcmp(seq, left, sizeof(seq)) == 0);
	if (promo_markov_sequence_close(seq, counts))
	{
		Require(promo_markov_counts_add(joined, counts));
		Require(promo_markov_counts_add(joined, counts));
		Require(promo_markov_counts_check(joined, &where) == PROMO_MARKOV_OK);
		Require(promo_markov_purchase_probability(counts, p) == PROMO_MARKOV_OK);
		for (int i = 0; i < PROMO_MARKOV_STATES; i++)
			Require(isnan(p[i]) || (p[i] >= 0.0 && p[i] <= 1.0));
		promo_markov_transition_probabilities(counts, prob);
		for (int i = 0; i < PROMO_MARKOV_VISITS; i++)
			Require(isnan(prob[i]) || (prob[i] >= 0.0 && prob[i] <= 1.0));
	}
	/* Forged counts: checked, and read only when valid. */
	for (int i = 0; i < PROMO_MARKOV_COUNTS; i++)
		counts[i] = NextByte(in) % 2 ? NextByte(in) % 4 : NextDouble(in);
	if (promo_markov_counts_check(counts, &where) == PROMO_MARKOV_OK)
	{
		promo_markov_transition_probabilities(counts, prob);
		(void) promo_markov_purchase_probability(counts, p);
	}
}

/*
 * Metrics: AUC in [0, 1] and the same from sorted runs merged; log loss,
 * Brier, calibration and regression states merged from two halves count
 * every row; log loss and Brier in range, RMSE >= MAE >= 0, R2 <= 1.
 */
static void
FuzzMetrics(Input *in)
{
	size_t		n = NextByte(in) % 30;
	size_t		half = NextByte(in) % (n + 1);
	int			bins = 1 + NextByte(in) % 20;
	PromoScoredRow rows[30], sorted[30], merged[30];
	double		p[30], y[30], pred[30];
	double		prob[2][PROMO_PROB_STATE_LENGTH] = {{0}};
	double		cal[2][PROMO_CALIBRATION_STATE_LENGTH(20)] = {{0}};
	double		reg[2][PROMO_REGRESSION_STATE_LENGTH] = {{0}};
	double		auc, total = 0;

	for (size_t i = 0; i < n; i++)
	{
		rows[i].score = NextSmall(in);
		rows[i].label = y[i] = NextByte(in) & 1;
		p[i] = NextByte(in) / 255.0;
		pred[i] = NextSmall(in);
		Require(promo_calibration_bin(p[i], bins) >= 0 && promo_calibration_bin(p[i], bins) < bins);
	}
	memcpy(sorted, rows, sizeof(rows));
	auc = promo_auc(sorted, n);
	Require(isnan(auc) || (auc >= 0.0 && auc <= 1.0));
	memcpy(sorted, rows, sizeof(rows));
	promo_auc_sort(sorted, half);
	promo_auc_sort(sorted + half, n - half);
	promo_auc_merge(sorted, half, sorted + half, n - half, merged);
	Require(isnan(auc) ? isnan(promo_auc_sorted(merged, n)) :
			fabs(promo_auc_sorted(merged, n) - auc) <= 1e-12);

	promo_prob_accum(prob[0], p, y, half);
	promo_prob_accum(prob[1], p + half, y + half, n - half);
	promo_prob_merge(prob[0], prob[1]);
	promo_calibration_accum(cal[0], bins, p, y, half);
	promo_calibration_accum(cal[1], bins, p + half, y + half, n - half);
	promo_calibration_merge(cal[0], cal[1], bins);
	promo_regression_accum(reg[0], pred, y, half);
	promo_regression_accum(reg[1], pred + half, y + half, n - half);
	promo_regression_merge(reg[0], reg[1]);
	Require(prob[0][0] == n && reg[0][0] == n);
	for (int b = 0; b < bins; b++)
	{
		double		count, mean_p, rate;

		promo_calibration_get(cal[0], b, &count, &mean_p, &rate);
		total += count;
		Require(count == 0 || (mean_p >= 0.0 && mean_p <= 1.0 && rate >= 0.0 && rate <= 1.0));
	}
	Require(total == n);
	if (n > 0)
	{
		Require(promo_log_loss(prob[0]) >= 0.0 && promo_log_loss(prob[0]) <= 36.05);
		Require(promo_brier(prob[0]) >= 0.0 && promo_brier(prob[0]) <= 1.0);
		Require(promo_mae(reg[0]) >= 0.0 && promo_rmse(reg[0]) >= promo_mae(reg[0]) * (1 - 1e-12));
		Require(isnan(promo_r2(reg[0])) || promo_r2(reg[0]) <= 1.0 + 1e-12);
	}
}

/*
 * The moments of rows split in two and merged count the rows of the whole
 * and are valid moments, whatever the values.
 */
static void
CheckLogregMoments(const double *x, const double *y, const double *w, int n,
				   int d)
{
	size_t		len = promo_logreg_moments_length(d);
	double	   *head = malloc(sizeof(double) * len);
	double	   *tail = malloc(sizeof(double) * len);
	double	   *whole = malloc(sizeof(double) * len);
	double	   *work = malloc(sizeof(double) * promo_logreg_moments_work(d));
	int			cut = n / 3;

	promo_logreg_moments_zero(head, d);
	promo_logreg_moments_accum(head, d, x, y, w, cut, work);
	promo_logreg_moments_zero(tail, d);
	promo_logreg_moments_accum(tail, d, x + (size_t) cut * d, y + cut,
							   w ? w + cut : NULL, n - cut, work);
	promo_logreg_moments_merge(head, tail, d, work);
	promo_logreg_moments_zero(whole, d);
	promo_logreg_moments_accum(whole, d, x, y, w, n, work);
	Require(promo_logreg_moments_valid(head, d));
	Require(head[PROMO_LOGREG_S_N] == whole[PROMO_LOGREG_S_N]);
	Require(head[PROMO_LOGREG_S_N1] == whole[PROMO_LOGREG_S_N1]);
	free(work);
	free(whole);
	free(tail);
	free(head);
}

/*
 * Logistic regression: options are valid or named; a fit it returns has
 * probabilities in [0, 1] at every row and p values in [0, 1].
 */
static void
FuzzLogreg(Input *in)
{
	int			d = 1 + NextByte(in) % 4;
	size_t		n = NextByte(in) % 40;
	bool		weighted = NextByte(in) & 1;
	double		x[40 * 4], y[40], w[40], est[5 * 4], mean[4];
	PromoLogregOptions opt = promo_logreg_default_options();
	PromoLogregFit fit = {0};
	PromoLogregStatus status;
	double	   *work = malloc(sizeof(double) * promo_logreg_fit_work(d));
	int		   *iwork = malloc(sizeof(int) * promo_logreg_fit_iwork(d));
	int			bad;

	Require(promo_logreg_invalid_option(&opt) == NULL);
	opt.max_iter = NextByte(in) % 60;
	opt.tol = NextSmall(in) / 1e6;
	opt.lambda = NextSmall(in);
	for (size_t i = 0; i < n; i++)
	{
		for (int j = 0; j < d; j++)
			x[i * d + j] = NextSmall(in);
		y[i] = NextByte(in) & 1;
		w[i] = fabs(NextSmall(in));
	}
	CheckLogregMoments(x, y, weighted ? w : NULL, (int) n, d);
	fit.estimate = est;
	fit.std_error = est + 5;
	fit.z_value = est + 10;
	fit.p_value = est + 15;
	fit.mean = mean;
	if (promo_logreg_invalid_option(&opt) == NULL)
	{
		status = promo_logreg_fit(x, y, weighted ? w : NULL, n, d, &opt, &fit,
								  &bad, work, iwork, NULL);
		if (status < PROMO_LOGREG_FIRST_ERROR)
		{
			for (int j = 0; j <= d; j++)
				Require(isnan(fit.p_value[j]) || (fit.p_value[j] >= 0.0 && fit.p_value[j] <= 1.0));
			for (size_t i = 0; i < n; i++)
			{
				double		pr = promo_logreg_probability(promo_logreg_link(est, d, x + i * d));

				Require(isnan(pr) || (pr >= 0.0 && pr <= 1.0));
			}
		}
	}
	free(iwork);
	free(work);
}

/* Terms from the input: a kind, each parameter given or not, raw values. */
static PromoOfferTerms
NextOfferTerms(Input *in)
{
	PromoOfferTerms terms;

	terms.kind = (PromoOfferKind) (NextByte(in) % PROMO_OFFER_NKINDS);
	for (int i = 0; i < PROMO_OFFER_NPARAMS; i++)
	{
		uint8_t		how = NextByte(in);

		terms.given[i] = how & 1;
		/* raw doubles (NaN, infinities), or tidy values near the ranges */
		terms.value[i] = how & 2 ? NextRawDouble(in) : NextSmall(in) * 8.0 / 64.0 +
			(how & 4 ? 8.0 : 0.0);
	}
	return terms;
}

/* A basket mean and sd: raw doubles or moderate values. */
static double
NextBasketValue(Input *in)
{
	return NextByte(in) & 1 ? NextRawDouble(in) : fabs(NextSmall(in)) * 20.0;
}

/*
 * Offers: the check names a parameter on failure; valid offers have faces
 * in [0, b], expectations in [0, min(limit, r mean)] (a point when sd is
 * 0), finite costs and values unless sums near DBL_MAX overflow, and the
 * vector form agrees with the scalars.
 */
static void
FuzzOffers(Input *in)
{
	PromoOfferTerms terms = NextOfferTerms(in);
	PromoOffer	offer;
	PromoOfferParam param = PROMO_OFFER_NPARAMS;
	PromoOfferStatus status = promo_offer_init(&terms, &offer, &param);
	double		basket = fabs(NextBasketValue(in));
	double		mean = NextBasketValue(in);
	double		sd = NextBasketValue(in);
	double		p = NextByte(in) / 255.0;
	double		margin = NextSmall(in) / 8.0;
	double		face;
	double		value;
	double		cost;

	Require(promo_offer_kind_name(terms.kind) != NULL);
	if (status != PROMO_OFFER_OK)
	{
		Require(param < PROMO_OFFER_NPARAMS);
		return;
	}
	Require(offer.rate >= 0.0 && offer.rate <= 1.0 && offer.limit >= 0.0);
	if (isfinite(basket))
	{
		face = promo_offer_face(&offer, basket);
		Require(face >= 0.0 && face <= basket);
	}
	if (promo_offer_check_basket(mean, sd) != PROMO_BASKET_OK ||
		!promo_offer_margin_rate_ok(margin))
		return;
	face = promo_offer_expected_face(&offer, mean, sd);
	Require(face >= 0.0 && face <= offer.limit && face <= offer.rate * mean);
	if (sd == 0.0)
		Require(face == promo_offer_face(&offer, mean));
	cost = promo_offer_expected_cost(&offer, p, mean, sd);
	Require(cost >= offer.contact_cost);
	value = promo_offer_incremental_profit(&offer, p, mean, sd, p, mean, margin);
	/* sums of values near DBL_MAX may overflow (the glue reports that) */
	if (mean < 1e150 && offer.contact_cost < 1e150)
		Require(isfinite(cost) && isfinite(value) &&
				isfinite(promo_offer_expected_margin(&offer, mean, sd, margin)));
	{
		double		v1;
		double		c1;

		promo_offer_user_economics(1, &offer, &p, &mean, &sd, NULL, NULL, p, mean, margin,
							  &v1, &c1);
		Require((v1 == value || (isnan(v1) && isnan(value))) && c1 == cost);
	}
}

/* A cap from the input: none (INFINITY) or a positive small value. */
static double
NextCap(Input *in)
{
	double		v = fabs(NextSmall(in));

	return NextByte(in) & 1 ? INFINITY : v > 0.0 ? v : 0.5;
}

/*
 * Assignment: every offer given is usable, no cap is exceeded (summed in
 * user order), statuses agree with the offers, the dual bound is at least
 * the profit, and a second solve gives the same plan.
 */
static void
FuzzAssign(Input *in)
{
	size_t		n = NextByte(in) % 24;
	int			m = 1 + NextByte(in) % 4;
	double		v[24 * 4], c[24 * 4], r[24 * 4], ob[4], orr[4], ospend[4] = {0}, ored[4] = {0};
	int32_t		offer[24], offer2[24], runner[24];
	double		runner_value[24], offers[4 * PROMO_ASSIGN_OFFER_FIELDS];
	uint8_t		status[24];
	PromoAssignProblem p = promo_assign_problem(n, m, v, c, r);
	PromoAssignResult res = {offer, runner, runner_value, status, offers};
	PromoAssignResult res2 = {offer2, NULL, NULL, NULL, NULL};
	void	   *work = malloc(promo_assign_work_bytes(n, m));
	double		spend = 0.0, contacts = 0.0;

	for (size_t a = 0; a < n * (size_t) m; a++)
	{
		v[a] = NextByte(in) % 7 == 0 ? NAN : NextSmall(in);
		c[a] = fabs(NextSmall(in));
		r[a] = NextByte(in) / 255.0;
	}
	p.budget = NextCap(in);
	p.max_contacts = NextByte(in) & 1 ? INFINITY : 1 + NextByte(in) % 8;
	for (int j = 0; j < m; j++)
	{
		ob[j] = NextCap(in);
		orr[j] = NextCap(in);
	}
	p.offer_budget = ob;
	p.offer_redemptions = orr;
	p.min_roi = NextByte(in) & 1 ? 0.0 : NextByte(in) / 64.0;
	p.max_iter = 1 + NextByte(in) % 50;
	Require(promo_assign_invalid(&p) == NULL);
	promo_assign_solve(&p, &res, work, NULL);
	promo_assign_solve(&p, &res2, work, NULL);
	for (size_t i = 0; i < n; i++)
	{
		int			o = offer[i];
		bool		given = status[i] == PROMO_ASSIGN_GIVEN ||
			status[i] >= PROMO_ASSIGN_DOWNGRADED_BUDGET;

		Require(offer2[i] == o);
		Require(status[i] < PROMO_ASSIGN_STATUS_COUNT && given == (o >= 0));
		Require(runner[i] != o || o < 0);
		if (o < 0)
			continue;
		Require(o < m && v[i * m + o] > 0.0 && v[i * m + o] >= p.min_roi * c[i * m + o]);
		spend += c[i * m + o];
		contacts += 1.0;
		ospend[o] += c[i * m + o];
		ored[o] += r[i * m + o];
	}
	Require(spend <= p.budget && contacts <= p.max_contacts);
	for (int j = 0; j < m; j++)
		Require(ospend[j] <= ob[j] && ored[j] <= orr[j]);
	Require(spend == res.spend && res.dual_bound >= res.profit - 1e-9 * (1.0 + fabs(res.profit)));
	Require(res.gap >= 0.0 && res.gap <= 1.0);
	free(work);
}

/*
 * Scoring a user: probabilities in [0, 1], redemptions at most them,
 * costs at least the contact cost, values finite but NaN exactly where an
 * offer is not eligible, and a second call gives the same scores.
 */
static void
FuzzScore(Input *in)
{
	int			d = NextByte(in) % 4;
	int			k = 1 + NextByte(in) % 3;
	int			nrows = 1 + NextByte(in) % 3;
	double		weights[3 * 3], roff[4], boff[4], red[3], x[3], out1[12], out2[12], work[16];
	int			rrow[4];
	bool		elig[3];
	PromoOffer	offers[3];
	PromoScoreSpec spec;
	PromoUserScore a = {0, 0, out1, out1 + 3, out1 + 6, out1 + 9};
	PromoUserScore b = {0, 0, out2, out2 + 3, out2 + 6, out2 + 9};

	for (int i = 0; i < nrows * d; i++)
		weights[i] = NextSmall(in) / 16.0;
	for (int j = 0; j <= k; j++)
	{
		rrow[j] = NextByte(in) % nrows;
		roff[j] = NextSmall(in) / 8.0;
		boff[j] = 2.0 + NextSmall(in) / 32.0;
	}
	for (int j = 0; j < k; j++)
	{
		PromoOfferTerms terms = NextOfferTerms(in);
		PromoOfferParam param;

		if (promo_offer_init(&terms, &offers[j], &param) != PROMO_OFFER_OK)
		{
			terms.kind = PROMO_OFFER_PERCENT_OFF;
			memset(terms.given, 0, sizeof(terms.given));
			terms.given[PROMO_OFFER_PCT] = true;
			terms.value[PROMO_OFFER_PCT] = 0.1;
			Require(promo_offer_init(&terms, &offers[j], &param) == PROMO_OFFER_OK);
		}
		red[j] = NextByte(in) / 255.0;
		elig[j] = NextByte(in) & 1;
	}
	for (int i = 0; i < d; i++)
		x[i] = NextSmall(in) / 4.0;
	spec = (PromoScoreSpec) {
		d, k, nrows, weights, rrow, roff, (int) (NextByte(in) % (nrows + 1)) - 1, boff,
		fabs(NextSmall(in)) / 64.0, fmin(NextSmall(in) / 8.0, 1.0), offers, red
	};
	Require(promo_score_work_size(&spec) <= 16);
	promo_score_user(&spec, x, elig, work, &a);
	promo_score_user(&spec, x, elig, work, &b);
	Require(a.p_none >= 0.0 && a.p_none <= 1.0 && a.basket_none > 0.0);
	for (int j = 0; j < k; j++)
	{
		Require(a.p[j] >= 0.0 && a.p[j] <= 1.0);
		Require(a.redeem[j] >= 0.0 && a.redeem[j] <= a.p[j]);
		Require(isfinite(a.cost[j]) && a.cost[j] >= offers[j].contact_cost);
		Require(elig[j] ? isfinite(a.value[j]) : isnan(a.value[j]));
	}
	for (int j = 0; j < k; j++)
		Require(a.p[j] == b.p[j] && a.cost[j] == b.cost[j] &&
				(a.value[j] == b.value[j] || (isnan(a.value[j]) && isnan(b.value[j]))));
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Entry point: dispatch on the first byte. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {data, size, 0};

	switch (NextByte(&in) % 12)
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
		case 5:
			FuzzFinite(&in);
			break;
		case 6:
			FuzzMoments(&in);
			break;
		case 7:
			FuzzMetrics(&in);
			break;
		case 8:
			FuzzLogreg(&in);
			break;
		case 9:
			FuzzOffers(&in);
			break;
		case 10:
			FuzzAssign(&in);
			break;
		case 11:
			FuzzScore(&in);
			break;
	}
	return 0;
}
