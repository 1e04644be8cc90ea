/*
 * check_e2e.c - whole-system tests: the real axsim binary on the bundled
 * networks, its JSON read back with jansson, and bad input on the command
 * line.  Figures are checked against what must hold (bounds, conservation,
 * determinism), not against themselves.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

struct bundled {
	const char *net, *model;
	double params, macs;          /* published (shared/calibration.md) */
};

static const struct bundled nets[] = {
	{ "models/resnet50/resnet50.net.yaml", "models/resnet50/resnet50.yaml", 25.56e6, 4.09e9 },
	{ "models/mobilenetv2/mobilenetv2.net.yaml", "models/mobilenetv2/mobilenetv2.yaml", 3.50e6, 0.30e9 },
	{ "models/yolov5s/yolov5s.net.yaml", "models/yolov5s/yolov5s.yaml", 7.23e6, 8.25e9 },
};
#define NNETS (sizeof(nets) / sizeof(nets[0]))

static json_t *run_json(const char *elf, const char *model, const char *extra, const char *tag)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.json", tag);
	char *json = ax_tmp(name);
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --json '%s' %s", elf, ax_src(model), json,
				       extra ? extra : "");
	ck_assert_msg(r.status == 0, "axsim run %s failed (%d): %s", elf, r.status, r.err);
	ax_run_free(&r);
	json_error_t je;
	json_t *j = json_load_file(json, 0, &je);
	ck_assert_msg(j != NULL, "bad JSON in %s: %s", json, je.text);
	free(json);
	return j;
}

static double num(json_t *root, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *cur = root;
	for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, ".")) {
		cur = json_object_get(cur, tok);
		ck_assert_msg(cur != NULL, "JSON has no %s", path);
	}
	ck_assert_msg(json_is_number(cur), "%s is not a number", path);
	return json_number_value(cur);
}

/* Sizes of the bundled networks match the published figures within 2%. */
START_TEST(test_network_totals)
{
	const struct bundled *b = &nets[_i];
	char *elf = ax_compiled(ax_src(b->net));
	json_t *j = run_json(elf, b->model, "--quiet", "totals");
	double p = num(j, "network.params"), m = num(j, "network.macs");
	ck_assert_msg(fabs(p / b->params - 1) < 0.02, "%s: %g params vs %g", b->net, p, b->params);
	ck_assert_msg(fabs(m / b->macs - 1) < 0.02, "%s: %g MACs vs %g", b->net, m, b->macs);
	json_decref(j);
	free(elf);
}
END_TEST

/* Each bundled network runs; the report obeys its invariants. */
START_TEST(test_run_invariants)
{
	const struct bundled *b = &nets[_i];
	char *elf = ax_compiled(ax_src(b->net));
	json_t *j = run_json(elf, b->model, "--quiet", "inv");
	ck_assert_int_eq((int)num(j, "schema_version"), 1);
	double util = num(j, "totals.imc_utilization");
	ck_assert_msg(util > 0 && util <= 1, "utilisation %g", util);
	ck_assert_double_gt(num(j, "totals.latency_cycles"), 0);
	ck_assert_double_gt(num(j, "totals.fps"), 0);
	/* simulated MACs are the network's, once per copy */
	double copies = num(j, "plan.copies");
	ck_assert_double_eq(num(j, "totals.macs"), copies * num(j, "network.macs"));
	/* every weight leaves its home at least once per copy */
	const char *home = json_string_value(json_object_get(json_object_get(j, "plan"), "weight_home"));
	ck_assert_ptr_nonnull(home);
	char path[64];
	snprintf(path, sizeof(path), "memory.%s.weights.read_bytes", home);
	ck_assert_double_ge(num(j, path), copies * num(j, "network.params"));
	/* latency_us and latency_cycles agree at the clock used */
	double us = num(j, "totals.latency_us"), cyc = num(j, "totals.latency_cycles");
	ck_assert_double_le(fabs(cyc / (us * num(j, "plan.clock_hz") / 1e6) - 1), 1e-4);
	/* bytes written into L1 by DMA arrive from DDR or L2: conservation of the
	 * DMA traffic across the hierarchy for activations */
	double l1_w = num(j, "memory.l1.activations.write_bytes");
	ck_assert_double_gt(l1_w, 0);
	/* the layers array covers every non-input layer */
	json_t *layers = json_object_get(j, "layers");
	ck_assert(json_is_array(layers));
	ck_assert_int_eq((int)json_array_size(layers), (int)num(j, "network.layers") - 1);
	/* layer charges partition the timeline: they add up to the latency
	 * less the first descriptor fetch */
	double sum = 0;
	size_t i;
	json_t *l;
	json_array_foreach(layers, i, l) sum += json_number_value(json_object_get(l, "cycles"));
	ck_assert_double_le(sum, cyc + (double)json_array_size(layers));
	ck_assert_double_ge(sum, 0.97 * cyc);
	json_decref(j);
	free(elf);
}
END_TEST

/* The same inputs give byte-identical JSON. */
START_TEST(test_deterministic)
{
	char *elf = ax_compiled(ax_src(nets[2].net));
	char *a = ax_tmp("det-a.json"), *b = ax_tmp("det-b.json");
	struct ax_run r1 = ax_run_axsim("run '%s' --config '%s' --json '%s' --quiet", elf, ax_src(nets[2].model), a);
	struct ax_run r2 = ax_run_axsim("run '%s' --config '%s' --json '%s' --quiet", elf, ax_src(nets[2].model), b);
	ck_assert_int_eq(r1.status, 0);
	ck_assert_int_eq(r2.status, 0);
	size_t la, lb;
	char *ta = ax_read_file(a, &la), *tb = ax_read_file(b, &lb);
	ck_assert_ptr_nonnull(ta);
	ck_assert_uint_eq(la, lb);
	ck_assert_int_eq(memcmp(ta, tb, la), 0);
	free(ta);
	free(tb);
	ax_run_free(&r1);
	ax_run_free(&r2);
	free(a);
	free(b);
	free(elf);
}
END_TEST

