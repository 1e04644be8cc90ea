/*
 * onnx.c - maps an ONNX graph onto the layers of struct ax_net
 * (docs/onnx-import.md).
 *
 * Every ONNX value is a constant (decoded, folded when all of a node's inputs
 * are constants), an activation, or a value computed on the host.  An
 * activation is a view of a layer's HWC int8 tensor: logical dimensions with
 * strides into the layer's buffer, so that Reshape, Transpose, Squeeze,
 * Unsqueeze, Flatten and slices along channels cost nothing; a layer that
 * reads a view checks that its channels and pixels are where the layer
 * expects them and adds a slice layer for a channel sub-range.  Per-channel
 * affine operations (BatchNormalization, Mul/Add/Sub/Div by constants) and
 * activations are pending steps on their input until a consumer needs them:
 * they fold into the producing convolution (or the consuming one) or fuse
 * into the producing layer when nothing else reads its output, and become
 * layers of their own only when they must.  Pending steps also let the
 * SiLU (x * sigmoid(x)) and hard-swish (x * clip(x + 3, 0, 6) / 6) patterns
 * be recognised wherever the exporter put a Mul by 1 or a Div.  Layer
 * normalisation (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div) is
 * matched on the graph before the conversion.
 *
 * A node that cannot be mapped fails the conversion with a message naming it;
 * when every node that depends on it is free of weights, the conversion is
 * repeated with that trailing part placed on the host.
 */
#include "onnx_int.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define R AX_ONNX_MAX_RANK
#define MAX_NODES 1000000
#define MAX_NODE_INPUTS 4096
#define MAX_STEP_DEPTH 8     /* pending steps on one layer before they are materialised */
#define MAX_ATTEMPTS 16      /* conversions, each placing more of the tail on the host */
#define MAX_FOLD_ELEMS ((size_t)1 << 24) /* elements a folded constant may have */

/* ---- the model, read once ---- */

struct xnode {
	const Onnx__NodeProto *p;
	char *op;             /* printable (heap) */
	char *label;          /* name, else first output, else #index; printable */
	int absorbed;         /* inside a pattern that another node maps */
	int ln;               /* the Div that ends a layer-normalisation pattern */
	int gelu;             /* the Mul that ends a GELU pattern (erf or tanh form) */
	const char *pat_in;   /* the pattern's input */
	int host;             /* placed on the host */
};

/* ---- string hash table (values, layer names) ---- */

struct htab {
	const char **keys;
	long *vals;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static long htab_get(const struct htab *h, const char *k)
{
	if (!h->cap)
		return -1;
	for (size_t i = hash_str(k) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		if (!h->keys[i])
			return -1;
		if (!strcmp(h->keys[i], k))
			return h->vals[i];
	}
}

static void htab_put(struct htab *h, const char *k, long v)
{
	if ((h->n + 1) * 2 > h->cap) {
		struct htab nh = { 0 };
		nh.cap = h->cap ? h->cap * 2 : 64;
		nh.keys = ax_xcalloc(nh.cap, sizeof(*nh.keys));
		nh.vals = ax_xcalloc(nh.cap, sizeof(*nh.vals));
		for (size_t i = 0; i < h->cap; i++)
			if (h->keys[i])
				htab_put(&nh, h->keys[i], h->vals[i]);
		free(h->keys);
		free(h->vals);
		*h = nh;
	}
	size_t i = hash_str(k) & (h->cap - 1);
	while (h->keys[i] && strcmp(h->keys[i], k))
		i = (i + 1) & (h->cap - 1);
	if (!h->keys[i])
		h->n++;
	h->keys[i] = k;
	h->vals[i] = v;
}

static void htab_release(struct htab *h)
{
	free(h->keys);
	free(h->vals);
	memset(h, 0, sizeof(*h));
}

struct model {
	const char *path;
	Onnx__ModelProto *m;
	const Onnx__GraphProto *g;
	int64_t opset;
	struct xnode *nodes;
	size_t n_nodes;
	size_t *order;        /* topological order of the nodes */
	struct htab prod;     /* value name -> producing node */
	struct htab inits;    /* initializer name -> index */
	struct htab uses;     /* value name -> uses by nodes and graph outputs */
};

/* ---- values ---- */

enum vkind { V_UNDEF = 0, V_NONE, V_CONST, V_ACT, V_HOST };

/* Where an activation's elements are in its layer's HWC buffer. */
struct view {
	int rank;
	int64_t dims[R];
	int64_t strides[R];  /* in elements */
	int64_t offset;
	/* flat: a reshape that strides cannot express, of a view covering the whole
	 * layer; src_* is that view (src_rank 0: the order is unknown) */
	int flat;
	int src_rank;
	int64_t src_dims[R], src_strides[R];
};

enum skind { S_RAW, S_AFFINE, S_ACT, S_HSW6 };

/* What an activation's data is: a layer's output, or a pending per-channel
 * step on another src.  Reference-counted by the uses still to come. */
struct src {
	enum skind kind;
	struct src *parent;   /* steps */
	long layer;           /* raw: its layer; steps: the layer holding the result, or -1 */
	int depth;
	long refs;            /* uses still to come: values' uses plus live child steps */
	int holds;            /* a step still holds its reference on its parent */
	int read;             /* a layer reads this data directly: nothing may be fused into it */
	struct ax_shape shape;/* of the base layer */
	float *a, *b;         /* affine: y = a[ch] x + b[ch], shape.c entries */
	enum ax_act act;      /* act step */
	int32_t alpha_milli;
	int hsig;             /* act step: a hard sigmoid (mapped to sigmoid) */
	float hs_alpha, hs_beta; /* ... its slope and offset */
	int approx;           /* act step: an approximation of the node's function */
	int node;             /* node that made the step (names its layer) */
	struct src *next;     /* allocation list */
};

struct val {
	const char *name;     /* borrowed from the model */
	enum vkind kind;
	struct ox_tensor t;   /* V_CONST */
	struct view v;        /* V_ACT */
	struct src *s;        /* V_ACT */
	int has_pad;          /* V_ACT: a pending spatial Pad, consumed by conv and pools */
	int64_t pad[4];       /* top, left, bottom, right */
	int uses;             /* uses by nodes (Shape and Size excluded) and graph outputs */
	int producer;         /* node index, or -1 */
};

/* Per layer: float weights until the end, where they are quantised. */
struct ldata {
	float *w, *b;         /* [cout][kh][kw][cin/g] (dense: [cout][cin]), [cout] */
	int w_borrowed;       /* w is a float initializer's data (an embedding table), not freed */
	long alias;           /* layer whose channels this one's are (ConvTranspose), or -1 */
	uint32_t alias_rep;   /* channel c of this layer is alias channels c*rep .. c*rep+rep-1 */
};

struct slice_key {
	long from;
	uint32_t axis, c0, e;   /* enum ax_axis; first channel or pixel, count */
	long layer;
};

/* Channel blocks of a layer copied side by side (channel_blocks). */
struct block_key {
	long from;
	int64_t offset, e, n, stride;
	long layer;
};

/* One conversion attempt. */
struct ox {
	const struct model *md;
	const char *path;
	const struct ax_onnx_opts *o;
	struct ax_onnx_info info;
	struct ax_err *err, *warn;
	struct ax_net *net;

	struct val *vals;
	size_t n_vals, cap_vals;
	struct htab vt;       /* value name -> index */
	struct htab lt;       /* layer name -> index */
	struct ldata *ld;
	size_t cap_ld;
	struct src **raw;     /* raw src of each layer */
	size_t cap_raw;
	struct src *srcs;
	struct slice_key *slices;
	size_t n_slices, cap_slices;
	struct block_key *blocks;
	size_t n_blocks, cap_blocks;

