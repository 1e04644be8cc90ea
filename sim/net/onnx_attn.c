/*
 * onnx_attn.c - the transformer parts of the ONNX importer: products of two
 * activations (docs/onnx-import.md "Products of two activations"), softmax,
 * ReduceMean, layer normalisation and the layer-normalisation and GELU
 * patterns found on the graph before the conversion.
 */
#include "onnx_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- products of two activations ---- */

/* Reads x for a product of two activations: a pending scale (the 1 / sqrt d
 * of attention) is absorbed into the product's requantisation, anything
 * else is materialised. */
static int read_operand(struct ox *ox, const struct val *x, struct rd *r)
{
	if (read_val(ox, x, 1, r))
		return AX_EINPUT;
	if (!r->aff)
		return AX_OK;
	const struct src *f = r->aff;
	uint32_t c0 = r->c0, e = r->shape.c;
	int uniform = 1;
	for (uint32_t ch = c0; ch < c0 + e && uniform; ch++)
		uniform = f->a[ch] == f->a[c0] && f->b[ch] == 0.0f;
	if (uniform) {
		ox->info.folded++;
		return AX_OK;
	}
	return read_val(ox, x, 0, r);
}

/* Whether the axes lo .. hi - 1 of v with size > 1 lie in the channels of a
 * c-channel layer, consecutive from stride inner, n values in all. */
static int batch_axes(const struct view *v, int lo, int hi, int64_t inner, int64_t c, int64_t n)
{
	int ax[R], k = 0;
	for (int i = lo; i < hi; i++)
		if (v->dims[i] > 1) {
			if (v->strides[i] >= c)
				return 0;
			ax[k++] = i;
		}
	sort_axes(ax, k, v->strides);
	int64_t expect = inner;
	for (int i = 0; i < k; i++) {
		if (v->strides[ax[i]] != expect)
			return 0;
		expect *= v->dims[ax[i]];
	}
	return expect == inner * n;
}

/* Whether axis i of v runs over every pixel of shape s in order. */
static int all_pixels(const struct view *v, int i, struct ax_shape s)
{
	return v->dims[i] == (int64_t)s.h * s.w && (v->dims[i] == 1 || v->strides[i] == (int64_t)s.c);
}

/* Whether A (ra) is laid out as a dyn_matmul reads it: its rows along the
 * pixels, each of its groups' K columns side by side in the channels. */
static int a_fits(const struct rd *ra, int64_t K, int64_t groups)
{
	const struct view *va = &ra->v;
	int ar = va->rank;
	int64_t ca = ra->shape.c;
	return !va->flat && ca == groups * K && (K == 1 || va->strides[ar - 1] == 1) &&
	       batch_axes(va, 0, ar - 2, K, ca, groups) && all_pixels(va, ar - 2, ra->shape);
}

/* Whether A (ra) and B (rb) are laid out as a dyn_matmul reads them; *tb
 * says whether B is transposed.  0 when they are. */
static int mm_layout(const struct rd *ra, const struct rd *rb, int64_t K, int64_t N, int64_t groups,
		     int *tb)
{
	const struct view *vb = &rb->v;
	int br = vb->rank;
	int64_t cb = rb->shape.c;
	if (vb->flat || !a_fits(ra, K, groups))
		return -1;
	if (cb == groups * N && (N == 1 || vb->strides[br - 1] == 1) &&
	    batch_axes(vb, 0, br - 2, N, cb, groups) && all_pixels(vb, br - 2, rb->shape))
		*tb = 0;
	else if (cb == groups * K && (K == 1 || vb->strides[br - 2] == 1) &&
		 batch_axes(vb, 0, br - 2, K, cb, groups) && all_pixels(vb, br - 1, rb->shape))
		*tb = 1;
	else
		return -1;
	return 0;
}

/* The view of the transpose of the last two axes. */
static void view_swap_last(struct view *v)
{
	int r = v->rank;
	int64_t d = v->dims[r - 1], st = v->strides[r - 1];
	v->dims[r - 1] = v->dims[r - 2];
	v->strides[r - 1] = v->strides[r - 2];
	v->dims[r - 2] = d;
	v->strides[r - 2] = st;
}

