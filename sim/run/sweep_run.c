/*
 * sweep_run.c - running a sweep (docs/sweeps.md): its axes and grid, the
 * inputs checked once, the points directory, and the points run in child
 * processes or written as job lines; one point's run and file.
 *
 * SystemC cannot be restarted in one process, so each point runs in a child
 * process of its own, which writes the point's file: the run JSON
 * (docs/report-format.md) with a "sweep" object that names the axes, the
 * point's values, the configured values and the status.  A job line
 * (`axsim run ... --axis KEY=VALUE ... --json FILE`) writes the same file
 * through ax_sweep_point_write.  The results come from the point files alone,
 * as axsim merge reads them (sweep.c), so an in-process sweep and a merge of
 * its jobs run elsewhere give byte-identical outputs.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "run/sweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"
#include "common/output.h"
#include "common/strbuf.h"
#include "config/keys.h"
#include "report/report.h"
#include "report/trace.h"
#include "run/run.h"

/* The file in a points directory that ties it to one sweep (docs/sweeps.md
 * "Running"); merge skips it, as every name starting with a dot. */
#define SWEEP_STAMP ".axsim-sweep.json"

/* ---- small helpers ---- */

/* Keeps s until the sweep is released; returns it. */
static char *own(struct ax_sweep *sw, char *s)
{
	sw->owned = ax_xrealloc(sw->owned, sw->n_owned + 1, sizeof(*sw->owned));
	sw->owned[sw->n_owned++] = s;
	return s;
}

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
			ax_err_add(err, "%s: cannot create the directory: %s", p, strerror(errno));
			rc = AX_EIO;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	struct stat st;
	if (!rc && (stat(dir, &st) || !S_ISDIR(st.st_mode))) {
		ax_err_add(err, "%s: not a directory", dir);
		rc = AX_EIO;
	}
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

/* ---- axes and grid ---- */

void ax_sweep_init(struct ax_sweep *sw)
{
	memset(sw, 0, sizeof(*sw));
	sw->jobs = 1;
	sw->objective = AX_OBJ_LATENCY;
}

void ax_sweep_release(struct ax_sweep *sw)
{
	for (int i = 0; i < sw->n_axes; i++)
		json_decref(sw->axes[i].values);
	json_decref(sw->names);
	json_decref(sw->configured);
	json_decref(sw->inputs);
	free(sw->net_name);
	free(sw->out);
	free(sw->out_abs);
	for (size_t i = 0; i < sw->n_owned; i++)
		free(sw->owned[i]);
	free(sw->owned);
	memset(sw, 0, sizeof(*sw));
}

/* Expands ax->list (values and ranges LOW-HIGH) into typed, sorted, distinct values. */
static int axis_parse(struct ax_sweep_axis *ax, struct ax_err *err)
{
	ax->values = json_array();
	char *copy = ax_xstrdup(ax->list);
	char *origin = ax_xasprintf("%s '%s'", ax->opt, ax->list);
	int rc = 0;
	char *p = copy;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p) {
			rc = ax_err_add(err, "%s '%s': an empty value; expected comma-separated values or ranges like 1-8",
					ax->opt, ax->list);
			break;
		}
		unsigned long long lo, hi;
		int used = 0;
		if (sscanf(p, "%llu-%llu%n", &lo, &hi, &used) == 2 && (size_t)used == strlen(p) &&
		    strspn(p, "0123456789-") == strlen(p)) {
			if (lo > hi) {
				rc = ax_err_add(err, "%s '%s': the range '%s' runs backwards; expected LOW-HIGH", ax->opt,
						ax->list, p);
				break;
			}
			if (hi - lo >= AX_SWEEP_MAX_VALUES) {
				rc = ax_err_add(err, "%s '%s': the range '%s' has more than %d values", ax->opt, ax->list,
						p, AX_SWEEP_MAX_VALUES);
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
			json_t *t = ax_sweep_typed_value(ax->key, used >= 0 ? num : p, origin, err);
			if (!t) {
				rc = AX_EINPUT;
				break;
			}
			size_t i;
			json_t *w;
			json_array_foreach(ax->values, i, w) {
				if (!ax_sweep_value_cmp(w, t)) {
					char a[128];
					ax_sweep_value_text(ax->key, t, a, sizeof(a));
					rc = ax_err_add(err, "%s '%s': the value '%s' is given twice; expected each value once",
							ax->opt, ax->list, a);
					break;
				}
			}
			if (!rc && json_array_size(ax->values) >= AX_SWEEP_MAX_VALUES)
				rc = ax_err_add(err, "%s '%s': more than %d values", ax->opt, ax->list, AX_SWEEP_MAX_VALUES);
			if (rc)
				json_decref(t);
			else
				json_array_append_new(ax->values, t);
		}
		if (rc || !comma)
			break;
		p = comma + 1;
	}
	free(copy);
	free(origin);
	if (rc)
		return AX_EINPUT;
	/* sort (insertion sort keeps it simple; axes are short) */
	size_t m = json_array_size(ax->values);
	for (size_t x = 1; x < m; x++)
		for (size_t y = x; y > 0 && ax_sweep_value_cmp(json_array_get(ax->values, y - 1), json_array_get(ax->values, y)) > 0; y--) {
			json_t *t = json_incref(json_array_get(ax->values, y));
			json_array_set(ax->values, y, json_array_get(ax->values, y - 1));
			json_array_set_new(ax->values, y - 1, t);
		}
	return AX_OK;
}

