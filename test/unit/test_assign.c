/*
 * test_assign.c
 *		Unit tests of assign.c: hand-checked cases, exhaustive search on tiny
 *		instances, caps never exceeded on random instances, and LP optima
 *		from HiGHS (test/fixtures/assign/lp.csv).
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "fixture.h"

#define LP_FIXTURE "assign/lp.csv"

/* An assignment computed by promo_assign_solve, with its buffers. */
typedef struct Solved
{
	PromoAssignResult r;
	int32_t    *offer;
	int32_t    *runner_up;
	double	   *runner_up_value;
	uint8_t    *status;
	double	   *offers;
	void	   *work;
	int			interrupts;
} Solved;

/* Interrupt hook of the tests: counts its calls. */
static void
CountInterrupt(void *ctx)
{
	((Solved *) ctx)->interrupts++;
}

/* Solve p into freshly allocated buffers. */
static Solved
Solve(const PromoAssignProblem *p)
{
	Solved		s;
	PromoAssignHooks hooks;
	size_t		n = p->n;

	memset(&s, 0, sizeof(s));
	s.offer = unit_alloc(sizeof(int32_t) * n);
	s.runner_up = unit_alloc(sizeof(int32_t) * n);
	s.runner_up_value = unit_alloc(sizeof(double) * n);
	s.status = unit_alloc(n);
	s.offers = unit_alloc(sizeof(double) * PROMO_ASSIGN_OFFER_FIELDS * p->m);
	s.work = unit_alloc(promo_assign_work_bytes(n, p->m));
	s.r.offer = s.offer;
	s.r.runner_up = s.runner_up;
	s.r.runner_up_value = s.runner_up_value;
	s.r.status = s.status;
	s.r.offers = s.offers;
	hooks.ctx = &s;
	hooks.interrupt = CountInterrupt;
	CHECK(promo_assign_invalid(p) == NULL);
	promo_assign_solve(p, &s.r, s.work, &hooks);
	return s;
}

/* Free a solution's buffers. */
static void
FreeSolved(Solved *s)
{
	free(s->offer);
	free(s->runner_up);
	free(s->runner_up_value);
	free(s->status);
	free(s->offers);
	free(s->work);
}

/* Is offer j usable for user i (positive, at least min_roi)? */
static bool
IsUsable(const PromoAssignProblem *p, size_t i, int j)
{
	double		v = p->value[i * p->m + j];

	return v > 0.0 && v >= p->min_roi * p->cost[i * p->m + j];
}

/* Redemptions of user i's offer j. */
static double
RedeemOf(const PromoAssignProblem *p, size_t i, int j)
{
	return p->redeem != NULL ? p->redeem[i * p->m + j] : 0.0;
}

/*
 * Every budget and cap holds for the offers given, summed in user order;
 * every offer given is usable; the report's totals are those sums.
 * Returns the number of failed checks.
 */
static int
CheckFeasible(const PromoAssignProblem *p, const Solved *s)
{
	int			m = p->m;
	double		spend = 0.0;
	double		profit = 0.0;
	double		contacts = 0.0;
	double		redemptions = 0.0;
	double	   *ospend = calloc(m, sizeof(double));
	double	   *ored = calloc(m, sizeof(double));
	int			bad = 0;

	for (size_t i = 0; i < p->n; i++)
	{
		int			o = s->offer[i];

		if (o == PROMO_ASSIGN_NONE)
			continue;
		bad += !CHECK(o >= 0 && o < m && IsUsable(p, i, o));
		spend += p->cost[i * m + o];
		profit += p->value[i * m + o];
		redemptions += RedeemOf(p, i, o);
		contacts += 1.0;
		ospend[o] += p->cost[i * m + o];
		ored[o] += RedeemOf(p, i, o);
	}
	bad += !CHECK(spend <= p->budget);
	bad += !CHECK(contacts <= p->max_contacts);
	for (int j = 0; j < m; j++)
	{
		if (p->offer_budget != NULL)
			bad += !CHECK(ospend[j] <= p->offer_budget[j]);
		if (p->offer_redemptions != NULL)
			bad += !CHECK(ored[j] <= p->offer_redemptions[j]);
		bad += !CHECK(s->offers[j * PROMO_ASSIGN_OFFER_FIELDS + PROMO_ASSIGN_O_SPEND] == ospend[j]);
	}
	bad += !CHECK(s->r.spend == spend && s->r.profit == profit);
	bad += !CHECK(s->r.contacts == contacts && s->r.redemptions == redemptions);
	bad += !CHECK(s->r.dual_bound >= s->r.profit * (1.0 - 1e-12) - 1e-9);
	bad += !CHECK(s->r.gap >= 0.0 && s->r.gap <= 1.0);
	free(ospend);
	free(ored);
	return bad;
}

