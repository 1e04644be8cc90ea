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

static void usage(FILE *out)
{
	fputs("usage: axsim <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  run NET --config MODEL.yaml   simulate one inference per copy and report\n"
	      "  compile NET.yaml -o NET.elf   check a network description and write its ELF\n"
	      "  import MODEL.onnx -o NET.elf  map an ONNX model onto the chip and write its ELF\n"
	      "  inspect NET                   list the layers of a network (ELF or description)\n"
	      "  config MODEL.yaml             print the effective compilation configuration\n"
	      "  arch                          print the effective hardware description\n"
	      "  sweep NET --config MODEL.yaml simulate every combination of settings (docs/sweeps.md)\n"
	      "  merge RESULTS...              combine a sweep's point files run elsewhere into its table\n"
	      "  compare BASE.json NEW.json    compare two runs; exit 1 when a metric regressed (docs/regression.md)\n"
	      "\n"
	      "common options:\n"
	      "  --arch FILE        hardware description (default: built-in configs/metis.yaml)\n"
	      "  --set KEY=VALUE    change one hardware parameter, e.g. --set l2.size=16MiB (run: or a\n"
	      "                     compilation key, e.g. --set tiling_depth=2)\n"
	      "  --model NAME       which entry of the model YAML's models: section\n"
	      "  --board pcie|m2    apply that board section of extra_kwargs\n"
	      "run options:\n"
	      "  --json FILE        write the report as JSON (docs/report-format.md)\n"
	      "  --csv FILE         write the per-layer table as CSV\n"
	      "  --quiet            do not print the text report\n"
	      "  --inferences N     back-to-back inferences per copy (default 2: steady-state throughput)\n"
	      "  --trace FILE       write the timeline as trace-event JSON for ui.perfetto.dev (docs/traces.md)\n"
	      "  --vcd FILE         write unit busy signals and memory traffic as VCD for GTKWave\n"
	      "  --trace-limit SIZE stop --trace and --vcd at about this size (default 64MiB, docs/traces.md)\n"
	      "  --reference        print docs/report-format.md (generated from the statistics table)\n"
	      "arch options:\n"
	      "  --reference        print docs/config-reference.md (generated from the key tables)\n"
	      "\n"
	      "axsim COMMAND --help describes one command; docs/ has the file formats and the timing model.\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* outputs in progress leave no temporary file behind on ^C or kill */
	ax_out_cleanup_on_signals();
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
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
