/*
 * test_markov.c
 *		Unit tests of markov.c: counting, merging and absorbing probabilities.
 */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "markov.h"

#define S PROMO_MARKOV_STATES
#define START PROMO_MARKOV_START
#define VIEW PROMO_MARKOV_VIEW
#define CART PROMO_MARKOV_CART
#define PURCHASE PROMO_MARKOV_PURCHASE
#define RATING PROMO_MARKOV_RATING
#define END PROMO_MARKOV_END

/* Element of the count of moves from i to j, and of the visits of i. */
#define MOVE(i, j) (S * (i) + (j))
#define VISITS(i) (PROMO_MARKOV_VISITS + (i))

/* Events of the sequence that is split and concatenated. */
#define NEVENTS 40

/*
 * The hand-made example of sql/markov.sql: four users with the event
 * sequences view cart purchase / view view cart view / view / cart
 * purchase rating.
 */
static const int example_users[4][4] = {
	{VIEW, CART, PURCHASE, -1},
	{VIEW, VIEW, CART, VIEW},
	{VIEW, -1, -1, -1},
	{CART, PURCHASE, RATING, -1},
};

/* Its counts, worked out by hand. */
static const double example_counts[PROMO_MARKOV_COUNTS] = {
	0, 3, 1, 0, 0, 0,			/* start */
	0, 1, 2, 0, 0, 2,			/* view */
	0, 1, 0, 2, 0, 0,			/* cart */
	0, 0, 0, 0, 1, 1,			/* purchase */
	0, 0, 0, 0, 0, 1,			/* rating */
	0, 0, 0, 0, 0, 0,			/* end */
	4, 5, 3, 2, 1, 4			/* visits */
};

/* The counts of a sequence of n events. */
static bool
count_sequence(const int *events, int n, double *counts)
{
	double		seq[PROMO_MARKOV_SEQ_LEN];

	promo_markov_sequence_init(seq);
	for (int k = 0; k < n; k++)
		promo_markov_sequence_add(seq, events[k]);
	return promo_markov_sequence_close(seq, counts);
}

/* The example's counts, summed over its users. */
static void
example(double *counts)
{
	memset(counts, 0, sizeof(double) * PROMO_MARKOV_COUNTS);
	for (int u = 0; u < 4; u++)
	{
		double		one[PROMO_MARKOV_COUNTS];
		int			n = 0;

		while (n < 4 && example_users[u][n] >= 0)
			n++;
		CHECK(count_sequence(example_users[u], n, one));
		CHECK(promo_markov_counts_add(counts, one));
	}
}

/* Probability of reaching purchase before end by value iteration. */
static void
iterate_probability(const double *counts, double *p)
{
	double		prob[S * S];

	promo_markov_transition_probabilities(counts, prob);
	for (int s = 0; s < S; s++)
		p[s] = 0.0;
	p[PURCHASE] = 1.0;
	for (int it = 0; it < 20000; it++)
	{
		for (int s = 0; s < S; s++)
		{
			double		sum = 0.0;

			if (s == PURCHASE || s == END || isnan(prob[S * s]))
				continue;
			for (int t = 0; t < S; t++)
				sum += prob[S * s + t] * p[t];
			p[s] = sum;
		}
	}
}

static void
markov_event_states(void)
{
	CHECK_INT(promo_markov_event_state("view", 4), VIEW);
	CHECK_INT(promo_markov_event_state("cart", 4), CART);
	CHECK_INT(promo_markov_event_state("purchase", 8), PURCHASE);
	CHECK_INT(promo_markov_event_state("rating", 6), RATING);
	/* start and end are not event types; names are exact and case-sensitive */
	CHECK_INT(promo_markov_event_state("start", 5), -1);
	CHECK_INT(promo_markov_event_state("end", 3), -1);
	CHECK_INT(promo_markov_event_state("View", 4), -1);
	CHECK_INT(promo_markov_event_state("views", 5), -1);
	CHECK_INT(promo_markov_event_state("view", 3), -1);
	CHECK_INT(promo_markov_event_state("", 0), -1);
	/* not NUL-terminated: only len bytes are read */
	CHECK_INT(promo_markov_event_state("cartx", 4), CART);
	CHECK(strcmp(promo_markov_state_name(START), "start") == 0);
	CHECK(strcmp(promo_markov_state_name(END), "end") == 0);
	CHECK(strcmp(promo_markov_state_name(6), "?") == 0);
}

