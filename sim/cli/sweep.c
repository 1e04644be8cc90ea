/*
 * sweep.c - axsim sweep (docs/sweeps.md): its options and axes parsed from
 * argv, the sweep run by the library (run/sweep.h: the grid, the inputs
 * checked once, the points directory, a child process per point or a job
 * line per point), and what it prints.
 */
#define _XOPEN_SOURCE 700 /* readlink */
#include "sweepcli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/output.h"
#include "config/keys.h"

/* ---- axsim sweep ---- */

struct sweep {
	struct ax_opts o;         /* NET and the options a point shares */
	const char *cc[AX_MAX_SETS];  /* fixed compilation --set (no axes) */
	int n_cc;
	struct ax_sweep sw;       /* the library's sweep: axes, grid, points */
	const char *out, *emit, *csv, *json, *jobs, *objective;
};

/* The dedicated axes, in the order they vary (first slowest). */
static const struct {
	const char *opt, *key;
} dedicated[] = {
	{ "--tiling-depth", "tiling_depth" },
	{ "--page-memory", "page_memory" },
	{ "--replication", "in_core_replication" },
	{ "--elf-in-ddr", "elf_in_ddr" },
	{ "--cores", "aipu_cores" },
	{ "--cores-per-copy", "aipu_cores_used" },
	{ "--multicore-mode", "multicore_mode" },
};
#define N_DEDICATED (sizeof(dedicated) / sizeof(dedicated[0]))

