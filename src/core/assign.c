/*
 * assign.c
 *		The multiple-choice knapsack of assign.h: coordinate descent on the
 *		Lagrangian dual with a bisection per multiplier, Newton steps from a
 *		sample, a second start from a smoothed dual, greedy repair and fill.
 *
 * Constraints are numbered c = 0 (total budget), 1 (contacts), 2 + j (the
 * budget of offer j) and 2 + m + j (the redemption cap of offer j); an
 * infinite cap is inactive and its multiplier stays 0.  The prices of
 * offer j are then lambda_0 + lambda_{2+j} per unit of cost, lambda_{2+m+j}
 * per redemption and lambda_1 per contact.
 */
#include "assign.h"

#include <float.h>
#include <lapack.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define C_BUDGET 0
#define C_CONTACTS 1
#define C_OFFER_BUDGET(j) (2 + (j))
#define C_REDEMPTIONS(m, j) (2 + (m) + (j))

/*
 * Probes that bracket a multiplier's minimizer: the first where the last
 * secant seen for that constraint meets the cap (or 2^-10 of the multiplier
 * away), the next where the secant through the last two probes does,
 * overshot by a quarter (at most 8 times the last step), up to MAX_PROBES
 * before the fallback (0, or the clearing multiplier).  A bisection keeps
 * its bracket's secant as the constraint's slope while the bracket is
 * wider than SLOPE_WIDTH of its top.
 */
#define FIRST_PROBE 0x1p-10
#define SLOPE_WIDTH 0.01
#define MAX_PROBES 6
#define OVERSHOOT 1.25

/* Bisection stops when the bracket is narrower than this share of its top. */
#define BISECT_REL 1e-12
#define BISECT_MAX_STEPS 200

/* How far beyond the users' switches a narrowed bracket ends (of its top). */
#define NARROW_MARGIN 1e-13

/* No multiplier grows beyond this (inputs are at most 1e15, caps 1e18). */
#define MAX_MULTIPLIER 1e200

/*
 * Newton steps on the full data: at most this many binding constraints and
 * steps, the Jacobian from forward differences of this relative size on
 * the sample, stopping once the use is within this share of the caps.
 */
#define NEWTON_MAX_DIM 16
#define NEWTON_STEPS 6
#define JACOBIAN_STEP 0.02
#define NEWTON_RESIDUAL 1e-5

/*
 * The smoothed dual (see Smooth): temperatures from SMOOTH_FIRST of the
 * users' mean best value down by SMOOTH_FACTOR, SMOOTH_LEVELS of them, at
 * most SMOOTH_STEPS Newton steps each, converged when the gradient of
 * every free multiplier is within SMOOTH_GTOL of its cap.
 */
#define SMOOTH_LEVELS 3
#define SMOOTH_FIRST 0.1
#define SMOOTH_FACTOR 0.1
#define SMOOTH_STEPS 20
#define SMOOTH_GTOL 1e-6

/*
 * A plan farther than this below g at its multipliers has the multipliers
 * searched again, from the smoothed dual (see SecondStart).
 */
#define RETRY_GAP 1e-4

/* frac(n x this) for n = 1, 2, ...: points spread evenly over [0, 1). */
#define GOLDEN_RATIO_SHARE 0.6180339887498949

/* Candidates the fill takes per round at most. */
#define FILL_TOP 1024

/* User evaluations between two calls of the interrupt hook. */
#define INTERRUPT_EVERY 16384

/* A move of one user considered by the repair or the fill. */
typedef struct Candidate
{
	double		key;			/* sorted ascending */
	uint32_t	user;
	int32_t		option;
} Candidate;

typedef struct Solver
{
	const PromoAssignProblem *p;
	int			m;
	int			k;				/* constraints: 2 + 2m */
	/* the users solved: position q is user first + q * stride */
	size_t		first;
	size_t		stride;
	size_t		count;
	double		share;			/* count / n, the caps' scale */
	double		tol;
	double	   *lambda;			/* k multipliers */
	double	   *cap;			/* k caps, scaled by share */
	double	   *usage;			/* k: resource use of the choices cur */
	double	   *dirty;			/* k: 1 when another multiplier moved since
								 * this one was last set */
	double	   *slope;			/* k: the last secant dU_c / dlambda_c seen,
								 * per user (0: none yet) */
	double	   *pos;			/* k: a constraint's place among those the
								 * smoothed dual works on, or -1 */
	double	   *kept_lambda;	/* k: the multipliers of a plan kept aside */
	double	   *soft_lambda;	/* k: the smoothed dual's minimum */
	double	   *price_cost;		/* m */
	double	   *price_redeem;	/* m */
	double		price_contact;
	double	   *jacobian;		/* NEWTON_MAX_DIM^2: dU/dlambda, or the
								 * smoothed dual's Hessian */
	double	   *newton;			/* NEWTON_MAX_DIM^2 + 2 NEWTON_MAX_DIM:
								 * LAPACK's matrix, right-hand side, pivots */
	int32_t    *cur;			/* count: choices at lambda */
	int32_t    *kept;			/* count: the choices of a plan kept aside */
	int32_t    *lo_ch;			/* count each: choices at the ends of a */
	int32_t    *hi_ch;			/* bracket and at its middle */
	int32_t    *mid_ch;
	uint32_t   *list;			/* count: positions a line search evaluates */
	Candidate  *candidates;		/* n, sharing the memory of the four above */
	double		value;			/* value of the choices cur */
	bool		priced_redeem;	/* some redemption cap is active */
	double		evaluations;
	unsigned	since_interrupt;
	const PromoAssignHooks *hooks;
} Solver;

/* ---- names, defaults and checks ------------------------------------------ */

static const char *const status_names[PROMO_ASSIGN_STATUS_COUNT] = {
	"given", "none:ineligible", "none:no_positive_value", "none:budget",
	"none:contacts", "none:offer_budget", "none:offer_redemptions",
	"none:min_roi", "downgraded:budget", "downgraded:offer_budget",
	"downgraded:offer_redemptions", "downgraded:min_roi"
};

/* The status's name. */
const char *
promo_assign_status_name(int status)
{
	if (status < 0 || status >= PROMO_ASSIGN_STATUS_COUNT)
		return "unknown";
	return status_names[status];
}

/* A problem without caps and with the default settings. */
PromoAssignProblem
promo_assign_problem(size_t n, int m, const double *value, const double *cost,
					 const double *redeem)
{
	PromoAssignProblem p;

	memset(&p, 0, sizeof(p));
	p.n = n;
	p.m = m;
	p.value = value;
	p.cost = cost;
	p.redeem = redeem;
	p.budget = INFINITY;
	p.max_contacts = INFINITY;
	p.min_roi = 0.0;
	p.max_iter = PROMO_ASSIGN_DEFAULT_MAX_ITER;
	p.tol = PROMO_ASSIGN_DEFAULT_TOL;
	return p;
}

/* Is a cap valid: in (0, PROMO_ASSIGN_MAX_CAP] or infinite? */
static bool
ValidCap(double cap)
{
	return cap == INFINITY || (cap > 0.0 && cap <= PROMO_ASSIGN_MAX_CAP);
}

/* Are the m caps of an array (or NULL) valid? */
static bool
ValidCaps(const double *caps, int m)
{
	for (int j = 0; caps != NULL && j < m; j++)
		if (!ValidCap(caps[j]))
			return false;
	return true;
}

/* Name of the first setting out of range, or NULL. */
const char *
promo_assign_invalid(const PromoAssignProblem *p)
{
	if (p->m < 1 || p->m > PROMO_ASSIGN_MAX_OFFERS)
		return "m";
	if (p->n > PROMO_ASSIGN_MAX_USERS)
		return "n";
	if (!ValidCap(p->budget))
		return "budget";
	if (!ValidCap(p->max_contacts))
		return "max_contacts";
	if (!ValidCaps(p->offer_budget, p->m))
		return "offer_budget";
	if (!ValidCaps(p->offer_redemptions, p->m))
		return "offer_redemptions";
	if (!(p->min_roi >= 0.0 && p->min_roi <= PROMO_ASSIGN_MAX_MAGNITUDE))
		return "min_roi";
	if (p->max_iter < 1 || p->max_iter > PROMO_ASSIGN_MAX_MAX_ITER)
		return "max_iter";
	if (!(p->tol > 0.0 && p->tol <= PROMO_ASSIGN_MAX_TOL))
		return "tol";
	return NULL;
}

/* Which entry is outside the solver's domain: 0 none, 1 v, 2 c, 3 r. */
int
promo_assign_bad_entry(double v, double c, double r)
{
	if (isnan(v))
		return 0;
	if (!(fabs(v) <= PROMO_ASSIGN_MAX_MAGNITUDE))
		return 1;
	if (!(c >= 0.0 && c <= PROMO_ASSIGN_MAX_MAGNITUDE))
		return 2;
	if (!(r >= 0.0 && r <= PROMO_ASSIGN_MAX_MAGNITUDE))
		return 3;
	return 0;
}

/* Doubles of the solver's small arrays for m offers. */
static size_t
SmallDoubles(int m)
{
	size_t		k = 2 + 2 * (size_t) m;

	return 8 * k + 2 * (size_t) m +
		2 * NEWTON_MAX_DIM * NEWTON_MAX_DIM + 2 * NEWTON_MAX_DIM;
}

