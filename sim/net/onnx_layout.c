/*
 * onnx_layout.c - layout operators on activations: Reshape, Transpose,
 * Slice, Gather, Split, Shape, Constant, Pad (docs/onnx-import.md).
 */
#include "onnx_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- operators on activations: layout ---- */

int need_act(struct ox *ox, const struct val *x, const char *what)
{
	if (!x)
		return bad(ox, "%s is missing", what);
	if (x->kind != V_ACT)
		return unsup(ox, "%s '%s' must be an activation here", what, vname(x));
	return AX_OK;
}

int no_pad(struct ox *ox, const struct val *x)
{
	if (x->has_pad)
		return unsup(ox, "input '%s' comes from a Pad; expected Pad only in front of Conv, "
			     "MaxPool or AveragePool, which absorb it", vname(x));
	return AX_OK;
}

/* out = x reshaped to nd: a view when strides can express it, else (when x
 * is a whole layer) a flat view. */
static int act_reshape(struct ox *ox, const struct val *x, int nr, const int64_t *nd, struct val *out)
{
	if (no_pad(ox, x))
		return AX_EINPUT;
	if (nr > R)
		return unsup(ox, "the result has rank %d; expected at most %d", nr, R);
	struct view v = x->v;
	if (v.flat) {
		if (v.src_rank == nr && !memcmp(v.src_dims, nd, (size_t)nr * sizeof(nd[0]))) {
			v.flat = 0;
			v.rank = nr;
			memcpy(v.dims, v.src_dims, sizeof(v.dims));
			memcpy(v.strides, v.src_strides, sizeof(v.strides));
			v.offset = 0;
		} else {
			v.rank = nr;
			memcpy(v.dims, nd, (size_t)nr * sizeof(nd[0]));
		}
	} else if (view_reshape_strided(&v, nr, nd)) {
		/* blocks of channels (each head's values): copied side by side, then
		 * reshaped (a YOLO11 attention's values into an image) */
		long l = src_layer(ox, x->s);
		struct view cv = x->v;
		if (l < 0)
			return AX_EINPUT;
		if (!channel_blocks(ox, &cv, &l)) {
			x->s->read = 1;
			v = cv;
			if (!view_reshape_strided(&v, nr, nd)) {
				set_act(out, ox->raw[l], &v);
				return AX_OK;
			}
		}
		struct phys p;
		const char *why = "";
		if (classify(&x->v, x->s->shape, &p, &why) || p.c0 || p.e != x->s->shape.c)
			return unsup(ox, "reshaping '%s' needs a copy of a part of a layer; expected a "
				     "reshape of a whole tensor or one that keeps its layout", vname(x));
		v = x->v;
		v.flat = 1;
		v.src_rank = x->v.rank;
		memcpy(v.src_dims, x->v.dims, sizeof(v.src_dims));
		memcpy(v.src_strides, x->v.strides, sizeof(v.src_strides));
		v.rank = nr;
		memcpy(v.dims, nd, (size_t)nr * sizeof(nd[0]));
		v.offset = 0;
	}
	set_act(out, x->s, &v);
	return AX_OK;
}

int op_reshape_like(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	if (need_act(ox, x, "input"))
		return AX_EINPUT;
	const char *op = cur_op(ox);
	int64_t nd[R + 1], allowzero;
	int nr;
	int rc;
	if (!strcmp(op, "Reshape"))
		rc = attr_int(ox, "allowzero", 0, &allowzero) ||
		     reshape_dims(ox, x->v.rank, x->v.dims, in_val(ox, 1), allowzero, nd, &nr);
	else if (!strcmp(op, "Flatten"))
		rc = flatten_dims(ox, x->v.rank, x->v.dims, nd, &nr);
	else if (!strcmp(op, "Squeeze"))
		rc = squeeze_dims(ox, x->v.rank, x->v.dims, nd, &nr);
	else
		rc = unsqueeze_dims(ox, x->v.rank, x->v.dims, nd, &nr);
	if (rc)
		return AX_EINPUT;
	return act_reshape(ox, x, nr, nd, out);
}

int op_identity(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	if (need_act(ox, x, "input"))
		return AX_EINPUT;
	if (out) {
		set_act(out, x->s, &x->v);
		out->has_pad = x->has_pad;
		memcpy(out->pad, x->pad, sizeof(out->pad));
	}
	return AX_OK;
}

