/*
 * compare.c - the engine of axsim compare, the regression gate
 * (docs/regression.md): reads two JSON reports of axsim run
 * (docs/report-format.md), evaluates the metrics with their tolerances and
 * pairs the layers; sim/cli/compare.c prints the outcome.  Moved out of the
 * tool so that a library caller gets the same verdicts.
 */
#include "run/compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/ydoc.h"
#include "report/report.h"
#include "report/stats.h"

/* A metric is a dotted path into the report, or paths joined by '+' whose
 * values are added; a term without a dot names a sibling of the previous
 * term's last key ("memory.ddr.read_bytes+write_bytes").  The default metrics
 * and whether higher is better come from the report's statistics
 * (report/stats.h). */
#define MAX_DEFAULT_METRICS 16

/* Compared too when both reports are of a pipeline of several models
 * (docs/report-format.md "pipeline"); a single network's equals totals.fps. */
static const char pipeline_metric[] = "pipeline.fps";

/* Parts of a report that are inputs of the run rather than results: listed
 * when they differ, so that a changed figure comes with its cause. */
static const char *const input_paths[] = { "network", "config", "arch", "plan.inferences_per_copy" };

#define MAX_TOLERANCE_PCT 1000.0

/* ---- reading a report ---- */

static const char *json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* Loads and checks the frame of a report: a JSON object of schema_version 1
 * with a network name.  r->root is NULL when it failed (messages in err). */
static int report_load(struct ax_compare_report *r, const char *path, struct ax_err *err)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	size_t len = 0;
	unsigned char *text;
	int rc = ax_slurp(path, (uint64_t)1 << 30, "a report of axsim run --json", &text, &len, err);
	if (rc)
		return rc;
	json_error_t je;
	json_t *root = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!root)
		return ax_err_add(err, "%s:%d:%d: not valid JSON: %s", path, je.line > 0 ? je.line : 1,
				  je.column > 0 ? je.column : 1, je.text);
	if (!json_is_object(root)) {
		ax_err_add(err, "%s: the JSON is %s; expected an object (a report of axsim run --json)", path,
			   json_type_name(root));
		goto bad;
	}
	json_t *v = json_object_get(root, "schema_version");
	if (!v) {
		ax_err_add(err, "%s: no schema_version; expected %d (a report of axsim run --json)", path,
			   AX_REPORT_SCHEMA_VERSION);
		goto bad;
	}
	if (!json_is_integer(v) || json_integer_value(v) != AX_REPORT_SCHEMA_VERSION) {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		ax_err_add(err, "%s: schema_version %s is not supported; expected %d", path, s ? s : "?",
			   AX_REPORT_SCHEMA_VERSION);
		free(s);
		goto bad;
	}
	const char *name = json_string_value(json_object_get(json_object_get(root, "network"), "name"));
	if (!name) {
		ax_err_add(err, "%s: no network.name; expected a report of axsim run --json", path);
		goto bad;
	}
	r->root = root;
	r->network = name;
	return AX_OK;
bad:
	json_decref(root);
	return AX_EINPUT;
}

/* The value at a dotted path: object keys, where a key may itself contain
 * dots as the keys of "arch" do (the longest key that matches wins), and
 * array indices.  NULL when there is none. */
json_t *ax_compare_path_get(json_t *root, const char *path)
{
	json_t *cur = root;
	const char *p = path;
	while (*p) {
		size_t len = strlen(p), used = 0;
		json_t *next = NULL;
		if (json_is_object(cur)) {
			for (size_t n = len; n > 0 && !next; n--)
				if (n == len || p[n] == '.')
					if ((next = json_object_getn(cur, p, n)))
						used = n;
		} else if (json_is_array(cur)) {
			size_t n = strspn(p, "0123456789");
			if (n && n < 10 && (p[n] == '.' || !p[n])) {
				next = json_array_get(cur, strtoul(p, NULL, 10));
				used = n;
			}
		}
		if (!next)
			return NULL;
		cur = next;
		p += used;
		if (*p == '.' && !*++p)
			return NULL;
	}
	return cur;
}

/* Every numeric path of the report's objects (arrays skipped), for
 * did-you-mean. */
