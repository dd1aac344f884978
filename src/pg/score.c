/*
 * score.c
 *		promo.score_offers: one user against a catalogue of offers, with
 *		logistic response models per arm and a linear model of ln(basket),
 *		each matched to the user's features and the offers' attributes by
 *		feature name.
 *
 * Everything but the user's features and eligibility is the same for every
 * user of a query: it is checked and turned into the core's linear form
 * (score.h) on the first call and kept in fn_extra, keyed on the bytes of
 * those arguments, so a user costs one matrix-vector product and the
 * offers' economics.
 */
#include "promo.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/lsyscache.h"

#include "model.h"
#include "offers_glue.h"
#include "score.h"

/* Arguments, in order. */
enum
{
	ARG_X, ARG_TERMS, ARG_ATTRIBUTES, ARG_NAMES, ARG_RESPONSE, ARG_BASKET,
	ARG_BASKET_SIGMA, ARG_REDEMPTION, ARG_MARGIN_RATE, ARG_ELIGIBLE, NARGS
};

/* The arguments every user of a query shares: terms to margin_rate. */
#define FIRST_SHARED ARG_TERMS
#define LAST_SHARED ARG_MARGIN_RATE

/* What the first call prepares, and the arguments it was prepared from. */
typedef struct ScoreCache
{
	bool		ready;
	MemoryContext cxt;			/* holds the spec and the key */
	Datum		key[NARGS];		/* copies of the shared arguments */
	PromoScoreSpec spec;
	TupleDesc	result;
} ScoreCache;

/* Is argument argno the same as when the cache was made? */
static bool
SameArg(FunctionCallInfo fcinfo, ScoreCache *cache, int argno)
{
	struct varlena *raw;
	struct varlena *kept;

	if (argno == ARG_BASKET_SIGMA || argno == ARG_MARGIN_RATE)
		return DatumGetFloat8(cache->key[argno]) == PG_GETARG_FLOAT8(argno);
	raw = (struct varlena *) PG_GETARG_POINTER(argno);
	kept = (struct varlena *) DatumGetPointer(cache->key[argno]);
	/* an expanded object may change behind the same pointer: never trust it */
	if (VARATT_IS_EXTERNAL_EXPANDED(raw))
		return false;
	return VARSIZE_ANY(raw) == VARSIZE_ANY(kept) &&
		memcmp(raw, kept, VARSIZE_ANY(raw)) == 0;
}

/* Keep a copy of the shared arguments as the cache's key. */
static void
KeepKey(FunctionCallInfo fcinfo, ScoreCache *cache)
{
	for (int i = FIRST_SHARED; i <= LAST_SHARED; i++)
	{
		if (i == ARG_BASKET_SIGMA || i == ARG_MARGIN_RATE)
			cache->key[i] = PG_GETARG_DATUM(i);
		else
		{
			struct varlena *raw = (struct varlena *) PG_GETARG_POINTER(i);
			void	   *copy = palloc(VARSIZE_ANY(raw));

			memcpy(copy, raw, VARSIZE_ANY(raw));
			cache->key[i] = PointerGetDatum(copy);
		}
	}
}

/* The offers' attributes: a k x a float8 matrix, or empty for a = 0. */
static const double *
AttributesArg(ArrayType *arr, int k, int *a)
{
	const double *values = (const double *) ARR_DATA_PTR(arr);
	int			n;

	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("attributes must be a float8 array")));
	if (ARR_NDIM(arr) == 0)
	{
		*a = 0;
		return values;
	}
	if (ARR_NDIM(arr) != 2 || ARR_DIMS(arr)[0] != k)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("attributes must be a matrix with one row per offer"),
				 errdetail("There are %d offers; attributes has %d dimensions%s.", k,
						   ARR_NDIM(arr), ARR_NDIM(arr) == 2 ?
						   psprintf(" and %d rows", ARR_DIMS(arr)[0]) : "")));
	if (promo_array_has_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attributes must not contain NULL elements")));
	*a = ARR_DIMS(arr)[1];
	n = k * *a;
	for (int i = 0; i < n; i++)
		promo_check_finite("attributes", values[i]);
	return values;
}

/* The models of a promo.model[] argument (palloc'd, detoasted), n of them. */
static PromoModel **
ModelsArg(ArrayType *arr, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	PromoModel **models;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("response must be a one-dimensional array")));
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &nulls, n);
	models = palloc(sizeof(PromoModel *) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("response must not contain NULL elements"),
					 errdetail("Element %d is NULL.", i + 1)));
		models[i] = DatumGetPromoModel(elems[i]);
	}
	return models;
}

/*
 * Where each feature of a model reads its value in x || attributes:
 * by name when the model has names, else by position when it has d or
 * d + a features.  what names the model in errors.
 */