int op_cast(struct ox *ox)
{
	int64_t to;
	int dt;
	if (attr_int(ox, "to", OX_FLOAT, &to) || cast_to(ox, to, &dt))
		return AX_EINPUT;
	return op_identity(ox);
}

int op_transpose(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	int perm[R];
	if (need_act(ox, x, "input") || no_pad(ox, x) || transpose_perm(ox, x->v.rank, perm))
		return AX_EINPUT;
	struct view v = x->v;
	for (int i = 0; i < v.rank; i++) {
		v.dims[i] = x->v.dims[perm[i]];
		v.strides[i] = x->v.strides[perm[i]];
	}
	if (v.flat)
		v.src_rank = 0; /* the element order is no longer known */
	set_act(out, x->s, &v);
	return AX_OK;
}

/* out = x restricted to rg (and with axis drop removed when >= 0). */
static int act_slice(struct ox *ox, const struct val *x, const struct range *rg, int drop, struct val *out)
{
	struct view v = x->v;
	struct src *s = x->s;
	for (int i = 0; i < v.rank; i++) {
		if (rg[i].start == 0 && rg[i].len == v.dims[i] && rg[i].step == 1)
			continue;
		if (v.flat && v.rank > 1) {
			/* a reshape that mixes channels and pixels (a Swin block's
			 * windows reversed): put in order by a relayout first */
			struct rd r;
			if (read_val(ox, x, 0, &r))
				return AX_EINPUT;
			long l = relayout_layer(ox, r.layer, &v);
			if (l == -2)
				return AX_EINPUT;
			if (l >= 0)
				s = ox->raw[l];
			else
				v = x->v;
		}
		if (rg[i].len == 0)
			return unsup(ox, "the slice of '%s' is empty", vname(x));
		if (rg[i].step < 0)
			return unsup(ox, "the slice of '%s' reverses dimension %d", vname(x), i);
		if (v.flat)
			return unsup(ox, "'%s' is a reshape that mixes channels and pixels; slicing it "
				     "needs a copy", vname(x));
		v.offset += rg[i].start * v.strides[i];
		v.dims[i] = rg[i].len;
		v.strides[i] *= rg[i].step;
	}
	if (drop >= 0) {
		for (int i = drop; i + 1 < v.rank; i++) {
			v.dims[i] = v.dims[i + 1];
			v.strides[i] = v.strides[i + 1];
		}
		v.rank--;
	}
	set_act(out, s, &v);
	return AX_OK;
}

int op_slice(struct ox *ox)
{
	struct val *x = in_val(ox, 0);
	struct range rg[R];
	if (need_act(ox, x, "input") || no_pad(ox, x) ||
	    slice_ranges(ox, x->v.rank, x->v.dims, rg))
		return AX_EINPUT;
	return act_slice(ox, x, rg, -1, out_val(ox, 0));
}

/* docs/onnx-import.md "Transformers": rows of a constant table picked by
 * indices that are an activation (token ids) are an embed layer. */
