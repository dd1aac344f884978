/*
 * logreg.h
 *		Logistic regression with an intercept by IRLS (Newton), with the
 *		statistics of R's summary(glm(family = binomial)).
 *
 * Model: P(y = 1 | x) = 1 / (1 + exp(-(b0 + x'b))), y in {0, 1}, row
 * weights w >= 0 (rows of weight 0 take no part, as in glm).  The fit
 * minimises
 *
 *		-loglik(b0, b) + (lambda / 2) ||b||^2,
 *		loglik = sum_i w_i (y_i log p_i + (1 - y_i) log(1 - p_i)),
 *
 * the intercept b0 not penalized.  lambda = 0 is R's glm; lambda > 0 is
 * scikit-learn's LogisticRegression(penalty = "l2", C = 1 / lambda), whose
 * objective 0.5 ||b||^2 + C sum_i w_i loss_i is this one times C.
 *
 * Rows are standardized internally, z_j = (x_j - center_j) / scale_j, and
 * the iterations run on z (IRLS is affine invariant, so the fitted values
 * and iterations are those on x); estimates and standard errors are mapped
 * back to the scale of x.  This keeps features with large offsets (values
 * around 1e6 varying in units) as accurate as centred ones.
 *
 * One pass over the rows at the current coefficients accumulates a flat
 * state of sums (X'WX, X'Wz, the deviance, counts), mergeable by addition;
 * a Newton step is solved from the merged state.  The first pass, at glm's
 * starting values, needs no coefficients and comes from moments of the
 * rows gathered in the same pass as the standardization.  The in-memory
 * fit and a fit that scans a table per iteration run the same loop:
 *
 *		for each block of rows: promo_logreg_moments_accum(moments, ...);
 *		promo_logreg_moments_describe(moments, d, mean, sd);
 *		promo_logreg_solver_init(&s, ..., mean, sd, ...);
 *		promo_logreg_moments_state(moments, &at, state);   at from the solver
 *		while (promo_logreg_iterate(&s, state, &status)) {
 *			promo_logreg_state_zero(state, d);
 *			for each block of rows:
 *				promo_logreg_accum(state, &at, rows, ...);
 *		}
 *		if status has a fit: promo_logreg_statistics(&s, state, &fit);
 *
 * The iteration is glm.fit's: the first pass starts from glm's mustart
 * (w y + 1/2) / (w + 1) rather than from coefficients, the working weights
 * and responses use R's clamped logit link, and the loop stops when
 * |dev - dev_old| / (|dev| + 0.1) < tol (dev the deviance, plus
 * lambda ||b||^2 when penalized) or after max_iter Newton steps.  Standard
 * errors come from the X'WX of the last step, as summary.glm's do.
 */
#ifndef PROMO_LOGREG_H
#define PROMO_LOGREG_H

#include <float.h>
#include <stdbool.h>
#include <stddef.h>

/* Defaults and ranges of the options (glm.control's defaults). */
#define PROMO_LOGREG_DEFAULT_MAX_ITER 25
#define PROMO_LOGREG_DEFAULT_TOL 1e-8
#define PROMO_LOGREG_DEFAULT_LAMBDA 0.0
#define PROMO_LOGREG_MAX_MAX_ITER 10000

/* The most features a state may hold (it grows with d^2). */
#define PROMO_LOGREG_MAX_FEATURES 1000

/*
 * A fitted probability is numerically 0 or 1 when it is within this of 0
 * or 1 (glm.fit's 10 * .Machine$double.eps).
 */
#define PROMO_LOGREG_EPS01 (10.0 * DBL_EPSILON)

/* Rows standardized and reduced per BLAS call. */
#define PROMO_LOGREG_CHUNK 256

typedef enum PromoLogregStatus
{
	/* A fit exists (estimates and statistics are filled in). */
	PROMO_LOGREG_OK = 0,
	PROMO_LOGREG_NOT_CONVERGED, /* max_iter steps without convergence */
	PROMO_LOGREG_SEPARATION,	/* fitted probabilities numerically 0 or 1:
								 * (quasi-)complete separation, estimates
								 * diverge */
	/* No fit exists. */
	PROMO_LOGREG_NO_ROWS,		/* no row of positive weight */
	PROMO_LOGREG_ONE_CLASS,		/* every y the same: nothing to learn */
	PROMO_LOGREG_CONSTANT_FEATURE,	/* bad_term is constant */
	PROMO_LOGREG_SINGULAR,		/* X'WX singular: bad_term is a combination
								 * of the others */
	PROMO_LOGREG_NUMERIC		/* sums not finite, or LAPACK failed */
} PromoLogregStatus;

/* Statuses below this one come with a fit. */
#define PROMO_LOGREG_FIRST_ERROR PROMO_LOGREG_NO_ROWS

