/*
 * sweep.c - axsim sweep (docs/sweeps.md): its options and axes, and the
 * points run in child processes or written as job lines.
 *
 * A sweep simulates every combination of a few settings (its axes: tiling
 * depth, paging, replication, ELF placement, cores, any hardware parameter or
 * compilation key).  SystemC cannot be restarted in one process, so each point
 * runs in a child process of its own, which writes the point's file: the run
 * JSON (docs/report-format.md) with a "sweep" object that names the axes, the
 * point's values, the configured values and the status.  A job line from
 * --emit-jobs (`axsim run ... --axis KEY=VALUE ... --json FILE`) writes the
 * same file through the same function.  The outputs of a sweep (table, CSV,
 * JSON) are built from the point files alone, in the same way axsim merge
 * builds them, so an in-process sweep and a merge of its jobs run elsewhere
 * give byte-identical outputs.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "sweepcli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"
#include "common/output.h"
#include "common/strbuf.h"
#include "config/keys.h"
#include "report/report.h"

#define SWEEP_MAX_AXES 32
#define SWEEP_MAX_VALUES 10000     /* per axis */
#define SWEEP_MAX_POINTS 100000
#define SWEEP_MAX_JOBS 1024

/* ---- small helpers ---- */

/* Appends s quoted for a POSIX shell (as is when it needs no quoting). */
static void sb_add_shell(struct ax_sbuf *b, const char *s)
{
	int plain = s[0] != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=,:+-@%", *p) != NULL;
	if (plain) {
		ax_sbuf_addf(b, "%s", s);
		return;
	}
	ax_sbuf_addf(b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			ax_sbuf_addf(b, "'\\''");
		else
			ax_sbuf_addf(b, "%c", *p);
	}
	ax_sbuf_addf(b, "'");
}

