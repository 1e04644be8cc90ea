/*
 * onnx_layer.c - the layers the ONNX importer emits and the pending
 * per-channel steps (affine, activation) on their outputs, folded or fused
 * where a consumer allows (docs/onnx-import.md).
 */
#include "onnx_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- layers ---- */

static struct src *src_alloc(struct ox *ox, enum skind kind)
{
	struct src *s = ax_xcalloc(1, sizeof(*s));
	s->kind = kind;
	s->layer = -1;
	s->node = ox->cur;
	s->next = ox->srcs;
	ox->srcs = s;
	return s;
}

/* Appends a layer named after node (and suffix), unique; -1 when the
 * network is full. */
long emit(struct ox *ox, const char *lab, const char *suffix, enum ax_op op)
{
	if (ox->net->n_layers >= AX_MAX_LAYERS) {
		bad(ox, "the model needs more than %d layers", AX_MAX_LAYERS);
		return -1;
	}
	char name[256];
	size_t n = 0;
	for (const char *p = lab; *p && n < 180; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '_' || c == '.' || c == '/' || c == ':' || c == '-';
		name[n++] = ok ? c : '_';
	}
	if (!n)
		name[n++] = 'x';
	snprintf(name + n, sizeof(name) - n, "%s", suffix);
	if (htab_get(&ox->lt, name) >= 0) {
		size_t base = strlen(name);
		for (unsigned k = 2;; k++) {
			snprintf(name + base, sizeof(name) - base, "_%u", k);
			if (htab_get(&ox->lt, name) < 0)
				break;
		}
	}
	long i = (long)ox->net->n_layers;
	struct ax_layer *l = ax_net_add_layer(ox->net, name, op);
	htab_put(&ox->lt, l->name, i);
	AX_GROW(ox->ld, ox->cap_ld, ox->net->n_layers);
	AX_GROW(ox->raw, ox->cap_raw, ox->net->n_layers);
	memset(&ox->ld[i], 0, sizeof(ox->ld[i]));
	ox->ld[i].alias = -1;
	ox->raw[i] = NULL;
	return i;
}

void set_in(struct ox *ox, long i, long in0)
{
	L(ox, i)->n_in = 1;
	L(ox, i)->in[0] = (uint32_t)in0;
}

void set_window(struct ax_layer *l, uint32_t kh, uint32_t kw, uint32_t sh, uint32_t sw,
		const int64_t *pads, uint32_t dh, uint32_t dw)
{
	l->kh = kh;
	l->kw = kw;
	l->sh = sh;
	l->sw = sw;
	l->pad_t = (uint32_t)pads[0];
	l->pad_l = (uint32_t)pads[1];
	l->pad_b = (uint32_t)pads[2];
	l->pad_r = (uint32_t)pads[3];
	l->dh = dh;
	l->dw = dw;
}

/* Infers layer i's shape and gives it its raw src. */
int finish(struct ox *ox, long i)
{
	struct ax_err e;
	ax_err_init(&e);
	int rc = ax_net_infer_layer(ox->net, (size_t)i, "", &e);
	if (rc) {
		const char *msg = ax_err_str(&e);
		const char *nl = strchr(msg, '\n');
		unsup(ox, "the %s it maps to does not fit the chip: %.*s", ax_op_name(L(ox, i)->op),
		      (int)(nl ? nl - msg : (long)strlen(msg)), msg);
	}
	ax_err_release(&e);
	if (rc)
		return AX_EINPUT;
	struct src *s = src_alloc(ox, S_RAW);
	s->layer = i;
	s->shape = L(ox, i)->out;
	ox->raw[i] = s;
	return AX_OK;
}

/* The conv layer that takes layer i's per-channel affine and activation. */
static long act_target(const struct ox *ox, long i)
{
	return ox->ld[i].alias >= 0 ? ox->ld[i].alias : i;
}

static int foldable(const struct ox *ox, long i)
{
	const struct ax_layer *l = &ox->net->layers[act_target(ox, i)];
	return (l->op == AX_OP_CONV || l->op == AX_OP_DENSE) && l->act == AX_ACT_NONE;
}

static uint64_t weights_per_out(const struct ox *ox, long i)
{
	const struct ax_layer *l = &ox->net->layers[i];
	uint32_t cin = ax_layer_cin(ox->net, l);
	if (l->op == AX_OP_DENSE)
		return cin;
	return (uint64_t)l->kh * l->kw * (cin / l->groups);
}

static void ensure_bias(struct ox *ox, long i)
{
	if (!ox->ld[i].b)
		ox->ld[i].b = ax_xcalloc(L(ox, i)->cout, sizeof(float));
	L(ox, i)->has_bias = 1;
}

