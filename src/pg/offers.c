/*
 * offers.c
 *		promo.offer_terms and the offer economics: promo.offer,
 *		promo.face_value, promo.expected_face_value, promo.expected_cost,
 *		promo.expected_margin, promo.incremental_profit and the per-user
 *		vector form promo.offer_economics.
 *
 * Terms reach C as a promo.offer_terms composite (or an array of them) and
 * are checked by the core's promo_offer_init, the one place offer rules
 * live; promo.offer, the constructor, runs the same check.  Decoding and
 * checking terms costs more than the economics of one offer, so each
 * function keeps the terms it decoded last in its fn_extra cache, keyed on
 * the bytes of the datum: a constant argument, or a column holding the
 * same terms row after row, is decoded once per query.
 */
#include "promo.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "offers_glue.h"

/* Fields of promo.offer_terms: the kind, then the parameters in order. */
#define TERMS_NATTS (1 + PROMO_OFFER_NPARAMS)

/* The offers decoded last by one function, and the result's row type. */
typedef struct TermsCache
{
	Size		key_len;		/* bytes of the datum decoded last (0: none) */
	char	   *key;
	int			n;				/* offers (1 for a single terms argument) */
	PromoOffer *offers;
	bool	   *missing;		/* NULL elements of an array, or NULL */
	TupleDesc	result;			/* offer_economics: its blessed row type */
} TermsCache;

/* ---- errors ---- */

/* Error for a parameter outside its range. */
static void
ReportOutOfRange(const PromoOfferTerms *terms, PromoOfferParam param)
{
	const char *name = promo_offer_param_name(param);
	double		v = terms->value[param];

	if (param == PROMO_OFFER_PCT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pct must be between 0 and 1, exclusive"),
				 errdetail("pct is %g; it is a share of the basket (0.1 for 10%%).", v)));
	if (param == PROMO_OFFER_AMOUNT || param == PROMO_OFFER_CAP ||
		(param == PROMO_OFFER_MIN_BASKET && terms->kind == PROMO_OFFER_SPEND_THRESHOLD))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", name),
				 errdetail("%s is %g.", name, v)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must not be negative", name),
			 errdetail("%s is %g.", name, v)));
}

/* Error for terms the core rejected: the message names the parameter. */
static void
ReportOfferFault(PromoOfferStatus status, const PromoOfferTerms *terms,
				 PromoOfferParam param)
{
	const char *kind = promo_offer_kind_name(terms->kind);
	const char *name = promo_offer_param_name(param);

	switch (status)
	{
		case PROMO_OFFER_OK:
			return;
		case PROMO_OFFER_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s must not be NaN or infinity", name)));
			break;
		case PROMO_OFFER_NOT_APPLICABLE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s does not apply to %s offers", name, kind),
					 errdetail("%s offers take %s.", kind,
							   promo_offer_kind_params(terms->kind)),
					 param == PROMO_OFFER_CAP && terms->kind == PROMO_OFFER_PERCENT_OFF ?
					 errhint("A percentage with a cap is a capped_percent offer.") : 0));
			break;
		case PROMO_OFFER_OUT_OF_RANGE:
			ReportOutOfRange(terms, param);
			break;
		case PROMO_OFFER_MISSING:
			if (terms->kind == PROMO_OFFER_CASHBACK)
				name = "pct or amount";
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s offers need %s", kind, name),
					 errdetail("%s offers take %s.", kind,
							   promo_offer_kind_params(terms->kind))));
			break;
		case PROMO_OFFER_PCT_AND_AMOUNT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cashback offers take pct or amount, not both"),
					 errdetail("A cashback is a share of the basket (pct, with an optional cap) or a fixed amount.")));
			break;
		case PROMO_OFFER_SAVING_ABOVE_THRESHOLD:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("saving above threshold"),
					 errdetail("The spend_threshold offer saves %g on a minimum basket of %g.",
							   terms->value[PROMO_OFFER_AMOUNT],
							   terms->value[PROMO_OFFER_MIN_BASKET]),
					 errhint("amount must not exceed min_basket.")));
			break;
	}
}

