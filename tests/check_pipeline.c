/*
 * check_pipeline.c - several models on one chip (docs/timing-model.md
 * "Pipelines of models"): the bundled cascade, each model against itself
 * alone, the regions of interest, and the shares of the chip that do not fit.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* A formatted heap string (the test's own; libaxsim's is not linked here). */
static char *ax_xasprintf_test(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *ax_xasprintf_test(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	ck_assert_int_ge(vasprintf(&s, fmt, ap), 0);
	va_end(ap);
	return s;
}

#define CASCADE "models/pipelines/yolov5s-mobilenetv2.yaml"
#define DET "yolov5s-v7-coco-onnx"
#define CLS "mobilenetv2-imagenet-onnx"

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	return j;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_number(v), "no number '%s'", key);
	return json_number_value(v);
}

/* The cascade's report, with extra options. */
static json_t *cascade(const char *extra)
{
	char *out = ax_tmp("cascade.json");
	char *det = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char *cls = ax_compiled(ax_src("models/mobilenetv2/mobilenetv2.net.yaml"));
	struct ax_run r = ax_run_axsim("run --config '%s' --net " DET "='%s' --net " CLS "='%s' --json '%s' %s",
				       ax_src(CASCADE), det, cls, out, extra);
	ck_assert_msg(r.status == 0, "cascade failed (%d): %s", r.status, r.err);
	ck_has(r.out, "pipeline   2 models at once");
	ck_has(r.out, "model " DET ": cores 0-2, 3 copies");
	ck_has(r.out, "model " CLS ": cores 3-3, 1 copy");
	ax_run_free(&r);
	json_t *j = load_json(out);
	free(out);
	free(det);
	free(cls);
	return j;
}

/* One model of the cascade's YAML alone on the chip, its pipeline entry. */
static json_t *alone(const char *model, const char *net, const char *inferences)
{
	char *out = ax_tmp("alone.json");
	char *elf = ax_compiled(ax_src(net));
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --model %s --inferences %s --quiet --json '%s'", elf,
				       ax_src(CASCADE), model, inferences, out);
	ck_assert_msg(r.status == 0, "%s alone failed (%d): %s", model, r.status, r.err);
	ax_run_free(&r);
	json_t *j = load_json(out);
	free(out);
	free(elf);
	json_t *m = json_incref(json_array_get(json_object_get(json_object_get(j, "pipeline"), "models"), 0));
	json_decref(j);
	return m;
}

/* A detector on 3 cores and a classifier on 1, top_k 10: one run with both
 * models' figures and the frame rate the slower stage allows. */
START_TEST(test_cascade)
{
	json_t *j = cascade("");
	json_t *p = json_object_get(j, "pipeline");
	json_t *ms = json_object_get(p, "models");
	ck_assert_uint_eq(json_array_size(ms), 2);
	json_t *d = json_array_get(ms, 0), *c = json_array_get(ms, 1);
	ck_assert_str_eq(json_string_value(json_object_get(d, "name")), DET);
	ck_assert_int_eq((int)num(d, "cores"), 3);
	ck_assert_int_eq((int)num(d, "first_core"), 0);
	ck_assert_int_eq((int)num(d, "runs_per_frame"), 1);
	ck_assert_int_eq((int)num(c, "cores"), 1);
	ck_assert_int_eq((int)num(c, "first_core"), 3);
	ck_assert_int_eq((int)num(c, "runs_per_frame"), 10);
	ck_assert_double_eq_tol(num(d, "resources_used") + num(c, "resources_used"), 1.0, 1e-9);
	ck_assert(num(d, "latency_us") > 0 && num(c, "latency_us") > 0);
	/* the classifier runs ten times a frame: it limits the frame rate */
	ck_assert_double_eq_tol(num(c, "frame_fps"), num(c, "fps") / 10, 1e-3);
	double f = num(p, "fps");
	ck_assert_double_eq_tol(f, num(c, "frame_fps") < num(d, "frame_fps") ? num(c, "frame_fps") : num(d, "frame_fps"),
				1e-3);
	ck_assert_str_eq(json_string_value(json_object_get(p, "slowest")), CLS);
	/* the chip's sections count every model's cores and layers */
	ck_assert_int_eq((int)num(json_object_get(j, "plan"), "cores"), 4);
	json_decref(j);
}
END_TEST