/*
 * Statuses agree with the offers (given or downgraded: an offer; the
 * others: none), runner-ups are usable offers other than the one given,
 * with their values, and the status counts add up.  Returns failures.
 */
static int
CheckConsistent(const PromoAssignProblem *p, const Solved *s)
{
	double		counted = 0.0;
	int			bad = 0;

	for (size_t i = 0; i < p->n; i++)
	{
		int			st = s->status[i];
		bool		has = s->offer[i] >= 0;
		bool		expect_offer = st == PROMO_ASSIGN_GIVEN || st >= PROMO_ASSIGN_DOWNGRADED_BUDGET;
		int			u = s->runner_up[i];

		bad += !CHECK(st < PROMO_ASSIGN_STATUS_COUNT && has == expect_offer);
		if (u >= 0)
			bad += !CHECK(u != s->offer[i] && IsUsable(p, i, u) &&
						  s->runner_up_value[i] == p->value[i * p->m + u]);
		else
			bad += !CHECK(u == PROMO_ASSIGN_NONE && isnan(s->runner_up_value[i]));
	}
	for (int k = 0; k < PROMO_ASSIGN_STATUS_COUNT; k++)
		counted += s->r.status_count[k];
	bad += !CHECK(counted == (double) p->n);
	return bad;
}

/*
 * Budget 6: user 0 (10 at cost 5, 6 at cost 1), user 1 (8 at 4, 7 at 2),
 * user 2 (ineligible, -1).  The best plan is 6 + 8 = 14 at cost 5.  The
 * LP takes both cheap offers (13 at cost 3) and 3/4 of user 0's upgrade
 * (+4 for +4): 16, with the budget's multiplier 1, where
 * g(1) = max(10 - 5, 6 - 1) + max(8 - 4, 7 - 2) + 6 = 16.
 */
static void
assign_by_hand(void)
{
	double		v[6] = {10, 6, 8, 7, NAN, -1};
	double		c[6] = {5, 1, 4, 2, NAN, 1};
	PromoAssignProblem p = promo_assign_problem(3, 2, v, c, NULL);
	Solved		s;

	p.budget = 6;
	s = Solve(&p);
	CHECK_INT(s.offer[0], 1);
	CHECK_INT(s.offer[1], 0);
	CHECK_INT(s.offer[2], PROMO_ASSIGN_NONE);
	CHECK_INT(s.status[0], PROMO_ASSIGN_DOWNGRADED_BUDGET);
	CHECK_INT(s.status[1], PROMO_ASSIGN_GIVEN);
	CHECK_INT(s.status[2], PROMO_ASSIGN_NO_POSITIVE);
	CHECK_INT(s.runner_up[0], 0);
	CHECK_CLOSE(s.runner_up_value[0], 10, 0);
	CHECK_INT(s.runner_up[1], 1);
	CHECK_CLOSE(s.runner_up_value[1], 7, 0);
	CHECK_INT(s.runner_up[2], PROMO_ASSIGN_NONE);
	CHECK_CLOSE(s.r.profit, 14, 0);
	CHECK_CLOSE(s.r.spend, 5, 0);
	CHECK_CLOSE(s.r.lambda_budget, 1, 1e-9);
	CHECK_CLOSE(s.r.dual_bound, 16, 1e-9);
	CHECK_CLOSE(s.r.gap, 2.0 / 16.0, 1e-8);
	CHECK(s.r.converged);
	CHECK(CheckFeasible(&p, &s) == 0 && CheckConsistent(&p, &s) == 0);
	FreeSolved(&s);
}

/*
 * min_roi 1: user 0's 10 at cost 20 is below it, so it gets 3 at cost 1;
 * user 1's only offer is below it; user 2 has no positive value (0 is
 * not positive), user 3 no eligible offer; user 4's two offers of equal
 * value go to the lower index.  No cap: the bound is the profit, 5.
 */
