/*
 * markov.c
 *		Funnel transitions: promo.transitions, promo.transitions_sum,
 *		promo.transition_matrix, promo.purchase_probability and
 *		promo.check_event_type.
 *
 * Counts are a float8[] of 42 elements (see markov.h): the 6 x 6
 * transition counts between start, view, cart, purchase, rating and end,
 * row-major, then the visits of each state.  The aggregate states are
 * plain float8[] too:
 *
 *	 promo.transitions		[0] tag, then a partial sequence (first and last
 *							event state, counts without start and end)
 *	 promo.transitions_sum	[0] tag, then counts
 */
#include "promo.h"

#include <math.h>

#include "funcapi.h"
#include "utils/builtins.h"

#include "markov.h"

#define TRANSITIONS_TAG 7011.0
#define TRANSITIONS_LEN (1 + PROMO_MARKOV_SEQ_LEN)
#define TRANSITIONS_SUM_TAG 7012.0
#define TRANSITIONS_SUM_LEN (1 + PROMO_MARKOV_COUNTS)

/* The state of an event type; error unless it is a known one. */
static int
EventState(text *event_type)
{
	int			state = promo_markov_event_state(VARDATA_ANY(event_type),
												 VARSIZE_ANY_EXHDR(event_type));

	if (state < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown event type \"%s\"", text_to_cstring(event_type)),
				 errhint("Known event types are " PROMO_MARKOV_EVENT_TYPES ".")));
	return state;
}

/* A new aggregate state: the tag, then len - 1 values from init. */
static ArrayType *
NewState(double tag, const double *init, int len)
{
	ArrayType  *state = promo_state_new(tag, len);

	memcpy((double *) ARR_DATA_PTR(state) + 1, init, sizeof(double) * (len - 1));
	return state;
}

/* Is v the state of an event (view, cart, purchase or rating)? */
static bool
IsEventState(double v)
{
	return v >= PROMO_MARKOV_VIEW && v <= PROMO_MARKOV_RATING && v == floor(v);
}

/* What element k of a counts array counts, for error details. */
static char *
ElementName(int k)
{
	if (k < PROMO_MARKOV_VISITS)
		return psprintf("%s to %s",
						promo_markov_state_name(k / PROMO_MARKOV_STATES),
						promo_markov_state_name(k % PROMO_MARKOV_STATES));
	return psprintf("visits of %s",
					promo_markov_state_name(k - PROMO_MARKOV_VISITS));
}

/* Moves out of (out) or into (!out) state s. */
static double
Moves(const double *counts, int s, bool out)
{
	double		sum = 0.0;

	for (int t = 0; t < PROMO_MARKOV_STATES; t++)
		sum += out ? counts[PROMO_MARKOV_STATES * s + t] :
			counts[PROMO_MARKOV_STATES * t + s];
	return sum;
}

/* What the detail of a counts error describes. */
typedef enum CountsDetail
{
	DETAIL_ELEMENT,				/* the value of the element at fault */
	DETAIL_INTO_START,			/* a move into start */
	DETAIL_OUT_OF_END,			/* a move out of end */
	DETAIL_UNBALANCED_OUT,		/* visits against moves out of a state */
	DETAIL_UNBALANCED_IN		/* visits against moves into a state */
} CountsDetail;

/* The error each failed counts check raises. */
typedef struct CountsRule
{
	PromoMarkovStatus status;
	int			sqlstate;
	const char *message;		/* %s: what was checked */
	CountsDetail detail;
} CountsRule;

static const CountsRule counts_rules[] = {
	{PROMO_MARKOV_NEGATIVE, ERRCODE_INVALID_PARAMETER_VALUE,
	"%s must not be negative", DETAIL_ELEMENT},
	{PROMO_MARKOV_FRACTIONAL, ERRCODE_INVALID_PARAMETER_VALUE,
	"%s must be whole numbers", DETAIL_ELEMENT},
	{PROMO_MARKOV_TOO_LARGE, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
	"%s must not exceed 2^53", DETAIL_ELEMENT},
	{PROMO_MARKOV_INTO_START, ERRCODE_INVALID_PARAMETER_VALUE,
	"%s are not transition counts", DETAIL_INTO_START},
	{PROMO_MARKOV_OUT_OF_END, ERRCODE_INVALID_PARAMETER_VALUE,
	"%s are not transition counts", DETAIL_OUT_OF_END},
	{PROMO_MARKOV_UNBALANCED_OUT, ERRCODE_INVALID_PARAMETER_VALUE,
	"%s are not transition counts", DETAIL_UNBALANCED_OUT},
	{PROMO_MARKOV_UNBALANCED_IN, ERRCODE_INVALID_PARAMETER_VALUE,
	"%s are not transition counts", DETAIL_UNBALANCED_IN},
};

