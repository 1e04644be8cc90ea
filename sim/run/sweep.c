/*
 * sweep.c - the engine of axsim sweep's results and of axsim merge
 * (docs/sweeps.md): the values of an axis, point files read and checked to
 * belong to one sweep, ordered as the grid, marked (best by the objective,
 * configured, Pareto-optimal), and the sweep's JSON and CSV.  The tool
 * (sim/cli/sweep.c) runs the points, prints the table and exits; a library
 * caller gets the same results.
 */
#include "run/sweep.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "config/keys.h"
#include "report/report.h"
#include "report/stats.h"

/* Is key a compilation key or a hardware parameter; 0 when neither. */
static int key_known(const char *key)
{
	struct ax_key k;
	return !ax_key_find(key, &k);
}

/*
 * The typed value of key = text: for a compilation key as config.<key> of the
 * run JSON, for a hardware parameter its base unit as arch.<key>
 * (config/keys.h).  NULL with a message naming origin when text is not a
 * valid value.
 */
json_t *ax_sweep_typed_value(const char *key, const char *text, const char *origin, struct ax_err *err)
{
	struct ax_key k;
	if (ax_key_find(key, &k)) {
		ax_err_add(err, "%s: %s: not a compilation key or hardware parameter", origin, key);
		return NULL;
	}
	return ax_key_parse(&k, text, origin, err);
}

/* The text of a typed value, as --axis takes it back ("true", "6", "16MiB"). */
void ax_sweep_value_text(const char *key, const json_t *v, char *buf, size_t len)
{
	struct ax_key k;
	if (ax_key_find(key, &k)) {
		snprintf(buf, len, "?");
		return;
	}
	ax_key_text(&k, v, buf, len);
}

/* Order of values on an axis: numbers ascending, false before true, strings
 * by strcmp; values of different types by type. */
int ax_sweep_value_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return (x > y) - (x < y);
	}
	if (json_is_boolean(a) && json_is_boolean(b))
		return json_is_true(a) - json_is_true(b);
	if (json_is_string(a) && json_is_string(b))
		return strcmp(json_string_value(a), json_string_value(b));
	return (int)json_typeof(a) - (int)json_typeof(b);
}

/* The file of a point: key=value pairs joined by commas, characters other
 * than letters, digits and ._+- replaced by '_'. */
char *ax_sweep_point_name(const json_t *names, const json_t *values)
{
	struct ax_sbuf b = { 0 };
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) {
		const char *key = json_string_value(n);
		char v[128];
		ax_sweep_value_text(key, json_object_get(values, key), v, sizeof(v));
		for (char *p = v; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-", *p))
				*p = '_';
		ax_sbuf_addf(&b, "%s%s=%s", i ? "," : "", key, v);
	}
	ax_sbuf_addf(&b, ".json");
	return b.s;
}

static const struct {
	const char *name;      /* in the sweep's JSON and CSV */
	const char *metric;    /* in the run JSON */
	int per_inference;     /* over totals.inferences (a real) */
	int optional;          /* a point file of an older axsim may lack it: null */
} figures[AX_FIG_COUNT] = {
	[AX_FIG_LATENCY_US] = { "latency_us", "totals.latency_us", 0, 0 },
	[AX_FIG_LATENCY_CYCLES] = { "latency_cycles", "totals.latency_cycles", 0, 0 },
	/* a pipeline of several models: pipeline.fps, its sustained frame rate */
	[AX_FIG_FPS] = { "fps", "totals.fps", 0, 0 },
	[AX_FIG_UTIL] = { "imc_utilization", "totals.imc_utilization", 0, 0 },
	[AX_FIG_DDR] = { "ddr_bytes", "memory.ddr.read_bytes+write_bytes", 0, 0 },
	[AX_FIG_DDR_PER_INF] = { "ddr_bytes_per_inference", "memory.ddr.read_bytes+write_bytes", 1, 0 },
	[AX_FIG_L2] = { "l2_bytes", "memory.l2.read_bytes+write_bytes", 0, 0 },
	[AX_FIG_ENERGY] = { "energy_per_inference_j", "energy.per_inference_j", 0, 1 },
	[AX_FIG_POWER] = { "power_w", "energy.power_w", 0, 1 },
	[AX_FIG_FPS_PER_W] = { "fps_per_w", "energy.fps_per_w", 0, 1 },
};

