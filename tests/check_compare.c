/*
 * check_compare.c - axsim compare, the regression gate: the real binary on
 * reports of the tiny network, edited with jansson to make the changes each
 * test needs, and on two real runs that differ in a timing parameter.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *g_base;    /* tiny's report, made once before the tests fork */

static const char *const tiny_net = "models/tiny/tiny.net.yaml";
static const char *const tiny_model = "models/tiny/tiny.yaml";

/* Runs tiny with extra options into tag.json; returns its path. */
static char *run_tiny(const char *tag, const char *extra)
{
	char *elf = ax_compiled(ax_src(tiny_net));
	char name[64];
	snprintf(name, sizeof(name), "%s.json", tag);
	char *out = ax_tmp(name);
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --quiet --json '%s' %s", elf, ax_src(tiny_model), out,
				       extra);
	if (r.status != 0) {
		fprintf(stderr, "axsim run tiny %s failed (%d): %s\n", extra, r.status, r.err);
		abort();
	}
	ax_run_free(&r);
	free(elf);
	return out;
}

static json_t *load(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	return j;
}

static char *save(json_t *j, const char *tag)
{
	char name[64];
	snprintf(name, sizeof(name), "%s.json", tag);
	char *p = ax_tmp(name);
	ck_assert_int_eq(json_dump_file(j, p, JSON_INDENT(2) | JSON_REAL_PRECISION(9)), 0);
	return p;
}

/* The value at a dotted path of objects, or NULL. */
static json_t *at(json_t *root, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *cur = root;
	char *save_p = NULL;
	for (char *k = strtok_r(buf, ".", &save_p); k && cur; k = strtok_r(NULL, ".", &save_p))
		cur = json_object_get(cur, k);
	return cur;
}

static double num(json_t *root, const char *path)
{
	json_t *v = at(root, path);
	ck_assert_msg(json_is_number(v), "no number at %s", path);
	return json_number_value(v);
}

/* Multiplies the number at path by f, keeping its type. */
static void scale(json_t *root, const char *path, double f)
{
	json_t *v = at(root, path);
	ck_assert_msg(json_is_number(v), "no number at %s", path);
	if (json_is_integer(v))
		json_integer_set(v, (json_int_t)llround((double)json_integer_value(v) * f));
	else
		json_real_set(v, json_real_value(v) * f);
}

/* The base report with the number at path multiplied by f, as tag.json. */
static char *variant(const char *tag, const char *path, double f)
{
	json_t *j = load(g_base);
	scale(j, path, f);
	char *p = save(j, tag);
	json_decref(j);
	return p;
}

/* The base report with the integer at path set to value, as tag.json. */
static char *variant_set(const char *tag, const char *path, json_int_t value)
{
	json_t *j = load(g_base);
	json_t *v = at(j, path);
	ck_assert_msg(json_is_integer(v), "no integer at %s", path);
	json_integer_set(v, value);
	char *p = save(j, tag);
	json_decref(j);
	return p;
}

static struct ax_run compare(const char *a, const char *b, const char *extra)
{
	return ax_run_axsim("compare '%s' '%s' %s", a, b, extra);
}

/* The line of the metric table that starts with name. */
static const char *table_line(const char *out, const char *name, char *buf, size_t n)
{
	size_t len = strlen(name);
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, name, len) && p[len] == ' ') {
			size_t l = strcspn(p, "\n");
			snprintf(buf, n, "%.*s", (int)l, p);
			return buf;
		}
	}
	return NULL;
}

#define EXPECT(r, st) \
	ck_assert_msg((r).status == (st), "exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", (r).status, (st), \
		      (r).out, (r).err)

START_TEST(test_identical)
{
	struct ax_run r = compare(g_base, g_base, "");
	EXPECT(r, 0);
	static const char *const names[] = { "totals.latency_cycles", "totals.fps", "totals.imc_utilization",
					     "memory.ddr.read_bytes+write_bytes", "memory.l2.read_bytes+write_bytes",
					     "memory.l1.read_bytes+write_bytes", "energy.per_inference_j",
					     "energy.fps_per_w" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char line[512];
		ck_assert_msg(table_line(r.out, names[i], line, sizeof(line)), "no line for %s:\n%s", names[i], r.out);
		ck_assert_msg(strstr(line, " same"), "%s", line);
	}
	ck_assert_ptr_nonnull(strstr(r.out, "inputs: the same network"));
	ck_assert_ptr_nonnull(strstr(r.out, "result: no metric worse"));
	ck_assert_str_eq(r.err, "");
	ax_run_free(&r);
}
END_TEST

