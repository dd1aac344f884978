/*
 * similarity.c
 *		Cosine and Pearson over CBLAS, scaled first so no product overflows.
 */
#include "similarity.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/*
 * Scale x by the power of two that brings its largest magnitude into
 * [0.5, 1): exact, so no digit is lost.  False if x is all zeros.
 */
static bool
ScaleByMaxAbs(double *x, int n)
{
	int			exponent;

	if (n == 0 || frexp(fabs(x[cblas_idamax(n, x, 1)]), &exponent) == 0.0)
		return false;
	for (int i = 0; i < n; i++)
		x[i] = ldexp(x[i], -exponent);
	return true;
}

/*
 * Cosine of u and v, given as copies that may be scaled in place.  Each is
 * scaled to magnitudes below 1 first, so that neither the norms nor the
 * dot product can overflow or underflow, whatever the BLAS does inside.
 */
static bool
CosineInPlace(double *u, double *v, int n, double *result)
{
	double		nu;
	double		nv;

	if (!ScaleByMaxAbs(u, n) || !ScaleByMaxAbs(v, n))
		return false;
	nu = cblas_dnrm2(n, u, 1);
	nv = cblas_dnrm2(n, v, 1);
	for (int i = 0; i < n; i++)
	{
		u[i] /= nu;
		v[i] /= nv;
	}
	*result = fmax(-1.0, fmin(1.0, cblas_ddot(n, u, 1, v, 1)));
	return true;
}

/* Cosine similarity of a and b. */
bool
promo_cosine_similarity(const double *a, const double *b, int n, double *work,
			 double *result)
{
	memcpy(work, a, sizeof(double) * n);
	memcpy(work + n, b, sizeof(double) * n);
	return CosineInPlace(work, work + n, n, result);
}

/*
 * Subtract the mean of x from each element; false if x is constant, whose
 * rounded mean would leave specks of variance behind.  x is scaled to
 * magnitudes of at most 1 first so that the sum cannot overflow.
 */
static bool
Center(double *x, int n)
{
	double		mean = 0.0;
	bool		constant = true;

	for (int i = 0; i < n; i++)
		constant = constant && x[i] == x[0];
	if (constant || !ScaleByMaxAbs(x, n))
		return false;
	for (int i = 0; i < n; i++)
		mean += x[i];
	mean /= n;
	for (int i = 0; i < n; i++)
		x[i] -= mean;
	return true;
}

/* Pearson correlation of a and b: the cosine of the centered vectors. */
bool
promo_pearson_correlation(const double *a, const double *b, int n, double *work,
			  double *result)
{
	if (n < 2)
		return false;
	memcpy(work, a, sizeof(double) * n);
	memcpy(work + n, b, sizeof(double) * n);
	if (!Center(work, n) || !Center(work + n, n))
		return false;
	return CosineInPlace(work, work + n, n, result);
}
