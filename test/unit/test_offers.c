/*
 * test_offers.c
 *		Unit tests of offers.c: face values by hand, the closed-form
 *		expectations against Gauss-Legendre quadrature, the limit of a
 *		vanishing spread, the economics and the parameter checks.
 */
#include "unit.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "offers.h"

/* Gauss-Legendre points per panel and panel width (in standard units). */
#define GL_POINTS 16
#define GL_PANEL 0.25
/* Integration range around the bulk of B and of B's size-biased law. */
#define Z_REACH 40.0
/* pi, which strict C11 does not name */
#define PI 3.14159265358979323846

static double gl_node[GL_POINTS];
static double gl_weight[GL_POINTS];

/* Terms of a kind with the given parameters (NaN: absent). */
static PromoOfferTerms
Terms(PromoOfferKind kind, double pct, double amount, double min_basket,
	  double cap, double contact_cost)
{
	PromoOfferTerms t;
	const double v[PROMO_OFFER_NPARAMS] = {pct, amount, min_basket, cap, contact_cost};

	memset(&t, 0, sizeof(t));
	t.kind = kind;
	for (int i = 0; i < PROMO_OFFER_NPARAMS; i++)
	{
		t.given[i] = !isnan(v[i]);
		t.value[i] = t.given[i] ? v[i] : 0.0;
	}
	return t;
}

/* A valid offer from parameters (NaN: absent); the check must pass. */
static PromoOffer
Offer(PromoOfferKind kind, double pct, double amount, double min_basket,
	  double cap, double contact_cost)
{
	PromoOfferTerms t = Terms(kind, pct, amount, min_basket, cap, contact_cost);
	PromoOffer	o;
	PromoOfferParam param;

	memset(&o, 0, sizeof(o));
	CHECK_INT(promo_offer_init(&t, &o, &param), PROMO_OFFER_OK);
	return o;
}

/* Nodes and weights of Gauss-Legendre on [-1, 1], by Newton's method. */
static void
InitGaussLegendre(void)
{
	for (int i = 0; i < GL_POINTS; i++)
	{
		double		x = cos(PI * (i + 0.75) / (GL_POINTS + 0.5));
		double		dp = 1.0;

		for (int iter = 0; iter < 100; iter++)
		{
			double		p0 = 1.0;
			double		p1 = x;
			double		dx;

			/* Legendre recurrence up to P_n and its derivative */
			for (int k = 2; k <= GL_POINTS; k++)
			{
				double		p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;

				p0 = p1;
				p1 = p2;
			}
			dp = GL_POINTS * (x * p1 - p0) / (x * x - 1.0);
			dx = p1 / dp;
			x -= dx;
			if (fabs(dx) < 1e-16)
				break;
		}
		gl_node[i] = x;
		gl_weight[i] = 2.0 / ((1.0 - x * x) * dp * dp);
	}
}

/* Integral over [a, b] of face(exp(m + s z)) phi(z) dz, by panels. */
static double
IntegratePiece(const PromoOffer *o, double m, double s, double a, double b)
{
	int			panels = (int) ceil((b - a) / GL_PANEL);
	double		h = (b - a) / panels;
	double		sum = 0.0;

	for (int p = 0; p < panels; p++)
	{
		double		mid = a + (p + 0.5) * h;

		for (int i = 0; i < GL_POINTS; i++)
		{
			double		z = mid + 0.5 * h * gl_node[i];
			double		phi = exp(-0.5 * z * z) / sqrt(2.0 * PI);

			sum += 0.5 * h * gl_weight[i] * promo_offer_face(o, exp(m + s * z)) * phi;
		}
	}
	return sum;
}

/*
 * E[face(B)] by quadrature over the standard normal z, B = exp(m + s z),
 * split where the face has a jump or a kink so each piece is smooth.
 */
static double
QuadratureFace(const PromoOffer *o, double mean, double sd)
{
	double		var = log1p((sd / mean) * (sd / mean));
	double		s = sqrt(var);
	double		m = log(mean) - 0.5 * var;
	double		lo = -Z_REACH;
	double		hi = s + Z_REACH;
	double		cut[4];
	int			ncut = 0;
	double		total = 0.0;
	double		breaks[2] = {o->threshold, o->knee};

	cut[ncut++] = lo;
	for (int i = 0; i < 2; i++)
	{
		double		z = (log(breaks[i]) - m) / s;

		if (breaks[i] > 0.0 && isfinite(breaks[i]) && z > cut[ncut - 1] && z < hi)
			cut[ncut++] = z;
	}
	cut[ncut++] = hi;
	for (int i = 0; i + 1 < ncut; i++)
		total += IntegratePiece(o, m, s, cut[i], cut[i + 1]);
	return total;
}

