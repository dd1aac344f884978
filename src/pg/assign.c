/*
 * assign.c
 *		promo.assign aggregate: at most one offer per user under budgets and
 *		caps, per group of rows (the core's multiple-choice knapsack).
 *
 * Each row is one user: user_id and, per offer (array position), the
 * expected incremental profit, expected cost and expected redemptions; a
 * NULL or NaN value marks the offer ineligible for the user.  The
 * aggregate holds its rows in an internal state (serialized between
 * parallel workers, appended by the combine function); the final function
 * puts them in user_id order, so the result depends only on the set of
 * rows, never on their order or the plan, and solves.
 *
 * The constraints are a jsonb object parsed through the option table
 * below, once per group: every row of a group must carry the same ones.
 */
#include "promo.h"
#include "options.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "assign.h"

/* The constraints and solver settings of one assignment. */
typedef struct AssignSettings
{
	double		budget;			/* INFINITY: none */
	int64		max_contacts;	/* 0: none */
	double		min_roi;
	int32		max_iter;
	double		tol;
	double	   *offer_budget;	/* offer_budget_len caps, or NULL */
	int32		offer_budget_len;
	double	   *offer_redemptions;
	int32		offer_redemptions_len;
} AssignSettings;

/* The constraint keys: defaults, ranges and meaning once (README). */
static const PromoOptionDef assign_option_defs[] = {
	{"budget", PROMO_OPTION_REAL, offsetof(AssignSettings, budget),
		INFINITY, 0, PROMO_ASSIGN_MAX_CAP, .min_exclusive = true, .nullable = true},
	{"max_contacts", PROMO_OPTION_INT64, offsetof(AssignSettings, max_contacts),
		0, 1, PROMO_ASSIGN_MAX_CAP, .nullable = true},
	{"offer_budget", PROMO_OPTION_REAL_ARRAY, offsetof(AssignSettings, offer_budget),
		INFINITY, 0, PROMO_ASSIGN_MAX_CAP,
		.array_offset = offsetof(AssignSettings, offer_budget_len),
	.min_exclusive = true, .nullable = true},
	{"offer_redemptions", PROMO_OPTION_REAL_ARRAY, offsetof(AssignSettings, offer_redemptions),
		INFINITY, 0, PROMO_ASSIGN_MAX_CAP,
		.array_offset = offsetof(AssignSettings, offer_redemptions_len),
	.min_exclusive = true, .nullable = true},
	{"min_roi", PROMO_OPTION_REAL, offsetof(AssignSettings, min_roi),
		0, 0, PROMO_ASSIGN_MAX_MAGNITUDE, .nullable = true},
	{"max_iter", PROMO_OPTION_INT, offsetof(AssignSettings, max_iter),
		PROMO_ASSIGN_DEFAULT_MAX_ITER, 1, PROMO_ASSIGN_MAX_MAX_ITER},
	{"tol", PROMO_OPTION_REAL, offsetof(AssignSettings, tol),
		PROMO_ASSIGN_DEFAULT_TOL, 0, PROMO_ASSIGN_MAX_TOL, .min_exclusive = true},
};

static const PromoOptionTable assign_options = {
	"assign", assign_option_defs, lengthof(assign_option_defs)
};

typedef struct AssignState
{
	int32		m;				/* offers */
	int64		n;				/* users held */
	int64		capacity;		/* users the arrays can hold */
	AssignSettings settings;
	bool		constant;		/* the constraints argument is a constant */
	bool		raw_known;		/* raw is the first row's argument */
	Jsonb	   *raw;			/* it (NULL: a NULL argument) */
	int64	   *user_id;		/* capacity */
	double	   *value;			/* capacity x m each */
	double	   *cost;
	double	   *redeem;
} AssignState;

/* Users the arrays hold at first. */
#define FIRST_CAPACITY 64

/*
 * Bytes per user at the peak of the final function, beyond the 24 m of
 * the rows: the user id, the sort keys, the solver's work, its outputs
 * and the result's arrays (status text included).
 */
#define USER_BYTES 150.0

/* The aggregate's argument numbers, as the transition function sees them. */
#define ARG_USER 1
#define ARG_VALUE 2
#define ARG_COST 3
#define ARG_REDEEM 4
#define ARG_CONSTRAINTS 5

/* ---- settings ---- */

/* The problem of the settings over n users of m offers, without arrays. */
static PromoAssignProblem
Problem(const AssignSettings *s, int64 n, int m)
{
	PromoAssignProblem p = promo_assign_problem((size_t) n, m, NULL, NULL, NULL);

	p.budget = s->budget;
	p.max_contacts = s->max_contacts > 0 ? (double) s->max_contacts : INFINITY;
	p.min_roi = s->min_roi;
	p.max_iter = s->max_iter;
	p.tol = s->tol;
	p.offer_budget = s->offer_budget;
	p.offer_redemptions = s->offer_redemptions;
	return p;
}

