/*
 * markov.c
 *		Funnel transitions: counting, merging and absorbing probabilities.
 */
#include "markov.h"

#include <lapack.h>
#include <math.h>
#include <string.h>

#define NSTATES PROMO_MARKOV_STATES

static const char *const state_names[NSTATES] = {
	"start", "view", "cart", "purchase", "rating", "end"
};

/* The states purchase_probability solves for, in solving order. */
static const int transient_states[] = {
	PROMO_MARKOV_START, PROMO_MARKOV_VIEW, PROMO_MARKOV_CART,
	PROMO_MARKOV_RATING
};

#define NTRANSIENT ((int) (sizeof(transient_states) / sizeof(transient_states[0])))

/* The name of a state (0..5). */
const char *
promo_markov_state_name(int state)
{
	return state >= 0 && state < NSTATES ? state_names[state] : "?";
}

/* The state of an event type name of len bytes; -1 if it is not one. */
int
promo_markov_event_state(const char *name, size_t len)
{
	for (int s = PROMO_MARKOV_VIEW; s <= PROMO_MARKOV_RATING; s++)
	{
		if (strlen(state_names[s]) == len && memcmp(state_names[s], name, len) == 0)
			return s;
	}
	return -1;
}

/* An empty partial sequence. */
void
promo_markov_sequence_init(double *seq)
{
	memset(seq, 0, sizeof(double) * PROMO_MARKOV_SEQ_LEN);
	seq[PROMO_MARKOV_SEQ_FIRST] = -1.0;
	seq[PROMO_MARKOV_SEQ_LAST] = -1.0;
}

/* Append one event state to a partial sequence. */
void
promo_markov_sequence_add(double *seq, int state)
{
	double	   *counts = seq + PROMO_MARKOV_SEQ_COUNTS;
	int			last = (int) seq[PROMO_MARKOV_SEQ_LAST];

	if (last < 0)
		seq[PROMO_MARKOV_SEQ_FIRST] = state;
	else
		counts[NSTATES * last + state] += 1.0;
	counts[PROMO_MARKOV_VISITS + state] += 1.0;
	seq[PROMO_MARKOV_SEQ_LAST] = state;
}

/* Append the partial sequence b to seq. */
void
promo_markov_sequence_concat(double *seq, const double *b)
{
	int			last = (int) seq[PROMO_MARKOV_SEQ_LAST];
	int			b_first = (int) b[PROMO_MARKOV_SEQ_FIRST];

	if (b_first < 0)
		return;
	/* One user's events stay far below 2^53: the sums are exact. */
	(void) promo_markov_counts_add(seq + PROMO_MARKOV_SEQ_COUNTS,
								   b + PROMO_MARKOV_SEQ_COUNTS);
	if (last < 0)
		seq[PROMO_MARKOV_SEQ_FIRST] = b_first;
	else
		seq[PROMO_MARKOV_SEQ_COUNTS + NSTATES * last + b_first] += 1.0;
	seq[PROMO_MARKOV_SEQ_LAST] = b[PROMO_MARKOV_SEQ_LAST];
}

/* The counts of start -> seq -> end; false when seq is empty. */
bool
promo_markov_sequence_close(const double *seq, double *counts)
{
	int			first = (int) seq[PROMO_MARKOV_SEQ_FIRST];
	int			last = (int) seq[PROMO_MARKOV_SEQ_LAST];

	if (first < 0 || last < 0)
		return false;
	memcpy(counts, seq + PROMO_MARKOV_SEQ_COUNTS,
		   sizeof(double) * PROMO_MARKOV_COUNTS);
	counts[NSTATES * PROMO_MARKOV_START + first] += 1.0;
	counts[NSTATES * last + PROMO_MARKOV_END] += 1.0;
	counts[PROMO_MARKOV_VISITS + PROMO_MARKOV_START] += 1.0;
	counts[PROMO_MARKOV_VISITS + PROMO_MARKOV_END] += 1.0;
	return true;
}

/* Add the counts b to a; false when a sum exceeds PROMO_MARKOV_MAX_COUNT. */
bool
promo_markov_counts_add(double *a, const double *b)
{
	bool		ok = true;

	for (int k = 0; k < PROMO_MARKOV_COUNTS; k++)
	{
		a[k] += b[k];
		ok = ok && a[k] <= PROMO_MARKOV_MAX_COUNT;
	}
	return ok;
}

