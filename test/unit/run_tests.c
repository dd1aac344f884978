/*
 * run_tests.c
 *		Runs every unit test suite of the core.
 *
 * Prints one line per failed assertion and per test case, and as the very
 * last line "N passed, M failed" counting test cases.  Exits non-zero when
 * any test case failed.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int	current_failures;

static void
report(const char *file, int line, const char *fmt_what)
{
	printf("  %s:%d: %s\n", file, line, fmt_what);
}

bool
unit_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok)
	{
		char		buf[512];

		snprintf(buf, sizeof(buf), "CHECK(%s) failed", expr);
		report(file, line, buf);
		current_failures++;
	}
	return ok;
}

bool
unit_check_close(double got, double want, double rtol, const char *got_expr,
				 const char *want_expr, const char *file, int line)
{
	bool		ok;

	if (isnan(got) || isnan(want))
		ok = false;
	else if (got == want)
		ok = true;				/* also equal infinities */
	else
		ok = fabs(got - want) <= rtol * fmax(fabs(got), fabs(want));
	if (!ok)
	{
		char		buf[1024];

		snprintf(buf, sizeof(buf),
				 "CHECK_CLOSE(%s, %s, %g) failed: got %.17g, want %.17g, "
				 "relative error %.3g",
				 got_expr, want_expr, rtol, got, want,
				 fabs(got - want) / fmax(fabs(got), fabs(want)));
		report(file, line, buf);
		current_failures++;
	}
	return ok;
}

bool
unit_check_abs(double got, double want, double atol, const char *got_expr,
			   const char *want_expr, const char *file, int line)
{
	bool		ok = !isnan(got) && !isnan(want) &&
		(got == want || fabs(got - want) <= atol);

	if (!ok)
	{
		char		buf[1024];

		snprintf(buf, sizeof(buf),
				 "CHECK_ABS(%s, %s, %g) failed: got %.17g, want %.17g",
				 got_expr, want_expr, atol, got, want);
		report(file, line, buf);
		current_failures++;
	}
	return ok;
}

bool
unit_check_int(long got, long want, const char *got_expr,
			   const char *want_expr, const char *file, int line)
{
	if (got != want)
	{
		char		buf[512];

		snprintf(buf, sizeof(buf), "CHECK_INT(%s, %s) failed: got %ld, want %ld",
				 got_expr, want_expr, got, want);
		report(file, line, buf);
		current_failures++;
		return false;
	}
	return true;
}

double
unit_uniform(uint64_t *state, double lo, double hi)
{
	uint64_t	x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	/* 53 random bits into [0, 1) */
	return lo + (hi - lo) * ((double) ((x * UINT64_C(2685821657736338717)) >> 11) *
							 0x1.0p-53);
}

void *
unit_alloc(size_t bytes)
{
	void	   *p = malloc(bytes > 0 ? bytes : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static const UnitTest *const suites[] = {
	unit_moments_tests,
	unit_linreg_tests,
	unit_scaler_tests,
	unit_similarity_tests,
	unit_finite_tests,
	unit_markov_tests,
	unit_logreg_tests,
	unit_metrics_tests,
	unit_kmeans_tests,
	unit_clip_tests,
	unit_offers_tests,
	unit_assign_tests,
	unit_score_tests,
};

int
main(void)
{
	int			passed = 0;
	int			failed = 0;

	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
	{
		for (const UnitTest *t = suites[s]; t->fn != NULL; t++)
		{
			current_failures = 0;
			t->fn();
			if (current_failures == 0)
			{
				printf("ok   %s\n", t->name);
				passed++;
			}
			else
			{
				printf("FAIL %s (%d failed check%s)\n", t->name,
					   current_failures, current_failures == 1 ? "" : "s");
				failed++;
			}
			fflush(stdout);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