/* The detail giving a value: of an array element (element > 0) or not. */
static int
ValueDetail(const char *what, int element, double v)
{
	if (element > 0)
		return errdetail("Element %d is %g.", element, v);
	return errdetail("%s is %g.", what, v);
}

/* Error unless p is a probability; element > 0 names an array element. */
static void
CheckProbability(const char *what, double p, int element)
{
	if (promo_offer_probability_ok(p))
		return;
	if (isnan(p))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must not be NaN", what),
				 element > 0 ? errdetail("Element %d is NaN.", element) : 0));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be between 0 and 1", what),
			 ValueDetail(what, element, p)));
}

/* The argument names of a basket: its mean and its sd. */
typedef struct BasketNames
{
	const char *mean;
	const char *sd;
} BasketNames;

static const BasketNames basket_names = {"basket_mean", "basket_sd"};

/* Error unless a basket's mean and sd are admissible. */
static void
CheckBasket(const BasketNames *names, double mean, double sd, int element)
{
	switch (promo_offer_check_basket(mean, sd))
	{
		case PROMO_BASKET_OK:
			return;
		case PROMO_BASKET_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s must not be NaN or infinity",
							isfinite(mean) ? names->sd : names->mean),
					 element > 0 ? errdetail("Element %d is not finite.", element) : 0));
			break;
		case PROMO_BASKET_NEGATIVE_MEAN:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be negative", names->mean),
					 ValueDetail(names->mean, element, mean)));
			break;
		case PROMO_BASKET_NEGATIVE_SD:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be negative", names->sd),
					 ValueDetail(names->sd, element, sd)));
			break;
		case PROMO_BASKET_SD_WITHOUT_MEAN:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be 0 when %s is 0", names->sd, names->mean),
					 element > 0 ? errdetail("Element %d: a basket that is always empty has no spread.", element) :
					 errdetail("A basket that is always empty has no spread.")));
			break;
	}
}

/* Error unless the basket a user spends without an offer is admissible. */
static void
CheckBasketNone(double mean)
{
	static const BasketNames names = {"basket_none_mean", "basket_none_sd"};

	CheckBasket(&names, mean, 0.0, 0);
}

/* Error unless g is a margin rate: finite and at most 1. */
static void
CheckMarginRate(double g)
{
	if (promo_offer_margin_rate_ok(g))
		return;
	promo_check_finite("margin_rate", g);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("margin_rate must not exceed 1"),
			 errdetail("margin_rate is %g; a rate above 1 would mean a negative cost.", g)));
}

/* Error unless a result is finite: sums near the largest double overflow. */
static double
CheckResult(double v)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range: overflow"),
				 errdetail("The offer's expected value or cost is not a finite number.")));
	return v;
}

/* ---- terms ---- */

/*
 * The offer of a kind's text and five nullable parameters: the path every
 * function and the constructor share.  A NULL contact_cost is none.
 */
static PromoOffer
OfferFromFields(text *kind, const Datum *params, const bool *isnull)
{
	PromoOfferTerms terms;
	PromoOffer	offer;
	PromoOfferParam param;
	PromoOfferStatus status;

	if (!promo_offer_kind_parse(VARDATA_ANY(kind), VARSIZE_ANY_EXHDR(kind),
								&terms.kind))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown offer kind \"%s\"", text_to_cstring(kind)),
				 errhint("Offer kinds are percent_off, amount_off, capped_percent, spend_threshold, cashback and message.")));
	for (int i = 0; i < PROMO_OFFER_NPARAMS; i++)
	{
		terms.given[i] = !isnull[i];
		terms.value[i] = isnull[i] ? 0.0 : DatumGetFloat8(params[i]);
	}
	status = promo_offer_init(&terms, &offer, &param);
	ReportOfferFault(status, &terms, param);
	return offer;
}

