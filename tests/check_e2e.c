/*
 * check_e2e.c - whole-system tests: the real axsim binary on the bundled
 * networks, its JSON read back with jansson, and bad input on the command
 * line.  Figures are checked against what must hold (bounds, conservation,
 * determinism), not against themselves.
 */
#include <check.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/stat.h>
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

/* docs/report-format.md: the throughput and the IMC utilisation follow the
 * formulas given there, for one inference and for several back-to-back. */
START_TEST(test_derived_formulas)
{
	char *elf = ax_compiled(ax_src(nets[2].net));
	static const char *const n[] = { "--inferences 1", "--inferences 2", "--inferences 4" };
	for (size_t i = 0; i < 3; i++) {
		char tag[32];
		snprintf(tag, sizeof(tag), "derived%zu", i);
		json_t *j = run_json(elf, nets[2].model, n[i], tag);
		json_t *arch = json_object_get(j, "arch");
		double peak = json_number_value(json_object_get(arch, "imc.rows")) *
			      json_number_value(json_object_get(arch, "imc.cols")) /
			      json_number_value(json_object_get(arch, "imc.cycles_per_pass"));
		double lanes = num(j, "plan.lanes"), cores = num(j, "plan.cores"), clock = num(j, "plan.clock_hz");
		double fps = num(j, "totals.fps"), util = num(j, "totals.imc_utilization");
		double want = num(j, "network.macs") * fps / (peak * cores * clock);
		ck_assert_msg(fabs(util - want) <= 1e-5 * want, "%s: imc_utilization %g; the formula gives %g", n[i], util, want);
		if (i == 0) {
			double f1 = lanes / (num(j, "totals.latency_us") * 1e-6);
			ck_assert_msg(fabs(fps - f1) <= 1e-5 * f1, "fps %g; lanes / latency is %g", fps, f1);
			double u1 = num(j, "totals.macs") / (peak * cores * num(j, "totals.latency_cycles"));
			ck_assert_msg(fabs(util - u1) <= 1e-4 * u1, "imc_utilization %g; with one inference %g", util, u1);
		}
		json_decref(j);
	}
	free(elf);
}
END_TEST

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
	/* simulated MACs are the network's, once per lane (input in flight) */
	double copies = num(j, "plan.lanes");
	ck_assert_double_eq(num(j, "totals.macs"), copies * num(j, "network.macs"));
	/* every weight leaves its home at least once per lane: a batch
	 * instance's cores share one copy but each writes it into its array */
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

/* The slowest layers' columns of text report out line up under their
 * headings, for every row shown. */
static void check_columns(const char *out)
{
	const char *h = strstr(out, "  slowest layers");
	ck_assert_ptr_nonnull(h);
	static const char *const heads[] = { "op", "output", "kernel", "cycles", "share", "cone", "bound" };
	static const int right[] = { 0, 0, 0, 1, 1, 0, 0 };
	for (const char *row = strchr(h, '\n') + 1; strncmp(row, "  (", 3) && *row; row = strchr(row, '\n') + 1) {
		for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
			char word[16];
			snprintf(word, sizeof(word), " %s", heads[k]);
			const char *at = strstr(h, word);
			ck_assert_msg(at && at < strchr(h, '\n'), "no heading %s:\n%s", heads[k], h);
			size_t col = (size_t)(at + 1 - h), end = col + strlen(heads[k]);
			/* a left-aligned column starts where its heading does, a right-aligned one ends there */
			if (right[k])
				ck_assert_msg(row[end - 1] != ' ' && row[end] == ' ', "column %s is not under its heading:\n%.600s",
					      heads[k], h);
			else
				ck_assert_msg(row[col - 1] == ' ' && row[col] != ' ', "column %s is not under its heading:\n%.600s",
					      heads[k], h);
		}
	}
}

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
	/* the slowest layers' columns line up under their headings, and are explained */
	check_columns(r.out);
	ck_assert_msg(!strstr(r.out, "attention"), "a network without dyn_matmul has an attention line:\n%s", r.out);
	ck_has(r.out, "icr: in-core replication");
	ck_has(r.out, "cone: fused group / layers in it");
	ax_run_free(&r);
	/* the JSON names the same bottleneck, with the same share */
	json_t *j = run_json(elf, nets[0].model, "--quiet", "bottleneck");
	json_t *bn = json_object_get(j, "bottleneck");
	char line[128];
	snprintf(line, sizeof(line), "bottleneck %s (busy %.0f%% of the time)",
		 json_string_value(json_object_get(bn, "unit")), 100.0 * num(j, "bottleneck.busy"));
	r = ax_run_axsim("run '%s' --config '%s'", elf, ax_src(nets[0].model));
	ck_has(r.out, line);
	ck_assert_str_ne(json_string_value(json_object_get(bn, "unit")), "nothing");
	/* the JSON has each layer's shape and kernel, as the text's table: ResNet-50's stem */
	json_t *l0 = json_array_get(json_object_get(j, "layers"), 0);
	json_t *want_shape = json_pack("[iii]", 112, 112, 64), *want_kernel = json_pack("[iii]", 7, 7, 2);
	ck_assert(json_equal(json_object_get(l0, "output_shape"), want_shape));
	ck_assert(json_equal(json_object_get(l0, "kernel"), want_kernel));
	json_decref(want_shape);
	json_decref(want_kernel);
	ax_run_free(&r);
	json_decref(j);
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

/* docs/timing-model.md "Host copies": YOLOv5s (4 Batch-1 copies) copies in
 * its 644x656x4 input and out its three 255-channel outputs per inference:
 * with a slow link the link caps the figure, with a fast one each copy's
 * round grows by the copies' time at host.copy_bw (not the link's rate). */
