/*
 * assign.h
 *		At most one offer per user under budgets and caps: the multiple-choice
 *		knapsack, solved through its Lagrangian dual, then repaired.
 *
 * n users, m offers.  value, cost and redeem are n x m row-major: the
 * expected incremental profit v_ij, the expected cost c_ij >= 0 and the
 * expected redemptions r_ij >= 0 (the probability of converting) of giving
 * offer j to user i; a NaN value marks offer j as ineligible for user i.
 * Offer j is usable for user i when v_ij > 0 and v_ij >= min_roi * c_ij
 * (negative-value offers are never given).  The problem is
 *
 *		maximize	sum_ij v_ij x_ij
 *		subject to	sum_j x_ij <= 1 for every user, x_ij in {0, 1},
 *					x_ij = 0 unless j is usable for i,
 *					sum_ij c_ij x_ij <= budget					(total budget)
 *					sum_ij x_ij <= max_contacts					(contact cap)
 *					sum_i c_ij x_ij <= offer_budget[j]			(per offer)
 *					sum_i r_ij x_ij <= offer_redemptions[j]		(per offer)
 *
 * every cap optional (INFINITY: none).  Each finite cap is a constraint
 * with a multiplier lambda_c >= 0 and resource use a_ijc (c_ij, 1, c_ij
 * for offer j only, r_ij for offer j only).  Given the multipliers each
 * user picks the usable offer of largest adjusted score
 *
 *		s_ij = v_ij - sum_c lambda_c a_ijc,
 *
 * or none when no score is positive (ties: the lower offer index; a score
 * of exactly 0 is none).  The Lagrangian dual
 *
 *		g(lambda) = sum_i max(0, max_j s_ij) + sum_c lambda_c cap_c
 *
 * is an upper bound on the LP relaxation's optimum (and so on any
 * assignment's profit) for every lambda >= 0; its minimum equals the LP
 * optimum.
 *
 * Multipliers: cyclic coordinate descent on g.  One multiplier at a time
 * is set to the exact minimizer of g along it, the others fixed: g's slope
 * there is cap_c - U_c(lambda_c), U_c the resource use of the users'
 * choices, which does not increase with lambda_c, so the minimizer is
 * where U_c crosses the cap, found by bisection.  The bracket comes from
 * probes: the first where the last secant (multiplier, U_c) seen for the
 * constraint, per user, meets the cap (at lambda_c (1 +- 2^-10) without
 * one), each next one where the secant through the last two probes does,
 * each a quarter further (at most 8 times the last step), at most 6, then
 * 0 or the multiplier at which no user keeps an offer using the resource;
 * the bisection stops when the bracket is narrower than 1e-12 of its upper
 * end, which it keeps (U_c <= cap there).  Only users whose choice differs
 * at the two ends of the bracket are evaluated again: a user's choice
 * moves monotonically with one multiplier, so a user with the same choice
 * at both ends keeps it in between.  When a step leaves those users
 * unchanged, the bracket shrinks to the multipliers at which they switch
 * (identical users switch at one point).  A sweep visits every constraint whose
 * cap is exceeded or whose multiplier is positive, below its cap and not
 * yet set since another multiplier moved.  The descent stops after a sweep
 * that moves no multiplier by more than tol of its value, or whose
 * choices keep every cap with a duality gap sum_c lambda_c (cap_c - U_c)
 * = g(lambda) - their profit of at most tol g(lambda) (converged), or
 * after max_iter sweeps (not converged).
 *
 * With PROMO_ASSIGN_SAMPLE_MIN users or more, the descent first runs on
 * every k-th user (about PROMO_ASSIGN_SAMPLE users, caps scaled by their
 * share).  With two or more multipliers positive there (at most 16), the
 * sample also gives the Jacobian dU/dlambda of their constraints by
 * forward differences (2% of each multiplier), and quasi-Newton steps over
 * all users solve U_c(lambda) = cap_c from the sample's multipliers: the
 * Jacobian scaled to all users, updated by Broyden's rule after each step,
 * at most 6 steps, stopping below a residual of 1e-5 of the caps, keeping
 * the multipliers of least residual.  Coordinate descent over all users
 * finishes from there.
 *
 * A second start, with two to 16 caps, when the plan below is more than
 * 1e-4 below g at its multipliers: coordinate descent can stop at a kink of
 * g that is not its minimum, and at g's minimum whole groups of identical
 * users can be tied.  The smoothed dual g_tau (each user's max replaced by
 * tau log(1 + sum_j exp(s_ij / tau))) is minimized from 0 by damped,
 * projected Newton steps (Levenberg-Marquardt, Armijo) at tau = 10%, 1%
 * and 0.1% of the users' mean best value (on the sample from
 * PROMO_ASSIGN_SAMPLE_MIN users); coordinate descent runs from there, and
 * two more plans are built: from its multipliers, and from the soft
 * choices at the smoothed minimum, user q taking the choice in whose share
 * of [0, 1) the golden-ratio point frac((q + 1) 0.618...) falls, so that a
 * group of identical users splits as the LP optimum splits it.  The plan
 * of largest profit is kept with its multipliers; the dual bound is the
 * least g evaluated over all users.  Everything is deterministic: the
 * result depends only on the input, with the users in their order (the
 * order array's, when given).
 *
 * Repair (of each plan): the choices at the final multipliers may exceed a
 * cap (ties, several multipliers).  While a cap is exceeded, the users whose offer
 * uses an exceeded resource are moved, in increasing order of adjusted
 * score lost per share of the exceeded caps freed (then user order), to
 * their best offer using less of every exceeded resource that keeps every
 * other cap, or to none, until no cap is exceeded.  Fill: then, in rounds,
 * each user's best offer by adjusted score among those of higher value
 * that fit the remaining capacity is a candidate, taken in decreasing
 * order of adjusted gain (then user order) while it still fits, until a
 * round takes none.  The caps are checked with resource use summed in user
 * order, the same sums the report gives: no budget or cap is ever
 * exceeded.
 */
