/*
 * model.c
 *		The promo.model type: every trained model, one kind at a time.
 *
 * A model is a kind plus named float8 fields whose lengths follow from the
 * kind and its dimension, and optionally one name per feature (version 2,
 * see model.h).  The binary form is the header, the values and the names;
 * the text form is a JSON object with the same fields (and "names"), read
 * back through PostgreSQL's jsonb and checked field by field.  JSON has no
 * NaN: a value that is not available is null, and infinities are the
 * strings "Infinity" and "-Infinity".
 */
#include "model.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
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

/* Bytes of the header and values of a model: where its names begin. */
static Size
ValuesSize(const ModelKind *kind, int d, int k)
{
	return offsetof(PromoModel, values) + sizeof(double) * KindLength(kind, d, k);
}

/* Error unless dim and nclusters are sizes a kind admits (see below). */
static void CheckDimension(const ModelKind *k, int dim, int nclusters, int sqlstate);

/* Allocate a zeroed model of a kind and sizes already checked. */
static PromoModel *
ModelAlloc(const ModelKind *kind, int dim, int nclusters)
{
	Size		size = ValuesSize(kind, dim, nclusters);
	PromoModel *model;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a %s model of %d features and %d clusters is too large",
						kind->name, dim, nclusters)));
	model = palloc0(size);

	SET_VARSIZE(model, size);
	model->kind = kind->kind;
	model->version = PROMO_MODEL_PLAIN;
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

/* Error unless version is a layout this build reads (see model.h). */
static void
CheckVersion(const ModelKind *k, int version, int sqlstate)
{
	if (version != PROMO_MODEL_PLAIN && version != PROMO_MODEL_NAMED)
		MODEL_ERROR(sqlstate, "Unsupported version %d of a %s model.", version, k->name);
}

/*
 * The one check of a model, made by text input, binary input and every
 * producer (promo_model_finish): the kind, version and sizes, the length
 * of the value, every field, the kind's own rules, then the names.
 */