/* Error unless a row type is promo.offer_terms' (kind text, 5 float8). */
static void
CheckTermsType(TupleDesc desc)
{
	bool		ok = desc->natts == TERMS_NATTS;

	for (int i = 0; ok && i < TERMS_NATTS; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		ok = !att->attisdropped && att->atttypid == (i == 0 ? TEXTOID : FLOAT8OID);
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("offer terms must be of type promo.offer_terms"),
				 errdetail("The type must have the fields (kind text, pct, amount, min_basket, cap, contact_cost float8).")));
}

/* The offer of one promo.offer_terms value of row type desc. */
static PromoOffer
OfferFromTuple(HeapTupleHeader th, TupleDesc desc)
{
	HeapTupleData tuple;
	Datum		values[TERMS_NATTS];
	bool		isnull[TERMS_NATTS];

	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, desc, values, isnull);
	if (isnull[0])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("offer kind must not be NULL")));
	return OfferFromFields(DatumGetTextPP(values[0]), values + 1, isnull + 1);
}

/* The function's cache, made on its first call. */
static TermsCache *
GetCache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TermsCache));
	return (TermsCache *) fcinfo->flinfo->fn_extra;
}

/* Does the cache hold the offers of a datum of len bytes? */
static bool
CacheHit(const TermsCache *cache, const void *datum, Size len)
{
	return cache->key_len == len && memcmp(cache->key, datum, len) == 0;
}

/* Keep n decoded offers (and NULL elements) as those of the datum. */
static void
CacheStore(FunctionCallInfo fcinfo, TermsCache *cache, const void *datum,
		   Size len, const PromoOffer *offers, const bool *missing, int n)
{
	MemoryContext cxt = fcinfo->flinfo->fn_mcxt;

	/* forget the old entry first: an error below leaves no stale key */
	cache->key_len = 0;
	if (cache->key)
		pfree(cache->key);
	if (cache->offers)
		pfree(cache->offers);
	if (cache->missing)
		pfree(cache->missing);
	cache->key = NULL;
	cache->offers = NULL;
	cache->missing = NULL;
	cache->key = MemoryContextAlloc(cxt, len);
	memcpy(cache->key, datum, len);
	cache->offers = MemoryContextAlloc(cxt, sizeof(PromoOffer) * Max(n, 1));
	memcpy(cache->offers, offers, sizeof(PromoOffer) * n);
	if (missing)
	{
		cache->missing = MemoryContextAlloc(cxt, sizeof(bool) * Max(n, 1));
		memcpy(cache->missing, missing, sizeof(bool) * n);
	}
	cache->n = n;
	cache->key_len = len;
}

/* The offer of a promo.offer_terms argument, decoded once per value. */
static const PromoOffer *
TermsArg(FunctionCallInfo fcinfo, int argno)
{
	HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(argno);
	Size		len = HeapTupleHeaderGetDatumLength(th);
	TermsCache *cache = GetCache(fcinfo);
	TupleDesc	desc;
	PromoOffer	offer;

	if (CacheHit(cache, th, len))
		return cache->offers;
	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th),
								  HeapTupleHeaderGetTypMod(th));
	PG_TRY();
	{
		CheckTermsType(desc);
		offer = OfferFromTuple(th, desc);
	}
	PG_FINALLY();
	{
		ReleaseTupleDesc(desc);
	}
	PG_END_TRY();
	CacheStore(fcinfo, cache, th, len, &offer, NULL, 1);
	return cache->offers;
}