/* Error unless an array setting has one element per offer (or is absent). */
static void
CheckOffers(const char *key, int len, int m)
{
	if (len != 0 && len != m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("assign option \"%s\" has %d elements, but value has %d offers",
						key, len, m),
				 errhint("Give one cap per offer, in the order of value; null for an offer without one.")));
}

/*
 * Settings from a constraints object (NULL: none) for m offers, arrays
 * allocated in the current memory context; checked by the core too.
 */
static void
ParseSettings(AssignSettings *s, Jsonb *constraints, int m)
{
	PromoAssignProblem p;
	const char *bad;

	promo_options_parse(&assign_options, constraints, s);
	CheckOffers("offer_budget", s->offer_budget_len, m);
	CheckOffers("offer_redemptions", s->offer_redemptions_len, m);
	if (s->offer_budget_len == 0)
		s->offer_budget = NULL;
	if (s->offer_redemptions_len == 0)
		s->offer_redemptions = NULL;
	p = Problem(s, 0, m);
	bad = promo_assign_invalid(&p);
	if (bad != NULL)
		elog(ERROR, "assign setting \"%s\" passed the option table but not the core's check", bad);
}

/* Are two arrays of caps (either NULL) the same? */
static bool
CapsEqual(const double *a, const double *b, int m)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (int j = 0; j < m; j++)
		if (a[j] != b[j])
			return false;
	return true;
}

/* Are two settings of m offers the same? */
static bool
SettingsEqual(const AssignSettings *a, const AssignSettings *b, int m)
{
	return a->budget == b->budget && a->max_contacts == b->max_contacts &&
		a->min_roi == b->min_roi && a->max_iter == b->max_iter &&
		a->tol == b->tol && CapsEqual(a->offer_budget, b->offer_budget, m) &&
		CapsEqual(a->offer_redemptions, b->offer_redemptions, m);
}

/* Error: the rows of one group carry different constraints. */
static void
DifferentConstraints(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("constraints must be the same on every row of a promo.assign group"),
			 errhint("Group the rows by campaign (GROUP BY) so that each group has one set of constraints.")));
}

/* Error unless this row's constraints are the group's. */
static void
CheckConstraints(FunctionCallInfo fcinfo, AssignState *st)
{
	bool		isnull = PG_ARGISNULL(ARG_CONSTRAINTS);
	Jsonb	   *jb;
	AssignSettings other;

	if (st->constant)
		return;
	jb = isnull ? NULL : PG_GETARG_JSONB_P(ARG_CONSTRAINTS);
	/* the same bytes as the first row: the same constraints */
	if (st->raw_known && (isnull ? st->raw == NULL :
						  st->raw != NULL && VARSIZE(jb) == VARSIZE(st->raw) &&
						  memcmp(jb, st->raw, VARSIZE(jb)) == 0))
		return;
	ParseSettings(&other, jb, st->m);
	if (!SettingsEqual(&st->settings, &other, st->m))
		DifferentConstraints();
}

/* ---- the state ---- */

/* Bytes per user of m offers at the peak (see USER_BYTES). */
static double
UserBytes(int m)
{
	return USER_BYTES + 3.0 * sizeof(double) * m;
}

/* Error unless users users of m offers fit in promo.max_memory. */
static void
CheckMemory(double users, int m)
{
	double		bytes = users * UserBytes(m);

	if (bytes > (double) promo_max_memory_kb * 1024.0)
		promo_check_memory(bytes,
						   psprintf("promo.assign over %.0f users of %d offers", users, m),
						   psprintf("promo.assign holds its users in memory, about %.0f bytes per user of %d offers; "
									"raise promo.max_memory, or assign smaller groups (GROUP BY campaign or segment).",
									UserBytes(m), m));
}

/* An empty state of m offers in cxt, with settings copied into cxt. */
static AssignState *
NewState(MemoryContext cxt, int m, const AssignSettings *settings)
{
	AssignState *st = MemoryContextAllocZero(cxt, sizeof(AssignState));

	st->m = m;
	st->settings = *settings;
	if (settings->offer_budget != NULL)
		st->settings.offer_budget =
			MemoryContextAlloc(cxt, sizeof(double) * m);
	if (settings->offer_redemptions != NULL)
		st->settings.offer_redemptions =
			MemoryContextAlloc(cxt, sizeof(double) * m);
	if (settings->offer_budget != NULL)
		memcpy(st->settings.offer_budget, settings->offer_budget, sizeof(double) * m);
	if (settings->offer_redemptions != NULL)
		memcpy(st->settings.offer_redemptions, settings->offer_redemptions, sizeof(double) * m);
	return st;
}

