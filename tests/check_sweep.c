/*
 * check_sweep.c - sweeps (sim/cli/sweep.c, docs/sweeps.md): the compilation
 * override API (ax_ccfg_set, ax_ccfg_check), axis parsing and bad axes, the
 * default axes, in-process sweeps on the tiny network (table marks, failing
 * points, --resume), and --emit-jobs run by GNU parallel then combined by
 * axsim merge, which must give the in-process sweep's files byte for byte.
 */
#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "config/arch.h"
#include "config/ccfg.h"
#include "run/sweep.h"
#include "testutil.h"

#define TINY_NET "models/tiny/tiny.net.yaml"
#define TINY_CFG "models/tiny/tiny.yaml"

/* "axsim sweep TINY --config TINY.yaml ARGS" */
static struct ax_run sweep_tiny(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct ax_run sweep_tiny(const char *fmt, ...)
{
	char args[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return ax_run_axsim("sweep '%s' --config '%s' %s", ax_src(TINY_NET), ax_src(TINY_CFG), args);
}

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	return j;
}

static int lines(const char *text)
{
	return ax_count_str(text, "\n");
}

/* ==== ax_ccfg_set / ax_ccfg_check ==== */

START_TEST(ccfg_set_values)
{
	struct ax_ccfg c;
	struct ax_err err;
	ax_ccfg_init(&c);
	ax_err_init(&err);
	ck_assert_int_eq(ax_ccfg_set(&c, "tiling_depth", "6", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "page_memory", "false", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "in_core_replication", "off", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "ptq_scheme", "per_tensor_min_max", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "clock_profile", "400", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "aipu_cores", "2", "sweep", &err), AX_OK);
	ck_assert_int_eq(err.count, 0);
	ck_assert_int_eq(ax_ccfg_get(&c, AX_CC_TILING_DEPTH), 6);
	ck_assert_int_eq(ax_ccfg_get(&c, AX_CC_PAGE_MEMORY), 0);
	ck_assert_int_eq(ax_ccfg_get(&c, AX_CC_IN_CORE_REPLICATION), 0);
	ck_assert_int_eq(ax_ccfg_get(&c, AX_CC_PTQ_SCHEME), AX_PTQ_PER_TENSOR_MIN_MAX);
	ck_assert_uint_eq(ax_ccfg_clock_mhz(&c), 400);
	ck_assert_int_eq(ax_ccfg_get(&c, AX_CC_AIPU_CORES), 2);
	/* the origin is recorded */
	ck_assert_str_eq(c.origin[AX_CC_TILING_DEPTH].file, "sweep");
	ck_assert_int_eq(c.origin[AX_CC_TILING_DEPTH].line, 0);
	ck_assert_ptr_null(c.origin[AX_CC_ELF_IN_DDR].file);
	/* resources_used follows aipu_cores_used unless it was given */
	ck_assert_int_eq(ax_ccfg_get(&c, AX_CC_RESOURCES_USED), 250);
	ck_assert_int_eq(ax_ccfg_set(&c, "aipu_cores_used", "2", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_get(&c, AX_CC_RESOURCES_USED), 500);
	ck_assert_int_eq(ax_ccfg_set(&c, "resources_used", "0.75", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "aipu_cores_used", "1", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_get(&c, AX_CC_RESOURCES_USED), 750);
	ck_assert_int_eq(ax_ccfg_check(&c, &err), AX_OK);
	ax_ccfg_release(&c);
	ax_err_release(&err);
}
END_TEST

/* Bad values: the file parser's wording with the origin in place of
 * file:line:column, and the configuration unchanged. */
START_TEST(ccfg_set_bad_values)
{
	static const struct {
		const char *key, *value, *msg;
	} cases[] = {
		{ "tiling_depth", "0", "sweep: tiling_depth: '0' is out of range; expected an integer from 1 to 64" },
		{ "tiling_depth", "6x", "sweep: tiling_depth: '6x' is not an integer; expected an integer from 1 to 64" },
		{ "tiling_depth", "", "sweep: tiling_depth: '' is not an integer" },
		{ "page_memory", "maybe", "sweep: page_memory: 'maybe' is not a boolean; expected true or false" },
		{ "ptq_scheme", "per_tensor_minmax", "sweep: ptq_scheme: 'per_tensor_minmax' is not a known value (did you mean 'per_tensor_min_max'?); expected one of" },
		{ "clock_profile", "900", "sweep: clock_profile: '900' is not a known value" },
		{ "resources_used", "1.5", "sweep: resources_used: '1.5' is out of range; expected a number from 0.001 to 1" },
		{ "mvm_limitation", "101", "expected an integer from 1 to 100" },
		{ "tiling_dept", "3", "sweep: tiling_dept: unknown compilation key; did you mean 'tiling_depth'?" },
		{ "zzzzzzzzzz", "3", "sweep: zzzzzzzzzz: unknown compilation key; expected a key of docs/config-reference.md" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ax_ccfg c, d;
		struct ax_err err;
		ax_ccfg_init(&c);
		ax_ccfg_init(&d);
		ax_err_init(&err);
		ck_assert_int_eq(ax_ccfg_set(&c, cases[i].key, cases[i].value, "sweep", &err), AX_EINPUT);
		ck_assert_int_eq(err.count, 1);
		ck_has(ax_err_str(&err), cases[i].msg);
		ck_assert_mem_eq(c.v, d.v, sizeof(c.v));
		for (int k = 0; k < AX_CC_COUNT; k++)
			ck_assert_ptr_null(c.origin[k].file);
		ax_ccfg_release(&c);
		ax_ccfg_release(&d);
		ax_err_release(&err);
	}
}
END_TEST

/* The cross-field rules run again after sets, naming where each value came from. */
START_TEST(ccfg_check_after_sets)
{
	char *p = ax_tmp("reserve.yaml");
	ax_write_file(p, "compilation_config:\n  backend_config:\n    elf_in_ddr: false\n"
			 "    l2_reserved_nbytes_tasklist: 1024\n");
	struct ax_ccfg c;
	struct ax_err err, warn;
	ax_err_init(&err);
	ax_err_init(&warn);
	ck_assert_int_eq(ax_ccfg_load(&c, p, NULL, NULL, &err, &warn), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "elf_in_ddr", "true", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_check(&c, &err), AX_EINPUT);
	char want[4200];
	snprintf(want, sizeof(want), "%s:4:34: l2_reserved_nbytes_tasklist: '1024' contradicts elf_in_ddr true", p);
	ck_has(ax_err_str(&err), want);
	ax_err_release(&err);
	ax_err_init(&err);
	/* both keys set by the sweep: the origin is the sweep's */
	ck_assert_int_eq(ax_ccfg_set(&c, "l2_reserved_nbytes_tasklist", "2048", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_check(&c, &err), AX_EINPUT);
	ck_has(ax_err_str(&err), "sweep: l2_reserved_nbytes_tasklist: '2048' contradicts elf_in_ddr true");
	ax_err_release(&err);
	ax_err_init(&err);
	ck_assert_int_eq(ax_ccfg_set(&c, "elf_in_ddr", "false", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_check(&c, &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "aipu_cores_used", "3", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_check(&c, &err), AX_EINPUT);
	ck_has(ax_err_str(&err), "sweep: aipu_cores_used: '3' does not divide aipu_cores 4");
	/* and against the hardware: more cores than the chip has */
	ax_err_release(&err);
	ax_err_init(&err);
	struct ax_arch_desc d;
	ck_assert_int_eq(ax_arch_load(&d, NULL, &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_set(&c, "aipu_cores", "8", "sweep", &err), AX_OK);
	ck_assert_int_eq(ax_ccfg_check_arch(&c, &d.arch, &err), AX_EINPUT);
	ck_has(ax_err_str(&err), "sweep: aipu_cores: '8' is more than the chip's 4 cores");
	ax_arch_desc_release(&d);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_err_release(&warn);
	free(p);
}
END_TEST

/* ==== axes ==== */

/* Lists and ranges: --emit-jobs writes one line per point without running any. */
START_TEST(axis_lists_and_ranges)
{
	char *out = ax_tmp("axes"), *jobs = ax_tmp("axes.jobs");
	struct ax_run r = sweep_tiny("--tiling-depth 1-3,5 --page-memory true --cores 1,4 --set l2.size=12MiB,16MiB "
				     "--set ddr.data_rate=3200MT/s --set clock_profile=400 --out '%s' --emit-jobs '%s'",
				     out, jobs);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.err, "wrote 16 jobs");
	char *text = ax_read_file(jobs, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(lines(text), 4 * 1 * 2 * 2);
	/* axes in their fixed order, --set axes after; the last varies fastest */
	const char *first = "--axis tiling_depth=1 --axis page_memory=true --axis aipu_cores=1 --axis l2.size=12MiB ";
	ck_assert_msg(!strncmp(strstr(text, "--axis"), first, strlen(first)), "first job: %s", text);
	ck_has(text, "--axis tiling_depth=5 --axis page_memory=true --axis aipu_cores=4 --axis l2.size=16MiB");
	ck_assert_int_eq(ax_count_str(text, "tiling_depth=4"), 0);
	/* fixed settings: a hardware --set stays a --set, a compilation key becomes --set-cc */
	ck_assert_int_eq(ax_count_str(text, "--set ddr.data_rate=3200MT/s"), 16);
	ck_assert_int_eq(ax_count_str(text, "--set-cc clock_profile=400"), 16);
	ck_has(text, "/tiling_depth=2,page_memory=true,aipu_cores=4,l2.size=16MiB.json");
	free(text);
	ax_run_free(&r);
	/* values are sorted, so the order given does not matter */
	char *jobs2 = ax_tmp("axes2.jobs");
	r = sweep_tiny("--tiling-depth 5,1-3 --page-memory true --cores 4,1 --set l2.size=16MiB,12MiB "
		       "--set ddr.data_rate=3200MT/s --set clock_profile=400 --out '%s' --emit-jobs '%s'", out, jobs2);
	ck_assert_int_eq(r.status, 0);
	char *a = ax_read_file(jobs, NULL), *b = ax_read_file(jobs2, NULL);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ax_run_free(&r);
	free(jobs2);
	free(out);
	free(jobs);
}
END_TEST

/* Bad axes: exit status 2 and a message naming the option and the value. */
START_TEST(axis_bad_values)
{
	static const struct {
		const char *args, *msg;
	} cases[] = {
		{ "--tiling-depth 0-3", "--tiling-depth '0-3': tiling_depth: '0' is out of range; expected an integer from 1 to 64" },
		/* a fixed setting that contradicts another, whatever the axes: once, up front */
		{ "--tiling-depth 1,2 --set aipu_cores=8", "axsim: --set: aipu_cores: '8' is more than the chip's 4 cores" },
		{ "--tiling-depth 1,2 --set l2_reserved_nbytes_tasklist=1024",
		  "l2_reserved_nbytes_tasklist: '1024' contradicts elf_in_ddr true" },
		{ "--tiling-depth 3-1", "the range '3-1' runs backwards; expected LOW-HIGH" },
		{ "--tiling-depth 1,,2", "--tiling-depth '1,,2': an empty value; expected comma-separated values or ranges like 1-8" },
		{ "--tiling-depth 1,", "an empty value" },
		{ "--tiling-depth two", "tiling_depth: 'two' is not an integer" },
		{ "--tiling-depth 1,2,1", "the value '1' is given twice" },
		{ "--page-memory maybe", "page_memory: 'maybe' is not a boolean; expected true or false" },
		{ "--replication true,on", "the value 'true' is given twice" },
		{ "--elf-in-ddr 1-2", "elf_in_ddr: '1' is not a boolean" },
		{ "--cores 0,1", "aipu_cores: '0' is out of range" },
		{ "--cores 1-20000", "has more than 10000 values" },
		{ "--set l2.size=lots,16MiB", "--set 'l2.size=lots': l2.size: 'lots' is not a number" },
		{ "--set l2.siz=1MiB,2MiB", "'l2.siz' is not a hardware parameter or compilation key; did you mean 'l2.size'?" },
		{ "--set l2.size=lots", "l2.size: 'lots' is not a number" },
		{ "--set noequals", "--set 'noequals': expected KEY=VALUE" },
		{ "--tiling-depth 1,2 --set tiling_depth=3", "tiling_depth is already an axis (--tiling-depth)" },
		{ "--set l2.size=1MiB --set l2.size=2MiB", "l2.size is set twice" },
		{ "--tiling-depth 1 --tiling-depth 2", "option '--tiling-depth' is given twice" },
		{ "--tiling-dept 1", "unknown option '--tiling-dept' (did you mean '--tiling-depth'?)" },
		{ "--jobs 0", "--jobs '0' is not valid; expected an integer from 1 to 1024" },
		{ "--set l2.reserved=64MiB", "l2.reserved (67108864 bytes) must be smaller than l2.size" },
		{ "--tiling-depth 1-64 --cores 1-64 --page-memory true,false --replication true,false --set l2.size=1MiB,2MiB,3MiB,4MiB,5MiB,6MiB,7MiB,8MiB", "131072 points; expected at most 100000" },
	};
	char *out = ax_tmp("bad-axes");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ax_run r = sweep_tiny("%s --out '%s'", cases[i].args, out);
		ck_assert_msg(r.status == 2, "'%s' exited %d: %s", cases[i].args, r.status, r.err);
		ck_assert_msg(strstr(r.err, cases[i].msg), "'%s': message lacks '%s': %s", cases[i].args,
			      cases[i].msg, r.err);
		ck_assert_msg(strstr(r.err, "BUG") == NULL, "%s", r.err);
		ax_run_free(&r);
	}
	/* nothing was run or created */
	struct stat st;
	ck_assert_int_ne(stat(out, &st), 0);
	struct ax_run r = ax_run_axsim("sweep");
	ck_assert_int_eq(r.status, 2);
	ck_has(r.err, "expected one network");
	ax_run_free(&r);
	ax_expect_fail("nonexistent.elf", "sweep /nonexistent.elf --tiling-depth 1");
	r = ax_run_axsim("sweep --help");
	ck_assert_int_eq(r.status, 0);
	ck_has(r.out, "usage: axsim sweep NET");
	ax_run_free(&r);
	free(out);
}
END_TEST

/* No axis: tiling depth 1-8 x paging x replication, 32 distinct points. */
START_TEST(default_axes)
{
	char *out = ax_tmp("default"), *jobs = ax_tmp("default.jobs");
	struct ax_run r = sweep_tiny("--out '%s' --emit-jobs '%s'", out, jobs);
	ck_assert_msg(r.status == 0, "%s", r.err);
	char *text = ax_read_file(jobs, NULL);
	ck_assert_int_eq(lines(text), 32);
	for (int d = 1; d <= 8; d++)
		for (int pm = 0; pm < 2; pm++)
			for (int icr = 0; icr < 2; icr++) {
				char want[160];
				snprintf(want, sizeof(want), "--axis tiling_depth=%d --axis page_memory=%s --axis in_core_replication=%s --quiet",
					 d, pm ? "true" : "false", icr ? "true" : "false");
				ck_assert_int_eq(ax_count_str(text, want), 1);
			}
	free(text);
	ax_run_free(&r);
	free(out);
	free(jobs);
}
END_TEST

/* ==== in-process sweeps ==== */

/* The table's rows: marks, values and figures, best first. */
/* The multi-core axes: a 4-core compilation in each mode, and one copy per
 * core; every point's report says the mode it ran, and batch runs four
 * inputs at once where cooperative and pipeline run one. */
START_TEST(multicore_axes)
{
	char *out = ax_tmp("mc"), *json = ax_tmp("mc.json");
	struct ax_run r = sweep_tiny("--set aipu_cores=4 --cores-per-copy 1,4 --multicore-mode batch,cooperative,pipeline --jobs 2 "
				     "--out '%s' --json '%s'", out, json);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "tiny: 6 points (aipu_cores_used 2 x multicore_mode 3), 6 ok, 0 failed");
	json_t *j = load_json(json);
	size_t i;
	json_t *p;
	int seen = 0;
	json_array_foreach(json_object_get(j, "points"), i, p) {
		json_t *v = json_object_get(p, "values");
		long long used = json_integer_value(json_object_get(v, "aipu_cores_used"));
		const char *mode = json_string_value(json_object_get(v, "multicore_mode"));
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", out, json_string_value(json_object_get(p, "file")));
		json_t *pj = load_json(path);
		json_t *plan = json_object_get(pj, "plan");
		const char *ran = json_string_value(json_object_get(plan, "multicore_mode"));
		long long lanes = json_integer_value(json_object_get(plan, "lanes"));
		if (used == 1) {
			ck_assert_str_eq(ran, "batch-1");
			ck_assert_int_eq(lanes, 4);
		} else {
			ck_assert_str_eq(ran, mode);
			ck_assert_int_eq(lanes, strcmp(mode, "batch") ? 1 : 4);
			seen++;
		}
		json_decref(pj);
	}
	ck_assert_int_eq(seen, 3);
	json_decref(j);
	ax_run_free(&r);
	free(out);
	free(json);
}
END_TEST

/* Keys whose defaults follow an axis (constant_pool follows elf_in_ddr,
 * resources_used the cores) differ between the points of one sweep without
 * being axes themselves; the sweep must not take that for a foreign point. */
START_TEST(derived_keys_follow_axes)
{
	char *out = ax_tmp("derived"), *json = ax_tmp("derived.json");
	struct ax_run r = sweep_tiny("--elf-in-ddr true,false --set aipu_cores=4 --cores-per-copy 1,2 --jobs 2 "
				     "--out '%s' --json '%s'", out, json);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "tiny: 4 points (elf_in_ddr 2 x aipu_cores_used 2), 4 ok, 0 failed");
	ax_run_free(&r);
	r = ax_run_axsim("merge '%s'", out);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	free(out);
	free(json);
}
END_TEST

START_TEST(tiny_sweep_table)
{
	char *out = ax_tmp("tiny"), *json = ax_tmp("tiny.json"), *csv = ax_tmp("tiny.csv");
	struct ax_run r = sweep_tiny("--tiling-depth 1-4 --replication true,false --jobs 2 --out '%s' --json '%s' --csv '%s'",
				     out, json, csv);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "tiny: 8 points (tiling_depth 4 x in_core_replication 2), 8 ok, 0 failed");
	ck_has(r.out, "latency (us)");
	ck_has(r.out, "B best (lowest latency)");
	ck_has(r.out, "C configured");
	ck_has(r.out, "P Pareto front of latency against DDR traffic");
	ck_has(r.err, "8 points (8 run, 0 resumed, 0 failed)");
	/* stderr is not a terminal here: no progress line */
	ck_assert_ptr_null(strstr(r.err, "\r"));
	json_t *j = load_json(json);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "schema_version")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "network")), "tiny");
	json_t *pts = json_object_get(j, "points");
	ck_assert_int_eq((int)json_array_size(pts), 8);
	/* best: the lowest latency; configured: the model YAML's tiling_depth 1, replication on */
	size_t i, best = 0, conf = 99;
	json_t *p;
	double lo = 1e30;
	json_array_foreach(pts, i, p) {
		ck_assert_str_eq(json_string_value(json_object_get(p, "status")), "ok");
		double lat = json_real_value(json_object_get(p, "latency_us"));
		if (lat < lo) {
			lo = lat;
			best = i;
		}
		json_t *v = json_object_get(p, "values");
		if (json_integer_value(json_object_get(v, "tiling_depth")) == 1 &&
		    json_is_true(json_object_get(v, "in_core_replication")))
			conf = i;
		/* Pareto: no other point at most as slow and with at most as much DDR traffic, better in one */
		int dominated = 0;
		size_t k;
		json_t *q;
		json_array_foreach(pts, k, q) {
			double l2 = json_real_value(json_object_get(q, "latency_us"));
			json_int_t d1 = json_integer_value(json_object_get(p, "ddr_bytes"));
			json_int_t d2 = json_integer_value(json_object_get(q, "ddr_bytes"));
			if (k != i && l2 <= lat && d2 <= d1 && (l2 < lat || d2 < d1))
				dominated = 1;
		}
		ck_assert_int_eq(json_is_true(json_object_get(p, "pareto")), !dominated);
		struct stat st;
		char *f = ax_xasprintf("%s/%s", out, json_string_value(json_object_get(p, "file")));
		ck_assert_msg(stat(f, &st) == 0, "no point file %s", f);
		free(f);
	}
	ck_assert_int_eq((int)json_integer_value(json_object_get(j, "best")), (int)best);
	ck_assert_int_eq((int)json_integer_value(json_object_get(j, "configured_point")), (int)conf);
	ck_assert(json_is_true(json_object_get(json_array_get(pts, best), "best")));
	ck_assert(json_is_true(json_object_get(json_array_get(pts, conf), "configured")));
	/* the table's first row is the best point, marked B (and P: the best is never dominated) */
	const char *row = strstr(r.out, "\nB");
	ck_assert_msg(row && row[2] == (best == conf ? 'C' : ' ') && row[3] == 'P', "first row: %s", r.out);
	char want[64];
	snprintf(want, sizeof(want), "%.2f", lo);
	ck_assert_msg(strstr(row, want) && strstr(row, want) < strchr(row + 1, '\n'), "best row lacks %s:\n%s", want, r.out);
	/* rows are sorted by latency */
	double prev = 0;
	int rows = 0;
	for (const char *l = strstr(r.out, "latency (us)"); (l = strchr(l, '\n')) && l[1] && l[1] != '\n'; l++) {
		double v;
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)(strchr(l + 1, '\n') - l - 1), l + 1);
		char *us = NULL;
		/* the latency is the first field with a decimal point */
		for (char *tok = strtok(line, " "); tok; tok = strtok(NULL, " "))
			if (strchr(tok, '.')) {
				us = tok;
				break;
			}
		ck_assert_ptr_nonnull(us);
		v = atof(us);
		ck_assert_double_ge(v, prev);
		prev = v;
		rows++;
	}
	ck_assert_int_eq(rows, 8);
	/* the CSV: a header and one row per point */
	char *c = ax_read_file(csv, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(lines(c), 9);
	ck_has(c, "tiling_depth,in_core_replication,status,latency_us,latency_cycles,fps,imc_utilization,ddr_bytes,"
		  "ddr_bytes_per_inference,l2_bytes,energy_per_inference_j,power_w,fps_per_w,best,configured,pareto,"
		  "file,error\n");
	free(c);
	json_decref(j);
	ax_run_free(&r);
	free(out);
	free(json);
	free(csv);
}
END_TEST

