/*
 * finite.c
 *		A fast test that a vector holds only finite values.
 *
 * Every aggregate checks every row, so the test reads exponent bits with
 * integer operations that the compiler turns into a vector loop.
 */
#include "finite.h"

#include <stdint.h>
#include <string.h>

/* True if no element of v is NaN or infinite (exponent bits all ones). */
bool
promo_all_finite(const double *v, int n)
{
	const uint64_t exponent = UINT64_C(0x7ff0000000000000);
	uint64_t	bad = 0;

	for (int i = 0; i < n; i++)
	{
		uint64_t	bits;

		memcpy(&bits, &v[i], sizeof(bits));
		bad |= (uint64_t) ((bits & exponent) == exponent);
	}
	return bad == 0;
}
