/*
 * check_schema.c - the JSON report against its documentation: the tables of
 * docs/report-format.md are read at test time, and every documented field
 * must be in the report of the real axsim binary with the documented type,
 * and every field of the report must be documented.
 *
 * The notation of the field column is the one docs/report-format.md
 * explains: `a.b` nests, `.c` replaces the previous field's last key,
 * `<x,y>` expands to each alternative, `a.*` is every key of object a, and
 * `a[]` is an array whose elements the table under a heading naming `a[]`
 * describes.
 */
#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "report/stats.h"

enum {
	T_INT = 1, T_REAL = 2, T_STR = 4, T_BOOL = 8, T_NULL = 16, T_OBJ = 32, T_ARR = 64,
};

static const struct {
	const char *name;
	unsigned bit;
} type_names[] = {
	{ "integer", T_INT }, { "real", T_REAL }, { "string", T_STR }, { "boolean", T_BOOL },
	{ "null", T_NULL }, { "object", T_OBJ }, { "array", T_ARR },
};

struct field {
	char *path;         /* "layers[].dma.ddr_read_bytes", "config.*" */
	unsigned types;
	int line;           /* in the document */
	const char *file;   /* the document, e.g. "report-format.md" */
};

struct doc {
	struct field *f;
	size_t n, cap;
};

/* The document being parsed, for messages (docs/report-format.md or
 * docs/sweeps.md). */
static const char *doc_file = "report-format.md";

/* Problems found, one per line. */
struct msgs {
	char buf[16384];
	size_t len;
	int count;
};

__attribute__((format(printf, 2, 3)))
static void msg(struct msgs *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (m->len < sizeof(m->buf) - 1) {
		int n = vsnprintf(m->buf + m->len, sizeof(m->buf) - m->len - 1, fmt, ap);
		if (n > 0)
			m->len += (size_t)n < sizeof(m->buf) - m->len - 1 ? (size_t)n : sizeof(m->buf) - m->len - 1;
		m->buf[m->len++] = '\n';
		m->buf[m->len] = '\0';
	}
	va_end(ap);
	m->count++;
}

static void doc_add(struct doc *d, const char *path, unsigned types, int line)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->f = realloc(d->f, d->cap * sizeof(*d->f));
		ck_assert_ptr_nonnull(d->f);
	}
	d->f[d->n++] = (struct field){ strdup(path), types, line, doc_file };
}

static void doc_free(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->f[i].path);
	free(d->f);
	memset(d, 0, sizeof(*d));
}

/* Adds pat with every <x,y> replaced by each alternative in turn. */
static void expand(struct doc *d, const char *pat, unsigned types, int line, struct msgs *m)
{
	const char *lt = strchr(pat, '<');
	if (!lt) {
		doc_add(d, pat, types, line);
		return;
	}
	const char *gt = strchr(lt, '>');
	if (!gt) {
		msg(m, "%s:%d: '<' without '>' in '%s'", doc_file, line, pat);
		return;
	}
	for (const char *a = lt + 1; a < gt;) {
		const char *e = memchr(a, ',', (size_t)(gt - a));
		if (!e)
			e = gt;
		char buf[512];
		snprintf(buf, sizeof(buf), "%.*s%.*s%s", (int)(lt - pat), pat, (int)(e - a), a, gt + 1);
		expand(d, buf, types, line, m);
		a = e + 1;
	}
}

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

/* "integer", "string, null", "real or null" */
static unsigned types_parse(const char *cell, int line, struct msgs *m)
{
	unsigned t = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", cell);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = ' ';
	char *save = NULL;
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "or"))
			continue;
		size_t k = 0;
		while (k < sizeof(type_names) / sizeof(type_names[0]) && strcmp(type_names[k].name, w))
			k++;
		if (k == sizeof(type_names) / sizeof(type_names[0]))
			msg(m, "%s:%d: unknown type '%s'", doc_file, line, w);
		else
			t |= type_names[k].bit;
	}
	if (!t)
		msg(m, "%s:%d: no type", doc_file, line);
	return t;
}

