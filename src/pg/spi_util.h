/*
 * spi_util.h
 *		SPI helpers shared by the functions that read tables.
 */
#ifndef PROMO_SPI_UTIL_H
#define PROMO_SPI_UTIL_H

#include "promo.h"

/*
 * The value of a read-only query that returns exactly one row (an
 * aggregate over a table), copied into the current memory context; *isnull
 * says whether it is NULL.  The query runs without a row limit, which
 * would keep the planner from launching parallel workers.  nulls is as
 * SPI_execute_with_args takes it (NULL: none); what names the query in
 * errors.  The caller has connected to SPI.
 */
extern Datum promo_spi_value(const char *sql, int nargs, Oid *types,
							 Datum *values, const char *nulls, bool *isnull,
							 const char *what);

/*
 * The first ncols values of a read-only query that returns exactly one
 * row, as promo_spi_value takes one, into out and isnull.
 */
extern void promo_spi_row(const char *sql, int nargs, Oid *types,
						  Datum *values, const char *nulls, int ncols,
						  Datum *out, bool *isnull, const char *what);

#endif							/* PROMO_SPI_UTIL_H */
