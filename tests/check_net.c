/* check_net.c - the network graph: shape inference, derived figures, name
 * tables and the network description loader (docs/network-format.md). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "testutil.h"

/* ---- helpers ---- */

static struct ax_layer *add(struct ax_net *net, const char *name, enum ax_op op, uint32_t in0)
{
	struct ax_layer *l = ax_net_add_layer(net, name, op);
	if (op != AX_OP_INPUT) {
		l->n_in = 1;
		l->in[0] = in0;
	}
	return l;
}

static void add_input(struct ax_net *net, const char *name, uint32_t h, uint32_t w, uint32_t c)
{
	struct ax_layer *l = add(net, name, AX_OP_INPUT, 0);
	l->out.h = h;
	l->out.w = w;
	l->out.c = c;
}

static struct ax_layer *add_conv(struct ax_net *net, const char *name, uint32_t in, uint32_t cout,
				 uint32_t k, uint32_t s, uint32_t pad)
{
	struct ax_layer *l = add(net, name, AX_OP_CONV, in);
	l->cout = cout;
	l->kh = l->kw = k;
	l->sh = l->sw = s;
	l->dh = l->dw = 1;
	l->pad_t = l->pad_l = l->pad_b = l->pad_r = pad;
	l->groups = 1;
	l->has_bias = 1;
	return l;
}

static void ck_shape(const struct ax_layer *l, uint32_t h, uint32_t w, uint32_t c)
{
	ck_assert_msg(l->out.h == h && l->out.w == w && l->out.c == c,
		      "layer '%s': shape %ux%ux%u, expected %ux%ux%u", l->name, l->out.h,
		      l->out.w, l->out.c, h, w, c);
}

static const struct ax_layer *layer(const struct ax_net *net, const char *name)
{
	long i = ax_net_find(net, name);
	ck_assert_msg(i >= 0, "no layer '%s'", name);
	return &net->layers[i];
}

/* Infers net and expects failure with a message containing want. */
static void infer_fails(struct ax_net *net, const char *want)
{
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_net_infer(net, &err), AX_EINPUT);
	ck_assert_msg(strstr(ax_err_str(&err), want), "expected '%s' in:\n%s", want, ax_err_str(&err));
	ax_err_release(&err);
}

static void infer_ok(struct ax_net *net)
{
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_net_infer(net, &err);
	ck_assert_msg(rc == AX_OK, "infer failed:\n%s", ax_err_str(&err));
	ax_err_release(&err);
}

/* Loads text as a network description named name in the scratch dir. */
static int load_text(const char *name, const char *text, struct ax_net *net, struct ax_err *err,
		     char **path_out)
{
	char *path = ax_tmp(name);
	ax_write_file(path, text);
	int rc = ax_net_load_yaml(net, path, err);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return rc;
}

static void load_ok(const char *text, struct ax_net *net)
{
	struct ax_err err;
	ax_err_init(&err);
	int rc = load_text("ok.yaml", text, net, &err, NULL);
	ck_assert_msg(rc == AX_OK, "load failed:\n%s", ax_err_str(&err));
	ck_assert_int_eq(err.count, 0);
	ax_err_release(&err);
}

/* ---- names ---- */

START_TEST(test_names)
{
	ck_assert_int_eq(ax_op_parse("conv"), AX_OP_CONV);
	ck_assert_int_eq(ax_op_parse("fc"), AX_OP_DENSE);
	ck_assert_int_eq(ax_op_parse("matmul"), AX_OP_DENSE);
	ck_assert_int_eq(ax_op_parse("dense"), AX_OP_DENSE);
	ck_assert_int_eq(ax_op_parse("gap"), AX_OP_GLOBALPOOL);
	ck_assert_int_eq(ax_op_parse("global_avgpool"), AX_OP_GLOBALPOOL);
	ck_assert_int_eq(ax_op_parse("upsample"), AX_OP_RESIZE);
	ck_assert_int_eq(ax_op_parse("Conv"), -1);
	ck_assert_int_eq(ax_op_parse(""), -1);
	for (int op = 0; op < AX_OP_COUNT; op++)
		ck_assert_int_eq(ax_op_parse(ax_op_name((enum ax_op)op)), op);
	for (int a = 0; a < AX_ACT_COUNT; a++)
		ck_assert_int_eq(ax_act_parse(ax_act_name((enum ax_act)a)), a);
	ck_assert_int_eq(ax_act_parse("leaky_relu"), AX_ACT_LEAKY_RELU);
	ck_assert_int_eq(ax_act_parse("swish"), -1);
	ck_assert_str_eq(ax_op_name(AX_OP_COUNT), "?");
	ck_assert_str_eq(ax_act_name((enum ax_act)99), "?");
	ck_assert_str_eq(ax_op_suggest("convv", NULL), "conv");
	ck_assert_str_eq(ax_op_suggest("upsampel", NULL), "upsample");
	ck_assert_ptr_null(ax_op_suggest("transformer", NULL));
	/* the closest candidate wins, the extra one included: 'slit' is one edit
	 * from 'split', two from 'slice' */
	ck_assert_str_eq(ax_op_suggest("slit", "split"), "split");
	ck_assert_str_eq(ax_op_suggest("slcie", "split"), "slice");
	ck_assert_str_eq(ax_act_suggest("rleu"), "relu");
	ck_assert(ax_layer_name_ok("a-b_c.d/0:x"));
	ck_assert(!ax_layer_name_ok(""));
	ck_assert(!ax_layer_name_ok("a b"));
	ck_assert(!ax_layer_name_ok("a#"));
	ck_assert(!ax_layer_name_ok(NULL));
}
END_TEST

START_TEST(test_lifecycle)
{
	struct ax_net net;
	ax_net_init(&net);
	ck_assert_int_eq(ax_net_find(&net, "x"), -1);
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "l%d", i);
		struct ax_layer *l = ax_net_add_layer(&net, name, AX_OP_ACT);
		ck_assert_str_eq(l->name, name);
		ck_assert_int_eq(l->n_in, 0);
		ck_assert_int_eq(l->weight_bytes, 0);
	}
	ck_assert_int_eq(net.n_layers, 100);
	ck_assert_int_eq(ax_net_find(&net, "l57"), 57);
	ck_assert_int_eq(ax_net_find(&net, "l100"), -1);
	ax_net_release(&net);
	ck_assert_int_eq(net.n_layers, 0);
	ck_assert_ptr_null(net.layers);
	ax_net_release(&net); /* twice is harmless */
}
END_TEST

/* ---- inference, op by op ---- */

START_TEST(test_conv)
{
	struct ax_net net;
	ax_net_init(&net);
	add_input(&net, "in", 32, 32, 16);
	add_conv(&net, "c1", 0, 32, 3, 1, 1);
	add_conv(&net, "c2", 1, 8, 3, 2, 0);   /* (32 - 3) / 2 + 1 = 15 */
	add_conv(&net, "c3", 2, 4, 1, 1, 0);
	infer_ok(&net);
	ck_shape(&net.layers[1], 32, 32, 32);
	ck_shape(&net.layers[2], 15, 15, 8);
	ck_shape(&net.layers[3], 15, 15, 4);
	/* MACs H' W' out kh kw C/groups */
	ck_assert_uint_eq(ax_layer_macs(&net, &net.layers[1]), 32ull * 32 * 32 * 9 * 16);
	ck_assert_uint_eq(ax_layer_macs(&net, &net.layers[2]), 15ull * 15 * 8 * 9 * 32);
	ck_assert_uint_eq(ax_layer_params(&net, &net.layers[1]), 9 * 16 * 32 + 32);
	ck_assert_uint_eq(ax_layer_weight_size(&net, &net.layers[1]), 9 * 16 * 32 + 4 * 32);
	ck_assert_uint_eq(ax_layer_cin(&net, &net.layers[2]), 32);
	ck_assert_uint_eq(ax_layer_macs(&net, &net.layers[0]), 0);
	ck_assert_uint_eq(ax_layer_params(&net, &net.layers[0]), 0);
	ck_assert_uint_eq(ax_net_macs(&net), 4718592ull + 518400 + 15 * 15 * 4 * 8);
	ck_assert_uint_eq(ax_net_params(&net), 4640 + (9 * 32 * 8 + 8) + (8 * 4 + 4));
	/* only the last layer is consumed by nothing */
	ck_assert_uint_eq(net.layers[3].is_output, 1);
	ck_assert_uint_eq(net.layers[2].is_output, 0);
	ax_net_release(&net);
}
END_TEST