/* One data row: the backticked names of the first cell, with continuations. */
static void row_parse(struct doc *d, const char *prefix, char *first, const char *type_cell, int line,
		      struct msgs *m)
{
	unsigned types = types_parse(type_cell, line, m);
	char prev[512] = "";
	int any = 0;
	for (char *p = strchr(first, '`'); p; p = strchr(p, '`')) {
		char *e = strchr(p + 1, '`');
		if (!e) {
			msg(m, "%s:%d: unmatched '`'", doc_file, line);
			return;
		}
		*e = '\0';
		const char *name = p + 1;
		char full[512];
		if (name[0] == '.') {
			char *dot = strrchr(prev, '.');
			if (!dot) {
				msg(m, "%s:%d: '%s' continues no field with a '.'", doc_file, line, name);
				return;
			}
			snprintf(full, sizeof(full), "%.*s%s", (int)(dot - prev), prev, name);
		} else {
			snprintf(full, sizeof(full), "%s", name);
		}
		snprintf(prev, sizeof(prev), "%s", full);
		char path[600];
		snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", full);
		expand(d, path, types, line, m);
		any = 1;
		p = e + 1;
	}
	if (!any)
		msg(m, "%s:%d: a row without a field in backticks", doc_file, line);
}

/* The field tables of the sections of text whose heading starts with
 * section (e.g. "## JSON"). */
static void doc_parse(const char *text, const char *section, struct doc *d, struct msgs *m)
{
	char *copy = strdup(text);
	char prefix[128] = "";
	int in_json = 0, type_col = -1, line = 0;
	for (char *l = copy, *nl; l && *l; l = nl) {
		nl = strchr(l, '\n');
		if (nl)
			*nl++ = '\0';
		line++;
		if (!strncmp(l, "## ", 3)) {
			in_json = !strncmp(l, section, strlen(section));
			prefix[0] = '\0';
			type_col = -1;
			continue;
		}
		if (!in_json)
			continue;
		if (l[0] == '#') {
			/* a heading naming `a[]` describes the elements of a */
			prefix[0] = '\0';
			type_col = -1;
			for (char *p = strchr(l, '`'); p; p = strchr(p, '`')) {
				char *e = strchr(p + 1, '`');
				if (!e)
					break;
				if (e - p > 3 && !strncmp(e - 2, "[]", 2))
					snprintf(prefix, sizeof(prefix), "%.*s", (int)(e - p - 1), p + 1);
				p = e + 1;
			}
			continue;
		}
		if (l[0] != '|')
			continue;
		char *cells[16];
		int nc = 0;
		for (char *c = l + 1; *c && nc < 16;) {
			char *bar = strchr(c, '|');
			if (!bar)
				break;
			*bar = '\0';
			cells[nc++] = trim(c);
			c = bar + 1;
		}
		if (nc && !strcmp(cells[0], "field")) {
			type_col = -1;
			for (int i = 0; i < nc; i++)
				if (!strcmp(cells[i], "type"))
					type_col = i;
			if (type_col < 0)
				msg(m, "%s:%d: a field table without a type column", doc_file, line);
			continue;
		}
		if (nc && !strncmp(cells[0], "---", 3))
			continue;
		if (type_col < 0 || type_col >= nc) {
			msg(m, "%s:%d: a table row outside a field table with a type column", doc_file, line);
			continue;
		}
		row_parse(d, prefix, cells[0], cells[type_col], line, m);
	}
	free(copy);
}

static const struct field *doc_find(const struct doc *d, const char *path)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->f[i].path, path))
			return &d->f[i];
	return NULL;
}

static unsigned type_of(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_INTEGER: return T_INT;
	case JSON_REAL: return T_REAL;
	case JSON_STRING: return T_STR;
	case JSON_TRUE: case JSON_FALSE: return T_BOOL;
	case JSON_NULL: return T_NULL;
	case JSON_OBJECT: return T_OBJ;
	case JSON_ARRAY: return T_ARR;
	}
	return 0;
}

static const char *type_name(unsigned bit)
{
	for (size_t k = 0; k < sizeof(type_names) / sizeof(type_names[0]); k++)
		if (type_names[k].bit == bit)
			return type_names[k].name;
	return "?";
}