/* The statistic of a figure's metric (its first term). */
static const struct ax_stat *figure_stat(enum ax_sweep_figure f)
{
	char first[128];
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(figures[f].metric, "+"), figures[f].metric);
	size_t n;
	const struct ax_stat *t = ax_report_stats(&n);
	const struct ax_stat *s = ax_stats_find(t, n, first);
	if (!s)
		AX_BUG("the sweep's figure %s names no statistic of the report", figures[f].name);
	return s;
}

static const struct {
	const char *name, *best, *front;
	enum ax_sweep_figure fig;
} objectives[AX_OBJ_COUNT] = {
	[AX_OBJ_LATENCY] = { "latency", "lowest latency", "latency against DDR traffic", AX_FIG_LATENCY_US },
	[AX_OBJ_FPS] = { "fps", "highest throughput", "throughput against DDR traffic per inference", AX_FIG_FPS },
	[AX_OBJ_DDR] = { "ddr", "least DDR traffic per inference", "latency against DDR traffic", AX_FIG_DDR_PER_INF },
};

const char *ax_sweep_objective_best(enum ax_sweep_objective o)
{
	return objectives[o].best;
}

const char *ax_sweep_objective_front(enum ax_sweep_objective o)
{
	return objectives[o].front;
}

/* --objective NAME; -1 when NAME is none. */
int ax_sweep_objective_find(const char *name)
{
	for (int o = 0; o < AX_OBJ_COUNT; o++)
		if (!strcmp(objectives[o].name, name))
			return o;
	return -1;
}

void ax_sweep_results_release(struct ax_sweep_results *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->r[i].path);
		json_decref(rs->r[i].doc);
	}
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

/* A number at a dotted path of doc; -1 with a message when absent. */
static int num_at(const char *file, json_t *doc, const char *path, double *out, struct ax_err *err)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *cur = doc;
	for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, tok);
	if (!json_is_number(cur))
		return ax_err_add(err, "%s: %s is missing or not a number; expected a run JSON (docs/report-format.md)",
				  file, path);
	*out = json_number_value(cur);
	return AX_OK;
}

/* A figure of a run JSON: its metric's terms added (a term without a dot is a
 * sibling of the previous term's last key), over totals.inferences when per
 * inference.  An optional figure the file lacks is NaN; another is a message. */
static void figure_at(const char *file, json_t *doc, enum ax_sweep_figure f, double *out, struct ax_err *err)
{
	const char *metric = figures[f].metric;
	if (f == AX_FIG_FPS && json_array_size(json_object_get(json_object_get(doc, "pipeline"), "models")) > 1)
		metric = "pipeline.fps";
	char path[128] = "";
	double sum = 0;
	int n0 = err->count;
	for (const char *t = metric; *t;) {
		size_t len = strcspn(t, "+"), keep = 0;
		if (!memchr(t, '.', len) && strrchr(path, '.'))
			keep = (size_t)(strrchr(path, '.') - path) + 1;
		snprintf(path + keep, sizeof(path) - keep, "%.*s", (int)len, t);
		double v = NAN;
		json_t *cur = doc;
		char buf[128];
		snprintf(buf, sizeof(buf), "%s", path);
		for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
			cur = json_object_get(cur, tok);
		if (figures[f].optional && !json_is_number(cur))
			sum = NAN;
		else if (!num_at(file, doc, path, &v, err))
			sum += v;
		t += len + (t[len] == '+');
	}
	if (figures[f].per_inference && err->count == n0) {
		double inferences = 1;
		num_at(file, doc, "totals.inferences", &inferences, err);
		sum /= inferences > 0 ? inferences : 1;
	}
	*out = sum;
}

/* A figure for the sweep JSON: null for a failed point or a missing figure. */
static json_t *figure_json(const struct ax_sweep_results *rs, const struct ax_sweep_point *r, enum ax_sweep_figure f)
{
	if (!r->ok || isnan(r->fig[f]))
		return json_null();
	return rs->integer[f] ? json_integer((json_int_t)r->fig[f]) : json_real(r->fig[f]);
}

/* Takes a point's document (its reference) as the point read from path;
 * appends a message and returns non-zero when it is not one. */
