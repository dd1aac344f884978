/*
 * contract.c
 *		The input contracts' column checks, shared by every function that
 *		reads a relation given as regclass: from C directly, from SQL and
 *		PL/pgSQL through promo._check_contract.
 *
 * A column passes when it exists and its type converts implicitly to the
 * contract type (integer types to bigint, numeric and integers to float8,
 * date and timestamp to timestamptz, varchar to text, ...): the functions'
 * queries then read it as they would a column of the contract type.
 */
#include "promo.h"

#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

#include "contract.h"

/* The hint every contract error carries. */
#define CONTRACT_HINT "The input contracts are described in the section \"Input contracts\" of promo's README; map the relation onto its contract with a view."

/* The relation's name as regclass prints it. */
static char *
RelationDisplayName(Oid relid)
{
	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(relid)));
}

/* Check one column; returns whether the relation has it. */
static bool
CheckColumn(Oid relid, const char *relname, const char *contract,
			const PromoContractColumn *col)
{
	AttrNumber	attnum = get_attnum(relid, col->name);
	Oid			type;

	if (attnum <= 0)
	{
		if (col->required)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("relation %s has no column %s of type %s, which the %s contract requires",
							relname, quote_identifier(col->name),
							format_type_be(col->type), contract),
					 errhint(CONTRACT_HINT)));
		return false;
	}
	type = get_atttype(relid, attnum);
	if (!can_coerce_type(1, &type, (Oid *) &col->type, COERCION_IMPLICIT))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column %s of relation %s has type %s, but the %s contract expects %s",
						quote_identifier(col->name), relname, format_type_be(type),
						contract, format_type_be(col->type)),
				 errdetail("A contract column may have any type that converts implicitly to the contract type."),
				 errhint(CONTRACT_HINT)));
	return true;
}

/* Error unless relid meets the contract; see contract.h. */
void
promo_check_contract(Oid relid, const char *contract,
					 const PromoContractColumn *columns, int ncolumns,
					 bool *present)
{
	char	   *relname = RelationDisplayName(relid);

	for (int i = 0; i < ncolumns; i++)
	{
		bool		has = CheckColumn(relid, relname, contract, &columns[i]);

		if (present != NULL)
			present[i] = has;
	}
}

/* Error unless relid has a feature-vector column; see contract.h. */
void
promo_check_features_column(Oid relid, const char *column, const char *contract)
{
	PromoContractColumn col = {column, FLOAT8ARRAYOID, true};

	promo_check_contract(relid, contract, &col, 1, NULL);
}

/* The elements of a 1-D array argument without NULLs, *n of them. */
static Datum *
ArrayArg(ArrayType *arr, Oid elemtype, const char *what, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, elemtype, typlen, typbyval, typalign, &elems, &nulls, n);
	for (int i = 0; i < *n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL elements", what)));
	return elems;
}

/*
 * promo._check_contract(rel, contract, columns, types, required): the
 * contract check for PL/pgSQL callers; returns which columns rel has.
 */
PG_FUNCTION_INFO_V1(promo_check_contract_sql);
Datum
promo_check_contract_sql(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *contract = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			n,
				ntypes,
				nrequired;
	Datum	   *names = ArrayArg(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, "columns", &n);
	Datum	   *types = ArrayArg(PG_GETARG_ARRAYTYPE_P(3), REGTYPEOID, "types", &ntypes);
	Datum	   *required = ArrayArg(PG_GETARG_ARRAYTYPE_P(4), BOOLOID, "required", &nrequired);
	PromoContractColumn *cols = palloc(sizeof(PromoContractColumn) * Max(n, 1));
	bool	   *present = palloc(sizeof(bool) * Max(n, 1));
	Datum	   *result = palloc(sizeof(Datum) * Max(n, 1));

	promo_check_length("types", ntypes, n);
	promo_check_length("required", nrequired, n);
	for (int i = 0; i < n; i++)
	{
		cols[i].name = TextDatumGetCString(names[i]);
		cols[i].type = DatumGetObjectId(types[i]);
		cols[i].required = DatumGetBool(required[i]);
	}
	promo_check_contract(relid, contract, cols, n, present);
	for (int i = 0; i < n; i++)
		result[i] = BoolGetDatum(present[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(result, n, BOOLOID, 1, true, TYPALIGN_CHAR));
}
