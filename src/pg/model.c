/*
 * model.c
 *		The promo.model type: every trained model, one kind at a time.
 *
 * A model is a kind plus named float8 fields whose lengths follow from the
 * kind and its dimension.  The binary form is the header and the values;
 * the text form is a JSON object with the same fields, read back through
 * PostgreSQL's jsonb and checked field by field.  JSON has no NaN: a value
 * that is not available is null, and infinities are the strings
 * "Infinity" and "-Infinity".
 */
#include "model.h"

#include <math.h>

#include "common/hashfn.h"
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "linreg.h"
#include "logreg.h"

/* How a field's length follows from the model's dimension d. */
typedef enum FieldShape
{
	SHAPE_SCALAR,				/* one value */
	SHAPE_FEATURES,				/* d values */
	SHAPE_TERMS,				/* d + 1 values: intercept, then features */
	SHAPE_CLUSTERS,				/* k values */
	SHAPE_CENTROIDS				/* k x d values, row-major */
} FieldShape;

/* What values a field admits besides finite numbers of any sign. */
#define FIELD_COUNT		0x01	/* a non-negative whole number */
#define FIELD_NONNEG	0x02	/* not negative */
#define FIELD_PROB		0x04	/* between 0 and 1 */
#define FIELD_NULLABLE	0x08	/* may be null (NaN inside) */
#define FIELD_INFINITE	0x10	/* may be infinite */
#define FIELD_BOOL		0x20	/* 0 or 1, written as false or true */

typedef struct ModelField
{
	const char *name;
	FieldShape	shape;
	int			flags;
} ModelField;

typedef struct ModelKind
{
	PromoModelKind kind;
	const char *name;
	const ModelField *fields;
	int			nfields;
	const char *dim_field;		/* the field whose length gives d (and k) */
	int			max_dim;
	int			max_clusters;	/* 0: the kind has no clusters */
	void		(*check) (PromoModel *model, int sqlstate);
	double		(*predict) (PromoModel *model, const double *x);
} ModelKind;

static const ModelField linreg_fields[] = {
	{"n", SHAPE_SCALAR, FIELD_COUNT},
	{"n_skipped", SHAPE_SCALAR, FIELD_COUNT},
	{"df_residual", SHAPE_SCALAR, FIELD_COUNT},
	{"r2", SHAPE_SCALAR, FIELD_NULLABLE},
	{"adj_r2", SHAPE_SCALAR, FIELD_NULLABLE},
	{"sigma", SHAPE_SCALAR, FIELD_NONNEG},
	{"f_statistic", SHAPE_SCALAR, FIELD_NONNEG | FIELD_NULLABLE | FIELD_INFINITE},
	{"f_p_value", SHAPE_SCALAR, FIELD_PROB | FIELD_NULLABLE},
	{"condition_number", SHAPE_SCALAR, FIELD_NONNEG | FIELD_NULLABLE | FIELD_INFINITE},
	{"estimate", SHAPE_TERMS, 0},
	{"std_error", SHAPE_TERMS, FIELD_NONNEG},
	{"t_value", SHAPE_TERMS, FIELD_NULLABLE | FIELD_INFINITE},
	{"p_value", SHAPE_TERMS, FIELD_PROB | FIELD_NULLABLE},
};

static const ModelField scaler_fields[] = {
	{"count", SHAPE_FEATURES, FIELD_COUNT},
	{"mean", SHAPE_FEATURES, FIELD_NULLABLE},
	{"std", SHAPE_FEATURES, FIELD_NONNEG | FIELD_NULLABLE},
	{"min", SHAPE_FEATURES, FIELD_NULLABLE},
	{"max", SHAPE_FEATURES, FIELD_NULLABLE},
};

static const ModelField kmeans_fields[] = {
	{"n", SHAPE_SCALAR, FIELD_COUNT},
	{"n_skipped", SHAPE_SCALAR, FIELD_COUNT},
	{"inertia", SHAPE_SCALAR, FIELD_NONNEG},
	{"iterations", SHAPE_SCALAR, FIELD_COUNT},
	{"converged", SHAPE_SCALAR, FIELD_BOOL},
	{"centroids", SHAPE_CENTROIDS, 0},
	{"sizes", SHAPE_CLUSTERS, FIELD_COUNT},
};

