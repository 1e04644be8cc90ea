/*
 * keys.h - one typed interface over the two key tables: the hardware
 * description's (arch.c, values with units) and the compilation
 * configuration's (ccfg.c, booleans, integers, fractions, names, lists).  A
 * key is found by its name in either; a value of it is parsed and checked,
 * given as the JSON the report writes (config.*, arch.*), and written back as
 * the text --set takes, all here, so that the report, the sweep and the tool
 * read and print values of both kinds one way.
 */
#ifndef AX_KEYS_H
#define AX_KEYS_H

#include <stddef.h>
#include <jansson.h>

#include "../common/err.h"
#include "arch.h"
#include "ccfg.h"

struct ax_key {
	const char *name;                 /* as the table spells it */
	const struct ax_arch_key *arch;   /* a hardware parameter, or NULL */
	int cc;                           /* a compilation key (enum ax_ccfg_id), or -1 */
};

/* Finds name in either table into *k; -1 when it is in neither. */
int ax_key_find(const char *name, struct ax_key *k);

/* Every key's name, hardware parameters first (for suggestions): a heap
 * array of *n borrowed strings; the caller frees the array. */
const char **ax_key_names(size_t *n);

/*
 * text as a value of k, checked as a file or --set would be: a new JSON value
 * as the report writes it (a hardware parameter: an integer in its base unit;
 * a compilation key: as config.* has it), or NULL with one message in err.  A
 * compilation key's message is located at origin; a hardware parameter's at
 * the --set 'KEY=TEXT' that would give it.
 */
json_t *ax_key_parse(const struct ax_key *k, const char *text, const char *origin, struct ax_err *err);

/* k's value in a loaded description a or configuration c (the one of its
 * table; the other may be NULL), as the report's arch.* or config.* writes it
 * (a new reference). */
json_t *ax_key_json(const struct ax_key *k, const struct ax_arch *a, const struct ax_ccfg *c);

/* The text of a typed value v of k that --set takes back: "16MiB", "true",
 * "6", "per_tensor_min_max" (a hardware value in its unit when that reads
 * back exactly, else the plain number). */
void ax_key_text(const struct ax_key *k, const json_t *v, char *buf, size_t len);

/* k's value in a loaded description a or configuration c, for people, as
 * `axsim arch` and `axsim config` print it. */
void ax_key_format(const struct ax_key *k, const struct ax_arch *a, const struct ax_ccfg *c, char *buf,
		   size_t len);

#endif
