/*
 * fixture.h
 *		Reading the committed CSV fixtures of test/fixtures/.
 *
 * Lines starting with '#' are comments (the provenance header); the first
 * other line names the columns.
 */
#ifndef PROMO_UNIT_FIXTURE_H
#define PROMO_UNIT_FIXTURE_H

/*
 * The numeric table in test/fixtures/logreg/<name>, row-major *nrows x
 * *ncols, malloc'ed; NULL (with a failed check) if it cannot be read.
 */
extern double *fixture_table(const char *name, int *nrows, int *ncols);

/*
 * The value of the line of test/fixtures/logreg/<name> whose fields before
 * the last one are key ("basic,estimate,0"); NaN (with a failed check)
 * when there is no such line.
 */
extern double fixture_value(const char *name, const char *key);

/* fixture_value for the file test/fixtures/<path> ("assign/lp.csv"). */
extern double fixture_value_at(const char *path, const char *key);

/* fixture_value_at, or absent (and no failed check) without such a line. */
extern double fixture_value_or(const char *path, const char *key, double absent);

#endif							/* PROMO_UNIT_FIXTURE_H */
