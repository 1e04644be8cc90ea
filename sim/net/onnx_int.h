/*
 * onnx_int.h - what the ONNX importer's files share.  onnx_read.c reads and
 * checks the protobuf file and its tensors; the others map the graph onto
 * layers, one stage each:
 *
 *   onnx_model.c   the model read once: hash tables, checks, topological order
 *   onnx_val.c     messages, values, constants and attributes
 *   onnx_view.c    views of a layer's tensor, shapes of layout operators
 *   onnx_layer.c   layers and the pending per-channel steps on their outputs
 *   onnx_fold.c    constant folding
 *   onnx_layout.c  layout operators on activations (Reshape, Slice, Gather, ...)
 *   onnx_units.c   operators on the chip's units (Conv, Gemm, pools, ...)
 *   onnx_attn.c    the transformer parts: products of two activations,
 *                  softmax, layer normalisation and the patterns found before
 *                  the conversion (layer normalisation, GELU)
 *   onnx_einsum.c  Einsum, taken apart into the MatMul and Transpose paths
 *   onnx.c         the operator table, one conversion, the interface (onnx.h)
 *
 * Not a public interface: see onnx.h.
 */
#ifndef AX_ONNX_INT_H
#define AX_ONNX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.h"
#include "onnx.pb-c.h"

/* ONNX TensorProto.DataType values the importer reads */
enum {
	OX_FLOAT = 1, OX_UINT8 = 2, OX_INT8 = 3, OX_UINT16 = 4, OX_INT16 = 5, OX_INT32 = 6,
	OX_INT64 = 7, OX_STRING = 8, OX_BOOL = 9, OX_FLOAT16 = 10, OX_DOUBLE = 11,
	OX_UINT32 = 12, OX_UINT64 = 13, OX_BFLOAT16 = 16,
};

#define OX_MAX_ELEMS ((size_t)1 << 28) /* elements of one constant tensor: decoded as
						  64-bit values, at most 2 GiB */

/* A constant tensor, decoded.  Floating-point types are kept as float in f,
 * integer and bool types as int64 in i; exactly one of the two is set
 * (both NULL for an empty tensor). */
struct ox_tensor {
	int dtype;
	int rank;
	int64_t dims[AX_ONNX_MAX_RANK];
	size_t n;        /* elements: the product of dims */
	float *f;
	int64_t *i;
	int borrowed;    /* f points into the model's raw_data (not freed here): the
			    model outlives every tensor decoded from it */
};

/* Reads path into a model: size limit, a check of the protobuf wire format
 * (bounds and nesting depth, before protobuf-c sees a byte), then
 * protobuf-c's decoder.  Returns AX_OK, AX_EINPUT or AX_EIO with a message. */
int ox_model_read(const char *path, Onnx__ModelProto **out, struct ax_err *err);
void ox_model_free(Onnx__ModelProto *m);

/* Decodes t into out (heap data); on failure returns -1 and writes why
 * (what is wrong and what was expected). */
int ox_tensor_decode(const Onnx__TensorProto *t, struct ox_tensor *out, char *why, size_t nwhy);
void ox_tensor_release(struct ox_tensor *t);
/* Element k as a double or an int64 (converting between the kinds). */
double ox_tensor_f(const struct ox_tensor *t, size_t k);
int64_t ox_tensor_i(const struct ox_tensor *t, size_t k);
/* A real as an integer: truncated, saturated at the int64 range, NaN as 0. */
int64_t ox_d2i(double v);
int ox_dtype_is_float(int dtype);
const char *ox_dtype_name(int dtype);

/* The attribute called name of node n, or NULL. */
const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name);

/* s, or "" when NULL: protobuf-c leaves absent strings NULL. */
static inline const char *ox_str(const char *s)
{
	return s ? s : "";
}

/* ---- the graph's mapping onto layers (onnx*.c) ---- */

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
	/* V_CONST: from_init, an initializer or folded from one (a parameter);
	 * folded, computed at import.  Folded from Constant nodes and shapes
	 * alone (an attention mask), it is a buffer, not a parameter. */
	int from_init, folded;
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