/* Checks the documented field whose rest of path is rest, below j (shown
 * as at). */
static void field_check(const json_t *j, const char *rest, const char *at, const struct field *f, struct msgs *m)
{
	if (!*rest) {
		if (!(type_of(j) & f->types))
			msg(m, "%s is %s; %s:%d documents another type", at, type_name(type_of(j)), f->file, f->line);
		return;
	}
	size_t n = strcspn(rest, ".");
	const char *next = rest[n] ? rest + n + 1 : rest + n;
	char key[256], here[1024];
	snprintf(key, sizeof(key), "%.*s", (int)n, rest);
	if (!strcmp(key, "*")) {
		if (!json_is_object(j)) {
			msg(m, "%s is not an object (%s:%d)", at, f->file, f->line);
			return;
		}
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) {
			snprintf(here, sizeof(here), "%s.%s", at, k);
			field_check(v, next, here, f, m);
		}
		return;
	}
	int arr = n > 2 && !strcmp(key + n - 2, "[]");
	if (arr)
		key[n - 2] = '\0';
	const json_t *v = json_object_get(j, key);
	snprintf(here, sizeof(here), "%s%s%s", at, at[0] ? "." : "", key);
	if (!v) {
		msg(m, "the report has no %s (documented at %s:%d as %s)", here, f->file, f->line, f->path);
		return;
	}
	if (!arr) {
		field_check(v, next, here, f, m);
		return;
	}
	if (!json_is_array(v)) {
		msg(m, "%s is not an array (%s:%d)", here, f->file, f->line);
		return;
	}
	if (!*next) {
		field_check(v, next, here, f, m);
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		char el[1100];
		snprintf(el, sizeof(el), "%s[%zu]", here, i);
		field_check(e, next, el, f, m);
	}
}

/* Whether the key at path (arrays written a[]) is documented: a field,
 * an array field, a prefix of one, or a key of a documented a.*. */
static int documented(const struct doc *d, const char *parent, const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s%s*", parent, parent[0] ? "." : "");
	if (doc_find(d, buf))
		return 1;
	size_t n = strlen(path);
	for (size_t i = 0; i < d->n; i++) {
		const char *p = d->f[i].path;
		if (strncmp(p, path, n))
			continue;
		if (!p[n] || p[n] == '.' || !strncmp(p + n, "[]", 2))
			return 1;
	}
	return 0;
}

/* Every key of j (at the documented path path) must be documented. */
static void undocumented_check(const struct doc *d, const json_t *j, const char *path, struct msgs *m)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)j, k, v) {
		char sub[1024];
		snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", k);
		if (!documented(d, path, sub)) {
			msg(m, "the report's %s is not documented (in %s)", sub, doc_file);
			continue;
		}
		char wild[1040];
		snprintf(wild, sizeof(wild), "%s%s*", path, path[0] ? "." : "");
		if (doc_find(d, wild))
			continue;              /* below a.*, the type check covers it */
		if (json_is_object(v)) {
			undocumented_check(d, v, sub, m);
		} else if (json_is_array(v)) {
			char arr[1040];
			snprintf(arr, sizeof(arr), "%s[]", sub);
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e)
				if (json_is_object(e))
					undocumented_check(d, e, arr, m);
		}
	}
}

static void schema_check(const struct doc *d, const json_t *report, struct msgs *m)
{
	for (size_t i = 0; i < d->n; i++)
		field_check(report, d->f[i].path, "", &d->f[i], m);
	undocumented_check(d, report, "", m);
}

static void real_doc(struct doc *d)
{
	char *text = ax_read_file(ax_src("docs/report-format.md"), NULL);
	ck_assert_msg(text != NULL, "cannot read docs/report-format.md");
	struct msgs m = { .len = 0 };
	memset(d, 0, sizeof(*d));
	doc_parse(text, "## JSON", d, &m);
	ck_assert_msg(m.count == 0, "docs/report-format.md:\n%s", m.buf);
	free(text);
}