static void
CheckModel(PromoModel *model, int sqlstate)
{
	const ModelKind *k = KindByNumber(model->kind);
	Size		offset = 0;
	Size		values;
	bool		named = model->version == PROMO_MODEL_NAMED;
	const char *problem;

	if (k == NULL)
		MODEL_ERROR(sqlstate, "Unknown model kind %d.", model->kind);
	CheckVersion(k, model->version, sqlstate);
	CheckDimension(k, model->dim, model->nclusters, sqlstate);
	values = ValuesSize(k, model->dim, model->nclusters);
	/* Version 1 ends with the values; version 2 has names after them. */
	if (named ? VARSIZE(model) <= values : VARSIZE(model) != values)
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
	problem = named ? promo_names_problem((char *) model + values,
										  VARSIZE(model) - values, model->dim) : NULL;
	if (problem != NULL)
		MODEL_ERROR(sqlstate, "%s", problem);
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

/* ---- feature names ---- */

/* qsort_arg order of name indexes: by name, then by position. */
static int
CompareNames(const void *a, const void *b, void *arg)
{
	const char **list = arg;
	int			i = *(const int *) a;
	int			j = *(const int *) b;
	int			cmp = strcmp(list[i], list[j]);

	return cmp != 0 ? cmp : (i > j) - (i < j);
}

/* The positions (1-based) of two equal names in list, or 0 when none. */
static int
FindDuplicate(const char **list, int n, int *other)
{
	int		   *order = palloc(sizeof(int) * n);
	int			found = 0;

	for (int i = 0; i < n; i++)
		order[i] = i;
	qsort_arg(order, n, sizeof(int), CompareNames, list);
	for (int i = 1; i < n && found == 0; i++)
	{
		if (strcmp(list[order[i - 1]], list[order[i]]) == 0)
		{
			found = order[i - 1] + 1;
			*other = order[i] + 1;
		}
	}
	pfree(order);
	return found;
}

/* What is wrong with a names section as the names of d features, or NULL. */
const char *
promo_names_problem(const char *data, Size len, int d)
{
	const char **list = palloc(sizeof(char *) * Max(d, 1));
	Size		pos = 0;
	int			n = 0;
	int			first;
	int			second = 0;

	while (pos < len && n < d)
	{
		Size		bytes = strnlen(data + pos, len - pos);

		/* Every name ends with a NUL inside the section. */
		if (pos + bytes == len)
			return psprintf("Feature name %d is not terminated.", n + 1);
		if (bytes == 0)
			return psprintf("Feature name %d is empty.", n + 1);
		if (bytes > PROMO_MAX_NAME_BYTES)
			return psprintf("Feature name %d is longer than %d bytes.",
							n + 1, PROMO_MAX_NAME_BYTES);
		if (!pg_verifymbstr(data + pos, (int) bytes, true))
			return psprintf("Feature name %d is not valid in the database encoding.", n + 1);
		list[n++] = data + pos;
		pos += bytes + 1;
	}
	if (n < d || pos < len)
		return psprintf("A model of %d features has %s names.", d,
						n < d ? "fewer" : "more");
	first = FindDuplicate(list, n, &second);
	if (first > 0)
		return psprintf("Feature names %d and %d are both \"%s\".",
						first, second, list[first - 1]);
	pfree(list);
	return NULL;
}

/* A text[] argument as names, checked by the rules of names. */
PromoNames
promo_names_from_array(ArrayType *arr, const char *what)
{
	StringInfoData buf;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const char *problem;
	PromoNames	names;

	if (ARR_ELEMTYPE(arr) != TEXTOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be a text array", what)));
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("The array has %d dimensions.", ARR_NDIM(arr))));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	promo_check_not_empty(what, n);
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL elements", what),
					 errdetail("Element %d is NULL.", i + 1)));
		t = DatumGetTextPP(elems[i]);
		appendBinaryStringInfo(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		appendStringInfoChar(&buf, '\0');
	}
	problem = promo_names_problem(buf.data, buf.len, n);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s", what),
				 errdetail("%s", problem)));
	names.n = n;
	names.len = buf.len;
	names.data = buf.data;
	return names;
}

/* Error unless there is one name for each of d features; unit names one. */
void
promo_names_check_count(const PromoNames *names, int d, const char *unit)
{
	if (names->n != d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("names has %d elements, expected %d", names->n, d),
				 errdetail("There is one name per %s.", unit)));
}

