/*
 * offers.c
 *		Offer economics: face values, their expectation over a lognormal
 *		basket in closed form, expected cost, margin and incremental profit.
 *
 * The formulas are in offers.h.  Tail probabilities come from Rmath's
 * pnorm, taken on the side of the distribution where the result is small,
 * so that tails far from the mean keep their relative precision.
 */
#include "offers.h"

#include <math.h>
#include <string.h>

#include <Rmath.h>

/* Above this coefficient of variation, log(1 + cv^2) is 2 log(cv). */
#define HUGE_CV 1e100

/* How a kind uses a parameter. */
typedef enum ParamUse
{
	USE_NO = 0,					/* must be absent */
	USE_OPTIONAL,
	USE_REQUIRED
} ParamUse;

/* A kind: its name, the parameters it takes and how. */
typedef struct KindRule
{
	const char *name;
	const char *params;
	ParamUse	use[PROMO_OFFER_NPARAMS];
} KindRule;

/* Per kind: pct, amount, min_basket, cap, contact_cost. */
static const KindRule kind_rules[PROMO_OFFER_NKINDS] = {
	[PROMO_OFFER_PERCENT_OFF] = {"percent_off", "pct, min_basket and contact_cost",
	{USE_REQUIRED, USE_NO, USE_OPTIONAL, USE_NO, USE_OPTIONAL}},
	[PROMO_OFFER_AMOUNT_OFF] = {"amount_off", "amount, min_basket and contact_cost",
	{USE_NO, USE_REQUIRED, USE_OPTIONAL, USE_NO, USE_OPTIONAL}},
	[PROMO_OFFER_CAPPED_PERCENT] = {"capped_percent",
		"pct, cap, min_basket and contact_cost",
	{USE_REQUIRED, USE_NO, USE_OPTIONAL, USE_REQUIRED, USE_OPTIONAL}},
	[PROMO_OFFER_SPEND_THRESHOLD] = {"spend_threshold",
		"min_basket, amount and contact_cost",
	{USE_NO, USE_REQUIRED, USE_REQUIRED, USE_NO, USE_OPTIONAL}},
	/* pct or amount, cap only with pct: checked apart */
	[PROMO_OFFER_CASHBACK] = {"cashback",
		"pct (with cap) or amount, min_basket and contact_cost",
	{USE_OPTIONAL, USE_OPTIONAL, USE_OPTIONAL, USE_OPTIONAL, USE_OPTIONAL}},
	[PROMO_OFFER_MESSAGE] = {"message", "contact_cost",
	{USE_NO, USE_NO, USE_NO, USE_NO, USE_OPTIONAL}},
};

static const char *const param_names[PROMO_OFFER_NPARAMS] = {
	"pct", "amount", "min_basket", "cap", "contact_cost"
};

/* The kind called name (len bytes); false if there is none. */
bool
promo_offer_kind_parse(const char *name, size_t len, PromoOfferKind *kind)
{
	for (int k = 0; k < PROMO_OFFER_NKINDS; k++)
	{
		if (strlen(kind_rules[k].name) == len &&
			memcmp(kind_rules[k].name, name, len) == 0)
		{
			*kind = (PromoOfferKind) k;
			return true;
		}
	}
	return false;
}

/* The SQL name of a kind. */
const char *
promo_offer_kind_name(PromoOfferKind kind)
{
	return kind_rules[kind].name;
}

/* The SQL name of a parameter. */
const char *
promo_offer_param_name(PromoOfferParam param)
{
	return param_names[param];
}

/* The parameters a kind takes, as a phrase. */
const char *
promo_offer_kind_params(PromoOfferKind kind)
{
	return kind_rules[kind].params;
}

/* Is v in the range of param for kind? */
static bool
InRange(PromoOfferKind kind, PromoOfferParam param, double v)
{
	switch (param)
	{
		case PROMO_OFFER_PCT:
			return v > 0.0 && v < 1.0;
		case PROMO_OFFER_AMOUNT:
		case PROMO_OFFER_CAP:
			return v > 0.0;
		case PROMO_OFFER_MIN_BASKET:
			/* a spend threshold of 0 would be a free amount */
			return kind == PROMO_OFFER_SPEND_THRESHOLD ? v > 0.0 : v >= 0.0;
		case PROMO_OFFER_CONTACT_COST:
		case PROMO_OFFER_NPARAMS:
			break;
	}
	return v >= 0.0;
}

/* Each parameter alone: applies to the kind, finite, in range, present. */
static PromoOfferStatus
CheckEachParam(const PromoOfferTerms *terms, PromoOfferParam *param)
{
	const KindRule *rule = &kind_rules[terms->kind];

	for (int i = 0; i < PROMO_OFFER_NPARAMS; i++)
	{
		*param = (PromoOfferParam) i;
		if (!terms->given[i])
			continue;
		if (rule->use[i] == USE_NO)
			return PROMO_OFFER_NOT_APPLICABLE;
		if (!isfinite(terms->value[i]))
			return PROMO_OFFER_NOT_FINITE;
		if (!InRange(terms->kind, (PromoOfferParam) i, terms->value[i]))
			return PROMO_OFFER_OUT_OF_RANGE;
	}
	for (int i = 0; i < PROMO_OFFER_NPARAMS; i++)
	{
		*param = (PromoOfferParam) i;
		if (rule->use[i] == USE_REQUIRED && !terms->given[i])
			return PROMO_OFFER_MISSING;
	}
	return PROMO_OFFER_OK;
}