static const ModelField logreg_fields[] = {
	{"n", SHAPE_SCALAR, FIELD_COUNT},
	{"n_skipped", SHAPE_SCALAR, FIELD_COUNT},
	{"df_null", SHAPE_SCALAR, FIELD_COUNT},
	{"df_residual", SHAPE_SCALAR, 0},
	{"null_deviance", SHAPE_SCALAR, FIELD_NONNEG},
	{"deviance", SHAPE_SCALAR, FIELD_NONNEG},
	{"aic", SHAPE_SCALAR, 0},
	{"log_likelihood", SHAPE_SCALAR, 0},
	{"lambda", SHAPE_SCALAR, FIELD_NONNEG},
	{"iterations", SHAPE_SCALAR, FIELD_COUNT},
	{"converged", SHAPE_SCALAR, FIELD_BOOL},
	{"n_extreme", SHAPE_SCALAR, FIELD_COUNT},
	{"estimate", SHAPE_TERMS, 0},
	{"std_error", SHAPE_TERMS, FIELD_NONNEG},
	{"z_value", SHAPE_TERMS, FIELD_NULLABLE | FIELD_INFINITE},
	{"p_value", SHAPE_TERMS, FIELD_PROB | FIELD_NULLABLE},
	{"mean", SHAPE_FEATURES, 0},
};

static void LinregCheck(PromoModel *model, int sqlstate);
static void LogregCheck(PromoModel *model, int sqlstate);
static void ScalerCheck(PromoModel *model, int sqlstate);
static void KmeansCheck(PromoModel *model, int sqlstate);

static const ModelKind model_kinds[] = {
	{PROMO_MODEL_LINREG, "linreg", linreg_fields, lengthof(linreg_fields),
	"estimate", PROMO_LINREG_MAX_FEATURES, 0, LinregCheck, promo_linreg_model_predict},
	{PROMO_MODEL_SCALER, "scaler", scaler_fields, lengthof(scaler_fields),
	"mean", PROMO_MAX_DIMENSIONS, 0, ScalerCheck, NULL},
	{PROMO_MODEL_KMEANS, "kmeans", kmeans_fields, lengthof(kmeans_fields),
	"centroids", PROMO_MAX_DIMENSIONS, PROMO_KMEANS_MAX_K, KmeansCheck,
	promo_kmeans_model_predict},
	{PROMO_MODEL_LOGREG, "logreg", logreg_fields, lengthof(logreg_fields),
	"estimate", PROMO_LOGREG_MAX_FEATURES, 0, LogregCheck, promo_logreg_model_predict},
};

#define MODEL_ERROR(code, ...) \
	ereport(ERROR, \
			(errcode(code), \
			 errmsg("invalid promo.model value"), \
			 errdetail(__VA_ARGS__)))

/* The kind description of a kind number, or NULL. */
static const ModelKind *
KindByNumber(int kind)
{
	for (int i = 0; i < lengthof(model_kinds); i++)
		if (model_kinds[i].kind == kind)
			return &model_kinds[i];
	return NULL;
}

/* The kind description of a model, which was checked when it was made. */
static const ModelKind *
KindOf(PromoModel *model)
{
	const ModelKind *k = KindByNumber(model->kind);

	if (k == NULL)
		MODEL_ERROR(ERRCODE_DATA_CORRUPTED, "Unknown model kind %d.", model->kind);
	return k;
}

/* Number of values of a field shape at dimension d with k clusters. */
static Size
ShapeLength(FieldShape shape, int d, int k)
{
	switch (shape)
	{
		case SHAPE_SCALAR:
			return 1;
		case SHAPE_FEATURES:
			return d;
		case SHAPE_TERMS:
			return (Size) d + 1;
		case SHAPE_CLUSTERS:
			return k;
		case SHAPE_CENTROIDS:
			return (Size) k * d;
	}
	return 0;
}

/* Number of values of all fields of a kind at dimension d, k clusters. */
static Size
KindLength(const ModelKind *kind, int d, int k)
{
	Size		total = 0;

	for (int i = 0; i < kind->nfields; i++)
		total += ShapeLength(kind->fields[i].shape, d, k);
	return total;
}

/* Error unless dim and nclusters are sizes a kind admits (see below). */
static void CheckDimension(const ModelKind *k, int dim, int nclusters, int sqlstate);

/* Allocate a zeroed model of a kind and sizes already checked. */
static PromoModel *
ModelAlloc(const ModelKind *kind, int dim, int nclusters)
{
	Size		size = offsetof(PromoModel, values) +
		sizeof(double) * KindLength(kind, dim, nclusters);
	PromoModel *model;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a %s model of %d features and %d clusters is too large",
						kind->name, dim, nclusters)));
	model = palloc0(size);

	SET_VARSIZE(model, size);
	model->kind = kind->kind;
	model->version = PROMO_MODEL_VERSION;
	model->dim = dim;
	model->nclusters = nclusters;
	return model;
}

