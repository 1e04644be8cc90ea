/*
 * options.c - every option of the axsim tool and every command, declared once:
 * the option parsers, each command's --help text (usage forms, what it does,
 * its options) and `axsim --help` are made from these tables, and the man page
 * (scripts/man.cmake) and the bash completion (sim/cli/axsim.bash) are made
 * from the --help texts, so none of them can disagree with what is parsed.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* An option of the tool. */
struct optdef {
	const char *name;          /* "--arch", "-o" */
	const char *arg;           /* what its value is; NULL: a flag */
	const char *help;          /* for a command that says nothing of its own */
};

static const struct optdef optdefs[] = {
	{ "--arch", "FILE", "hardware description; may be partial: it overrides the built-in\n"
			    "configs/metis.yaml key by key" },
	{ "--set", "KEY=VALUE", "change one hardware parameter (l2.size=16MiB) after --arch, or a\n"
				"compilation key (tiling_depth=2) after --config; repeatable" },
	{ "--config", "MODEL.yaml", "the model YAML whose compilation configuration applies (default:\n"
				    "the SDK's defaults)" },
	{ "--model", "NAME", "which entry of the model YAML's models: section" },
	{ "--board", "pcie|m2", "apply that board section of extra_kwargs" },
	{ "--json", "FILE", "write the report as JSON (docs/report-format.md)" },
	{ "--csv", "FILE", "write the per-layer table as CSV" },
	{ "--quiet", NULL, "do not print the text report" },
	{ "--reference", NULL, "print the Markdown reference instead" },
	{ "-o", "FILE", "the ELF to write" },
	{ "--inferences", "N", "back-to-back inferences per copy (default 2, for the steady-state\n"
				 "throughput)" },
	{ "--trace", "FILE", "write the timeline of every task as trace-event JSON for\n"
			     "ui.perfetto.dev (docs/traces.md)" },
	{ "--vcd", "FILE", "write the units' busy signals and the bytes in progress per memory\n"
			   "as VCD for GTKWave" },
	{ "--trace-limit", "SIZE", "stop --trace and --vcd, with a warning, at about this size\n"
				   "(default 64MiB)" },
	{ "--tolerance", "[METRIC=]PCT", "allowed worsening of every metric, e.g. 2% (default 0%), or of\n"
					 "one metric, e.g. totals.fps=5%; repeatable" },
	{ "--metric", "PATH", "compare this instead of the defaults (repeatable): a dotted path\n"
			      "such as memory.ddr.read_bytes, or paths added with '+'\n"
			      "(memory.ddr.read_bytes+write_bytes); higher or lower is better as\n"
			      "docs/report-format.md declares the figure, lower for others" },
	{ "--force", NULL, "compare reports of different networks" },
	{ "--input-shape", "[NAME=]DIMS", "fixes the input's dynamic dimensions, in the model's order\n"
					  "(N x C x H x W for images), e.g. --input-shape 1x3x640x640;\n"
					  "NAME=DIMS for one of several inputs; repeatable" },
	{ "--no-host", NULL, "an unsupported operator is an error even at the end of the graph\n"
			     "(by default a trailing part without weights is left to the host,\n"
			     "with a warning)" },
	{ "--net", "MODEL=NET", "a model of the pipeline YAML and its network; one for every model" },
	{ "--rois", "MODEL=N", "runs of a later stage per frame (default: the pipeline section's\n"
			       "top_k)" },
	{ "--tiling-depth", "LIST", "an axis of tiling_depth values" },
	{ "--page-memory", "LIST", "an axis of page_memory values" },
	{ "--replication", "LIST", "an axis of in_core_replication values" },
	{ "--elf-in-ddr", "LIST", "an axis of elf_in_ddr values" },
	{ "--cores", "LIST", "an axis of aipu_cores values" },
	{ "--cores-per-copy", "LIST", "an axis of aipu_cores_used values" },
	{ "--multicore-mode", "LIST", "an axis of multicore_mode values" },
	{ "--jobs", "N", "points simulated at once (default: the number of processors)" },
	{ "--out", "DIR", "where each point's JSON goes (default sweep-NETWORK/)" },
	{ "--resume", NULL, "keep the points already done in --out" },
	{ "--emit-jobs", "FILE", "write one axsim run line per point instead of running them" },
	{ "--objective", "latency|fps|ddr", "what best and the Pareto front mean (default latency)" },
};

#define N_OPTDEFS (sizeof(optdefs) / sizeof(optdefs[0]))

/* An option as a command takes it: help NULL for the option's own. */
struct cmdopt {
	const char *name, *help;
};

struct cmddef {
	const char *name;
	const char *line;          /* `axsim --help`: the command with what it needs */
	const char *summary;       /* `axsim --help`: what it does, one line */
	const char *forms[4];      /* the usage forms after "axsim NAME" */
	const char *about;         /* what it does */
	int max_positional;
	struct cmdopt opts[32];    /* the options it takes, in the order its messages list them */
};

