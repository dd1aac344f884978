/*
 * spi_util.c
 *		SPI helpers shared by the functions that read tables.
 */
#include "spi_util.h"

#include "executor/spi.h"
#include "utils/datum.h"

/* The values of a query that returns one row, in the current context. */
void
promo_spi_row(const char *sql, int nargs, Oid *types, Datum *values,
			  const char *nulls, int ncols, Datum *out, bool *isnull,
			  const char *what)
{
	int			ret = SPI_execute_with_args(sql, nargs, types, values, nulls, true, 0);

	if (ret != SPI_OK_SELECT || SPI_processed != 1 || SPI_tuptable->tupdesc->natts < ncols)
		elog(ERROR, "%s query returned %llu rows (SPI result %d), not one of %d columns",
			 what, (unsigned long long) SPI_processed, ret, ncols);
	for (int i = 0; i < ncols; i++)
	{
		Form_pg_attribute att = TupleDescAttr(SPI_tuptable->tupdesc, i);
		Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
										  i + 1, &isnull[i]);

		out[i] = isnull[i] ? (Datum) 0 : datumCopy(value, att->attbyval, att->attlen);
	}
	SPI_freetuptable(SPI_tuptable);
}

/* The one value of a query that returns one row, in the current context. */
Datum
promo_spi_value(const char *sql, int nargs, Oid *types, Datum *values,
				const char *nulls, bool *isnull, const char *what)
{
	Datum		value;

	promo_spi_row(sql, nargs, types, values, nulls, 1, &value, isnull, what);
	return value;
}