/* Error unless a model of the kind and sizes is within the type's limits. */
void
promo_model_check_size(PromoModelKind kind, int dim, int nclusters)
{
	CheckDimension(KindByNumber(kind), dim, nclusters, ERRCODE_PROGRAM_LIMIT_EXCEEDED);
}

/* A zeroed model of the given kind and sizes, within the type's limits. */
PromoModel *
promo_model_new(PromoModelKind kind, int dim, int nclusters)
{
	const ModelKind *k = KindByNumber(kind);

	CheckDimension(k, dim, nclusters, ERRCODE_PROGRAM_LIMIT_EXCEEDED);
	return ModelAlloc(k, dim, nclusters);
}

/* Index of a field's first value in model->values, and the field. */
static Size
FieldOffset(const ModelKind *kind, int d, int k, const char *name,
			const ModelField **field)
{
	Size		offset = 0;

	for (int i = 0; i < kind->nfields; i++)
	{
		if (strcmp(kind->fields[i].name, name) == 0)
		{
			if (field)
				*field = &kind->fields[i];
			return offset;
		}
		offset += ShapeLength(kind->fields[i].shape, d, k);
	}
	elog(ERROR, "model kind \"%s\" has no field \"%s\"", kind->name, name);
	return 0;
}

/* The values of the named field of a model. */
double *
promo_model_field(PromoModel *model, const char *name)
{
	return model->values + FieldOffset(KindOf(model), model->dim, model->nclusters,
									   name, NULL);
}

/* Copy a regression's per-term columns into their fields. */
void
promo_model_set_terms(PromoModel *model, const double *estimate,
					  const double *std_error, const char *stat_name,
					  const double *stat, const double *p_value)
{
	Size		bytes = sizeof(double) * (model->dim + 1);

	memcpy(promo_model_field(model, "estimate"), estimate, bytes);
	memcpy(promo_model_field(model, "std_error"), std_error, bytes);
	memcpy(promo_model_field(model, stat_name), stat, bytes);
	memcpy(promo_model_field(model, "p_value"), p_value, bytes);
}

/* Detoasted copy of a model argument, kept for the calls of one query. */
typedef struct ModelCache
{
	struct varlena *raw;		/* the argument as passed: toast pointer or
								 * compressed bytes */
	PromoModel *model;			/* its detoasted value */
} ModelCache;

/*
 * A model argument, detoasted once per query rather than once per row.
 * A plain in-line value needs no work; a toasted one is recognised by its
 * raw bytes (for an on-disk value, its toast pointer), never by address.
 */
PromoModel *
promo_model_arg(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *raw = (struct varlena *) PG_GETARG_POINTER(argno);
	ModelCache *cache = (ModelCache *) fcinfo->flinfo->fn_extra;
	MemoryContext old;

	if (!VARATT_IS_EXTENDED(raw))
		return (PromoModel *) raw;
	if (cache != NULL && cache->raw != NULL &&
		VARSIZE_ANY(cache->raw) == VARSIZE_ANY(raw) &&
		memcmp(cache->raw, raw, VARSIZE_ANY(raw)) == 0)
		return cache->model;
	if (cache == NULL)
		cache = fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ModelCache));
	if (cache->raw != NULL)
	{
		pfree(cache->raw);
		pfree(cache->model);
	}
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cache->raw = palloc(VARSIZE_ANY(raw));
	memcpy(cache->raw, raw, VARSIZE_ANY(raw));
	cache->model = (PromoModel *) PG_DETOAST_DATUM_COPY(PointerGetDatum(raw));
	MemoryContextSwitchTo(old);
	return cache->model;
}

/* Error unless the model is of the given kind; fname names the caller. */
void
promo_model_expect(PromoModel *model, PromoModelKind kind, const char *fname)
{
	const ModelKind *have = KindOf(model);

	if (have->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a %s model, not a %s model",
						fname, KindByNumber(kind)->name, have->name)));
}

/* Error unless a feature vector fits the model's dimension. */
void
promo_model_check_dim(PromoModel *model, int n)
{
	if (n != model->dim)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("x has %d elements, but the model expects %d",
						n, model->dim)));
}