/* The sentence that says what is wrong with element or state where. */
static char *
CountsDetailText(CountsDetail detail, const double *counts, int where)
{
	const int	states = PROMO_MARKOV_STATES;

	switch (detail)
	{
		case DETAIL_ELEMENT:
			return psprintf("Element %d (%s) is %g.", where + 1,
							ElementName(where), counts[where]);
		case DETAIL_INTO_START:
			return psprintf("Element %d counts moves from %s to start, but sequences never return to start.",
							where + 1, promo_markov_state_name(where / states));
		case DETAIL_OUT_OF_END:
			return psprintf("Element %d counts moves from end to %s, but sequences stop at end.",
							where + 1, promo_markov_state_name(where % states));
		case DETAIL_UNBALANCED_OUT:
		case DETAIL_UNBALANCED_IN:
			return psprintf("State %s has %.0f visits (element %d) but %.0f moves %s it.",
							promo_markov_state_name(where),
							counts[PROMO_MARKOV_VISITS + where],
							PROMO_MARKOV_VISITS + where + 1,
							Moves(counts, where, detail == DETAIL_UNBALANCED_OUT),
							detail == DETAIL_UNBALANCED_OUT ? "out of" : "into");
	}
	return NULL;
}

/*
 * Error unless counts is a valid counts array.  what names the counts in
 * the message; state, when not NULL, names the aggregate state they belong
 * to, and the error is then one of an invalid state.
 */
static void
CheckCounts(const char *what, const double *counts, const char *state)
{
	int			where;
	PromoMarkovStatus status = promo_markov_counts_check(counts, &where);
	const CountsRule *rule = NULL;
	char	   *detail;

	for (int i = 0; i < lengthof(counts_rules) && rule == NULL; i++)
		if (counts_rules[i].status == status)
			rule = &counts_rules[i];
	if (rule == NULL)
		return;
	detail = CountsDetailText(rule->detail, counts, where);
	if (state != NULL)
		promo_bad_state(psprintf("The %s state's counts are invalid. %s", state, detail));
	ereport(ERROR,
			(errcode(rule->sqlstate),
			 errmsg(rule->message, what),
			 errdetail("%s", detail),
			 rule->detail != DETAIL_ELEMENT ?
			 errhint("Pass the result of promo.transitions or promo.transitions_sum.") : 0));
}

/*
 * The partial sequence of a promo.transitions state, after the one check
 * of such a state: 45 values, first and last both event states (or both
 * -1 with every count 0), and counts that close into valid counts.
 */
static double *
SequenceData(ArrayType *state)
{
	double	   *seq = promo_state_data(state, TRANSITIONS_TAG, TRANSITIONS_LEN) + 1;
	double		first = seq[PROMO_MARKOV_SEQ_FIRST];
	double		last = seq[PROMO_MARKOV_SEQ_LAST];
	double		closed[PROMO_MARKOV_COUNTS];

	if (ARR_DIMS(state)[0] != TRANSITIONS_LEN)
		promo_bad_state("The transitions state's length is not 45.");
	if (first == -1.0 && last == -1.0)
	{
		for (int k = 0; k < PROMO_MARKOV_COUNTS; k++)
			if (seq[PROMO_MARKOV_SEQ_COUNTS + k] != 0.0)
				promo_bad_state("The transitions state has no events but counts some.");
		return seq;
	}
	if (!IsEventState(first) || !IsEventState(last))
		promo_bad_state("The transitions state's first and last events are not event states.");
	promo_markov_sequence_close(seq, closed);
	CheckCounts("counts", closed, "transitions");
	return seq;
}

/* The counts of a promo.transitions_sum state, after checks: valid counts. */
static double *
SumData(ArrayType *state)
{
	double	   *s = promo_state_data(state, TRANSITIONS_SUM_TAG, TRANSITIONS_SUM_LEN);

	if (ARR_DIMS(state)[0] != TRANSITIONS_SUM_LEN)
		promo_bad_state("The transitions_sum state's length is not 43.");
	CheckCounts("counts", s + 1, "transitions_sum");
	return s + 1;
}

/* A float8[] argument as checked counts. */
static const double *
CountsArg(FunctionCallInfo fcinfo, int argno)
{
	int			n;
	const double *counts = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(argno), "counts", &n);

	promo_check_length("counts", n, PROMO_MARKOV_COUNTS);
	CheckCounts("counts", counts, NULL);
	return counts;
}

/* Add b to the counts a; error when a count would exceed 2^53. */
static void
AddCounts(double *a, const double *b)
{
	if (!promo_markov_counts_add(a, b))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("transition counts exceed 2^53"),
				 errdetail("Counts above 2^53 are not exact in float8.")));
}

/* promo.check_event_type(event_type): event_type if known, else an error. */
PG_FUNCTION_INFO_V1(promo_check_event_type);
Datum
promo_check_event_type(PG_FUNCTION_ARGS)
{
	text	   *event_type = PG_GETARG_TEXT_PP(0);

	EventState(event_type);
	PG_RETURN_TEXT_P(event_type);
}

