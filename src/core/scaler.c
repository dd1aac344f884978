/*
 * scaler.c
 *		Streaming per-dimension statistics (Welford, merged with Chan et al).
 */
#include "scaler.h"

#include <math.h>
#include <stdint.h>

#include "finite.h"

/* The largest count kept exactly: every integer up to 2^53 is a double. */
#define SCALER_MAX_COUNT 9007199254740992.0

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

/*
 * The faults of dimension j as bits (1 count, 2 m2, 4 min above max), for
 * finite statistics, computed without branches so that a loop over the
 * dimensions vectorizes.  A count below 2^52 is whole when adding and
 * subtracting 2^52 leaves it unchanged; from 2^52 on every double is whole.
 */
static inline int64_t
FaultBits(double c, double m2, double min, double max)
{
	int64_t		bad_count = (c < 0.0) | (c > SCALER_MAX_COUNT) |
		((c < 0x1p52) & ((c + 0x1p52) - 0x1p52 != c));

	return bad_count | (int64_t) (m2 < 0.0) << 1 |
		(int64_t) ((c > 0.0) & (min > max)) << 2;
}

/* The first fault of statistics from outside, its dimension in *dim. */
PromoScalerFault
promo_scaler_check(const PromoScalerStats *s, int *dim)
{
	const double *count = s->count;
	const double *m2 = s->m2;
	const double *min = s->min;
	const double *max = s->max;
	int64_t		bad = 0;

	if (promo_all_finite(count, 6 * s->d))
	{
		for (int j = 0; j < s->d; j++)
			bad |= FaultBits(count[j], m2[j], min[j], max[j]);
		if (!bad)
			return PROMO_SCALER_OK;
	}
	for (int j = 0; j < s->d; j++)
	{
		int64_t		bits;

		*dim = j;
		if (!isfinite(count[j]) || !isfinite(s->shift[j]) || !isfinite(s->mean[j]) ||
			!isfinite(m2[j]) || !isfinite(min[j]) || !isfinite(max[j]))
			return PROMO_SCALER_NOT_FINITE;
		bits = FaultBits(count[j], m2[j], min[j], max[j]);
		if (bits & 1)
			return PROMO_SCALER_BAD_COUNT;
		if (bits & 2)
			return PROMO_SCALER_NEGATIVE_M2;
		if (bits & 4)
			return PROMO_SCALER_MIN_ABOVE_MAX;
	}
	return PROMO_SCALER_OK;
}
