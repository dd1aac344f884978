/*
 * test_logreg.c
 *		Unit tests of logreg.c: R glm and scikit-learn references, closed
 *		forms, the scale-out path and status codes.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "logreg.h"

#define MAXP 16
#define RTOL 1e-6

/* A dataset: n rows, d features, columns split out of the fixture table. */
typedef struct Dataset
{
	int			n;
	int			d;
	double	   *y;
	double	   *w;
	double	   *x;				/* n x d row-major */
} Dataset;

/* A fit with its caller-allocated arrays. */
typedef struct FitCase
{
	double		estimate[MAXP];
	double		std_error[MAXP];
	double		z_value[MAXP];
	double		p_value[MAXP];
	double		mean[MAXP];
	PromoLogregFit fit;
	int			bad_term;
} FitCase;

/* Read test/fixtures/logreg/<name>.csv (columns y, w, x1 .. xd). */
static Dataset
LoadDataset(const char *name)
{
	char		file[128];
	int			rows;
	int			cols;
	double	   *t;
	Dataset		ds;

	snprintf(file, sizeof(file), "%s.csv", name);
	t = fixture_table(file, &rows, &cols);
	ds.n = rows;
	ds.d = cols - 2;
	ds.y = unit_alloc(sizeof(double) * rows);
	ds.w = unit_alloc(sizeof(double) * rows);
	ds.x = unit_alloc(sizeof(double) * rows * (ds.d > 0 ? ds.d : 1));
	for (int i = 0; i < rows; i++)
	{
		ds.y[i] = t[(size_t) i * cols];
		ds.w[i] = t[(size_t) i * cols + 1];
		for (int j = 0; j < ds.d; j++)
			ds.x[(size_t) i * ds.d + j] = t[(size_t) i * cols + 2 + j];
	}
	free(t);
	return ds;
}

static void
FreeDataset(Dataset *ds)
{
	free(ds->y);
	free(ds->w);
	free(ds->x);
}

/* Fit n rows of d features; w may be NULL. */
static PromoLogregStatus
Fit(FitCase *c, const double *x, const double *y, const double *w, int n,
	int d, const PromoLogregOptions *opt)
{
	double	   *work = unit_alloc(sizeof(double) * promo_logreg_fit_work(d));
	int		   *iwork = unit_alloc(sizeof(int) * promo_logreg_fit_iwork(d));
	PromoLogregStatus st;

	memset(c, 0, sizeof(*c));
	c->fit.estimate = c->estimate;
	c->fit.std_error = c->std_error;
	c->fit.z_value = c->z_value;
	c->fit.p_value = c->p_value;
	st = promo_logreg_fit(x, y, w, n, d, opt, &c->fit, &c->bad_term, work,
						  iwork, NULL);
	free(work);
	free(iwork);
	return st;
}

/*
 * Mean and sample standard deviation of each feature over the rows of
 * positive weight, by two passes: the reference for the moments.
 */
static void
TwoPassDescribe(const Dataset *ds, double *mean, double *sd)
{
	double		n = 0.0;

	for (int j = 0; j < ds->d; j++)
		mean[j] = sd[j] = 0.0;
	for (int i = 0; i < ds->n; i++)
		if (ds->w[i] > 0.0)
		{
			n += 1.0;
			for (int j = 0; j < ds->d; j++)
				mean[j] += ds->x[(size_t) i * ds->d + j];
		}
	for (int j = 0; j < ds->d; j++)
		mean[j] /= n;
	for (int i = 0; i < ds->n; i++)
		if (ds->w[i] > 0.0)
			for (int j = 0; j < ds->d; j++)
			{
				double		dev = ds->x[(size_t) i * ds->d + j] - mean[j];

				sd[j] += dev * dev;
			}
	for (int j = 0; j < ds->d; j++)
		sd[j] = sqrt(sd[j] / (n - 1.0));
}

/*
 * The moments of rows [from, to) of a dataset, handed to the core
 * step rows at a time.
 */
