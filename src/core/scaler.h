/*
 * scaler.h
 *		Per-dimension count, mean, standard deviation, min and max.
 *
 *		Values are shifted by the first value of their dimension so that a
 *		large offset does not swamp the variance in rounding.
 */
#ifndef PROMO_SCALER_H
#define PROMO_SCALER_H

#include <stdbool.h>

/* A view onto caller-owned storage of d dimensions. */
typedef struct PromoScalerStats
{
	int			d;
	double	   *count;
	double	   *shift;			/* first value seen, subtracted from all */
	double	   *mean;			/* mean of the shifted values */
	double	   *m2;				/* sum of squared deviations from the mean */
	double	   *min;
	double	   *max;
} PromoScalerStats;

/* What promo_scaler_check found wrong with a dimension. */
typedef enum PromoScalerFault
{
	PROMO_SCALER_OK = 0,
	PROMO_SCALER_NOT_FINITE,	/* a statistic is NaN or infinite */
	PROMO_SCALER_BAD_COUNT,		/* count not a whole number in [0, 2^53] */
	PROMO_SCALER_NEGATIVE_M2,	/* sum of squared deviations below 0 */
	PROMO_SCALER_MIN_ABOVE_MAX	/* a dimension with values has min > max */
} PromoScalerFault;

/*
 * Check statistics that came from outside (a transition state): the
 * first fault found, its dimension (0-based) in *dim.  count through max
 * must be stored one after the other, as in a state.
 */
extern PromoScalerFault promo_scaler_check(const PromoScalerStats *s, int *dim);

/* Add one row; isnull (may be NULL) marks elements to skip. */
extern void promo_scaler_add(PromoScalerStats *s, const double *x,
							 const bool *isnull);

/* Merge the statistics of another stream into s. */
extern void promo_scaler_merge(PromoScalerStats *s, const PromoScalerStats *other);

/* Mean per dimension, shift added back; NaN without values. */
extern void promo_scaler_mean(const PromoScalerStats *s, double *mean);

/* Sample standard deviation (n - 1) per dimension; NaN below two values. */
extern void promo_scaler_std(const PromoScalerStats *s, double *std);

/*
 * (x - mean) / std per element.  Missing elements take the mean (so 0);
 * a dimension whose std is 0 or undefined is centered only, giving 0.
 */
extern void promo_scaler_standardize(int d, const double *mean,
									 const double *std, const double *x,
									 const bool *isnull, double *out);

#endif							/* PROMO_SCALER_H */
