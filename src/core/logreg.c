/*
 * logreg.c
 *		Logistic regression by IRLS from mergeable sums, with the statistics
 *		of R's summary(glm(family = binomial)).
 *
 * Each pass reduces blocks of standardized rows [1 z] scaled by the square
 * root of their working weight with one BLAS dgemm (X'WX) and one dgemv
 * (X'Wz).  A step scales the penalized X'WX to unit diagonal, tests its
 * rank with a pivoted Cholesky factorization (the rule linreg uses) and
 * solves with LAPACK dpotrf / dpotrs.
 */
#include "logreg.h"

#include <cblas.h>
#include <float.h>
#include <lapack.h>
#include <math.h>
#include <string.h>

#include <Rmath.h>

#include "linreg.h"

/* R's logit link clamps eta beyond these (src/library/stats/src/family.c). */
#define LINK_THRESH 30.0
#define LINK_MTHRESH -30.0

/* A standard deviation below this share of |mean| is rounding noise. */
#define CONSTANT_SD_SHARE 1e-13

/* The defaults. */
PromoLogregOptions
promo_logreg_default_options(void)
{
	PromoLogregOptions opt;

	opt.max_iter = PROMO_LOGREG_DEFAULT_MAX_ITER;
	opt.tol = PROMO_LOGREG_DEFAULT_TOL;
	opt.lambda = PROMO_LOGREG_DEFAULT_LAMBDA;
	return opt;
}

/* Name of the first option out of range, or NULL if all are valid. */
const char *
promo_logreg_invalid_option(const PromoLogregOptions *opt)
{
	if (opt->max_iter < 1 || opt->max_iter > PROMO_LOGREG_MAX_MAX_ITER)
		return "max_iter";
	if (!(opt->tol > 0.0) || !isfinite(opt->tol))
		return "tol";
	if (!(opt->lambda >= 0.0) || !isfinite(opt->lambda))
		return "lambda";
	return NULL;
}

/* ---- the state ---------------------------------------------------------- */

/* Doubles in the state of d features. */
size_t
promo_logreg_state_length(int d)
{
	size_t		p = (size_t) d + 1;

	return PROMO_LOGREG_S_HEADER + p * p + p;
}

/* A state with every sum zero. */
void
promo_logreg_state_zero(double *state, int d)
{
	memset(state, 0, sizeof(double) * promo_logreg_state_length(d));
}

/* Add the sums of another pass over other rows at the same coefficients. */
void
promo_logreg_state_merge(double *state, const double *other, int d)
{
	cblas_daxpy((int) promo_logreg_state_length(d), 1.0, other, 1, state, 1);
}

/* Offset of X'WX (p x p, column-major) in a state. */
static size_t
XtWXOffset(void)
{
	return PROMO_LOGREG_S_HEADER;
}

/* Offset of X'Wz (p) in a state. */
static size_t
XtWzOffset(int p)
{
	return PROMO_LOGREG_S_HEADER + (size_t) p * p;
}

/* ---- one pass ----------------------------------------------------------- */

/* R's binomial()$linkinv and $mu.eta at eta, sharing one exp(). */
static void
LogitInverse(double eta, double *mu, double *mu_eta)
{
	if (eta < LINK_MTHRESH || eta > LINK_THRESH)
	{
		double		t = eta < LINK_MTHRESH ? DBL_EPSILON : 1.0 / DBL_EPSILON;

		*mu = t / (1.0 + t);
		*mu_eta = DBL_EPSILON;
	}
	else
	{
		double		t = exp(eta);
		double		opexp = 1.0 + t;

		*mu = t / opexp;
		*mu_eta = t / (opexp * opexp);
	}
}

/* glm's starting log-odds for binomial: logit of (w y + 1/2) / (w + 1). */
static double
StartEta(double y, double w)
{
	double		mu = (w * y + 0.5) / (w + 1.0);

	return log(mu / (1.0 - mu));
}

/*
 * Copy the rows of positive weight of a block into z as standardized rows
 * [1 z] (m x p, row-major) with their y and w; returns m.
 */
static int
GatherRows(const PromoLogregAt *at, const double *restrict inv_scale,
		   const double *x, const double *y, const double *w, int nrows,
		   double *restrict z, double *yk, double *wk)
{
	int			d = at->d;
	int			p = d + 1;
	int			m = 0;

	for (int r = 0; r < nrows; r++)
	{
		const double *restrict row = x + (size_t) r * d;
		double	   *restrict out = z + (size_t) m * p;
		double		wr = w ? w[r] : 1.0;

		if (!(wr > 0.0))
			continue;
		out[0] = 1.0;
		for (int j = 0; j < d; j++)
			out[j + 1] = (row[j] - at->center[j]) * inv_scale[j];
		yk[m] = y[r];
		wk[m] = wr;
		m++;
	}
	return m;
}

/* Scratch of one block: its rows and per-row quantities. */
typedef struct BlockWork
{
	double	   *z;				/* PROMO_LOGREG_CHUNK x p, row-major */
	double	   *eta;
	double	   *rhs;
	double	   *yk;
	double	   *wk;
	double	   *logp;			/* log of the fitted probability of y */
	double	   *extreme;		/* 1 where it is numerically 0 or 1 */
	double	   *sw;
	double	   *inv_scale;		/* d */
} BlockWork;