/* A second model's layer folded into a sibling (docs/timing-model.md
 * "Concatenation") names that sibling, a layer of its own model, in the
 * chip's layer list. */
START_TEST(test_merged_layer_names)
{
	char *out = ax_tmp("merged.json");
	char *det = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char *fire = ax_compiled(ax_src("tests/nets/fire.yaml"));
	struct ax_run r = ax_run_axsim("run --config '%s' --net " DET "='%s' --net " CLS "='%s' --json '%s' --quiet",
				       ax_src(CASCADE), det, fire, out);
	ck_assert_msg(r.status == 0, "cascade failed (%d): %s", r.status, r.err);
	ax_run_free(&r);
	json_t *j = load_json(out);
	size_t i, merged = 0;
	json_t *l;
	json_array_foreach(json_object_get(j, "layers"), i, l) {
		const json_t *m = json_object_get(l, "merged_into");
		if (json_is_null(m))
			continue;
		merged++;
		ck_assert_str_eq(json_string_value(json_object_get(l, "name")), CLS "/expand1x1");
		ck_assert_str_eq(json_string_value(m), CLS "/expand3x3");
	}
	ck_assert_uint_eq(merged, 1);
	json_decref(j);
	free(out);
	free(det);
	free(fire);
}
END_TEST

/* Sharing the chip (L2 ports, NoC, DDR) makes each model slower than alone
 * on the same cores. */
START_TEST(test_sharing_slows)
{
	json_t *j = cascade("");
	json_t *ms = json_object_get(json_object_get(j, "pipeline"), "models");
	json_t *d = json_array_get(ms, 0), *c = json_array_get(ms, 1);
	char inf[16];
	snprintf(inf, sizeof(inf), "%d", (int)num(d, "inferences_per_copy"));
	json_t *da = alone(DET, "models/yolov5s/yolov5s.net.yaml", inf);
	snprintf(inf, sizeof(inf), "%d", (int)num(c, "inferences_per_copy"));
	json_t *ca = alone(CLS, "models/mobilenetv2/mobilenetv2.net.yaml", inf);
	ck_assert_msg(num(d, "latency_us") > num(da, "latency_us"), "detector: %g us shared, %g us alone",
		      num(d, "latency_us"), num(da, "latency_us"));
	ck_assert_msg(num(c, "latency_us") > num(ca, "latency_us"), "classifier: %g us shared, %g us alone",
		      num(c, "latency_us"), num(ca, "latency_us"));
	ck_assert_msg(num(c, "fps") < num(ca, "fps"), "classifier: %g/s shared, %g/s alone", num(c, "fps"),
		      num(ca, "fps"));
	json_decref(da);
	json_decref(ca);
	json_decref(j);
}
END_TEST

/* --rois overrides the pipeline section's top_k; axsim compare of two
 * pipelines compares their frame rates too (fewer boxes: more frames/s). */
START_TEST(test_rois)
{
	json_t *j = cascade("");
	char *base = ax_tmp("base.json");
	ck_assert_int_eq(json_dump_file(j, base, 0), 0);
	json_decref(j);
	j = cascade("--rois " CLS "=3");
	json_t *c = json_array_get(json_object_get(json_object_get(j, "pipeline"), "models"), 1);
	ck_assert_int_eq((int)num(c, "runs_per_frame"), 3);
	char *cur = ax_tmp("cascade.json");
	struct ax_run r = ax_run_axsim("compare '%s' '%s'", base, cur);
	/* 1: other metrics of the chip may be worse than the base at 0% */
	ck_assert_msg(r.status == 0 || r.status == 1, "compare failed (%d): %s", r.status, r.err);
	const char *row = strstr(r.out, "\npipeline.fps ");
	ck_assert_msg(row != NULL, "no pipeline.fps row in:\n%s", r.out);
	const char *eol = strchr(row + 1, '\n');
	ck_assert_msg(eol && eol - row > 6 && !strncmp(eol - 6, "better", 6), "pipeline.fps not better in:\n%s", r.out);
	ax_run_free(&r);
	free(base);
	free(cur);
	json_decref(j);
}
END_TEST

