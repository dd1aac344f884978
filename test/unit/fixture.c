/*
 * fixture.c
 *		Reading the committed CSV fixtures of test/fixtures/.
 */
#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define LINE_MAX_CHARS 4096

/* Open test/fixtures/<path>, found from this source file's path. */
static FILE *
OpenPath(const char *name)
{
	const char *self = __FILE__;
	const char *slash = strrchr(self, '/');
	int			dirlen = slash ? (int) (slash - self) + 1 : 0;
	char		path[1024];
	FILE	   *f;

	snprintf(path, sizeof(path), "%.*s../fixtures/%s", dirlen, self, name);
	f = fopen(path, "r");
	if (!CHECK(f != NULL))
		fprintf(stdout, "  cannot open %s\n", path);
	return f;
}

/* Open test/fixtures/logreg/<name>. */
static FILE *
OpenFixture(const char *name)
{
	char		path[1024];

	snprintf(path, sizeof(path), "logreg/%s", name);
	return OpenPath(path);
}

/* Next line that is not a comment, newline stripped; false at the end. */
static bool
NextLine(FILE *f, char *line)
{
	while (fgets(line, LINE_MAX_CHARS, f))
	{
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '#')
			return true;
	}
	return false;
}

/* Number of comma-separated fields of a line. */
static int
CountFields(const char *line)
{
	int			n = 1;

	for (const char *c = line; *c; c++)
		n += *c == ',';
	return n;
}

/* The numeric table in a fixture file, row-major. */
double *
fixture_table(const char *name, int *nrows, int *ncols)
{
	FILE	   *f = OpenFixture(name);
	char		line[LINE_MAX_CHARS];
	double	   *data = NULL;
	int			cap = 0;

	*nrows = 0;
	*ncols = 0;
	if (f == NULL)
		return NULL;
	if (!CHECK(NextLine(f, line)))
	{
		fclose(f);
		return NULL;
	}
	*ncols = CountFields(line);
	while (NextLine(f, line))
	{
		char	   *c = line;

		if (*nrows == cap)
		{
			cap = cap ? 2 * cap : 64;
			data = realloc(data, sizeof(double) * (size_t) cap * *ncols);
			if (data == NULL)
				exit(2);
		}
		for (int j = 0; j < *ncols; j++)
		{
			char	   *end;

			data[(size_t) *nrows * *ncols + j] = strtod(c, &end);
			CHECK(end != c && (*end == ',' || *end == '\0'));
			c = *end ? end + 1 : end;
		}
		(*nrows)++;
	}
	fclose(f);
	return data;
}

/*
 * The value of the line of an open fixture whose leading fields are key;
 * when there is none, absent, or NaN with a failed check if required.
 */
static double
ValueOf(FILE *f, const char *name, const char *key, bool required, double absent)
{
	char		line[LINE_MAX_CHARS];
	size_t		len = strlen(key);
	double		value = NAN;
	bool		found = false;

	if (f == NULL)
		return NAN;
	while (!found && NextLine(f, line))
	{
		if (strncmp(line, key, len) == 0 && line[len] == ',')
		{
			value = strtod(line + len + 1, NULL);
			found = true;
		}
	}
	fclose(f);
	if (!found && !required)
		return absent;
	if (!CHECK(found))
		fprintf(stdout, "  no line %s in %s\n", key, name);
	return value;
}

/* The value of the line of test/fixtures/logreg/<name> whose leading fields are key. */
double
fixture_value(const char *name, const char *key)
{
	return ValueOf(OpenFixture(name), name, key, true, NAN);
}

/* The value of the line of test/fixtures/<path> whose leading fields are key. */
double
fixture_value_at(const char *path, const char *key)
{
	return ValueOf(OpenPath(path), path, key, true, NAN);
}

/* The same, or absent when there is no such line. */
double
fixture_value_or(const char *path, const char *key, double absent)
{
	return ValueOf(OpenPath(path), path, key, false, absent);
}
