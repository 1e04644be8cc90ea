/*
 * stats.c - the engine of the statistics registry (stats.h): expands the
 * <set> parts of a path, builds the JSON and the CSV from a table, finds the
 * entry of a path and prints the documentation's tables.
 */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "../lower/tasklist.h"
#include "../platform/platform.h"
#include "../power/energy.h"

/* ---- the sets a path part <name> stands for ---- */

static const char *mem_member(int i)
{
	return i < AX_MEM_COUNT ? ax_mem_name((enum ax_mem)i) : NULL;
}

static const char *kind_member(int i)
{
	return i < AX_KIND_COUNT ? ax_kind_name((enum ax_kind)i) : NULL;
}

static const char *engine_member(int i)
{
	return i < AX_E_COUNT ? ax_engine_name((enum ax_engine)i) : NULL;
}

/* A core's engines: the system DMA is the chip's, not a core's. */
static const char *core_engine_member(int i)
{
	return i == AX_E_DMA_SYS ? "" : engine_member(i);
}

static const char *energy_unit_member(int i)
{
	return i < AX_EU_COUNT ? ax_energy_unit_name((enum ax_energy_unit)i) : NULL;
}

static const char *rw_member(int i)
{
	static const char *const rw[] = { "read", "write" };
	return i < 2 ? rw[i] : NULL;
}

/* A member is the name, NULL past the last one, "" for one left out. */
static const struct {
	const char *name;
	const char *(*member)(int i);
} sets[] = {
	{ "mem", mem_member },
	{ "kind", kind_member },
	{ "engine", engine_member },
	{ "core_engine", core_engine_member },
	{ "energy_unit", energy_unit_member },
	{ "rw", rw_member },
};

#define MAX_SETS 4

static int set_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (strlen(sets[i].name) == len && !strncmp(sets[i].name, name, len))
			return (int)i;
	AX_BUG("the statistics name an unknown set '<%.*s>'", (int)len, name);
}

/* The sets of a path's <name> parts, in order; their count. */
static int path_sets(const char *path, int *set)
{
	int n = 0;
	for (const char *p = strchr(path, '<'); p; p = strchr(p + 1, '<')) {
		const char *e = strchr(p, '>');
		if (!e || n == MAX_SETS)
			AX_BUG("the statistic '%s' has a bad <set> part", path);
		set[n++] = set_find(p + 1, (size_t)(e - p - 1));
	}
	return n;
}

/* path with its k-th <set> part replaced by member ix[k] into buf. */
static void path_fill(const char *path, const int *set, const int *ix, char *buf, size_t len)
{
	size_t o = 0;
	int k = 0;
	for (const char *p = path; *p && o + 1 < len;) {
		if (*p == '<') {
			const char *m = sets[set[k]].member(ix[k]);
			o += (size_t)snprintf(buf + o, len - o, "%s", m);
			k++;
			p = strchr(p, '>') + 1;
		} else {
			buf[o++] = *p++;
		}
		if (o >= len)
			AX_BUG("the statistic '%s' is too long", path);
	}
	buf[o] = '\0';
}

void ax_stat_foreach(const struct ax_stat *s, void (*fn)(const char *path, const int *ix, void *arg), void *arg)
{
	int set[MAX_SETS], ix[MAX_SETS] = { 0 };
	int n = path_sets(s->path, set);
	char buf[256];
	for (;;) {
		int skip = 0;
		for (int k = 0; k < n; k++)
			skip |= !*sets[set[k]].member(ix[k]);
		if (!skip) {
			path_fill(s->path, set, ix, buf, sizeof(buf));
			fn(buf, ix, arg);
		}
		/* the next combination, the last part fastest */
		int k = n - 1;
		while (k >= 0) {
			ix[k]++;
			if (sets[set[k]].member(ix[k]))
				break;
			ix[k--] = 0;
		}
		if (k < 0)
			return;
	}
}

/* ---- JSON ---- */

/* The object at a dotted path of root (made when missing) and in *last the
 * path's last key (pointing into path). */
static json_t *parent_of(json_t *root, const char *path, const char **last)
{
	json_t *cur = root;
	const char *p = path;
	for (const char *dot; (dot = strchr(p, '.')); p = dot + 1) {
		char key[128];
		snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
		json_t *next = json_object_get(cur, key);
		if (!next) {
			next = json_object();
			json_object_set_new(cur, key, next);
		}
		cur = next;
	}
	*last = p;
	return cur;
}

struct json_walk {
	json_t *root;
	const struct ax_stat *s;
	struct ax_stat_ctx *c;
};