/* Two tiny models whose second stage's pipeline step is step (YAML text
 * under "  - second:\n"), and the first's postprocess post. */
static char *tiny_pipeline(const char *name, const char *post, const char *step)
{
#define TINY_ENTRY(name)                                \
	"  " name ":\n"                                 \
	"    class: AxONNXModel\n"                      \
	"    input_tensor_shape: [1, 3, 32, 32]\n"      \
	"    extra_kwargs:\n"                           \
	"      aipu_cores: 1\n"
	const char *a = TINY_ENTRY("first"), *b = TINY_ENTRY("second");
	char *text = ax_xasprintf_test("pipeline:\n"
				       "  - detect:\n"
				       "      model_name: first\n"
				       "      postprocess:\n"
				       "        - decode:\n%s"
				       "  - classify:\n"
				       "      model_name: second\n%s"
				       "models:\n%s%s",
				       post, step, a, b);
	char *path = ax_tmp(name);
	ax_write_file(path, text);
	free(text);
	return path;
}

/* The runs per frame of the second tiny model with the pipeline of path. */
static int tiny_rois(const char *path)
{
	char *out = ax_tmp("tiny-pipeline.json");
	char *net = strdup(ax_src("models/tiny/tiny.net.yaml"));
	struct ax_run r = ax_run_axsim("run --config '%s' --net first='%s' --net second='%s' --inferences 1 --quiet "
				       "--json '%s'", path, net, net, out);
	ck_assert_msg(r.status == 0, "%s failed (%d): %s", path, r.status, r.err);
	ax_run_free(&r);
	json_t *j = load_json(out);
	int n = (int)num(json_array_get(json_object_get(json_object_get(j, "pipeline"), "models"), 1), "runs_per_frame");
	json_decref(j);
	free(net);
	free(out);
	return n;
}

/* Where the default runs per frame come from: the step's input.top_k (the
 * SDK's region-of-interest input), else an earlier step's postprocess top_k,
 * then nms_top_k, else 1. */
START_TEST(test_default_rois)
{
	char *p = tiny_pipeline("roi.yaml", "            nms_top_k: 30\n            top_k: 7\n",
				"      input:\n        source: roi\n        where: detect\n        top_k: 5\n");
	ck_assert_int_eq(tiny_rois(p), 5);
	free(p);
	p = tiny_pipeline("topk.yaml", "            nms_top_k: 30\n            top_k: 7\n", "      input:\n        type: image\n");
	ck_assert_int_eq(tiny_rois(p), 7);
	free(p);
	p = tiny_pipeline("nms.yaml", "            nms_top_k: 30\n", "      input:\n        type: image\n");
	ck_assert_int_eq(tiny_rois(p), 30);
	free(p);
	p = tiny_pipeline("none.yaml", "            box_format: xywh\n", "      input:\n        type: image\n");
	ck_assert_int_eq(tiny_rois(p), 1);
	free(p);
	/* a top_k that is not a count: the YAML's position */
	p = tiny_pipeline("bad.yaml", "            box_format: xywh\n", "      input:\n        top_k: many\n");
	ax_expect_fail("bad.yaml:10:16: top_k: 'many' is not an integer", "run --config '%s' --net first=x --net second=y", p);
	free(p);
}
END_TEST