/* y = a[ch] layer_i(x) + b[ch]: scales the weights and biases of output channel ch. */
static void fold_out(struct ox *ox, long i, const float *a, const float *b)
{
	long t = act_target(ox, i);
	uint32_t rep = ox->ld[i].alias >= 0 ? ox->ld[i].alias_rep : 1;
	uint32_t c = L(ox, i)->out.c;
	uint64_t per = weights_per_out(ox, t);
	int any_b = 0;
	for (uint32_t ch = 0; ch < c; ch++)
		any_b |= b[ch] != 0.0f;
	if (any_b)
		ensure_bias(ox, t);
	struct ldata *d = &ox->ld[t];
	for (uint32_t ch = 0; ch < c; ch++)
		for (uint32_t r = 0; r < rep; r++) {
			uint64_t co = (uint64_t)ch * rep + r;
			if (d->w)
				for (uint64_t k = 0; k < per; k++)
					d->w[co * per + k] *= a[ch];
			if (d->b)
				d->b[co] = d->b[co] * a[ch] + b[ch];
		}
}

/* Consumer side: layer i reads x' = a[ch] x + b[ch] for input channel ch
 * (input channel k of the weights is channel map[k] of the vectors). */
void fold_in(struct ox *ox, long i, const float *a, const float *b, const uint32_t *map,
	     uint32_t c0)
{
	struct ldata *d = &ox->ld[i];
	const struct ax_layer *l = L(ox, i);
	uint32_t cin = ax_layer_cin(ox->net, l);
	uint32_t g = l->op == AX_OP_CONV ? l->groups : 1, cing = cin / g;
	uint32_t cog = l->cout / g;
	uint64_t kk = l->op == AX_OP_CONV ? (uint64_t)l->kh * l->kw : 1;
	int any_b = 0;
	for (uint32_t k = 0; k < cin; k++)
		any_b |= b[map ? map[k] : c0 + k] != 0.0f;
	if (any_b && d->w)
		ensure_bias(ox, i);
	if (!d->w)
		return; /* run-time weights: the affine is part of them */
	for (uint32_t co = 0; co < l->cout; co++) {
		uint32_t grp = co / cog;
		double acc = 0;
		float *w = d->w + (uint64_t)co * kk * cing;
		for (uint64_t k = 0; k < kk; k++)
			for (uint32_t ci = 0; ci < cing; ci++) {
				uint32_t in = grp * cing + ci;
				uint32_t ch = map ? map[in] : c0 + in;
				acc += (double)w[k * cing + ci] * b[ch];
				w[k * cing + ci] *= a[ch];
			}
		if (any_b)
			d->b[co] += (float)acc;
	}
}

/* A depthwise 1x1 convolution with bias: y = a[ch] x + b[ch]. */
static long emit_affine(struct ox *ox, const struct src *s, long from)
{
	long i = emit(ox, node_label(ox, s->node), "/affine", AX_OP_CONV);
	if (i < 0)
		return -1;
	uint32_t c = s->shape.c;
	int64_t pads[4] = { 0, 0, 0, 0 };
	set_in(ox, i, from);
	set_window(L(ox, i), 1, 1, 1, 1, pads, 1, 1);
	L(ox, i)->cout = c;
	L(ox, i)->groups = c;
	L(ox, i)->has_bias = 1;
	ox->ld[i].w = ax_xcalloc(c, sizeof(float));
	ox->ld[i].b = ax_xcalloc(c, sizeof(float));
	memcpy(ox->ld[i].w, s->a, c * sizeof(float));
	memcpy(ox->ld[i].b, s->b, c * sizeof(float));
	return finish(ox, i) ? -1 : i;
}

static long emit_act(struct ox *ox, int node, long from, enum ax_act act, int32_t alpha)
{
	long i = emit(ox, node_label(ox, node), "/act", AX_OP_ACT);
	if (i < 0)
		return -1;
	set_in(ox, i, from);
	L(ox, i)->act = act;
	L(ox, i)->act_alpha_milli = act == AX_ACT_LEAKY_RELU ? alpha : 0;
	return finish(ox, i) ? -1 : i;
}

/* Whether y = a x + b on layer i's output is a uniform scale of a product
 * of two activations, which its requantisation applies for nothing. */
static int scales_product(const struct ox *ox, long i, const float *a, const float *b, uint32_t c)
{
	if (ox->net->layers[i].op != AX_OP_MATMUL || ox->net->layers[i].act != AX_ACT_NONE || !c)
		return 0;
	for (uint32_t ch = 0; ch < c; ch++)
		if (a[ch] != a[0] || b[ch] != 0.0f)
			return 0;
	return 1;
}