/* Operands whose batch axes (windows, heads) are not all side by side in
 * the channels (a Swin block's windows are along the pixels): relayouts put
 * A's rows along the pixels and its batches and columns in the channels,
 * and B likewise, transposed when its columns K are its inner axis (a key
 * matrix); an A already laid out so (softmax's scores) stays.  -1 when the
 * operands' batch axes differ, -2 on a reported failure. */
static int relayout_operands(struct ox *ox, struct rd *ra, struct rd *rb, int64_t K,
			     int64_t groups)
{
	int n = ra->v.rank, pa[R], pb[R];
	if (n < 3 || rb->v.rank != n || memcmp(ra->v.dims, rb->v.dims, (size_t)(n - 2) * sizeof(int64_t)))
		return -1;
	int trans = rb->v.strides[n - 2] < rb->v.strides[n - 1];
	pa[0] = n - 2;
	pb[0] = trans ? n - 1 : n - 2;
	for (int i = 0; i < n - 2; i++)
		pa[i + 1] = pb[i + 1] = i;
	pa[n - 1] = n - 1;
	pb[n - 1] = trans ? n - 2 : n - 1;
	long l = a_fits(ra, K, groups) ? 0 : relayout_axes(ox, ra, pa, n - 1);
	if (l >= 0)
		l = relayout_axes(ox, rb, pb, n - 1);
	return l < 0 ? (int)l : 0;
}

/* docs/onnx-import.md "Products of two activations": A (..., M, K) times
 * B (..., K, N), groups matrices each (the heads), as a dyn_matmul whose
 * second operand is written into the array at run time.  A holds each
 * head's K values side by side in the channels and its M rows along the
 * pixels; B holds K pixels of each head's N values, or (transposed, as a
 * key matrix is) N pixels of each head's K values. */
int dyn_matmul(struct ox *ox, const struct val *a, const struct val *b, int64_t K, int64_t N,
	       int64_t groups, struct val *out)
{
	struct rd ra, rb;
	if (need_act(ox, b, "input B") || no_pad(ox, b) || read_operand(ox, a, &ra) ||
	    read_operand(ox, b, &rb))
		return AX_EINPUT;
	/* A B as it is, else as (B^T A^T)^T: v @ attn^T with v's rows in the channels */
	int tb = 0, swap = 0;
	if (mm_layout(&ra, &rb, K, N, groups, &tb)) {
		struct rd ta = rb, tbv = ra;
		view_swap_last(&ta.v);
		view_swap_last(&tbv.v);
		int64_t M = ra.v.dims[ra.v.rank - 2];
		if (!mm_layout(&ta, &tbv, K, M, groups, &tb)) {
			ra = ta;
			rb = tbv;
			N = M;
			swap = 1;
		} else if (relayout_operands(ox, &ra, &rb, K, groups) == -2) {
			return AX_EINPUT;
		} else if (mm_layout(&ra, &rb, K, N, groups, &tb)) {
			char d[96];
			dims_str(d, sizeof(d), ra.v.rank, ra.v.dims);
			return unsup(ox, "input A '%s' (%s) is laid out as %ux%ux%u in layer '%s'; "
				     "expected its rows along the pixels and each of its %lld matrices' "
				     "%lld columns side by side in the channels, and B '%s' as %lld "
				     "pixels of each matrix's columns, or transposed", vname(a), d,
				     ra.shape.h, ra.shape.w, ra.shape.c, L(ox, ra.layer)->name,
				     (long long)groups, (long long)K, vname(b), (long long)K);
		}
	}
	const struct view *va = &ra.v;
	int ar = va->rank;
	if (N * groups > AX_MAX_DIM)
		return unsup(ox, "%lld outputs are too many; expected at most %d", (long long)(N * groups),
			     AX_MAX_DIM);
	long l = emit(ox, cur_label(ox), "", AX_OP_MATMUL);
	if (l < 0)
		return AX_EINPUT;
	L(ox, l)->n_in = 2;
	L(ox, l)->in[0] = (uint32_t)ra.layer;
	L(ox, l)->in[1] = (uint32_t)rb.layer;
	L(ox, l)->cout = (uint32_t)(N * groups);
	L(ox, l)->groups = (uint32_t)groups;
	L(ox, l)->trans_b = (uint32_t)tb;
	if (finish(ox, l))
		return AX_EINPUT;
	ox->info.dynamic_matmuls++;
	ox->info.dynamic_values += (uint64_t)(groups * K * N);
	/* the output: A's view with N columns per head */
	struct view ov = *va;
	for (int i = 0; i < ar; i++) {
		if (ov.dims[i] <= 1)
			continue;
		if (i == ar - 2)
			ov.strides[i] = N * groups;
		else if (i < ar - 2)
			ov.strides[i] = ov.strides[i] / K * N;
	}
	ov.dims[ar - 1] = N;
	ov.strides[ar - 1] = 1;
	ov.offset = 0;
	if (swap)
		view_swap_last(&ov);
	set_act(out, ox->raw[l], &ov);
	return AX_OK;
}