static void
PartMoments(const Dataset *ds, int from, int to, int step, double *moments,
			double *work)
{
	promo_logreg_moments_zero(moments, ds->d);
	for (int r = from; r < to; r += step)
	{
		int			nb = to - r < step ? to - r : step;

		promo_logreg_moments_accum(moments, ds->d, ds->x + (size_t) r * ds->d,
								   ds->y + r, ds->w + r, nb, work);
	}
}

/*
 * The moments of a dataset from three parts of uneven length merged, the
 * first two handed over 7 rows at a time, the last one at once.
 */
static void
SplitMoments(const Dataset *ds, double *moments, double *work)
{
	double	   *part = unit_alloc(sizeof(double) * promo_logreg_moments_length(ds->d));
	int			cut[4] = {0, ds->n / 3, ds->n / 3 + ds->n / 5, ds->n};

	promo_logreg_moments_zero(moments, ds->d);
	for (int k = 0; k < 3; k++)
	{
		PartMoments(ds, cut[k], cut[k + 1], k < 2 ? 7 : ds->n, part, work);
		promo_logreg_moments_merge(moments, part, ds->d, work);
	}
	free(part);
}

/* One glm.csv value of a dataset. */
static double
Glm(const char *dataset, const char *quantity, int term)
{
	char		key[128];

	snprintf(key, sizeof(key), "%s,%s,%d", dataset, quantity, term);
	return fixture_value("glm.csv", key);
}

/*
 * Compare every statistic of a default fit of a dataset with glm's; the
 * fit must end with the given status.
 */
static void
CheckAgainstGlm(const char *name, PromoLogregStatus want)
{
	Dataset		ds = LoadDataset(name);
	PromoLogregOptions opt = promo_logreg_default_options();
	FitCase		c;
	PromoLogregStatus st = Fit(&c, ds.x, ds.y, ds.w, ds.n, ds.d, &opt);

	CHECK_INT(st, want);
	for (int j = 0; j <= ds.d; j++)
	{
		CHECK_CLOSE(c.estimate[j], Glm(name, "estimate", j), RTOL);
		CHECK_CLOSE(c.std_error[j], Glm(name, "std_error", j), RTOL);
		CHECK_CLOSE(c.z_value[j], Glm(name, "z_value", j), RTOL);
		CHECK_CLOSE(c.p_value[j], Glm(name, "p_value", j), RTOL);
	}
	CHECK_CLOSE(c.fit.null_deviance, Glm(name, "null_deviance", -1), RTOL);
	CHECK_CLOSE(c.fit.deviance, Glm(name, "deviance", -1), RTOL);
	CHECK_CLOSE(c.fit.aic, Glm(name, "aic", -1), RTOL);
	CHECK_CLOSE(c.fit.log_likelihood, Glm(name, "log_likelihood", -1), RTOL);
	CHECK_CLOSE(c.fit.df_null, Glm(name, "df_null", -1), 0.0);
	CHECK_CLOSE(c.fit.df_residual, Glm(name, "df_residual", -1), 0.0);
	CHECK_CLOSE(c.fit.n, Glm(name, "n", -1), 0.0);
	CHECK_INT(c.fit.iterations, (int) Glm(name, "iterations", -1));
	CHECK_INT(c.fit.converged, (int) Glm(name, "converged", -1));
	CHECK_INT(c.fit.n_extreme > 0, (int) Glm(name, "fitted_01", -1));
	FreeDataset(&ds);
}

/* Three features on different scales. */
static void
logreg_glm_basic(void)
{
	CheckAgainstGlm("basic", PROMO_LOGREG_OK);
}

/* Features around 1e6 varying in units: the intercept keeps its digits. */
static void
logreg_glm_offset(void)
{
	CheckAgainstGlm("offset", PROMO_LOGREG_OK);
}

/* Integer row weights, three rows of weight 0. */
static void
logreg_glm_weights(void)
{
	CheckAgainstGlm("weights", PROMO_LOGREG_OK);
}

/* Six correlated features. */
static void
logreg_glm_correlated(void)
{
	CheckAgainstGlm("correlated", PROMO_LOGREG_OK);
}

