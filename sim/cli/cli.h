/* cli.h - the commands of the axsim tool and their shared option parsing. */
#ifndef AX_CLI_H
#define AX_CLI_H

#include "common/err.h"
#include "common/ydoc.h"
#include "config/arch.h"
#include "config/ccfg.h"
#include "net/net.h"

#define AXSIM_VERSION "0.1.0"
#define AX_MAX_SETS 256
/* Back-to-back inferences per copy of axsim run: two give the steady-state
 * throughput (docs/timing-model.md "Back-to-back inferences"). */
#define AX_DEFAULT_INFERENCES 2

/* Options every command may take; which ones a command accepts is its table. */
struct ax_opts {
	const char *positional[4];
	int n_positional;
	const char *arch, *config, *model, *board, *json, *csv, *out;
	const char *sets[AX_MAX_SETS];
	int n_sets;
	int quiet, reference, help;
	const char *inferences;
};

/*
 * Parses argv[1..] of a command.  allowed is a space-separated list of the
 * long options the command takes ("--json --csv").  Prints a message and
 * returns 2 on a usage error, 0 otherwise.
 */
int ax_opts_parse(const char *cmd, int argc, char **argv, const char *allowed,
		  int max_positional, struct ax_opts *o);

/* Loads the hardware description with --arch/--set applied; prints errors. */
int ax_cli_load_arch(const struct ax_opts *o, struct ax_arch_desc *d);
/* Loads a network from an ELF or a network description; prints errors. */
int ax_cli_load_net(const char *path, struct ax_net *net);
/* Prints every message of e to stderr, prefixed. */
void ax_cli_print_errors(const struct ax_err *e, const char *prefix);

int ax_cmd_run(int argc, char **argv);
int ax_cmd_compile(int argc, char **argv);
int ax_cmd_inspect(int argc, char **argv);
int ax_cmd_config(int argc, char **argv);
int ax_cmd_arch(int argc, char **argv);

#endif