/* promo.transitions transition: append one event; NULL types are skipped. */
PG_FUNCTION_INFO_V1(promo_transitions_accum);
Datum
promo_transitions_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	int			event;

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		(void) SequenceData(state);
		PG_RETURN_ARRAYTYPE_P(state);
	}
	event = EventState(PG_GETARG_TEXT_PP(1));
	if (state == NULL)
	{
		double		empty[PROMO_MARKOV_SEQ_LEN];

		promo_markov_sequence_init(empty);
		state = NewState(TRANSITIONS_TAG, empty, TRANSITIONS_LEN);
	}
	promo_markov_sequence_add(SequenceData(state), event);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.transitions combine: the second partial sequence follows the first. */
PG_FUNCTION_INFO_V1(promo_transitions_combine);
Datum
promo_transitions_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	double	   *seq = SequenceData(state);

	promo_markov_sequence_concat(seq, SequenceData(PG_GETARG_ARRAYTYPE_P(1)));
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.transitions final: counts of start -> events -> end. */
PG_FUNCTION_INFO_V1(promo_transitions_final);
Datum
promo_transitions_final(PG_FUNCTION_ARGS)
{
	double		counts[PROMO_MARKOV_COUNTS];

	if (!promo_markov_sequence_close(SequenceData(PG_GETARG_ARRAYTYPE_P(0)), counts))
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(promo_float8_array(counts, PROMO_MARKOV_COUNTS));
}

/* promo.transitions_sum transition: add one counts array; NULL is skipped. */
PG_FUNCTION_INFO_V1(promo_transitions_sum_accum);
Datum
promo_transitions_sum_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);
	const double *counts;

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		(void) SumData(state);
		PG_RETURN_ARRAYTYPE_P(state);
	}
	counts = CountsArg(fcinfo, 1);
	if (state == NULL)
		PG_RETURN_ARRAYTYPE_P(NewState(TRANSITIONS_SUM_TAG, counts,
									   TRANSITIONS_SUM_LEN));
	AddCounts(SumData(state), counts);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.transitions_sum combine: add two partial sums. */
PG_FUNCTION_INFO_V1(promo_transitions_sum_combine);
Datum
promo_transitions_sum_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = promo_agg_state(fcinfo, 0);

	AddCounts(SumData(state), SumData(PG_GETARG_ARRAYTYPE_P(1)));
	PG_RETURN_ARRAYTYPE_P(state);
}

/* promo.transitions_sum final: the summed counts. */
PG_FUNCTION_INFO_V1(promo_transitions_sum_final);
Datum
promo_transitions_sum_final(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(promo_float8_array(SumData(PG_GETARG_ARRAYTYPE_P(0)),
											 PROMO_MARKOV_COUNTS));
}

/* promo.transition_matrix(counts): one row per possible move. */
PG_FUNCTION_INFO_V1(promo_transition_matrix);
Datum
promo_transition_matrix(PG_FUNCTION_ARGS)
{
	const double *counts = CountsArg(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		prob[PROMO_MARKOV_VISITS];

	promo_markov_transition_probabilities(counts, prob);
	InitMaterializedSRF(fcinfo, 0);
	/* Nothing moves into start or out of end: 5 x 5 rows. */
	for (int s = PROMO_MARKOV_START; s < PROMO_MARKOV_END; s++)
	{
		for (int t = PROMO_MARKOV_VIEW; t <= PROMO_MARKOV_END; t++)
		{
			int			k = PROMO_MARKOV_STATES * s + t;
			Datum		values[4];
			bool		nulls[4] = {false};

			values[0] = CStringGetTextDatum(promo_markov_state_name(s));
			values[1] = CStringGetTextDatum(promo_markov_state_name(t));
			values[2] = Int64GetDatum((int64) counts[k]);
			values[3] = Float8GetDatum(prob[k]);
			nulls[3] = isnan(prob[k]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/* promo.purchase_probability(counts): P(purchase before end) per state. */
PG_FUNCTION_INFO_V1(promo_purchase_probability);
Datum
promo_purchase_probability(PG_FUNCTION_ARGS)
{
	const double *counts = CountsArg(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		p[PROMO_MARKOV_STATES];

	if (promo_markov_purchase_probability(counts, p) != PROMO_MARKOV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("absorbing chain solve failed")));
	InitMaterializedSRF(fcinfo, 0);
	for (int s = 0; s < PROMO_MARKOV_STATES; s++)
	{
		Datum		values[2];
		bool		nulls[2] = {false};

		values[0] = CStringGetTextDatum(promo_markov_state_name(s));
		values[1] = Float8GetDatum(p[s]);
		nulls[1] = isnan(p[s]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