/* A latency 10% worse fails and names the metric, with any tolerance below. */
START_TEST(test_latency_worse)
{
	char *v = variant("lat110", "totals.latency_cycles", 1.10);
	static const char *const tol[] = { "", "--tolerance 2%", "--tolerance 9.9%" };
	for (size_t i = 0; i < 3; i++) {
		struct ax_run r = compare(g_base, v, tol[i]);
		EXPECT(r, 1);
		char line[512];
		ck_assert_ptr_nonnull(table_line(r.out, "totals.latency_cycles", line, sizeof(line)));
		ck_assert_msg(strstr(line, "+10.00%") && strstr(line, "REGRESSED"), "%s", line);
		ck_assert_msg(strstr(r.out, "regressed: totals.latency_cycles: +10.00%, lower is better"), "%s", r.out);
		ck_assert_ptr_nonnull(strstr(r.out, "result: 1 of 8 metrics worse"));
		ax_run_free(&r);
	}
	free(v);
}
END_TEST

START_TEST(test_within_tolerance)
{
	char *v = variant("lat101", "totals.latency_cycles", 1.01);
	struct ax_run r = compare(g_base, v, "--tolerance 2%");
	EXPECT(r, 0);
	char line[512];
	ck_assert_ptr_nonnull(table_line(r.out, "totals.latency_cycles", line, sizeof(line)));
	ck_assert_msg(strstr(line, "within"), "%s", line);
	ax_run_free(&r);
	/* the default tolerance is 0% */
	r = compare(g_base, v, "");
	EXPECT(r, 1);
	ax_run_free(&r);
	/* a change of exactly the tolerance passes, one cycle more does not:
	 * latencies of exactly 1000, 1100 and 1101 cycles */
	char *b = variant_set("lat1000", "totals.latency_cycles", 1000);
	char *w = variant_set("lat1100", "totals.latency_cycles", 1100);
	char *x = variant_set("lat1101", "totals.latency_cycles", 1101);
	r = compare(b, w, "--tolerance 10%");
	EXPECT(r, 0);
	ax_run_free(&r);
	r = compare(b, x, "--tolerance 10%");
	EXPECT(r, 1);
	ax_run_free(&r);
	free(v);
	free(b);
	free(w);
	free(x);
}
END_TEST

/* Better is never a regression, in either direction of goodness. */
START_TEST(test_improvement)
{
	char *lat = variant("lat90", "totals.latency_cycles", 0.90);
	char *fps = variant("fps110", "totals.fps", 1.10);
	struct ax_run r = compare(g_base, lat, "--tolerance 2%");
	EXPECT(r, 0);
	char line[512];
	ck_assert_ptr_nonnull(table_line(r.out, "totals.latency_cycles", line, sizeof(line)));
	ck_assert_msg(strstr(line, "-10.00%") && strstr(line, "better"), "%s", line);
	ck_assert_msg(strstr(r.out, "improved: totals.latency_cycles"), "%s", r.out);
	ax_run_free(&r);
	r = compare(g_base, fps, "");
	EXPECT(r, 0);
	ck_assert_ptr_nonnull(table_line(r.out, "totals.fps", line, sizeof(line)));
	ck_assert_msg(strstr(line, "+10.00%") && strstr(line, "better"), "%s", line);
	ax_run_free(&r);
	/* and the other way round: lower fps is worse */
	r = compare(fps, g_base, "--tolerance 5%");
	EXPECT(r, 1);
	ck_assert_msg(strstr(r.out, "regressed: totals.fps: -9.09%, higher is better, tolerance 5%"), "%s", r.out);
	ax_run_free(&r);
	free(lat);
	free(fps);
}
END_TEST