START_TEST(test_host_copies)
{
	char *elf = ax_compiled(ax_src(nets[2].net));
	const double bytes = 644.0 * 656 * 4 + (80.0 * 80 + 40 * 40 + 20 * 20) * 255;
	json_t *slow = run_json(elf, nets[2].model,
				"--quiet --set host.link_bw=1GB/s --set host.copy_bw=1GB/s --set host.copy_latency=0",
				"host-slow");
	ck_assert_double_eq_tol(num(slow, "totals.host_fps"), 1e9 / bytes, 1e-6 * 1e9 / bytes);
	json_t *fast = run_json(elf, nets[2].model,
				"--quiet --set host.link_bw=100GB/s --set host.copy_bw=50GB/s --set host.copy_latency=10us",
				"host-fast");
	double chip = num(fast, "totals.fps");
	double want = 4.0 / (4.0 / chip + 20e-6 + bytes / 50e9);
	ck_assert_double_eq_tol(num(fast, "totals.host_fps"), want, 1e-4 * want); /* fps is printed rounded */
	ck_assert_double_lt(num(fast, "totals.host_fps"), chip);
	json_decref(slow);
	json_decref(fast);
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

static char *config_file(const char *tag, const char *body)
{
	char name[64];
	snprintf(name, sizeof(name), "%s.yaml", tag);
	char *p = ax_tmp(name);
	ax_write_file(p, body);
	return p;
}

static json_t *run_cfg(const char *net, const char *tag, const char *body, const char *extra)
{
	char *elf = ax_compiled(net[0] == '/' ? net : ax_src(net));
	char *cfg = config_file(tag, body);
	char name[64];
	snprintf(name, sizeof(name), "%s.json", tag);
	char *json = ax_tmp(name);
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --json '%s' --quiet %s", elf, cfg, json,
				       extra ? extra : "");
	ck_assert_msg(r.status == 0, "axsim run %s (%s) failed (%d): %s", net, tag, r.status, r.err);
	ax_run_free(&r);
	json_error_t je;
	json_t *j = json_load_file(json, 0, &je);
	ck_assert_msg(j != NULL, "bad JSON: %s", je.text);
	free(elf);
	free(cfg);
	free(json);
	return j;
}

static double mem_bytes(json_t *j, const char *m)
{
	char a[64], b[64];
	snprintf(a, sizeof(a), "memory.%s.read_bytes", m);
	snprintf(b, sizeof(b), "memory.%s.write_bytes", m);
	return num(j, a) + num(j, b);
}

/* DDR bytes that are data (weights, activations, constants): the tasklist
 * grows with the number of tasks and is counted apart. */
static double ddr_data(json_t *j)
{
	return mem_bytes(j, "ddr") - num(j, "memory.ddr.tasklist.read_bytes") -
	       num(j, "memory.ddr.tasklist.write_bytes");
}

#define DEPTH(d) "compilation_config:\n  backend_config: {tiling_depth: " #d "}\n"

/* The vendor's claim: YOLOv5s at tiling_depth 6 moves fewer bytes through
 * L2 and no more data through DDR than at 1, and is faster; with a smaller
 * L2 (where depth 1 spills activations) it moves strictly fewer DDR bytes. */
START_TEST(test_tiling_depth_yolo)
{
	const char *net = nets[2].net;
	json_t *d1 = run_cfg(net, "yd1", DEPTH(1), NULL), *d6 = run_cfg(net, "yd6", DEPTH(6), NULL);
	ck_assert_double_lt(mem_bytes(d6, "l2"), mem_bytes(d1, "l2"));
	ck_assert_double_le(ddr_data(d6), ddr_data(d1));
	ck_assert_double_lt(num(d6, "totals.latency_us"), num(d1, "totals.latency_us"));
	json_t *s1 = run_cfg(net, "ys1", DEPTH(1), "--set l2.size=12MiB");
	json_t *s6 = run_cfg(net, "ys6", DEPTH(6), "--set l2.size=12MiB");
	ck_assert_double_lt(mem_bytes(s6, "ddr"), mem_bytes(s1, "ddr"));
	ck_assert_double_lt(num(s6, "totals.latency_us"), num(s1, "totals.latency_us"));
	json_decref(d1);
	json_decref(d6);
	json_decref(s1);
	json_decref(s6);
}
END_TEST

/* A chain of three convolutions fused with depth 3 moves fewer bytes through
 * L2 than unfused, by about its two intermediate tensors written and read
 * back (4 MiB each, too large for L1). */
START_TEST(test_fused_chain_l2)
{
	char *netp = ax_tmp("chain3.net.yaml");
	ax_write_file(netp, "network: chain3\n"
			    "inputs:\n  - {name: image, shape: [512, 512, 16]}\n"
			    "layers:\n"
			    "  - {name: a, op: conv, out: 16, kernel: 3, pad: 1, act: relu}\n"
			    "  - {name: b, op: conv, out: 16, kernel: 3, pad: 1, act: relu}\n"
			    "  - {name: c, op: conv, out: 16, kernel: 3, pad: 1, act: relu}\n"
			    "  - {name: d, op: conv, out: 16, kernel: 3, stride: 2, pad: 1}\n");
	const char *one = "models:\n  m:\n    extra_kwargs:\n      aipu_cores: 1\n"
			  "      compilation_config:\n        backend_config: {tiling_depth: 1}\n";
	const char *three = "models:\n  m:\n    extra_kwargs:\n      aipu_cores: 1\n"
			    "      compilation_config:\n        backend_config: {tiling_depth: 3}\n";
	json_t *u = run_cfg(netp, "chain1", one, NULL), *f = run_cfg(netp, "chain3", three, NULL);
	double inter = 2.0 * 512 * 512 * 16;               /* a and b */
	double saved = mem_bytes(u, "l2") - mem_bytes(f, "l2");
	ck_assert_msg(saved > 0.9 * 2 * inter && saved < 1.1 * 2 * inter,
		      "fusing saved %.0f L2 bytes; expected about %.0f", saved, 2 * inter);
	json_decref(u);
	json_decref(f);
	free(netp);
}
END_TEST