const struct ax_sweep_axis *ax_sweep_axis_find(const struct ax_sweep *sw, const char *key)
{
	for (int i = 0; i < sw->n_axes; i++)
		if (!strcmp(sw->axes[i].key, key))
			return &sw->axes[i];
	return NULL;
}

int ax_sweep_axis_add(struct ax_sweep *sw, const char *opt, const char *key, const char *list, struct ax_err *err)
{
	const struct ax_sweep_axis *had = ax_sweep_axis_find(sw, key);
	if (had)
		return ax_err_add(err, "%s: %s is already an axis (%s); expected each axis once", opt, key, had->opt);
	if (sw->n_axes >= AX_SWEEP_MAX_AXES)
		return ax_err_add(err, "more than %d axes", AX_SWEEP_MAX_AXES);
	struct ax_sweep_axis *ax = &sw->axes[sw->n_axes++];
	ax->key = key;
	ax->opt = opt;
	ax->list = list;
	return axis_parse(ax, err);
}

int ax_sweep_grid(struct ax_sweep *sw, struct ax_err *err)
{
	if (!sw->n_axes) {
		struct ax_err e;
		ax_err_init(&e);
		if (ax_sweep_axis_add(sw, "(default)", "tiling_depth", "1-8", &e) ||
		    ax_sweep_axis_add(sw, "(default)", "page_memory", "true,false", &e) ||
		    ax_sweep_axis_add(sw, "(default)", "in_core_replication", "true,false", &e))
			AX_BUG("the default axes do not parse: %s", ax_err_str(&e));
		ax_err_release(&e);
	}
	double points = 1;
	for (int i = 0; i < sw->n_axes; i++)
		points *= (double)json_array_size(sw->axes[i].values);
	if (points > AX_SWEEP_MAX_POINTS)
		return ax_err_add(err, "%.0f points; expected at most %d (fewer values per axis)", points,
				  AX_SWEEP_MAX_POINTS);
	sw->n_points = (size_t)points;
	return AX_OK;
}

json_t *ax_sweep_point_values(const struct ax_sweep *sw, size_t idx, char texts[][160])
{
	json_t *v = json_object();
	size_t rest = idx;
	size_t *pos = ax_xcalloc((size_t)sw->n_axes + 1, sizeof(*pos));
	for (int a = sw->n_axes - 1; a >= 0; a--) {
		size_t m = json_array_size(sw->axes[a].values);
		pos[a] = rest % m;
		rest /= m;
	}
	for (int a = 0; a < sw->n_axes; a++) {
		json_t *val = json_array_get(sw->axes[a].values, pos[a]);
		json_object_set(v, sw->axes[a].key, val);
		if (texts) {
			char t[128];
			ax_sweep_value_text(sw->axes[a].key, val, t, sizeof(t));
			snprintf(texts[a], 160, "%s=%s", sw->axes[a].key, t);
		}
	}
	free(pos);
	return v;
}

/* The path of point idx's file (heap); its values in *values when not NULL. */
static char *point_path(const struct ax_sweep *sw, size_t idx, char texts[][160], json_t **values)
{
	json_t *v = ax_sweep_point_values(sw, idx, texts);
	char *name = ax_sweep_point_name(sw->names, v);
	char *path = ax_xasprintf("%s/%s", sw->out_abs, name);
	free(name);
	if (values)
		*values = v;
	else
		json_decref(v);
	return path;
}