/* One offer of every kind and a few variants, thresholds included. */
static int
SampleOffers(PromoOffer *out)
{
	int			n = 0;

	out[n++] = Offer(PROMO_OFFER_PERCENT_OFF, 0.1, NAN, NAN, NAN, NAN);
	out[n++] = Offer(PROMO_OFFER_PERCENT_OFF, 0.15, NAN, 60.0, NAN, 0.02);
	out[n++] = Offer(PROMO_OFFER_AMOUNT_OFF, NAN, 10.0, NAN, NAN, NAN);
	out[n++] = Offer(PROMO_OFFER_AMOUNT_OFF, NAN, 10.0, 50.0, NAN, NAN);
	out[n++] = Offer(PROMO_OFFER_CAPPED_PERCENT, 0.2, NAN, NAN, 15.0, NAN);
	out[n++] = Offer(PROMO_OFFER_CAPPED_PERCENT, 0.2, NAN, 40.0, 15.0, NAN);
	/* cap below pct * min_basket: the face is the cap from the threshold */
	out[n++] = Offer(PROMO_OFFER_CAPPED_PERCENT, 0.2, NAN, 100.0, 5.0, NAN);
	out[n++] = Offer(PROMO_OFFER_SPEND_THRESHOLD, NAN, 20.0, 100.0, NAN, NAN);
	out[n++] = Offer(PROMO_OFFER_CASHBACK, 0.05, NAN, NAN, 4.0, NAN);
	out[n++] = Offer(PROMO_OFFER_CASHBACK, NAN, 5.0, 30.0, NAN, NAN);
	return n;
}

/* Face values by hand at, below and above each threshold. */
static void
offers_face_by_hand(void)
{
	PromoOffer	pct = Offer(PROMO_OFFER_PERCENT_OFF, 0.1, NAN, 50.0, NAN, NAN);
	PromoOffer	amt = Offer(PROMO_OFFER_AMOUNT_OFF, NAN, 10.0, 30.0, NAN, NAN);
	PromoOffer	amt0 = Offer(PROMO_OFFER_AMOUNT_OFF, NAN, 10.0, NAN, NAN, NAN);
	PromoOffer	cap = Offer(PROMO_OFFER_CAPPED_PERCENT, 0.2, NAN, 40.0, 15.0, NAN);
	PromoOffer	thr = Offer(PROMO_OFFER_SPEND_THRESHOLD, NAN, 20.0, 100.0, NAN, NAN);
	PromoOffer	cbp = Offer(PROMO_OFFER_CASHBACK, 0.05, NAN, NAN, 10.0, NAN);
	PromoOffer	cba = Offer(PROMO_OFFER_CASHBACK, NAN, 5.0, 40.0, NAN, NAN);
	PromoOffer	msg = Offer(PROMO_OFFER_MESSAGE, NAN, NAN, NAN, NAN, 0.01);

	CHECK(promo_offer_face(&pct, 49.99) == 0.0);
	CHECK_CLOSE(promo_offer_face(&pct, 50.0), 5.0, 1e-15);
	CHECK_CLOSE(promo_offer_face(&pct, 200.0), 20.0, 1e-15);
	CHECK(promo_offer_face(&amt, 29.99) == 0.0);
	CHECK(promo_offer_face(&amt, 30.0) == 10.0);
	CHECK(promo_offer_face(&amt, 1000.0) == 10.0);
	CHECK(promo_offer_face(&amt0, 4.0) == 4.0);
	CHECK(promo_offer_face(&amt0, 0.0) == 0.0);
	CHECK(promo_offer_face(&cap, 39.0) == 0.0);
	CHECK_CLOSE(promo_offer_face(&cap, 40.0), 8.0, 1e-15);
	CHECK_CLOSE(promo_offer_face(&cap, 74.0), 14.8, 1e-15);
	CHECK(promo_offer_face(&cap, 75.0) == 15.0);
	CHECK(promo_offer_face(&cap, 500.0) == 15.0);
	CHECK(promo_offer_face(&thr, 99.99) == 0.0);
	CHECK(promo_offer_face(&thr, 100.0) == 20.0);
	CHECK(promo_offer_face(&thr, 500.0) == 20.0);
	CHECK_CLOSE(promo_offer_face(&cbp, 100.0), 5.0, 1e-15);
	CHECK(promo_offer_face(&cbp, 1000.0) == 10.0);
	CHECK(promo_offer_face(&cba, 39.0) == 0.0);
	CHECK(promo_offer_face(&cba, 40.0) == 5.0);
	CHECK(promo_offer_face(&msg, 100.0) == 0.0);
	CHECK(msg.contact_cost == 0.01);
}