static void
assign_min_roi_and_ties(void)
{
	double		v[10] = {10, 3, 4, NAN, -1, 0, NAN, NAN, 2, 2};
	double		c[10] = {20, 1, 8, NAN, 1, 0, NAN, NAN, 1, 1};
	PromoAssignProblem p = promo_assign_problem(5, 2, v, c, NULL);
	Solved		s;

	p.min_roi = 1;
	s = Solve(&p);
	CHECK_INT(s.offer[0], 1);
	CHECK_INT(s.status[0], PROMO_ASSIGN_DOWNGRADED_MIN_ROI);
	CHECK_INT(s.runner_up[0], PROMO_ASSIGN_NONE);
	CHECK_INT(s.offer[1], PROMO_ASSIGN_NONE);
	CHECK_INT(s.status[1], PROMO_ASSIGN_NONE_MIN_ROI);
	CHECK_INT(s.status[2], PROMO_ASSIGN_NO_POSITIVE);
	CHECK_INT(s.status[3], PROMO_ASSIGN_INELIGIBLE);
	CHECK_INT(s.offer[4], 0);
	CHECK_INT(s.status[4], PROMO_ASSIGN_GIVEN);
	CHECK_INT(s.runner_up[4], 1);
	CHECK_CLOSE(s.r.profit, 5, 0);
	CHECK_CLOSE(s.r.dual_bound, 5, 0);
	CHECK(s.r.gap == 0.0 && s.r.lambda_budget == 0.0);
	CHECK(CheckFeasible(&p, &s) == 0 && CheckConsistent(&p, &s) == 0);
	FreeSolved(&s);
}

/*
 * Two contacts for three users of values 5, 9, 7: users 1 and 2.  The
 * contact multiplier settles at 5, g(5) = 4 + 2 + 2 * 5 = 16 = the profit.
 */
static void
assign_contact_cap(void)
{
	double		v[3] = {5, 9, 7};
	double		c[3] = {1, 1, 1};
	PromoAssignProblem p = promo_assign_problem(3, 1, v, c, NULL);
	Solved		s;

	p.max_contacts = 2;
	s = Solve(&p);
	CHECK_INT(s.offer[0], PROMO_ASSIGN_NONE);
	CHECK_INT(s.offer[1], 0);
	CHECK_INT(s.offer[2], 0);
	CHECK_INT(s.status[0], PROMO_ASSIGN_NONE_CONTACTS);
	CHECK_INT(s.runner_up[0], 0);
	CHECK_CLOSE(s.runner_up_value[0], 5, 0);
	CHECK_CLOSE(s.r.lambda_contacts, 5, 1e-9);
	CHECK_CLOSE(s.r.profit, 16, 0);
	CHECK_CLOSE(s.r.dual_bound, 16, 1e-9);
	CHECK(CheckFeasible(&p, &s) == 0 && CheckConsistent(&p, &s) == 0);
	FreeSolved(&s);
}

/*
 * Offer 0's budget 3: users 0 (6 or 4), 1 (5 or 2.5) cost 2 on offer 0,
 * user 2 (4) costs 1.  Users 1 and 2 on offer 0 and user 0 on offer 1
 * make 13, the LP optimum too (g is 13 for a multiplier in [1, 1.25]).
 */
static void
assign_offer_budget(void)
{
	double		v[6] = {6, 4, 5, 2.5, 4, NAN};
	double		c[6] = {2, 1, 2, 1, 1, NAN};
	double		r[6] = {0.5, 0.4, 0.5, 0.2, 0.6, NAN};
	double		ob[2] = {3, INFINITY};
	PromoAssignProblem p = promo_assign_problem(3, 2, v, c, r);
	Solved		s;

	p.offer_budget = ob;
	s = Solve(&p);
	CHECK_INT(s.offer[0], 1);
	CHECK_INT(s.offer[1], 0);
	CHECK_INT(s.offer[2], 0);
	CHECK_INT(s.status[0], PROMO_ASSIGN_DOWNGRADED_OFFER_BUDGET);
	CHECK_INT(s.status[1], PROMO_ASSIGN_GIVEN);
	CHECK_CLOSE(s.r.profit, 13, 0);
	CHECK_CLOSE(s.r.dual_bound, 13, 1e-9);
	CHECK(s.offers[PROMO_ASSIGN_O_LAMBDA_BUDGET] >= 1.0 - 1e-9 &&
		  s.offers[PROMO_ASSIGN_O_LAMBDA_BUDGET] <= 1.25 + 1e-9);
	CHECK_CLOSE(s.offers[PROMO_ASSIGN_O_USERS], 2, 0);
	CHECK_CLOSE(s.offers[PROMO_ASSIGN_OFFER_FIELDS + PROMO_ASSIGN_O_PROFIT], 4, 0);
	CHECK(CheckFeasible(&p, &s) == 0 && CheckConsistent(&p, &s) == 0);
	FreeSolved(&s);
}