/* The tables parse, with the notation expanded as the document says. */
START_TEST(test_doc_parses)
{
	struct doc d;
	real_doc(&d);
	static const struct {
		const char *path;
		unsigned types;
	} want[] = {
		{ "schema_version", T_INT },
		{ "network.name", T_STR },
		{ "network.weight_bytes", T_INT },                    /* continuation */
		{ "config.*", T_STR | T_INT | T_REAL | T_BOOL | T_NULL | T_ARR },
		{ "config.board", T_STR | T_NULL },
		{ "totals.latency_us", T_REAL },
		{ "busy.controller", T_REAL },                        /* alternatives */
		{ "memory.l2.write_bytes", T_INT },                   /* both */
		{ "memory.l1.constants.write_bytes", T_INT },
		{ "cores[]", T_ARR },
		{ "cores[].busy.dma_core", T_REAL },                  /* element table */
		{ "layers[].dma.l1_write_bytes", T_INT },
		{ "layers[].output_fused", T_BOOL },
		{ "simulation.activations", T_INT },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct field *f = doc_find(&d, want[i].path);
		ck_assert_msg(f != NULL, "docs/report-format.md does not document %s", want[i].path);
		ck_assert_msg(f->types == want[i].types, "%s: types %#x, expected %#x", want[i].path, f->types,
			      want[i].types);
	}
	ck_assert_ptr_null(doc_find(&d, "memory.<ddr,l2,l1>.busy"));
	ck_assert_ptr_null(doc_find(&d, ".layers"));
	ck_assert_ptr_null(doc_find(&d, "name"));                   /* layers' name is layers[].name */
	ck_assert_ptr_null(doc_find(&d, "csv"));                    /* only the JSON section */
	doc_free(&d);
}
END_TEST

/* The checker finds a missing field, a wrong type, an undocumented key and
 * a bad table, and nothing in a report that matches. */
START_TEST(test_checker_catches)
{
	const char *text = "# t\n\n## JSON\n\n| field | type | meaning |\n|---|---|---|\n"
			   "| `a.b`, `.c` | integer | x |\n| `m.<p,q>.n` | real or null | y |\n"
			   "| `w.*` | string | z |\n| `l[]` | array | |\n\n### L (`l[]`)\n\n"
			   "| field | type | meaning |\n|---|---|---|\n| `k` | boolean | |\n\n## CSV\n\n"
			   "| field | type | meaning |\n|---|---|---|\n| `csv` | integer | |\n";
	struct doc d = { 0 };
	struct msgs m = { .len = 0 };
	doc_parse(text, "## JSON", &d, &m);
	ck_assert_msg(m.count == 0, "%s", m.buf);
	ck_assert_uint_eq(d.n, 7);
	static const struct {
		const char *json, *needle;       /* needle NULL: no problem */
	} cases[] = {
		{ "{\"a\":{\"b\":1,\"c\":2},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":null}},\"w\":{\"x\":\"s\"},\"l\":[{\"k\":true}]}", NULL },
		{ "{\"a\":{\"b\":1},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":null}},\"w\":{},\"l\":[]}", "no a.c" },
		{ "{\"a\":{\"b\":1,\"c\":2.5},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":null}},\"w\":{},\"l\":[]}", "a.c is real" },
		{ "{\"a\":{\"b\":1,\"c\":2},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":1}},\"w\":{},\"l\":[]}", "m.q.n is integer" },
		{ "{\"a\":{\"b\":1,\"c\":2},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":null}},\"w\":{\"x\":1},\"l\":[]}", "w.x is integer" },
		{ "{\"a\":{\"b\":1,\"c\":2,\"d\":3},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":null}},\"w\":{},\"l\":[]}", "a.d is not documented" },
		{ "{\"a\":{\"b\":1,\"c\":2},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":null}},\"w\":{},\"l\":[{\"k\":1}]}", "l[0].k is integer" },
		{ "{\"a\":{\"b\":1,\"c\":2},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":null}},\"w\":{},\"l\":[{\"k\":true,\"z\":0}]}", "l[].z is not documented" },
		{ "{\"a\":{\"b\":1,\"c\":2},\"m\":{\"p\":{\"n\":0.5},\"q\":{\"n\":null}},\"w\":{},\"l\":[],\"top\":1}", "top is not documented" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_error_t je;
		json_t *j = json_loads(cases[i].json, 0, &je);
		ck_assert_msg(j != NULL, "case %zu: %s", i, je.text);
		struct msgs r = { .len = 0 };
		schema_check(&d, j, &r);
		if (!cases[i].needle)
			ck_assert_msg(r.count == 0, "case %zu: %s", i, r.buf);
		else
			ck_assert_msg(r.count == 1 && strstr(r.buf, cases[i].needle), "case %zu: expected '%s', got %d: %s", i,
				      cases[i].needle, r.count, r.buf);
		json_decref(j);
	}
	doc_free(&d);
	/* malformed tables are reported */
	static const char *const bad[] = {
		"## JSON\n| field | type | meaning |\n|---|---|---|\n| `.a` | integer | |\n",
		"## JSON\n| field | type | meaning |\n|---|---|---|\n| `a` | integr | |\n",
		"## JSON\n| field | meaning |\n|---|---|\n| `a` | x |\n",
		"## JSON\n| field | type | meaning |\n|---|---|---|\n| a | integer | |\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct doc e = { 0 };
		struct msgs r = { .len = 0 };
		doc_parse(bad[i], "## JSON", &e, &r);
		ck_assert_msg(r.count > 0, "bad table %zu accepted", i);
		doc_free(&e);
	}
}
END_TEST