/* With sd 0 the expectation is the face at the mean. */
static void
offers_point_basket(void)
{
	PromoOffer	o[16];
	int			n = SampleOffers(o);
	const double baskets[] = {0.0, 10.0, 49.99, 50.0, 99.99, 100.0, 250.0};

	for (int i = 0; i < n; i++)
		for (size_t b = 0; b < sizeof(baskets) / sizeof(baskets[0]); b++)
			CHECK(promo_offer_expected_face(&o[i], baskets[b], 0.0) ==
				  promo_offer_face(&o[i], baskets[b]));
}

/* Closed forms against quadrature, fixed offers over a grid of baskets. */
static void
offers_expectation_quadrature(void)
{
	PromoOffer	o[16];
	int			n = SampleOffers(o);
	const double means[] = {5.0, 40.0, 95.0, 100.0, 180.0, 1000.0};
	const double cvs[] = {0.05, 0.3, 1.0, 3.0};

	InitGaussLegendre();
	for (int i = 0; i < n; i++)
		for (size_t a = 0; a < sizeof(means) / sizeof(means[0]); a++)
			for (size_t c = 0; c < sizeof(cvs) / sizeof(cvs[0]); c++)
			{
				double		mean = means[a];
				double		sd = cvs[c] * mean;

				CHECK_CLOSE(promo_offer_expected_face(&o[i], mean, sd),
							QuadratureFace(&o[i], mean, sd), 1e-9);
			}
}

/* Closed forms against quadrature on random offers and baskets. */
static void
offers_expectation_random(void)
{
	uint64_t	rng = 0x5eed0ffe12345ULL;

	InitGaussLegendre();
	for (int trial = 0; trial < 400; trial++)
	{
		PromoOfferKind kind = (PromoOfferKind) (int) unit_uniform(&rng, 0.0, 5.0);
		double		pct = unit_uniform(&rng, 0.01, 0.6);
		double		x = unit_uniform(&rng, 1.0, 300.0);
		double		y = unit_uniform(&rng, 1.0, 50.0);
		double		mean = unit_uniform(&rng, 1.0, 400.0);
		double		sd = mean * unit_uniform(&rng, 0.01, 2.5);
		PromoOffer	o;

		if (kind == PROMO_OFFER_PERCENT_OFF)
			o = Offer(kind, pct, NAN, x, NAN, NAN);
		else if (kind == PROMO_OFFER_AMOUNT_OFF)
			o = Offer(kind, NAN, y, x, NAN, NAN);
		else if (kind == PROMO_OFFER_CAPPED_PERCENT)
			o = Offer(kind, pct, NAN, x, y, NAN);
		else if (kind == PROMO_OFFER_SPEND_THRESHOLD)
			o = Offer(kind, NAN, fmin(x, y), x, NAN, NAN);
		else
			o = Offer(kind, pct, NAN, x, y, NAN);
		CHECK_CLOSE(promo_offer_expected_face(&o, mean, sd),
					QuadratureFace(&o, mean, sd), 1e-9);
	}
}

/* Far tails keep their relative precision; no threshold is exact. */
static void
offers_expectation_tails(void)
{
	PromoOffer	thr = Offer(PROMO_OFFER_SPEND_THRESHOLD, NAN, 20.0, 100.0, NAN, NAN);
	PromoOffer	pct = Offer(PROMO_OFFER_PERCENT_OFF, 0.1, NAN, NAN, NAN, NAN);
	double		tiny;

	InitGaussLegendre();
	/* threshold about 11 standard units above: P ~ 1e-27 */
	tiny = promo_offer_expected_face(&thr, 20.0, 3.0);
	CHECK(tiny > 0.0 && tiny < 1e-20);
	CHECK_CLOSE(tiny, QuadratureFace(&thr, 20.0, 3.0), 1e-9);
	/* the basket's mean is the median times sqrt(1 + cv^2) */
	CHECK_CLOSE(promo_offer_expected_face(&thr, 200.0, 200.0 * sqrt(3.0)),
				10.0, 1e-12);
	/* a percentage without threshold is linear: pct * mean at any sd */
	CHECK_CLOSE(promo_offer_expected_face(&pct, 123.0, 400.0), 12.3, 1e-14);
	CHECK_CLOSE(promo_offer_expected_face(&pct, 1e-300, 1e300), 1e-301, 1e-12);
}