/* Per-row vectors of BlockWork. */
#define BLOCK_VECTORS 7

/* Doubles of scratch space promo_logreg_accum needs for d features. */
size_t
promo_logreg_accum_work(int d)
{
	return (size_t) PROMO_LOGREG_CHUNK * ((size_t) d + 1 + BLOCK_VECTORS) + (size_t) d;
}

/* Carve the scratch space of promo_logreg_accum into its parts. */
static BlockWork
SplitBlockWork(double *work, int p)
{
	BlockWork	b;

	b.z = work;
	b.eta = b.z + (size_t) PROMO_LOGREG_CHUNK * p;
	b.rhs = b.eta + PROMO_LOGREG_CHUNK;
	b.yk = b.rhs + PROMO_LOGREG_CHUNK;
	b.wk = b.yk + PROMO_LOGREG_CHUNK;
	b.logp = b.wk + PROMO_LOGREG_CHUNK;
	b.extreme = b.logp + PROMO_LOGREG_CHUNK;
	b.sw = b.extreme + PROMO_LOGREG_CHUNK;
	b.inv_scale = b.sw + PROMO_LOGREG_CHUNK;
	return b;
}

/*
 * One row's part of a pass at log-odds eta: sw = sqrt(W) and rhs =
 * sqrt(W) z, W the working weight and z the working response (glm.fit's),
 * the log of the fitted probability of the observed y, and whether that
 * probability is numerically 0 or 1.
 */
static inline void
WorkingRow(double eta, double y, double w, double *sw, double *rhs,
		   double *logp, double *extreme)
{
	double		mu;
	double		mu_eta;

	LogitInverse(eta, &mu, &mu_eta);
	*sw = sqrt(w * mu_eta * mu_eta / (mu * (1.0 - mu)));
	*rhs = *sw * (eta + (y - mu) / mu_eta);
	*extreme = (mu < PROMO_LOGREG_EPS01) | (mu > 1.0 - PROMO_LOGREG_EPS01);
	*logp = log(y != 0.0 ? mu : 1.0 - mu);
}

/* The working quantities of m gathered rows at their log-odds b->eta. */
static void
RowWeights(int m, const BlockWork *b)
{
	for (int i = 0; i < m; i++)
		WorkingRow(b->eta[i], b->yk[i], b->wk[i], &b->sw[i], &b->rhs[i],
				   &b->logp[i], &b->extreme[i]);
}

/*
 * The working quantities of m gathered rows at glm's starting values,
 * which depend on y and w alone: a row with the y and w of the row before
 * takes its values (the same numbers, without an exp and two logs).
 */
static void
StartRowWeights(int m, const BlockWork *b)
{
	for (int i = 0; i < m; i++)
	{
		if (i > 0 && b->yk[i] == b->yk[i - 1] && b->wk[i] == b->wk[i - 1])
		{
			b->eta[i] = b->eta[i - 1];
			b->sw[i] = b->sw[i - 1];
			b->rhs[i] = b->rhs[i - 1];
			b->logp[i] = b->logp[i - 1];
			b->extreme[i] = b->extreme[i - 1];
			continue;
		}
		b->eta[i] = StartEta(b->yk[i], b->wk[i]);
		WorkingRow(b->eta[i], b->yk[i], b->wk[i], &b->sw[i], &b->rhs[i],
				   &b->logp[i], &b->extreme[i]);
	}
}

/* Add the counts and the deviance of m rows to a state's header. */
static void
AddBlockSums(double *state, int m, const BlockWork *b)
{
	double		n1 = 0.0;
	double		sumw = 0.0;
	double		sumwy = 0.0;
	double		extreme = 0.0;
	double		loglik = 0.0;

	for (int i = 0; i < m; i++)
	{
		n1 += b->yk[i];
		sumw += b->wk[i];
		sumwy += b->wk[i] * b->yk[i];
		extreme += b->extreme[i];
		loglik += b->wk[i] * b->logp[i];
	}
	state[PROMO_LOGREG_S_N] += m;
	state[PROMO_LOGREG_S_N1] += n1;
	state[PROMO_LOGREG_S_SUMW] += sumw;
	state[PROMO_LOGREG_S_SUMWY] += sumwy;
	state[PROMO_LOGREG_S_DEVIANCE] += -2.0 * loglik;
	state[PROMO_LOGREG_S_EXTREME] += extreme;
}

/* Scale each of m rows of z (row-major m x p) by its sw. */
static void
ScaleRows(double *restrict z, int m, int p, const double *restrict sw)
{
	for (int i = 0; i < m; i++)
	{
		double	   *restrict row = z + (size_t) i * p;

		for (int j = 0; j < p; j++)
			row[j] *= sw[i];
	}
}