/* The runs checked: the tiny network (with and without a board), each
 * bundled network with its model YAML (one and four copies, one and four
 * cores per copy), and the bundled pipeline of two models (net NULL). */
static const struct {
	const char *net, *model, *extra;
} runs[] = {
	{ "models/tiny/tiny.net.yaml", "models/tiny/tiny.yaml", "" },
	{ "models/tiny/tiny.net.yaml", "models/tiny/tiny.yaml", "--board m2 --inferences 1" },
	{ "models/resnet50/resnet50.net.yaml", "models/resnet50/resnet50.yaml", "" },
	{ "models/mobilenetv2/mobilenetv2.net.yaml", "models/mobilenetv2/mobilenetv2.yaml", "" },
	{ "models/yolov5s/yolov5s.net.yaml", "models/yolov5s/yolov5s.yaml", "" },
	{ NULL, "models/pipelines/yolov5s-mobilenetv2.yaml", "" },
};

static json_t *run_json(size_t i)
{
	char name[64];
	snprintf(name, sizeof(name), "schema%zu.json", i);
	char *out = ax_tmp(name);
	char *elf = NULL;
	struct ax_run r;
	if (runs[i].net) {
		elf = ax_compiled(ax_src(runs[i].net));
		r = ax_run_axsim("run '%s' --config '%s' --quiet --json '%s' %s", elf, ax_src(runs[i].model), out,
				 runs[i].extra);
	} else {
		char *det = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
		char *cls = ax_compiled(ax_src("models/mobilenetv2/mobilenetv2.net.yaml"));
		r = ax_run_axsim("run --config '%s' --net yolov5s-v7-coco-onnx='%s' --net mobilenetv2-imagenet-onnx='%s' "
				 "--quiet --json '%s'", ax_src(runs[i].model), det, cls, out);
		free(det);
		free(cls);
	}
	ck_assert_msg(r.status == 0, "axsim run %s failed (%d): %s", runs[i].net ? runs[i].net : runs[i].model,
		      r.status, r.err);
	json_error_t je;
	json_t *j = json_load_file(out, 0, &je);
	ck_assert_msg(j != NULL, "%s:%d:%d: %s", out, je.line, je.column, je.text);
	ax_run_free(&r);
	free(out);
	free(elf);
	return j;
}

/* Every documented field is in the report with its type; every field of the
 * report is documented. */
START_TEST(test_report_matches_doc)
{
	struct doc d;
	real_doc(&d);
	json_t *j = run_json((size_t)_i);
	struct msgs m = { .len = 0 };
	schema_check(&d, j, &m);
	ck_assert_msg(m.count == 0, "%s %s: %d problems:\n%s", runs[_i].net ? runs[_i].net : runs[_i].model,
		      runs[_i].extra, m.count, m.buf);
	json_decref(j);
	doc_free(&d);
}
END_TEST