/* ---- the inputs, checked once ---- */

/* The run specification of a point: the sweep's spec, overrides
 * ("KEY=VALUE": the fixed compilation keys and the axes) after it. */
static void point_run_spec(const struct ax_sweep_spec *spec, const char *const *ov, int n_ov,
			   struct ax_run_spec *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->net_path = spec->net_path;
	rs->arch_path = spec->arch_path;
	rs->config_path = spec->config_path;
	rs->model = spec->model;
	rs->board = spec->board;
	rs->sets = spec->sets;
	rs->n_sets = spec->n_sets;
	rs->nets = spec->nets;
	rs->n_nets = spec->n_nets;
	rs->rois = spec->rois;
	rs->n_rois = spec->n_rois;
	rs->overrides = ov;
	rs->n_overrides = n_ov;
	rs->origin = AX_SWEEP_ORIGIN;
	rs->trace_limit_bytes = AX_TRACE_LIMIT_DEFAULT;
	struct ax_err ignored;
	ax_err_init(&ignored);
	ax_run_parse_inferences(spec->inferences, &rs->inferences, &ignored);   /* checked by ax_sweep_load */
	ax_err_release(&ignored);
}

int ax_sweep_load(struct ax_sweep *sw, struct ax_err *err, struct ax_err *warn)
{
	struct ax_sweep_spec *sp = &sw->spec;
	struct ax_arch_desc arch;
	struct ax_net net;
	struct ax_ccfg cfg;
	ax_ccfg_init(&cfg);
	ax_net_init(&net);
	uint32_t inferences;
	if (ax_run_parse_inferences(sp->inferences, &inferences, err))
		return AX_EINPUT;
	int rc = AX_EINPUT;
	{
		struct ax_run_spec rs;
		point_run_spec(sp, NULL, 0, &rs);
		if (ax_run_load_arch(&rs, &arch, err))
			goto out;
	}
	/* a pipeline's models are checked by each point (ax_run), as axsim run
	 * checks them; one network's configuration is checked here, once */
	if (sp->config_path && !sp->n_nets) {
		ax_ccfg_release(&cfg);
		if (ax_ccfg_load(&cfg, sp->config_path, sp->model, sp->board, err, warn))
			goto out;
	}
	{
		/* the fixed compilation keys, and the rules between keys when no
		 * axis takes part in them: a contradiction every point would hit */
		int before = err->count;
		for (int i = 0; i < sp->n_cc; i++) {
			const char *val;
			char *key = ax_sweep_split(sp->cc[i], &val);
			if (key)
				ax_ccfg_set(&cfg, key, val, "--set", err);
			free(key);
		}
		int ruled = 0;
		for (int a = 0; a < sw->n_axes; a++)
			ruled |= ax_ccfg_rule_key(sw->axes[a].key);
		if (err->count == before && !ruled && !ax_ccfg_check(&cfg, err))
			ax_ccfg_check_arch(&cfg, &arch.arch, err);
		if (err->count > before)
			goto out;
	}
	/* children and job lines see absolute paths, so both word messages alike */
	if (sp->n_nets) {
		const char **nets = ax_xcalloc((size_t)sp->n_nets, sizeof(*nets));
		own(sw, (char *)nets);
		for (int i = 0; i < sp->n_nets; i++) {
			const char *eq = strchr(sp->nets[i], '=');
			if (!eq || eq == sp->nets[i] || !eq[1]) {
				ax_err_add(err, "--net '%s': expected MODEL=NET", sp->nets[i]);
				goto out;
			}
			ax_net_release(&net);
			if (ax_run_load_net(eq + 1, &net, err))
				goto out;
			char *p = abs_path(eq + 1);
			nets[i] = own(sw, ax_xasprintf("%.*s=%s", (int)(eq - sp->nets[i]), sp->nets[i], p));
			free(p);
		}
		sp->nets = nets;
	} else {
		ax_net_release(&net);
		if (ax_run_load_net(sp->net_path, &net, err))
			goto out;
		sp->net_path = own(sw, abs_path(sp->net_path));
	}
	if (sp->config_path)
		sp->config_path = own(sw, abs_path(sp->config_path));
	if (sp->arch_path)
		sp->arch_path = own(sw, abs_path(sp->arch_path));
	free(sw->net_name);
	sw->net_name = net.name ? ax_xstrdup(net.name) : NULL;
	rc = AX_OK;
out:
	ax_arch_desc_release(&arch);
	ax_net_release(&net);
	ax_ccfg_release(&cfg);
	return rc;
}

