/*
 * onnx_read.c - reads an ONNX file (docs/onnx-import.md "Reading"): the
 * whole file into memory (at most AX_ONNX_MAX_FILE_BYTES), a walk over the
 * protobuf wire format that checks every length and the nesting depth with an
 * explicit stack (protobuf-c's decoder recurses and would overflow the stack
 * on a hostile file), then protobuf-c's decoder generated from onnx.proto.
 * Tensors are decoded here with every count checked against the dimensions.
 */
#include "onnx_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"

#define MAX_DEPTH 64 /* nested messages: a model without subgraphs needs about 8 */

/* ---- the wire format ---- */

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* Walks the message tree iteratively: every field key and length must lie
 * inside its message, wire types must be 0, 1, 2 or 5 and nested messages
 * (as onnx.proto declares them) at most MAX_DEPTH deep. */
static int wire_check(const char *path, const uint8_t *buf, size_t len, struct ax_err *err)
{
	struct frame {
		const uint8_t *p, *end;
		const ProtobufCMessageDescriptor *d;
	} st[MAX_DEPTH];
	int top = 0;
	st[0].p = buf;
	st[0].end = buf + len;
	st[0].d = &onnx__model_proto__descriptor;
	while (top >= 0) {
		struct frame *f = &st[top];
		if (f->p == f->end) {
			top--;
			continue;
		}
		size_t at = (size_t)(f->p - buf);
		uint64_t key, n;
		if (varint(&f->p, f->end, &key))
			return ax_err_add(err, "%s: offset %zu: a field key runs past the end of its "
					  "message; expected a valid ONNX (protobuf) file", path, at);
		uint64_t field = key >> 3;
		unsigned wt = (unsigned)(key & 7);
		if (field == 0 || field > 0x1fffffff)
			return ax_err_add(err, "%s: offset %zu: field number %llu is not valid; expected "
					  "a valid ONNX (protobuf) file", path, at,
					  (unsigned long long)field);
		switch (wt) {
		case 0:
			if (varint(&f->p, f->end, &n))
				return ax_err_add(err, "%s: offset %zu: a number runs past the end of its "
						  "message; expected a valid ONNX (protobuf) file", path, at);
			break;
		case 1:
		case 5: {
			size_t w = wt == 1 ? 8 : 4;
			if ((size_t)(f->end - f->p) < w)
				return ax_err_add(err, "%s: offset %zu: a %zu-byte value runs past the end "
						  "of its message; expected a valid ONNX (protobuf) file",
						  path, at, w);
			f->p += w;
			break;
		}
		case 2: {
			if (varint(&f->p, f->end, &n) || n > (uint64_t)(f->end - f->p))
				return ax_err_add(err, "%s: offset %zu: field %llu claims more bytes than "
						  "its message has left; the file is truncated or not ONNX",
						  path, at, (unsigned long long)field);
			const uint8_t *start = f->p;
			f->p += n;
			const ProtobufCFieldDescriptor *fd =
				protobuf_c_message_descriptor_get_field(f->d, (unsigned)field);
			if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE) {
				if (top + 1 >= MAX_DEPTH)
					return ax_err_add(err, "%s: offset %zu: messages are nested more than "
							  "%d deep; expected an ONNX model", path, at,
							  MAX_DEPTH);
				top++;
				st[top].p = start;
				st[top].end = start + n;
				st[top].d = fd->descriptor;
			}
			break;
		}
		default:
			return ax_err_add(err, "%s: offset %zu: wire type %u is not valid; expected a "
					  "valid ONNX (protobuf) file", path, at, wt);
		}
	}
	return AX_OK;
}

/* Names come from the file: a control character or a byte that is not part
 * of valid UTF-8 becomes '?', so every message stays one printable line. */
static void fix_name(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (p && *p) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
			: (*p & 0xf8) == 0xf0 ? 4 : 0;
		for (int k = 1; k < n; k++)
			if ((p[k] & 0xc0) != 0x80)
				n = 0;
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f)) || (n == 2 && *p < 0xc2)) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