static int embed(struct ox *ox, const struct val *table, const struct val *iv, int64_t axis)
{
	const struct ox_tensor *t = &table->t;
	if (t->rank != 2 || norm_axis(axis, 2) != 0)
		return unsup(ox, "a lookup in '%s' (rank %d) along axis %lld; expected rows of a 2-D "
			     "table (axis 0)", vname(table), t->rank, (long long)axis);
	if (t->dims[0] < 1 || t->dims[0] > UINT32_MAX || t->dims[1] < 1 || t->dims[1] > AX_MAX_DIM)
		return unsup(ox, "table '%s' has %lld rows of %lld values; expected 1 to %u rows of 1 "
			     "to %d", vname(table), (long long)t->dims[0], (long long)t->dims[1],
			     UINT32_MAX, AX_MAX_DIM);
	struct rd r;
	if (no_pad(ox, iv) || read_val(ox, iv, 0, &r))
		return AX_EINPUT;
	if (r.v.flat || r.shape.c != 1 || r.v.rank + 1 > R)
		return unsup(ox, "indices '%s' are laid out as %ux%ux%u in layer '%s'; expected one "
			     "index per pixel", vname(iv), r.shape.h, r.shape.w, r.shape.c,
			     L(ox, r.layer)->name);
	long l = emit(ox, cur_label(ox), "", AX_OP_EMBED);
	if (l < 0)
		return AX_EINPUT;
	set_in(ox, l, r.layer);
	L(ox, l)->rows = (uint32_t)t->dims[0];
	L(ox, l)->cout = (uint32_t)t->dims[1];
	if (finish(ox, l))
		return AX_EINPUT;
	if (t->f) {
		/* the table as it is: nothing changes a lookup's values before
		 * they are quantised */
		ox->ld[l].w = t->f;
		ox->ld[l].w_borrowed = 1;
	} else {
		ox->ld[l].w = ax_xcalloc(t->n, sizeof(float));
		for (size_t k = 0; k < t->n; k++)
			ox->ld[l].w[k] = (float)ox_tensor_f(t, k);
	}
	/* the indices' view, each pixel now a row of cout values */
	struct view v = r.v;
	int64_t cols = t->dims[1];
	for (int i = 0; i < v.rank; i++)
		v.strides[i] *= cols;
	v.dims[v.rank] = cols;
	v.strides[v.rank] = 1;
	v.rank++;
	v.offset = 0;
	set_act(out_val(ox, 0), ox->raw[l], &v);
	return AX_OK;
}

int op_gather(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *iv = in_val(ox, 1);
	int64_t axis;
	if (x && x->kind == V_CONST && iv && iv->kind == V_ACT)
		return attr_int(ox, "axis", 0, &axis) ? AX_EINPUT : embed(ox, x, iv, axis);
	if (need_act(ox, x, "input") || no_pad(ox, x) || attr_int(ox, "axis", 0, &axis))
		return AX_EINPUT;
	int a = norm_axis(axis, x->v.rank);
	if (a < 0)
		return bad(ox, "axis %lld is out of range", (long long)axis);
	if (!iv || iv->kind != V_CONST)
		return unsup(ox, "the indices must be constants");
	const struct ox_tensor *it = &iv->t;
	if (it->rank > 1 || it->n == 0)
		return unsup(ox, "the indices must be a scalar or a 1-D list");
	struct range rg[R];
	for (int i = 0; i < x->v.rank; i++)
		rg[i] = (struct range){ 0, x->v.dims[i], 1 };
	int64_t first = ox_tensor_i(it, 0);
	if (first < 0)
		first += x->v.dims[a];
	for (size_t k = 0; k < it->n; k++) {
		int64_t idx = ox_tensor_i(it, k);
		if (idx < 0)
			idx += x->v.dims[a];
		if (idx < 0 || idx >= x->v.dims[a])
			return bad(ox, "index %lld is out of range for dimension %lld",
				   (long long)ox_tensor_i(it, k), (long long)x->v.dims[a]);
		if (idx != first + (int64_t)k)
			return unsup(ox, "the indices are not consecutive; expected a contiguous range");
	}
	rg[a] = (struct range){ first, (int64_t)it->n, 1 };
	return act_slice(ox, x, rg, it->rank == 0 ? a : -1, out_val(ox, 0));
}