/* Bytes of work space. */
size_t
promo_assign_work_bytes(size_t n, int m)
{
	return sizeof(double) * SmallDoubles(m) + sizeof(Candidate) * n +
		2 * sizeof(int32_t) * n;
}

/* ---- users, offers and resources ----------------------------------------- */

/* The user at position q of the users being solved. */
static inline size_t
UserAt(const Solver *s, size_t q)
{
	return s->first + q * s->stride;
}

/* Can offer j of value v and cost c be given: positive, at least min ROI? */
static inline bool
Usable(double v, double c, double min_roi)
{
	return v > 0.0 && v >= min_roi * c;
}

/* Where user i's offers start in the arrays: its row times m. */
static inline size_t
At(const Solver *s, size_t i)
{
	return (s->p->order != NULL ? (size_t) s->p->order[i] : i) * (size_t) s->m;
}

/* Value of offer o for user i (0 for none). */
static inline double
Value(const Solver *s, size_t i, int o)
{
	return o < 0 ? 0.0 : s->p->value[At(s, i) + o];
}

/* Cost of offer o for user i (0 for none). */
static inline double
Cost(const Solver *s, size_t i, int o)
{
	return o < 0 ? 0.0 : s->p->cost[At(s, i) + o];
}

/* Redemptions of offer o for user i (0 for none or without redeem). */
static inline double
Redeem(const Solver *s, size_t i, int o)
{
	return o < 0 || s->p->redeem == NULL ? 0.0 : s->p->redeem[At(s, i) + o];
}

/* Is offer o usable for user i? */
static inline bool
UsableFor(const Solver *s, size_t i, int o)
{
	return Usable(Value(s, i, o), Cost(s, i, o), s->p->min_roi);
}

/* Resource c that offer o uses for user i. */
static inline double
Use(const Solver *s, size_t i, int o, int c)
{
	int			m = s->m;

	if (o < 0)
		return 0.0;
	if (c == C_BUDGET)
		return Cost(s, i, o);
	if (c == C_CONTACTS)
		return 1.0;
	if (c < 2 + m)
		return c - 2 == o ? Cost(s, i, o) : 0.0;
	return c - 2 - m == o ? Redeem(s, i, o) : 0.0;
}

/* Add (sign 1) or remove (-1) the resources offer o uses for user i. */
static inline void
AddUse(Solver *s, size_t i, int o, double sign)
{
	double		c;
	double		r;

	if (o < 0)
		return;
	c = Cost(s, i, o);
	r = Redeem(s, i, o);
	s->value += sign * Value(s, i, o);
	s->usage[C_BUDGET] += sign * c;
	s->usage[C_CONTACTS] += sign;
	s->usage[C_OFFER_BUDGET(o)] += sign * c;
	s->usage[C_REDEMPTIONS(s->m, o)] += sign * r;
}

/* Is constraint c active (a finite cap)? */
static inline bool
Active(const Solver *s, int c)
{
	return isfinite(s->cap[c]);
}

/*
 * The constraints whose use can change when user i moves from offer o to
 * offer j (either may be none), in the order budget, contacts, j's budget,
 * j's redemptions, o's budget, o's redemptions; returns how many.
 */
static int
Affected(const Solver *s, int o, int j, int *out)
{
	int			n = 0;
	int			m = s->m;

	if (o == j)
		return 0;
	out[n++] = C_BUDGET;
	if (o < 0 || j < 0)
		out[n++] = C_CONTACTS;
	if (j >= 0)
	{
		out[n++] = C_OFFER_BUDGET(j);
		out[n++] = C_REDEMPTIONS(m, j);
	}
	if (o >= 0)
	{
		out[n++] = C_OFFER_BUDGET(o);
		out[n++] = C_REDEMPTIONS(m, o);
	}
	return n;
}

/* Would moving user i from o to j keep every active cap? */
static bool
Fits(const Solver *s, size_t i, int o, int j)
{
	int			cs[6];
	int			nc = Affected(s, o, j, cs);

	for (int a = 0; a < nc; a++)
	{
		int			c = cs[a];

		if (Active(s, c) &&
			s->usage[c] - Use(s, i, o, c) + Use(s, i, j, c) > s->cap[c])
			return false;
	}
	return true;
}

/* ---- prices and choices -------------------------------------------------- */

/* Count one user evaluation; call the interrupt hook now and then. */
static inline void
Tick(Solver *s)
{
	s->evaluations += 1.0;
	if (++s->since_interrupt >= INTERRUPT_EVERY)
	{
		s->since_interrupt = 0;
		if (s->hooks != NULL && s->hooks->interrupt != NULL)
			s->hooks->interrupt(s->hooks->ctx);
	}
}

/* Offer prices from the multipliers. */
static void
SetPrices(Solver *s)
{
	int			m = s->m;

	for (int j = 0; j < m; j++)
	{
		s->price_cost[j] = s->lambda[C_BUDGET] + s->lambda[C_OFFER_BUDGET(j)];
		s->price_redeem[j] = s->lambda[C_REDEMPTIONS(m, j)];
	}
	s->price_contact = s->lambda[C_CONTACTS];
}

/* Adjusted score of offer o for user i at the current prices (none: 0). */
static double
Score(const Solver *s, size_t i, int o)
{
	double		sc;

	if (o < 0)
		return 0.0;
	sc = Value(s, i, o) - s->price_cost[o] * Cost(s, i, o) - s->price_contact;
	if (s->priced_redeem)
		sc -= s->price_redeem[o] * Redeem(s, i, o);
	return sc;
}

/*
 * User i's usable offer of largest positive adjusted score (the lower
 * index on ties), or none; *score is its score (0 for none).
 */
static int
Choose(Solver *s, size_t i, double *score)
{
	const PromoAssignProblem *p = s->p;
	int			m = s->m;
	size_t		at = At(s, i);
	const double *v = p->value + at;
	const double *c = p->cost + at;
	const double *r = s->priced_redeem ? p->redeem + at : NULL;
	int			best = PROMO_ASSIGN_NONE;
	double		best_score = 0.0;

	for (int j = 0; j < m; j++)
	{
		double		sc;

		if (!Usable(v[j], c[j], p->min_roi))
			continue;
		sc = v[j] - s->price_cost[j] * c[j] - s->price_contact;
		if (r != NULL)
			sc -= s->price_redeem[j] * r[j];
		if (sc > best_score)
		{
			best_score = sc;
			best = j;
		}
	}
	Tick(s);
	*score = best_score;
	return best;
}

/* Every user's choice and the resource use at the current multipliers; g. */
static double
FullPass(Solver *s)
{
	double		total = 0.0;

	SetPrices(s);
	memset(s->usage, 0, sizeof(double) * s->k);
	s->value = 0.0;
	for (size_t q = 0; q < s->count; q++)
	{
		size_t		i = UserAt(s, q);
		double		sc;

		s->cur[q] = Choose(s, i, &sc);
		total += sc;
		AddUse(s, i, s->cur[q], 1.0);
	}
	for (int c = 0; c < s->k; c++)
		if (Active(s, c))
			total += s->lambda[c] * s->cap[c];
	return total;
}

/* ---- one multiplier: bracket and bisection ------------------------------- */

/*
 * Choices of the listed positions with multiplier c at t, into out; their
 * total use of resource c.
 */
static double
EvaluateAt(Solver *s, int c, double t, size_t nlist, int32_t *out)
{
	double		u = 0.0;

	s->lambda[c] = t;
	SetPrices(s);
	for (size_t a = 0; a < nlist; a++)
	{
		size_t		q = s->list[a];
		size_t		i = UserAt(s, q);
		double		sc;

		out[q] = Choose(s, i, &sc);
		u += Use(s, i, out[q], c);
	}
	return u;
}

/* Copy the choices of the listed positions from one array to another. */
static void
CopyChoices(const Solver *s, size_t nlist, const int32_t *from, int32_t *to)
{
	for (size_t a = 0; a < nlist; a++)
		to[s->list[a]] = from[s->list[a]];
}

/*
 * Keep at the front of the list, in order, the positions whose choices at
 * the two ends of the bracket differ; the others keep their choice across
 * the bracket, and their use of c is added to *frozen.  Returns how many
 * are kept.
 */
static size_t
KeepUndecided(Solver *s, int c, size_t nlist, double *frozen)
{
	size_t		w = 0;

	for (size_t a = 0; a < nlist; a++)
	{
		uint32_t	q = s->list[a];

		if (s->lo_ch[q] != s->hi_ch[q])
		{
			s->list[a] = s->list[w];
			s->list[w++] = q;
		}
		else
			*frozen += Use(s, UserAt(s, q), s->hi_ch[q], c);
	}
	return w;
}

/*
 * Keep at the front the positions whose choice at the bracket's lower end
 * uses resource c: only they can change as the multiplier grows.  The
 * others keep that choice at every larger multiplier.
 */
static size_t
KeepUsing(Solver *s, int c, size_t nlist)
{
	size_t		w = 0;

	for (size_t a = 0; a < nlist; a++)
	{
		uint32_t	q = s->list[a];

		if (Use(s, UserAt(s, q), s->lo_ch[q], c) > 0.0)
		{
			s->list[a] = s->list[w];
			s->list[w++] = q;
		}
		else
			s->hi_ch[q] = s->lo_ch[q];
	}
	return w;
}