static void fix_value_info(Onnx__ValueInfoProto *v)
{
	fix_name(v->name);
	if (!v->type || v->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
	    !v->type->tensor_type || !v->type->tensor_type->shape)
		return;
	Onnx__TensorShapeProto *sh = v->type->tensor_type->shape;
	for (size_t i = 0; i < sh->n_dim; i++)
		if (sh->dim[i]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
			fix_name(sh->dim[i]->dim_param);
}

static void fix_names(Onnx__ModelProto *m)
{
	for (size_t i = 0; i < m->n_opset_import; i++)
		fix_name(m->opset_import[i]->domain);
	Onnx__GraphProto *g = m->graph;
	if (!g)
		return;
	fix_name(g->name);
	for (size_t i = 0; i < g->n_node; i++) {
		Onnx__NodeProto *n = g->node[i];
		fix_name(n->name);
		fix_name(n->op_type);
		fix_name(n->domain);
		for (size_t k = 0; k < n->n_input; k++)
			fix_name(n->input[k]);
		for (size_t k = 0; k < n->n_output; k++)
			fix_name(n->output[k]);
		for (size_t k = 0; k < n->n_attribute; k++)
			fix_name(n->attribute[k]->name);
	}
	for (size_t i = 0; i < g->n_initializer; i++)
		fix_name(g->initializer[i]->name);
	for (size_t i = 0; i < g->n_input; i++)
		fix_value_info(g->input[i]);
	for (size_t i = 0; i < g->n_output; i++)
		fix_value_info(g->output[i]);
	for (size_t i = 0; i < g->n_value_info; i++)
		fix_value_info(g->value_info[i]);
}

int ox_model_read(const char *path, Onnx__ModelProto **out, struct ax_err *err)
{
	/* mapped, not copied: the unpacked message is the only copy kept */
	struct ax_input in;
	*out = NULL;
	int rc = ax_input_read(&in, path, AX_ONNX_MAX_FILE_BYTES, "an ONNX model of at most that size", err);
	if (rc)
		return rc;
	const uint8_t *buf = in.buf;
	size_t len = in.len;
	if (len == 0) {
		rc = ax_err_add(err, "%s: the file is empty; expected an ONNX model", path);
		goto out_buf;
	}
	rc = wire_check(path, buf, len, err);
	if (rc)
		goto out_buf;
	*out = onnx__model_proto__unpack(NULL, len, buf);
	if (!*out)
		rc = ax_err_add(err, "%s: protobuf-c cannot decode it as an ONNX ModelProto; "
				"expected an ONNX model", path);
	else
		fix_names(*out);
out_buf:
	ax_input_release(&in);
	return rc;
}

void ox_model_free(Onnx__ModelProto *m)
{
	if (m)
		onnx__model_proto__free_unpacked(m, NULL);
}

/* ---- tensors ---- */

int ox_dtype_is_float(int dtype)
{
	return dtype == OX_FLOAT || dtype == OX_DOUBLE || dtype == OX_FLOAT16 ||
	       dtype == OX_BFLOAT16;
}

const char *ox_dtype_name(int dtype)
{
	static const char *const names[] = {
		"undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64",
		"string", "bool", "float16", "double", "uint32", "uint64", "complex64",
		"complex128", "bfloat16",
	};
	return dtype >= 0 && dtype < (int)(sizeof(names) / sizeof(names[0])) ? names[dtype] : "?";
}

/* Bytes of one element in raw_data, 0 for types we do not read. */
static size_t elem_size(int dtype)
{
	switch (dtype) {
	case OX_UINT8: case OX_INT8: case OX_BOOL: return 1;
	case OX_UINT16: case OX_INT16: case OX_FLOAT16: case OX_BFLOAT16: return 2;
	case OX_FLOAT: case OX_INT32: case OX_UINT32: return 4;
	case OX_INT64: case OX_UINT64: case OX_DOUBLE: return 8;
	default: return 0;
	}
}

static float half_to_float(uint16_t h)
{
	int sign = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
	float v;
	if (e == 0)
		v = ldexpf((float)m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexpf((float)(m | 0x400), e - 25);
	return sign ? -v : v;
}

static float bf16_to_float(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float v;
	memcpy(&v, &u, sizeof(v));
	return v;
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

/* Stores element k of dtype from the raw little-endian bits. */
static void put_bits(struct ox_tensor *t, size_t k, uint64_t bits)
{
	switch (t->dtype) {
	case OX_FLOAT: {
		uint32_t u = (uint32_t)bits;
		float v;
		memcpy(&v, &u, sizeof(v));
		t->f[k] = v;
		break;
	}
	case OX_DOUBLE: {
		double v;
		memcpy(&v, &bits, sizeof(v));
		t->f[k] = (float)v;
		break;
	}
	case OX_FLOAT16: t->f[k] = half_to_float((uint16_t)bits); break;
	case OX_BFLOAT16: t->f[k] = bf16_to_float((uint16_t)bits); break;
	case OX_INT8: t->i[k] = (int8_t)(uint8_t)bits; break;
	case OX_INT16: t->i[k] = (int16_t)(uint16_t)bits; break;
	case OX_INT32: t->i[k] = (int32_t)(uint32_t)bits; break;
	case OX_UINT64: t->i[k] = bits > INT64_MAX ? INT64_MAX : (int64_t)bits; break;
	case OX_BOOL: t->i[k] = bits != 0; break;
	default: t->i[k] = (int64_t)bits; break; /* uint8, uint16, uint32, int64 */
	}
}

int ox_tensor_decode(const Onnx__TensorProto *t, struct ox_tensor *o, char *why, size_t nwhy)
{
	memset(o, 0, sizeof(*o));
	if ((t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
	    t->n_external_data) {
		snprintf(why, nwhy, "its data is stored in an external file; expected the data inside "
			 "the model (onnx.save with save_as_external_data=False)");
		return -1;
	}
	if (t->segment) {
		snprintf(why, nwhy, "it is a segment of a larger tensor; expected a whole tensor");
		return -1;
	}
	int dt = t->has_data_type ? t->data_type : 0;
	size_t es = elem_size(dt);
	if (!es) {
		snprintf(why, nwhy, "data type %d (%s) is not supported; expected a numeric type", dt,
			 ox_dtype_name(dt));
		return -1;
	}
	if (t->n_dims > AX_ONNX_MAX_RANK) {
		snprintf(why, nwhy, "rank %zu is too large; expected at most %d", t->n_dims,
			 AX_ONNX_MAX_RANK);
		return -1;
	}
	size_t n = 1;
	for (size_t d = 0; d < t->n_dims; d++) {
		int64_t v = t->dims[d];
		if (v < 0 || (uint64_t)v > OX_MAX_ELEMS || (v && n > OX_MAX_ELEMS / (size_t)v)) {
			snprintf(why, nwhy, "dimension %zu is %lld; expected 0 to %zu elements in all", d,
				 (long long)v, OX_MAX_ELEMS);
			return -1;
		}
		n *= (size_t)v;
		o->dims[d] = v;
	}
	o->rank = (int)t->n_dims;
	o->dtype = dt;
	o->n = n;

	/* where the elements are, and how many there are */
	size_t have;
	const char *field;
	if (t->has_raw_data && (t->raw_data.len || !(t->n_float_data || t->n_int32_data ||
						       t->n_int64_data || t->n_double_data ||
						       t->n_uint64_data))) {
		field = "raw_data";
		if (t->raw_data.len % es) {
			snprintf(why, nwhy, "raw_data of %zu bytes is not a whole number of %zu-byte %s "
				 "values", t->raw_data.len, es, ox_dtype_name(dt));
			return -1;
		}
		have = t->raw_data.len / es;
	} else {
		switch (dt) {
		case OX_FLOAT: field = "float_data"; have = t->n_float_data; break;
		case OX_DOUBLE: field = "double_data"; have = t->n_double_data; break;
		case OX_INT64: field = "int64_data"; have = t->n_int64_data; break;
		case OX_UINT32: case OX_UINT64: field = "uint64_data"; have = t->n_uint64_data; break;
		default: field = "int32_data"; have = t->n_int32_data; break;
		}
	}
	if (have != n) {
		snprintf(why, nwhy, "%s holds %zu values; expected %zu for the dimensions", field,
			 have, n);
		return -1;
	}
	if (n == 0)
		return 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* float32 raw data is already what f holds: borrow it rather than
	 * keep a second copy of every weight (a ViT-B/16 has 346 MB) */
	if (dt == OX_FLOAT && !strcmp(field, "raw_data") &&
	    (uintptr_t)t->raw_data.data % _Alignof(float) == 0) {
		o->f = (float *)(void *)t->raw_data.data;
		o->borrowed = 1;
		return 0;
	}
#endif
	if (ox_dtype_is_float(dt))
		o->f = ax_xcalloc(n, sizeof(float));
	else
		o->i = ax_xcalloc(n, sizeof(int64_t));
	if (!strcmp(field, "raw_data")) {
		const uint8_t *p = t->raw_data.data;
		for (size_t k = 0; k < n; k++)
			put_bits(o, k, get_le(p + k * es, es));
		return 0;
	}
	for (size_t k = 0; k < n; k++) {
		switch (dt) {
		case OX_FLOAT: o->f[k] = t->float_data[k]; break;
		case OX_DOUBLE: o->f[k] = (float)t->double_data[k]; break;
		case OX_INT64: o->i[k] = t->int64_data[k]; break;
		case OX_UINT32: case OX_UINT64:
			o->i[k] = t->uint64_data[k] > INT64_MAX ? INT64_MAX : (int64_t)t->uint64_data[k];
			break;
		default: put_bits(o, k, (uint32_t)t->int32_data[k]); break;
		}
	}
	return 0;
}

void ox_tensor_release(struct ox_tensor *t)
{
	if (!t->borrowed)
		free(t->f);
	t->borrowed = 0;
	free(t->i);
	t->f = NULL;
	t->i = NULL;
}

double ox_tensor_f(const struct ox_tensor *t, size_t k)
{
	AX_ASSERT(k < t->n);
	return t->f ? (double)t->f[k] : (double)t->i[k];
}

int64_t ox_tensor_i(const struct ox_tensor *t, size_t k)
{
	AX_ASSERT(k < t->n);
	if (t->i)
		return t->i[k];
	return ox_d2i(t->f[k]);
}

int64_t ox_d2i(double v)
{
	if (!(v == v))
		return 0;
	if (v >= 9.2e18)
		return INT64_MAX;
	if (v <= -9.2e18)
		return INT64_MIN;
	return (int64_t)v;
}

const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i] && n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
			return n->attribute[i];
	return NULL;
}