/* In-core replication on MobileNetV2 and YOLOv5s: at least the utilisation
 * and at most the latency of replication off, with more weight bytes
 * written into the IMC. */
START_TEST(test_replication)
{
	static const char *const which[] = { "models/mobilenetv2/mobilenetv2.net.yaml",
					     "models/yolov5s/yolov5s.net.yaml" };
	const char *net = which[_i];
	json_t *on = run_cfg(net, "icr-on", "compilation_config:\n  backend_config: {in_core_replication: true}\n", NULL);
	json_t *off = run_cfg(net, "icr-off", "compilation_config:\n  backend_config: {in_core_replication: false}\n", NULL);
	ck_assert_double_ge(num(on, "totals.imc_utilization"), num(off, "totals.imc_utilization"));
	ck_assert_double_le(num(on, "totals.latency_us"), num(off, "totals.latency_us"));
	ck_assert_double_gt(num(on, "memory.l1.weights.read_bytes"), num(off, "memory.l1.weights.read_bytes"));
	json_decref(on);
	json_decref(off);
}
END_TEST

static json_t *layer_named(json_t *j, const char *name)
{
	size_t k;
	json_t *l;
	json_array_foreach(json_object_get(j, "layers"), k, l)
		if (!strcmp(json_string_value(json_object_get(l, "name")), name))
			return l;
	ck_abort_msg("no layer '%s' in the report", name);
	return NULL;
}

static long long lint(json_t *l, const char *key)
{
	json_t *v = json_object_get(l, key);
	ck_assert_msg(json_is_integer(v), "layer field %s is not an integer", key);
	return json_integer_value(v);
}

/* docs/report-format.md, per layer: the array rows and columns a layer's
 * weights take (by hand: ResNet-50's layer1.0.conv2 is 3 x 3 x 64 -> 64,
 * 576 rows in two row tiles; layer1.0.conv1 is 1 x 1 x 64 -> 64 replicated
 * 8 times, 512 x 512), none off the IMC; and the weight writes no pass hid,
 * which grow when the writes are made slow and stay within the writes'
 * own busy time. */
START_TEST(test_layer_array_use)
{
	const char *net = "models/resnet50/resnet50.net.yaml";
	json_t *j = run_cfg(net, "array-use", "compilation_config: {}\n", "--set-cc aipu_cores=1");
	json_t *slow = run_cfg(net, "array-use-slow", "compilation_config: {}\n", "--set-cc aipu_cores=1 --set imc.weight_write_bw=8");
	json_t *c2 = layer_named(j, "layer1.0.conv2"), *c1 = layer_named(j, "layer1.0.conv1");
	ck_assert_int_eq(lint(c2, "row_tiles"), 2);
	ck_assert_int_eq(lint(c2, "imc_rows_used"), 576);
	ck_assert_int_eq(lint(c2, "imc_cols_used"), 64);
	ck_assert_int_eq(lint(c1, "icr"), 8);
	ck_assert_int_eq(lint(c1, "imc_rows_used"), 512);
	ck_assert_int_eq(lint(c1, "imc_cols_used"), 512);
	ck_assert_int_eq(lint(layer_named(j, "maxpool"), "imc_rows_used"), 0);
	long long stall = 0, stall_slow = 0;
	size_t k;
	json_t *l;
	json_array_foreach(json_object_get(j, "layers"), k, l) {
		long long st = lint(l, "weight_write_stall_cycles");
		json_t *busy = json_object_get(json_object_get(l, "busy_cycles"), "imc_load");
		ck_assert_int_le(st, busy ? json_integer_value(busy) : 0);
		stall += st;
	}
	json_array_foreach(json_object_get(slow, "layers"), k, l)
		stall_slow += lint(l, "weight_write_stall_cycles");
	ck_assert_int_gt(stall, 0);
	ck_assert_int_gt(stall_slow, 2 * stall);
	json_decref(j);
	json_decref(slow);
}
END_TEST

/* Hybrid per-channel quantisation fetches per-channel constants; the
 * per-tensor schemes do not. */
START_TEST(test_ptq_constants)
{
	const char *net = nets[0].net;
	json_t *h = run_cfg(net, "ptq-h", "compilation_config:\n  quantization_config: {ptq_scheme: hybrid_per_tensor_per_channel}\n", NULL);
	json_t *t = run_cfg(net, "ptq-t", "compilation_config:\n  quantization_config: {ptq_scheme: per_tensor_min_max}\n", NULL);
	ck_assert_double_gt(num(h, "memory.ddr.constants.read_bytes"), num(t, "memory.ddr.constants.read_bytes"));
	ck_assert_double_eq(num(t, "memory.ddr.constants.read_bytes"), 0);
	json_decref(h);
	json_decref(t);
}
END_TEST

#define PAGING(pm, d) "compilation_config:\n  backend_config: {page_memory: " #pm ", tiling_depth: " #d "}\n"

