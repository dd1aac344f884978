/*
 * test_linreg.c
 *		Unit tests of linreg.c: estimates, summary statistics and status codes.
 */
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linreg.h"
#include "moments.h"

#define MAXD 4
#define MAXQ (MAXD + 1)
#define MAXP (MAXD + 1)
#define MAXROWS 64

/* Moments, a fit and scratch space for up to MAXD features. */
typedef struct LinregCase
{
	int			d;
	double		n;
	double		shift[MAXQ];
	double		mean[MAXQ];
	double		comoment[MAXQ * MAXQ];
	PromoMoments m;
	double		estimate[MAXP];
	double		std_error[MAXP];
	double		t_value[MAXP];
	double		p_value[MAXP];
	PromoLinregFit fit;
	int			bad_term;
} LinregCase;

static void
case_init(LinregCase *c, int d)
{
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->m.q = d + 1;
	c->m.n = &c->n;
	c->m.shift = c->shift;
	c->m.mean = c->mean;
	c->m.comoment = c->comoment;
	c->fit.estimate = c->estimate;
	c->fit.std_error = c->std_error;
	c->fit.t_value = c->t_value;
	c->fit.p_value = c->p_value;
	c->bad_term = -1;
}

/*
 * Accumulate n rows given as columns x[0..d-1] and y, in blocks of
 * block_rows, then fit.  The scratch space is malloc'ed, not zeroed, so
 * that a read of unwritten scratch shows under valgrind.
 */
static PromoLinregStatus
fit_columns(LinregCase *c, int d, int n, const double *const *x,
			const double *y, int block_rows)
{
	int			q = d + 1;
	double	   *rows = unit_alloc(sizeof(double) * (size_t) n * q);
	double		mwork[PROMO_MOMENTS_WORK(MAXQ)];
	double	   *work = unit_alloc(sizeof(double) * promo_linreg_work_doubles(d));
	int		   *iwork = unit_alloc(sizeof(int) * promo_linreg_work_ints(d));
	PromoLinregStatus status;

	case_init(c, d);
	for (int r = 0; r < n; r++)
	{
		for (int j = 0; j < d; j++)
			rows[(size_t) r * q + j] = x[j][r];
		rows[(size_t) r * q + d] = y[r];
	}
	for (int r = 0; r < n; r += block_rows)
	{
		int			nb = n - r < block_rows ? n - r : block_rows;

		promo_moments_add_rows(&c->m, rows + (size_t) r * q, nb, mwork);
	}
	status = promo_linreg_fit(&c->m, &c->fit, &c->bad_term, work, iwork);
	free(rows);
	free(work);
	free(iwork);
	return status;
}

/* y = 1 + 2 x1 - 3 x2 exactly: the estimates come back to 1e-10. */
static void
linreg_exact_recovery(void)
{
	enum
	{
		N = 20
	};
	double		x1[N];
	double		x2[N];
	double		y[N];
	const double *x[2] = {x1, x2};
	uint64_t	st = 101;
	LinregCase	c;
	double		point[2] = {0.75, -2.5};
	double		mean_y = 0.0;
	double		sd_y = 0.0;

	for (int i = 0; i < N; i++)
	{
		x1[i] = unit_uniform(&st, -5.0, 5.0);
		x2[i] = unit_uniform(&st, 0.0, 3.0) + 0.2 * x1[i];
		y[i] = 1.0 + 2.0 * x1[i] - 3.0 * x2[i];
		mean_y += y[i] / N;
	}
	for (int i = 0; i < N; i++)
		sd_y += (y[i] - mean_y) * (y[i] - mean_y);
	sd_y = sqrt(sd_y / (N - 1));
	CHECK_INT(fit_columns(&c, 2, N, x, y, N), PROMO_LINREG_OK);
	CHECK_INT(c.bad_term, 0);
	CHECK(c.fit.d == 2);
	CHECK(c.fit.n == (double) N);
	CHECK(c.fit.df_residual == (double) (N - 3));
	CHECK_CLOSE(c.estimate[0], 1.0, 1e-10);
	CHECK_CLOSE(c.estimate[1], 2.0, 1e-10);
	CHECK_CLOSE(c.estimate[2], -3.0, 1e-10);
	CHECK_CLOSE(c.fit.r2, 1.0, 1e-12);
	/*
	 * The residual sum of squares is tss - explained, so on a perfect fit
	 * it is rounding noise of about eps * tss, and sigma about
	 * sqrt(eps) * sd(y), not 0.
	 */
	CHECK(c.fit.sigma >= 0.0 && c.fit.sigma <= 1e-6 * sd_y);
	CHECK_CLOSE(promo_linreg_predict(c.estimate, 2, point),
				1.0 + 2.0 * 0.75 - 3.0 * -2.5, 1e-10);

	/* The same in blocks of three rows. */
	CHECK_INT(fit_columns(&c, 2, N, x, y, 3), PROMO_LINREG_OK);
	CHECK_CLOSE(c.estimate[0], 1.0, 1e-10);
	CHECK_CLOSE(c.estimate[1], 2.0, 1e-10);
	CHECK_CLOSE(c.estimate[2], -3.0, 1e-10);
}

