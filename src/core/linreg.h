/*
 * linreg.h
 *		Ordinary least squares with an intercept, from streamed moments.
 */
#ifndef PROMO_LINREG_H
#define PROMO_LINREG_H

#include <stddef.h>

#include "moments.h"

/* The most features a least-squares state may hold (it grows with d^2). */
#define PROMO_LINREG_MAX_FEATURES 1000

/*
 * A feature is collinear when more than 1 - PROMO_LINREG_COLLINEAR_TOL of
 * its variance is explained by the features before it in pivot order.
 */
#define PROMO_LINREG_COLLINEAR_TOL 1e-10

typedef enum PromoLinregStatus
{
	PROMO_LINREG_OK = 0,
	PROMO_LINREG_SINGLE_ROW,	/* one row: nothing to fit */
	PROMO_LINREG_TOO_FEW_ROWS,	/* rows <= terms: no residual degrees of
								 * freedom */
	PROMO_LINREG_CONSTANT_FEATURE,	/* bad_term is constant */
	PROMO_LINREG_TINY_FEATURE,	/* bad_term's values are so small that
								 * their squares underflow */
	PROMO_LINREG_COLLINEAR,		/* bad_term is a combination of others */
	PROMO_LINREG_OVERFLOW,		/* sums of squares are not finite */
	PROMO_LINREG_NUMERIC		/* LAPACK failed on a system it accepted */
} PromoLinregStatus;

/* A fitted model: p = d + 1 terms, term 0 the intercept. */
typedef struct PromoLinregFit
{
	int			d;
	double		n;
	double		df_residual;
	double	   *estimate;		/* p values each, caller-allocated */
	double	   *std_error;
	double	   *t_value;
	double	   *p_value;
	double		r2;
	double		adj_r2;
	double		sigma;
	double		f_statistic;
	double		f_p_value;
	double		condition_number;
} PromoLinregFit;

/* Doubles and ints of scratch space promo_linreg_fit needs for d features. */
extern size_t promo_linreg_work_doubles(int d);
extern size_t promo_linreg_work_ints(int d);

/*
 * Fit from moments over q = d + 1 variables (features, then y).  On
 * failure *bad_term names the offending term (1-based feature) if any.
 */
extern PromoLinregStatus promo_linreg_fit(const PromoMoments *m,
										  PromoLinregFit *fit, int *bad_term,
										  double *work, int *iwork);

/* Fitted value of x (d features) under the estimates. */
extern double promo_linreg_predict(const double *estimate, int d,
								   const double *x);

#endif							/* PROMO_LINREG_H */