/* ---- pending steps ---- */

void src_release(struct src *s)
{
	while (s) {
		s->refs--;
		AX_ASSERT(s->refs >= 0);
		if (s->refs > 0 || s->kind == S_RAW || !s->holds)
			return;
		s->holds = 0;
		s = s->parent;
	}
}

void set_act(struct val *out, struct src *s, const struct view *v)
{
	if (!out)
		return;
	out->kind = V_ACT;
	out->s = s;
	out->v = *v;
	out->has_pad = 0;
	s->refs += out->uses;
}

/* The layer holding s's data, materialising pending steps: each folds or
 * fuses into the layer below when nothing else reads that layer, else
 * becomes a layer of its own.  -1 on failure (reported). */
long src_layer(struct ox *ox, struct src *s)
{
	if (s->kind == S_RAW || s->layer >= 0)
		return s->layer;
	long p = src_layer(ox, s->parent);
	if (p < 0)
		return -1;
	struct src *par = s->parent;
	int excl = !par->read && par->refs == (s->holds ? 1 : 0);
	if (s->kind == S_AFFINE) {
		if (excl && scales_product(ox, p, s->a, s->b, s->shape.c)) {
			ox->info.folded++;
			s->layer = p;
			return p;
		}
		if (excl && foldable(ox, p)) {
			fold_out(ox, p, s->a, s->b);
			ox->info.folded++;
			s->layer = p;
			return p;
		}
		long l = emit_affine(ox, s, p);
		if (l < 0)
			return -1;
		par->read = 1;
		ox->info.affine_layers++;
		s->layer = l;
		return l;
	}
	enum ax_act act = s->kind == S_HSW6 ? AX_ACT_HARDSWISH : s->act;
	if (s->kind == S_HSW6 || s->approx || s->hsig)
		ox->info.approximations++;
	long t = act_target(ox, p);
	if (excl && L(ox, t)->op != AX_OP_INPUT && L(ox, t)->act == AX_ACT_NONE) {
		L(ox, t)->act = act;
		L(ox, t)->act_alpha_milli = act == AX_ACT_LEAKY_RELU ? s->alpha_milli : 0;
		ox->info.fused_acts++;
		s->layer = p;
		return p;
	}
	long l = emit_act(ox, s->node, p, act, s->alpha_milli);
	if (l < 0)
		return -1;
	par->read = 1;
	s->layer = l;
	return l;
}

struct src *step_new(struct ox *ox, enum skind kind, struct src *parent)
{
	/* a long chain of pending steps is materialised from below */
	if (parent->kind != S_RAW && parent->layer < 0 && parent->depth >= MAX_STEP_DEPTH)
		src_layer(ox, parent);
	struct src *s = src_alloc(ox, kind);
	s->parent = parent;
	s->holds = 1;
	parent->refs++;
	s->depth = (parent->kind == S_RAW || parent->layer >= 0) ? 1 : parent->depth + 1;
	s->shape = parent->shape;
	return s;
}

int is_scalar_vec(const float *v, uint32_t n, float want, float tol)
{
	for (uint32_t i = 0; i < n; i++)
		if (fabsf(v[i] - want) > tol)
			return 0;
	return 1;
}

/* out = a[ch] x + b[ch] (a, b: heap vectors over the channels of x's
 * layer, taken over). */
int apply_affine(struct ox *ox, const struct val *x, float *a, float *b, struct val *out)
{
	struct src *s = x->s;
	uint32_t c = s->shape.c;
	if (is_scalar_vec(a, c, 1.0f, 0.0f) && is_scalar_vec(b, c, 0.0f, 0.0f)) {
		free(a);
		free(b);
		set_act(out, s, &x->v);
		return AX_OK;
	}
	/* a pending affine used only here: compose */
	if (s->kind == S_AFFINE && s->layer < 0 && s->refs == 1) {
		for (uint32_t ch = 0; ch < c; ch++) {
			b[ch] = a[ch] * s->b[ch] + b[ch];
			a[ch] = a[ch] * s->a[ch];
		}
		s = s->parent;
	}
	/* x * relu6(x + 3), then / 6: hard-swish */
	if (s->kind == S_HSW6 && s->layer < 0 && s->refs == 1 &&
	    is_scalar_vec(a, c, 1.0f / 6, 1e-4f) && is_scalar_vec(b, c, 0.0f, 0.0f)) {
		free(a);
		free(b);
		struct src *ns = step_new(ox, S_ACT, s->parent);
		ns->act = AX_ACT_HARDSWISH;
		set_act(out, ns, &x->v);
		return AX_OK;
	}
	/* a scale of a product of two activations (attention's 1 / sqrt d):
	 * part of its requantisation */
	if (s->kind == S_RAW && !s->read && s->refs == 1 && scales_product(ox, s->layer, a, b, c)) {
		ox->info.folded++;
		free(a);
		free(b);
		set_act(out, s, &x->v);
		return AX_OK;
	}
	/* into the producing convolution, now, when nothing else reads it */
	if (s->kind == S_RAW && !s->read && s->refs == 1 && foldable(ox, s->layer)) {
		fold_out(ox, s->layer, a, b);
		ox->info.folded++;
		free(a);
		free(b);
		set_act(out, s, &x->v);
		return AX_OK;
	}
	struct src *ns = step_new(ox, S_AFFINE, s);
	ns->a = a;
	ns->b = b;
	set_act(out, ns, &x->v);
	return AX_OK;
}