/* Determinant of the 3 x 3 matrix with columns c0, c1, c2. */
static double
det3(const double *c0, const double *c1, const double *c2)
{
	return c0[0] * (c1[1] * c2[2] - c1[2] * c2[1]) -
		c1[0] * (c0[1] * c2[2] - c0[2] * c2[1]) +
		c2[0] * (c0[1] * c1[2] - c0[2] * c1[1]);
}

/*
 * Two-sided p value of Student's t with 10 degrees of freedom, closed form
 * for even df: P(|T| <= t) = sin(th) sum_{k=0}^{4} c_k cos(th)^(2k), with
 * c_0 = 1, c_k = c_{k-1} (2k - 1) / (2k), sin(th) = t / sqrt(10 + t^2),
 * cos(th)^2 = 10 / (10 + t^2).
 */
static double
t10_two_sided(double t)
{
	double		s = fabs(t) / sqrt(10.0 + t * t);
	double		c2 = 10.0 / (10.0 + t * t);
	double		term = 1.0;
	double		sum = 1.0;

	for (int k = 1; k <= 4; k++)
	{
		term *= c2 * (2.0 * k - 1.0) / (2.0 * k);
		sum += term;
	}
	return 1.0 - s * sum;
}

/* Upper tail of F(2, df2): (1 + 2 f / df2)^(-df2 / 2). */
static double
f2_upper(double f, double df2)
{
	return pow(1.0 + 2.0 * f / df2, -df2 / 2.0);
}

/* Eigenvalues of a symmetric 3 x 3 matrix (trigonometric method), descending. */
static void
sym3_eigenvalues(const double a[3][3], double ev[3])
{
	double		p1 = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
	double		q = (a[0][0] + a[1][1] + a[2][2]) / 3.0;
	double		p2 = (a[0][0] - q) * (a[0][0] - q) + (a[1][1] - q) * (a[1][1] - q) +
		(a[2][2] - q) * (a[2][2] - q) + 2.0 * p1;
	double		p = sqrt(p2 / 6.0);
	double		b[3][3];
	double		r;
	double		phi;

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			b[i][j] = (a[i][j] - (i == j ? q : 0.0)) / p;
	r = (b[0][0] * (b[1][1] * b[2][2] - b[1][2] * b[2][1]) -
		 b[0][1] * (b[1][0] * b[2][2] - b[1][2] * b[2][0]) +
		 b[0][2] * (b[1][0] * b[2][1] - b[1][1] * b[2][0])) / 2.0;
	phi = acos(fmax(-1.0, fmin(1.0, r))) / 3.0;
	ev[0] = q + 2.0 * p * cos(phi);
	ev[2] = q + 2.0 * p * cos(phi + 2.0 * acos(-1.0) / 3.0);
	ev[1] = 3.0 * q - ev[0] - ev[2];
}

static void
linreg_t10_reference_values(void)
{
	/* Known values of the t distribution with 10 df (R: qt, pt). */
	CHECK_CLOSE(t10_two_sided(2.2281388519862739), 0.05, 1e-12);
	CHECK_CLOSE(t10_two_sided(1.0), 0.34089313230206009, 1e-12);
	CHECK_CLOSE(t10_two_sided(-3.5), 0.0057265054298852218, 1e-11);
	/* F(2, 10) upper tail at the 5% critical value 4.102821015130399 */
	CHECK_CLOSE(f2_upper(4.102821015130399, 10.0), 0.05, 1e-12);
}

/*
 * summary(lm) statistics of a 13-row, two-feature problem (10 residual
 * df) against the definitions: X'X and X'y formed directly, solved by
 * Cramer's rule, (X'X)^-1 diagonal from cofactors, p values from closed
 * forms of the t(10) and F(2, 10) distributions, condition number from
 * the eigenvalues of X'X.
 */
