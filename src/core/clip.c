/*
 * clip.c
 *		Clipping values at given bounds (winsorizing).
 */
#include "clip.h"

#include <math.h>

/* x clipped to [lo[j], hi[j]] per element; missing elements stay missing. */
void
promo_clip_values(int d, const double *x, const bool *isnull, const double *lo,
				  const double *hi, double *out)
{
	for (int j = 0; j < d; j++)
	{
		if (isnull && isnull[j])
			out[j] = x[j];
		else
			out[j] = fmin(fmax(x[j], lo[j]), hi[j]);
	}
}