/* A point whose combination is contradictory fails with its message; the
 * others run. */
/* --objective: best and the front by throughput or DDR traffic per inference,
 * the table in that order; merge takes it too; anything else is refused. */
START_TEST(objective)
{
	char *out = ax_tmp("objective"), *json = ax_tmp("objective.json");
	struct ax_run r = sweep_tiny("--tiling-depth 1-3 --set l2.size=2MiB,32MiB --jobs 2 --out '%s' --json '%s' "
				     "--objective fps", out, json);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "B best (highest throughput)");
	ck_has(r.out, "P Pareto front of throughput against DDR traffic per inference");
	ck_has(r.out, "DDR/inf");
	json_t *j = load_json(json);
	ck_assert_str_eq(json_string_value(json_object_get(j, "objective")), "fps");
	json_t *pts = json_object_get(j, "points");
	size_t i, best = 0;
	json_t *p;
	double hi = -1;
	json_array_foreach(pts, i, p) {
		double fps = json_real_value(json_object_get(p, "fps"));
		double dpi = json_real_value(json_object_get(p, "ddr_bytes_per_inference"));
		ck_assert(dpi > 0);
		if (fps > hi) {
			hi = fps;
			best = i;
		}
		int dominated = 0;
		size_t k;
		json_t *q;
		json_array_foreach(pts, k, q) {
			double f2 = json_real_value(json_object_get(q, "fps"));
			double d2 = json_real_value(json_object_get(q, "ddr_bytes_per_inference"));
			if (k != i && f2 >= fps && d2 <= dpi && (f2 > fps || d2 < dpi))
				dominated = 1;
		}
		ck_assert_int_eq(json_is_true(json_object_get(p, "pareto")), !dominated);
	}
	ck_assert_int_eq((int)json_integer_value(json_object_get(j, "best")), (int)best);
	json_decref(j);
	ax_run_free(&r);

	r = ax_run_axsim("merge '%s' --objective ddr --json '%s'", out, json);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "B best (least DDR traffic per inference)");
	j = load_json(json);
	ck_assert_str_eq(json_string_value(json_object_get(j, "objective")), "ddr");
	double least = 1e300;
	pts = json_object_get(j, "points");
	json_array_foreach(pts, i, p) {
		double dpi = json_real_value(json_object_get(p, "ddr_bytes_per_inference"));
		if (dpi < least) {
			least = dpi;
			best = i;
		}
	}
	ck_assert_int_eq((int)json_integer_value(json_object_get(j, "best")), (int)best);
	json_decref(j);
	ax_run_free(&r);

	ax_expect_fail("axsim sweep: --objective 'power' is not valid; expected latency, fps or ddr",
		       "sweep '%s' --objective power", ax_src("models/tiny/tiny.net.yaml"));
	ax_expect_fail("axsim merge: --objective 'power' is not valid; expected latency, fps or ddr",
		       "merge '%s' --objective power", out);
	free(out);
	free(json);
}
END_TEST