/* Decode an array of promo.offer_terms; NULL elements are missing. */
static void
DecodeTermsArray(ArrayType *arr, PromoOffer *offers, bool *missing,
				 bool *anymissing)
{
	Oid			elemtype = ARR_ELEMTYPE(arr);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	TupleDesc	desc;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, elemtype, typlen, typbyval, typalign, &elems, &nulls, &n);
	/* pinned from here: released however decoding ends */
	desc = lookup_rowtype_tupdesc(elemtype, -1);
	*anymissing = false;
	PG_TRY();
	{
		CheckTermsType(desc);
		for (int i = 0; i < n; i++)
		{
			missing[i] = nulls[i];
			*anymissing = *anymissing || nulls[i];
			if (!nulls[i])
				offers[i] = OfferFromTuple(DatumGetHeapTupleHeader(elems[i]), desc);
		}
	}
	PG_FINALLY();
	{
		ReleaseTupleDesc(desc);
	}
	PG_END_TRY();
}

/* Error unless a promo.offer_terms[] has one dimension and few enough offers. */
static int
TermsArrayLength(ArrayType *arr, const char *fname)
{
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("terms must be a one-dimensional array"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(arr))));
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (n > PROMO_OFFER_MAX_OFFERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("terms has %d elements, more than %d", n, PROMO_OFFER_MAX_OFFERS),
				 errdetail("%s scores at most %d offers per call.",
						   fname, PROMO_OFFER_MAX_OFFERS)));
	return n;
}

/* The offers of a promo.offer_terms[] argument, decoded once per value. */
static TermsCache *
TermsArrayArg(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	TermsCache *cache = GetCache(fcinfo);
	int			n;
	PromoOffer *offers;
	bool	   *missing;
	bool		anymissing;

	if (CacheHit(cache, arr, VARSIZE(arr)))
		return cache;
	n = TermsArrayLength(arr, "offer_economics");
	offers = palloc(sizeof(PromoOffer) * Max(n, 1));
	missing = palloc(sizeof(bool) * Max(n, 1));
	DecodeTermsArray(arr, offers, missing, &anymissing);
	CacheStore(fcinfo, cache, arr, VARSIZE(arr), offers,
			   anymissing ? missing : NULL, n);
	return cache;
}

/* The offers of a promo.offer_terms[] without NULL elements (palloc'd). */
PromoOffer *
promo_offer_terms_array(ArrayType *arr, const char *fname, int *n)
{
	PromoOffer *offers;
	bool	   *missing;
	bool		anymissing;

	*n = TermsArrayLength(arr, fname);
	offers = palloc(sizeof(PromoOffer) * Max(*n, 1));
	missing = palloc(sizeof(bool) * Max(*n, 1));
	DecodeTermsArray(arr, offers, missing, &anymissing);
	for (int i = 0; i < *n; i++)
		if (missing[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("terms must not contain NULL elements"),
					 errdetail("Element %d is NULL.", i + 1)));
	pfree(missing);
	return offers;
}

/* ---- constructor ---- */

/*
 * promo.offer(kind, pct, amount, min_basket, cap, contact_cost): checked
 * terms; NULL when kind is NULL, a NULL parameter is absent.
 */
PG_FUNCTION_INFO_V1(promo_offer);
Datum
promo_offer(PG_FUNCTION_ARGS)
{
	Datum		values[TERMS_NATTS];
	bool		isnull[TERMS_NATTS];
	TupleDesc	desc;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	for (int i = 0; i < TERMS_NATTS; i++)
	{
		isnull[i] = PG_ARGISNULL(i);
		values[i] = isnull[i] ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
	(void) OfferFromFields(PG_GETARG_TEXT_PP(0), values + 1, isnull + 1);
	/* no contact cost is a cost of 0 */
	if (isnull[TERMS_NATTS - 1])
	{
		isnull[TERMS_NATTS - 1] = false;
		values[TERMS_NATTS - 1] = Float8GetDatum(0.0);
	}
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	CheckTermsType(desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc),
													  values, isnull)));
}

/* ---- one offer ---- */

/* promo.face_value(terms, basket): the face value at a basket. */
PG_FUNCTION_INFO_V1(promo_face_value);
Datum
promo_face_value(PG_FUNCTION_ARGS)
{
	const PromoOffer *offer = TermsArg(fcinfo, 0);
	double		basket = PG_GETARG_FLOAT8(1);

	promo_check_finite("basket", basket);
	if (basket < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("basket must not be negative"),
				 errdetail("basket is %g.", basket)));
	PG_RETURN_FLOAT8(promo_offer_face(offer, basket));
}