static void
linreg_statistics_from_definitions(void)
{
	enum
	{
		N = 13
	};
	const double x1[N] = {0.5, 1.5, 2.0, 3.5, 4.0, 4.5, 6.0, 6.5, 7.5, 8.0, 9.5, 10.0, 11.5};
	const double x2[N] = {2.0, -1.0, 3.5, 0.5, 2.5, -2.0, 1.0, 4.0, -0.5, 3.0, 1.5, -1.5, 2.5};
	const double y[N] = {3.0, 1.0, 6.5, 2.0, 1.5, 4.0, 2.5, 7.0, 3.5, 4.5, 6.0, 2.0, 5.5};
	const double *x[2] = {x1, x2};
	double		xtx[3][3] = {{0}};	/* column j is xtx[j] (symmetric) */
	double		xty[3] = {0};
	double		beta[3];
	double		inv_diag[3];
	double		det;
	double		rss = 0.0;
	double		tss = 0.0;
	double		ybar = 0.0;
	double		sigma;
	double		r2;
	double		adj_r2;
	double		f;
	double		ev[3];
	LinregCase	c;

	for (int i = 0; i < N; i++)
	{
		double		row[3] = {1.0, x1[i], x2[i]};

		for (int a = 0; a < 3; a++)
		{
			for (int b = 0; b < 3; b++)
				xtx[a][b] += row[a] * row[b];
			xty[a] += row[a] * y[i];
		}
		ybar += y[i];
	}
	ybar /= N;

	/* Cramer's rule */
	det = det3(xtx[0], xtx[1], xtx[2]);
	beta[0] = det3(xty, xtx[1], xtx[2]) / det;
	beta[1] = det3(xtx[0], xty, xtx[2]) / det;
	beta[2] = det3(xtx[0], xtx[1], xty) / det;
	inv_diag[0] = (xtx[1][1] * xtx[2][2] - xtx[1][2] * xtx[2][1]) / det;
	inv_diag[1] = (xtx[0][0] * xtx[2][2] - xtx[0][2] * xtx[2][0]) / det;
	inv_diag[2] = (xtx[0][0] * xtx[1][1] - xtx[0][1] * xtx[1][0]) / det;

	for (int i = 0; i < N; i++)
	{
		double		e = y[i] - (beta[0] + beta[1] * x1[i] + beta[2] * x2[i]);

		rss += e * e;
		tss += (y[i] - ybar) * (y[i] - ybar);
	}
	sigma = sqrt(rss / 10.0);
	r2 = 1.0 - rss / tss;
	adj_r2 = 1.0 - (1.0 - r2) * 12.0 / 10.0;
	f = ((tss - rss) / 2.0) / (rss / 10.0);
	sym3_eigenvalues((const double (*)[3]) xtx, ev);

	CHECK_INT(fit_columns(&c, 2, N, x, y, N), PROMO_LINREG_OK);
	CHECK_INT(c.bad_term, 0);
	CHECK(c.fit.df_residual == 10.0);
	for (int j = 0; j < 3; j++)
	{
		double		se = sigma * sqrt(inv_diag[j]);
		double		t = beta[j] / se;

		CHECK_CLOSE(c.estimate[j], beta[j], 1e-9);
		CHECK_CLOSE(c.std_error[j], se, 1e-9);
		CHECK_CLOSE(c.t_value[j], t, 1e-9);
		CHECK_CLOSE(c.p_value[j], t10_two_sided(t), 1e-9);
	}
	CHECK_CLOSE(c.fit.sigma, sigma, 1e-9);
	CHECK_CLOSE(c.fit.r2, r2, 1e-9);
	CHECK_CLOSE(c.fit.adj_r2, adj_r2, 1e-9);
	CHECK_CLOSE(c.fit.f_statistic, f, 1e-9);
	CHECK_CLOSE(c.fit.f_p_value, f2_upper(f, 10.0), 1e-9);
	CHECK_CLOSE(c.fit.condition_number, sqrt(ev[0] / ev[2]), 1e-9);
}

/*
 * Reference values from R 4.2.2 (2022-11-10 r83330):
 *   fit <- lm(y ~ x1 + x2); s <- summary(fit)
 *   coef(s), s$r.squared, s$adj.r.squared, s$sigma, s$fstatistic,
 *   pf(F, 2, 7, lower.tail = FALSE), kappa(model.matrix(fit), exact = TRUE)
 * printed with sprintf("%.17g").
 */