START_TEST(failing_point)
{
	char *cfg = ax_tmp("reserve.yaml");
	ax_write_file(cfg, "models:\n  tiny:\n    extra_kwargs:\n      aipu_cores: 1\n      compilation_config:\n"
			   "        backend_config: {elf_in_ddr: false, l2_reserved_nbytes_tasklist: 65536}\n");
	char *out = ax_tmp("fail"), *json = ax_tmp("fail.json");
	struct ax_run r = ax_run_axsim("sweep '%s' --config '%s' --elf-in-ddr true,false --cores 1,8 --tiling-depth 1,2 "
				       "--jobs 2 --out '%s' --json '%s'", ax_src(TINY_NET), cfg, out, json);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "8 points (tiling_depth 2 x elf_in_ddr 2 x aipu_cores 2), 2 ok, 6 failed");
	ck_has(r.out, "error: ");
	ck_has(r.out, "l2_reserved_nbytes_tasklist: '65536' contradicts elf_in_ddr true");
	ck_has(r.out, "sweep: aipu_cores: '8' is more than the chip's 4 cores");
	ck_has(r.err, "6 failed");
	json_t *j = load_json(json);
	ck_assert_int_eq((int)json_integer_value(json_object_get(j, "points_ok")), 2);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(j, "points"), i, p) {
		json_t *v = json_object_get(p, "values");
		int good = json_is_false(json_object_get(v, "elf_in_ddr")) &&
			   json_integer_value(json_object_get(v, "aipu_cores")) == 1;
		ck_assert_str_eq(json_string_value(json_object_get(p, "status")), good ? "ok" : "error");
		ck_assert(good ? json_is_null(json_object_get(p, "error")) : json_is_string(json_object_get(p, "error")));
		ck_assert(good ? json_is_number(json_object_get(p, "latency_us")) : json_is_null(json_object_get(p, "latency_us")));
	}
	json_decref(j);
	ax_run_free(&r);
	/* when every point fails there is no result: exit status 1 */
	free(out);
	out = ax_tmp("fail-all");
	r = ax_run_axsim("sweep '%s' --config '%s' --cores 8 --out '%s'", ax_src(TINY_NET), cfg, out);
	ck_assert_int_eq(r.status, 1);
	ck_has(r.out, "0 ok, 1 failed");
	ax_run_free(&r);
	free(cfg);
	free(out);
	free(json);
}
END_TEST