/* A min-basket offer just above the user's mean basket is not free. */
static void
offers_threshold_not_free(void)
{
	PromoOffer	thr = Offer(PROMO_OFFER_SPEND_THRESHOLD, NAN, 20.0, 100.0, NAN, NAN);
	double		e = promo_offer_expected_face(&thr, 95.0, 30.0);

	InitGaussLegendre();
	CHECK(promo_offer_face(&thr, 95.0) == 0.0);
	/* P(B >= 100) is about 0.37 for this lognormal */
	CHECK(e > 0.3 * 20.0 && e < 0.45 * 20.0);
	CHECK_CLOSE(e, QuadratureFace(&thr, 95.0, 30.0), 1e-9);
}

/* As sd -> 0 the expectation tends to the face at the mean. */
static void
offers_small_spread_limit(void)
{
	PromoOffer	o[16];
	int			n = SampleOffers(o);
	PromoOffer	thr = Offer(PROMO_OFFER_SPEND_THRESHOLD, NAN, 20.0, 100.0, NAN, NAN);
	const double means[] = {5.0, 45.0, 70.0, 95.0, 110.0, 300.0};

	for (int i = 0; i < n; i++)
		for (size_t a = 0; a < sizeof(means) / sizeof(means[0]); a++)
		{
			double		want = promo_offer_face(&o[i], means[a]);

			/* every mean is at least 5% from a threshold or knee */
			CHECK_ABS(promo_offer_expected_face(&o[i], means[a], 1e-6 * means[a]),
					  want, 1e-9 * fmax(want, 1.0));
			CHECK(promo_offer_expected_face(&o[i], means[a], 1e-200 * means[a]) == want);
		}
	/* at the threshold itself half of a narrow law is above it */
	CHECK_CLOSE(promo_offer_expected_face(&thr, 100.0, 1e-8), 10.0, 1e-6);
	for (double sd = 1.0; sd > 1e-6; sd /= 10.0)
	{
		double		above = promo_offer_expected_face(&thr, 100.5, sd);
		double		below = promo_offer_expected_face(&thr, 99.5, sd);

		CHECK(above >= promo_offer_expected_face(&thr, 100.5, sd * 10.0) - 1e-12);
		CHECK(below <= promo_offer_expected_face(&thr, 99.5, sd * 10.0) + 1e-12);
	}
	CHECK_CLOSE(promo_offer_expected_face(&thr, 100.5, 1e-3), 20.0, 1e-12);
	CHECK_ABS(promo_offer_expected_face(&thr, 99.5, 1e-3), 0.0, 1e-12);
}

/* Cost, margin and incremental profit by hand, and the vector form. */
static void
offers_economics(void)
{
	PromoOffer	o[2];
	double		p[2] = {0.3, 0.25};
	double		mean[2] = {100.0, 120.0};
	double		sd[2] = {0.0, 60.0};
	bool		skip[2] = {false, true};
	double		value[2] = {-1.0, -1.0};
	double		cost[2] = {-1.0, -1.0};

	o[0] = Offer(PROMO_OFFER_PERCENT_OFF, 0.1, NAN, NAN, NAN, 0.05);
	o[1] = Offer(PROMO_OFFER_SPEND_THRESHOLD, NAN, 20.0, 100.0, NAN, 0.1);
	/* face 10: cost 0.3 * 10 + 0.05, margin 40 - 10 */
	CHECK_CLOSE(promo_offer_expected_cost(&o[0], 0.3, 100.0, 0.0), 3.05, 1e-14);
	CHECK_CLOSE(promo_offer_expected_margin(&o[0], 100.0, 0.0, 0.4), 30.0, 1e-14);
	/* v = 0.3 * 30 - 0.2 * 90 * 0.4 - 0.05 */
	CHECK_CLOSE(promo_offer_incremental_profit(&o[0], 0.3, 100.0, 0.0, 0.2, 90.0, 0.4),
				1.75, 1e-14);
	promo_offer_user_economics(2, o, p, mean, sd, NULL, NULL, 0.2, 90.0, 0.4, value, cost);
	CHECK_CLOSE(value[0], 1.75, 1e-14);
	CHECK_CLOSE(cost[0], 3.05, 1e-14);
	CHECK_CLOSE(value[1], promo_offer_incremental_profit(&o[1], 0.25, 120.0, 60.0,
														 0.2, 90.0, 0.4), 1e-15);
	CHECK_CLOSE(cost[1], promo_offer_expected_cost(&o[1], 0.25, 120.0, 60.0), 1e-15);
	value[1] = cost[1] = -1.0;
	promo_offer_user_economics(2, o, p, mean, sd, NULL, skip, 0.2, 90.0, 0.4, value, cost);
	CHECK(value[1] == -1.0 && cost[1] == -1.0);
	CHECK_CLOSE(value[0], 1.75, 1e-14);
}

