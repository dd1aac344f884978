/*
 * offers.h
 *		Offer economics: the face value of an offer at a basket, its
 *		expectation over a lognormal basket, expected cost, margin after
 *		the offer and expected incremental profit.
 *
 * Kinds and their parameters (b is the basket at list prices, before the
 * offer; t = min_basket, 0 when absent; every kind may carry contact_cost,
 * paid per user contacted whether or not the user converts):
 *
 *	 percent_off	 pct in (0, 1), min_basket >= 0 optional
 *					 face(b) = pct * b						   if b >= t
 *	 amount_off		 amount > 0, min_basket >= 0 optional
 *					 face(b) = min(amount, b)				   if b >= t
 *	 capped_percent	 pct in (0, 1), cap > 0, min_basket >= 0 optional
 *					 face(b) = min(cap, pct * b)			   if b >= t
 *	 spend_threshold min_basket X > 0, amount Y with 0 < Y <= X
 *					 face(b) = Y							   if b >= X
 *	 cashback		 pct in (0, 1) with cap > 0 optional, or amount > 0;
 *					 min_basket >= 0 optional; a rebate paid after purchase:
 *					 face(b) = min(cap, pct * b) or min(amount, b) if b >= t
 *	 message		 no discount: face(b) = 0
 *
 * and face(b) = 0 below t.  Every kind is thus face(b) = 1{b >= t} *
 * min(c, r b) with a rate r and a limit c (percent_off: r = pct, c = inf;
 * amount_off, spend_threshold, cashback by amount: r = 1, c = amount;
 * capped_percent, cashback by pct: r = pct, c = cap or inf; message:
 * r = c = 0).  Since pct < 1 and Y <= X, 0 <= face(b) <= b.
 *
 * The basket given conversion, B, is lognormal with mean mu and standard
 * deviation s: sigma^2 = log(1 + s^2 / mu^2), m = log(mu) - sigma^2 / 2,
 * z(x) = (log x - m) / sigma and Phi the standard normal distribution
 * function.  Then
 *
 *	 P(B >= x)				 = Phi(-z(x))
 *	 E[B 1{x <= B < y}]		 = mu (Phi(sigma - z(x)) - Phi(sigma - z(y)))
 *
 * and with k = max(t, c / r) (the basket above which the face is c):
 *
 *	 E[face(B)] = r E[B 1{t <= B < k}] + c P(B >= k)
 *
 * s = 0 (or s so small relative to mu that sigma underflows) is a point:
 * E[face(B)] = face(mu).  From it, for a user converting with probability
 * p under the offer (p_none and mu_none without any offer) and a margin
 * rate g (gross margin per unit of basket at list prices):
 *
 *	 expected cost		   = p E[face(B)] + contact_cost
 *	 expected margin	   = mu g - E[face(B)]	   (per converting user)
 *	 incremental profit v  = p (mu g - E[face(B)]) - p_none mu_none g
 *							 - contact_cost
 */
#ifndef PROMO_OFFERS_H
#define PROMO_OFFERS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

/* The most offers one call of the vector form scores (one user's offers). */
#define PROMO_OFFER_MAX_OFFERS 100000

typedef enum PromoOfferKind
{
	PROMO_OFFER_PERCENT_OFF = 0,
	PROMO_OFFER_AMOUNT_OFF,
	PROMO_OFFER_CAPPED_PERCENT,
	PROMO_OFFER_SPEND_THRESHOLD,
	PROMO_OFFER_CASHBACK,
	PROMO_OFFER_MESSAGE,
	PROMO_OFFER_NKINDS
} PromoOfferKind;

/* An offer's parameters, in the order of the SQL type's fields. */
typedef enum PromoOfferParam
{
	PROMO_OFFER_PCT = 0,
	PROMO_OFFER_AMOUNT,
	PROMO_OFFER_MIN_BASKET,
	PROMO_OFFER_CAP,
	PROMO_OFFER_CONTACT_COST,
	PROMO_OFFER_NPARAMS
} PromoOfferParam;

/* Parameters as given: value[i] counts only when given[i]. */
typedef struct PromoOfferTerms
{
	PromoOfferKind kind;
	double		value[PROMO_OFFER_NPARAMS];
	bool		given[PROMO_OFFER_NPARAMS];
} PromoOfferTerms;

typedef enum PromoOfferStatus
{
	PROMO_OFFER_OK = 0,
	PROMO_OFFER_NOT_FINITE,		/* param is NaN or infinite */
	PROMO_OFFER_NOT_APPLICABLE, /* param does not apply to the kind */
	PROMO_OFFER_OUT_OF_RANGE,	/* param outside its range */
	PROMO_OFFER_MISSING,		/* the kind needs param */
	PROMO_OFFER_PCT_AND_AMOUNT, /* cashback with both pct and amount */
	PROMO_OFFER_SAVING_ABOVE_THRESHOLD	/* spend_threshold with Y > X */
} PromoOfferStatus;