/* Large slopes close to separation, still a proper fit. */
static void
logreg_glm_near_separation(void)
{
	CheckAgainstGlm("near_separation", PROMO_LOGREG_OK);
}

/*
 * Complete separation: glm warns of fitted probabilities numerically 0 or
 * 1 and does not converge in 25 steps.  The estimates diverge, but the
 * iteration follows glm's step for step, so they still agree.
 */
static void
logreg_glm_separation(void)
{
	CheckAgainstGlm("separation", PROMO_LOGREG_SEPARATION);
}

/* Quasi-complete separation: glm converges, with the same warning. */
static void
logreg_glm_quasi_separation(void)
{
	CheckAgainstGlm("quasi_separation", PROMO_LOGREG_SEPARATION);
}

/*
 * A step whose X'WX is singular: an error, unless the pass saw fitted
 * probabilities numerically 0 or 1, where the last step's estimates stand
 * as a separation; a deviance that is not finite is a numeric failure.
 */
static void
logreg_singular_step_statuses(void)
{
	Dataset		ds = LoadDataset("basic");
	int			d = ds.d;
	int			p = d + 1;
	size_t		slen = promo_logreg_state_length(d);
	PromoLogregOptions opt = promo_logreg_default_options();
	double	   *mem = unit_alloc(sizeof(double) * promo_logreg_solver_doubles(d));
	int		   *imem = unit_alloc(sizeof(int) * promo_logreg_solver_ints(d));
	double	   *first = unit_alloc(sizeof(double) * slen);
	double	   *state = unit_alloc(sizeof(double) * slen);
	double	   *work = unit_alloc(sizeof(double) * promo_logreg_accum_work(d));
	double		mean[MAXP];
	double		sd[MAXP];
	PromoLogregSolver s;
	PromoLogregStatus st;
	PromoLogregAt at;

	TwoPassDescribe(&ds, mean, sd);
	for (int extreme = 0; extreme <= 2; extreme++)
	{
		CHECK_INT(promo_logreg_solver_init(&s, d, &opt, mean, sd, mem, imem), PROMO_LOGREG_OK);
		at = promo_logreg_solver_at(&s);
		CHECK(at.beta == NULL);
		promo_logreg_state_zero(first, d);
		promo_logreg_accum(first, &at, ds.x, ds.y, ds.w, ds.n, work);
		CHECK(promo_logreg_iterate(&s, first, &st));
		CHECK(promo_logreg_solver_at(&s).beta != NULL);

		/* feature 2 has no weight left: its row and column of X'WX are 0 */
		memcpy(state, first, sizeof(double) * slen);
		state[PROMO_LOGREG_S_DEVIANCE] *= 0.5;
		for (int i = 0; i < p; i++)
		{
			state[PROMO_LOGREG_S_HEADER + i + 2 * p] = 0.0;
			state[PROMO_LOGREG_S_HEADER + 2 + i * p] = 0.0;
		}
		if (extreme == 1)
			state[PROMO_LOGREG_S_EXTREME] = 3.0;
		if (extreme == 2)
			state[PROMO_LOGREG_S_DEVIANCE] = NAN;
		CHECK(!promo_logreg_iterate(&s, state, &st));
		CHECK_INT(st, extreme == 0 ? PROMO_LOGREG_SINGULAR :
				  extreme == 1 ? PROMO_LOGREG_SEPARATION : PROMO_LOGREG_NUMERIC);
		if (extreme == 0)
			CHECK_INT(s.bad_term, 2);
		CHECK(s.iterations == 1 && !s.converged);
	}
	free(mem);
	free(imem);
	free(first);
	free(state);
	free(work);
	FreeDataset(&ds);
}

