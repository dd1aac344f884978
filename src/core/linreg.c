/*
 * linreg.c
 *		Least squares with R's summary(lm) statistics from co-moments.
 *
 * The moments are centered, so the slopes solve Cxx b = Cxy and the
 * intercept follows from the means.  Cxx is scaled to a correlation matrix
 * before it is factored so that the collinearity test and the Cholesky
 * factor do not depend on the units of the features.
 */
#include "linreg.h"

#include <cblas.h>
#include <float.h>
#include <lapack.h>
#include <math.h>
#include <string.h>

#include <Rmath.h>

/* Scratch layout, all d x d or p x p column-major unless said. */
typedef struct LinregWork
{
	double	   *corr;			/* d x d scaled Cxx, then its inverse */
	double	   *pivoted;		/* d x d copy for the rank test */
	double	   *rfactor;		/* p x p R factor of the design */
	double	   *scale;			/* d: 1 / sqrt(Cxx_jj) */
	double	   *vec1;			/* d */
	double	   *vec2;			/* d */
	double	   *slopes;			/* d: Rinv (S Cxy), the scaled slopes */
	double	   *singular;		/* p */
	double	   *lapack;			/* LAPACK work, lapack_len doubles */
	int			lapack_len;
} LinregWork;

/* LAPACK work length: dpstrf needs 2d, dgesvd without vectors 5p. */
static int
LapackLength(int d)
{
	return 5 * (d + 1) + 2 * d + 64;
}

/* Doubles of scratch space promo_linreg_fit needs for d features. */
size_t
promo_linreg_work_doubles(int d)
{
	size_t		p = (size_t) d + 1;

	return 2 * (size_t) d * d + p * p + 4 * (size_t) d + p + LapackLength(d);
}

/* Ints of scratch space promo_linreg_fit needs for d features. */
size_t
promo_linreg_work_ints(int d)
{
	return (size_t) d + 1;
}

/* Carve the scratch buffer into its parts. */
static LinregWork
SplitWork(double *work, int d)
{
	LinregWork	w;
	size_t		p = (size_t) d + 1;

	w.corr = work;
	w.pivoted = w.corr + (size_t) d * d;
	w.rfactor = w.pivoted + (size_t) d * d;
	w.scale = w.rfactor + p * p;
	w.vec1 = w.scale + d;
	w.vec2 = w.vec1 + d;
	w.slopes = w.vec2 + d;
	w.singular = w.slopes + d;
	w.lapack = w.singular + p;
	w.lapack_len = LapackLength(d);
	return w;
}

/* Is feature j constant, to the precision its mean allows? */
static int
IsConstant(const PromoMoments *m, int j)
{
	double		cjj = m->comoment[j + j * m->q];
	double		n = *m->n;

	return cjj <= 0.0 || sqrt(cjj / n) <= 1e-13 * fabs(promo_moments_mean(m, j));
}

/*
 * Are feature j's values below sqrt(DBL_MIN) in magnitude, so that their
 * squared deviations underflow and a varying feature looks constant?
 */
static int
IsTiny(const PromoMoments *m, int j)
{
	double		mean = fabs(promo_moments_mean(m, j));

	return mean > 0.0 && mean < sqrt(DBL_MIN);
}

/* Fill corr with S Cxx S, S = diag(1 / sqrt(Cxx_jj)). */
static void
ScaleToCorrelation(const PromoMoments *m, int d, LinregWork *w)
{
	int			q = m->q;

	for (int j = 0; j < d; j++)
		w->scale[j] = 1.0 / sqrt(m->comoment[j + j * q]);
	for (int j = 0; j < d; j++)
		for (int i = 0; i <= j; i++)
			w->corr[i + j * d] = m->comoment[i + j * q] * w->scale[i] * w->scale[j];
}

