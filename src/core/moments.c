/*
 * moments.c
 *		Mergeable mean and co-moment accumulation over CBLAS.
 */
#include "moments.h"

#include <cblas.h>
#include <string.h>

/* Mean of variable i, shift added back. */
double
promo_moments_mean(const PromoMoments *m, int i)
{
	return m->shift[i] + m->mean[i];
}

/*
 * Merge shifted moments (nb, meanb, comomentb), whose shift is shiftb,
 * into m.  C = Ca + Cb + (na nb / n) d d', d the difference of the means.
 */
static void
MergeShifted(PromoMoments *m, double nb, const double *shiftb,
			 const double *meanb, const double *comomentb, double *work)
{
	int			q = m->q;
	double		na = *m->n;
	double		n = na + nb;

	if (nb <= 0)
		return;
	if (na <= 0)
	{
		/* Nothing to merge with: take the other stream as it is. */
		if (m->shift != shiftb)
			memcpy(m->shift, shiftb, sizeof(double) * q);
		memcpy(m->mean, meanb, sizeof(double) * q);
		for (int j = 0; j < q; j++)
			for (int i = 0; i <= j; i++)
				m->comoment[i + j * q] = comomentb[i + j * q];
		*m->n = nb;
		return;
	}

	for (int j = 0; j < q; j++)
		for (int i = 0; i <= j; i++)
			m->comoment[i + j * q] += comomentb[i + j * q];
	/* Shifts of one stream are close, so their difference is exact. */
	for (int i = 0; i < q; i++)
		work[i] = (shiftb[i] - m->shift[i]) + (meanb[i] - m->mean[i]);
	cblas_dsyr(CblasColMajor, CblasUpper, q, na * nb / n,
			   work, 1, m->comoment, q);
	cblas_daxpy(q, nb / n, work, 1, m->mean, 1);
	*m->n = n;
}

/* Merge the moments of another stream into m. */
void
promo_moments_merge(PromoMoments *m, const PromoMoments *other, double *work)
{
	MergeShifted(m, *other->n, other->shift, other->mean, other->comoment, work);
}

/* Shift rows by shift, store their mean in mean, and center them on it. */
static void
CenterBlock(double *restrict rows, int nrows, int q,
			const double *restrict shift, double *restrict mean)
{
	memset(mean, 0, sizeof(double) * q);
	for (int r = 0; r < nrows; r++)
	{
		double	   *restrict row = rows + (size_t) r * q;

		for (int i = 0; i < q; i++)
		{
			row[i] -= shift[i];
			mean[i] += row[i];
		}
	}
	for (int i = 0; i < q; i++)
		mean[i] /= nrows;
	for (int r = 0; r < nrows; r++)
	{
		double	   *restrict row = rows + (size_t) r * q;

		for (int i = 0; i < q; i++)
			row[i] -= mean[i];
	}
}

/* Merge rows (nrows x q, row-major) into m; rows is overwritten. */
void
promo_moments_add_rows(PromoMoments *m, double *rows, int nrows,
					   double *work)
{
	int			q = m->q;
	double	   *mean = work;
	double	   *comoment = work + q;

	if (nrows <= 0)
		return;
	if (*m->n <= 0)
		memcpy(m->shift, rows, sizeof(double) * q);

	/*
	 * Shift, take the block's own mean, then center the rows on it, in
	 * plain loops: per-row BLAS calls on vectors this short cost more in
	 * call overhead than in arithmetic.
	 */
	CenterBlock(rows, nrows, q, m->shift, mean);

	/*
	 * Row-major nrows x q is column-major q x nrows, so A A' is the q x q
	 * co-moment of the block.
	 */
	cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, q, nrows,
				1.0, rows, q, 0.0, comoment, q);
	MergeShifted(m, (double) nrows, m->shift, mean, comoment,
				 comoment + (size_t) q * q);
}