int op_split(struct ox *ox)
{
	struct val *x = in_val(ox, 0);
	const Onnx__NodeProto *p = ox->md->nodes[ox->cur].p;
	int64_t axis, sizes[MAX_NODE_INPUTS];
	int n = -1;
	if (need_act(ox, x, "input") || no_pad(ox, x) || attr_int(ox, "axis", 0, &axis))
		return AX_EINPUT;
	int a = norm_axis(axis, x->v.rank);
	if (a < 0)
		return bad(ox, "axis %lld is out of range", (long long)axis);
	if (p->n_output == 0 || p->n_output > MAX_NODE_INPUTS)
		return bad(ox, "it has %zu outputs; expected 1 to %d", p->n_output, MAX_NODE_INPUTS);
	if (ox->md->opset < 13 || attr(ox, "split")) {
		if (attr_ints(ox, "split", sizes, MAX_NODE_INPUTS, &n))
			return AX_EINPUT;
	} else if (in_val(ox, 1)) {
		if (const_ints(ox, in_val(ox, 1), "split", sizes, MAX_NODE_INPUTS, &n))
			return AX_EINPUT;
	}
	int64_t d = x->v.dims[a];
	if (n < 0) {
		int64_t k = (int64_t)p->n_output, each = (d + k - 1) / k;
		for (int64_t i = 0; i < k; i++)
			sizes[i] = d - i * each < each ? d - i * each : each;
		n = (int)k;
	}
	if ((size_t)n != p->n_output)
		return bad(ox, "split has %d sizes for %zu outputs", n, p->n_output);
	int64_t at = 0;
	for (int k = 0; k < n; k++) {
		if (sizes[k] < 0 || sizes[k] > d - at)
			return bad(ox, "the split sizes do not add up to dimension %d (%lld)", a,
				   (long long)d);
		struct range rg[R];
		for (int i = 0; i < x->v.rank; i++)
			rg[i] = (struct range){ 0, x->v.dims[i], 1 };
		rg[a] = (struct range){ at, sizes[k], 1 };
		struct val *out = out_val(ox, (size_t)k);
		if (out && out->uses && act_slice(ox, x, rg, -1, out))
			return AX_EINPUT;
		at += sizes[k];
	}
	if (at != d)
		return bad(ox, "the split sizes add up to %lld; expected dimension %d (%lld)",
			   (long long)at, a, (long long)d);
	return AX_OK;
}

int op_shape(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	if (!x)
		return bad(ox, "input 0 is missing");
	if (x->kind != V_ACT && x->kind != V_CONST)
		return unsup(ox, "the shape of '%s' is not known", vname(x));
	int64_t d[R], start, end;
	int r = val_dims(x, d);
	if (attr_int(ox, "start", 0, &start) || attr_int(ox, "end", r, &end))
		return AX_EINPUT;
	if (start < 0)
		start += r;
	if (end < 0)
		end += r;
	start = start < 0 ? 0 : start > r ? r : start;
	end = end < start ? start : end > r ? r : end;
	int64_t n = end - start;
	struct ox_tensor t;
	tensor_alloc(&t, OX_INT64, 1, &n);
	for (int64_t i = 0; i < n; i++)
		t.i[i] = d[start + i];
	if (!strcmp(cur_op(ox), "Size")) {
		int64_t all = prod(d, r);
		ox_tensor_release(&t);
		tensor_alloc(&t, OX_INT64, 0, NULL);
		t.i[0] = all;
	}
	if (out)
		const_set(out, &t);
	else
		ox_tensor_release(&t);
	return AX_OK;
}

/* The tensor of a Constant node p: 0, or CONST_BAD (a malformed node) or
 * CONST_UNSUP (a form axsim does not read) with the reason in why. */
enum { CONST_BAD = 1, CONST_UNSUP = 2 };
int constant_tensor(const Onnx__NodeProto *p, struct ox_tensor *t, char *why, size_t nwhy)
{
	memset(t, 0, sizeof(*t));
	if (p->n_attribute != 1 || !p->attribute[0]) {
		snprintf(why, nwhy, "it has %zu attributes; expected exactly one value", p->n_attribute);
		return CONST_BAD;
	}
	const Onnx__AttributeProto *a = p->attribute[0];
	const char *name = ox_str(a->name);
	int type = a->has_type ? (int)a->type : 0;
	int isf = !strncmp(name, "value_float", 11);
	if (!strcmp(name, "value")) {
		if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR || !a->t) {
			snprintf(why, nwhy, "attribute 'value' has type %d; expected a tensor (TENSOR)", type);
			return CONST_BAD;
		}
		char w[200];
		if (ox_tensor_decode(a->t, t, w, sizeof(w))) {
			snprintf(why, nwhy, "attribute 'value': %s", w);
			return CONST_BAD;
		}
	} else if (!strcmp(name, "value_float") || !strcmp(name, "value_int")) {
		if (a->type != (isf ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT :
			  ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)) {
			snprintf(why, nwhy, "attribute '%s' has type %d; expected %s", name, type,
				 isf ? "FLOAT" : "INT");
			return CONST_BAD;
		}
		tensor_alloc(t, isf ? OX_FLOAT : OX_INT64, 0, NULL);
		tensor_setf(t, 0, isf ? (double)a->f : 0.0);
		if (!isf)
			t->i[0] = a->i;
	} else if (!strcmp(name, "value_floats") || !strcmp(name, "value_ints")) {
		if (a->type != (isf ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS :
			  ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)) {
			snprintf(why, nwhy, "attribute '%s' has type %d; expected %s", name, type,
				 isf ? "FLOATS" : "INTS");
			return CONST_BAD;
		}
		int64_t n = (int64_t)(isf ? a->n_floats : a->n_ints);
		tensor_alloc(t, isf ? OX_FLOAT : OX_INT64, 1, &n);
		for (int64_t k = 0; k < n; k++) {
			if (isf)
				t->f[k] = a->floats[k];
			else
				t->i[k] = a->ints[k];
		}
	} else {
		char nm[64];
		printable_copy(nm, sizeof(nm), name);
		snprintf(why, nwhy, "a Constant given by '%s' is not supported; expected value, "
			 "value_float(s) or value_int(s)", nm);
		return CONST_UNSUP;
	}
	return 0;
}

