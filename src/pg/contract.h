/*
 * contract.h
 *		Column checks of the input contracts: the relations a shop hands to
 *		promo's functions (events, orders, items, users, features, ...).
 */
#ifndef PROMO_CONTRACT_H
#define PROMO_CONTRACT_H

#include "postgres.h"

/* One column of an input contract. */
typedef struct PromoContractColumn
{
	const char *name;			/* column name */
	Oid			type;			/* contract type: the column must convert to
								 * it implicitly */
	bool		required;		/* false: the column may be missing */
} PromoContractColumn;

/*
 * Error unless relation relid has every required column of the contract
 * named contract, each column it has of a type that converts implicitly to
 * the contract type.  present[i] (when present is not NULL) tells whether
 * the relation has column i.
 */
extern void promo_check_contract(Oid relid, const char *contract,
								 const PromoContractColumn *columns,
								 int ncolumns, bool *present);

/* Error unless relid has column of a type that converts to float8[]. */
extern void promo_check_features_column(Oid relid, const char *column,
										const char *contract);

#endif							/* PROMO_CONTRACT_H */