/* promo.expected_face_value(terms, basket_mean, basket_sd). */
PG_FUNCTION_INFO_V1(promo_expected_face_value);
Datum
promo_expected_face_value(PG_FUNCTION_ARGS)
{
	const PromoOffer *offer = TermsArg(fcinfo, 0);
	double		mean = PG_GETARG_FLOAT8(1);
	double		sd = PG_GETARG_FLOAT8(2);

	CheckBasket(&basket_names, mean, sd, 0);
	PG_RETURN_FLOAT8(promo_offer_expected_face(offer, mean, sd));
}

/* promo.expected_cost(terms, p_convert, basket_mean, basket_sd). */
PG_FUNCTION_INFO_V1(promo_expected_cost);
Datum
promo_expected_cost(PG_FUNCTION_ARGS)
{
	const PromoOffer *offer = TermsArg(fcinfo, 0);
	double		p = PG_GETARG_FLOAT8(1);
	double		mean = PG_GETARG_FLOAT8(2);
	double		sd = PG_GETARG_FLOAT8(3);

	CheckProbability("p_convert", p, 0);
	CheckBasket(&basket_names, mean, sd, 0);
	PG_RETURN_FLOAT8(CheckResult(promo_offer_expected_cost(offer, p, mean, sd)));
}

/* promo.expected_margin(terms, basket_mean, basket_sd, margin_rate). */
PG_FUNCTION_INFO_V1(promo_expected_margin);
Datum
promo_expected_margin(PG_FUNCTION_ARGS)
{
	const PromoOffer *offer = TermsArg(fcinfo, 0);
	double		mean = PG_GETARG_FLOAT8(1);
	double		sd = PG_GETARG_FLOAT8(2);
	double		g = PG_GETARG_FLOAT8(3);

	CheckBasket(&basket_names, mean, sd, 0);
	CheckMarginRate(g);
	PG_RETURN_FLOAT8(CheckResult(promo_offer_expected_margin(offer, mean, sd, g)));
}

/*
 * promo.incremental_profit(terms, p_convert, basket_mean, basket_sd,
 * p_none, basket_none_mean, margin_rate).
 */
PG_FUNCTION_INFO_V1(promo_incremental_profit);
Datum
promo_incremental_profit(PG_FUNCTION_ARGS)
{
	const PromoOffer *offer = TermsArg(fcinfo, 0);
	double		p = PG_GETARG_FLOAT8(1);
	double		mean = PG_GETARG_FLOAT8(2);
	double		sd = PG_GETARG_FLOAT8(3);
	double		p_none = PG_GETARG_FLOAT8(4);
	double		mean_none = PG_GETARG_FLOAT8(5);
	double		g = PG_GETARG_FLOAT8(6);

	CheckProbability("p_convert", p, 0);
	CheckBasket(&basket_names, mean, sd, 0);
	CheckProbability("p_none", p_none, 0);
	CheckBasketNone(mean_none);
	CheckMarginRate(g);
	PG_RETURN_FLOAT8(CheckResult(promo_offer_incremental_profit(offer, p, mean, sd,
																p_none, mean_none, g)));
}

/* ---- one user, several offers ---- */

/*
 * The values of a float8[] argument of n elements, in place when it has no
 * NULL element, else copied into buf with skip[i] set for NULL elements.
 */