START_TEST(test_conv_stride_pad_dilation)
{
	struct ax_net net;
	ax_net_init(&net);
	add_input(&net, "in", 15, 20, 8);
	struct ax_layer *l = add_conv(&net, "stem", 0, 16, 3, 2, 0);
	l->kw = 5;
	l->pad_t = 1, l->pad_l = 1, l->pad_b = 1, l->pad_r = 2;
	/* dilated 3x3 at d=2 spans 5; pad 2 keeps the size */
	l = add_conv(&net, "dil", 1, 16, 3, 1, 2);
	l->dh = l->dw = 2;
	/* dilation in one axis only */
	l = add_conv(&net, "dil1", 2, 4, 3, 1, 0);
	l->dh = 3;
	infer_ok(&net);
	/* H' = floor((15 + 2 - 3) / 2) + 1 = 8; W' = floor((20 + 3 - 5) / 2) + 1 = 10 */
	ck_shape(&net.layers[1], 8, 10, 16);
	ck_shape(&net.layers[2], 8, 10, 16);
	/* H' = 8 - 2*3 - 1 + 1 = 2 (extent 7); W' = 8 */
	ck_shape(&net.layers[3], 2, 8, 4);
	ck_assert_uint_eq(ax_layer_macs(&net, &net.layers[1]), 8ull * 10 * 16 * 15 * 8);
	ck_assert_uint_eq(ax_layer_macs(&net, &net.layers[3]), 2ull * 8 * 4 * 9 * 16);
	ax_net_release(&net);
}
END_TEST

START_TEST(test_depthwise_and_groups)
{
	struct ax_net net;
	load_ok("inputs: [{name: x, shape: [8, 8, 16]}]\n"
		"layers:\n"
		"  - {name: dw, op: conv, groups: depthwise, kernel: 3, pad: 1, bias: false}\n"
		"  - {name: dw2, op: conv, groups: depthwise, out: 32, kernel: 3, stride: 2, pad: same}\n"
		"  - {name: g4, op: conv, groups: 4, out: 8, kernel: 1}\n", &net);
	const struct ax_layer *dw = layer(&net, "dw"), *dw2 = layer(&net, "dw2"), *g4 = layer(&net, "g4");
	ck_assert_uint_eq(dw->groups, 16);
	ck_assert_uint_eq(dw->cout, 16);
	ck_assert_uint_eq(dw->has_bias, 0);
	ck_shape(dw, 8, 8, 16);
	ck_assert_uint_eq(ax_layer_macs(&net, dw), 8 * 8 * 16 * 9);
	ck_assert_uint_eq(ax_layer_params(&net, dw), 9 * 16);
	ck_assert_uint_eq(ax_layer_weight_size(&net, dw), 9 * 16);
	/* channel multiplier 2: groups 16, out 32 */
	ck_assert_uint_eq(dw2->groups, 16);
	ck_shape(dw2, 4, 4, 32);
	ck_assert_uint_eq(ax_layer_macs(&net, dw2), 4 * 4 * 32 * 9);
	ck_assert_uint_eq(ax_layer_params(&net, dw2), 9 * 32 + 32);
	ck_assert_uint_eq(g4->groups, 4);
	ck_assert_uint_eq(ax_layer_macs(&net, g4), 4 * 4 * 8 * (32 / 4));
	ck_assert_uint_eq(ax_layer_weight_size(&net, g4), 8 * 8 + 4 * 8);
	ax_net_release(&net);
}
END_TEST

START_TEST(test_pad_same)
{
	struct ax_net net;
	load_ok("inputs: [{name: x, shape: [15, 16, 4]}]\n"
		"layers:\n"
		"  - {name: a, op: conv, out: 4, kernel: 3, stride: 2, pad: same}\n"
		"  - {name: b, in: x, op: conv, out: 4, kernel: [1, 5], pad: same}\n"
		"  - {name: c, in: x, op: conv, out: 4, kernel: 3, dilation: 2, pad: same}\n"
		"  - {name: d, in: x, op: maxpool, kernel: 2, pad: same}\n"
		"  - {name: e, in: x, op: conv, out: 4, kernel: 1, stride: 4, pad: same}\n", &net);
	const struct ax_layer *a = layer(&net, "a"), *b = layer(&net, "b"), *c = layer(&net, "c");
	const struct ax_layer *d = layer(&net, "d"), *e = layer(&net, "e");
	/* H: ceil(15/2) = 8, total (8-1)*2 + 3 - 15 = 2; W: 8, total 7*2 + 3 - 16 = 1 */
	ck_shape(a, 8, 8, 4);
	ck_assert_uint_eq(a->pad_t, 1);
	ck_assert_uint_eq(a->pad_b, 1);
	ck_assert_uint_eq(a->pad_l, 0);
	ck_assert_uint_eq(a->pad_r, 1);
	ck_shape(b, 15, 16, 4);
	ck_assert_uint_eq(b->pad_t + b->pad_b, 0);
	ck_assert_uint_eq(b->pad_l, 2);
	ck_assert_uint_eq(b->pad_r, 2);
	ck_shape(c, 15, 16, 4); /* extent 5 */
	ck_assert_uint_eq(c->pad_t, 2);
	ck_assert_uint_eq(c->pad_r, 2);
	/* pool stride defaults to the kernel: ceil(15/2) = 8, total 1 to the bottom */
	ck_shape(d, 8, 8, 4);
	ck_assert_uint_eq(d->pad_t, 0);
	ck_assert_uint_eq(d->pad_b, 1);
	ck_assert_uint_eq(d->pad_r, 0);
	/* a 1x1 kernel with stride 4 never needs padding */
	ck_shape(e, 4, 4, 4);
	ck_assert_uint_eq(e->pad_t + e->pad_l + e->pad_b + e->pad_r, 0);
	ax_net_release(&net);
}
END_TEST

START_TEST(test_dense)
{
	struct ax_net net;
	ax_net_init(&net);
	add_input(&net, "in", 7, 7, 64);
	struct ax_layer *l = add(&net, "fc", AX_OP_DENSE, 0);
	l->cout = 10;
	l->has_bias = 1;
	l = add(&net, "fc2", AX_OP_DENSE, 1);
	l->cout = 3;
	infer_ok(&net);
	ck_shape(&net.layers[1], 1, 1, 10);
	ck_shape(&net.layers[2], 1, 1, 3);
	ck_assert_uint_eq(ax_layer_cin(&net, &net.layers[1]), 7 * 7 * 64);
	ck_assert_uint_eq(ax_layer_macs(&net, &net.layers[1]), 3136 * 10);
	ck_assert_uint_eq(ax_layer_params(&net, &net.layers[1]), 3136 * 10 + 10);
	ck_assert_uint_eq(ax_layer_weight_size(&net, &net.layers[1]), 3136 * 10 + 40);
	ck_assert_uint_eq(ax_layer_params(&net, &net.layers[2]), 30);
	ck_assert_uint_eq(ax_net_macs(&net), 31360 + 30);
	ax_net_release(&net);
}
END_TEST

START_TEST(test_pools)
{
	struct ax_net net;
	load_ok("inputs: [{name: x, shape: [8, 10, 8]}]\n"
		"layers:\n"
		"  - {name: mp, op: maxpool, kernel: 2}\n"
		"  - {name: ap, in: x, op: avgpool, kernel: [3, 3], stride: 1, pad: 1}\n"
		"  - {name: ap2, in: x, op: avgpool, kernel: 3, stride: [2, 3]}\n"
		"  - {name: g, in: x, op: global_avgpool}\n"
		"  - {name: g2, in: mp, op: gap}\n", &net);
	const struct ax_layer *mp = layer(&net, "mp");
	ck_shape(mp, 4, 5, 8);
	ck_assert_uint_eq(mp->sh, 2);
	ck_assert_uint_eq(mp->sw, 2);
	ck_assert_uint_eq(mp->dh, 1);
	ck_shape(layer(&net, "ap"), 8, 10, 8);
	/* (8 - 3) / 2 + 1 = 3, (10 - 3) / 3 + 1 = 3 */
	ck_shape(layer(&net, "ap2"), 3, 3, 8);
	ck_shape(layer(&net, "g"), 1, 1, 8);
	ck_shape(layer(&net, "g2"), 1, 1, 8);
	ck_assert_uint_eq(ax_net_macs(&net), 0);
	ck_assert_uint_eq(ax_net_params(&net), 0);
	ax_net_release(&net);
}
END_TEST

