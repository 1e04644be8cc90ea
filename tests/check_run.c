/*
 * check_run.c - the public C API (axsim.h) over libaxsim alone: a run gives
 * the same JSON report and text as axsim run on the same inputs; compilation
 * keys and hardware parameters both go through axsim_spec_set; bad input,
 * a failed call and a second simulation in one process are told apart by
 * their status; axsim_sweep gives axsim sweep's JSON.  Check's fork mode gives every test a fresh process.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axsim.h"
#include "testutil.h"

#define TINY_NET "models/tiny/tiny.net.yaml"
#define TINY_MODEL "models/tiny/tiny.yaml"

/* A specification of the tiny network with its model YAML. */
static struct axsim_spec *tiny_spec(void)
{
	struct axsim_spec *spec = axsim_spec_new();
	ck_assert_ptr_nonnull(spec);
	ck_assert_int_eq(axsim_spec_set_net(spec, ax_src(TINY_NET)), AXSIM_OK);
	ck_assert_int_eq(axsim_spec_set_config(spec, ax_src(TINY_MODEL), NULL, NULL), AXSIM_OK);
	return spec;
}

START_TEST(test_same_as_tool)
{
	char *json = ax_tmp("tool.json");
	struct ax_run t = ax_run_axsim("run '%s' --config '%s' --json '%s'", ax_src(TINY_NET),
				       ax_src(TINY_MODEL), json);
	ck_assert_msg(t.status == 0, "axsim run failed: %s", t.err);

	struct axsim_session *s = axsim_session_new();
	struct axsim_spec *spec = tiny_spec();
	struct axsim_result *r = NULL;
	ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_OK);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(axsim_session_errors(s), "");

	char *want = ax_read_file(json, NULL);
	char *got = axsim_result_format(r, AXSIM_FORMAT_JSON);
	ck_assert_str_eq(got, want);
	axsim_free(got);
	got = axsim_result_format(r, AXSIM_FORMAT_TEXT);
	ck_assert_str_eq(got, t.out);
	axsim_free(got);
	got = axsim_result_format(r, AXSIM_FORMAT_CSV);
	ck_assert_msg(!strncmp(got, "layer,op,unit,", 14), "CSV starts: %.40s", got);
	axsim_free(got);
	ck_assert_ptr_null(axsim_result_format(r, AXSIM_FORMAT_TRACE));

	double v;
	ck_assert(axsim_result_latency_cycles(r) > 0);
	ck_assert_int_eq(axsim_result_get(r, "totals.latency_cycles", &v), AXSIM_OK);
	ck_assert_uint_eq((uint64_t)v, axsim_result_latency_cycles(r));
	ck_assert(axsim_result_fps(r) > 0);
	ck_assert_int_eq(axsim_result_get(r, "layers.1.cycles", &v), AXSIM_OK);
	ck_assert_int_eq(axsim_result_get(r, "totals.no_such_figure", &v), AXSIM_EINPUT);
	ck_assert_int_eq(axsim_result_get(r, "network", &v), AXSIM_EINPUT);

	char *out = ax_tmp("api.json");
	ck_assert_int_eq(axsim_result_write(s, r, AXSIM_FORMAT_JSON, out), AXSIM_OK);
	char *written = ax_read_file(out, NULL);
	ck_assert_str_eq(written, want);
	ck_assert_int_eq(axsim_result_write(s, r, AXSIM_FORMAT_TRACE, out), AXSIM_EUSAGE);
	ck_has(axsim_session_errors(s), "no trace was recorded");
	char *nodir = ax_tmp("no-such-dir/api.csv");
	ck_assert_int_eq(axsim_result_write(s, r, AXSIM_FORMAT_CSV, nodir), AXSIM_EOUTPUT);
	ck_has(axsim_session_errors(s), "no-such-dir/api.csv: cannot");
	free(nodir);

	free(written);
	free(out);
	free(want);
	axsim_result_free(r);
	axsim_spec_free(spec);
	axsim_session_free(s);
	ax_run_free(&t);
	free(json);
}
END_TEST