static void numeric_paths(json_t *j, const char *prefix, char ***v, size_t *n, size_t *cap)
{
	const char *k;
	json_t *x;
	json_object_foreach(j, k, x) {
		char *p = prefix[0] ? ax_xasprintf("%s.%s", prefix, k) : ax_xstrdup(k);
		if (json_is_object(x)) {
			numeric_paths(x, p, v, n, cap);
			free(p);
		} else if (json_is_number(x)) {
			AX_GROW(*v, *cap, *n + 1);
			(*v)[(*n)++] = p;
		} else {
			free(p);
		}
	}
}

static const char *suggest_path(const struct ax_compare_report *r, const char *path, char *buf, size_t bufsz)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	numeric_paths(r->root, "", &v, &n, &cap);
	const char *s = ax_suggest(path, (const char *const *)v, n);
	if (s)
		snprintf(buf, bufsz, "%s", s);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return s ? buf : NULL;
}

/* Checks the spelling of a metric name: '+'-separated terms, each a
 * non-empty dotted path without empty keys. */
static int metric_name_ok(const char *name)
{
	const char *s = name;
	for (;;) {
		size_t n = strcspn(s, "+");
		if (!n || s[0] == '.' || s[n - 1] == '.')
			return 0;
		for (size_t i = 0; i + 1 < n; i++)
			if (s[i] == '.' && s[i + 1] == '.')
				return 0;
		if (!s[n])
			return 1;
		s += n + 1;
	}
}

/* The value of a metric in a report: the sum of its terms. */
static int metric_eval(const struct ax_compare_report *r, const char *name, double *out, struct ax_err *err)
{
	int rc = AX_OK;
	char *prev = NULL;
	double sum = 0;
	for (const char *s = name;;) {
		size_t n = strcspn(s, "+");
		char *full;
		const char *dot = prev ? strrchr(prev, '.') : NULL;
		if (!memchr(s, '.', n) && dot)
			full = ax_xasprintf("%.*s.%.*s", (int)(dot - prev), prev, (int)n, s);
		else
			full = ax_xstrndup(s, n);
		char where[256] = "";
		if (strcmp(full, name))
			snprintf(where, sizeof(where), "metric '%s': ", name);
		json_t *j = ax_compare_path_get(r->root, full);
		if (!j) {
			char buf[256];
			const char *sug = suggest_path(r, full, buf, sizeof(buf));
			rc = ax_err_add(err, "%s: %sno '%s' in the report%s%s%s", r->path, where, full,
					sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		} else if (!json_is_number(j)) {
			rc = ax_err_add(err, "%s: %s'%s' is %s; expected a number", r->path, where, full,
					json_type_name(j));
		} else if (json_number_value(j) < 0 ||
			   (json_number_value(j) == 0 && (!strncmp(full, "totals.latency", 14) ||
							  !strcmp(full, "totals.fps")))) {
			/* every figure of a run is at least 0, latency and throughput above */
			rc = ax_err_add(err, "%s: %s'%s' is %g; expected a %s number, as axsim run writes it",
					r->path, where, full, json_number_value(j),
					json_number_value(j) < 0 ? "non-negative" : "positive");
		} else {
			sum += json_number_value(j);
		}
		free(prev);
		prev = full;
		if (!s[n])
			break;
		s += n + 1;
	}
	free(prev);
	*out = sum;
	return rc;
}

/* ---- options ---- */

/* Whether higher is better for metric name: as the report's statistics
 * declare its first term; lower for a path they do not know. */
static int higher_better(const char *name)
{
	char first[256];
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(name, "+"), name);
	size_t n;
	const struct ax_stat *t = ax_report_stats(&n);
	const struct ax_stat *s = ax_stats_find(t, n, first);
	return s && s->better == AX_STAT_HIGHER;
}

/* The metrics to compare: --metric in the order given (repeats dropped), or
 * the defaults. */
