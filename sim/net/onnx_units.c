/*
 * onnx_units.c - operators on activations that run on the chip's units:
 * convolutions, dense layers, element-wise operators, activations, pools,
 * Resize and Concat (docs/onnx-import.md).
 */
#include "onnx_int.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- operators on activations: the units ---- */

/* The view of a new layer's output in N, C, H, W (or N, C, L) order. */
static void nchw_view(struct view *v, int rank, uint32_t c, uint32_t h, uint32_t w)
{
	int64_t d[4] = { 1, c, rank == 4 ? h : w, w };
	view_canon(v, rank, d, 1);
}

/* A per-spatial-axis attribute (kernel_shape, strides, dilations) into
 * out[0] (height; 1 for a 1-D window) and out[1] (width); left as it is
 * when absent. */
static int hw_attr(struct ox *ox, const char *name, int sp, int64_t *out)
{
	int64_t v[R];
	int n;
	if (attr_ints(ox, name, v, R, &n))
		return AX_EINPUT;
	if (n < 0)
		return AX_OK;
	if (n != sp)
		return bad(ox, "%s has %d values; expected %d", name, n, sp);
	out[0] = sp == 2 ? v[0] : 1;
	out[1] = v[sp - 1];
	return AX_OK;
}

static int window_attrs(struct ox *ox, int rank, int64_t *k, int64_t *st, int64_t *dl, int64_t *pads,
			char *auto_pad, size_t nap)
{
	int sp = rank - 2, n;
	int64_t v[R];
	if (attr_str(ox, "auto_pad", "NOTSET", auto_pad, nap))
		return AX_EINPUT;
	k[0] = k[1] = 1;
	st[0] = st[1] = dl[0] = dl[1] = 1;
	pads[0] = pads[1] = pads[2] = pads[3] = 0;
	if (hw_attr(ox, "kernel_shape", sp, k) || hw_attr(ox, "strides", sp, st) ||
	    hw_attr(ox, "dilations", sp, dl))
		return AX_EINPUT;
	if (attr_ints(ox, "pads", v, R, &n))
		return AX_EINPUT;
	if (n >= 0) {
		if (n != 2 * sp)
			return bad(ox, "pads has %d values; expected %d", n, 2 * sp);
		if (sp == 2) {
			pads[0] = v[0];
			pads[1] = v[1];
			pads[2] = v[2];
			pads[3] = v[3];
		} else {
			pads[1] = v[0];
			pads[3] = v[1];
		}
	}
	for (int i = 0; i < 2; i++)
		if (k[i] < 1 || st[i] < 1 || dl[i] < 1)
			return bad(ox, "kernel %lldx%lld, stride %lldx%lld or dilation %lldx%lld is not "
				   "valid; expected sizes of 1 or more", (long long)k[0], (long long)k[1],
				   (long long)st[0], (long long)st[1], (long long)dl[0], (long long)dl[1]);
	for (int i = 0; i < 4; i++)
		if (pads[i] < 0)
			return bad(ox, "padding %lld is negative; expected 0 or more", (long long)pads[i]);
	for (int i = 0; i < 2; i++)
		if (k[i] > AX_MAX_KERNEL || st[i] > AX_MAX_KERNEL || dl[i] > AX_MAX_KERNEL)
			return unsup(ox, "kernel %lldx%lld, stride %lldx%lld or dilation %lldx%lld is out "
				     "of range; expected 1 to %d", (long long)k[0], (long long)k[1],
				     (long long)st[0], (long long)st[1], (long long)dl[0],
				     (long long)dl[1], AX_MAX_KERNEL);
	for (int i = 0; i < 4; i++)
		if (pads[i] < 0 || pads[i] > AX_MAX_DIM)
			return unsup(ox, "padding %lld is out of range; expected 0 to %d",
				     (long long)pads[i], AX_MAX_DIM);
	return AX_OK;
}

/* auto_pad SAME_UPPER / SAME_LOWER / VALID for a window over h x w. */
static int auto_pads(struct ox *ox, const char *ap, uint32_t h, uint32_t w, const int64_t *k,
		     const int64_t *st, const int64_t *dl, int64_t *pads)
{
	if (!strcmp(ap, "NOTSET"))
		return AX_OK;
	if (!strcmp(ap, "VALID")) {
		pads[0] = pads[1] = pads[2] = pads[3] = 0;
		return AX_OK;
	}
	int upper = !strcmp(ap, "SAME_UPPER");
	if (!upper && strcmp(ap, "SAME_LOWER"))
		return bad(ox, "auto_pad '%s' is not valid; expected NOTSET, SAME_UPPER, SAME_LOWER "
			   "or VALID", ap);
	uint32_t in[2] = { h, w };
	for (int i = 0; i < 2; i++) {
		int64_t out = (in[i] + st[i] - 1) / st[i];
		int64_t total = (out - 1) * st[i] + (k[i] - 1) * dl[i] + 1 - in[i];
		if (total < 0)
			total = 0;
		pads[i] = upper ? total / 2 : total - total / 2;
		pads[i + 2] = total - pads[i];
	}
	return AX_OK;
}

/* A value without its pending pad, and the pad. */
static const struct val *unpadded(const struct val *x, struct val *tmp, int64_t *pad)
{
	pad[0] = pad[1] = pad[2] = pad[3] = 0;
	if (!x->has_pad)
		return x;
	*tmp = *x;
	tmp->has_pad = 0;
	memcpy(pad, x->pad, sizeof(x->pad));
	return tmp;
}

/* docs/onnx-import.md "Run-time weights": a 1 x 1 convolution (stride 1, no
 * padding, one group, no bias) whose weights W are an activation is the
 * product X W^T of two activations, a dyn_matmul: X's pixels are its rows
 * and W, held as cout pixels of cin channels, its second operand
 * transposed.  1 (nothing done) for any other convolution; else 0 with *rc
 * set. */
static int conv_as_product(struct ox *ox, const struct val *xs, const struct val *wv,
			   const struct rd *r, uint32_t H, uint32_t W, uint32_t C, int64_t M,
			   int *rc)
{
	struct view canon;
	int64_t d[4] = { 1, C, H, W };
	view_canon(&canon, 4, d, 1);
	if (wv->kind != V_ACT || wv->has_pad || wv->v.flat || wv->v.rank != 4 || xs->has_pad ||
	    !view_eq(&xs->v, &canon) || !view_eq(&r->v, &canon) || r->shape.h != H ||
	    r->shape.w != W || r->shape.c != C)
		return 1;
	struct val a = *xs, b = *wv;
	int64_t ad[2] = { (int64_t)H * W, C };
	view_canon(&a.v, 2, ad, 1);
	memset(&b.v, 0, sizeof(b.v));
	b.v.rank = 2;
	b.v.dims[0] = C;
	b.v.dims[1] = M;
	b.v.strides[0] = wv->v.strides[1];
	b.v.strides[1] = wv->v.strides[0];
	b.v.offset = wv->v.offset;
	struct val *out = out_val(ox, 0);
	*rc = dyn_matmul(ox, &a, &b, C, M, 1, out);
	if (!*rc && out) {
		/* the product's H W x cout rows as N, C, H, W */
		int64_t od[4] = { 1, M, H, W };
		view_canon(&out->v, 4, od, 1);
	}
	return 0;
}