static long mtime_ns(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return -1;
	return (long)st.st_mtim.tv_sec * 1000000000L + st.st_mtim.tv_nsec;
}

/* --resume keeps the points already done, runs a damaged one again and
 * gives the same outputs. */
START_TEST(resume)
{
	char *out = ax_tmp("resume"), *j1 = ax_tmp("resume1.json"), *j2 = ax_tmp("resume2.json");
	struct ax_run r = sweep_tiny("--tiling-depth 1-3 --page-memory true,false --jobs 2 --out '%s' --json '%s'", out, j1);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.err, "6 points (6 run, 0 resumed, 0 failed)");
	ax_run_free(&r);
	char *keep = ax_xasprintf("%s/tiling_depth=1,page_memory=false.json", out);
	char *broken = ax_xasprintf("%s/tiling_depth=3,page_memory=true.json", out);
	long t_keep = mtime_ns(keep);
	ck_assert_int_ge(t_keep, 0);
	ax_write_file(broken, "{\"half\": ");
	r = sweep_tiny("--tiling-depth 1-3 --page-memory true,false --jobs 2 --out '%s' --json '%s' --resume", out, j2);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.err, "6 points (1 run, 5 resumed, 0 failed)");
	ck_assert_int_eq(mtime_ns(keep), t_keep);
	char *a = ax_read_file(j1, NULL), *b = ax_read_file(j2, NULL);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ax_run_free(&r);
	/* without --resume every point runs again */
	r = sweep_tiny("--tiling-depth 1-3 --page-memory true,false --jobs 2 --out '%s'", out);
	ck_has(r.err, "6 points (6 run, 0 resumed, 0 failed)");
	ax_run_free(&r);
	/* the directory is this sweep's: another sweep (other configured
	 * values, another --inferences, a fixed --set) is refused, with or
	 * without --resume, and the points are left alone */
	char *cfg = ax_tmp("depth2.yaml");
	ax_write_file(cfg, "compilation_config:\n  backend_config: {tiling_depth: 2}\n");
	ax_expect_fail("the points directory of another sweep", "sweep '%s' --config '%s' --tiling-depth 1-3 "
		       "--page-memory true,false --out '%s' --resume", ax_src(TINY_NET), cfg, out);
	ax_expect_fail("the points directory of another sweep", "sweep '%s' --config '%s' --tiling-depth 1-3 "
		       "--page-memory true,false --out '%s' --resume --inferences 1", ax_src(TINY_NET),
		       ax_src(TINY_CFG), out);
	ax_expect_fail("the points directory of another sweep", "sweep '%s' --config '%s' --tiling-depth 1-3 "
		       "--page-memory true,false --out '%s' --set chip.clock=400MHz", ax_src(TINY_NET),
		       ax_src(TINY_CFG), out);
	r = sweep_tiny("--tiling-depth 1-3 --page-memory true,false --jobs 2 --out '%s' --resume", out);
	ck_has(r.err, "6 points (0 run, 6 resumed, 0 failed)");
	ax_run_free(&r);
	/* merge refuses points of two sweeps that differ only in --inferences */
	char *other = ax_tmp("resume-other"), *other1 = ax_tmp("resume-other1");
	r = sweep_tiny("--tiling-depth 1 --page-memory true,false --out '%s' --set chip.clock=400MHz", other);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	r = sweep_tiny("--tiling-depth 1 --page-memory true,false --out '%s' --inferences 1 --set chip.clock=400MHz",
		       other1);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	ax_expect_fail("its inputs (network, --config, --arch, fixed --set, --inferences) differ",
		       "merge '%s/tiling_depth=1,page_memory=true.json' '%s/tiling_depth=1,page_memory=false.json'",
		       other, other1);
	free(other1);
	free(other);
	free(cfg);
	free(keep);
	free(broken);
	free(out);
	free(j1);
	free(j2);
}
END_TEST