/* docs/memory.md "Paging": page_memory true never moves more DDR bytes than
 * false on the bundled networks, and strictly fewer on YOLOv5s at 640 when
 * it is compiled layer by layer (its weights then only partly fit its L2). */
START_TEST(test_paging)
{
	const char *net = nets[_i].net;
	json_t *on = run_cfg(net, "pm-on", PAGING(true, 1), NULL);
	json_t *off = run_cfg(net, "pm-off", PAGING(false, 1), NULL);
	ck_assert_double_le(mem_bytes(on, "ddr"), mem_bytes(off, "ddr"));
	if (_i == 2)
		ck_assert_double_lt(mem_bytes(on, "ddr"), 0.8 * mem_bytes(off, "ddr"));
	json_t *on6 = run_cfg(net, "pm-on6", PAGING(true, 6), NULL);
	json_t *off6 = run_cfg(net, "pm-off6", PAGING(false, 6), NULL);
	ck_assert_double_le(mem_bytes(on6, "ddr"), mem_bytes(off6, "ddr"));
	json_decref(on);
	json_decref(off);
	json_decref(on6);
	json_decref(off6);
}
END_TEST

/* Four copies of ResNet-50 (Batch-1) share L2, NoC and DDR: the chip's
 * throughput is below four times one copy's, because each copy owns a
 * quarter of L2 and streams most of its weights from DDR. */
START_TEST(test_batch1_memory_bound)
{
	const char *net = nets[0].net;
	json_t *one = run_cfg(net, "b1-1", "models:\n  r:\n    extra_kwargs:\n      aipu_cores: 1\n", NULL);
	json_t *four = run_cfg(net, "b1-4", "models:\n  r:\n    extra_kwargs:\n      aipu_cores: 4\n", NULL);
	ck_assert_double_eq(num(four, "plan.copies"), 4);
	ck_assert_double_lt(num(four, "totals.fps"), 4 * num(one, "totals.fps"));
	ck_assert_double_gt(num(four, "totals.fps"), num(one, "totals.fps"));
	/* per-core figures: every core finishes, none after the latency */
	json_t *cores = json_object_get(four, "cores");
	ck_assert_int_eq((int)json_array_size(cores), 4);
	size_t i;
	json_t *c;
	json_array_foreach(cores, i, c) {
		double end = json_number_value(json_object_get(c, "end_cycle"));
		ck_assert_double_gt(end, 0);
		ck_assert_double_le(end, num(four, "totals.latency_cycles"));
	}
	json_decref(one);
	json_decref(four);
}
END_TEST

static json_t *run_elf(const char *net, const char *tag, int in_ddr, int cores, int depth)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "models:\n  m:\n    extra_kwargs:\n      aipu_cores: %d\n      compilation_config:\n"
		 "        backend_config: {elf_in_ddr: %s, tiling_depth: %d}\n",
		 cores, in_ddr ? "true" : "false", depth);
	return run_cfg(net, tag, body, NULL);
}

/* docs/memory.md "ELF placement": the vendor's rule of thumb, that a tiny
 * network runs faster with its ELF in L2 (descriptors fetched from SRAM) and
 * a large one faster with it in DDR (all of L2 left for data). */
START_TEST(test_elf_placement)
{
	const char *tiny = "models/tiny/tiny.net.yaml", *yolo = nets[2].net;
	json_t *t_ddr = run_elf(tiny, "elf-t-ddr", 1, 1, 1);
	json_t *t_l2 = run_elf(tiny, "elf-t-l2", 0, 1, 1);
	ck_assert_double_lt(num(t_l2, "totals.latency_us"), num(t_ddr, "totals.latency_us"));
	ck_assert_double_gt(num(t_l2, "memory.l2.tasklist.read_bytes"), 0);
	ck_assert_double_eq(num(t_l2, "memory.ddr.tasklist.read_bytes"), 0);
	json_t *y_ddr = run_elf(yolo, "elf-y-ddr", 1, 4, 6);
	json_t *y_l2 = run_elf(yolo, "elf-y-l2", 0, 4, 6);
	ck_assert_double_lt(num(y_ddr, "totals.latency_us"), num(y_l2, "totals.latency_us"));
	json_decref(t_ddr);
	json_decref(t_l2);
	json_decref(y_ddr);
	json_decref(y_l2);
}
END_TEST

/* A tasklist larger than its L2 reserve streams in chunks (slower, with
 * tasklist traffic on DDR), or is rejected when streaming is off. */
START_TEST(test_tasklist_streaming)
{
	const char *net = "models/tiny/tiny.net.yaml";
	const char *big = "models:\n  m:\n    extra_kwargs:\n      aipu_cores: 1\n      compilation_config:\n"
			  "        backend_config: {elf_in_ddr: false}\n";
	const char *small = "models:\n  m:\n    extra_kwargs:\n      aipu_cores: 1\n      compilation_config:\n"
			    "        backend_config: {elf_in_ddr: false, l2_reserved_nbytes_tasklist: 1024}\n";
	json_t *whole = run_cfg(net, "st-whole", big, NULL), *chunks = run_cfg(net, "st-chunks", small, NULL);
	ck_assert_double_eq(num(whole, "plan.tasklist_chunks"), 1);
	ck_assert_double_gt(num(chunks, "plan.tasklist_chunks"), 1);
	ck_assert_double_gt(num(chunks, "memory.ddr.tasklist.read_bytes"), 0);
	ck_assert_double_gt(num(chunks, "totals.latency_us"), num(whole, "totals.latency_us"));
	/* the chunks are copied by the system DMA (DDR -> L2), which is idle otherwise */
	ck_assert_double_eq(num(whole, "busy.dma_sys"), 0);
	ck_assert_double_gt(num(chunks, "busy.dma_sys"), 0);
	json_decref(whole);
	json_decref(chunks);
	char *cfg = config_file("st-off", "models:\n  m:\n    extra_kwargs:\n      aipu_cores: 1\n      compilation_config:\n"
				"        backend_config: {elf_in_ddr: false, l2_reserved_nbytes_tasklist: 1024, stream_tasklist: false}\n");
	char *elf = ax_compiled(ax_src(net));
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --quiet", elf, cfg);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "stream_tasklist is false"));
	ax_run_free(&r);
	free(cfg);
	free(elf);
}
END_TEST