/* Do two sets of names hold the same names in the same order? */
bool
promo_names_equal(const PromoNames *a, const PromoNames *b)
{
	return a->n == b->n && a->len == b->len &&
		(a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* A copy of names in cxt. */
PromoNames
promo_names_copy(const PromoNames *names, MemoryContext cxt)
{
	PromoNames	copy = *names;

	copy.data = names->len > 0 ? MemoryContextAlloc(cxt, names->len) : NULL;
	if (names->len > 0)
		memcpy(copy.data, names->data, names->len);
	return copy;
}

/* Pointers to each of the n names, in order. */
const char **
promo_names_list(const PromoNames *names)
{
	const char **list = palloc(sizeof(char *) * Max(names->n, 1));
	const char *p = names->data;

	for (int i = 0; i < names->n; i++)
	{
		list[i] = p;
		p += strlen(p) + 1;
	}
	return list;
}

/* A model's names (pointing into it), or n = 0 when it has none. */
PromoNames
promo_model_names(PromoModel *model)
{
	PromoNames	names = {0, 0, NULL};
	Size		values;

	if (model->version != PROMO_MODEL_NAMED)
		return names;
	values = ValuesSize(KindOf(model), model->dim, model->nclusters);
	names.n = model->dim;
	names.len = VARSIZE(model) - values;
	names.data = (char *) model + values;
	return names;
}

/*
 * A copy of a model's header and values followed by names (n = 0: none),
 * not yet checked.
 */
static PromoModel *
AttachNames(PromoModel *model, const PromoNames *names)
{
	Size		values = ValuesSize(KindOf(model), model->dim, model->nclusters);
	Size		size = values + names->len;
	PromoModel *named;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a model of %d features with their names is too large", model->dim)));
	named = palloc(size);
	memcpy(named, model, values);
	if (names->len > 0)
		memcpy((char *) named + values, names->data, names->len);
	SET_VARSIZE(named, size);
	named->version = names->n > 0 ? PROMO_MODEL_NAMED : PROMO_MODEL_PLAIN;
	return named;
}

/* A copy of the model carrying names (n = 0: none), checked. */
PromoModel *
promo_model_with_names(PromoModel *model, const PromoNames *names)
{
	if (names->n > 0)
		promo_names_check_count(names, model->dim, "feature of the model");
	return promo_model_finish(AttachNames(model, names));
}

/* Does a text[] hold exactly the given names (and no NULL)? */
static bool
ArrayHoldsNames(ArrayType *arr, const PromoNames *names)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const char *p = names->data;

	if (ARR_ELEMTYPE(arr) != TEXTOID || ARR_NDIM(arr) != 1 || ARR_HASNULL(arr))
		return false;
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n != names->n)
		return false;
	for (int i = 0; i < n; i++)
	{
		text	   *t = DatumGetTextPP(elems[i]);
		Size		len = strlen(p);

		if (VARSIZE_ANY_EXHDR(t) != len || memcmp(VARDATA_ANY(t), p, len) != 0)
			return false;
		p += len + 1;
	}
	return true;
}

/* Error: two rows (or partial states) of one aggregate name the features differently. */
static void
ReportNamesDiffer(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("names differ between rows"),
			 errdetail("The feature names of one aggregate must be the same on every row."),
			 errhint("Pass the names as a literal or a query parameter, or NULL on every row for none.")));
}

/*
 * Read an aggregate's names argument: keep the first row's, and compare
 * every later row's with them.  A constant argument is recognized by its
 * address; another is compared by value.
 */
void
promo_names_accum(FunctionCallInfo fcinfo, int argno, PromoNamesArg *arg,
				  bool first, MemoryContext cxt)
{
	bool		isnull = PG_ARGISNULL(argno);
	Datum		value = isnull ? (Datum) 0 : PG_GETARG_DATUM(argno);

	if (first)
	{
		PromoNames	none = {0, 0, NULL};
		PromoNames	names = isnull ? none :
			promo_names_from_array(PG_GETARG_ARRAYTYPE_P(argno), "names");

		arg->names = promo_names_copy(&names, cxt);
		arg->constant = promo_agg_arg_is_constant(fcinfo, argno);
		arg->last = value;
		return;
	}
	if (isnull ? arg->names.n == 0 :
		(arg->constant && value == arg->last && arg->names.n > 0))
		return;
	if (isnull || arg->names.n == 0 ||
		!ArrayHoldsNames(PG_GETARG_ARRAYTYPE_P(argno), &arg->names))
		ReportNamesDiffer();
	arg->last = value;
}