/* One scikit-learn penalized reference. */
static void
CheckAgainstSklearn(const char *name)
{
	Dataset		ds = LoadDataset(name);
	PromoLogregOptions opt = promo_logreg_default_options();
	FitCase		c;
	char		key[128];
	double		penalty = 0.0;

	snprintf(key, sizeof(key), "%s,lambda,-1", name);
	opt.lambda = fixture_value("sklearn.csv", key);
	snprintf(key, sizeof(key), "%s,C,-1", name);
	CHECK_CLOSE(opt.lambda, 1.0 / fixture_value("sklearn.csv", key), 1e-15);
	CHECK_INT(Fit(&c, ds.x, ds.y, ds.w, ds.n, ds.d, &opt), PROMO_LOGREG_OK);
	for (int j = 0; j <= ds.d; j++)
	{
		snprintf(key, sizeof(key), "%s,estimate,%d", name, j);
		CHECK_CLOSE(c.estimate[j], fixture_value("sklearn.csv", key), RTOL);
		if (j > 0)
			penalty += c.estimate[j] * c.estimate[j];
	}
	snprintf(key, sizeof(key), "%s,deviance,-1", name);
	CHECK_CLOSE(c.fit.deviance, fixture_value("sklearn.csv", key), RTOL);
	snprintf(key, sizeof(key), "%s,objective,-1", name);
	CHECK_CLOSE(c.fit.deviance / 2 + opt.lambda / 2 * penalty,
				fixture_value("sklearn.csv", key), RTOL);
	CHECK(c.fit.lambda == opt.lambda);
	FreeDataset(&ds);
}

/* L2 penalty lambda = 1 / C against LogisticRegression(C = ...). */
static void
logreg_sklearn_penalized(void)
{
	CheckAgainstSklearn("basic");
	CheckAgainstSklearn("weights");
	CheckAgainstSklearn("correlated");
}

/*
 * One binary feature: the fit is the 2 x 2 table's, in closed form.  At
 * x = 0, 3 of 10 rows have y = 1; at x = 1, 6 of 10.  b0 = log(3/7),
 * b1 = log(6/4) - log(3/7), se(b0) = sqrt(1/3 + 1/7),
 * se(b1) = sqrt(1/3 + 1/7 + 1/6 + 1/4), and the deviance is
 * -2 sum n log p at p = 0.3, 0.6.
 */
static void
logreg_two_by_two_closed_form(void)
{
	double		x[20];
	double		y[20];
	PromoLogregOptions opt = promo_logreg_default_options();
	FitCase		c;
	double		dev = -2.0 * (3 * log(0.3) + 7 * log(0.7) + 6 * log(0.6) + 4 * log(0.4));
	double		nulldev = -2.0 * (9 * log(0.45) + 11 * log(0.55));

	for (int i = 0; i < 20; i++)
	{
		x[i] = i < 10 ? 0.0 : 1.0;
		y[i] = i < 10 ? (i < 3) : (i < 16);
	}
	opt.tol = 1e-14;
	CHECK_INT(Fit(&c, x, y, NULL, 20, 1, &opt), PROMO_LOGREG_OK);
	CHECK_CLOSE(c.estimate[0], log(3.0 / 7.0), 1e-10);
	CHECK_CLOSE(c.estimate[1], log(6.0 / 4.0) - log(3.0 / 7.0), 1e-10);
	CHECK_CLOSE(c.std_error[0], sqrt(1.0 / 3 + 1.0 / 7), 1e-8);
	CHECK_CLOSE(c.std_error[1], sqrt(1.0 / 3 + 1.0 / 7 + 1.0 / 6 + 1.0 / 4), 1e-8);
	CHECK_CLOSE(c.fit.deviance, dev, 1e-12);
	CHECK_CLOSE(c.fit.null_deviance, nulldev, 1e-12);
	CHECK_CLOSE(c.fit.aic, dev + 4.0, 1e-12);
	CHECK_CLOSE(c.fit.log_likelihood, -dev / 2, 1e-12);
	CHECK_CLOSE(c.p_value[1], 2.0 * (0.5 * erfc(fabs(c.z_value[1]) / sqrt(2.0))), 1e-12);
	CHECK(c.fit.df_null == 19 && c.fit.df_residual == 18 && c.fit.n == 20);
	CHECK(c.fit.mean == NULL);
	CHECK(c.fit.converged);
	CHECK_CLOSE(promo_logreg_probability(promo_logreg_link(c.estimate, 1, &x[10])),
				0.6, 1e-10);
}