/* Error unless every value of a field is admissible under its flags. */
static void
CheckField(const ModelField *f, const double *v, Size len, int sqlstate)
{
	for (Size i = 0; i < len; i++)
	{
		const char *what = NULL;

		if (isnan(v[i]))
			what = (f->flags & FIELD_NULLABLE) ? NULL : "must not be null";
		else if (isinf(v[i]) && !(f->flags & FIELD_INFINITE))
			what = "must be finite";
		else if ((f->flags & FIELD_COUNT) && (v[i] < 0 || v[i] != floor(v[i])))
			what = "must be a non-negative whole number";
		else if ((f->flags & FIELD_NONNEG) && v[i] < 0)
			what = "must not be negative";
		else if ((f->flags & FIELD_PROB) && (v[i] < 0 || v[i] > 1))
			what = "must be between 0 and 1";
		else if ((f->flags & FIELD_BOOL) && v[i] != 0 && v[i] != 1)
			what = "must be true or false";
		if (what && f->shape == SHAPE_SCALAR)
			MODEL_ERROR(sqlstate, "Field \"%s\" %s.", f->name, what);
		if (what)
			MODEL_ERROR(sqlstate, "Element %d of field \"%s\" %s.", (int) i + 1, f->name, what);
	}
}

/*
 * Write every NaN as the one NaN of this build, so that equal models have
 * equal bytes whatever NaN payload a computation or a binary input left.
 */
static void
CanonicalNaN(double *v, Size len)
{
	for (Size i = 0; i < len; i++)
		if (isnan(v[i]))
			v[i] = NAN;
}

/*
 * The one check of a model, made by text input, binary input and every
 * producer (promo_model_finish): the kind, version and sizes, the length
 * of the value, every field, then the kind's own rules.
 */
static void
CheckModel(PromoModel *model, int sqlstate)
{
	const ModelKind *k = KindByNumber(model->kind);
	Size		offset = 0;

	if (k == NULL)
		MODEL_ERROR(sqlstate, "Unknown model kind %d.", model->kind);
	if (model->version != PROMO_MODEL_VERSION)
		MODEL_ERROR(sqlstate, "Unsupported version %d of a %s model.",
					model->version, k->name);
	CheckDimension(k, model->dim, model->nclusters, sqlstate);
	if (VARSIZE(model) != offsetof(PromoModel, values) +
		sizeof(double) * KindLength(k, model->dim, model->nclusters))
		MODEL_ERROR(sqlstate, "The %s model's length does not match its dimensions.",
					k->name);
	for (int i = 0; i < k->nfields; i++)
	{
		Size		len = ShapeLength(k->fields[i].shape, model->dim, model->nclusters);

		CheckField(&k->fields[i], model->values + offset, len, sqlstate);
		CanonicalNaN(model->values + offset, len);
		offset += len;
	}
	k->check(model, sqlstate);
}

/* Linear regression: the counts must add up. */
static void
LinregCheck(PromoModel *model, int sqlstate)
{
	double		n = promo_model_field(model, "n")[0];
	double		df = promo_model_field(model, "df_residual")[0];

	if (n != df + model->dim + 1)
		MODEL_ERROR(sqlstate, "Field \"n\" (%g) must equal \"df_residual\" (%g) plus the %d terms.",
					n, df, model->dim + 1);
}

/* Logistic regression: the counts must add up. */
static void
LogregCheck(PromoModel *model, int sqlstate)
{
	double		n = promo_model_field(model, "n")[0];

	if (n != promo_model_field(model, "df_residual")[0] + model->dim + 1 ||
		n != promo_model_field(model, "df_null")[0] + 1)
		MODEL_ERROR(sqlstate, "Fields \"df_null\" and \"df_residual\" must equal \"n\" less 1 and less the %d terms.",
					model->dim + 1);
	if (promo_model_field(model, "n_extreme")[0] > n)
		MODEL_ERROR(sqlstate, "Field \"n_extreme\" must not exceed \"n\".");
}

/* Scaler: a dimension with values has a mean and min <= max. */
static void
ScalerCheck(PromoModel *model, int sqlstate)
{
	double	   *count = promo_model_field(model, "count");
	double	   *mean = promo_model_field(model, "mean");
	double	   *min = promo_model_field(model, "min");
	double	   *max = promo_model_field(model, "max");

	for (int j = 0; j < model->dim; j++)
	{
		if (count[j] > 0 && (isnan(mean[j]) || isnan(min[j]) || isnan(max[j])))
			MODEL_ERROR(sqlstate, "Dimension %d has values but no mean, min or max.", j + 1);
		if (count[j] > 0 && min[j] > max[j])
			MODEL_ERROR(sqlstate, "Dimension %d has min greater than max.", j + 1);
	}
}

