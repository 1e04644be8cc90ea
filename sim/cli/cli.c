#include "cli.h"

#include "common/file.h"
#include "common/output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/elf.h"
#include "report/report.h"
#include "report/stats.h"
#include "report/trace.h"
#include "config/units.h"
#include "config/keys.h"

void ax_cli_print_errors(const struct ax_err *e, const char *prefix)
{
	const char *s = ax_err_str(e);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		fprintf(stderr, "%s%.*s\n", prefix, (int)n, s);
		s += n + (nl ? 1 : 0);
	}
}

int ax_cli_check_outputs(const char *cmd, const struct ax_out_spec *outs, size_t n_outs,
			 const char *const *inputs, size_t n_inputs)
{
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_out_check(outs, n_outs, inputs, n_inputs, &err);
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "axsim %s: ", cmd);
	ax_cli_print_errors(&err, prefix);
	ax_err_release(&err);
	return rc ? 2 : 0;
}

int ax_opts_parse(const char *cmd, int argc, char **argv, struct ax_opts *o)
{
	memset(o, 0, sizeof(*o));
	int max_positional = ax_cli_max_positional(cmd);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !strcmp(a, "-")) {
			if (o->n_positional >= max_positional) {
				fprintf(stderr, "axsim %s: unexpected argument '%s'; see axsim %s --help\n", cmd, a, cmd);
				return 2;
			}
			o->positional[o->n_positional++] = a;
			continue;
		}
		char name[64];
		const char *val = NULL;
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
		if (nlen >= sizeof(name))
			nlen = sizeof(name) - 1;
		memcpy(name, a, nlen);
		name[nlen] = '\0';
		if (!strcmp(name, "-h"))
			strcpy(name, "--help");
		if (strcmp(name, "--help") && !ax_cli_takes(cmd, name)) {
			const char *s = ax_cli_suggest_option(cmd, name);
			char allowed[512];
			ax_cli_opt_list(cmd, allowed, sizeof(allowed));
			fprintf(stderr, "axsim %s: unknown option '%s'%s%s%s; expected one of: %s\n", cmd, name,
				s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "", allowed);
			return 2;
		}
		if (strcmp(name, "--help") && ax_cli_opt_has_value(name)) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				fprintf(stderr, "axsim %s: option '%s' needs a value\n", cmd, name);
				return 2;
			}
		} else if (eq) {
			fprintf(stderr, "axsim %s: option '%s' takes no value\n", cmd, name);
			return 2;
		}
		if (!strcmp(name, "--arch")) o->arch = val;
		else if (!strcmp(name, "--config")) o->config = val;
		else if (!strcmp(name, "--model")) o->model = val;
		else if (!strcmp(name, "--board")) o->board = val;
		else if (!strcmp(name, "--json")) o->json = val;
		else if (!strcmp(name, "--csv")) o->csv = val;
		else if (!strcmp(name, "--trace")) o->trace = val;
		else if (!strcmp(name, "--vcd")) o->vcd = val;
		else if (!strcmp(name, "--trace-limit")) o->trace_limit = val;
		else if (!strcmp(name, "-o")) o->out = val;
		else if (!strcmp(name, "--inferences")) o->inferences = val;
		else if (!strcmp(name, "--quiet")) o->quiet = 1;
		else if (!strcmp(name, "--reference")) o->reference = 1;
		else if (!strcmp(name, "--help")) o->help = 1;
		else if (!strcmp(name, "--force")) o->force = 1;
		else if (!strcmp(name, "--no-host")) o->no_host = 1;
		else if (!strcmp(name, "--tolerance") || !strcmp(name, "--metric")) {
			int tol = !strcmp(name, "--tolerance");
			int *n = tol ? &o->n_tolerances : &o->n_metrics;
			if (*n >= AX_MAX_SETS) {
				fprintf(stderr, "axsim %s: more than %d %s options\n", cmd, AX_MAX_SETS, name);
				return 2;
			}
			(tol ? o->tolerances : o->metrics)[(*n)++] = val;
		}
		else if (!strcmp(name, "--net") || !strcmp(name, "--rois")) {
			int net = !strcmp(name, "--net");
			int *n = net ? &o->n_nets : &o->n_rois;
			if (*n >= AX_MAX_SETS) {
				fprintf(stderr, "axsim %s: more than %d %s options\n", cmd, AX_MAX_SETS, name);
				return 2;
			}
			(net ? o->nets : o->rois)[(*n)++] = val;
		}
		else if (!strcmp(name, "--set") || !strcmp(name, "--input-shape")) {
			int set = !strcmp(name, "--set");
			int *n = set ? &o->n_sets : &o->n_input_shapes;
			if (*n >= AX_MAX_SETS) {
				fprintf(stderr, "axsim %s: more than %d %s options\n", cmd, AX_MAX_SETS, name);
				return 2;
			}
			(set ? o->sets : o->input_shapes)[(*n)++] = val;
		}
	}
	return 0;
}