int ax_sweep_point_from_doc(const char *path, json_t *doc, struct ax_sweep_point *r, struct ax_err *err)
{
	memset(r, 0, sizeof(*r));
	json_t *sw = json_object_get(doc, "sweep");
	int n0 = err->count;
	if (!json_is_object(sw)) {
		ax_err_add(err, "%s: not a sweep point (no \"sweep\" object); expected a file written by axsim sweep or by a job of --emit-jobs",
			   path);
		goto bad;
	}
	json_t *ver = json_object_get(sw, "schema_version");
	if (!json_is_integer(ver) || json_integer_value(ver) != AX_SWEEP_SCHEMA_VERSION) {
		ax_err_add(err, "%s: sweep.schema_version is not %d; expected a point file of this axsim", path,
			   AX_SWEEP_SCHEMA_VERSION);
		goto bad;
	}
	json_t *names = json_object_get(sw, "axes"), *values = json_object_get(sw, "values");
	json_t *st = json_object_get(sw, "status"), *er = json_object_get(sw, "error");
	int good = json_is_array(names) && json_array_size(names) > 0 && json_is_object(values) &&
		   json_object_size(values) == json_array_size(names) && json_is_string(st) &&
		   (json_is_string(er) || json_is_null(er)) && json_object_get(sw, "configured");
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) {
		json_t *v = json_is_string(n) ? json_object_get(values, json_string_value(n)) : NULL;
		good &= v && (json_is_number(v) || json_is_boolean(v) || json_is_string(v)) &&
			key_known(json_string_value(n));
	}
	if (!good) {
		ax_err_add(err, "%s: the \"sweep\" object lacks axes, values, configured, status or error, or names an unknown key",
			   path);
		goto bad;
	}
	r->path = ax_xstrdup(path);
	r->doc = doc;
	r->values = values;
	r->status = json_string_value(st);
	r->error = json_string_value(er);
	r->ok = !strcmp(r->status, "ok");
	if (r->ok) {
		for (int f = 0; f < AX_FIG_COUNT; f++)
			figure_at(path, doc, (enum ax_sweep_figure)f, &r->fig[f], err);
		if (err->count > n0) {
			free(r->path);
			r->path = NULL;
			goto bad;
		}
	}
	return AX_OK;
bad:
	json_decref(doc);
	memset(r, 0, sizeof(*r));
	return AX_EINPUT;
}