/* Creates dir and its missing parents. */
static int make_dirs(const char *dir, struct ax_err *err)
{
	char *p = ax_xstrdup(dir);
	int rc = AX_OK;
	for (char *s = p + 1;; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			rc = ax_err_add(err, "%s: cannot create the directory: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	struct stat st;
	if (!rc && (stat(dir, &st) || !S_ISDIR(st.st_mode)))
		rc = ax_err_add(err, "%s: not a directory", dir);
	free(p);
	return rc;
}

/* The absolute form of an existing path (job lines run anywhere). */
static char *abs_path(const char *path)
{
	char buf[PATH_MAX];
	if (realpath(path, buf))
		return ax_xstrdup(buf);
	return ax_xstrdup(path);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- axsim sweep ---- */

struct axis {
	const char *key;          /* canonical compilation key or hardware path */
	const char *opt;          /* the option that gave it */
	const char *list;         /* as given */
	json_t *values;           /* typed, sorted, distinct */
};

struct sweep {
	struct ax_opts o;         /* NET and the options a point passes to axsim run */
	struct ax_sweep_job fixed;/* fixed --set-cc (no axes) */
	struct axis axes[SWEEP_MAX_AXES];
	int n_axes;
	const char *out, *emit, *csv, *json, *jobs, *objective;
	int resume;
	size_t n_points;
	json_t *names;            /* axis keys */
	json_t *configured;
	json_t *inputs;           /* inputs_digest of this sweep */
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

/* Expands LIST (values and ranges LOW-HIGH) into typed, sorted, distinct values. */
static int axis_parse(struct axis *ax)
{
	ax->values = json_array();
	char *copy = ax_xstrdup(ax->list);
	char *origin = ax_xasprintf("%s '%s'", ax->opt, ax->list);
	int rc = 0;
	struct ax_err err;
	ax_err_init(&err);
	char *p = copy;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p) {
			rc = ax_cli_sweep_fail("%s '%s': an empty value; expected comma-separated values or ranges like 1-8",
					ax->opt, ax->list);
			break;
		}
		unsigned long long lo, hi;
		int used = 0;
		if (sscanf(p, "%llu-%llu%n", &lo, &hi, &used) == 2 && (size_t)used == strlen(p) &&
		    strspn(p, "0123456789-") == strlen(p)) {
			if (lo > hi) {
				rc = ax_cli_sweep_fail("%s '%s': the range '%s' runs backwards; expected LOW-HIGH", ax->opt,
						ax->list, p);
				break;
			}
			if (hi - lo >= SWEEP_MAX_VALUES) {
				rc = ax_cli_sweep_fail("%s '%s': the range '%s' has more than %d values", ax->opt, ax->list,
						p, SWEEP_MAX_VALUES);
				break;
			}
		} else {
			lo = hi = 0;
			used = -1;
		}
		for (unsigned long long v = lo; v <= hi && !rc; v++) {
			char num[32];
			if (used >= 0)
				snprintf(num, sizeof(num), "%llu", v);
			json_t *t = ax_sweep_typed_value(ax->key, used >= 0 ? num : p, origin, &err);
			if (!t) {
				rc = 2;
				break;
			}
			size_t i;
			json_t *w;
			json_array_foreach(ax->values, i, w) {
				if (!ax_sweep_value_cmp(w, t)) {
					char a[128];
					ax_sweep_value_text(ax->key, t, a, sizeof(a));
					rc = ax_cli_sweep_fail("%s '%s': the value '%s' is given twice; expected each value once",
							ax->opt, ax->list, a);
					break;
				}
			}
			if (!rc && json_array_size(ax->values) >= SWEEP_MAX_VALUES)
				rc = ax_cli_sweep_fail("%s '%s': more than %d values", ax->opt, ax->list, SWEEP_MAX_VALUES);
			if (rc)
				json_decref(t);
			else
				json_array_append_new(ax->values, t);
		}
		if (rc || !comma)
			break;
		p = comma + 1;
	}
	if (err.count)
		ax_cli_print_errors(&err, "axsim sweep: ");
	ax_err_release(&err);
	free(copy);
	free(origin);
	if (rc)
		return 2;
	/* sort (insertion sort keeps it simple; axes are short) */
	size_t m = json_array_size(ax->values);
	for (size_t x = 1; x < m; x++)
		for (size_t y = x; y > 0 && ax_sweep_value_cmp(json_array_get(ax->values, y - 1), json_array_get(ax->values, y)) > 0; y--) {
			json_t *t = json_incref(json_array_get(ax->values, y));
			json_array_set(ax->values, y, json_array_get(ax->values, y - 1));
			json_array_set_new(ax->values, y - 1, t);
		}
	return 0;
}

static int axis_add(struct sweep *s, const char *opt, const char *key, const char *list)
{
	for (int i = 0; i < s->n_axes; i++)
		if (!strcmp(s->axes[i].key, key))
			return ax_cli_sweep_fail("%s: %s is already an axis (%s); expected each axis once", opt, key,
					  s->axes[i].opt);
	if (s->n_axes >= SWEEP_MAX_AXES)
		return ax_cli_sweep_fail("more than %d axes", SWEEP_MAX_AXES);
	struct axis *ax = &s->axes[s->n_axes++];
	ax->key = key;
	ax->opt = opt;
	ax->list = list;
	return axis_parse(ax);
}

static void sweep_release(struct sweep *s)
{
	for (int i = 0; i < s->n_axes; i++)
		json_decref(s->axes[i].values);
	json_decref(s->names);
	json_decref(s->configured);
	json_decref(s->inputs);
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
	for (int i = 0; i < s->n_axes; i++)
		if (!strcmp(s->axes[i].key, canon))
			return ax_cli_sweep_fail("--set '%s': %s is already an axis; expected each key once", a, canon);
	struct ax_err err;
	ax_err_init(&err);
	json_t *t = ax_sweep_typed_value(canon, val, "--set", &err);
	ax_cli_print_errors(&err, "axsim sweep: ");
	ax_err_release(&err);
	if (!t)
		return 2;
	json_decref(t);
	const char **list = k.arch ? s->o.sets : s->fixed.cc;
	int *n = k.arch ? &s->o.n_sets : &s->fixed.n_cc;
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
				s->resume = 1;
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
	if (!s->n_axes) {
		if (axis_add(s, "(default)", "tiling_depth", "1-8") ||
		    axis_add(s, "(default)", "page_memory", "true,false") ||
		    axis_add(s, "(default)", "in_core_replication", "true,false"))
			AX_BUG("the default axes do not parse");
	}
	double points = 1;
	for (int i = 0; i < s->n_axes; i++)
		points *= (double)json_array_size(s->axes[i].values);
	if (points > SWEEP_MAX_POINTS)
		return ax_cli_sweep_fail("%.0f points; expected at most %d (fewer values per axis)", points, SWEEP_MAX_POINTS);
	s->n_points = (size_t)points;
	return 0;
}

/* Axis values of point idx (last axis fastest), as an object and as --axis texts. */
static json_t *point_values(const struct sweep *s, size_t idx, char texts[][160])
{
	json_t *v = json_object();
	size_t rest = idx;
	size_t *pos = ax_xcalloc((size_t)s->n_axes + 1, sizeof(*pos));
	for (int a = s->n_axes - 1; a >= 0; a--) {
		size_t m = json_array_size(s->axes[a].values);
		pos[a] = rest % m;
		rest /= m;
	}
	for (int a = 0; a < s->n_axes; a++) {
		json_t *val = json_array_get(s->axes[a].values, pos[a]);
		json_object_set(v, s->axes[a].key, val);
		char t[128];
		ax_sweep_value_text(s->axes[a].key, val, t, sizeof(t));
		snprintf(texts[a], 160, "%s=%s", s->axes[a].key, t);
	}
	free(pos);
	return v;
}

/* A point's file is done when it parses as this point with status ok. */
static int point_done(const struct sweep *s, const char *path, const json_t *values)
{
	struct ax_err e;
	ax_err_init(&e);
	struct ax_sweep_point r;
	int done = 0;
	if (!access(path, R_OK) && !ax_sweep_point_load(path, &r, &e)) {
		json_t *sw = json_object_get(r.doc, "sweep");
		done = r.ok && json_equal(json_object_get(sw, "axes"), s->names) &&
		       json_equal(r.values, values) && json_equal(json_object_get(sw, "configured"), s->configured) &&
		       json_equal(json_object_get(sw, "inputs"), s->inputs);
		free(r.path);
		json_decref(r.doc);
	}
	ax_err_release(&e);
	return done;
}

/* The file of a point whose process died or left no readable file: status
 * crashed, the reason as its error (new reference). */
static json_t *crash_doc(const struct sweep *s, const json_t *values, const char *why)
{
	json_t *doc = json_object(), *sw = json_object();
	json_object_set_new(sw, "schema_version", json_integer(AX_SWEEP_SCHEMA_VERSION));
	json_object_set(sw, "axes", s->names);
	json_object_set_new(sw, "values", json_deep_copy(values));
	json_object_set(sw, "configured", s->configured);
	json_object_set(sw, "inputs", s->inputs);
	json_object_set_new(sw, "status", json_string("crashed"));
	json_object_set_new(sw, "error", json_string(why));
	json_object_set_new(doc, "sweep", sw);
	return doc;
}

/* After a child ended: make sure its point has a file (a crash gets one). */
static void point_reaped(const struct sweep *s, const char *path, const json_t *values, int wstatus,
			 size_t *failed)
{
	struct ax_err e;
	ax_err_init(&e);
	struct ax_sweep_point r;
	if (!ax_sweep_point_load(path, &r, &e)) {
		*failed += !r.ok;
		free(r.path);
		json_decref(r.doc);
		ax_err_release(&e);
		return;
	}
	ax_err_release(&e);
	char why[160];
	if (WIFSIGNALED(wstatus))
		snprintf(why, sizeof(why), "the point's process was killed by signal %d", WTERMSIG(wstatus));
	else
		snprintf(why, sizeof(why), "the point's process exited with status %d without writing its result",
			 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	json_t *doc = crash_doc(s, values, why);
	ax_err_init(&e);
	ax_write_json(doc, path, &e);
	ax_cli_print_errors(&e, "axsim sweep: ");
	ax_err_release(&e);
	json_decref(doc);
	(*failed)++;
}

/* The options of one point, for a child or a job line. */
static void point_job(const struct sweep *s, char texts[][160], struct ax_sweep_job *job)
{
	*job = s->fixed;
	job->n_axes = s->n_axes;
	for (int a = 0; a < s->n_axes; a++)
		job->axes[a] = texts[a];
}

static int emit_jobs(struct sweep *s, const char *out_abs)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		snprintf(self, sizeof(self), "axsim");
	else
		self[n] = '\0';
	struct ax_sbuf b = { 0 };
	size_t written = 0, done = 0;
	char(*texts)[160] = ax_xcalloc((size_t)s->n_axes + 1, sizeof(*texts));
	for (size_t p = 0; p < s->n_points; p++) {
		json_t *v = point_values(s, p, texts);
		char *name = ax_sweep_point_name(s->names, v);
		char *path = ax_xasprintf("%s/%s", out_abs, name);
		if (s->resume && point_done(s, path, v)) {
			done++;
		} else {
			sb_add_shell(&b, self);
			ax_sbuf_addf(&b, " run");
			if (s->o.n_positional) {
				ax_sbuf_addf(&b, " ");
				sb_add_shell(&b, s->o.positional[0]);
			}
			for (int i = 0; i < s->o.n_nets; i++) {
				ax_sbuf_addf(&b, " --net ");
				sb_add_shell(&b, s->o.nets[i]);
			}
			for (int i = 0; i < s->o.n_rois; i++) {
				ax_sbuf_addf(&b, " --rois ");
				sb_add_shell(&b, s->o.rois[i]);
			}
			const struct {
				const char *opt, *val;
			} pass[] = { { "--config", s->o.config }, { "--model", s->o.model }, { "--board", s->o.board },
				     { "--arch", s->o.arch }, { "--inferences", s->o.inferences } };
			for (size_t k = 0; k < sizeof(pass) / sizeof(pass[0]); k++) {
				if (!pass[k].val)
					continue;
				ax_sbuf_addf(&b, " %s ", pass[k].opt);
				sb_add_shell(&b, pass[k].val);
			}
			for (int i = 0; i < s->o.n_sets; i++) {
				ax_sbuf_addf(&b, " --set ");
				sb_add_shell(&b, s->o.sets[i]);
			}
			for (int i = 0; i < s->fixed.n_cc; i++) {
				ax_sbuf_addf(&b, " --set-cc ");
				sb_add_shell(&b, s->fixed.cc[i]);
			}
			for (int a = 0; a < s->n_axes; a++) {
				ax_sbuf_addf(&b, " --axis ");
				sb_add_shell(&b, texts[a]);
			}
			ax_sbuf_addf(&b, " --quiet --json ");
			sb_add_shell(&b, path);
			ax_sbuf_addf(&b, "\n");
			written++;
		}
		free(path);
		free(name);
		json_decref(v);
	}
	free(texts);
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_write_atomic(s->emit, b.s ? b.s : "", b.len, &err);
	free(b.s);
	ax_cli_print_errors(&err, "axsim sweep: ");
	ax_err_release(&err);
	if (rc)
		return 1;
	fprintf(stderr, "axsim sweep: wrote %zu jobs to %s", written, s->emit);
	if (done)
		fprintf(stderr, " (%zu points already done)", done);
	fprintf(stderr, "; each writes its point to %s/; then: axsim merge %s\n", out_abs, out_abs);
	return 0;
}

struct running {
	pid_t pid;
	size_t idx;
};

static void progress(size_t done, size_t total, int running, size_t failed)
{
	fprintf(stderr, "\raxsim sweep: %zu/%zu points, %d running, %zu failed ", done, total, running, failed);
}

/* Runs every point not yet done, jobs at once; returns points run and resumed. */
static void run_points(struct sweep *s, const char *out_abs, int jobs, size_t *ran, size_t *resumed)
{
	int tty = isatty(STDERR_FILENO);
	struct running *slots = ax_xcalloc((size_t)jobs, sizeof(*slots));
	char(*texts)[160] = ax_xcalloc((size_t)s->n_axes + 1, sizeof(*texts));
	int running = 0;
	size_t next = 0, finished = 0, failed = 0;
	while (next < s->n_points || running) {
		while (running < jobs && next < s->n_points) {
			size_t idx = next++;
			json_t *v = point_values(s, idx, texts);
			char *name = ax_sweep_point_name(s->names, v);
			char *path = ax_xasprintf("%s/%s", out_abs, name);
			free(name);
			int done = s->resume && point_done(s, path, v);
			json_decref(v);
			if (done) {
				(*resumed)++;
				finished++;
				free(path);
				continue;
			}
			unlink(path);
			fflush(stdout);
			fflush(stderr);
			pid_t pid = fork();
			if (pid < 0) {
				fprintf(stderr, "axsim sweep: cannot start a process: %s\n", strerror(errno));
				free(path);
				next--;
				if (!running)
					exit(1);
				break;
			}
			if (pid == 0) {
				/* the child: one point, one SystemC kernel */
				int devnull = open("/dev/null", O_WRONLY);
				if (devnull >= 0) {
					dup2(devnull, STDOUT_FILENO);
					close(devnull);
				}
				struct ax_opts po = s->o;
				po.json = path;
				struct ax_sweep_job job;
				point_job(s, texts, &job);
				int st = ax_cli_sweep_point_run(&po, &job, 0);
				fflush(NULL);
				_exit(st);
			}
			free(path);
			for (int k = 0; k < jobs; k++)
				if (!slots[k].pid) {
					slots[k].pid = pid;
					slots[k].idx = idx;
					break;
				}
			running++;
			(*ran)++;
		}
		if (tty)
			progress(finished, s->n_points, running, failed);
		if (!running)
			continue;
		int wst;
		pid_t pid = waitpid(-1, &wst, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			AX_BUG("waitpid: %s", strerror(errno));
		}
		for (int k = 0; k < jobs; k++) {
			if (slots[k].pid != pid)
				continue;
			json_t *v = point_values(s, slots[k].idx, texts);
			char *name = ax_sweep_point_name(s->names, v);
			char *path = ax_xasprintf("%s/%s", out_abs, name);
			point_reaped(s, path, v, wst, &failed);
			free(path);
			free(name);
			json_decref(v);
			slots[k].pid = 0;
			running--;
			finished++;
		}
		if (tty)
			progress(finished, s->n_points, running, failed);
	}
	if (tty)
		fprintf(stderr, "\r%*s\r", 72, "");
	free(texts);
	free(slots);
}

/* The file in a points directory that ties it to one sweep (docs/sweeps.md
 * "Running"); merge skips it, as every name starting with a dot. */
#define SWEEP_STAMP ".axsim-sweep.json"

/* What makes points of two sweeps combinable: the axes, the configured
 * values and the inputs digest (new reference). */
static json_t *sweep_identity(const struct sweep *s)
{
	json_t *id = json_object();
	json_object_set_new(id, "schema_version", json_integer(AX_SWEEP_SCHEMA_VERSION));
	json_object_set(id, "axes", s->names);
	json_object_set(id, "configured", s->configured);
	json_object_set(id, "inputs", s->inputs);
	return id;
}

/* A sweep object (of a point file or the stamp) is of sweep id. */
static int same_identity(const json_t *id, const json_t *sw)
{
	static const char *const k[] = { "axes", "configured", "inputs" };
	for (size_t i = 0; i < 3; i++)
		if (!json_equal(json_object_get(id, k[i]), json_object_get(sw, k[i])))
			return 0;
	return 1;
}

/*
 * Claims dir for this sweep: a directory with the stamp of another sweep, or
 * without a stamp but with point files of another sweep, is taken (returns
 * 1, *why says by what); otherwise the stamp is written and 0 returned.
 * Returns 2 with a message when the directory cannot be read or written.
 */
static int out_claim(const struct sweep *s, const char *dir, char **why, struct ax_err *err)
{
	*why = NULL;
	json_t *id = sweep_identity(s);
	char *stamp = ax_xasprintf("%s/%s", dir, SWEEP_STAMP);
	int rc = 0;
	json_error_t je;
	json_t *old = json_load_file(stamp, 0, &je);
	if (old) {
		if (!same_identity(id, old))
			*why = ax_xasprintf("%s: the points directory of another sweep (other network, --config, "
					    "--arch, fixed --set, --inferences or axes)", stamp);
		json_decref(old);
		goto out;
	}
	if (!access(stamp, F_OK)) {
		*why = ax_xasprintf("%s: not a sweep's stamp: %s", stamp, je.text);
		goto out;
	}
	DIR *d = opendir(dir);
	if (!d) {
		ax_err_add(err, "%s: cannot read the directory: %s", dir, strerror(errno));
		rc = 2;
		goto out;
	}
	struct dirent *de;
	while (!*why && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l <= 5 || strcmp(de->d_name + l - 5, ".json") || de->d_name[0] == '.')
			continue;
		char *f = ax_xasprintf("%s/%s", dir, de->d_name);
		json_t *j = json_load_file(f, 0, NULL);
		json_t *sw = json_object_get(j, "sweep");
		if (sw && !same_identity(id, sw))
			*why = ax_xasprintf("%s: a point of another sweep (other network, --config, --arch, "
					    "fixed --set, --inferences or axes)", f);
		json_decref(j);
		free(f);
	}
	closedir(d);
	if (!*why && ax_write_json(id, stamp, err))
		rc = 2;
out:
	free(stamp);
	json_decref(id);
	return *why ? 1 : rc;
}

/* sweep-NAME from the network's name (or file name), safe as a path. */
static char *default_out(const char *net_name, const char *path)
{
	const char *base = net_name && net_name[0] ? net_name : (strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	char *name = ax_xasprintf("sweep-%s", base);
	if (!net_name || !net_name[0]) {
		char *dot = strchr(name + 6, '.');
		if (dot && dot != name + 6)
			*dot = '\0';
	}
	for (char *p = name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
			*p = '_';
	return name;
}

int ax_cmd_sweep(int argc, char **argv)
{
	struct sweep s;
	int rc = sweep_parse(argc, argv, &s);
	if (rc || s.o.help) {
		if (!rc)
			ax_cli_usage("sweep", stdout);
		sweep_release(&s);
		return rc;
	}
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
			sweep_release(&s);
			return 2;
		}
	}
	int jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (jobs < 1)
		jobs = 1;
	if (s.jobs) {
		char *end;
		long v = strtol(s.jobs, &end, 10);
		if (!s.jobs[0] || *end || v < 1 || v > SWEEP_MAX_JOBS) {
			sweep_release(&s);
			return ax_cli_sweep_fail("--jobs '%s' is not valid; expected an integer from 1 to %d", s.jobs, SWEEP_MAX_JOBS);
		}
		jobs = (int)v;
	}
	if (s.o.inferences) {
		char *end;
		long v = strtol(s.o.inferences, &end, 10);
		if (!s.o.inferences[0] || *end || v < 1 || v > 64) {
			sweep_release(&s);
			return ax_cli_sweep_fail("--inferences '%s' is not valid; expected an integer from 1 to 64", s.o.inferences);
		}
	}
	/* everything a point reads is checked once here, so that bad input is
	 * one message and exit status 2, not one failed point per combination */
	struct ax_arch_desc arch;
	struct ax_net net;
	struct ax_ccfg cfg;
	char *net_abs = NULL, *cfg_abs = NULL, *arch_abs = NULL, *out = NULL, *out_abs = NULL;
	char *nets_abs[AX_MAX_SETS] = { 0 };
	ax_ccfg_init(&cfg);
	ax_net_init(&net);
	rc = 2;
	if (ax_cli_load_arch(&s.o, &arch))
		goto out;
	/* a pipeline's models are checked by each point (ax_run), as axsim run
	 * checks them; one network's configuration is checked here, once */
	if (s.o.config && !s.o.n_nets) {
		struct ax_err e, w;
		ax_err_init(&e);
		ax_err_init(&w);
		ax_ccfg_release(&cfg);
		int r = ax_ccfg_load(&cfg, s.o.config, s.o.model, s.o.board, &e, &w);
		ax_cli_print_errors(&w, "axsim: warning: ");
		ax_cli_print_errors(&e, "axsim: ");
		ax_err_release(&e);
		ax_err_release(&w);
		if (r)
			goto out;
	}
	{
		/* the fixed compilation --sets, and the rules between keys when no
		 * axis takes part in them: a contradiction every point would hit */
		struct ax_err e;
		ax_err_init(&e);
		for (int i = 0; i < s.fixed.n_cc; i++) {
			const char *val;
			char *key = ax_cli_sweep_split(s.fixed.cc[i], &val);
			if (key)
				ax_ccfg_set(&cfg, key, val, "--set", &e);
			free(key);
		}
		int ruled = 0;
		for (int a = 0; a < s.n_axes; a++)
			ruled |= ax_ccfg_rule_key(s.axes[a].key);
		if (!e.count && !ruled && !ax_ccfg_check(&cfg, &e))
			ax_ccfg_check_arch(&cfg, &arch.arch, &e);
		ax_cli_print_errors(&e, "axsim: ");
		int bad = e.count > 0;
		ax_err_release(&e);
		if (bad)
			goto out;
	}
	ax_net_release(&net);
	/* job lines and children see absolute paths, so both word messages alike */
	for (int i = 0; i < s.o.n_nets; i++) {
		const char *eq = strchr(s.o.nets[i], '=');
		if (!eq || eq == s.o.nets[i] || !eq[1]) {
			ax_cli_sweep_fail("--net '%s': expected MODEL=NET", s.o.nets[i]);
			goto out;
		}
		ax_net_release(&net);
		if (ax_cli_load_net(eq + 1, &net))
			goto out;
		char *p = abs_path(eq + 1);
		nets_abs[i] = ax_xasprintf("%.*s=%s", (int)(eq - s.o.nets[i]), s.o.nets[i], p);
		free(p);
		s.o.nets[i] = nets_abs[i];
	}
	if (!s.o.n_nets) {
		if (ax_cli_load_net(s.o.positional[0], &net))
			goto out;
		net_abs = abs_path(s.o.positional[0]);
		s.o.positional[0] = net_abs;
	}
	if (s.o.config)
		s.o.config = cfg_abs = abs_path(s.o.config);
	if (s.o.arch)
		s.o.arch = arch_abs = abs_path(s.o.arch);
	s.names = json_array();
	for (int a = 0; a < s.n_axes; a++)
		json_array_append_new(s.names, json_string(s.axes[a].key));
	s.configured = ax_cli_sweep_configured(&s.o, s.fixed.cc, s.fixed.n_cc, s.names);
	s.inputs = ax_cli_sweep_inputs_digest(&s.o, s.fixed.cc, s.fixed.n_cc);
	{
		char(*t)[160] = ax_xcalloc((size_t)s.n_axes + 1, sizeof(*t));
		json_t *v = point_values(&s, 0, t);
		free(t);
		char *name = ax_sweep_point_name(s.names, v);
		json_decref(v);
		size_t len = strlen(name);
		free(name);
		if (len > 250) {
			ax_cli_sweep_fail("the point files' names would be %zu characters long; expected fewer or shorter axes", len);
			goto out;
		}
	}
	out = s.out ? ax_xstrdup(s.out) : s.o.n_nets ? default_out(NULL, s.o.config)
					      : default_out(net.name, s.o.positional[0]);
	for (int attempt = 0;; attempt++) {
		struct ax_err e;
		ax_err_init(&e);
		char *why = NULL;
		int r = make_dirs(out, &e);
		if (!r)
			r = out_claim(&s, out, &why, &e);
		ax_cli_print_errors(&e, "axsim sweep: ");
		ax_err_release(&e);
		if (r == 1 && !s.out && !attempt) {
			/* the default directory is another sweep's: this sweep's own,
			 * named by its identity */
			json_t *id = sweep_identity(&s);
			char *text = json_dumps(id, JSON_SORT_KEYS | JSON_COMPACT);
			uint64_t h = 14695981039346656037ull;
			ax_cli_sweep_fnv1a(&h, text, strlen(text));
			free(text);
			json_decref(id);
			char *own = ax_xasprintf("%s-%08llx", out, (unsigned long long)(h >> 32));
			free(out);
			out = own;
			free(why);
			continue;
		}
		if (r == 1)
			fprintf(stderr, "axsim sweep: %s; expected an empty directory or one of this sweep's: "
				"choose another --out or remove it\n", why);
		free(why);
		if (r)
			goto out;
		break;
	}
	out_abs = abs_path(out);
	if (s.emit) {
		rc = emit_jobs(&s, out_abs);
		goto out;
	}
	double t0 = now_s();
	size_t ran = 0, resumed = 0;
	run_points(&s, out_abs, jobs, &ran, &resumed);
	double t1 = now_s();
	/* the outputs come from the point files alone, as axsim merge makes them */
	struct ax_sweep_results rs = { 0 };
	rs.objective = s.objective ? (enum ax_sweep_objective)ax_sweep_objective_find(s.objective) : AX_OBJ_LATENCY;
	char(*texts)[160] = ax_xcalloc((size_t)s.n_axes + 1, sizeof(*texts));
	struct ax_err e;
	ax_err_init(&e);
	for (size_t p = 0; p < s.n_points; p++) {
		json_t *v = point_values(&s, p, texts);
		char *name = ax_sweep_point_name(s.names, v);
		char *path = ax_xasprintf("%s/%s", out_abs, name);
		struct ax_sweep_point r;
		struct ax_err le;
		ax_err_init(&le);
		if (ax_sweep_point_load(path, &r, &le)) {
			/* a file gone or damaged since its process ended: a row
			 * with status crashed, and the file it should have been */
			char *why = ax_xasprintf("the point's file could not be read: %s", ax_err_str(&le));
			json_t *doc = crash_doc(&s, v, why);
			free(why);
			ax_write_json(doc, path, &e);
			ax_err_release(&le);
			ax_err_init(&le);
			if (ax_sweep_point_from_doc(path, doc, &r, &le))
				AX_BUG("a crashed point's document does not read back: %s", ax_err_str(&le));
		}
		ax_err_release(&le);
		ax_sweep_results_add(&rs, &r, &e);
		free(path);
		free(name);
		json_decref(v);
	}
	free(texts);
	/* a point file that could not be (re)written or does not belong: said,
	 * and the table still comes out with the points that do */
	int damaged = e.count > 0;
	ax_cli_print_errors(&e, "axsim sweep: ");
	ax_err_release(&e);
	rc = ax_cli_sweep_output(&rs, "sweep", s.csv, s.json);
	if (!rc && damaged)
		rc = 1;
	size_t n_ok = 0;
	for (size_t p = 0; p < rs.n; p++)
		n_ok += rs.r[p].ok;
	if (!rc && !n_ok)
		rc = 1;
	fprintf(stderr, "axsim sweep: %zu points (%zu run, %zu resumed, %zu failed) in %.2f s with %d job%s; points in %s/\n",
		s.n_points, ran, resumed, rs.n - n_ok, t1 - t0, jobs, jobs == 1 ? "" : "s", out);
	ax_sweep_results_release(&rs);
out:
	ax_arch_desc_release(&arch);
	ax_net_release(&net);
	ax_ccfg_release(&cfg);
	free(net_abs);
	free(cfg_abs);
	for (int i = 0; i < AX_MAX_SETS; i++)
		free(nets_abs[i]);
	free(arch_abs);
	free(out);
	free(out_abs);
	sweep_release(&s);
	return rc;
}
