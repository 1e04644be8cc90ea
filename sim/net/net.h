/*
 * net.h - the network graph: layers in topological order, one output tensor
 * per layer (tensor i is produced by layer i), int8 activations in HWC order,
 * batch 1.  Built from a network description (net_yaml.c, docs/network-format.md)
 * or read from a compiled ELF (elf.c, docs/elf-format.md).
 */
#ifndef AX_NET_H
#define AX_NET_H

#include <stdint.h>
#include <stddef.h>
#include "../common/err.h"

#define AX_MAX_INPUTS 8          /* inputs of one layer (concat of up to 8) */
#define AX_MAX_DIM 65536         /* largest height, width or channel count */
#define AX_MAX_KERNEL 64         /* largest kernel size, stride, dilation and resize factor */
#define AX_MAX_LAYERS 65536      /* layers in one network (after split expansion) */
#define AX_MAX_WEIGHT_BYTES ((uint64_t)1 << 40) /* weights + biases of one layer */

enum ax_op {
	AX_OP_INPUT = 0,   /* network input; no inputs */
	AX_OP_CONV,        /* 2-D convolution, any groups (depthwise when groups == cin == cout) */
	AX_OP_DENSE,       /* fully connected / matmul against weights; input flattened */
	AX_OP_MAXPOOL,
	AX_OP_AVGPOOL,
	AX_OP_GLOBALPOOL,  /* global average pool to 1x1xC */
	AX_OP_ADD,         /* element-wise, same shapes */
	AX_OP_MUL,         /* element-wise; the second input may be 1x1xC (broadcast) */
	AX_OP_CONCAT,      /* along channels, or along pixels (axis AX_AXIS_PIXELS) */
	AX_OP_SLICE,       /* channels [slice_start, slice_end), or pixels with axis AX_AXIS_PIXELS */
	AX_OP_RESIZE,      /* nearest-neighbour upsampling by an integer factor */
	AX_OP_ACT,         /* stand-alone activation */
	AX_OP_SOFTMAX,     /* over channels (softmax along the last axis of each group of channels is priced as this) */
	AX_OP_MATMUL,      /* product of two activations per group (head): in[0] x in[1], in[1]
	                    * written into the array's weights at run time (docs/network-format.md "dyn_matmul") */
	AX_OP_CONST,       /* a constant tensor held in the weight section (a position embedding,
	                    * a class token); no inputs, its shape given like an input's */
	AX_OP_EMBED,       /* rows of a rows x cout table in the weight section, one per index:
	                    * in[0] is H x W x 1 indices, the output H x W x cout */
	AX_OP_COUNT
};

enum ax_act {
	AX_ACT_NONE = 0,
	AX_ACT_RELU,
	AX_ACT_RELU6,
	AX_ACT_SILU,
	AX_ACT_SIGMOID,
	AX_ACT_HARDSWISH,
	AX_ACT_LEAKY_RELU,
	AX_ACT_GELU,       /* x * Phi(x), erf or tanh form: a lookup-table activation */
	AX_ACT_COUNT
};

struct ax_shape {
	uint32_t h, w, c;
};

/* The axis of a concat or slice (docs/network-format.md). */
enum ax_axis {
	AX_AXIS_CHANNELS = 0,   /* inputs of equal H and W side by side in the channels */
	AX_AXIS_PIXELS,         /* the pixels in H W order, as tokens: 1 x (H W) x C */
	AX_AXIS_COUNT
};

struct ax_layer {
	char *name;
	enum ax_op op;
	uint32_t n_in;
	uint32_t in[AX_MAX_INPUTS];  /* indices of producing layers, all < own index */
	struct ax_shape out;         /* output tensor shape (inferred; given for inputs) */

	/* conv, dense, pools */
	uint32_t cout;               /* conv/dense output channels */
	uint32_t kh, kw, sh, sw;     /* kernel and stride */
	uint32_t pad_t, pad_l, pad_b, pad_r;
	uint32_t dh, dw;             /* dilation */
	uint32_t groups;             /* conv: groups; matmul: heads */
	/* matmul: in[0] is H x W x (groups x K): H*W rows of K values per head; cout is
	 * groups x N.  in[1] holds B per head, K x N: trans_b 0: K pixels of cout channels
	 * (head g's columns at channels g*N..); trans_b 1: B transposed, N pixels of
	 * groups x K channels (head g's rows at channels g*K..), as a key matrix is stored */
	uint32_t trans_b;
	uint32_t has_bias;           /* conv/dense: int32 bias per output channel */
	/* activation fused into this layer (or the op itself for AX_OP_ACT) */
	enum ax_act act;
	int32_t act_alpha_milli;     /* leaky relu slope x 1000 */
	/* slice: channels, or pixels (in H W order) with axis AX_AXIS_PIXELS */
	uint32_t slice_start, slice_end;
	uint32_t axis;               /* concat, slice: enum ax_axis */
	uint32_t rows;               /* embed: rows of the table */
	/* resize */
	uint32_t scale;
	/* network output (consumed outside the chip) */
	uint32_t is_output;

	/* weight placement in the ELF weight section, set by ax_net_layout_weights */
	uint64_t weight_offset, weight_bytes;