/* The hand-made example counts as worked out by hand. */
static void
markov_counts_example(void)
{
	double		counts[PROMO_MARKOV_COUNTS];
	int			where;

	example(counts);
	for (int k = 0; k < PROMO_MARKOV_COUNTS; k++)
		CHECK_CLOSE(counts[k], example_counts[k], 0.0);
	CHECK_INT(promo_markov_counts_check(counts, &where), PROMO_MARKOV_OK);
}

static void
markov_single_event(void)
{
	int			events[] = {PURCHASE};
	double		counts[PROMO_MARKOV_COUNTS];

	CHECK(count_sequence(events, 1, counts));
	for (int k = 0; k < PROMO_MARKOV_COUNTS; k++)
	{
		bool		one = k == MOVE(START, PURCHASE) || k == MOVE(PURCHASE, END) ||
			k == VISITS(START) || k == VISITS(PURCHASE) || k == VISITS(END);

		CHECK_CLOSE(counts[k], one ? 1.0 : 0.0, 0.0);
	}
}

/* An empty sequence closes to nothing and leaves the counts alone. */
static void
markov_empty_sequence(void)
{
	double		counts[PROMO_MARKOV_COUNTS];

	for (int k = 0; k < PROMO_MARKOV_COUNTS; k++)
		counts[k] = 42.0;
	CHECK(!count_sequence(NULL, 0, counts));
	for (int k = 0; k < PROMO_MARKOV_COUNTS; k++)
		CHECK_CLOSE(counts[k], 42.0, 0.0);
}

/* Splitting a sequence anywhere and concatenating the parts changes nothing. */
static void
markov_concat_matches_one_pass(void)
{
	int			events[NEVENTS];
	double		whole[PROMO_MARKOV_COUNTS];
	uint64_t	st = 12345;

	for (int k = 0; k < NEVENTS; k++)
		events[k] = 1 + (int) unit_uniform(&st, 0.0, 4.0);
	CHECK(count_sequence(events, NEVENTS, whole));

	for (int cut1 = 0; cut1 <= NEVENTS; cut1++)
	{
		int			cut2 = cut1 + (NEVENTS - cut1) / 2;
		double		a[PROMO_MARKOV_SEQ_LEN];
		double		b[PROMO_MARKOV_SEQ_LEN];
		double		c[PROMO_MARKOV_SEQ_LEN];
		double		bc[PROMO_MARKOV_SEQ_LEN];
		double		left[PROMO_MARKOV_COUNTS];
		double		right[PROMO_MARKOV_COUNTS];

		promo_markov_sequence_init(a);
		promo_markov_sequence_init(b);
		promo_markov_sequence_init(c);
		for (int k = 0; k < NEVENTS; k++)
			promo_markov_sequence_add(k < cut1 ? a : k < cut2 ? b : c, events[k]);

		/* (a b) c and a (b c), either part possibly empty */
		memcpy(bc, b, sizeof(bc));
		promo_markov_sequence_concat(bc, c);
		promo_markov_sequence_concat(b, c);
		promo_markov_sequence_concat(a, b);
		CHECK(promo_markov_sequence_close(a, left));
		promo_markov_sequence_init(b);
		for (int k = 0; k < cut1; k++)
			promo_markov_sequence_add(b, events[k]);
		promo_markov_sequence_concat(b, bc);
		CHECK(promo_markov_sequence_close(b, right));
		for (int k = 0; k < PROMO_MARKOV_COUNTS; k++)
		{
			CHECK_CLOSE(left[k], whole[k], 0.0);
			CHECK_CLOSE(right[k], whole[k], 0.0);
		}
	}
}

/* Concatenating two empty sequences stays empty. */
static void
markov_concat_empty(void)
{
	double		a[PROMO_MARKOV_SEQ_LEN];
	double		b[PROMO_MARKOV_SEQ_LEN];
	double		counts[PROMO_MARKOV_COUNTS];

	promo_markov_sequence_init(a);
	promo_markov_sequence_init(b);
	promo_markov_sequence_concat(a, b);
	CHECK(!promo_markov_sequence_close(a, counts));
	CHECK_CLOSE(a[PROMO_MARKOV_SEQ_FIRST], -1.0, 0.0);
	CHECK_CLOSE(a[PROMO_MARKOV_SEQ_LAST], -1.0, 0.0);
}