START_TEST(test_eltwise_broadcast)
{
	struct ax_net net;
	load_ok("inputs:\n"
		"  - {name: x, shape: [4, 4, 8]}\n"
		"  - {name: s, shape: [1, 1, 8]}\n"
		"layers:\n"
		"  - {name: y, in: x, op: act, act: relu}\n"
		"  - {name: sum, op: add, in: [x, y, x], act: relu6}\n"
		"  - {name: m, op: mul, in: [sum, s]}\n"
		"  - {name: m2, op: mul, in: [sum, y]}\n", &net);
	ck_shape(layer(&net, "sum"), 4, 4, 8);
	ck_assert_uint_eq(layer(&net, "sum")->n_in, 3);
	ck_assert_int_eq(layer(&net, "sum")->act, AX_ACT_RELU6);
	ck_shape(layer(&net, "m"), 4, 4, 8);
	ck_shape(layer(&net, "m2"), 4, 4, 8);
	ax_net_release(&net);

	/* broadcast only as the second input, and only 1x1xC of the same C */
	ax_net_init(&net);
	add_input(&net, "x", 4, 4, 8);
	add_input(&net, "s", 1, 1, 8);
	struct ax_layer *l = add(&net, "m", AX_OP_MUL, 1);
	l->n_in = 2;
	l->in[1] = 0;
	infer_fails(&net, "layer 'm': inputs have shapes 1x1x8 and 4x4x8; mul needs equal shapes "
		    "or a 1x1x8 second input");
	net.layers[2].in[0] = 0;
	net.layers[2].in[1] = 1;
	infer_ok(&net);
	net.layers[1].out.c = 4;
	infer_fails(&net, "inputs have shapes 4x4x8 and 1x1x4; mul needs equal shapes");
	ax_net_release(&net);
}
END_TEST

START_TEST(test_concat_slice_split)
{
	struct ax_net net;
	load_ok("inputs: [{name: x, shape: [6, 6, 32]}]\n"
		"layers:\n"
		"  - {name: parts, op: split, sizes: [8, 16, 8], act: relu}\n"
		"  - {name: a, in: parts/2, op: conv, out: 4, kernel: 1}\n"
		"  - {name: cat, op: concat, in: [parts/0, a, parts/1, x]}\n"
		"  - {name: sl, op: slice, start: 4, end: 20}\n", &net);
	ck_assert_int_eq(ax_net_find(&net, "parts"), -1);
	const struct ax_layer *p0 = layer(&net, "parts/0"), *p1 = layer(&net, "parts/1");
	const struct ax_layer *p2 = layer(&net, "parts/2");
	ck_assert_int_eq(p0->op, AX_OP_SLICE);
	ck_assert_uint_eq(p0->slice_start, 0);
	ck_assert_uint_eq(p0->slice_end, 8);
	ck_assert_uint_eq(p1->slice_start, 8);
	ck_assert_uint_eq(p1->slice_end, 24);
	ck_assert_uint_eq(p2->slice_start, 24);
	ck_assert_uint_eq(p2->slice_end, 32);
	ck_assert_int_eq(p1->act, AX_ACT_RELU);
	ck_assert_int_eq(p2->line, p0->line);
	ck_shape(p0, 6, 6, 8);
	ck_shape(p1, 6, 6, 16);
	ck_shape(p2, 6, 6, 8);
	ck_shape(layer(&net, "cat"), 6, 6, 8 + 4 + 16 + 32);
	ck_shape(layer(&net, "sl"), 6, 6, 16);
	ck_assert_uint_eq(layer(&net, "sl")->is_output, 1);
	ck_assert_uint_eq(layer(&net, "cat")->is_output, 0);
	ax_net_release(&net);
}
END_TEST

START_TEST(test_resize_act_softmax)
{
	struct ax_net net;
	load_ok("inputs: [{name: x, shape: [8, 10, 3]}]\n"
		"layers:\n"
		"  - {name: up, op: upsample, scale: 2}\n"
		"  - {name: up3, op: resize, scale: 3}\n"
		"  - {name: lr, op: act, act: leaky_relu}\n"
		"  - {name: lr2, op: act, act: leaky_relu, alpha: 0.25}\n"
		"  - {name: sm, op: softmax, act: none}\n", &net);
	ck_shape(layer(&net, "up"), 16, 20, 3);
	ck_shape(layer(&net, "up3"), 48, 60, 3);
	ck_assert_int_eq(layer(&net, "lr")->act_alpha_milli, 100);
	ck_assert_int_eq(layer(&net, "lr2")->act_alpha_milli, 250);
	ck_shape(layer(&net, "sm"), 48, 60, 3);
	ck_assert_int_eq(layer(&net, "sm")->act, AX_ACT_NONE);
	ax_net_release(&net);
}
END_TEST

/* Attention's two products of activations: Q x K^T (B transposed) and
 * scores x V, 12 heads of 64; shapes, MACs, and no parameters or weights. */
START_TEST(test_dyn_matmul)
{
	struct ax_net net;
	load_ok("inputs: [{name: x, shape: [1, 197, 768]}]\n"
		"layers:\n"
		"  - {name: q, op: dense, out: 768, in: x}\n"
		"  - {name: qkv, op: conv, kernel: 1, out: 1536, in: x}\n"
		"  - {name: k, op: slice, start: 0, end: 768}\n"
		"  - {name: v, op: slice, start: 768, end: 1536, in: qkv}\n"
		"  - {name: s, op: dyn_matmul, in: [x, k], heads: 12, out: 2364, transpose_b: true}\n"
		"  - {name: p, op: softmax}\n"
		"  - {name: o, op: dyn_matmul, in: [p, v], heads: 12, out: 768, act: gelu}\n", &net);
	const struct ax_layer *s = layer(&net, "s"), *o = layer(&net, "o");
	ck_shape(s, 1, 197, 2364);
	ck_shape(o, 1, 197, 768);
	ck_assert_uint_eq(s->trans_b, 1);
	ck_assert_uint_eq(o->trans_b, 0);
	ck_assert_int_eq(o->act, AX_ACT_GELU);
	ck_assert_uint_eq(ax_layer_runtime_weights(&net, s), 64 * 2364);
	ck_assert_uint_eq(ax_layer_runtime_weights(&net, o), 197 * 768);
	ck_assert_uint_eq(ax_layer_macs(&net, s), 197ull * 64 * 2364);
	ck_assert_uint_eq(ax_layer_macs(&net, o), 197ull * 197 * 768);
	ck_assert_uint_eq(ax_layer_params(&net, s), 0);
	ck_assert_uint_eq(ax_layer_weight_size(&net, o), 0);
	ck_assert_uint_eq(ax_layer_runtime_weights(&net, layer(&net, "q")), 0);
	ax_net_release(&net);

	/* B of the wrong shape, heads that do not divide, one input */
	ax_net_init(&net);
	add_input(&net, "a", 1, 10, 64);
	add_input(&net, "b", 1, 16, 64);
	struct ax_layer *l = add(&net, "m", AX_OP_MATMUL, 0);
	l->n_in = 2;
	l->in[1] = 1;
	l->groups = 4;
	l->cout = 32;
	infer_fails(&net, "must hold 16 pixels (K) of 32 channels");
	net.layers[2].trans_b = 1;
	infer_fails(&net, "with trans_b, 4 heads and 32 outputs, the second must hold 8 pixels (N)");
	net.layers[2].cout = 64;
	infer_ok(&net);
	ck_shape(&net.layers[2], 1, 10, 64);
	net.layers[2].groups = 3;
	infer_fails(&net, "heads 3 do not divide");
	net.layers[2].groups = 4;
	net.layers[2].has_bias = 1;
	infer_fails(&net, "has_bias 1 on a dyn_matmul");
	net.layers[2].has_bias = 0;
	net.layers[2].n_in = 1;
	infer_fails(&net, "dyn_matmul takes two inputs, found 1");
	ax_net_release(&net);
}
END_TEST

/* The transformer ops: a class token (const) before the patches (concat of
 * pixels), a position embedding added, the token picked (slice of pixels),
 * and a word embedding of token ids. */