/* k-means: the sizes add up to the rows. */
static void
KmeansCheck(PromoModel *model, int sqlstate)
{
	double	   *sizes = promo_model_field(model, "sizes");
	double		total = 0;

	for (int c = 0; c < model->nclusters; c++)
		total += sizes[c];
	if (total != promo_model_field(model, "n")[0])
		MODEL_ERROR(sqlstate, "Field \"sizes\" must add up to \"n\".");
}

/*
 * Error unless dim (and nclusters) are sizes a kind admits.  Input gets
 * "invalid promo.model value"; a producer (sqlstate 54000) is told which
 * limit its input exceeds.
 */
static void
CheckDimension(const ModelKind *k, int dim, int nclusters, int sqlstate)
{
	bool		producer = sqlstate == ERRCODE_PROGRAM_LIMIT_EXCEEDED;

	if (producer && dim > k->max_dim)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("a %s model has at most %d features, not %d",
						k->name, k->max_dim, dim)));
	if (producer && k->max_clusters > 0 && nclusters > k->max_clusters)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("a %s model has at most %d clusters, not %d",
						k->name, k->max_clusters, nclusters)));
	if (dim < 1 || dim > k->max_dim)
		MODEL_ERROR(sqlstate, "A %s model has between 1 and %d features, not %d.",
					k->name, k->max_dim, dim);
	if (k->max_clusters == 0 && nclusters != 0)
		MODEL_ERROR(sqlstate, "A %s model has no clusters.", k->name);
	if (k->max_clusters > 0 && (nclusters < 1 || nclusters > k->max_clusters))
		MODEL_ERROR(sqlstate, "A %s model has between 1 and %d clusters, not %d.",
					k->name, k->max_clusters, nclusters);
}

/*
 * The model, checked as model input checks it: the last step of every
 * function that returns a model, so none returns one the type would
 * reject on reload.
 */
PromoModel *
promo_model_finish(PromoModel *model)
{
	CheckModel(model, ERRCODE_DATA_EXCEPTION);
	return model;
}

/* ---- text form ---- */

/*
 * Append one value as JSON: a number, null for NaN, or a string for inf.
 * Numbers are written in their shortest exact form whatever
 * extra_float_digits says, so text is a lossless form of a model.
 */
static void
AppendJsonNumber(StringInfo buf, double v)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (isnan(v))
		appendStringInfoString(buf, "null");
	else if (isinf(v))
		appendStringInfoString(buf, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
	{
		double_to_shortest_decimal_buf(v, digits);
		appendStringInfoString(buf, digits);
	}
}

/* Append n values as a JSON array. */
static void
AppendJsonArray(StringInfo buf, const double *v, Size n)
{
	appendStringInfoChar(buf, '[');
	for (Size j = 0; j < n; j++)
	{
		if (j > 0)
			appendStringInfoString(buf, ", ");
		AppendJsonNumber(buf, v[j]);
	}
	appendStringInfoChar(buf, ']');
}

/* Append a field's values: a scalar, an array, or an array of rows. */
static void
AppendJsonField(StringInfo buf, const ModelField *f, const double *v, int d, int k)
{
	if (f->shape == SHAPE_SCALAR && (f->flags & FIELD_BOOL))
		appendStringInfoString(buf, v[0] != 0 ? "true" : "false");
	else if (f->shape == SHAPE_SCALAR)
		AppendJsonNumber(buf, v[0]);
	else if (f->shape == SHAPE_CENTROIDS)
	{
		appendStringInfoChar(buf, '[');
		for (int c = 0; c < k; c++)
		{
			if (c > 0)
				appendStringInfoString(buf, ", ");
			AppendJsonArray(buf, v + (Size) c * d, d);
		}
		appendStringInfoChar(buf, ']');
	}
	else
		AppendJsonArray(buf, v, ShapeLength(f->shape, d, k));
}

/* Append a model as a JSON object; scalars_only leaves out array fields. */
static void
AppendModelJson(StringInfo buf, PromoModel *model, bool scalars_only)
{
	const ModelKind *k = KindOf(model);
	const double *v = model->values;

	appendStringInfo(buf, "{\"kind\": \"%s\", \"version\": %d", k->name, model->version);
	if (scalars_only)
		appendStringInfo(buf, ", \"features\": %d", model->dim);
	if (scalars_only && model->nclusters > 0)
		appendStringInfo(buf, ", \"clusters\": %d", model->nclusters);
	for (int i = 0; i < k->nfields; i++)
	{
		const ModelField *f = &k->fields[i];

		if (f->shape == SHAPE_SCALAR || !scalars_only)
		{
			appendStringInfo(buf, ", \"%s\": ", f->name);
			AppendJsonField(buf, f, v, model->dim, model->nclusters);
		}
		v += ShapeLength(f->shape, model->dim, model->nclusters);
	}
	appendStringInfoChar(buf, '}');
}

