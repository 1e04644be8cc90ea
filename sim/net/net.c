/*
 * net.c - the network graph: building, shape inference, derived figures and
 * the op / activation name tables.  The rules are those of
 * docs/network-format.md; every product is computed in uint64 and either
 * bounded by a check or saturated, so no input can make it wrap.
 */
#include "net.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ydoc.h"

/* ---- lifecycle ---- */

void ax_net_init(struct ax_net *net)
{
	memset(net, 0, sizeof(*net));
}

void ax_net_release(struct ax_net *net)
{
	for (size_t i = 0; i < net->n_layers; i++)
		free(net->layers[i].name);
	free(net->layers);
	free(net->weight_data);
	free(net->name);
	free(net->source);
	ax_net_init(net);
}

struct ax_layer *ax_net_add_layer(struct ax_net *net, const char *name, enum ax_op op)
{
	AX_ASSERT(name);
	AX_GROW(net->layers, net->cap_layers, net->n_layers + 1);
	struct ax_layer *l = &net->layers[net->n_layers++];
	memset(l, 0, sizeof(*l));
	l->name = ax_xstrdup(name);
	l->op = op;
	return l;
}

long ax_net_find(const struct ax_net *net, const char *name)
{
	for (size_t i = 0; i < net->n_layers; i++)
		if (net->layers[i].name && !strcmp(net->layers[i].name, name))
			return (long)i;
	return -1;
}

/* ---- names ---- */

static const char *const op_names[AX_OP_COUNT] = {
	[AX_OP_INPUT] = "input",
	[AX_OP_CONV] = "conv",
	[AX_OP_DENSE] = "dense",
	[AX_OP_MAXPOOL] = "maxpool",
	[AX_OP_AVGPOOL] = "avgpool",
	[AX_OP_GLOBALPOOL] = "global_avgpool",
	[AX_OP_ADD] = "add",
	[AX_OP_MUL] = "mul",
	[AX_OP_CONCAT] = "concat",
	[AX_OP_SLICE] = "slice",
	[AX_OP_RESIZE] = "resize",
	[AX_OP_ACT] = "act",
	[AX_OP_SOFTMAX] = "softmax",
	[AX_OP_MATMUL] = "dyn_matmul",
	[AX_OP_CONST] = "const",
	[AX_OP_EMBED] = "embed",
	[AX_OP_RELAYOUT] = "relayout",
};

static const char *const axis_names[AX_AXIS_COUNT] = {
	[AX_AXIS_CHANNELS] = "channels",
	[AX_AXIS_PIXELS] = "pixels",
};

static const struct {
	const char *name;
	enum ax_op op;
} op_aliases[] = {
	{ "fc", AX_OP_DENSE },
	{ "matmul", AX_OP_DENSE },
	{ "gap", AX_OP_GLOBALPOOL },
	{ "upsample", AX_OP_RESIZE },
};