int op_gemm(struct ox *ox)
{
	struct val *a = in_val(ox, 0), *b = in_val(ox, 1), *c = in_val(ox, 2);
	int64_t ta, tb;
	double alpha, beta;
	if (need_act(ox, a, "input A") || no_pad(ox, a) || attr_int(ox, "transA", 0, &ta) ||
	    attr_int(ox, "transB", 0, &tb) || attr_float(ox, "alpha", 1.0, &alpha) ||
	    attr_float(ox, "beta", 1.0, &beta))
		return AX_EINPUT;
	if (!b)
		return bad(ox, "input B is missing");
	int64_t bd[R];
	if (a->v.rank != 2 || val_dims(b, bd) != 2)
		return bad(ox, "A and B must be 2-D");
	if (ta)
		return unsup(ox, "transA is not supported; expected A as rows of features");
	int64_t K = bd[tb ? 1 : 0], N = bd[tb ? 0 : 1];
	if (a->v.dims[1] != K)
		return bad(ox, "A has %lld columns and B %lld rows; expected equal",
			   (long long)a->v.dims[1], (long long)K);
	if (N < 1 || K < 1)
		return bad(ox, "B is empty");
	float *bias = NULL;
	if (c) {
		if (c->kind != V_CONST)
			return unsup(ox, "C must be a constant");
		if (c->t.n != 1 && (int64_t)c->t.n != N)
			return unsup(ox, "C has %zu values; expected 1 or %lld (one per output)", c->t.n,
				     (long long)N);
		bias = ax_xcalloc((size_t)N, sizeof(float));
		for (int64_t n = 0; n < N; n++)
			bias[n] = (float)(beta * ox_tensor_f(&c->t, c->t.n == 1 ? 0 : (size_t)n));
	}
	float *w = NULL;
	if (b->kind == V_CONST) {
		w = ax_xcalloc((size_t)(N * K), sizeof(float));
		for (int64_t n = 0; n < N; n++)
			for (int64_t k = 0; k < K; k++)
				w[n * K + k] = (float)(alpha * ox_tensor_f(&b->t,
									  (size_t)(tb ? n * K + k : k * N + n)));
	} else {
		if (bias || alpha != 1.0) {
			free(bias);
			return unsup(ox, "a product of two activations with C or alpha is not supported");
		}
		if (b->kind != V_ACT)
			return unsup(ox, "input B is not known on the chip");
		if (tb)
			return unsup(ox, "transB of an activation is not supported; expected B as K x N");
		return dyn_matmul(ox, a, b, K, N, 1, out_val(ox, 0));
	}
	return linear(ox, a, K, N, w, bias, 1, 0, out_val(ox, 0));
}

