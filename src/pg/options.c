/*
 * options.c
 *		Algorithm options from jsonb objects and SQL arguments, by table.
 */
#include "options.h"

#include <float.h>
#include <math.h>

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

/* The value's place in the options struct. */
#define OPTION_AT(opts, off, type) ((type *) ((char *) (opts) + (off)))

/* The number of names in a NULL-terminated list of choices. */
static int
ChoiceCount(const PromoOptionDef *def)
{
	int			n = 0;

	while (def->choices[n] != NULL)
		n++;
	return n;
}

/* What a choice option accepts, for its error message. */
static char *
ChoiceHelp(const PromoOptionDef *def)
{
	StringInfoData buf;
	int			n = ChoiceCount(def);
	int			total = n + (def->array_offset >= 0);

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s\"%s\"", i == 0 ? "" : i + 1 == total ? " or " : ", ",
						 def->choices[i]);
	if (def->array_offset >= 0)
		appendStringInfo(&buf, " or %s", def->array_help);
	return buf.data;
}

/* Error: the value of an option is not what its definition allows. */
static void
BadValue(const PromoOptionTable *table, const PromoOptionDef *def)
{
	const char *what = table->what;

	switch (def->type)
	{
		case PROMO_OPTION_INT:
		case PROMO_OPTION_INT64:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s option \"%s\" must be a whole number between %.0f and %.0f",
							what, def->name, def->min, def->max)));
			break;
		case PROMO_OPTION_REAL:
			if (def->max >= DBL_MAX && def->min_exclusive)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s option \"%s\" must be a finite number greater than %g",
								what, def->name, def->min)));
			if (def->max >= DBL_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s option \"%s\" must be a finite number of at least %g",
								what, def->name, def->min)));
			if (def->min_exclusive)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s option \"%s\" must be a number greater than %g and at most %g",
								what, def->name, def->min, def->max)));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s option \"%s\" must be a number between %g and %g",
							what, def->name, def->min, def->max)));
			break;
		case PROMO_OPTION_REAL_ARRAY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s option \"%s\" must be an array of numbers or nulls",
							what, def->name)));
			break;
		case PROMO_OPTION_BOOL:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s option \"%s\" must be true or false", what, def->name)));
			break;
		case PROMO_OPTION_CHOICE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s option \"%s\" must be %s", what, def->name,
							ChoiceHelp(def))));
			break;
	}
}

/* Does a number (or bool) pass the definition's type and range? */
static bool
NumberFits(const PromoOptionDef *def, double v)
{
	bool		whole = def->type == PROMO_OPTION_INT || def->type == PROMO_OPTION_INT64;
	bool		real = def->type == PROMO_OPTION_REAL || def->type == PROMO_OPTION_REAL_ARRAY;

	return def->type == PROMO_OPTION_CHOICE ||
		!(isnan(v) || v < def->min || v > def->max || (whole && v != floor(v)) ||
		  (def->min_exclusive && v == def->min) || (real && !isfinite(v)) ||
		  (def->type == PROMO_OPTION_BOOL && v != 0 && v != 1));
}

/* Write a number (or bool) into the options struct, unchecked. */
static void
WriteNumber(const PromoOptionDef *def, double v, void *opts)
{
	switch (def->type)
	{
		case PROMO_OPTION_INT:
		case PROMO_OPTION_CHOICE:
			*OPTION_AT(opts, def->offset, int32) = (int32) v;
			break;
		case PROMO_OPTION_INT64:
			*OPTION_AT(opts, def->offset, int64) = (int64) v;
			break;
		case PROMO_OPTION_REAL:
			*OPTION_AT(opts, def->offset, double) = v;
			break;
		case PROMO_OPTION_BOOL:
			*OPTION_AT(opts, def->offset, bool) = v != 0;
			break;
		case PROMO_OPTION_REAL_ARRAY:
			*OPTION_AT(opts, def->offset, double *) = NULL;
			*OPTION_AT(opts, def->array_offset, int32) = 0;
			break;
	}
}

/* Store a number (or bool) after checking it against the definition. */
static void
StoreNumber(const PromoOptionTable *table, const PromoOptionDef *def,
			double v, void *opts)
{
	if (!NumberFits(def, v))
		BadValue(table, def);
	WriteNumber(def, v, opts);
}

/* A numeric jsonb value as a double. */
static double
NumericValue(JsonbValue *v)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8,
											  NumericGetDatum(v->val.numeric)));
}

/* Error: element e (1-based) of an array option is not what it allows. */
static void
BadElement(const PromoOptionTable *table, const PromoOptionDef *def, int e)
{
	const char *op = def->min_exclusive ? "greater than" : "of at least";

	if (def->max >= DBL_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s option \"%s\" element %d must be a finite number %s %g, or null",
						table->what, def->name, e, op, def->min)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s option \"%s\" element %d must be a number %s %g and at most %g, or null",
					table->what, def->name, e, op, def->min, def->max)));
}

/*
 * Store an array of numbers, each checked against the definition (a null
 * element takes default_value), as a palloc'd double array and its length.
 */