/*
 * Offer 0 may redeem 1: user 0 (3, redeem 0.6) keeps it, user 1 (2,
 * redeem 0.5) gets offer 1 (1, redeem 0.1); user 2 (offer 0 only: 1.5,
 * redeem 0.5) none.  The LP fills the cap with user 2 (1.5 per 0.5,
 * after users 0 and 1 on offer 1): multiplier 3 and
 * g(3) = (3 - 1.8) + max(2 - 1.5, 1) + max(1.5 - 1.5, 0) + 3 = 5.2.
 */
static void
assign_redemption_cap(void)
{
	double		v[6] = {3, NAN, 2, 1, 1.5, NAN};
	double		c[6] = {1, NAN, 1, 1, 1, NAN};
	double		r[6] = {0.6, NAN, 0.5, 0.1, 0.5, NAN};
	double		cap[2] = {1.0, INFINITY};
	PromoAssignProblem p = promo_assign_problem(3, 2, v, c, r);
	Solved		s;

	p.offer_redemptions = cap;
	s = Solve(&p);
	CHECK_INT(s.offer[0], 0);
	CHECK_INT(s.offer[1], 1);
	CHECK_INT(s.offer[2], PROMO_ASSIGN_NONE);
	CHECK_INT(s.status[1], PROMO_ASSIGN_DOWNGRADED_REDEMPTIONS);
	CHECK_INT(s.status[2], PROMO_ASSIGN_NONE_REDEMPTIONS);
	CHECK_CLOSE(s.r.profit, 4, 0);
	CHECK_CLOSE(s.offers[PROMO_ASSIGN_O_LAMBDA_REDEMPTIONS], 3, 1e-9);
	CHECK_CLOSE(s.r.dual_bound, 5.2, 1e-9);
	CHECK(CheckFeasible(&p, &s) == 0 && CheckConsistent(&p, &s) == 0);
	FreeSolved(&s);
}

/*
 * 5000 identical users (value 2 at cost 1) and a budget of 1234.5: the
 * first 1234 users get the offer, the others none:budget; the LP takes
 * half a user more (2469) at the budget's multiplier 2, where every user
 * switches at once: the bisection settles that in a few passes, not 40.
 */
static void
assign_identical_users(void)
{
	size_t		n = 5000;
	double	   *v = unit_alloc(sizeof(double) * n);
	double	   *c = unit_alloc(sizeof(double) * n);
	PromoAssignProblem p;
	Solved		s;
	size_t		given = 0;

	for (size_t i = 0; i < n; i++)
	{
		v[i] = 2;
		c[i] = 1;
	}
	p = promo_assign_problem(n, 1, v, c, NULL);
	p.budget = 1234.5;
	s = Solve(&p);
	for (size_t i = 0; i < n; i++)
	{
		given += s.offer[i] == 0;
		if (!CHECK_INT(s.offer[i], i < 1234 ? 0 : PROMO_ASSIGN_NONE) ||
			!CHECK_INT(s.status[i], i < 1234 ? PROMO_ASSIGN_GIVEN : PROMO_ASSIGN_NONE_BUDGET))
			break;
	}
	CHECK_INT(given, 1234);
	CHECK_CLOSE(s.r.profit, 2468, 0);
	CHECK_CLOSE(s.r.lambda_budget, 2, 1e-9);
	CHECK_CLOSE(s.r.dual_bound, 2469, 1e-9);
	CHECK(s.r.passes < 20);
	CHECK(CheckFeasible(&p, &s) == 0 && CheckConsistent(&p, &s) == 0);
	FreeSolved(&s);
	free(v);
	free(c);
}

/* ---- random instances ---- */

/* A problem with its own arrays. */
typedef struct Instance
{
	PromoAssignProblem p;
	double	   *v;
	double	   *c;
	double	   *r;
	double	   *offer_budget;
	double	   *offer_redemptions;
} Instance;

/* Free an instance's arrays. */
static void
FreeInstance(Instance *in)
{
	free(in->v);
	free(in->c);
	free(in->r);
	free(in->offer_budget);
	free(in->offer_redemptions);
}

/*
 * Use of the unconstrained choice (each user's usable offer of largest
 * value): spend, contacts, per-offer spend and redemptions.
 */