int op_matmul(struct ox *ox)
{
	struct val *a = in_val(ox, 0), *b = in_val(ox, 1);
	if (need_act(ox, a, "input A") || no_pad(ox, a))
		return AX_EINPUT;
	if (!b)
		return bad(ox, "input B is missing");
	int64_t bd[R];
	int br = val_dims(b, bd), ar = a->v.rank;
	if (ar < 1 || br < 1)
		return bad(ox, "the inputs must have rank 1 or more");
	int64_t K = a->v.dims[ar - 1];
	if (bd[br >= 2 ? br - 2 : 0] != K)
		return bad(ox, "A has %lld columns and B %lld rows; expected equal", (long long)K,
			   (long long)bd[br >= 2 ? br - 2 : 0]);
	int64_t N = br >= 2 ? bd[br - 1] : 1;
	if (b->kind == V_CONST) {
		if (br > 2 && prod(bd, br - 2) != 1)
			return unsup(ox, "a batch of constant matrices is not supported");
		float *w = ax_xcalloc((size_t)(N * K), sizeof(float));
		for (int64_t n = 0; n < N; n++)
			for (int64_t k = 0; k < K; k++)
				w[n * K + k] = (float)ox_tensor_f(&b->t, (size_t)(k * N + n));
		return linear(ox, a, K, N, w, NULL, 1, br == 1, out_val(ox, 0));
	}
	if (b->kind != V_ACT)
		return unsup(ox, "input B is not known on the chip");
	/* two activations: B's values become the weights at run time */
	if (ar < 2 || br < 2)
		return unsup(ox, "a product of two activations needs 2-D or larger inputs");
	int64_t groups = 1;
	int nb = ar - 2, mb = br - 2;
	if (prod(bd, mb) != 1) {
		if (mb != nb || memcmp(bd, a->v.dims, (size_t)nb * sizeof(bd[0])))
			return unsup(ox, "batch dimensions of A and B differ; expected equal ones");
		groups = prod(bd, mb);
	}
	return dyn_matmul(ox, a, b, K, N, groups, out_val(ox, 0));
}

/* ---- softmax, ReduceMean, layer normalisation ---- */

int op_softmax(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	int64_t axis;
	if (need_act(ox, x, "input") || attr_int(ox, "axis", ox->md->opset < 13 ? 1 : -1, &axis))
		return AX_EINPUT;
	int r = x->v.rank, a = norm_axis(axis, r);
	if (a < 0)
		return bad(ox, "axis %lld is out of range for rank %d", (long long)axis, r);
	struct rd rr;
	if (read_val(ox, x, 0, &rr))
		return AX_EINPUT;
	unsigned m = rr.v.flat ? 0 : chan_mask(&rr.v, rr.shape.c), set = 0;
	for (int i = a; i < (ox->md->opset < 13 ? r : a + 1); i++)
		if (rr.v.dims[i] > 1)
			set |= 1u << i;
	if (rr.v.flat || (set & ~m))
		return unsup(ox, "the softmax runs along a pixel (height or width) axis of '%s'; "
			     "expected it along the channels", vname(x));
	long l = emit(ox, cur_label(ox), "", AX_OP_SOFTMAX);
	if (l < 0)
		return AX_EINPUT;
	set_in(ox, l, rr.layer);
	if (finish(ox, l))
		return AX_EINPUT;
	/* along each group of consecutive channels (each head's scores) the passes
	 * are those of the whole: exact; any other part of the channels is
	 * costed as all of them */
	if (set != m && !(ox->md->opset >= 13 && rr.v.strides[a] == 1))
		ox->info.approximations++;
	set_act(out, ox->raw[l], &rr.v);
	return AX_OK;
}