/* The rules across parameters: cashback's pct or amount, Y <= X. */
static PromoOfferStatus
CheckAcross(const PromoOfferTerms *terms, PromoOfferParam *param)
{
	const bool *given = terms->given;

	if (terms->kind == PROMO_OFFER_CASHBACK)
	{
		*param = PROMO_OFFER_PCT;
		if (given[PROMO_OFFER_PCT] && given[PROMO_OFFER_AMOUNT])
			return PROMO_OFFER_PCT_AND_AMOUNT;
		if (!given[PROMO_OFFER_PCT] && !given[PROMO_OFFER_AMOUNT])
			return PROMO_OFFER_MISSING;
		*param = PROMO_OFFER_CAP;
		if (given[PROMO_OFFER_CAP] && !given[PROMO_OFFER_PCT])
			return PROMO_OFFER_NOT_APPLICABLE;
	}
	*param = PROMO_OFFER_AMOUNT;
	if (terms->kind == PROMO_OFFER_SPEND_THRESHOLD &&
		terms->value[PROMO_OFFER_AMOUNT] > terms->value[PROMO_OFFER_MIN_BASKET])
		return PROMO_OFFER_SAVING_ABOVE_THRESHOLD;
	return PROMO_OFFER_OK;
}

/* Parameter i's value, or dflt when it is absent. */
static double
ParamOr(const PromoOfferTerms *terms, PromoOfferParam i, double dflt)
{
	return terms->given[i] ? terms->value[i] : dflt;
}

/* The rate and limit of a checked offer (offers.h). */
static void
SetRateAndLimit(const PromoOfferTerms *terms, PromoOffer *offer)
{
	double		pct = ParamOr(terms, PROMO_OFFER_PCT, 0.0);

	offer->rate = 1.0;
	offer->limit = ParamOr(terms, PROMO_OFFER_AMOUNT, INFINITY);
	switch (terms->kind)
	{
		case PROMO_OFFER_PERCENT_OFF:
		case PROMO_OFFER_CAPPED_PERCENT:
			offer->rate = pct;
			offer->limit = ParamOr(terms, PROMO_OFFER_CAP, INFINITY);
			break;
		case PROMO_OFFER_CASHBACK:
			if (terms->given[PROMO_OFFER_PCT])
			{
				offer->rate = pct;
				offer->limit = ParamOr(terms, PROMO_OFFER_CAP, INFINITY);
			}
			break;
		case PROMO_OFFER_MESSAGE:
			offer->rate = 0.0;
			offer->limit = 0.0;
			break;
		case PROMO_OFFER_AMOUNT_OFF:
		case PROMO_OFFER_SPEND_THRESHOLD:
		case PROMO_OFFER_NKINDS:
			break;
	}
}

/* Check the terms and build the offer, or name the first fault. */
PromoOfferStatus
promo_offer_init(const PromoOfferTerms *terms, PromoOffer *offer,
				 PromoOfferParam *param)
{
	PromoOfferStatus status = CheckEachParam(terms, param);

	if (status == PROMO_OFFER_OK)
		status = CheckAcross(terms, param);
	if (status != PROMO_OFFER_OK)
		return status;
	offer->kind = terms->kind;
	offer->threshold = ParamOr(terms, PROMO_OFFER_MIN_BASKET, 0.0);
	offer->contact_cost = ParamOr(terms, PROMO_OFFER_CONTACT_COST, 0.0);
	SetRateAndLimit(terms, offer);
	/* the message's knee is irrelevant: its face is 0 everywhere */
	offer->knee = offer->rate > 0.0 ?
		fmax(offer->threshold, offer->limit / offer->rate) : offer->threshold;
	offer->log_threshold = log(offer->threshold);
	offer->log_knee = log(offer->knee);
	return PROMO_OFFER_OK;
}

/* face(b) = 1{b >= t} min(c, r b). */
double
promo_offer_face(const PromoOffer *offer, double basket)
{
	if (basket < offer->threshold || offer->rate == 0.0)
		return 0.0;
	return fmin(offer->limit, offer->rate * basket);
}

/* The lognormal law of the basket: log mean, sigma and sigma^2 / 2. */
typedef struct Lognormal
{
	double		mean;
	double		log_mean;
	double		sigma;
	double		half_var;
} Lognormal;

/* The lognormal with this mean and sd; false when it is a point. */
static bool
LognormalOf(double mean, double sd, Lognormal *ln)
{
	double		cv;
	double		var;

	if (sd == 0.0 || mean == 0.0)
		return false;
	cv = sd / mean;
	/* cv^2 (or cv) would overflow: log(1 + cv^2) = 2 log(cv) to precision */
	var = cv < HUGE_CV ? log1p(cv * cv) : 2.0 * (log(sd) - log(mean));
	if (!(var > 0.0))
		return false;			/* cv^2 underflowed: a point */
	ln->mean = mean;
	ln->log_mean = log(mean);
	ln->sigma = sqrt(var);
	ln->half_var = 0.5 * var;
	return true;
}

