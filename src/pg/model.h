/*
 * model.h
 *		The promo.model type: every trained model, one kind at a time.
 *
 * A model is a kind plus named float8 fields whose lengths follow from the
 * kind and its dimensions (model.c declares each kind's fields), and
 * optionally one name per feature (see the on-disk form below).  Every
 * function that returns a model builds it with promo_model_new, fills its
 * fields and returns promo_model_finish(model), which applies the checks
 * that text and binary input apply: no function can return a model that
 * the type itself would reject on reload.
 */
#ifndef PROMO_MODEL_H
#define PROMO_MODEL_H

#include "promo.h"

typedef enum PromoModelKind
{
	PROMO_MODEL_LINREG = 1,
	PROMO_MODEL_SCALER = 2,
	PROMO_MODEL_KMEANS = 3,
	PROMO_MODEL_LOGREG = 4
} PromoModelKind;

/*
 * On-disk form: a small header, then the kind's fields as float8 values,
 * then, when the model carries feature names, the names section: one name
 * per feature (d in all), each NUL-terminated, back to back up to the end
 * of the value.  The version tells which:
 *
 *	1	no names: the layout of promo 0.1 and 0.2, which is still written
 *		for every model without names, so that models stored by those
 *		releases, their text form, equality and hashes are unchanged
 *	2	the fields of version 1, then the names section
 *
 * The values end on a double boundary, so the section needs no padding.
 */
typedef struct PromoModel
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int16		kind;			/* PromoModelKind */
	int16		version;		/* PROMO_MODEL_PLAIN or PROMO_MODEL_NAMED */
	int32		dim;			/* number of features */
	int32		nclusters;		/* k of a kmeans model, 0 for other kinds */
	double		values[FLEXIBLE_ARRAY_MEMBER];
} PromoModel;

#define PROMO_MODEL_PLAIN 1		/* version 1: fields only */
#define PROMO_MODEL_NAMED 2		/* version 2: fields, then names */

/* The longest feature name, in bytes (a name is not empty). */
#define PROMO_MAX_NAME_BYTES 255

/* The most features a model or a per-dimension aggregate accepts. */
#define PROMO_MAX_DIMENSIONS 100000

/* The largest count a model or state holds exactly: 2^53. */
#define PROMO_MAX_COUNT 9007199254740992.0

/* The most clusters a k-means model has. */
#define PROMO_KMEANS_MAX_K 10000

#define DatumGetPromoModel(x) ((PromoModel *) PG_DETOAST_DATUM(x))
#define PG_GETARG_PROMO_MODEL(n) DatumGetPromoModel(PG_GETARG_DATUM(n))

/* A model argument, detoasted once per query (cached in fn_extra). */
extern PromoModel *promo_model_arg(FunctionCallInfo fcinfo, int argno);

/*
 * Error unless a model of the kind with dim features and nclusters clusters
 * (0 for kinds without clusters) is within the type's limits.  Producers
 * call it as soon as they know the sizes, before any work.
 */
extern void promo_model_check_size(PromoModelKind kind, int dim, int nclusters);

/* A zeroed model of the given kind and sizes, within the type's limits. */
extern PromoModel *promo_model_new(PromoModelKind kind, int dim, int nclusters);

/*
 * The model, after the checks model input applies to every field: the
 * last step of every function that returns a model.
 */
extern PromoModel *promo_model_finish(PromoModel *model);

/* The values of the named field of a model (layout by kind). */
extern double *promo_model_field(PromoModel *model, const char *name);

/*
 * Copy a regression's per-term columns (intercept first, dim + 1 values
 * each) into the fields estimate, std_error, stat_name and p_value.
 */
extern void promo_model_set_terms(PromoModel *model, const double *estimate,
								  const double *std_error, const char *stat_name,
								  const double *stat, const double *p_value);

/* Error unless the model is of the given kind; fname names the caller. */
extern void promo_model_expect(PromoModel *model, PromoModelKind kind,
							   const char *fname);

/* Error unless a feature vector fits the model's dimension. */
extern void promo_model_check_dim(PromoModel *model, int n);

/* ---- feature names ---- */

/*
 * Feature names in the form of a model's names section: n strings, each
 * NUL-terminated, back to back in len bytes of data.  n = 0: no names.
 */
typedef struct PromoNames
{
	int32		n;
	int32		len;
	char	   *data;
} PromoNames;

/*
 * What is wrong with names as the names of d features (NULL: nothing):
 * exactly d of them in the section, each a non-empty, validly encoded
 * string of at most PROMO_MAX_NAME_BYTES bytes, no two alike.  The one
 * rule of names, for models, arguments and aggregate states.
 */
extern const char *promo_names_problem(const char *data, Size len, int d);

/*
 * A text[] argument as names (palloc'd): one dimension, no NULL element,
 * and the rules above; what names the argument in errors.
 */
extern PromoNames promo_names_from_array(ArrayType *arr, const char *what);

/*
 * Error unless there are d names; unit says what one name stands for
 * ("element of x", "feature of the model").
 */
extern void promo_names_check_count(const PromoNames *names, int d, const char *unit);

/* Do two sets of names hold the same names in the same order? */
extern bool promo_names_equal(const PromoNames *a, const PromoNames *b);

/* A copy of names in cxt. */
extern PromoNames promo_names_copy(const PromoNames *names, MemoryContext cxt);

/* Pointers to each of the n names (palloc'd), for reading them in order. */
extern const char **promo_names_list(const PromoNames *names);

/* A model's names, or n = 0 when it has none (pointing into the model). */
extern PromoNames promo_model_names(PromoModel *model);

/*
 * A copy of the model carrying the given names (n = 0: none), checked as
 * promo_model_finish checks; error unless there is one name per feature.
 */
extern PromoModel *promo_model_with_names(PromoModel *model, const PromoNames *names);

/*
 * The names argument of an aggregate over its rows: the names must be the
 * same on every row, a literal, a query parameter or a value that does
 * not change (a NULL on every row: no names).
 */
typedef struct PromoNamesArg
{
	PromoNames	names;			/* the rows' names, n = 0 for NULL */
	Datum		last;			/* the argument last seen, when constant */
	bool		constant;		/* a literal or a query parameter */
} PromoNamesArg;

/*
 * Read the names argument argno of a transition function: on the first
 * row (first) keep it, in cxt; on the others, error unless it is the same.
 */
extern void promo_names_accum(FunctionCallInfo fcinfo, int argno, PromoNamesArg *arg,
							  bool first, MemoryContext cxt);

/* Error unless two partial states of one aggregate have the same names. */
extern void promo_names_combine(const PromoNames *a, const PromoNames *b);

/* ---- per-kind hooks the model type dispatches to ---- */

/* linreg.c: fitted value of x. */
extern double promo_linreg_model_predict(PromoModel *model, const double *x);

/* kmeans.c: the cluster (1..k) nearest to x. */
extern double promo_kmeans_model_predict(PromoModel *model, const double *x);

/* logreg.c: the probability of y = 1 at x. */
extern double promo_logreg_model_predict(PromoModel *model, const double *x);

#endif							/* PROMO_MODEL_H */