int op_reducemean(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	int64_t keep, noop, axes[R];
	int n = -1;
	if (need_act(ox, x, "input") || attr_int(ox, "keepdims", 1, &keep) ||
	    attr_int(ox, "noop_with_empty_axes", 0, &noop))
		return AX_EINPUT;
	if (ox->md->opset < 18 || attr(ox, "axes")) {
		if (attr_ints(ox, "axes", axes, R, &n))
			return AX_EINPUT;
	} else if (in_val(ox, 1) && const_ints(ox, in_val(ox, 1), "the axes", axes, R, &n)) {
		return AX_EINPUT;
	}
	int r = x->v.rank;
	unsigned red = 0;
	if (n <= 0 && noop) {
		set_act(out, x->s, &x->v);
		return AX_OK;
	}
	if (n <= 0)
		red = (1u << r) - 1;
	for (int k = 0; k < n; k++) {
		int a = norm_axis(axes[k], r);
		if (a < 0)
			return bad(ox, "axis %lld is out of range for rank %d", (long long)axes[k], r);
		red |= 1u << a;
	}
	struct rd rr;
	if (read_val(ox, x, 0, &rr))
		return AX_EINPUT;
	uint32_t c = rr.shape.c;
	unsigned m = rr.v.flat ? 0 : chan_mask(&rr.v, c), big = 0;
	for (int i = 0; i < r; i++)
		if (rr.v.dims[i] > 1)
			big |= 1u << i;
	red &= big;
	struct view ov = rr.v;
	long l;
	if (!rr.v.flat && red && red == (big & ~m)) {
		/* over all pixels: global average pooling */
		l = emit(ox, cur_label(ox), "", AX_OP_GLOBALPOOL);
		if (l < 0)
			return AX_EINPUT;
		set_in(ox, l, rr.layer);
	} else if (!rr.v.flat && red && red == m) {
		/* over the channels: a 1 x C matrix of 1/C on the IMC */
		l = emit(ox, cur_label(ox), "", AX_OP_CONV);
		if (l < 0)
			return AX_EINPUT;
		int64_t zero[4] = { 0, 0, 0, 0 };
		set_in(ox, l, rr.layer);
		set_window(L(ox, l), 1, 1, 1, 1, zero, 1, 1);
		L(ox, l)->cout = 1;
		L(ox, l)->groups = 1;
		ox->info.approximations++;
	} else {
		return unsup(ox, "it averages '%s' over some but not all of its pixel axes or "
			     "channel axes; expected all pixels (like GlobalAveragePool) or all "
			     "channels", vname(x));
	}
	if (finish(ox, l))
		return AX_EINPUT;
	if (L(ox, l)->op == AX_OP_CONV) {
		ox->ld[l].w = ax_xcalloc(c, sizeof(float));
		for (uint32_t ch = 0; ch < c; ch++)
			ox->ld[l].w[ch] = 1.0f / (float)c;
	}
	uint32_t oc = L(ox, l)->out.c;
	for (int i = 0; i < r; i++) {
		if (red & (1u << i))
			ov.dims[i] = 1;
		else if (ov.dims[i] > 1 && ov.strides[i] >= (int64_t)c)
			ov.strides[i] = ov.strides[i] / c * oc;
	}
	if (!keep) {
		int j = 0;
		for (int i = 0; i < r; i++)
			if (!(red & (1u << i))) {
				ov.dims[j] = ov.dims[i];
				ov.strides[j] = ov.strides[i];
				j++;
			}
		ov.rank = j;
	}
	set_act(out, ox->raw[l], &ov);
	return AX_OK;
}

/* Layer normalisation over the last axis: a statistics pass and a
 * normalising pass on the vector unit. */
