/*
 * sweepcli.h - what the files of axsim sweep and axsim merge share in the tool
 * (sweep.c: the command and its point runner; sweep_point.c: one point and the
 * hidden options of axsim run; sweep_table.c: the table and the outputs;
 * merge.c: axsim merge).  The results engine is the library's (run/sweep.h).
 */
#ifndef AX_SWEEPCLI_H
#define AX_SWEEPCLI_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "cli.h"
#include "run/sweep.h"

/* Names the sweep's overrides in messages and point files. */
#define SWEEP_ORIGIN "sweep"

/* Prints "axsim sweep: " and the message; returns 2. */
int ax_cli_sweep_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The values the axes names have without the sweep's overrides (null when
 * the inputs do not load); a new reference. */
json_t *ax_cli_sweep_configured(const struct ax_opts *o, const char *const *cc, int n_cc, const json_t *names);
/* Splits "key=value"; NULL key (and a message) when malformed. */
char *ax_cli_sweep_split(const char *a, const char **value);
/* FNV-1a, 64 bits: adds n bytes at p to *h. */
void ax_cli_sweep_fnv1a(uint64_t *h, const void *p, size_t n);
/* The digest of what every point of one sweep shares (docs/sweeps.md "Point
 * files"); a new reference. */
json_t *ax_cli_sweep_inputs_digest(const struct ax_opts *o, const char *const *cc, int n_cc);
/* Runs one point and writes its file to o->json; print: also print its
 * messages.  Returns the exit status. */
int ax_cli_sweep_point_run(const struct ax_opts *o, const struct ax_sweep_job *job, int print);
/* Finishes the results, prints the table and writes --csv and --json;
 * what names the command in messages.  Returns the exit status. */
int ax_cli_sweep_output(struct ax_sweep_results *rs, const char *what, const char *csv, const char *json);

#endif