/* promo.model text output: JSON. */
PG_FUNCTION_INFO_V1(promo_model_out);
Datum
promo_model_out(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	StringInfoData buf;

	initStringInfo(&buf);
	AppendModelJson(&buf, model, false);
	PG_RETURN_CSTRING(buf.data);
}

/*
 * A JSON scalar as a double under the JSON conventions above; a boolean
 * field takes true or false (as 1 or 0) and nothing else.
 */
static bool
JsonbToDouble(const JsonbValue *jv, bool boolean, double *out)
{
	if (boolean || jv->type == jbvBool)
	{
		*out = jv->type == jbvBool && jv->val.boolean ? 1.0 : 0.0;
		return boolean && jv->type == jbvBool;
	}
	if (jv->type == jbvNull)
		*out = NAN;
	else if (jv->type == jbvNumeric)
		*out = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
												  NumericGetDatum(jv->val.numeric)));
	else if (jv->type == jbvString && jv->val.string.len == 8 &&
			 strncmp(jv->val.string.val, "Infinity", 8) == 0)
		*out = INFINITY;
	else if (jv->type == jbvString && jv->val.string.len == 9 &&
			 strncmp(jv->val.string.val, "-Infinity", 9) == 0)
		*out = -INFINITY;
	else
		return false;
	return true;
}

/* A field of a JSON object, required. */
static JsonbValue *
RequiredKey(JsonbContainer *obj, const char *key)
{
	JsonbValue *jv = getKeyJsonValueFromContainer(obj, key, strlen(key), NULL);

	if (jv == NULL)
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION, "Field \"%s\" is missing.", key);
	return jv;
}

/* Length of an array field, or an error if it is not an array. */
static int
ArrayFieldLength(JsonbValue *jv, const char *key)
{
	if (jv->type != jbvBinary || !JsonContainerIsArray(jv->val.binary.data))
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
					"Field \"%s\" must be an array of numbers.", key);
	return JsonContainerSize(jv->val.binary.data);
}

/* Read a JSON array of exactly len numbers into out. */
static void
ReadNumbers(JsonbValue *jv, const char *name, int len, double *out)
{
	int			have = ArrayFieldLength(jv, name);

	if (have != len)
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
					"Field \"%s\" has %d elements, expected %d.", name, have, len);
	for (int i = 0; i < len; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(jv->val.binary.data, i);

		if (!JsonbToDouble(elem, false, &out[i]))
			MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
						"Element %d of field \"%s\" must be a number.", i + 1, name);
	}
}

/* Read one field's values from its JSON into out. */
static void
ReadField(JsonbContainer *obj, const ModelField *f, int d, int k, double *out)
{
	JsonbValue *jv = RequiredKey(obj, f->name);
	bool		want_bool = (f->flags & FIELD_BOOL) != 0;

	if (f->shape == SHAPE_SCALAR)
	{
		if (!JsonbToDouble(jv, want_bool, out))
			MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
						"Field \"%s\" must be %s.", f->name,
						want_bool ? "true or false" : "a number");
		return;
	}
	if (f->shape != SHAPE_CENTROIDS)
	{
		ReadNumbers(jv, f->name, (int) ShapeLength(f->shape, d, k), out);
		return;
	}
	if (ArrayFieldLength(jv, f->name) != k)
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
					"Field \"%s\" must have %d rows.", f->name, k);
	for (int c = 0; c < k; c++)
		ReadNumbers(getIthJsonbValueFromContainer(jv->val.binary.data, c),
					f->name, d, out + (Size) c * d);
}

/* Error on any key that is neither a field of the kind nor kind/version. */
static void
CheckKnownKeys(JsonbContainer *obj, const ModelKind *k)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	jv;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &jv, true)) != WJB_DONE)
	{
		bool		known;
		char	   *key;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(jv.val.string.val, jv.val.string.len);
		known = strcmp(key, "kind") == 0 || strcmp(key, "version") == 0;
		for (int i = 0; i < k->nfields && !known; i++)
			known = strcmp(key, k->fields[i].name) == 0;
		if (!known)
			MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
						"Unknown field \"%s\" for a %s model.", key, k->name);
	}
}