/* A rejected set of terms: the status and the parameter it names. */
static void
CheckRejected(PromoOfferTerms t, PromoOfferStatus want, PromoOfferParam param)
{
	PromoOffer	o;
	PromoOfferParam got = PROMO_OFFER_NPARAMS;

	if (CHECK_INT(promo_offer_init(&t, &o, &got), want))
		CHECK_INT(got, param);
}

/* Every parameter fault of every kind, and the kind names. */
static void
offers_validation(void)
{
	PromoOfferKind kind;

	CheckRejected(Terms(PROMO_OFFER_PERCENT_OFF, 0.0, NAN, NAN, NAN, NAN),
				  PROMO_OFFER_OUT_OF_RANGE, PROMO_OFFER_PCT);
	CheckRejected(Terms(PROMO_OFFER_PERCENT_OFF, 1.0, NAN, NAN, NAN, NAN),
				  PROMO_OFFER_OUT_OF_RANGE, PROMO_OFFER_PCT);
	CheckRejected(Terms(PROMO_OFFER_PERCENT_OFF, INFINITY, NAN, NAN, NAN, NAN),
				  PROMO_OFFER_NOT_FINITE, PROMO_OFFER_PCT);
	CheckRejected(Terms(PROMO_OFFER_PERCENT_OFF, NAN, NAN, NAN, NAN, NAN),
				  PROMO_OFFER_MISSING, PROMO_OFFER_PCT);
	CheckRejected(Terms(PROMO_OFFER_PERCENT_OFF, 0.1, NAN, NAN, 5.0, NAN),
				  PROMO_OFFER_NOT_APPLICABLE, PROMO_OFFER_CAP);
	CheckRejected(Terms(PROMO_OFFER_PERCENT_OFF, 0.1, NAN, -1.0, NAN, NAN),
				  PROMO_OFFER_OUT_OF_RANGE, PROMO_OFFER_MIN_BASKET);
	CheckRejected(Terms(PROMO_OFFER_AMOUNT_OFF, NAN, -5.0, NAN, NAN, NAN),
				  PROMO_OFFER_OUT_OF_RANGE, PROMO_OFFER_AMOUNT);
	CheckRejected(Terms(PROMO_OFFER_AMOUNT_OFF, NAN, 0.0, NAN, NAN, NAN),
				  PROMO_OFFER_OUT_OF_RANGE, PROMO_OFFER_AMOUNT);
	CheckRejected(Terms(PROMO_OFFER_AMOUNT_OFF, 0.1, 5.0, NAN, NAN, NAN),
				  PROMO_OFFER_NOT_APPLICABLE, PROMO_OFFER_PCT);
	CheckRejected(Terms(PROMO_OFFER_CAPPED_PERCENT, 0.1, NAN, NAN, NAN, NAN),
				  PROMO_OFFER_MISSING, PROMO_OFFER_CAP);
	CheckRejected(Terms(PROMO_OFFER_CAPPED_PERCENT, 0.1, NAN, NAN, 0.0, NAN),
				  PROMO_OFFER_OUT_OF_RANGE, PROMO_OFFER_CAP);
	CheckRejected(Terms(PROMO_OFFER_SPEND_THRESHOLD, NAN, 30.0, 20.0, NAN, NAN),
				  PROMO_OFFER_SAVING_ABOVE_THRESHOLD, PROMO_OFFER_AMOUNT);
	CheckRejected(Terms(PROMO_OFFER_SPEND_THRESHOLD, NAN, 10.0, 0.0, NAN, NAN),
				  PROMO_OFFER_OUT_OF_RANGE, PROMO_OFFER_MIN_BASKET);
	CheckRejected(Terms(PROMO_OFFER_SPEND_THRESHOLD, NAN, 10.0, NAN, NAN, NAN),
				  PROMO_OFFER_MISSING, PROMO_OFFER_MIN_BASKET);
	CheckRejected(Terms(PROMO_OFFER_CASHBACK, 0.1, 5.0, NAN, NAN, NAN),
				  PROMO_OFFER_PCT_AND_AMOUNT, PROMO_OFFER_PCT);
	CheckRejected(Terms(PROMO_OFFER_CASHBACK, NAN, NAN, 10.0, NAN, NAN),
				  PROMO_OFFER_MISSING, PROMO_OFFER_PCT);
	CheckRejected(Terms(PROMO_OFFER_CASHBACK, NAN, 5.0, NAN, 3.0, NAN),
				  PROMO_OFFER_NOT_APPLICABLE, PROMO_OFFER_CAP);
	CheckRejected(Terms(PROMO_OFFER_MESSAGE, NAN, NAN, 10.0, NAN, NAN),
				  PROMO_OFFER_NOT_APPLICABLE, PROMO_OFFER_MIN_BASKET);
	CheckRejected(Terms(PROMO_OFFER_MESSAGE, NAN, NAN, NAN, NAN, -0.01),
				  PROMO_OFFER_OUT_OF_RANGE, PROMO_OFFER_CONTACT_COST);
	CheckRejected(Terms(PROMO_OFFER_MESSAGE, NAN, NAN, NAN, NAN, -INFINITY),
				  PROMO_OFFER_NOT_FINITE, PROMO_OFFER_CONTACT_COST);
	/* Y = X is the edge that is still allowed */
	Offer(PROMO_OFFER_SPEND_THRESHOLD, NAN, 20.0, 20.0, NAN, NAN);
	CHECK(promo_offer_kind_parse("capped_percent", 14, &kind) &&
		  kind == PROMO_OFFER_CAPPED_PERCENT);
	CHECK(!promo_offer_kind_parse("capped_percentage", 17, &kind));
	CHECK(!promo_offer_kind_parse("Message", 7, &kind));
	CHECK(promo_offer_kind_parse("message!", 7, &kind) && kind == PROMO_OFFER_MESSAGE);
	CHECK(strcmp(promo_offer_param_name(PROMO_OFFER_MIN_BASKET), "min_basket") == 0);
}