/* Add nrows rows evaluated at *at into state. */
void
promo_logreg_accum(double *state, const PromoLogregAt *at, const double *x,
				   const double *y, const double *w, int nrows, double *work)
{
	int			p = at->d + 1;
	BlockWork	b = SplitBlockWork(work, p);

	for (int j = 0; j < at->d; j++)
		b.inv_scale[j] = 1.0 / at->scale[j];
	for (int r0 = 0; r0 < nrows; r0 += PROMO_LOGREG_CHUNK)
	{
		int			nb = nrows - r0 < PROMO_LOGREG_CHUNK ? nrows - r0 : PROMO_LOGREG_CHUNK;
		int			m = GatherRows(at, b.inv_scale, x + (size_t) r0 * at->d,
								   y + r0, w ? w + r0 : NULL, nb, b.z, b.yk, b.wk);

		if (m == 0)
			continue;
		if (at->beta)
		{
			cblas_dgemv(CblasRowMajor, CblasNoTrans, m, p, 1.0, b.z, p,
						at->beta, 1, 0.0, b.eta, 1);
			RowWeights(m, &b);
		}
		else
			StartRowWeights(m, &b);
		AddBlockSums(state, m, &b);
		ScaleRows(b.z, m, p, b.sw);

		/*
		 * Row-major m x p is column-major p x m: Z Z' is p x p.  dgemm
		 * rather than dsyrk: for p this small OpenBLAS's dgemm is about
		 * twice as fast, and it fills both triangles.
		 */
		cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, p, p, m, 1.0, b.z, p,
					b.z, p, 1.0, state + XtWXOffset(), p);
		cblas_dgemv(CblasColMajor, CblasNoTrans, p, m, 1.0, b.z, p, b.rhs, 1,
					1.0, state + XtWzOffset(p), 1);
	}
}

/* ---- the first pass from moments -------------------------------------- */

/* Offsets of the parts of a moments array of d features. */
typedef struct MomentsLayout
{
	size_t		shift;			/* d */
	size_t		mean;			/* d */
	size_t		m2;				/* d */
	size_t		sw;				/* 1 */
	size_t		wmean;			/* d */
	size_t		wcross;			/* d x d */
	size_t		r;				/* 1 */
	size_t		u;				/* d */
	size_t		length;
} MomentsLayout;

/* Where each part of a moments array of d features is. */
static MomentsLayout
Moments(int d)
{
	MomentsLayout l;
	size_t		dd = (size_t) d;

	l.shift = PROMO_LOGREG_S_HEADER;
	l.mean = l.shift + dd;
	l.m2 = l.mean + dd;
	l.sw = l.m2 + dd;
	l.wmean = l.sw + 1;
	l.wcross = l.wmean + dd;
	l.r = l.wcross + dd * dd;
	l.u = l.r + 1;
	l.length = l.u + dd;
	return l;
}

/* Doubles in the moments of d features. */
size_t
promo_logreg_moments_length(int d)
{
	return Moments(d).length;
}

/* Moments of no rows. */
void
promo_logreg_moments_zero(double *moments, int d)
{
	memset(moments, 0, sizeof(double) * promo_logreg_moments_length(d));
}

/* Doubles of scratch space the moments functions need for d features. */
size_t
promo_logreg_moments_work(int d)
{
	return promo_logreg_accum_work(d) + promo_logreg_moments_length(d) + (size_t) d;
}

/*
 * Copy the rows of positive weight of a block into v as x - shift (m x d,
 * row-major) with their y and w; returns m.
 */
static int
GatherShifted(int d, const double *restrict shift, const double *x,
			  const double *y, const double *w, int nrows, double *restrict v,
			  double *yk, double *wk)
{
	int			m = 0;

	for (int r = 0; r < nrows; r++)
	{
		const double *restrict row = x + (size_t) r * d;
		double	   *restrict out = v + (size_t) m * d;
		double		wr = w ? w[r] : 1.0;

		if (!(wr > 0.0))
			continue;
		for (int j = 0; j < d; j++)
			out[j] = row[j] - shift[j];
		yk[m] = y[r];
		wk[m] = wr;
		m++;
	}
	return m;
}

/* Mean and sum of squared deviations of each column of v (m x d). */
static void
ColumnMoments(const double *restrict v, int m, int d, double *restrict mean,
			  double *restrict m2)
{
	for (int j = 0; j < d; j++)
		mean[j] = m2[j] = 0.0;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < d; j++)
			mean[j] += v[(size_t) i * d + j];
	for (int j = 0; j < d; j++)
		mean[j] /= m;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < d; j++)
		{
			double		dev = v[(size_t) i * d + j] - mean[j];

			m2[j] += dev * dev;
		}
}

/*
 * The moments of m gathered rows (b->z holding x - shift, m x d) into blk,
 * whose shift is already set: the header of a first pass, the column
 * moments, and those weighted by the working weights of glm's start.
 */