/* Pivoted Cholesky rank test: 0 if full rank, else a 1-based culprit. */
static int
CollinearTerm(int d, LinregWork *w, int *piv)
{
	lapack_int	n = d;
	lapack_int	rank = 0;
	lapack_int	info = 0;
	double		tol = PROMO_LINREG_COLLINEAR_TOL;

	memcpy(w->pivoted, w->corr, sizeof(double) * d * d);
	LAPACK_dpstrf("U", &n, w->pivoted, &n, piv, &rank, &tol, w->lapack, &info);
	if (info < 0)
		return -1;
	return rank < d ? piv[rank] : 0;
}

/*
 * Condition number of the design [1 X] from its R factor
 * [[sqrt(n), sqrt(n) mx'], [0, U S^-1]], with Cxx = (U S^-1)' (U S^-1),
 * so it matches the singular values of the design without forming X'X.
 */
static double
ConditionNumber(const PromoMoments *m, int d, const double *ufactor,
				LinregWork *w)
{
	int			p = d + 1;
	double		sqrtn = sqrt(*m->n);
	lapack_int	np = p;
	lapack_int	one = 1;
	lapack_int	lwork = w->lapack_len;
	lapack_int	info = 0;
	double		dummy = 0.0;

	memset(w->rfactor, 0, sizeof(double) * p * p);
	w->rfactor[0] = sqrtn;
	for (int j = 0; j < d; j++)
	{
		w->rfactor[(size_t) (j + 1) * p] = sqrtn * promo_moments_mean(m, j);
		for (int i = 0; i <= j; i++)
			w->rfactor[(i + 1) + (size_t) (j + 1) * p] =
				ufactor[i + (size_t) j * d] / w->scale[j];
	}
	LAPACK_dgesvd("N", "N", &np, &np, w->rfactor, &np, w->singular,
				  &dummy, &one, &dummy, &one, w->lapack, &lwork, &info);
	if (info != 0)
		return NAN;
	return w->singular[p - 1] > 0.0 ? w->singular[0] / w->singular[p - 1] : INFINITY;
}

/* Student t two-sided p value, NaN where t is undefined. */
static double
TwoSidedP(double t, double df)
{
	if (isnan(t))
		return NAN;
	return 2.0 * pt(fabs(t), df, 0, 0);
}

/* Estimates, standard errors and tests from the inverse correlation. */
static void
Coefficients(const PromoMoments *m, int d, LinregWork *w, PromoLinregFit *fit)
{
	double		n = *m->n;
	double		sigma = fit->sigma;
	double		intercept = promo_moments_mean(m, d);
	double		quad;

	for (int j = 0; j < d; j++)
	{
		double		est = w->slopes[j] * w->scale[j];

		fit->estimate[j + 1] = est;
		fit->std_error[j + 1] = sigma * w->scale[j] * sqrt(w->corr[j + (size_t) j * d]);
		intercept -= est * promo_moments_mean(m, j);
	}

	/* var(intercept) = sigma^2 (1/n + mx' Cxx^-1 mx) */
	for (int j = 0; j < d; j++)
		w->vec1[j] = promo_moments_mean(m, j) * w->scale[j];
	cblas_dsymv(CblasColMajor, CblasUpper, d, 1.0, w->corr, d, w->vec1, 1,
				0.0, w->vec2, 1);
	quad = cblas_ddot(d, w->vec1, 1, w->vec2, 1);
	fit->estimate[0] = intercept;
	fit->std_error[0] = sigma * sqrt(1.0 / n + quad);

	for (int j = 0; j <= d; j++)
	{
		fit->t_value[j] = fit->estimate[j] / fit->std_error[j];
		fit->p_value[j] = TwoSidedP(fit->t_value[j], fit->df_residual);
	}
}

/* The scaled slopes Rinv (S Cxy); S Cxy stays in vec1. */
static void
SolveSlopes(const PromoMoments *m, int d, LinregWork *w)
{
	for (int j = 0; j < d; j++)
		w->vec1[j] = m->comoment[j + (size_t) d * m->q] * w->scale[j];
	cblas_dsymv(CblasColMajor, CblasUpper, d, 1.0, w->corr, d, w->vec1, 1,
				0.0, w->slopes, 1);
}