/* out = act(x), fused into the producing layer now when nothing else reads it. */
int apply_act(struct ox *ox, const struct val *x, enum ax_act act, int32_t alpha_milli,
	      int approx, struct val *out)
{
	struct src *s = x->s;
	if (s->kind == S_RAW && !s->read && s->refs == 1) {
		long t = act_target(ox, s->layer);
		if (L(ox, t)->op != AX_OP_INPUT && L(ox, t)->act == AX_ACT_NONE) {
			L(ox, t)->act = act;
			L(ox, t)->act_alpha_milli = act == AX_ACT_LEAKY_RELU ? alpha_milli : 0;
			ox->info.fused_acts++;
			ox->info.approximations += approx != 0;
			set_act(out, s, &x->v);
			return AX_OK;
		}
	}
	struct src *ns = step_new(ox, S_ACT, s);
	ns->act = act;
	ns->alpha_milli = alpha_milli;
	ns->approx = approx;
	set_act(out, ns, &x->v);
	return AX_OK;
}

/* A slice layer of channels (or pixels, axis) [c0, c0 + e) of layer from, made once. */
static long slice_layer(struct ox *ox, long from, uint32_t axis, uint32_t c0, uint32_t e)
{
	for (size_t k = 0; k < ox->n_slices; k++)
		if (ox->slices[k].from == from && ox->slices[k].axis == axis && ox->slices[k].c0 == c0 &&
		    ox->slices[k].e == e)
			return ox->slices[k].layer;
	long i = emit(ox, node_label(ox, ox->cur), "/slice", AX_OP_SLICE);
	if (i < 0)
		return -1;
	set_in(ox, i, from);
	L(ox, i)->slice_start = c0;
	L(ox, i)->slice_end = c0 + e;
	L(ox, i)->axis = axis;
	if (finish(ox, i))
		return -1;
	ox->raw[i]->read = 1;
	AX_GROW(ox->slices, ox->cap_slices, ox->n_slices + 1);
	ox->slices[ox->n_slices++] = (struct slice_key){ from, axis, c0, e, i };
	return i;
}

/* A relayout of layer from (docs/network-format.md "relayout"): the elements
 * of view v, in its order, as a fresh layer whose channels are v's last
 * axis; *v becomes the view of that layer.  A window partition or its
 * reverse, a transpose of pixels, a strided gather.  -1 when v repeats
 * elements or the result does not fit a layer (nothing made or reported);
 * -2 when the layer could not be made (reported). */
long relayout_layer(struct ox *ox, long from, struct view *v)
{
	struct ax_shape to;
	for (int i = 0; i < v->rank; i++)
		if (v->dims[i] > 1 && v->strides[i] <= 0 && !v->flat)
			return -1;
	if (canon_shape(v->rank, v->dims, v->rank - 1, &to) ||
	    ax_shape_bytes(to) > ax_shape_bytes(L(ox, from)->out))
		return -1;
	long i = emit(ox, node_label(ox, ox->cur), "/relayout", AX_OP_RELAYOUT);
	if (i < 0)
		return -2;
	set_in(ox, i, from);
	L(ox, i)->to = to;
	if (finish(ox, i))
		return -2;
	ox->raw[i]->read = 1;
	int64_t dims[R];
	memcpy(dims, v->dims, sizeof(dims));
	view_canon(v, v->rank, dims, v->rank - 1);
	return i;
}

/* A relayout of r's view with its axes in the order perm, the last nch of
 * them side by side in the channels (the heads of every window of a Swin
 * block, so that they are the groups of one dyn_matmul): r becomes the
 * view of the new layer with the same axes.  -1 when it does not fit a
 * layer (nothing reported), -2 when the layer could not be made. */
