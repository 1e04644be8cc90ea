/*
 * onnx_fold.c - constant folding: a node whose inputs are all constants is
 * evaluated at import (docs/onnx-import.md).
 */
#include "onnx_int.h"

#include <math.h>
#include <string.h>

/* ---- constant folding ---- */

/* Strided copy of t: out[idx] = t[start + idx * step] per axis. */
static void tensor_gather_ranges(const struct ox_tensor *t, const struct range *rg, int nrank,
				 const int64_t *ndims, struct ox_tensor *o)
{
	tensor_alloc(o, t->dtype, nrank, ndims);
	int64_t str[R], s = 1;
	for (int i = t->rank - 1; i >= 0; i--) {
		str[i] = s;
		s *= t->dims[i];
	}
	for (size_t e = 0; e < o->n; e++) {
		size_t rem = e;
		int64_t src = 0;
		for (int i = t->rank - 1; i >= 0; i--) {
			int64_t id = (int64_t)(rem % (size_t)rg[i].len);
			rem /= (size_t)rg[i].len;
			src += (rg[i].start + id * rg[i].step) * str[i];
		}
		if (o->f)
			o->f[e] = (float)ox_tensor_f(t, (size_t)src);
		else
			o->i[e] = ox_tensor_i(t, (size_t)src);
	}
}

static int fold_binary(struct ox *ox, const char *op, const struct ox_tensor *x,
		       const struct ox_tensor *y, struct ox_tensor *o)
{
	int rank = x->rank > y->rank ? x->rank : y->rank;
	int64_t d[R], xs[R], ys[R];
	int64_t sx = 1, sy = 1;
	for (int i = rank - 1; i >= 0; i--) {
		int ix = i - (rank - x->rank), iy = i - (rank - y->rank);
		int64_t dx = ix >= 0 ? x->dims[ix] : 1, dy = iy >= 0 ? y->dims[iy] : 1;
		if (dx != dy && dx != 1 && dy != 1)
			return bad(ox, "constant operands of dimensions %lld and %lld do not broadcast",
				   (long long)dx, (long long)dy);
		d[i] = dx == 1 ? dy : dx;
		xs[i] = dx == 1 ? 0 : sx;
		ys[i] = dy == 1 ? 0 : sy;
		sx *= dx;
		sy *= dy;
	}
	int64_t n = prod(d, rank);
	if ((size_t)n > MAX_FOLD_ELEMS)
		return unsup(ox, "folding it makes %lld elements; expected at most %zu", (long long)n,
			     MAX_FOLD_ELEMS);
	int expand = !strcmp(op, "Expand"), logic = !strcmp(op, "Not") || !strcmp(op, "And") ||
		     !strcmp(op, "Or") || !strcmp(op, "Equal") || !strcmp(op, "Less") ||
		     !strcmp(op, "Greater");
	int isf = ox_dtype_is_float(x->dtype) || (!expand && ox_dtype_is_float(y->dtype)) ||
		  !strcmp(op, "Sqrt");
	if (logic)
		isf = 0;
	tensor_alloc(o, expand ? x->dtype : logic ? OX_BOOL : isf ? OX_FLOAT : OX_INT64, rank, d);
	for (size_t e = 0; e < o->n; e++) {
		size_t rem = e;
		int64_t ix = 0, iy = 0;
		for (int i = rank - 1; i >= 0; i--) {
			int64_t id = (int64_t)(rem % (size_t)d[i]);
			rem /= (size_t)d[i];
			ix += id * xs[i];
			iy += id * ys[i];
		}
		/* Expand repeats x over y's shape; comparisons and logic give bools */
		if (expand) {
			if (o->f)
				o->f[e] = (float)ox_tensor_f(x, (size_t)ix);
			else
				o->i[e] = ox_tensor_i(x, (size_t)ix);
			continue;
		}
		if (logic) {
			double a = ox_tensor_f(x, (size_t)ix), b = ox_tensor_f(y, (size_t)iy);
			int r = 0;
			if (!strcmp(op, "Not")) r = a == 0;
			else if (!strcmp(op, "And")) r = a != 0 && b != 0;
			else if (!strcmp(op, "Or")) r = a != 0 || b != 0;
			else if (!strcmp(op, "Equal")) r = a == b;
			else if (!strcmp(op, "Less")) r = a < b;
			else if (!strcmp(op, "Greater")) r = a > b;
			o->i[e] = r;
			continue;
		}
		if (isf) {
			double a = ox_tensor_f(x, (size_t)ix), b = ox_tensor_f(y, (size_t)iy), r = 0;
			if (!strcmp(op, "Add")) r = a + b;
			else if (!strcmp(op, "Sub")) r = a - b;
			else if (!strcmp(op, "Mul")) r = a * b;
			else if (!strcmp(op, "Div")) r = a / b;
			else if (!strcmp(op, "Pow")) r = pow(a, b);
			else if (!strcmp(op, "Sqrt")) r = sqrt(a);
			else if (!strcmp(op, "Neg")) r = -a;
			else if (!strcmp(op, "Mod")) r = b != 0 ? fmod(a, b) : 0;
			o->f[e] = (float)r;
		} else {
			int64_t a = ox_tensor_i(x, (size_t)ix), b = ox_tensor_i(y, (size_t)iy), r = 0;
			/* shape arithmetic: wrap-around is harmless, overflow must not be UB */
			if (!strcmp(op, "Add")) r = (int64_t)((uint64_t)a + (uint64_t)b);
			else if (!strcmp(op, "Sub")) r = (int64_t)((uint64_t)a - (uint64_t)b);
			else if (!strcmp(op, "Mul")) r = (int64_t)((uint64_t)a * (uint64_t)b);
			else if (!strcmp(op, "Div")) r = b == 0 || (a == INT64_MIN && b == -1) ? 0 : a / b;
			else if (!strcmp(op, "Pow")) r = ox_d2i(pow((double)a, (double)b));
			else if (!strcmp(op, "Neg")) r = a == INT64_MIN ? a : -a;
			else if (!strcmp(op, "Mod")) {
				/* the sign of the divisor, as Python's % (fmod 0) */
				r = b == 0 || (a == INT64_MIN && b == -1) ? 0 : a % b;
				if (r != 0 && (r < 0) != (b < 0) && !ox->fmod)
					r += b;
			}
			o->i[e] = r;
		}
	}
	return AX_OK;
}

