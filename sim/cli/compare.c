/*
 * compare.c - axsim compare, the regression gate (docs/regression.md).
 *
 * Reads two JSON reports of axsim run (docs/report-format.md), prints how each
 * metric and each layer's cycles changed between them and which inputs
 * differ, and returns 1 when a metric got worse than its tolerance allows,
 * 2 on bad input and 0 otherwise.  The output depends only on the two files
 * and the options.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "common/file.h"
#include "report/report.h"

/* A metric is a dotted path into the report, or paths joined by '+' whose
 * values are added; a term without a dot names a sibling of the previous
 * term's last key ("memory.ddr.read_bytes+write_bytes"). */
struct known_metric {
	const char *name;
	int higher_better;
};

/* The metrics compared without --metric, in the order printed. */
static const struct known_metric default_metrics[] = {
	{ "totals.latency_cycles", 0 },
	{ "totals.fps", 1 },
	{ "totals.imc_utilization", 1 },
	{ "memory.ddr.read_bytes+write_bytes", 0 },
	{ "memory.l2.read_bytes+write_bytes", 0 },
	{ "memory.l1.read_bytes+write_bytes", 0 },
	{ "energy.per_inference_j", 0 },
	{ "energy.fps_per_w", 1 },
};
#define N_DEFAULT_METRICS (sizeof(default_metrics) / sizeof(default_metrics[0]))

/* Parts of a report that are inputs of the run rather than results: listed
 * when they differ, so that a changed figure comes with its cause. */
static const char *const input_paths[] = { "network", "config", "arch", "plan.inferences_per_copy" };

#define LAYERS_LISTED 10        /* changed layers printed, largest change first */
#define ADDED_LISTED 20         /* added or removed layers printed by name */
#define MAX_TOLERANCE_PCT 1000.0

struct metric {
	const char *name;
	int higher_better;
	double tol;                 /* allowed worsening, a fraction of the base value */
	double base, cur;
};

struct report {
	const char *path;
	json_t *root;
	const char *network;        /* network.name */
};

struct layer {
	const char *name;
	double cycles;
	size_t index;               /* position in its report */
	long match;                 /* index of the same layer in the other report, or -1 */
	double delta;               /* cycles in the other report less these, once matched */
};

struct layers {
	struct layer *v;
	size_t n;
};

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
static int report_load(struct report *r, const char *path, struct ax_err *err)
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
static json_t *path_get(json_t *root, const char *path)
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

static const char *suggest_path(const struct report *r, const char *path, char *buf, size_t bufsz)
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
static int metric_eval(const struct report *r, const char *name, double *out, struct ax_err *err)
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
		json_t *j = path_get(r->root, full);
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

static const struct known_metric *known_find(const char *name)
{
	for (size_t i = 0; i < N_DEFAULT_METRICS; i++)
		if (!strcmp(default_metrics[i].name, name))
			return &default_metrics[i];
	return NULL;
}

/* The metrics to compare: --metric in the order given (repeats dropped), or
 * the defaults. */
static struct metric *metrics_select(const struct ax_opts *o, size_t *n, struct ax_err *err)
{
	size_t want = o->n_metrics ? (size_t)o->n_metrics : N_DEFAULT_METRICS;
	struct metric *m = ax_xcalloc(want, sizeof(*m));
	size_t k = 0;
	for (size_t i = 0; i < want; i++) {
		const char *name = o->n_metrics ? o->metrics[i] : default_metrics[i].name;
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
		const struct known_metric *km = known_find(name);
		m[k].name = name;
		m[k].higher_better = km ? km->higher_better : 0;
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
static void tolerances_apply(const struct ax_opts *o, struct metric *m, size_t n, struct ax_err *err)
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

static int layers_load(const struct report *r, struct layers *ls, struct ax_err *err)
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
		ls->v[i] = (struct layer){ .name = name ? name : "", .cycles = json_number_value(c),
					   .index = i, .match = -1 };
	}
	return rc;
}