static void
BlockMoments(double *blk, int d, int m, const BlockWork *b)
{
	MomentsLayout l = Moments(d);
	double	   *restrict v = b->z;
	double	   *restrict wt = b->eta;
	double		sw = 0.0;
	double		r = 0.0;

	StartRowWeights(m, b);
	AddBlockSums(blk, m, b);
	ColumnMoments(v, m, d, blk + l.mean, blk + l.m2);
	/* The weight of each row in X'WX is sw^2, as in a pass (eta is spent). */
	for (int i = 0; i < m; i++)
	{
		wt[i] = b->sw[i] * b->sw[i];
		sw += wt[i];
		r += b->sw[i] * b->rhs[i];
	}
	blk[l.sw] = sw;
	blk[l.r] = r;
	/* Working weights that all underflow leave the weighted mean at 0. */
	cblas_dgemv(CblasRowMajor, CblasTrans, m, d, sw > 0.0 ? 1.0 / sw : 0.0, v, d,
				wt, 1, 0.0, blk + l.wmean, 1);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < d; j++)
			v[(size_t) i * d + j] = b->sw[i] * (v[(size_t) i * d + j] - blk[l.wmean + j]);
	/* As in a pass: row-major m x d is column-major d x m. */
	cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, d, d, m, 1.0, v, d,
				v, d, 0.0, blk + l.wcross, d);
	cblas_dgemv(CblasColMajor, CblasNoTrans, d, m, 1.0, v, d, b->rhs, 1, 0.0,
				blk + l.u, 1);
}

/* Add nrows rows into the moments, a block at a time. */
void
promo_logreg_moments_accum(double *moments, int d, const double *x,
						   const double *y, const double *w, int nrows,
						   double *work)
{
	MomentsLayout l = Moments(d);
	BlockWork	b = SplitBlockWork(work, d + 1);
	double	   *blk = work + promo_logreg_accum_work(d);
	double	   *mwork = blk + l.length;

	for (int r0 = 0; r0 < nrows; r0 += PROMO_LOGREG_CHUNK)
	{
		int			nb = nrows - r0 < PROMO_LOGREG_CHUNK ? nrows - r0 : PROMO_LOGREG_CHUNK;
		const double *xb = x + (size_t) r0 * d;
		const double *wb = w ? w + r0 : NULL;
		int			m;

		/* The first row of positive weight is the shift: x - shift is exact near it. */
		if (moments[PROMO_LOGREG_S_N] == 0.0)
			for (int r = 0; r < nb; r++)
				if (!wb || wb[r] > 0.0)
				{
					memcpy(moments + l.shift, xb + (size_t) r * d, sizeof(double) * d);
					break;
				}
		m = GatherShifted(d, moments + l.shift, xb, y + r0, wb, nb, b.z, b.yk, b.wk);
		if (m == 0)
			continue;
		memset(blk, 0, sizeof(double) * l.length);
		memcpy(blk + l.shift, moments + l.shift, sizeof(double) * d);
		BlockMoments(blk, d, m, &b);
		promo_logreg_moments_merge(moments, blk, d, mwork);
	}
}

/*
 * Merge the moments of other rows into moments (Chan et al.'s update of
 * means and co-moments, the shifts' difference added to other's means).
 */
void
promo_logreg_moments_merge(double *moments, const double *other, int d,
						   double *work)
{
	MomentsLayout l = Moments(d);
	double		na = moments[PROMO_LOGREG_S_N];
	double		nb = other[PROMO_LOGREG_S_N];
	double		n = na + nb;
	double		swa = moments[l.sw];
	double		swb = other[l.sw];
	double		sw = swa + swb;
	/* The shares of each side in the weighted sums (none without weight). */
	double		share_a = sw > 0.0 ? swa / sw : 0.0;
	double		share_b = sw > 0.0 ? swb / sw : 0.0;
	double	   *delta = work;

	if (nb == 0.0)
		return;
	if (na == 0.0)
	{
		memcpy(moments, other, sizeof(double) * l.length);
		return;
	}
	for (int k = 0; k < PROMO_LOGREG_S_HEADER; k++)
		moments[k] += other[k];
	for (int j = 0; j < d; j++)
	{
		/*
		 * Both shifts are rows of the data: their difference is on the
		 * scale of its spread, whatever its offset.
		 */
		double		dshift = other[l.shift + j] - moments[l.shift + j];
		double		dmean = dshift + (other[l.mean + j] - moments[l.mean + j]);

		moments[l.mean + j] += dmean * (nb / n);
		moments[l.m2 + j] += other[l.m2 + j] + dmean * dmean * (na * nb / n);
		delta[j] = dshift + (other[l.wmean + j] - moments[l.wmean + j]);
		moments[l.u + j] += other[l.u + j] +
			delta[j] * (other[l.r] * share_a - moments[l.r] * share_b);
		moments[l.wmean + j] += delta[j] * share_b;
	}
	cblas_daxpy(d * d, 1.0, other + l.wcross, 1, moments + l.wcross, 1);
	cblas_dger(CblasColMajor, d, d, swa * share_b, delta, 1, delta, 1,
			   moments + l.wcross, d);
	moments[l.sw] = sw;
	moments[l.r] += other[l.r];
}

/*
 * Could moments from outside have come from rows: the sums of squared
 * deviations and of the working weights not negative?  (Sums that are not
 * finite are reported by the solver.)
 */
bool
promo_logreg_moments_valid(const double *moments, int d)
{
	MomentsLayout l = Moments(d);

	if (moments[l.sw] < 0.0)
		return false;
	for (int j = 0; j < d; j++)
		if (moments[l.m2 + j] < 0.0 || moments[l.wcross + j + (size_t) j * d] < 0.0)
			return false;
	return true;
}

