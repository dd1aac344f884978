/*
 * moments.c
 *		Mergeable mean and co-moment accumulation over CBLAS.
 */
#include "moments.h"

#include <cblas.h>
#include <string.h>

/* Merge moments (nb, meanb, comomentb) of another stream into m. */
void
promo_moments_merge(PromoMoments *m, double nb,
					const double *meanb, const double *comomentb,
					double *work)
{
	int			q = m->q;
	double		na = *m->n;
	double		n = na + nb;

	if (nb <= 0)
		return;

	/* C = Ca + Cb + (na nb / n) d d', d = meanb - meana */
	for (int j = 0; j < q; j++)
		for (int i = 0; i <= j; i++)
			m->comoment[i + j * q] = (na > 0 ? m->comoment[i + j * q] : 0.0) +
				comomentb[i + j * q];
	if (na <= 0)
	{
		/* Nothing to merge with: take the other stream as it is. */
		memcpy(m->mean, meanb, sizeof(double) * q);
		*m->n = nb;
		return;
	}

	for (int i = 0; i < q; i++)
		work[i] = meanb[i] - m->mean[i];
	cblas_dsyr(CblasColMajor, CblasUpper, q, na * nb / n,
			   work, 1, m->comoment, q);
	cblas_daxpy(q, nb / n, work, 1, m->mean, 1);
	*m->n = n;
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

	/* The block's own mean, then the rows centered on it. */
	memset(mean, 0, sizeof(double) * q);
	for (int r = 0; r < nrows; r++)
		cblas_daxpy(q, 1.0, rows + (size_t) r * q, 1, mean, 1);
	cblas_dscal(q, 1.0 / nrows, mean, 1);
	for (int r = 0; r < nrows; r++)
		cblas_daxpy(q, -1.0, mean, 1, rows + (size_t) r * q, 1);

	/*
	 * Row-major nrows x q is column-major q x nrows, so A A' is the q x q
	 * co-moment of the block.
	 */
	cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, q, nrows,
				1.0, rows, q, 0.0, comoment, q);
	promo_moments_merge(m, (double) nrows, mean, comoment,
						comoment + (size_t) q * q);
}

/* Copy the upper triangle of the co-moment matrix into the lower one. */
void
promo_moments_symmetrize(double *comoment, int q)
{
	for (int j = 0; j < q; j++)
		for (int i = j + 1; i < q; i++)
			comoment[i + j * q] = comoment[j + i * q];
}