static int by_name(const void *a, const void *b)
{
	const struct layer *x = *(const struct layer *const *)a, *y = *(const struct layer *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static struct layer **sorted_by_name(const struct layers *ls)
{
	struct layer **p = ax_xcalloc(ls->n ? ls->n : 1, sizeof(*p));
	for (size_t i = 0; i < ls->n; i++)
		p[i] = &ls->v[i];
	qsort(p, ls->n, sizeof(*p), by_name);
	return p;
}

/* Pairs layers of the same name, the k-th of a name in one report with the
 * k-th in the other. */
static void layers_match(struct layers *a, struct layers *b)
{
	struct layer **x = sorted_by_name(a), **y = sorted_by_name(b);
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

/* Largest absolute change first, then network order. */
static int by_change(const void *a, const void *b)
{
	const struct layer *x = *(const struct layer *const *)a, *y = *(const struct layer *const *)b;
	double dx = fabs(x->delta), dy = fabs(y->delta);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

/* ---- printing ---- */

static void num_format(double v, char *buf, size_t n)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.6g", v);
}

/* Relative change in percent, as text; "from 0" when the base is 0. */
static void change_format(double base, double cur, char *buf, size_t n)
{
	if (base == cur)
		snprintf(buf, n, "0.00%%");
	else if (base == 0)
		snprintf(buf, n, "from 0");
	else
		snprintf(buf, n, "%+.2f%%", (cur - base) / fabs(base) * 100);
}

enum verdict { V_SAME, V_BETTER, V_WITHIN, V_REGRESSED };

/* How much worse cur is than base, as a fraction of base (negative: better). */
static double worsening(const struct metric *m)
{
	if (m->base == m->cur)
		return 0;
	double d = m->higher_better ? m->base - m->cur : m->cur - m->base;
	if (m->base == 0)
		return d > 0 ? INFINITY : -INFINITY;
	return d / fabs(m->base);
}

static enum verdict metric_verdict(const struct metric *m)
{
	double w = worsening(m);
	if (m->base == m->cur)
		return V_SAME;
	if (w < 0)
		return V_BETTER;
	/* a tolerance of exactly the change passes, whatever the last bit says */
	return w <= m->tol * (1 + 1e-9) ? V_WITHIN : V_REGRESSED;
}

static const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "same", "better", "within", "REGRESSED" };
	return names[v];
}

static void pct_format(double frac, char *buf, size_t n)
{
	snprintf(buf, n, "%g%%", frac * 100);
}

/* One input that differs: a key of the objects at path, or the value. */
static int input_diff_print(const struct report *a, const struct report *b, const char *path, int shown)
{
	json_t *x = path_get(a->root, path), *y = path_get(b->root, path);
	if (json_is_object(x) && json_is_object(y)) {
		const char *k;
		json_t *v;
		json_object_foreach(x, k, v) {
			char *p = ax_xasprintf("%s.%s", path, k);
			json_t *w = json_object_get(y, k);
			if (!w || !json_equal(v, w)) {
				char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
				char *t = w ? json_dumps(w, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
				if (!shown++)
					printf("\ninputs that differ:\n");
				printf("  %-40s %s -> %s\n", p, s ? s : "?", t ? t : "(absent)");
				free(s);
				free(t);
			}
			free(p);
		}
		json_object_foreach(y, k, v) {
			if (json_object_get(x, k))
				continue;
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			char *p = ax_xasprintf("%s.%s", path, k);
			if (!shown++)
				printf("\ninputs that differ:\n");
			printf("  %-40s (absent) -> %s\n", p, s ? s : "?");
			free(s);
			free(p);
		}
		return shown;
	}
	if ((x || y) && !(x && y && json_equal(x, y))) {
		char *s = x ? json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		char *t = y ? json_dumps(y, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		if (!shown++)
			printf("\ninputs that differ:\n");
		printf("  %-40s %s -> %s\n", path, s ? s : "(absent)", t ? t : "(absent)");
		free(s);
		free(t);
	}
	return shown;
}

static void metrics_print(const struct metric *m, size_t n)
{
	int w = 6;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(m[i].name) > w)
			w = (int)strlen(m[i].name);
	printf("\n%-*s  %-6s  %14s  %14s  %9s  %9s  %s\n", w, "metric", "better", "base", "new", "change",
	       "tolerance", "verdict");
	for (size_t i = 0; i < n; i++) {
		char b[64], c[64], ch[64], t[64];
		num_format(m[i].base, b, sizeof(b));
		num_format(m[i].cur, c, sizeof(c));
		change_format(m[i].base, m[i].cur, ch, sizeof(ch));
		pct_format(m[i].tol, t, sizeof(t));
		printf("%-*s  %-6s  %14s  %14s  %9s  %9s  %s\n", w, m[i].name, m[i].higher_better ? "higher" : "lower",
		       b, c, ch, t, verdict_name(metric_verdict(&m[i])));
	}
}

static void layers_print(struct layers *a, const struct layers *b)
{
	size_t both = 0, n_changed = 0, added = 0, removed = 0;
	struct layer **changed = ax_xcalloc(a->n ? a->n : 1, sizeof(*changed));
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].match < 0) {
			removed++;
			continue;
		}
		both++;
		a->v[i].delta = b->v[a->v[i].match].cycles - a->v[i].cycles;
		if (a->v[i].delta != 0)
			changed[n_changed++] = &a->v[i];
	}
	for (size_t i = 0; i < b->n; i++)
		added += b->v[i].match < 0;
	printf("\nlayers: %zu in both (%zu with other cycles), %zu added, %zu removed\n", both, n_changed, added,
	       removed);
	if (n_changed) {
		qsort(changed, n_changed, sizeof(*changed), by_change);
		size_t shown = n_changed < LAYERS_LISTED ? n_changed : LAYERS_LISTED;
		int w = 5;
		for (size_t i = 0; i < shown; i++)
			if ((int)strlen(changed[i]->name) > w)
				w = (int)strlen(changed[i]->name);
		printf("  %-*s  %12s  %12s  %12s  %9s\n", w, "layer", "base cycles", "new cycles", "difference", "change");
		for (size_t i = 0; i < shown; i++) {
			const struct layer *l = changed[i];
			double cur = b->v[l->match].cycles;
			char x[64], y[64], d[64], sd[80], ch[64];
			num_format(l->cycles, x, sizeof(x));
			num_format(cur, y, sizeof(y));
			num_format(cur - l->cycles, d, sizeof(d));
			snprintf(sd, sizeof(sd), "%s%s", cur > l->cycles ? "+" : "", d);
			change_format(l->cycles, cur, ch, sizeof(ch));
			printf("  %-*s  %12s  %12s  %12s  %9s\n", w, l->name, x, y, sd, ch);
		}
		if (n_changed > shown)
			printf("  ... and %zu more with other cycles\n", n_changed - shown);
	}
	free(changed);
	const struct layers *lists[2] = { b, a };
	const char *what[2] = { "added", "removed" };
	for (int k = 0; k < 2; k++) {
		size_t listed = 0, total = k ? removed : added;
		for (size_t i = 0; i < lists[k]->n; i++) {
			const struct layer *l = &lists[k]->v[i];
			if (l->match >= 0)
				continue;
			if (listed++ == ADDED_LISTED)
				break;
			char c[64];
			num_format(l->cycles, c, sizeof(c));
			printf("  %s: %s (%s cycles)\n", what[k], l->name, c);
		}
		if (total > ADDED_LISTED)
			printf("  ... and %zu more %s\n", total - ADDED_LISTED, what[k]);
	}
}