/* Integer weights are repeated rows: the weights dataset expanded. */
static void
logreg_weights_are_repeats(void)
{
	Dataset		ds = LoadDataset("weights");
	PromoLogregOptions opt = promo_logreg_default_options();
	int			total = 0;
	int			k = 0;
	double	   *x;
	double	   *y;
	FitCase		a;
	FitCase		b;

	for (int i = 0; i < ds.n; i++)
		total += (int) ds.w[i];
	x = unit_alloc(sizeof(double) * total * ds.d);
	y = unit_alloc(sizeof(double) * total);
	for (int i = 0; i < ds.n; i++)
		for (int r = 0; r < (int) ds.w[i]; r++, k++)
		{
			y[k] = ds.y[i];
			memcpy(x + (size_t) k * ds.d, ds.x + (size_t) i * ds.d, sizeof(double) * ds.d);
		}
	opt.tol = 1e-12;
	CHECK_INT(Fit(&a, ds.x, ds.y, ds.w, ds.n, ds.d, &opt), PROMO_LOGREG_OK);
	CHECK_INT(Fit(&b, x, y, NULL, total, ds.d, &opt), PROMO_LOGREG_OK);
	/*
	 * The estimates converge to the same point; the standard errors are
	 * taken, as glm's, at the iterate before the last, and the two paths
	 * differ (glm starts from (w y + 1/2) / (w + 1)), so they agree to
	 * what tol leaves.
	 */
	for (int j = 0; j <= ds.d; j++)
	{
		CHECK_CLOSE(a.estimate[j], b.estimate[j], 1e-9);
		CHECK_CLOSE(a.std_error[j], b.std_error[j], 1e-6);
	}
	CHECK_CLOSE(a.fit.deviance, b.fit.deviance, 1e-10);
	/* n counts rows, not weights, as in glm */
	CHECK(a.fit.n == ds.n - 3 && b.fit.n == total);
	free(x);
	free(y);
	FreeDataset(&ds);
}

/*
 * The scale-out path: the moments and each pass's rows split into three
 * parts accumulated into separate states (in blocks of 7 rows), merged,
 * driven by the same solver, gives the in-memory fit.
 */
