/*
 * scaler.c
 *		Streaming per-dimension statistics (Welford, merged with Chan et al).
 */
#include "scaler.h"

#include <math.h>

/* Add one row; isnull (may be NULL) marks elements to skip. */
void
promo_scaler_add(PromoScalerStats *s, const double *x, const bool *isnull)
{
	for (int j = 0; j < s->d; j++)
	{
		double		v;
		double		delta;

		if (isnull && isnull[j])
			continue;
		if (s->count[j] == 0.0)
			s->shift[j] = x[j];
		v = x[j] - s->shift[j];
		s->count[j] += 1.0;
		delta = v - s->mean[j];
		s->mean[j] += delta / s->count[j];
		s->m2[j] += delta * (v - s->mean[j]);
		if (s->count[j] == 1.0 || x[j] < s->min[j])
			s->min[j] = x[j];
		if (s->count[j] == 1.0 || x[j] > s->max[j])
			s->max[j] = x[j];
	}
}

/* Merge the statistics of another stream into s. */
void
promo_scaler_merge(PromoScalerStats *s, const PromoScalerStats *other)
{
	for (int j = 0; j < s->d; j++)
	{
		double		na = s->count[j];
		double		nb = other->count[j];
		double		n = na + nb;
		double		delta;

		if (nb == 0.0)
			continue;
		if (na == 0.0)
		{
			s->count[j] = nb;
			s->shift[j] = other->shift[j];
			s->mean[j] = other->mean[j];
			s->m2[j] = other->m2[j];
			s->min[j] = other->min[j];
			s->max[j] = other->max[j];
			continue;
		}
		/* Shifts of one dimension are close: their difference is exact. */
		delta = (other->shift[j] - s->shift[j]) + (other->mean[j] - s->mean[j]);
		s->count[j] = n;
		s->mean[j] += delta * (nb / n);
		s->m2[j] += other->m2[j] + delta * delta * (na * nb / n);
		s->min[j] = fmin(s->min[j], other->min[j]);
		s->max[j] = fmax(s->max[j], other->max[j]);
	}
}

/* Mean per dimension, shift added back; NaN without values. */
void
promo_scaler_mean(const PromoScalerStats *s, double *mean)
{
	for (int j = 0; j < s->d; j++)
		mean[j] = s->count[j] > 0.0 ? s->shift[j] + s->mean[j] : NAN;
}

/* Sample standard deviation (n - 1) per dimension; NaN below two values. */
void
promo_scaler_std(const PromoScalerStats *s, double *std)
{
	for (int j = 0; j < s->d; j++)
		std[j] = s->count[j] >= 2.0 ? sqrt(s->m2[j] / (s->count[j] - 1.0)) : NAN;
}

/* (x - mean) / std per element, missing elements and flat dimensions 0. */
void
promo_scaler_standardize(int d, const double *mean, const double *std,
						 const double *x, const bool *isnull, double *out)
{
	for (int j = 0; j < d; j++)
	{
		if ((isnull && isnull[j]) || !(std[j] > 0.0))
			out[j] = 0.0;
		else
			out[j] = (x[j] - mean[j]) / std[j];
	}
}