/* List the positions whose current choice uses resource c; how many. */
static size_t
ListUsing(Solver *s, int c)
{
	size_t		n = 0;

	for (size_t q = 0; q < s->count; q++)
		if (Use(s, UserAt(s, q), s->cur[q], c) > 0.0)
			s->list[n++] = (uint32_t) q;
	return n;
}

/*
 * List the positions with a usable offer that uses resource c; how many.
 * For the budget and the contacts, every position: nearly every user has
 * such an offer, and evaluating the others costs what checking them does.
 */
static size_t
ListCanUse(Solver *s, int c)
{
	size_t		n = 0;

	if (c == C_BUDGET || c == C_CONTACTS)
	{
		for (size_t q = 0; q < s->count; q++)
			s->list[q] = (uint32_t) q;
		return s->count;
	}
	for (size_t q = 0; q < s->count; q++)
	{
		size_t		i = UserAt(s, q);

		for (int j = 0; j < s->m; j++)
			if (UsableFor(s, i, j) && Use(s, i, j, c) > 0.0)
			{
				s->list[n++] = (uint32_t) q;
				break;
			}
	}
	return n;
}

/*
 * A multiplier c above t at which no listed user keeps a positive score on
 * an offer using resource c (prices set for t).
 */
static double
ClearingMultiplier(Solver *s, int c, double t, size_t nlist)
{
	double		top = t;

	for (size_t a = 0; a < nlist; a++)
	{
		size_t		i = UserAt(s, s->list[a]);

		for (int j = 0; j < s->m; j++)
		{
			double		use;
			double		sc;

			if (!UsableFor(s, i, j) || (use = Use(s, i, j, c)) <= 0.0)
				continue;
			sc = Score(s, i, j);
			if (sc > 0.0)
				top = fmax(top, t + sc / use);
		}
	}
	/* a margin for rounding, then at least a step up */
	top = top * (1.0 + 1e-9) + DBL_MIN;
	if (!(top > t))
		top = 2.0 * t + DBL_MIN;
	return fmin(top, MAX_MULTIPLIER);
}

/*
 * The first probe's distance from t0: where the last secant seen for c
 * (on the sample, or an earlier search) meets the cap, overshot by
 * OVERSHOOT, between FIRST_PROBE and a quarter of t0; FIRST_PROBE of t0
 * without one.
 */
static double
FirstStep(const Solver *s, int c, double t0)
{
	double		slope = s->slope[c] * (double) s->count;

	if (!(slope < 0.0))
		return FIRST_PROBE * t0;
	return fmin(fmax(OVERSHOOT * fabs(s->usage[c] - s->cap[c]) / -slope, FIRST_PROBE * t0),
				0.25 * t0);
}

/*
 * The next probe's distance from the last one: where the secant through
 * the last two probes (multiplier, use) reaches the cap, overshot by
 * OVERSHOOT, between FIRST_PROBE of the multiplier and 8 times the last
 * step; 8 times the last step when the use did not move.  The secant is
 * kept for c's next search.
 */
static double
NextStep(Solver *s, int c, double t_prev, double u_prev, double t, double u, double step)
{
	double		slope = (u - u_prev) / (t - t_prev);
	double		next = 8.0 * step;

	if (slope < 0.0 && isfinite(slope))
	{
		next = OVERSHOOT * fabs(u - s->cap[c]) / -slope;
		s->slope[c] = slope / (double) s->count;
	}
	return fmin(fmax(next, FIRST_PROBE * fabs(t)), 8.0 * step);
}

/* A bracket of multiplier c: its use above the cap at lo, within at hi. */
typedef struct Bracket
{
	double		t_lo;			/* -1: none, the use keeps the cap at 0 */
	double		t_hi;
	double		u_lo;			/* the use of c at the two ends */
	double		u_hi;
	size_t		all;			/* positions listed, for the commit */
	size_t		nl;				/* of which not settled, at the front */
} Bracket;

/*
 * Bracket for a multiplier that must grow (use of c above its cap):
 * probes above t0, then the clearing multiplier, doubling while rounding
 * leaves the cap exceeded.  lo_ch and hi_ch hold the choices at the ends
 * for the first nl listed positions (the others are settled).
 */
static Bracket
BracketUp(Solver *s, int c, double t0)
{
	Bracket		b;
	double		cap = s->cap[c];
	double		step = FirstStep(s, c, t0);
	double		t;

	b.all = b.nl = ListUsing(s, c);
	b.t_lo = t0;
	b.u_lo = s->usage[c];
	CopyChoices(s, b.all, s->cur, s->lo_ch);
	for (int k = 0; t0 > 0.0 && k < MAX_PROBES && b.t_lo + step < MAX_MULTIPLIER; k++)
	{
		double		u;

		t = b.t_lo + step;
		u = EvaluateAt(s, c, t, b.nl, s->hi_ch);
		if (u <= cap)
		{
			NextStep(s, c, b.t_lo, b.u_lo, t, u, step);
			b.t_hi = t;
			b.u_hi = u;
			return b;
		}
		step = NextStep(s, c, b.t_lo, b.u_lo, t, u, step);
		b.t_lo = t;
		b.u_lo = u;
		CopyChoices(s, b.nl, s->hi_ch, s->lo_ch);
		b.nl = KeepUsing(s, c, b.nl);
	}
	s->lambda[c] = b.t_lo;
	SetPrices(s);
	t = ClearingMultiplier(s, c, b.t_lo, b.nl);
	while ((b.u_hi = EvaluateAt(s, c, t, b.nl, s->hi_ch)) > cap && t < MAX_MULTIPLIER)
	{
		b.t_lo = t;
		b.u_lo = b.u_hi;
		CopyChoices(s, b.nl, s->hi_ch, s->lo_ch);
		b.nl = KeepUsing(s, c, b.nl);
		t = fmin(2.0 * t, MAX_MULTIPLIER);
	}
	b.t_hi = t;
	return b;
}

/*
 * Bracket for a multiplier that may shrink (use of c below its cap):
 * probes below t0, then 0.  t_lo is -1 when the use of c stays within its
 * cap down to 0 (the multiplier becomes 0, choices in hi_ch).
 */
static Bracket
BracketDown(Solver *s, int c, double t0)
{
	Bracket		b;
	double		cap = s->cap[c];
	double		step = FirstStep(s, c, t0);

	b.all = b.nl = ListCanUse(s, c);
	b.t_hi = t0;
	b.u_hi = s->usage[c];
	b.t_lo = -1.0;
	b.u_lo = 0.0;
	CopyChoices(s, b.all, s->cur, s->hi_ch);
	for (int k = 0; k <= MAX_PROBES; k++)
	{
		double		t = k < MAX_PROBES ? fmax(b.t_hi - step, 0.0) : 0.0;
		double		u = EvaluateAt(s, c, t, b.all, s->lo_ch);

		if (u > cap)
		{
			NextStep(s, c, b.t_hi, b.u_hi, t, u, step);
			b.t_lo = t;
			b.u_lo = u;
			return b;
		}
		step = NextStep(s, c, b.t_hi, b.u_hi, t, u, step);
		b.t_hi = t;
		b.u_hi = u;
		CopyChoices(s, b.all, s->lo_ch, s->hi_ch);
		if (t == 0.0)
			break;
	}
	return b;
}

/*
 * The least multiplier c at which another choice overtakes user i's
 * choice o (prices set for t), as the multiplier grows: only choices that
 * use less of c can.  INFINITY when no choice does.
 */
static double
FirstSwitch(const Solver *s, int c, size_t i, int o, double t)
{
	double		a = Use(s, i, o, c);
	double		sc = Score(s, i, o);
	double		first = a > 0.0 ? t + sc / a : INFINITY;	/* none */

	for (int j = 0; j < s->m; j++)
	{
		double		aj;

		if (j != o && UsableFor(s, i, j) && (aj = Use(s, i, j, c)) < a)
			first = fmin(first, t + (sc - Score(s, i, j)) / (a - aj));
	}
	return first;
}

/*
 * The largest multiplier c at which user i's choice o overtakes another
 * (prices set for t): only choices that use more of c are overtaken as the
 * multiplier grows (never none, which uses nothing).  -INFINITY when no
 * choice is.
 */
static double
LastSwitch(const Solver *s, int c, size_t i, int o, double t)
{
	double		a = Use(s, i, o, c);
	double		sc = Score(s, i, o);
	double		last = -INFINITY;

	for (int j = 0; j < s->m; j++)
	{
		double		aj;

		if (j != o && UsableFor(s, i, j) && (aj = Use(s, i, j, c)) > a)
			last = fmax(last, t + (Score(s, i, j) - sc) / (aj - a));
	}
	return last;
}

/*
 * Shrink a bracket whose undecided users did not change over a step to
 * their switches: none leaves its choice at the lower end before the
 * least multiplier at which another choice overtakes it, nor changes after
 * the largest at which its choice at the upper end overtakes another.
 * Users that all switch at one multiplier (equal data, common among new
 * users) close the bracket at once, where halving it would take 40 steps.
 * The upper end moves only when the use there is confirmed.
 */
