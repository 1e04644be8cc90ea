/*
 * onnx_val.c - the ONNX importer's messages, values, constants and
 * attributes.
 */
#include "onnx_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ---- */

/* Text from the file for a message (n >= 8): control characters become '?'
 * (names are already clean, ox_model_read; attribute strings are not), and
 * a text longer than n is cut with "..." on a UTF-8 character boundary. */
void printable_copy(char *dst, size_t n, const char *s)
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

const char *cur_label(const struct ox *ox)
{
	return ox->cur >= 0 ? ox->md->nodes[ox->cur].label : "?";
}

const char *node_label(const struct ox *ox, int node)
{
	return node >= 0 ? ox->md->nodes[node].label : "layer";
}

const char *cur_op(const struct ox *ox)
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
int bad(struct ox *ox, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = node_errv(ox, -1, fmt, ap);
	va_end(ap);
	return rc;
}

/* Something the chip's units cannot do: the node may go to the host. */
int unsup(struct ox *ox, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = node_errv(ox, ox->cur, fmt, ap);
	va_end(ap);
	return rc;
}

int unsup_op(struct ox *ox)
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

void dims_str(char *buf, size_t n, int rank, const int64_t *dims)
{
	size_t at = 0;
	buf[0] = '\0';
	if (rank == 0)
		snprintf(buf, n, "scalar");
	for (int i = 0; i < rank && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%lld", i ? "x" : "", (long long)dims[i]);
}

const char *vname(const struct val *v)
{
	static char bufs[4][160];
	static int slot;
	char *b = bufs[slot++ % 4];
	printable_copy(b, sizeof(bufs[0]), v->name);
	return b;
}

/* ---- values ---- */

struct val *val_get(struct ox *ox, const char *name)
{
	long i = htab_get(&ox->vt, name);
	return i < 0 ? NULL : &ox->vals[i];
}

struct val *val_add(struct ox *ox, const char *name)
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
struct val *in_val(struct ox *ox, size_t k)
{
	const Onnx__NodeProto *p = ox->md->nodes[ox->cur].p;
	if (k >= p->n_input || !p->input[k] || !*p->input[k])
		return NULL;
	return val_get(ox, p->input[k]);
}

size_t n_inputs(const struct ox *ox)
{
	return ox->md->nodes[ox->cur].p->n_input;
}

/* Output k's value slot of the current node (NULL when the output is unnamed). */
struct val *out_val(struct ox *ox, size_t k)
{
	const Onnx__NodeProto *p = ox->md->nodes[ox->cur].p;
	if (k >= p->n_output || !p->output[k] || !*p->output[k])
		return NULL;
	return val_get(ox, p->output[k]);
}

/* Logical dimensions, including a pending pad. */
int val_dims(const struct val *v, int64_t *dims)
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

void const_set(struct val *out, struct ox_tensor *t)
{
	ox_tensor_release(&out->t);
	out->kind = V_CONST;
	out->t = *t;
	memset(t, 0, sizeof(*t));
}

void tensor_alloc(struct ox_tensor *t, int dtype, int rank, const int64_t *dims)
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

void tensor_setf(struct ox_tensor *t, size_t k, double v)
{
	if (t->f)
		t->f[k] = (float)v;
	else
		t->i[k] = ox_d2i(v);
}

int const_scalar(const struct val *v, double *out)
{
	if (!v || v->kind != V_CONST || v->t.n != 1)
		return -1;
	*out = ox_tensor_f(&v->t, 0);
	return 0;
}

/* Integer list from a 0-D or 1-D constant input. */
int const_ints(struct ox *ox, const struct val *v, const char *what, int64_t *out, int max, int *n)
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

const Onnx__AttributeProto *attr(struct ox *ox, const char *name)
{
	return ox_attr(ox->md->nodes[ox->cur].p, name);
}

int attr_type_bad(struct ox *ox, const Onnx__AttributeProto *a, const char *want)
{
	return bad(ox, "attribute '%s' has type %d; expected %s", ox_str(a->name),
		   a->has_type ? (int)a->type : 0, want);
}

int attr_int(struct ox *ox, const char *name, int64_t def, int64_t *out)
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

int attr_float(struct ox *ox, const char *name, double def, double *out)
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
int attr_ints(struct ox *ox, const char *name, int64_t *out, int max, int *n)
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
int attr_str(struct ox *ox, const char *name, const char *def, char *buf, size_t n)
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
int norm_axis(int64_t axis, int rank)
{
	if (axis < 0)
		axis += rank;
	return axis >= 0 && axis < rank ? (int)axis : -1;
}