static int layernorm(struct ox *ox, const struct val *x, struct val *out, struct src **res,
		     struct view *resv)
{
	if (need_act(ox, x, "input") || no_pad(ox, x))
		return AX_EINPUT;
	struct rd r;
	if (read_val(ox, x, 0, &r))
		return AX_EINPUT;
	int xr = r.v.rank;
	unsigned m = r.v.flat ? 0 : chan_mask(&r.v, r.shape.c);
	if (r.v.flat || (m != (1u << (xr - 1)) && !(m == 0 && r.v.dims[xr - 1] == 1)) ||
	    r.v.dims[xr - 1] != r.shape.c)
		return unsup(ox, "it normalises '%s' along an axis that is not the channels; "
			     "expected the last axis along the channels", vname(x));
	long st = emit(ox, cur_label(ox), "/stats", AX_OP_MUL);
	if (st < 0)
		return AX_EINPUT;
	L(ox, st)->n_in = 2;
	L(ox, st)->in[0] = L(ox, st)->in[1] = (uint32_t)r.layer;
	if (finish(ox, st))
		return AX_EINPUT;
	long l = emit(ox, cur_label(ox), "", AX_OP_ADD);
	if (l < 0)
		return AX_EINPUT;
	L(ox, l)->n_in = 2;
	L(ox, l)->in[0] = (uint32_t)r.layer;
	L(ox, l)->in[1] = (uint32_t)st;
	if (finish(ox, l))
		return AX_EINPUT;
	ox->raw[st]->read = 1;
	ox->info.patterns++;
	ox->info.approximations++;
	set_act(out, ox->raw[l], &r.v);
	*res = ox->raw[l];
	*resv = r.v;
	return AX_OK;
}

int op_ln_pattern(struct ox *ox)
{
	struct src *s;
	struct view v;
	const struct val *x = val_get(ox, ox->md->nodes[ox->cur].pat_in);
	return layernorm(ox, x, out_val(ox, 0), &s, &v);
}

int op_layernormalization(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *sc = in_val(ox, 1), *b = in_val(ox, 2), *out = out_val(ox, 0);
	int64_t axis;
	if (attr_int(ox, "axis", -1, &axis))
		return AX_EINPUT;
	if (need_act(ox, x, "input X"))
		return AX_EINPUT;
	if (norm_axis(axis, x->v.rank) != x->v.rank - 1)
		return unsup(ox, "axis %lld; expected the last axis", (long long)axis);
	if (!sc || sc->kind != V_CONST || (b && b->kind != V_CONST))
		return unsup(ox, "Scale and B must be constants");
	struct src *s;
	struct view v;
	if (layernorm(ox, x, NULL, &s, &v))
		return AX_EINPUT;
	/* the scale and bias: a per-channel affine on the result */
	struct val tmp;
	memset(&tmp, 0, sizeof(tmp));
	tmp.name = x->name;
	tmp.kind = V_ACT;
	tmp.s = s;
	tmp.v = v;
	float *va, *vb;
	int rc = affine_vectors(ox, &tmp, &sc->t, b ? &b->t : NULL, &va, &vb);
	if (rc) {
		free(va);
		free(vb);
		return rc;
	}
	return apply_affine(ox, &tmp, va, vb, out);
}

/* ---- patterns found before the conversion ---- */

/* ReduceMean over the last axis only, keeping it. */
static int reduce_last(const struct model *md, const struct xnode *n)
{
	if (!n || strcmp(n->op, "ReduceMean"))
		return 0;
	const Onnx__AttributeProto *a = ox_attr(n->p, "axes"), *kd = ox_attr(n->p, "keepdims");
	if (kd && (kd->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT || kd->i != 1))
		return 0;
	if (a)
		return a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS && a->n_ints == 1 &&
		       a->ints[0] == -1;
	struct ox_tensor t;
	if (n->p->n_input < 2 || static_tensor(md, n->p->input[1], &t))
		return 0;
	int ok = t.n == 1 && ox_tensor_i(&t, 0) == -1;
	ox_tensor_release(&t);
	return ok;
}