int cast_to(struct ox *ox, int64_t to, int *dtype)
{
	switch (to) {
	case OX_FLOAT: case OX_DOUBLE: case OX_FLOAT16: case OX_BFLOAT16:
		*dtype = OX_FLOAT;
		return AX_OK;
	case OX_UINT8: case OX_INT8: case OX_UINT16: case OX_INT16: case OX_INT32: case OX_INT64:
	case OX_BOOL: case OX_UINT32: case OX_UINT64:
		*dtype = (int)to;
		return AX_OK;
	default:
		return unsup(ox, "a cast to type %lld (%s) is not supported", (long long)to,
			     ox_dtype_name((int)to));
	}
}

static void tensor_copy(struct ox_tensor *o, const struct ox_tensor *t, int dtype)
{
	tensor_alloc(o, dtype, t->rank, t->dims);
	for (size_t e = 0; e < o->n; e++) {
		if (o->f)
			o->f[e] = (float)ox_tensor_f(t, e);
		else
			o->i[e] = dtype == OX_BOOL ? ox_tensor_f(t, e) != 0 : ox_tensor_i(t, e);
	}
}

/* Where(cond, x, y) on constants, broadcast as numpy does. */
static int fold_where(struct ox *ox, struct ox_tensor *o)
{
	const struct val *v[3] = { in_val(ox, 0), in_val(ox, 1), in_val(ox, 2) };
	if (!v[0] || !v[1] || !v[2])
		return bad(ox, "it needs three inputs");
	int rank = 0;
	for (int k = 0; k < 3; k++)
		rank = v[k]->t.rank > rank ? v[k]->t.rank : rank;
	int64_t d[R], st[3][R];
	for (int i = rank - 1; i >= 0; i--) {
		d[i] = 1;
		for (int k = 0; k < 3; k++) {
			int j = i - (rank - v[k]->t.rank);
			int64_t dk = j >= 0 ? v[k]->t.dims[j] : 1;
			if (dk != 1 && d[i] != 1 && dk != d[i])
				return bad(ox, "its inputs do not broadcast in dimension %d", i);
			if (dk != 1)
				d[i] = dk;
		}
	}
	for (int k = 0; k < 3; k++) {
		int64_t s = 1;
		for (int i = rank - 1; i >= 0; i--) {
			int j = i - (rank - v[k]->t.rank);
			int64_t dk = j >= 0 ? v[k]->t.dims[j] : 1;
			st[k][i] = dk == 1 ? 0 : s;
			s *= dk;
		}
	}
	if ((size_t)prod(d, rank) > MAX_FOLD_ELEMS)
		return unsup(ox, "folding it makes too many elements");
	int isf = ox_dtype_is_float(v[1]->t.dtype) || ox_dtype_is_float(v[2]->t.dtype);
	tensor_alloc(o, isf ? OX_FLOAT : v[1]->t.dtype, rank, d);
	for (size_t e = 0; e < o->n; e++) {
		size_t rem = e;
		int64_t ix[3] = { 0, 0, 0 };
		for (int i = rank - 1; i >= 0; i--) {
			int64_t id = (int64_t)(rem % (size_t)d[i]);
			rem /= (size_t)d[i];
			for (int k = 0; k < 3; k++)
				ix[k] += id * st[k][i];
		}
		int k = ox_tensor_f(&v[0]->t, (size_t)ix[0]) != 0 ? 1 : 2;
		if (o->f)
			o->f[e] = (float)ox_tensor_f(&v[k]->t, (size_t)ix[k]);
		else
			o->i[e] = ox_tensor_i(&v[k]->t, (size_t)ix[k]);
	}
	return AX_OK;
}

