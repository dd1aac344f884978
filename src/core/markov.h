/*
 * markov.h
 *		Funnel transitions: a Markov chain of behaviour events.
 *
 * A user's events, in time order, form one sequence through the states
 * start -> first event -> ... -> last event -> end.  Sequences are counted
 * into a flat array of PROMO_MARKOV_COUNTS doubles:
 *
 *	 [6 * i + j]	transitions from state i to state j (i, j = 0..5)
 *	 [36 + i]		visits of state i
 *
 * A visit of start or end is a sequence; a visit of an event state is an
 * event.  Counts of several sequences add up element by element.  In a
 * valid counts array nothing enters start, nothing leaves end, every state
 * but end is left once per visit and every state but start is entered once
 * per visit.
 */
#ifndef PROMO_MARKOV_H
#define PROMO_MARKOV_H

#include <stdbool.h>
#include <stddef.h>

typedef enum PromoMarkovState
{
	PROMO_MARKOV_START = 0,
	PROMO_MARKOV_VIEW = 1,
	PROMO_MARKOV_CART = 2,
	PROMO_MARKOV_PURCHASE = 3,
	PROMO_MARKOV_RATING = 4,
	PROMO_MARKOV_END = 5
} PromoMarkovState;

#define PROMO_MARKOV_STATES 6
#define PROMO_MARKOV_VISITS (PROMO_MARKOV_STATES * PROMO_MARKOV_STATES)	/* offset */
#define PROMO_MARKOV_COUNTS (PROMO_MARKOV_VISITS + PROMO_MARKOV_STATES)

/* The event types a sequence may hold, as a sentence fragment. */
#define PROMO_MARKOV_EVENT_TYPES "view, cart, purchase and rating"

/*
 * A partial sequence: [0] its first event state, [1] its last (both -1
 * while empty), then PROMO_MARKOV_COUNTS counts of the transitions between
 * its events and of its event visits (start and end are added on closing).
 */
#define PROMO_MARKOV_SEQ_FIRST 0
#define PROMO_MARKOV_SEQ_LAST 1
#define PROMO_MARKOV_SEQ_COUNTS 2
#define PROMO_MARKOV_SEQ_LEN (PROMO_MARKOV_SEQ_COUNTS + PROMO_MARKOV_COUNTS)

/* The largest count kept exactly: every integer up to 2^53 is a double. */
#define PROMO_MARKOV_MAX_COUNT 9007199254740992.0

typedef enum PromoMarkovStatus
{
	PROMO_MARKOV_OK = 0,
	PROMO_MARKOV_NEGATIVE,		/* element *where is negative */
	PROMO_MARKOV_FRACTIONAL,	/* element *where is not a whole number */
	PROMO_MARKOV_TOO_LARGE,		/* element *where exceeds 2^53 */
	PROMO_MARKOV_INTO_START,	/* element *where counts a move into start */
	PROMO_MARKOV_OUT_OF_END,	/* element *where counts a move out of end */
	PROMO_MARKOV_UNBALANCED_OUT,	/* state *where: visits != moves out */
	PROMO_MARKOV_UNBALANCED_IN, /* state *where: visits != moves in */
	PROMO_MARKOV_NUMERIC		/* LAPACK failed on a system it accepted */
} PromoMarkovStatus;

/* The name of a state (0..5). */
extern const char *promo_markov_state_name(int state);

/* The state of an event type name of len bytes; -1 if it is not one. */
extern int	promo_markov_event_state(const char *name, size_t len);

/* An empty partial sequence. */
extern void promo_markov_sequence_init(double *seq);

/* Append one event (a state from promo_markov_event_state) to seq. */
extern void promo_markov_sequence_add(double *seq, int state);

/*
 * Append the partial sequence b to a: the counts add up, and the last
 * event of a moves to the first event of b.
 */
extern void promo_markov_sequence_concat(double *seq, const double *b);

/*
 * The counts of the complete sequence start -> seq -> end; false (counts
 * untouched) when seq is empty.
 */
extern bool promo_markov_sequence_close(const double *seq, double *counts);

/* Add the counts b to a; false when a sum exceeds PROMO_MARKOV_MAX_COUNT. */
extern bool promo_markov_counts_add(double *a, const double *b);

/*
 * Check that counts is a valid counts array (NaN is not a whole number,
 * infinity exceeds 2^53).  On failure *where is the 0-based element or
 * state at fault.
 */
extern PromoMarkovStatus promo_markov_counts_check(const double *counts,
												   int *where);

/*
 * Transition probabilities from each state (row-major 6 x 6): the counts
 * divided by the visits of the source state; NaN in rows never left.
 */
extern void promo_markov_transition_probabilities(const double *counts,
												  double *prob);

/*
 * For each state, the probability of reaching purchase before end in the
 * chain estimated from valid counts, purchase and end being absorbing:
 * 1 for purchase, 0 for end, NaN for a state that was never left.  The
 * other states solve (I - Q) p = r by LAPACK dgesv, where Q holds the
 * transition probabilities among them and r those into purchase; states
 * from which purchase is unreachable get 0 first, so the system is
 * nonsingular.
 */
extern PromoMarkovStatus promo_markov_purchase_probability(const double *counts,
														   double *p);

#endif							/* PROMO_MARKOV_H */