/* A huge array of n elements of size bytes in cxt, or old grown to n. */
static void *
GrowArray(MemoryContext cxt, void *old, int64 n, Size size)
{
	Size		bytes = size * (Size) n;

	return old == NULL ? MemoryContextAllocHuge(cxt, bytes) : repalloc_huge(old, bytes);
}

/* Room for more users: double the arrays, or grow them to what fits. */
static void
Reserve(AssignState *st, MemoryContext cxt, int64 more)
{
	int64		need = st->n + more;
	int64		cap;
	double		limit = (double) promo_max_memory_kb * 1024.0 / UserBytes(st->m);

	if (need <= st->capacity)
		return;
	CheckMemory((double) need, st->m);
	if ((double) need > (double) PROMO_ASSIGN_MAX_USERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("promo.assign takes at most %zu users per group", PROMO_ASSIGN_MAX_USERS)));
	cap = Max(need, Max(FIRST_CAPACITY, 2 * st->capacity));
	if ((double) cap > limit)
		cap = need;
	st->user_id = GrowArray(cxt, st->user_id, cap, sizeof(int64));
	st->value = GrowArray(cxt, st->value, cap * st->m, sizeof(double));
	st->cost = GrowArray(cxt, st->cost, cap * st->m, sizeof(double));
	st->redeem = GrowArray(cxt, st->redeem, cap * st->m, sizeof(double));
	st->capacity = cap;
}

/* Error for an entry of user uid, offer j (1-based) outside the domain. */
static void
BadEntry(int which, int64 uid, int j, double v)
{
	const char *what = which == 1 ? "value" : which == 2 ? "cost" : "redeem";

	if (which == 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value must be finite and at most %g in magnitude", PROMO_ASSIGN_MAX_MAGNITUDE),
				 errdetail("Element %d of user %lld is %g.", j, (long long) uid, v),
				 errhint("Mark an ineligible offer with a NULL value.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be a number between 0 and %g where value is not NULL",
					what, PROMO_ASSIGN_MAX_MAGNITUDE),
			 errdetail("Element %d of user %lld is %g.", j, (long long) uid, v)));
}

/* Error unless every entry of user row q is in the solver's domain. */
static void
CheckEntries(const AssignState *st, int64 q)
{
	const double *v = st->value + q * st->m;
	const double *c = st->cost + q * st->m;
	const double *r = st->redeem + q * st->m;

	for (int j = 0; j < st->m; j++)
	{
		int			bad = promo_assign_bad_entry(v[j], c[j], r[j]);

		if (bad != 0)
			BadEntry(bad, st->user_id[q], j + 1, bad == 1 ? v[j] : bad == 2 ? c[j] : r[j]);
	}
}

/* Error unless a row has the group's number of offers. */
static void
CheckRowOffers(const AssignState *st, int m)
{
	if (m != st->m)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("value has %d elements, but earlier rows had %d", m, st->m),
				 errdetail("All rows of one promo.assign group must have the same offers, one per array position.")));
}

/* Error for a NULL argument that must not be. */
static void
RequireArgument(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 argno == ARG_REDEEM ?
				 errdetail("The constraints cap redemptions (offer_redemptions).") : 0,
				 argno == ARG_USER ? 0 :
				 errhint("Mark an offer ineligible for a user with a NULL element of value.")));
}

/* The number of offers of a row: value, cost and redeem (or NULL) of equal lengths. */
static int
RowOffers(ArrayType *v, ArrayType *c, ArrayType *r)
{
	int			m = promo_vector_length(v, "value");

	promo_check_not_empty("value", m);
	if (m > PROMO_ASSIGN_MAX_OFFERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("promo.assign takes at most %d offers, not %d", PROMO_ASSIGN_MAX_OFFERS, m)));
	promo_check_length("cost", promo_vector_length(c, "cost"), m);
	if (r != NULL)
		promo_check_length("redeem", promo_vector_length(r, "redeem"), m);
	return m;
}

/* The first row's state: its offers and its constraints, parsed in aggctx. */
static AssignState *
FirstState(FunctionCallInfo fcinfo, MemoryContext aggctx, int m)
{
	MemoryContext old = MemoryContextSwitchTo(aggctx);
	Jsonb	   *raw = PG_ARGISNULL(ARG_CONSTRAINTS) ? NULL :
		PG_GETARG_JSONB_P_COPY(ARG_CONSTRAINTS);
	AssignSettings settings;
	AssignState *st;

	ParseSettings(&settings, raw, m);
	st = NewState(aggctx, m, &settings);
	st->raw = raw;
	st->raw_known = true;
	st->constant = promo_agg_arg_is_constant(fcinfo, ARG_CONSTRAINTS);
	MemoryContextSwitchTo(old);
	return st;
}

