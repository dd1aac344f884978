/*
 * clip.h
 *		Clipping values at given bounds (winsorizing).
 */
#ifndef PROMO_CLIP_H
#define PROMO_CLIP_H

#include <stdbool.h>

/*
 * x clipped to [lo[j], hi[j]] per element (winsorizing at given bounds);
 * missing elements stay missing.  Bounds may be infinite.
 */
extern void promo_clip_values(int d, const double *x, const bool *isnull,
							  const double *lo, const double *hi, double *out);

#endif							/* PROMO_CLIP_H */