long relayout_axes(struct ox *ox, struct rd *r, const int *perm, int nch)
{
	int n = r->v.rank;
	int64_t d[R], c = 1;
	for (int j = n - nch; j < n; j++)
		c *= r->v.dims[perm[j]];
	for (int j = 0; j < n - nch; j++)
		d[j] = r->v.dims[perm[j]];
	d[n - nch] = c;
	struct view v;
	view_canon(&v, n - nch + 1, d, n - nch);
	long l = relayout_layer(ox, r->layer, &v);
	if (l < 0)
		return l;
	int64_t s = 1;
	for (int j = n - 1; j >= 0; j--) {
		r->v.strides[perm[j]] = s;
		s *= r->v.dims[perm[j]];
	}
	r->v.offset = 0;
	r->v.flat = 0;
	r->v.src_rank = 0;
	r->layer = l;
	r->shape = L(ox, l)->out;
	r->c0 = 0;
	return l;
}

/* A view of whole channels of a consecutive run of a layer's pixels (the
 * class token of a transformer): its first pixel and count; -1 otherwise. */
static int pixel_run(const struct view *v, struct ax_shape s, uint32_t *p0, uint32_t *np)
{
	int64_t c = s.c, px = (int64_t)s.h * s.w;
	if (v->flat || v->offset < 0 || v->offset % c)
		return -1;
	int ax[R], n = 0;
	int64_t chans = 1;
	for (int i = 0; i < v->rank; i++) {
		if (v->dims[i] == 1)
			continue;
		if (v->strides[i] >= c)
			ax[n++] = i;
		else
			chans *= v->dims[i];
	}
	sort_axes(ax, n, v->strides);
	int64_t expect = c;
	for (int k = 0; k < n; k++) {
		if (v->strides[ax[k]] != expect)
			return -1;
		expect *= v->dims[ax[k]];
	}
	int64_t first = v->offset / c, count = expect / c;
	if (chans > c || first + count > px || count >= px)
		return -1;
	*p0 = (uint32_t)first;
	*np = (uint32_t)count;
	return 0;
}

/* A const layer of shape sh holding t (times scale; scale 0: 1 / t) where view v puts its
 * elements, t broadcast against v's dimensions as numpy does; the rest of
 * the layer is 0.  -1 on failure (reported). */
long const_layer(struct ox *ox, const struct ox_tensor *t, double scale, const struct view *v,
		 struct ax_shape sh, int buffer)
{
	if (v->flat || t->rank > v->rank || !t->n) {
		unsup(ox, "a constant operand of rank %d does not fit the layout of the other operand",
		      t->rank);
		return -1;
	}
	int off = v->rank - t->rank;
	int64_t tstr[R], st = 1;
	for (int j = t->rank - 1; j >= 0; j--) {
		if (t->dims[j] != 1 && t->dims[j] != v->dims[j + off]) {
			unsup(ox, "a constant operand of dimension %lld does not broadcast against "
			      "dimension %lld", (long long)t->dims[j], (long long)v->dims[j + off]);
			return -1;
		}
		tstr[j] = t->dims[j] == 1 ? 0 : st;
		st *= t->dims[j];
	}
	long i = emit(ox, cur_label(ox), "/const", AX_OP_CONST);
	if (i < 0)
		return -1;
	L(ox, i)->out = sh;
	uint64_t total = ax_shape_bytes(sh), n = (uint64_t)prod(v->dims, v->rank);
	if (n > total) {
		unsup(ox, "a constant operand repeats along the other operand's view");
		return -1;
	}
	L(ox, i)->buffer = (uint32_t)(buffer != 0);
	if (n == total && t->n < n && n % t->n == 0 && n / t->n <= UINT32_MAX) {
		/* a constant broadcast over the whole layer (a relative position
		 * bias repeated per window, a mask per head): stored once, used
		 * n / t->n times (docs/network-format.md "const") */
		float *w = ax_xcalloc(t->n, sizeof(float));
		ox->ld[i].w = w;
		L(ox, i)->repeat = (uint32_t)(n / t->n);
		for (size_t e = 0; e < t->n; e++) {
			double val = ox_tensor_f(t, e);
			w[e] = (float)(scale != 0.0 ? scale * val : val != 0.0 ? 1.0 / val : 0.0);
		}
		if (finish(ox, i))
			return -1;
		return i;
	}
	float *w = ax_xcalloc((size_t)total, sizeof(float));
	ox->ld[i].w = w;
	for (uint64_t e = 0; e < n; e++) {
		uint64_t rem = e;
		int64_t at = v->offset;
		size_t ti = 0;
		for (int k = v->rank - 1; k >= 0; k--) {
			int64_t id = (int64_t)(rem % (uint64_t)v->dims[k]);
			rem /= (uint64_t)v->dims[k];
			at += id * v->strides[k];
			if (k >= off)
				ti += (size_t)(id * tstr[k - off]);
		}
		if (at < 0 || (uint64_t)at >= total) {
			unsup(ox, "a constant operand does not fit the other operand's layout");
			return -1;
		}
		double val = ox_tensor_f(t, ti);
		/* scale 0: the reciprocal (a divisor) */
		w[at] = (float)(scale != 0.0 ? scale * val : val != 0.0 ? 1.0 / val : 0.0);
	}
	if (finish(ox, i))
		return -1;
	return i;
}