static void
UnconstrainedUse(const PromoAssignProblem *p, double *spend, double *contacts,
				 double *ospend, double *ored)
{
	*spend = *contacts = 0.0;
	memset(ospend, 0, sizeof(double) * p->m);
	memset(ored, 0, sizeof(double) * p->m);
	for (size_t i = 0; i < p->n; i++)
	{
		int			best = -1;

		for (int j = 0; j < p->m; j++)
			if (IsUsable(p, i, j) && (best < 0 || p->value[i * p->m + j] > p->value[i * p->m + best]))
				best = j;
		if (best < 0)
			continue;
		*spend += p->cost[i * p->m + best];
		*contacts += 1.0;
		ospend[best] += p->cost[i * p->m + best];
		ored[best] += RedeemOf(p, i, best);
	}
}

/* A random cap: none, or a random share (sometimes tiny) of a use. */
static double
RandomCap(uint64_t *rng, double use, bool whole)
{
	double		u = unit_uniform(rng, 0, 1);
	double		cap;

	if (u < 0.4 || use <= 0.0)
		return INFINITY;
	cap = u < 0.5 ? use * 1e-3 : use * unit_uniform(rng, 0.05, 1.2);
	if (whole)
		cap = floor(cap);
	return cap > 0.0 ? cap : 1.0;
}

/*
 * A random instance: 85% of the pairs eligible, values in [-2, 10) (half
 * the instances rounded to whole numbers, so that ties abound), costs in
 * [0, 5) (some 0), redemptions in [0, 1), random caps and min_roi.
 */
static Instance
RandomInstance(uint64_t *rng, size_t n, int m)
{
	Instance	in;
	size_t		nm = n * (size_t) m;
	bool		whole = unit_uniform(rng, 0, 1) < 0.5;
	double		spend, contacts;

	memset(&in, 0, sizeof(in));
	in.v = unit_alloc(sizeof(double) * nm);
	in.c = unit_alloc(sizeof(double) * nm);
	in.r = unit_alloc(sizeof(double) * nm);
	in.offer_budget = unit_alloc(sizeof(double) * m);
	in.offer_redemptions = unit_alloc(sizeof(double) * m);
	for (size_t a = 0; a < nm; a++)
	{
		double		v = unit_uniform(rng, -2, 10);
		double		c = unit_uniform(rng, 0, 1) < 0.1 ? 0.0 : unit_uniform(rng, 0, 5);

		in.v[a] = unit_uniform(rng, 0, 1) < 0.15 ? NAN : whole ? floor(v) : v;
		in.c[a] = whole ? floor(c) : c;
		in.r[a] = unit_uniform(rng, 0, 1);
	}
	in.p = promo_assign_problem(n, m, in.v, in.c, in.r);
	in.p.min_roi = unit_uniform(rng, 0, 1) < 0.5 ? 0.0 : unit_uniform(rng, 0, 2);
	UnconstrainedUse(&in.p, &spend, &contacts, in.offer_budget, in.offer_redemptions);
	in.p.budget = RandomCap(rng, spend, false);
	in.p.max_contacts = RandomCap(rng, contacts, true);
	for (int j = 0; j < m; j++)
	{
		in.offer_budget[j] = RandomCap(rng, in.offer_budget[j], false);
		in.offer_redemptions[j] = RandomCap(rng, in.offer_redemptions[j], false);
	}
	in.p.offer_budget = in.offer_budget;
	in.p.offer_redemptions = in.offer_redemptions;
	return in;
}

/* Is the assignment offer[] within every cap? Its profit in *profit. */
static bool
Feasible(const PromoAssignProblem *p, const int *offer, double *profit)
{
	double		spend = 0.0;
	double		contacts = 0.0;
	double		ospend[4] = {0};
	double		ored[4] = {0};

	*profit = 0.0;
	for (size_t i = 0; i < p->n; i++)
	{
		int			o = offer[i];

		if (o < 0)
			continue;
		spend += p->cost[i * p->m + o];
		contacts += 1.0;
		ospend[o] += p->cost[i * p->m + o];
		ored[o] += RedeemOf(p, i, o);
		*profit += p->value[i * p->m + o];
	}
	if (spend > p->budget || contacts > p->max_contacts)
		return false;
	for (int j = 0; j < p->m; j++)
		if (ospend[j] > p->offer_budget[j] || ored[j] > p->offer_redemptions[j])
			return false;
	return true;
}