/* The last lines: which metrics regressed, or that none did. */
static int verdict_print(const struct metric *m, size_t n)
{
	size_t regressed = 0;
	for (size_t i = 0; i < n; i++) {
		if (metric_verdict(&m[i]) != V_REGRESSED)
			continue;
		char ch[64], t[64];
		change_format(m[i].base, m[i].cur, ch, sizeof(ch));
		pct_format(m[i].tol, t, sizeof(t));
		printf("%s %s: %s, %s is better, tolerance %s\n", regressed++ ? "          " : "\nregressed:", m[i].name,
		       ch, m[i].higher_better ? "higher" : "lower", t);
	}
	if (regressed) {
		printf("result: %zu of %zu metrics worse than the base beyond their tolerance\n", regressed, n);
		return 1;
	}
	size_t improved = 0;
	for (size_t i = 0; i < n; i++) {
		if (metric_verdict(&m[i]) != V_BETTER || -worsening(&m[i]) <= m[i].tol)
			continue;
		char ch[64], t[64];
		change_format(m[i].base, m[i].cur, ch, sizeof(ch));
		pct_format(m[i].tol, t, sizeof(t));
		printf("%s %s: %s, better than the base beyond its tolerance %s\n",
		       improved++ ? "         " : "\nimproved:", m[i].name, ch, t);
	}
	if (improved)
		printf("(an intended improvement is kept by updating the baseline; docs/regression.md)\n");
	printf("\nresult: no metric worse than the base beyond its tolerance\n");
	return 0;
}