/* Where a view's elements are in a layer's buffer. */
struct phys {
	uint32_t c0, e;       /* channel block [c0, c0 + e) */
};

/* How a layer reads a value. */
struct rd {
	long layer;
	struct ax_shape shape;
	struct view v;           /* on layer: offset 0, channels the whole of shape.c */
	const struct src *aff;   /* a pending affine the reader folds into its weights */
	uint32_t c0;             /* first channel of the value in aff's vectors */
};

/* Slice: per axis the first element, count and step. */
struct range {
	int64_t start, len, step;
};

/* Product of dimensions (each >= 0), saturated at INT64_MAX. */
static inline int64_t prod(const int64_t *d, int n)
{
	int64_t p = 1;
	for (int i = 0; i < n; i++) {
		if (d[i] && p > INT64_MAX / d[i])
			return INT64_MAX;
		p *= d[i];
	}
	return p;
}

/* Layer i of the network being built. */
static inline struct ax_layer *L(struct ox *ox, long i)
{
	return &ox->net->layers[i];
}

/* onnx_model.c */
long htab_get(const struct htab *h, const char *k);
void htab_put(struct htab *h, const char *k, long v);
void htab_release(struct htab *h);
long count_uses(const struct model *md, const char *name);
const struct xnode *producer(const struct model *md, const char *name);
int static_tensor(const struct model *md, const char *name, struct ox_tensor *t);
int static_scalar(const struct model *md, const char *name, double *v);
int input_is(const struct xnode *n, size_t k, const char *name);
const char *out0(const struct xnode *n);
void model_release(struct model *md);
int model_prepare(struct model *md, struct ax_err *err);

/* onnx_val.c */
void printable_copy(char *dst, size_t n, const char *s);
const char *cur_label(const struct ox *ox);
const char *node_label(const struct ox *ox, int node);
const char *cur_op(const struct ox *ox);
int bad(struct ox *ox, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int unsup(struct ox *ox, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int unsup_op(struct ox *ox);
void dims_str(char *buf, size_t n, int rank, const int64_t *dims);
const char *vname(const struct val *v);
struct val *val_get(struct ox *ox, const char *name);
struct val *val_add(struct ox *ox, const char *name);
struct val *in_val(struct ox *ox, size_t k);
size_t n_inputs(const struct ox *ox);
struct val *out_val(struct ox *ox, size_t k);
int val_dims(const struct val *v, int64_t *dims);
void const_set(struct val *out, struct ox_tensor *t);
void tensor_alloc(struct ox_tensor *t, int dtype, int rank, const int64_t *dims);
void tensor_setf(struct ox_tensor *t, size_t k, double v);
int const_scalar(const struct val *v, double *out);
int const_ints(struct ox *ox, const struct val *v, const char *what, int64_t *out, int max, int *n);
const Onnx__AttributeProto *attr(struct ox *ox, const char *name);
int attr_type_bad(struct ox *ox, const Onnx__AttributeProto *a, const char *want);
int attr_int(struct ox *ox, const char *name, int64_t def, int64_t *out);
int attr_float(struct ox *ox, const char *name, double def, double *out);
int attr_ints(struct ox *ox, const char *name, int64_t *out, int max, int *n);
int attr_str(struct ox *ox, const char *name, const char *def, char *buf, size_t n);
int norm_axis(int64_t axis, int rank);

/* onnx_view.c */
void view_canon(struct view *v, int rank, const int64_t *dims, int ch);
int canon_shape(int rank, const int64_t *dims, int ch, struct ax_shape *s);
int view_eq(const struct view *a, const struct view *b);
int view_reshape_strided(struct view *v, int nrank, const int64_t *nd);
void sort_axes(int *ax, int n, const int64_t *strides);
int classify(const struct view *v, struct ax_shape s, struct phys *p, const char **why);
unsigned chan_mask(const struct view *v, uint32_t c);
int reshape_dims(struct ox *ox, int rank, const int64_t *dims, const struct val *shape,
		 int64_t allowzero, int64_t *nd, int *nrank);
int squeeze_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank);
int unsqueeze_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank);
int flatten_dims(struct ox *ox, int rank, const int64_t *dims, int64_t *nd, int *nrank);
int transpose_perm(struct ox *ox, int rank, int *perm);
int slice_ranges(struct ox *ox, int rank, const int64_t *dims, struct range *rg);