int ax_cli_sweep_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ax_cli_sweep_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("axsim sweep: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

/* Adds an axis, printing what is wrong with it; 2 then. */
static int axis_add(struct sweep *s, const char *opt, const char *key, const char *list)
{
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_sweep_axis_add(&s->sw, opt, key, list, &err);
	ax_cli_print_errors(&err, "axsim sweep: ");
	ax_err_release(&err);
	return rc ? 2 : 0;
}

/* A --set of axsim sweep: an axis when VALUE has a comma or a range, fixed otherwise. */
static int sweep_set(struct sweep *s, const char *a, const char **dedicated_lists)
{
	const char *eq = strchr(a, '=');
	if (!eq || eq == a)
		return ax_cli_sweep_fail("--set '%s': expected KEY=VALUE or KEY=VALUE,VALUE,...", a);
	char key[128];
	snprintf(key, sizeof(key), "%.*s", (int)(eq - a), a);
	const char *val = eq + 1;
	struct ax_key k;
	if (ax_key_find(key, &k)) {
		size_t n;
		const char **names = ax_key_names(&n);
		const char *sug = ax_suggest(key, names, n);
		int rc = ax_cli_sweep_fail("--set '%s': '%s' is not a hardware parameter or compilation key%s%s%s", a, key,
				    sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		free(names);
		return rc;
	}
	for (size_t d = 0; d < N_DEDICATED; d++)
		if (!strcmp(dedicated[d].key, key) && dedicated_lists[d])
			return ax_cli_sweep_fail("--set '%s': %s is already an axis (%s); expected each axis once", a, key,
					  dedicated[d].opt);
	const char *canon = k.name;
	int is_range = strspn(val, "0123456789-") == strlen(val) && strchr(val, '-');
	if (strchr(val, ',') || is_range)
		return axis_add(s, "--set", canon, val);
	/* fixed: checked now, passed to every point */
	if (ax_sweep_axis_find(&s->sw, canon))
		return ax_cli_sweep_fail("--set '%s': %s is already an axis; expected each key once", a, canon);
	struct ax_err err;
	ax_err_init(&err);
	json_t *t = ax_sweep_typed_value(canon, val, "--set", &err);
	ax_cli_print_errors(&err, "axsim sweep: ");
	ax_err_release(&err);
	if (!t)
		return 2;
	json_decref(t);
	const char **list = k.arch ? s->o.sets : s->cc;
	int *n = k.arch ? &s->o.n_sets : &s->n_cc;
	for (int i = 0; i < *n; i++) {
		size_t kl = strlen(key);
		if (!strncmp(list[i], key, kl) && list[i][kl] == '=')
			return ax_cli_sweep_fail("--set '%s': %s is set twice; expected each key once", a, key);
	}
	if (*n >= AX_MAX_SETS)
		return ax_cli_sweep_fail("more than %d --set options", AX_MAX_SETS);
	list[(*n)++] = a;
	return 0;
}

static int sweep_parse(int argc, char **argv, struct sweep *s)
{
	memset(s, 0, sizeof(*s));
	ax_sweep_init(&s->sw);
	const char *dlist[N_DEDICATED] = { 0 };
	const char *sets[AX_MAX_SETS];
	int n_sets = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !strcmp(a, "-")) {
			if (s->o.n_positional >= 1)
				return ax_cli_sweep_fail("unexpected argument '%s'; see axsim sweep --help", a);
			s->o.positional[s->o.n_positional++] = a;
			continue;
		}
		char name[64];
		const char *eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - a) : strlen(a)), a);
		if (!strcmp(name, "-h"))
			snprintf(name, sizeof(name), "--help");
		if (strcmp(name, "--help") && !ax_cli_takes("sweep", name)) {
			const char *sug = ax_cli_suggest_option("sweep", name);
			return ax_cli_sweep_fail("unknown option '%s'%s%s%s; see axsim sweep --help", name,
					  sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
		}
		if (!strcmp(name, "--help") || !ax_cli_opt_has_value(name)) {
			if (eq)
				return ax_cli_sweep_fail("option '%s' takes no value", name);
			if (!strcmp(name, "--help"))
				s->o.help = 1;
			else
				s->sw.resume = 1;
			continue;
		}
		const char *val = eq ? eq + 1 : NULL;
		if (!val) {
			if (i + 1 >= argc)
				return ax_cli_sweep_fail("option '%s' needs a value", name);
			val = argv[++i];
		}
		const char **slot = NULL;
		if (!strcmp(name, "--config")) slot = &s->o.config;
		else if (!strcmp(name, "--model")) slot = &s->o.model;
		else if (!strcmp(name, "--board")) slot = &s->o.board;
		else if (!strcmp(name, "--arch")) slot = &s->o.arch;
		else if (!strcmp(name, "--jobs")) slot = &s->jobs;
		else if (!strcmp(name, "--out")) slot = &s->out;
		else if (!strcmp(name, "--emit-jobs")) slot = &s->emit;
		else if (!strcmp(name, "--csv")) slot = &s->csv;
		else if (!strcmp(name, "--json")) slot = &s->json;
		else if (!strcmp(name, "--inferences")) slot = &s->o.inferences;
		else if (!strcmp(name, "--objective")) slot = &s->objective;
		if (slot) {
			if (*slot)
				return ax_cli_sweep_fail("option '%s' is given twice", name);
			*slot = val;
			continue;
		}
		if (!strcmp(name, "--net") || !strcmp(name, "--rois")) {
			/* a pipeline of several models (docs/sweeps.md "Pipelines") */
			int net = !strcmp(name, "--net");
			int *n = net ? &s->o.n_nets : &s->o.n_rois;
			if (*n >= AX_MAX_SETS)
				return ax_cli_sweep_fail("more than %d %s options", AX_MAX_SETS, name);
			(net ? s->o.nets : s->o.rois)[(*n)++] = val;
			continue;
		}
		if (!strcmp(name, "--set")) {
			if (n_sets >= AX_MAX_SETS)
				return ax_cli_sweep_fail("more than %d --set options", AX_MAX_SETS);
			sets[n_sets++] = val;
			continue;
		}
		for (size_t d = 0; d < N_DEDICATED; d++) {
			if (strcmp(name, dedicated[d].opt))
				continue;
			if (dlist[d])
				return ax_cli_sweep_fail("option '%s' is given twice", name);
			dlist[d] = val;
		}
	}
	if (s->o.help)
		return 0;
	if (s->o.n_nets ? s->o.n_positional != 0 : s->o.n_positional != 1)
		return ax_cli_sweep_fail(s->o.n_nets ? "a network both as NET and with --net; expected --net MODEL=NET for every model"
					       : "expected one network (ELF or description); see axsim sweep --help");
	if (s->o.n_rois && !s->o.n_nets)
		return ax_cli_sweep_fail("--rois needs a pipeline: --net MODEL=NET for each model");
	if (s->o.n_nets && !s->o.config)
		return ax_cli_sweep_fail("--net needs --config PIPELINE.yaml");
	if ((s->o.model || s->o.board) && !s->o.config)
		return ax_cli_sweep_fail("--model and --board need --config MODEL.yaml");
	if (s->objective && ax_sweep_objective_find(s->objective) < 0)
		return ax_cli_sweep_fail("--objective '%s' is not valid; expected latency, fps or ddr", s->objective);
	for (size_t d = 0; d < N_DEDICATED; d++)
		if (dlist[d] && axis_add(s, dedicated[d].opt, dedicated[d].key, dlist[d]))
			return 2;
	for (int i = 0; i < n_sets; i++)
		if (sweep_set(s, sets[i], dlist))
			return 2;
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_sweep_grid(&s->sw, &err);
	ax_cli_print_errors(&err, "axsim sweep: ");
	ax_err_release(&err);
	return rc ? 2 : 0;
}

/* The tool's progress line, on a terminal only. */
static void progress(void *ctx, size_t done, size_t total, int running, size_t failed)
{
	(void)ctx;
	fprintf(stderr, "\raxsim sweep: %zu/%zu points, %d running, %zu failed ", done, total, running, failed);
}

/* Prints the messages of a library call after prefix and empties e for the
 * next call: those of the inputs as axsim run words them ("axsim: "), the
 * sweep's own after "axsim sweep: ". */
static void print_errors(struct ax_err *e, const char *prefix)
{
	ax_cli_print_errors(e, prefix);
	ax_err_release(e);
	ax_err_init(e);
}