typedef struct PromoLogregOptions
{
	int			max_iter;		/* Newton steps, 1 .. PROMO_LOGREG_MAX_MAX_ITER */
	double		tol;			/* relative deviance change, > 0 */
	double		lambda;			/* L2 penalty, >= 0 */
} PromoLogregOptions;

/* The defaults above. */
extern PromoLogregOptions promo_logreg_default_options(void);

/* Name of the first option out of range, or NULL if all are valid. */
extern const char *promo_logreg_invalid_option(const PromoLogregOptions *opt);

/*
 * Where a pass evaluates the rows: d features, the standardization, and
 * the coefficients on the standardized scale (p = d + 1, intercept first),
 * or NULL for glm's starting values.
 */
typedef struct PromoLogregAt
{
	int			d;
	const double *center;
	const double *scale;
	const double *beta;
} PromoLogregAt;

/*
 * The state of one pass, a flat array of promo_logreg_state_length(d)
 * doubles, mergeable by addition:
 *	 [0] rows of positive weight, [1] of them with y = 1, [2] sum of w,
 *	 [3] sum of w y, [4] deviance at the coefficients, [5] rows whose
 *	 fitted probability is numerically 0 or 1, then X'WX (p x p,
 *	 column-major, both triangles; the upper one is read) and X'Wz (p), on
 *	 the standardized scale.
 */
#define PROMO_LOGREG_S_N 0
#define PROMO_LOGREG_S_N1 1
#define PROMO_LOGREG_S_SUMW 2
#define PROMO_LOGREG_S_SUMWY 3
#define PROMO_LOGREG_S_DEVIANCE 4
#define PROMO_LOGREG_S_EXTREME 5
#define PROMO_LOGREG_S_HEADER 6

extern size_t promo_logreg_state_length(int d);
extern void promo_logreg_state_zero(double *state, int d);
extern void promo_logreg_state_merge(double *state, const double *other, int d);

/* Doubles of scratch space promo_logreg_accum needs for d features. */
extern size_t promo_logreg_accum_work(int d);

/*
 * Add nrows rows (x row-major nrows x d, y in {0, 1}, w >= 0 or NULL for
 * all 1) evaluated at *at into state.  Inputs are taken as valid (finite,
 * y 0 or 1, w >= 0); the caller checks them.
 */
extern void promo_logreg_accum(double *state, const PromoLogregAt *at,
							   const double *x, const double *y,
							   const double *w, int nrows, double *work);

/*
 * The first pass without a standardization.  glm's starting values depend
 * on y and w alone, so the sums of the first pass at any centre and scale
 * follow from moments of the rows, which one pass gathers together with
 * each feature's mean and standard deviation (the centre and scale).  A
 * flat array of promo_logreg_moments_length(d) doubles over the rows of
 * positive weight, merged by promo_logreg_moments_merge (Chan et al.):
 *	 [0 .. 5] the header of the first pass's state, as above, then the
 *	 shift g (d: a row of the data; the moments are those of x - g, which
 *	 keeps features with large offsets exact), the mean (d) and the sum of
 *	 squared deviations (d) of x - g, and with the working weights W and
 *	 responses r of glm's start: SW = sum W, the W-weighted mean m of
 *	 x - g (d), C = sum W (x - g - m)(x - g - m)' (d x d, column-major),
 *	 R = sum W r and U = sum W r (x - g - m) (d).
 */
extern size_t promo_logreg_moments_length(int d);
extern void promo_logreg_moments_zero(double *moments, int d);

/* Doubles of scratch space the moments functions need for d features. */
extern size_t promo_logreg_moments_work(int d);

/*
 * Add nrows rows (as promo_logreg_accum takes them) into the moments, a
 * block of PROMO_LOGREG_CHUNK rows at a time.
 */
extern void promo_logreg_moments_accum(double *moments, int d,
									   const double *x, const double *y,
									   const double *w, int nrows,
									   double *work);

/* Merge the moments of other rows into moments. */
extern void promo_logreg_moments_merge(double *moments, const double *other,
									   int d, double *work);

/*
 * Could moments from outside have come from rows: sums of squared
 * deviations and of working weights not negative?
 */
extern bool promo_logreg_moments_valid(const double *moments, int d);

/*
 * Mean and sample standard deviation of each feature over the rows of
 * positive weight (0 below two rows): the solver's centre and scale.
 */
extern void promo_logreg_moments_describe(const double *moments, int d,
										  double *mean, double *sd);

/*
 * The state of the first pass, at glm's starting values, on the scale
 * at->center and at->scale give: what promo_logreg_accum would add over
 * the same rows, to rounding.
 */
extern void promo_logreg_moments_state(const double *moments,
									   const PromoLogregAt *at, double *state);