/* A valid offer as face(b) = 1{b >= threshold} min(limit, rate b). */
typedef struct PromoOffer
{
	PromoOfferKind kind;
	double		threshold;		/* t: no benefit below it (0: none) */
	double		rate;			/* r: the face grows as r b ... */
	double		limit;			/* c: ... up to c (INFINITY: no limit) */
	double		contact_cost;	/* paid per user contacted */
	double		knee;			/* k = max(t, c / r): face is c above it */
	double		log_threshold;	/* log t (-INFINITY when t = 0) */
	double		log_knee;		/* log k (INFINITY when c is) */
} PromoOffer;

/* Status of the inputs of the expectations (checked by the caller). */
typedef enum PromoBasketStatus
{
	PROMO_BASKET_OK = 0,
	PROMO_BASKET_NOT_FINITE,	/* mean or sd is NaN or infinite */
	PROMO_BASKET_NEGATIVE_MEAN,
	PROMO_BASKET_NEGATIVE_SD,
	PROMO_BASKET_SD_WITHOUT_MEAN	/* sd > 0 with mean 0 */
} PromoBasketStatus;

/* The kind called name (len bytes, not NUL-terminated); false if none. */
extern bool promo_offer_kind_parse(const char *name, size_t len,
								   PromoOfferKind *kind);

/* The SQL name of a kind, of a parameter. */
extern const char *promo_offer_kind_name(PromoOfferKind kind);
extern const char *promo_offer_param_name(PromoOfferParam param);

/* The parameters a kind takes, as a phrase ("pct, min_basket, ..."). */
extern const char *promo_offer_kind_params(PromoOfferKind kind);

/*
 * The one place offer parameters are checked: the offer, or the first
 * fault (*param names the parameter where there is one).  Parameters are
 * checked in field order, each for applying to the kind, being finite and
 * being in range; then missing ones, then the rules across parameters.
 */
extern PromoOfferStatus promo_offer_init(const PromoOfferTerms *terms,
										 PromoOffer *offer,
										 PromoOfferParam *param);

/*
 * Is a basket mean and standard deviation admissible?  (Inline: the
 * vector form checks every element of every user.)
 */
static inline PromoBasketStatus
promo_offer_check_basket(double mean, double sd)
{
	if (!isfinite(mean) || !isfinite(sd))
		return PROMO_BASKET_NOT_FINITE;
	if (mean < 0.0)
		return PROMO_BASKET_NEGATIVE_MEAN;
	if (sd < 0.0)
		return PROMO_BASKET_NEGATIVE_SD;
	if (sd > 0.0 && mean == 0.0)
		return PROMO_BASKET_SD_WITHOUT_MEAN;
	return PROMO_BASKET_OK;
}

/* Is p a probability (in [0, 1])? */
static inline bool
promo_offer_probability_ok(double p)
{
	return p >= 0.0 && p <= 1.0;
}

/* Is g a margin rate: finite and at most 1 (a cost is not negative)? */
static inline bool
promo_offer_margin_rate_ok(double g)
{
	return isfinite(g) && g <= 1.0;
}

/* face(b) of a valid offer at a basket b >= 0. */
extern double promo_offer_face(const PromoOffer *offer, double basket);

/*
 * E[face(B)], B lognormal with the given mean and sd (a point when sd is
 * 0), inputs admitted by promo_offer_check_basket.
 */
extern double promo_offer_expected_face(const PromoOffer *offer, double mean,
										double sd);

/* p E[face(B)] + contact_cost. */
extern double promo_offer_expected_cost(const PromoOffer *offer, double p,
										double mean, double sd);

/* mean g - E[face(B)]: the margin of a converting user after the offer. */
extern double promo_offer_expected_margin(const PromoOffer *offer, double mean,
										  double sd, double margin_rate);

/* p (mean g - E[face]) - p_none mean_none g - contact_cost. */
extern double promo_offer_incremental_profit(const PromoOffer *offer,
											 double p, double mean, double sd,
											 double p_none, double mean_none,
											 double margin_rate);

/*
 * One user's n offers at once: value[i] and cost[i] as above, offer i with
 * p[i], mean[i], sd[i], of which a converting user redeems the share
 * redemption[i] of the face value (NULL: all of it; the rest is neither
 * cost nor lost margin); entries with skip[i] set are left alone (skip
 * may be NULL).
 */
extern void promo_offer_user_economics(int n, const PromoOffer *offers,
									   const double *p, const double *mean,
									   const double *sd,
									   const double *redemption,
									   const bool *skip, double p_none,
									   double mean_none, double margin_rate,
									   double *value, double *cost);

#endif							/* PROMO_OFFERS_H */