START_TEST(test_per_metric_tolerance)
{
	char *v = variant("lat110c", "totals.latency_cycles", 1.10);
	static const struct {
		const char *opts;
		int status;
	} cases[] = {
		{ "--tolerance 2% --tolerance totals.latency_cycles=15%", 0 },
		{ "--tolerance totals.latency_cycles=15% --tolerance 2%", 0 },   /* own beats global, any order */
		{ "--tolerance 20% --tolerance totals.latency_cycles=5%", 1 },
		{ "--tolerance totals.fps=50%", 1 },
		{ "--tolerance=totals.latency_cycles=11%", 0 },
		{ "--tolerance totals.latency_cycles=5% --tolerance totals.latency_cycles=12%", 0 }, /* last wins */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ax_run r = compare(g_base, v, cases[i].opts);
		ck_assert_msg(r.status == cases[i].status, "'%s': exit %d\n%s%s", cases[i].opts, r.status, r.out, r.err);
		ax_run_free(&r);
	}
	struct ax_run r = compare(g_base, v, "--tolerance 20% --tolerance totals.latency_cycles=5%");
	char line[512];
	ck_assert_ptr_nonnull(table_line(r.out, "totals.latency_cycles", line, sizeof(line)));
	ck_assert_msg(strstr(line, " 5% "), "%s", line);
	ck_assert_ptr_nonnull(table_line(r.out, "totals.fps", line, sizeof(line)));
	ck_assert_msg(strstr(line, " 20% "), "%s", line);
	ax_run_free(&r);
	free(v);
}
END_TEST

START_TEST(test_metric_selection)
{
	json_t *base = load(g_base);
	ck_assert_double_gt(num(base, "memory.ddr.read_bytes"), 0);
	char *ddr = variant("ddr150", "memory.ddr.read_bytes", 1.5);
	/* by default the DDR bytes are compared, as a sum */
	struct ax_run r = compare(g_base, ddr, "--tolerance 2%");
	EXPECT(r, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "regressed: memory.ddr.read_bytes+write_bytes"));
	char line[512], want[64];
	ck_assert_ptr_nonnull(table_line(r.out, "memory.ddr.read_bytes+write_bytes", line, sizeof(line)));
	snprintf(want, sizeof(want), " %.0f ", num(base, "memory.ddr.read_bytes") + num(base, "memory.ddr.write_bytes"));
	ck_assert_msg(strstr(line, want), "'%s' lacks the sum%s", line, want);
	ax_run_free(&r);
	/* --metric compares only what it names */
	r = compare(g_base, ddr, "--metric totals.latency_cycles");
	EXPECT(r, 0);
	ck_assert_msg(!strstr(r.out, "memory.ddr"), "%s", r.out);
	ck_assert_ptr_null(table_line(r.out, "totals.fps", line, sizeof(line)));
	ax_run_free(&r);
	r = compare(g_base, ddr, "--metric memory.ddr.read_bytes --metric totals.fps");
	EXPECT(r, 1);
	ck_assert_msg(strstr(r.out, "regressed: memory.ddr.read_bytes: +50.00%, lower is better"), "%s", r.out);
	ck_assert_ptr_nonnull(table_line(r.out, "totals.fps", line, sizeof(line)));
	ax_run_free(&r);
	/* another path: lower is better */
	json_t *bj = load(g_base);
	json_int_t nt = json_integer_value(at(bj, "simulation.tasks"));
	json_decref(bj);
	char *tasks = variant_set("tasks110", "simulation.tasks", nt + nt / 10);
	char want_tasks[128];
	snprintf(want_tasks, sizeof(want_tasks), "regressed: simulation.tasks: +%.2f%%, lower is better",
		 100.0 * (double)(nt / 10) / (double)nt);
	r = compare(g_base, tasks, "--metric simulation.tasks");
	EXPECT(r, 1);
	ck_assert_msg(strstr(r.out, want_tasks), "%s\n%s", want_tasks, r.out);
	ax_run_free(&r);
	r = compare(tasks, g_base, "--metric simulation.tasks");
	EXPECT(r, 0);
	ax_run_free(&r);
	/* a hardware parameter (its key has dots) and a sum with a sibling */
	r = compare(g_base, g_base, "--metric arch.imc.rows+cols --metric memory.l2.weights.read_bytes+write_bytes");
	EXPECT(r, 0);
	json_t *arch = json_object_get(base, "arch");
	snprintf(want, sizeof(want), " %.0f ", json_number_value(json_object_get(arch, "imc.rows")) +
						json_number_value(json_object_get(arch, "imc.cols")));
	ck_assert_ptr_nonnull(table_line(r.out, "arch.imc.rows+cols", line, sizeof(line)));
	ck_assert_msg(strstr(line, want), "'%s' lacks%s", line, want);
	ax_run_free(&r);
	/* a directional default keeps its direction when named */
	char *fps = variant("fps90", "totals.fps", 0.9);
	r = compare(g_base, fps, "--metric totals.fps");
	EXPECT(r, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "higher is better"));
	ax_run_free(&r);
	/* so does any figure the report declares higher-is-better, and a layer's */
	r = compare(g_base, g_base, "--metric totals.host_fps --metric energy.tops_per_w --metric layers.0.cycles");
	EXPECT(r, 0);
	ck_assert_ptr_nonnull(table_line(r.out, "totals.host_fps", line, sizeof(line)));
	ck_assert_msg(strstr(line, " higher "), "%s", line);
	ck_assert_ptr_nonnull(table_line(r.out, "energy.tops_per_w", line, sizeof(line)));
	ck_assert_msg(strstr(line, " higher "), "%s", line);
	ck_assert_ptr_nonnull(table_line(r.out, "layers.0.cycles", line, sizeof(line)));
	ck_assert_msg(strstr(line, " lower "), "%s", line);
	ax_run_free(&r);
	json_decref(base);
	free(ddr);
	free(tasks);
	free(fps);
}
END_TEST