/* A constant as an activation of its own const layer (channels last). */
int const_act(struct ox *ox, const struct val *k, struct val *tmp)
{
	int64_t d[R];
	int r = k->t.rank;
	struct ax_shape sh;
	memset(tmp, 0, sizeof(*tmp));
	if (r == 0) {
		r = 1;
		d[0] = 1;
	} else {
		memcpy(d, k->t.dims, sizeof(d));
	}
	if (canon_shape(r, d, r - 1, &sh))
		return unsup(ox, "constant '%s' does not fit a layer (height, width and channels of at "
			     "most %d)", vname(k), AX_MAX_DIM);
	struct view v;
	view_canon(&v, r, d, r - 1);
	long l = const_layer(ox, &k->t, 1.0, &v, sh, k->folded && !k->from_init);
	if (l < 0)
		return AX_EINPUT;
	tmp->name = k->name;
	tmp->kind = V_ACT;
	tmp->s = ox->raw[l];
	tmp->v = v;
	tmp->v.rank = k->t.rank ? k->t.rank : 1;
	tmp->producer = -1;
	return AX_OK;
}

/* A view whose channels are n blocks of e contiguous channels, S apart (the
 * queries of every head in a fused q, k, v projection): the blocks are
 * sliced out and concatenated, and *v and *l become the view of the copy
 * and its layer.  -1 (nothing made, nothing reported) for any other view. */
int channel_blocks(struct ox *ox, struct view *v, long *l)
{
	struct ax_shape sh = L(ox, *l)->out;
	int64_t c = sh.c;
	int ch[R], nc = 0;
	if (v->flat || v->offset < 0 || v->offset >= c)
		return -1;
	for (int i = 0; i < v->rank; i++)
		if (v->dims[i] > 1 && v->strides[i] < c)
			ch[nc++] = i;
	sort_axes(ch, nc, v->strides);
	int64_t e = 1;
	int k = 0;
	for (; k < nc && v->strides[ch[k]] == e; k++)
		e *= v->dims[ch[k]];
	if (k != nc - 1 || v->strides[ch[k]] <= e)
		return -1;
	int64_t n = v->dims[ch[k]], S = v->strides[ch[k]];
	if (n > AX_MAX_LAYERS || v->offset + (n - 1) * S + e > c)
		return -1;
	long cat = -1;
	for (size_t q = 0; q < ox->n_blocks && cat < 0; q++) {
		const struct block_key *bk = &ox->blocks[q];
		if (bk->from == *l && bk->offset == v->offset && bk->e == e && bk->n == n && bk->stride == S)
			cat = bk->layer;
	}
	if (cat >= 0)
		goto made;
	struct rd *rs = ax_xcalloc((size_t)n, sizeof(*rs));
	for (int64_t j = 0; j < n; j++) {
		rs[j].layer = slice_layer(ox, *l, AX_AXIS_CHANNELS, (uint32_t)(v->offset + j * S),
					  (uint32_t)e);
		if (rs[j].layer < 0)
			goto out_free;
	}
	cat = concat_chain(ox, rs, (size_t)n, AX_AXIS_CHANNELS);
	if (cat < 0)
		goto out_free;
	ox->raw[cat]->read = 1;
	AX_GROW(ox->blocks, ox->cap_blocks, ox->n_blocks + 1);
	ox->blocks[ox->n_blocks++] = (struct block_key){ *l, v->offset, e, n, S, cat };
	free(rs);
made:
	for (int i = 0; i < v->rank; i++)
		if (v->dims[i] > 1 && v->strides[i] >= c)
			v->strides[i] = v->strides[i] / c * n * e;
	v->strides[ch[k]] = e;
	v->offset = 0;
	*l = cat;
	return 0;
out_free:
	free(rs);
	return -1;
}

/* Reads x as a layer's input: materialises its steps (but a top affine when
 * absorb is set) and slices out its channel block when it is not the whole
 * layer. */