/* One change list takes hardware parameters and compilation keys alike. */
START_TEST(test_set_both_kinds)
{
	char *json = ax_tmp("tool2.json");
	struct ax_run t = ax_run_axsim("run '%s' --config '%s' --quiet --set l2.size=4MiB --set-cc tiling_depth=1 "
				       "--json '%s'", ax_src(TINY_NET), ax_src(TINY_MODEL), json);
	ck_assert_msg(t.status == 0, "axsim run failed: %s", t.err);
	struct axsim_session *s = axsim_session_new();
	struct axsim_spec *spec = tiny_spec();
	axsim_spec_set(spec, "l2.size=4MiB");
	axsim_spec_set(spec, "tiling_depth=1");
	struct axsim_result *r = NULL;
	ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_OK);
	double v;
	ck_assert_int_eq(axsim_result_get(r, "config.tiling_depth", &v), AXSIM_OK);
	ck_assert_int_eq((int)v, 1);
	char *want = ax_read_file(json, NULL);
	char *got = axsim_result_format(r, AXSIM_FORMAT_JSON);
	ck_assert_str_eq(got, want);
	axsim_free(got);
	free(want);
	axsim_result_free(r);
	axsim_spec_free(spec);
	axsim_session_free(s);
	ax_run_free(&t);
	free(json);
}
END_TEST

START_TEST(test_bad_input)
{
	static const struct {
		const char *set, *needle;
	} cases[] = {
		{ "l2.sise=4MiB", "l2.sise" },
		{ "tiling_depth=0", "tiling_depth" },
		{ "nonsense", "--set 'nonsense': expected key.path=value" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct axsim_session *s = axsim_session_new();
		struct axsim_spec *spec = tiny_spec();
		axsim_spec_set(spec, cases[i].set);
		struct axsim_result *r = (struct axsim_result *)spec;
		ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_EINPUT);
		ck_assert_ptr_null(r);
		ck_has(axsim_session_errors(s), cases[i].needle);
		axsim_spec_free(spec);
		axsim_session_free(s);
	}
	struct axsim_session *s = axsim_session_new();
	struct axsim_spec *spec = axsim_spec_new();
	struct axsim_result *r;
	ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_EINPUT);
	ck_has(axsim_session_errors(s), "no network");
	axsim_spec_set_net(spec, ax_src("models/tiny/missing.net.yaml"));
	ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_EINPUT);
	ck_has(axsim_session_errors(s), "missing.net.yaml");
	axsim_spec_set_net(spec, ax_src(TINY_NET));
	axsim_spec_set_inferences(spec, 65);
	ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_EINPUT);
	ck_has(axsim_session_errors(s), "expected an integer from 1 to 64");
	ck_assert_int_eq(axsim_run(s, NULL, &r), AXSIM_EUSAGE);
	ck_assert_int_eq(axsim_run(NULL, spec, &r), AXSIM_EUSAGE);
	ck_assert_int_eq(axsim_spec_set_net(spec, NULL), AXSIM_EUSAGE);
	axsim_spec_free(spec);
	axsim_session_free(s);
}
END_TEST

/* SystemC cannot restart: the second run of a process is refused, not crashed. */
START_TEST(test_one_simulation_per_process)
{
	struct axsim_session *s = axsim_session_new();
	struct axsim_spec *spec = tiny_spec();
	axsim_spec_set_inferences(spec, 1);
	axsim_spec_set_trace(spec, 1);
	struct axsim_result *r;
	ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_OK);
	char *trace = axsim_result_format(r, AXSIM_FORMAT_TRACE);
	ck_assert_ptr_nonnull(trace);
	ck_has(trace, "traceEvents");
	axsim_free(trace);
	axsim_result_free(r);
	ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_EUSAGE);
	ck_has(axsim_session_errors(s), "one simulation per process");
	ck_assert_ptr_null(r);
	axsim_spec_free(spec);
	axsim_session_free(s);
}
END_TEST