/* A YAML of the cascade with other compilation settings. */
static char *variant(const char *name, const char *from, const char *to)
{
	char *text = ax_read_file(ax_src(CASCADE), NULL);
	ck_assert(text != NULL);
	char *at = strstr(text, from);
	ck_assert_msg(at != NULL, "no '%s' in the cascade", from);
	char *path = ax_tmp(name);
	size_t head = (size_t)(at - text);
	char *out = malloc(strlen(text) + strlen(to) + 1);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	ax_write_file(path, out);
	free(out);
	free(text);
	return path;
}

/* Each model keeps its own mvm_limitation: capping the classifier's IMC
 * slows it and leaves the detector as it was. */
START_TEST(test_own_mvm_cap)
{
	json_t *j = cascade("");
	json_t *ms = json_object_get(json_object_get(j, "pipeline"), "models");
	double det = num(json_array_get(ms, 0), "latency_us"), cls = num(json_array_get(ms, 1), "latency_us");
	json_decref(j);
	char *y = variant("capped.yaml", "aipu_cores: 1\n", "aipu_cores: 1\n      mvm_limitation: 25\n");
	char *d = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char *c = ax_compiled(ax_src("models/mobilenetv2/mobilenetv2.net.yaml"));
	char *out = ax_tmp("capped.json");
	struct ax_run r = ax_run_axsim("run --config '%s' --net " DET "='%s' --net " CLS "='%s' --quiet --json '%s'", y,
				       d, c, out);
	ck_assert_msg(r.status == 0, "capped cascade failed (%d): %s", r.status, r.err);
	ax_run_free(&r);
	j = load_json(out);
	ms = json_object_get(json_object_get(j, "pipeline"), "models");
	double det2 = num(json_array_get(ms, 0), "latency_us"), cls2 = num(json_array_get(ms, 1), "latency_us");
	ck_assert_msg(cls2 > cls * 1.2, "classifier %g us capped, %g us not", cls2, cls);
	ck_assert_msg(det2 < det * 1.01, "detector %g us beside a capped classifier, %g us otherwise", det2, det);
	json_decref(j);
	free(out);
	free(y);
	free(d);
	free(c);
}
END_TEST

/* Memory shares over 1.0, and over the chip's cores: exit 2 naming the models. */
START_TEST(test_too_much)
{
	/* the classifier asks for half the memory: 0.75 + 0.5 */
	char *y = variant("over.yaml", "aipu_cores: 1\n      compilation_config:\n        resources_used: 0.25",
			  "aipu_cores: 1\n      compilation_config:\n        resources_used: 0.5");
	char *d = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char *c = ax_compiled(ax_src("models/mobilenetv2/mobilenetv2.net.yaml"));
	ax_expect_fail("models '" DET "' (3 cores, resources_used 0.75) and '" CLS "' (1 core, resources_used 0.5) "
		       "use resources_used 1.25",
		       "run --config '%s' --net " DET "='%s' --net " CLS "='%s'", y, d, c);
	free(y);
	/* the detector on four cores: 5 in all */
	y = variant("cores.yaml", "aipu_cores: 3", "aipu_cores: 4");
	ax_expect_fail("use 5 cores together; the chip has 4", "run --config '%s' --net " DET "='%s' --net " CLS "='%s'",
		       y, d, c);
	free(y);
	/* a share that is not a multiple of 0.25 */
	y = variant("odd.yaml", "resources_used: 0.25", "resources_used: 0.2");
	ax_expect_fail("model '" DET "': resources_used 0.6 (3 copies of 0.2) is not a multiple of 0.25",
		       "run --config '%s' --net " DET "='%s' --net " CLS "='%s'", y, d, c);
	free(y);
	free(d);
	free(c);
}
END_TEST