/* The best feasible profit of users i.. given the choices before (exhaustive). */
static double
BestProfit(const PromoAssignProblem *p, int *offer, size_t i)
{
	double		best = -INFINITY;

	if (i == p->n)
	{
		double		profit;

		return Feasible(p, offer, &profit) ? profit : -INFINITY;
	}
	for (int o = -1; o < p->m; o++)
	{
		if (o >= 0 && !IsUsable(p, i, o))
			continue;
		offer[i] = o;
		best = fmax(best, BestProfit(p, offer, i + 1));
	}
	return best;
}

/*
 * Tiny random instances against exhaustive search: the plan is feasible
 * and no better than the optimum, and the dual bound is at least the
 * optimum.
 */
static void
assign_exhaustive(void)
{
	uint64_t	rng = 20251;

	for (int t = 0; t < 400; t++)
	{
		size_t		n = 1 + (size_t) unit_uniform(&rng, 0, 6);
		int			m = 1 + (int) unit_uniform(&rng, 0, 3);
		Instance	in = RandomInstance(&rng, n, m);
		int			offer[6];
		double		best = BestProfit(&in.p, offer, 0);
		Solved		s = Solve(&in.p);

		if (CheckFeasible(&in.p, &s) + CheckConsistent(&in.p, &s) > 0 ||
			!CHECK(s.r.profit <= best + 1e-9 * fabs(best)) ||
			!CHECK(s.r.dual_bound >= best - 1e-9 * fabs(best)))
			printf("  exhaustive instance %d: n %zu m %d profit %.17g best %.17g bound %.17g\n",
				   t, n, m, s.r.profit, best, s.r.dual_bound);
		FreeSolved(&s);
		FreeInstance(&in);
	}
}

/*
 * Random instances of up to 3000 users and 8 offers: every cap holds,
 * outputs are consistent, and a second solve gives the same plan.
 */
static void
assign_random_feasible(void)
{
	uint64_t	rng = 77;

	for (int t = 0; t < 150; t++)
	{
		size_t		n = 1 + (size_t) unit_uniform(&rng, 0, t < 100 ? 300 : 3000);
		int			m = 1 + (int) unit_uniform(&rng, 0, 8);
		Instance	in = RandomInstance(&rng, n, m);
		Solved		a = Solve(&in.p);
		Solved		b = Solve(&in.p);

		if (CheckFeasible(&in.p, &a) + CheckConsistent(&in.p, &a) > 0 ||
			!CHECK(memcmp(a.offer, b.offer, sizeof(int32_t) * n) == 0 &&
				   memcmp(a.status, b.status, n) == 0 &&
				   memcmp(a.runner_up, b.runner_up, sizeof(int32_t) * n) == 0 &&
				   a.r.dual_bound == b.r.dual_bound))
			printf("  random instance %d: n %zu m %d\n", t, n, m);
		FreeSolved(&a);
		FreeSolved(&b);
		FreeInstance(&in);
	}
}

/* ---- LP optima from HiGHS ---- */

