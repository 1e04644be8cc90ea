/*
 * onnx_int.h - what the ONNX importer's files share (onnx_read.c reads and
 * checks the protobuf file and its tensors; onnx.c maps the graph onto
 * layers).  Not a public interface: see onnx.h.
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

#endif