START_TEST(test_layers)
{
	json_t *j = load(g_base);
	json_t *layers = json_object_get(j, "layers");
	ck_assert_uint_ge(json_array_size(layers), 3);
	char removed[128], doubled[128];
	snprintf(removed, sizeof(removed), "%s", json_string_value(json_object_get(json_array_get(layers, 1), "name")));
	snprintf(doubled, sizeof(doubled), "%s", json_string_value(json_object_get(json_array_get(layers, 0), "name")));
	json_t *extra = json_deep_copy(json_array_get(layers, 2));
	json_object_set_new(extra, "name", json_string("extra_layer"));
	json_object_set_new(extra, "cycles", json_integer(123));
	json_array_remove(layers, 1);
	json_array_append_new(layers, extra);
	scale(json_array_get(layers, 0), "cycles", 2);
	char *v = save(j, "layers");
	json_decref(j);
	struct ax_run r = compare(g_base, v, "");
	EXPECT(r, 0);             /* layers alone are reported, not judged */
	ck_assert_msg(strstr(r.out, "1 added, 1 removed"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "added: extra_layer (123 cycles)"), "%s", r.out);
	char want[256];
	snprintf(want, sizeof(want), "removed: %s (", removed);
	ck_assert_msg(strstr(r.out, want), "no '%s' in\n%s", want, r.out);
	const char *l = strstr(r.out, "(1 with other cycles)");
	ck_assert_msg(l != NULL, "%s", r.out);
	snprintf(want, sizeof(want), "  %s ", doubled);
	l = strstr(l, want);
	ck_assert_msg(l && strstr(l, "+100.00%"), "no change of %s in\n%s", doubled, r.out);
	ax_run_free(&r);
	free(v);
}
END_TEST

START_TEST(test_force)
{
	json_t *j = load(g_base);
	json_object_set_new(json_object_get(j, "network"), "name", json_string("other"));
	char *v = save(j, "other");
	json_decref(j);
	struct ax_run r = compare(g_base, v, "");
	EXPECT(r, 2);
	ck_assert_msg(strstr(r.err, "of network 'tiny' but") && strstr(r.err, "--force"), "%s", r.err);
	ck_assert_str_eq(r.out, "");
	ax_run_free(&r);
	r = compare(g_base, v, "--force");
	EXPECT(r, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "networks: base tiny, new other (--force)"));
	ck_assert_ptr_nonnull(strstr(r.out, "network.name"));
	ax_run_free(&r);
	free(v);
}
END_TEST