/* One DMA channel instead of two never makes a DMA-heavy run faster. */
START_TEST(test_dma_channels)
{
	const char *net = nets[2].net;
	json_t *two = run_cfg(net, "dma2", "compilation_config:\n  backend_config: {dma_dual_channel: true, tiling_depth: 1}\n", NULL);
	json_t *one = run_cfg(net, "dma1", "compilation_config:\n  backend_config: {dma_dual_channel: false, tiling_depth: 1}\n", NULL);
	ck_assert_double_gt(num(one, "totals.latency_us"), num(two, "totals.latency_us"));
	json_decref(two);
	json_decref(one);
}
END_TEST

/* docs/calibration.md: every bundled network, with its model zoo
 * configuration on the default hardware, lies inside the window that
 * shared/calibration.md derives from the published figures. */
START_TEST(test_calibration_windows)
{
	static const double lo[] = { 1946, 3670, 865 }, hi[] = { 3200, 0, 0 };
	char *elf = ax_compiled(ax_src(nets[_i].net));
	json_t *j = run_json(elf, nets[_i].model, "--quiet", "cal");
	double fps = num(j, "totals.fps");
	ck_assert_msg(fps >= lo[_i], "%s: %.0f fps below the window's %.0f", nets[_i].net, fps, lo[_i]);
	if (hi[_i] > 0)
		ck_assert_msg(fps <= hi[_i], "%s: %.0f fps above the window's %.0f", nets[_i].net, fps, hi[_i]);
	/* ResNet-50 spends about 8-12% of the IMC peak (shared/calibration.md) */
	if (_i == 0) {
		double u = num(j, "totals.imc_utilization");
		ck_assert_msg(u > 0.06 && u < 0.14, "ResNet-50 at %.3f of IMC peak", u);
	}
	json_decref(j);
	free(elf);
}
END_TEST

/* A hardware parameter from the report's "arch" object (flat dotted keys). */
static double arch_num(json_t *j, const char *key)
{
	json_t *v = json_object_get(json_object_get(j, "arch"), key);
	ck_assert_msg(json_is_number(v), "JSON has no arch key %s", key);
	return json_number_value(v);
}

/* Every value of a busy object is a share from 0 to 1. */
static void busy_shares_le_1(json_t *busy, const char *where)
{
	ck_assert_msg(json_is_object(busy) && json_object_size(busy) > 0, "%s is not an object", where);
	const char *k;
	json_t *v;
	json_object_foreach(busy, k, v)
		ck_assert_msg(json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= 1,
			      "%s.%s is %g", where, k, json_number_value(v));
}

/* Invariants of any run: the latency is never below the roofline bound
 * (MACs at the peak rate of the cores in use, and each memory's bytes at its
 * peak bandwidth), utilisation never exceeds 1, and every DMA byte read from
 * one memory is written to another (per layer). */
START_TEST(test_invariants)
{
	static const char *const extra[] = { "--inferences 1", "--inferences 1 --set ddr.data_rate=400MT/s",
					     "--inferences 1 --set chip.clock=200MHz", "--inferences 4" };
	for (size_t e = 0; e < sizeof(extra) / sizeof(extra[0]); e++) {
		char *elf = ax_compiled(ax_src(nets[_i].net));
		char tag[32];
		snprintf(tag, sizeof(tag), "inv%zu", e);
		char args[128];
		snprintf(args, sizeof(args), "--quiet %s", extra[e]);
		json_t *j = run_json(elf, nets[_i].model, args, tag);
		double cyc = num(j, "totals.latency_cycles"), hz = num(j, "plan.clock_hz");
		double secs = num(j, "totals.latency_us") * 1e-6;
		double cores = num(j, "plan.cores");
		double peak = arch_num(j, "imc.rows") * arch_num(j, "imc.cols") / arch_num(j, "imc.cycles_per_pass");
		ck_assert_double_ge(cyc, num(j, "totals.macs") / (peak * cores));
		double ddr_bps = arch_num(j, "ddr.bus_width") / 8 * arch_num(j, "ddr.data_rate");
		ck_assert_double_ge(secs * ddr_bps * 1.0001, mem_bytes(j, "ddr"));
		double l2_bps = arch_num(j, "l2.ports") * arch_num(j, "l2.port_bw") * hz;
		ck_assert_double_ge(secs * l2_bps * 1.0001, mem_bytes(j, "l2"));
		double l1_bps = cores * arch_num(j, "l1.ports") * arch_num(j, "l1.port_bw") * hz;
		ck_assert_double_ge(secs * l1_bps * 1.0001, mem_bytes(j, "l1"));
		double u = num(j, "totals.imc_utilization");
		ck_assert(u > 0 && u <= 1);
		/* every busy share is a fraction of the run, however many inferences */
		busy_shares_le_1(json_object_get(j, "busy"), "busy");
		json_t *mem = json_object_get(j, "memory");
		static const char *const mems[] = { "ddr", "l2", "l1" };
		for (int k = 0; k < 3; k++) {
			json_t *b = json_object_get(json_object_get(mem, mems[k]), "busy");
			ck_assert_msg(json_is_number(b), "memory.%s.busy missing", mems[k]);
			ck_assert_msg(json_number_value(b) >= 0 && json_number_value(b) <= 1,
				      "memory.%s.busy %g with %s", mems[k], json_number_value(b), extra[e]);
		}
		double nb = num(j, "memory.l2.noc_busy");
		ck_assert_msg(nb >= 0 && nb <= 1, "memory.l2.noc_busy %g with %s", nb, extra[e]);
		size_t c;
		json_t *core;
		json_array_foreach(json_object_get(j, "cores"), c, core)
			busy_shares_le_1(json_object_get(core, "busy"), "cores[].busy");
		size_t i;
		json_t *l;
		json_array_foreach(json_object_get(j, "layers"), i, l) {
			json_t *d = json_object_get(l, "dma");
			double rd = 0, wr = 0;
			static const char *const m[] = { "ddr", "l2", "l1" };
			for (int k = 0; k < 3; k++) {
				char key[32];
				snprintf(key, sizeof(key), "%s_read_bytes", m[k]);
				rd += json_number_value(json_object_get(d, key));
				snprintf(key, sizeof(key), "%s_write_bytes", m[k]);
				wr += json_number_value(json_object_get(d, key));
			}
			ck_assert_double_eq(rd, wr);
			double lu = json_number_value(json_object_get(l, "utilization"));
			ck_assert(lu >= 0 && lu <= 1);
		}
		json_decref(j);
		free(elf);
	}
}
END_TEST