#ifndef PROMO_ASSIGN_H
#define PROMO_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No offer. */
#define PROMO_ASSIGN_NONE (-1)

/* Limits of the input the solver is documented for (the glue checks them). */
#define PROMO_ASSIGN_MAX_OFFERS 1000
#define PROMO_ASSIGN_MAX_USERS ((size_t) INT32_MAX)
#define PROMO_ASSIGN_MAX_MAGNITUDE 1e15 /* |value|, cost, redeem */
#define PROMO_ASSIGN_MAX_CAP 1e18	/* budgets and caps */

/* Defaults and ranges of the solver settings. */
#define PROMO_ASSIGN_DEFAULT_MAX_ITER 200
#define PROMO_ASSIGN_MAX_MAX_ITER 100000
#define PROMO_ASSIGN_DEFAULT_TOL 1e-7
#define PROMO_ASSIGN_MAX_TOL 0.1

/* Users above which the multipliers are first found on a sample. */
#define PROMO_ASSIGN_SAMPLE_MIN 65536
#define PROMO_ASSIGN_SAMPLE 16384

/* Why a user got what it got. */
typedef enum PromoAssignStatus
{
	PROMO_ASSIGN_GIVEN = 0,		/* an offer of the largest value allowed */
	PROMO_ASSIGN_INELIGIBLE,	/* none: no eligible offer */
	PROMO_ASSIGN_NO_POSITIVE,	/* none: no eligible offer of positive value */
	PROMO_ASSIGN_NONE_BUDGET,	/* none: a better offer would exceed ... */
	PROMO_ASSIGN_NONE_CONTACTS, /* ... the contact cap */
	PROMO_ASSIGN_NONE_OFFER_BUDGET,
	PROMO_ASSIGN_NONE_REDEMPTIONS,
	PROMO_ASSIGN_NONE_MIN_ROI,	/* none: every positive offer is below
								 * min_roi */
	PROMO_ASSIGN_DOWNGRADED_BUDGET, /* an offer of lower value than the best
									 * allowed, because of ... */
	PROMO_ASSIGN_DOWNGRADED_OFFER_BUDGET,
	PROMO_ASSIGN_DOWNGRADED_REDEMPTIONS,
	PROMO_ASSIGN_DOWNGRADED_MIN_ROI /* the best positive offer is below
									 * min_roi */
} PromoAssignStatus;

#define PROMO_ASSIGN_STATUS_COUNT 12

/* The status's name: "given", "none:budget", "downgraded:min_roi", ... */
extern const char *promo_assign_status_name(int status);