/* The keys of one table of docs/config-reference.md (the section starting
 * with heading). */
static size_t ref_keys(const char *text, const char *heading, char keys[][64], size_t max)
{
	const char *s = strstr(text, heading);
	ck_assert_msg(s != NULL, "docs/config-reference.md has no '%s'", heading);
	const char *end = strstr(s + strlen(heading), "\n## ");
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, "\n| `")) && (!end || p < end); p++) {
		const char *k = p + 4, *e = strchr(k, '`');
		ck_assert_uint_lt(n, max);
		snprintf(keys[n++], 64, "%.*s", (int)(e - k), k);
	}
	return n;
}

static int has_key(char keys[][64], size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i], k))
			return 1;
	return 0;
}

/* config.* and arch.* hold exactly the keys docs/config-reference.md lists
 * (plus board and model in config). */
START_TEST(test_config_arch_keys)
{
	char *text = ax_read_file(ax_src("docs/config-reference.md"), NULL);
	ck_assert_ptr_nonnull(text);
	static char hw[256][64], cc[256][64];
	size_t nhw = ref_keys(text, "## Hardware description", hw, 256);
	size_t ncc = ref_keys(text, "## Compilation configuration", cc, 254);
	ck_assert_uint_gt(nhw, 10);
	ck_assert_uint_gt(ncc, 5);
	snprintf(cc[ncc++], 64, "board");
	snprintf(cc[ncc++], 64, "model");
	json_t *j = run_json(0);
	static const char *const obj[2] = { "config", "arch" };
	for (int t = 0; t < 2; t++) {
		char (*keys)[64] = t ? hw : cc;
		size_t n = t ? nhw : ncc;
		json_t *o = json_object_get(j, obj[t]);
		ck_assert_msg(json_is_object(o), "no %s object", obj[t]);
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v)
			ck_assert_msg(has_key(keys, n, k), "%s.%s is not in docs/config-reference.md", obj[t], k);
		for (size_t i = 0; i < n; i++)
			ck_assert_msg(json_object_get(o, keys[i]), "the report's %s lacks '%s'", obj[t], keys[i]);
	}
	json_decref(j);
	free(text);
}
END_TEST

/* docs/sweeps.md: the sweep JSON, and a point file (the run JSON plus
 * `sweep`), of a real sweep of the tiny network over a compilation and a
 * hardware axis. */