int op_constant(struct ox *ox)
{
	struct val *out = out_val(ox, 0);
	struct ox_tensor t;
	char why[512];
	int rc = constant_tensor(ox->md->nodes[ox->cur].p, &t, why, sizeof(why));
	if (rc == CONST_BAD)
		return bad(ox, "%s", why);
	if (rc == CONST_UNSUP)
		return unsup(ox, "%s", why);
	if (out)
		const_set(out, &t);
	else
		ox_tensor_release(&t);
	return AX_OK;
}

int op_pad(struct ox *ox)
{
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	if (need_act(ox, x, "input"))
		return AX_EINPUT;
	char mode[32];
	int64_t pads[2 * R];
	int n;
	if (attr_str(ox, "mode", "constant", mode, sizeof(mode)))
		return AX_EINPUT;
	if (ox->md->opset < 11) {
		if (attr_ints(ox, "pads", pads, 2 * R, &n))
			return AX_EINPUT;
	} else if (const_ints(ox, in_val(ox, 1), "pads", pads, 2 * R, &n)) {
		return AX_EINPUT;
	}
	if (n_inputs(ox) > 3 && in_val(ox, 3))
		return unsup(ox, "the axes input is not supported; expected pads for every axis");
	int r = x->v.rank;
	if (n != 2 * r)
		return bad(ox, "pads has %d values; expected %d for a %d-D input", n, 2 * r, r);
	double cv = 0;
	if (in_val(ox, 2) && const_scalar(in_val(ox, 2), &cv))
		return unsup(ox, "the constant value must be a constant scalar");
	int any = 0;
	for (int i = 0; i < 2 * r; i++)
		any |= pads[i] != 0;
	if (!any) {
		/* nothing to pad (a Swin window partition of a side already a
		 * multiple of the window): the input itself */
		if (out) {
			set_act(out, x->s, &x->v);
			out->has_pad = x->has_pad;
			memcpy(out->pad, x->pad, sizeof(out->pad));
		}
		return AX_OK;
	}
	if (strcmp(mode, "constant") || cv != 0)
		ox->info.approximations++;
	if (r < 3)
		return unsup(ox, "padding a %d-D tensor; expected N, C, H, W or N, C, L", r);
	for (int i = 0; i < 2 * r; i++) {
		int ax = i % r;
		if (pads[i] < 0)
			return unsup(ox, "negative padding (a crop) is not supported");
		if (pads[i] > AX_MAX_KERNEL)
			return unsup(ox, "padding %lld is larger than %d", (long long)pads[i], AX_MAX_KERNEL);
		if (pads[i] && ax < r - 2 + (r == 3))
			return unsup(ox, "padding along dimension %d; expected padding of height and "
				     "width only", ax);
	}
	if (!out)
		return AX_OK;
	set_act(out, x->s, &x->v);
	out->has_pad = 1;
	int64_t add[4] = { r == 4 ? pads[r - 2] : 0, pads[r - 1], r == 4 ? pads[2 * r - 2] : 0,
			   pads[2 * r - 1] };
	for (int i = 0; i < 4; i++)
		out->pad[i] = (x->has_pad ? x->pad[i] : 0) + add[i];
	return AX_OK;
}