/* The kind named by the "kind" field. */
static const ModelKind *
ReadKind(JsonbContainer *obj)
{
	JsonbValue *jv = RequiredKey(obj, "kind");

	if (jv->type != jbvString)
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION, "Field \"kind\" must be a string.");
	for (int i = 0; i < lengthof(model_kinds); i++)
	{
		const char *name = model_kinds[i].name;

		if (strlen(name) == jv->val.string.len &&
			strncmp(name, jv->val.string.val, jv->val.string.len) == 0)
			return &model_kinds[i];
	}
	MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION, "Unknown model kind \"%.*s\".",
				jv->val.string.len, jv->val.string.val);
	return NULL;
}

/* Error unless the "version" field is the version this build writes. */
static void
ReadVersion(JsonbContainer *obj)
{
	double		version;

	if (!JsonbToDouble(RequiredKey(obj, "version"), false, &version) ||
		version != PROMO_MODEL_VERSION)
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
					"Field \"version\" must be %d.", PROMO_MODEL_VERSION);
}

/* The model's dimension and clusters, from the kind's dim_field. */
static void
ReadDimensions(JsonbContainer *obj, const ModelKind *k, int *dim, int *nclusters)
{
	const ModelField *f;
	JsonbValue *jv;
	int			len;

	FieldOffset(k, 0, 0, k->dim_field, &f);
	jv = RequiredKey(obj, f->name);
	len = ArrayFieldLength(jv, f->name);
	*nclusters = 0;
	*dim = f->shape == SHAPE_TERMS ? len - 1 : len;
	if (f->shape == SHAPE_CENTROIDS)
	{
		/* Rows are clusters; the first row's length gives the features. */
		*nclusters = len;
		*dim = len == 0 ? 0 :
			ArrayFieldLength(getIthJsonbValueFromContainer(jv->val.binary.data, 0),
							 f->name);
	}
}

/* promo.model text input: JSON, checked field by field. */
PG_FUNCTION_INFO_V1(promo_model_in);
Datum
promo_model_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	Jsonb	   *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
	JsonbContainer *obj = &jb->root;
	const ModelKind *k;
	PromoModel *model;
	int			dim;
	int			nclusters;
	Size		offset = 0;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION, "A model is a JSON object.");
	k = ReadKind(obj);
	ReadVersion(obj);
	CheckKnownKeys(obj, k);
	ReadDimensions(obj, k, &dim, &nclusters);
	CheckDimension(k, dim, nclusters, ERRCODE_INVALID_TEXT_REPRESENTATION);

	model = ModelAlloc(k, dim, nclusters);
	for (int i = 0; i < k->nfields; i++)
	{
		ReadField(obj, &k->fields[i], dim, nclusters, model->values + offset);
		offset += ShapeLength(k->fields[i].shape, dim, nclusters);
	}
	CheckModel(model, ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(model);
}

/* ---- binary form ---- */

/* promo.model binary output: kind, version, dimensions, values. */
PG_FUNCTION_INFO_V1(promo_model_send);
Datum
promo_model_send(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	Size		len = KindLength(KindOf(model), model->dim, model->nclusters);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, model->kind);
	pq_sendint16(&buf, model->version);
	pq_sendint32(&buf, model->dim);
	pq_sendint32(&buf, model->nclusters);
	for (Size i = 0; i < len; i++)
		pq_sendfloat8(&buf, model->values[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* promo.model binary input, checked as the text input is. */
PG_FUNCTION_INFO_V1(promo_model_recv);
Datum
promo_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			kind = pq_getmsgint(buf, 2);
	int			version = pq_getmsgint(buf, 2);
	int			dim = pq_getmsgint(buf, 4);
	int			nclusters = pq_getmsgint(buf, 4);
	const ModelKind *k = KindByNumber(kind);
	PromoModel *model;
	Size		len;

	if (k == NULL)
		MODEL_ERROR(ERRCODE_INVALID_BINARY_REPRESENTATION, "Unknown model kind %d.", kind);
	if (version != PROMO_MODEL_VERSION)
		MODEL_ERROR(ERRCODE_INVALID_BINARY_REPRESENTATION,
					"Unsupported version %d of a %s model.", version, k->name);
	CheckDimension(k, dim, nclusters, ERRCODE_INVALID_BINARY_REPRESENTATION);
	len = KindLength(k, dim, nclusters);
	/* The declared sizes must match the bytes sent, before any allocation. */
	if (len != (Size) (buf->len - buf->cursor) / sizeof(double) ||
		(buf->len - buf->cursor) % sizeof(double) != 0)
		MODEL_ERROR(ERRCODE_INVALID_BINARY_REPRESENTATION,
					"A %s model with d = %d and k = %d has %zu values; the message holds %d bytes of values.",
					k->name, dim, nclusters, len, buf->len - buf->cursor);
	model = ModelAlloc(k, dim, nclusters);
	for (Size i = 0; i < len; i++)
		model->values[i] = pq_getmsgfloat8(buf);
	CheckModel(model, ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(model);
}

/* ---- equality, hashing and order, on the binary form ---- */

/*
 * Compare two models byte by byte: equal when their stored forms are
 * equal (every check above wrote NaN in one form).  The order is arbitrary
 * but total and stable, which is what sorting for DISTINCT needs.
 */
static int
ModelCompare(FunctionCallInfo fcinfo)
{
	PromoModel *a = PG_GETARG_PROMO_MODEL(0);
	PromoModel *b = PG_GETARG_PROMO_MODEL(1);
	Size		la = VARSIZE(a) - VARHDRSZ;
	Size		lb = VARSIZE(b) - VARHDRSZ;
	int			cmp = memcmp(VARDATA(a), VARDATA(b), Min(la, lb));

	if (cmp == 0 && la != lb)
		cmp = la < lb ? -1 : 1;
	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return cmp < 0 ? -1 : cmp > 0 ? 1 : 0;
}

/* promo.model_cmp(a, b): -1, 0 or 1, the btree support function. */
PG_FUNCTION_INFO_V1(promo_model_cmp);
Datum
promo_model_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(ModelCompare(fcinfo));
}

/* promo.model_eq(a, b): the = operator. */
PG_FUNCTION_INFO_V1(promo_model_eq);
Datum
promo_model_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ModelCompare(fcinfo) == 0);
}