static const double *
Float8Elements(ArrayType *arr, const char *what, int n, double *buf, bool *skip)
{
	int			got;
	bits8	   *bitmap;

	promo_check_float8_array(arr, what);
	got = ARR_NDIM(arr) == 1 ? ARR_DIMS(arr)[0] : 0;
	if (got != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d elements, but terms has %d", what, got, n)));
	if (!ARR_HASNULL(arr))
		return (const double *) ARR_DATA_PTR(arr);
	bitmap = ARR_NULLBITMAP(arr);
	for (int i = 0, k = 0; i < n; i++)
	{
		bool		present = (bitmap[i / 8] & (1 << (i % 8))) != 0;

		buf[i] = present ? ((const double *) ARR_DATA_PTR(arr))[k++] : 0.0;
		skip[i] = skip[i] || !present;
	}
	return buf;
}

/* A float8[] of n values, NULL where skip is set (skip may be NULL). */
static Datum
ResultArray(const double *values, const bool *skip, int n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	if (skip == NULL || n == 0)
		return PointerGetDatum(promo_float8_array(values, n));
	elems = palloc(sizeof(Datum) * n);
	nulls = palloc(sizeof(bool) * n);
	for (int i = 0; i < n; i++)
	{
		elems[i] = Float8GetDatum(values[i]);
		nulls[i] = skip[i];
	}
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, FLOAT8OID,
											  sizeof(float8), FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
}

/* Error unless every present element is admissible and every result finite. */
static void
CheckUserInputs(int n, const double *p, const double *mean, const double *sd,
				const bool *skip)
{
	for (int i = 0; i < n; i++)
	{
		if (skip != NULL && skip[i])
			continue;
		CheckProbability("p_convert", p[i], i + 1);
		CheckBasket(&basket_names, mean[i], sd[i], i + 1);
	}
}

/*
 * promo.offer_economics(terms[], p_convert[], basket_mean[], basket_sd[],
 * p_none, basket_none_mean, margin_rate) -> (value float8[], cost float8[]):
 * one user's offers at once; an element is NULL where its terms,
 * p_convert, basket_mean or basket_sd is.
 */
PG_FUNCTION_INFO_V1(promo_offer_economics);
Datum
promo_offer_economics(PG_FUNCTION_ARGS)
{
	TermsCache *cache = TermsArrayArg(fcinfo, 0);
	int			n = cache->n;
	double		p_none = PG_GETARG_FLOAT8(4);
	double		mean_none = PG_GETARG_FLOAT8(5);
	double		g = PG_GETARG_FLOAT8(6);
	bool	   *skip = palloc0(sizeof(bool) * Max(n, 1));
	double	   *buf = palloc(sizeof(double) * 5 * Max(n, 1));
	const double *p;
	const double *mean;
	const double *sd;
	bool		anyskip = false;
	Datum		result[2];
	bool		isnull[2] = {false, false};

	if (cache->missing)
		memcpy(skip, cache->missing, sizeof(bool) * n);
	p = Float8Elements(PG_GETARG_ARRAYTYPE_P(1), "p_convert", n, buf, skip);
	mean = Float8Elements(PG_GETARG_ARRAYTYPE_P(2), "basket_mean", n, buf + n, skip);
	sd = Float8Elements(PG_GETARG_ARRAYTYPE_P(3), "basket_sd", n, buf + 2 * n, skip);
	CheckProbability("p_none", p_none, 0);
	CheckBasketNone(mean_none);
	CheckMarginRate(g);
	for (int i = 0; i < n; i++)
		anyskip = anyskip || skip[i];
	CheckUserInputs(n, p, mean, sd, anyskip ? skip : NULL);
	promo_offer_user_economics(n, cache->offers, p, mean, sd, NULL, anyskip ? skip : NULL,
							   p_none, mean_none, g, buf + 3 * n, buf + 4 * n);
	for (int i = 0; i < n; i++)
		if (!skip[i])
		{
			CheckResult(buf[3 * n + i]);
			CheckResult(buf[4 * n + i]);
		}
	result[0] = ResultArray(buf + 3 * n, anyskip ? skip : NULL, n);
	result[1] = ResultArray(buf + 4 * n, anyskip ? skip : NULL, n);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(promo_result_desc(fcinfo, &cache->result),
													  result, isnull)));
}