START_TEST(test_tokens_const_embed)
{
	struct ax_net net;
	load_ok("inputs: [{name: x, shape: [14, 14, 768]}, {name: ids, shape: [1, 128, 1]}]\n"
		"layers:\n"
		"  - {name: cls, op: const, shape: [1, 1, 768]}\n"
		"  - {name: t, op: concat, axis: pixels, in: [cls, x]}\n"
		"  - {name: pos, op: const, shape: [1, 197, 768]}\n"
		"  - {name: e, op: add, in: [t, pos]}\n"
		"  - {name: c, op: slice, axis: pixels, start: 0, end: 1}\n"
		"  - {name: w, op: embed, in: ids, rows: 30522, out: 768}\n", &net);
	ck_shape(layer(&net, "t"), 1, 197, 768);
	ck_shape(layer(&net, "c"), 1, 1, 768);
	ck_shape(layer(&net, "w"), 1, 128, 768);
	ck_assert_uint_eq(layer(&net, "t")->axis, AX_AXIS_PIXELS);
	ck_assert_uint_eq(layer(&net, "t")->n_in, 2);
	ck_assert_uint_eq(layer(&net, "cls")->n_in, 0);
	ck_assert_uint_eq(ax_layer_params(&net, layer(&net, "pos")), 197 * 768);
	ck_assert_uint_eq(ax_layer_params(&net, layer(&net, "w")), 30522ull * 768);
	ck_assert_uint_eq(ax_layer_weight_size(&net, layer(&net, "cls")), 768);
	ck_assert_uint_eq(ax_layer_macs(&net, layer(&net, "w")), 0);
	ck_assert_uint_eq(ax_net_layout_weights(&net), 768 + 197 * 768 + 30522ull * 768);
	ax_net_release(&net);

	/* a const stored once and repeated, and a buffer: a Swin block's bias
	 * over 64 windows (3 heads x 49 x 49 stored) and its mask */
	load_ok("inputs: [{name: s, shape: [1, 49, 9408]}]\n"
		"layers:\n"
		"  - {name: bias, op: const, shape: [1, 49, 9408], repeat: 64}\n"
		"  - {name: a, op: add, in: [s, bias]}\n"
		"  - {name: mask, op: const, shape: [1, 49, 9408], repeat: 3, buffer: true}\n"
		"  - {name: m, op: add, in: [a, mask]}\n", &net);
	ck_assert_uint_eq(ax_layer_params(&net, layer(&net, "bias")), 3 * 49 * 49);
	ck_assert_uint_eq(ax_layer_weight_size(&net, layer(&net, "bias")), 3 * 49 * 49);
	ck_assert_uint_eq(ax_layer_params(&net, layer(&net, "mask")), 0);
	ck_assert_uint_eq(ax_layer_weight_size(&net, layer(&net, "mask")), 64 * 49 * 49);
	ck_shape(layer(&net, "m"), 1, 49, 9408);
	ax_net_release(&net);

	/* weights written at run time: stored, not parameters; the bias is */
	load_ok("inputs: [{name: x, shape: [8, 8, 4]}]\n"
		"layers: [{name: c, op: conv, out: 2, kernel: 3, runtime_weights: true}]\n", &net);
	ck_assert_uint_eq(ax_layer_params(&net, layer(&net, "c")), 2);
	ck_assert_uint_eq(ax_layer_weight_size(&net, layer(&net, "c")), 2 * 9 * 4 + 2 * 4);
	ax_net_release(&net);

	/* channels that differ, pixels out of range, indices of more than one value */
	ax_net_init(&net);
	add_input(&net, "a", 2, 2, 8);
	add_input(&net, "b", 1, 3, 4);
	struct ax_layer *l = add(&net, "j", AX_OP_CONCAT, 0);
	l->n_in = 2;
	l->in[1] = 1;
	l->axis = AX_AXIS_PIXELS;
	infer_fails(&net, "a concat of pixels needs equal channels");
	l = &net.layers[2];
	l->op = AX_OP_SLICE;
	l->n_in = 1;
	l->in[1] = 0;
	l->slice_start = 2;
	l->slice_end = 5;
	infer_fails(&net, "slice [2, 5) is not within the 4 input pixels");
	l->axis = 7;
	infer_fails(&net, "axis 7 is out of range");
	l->op = AX_OP_EMBED;
	l->axis = 0;
	l->rows = 10;
	l->cout = 4;
	infer_fails(&net, "holds 8 values per pixel; expected one index per pixel");
	ax_net_release(&net);
	ax_net_init(&net);
	l = add(&net, "k", AX_OP_CONST, 0);
	l->n_in = 0;
	l->out = (struct ax_shape){ 2, 2, 3 };
	l->repeat = 5;
	infer_fails(&net, "repeat 5 does not divide the 12 values of shape 2x2x3");
	l = &net.layers[0];
	l->repeat = 4;
	l->buffer = 2;
	infer_fails(&net, "buffer 2 is out of range");
	ax_net_release(&net);
}
END_TEST

/* A relayout (docs/network-format.md "relayout"): a window partition keeps
 * the elements, a strided gather takes a quarter of them; it has neither
 * parameters nor MACs, and may not make up values. */
START_TEST(test_relayout)
{
	struct ax_net net;
	load_ok("inputs: [{name: x, shape: [56, 56, 96]}]\n"
		"layers:\n"
		"  - {name: win, op: relayout, shape: [64, 49, 96]}\n"
		"  - {name: back, op: relayout, shape: [56, 56, 96]}\n"
		"  - {name: q, op: relayout, in: back, shape: [28, 28, 96]}\n", &net);
	ck_shape(layer(&net, "win"), 64, 49, 96);
	ck_shape(layer(&net, "q"), 28, 28, 96);
	ck_assert_uint_eq(layer(&net, "q")->in[0], 2);
	ck_assert_uint_eq(ax_layer_params(&net, layer(&net, "win")), 0);
	ck_assert_uint_eq(ax_layer_macs(&net, layer(&net, "win")), 0);
	ck_assert_uint_eq(ax_layer_weight_size(&net, layer(&net, "win")), 0);
	ax_net_release(&net);

	ax_net_init(&net);
	add_input(&net, "a", 4, 4, 8);
	struct ax_layer *l = add(&net, "r", AX_OP_RELAYOUT, 0);
	l->to = (struct ax_shape){ 8, 4, 8 };
	infer_fails(&net, "shape 8x4x8 holds 256 values, more than the 128 of input 4x4x8");
	l = &net.layers[1];
	l->to = (struct ax_shape){ 0, 4, 8 };
	infer_fails(&net, "shape 0x4x8 is out of range");
	ax_net_release(&net);

	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_ne(load_text("r.yaml", "inputs: [{name: x, shape: [4, 4, 8]}]\n"
				   "layers: [{name: r, op: relayout}]\n", &net, &err, 0), AX_OK);
	ck_assert_msg(strstr(ax_err_str(&err), "shape: missing"), "%s", ax_err_str(&err));
	ax_net_release(&net);
	ax_err_release(&err);
}
END_TEST