static void
Narrow(Solver *s, int c, Bracket *b, double frozen)
{
	double		first = INFINITY;
	double		last = -INFINITY;
	double		margin = NARROW_MARGIN * b->t_hi;

	s->lambda[c] = b->t_lo;
	SetPrices(s);
	for (size_t a = 0; a < b->nl; a++)
	{
		size_t		q = s->list[a];
		size_t		i = UserAt(s, q);

		first = fmin(first, FirstSwitch(s, c, i, s->lo_ch[q], b->t_lo));
		last = fmax(last, LastSwitch(s, c, i, s->hi_ch[q], b->t_lo));
	}
	if (first - margin > b->t_lo && first - margin < b->t_hi)
		b->t_lo = first - margin;
	if (last + margin < b->t_hi && last + margin > b->t_lo &&
		frozen + EvaluateAt(s, c, last + margin, b->nl, s->mid_ch) <= s->cap[c])
	{
		b->t_hi = last + margin;
		CopyChoices(s, b->nl, s->mid_ch, s->hi_ch);
	}
}

/*
 * Bisect the bracket down to BISECT_REL of its top, evaluating only the
 * positions whose choices at its two ends differ, narrowing it to their
 * switches when a step leaves them all undecided.  While the bracket is
 * still wider than SLOPE_WIDTH of its top, its secant is kept as c's
 * slope.
 */
static void
Bisect(Solver *s, int c, Bracket *b)
{
	double		frozen = 0.0;

	b->nl = KeepUndecided(s, c, b->nl, &frozen);
	for (int step = 0; b->nl > 0 && step < BISECT_MAX_STEPS &&
		 b->t_hi - b->t_lo > BISECT_REL * b->t_hi; step++)
	{
		double		t = b->t_lo + 0.5 * (b->t_hi - b->t_lo);
		double		u;
		size_t		before = b->nl;

		if (!(t > b->t_lo && t < b->t_hi))
			break;
		if (b->t_hi - b->t_lo >= SLOPE_WIDTH * b->t_hi && b->u_hi < b->u_lo)
			s->slope[c] = (b->u_hi - b->u_lo) / (b->t_hi - b->t_lo) / (double) s->count;
		u = frozen + EvaluateAt(s, c, t, b->nl, s->mid_ch);
		if (u > s->cap[c])
		{
			b->t_lo = t;
			b->u_lo = u;
			CopyChoices(s, b->nl, s->mid_ch, s->lo_ch);
		}
		else
		{
			b->t_hi = t;
			b->u_hi = u;
			CopyChoices(s, b->nl, s->mid_ch, s->hi_ch);
		}
		b->nl = KeepUndecided(s, c, b->nl, &frozen);
		if (b->nl == before && b->nl > 0)
			Narrow(s, c, b, frozen);
	}
}

/*
 * Set multiplier c to the minimizer of g along it, the others fixed, and
 * update the choices and resource use.  True when it moved by more than
 * tol of its value.
 */
static bool
LineSearch(Solver *s, int c)
{
	double		t0 = s->lambda[c];
	Bracket		b = s->usage[c] > s->cap[c] ? BracketUp(s, c, t0) : BracketDown(s, c, t0);

	if (b.t_lo >= 0.0)
		Bisect(s, c, &b);
	/* commit the upper end: its use of c is within the cap */
	s->lambda[c] = b.t_hi;
	SetPrices(s);
	for (size_t a = 0; a < b.all; a++)
	{
		size_t		q = s->list[a];
		size_t		i = UserAt(s, q);

		if (s->hi_ch[q] != s->cur[q])
		{
			AddUse(s, i, s->cur[q], -1.0);
			AddUse(s, i, s->hi_ch[q], 1.0);
			s->cur[q] = s->hi_ch[q];
		}
	}
	return fabs(b.t_hi - t0) > s->tol * fmax(b.t_hi, t0);
}

/* ---- coordinate descent -------------------------------------------------- */

/* Solve the users [first, first + stride, ...] with caps scaled to them. */
static void
SetUsers(Solver *s, size_t first, size_t stride, size_t count)
{
	const PromoAssignProblem *p = s->p;
	int			m = s->m;

	s->first = first;
	s->stride = stride;
	s->count = count;
	s->share = p->n > 0 ? (double) count / (double) p->n : 1.0;
	s->cap[C_BUDGET] = p->budget * s->share;
	s->cap[C_CONTACTS] = p->max_contacts * s->share;
	for (int j = 0; j < m; j++)
	{
		s->cap[C_OFFER_BUDGET(j)] =
			(p->offer_budget != NULL ? p->offer_budget[j] : INFINITY) * s->share;
		s->cap[C_REDEMPTIONS(m, j)] =
			(p->offer_redemptions != NULL ? p->offer_redemptions[j] : INFINITY) * s->share;
	}
	s->priced_redeem = false;
	for (int j = 0; p->redeem != NULL && j < m; j++)
		s->priced_redeem = s->priced_redeem || Active(s, C_REDEMPTIONS(m, j));
}

/*
 * The duality gap of the current choices, sum_c lambda_c (cap_c - U_c),
 * when they keep every cap (g(lambda) less their value, since
 * g = value - sum lambda_c U_c + sum lambda_c cap_c); INFINITY otherwise.
 * *g is g(lambda).
 */
static double
ChoiceGap(const Solver *s, double *g)
{
	double		gap = 0.0;
	bool		within = true;

	for (int c = 0; c < s->k; c++)
		if (Active(s, c))
		{
			gap += s->lambda[c] * (s->cap[c] - s->usage[c]);
			within = within && s->usage[c] <= s->cap[c];
		}
	*g = s->value + gap;
	return within ? gap : INFINITY;
}

/*
 * Coordinate descent from the current multipliers (with the choices and
 * use already computed when fresh): sweeps until one moves no multiplier
 * by more than tol, or the choices keep every cap with a duality gap of at
 * most tol of g, or max_iter sweeps.  Returns the sweeps run; *converged
 * is false when max_iter stopped it.  *bound, when not NULL, takes the g
 * of the first pass.
 */
static int
Descend(Solver *s, bool fresh, bool *converged, double *bound)
{
	int			sweeps = 0;

	if (!fresh)
	{
		double		g = FullPass(s);

		if (bound != NULL)
			*bound = fmin(*bound, g);
	}
	*converged = false;
	for (int c = 0; c < s->k; c++)
		s->dirty[c] = 1.0;
	while (sweeps < s->p->max_iter && !*converged)
	{
		bool		moved = false;
		double		gap;
		double		g;

		sweeps++;
		for (int c = 0; c < s->k; c++)
		{
			bool		over;

			if (!Active(s, c))
				continue;
			/* a multiplier set since the others last moved is optimal */
			over = s->usage[c] > s->cap[c];
			if ((over || (s->dirty[c] != 0.0 && s->lambda[c] > 0.0 &&
						  s->usage[c] < s->cap[c])) && LineSearch(s, c))
			{
				moved = true;
				for (int o = 0; o < s->k; o++)
					s->dirty[o] = 1.0;
			}
			s->dirty[c] = 0.0;
		}
		gap = ChoiceGap(s, &g);
		*converged = !moved || gap <= s->tol * fabs(g);
	}
	return sweeps;
}

/* ---- the smoothed dual: a start free of kinks ---------------------------- */

/*
 * The active constraints into act, their places into pos; how many, or 0
 * when there are more than NEWTON_MAX_DIM.
 */
static int
ActiveList(Solver *s, int *act)
{
	int			na = 0;

	for (int c = 0; c < s->k; c++)
	{
		s->pos[c] = -1.0;
		if (!Active(s, c))
			continue;
		if (na == NEWTON_MAX_DIM)
			return 0;
		s->pos[c] = na;
		act[na++] = c;
	}
	return na;
}

/* The mean over the users of their largest value among usable offers. */
static double
MeanBest(Solver *s)
{
	double		total = 0.0;

	for (size_t q = 0; q < s->count; q++)
	{
		size_t		i = UserAt(s, q);
		double		best = 0.0;

		for (int j = 0; j < s->m; j++)
			if (UsableFor(s, i, j))
				best = fmax(best, Value(s, i, j));
		total += best;
		Tick(s);
	}
	return s->count > 0 ? total / (double) s->count : 0.0;
}

/*
 * Add user i's soft choice to the gradient and Hessian of g_tau: e holds
 * the expected use of each active constraint (na), option j's weight is
 * w_j = exp((s_ij - top) / tau) / z.
 */
static void
SmoothUser(const Solver *s, size_t i, double tau, double top, double z, int na,
		   double *grad, double *hess)
{
	double		e[NEWTON_MAX_DIM] = {0};

	for (int j = 0; j < s->m; j++)
	{
		int			idx[4];
		double		val[4];
		int			nz = 0;
		int			cs[4] = {C_BUDGET, C_CONTACTS, C_OFFER_BUDGET(j), C_REDEMPTIONS(s->m, j)};
		double		w;

		if (!UsableFor(s, i, j))
			continue;
		w = exp((Score(s, i, j) - top) / tau) / z;
		for (int a = 0; a < 4; a++)
			if (s->pos[cs[a]] >= 0.0)
			{
				idx[nz] = (int) s->pos[cs[a]];
				val[nz++] = Use(s, i, j, cs[a]);
			}
		for (int a = 0; a < nz; a++)
		{
			e[idx[a]] += w * val[a];
			for (int b = 0; hess != NULL && b < nz; b++)
				hess[idx[a] + idx[b] * na] += w * val[a] * val[b] / tau;
		}
	}
	for (int a = 0; a < na; a++)
	{
		grad[a] -= e[a];
		for (int b = 0; hess != NULL && b < na; b++)
			hess[a + b * na] -= e[a] * e[b] / tau;
	}
}