/*
 * promo.assign transition: keep the user's row.  user_id, value and cost
 * must not be NULL; NULL elements of value (and there of cost and redeem)
 * mark ineligible offers.  A NULL redeem is no redemptions, unless the
 * constraints cap them.
 */
PG_FUNCTION_INFO_V1(promo_assign_accum);
Datum
promo_assign_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AssignState *st = PG_ARGISNULL(0) ? NULL : (AssignState *) PG_GETARG_POINTER(0);
	PromoArrayBuffer vbuf;
	PromoArrayBuffer cbuf;
	PromoArrayBuffer rbuf;
	ArrayType  *v;
	ArrayType  *c;
	ArrayType  *r;
	int			m;
	int64		q;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "promo_assign_accum called in non-aggregate context");
	RequireArgument(fcinfo, ARG_USER, "user_id");
	RequireArgument(fcinfo, ARG_VALUE, "value");
	RequireArgument(fcinfo, ARG_COST, "cost");
	v = promo_array_arg(fcinfo, ARG_VALUE, &vbuf);
	c = promo_array_arg(fcinfo, ARG_COST, &cbuf);
	r = PG_ARGISNULL(ARG_REDEEM) ? NULL : promo_array_arg(fcinfo, ARG_REDEEM, &rbuf);
	m = RowOffers(v, c, r);
	if (st == NULL)
		st = FirstState(fcinfo, aggctx, m);
	else
	{
		CheckRowOffers(st, m);
		CheckConstraints(fcinfo, st);
	}
	if (r == NULL && st->settings.offer_redemptions != NULL)
		RequireArgument(fcinfo, ARG_REDEEM, "redeem");
	Reserve(st, aggctx, 1);
	q = st->n;
	st->user_id[q] = PG_GETARG_INT64(ARG_USER);
	promo_vector_into(v, st->value + q * m, NAN);
	promo_vector_into(c, st->cost + q * m, NAN);
	if (r != NULL)
		promo_vector_into(r, st->redeem + q * m, NAN);
	else
		memset(st->redeem + q * m, 0, sizeof(double) * m);
	CheckEntries(st, q);
	st->n++;
	PG_RETURN_POINTER(st);
}

/* Append n users (ids, row-major arrays) to the state. */
static void
AppendUsers(AssignState *st, MemoryContext cxt, const int64 *ids, const double *v,
			const double *c, const double *r, int64 n)
{
	Size		cells = (Size) n * st->m;

	if (n == 0)
		return;
	Reserve(st, cxt, n);
	memcpy(st->user_id + st->n, ids, sizeof(int64) * n);
	memcpy(st->value + st->n * st->m, v, sizeof(double) * cells);
	memcpy(st->cost + st->n * st->m, c, sizeof(double) * cells);
	memcpy(st->redeem + st->n * st->m, r, sizeof(double) * cells);
	st->n += n;
}

/* promo.assign combine: append the users of the second state. */
PG_FUNCTION_INFO_V1(promo_assign_combine);
Datum
promo_assign_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AssignState *a = PG_ARGISNULL(0) ? NULL : (AssignState *) PG_GETARG_POINTER(0);
	AssignState *b = PG_ARGISNULL(1) ? NULL : (AssignState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "promo_assign_combine called in non-aggregate context");
	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = NewState(aggctx, b->m, &b->settings);
	CheckRowOffers(a, b->m);
	if (!SettingsEqual(&a->settings, &b->settings, a->m))
		DifferentConstraints();
	AppendUsers(a, aggctx, b->user_id, b->value, b->cost, b->redeem, b->n);
	PG_RETURN_POINTER(a);
}

/* What serialize writes before the per-offer caps and the users. */
typedef struct SerialHeader
{
	int32		m;
	int32		has_offer_budget;
	int32		has_offer_redemptions;
	int32		max_iter;
	int64		n;
	int64		max_contacts;
	double		budget;
	double		min_roi;
	double		tol;
} SerialHeader;

/* Bytes serialize writes for n users of m offers and ncaps cap arrays. */
static Size
SerialSize(int64 n, int m, int ncaps)
{
	return sizeof(SerialHeader) + sizeof(double) * ((Size) ncaps * m) +
		(sizeof(int64) + 3 * sizeof(double) * (Size) m) * (Size) n;
}

/* Append len bytes at *p and move past them. */
static void
Put(char **p, const void *data, Size len)
{
	memcpy(*p, data, len);
	*p += len;
}

