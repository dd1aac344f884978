/*
 * unit.h
 *		A minimal test runner for the C core: checks, suites and helpers.
 *
 * A test case is a void function.  CHECK and CHECK_CLOSE record a failed
 * assertion with its file and line and let the test carry on; a test case
 * fails when any of its assertions failed.
 */
#ifndef PROMO_UNIT_H
#define PROMO_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*UnitTestFn) (void);

typedef struct UnitTest
{
	const char *name;
	UnitTestFn	fn;
} UnitTest;

/* A suite entry named after its function. */
#define UNIT_TEST(fn) { #fn, fn }

/* Each test file defines one suite, terminated by { NULL, NULL }. */
extern const UnitTest unit_moments_tests[];
extern const UnitTest unit_linreg_tests[];
extern const UnitTest unit_scaler_tests[];
extern const UnitTest unit_similarity_tests[];
extern const UnitTest unit_finite_tests[];
extern const UnitTest unit_markov_tests[];
extern const UnitTest unit_logreg_tests[];
extern const UnitTest unit_metrics_tests[];
extern const UnitTest unit_kmeans_tests[];
extern const UnitTest unit_clip_tests[];
extern const UnitTest unit_offers_tests[];
extern const UnitTest unit_assign_tests[];
extern const UnitTest unit_score_tests[];

/* Assertions: true when the assertion held. */
extern bool unit_check(bool ok, const char *expr, const char *file, int line);
extern bool unit_check_close(double got, double want, double rtol,
							 const char *got_expr, const char *want_expr,
							 const char *file, int line);
extern bool unit_check_abs(double got, double want, double atol,
						   const char *got_expr, const char *want_expr,
						   const char *file, int line);
extern bool unit_check_int(long got, long want, const char *got_expr,
						   const char *want_expr, const char *file, int line);

/* cond must hold. */
#define CHECK(cond) unit_check((cond), #cond, __FILE__, __LINE__)

/*
 * got and want agree to a relative tolerance:
 * |got - want| <= rtol * max(|got|, |want|).  Equal infinities pass; NaN
 * never does.
 */
#define CHECK_CLOSE(got, want, rtol) \
	unit_check_close((got), (want), (rtol), #got, #want, __FILE__, __LINE__)

/* got and want agree to an absolute tolerance (for values near zero). */
#define CHECK_ABS(got, want, atol) \
	unit_check_abs((got), (want), (atol), #got, #want, __FILE__, __LINE__)

/* Two integers are equal (status codes, indices). */
#define CHECK_INT(got, want) \
	unit_check_int((long) (got), (long) (want), #got, #want, __FILE__, __LINE__)

/* Deterministic pseudo-random numbers (xorshift64*), uniform in [lo, hi). */
extern double unit_uniform(uint64_t *state, double lo, double hi);

/* malloc that aborts on failure. */
extern void *unit_alloc(size_t bytes);

#endif							/* PROMO_UNIT_H */