/* Mean and sample standard deviation of each feature over the rows. */
void
promo_logreg_moments_describe(const double *moments, int d, double *mean,
							  double *sd)
{
	MomentsLayout l = Moments(d);
	double		n = moments[PROMO_LOGREG_S_N];

	for (int j = 0; j < d; j++)
	{
		mean[j] = moments[l.shift + j] + moments[l.mean + j];
		sd[j] = n > 1.0 ? sqrt(moments[l.m2 + j] / (n - 1.0)) : 0.0;
	}
}

/*
 * The state of the first pass (glm's starting values) at at's centre and
 * scale: with delta = m - (centre - shift), the weighted mean from the
 * centre, sum W z = SW delta / scale, sum W z z' = (C + SW delta delta')
 * / (scale scale'), sum W r z = (U + R delta) / scale.
 */
void
promo_logreg_moments_state(const double *moments, const PromoLogregAt *at,
						   double *state)
{
	int			d = at->d;
	int			p = d + 1;
	MomentsLayout l = Moments(d);
	double		sw = moments[l.sw];
	double		r = moments[l.r];
	double	   *xtwx = state + XtWXOffset();
	double	   *xtwz = state + XtWzOffset(p);

	promo_logreg_state_zero(state, d);
	memcpy(state, moments, sizeof(double) * PROMO_LOGREG_S_HEADER);
	xtwx[0] = sw;
	xtwz[0] = r;
	for (int j = 0; j < d; j++)
	{
		double		dj = moments[l.wmean + j] - (at->center[j] - moments[l.shift + j]);

		xtwx[j + 1] = xtwx[(size_t) (j + 1) * p] = sw * dj / at->scale[j];
		xtwz[j + 1] = (moments[l.u + j] + r * dj) / at->scale[j];
		for (int i = 0; i <= j; i++)
		{
			double		di = moments[l.wmean + i] - (at->center[i] - moments[l.shift + i]);
			double		c = (moments[l.wcross + i + (size_t) j * d] + sw * di * dj) /
				(at->scale[i] * at->scale[j]);

			xtwx[(i + 1) + (size_t) (j + 1) * p] = xtwx[(j + 1) + (size_t) (i + 1) * p] = c;
		}
	}
}

/* ---- the solver --------------------------------------------------------- */

/* Solver scratch: the step's factor, its rank-test copy, vectors, LAPACK. */
typedef struct StepWork
{
	double	   *factor;			/* p x p */
	double	   *pivoted;		/* p x p */
	double	   *dscale;			/* p */
	double	   *rhs;			/* p */
	double	   *lapack;			/* 2 p for dpstrf */
} StepWork;

/* Doubles of StepWork for p terms. */
static size_t
StepWorkDoubles(size_t p)
{
	return 2 * p * p + 4 * p;
}

/* Carve the solver's scratch into its parts. */
static StepWork
SplitStepWork(const PromoLogregSolver *s)
{
	size_t		p = (size_t) s->d + 1;
	StepWork	w;

	w.factor = s->scratch;
	w.pivoted = w.factor + p * p;
	w.dscale = w.pivoted + p * p;
	w.rhs = w.dscale + p;
	w.lapack = w.rhs + p;
	return w;
}

/* Doubles of memory a solver of d features needs. */
size_t
promo_logreg_solver_doubles(int d)
{
	size_t		p = (size_t) d + 1;

	return 2 * (size_t) d + p + p * p + p + StepWorkDoubles(p);
}

/* Ints of memory a solver of d features needs. */
size_t
promo_logreg_solver_ints(int d)
{
	return (size_t) d + 1;
}

/* Is a feature of this mean and standard deviation constant? */
static bool
IsConstant(double mean, double sd)
{
	return !(sd > CONSTANT_SD_SHARE * fabs(mean)) || !isfinite(sd) ||
		!isfinite(mean);
}

/* Set up a solver over caller memory. */
PromoLogregStatus
promo_logreg_solver_init(PromoLogregSolver *s, int d,
						 const PromoLogregOptions *opt, const double *mean,
						 const double *sd, double *mem, int *imem)
{
	size_t		p = (size_t) d + 1;

	memset(s, 0, sizeof(*s));
	s->d = d;
	s->opt = *opt;
	s->center = mem;
	s->scale = s->center + d;
	s->beta = s->scale + d;
	s->factor = s->beta + p;
	s->dscale = s->factor + p * p;
	s->scratch = s->dscale + p;
	s->iwork = imem;
	for (int j = 0; j < d; j++)
	{
		if (IsConstant(mean[j], sd[j]))
		{
			s->bad_term = j + 1;
			return PROMO_LOGREG_CONSTANT_FEATURE;
		}
		s->center[j] = mean[j];
		s->scale[j] = sd[j];
	}
	memset(s->beta, 0, sizeof(double) * p);
	return PROMO_LOGREG_OK;
}

/* Where the next pass evaluates the rows. */
PromoLogregAt
promo_logreg_solver_at(const PromoLogregSolver *s)
{
	PromoLogregAt at;

	at.d = s->d;
	at.center = s->center;
	at.scale = s->scale;
	at.beta = s->started ? s->beta : NULL;
	return at;
}