/*
 * g_tau at the current multipliers, and (when grad is not NULL) its
 * gradient cap_c - E U_c and (when hess is not NULL) its Hessian
 * (1 / tau) sum_i Cov_i(a_c, a_d) over the na active constraints act.
 */
static double
SmoothPass(Solver *s, double tau, const int *act, int na, double *grad, double *hess)
{
	double		g = 0.0;

	SetPrices(s);
	for (int a = 0; a < na; a++)
	{
		g += s->lambda[act[a]] * s->cap[act[a]];
		if (grad != NULL)
			grad[a] = s->cap[act[a]];
		for (int b = 0; hess != NULL && b < na; b++)
			hess[a + b * na] = 0.0;
	}
	for (size_t q = 0; q < s->count; q++)
	{
		size_t		i = UserAt(s, q);
		double		top = 0.0;
		double		z;

		for (int j = 0; j < s->m; j++)
			if (UsableFor(s, i, j))
				top = fmax(top, Score(s, i, j));
		z = exp(-top / tau);
		for (int j = 0; j < s->m; j++)
			if (UsableFor(s, i, j))
				z += exp((Score(s, i, j) - top) / tau);
		g += top + tau * log(z);
		if (grad != NULL)
			SmoothUser(s, i, tau, top, z, na, grad, hess);
		Tick(s);
	}
	return g;
}

/*
 * The damped Newton direction over the nf free constraints free_: solves
 * (H + damping diag(H)) d = -grad (diag(H) floored at 1e-12 of its
 * largest element) into rhs; false when LAPACK finds it singular.
 */
static bool
DampedDirection(Solver *s, const double *grad, const int *free_, int nf, int na,
				double damping)
{
	const double *h = s->jacobian;
	double	   *a = s->newton;
	double	   *rhs = a + NEWTON_MAX_DIM * NEWTON_MAX_DIM;
	lapack_int *piv = (lapack_int *) (rhs + NEWTON_MAX_DIM);
	lapack_int	n = nf;
	lapack_int	one = 1;
	lapack_int	info = 0;
	double		top = 0.0;

	for (int x = 0; x < nf; x++)
		top = fmax(top, h[free_[x] + free_[x] * na]);
	for (int x = 0; x < nf; x++)
	{
		for (int y = 0; y < nf; y++)
			a[x + y * nf] = h[free_[x] + free_[y] * na];
		a[x + x * nf] += damping * fmax(h[free_[x] + free_[x] * na], 1e-12 * top) + DBL_MIN;
		rhs[x] = -grad[free_[x]];
	}
	LAPACK_dgesv(&n, &one, a, &n, piv, rhs, &n, &info);
	return info == 0;
}

/*
 * One projected, damped Newton step on g_tau (Levenberg-Marquardt): over
 * the constraints free to move (a positive multiplier, or a gradient
 * asking it up), the direction of DampedDirection, no multiplier below 0,
 * taken when g_tau decreases enough (Armijo, 1e-4); the damping is
 * divided by 4 after a step taken, multiplied by 8 until one is (at most
 * 12 times).  False when converged (the free gradient within SMOOTH_GTOL
 * of the caps) or when no step decreases g_tau.
 */
static bool
SmoothStep(Solver *s, double tau, const int *act, int na, double *damping)
{
	double		grad[NEWTON_MAX_DIM];
	double		saved[NEWTON_MAX_DIM];
	int			free_[NEWTON_MAX_DIM];
	const double *d = s->newton + NEWTON_MAX_DIM * NEWTON_MAX_DIM;
	int			nf = 0;
	double		g0 = SmoothPass(s, tau, act, na, grad, s->jacobian);
	double		worst = 0.0;

	for (int c = 0; c < na; c++)
	{
		saved[c] = s->lambda[act[c]];
		if (saved[c] > 0.0 || grad[c] < 0.0)
		{
			free_[nf++] = c;
			worst = fmax(worst, fabs(grad[c]) / s->cap[act[c]]);
		}
	}
	if (nf == 0 || worst <= SMOOTH_GTOL)
		return false;
	for (int attempt = 0; attempt < 12; attempt++, *damping *= 8.0)
	{
		double		decrease = 0.0;

		if (!DampedDirection(s, grad, free_, nf, na, *damping))
			continue;
		for (int x = 0; x < nf; x++)
		{
			int			c = free_[x];
			double		t = fmin(fmax(saved[c] + d[x], 0.0), MAX_MULTIPLIER);

			s->lambda[act[c]] = isfinite(t) ? t : saved[c];
			decrease += grad[c] * (s->lambda[act[c]] - saved[c]);
		}
		if (decrease < 0.0 &&
			SmoothPass(s, tau, act, na, NULL, NULL) <= g0 + 1e-4 * decrease)
		{
			*damping = fmax(*damping / 4.0, 1e-6);
			return true;
		}
	}
	for (int c = 0; c < na; c++)
		s->lambda[act[c]] = saved[c];
	return false;
}

/*
 * Multipliers at the minimum of the smoothed dual, at temperatures of
 * SMOOTH_FIRST, then SMOOTH_FACTOR times less, SMOOTH_LEVELS times, of the
 * users' mean best value.  Returns the last temperature (0: none, no user
 * has a positive value).
 */
static double
Smooth(Solver *s, const int *act, int na)
{
	double		tau = SMOOTH_FIRST * MeanBest(s);
	double		last = 0.0;
	double		damping = 1e-4;

	for (int level = 0; level < SMOOTH_LEVELS && tau > 0.0; level++, tau *= SMOOTH_FACTOR)
	{
		for (int step = 0; step < SMOOTH_STEPS && SmoothStep(s, tau, act, na, &damping); step++)
			;
		last = tau;
	}
	return last;
}

/*
 * Choices rounded from the soft choices of the smoothed dual at
 * temperature tau (its gradient near 0: the soft use of each binding
 * resource near its cap): position q takes the choice in whose share of
 * [0, 1) (none first, then the offers) the golden-ratio point
 * frac((q + 1) 0.618...) falls, so that a group of identical users splits
 * in the soft choice's proportions, as the LP optimum splits it, where the
 * largest score would give all of them the same offer.
 */
static void
RoundSoft(Solver *s, double tau)
{
	SetPrices(s);
	memset(s->usage, 0, sizeof(double) * s->k);
	s->value = 0.0;
	for (size_t q = 0; q < s->count; q++)
	{
		size_t		i = UserAt(s, q);
		double		point = fmod((double) (q + 1) * GOLDEN_RATIO_SHARE, 1.0);
		double		top = 0.0;
		double		z;
		double		acc;
		int			choice = PROMO_ASSIGN_NONE;

		for (int j = 0; j < s->m; j++)
			if (UsableFor(s, i, j))
				top = fmax(top, Score(s, i, j));
		z = exp(-top / tau);
		for (int j = 0; j < s->m; j++)
			if (UsableFor(s, i, j))
				z += exp((Score(s, i, j) - top) / tau);
		acc = exp(-top / tau) / z;
		for (int j = 0; j < s->m && point >= acc; j++)
			if (UsableFor(s, i, j))
			{
				choice = j;
				acc += exp((Score(s, i, j) - top) / tau) / z;
			}
		s->cur[q] = choice;
		AddUse(s, i, choice, 1.0);
		Tick(s);
	}
}

/*
 * Second multipliers, when the first plan is more than RETRY_GAP below
 * the dual value at its multipliers: coordinate descent can stop at a
 * kink of g that is not its minimum (many users switching at one
 * multiplier while another would have to move with it), and from the
 * minimum of the smoothed dual, from 0, it stops near g's.  Over all
 * users; from 65,536 users on, on the sample, the choices of all users
 * then taken at its multipliers.  The smoothed minimum is kept in
 * soft_lambda, its temperature in *tau.  Returns the least g evaluated
 * over all users; the choices and use are those at the multipliers.
 */
static double
SecondStart(Solver *s, const int *act, int na, double *tau)
{
	const PromoAssignProblem *p = s->p;
	double		bound = INFINITY;
	bool		converged;
	bool		sampled = p->n >= PROMO_ASSIGN_SAMPLE_MIN;

	memset(s->lambda, 0, sizeof(double) * s->k);
	if (sampled)
	{
		size_t		stride = p->n / PROMO_ASSIGN_SAMPLE;
		size_t		first = stride / 2;

		SetUsers(s, first, stride, (p->n - first + stride - 1) / stride);
	}
	*tau = Smooth(s, act, na);
	memcpy(s->soft_lambda, s->lambda, sizeof(double) * s->k);
	Descend(s, false, &converged, sampled ? NULL : &bound);
	SetUsers(s, 0, 1, p->n);
	return fmin(bound, FullPass(s));
}