/* Error unless two partial states of one aggregate have the same names. */
void
promo_names_combine(const PromoNames *a, const PromoNames *b)
{
	if (!promo_names_equal(a, b))
		ReportNamesDiffer();
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

/* Append names as a JSON array of strings. */
static void
AppendJsonNames(StringInfo buf, const PromoNames *names)
{
	const char **list = promo_names_list(names);

	appendStringInfoChar(buf, '[');
	for (int j = 0; j < names->n; j++)
	{
		if (j > 0)
			appendStringInfoString(buf, ", ");
		escape_json(buf, list[j]);
	}
	appendStringInfoChar(buf, ']');
	pfree(list);
}

/*
 * Append a model as a JSON object; scalars_only leaves out array fields
 * and names.
 */
static void
AppendModelJson(StringInfo buf, PromoModel *model, bool scalars_only)
{
	const ModelKind *k = KindOf(model);
	const double *v = model->values;
	PromoNames	names = promo_model_names(model);

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
	if (names.n > 0 && !scalars_only)
	{
		appendStringInfoString(buf, ", \"names\": ");
		AppendJsonNames(buf, &names);
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

/*
 * Error on any key that is neither a field of the kind nor kind/version,
 * or names in a model of the version with names.
 */
static void
CheckKnownKeys(JsonbContainer *obj, const ModelKind *k, int version)
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
		known = strcmp(key, "kind") == 0 || strcmp(key, "version") == 0 ||
			(version == PROMO_MODEL_NAMED && strcmp(key, "names") == 0);
		for (int i = 0; i < k->nfields && !known; i++)
			known = strcmp(key, k->fields[i].name) == 0;
		if (!known && strcmp(key, "names") == 0)
			MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
						"Field \"names\" needs version %d.", PROMO_MODEL_NAMED);
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

/* The "version" field: 1, or 2 for a model with names. */
static int
ReadVersion(JsonbContainer *obj)
{
	double		version;

	if (!JsonbToDouble(RequiredKey(obj, "version"), false, &version) ||
		(version != PROMO_MODEL_PLAIN && version != PROMO_MODEL_NAMED))
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
					"Field \"version\" must be %d, or %d with names.",
					PROMO_MODEL_PLAIN, PROMO_MODEL_NAMED);
	return (int) version;
}

/* The "names" field: d strings, as a names section (checked later). */
static PromoNames
ReadNames(JsonbContainer *obj, int d)
{
	JsonbValue *jv = RequiredKey(obj, "names");
	StringInfoData buf;
	PromoNames	names;
	int			have;

	if (jv->type != jbvBinary || !JsonContainerIsArray(jv->val.binary.data))
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
					"Field \"names\" must be an array of strings.");
	have = JsonContainerSize(jv->val.binary.data);
	if (have != d)
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
					"Field \"names\" has %d elements, expected %d.", have, d);
	initStringInfo(&buf);
	for (int i = 0; i < d; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(jv->val.binary.data, i);

		if (elem->type != jbvString)
			MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION,
						"Element %d of field \"names\" must be a string.", i + 1);
		/* jsonb holds no NUL character: the name ends where its string does. */
		appendBinaryStringInfo(&buf, elem->val.string.val, elem->val.string.len);
		appendStringInfoChar(&buf, '\0');
	}
	names.n = d;
	names.len = buf.len;
	names.data = buf.data;
	return names;
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
	int			version;
	Size		offset = 0;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		MODEL_ERROR(ERRCODE_INVALID_TEXT_REPRESENTATION, "A model is a JSON object.");
	k = ReadKind(obj);
	version = ReadVersion(obj);
	CheckKnownKeys(obj, k, version);
	ReadDimensions(obj, k, &dim, &nclusters);
	CheckDimension(k, dim, nclusters, ERRCODE_INVALID_TEXT_REPRESENTATION);

	model = ModelAlloc(k, dim, nclusters);
	for (int i = 0; i < k->nfields; i++)
	{
		ReadField(obj, &k->fields[i], dim, nclusters, model->values + offset);
		offset += ShapeLength(k->fields[i].shape, dim, nclusters);
	}
	if (version == PROMO_MODEL_NAMED)
	{
		PromoNames	names = ReadNames(obj, dim);

		model = AttachNames(model, &names);
	}
	CheckModel(model, ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(model);
}

/* ---- binary form ---- */

/*
 * promo.model binary output: kind, version, dimensions, values, then in
 * version 2 the names, each NUL-terminated in the client encoding.
 */