/* promo.assign serialize: the settings, then the users. */
PG_FUNCTION_INFO_V1(promo_assign_serialize);
Datum
promo_assign_serialize(PG_FUNCTION_ARGS)
{
	AssignState *st = (AssignState *) PG_GETARG_POINTER(0);
	const AssignSettings *s = &st->settings;
	SerialHeader h;
	int			ncaps = (s->offer_budget != NULL) + (s->offer_redemptions != NULL);
	Size		size = VARHDRSZ + SerialSize(st->n, st->m, ncaps);
	Size		cells = (Size) st->n * st->m;
	bytea	   *out;
	char	   *p;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("assign state of %lld users is too large to pass between parallel workers",
						(long long) st->n),
				 errhint("Run the aggregate without parallel workers.")));
	memset(&h, 0, sizeof(h));
	h.m = st->m;
	h.has_offer_budget = s->offer_budget != NULL;
	h.has_offer_redemptions = s->offer_redemptions != NULL;
	h.max_iter = s->max_iter;
	h.n = st->n;
	h.max_contacts = s->max_contacts;
	h.budget = s->budget;
	h.min_roi = s->min_roi;
	h.tol = s->tol;
	out = palloc_extended(size, MCXT_ALLOC_HUGE);
	SET_VARSIZE(out, size);
	p = VARDATA(out);
	Put(&p, &h, sizeof(h));
	if (s->offer_budget != NULL)
		Put(&p, s->offer_budget, sizeof(double) * st->m);
	if (s->offer_redemptions != NULL)
		Put(&p, s->offer_redemptions, sizeof(double) * st->m);
	if (st->n > 0)
	{
		Put(&p, st->user_id, sizeof(int64) * st->n);
		Put(&p, st->value, sizeof(double) * cells);
		Put(&p, st->cost, sizeof(double) * cells);
		Put(&p, st->redeem, sizeof(double) * cells);
	}
	PG_RETURN_BYTEA_P(out);
}

/* Settings from a deserialized header and caps, checked as parsed ones. */
static AssignSettings
HeaderSettings(const SerialHeader *h, double *offer_budget, double *offer_redemptions)
{
	AssignSettings s;
	PromoAssignProblem p;

	memset(&s, 0, sizeof(s));
	s.budget = h->budget;
	s.max_contacts = h->max_contacts;
	s.min_roi = h->min_roi;
	s.max_iter = h->max_iter;
	s.tol = h->tol;
	s.offer_budget = offer_budget;
	s.offer_budget_len = offer_budget != NULL ? h->m : 0;
	s.offer_redemptions = offer_redemptions;
	s.offer_redemptions_len = offer_redemptions != NULL ? h->m : 0;
	p = Problem(&s, 0, h->m);
	if (promo_assign_invalid(&p) != NULL || h->max_contacts < 0)
		promo_bad_state("The assign state's constraints are not valid.");
	return s;
}

/* promo.assign deserialize: the inverse of serialize, checked. */
PG_FUNCTION_INFO_V1(promo_assign_deserialize);
Datum
promo_assign_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_P(0);
	Size		size = VARSIZE(in) - VARHDRSZ;
	const char *p = VARDATA(in);
	SerialHeader h;
	double	   *caps[2] = {NULL, NULL};
	AssignSettings s;
	AssignState *st;
	const int64 *ids;
	const double *v;
	int			ncaps;

	if (size < sizeof(h))
		promo_bad_state("The assign state is too short.");
	memcpy(&h, p, sizeof(h));
	ncaps = (h.has_offer_budget != 0) + (h.has_offer_redemptions != 0);
	if (h.m < 1 || h.m > PROMO_ASSIGN_MAX_OFFERS || h.n < 0 ||
		(Size) h.n > size / sizeof(int64) || size != SerialSize(h.n, h.m, ncaps))
		promo_bad_state("The assign state's header does not match its length.");
	p += sizeof(h);
	for (int k = 0; k < ncaps; k++)
	{
		caps[k] = palloc(sizeof(double) * h.m);
		memcpy(caps[k], p, sizeof(double) * h.m);
		p += sizeof(double) * h.m;
	}
	s = HeaderSettings(&h, h.has_offer_budget ? caps[0] : NULL,
					   h.has_offer_redemptions ? caps[ncaps - 1] : NULL);
	st = NewState(CurrentMemoryContext, h.m, &s);
	ids = (const int64 *) p;
	v = (const double *) (ids + h.n);
	AppendUsers(st, CurrentMemoryContext, ids, v, v + h.n * h.m, v + 2 * h.n * h.m, h.n);
	for (int64 q = 0; q < st->n; q++)
		CheckEntries(st, q);
	PG_RETURN_POINTER(st);
}

/* ---- solving ---- */

/* A user's id and row, sorted by id. */
typedef struct UserKey
{
	int64		id;
	int64		row;
} UserKey;

/* Ascending user_id (ids are unique by then, or an error follows). */
static int
CompareUserKeys(const void *a, const void *b)
{
	const UserKey *x = a;
	const UserKey *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* Error: a user_id appears twice in one group. */
static void
DuplicateUser(int64 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("user_id %lld appears more than once in one promo.assign group",
					(long long) id),
			 errhint("Give each user one row per group, with one array element per offer.")));
}