/* splitmix64's output function (the fixture generator's formula). */
static uint64_t
SplitMix64(uint64_t x)
{
	uint64_t	z = x + UINT64_C(0x9E3779B97F4A7C15);

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* u_f of the fixture formula for user i and offer j. */
static double
FormulaUniform(uint64_t seed, size_t i, int j, int f)
{
	uint64_t	key = ((seed * UINT64_C(1000003) + i) * 64 + (uint64_t) j) * 8 + (uint64_t) f;

	return (double) (SplitMix64(key) >> 11) * 0x1p-53;
}

/* Fixture instance name: its arrays by the formula, its caps from lp.csv. */
static Instance
FixtureInstance(const char *name)
{
	Instance	in;
	char		key[128];
	size_t		n;
	int			m;
	uint64_t	seed;
	size_t		types;

	memset(&in, 0, sizeof(in));
	snprintf(key, sizeof(key), "%s,n", name);
	n = (size_t) fixture_value_at(LP_FIXTURE, key);
	snprintf(key, sizeof(key), "%s,m", name);
	m = (int) fixture_value_at(LP_FIXTURE, key);
	snprintf(key, sizeof(key), "%s,seed", name);
	seed = (uint64_t) fixture_value_at(LP_FIXTURE, key);
	snprintf(key, sizeof(key), "%s,types", name);
	types = (size_t) fixture_value_at(LP_FIXTURE, key);
	in.v = unit_alloc(sizeof(double) * n * m);
	in.c = unit_alloc(sizeof(double) * n * m);
	in.r = unit_alloc(sizeof(double) * n * m);
	in.offer_budget = unit_alloc(sizeof(double) * m);
	in.offer_redemptions = unit_alloc(sizeof(double) * m);
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < m; j++)
		{
			/* with types, user i has the offers of user "its type" */
			size_t		u = types > 0 ? (size_t) floor(FormulaUniform(seed, i, 0, 7) * types) : i;
			double		p = 0.02 + 0.25 * FormulaUniform(seed, u, j, 1);
			double		face = (1.0 + j) * (2.0 + 3.0 * FormulaUniform(seed, u, j, 2));
			double		basket = 40.0 + 60.0 * FormulaUniform(seed, u, j, 3);
			double		p0 = p * (0.3 + 0.6 * FormulaUniform(seed, u, j, 4));
			size_t		a = i * m + j;

			in.v[a] = p * (0.3 * basket - face) - p0 * (0.3 * basket);
			in.c[a] = p * face;
			in.r[a] = p;
			if (FormulaUniform(seed, u, j, 0) < 0.1)
				in.v[a] = NAN;
		}
	in.p = promo_assign_problem(n, m, in.v, in.c, in.r);
	snprintf(key, sizeof(key), "%s,min_roi", name);
	in.p.min_roi = fixture_value_at(LP_FIXTURE, key);
	snprintf(key, sizeof(key), "%s,budget", name);
	in.p.budget = fixture_value_at(LP_FIXTURE, key);
	snprintf(key, sizeof(key), "%s,max_contacts", name);
	in.p.max_contacts = fixture_value_at(LP_FIXTURE, key);
	for (int j = 0; j < m; j++)
	{
		snprintf(key, sizeof(key), "%s,offer_budget,%d", name, j);
		in.offer_budget[j] = fixture_value_or(LP_FIXTURE, key, INFINITY);
		snprintf(key, sizeof(key), "%s,offer_redemptions,%d", name, j);
		in.offer_redemptions[j] = fixture_value_or(LP_FIXTURE, key, INFINITY);
	}
	in.p.offer_budget = in.offer_budget;
	in.p.offer_redemptions = in.offer_redemptions;
	return in;
}

/*
 * One fixture instance: feasible; the dual bound is at least the LP
 * optimum and the profit at most the LP (and integer) optimum; from 5,000
 * users on, the profit is within 0.1% of the LP optimum and the dual bound
 * within 0.01%.
 */
static void
CheckAgainstLp(const char *name)
{
	Instance	in = FixtureInstance(name);
	char		key[128];
	double		lp;
	double		mip;
	Solved		s;

	snprintf(key, sizeof(key), "%s,lp_objective", name);
	lp = fixture_value_at(LP_FIXTURE, key);
	snprintf(key, sizeof(key), "%s,mip_objective", name);
	mip = fixture_value_or(LP_FIXTURE, key, NAN);
	s = Solve(&in.p);
	CHECK(CheckFeasible(&in.p, &s) == 0 && CheckConsistent(&in.p, &s) == 0);
	CHECK(s.r.dual_bound >= lp * (1.0 - 1e-9));
	CHECK(s.r.profit <= lp * (1.0 + 1e-9));
	if (!isnan(mip))
		CHECK(s.r.profit <= mip * (1.0 + 1e-12));
	if (in.p.n >= 5000)
	{
		if (!CHECK((lp - s.r.profit) / lp < 1e-3) || !CHECK((s.r.dual_bound - lp) / lp < 1e-4))
			printf("  %s: profit %.17g, dual bound %.17g, LP %.17g\n", name, s.r.profit,
				   s.r.dual_bound, lp);
		CHECK(s.interrupts > 0);
	}
	FreeSolved(&s);
	FreeInstance(&in);
}

/* The small and medium fixtures (integer optima for the small ones). */
static void
assign_lp_small(void)
{
	CheckAgainstLp("tiny");
	CheckAgainstLp("small");
	CheckAgainstLp("medium");
}

/* 10,000 users x 8 offers under a budget: within 0.1% of the LP optimum. */
static void
assign_lp_large(void)
{
	CheckAgainstLp("large");
}

/* 10,000 x 8 with budget, contacts, an offer budget, a redemption cap, min ROI. */
static void
assign_lp_large_caps(void)
{
	CheckAgainstLp("large_caps");
}