/* Residual and model sums of squares give sigma, r2, adjusted r2 and F. */
static void
GoodnessOfFit(const PromoMoments *m, int d, LinregWork *w, PromoLinregFit *fit)
{
	double		n = *m->n;
	double		tss = m->comoment[d + (size_t) d * m->q];
	double		explained;
	double		rss;

	/* explained = Cxy' Cxx^-1 Cxy = (S Cxy)' Rinv (S Cxy) */
	explained = cblas_ddot(d, w->vec1, 1, w->slopes, 1);
	rss = fmax(tss - explained, 0.0);
	explained = tss - rss;

	fit->sigma = sqrt(rss / fit->df_residual);
	fit->r2 = explained / tss;
	fit->adj_r2 = 1.0 - (1.0 - fit->r2) * ((n - 1.0) / fit->df_residual);
	fit->f_statistic = (explained / d) / (rss / fit->df_residual);
	fit->f_p_value = isnan(fit->f_statistic) ? NAN :
		pf(fit->f_statistic, d, fit->df_residual, 0, 0);
}

/* Fit from moments over q = d + 1 variables (features, then y). */
PromoLinregStatus
promo_linreg_fit(const PromoMoments *m, PromoLinregFit *fit, int *bad_term,
				 double *work, int *iwork)
{
	int			d = m->q - 1;
	double		n = *m->n;
	lapack_int	nd = d;
	lapack_int	info = 0;
	LinregWork	w = SplitWork(work, d);
	int			culprit;

	*bad_term = 0;
	fit->d = d;
	fit->n = n;
	fit->df_residual = n - (d + 1);
	if (n < 2)
		return PROMO_LINREG_SINGLE_ROW;
	for (int i = 0; i < m->q; i++)
		for (int j = i; j < m->q; j++)
			if (!isfinite(m->comoment[i + (size_t) j * m->q]))
				return PROMO_LINREG_OVERFLOW;
	if (fit->df_residual < 1)
		return PROMO_LINREG_TOO_FEW_ROWS;
	for (int j = 0; j < d; j++)
	{
		if (IsConstant(m, j))
		{
			*bad_term = j + 1;
			return IsTiny(m, j) ? PROMO_LINREG_TINY_FEATURE :
				PROMO_LINREG_CONSTANT_FEATURE;
		}
	}

	ScaleToCorrelation(m, d, &w);
	culprit = CollinearTerm(d, &w, iwork);
	if (culprit < 0)
		return PROMO_LINREG_NUMERIC;
	if (culprit > 0)
	{
		*bad_term = culprit;
		return PROMO_LINREG_COLLINEAR;
	}

	/* Factor, keep the factor for the condition number, then invert. */
	LAPACK_dpotrf("U", &nd, w.corr, &nd, &info);
	if (info != 0)
		return PROMO_LINREG_NUMERIC;
	memcpy(w.pivoted, w.corr, sizeof(double) * d * d);
	fit->condition_number = ConditionNumber(m, d, w.pivoted, &w);
	LAPACK_dpotri("U", &nd, w.corr, &nd, &info);
	if (info != 0)
		return PROMO_LINREG_NUMERIC;

	SolveSlopes(m, d, &w);
	GoodnessOfFit(m, d, &w, fit);
	Coefficients(m, d, &w, fit);
	for (int j = 0; j <= d; j++)
		if (!isfinite(fit->estimate[j]) || !isfinite(fit->std_error[j]))
			return PROMO_LINREG_OVERFLOW;
	return PROMO_LINREG_OK;
}

/* Fitted value of x (d features) under the estimates. */
double
promo_linreg_predict(const double *estimate, int d, const double *x)
{
	return estimate[0] + cblas_ddot(d, estimate + 1, 1, x, 1);
}