/* The run specification of parsed options (NET is positional[0]) with the
 * overrides of a sweep point (x, may be NULL). */
static void opts_spec(const struct ax_opts *o, const struct ax_run_extra *x, struct ax_run_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->net_path = o->n_positional ? o->positional[0] : NULL;
	spec->arch_path = o->arch;
	spec->config_path = o->config;
	spec->model = o->model;
	spec->board = o->board;
	spec->sets = o->sets;
	spec->n_sets = o->n_sets;
	spec->nets = o->nets;
	spec->n_nets = o->n_nets;
	spec->rois = o->rois;
	spec->n_rois = o->n_rois;
	if (x) {
		spec->overrides = x->overrides;
		spec->n_overrides = x->n_overrides;
		spec->origin = x->origin;
	}
	spec->record_tasks = o->trace != NULL;
	spec->vcd_path = o->vcd;
}

int ax_cli_load_arch(const struct ax_opts *o, struct ax_arch_desc *d)
{
	struct ax_run_spec spec;
	struct ax_err err;
	opts_spec(o, NULL, &spec);
	ax_err_init(&err);
	int rc = ax_run_load_arch(&spec, d, &err);
	ax_cli_print_errors(&err, "axsim: ");
	ax_err_release(&err);
	return rc;
}

int ax_cli_load_net(const char *path, struct ax_net *net)
{
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_run_load_net(path, net, &err);
	ax_cli_print_errors(&err, "axsim: ");
	ax_err_release(&err);
	return rc;
}

/* Prints the command's usage (options.c) when --help was given; 1 then. */
static int help_or_usage(const struct ax_opts *o, const char *cmd)
{
	if (o->help) {
		ax_cli_usage(cmd, stdout);
		return 1;
	}
	return 0;
}

/* ---- run ---- */

int ax_cmd_run(int argc, char **argv)
{
	struct ax_opts o;
	struct ax_sweep_job job;
	if (ax_sweep_job_opts(&argc, argv, &job))
		return 2;
	if (ax_opts_parse("run", argc, argv, &o))
		return 2;
	if (help_or_usage(&o, "run"))
		return 0;
	if (o.reference) {
		if (argc > 2) {
			fprintf(stderr, "axsim run: --reference takes no other argument\n");
			return 2;
		}
		ax_report_reference(stdout);
		return 0;
	}
	if (o.n_nets ? o.n_positional != 0 : o.n_positional != 1) {
		fprintf(stderr, o.n_nets ? "axsim run: a network both as NET and with --net; expected --net MODEL=NET for every model\n"
					 : "axsim run: expected one network (ELF or description); see axsim run --help\n");
		return 2;
	}
	if (o.n_rois && !o.n_nets) {
		fprintf(stderr, "axsim run: --rois needs a pipeline: --net MODEL=NET for each model\n");
		return 2;
	}
	const struct ax_out_spec outs[] = {
		{ "--json", o.json }, { "--csv", o.csv }, { "--trace", o.trace }, { "--vcd", o.vcd },
	};
	const char *ins[AX_MAX_SETS + 3] = { o.config, o.arch };
	size_t n_ins = 2;
	if (o.n_positional)
		ins[n_ins++] = o.positional[0];
	for (int i = 0; i < o.n_nets; i++) {
		const char *eq = strchr(o.nets[i], '=');
		if (eq)
			ins[n_ins++] = eq + 1;
	}
	if (ax_cli_check_outputs("run", outs, 4, ins, n_ins))
		return 2;
	if (job.n_cc || job.n_axes)
		return ax_sweep_job_run(&o, &job);
	return ax_cli_run_pipeline(&o, NULL);
}