static void
StoreRealArray(const PromoOptionTable *table, const PromoOptionDef *def,
			   JsonbValue *v, void *opts)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	double	   *values;
	int			n = 0;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		BadValue(table, def);
	values = palloc(sizeof(double) * Max(JsonContainerSize(v->val.binary.data), 1));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (elem.type == jbvNull)
			values[n] = def->default_value;
		else
		{
			if (elem.type != jbvNumeric || !NumberFits(def, NumericValue(&elem)))
				BadElement(table, def, n + 1);
			values[n] = NumericValue(&elem);
		}
		n++;
	}
	*OPTION_AT(opts, def->offset, double *) = values;
	*OPTION_AT(opts, def->array_offset, int32) = n;
}

/* Store a choice given as a string or, where allowed, a JSON array. */
static void
StoreChoice(const PromoOptionTable *table, const PromoOptionDef *def,
			JsonbValue *v, void *opts)
{
	int			n = ChoiceCount(def);

	if (v->type == jbvString)
	{
		for (int i = 0; i < n; i++)
			if (strlen(def->choices[i]) == v->val.string.len &&
				strncmp(def->choices[i], v->val.string.val, v->val.string.len) == 0)
			{
				StoreNumber(table, def, i, opts);
				return;
			}
	}
	else if (def->array_offset >= 0 && v->type == jbvBinary &&
			 JsonContainerIsArray(v->val.binary.data))
	{
		*OPTION_AT(opts, def->offset, int32) = n;
		*OPTION_AT(opts, def->array_offset, Jsonb *) = JsonbValueToJsonb(v);
		return;
	}
	BadValue(table, def);
}

/* Store one option's jsonb value, checked against its definition. */
static void
StoreValue(const PromoOptionTable *table, const PromoOptionDef *def,
		   JsonbValue *v, void *opts)
{
	if (def->nullable && v->type == jbvNull)
		WriteNumber(def, def->type == PROMO_OPTION_REAL_ARRAY ? 0 : def->default_value, opts);
	else if (def->type == PROMO_OPTION_REAL_ARRAY)
		StoreRealArray(table, def, v, opts);
	else if (def->type == PROMO_OPTION_CHOICE)
		StoreChoice(table, def, v, opts);
	else if (def->type == PROMO_OPTION_BOOL && v->type == jbvBool)
		StoreNumber(table, def, v->val.boolean ? 1 : 0, opts);
	else if (def->type != PROMO_OPTION_BOOL && v->type == jbvNumeric)
		StoreNumber(table, def, NumericValue(v), opts);
	else
		BadValue(table, def);
}

/* The definition of the named option; unknown names are errors. */
static const PromoOptionDef *
FindOption(const PromoOptionTable *table, const char *name, int len)
{
	StringInfoData names;

	for (int i = 0; i < table->ndefs; i++)
		if (strlen(table->defs[i].name) == len &&
			strncmp(table->defs[i].name, name, len) == 0)
			return &table->defs[i];
	initStringInfo(&names);
	for (int i = 0; i < table->ndefs; i++)
		appendStringInfo(&names, "%s%s", i == 0 ? "" : ", ", table->defs[i].name);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown %s option \"%.*s\"", table->what, len, name),
			 errhint("The options are %s.", names.data)));
	return NULL;
}

/* Set every option of the table to its default (not range-checked). */
void
promo_options_defaults(const PromoOptionTable *table, void *opts)
{
	for (int i = 0; i < table->ndefs; i++)
	{
		const PromoOptionDef *def = &table->defs[i];

		WriteNumber(def, def->default_value, opts);
		if (def->type == PROMO_OPTION_CHOICE && def->array_offset >= 0)
			*OPTION_AT(opts, def->array_offset, Jsonb *) = NULL;
	}
}

/* Defaults, then the options of a jsonb object. */
void
promo_options_parse(const PromoOptionTable *table, Jsonb *options, void *opts)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	val;
	JsonbIteratorToken tok;

	promo_options_defaults(table, opts);
	if (options == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s options must be a JSON object", table->what)));
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		const PromoOptionDef *def;

		if (tok != WJB_KEY)
			continue;
		def = FindOption(table, key.val.string.val, key.val.string.len);
		tok = JsonbIteratorNext(&it, &val, true);
		StoreValue(table, def, &val, opts);
	}
}

/* Set one numeric or bool option from an SQL argument. */
void
promo_option_set_number(const PromoOptionTable *table, const char *name,
						double value, void *opts)
{
	StoreNumber(table, FindOption(table, name, strlen(name)), value, opts);
}

/* Set one option from a jsonb SQL argument (a scalar or a container). */
void
promo_option_set_jsonb(const PromoOptionTable *table, const char *name,
					   Jsonb *value, void *opts)
{
	const PromoOptionDef *def = FindOption(table, name, strlen(name));
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(value))
		JsonbExtractScalar(&value->root, &v);
	else
	{
		v.type = jbvBinary;
		v.val.binary.data = &value->root;
		v.val.binary.len = VARSIZE(value) - VARHDRSZ;
	}
	StoreValue(table, def, &v, opts);
}