/* z(x) = (log x - m) / sigma, given log x (infinities pass through). */
static double
StandardScore(const Lognormal *ln, double log_x)
{
	return (log_x - ln->log_mean + ln->half_var) / ln->sigma;
}

/* P(B >= x) = Phi(-z(x)), x given by its log. */
static double
TailProbability(const Lognormal *ln, double log_x)
{
	if (log_x == -INFINITY)
		return 1.0;
	if (log_x == INFINITY)
		return 0.0;
	return pnorm(StandardScore(ln, log_x), 0.0, 1.0, 0, 0);
}

/* Phi(u) - Phi(w) for u >= w, from the tail where both are small. */
static double
NormalMass(double u, double w)
{
	if (w >= 0.0)
		return pnorm(w, 0.0, 1.0, 0, 0) - pnorm(u, 0.0, 1.0, 0, 0);
	return pnorm(u, 0.0, 1.0, 1, 0) - pnorm(w, 0.0, 1.0, 1, 0);
}

/* E[B 1{x <= B < y}] = mu (Phi(sigma - z(x)) - Phi(sigma - z(y))). */
static double
PartialMean(const Lognormal *ln, double log_x, double log_y)
{
	double		u;
	double		w;

	if (log_x >= log_y)
		return 0.0;
	u = log_x == -INFINITY ? INFINITY : ln->sigma - StandardScore(ln, log_x);
	w = log_y == INFINITY ? -INFINITY : ln->sigma - StandardScore(ln, log_y);
	return ln->mean * fmax(NormalMass(u, w), 0.0);
}

/* E[face(B)] = r E[B 1{t <= B < k}] + c P(B >= k), B of law ln. */
static double
FaceUnder(const PromoOffer *offer, const Lognormal *ln)
{
	double		face;

	face = offer->rate * PartialMean(ln, offer->log_threshold, offer->log_knee);
	/* with no limit the knee is at infinity and its tail is empty */
	if (isfinite(offer->limit))
		face += offer->limit * TailProbability(ln, offer->log_knee);
	/* never above the mean saving r mu nor the limit: rounding only */
	return fmin(face, fmin(offer->rate * ln->mean, offer->limit));
}

/* E[face(B)], B lognormal (or a point when sd is 0). */
double
promo_offer_expected_face(const PromoOffer *offer, double mean, double sd)
{
	Lognormal	ln;

	if (offer->rate == 0.0)
		return 0.0;
	if (!LognormalOf(mean, sd, &ln))
		return promo_offer_face(offer, mean);
	return FaceUnder(offer, &ln);
}

/* p E[face(B)] + contact_cost. */
double
promo_offer_expected_cost(const PromoOffer *offer, double p, double mean,
						  double sd)
{
	return p * promo_offer_expected_face(offer, mean, sd) + offer->contact_cost;
}

/* mean g - E[face(B)]. */
double
promo_offer_expected_margin(const PromoOffer *offer, double mean, double sd,
							double margin_rate)
{
	return mean * margin_rate - promo_offer_expected_face(offer, mean, sd);
}

/* p (mean g - E[face]) - p_none mean_none g - contact_cost. */
double
promo_offer_incremental_profit(const PromoOffer *offer, double p, double mean,
							   double sd, double p_none, double mean_none,
							   double margin_rate)
{
	double		face = promo_offer_expected_face(offer, mean, sd);

	return p * (mean * margin_rate - face) -
		p_none * mean_none * margin_rate - offer->contact_cost;
}

/*
 * Value and cost of one user's n offers; a converting user redeems the
 * share redemption[i] of offer i's face value (NULL: all of it).
 */
void
promo_offer_user_economics(int n, const PromoOffer *offers, const double *p,
						   const double *mean, const double *sd,
						   const double *redemption, const bool *skip,
						   double p_none, double mean_none,
						   double margin_rate, double *value, double *cost)
{
	/* the same for every offer: the profit the user brings without one */
	double		baseline = p_none * mean_none * margin_rate;
	Lognormal	ln;
	bool		spread = false;
	double		ln_mean = NAN;
	double		ln_sd = NAN;

	for (int i = 0; i < n; i++)
	{
		double		face = 0.0;

		if (skip != NULL && skip[i])
			continue;
		/* offers often share the user's basket: its law is made once */
		if (mean[i] != ln_mean || sd[i] != ln_sd)
		{
			ln_mean = mean[i];
			ln_sd = sd[i];
			spread = LognormalOf(ln_mean, ln_sd, &ln);
		}
		if (offers[i].rate > 0.0)
			face = spread ? FaceUnder(&offers[i], &ln) :
				promo_offer_face(&offers[i], mean[i]);
		if (redemption != NULL)
			face *= redemption[i];
		value[i] = p[i] * (mean[i] * margin_rate - face) - baseline -
			offers[i].contact_cost;
		cost[i] = p[i] * face + offers[i].contact_cost;
	}
}