int read_val(struct ox *ox, const struct val *x, int absorb, struct rd *r)
{
	if (x->kind != V_ACT)
		return bad(ox, "input '%s' is not an activation", vname(x));
	if (x->has_pad)
		return unsup(ox, "input '%s' comes from a Pad; expected Pad only in front of Conv, "
			     "MaxPool or AveragePool, which absorb it", vname(x));
	struct src *s = x->s;
	r->aff = NULL;
	if (absorb && s->kind == S_AFFINE && s->layer < 0) {
		r->aff = s;
		s = s->parent;
	}
	long l = src_layer(ox, s);
	if (l < 0)
		return AX_EINPUT;
	s->read = 1;
	struct ax_shape sh = L(ox, l)->out;
	struct phys p;
	const char *why = "";
	struct view xv = x->v;
	uint32_t p0, np;
	int fits = !classify(&xv, sh, &p, &why), run = !fits && !pixel_run(&xv, sh, &p0, &np);
	if (!fits && !run && r->aff)
		return read_val(ox, x, 0, r); /* a copy of channels would move the affine's */
	if (run) {
		/* a run of pixels: a slice along them, then read as usual */
		l = slice_layer(ox, l, AX_AXIS_PIXELS, p0, np);
		if (l < 0)
			return AX_EINPUT;
		xv.offset -= (int64_t)p0 * sh.c;
		sh = L(ox, l)->out;
	}
	if (classify(&xv, sh, &p, &why) && !r->aff && !channel_blocks(ox, &xv, &l)) {
		/* blocks of channels at a regular stride (each head's part of a
		 * fused projection): copied side by side by slices and a concat */
		sh = L(ox, l)->out;
	}
	if (classify(&xv, sh, &p, &why) && r->aff)
		return read_val(ox, x, 0, r); /* the relayout would move the affine's channels */
	if (classify(&xv, sh, &p, &why)) {
		/* anything else of whole elements: moved into place by a relayout */
		long rl = relayout_layer(ox, l, &xv);
		if (rl >= 0) {
			l = rl;
			sh = L(ox, l)->out;
		} else if (rl == -2) {
			return AX_EINPUT;
		}
	}
	if (classify(&xv, sh, &p, &why)) {
		char d[96];
		dims_str(d, sizeof(d), x->v.rank, x->v.dims);
		return unsup(ox, "input '%s' (%s) is %s of layer '%s' (%ux%ux%u); expected a tensor "
			     "the units read in place (whole pixels, a contiguous range of channels)",
			     vname(x), d, why, L(ox, l)->name, sh.h, sh.w, sh.c);
	}
	r->v = xv;
	r->c0 = p.c0;
	if (!xv.flat && (p.c0 || p.e != sh.c)) {
		l = slice_layer(ox, l, AX_AXIS_CHANNELS, p.c0, p.e);
		if (l < 0)
			return AX_EINPUT;
		for (int k = 0; k < r->v.rank; k++)
			if (r->v.dims[k] > 1 && r->v.strides[k] >= (int64_t)sh.c)
				r->v.strides[k] = r->v.strides[k] / sh.c * p.e;
		r->v.offset = 0;
	}
	r->layer = l;
	r->shape = L(ox, l)->out;
	return AX_OK;
}

/* The weights of a Conv or ConvTranspose that are an activation (a graph
 * input): written into the array at run time, read like any input so that
 * a pending activation or view is materialised, and counted in the summary
 * (docs/onnx-import.md "Run-time weights"); a MatMul of two activations is
 * a dyn_matmul layer instead. */
int runtime_weights(struct ox *ox, const struct val *w, uint64_t values)
{
	struct rd r;
	if (read_val(ox, w, 0, &r))
		return AX_EINPUT;
	ox->info.dynamic_matmuls++;
	ox->info.dynamic_values += values;
	ox->info.approximations++;
	return AX_OK;
}

/* Checks that r is an N, C, H, W (or N, C, L) tensor laid out as the layer's
 * H x W x C; fills the sizes. */
