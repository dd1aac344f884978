/*
 * finite.h
 *		A fast test that a vector holds only finite values.
 */
#ifndef PROMO_FINITE_H
#define PROMO_FINITE_H

#include <stdbool.h>

/* True if no element of v is NaN or infinite. */
extern bool promo_all_finite(const double *v, int n);

#endif							/* PROMO_FINITE_H */