int op_conv(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *wv = in_val(ox, 1), *bv = in_val(ox, 2), tmp;
	if (need_act(ox, x, "input X"))
		return AX_EINPUT;
	if (!wv)
		return bad(ox, "the weight input W is missing");
	int64_t wd[R], k[2], st[2], dl[2], pads[4], xpad[4], group;
	char ap[32];
	int wr = val_dims(wv, wd);
	if (wr != x->v.rank)
		return bad(ox, "weight '%s' has rank %d; expected %d like the input", vname(wv), wr,
			   x->v.rank);
	if (wr != 4 && wr != 3)
		return unsup(ox, "a %d-D convolution; expected 1-D or 2-D", wr - 2);
	if (window_attrs(ox, wr, k, st, dl, pads, ap, sizeof(ap)) || attr_int(ox, "group", 1, &group))
		return AX_EINPUT;
	int64_t kh = wr == 4 ? wd[2] : 1, kw = wd[wr - 1];
	if (attr(ox, "kernel_shape") && (k[0] != kh || k[1] != kw))
		return bad(ox, "kernel_shape %lldx%lld differs from the weight's %lldx%lld",
			   (long long)k[0], (long long)k[1], (long long)kh, (long long)kw);
	k[0] = kh; /* kernel_shape is optional: the weight's is the one auto_pad needs */
	k[1] = kw;
	const struct val *xs = unpadded(x, &tmp, xpad);
	struct rd r;
	uint32_t H, W, C;
	if (read_val(ox, xs, 1, &r) || spatial(ox, xs, &r, &H, &W, &C))
		return AX_EINPUT;
	int64_t M = wd[0];
	if (group < 1 || group > C || wd[1] * group != C)
		return bad(ox, "weight '%s' has %lld input channels per group and group is %lld; "
			   "expected %u input channels in all", vname(wv), (long long)wd[1],
			   (long long)group, C);
	if (M < 1 || M > AX_MAX_DIM || M % group)
		return unsup(ox, "%lld output channels in %lld groups; expected 1 to %d, divisible "
			     "by the groups", (long long)M, (long long)group, AX_MAX_DIM);
	if (auto_pads(ox, ap, H, W, k, st, dl, pads))
		return AX_EINPUT;
	for (int i = 0; i < 4; i++)
		pads[i] += xpad[i];
	if (bv && bv->kind != V_CONST)
		return unsup(ox, "the bias must be a constant");
	if (bv && (int64_t)bv->t.n != M)
		return bad(ox, "bias '%s' has %zu values; expected %lld", vname(bv), bv->t.n,
			   (long long)M);
	int rc;
	if (wv->kind != V_CONST && wr == 4 && kh == 1 && kw == 1 && st[0] == 1 && st[1] == 1 &&
	    group == 1 && !bv && !pads[0] && !pads[1] && !pads[2] && !pads[3] &&
	    !conv_as_product(ox, xs, wv, &r, H, W, C, M, &rc))
		return rc;
	if (wv->kind != V_CONST && runtime_weights(ox, wv, (uint64_t)(M * kh * kw * wd[1])))
		return AX_EINPUT;

	long l = emit(ox, cur_label(ox), "", AX_OP_CONV);
	if (l < 0)
		return AX_EINPUT;
	set_in(ox, l, r.layer);
	set_window(L(ox, l), (uint32_t)kh, (uint32_t)kw, (uint32_t)st[0], (uint32_t)st[1], pads,
		   (uint32_t)dl[0], (uint32_t)dl[1]);
	L(ox, l)->runtime = wv->kind != V_CONST;
	L(ox, l)->cout = (uint32_t)M;
	L(ox, l)->groups = (uint32_t)group;
	L(ox, l)->has_bias = bv != NULL;
	if (finish(ox, l))
		return AX_EINPUT;
	struct ldata *d = &ox->ld[l];
	int64_t cg = wd[1];
	if (wv->kind == V_CONST) {
		d->w = ax_xcalloc((size_t)(M * kh * kw * cg), sizeof(float));
		for (int64_t co = 0; co < M; co++)
			for (int64_t ci = 0; ci < cg; ci++)
				for (int64_t y = 0; y < kh; y++)
					for (int64_t xx = 0; xx < kw; xx++)
						d->w[((co * kh + y) * kw + xx) * cg + ci] = (float)ox_tensor_f(
							&wv->t, (size_t)(((co * cg + ci) * kh + y) * kw + xx));
	}
	if (bv) {
		d->b = ax_xcalloc((size_t)M, sizeof(float));
		for (int64_t co = 0; co < M; co++)
			d->b[co] = (float)ox_tensor_f(&bv->t, (size_t)co);
	}
	if (r.aff) {
		fold_in(ox, l, r.aff->a, r.aff->b, NULL, r.c0);
		ox->info.folded++;
		if (pads[0] || pads[1] || pads[2] || pads[3])
			ox->info.approximations++;
	}
	struct view v;
	nchw_view(&v, wr, L(ox, l)->out.c, L(ox, l)->out.h, L(ox, l)->out.w);
	set_act(out_val(ox, 0), ox->raw[l], &v);
	return AX_OK;
}