START_TEST(test_sweep_matches_doc)
{
	char *text = ax_read_file(ax_src("docs/sweeps.md"), NULL);
	ck_assert_msg(text != NULL, "cannot read docs/sweeps.md");
	struct doc sw = { 0 }, pt;
	struct msgs m = { .len = 0 };
	doc_file = "sweeps.md";
	doc_parse(text, "## Sweep JSON", &sw, &m);
	ck_assert_msg(m.count == 0, "docs/sweeps.md:\n%s", m.buf);
	ck_assert_ptr_nonnull(doc_find(&sw, "points[].values.*"));
	ck_assert_ptr_nonnull(doc_find(&sw, "axes[].kind"));
	real_doc(&pt);                                   /* the run JSON, then `sweep` */
	doc_file = "sweeps.md";
	doc_parse(text, "## Point files", &pt, &m);
	ck_assert_msg(m.count == 0, "docs/sweeps.md:\n%s", m.buf);
	ck_assert_ptr_nonnull(doc_find(&pt, "sweep.status"));

	char *elf = ax_compiled(ax_src("models/tiny/tiny.net.yaml"));
	char *out = ax_tmp("schema-sweep"), *js = ax_tmp("schema-sweep.json");
	/* integer, boolean, string (enum) and hardware axes; --cores 8 fails
	 * (more than the chip's 4), so failed points are there too */
	struct ax_run r = ax_run_axsim("sweep '%s' --config '%s' --tiling-depth 1,2 --page-memory true "
				       "--set ptq_scheme=per_tensor_min_max,hybrid_per_tensor_per_channel "
				       "--set l2.size=16MiB --cores 4,8 --jobs 2 --out '%s' --json '%s'", elf,
				       ax_src("models/tiny/tiny.yaml"), out, js);
	ck_assert_msg(r.status == 0, "axsim sweep exited %d: %s", r.status, r.err);   /* failed points too */
	json_error_t je;
	json_t *j = json_load_file(js, 0, &je);
	ck_assert_msg(j != NULL, "%s:%d:%d: %s", js, je.line, je.column, je.text);
	ck_assert_int_eq(json_array_size(json_object_get(j, "points")), 8);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "points_failed")), 4);
	struct msgs c = { .len = 0 };
	schema_check(&sw, j, &c);
	ck_assert_msg(c.count == 0, "sweep JSON: %d problems:\n%s", c.count, c.buf);

	/* each point file: a run JSON with `sweep`, or `sweep` alone when it failed */
	struct doc only = { 0 };
	doc_file = "sweeps.md";
	doc_parse(text, "## Point files", &only, &m);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(j, "points"), i, p) {
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", out, json_string_value(json_object_get(p, "file")));
		json_t *pj = json_load_file(path, 0, &je);
		ck_assert_msg(pj != NULL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		int ok = !strcmp(json_string_value(json_object_get(p, "status")), "ok");
		struct msgs pm = { .len = 0 };
		schema_check(ok ? &pt : &only, pj, &pm);
		ck_assert_msg(pm.count == 0, "%s: %d problems:\n%s", path, pm.count, pm.buf);
		json_decref(pj);
	}
	/* and the checker does see a field the document lacks */
	json_object_set_new(json_array_get(json_object_get(j, "points"), 0), "surprise", json_integer(1));
	struct msgs e = { .len = 0 };
	schema_check(&sw, j, &e);
	ck_assert_msg(e.count == 1 && strstr(e.buf, "surprise"), "%s", e.buf);
	doc_file = "report-format.md";
	json_decref(j);
	ax_run_free(&r);
	doc_free(&sw);
	doc_free(&pt);
	doc_free(&only);
	free(elf);
	free(out);
	free(js);
	free(text);
}
END_TEST

/* docs/report-format.md is what axsim run --reference prints from the
 * statistics table. */
START_TEST(test_reference_is_current)
{
	free(ax_expect_generated("run --reference", "docs/report-format.md"));
	ax_expect_fail("--reference takes no other argument", "run --reference x.elf");
}
END_TEST

/* Every entry of a statistics table is complete, and the entries that share
 * a row of the documentation share its type and direction. */
static void table_check(const struct ax_stat *t, size_t n, const char *where)
{
	ck_assert_msg(n > 0 && t[0].doc, "%s: the first entry has no meaning", where);
	for (size_t i = 0; i < n; i++) {
		const struct ax_stat *s = &t[i];
		ck_assert_msg(s->path && s->type && s->unit, "%s: entry %zu lacks a path, type or unit", where, i);
		size_t len = strlen(s->path);
		int arr = len > 2 && !strcmp(s->path + len - 2, "[]");
		ck_assert_msg(arr ? s->elem && s->n_elem && s->count && s->select && s->title && !s->get
				  : !s->elem && s->get, "%s: %s is half an array", where, s->path);
		if (arr)
			table_check(s->elem, s->n_elem, s->path);
		if (!s->doc) {
			ck_assert_msg(!strcmp(s->type, t[i - 1].type) && s->better == t[i - 1].better,
				      "%s: %s shares the row of %s but not its type or direction", where, s->path,
				      t[i - 1].path);
		}
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(t[j].path, s->path), "%s: %s twice", where, s->path);
	}
}

