/*
 * spi_util.c
 *		SPI helpers shared by the functions that read tables.
 */
#include "spi_util.h"

#include "executor/spi.h"
#include "utils/datum.h"

/* The one value of a query that returns one row, in the current context. */
Datum
promo_spi_value(const char *sql, int nargs, Oid *types, Datum *values,
				const char *nulls, bool *isnull, const char *what)
{
	int			ret = SPI_execute_with_args(sql, nargs, types, values, nulls, true, 0);
	Form_pg_attribute att;
	Datum		value;

	if (ret != SPI_OK_SELECT || SPI_processed != 1 || SPI_tuptable->tupdesc->natts < 1)
		elog(ERROR, "%s query returned %llu rows (SPI result %d), not one",
			 what, (unsigned long long) SPI_processed, ret);
	att = TupleDescAttr(SPI_tuptable->tupdesc, 0);
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
	value = *isnull ? (Datum) 0 : datumCopy(value, att->attbyval, att->attlen);
	SPI_freetuptable(SPI_tuptable);
	return value;
}