int op_convtranspose(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *wv = in_val(ox, 1), *bv = in_val(ox, 2);
	if (need_act(ox, x, "input X") || no_pad(ox, x))
		return AX_EINPUT;
	if (!wv)
		return bad(ox, "the weight input W is missing");
	int64_t k[2], st[2], dl[2], pads[4], op[2] = { 0, 0 }, group, v[R], wdims[R];
	char ap[32];
	int n;
	const struct ox_tensor *wt = wv->kind == V_CONST ? &wv->t : NULL;
	int wr = val_dims(wv, wdims);
	if (!wt && runtime_weights(ox, wv, (uint64_t)prod(wdims, wr)))
		return AX_EINPUT;
	if (wr != x->v.rank || (wr != 4 && wr != 3))
		return unsup(ox, "weight '%s' has rank %d; expected 3 or 4, like the input", vname(wv), wr);
	if (window_attrs(ox, wr, k, st, dl, pads, ap, sizeof(ap)) || attr_int(ox, "group", 1, &group))
		return AX_EINPUT;
	if (strcmp(ap, "NOTSET") || attr(ox, "output_shape"))
		return unsup(ox, "auto_pad and output_shape are not supported; expected explicit pads");
	if (dl[0] != 1 || dl[1] != 1)
		return unsup(ox, "a dilated transposed convolution is not supported");
	if (attr_ints(ox, "output_padding", v, R, &n))
		return AX_EINPUT;
	if (n >= 0) {
		if (n != wr - 2)
			return bad(ox, "output_padding has %d values; expected %d", n, wr - 2);
		op[0] = wr == 4 ? v[0] : 0;
		op[1] = v[n - 1];
	}
	struct rd r;
	uint32_t H, W, C;
	if (read_val(ox, x, 1, &r) || spatial(ox, x, &r, &H, &W, &C))
		return AX_EINPUT;
	int64_t kh = wr == 4 ? wdims[2] : 1, kw = wdims[wr - 1];
	if (group < 1 || wdims[0] != C || C % group)
		return bad(ox, "weight '%s' has %lld input channels; expected the input's %u, "
			   "divisible by group %lld", vname(wv), (long long)wdims[0], C,
			   (long long)group);
	int64_t mg = wdims[1], M = mg * group, cg = C / group;
	if (mg < 1 || kh < 1 || kw < 1)
		return bad(ox, "weight '%s' is empty", vname(wv));
	if (bv && (bv->kind != V_CONST || (int64_t)bv->t.n != M))
		return bad(ox, "the bias must be a constant of %lld values", (long long)M);
	int64_t oh = st[0] * (H - 1) + op[0] + kh - pads[0] - pads[2];
	int64_t ow = st[1] * (W - 1) + op[1] + kw - pads[1] - pads[3];
	int64_t sh = st[0], sw = st[1];
	int64_t rep = sh * sw, kp = (kh + sh - 1) / sh, kq = (kw + sw - 1) / sw;
	int64_t cp[4];
	if (sh == 1 && sw == 1) {
		/* a convolution with the flipped kernel */
		int64_t q[4] = { kh - 1 - pads[0], kw - 1 - pads[1], kh - 1 - pads[2] + op[0],
				 kw - 1 - pads[3] + op[1] };
		for (int i = 0; i < 4; i++)
			if (q[i] < 0 || q[i] >= (i % 2 ? kw : kh))
				return unsup(ox, "padding %lld does not fit the %lldx%lld kernel",
					     (long long)pads[i], (long long)kh, (long long)kw);
		memcpy(cp, q, sizeof(cp));
		kp = kh;
		kq = kw;
	} else {
		/* the s x s phases of the output, each a convolution of kernel ceil(k / s)
		 * over the input (cout x s^2 channels), then depth-to-space, which the
		 * graph writes as a slice and an upsampling by s */
		if (sh != sw || oh != sh * (int64_t)H || ow != sw * (int64_t)W)
			return unsup(ox, "stride %lldx%lld giving %lldx%lld from %ux%u; expected equal "
				     "strides and an output of exactly stride x input", (long long)sh,
				     (long long)sw, (long long)oh, (long long)ow, H, W);
		if (kh % sh || kw % sw)
			ox->info.approximations++;
		cp[0] = (kp - 1) / 2;
		cp[2] = kp - 1 - cp[0];
		cp[1] = (kq - 1) / 2;
		cp[3] = kq - 1 - cp[1];
	}
	if (M * rep > AX_MAX_DIM)
		return unsup(ox, "%lld output channels in %lld phases are too many", (long long)M,
			     (long long)rep);
	long l = emit(ox, cur_label(ox), rep > 1 ? "/phases" : "", AX_OP_CONV);
	if (l < 0)
		return AX_EINPUT;
	set_in(ox, l, r.layer);
	L(ox, l)->runtime = !wt;
	set_window(L(ox, l), (uint32_t)kp, (uint32_t)kq, 1, 1, cp, 1, 1);
	L(ox, l)->cout = (uint32_t)(M * rep);
	L(ox, l)->groups = (uint32_t)group;
	L(ox, l)->has_bias = bv != NULL;
	if (finish(ox, l))
		return AX_EINPUT;
	struct ldata *d = &ox->ld[l];
	if (wt)
		d->w = ax_xcalloc((size_t)(M * rep * kp * kq * cg), sizeof(float));
	for (int64_t co = 0; co < M; co++) {
		int64_t grp = co / mg, col = co % mg;
		for (int64_t ph = 0; ph < rep; ph++) {
			int64_t py = ph / sw, px = ph % sw, oc = co * rep + ph;
			for (int64_t y = 0; y < kp; y++)
				for (int64_t xx = 0; xx < kq; xx++) {
					int64_t ky = rep > 1 ? y * sh + py : kh - 1 - y;
					int64_t kx = rep > 1 ? xx * sw + px : kw - 1 - xx;
					if (ky >= kh || kx >= kw || !wt)
						continue;
					for (int64_t ci = 0; ci < cg; ci++)
						d->w[((oc * kp + y) * kq + xx) * cg + ci] = (float)ox_tensor_f(
							wt, (size_t)((((grp * cg + ci) * mg + col) * kh + ky) * kw + kx));
				}
			if (bv) {
				if (!d->b)
					d->b = ax_xcalloc((size_t)(M * rep), sizeof(float));
				d->b[oc] = (float)ox_tensor_f(&bv->t, (size_t)co);
			}
		}
	}
	if (r.aff) {
		fold_in(ox, l, r.aff->a, r.aff->b, NULL, r.c0);
		ox->info.folded++;
	}
	long outl = l;
	if (rep > 1) {
		long s = emit(ox, cur_label(ox), "/shuffle", AX_OP_SLICE);
		if (s < 0)
			return AX_EINPUT;
		set_in(ox, s, l);
		L(ox, s)->slice_start = 0;
		L(ox, s)->slice_end = (uint32_t)M;
		if (finish(ox, s))
			return AX_EINPUT;
		outl = emit(ox, cur_label(ox), "", AX_OP_RESIZE);
		if (outl < 0)
			return AX_EINPUT;
		set_in(ox, outl, s);
		L(ox, outl)->scale = (uint32_t)sh;
		if (finish(ox, outl))
			return AX_EINPUT;
		ox->raw[l]->read = ox->raw[s]->read = 1;
		ox->ld[outl].alias = l;
		ox->ld[outl].alias_rep = (uint32_t)rep;
	}
	struct view vw;
	nchw_view(&vw, wr, L(ox, outl)->out.c, L(ox, outl)->out.h, L(ox, outl)->out.w);
	set_act(out_val(ox, 0), ox->raw[outl], &vw);
	return AX_OK;
}

/* Logical input index j of a dense layer over a whole layer -> its HWC index. */
static int64_t flat_phys(const struct view *v, int64_t j)
{
	int rank = v->flat ? v->src_rank : v->rank;
	const int64_t *d = v->flat ? v->src_dims : v->dims, *s = v->flat ? v->src_strides : v->strides;
	if (v->flat && !rank)
		return j;
	int64_t p = 0;
	for (int i = rank - 1; i >= 0; i--) {
		p += (j % d[i]) * s[i];
		j /= d[i];
	}
	return p;
}

/*
 * out = x w (+ bias) over x's last axis (K values) -> N: a 1x1 convolution
 * over x's pixels when the last axis is the channels, a dense layer when x is
 * one pixel or a whole layer flattened.  w is [N][K] (heap, taken; NULL for
 * weights written at run time); bias [N] or NULL (heap, taken).  groups > 1:
 * x's channels hold groups blocks of K (a batched MatMul of two activations).
 */
