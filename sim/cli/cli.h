/* cli.h - the commands of the axsim tool and their shared option parsing. */
#ifndef AX_CLI_H
#define AX_CLI_H

#include <stdio.h>
#include <jansson.h>

#include "common/err.h"
#include "common/ydoc.h"
#include "config/arch.h"
#include "config/ccfg.h"
#include "net/net.h"
#include "run/run.h"

#define AX_MAX_SETS 256

/* Options every command may take; which ones a command accepts is its table. */
struct ax_opts {
	const char *positional[4];
	int n_positional;
	const char *arch, *config, *model, *board, *json, *csv, *out;
	const char *trace, *vcd;      /* run: timeline outputs (docs/traces.md) */
	const char *trace_limit;      /* run: --trace-limit SIZE */
	const char *sets[AX_MAX_SETS];
	int n_sets;
	int quiet, reference, help;
	const char *inferences;
	/* compare (sim/cli/compare.c): --tolerance [METRIC=]PCT and --metric PATH, in the order given */
	const char *tolerances[AX_MAX_SETS], *metrics[AX_MAX_SETS];
	int n_tolerances, n_metrics;
	int force;
	/* import (sim/cli/import.c) */
	const char *input_shapes[AX_MAX_SETS];
	int n_input_shapes, no_host;
	/* run: a pipeline's --net MODEL=NET and --rois MODEL=N, in the order given */
	const char *nets[AX_MAX_SETS], *rois[AX_MAX_SETS];
	int n_nets, n_rois;
};

/*
 * Parses argv[1..] of command cmd: the options and positional arguments its
 * table in options.c allows.  Prints a message and returns 2 on a usage error,
 * 0 otherwise.
 */
int ax_opts_parse(const char *cmd, int argc, char **argv, struct ax_opts *o);

/* The option and command tables (options.c). */
/* Whether command cmd takes option (its long name, or -o). */
int ax_cli_takes(const char *cmd, const char *option);
/* Whether option takes a value. */
int ax_cli_opt_has_value(const char *option);
/* The positional arguments cmd takes at most (-1: any number). */
int ax_cli_max_positional(const char *cmd);
/* cmd's options, space-separated, in its table's order (for messages). */
void ax_cli_opt_list(const char *cmd, char *buf, size_t len);
/* The option of cmd closest to name, or NULL (for "did you mean"). */
const char *ax_cli_suggest_option(const char *cmd, const char *name);
/* cmd --help: its usage forms, what it does and its options. */
void ax_cli_usage(const char *cmd, FILE *out);
/* axsim --help: the commands. */
void ax_cli_usage_all(FILE *out);

/* Loads the hardware description with --arch/--set applied; prints errors. */
int ax_cli_load_arch(const struct ax_opts *o, struct ax_arch_desc *d);
/* Loads a network from an ELF or a network description; prints errors. */
int ax_cli_load_net(const char *path, struct ax_net *net);
/*
 * Checks a command's outputs before any work (ax_out_check: writable, not an
 * input, not another output); prints each problem prefixed "axsim CMD: " and
 * returns 2, or 0 when all can be written.
 */
struct ax_out_spec;
int ax_cli_check_outputs(const char *cmd, const struct ax_out_spec *outs, size_t n_outs,
			 const char *const *inputs, size_t n_inputs);
/* Prints every message of e to stderr, prefixed. */
void ax_cli_print_errors(const struct ax_err *e, const char *prefix);

/*
 * What a sweep point changes in the pipeline of axsim run (sim/cli/sweep.c);
 * NULL for a plain run.
 */
struct ax_run_extra {
	const char *const *overrides; /* KEY=VALUE: a compilation key (ax_ccfg_set) or a
					 hardware parameter, applied after --config and --set */
	int n_overrides;
	const char *origin;           /* names the overrides in messages, e.g. "sweep" */
	struct ax_err *msgs;          /* non-NULL: errors appended here, not printed; warnings dropped */
	json_t **report;              /* non-NULL: receives the JSON report (the caller
					 json_decref's it) instead of writing --json */
};

/*
 * axsim run on parsed options (positional[0] is NET): the pipeline
 * (ax_run, sim/run/run.h), then the report printed and written.  Prints what
 * axsim run prints, except what x redirects.
 * Returns the exit status: 0, 1 (the simulation or an output failed) or 2
 * (bad input).  Runs SystemC: call it at most once per process.
 */
int ax_cli_run_pipeline(const struct ax_opts *o, const struct ax_run_extra *x);

/* Sweep jobs (sim/cli/sweep.c, docs/sweeps.md): axsim run takes two hidden
 * options, --set-cc KEY=VALUE (a compilation key) and --axis KEY=VALUE (a
 * compilation key or hardware parameter that is an axis of a sweep; the
 * --json output becomes the sweep's point file). */
struct ax_sweep_job {
	const char *cc[AX_MAX_SETS];
	int n_cc;
	const char *axes[AX_MAX_SETS];
	int n_axes;
};
/* Takes the hidden options out of argv (argc shrinks); prints and returns 2
 * on misuse, 0 otherwise. */
int ax_sweep_job_opts(int *argc, char **argv, struct ax_sweep_job *job);
/* Runs one job of axsim run with hidden options; returns the exit status. */
int ax_sweep_job_run(const struct ax_opts *o, const struct ax_sweep_job *job);

int ax_cmd_run(int argc, char **argv);
int ax_cmd_sweep(int argc, char **argv);
int ax_cmd_merge(int argc, char **argv);
int ax_cmd_compile(int argc, char **argv);
int ax_cmd_import(int argc, char **argv);   /* sim/cli/import.c: ONNX models */
int ax_cmd_inspect(int argc, char **argv);
int ax_cmd_config(int argc, char **argv);
int ax_cmd_arch(int argc, char **argv);
int ax_cmd_compare(int argc, char **argv);

#endif