/* ==== --emit-jobs, GNU parallel, axsim merge ==== */

static int same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = ax_read_file(a, &la), *y = ax_read_file(b, &lb);
	int same = x && y && la == lb && !memcmp(x, y, la);
	free(x);
	free(y);
	return same;
}

/* The job lines, run by GNU parallel, then axsim merge: the in-process
 * sweep's JSON and CSV byte for byte, failing points included. */
START_TEST(emit_jobs_parallel_merge)
{
	ck_assert_msg(system("command -v parallel >/dev/null 2>&1") == 0,
		      "GNU parallel is not installed; scripts/setup installs it (Debian package 'parallel')");
	const char *axes = "--tiling-depth 1-2 --replication true,false --cores 1,8 --set l2.size=8MiB,32MiB";
	char *in = ax_tmp("in"), *in_json = ax_tmp("in.json"), *in_csv = ax_tmp("in.csv");
	struct ax_run r = sweep_tiny("%s --jobs 2 --out '%s' --json '%s' --csv '%s'", axes, in, in_json, in_csv);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "16 points");
	ck_has(r.out, "8 ok, 8 failed");
	ax_run_free(&r);

	char *par = ax_tmp("par"), *jobs = ax_tmp("jobs.txt");
	r = sweep_tiny("%s --out '%s' --emit-jobs '%s'", axes, par, jobs);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "parallel --will-cite --jobs 2 < '%s' >/dev/null 2>&1", jobs);
	int st = system(cmd);
	/* parallel's exit status counts the failed jobs: the 8 contradictory points */
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 8, "parallel exited %d", st);
	char *m_json = ax_tmp("m.json"), *m_csv = ax_tmp("m.csv");
	r = ax_run_axsim("merge '%s' --json '%s' --csv '%s'", par, m_json, m_csv);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "16 points");
	ax_run_free(&r);
	ck_assert_msg(same_file(in_json, m_json), "merge JSON %s differs from the sweep's %s", m_json, in_json);
	ck_assert_msg(same_file(in_csv, m_csv), "merge CSV %s differs from the sweep's %s", m_csv, in_csv);
	/* merging the in-process sweep's own files (named one by one) gives the same */
	char *m2 = ax_tmp("m2.json");
	r = ax_run_axsim("merge '%s'/*.json --json '%s'", in, m2);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(same_file(in_json, m2));
	ax_run_free(&r);
	/* the job lines were run once: with --resume there is nothing left to do */
	char *jobs2 = ax_tmp("jobs2.txt");
	r = sweep_tiny("%s --out '%s' --emit-jobs '%s' --resume", axes, par, jobs2);
	ck_assert_int_eq(r.status, 0);
	ck_has(r.err, "wrote 8 jobs");
	ck_has(r.err, "8 points already done");
	ax_run_free(&r);
	free(jobs2);
	free(m2);
	free(in);
	free(in_json);
	free(in_csv);
	free(par);
	free(jobs);
	free(m_json);
	free(m_csv);
}
END_TEST