/* ---- Newton steps from the sample's Jacobian ----------------------------- */

/*
 * The binding constraints (active, positive multiplier) into bind; how
 * many, or 0 when there are more than NEWTON_MAX_DIM.
 */
static int
Binding(const Solver *s, int *bind)
{
	int			nb = 0;

	for (int c = 0; c < s->k; c++)
		if (Active(s, c) && s->lambda[c] > 0.0)
		{
			if (nb == NEWTON_MAX_DIM)
				return 0;
			bind[nb++] = c;
		}
	return nb;
}

/* Largest |U_c - cap_c| / cap_c over the binding constraints. */
static double
Residual(const Solver *s, const int *bind, int nb)
{
	double		res = 0.0;

	for (int a = 0; a < nb; a++)
		res = fmax(res, fabs(s->usage[bind[a]] - s->cap[bind[a]]) / s->cap[bind[a]]);
	return res;
}

/*
 * dU_c / dlambda_d of the binding constraints over the current users at
 * the current multipliers, by forward differences of JACOBIAN_STEP of
 * each multiplier (a pass each): s->jacobian, nb x nb, column-major.
 */
static void
Jacobian(Solver *s, const int *bind, int nb)
{
	double		base[NEWTON_MAX_DIM];

	FullPass(s);
	for (int a = 0; a < nb; a++)
		base[a] = s->usage[bind[a]];
	for (int b = 0; b < nb; b++)
	{
		double		t = s->lambda[bind[b]];
		double		h = t * JACOBIAN_STEP;

		s->lambda[bind[b]] = t + h;
		FullPass(s);
		for (int a = 0; a < nb; a++)
			s->jacobian[a + b * nb] = (s->usage[bind[a]] - base[a]) / h;
		s->lambda[bind[b]] = t;
	}
}

/*
 * One Newton step on U_c(lambda) = cap_c (c binding): the multipliers move
 * by J^-1 (cap - U), none below 0.  False when J is singular (nothing
 * moves).
 */
static bool
NewtonStep(Solver *s, const int *bind, int nb)
{
	double	   *a = s->newton;
	double	   *rhs = a + NEWTON_MAX_DIM * NEWTON_MAX_DIM;
	lapack_int *piv = (lapack_int *) (rhs + NEWTON_MAX_DIM);
	lapack_int	n = nb;
	lapack_int	one = 1;
	lapack_int	info = 0;

	memcpy(a, s->jacobian, sizeof(double) * nb * nb);
	for (int c = 0; c < nb; c++)
		rhs[c] = s->cap[bind[c]] - s->usage[bind[c]];
	LAPACK_dgesv(&n, &one, a, &n, piv, rhs, &n, &info);
	if (info != 0)
		return false;
	for (int c = 0; c < nb; c++)
		if (isfinite(rhs[c]))
			s->lambda[bind[c]] = fmin(fmax(s->lambda[bind[c]] + rhs[c], 0.0), MAX_MULTIPLIER);
	return true;
}

/*
 * Broyden's rank-one update of the Jacobian (scaled to all users) after a
 * step dl of the binding multipliers changed their use by du.
 */
static void
BroydenUpdate(Solver *s, int nb, const double *dl, const double *du)
{
	double		norm = 0.0;

	for (int b = 0; b < nb; b++)
		norm += dl[b] * dl[b];
	if (!(norm > 0.0))
		return;
	for (int a = 0; a < nb; a++)
	{
		double		miss = du[a];

		for (int b = 0; b < nb; b++)
			miss -= s->jacobian[a + b * nb] * dl[b];
		for (int b = 0; b < nb; b++)
			s->jacobian[a + b * nb] += miss * dl[b] / norm;
	}
}

/*
 * Quasi-Newton steps over all users on U_c(lambda) = cap_c (c binding),
 * from the sample's multipliers and Jacobian (scaled by 1 / the sample's
 * share, then updated by Broyden's rule after every step), a pass each,
 * until the residual is below NEWTON_RESIDUAL or NEWTON_STEPS steps; the
 * multipliers of the least residual are kept.  *bound takes the least g
 * evaluated; the choices and use are those of the multipliers kept.
 */
static void
Newton(Solver *s, const int *bind, int nb, double sample_share, double *bound)
{
	double		best[NEWTON_MAX_DIM];
	double		prev[NEWTON_MAX_DIM];
	double		used[NEWTON_MAX_DIM];
	double		best_res;
	bool		at_best = true;

	for (int e = 0; e < nb * nb; e++)
		s->jacobian[e] /= sample_share;
	*bound = fmin(*bound, FullPass(s));
	best_res = Residual(s, bind, nb);
	for (int a = 0; a < nb; a++)
		best[a] = s->lambda[bind[a]];
	for (int step = 0; step < NEWTON_STEPS && best_res > NEWTON_RESIDUAL; step++)
	{
		double		res;

		for (int a = 0; a < nb; a++)
		{
			prev[a] = s->lambda[bind[a]];
			used[a] = s->usage[bind[a]];
		}
		if (!NewtonStep(s, bind, nb))
			break;
		*bound = fmin(*bound, FullPass(s));
		res = Residual(s, bind, nb);
		for (int a = 0; a < nb; a++)
		{
			prev[a] = s->lambda[bind[a]] - prev[a];
			used[a] = s->usage[bind[a]] - used[a];
		}
		BroydenUpdate(s, nb, prev, used);
		at_best = res < best_res;
		if (at_best)
		{
			best_res = res;
			for (int a = 0; a < nb; a++)
				best[a] = s->lambda[bind[a]];
		}
	}
	if (!at_best)
	{
		for (int a = 0; a < nb; a++)
			s->lambda[bind[a]] = best[a];
		*bound = fmin(*bound, FullPass(s));
	}
}

/* ---- repair and fill ----------------------------------------------------- */

/* Resource use of the current choices summed in user order. */
static void
ExactUsage(Solver *s)
{
	memset(s->usage, 0, sizeof(double) * s->k);
	s->value = 0.0;
	for (size_t i = 0; i < s->count; i++)
		AddUse(s, i, s->cur[i], 1.0);
}

/* Is some active cap exceeded by the current use? */
static bool
AnyOver(const Solver *s)
{
	for (int c = 0; c < s->k; c++)
		if (Active(s, c) && s->usage[c] > s->cap[c])
			return true;
	return false;
}

/*
 * Is a cap exceeded, or nearly (within 1e-9 of it), by the use kept up to
 * date move by move?  When not, the summed use in user order keeps them
 * too (it differs by rounding only).
 */
static bool
NearlyOver(const Solver *s)
{
	for (int c = 0; c < s->k; c++)
		if (Active(s, c) && s->usage[c] > s->cap[c] * (1.0 - 1e-9))
			return true;
	return false;
}

/* Does offer o of user i use a resource whose cap is exceeded? */
static bool
UsesOver(const Solver *s, size_t i, int o)
{
	int			cs[6];
	int			nc = Affected(s, o, PROMO_ASSIGN_NONE, cs);

	for (int a = 0; a < nc; a++)
		if (Active(s, cs[a]) && s->usage[cs[a]] > s->cap[cs[a]] &&
			Use(s, i, o, cs[a]) > 0.0)
			return true;
	return false;
}

/*
 * May user i move from o to j in the repair: j uses no more of any
 * exceeded resource and less of one, and keeps every cap not exceeded?
 */
static bool
RepairMove(const Solver *s, size_t i, int o, int j)
{
	int			cs[6];
	int			nc = Affected(s, o, j, cs);
	bool		frees = false;

	for (int a = 0; a < nc; a++)
	{
		int			c = cs[a];
		double		now = Use(s, i, o, c);
		double		then = Use(s, i, j, c);

		if (!Active(s, c))
			continue;
		if (s->usage[c] > s->cap[c])
		{
			if (then > now)
				return false;
			frees = frees || then < now;
		}
		else if (s->usage[c] - now + then > s->cap[c])
			return false;
	}
	return frees;
}

/* Share of the exceeded caps a move of user i from o to j frees. */
static double
Freed(const Solver *s, size_t i, int o, int j)
{
	int			cs[6];
	int			nc = Affected(s, o, j, cs);
	double		freed = 0.0;

	for (int a = 0; a < nc; a++)
	{
		int			c = cs[a];

		if (Active(s, c) && s->usage[c] > s->cap[c])
			freed += (Use(s, i, o, c) - Use(s, i, j, c)) / s->cap[c];
	}
	return freed;
}

/* User i's best repair move away from o (by adjusted score), or none. */
static int
RepairTarget(const Solver *s, size_t i, int o)
{
	int			best = PROMO_ASSIGN_NONE;
	double		best_score = 0.0;

	for (int j = 0; j < s->m; j++)
	{
		double		sc;

		if (j == o || !UsableFor(s, i, j) || !RepairMove(s, i, o, j))
			continue;
		sc = Score(s, i, j);
		if (sc > best_score)
		{
			best_score = sc;
			best = j;
		}
	}
	return best;
}

/* Candidates: ascending key, then user, then option. */
static int
CompareCandidates(const void *a, const void *b)
{
	const Candidate *x = a;
	const Candidate *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	return (x->option > y->option) - (x->option < y->option);
}