static const struct cmddef cmddefs[] = {
	{ "run", "run NET --config MODEL.yaml", "simulate one inference per copy and report",
	  { "NET [options]", "--config PIPELINE.yaml --net MODEL=NET --net MODEL2=NET2... [options]",
	    "--reference" },
	  "Simulates N back-to-back inferences (default 2) on each copy of the network and\n"
	  "prints the first one's latency, the steady-state throughput, IMC utilisation, unit\n"
	  "and memory activity and the slowest layers.  NET is an ELF written by axsim compile,\n"
	  "or a network description.  With --net, the models of PIPELINE.yaml run at once on\n"
	  "their own cores (the first on cores 0.., the next after it), sharing L2, the NoC and\n"
	  "DDR; a later stage runs once per region of interest of a frame (docs/timing-model.md\n"
	  "\"Pipelines of models\").  Every FILE may be - (standard output).\n",
	  1,
	  { { "--arch", NULL }, { "--set", NULL }, { "--config", NULL }, { "--model", NULL }, { "--board", NULL },
	    { "--json", NULL }, { "--csv", NULL }, { "--quiet", NULL }, { "--inferences", NULL },
	    { "--trace", NULL }, { "--vcd", NULL }, { "--trace-limit", NULL }, { "--net", NULL },
	    { "--rois", NULL },
	    { "--reference", "print docs/report-format.md, the reference of the report's fields,\n"
			     "instead (generated from the statistics table)" } } },
	{ "compile", "compile NET.yaml -o NET.elf", "check a network description and write its ELF",
	  { "NET.yaml -o NET.elf" },
	  "Checks a network description (docs/network-format.md), infers its shapes and writes\n"
	  "the compiled network as an ELF (docs/elf-format.md).\n",
	  1, { { "-o", NULL } } },
	{ "import", "import MODEL.onnx -o NET.elf", "map an ONNX model onto the chip and write its ELF",
	  { "MODEL.onnx -o NET.elf [options]" },
	  "Maps an ONNX model onto the chip's units (docs/onnx-import.md): batch normalisation and\n"
	  "other per-channel affine operations fold into the convolutions, activations fuse, the\n"
	  "SiLU, hard-swish and layer-normalisation patterns are recognised, and the weights are\n"
	  "quantised to int8 into the ELF's weight section.  Prints a summary of what it did.\n",
	  1,
	  { { "-o", NULL }, { "--input-shape", NULL }, { "--no-host", NULL },
	    { "--quiet", "print nothing but warnings and errors" } } },
	{ "inspect", "inspect NET", "list the layers of a network (ELF or description)",
	  { "NET" },
	  "Lists every layer of a compiled network (or a description): operator, input and\n"
	  "output shapes (height x width x channels), parameters and MACs, then totals.\n",
	  1, { { NULL, NULL } } },
	{ "config", "config MODEL.yaml", "print the effective compilation configuration",
	  { "MODEL.yaml [options]" },
	  "Prints the effective compilation configuration and where each value came from.\n",
	  1, { { "--model", NULL }, { "--board", NULL } } },
	{ "arch", "arch", "print the effective hardware description",
	  { "[options]" },
	  "Prints the effective hardware description, each value with where it came from\n"
	  "and why.\n",
	  0,
	  { { "--arch", NULL }, { "--set", "change one hardware parameter, e.g. l2.size=16MiB; repeatable" },
	    { "--reference", "print docs/config-reference.md, the reference of every hardware\n"
			     "parameter and compilation key, instead (generated from the key\n"
			     "tables)" } } },
	{ "sweep", "sweep NET --config MODEL.yaml", "simulate every combination of settings (docs/sweeps.md)",
	  { "NET [options]", "--config PIPELINE.yaml --net MODEL=NET --net MODEL2=NET2... [options]" },
	  "Simulates every combination of the axes' values, each point in a process of its own,\n"
	  "--jobs at once, and prints a table sorted by the objective (latency; fps: throughput;\n"
	  "ddr: DDR traffic per inference) with the best (B), configured (C) and Pareto-optimal (P)\n"
	  "points marked.  LIST is comma-separated values or ranges (1-8).  Without axes: tiling\n"
	  "depth 1-8 x page_memory true,false x in_core_replication true,false.  Combine the\n"
	  "results of --emit-jobs with axsim merge DIR (docs/sweeps.md).\n",
	  1,
	  { { "--config", NULL }, { "--model", NULL }, { "--board", NULL }, { "--arch", NULL },
	    { "--set", "KEY=V1,V2,... makes any hardware parameter or compilation key an\n"
		       "axis; KEY=V fixes it; repeatable" },
	    { "--tiling-depth", NULL }, { "--page-memory", NULL }, { "--replication", NULL },
	    { "--elf-in-ddr", NULL }, { "--cores", NULL }, { "--cores-per-copy", NULL },
	    { "--multicore-mode", NULL }, { "--jobs", NULL }, { "--out", NULL }, { "--resume", NULL },
	    { "--emit-jobs", NULL }, { "--csv", "write the sweep's table as CSV (docs/sweeps.md)" },
	    { "--json", "write the sweep's table as JSON (docs/sweeps.md)" }, { "--inferences", NULL },
	    { "--objective", NULL }, { "--net", NULL }, { "--rois", NULL } } },
	{ "merge", "merge RESULTS...", "combine a sweep's point files run elsewhere into its table",
	  { "RESULTS... [options]" },
	  "Combines the point files of a sweep (files, or directories whose *.json files are\n"
	  "read) into the table, CSV and JSON that axsim sweep prints and writes, e.g. after\n"
	  "running the lines of axsim sweep --emit-jobs with GNU parallel or a Slurm array\n"
	  "(docs/sweeps.md).\n",
	  -1,
	  { { "--csv", "write the sweep's table as CSV (docs/sweeps.md)" },
	    { "--json", "write the sweep's table as JSON (docs/sweeps.md)" }, { "--objective", NULL } } },
	{ "compare", "compare BASE.json NEW.json", "compare two runs; exit 1 when a metric regressed (docs/regression.md)",
	  { "BASE.json NEW.json [options]" },
	  "Compares two reports of axsim run --json: the metrics (by default latency, throughput,\n"
	  "IMC utilisation, the bytes moved through DDR, L2 and L1, energy per inference and\n"
	  "fps per watt), the inputs that differ and each layer's cycles.  Exits 1 when a metric\n"
	  "of NEW is worse than BASE by more than its tolerance, 2 on bad input, 0 otherwise\n"
	  "(docs/regression.md).\n",
	  2, { { "--tolerance", NULL }, { "--metric", NULL }, { "--force", NULL } } },
};

