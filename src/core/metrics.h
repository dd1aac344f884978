/*
 * metrics.h
 *		Classifier and regression metrics: ROC AUC, log loss, Brier score,
 *		calibration bins, RMSE / MAE / R^2.
 *
 * Every metric but the AUC is a flat state of doubles that one call
 * extends by a block of rows and that merges with the state of other rows
 * (by plain addition, except the regression state's moments), so partial
 * aggregates combine.  The AUC needs the rank of every score and works on
 * all rows at once.
 *
 * Inputs are taken as valid: finite scores and predictions, labels 0 or
 * 1, probabilities in [0, 1]; the caller checks them.
 */
#ifndef PROMO_METRICS_H
#define PROMO_METRICS_H

#include <stddef.h>

/* ---- ROC AUC ---------------------------------------------------------- */

/* A scored row: label 1 (positive) or 0. */
typedef struct PromoScoredRow
{
	double		score;
	double		label;
} PromoScoredRow;

/*
 * ROC AUC as the Mann-Whitney statistic: the share of (positive,
 * negative) pairs where the positive scores higher, a tie counting one
 * half.  Sorts rows by score.  NaN unless both classes are present.
 */
extern double promo_auc(PromoScoredRow *rows, size_t n);

/*
 * The steps of promo_auc, for callers that sort partial sets of rows
 * apart (in parallel) and merge them: sort by ascending score, merge two
 * sorted runs into out (na + nb rows, not overlapping a or b), and the AUC
 * of rows already sorted.
 */
extern void promo_auc_sort(PromoScoredRow *rows, size_t n);
extern void promo_auc_merge(const PromoScoredRow *a, size_t na,
							const PromoScoredRow *b, size_t nb,
							PromoScoredRow *out);
extern double promo_auc_sorted(const PromoScoredRow *rows, size_t n);

/* ---- log loss and Brier score ------------------------------------------ */

/*
 * [0] rows, [1] sum of log losses, [2] sum of squared errors (p - y)^2;
 * merged by addition.
 */
#define PROMO_PROB_STATE_LENGTH 3

/*
 * Probabilities are clipped to [eps, 1 - eps], eps = DBL_EPSILON, before
 * the log loss is taken (scikit-learn's log_loss does the same for
 * float64), so a confident mistake costs -log(eps) ~ 36.04, not infinity.
 */
extern void promo_prob_accum(double *state, const double *p,
							 const double *label, size_t n);
extern void promo_prob_merge(double *state, const double *other);

/* Mean log loss -(y log p + (1 - y) log(1 - p)); NaN with no rows. */
extern double promo_log_loss(const double *state);

/* Mean squared error of the probabilities; NaN with no rows. */
extern double promo_brier(const double *state);

/* ---- calibration -------------------------------------------------------- */

/* The most bins a calibration state may hold. */
#define PROMO_CALIBRATION_MAX_BINS 10000

/*
 * bins equal-width bins on [0, 1]; p falls in bin floor(p * bins), p = 1
 * in the last one, so bin b holds [b / bins, (b + 1) / bins).  Per bin 3
 * doubles: rows, sum of p, sum of labels; merged by addition.
 */
#define PROMO_CALIBRATION_STATE_LENGTH(bins) (3 * (size_t) (bins))

extern void promo_calibration_accum(double *state, int bins, const double *p,
									const double *label, size_t n);
extern void promo_calibration_merge(double *state, const double *other,
									int bins);

/* Bin of a probability. */
extern int	promo_calibration_bin(double p, int bins);

/* Rows, mean probability and observed rate of bin b (NaN when empty). */
extern void promo_calibration_get(const double *state, int b, double *count,
								  double *mean_p, double *rate);

/* ---- regression metrics ------------------------------------------------- */

/*
 * [0] rows, [1] shift, [2] mean and [3] centred sum of squares of the
 * actual values (a moments.h stream of one variable, so that values with a
 * large offset keep their digits), [4] sum of squared errors, [5] sum of
 * absolute errors.
 */
#define PROMO_REGRESSION_STATE_LENGTH 6

extern void promo_regression_accum(double *state, const double *prediction,
								   const double *actual, size_t n);
extern void promo_regression_merge(double *state, const double *other);

/* sqrt(mean squared error), mean absolute error; NaN with no rows. */
extern double promo_rmse(const double *state);
extern double promo_mae(const double *state);

/*
 * 1 - SSE / SST, SST the sum of squares of actual about its mean; NaN
 * when actual is constant (or with no rows).
 */
extern double promo_r2(const double *state);

#endif							/* PROMO_METRICS_H */