/* Reads one point file; appends a message and returns non-zero when it is not one. */
int ax_sweep_point_load(const char *path, struct ax_sweep_point *r, struct ax_err *err)
{
	memset(r, 0, sizeof(*r));
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	if (!doc && je.line < 1)
		return ax_err_add(err, "%s: cannot read: %s", path, je.text);
	if (!doc)
		return ax_err_add(err, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
	return ax_sweep_point_from_doc(path, doc, r, err);
}

static struct ax_sweep_results *sort_ctx;

static int grid_cmp(const void *pa, const void *pb)
{
	const struct ax_sweep_point *a = pa, *b = pb;
	size_t i;
	json_t *n;
	json_array_foreach(sort_ctx->names, i, n) {
		const char *k = json_string_value(n);
		int c = ax_sweep_value_cmp(json_object_get(a->values, k), json_object_get(b->values, k));
		if (c)
			return c;
	}
	return 0;
}

/* Keys of config and arch that may differ between points of one sweep. */
static int varies(const struct ax_sweep_results *rs, const char *section, const char *key)
{
	size_t i;
	json_t *n;
	json_array_foreach(rs->names, i, n) {
		const char *a = json_string_value(n);
		if (!strcmp(a, key))
			return 1;
		/* a key whose default follows an axis moves with it */
		if (!strcmp(section, "config") && ax_ccfg_derives(key, a))
			return 1;
	}
	return 0;
}

/* The inputs digests of two points (inputs_digest) agree. */
static int inputs_same(const struct ax_sweep_point *a, const struct ax_sweep_point *b, struct ax_err *err)
{
	json_t *ia = json_object_get(json_object_get(a->doc, "sweep"), "inputs");
	json_t *ib = json_object_get(json_object_get(b->doc, "sweep"), "inputs");
	/* crashed points written by axsim 0.1.0 have no digest */
	if (json_equal(ia, ib) || (!ia && !ib) || (!ia && !a->ok) || (!ib && !b->ok))
		return AX_OK;
	return ax_err_add(err, "%s: its inputs (network, --config, --arch, fixed --set, --inferences) "
			  "differ from those of %s; expected the points of one sweep", b->path, a->path);
}

/* Points of one sweep share their axes, configured values, network and every
 * setting that is not an axis. */
static int check_same_sweep(const struct ax_sweep_results *rs, const struct ax_sweep_point *a, const struct ax_sweep_point *b,
			    struct ax_err *err)
{
	json_t *sa = json_object_get(a->doc, "sweep"), *sb = json_object_get(b->doc, "sweep");
	if (!json_equal(json_object_get(sa, "axes"), json_object_get(sb, "axes")))
		return ax_err_add(err, "%s: its axes differ from those of %s; expected the points of one sweep",
				  b->path, a->path);
	if (!json_equal(json_object_get(sa, "configured"), json_object_get(sb, "configured")))
		return ax_err_add(err, "%s: its configured values differ from those of %s; expected the points of one sweep",
				  b->path, a->path);
	if (!a->ok || !b->ok)
		return inputs_same(a, b, err);
	json_t *na = json_object_get(json_object_get(a->doc, "network"), "name");
	json_t *nb = json_object_get(json_object_get(b->doc, "network"), "name");
	if (!json_equal(na, nb))
		return ax_err_add(err, "%s: network '%s' differs from '%s' of %s; expected the points of one sweep",
				  b->path, json_string_value(nb) ? json_string_value(nb) : "?",
				  json_string_value(na) ? json_string_value(na) : "?", a->path);
	static const char *const sections[] = { "config", "arch" };
	for (int s = 0; s < 2; s++) {
		json_t *oa = json_object_get(a->doc, sections[s]), *ob = json_object_get(b->doc, sections[s]);
		const char *key;
		json_t *va;
		json_object_foreach(oa, key, va) {
			if (varies(rs, sections[s], key))
				continue;
			if (!json_equal(va, json_object_get(ob, key)))
				return ax_err_add(err, "%s: %s.%s differs from %s's and is not an axis; expected the points of one sweep",
						  b->path, sections[s], key, a->path);
		}
	}
	return inputs_same(a, b, err);
}

static int value_ptr_cmp(const void *a, const void *b)
{
	return ax_sweep_value_cmp(*(json_t *const *)a, *(json_t *const *)b);
}

/* The distinct values the points have on axis key, in value_cmp order (new reference). */
json_t *ax_sweep_axis_values(const struct ax_sweep_results *rs, const char *key)
{
	json_t **v = ax_xcalloc(rs->n + 1, sizeof(*v));
	for (size_t p = 0; p < rs->n; p++)
		v[p] = json_object_get(rs->r[p].values, key);
	qsort(v, rs->n, sizeof(*v), value_ptr_cmp);
	json_t *out = json_array();
	for (size_t p = 0; p < rs->n; p++)
		if (!p || ax_sweep_value_cmp(v[p - 1], v[p]))
			json_array_append(out, v[p]);
	free(v);
	return out;
}

static enum ax_sweep_objective front_objective;

/* The two figures of the Pareto front, each lower is better: latency (or
 * the throughput negated) and DDR traffic (per inference with fps). */
static double front_x(const struct ax_sweep_point *r)
{
	return front_objective == AX_OBJ_FPS ? -r->fig[AX_FIG_FPS] : r->fig[AX_FIG_LATENCY_US];
}

static double front_y(const struct ax_sweep_point *r)
{
	return front_objective == AX_OBJ_FPS ? r->fig[AX_FIG_DDR_PER_INF] : r->fig[AX_FIG_DDR];
}

static int front_cmp(const void *pa, const void *pb)
{
	const struct ax_sweep_point *a = *(struct ax_sweep_point *const *)pa, *b = *(struct ax_sweep_point *const *)pb;
	if (front_x(a) != front_x(b))
		return front_x(a) < front_x(b) ? -1 : 1;
	return (front_y(a) > front_y(b)) - (front_y(a) < front_y(b));
}

/* Marks the points no other point beats on both figures of the front: by the
 * first, a point is on the front when it has the least DDR traffic of its
 * first figure and less than every point better on it. */
static void mark_pareto(struct ax_sweep_results *rs)
{
	struct ax_sweep_point **ok = ax_xcalloc(rs->n + 1, sizeof(*ok));
	size_t n = 0;
	for (size_t p = 0; p < rs->n; p++)
		if (rs->r[p].ok)
			ok[n++] = &rs->r[p];
	front_objective = rs->objective;
	qsort(ok, n, sizeof(*ok), front_cmp);
	double before = 0;
	int any = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && front_x(ok[j]) == front_x(ok[i]))
			j++;
		double least = front_y(ok[i]);
		for (size_t k = i; k < j; k++)
			ok[k]->pareto = front_y(ok[k]) == least && (!any || least < before);
		if (!any || least < before)
			before = least;
		any = 1;
		i = j;
	}
	free(ok);
}