static const char *const act_names[AX_ACT_COUNT] = {
	[AX_ACT_NONE] = "none",
	[AX_ACT_RELU] = "relu",
	[AX_ACT_RELU6] = "relu6",
	[AX_ACT_SILU] = "silu",
	[AX_ACT_SIGMOID] = "sigmoid",
	[AX_ACT_HARDSWISH] = "hardswish",
	[AX_ACT_LEAKY_RELU] = "leaky_relu",
	[AX_ACT_GELU] = "gelu",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *ax_op_name(enum ax_op op)
{
	return (unsigned)op < AX_OP_COUNT ? op_names[op] : "?";
}

const char *ax_axis_name(enum ax_axis axis)
{
	return (unsigned)axis < AX_AXIS_COUNT ? axis_names[axis] : "?";
}

const char *ax_act_name(enum ax_act act)
{
	return (unsigned)act < AX_ACT_COUNT ? act_names[act] : "?";
}

int ax_op_parse(const char *s)
{
	for (int i = 0; i < AX_OP_COUNT; i++)
		if (!strcmp(s, op_names[i]))
			return i;
	for (size_t i = 0; i < N_ELEMS(op_aliases); i++)
		if (!strcmp(s, op_aliases[i].name))
			return (int)op_aliases[i].op;
	return -1;
}

int ax_act_parse(const char *s)
{
	for (int i = 0; i < AX_ACT_COUNT; i++)
		if (!strcmp(s, act_names[i]))
			return i;
	return -1;
}

const char *ax_op_suggest(const char *s, const char *extra)
{
	const char *all[AX_OP_COUNT + N_ELEMS(op_aliases) + 1];
	size_t n = 0;
	if (extra)
		all[n++] = extra;
	for (int i = 0; i < AX_OP_COUNT; i++)
		all[n++] = op_names[i];
	for (size_t i = 0; i < N_ELEMS(op_aliases); i++)
		all[n++] = op_aliases[i].name;
	return ax_suggest(s, all, n);
}

const char *ax_act_suggest(const char *s)
{
	return ax_suggest(s, act_names, AX_ACT_COUNT);
}

int ax_layer_name_ok(const char *name)
{
	if (!name || !*name)
		return 0;
	for (const char *p = name; *p; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' || c == '.' ||
			 c == '/' || c == ':' || c == '-';
		if (!ok)
			return 0;
	}
	return 1;
}

/* ---- saturating arithmetic ---- */

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	if (a && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* ---- derived figures ---- */

uint64_t ax_shape_bytes(struct ax_shape s)
{
	return sat_mul(sat_mul(s.h, s.w), s.c);
}

static const struct ax_shape *first_input(const struct ax_net *net, const struct ax_layer *l)
{
	if (l->n_in == 0 || l->in[0] >= net->n_layers)
		return NULL;
	return &net->layers[l->in[0]].out;
}

uint32_t ax_layer_cin(const struct ax_net *net, const struct ax_layer *l)
{
	const struct ax_shape *s = first_input(net, l);
	if (!s)
		return 0;
	if (l->op == AX_OP_DENSE) {
		uint64_t n = ax_shape_bytes(*s);
		return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	}
	return s->c;
}

/* Number of int8 weights (without biases) of a conv or dense layer. */
static uint64_t weight_count(const struct ax_net *net, const struct ax_layer *l)
{
	uint64_t cin = ax_layer_cin(net, l);
	if (l->op == AX_OP_CONV) {
		if (!l->groups)
			return 0;
		return sat_mul(sat_mul(sat_mul(l->kh, l->kw), cin / l->groups), l->cout);
	}
	if (l->op == AX_OP_DENSE)
		return sat_mul(cin, l->cout);
	if (l->op == AX_OP_CONST)
		return ax_shape_bytes(l->out) / (l->repeat > 1 ? l->repeat : 1);
	if (l->op == AX_OP_EMBED)
		return sat_mul(l->rows, l->cout);
	return 0;
}

/* Layers with a block in the weight section. */
static int has_weights(const struct ax_layer *l)
{
	return l->op == AX_OP_CONV || l->op == AX_OP_DENSE || l->op == AX_OP_CONST ||
	       l->op == AX_OP_EMBED;
}

uint64_t ax_layer_runtime_weights(const struct ax_net *net, const struct ax_layer *l)
{
	if (l->op != AX_OP_MATMUL || !l->groups)
		return 0;
	return sat_mul(ax_layer_cin(net, l) / l->groups, l->cout);
}

uint64_t ax_layer_macs(const struct ax_net *net, const struct ax_layer *l)
{
	if (l->op == AX_OP_MATMUL)
		return sat_mul(sat_mul(l->out.h, l->out.w), ax_layer_runtime_weights(net, l));
	if (l->op == AX_OP_CONV)
		return sat_mul(sat_mul(l->out.h, l->out.w), weight_count(net, l));
	if (l->op == AX_OP_DENSE)
		return weight_count(net, l);
	return 0;
}

uint64_t ax_layer_params(const struct ax_net *net, const struct ax_layer *l)
{
	if (!has_weights(l) || (l->op == AX_OP_CONST && l->buffer))
		return 0;
	if (l->op == AX_OP_CONV && l->runtime)
		return l->has_bias ? l->cout : 0;
	return sat_add(weight_count(net, l), l->has_bias ? l->cout : 0);
}

uint64_t ax_layer_weight_size(const struct ax_net *net, const struct ax_layer *l)
{
	if (!has_weights(l))
		return 0;
	return sat_add(weight_count(net, l), l->has_bias ? sat_mul(AX_BIAS_BYTES, l->cout) : 0);
}

uint64_t ax_net_macs(const struct ax_net *net)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < net->n_layers; i++)
		sum = sat_add(sum, ax_layer_macs(net, &net->layers[i]));
	return sum;
}

