/*
 * onnx_view.c - views of a layer's HWC tensor (an activation's logical
 * dimensions and strides) and the shapes of the layout operators, shared by
 * constants and activations (docs/onnx-import.md).
 */
#include "onnx_int.h"

#include <string.h>

/* ---- views ---- */

/* The view of a fresh layer: axis ch (or none, -1) holds the channels at
 * stride 1; the other axes, in order, are the pixels, the last of them along
 * the width. */
void view_canon(struct view *v, int rank, const int64_t *dims, int ch)
{
	memset(v, 0, sizeof(*v));
	v->rank = rank;
	memcpy(v->dims, dims, (size_t)rank * sizeof(dims[0]));
	int64_t s = ch >= 0 ? dims[ch] : 1;
	for (int i = rank - 1; i >= 0; i--) {
		if (i == ch) {
			v->strides[i] = 1;
			continue;
		}
		v->strides[i] = s;
		s *= dims[i];
	}
}

/* The HWC shape of view_canon(rank, dims, ch); -1 when a side is out of range. */
int canon_shape(int rank, const int64_t *dims, int ch, struct ax_shape *s)
{
	int64_t c = ch >= 0 ? dims[ch] : 1, w = 1, h = 1;
	int have_w = 0;
	for (int i = rank - 1; i >= 0; i--) {
		if (i == ch)
			continue;
		if (!have_w) {
			w = dims[i];
			have_w = 1;
		} else {
			h *= dims[i];
			if (h > AX_MAX_DIM)
				break;
		}
	}
	if (c < 1 || w < 1 || h < 1 || c > AX_MAX_DIM || w > AX_MAX_DIM || h > AX_MAX_DIM)
		return -1;
	s->h = (uint32_t)h;
	s->w = (uint32_t)w;
	s->c = (uint32_t)c;
	return 0;
}

int view_eq(const struct view *a, const struct view *b)
{
	if (a->rank != b->rank || a->flat != b->flat || a->offset != b->offset)
		return 0;
	for (int i = 0; i < a->rank; i++)
		if (a->dims[i] != b->dims[i] || (a->dims[i] > 1 && a->strides[i] != b->strides[i]))
			return 0;
	return 1;
}

/* Reshape without a copy where strides can express it (the algorithm numpy
 * uses to decide whether a reshape is a view); -1 when they cannot. */
int view_reshape_strided(struct view *v, int nrank, const int64_t *nd)
{
	int64_t od[R], os[R], ns[R];
	int on = 0;
	for (int i = 0; i < v->rank; i++)
		if (v->dims[i] != 1) {
			od[on] = v->dims[i];
			os[on] = v->strides[i];
			on++;
		}
	int oi = 0, oj = 1, ni = 0, nj = 1;
	while (ni < nrank && oi < on) {
		int64_t np = nd[ni], op = od[oi];
		while (np != op) {
			if (np < op) {
				if (nj >= nrank)
					return -1;
				np *= nd[nj++];
			} else {
				if (oj >= on)
					return -1;
				op *= od[oj++];
			}
		}
		for (int k = oi; k < oj - 1; k++)
			if (os[k] != od[k + 1] * os[k + 1])
				return -1;
		ns[nj - 1] = os[oj - 1];
		for (int k = nj - 1; k > ni; k--)
			ns[k - 1] = ns[k] * nd[k];
		ni = nj++;
		oi = oj++;
	}
	if (oi < on)
		return -1;
	for (int k = ni; k < nrank; k++)
		ns[k] = 1;
	v->rank = nrank;
	memcpy(v->dims, nd, (size_t)nrank * sizeof(nd[0]));
	memcpy(v->strides, ns, (size_t)nrank * sizeof(ns[0]));
	return 0;
}

void sort_axes(int *ax, int n, const int64_t *strides)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strides[ax[j - 1]] > strides[ax[j]]; j--) {
			int t = ax[j];
			ax[j] = ax[j - 1];
			ax[j - 1] = t;
		}
}

/* A view the units read in place: every pixel of the layer once, and a
 * contiguous block of channels.  -1 with why otherwise. */