/* promo.model_ne(a, b): the <> operator. */
PG_FUNCTION_INFO_V1(promo_model_ne);
Datum
promo_model_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ModelCompare(fcinfo) != 0);
}

/* promo.model_lt(a, b): the < operator of the btree order. */
PG_FUNCTION_INFO_V1(promo_model_lt);
Datum
promo_model_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ModelCompare(fcinfo) < 0);
}

/* promo.model_le(a, b): the <= operator of the btree order. */
PG_FUNCTION_INFO_V1(promo_model_le);
Datum
promo_model_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ModelCompare(fcinfo) <= 0);
}

/* promo.model_gt(a, b): the > operator of the btree order. */
PG_FUNCTION_INFO_V1(promo_model_gt);
Datum
promo_model_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ModelCompare(fcinfo) > 0);
}

/* promo.model_ge(a, b): the >= operator of the btree order. */
PG_FUNCTION_INFO_V1(promo_model_ge);
Datum
promo_model_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ModelCompare(fcinfo) >= 0);
}

/* promo.model_hash(m): hash of the stored bytes, equal for equal models. */
PG_FUNCTION_INFO_V1(promo_model_hash);
Datum
promo_model_hash(PG_FUNCTION_ARGS)
{
	PromoModel *m = PG_GETARG_PROMO_MODEL(0);

	return hash_any((unsigned char *) VARDATA(m), VARSIZE(m) - VARHDRSZ);
}

/* promo.model_hash_extended(m, seed): the 64-bit seeded hash. */
PG_FUNCTION_INFO_V1(promo_model_hash_extended);
Datum
promo_model_hash_extended(PG_FUNCTION_ARGS)
{
	PromoModel *m = PG_GETARG_PROMO_MODEL(0);

	return hash_any_extended((unsigned char *) VARDATA(m), VARSIZE(m) - VARHDRSZ,
							 PG_GETARG_INT64(1));
}

/* ---- functions over any kind ---- */

/* promo.metrics(model): the scalar fields as jsonb. */
PG_FUNCTION_INFO_V1(promo_metrics);
Datum
promo_metrics(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	StringInfoData buf;

	initStringInfo(&buf);
	AppendModelJson(&buf, model, true);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* promo.predict(model, x): the model's prediction for one feature vector. */
PG_FUNCTION_INFO_V1(promo_predict);
Datum
promo_predict(PG_FUNCTION_ARGS)
{
	PromoModel *model = promo_model_arg(fcinfo, 0);
	const ModelKind *k = KindOf(model);
	const double *x;
	int			n;

	if (k->predict == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("promo.predict does not apply to %s models", k->name),
				 k->kind == PROMO_MODEL_SCALER ?
				 errhint("Use promo.standardize to transform features with a scaler.") : 0));
	x = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(1), "x", &n);
	promo_model_check_dim(model, n);
	PG_RETURN_FLOAT8(k->predict(model, x));
}
