/*
 * main.c - the axsim command-line tool.  Only this folder parses argv, prints
 * to the user and exits.  Exit status: 0 success, 2 bad input or usage,
 * 1 an output could not be produced; internal bugs abort.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axsim.h"
#include "cli.h"
#include "common/output.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		ax_cli_usage_all(stderr);
		return 2;
	}
	/* outputs in progress leave no temporary file behind on ^C or kill */
	ax_out_cleanup_on_signals();
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		ax_cli_usage_all(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("axsim %s\n", axsim_version());
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "run", ax_cmd_run },
		{ "compile", ax_cmd_compile },
		{ "import", ax_cmd_import },
		{ "inspect", ax_cmd_inspect },
		{ "config", ax_cmd_config },
		{ "arch", ax_cmd_arch },
		{ "sweep", ax_cmd_sweep },
		{ "merge", ax_cmd_merge },
		{ "compare", ax_cmd_compare },
	};
	const char *names[sizeof(cmds) / sizeof(cmds[0])];
	size_t n = sizeof(cmds) / sizeof(cmds[0]);
	for (size_t i = 0; i < n; i++) {
		names[i] = cmds[i].name;
		if (!strcmp(cmd, cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	}
	const char *s = ax_suggest(cmd, names, n);
	fprintf(stderr, "axsim: unknown command '%s'%s%s%s; expected one of", cmd,
		s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", names[i]);
	fputc('\n', stderr);
	return 2;
}
