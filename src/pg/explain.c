/*
 * explain.c
 *		promo.predict_link and promo.explain: a model's prediction in link
 *		space and its split into per-feature contributions.
 *
 * For the linear kinds (linreg, logreg) the link is b0 + sum_j b_j x_j.
 * explain writes it as a baseline plus one contribution per feature,
 *
 *		link = (b0 + sum_j b_j m_j) + sum_j b_j (x_j - m_j),
 *
 * m_j the feature's training mean where the model stores it (logreg), and
 * 0 where it does not (linreg models hold no means; adding them would
 * change the layout of stored models): then the baseline is the intercept
 * and each contribution b_j x_j.  The rows sum to predict_link up to
 * rounding.  Later kinds plug in by adding a case to LinearTerms or a
 * function of their own.
 */
#include "model.h"

#include "funcapi.h"
#include "utils/builtins.h"

#include "linreg.h"
#include "logreg.h"

/*
 * The estimates (intercept first) of a linear model, and the feature
 * means its explanations are relative to (NULL: zero).
 */
static const double *
LinearTerms(PromoModel *model, const char *fname, const double **mean)
{
	if (model->kind == PROMO_MODEL_LOGREG)
		*mean = promo_model_field(model, "mean");
	else if (model->kind == PROMO_MODEL_LINREG)
		*mean = NULL;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a linreg or logreg model", fname)));
	return promo_model_field(model, "estimate");
}

/* A feature vector argument that fits the model. */
static const double *
FeaturesArg(FunctionCallInfo fcinfo, PromoModel *model)
{
	int			n;
	const double *x = promo_vector_arg(PG_GETARG_ARRAYTYPE_P(1), "x", &n);

	promo_model_check_dim(model, n);
	return x;
}

/* promo.predict_link(model, x): logreg's log-odds, linreg's prediction. */
PG_FUNCTION_INFO_V1(promo_predict_link);
Datum
promo_predict_link(PG_FUNCTION_ARGS)
{
	PromoModel *model = promo_model_arg(fcinfo, 0);
	const double *mean;
	const double *estimate = LinearTerms(model, "promo.predict_link", &mean);
	const double *x = FeaturesArg(fcinfo, model);

	if (model->kind == PROMO_MODEL_LINREG)
		PG_RETURN_FLOAT8(promo_linreg_predict(estimate, model->dim, x));
	PG_RETURN_FLOAT8(promo_logreg_link(estimate, model->dim, x));
}

/*
 * Add one row (feature, value or NULL, contribution, name or NULL) to the
 * result.
 */
static void
PutRow(ReturnSetInfo *rsinfo, int feature, const double *value, double contribution,
	   const char *name)
{
	Datum		values[4];
	bool		nulls[4] = {false, value == NULL, false, name == NULL};

	values[0] = Int32GetDatum(feature);
	values[1] = Float8GetDatum(value ? *value : 0.0);
	values[2] = Float8GetDatum(contribution);
	values[3] = name ? CStringGetTextDatum(name) : (Datum) 0;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * promo.explain(model, x): feature 0 the baseline (value NULL), then one
 * row per feature with its value and contribution b_j (x_j - m_j); named
 * "(baseline)" and by the feature names when the model has names.
 */
PG_FUNCTION_INFO_V1(promo_explain);
Datum
promo_explain(PG_FUNCTION_ARGS)
{
	PromoModel *model = promo_model_arg(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const double *mean;
	const double *b = LinearTerms(model, "promo.explain", &mean);
	const double *x = FeaturesArg(fcinfo, model);
	double		baseline = b[0];
	PromoNames	names = promo_model_names(model);
	const char **list = names.n > 0 ? promo_names_list(&names) : NULL;

	InitMaterializedSRF(fcinfo, 0);
	for (int j = 0; j < model->dim && mean != NULL; j++)
		baseline += b[j + 1] * mean[j];
	PutRow(rsinfo, 0, NULL, baseline, list ? "(baseline)" : NULL);
	for (int j = 0; j < model->dim; j++)
		PutRow(rsinfo, j + 1, &x[j], b[j + 1] * (x[j] - (mean ? mean[j] : 0.0)),
			   list ? list[j] : NULL);
	return (Datum) 0;
}
