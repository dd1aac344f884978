/*
 * clip.c
 *		promo.winsorize and promo.clip: values clipped at given bounds.
 */
#include "promo.h"

#include <math.h>

#include "catalog/pg_type.h"

#include "clip.h"

/* Error unless lo <= hi; detail names the element when there are several. */
static void
CheckBounds(double lo, double hi, int element)
{
	if (lo <= hi)
		return;
	if (element > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lo must not be greater than hi"),
				 errdetail("Element %d: lo is %g and hi is %g.", element, lo, hi)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("lo must not be greater than hi"),
			 errdetail("lo is %g and hi is %g.", lo, hi)));
}

/* promo.winsorize(x, lo, hi): x clipped to [lo, hi]; bounds may be infinite. */
PG_FUNCTION_INFO_V1(promo_winsorize);
Datum
promo_winsorize(PG_FUNCTION_ARGS)
{
	double		x = PG_GETARG_FLOAT8(0);
	double		lo = PG_GETARG_FLOAT8(1);
	double		hi = PG_GETARG_FLOAT8(2);
	const char *nan = isnan(x) ? "x" : isnan(lo) ? "lo" : isnan(hi) ? "hi" : NULL;

	if (nan)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must not be NaN", nan)));
	CheckBounds(lo, hi, 0);
	promo_clip_values(1, &x, NULL, &lo, &hi, &x);
	PG_RETURN_FLOAT8(x);
}

/* promo.clip(x, lo, hi): x clipped per element; NULL elements stay NULL. */
PG_FUNCTION_INFO_V1(promo_clip);
Datum
promo_clip(PG_FUNCTION_ARGS)
{
	int			d;
	int			dlo;
	int			dhi;
	bool	   *isnull;
	double	   *x = promo_vector_copy(PG_GETARG_ARRAYTYPE_P(0), "x", &d, &isnull,
									  PROMO_NULLS | PROMO_INFINITY);
	double	   *lo = promo_vector_copy(PG_GETARG_ARRAYTYPE_P(1), "lo", &dlo, NULL,
									   PROMO_INFINITY);
	double	   *hi = promo_vector_copy(PG_GETARG_ARRAYTYPE_P(2), "hi", &dhi, NULL,
									   PROMO_INFINITY);
	Datum	   *elems;
	int			dims[1];
	int			lbs[1] = {1};

	promo_check_length("lo", dlo, d);
	promo_check_length("hi", dhi, d);
	for (int j = 0; j < d; j++)
		CheckBounds(lo[j], hi[j], j + 1);
	promo_clip_values(d, x, isnull, lo, hi, x);
	if (isnull == NULL)
		PG_RETURN_ARRAYTYPE_P(promo_float8_array(x, d));
	elems = palloc(sizeof(Datum) * Max(d, 1));
	for (int j = 0; j < d; j++)
		elems[j] = Float8GetDatum(x[j]);
	dims[0] = d;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, isnull, 1, dims, lbs, FLOAT8OID,
											 sizeof(float8), FLOAT8PASSBYVAL,
											 TYPALIGN_DOUBLE));
}