#define N_CMDDEFS (sizeof(cmddefs) / sizeof(cmddefs[0]))

static const struct optdef *optdef_find(const char *name)
{
	for (size_t i = 0; i < N_OPTDEFS; i++)
		if (!strcmp(optdefs[i].name, name))
			return &optdefs[i];
	return NULL;
}

static const struct cmddef *cmddef_find(const char *cmd)
{
	for (size_t i = 0; i < N_CMDDEFS; i++)
		if (!strcmp(cmddefs[i].name, cmd))
			return &cmddefs[i];
	AX_BUG("no option table for command '%s'", cmd);
}

int ax_cli_takes(const char *cmd, const char *option)
{
	const struct cmddef *c = cmddef_find(cmd);
	for (size_t i = 0; c->opts[i].name; i++)
		if (!strcmp(c->opts[i].name, option))
			return 1;
	return 0;
}

int ax_cli_opt_has_value(const char *option)
{
	const struct optdef *o = optdef_find(option);
	if (!o)
		AX_BUG("no option '%s' in the table", option);
	return o->arg != NULL;
}

int ax_cli_max_positional(const char *cmd)
{
	return cmddef_find(cmd)->max_positional;
}

void ax_cli_opt_list(const char *cmd, char *buf, size_t len)
{
	const struct cmddef *c = cmddef_find(cmd);
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; c->opts[i].name && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", c->opts[i].name);
}

const char *ax_cli_suggest_option(const char *cmd, const char *name)
{
	const struct cmddef *c = cmddef_find(cmd);
	const char *names[N_OPTDEFS];
	size_t n = 0;
	for (size_t i = 0; c->opts[i].name; i++)
		names[n++] = c->opts[i].name;
	return ax_suggest(name, names, n);
}

/* An option's help, its continuation lines indented under the first. */
static void help_lines(FILE *out, const char *lead, const char *help)
{
	fprintf(out, "  %-22s", lead);
	if (strlen(lead) > 22)
		fprintf(out, "\n  %-22s", "");
	for (const char *p = help; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(out, "%s%.*s\n", p == help ? " " : "                         ", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

void ax_cli_usage(const char *cmd, FILE *out)
{
	const struct cmddef *c = cmddef_find(cmd);
	for (size_t i = 0; i < 4 && c->forms[i]; i++)
		fprintf(out, "%s axsim %s %s\n", i ? "      " : "usage:", c->name, c->forms[i]);
	fputs(c->about, out);
	if (!c->opts[0].name)
		return;
	fputs("\noptions:\n", out);
	for (size_t i = 0; c->opts[i].name; i++) {
		const struct optdef *o = optdef_find(c->opts[i].name);
		if (!o)
			AX_BUG("command '%s' takes an option '%s' the table lacks", cmd, c->opts[i].name);
		char lead[64];
		snprintf(lead, sizeof(lead), "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		help_lines(out, lead, c->opts[i].help ? c->opts[i].help : o->help);
	}
}

void ax_cli_usage_all(FILE *out)
{
	fputs("usage: axsim <command> [options]\n\ncommands:\n", out);
	for (size_t i = 0; i < N_CMDDEFS; i++)
		fprintf(out, "  %-29s %s\n", cmddefs[i].line, cmddefs[i].summary);
	fputs("\naxsim COMMAND --help describes one command and its options; docs/ has the file formats\n"
	      "and the timing model.  axsim --version prints the version.\n",
	      out);
}