static const double r_x1[10] = {1.2, 2.5, 3.1, 4.8, 5.0, 6.7, 7.3, 8.9, 9.4, 10.6};
static const double r_x2[10] = {3.4, 1.1, 4.7, 2.2, 5.9, 3.3, 6.1, 2.8, 7.5, 4.0};
static const double r_y[10] = {4.1, 5.9, 6.2, 9.8, 8.7, 13.1, 12.0, 17.4, 15.2, 20.3};
static const double r_estimate[3] = {2.8713180490292602, 1.7752402606684987, -0.52780429268459295};
static const double r_std_error[3] = {0.54887444633673554, 0.073732029475174432, 0.11853527539509212};
static const double r_t_value[3] = {5.2312838905014374, 24.076921160378774, -4.4527191667236501};
static const double r_p_value[3] = {0.0012107459301855868, 5.424365734987247e-08, 0.0029619175361498781};
static const double r_r2 = 0.98865472773608298;
static const double r_adj_r2 = 0.98541322137496379;
static const double r_sigma = 0.64055561502780123;
static const double r_f = 304.99854622982713;
static const double r_f_p = 1.5554362958129943e-07;
static const double r_kappa = 21.598384559734541;

static void
linreg_matches_r_lm(void)
{
	const double *x[2] = {r_x1, r_x2};
	LinregCase	c;

	CHECK_INT(fit_columns(&c, 2, 10, x, r_y, 4), PROMO_LINREG_OK);
	CHECK_INT(c.bad_term, 0);
	CHECK(c.fit.n == 10.0);
	CHECK(c.fit.df_residual == 7.0);
	for (int j = 0; j < 3; j++)
	{
		CHECK_CLOSE(c.estimate[j], r_estimate[j], 1e-9);
		CHECK_CLOSE(c.std_error[j], r_std_error[j], 1e-9);
		CHECK_CLOSE(c.t_value[j], r_t_value[j], 1e-9);
		CHECK_CLOSE(c.p_value[j], r_p_value[j], 1e-9);
	}
	CHECK_CLOSE(c.fit.r2, r_r2, 1e-9);
	CHECK_CLOSE(c.fit.adj_r2, r_adj_r2, 1e-9);
	CHECK_CLOSE(c.fit.sigma, r_sigma, 1e-9);
	CHECK_CLOSE(c.fit.f_statistic, r_f, 1e-9);
	CHECK_CLOSE(c.fit.f_p_value, r_f_p, 1e-9);
	CHECK_CLOSE(c.fit.condition_number, r_kappa, 1e-9);
}

/*
 * x1 + 1e6 has a mean of 1e6 but a spread of several units: not constant,
 * and only the intercept moves (by -1e6 times the x1 slope).  The shifted
 * x1 values are rounded to 2^-33 (about 1.2e-10), which bounds the
 * attainable agreement with the unshifted reference.
 */
static void
linreg_huge_offset_feature_is_not_constant(void)
{
	double		x1[10];
	const double *x[2] = {x1, r_x2};
	LinregCase	c;

	for (int i = 0; i < 10; i++)
		x1[i] = r_x1[i] + 1e6;
	CHECK_INT(fit_columns(&c, 2, 10, x, r_y, 3), PROMO_LINREG_OK);
	CHECK_INT(c.bad_term, 0);
	CHECK_CLOSE(c.estimate[0], r_estimate[0] - 1e6 * r_estimate[1], 1e-8);
	for (int j = 1; j < 3; j++)
	{
		CHECK_CLOSE(c.estimate[j], r_estimate[j], 1e-8);
		CHECK_CLOSE(c.std_error[j], r_std_error[j], 1e-8);
		CHECK_CLOSE(c.t_value[j], r_t_value[j], 1e-8);
		CHECK_CLOSE(c.p_value[j], r_p_value[j], 1e-7);
	}
	CHECK_CLOSE(c.fit.r2, r_r2, 1e-8);
	CHECK_CLOSE(c.fit.sigma, r_sigma, 1e-8);
	CHECK_CLOSE(c.fit.f_statistic, r_f, 1e-8);
}

static void
linreg_single_row(void)
{
	const double x1[1] = {1.0};
	const double x2[1] = {2.0};
	const double y[1] = {3.0};
	const double *x[2] = {x1, x2};
	LinregCase	c;

	CHECK_INT(fit_columns(&c, 2, 1, x, y, 1), PROMO_LINREG_SINGLE_ROW);
	CHECK_INT(c.bad_term, 0);
}