static int *
Positions(PromoModel *model, const char **names, int d, int a, const char *what)
{
	PromoNames mine = promo_model_names(model);
	int		   *pos = palloc(sizeof(int) * Max(model->dim, 1));

	if (mine.n == 0)
	{
		if (model->dim != d && model->dim != d + a)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s has %d features, but there are %d features and %d offer attributes",
							what, model->dim, d, a),
					 errhint("A model without feature names must see x (%d features) or x followed by the attributes (%d).",
							 d, d + a)));
		for (int f = 0; f < model->dim; f++)
			pos[f] = f;
		return pos;
	}
	for (int f = 0, at = 0; f < model->dim; f++)
	{
		const char *name = mine.data + at;

		pos[f] = -1;
		for (int j = 0; j < d + a && pos[f] < 0; j++)
			if (strcmp(names[j], name) == 0)
				pos[f] = j;
		if (pos[f] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s has feature \"%s\", which names does not list", what, name),
					 errhint("names lists the features of x, then the offers' attributes.")));
		at += strlen(name) + 1;
	}
	return pos;
}

/*
 * Add a linear model to the spec's form: its weights on x into row, and
 * per arm its intercept plus its attributes' part into offset (arm 0, no
 * offer, has attributes 0).
 */
static void
AddLinear(PromoModel *model, const int *pos, int d, int a, int k,
		  const double *attributes, double *row, double *offset)
{
	const double *est = promo_model_field(model, "estimate");

	for (int j = 0; j <= k; j++)
		offset[j] = est[0];
	for (int f = 0; f < model->dim; f++)
	{
		if (pos[f] < d)
			row[pos[f]] += est[f + 1];
		else
			for (int j = 1; j <= k; j++)
				offset[j] += est[f + 1] * attributes[(j - 1) * a + pos[f] - d];
	}
}

/* The row of weights a response model shares with an equal one before it. */
static int
SharedRow(PromoModel **models, int i, const int *row_of)
{
	for (int e = 0; e < i; e++)
		if (VARSIZE(models[e]) == VARSIZE(models[i]) &&
			memcmp(models[e], models[i], VARSIZE(models[i])) == 0)
			return row_of[e];
	return -1;
}

/* The response models' rows and offsets, then the basket model's. */
static void
PrepareModels(FunctionCallInfo fcinfo, PromoScoreSpec *spec, const char **names,
			  int a, const double *attributes)
{
	int			d = spec->d;
	int			k = spec->k;
	int			n;
	PromoModel **models = ModelsArg(PG_GETARG_ARRAYTYPE_P(ARG_RESPONSE), &n);
	PromoModel *basket = PG_GETARG_PROMO_MODEL(ARG_BASKET);
	int		   *row_of = palloc(sizeof(int) * (k + 1));
	double	   *weights = palloc0(sizeof(double) * (k + 2) * Max(d, 1));
	double	   *offsets = palloc(sizeof(double) * (k + 2) * (k + 1));
	double	   *resp = palloc(sizeof(double) * (k + 1));

	if (n != k + 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("response has %d models, but there are %d offers", n, k),
				 errdetail("response holds the model of no offer, then one per offer.")));
	spec->nrows = 0;
	for (int i = 0; i <= k; i++)
	{
		char	   *what = psprintf("response model %d", i + 1);

		promo_model_expect(models[i], PROMO_MODEL_LOGREG, what);
		row_of[i] = SharedRow(models, i, row_of);
		if (row_of[i] < 0)
		{
			int			r = row_of[i] = spec->nrows++;

			AddLinear(models[i], Positions(models[i], names, d, a, what), d, a, k,
					  attributes, weights + (Size) r * d, offsets + (Size) r * (k + 1));
		}
	}
	promo_model_expect(basket, PROMO_MODEL_LINREG, "the basket model");
	spec->basket_row = spec->nrows++;
	AddLinear(basket, Positions(basket, names, d, a, "the basket model"), d, a, k,
			  attributes, weights + (Size) spec->basket_row * d,
			  offsets + (Size) spec->basket_row * (k + 1));
	spec->weights = weights;
	spec->basket_offset = offsets + (Size) spec->basket_row * (k + 1);
	spec->response_row = row_of;
	/* arm j's response offset is that of its model's row, at j */
	for (int j = 0; j <= k; j++)
		resp[j] = offsets[(Size) row_of[j] * (k + 1) + j];
	spec->response_offset = resp;
}

/* A copy of the redemption shares: error unless each is in [0, 1]. */
static const double *
RedemptionArg(ArrayType *arr, int k)
{
	int			n;
	const double *r = promo_vector_arg(arr, "redemption", &n);
	double	   *copy = palloc(sizeof(double) * Max(k, 1));

	promo_check_length("redemption", n, k);
	for (int i = 0; i < n; i++)
	{
		if (!(r[i] >= 0.0 && r[i] <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("redemption must be in [0, 1]"),
					 errdetail("Element %d is %g.", i + 1, r[i])));
		copy[i] = r[i];
	}
	return copy;
}