int linear(struct ox *ox, const struct val *x, int64_t K, int64_t N, float *w, float *bias,
	   int64_t groups, int drop_last, struct val *out)
{
	struct rd r;
	int rc = AX_EINPUT;
	if (read_val(ox, x, 1, &r))
		goto out_free;
	uint32_t c = r.shape.c;
	int xr = r.v.rank;
	unsigned m = chan_mask(&r.v, c), last = 1u << (xr - 1);
	int64_t cin = (int64_t)r.shape.h * r.shape.w * c;
	if (groups == 1 && x->v.rank > 1 && x->v.dims[x->v.rank - 1] == K &&
	    (r.v.flat || (int64_t)c != K || (m != last && !(K == 1 && m == 0))) &&
	    !((xr == 1 || (xr == 2 && r.v.dims[0] == 1)) && K == cin)) {
		/* rows of K values that are not a layer's pixels (a window
		 * partition): a relayout puts them there */
		if (r.aff && read_val(ox, x, 0, &r))
			goto out_free;
		long rl = relayout_layer(ox, r.layer, &r.v);
		if (rl == -2)
			goto out_free;
		if (rl >= 0) {
			r.layer = rl;
			r.shape = L(ox, rl)->out;
			c = r.shape.c;
			m = chan_mask(&r.v, c);
			cin = (int64_t)r.shape.h * r.shape.w * c;
		}
	}
	struct view ov = r.v;
	enum ax_op op;
	int flattened = 0;
	if (groups > 1) {
		if (r.v.flat || (int64_t)c != groups * K || !(m & last) || r.v.strides[xr - 1] != 1) {
			rc = unsup(ox, "input '%s' does not hold its %lld matrices side by side in the "
				   "channels of layer '%s' (%ux%ux%u); expected the batch and the last "
				   "axis along the channels", vname(x), (long long)groups,
				   L(ox, r.layer)->name, r.shape.h, r.shape.w, c);
			goto out_free;
		}
		for (int i = 0; i < xr - 1; i++)
			if (r.v.dims[i] > 1 && !(m & (1u << i)) != (i == xr - 2)) {
				rc = unsup(ox, "input '%s' has dimension %d %s the channels of layer '%s'; "
					   "expected the batch axes along the channels and the rows "
					   "along the pixels", vname(x), i, i == xr - 2 ? "in" : "outside",
					   L(ox, r.layer)->name);
				goto out_free;
			}
		op = AX_OP_CONV;
	} else if (!r.v.flat && (int64_t)c == K && (m == last || (K == 1 && m == 0))) {
		op = r.shape.h == 1 && r.shape.w == 1 ? AX_OP_DENSE : AX_OP_CONV;
	} else if ((xr == 1 || (xr == 2 && r.v.dims[0] == 1)) && K == cin) {
		op = AX_OP_DENSE;
		flattened = 1;
	} else {
		char d[96];
		dims_str(d, sizeof(d), r.v.rank, r.v.dims);
		rc = unsup(ox, "input '%s' (%s) does not have its last axis along the channels of "
			   "layer '%s' (%ux%ux%u); expected the channels last or a flattened tensor",
			   vname(x), d, L(ox, r.layer)->name, r.shape.h, r.shape.w, c);
		goto out_free;
	}
	if (N * groups > AX_MAX_DIM) {
		rc = unsup(ox, "%lld outputs are too many; expected at most %d", (long long)(N * groups),
			   AX_MAX_DIM);
		goto out_free;
	}
	long l = emit(ox, cur_label(ox), "", op);
	if (l < 0)
		goto out_free;
	int64_t zero[4] = { 0, 0, 0, 0 };
	set_in(ox, l, r.layer);
	L(ox, l)->cout = (uint32_t)(N * groups);
	L(ox, l)->has_bias = bias != NULL;
	if (op == AX_OP_CONV) {
		set_window(L(ox, l), 1, 1, 1, 1, zero, 1, 1);
		L(ox, l)->groups = (uint32_t)groups;
	}
	if (finish(ox, l))
		goto out_free;
	struct ldata *d = &ox->ld[l];
	if (w && flattened) {
		d->w = ax_xcalloc((size_t)(N * K), sizeof(float));
		for (int64_t n = 0; n < N; n++)
			for (int64_t j = 0; j < K; j++)
				d->w[n * K + flat_phys(&r.v, j)] = w[n * K + j];
		free(w);
	} else {
		d->w = w;
	}
	w = NULL;
	d->b = bias;
	bias = NULL;
	if (d->w && r.aff) {
		uint32_t *map = NULL;
		if (flattened) {
			map = ax_xcalloc((size_t)cin, sizeof(uint32_t));
			for (int64_t i = 0; i < cin; i++)
				map[i] = r.c0 + (uint32_t)(i % c);
		}
		fold_in(ox, l, r.aff->a, r.aff->b, map, r.c0);
		free(map);
		ox->info.folded++;
	}
	if (flattened) {
		int64_t dd[2] = { 1, N };
		view_canon(&ov, xr, dd + (2 - xr), xr - 1);
	} else {
		/* channel axes keep their strides (per group: K -> N), pixel axes follow */
		for (int i = 0; i < xr; i++) {
			if (ov.dims[i] <= 1)
				continue;
			if (ov.strides[i] >= (int64_t)c)
				ov.strides[i] = ov.strides[i] / c * N * groups;
			else if (i != xr - 1)
				ov.strides[i] = ov.strides[i] / K * N;
		}
		ov.dims[xr - 1] = N;
		ov.strides[xr - 1] = 1;
	}
	if (drop_last)
		ov.rank--;
	set_act(out, ox->raw[l], &ov);
	rc = AX_OK;
out_free:
	free(w);
	free(bias);
	return rc;
}

int op_batchnorm(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	double eps;
	int64_t training;
	if (need_act(ox, x, "input X") || no_pad(ox, x) || attr_float(ox, "epsilon", 1e-5, &eps) ||
	    attr_int(ox, "training_mode", 0, &training))
		return AX_EINPUT;
	if (training)
		return unsup(ox, "training_mode is set; expected an inference graph");
	if (x->v.rank < 2)
		return bad(ox, "the input has rank %d; expected N, C, ...", x->v.rank);
	int64_t C = x->v.dims[1];
	const struct val *p[4];
	for (int k = 0; k < 4; k++) {
		p[k] = in_val(ox, (size_t)k + 1);
		if (!p[k] || p[k]->kind != V_CONST)
			return p[k] ? unsup(ox, "scale, bias, mean and variance must be constants")
				    : bad(ox, "input %d is missing", k + 1);
		if ((int64_t)p[k]->t.n != C)
			return bad(ox, "input '%s' has %zu values; expected %lld (the channels)",
				   vname(p[k]), p[k]->t.n, (long long)C);
	}
	/* a, b as constants of shape C x 1 x ... that broadcast along axis 1 */
	struct ox_tensor ta, tb;
	int64_t d[R];
	d[0] = C;
	for (int i = 1; i < x->v.rank - 1; i++)
		d[i] = 1;
	tensor_alloc(&ta, OX_FLOAT, x->v.rank - 1, d);
	tensor_alloc(&tb, OX_FLOAT, x->v.rank - 1, d);
	for (int64_t ch = 0; ch < C; ch++) {
		double sc = ox_tensor_f(&p[0]->t, (size_t)ch), bb = ox_tensor_f(&p[1]->t, (size_t)ch);
		double mean = ox_tensor_f(&p[2]->t, (size_t)ch), var = ox_tensor_f(&p[3]->t, (size_t)ch);
		double a = var + eps > 0 ? sc / sqrt(var + eps) : 0;
		ta.f[ch] = (float)a;
		tb.f[ch] = (float)(bb - mean * a);
	}
	float *a, *b;
	int rc = affine_vectors(ox, x, &ta, &tb, &a, &b);
	ox_tensor_release(&ta);
	ox_tensor_release(&tb);
	if (rc) {
		free(a);
		free(b);
		return rc;
	}
	return apply_affine(ox, x, a, b, out);
}

/* Operands of the same dimensions laid out differently (a Swin block's
 * output, its windows reversed, added to its input): each that is not in
 * the order of its dimensions, channels last, is put so by a relayout.
 * 0, or -2 on a reported failure. */
static int relayout_unless_canon(struct ox *ox, struct rd *r)
{
	struct view cv;
	struct ax_shape cs;
	int64_t d[R];
	memcpy(d, r->v.dims, sizeof(d));
	view_canon(&cv, r->v.rank, d, r->v.rank - 1);
	if (canon_shape(r->v.rank, d, r->v.rank - 1, &cs) ||
	    (view_eq(&cv, &r->v) && !memcmp(&cs, &r->shape, sizeof(cs))))
		return 0;
	long l = relayout_layer(ox, r->layer, &r->v);
	if (l == -2)
		return -2;
	if (l >= 0) {
		r->layer = l;
		r->shape = L(ox, l)->out;
	}
	return 0;
}