uint64_t ax_net_params(const struct ax_net *net)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < net->n_layers; i++)
		sum = sat_add(sum, ax_layer_params(net, &net->layers[i]));
	return sum;
}

uint64_t ax_net_layout_weights(struct ax_net *net)
{
	uint64_t end = 0;
	for (size_t i = 0; i < net->n_layers; i++) {
		struct ax_layer *l = &net->layers[i];
		l->weight_offset = l->weight_bytes = 0;
		if (!has_weights(l))
			continue;
		uint64_t off = sat_add(end, 63) & ~(uint64_t)63;
		uint64_t size = ax_layer_weight_size(net, l);
		if (end == UINT64_MAX || off > UINT64_MAX - size) {
			end = UINT64_MAX;
			continue;
		}
		l->weight_offset = off;
		l->weight_bytes = size;
		end = off + size;
	}
	return end;
}

/* ---- shape inference ---- */

struct infer {
	const struct ax_net *net;
	const struct ax_layer *l;
	const char *where;
	struct ax_err *err;
	int problems;
};

static void problem(struct infer *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct infer *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = ax_xvasprintf(fmt, ap);
	va_end(ap);
	ax_err_add(c->err, "%slayer '%s': %s", c->where, c->l->name, msg);
	free(msg);
	c->problems++;
}

static int in_range(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi;
}

static int shape_eq(struct ax_shape a, struct ax_shape b)
{
	return a.h == b.h && a.w == b.w && a.c == b.c;
}

/* Output height and width of a sliding window (conv, maxpool, avgpool). */
static int window(struct infer *c, struct ax_shape in, uint32_t *oh, uint32_t *ow)
{
	const struct ax_layer *l = c->l;
	int before = c->problems;
	if (!in_range(l->kh, 1, AX_MAX_KERNEL) || !in_range(l->kw, 1, AX_MAX_KERNEL))
		problem(c, "kernel %ux%u is out of range; expected 1 to %d", l->kh, l->kw, AX_MAX_KERNEL);
	if (!in_range(l->sh, 1, AX_MAX_KERNEL) || !in_range(l->sw, 1, AX_MAX_KERNEL))
		problem(c, "stride %ux%u is out of range; expected 1 to %d", l->sh, l->sw, AX_MAX_KERNEL);
	if (!in_range(l->dh, 1, AX_MAX_KERNEL) || !in_range(l->dw, 1, AX_MAX_KERNEL))
		problem(c, "dilation %ux%u is out of range; expected 1 to %d", l->dh, l->dw, AX_MAX_KERNEL);
	if (c->problems != before)
		return AX_EINPUT;
	/* extent of the dilated kernel: at most 63 * 64 + 1 */
	uint64_t ekh = (uint64_t)l->dh * (l->kh - 1) + 1;
	uint64_t ekw = (uint64_t)l->dw * (l->kw - 1) + 1;
	if (l->pad_t >= ekh || l->pad_b >= ekh || l->pad_l >= ekw || l->pad_r >= ekw) {
		problem(c, "pad %u,%u,%u,%u (top, left, bottom, right) is too large; expected each "
			"smaller than the kernel extent %llux%llu",
			l->pad_t, l->pad_l, l->pad_b, l->pad_r,
			(unsigned long long)ekh, (unsigned long long)ekw);
		return AX_EINPUT;
	}
	uint64_t ph = (uint64_t)in.h + l->pad_t + l->pad_b;
	uint64_t pw = (uint64_t)in.w + l->pad_l + l->pad_r;
	if (ph < ekh || pw < ekw) {
		problem(c, "kernel extent %llux%llu does not fit in the padded input %llux%llu",
			(unsigned long long)ekh, (unsigned long long)ekw,
			(unsigned long long)ph, (unsigned long long)pw);
		return AX_EINPUT;
	}
	uint64_t h = (ph - ekh) / l->sh + 1, w = (pw - ekw) / l->sw + 1;
	if (h > AX_MAX_DIM || w > AX_MAX_DIM) {
		problem(c, "output %llux%llu is too large; expected at most %d", (unsigned long long)h,
			(unsigned long long)w, AX_MAX_DIM);
		return AX_EINPUT;
	}
	*oh = (uint32_t)h;
	*ow = (uint32_t)w;
	return AX_OK;
}

