/*
 * similarity.h
 *		Cosine similarity and Pearson correlation of two vectors.
 */
#ifndef PROMO_SIMILARITY_H
#define PROMO_SIMILARITY_H

#include <stdbool.h>

/*
 * Both return false, leaving *result alone, when the value is undefined:
 * a zero norm (cosine) or a zero variance (Pearson).  work holds 2 n.
 */
extern bool promo_cosine_similarity(const double *a, const double *b, int n,
						 double *work, double *result);
extern bool promo_pearson_correlation(const double *a, const double *b, int n,
						  double *work, double *result);

#endif							/* PROMO_SIMILARITY_H */