/* A network or configuration can come through a pipe: each file is read
 * once, so deciding ELF or description does not consume it. */
/* docs/memory.md "Address map": the DDR holds the weights, activations,
 * constants and tasklists of every copy.  A one-layer description with
 * 137 GB of weights is refused at once (weights are counted, not
 * materialised); a DDR smaller than the tiny network's map is refused after
 * lowering, located at the --set; the default DDR runs both tiny and
 * ResNet-50. */
START_TEST(test_ddr_capacity)
{
	char *big = ax_tmp("big.net.yaml");
	ax_write_file(big, "network: big\ninputs:\n  - {name: x, shape: [8, 8, 65536]}\n"
			   "layers:\n  - {name: fc, op: dense, out: 32768}\noutputs: [fc]\n");
	ax_expect_fail("the network's 137439084544 weight bytes do not fit the 1040187392 bytes of DDR",
		       "run '%s' --quiet", big);
	char *tiny = ax_compiled(ax_src("models/tiny/tiny.net.yaml"));
	ax_expect_fail("--set 'ddr.size=4MiB': the network needs 13631488 bytes of DDR (4 copies: weights 4194304, "
		       "activations 4194304, constants 1048576, tasklists 4194304) but has 4194304",
		       "run '%s' --quiet --set ddr.size=4MiB --set ddr.reserved=0B", tiny);
	struct ax_run r = ax_run_axsim("run '%s' --quiet --set ddr.size=13MiB --set ddr.reserved=0B", tiny);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	free(tiny);
	free(big);
}
END_TEST

START_TEST(test_pipe_input)
{
	const char *srcs[2] = { ax_src("models/tiny/tiny.net.yaml"), NULL };
	char *elf = ax_compiled(srcs[0]);
	srcs[1] = elf;
	for (int k = 0; k < 2; k++) {
		char name[32];
		snprintf(name, sizeof(name), "pipe%d", k);
		char *fifo = ax_tmp(name);
		ck_assert_int_eq(mkfifo(fifo, 0600), 0);
		pid_t w = fork();
		ck_assert_int_ge(w, 0);
		if (w == 0) {
			size_t len;
			char *data = ax_read_file(srcs[k], &len);
			FILE *f = fopen(fifo, "wb");
			if (!f || !data || fwrite(data, 1, len, f) != len)
				_exit(1);
			fclose(f);
			_exit(0);
		}
		struct ax_run r = ax_run_axsim("inspect '%s'", fifo);
		int st;
		waitpid(w, &st, 0);
		ck_assert_msg(r.status == 0, "inspect of a pipe carrying %s: exit %d: %s", srcs[k], r.status, r.err);
		ck_assert_msg(strstr(r.out, "total: 19722 parameters"), "%s", r.out);
		ax_run_free(&r);
		free(fifo);
	}
	free(elf);
}
END_TEST

/* axsim run --set takes compilation keys as well as hardware parameters: the
 * same report as --set-cc (the sweep's form) and as the model YAML saying so. */
START_TEST(test_set_compilation_key)
{
	const char *net = "models/tiny/tiny.net.yaml", *model = "models/tiny/tiny.yaml";
	char *elf = ax_compiled(ax_src(net));
	json_t *a = run_json(elf, model, "--set tiling_depth=2 --set l2.size=8MiB --set page_memory=false", "set-cc-a");
	json_t *b = run_json(elf, model, "--set-cc tiling_depth=2 --set l2.size=8MiB --set-cc page_memory=false",
			     "set-cc-b");
	ck_assert_int_eq((int)num(a, "config.tiling_depth"), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "arch"), "l2.size")), 8 << 20);
	ck_assert(json_equal(a, b));
	json_t *c = run_json(elf, model, NULL, "set-cc-c");
	ck_assert_int_ne((int)num(c, "config.tiling_depth"), 2);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	ax_expect_fail("axsim: --set: tiling_depth: '0' is out of range", "run '%s' --set tiling_depth=0", elf);
	ax_expect_fail("unknown hardware parameter 'l2.sise'; did you mean 'l2.size'?", "run '%s' --set l2.sise=1", elf);
	free(elf);
}
END_TEST