	int cur;              /* node being converted, or -1 */
	int fmod;             /* the Mod being folded has fmod set */
	int no_compute;       /* the conversion failed for want of anything to compute */
	int fail_node;        /* node whose failure may move the tail to the host, or -1 */
};

/* ---- messages ---- */

/* Text from the file for a message (n >= 8): control characters become '?'
 * (names are already clean, ox_model_read; attribute strings are not), and
 * a text longer than n is cut with "..." on a UTF-8 character boundary. */
static void printable_copy(char *dst, size_t n, const char *s)
{
	size_t len = s ? strlen(s) : 0, keep = len;
	if (len >= n) {
		keep = n - 4;
		while (keep && ((unsigned char)s[keep] & 0xc0) == 0x80)
			keep--;
	}
	for (size_t i = 0; i < keep; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	strcpy(dst + keep, len >= n ? "..." : "");
}

static const char *cur_label(const struct ox *ox)
{
	return ox->cur >= 0 ? ox->md->nodes[ox->cur].label : "?";
}

static const char *node_label(const struct ox *ox, int node)
{
	return node >= 0 ? ox->md->nodes[node].label : "layer";
}

static const char *cur_op(const struct ox *ox)
{
	return ox->cur >= 0 ? ox->md->nodes[ox->cur].op : "?";
}

/* Adds "file: node 'x' (Op): message"; fail_node records whether the node
 * may go to the host (its index) or not (-1). */
static int node_errv(struct ox *ox, int fail_node, const char *fmt, va_list ap)
{
	char *buf = ax_xvasprintf(fmt, ap);
	if (ox->cur >= 0)
		ax_err_add(ox->err, "%s: node '%s' (%s): %s", ox->path, cur_label(ox), cur_op(ox), buf);
	else
		ax_err_add(ox->err, "%s: %s", ox->path, buf);
	free(buf);
	ox->fail_node = fail_node;
	return AX_EINPUT;
}

/* A problem of the model itself: never moved to the host. */
static int bad(struct ox *ox, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct ox *ox, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = node_errv(ox, -1, fmt, ap);
	va_end(ap);
	return rc;
}

/* Something the chip's units cannot do: the node may go to the host. */
static int unsup(struct ox *ox, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int unsup(struct ox *ox, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = node_errv(ox, ox->cur, fmt, ap);
	va_end(ap);
	return rc;
}

static int unsup_op(struct ox *ox)
{
	const struct xnode *n = &ox->md->nodes[ox->cur];
	const char *dom = ox_str(n->p->domain);
	char d[128];
	printable_copy(d, sizeof(d), dom);
	ax_err_add(ox->err, "%s: unsupported operator '%s%s%s' (node '%s')", ox->path,
		   *dom && strcmp(dom, "ai.onnx") ? d : "", *dom && strcmp(dom, "ai.onnx") ? "::" : "",
		   n->op, n->label);
	ox->fail_node = ox->cur;
	return AX_EINPUT;
}

static void dims_str(char *buf, size_t n, int rank, const int64_t *dims)
{
	size_t at = 0;
	buf[0] = '\0';
	if (rank == 0)
		snprintf(buf, n, "scalar");
	for (int i = 0; i < rank && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%lld", i ? "x" : "", (long long)dims[i]);
}

static const char *vname(const struct val *v)
{
	static char bufs[4][160];
	static int slot;
	char *b = bufs[slot++ % 4];
	printable_copy(b, sizeof(bufs[0]), v->name);
	return b;
}

/* ---- values ---- */

static struct val *val_get(struct ox *ox, const char *name)
{
	long i = htab_get(&ox->vt, name);
	return i < 0 ? NULL : &ox->vals[i];
}

static struct val *val_add(struct ox *ox, const char *name)
{
	AX_GROW(ox->vals, ox->cap_vals, ox->n_vals + 1);
	struct val *v = &ox->vals[ox->n_vals];
	memset(v, 0, sizeof(*v));
	v->name = name;
	v->producer = -1;
	htab_put(&ox->vt, name, (long)ox->n_vals);
	ox->n_vals++;
	return v;
}

/* Input k of the current node, NULL when absent or empty. */
static struct val *in_val(struct ox *ox, size_t k)
{
	const Onnx__NodeProto *p = ox->md->nodes[ox->cur].p;
	if (k >= p->n_input || !p->input[k] || !*p->input[k])
		return NULL;
	return val_get(ox, p->input[k]);
}

static size_t n_inputs(const struct ox *ox)
{
	return ox->md->nodes[ox->cur].p->n_input;
}

/* Output k's value slot of the current node (NULL when the output is unnamed). */
static struct val *out_val(struct ox *ox, size_t k)
{
	const Onnx__NodeProto *p = ox->md->nodes[ox->cur].p;
	if (k >= p->n_output || !p->output[k] || !*p->output[k])
		return NULL;
	return val_get(ox, p->output[k]);
}

/* Product of dimensions (each >= 0), saturated at INT64_MAX. */
static int64_t prod(const int64_t *d, int n)
{
	int64_t p = 1;
	for (int i = 0; i < n; i++) {
		if (d[i] && p > INT64_MAX / d[i])
			return INT64_MAX;
		p *= d[i];
	}
	return p;
}

/* Logical dimensions, including a pending pad. */
static int val_dims(const struct val *v, int64_t *dims)
{
	if (v->kind == V_CONST) {
		memcpy(dims, v->t.dims, sizeof(v->t.dims));
		return v->t.rank;
	}
	memcpy(dims, v->v.dims, sizeof(v->v.dims));
	if (v->has_pad) {
		dims[v->v.rank - 2] += v->pad[0] + v->pad[2];
		dims[v->v.rank - 1] += v->pad[1] + v->pad[3];
	}
	return v->v.rank;
}

/* ---- constants ---- */

static void const_set(struct val *out, struct ox_tensor *t)
{
	ox_tensor_release(&out->t);
	out->kind = V_CONST;
	out->t = *t;
	memset(t, 0, sizeof(*t));
}

static void tensor_alloc(struct ox_tensor *t, int dtype, int rank, const int64_t *dims)
{
	memset(t, 0, sizeof(*t));
	t->dtype = dtype;
	t->rank = rank;
	t->n = 1;
	for (int i = 0; i < rank; i++) {
		t->dims[i] = dims[i];
		t->n *= (size_t)dims[i];
	}
	if (!t->n)
		return;
	if (ox_dtype_is_float(dtype))
		t->f = ax_xcalloc(t->n, sizeof(float));
	else
		t->i = ax_xcalloc(t->n, sizeof(int64_t));
}

static void tensor_setf(struct ox_tensor *t, size_t k, double v)
{
	if (t->f)
		t->f[k] = (float)v;
	else
		t->i[k] = ox_d2i(v);
}

static int const_scalar(const struct val *v, double *out)
{
	if (!v || v->kind != V_CONST || v->t.n != 1)
		return -1;
	*out = ox_tensor_f(&v->t, 0);
	return 0;
}

/* Integer list from a 0-D or 1-D constant input. */
static int const_ints(struct ox *ox, const struct val *v, const char *what, int64_t *out, int max, int *n)
{
	if (!v || v->kind != V_CONST)
		return unsup(ox, "%s must be a constant; expected an initializer or a Constant "
			     "(computed values need the host)", what);
	if (v->t.rank > 1 || v->t.n > (size_t)max)
		return bad(ox, "%s has %zu values; expected at most %d in a 1-D tensor", what, v->t.n,
			   max);
	for (size_t k = 0; k < v->t.n; k++)
		out[k] = ox_tensor_i(&v->t, k);
	*n = (int)v->t.n;
	return AX_OK;
}

/* ---- attributes ---- */

static const Onnx__AttributeProto *attr(struct ox *ox, const char *name)
{
	return ox_attr(ox->md->nodes[ox->cur].p, name);
}

static int attr_type_bad(struct ox *ox, const Onnx__AttributeProto *a, const char *want)
{
	return bad(ox, "attribute '%s' has type %d; expected %s", ox_str(a->name),
		   a->has_type ? (int)a->type : 0, want);
}

static int attr_int(struct ox *ox, const char *name, int64_t def, int64_t *out)
{
	const Onnx__AttributeProto *a = attr(ox, name);
	*out = def;
	if (!a)
		return AX_OK;
	if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
		return attr_type_bad(ox, a, "an integer (INT)");
	*out = a->i;
	return AX_OK;
}

static int attr_float(struct ox *ox, const char *name, double def, double *out)
{
	const Onnx__AttributeProto *a = attr(ox, name);
	*out = def;
	if (!a)
		return AX_OK;
	if (a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT) {
		*out = (double)a->i;
		return AX_OK;
	}
	if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
		return attr_type_bad(ox, a, "a number (FLOAT)");
	*out = a->f;
	return AX_OK;
}

/* A list of at most max integers; *n = -1 when absent. */
static int attr_ints(struct ox *ox, const char *name, int64_t *out, int max, int *n)
{
	const Onnx__AttributeProto *a = attr(ox, name);
	*n = -1;
	if (!a)
		return AX_OK;
	if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
		return attr_type_bad(ox, a, "a list of integers (INTS)");
	if (a->n_ints > (size_t)max)
		return bad(ox, "attribute '%s' has %zu values; expected at most %d", name, a->n_ints, max);
	for (size_t i = 0; i < a->n_ints; i++)
		out[i] = a->ints[i];
	*n = (int)a->n_ints;
	return AX_OK;
}

/* A string attribute copied into buf ("" when absent: def). */
static int attr_str(struct ox *ox, const char *name, const char *def, char *buf, size_t n)
{
	const Onnx__AttributeProto *a = attr(ox, name);
	snprintf(buf, n, "%s", def);
	if (!a)
		return AX_OK;
	if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
		return attr_type_bad(ox, a, "a string (STRING)");
	size_t len = a->s.len < n - 1 ? a->s.len : n - 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = a->s.data[i];
		buf[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	buf[len] = '\0';
	return AX_OK;
}

/* Normalises axis (may be negative) for rank; -1 when out of range. */
static int norm_axis(int64_t axis, int rank)
{
	if (axis < 0)
		axis += rank;
	return axis >= 0 && axis < rank ? (int)axis : -1;
}

/* ---- views ---- */

/* The view of a fresh layer: axis ch (or none, -1) holds the channels at
 * stride 1; the other axes, in order, are the pixels, the last of them along
 * the width. */
static void view_canon(struct view *v, int rank, const int64_t *dims, int ch)
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
static int canon_shape(int rank, const int64_t *dims, int ch, struct ax_shape *s)
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

static int view_eq(const struct view *a, const struct view *b)
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
static int view_reshape_strided(struct view *v, int nrank, const int64_t *nd)
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

/* Where a view's elements are in a layer's buffer. */
struct phys {
	uint32_t c0, e;       /* channel block [c0, c0 + e) */
};

static void sort_axes(int *ax, int n, const int64_t *strides)
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
static int classify(const struct view *v, struct ax_shape s, struct phys *p, const char **why)
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
static unsigned chan_mask(const struct view *v, uint32_t c)
{
	unsigned m = 0;
	for (int i = 0; i < v->rank; i++)
		if (v->dims[i] > 1 && v->strides[i] < (int64_t)c)
			m |= 1u << i;
	return m;
}

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
static long emit(struct ox *ox, const char *lab, const char *suffix, enum ax_op op)
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

static struct ax_layer *L(struct ox *ox, long i)
{
	return &ox->net->layers[i];
}

static void set_in(struct ox *ox, long i, long in0)
{
	L(ox, i)->n_in = 1;
	L(ox, i)->in[0] = (uint32_t)in0;
}

static void set_window(struct ax_layer *l, uint32_t kh, uint32_t kw, uint32_t sh, uint32_t sw,
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
static int finish(struct ox *ox, long i)
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
static void fold_in(struct ox *ox, long i, const float *a, const float *b, const uint32_t *map,
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

static struct src *step_new(struct ox *ox, enum skind kind, struct src *parent);

static void src_release(struct src *s)
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

static void set_act(struct val *out, struct src *s, const struct view *v)
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
static long src_layer(struct ox *ox, struct src *s)
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

static struct src *step_new(struct ox *ox, enum skind kind, struct src *parent)
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

static int is_scalar_vec(const float *v, uint32_t n, float want, float tol)
{
	for (uint32_t i = 0; i < n; i++)
		if (fabsf(v[i] - want) > tol)
			return 0;
	return 1;
}

/* out = a[ch] x + b[ch] (a, b: heap vectors over the channels of x's
 * layer, taken over). */
static int apply_affine(struct ox *ox, const struct val *x, float *a, float *b, struct val *out)
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
static int apply_act(struct ox *ox, const struct val *x, enum ax_act act, int32_t alpha_milli,
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
static long const_layer(struct ox *ox, const struct ox_tensor *t, double scale, const struct view *v,
			struct ax_shape sh)
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
static int const_act(struct ox *ox, const struct val *k, struct val *tmp)
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
	long l = const_layer(ox, &k->t, 1.0, &v, sh);
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

/* How a layer reads a value. */
struct rd {
	long layer;
	struct ax_shape shape;
	struct view v;           /* on layer: offset 0, channels the whole of shape.c */
	const struct src *aff;   /* a pending affine the reader folds into its weights */
	uint32_t c0;             /* first channel of the value in aff's vectors */
};

static long concat_chain(struct ox *ox, const struct rd *rs, size_t n, uint32_t axis);

/* A view whose channels are n blocks of e contiguous channels, S apart (the
 * queries of every head in a fused q, k, v projection): the blocks are
 * sliced out and concatenated, and *v and *l become the view of the copy
 * and its layer.  -1 (nothing made, nothing reported) for any other view. */
static int channel_blocks(struct ox *ox, struct view *v, long *l)
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
static int read_val(struct ox *ox, const struct val *x, int absorb, struct rd *r)
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
static int runtime_weights(struct ox *ox, const struct val *w, uint64_t values)
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
static int spatial(struct ox *ox, const struct val *x, const struct rd *r, uint32_t *h, uint32_t *w,
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
static int affine_vectors(struct ox *ox, const struct val *x, const struct ox_tensor *ta,
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

/* ---- shapes of layout operators (shared by constants and activations) ---- */

/* Reshape's target: 0 copies a dimension (unless allowzero), -1 is inferred. */
static int reshape_dims(struct ox *ox, int rank, const int64_t *dims, const struct val *shape,
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

static int squeeze_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank)
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

static int unsqueeze_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank)
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

static int flatten_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank)
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

static int transpose_perm(struct ox *ox, int rank, int *perm)
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

/* Slice: per axis the first element, count and step. */
struct range {
	int64_t start, len, step;
};

static int slice_ranges(struct ox *ox, int rank, const int64_t *dims, struct range *rg)
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

static int cast_to(struct ox *ox, int64_t to, int *dtype)
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

/* Folds a node all of whose inputs are constants. */
static int fold_node(struct ox *ox)
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

/* ---- operators on activations: layout ---- */

static int need_act(struct ox *ox, const struct val *x, const char *what)
{
	if (!x)
		return bad(ox, "%s is missing", what);
	if (x->kind != V_ACT)
		return unsup(ox, "%s '%s' must be an activation here", what, vname(x));
	return AX_OK;
}

static int no_pad(struct ox *ox, const struct val *x)
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

static int op_reshape_like(struct ox *ox)
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

static int op_identity(struct ox *ox)
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

static int op_cast(struct ox *ox)
{
	int64_t to;
	int dt;
	if (attr_int(ox, "to", OX_FLOAT, &to) || cast_to(ox, to, &dt))
		return AX_EINPUT;
	return op_identity(ox);
}

static int op_transpose(struct ox *ox)
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
	for (int i = 0; i < v.rank; i++) {
		if (rg[i].start == 0 && rg[i].len == v.dims[i] && rg[i].step == 1)
			continue;
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
	set_act(out, x->s, &v);
	return AX_OK;
}

static int op_slice(struct ox *ox)
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

static int op_gather(struct ox *ox)
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

static int op_split(struct ox *ox)
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

static int op_shape(struct ox *ox)
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
static int constant_tensor(const Onnx__NodeProto *p, struct ox_tensor *t, char *why, size_t nwhy)
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

static int op_constant(struct ox *ox)
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

static int op_pad(struct ox *ox)
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

static int op_conv(struct ox *ox)
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
	if (wv->kind != V_CONST && runtime_weights(ox, wv, (uint64_t)(M * kh * kw * wd[1])))
		return AX_EINPUT;

	long l = emit(ox, cur_label(ox), "", AX_OP_CONV);
	if (l < 0)
		return AX_EINPUT;
	set_in(ox, l, r.layer);
	set_window(L(ox, l), (uint32_t)kh, (uint32_t)kw, (uint32_t)st[0], (uint32_t)st[1], pads,
		   (uint32_t)dl[0], (uint32_t)dl[1]);
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

static int op_convtranspose(struct ox *ox)
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
static int linear(struct ox *ox, const struct val *x, int64_t K, int64_t N, float *w, float *bias,
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

/* Whether A (ra) and B (rb) are laid out as a dyn_matmul reads them; *tb
 * says whether B is transposed.  0 when they are. */
static int mm_layout(const struct rd *ra, const struct rd *rb, int64_t K, int64_t N, int64_t groups,
		     int *tb)
{
	const struct view *va = &ra->v, *vb = &rb->v;
	int ar = va->rank, br = vb->rank;
	int64_t ca = ra->shape.c, cb = rb->shape.c;
	if (va->flat || vb->flat || ca != groups * K || (K > 1 && va->strides[ar - 1] != 1) ||
	    !batch_axes(va, 0, ar - 2, K, ca, groups) || !all_pixels(va, ar - 2, ra->shape))
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

/* docs/onnx-import.md "Products of two activations": A (..., M, K) times
 * B (..., K, N), groups matrices each (the heads), as a dyn_matmul whose
 * second operand is written into the array at run time.  A holds each
 * head's K values side by side in the channels and its M rows along the
 * pixels; B holds K pixels of each head's N values, or (transposed, as a
 * key matrix is) N pixels of each head's K values. */
static int dyn_matmul(struct ox *ox, const struct val *a, const struct val *b, int64_t K, int64_t N,
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
		if (mm_layout(&ta, &tbv, K, M, groups, &tb)) {
			char d[96];
			dims_str(d, sizeof(d), ra.v.rank, ra.v.dims);
			return unsup(ox, "input A '%s' (%s) is laid out as %ux%ux%u in layer '%s'; "
				     "expected its rows along the pixels and each of its %lld matrices' "
				     "%lld columns side by side in the channels, and B '%s' as %lld "
				     "pixels of each matrix's columns, or transposed", vname(a), d,
				     ra.shape.h, ra.shape.w, ra.shape.c, L(ox, ra.layer)->name,
				     (long long)groups, (long long)K, vname(b), (long long)K);
		}
		ra = ta;
		rb = tbv;
		N = M;
		swap = 1;
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

static int op_gemm(struct ox *ox)
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

static int op_matmul(struct ox *ox)
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

static int op_batchnorm(struct ox *ox)
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
	long cl = const_layer(ox, &k->t, scale, &r.v, r.shape);
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

static int op_binary(struct ox *ox)
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

static int op_pow(struct ox *ox)
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
static int op_act(struct ox *ox)
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

static int op_softmax(struct ox *ox)
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

static int op_reducemean(struct ox *ox)
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

static int op_pool(struct ox *ox)
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

static int op_resize(struct ox *ox)
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
static long concat_chain(struct ox *ox, const struct rd *rs, size_t n, uint32_t axis)
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

static int op_concat(struct ox *ox)
{
	struct val *out = out_val(ox, 0);
	int64_t axis;
	if (attr_int(ox, "axis", 0, &axis))
		return AX_EINPUT;
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

static int op_ln_pattern(struct ox *ox)
{
	struct src *s;
	struct view v;
	const struct val *x = val_get(ox, ox->md->nodes[ox->cur].pat_in);
	return layernorm(ox, x, out_val(ox, 0), &s, &v);
}

static int op_layernormalization(struct ox *ox)
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

/* ---- the operator table ---- */

static const struct opdef {
	const char *name;
	int (*fn)(struct ox *ox);
	int fold;             /* folded when every input is a constant */
} opdefs[] = {
	{ "Constant", op_constant, 0 },
	{ "Identity", op_identity, 1 },
	{ "Dropout", op_identity, 1 },
	{ "Cast", op_cast, 1 },
	{ "Reshape", op_reshape_like, 1 },
	{ "Flatten", op_reshape_like, 1 },
	{ "Squeeze", op_reshape_like, 1 },
	{ "Unsqueeze", op_reshape_like, 1 },
	{ "Transpose", op_transpose, 1 },
	{ "Slice", op_slice, 1 },
	{ "Gather", op_gather, 1 },
	{ "Split", op_split, 0 },
	{ "Shape", op_shape, 0 },
	{ "Size", op_shape, 0 },
	{ "ConstantOfShape", NULL, 1 },
	{ "Neg", NULL, 1 },
	{ "Equal", NULL, 1 },
	{ "Not", NULL, 1 },
	{ "And", NULL, 1 },
	{ "Or", NULL, 1 },
	{ "Less", NULL, 1 },
	{ "Greater", NULL, 1 },
	{ "Mod", NULL, 1 },
	{ "Where", NULL, 1 },
	{ "Expand", NULL, 1 },
	{ "Range", NULL, 1 },
	{ "Concat", op_concat, 1 },
	{ "Add", op_binary, 1 },
	{ "Sub", op_binary, 1 },
	{ "Mul", op_binary, 1 },
	{ "Div", op_binary, 1 },
	{ "Pow", op_pow, 1 },
	{ "Sqrt", op_act, 1 },
	{ "Relu", op_act, 0 },
	{ "Clip", op_act, 0 },
	{ "Sigmoid", op_act, 0 },
	{ "HardSigmoid", op_act, 0 },
	{ "HardSwish", op_act, 0 },
	{ "LeakyRelu", op_act, 0 },
	{ "Erf", op_act, 0 },
	{ "Tanh", op_act, 0 },
	{ "Conv", op_conv, 0 },
	{ "ConvTranspose", op_convtranspose, 0 },
	{ "Gemm", op_gemm, 0 },
	{ "MatMul", op_matmul, 0 },
	{ "BatchNormalization", op_batchnorm, 0 },
	{ "Softmax", op_softmax, 0 },
	{ "ReduceMean", op_reducemean, 0 },
	{ "MaxPool", op_pool, 0 },
	{ "AveragePool", op_pool, 0 },
	{ "GlobalAveragePool", op_pool, 0 },
	{ "GlobalMaxPool", op_pool, 0 },
	{ "Resize", op_resize, 0 },
	{ "Upsample", op_resize, 0 },
	{ "Pad", op_pad, 0 },
	{ "LayerNormalization", op_layernormalization, 0 },
};

static const struct opdef *find_op(const struct xnode *n)
{
	const char *dom = ox_str(n->p->domain);
	if (*dom && strcmp(dom, "ai.onnx"))
		return NULL;
	for (size_t i = 0; i < sizeof(opdefs) / sizeof(opdefs[0]); i++)
		if (!strcmp(opdefs[i].name, n->op))
			return &opdefs[i];
	return NULL;
}

/* Operators whose trailing part may not go to the host: they carry weights. */
static int has_weights(const char *op)
{
	return !strcmp(op, "Conv") || !strcmp(op, "ConvTranspose") || !strcmp(op, "Gemm") ||
	       !strcmp(op, "MatMul") || !strcmp(op, "ConvInteger") || !strcmp(op, "QLinearConv") ||
	       !strcmp(op, "MatMulInteger") || !strcmp(op, "QLinearMatMul") ||
	       !strcmp(op, "LSTM") || !strcmp(op, "GRU") || !strcmp(op, "RNN");
}

/* The values node k reads its data from (Shape and Size read none). */
static size_t node_reads(const struct model *md, size_t k, const char **out, size_t max)
{
	const struct xnode *n = &md->nodes[k];
	if (n->absorbed || !strcmp(n->op, "Shape") || !strcmp(n->op, "Size"))
		return 0;
	if (n->ln || n->gelu) {
		out[0] = n->pat_in;
		return 1;
	}
	size_t c = 0;
	for (size_t i = 0; i < n->p->n_input && c < max; i++)
		if (n->p->input[i] && *n->p->input[i])
			out[c++] = n->p->input[i];
	return c;
}

/* ---- the model: checks, order, patterns ---- */

static int model_err(const struct model *md, struct ax_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int model_err(const struct model *md, struct ax_err *err, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ax_err_add(err, "%s: %s", md->path, buf);
	return AX_EINPUT;
}

static long count_uses(const struct model *md, const char *name)
{
	long n = htab_get(&md->uses, name);
	return n < 0 ? 0 : n;
}

static const struct xnode *producer(const struct model *md, const char *name)
{
	long k = name ? htab_get(&md->prod, name) : -1;
	return k < 0 ? NULL : &md->nodes[k];
}

/* A constant known before the conversion: an initializer or a Constant node. */
static int static_tensor(const struct model *md, const char *name, struct ox_tensor *t)
{
	char why[256];
	long i = name ? htab_get(&md->inits, name) : -1;
	if (i >= 0)
		return ox_tensor_decode(md->g->initializer[i], t, why, sizeof(why));
	const struct xnode *n = producer(md, name);
	if (!n || strcmp(n->op, "Constant"))
		return -1;
	return constant_tensor(n->p, t, why, sizeof(why)) ? -1 : 0;
}

static int static_scalar(const struct model *md, const char *name, double *v)
{
	struct ox_tensor t;
	long ini = name ? htab_get(&md->inits, name) : -1;
	if (ini >= 0) {
		/* do not decode a large initializer to find it is not a scalar */
		const Onnx__TensorProto *tp = md->g->initializer[ini];
		int64_t n = 1;
		for (size_t d = 0; d < tp->n_dims; d++)
			n = tp->dims[d] == 1 ? n : 0;
		if (n != 1)
			return -1;
	}
	if (static_tensor(md, name, &t))
		return -1;
	int rc = t.n == 1 ? 0 : -1;
	if (!rc)
		*v = ox_tensor_f(&t, 0);
	ox_tensor_release(&t);
	return rc;
}

static int input_is(const struct xnode *n, size_t k, const char *name)
{
	return n && k < n->p->n_input && n->p->input[k] && name && !strcmp(n->p->input[k], name);
}

static const char *out0(const struct xnode *n)
{
	return n && n->p->n_output ? n->p->output[0] : NULL;
}

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
static void find_layernorms(struct model *md)
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
static void find_gelus(struct model *md)
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

static void model_release(struct model *md)
{
	for (size_t k = 0; k < md->n_nodes; k++) {
		free(md->nodes[k].label);
		free(md->nodes[k].op);
	}
	free(md->nodes);
	free(md->order);
	htab_release(&md->prod);
	htab_release(&md->inits);
	htab_release(&md->uses);
}

/* A binary min-heap of node indices. */
static void heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;
	for (; i > 0 && h[(i - 1) / 2] > v; i = (i - 1) / 2)
		h[i] = h[(i - 1) / 2];
	h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], v = h[--*n], i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
	return top;
}

static int model_prepare(struct model *md, struct ax_err *err)
{
	const Onnx__ModelProto *m = md->m;
	if (!m->graph)
		return model_err(md, err, "the model has no graph; expected an ONNX model");
	const Onnx__GraphProto *g = md->g = m->graph;
	md->opset = -1;
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *o = m->opset_import[i];
		const char *d = o ? ox_str(o->domain) : "x";
		if (!*d || !strcmp(d, "ai.onnx"))
			md->opset = o->has_version ? o->version : 1;
	}
	if (md->opset < 1 || md->opset > 1000)
		return model_err(md, err, "the model imports no valid version of the default operator "
				 "set; expected an opset_import for domain ''");
	if (g->n_node > MAX_NODES)
		return model_err(md, err, "the graph has %zu nodes; expected at most %d", g->n_node,
				 MAX_NODES);
	md->n_nodes = g->n_node;
	md->nodes = ax_xcalloc(g->n_node + 1, sizeof(*md->nodes));
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *t = g->initializer[i];
		if (!t || !t->name || !*t->name)
			return model_err(md, err, "initializer %zu has no name", i);
		if (htab_get(&md->inits, t->name) >= 0) {
			char nm[160];
			printable_copy(nm, sizeof(nm), t->name);
			return model_err(md, err, "initializer '%s' is defined twice", nm);
		}
		htab_put(&md->inits, t->name, (long)i);
	}
	if (g->n_sparse_initializer)
		return model_err(md, err, "sparse initializers are not supported; expected dense ones");
	for (size_t k = 0; k < g->n_node; k++) {
		const Onnx__NodeProto *p = g->node[k];
		struct xnode *n = &md->nodes[k];
		char buf[200];
		if (!p || !p->op_type || !*p->op_type)
			return model_err(md, err, "node %zu has no operator type", k);
		n->p = p;
		printable_copy(buf, sizeof(buf), p->op_type);
		n->op = ax_xstrdup(buf);
		if (p->name && *p->name)
			printable_copy(buf, sizeof(buf), p->name);
		else if (p->n_output && p->output[0] && *p->output[0])
			printable_copy(buf, sizeof(buf), p->output[0]);
		else
			snprintf(buf, sizeof(buf), "#%zu", k);
		n->label = ax_xstrdup(buf);
		if (p->n_input > MAX_NODE_INPUTS || p->n_output > MAX_NODE_INPUTS)
			return model_err(md, err, "node '%s' (%s) has %zu inputs and %zu outputs; expected "
					 "at most %d each", n->label, n->op, p->n_input, p->n_output,
					 MAX_NODE_INPUTS);
		for (size_t o = 0; o < p->n_output; o++) {
			const char *nm = p->output[o];
			if (!nm || !*nm)
				continue;
			char q[160];
			printable_copy(q, sizeof(q), nm);
			long other = htab_get(&md->prod, nm);
			if (other >= 0)
				return model_err(md, err, "value '%s' is the output of node '%s' and of node "
						 "'%s'; expected one producer", q, md->nodes[other].label,
						 n->label);
			if (htab_get(&md->inits, nm) >= 0)
				return model_err(md, err, "value '%s' is both an initializer and the output "
						 "of node '%s'", q, n->label);
			htab_put(&md->prod, nm, (long)k);
		}
	}
	struct htab gin = { 0 };
	int rc = AX_OK;
	for (size_t i = 0; i < g->n_input && !rc; i++) {
		const char *nm = g->input[i] ? g->input[i]->name : NULL;
		char q[160];
		printable_copy(q, sizeof(q), ox_str(nm));
		if (!nm || !*nm)
			rc = model_err(md, err, "graph input %zu has no name", i);
		else if (htab_get(&md->prod, nm) >= 0)
			rc = model_err(md, err, "value '%s' is both a graph input and the output of node "
				       "'%s'", q, md->nodes[htab_get(&md->prod, nm)].label);
		else if (htab_get(&gin, nm) >= 0)
			rc = model_err(md, err, "graph input '%s' is listed twice", q);
		else
			htab_put(&gin, nm, (long)i);
	}
	/* every input defined; Kahn's algorithm for the order, which finds cycles */
	size_t *indeg = ax_xcalloc(g->n_node + 1, sizeof(size_t));
	size_t *cstart = ax_xcalloc(g->n_node + 2, sizeof(size_t)), *clist = NULL;
	size_t nedges = 0;
	for (size_t k = 0; k < g->n_node && !rc; k++) {
		const Onnx__NodeProto *p = g->node[k];
		for (size_t i = 0; i < p->n_input; i++) {
			const char *nm = p->input[i];
			if (!nm || !*nm)
				continue;
			htab_put(&md->uses, nm, count_uses(md, nm) + 1);
			long pk = htab_get(&md->prod, nm);
			if (pk >= 0) {
				indeg[k]++;
				cstart[pk + 1]++;
				nedges++;
			} else if (htab_get(&md->inits, nm) < 0 && htab_get(&gin, nm) < 0) {
				char q[160];
				printable_copy(q, sizeof(q), nm);
				rc = model_err(md, err, "node '%s' (%s): input '%s' is not defined; expected "
					       "an initializer, a graph input or the output of another node",
					       md->nodes[k].label, md->nodes[k].op, q);
				break;
			}
		}
	}
	for (size_t i = 0; i < g->n_output && !rc; i++) {
		const char *nm = g->output[i] ? g->output[i]->name : NULL;
		char q[160];
		printable_copy(q, sizeof(q), ox_str(nm));
		if (!nm || !*nm || (htab_get(&md->prod, nm) < 0 && htab_get(&md->inits, nm) < 0 &&
				    htab_get(&gin, nm) < 0))
			rc = model_err(md, err, "graph output '%s' is not defined by any node", q);
		else
			htab_put(&md->uses, nm, count_uses(md, nm) + 1);
	}
	if (!rc && g->n_output == 0)
		rc = model_err(md, err, "the graph has no outputs");
	if (!rc) {
		for (size_t k = 0; k < g->n_node; k++)
			cstart[k + 1] += cstart[k];
		clist = ax_xcalloc(nedges + 1, sizeof(size_t));
		size_t *fill = ax_xcalloc(g->n_node + 1, sizeof(size_t));
		for (size_t k = 0; k < g->n_node; k++) {
			const Onnx__NodeProto *p = g->node[k];
			for (size_t i = 0; i < p->n_input; i++) {
				long pk = p->input[i] && *p->input[i] ? htab_get(&md->prod, p->input[i]) : -1;
				if (pk >= 0)
					clist[cstart[pk] + fill[pk]++] = k;
			}
		}
		free(fill);
		/* the ready node that comes first in the file goes next, so that a
		 * file already in topological order (as ONNX asks) keeps its order,
		 * and with it the exporter's schedule of the branches */
		md->order = ax_xcalloc(g->n_node + 1, sizeof(size_t));
		size_t *heap = ax_xcalloc(g->n_node + 1, sizeof(size_t));
		size_t nheap = 0, tail = 0;
		for (size_t k = 0; k < g->n_node; k++)
			if (!indeg[k])
				heap_push(heap, &nheap, k);
		while (nheap) {
			size_t k = heap_pop(heap, &nheap);
			md->order[tail++] = k;
			for (size_t e = cstart[k]; e < cstart[k + 1]; e++)
				if (--indeg[clist[e]] == 0)
					heap_push(heap, &nheap, clist[e]);
		}
		free(heap);
		if (tail != g->n_node) {
			for (size_t k = 0; k < g->n_node; k++)
				if (indeg[k]) {
					rc = model_err(md, err, "the graph has a cycle through node '%s' (%s); "
						       "expected an acyclic graph", md->nodes[k].label,
						       md->nodes[k].op);
					break;
				}
		}
	}
	free(indeg);
	free(cstart);
	free(clist);
	htab_release(&gin);
	if (!rc) {
		find_layernorms(md);
		find_gelus(md);
	}
	return rc;
}

/* ---- one conversion ---- */

static const struct ax_onnx_shape *given_shape(const struct ox *ox, const char *name, int only)
{
	for (size_t i = 0; i < ox->o->n_shapes; i++) {
		const struct ax_onnx_shape *s = &ox->o->shapes[i];
		if (s->name ? !strcmp(s->name, name) : only)
			return s;
	}
	return NULL;
}

/* Does a spatial operator read input name (so that a 3-D input is N, C, L)? */
static int read_spatially(const struct model *md, const char *name)
{
	static const char *const sp[] = { "Conv", "ConvTranspose", "MaxPool", "AveragePool",
					  "BatchNormalization", "GlobalAveragePool", "GlobalMaxPool",
					  "Pad", "Resize", "Upsample" };
	for (size_t k = 0; k < md->n_nodes; k++) {
		const struct xnode *n = &md->nodes[k];
		if (!n->p->n_input || !n->p->input[0] || strcmp(n->p->input[0], name))
			continue;
		for (size_t i = 0; i < sizeof(sp) / sizeof(sp[0]); i++)
			if (!strcmp(n->op, sp[i]))
				return 1;
	}
	return 0;
}

/* Whether graph input name holds the indices of a Gather from a table (an
 * initializer): token ids for an embedding lookup. */
static int read_as_indices(const struct model *md, const char *name)
{
	for (size_t k = 0; k < md->n_nodes; k++) {
		const struct xnode *n = &md->nodes[k];
		if (!strcmp(n->op, "Gather") && n->p->n_input == 2 && input_is(n, 1, name) &&
		    htab_get(&md->inits, n->p->input[0]) >= 0)
			return 1;
	}
	return 0;
}

static int add_input(struct ox *ox, const Onnx__ValueInfoProto *vi, int only)
{
	char q[160], ds[160];
	printable_copy(q, sizeof(q), vi->name);
	const Onnx__TypeProto *tp = vi->type;
	if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
		return bad(ox, "graph input '%s' is not a tensor; expected a tensor input", q);
	const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
	int et = tt->has_elem_type ? tt->elem_type : 0;
	if (et == OX_STRING || et == 0 || et == 14 || et == 15 || et > 16)
		return bad(ox, "graph input '%s' has element type %d (%s); expected a numeric type", q,
			   et, ox_dtype_name(et));
	const struct ax_onnx_shape *gs = given_shape(ox, vi->name, only);
	const Onnx__TensorShapeProto *sp = tt->shape;
	int64_t dims[R];
	int rank;
	if (sp && sp->n_dim > R)
		return unsup(ox, "graph input '%s' has rank %zu; expected at most %d", q, sp->n_dim, R);
	for (size_t i = 0; sp && i < sp->n_dim; i++) {
		const Onnx__TensorShapeProto__Dimension *d = sp->dim[i];
		if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
		    d->dim_value < 0)
			return bad(ox, "graph input '%s': dimension %zu is %lld; expected a size of 1 or "
				   "more, or a named (dynamic) dimension", q, i, (long long)d->dim_value);
	}
	if (gs) {
		rank = gs->rank;
		if (sp && (int)sp->n_dim != rank)
			return bad(ox, "--input-shape gives %d dimensions for input '%s', which has %zu",
				   rank, q, sp->n_dim);
		for (int i = 0; i < rank; i++) {
			const Onnx__TensorShapeProto__Dimension *d = sp ? sp->dim[i] : NULL;
			if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
			    d->dim_value > 0 && d->dim_value != gs->dims[i])
				return bad(ox, "--input-shape gives %lld for dimension %d of input '%s', "
					   "which the model fixes to %lld", (long long)gs->dims[i], i, q,
					   (long long)d->dim_value);
			dims[i] = gs->dims[i];
		}
	} else {
		if (!sp)
			return bad(ox, "graph input '%s' has no shape; give --input-shape", q);
		rank = (int)sp->n_dim;
		for (int i = 0; i < rank; i++) {
			const Onnx__TensorShapeProto__Dimension *d = sp->dim[i];
			int fixed = d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
				    d->dim_value > 0;
			if (fixed) {
				dims[i] = d->dim_value;
				continue;
			}
			if (i == 0 && rank >= 2) {
				dims[i] = 1; /* the batch: the chip runs batch 1 */
				continue;
			}
			/* the shape as the model gives it, and an example that keeps its
			 * fixed dimensions: batch 1, 640 for an image's height and width */
			char ex[160];
			size_t at = 0, ex_at = 0;
			for (int j = 0; j < rank; j++) {
				const Onnx__TensorShapeProto__Dimension *e = sp->dim[j];
				int fx = e && e->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
					 e->dim_value > 0;
				long long exv = fx ? (long long)e->dim_value : j == 0 ? 1 :
						rank == 4 && j >= 2 ? 640 : 64;
				if (at < sizeof(ds))
					at += (size_t)snprintf(ds + at, sizeof(ds) - at, fx ? "%s%lld" : "%s?",
							       j ? "x" : "",
							       fx ? (long long)e->dim_value : 0LL);
				if (ex_at < sizeof(ex))
					ex_at += (size_t)snprintf(ex + ex_at, sizeof(ex) - ex_at, "%s%lld",
								  j ? "x" : "", exv);
			}
			char dp[64];
			printable_copy(dp, sizeof(dp), d && d->value_case ==
				       ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ? d->dim_param : "");
			return bad(ox, "graph input '%s' (%s): dimension %d%s%s%s is not fixed; give "
				   "--input-shape with every dimension, e.g. --input-shape %s%s%s", q, ds, i,
				   *dp ? " ('" : "", dp, *dp ? "')" : "", only ? "" : q, only ? "" : "=",
				   ex);
		}
	}
	/* N, C, H, W and N, C, L inputs of spatial operators keep their channels in
	 * dimension 1; anything else (tokens, features) in its last dimension */
	int ch = rank == 4 || (rank == 3 && read_spatially(ox->md, vi->name)) ? 1 : rank - 1;
	/* token ids: one index per pixel */
	if (read_as_indices(ox->md, vi->name))
		ch = -1;
	struct ax_shape s;
	if (canon_shape(rank, dims, ch, &s)) {
		dims_str(ds, sizeof(ds), rank, dims);
		return unsup(ox, "graph input '%s' (%s) does not fit the chip's tensors; expected "
			     "height, width and channels of 1 to %d each", q, ds, AX_MAX_DIM);
	}
	long l = emit(ox, q, "", AX_OP_INPUT);
	if (l < 0)
		return AX_EINPUT;
	L(ox, l)->out = s;
	if (finish(ox, l))
		return AX_EINPUT;
	struct val *v = val_get(ox, vi->name);
	struct view view;
	view_canon(&view, rank, dims, ch);
	set_act(v, ox->raw[l], &view);
	return AX_OK;
}

static int setup(struct ox *ox)
{
	const struct model *md = ox->md;
	const Onnx__GraphProto *g = md->g;
	char why[256];
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *t = g->initializer[i];
		struct val *v = val_add(ox, t->name);
		struct ox_tensor tt;
		if (ox_tensor_decode(t, &tt, why, sizeof(why))) {
			char q[160];
			printable_copy(q, sizeof(q), t->name);
			return bad(ox, "initializer '%s': %s", q, why);
		}
		const_set(v, &tt);
	}
	size_t n_real = 0;
	for (size_t i = 0; i < g->n_input; i++)
		if (htab_get(&md->inits, g->input[i]->name) < 0) {
			val_add(ox, g->input[i]->name);
			n_real++;
		}
	for (size_t k = 0; k < md->n_nodes; k++)
		for (size_t o = 0; o < md->nodes[k].p->n_output; o++) {
			const char *nm = md->nodes[k].p->output[o];
			if (nm && *nm)
				val_add(ox, nm)->producer = (int)k;
		}
	/* static uses: by nodes' data reads and by graph outputs */
	const char *reads[MAX_NODE_INPUTS];
	for (size_t k = 0; k < md->n_nodes; k++) {
		size_t n = node_reads(md, k, reads, MAX_NODE_INPUTS);
		for (size_t i = 0; i < n; i++)
			val_get(ox, reads[i])->uses++;
	}
	for (size_t i = 0; i < g->n_output; i++) {
		struct val *v = val_get(ox, g->output[i]->name);
		v->uses++;
	}
	for (size_t i = 0; i < ox->o->n_shapes; i++) {
		const char *nm = ox->o->shapes[i].name;
		if (!nm)
			continue;
		struct val *v = val_get(ox, nm);
		if (!v || v->kind == V_CONST || v->producer >= 0) {
			char q[160];
			printable_copy(q, sizeof(q), nm);
			return bad(ox, "--input-shape names '%s', which is not a graph input", q);
		}
	}
	if (n_real == 0)
		return bad(ox, "the graph has no inputs besides its initializers");
	int nameless = 0;
	for (size_t i = 0; i < ox->o->n_shapes; i++)
		nameless += !ox->o->shapes[i].name;
	if (nameless && n_real > 1)
		return bad(ox, "the graph has %zu inputs; give --input-shape NAME=DIMS for each", n_real);
	for (size_t i = 0; i < g->n_input; i++)
		if (htab_get(&md->inits, g->input[i]->name) < 0 && add_input(ox, g->input[i], n_real == 1))
			return AX_EINPUT;
	return AX_OK;
}

static int convert_node(struct ox *ox, size_t k)
{
	const struct xnode *n = &ox->md->nodes[k];
	ox->cur = (int)k;
	if (n->ln)
		return op_ln_pattern(ox);
	if (n->gelu) {
		const struct val *x = val_get(ox, n->pat_in);
		if (need_act(ox, x, "input") || no_pad(ox, x))
			return AX_EINPUT;
		ox->info.patterns++;
		return apply_act(ox, x, AX_ACT_GELU, 0, 0, out_val(ox, 0));
	}
	const struct opdef *d = find_op(n);
	if (!d)
		return unsup_op(ox);
	int all_const = 1, any = 0;
	for (size_t i = 0; i < n->p->n_input; i++) {
		struct val *v = in_val(ox, i);
		if (!v)
			continue;
		any = 1;
		all_const &= v->kind == V_CONST;
		if (v->kind == V_UNDEF || v->kind == V_HOST)
			return bad(ox, "input '%s' is not computed before it", vname(v));
	}
	int rc;
	if (any && all_const && d->fold)
		rc = fold_node(ox);
	else if (!d->fn)
		rc = unsup(ox, "operator '%s' is supported on constants only", n->op);
	else
		rc = d->fn(ox);
	if (rc)
		return rc;
	/* every output something reads must have been made */
	for (size_t o = 0; o < n->p->n_output; o++) {
		struct val *v = out_val(ox, o);
		if (v && v->uses && v->kind == V_UNDEF)
			return unsup(ox, "its output %zu ('%s') is not supported", o, vname(v));
	}
	return AX_OK;
}

static void release_reads(struct ox *ox, size_t k)
{
	const char *reads[MAX_NODE_INPUTS];
	size_t n = node_reads(ox->md, k, reads, MAX_NODE_INPUTS);
	for (size_t i = 0; i < n; i++) {
		struct val *v = val_get(ox, reads[i]);
		if (v->kind == V_ACT)
			src_release(v->s);
	}
}

/* Marks the layer holding v (whole) as a network output. */
static int mark_output(struct ox *ox, struct val *v)
{
	struct rd r;
	/* a value the chip cannot hand over as it is (a pending Pad, a reshape
	 * that needs a copy) is its producer's failure: that node may go to
	 * the host */
	ox->cur = v->producer;
	int rc = read_val(ox, v, 0, &r);
	ox->cur = -1;
	if (rc)
		return AX_EINPUT;
	long l = r.layer;
	if (L(ox, l)->op == AX_OP_INPUT) {
		/* an output that is an input (reshaped at most): a copy on the chip */
		char q[160];
		printable_copy(q, sizeof(q), v->name);
		l = emit(ox, q, "/copy", AX_OP_SLICE);
		if (l < 0)
			return AX_EINPUT;
		set_in(ox, l, r.layer);
		L(ox, l)->slice_end = r.shape.c;
		if (finish(ox, l))
			return AX_EINPUT;
	}
	L(ox, l)->is_output = 1;
	return AX_OK;
}

/* Quantises the float weights into the weight memory: per-tensor symmetric
 * int8 weights, int32 biases in units of s_w / 127 (docs/onnx-import.md). */
static int quantise(struct ox *ox)
{
	struct ax_net *net = ox->net;
	uint64_t total = ax_net_layout_weights(net);
	if (total == UINT64_MAX || total > AX_ONNX_MAX_FILE_BYTES)
		return unsup(ox, "the weights take %llu bytes; expected at most %llu",
			     (unsigned long long)total, (unsigned long long)AX_ONNX_MAX_FILE_BYTES);
	if (!total)
		return AX_OK;
	net->weight_data = ax_xcalloc((size_t)total, 1);
	net->weight_data_bytes = total;
	for (size_t i = 0; i < net->n_layers; i++) {
		const struct ax_layer *l = &net->layers[i];
		if (!l->weight_bytes)
			continue;
		uint64_t nb = l->has_bias ? 4ull * l->cout : 0, nw = l->weight_bytes - nb;
		const struct ldata *d = &ox->ld[i];
		unsigned char *p = net->weight_data + l->weight_offset;
		double mx = 0;
		if (d->w)
			for (uint64_t k = 0; k < nw; k++)
				mx = fmax(mx, fabs(d->w[k]));
		double s = mx > 0 ? mx / 127 : 1;
		if (d->w)
			for (uint64_t k = 0; k < nw; k++)
				p[k] = (unsigned char)(int8_t)lrint(fmax(-127, fmin(127, d->w[k] / s)));
		for (uint32_t co = 0; co < (l->has_bias ? l->cout : 0); co++) {
			double q = d->b ? d->b[co] / (s / 127) : 0;
			int32_t v = (int32_t)lrint(fmax(-2147483647.0, fmin(2147483647.0, q)));
			uint32_t u = (uint32_t)v;
			for (int b = 0; b < 4; b++)
				p[nw + 4 * co + (uint32_t)b] = (unsigned char)(u >> (8 * b));
		}
	}
	return AX_OK;
}

static int convert(struct ox *ox)
{
	const struct model *md = ox->md;
	ox->cur = -1;
	ox->fail_node = -1;
	if (setup(ox))
		return AX_EINPUT;
	for (size_t i = 0; i < md->n_nodes; i++) {
		size_t k = md->order[i];
		const struct xnode *n = &md->nodes[k];
		if (n->absorbed)
			continue;
		if (n->host) {
			for (size_t o = 0; o < n->p->n_output; o++) {
				struct val *v = n->p->output[o] && *n->p->output[o] ?
						val_get(ox, n->p->output[o]) : NULL;
				if (v)
					v->kind = V_HOST;
			}
			continue;
		}
		if (convert_node(ox, k))
			return AX_EINPUT;
		release_reads(ox, k);
	}
	ox->cur = -1;
	/* the chip's outputs: the graph's, and what the host part reads */
	for (size_t i = 0; i < md->g->n_output; i++) {
		struct val *v = val_get(ox, md->g->output[i]->name);
		if (v->kind == V_ACT && mark_output(ox, v))
			return AX_EINPUT;
		if (v->kind == V_CONST)
			ax_err_add(ox->warn, "%s: graph output '%s' is a constant; the chip does not "
				   "compute it", ox->path, vname(v));
	}
	const char *reads[MAX_NODE_INPUTS];
	for (size_t k = 0; k < md->n_nodes; k++) {
		if (!md->nodes[k].host)
			continue;
		size_t n = node_reads(md, k, reads, MAX_NODE_INPUTS);
		for (size_t i = 0; i < n; i++) {
			struct val *v = val_get(ox, reads[i]);
			if (v->kind == V_ACT && mark_output(ox, v))
				return AX_EINPUT;
		}
	}
	size_t compute = 0;
	for (size_t i = 0; i < ox->net->n_layers; i++)
		compute += ox->net->layers[i].op != AX_OP_INPUT;
	if (!compute) {
		ox->no_compute = 1;
		return bad(ox, "no operation of the graph runs on the chip");
	}
	return quantise(ox);
}

static void ox_release(struct ox *ox)
{
	for (size_t i = 0; i < ox->n_vals; i++)
		ox_tensor_release(&ox->vals[i].t);
	free(ox->vals);
	htab_release(&ox->vt);
	htab_release(&ox->lt);
	for (size_t i = 0; i < ox->net->n_layers && i < ox->cap_ld; i++) {
		if (!ox->ld[i].w_borrowed)
			free(ox->ld[i].w);
		free(ox->ld[i].b);
	}
	free(ox->ld);
	free(ox->raw);
	while (ox->srcs) {
		struct src *n = ox->srcs->next;
		free(ox->srcs->a);
		free(ox->srcs->b);
		free(ox->srcs);
		ox->srcs = n;
	}
	free(ox->slices);
	free(ox->blocks);
}

/* ---- the interface ---- */

int ax_onnx_parse_shape(const char *s, struct ax_onnx_shape *out, struct ax_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *eq = strrchr(s, '='), *d = eq ? eq + 1 : s;
	if (eq && eq == s)
		return ax_err_add(err, "--input-shape '%s': the input name before '=' is empty; "
				  "expected NAME=DIMS or DIMS", s);
	int n = 0;
	const char *p = d;
	while (*p) {
		if (n >= AX_ONNX_MAX_RANK)
			return ax_err_add(err, "--input-shape '%s': more than %d dimensions; expected "
					  "at most %d", s, AX_ONNX_MAX_RANK, AX_ONNX_MAX_RANK);
		if (*p < '0' || *p > '9')
			goto bad_shape;
		int64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p - '0');
			if (v > INT32_MAX)
				return ax_err_add(err, "--input-shape '%s': a dimension is larger than %d; "
						  "expected 1 to %d", s, INT32_MAX, INT32_MAX);
			p++;
		}
		if (v < 1)
			return ax_err_add(err, "--input-shape '%s': dimension %d is 0; expected 1 or more",
					  s, n);
		out->dims[n++] = v;
		if (*p == 'x' || *p == 'X' || *p == ',') {
			p++;
			if (!*p)
				goto bad_shape;
		} else if (*p) {
			goto bad_shape;
		}
	}
	if (!n)
		goto bad_shape;
	out->rank = n;
	if (eq)
		out->name = ax_xstrndup(s, (size_t)(eq - s));
	return AX_OK;
bad_shape:
	return ax_err_add(err, "--input-shape '%s' is not a shape; expected dimensions such as "
			  "1x3x640x640, optionally after NAME=", s);
}

void ax_onnx_shape_release(struct ax_onnx_shape *s)
{
	free(s->name);
	s->name = NULL;
}

/* Nodes that depend on node k (and k): the part that would go to the host. */
static size_t tail_of(const struct model *md, size_t k, unsigned char *in, const char **bad_op,
		      const char **bad_node)
{
	size_t n = 0;
	*bad_op = NULL;
	*bad_node = NULL;
	memset(in, 0, md->n_nodes);
	in[k] = 1;
	for (size_t i = 0; i < md->n_nodes; i++) {
		size_t j = md->order[i];
		const struct xnode *x = &md->nodes[j];
		for (size_t a = 0; !in[j] && a < x->p->n_input; a++) {
			long p = x->p->input[a] && *x->p->input[a] ? htab_get(&md->prod, x->p->input[a]) : -1;
			if (p >= 0 && in[p])
				in[j] = 1;
		}
		if (in[j]) {
			n++;
			if (has_weights(x->op) && !*bad_op) {
				*bad_op = x->op;
				*bad_node = x->label;
			}
		}
	}
	return n;
}

/* "; other unsupported operators: 'A' (node 'x'), ..." for the nodes other
 * than skip whose operator the importer does not know, "" when none. */
static void other_unknown_ops(const struct model *md, int skip, char *buf, size_t n)
{
	size_t at = 0, found = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < md->n_nodes; i++) {
		const struct xnode *x = &md->nodes[md->order[i]];
		if ((int)md->order[i] == skip || x->absorbed || find_op(x))
			continue;
		if (found++ >= 8) {
			if (at < n)
				at += (size_t)snprintf(buf + at, n - at, ", ...");
			break;
		}
		char op[64];
		printable_copy(op, sizeof(op), x->op);
		if (at < n)
			at += (size_t)snprintf(buf + at, n - at, "%s'%s' (node '%s')",
					       found == 1 ? "; other unsupported operators: " : ", ",
					       op, x->label);
	}
	if (at >= n && n > 4)
		memcpy(buf + n - 5, "...", 4);
}

int ax_onnx_import(struct ax_net *net, const char *path, const struct ax_onnx_opts *o,
		   struct ax_onnx_info *info, struct ax_err *err, struct ax_err *warn)
{
	struct ax_onnx_opts none = { 0 };
	struct model md;
	memset(&md, 0, sizeof(md));
	md.path = path;
	ax_net_init(net);
	if (info)
		memset(info, 0, sizeof(*info));
	if (!o)
		o = &none;
	int rc = ox_model_read(path, &md.m, err);
	if (rc)
		return rc;
	rc = model_prepare(&md, err);
	if (rc)
		goto out_model;
	unsigned char *in = ax_xcalloc(md.n_nodes + 1, 1);
	struct ax_err notes, first;
	ax_err_init(&notes);
	ax_err_init(&first);
	for (int attempt = 0;; attempt++) {
		struct ox ox;
		struct ax_err e;
		memset(&ox, 0, sizeof(ox));
		ax_err_init(&e);
		ox.md = &md;
		ox.path = path;
		ox.o = o;
		ox.err = &e;
		ox.warn = warn;
		ox.net = net;
		ax_net_init(net);
		net->source = ax_xstrdup(path);
		{
			const char *base = strrchr(path, '/');
			base = base ? base + 1 : path;
			const char *dot = strrchr(base, '.');
			net->name = ax_xstrndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
		}
		rc = convert(&ox);
		if (!rc) {
			for (size_t i = 0; i < net->n_layers; i++)
				AX_ASSERT(net->layers[i].out.c > 0);
			if (info) {
				*info = ox.info;
				info->nodes = md.n_nodes;
			}
		}
		int fail = ox.fail_node, no_compute = ox.no_compute;
		ox_release(&ox);
		if (!rc) {
			ax_err_release(&e);
			break;
		}
		ax_net_release(net);
		const char *bad_op = NULL, *bad_node = NULL;
		size_t n = fail >= 0 && !o->no_host && attempt + 1 < MAX_ATTEMPTS ?
			   tail_of(&md, (size_t)fail, in, &bad_op, &bad_node) : 0;
		if (!n || bad_op) {
			/* nothing left for the chip: the reason is what went to the host */
			if (no_compute)
				ax_err_append(err, &first);
			if (n && bad_op && e.count == 1) {
				/* one line: what failed, why it stays, what else is unknown */
				char others[512];
				other_unknown_ops(&md, fail, others, sizeof(others));
				ax_err_add(err, "%.*s; the part from it on cannot go to the host: it "
					   "includes %s (node '%s'), which carries weights%s",
					   (int)(e.len - 1), e.buf, bad_op, bad_node, others);
			} else {
				ax_err_append(err, &e);
				if (n && bad_op)
					ax_err_add(err, "%s: the part from node '%s' on cannot go to the "
						   "host: it includes %s (node '%s'), which carries weights",
						   path, md.nodes[fail].label, bad_op, bad_node);
			}
			ax_err_release(&e);
			goto out_notes;
		}
		/* the tail from the failing node on goes to the host; try again */
		const char *msg = ax_err_str(&e);
		size_t pl = strlen(path);
		if (!strncmp(msg, path, pl) && !strncmp(msg + pl, ": ", 2))
			msg += pl + 2;
		const char *nl = strchr(msg, '\n');
		ax_err_add(&notes, "%s: %zu nodes from node '%s' (%s) on are placed on the host (%.*s); "
			   "the tensors they read leave the chip", path, n, md.nodes[fail].label,
			   md.nodes[fail].op, (int)(nl ? nl - msg : (long)strlen(msg)), msg);
		for (size_t k = 0; k < md.n_nodes; k++)
			if (in[k])
				md.nodes[k].host = 1;
		ax_err_append(&first, &e);
		ax_err_release(&e);
	}
	ax_err_append(warn, &notes);
	if (info) {
		size_t at = 0;
		info->host_ops[0] = '\0';
		for (size_t i = 0; i < md.n_nodes; i++) {
			const struct xnode *x = &md.nodes[md.order[i]];
			if (!x->host)
				continue;
			info->host_nodes++;
			char pat[96];
			snprintf(pat, sizeof(pat), "%s", x->op);
			int seen = 0;
			for (const char *p = info->host_ops; (p = strstr(p, pat)); p += strlen(pat))
				if ((p == info->host_ops || p[-1] == ' ') &&
				    (p[strlen(pat)] == ',' || !p[strlen(pat)]))
					seen = 1;
			if (!seen && at + strlen(pat) + 3 < sizeof(info->host_ops))
				at += (size_t)snprintf(info->host_ops + at, sizeof(info->host_ops) - at,
						       "%s%s", at ? ", " : "", pat);
		}
	}
	rc = AX_OK;
out_notes:
	ax_err_release(&notes);
	ax_err_release(&first);
	free(in);
out_model:
	model_release(&md);
	ox_model_free(md.m);
	if (rc)
		ax_net_release(net);
	return rc;
}