/* ---- the command ---- */

int ax_cmd_compare(int argc, char **argv)
{
	struct ax_opts o;
	if (ax_opts_parse("compare", argc, argv, "--tolerance --metric --force", 2, &o))
		return 2;
	if (o.help) {
		fputs("usage: axsim compare BASE.json NEW.json [--tolerance [METRIC=]PCT]... [--metric PATH]... [--force]\n"
		      "Compares two reports of axsim run --json: the metrics (by default latency, throughput,\n"
		      "IMC utilisation, the bytes moved through DDR, L2 and L1, energy per inference and\n"
		      "fps per watt), the inputs that differ and\n"
		      "each layer's cycles.  Exits 1 when a metric of NEW is worse than BASE by more than its\n"
		      "tolerance, 2 on bad input, 0 otherwise (docs/regression.md).\n"
		      "  --tolerance PCT         allowed worsening of every metric, e.g. 2% (default 0%)\n"
		      "  --tolerance METRIC=PCT  of one metric, e.g. totals.fps=5%\n"
		      "  --metric PATH           compare this instead of the defaults (repeatable): a dotted\n"
		      "                          path such as memory.ddr.read_bytes, or paths added with '+'\n"
		      "                          (memory.ddr.read_bytes+write_bytes); lower is better except\n"
		      "                          for totals.fps, totals.imc_utilization and energy.fps_per_w\n"
		      "  --force                 compare reports of different networks\n",
		      stdout);
		return 0;
	}
	if (o.n_positional != 2) {
		fprintf(stderr, "axsim compare: expected two reports, BASE.json NEW.json; see axsim compare --help\n");
		return 2;
	}
	int status = 2;
	struct ax_err err;
	ax_err_init(&err);
	size_t n = 0;
	struct metric *m = metrics_select(&o, &n, &err);
	tolerances_apply(&o, m, n, &err);
	struct report base, cur;
	struct layers lb = { 0 }, lc = { 0 };
	report_load(&base, o.positional[0], &err);
	report_load(&cur, o.positional[1], &err);
	if (!base.root || !cur.root || err.count)
		goto print;
	if (strcmp(base.network, cur.network) && !o.force) {
		ax_err_add(&err, "'%s' is a run of network '%s' but '%s' of '%s'; "
			   "use --force to compare runs of different networks", base.path, base.network,
			   cur.path, cur.network);
		goto print;
	}
	for (size_t i = 0; i < n; i++) {
		metric_eval(&base, m[i].name, &m[i].base, &err);
		metric_eval(&cur, m[i].name, &m[i].cur, &err);
	}
	layers_load(&base, &lb, &err);
	layers_load(&cur, &lc, &err);
	if (err.count)
		goto print;
	layers_match(&lb, &lc);

	if (strcmp(base.network, cur.network))
		printf("networks: base %s, new %s (--force)\n", base.network, cur.network);
	else
		printf("network: %s\n", base.network);
	printf("base: %s\nnew:  %s\n", base.path, cur.path);
	int shown = 0;
	for (size_t i = 0; i < sizeof(input_paths) / sizeof(input_paths[0]); i++)
		shown = input_diff_print(&base, &cur, input_paths[i], shown);
	if (!shown)
		printf("\ninputs: the same network, compilation configuration and hardware\n");
	metrics_print(m, n);
	layers_print(&lb, &lc);
	status = verdict_print(m, n);
print:
	ax_cli_print_errors(&err, "axsim compare: ");
	free(lb.v);
	free(lc.v);
	json_decref(base.root);
	json_decref(cur.root);
	free(m);
	ax_err_release(&err);
	return status;
}