/* axsim_compare gives the verdicts axsim compare prints. */
START_TEST(test_compare)
{
	char *a = ax_tmp("cmp-a.json"), *b = ax_tmp("cmp-b.json");
	struct ax_run t = ax_run_axsim("run '%s' --config '%s' --quiet --json '%s'", ax_src(TINY_NET),
				       ax_src(TINY_MODEL), a);
	ck_assert_msg(t.status == 0, "%s", t.err);
	ax_run_free(&t);
	t = ax_run_axsim("run '%s' --config '%s' --quiet --json '%s' --set tiling_depth=2 --set ddr.data_rate=1600MT/s",
			 ax_src(TINY_NET), ax_src(TINY_MODEL), b);
	ck_assert_msg(t.status == 0, "%s", t.err);
	ax_run_free(&t);
	struct ax_run tool = ax_run_axsim("compare '%s' '%s' --tolerance 1%%", b, a);

	struct axsim_session *s = axsim_session_new();
	static const char *const tol[] = { "1%", NULL };
	char *out = NULL;
	ck_assert_int_eq(axsim_compare(s, b, a, NULL, tol, 0, &out), AXSIM_OK);
	ck_assert_ptr_nonnull(out);
	size_t regressed = (size_t)ax_count_str(tool.out, "REGRESSED");
	char want[64];
	snprintf(want, sizeof(want), "\"regressed\": %zu\n", regressed);
	ck_has(out, want);
	ck_assert_int_eq(tool.status, regressed ? 1 : 0);
	ck_has(out, "\"path\": \"config.tiling_depth\"");
	ck_has(out, "\"name\": \"totals.latency_cycles\"");
	ck_assert_int_eq(ax_count_str(out, "\"verdict\": \"REGRESSED\""), (int)regressed);
	axsim_free(out);

	static const char *const metrics[] = { "totals.fpx", NULL };
	ck_assert_int_eq(axsim_compare(s, a, a, metrics, NULL, 0, &out), AXSIM_EINPUT);
	ck_assert_ptr_null(out);
	ck_has(axsim_session_errors(s), "no 'totals.fpx' in the report; did you mean 'totals.fps'?");
	ck_assert_int_eq(axsim_compare(s, a, ax_src("missing.json"), NULL, NULL, 0, &out), AXSIM_EINPUT);
	ck_has(axsim_session_errors(s), "missing.json");
	axsim_session_free(s);
	ax_run_free(&tool);
	free(a);
	free(b);
}
END_TEST