	/* 1-based position of the layer in net->source, 0 when unknown */
	int line, col;
};

/* Bytes of one bias in the weight section: int32 (docs/elf-format.md). */
#define AX_BIAS_BYTES 4

struct ax_net {
	char *name;
	char *source;                /* description file the layers came from (heap), or NULL */
	size_t n_layers, cap_layers;
	struct ax_layer *layers;
	/* Contents of the weight memory in the layout of ax_net_layout_weights
	 * (int8 weights, int32 little-endian biases), weight_data_bytes long
	 * (heap), or NULL when only sizes are known (network descriptions). */
	unsigned char *weight_data;
	uint64_t weight_data_bytes;
};

/* Lifecycle: the caller owns struct ax_net; release frees what it holds. */
void ax_net_init(struct ax_net *net);
void ax_net_release(struct ax_net *net);
/* Appends a zeroed layer named name (copied) and returns it. */
struct ax_layer *ax_net_add_layer(struct ax_net *net, const char *name, enum ax_op op);
/* Index of the layer called name, or -1. */
long ax_net_find(const struct ax_net *net, const char *name);

/*
 * Infer every non-input layer's output shape from its inputs, checking
 * parameters (kernel fits, channels divisible by groups, concat heights agree,
 * ...).  Marks layers nothing consumes as outputs when none is marked.
 * Appends one message per problem, naming the layer ("layer 'x': ...").
 */
int ax_net_infer(struct ax_net *net, struct ax_err *err);
/*
 * The steps of ax_net_infer, for loaders that infer as they go.
 * ax_net_infer_layer infers layer i from its inputs' shapes (which must have
 * been inferred); each message starts with where, or when where is NULL with
 * "source:line:col: " from net->source and the layer's position (nothing when
 * unknown).  Returns AX_OK or AX_EINPUT; an input whose shape is unknown
 * (0 channels, its own problem already reported) fails silently.  Output
 * shapes of non-input layers are zeroed before checking.
 * ax_net_mark_outputs marks layers nothing consumes as outputs when no layer
 * is marked.
 */
int ax_net_infer_layer(struct ax_net *net, size_t i, const char *where, struct ax_err *err);
void ax_net_mark_outputs(struct ax_net *net);
/* Assigns weight_offset/weight_bytes to every layer with weights (conv,
 * dense, const, embed: ax_layer_weight_size), packed in
 * layer order, each aligned to 64 bytes (0/0 for other layers).  Returns the
 * section size: the end of the last block, or UINT64_MAX if it does not fit. */
uint64_t ax_net_layout_weights(struct ax_net *net);

/* Derived figures (documented in docs/network-format.md).  Safe on any
 * layer, inferred or not; products that do not fit saturate to UINT64_MAX. */
uint64_t ax_layer_macs(const struct ax_net *net, const struct ax_layer *l);
/* dyn_matmul: the int8 values of its second operand written into the array's
 * weights at run time per inference (K x N per head); 0 for other layers.
 * They are activations, not parameters. */
uint64_t ax_layer_runtime_weights(const struct ax_net *net, const struct ax_layer *l);
uint64_t ax_layer_params(const struct ax_net *net, const struct ax_layer *l);
/* int8 weights + int32 bias, as stored in the weight section (const: its
 * H x W x C values; embed: its rows x cout table) */
uint64_t ax_layer_weight_size(const struct ax_net *net, const struct ax_layer *l);
uint64_t ax_shape_bytes(struct ax_shape s);
/* Input channels of conv/dense layer l (channels of its input tensor; for dense the flattened size). */
uint32_t ax_layer_cin(const struct ax_net *net, const struct ax_layer *l);

uint64_t ax_net_macs(const struct ax_net *net);
/* Operators of the network: its layers other than inputs. */
size_t ax_net_operators(const struct ax_net *net);
uint64_t ax_net_params(const struct ax_net *net);

const char *ax_op_name(enum ax_op op);
const char *ax_act_name(enum ax_act act);
const char *ax_axis_name(enum ax_axis axis);
/* Parse op / activation names (with aliases); -1 if unknown. */
int ax_op_parse(const char *s);
int ax_act_parse(const char *s);
/* Closest op / activation name (aliases included) to a misspelt s, or NULL;
 * extra (or NULL) is one more candidate, like a description's "split". */
const char *ax_op_suggest(const char *s, const char *extra);
const char *ax_act_suggest(const char *s);
/* Non-zero when name is a valid layer name: non-empty, letters, digits and
 * _ . / : - only. */
int ax_layer_name_ok(const char *name);

/*
 * Read a network description (docs/network-format.md) and infer its shapes.
 * net is initialised by the call (previous contents are not freed).  Returns
 * AX_OK; AX_EINPUT with one message per problem of the file; or AX_EIO when
 * it cannot be read.  On failure net is left empty; ax_net_release is safe in
 * every case.
 */
int ax_net_load_yaml(struct ax_net *net, const char *path, struct ax_err *err);
/* The same for a description already read into buf (path names it). */
int ax_net_load_yaml_buf(struct ax_net *net, const char *path, const unsigned char *buf, size_t len,
			 struct ax_err *err);

#endif
