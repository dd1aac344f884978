/*
 * kmeans.c
 *		k-means seeding and Lloyd iterations over CBLAS.
 *
 * Labels come from ||c||^2 - 2 x.c, a matrix product per chunk of points;
 * the reported inertia is computed directly from the differences, which is
 * exact where the expansion would cancel.
 */
#include "kmeans.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* Points per matrix product in the assignment step. */
#define CHUNK PROMO_KMEANS_CHUNK

/* How often, in points, long loops call the interrupt hook. */
#define INTERRUPT_EVERY 65536

/* Doubles of scratch space the functions below need. */
size_t
promo_kmeans_work_doubles(size_t n, int d, int k)
{
	return 4 * n + (size_t) CHUNK * k + (size_t) k * d + 2 * (size_t) k +
		(size_t) k * (d + 2) + PROMO_KMEANS_ITERATE_WORK(k, d);
}

/*
 * Squared Euclidean distance of two d-vectors.  Four running sums instead
 * of one break the chain of dependent additions, which lets the compiler
 * use vector instructions; the order of the additions is still fixed.
 */
double
promo_sqdist(const double *a, const double *b, int d)
{
	double		s[4] = {0.0, 0.0, 0.0, 0.0};
	int			j = 0;

	for (; j + 4 <= d; j += 4)
	{
		for (int l = 0; l < 4; l++)
		{
			double		t = a[j + l] - b[j + l];

			s[l] += t * t;
		}
	}
	for (; j < d; j++)
	{
		double		t = a[j] - b[j];

		s[0] += t * t;
	}
	return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Index of the centroid nearest to x, and the squared distance to it. */
int
promo_kmeans_nearest(const double *centroids, int k, int d, const double *x,
					 double *dist2)
{
	int			best = 0;
	double		bestd = INFINITY;	/* stays infinite if every distance overflows */

	for (int c = 0; c < k; c++)
	{
		double		dc = promo_sqdist(x, centroids + (size_t) c * d, d);

		if (dc < bestd)
		{
			bestd = dc;
			best = c;
		}
	}
	*dist2 = bestd;
	return best;
}

/* Simplified silhouette of x against k >= 2 centroids. */
double
promo_kmeans_silhouette(const double *centroids, int k, int d, const double *x)
{
	double		first = INFINITY;
	double		second = INFINITY;
	double		a;
	double		b;

	for (int c = 0; c < k; c++)
	{
		double		dc = promo_sqdist(x, centroids + (size_t) c * d, d);

		if (dc < first)
		{
			second = first;
			first = dc;
		}
		else if (dc < second)
			second = dc;
	}
	if (!isfinite(second))
		return NAN;				/* a distance overflowed: no silhouette */
	a = sqrt(first);
	b = sqrt(second);
	return b > 0.0 ? (b - a) / b : 0.0;
}

/* Let the caller handle a pending cancel every so often. */
static inline void
MaybeInterrupt(const PromoKmeansHooks *hooks, size_t i)
{
	if (i % INTERRUPT_EVERY == 0 && hooks->interrupt)
		hooks->interrupt(hooks->ctx);
}

/* ---- seeding ---- */

/* First index whose cumulative weight exceeds target (clipped to n - 1). */
static size_t
SearchCumulative(const double *cumsum, size_t n, double target)
{
	size_t		lo = 0;
	size_t		hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (cumsum[mid] < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? lo : n - 1;
}

/* dist[i] = min(closest[i], |x_i - c|^2); returns the sum of dist. */
static double
Potential(const double *x, size_t n, int d, const double *c,
		  const double *closest, double *dist, const PromoKmeansHooks *hooks)
{
	double		pot = 0.0;

	for (size_t i = 0; i < n; i++)
	{
		double		di = promo_sqdist(x + i * d, c, d);

		MaybeInterrupt(hooks, i);
		dist[i] = closest && closest[i] < di ? closest[i] : di;
		pot += dist[i];
	}
	return pot;
}

/* Seed k centroids by greedy k-means++; returns how many it placed. */
int
promo_kmeans_plusplus(const double *x, size_t n, int d, int k,
					  double *centroids, double *work,
					  const PromoKmeansHooks *hooks)
{
	double	   *closest = work;
	double	   *cumsum = closest + n;
	double	   *trial = cumsum + n;
	double	   *best = trial + n;
	int			trials = 2 + (int) log(k);
	size_t		first = (size_t) (hooks->uniform(hooks->ctx) * n);
	double		pot;

	if (first >= n)
		first = n - 1;
	memcpy(centroids, x + first * d, sizeof(double) * d);
	pot = Potential(x, n, d, centroids, NULL, closest, hooks);

	for (int c = 1; c < k; c++)
	{
		double		best_pot = DBL_MAX;
		size_t		best_i = 0;
		double		run = 0.0;

		/* Every point already sits on a centroid: no distinct point left. */
		if (pot <= 0.0)
			return c;
		for (size_t i = 0; i < n; i++)
			cumsum[i] = (run += closest[i]);
		for (int t = 0; t < trials; t++)
		{
			size_t		cand = SearchCumulative(cumsum, n,
												hooks->uniform(hooks->ctx) * run);
			double		tp;

			/* A point at distance 0 is a centroid already: never pick it. */
			while (closest[cand] <= 0.0 && cand + 1 < n)
				cand++;
			tp = Potential(x, n, d, x + cand * d, closest, trial, hooks);
			if (tp < best_pot)
			{
				double	   *swap = best;

				best = trial;
				trial = swap;
				best_pot = tp;
				best_i = cand;
			}
		}
		memcpy(centroids + (size_t) c * d, x + best_i * d, sizeof(double) * d);
		memcpy(closest, best, sizeof(double) * n);
		pot = best_pot;
	}
	return k;
}

/* Is row x equal to one of the first m centroids? */
static bool
AlreadyChosen(const double *centroids, int m, int d, const double *x)
{
	for (int c = 0; c < m; c++)
		if (memcmp(centroids + (size_t) c * d, x, sizeof(double) * d) == 0)
			return true;
	return false;
}

/* Seed k centroids at distinct random points; returns how many it placed. */
int
promo_kmeans_random(const double *x, size_t n, int d, int k,
					double *centroids, size_t *perm,
					const PromoKmeansHooks *hooks)
{
	int			placed = 0;

	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	/* A partial Fisher-Yates shuffle, drawn until k distinct points. */
	for (size_t i = 0; i < n && placed < k; i++)
	{
		size_t		j = i + (size_t) (hooks->uniform(hooks->ctx) * (n - i));
		size_t		swap;

		if (j >= n)
			j = n - 1;
		swap = perm[i];
		perm[i] = perm[j];
		perm[j] = swap;
		if (!AlreadyChosen(centroids, placed, d, x + perm[i] * d))
			memcpy(centroids + (size_t) placed++ * d, x + perm[i] * d,
				   sizeof(double) * d);
	}
	return placed;
}

/* ---- Lloyd ---- */

/* Scratch space of the in-memory path, carved from the caller's buffer. */
typedef struct LloydWork
{
	double	   *mindist;		/* n: squared distance to the nearest centroid */
	double	   *xnorm;			/* n: |x|^2 */
	double	   *dist;			/* CHUNK x k */
	double	   *sums;			/* k x d */
	double	   *counts;			/* k: counts that relocation may change */
	double	   *cnorm;			/* k: |c|^2 */
	double	   *cand;			/* k x (d + 2): relocation candidates */
	double	   *iterate;		/* PROMO_KMEANS_ITERATE_WORK(k, d) */
} LloydWork;

/* Carve the scratch buffer. */
static LloydWork
SplitWork(double *work, size_t n, int d, int k)
{
	LloydWork	w;

	w.mindist = work;
	w.xnorm = w.mindist + n;
	w.dist = w.xnorm + n;
	w.sums = w.dist + (size_t) CHUNK * k;
	w.counts = w.sums + (size_t) k * d;
	w.cnorm = w.counts + k;
	w.cand = w.cnorm + k;
	w.iterate = w.cand + (size_t) k * (d + 2);
	return w;
}

/* |c|^2 for each of the k centroids. */
void
promo_kmeans_norms(const double *centroids, int k, int d, double *cnorm)
{
	for (int c = 0; c < k; c++)
		cnorm[c] = cblas_ddot(d, centroids + (size_t) c * d, 1,
							  centroids + (size_t) c * d, 1);
}

/* Label m <= PROMO_KMEANS_CHUNK rows by one product D = -2 X C' + |c|^2. */
void
promo_kmeans_label_chunk(const double *x, int m, int d, int k,
						 const double *centroids, const double *cnorm,
						 int *labels, double *best, double *dist)
{
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, k, d,
				-2.0, x, d, centroids, d, 0.0, dist, k);
	for (int r = 0; r < m; r++)
	{
		const double *row = dist + (size_t) r * k;
		int			label = 0;
		double		bestd = row[0] + cnorm[0];

		for (int c = 1; c < k; c++)
		{
			double		dc = row[c] + cnorm[c];

			if (dc < bestd)
			{
				bestd = dc;
				label = c;
			}
		}
		labels[r] = label;
		best[r] = bestd;
	}
}

/* Keep (dist, label, row) in cand if it is among the k farthest rows. */
void
promo_kmeans_offer_candidate(double *cand, int k, int d, int *held,
							 double dist, int label, const double *row)
{
	int			width = d + 2;
	int			at = *held;

	if (*held == k && dist <= cand[(size_t) (k - 1) * width])
		return;
	if (*held < k)
		(*held)++;
	/* Insertion into the list, farthest first. */
	while (at > 0 && cand[(size_t) (at - 1) * width] < dist)
	{
		if (at < k)
			memcpy(cand + (size_t) at * width, cand + (size_t) (at - 1) * width,
				   sizeof(double) * width);
		at--;
	}
	if (at >= k)
		return;
	cand[(size_t) at * width] = dist;
	cand[(size_t) at * width + 1] = label;
	memcpy(cand + (size_t) at * width + 2, row, sizeof(double) * d);
}

/*
 * Move each empty cluster onto the farthest candidate that can spare it;
 * returns how many moved, or -1 when a cluster is still empty.
 */
static int
Relocate(int k, int d, double *counts, double *sums, const double *cand,
		 int held)
{
	int			width = d + 2;
	int			next = 0;
	int			moved = 0;

	for (int c = 0; c < k; c++)
	{
		const double *row;
		int			from;

		if (counts[c] > 0)
			continue;
		while (next < held && counts[(int) cand[(size_t) next * width + 1]] <= 1)
			next++;
		if (next >= held)
			return -1;
		from = (int) cand[(size_t) next * width + 1];
		row = cand + (size_t) next * width + 2;
		cblas_daxpy(d, -1.0, row, 1, sums + (size_t) from * d, 1);
		memcpy(sums + (size_t) c * d, row, sizeof(double) * d);
		counts[from] -= 1;
		counts[c] = 1;
		next++;
		moved++;
	}
	return moved;
}

/* The next centroids: empty clusters relocated, then the means. */
int
promo_kmeans_means(int k, int d, double *counts, double *sums,
				   const double *cand, int held, double *next)
{
	int			moved = Relocate(k, d, counts, sums, cand, held);

	if (moved < 0)
		return -1;
	for (int c = 0; c < k; c++)
		for (int j = 0; j < d; j++)
			next[(size_t) c * d + j] = sums[(size_t) c * d + j] / counts[c];
	return moved;
}

/* Does a step's report allow the loop to go on?  Sets the status if not. */
static bool
StepOk(const PromoKmeansStepStats *st, int k, bool first,
	   PromoKmeansResult *result)
{
	if (first)
		result->n = st->n;
	if (st->n != result->n)
		result->status = PROMO_KMEANS_ROWS_CHANGED;
	else if (st->n < k || st->relocated < 0)
		result->status = PROMO_KMEANS_TOO_FEW_ROWS;
	return result->status == PROMO_KMEANS_OK;
}

/* Lloyd iterations over a source, from the given centroids. */
PromoKmeansResult
promo_kmeans_iterate(const PromoKmeansSource *source, int k, int d,
					 double *centroids, int max_iter, double tol,
					 double *sizes, double *work, const PromoKmeansHooks *hooks)
{
	size_t		kd = (size_t) k * d;
	double	   *next = work;
	double	   *previous = work + kd;
	PromoKmeansStepStats st;
	PromoKmeansResult result = {0.0, 0.0, 0, false, PROMO_KMEANS_OK};
	double		tol_abs = 0.0;
	bool		labels_current = false;

	for (int it = 0; it < max_iter; it++)
	{
		double		shift = 0.0;

		source->step(source->ctx, centroids, it > 0 ? previous : NULL, next,
					 sizes, &st);
		if (!StepOk(&st, k, it == 0, &result))
			return result;
		if (it == 0)
			tol_abs = tol * st.mean_variance;
		for (size_t i = 0; i < kd; i++)
			shift += (next[i] - centroids[i]) * (next[i] - centroids[i]);
		memcpy(previous, centroids, sizeof(double) * kd);
		memcpy(centroids, next, sizeof(double) * kd);
		result.iterations = it + 1;
		if (hooks->progress)
			hooks->progress(hooks->ctx, it + 1, st.inertia, st.moved / st.n);
		if (st.moved == 0 && it > 0)
		{
			/* Strict convergence: the labels stand, unless a cluster moved. */
			result.converged = true;
			labels_current = st.relocated == 0;
			break;
		}
		if (shift <= tol_abs)
		{
			result.converged = true;
			break;
		}
	}
	source->finish(source->ctx, centroids, labels_current, sizes, &st);
	if (StepOk(&st, k, result.iterations == 0, &result))
		result.inertia = st.inertia;
	return result;
}

/* The in-memory source: the rows, their labels and the scratch space. */
typedef struct MemorySource
{
	const double *x;
	size_t		n;
	int			d;
	int			k;
	int		   *labels;
	double		mean_variance;
	LloydWork	w;
	const PromoKmeansHooks *hooks;
} MemorySource;

/*
 * Label every point with its nearest centroid, chunk by chunk; returns how
 * many labels changed.  mindist gets the squared distances.
 */
static size_t
Assign(MemorySource *m, const double *centroids)
{
	const double *x = m->x;
	size_t		n = m->n;
	int			d = m->d;
	int			k = m->k;
	int		   *labels = m->labels;
	double	   *mindist = m->w.mindist;
	const double *xnorm = m->w.xnorm;
	size_t		moved = 0;
	int			chunk[CHUNK];

	promo_kmeans_norms(centroids, k, d, m->w.cnorm);
	for (size_t start = 0; start < n; start += CHUNK)
	{
		int			rows = (int) (n - start < CHUNK ? n - start : CHUNK);

		MaybeInterrupt(m->hooks, start);
		promo_kmeans_label_chunk(x + start * d, rows, d, k, centroids,
								 m->w.cnorm, chunk, mindist + start, m->w.dist);
		for (int r = 0; r < rows; r++)
		{
			double		d2 = mindist[start + r] + xnorm[start + r];

			moved += labels[start + r] != chunk[r];
			labels[start + r] = chunk[r];
			mindist[start + r] = d2 > 0.0 ? d2 : 0.0;
		}
	}
	return moved;
}

/* Per-cluster counts (into counts) and sums (into w->sums) of the labels. */
static void
SumClusters(MemorySource *m, double *counts)
{
	const double *x = m->x;
	size_t		n = m->n;
	int			d = m->d;
	const int  *labels = m->labels;
	double	   *sums = m->w.sums;

	memset(sums, 0, sizeof(double) * m->k * d);
	memset(counts, 0, sizeof(double) * m->k);
	for (size_t i = 0; i < n; i++)
	{
		double	   *s = sums + (size_t) labels[i] * d;
		const double *xi = x + i * d;

		for (int j = 0; j < d; j++)
			s[j] += xi[j];
		counts[labels[i]] += 1;
	}
}

/* One in-memory Lloyd step (PromoKmeansSource.step). */
static void
MemoryStep(void *ctx, const double *centroids, const double *previous,
		   double *next, double *sizes, PromoKmeansStepStats *stats)
{
	MemorySource *m = ctx;
	LloydWork  *w = &m->w;
	int			held = 0;
	bool		empty = false;
	double		pot = 0.0;

	(void) previous;			/* the labels of the last step are at hand */

	stats->moved = (double) Assign(m, centroids);
	for (size_t i = 0, n = m->n; i < n; i++)
		pot += w->mindist[i];
	SumClusters(m, sizes);
	memcpy(w->counts, sizes, sizeof(double) * m->k);
	for (int c = 0; c < m->k; c++)
		empty = empty || sizes[c] == 0;
	/* Candidates for relocation only when a cluster needs one. */
	for (size_t i = 0; empty && i < m->n; i++)
		promo_kmeans_offer_candidate(w->cand, m->k, m->d, &held, w->mindist[i],
									 m->labels[i], m->x + i * m->d);
	stats->relocated = promo_kmeans_means(m->k, m->d, w->counts, w->sums,
										  w->cand, held, next);
	stats->n = (double) m->n;
	stats->inertia = pot;
	stats->mean_variance = m->mean_variance;
}

/* Sizes and exact inertia of the final centroids (PromoKmeansSource.finish). */
static void
MemoryFinish(void *ctx, const double *centroids, bool labels_current,
			 double *sizes, PromoKmeansStepStats *stats)
{
	MemorySource *m = ctx;
	double		inertia = 0.0;
	const double *x = m->x;
	const int  *labels = m->labels;
	int			d = m->d;

	if (!labels_current)
		Assign(m, centroids);
	memset(sizes, 0, sizeof(double) * m->k);
	for (size_t i = 0, n = m->n; i < n; i++)
	{
		inertia += promo_sqdist(x + i * d, centroids + (size_t) labels[i] * d, d);
		sizes[labels[i]] += 1;
	}
	stats->n = (double) m->n;
	stats->moved = 0.0;
	stats->inertia = inertia;
	stats->mean_variance = m->mean_variance;
	stats->relocated = 0;
}

/*
 * Mean per-feature (population) variance, the scale of the tolerance: two
 * passes, row by row (column by column would stride through memory).
 */
static double
MeanVariance(const double *x, size_t n, int d, double *mean)
{
	double		total = 0.0;

	memset(mean, 0, sizeof(double) * d);
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < d; j++)
			mean[j] += x[i * d + j];
	for (int j = 0; j < d; j++)
		mean[j] /= n;
	for (size_t i = 0; i < n; i++)
		total += promo_sqdist(x + i * d, mean, d);
	return total / n / d;
}

/* Lloyd iterations over rows in memory, from the given centroids. */
PromoKmeansResult
promo_kmeans_lloyd(const double *x, size_t n, int d, int k, double *centroids,
				   int max_iter, double tol, int *labels, double *sizes,
				   double *work, const PromoKmeansHooks *hooks)
{
	MemorySource m = {x, n, d, k, labels, 0.0, SplitWork(work, n, d, k), hooks};
	PromoKmeansSource source = {&m, MemoryStep, MemoryFinish};

	m.mean_variance = MeanVariance(x, n, d, m.w.sums);
	for (size_t i = 0; i < n; i++)
	{
		m.w.xnorm[i] = cblas_ddot(d, x + i * d, 1, x + i * d, 1);
		labels[i] = -1;
	}
	return promo_kmeans_iterate(&source, k, d, centroids, max_iter, tol, sizes,
								m.w.iterate, hooks);
}