/* x and y (same dimensions, or y one value per channel of x) to one layer. */
static int elementwise(struct ox *ox, enum ax_op op, const struct val *x, const struct val *y,
		       int approx, struct val *out)
{
	int64_t xd[R], yd[R];
	int xr = val_dims(x, xd), yr = val_dims(y, yd);
	if (no_pad(ox, x) || no_pad(ox, y))
		return AX_EINPUT;
	/* the larger operand first */
	if (prod(yd, yr) > prod(xd, xr)) {
		const struct val *t = x;
		x = y;
		y = t;
		int tr = xr;
		xr = yr;
		yr = tr;
		int64_t td[R];
		memcpy(td, xd, sizeof(td));
		memcpy(xd, yd, sizeof(xd));
		memcpy(yd, td, sizeof(yd));
	}
	/* y must broadcast to x without x growing */
	for (int i = 0; i < yr; i++) {
		int j = i + xr - yr;
		if (j < 0 || (yd[i] != 1 && yd[i] != xd[j]))
			return unsup(ox, "'%s' and '%s' broadcast to a larger tensor than either; expected "
				     "equal shapes or one operand per channel", vname(x), vname(y));
	}
	struct rd rx, ry;
	if (read_val(ox, x, 0, &rx) || read_val(ox, y, 0, &ry))
		return AX_EINPUT;
	int same = xr == yr && !memcmp(xd, yd, (size_t)xr * sizeof(xd[0]));
	char a[96], b[96];
	if (same && (!view_eq(&rx.v, &ry.v) || memcmp(&rx.shape, &ry.shape, sizeof(rx.shape))) &&
	    (relayout_unless_canon(ox, &rx) == -2 || relayout_unless_canon(ox, &ry) == -2))
		return AX_EINPUT;
	if (same) {
		if (rx.shape.h != ry.shape.h || rx.shape.w != ry.shape.w || rx.shape.c != ry.shape.c ||
		    !view_eq(&rx.v, &ry.v)) {
			dims_str(a, sizeof(a), xr, xd);
			return unsup(ox, "'%s' and '%s' (%s) are laid out differently (%ux%ux%u in layer "
				     "'%s', %ux%ux%u in layer '%s'); expected the same layout",
				     vname(x), vname(y), a, rx.shape.h, rx.shape.w, rx.shape.c,
				     L(ox, rx.layer)->name, ry.shape.h, ry.shape.w, ry.shape.c,
				     L(ox, ry.layer)->name);
		}
	} else {
		/* y: one value per channel of x, on a 1 x 1 x C layer */
		int ok = ry.shape.h == 1 && ry.shape.w == 1 && ry.shape.c == rx.shape.c && !rx.v.flat &&
			 !ry.v.flat;
		for (int i = 0; ok && i < xr; i++) {
			int j = i - (xr - yr);
			int64_t ydim = j >= 0 ? yd[j] : 1;
			int xch = xd[i] > 1 && rx.v.strides[i] < (int64_t)rx.shape.c;
			if (ydim > 1)
				ok = xch && ry.v.strides[j] == rx.v.strides[i];
			else
				ok = !xch;
		}
		if (!ok) {
			dims_str(a, sizeof(a), xr, xd);
			dims_str(b, sizeof(b), yr, yd);
			return unsup(ox, "'%s' (%s) and '%s' (%s) broadcast in a way the vector unit does "
				     "not; expected equal shapes or one value per channel", vname(x), a,
				     vname(y), b);
		}
		if (op != AX_OP_MUL)
			approx = 1;
		op = AX_OP_MUL;
	}
	long l = emit(ox, cur_label(ox), "", op);
	if (l < 0)
		return AX_EINPUT;
	L(ox, l)->n_in = 2;
	L(ox, l)->in[0] = (uint32_t)rx.layer;
	L(ox, l)->in[1] = (uint32_t)ry.layer;
	if (finish(ox, l))
		return AX_EINPUT;
	ox->info.approximations += approx != 0;
	set_act(out, ox->raw[l], &rx.v);
	return AX_OK;
}

/* x * f(x) patterns: f is a pending step on x's data with the same view. */
static int is_step_on(const struct val *y, const struct val *x, enum skind kind)
{
	return y->kind == V_ACT && y->s->kind == kind && y->s->layer < 0 && y->s->parent == x->s &&
	       !y->has_pad && !x->has_pad && view_eq(&y->v, &x->v);
}

static int mul_pattern(struct ox *ox, const struct val *x, const struct val *y, struct val *out)
{
	const struct src *s = y->s;
	uint32_t c = x->s->shape.c;
	/* x * sigmoid(x): SiLU */
	if (is_step_on(y, x, S_ACT) && s->act == AX_ACT_SIGMOID && !s->hsig && !s->approx) {
		ox->info.patterns++;
		return apply_act(ox, x, AX_ACT_SILU, 0, 0, out) ? -1 : 1;
	}
	/* x * hard_sigmoid(x) with slope 1/6: hard-swish */
	if (is_step_on(y, x, S_ACT) && s->hsig && fabsf(s->hs_alpha - 1.0f / 6) < 1e-4f &&
	    fabsf(s->hs_beta - 0.5f) < 1e-4f) {
		ox->info.patterns++;
		return apply_act(ox, x, AX_ACT_HARDSWISH, 0, 0, out) ? -1 : 1;
	}
	/* x * relu6(x + 3), possibly / 6 already: hard-swish (times 6) */
	const struct src *q = s;
	int div6 = 0;
	if (y->kind == V_ACT && q->kind == S_AFFINE && q->layer < 0 && is_scalar_vec(q->a, c, 1.0f / 6, 1e-4f) &&
	    is_scalar_vec(q->b, c, 0.0f, 0.0f) && q->parent) {
		q = q->parent;
		div6 = 1;
	}
	if (y->kind == V_ACT && !y->has_pad && !x->has_pad && view_eq(&y->v, &x->v) &&
	    q->kind == S_ACT && q->layer < 0 && q->act == AX_ACT_RELU6 && !q->approx &&
	    q->parent && q->parent->kind == S_AFFINE && q->parent->layer < 0 &&
	    q->parent->parent == x->s && is_scalar_vec(q->parent->a, c, 1.0f, 1e-6f) &&
	    is_scalar_vec(q->parent->b, c, 3.0f, 1e-4f)) {
		ox->info.patterns++;
		if (div6)
			return apply_act(ox, x, AX_ACT_HARDSWISH, 0, 0, out) ? -1 : 1;
		struct src *ns = step_new(ox, S_HSW6, x->s);
		set_act(out, ns, &x->v);
		return 1;
	}
	return 0;
}

/* Whether constant t varies only along x's channel axes (a scalar or one
 * value per channel), so that it folds as an affine. */
static int per_channel(const struct val *x, const struct ox_tensor *t)
{
	if (t->n <= 1)
		return 1;
	if (t->rank > x->v.rank || x->v.flat)
		return 1; /* affine_vectors says why not */
	uint32_t c = x->s->shape.c;
	int off = x->v.rank - t->rank;
	for (int j = 0; j < t->rank; j++)
		if (t->dims[j] > 1 && x->v.dims[j + off] > 1 && x->v.strides[j + off] >= (int64_t)c)
			return 0;
	return 1;
}

/* x op k with k a constant that varies along x's pixels (a position
 * embedding): k becomes a const layer in x's layout, and the operation a
 * vector-unit layer over both (docs/onnx-import.md "Transformers"). */
static int const_operand(struct ox *ox, const struct val *x, const struct val *k, struct val *out)
{
	const char *op = cur_op(ox);
	int act_first = x == in_val(ox, 0);
	if (!strcmp(op, "Div") && !act_first)
		return unsup(ox, "a constant tensor divided by an activation is not supported");
	struct rd r;
	if (read_val(ox, x, 0, &r))
		return AX_EINPUT;
	int64_t xd[R];
	int xr = val_dims(x, xd);
	for (int j = 0; j < k->t.rank; j++) {
		int i = j + xr - k->t.rank;
		if (i < 0 || (k->t.dims[j] != 1 && k->t.dims[j] != xd[i]))
			return unsup(ox, "'%s' and '%s' broadcast to a larger tensor than '%s'; expected "
				     "a constant that fits the activation", vname(x), vname(k), vname(x));
	}
	if (r.v.flat || prod(r.v.dims, r.v.rank) != (int64_t)ax_shape_bytes(r.shape))
		return unsup(ox, "'%s' is not a whole layer in its order; a constant tensor is added "
			     "to whole layers only", vname(x));
	int sub = !strcmp(op, "Sub"), div = !strcmp(op, "Div");
	/* x - k = x + (-k); k - x is priced as the add it is but for a sign */
	double scale = sub && act_first ? -1.0 : div ? 0.0 : 1.0;
	long cl = const_layer(ox, &k->t, scale, &r.v, r.shape, k->folded && !k->from_init);
	if (cl < 0)
		return AX_EINPUT;
	enum ax_op lop = !strcmp(op, "Mul") || div ? AX_OP_MUL : AX_OP_ADD;
	long l = emit(ox, cur_label(ox), "", lop);
	if (l < 0)
		return AX_EINPUT;
	L(ox, l)->n_in = 2;
	L(ox, l)->in[0] = (uint32_t)r.layer;
	L(ox, l)->in[1] = (uint32_t)cl;
	if (finish(ox, l))
		return AX_EINPUT;
	ox->raw[cl]->read = 1;
	/* a divisor is a multiply by its reciprocal: priced the same */
	ox->info.approximations += div || (sub && !act_first);
	set_act(out, ox->raw[l], &r.v);
	return AX_OK;
}