static struct ax_compare_metric *metrics_select(const struct ax_compare_spec *o, size_t *n, struct ax_err *err)
{
	struct ax_stat_metric defaults[MAX_DEFAULT_METRICS];
	size_t n_defaults = ax_stats_compare_defaults(defaults, MAX_DEFAULT_METRICS);
	size_t want = o->n_metrics ? (size_t)o->n_metrics : n_defaults;
	struct ax_compare_metric *m = ax_xcalloc(want ? want : 1, sizeof(*m));
	size_t k = 0;
	for (size_t i = 0; i < want; i++) {
		const char *name = o->n_metrics ? o->metrics[i] : defaults[i].name;
		if (!metric_name_ok(name)) {
			ax_err_add(err, "--metric '%s': expected a dotted path into the report such as "
				   "'totals.latency_cycles', or paths joined by '+'", name);
			continue;
		}
		int dup = 0;
		for (size_t j = 0; j < k; j++)
			dup |= !strcmp(m[j].name, name);
		if (dup)
			continue;
		if (!o->n_metrics)
			name = m[k].owned = ax_xstrdup(name);
		m[k].name = name;
		m[k].higher_better = higher_better(name);
		k++;
	}
	*n = k;
	return m;
}

/* "2%", "0.5%": a percentage from 0 to MAX_TOLERANCE_PCT, as a fraction;
 * decimal digits and one point only (strtod would take 0x10, 1e1, inf). */
static int pct_parse(const char *s, double *frac)
{
	size_t digits = strspn(s, "0123456789");
	if (s[digits] == '.')
		digits += 1 + strspn(s + digits + 1, "0123456789");
	if (!digits || s[0] == '.' || strcmp(s + digits, "%"))
		return -1;
	char *end;
	double v = strtod(s, &end);
	if (end == s || strcmp(end, "%") || !isfinite(v) || v < 0 || v > MAX_TOLERANCE_PCT)
		return -1;
	*frac = v / 100;
	return 0;
}

/* Applies --tolerance [METRIC=]PCT in order: a later one of the same kind
 * wins; a metric's own tolerance beats the global one. */