static void json_put(const char *path, const int *ix, void *arg)
{
	struct json_walk *w = arg;
	const char *last;
	size_t len = strlen(path);
	if (len > 2 && !strcmp(path + len - 2, ".*")) {
		/* the getter gives the object's keys */
		char obj[256];
		snprintf(obj, sizeof(obj), "%.*s.x", (int)(len - 2), path);
		json_t *parent = parent_of(w->root, obj, &last);
		json_t *v = w->s->get(w->c, ix);
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x)
			json_object_set(parent, k, x);
		json_decref(v);
		return;
	}
	if (len > 2 && !strcmp(path + len - 2, "[]")) {
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(len - 2), path);
		json_t *parent = parent_of(w->root, name, &last), *arr = json_array();
		size_t n = w->s->count(w->c);
		for (size_t k = 0; k < n; k++) {
			w->s->select(w->c, k);
			json_array_append_new(arr, ax_stats_json(w->s->elem, w->s->n_elem, w->c));
		}
		json_object_set_new(parent, last, arr);
		return;
	}
	json_t *parent = parent_of(w->root, path, &last);
	json_object_set_new(parent, last, w->s->get(w->c, ix));
}

json_t *ax_stats_json(const struct ax_stat *t, size_t n, struct ax_stat_ctx *c)
{
	struct json_walk w = { json_object(), NULL, c };
	for (size_t i = 0; i < n; i++) {
		w.s = &t[i];
		ax_stat_foreach(&t[i], json_put, &w);
	}
	return w.root;
}

/* ---- CSV ---- */

/* The element table's CSV columns in order: entries with csv set. */
static size_t csv_columns(const struct ax_stat *arr, const struct ax_stat **col, size_t max)
{
	size_t n = 0;
	for (int want = 1;; want++) {
		size_t i = 0;
		while (i < arr->n_elem && arr->elem[i].csv != want)
			i++;
		if (i == arr->n_elem)
			return n;
		if (n == max)
			AX_BUG("more than %zu CSV columns", max);
		col[n++] = &arr->elem[i];
	}
}

void ax_stats_csv_header(const struct ax_stat *arr, char *buf, size_t len)
{
	const struct ax_stat *col[64];
	size_t n = csv_columns(arr, col, 64), o = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < n && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", k ? "," : "",
				      col[k]->csv_name ? col[k]->csv_name : col[k]->path);
}

static void csv_add(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	AX_GROW(*buf, *cap, *len + n + 1);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

char *ax_stats_csv(const struct ax_stat *arr, struct ax_stat_ctx *c, size_t *out_len)
{
	const struct ax_stat *col[64];
	size_t ncol = csv_columns(arr, col, 64);
	char *buf = NULL, line[2048];
	size_t len = 0, cap = 0;
	ax_stats_csv_header(arr, line, sizeof(line));
	csv_add(&buf, &len, &cap, line);
	csv_add(&buf, &len, &cap, "\n");
	size_t n = arr->count(c);
	for (size_t e = 0; e < n; e++) {
		arr->select(c, e);
		for (size_t k = 0; k < ncol; k++) {
			json_t *v = col[k]->get(c, NULL);
			char num[64];
			if (json_is_string(v)) {
				char *q = ax_csv_quote(json_string_value(v));
				csv_add(&buf, &len, &cap, q);
				free(q);
			} else {
				if (json_is_integer(v))
					snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
				else if (json_is_real(v))
					snprintf(num, sizeof(num), "%.6g", json_real_value(v));
				else
					AX_BUG("the CSV column '%s' is neither a number nor a string", col[k]->path);
				csv_add(&buf, &len, &cap, num);
			}
			json_decref(v);
			csv_add(&buf, &len, &cap, k + 1 < ncol ? "," : "\n");
		}
	}
	*out_len = len;
	return buf;
}

/* ---- finding a path's entry ---- */

struct find_walk {
	const char *path;
	int found;
};

static void find_one(const char *path, const int *ix, void *arg)
{
	(void)ix;
	struct find_walk *f = arg;
	f->found |= !strcmp(path, f->path);
}

const struct ax_stat *ax_stats_find(const struct ax_stat *t, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = t[i].path;
		size_t len = strlen(p);
		if (len > 2 && (!strcmp(p + len - 2, ".*") || !strcmp(p + len - 2, "[]"))) {
			/* config.* holds any key; layers[] an index and an element's path */
			size_t base = len - 2;
			if (strncmp(path, p, base) || path[base] != '.' || !path[base + 1])
				continue;
			if (p[len - 1] == '*')
				return &t[i];
			const char *q = path + base + 1;
			size_t digits = strspn(q, "0123456789");
			if (!digits)
				continue;
			if (!q[digits])
				return &t[i];
			if (q[digits] == '.')
				return ax_stats_find(t[i].elem, t[i].n_elem, q + digits + 1);
			continue;
		}
		struct find_walk f = { path, 0 };
		ax_stat_foreach(&t[i], find_one, &f);
		if (f.found)
			return &t[i];
	}
	return NULL;
}

/* ---- compare's default metrics ---- */

struct metric_walk {
	const struct ax_stat *s;
	struct ax_stat_metric *out;
	int *rank;
	size_t n, max;
};