/* lambda ||b||^2 of standardized coefficients beta, b_j = beta_j / scale_j. */
static double
Penalty(const PromoLogregSolver *s, const double *beta)
{
	double		sum = 0.0;

	if (s->opt.lambda == 0.0)
		return 0.0;
	for (int j = 0; j < s->d; j++)
	{
		double		b = beta[j + 1] / s->scale[j];

		sum += b * b;
	}
	return s->opt.lambda * sum;
}

/* glm.fit's convergence rule on the deviance (plus penalty). */
static bool
Converged(double objective, double objective_old, double tol)
{
	return fabs(objective - objective_old) / (fabs(objective) + 0.1) < tol;
}

/* No rows, or all of one class, from the counts of a pass. */
PromoLogregStatus
promo_logreg_class_status(double n, double n1)
{
	if (n <= 0.0)
		return PROMO_LOGREG_NO_ROWS;
	if (n1 <= 0.0 || n1 >= n)
		return PROMO_LOGREG_ONE_CLASS;
	return PROMO_LOGREG_OK;
}

/* The status of a finished fit from the flags and the last pass. */
static PromoLogregStatus
FitStatus(const PromoLogregSolver *s, const double *state)
{
	if (state[PROMO_LOGREG_S_EXTREME] > 0.0)
		return PROMO_LOGREG_SEPARATION;
	return s->converged ? PROMO_LOGREG_OK : PROMO_LOGREG_NOT_CONVERGED;
}

/*
 * The penalized X'WX of a state scaled to unit diagonal, D A D into
 * w->factor (upper), D into w->dscale.  SINGULAR when a diagonal entry is
 * not positive, NUMERIC when an entry is not finite.
 */
static PromoLogregStatus
ScaledSystem(PromoLogregSolver *s, const double *xtwx, StepWork *w)
{
	int			p = s->d + 1;

	for (int j = 0; j < p; j++)
	{
		double		ajj = xtwx[j + (size_t) j * p];

		if (j > 0)
			ajj += s->opt.lambda / (s->scale[j - 1] * s->scale[j - 1]);
		if (!isfinite(ajj))
			return PROMO_LOGREG_NUMERIC;
		if (!(ajj > 0.0))
		{
			s->bad_term = j;
			return PROMO_LOGREG_SINGULAR;
		}
		w->dscale[j] = 1.0 / sqrt(ajj);
	}
	for (int j = 0; j < p; j++)
	{
		for (int i = 0; i < j; i++)
		{
			double		aij = xtwx[i + (size_t) j * p];

			if (!isfinite(aij))
				return PROMO_LOGREG_NUMERIC;
			w->factor[i + (size_t) j * p] = aij * w->dscale[i] * w->dscale[j];
		}
		w->factor[j + (size_t) j * p] = 1.0;
	}
	return PROMO_LOGREG_OK;
}

/* Pivoted Cholesky rank test of the scaled system: SINGULAR names a term. */
static PromoLogregStatus
RankTest(PromoLogregSolver *s, StepWork *w)
{
	lapack_int	n = s->d + 1;
	lapack_int	rank = 0;
	lapack_int	info = 0;
	double		tol = PROMO_LINREG_COLLINEAR_TOL;

	memcpy(w->pivoted, w->factor, sizeof(double) * n * n);
	LAPACK_dpstrf("U", &n, w->pivoted, &n, s->iwork, &rank, &tol, w->lapack,
				  &info);
	if (info < 0)
		return PROMO_LOGREG_NUMERIC;
	if (rank < n)
	{
		s->bad_term = s->iwork[rank] - 1;
		return PROMO_LOGREG_SINGULAR;
	}
	return PROMO_LOGREG_OK;
}

/*
 * One Newton step from a pass's state: beta = (X'WX + P)^-1 X'Wz.  The
 * solver's beta, factor and dscale change only on success.
 */
static PromoLogregStatus
SolveStep(PromoLogregSolver *s, const double *state)
{
	int			p = s->d + 1;
	lapack_int	n = p;
	lapack_int	one = 1;
	lapack_int	info = 0;
	StepWork	w = SplitStepWork(s);
	const double *xtwz = state + XtWzOffset(p);
	PromoLogregStatus st;

	st = ScaledSystem(s, state + XtWXOffset(), &w);
	if (st == PROMO_LOGREG_OK)
		st = RankTest(s, &w);
	if (st != PROMO_LOGREG_OK)
		return st;
	LAPACK_dpotrf("U", &n, w.factor, &n, &info);
	if (info != 0)
	{
		s->bad_term = info > 0 ? (int) info - 1 : 0;
		return info > 0 ? PROMO_LOGREG_SINGULAR : PROMO_LOGREG_NUMERIC;
	}
	for (int j = 0; j < p; j++)
		w.rhs[j] = w.dscale[j] * xtwz[j];
	LAPACK_dpotrs("U", &n, &one, w.factor, &n, w.rhs, &n, &info);
	if (info != 0)
		return PROMO_LOGREG_NUMERIC;
	for (int j = 0; j < p; j++)
	{
		w.rhs[j] *= w.dscale[j];
		if (!isfinite(w.rhs[j]))
			return PROMO_LOGREG_NUMERIC;
	}
	memcpy(s->beta, w.rhs, sizeof(double) * p);
	memcpy(s->factor, w.factor, sizeof(double) * p * p);
	memcpy(s->dscale, w.dscale, sizeof(double) * p);
	return PROMO_LOGREG_OK;
}