/* A pipeline through the API gives the tool's pipeline figures. */
START_TEST(test_pipeline)
{
	char *yaml = strdup(ax_src("models/pipelines/yolov5s-mobilenetv2.yaml"));
	char *det = strdup(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char *cls = strdup(ax_src("models/mobilenetv2/mobilenetv2.net.yaml"));
	char *json = ax_tmp("pipe.json");
	struct ax_run t = ax_run_axsim("run --config '%s' --net yolov5s-v7-coco-onnx='%s' --net "
				       "mobilenetv2-imagenet-onnx='%s' --rois mobilenetv2-imagenet-onnx=4 --quiet --json '%s'",
				       yaml, det, cls, json);
	ck_assert_msg(t.status == 0, "axsim run failed: %s", t.err);
	struct axsim_session *s = axsim_session_new();
	struct axsim_spec *spec = axsim_spec_new();
	ck_assert_int_eq(axsim_spec_set_config(spec, yaml, NULL, NULL), AXSIM_OK);
	ck_assert_int_eq(axsim_spec_add_net(spec, "yolov5s-v7-coco-onnx", det), AXSIM_OK);
	ck_assert_int_eq(axsim_spec_add_net(spec, "mobilenetv2-imagenet-onnx", cls), AXSIM_OK);
	ck_assert_int_eq(axsim_spec_set_rois(spec, "mobilenetv2-imagenet-onnx", 4), AXSIM_OK);
	struct axsim_result *r = NULL;
	ck_assert_msg(axsim_run(s, spec, &r) == AXSIM_OK, "%s", axsim_session_errors(s));
	double rpf, fps;
	ck_assert_int_eq(axsim_result_get(r, "pipeline.models.1.runs_per_frame", &rpf), AXSIM_OK);
	ck_assert_double_eq(rpf, 4);
	ck_assert_int_eq(axsim_result_get(r, "pipeline.fps", &fps), AXSIM_OK);
	char *text = ax_read_file(json, NULL);
	char *mine = axsim_result_format(r, AXSIM_FORMAT_JSON);
	ck_assert_str_eq(mine, text);
	axsim_free(mine);
	free(text);
	axsim_result_free(r);
	axsim_spec_free(spec);
	axsim_session_free(s);
	ax_run_free(&t);
	free(json);
	free(cls);
	free(det);
	free(yaml);
}
END_TEST

/* axsim_sweep writes the sweep JSON axsim sweep writes for the same sweep;
 * bad axes are bad input before anything runs; no sweep after a run. */
START_TEST(test_sweep)
{
	char *dir = ax_tmp("api-sweep"), *tool_dir = ax_tmp("api-sweep-tool"), *tool = ax_tmp("api-sweep.json");
	struct ax_run t = ax_run_axsim("sweep '%s' --config '%s' --tiling-depth 1,2 --set l2.size=8MiB,32MiB "
				       "--set page_memory=false --jobs 2 --objective fps --out '%s' --json '%s'",
				       ax_src(TINY_NET), ax_src(TINY_MODEL), tool_dir, tool);
	ck_assert_msg(t.status == 0, "%s", t.err);
	ax_run_free(&t);
	struct axsim_session *s = axsim_session_new();
	struct axsim_spec *spec = tiny_spec();
	ck_assert_int_eq(axsim_spec_set(spec, "page_memory=false"), AXSIM_OK);
	ck_assert_int_eq(axsim_spec_add_axis(spec, "l2.size", "32MiB,8MiB"), AXSIM_OK);
	ck_assert_int_eq(axsim_spec_add_axis(spec, "tiling_depth", "1-2"), AXSIM_OK);
	char *out = NULL;
	ck_assert_msg(axsim_sweep(s, spec, dir, 2, 0, "fps", &out) == AXSIM_OK, "%s", axsim_session_errors(s));
	/* the axes in another order make other point names: compare the points */
	char *want = ax_read_file(tool, NULL);
	ck_has(out, "\"points_ok\": 4");
	ck_has(out, "\"objective\": \"fps\"");
	ck_has(want, "\"points_ok\": 4");
	axsim_free(out);
	free(want);
	axsim_spec_free(spec);

	/* the same axes in the tool's order: the tool's sweep JSON, byte for byte */
	spec = tiny_spec();
	ck_assert_int_eq(axsim_spec_set(spec, "page_memory=false"), AXSIM_OK);
	ck_assert_int_eq(axsim_spec_add_axis(spec, "tiling_depth", "1,2"), AXSIM_OK);
	ck_assert_int_eq(axsim_spec_add_axis(spec, "l2.size", "8MiB,32MiB"), AXSIM_OK);
	ck_assert_msg(axsim_sweep(s, spec, tool_dir, 2, 1, "fps", &out) == AXSIM_OK, "%s", axsim_session_errors(s));
	want = ax_read_file(tool, NULL);
	ck_assert_str_eq(out, want);
	axsim_free(out);
	free(want);

	ck_assert_int_eq(axsim_spec_add_axis(spec, "tiling_depht", "1,2"), AXSIM_OK);
	ck_assert_int_eq(axsim_sweep(s, spec, dir, 2, 0, NULL, &out), AXSIM_EINPUT);
	ck_has(axsim_session_errors(s), "axis 'tiling_depht': not a hardware parameter or compilation key; "
					"did you mean 'tiling_depth'?");
	ck_assert_ptr_null(out);
	axsim_spec_free(spec);
	spec = tiny_spec();
	ck_assert_int_eq(axsim_spec_add_axis(spec, "tiling_depth", "0,1"), AXSIM_OK);
	ck_assert_int_eq(axsim_sweep(s, spec, dir, 1, 0, NULL, &out), AXSIM_EINPUT);
	ck_has(axsim_session_errors(s), "tiling_depth: '0' is out of range");
	ck_assert_int_eq(axsim_sweep(s, spec, dir, 1, 0, "speed", &out), AXSIM_EINPUT);
	ck_has(axsim_session_errors(s), "objective 'speed' is not valid");

	struct axsim_result *r;
	ck_assert_int_eq(axsim_run(s, spec, &r), AXSIM_OK);
	axsim_result_free(r);
	ck_assert_int_eq(axsim_sweep(s, spec, dir, 1, 0, NULL, &out), AXSIM_EUSAGE);
	ck_has(axsim_session_errors(s), "before any axsim_run");
	axsim_spec_free(spec);
	axsim_session_free(s);
	free(dir);
	free(tool_dir);
	free(tool);
}
END_TEST

START_TEST(test_version)
{
	struct ax_run t = ax_run_axsim("--version");
	char want[64];
	snprintf(want, sizeof(want), "axsim %s\n", axsim_version());
	ck_assert_str_eq(t.out, want);
	ax_run_free(&t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("run");
	TCase *t = tcase_create("api");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_same_as_tool);
	tcase_add_test(t, test_set_both_kinds);
	tcase_add_test(t, test_bad_input);
	tcase_add_test(t, test_one_simulation_per_process);
	tcase_add_test(t, test_compare);
	tcase_add_test(t, test_pipeline);
	tcase_add_test(t, test_sweep);
	tcase_add_test(t, test_version);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