START_TEST(test_stats_table)
{
	size_t n;
	const struct ax_stat *t = ax_report_stats(&n);
	table_check(t, n, "report");
	static const struct {
		const char *path, *entry;
		enum ax_stat_better better;
	} want[] = {
		{ "totals.fps", "totals.fps", AX_STAT_HIGHER },
		{ "totals.latency_cycles", "totals.latency_cycles", AX_STAT_LOWER },
		{ "memory.l2.busy", "memory.<mem>.busy", AX_STAT_NEITHER },
		{ "memory.l1.constants.write_bytes", "memory.<mem>.<kind>.write_bytes", AX_STAT_LOWER },
		{ "busy.dma_sys", "busy.<engine>", AX_STAT_NEITHER },
		{ "config.tiling_depth", "config.*", AX_STAT_NEITHER },
		{ "arch.imc.rows", "arch.*", AX_STAT_NEITHER },
		{ "layers.3.cycles", "cycles", AX_STAT_LOWER },
		{ "layers.0.dma.l2_write_bytes", "dma.<mem>_<rw>_bytes", AX_STAT_NEITHER },
		{ "cores.1.busy.imc", "busy.<core_engine>", AX_STAT_NEITHER },
		{ "pipeline.models.0.frame_fps", "frame_fps", AX_STAT_HIGHER },
		{ "layers", NULL, 0 },
		{ "cores.0.busy.dma_sys", NULL, 0 },        /* the system DMA is no core's */
		{ "memory.l3.busy", NULL, 0 },
		{ "layers.x.cycles", NULL, 0 },
		{ "totals.fps.x", NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ax_stat *s = ax_stats_find(t, n, want[i].path);
		if (!want[i].entry) {
			ck_assert_msg(s == NULL, "%s found as %s", want[i].path, s ? s->path : "");
			continue;
		}
		ck_assert_msg(s != NULL, "%s not found", want[i].path);
		ck_assert_str_eq(s->path, want[i].entry);
		ck_assert_int_eq(s->better, want[i].better);
	}
	/* compare's defaults, in the order it has always compared them */
	struct ax_stat_metric m[16];
	size_t nm = ax_stats_compare_defaults(m, 16);
	static const char *const names[] = {
		"totals.latency_cycles", "totals.fps", "totals.imc_utilization",
		"memory.ddr.read_bytes+write_bytes", "memory.l2.read_bytes+write_bytes",
		"memory.l1.read_bytes+write_bytes", "energy.per_inference_j", "energy.fps_per_w",
	};
	static const int higher[] = { 0, 1, 1, 0, 0, 0, 0, 1 };
	ck_assert_uint_eq(nm, sizeof(names) / sizeof(names[0]));
	for (size_t i = 0; i < nm; i++) {
		ck_assert_str_eq(m[i].name, names[i]);
		ck_assert_int_eq(m[i].higher_better, higher[i]);
	}
	/* docs/regression.md lists them, each with its direction, then pipeline.fps */
	char *doc = ax_read_file(ax_src("docs/regression.md"), NULL);
	ck_assert_ptr_nonnull(doc);
	const char *row = strstr(doc, "| metric | better |\n|---|---|\n");
	ck_assert_msg(row != NULL, "docs/regression.md has no table of the default metrics");
	row = strchr(strchr(row, '\n') + 1, '\n') + 1;
	for (size_t i = 0; i < nm; i++, row = strchr(row, '\n') + 1) {
		char *line = ax_xasprintf("| `%s` | %s |", m[i].name, m[i].higher_better ? "higher" : "lower");
		ck_assert_msg(!strncmp(row, line, strlen(line)), "docs/regression.md: expected '%s' at '%.60s'", line, row);
		free(line);
	}
	ck_assert_msg(!strncmp(row, "| `pipeline.fps` | higher", 25), "docs/regression.md: '%.60s'", row);
	free(doc);
	char header[512];
	ax_stats_csv_header(ax_stats_find(t, n, "layers.0"), header, sizeof(header));
	ck_assert_str_eq(header, "layer,op,unit,start_cycle,cycles,macs,passes,utilization,row_tiles,col_tiles,"
				 "icr,group,group_size,imc_weight_bytes,output_home,output_bytes,bound");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("schema");
	TCase *t = tcase_create("schema");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_doc_parses);
	tcase_add_test(t, test_checker_catches);
	tcase_add_loop_test(t, test_report_matches_doc, 0, sizeof(runs) / sizeof(runs[0]));
	tcase_add_test(t, test_config_arch_keys);
	tcase_add_test(t, test_sweep_matches_doc);
	tcase_add_test(t, test_reference_is_current);
	tcase_add_test(t, test_stats_table);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
