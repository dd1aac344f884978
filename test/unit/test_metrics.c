/*
 * test_metrics.c
 *		Unit tests of metrics.c: hand-checked small cases and scikit-learn
 *		references, merged states equal to one pass.
 */
#include "unit.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "metrics.h"

#define RTOL 1e-6

/*
 * Positives score 0.4, 0.8, 0.9, negatives 0.1, 0.4, 0.8: the positive at
 * 0.4 beats one negative and ties one (1.5 pairs), at 0.8 beats two and
 * ties one (2.5), at 0.9 beats three: 7 of 9 pairs.
 */
static void
metrics_auc_ties_by_hand(void)
{
	PromoScoredRow rows[6] = {
		{0.8, 1}, {0.1, 0}, {0.4, 1}, {0.9, 1}, {0.4, 0}, {0.8, 0}
	};
	PromoScoredRow all_tied[4] = {{0.5, 1}, {0.5, 0}, {0.5, 0}, {0.5, 1}};
	PromoScoredRow one_class[3] = {{0.1, 1}, {0.5, 1}, {0.9, 1}};
	PromoScoredRow perfect[4] = {{3, 1}, {-1, 0}, {2, 1}, {1, 0}};

	CHECK_CLOSE(promo_auc(rows, 6), 7.0 / 9.0, 1e-15);
	CHECK_CLOSE(promo_auc(all_tied, 4), 0.5, 1e-15);
	CHECK(isnan(promo_auc(one_class, 3)));
	CHECK_CLOSE(promo_auc(perfect, 4), 1.0, 0.0);
	for (int i = 0; i < 4; i++)
		perfect[i].label = 1.0 - perfect[i].label;
	CHECK_CLOSE(promo_auc(perfect, 4), 0.0, 0.0);
}

/* Runs sorted apart and merged give the AUC of all rows at once. */
static void
metrics_auc_merged_runs(void)
{
	PromoScoredRow a[4] = {{0.8, 1}, {0.1, 0}, {0.4, 1}, {0.8, 0}};
	PromoScoredRow b[2] = {{0.9, 1}, {0.4, 0}};
	PromoScoredRow all[6];

	promo_auc_sort(a, 4);
	promo_auc_sort(b, 2);
	promo_auc_merge(a, 4, b, 2, all);
	for (int i = 1; i < 6; i++)
		CHECK(all[i - 1].score <= all[i].score);
	CHECK_CLOSE(promo_auc_sorted(all, 6), 7.0 / 9.0, 1e-15);
	promo_auc_merge(a, 4, b, 0, all);
	CHECK_CLOSE(promo_auc_sorted(all, 4), promo_auc(a, 4), 0.0);
}

/* Log loss and Brier score of two rows, and the clipping at 0 and 1. */
static void
metrics_prob_by_hand(void)
{
	double		p[2] = {0.8, 0.3};
	double		y[2] = {1, 0};
	double		s[PROMO_PROB_STATE_LENGTH] = {0};
	double		p0 = 0.0;
	double		y1 = 1.0;
	double		e[PROMO_PROB_STATE_LENGTH] = {0};

	CHECK(isnan(promo_log_loss(s)) && isnan(promo_brier(s)));
	promo_prob_accum(s, p, y, 2);
	CHECK_CLOSE(promo_log_loss(s), -(log(0.8) + log(0.7)) / 2, 1e-15);
	CHECK_CLOSE(promo_brier(s), (0.04 + 0.09) / 2, 1e-15);

	/* a confident mistake costs -log(DBL_EPSILON), not infinity */
	promo_prob_accum(e, &p0, &y1, 1);
	CHECK_CLOSE(promo_log_loss(e), -log(DBL_EPSILON), 1e-15);
	CHECK_CLOSE(promo_brier(e), 1.0, 0.0);
}

/* Bins [b/4, (b+1)/4), 1 in the last bin; counts, means and rates. */
static void
metrics_calibration_by_hand(void)
{
	double		p[7] = {0.0, 0.25, 0.5, 0.74, 1.0, 0.99, 0.1};
	double		y[7] = {0, 1, 1, 0, 1, 1, 1};
	double		s[PROMO_CALIBRATION_STATE_LENGTH(4)] = {0};
	double		count;
	double		mean_p;
	double		rate;

	CHECK_INT(promo_calibration_bin(0.0, 4), 0);
	CHECK_INT(promo_calibration_bin(0.2499, 4), 0);
	CHECK_INT(promo_calibration_bin(0.25, 4), 1);
	CHECK_INT(promo_calibration_bin(0.75, 4), 3);
	CHECK_INT(promo_calibration_bin(1.0, 4), 3);
	promo_calibration_accum(s, 4, p, y, 7);
	promo_calibration_get(s, 0, &count, &mean_p, &rate);
	CHECK(count == 2);
	CHECK_CLOSE(mean_p, 0.05, 1e-15);
	CHECK_CLOSE(rate, 0.5, 0.0);
	promo_calibration_get(s, 1, &count, &mean_p, &rate);
	CHECK(count == 1 && mean_p == 0.25 && rate == 1.0);
	promo_calibration_get(s, 2, &count, &mean_p, &rate);
	CHECK(count == 2 && rate == 0.5);
	CHECK_CLOSE(mean_p, (0.5 + 0.74) / 2, 1e-15);
	promo_calibration_get(s, 3, &count, &mean_p, &rate);
	CHECK(count == 2 && rate == 1.0);
	CHECK_CLOSE(mean_p, (1.0 + 0.99) / 2, 1e-15);
}

/*
 * Errors 0, -1, -2: RMSE sqrt(5/3), MAE 1; actual 1, 3, 5 has mean 3 and
 * sum of squares 8, so R^2 = 1 - 5/8.
 */