/*
 * The users in ascending user_id order, so that the result does not depend
 * on the order of the rows: NULL when the rows already are; else the row
 * of each user in that order, found in one pass when the rows are a
 * rotation of sorted rows (a synchronized scan that started mid-table),
 * else by sorting.  A user_id twice is an error.
 */
static uint32 *
UserOrder(const AssignState *st)
{
	const int64 *id = st->user_id;
	int64		n = st->n;
	int64		descents = 0;
	int64		at = 0;
	uint32	   *order;
	UserKey    *keys;

	for (int64 q = 1; q < n; q++)
		if (id[q - 1] >= id[q])
		{
			descents++;
			at = q;
		}
	if (descents == 0)
		return NULL;
	order = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	if (descents == 1 && id[at - 1] > id[at] && id[n - 1] < id[0])
	{
		for (int64 i = 0; i < n; i++)
			order[i] = (uint32) ((at + i) % n);
		return order;
	}
	keys = palloc_extended(sizeof(UserKey) * n, MCXT_ALLOC_HUGE);
	for (int64 q = 0; q < n; q++)
	{
		keys[q].id = id[q];
		keys[q].row = q;
	}
	qsort(keys, n, sizeof(UserKey), CompareUserKeys);
	for (int64 i = 0; i < n; i++)
	{
		if (i > 0 && keys[i].id == keys[i - 1].id)
			DuplicateUser(keys[i].id);
		order[i] = (uint32) keys[i].row;
	}
	pfree(keys);
	return order;
}