/* Each way a counts array can be invalid, with the element or state at fault. */
static void
markov_counts_check(void)
{
	double		c[PROMO_MARKOV_COUNTS];
	int			where;

	memcpy(c, example_counts, sizeof(c));
	c[MOVE(VIEW, CART)] = -1.0;
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_NEGATIVE);
	CHECK_INT(where, MOVE(VIEW, CART));

	memcpy(c, example_counts, sizeof(c));
	c[VISITS(RATING)] = 0.5;
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_FRACTIONAL);
	CHECK_INT(where, VISITS(RATING));

	memcpy(c, example_counts, sizeof(c));
	c[MOVE(START, END)] = 2 * PROMO_MARKOV_MAX_COUNT;
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_TOO_LARGE);
	CHECK_INT(where, MOVE(START, END));

	memcpy(c, example_counts, sizeof(c));
	c[MOVE(CART, START)] = 1.0;
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_INTO_START);
	CHECK_INT(where, MOVE(CART, START));

	memcpy(c, example_counts, sizeof(c));
	c[MOVE(END, VIEW)] = 1.0;
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_OUT_OF_END);
	CHECK_INT(where, MOVE(END, VIEW));

	/* one more cart -> view: cart is left 4 times in 3 visits */
	memcpy(c, example_counts, sizeof(c));
	c[MOVE(CART, VIEW)] += 1.0;
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_UNBALANCED_OUT);
	CHECK_INT(where, CART);

	/* and one more cart visit: now view is entered 6 times in 5 visits */
	c[VISITS(CART)] += 1.0;
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_UNBALANCED_IN);
	CHECK_INT(where, VIEW);

	/* all zeros (no sequence) and a bare start -> end are valid */
	memset(c, 0, sizeof(c));
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_OK);
	c[MOVE(START, END)] = c[VISITS(START)] = c[VISITS(END)] = PROMO_MARKOV_MAX_COUNT;
	CHECK_INT(promo_markov_counts_check(c, &where), PROMO_MARKOV_OK);
}

/* Sums beyond 2^53 are reported; the sum is still formed. */
static void
markov_counts_add_overflow(void)
{
	double		a[PROMO_MARKOV_COUNTS] = {0};
	double		b[PROMO_MARKOV_COUNTS] = {0};

	a[MOVE(START, END)] = PROMO_MARKOV_MAX_COUNT - 2.0;
	b[MOVE(START, END)] = 2.0;
	CHECK(promo_markov_counts_add(a, b));
	CHECK(!promo_markov_counts_add(a, b));
}

/* Transition probabilities of the example: rows over visits, NaN for end. */
static void
markov_transition_probabilities(void)
{
	double		counts[PROMO_MARKOV_COUNTS];
	double		prob[S * S];

	example(counts);
	promo_markov_transition_probabilities(counts, prob);
	CHECK_CLOSE(prob[MOVE(START, VIEW)], 0.75, 1e-15);
	CHECK_CLOSE(prob[MOVE(START, CART)], 0.25, 1e-15);
	CHECK_CLOSE(prob[MOVE(VIEW, VIEW)], 0.2, 1e-15);
	CHECK_CLOSE(prob[MOVE(VIEW, CART)], 0.4, 1e-15);
	CHECK_CLOSE(prob[MOVE(VIEW, END)], 0.4, 1e-15);
	CHECK_CLOSE(prob[MOVE(CART, VIEW)], 1.0 / 3.0, 1e-15);
	CHECK_CLOSE(prob[MOVE(CART, PURCHASE)], 2.0 / 3.0, 1e-15);
	CHECK_CLOSE(prob[MOVE(PURCHASE, RATING)], 0.5, 1e-15);
	CHECK_CLOSE(prob[MOVE(PURCHASE, END)], 0.5, 1e-15);
	CHECK_CLOSE(prob[MOVE(RATING, END)], 1.0, 1e-15);
	CHECK_CLOSE(prob[MOVE(VIEW, PURCHASE)], 0.0, 0.0);
	for (int t = 0; t < S; t++)
		CHECK(isnan(prob[MOVE(END, t)]));
}

/*
 * The example by hand: p_rating = 0 (rating only ends), p_cart = 2/3 +
 * p_view / 3, p_view = p_view / 5 + 2 p_cart / 5, so p_view = 2/5,
 * p_cart = 4/5 and p_start = 3/4 * 2/5 + 1/4 * 4/5 = 1/2.
 */
static void
markov_purchase_probability_example(void)
{
	double		counts[PROMO_MARKOV_COUNTS];
	double		p[S];

	example(counts);
	CHECK_INT(promo_markov_purchase_probability(counts, p), PROMO_MARKOV_OK);
	CHECK_CLOSE(p[START], 0.5, 1e-14);
	CHECK_CLOSE(p[VIEW], 0.4, 1e-14);
	CHECK_CLOSE(p[CART], 0.8, 1e-14);
	CHECK_CLOSE(p[PURCHASE], 1.0, 0.0);
	CHECK_CLOSE(p[RATING], 0.0, 0.0);
	CHECK_CLOSE(p[END], 0.0, 0.0);
}