static void
metrics_regression_by_hand(void)
{
	double		pred[3] = {1, 2, 3};
	double		actual[3] = {1, 3, 5};
	double		s[PROMO_REGRESSION_STATE_LENGTH] = {0};
	double		c[PROMO_REGRESSION_STATE_LENGTH] = {0};
	double		same[2] = {4, 4};

	CHECK(isnan(promo_rmse(s)) && isnan(promo_mae(s)) && isnan(promo_r2(s)));
	promo_regression_accum(s, pred, actual, 3);
	CHECK_CLOSE(promo_rmse(s), sqrt(5.0 / 3.0), 1e-15);
	CHECK_CLOSE(promo_mae(s), 1.0, 1e-15);
	CHECK_CLOSE(promo_r2(s), 0.375, 1e-15);

	/* constant actual: R^2 undefined */
	promo_regression_accum(c, pred, same, 2);
	CHECK(isnan(promo_r2(c)));
	CHECK_CLOSE(promo_mae(c), 2.5, 1e-15);
}

/* The metrics fixture: columns score, label, prob, prediction, actual. */
typedef struct MetricsData
{
	int			n;
	double	   *t;
	double	   *col[5];
} MetricsData;

static MetricsData
LoadMetrics(void)
{
	MetricsData m;
	int			cols;

	m.t = fixture_table("metrics.csv", &m.n, &cols);
	CHECK_INT(cols, 5);
	for (int j = 0; j < 5; j++)
	{
		m.col[j] = unit_alloc(sizeof(double) * m.n);
		for (int i = 0; i < m.n; i++)
			m.col[j][i] = m.t[(size_t) i * cols + j];
	}
	return m;
}

static void
FreeMetrics(MetricsData *m)
{
	free(m->t);
	for (int j = 0; j < 5; j++)
		free(m->col[j]);
}

/* One metrics_ref.csv value. */
static double
Ref(const char *quantity, int index)
{
	char		key[128];

	snprintf(key, sizeof(key), "%s,%d", quantity, index);
	return fixture_value("metrics_ref.csv", key);
}

/* AUC with many ties against roc_auc_score. */
static void
metrics_auc_sklearn(void)
{
	MetricsData m = LoadMetrics();
	PromoScoredRow *rows = unit_alloc(sizeof(PromoScoredRow) * m.n);

	for (int i = 0; i < m.n; i++)
	{
		rows[i].score = m.col[0][i];
		rows[i].label = m.col[1][i];
	}
	CHECK_CLOSE(promo_auc(rows, m.n), Ref("auc", -1), 1e-12);
	free(rows);
	FreeMetrics(&m);
}

/*
 * Log loss, Brier, calibration and regression metrics against
 * scikit-learn, each from two partial states merged.
 */
static void
metrics_states_sklearn(void)
{
	MetricsData m = LoadMetrics();
	int			half = m.n / 3;
	int			rest = m.n - half;
	double		prob[PROMO_PROB_STATE_LENGTH] = {0};
	double		prob2[PROMO_PROB_STATE_LENGTH] = {0};
	double		cal[PROMO_CALIBRATION_STATE_LENGTH(10)] = {0};
	double		cal2[PROMO_CALIBRATION_STATE_LENGTH(10)] = {0};
	double		reg[PROMO_REGRESSION_STATE_LENGTH] = {0};
	double		reg2[PROMO_REGRESSION_STATE_LENGTH] = {0};
	const double *label = m.col[1];
	const double *p = m.col[2];

	promo_prob_accum(prob, p, label, half);
	promo_prob_accum(prob2, p + half, label + half, rest);
	promo_prob_merge(prob, prob2);
	CHECK_CLOSE(promo_log_loss(prob), Ref("log_loss", -1), RTOL);
	CHECK_CLOSE(promo_brier(prob), Ref("brier", -1), RTOL);

	promo_calibration_accum(cal, 10, p, label, half);
	promo_calibration_accum(cal2, 10, p + half, label + half, rest);
	promo_calibration_merge(cal, cal2, 10);
	for (int b = 0; b < 10; b++)
	{
		double		count;
		double		mean_p;
		double		rate;

		promo_calibration_get(cal, b, &count, &mean_p, &rate);
		CHECK_CLOSE(count, Ref("calibration_count", b), 0.0);
		if (count > 0)
		{
			CHECK_CLOSE(mean_p, Ref("calibration_mean_p", b), RTOL);
			CHECK_ABS(rate, Ref("calibration_rate", b), 1e-15);
		}
	}

	promo_regression_accum(reg, m.col[3], m.col[4], half);
	promo_regression_accum(reg2, m.col[3] + half, m.col[4] + half, rest);
	promo_regression_merge(reg, reg2);
	CHECK_CLOSE(promo_rmse(reg), Ref("rmse", -1), RTOL);
	CHECK_CLOSE(promo_mae(reg), Ref("mae", -1), RTOL);
	CHECK_CLOSE(promo_r2(reg), Ref("r2", -1), RTOL);
	CHECK(reg[0] == m.n);
	FreeMetrics(&m);
}

const UnitTest unit_metrics_tests[] = {
	UNIT_TEST(metrics_auc_ties_by_hand),
	UNIT_TEST(metrics_auc_merged_runs),
	UNIT_TEST(metrics_prob_by_hand),
	UNIT_TEST(metrics_calibration_by_hand),
	UNIT_TEST(metrics_regression_by_hand),
	UNIT_TEST(metrics_auc_sklearn),
	UNIT_TEST(metrics_states_sklearn),
	{NULL, NULL}
};