/* Usage mistakes of --net and --rois. */
START_TEST(test_bad_usage)
{
	char *c = ax_compiled(ax_src("models/mobilenetv2/mobilenetv2.net.yaml"));
	ax_expect_fail("--net 'nonsense': expected MODEL=NET", "run --config '%s' --net nonsense", ax_src(CASCADE));
	ax_expect_fail("--rois 'nomodel=3': 'nomodel' is not a model of --net",
		       "run --config '%s' --net " DET "='%s' --net " CLS "='%s' --rois nomodel=3", ax_src(CASCADE), c, c);
	ax_expect_fail("is the first stage", "run --config '%s' --net " DET "='%s' --net " CLS "='%s' --rois " DET "=3",
		       ax_src(CASCADE), c, c);
	ax_expect_fail("--rois needs a pipeline", "run '%s' --rois " CLS "=3", c);
	ax_expect_fail("no such model", "run --config '%s' --net nosuch='%s'", ax_src(CASCADE), c);
	ax_expect_fail("--rois needs a pipeline", "sweep '%s' --rois " CLS "=3", c);
	ax_expect_fail("a network both as NET and with --net", "sweep '%s' --config '%s' --net " CLS "='%s'", c,
		       ax_src(CASCADE), c);
	free(c);
}
END_TEST

/* docs/sweeps.md "Pipelines": a sweep of the cascade runs every point as the
 * pipeline, ranks it by the pipeline's frame rate, and its job lines and
 * merge give the same points. */
START_TEST(test_sweep)
{
	char *det = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char *cls = ax_compiled(ax_src("models/mobilenetv2/mobilenetv2.net.yaml"));
	char *out = ax_tmp("psweep"), *js = ax_tmp("psweep.json");
	struct ax_run r = ax_run_axsim("sweep --config '%s' --net " DET "='%s' --net " CLS "='%s' --rois " CLS "=5 "
				       "--set dpu.throughput=64,128 --jobs 2 --out '%s' --json '%s'",
				       ax_src(CASCADE), det, cls, out, js);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "2 points (dpu.throughput 2), 2 ok, 0 failed");
	ax_run_free(&r);
	json_t *j = load_json(js);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(j, "points"), i, p) {
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", out, json_string_value(json_object_get(p, "file")));
		json_t *pj = load_json(path);
		json_t *pl = json_object_get(pj, "pipeline");
		ck_assert_int_eq((int)json_array_size(json_object_get(pl, "models")), 2);
		/* the point's fps is the pipeline's frame rate, with 5 boxes a frame */
		ck_assert_double_eq_tol(num(p, "fps"), num(pl, "fps"), 1e-6 * num(pl, "fps"));
		json_t *m = json_array_get(json_object_get(pl, "models"), 1);
		ck_assert_int_eq((int)num(m, "runs_per_frame"), 5);
		json_decref(pj);
	}
	json_decref(j);
	/* job lines carry the models; their merge is the same table */
	char *jobs = ax_tmp("pjobs.txt"), *out2 = ax_tmp("psweep2");
	r = ax_run_axsim("sweep --config '%s' --net " DET "='%s' --net " CLS "='%s' --rois " CLS "=5 "
			 "--set dpu.throughput=64,128 --emit-jobs '%s' --out '%s'", ax_src(CASCADE), det, cls, jobs, out2);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	size_t len;
	char *text = ax_read_file(jobs, &len);
	ck_assert_ptr_nonnull(text);
	ck_has(text, "--net " DET "=");
	ck_has(text, "--rois " CLS "=5");
	free(text);
	r = ax_run_axsim("merge '%s' --json '%s'", out, js);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.out, "2 points");
	ax_run_free(&r);
	free(jobs);
	free(out2);
	free(out);
	free(js);
	free(det);
	free(cls);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *t = tcase_create("run");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_cascade);
	tcase_add_test(t, test_merged_layer_names);
	tcase_add_test(t, test_sharing_slows);
	tcase_add_test(t, test_rois);
	tcase_add_test(t, test_default_rois);
	tcase_add_test(t, test_own_mvm_cap);
	tcase_add_test(t, test_too_much);
	tcase_add_test(t, test_bad_usage);
	tcase_add_test(t, test_sweep);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