/* Move user i to offer j, updating the resource use. */
static void
Move(Solver *s, size_t i, int j)
{
	AddUse(s, i, s->cur[i], -1.0);
	AddUse(s, i, j, 1.0);
	s->cur[i] = j;
}

/*
 * One round of repair: the users whose offer uses an exceeded resource,
 * by adjusted score lost per share of the exceeded caps freed, each moved
 * while a cap it uses is still exceeded.  Returns the users moved.
 */
static double
RepairRound(Solver *s)
{
	size_t		nc = 0;
	double		moved = 0.0;

	for (size_t i = 0; i < s->count; i++)
	{
		int			o = s->cur[i];
		int			j;

		Tick(s);
		if (o < 0 || !UsesOver(s, i, o))
			continue;
		j = RepairTarget(s, i, o);
		s->candidates[nc].key = (Score(s, i, o) - Score(s, i, j)) / Freed(s, i, o, j);
		s->candidates[nc].user = (uint32_t) i;
		s->candidates[nc].option = j;
		nc++;
	}
	qsort(s->candidates, nc, sizeof(Candidate), CompareCandidates);
	for (size_t a = 0; a < nc && AnyOver(s); a++)
	{
		size_t		i = s->candidates[a].user;
		int			o = s->cur[i];
		int			j = s->candidates[a].option;

		if (!UsesOver(s, i, o))
			continue;
		if (j >= 0 && !RepairMove(s, i, o, j))
			j = PROMO_ASSIGN_NONE;
		Move(s, i, j);
		moved += 1.0;
	}
	return moved;
}

/*
 * Repair until no cap is exceeded by the use summed in user order; after
 * m + 2 rounds (rounding only), every user using an exceeded resource gets
 * none.  Returns the users moved.
 */
static double
Repair(Solver *s)
{
	double		moved = 0.0;

	for (int round = 0;; round++)
	{
		ExactUsage(s);
		if (!AnyOver(s))
			return moved;
		if (round <= s->m + 1)
		{
			moved += RepairRound(s);
			continue;
		}
		for (size_t i = 0; i < s->count; i++)
			if (s->cur[i] >= 0 && UsesOver(s, i, s->cur[i]))
			{
				Move(s, i, PROMO_ASSIGN_NONE);
				moved += 1.0;
			}
	}
}

/*
 * User i's best offer by adjusted score among those of higher value than
 * its own that fit the remaining capacity, or none.
 */
static int
FillTarget(Solver *s, size_t i, double *score)
{
	int			o = s->cur[i];
	double		vo = Value(s, i, o);
	int			best = PROMO_ASSIGN_NONE;

	*score = -INFINITY;
	for (int j = 0; j < s->m; j++)
	{
		double		sc;

		if (j == o || !UsableFor(s, i, j) || !(Value(s, i, j) > vo) ||
			!Fits(s, i, o, j))
			continue;
		sc = Score(s, i, j);
		if (sc > *score)
		{
			*score = sc;
			best = j;
		}
	}
	Tick(s);
	return best;
}

/*
 * Insert a candidate into the list of the best *held (ascending, at most
 * FILL_TOP), unless the list is full of better ones.
 */