/* issue 13: a model YAML whose input_tensor_shape is not the network's
 * input is refused with one message naming both shapes, exit 2; the
 * network's own YAML runs. */
START_TEST(test_input_shape_mismatch)
{
	char *elf = ax_compiled(ax_src("models/tiny/tiny.net.yaml"));
	const char *r50 = ax_src("models/resnet50/resnet50.yaml");
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --quiet", elf, r50);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	ck_assert_int_eq(ax_count_str(r.err, "\n"), 1);
	char want[4200];
	snprintf(want, sizeof(want),
		 "axsim: %s:30:25: input_tensor_shape [1, 3, 224, 224] (NCHW) does not match the input 'image' of %s "
		 "of 32x32x3 (HxWxC); expected [1, 3, 32, 32] in NCHW\n", r50, elf);
	ck_assert_str_eq(r.err, want);
	ax_run_free(&r);

	/* an NHWC model YAML of the right shape runs; the bundled one too */
	char *nhwc = config_file("nhwc", "models:\n  m:\n    input_tensor_layout: NHWC\n"
					 "    input_tensor_shape: [1, 32, 32, 3]\n");
	r = ax_run_axsim("run '%s' --config '%s' --quiet", elf, nhwc);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	r = ax_run_axsim("run '%s' --config '%s' --quiet", elf, ax_src("models/tiny/tiny.yaml"));
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.err, "");
	ax_run_free(&r);
	free(nhwc);
	free(elf);
}
END_TEST

/* An ONNX model given to axsim run is recognised by its first bytes and sent
 * to axsim import. */
START_TEST(test_run_onnx_hint)
{
	char *onnx = ax_tmp("model.onnx");
	ax_write_file(onnx, "\x08\x07\x12\x0c" "backend-test");
	ax_expect_fail("this is an ONNX model; expected a compiled network (ELF) or a network description: "
		       "convert it first with axsim import", "run '%s'", onnx);
	free(onnx);
}
END_TEST

/* issue 13: the new keys change the run only when set: the compiler's IMC
 * cap lengthens the IMC's busy time; inputs and outputs in L1 take their
 * traffic off DDR. */