/* Every op at once, from tests/nets/all-ops.yaml; figures by hand. */
START_TEST(test_all_ops_file)
{
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_net_load_yaml(&net, ax_src("tests/nets/all-ops.yaml"), &err);
	ck_assert_msg(rc == AX_OK, "%s", ax_err_str(&err));
	ck_assert_str_eq(net.name, "all-ops");
	ck_assert_ptr_nonnull(strstr(net.source, "all-ops.yaml"));
	ck_assert_uint_eq(net.n_layers, 19);
	static const struct {
		const char *name;
		uint32_t h, w, c;
		uint64_t macs, params;
	} want[] = {
		{ "img", 15, 20, 8, 0, 0 },
		{ "gate", 1, 1, 16, 0, 0 },
		{ "stem", 8, 10, 16, 8 * 10 * 16 * 3 * 5 * 8, 3 * 5 * 8 * 16 + 16 },
		{ "dw", 8, 10, 16, 8 * 10 * 16 * 9, 9 * 16 },
		{ "pw", 8, 10, 32, 8 * 10 * 32 * 4, 4 * 32 + 32 },
		{ "parts/0", 8, 10, 8, 0, 0 },
		{ "parts/1", 8, 10, 24, 0, 0 },
		{ "up", 16, 20, 8, 0, 0 },
		{ "mp", 8, 10, 8, 0, 0 },
		{ "ap", 8, 10, 24, 0, 0 },
		{ "cat", 8, 10, 32, 0, 0 },
		{ "sl", 8, 10, 16, 0, 0 },
		{ "scaled", 8, 10, 16, 0, 0 },
		{ "sum", 8, 10, 16, 0, 0 },
		{ "hs", 8, 10, 16, 0, 0 },
		{ "gap", 1, 1, 16, 0, 0 },
		{ "fc", 1, 1, 10, 160, 170 },
		{ "prob", 1, 1, 10, 0, 0 },
		{ "side", 1, 1, 3, 2560 * 3, 2560 * 3 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ax_layer *l = &net.layers[i];
		ck_assert_str_eq(l->name, want[i].name);
		ck_shape(l, want[i].h, want[i].w, want[i].c);
		ck_assert_uint_eq(ax_layer_macs(&net, l), want[i].macs);
		ck_assert_uint_eq(ax_layer_params(&net, l), want[i].params);
		ck_assert_int_gt(l->line, 0);
		ck_assert_int_gt(l->col, 0);
	}
	const struct ax_layer *stem = layer(&net, "stem");
	ck_assert_int_eq(stem->act, AX_ACT_LEAKY_RELU);
	ck_assert_int_eq(stem->act_alpha_milli, 200);
	ck_assert_int_eq(stem->line, 8);
	ck_assert_int_eq(stem->col, 5);
	ck_assert_uint_eq(ax_net_macs(&net), 153600 + 11520 + 10240 + 160 + 7680);
	ck_assert_uint_eq(ax_net_params(&net), 1936 + 144 + 160 + 170 + 7680);
	/* outputs: the layers nothing consumes */
	for (size_t i = 0; i < net.n_layers; i++) {
		int out = !strcmp(net.layers[i].name, "prob") || !strcmp(net.layers[i].name, "side");
		ck_assert_uint_eq(net.layers[i].is_output, out);
	}
	ax_net_release(&net);
	ax_err_release(&err);
}
END_TEST

START_TEST(test_doc_example)
{
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_net_load_yaml(&net, ax_src("tests/nets/tiny-residual.yaml"), &err);
	ck_assert_msg(rc == AX_OK, "%s", ax_err_str(&err));
	ck_assert_str_eq(net.name, "tiny-residual");
	ck_assert_uint_eq(net.n_layers, 6);
	ck_shape(layer(&net, "sum"), 32, 32, 32);
	ck_shape(layer(&net, "fc"), 1, 1, 10);
	/* c2 takes c1 by default: the previous layer */
	ck_assert_uint_eq(layer(&net, "c2")->in[0], 1);
	ck_assert_uint_eq(ax_net_macs(&net), 4718592 + 9437184 + 320);
	ck_assert_uint_eq(ax_net_params(&net), 4640 + 9248 + 330);
	/* outputs: [fc] -- only fc */
	for (size_t i = 0; i < net.n_layers; i++)
		ck_assert_uint_eq(net.layers[i].is_output, i == 5);
	ax_net_release(&net);
	ax_err_release(&err);
}
END_TEST

START_TEST(test_layout_weights)
{
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_net_load_yaml(&net, ax_src("tests/nets/all-ops.yaml"), &err), AX_OK);
	uint64_t total = ax_net_layout_weights(&net);
	/* stem 1920 + 64 at 0; dw 144 at 1984; pw 128 + 128 at 2176 (2128 aligned);
	 * fc 160 + 40 at 2432; side 7680 at 2688 (2632 aligned) */
	static const struct {
		const char *name;
		uint64_t off, bytes;
	} want[] = {
		{ "stem", 0, 1984 }, { "dw", 1984, 144 }, { "pw", 2176, 256 },
		{ "fc", 2432, 200 }, { "side", 2688, 7680 }, { "sum", 0, 0 }, { "img", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ax_layer *l = layer(&net, want[i].name);
		ck_assert_uint_eq(l->weight_offset, want[i].off);
		ck_assert_uint_eq(l->weight_bytes, want[i].bytes);
		ck_assert_uint_eq(l->weight_offset % 64, 0);
	}
	ck_assert_uint_eq(total, 2688 + 7680);
	ax_net_release(&net);
	ax_err_release(&err);
}
END_TEST

START_TEST(test_default_outputs)
{
	struct ax_net net;
	load_ok("network: two-heads\n"
		"inputs: [{name: x, shape: [4, 4, 4]}]\n"
		"layers:\n"
		"  - {name: a, op: conv, out: 4, kernel: 1}\n"
		"  - {name: head1, op: softmax}\n"
		"  - {name: head2, in: a, op: gap}\n", &net);
	ck_assert_uint_eq(layer(&net, "x")->is_output, 0);
	ck_assert_uint_eq(layer(&net, "a")->is_output, 0);
	ck_assert_uint_eq(layer(&net, "head1")->is_output, 1);
	ck_assert_uint_eq(layer(&net, "head2")->is_output, 1);
	ax_net_release(&net);

	/* the network name defaults to the file name */
	load_ok("inputs: [{name: x, shape: [4, 4, 4]}]\nlayers: [{name: a, op: softmax}]\n", &net);
	ck_assert_str_eq(net.name, "ok");
	ax_net_release(&net);
}
END_TEST

START_TEST(test_overflow_guards)
{
	struct ax_shape big = { UINT32_MAX, UINT32_MAX, UINT32_MAX };
	ck_assert_uint_eq(ax_shape_bytes(big), UINT64_MAX);
	struct ax_shape s = { 65536, 65536, 65536 };
	ck_assert_uint_eq(ax_shape_bytes(s), 1ull << 48);

	struct ax_net net;
	ax_net_init(&net);
	add_input(&net, "in", 65536, 65536, 65536);
	struct ax_layer *l = add_conv(&net, "c", 0, 65536, 64, 1, 0);
	infer_fails(&net, "layer 'c': 17592186306560 weight bytes are too many; expected at most "
		    "1099511627776");
	/* the figures saturate rather than wrap, even on an un-inferred layer */
	l = &net.layers[1];
	l->out.h = l->out.w = 65536;
	ck_assert_uint_eq(ax_layer_macs(&net, l), UINT64_MAX);
	l->groups = 0;
	ck_assert_uint_eq(ax_layer_macs(&net, l), 0);
	l->n_in = 0;
	ck_assert_uint_eq(ax_layer_cin(&net, l), 0);
	l->n_in = 1;
	l->in[0] = 99;
	ck_assert_uint_eq(ax_layer_cin(&net, l), 0);
	ax_net_release(&net);

	/* dense: the flattened input is bounded by uint32 */
	ax_net_init(&net);
	add_input(&net, "in", 65536, 65536, 2);
	l = add(&net, "fc", AX_OP_DENSE, 0);
	l->cout = 1;
	infer_fails(&net, "layer 'fc': flattened input 65536x65536x2 has too many values");
	ax_net_release(&net);

	ax_net_init(&net);
	add_input(&net, "in", 65537, 1, 1);
	infer_fails(&net, "layer 'in': shape 65537x1x1 is out of range; expected each dimension from 1 to 65536");
	ax_net_release(&net);

	/* weight layout saturates */
	ax_net_init(&net);
	add_input(&net, "in", 1, 1, 1);
	for (int i = 0; i < 3; i++) {
		char name[8];
		snprintf(name, sizeof(name), "fc%d", i);
		l = add(&net, name, AX_OP_DENSE, 0);
		l->cout = UINT32_MAX;
	}
	net.layers[0].out.h = net.layers[0].out.w = net.layers[0].out.c = UINT32_MAX;
	ck_assert_uint_eq(ax_net_layout_weights(&net), UINT64_MAX);
	ax_net_release(&net);
}
END_TEST

/* Hand-built graphs with one problem each: the message names the layer. */
START_TEST(test_infer_errors)
{
	static const struct {
		const char *want;
		int what;
	} cases[] = {
		{ "layer 'c': op 99 is out of range; expected 0 to 16", 0 },
		{ "layer 'c': act 42 is out of range; expected 0 to 7", 1 },
		{ "layer 'c': input 0 refers to layer 1; expected a layer before this one (1)", 2 },
		{ "layer 'c': input 0 refers to layer 5; expected a layer before this one (1)", 3 },
		{ "layer 'c': conv has 0 inputs; expected 1 to 8", 4 },
		{ "layer 'c': kernel 0x3 is out of range; expected 1 to 64", 5 },
		{ "layer 'c': groups 3 does not divide the 16 input channels", 6 },
		{ "layer 'c': slice [4, 20) is not within the 16 input channels", 7 },
		{ "layer 'c': act 'none' for an act layer; expected an activation", 8 },
		{ "layer 'c': concat needs two or more inputs, found 1", 9 },
		{ "layer 'c': kernel extent 9x9 does not fit in the padded input 8x8", 10 },
		{ "layer 'c': pad 3,3,3,3 (top, left, bottom, right) is too large; expected each smaller "
		  "than the kernel extent 3x3", 11 },
		{ "layer 'c': scale 0 is out of range; expected 1 to 64", 12 },
		{ "layer 'c': conv takes one input, found 2", 13 },
		{ "layer 'c': an input layer has 1 inputs; expected none", 14 },
		{ "layer 'c': stride 0x1 is out of range; expected 1 to 64", 15 },
		{ "layer 'c': leaky_relu alpha 1001/1000 is out of range", 16 },
		{ "layer 'c': has_bias 2 is out of range; expected 0 or 1", 17 },
		{ "layer 'c': out 0 is out of range; expected 1 to 65536", 18 },
		{ "layer 'c': groups 32 is out of range; expected 1 to 16 (the input channels)", 19 },
		{ "layer 'c': concatenated channels 131072 are too many; expected at most 65536", 20 },
		{ "layer 'c': output 131072x131072 is too large; expected at most 65536", 21 },
		{ "layer 'c': groups 2 does not divide the 5 output channels", 22 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct ax_net net;
		ax_net_init(&net);
		add_input(&net, "in", 8, 8, 16);
		struct ax_layer *l = add_conv(&net, "c", 0, 16, 3, 1, 1);
		switch (cases[k].what) {
		case 0: l->op = (enum ax_op)99; break;
		case 1: l->act = (enum ax_act)42; break;
		case 2: l->in[0] = 1; break;
		case 3: l->in[0] = 5; break;
		case 4: l->n_in = 0; break;
		case 5: l->kh = 0; break;
		case 6: l->groups = 3; break;
		case 7: l->op = AX_OP_SLICE; l->slice_start = 4; l->slice_end = 20; break;
		case 8: l->op = AX_OP_ACT; break;
		case 9: l->op = AX_OP_CONCAT; break;
		case 10: l->kh = l->kw = 9; l->pad_t = l->pad_l = l->pad_b = l->pad_r = 0; break;
		case 11: l->pad_t = l->pad_l = l->pad_b = l->pad_r = 3; break;
		case 12: l->op = AX_OP_RESIZE; break;
		case 13: l->n_in = 2; break;
		case 14: l->op = AX_OP_INPUT; l->out.h = l->out.w = l->out.c = 1; break;
		case 15: l->sh = 0; break;
		case 16: l->act = AX_ACT_LEAKY_RELU; l->act_alpha_milli = 1001; break;
		case 17: l->has_bias = 2; break;
		case 18: l->cout = 0; break;
		case 19: l->groups = 32; break;
		case 20:
			net.layers[0].out.c = 65536;
			l->op = AX_OP_CONCAT;
			l->n_in = 2;
			break;
		case 21:
			net.layers[0].out.h = net.layers[0].out.w = 65536;
			l->op = AX_OP_RESIZE;
			l->scale = 2;
			break;
		case 22: l->groups = 2; l->cout = 5; break;
		}
		infer_fails(&net, cases[k].want);
		ax_net_release(&net);
	}
}
END_TEST

START_TEST(test_infer_positions)
{
	struct ax_net net;
	struct ax_err err;
	ax_net_init(&net);
	ax_err_init(&err);
	/* empty network */
	ck_assert_int_eq(ax_net_infer(&net, &err), AX_EINPUT);
	ck_assert_str_eq(ax_err_str(&err), "the network has no layers; expected at least one input\n");
	ax_err_release(&err);
	/* with a source: file:line:col of the layer, or file: when unknown */
	net.source = strdup("net.yaml");
	add_input(&net, "in", 8, 8, 16);
	struct ax_layer *l = add_conv(&net, "c", 0, 16, 3, 1, 1);
	l->kw = 99;
	l->line = 7;
	l->col = 5;
	l = add_conv(&net, "d", 0, 16, 3, 1, 1);
	l->groups = 5;
	ck_assert_int_eq(ax_net_infer(&net, &err), AX_EINPUT);
	ck_assert_str_eq(ax_err_str(&err),
			 "net.yaml:7:5: layer 'c': kernel 3x99 is out of range; expected 1 to 64\n"
			 "net.yaml: layer 'd': groups 5 does not divide the 16 input channels\n"
			 "net.yaml: layer 'd': groups 5 does not divide the 16 output channels\n");
	ck_assert_int_eq(err.count, 3);
	ax_err_release(&err);
	/* one problem upstream: no cascade downstream */
	net.layers[2].groups = 1;
	add_conv(&net, "e", 1, 16, 3, 1, 1);
	ck_assert_int_eq(ax_net_infer(&net, &err), AX_EINPUT);
	ck_assert_int_eq(err.count, 1);
	ax_err_release(&err);
	ax_net_release(&net);
}
END_TEST

/* ---- the loader's error messages ---- */

#define IN1 "inputs: [{name: x, shape: [8, 8, 16]}]\nlayers:\n"

static const struct bad_yaml {
	const char *text;
	const char *want; /* after "<file>:" */
} bad_yaml[] = {
	/* 0: unknown key with a suggestion, at the key */
	{ IN1 "  - {name: c1, op: conv, out: 8, kernel: 3, strdie: 2}\n",
	  "3:45: layer 'c1': unknown key 'strdie'; did you mean 'stride'?" },
	{ IN1 "  - {name: c1, op: conv, out: 8, kernel: 3, colour: red}\n",
	  "3:45: layer 'c1': unknown key 'colour'; expected one of: name, op, in, act, alpha, out, "
	  "kernel, stride, pad, dilation, groups, bias" },
	{ IN1 "  - {name: d, op: dense, out: 8, stride: 2}\n",
	  "3:34: layer 'd': key 'stride' does not apply to a dense layer; expected one of: name, op, "
	  "in, act, alpha, out, bias" },
	/* 3: undefined input, with and without suggestion */
	{ IN1 "  - {name: c1, op: conv, out: 8, kernel: 3}\n  - {name: sum, op: add, in: [c1, c3]}\n",
	  "4:35: layer 'sum': input 'c3' is not defined before this layer; did you mean 'c1'?" },
	{ IN1 "  - {name: c1, op: conv, out: 8, kernel: 3, in: elsewhere}\n",
	  "3:49: layer 'c1': input 'elsewhere' is not defined before this layer" },
	/* 5: forward reference and self reference (the only ways to write a cycle) */
	{ IN1 "  - {name: a, op: add, in: [x, b]}\n  - {name: b, op: add, in: [x, a]}\n",
	  "3:32: layer 'a': input 'b' is not defined before this layer (it is defined at line 4)" },
	{ IN1 "  - {name: a, op: softmax, in: a}\n",
	  "3:32: layer 'a': input 'a' is not defined before this layer (it is this layer)" },
	/* 7: bad kernel values and forms */
	{ IN1 "  - {name: c2, op: conv, out: 32, kernel: 0, pad: 1}\n",
	  "3:43: layer 'c2': kernel: '0' is out of range; expected an integer from 1 to 64" },
	{ IN1 "  - {name: c2, op: conv, out: 32, kernel: [3, 3, 3]}\n",
	  "3:43: layer 'c2': kernel: a list of 3 items; expected an integer or a list of 2 integers" },
	{ IN1 "  - {name: c2, op: conv, out: 32, kernel: big}\n",
	  "3:43: layer 'c2': kernel: 'big' is not an integer; expected an integer from 1 to 64" },
	{ IN1 "  - {name: c2, op: conv, out: 32, kernel: [3, 65]}\n",
	  "3:47: layer 'c2': kernel: '65' is out of range; expected an integer from 1 to 64" },
	{ IN1 "  - {name: c2, op: conv, out: 32}\n",
	  "3:5: layer 'c2': kernel: missing; expected an integer or [kh, kw]" },
	{ IN1 "  - {name: c2, op: conv, out: 32, kernel: 9}\n",
	  "3:5: layer 'c2': kernel extent 9x9 does not fit in the padded input 8x8" },
	/* 13: shapes that do not agree */
	{ "inputs:\n  - {name: a, shape: [32, 32, 16]}\n  - {name: b, shape: [16, 32, 16]}\n"
	  "layers:\n  - {name: cat, op: concat, in: [a, b]}\n",
	  "5:5: layer 'cat': inputs have shapes 32x32x16 and 16x32x16; concat needs equal heights and widths" },
	{ "inputs:\n  - {name: a, shape: [32, 32, 32]}\n  - {name: b, shape: [16, 16, 32]}\n"
	  "layers:\n  - {name: sum, op: add, in: [a, b], act: relu}\n",
	  "5:5: layer 'sum': inputs have shapes 32x32x32 and 16x16x32; add needs equal shapes" },
	{ IN1 "  - {name: s, op: add}\n", "3:5: layer 's': add needs two or more inputs, found 1" },
	{ IN1 "  - {name: s, op: concat, in: [x, x, x, x, x, x, x, x, x]}\n",
	  "3:31: layer 's': in: a list of 9 names; expected 1 to 8 names" },
	/* 17: duplicate names */
	{ IN1 "  - {name: c1, op: softmax}\n  - {name: c1, op: softmax}\n",
	  "4:12: layer 'c1': name: 'c1' is already defined at line 3; expected a unique name" },
	{ IN1 "  - {name: x, op: softmax}\n",
	  "3:12: layer 'x': name: 'x' is already defined at line 1; expected a unique name" },
	{ IN1 "  - {name: p/1, op: softmax}\n  - {name: p, op: split, sizes: [8, 8]}\n",
	  "4:5: layer 'p': name: 'p/1' (a part of the split) is already defined at line 3" },
	{ IN1 "  - {name: p, op: split, sizes: [8, 8]}\n  - {name: p/0, op: softmax, in: x}\n",
	  "4:12: layer 'p/0': name: 'p/0' is already defined at line 3; expected a unique name" },
	{ "inputs:\n  - {name: a, shape: [1, 1, 1]}\n  - {name: a, shape: [1, 1, 1]}\nlayers: [{name: s, op: softmax, in: a}]\n",
	  "3:12: input 'a': name: 'a' is already defined at line 2; expected a unique name" },
	/* 22: names and ops */
	{ IN1 "  - {name: 'c 1', op: softmax}\n",
	  "3:12: layer 'c 1': name: 'c 1' is not a valid name; expected letters, digits and _ . / : - only" },
	{ IN1 "  - {op: softmax}\n", "3:5: layer #1: name: missing; expected a unique name" },
	{ IN1 "  - {name: c, op: convv}\n", "3:19: layer 'c': op: 'convv' is not an operator; did you mean 'conv'?" },
	{ IN1 "  - {name: c, op: relu}\n",
	  "3:19: layer 'c': op: 'relu' is not an operator; expected one of: conv, dense, maxpool" },
	{ IN1 "  - {name: c, op: splt, sizes: [8, 8]}\n",
	  "3:19: layer 'c': op: 'splt' is not an operator; did you mean 'split'?" },
	{ IN1 "  - {name: c, op: input}\n",
	  "3:19: layer 'c': op: 'input' is not an operator for layers; expected inputs to be listed under inputs" },
	{ IN1 "  - {name: c}\n", "3:5: layer 'c': op: missing; expected an operator such as conv" },
	/* 29: activations */
	{ IN1 "  - {name: c, op: softmax, act: rleu}\n",
	  "3:33: layer 'c': act: 'rleu' is not an activation; did you mean 'relu'?" },
	{ IN1 "  - {name: c, op: act, act: none}\n",
	  "3:29: layer 'c': act: 'none' is not allowed for an act layer; expected an activation" },
	{ IN1 "  - {name: c, op: act}\n",
	  "3:5: layer 'c': act: missing; expected an activation (relu, relu6, silu, sigmoid, hardswish, leaky_relu, gelu)" },
	{ IN1 "  - {name: c, op: softmax, act: relu, alpha: 0.2}\n",
	  "3:46: layer 'c': alpha: '0.2' applies only to act leaky_relu; expected no alpha" },
	{ IN1 "  - {name: c, op: act, act: leaky_relu, alpha: 2}\n",
	  "3:48: layer 'c': alpha: '2' is out of range; expected a number from 0 to 1" },
	/* 34: split and slice */
	{ IN1 "  - {name: sp, op: split, sizes: [8, 4]}\n",
	  "3:34: layer 'sp': sizes: add up to 12; expected the 16 input channels" },
	{ IN1 "  - {name: sp, op: split, sizes: [16]}\n",
	  "3:34: layer 'sp': sizes: a list of 1 items; expected at least 2 channel counts" },
	{ IN1 "  - {name: sp, op: split, sizes: [8, 8]}\n  - {name: s, op: softmax, in: sp}\n",
	  "4:32: layer 's': input 'sp' is a split; expected one of its parts 'sp/0' to 'sp/1'" },
	{ IN1 "  - {name: sp, op: split, sizes: [8, 8]}\n  - {name: s, op: softmax}\n",
	  "4:5: layer 's': in: missing, and the previous layer 'sp' is a split; expected one of its parts 'sp/0', ..." },
	{ IN1 "  - {name: sp, op: split, sizes: [8, 8], in: [x, x]}\n",
	  "3:46: layer 'sp': in: split takes one input, found 2" },
	{ IN1 "  - {name: s, op: slice, start: 4, end: 20}\n",
	  "3:5: layer 's': slice [4, 20) is not within the 16 input channels; expected start < end <= 16" },
	{ IN1 "  - {name: s, op: slice, start: 4}\n",
	  "3:5: layer 's': end: missing; expected the channel after the last one" },
	/* 41: other parameters */
	{ IN1 "  - {name: d, op: dense}\n", "3:5: layer 'd': out: missing; expected the number of output channels" },
	{ IN1 "  - {name: c, op: conv, out: 8, kernel: 3, pad: valid}\n",
	  "3:49: layer 'c': pad: 'valid' is not valid; expected an integer, [ph, pw], [top, left, bottom, right] or same" },
	{ IN1 "  - {name: c, op: conv, out: 8, kernel: 3, pad: [1, 1, 1]}\n",
	  "3:49: layer 'c': pad: a list of 3 items; expected an integer or a list of 2 or 4 integers" },
	{ IN1 "  - {name: c, op: conv, out: 8, kernel: 3, pad: 3}\n",
	  "3:5: layer 'c': pad 3,3,3,3 (top, left, bottom, right) is too large" },
	{ IN1 "  - {name: c, op: conv, out: 8, kernel: 3, groups: 3}\n",
	  "3:5: layer 'c': groups 3 does not divide the 16 input channels" },
	{ IN1 "  - {name: c, op: conv, out: 8, kernel: 3, groups: all}\n",
	  "3:52: layer 'c': groups: 'all' is not valid; expected an integer from 1 to 65536 or depthwise" },
	{ IN1 "  - {name: c, op: conv, out: 8, kernel: 3, bias: maybe}\n",
	  "3:50: layer 'c': bias: 'maybe' is not a boolean; expected true or false" },
	{ IN1 "  - {name: r, op: resize}\n", "3:5: layer 'r': scale: missing; expected an integer factor" },
	{ IN1 "  - {name: r, op: resize, scale: 0}\n",
	  "3:34: layer 'r': scale: '0' is out of range; expected an integer from 1 to 64" },
	{ IN1 "  - {name: c, op: conv, out: 8, kernel: 3, dilation: [1, 1, 1]}\n",
	  "3:54: layer 'c': dilation: a list of 3 items; expected an integer or a list of 2 integers" },
	/* 51: inputs */
	{ "inputs: [{name: x, shape: [8, 8]}]\nlayers: [{name: s, op: softmax}]\n",
	  "1:27: input 'x': shape: a list of 2 items; expected [height, width, channels]" },
	{ "inputs: [{name: x, shape: [8, 0, 3]}]\nlayers: [{name: s, op: softmax}]\n",
	  "1:31: input 'x': shape: '0' is out of range; expected an integer from 1 to 65536" },
	{ "inputs: [{name: x, shape: [8, 8, 3], type: int8}]\nlayers: [{name: s, op: softmax}]\n",
	  "1:38: input 'x': unknown key 'type'; expected one of: name, shape" },
	{ "inputs: [{name: x}]\nlayers: [{name: s, op: softmax}]\n",
	  "1:10: input 'x': shape: missing; expected [height, width, channels]" },
	{ "inputs:\n  - {name: a, shape: [1, 1, 1]}\n  - {name: b, shape: [1, 1, 1]}\nlayers: [{name: s, op: softmax}]\n",
	  "4:10: layer 's': in: missing; expected one of the 2 inputs, since the first layer has no previous layer" },
	/* 56: the file as a whole */
	{ IN1 "  - {name: s, op: softmax}\nouputs: [s]\n",
	  "4:1: unknown key 'ouputs'; did you mean 'outputs'?" },
	{ "layers: [{name: s, op: softmax}]\n", "1:1: inputs: missing; expected a list of {name, shape}" },
	{ "inputs: [{name: x, shape: [8, 8, 16]}]\n", "1:1: layers: missing; expected a list of layers" },
	{ "inputs: [{name: x, shape: [8, 8, 16]}]\nlayers: []\n",
	  "2:9: layers: an empty list; expected at least one layer" },
	{ "inputs: []\nlayers: [{name: s, op: softmax}]\n", "1:9: inputs: an empty list; expected at least one input" },
	{ "", "1:1: the file is empty; expected a mapping with inputs and layers" },
	{ "- a\n- b\n", "1:1: network description: found a sequence; expected a mapping" },
	{ "inputs: [\n", "invalid YAML" },
	{ IN1 "  - {name: s, op: softmax}\noutputs: [sx]\n",
	  "4:11: outputs: 'sx' is not a layer; did you mean 'x'?" },
	{ IN1 "  - {name: s, op: softmax}\noutputs: [zzzzz]\n", "4:11: outputs: 'zzzzz' is not a layer" },
	{ IN1 "  - {name: s, op: split, sizes: [8, 8]}\noutputs: [s]\n",
	  "4:11: outputs: 's' is a split; expected one of its parts 's/0', ..." },
	{ IN1 "  - {name: s, op: softmax}\noutputs: [s, s]\n", "4:14: outputs: 's' is listed twice" },
	{ "network: \"a\\tb\"\n" IN1 "  - {name: s, op: softmax}\n",
	  "1:10: network: the name contains a control character; expected printable text" },
	{ IN1 "  - [1, 2]\n", "3:5: layers: item: found a sequence; expected a mapping" },
	{ IN1 "  - {name: s, op: softmax, in: {a: b}}\n",
	  "3:32: layer 's': in: found a mapping; expected a layer name or a list of names" },
	/* a product of two activations: its own keys, missing and out of range */
	{ IN1 "  - {name: m, op: dyn_matmul, in: [x, x], heads: 2}\n",
	  "3:5: layer 'm': out: missing; expected the number of output channels (heads x N)" },
	{ IN1 "  - {name: m, op: dyn_matmul, in: [x, x], out: 8, heads: 0}\n", "3:58: layer 'm': heads: '0' is out of range; expected an integer from 1 to 65536" },
	{ IN1 "  - {name: m, op: dyn_matmul, in: [x, x], out: 8, transpose_b: maybe}\n",
	  "3:64: layer 'm': transpose_b: 'maybe' is not a boolean; expected true or false" },
	{ IN1 "  - {name: m, op: dyn_matmul, in: [x, x], out: 8, kernel: 3}\n",
	  "3:51: layer 'm': key 'kernel' does not apply to a dyn_matmul layer; expected one of: name, op, in, act, alpha, out, heads, transpose_b" },
	{ IN1 "  - {name: m, op: dyn_matmul, in: x, out: 8}\n", "3:5: layer 'm': dyn_matmul takes two inputs, found 1" },
	{ IN1 "  - {name: m, op: dyn_matmul, in: [x, x], out: 8, heads: 3}\n",
	  "3:5: layer 'm': heads 3 do not divide the first input's 16 channels and the 8 output channels" },
};

START_TEST(test_yaml_errors)
{
	const struct bad_yaml *c = &bad_yaml[_i];
	char name[32];
	snprintf(name, sizeof(name), "bad%d.yaml", _i);
	struct ax_net net;
	struct ax_err err;
	char *path;
	ax_err_init(&err);
	int rc = load_text(name, c->text, &net, &err, &path);
	char *want = ax_xasprintf("%s:%s", path, c->want);
	if (!strcmp(c->want, "invalid YAML")) {
		free(want);
		want = ax_xasprintf("%s:", path);
		ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "invalid YAML"));
	}
	ck_assert_msg(rc == AX_EINPUT, "case %d: rc %d", _i, rc);
	ck_assert_msg(strstr(ax_err_str(&err), want), "case %d: expected\n  %s\nin\n%s", _i, want,
		      ax_err_str(&err));
	ck_assert_int_ge(err.count, 1);
	/* a failed load leaves the network empty */
	ck_assert_uint_eq(net.n_layers, 0);
	ck_assert_ptr_null(net.name);
	ax_net_release(&net);
	ax_err_release(&err);
	free(want);
	free(path);
}
END_TEST

