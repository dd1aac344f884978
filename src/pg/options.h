/*
 * options.h
 *		Algorithm options, declared once per algorithm as a table.
 *
 * An algorithm lists its options as PromoOptionDef entries: name, type,
 * default, range and where the value goes in its own options struct (the
 * pattern of PostgreSQL's reloption tables).  promo_options_parse fills the
 * struct from a jsonb object of options; SQL functions that take the same
 * settings as arguments set them one by one with promo_option_set_*, so
 * defaults and ranges are written once for both.  Unknown keys, values of
 * the wrong type and values out of range are errors that name the key.
 * Defaults are the table's and are not range-checked: a default outside
 * the range (INFINITY for "no limit") is a value only the default has.
 */
#ifndef PROMO_OPTIONS_H
#define PROMO_OPTIONS_H

#include "promo.h"

typedef enum PromoOptionType
{
	PROMO_OPTION_INT,			/* int32: a whole number in [min, max] */
	PROMO_OPTION_INT64,			/* int64: a whole number in [min, max] */
	PROMO_OPTION_REAL,			/* double: a finite number in [min, max] */
	PROMO_OPTION_BOOL,			/* bool: true or false */
	PROMO_OPTION_CHOICE,		/* int32: the index of one of choices, or
								 * the number of choices for a JSON array
								 * (stored as Jsonb * at array_offset) */
	PROMO_OPTION_REAL_ARRAY		/* double *: a JSON array of finite numbers
								 * in [min, max] (null elements take
								 * default_value), palloc'd; its length is
								 * an int32 at array_offset; NULL and 0
								 * when absent */
} PromoOptionType;

typedef struct PromoOptionDef
{
	const char *name;
	PromoOptionType type;
	int			offset;			/* of the value in the options struct */
	double		default_value;	/* number, bool (0 or 1) or choice index;
								 * REAL_ARRAY: of a null element */
	double		min;			/* INT, INT64, REAL */
	double		max;
	const char *const *choices; /* CHOICE: names, NULL-terminated */
	int			array_offset;	/* CHOICE: where a JSON array goes, or -1;
								 * REAL_ARRAY: where its length goes */
	const char *array_help;		/* CHOICE: what the array holds */
	bool		min_exclusive;	/* REAL, REAL_ARRAY: values must exceed min */
	bool		nullable;		/* a JSON null means the default (absent) */
} PromoOptionDef;

/* The options of one algorithm; what names them in messages. */
typedef struct PromoOptionTable
{
	const char *what;			/* e.g. "kmeans" */
	const PromoOptionDef *defs;
	int			ndefs;
} PromoOptionTable;

/* Set every option of the table to its default. */
extern void promo_options_defaults(const PromoOptionTable *table, void *opts);

/*
 * Defaults, then the options of a jsonb object (NULL: none); unknown keys
 * and bad values are errors naming the key.
 */
extern void promo_options_parse(const PromoOptionTable *table, Jsonb *options,
								void *opts);

/* Set one numeric or bool option from an SQL argument, checked as parsed. */
extern void promo_option_set_number(const PromoOptionTable *table,
									const char *name, double value, void *opts);

/* Set one option from a jsonb SQL argument, checked as parsed. */
extern void promo_option_set_jsonb(const PromoOptionTable *table,
								   const char *name, Jsonb *value, void *opts);

#endif							/* PROMO_OPTIONS_H */