/* ---- the points directory ---- */

/* What makes points of two sweeps combinable: the axes, the configured
 * values and the inputs digest (new reference). */
static json_t *sweep_identity(const struct ax_sweep *sw)
{
	json_t *id = json_object();
	json_object_set_new(id, "schema_version", json_integer(AX_SWEEP_SCHEMA_VERSION));
	json_object_set(id, "axes", sw->names);
	json_object_set(id, "configured", sw->configured);
	json_object_set(id, "inputs", sw->inputs);
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
static int out_claim(const struct ax_sweep *sw, const char *dir, char **why, struct ax_err *err)
{
	*why = NULL;
	json_t *id = sweep_identity(sw);
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
		json_t *o = json_object_get(j, "sweep");
		if (o && !same_identity(id, o))
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

int ax_sweep_claim(struct ax_sweep *sw, const char *out, struct ax_err *err)
{
	const struct ax_sweep_spec *sp = &sw->spec;
	json_decref(sw->names);
	json_decref(sw->configured);
	json_decref(sw->inputs);
	sw->names = json_array();
	for (int a = 0; a < sw->n_axes; a++)
		json_array_append_new(sw->names, json_string(sw->axes[a].key));
	sw->configured = ax_sweep_configured(sp, sw->names);
	sw->inputs = ax_sweep_inputs_digest(sp);
	{
		json_t *v = ax_sweep_point_values(sw, 0, NULL);
		char *name = ax_sweep_point_name(sw->names, v);
		json_decref(v);
		size_t len = strlen(name);
		free(name);
		if (len > 250)
			return ax_err_add(err, "the point files' names would be %zu characters long; expected fewer or shorter axes",
					  len);
	}
	free(sw->out);
	sw->out = out ? ax_xstrdup(out) : sp->n_nets ? default_out(NULL, sp->config_path)
						    : default_out(sw->net_name, sp->net_path);
	for (int attempt = 0;; attempt++) {
		char *why = NULL;
		int r = make_dirs(sw->out, err) ? 2 : 0;
		if (!r)
			r = out_claim(sw, sw->out, &why, err);
		if (r == 1 && !out && !attempt) {
			/* the default directory is another sweep's: this sweep's own,
			 * named by its identity */
			json_t *id = sweep_identity(sw);
			char *text = json_dumps(id, JSON_SORT_KEYS | JSON_COMPACT);
			uint64_t h = 14695981039346656037ull;
			ax_sweep_fnv1a(&h, text, strlen(text));
			free(text);
			json_decref(id);
			char *mine = ax_xasprintf("%s-%08llx", sw->out, (unsigned long long)(h >> 32));
			free(sw->out);
			sw->out = mine;
			free(why);
			continue;
		}
		if (r == 1)
			ax_err_add(err, "%s; expected an empty directory or one of this sweep's: choose another --out or remove it",
				   why);
		free(why);
		if (r)
			return r == 1 ? AX_EINPUT : AX_EIO;
		break;
	}
	free(sw->out_abs);
	sw->out_abs = abs_path(sw->out);
	return AX_OK;
}

/* ---- points ---- */

/* A point's file is done when it parses as this point with status ok. */
static int point_done(const struct ax_sweep *sw, const char *path, const json_t *values)
{
	struct ax_err e;
	ax_err_init(&e);
	struct ax_sweep_point r;
	int done = 0;
	if (!access(path, R_OK) && !ax_sweep_point_load(path, &r, &e)) {
		json_t *o = json_object_get(r.doc, "sweep");
		done = r.ok && json_equal(json_object_get(o, "axes"), sw->names) && json_equal(r.values, values) &&
		       json_equal(json_object_get(o, "configured"), sw->configured) &&
		       json_equal(json_object_get(o, "inputs"), sw->inputs);
		free(r.path);
		json_decref(r.doc);
	}
	ax_err_release(&e);
	return done;
}

/* The file of a point whose process died or left no readable file: status
 * crashed, the reason as its error (new reference). */
static json_t *crash_doc(const struct ax_sweep *sw, const json_t *values, const char *why)
{
	json_t *doc = json_object(), *o = json_object();
	json_object_set_new(o, "schema_version", json_integer(AX_SWEEP_SCHEMA_VERSION));
	json_object_set(o, "axes", sw->names);
	json_object_set_new(o, "values", json_deep_copy(values));
	json_object_set(o, "configured", sw->configured);
	json_object_set(o, "inputs", sw->inputs);
	json_object_set_new(o, "status", json_string("crashed"));
	json_object_set_new(o, "error", json_string(why));
	json_object_set_new(doc, "sweep", o);
	return doc;
}

/* After a child ended: make sure its point has a file (a crash gets one). */
static void point_reaped(const struct ax_sweep *sw, const char *path, const json_t *values, int wstatus,
			 size_t *failed, struct ax_err *err)
{
	struct ax_err e;
	ax_err_init(&e);
	struct ax_sweep_point r;
	int rc = ax_sweep_point_load(path, &r, &e);
	ax_err_release(&e);
	if (!rc) {
		*failed += !r.ok;
		free(r.path);
		json_decref(r.doc);
		return;
	}
	char why[160];
	if (WIFSIGNALED(wstatus))
		snprintf(why, sizeof(why), "the point's process was killed by signal %d", WTERMSIG(wstatus));
	else
		snprintf(why, sizeof(why), "the point's process exited with status %d without writing its result",
			 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	json_t *doc = crash_doc(sw, values, why);
	ax_write_json(doc, path, err);
	json_decref(doc);
	(*failed)++;
}

/* The overrides of a point: the fixed compilation keys, then its axes
 * (heap; the strings are borrowed). */
static const char **point_overrides(const struct ax_sweep_spec *spec, const char *const *axes, int n_axes)
{
	const char **ov = ax_xcalloc((size_t)(spec->n_cc + n_axes) + 1, sizeof(*ov));
	for (int i = 0; i < spec->n_cc; i++)
		ov[i] = spec->cc[i];
	for (int i = 0; i < n_axes; i++)
		ov[spec->n_cc + i] = axes[i];
	return ov;
}

int ax_sweep_emit_jobs(const struct ax_sweep *sw, const char *self, const char *path, size_t *written,
		       size_t *done, struct ax_err *err)
{
	const struct ax_sweep_spec *sp = &sw->spec;
	struct ax_sbuf b = { 0 };
	*written = *done = 0;
	char(*texts)[160] = ax_xcalloc((size_t)sw->n_axes + 1, sizeof(*texts));
	for (size_t p = 0; p < sw->n_points; p++) {
		json_t *v;
		char *file = point_path(sw, p, texts, &v);
		if (sw->resume && point_done(sw, file, v)) {
			(*done)++;
		} else {
			sb_add_shell(&b, self);
			ax_sbuf_addf(&b, " run");
			if (sp->net_path) {
				ax_sbuf_addf(&b, " ");
				sb_add_shell(&b, sp->net_path);
			}
			for (int i = 0; i < sp->n_nets; i++) {
				ax_sbuf_addf(&b, " --net ");
				sb_add_shell(&b, sp->nets[i]);
			}
			for (int i = 0; i < sp->n_rois; i++) {
				ax_sbuf_addf(&b, " --rois ");
				sb_add_shell(&b, sp->rois[i]);
			}
			const struct {
				const char *opt, *val;
			} pass[] = { { "--config", sp->config_path }, { "--model", sp->model }, { "--board", sp->board },
				     { "--arch", sp->arch_path }, { "--inferences", sp->inferences } };
			for (size_t k = 0; k < sizeof(pass) / sizeof(pass[0]); k++) {
				if (!pass[k].val)
					continue;
				ax_sbuf_addf(&b, " %s ", pass[k].opt);
				sb_add_shell(&b, pass[k].val);
			}
			for (int i = 0; i < sp->n_sets; i++) {
				ax_sbuf_addf(&b, " --set ");
				sb_add_shell(&b, sp->sets[i]);
			}
			for (int i = 0; i < sp->n_cc; i++) {
				ax_sbuf_addf(&b, " --set-cc ");
				sb_add_shell(&b, sp->cc[i]);
			}
			for (int a = 0; a < sw->n_axes; a++) {
				ax_sbuf_addf(&b, " --axis ");
				sb_add_shell(&b, texts[a]);
			}
			ax_sbuf_addf(&b, " --quiet --json ");
			sb_add_shell(&b, file);
			ax_sbuf_addf(&b, "\n");
			(*written)++;
		}
		free(file);
		json_decref(v);
	}
	free(texts);
	int rc = ax_write_atomic(path, b.s ? b.s : "", b.len, err);
	free(b.s);
	return rc ? AX_EIO : AX_OK;
}

/* The child of one point: one SystemC kernel; never returns. */
static _Noreturn void point_child(const struct ax_sweep *sw, char texts[][160], const char *path)
{
	int devnull = open("/dev/null", O_WRONLY);
	if (devnull >= 0) {
		dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}
	const char **axes = ax_xcalloc((size_t)sw->n_axes + 1, sizeof(*axes));
	for (int a = 0; a < sw->n_axes; a++)
		axes[a] = texts[a];
	struct ax_err msgs, werr;
	ax_err_init(&msgs);
	ax_err_init(&werr);
	int st = ax_sweep_point_run(&sw->spec, axes, sw->n_axes, path, &msgs, &werr);
	fflush(NULL);
	_exit(st);
}

struct running {
	pid_t pid;
	size_t idx;
};

/* Runs every point not yet done, jobs at once; counts in st. */
static int run_points(struct ax_sweep *sw, struct ax_sweep_stats *st, struct ax_err *err)
{
	int jobs = sw->jobs < 1 ? 1 : sw->jobs;
	struct running *slots = ax_xcalloc((size_t)jobs, sizeof(*slots));
	char(*texts)[160] = ax_xcalloc((size_t)sw->n_axes + 1, sizeof(*texts));
	int running = 0, rc = AX_OK;
	size_t next = 0, finished = 0, failed = 0;
	while ((next < sw->n_points || running) && !rc) {
		while (running < jobs && next < sw->n_points) {
			size_t idx = next++;
			json_t *v;
			char *path = point_path(sw, idx, texts, &v);
			int done = sw->resume && point_done(sw, path, v);
			json_decref(v);
			if (done) {
				st->resumed++;
				finished++;
				free(path);
				continue;
			}
			unlink(path);
			fflush(stdout);
			fflush(stderr);
			pid_t pid = fork();
			if (pid < 0) {
				ax_err_add(err, "cannot start a process: %s", strerror(errno));
				free(path);
				next--;
				if (!running)
					rc = AX_EIO;
				break;
			}
			if (pid == 0)
				point_child(sw, texts, path);
			free(path);
			for (int k = 0; k < jobs; k++)
				if (!slots[k].pid) {
					slots[k].pid = pid;
					slots[k].idx = idx;
					break;
				}
			running++;
			st->ran++;
		}
		if (sw->progress)
			sw->progress(sw->progress_ctx, finished, sw->n_points, running, failed);
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
			json_t *v;
			char *path = point_path(sw, slots[k].idx, texts, &v);
			point_reaped(sw, path, v, wst, &failed, err);
			free(path);
			json_decref(v);
			slots[k].pid = 0;
			running--;
			finished++;
		}
		if (sw->progress)
			sw->progress(sw->progress_ctx, finished, sw->n_points, running, failed);
	}
	free(texts);
	free(slots);
	return rc;
}

int ax_sweep_run(struct ax_sweep *sw, struct ax_sweep_results *rs, struct ax_sweep_stats *st, struct ax_err *err)
{
	memset(st, 0, sizeof(*st));
	double t0 = now_s();
	if (run_points(sw, st, err))
		return AX_EIO;
	st->seconds = now_s() - t0;
	/* the results come from the point files alone, as axsim merge reads them */
	rs->objective = sw->objective;
	int before = err->count;
	for (size_t p = 0; p < sw->n_points; p++) {
		json_t *v;
		char *path = point_path(sw, p, NULL, &v);
		struct ax_sweep_point r;
		struct ax_err le;
		ax_err_init(&le);
		if (ax_sweep_point_load(path, &r, &le)) {
			/* a file gone or damaged since its process ended: a row
			 * with status crashed, and the file it should have been */
			char *why = ax_xasprintf("the point's file could not be read: %s", ax_err_str(&le));
			json_t *doc = crash_doc(sw, v, why);
			free(why);
			ax_write_json(doc, path, err);
			ax_err_release(&le);
			ax_err_init(&le);
			if (ax_sweep_point_from_doc(path, doc, &r, &le))
				AX_BUG("a crashed point's document does not read back: %s", ax_err_str(&le));
		}
		ax_err_release(&le);
		ax_sweep_results_add(rs, &r, err);
		free(path);
		json_decref(v);
	}
	/* a point file that could not be (re)written or does not belong: said,
	 * and the results still hold the points that do */
	st->damaged = err->count > before;
	return AX_OK;
}

/* ---- one point ---- */

/* The values the axes have without the sweep's overrides: the model YAML
 * with the fixed compilation keys, the hardware with --arch and the fixed
 * hardware parameters; null when those do not load. */
json_t *ax_sweep_configured(const struct ax_sweep_spec *spec, const json_t *names)
{
	struct ax_err e, w;
	ax_err_init(&e);
	ax_err_init(&w);
	struct ax_arch_desc d;
	struct ax_ccfg c;
	ax_ccfg_init(&c);
	int rc = ax_arch_load(&d, spec->arch_path, &e);
	for (int i = 0; !rc && i < spec->n_sets; i++)
		rc = ax_arch_set(&d, spec->sets[i], &e);
	if (!rc && spec->config_path) {
		ax_ccfg_release(&c);
		rc = ax_ccfg_load(&c, spec->config_path, spec->model, spec->board, &e, &w);
	}
	for (int i = 0; !rc && i < spec->n_cc; i++) {
		const char *eq = strchr(spec->cc[i], '=');
		char *key = ax_xstrndup(spec->cc[i], eq ? (size_t)(eq - spec->cc[i]) : 0);
		rc = eq ? ax_ccfg_set(&c, key, eq + 1, AX_SWEEP_ORIGIN, &e) : AX_EINPUT;
		free(key);
	}
	json_t *out = json_null();
	if (!rc) {
		out = json_object();
		size_t i;
		json_t *n;
		json_array_foreach(names, i, n) {
			struct ax_key k;
			const char *key = json_string_value(n);
			json_object_set_new(out, key, ax_key_find(key, &k) ? json_null() : ax_key_json(&k, &d.arch, &c));
		}
	}
	ax_arch_desc_release(&d);
	ax_ccfg_release(&c);
	ax_err_release(&e);
	ax_err_release(&w);
	return out;
}

char *ax_sweep_split(const char *a, const char **value)
{
	const char *eq = strchr(a, '=');
	if (!eq || eq == a)
		return NULL;
	*value = eq + 1;
	return ax_xstrndup(a, (size_t)(eq - a));
}

void ax_sweep_fnv1a(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 1099511628211ull;
}

/* What every point of one sweep shares besides its axes: the contents of the
 * network, --config and --arch files, --model, --board, --inferences, the
 * fixed hardware and compilation keys, as a hex FNV-1a digest
 * (docs/sweeps.md "Point files").  --resume and merge take a point only when
 * its digest is this sweep's. */
json_t *ax_sweep_inputs_digest(const struct ax_sweep_spec *spec)
{
	uint64_t h = 14695981039346656037ull;
	const char **files = ax_xcalloc((size_t)spec->n_nets + 3, sizeof(*files));
	files[0] = spec->net_path;
	files[1] = spec->config_path;
	files[2] = spec->arch_path;
	size_t n_files = 3;
	for (int i = 0; i < spec->n_nets; i++) {
		const char *eq = strchr(spec->nets[i], '=');
		files[n_files++] = eq ? eq + 1 : spec->nets[i];
	}
	for (size_t i = 0; i < n_files; i++) {
		ax_sweep_fnv1a(&h, "\0file", 6);
		if (!files[i])
			continue;
		unsigned char *buf;
		size_t len;
		struct ax_err e;
		ax_err_init(&e);
		if (!ax_slurp(files[i], (uint64_t)1 << 30, "an input of the sweep", &buf, &len, &e)) {
			ax_sweep_fnv1a(&h, buf, len);
			free(buf);
		} else {
			ax_sweep_fnv1a(&h, files[i], strlen(files[i]));   /* unreadable: its name */
		}
		ax_err_release(&e);
	}
	free(files);
	const char *opts[] = { spec->model, spec->board, spec->inferences };
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		ax_sweep_fnv1a(&h, "\0opt", 5);
		if (opts[i])
			ax_sweep_fnv1a(&h, opts[i], strlen(opts[i]) + 1);
	}
	for (int i = 0; i < spec->n_sets; i++) {
		ax_sweep_fnv1a(&h, "\0set", 5);
		ax_sweep_fnv1a(&h, spec->sets[i], strlen(spec->sets[i]) + 1);
	}
	for (int i = 0; i < spec->n_nets; i++) {
		ax_sweep_fnv1a(&h, "\0net", 5);
		ax_sweep_fnv1a(&h, spec->nets[i], strlen(spec->nets[i]) + 1);
	}
	for (int i = 0; i < spec->n_rois; i++) {
		ax_sweep_fnv1a(&h, "\0rois", 6);
		ax_sweep_fnv1a(&h, spec->rois[i], strlen(spec->rois[i]) + 1);
	}
	for (int i = 0; i < spec->n_cc; i++) {
		ax_sweep_fnv1a(&h, "\0cc", 4);
		ax_sweep_fnv1a(&h, spec->cc[i], strlen(spec->cc[i]) + 1);
	}
	char hex[17];
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
	return json_string(hex);
}

int ax_sweep_point_axes(const char *const *axes, int n_axes, json_t **names, json_t **values, struct ax_err *msgs)
{
	*names = json_array();
	*values = json_object();
	int rc = AX_OK;
	for (int i = 0; i < n_axes; i++) {
		const char *val;
		char *key = ax_sweep_split(axes[i], &val);
		json_t *v = key ? ax_sweep_typed_value(key, val, AX_SWEEP_ORIGIN, msgs) : NULL;
		if (!key)
			ax_err_add(msgs, "--axis '%s': expected KEY=VALUE", axes[i]);
		else if (json_object_get(*values, key))
			ax_err_add(msgs, "--axis '%s': %s is an axis twice", axes[i], key);
		if (key && v && !json_object_get(*values, key)) {
			json_array_append_new(*names, json_string(key));
			json_object_set_new(*values, key, v);
		} else {
			json_decref(v);
			rc = AX_EINPUT;
		}
		free(key);
	}
	return rc;
}

static const char *status_name(int exit_status)
{
	return exit_status == 0 ? "ok" : exit_status == 2 ? "error" : "failed";
}

int ax_sweep_point_write(const struct ax_sweep_spec *spec, json_t *names, json_t *values, int status,
			 const struct ax_err *msgs, json_t *doc, const char *path, struct ax_err *werr)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema_version", json_integer(AX_SWEEP_SCHEMA_VERSION));
	json_object_set(o, "axes", names);
	json_object_set(o, "values", values);
	json_object_set_new(o, "configured", ax_sweep_configured(spec, names));
	json_object_set_new(o, "inputs", ax_sweep_inputs_digest(spec));
	json_object_set_new(o, "status", json_string(status_name(status)));
	json_t *etext = json_null();
	if (msgs->count) {
		const char *m = ax_err_str(msgs);
		size_t len = strlen(m);
		while (len && m[len - 1] == '\n')
			len--;
		etext = json_stringn(m, len);
	}
	json_object_set_new(o, "error", etext);
	if (!doc || status) {
		json_decref(doc);
		doc = json_object();
	}
	json_object_set_new(doc, "sweep", o);
	if (ax_write_json(doc, path, werr))
		status = status ? status : 1;
	json_decref(doc);
	return status;
}

int ax_sweep_point_run(const struct ax_sweep_spec *spec, const char *const *axes, int n_axes, const char *path,
		       struct ax_err *msgs, struct ax_err *werr)
{
	json_t *names, *values, *report = NULL;
	int status = ax_sweep_point_axes(axes, n_axes, &names, &values, msgs) ? 2 : 0;
	if (!status) {
		const char **ov = point_overrides(spec, axes, n_axes);
		struct ax_run_spec rs;
		point_run_spec(spec, ov, spec->n_cc + n_axes, &rs);
		struct ax_run_result r;
		struct ax_err err, warn;
		ax_err_init(&err);
		ax_err_init(&warn);
		ax_run_result_init(&r);
		int rc = ax_run(&rs, &r, &err, &warn);
		status = rc == AX_ESIM ? 1 : rc ? 2 : 0;
		if (!rc)
			report = ax_report_json(&r.in);
		ax_err_append(msgs, &err);
		ax_run_result_release(&r);
		ax_err_release(&err);
		ax_err_release(&warn);
		free(ov);
	}
	status = ax_sweep_point_write(spec, names, values, status, msgs, report, path, werr);
	json_decref(names);
	json_decref(values);
	return status;
}