int classify(const struct view *v, struct ax_shape s, struct phys *p, const char **why)
{
	if (v->flat) {
		p->c0 = 0;
		p->e = s.c;
		return 0;
	}
	int64_t c = s.c;
	int ch[R], px[R], nc = 0, np = 0;
	for (int i = 0; i < v->rank; i++) {
		if (v->dims[i] == 1)
			continue;
		if (v->strides[i] <= 0) {
			*why = "a reversed or repeated view";
			return -1;
		}
		if (v->strides[i] < c)
			ch[nc++] = i;
		else
			px[np++] = i;
	}
	if (v->offset < 0 || v->offset >= c) {
		*why = "a part along height or width";
		return -1;
	}
	sort_axes(ch, nc, v->strides);
	sort_axes(px, np, v->strides);
	int64_t expect = 1;
	for (int k = 0; k < nc; k++) {
		if (v->strides[ch[k]] != expect) {
			*why = "a strided or transposed selection of channels";
			return -1;
		}
		expect *= v->dims[ch[k]];
	}
	if (v->offset + expect > c) {
		*why = "a selection of channels that needs a copy";
		return -1;
	}
	p->c0 = (uint32_t)v->offset;
	p->e = (uint32_t)expect;
	expect = c;
	for (int k = 0; k < np; k++) {
		if (v->strides[px[k]] != expect) {
			*why = "a transpose or a part along height or width, which needs a copy";
			return -1;
		}
		expect *= v->dims[px[k]];
	}
	if (expect != c * (int64_t)s.h * s.w) {
		*why = "a part along height or width";
		return -1;
	}
	return 0;
}

/* Channel axes (bit i: axis i, of size > 1, lies within a pixel's channels). */
unsigned chan_mask(const struct view *v, uint32_t c)
{
	unsigned m = 0;
	for (int i = 0; i < v->rank; i++)
		if (v->dims[i] > 1 && v->strides[i] < (int64_t)c)
			m |= 1u << i;
	return m;
}

/* ---- shapes of layout operators (shared by constants and activations) ---- */

/* Reshape's target: 0 copies a dimension (unless allowzero), -1 is inferred. */
int reshape_dims(struct ox *ox, int rank, const int64_t *dims, const struct val *shape,
		 int64_t allowzero, int64_t *nd, int *nrank)
{
	int64_t sh[R + 1];
	int n = 0;
	if (const_ints(ox, shape, "the target shape", sh, R, &n))
		return AX_EINPUT;
	int infer = -1;
	int64_t known = 1, total = prod(dims, rank);
	for (int i = 0; i < n; i++) {
		int64_t d = sh[i];
		if (d == 0 && !allowzero) {
			if (i >= rank)
				return bad(ox, "the target shape copies dimension %d, which the %d-D input lacks",
					   i, rank);
			d = dims[i];
		}
		if (d == -1) {
			if (infer >= 0)
				return bad(ox, "the target shape has more than one -1");
			infer = i;
			continue;
		}
		if (d < 0 || d > ((int64_t)1 << 31))
			return bad(ox, "the target shape has dimension %lld; expected -1 or 0 to 2^31",
				   (long long)d);
		nd[i] = d;
		known *= d;
		if (known > ((int64_t)1 << 40))
			return bad(ox, "the target shape has too many elements");
	}
	if (infer >= 0) {
		if (known == 0 || total % known)
			return bad(ox, "the target shape cannot hold the %lld elements of the input",
				   (long long)total);
		nd[infer] = total / known;
		known = total;
	}
	if (known != total)
		return bad(ox, "the target shape holds %lld elements; expected the input's %lld",
			   (long long)known, (long long)total);
	*nrank = n;
	return AX_OK;
}

/* Squeeze/Unsqueeze axes from the attribute (before opset 13) or input 1. */
static int axes_arg(struct ox *ox, int64_t *axes, int *n)
{
	if (ox->md->opset < 13 || attr(ox, "axes"))
		return attr_ints(ox, "axes", axes, R, n);
	struct val *a = in_val(ox, 1);
	*n = -1;
	if (!a)
		return AX_OK;
	return const_ints(ox, a, "the axes", axes, R, n);
}

int squeeze_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank)
{
	int64_t axes[R];
	int n;
	if (axes_arg(ox, axes, &n))
		return AX_EINPUT;
	unsigned drop = 0;
	if (n < 0) {
		for (int i = 0; i < rank; i++)
			if (dims[i] == 1)
				drop |= 1u << i;
	}
	for (int k = 0; k < n; k++) {
		int a = norm_axis(axes[k], rank);
		if (a < 0 || dims[a] != 1)
			return bad(ox, "axis %lld cannot be squeezed from a %d-D tensor; expected an axis "
				   "of size 1", (long long)axes[k], rank);
		drop |= 1u << a;
	}
	*nrank = 0;
	for (int i = 0; i < rank; i++)
		if (!(drop & (1u << i)))
			nd[(*nrank)++] = dims[i];
	return AX_OK;
}