/* Check the shared arguments and build the core's spec from them. */
static void
Prepare(FunctionCallInfo fcinfo, ScoreCache *cache)
{
	PromoScoreSpec *spec = &cache->spec;
	PromoNames	names = promo_names_from_array(PG_GETARG_ARRAYTYPE_P(ARG_NAMES), "names");
	double		sigma = PG_GETARG_FLOAT8(ARG_BASKET_SIGMA);
	double		g = PG_GETARG_FLOAT8(ARG_MARGIN_RATE);
	const double *attributes;
	int			a;
	int			k;

	spec->offers = promo_offer_terms_array(PG_GETARG_ARRAYTYPE_P(ARG_TERMS),
										   "score_offers", &k);
	spec->k = k;
	attributes = AttributesArg(PG_GETARG_ARRAYTYPE_P(ARG_ATTRIBUTES), k, &a);
	if (names.n < a)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("names has %d elements, fewer than the %d offer attributes", names.n, a)));
	spec->d = names.n - a;
	if (!(isfinite(sigma) && sigma >= 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("basket_sigma must be finite and not negative")));
	if (!promo_offer_margin_rate_ok(g))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("margin_rate must be finite and at most 1")));
	spec->basket_sigma = sigma;
	spec->margin_rate = g;
	spec->redemption = RedemptionArg(PG_GETARG_ARRAYTYPE_P(ARG_REDEMPTION), k);
	PrepareModels(fcinfo, spec, promo_names_list(&names), a, attributes);
}

/* The function's prepared spec, rebuilt when a shared argument changed. */
static ScoreCache *
CacheFor(FunctionCallInfo fcinfo)
{
	ScoreCache *cache = (ScoreCache *) fcinfo->flinfo->fn_extra;
	MemoryContext old;
	bool		same;

	if (cache == NULL)
	{
		cache = fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ScoreCache));
		cache->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
										   "promo.score_offers", ALLOCSET_SMALL_SIZES);
	}
	same = cache->ready;
	for (int i = FIRST_SHARED; same && i <= LAST_SHARED; i++)
		same = SameArg(fcinfo, cache, i);
	if (same)
		return cache;
	/* forget the old spec first: an error below leaves nothing stale */
	cache->ready = false;
	MemoryContextReset(cache->cxt);
	old = MemoryContextSwitchTo(cache->cxt);
	Prepare(fcinfo, cache);
	KeepKey(fcinfo, cache);
	MemoryContextSwitchTo(old);
	cache->ready = true;
	return cache;
}

/* The eligibility of the user's k offers (no NULL elements). */
static const bool *
EligibleArg(ArrayType *arr, int k)
{
	int			n;

	if (ARR_ELEMTYPE(arr) != BOOLOID || ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("eligible must be a one-dimensional boolean array")));
	if (promo_array_has_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("eligible must not contain NULL elements")));
	n = ARR_NDIM(arr) == 1 ? ARR_DIMS(arr)[0] : 0;
	promo_check_length("eligible", n, k);
	return (const bool *) ARR_DATA_PTR(arr);
}

/* Error unless the user's scores are finite (values of eligible offers). */
static void
CheckScores(const PromoUserScore *s, int k, const bool *eligible)
{
	bool		ok = isfinite(s->basket_none);

	for (int j = 0; j < k; j++)
		ok = ok && isfinite(s->cost[j]) && (!eligible[j] || isfinite(s->value[j]));
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("expected basket, profit or cost out of range"),
				 errhint("Check the basket model and the scale of the features.")));
}

/*
 * promo.score_offers(x, terms, attributes, names, response, basket,
 * basket_sigma, redemption, margin_rate, eligible) -> (p_none,
 * basket_none, p, value, cost, redeem).
 */
PG_FUNCTION_INFO_V1(promo_score_offers);
Datum
promo_score_offers(PG_FUNCTION_ARGS)
{
	ScoreCache *cache = CacheFor(fcinfo);
	const PromoScoreSpec *spec = &cache->spec;
	int			k = spec->k;
	int			n;
	const double *x = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(ARG_X), "x", &n);
	const bool *eligible = EligibleArg(PG_GETARG_ARRAYTYPE_P(ARG_ELIGIBLE), k);
	double	   *buf = palloc(sizeof(double) * (4 * Max(k, 1) + promo_score_work_size(spec)));
	PromoUserScore s = {0, 0, buf, buf + k, buf + 2 * k, buf + 3 * k};
	Datum		values[6];
	bool		isnull[6] = {false, false, false, false, false, false};

	promo_check_length("x", n, spec->d);
	promo_score_user(spec, x, eligible, buf + 4 * Max(k, 1), &s);
	CheckScores(&s, k, eligible);
	values[0] = Float8GetDatum(s.p_none);
	values[1] = Float8GetDatum(s.basket_none);
	values[2] = PointerGetDatum(promo_float8_array(s.p, k));
	values[3] = PointerGetDatum(promo_float8_array(s.value, k));
	values[4] = PointerGetDatum(promo_float8_array(s.cost, k));
	values[5] = PointerGetDatum(promo_float8_array(s.redeem, k));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(promo_result_desc(fcinfo, &cache->result),
													  values, isnull)));
}