static void metric_one(const char *path, const int *ix, void *arg)
{
	(void)ix;
	struct metric_walk *w = arg;
	if (w->n == w->max)
		AX_BUG("more than %zu default metrics", w->max);
	struct ax_stat_metric *m = &w->out[w->n];
	snprintf(m->name, sizeof(m->name), "%s%s%s", path, w->s->compare_plus ? "+" : "",
		 w->s->compare_plus ? w->s->compare_plus : "");
	m->higher_better = w->s->better == AX_STAT_HIGHER;
	/* the members of one entry follow each other from its rank on */
	w->rank[w->n] = w->s->compare * 1000 + (int)w->n;
	w->n++;
}

size_t ax_stats_compare_defaults(struct ax_stat_metric *out, size_t max)
{
	size_t n;
	const struct ax_stat *t = ax_report_stats(&n);
	int rank[64];
	struct metric_walk w = { NULL, out, rank, 0, max < 64 ? max : 64 };
	for (size_t i = 0; i < n; i++) {
		if (!t[i].compare)
			continue;
		w.s = &t[i];
		ax_stat_foreach(&t[i], metric_one, &w);
	}
	for (size_t a = 1; a < w.n; a++) { /* insertion sort by rank */
		struct ax_stat_metric m = out[a];
		int r = rank[a];
		size_t b = a;
		for (; b > 0 && rank[b - 1] > r; b--) {
			out[b] = out[b - 1];
			rank[b] = rank[b - 1];
		}
		out[b] = m;
		rank[b] = r;
	}
	return w.n;
}

/* ---- the documentation ---- */

/* A path as the documentation writes it: each <set> as its members,
 * <ddr,l2,l1>. */
static void doc_path(const char *path, char *buf, size_t len)
{
	size_t o = 0;
	for (const char *p = path; *p && o + 1 < len;) {
		if (*p != '<') {
			buf[o++] = *p++;
			continue;
		}
		const char *e = strchr(p, '>');
		int set = set_find(p + 1, (size_t)(e - p - 1));
		o += (size_t)snprintf(buf + o, len - o, "<");
		int first = 1;
		for (int i = 0; sets[set].member(i) && o < len; i++) {
			const char *m = sets[set].member(i);
			if (!*m)
				continue;
			o += (size_t)snprintf(buf + o, len - o, "%s%s", first ? "" : ",", m);
			first = 0;
		}
		o += (size_t)snprintf(buf + o, len - o, ">");
		p = e + 1;
	}
	buf[o < len ? o : len - 1] = '\0';
}

static const char *better_word(enum ax_stat_better b)
{
	return b == AX_STAT_HIGHER ? "higher" : b == AX_STAT_LOWER ? "lower" : "";
}

/* The documentation's path of an entry: an array's with its [] kept. */
static void table_rows(const struct ax_stat *t, size_t n, FILE *out)
{
	fprintf(out, "| field | type | unit | better | meaning |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < n;) {
		/* a row: entry i and those after it without a meaning of their own */
		size_t j = i + 1;
		while (j < n && !t[j].doc)
			j++;
		fprintf(out, "| ");
		char units[256] = "";
		size_t uo = 0;
		const char *prev_unit = NULL;
		for (size_t k = i; k < j; k++) {
			char p[512];
			doc_path(t[k].path, p, sizeof(p));
			const char *dot = strrchr(p, '.');
			char prefix_k[512], prefix_prev[512];
			int cont = 0;
			if (k > i && dot) {
				char q[512];
				doc_path(t[k - 1].path, q, sizeof(q));
				const char *qd = strrchr(q, '.');
				snprintf(prefix_k, sizeof(prefix_k), "%.*s", (int)(dot - p), p);
				snprintf(prefix_prev, sizeof(prefix_prev), "%.*s", qd ? (int)(qd - q) : 0, q);
				cont = qd && !strcmp(prefix_k, prefix_prev);
			}
			fprintf(out, "%s`%s`", k > i ? ", " : "", cont ? dot : p);
			if (!prev_unit || strcmp(prev_unit, t[k].unit))
				uo += (size_t)snprintf(units + uo, sizeof(units) - uo, "%s%s", uo ? ", " : "", t[k].unit);
			prev_unit = t[k].unit;
			if (uo >= sizeof(units))
				AX_BUG("the units of '%s' are too long", t[i].path);
		}
		const char *better = better_word(t[i].better);
		fprintf(out, " | %s | %s%s| %s%s| %s |\n", t[i].type, units, *units ? " " : "", better,
			*better ? " " : "", t[i].doc);
		i = j;
	}
}

static void doc_arrays(const struct ax_stat *t, size_t n, const char *prefix, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!t[i].elem)
			continue;
		char path[256];
		snprintf(path, sizeof(path), "%s%s", prefix, t[i].path);
		fprintf(out, "\n### %s (`%s`)\n\n", t[i].title, path);
		table_rows(t[i].elem, t[i].n_elem, out);
		path[strlen(path) - 2] = '\0';
		char sub[260];
		snprintf(sub, sizeof(sub), "%s.", path);
		doc_arrays(t[i].elem, t[i].n_elem, sub, out);
	}
}

void ax_stats_doc(const struct ax_stat *t, size_t n, FILE *out)
{
	table_rows(t, n, out);
	doc_arrays(t, n, "", out);
}