/* merge refuses what is not one sweep. */
START_TEST(merge_bad_input)
{
	char *a = ax_tmp("ma"), *b = ax_tmp("mb");
	struct ax_run r = sweep_tiny("--tiling-depth 1,2 --out '%s'", a);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	r = sweep_tiny("--page-memory true,false --out '%s'", b);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	ax_expect_fail("its axes differ from those of", "merge '%s' '%s'", a, b);
	/* the same point twice */
	ax_expect_fail("are the same point", "merge '%s' '%s/tiling_depth=1.json'", a, a);
	/* a run JSON that is not a sweep point, and a file that is not JSON */
	char *run = ax_tmp("plain.json"), *junk = ax_tmp("junk.json");
	r = ax_run_axsim("run '%s' --config '%s' --quiet --json '%s'", ax_src(TINY_NET), ax_src(TINY_CFG), run);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	ax_expect_fail("not a sweep point (no \"sweep\" object)", "merge '%s'", run);
	ax_write_file(junk, "{\"sweep\": 3");
	ax_expect_fail("not valid JSON", "merge '%s'", junk);
	ax_write_file(junk, "{\"sweep\": {\"schema_version\": 1, \"axes\": [\"tiling_depth\"], \"values\": {}}}");
	ax_expect_fail("lacks axes, values", "merge '%s'", junk);
	/* a *.json that cannot be opened (gone, as when another sweep removed
	 * it) is named, not placed at :-1:-1 */
	char *gone_link = ax_xasprintf("%s/gone.json", a);
	ck_assert_int_eq(symlink("/nonexistent/point.json", gone_link), 0);
	r = ax_run_axsim("merge '%s'", a);
	ck_assert_int_eq(r.status, 2);
	ck_has(r.err, "gone.json: cannot read:");
	ck_assert_ptr_null(strstr(r.err, ":-1:-1:"));
	ax_run_free(&r);
	ck_assert_int_eq(unlink(gone_link), 0);
	free(gone_link);
	/* a point with a different fixed setting is from another sweep */
	char *c = ax_tmp("mother");
	r = sweep_tiny("--tiling-depth 3 --set l2.size=8MiB --out '%s'", c);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	ax_expect_fail("arch.l2.size differs from", "merge '%s' '%s/tiling_depth=3.json'", a, c);
	/* a missing point is said, the rest shown */
	char *gone = ax_xasprintf("%s/tiling_depth=2.json", a);
	ck_assert_int_eq(remove(gone), 0);
	r = ax_run_axsim("merge '%s'", a);
	ck_assert_int_eq(r.status, 0);
	ck_has(r.out, "tiny: 1 point (tiling_depth 1), 1 ok, 0 failed");
	ax_run_free(&r);
	ax_expect_fail("expected point files or directories", "merge");
	ax_expect_fail("/nonexistent-dir: cannot read", "merge /nonexistent-dir");
	/* the hidden job options need a point file */
	ax_expect_fail("--axis needs --json FILE", "run '%s' --axis tiling_depth=2", ax_src(TINY_NET));
	free(gone);
	free(a);
	free(b);
	free(c);
	free(run);
	free(junk);
}
END_TEST

/* A point whose process is killed (SIGKILL while it simulates) is a row with
 * status crashed: the table, CSV and JSON still come out, exit status 0 as
 * another point ran, and axsim merge of the directory gives the same table. */
START_TEST(killed_point_is_a_row)
{
	char *elf = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char *out = ax_tmp("killed"), *csv = ax_tmp("killed.csv"), *json = ax_tmp("killed.json");
	char *so = ax_tmp("killed.out"), *se = ax_tmp("killed.err");
	/* the first point (64-byte DMA chunks, 64 inferences) runs for seconds;
	 * the shell kills it once it exists, then waits for the sweep */
	char cmd[8192];
	snprintf(cmd, sizeof(cmd),
		 "'%s' sweep '%s' --set dma.chunk=64B,64MiB --inferences 64 --jobs 1 --out '%s' --csv '%s' "
		 "--json '%s' >'%s' 2>'%s' & pid=$!; n=0; "
		 "while ! c=$(ps -o pid= --ppid $pid) && [ $n -lt 2000 ]; do sleep 0.01; n=$((n+1)); done; "
		 "kill -KILL $c; wait $pid",
		 getenv("AXSIM_BIN"), elf, out, csv, json, so, se);
	int st = system(cmd);
	char *o = ax_read_file(so, NULL), *e = ax_read_file(se, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sweep status %d: %s", st, e);
	ck_has(o, "2 points (dma.chunk 2), 1 ok, 1 failed");
	ck_has(o, "crashed: the point's process was killed by signal 9");
	char *c = ax_read_file(csv, NULL);
	ck_has(c, "\n64,crashed,,,");
	json_t *j = load_json(json);
	ck_assert_int_eq((int)json_integer_value(json_object_get(j, "points_failed")), 1);
	json_decref(j);
	/* the crashed point file belongs to its sweep: merge takes it */
	struct ax_run r = ax_run_axsim("merge '%s'", out);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "crashed: the point's process was killed by signal 9");
	ck_assert_str_eq(r.out, o);
	ax_run_free(&r);
	free(c);
	free(o);
	free(e);
	free(so);
	free(se);
	free(elf);
	free(out);
	free(csv);
	free(json);
}
END_TEST