/* Take the merged state of a pass; true when another pass is needed. */
bool
promo_logreg_iterate(PromoLogregSolver *s, const double *state,
					 PromoLogregStatus *status)
{
	double		objective = state[PROMO_LOGREG_S_DEVIANCE] +
		(s->started ? Penalty(s, s->beta) : 0.0);
	PromoLogregStatus st;

	if (!isfinite(objective))
	{
		*status = PROMO_LOGREG_NUMERIC;
		return false;
	}
	if (!s->started)
	{
		*status = promo_logreg_class_status(state[PROMO_LOGREG_S_N], state[PROMO_LOGREG_S_N1]);
		if (*status != PROMO_LOGREG_OK)
			return false;
	}
	else if (Converged(objective, s->objective_old, s->opt.tol))
	{
		s->converged = true;
		*status = FitStatus(s, state);
		return false;
	}
	else if (s->iterations >= s->opt.max_iter)
	{
		*status = FitStatus(s, state);
		return false;
	}

	st = SolveStep(s, state);
	if (st != PROMO_LOGREG_OK)
	{
		/*
		 * Diverging estimates make X'WX singular; when the rows already
		 * show it, the estimates of the last step stand, flagged.
		 */
		*status = s->started && state[PROMO_LOGREG_S_EXTREME] > 0.0 ?
			PROMO_LOGREG_SEPARATION : st;
		return false;
	}
	s->objective_old = objective;
	s->started = true;
	s->iterations++;
	return true;
}

/* ---- statistics --------------------------------------------------------- */

/* Doubles of scratch space promo_logreg_statistics needs. */
size_t
promo_logreg_statistics_work(int d)
{
	size_t		p = (size_t) d + 1;

	return p * p + 2 * p;
}

/* Null deviance: the intercept-only fit, p = sum w y / sum w. */
static double
NullDeviance(const double *state)
{
	double		sw = state[PROMO_LOGREG_S_SUMW];
	double		swy = state[PROMO_LOGREG_S_SUMWY];
	double		pbar = swy / sw;

	return -2.0 * (swy * log(pbar) + (sw - swy) * log1p(-pbar));
}

/*
 * Estimates and standard errors on the scale of x.  With
 * b_j = beta_j / s_j and b0 = beta_0 - sum c_j b_j, cov(b) = T V T',
 * V = D C^-1 D the inverse of the last step's penalized X'WX; so
 * se(b_j) = sqrt(V_jj) / s_j and var(b0) = u' C^-1 u, u = D (1, -c / s).
 */
static void
Coefficients(const PromoLogregSolver *s, PromoLogregFit *fit, double *work)
{
	int			d = s->d;
	int			p = d + 1;
	lapack_int	n = p;
	lapack_int	info = 0;
	double	   *cinv = work;
	double	   *u = cinv + (size_t) p * p;
	double	   *cu = u + p;
	double		intercept = s->beta[0];

	memcpy(cinv, s->factor, sizeof(double) * p * p);
	LAPACK_dpotri("U", &n, cinv, &n, &info);
	u[0] = s->dscale[0];
	for (int j = 1; j <= d; j++)
	{
		double		b = s->beta[j] / s->scale[j - 1];

		fit->estimate[j] = b;
		intercept -= s->center[j - 1] * b;
		fit->std_error[j] = info != 0 ? NAN :
			s->dscale[j] * sqrt(cinv[j + (size_t) j * p]) / s->scale[j - 1];
		u[j] = -s->dscale[j] * s->center[j - 1] / s->scale[j - 1];
	}
	fit->estimate[0] = intercept;
	cblas_dsymv(CblasColMajor, CblasUpper, p, 1.0, cinv, p, u, 1, 0.0, cu, 1);
	fit->std_error[0] = info != 0 ? NAN : sqrt(cblas_ddot(p, u, 1, cu, 1));
	for (int j = 0; j <= d; j++)
	{
		fit->z_value[j] = fit->estimate[j] / fit->std_error[j];
		fit->p_value[j] = isnan(fit->z_value[j]) ? NAN :
			2.0 * pnorm(fabs(fit->z_value[j]), 0.0, 1.0, 0, 0);
	}
}

/* Estimates and statistics after the last pass. */
void
promo_logreg_statistics(const PromoLogregSolver *s, const double *state,
						PromoLogregFit *fit, double *work)
{
	int			p = s->d + 1;
	double		n = state[PROMO_LOGREG_S_N];

	fit->d = s->d;
	fit->lambda = s->opt.lambda;
	fit->n = n;
	fit->df_null = n - 1.0;
	fit->df_residual = n - p;
	fit->null_deviance = NullDeviance(state);
	fit->deviance = state[PROMO_LOGREG_S_DEVIANCE];
	fit->aic = fit->deviance + 2.0 * p;
	fit->log_likelihood = -0.5 * fit->deviance;
	fit->iterations = s->iterations;
	fit->converged = s->converged;
	fit->n_extreme = state[PROMO_LOGREG_S_EXTREME];
	if (fit->mean)
		memcpy(fit->mean, s->center, sizeof(double) * s->d);
	Coefficients(s, fit, work);
}

