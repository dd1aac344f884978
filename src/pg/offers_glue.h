/*
 * offers_glue.h
 *		What other glue reads of offers.c: arrays of promo.offer_terms.
 */
#ifndef PROMO_OFFERS_GLUE_H
#define PROMO_OFFERS_GLUE_H

#include "promo.h"

#include "offers.h"

/*
 * The checked offers of a promo.offer_terms[] without NULL elements
 * (palloc'd, *n of them); fname names the caller in errors.
 */
extern PromoOffer *promo_offer_terms_array(ArrayType *arr, const char *fname, int *n);

#endif							/* PROMO_OFFERS_GLUE_H */