static void check_bias(struct infer *c)
{
	if (c->l->has_bias > 1)
		problem(c, "has_bias %u is out of range; expected 0 or 1", c->l->has_bias);
}

static void check_cout(struct infer *c)
{
	if (!in_range(c->l->cout, 1, AX_MAX_DIM))
		problem(c, "out %u is out of range; expected 1 to %d", c->l->cout, AX_MAX_DIM);
}

static void check_weights(struct infer *c)
{
	uint64_t n = ax_layer_weight_size(c->net, c->l);
	if (n > AX_MAX_WEIGHT_BYTES)
		problem(c, "%llu weight bytes are too many; expected at most %llu",
			(unsigned long long)n, (unsigned long long)AX_MAX_WEIGHT_BYTES);
}

static void shape_str(char *buf, size_t n, struct ax_shape s)
{
	snprintf(buf, n, "%ux%ux%u", s.h, s.w, s.c);
}

/* docs/network-format.md "dyn_matmul": A (H x W x groups*K) times B per head. */
static void infer_matmul(struct infer *c, struct ax_shape a, struct ax_shape b, struct ax_shape *out)
{
	const struct ax_layer *l = c->l;
	char sa[64], sb[64];
	check_cout(c);
	if (l->has_bias)
		problem(c, "has_bias %u on a dyn_matmul; expected 0 (it has no weights of its own)",
			l->has_bias);
	if (l->trans_b > 1)
		problem(c, "trans_b %u is out of range; expected 0 or 1", l->trans_b);
	if (!in_range(l->groups, 1, a.c)) {
		problem(c, "heads %u are out of range; expected 1 to %u (the channels of the first input)",
			l->groups, a.c);
		return;
	}
	if (a.c % l->groups || l->cout % l->groups) {
		problem(c, "heads %u do not divide the first input's %u channels and the %u output "
			"channels", l->groups, a.c, l->cout);
		return;
	}
	if (c->problems)
		return;
	uint64_t k = a.c / l->groups, n = l->cout / l->groups, rows = (uint64_t)b.h * b.w;
	shape_str(sa, sizeof(sa), a);
	shape_str(sb, sizeof(sb), b);
	if (!l->trans_b && (rows != k || b.c != l->cout))
		problem(c, "inputs have shapes %s and %s; with %u heads and %u outputs, the second "
			"must hold %llu pixels (K) of %u channels", sa, sb, l->groups, l->cout,
			(unsigned long long)k, l->cout);
	else if (l->trans_b && (rows != n || b.c != a.c))
		problem(c, "inputs have shapes %s and %s; with trans_b, %u heads and %u outputs, the "
			"second must hold %llu pixels (N) of %u channels", sa, sb, l->groups, l->cout,
			(unsigned long long)n, a.c);
	out->h = a.h;
	out->w = a.w;
	out->c = l->cout;
}

/* docs/network-format.md "concat": along the channels, inputs of equal
 * height and width side by side; along the pixels, inputs of equal channels
 * one after another, as tokens (1 x the pixels of all x C). */
static struct ax_shape infer_concat(struct infer *c, struct ax_net *net)
{
	const struct ax_layer *l = c->l;
	struct ax_shape in = net->layers[l->in[0]].out, out = in;
	int px = l->axis == AX_AXIS_PIXELS;
	uint64_t sum = 0;
	char a[64], b[64];
	for (uint32_t j = 0; j < l->n_in; j++) {
		struct ax_shape s = net->layers[l->in[j]].out;
		sum += px ? (uint64_t)s.h * s.w : s.c;
		if (px ? s.c == in.c : s.h == in.h && s.w == in.w)
			continue;
		shape_str(a, sizeof(a), in);
		shape_str(b, sizeof(b), s);
		problem(c, "inputs have shapes %s and %s; %s", a, b,
			px ? "a concat of pixels needs equal channels"
			   : "concat needs equal heights and widths");
	}
	if (sum > AX_MAX_DIM)
		problem(c, "concatenated %s %llu are too many; expected at most %d",
			px ? "pixels" : "channels", (unsigned long long)sum, AX_MAX_DIM);
	if (px) {
		out.h = 1;
		out.w = (uint32_t)sum;
	} else {
		out.c = (uint32_t)sum;
	}
	return out;
}