int op_binary(struct ox *ox)
{
	const char *op = cur_op(ox);
	struct val *x = in_val(ox, 0), *y = in_val(ox, 1), *out = out_val(ox, 0);
	if (!x || !y)
		return bad(ox, "it needs two inputs");
	if (x->kind != V_ACT && y->kind != V_ACT)
		return unsup(ox, "neither input is an activation");
	int mul = !strcmp(op, "Mul"), add = !strcmp(op, "Add"), sub = !strcmp(op, "Sub");
	if (x->kind == V_ACT && y->kind == V_ACT) {
		if (mul) {
			int rc = mul_pattern(ox, x, y, out);
			if (!rc)
				rc = mul_pattern(ox, y, x, out);
			if (rc)
				return rc < 0 ? AX_EINPUT : AX_OK;
			return elementwise(ox, AX_OP_MUL, x, y, 0, out);
		}
		/* Div: a multiply by the reciprocal, one pass like mul */
		return elementwise(ox, add || sub ? AX_OP_ADD : AX_OP_MUL, x, y, !add && !sub && !mul, out);
	}
	int act_first = x->kind == V_ACT;
	struct val *a = act_first ? x : y, *k = act_first ? y : x;
	if (k->kind != V_CONST)
		return unsup(ox, "operand '%s' is not known on the chip", vname(k));
	if (no_pad(ox, a))
		return AX_EINPUT;
	if (!strcmp(op, "Div") && !act_first) {
		/* c / x: a reciprocal, a lookup-table activation */
		double cv;
		if (const_scalar(k, &cv))
			return unsup(ox, "a constant divided by an activation must be a scalar");
		return apply_act(ox, a, AX_ACT_SIGMOID, 0, 1, out);
	}
	if (!per_channel(a, &k->t))
		return const_operand(ox, a, k, out);
	float *va, *vb;
	int rc = affine_vectors(ox, a, mul || !strcmp(op, "Div") ? &k->t : NULL,
				add || sub ? &k->t : NULL, &va, &vb);
	if (rc) {
		free(va);
		free(vb);
		return rc;
	}
	uint32_t c = a->s->shape.c;
	for (uint32_t ch = 0; ch < c; ch++) {
		if (sub && act_first)
			vb[ch] = -vb[ch];
		else if (sub)
			va[ch] = -1.0f;
		else if (!strcmp(op, "Div"))
			va[ch] = va[ch] != 0.0f ? 1.0f / va[ch] : 0.0f;
	}
	return apply_affine(ox, a, va, vb, out);
}

int op_pow(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *e = in_val(ox, 1), *out = out_val(ox, 0);
	double ev;
	if (need_act(ox, x, "the base") || no_pad(ox, x))
		return AX_EINPUT;
	if (!e || const_scalar(e, &ev))
		return unsup(ox, "the exponent must be a constant scalar");
	if (ev == 1.0) {
		set_act(out, x->s, &x->v);
		return AX_OK;
	}
	if (ev == 0.5)
		return apply_act(ox, x, AX_ACT_SIGMOID, 0, 1, out);
	return elementwise(ox, AX_OP_MUL, x, x, ev != 2.0, out);
}

/* Relu, Clip, Sigmoid, HardSigmoid, HardSwish, LeakyRelu, Sqrt, Erf, Tanh. */
int op_act(struct ox *ox)
{
	const char *op = cur_op(ox);
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	if (need_act(ox, x, "input") || no_pad(ox, x))
		return AX_EINPUT;
	double alpha, beta;
	if (!strcmp(op, "Relu"))
		return apply_act(ox, x, AX_ACT_RELU, 0, 0, out);
	if (!strcmp(op, "Sigmoid"))
		return apply_act(ox, x, AX_ACT_SIGMOID, 0, 0, out);
	if (!strcmp(op, "HardSwish"))
		return apply_act(ox, x, AX_ACT_HARDSWISH, 0, 0, out);
	/* the DPU's lookup table prices any pointwise function alike */
	if (!strcmp(op, "Sqrt") || !strcmp(op, "Erf") || !strcmp(op, "Tanh"))
		return apply_act(ox, x, AX_ACT_SIGMOID, 0, 1, out);
	if (!strcmp(op, "LeakyRelu")) {
		if (attr_float(ox, "alpha", 0.01, &alpha))
			return AX_EINPUT;
		if (!(alpha >= 0 && alpha <= 1))
			return unsup(ox, "alpha %g is out of range; expected 0 to 1", alpha);
		return apply_act(ox, x, AX_ACT_LEAKY_RELU, (int32_t)lround(alpha * 1000), 0, out);
	}
	if (!strcmp(op, "HardSigmoid")) {
		if (attr_float(ox, "alpha", 0.2, &alpha) || attr_float(ox, "beta", 0.5, &beta))
			return AX_EINPUT;
		struct src *before = x->s;
		if (apply_act(ox, x, AX_ACT_SIGMOID, 0, 1, out))
			return AX_EINPUT;
		if (out && out->s != before && out->s->kind == S_ACT) {
			out->s->hsig = 1;
			out->s->approx = 0;
			out->s->hs_alpha = (float)alpha;
			out->s->hs_beta = (float)beta;
		}
		return AX_OK;
	}
	/* Clip */
	double lo = -INFINITY, hi = INFINITY;
	if (ox->md->opset < 11) {
		if (attr_float(ox, "min", -INFINITY, &lo) || attr_float(ox, "max", INFINITY, &hi))
			return AX_EINPUT;
	} else {
		struct val *mn = in_val(ox, 1), *mx = in_val(ox, 2);
		if ((mn && const_scalar(mn, &lo)) || (mx && const_scalar(mx, &hi)))
			return unsup(ox, "min and max must be constant scalars");
	}
	if (lo <= -FLT_MAX && hi >= FLT_MAX) {
		set_act(out, x->s, &x->v);
		return AX_OK;
	}
	if (lo == 0 && hi >= FLT_MAX)
		return apply_act(ox, x, AX_ACT_RELU, 0, 0, out);
	return apply_act(ox, x, AX_ACT_RELU6, 0, !(lo == 0 && hi == 6), out);
}