/* ---- in memory ---------------------------------------------------------- */

/* Rows handed to the core between interrupt checks. */
#define FIT_BLOCK_ROWS 65536

/* Doubles of scratch space promo_logreg_fit needs. */
size_t
promo_logreg_fit_work(int d)
{
	size_t		accum = promo_logreg_accum_work(d);
	size_t		moments = promo_logreg_moments_work(d);

	return 2 * (size_t) d + promo_logreg_solver_doubles(d) +
		promo_logreg_state_length(d) + promo_logreg_moments_length(d) +
		(accum > moments ? accum : moments) + promo_logreg_statistics_work(d);
}

/* Ints of scratch space promo_logreg_fit needs. */
size_t
promo_logreg_fit_iwork(int d)
{
	return promo_logreg_solver_ints(d);
}

/* Check for interrupts, when there is a hook. */
static void
Interrupt(const PromoLogregHooks *hooks)
{
	if (hooks && hooks->interrupt)
		hooks->interrupt(hooks->ctx);
}

/* The moments of all rows. */
static void
MomentsPass(const double *x, const double *y, const double *w, size_t n, int d,
			double *moments, double *work, const PromoLogregHooks *hooks)
{
	promo_logreg_moments_zero(moments, d);
	for (size_t r = 0; r < n; r += FIT_BLOCK_ROWS)
	{
		int			nb = n - r < FIT_BLOCK_ROWS ? (int) (n - r) : FIT_BLOCK_ROWS;

		Interrupt(hooks);
		promo_logreg_moments_accum(moments, d, x + r * d, y + r, w ? w + r : NULL,
								   nb, work);
	}
}

/* One pass over all rows at the solver's coefficients into state. */
static void
Pass(const PromoLogregSolver *s, const double *x, const double *y,
	 const double *w, size_t n, double *state, double *work,
	 const PromoLogregHooks *hooks)
{
	PromoLogregAt at = promo_logreg_solver_at(s);

	promo_logreg_state_zero(state, s->d);
	for (size_t r = 0; r < n; r += FIT_BLOCK_ROWS)
	{
		int			nb = n - r < FIT_BLOCK_ROWS ? (int) (n - r) : FIT_BLOCK_ROWS;

		Interrupt(hooks);
		promo_logreg_accum(state, &at, x + r * s->d, y + r, w ? w + r : NULL,
						   nb, work);
	}
}

/*
 * Fit n rows held in memory: one pass for the moments, which give the
 * standardization and the first pass, then one pass per Newton step.
 */
PromoLogregStatus
promo_logreg_fit(const double *x, const double *y, const double *w, size_t n,
				 int d, const PromoLogregOptions *opt, PromoLogregFit *fit,
				 int *bad_term, double *work, int *iwork,
				 const PromoLogregHooks *hooks)
{
	double	   *mean = work;
	double	   *sd = mean + d;
	double	   *smem = sd + d;
	double	   *state = smem + promo_logreg_solver_doubles(d);
	double	   *moments = state + promo_logreg_state_length(d);
	double	   *stwork = moments + promo_logreg_moments_length(d);
	double	   *pwork = stwork + promo_logreg_statistics_work(d);
	PromoLogregSolver s;
	PromoLogregStatus status;

	*bad_term = 0;
	MomentsPass(x, y, w, n, d, moments, pwork, hooks);
	status = promo_logreg_class_status(moments[PROMO_LOGREG_S_N],
									   moments[PROMO_LOGREG_S_N1]);
	if (status != PROMO_LOGREG_OK)
		return status;
	promo_logreg_moments_describe(moments, d, mean, sd);
	status = promo_logreg_solver_init(&s, d, opt, mean, sd, smem, iwork);
	if (status == PROMO_LOGREG_OK)
	{
		PromoLogregAt at = promo_logreg_solver_at(&s);

		promo_logreg_moments_state(moments, &at, state);
		while (promo_logreg_iterate(&s, state, &status))
			Pass(&s, x, y, w, n, state, pwork, hooks);
	}
	*bad_term = s.bad_term;
	if (status < PROMO_LOGREG_FIRST_ERROR)
		promo_logreg_statistics(&s, state, fit, stwork);
	return status;
}

/* Log-odds of x under estimates on the scale of x. */
double
promo_logreg_link(const double *estimate, int d, const double *x)
{
	return estimate[0] + cblas_ddot(d, estimate + 1, 1, x, 1);
}

/* The logistic function, without overflow in either tail. */
double
promo_logreg_probability(double link)
{
	if (link >= 0.0)
		return 1.0 / (1.0 + exp(-link));
	else
	{
		double		e = exp(link);

		return e / (1.0 + e);
	}
}
