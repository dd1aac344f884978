/*
 * logreg_core.c
 *		Time the logistic regression core (promo_logreg_fit, in memory) on a
 *		dataset written by bench/logreg_core: n x d doubles of x row-major,
 *		then n doubles of y.
 *
 *	 logreg_core <file> <n> <d> <repeat>
 *
 * Prints one line per run: "run <i> <seconds> <iterations> <status>", and
 * the estimates of the last run.
 */
#define _POSIX_C_SOURCE 199309L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "logreg.h"

/* Seconds on the monotonic clock. */
static double
Now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	size_t		n;
	int			d;
	int			repeat;
	double	   *x;
	double	   *y;
	double	   *work;
	int		   *iwork;
	double	   *est;
	FILE	   *f;
	PromoLogregOptions opt = promo_logreg_default_options();
	PromoLogregFit fit;
	int			bad_term;

	if (argc != 5)
	{
		fprintf(stderr, "usage: %s file n d repeat\n", argv[0]);
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	d = atoi(argv[3]);
	repeat = atoi(argv[4]);
	x = malloc(sizeof(double) * n * d);
	y = malloc(sizeof(double) * n);
	work = malloc(sizeof(double) * promo_logreg_fit_work(d));
	iwork = malloc(sizeof(int) * promo_logreg_fit_iwork(d));
	est = malloc(sizeof(double) * 4 * (d + 1));
	f = fopen(argv[1], "rb");
	if (!x || !y || !work || !iwork || !est || !f ||
		fread(x, sizeof(double), n * d, f) != n * d ||
		fread(y, sizeof(double), n, f) != n)
	{
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 2;
	}
	fclose(f);
	fit.estimate = est;
	fit.std_error = est + (d + 1);
	fit.z_value = est + 2 * (d + 1);
	fit.p_value = est + 3 * (d + 1);
	for (int r = 0; r < repeat; r++)
	{
		double		t0 = Now();
		PromoLogregStatus st = promo_logreg_fit(x, y, NULL, n, d, &opt, &fit,
												&bad_term, work, iwork, NULL);

		printf("run %d %.6f %d %d\n", r, Now() - t0, fit.iterations, (int) st);
		fflush(stdout);
	}
	printf("estimates");
	for (int j = 0; j <= d; j++)
		printf(" %.17g", est[j]);
	printf("\n");
	return 0;
}