/* ScatterND (reduction none): data with the slices that indices name
 * replaced by updates; Swin's shifted-window mask is written this way, one
 * region number per slice of a zero image. */
static int fold_scatternd(struct ox *ox, struct ox_tensor *o)
{
	const struct val *d = in_val(ox, 0), *ix = in_val(ox, 1), *up = in_val(ox, 2);
	char red[16];
	if (!d || !ix || !up)
		return bad(ox, "it has %zu inputs; expected data, indices and updates", n_inputs(ox));
	if (attr_str(ox, "reduction", "none", red, sizeof(red)))
		return AX_EINPUT;
	if (strcmp(red, "none"))
		return unsup(ox, "reduction '%s' is not supported; expected 'none'", red);
	const struct ox_tensor *dt = &d->t, *it = &ix->t, *ut = &up->t;
	int q = it->rank, k = q ? (int)it->dims[q - 1] : -1;
	if (q < 1 || k < 1 || k > dt->rank)
		return bad(ox, "indices have rank %d and last dimension %d; expected a last dimension "
			   "from 1 to the data's rank %d", q, k, dt->rank);
	/* updates: indices' dimensions but the last, then the data's from k on */
	int ok = ut->rank == q - 1 + dt->rank - k;
	for (int i = 0; ok && i < ut->rank; i++)
		ok = ut->dims[i] == (i < q - 1 ? it->dims[i] : dt->dims[k + i - (q - 1)]);
	if (!ok)
		return bad(ox, "updates have the wrong shape; expected the indices' dimensions but the "
			   "last, then the data's from dimension %d on", k);
	size_t inner = (size_t)prod(dt->dims + k, dt->rank - k), n_idx = it->n / (size_t)k;
	tensor_copy(o, dt, dt->dtype);
	for (size_t s = 0; s < n_idx; s++) {
		int64_t at = 0;
		for (int j = 0; j < k; j++) {
			int64_t v = ox_tensor_i(it, s * (size_t)k + (size_t)j), dim = dt->dims[j];
			if (v < -dim || v >= dim)
				return bad(ox, "index %lld is outside dimension %d of size %lld",
					   (long long)v, j, (long long)dim);
			at = at * dim + (v < 0 ? v + dim : v);
		}
		for (size_t e = 0; e < inner; e++) {
			size_t to = (size_t)at * inner + e, from = s * inner + e;
			if (o->f)
				o->f[to] = (float)ox_tensor_f(ut, from);
			else
				o->i[to] = ox_tensor_i(ut, from);
		}
	}
	return AX_OK;
}

