/*
 * test_finite.c
 *		Unit tests of finite.c: the all-finite test of a vector.
 */
#include "unit.h"

#include <float.h>
#include <math.h>

#include "finite.h"

static void
finite_accepts_finite_values(void)
{
	const double v[7] = {0.0, -0.0, 1.0, -DBL_MAX, DBL_MAX, DBL_MIN, 4.9e-324};

	CHECK(promo_all_finite(v, 7));
	CHECK(promo_all_finite(v, 0));
}

static void
finite_rejects_nan_and_infinity(void)
{
	double		v[37];

	for (int i = 0; i < 37; i++)
		v[i] = i * 0.5 - 3.0;
	CHECK(promo_all_finite(v, 37));
	/* each special value, at the start, in the middle and at the end */
	for (int k = 0; k < 3; k++)
	{
		const double special[3] = {NAN, INFINITY, -INFINITY};

		for (int pos = 0; pos < 37; pos += 18)
		{
			double		keep = v[pos];

			v[pos] = special[k];
			CHECK(!promo_all_finite(v, 37));
			/* an element past n is not looked at */
			CHECK(promo_all_finite(v, pos));
			v[pos] = keep;
		}
	}
	CHECK(promo_all_finite(v, 37));
}

const UnitTest unit_finite_tests[] = {
	UNIT_TEST(finite_accepts_finite_values),
	UNIT_TEST(finite_rejects_nan_and_infinity),
	{NULL, NULL}
};
