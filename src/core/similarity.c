/*
 * similarity.c
 *		Cosine and Pearson over CBLAS, scaled first so no product overflows.
 */
#include "similarity.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* Cosine of u and v, given as copies that may be scaled in place. */
static bool
CosineInPlace(double *u, double *v, int n, double *result)
{
	double		nu = cblas_dnrm2(n, u, 1);
	double		nv = cblas_dnrm2(n, v, 1);

	if (n == 0 || nu == 0.0 || nv == 0.0)
		return false;
	/* Unit vectors first: their dot product cannot overflow. */
	cblas_dscal(n, 1.0 / nu, u, 1);
	cblas_dscal(n, 1.0 / nv, v, 1);
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
 * rounded mean would leave specks of variance behind.
 */
static bool
Center(double *x, int n)
{
	double		mean = 0.0;
	bool		constant = true;

	for (int i = 0; i < n; i++)
	{
		mean += x[i];
		constant = constant && x[i] == x[0];
	}
	if (constant)
		return false;
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