/* Hook for the core: a cancelled query stops the solver. */
static void
HookInterrupt(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

/* The solver's per-user outputs. */
typedef struct AssignOutput
{
	PromoAssignResult r;
	int32	   *offer;
	int32	   *runner_up;
	double	   *runner_up_value;
	uint8	   *status;
	double	   *offers;
	double		solver_bytes;	/* work space and outputs */
} AssignOutput;

/* Solve the state's users in the order given (NULL: as held) into out. */
static void
Solve(AssignState *st, const uint32 *order, AssignOutput *out)
{
	PromoAssignProblem p = Problem(&st->settings, st->n, st->m);
	PromoAssignHooks hooks = {NULL, HookInterrupt};
	void	   *work;

	p.value = st->value;
	p.cost = st->cost;
	p.redeem = st->redeem;
	p.order = order;
	memset(out, 0, sizeof(*out));
	out->offer = palloc_extended(sizeof(int32) * Max(st->n, 1), MCXT_ALLOC_HUGE);
	out->runner_up = palloc_extended(sizeof(int32) * Max(st->n, 1), MCXT_ALLOC_HUGE);
	out->runner_up_value = palloc_extended(sizeof(double) * Max(st->n, 1), MCXT_ALLOC_HUGE);
	out->status = palloc_extended(Max(st->n, 1), MCXT_ALLOC_HUGE);
	out->offers = palloc(sizeof(double) * PROMO_ASSIGN_OFFER_FIELDS * st->m);
	out->r.offer = out->offer;
	out->r.runner_up = out->runner_up;
	out->r.runner_up_value = out->runner_up_value;
	out->r.status = out->status;
	out->r.offers = out->offers;
	work = palloc_extended(promo_assign_work_bytes((size_t) st->n, st->m), MCXT_ALLOC_HUGE);
	out->solver_bytes = (double) promo_assign_work_bytes((size_t) st->n, st->m) +
		(2.0 * sizeof(int32) + sizeof(double) + 1.0) * st->n;
	promo_assign_solve(&p, &out->r, work, &hooks);
	pfree(work);
}

/*
 * A 1-D array of n fixed-size pass-by-value elements (int4, int8, float8)
 * whose element i is NULL where isnull[i] (isnull NULL: none).
 */
static ArrayType *
FixedArray(const char *values, const bool *isnull, int64 n, Oid type, int size)
{
	int64		nonnull = 0;
	Size		overhead;
	ArrayType  *arr;
	char	   *p;
	bits8	   *bitmap;

	for (int64 i = 0; i < n; i++)
		nonnull += isnull == NULL || !isnull[i];
	overhead = nonnull < n ? ARR_OVERHEAD_WITHNULLS(1, n) : ARR_OVERHEAD_NONULLS(1);
	arr = palloc_extended(overhead + size * (Size) nonnull, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	SET_VARSIZE(arr, overhead + size * (Size) nonnull);
	arr->ndim = n > 0 ? 1 : 0;
	arr->dataoffset = nonnull < n ? overhead : 0;
	arr->elemtype = type;
	ARR_DIMS(arr)[0] = (int) n;
	ARR_LBOUND(arr)[0] = 1;
	p = ARR_DATA_PTR(arr);
	bitmap = ARR_NULLBITMAP(arr);
	for (int64 i = 0; i < n; i++)
	{
		if (isnull != NULL && isnull[i])
			continue;
		memcpy(p, values + i * size, size);
		p += size;
		if (bitmap != NULL)
			bitmap[i / 8] |= 1 << (i % 8);
	}
	return arr;
}

/* The int8[] of the user ids in the order given (NULL: as held). */
static ArrayType *
UserIdArray(const AssignState *st, const uint32 *order)
{
	int64	   *ids = st->user_id;

	if (order != NULL)
	{
		ids = palloc_extended(sizeof(int64) * st->n, MCXT_ALLOC_HUGE);
		for (int64 i = 0; i < st->n; i++)
			ids[i] = st->user_id[order[i]];
	}
	return FixedArray((const char *) ids, NULL, st->n, INT8OID, sizeof(int64));
}

/* An int4[] of 1-based offers from 0-based ones, NULL for none. */
static ArrayType *
OfferArray(const int32 *offer, int64 n)
{
	int32	   *one_based = palloc_extended(sizeof(int32) * Max(n, 1), MCXT_ALLOC_HUGE);
	bool	   *isnull = palloc_extended(Max(n, 1), MCXT_ALLOC_HUGE);

	ArrayType  *arr;

	for (int64 i = 0; i < n; i++)
	{
		isnull[i] = offer[i] < 0;
		one_based[i] = offer[i] + 1;
	}
	arr = FixedArray((const char *) one_based, isnull, n, INT4OID, sizeof(int32));
	pfree(one_based);
	pfree(isnull);
	return arr;
}

/* A float8[] with NULL where a value is NaN. */
static ArrayType *
NullableFloat8Array(const double *values, int64 n)
{
	bool	   *isnull = palloc_extended(Max(n, 1), MCXT_ALLOC_HUGE);
	ArrayType  *arr;

	for (int64 i = 0; i < n; i++)
		isnull[i] = isnan(values[i]);
	arr = FixedArray((const char *) values, isnull, n, FLOAT8OID, sizeof(double));
	pfree(isnull);
	return arr;
}

/* The text[] of the statuses' names. */
static ArrayType *
StatusArray(const uint8 *status, int64 n)
{
	Datum		names[PROMO_ASSIGN_STATUS_COUNT];
	Datum	   *elems = palloc_extended(sizeof(Datum) * Max(n, 1), MCXT_ALLOC_HUGE);
	ArrayType  *arr;

	for (int k = 0; k < PROMO_ASSIGN_STATUS_COUNT; k++)
		names[k] = PointerGetDatum(cstring_to_text(promo_assign_status_name(k)));
	for (int64 i = 0; i < n; i++)
		elems[i] = names[status[i]];
	arr = construct_array(elems, (int) n, TEXTOID, -1, false, TYPALIGN_INT);
	pfree(elems);
	return arr;
}

/* ---- the report ---- */

/* Push a key of the object being built. */
static void
PushKey(JsonbParseState **ps, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(ps, WJB_KEY, &k);
}

/* Push a number (null when not finite) as an object value or element. */
static void
PushNumber(JsonbParseState **ps, JsonbIteratorToken token, double v)
{
	JsonbValue	x;

	if (isfinite(v))
	{
		x.type = jbvNumeric;
		x.val.numeric = DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(v)));
	}
	else
		x.type = jbvNull;
	pushJsonbValue(ps, token, &x);
}

/* Push key: v. */
static void
PushField(JsonbParseState **ps, const char *key, double v)
{
	PushKey(ps, key);
	PushNumber(ps, WJB_VALUE, v);
}

/* Push key: [m values], field f of each offer's figures. */
static void
PushOfferArray(JsonbParseState **ps, const char *key, const double *offers, int m, int f)
{
	PushKey(ps, key);
	pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
	for (int j = 0; j < m; j++)
		PushNumber(ps, WJB_ELEM, offers[j * PROMO_ASSIGN_OFFER_FIELDS + f]);
	pushJsonbValue(ps, WJB_END_ARRAY, NULL);
}

/* Push key: [the m caps], null for none. */
static void
PushCaps(JsonbParseState **ps, const char *key, const double *caps, int m)
{
	PushKey(ps, key);
	pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
	for (int j = 0; j < m; j++)
		PushNumber(ps, WJB_ELEM, caps != NULL ? caps[j] : INFINITY);
	pushJsonbValue(ps, WJB_END_ARRAY, NULL);
}