static void
logreg_scale_out_equals_in_memory(void)
{
	Dataset		ds = LoadDataset("correlated");
	int			d = ds.d;
	size_t		slen = promo_logreg_state_length(d);
	PromoLogregOptions opt = promo_logreg_default_options();
	double	   *mem = unit_alloc(sizeof(double) * promo_logreg_solver_doubles(d));
	int		   *imem = unit_alloc(sizeof(int) * promo_logreg_solver_ints(d));
	double	   *state = unit_alloc(sizeof(double) * slen);
	double	   *part = unit_alloc(sizeof(double) * slen);
	double	   *moments = unit_alloc(sizeof(double) * promo_logreg_moments_length(d));
	double	   *work = unit_alloc(sizeof(double) * promo_logreg_moments_work(d));
	double	   *swork = unit_alloc(sizeof(double) * promo_logreg_statistics_work(d));
	double		mean[MAXP];
	double		sd[MAXP];
	int			cut[4] = {0, 101, 250, ds.n};
	PromoLogregSolver s;
	PromoLogregStatus st;
	PromoLogregAt at;
	FitCase		mem_fit;
	FitCase		out;

	CHECK_INT(Fit(&mem_fit, ds.x, ds.y, ds.w, ds.n, d, &opt), PROMO_LOGREG_OK);

	memset(&out, 0, sizeof(out));
	out.fit.estimate = out.estimate;
	out.fit.std_error = out.std_error;
	out.fit.z_value = out.z_value;
	out.fit.p_value = out.p_value;
	out.fit.mean = out.mean;
	SplitMoments(&ds, moments, work);
	CHECK_CLOSE(moments[PROMO_LOGREG_S_N], ds.n, 0.0);
	promo_logreg_moments_describe(moments, d, mean, sd);
	CHECK_INT(promo_logreg_solver_init(&s, d, &opt, mean, sd, mem, imem), PROMO_LOGREG_OK);
	at = promo_logreg_solver_at(&s);
	promo_logreg_moments_state(moments, &at, state);
	while (promo_logreg_iterate(&s, state, &st))
	{
		at = promo_logreg_solver_at(&s);
		promo_logreg_state_zero(state, d);
		for (int k = 0; k < 3; k++)
		{
			promo_logreg_state_zero(part, d);
			for (int r = cut[k]; r < cut[k + 1]; r += 7)
			{
				int			nb = cut[k + 1] - r < 7 ? cut[k + 1] - r : 7;

				promo_logreg_accum(part, &at, ds.x + (size_t) r * d, ds.y + r,
								   ds.w + r, nb, work);
			}
			promo_logreg_state_merge(state, part, d);
		}
	}
	CHECK_INT(st, PROMO_LOGREG_OK);
	promo_logreg_statistics(&s, state, &out.fit, swork);
	CHECK_INT(out.fit.iterations, mem_fit.fit.iterations);
	for (int j = 0; j < d; j++)
		CHECK_CLOSE(out.mean[j], mean[j], 0.0);
	CHECK_CLOSE(out.fit.deviance, mem_fit.fit.deviance, 1e-13);
	for (int j = 0; j <= d; j++)
	{
		CHECK_CLOSE(out.estimate[j], mem_fit.estimate[j], 1e-11);
		CHECK_CLOSE(out.std_error[j], mem_fit.std_error[j], 1e-11);
	}
	free(mem);
	free(imem);
	free(state);
	free(part);
	free(moments);
	free(work);
	free(swork);
	FreeDataset(&ds);
}

/*
 * The first pass from moments against the rows: the moments of a dataset
 * merged from parts (each with its own shift) describe its features as two
 * passes do, and give the sums promo_logreg_accum adds at glm's starting
 * values, at the fit's centre and scale and at another one.
 */
static void
CheckMomentsFirstPass(const char *name)
{
	Dataset		ds = LoadDataset(name);
	int			d = ds.d;
	int			p = d + 1;
	size_t		slen = promo_logreg_state_length(d);
	double	   *moments = unit_alloc(sizeof(double) * promo_logreg_moments_length(d));
	double	   *work = unit_alloc(sizeof(double) * promo_logreg_moments_work(d));
	double	   *direct = unit_alloc(sizeof(double) * slen);
	double	   *derived = unit_alloc(sizeof(double) * slen);
	double		mean[MAXP];
	double		sd[MAXP];
	double		ref_mean[MAXP];
	double		ref_sd[MAXP];
	double		center[MAXP];
	double		scale[MAXP];

	SplitMoments(&ds, moments, work);
	promo_logreg_moments_describe(moments, d, mean, sd);
	TwoPassDescribe(&ds, ref_mean, ref_sd);
	for (int j = 0; j < d; j++)
	{
		CHECK_ABS(mean[j], ref_mean[j], 1e-14 * (fabs(ref_mean[j]) + ref_sd[j]));
		CHECK_CLOSE(sd[j], ref_sd[j], 1e-13);
	}
	for (int shifted = 0; shifted <= 1; shifted++)
	{
		PromoLogregAt at = {d, center, scale, NULL};
		double		diag[MAXP];

		for (int j = 0; j < d; j++)
		{
			center[j] = ref_mean[j] + (shifted ? 0.7 * ref_sd[j] : 0.0);
			scale[j] = ref_sd[j] * (shifted ? 2.5 : 1.0);
		}
		promo_logreg_state_zero(direct, d);
		promo_logreg_accum(direct, &at, ds.x, ds.y, ds.w, ds.n, work);
		promo_logreg_moments_state(moments, &at, derived);
		for (int k = 0; k < PROMO_LOGREG_S_HEADER; k++)
			CHECK_CLOSE(derived[k], direct[k], 1e-13);
		/* Entries near 0 are compared on the scale of their row and column. */
		for (int j = 0; j < p; j++)
			diag[j] = sqrt(direct[PROMO_LOGREG_S_HEADER + j + (size_t) j * p]);
		for (int j = 0; j < p; j++)
		{
			for (int i = 0; i <= j; i++)
				CHECK_ABS(derived[PROMO_LOGREG_S_HEADER + i + (size_t) j * p],
						  direct[PROMO_LOGREG_S_HEADER + i + (size_t) j * p],
						  1e-12 * diag[i] * diag[j]);
			CHECK_ABS(derived[PROMO_LOGREG_S_HEADER + (size_t) p * p + j],
					  direct[PROMO_LOGREG_S_HEADER + (size_t) p * p + j],
					  1e-12 * diag[j] * diag[0] * 4.0);
		}
	}
	free(moments);
	free(work);
	free(direct);
	free(derived);
	FreeDataset(&ds);
}

