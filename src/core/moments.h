/*
 * moments.h
 *		Mean vector and co-moment matrix of a stream of rows, mergeable.
 *
 * The co-moment matrix C = sum (z - mean)(z - mean)' is kept centered so
 * that large offsets do not cancel away the signal (a plain sum of squares
 * would).  Rows are first shifted by the stream's first row, which makes
 * the means small and their rounding harmless.  Rows arrive in blocks: a
 * block is centered on its own mean, reduced with one BLAS dsyrk, and
 * merged with the pairwise update of Chan, Golub and LeVeque.
 */
#ifndef PROMO_MOMENTS_H
#define PROMO_MOMENTS_H

/* A view onto caller-owned storage: q variables, n rows seen. */
typedef struct PromoMoments
{
	int			q;				/* number of variables */
	double	   *n;				/* rows merged so far */
	double	   *shift;			/* q: the first row, subtracted from all */
	double	   *mean;			/* q means of the shifted rows */
	double	   *comoment;		/* q x q, column-major, upper triangle kept */
} PromoMoments;

/* Doubles of scratch space the functions below need for q variables. */
#define PROMO_MOMENTS_WORK(q) ((size_t) (q) * (q) + 2 * (size_t) (q))

/* Merge rows (nrows x q, row-major) into m; rows is overwritten. */
extern void promo_moments_add_rows(PromoMoments *m, double *rows, int nrows,
								   double *work);

/* Merge the moments of another stream into m. */
extern void promo_moments_merge(PromoMoments *m, const PromoMoments *other,
								double *work);

/* Mean of variable i, shift added back. */
extern double promo_moments_mean(const PromoMoments *m, int i);

#endif							/* PROMO_MOMENTS_H */