/* Layer normalisation written out: d = x - mean(x); d / sqrt(mean(d^2) + eps). */
void find_layernorms(struct model *md)
{
	for (size_t k = 0; k < md->n_nodes; k++) {
		struct xnode *dv = &md->nodes[k];
		if (strcmp(dv->op, "Div") || dv->absorbed || dv->p->n_input != 2)
			continue;
		const char *dname = dv->p->input[0], *qname = dv->p->input[1];
		struct xnode *q = (struct xnode *)producer(md, qname);
		if (!q || strcmp(q->op, "Sqrt") || count_uses(md, qname) != 1)
			continue;
		struct xnode *a = (struct xnode *)producer(md, q->p->n_input ? q->p->input[0] : NULL);
		if (!a || strcmp(a->op, "Add") || a->p->n_input != 2 || count_uses(md, out0(a)) != 1)
			continue;
		double eps;
		int vi; /* the variance; the other input is epsilon */
		if (!static_scalar(md, a->p->input[1], &eps))
			vi = 0;
		else if (!static_scalar(md, a->p->input[0], &eps))
			vi = 1;
		else
			continue;
		struct xnode *r2 = (struct xnode *)producer(md, a->p->input[vi]);
		if (!reduce_last(md, r2) || count_uses(md, out0(r2)) != 1)
			continue;
		struct xnode *p = (struct xnode *)producer(md, r2->p->input[0]);
		double e2;
		int sq = p && !strcmp(p->op, "Pow") && p->p->n_input == 2 &&
			 !static_scalar(md, p->p->input[1], &e2) && e2 == 2.0;
		int mm = p && !strcmp(p->op, "Mul") && p->p->n_input == 2 && input_is(p, 1, p->p->input[0]);
		if (!(sq || mm) || count_uses(md, out0(p)) != 1 || !input_is(p, 0, dname))
			continue;
		struct xnode *s = (struct xnode *)producer(md, dname);
		if (!s || strcmp(s->op, "Sub") || s->p->n_input != 2 ||
		    count_uses(md, dname) != (mm ? 3 : 2))
			continue;
		struct xnode *r1 = (struct xnode *)producer(md, s->p->input[1]);
		if (!reduce_last(md, r1) || count_uses(md, out0(r1)) != 1 ||
		    !input_is(r1, 0, s->p->input[0]))
			continue;
		r1->absorbed = s->absorbed = p->absorbed = r2->absorbed = a->absorbed = q->absorbed = 1;
		dv->ln = 1;
		dv->pat_in = s->p->input[0];
	}
}

/* Binary node n of operator op with a constant scalar within 0.1% of want
 * as one input: *other is the other input. */
static int with_const(const struct model *md, const struct xnode *n, const char *op, double want,
		      const char **other)
{
	if (!n || strcmp(n->op, op) || n->p->n_input != 2 || n->absorbed)
		return 0;
	for (int k = 0; k < 2; k++) {
		double v;
		if (!static_scalar(md, n->p->input[k], &v) && fabs(v - want) <= 1e-3 * fabs(want)) {
			*other = n->p->input[1 - k];
			return 1;
		}
	}
	return 0;
}

/* The one node that reads value name, or NULL when it has other readers. */
static struct xnode *only_reader(struct model *md, const char *name)
{
	if (!name || count_uses(md, name) != 1)
		return NULL;
	for (size_t k = 0; k < md->n_nodes; k++) {
		struct xnode *n = &md->nodes[k];
		for (size_t i = 0; i < n->p->n_input; i++)
			if (n->p->input[i] && !strcmp(n->p->input[i], name))
				return n->absorbed ? NULL : n;
	}
	return NULL;
}

/* Binary node n (op) reading a and something else: that other input. */
static const char *other_input(const struct xnode *n, const char *op, const char *a)
{
	if (!n || strcmp(n->op, op) || n->p->n_input != 2 || n->absorbed)
		return NULL;
	if (input_is(n, 0, a))
		return n->p->input[1];
	if (input_is(n, 1, a))
		return n->p->input[0];
	return NULL;
}

/* x^3 written as Pow(x, 3), x * x * x in either grouping: x, else NULL;
 * the nodes it used go to parts. */
static const char *cube_of(struct model *md, const char *name, struct xnode **parts, int *np)
{
	struct xnode *c = (struct xnode *)producer(md, name);
	const char *x;
	if (count_uses(md, name) != 1 || !c)
		return NULL;
	if (with_const(md, c, "Pow", 3.0, &x)) {
		parts[(*np)++] = c;
		return x;
	}
	if (strcmp(c->op, "Mul") || c->p->n_input != 2)
		return NULL;
	for (int k = 0; k < 2; k++) {
		struct xnode *sq = (struct xnode *)producer(md, c->p->input[k]);
		x = c->p->input[1 - k];
		if (sq && !strcmp(sq->op, "Mul") && sq->p->n_input == 2 && input_is(sq, 0, x) &&
		    input_is(sq, 1, x) && count_uses(md, c->p->input[k]) == 1) {
			parts[(*np)++] = c;
			parts[(*np)++] = sq;
			return x;
		}
	}
	return NULL;
}