/* The text report shows what the issue promises at a glance. */
START_TEST(test_text_report)
{
	char *elf = ax_compiled(ax_src(nets[0].net));
	struct ax_run r = ax_run_axsim("run '%s' --config '%s'", elf, ax_src(nets[0].model));
	ck_assert_int_eq(r.status, 0);
	static const char *const want[] = { "latency", "cycles", " us ", "throughput", "IMC",
					    "utilisation", "busy", "ddr", "l2", "l1", "weights",
					    "activations", "tasklist", "slowest layers", "bottleneck", NULL };
	for (size_t i = 0; want[i]; i++)
		ck_assert_msg(strstr(r.out, want[i]), "report lacks '%s':\n%s", want[i], r.out);
	ax_run_free(&r);
	free(elf);
}
END_TEST

/* What-if: a much slower DDR (tasklists, inputs and outputs live there) and
 * a slower clock make ResNet-50 slower. */
START_TEST(test_what_if)
{
	char *elf = ax_compiled(ax_src(nets[0].net));
	json_t *base = run_json(elf, nets[0].model, "--quiet", "wi-base");
	json_t *slow = run_json(elf, nets[0].model, "--quiet --set ddr.data_rate=200MT/s", "wi-ddr");
	json_t *clk = run_json(elf, nets[0].model, "--quiet --set chip.clock=400MHz", "wi-clk");
	ck_assert_double_gt(num(slow, "totals.latency_us"), num(base, "totals.latency_us"));
	ck_assert_double_gt(num(clk, "totals.latency_us"), num(base, "totals.latency_us"));
	json_decref(base);
	json_decref(slow);
	json_decref(clk);
	free(elf);
}
END_TEST

/* inspect lists every layer with the same totals as the run. */
START_TEST(test_inspect)
{
	char *elf = ax_compiled(ax_src(nets[1].net));
	struct ax_run r = ax_run_axsim("inspect '%s'", elf);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "features.1.conv.0"));
	ck_assert_ptr_nonnull(strstr(r.out, "total: "));
	json_t *j = run_json(elf, nets[1].model, "--quiet", "insp");
	char want[64];
	snprintf(want, sizeof(want), "%.0f MACs", num(j, "network.macs"));
	ck_assert_msg(strstr(r.out, want), "inspect total differs from run: %s", want);
	json_decref(j);
	ax_run_free(&r);
	free(elf);
}
END_TEST

/* Bad input: exit status 2 and one clear message, never a crash. */
START_TEST(test_bad_input)
{
	char *garbage = ax_tmp("garbage.elf");
	ax_write_file(garbage, "\177ELF this is not really an ELF file at all");
	char *elf = ax_compiled(ax_src("models/tiny/tiny.net.yaml"));
	char *badcfg = ax_tmp("bad-model.yaml");
	ax_write_file(badcfg, "models:\n  m:\n    extra_kwargs:\n      compilation_config:\n"
			      "        backend_config:\n          tiling_depth: 0\n");
	struct {
		const char *args, *needle;
	} cases[] = {
		{ "run /nonexistent.elf", "nonexistent" },
		{ "run GARBAGE", "garbage.elf" },
		{ "run ELF --config BADCFG", "bad-model.yaml:6:25: " },
		{ "run ELF --config BADCFG", "'0' is out of range; expected an integer from 1 to 64" },
		{ "run ELF --jsn x.json", "did you mean '--json'" },
		{ "run ELF --set l2.size=lots", "'lots' is not a number" },
		{ "run ELF --set chip.cores=2", "aipu_cores: '4' is more than the chip's 2 cores" },
		{ "run", "expected one network" },
		{ "compile /nonexistent.yaml -o x.elf", "nonexistent.yaml" },
		{ "frobnicate", "unknown command 'frobnicate'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[2048];
		const char *src = cases[i].args;
		char *d = args;
		while (*src && d < args + sizeof(args) - 600) {
			if (!strncmp(src, "GARBAGE", 7)) { d += sprintf(d, "'%s'", garbage); src += 7; }
			else if (!strncmp(src, "BADCFG", 6)) { d += sprintf(d, "'%s'", badcfg); src += 6; }
			else if (!strncmp(src, "ELF", 3)) { d += sprintf(d, "'%s'", elf); src += 3; }
			else *d++ = *src++;
		}
		*d = '\0';
		struct ax_run r = ax_run_axsim("%s", args);
		ck_assert_msg(r.status == 2, "'%s' exited %d: %s", cases[i].args, r.status, r.err);
		ck_assert_msg(strstr(r.err, cases[i].needle), "'%s': message lacks '%s': %s", cases[i].args,
			      cases[i].needle, r.err);
		ax_run_free(&r);
	}
	free(garbage);
	free(badcfg);
	free(elf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e");
	TCase *t = tcase_create("bundled");
	tcase_set_timeout(t, 300);
	tcase_add_loop_test(t, test_network_totals, 0, NNETS);
	tcase_add_loop_test(t, test_run_invariants, 0, NNETS);
	tcase_add_test(t, test_deterministic);
	tcase_add_test(t, test_text_report);
	tcase_add_test(t, test_what_if);
	tcase_add_test(t, test_inspect);
	tcase_add_test(t, test_bad_input);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