/*
 * 5,000 users of 10 kinds (identical within a kind) and 3 offers under a
 * budget and offer 1's budget.  "tied": at g's minimum whole kinds are
 * tied, and the plan filled in user order left offer 1's budget unused
 * (29% below the LP optimum): the plan rounded from the smoothed dual's
 * soft choices splits the kinds as the LP does.  "tied_bound": coordinate
 * descent stopped at a kink 3.7% above the LP optimum: the second start
 * from the smoothed dual closes the bound.
 */
static void
assign_lp_tied(void)
{
	CheckAgainstLp("tied");
	CheckAgainstLp("tied_bound");
}

/* 100,000 x 8: the multipliers start from a sample; within 0.1% of the LP. */
static void
assign_lp_sampled(void)
{
	CheckAgainstLp("sampled");
}

/* ---- settings ---- */

/* Settings out of range are named; entries outside the domain are found. */
static void
assign_invalid_settings(void)
{
	double		v[2] = {1, 2};
	double		c[2] = {1, 1};
	double		caps[2] = {1, 0};
	PromoAssignProblem p = promo_assign_problem(1, 2, v, c, NULL);
	PromoAssignProblem q;

	CHECK(promo_assign_invalid(&p) == NULL);
	q = p;
	q.budget = 0;
	CHECK(strcmp(promo_assign_invalid(&q), "budget") == 0);
	q = p;
	q.max_contacts = NAN;
	CHECK(strcmp(promo_assign_invalid(&q), "max_contacts") == 0);
	q = p;
	q.offer_budget = caps;
	CHECK(strcmp(promo_assign_invalid(&q), "offer_budget") == 0);
	q = p;
	q.offer_redemptions = caps;
	CHECK(strcmp(promo_assign_invalid(&q), "offer_redemptions") == 0);
	q = p;
	q.min_roi = -1;
	CHECK(strcmp(promo_assign_invalid(&q), "min_roi") == 0);
	q = p;
	q.max_iter = 0;
	CHECK(strcmp(promo_assign_invalid(&q), "max_iter") == 0);
	q = p;
	q.tol = 0;
	CHECK(strcmp(promo_assign_invalid(&q), "tol") == 0);
	q = p;
	q.m = 0;
	CHECK(strcmp(promo_assign_invalid(&q), "m") == 0);
	CHECK_INT(promo_assign_bad_entry(NAN, NAN, NAN), 0);
	CHECK_INT(promo_assign_bad_entry(-5, 0, 0), 0);
	CHECK_INT(promo_assign_bad_entry(INFINITY, 0, 0), 1);
	CHECK_INT(promo_assign_bad_entry(2e15, 0, 0), 1);
	CHECK_INT(promo_assign_bad_entry(1, -1, 0), 2);
	CHECK_INT(promo_assign_bad_entry(1, NAN, 0), 2);
	CHECK_INT(promo_assign_bad_entry(1, 1, INFINITY), 3);
	CHECK(strcmp(promo_assign_status_name(PROMO_ASSIGN_NONE_CONTACTS), "none:contacts") == 0);
	CHECK(strcmp(promo_assign_status_name(PROMO_ASSIGN_STATUS_COUNT), "unknown") == 0);
}

/* No users: an empty plan with a zero bound. */
static void
assign_no_users(void)
{
	PromoAssignProblem p = promo_assign_problem(0, 3, NULL, NULL, NULL);
	Solved		s;

	p.budget = 10;
	s = Solve(&p);
	CHECK(s.r.profit == 0.0 && s.r.spend == 0.0 && s.r.dual_bound == 0.0 && s.r.gap == 0.0);
	FreeSolved(&s);
}

const UnitTest unit_assign_tests[] = {
	UNIT_TEST(assign_by_hand),
	UNIT_TEST(assign_min_roi_and_ties),
	UNIT_TEST(assign_contact_cap),
	UNIT_TEST(assign_offer_budget),
	UNIT_TEST(assign_redemption_cap),
	UNIT_TEST(assign_identical_users),
	UNIT_TEST(assign_exhaustive),
	UNIT_TEST(assign_random_feasible),
	UNIT_TEST(assign_lp_small),
	UNIT_TEST(assign_lp_large),
	UNIT_TEST(assign_lp_large_caps),
	UNIT_TEST(assign_lp_sampled),
	UNIT_TEST(assign_lp_tied),
	UNIT_TEST(assign_invalid_settings),
	UNIT_TEST(assign_no_users),
	{NULL, NULL}
};