int ax_cmd_sweep(int argc, char **argv)
{
	struct sweep s;
	int rc = sweep_parse(argc, argv, &s);
	if (rc || s.o.help) {
		if (!rc)
			ax_cli_usage("sweep", stdout);
		ax_sweep_release(&s.sw);
		return rc;
	}
	struct ax_sweep *sw = &s.sw;
	{
		const struct ax_out_spec outs[] = {
			{ "--csv", s.csv }, { "--json", s.json }, { "--emit-jobs", s.emit },
		};
		const char *ins[3 + AX_MAX_SETS] = { s.o.n_positional ? s.o.positional[0] : NULL, s.o.config, s.o.arch };
		int n_ins = 3;
		for (int i = 0; i < s.o.n_nets; i++) {
			const char *eq = strchr(s.o.nets[i], '=');
			ins[n_ins++] = eq ? eq + 1 : s.o.nets[i];
		}
		if (ax_cli_check_outputs("sweep", outs, 3, ins, n_ins)) {
			ax_sweep_release(sw);
			return 2;
		}
	}
	sw->jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (sw->jobs < 1)
		sw->jobs = 1;
	rc = 2;
	struct ax_err err, warn;
	ax_err_init(&err);
	ax_err_init(&warn);
	if (s.jobs) {
		char *end;
		long v = strtol(s.jobs, &end, 10);
		if (!s.jobs[0] || *end || v < 1 || v > AX_SWEEP_MAX_JOBS) {
			ax_cli_sweep_fail("--jobs '%s' is not valid; expected an integer from 1 to %d", s.jobs,
					  AX_SWEEP_MAX_JOBS);
			goto out;
		}
		sw->jobs = (int)v;
	}
	uint32_t inferences;
	if (ax_run_parse_inferences(s.o.inferences, &inferences, &err)) {
		print_errors(&err, "axsim sweep: ");
		goto out;
	}
	for (int i = 0; i < s.o.n_nets; i++) {
		const char *eq = strchr(s.o.nets[i], '=');
		if (!eq || eq == s.o.nets[i] || !eq[1]) {
			ax_cli_sweep_fail("--net '%s': expected MODEL=NET", s.o.nets[i]);
			goto out;
		}
	}
	sw->spec = (struct ax_sweep_spec){
		.net_path = s.o.n_positional ? s.o.positional[0] : NULL,
		.nets = s.o.nets, .n_nets = s.o.n_nets, .rois = s.o.rois, .n_rois = s.o.n_rois,
		.arch_path = s.o.arch, .config_path = s.o.config, .model = s.o.model, .board = s.o.board,
		.inferences = s.o.inferences,
		.sets = s.o.sets, .n_sets = s.o.n_sets, .cc = s.cc, .n_cc = s.n_cc,
	};
	if (s.objective)
		sw->objective = (enum ax_sweep_objective)ax_sweep_objective_find(s.objective);
	/* everything a point reads is checked once, so that bad input is one
	 * message and exit status 2, not one failed point per combination */
	int bad = ax_sweep_load(sw, &err, &warn);
	print_errors(&warn, "axsim: warning: ");
	print_errors(&err, "axsim: ");
	if (bad)
		goto out;
	if (ax_sweep_claim(sw, s.out, &err)) {
		print_errors(&err, "axsim sweep: ");
		goto out;
	}
	if (s.emit) {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			snprintf(self, sizeof(self), "axsim");
		else
			self[n] = '\0';
		size_t written, done;
		rc = ax_sweep_emit_jobs(sw, self, s.emit, &written, &done, &err) ? 1 : 0;
		print_errors(&err, "axsim sweep: ");
		if (rc)
			goto out;
		fprintf(stderr, "axsim sweep: wrote %zu jobs to %s", written, s.emit);
		if (done)
			fprintf(stderr, " (%zu points already done)", done);
		fprintf(stderr, "; each writes its point to %s/; then: axsim merge %s\n", sw->out_abs, sw->out_abs);
		goto out;
	}
	int tty = isatty(STDERR_FILENO);
	if (tty)
		sw->progress = progress;
	struct ax_sweep_results rs = { 0 };
	struct ax_sweep_stats st;
	int no_process = ax_sweep_run(sw, &rs, &st, &err);
	if (tty)
		fprintf(stderr, "\r%*s\r", 72, "");
	/* a point file that could not be (re)written or does not belong: said,
	 * and the table still comes out with the points that do */
	print_errors(&err, "axsim sweep: ");
	if (no_process) {
		ax_sweep_results_release(&rs);
		rc = 1;
		goto out;
	}
	rc = ax_cli_sweep_output(&rs, "sweep", s.csv, s.json);
	if (!rc && st.damaged)
		rc = 1;
	size_t n_ok = 0;
	for (size_t p = 0; p < rs.n; p++)
		n_ok += rs.r[p].ok;
	if (!rc && !n_ok)
		rc = 1;
	fprintf(stderr, "axsim sweep: %zu points (%zu run, %zu resumed, %zu failed) in %.2f s with %d job%s; points in %s/\n",
		sw->n_points, st.ran, st.resumed, rs.n - n_ok, st.seconds, sw->jobs, sw->jobs == 1 ? "" : "s", sw->out);
	ax_sweep_results_release(&rs);
out:
	ax_err_release(&err);
	ax_err_release(&warn);
	ax_sweep_release(sw);
	return rc;
}