static void
KeepBest(Candidate *best, size_t *held, const Candidate *cand)
{
	size_t		lo = 0;
	size_t		hi = *held;

	if (*held == FILL_TOP && CompareCandidates(cand, &best[FILL_TOP - 1]) >= 0)
		return;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (CompareCandidates(&best[mid], cand) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (*held < FILL_TOP)
		(*held)++;
	memmove(best + lo + 1, best + lo, sizeof(Candidate) * (*held - 1 - lo));
	best[lo] = *cand;
}

/* Does moving user i from o to j lower the use of an active constraint? */
static bool
Frees(const Solver *s, size_t i, int o, int j)
{
	int			cs[6];
	int			nc = Affected(s, o, j, cs);

	for (int a = 0; a < nc; a++)
		if (Active(s, cs[a]) && Use(s, i, j, cs[a]) < Use(s, i, o, cs[a]))
			return true;
	return false;
}

/*
 * Give users offers of higher value while capacity remains, in rounds:
 * each user's fill target is a candidate, the FILL_TOP best by adjusted
 * gain (then user order) are taken in order while they still fit, until a
 * round has no candidate (the first candidate of a round always fits, so
 * every round moves someone).  A round whose moves freed no capacity
 * leaves the users without a target still without one, so the next round
 * looks only at the users that had one (when the list of them has room
 * beside the candidates).  Returns the moves.
 */
static double
Fill(Solver *s)
{
	double		moved = 0.0;
	size_t		max_rounds = 4 * ((size_t) s->m + 1) + s->count / FILL_TOP;
	bool		can_restrict = sizeof(Candidate) * FILL_TOP <= 3 * sizeof(int32_t) * s->count;
	bool		restricted = false;
	size_t		nlist = 0;

	for (size_t round = 0; round < max_rounds; round++)
	{
		size_t		held = 0;
		size_t		scan = restricted ? nlist : s->count;
		bool		freed = false;

		nlist = 0;
		for (size_t a = 0; a < scan; a++)
		{
			size_t		i = restricted ? s->list[a] : a;
			Candidate	cand;
			double		sc;
			int			j = FillTarget(s, i, &sc);

			if (j < 0)
				continue;
			if (can_restrict)
				s->list[nlist++] = (uint32_t) i;
			cand.key = Score(s, i, s->cur[i]) - sc;
			cand.user = (uint32_t) i;
			cand.option = j;
			KeepBest(s->candidates, &held, &cand);
		}
		if (held == 0)
			break;
		for (size_t a = 0; a < held; a++)
		{
			size_t		i = s->candidates[a].user;
			int			j = s->candidates[a].option;

			if (Fits(s, i, s->cur[i], j))
			{
				freed = freed || Frees(s, i, s->cur[i], j);
				Move(s, i, j);
				moved += 1.0;
			}
		}
		restricted = can_restrict && !freed;
	}
	return moved;
}

/* ---- plans ------------------------------------------------------------- */

/* The plan from the choices at the multipliers: repair, fill, repair. */
static void
MakePlan(Solver *s, double *repaired, double *filled)
{
	*repaired += NearlyOver(s) ? Repair(s) : 0.0;
	*filled += Fill(s);
	*repaired += Repair(s);
}

/* g(lambda) as kept up to date with the choices (see ChoiceGap). */
static double
TrackedDual(const Solver *s)
{
	double		g;

	ChoiceGap(s, &g);
	return g;
}

/* Keep the current plan and its multipliers aside as the best so far. */
static void
KeepPlan(Solver *s, double *best)
{
	memcpy(s->kept, s->cur, sizeof(int32_t) * s->count);
	memcpy(s->kept_lambda, s->lambda, sizeof(double) * s->k);
	*best = s->value;
}

/*
 * Two more plans when the first is far below its dual value: from
 * SecondStart's multipliers, and rounded from the smoothed dual's soft
 * choices (RoundSoft: at g's minimum many users can be tied, and filling
 * in user order can leave a binding cap unused); the plan of largest
 * profit is kept, with its multipliers.  Returns the least g evaluated.
 */
static double
SecondPlan(Solver *s, const int *act, int na, double *repaired, double *filled)
{
	double		best;
	double		bound;
	double		tau;

	KeepPlan(s, &best);
	bound = SecondStart(s, act, na, &tau);
	MakePlan(s, repaired, filled);
	if (s->value > best)
		KeepPlan(s, &best);
	if (tau > 0.0)
	{
		memcpy(s->lambda, s->soft_lambda, sizeof(double) * s->k);
		RoundSoft(s, tau);
		MakePlan(s, repaired, filled);
		if (s->value > best)
			KeepPlan(s, &best);
	}
	memcpy(s->cur, s->kept, sizeof(int32_t) * s->count);
	memcpy(s->lambda, s->kept_lambda, sizeof(double) * s->k);
	SetPrices(s);
	ExactUsage(s);
	return bound;
}

/* ---- the result ---------------------------------------------------------- */

/*
 * The constraint that keeps user i from offer b (it has o): among those
 * whose cap the move would exceed, the one of largest priced effect
 * lambda_c (use of b - use of o), the first on ties; when none would be
 * exceeded (a repair after the fill), the largest priced effect; else the
 * first active one.  Returns the constraint.
 */
static int
Blocking(const Solver *s, size_t i, int o, int b)
{
	int			cs[6];
	int			nc = Affected(s, o, b, cs);
	int			best = -1;
	int			best_priced = -1;
	int			first_active = -1;
	double		effect = -INFINITY;
	double		priced = 0.0;

	for (int a = 0; a < nc; a++)
	{
		int			c = cs[a];
		double		delta = Use(s, i, b, c) - Use(s, i, o, c);
		double		e = s->lambda[c] * delta;

		if (!Active(s, c))
			continue;
		if (first_active < 0)
			first_active = c;
		if (s->usage[c] + delta > s->cap[c] && e > effect)
		{
			effect = e;
			best = c;
		}
		if (e > priced)
		{
			priced = e;
			best_priced = c;
		}
	}
	if (best >= 0)
		return best;
	if (best_priced >= 0)
		return best_priced;
	return first_active >= 0 ? first_active : C_BUDGET;
}

/* The status of a user of offer o kept from b by constraint c. */
static PromoAssignStatus
ConstraintStatus(const Solver *s, int o, int c)
{
	bool		none = o < 0;

	if (c == C_BUDGET)
		return none ? PROMO_ASSIGN_NONE_BUDGET : PROMO_ASSIGN_DOWNGRADED_BUDGET;
	if (c == C_CONTACTS)
		return PROMO_ASSIGN_NONE_CONTACTS;
	if (c < 2 + s->m)
		return none ? PROMO_ASSIGN_NONE_OFFER_BUDGET : PROMO_ASSIGN_DOWNGRADED_OFFER_BUDGET;
	return none ? PROMO_ASSIGN_NONE_REDEMPTIONS : PROMO_ASSIGN_DOWNGRADED_REDEMPTIONS;
}

/*
 * Why user i has offer o: ineligible, no positive value, every positive
 * offer below min_roi, the best allowed (given), or kept from the best
 * allowed by a constraint or from a better one by min_roi.
 */
static PromoAssignStatus
UserStatus(const Solver *s, size_t i, int o)
{
	const double *v = s->p->value + At(s, i);
	bool		eligible = false;
	int			best_positive = PROMO_ASSIGN_NONE;
	int			best_allowed = PROMO_ASSIGN_NONE;

	for (int j = 0; j < s->m; j++)
	{
		eligible = eligible || !isnan(v[j]);
		if (!(v[j] > 0.0))
			continue;
		if (best_positive < 0 || v[j] > v[best_positive])
			best_positive = j;
		if (UsableFor(s, i, j) && (best_allowed < 0 || v[j] > v[best_allowed]))
			best_allowed = j;
	}
	if (!eligible)
		return PROMO_ASSIGN_INELIGIBLE;
	if (best_positive < 0)
		return PROMO_ASSIGN_NO_POSITIVE;
	if (best_allowed < 0)
		return PROMO_ASSIGN_NONE_MIN_ROI;
	if (o < 0 || v[o] < v[best_allowed])
		return ConstraintStatus(s, o, Blocking(s, i, o, best_allowed));
	if (v[o] < v[best_positive])
		return PROMO_ASSIGN_DOWNGRADED_MIN_ROI;
	return PROMO_ASSIGN_GIVEN;
}

/*
 * User i's usable offer other than o of largest adjusted score, or none;
 * *top is the largest adjusted score of any choice, none (0) included:
 * the user's term of g.
 */
static int
RunnerUp(const Solver *s, size_t i, int o, double *top)
{
	int			best = PROMO_ASSIGN_NONE;
	double		best_score = -INFINITY;

	*top = 0.0;
	for (int j = 0; j < s->m; j++)
	{
		double		sc;

		if (!UsableFor(s, i, j))
			continue;
		sc = Score(s, i, j);
		*top = fmax(*top, sc);
		if (j != o && sc > best_score)
		{
			best_score = sc;
			best = j;
		}
	}
	return best;
}

/*
 * Per-user outputs and the totals, summed in user order; returns g at the
 * final multipliers (each user's largest adjusted score is found anyway).
 */
static double
Finish(Solver *s, PromoAssignResult *r)
{
	int			m = s->m;
	double		g = 0.0;

	r->spend = r->profit = r->redemptions = r->contacts = 0.0;
	memset(r->status_count, 0, sizeof(r->status_count));
	if (r->offers != NULL)
		memset(r->offers, 0, sizeof(double) * PROMO_ASSIGN_OFFER_FIELDS * m);
	for (size_t i = 0; i < s->count; i++)
	{
		int			o = s->cur[i];
		PromoAssignStatus st = UserStatus(s, i, o);
		double		top;
		int			u = RunnerUp(s, i, o, &top);

		Tick(s);
		r->offer[i] = o;
		g += top;
		if (r->runner_up != NULL)
			r->runner_up[i] = u;
		if (r->runner_up_value != NULL)
			r->runner_up_value[i] = u >= 0 ? Value(s, i, u) : NAN;
		if (r->status != NULL)
			r->status[i] = (uint8_t) st;
		r->status_count[st] += 1.0;
		if (o < 0)
			continue;
		r->spend += Cost(s, i, o);
		r->profit += Value(s, i, o);
		r->redemptions += Redeem(s, i, o);
		r->contacts += 1.0;
		if (r->offers != NULL)
		{
			double	   *f = r->offers + (size_t) o * PROMO_ASSIGN_OFFER_FIELDS;

			f[PROMO_ASSIGN_O_USERS] += 1.0;
			f[PROMO_ASSIGN_O_SPEND] += Cost(s, i, o);
			f[PROMO_ASSIGN_O_REDEMPTIONS] += Redeem(s, i, o);
			f[PROMO_ASSIGN_O_PROFIT] += Value(s, i, o);
		}
	}
	for (int j = 0; r->offers != NULL && j < m; j++)
	{
		r->offers[j * PROMO_ASSIGN_OFFER_FIELDS + PROMO_ASSIGN_O_LAMBDA_BUDGET] =
			s->lambda[C_OFFER_BUDGET(j)];
		r->offers[j * PROMO_ASSIGN_OFFER_FIELDS + PROMO_ASSIGN_O_LAMBDA_REDEMPTIONS] =
			s->lambda[C_REDEMPTIONS(m, j)];
	}
	r->lambda_budget = s->lambda[C_BUDGET];
	r->lambda_contacts = s->lambda[C_CONTACTS];
	for (int c = 0; c < s->k; c++)
		if (Active(s, c))
			g += s->lambda[c] * s->cap[c];
	return g;
}

/* The solver over caller memory, all multipliers 0. */
static void
InitSolver(Solver *s, const PromoAssignProblem *p, void *work,
		   const PromoAssignHooks *hooks)
{
	double	   *d = work;
	size_t		n = p->n;

	memset(s, 0, sizeof(*s));
	s->p = p;
	s->m = p->m;
	s->k = 2 + 2 * p->m;
	s->tol = p->tol;
	s->hooks = hooks;
	s->lambda = d;
	s->cap = s->lambda + s->k;
	s->usage = s->cap + s->k;
	s->dirty = s->usage + s->k;
	s->slope = s->dirty + s->k;
	s->pos = s->slope + s->k;
	s->kept_lambda = s->pos + s->k;
	s->soft_lambda = s->kept_lambda + s->k;
	s->price_cost = s->soft_lambda + s->k;
	s->price_redeem = s->price_cost + s->m;
	s->jacobian = s->price_redeem + s->m;
	s->newton = s->jacobian + NEWTON_MAX_DIM * NEWTON_MAX_DIM;
	s->candidates = (Candidate *) (d + SmallDoubles(p->m));
	s->lo_ch = (int32_t *) s->candidates;
	s->hi_ch = s->lo_ch + n;
	s->mid_ch = s->hi_ch + n;
	s->list = (uint32_t *) (s->mid_ch + n);
	s->cur = (int32_t *) (s->candidates + n);
	s->kept = s->cur + n;
	memset(s->lambda, 0, sizeof(double) * s->k);
	memset(s->slope, 0, sizeof(double) * s->k);
}

/* Solve a valid problem. */
void
promo_assign_solve(const PromoAssignProblem *p, PromoAssignResult *r,
				   void *work, const PromoAssignHooks *hooks)
{
	Solver		s;
	int			act[NEWTON_MAX_DIM];
	int			na;
	bool		any_active = false;
	bool		fresh = false;
	double		bound = INFINITY;
	double		dual;

	InitSolver(&s, p, work, hooks);
	SetUsers(&s, 0, 1, p->n);
	na = ActiveList(&s, act);
	for (int c = 0; c < s.k; c++)
		any_active = any_active || Active(&s, c);
	r->sample_iterations = 0;
	if (any_active && p->n >= PROMO_ASSIGN_SAMPLE_MIN)
	{
		size_t		stride = p->n / PROMO_ASSIGN_SAMPLE;
		size_t		first = stride / 2;
		bool		sample_converged;
		int			bind[NEWTON_MAX_DIM];
		int			nb;
		double		share;

		SetUsers(&s, first, stride, (p->n - first + stride - 1) / stride);
		r->sample_iterations = Descend(&s, false, &sample_converged, NULL);
		share = s.share;
		/* one multiplier: its own line search is cheaper than Newton */
		nb = Binding(&s, bind);
		if (nb > 1)
			Jacobian(&s, bind, nb);
		SetUsers(&s, 0, 1, p->n);
		if (nb > 1)
			Newton(&s, bind, nb, share, &bound);
		fresh = nb > 1;
	}
	r->iterations = Descend(&s, fresh, &r->converged, &bound);
	dual = TrackedDual(&s);
	r->repaired = r->filled = 0.0;
	MakePlan(&s, &r->repaired, &r->filled);
	if (na > 1 && dual > 0.0 && (dual - s.value) / dual > RETRY_GAP)
		bound = fmin(bound, SecondPlan(&s, act, na, &r->repaired, &r->filled));
	bound = fmin(bound, Finish(&s, r));
	r->dual_bound = p->n > 0 ? bound : 0.0;
	r->gap = r->dual_bound > 0.0 ? fmax(0.0, (r->dual_bound - r->profit) / r->dual_bound) : 0.0;
	r->passes = p->n > 0 ? s.evaluations / (double) p->n : 0.0;
}