int op_pool(struct ox *ox)
{
	const char *op = cur_op(ox);
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0), tmp;
	if (need_act(ox, x, "input"))
		return AX_EINPUT;
	int gl = !strncmp(op, "Global", 6), mx = strstr(op, "Max") != NULL;
	int64_t k[2], st[2], dl[2], pads[4], xpad[4], ceil_mode = 0;
	char ap[32];
	const struct val *xs = unpadded(x, &tmp, xpad);
	if (gl && x->has_pad)
		return no_pad(ox, x);
	if (!gl && (window_attrs(ox, x->v.rank, k, st, dl, pads, ap, sizeof(ap)) ||
		    attr_int(ox, "ceil_mode", 0, &ceil_mode)))
		return AX_EINPUT;
	if (!gl && !attr(ox, "kernel_shape"))
		return bad(ox, "kernel_shape is missing");
	struct rd r;
	uint32_t H, W, C;
	if (read_val(ox, xs, 0, &r) || spatial(ox, xs, &r, &H, &W, &C))
		return AX_EINPUT;
	long l;
	if (gl) {
		l = emit(ox, cur_label(ox), "", AX_OP_GLOBALPOOL);
		if (l < 0)
			return AX_EINPUT;
		set_in(ox, l, r.layer);
		ox->info.approximations += mx;
	} else {
		if (auto_pads(ox, ap, H, W, k, st, dl, pads))
			return AX_EINPUT;
		for (int i = 0; i < 4; i++)
			pads[i] += xpad[i];
		if (ceil_mode) {
			uint32_t in[2] = { H, W };
			for (int i = 0; i < 2; i++) {
				int64_t ext = (k[i] - 1) * dl[i] + 1, span = in[i] + pads[i] + pads[i + 2] - ext;
				if (span >= 0 && span % st[i])
					pads[i + 2] += st[i] - span % st[i];
			}
		}
		l = emit(ox, cur_label(ox), "", mx ? AX_OP_MAXPOOL : AX_OP_AVGPOOL);
		if (l < 0)
			return AX_EINPUT;
		set_in(ox, l, r.layer);
		set_window(L(ox, l), (uint32_t)k[0], (uint32_t)k[1], (uint32_t)st[0], (uint32_t)st[1],
			   pads, (uint32_t)dl[0], (uint32_t)dl[1]);
	}
	if (finish(ox, l))
		return AX_EINPUT;
	struct view v;
	nchw_view(&v, x->v.rank, L(ox, l)->out.c, L(ox, l)->out.h, L(ox, l)->out.w);
	set_act(out, ox->raw[l], &v);
	return AX_OK;
}

int op_resize(struct ox *ox)
{
	const char *op = cur_op(ox);
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	char mode[32];
	if (need_act(ox, x, "input") || attr_str(ox, "mode", "nearest", mode, sizeof(mode)))
		return AX_EINPUT;
	int r = x->v.rank;
	double sc[R];
	const Onnx__AttributeProto *sa = attr(ox, "scales");
	struct val *sv = NULL, *zv = NULL;
	if (!strcmp(op, "Upsample") && sa) {
		if (sa->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS)
			return attr_type_bad(ox, sa, "FLOATS");
		if ((int)sa->n_floats != r)
			return bad(ox, "scales has %zu values; expected %d", sa->n_floats, r);
		for (int i = 0; i < r; i++)
			sc[i] = sa->floats[i];
	} else {
		if (!strcmp(op, "Upsample") || ox->md->opset < 11) {
			sv = in_val(ox, 1);
		} else {
			sv = in_val(ox, 2);
			zv = in_val(ox, 3);
		}
		if (sv && sv->kind == V_CONST && sv->t.n == 0)
			sv = NULL;
		if (!sv && !zv)
			return bad(ox, "neither scales nor sizes is given");
		const struct val *g = sv ? sv : zv;
		if (g->kind != V_CONST)
			return unsup(ox, "%s must be constant", sv ? "scales" : "sizes");
		if ((int)g->t.n != r)
			return bad(ox, "%s has %zu values; expected %d", sv ? "scales" : "sizes", g->t.n, r);
		for (int i = 0; i < r; i++)
			sc[i] = sv ? ox_tensor_f(&g->t, (size_t)i)
				   : (double)ox_tensor_i(&g->t, (size_t)i) / (double)x->v.dims[i];
	}
	if (r < 3)
		return unsup(ox, "resizing a %d-D tensor; expected N, C, H, W", r);
	for (int i = 0; i < r - 2; i++)
		if (sc[i] != 1.0)
			return unsup(ox, "it scales dimension %d by %g; expected height and width only", i,
				     sc[i]);
	double sh = r == 4 ? sc[r - 2] : sc[r - 1], sw = sc[r - 1];
	if (sh != sw || sh < 1 || sh > AX_MAX_KERNEL || sh != floor(sh))
		return unsup(ox, "scales %gx%g; expected the same integer factor (1 to %d) for height "
			     "and width", sh, sw, AX_MAX_KERNEL);
	if (strcmp(mode, "nearest"))
		ox->info.approximations++;
	if (sh == 1)
		return op_identity(ox);
	struct rd rr;
	uint32_t H, W, C;
	if (no_pad(ox, x) || read_val(ox, x, 0, &rr) || spatial(ox, x, &rr, &H, &W, &C))
		return AX_EINPUT;
	long l = emit(ox, cur_label(ox), "", AX_OP_RESIZE);
	if (l < 0)
		return AX_EINPUT;
	set_in(ox, l, rr.layer);
	L(ox, l)->scale = (uint32_t)sh;
	if (finish(ox, l))
		return AX_EINPUT;
	struct view v;
	nchw_view(&v, r, L(ox, l)->out.c, L(ox, l)->out.h, L(ox, l)->out.w);
	set_act(out, ox->raw[l], &v);
	return AX_OK;
}

/* A concatenation along a pixel axis a: each input holds its layer's pixels
 * in order along a (the tokens) and the same channel axes as the first. */
static int concat_is_pixels(const struct rd *rs, size_t n, int a)
{
	for (size_t k = 0; k < n; k++) {
		const struct view *v = &rs[k].v, *v0 = &rs[0].v;
		int64_t c = rs[k].shape.c, px = (int64_t)rs[k].shape.h * rs[k].shape.w;
		if (v->flat || v->offset || rs[k].shape.c != rs[0].shape.c || v->dims[a] != px ||
		    (px > 1 && v->strides[a] != c))
			return 0;
		int64_t chans = 1;
		for (int i = 0; i < v->rank; i++) {
			if (i == a || v->dims[i] == 1)
				continue;
			if (v->strides[i] >= c || v->strides[i] != v0->strides[i])
				return 0;
			chans *= v->dims[i];
		}
		if (chans != c)
			return 0;
	}
	return 1;
}

/* A chain of concat layers along axis of at most AX_MAX_INPUTS inputs each
 * over the layers rs reads; the last of them, or -1 (reported). */
long concat_chain(struct ox *ox, const struct rd *rs, size_t n, uint32_t axis)
{
	long l = -1;
	size_t at = 0;
	while (at < n) {
		size_t take = n - at, slots = l < 0 ? AX_MAX_INPUTS : AX_MAX_INPUTS - 1;
		if (take > slots)
			take = slots;
		long nl = emit(ox, cur_label(ox), "", AX_OP_CONCAT);
		if (nl < 0)
			return -1;
		uint32_t j = 0;
		if (l >= 0)
			L(ox, nl)->in[j++] = (uint32_t)l;
		for (size_t k = 0; k < take; k++)
			L(ox, nl)->in[j++] = (uint32_t)rs[at + k].layer;
		L(ox, nl)->n_in = j;
		L(ox, nl)->axis = axis;
		if (finish(ox, nl))
			return -1;
		if (l >= 0)
			ox->raw[l]->read = 1;
		l = nl;
		at += take;
	}
	return l;
}

/* docs/onnx-import.md "Transformers": a concat of pixels (the class token
 * before the patches). */
static int concat_pixels(struct ox *ox, const struct rd *rs, size_t n, int a, struct val *out)
{
	long l = concat_chain(ox, rs, n, AX_AXIS_PIXELS);
	if (l < 0)
		return AX_EINPUT;
	struct view v = rs[0].v;
	v.dims[a] = L(ox, l)->out.w;
	v.strides[a] = L(ox, l)->out.c;
	set_act(out, ox->raw[l], &v);
	return AX_OK;
}

/* Whether every input's last axis is its layer's channels. */
static int channels_last(const struct rd *rs, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		int r = rs[k].v.rank;
		if (rs[k].v.flat || rs[k].v.dims[r - 1] != rs[k].shape.c ||
		    (rs[k].shape.c > 1 && rs[k].v.strides[r - 1] != 1))
			return 0;
	}
	return 1;
}

/* A concat along an axis of the pixels that is not the outermost (the two
 * halves of torch.roll along the width, in a Swin block's cyclic shift):
 * each input in the order of its dimensions, a concat of pixels, and a
 * relayout of the result into the order of the output's dimensions. */
