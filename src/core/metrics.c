/*
 * metrics.c
 *		Classifier and regression metrics from mergeable states.
 */
#include "metrics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "moments.h"

/* ---- ROC AUC ------------------------------------------------------------ */

/* qsort order of scored rows: ascending score. */
static int
CompareScore(const void *a, const void *b)
{
	double		sa = ((const PromoScoredRow *) a)->score;
	double		sb = ((const PromoScoredRow *) b)->score;

	return (sa > sb) - (sa < sb);
}

/* Sort rows by ascending score. */
void
promo_auc_sort(PromoScoredRow *rows, size_t n)
{
	qsort(rows, n, sizeof(PromoScoredRow), CompareScore);
}

/* Merge two runs sorted by score into out. */
void
promo_auc_merge(const PromoScoredRow *a, size_t na,
				const PromoScoredRow *b, size_t nb, PromoScoredRow *out)
{
	size_t		i = 0;
	size_t		j = 0;

	while (i < na && j < nb)
		*out++ = b[j].score < a[i].score ? b[j++] : a[i++];
	while (i < na)
		*out++ = a[i++];
	while (j < nb)
		*out++ = b[j++];
}

/* ROC AUC as the Mann-Whitney statistic, ties counting one half. */
double
promo_auc(PromoScoredRow *rows, size_t n)
{
	promo_auc_sort(rows, n);
	return promo_auc_sorted(rows, n);
}

/* The Mann-Whitney AUC of rows sorted by ascending score. */
double
promo_auc_sorted(const PromoScoredRow *rows, size_t n)
{
	double		negatives_below = 0.0;
	double		positives = 0.0;
	double		u = 0.0;

	for (size_t i = 0; i < n;)
	{
		double		pos = 0.0;
		double		neg = 0.0;
		size_t		j = i;

		/* One group of tied scores. */
		for (; j < n && rows[j].score == rows[i].score; j++)
		{
			if (rows[j].label != 0.0)
				pos += 1.0;
			else
				neg += 1.0;
		}
		u += pos * negatives_below + 0.5 * pos * neg;
		negatives_below += neg;
		positives += pos;
		i = j;
	}
	if (positives == 0.0 || negatives_below == 0.0)
		return NAN;
	return u / (positives * negatives_below);
}

/* ---- log loss and Brier score ------------------------------------------- */

/* Add rows to a log loss / Brier state. */
void
promo_prob_accum(double *state, const double *p, const double *label, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		double		pc = fmin(fmax(p[i], DBL_EPSILON), 1.0 - DBL_EPSILON);
		double		err = p[i] - label[i];

		state[0] += 1.0;
		state[1] -= label[i] != 0.0 ? log(pc) : log1p(-pc);
		state[2] += err * err;
	}
}

/* Merge another log loss / Brier state. */
void
promo_prob_merge(double *state, const double *other)
{
	for (int i = 0; i < PROMO_PROB_STATE_LENGTH; i++)
		state[i] += other[i];
}

/* Mean log loss. */
double
promo_log_loss(const double *state)
{
	return state[0] > 0.0 ? state[1] / state[0] : NAN;
}

/* Mean squared error of the probabilities. */
double
promo_brier(const double *state)
{
	return state[0] > 0.0 ? state[2] / state[0] : NAN;
}

/* ---- calibration -------------------------------------------------------- */

/* Bin of a probability: floor(p * bins), 1 in the last bin. */
int
promo_calibration_bin(double p, int bins)
{
	double		b = floor(p * bins);

	if (b < 0.0)
		return 0;
	return b >= bins ? bins - 1 : (int) b;
}

/* Add rows to a calibration state. */
void
promo_calibration_accum(double *state, int bins, const double *p,
						const double *label, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		double	   *bin = state + 3 * (size_t) promo_calibration_bin(p[i], bins);

		bin[0] += 1.0;
		bin[1] += p[i];
		bin[2] += label[i];
	}
}

/* Merge another calibration state of as many bins. */
void
promo_calibration_merge(double *state, const double *other, int bins)
{
	for (size_t i = 0; i < PROMO_CALIBRATION_STATE_LENGTH(bins); i++)
		state[i] += other[i];
}

/* Rows, mean probability and observed rate of bin b. */
void
promo_calibration_get(const double *state, int b, double *count,
					  double *mean_p, double *rate)
{
	const double *bin = state + 3 * (size_t) b;

	*count = bin[0];
	*mean_p = bin[0] > 0.0 ? bin[1] / bin[0] : NAN;
	*rate = bin[0] > 0.0 ? bin[2] / bin[0] : NAN;
}

/* ---- regression metrics ------------------------------------------------- */

/* Actual values streamed into the moments per call. */
#define REGRESSION_BLOCK 256

/* The moments of actual held in a regression state. */
static PromoMoments
ActualMoments(double *state)
{
	PromoMoments m;

	m.q = 1;
	m.n = state;
	m.shift = state + 1;
	m.mean = state + 2;
	m.comoment = state + 3;
	return m;
}

/* Add rows to a regression state. */
void
promo_regression_accum(double *state, const double *prediction,
					   const double *actual, size_t n)
{
	PromoMoments m = ActualMoments(state);
	double		block[REGRESSION_BLOCK];
	double		work[PROMO_MOMENTS_WORK(1)];

	for (size_t i = 0; i < n; i += REGRESSION_BLOCK)
	{
		size_t		nb = n - i < REGRESSION_BLOCK ? n - i : REGRESSION_BLOCK;

		for (size_t k = 0; k < nb; k++)
		{
			double		err = prediction[i + k] - actual[i + k];

			block[k] = actual[i + k];
			state[4] += err * err;
			state[5] += fabs(err);
		}
		promo_moments_add_rows(&m, block, (int) nb, work);
	}
}

/* Merge another regression state. */
void
promo_regression_merge(double *state, const double *other)
{
	PromoMoments m = ActualMoments(state);
	/* the view is read only: promo_moments_merge does not write other */
	PromoMoments o = ActualMoments((double *) other);
	double		work[PROMO_MOMENTS_WORK(1)];

	promo_moments_merge(&m, &o, work);
	state[4] += other[4];
	state[5] += other[5];
}

/* Root mean squared error. */
double
promo_rmse(const double *state)
{
	return state[0] > 0.0 ? sqrt(state[4] / state[0]) : NAN;
}

/* Mean absolute error. */
double
promo_mae(const double *state)
{
	return state[0] > 0.0 ? state[5] / state[0] : NAN;
}

/* Coefficient of determination. */
double
promo_r2(const double *state)
{
	return state[0] > 0.0 && state[3] > 0.0 ? 1.0 - state[4] / state[3] : NAN;
}