START_TEST(test_yaml_all_errors)
{
	/* every problem of the file, in file order, without cascades */
	const char *text =
		"inputs:\n"
		"  - {name: image, shape: [32, 32, 16]}\n"
		"  - {name: x, shape: [16, 16, 32], colour: red}\n"
		"layers:\n"
		"  - {name: c1, in: image, op: conv, out: 32, kernel: 3, strdie: 1, pad: 1}\n"
		"  - {name: c2, op: conv, out: 32, kernel: 0, pad: 1}\n"
		"  - {name: c3, op: conv, out: 32, kernel: 3}\n"
		"  - {name: sum, op: add, in: [c1, x]}\n"
		"  - {name: c1, op: softmax}\n"
		"  - {name: after, op: gap, in: later}\n"
		"  - {name: later, op: act, act: rleu}\n";
	struct ax_net net;
	struct ax_err err;
	char *path;
	ax_err_init(&err);
	ck_assert_int_eq(load_text("many.yaml", text, &net, &err, &path), AX_EINPUT);
	const char *want[] = {
		"3:36: input 'x': unknown key 'colour'",
		"5:57: layer 'c1': unknown key 'strdie'; did you mean 'stride'?",
		"6:43: layer 'c2': kernel: '0' is out of range",
		/* c3 takes the broken c2: nothing more to say about it */
		"8:5: layer 'sum': inputs have shapes 32x32x32 and 16x16x32; add needs equal shapes",
		"9:12: layer 'c1': name: 'c1' is already defined at line 5",
		"10:32: layer 'after': input 'later' is not defined before this layer (it is defined at line 11)",
		"11:33: layer 'later': act: 'rleu' is not an activation; did you mean 'relu'?",
	};
	ck_assert_msg(err.count == (int)(sizeof(want) / sizeof(want[0])), "%d messages:\n%s",
		      err.count, ax_err_str(&err));
	const char *p = ax_err_str(&err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *w = ax_xasprintf("%s:%s", path, want[i]);
		const char *q = strstr(p, w);
		ck_assert_msg(q, "expected '%s' after position %td in\n%s", w, p - ax_err_str(&err),
			      ax_err_str(&err));
		p = q + strlen(w);
		free(w);
	}
	ax_net_release(&net);
	ax_err_release(&err);
	free(path);
}
END_TEST