/* Whether a is better than b by the objective (ties: neither). */
int ax_sweep_better(const struct ax_sweep_results *rs, const struct ax_sweep_point *a, const struct ax_sweep_point *b)
{
	enum ax_sweep_figure f = objectives[rs->objective].fig;
	return rs->higher[f] ? a->fig[f] > b->fig[f] : a->fig[f] < b->fig[f];
}

/* Orders the points as the grid (axis by axis, values in value_cmp order),
 * checks they belong together, and marks best, configured and Pareto points.
 * Returns the number of grid points without a file (0 for a whole sweep). */
int ax_sweep_results_finish(struct ax_sweep_results *rs, size_t *missing, struct ax_err *err)
{
	if (!rs->n)
		return ax_err_add(err, "no sweep points to combine");
	for (int f = 0; f < AX_FIG_COUNT; f++) {
		const struct ax_stat *st = figure_stat((enum ax_sweep_figure)f);
		rs->integer[f] = !figures[f].per_inference && !strcmp(st->type, "integer");
		rs->higher[f] = st->better == AX_STAT_HIGHER;
	}
	json_t *sw0 = json_object_get(rs->r[0].doc, "sweep");
	rs->names = json_object_get(sw0, "axes");
	rs->configured = json_object_get(sw0, "configured");
	/* results_add checked that the points belong together */
	sort_ctx = rs;
	qsort(rs->r, rs->n, sizeof(rs->r[0]), grid_cmp);
	for (size_t i = 1; i < rs->n; i++)
		if (!grid_cmp(&rs->r[i - 1], &rs->r[i]))
			return ax_err_add(err, "%s and %s are the same point; expected each point once",
					  rs->r[i - 1].path, rs->r[i].path);
	/* grid size from the values seen on each axis */
	double grid = 1;
	size_t i;
	json_t *n;
	json_array_foreach(rs->names, i, n) {
		json_t *vals = ax_sweep_axis_values(rs, json_string_value(n));
		grid *= (double)json_array_size(vals);
		json_decref(vals);
	}
	*missing = (size_t)(grid - (double)rs->n);
	/* marks */
	struct ax_sweep_point *best = NULL;
	for (size_t p = 0; p < rs->n; p++) {
		struct ax_sweep_point *r = &rs->r[p];
		if (r->ok && (!best || ax_sweep_better(rs, r, best)))
			best = r;
		r->conf = json_equal(r->values, rs->configured);
	}
	mark_pareto(rs);
	if (best)
		best->best = 1;
	return AX_OK;
}