static struct ax_shape infer_op(struct infer *c, struct ax_net *net)
{
	const struct ax_layer *l = c->l;
	struct ax_shape in = net->layers[l->in[0]].out, out = { 0, 0, 0 };
	char a[64], b[64];
	int before = c->problems;

	switch (l->op) {
	case AX_OP_CONV:
		check_cout(c);
		check_bias(c);
		if (!in_range(l->groups, 1, in.c)) {
			problem(c, "groups %u is out of range; expected 1 to %u (the input channels)",
				l->groups, in.c);
		} else {
			if (in.c % l->groups)
				problem(c, "groups %u does not divide the %u input channels", l->groups, in.c);
			if (l->cout && l->cout % l->groups)
				problem(c, "groups %u does not divide the %u output channels", l->groups, l->cout);
		}
		if (window(c, in, &out.h, &out.w) == AX_OK)
			out.c = l->cout;
		if (c->problems == before)
			check_weights(c);
		break;
	case AX_OP_DENSE:
		check_cout(c);
		check_bias(c);
		if (ax_shape_bytes(in) > UINT32_MAX) {
			shape_str(a, sizeof(a), in);
			problem(c, "flattened input %s has too many values; expected at most %u",
				a, UINT32_MAX);
		}
		if (c->problems == before)
			check_weights(c);
		out.h = out.w = 1;
		out.c = l->cout;
		break;
	case AX_OP_MAXPOOL:
	case AX_OP_AVGPOOL:
		if (window(c, in, &out.h, &out.w) == AX_OK)
			out.c = in.c;
		break;
	case AX_OP_GLOBALPOOL:
		out.h = out.w = 1;
		out.c = in.c;
		break;
	case AX_OP_ADD:
	case AX_OP_MUL:
		for (uint32_t j = 1; j < l->n_in; j++) {
			struct ax_shape s = net->layers[l->in[j]].out;
			if (shape_eq(s, in))
				continue;
			if (l->op == AX_OP_MUL && j == 1 && s.h == 1 && s.w == 1 && s.c == in.c)
				continue;
			shape_str(a, sizeof(a), in);
			shape_str(b, sizeof(b), s);
			if (l->op == AX_OP_ADD)
				problem(c, "inputs have shapes %s and %s; add needs equal shapes", a, b);
			else
				problem(c, "inputs have shapes %s and %s; mul needs equal shapes "
					"or a 1x1x%u second input", a, b, in.c);
		}
		out = in;
		break;
	case AX_OP_CONCAT: {
		if (l->axis >= AX_AXIS_COUNT) {
			problem(c, "axis %u is out of range; expected 0 (channels) or 1 (pixels)", l->axis);
			break;
		}
		out = infer_concat(c, net);
		break;
	}
	case AX_OP_SLICE:
		if (l->axis >= AX_AXIS_COUNT) {
			problem(c, "axis %u is out of range; expected 0 (channels) or 1 (pixels)", l->axis);
			break;
		}
		if (l->axis == AX_AXIS_PIXELS) {
			uint64_t px = (uint64_t)in.h * in.w;
			if (l->slice_start >= l->slice_end || l->slice_end > px)
				problem(c, "slice [%u, %u) is not within the %llu input pixels; expected "
					"start < end <= %llu", l->slice_start, l->slice_end,
					(unsigned long long)px, (unsigned long long)px);
			out.h = 1;
			out.w = l->slice_end - l->slice_start;
			out.c = in.c;
			break;
		}
		if (l->slice_start >= l->slice_end || l->slice_end > in.c)
			problem(c, "slice [%u, %u) is not within the %u input channels; expected "
				"start < end <= %u", l->slice_start, l->slice_end, in.c, in.c);
		out = in;
		out.c = l->slice_end - l->slice_start;
		break;
	case AX_OP_RESIZE:
		if (!in_range(l->scale, 1, AX_MAX_KERNEL)) {
			problem(c, "scale %u is out of range; expected 1 to %d", l->scale, AX_MAX_KERNEL);
			break;
		}
		if ((uint64_t)in.h * l->scale > AX_MAX_DIM || (uint64_t)in.w * l->scale > AX_MAX_DIM) {
			problem(c, "output %llux%llu is too large; expected at most %d",
				(unsigned long long)in.h * l->scale, (unsigned long long)in.w * l->scale,
				AX_MAX_DIM);
			break;
		}
		out.h = in.h * l->scale;
		out.w = in.w * l->scale;
		out.c = in.c;
		break;
	case AX_OP_ACT:
	case AX_OP_SOFTMAX:
		out = in;
		break;
	case AX_OP_MATMUL:
		infer_matmul(c, in, net->layers[l->in[1]].out, &out);
		break;
	case AX_OP_EMBED:
		check_cout(c);
		if (in.c != 1) {
			shape_str(a, sizeof(a), in);
			problem(c, "input %s holds %u values per pixel; expected one index per pixel", a, in.c);
		}
		if (!in_range(l->rows, 1, UINT32_MAX))
			problem(c, "rows 0 is out of range; expected 1 or more");
		if (c->problems == before)
			check_weights(c);
		out.h = in.h;
		out.w = in.w;
		out.c = l->cout;
		break;
	case AX_OP_RELAYOUT: {
		/* each output element is one element of the input, read once; a
		 * strided gather may leave input elements out */
		uint64_t n_out = ax_shape_bytes(l->to), n_in = ax_shape_bytes(in);
		shape_str(b, sizeof(b), l->to);
		if (!in_range(l->to.h, 1, AX_MAX_DIM) || !in_range(l->to.w, 1, AX_MAX_DIM) ||
		    !in_range(l->to.c, 1, AX_MAX_DIM)) {
			problem(c, "shape %s is out of range; expected each dimension from 1 to %d", b,
				AX_MAX_DIM);
			break;
		}
		if (n_out > n_in) {
			shape_str(a, sizeof(a), in);
			problem(c, "shape %s holds %llu values, more than the %llu of input %s; expected "
				"at most as many", b, (unsigned long long)n_out, (unsigned long long)n_in, a);
			break;
		}
		out = l->to;
		break;
	}
	case AX_OP_CONST:
	case AX_OP_INPUT:
	case AX_OP_COUNT:
		AX_BUG("infer_op called for op %d", (int)l->op);
	}
	if (c->problems != before) {
		struct ax_shape zero = { 0, 0, 0 };
		return zero;
	}
	return out;
}