int unsqueeze_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank)
{
	int64_t axes[R];
	int n;
	if (axes_arg(ox, axes, &n))
		return AX_EINPUT;
	if (n < 0)
		return bad(ox, "the axes are missing");
	int out = rank + n;
	if (out > R)
		return unsup(ox, "the result has rank %d; expected at most %d", out, R);
	unsigned ins = 0;
	for (int k = 0; k < n; k++) {
		int a = norm_axis(axes[k], out);
		if (a < 0 || (ins & (1u << a)))
			return bad(ox, "axis %lld is out of range or repeated", (long long)axes[k]);
		ins |= 1u << a;
	}
	for (int i = 0, j = 0; i < out; i++)
		nd[i] = (ins & (1u << i)) ? 1 : dims[j++];
	*nrank = out;
	return AX_OK;
}

int flatten_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank)
{
	int64_t axis;
	if (attr_int(ox, "axis", 1, &axis))
		return AX_EINPUT;
	if (axis < 0)
		axis += rank;
	if (axis < 0 || axis > rank)
		return bad(ox, "axis %lld is out of range for a %d-D input", (long long)axis, rank);
	nd[0] = prod(dims, (int)axis);
	nd[1] = prod(dims + axis, rank - (int)axis);
	*nrank = 2;
	return AX_OK;
}

int transpose_perm(struct ox *ox, int rank, int *perm)
{
	int64_t p[R];
	int n;
	if (attr_ints(ox, "perm", p, R, &n))
		return AX_EINPUT;
	if (n < 0) {
		for (int i = 0; i < rank; i++)
			perm[i] = rank - 1 - i;
		return AX_OK;
	}
	if (n != rank)
		return bad(ox, "perm has %d entries; expected %d", n, rank);
	unsigned seen = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < 0 || p[i] >= rank || (seen & (1u << p[i])))
			return bad(ox, "perm is not a permutation of 0 to %d", rank - 1);
		seen |= 1u << p[i];
		perm[i] = (int)p[i];
	}
	return AX_OK;
}

int slice_ranges(struct ox *ox, int rank, const int64_t *dims, struct range *rg)
{
	int64_t st[R], en[R], ax[R], sp[R];
	int ns, ne, na = -1, np = -1;
	for (int i = 0; i < rank; i++)
		rg[i] = (struct range){ 0, dims[i], 1 };
	if (ox->md->opset < 10) {
		if (attr_ints(ox, "starts", st, R, &ns) || attr_ints(ox, "ends", en, R, &ne) ||
		    attr_ints(ox, "axes", ax, R, &na))
			return AX_EINPUT;
	} else {
		if (const_ints(ox, in_val(ox, 1), "starts", st, R, &ns) ||
		    const_ints(ox, in_val(ox, 2), "ends", en, R, &ne))
			return AX_EINPUT;
		if (in_val(ox, 3) && const_ints(ox, in_val(ox, 3), "axes", ax, R, &na))
			return AX_EINPUT;
		if (in_val(ox, 4) && const_ints(ox, in_val(ox, 4), "steps", sp, R, &np))
			return AX_EINPUT;
	}
	if (ns < 0 || ne != ns || (na >= 0 && na != ns) || (np >= 0 && np != ns))
		return bad(ox, "starts, ends, axes and steps differ in length");
	unsigned seen = 0;
	for (int k = 0; k < ns; k++) {
		int a = na >= 0 ? norm_axis(ax[k], rank) : k;
		if (a < 0 || (seen & (1u << a)))
			return bad(ox, "slice axis %d is out of range or repeated", k);
		seen |= 1u << a;
		int64_t d = dims[a], step = np >= 0 ? sp[k] : 1;
		if (step == 0)
			return bad(ox, "slice step 0");
		int64_t s = st[k], e = en[k];
		if (s < 0)
			s += d;
		if (e < 0 && e > INT64_MIN / 2)
			e += d;
		if (step > 0) {
			s = s < 0 ? 0 : s > d ? d : s;
			e = e < 0 ? 0 : e > d ? d : e;
			rg[a] = (struct range){ s, e > s ? (e - s + step - 1) / step : 0, step };
		} else {
			s = s < 0 ? -1 : s > d - 1 ? d - 1 : s;
			e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
			rg[a] = (struct range){ s, s > e ? (s - e + (-step) - 1) / (-step) : 0, step };
		}
	}
	return AX_OK;
}