/* The sweep JSON (docs/sweeps.md "JSON"). */
json_t *ax_sweep_results_json(const struct ax_sweep_results *rs)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema_version", json_integer(AX_SWEEP_SCHEMA_VERSION));
	const struct ax_sweep_point *ok = NULL;
	size_t n_ok = 0;
	for (size_t p = 0; p < rs->n; p++)
		if (rs->r[p].ok) {
			ok = ok ? ok : &rs->r[p];
			n_ok++;
		}
	json_t *net = ok ? json_object_get(json_object_get(ok->doc, "network"), "name") : NULL;
	json_t *cfg = ok ? json_object_get(ok->doc, "config") : NULL;
	json_object_set_new(root, "network", net ? json_incref(net) : json_null());
	json_t *model = json_object_get(cfg, "model"), *board = json_object_get(cfg, "board");
	json_object_set_new(root, "model", model ? json_incref(model) : json_null());
	json_object_set_new(root, "board", board ? json_incref(board) : json_null());
	json_t *axes = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(rs->names, i, n) {
		const char *key = json_string_value(n);
		json_t *a = json_object(), *vals = ax_sweep_axis_values(rs, key);
		json_object_set_new(a, "name", json_string(key));
		struct ax_key k;
		json_object_set_new(a, "kind", json_string(!ax_key_find(key, &k) && !k.arch ? "compilation" : "hardware"));
		json_object_set_new(a, "values", vals);
		json_array_append_new(axes, a);
	}
	json_object_set_new(root, "axes", axes);
	json_object_set_new(root, "configured", json_incref(rs->configured));
	json_object_set_new(root, "points_total", json_integer((json_int_t)rs->n));
	json_object_set_new(root, "points_ok", json_integer((json_int_t)n_ok));
	json_object_set_new(root, "points_failed", json_integer((json_int_t)(rs->n - n_ok)));
	json_t *best = json_null(), *conf = json_null();
	for (size_t p = 0; p < rs->n; p++) {
		if (rs->r[p].best)
			best = json_integer((json_int_t)p);
		if (rs->r[p].conf)
			conf = json_integer((json_int_t)p);
	}
	json_object_set_new(root, "objective", json_string(objectives[rs->objective].name));
	json_object_set_new(root, "best", best);
	json_object_set_new(root, "configured_point", conf);
	json_t *pts = json_array();
	for (size_t p = 0; p < rs->n; p++) {
		const struct ax_sweep_point *r = &rs->r[p];
		json_t *o = json_object();
		char *file = ax_sweep_point_name(rs->names, r->values);
		json_object_set_new(o, "values", json_incref(r->values));
		json_object_set_new(o, "file", json_string(file));
		free(file);
		json_object_set_new(o, "status", json_string(r->status));
		json_object_set_new(o, "error", r->error ? json_string(r->error) : json_null());
		for (int f = 0; f < AX_FIG_COUNT; f++)
			json_object_set_new(o, figures[f].name, figure_json(rs, r, (enum ax_sweep_figure)f));
		json_object_set_new(o, "best", json_boolean(r->best));
		json_object_set_new(o, "configured", json_boolean(r->conf));
		json_object_set_new(o, "pareto", json_boolean(r->pareto));
		json_array_append_new(pts, o);
	}
	json_object_set_new(root, "points", pts);
	return root;
}

/* One CSV field, quoted as RFC 4180 says when needed. */
static void csv_field(struct ax_sbuf *b, const char *s)
{
	char *q = ax_csv_quote(s);
	ax_sbuf_addf(b, "%s", q);
	free(q);
}

int ax_sweep_results_csv(const struct ax_sweep_results *rs, const char *path, struct ax_err *err)
{
	struct ax_sbuf b = { 0 };
	size_t i;
	json_t *n;
	json_array_foreach(rs->names, i, n) {
		csv_field(&b, json_string_value(n));
		ax_sbuf_addf(&b, ",");
	}
	ax_sbuf_addf(&b, "status,");
	for (int f = 0; f < AX_FIG_COUNT; f++)
		ax_sbuf_addf(&b, "%s,", figures[f].name);
	ax_sbuf_addf(&b, "best,configured,pareto,file,error\n");
	for (size_t p = 0; p < rs->n; p++) {
		const struct ax_sweep_point *r = &rs->r[p];
		json_array_foreach(rs->names, i, n) {
			json_t *v = json_object_get(r->values, json_string_value(n));
			char t[128];
			if (json_is_integer(v))
				snprintf(t, sizeof(t), "%lld", (long long)json_integer_value(v));
			else
				ax_sweep_value_text(json_string_value(n), v, t, sizeof(t));
			csv_field(&b, t);
			ax_sbuf_addf(&b, ",");
		}
		ax_sbuf_addf(&b, "%s,", r->status);
		for (int f = 0; f < AX_FIG_COUNT; f++)
			if (!r->ok || isnan(r->fig[f]))
				ax_sbuf_addf(&b, ",");
			else if (rs->integer[f])
				ax_sbuf_addf(&b, "%lld,", (long long)r->fig[f]);
			else
				ax_sbuf_addf(&b, "%.9g,", r->fig[f]);
		ax_sbuf_addf(&b, "%s,%s,%s,", r->best ? "true" : "false", r->conf ? "true" : "false",
			r->pareto ? "true" : "false");
		char *file = ax_sweep_point_name(rs->names, r->values);
		csv_field(&b, file);
		free(file);
		ax_sbuf_addf(&b, ",");
		csv_field(&b, r->error ? r->error : "");
		ax_sbuf_addf(&b, "\n");
	}
	int rc = ax_write_atomic(path, b.s, b.len, err);
	free(b.s);
	return rc;
}

/* What the table, CSV and JSON need of a point's document besides its
 * "sweep" object: the network's name and config.model and config.board (new
 * reference).  The rest (layers, arch, ...) is dropped once checked, so that
 * a sweep's memory holds a few hundred bytes per point, not its report. */