static int infer_layer(struct ax_net *net, size_t i, const char *where, struct ax_err *err)
{
	struct ax_layer *l = &net->layers[i];
	struct infer c = { .net = net, .l = l, .where = where, .err = err };

	if ((unsigned)l->op >= AX_OP_COUNT) {
		problem(&c, "op %u is out of range; expected 0 to %d", (unsigned)l->op, AX_OP_COUNT - 1);
		return AX_EINPUT;
	}
	if ((unsigned)l->act >= AX_ACT_COUNT)
		problem(&c, "act %u is out of range; expected 0 to %d", (unsigned)l->act, AX_ACT_COUNT - 1);
	else if (l->act == AX_ACT_LEAKY_RELU && (l->act_alpha_milli < 0 || l->act_alpha_milli > 1000))
		problem(&c, "leaky_relu alpha %d/1000 is out of range; expected 0 to 1000/1000",
			(int)l->act_alpha_milli);
	if (l->is_output > 1)
		problem(&c, "is_output %u is out of range; expected 0 or 1", l->is_output);

	if (l->op == AX_OP_INPUT || l->op == AX_OP_CONST) {
		if (l->n_in)
			problem(&c, "%s layer has %u inputs; expected none",
				l->op == AX_OP_CONST ? "a const" : "an input", l->n_in);
		if (!in_range(l->out.h, 1, AX_MAX_DIM) || !in_range(l->out.w, 1, AX_MAX_DIM) ||
		    !in_range(l->out.c, 1, AX_MAX_DIM))
			problem(&c, "shape %ux%ux%u is out of range; expected each dimension from 1 to %d",
				l->out.h, l->out.w, l->out.c, AX_MAX_DIM);
		if (l->op == AX_OP_CONST && l->repeat > 1 && ax_shape_bytes(l->out) % l->repeat)
			problem(&c, "repeat %u does not divide the %llu values of shape %ux%ux%u", l->repeat,
				(unsigned long long)ax_shape_bytes(l->out), l->out.h, l->out.w, l->out.c);
		if (l->op == AX_OP_CONST && l->buffer > 1)
			problem(&c, "buffer %u is out of range; expected 0 or 1", l->buffer);
		if (l->op == AX_OP_CONST && !c.problems)
			check_weights(&c);
		return c.problems ? AX_EINPUT : AX_OK;
	}

	memset(&l->out, 0, sizeof(l->out));
	const char *opn = ax_op_name(l->op);
	if (l->n_in == 0 || l->n_in > AX_MAX_INPUTS) {
		problem(&c, "%s has %u inputs; expected 1 to %d", opn, l->n_in, AX_MAX_INPUTS);
		return AX_EINPUT;
	}
	for (uint32_t j = 0; j < l->n_in; j++)
		if (l->in[j] >= i)
			problem(&c, "input %u refers to layer %u; expected a layer before this one (%zu)",
				j, l->in[j], i);
	if (c.problems)
		return AX_EINPUT;

	int multi = l->op == AX_OP_ADD || l->op == AX_OP_MUL || l->op == AX_OP_CONCAT;
	if (multi && l->n_in < 2)
		problem(&c, "%s needs two or more inputs, found %u", opn, l->n_in);
	if (l->op == AX_OP_MATMUL && l->n_in != 2)
		problem(&c, "%s takes two inputs, found %u", opn, l->n_in);
	if (!multi && l->op != AX_OP_MATMUL && l->n_in != 1)
		problem(&c, "%s takes one input, found %u", opn, l->n_in);
	if (l->op == AX_OP_ACT && l->act == AX_ACT_NONE)
		problem(&c, "act 'none' for an act layer; expected an activation");
	if (c.problems)
		return AX_EINPUT;

	/* an input whose own inference failed has already been reported */
	for (uint32_t j = 0; j < l->n_in; j++)
		if (net->layers[l->in[j]].out.c == 0)
			return AX_EINPUT;

	l->out = infer_op(&c, net);
	return c.problems ? AX_EINPUT : AX_OK;
}