static int concat_relaid(struct ox *ox, struct rd *rs, size_t n, int a, struct val *out)
{
	for (size_t k = 0; k < n; k++)
		if (relayout_unless_canon(ox, &rs[k]))
			return AX_EINPUT;
	long l = concat_chain(ox, rs, n, AX_AXIS_PIXELS);
	if (l < 0)
		return AX_EINPUT;
	struct view v;
	int64_t d[R];
	memcpy(d, rs[0].v.dims, sizeof(d));
	d[a] = 0;
	for (size_t k = 0; k < n; k++)
		d[a] += rs[k].v.dims[a];
	view_canon(&v, rs[0].v.rank, d, rs[0].v.rank - 1);
	int outer = 1;
	for (int i = 0; i < a; i++)
		outer &= d[i] == 1;
	if (!outer) {
		ox->raw[l]->read = 1;
		l = relayout_layer(ox, l, &v);
		if (l < 0)
			return l == -2 ? AX_EINPUT : unsup(ox, "its output does not fit a layer");
	}
	set_act(out, ox->raw[l], &v);
	return AX_OK;
}

/* torch.roll as exported: x[k:] and x[:k] of one channels-last view joined
 * along the axis they cut, one relayout of the whole view (docs/onnx-import.md
 * "Transformers").  1 (nothing done) when the concat is not that; else 0 with
 * *rc set. */
static int concat_roll(struct ox *ox, int64_t axis, struct val *out, int *rc)
{
	const struct val *p = in_val(ox, 0), *q = in_val(ox, 1);
	if (n_inputs(ox) != 2 || !p || !q || p->kind != V_ACT || q->kind != V_ACT || p->s != q->s ||
	    p->has_pad || q->has_pad || p->v.flat || q->v.flat || p->v.rank != q->v.rank)
		return 1;
	int r = p->v.rank, a = norm_axis(axis, r);
	if (a < 0 || a == r - 1 || p->v.dims[r - 1] != (int64_t)p->s->shape.c ||
	    (p->v.dims[r - 1] > 1 && p->v.strides[r - 1] != 1))
		return 1;
	for (int i = 0; i < r; i++)
		if (p->v.strides[i] != q->v.strides[i] || (i != a && p->v.dims[i] != q->v.dims[i]))
			return 1;
	if (p->v.offset != q->v.offset + q->v.dims[a] * q->v.strides[a])
		return 1;
	struct val whole = *q;
	struct rd rr;
	whole.v.dims[a] = p->v.dims[a] + q->v.dims[a];
	*rc = AX_EINPUT;
	if (read_val(ox, &whole, 0, &rr))
		return 0;
	long l = relayout_layer(ox, rr.layer, &rr.v);
	if (l == -1)
		return 1;
	if (l >= 0) {
		set_act(out, ox->raw[l], &rr.v);
		*rc = AX_OK;
	}
	return 0;
}

int op_concat(struct ox *ox)
{
	struct val *out = out_val(ox, 0);
	int64_t axis;
	if (attr_int(ox, "axis", 0, &axis))
		return AX_EINPUT;
	int roll_rc;
	if (!concat_roll(ox, axis, out, &roll_rc))
		return roll_rc;
	size_t n = 0;
	struct rd *rs = ax_xcalloc(n_inputs(ox) + 1, sizeof(*rs));
	const struct val *first = NULL;
	int rc = AX_EINPUT, a = -1;
	for (size_t k = 0; k < n_inputs(ox); k++) {
		struct val *v = in_val(ox, k), tmp;
		if (!v)
			continue;
		if (v->kind == V_CONST) {
			/* a constant (a class token) is a const layer in the weight section */
			if (const_act(ox, v, &tmp))
				goto out_free;
			v = &tmp;
		}
		if (v->kind != V_ACT) {
			rc = unsup(ox, "input '%s' is not known on the chip", vname(v));
			goto out_free;
		}
		if (no_pad(ox, v))
			goto out_free;
		if (!first) {
			first = in_val(ox, k);
			a = norm_axis(axis, v->v.rank);
			if (a < 0) {
				rc = bad(ox, "axis %lld is out of range", (long long)axis);
				goto out_free;
			}
		}
		int64_t fd[R];
		if (v->v.rank != val_dims(first, fd)) {
			rc = bad(ox, "its inputs have different ranks");
			goto out_free;
		}
		for (int i = 0; i < v->v.rank; i++)
			if (i != a && v->v.dims[i] != fd[i]) {
				rc = bad(ox, "input '%s' differs from '%s' in dimension %d", vname(v),
					 vname(first), i);
				goto out_free;
			}
		if (read_val(ox, v, 0, &rs[n]))
			goto out_free;
		n++;
	}
	if (!n) {
		rc = bad(ox, "it has no inputs");
		goto out_free;
	}
	if (n == 1) {
		set_act(out, ox->raw[rs[0].layer], &rs[0].v);
		rc = AX_OK;
		goto out_free;
	}
	if (concat_is_pixels(rs, n, a)) {
		rc = concat_pixels(ox, rs, n, a, out);
		goto out_free;
	}
	/* the axis must be the outermost channel axis of every input, the rest alike */
	for (size_t k = 0; k < n; k++) {
		const struct view *v = &rs[k].v, *v0 = &rs[0].v;
		uint32_t c = rs[k].shape.c;
		int ok = !v->flat && rs[k].shape.h == rs[0].shape.h && rs[k].shape.w == rs[0].shape.w;
		for (int i = 0; ok && i < v->rank; i++) {
			if (i == a) {
				/* a size-1 axis joins channels only where it is one:
				 * inside the channels (the batch axis of N, C, H, W
				 * lies outside the pixels) */
				ok = v->dims[i] == 1 ? v->strides[i] <= (int64_t)c
						     : (v->strides[i] < (int64_t)c &&
							v->strides[i] * v->dims[i] == (int64_t)c);
			} else if (v->dims[i] > 1) {
				int ch = v->strides[i] < (int64_t)c, ch0 = v0->strides[i] < (int64_t)rs[0].shape.c;
				ok = ch == ch0 && (ch ? v->strides[i] == v0->strides[i]
						     : v->strides[i] / c == v0->strides[i] / rs[0].shape.c);
			}
		}
		if (!ok && a != v->rank - 1 && v->rank > 1 && channels_last(rs, n)) {
			rc = concat_relaid(ox, rs, n, a, out);
			goto out_free;
		}
		if (!ok) {
			rc = unsup(ox, "it joins '%s' along dimension %d, which is not the channels of "
				   "layer '%s' (%ux%ux%u); expected a concatenation of channels",
				   vname(in_val(ox, k)), a, L(ox, rs[k].layer)->name, rs[k].shape.h,
				   rs[k].shape.w, c);
			goto out_free;
		}
	}
	long l = concat_chain(ox, rs, n, AX_AXIS_CHANNELS);
	uint64_t sum = 0;
	if (l < 0)
		goto out_free;
	for (size_t k = 0; k < n; k++)
		sum += rs[k].v.dims[a];
	struct view v = rs[0].v;
	uint32_t c0 = rs[0].shape.c, c = L(ox, l)->out.c;
	v.dims[a] = (int64_t)sum;
	if (v.strides[a] >= (int64_t)c0 || rs[0].v.dims[a] == 1)
		v.strides[a] = c0 / (rs[0].v.dims[a] ? rs[0].v.dims[a] : 1);
	for (int i = 0; i < v.rank; i++)
		if (i != a && v.dims[i] > 1 && v.strides[i] >= (int64_t)c0)
			v.strides[i] = v.strides[i] / c0 * c;
	set_act(out, ox->raw[l], &v);
	rc = AX_OK;
out_free:
	free(rs);
	return rc;
}