/* A points directory belongs to one sweep: another sweep (other fixed
 * settings, other axes) refuses it with --out, and takes a directory of its
 * own by default; the same sweep with more values of its axes shares it. */
START_TEST(out_dir_tied_to_inputs)
{
	char *out = ax_tmp("tied");
	struct ax_run r = sweep_tiny("--tiling-depth 1,2 --out '%s'", out);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	ax_expect_fail("the points directory of another sweep", "sweep '%s' --config '%s' --tiling-depth 1,2 "
		       "--set l2.size=16MiB --out '%s'", ax_src(TINY_NET), ax_src(TINY_CFG), out);
	ax_expect_fail("choose another --out or remove it", "sweep '%s' --config '%s' --tiling-depth 1,2 "
		       "--cores 1,2 --out '%s'", ax_src(TINY_NET), ax_src(TINY_CFG), out);
	r = sweep_tiny("--tiling-depth 1-3 --out '%s'", out);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	r = ax_run_axsim("merge '%s'", out);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "3 points (tiling_depth 3), 3 ok");
	ax_run_free(&r);
	/* a directory of points without the stamp (an older axsim) is checked by its points */
	char *stamp = ax_xasprintf("%s/.axsim-sweep.json", out);
	ck_assert_int_eq(remove(stamp), 0);
	ax_expect_fail("a point of another sweep", "sweep '%s' --config '%s' --tiling-depth 1 --set l2.size=16MiB "
		       "--out '%s'", ax_src(TINY_NET), ax_src(TINY_CFG), out);
	/* the default directory: the second sweep uses its own */
	char *dir = ax_tmp("tied-default");
	mkdir(dir, 0777);
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' sweep '%s' --tiling-depth 1 >/dev/null 2>&1 && '%s' sweep '%s' "
		 "--tiling-depth 1 --set l2.size=16MiB 2>&1 >/dev/null | grep -o 'points in sweep-tiny-[0-9a-f]*/'",
		 dir, getenv("AXSIM_BIN"), ax_src(TINY_NET), getenv("AXSIM_BIN"), ax_src(TINY_NET));
	ck_assert_int_eq(system(cmd), 0);
	free(stamp);
	free(dir);
	free(out);
}
END_TEST

/* YOLOv5s, 4 points: the configured point (tiling depth 6, paging) is marked,
 * equals a plain axsim run of the model YAML, and fusing beats layer by layer. */
START_TEST(yolo_four_points)
{
	char *elf = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char *out = ax_tmp("yolo"), *json = ax_tmp("yolo.json"), *plain = ax_tmp("yolo-plain.json");
	struct ax_run r = ax_run_axsim("sweep '%s' --config '%s' --tiling-depth 1,6 --page-memory true,false "
				       "--jobs 2 --out '%s' --json '%s'",
				       elf, ax_src("models/yolov5s/yolov5s.yaml"), out, json);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "4 points (tiling_depth 2 x page_memory 2), 4 ok");
	ax_run_free(&r);
	r = ax_run_axsim("run '%s' --config '%s' --quiet --json '%s'", elf, ax_src("models/yolov5s/yolov5s.yaml"), plain);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	json_t *j = load_json(json), *p = load_json(plain);
	json_t *pts = json_object_get(j, "points");
	json_t *conf = json_array_get(pts, (size_t)json_integer_value(json_object_get(j, "configured_point")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(conf, "values"), "tiling_depth")), 6);
	ck_assert(json_is_true(json_object_get(json_object_get(conf, "values"), "page_memory")));
	ck_assert_double_eq(json_real_value(json_object_get(conf, "latency_us")),
			    json_real_value(json_object_get(json_object_get(p, "totals"), "latency_us")));
	ck_assert_int_eq(json_integer_value(json_object_get(conf, "latency_cycles")),
			 json_integer_value(json_object_get(json_object_get(p, "totals"), "latency_cycles")));
	/* points are in grid order: (1, false), (1, true), (6, false), (6, true) */
	double d1 = json_real_value(json_object_get(json_array_get(pts, 1), "latency_us"));
	double d6 = json_real_value(json_object_get(json_array_get(pts, 3), "latency_us"));
	ck_assert_double_lt(d6, d1);
	/* the point file is the run JSON plus the sweep object */
	char *f = ax_xasprintf("%s/%s", out, json_string_value(json_object_get(conf, "file")));
	json_t *pf = load_json(f);
	ck_assert(json_equal(json_object_get(pf, "totals"), json_object_get(p, "totals")));
	ck_assert(json_equal(json_object_get(pf, "memory"), json_object_get(p, "memory")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(pf, "sweep"), "status")), "ok");
	json_decref(pf);
	free(f);
	json_decref(j);
	json_decref(p);
	free(elf);
	free(out);
	free(json);
	free(plain);
}
END_TEST

/* The results engine as a library call (run/sweep.h): the point files of a
 * sweep merged in-process give the sweep JSON the tool wrote, for each
 * objective; another JSON in the directory is a warning, not an error. */
START_TEST(results_engine_library)
{
	char *out = ax_tmp("lib"), *json = ax_tmp("lib.json");
	struct ax_run r = sweep_tiny("--tiling-depth 1-2 --set l2.size=2MiB,32MiB --jobs 2 --out '%s' --json '%s' "
				     "--objective ddr", out, json);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	char *other = ax_xasprintf("%s/notes.json", out);
	ax_write_file(other, "{\"a\": 1}\n");
	json_t *want = load_json(json);
	struct ax_sweep_results rs = { 0 };
	rs.objective = (enum ax_sweep_objective)ax_sweep_objective_find("ddr");
	ck_assert_int_eq(rs.objective, AX_OBJ_DDR);
	struct ax_err err, warn;
	ax_err_init(&err);
	ax_err_init(&warn);
	const char *inputs[] = { out };
	ax_sweep_merge(&rs, inputs, 1, &err, &warn);
	ck_assert_msg(err.count == 0, "%s", ax_err_str(&err));
	ck_has(ax_err_str(&warn), "notes.json: not a sweep point; skipped");
	size_t missing = 1;
	ck_assert_int_eq(ax_sweep_results_finish(&rs, &missing, &err), AX_OK);
	ck_assert_uint_eq(missing, 0);
	ck_assert_uint_eq(rs.n, 4);
	json_t *got = ax_sweep_results_json(&rs);
	ck_assert_msg(json_equal(got, want), "the library's sweep JSON differs from the tool's");
	/* the best point is no worse than any other by the objective */
	for (size_t i = 0; i < rs.n; i++)
		if (rs.r[i].best)
			for (size_t k = 0; k < rs.n; k++)
				ck_assert(!ax_sweep_better(&rs, &rs.r[k], &rs.r[i]));
	json_decref(got);
	json_decref(want);
	ax_sweep_results_release(&rs);
	ax_err_release(&err);
	ax_err_release(&warn);
	free(other);
	free(out);
	free(json);
}
END_TEST