/* The checks of the economics' inputs. */
static void
offers_input_checks(void)
{
	CHECK_INT(promo_offer_check_basket(100.0, 10.0), PROMO_BASKET_OK);
	CHECK_INT(promo_offer_check_basket(0.0, 0.0), PROMO_BASKET_OK);
	CHECK_INT(promo_offer_check_basket(NAN, 1.0), PROMO_BASKET_NOT_FINITE);
	CHECK_INT(promo_offer_check_basket(1.0, INFINITY), PROMO_BASKET_NOT_FINITE);
	CHECK_INT(promo_offer_check_basket(-1.0, 0.0), PROMO_BASKET_NEGATIVE_MEAN);
	CHECK_INT(promo_offer_check_basket(1.0, -1.0), PROMO_BASKET_NEGATIVE_SD);
	CHECK_INT(promo_offer_check_basket(0.0, 1.0), PROMO_BASKET_SD_WITHOUT_MEAN);
	CHECK(promo_offer_probability_ok(0.0) && promo_offer_probability_ok(1.0));
	CHECK(!promo_offer_probability_ok(1.0000001) && !promo_offer_probability_ok(NAN));
	CHECK(promo_offer_margin_rate_ok(1.0) && promo_offer_margin_rate_ok(-0.2));
	CHECK(!promo_offer_margin_rate_ok(1.01) && !promo_offer_margin_rate_ok(-INFINITY));
}

const UnitTest unit_offers_tests[] = {
	UNIT_TEST(offers_face_by_hand),
	UNIT_TEST(offers_point_basket),
	UNIT_TEST(offers_expectation_quadrature),
	UNIT_TEST(offers_expectation_random),
	UNIT_TEST(offers_expectation_tails),
	UNIT_TEST(offers_threshold_not_free),
	UNIT_TEST(offers_small_spread_limit),
	UNIT_TEST(offers_economics),
	UNIT_TEST(offers_validation),
	UNIT_TEST(offers_input_checks),
	{NULL, NULL}
};
