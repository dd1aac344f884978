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

/*
 * True if no element of v is NaN or infinite, that is has all exponent
 * bits set.  Adding one to the lowest exponent bit carries into the sign
 * bit exactly for those; adds, ands and ors vectorize on any x86-64.
 */
bool
promo_all_finite(const double *v, int n)
{
	const uint64_t exponent = UINT64_C(0x7ff0000000000000);
	const uint64_t carry = UINT64_C(0x0010000000000000);
	uint64_t	bad = 0;

	for (int i = 0; i < n; i++)
	{
		uint64_t	bits;

		memcpy(&bits, &v[i], sizeof(bits));
		bad |= (bits & exponent) + carry;
	}
	return (bad & UINT64_C(0x8000000000000000)) == 0;
}