static void
linreg_too_few_rows(void)
{
	const double x1[4] = {1.0, 2.0, 4.0, 3.0};
	const double x2[4] = {2.0, -1.0, 0.5, 5.0};
	const double y[4] = {3.0, 1.0, 2.0, 7.0};
	const double *x[2] = {x1, x2};
	LinregCase	c;

	/* 2 and 3 rows for 3 terms: no residual degrees of freedom */
	CHECK_INT(fit_columns(&c, 2, 2, x, y, 2), PROMO_LINREG_TOO_FEW_ROWS);
	CHECK_INT(c.bad_term, 0);
	CHECK_INT(fit_columns(&c, 2, 3, x, y, 3), PROMO_LINREG_TOO_FEW_ROWS);
	CHECK_INT(c.bad_term, 0);
	/* 4 rows leave one */
	CHECK_INT(fit_columns(&c, 2, 4, x, y, 4), PROMO_LINREG_OK);
	CHECK_INT(c.bad_term, 0);
	CHECK(c.fit.df_residual == 1.0);
}

static void
linreg_constant_feature(void)
{
	enum
	{
		N = 12
	};
	double		x1[N];
	double		x2[N];
	double		x3[N];
	double		y[N];
	const double *x[3] = {x1, x2, x3};
	uint64_t	st = 202;
	LinregCase	c;

	for (int i = 0; i < N; i++)
	{
		x1[i] = unit_uniform(&st, 0.0, 10.0);
		x2[i] = 7.0;
		x3[i] = unit_uniform(&st, -1.0, 1.0);
		y[i] = x1[i] + unit_uniform(&st, 0.0, 1.0);
	}
	CHECK_INT(fit_columns(&c, 3, N, x, y, N), PROMO_LINREG_CONSTANT_FEATURE);
	CHECK_INT(c.bad_term, 2);

	/* 0.1 is not exact in binary: its mean leaves rounding specks */
	for (int i = 0; i < N; i++)
	{
		x2[i] = unit_uniform(&st, 0.0, 1.0);
		x3[i] = 0.1;
	}
	CHECK_INT(fit_columns(&c, 3, N, x, y, 5), PROMO_LINREG_CONSTANT_FEATURE);
	CHECK_INT(c.bad_term, 3);

	/* a constant first feature far from zero */
	for (int i = 0; i < N; i++)
		x1[i] = 1e9 + 0.3;
	x3[0] = 0.2;
	CHECK_INT(fit_columns(&c, 3, N, x, y, 4), PROMO_LINREG_CONSTANT_FEATURE);
	CHECK_INT(c.bad_term, 1);
}

static void
linreg_collinear_feature(void)
{
	enum
	{
		N = 15
	};
	double		x1[N];
	double		x2[N];
	double		x3[N];
	double		y[N];
	const double *x[3] = {x1, x2, x3};
	uint64_t	st = 303;
	LinregCase	c;

	for (int i = 0; i < N; i++)
	{
		x1[i] = unit_uniform(&st, 0.0, 10.0);
		x2[i] = unit_uniform(&st, -5.0, 5.0);
		x3[i] = x1[i] + x2[i];
		y[i] = 2.0 * x1[i] - x2[i] + unit_uniform(&st, 0.0, 1.0);
	}
	CHECK_INT(fit_columns(&c, 3, N, x, y, N), PROMO_LINREG_COLLINEAR);
	CHECK(c.bad_term >= 1 && c.bad_term <= 3);

	/* x2 = 3 x1 - 4: the culprit is one of the first two */
	for (int i = 0; i < N; i++)
	{
		x2[i] = 3.0 * x1[i] - 4.0;
		x3[i] = unit_uniform(&st, -1.0, 1.0);
	}
	CHECK_INT(fit_columns(&c, 3, N, x, y, 4), PROMO_LINREG_COLLINEAR);
	CHECK(c.bad_term == 1 || c.bad_term == 2);

	/* the same without the dependence fits */
	for (int i = 0; i < N; i++)
		x2[i] += unit_uniform(&st, -1.0, 1.0);
	CHECK_INT(fit_columns(&c, 3, N, x, y, 4), PROMO_LINREG_OK);
	CHECK_INT(c.bad_term, 0);
}

const UnitTest unit_linreg_tests[] = {
	UNIT_TEST(linreg_exact_recovery),
	UNIT_TEST(linreg_t10_reference_values),
	UNIT_TEST(linreg_statistics_from_definitions),
	UNIT_TEST(linreg_matches_r_lm),
	UNIT_TEST(linreg_huge_offset_feature_is_not_constant),
	UNIT_TEST(linreg_single_row),
	UNIT_TEST(linreg_too_few_rows),
	UNIT_TEST(linreg_constant_feature),
	UNIT_TEST(linreg_collinear_feature),
	{NULL, NULL}
};