START_TEST(test_yaml_missing_file)
{
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	char *path = ax_tmp("does-not-exist.yaml");
	ck_assert_int_eq(ax_net_load_yaml(&net, path, &err), AX_EIO);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "cannot open"));
	ck_assert_uint_eq(net.n_layers, 0);
	ax_net_release(&net);
	ax_err_release(&err);
	free(path);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("infer");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_dyn_matmul);
	tcase_add_test(tc, test_tokens_const_embed);
	tcase_add_test(tc, test_relayout);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_conv);
	tcase_add_test(tc, test_conv_stride_pad_dilation);
	tcase_add_test(tc, test_depthwise_and_groups);
	tcase_add_test(tc, test_pad_same);
	tcase_add_test(tc, test_dense);
	tcase_add_test(tc, test_pools);
	tcase_add_test(tc, test_eltwise_broadcast);
	tcase_add_test(tc, test_concat_slice_split);
	tcase_add_test(tc, test_resize_act_softmax);
	tcase_add_test(tc, test_all_ops_file);
	tcase_add_test(tc, test_doc_example);
	tcase_add_test(tc, test_layout_weights);
	tcase_add_test(tc, test_default_outputs);
	tcase_add_test(tc, test_overflow_guards);
	tcase_add_test(tc, test_infer_errors);
	tcase_add_test(tc, test_infer_positions);
	suite_add_tcase(s, tc);
	tc = tcase_create("yaml");
	tcase_add_loop_test(tc, test_yaml_errors, 0, (int)(sizeof(bad_yaml) / sizeof(bad_yaml[0])));
	tcase_add_test(tc, test_yaml_all_errors);
	tcase_add_test(tc, test_yaml_missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ax_check_run(net_suite());
}