/* Push key: the count of users per status, every status named. */
static void
PushStatusCounts(JsonbParseState **ps, const char *key, const PromoAssignResult *r)
{
	PushKey(ps, key);
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	for (int k = 0; k < PROMO_ASSIGN_STATUS_COUNT; k++)
		PushField(ps, promo_assign_status_name(k), r->status_count[k]);
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

/* Push key: true or false. */
static void
PushBool(JsonbParseState **ps, const char *key, bool b)
{
	JsonbValue	x;

	PushKey(ps, key);
	x.type = jbvBool;
	x.val.boolean = b;
	pushJsonbValue(ps, WJB_VALUE, &x);
}

/* The report: totals, caps, multipliers, per-offer figures, the solver's run. */
static Jsonb *
Report(const AssignState *st, const AssignOutput *out)
{
	const PromoAssignResult *r = &out->r;
	const AssignSettings *s = &st->settings;
	JsonbParseState *ps = NULL;
	JsonbValue *res;

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	PushField(&ps, "users", (double) st->n);
	PushField(&ps, "contacts", r->contacts);
	PushField(&ps, "spend", r->spend);
	PushField(&ps, "profit", r->profit);
	PushField(&ps, "redemptions", r->redemptions);
	PushField(&ps, "dual_bound", r->dual_bound);
	PushField(&ps, "gap", r->gap);
	PushField(&ps, "budget", s->budget);
	PushField(&ps, "max_contacts", s->max_contacts > 0 ? (double) s->max_contacts : INFINITY);
	PushField(&ps, "min_roi", s->min_roi);
	PushKey(&ps, "multipliers");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	PushField(&ps, "budget", r->lambda_budget);
	PushField(&ps, "contacts", r->lambda_contacts);
	PushOfferArray(&ps, "offer_budget", out->offers, st->m, PROMO_ASSIGN_O_LAMBDA_BUDGET);
	PushOfferArray(&ps, "offer_redemptions", out->offers, st->m, PROMO_ASSIGN_O_LAMBDA_REDEMPTIONS);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	PushKey(&ps, "offers");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	PushOfferArray(&ps, "users", out->offers, st->m, PROMO_ASSIGN_O_USERS);
	PushOfferArray(&ps, "spend", out->offers, st->m, PROMO_ASSIGN_O_SPEND);
	PushOfferArray(&ps, "redemptions", out->offers, st->m, PROMO_ASSIGN_O_REDEMPTIONS);
	PushOfferArray(&ps, "profit", out->offers, st->m, PROMO_ASSIGN_O_PROFIT);
	PushCaps(&ps, "budget", s->offer_budget, st->m);
	PushCaps(&ps, "max_redemptions", s->offer_redemptions, st->m);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	PushStatusCounts(&ps, "status", r);
	PushField(&ps, "iterations", r->iterations);
	PushField(&ps, "sample_iterations", r->sample_iterations);
	PushField(&ps, "passes", round(r->passes * 100.0) / 100.0);
	PushBool(&ps, "converged", r->converged);
	PushField(&ps, "repaired", r->repaired);
	PushField(&ps, "filled", r->filled);
	PushField(&ps, "state_bytes", (double) st->n * (sizeof(int64) + 3.0 * sizeof(double) * st->m));
	PushField(&ps, "solver_bytes", out->solver_bytes);
	res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/* Error unless the result row's values fit in one value of at most 1 GB. */
static void
CheckResultSize(const Datum *values, int64 n)
{
	double		bytes = 0.0;

	for (int k = 0; k < 6; k++)
		bytes += VARSIZE(DatumGetPointer(values[k]));
	if (!AllocSizeIsValid(bytes + 1024.0))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("promo.assign result of %lld users is larger than 1 GB", (long long) n),
				 errhint("Assign smaller groups (GROUP BY campaign or segment).")));
}

/*
 * promo.assign final: the users in user_id order with their offer (1-based,
 * NULL for none), runner-up offer and its value, status, and the report.
 * NULL without rows.
 */
PG_FUNCTION_INFO_V1(promo_assign_final);
Datum
promo_assign_final(PG_FUNCTION_ARGS)
{
	AssignState *st = PG_ARGISNULL(0) ? NULL : (AssignState *) PG_GETARG_POINTER(0);
	AssignOutput out;
	uint32	   *order;
	TupleDesc	desc;
	Datum		values[6];
	bool		nulls[6] = {false};

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type of promo.assign must be a row type");
	order = UserOrder(st);
	Solve(st, order, &out);
	values[0] = PointerGetDatum(UserIdArray(st, order));
	values[1] = PointerGetDatum(OfferArray(out.offer, st->n));
	values[2] = PointerGetDatum(OfferArray(out.runner_up, st->n));
	values[3] = PointerGetDatum(NullableFloat8Array(out.runner_up_value, st->n));
	values[4] = PointerGetDatum(StatusArray(out.status, st->n));
	values[5] = JsonbPGetDatum(Report(st, &out));
	CheckResultSize(values, st->n);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