/* Folds a node all of whose inputs are constants. */
int fold_node(struct ox *ox)
{
	const char *op = cur_op(ox);
	struct val *x = in_val(ox, 0), *out = out_val(ox, 0);
	struct ox_tensor o;
	memset(&o, 0, sizeof(o));
	int64_t nd[R + 1];
	int nr = 0;
	if (!x && strcmp(op, "Concat"))
		return bad(ox, "input 0 is missing");
	const struct ox_tensor *t = x ? &x->t : NULL;

	if (!strcmp(op, "Identity") || !strcmp(op, "Dropout")) {
		tensor_copy(&o, t, t->dtype);
	} else if (!strcmp(op, "Cast")) {
		int64_t to;
		int dt = 0;
		if (attr_int(ox, "to", OX_FLOAT, &to) || cast_to(ox, to, &dt))
			return AX_EINPUT;
		tensor_copy(&o, t, dt);
	} else if (!strcmp(op, "Reshape") || !strcmp(op, "Flatten") || !strcmp(op, "Squeeze") ||
		   !strcmp(op, "Unsqueeze")) {
		int64_t allowzero;
		int rc;
		if (!strcmp(op, "Reshape"))
			rc = attr_int(ox, "allowzero", 0, &allowzero) ||
			     reshape_dims(ox, t->rank, t->dims, in_val(ox, 1), allowzero, nd, &nr);
		else if (!strcmp(op, "Flatten"))
			rc = flatten_dims(ox, t->rank, t->dims, nd, &nr);
		else if (!strcmp(op, "Squeeze"))
			rc = squeeze_dims(ox, t->rank, t->dims, nd, &nr);
		else
			rc = unsqueeze_dims(ox, t->rank, t->dims, nd, &nr);
		if (rc)
			return AX_EINPUT;
		if (nr > R)
			return unsup(ox, "the result has rank %d; expected at most %d", nr, R);
		tensor_copy(&o, t, t->dtype);
		o.rank = nr;
		memcpy(o.dims, nd, (size_t)nr * sizeof(nd[0]));
	} else if (!strcmp(op, "Transpose")) {
		int perm[R];
		if (transpose_perm(ox, t->rank, perm))
			return AX_EINPUT;
		int64_t str[R], s = 1;
		for (int i = t->rank - 1; i >= 0; i--) {
			str[i] = s;
			s *= t->dims[i];
		}
		for (int i = 0; i < t->rank; i++)
			nd[i] = t->dims[perm[i]];
		tensor_alloc(&o, t->dtype, t->rank, nd);
		for (size_t e = 0; e < o.n; e++) {
			size_t rem = e;
			int64_t src = 0;
			for (int i = t->rank - 1; i >= 0; i--) {
				src += (int64_t)(rem % (size_t)nd[i]) * str[perm[i]];
				rem /= (size_t)nd[i];
			}
			if (o.f)
				o.f[e] = (float)ox_tensor_f(t, (size_t)src);
			else
				o.i[e] = ox_tensor_i(t, (size_t)src);
		}
	} else if (!strcmp(op, "Slice")) {
		struct range rg[R];
		if (slice_ranges(ox, t->rank, t->dims, rg))
			return AX_EINPUT;
		for (int i = 0; i < t->rank; i++)
			nd[i] = rg[i].len;
		tensor_gather_ranges(t, rg, t->rank, nd, &o);
	} else if (!strcmp(op, "Gather")) {
		struct val *iv = in_val(ox, 1);
		int64_t axis;
		if (!iv || attr_int(ox, "axis", 0, &axis))
			return iv ? AX_EINPUT : bad(ox, "the indices are missing");
		int a = norm_axis(axis, t->rank);
		if (a < 0)
			return bad(ox, "axis %lld is out of range", (long long)axis);
		const struct ox_tensor *it = &iv->t;
		nr = t->rank - 1 + it->rank;
		if (nr > R)
			return unsup(ox, "the result has rank %d; expected at most %d", nr, R);
		for (int i = 0, j = 0; i < t->rank; i++) {
			if (i == a)
				for (int k = 0; k < it->rank; k++)
					nd[j++] = it->dims[k];
			else
				nd[j++] = t->dims[i];
		}
		int64_t outer = prod(t->dims, a), inner = prod(t->dims + a + 1, t->rank - a - 1);
		if (prod(nd, nr) > (int64_t)MAX_FOLD_ELEMS)
			return unsup(ox, "folding it makes too many elements");
		tensor_alloc(&o, t->dtype, nr, nd);
		size_t e = 0;
		for (int64_t u = 0; u < outer; u++)
			for (size_t k = 0; k < it->n; k++) {
				int64_t idx = ox_tensor_i(it, k);
				if (idx < 0)
					idx += t->dims[a];
				if (idx < 0 || idx >= t->dims[a]) {
					ox_tensor_release(&o);
					return bad(ox, "index %lld is out of range for dimension %lld",
						   (long long)ox_tensor_i(it, k), (long long)t->dims[a]);
				}
				for (int64_t v = 0; v < inner; v++, e++) {
					size_t src = (size_t)((u * t->dims[a] + idx) * inner + v);
					if (o.f)
						o.f[e] = (float)ox_tensor_f(t, src);
					else
						o.i[e] = ox_tensor_i(t, src);
				}
			}
	} else if (!strcmp(op, "Concat")) {
		int64_t axis;
		if (attr_int(ox, "axis", 0, &axis))
			return AX_EINPUT;
		const struct ox_tensor *first = NULL;
		int64_t sum = 0;
		int isf = 0;
		for (size_t k = 0; k < n_inputs(ox); k++) {
			struct val *v = in_val(ox, k);
			if (!v)
				continue;
			if (!first)
				first = &v->t;
			isf |= ox_dtype_is_float(v->t.dtype);
		}
		if (!first)
			return bad(ox, "it has no inputs");
		int a = norm_axis(axis, first->rank);
		if (a < 0)
			return bad(ox, "axis %lld is out of range", (long long)axis);
		for (size_t k = 0; k < n_inputs(ox); k++) {
			struct val *v = in_val(ox, k);
			if (!v)
				continue;
			if (v->t.rank != first->rank)
				return bad(ox, "its inputs have different ranks");
			for (int i = 0; i < first->rank; i++)
				if (i != a && v->t.dims[i] != first->dims[i])
					return bad(ox, "its inputs differ in dimension %d", i);
			sum += v->t.dims[a];
		}
		memcpy(nd, first->dims, sizeof(first->dims));
		nd[a] = sum;
		if ((size_t)prod(nd, first->rank) > MAX_FOLD_ELEMS)
			return unsup(ox, "folding it makes too many elements");
		tensor_alloc(&o, isf ? OX_FLOAT : first->dtype, first->rank, nd);
		int64_t outer = prod(nd, a), inner = prod(nd + a + 1, first->rank - a - 1), at = 0;
		for (size_t k = 0; k < n_inputs(ox); k++) {
			struct val *v = in_val(ox, k);
			if (!v)
				continue;
			int64_t da = v->t.dims[a];
			for (int64_t u = 0; u < outer; u++)
				for (int64_t j = 0; j < da * inner; j++) {
					size_t dst = (size_t)((u * sum + at) * inner + j);
					size_t src = (size_t)(u * da * inner + j);
					if (o.f)
						o.f[dst] = (float)ox_tensor_f(&v->t, src);
					else
						o.i[dst] = ox_tensor_i(&v->t, src);
				}
			at += da;
		}
	} else if (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul") ||
		   !strcmp(op, "Div") || !strcmp(op, "Pow") || !strcmp(op, "Equal") ||
		   !strcmp(op, "Mod") || !strcmp(op, "And") || !strcmp(op, "Or") ||
		   !strcmp(op, "Less") || !strcmp(op, "Greater")) {
		struct val *y = in_val(ox, 1);
		int64_t fm = 0;
		if (!y)
			return bad(ox, "input 1 is missing");
		if (attr_int(ox, "fmod", 0, &fm))
			return AX_EINPUT;
		ox->fmod = fm != 0;
		if (fold_binary(ox, op, t, &y->t, &o))
			return AX_EINPUT;
	} else if (!strcmp(op, "Expand")) {
		struct val *y = in_val(ox, 1);
		struct ox_tensor shape;
		memset(&shape, 0, sizeof(shape));
		int n = 0;
		if (const_ints(ox, y, "the shape", nd, R, &n))
			return AX_EINPUT;
		for (int i = 0; i < n; i++)
			if (nd[i] < 0 || nd[i] > ((int64_t)1 << 31))
				return bad(ox, "the shape has dimension %lld; expected 0 to 2^31",
					   (long long)nd[i]);
		/* only the dimensions of the shape operand matter */
		shape.rank = n;
		memcpy(shape.dims, nd, (size_t)n * sizeof(nd[0]));
		shape.dtype = OX_INT64;
		if (fold_binary(ox, op, t, &shape, &o))
			return AX_EINPUT;
	} else if (!strcmp(op, "Not")) {
		if (fold_binary(ox, op, t, t, &o))
			return AX_EINPUT;
	} else if (!strcmp(op, "Where")) {
		if (fold_where(ox, &o))
			return AX_EINPUT;
	} else if (!strcmp(op, "ScatterND")) {
		if (fold_scatternd(ox, &o)) {
			ox_tensor_release(&o);
			return AX_EINPUT;
		}
	} else if (!strcmp(op, "Range")) {
		double st, lim, dl;
		if (const_scalar(in_val(ox, 0), &st) || const_scalar(in_val(ox, 1), &lim) ||
		    const_scalar(in_val(ox, 2), &dl))
			return bad(ox, "start, limit and delta must be scalars");
		double cnt = dl != 0 ? ceil((lim - st) / dl) : -1;
		if (!(cnt >= 0) || cnt > (double)MAX_FOLD_ELEMS)
			return unsup(ox, "the range from %g to %g by %g has %g elements; expected 0 to %zu",
				     st, lim, dl, cnt, MAX_FOLD_ELEMS);
		int64_t len = (int64_t)cnt;
		tensor_alloc(&o, t->dtype, 1, &len);
		for (int64_t k = 0; k < len; k++)
			tensor_setf(&o, (size_t)k, st + (double)k * dl);
	} else if (!strcmp(op, "Sqrt") || !strcmp(op, "Neg")) {
		if (fold_binary(ox, op, t, t, &o))
			return AX_EINPUT;
	} else if (!strcmp(op, "ConstantOfShape")) {
		int n = 0;
		if (const_ints(ox, x, "the shape", nd, R, &n))
			return AX_EINPUT;
		for (int i = 0; i < n; i++)
			if (nd[i] < 0)
				return bad(ox, "the shape has a negative dimension");
		if (n && (size_t)prod(nd, n) > MAX_FOLD_ELEMS)
			return unsup(ox, "folding it makes too many elements");
		const Onnx__AttributeProto *va = attr(ox, "value");
		struct ox_tensor v;
		char why[256];
		memset(&v, 0, sizeof(v));
		if (va && (va->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR || !va->t))
			return attr_type_bad(ox, va, "a tensor (TENSOR)");
		if (va && ox_tensor_decode(va->t, &v, why, sizeof(why)))
			return bad(ox, "attribute 'value': %s", why);
		if (va && v.n != 1) {
			ox_tensor_release(&v);
			return bad(ox, "attribute 'value' has %zu elements; expected one", v.n);
		}
		tensor_alloc(&o, va ? v.dtype : OX_FLOAT, n, nd);
		for (size_t e = 0; e < o.n; e++)
			tensor_setf(&o, e, va ? ox_tensor_f(&v, 0) : 0.0);
		ox_tensor_release(&v);
	} else {
		return unsup(ox, "all its inputs are constants, and folding %s is not supported", op);
	}
	if (out)
		const_set(out, &o);
	else
		ox_tensor_release(&o);
	return AX_OK;
}