/* Check that counts is a valid counts array; *where names the fault. */
PromoMarkovStatus
promo_markov_counts_check(const double *counts, int *where)
{
	for (int k = 0; k < PROMO_MARKOV_COUNTS; k++)
	{
		double		v = counts[k];

		*where = k;
		if (v < 0.0)
			return PROMO_MARKOV_NEGATIVE;
		if (v != floor(v))
			return PROMO_MARKOV_FRACTIONAL;
		if (v > PROMO_MARKOV_MAX_COUNT)
			return PROMO_MARKOV_TOO_LARGE;
	}
	for (int i = 0; i < NSTATES; i++)
	{
		*where = NSTATES * i + PROMO_MARKOV_START;
		if (counts[*where] != 0.0)
			return PROMO_MARKOV_INTO_START;
		*where = NSTATES * PROMO_MARKOV_END + i;
		if (counts[*where] != 0.0)
			return PROMO_MARKOV_OUT_OF_END;
	}
	/* Moves out of each state first, then moves into each state. */
	for (int pass = 0; pass < 2; pass++)
	{
		for (int s = 0; s < NSTATES; s++)
		{
			double		moves = 0.0;

			if (s == (pass == 0 ? PROMO_MARKOV_END : PROMO_MARKOV_START))
				continue;
			for (int t = 0; t < NSTATES; t++)
				moves += pass == 0 ? counts[NSTATES * s + t] : counts[NSTATES * t + s];
			*where = s;
			if (moves != counts[PROMO_MARKOV_VISITS + s])
				return pass == 0 ? PROMO_MARKOV_UNBALANCED_OUT : PROMO_MARKOV_UNBALANCED_IN;
		}
	}
	*where = -1;
	return PROMO_MARKOV_OK;
}

/* Transition probabilities per source state; NaN in rows never left. */
void
promo_markov_transition_probabilities(const double *counts, double *prob)
{
	for (int s = 0; s < NSTATES; s++)
	{
		double		out = 0.0;

		for (int t = 0; t < NSTATES; t++)
			out += counts[NSTATES * s + t];
		for (int t = 0; t < NSTATES; t++)
			prob[NSTATES * s + t] = out > 0.0 ? counts[NSTATES * s + t] / out : NAN;
	}
}

/* Mark the states that have a path of observed moves to purchase. */
static void
ReachesPurchase(const double *counts, bool *reaches)
{
	bool		changed = true;

	memset(reaches, 0, sizeof(bool) * NSTATES);
	reaches[PROMO_MARKOV_PURCHASE] = true;
	while (changed)
	{
		changed = false;
		for (int k = 0; k < NTRANSIENT; k++)
		{
			int			s = transient_states[k];

			if (reaches[s])
				continue;
			for (int t = 0; t < NSTATES; t++)
			{
				if (reaches[t] && counts[NSTATES * s + t] > 0.0)
				{
					reaches[s] = changed = true;
					break;
				}
			}
		}
	}
}

/* Probability of reaching purchase before end from each state. */
PromoMarkovStatus
promo_markov_purchase_probability(const double *counts, double *p)
{
	double		prob[NSTATES * NSTATES];
	bool		reaches[NSTATES];
	int			solve[NTRANSIENT];	/* states of the linear system */
	double		a[NTRANSIENT * NTRANSIENT];
	double		b[NTRANSIENT];
	lapack_int	ipiv[NTRANSIENT];
	lapack_int	m = 0;
	lapack_int	nrhs = 1;
	lapack_int	info = 0;

	promo_markov_transition_probabilities(counts, prob);
	ReachesPurchase(counts, reaches);
	p[PROMO_MARKOV_PURCHASE] = 1.0;
	p[PROMO_MARKOV_END] = 0.0;
	for (int k = 0; k < NTRANSIENT; k++)
	{
		int			s = transient_states[k];

		if (isnan(prob[NSTATES * s]))
			p[s] = NAN;			/* never left: nothing to estimate */
		else if (!reaches[s])
			p[s] = 0.0;
		else
			solve[m++] = s;
	}
	if (m == 0)
		return PROMO_MARKOV_OK;

	/* (I - Q) p = r over the states that reach purchase, column-major. */
	for (int i = 0; i < m; i++)
	{
		for (int j = 0; j < m; j++)
			a[i + m * j] = (i == j ? 1.0 : 0.0) - prob[NSTATES * solve[i] + solve[j]];
		b[i] = prob[NSTATES * solve[i] + PROMO_MARKOV_PURCHASE];
	}
	LAPACK_dgesv(&m, &nrhs, a, &m, ipiv, b, &m, &info);
	if (info != 0)
		return PROMO_MARKOV_NUMERIC;
	for (int i = 0; i < m; i++)
	{
		/* Rounding may step just outside [0, 1]. */
		p[solve[i]] = fmin(1.0, fmax(0.0, b[i]));
	}
	return PROMO_MARKOV_OK;
}
