/*
 * test_clip.c
 *		Unit tests of clip.c: clipping values at given bounds.
 */
#include "unit.h"

#include <math.h>

#include "clip.h"

/* Clipping at bounds: inside, below, above, infinite bound, missing kept. */
static void
clip_values_at_bounds(void)
{
	const double x[5] = {0.5, -3.0, 7.0, -1e300, 42.0};
	const bool	isnull[5] = {false, false, false, false, true};
	const double lo[5] = {0.0, -1.0, 0.0, -INFINITY, 0.0};
	const double hi[5] = {1.0, 1.0, 5.0, 2.0, 1.0};
	double		out[5];

	promo_clip_values(5, x, isnull, lo, hi, out);
	CHECK(out[0] == 0.5);
	CHECK(out[1] == -1.0);
	CHECK(out[2] == 5.0);
	CHECK(out[3] == -1e300);
	CHECK(out[4] == 42.0);
}

const UnitTest unit_clip_tests[] = {
	UNIT_TEST(clip_values_at_bounds),
	{NULL, NULL}
};