static void tolerances_apply(const struct ax_compare_spec *o, struct ax_compare_metric *m, size_t n, struct ax_err *err)
{
	double global = 0;
	double *own = ax_xcalloc(n ? n : 1, sizeof(*own));
	int *has = ax_xcalloc(n ? n : 1, sizeof(*has));
	for (int i = 0; i < o->n_tolerances; i++) {
		const char *t = o->tolerances[i];
		const char *eq = strchr(t, '=');
		double f;
		if (pct_parse(eq ? eq + 1 : t, &f)) {
			ax_err_add(err, "--tolerance '%s': expected a percentage from 0%% to %g%%, such as '2%%' "
				   "or 'totals.fps=5%%'", t, MAX_TOLERANCE_PCT);
			continue;
		}
		if (!eq) {
			global = f;
			continue;
		}
		size_t k = 0;
		while (k < n && (strlen(m[k].name) != (size_t)(eq - t) || strncmp(m[k].name, t, (size_t)(eq - t))))
			k++;
		if (k == n) {
			const char **names = ax_xcalloc(n ? n : 1, sizeof(*names));
			for (size_t j = 0; j < n; j++)
				names[j] = m[j].name;
			char *key = ax_xstrndup(t, (size_t)(eq - t));
			const char *s = ax_suggest(key, names, n);
			ax_err_add(err, "--tolerance '%s': '%s' is not a compared metric%s%s%s", t, key,
				   s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
			free(key);
			free(names);
			continue;
		}
		own[k] = f;
		has[k] = 1;
	}
	for (size_t k = 0; k < n; k++)
		m[k].tol = has[k] ? own[k] : global;
	free(own);
	free(has);
}

/* ---- layers ---- */

static int layers_load(const struct ax_compare_report *r, struct ax_compare_layers *ls, struct ax_err *err)
{
	memset(ls, 0, sizeof(*ls));
	json_t *a = json_object_get(r->root, "layers");
	if (!json_is_array(a))
		return ax_err_add(err, "%s: %s; expected the array of layers of a report of axsim run --json",
				  r->path, a ? "'layers' is not an array" : "no 'layers'");
	ls->n = json_array_size(a);
	ls->v = ax_xcalloc(ls->n ? ls->n : 1, sizeof(*ls->v));
	int rc = AX_OK;
	for (size_t i = 0; i < ls->n; i++) {
		json_t *l = json_array_get(a, i);
		const char *name = json_string_value(json_object_get(l, "name"));
		json_t *c = json_object_get(l, "cycles");
		if (!name)
			rc = ax_err_add(err, "%s: layers[%zu] has no name", r->path, i);
		else if (!json_is_number(c))
			rc = ax_err_add(err, "%s: layers[%zu] ('%s') has no number 'cycles'", r->path, i, name);
		else if (json_number_value(c) < 0)
			rc = ax_err_add(err, "%s: layers[%zu] ('%s') has cycles %g; expected a non-negative number",
					r->path, i, name, json_number_value(c));
		ls->v[i] = (struct ax_compare_layer){ .name = name ? name : "", .cycles = json_number_value(c),
					   .index = i, .match = -1 };
	}
	return rc;
}

static int by_name(const void *a, const void *b)
{
	const struct ax_compare_layer *x = *(const struct ax_compare_layer *const *)a, *y = *(const struct ax_compare_layer *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static struct ax_compare_layer **sorted_by_name(const struct ax_compare_layers *ls)
{
	struct ax_compare_layer **p = ax_xcalloc(ls->n ? ls->n : 1, sizeof(*p));
	for (size_t i = 0; i < ls->n; i++)
		p[i] = &ls->v[i];
	qsort(p, ls->n, sizeof(*p), by_name);
	return p;
}

/* Pairs layers of the same name, the k-th of a name in one report with the
 * k-th in the other. */
static void layers_match(struct ax_compare_layers *a, struct ax_compare_layers *b)
{
	struct ax_compare_layer **x = sorted_by_name(a), **y = sorted_by_name(b);
	size_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		int c = strcmp(x[i]->name, y[j]->name);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			x[i]->match = (long)y[j]->index;
			y[j]->match = (long)x[i]->index;
			i++;
			j++;
		}
	}
	free(x);
	free(y);
}

/* How much worse cur is than base, as a fraction of base (negative: better). */
double ax_compare_worsening(const struct ax_compare_metric *m)
{
	if (m->base == m->cur)
		return 0;
	double d = m->higher_better ? m->base - m->cur : m->cur - m->base;
	if (m->base == 0)
		return d > 0 ? INFINITY : -INFINITY;
	return d / fabs(m->base);
}

enum ax_compare_verdict ax_compare_metric_verdict(const struct ax_compare_metric *m)
{
	double w = ax_compare_worsening(m);
	if (m->base == m->cur)
		return AX_V_SAME;
	if (w < 0)
		return AX_V_BETTER;
	/* a tolerance of exactly the change passes, whatever the last bit says */
	return w <= m->tol * (1 + 1e-9) ? AX_V_WITHIN : AX_V_REGRESSED;
}

const char *ax_compare_verdict_name(enum ax_compare_verdict v)
{
	static const char *const names[] = { "same", "better", "within", "REGRESSED" };
	return names[v];
}

size_t ax_compare_regressed(const struct ax_compare *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += ax_compare_metric_verdict(&c->m[i]) == AX_V_REGRESSED;
	return n;
}

/* ---- the comparison ---- */

/* The report is of a pipeline of several models. */
static int is_pipeline(const struct ax_compare_report *r)
{
	return r->root && json_array_size(ax_compare_path_get(r->root, "pipeline.models")) > 1;
}

int ax_compare_load(const struct ax_compare_spec *spec, struct ax_compare *c, struct ax_err *err)
{
	memset(c, 0, sizeof(*c));
	int n0 = err->count;
	c->m = metrics_select(spec, &c->n, err);
	report_load(&c->base, spec->base_path, err);
	report_load(&c->cur, spec->new_path, err);
	if (!spec->n_metrics && is_pipeline(&c->base) && is_pipeline(&c->cur)) {
		c->m = ax_xrealloc(c->m, c->n + 1, sizeof(*c->m));
		c->m[c->n++] = (struct ax_compare_metric){ .name = pipeline_metric,
							    .higher_better = higher_better(pipeline_metric) };
	}
	tolerances_apply(spec, c->m, c->n, err);
	if (!c->base.root || !c->cur.root || err->count > n0)
		return AX_EINPUT;
	if (strcmp(c->base.network, c->cur.network) && !spec->force)
		return ax_err_add(err, "'%s' is a run of network '%s' but '%s' of '%s'; "
				  "use --force to compare runs of different networks", c->base.path,
				  c->base.network, c->cur.path, c->cur.network);
	for (size_t i = 0; i < c->n; i++) {
		metric_eval(&c->base, c->m[i].name, &c->m[i].base, err);
		metric_eval(&c->cur, c->m[i].name, &c->m[i].cur, err);
	}
	layers_load(&c->base, &c->lb, err);
	layers_load(&c->cur, &c->lc, err);
	if (err->count > n0)
		return AX_EINPUT;
	layers_match(&c->lb, &c->lc);
	return AX_OK;
}

void ax_compare_release(struct ax_compare *c)
{
	free(c->lb.v);
	free(c->lc.v);
	json_decref(c->base.root);
	json_decref(c->cur.root);
	for (size_t i = 0; i < c->n; i++)
		free(c->m[i].owned);
	free(c->m);
	memset(c, 0, sizeof(*c));
}

static void diff_add(json_t *out, const char *path, json_t *x, json_t *y)
{
	json_t *d = json_object();
	json_object_set_new(d, "path", json_string(path));
	if (x)
		json_object_set(d, "base", x);
	if (y)
		json_object_set(d, "new", y);
	json_array_append_new(out, d);
}

/* One input that differs: a key of the objects at path, or the value. */
static void input_diff(const struct ax_compare *c, const char *path, json_t *out)
{
	json_t *x = ax_compare_path_get(c->base.root, path), *y = ax_compare_path_get(c->cur.root, path);
	if (json_is_object(x) && json_is_object(y)) {
		const char *k;
		json_t *v;
		json_object_foreach(x, k, v) {
			json_t *w = json_object_get(y, k);
			if (!w || !json_equal(v, w)) {
				char *p = ax_xasprintf("%s.%s", path, k);
				diff_add(out, p, v, w);
				free(p);
			}
		}
		json_object_foreach(y, k, v) {
			if (json_object_get(x, k))
				continue;
			char *p = ax_xasprintf("%s.%s", path, k);
			diff_add(out, p, NULL, v);
			free(p);
		}
		return;
	}
	if ((x || y) && !(x && y && json_equal(x, y)))
		diff_add(out, path, x, y);
}

json_t *ax_compare_input_diffs(const struct ax_compare *c)
{
	json_t *out = json_array();
	for (size_t i = 0; i < sizeof(input_paths) / sizeof(input_paths[0]); i++)
		input_diff(c, input_paths[i], out);
	return out;
}

json_t *ax_compare_json(const struct ax_compare *c)
{
	json_t *root = json_object();
	json_object_set_new(root, "network", json_string(c->base.network));
	json_object_set_new(root, "base", json_string(c->base.path));
	json_object_set_new(root, "new", json_string(c->cur.path));
	json_object_set_new(root, "inputs_differ", ax_compare_input_diffs(c));
	json_t *ms = json_array();
	for (size_t i = 0; i < c->n; i++) {
		const struct ax_compare_metric *m = &c->m[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(m->name));
		json_object_set_new(o, "higher_better", json_boolean(m->higher_better));
		json_object_set_new(o, "base", json_real(m->base));
		json_object_set_new(o, "new", json_real(m->cur));
		json_object_set_new(o, "tolerance", json_real(m->tol));
		json_object_set_new(o, "verdict", json_string(ax_compare_verdict_name(ax_compare_metric_verdict(m))));
		json_array_append_new(ms, o);
	}
	json_object_set_new(root, "metrics", ms);
	size_t both = 0, changed = 0, added = 0, removed = 0;
	for (size_t i = 0; i < c->lb.n; i++) {
		const struct ax_compare_layer *l = &c->lb.v[i];
		if (l->match < 0) {
			removed++;
			continue;
		}
		both++;
		changed += c->lc.v[l->match].cycles != l->cycles;
	}
	for (size_t i = 0; i < c->lc.n; i++)
		added += c->lc.v[i].match < 0;
	json_t *ls = json_object();
	json_object_set_new(ls, "in_both", json_integer((json_int_t)both));
	json_object_set_new(ls, "changed", json_integer((json_int_t)changed));
	json_object_set_new(ls, "added", json_integer((json_int_t)added));
	json_object_set_new(ls, "removed", json_integer((json_int_t)removed));
	json_object_set_new(root, "layers", ls);
	json_object_set_new(root, "regressed", json_integer((json_int_t)ax_compare_regressed(c)));
	return root;
}