/* onnx_layer.c */
long emit(struct ox *ox, const char *lab, const char *suffix, enum ax_op op);
void set_in(struct ox *ox, long i, long in0);
void set_window(struct ax_layer *l, uint32_t kh, uint32_t kw, uint32_t sh, uint32_t sw,
		const int64_t *pads, uint32_t dh, uint32_t dw);
int finish(struct ox *ox, long i);
void fold_in(struct ox *ox, long i, const float *a, const float *b, const uint32_t *map,
	     uint32_t c0);
void src_release(struct src *s);
void set_act(struct val *out, struct src *s, const struct view *v);
long src_layer(struct ox *ox, struct src *s);
struct src *step_new(struct ox *ox, enum skind kind, struct src *parent);
int is_scalar_vec(const float *v, uint32_t n, float want, float tol);
int apply_affine(struct ox *ox, const struct val *x, float *a, float *b, struct val *out);
int apply_act(struct ox *ox, const struct val *x, enum ax_act act, int32_t alpha_milli,
	      int approx, struct val *out);
long const_layer(struct ox *ox, const struct ox_tensor *t, double scale, const struct view *v,
		 struct ax_shape sh, int buffer);
int const_act(struct ox *ox, const struct val *k, struct val *tmp);
int channel_blocks(struct ox *ox, struct view *v, long *l);
long relayout_layer(struct ox *ox, long from, struct view *v);
long relayout_axes(struct ox *ox, struct rd *r, const int *perm, int nch);
int read_val(struct ox *ox, const struct val *x, int absorb, struct rd *r);
int runtime_weights(struct ox *ox, const struct val *w, uint64_t values);
int spatial(struct ox *ox, const struct val *x, const struct rd *r, uint32_t *h, uint32_t *w,
	    uint32_t *c);
int affine_vectors(struct ox *ox, const struct val *x, const struct ox_tensor *ta,
		   const struct ox_tensor *tb, float **pa, float **pb);

/* onnx_fold.c */
int cast_to(struct ox *ox, int64_t to, int *dtype);
int fold_node(struct ox *ox);

/* onnx_layout.c */
int need_act(struct ox *ox, const struct val *x, const char *what);
int no_pad(struct ox *ox, const struct val *x);
int op_reshape_like(struct ox *ox);
int op_identity(struct ox *ox);
int op_cast(struct ox *ox);
int op_transpose(struct ox *ox);
int op_slice(struct ox *ox);
int op_gather(struct ox *ox);
int op_split(struct ox *ox);
int op_shape(struct ox *ox);
int constant_tensor(const Onnx__NodeProto *p, struct ox_tensor *t, char *why, size_t nwhy);
int op_constant(struct ox *ox);
int op_pad(struct ox *ox);

/* onnx_units.c */
int op_conv(struct ox *ox);
int op_convtranspose(struct ox *ox);
int linear(struct ox *ox, const struct val *x, int64_t K, int64_t N, float *w, float *bias,
	   int64_t groups, int drop_last, struct val *out);
int op_batchnorm(struct ox *ox);
int op_binary(struct ox *ox);
int op_pow(struct ox *ox);
int op_act(struct ox *ox);
int op_pool(struct ox *ox);
int op_resize(struct ox *ox);
long concat_chain(struct ox *ox, const struct rd *rs, size_t n, uint32_t axis);
int op_concat(struct ox *ox);

/* onnx_attn.c */
int dyn_matmul(struct ox *ox, const struct val *a, const struct val *b, int64_t K, int64_t N,
	       int64_t groups, struct val *out);
int op_gemm(struct ox *ox);
int op_matmul(struct ox *ox);
int op_softmax(struct ox *ox);
int op_reducemean(struct ox *ox);
int op_ln_pattern(struct ox *ox);
int op_layernormalization(struct ox *ox);
void find_layernorms(struct model *md);
void find_gelus(struct model *md);

/* onnx_einsum.c */
int op_einsum(struct ox *ox);

#endif