/* GELU written out (docs/onnx-import.md "Patterns"): the erf form
 * x * 0.5 * (1 + erf(x / sqrt 2)) and the tanh form
 * 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), with the products in
 * any order: the last Mul becomes the GELU of x, the other nodes absorbed. */
void find_gelus(struct model *md)
{
	for (size_t k = 0; k < md->n_nodes; k++) {
		struct xnode *e = &md->nodes[k], *parts[16];
		int np = 0;
		const char *x = NULL, *u, *v;
		if (e->absorbed || e->p->n_input != 1 || e->p->n_output != 1)
			continue;
		u = e->p->input[0];
		struct xnode *p = (struct xnode *)producer(md, u);
		if (!p || count_uses(md, u) != 1)
			continue;
		if (!strcmp(e->op, "Erf")) {
			if (!with_const(md, p, "Div", sqrt(2.0), &x) &&
			    !with_const(md, p, "Mul", sqrt(0.5), &x))
				continue;
			parts[np++] = p;
		} else if (!strcmp(e->op, "Tanh")) {
			if (!with_const(md, p, "Mul", sqrt(2.0 / 3.14159265358979323846), &v) || count_uses(md, v) != 1)
				continue;
			parts[np++] = p;
			struct xnode *q = (struct xnode *)producer(md, v);
			if (!q || strcmp(q->op, "Add") || q->p->n_input != 2)
				continue;
			parts[np++] = q;
			for (int j = 0; j < 2 && !x; j++) {
				const char *w = q->p->input[j], *cube;
				struct xnode *wn = (struct xnode *)producer(md, w);
				int keep = np;
				if (count_uses(md, w) == 1 && with_const(md, wn, "Mul", 0.044715, &cube)) {
					parts[np++] = wn;
					const char *cx = cube_of(md, cube, parts, &np);
					if (cx && !strcmp(cx, q->p->input[1 - j]))
						x = cx;
				}
				if (!x)
					np = keep;
			}
			if (!x)
				continue;
		} else {
			continue;
		}
		/* 1 + f(...) */
		struct xnode *a1 = only_reader(md, out0(e)), *m1, *end = NULL;
		const char *t1 = NULL, *y;
		if (!with_const(md, a1, "Add", 1.0, &t1) || strcmp(t1, out0(e)))
			continue;
		parts[np++] = a1;
		m1 = only_reader(md, out0(a1));
		if ((y = other_input(m1, "Mul", out0(a1))) != NULL) {
			struct xnode *h = (struct xnode *)producer(md, y), *m2;
			const char *hx, *z;
			if (!strcmp(y, x)) {
				/* x (1 + f) then * 0.5 */
				m2 = only_reader(md, out0(m1));
				if (with_const(md, m2, "Mul", 0.5, &z) && !strcmp(z, out0(m1))) {
					parts[np++] = m1;
					end = m2;
				}
			} else if (with_const(md, h, "Mul", 0.5, &hx) && !strcmp(hx, x) &&
				   count_uses(md, y) == 1) {
				/* (0.5 x) (1 + f) */
				parts[np++] = h;
				end = m1;
			} else if (with_const(md, m1, "Mul", 0.5, &z)) {
				/* 0.5 (1 + f), then * x */
				m2 = only_reader(md, out0(m1));
				if (other_input(m2, "Mul", out0(m1)) && !strcmp(other_input(m2, "Mul", out0(m1)), x)) {
					parts[np++] = m1;
					end = m2;
				}
			}
		}
		if (!end)
			continue;
		e->absorbed = 1;
		for (int j = 0; j < np; j++)
			parts[j]->absorbed = 1;
		end->gelu = 1;
		end->pat_in = x;
	}
}