/* The problem: input arrays, caps and solver settings. */
typedef struct PromoAssignProblem
{
	size_t		n;				/* users, 0 .. PROMO_ASSIGN_MAX_USERS */
	int			m;				/* offers, 1 .. PROMO_ASSIGN_MAX_OFFERS */
	const double *value;		/* n x m; NaN: ineligible */
	const double *cost;			/* n x m, read where value is not NaN */
	const double *redeem;		/* n x m as cost, or NULL: all 0 */
	const uint32_t *order;		/* n: user i is row order[i] of the arrays
								 * (users solved in this order); NULL: row i */
	double		budget;			/* > 0, or INFINITY: no total budget */
	double		max_contacts;	/* > 0, or INFINITY: no contact cap */
	const double *offer_budget; /* m caps (> 0 or INFINITY), or NULL */
	const double *offer_redemptions;	/* m caps, or NULL */
	double		min_roi;		/* >= 0; 0: no minimum */
	int			max_iter;		/* sweeps of the coordinate descent */
	double		tol;			/* relative change of a multiplier that
								 * counts as a move, and duality gap that
								 * stops the descent: (0, PROMO_ASSIGN_MAX_TOL] */
} PromoAssignProblem;

/* A problem of n users and m offers with no caps and default settings. */
extern PromoAssignProblem promo_assign_problem(size_t n, int m,
											   const double *value,
											   const double *cost,
											   const double *redeem);

/*
 * Name of the first setting of the problem out of range ("budget",
 * "max_contacts", "offer_budget", "offer_redemptions", "min_roi",
 * "max_iter", "tol", "n", "m"), or NULL when all are valid.
 */
extern const char *promo_assign_invalid(const PromoAssignProblem *p);

/*
 * Which of v, c, r (one user and offer) is outside the solver's domain:
 * 0 none, 1 value (infinite or |v| > PROMO_ASSIGN_MAX_MAGNITUDE), 2 cost,
 * 3 redeem (not finite, negative or above the magnitude).  c and r are not
 * read when v is NaN (ineligible).
 */
extern int	promo_assign_bad_entry(double v, double c, double r);

/* Per-offer figures of the result: PROMO_ASSIGN_OFFER_FIELDS per offer. */
#define PROMO_ASSIGN_O_USERS 0		/* users given the offer */
#define PROMO_ASSIGN_O_SPEND 1		/* sum of their cost */
#define PROMO_ASSIGN_O_REDEMPTIONS 2	/* sum of their redeem */
#define PROMO_ASSIGN_O_PROFIT 3		/* sum of their value */
#define PROMO_ASSIGN_O_LAMBDA_BUDGET 4	/* multiplier of the offer's budget */
#define PROMO_ASSIGN_O_LAMBDA_REDEMPTIONS 5 /* of its redemption cap */
#define PROMO_ASSIGN_OFFER_FIELDS 6

/* What the solver returns; the arrays are the caller's. */
typedef struct PromoAssignResult
{
	int32_t    *offer;			/* n: the offer given, 0 .. m - 1, or
								 * PROMO_ASSIGN_NONE */
	int32_t    *runner_up;		/* n or NULL: the usable offer other than the
								 * one given of largest adjusted score at
								 * the final multipliers, or
								 * PROMO_ASSIGN_NONE */
	double	   *runner_up_value;	/* n or NULL: its value, NaN without one */
	uint8_t    *status;			/* n or NULL: PromoAssignStatus */
	double	   *offers;			/* m x PROMO_ASSIGN_OFFER_FIELDS, or NULL */

	double		spend;			/* sum of the cost of the offers given */
	double		profit;			/* sum of their value */
	double		redemptions;	/* sum of their redeem */
	double		contacts;		/* users given an offer */
	double		lambda_budget;	/* multipliers (0 for an absent cap) */
	double		lambda_contacts;
	double		dual_bound;		/* the least g(lambda) evaluated: an upper
								 * bound on the LP optimum */
	double		gap;			/* (dual_bound - profit) / dual_bound, 0 when
								 * both are 0 */
	int			iterations;		/* sweeps over all users */
	int			sample_iterations;	/* sweeps over the sample (0: none) */
	double		passes;			/* user evaluations / n */
	bool		converged;
	double		repaired;		/* users whose choice the repair changed */
	double		filled;			/* users the fill gave a better offer */
	double		status_count[PROMO_ASSIGN_STATUS_COUNT];
} PromoAssignResult;

/* Bytes of work space promo_assign_solve needs (aligned for doubles). */
extern size_t promo_assign_work_bytes(size_t n, int m);

/* Called between blocks of users; may not return (a cancelled query). */
typedef struct PromoAssignHooks
{
	void	   *ctx;
	void		(*interrupt) (void *ctx);
} PromoAssignHooks;

/*
 * Solve a valid problem (promo_assign_invalid(p) == NULL, every entry
 * accepted by promo_assign_bad_entry) into r's arrays.  hooks may be NULL.
 */
extern void promo_assign_solve(const PromoAssignProblem *p, PromoAssignResult *r,
							   void *work, const PromoAssignHooks *hooks);

#endif							/* PROMO_ASSIGN_H */