/* A usage problem of the pipeline: printed as axsim run words it, or
 * collected for a sweep point. */
static void run_usage_error(const struct ax_run_extra *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void run_usage_error(const struct ax_run_extra *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (x && x->msgs) {
		ax_err_addv(x->msgs, fmt, ap);
	} else {
		fputs("axsim run: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

int ax_cli_run_pipeline(const struct ax_opts *o, const struct ax_run_extra *x)
{
	int collect = x && x->msgs;
	struct ax_run_spec spec;
	opts_spec(o, x, &spec);
	if (!o->config && (o->model || o->board)) {
		run_usage_error(x, "--model and --board need --config MODEL.yaml");
		return 2;
	}
	{
		struct ax_err e;
		ax_err_init(&e);
		int bad = ax_run_parse_inferences(o->inferences, &spec.inferences, &e);
		if (bad && collect)
			ax_err_append(x->msgs, &e);
		else if (bad)
			ax_cli_print_errors(&e, "axsim run: ");
		ax_err_release(&e);
		if (bad)
			return 2;
	}
	spec.trace_limit_bytes = AX_TRACE_LIMIT_DEFAULT;
	if (o->trace_limit) {
		const char *why = NULL;
		if (ax_unit_parse(o->trace_limit, AX_U_BYTES, &spec.trace_limit_bytes, &why) ||
		    spec.trace_limit_bytes < (1ull << 20) || spec.trace_limit_bytes > (1ull << 40)) {
			run_usage_error(x, "--trace-limit '%s' is not valid; expected a size from 1MiB to 1TiB, such "
					"as 64MiB or 2GiB", o->trace_limit);
			return 2;
		}
	}

	struct ax_run_result r;
	struct ax_err err, warn;
	ax_err_init(&err);
	ax_err_init(&warn);
	ax_run_result_init(&r);
	int rc = ax_run(&spec, &r, &err, &warn);
	if (!collect)
		ax_cli_print_errors(&warn, "axsim: warning: ");
	int status = rc == AX_ESIM ? 1 : rc ? 2 : 0;
	if (!rc) {
		if (!o->quiet)
			ax_report_text(&r.in, stdout);
		if (x && x->report)
			*x->report = ax_report_json(&r.in);
		else if (o->json && ax_report_write_json(&r.in, o->json, &err))
			status = 1;
		if (o->csv && ax_report_write_csv(&r.in, o->csv, &err))
			status = 1;
		struct ax_trace_cut cut = { 0 };
		if (o->trace && ax_trace_write(&r.in, o->trace, spec.trace_limit_bytes, &cut, &err))
			status = 1;
		/* docs/traces.md "Size" */
		char lim[64];
		ax_unit_format(spec.trace_limit_bytes, AX_U_BYTES, lim, sizeof(lim));
		if (cut.cut && !collect)
			fprintf(stderr, "axsim: warning: --trace %s: the timeline up to %.3f us only (%zu of %zu tasks): "
				"the whole would be larger than --trace-limit %s\n", o->trace, (double)cut.until_ps / 1e6,
				cut.tasks_shown, cut.tasks_total, lim);
		if (r.vcd_cut_ps && !collect)
			fprintf(stderr, "axsim: warning: --vcd %s: stopped at %.3f us of %.3f us, at --trace-limit %s\n",
				o->vcd, (double)r.vcd_cut_ps / 1e6, (double)r.res.run_end_ps / 1e6, lim);
	}
	if (collect)
		ax_err_append(x->msgs, &err);
	else
		ax_cli_print_errors(&err, "axsim: ");
	ax_run_result_release(&r);
	ax_err_release(&err);
	ax_err_release(&warn);
	return status;
}

/* ---- compile ---- */

int ax_cmd_compile(int argc, char **argv)
{
	struct ax_opts o;
	if (ax_opts_parse("compile", argc, argv, &o))
		return 2;
	if (help_or_usage(&o, "compile"))
		return 0;
	if (o.n_positional != 1 || !o.out) {
		fprintf(stderr, "axsim compile: expected NET.yaml -o NET.elf; see axsim compile --help\n");
		return 2;
	}
	const struct ax_out_spec outs[] = { { "-o", o.out } };
	if (ax_cli_check_outputs("compile", outs, 1, o.positional, 1))
		return 2;
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	ax_net_init(&net);
	int rc = ax_net_load_yaml(&net, o.positional[0], &err);
	if (!rc)
		rc = ax_elf_write(&net, o.out, &err);
	ax_cli_print_errors(&err, "axsim: ");
	ax_err_release(&err);
	ax_net_release(&net);
	return rc ? 2 : 0;
}

/* ---- inspect ---- */

static void shape_str(struct ax_shape s, char *buf, size_t n)
{
	snprintf(buf, n, "%ux%ux%u", s.h, s.w, s.c);
}

int ax_cmd_inspect(int argc, char **argv)
{
	struct ax_opts o;
	if (ax_opts_parse("inspect", argc, argv, &o))
		return 2;
	if (help_or_usage(&o, "inspect"))
		return 0;
	if (o.n_positional != 1) {
		fprintf(stderr, "axsim inspect: expected one network; see axsim inspect --help\n");
		return 2;
	}
	struct ax_net net;
	if (ax_cli_load_net(o.positional[0], &net)) {
		ax_net_release(&net);
		return 2;
	}
	printf("network %s: %zu layers\n\n", net.name ? net.name : "?", net.n_layers);
	printf("%4s  %-28s %-14s %-16s %-14s %8s %12s %14s  %s\n", "#", "layer", "op", "input", "output",
	       "kernel", "params", "MACs", "parameters");
	for (size_t i = 0; i < net.n_layers; i++) {
		const struct ax_layer *l = &net.layers[i];
		char in[32] = "-", out[32], k[32] = "", extra[128] = "";
		if (l->n_in)
			shape_str(net.layers[l->in[0]].out, in, sizeof(in));
		shape_str(l->out, out, sizeof(out));
		if (l->op == AX_OP_CONV || l->op == AX_OP_MAXPOOL || l->op == AX_OP_AVGPOOL)
			snprintf(k, sizeof(k), "%ux%u/%u", l->kh, l->kw, l->sh);
		if (l->op == AX_OP_CONV && l->groups > 1)
			snprintf(extra, sizeof(extra), "groups %u", l->groups);
		else if (l->op == AX_OP_MATMUL)
			snprintf(extra, sizeof(extra), "heads %u%s", l->groups,
				 l->trans_b ? ", B transposed" : "");
		else if ((l->op == AX_OP_CONCAT || l->op == AX_OP_SLICE) && l->axis != AX_AXIS_CHANNELS)
			snprintf(extra, sizeof(extra), "along %s", ax_axis_name((enum ax_axis)l->axis));
		else if (l->op == AX_OP_EMBED)
			snprintf(extra, sizeof(extra), "rows %u", l->rows);
		if (l->act != AX_ACT_NONE)
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "%s%s",
				 extra[0] ? ", " : "", ax_act_name(l->act));
		if (l->is_output)
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "%soutput",
				 extra[0] ? ", " : "");
		printf("%4zu  %-28.28s %-14s %-16s %-14s %8s %12llu %14llu  %s\n", i, l->name, ax_op_name(l->op),
		       in, out, k, (unsigned long long)ax_layer_params(&net, l),
		       (unsigned long long)ax_layer_macs(&net, l), extra);
	}
	printf("\ntotal: %llu parameters (%.2f M), %llu MACs (%.3f G), weight section %llu bytes\n",
	       (unsigned long long)ax_net_params(&net), (double)ax_net_params(&net) / 1e6,
	       (unsigned long long)ax_net_macs(&net), (double)ax_net_macs(&net) / 1e9,
	       (unsigned long long)ax_net_layout_weights(&net));
	ax_net_release(&net);
	return 0;
}

/* ---- config ---- */

int ax_cmd_config(int argc, char **argv)
{
	struct ax_opts o;
	if (ax_opts_parse("config", argc, argv, &o))
		return 2;
	if (help_or_usage(&o, "config"))
		return 0;
	if (o.n_positional != 1) {
		fprintf(stderr, "axsim config: expected one model YAML; see axsim config --help\n");
		return 2;
	}
	struct ax_ccfg c;
	struct ax_err err, warn;
	ax_err_init(&err);
	ax_err_init(&warn);
	int rc = ax_ccfg_load(&c, o.positional[0], o.model, o.board, &err, &warn);
	ax_cli_print_errors(&warn, "axsim: warning: ");
	ax_cli_print_errors(&err, "axsim: ");
	if (!rc) {
		printf("# effective compilation configuration of %s%s%s%s%s\n", o.positional[0],
		       c.model ? ", model " : "", c.model ? c.model : "", c.board ? ", board " : "",
		       c.board ? c.board : "");
		int width = 0;
		for (int id = 0; id < AX_CC_COUNT; id++) {
			int n = (int)strlen(ax_ccfg_keyinfo((enum ax_ccfg_id)id)->name);
			width = n > width ? n : width;
		}
		for (int id = 0; id < AX_CC_COUNT; id++) {
			char v[256], where[600];
			struct ax_key k = { ax_ccfg_keyinfo((enum ax_ccfg_id)id)->name, NULL, id };
			ax_key_format(&k, NULL, &c, v, sizeof(v));
			const struct ax_ccfg_origin *og = &c.origin[id];
			if (og->file)
				snprintf(where, sizeof(where), "%s:%d", og->file, og->line);
			else
				snprintf(where, sizeof(where), "default");
			printf("%-*s %-30s # %s%s\n", width, ax_ccfg_keyinfo((enum ax_ccfg_id)id)->name, v, where,
			       ax_ccfg_key_modelled((enum ax_ccfg_id)id) ? "" : " (not modelled)");
		}
		if (c.shape_text)
			printf("# %s: checked against the network's input by axsim run\n", c.shape_text);
		if (c.n_class_keys) {
			printf("# model-class keys, not for the chip:");
			for (size_t i = 0; i < c.n_class_keys; i++) {
				const struct ax_ccfg_class_key *k = &c.class_keys[i];
				printf("%s %s (line %d%s%s%s)", i ? "," : "", k->name, k->line,
				       k->suggest ? "; did you mean '" : "", k->suggest ? k->suggest : "",
				       k->suggest ? "'?" : "");
			}
			printf("\n");
		}
	}
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_err_release(&warn);
	return rc ? 2 : 0;
}

/* ---- arch ---- */

/* Markdown reference of every key (docs/config-reference.md is this output). */
static void print_reference(const struct ax_arch_desc *def)
{
	size_t n;
	const struct ax_arch_key *keys = ax_arch_keys(&n);
	printf("# Configuration reference\n\n"
	       "Generated by `axsim arch --reference` from the key tables in sim/config/arch.c and\n"
	       "sim/config/ccfg.c; do not edit by hand (a test fails when this file is stale).\n\n"
	       "## Hardware description\n\n"
	       "The built-in default is configs/metis.yaml. A description passed with `--arch FILE`\n"
	       "overrides it key by key: it may give any of the keys, and the others keep their\n"
	       "built-in values; `--set key=value` changes one. Each value may be written as\n"
	       "`key: VALUE` or `key: {value: VALUE, reason: \"...\"}`.\n\n"
	       "| key | unit | default | bounds | meaning | why the default |\n"
	       "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		char v[64], lo[64], hi[64];
		struct ax_key k = { keys[i].path, &keys[i], -1 };
		ax_key_format(&k, &def->arch, NULL, v, sizeof(v));
		ax_unit_format(keys[i].min, keys[i].unit, lo, sizeof(lo));
		ax_unit_format(keys[i].max, keys[i].unit, hi, sizeof(hi));
		printf("| `%s` | %s | %s | %s to %s | %s | %s |\n", keys[i].path,
		       ax_unit_name(keys[i].unit)[0] ? ax_unit_name(keys[i].unit) : "count", v, lo, hi,
		       keys[i].desc, def->origin[i].reason ? def->origin[i].reason : "");
	}
	printf("\n## Compilation configuration (model YAML)\n\n"
	       "Read from `models: <name>: extra_kwargs:` of a model YAML as the vendor SDK writes it,\n"
	       "in the nested dialect (`compilation_config: {quantization_config: {...}, backend_config: {...}}`)\n"
	       "or the flat one (`compilation_config: {quantization_scheme: ..., enable_icr: ...}`);\n"
	       "`pcie:` and `m2:` sections of extra_kwargs override the rest with `--board`.\n"
	       "An extra_kwargs, compilation_config or board section may be empty or null.\n"
	       "Keys of extra_kwargs that are not in this table belong to the model's class\n"
	       "(`YOLO`, `torchvision_args`, `timm_model_args`, ...): they are ignored, and\n"
	       "`axsim config` lists them as model-class keys. The model's `input_tensor_shape`\n"
	       "(`[1, C, H, W]` with `input_tensor_layout` NCHW, the default, or `[1, H, W, C]`\n"
	       "with NHWC) must match the network's input; `axsim run` checks it (channels\n"
	       "padded to `imc.pword` by the compiler do not count).\n\n"
	       "| key | nested dialect | flat dialect | type | values | default | meaning |\n"
	       "|---|---|---|---|---|---|---|\n");
	for (int id = 0; id < AX_CC_COUNT; id++) {
		const struct ax_ccfg_keyinfo *k = ax_ccfg_keyinfo((enum ax_ccfg_id)id);
		printf("| `%s` | %s%s%s | %s%s%s | %s | %s | %s | %s |\n", k->name,
		       k->nested ? "`" : "", k->nested ? k->nested : "-", k->nested ? "`" : "",
		       k->flat ? "`" : "", k->flat ? k->flat : "-", k->flat ? "`" : "",
		       k->type, k->range, k->def, k->desc);
	}
	printf("\nThe keys whose meaning starts \"not modelled\" are read and checked like the others\n"
	       "and change nothing in the simulation; one warning names those a file sets.\n"
	       "The vendor compiler's other keys below are accepted, unchecked, in the same warning:\n");
	const char *const *ig = ax_ccfg_ignored_keys();
	for (size_t i = 0; ig[i]; i++)
		printf("%s`%s`", i ? ", " : "", ig[i]);
	printf(".\n\nAny other key of compilation_config (or of a compiler_config_file) is an error,\n"
	       "with a suggestion when a known key is close.\n");
}

int ax_cmd_arch(int argc, char **argv)
{
	struct ax_opts o;
	if (ax_opts_parse("arch", argc, argv, &o))
		return 2;
	if (help_or_usage(&o, "arch"))
		return 0;
	struct ax_arch_desc d;
	if (ax_cli_load_arch(&o, &d)) {
		ax_arch_desc_release(&d);
		return 2;
	}
	if (o.reference) {
		print_reference(&d);
		ax_arch_desc_release(&d);
		return 0;
	}
	size_t n;
	const struct ax_arch_key *keys = ax_arch_keys(&n);
	printf("# effective hardware description (%s)\n", d.name);
	for (size_t i = 0; i < n; i++) {
		char v[64], where[600];
		struct ax_key k = { keys[i].path, &keys[i], -1 };
		ax_key_format(&k, &d.arch, NULL, v, sizeof(v));
		const struct ax_arch_origin *og = &d.origin[i];
		if (og->file)
			snprintf(where, sizeof(where), "%s:%d", og->file, og->line);
		else
			snprintf(where, sizeof(where), "--set");
		printf("%-28s %-14s # %s; %s\n", keys[i].path, v, where, og->reason ? og->reason : keys[i].desc);
	}
	printf("# derived: DDR peak %.1f GB/s, IMC peak %llu MAC/cycle/core\n",
	       (double)ax_arch_ddr_peak_bps(&d.arch) / 1e9,
	       (unsigned long long)ax_arch_peak_macs_per_cycle(&d.arch));
	ax_arch_desc_release(&d);
	return 0;
}