START_TEST(test_sdk_keys_change_the_run)
{
	const char *net = "models/tiny/tiny.net.yaml";
	json_t *base = run_cfg(net, "sdk-base", "compilation_config:\n  backend_config: {tiling_depth: 1}\n", NULL);
	json_t *capped = run_cfg(net, "sdk-cap",
				 "compilation_config:\n  backend_config: {tiling_depth: 1, mvm_utilization_limit: 0.125}\n",
				 NULL);
	json_t *io = run_cfg(net, "sdk-io", "compilation_config:\n  backend_config: {tiling_depth: 1, io_pool: l1}\n",
			     NULL);
	ck_assert_double_gt(num(capped, "totals.latency_cycles"), num(base, "totals.latency_cycles"));
	ck_assert_double_lt(ddr_data(io), ddr_data(base));
	json_decref(base);
	json_decref(capped);
	json_decref(io);
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
		/* not files: a directory, an endless device (bounded, never a hang) */
		{ "run ELF --config /tmp", "/tmp: is a directory; expected a YAML file" },
		{ "run ELF --arch /dev/zero", "/dev/zero: the file is larger than 67108864 bytes; expected a YAML file" },
		{ "inspect /tmp", "/tmp: is a directory; expected a compiled network or a network description" },
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

/* docs/timing-model.md "Products of two activations": the bundled attention
 * blocks run, deterministically; the report says what attention's products
 * cost, their run-time weights are neither parameters nor weight traffic,
 * and the DPU alternative is slower and writes nothing into the IMC. */
START_TEST(test_attention_blocks)
{
	static const struct {
		const char *net;
		double params, macs, runtime;   /* hand-computed */
	} blocks[] = {
		/* 2 x 197 x 64 x 2364 MACs; 12 x (64 x 197 + 224 x 64) bytes written */
		{ "models/transformer/vit-block.net.yaml", 7084800, 2 * 197.0 * 64 * 2364, 12 * (64 * 197 + 224 * 64) },
		/* 400 x 32 x 1600 + 400 x 400 x 256 MACs; 4 x (32 x 400 + 416 x 64) bytes */
		{ "models/transformer/c2psa-block.net.yaml", 462848, 400.0 * 32 * 1600 + 400.0 * 400 * 256, 4 * (32 * 400 + 416 * 64) },
	};
	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
		char tag[32];
		snprintf(tag, sizeof(tag), "attn%zu", b);
		json_t *j = run_cfg(blocks[b].net, tag, DEPTH(1), NULL);
		snprintf(tag, sizeof(tag), "attn%zu-again", b);
		json_t *again = run_cfg(blocks[b].net, tag, DEPTH(1), NULL);
		ck_assert_msg(json_equal(j, again), "%s: two runs differ", blocks[b].net);
		json_decref(again);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "attention"), "unit")), "imc");
		ck_assert_uint_eq((uint64_t)num(j, "attention.layers"), 2);
		ck_assert_msg(num(j, "attention.macs") == blocks[b].macs, "%s: attention MACs %g", blocks[b].net,
			      num(j, "attention.macs"));
		ck_assert_msg(num(j, "attention.runtime_weight_bytes") == blocks[b].runtime, "%s: run-time bytes %g",
			      blocks[b].net, num(j, "attention.runtime_weight_bytes"));
		ck_assert_msg(num(j, "network.params") == blocks[b].params, "%s: params %g", blocks[b].net,
			      num(j, "network.params"));
		/* a plausible share: more than nothing, less than all of the latency;
		 * the writes overlap the passes, so they take less than the layers */
		double share = num(j, "attention.share"), cyc = num(j, "attention.cycles");
		ck_assert_msg(share > 0.02 && share < 0.8, "%s: attention share %g", blocks[b].net, share);
		ck_assert(fabs(share - cyc / num(j, "totals.latency_cycles")) <= 1e-5);
		double wc = num(j, "attention.weight_write_cycles");
		ck_assert_msg(wc > 0 && wc < cyc, "%s: weight writes %g of %g cycles", blocks[b].net, wc, cyc);
		/* the L1 reads of weights are the static weights' only (every copy) */
		double w = 0, rw = 0, rc = 0;
		json_t *layers = json_object_get(j, "layers"), *l;
		size_t i;
		json_array_foreach(layers, i, l) {
			w += json_number_value(json_object_get(l, "imc_weight_bytes"));
			rw += json_number_value(json_object_get(l, "runtime_weight_bytes"));
			rc += json_number_value(json_object_get(l, "runtime_write_cycles"));
		}
		ck_assert(rw == blocks[b].runtime && rc == wc);
		ck_assert_msg(num(j, "memory.l1.weights.read_bytes") == w * num(j, "plan.copies"),
			      "%s: l1 weight reads %g; the weights written are %g per copy", blocks[b].net,
			      num(j, "memory.l1.weights.read_bytes"), w);
		/* on the DPU: no run-time writes, and slower */
		snprintf(tag, sizeof(tag), "attn%zu-dpu", b);
		json_t *d = run_cfg(blocks[b].net, tag, DEPTH(1), "--set dyn_matmul.unit=dpu");
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "attention"), "unit")), "dpu");
		ck_assert(num(d, "attention.runtime_weight_bytes") == 0 && num(d, "attention.weight_write_cycles") == 0);
		ck_assert(num(d, "attention.macs") == blocks[b].macs);
		ck_assert(num(d, "totals.latency_cycles") > num(j, "totals.latency_cycles"));
		ck_assert(num(d, "attention.share") > share);
		json_decref(d);
		if (b == 0) {
			char *elf = ax_compiled(ax_src(blocks[b].net));
			struct ax_run r = ax_run_axsim("run '%s' --set dyn_matmul.unit=dpu", elf);
			ck_assert_int_eq(r.status, 0);
			ck_has(r.out, "  attention  2 dyn_matmul layers on the dpu: ");
			ck_assert_msg(!strstr(r.out, "run-time weights"), "%s", r.out);
			ax_run_free(&r);
			free(elf);
		}
		json_decref(j);
	}
	/* a 4096-token sequence on one core: its 201 MB of scores spill to DDR
	 * (twice: the scores and the softmax's output) and the run completes */
	json_t *lj = run_cfg("tests/nets/long-attention.yaml", "attn-long",
			     "models:\n  m:\n    extra_kwargs:\n      aipu_cores: 1\n", "--inferences 1");
	ck_assert_msg(num(lj, "memory.ddr.spilled_activation_bytes") >= 2 * 4096.0 * 49152 - 32 * 1048576.0,
		      "spilled %g", num(lj, "memory.ddr.spilled_activation_bytes"));
	ck_assert(num(lj, "memory.ddr.activations.read_bytes") >= 2 * 4096.0 * 49152);
	ck_assert(num(lj, "attention.share") > 0 && num(lj, "attention.share") < 1);
	ck_assert(num(lj, "attention.macs") == 2 * 4096.0 * 64 * 49152);
	busy_shares_le_1(json_object_get(lj, "busy"), "long attention");
	json_decref(lj);
	/* the text report: one attention line, and the long op name keeps the
	 * slowest layers' columns in line */
	char *elf = ax_compiled(ax_src(blocks[0].net));
	struct ax_run r = ax_run_axsim("run '%s'", elf);
	ck_assert_int_eq(r.status, 0);
	ck_has(r.out, "  attention  2 dyn_matmul layers on the imc: ");
	ck_has(r.out, "of the latency; 323.3 kB of run-time weights written in ");
	ck_has(r.out, " dyn_matmul ");
	check_columns(r.out);
	ax_run_free(&r);
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
	tcase_add_test(t, test_host_copies);
	tcase_add_test(t, test_inspect);
	tcase_add_test(t, test_bad_input);
	tcase_add_test(t, test_set_compilation_key);
	tcase_add_test(t, test_run_onnx_hint);
	tcase_add_test(t, test_tiling_depth_yolo);
	tcase_add_test(t, test_fused_chain_l2);
	tcase_add_loop_test(t, test_replication, 0, 2);
	tcase_add_test(t, test_ptq_constants);
	tcase_add_test(t, test_layer_array_use);
	tcase_add_loop_test(t, test_paging, 0, NNETS);
	tcase_add_test(t, test_batch1_memory_bound);
	tcase_add_test(t, test_elf_placement);
	tcase_add_test(t, test_tasklist_streaming);
	tcase_add_test(t, test_dma_channels);
	tcase_add_test(t, test_input_shape_mismatch);
	tcase_add_test(t, test_sdk_keys_change_the_run);
	tcase_add_loop_test(t, test_calibration_windows, 0, NNETS);
	tcase_add_loop_test(t, test_invariants, 0, NNETS);
	tcase_add_test(t, test_pipe_input);
	tcase_add_test(t, test_ddr_capacity);
	tcase_add_test(t, test_derived_formulas);
	tcase_add_test(t, test_attention_blocks);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