/* The first pass from moments: unit weights, large offsets, weights. */
static void
logreg_moments_first_pass(void)
{
	CheckMomentsFirstPass("basic");
	CheckMomentsFirstPass("offset");
	CheckMomentsFirstPass("weights");
	CheckMomentsFirstPass("correlated");
}

/* Rows of weight 0 take no part: the fit equals the one without them. */
static void
logreg_zero_weights_ignored(void)
{
	Dataset		ds = LoadDataset("basic");
	PromoLogregOptions opt = promo_logreg_default_options();
	FitCase		a;
	FitCase		b;
	int			keep = 0;

	/* garbage features on the weight-0 rows must not matter either */
	for (int i = 0; i < ds.n; i++)
	{
		if (i % 5 == 0)
		{
			ds.w[i] = 0.0;
			ds.x[(size_t) i * ds.d] = 1e300;
		}
	}
	CHECK_INT(Fit(&a, ds.x, ds.y, ds.w, ds.n, ds.d, &opt), PROMO_LOGREG_OK);
	for (int i = 0; i < ds.n; i++)
	{
		if (ds.w[i] == 0.0)
			continue;
		ds.y[keep] = ds.y[i];
		memmove(ds.x + (size_t) keep * ds.d, ds.x + (size_t) i * ds.d, sizeof(double) * ds.d);
		keep++;
	}
	CHECK_INT(Fit(&b, ds.x, ds.y, NULL, keep, ds.d, &opt), PROMO_LOGREG_OK);
	CHECK(a.fit.n == keep);
	CHECK_INT(a.fit.iterations, b.fit.iterations);
	for (int j = 0; j <= ds.d; j++)
		CHECK_CLOSE(a.estimate[j], b.estimate[j], 1e-12);
	FreeDataset(&ds);
}

/* No rows, one class, a constant feature, collinear features. */
static void
logreg_error_statuses(void)
{
	enum
	{
		N = 30
	};
	double		x[N * 2];
	double		y[N];
	double		w[N];
	uint64_t	st = 17;
	PromoLogregOptions opt = promo_logreg_default_options();
	FitCase		c;

	for (int i = 0; i < N; i++)
	{
		x[2 * i] = unit_uniform(&st, -1.0, 1.0);
		x[2 * i + 1] = unit_uniform(&st, -1.0, 1.0);
		y[i] = unit_uniform(&st, 0.0, 1.0) < 0.5 + 0.3 * x[2 * i];
		w[i] = 0.0;
	}
	CHECK_INT(Fit(&c, x, y, w, N, 2, &opt), PROMO_LOGREG_NO_ROWS);
	CHECK_INT(Fit(&c, x, y, NULL, 0, 2, &opt), PROMO_LOGREG_NO_ROWS);

	/* one class among the rows of positive weight */
	for (int i = 0; i < N; i++)
		w[i] = y[i];
	CHECK_INT(Fit(&c, x, y, w, N, 2, &opt), PROMO_LOGREG_ONE_CLASS);

	/* a constant second feature, also at a large offset */
	for (int i = 0; i < N; i++)
		x[2 * i + 1] = 1e6;
	CHECK_INT(Fit(&c, x, y, NULL, N, 2, &opt), PROMO_LOGREG_CONSTANT_FEATURE);
	CHECK_INT(c.bad_term, 2);

	/* x2 = 3 x1 - 2: singular X'WX */
	for (int i = 0; i < N; i++)
		x[2 * i + 1] = 3.0 * x[2 * i] - 2.0;
	CHECK_INT(Fit(&c, x, y, NULL, N, 2, &opt), PROMO_LOGREG_SINGULAR);
	CHECK(c.bad_term == 1 || c.bad_term == 2);

	/* one Newton step is not enough */
	for (int i = 0; i < N; i++)
		x[2 * i + 1] = unit_uniform(&st, -1.0, 1.0);
	opt.max_iter = 1;
	CHECK_INT(Fit(&c, x, y, NULL, N, 2, &opt), PROMO_LOGREG_NOT_CONVERGED);
	CHECK(!c.fit.converged && c.fit.iterations == 1);
	CHECK(isfinite(c.std_error[0]) && isfinite(c.std_error[2]));
}

