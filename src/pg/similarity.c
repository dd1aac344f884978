/*
 * similarity.c
 *		promo.cosine and promo.pearson over two float8[] vectors.
 */
#include "promo.h"

#include "similarity.h"

typedef bool (*SimilarityFn) (const double *a, const double *b, int n,
							  double *work, double *result);

/* Check both vectors, compute, and return NULL where undefined. */
static Datum
Similarity(FunctionCallInfo fcinfo, SimilarityFn fn)
{
	int			na;
	int			nb;
	const double *a = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(0), "a", &na);
	const double *b = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(1), "b", &nb);
	double		result;

	promo_check_length("b", nb, na);
	if (!fn(a, b, na, palloc(sizeof(double) * 2 * Max(na, 1)), &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* promo.cosine(a, b): cosine similarity; NULL if a norm is zero. */
PG_FUNCTION_INFO_V1(promo_cosine);
Datum
promo_cosine(PG_FUNCTION_ARGS)
{
	return Similarity(fcinfo, promo_cosine_similarity);
}

/* promo.pearson(a, b): Pearson correlation; NULL if a variance is zero. */
PG_FUNCTION_INFO_V1(promo_pearson);
Datum
promo_pearson(PG_FUNCTION_ARGS)
{
	return Similarity(fcinfo, promo_pearson_correlation);
}
