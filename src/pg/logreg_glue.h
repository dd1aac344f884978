/*
 * logreg_glue.h
 *		What the in-memory promo.logreg and the table-scanning
 *		promo.logreg_fit share: options, input checks and reports.
 */
#ifndef PROMO_LOGREG_GLUE_H
#define PROMO_LOGREG_GLUE_H

#include "model.h"

#include "utils/jsonb.h"

#include "logreg.h"

/* Options from a jsonb object (NULL: the defaults). */
extern PromoLogregOptions promo_logreg_parse_options(Jsonb *options);

/* y as a number: error unless it is 0 or 1. */
extern double promo_logreg_check_response(double y);

/* A row weight: error unless finite and not negative. */
extern double promo_logreg_check_weight(double w);

/*
 * Error for a status without a fit; rows is every row read, skipped those
 * of them with a NULL, bad_term the core's.
 */
extern void promo_logreg_report_no_fit(PromoLogregStatus status, double rows,
									   double skipped, int bad_term);

/* NOTICE for a fit whose estimates are not a converged maximum. */
extern void promo_logreg_report_weak_fit(PromoLogregStatus status,
										 const PromoLogregFit *fit);

/* A fit of d features with its arrays allocated in the current context. */
extern PromoLogregFit promo_logreg_fit_alloc(int d);

/* A logreg model from a fit, with names unless names->n = 0. */
extern PromoModel *promo_logreg_model_from_fit(const PromoLogregFit *fit,
											   PromoLogregStatus status,
											   double skipped,
											   const PromoNames *names);

#endif							/* PROMO_LOGREG_GLUE_H */