/* The IRLS driver: options, standardization, coefficients, last factor. */
typedef struct PromoLogregSolver
{
	int			d;
	PromoLogregOptions opt;
	double	   *center;			/* d */
	double	   *scale;			/* d, > 0 */
	double	   *beta;			/* p, standardized scale */
	double	   *factor;			/* p x p Cholesky factor of D A D, A the
								 * penalized X'WX of the last step */
	double	   *dscale;			/* p: D = diag(A)^-1/2 */
	double	   *scratch;
	int		   *iwork;
	bool		started;		/* false until the first step is solved */
	bool		converged;
	int			iterations;		/* Newton steps solved */
	double		objective_old;	/* deviance (+ penalty) before the step */
	int			bad_term;		/* 0 intercept, j feature j (1-based) */
} PromoLogregSolver;

/* Doubles and ints of memory a solver of d features needs. */
extern size_t promo_logreg_solver_doubles(int d);
extern size_t promo_logreg_solver_ints(int d);

/*
 * Set up a solver over caller memory from the mean and standard deviation
 * of each feature over the rows of positive weight (any centre and scale
 * would do; these make the standardized problem well conditioned).  Fails
 * with PROMO_LOGREG_CONSTANT_FEATURE, bad_term set, when a standard
 * deviation is 0 or below 1e-13 of the feature's magnitude.
 */
extern PromoLogregStatus promo_logreg_solver_init(PromoLogregSolver *s, int d,
												  const PromoLogregOptions *opt,
												  const double *mean,
												  const double *sd,
												  double *mem, int *imem);

/* Where the next pass evaluates the rows. */
extern PromoLogregAt promo_logreg_solver_at(const PromoLogregSolver *s);

/*
 * Take the merged state of a pass at promo_logreg_solver_at(s): true when
 * another pass is needed (at the new coefficients); false when done, with
 * *status set and, for a status below PROMO_LOGREG_FIRST_ERROR, the final
 * coefficients those of this pass.
 */
extern bool promo_logreg_iterate(PromoLogregSolver *s, const double *state,
								 PromoLogregStatus *status);

/* A fitted model, on the scale of x: p = d + 1 terms, term 0 the intercept. */
typedef struct PromoLogregFit
{
	int			d;
	double		lambda;
	double		n;				/* rows of positive weight */
	double		df_null;
	double		df_residual;
	double	   *estimate;		/* p values each, caller-allocated */
	double	   *std_error;
	double	   *z_value;
	double	   *p_value;
	double	   *mean;			/* d, or NULL: each feature's mean over the
								 * rows of positive weight (the centre of the
								 * standardization, a baseline for
								 * explanations) */
	double		null_deviance;
	double		deviance;		/* -2 loglik, without the penalty */
	/*
	 * aic and log_likelihood are R's for 0/1 y and integer weights; with
	 * fractional weights R's binomial()$aic rounds them, here the weighted
	 * log-likelihood is kept as it is.
	 */
	double		aic;			/* deviance + 2 p */
	double		log_likelihood; /* -deviance / 2 */
	int			iterations;
	bool		converged;
	double		n_extreme;		/* rows with fitted probability numerically 0
								 * or 1 */
} PromoLogregFit;

/* Doubles of scratch space promo_logreg_statistics needs. */
extern size_t promo_logreg_statistics_work(int d);

/*
 * Estimates and statistics after promo_logreg_iterate returned false with
 * a fit; state is the one of that last pass.  Standard errors are those
 * of summary.glm (dispersion 1); with lambda > 0 they come from the
 * penalized X'WX, the curvature of the penalized objective.
 */
extern void promo_logreg_statistics(const PromoLogregSolver *s,
									const double *state, PromoLogregFit *fit,
									double *work);

/*
 * Whether n rows of positive weight, n1 of them with y = 1, can be fitted:
 * PROMO_LOGREG_OK, PROMO_LOGREG_NO_ROWS or PROMO_LOGREG_ONE_CLASS.
 */
extern PromoLogregStatus promo_logreg_class_status(double n, double n1);

/* Doubles and ints of scratch space promo_logreg_fit needs. */
extern size_t promo_logreg_fit_work(int d);
extern size_t promo_logreg_fit_iwork(int d);

/* Called between blocks of rows; may not return (a cancelled query). */
typedef struct PromoLogregHooks
{
	void	   *ctx;
	void		(*interrupt) (void *ctx);
} PromoLogregHooks;

/*
 * Fit n rows held in memory by the loop above; fit->estimate etc. are
 * caller-allocated, hooks may be NULL.  On failure *bad_term names the
 * offending term where there is one.
 */
extern PromoLogregStatus promo_logreg_fit(const double *x, const double *y,
										  const double *w, size_t n, int d,
										  const PromoLogregOptions *opt,
										  PromoLogregFit *fit, int *bad_term,
										  double *work, int *iwork,
										  const PromoLogregHooks *hooks);

/* Log-odds b0 + x'b of x (d features) under estimates on the scale of x. */
extern double promo_logreg_link(const double *estimate, int d, const double *x);

/* The probability 1 / (1 + exp(-link)), accurate in both tails. */
extern double promo_logreg_probability(double link);

#endif							/* PROMO_LOGREG_H */