PG_FUNCTION_INFO_V1(promo_model_send);
Datum
promo_model_send(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	Size		len = KindLength(KindOf(model), model->dim, model->nclusters);
	PromoNames	names = promo_model_names(model);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, model->kind);
	pq_sendint16(&buf, model->version);
	pq_sendint32(&buf, model->dim);
	pq_sendint32(&buf, model->nclusters);
	for (Size i = 0; i < len; i++)
		pq_sendfloat8(&buf, model->values[i]);
	for (const char *p = names.data; p < names.data + names.len; p += strlen(p) + 1)
		pq_sendstring(&buf, p);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * The d names that end a binary message, each NUL-terminated in the
 * client encoding, as a names section in the database encoding.
 */
static PromoNames
RecvNames(StringInfo buf, int d)
{
	StringInfoData section;
	PromoNames	names;

	initStringInfo(&section);
	for (int i = 0; i < d; i++)
	{
		const char *start = buf->data + buf->cursor;
		const char *end = memchr(start, '\0', buf->len - buf->cursor);
		char	   *name;

		if (end == NULL)
			MODEL_ERROR(ERRCODE_INVALID_BINARY_REPRESENTATION,
						"Feature name %d is not terminated.", i + 1);
		name = pg_client_to_server(start, (int) (end - start));
		appendStringInfoString(&section, name);
		appendStringInfoChar(&section, '\0');
		buf->cursor += (end - start) + 1;
	}
	if (buf->cursor != buf->len)
		MODEL_ERROR(ERRCODE_INVALID_BINARY_REPRESENTATION,
					"The message does not end after the feature names.");
	names.n = d;
	names.len = section.len;
	names.data = section.data;
	return names;
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
	Size		rest = buf->len - buf->cursor;

	if (k == NULL)
		MODEL_ERROR(ERRCODE_INVALID_BINARY_REPRESENTATION, "Unknown model kind %d.", kind);
	CheckVersion(k, version, ERRCODE_INVALID_BINARY_REPRESENTATION);
	CheckDimension(k, dim, nclusters, ERRCODE_INVALID_BINARY_REPRESENTATION);
	len = KindLength(k, dim, nclusters);

	/*
	 * The declared sizes must match the bytes sent, before any allocation:
	 * exactly the values, or the values and at least two bytes per name.
	 */
	if (version == PROMO_MODEL_PLAIN ?
		rest != len * sizeof(double) :
		rest < len * sizeof(double) + 2 * (Size) dim)
		MODEL_ERROR(ERRCODE_INVALID_BINARY_REPRESENTATION,
					"A %s model with d = %d and k = %d has %zu values%s; the message holds %zu bytes of values%s.",
					k->name, dim, nclusters, len,
					version == PROMO_MODEL_NAMED ? " and names" : "", rest,
					version == PROMO_MODEL_NAMED ? " and names" : "");
	model = ModelAlloc(k, dim, nclusters);
	for (Size i = 0; i < len; i++)
		model->values[i] = pq_getmsgfloat8(buf);
	if (version == PROMO_MODEL_NAMED)
	{
		PromoNames	names = RecvNames(buf, dim);

		model = AttachNames(model, &names);
	}
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

/* promo.with_names(model, names): the model carrying the given names. */
PG_FUNCTION_INFO_V1(promo_with_names);
Datum
promo_with_names(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	PromoNames	names = promo_names_from_array(PG_GETARG_ARRAYTYPE_P(1), "names");

	PG_RETURN_POINTER(promo_model_with_names(model, &names));
}

/* promo.feature_names(model): the names as text[], NULL without names. */
PG_FUNCTION_INFO_V1(promo_feature_names);
Datum
promo_feature_names(PG_FUNCTION_ARGS)
{
	PromoModel *model = PG_GETARG_PROMO_MODEL(0);
	PromoNames	names = promo_model_names(model);
	const char **list;
	Datum	   *elems;

	if (names.n == 0)
		PG_RETURN_NULL();
	list = promo_names_list(&names);
	elems = palloc(sizeof(Datum) * names.n);
	for (int i = 0; i < names.n; i++)
		elems[i] = CStringGetTextDatum(list[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, names.n, TEXTOID, -1, false, TYPALIGN_INT));
}
