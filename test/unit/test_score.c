/*
 * test_score.c
 *		Unit tests of score.c: one user against offers, each quantity
 *		recomputed from the formulas of score.h with offers.c's functions.
 */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "score.h"

/* A valid offer from parameters (NaN: absent). */
static PromoOffer
MakeOffer(PromoOfferKind kind, double pct, double amount, double min_basket,
		  double contact_cost)
{
	PromoOfferTerms t;
	PromoOffer	o;
	PromoOfferParam param;
	const double v[PROMO_OFFER_NPARAMS] = {pct, amount, min_basket, NAN, contact_cost};

	memset(&t, 0, sizeof(t));
	t.kind = kind;
	for (int i = 0; i < PROMO_OFFER_NPARAMS; i++)
	{
		t.given[i] = !isnan(v[i]);
		t.value[i] = t.given[i] ? v[i] : 0.0;
	}
	CHECK_INT(promo_offer_init(&t, &o, &param), PROMO_OFFER_OK);
	return o;
}

static double
Logistic(double z)
{
	return 1.0 / (1.0 + exp(-z));
}

/* Two offers, a control model, a shared model and a basket model. */
static void
score_by_hand(void)
{
	PromoOffer	offers[2];
	const double weights[3 * 2] = {0.5, -0.2, 0.3, 0.1, 0.1, 0.05};
	const int	response_row[3] = {0, 1, 1};
	const double response_offset[3] = {-1.0, -0.5, -0.7};
	const double basket_offset[3] = {4.0, 4.1, 4.2};
	const double redemption[2] = {0.9, 1.0};
	const double x[2] = {1.5, -2.0};
	const double sigma = 0.4;
	const double g = 0.35;
	PromoScoreSpec spec;
	double		p[2], value[2], cost[2], redeem[2], work[16];
	PromoUserScore out = {0, 0, p, value, cost, redeem};
	double		p_none, mean_none;

	offers[0] = MakeOffer(PROMO_OFFER_PERCENT_OFF, 0.1, NAN, NAN, 0.05);
	offers[1] = MakeOffer(PROMO_OFFER_SPEND_THRESHOLD, NAN, 20.0, 100.0, NAN);
	spec = (PromoScoreSpec) {
		2, 2, 3, weights, response_row, response_offset, 2, basket_offset,
		sigma, g, offers, redemption
	};
	CHECK(promo_score_work_size(&spec) <= 16);
	promo_score_user(&spec, x, NULL, work, &out);

	/* w0 . x = 1.15, w1 . x = 0.25, w_b . x = 0.05 */
	p_none = Logistic(-1.0 + 1.15);
	mean_none = exp(4.0 + 0.05 + sigma * sigma / 2);
	CHECK_CLOSE(out.p_none, p_none, 1e-14);
	CHECK_CLOSE(out.basket_none, mean_none, 1e-14);
	for (int j = 0; j < 2; j++)
	{
		double		pj = Logistic(response_offset[j + 1] + 0.25);
		double		mean = exp(basket_offset[j + 1] + 0.05 + sigma * sigma / 2);
		double		sd = mean * sqrt(exp(sigma * sigma) - 1);
		double		face = redemption[j] * promo_offer_expected_face(&offers[j], mean, sd);

		CHECK_CLOSE(out.p[j], pj, 1e-14);
		CHECK_CLOSE(out.redeem[j], pj * redemption[j], 1e-14);
		CHECK_CLOSE(out.value[j], pj * (mean * g - face) - p_none * mean_none * g -
					offers[j].contact_cost, 1e-12);
		CHECK_CLOSE(out.cost[j], pj * face + offers[j].contact_cost, 1e-12);
	}
	/* with full redemption the value is incremental_profit's */
	CHECK_CLOSE(out.value[1],
				promo_offer_incremental_profit(&offers[1], out.p[1],
											   exp(4.2 + 0.05 + 0.08),
											   exp(4.2 + 0.05 + 0.08) * sqrt(exp(0.16) - 1),
											   p_none, mean_none, g), 1e-12);
}

/* Ineligible offers get a NaN value, and the rest are unchanged. */
static void
score_eligibility(void)
{
	PromoOffer	offers[2];
	const double weights[2] = {0.4, 0.2};
	const int	response_row[3] = {0, 0, 0};
	const double response_offset[3] = {-2.0, -1.5, -1.0};
	const double basket_offset[3] = {3.0, 3.0, 3.0};
	const double redemption[2] = {1.0, 1.0};
	const double x[1] = {0.7};
	const bool	eligible[2] = {true, false};
	PromoScoreSpec spec;
	double		a[8], b[8], work[16];
	PromoUserScore all = {0, 0, a, a + 2, a + 4, a + 6};
	PromoUserScore some = {0, 0, b, b + 2, b + 4, b + 6};

	offers[0] = MakeOffer(PROMO_OFFER_AMOUNT_OFF, NAN, 5.0, 30.0, NAN);
	offers[1] = MakeOffer(PROMO_OFFER_MESSAGE, NAN, NAN, NAN, 0.1);
	/* one row serves every arm's response; the basket reads no feature */
	spec = (PromoScoreSpec) {
		1, 2, 1, weights, response_row, response_offset, -1, basket_offset,
		0.0, 0.3, offers, redemption
	};
	promo_score_user(&spec, x, NULL, work, &all);
	promo_score_user(&spec, x, eligible, work, &some);
	CHECK(isfinite(all.value[1]) && isnan(some.value[1]));
	CHECK(some.value[0] == all.value[0] && some.cost[1] == all.cost[1]);
	CHECK(some.p[1] == all.p[1]);
	/* a point basket of exp(3), about 20: below the 30 the amount needs */
	CHECK_CLOSE(all.basket_none, exp(3.0), 1e-15);
	CHECK(all.cost[0] == 0.0);
	CHECK_CLOSE(all.cost[1], 0.1, 1e-15);
}

/* No user features: every arm's prediction is its offset. */
static void
score_no_features(void)
{
	PromoOffer	offer = MakeOffer(PROMO_OFFER_PERCENT_OFF, 0.2, NAN, NAN, NAN);
	const double weights[1] = {0.0};
	const int	response_row[2] = {0, 0};
	const double response_offset[2] = {0.0, 1.0};
	const double basket_offset[2] = {2.0, 2.5};
	const double redemption[1] = {0.5};
	PromoScoreSpec spec = {0, 1, 1, weights, response_row, response_offset, 0,
	basket_offset, 0.0, 0.5, &offer, redemption};
	double		v[4], work[8];
	PromoUserScore out = {0, 0, v, v + 1, v + 2, v + 3};

	promo_score_user(&spec, NULL, NULL, work, &out);
	CHECK_CLOSE(out.p_none, 0.5, 1e-15);
	CHECK_CLOSE(out.p[0], Logistic(1.0), 1e-15);
	/* face 0.2 exp(2.5), half of it redeemed */
	CHECK_CLOSE(out.cost[0], Logistic(1.0) * 0.5 * 0.2 * exp(2.5), 1e-14);
	CHECK_CLOSE(out.value[0], Logistic(1.0) * (exp(2.5) * 0.5 - 0.1 * exp(2.5)) -
				0.5 * exp(2.0) * 0.5, 1e-14);
}

const UnitTest unit_score_tests[] = {
	UNIT_TEST(score_by_hand),
	UNIT_TEST(score_eligibility),
	UNIT_TEST(score_no_features),
	{NULL, NULL}
};