/* States never left are NaN; states that cannot reach purchase are 0. */
static void
markov_purchase_probability_unvisited(void)
{
	int			events[] = {VIEW, VIEW};
	double		counts[PROMO_MARKOV_COUNTS];
	double		p[S];

	CHECK(count_sequence(events, 2, counts));
	CHECK_INT(promo_markov_purchase_probability(counts, p), PROMO_MARKOV_OK);
	CHECK_CLOSE(p[START], 0.0, 0.0);
	CHECK_CLOSE(p[VIEW], 0.0, 0.0);
	CHECK(isnan(p[CART]));
	CHECK(isnan(p[RATING]));
	CHECK_CLOSE(p[PURCHASE], 1.0, 0.0);
	CHECK_CLOSE(p[END], 0.0, 0.0);

	memset(counts, 0, sizeof(counts));
	CHECK_INT(promo_markov_purchase_probability(counts, p), PROMO_MARKOV_OK);
	CHECK(isnan(p[START]) && isnan(p[VIEW]) && isnan(p[CART]) && isnan(p[RATING]));
}

/*
 * Valid counts that no set of sequences gives: a view <-> cart cycle that
 * never leaves.  Its states cannot reach purchase, so they get 0 instead
 * of making I - Q singular.
 */
static void
markov_purchase_probability_closed_cycle(void)
{
	double		counts[PROMO_MARKOV_COUNTS] = {0};
	double		p[S];
	int			where;

	counts[MOVE(START, PURCHASE)] = counts[MOVE(PURCHASE, END)] = 1.0;
	counts[MOVE(VIEW, CART)] = counts[MOVE(CART, VIEW)] = 1.0;
	counts[VISITS(START)] = counts[VISITS(PURCHASE)] = counts[VISITS(END)] = 1.0;
	counts[VISITS(VIEW)] = counts[VISITS(CART)] = 1.0;
	CHECK_INT(promo_markov_counts_check(counts, &where), PROMO_MARKOV_OK);
	CHECK_INT(promo_markov_purchase_probability(counts, p), PROMO_MARKOV_OK);
	CHECK_CLOSE(p[START], 1.0, 1e-15);
	CHECK_CLOSE(p[VIEW], 0.0, 0.0);
	CHECK_CLOSE(p[CART], 0.0, 0.0);
	CHECK(isnan(p[RATING]));
}

/* Random users: the LAPACK solve agrees with value iteration. */
static void
markov_purchase_probability_matches_iteration(void)
{
	uint64_t	st = 777;

	for (int trial = 0; trial < 50; trial++)
	{
		double		counts[PROMO_MARKOV_COUNTS] = {0};
		double		p[S];
		double		want[S];
		int			where;

		for (int u = 0; u < 30; u++)
		{
			int			events[12];
			int			n = 1 + (int) unit_uniform(&st, 0.0, 12.0);
			double		one[PROMO_MARKOV_COUNTS];

			for (int k = 0; k < n; k++)
			{
				/* purchases are rare, so that some trials never reach one */
				double		r = unit_uniform(&st, 0.0, 1.0);

				events[k] = r < 0.5 ? VIEW : r < 0.8 ? CART : r < 0.83 ? PURCHASE : RATING;
			}
			CHECK(count_sequence(events, n, one));
			CHECK(promo_markov_counts_add(counts, one));
		}
		CHECK_INT(promo_markov_counts_check(counts, &where), PROMO_MARKOV_OK);
		CHECK_INT(promo_markov_purchase_probability(counts, p), PROMO_MARKOV_OK);
		iterate_probability(counts, want);
		for (int s = 0; s < S; s++)
		{
			if (isnan(p[s]))
				CHECK(counts[VISITS(s)] == 0.0);
			else
				CHECK_ABS(p[s], want[s], 1e-12);
		}
	}
}

const UnitTest unit_markov_tests[] = {
	UNIT_TEST(markov_event_states),
	UNIT_TEST(markov_counts_example),
	UNIT_TEST(markov_single_event),
	UNIT_TEST(markov_empty_sequence),
	UNIT_TEST(markov_concat_matches_one_pass),
	UNIT_TEST(markov_concat_empty),
	UNIT_TEST(markov_counts_check),
	UNIT_TEST(markov_counts_add_overflow),
	UNIT_TEST(markov_transition_probabilities),
	UNIT_TEST(markov_purchase_probability_example),
	UNIT_TEST(markov_purchase_probability_unvisited),
	UNIT_TEST(markov_purchase_probability_closed_cycle),
	UNIT_TEST(markov_purchase_probability_matches_iteration),
	{NULL, NULL}
};
