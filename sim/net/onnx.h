/*
 * onnx.h - imports an ONNX model into a struct ax_net (docs/onnx-import.md):
 * every operator is mapped onto the chip's units, batch normalisation and the
 * other per-channel affine operations are folded into the neighbouring
 * convolutions, the usual fused patterns (SiLU, hard-swish, layer
 * normalisation) become activations or vector-unit layers, shapes are
 * inferred with --input-shape fixing dynamic dimensions, and the weights are
 * quantised to int8 (int32 biases) into net->weight_data.
 */
#ifndef AX_ONNX_H
#define AX_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define AX_ONNX_MAX_RANK 8                          /* tensor rank the importer handles */
#define AX_ONNX_MAX_FILE_BYTES ((uint64_t)1 << 30)  /* larger files are refused */

/* A shape given for a graph input: "[NAME=]D0xD1x...". */
struct ax_onnx_shape {
	char *name;                     /* the input it fixes (heap), NULL: the only input */
	int rank;
	int64_t dims[AX_ONNX_MAX_RANK];
};

struct ax_onnx_opts {
	const struct ax_onnx_shape *shapes; /* fixes dynamic input dimensions */
	size_t n_shapes;
	int no_host;        /* an unsupported trailing part is an error, not placed on the host */
};

/* What the import did, for the tool's summary. */
struct ax_onnx_info {
	size_t nodes;             /* nodes of the ONNX graph */
	size_t host_nodes;        /* nodes placed on the host (the trailing unsupported part) */
	char host_ops[256];       /* their operators, comma separated, "" when none */
	size_t folded;            /* affine nodes (BatchNormalization, Mul/Add by constants, ...)
				     folded into a convolution or dense layer */
	size_t affine_layers;     /* affine nodes that needed a layer of their own */
	size_t fused_acts;        /* activations fused into the producing layer */
	size_t patterns;          /* SiLU, hard-swish and layer-normalisation patterns found */
	size_t dynamic_matmuls;   /* MatMul of two activations (weights written at run time) */
	uint64_t dynamic_values;  /* values of their run-time weight operands */
	size_t approximations;    /* nodes mapped to the nearest equivalent, not exactly */
};

/*
 * Parses an --input-shape value "[NAME=]D0xD1x..." (1 to AX_ONNX_MAX_RANK
 * dimensions, each 1 to 2^31 - 1) into *out, which the caller releases with
 * ax_onnx_shape_release.  Returns AX_OK or AX_EINPUT with a message.
 */
int ax_onnx_parse_shape(const char *s, struct ax_onnx_shape *out, struct ax_err *err);
void ax_onnx_shape_release(struct ax_onnx_shape *s);

/*
 * Reads the ONNX model at path and builds net from it: layers in
 * topological order, shapes inferred, weights and biases quantised into
 * net->weight_data.  net is initialised by the call (previous contents are
 * not freed).  info (may be NULL) is filled with what was done.  warn gets
 * warnings (the part placed on the host, ignored constant outputs).
 * Returns AX_OK; AX_EINPUT with messages "path: ..." naming the node and
 * operator for a malformed, hostile or unsupported model ("unsupported
 * operator 'X' (node 'Y')"); AX_EIO when the file cannot be read.  On
 * failure net is left empty; ax_net_release is safe in every case.
 */
int ax_onnx_import(struct ax_net *net, const char *path, const struct ax_onnx_opts *o,
		   struct ax_onnx_info *info, struct ax_err *err, struct ax_err *warn);

#endif