static json_t *doc_trimmed(json_t *doc)
{
	json_t *t = json_object();
	json_object_set(t, "sweep", json_object_get(doc, "sweep"));
	json_t *name = json_object_get(json_object_get(doc, "network"), "name");
	if (name) {
		json_t *net = json_object();
		json_object_set(net, "name", name);
		json_object_set_new(t, "network", net);
	}
	json_t *cfg = json_object_get(doc, "config");
	if (cfg) {
		json_t *c = json_object();
		static const char *const keep[] = { "model", "board" };
		for (size_t i = 0; i < 2; i++)
			if (json_object_get(cfg, keep[i]))
				json_object_set(c, keep[i], json_object_get(cfg, keep[i]));
		json_object_set_new(t, "config", c);
	}
	return t;
}

/* Adds a point after checking that it belongs with the first point added
 * and, when it ran, with the first that ran (check_same_sweep); takes r's
 * memory either way.  Returns non-zero with a message when it does not. */
int ax_sweep_results_add(struct ax_sweep_results *rs, struct ax_sweep_point *r, struct ax_err *err)
{
	int rc = AX_OK;
	if (rs->n) {
		rc = check_same_sweep(rs, &rs->r[0], r, err);
		if (!rc && r->ok && rs->first_ok)
			rc = check_same_sweep(rs, &rs->r[rs->first_ok - 1], r, err);
	} else {
		json_t *sw0 = json_object_get(r->doc, "sweep");
		rs->names = json_object_get(sw0, "axes");
		rs->configured = json_object_get(sw0, "configured");
	}
	if (rc) {
		free(r->path);
		json_decref(r->doc);
		memset(r, 0, sizeof(*r));
		return rc;
	}
	if (r->ok && !rs->first_ok) {
		rs->first_ok = rs->n + 1;
	} else if (rs->n) {
		json_t *t = doc_trimmed(r->doc);
		json_decref(r->doc);
		r->doc = t;
		json_t *sw = json_object_get(t, "sweep");
		r->values = json_object_get(sw, "values");
		r->status = json_string_value(json_object_get(sw, "status"));
		r->error = json_string_value(json_object_get(sw, "error"));
	}
	AX_GROW(rs->r, rs->cap, rs->n + 1);
	rs->r[rs->n++] = *r;
	return AX_OK;
}

int ax_sweep_merge_file(struct ax_sweep_results *rs, const char *path, int from_dir, struct ax_err *err,
			struct ax_err *warn)
{
	struct ax_sweep_point r;
	struct ax_err e;
	ax_err_init(&e);
	int rc = ax_sweep_point_load(path, &r, &e);
	if (!rc) {
		rc = ax_sweep_results_add(rs, &r, err);
	} else if (from_dir && access(path, R_OK) == 0) {
		/* a directory may hold other JSON (a sweep's own --json): skipped, said once */
		json_t *j = json_load_file(path, 0, NULL);
		if (j && !json_object_get(j, "sweep"))
			ax_err_add(warn, "%s: not a sweep point; skipped", path);
		else
			ax_err_append(err, &e);
		json_decref(j);
	} else {
		ax_err_append(err, &e);
	}
	ax_err_release(&e);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ax_sweep_merge_dir(struct ax_sweep_results *rs, const char *dir, struct ax_err *err, struct ax_err *warn)
{
	DIR *d = opendir(dir);
	if (!d) {
		ax_err_add(err, "%s: cannot read the directory: %s", dir, strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".json") && de->d_name[0] != '.') {
			AX_GROW(names, cap, n + 1);
			names[n++] = ax_xasprintf("%s/%s", dir, de->d_name);
		}
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		ax_sweep_merge_file(rs, names[i], 1, err, warn);
		free(names[i]);
	}
	free(names);
}

void ax_sweep_merge(struct ax_sweep_results *rs, const char *const *inputs, size_t n, struct ax_err *err,
		    struct ax_err *warn)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(inputs[i], &st))
			ax_err_add(err, "%s: cannot read: %s", inputs[i], strerror(errno));
		else if (S_ISDIR(st.st_mode))
			ax_sweep_merge_dir(rs, inputs[i], err, warn);
		else
			ax_sweep_merge_file(rs, inputs[i], 0, err, warn);
	}
}
