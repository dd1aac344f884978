/*
 * score.h
 *		Scoring one user against a catalogue of offers with linear response
 *		and basket models: P(convert | arm), the expected basket under each
 *		arm, and the offers' expected incremental profit and cost.
 *
 * Every model is linear in the user's d features x once the offer's
 * attributes are fixed: its prediction for arm j (0: no offer, 1..k: the
 * offers) is offset[j] + w . x, the offset holding the intercept and the
 * attributes' part.  The models' user weights are the rows of one matrix,
 * so a user costs one matrix-vector product (rows shared by several arms,
 * such as a shared model, are computed once) and then k economics.
 *
 *	p_j			= 1 / (1 + exp(-(offset_r[j] + w_r(j) . x)))
 *	ln B_j		~ N(m_j, s^2), m_j = offset_b[j] + w_b . x: the basket of a
 *				  converting user is lognormal, mean exp(m_j + s^2 / 2)
 *	value_j		= incremental profit of offer j (offers.h) at p_j, the
 *				  basket's mean and sd, against p_0 and the mean basket of
 *				  arm 0, with the offer's redemption share
 *	cost_j		= expected cost of offer j (redeemed share of the face)
 *	redeem_j	= p_j times the redemption share
 */
#ifndef PROMO_SCORE_H
#define PROMO_SCORE_H

#include <stdbool.h>

#include "offers.h"

/* What every user of one scoring run shares. */
typedef struct PromoScoreSpec
{
	int			d;				/* user features */
	int			k;				/* offers */
	int			nrows;			/* rows of weights */
	const double *weights;		/* nrows x d, row-major */
	const int  *response_row;	/* k + 1: the row of arm j's response model */
	const double *response_offset;	/* k + 1 */
	int			basket_row;		/* the row of the basket model, -1: none */
	const double *basket_offset;	/* k + 1: m_j less w_b . x */
	double		basket_sigma;	/* s >= 0 */
	double		margin_rate;	/* gross margin per unit of basket */
	const PromoOffer *offers;	/* k */
	const double *redemption;	/* k, in [0, 1] */
} PromoScoreSpec;

/* One user's scores (arrays of k, caller's memory). */
typedef struct PromoUserScore
{
	double		p_none;			/* P(convert) without an offer */
	double		basket_none;	/* mean basket without an offer */
	double	   *p;				/* P(convert | offer j) */
	double	   *value;			/* expected incremental profit */
	double	   *cost;			/* expected cost */
	double	   *redeem;			/* expected redemptions */
} PromoUserScore;

/* Doubles of scratch memory promo_score_user needs. */
extern int	promo_score_work_size(const PromoScoreSpec *spec);

/*
 * Score a user of features x (d values) against every offer; work holds
 * promo_score_work_size doubles.  Values of offers whose eligible entry
 * is false are NaN (eligible may be NULL: all eligible).
 */
extern void promo_score_user(const PromoScoreSpec *spec, const double *x,
							 const bool *eligible, double *work,
							 PromoUserScore *out);

#endif							/* PROMO_SCORE_H */