int spatial(struct ox *ox, const struct val *x, const struct rd *r, uint32_t *h, uint32_t *w,
	    uint32_t *c)
{
	const struct view *v = &r->v;
	char d[96];
	dims_str(d, sizeof(d), v->rank, v->dims);
	if (v->rank != 4 && v->rank != 3)
		return unsup(ox, "input '%s' (%s) has rank %d; expected 4 (N, C, H, W) or 3 (N, C, L)",
			     vname(x), d, v->rank);
	if (v->dims[0] != 1)
		return unsup(ox, "input '%s' (%s) has batch %lld; the chip runs batch 1", vname(x), d,
			     (long long)v->dims[0]);
	int64_t C = v->dims[1], H = v->rank == 4 ? v->dims[2] : 1, W = v->dims[v->rank - 1];
	int ok = !v->flat && r->shape.c == C && r->shape.h == H && r->shape.w == W &&
		 (C == 1 || v->strides[1] == 1) && (W == 1 || v->strides[v->rank - 1] == C) &&
		 (v->rank == 3 || H == 1 || v->strides[2] == W * C);
	if (!ok)
		return unsup(ox, "input '%s' (%s) is laid out as %ux%ux%u (height, width, channels) in "
			     "layer '%s', which is not its N, C, H, W order; expected a tensor in the "
			     "order of the layer that made it", vname(x), d, r->shape.h, r->shape.w,
			     r->shape.c, L(ox, r->layer)->name);
	*h = (uint32_t)H;
	*w = (uint32_t)W;
	*c = (uint32_t)C;
	return AX_OK;
}

/* Per-channel vectors over x's layer channels from the constants ta (NULL: 1)
 * and tb (NULL: 0), broadcast against x as numpy does.  Heap vectors. */
int affine_vectors(struct ox *ox, const struct val *x, const struct ox_tensor *ta,
		   const struct ox_tensor *tb, float **pa, float **pb)
{
	uint32_t c = x->s->shape.c;
	float *a = ax_xcalloc(c, sizeof(float)), *b = ax_xcalloc(c, sizeof(float));
	*pa = a;
	*pb = b;
	for (uint32_t ch = 0; ch < c; ch++)
		a[ch] = 1.0f;
	const struct ox_tensor *ts[2] = { ta, tb };
	float *vs[2] = { a, b };
	struct phys p = { 0, c };
	int classified = 0;
	for (int k = 0; k < 2; k++) {
		const struct ox_tensor *t = ts[k];
		if (!t)
			continue;
		if (t->n == 0)
			return bad(ox, "a constant operand is empty");
		if (t->n == 1) {
			float v = (float)ox_tensor_f(t, 0);
			for (uint32_t ch = 0; ch < c; ch++)
				vs[k][ch] = v;
			continue;
		}
		if (t->rank > x->v.rank)
			return unsup(ox, "a constant operand of rank %d would broadcast '%s' (rank %d) to "
				     "a larger tensor", t->rank, vname(x), x->v.rank);
		if (x->v.flat)
			return unsup(ox, "a per-channel constant applies to '%s', whose channels a reshape "
				     "has mixed with its pixels", vname(x));
		if (!classified) {
			const char *why = "";
			if (classify(&x->v, x->s->shape, &p, &why))
				return unsup(ox, "'%s' is %s; expected a tensor the units read in place",
					     vname(x), why);
			classified = 1;
		}
		int off = x->v.rank - t->rank;
		for (int j = 0; j < t->rank; j++) {
			int i = j + off;
			if (t->dims[j] == 1)
				continue;
			if (x->v.dims[i] == 1)
				return unsup(ox, "a constant operand broadcasts '%s' along dimension %d to "
					     "a larger tensor", vname(x), i);
			if (t->dims[j] != x->v.dims[i])
				return bad(ox, "a constant operand of dimension %lld does not broadcast "
					   "against dimension %d (%lld) of '%s'", (long long)t->dims[j], i,
					   (long long)x->v.dims[i], vname(x));
			if (x->v.strides[i] >= (int64_t)c)
				return unsup(ox, "a constant operand varies along dimension %d of '%s', "
					     "which is a pixel (height or width) axis; expected a scalar "
					     "or one value per channel", i, vname(x));
		}
		/* every channel of x's block, and the element of t it takes */
		int64_t tstr[R], st = 1;
		for (int j = t->rank - 1; j >= 0; j--) {
			tstr[j] = st;
			st *= t->dims[j];
		}
		for (uint32_t e = 0; e < p.e; e++) {
			int64_t rem = e, ch = p.c0;
			size_t ti = 0;
			for (int i = 0; i < x->v.rank; i++) {
				if (x->v.dims[i] <= 1 || x->v.strides[i] >= (int64_t)c)
					continue;
				int64_t id = rem % x->v.dims[i];
				rem /= x->v.dims[i];
				ch += id * x->v.strides[i];
				int j = i - off;
				if (j >= 0 && t->dims[j] > 1)
					ti += (size_t)(id * tstr[j]);
			}
			AX_ASSERT(ch >= 0 && ch < (int64_t)c && ti < t->n);
			vs[k][ch] = (float)ox_tensor_f(t, ti);
		}
	}
	return AX_OK;
}
