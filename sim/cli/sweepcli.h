/*
 * sweepcli.h - what the files of axsim sweep and axsim merge share in the tool
 * (sweep.c: the command; sweep_point.c: the hidden options of axsim run that
 * run one point of a job line; sweep_table.c: the table and the outputs;
 * merge.c: axsim merge).  Running a sweep and its results are the library's
 * (run/sweep.h).
 */
#ifndef AX_SWEEPCLI_H
#define AX_SWEEPCLI_H

#include <stdio.h>
#include <jansson.h>

#include "cli.h"
#include "run/sweep.h"

/* Prints "axsim sweep: " and the message; returns 2. */
int ax_cli_sweep_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Finishes the results, prints the table and writes --csv and --json;
 * what names the command in messages.  Returns the exit status. */
int ax_cli_sweep_output(struct ax_sweep_results *rs, const char *what, const char *csv, const char *json);

#endif