/* ax_sweep_run: the library runs the points (a child each) and reads them
 * back; the point files and the sweep JSON are the tool's, byte for byte. */
START_TEST(sweep_run_library)
{
	char *tool = ax_tmp("lib-tool"), *tool_json = ax_tmp("lib-tool.json");
	char *mine = ax_tmp("lib-run");
	struct ax_run r = sweep_tiny("--tiling-depth 1,2 --set l2.size=2MiB,32MiB --set page_memory=false "
				     "--set dma.outstanding=8 --jobs 2 --out '%s' --json '%s'", tool, tool_json);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	struct ax_sweep sw;
	ax_sweep_init(&sw);
	const char *sets[] = { "dma.outstanding=8" }, *cc[] = { "page_memory=false" };
	sw.spec = (struct ax_sweep_spec){ .net_path = ax_src(TINY_NET), .config_path = ax_src(TINY_CFG),
					  .sets = sets, .n_sets = 1, .cc = cc, .n_cc = 1 };
	sw.jobs = 2;
	struct ax_err err, warn;
	ax_err_init(&err);
	ax_err_init(&warn);
	ck_assert_int_eq(ax_sweep_axis_add(&sw, "--tiling-depth", "tiling_depth", "2,1", &err), AX_OK);
	ck_assert_int_eq(ax_sweep_axis_add(&sw, "--set", "l2.size", "2MiB,32MiB", &err), AX_OK);
	/* an axis twice is an error naming what gave it first */
	ck_assert_int_ne(ax_sweep_axis_add(&sw, "--set", "tiling_depth", "3", &err), AX_OK);
	ck_has(ax_err_str(&err), "--set: tiling_depth is already an axis (--tiling-depth)");
	ax_err_release(&err);
	ax_err_init(&err);
	ck_assert_int_eq(ax_sweep_grid(&sw, &err), AX_OK);
	ck_assert_uint_eq(sw.n_points, 4);
	ck_assert_msg(ax_sweep_load(&sw, &err, &warn) == AX_OK, "%s", ax_err_str(&err));
	ck_assert_msg(ax_sweep_claim(&sw, mine, &err) == AX_OK, "%s", ax_err_str(&err));
	struct ax_sweep_results rs = { 0 };
	struct ax_sweep_stats st;
	ck_assert_int_eq(ax_sweep_run(&sw, &rs, &st, &err), AX_OK);
	ck_assert_msg(err.count == 0 && !st.damaged, "%s", ax_err_str(&err));
	ck_assert_uint_eq(st.ran, 4);
	ck_assert_uint_eq(st.resumed, 0);
	size_t missing = 1;
	ck_assert_int_eq(ax_sweep_results_finish(&rs, &missing, &err), AX_OK);
	ck_assert_uint_eq(rs.n, 4);
	int best = 0;
	for (size_t i = 0; i < rs.n; i++) {
		ck_assert_msg(rs.r[i].ok, "%s", rs.r[i].error ? rs.r[i].error : "");
		best += rs.r[i].best;
		/* each point file is the one the tool wrote */
		const char *name = strrchr(rs.r[i].path, '/') + 1;
		char *theirs = ax_xasprintf("%s/%s", tool, name);
		char *a = ax_read_file(theirs, NULL), *b = ax_read_file(rs.r[i].path, NULL);
		ck_assert_msg(a && b && !strcmp(a, b), "%s differs from the tool's", name);
		free(a);
		free(b);
		free(theirs);
	}
	ck_assert_int_eq(best, 1);
	json_t *want = load_json(tool_json), *got = ax_sweep_results_json(&rs);
	ck_assert_msg(json_equal(got, want), "the library's sweep JSON differs from the tool's");
	json_decref(got);
	json_decref(want);
	ax_sweep_results_release(&rs);
	/* again with resume: every point is kept */
	sw.resume = 1;
	memset(&rs, 0, sizeof(rs));
	ck_assert_int_eq(ax_sweep_run(&sw, &rs, &st, &err), AX_OK);
	ck_assert_uint_eq(st.ran, 0);
	ck_assert_uint_eq(st.resumed, 4);
	ax_sweep_results_release(&rs);
	/* another sweep's directory is refused */
	struct ax_sweep other;
	ax_sweep_init(&other);
	other.spec = (struct ax_sweep_spec){ .net_path = ax_src(TINY_NET), .config_path = ax_src(TINY_CFG) };
	ck_assert_int_eq(ax_sweep_axis_add(&other, "--tiling-depth", "tiling_depth", "3", &err), AX_OK);
	ck_assert_int_eq(ax_sweep_grid(&other, &err), AX_OK);
	ck_assert_int_eq(ax_sweep_load(&other, &err, &warn), AX_OK);
	ck_assert_int_eq(ax_sweep_claim(&other, mine, &err), AX_EINPUT);
	ck_has(ax_err_str(&err), "the points directory of another sweep");
	ax_sweep_release(&other);
	ax_sweep_release(&sw);
	ax_err_release(&err);
	ax_err_release(&warn);
	free(tool);
	free(tool_json);
	free(mine);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *t = tcase_create("ccfg_set");
	tcase_add_test(t, ccfg_set_values);
	tcase_add_test(t, ccfg_set_bad_values);
	tcase_add_test(t, ccfg_check_after_sets);
	suite_add_tcase(s, t);
	t = tcase_create("axes");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, axis_lists_and_ranges);
	tcase_add_test(t, axis_bad_values);
	tcase_add_test(t, default_axes);
	suite_add_tcase(s, t);
	t = tcase_create("run");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, tiny_sweep_table);
	tcase_add_test(t, multicore_axes);
	tcase_add_test(t, derived_keys_follow_axes);
	tcase_add_test(t, failing_point);
	tcase_add_test(t, objective);
	tcase_add_test(t, resume);
	tcase_add_test(t, emit_jobs_parallel_merge);
	tcase_add_test(t, merge_bad_input);
	tcase_add_test(t, yolo_four_points);
	tcase_add_test(t, killed_point_is_a_row);
	tcase_add_test(t, out_dir_tied_to_inputs);
	tcase_add_test(t, results_engine_library);
	tcase_add_test(t, sweep_run_library);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