int ax_net_infer_layer(struct ax_net *net, size_t i, const char *where, struct ax_err *err)
{
	AX_ASSERT(i < net->n_layers);
	const struct ax_layer *l = &net->layers[i];
	char *pfx = NULL;
	if (!where) {
		if (net->source && l->line > 0)
			pfx = ax_xasprintf("%s:%d:%d: ", net->source, l->line, l->col);
		else if (net->source)
			pfx = ax_xasprintf("%s: ", net->source);
		else
			pfx = ax_xstrdup("");
		where = pfx;
	}
	int rc = infer_layer(net, i, where, err);
	free(pfx);
	return rc;
}

void ax_net_mark_outputs(struct ax_net *net)
{
	for (size_t i = 0; i < net->n_layers; i++)
		if (net->layers[i].is_output)
			return;
	char *used = ax_xcalloc(net->n_layers, 1);
	for (size_t i = 0; i < net->n_layers; i++) {
		const struct ax_layer *l = &net->layers[i];
		for (uint32_t j = 0; j < l->n_in && j < AX_MAX_INPUTS; j++)
			if (l->in[j] < net->n_layers)
				used[l->in[j]] = 1;
	}
	for (size_t i = 0; i < net->n_layers; i++)
		net->layers[i].is_output = !used[i];
	free(used);
}

int ax_net_infer(struct ax_net *net, struct ax_err *err)
{
	const char *src = net->source ? net->source : "", *colon = net->source ? ": " : "";
	if (net->n_layers == 0)
		return ax_err_add(err, "%s%sthe network has no layers; expected at least one input",
				  src, colon);
	if (net->n_layers > AX_MAX_LAYERS)
		return ax_err_add(err, "%s%sthe network has %zu layers; expected at most %d", src,
				  colon, net->n_layers, AX_MAX_LAYERS);
	int rc = AX_OK;
	for (size_t i = 0; i < net->n_layers; i++)
		if (ax_net_infer_layer(net, i, NULL, err))
			rc = AX_EINPUT;
	if (rc == AX_OK)
		ax_net_mark_outputs(net);
	return rc;
}

size_t ax_net_operators(const struct ax_net *net)
{
	size_t n = 0;
	for (size_t i = 0; i < net->n_layers; i++)
		n += net->layers[i].op != AX_OP_INPUT;
	return n;
}