/* The inputs that differ tell a null value from an absent key, and list a
 * key of either run's object. */
START_TEST(test_inputs_null_and_absent)
{
	json_t *j = load(g_base);
	json_t *cfg = json_object_get(j, "config");
	json_object_set_new(cfg, "model", json_string("m"));
	json_object_del(cfg, "board");
	json_object_set_new(cfg, "extra_key", json_integer(3));
	char *v = save(j, "inputs");
	json_decref(j);
	struct ax_run r = compare(g_base, v, "");
	EXPECT(r, 0);
	ck_has(r.out, "\ninputs that differ:\n");
	ck_has(r.out, "  config.board                             null -> (absent)\n");
	ck_has(r.out, "  config.extra_key                         (absent) -> 3\n");
	ck_has(r.out, "-> \"m\"\n");
	ax_run_free(&r);
	free(v);
}
END_TEST

/* Bad input: exit 2, a message naming the problem, nothing on stdout. */
START_TEST(test_bad_input)
{
	json_t *j = load(g_base);
	json_object_del(j, "schema_version");
	char *nosv = save(j, "nosv");
	json_object_set_new(j, "schema_version", json_integer(2));
	char *sv2 = save(j, "sv2");
	json_decref(j);
	j = load(g_base);
	json_object_del(json_object_get(j, "totals"), "fps");
	char *nofps = save(j, "nofps");
	json_decref(j);
	char *zero = variant_set("zero", "totals.latency_cycles", 0);
	char *neg = variant_set("neg", "totals.latency_cycles", -5);
	char *negb = variant_set("negb", "memory.ddr.read_bytes", -1);
	char *bad = ax_tmp("bad.json");
	ax_write_file(bad, "{\n  \"schema_version\": 1,\n  \"totals\": tru\n}\n");
	char *arr = ax_tmp("array.json");
	ax_write_file(arr, "[1, 2]\n");
	struct {
		const char *a, *b, *opts, *needle;
	} cases[] = {
		{ "/nonexistent/base.json", g_base, "", "/nonexistent/base.json: cannot open: No such file" },
		{ g_base, bad, "", "bad.json:3:15: not valid JSON: invalid token near 'tru'" },
		{ g_base, arr, "", "array.json: the JSON is an array; expected an object" },
		{ nosv, g_base, "", "nosv.json: no schema_version; expected 1" },
		{ g_base, sv2, "", "sv2.json: schema_version 2 is not supported; expected 1" },
		{ g_base, nofps, "", "nofps.json: no 'totals.fps' in the report" },
		{ g_base, g_base, "--metric totals.fsp", "no 'totals.fsp' in the report; did you mean 'totals.fps'?" },
		{ g_base, g_base, "--metric memory.ddr.read_bytes+writ_bytes",
		  "metric 'memory.ddr.read_bytes+writ_bytes': no 'memory.ddr.writ_bytes'" },
		{ g_base, g_base, "--metric network.name", "'network.name' is a string; expected a number" },
		{ g_base, g_base, "--metric 'a..b'", "--metric 'a..b': expected a dotted path" },
		{ g_base, g_base, "--tolerance 5x", "--tolerance '5x': expected a percentage from 0% to 1000%" },
		{ g_base, g_base, "--tolerance 5", "--tolerance '5': expected a percentage" },
		{ g_base, g_base, "--tolerance -1%", "--tolerance '-1%'" },
		{ g_base, g_base, "--tolerance 0x10%", "--tolerance '0x10%': expected a percentage" },
		{ g_base, g_base, "--tolerance 1e1%", "--tolerance '1e1%': expected a percentage" },
		{ g_base, g_base, "--tolerance .5%", "--tolerance '.5%': expected a percentage" },
		{ g_base, zero, "", "zero.json: 'totals.latency_cycles' is 0; expected a positive number" },
		{ neg, g_base, "", "neg.json: 'totals.latency_cycles' is -5; expected a non-negative number" },
		{ g_base, negb, "", "negb.json: metric 'memory.ddr.read_bytes+write_bytes': 'memory.ddr.read_bytes' is -1" },
		{ g_base, g_base, "--tolerance totals.fsp=5%", "'totals.fsp' is not a compared metric; did you mean 'totals.fps'?" },
		{ g_base, g_base, "--tolerence 2%", "unknown option '--tolerence' (did you mean '--tolerance'?)" },
		{ g_base, g_base, "--json x.json", "unknown option '--json'" },
		{ g_base, g_base, "--tolerance", "option '--tolerance' needs a value" },
		{ g_base, "", "", "expected two reports" },
		{ g_base, g_base, "third.json", "unexpected argument 'third.json'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ax_run r = cases[i].b[0] ? compare(cases[i].a, cases[i].b, cases[i].opts)
						: ax_run_axsim("compare '%s'", cases[i].a);
		ck_assert_msg(r.status == 2, "case %zu (%s): exit %d\n%s%s", i, cases[i].needle, r.status, r.out, r.err);
		ck_assert_msg(strstr(r.err, cases[i].needle), "case %zu: no '%s' in: %s", i, cases[i].needle, r.err);
		ck_assert_msg(r.out[0] == '\0', "case %zu printed a half comparison:\n%s", i, r.out);
		ax_run_free(&r);
	}
	/* every problem at once */
	struct ax_run r = compare(nosv, bad, "--tolerance 5x");
	EXPECT(r, 2);
	ck_assert_msg(strstr(r.err, "no schema_version") && strstr(r.err, "not valid JSON") && strstr(r.err, "'5x'"),
		      "%s", r.err);
	ax_run_free(&r);
	free(nosv);
	free(sv2);
	free(nofps);
	free(bad);
	free(arr);
	free(zero);
	free(neg);
	free(negb);
}
END_TEST

/* What scripts/perf-regress does: a slower timing parameter, caught. */
START_TEST(test_timing_change)
{
	char *slow = run_tiny("slow", "--set controller.op_setup=20000cycles");
	struct ax_run r = compare(g_base, slow, "--tolerance 2%");
	EXPECT(r, 1);
	ck_assert_msg(strstr(r.out, "regressed: totals.latency_cycles"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "arch.controller.op_setup") && strstr(r.out, "14000 -> 20000"), "%s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "with other cycles"));
	ax_run_free(&r);
	/* and back: faster is no regression */
	r = compare(slow, g_base, "--tolerance 2%");
	EXPECT(r, 0);
	ax_run_free(&r);
	free(slow);
}
END_TEST

START_TEST(test_deterministic)
{
	char *v = variant("det", "totals.latency_cycles", 1.05);
	struct ax_run a = compare(g_base, v, "--tolerance 2%"), b = compare(g_base, v, "--tolerance 2%");
	EXPECT(a, 1);
	ck_assert_str_eq(a.out, b.out);
	ck_assert_str_eq(a.err, b.err);
	ax_run_free(&a);
	ax_run_free(&b);
	free(v);
}
END_TEST

START_TEST(test_help)
{
	struct ax_run r = ax_run_axsim("compare --help");
	EXPECT(r, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: axsim compare BASE.json NEW.json"));
	ax_run_free(&r);
	r = ax_run_axsim("--help");
	ck_assert_ptr_nonnull(strstr(r.out, "compare BASE.json NEW.json"));
	ax_run_free(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("compare");
	TCase *t = tcase_create("compare");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_identical);
	tcase_add_test(t, test_latency_worse);
	tcase_add_test(t, test_within_tolerance);
	tcase_add_test(t, test_improvement);
	tcase_add_test(t, test_per_metric_tolerance);
	tcase_add_test(t, test_metric_selection);
	tcase_add_test(t, test_layers);
	tcase_add_test(t, test_force);
	tcase_add_test(t, test_inputs_null_and_absent);
	tcase_add_test(t, test_bad_input);
	tcase_add_test(t, test_timing_change);
	tcase_add_test(t, test_deterministic);
	tcase_add_test(t, test_help);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	g_base = run_tiny("base", "");
	int rc = ax_check_run(suite());
	free(g_base);
	return rc;
}