/* Option ranges. */
static void
logreg_options(void)
{
	PromoLogregOptions opt = promo_logreg_default_options();

	CHECK(opt.max_iter == 25 && opt.tol == 1e-8 && opt.lambda == 0.0);
	CHECK(promo_logreg_invalid_option(&opt) == NULL);
	opt.max_iter = 0;
	CHECK(strcmp(promo_logreg_invalid_option(&opt), "max_iter") == 0);
	opt = promo_logreg_default_options();
	opt.tol = 0.0;
	CHECK(strcmp(promo_logreg_invalid_option(&opt), "tol") == 0);
	opt.tol = NAN;
	CHECK(strcmp(promo_logreg_invalid_option(&opt), "tol") == 0);
	opt = promo_logreg_default_options();
	opt.lambda = -1.0;
	CHECK(strcmp(promo_logreg_invalid_option(&opt), "lambda") == 0);
	opt.lambda = INFINITY;
	CHECK(strcmp(promo_logreg_invalid_option(&opt), "lambda") == 0);
}

/* The logistic function in both tails. */
static void
logreg_probability_tails(void)
{
	double		est[3] = {0.5, 2.0, -1.0};
	double		x[2] = {1.5, 0.25};

	CHECK_CLOSE(promo_logreg_link(est, 2, x), 0.5 + 3.0 - 0.25, 1e-15);
	CHECK_CLOSE(promo_logreg_probability(0.0), 0.5, 1e-15);
	CHECK_CLOSE(promo_logreg_probability(-800.0), 0.0, 0.0);
	CHECK_CLOSE(promo_logreg_probability(800.0), 1.0, 0.0);
	CHECK_CLOSE(promo_logreg_probability(-40.0), exp(-40.0) / (1.0 + exp(-40.0)), 1e-14);
	CHECK_CLOSE(promo_logreg_probability(2.0) + promo_logreg_probability(-2.0), 1.0, 1e-15);
}

const UnitTest unit_logreg_tests[] = {
	UNIT_TEST(logreg_glm_basic),
	UNIT_TEST(logreg_glm_offset),
	UNIT_TEST(logreg_glm_weights),
	UNIT_TEST(logreg_glm_correlated),
	UNIT_TEST(logreg_glm_near_separation),
	UNIT_TEST(logreg_glm_separation),
	UNIT_TEST(logreg_glm_quasi_separation),
	UNIT_TEST(logreg_singular_step_statuses),
	UNIT_TEST(logreg_sklearn_penalized),
	UNIT_TEST(logreg_two_by_two_closed_form),
	UNIT_TEST(logreg_weights_are_repeats),
	UNIT_TEST(logreg_scale_out_equals_in_memory),
	UNIT_TEST(logreg_moments_first_pass),
	UNIT_TEST(logreg_zero_weights_ignored),
	UNIT_TEST(logreg_error_statuses),
	UNIT_TEST(logreg_options),
	UNIT_TEST(logreg_probability_tails),
	{NULL, NULL}
};
