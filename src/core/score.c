/*
 * score.c
 *		One user against a catalogue of offers: linear response and basket
 *		models, then the offers' economics (see score.h).
 */
#include "score.h"

#include <math.h>
#include <stddef.h>

#include <cblas.h>

#include "logreg.h"

/* Doubles of scratch: the rows' products, then means and sds of k arms. */
int
promo_score_work_size(const PromoScoreSpec *spec)
{
	return spec->nrows + 2 * (spec->k + 1);
}

/* The lognormal basket's mean and sd of arm j given its log-scale mean m. */
static void
BasketOf(const PromoScoreSpec *spec, double m, double *mean, double *sd)
{
	double		s2 = spec->basket_sigma * spec->basket_sigma;

	*mean = exp(m + s2 / 2.0);
	/* sd = mean sqrt(exp(s^2) - 1); expm1 keeps small sigmas exact */
	*sd = *mean * sqrt(expm1(s2));
}

/* Score one user (see score.h). */
void
promo_score_user(const PromoScoreSpec *spec, const double *x,
				 const bool *eligible, double *work, PromoUserScore *out)
{
	int			k = spec->k;
	double	   *wx = work;
	double	   *mean = work + spec->nrows;
	double	   *sd = mean + (k + 1);

	/* every row's w . x at once */
	if (spec->nrows > 0 && spec->d > 0)
		cblas_dgemv(CblasRowMajor, CblasNoTrans, spec->nrows, spec->d, 1.0,
					spec->weights, spec->d, x, 1, 0.0, wx, 1);
	else
		for (int r = 0; r < spec->nrows; r++)
			wx[r] = 0.0;
	for (int j = 0; j <= k; j++)
	{
		double		m = spec->basket_offset[j];
		double		link = spec->response_offset[j] + wx[spec->response_row[j]];
		double		p = promo_logreg_probability(link);

		if (spec->basket_row >= 0)
			m += wx[spec->basket_row];
		BasketOf(spec, m, &mean[j], &sd[j]);
		if (j == 0)
			out->p_none = p;
		else
		{
			out->p[j - 1] = p;
			out->redeem[j - 1] = p * spec->redemption[j - 1];
		}
	}
	out->basket_none = mean[0];
	promo_offer_user_economics(k, spec->offers, out->p, mean + 1, sd + 1,
							   spec->redemption, NULL, out->p_none, mean[0],
							   spec->margin_rate, out->value, out->cost);
	if (eligible != NULL)
		for (int j = 0; j < k; j++)
			if (!eligible[j])
				out->value[j] = NAN;
}
