/*
 * fixture.c
 *		Reading the committed CSV fixtures of test/fixtures/logreg/.
 */
#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define LINE_MAX_CHARS 4096

/* Open test/fixtures/logreg/<name>, found from this source file's path. */
static FILE *
OpenFixture(const char *name)
{
	const char *self = __FILE__;
	const char *slash = strrchr(self, '/');
	int			dirlen = slash ? (int) (slash - self) + 1 : 0;
	char		path[1024];
	FILE	   *f;

	snprintf(path, sizeof(path), "%.*s../fixtures/logreg/%s", dirlen, self, name);
	f = fopen(path, "r");
	if (!CHECK(f != NULL))
		fprintf(stdout, "  cannot open %s\n", path);
	return f;
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

/* The value of the line whose leading fields are key. */
double
fixture_value(const char *name, const char *key)
{
	FILE	   *f = OpenFixture(name);
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
	if (!CHECK(found))
		fprintf(stdout, "  no line %s in %s\n", key, name);
	return value;
}
