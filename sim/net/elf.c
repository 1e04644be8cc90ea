/*
 * elf.c - writes and reads the compiled network (docs/elf-format.md).
 *
 * Our own sections are byte arrays that this file encodes and decodes field
 * by field in little-endian order, so the layout never depends on the host's
 * struct padding or byte order.  libelf builds and parses the ELF container
 * (header, section headers, symbol table).  The reader checks the raw ELF
 * header and every section header's bounds before handing anything to
 * libelf, and checks every record before trusting it; the writer runs the
 * same record checks on what it is about to write.
 */
#include "elf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/output.h"

/* .ax.meta fields (byte offsets) */
enum {
	M_MAGIC = 0, M_VERSION = 8, M_META_SIZE = 12, M_N_LAYERS = 16, M_N_INPUTS = 20,
	M_N_OUTPUTS = 24, M_LAYER_SIZE = 28, M_TENSOR_SIZE = 32, M_NAME = 36, M_SOURCE = 40,
	M_RESERVED = 44, M_WEIGHT_BYTES = 48, M_MACS = 56,
};

/* .ax.graph record fields */
enum {
	G_NAME = 0, G_OP = 4, G_ACT = 8, G_ALPHA = 12, G_N_IN = 16, G_IN = 20,
	G_IN_H = 52, G_IN_W = 56, G_IN_C = 60, G_COUT = 64, G_KH = 68, G_KW = 72,
	G_SH = 76, G_SW = 80, G_PAD_T = 84, G_PAD_L = 88, G_PAD_B = 92, G_PAD_R = 96,
	G_DH = 100, G_DW = 104, G_GROUPS = 108, G_BIAS = 112, G_SLICE_START = 116,
	G_SLICE_END = 120, G_SCALE = 124, G_IS_OUTPUT = 128, G_LINE = 132, G_COL = 136,
	G_TRANS_B = 140, G_WEIGHT_OFFSET = 144, G_WEIGHT_BYTES = 152,
};

/* .ax.tensors record fields */
enum {
	T_PRODUCER = 0, T_H = 4, T_W = 8, T_C = 12, T_BYTES = 16, T_IS_OUTPUT = 24,
	T_RESERVED = 28,
};

_Static_assert(G_WEIGHT_BYTES + 8 == AX_ELF_LAYER_SIZE, "graph record layout");
_Static_assert(G_IN + 4 * AX_MAX_INPUTS == G_IN_H, "graph record inputs");
_Static_assert(T_RESERVED + 4 == AX_ELF_TENSOR_SIZE, "tensor record layout");
_Static_assert(M_MACS + 8 == AX_ELF_META_SIZE, "meta record layout");

#define EM_AX EM_RISCV
#define SEC_META ".ax.meta"
#define SEC_GRAPH ".ax.graph"
#define SEC_TENSORS ".ax.tensors"
#define SEC_WEIGHTS ".ax.weights"
#define SEC_STR ".ax.strtab"
#define MAX_MESSAGES 20

/* The u32 parameter fields of a .ax.graph record, and the ops that use them;
 * a field an op does not use is written as 0 and must read as 0.  A slot may
 * hold different members for disjoint sets of ops (groups and axis, scale
 * and rows). */
#define U(op) (1u << (op))
#define WINDOW (U(AX_OP_CONV) | U(AX_OP_MAXPOOL) | U(AX_OP_AVGPOOL))
static const struct param_field {
	unsigned off;
	const char *name;
	unsigned ops;
	size_t member; /* offsetof in struct ax_layer */
} param_fields[] = {
	{ G_COUT, "cout", U(AX_OP_CONV) | U(AX_OP_DENSE) | U(AX_OP_MATMUL) | U(AX_OP_EMBED),
	  offsetof(struct ax_layer, cout) },
	{ G_KH, "kh", WINDOW, offsetof(struct ax_layer, kh) },
	{ G_KW, "kw", WINDOW, offsetof(struct ax_layer, kw) },
	{ G_SH, "sh", WINDOW, offsetof(struct ax_layer, sh) },
	{ G_SW, "sw", WINDOW, offsetof(struct ax_layer, sw) },
	{ G_PAD_T, "pad_t", WINDOW, offsetof(struct ax_layer, pad_t) },
	{ G_PAD_L, "pad_l", WINDOW, offsetof(struct ax_layer, pad_l) },
	{ G_PAD_B, "pad_b", WINDOW, offsetof(struct ax_layer, pad_b) },
	{ G_PAD_R, "pad_r", WINDOW, offsetof(struct ax_layer, pad_r) },
	{ G_DH, "dh", WINDOW, offsetof(struct ax_layer, dh) },
	{ G_DW, "dw", WINDOW, offsetof(struct ax_layer, dw) },
	{ G_GROUPS, "groups", U(AX_OP_CONV) | U(AX_OP_MATMUL), offsetof(struct ax_layer, groups) },
	{ G_GROUPS, "axis", U(AX_OP_CONCAT) | U(AX_OP_SLICE), offsetof(struct ax_layer, axis) },
	{ G_TRANS_B, "trans_b", U(AX_OP_MATMUL), offsetof(struct ax_layer, trans_b) },
	{ G_BIAS, "has_bias", U(AX_OP_CONV) | U(AX_OP_DENSE), offsetof(struct ax_layer, has_bias) },
	{ G_SLICE_START, "slice_start", U(AX_OP_SLICE), offsetof(struct ax_layer, slice_start) },
	{ G_SLICE_END, "slice_end", U(AX_OP_SLICE), offsetof(struct ax_layer, slice_end) },
	{ G_SCALE, "scale", U(AX_OP_RESIZE), offsetof(struct ax_layer, scale) },
	{ G_SCALE, "rows", U(AX_OP_EMBED), offsetof(struct ax_layer, rows) },
	{ G_SCALE, "repeat", U(AX_OP_CONST), offsetof(struct ax_layer, repeat) },
	{ G_TRANS_B, "buffer", U(AX_OP_CONST), offsetof(struct ax_layer, buffer) },
	{ G_TRANS_B, "runtime", U(AX_OP_CONV), offsetof(struct ax_layer, runtime) },
};
#define N_PARAM_FIELDS (sizeof(param_fields) / sizeof(param_fields[0]))

/* Whether some field at offset off is used by op. */
static int slot_used(unsigned off, uint32_t op)
{
	for (size_t f = 0; f < N_PARAM_FIELDS; f++)
		if (param_fields[f].off == off && op < AX_OP_COUNT && (param_fields[f].ops & U(op)))
			return 1;
	return 0;
}

static uint32_t *param_ptr(struct ax_layer *l, const struct param_field *f)
{
	return (uint32_t *)((char *)l + f->member);
}

static uint32_t param_get(const struct ax_layer *l, const struct param_field *f)
{
	return *(const uint32_t *)((const char *)l + f->member);
}

/* ---- little-endian encoding ---- */

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* ---- a growable byte buffer (string tables) ---- */

struct bytes {
	unsigned char *buf;
	size_t len, cap;
};

/* Appends s (with NUL, control characters replaced by '?'); returns its offset. */
static uint32_t bytes_add_str(struct bytes *b, const char *s)
{
	size_t n = strlen(s), off = b->len;
	AX_GROW(b->buf, b->cap, b->len + n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		b->buf[b->len++] = (c < 0x20 || c == 0x7f) ? '?' : c;
	}
	b->buf[b->len++] = 0;
	if (off > UINT32_MAX)
		AX_BUG("string table larger than 4 GiB");
	return (uint32_t)off;
}

/* ---- checking decoded sections ---- */

/* The parts of a file that the network is decoded from. */
struct image {
	const unsigned char *meta, *graph, *tensors, *str;
	uint64_t meta_size, graph_size, tensors_size, str_size;
	uint64_t weights_size;
};

struct reader {
	const char *file;
	struct ax_err *err;
	int problems;
	int sizes_only;   /* the weight section's contents are not copied */
	uint32_t version; /* of the file, from .ax.meta */
};

static void bad(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad(struct reader *r, const char *fmt, ...)
{
	r->problems++;
	if (r->problems <= MAX_MESSAGES) {
		va_list ap;
		va_start(ap, fmt);
		char *msg = ax_xvasprintf(fmt, ap);
		va_end(ap);
		ax_err_add(r->err, "%s: %s", r->file, msg);
		free(msg);
	} else if (r->problems == MAX_MESSAGES + 1) {
		ax_err_add(r->err, "%s: too many problems; stopping", r->file);
	}
}

static int too_many(const struct reader *r)
{
	return r->problems > MAX_MESSAGES;
}

/* A string of .ax.strtab, or NULL (reported) when off is out of bounds. */
static const char *str_at(struct reader *r, const struct image *im, uint32_t off,
			  const char *sec, uint64_t field_off, const char *what)
{
	if (off >= im->str_size) {
		bad(r, "section '%s' offset 0x%llx: %s offset %u is outside .ax.strtab; expected "
		    "less than %llu", sec, (unsigned long long)field_off, what, off,
		    (unsigned long long)im->str_size);
		return NULL;
	}
	return (const char *)im->str + off; /* terminated: the last byte is NUL */
}

static int printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Network name or source: printable text, NULL when empty. */
static char *text_at(struct reader *r, const struct image *im, unsigned field, const char *what)
{
	const char *s = str_at(r, im, get_u32(im->meta + field), SEC_META, field, what);
	if (!s)
		return NULL;
	if (!printable(s)) {
		bad(r, "section '" SEC_META "' offset 0x%x: %s contains a control character; "
		    "expected printable text", field, what);
		return NULL;
	}
	return *s ? ax_xstrdup(s) : NULL;
}

static int check_meta(struct reader *r, const struct image *im, uint32_t *n_layers)
{
	const unsigned char *m = im->meta;
	if (im->meta_size != AX_ELF_META_SIZE) {
		bad(r, "section '" SEC_META "' size %llu is wrong; expected %d",
		    (unsigned long long)im->meta_size, AX_ELF_META_SIZE);
		return AX_EINPUT;
	}
	if (memcmp(m + M_MAGIC, AX_ELF_MAGIC, 8)) {
		bad(r, "section '" SEC_META "' offset 0x0: magic is wrong; expected '" AX_ELF_MAGIC "'");
		return AX_EINPUT;
	}
	uint32_t v = get_u32(m + M_VERSION);
	if (v < AX_ELF_VERSION_OLDEST || v > AX_ELF_VERSION) {
		bad(r, "section '" SEC_META "' offset 0x%x: version %u is not supported; expected %d to %d",
		    M_VERSION, v, AX_ELF_VERSION_OLDEST, AX_ELF_VERSION);
		return AX_EINPUT;
	}
	r->version = v;
	static const struct {
		unsigned off;
		const char *what;
		uint32_t want;
	} fixed[] = {
		{ M_META_SIZE, "meta record size", AX_ELF_META_SIZE },
		{ M_LAYER_SIZE, "layer record size", AX_ELF_LAYER_SIZE },
		{ M_TENSOR_SIZE, "tensor record size", AX_ELF_TENSOR_SIZE },
		{ M_RESERVED, "reserved field", 0 },
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		v = get_u32(m + fixed[i].off);
		if (v != fixed[i].want)
			bad(r, "section '" SEC_META "' offset 0x%x: %s %u is wrong; expected %u",
			    fixed[i].off, fixed[i].what, v, fixed[i].want);
	}
	*n_layers = get_u32(m + M_N_LAYERS);
	if (*n_layers < 1 || *n_layers > AX_MAX_LAYERS)
		bad(r, "section '" SEC_META "' offset 0x%x: n_layers %u is out of range; expected 1 to %d",
		    M_N_LAYERS, *n_layers, AX_MAX_LAYERS);
	if (r->problems)
		return AX_EINPUT;

	const struct {
		const char *sec;
		uint64_t size, rec;
	} recs[2] = {
		{ SEC_GRAPH, im->graph_size, AX_ELF_LAYER_SIZE },
		{ SEC_TENSORS, im->tensors_size, AX_ELF_TENSOR_SIZE },
	};
	for (int i = 0; i < 2; i++) {
		if (recs[i].size % recs[i].rec)
			bad(r, "section '%s' size %llu is not a whole number of %llu-byte records",
			    recs[i].sec, (unsigned long long)recs[i].size, (unsigned long long)recs[i].rec);
		else if (recs[i].size / recs[i].rec != *n_layers)
			bad(r, "section '%s' holds %llu records; expected %u (n_layers of .ax.meta)",
			    recs[i].sec, (unsigned long long)(recs[i].size / recs[i].rec), *n_layers);
	}
	if (im->str_size < 1 || im->str[0] || im->str[im->str_size - 1])
		bad(r, "section '" SEC_STR "' must start and end with a NUL byte");
	return r->problems ? AX_EINPUT : AX_OK;
}

/* Layer names sorted, to find duplicates in O(n log n). */
struct named {
	const char *name;
	size_t index;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void check_unique(struct reader *r, const struct ax_net *net)
{
	struct named *v = ax_xcalloc(net->n_layers, sizeof(*v));
	for (size_t i = 0; i < net->n_layers; i++) {
		v[i].name = net->layers[i].name;
		v[i].index = i;
	}
	qsort(v, net->n_layers, sizeof(*v), cmp_named);
	for (size_t k = 1; k < net->n_layers && !too_many(r); k++)
		if (!strcmp(v[k - 1].name, v[k].name))
			bad(r, "section '" SEC_GRAPH "' offset 0x%llx: layer %zu: name '%s' is also the "
			    "name of layer %zu; expected unique names",
			    (unsigned long long)v[k].index * AX_ELF_LAYER_SIZE + G_NAME, v[k].index,
			    v[k].name, v[k - 1].index);
	free(v);
}

/* Decodes and checks one .ax.graph record into a new layer of net. */
static void decode_layer(struct reader *r, const struct image *im, struct ax_net *net, size_t i)
{
	const unsigned char *g = im->graph + i * AX_ELF_LAYER_SIZE;
	uint64_t base = (uint64_t)i * AX_ELF_LAYER_SIZE;
#define AT(f) (unsigned long long)(base + (f))
#define BAD(f, ...) bad(r, "section '" SEC_GRAPH "' offset 0x%llx: layer %zu: " __VA_ARGS__)
	const char *name = str_at(r, im, get_u32(g + G_NAME), SEC_GRAPH, base + G_NAME, "name");
	if (name && !ax_layer_name_ok(name)) {
		BAD(G_NAME, "name '%s' is not valid; expected letters, digits and _ . / : - only",
		    AT(G_NAME), i, printable(name) ? name : "?");
		name = NULL;
	}
	uint32_t op = get_u32(g + G_OP), act = get_u32(g + G_ACT), n_in = get_u32(g + G_N_IN);
	struct ax_layer *l = ax_net_add_layer(net, name ? name : "?", AX_OP_INPUT);
	/* docs/elf-format.md "Version policy": the op and activation numbers
	 * each version knew (indexed by version); every field an older version
	 * had means the same in the newer ones */
	static const struct {
		uint32_t ops, acts;
	} known[AX_ELF_VERSION + 1] = {
		[1] = { AX_OP_MATMUL, AX_ACT_GELU },
		[2] = { AX_OP_RELAYOUT, AX_ACT_COUNT },
		[3] = { AX_OP_COUNT, AX_ACT_COUNT },
	};
	_Static_assert(AX_ELF_VERSION == 3, "a new format version needs its row in known[]");
	uint32_t ops = known[r->version].ops, acts = known[r->version].acts;
	char in_version[32];
	snprintf(in_version, sizeof(in_version), " in format version %u", r->version);
	if (op >= ops)
		BAD(G_OP, "op %u is out of range; expected 0 to %u%s", AT(G_OP), i, op, ops - 1,
		    op < AX_OP_COUNT ? in_version : "");
	else
		l->op = (enum ax_op)op;
	if (act >= acts)
		BAD(G_ACT, "act %u is out of range; expected 0 to %u%s", AT(G_ACT), i, act, acts - 1,
		    act < AX_ACT_COUNT ? in_version : "");
	else
		l->act = (enum ax_act)act;
	if (op == AX_OP_INPUT && act != AX_ACT_NONE)
		BAD(G_ACT, "act %u on an input layer; expected 0", AT(G_ACT), i, act);
	l->act_alpha_milli = (int32_t)get_u32(g + G_ALPHA);
	if (act != AX_ACT_LEAKY_RELU && l->act_alpha_milli)
		BAD(G_ALPHA, "alpha %d without leaky_relu; expected 0", AT(G_ALPHA), i,
		    (int)l->act_alpha_milli);
	if (n_in > AX_MAX_INPUTS) {
		BAD(G_N_IN, "n_in %u is out of range; expected 0 to %d", AT(G_N_IN), i, n_in, AX_MAX_INPUTS);
		n_in = 0;
	}
	l->n_in = n_in;
	for (uint32_t j = 0; j < AX_MAX_INPUTS; j++) {
		uint32_t v = get_u32(g + G_IN + 4 * j);
		if (j < n_in && v >= i)
			BAD(G_IN + 4 * j, "input %u refers to layer %u; expected a layer before %zu",
			    AT(G_IN + 4 * j), i, j, v, i);
		else if (j >= n_in && v)
			BAD(G_IN + 4 * j, "unused input slot %u holds %u; expected 0", AT(G_IN + 4 * j), i, j, v);
		else
			l->in[j] = v;
	}
	struct ax_shape s = { get_u32(g + G_IN_H), get_u32(g + G_IN_W), get_u32(g + G_IN_C) };
	if (op == AX_OP_INPUT || op == AX_OP_CONST)
		l->out = s;
	else if (op == AX_OP_RELAYOUT)
		l->to = s;
	else if (s.h || s.w || s.c)
		BAD(G_IN_H, "input shape %ux%ux%u on a %s layer; expected 0x0x0", AT(G_IN_H), i,
		    s.h, s.w, s.c, ax_op_name((enum ax_op)op));
	for (size_t f = 0; f < N_PARAM_FIELDS; f++) {
		const struct param_field *pf = &param_fields[f];
		uint32_t v = get_u32(g + pf->off);
		if (op < AX_OP_COUNT && !(pf->ops & U(op))) {
			if (v && !slot_used(pf->off, op))
				BAD(pf->off, "%s is %u, but a %s layer does not use it; expected 0", AT(pf->off),
				    i, pf->name, v, ax_op_name((enum ax_op)op));
			continue;
		}
		*param_ptr(l, pf) = v;
	}
	if (r->version == 1 && l->axis)
		BAD(G_GROUPS, "axis %u in format version 1, which has no axis; expected 0", AT(G_GROUPS),
		    i, (unsigned)l->axis);
	if (r->version < 3 && (l->repeat || l->buffer))
		BAD(l->repeat ? G_SCALE : G_TRANS_B, "a const's %s is %u in format version %u, which "
		    "has none; expected 0", AT(l->repeat ? G_SCALE : G_TRANS_B), i,
		    l->repeat ? "repeat" : "buffer", l->repeat ? l->repeat : l->buffer, r->version);
	if (r->version < 3 && l->runtime)
		BAD(G_TRANS_B, "a conv's runtime is %u in format version %u, which has none; expected 0",
		    AT(G_TRANS_B), i, l->runtime, r->version);
	if (l->runtime > 1)
		BAD(G_TRANS_B, "runtime %u is out of range; expected 0 or 1", AT(G_TRANS_B), i,
		    l->runtime);
	if (l->has_bias > 1)
		BAD(G_BIAS, "has_bias %u is out of range; expected 0 or 1", AT(G_BIAS), i, l->has_bias);
	l->is_output = get_u32(g + G_IS_OUTPUT);
	if (l->is_output > 1)
		BAD(G_IS_OUTPUT, "is_output %u is out of range; expected 0 or 1", AT(G_IS_OUTPUT), i,
		    l->is_output);
	uint32_t line = get_u32(g + G_LINE), col = get_u32(g + G_COL);
	if (line > INT_MAX || col > INT_MAX)
		BAD(G_LINE, "source position %u:%u is out of range; expected at most %d", AT(G_LINE), i,
		    line, col, INT_MAX);
	else {
		l->line = (int)line;
		l->col = (int)col;
	}
	l->weight_offset = get_u64(g + G_WEIGHT_OFFSET);
	l->weight_bytes = get_u64(g + G_WEIGHT_BYTES);
#undef BAD
#undef AT
}

/* Checks what needs the inferred graph: tensors, outputs, weights, totals. */
static void check_derived(struct reader *r, const struct image *im, struct ax_net *net,
			  uint64_t *rec_woff, uint64_t *rec_wbytes)
{
	uint32_t n_inputs = 0, n_outputs = 0;
	uint64_t total = ax_net_layout_weights(net);
	for (size_t i = 0; i < net->n_layers && !too_many(r); i++) {
		const struct ax_layer *l = &net->layers[i];
		const unsigned char *t = im->tensors + i * AX_ELF_TENSOR_SIZE;
		unsigned long long base = (unsigned long long)i * AX_ELF_TENSOR_SIZE;
		n_inputs += l->op == AX_OP_INPUT;
		n_outputs += l->is_output;
		uint32_t prod = get_u32(t + T_PRODUCER);
		struct ax_shape s = { get_u32(t + T_H), get_u32(t + T_W), get_u32(t + T_C) };
		if (prod != i)
			bad(r, "section '" SEC_TENSORS "' offset 0x%llx: tensor %zu: producer %u is wrong; "
			    "expected %zu", base + T_PRODUCER, i, prod, i);
		if (s.h != l->out.h || s.w != l->out.w || s.c != l->out.c)
			bad(r, "section '" SEC_TENSORS "' offset 0x%llx: tensor %zu: shape %ux%ux%u differs "
			    "from the inferred %ux%ux%u of layer '%s'", base + T_H, i, s.h, s.w, s.c,
			    l->out.h, l->out.w, l->out.c, l->name);
		else if (get_u64(t + T_BYTES) != ax_shape_bytes(s))
			bad(r, "section '" SEC_TENSORS "' offset 0x%llx: tensor %zu: %llu bytes; expected "
			    "%llu for %ux%ux%u", base + T_BYTES, i,
			    (unsigned long long)get_u64(t + T_BYTES),
			    (unsigned long long)ax_shape_bytes(s), s.h, s.w, s.c);
		if (get_u32(t + T_IS_OUTPUT) != l->is_output)
			bad(r, "section '" SEC_TENSORS "' offset 0x%llx: tensor %zu: is_output %u differs "
			    "from %u in .ax.graph", base + T_IS_OUTPUT, i, get_u32(t + T_IS_OUTPUT),
			    l->is_output);
		if (get_u32(t + T_RESERVED))
			bad(r, "section '" SEC_TENSORS "' offset 0x%llx: tensor %zu: reserved field is %u; "
			    "expected 0", base + T_RESERVED, i, get_u32(t + T_RESERVED));
		if (l->weight_offset != rec_woff[i] || l->weight_bytes != rec_wbytes[i])
			bad(r, "section '" SEC_GRAPH "' offset 0x%llx: layer %zu: weights at 0x%llx, %llu "
			    "bytes; expected 0x%llx, %llu bytes", (unsigned long long)i * AX_ELF_LAYER_SIZE +
			    G_WEIGHT_OFFSET, i, (unsigned long long)rec_woff[i],
			    (unsigned long long)rec_wbytes[i], (unsigned long long)l->weight_offset,
			    (unsigned long long)l->weight_bytes);
	}
	if (too_many(r))
		return;
	const unsigned char *m = im->meta;
	if (get_u32(m + M_N_INPUTS) != n_inputs)
		bad(r, "section '" SEC_META "' offset 0x%x: n_inputs %u differs from the %u input layers",
		    M_N_INPUTS, get_u32(m + M_N_INPUTS), n_inputs);
	if (n_outputs == 0)
		bad(r, "section '" SEC_GRAPH "': no layer is an output; expected at least one");
	if (get_u32(m + M_N_OUTPUTS) != n_outputs)
		bad(r, "section '" SEC_META "' offset 0x%x: n_outputs %u differs from the %u output layers",
		    M_N_OUTPUTS, get_u32(m + M_N_OUTPUTS), n_outputs);
	if (total == UINT64_MAX)
		bad(r, "section '" SEC_GRAPH "': the weights of all layers add up to more than 2^64 bytes");
	else if (get_u64(m + M_WEIGHT_BYTES) != total)
		bad(r, "section '" SEC_META "' offset 0x%x: weight bytes %llu differ from the %llu "
		    "the layers need", M_WEIGHT_BYTES, (unsigned long long)get_u64(m + M_WEIGHT_BYTES),
		    (unsigned long long)total);
	else if (im->weights_size != total)
		bad(r, "section '" SEC_WEIGHTS "' size %llu differs from the %llu weight bytes of the "
		    "layers", (unsigned long long)im->weights_size, (unsigned long long)total);
	if (get_u64(m + M_MACS) != ax_net_macs(net))
		bad(r, "section '" SEC_META "' offset 0x%x: MACs %llu differ from the %llu of the layers",
		    M_MACS, (unsigned long long)get_u64(m + M_MACS),
		    (unsigned long long)ax_net_macs(net));
}

/* Builds net from the sections of im, checking everything. */
static int decode(struct reader *r, const struct image *im, struct ax_net *net)
{
	uint32_t n;
	uint64_t *woff = NULL, *wbytes = NULL;
	if (check_meta(r, im, &n))
		return AX_EINPUT;
	net->name = text_at(r, im, M_NAME, "network name");
	net->source = text_at(r, im, M_SOURCE, "source name");
	for (size_t i = 0; i < n && !too_many(r); i++)
		decode_layer(r, im, net, i);
	if (r->problems)
		goto fail;
	check_unique(r, net);
	if (r->problems)
		goto fail;

	/* re-infer every shape from the recorded parameters */
	woff = ax_xcalloc(n, sizeof(*woff));
	wbytes = ax_xcalloc(n, sizeof(*wbytes));
	for (size_t i = 0; i < n; i++) {
		woff[i] = net->layers[i].weight_offset;
		wbytes[i] = net->layers[i].weight_bytes;
		char *where = ax_xasprintf("%s: section '" SEC_GRAPH "' offset 0x%llx: ", r->file,
					   (unsigned long long)i * AX_ELF_LAYER_SIZE);
		int before = r->err->count;
		if (ax_net_infer_layer(net, i, where, r->err)) {
			int added = r->err->count - before;
			r->problems += added > 0 ? added : 1;
		}
		free(where);
		if (too_many(r))
			break;
	}
	if (!r->problems)
		check_derived(r, im, net, woff, wbytes);
	free(woff);
	free(wbytes);
	if (r->problems)
		goto fail;
	return AX_OK;
fail:
	return AX_EINPUT;
}

/* ---- writing ---- */

struct sec_spec {
	const char *name;
	GElf_Word type;
	GElf_Xword flags, entsize;
	void *buf;
	size_t size, align;
	Elf_Type dtype;
	Elf_Scn *scn;
	GElf_Word name_off;
};

static int elf_fail(struct ax_err *err, const char *path, const char *what)
{
	ax_err_add(err, "%s: %s failed: %s", path, what, elf_errmsg(-1));
	return AX_EIO;
}

/* Writes the sections to fd as an ELF file. */
static int write_elf(int fd, const char *path, struct sec_spec *secs, size_t n_secs,
		     size_t symtab, size_t strtab, size_t shstrtab, struct ax_err *err)
{
	int rc = AX_OK;
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e)
		return elf_fail(err, path, "elf_begin");
	if (!gelf_newehdr(e, ELFCLASS64)) {
		rc = elf_fail(err, path, "gelf_newehdr");
		goto out_elf;
	}
	for (size_t i = 0; i < n_secs; i++) {
		struct sec_spec *s = &secs[i];
		s->scn = elf_newscn(e);
		Elf_Data *d = s->scn ? elf_newdata(s->scn) : NULL;
		if (!d) {
			rc = elf_fail(err, path, "elf_newscn");
			goto out_elf;
		}
		d->d_buf = s->buf;
		d->d_size = s->size;
		d->d_type = s->dtype;
		d->d_align = s->align;
		d->d_off = 0;
		d->d_version = EV_CURRENT;
	}
	for (size_t i = 0; i < n_secs; i++) {
		struct sec_spec *s = &secs[i];
		GElf_Shdr sh;
		if (!gelf_getshdr(s->scn, &sh)) {
			rc = elf_fail(err, path, "gelf_getshdr");
			goto out_elf;
		}
		sh.sh_name = s->name_off;
		sh.sh_type = s->type;
		sh.sh_flags = s->flags;
		sh.sh_entsize = s->entsize;
		sh.sh_addralign = s->align;
		if (i == symtab) {
			sh.sh_link = (GElf_Word)elf_ndxscn(secs[strtab].scn);
			sh.sh_info = 1; /* every layer symbol is global */
		}
		if (!gelf_update_shdr(s->scn, &sh)) {
			rc = elf_fail(err, path, "gelf_update_shdr");
			goto out_elf;
		}
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(e, &eh)) {
		rc = elf_fail(err, path, "gelf_getehdr");
		goto out_elf;
	}
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_ident[EI_ABIVERSION] = 0;
	eh.e_type = ET_REL;
	eh.e_machine = EM_AX;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0;
	eh.e_flags = 0;
	eh.e_shstrndx = (GElf_Half)elf_ndxscn(secs[shstrtab].scn);
	if (!gelf_update_ehdr(e, &eh)) {
		rc = elf_fail(err, path, "gelf_update_ehdr");
		goto out_elf;
	}
	if (elf_update(e, ELF_C_WRITE) < 0)
		rc = elf_fail(err, path, "elf_update");
out_elf:
	elf_end(e);
	return rc;
}

int ax_elf_write(const struct ax_net *net, const char *path, struct ax_err *err)
{
	int rc = AX_OK;
	size_t n = net->n_layers;
	struct bytes str = { 0 }, symstr = { 0 };
	unsigned char meta[AX_ELF_META_SIZE];
	unsigned char *graph = NULL, *tensors = NULL;
	GElf_Sym *syms = NULL;
	struct ax_net chk;
	struct ax_out out;

	ax_net_init(&chk);
	if (elf_version(EV_CURRENT) == EV_NONE)
		AX_BUG("libelf is out of date: %s", elf_errmsg(-1));
	if (n == 0 || n > AX_MAX_LAYERS)
		return ax_err_add(err, "%s: cannot write a network of %zu layers; expected 1 to %d",
				  path, n, AX_MAX_LAYERS);
	for (size_t i = 0; i < n; i++)
		if (!ax_layer_name_ok(net->layers[i].name))
			rc = ax_err_add(err, "%s: layer %zu: name '%s' is not valid; expected letters, "
					"digits and _ . / : - only", path, i,
					net->layers[i].name ? net->layers[i].name : "(null)");
	if (rc)
		return rc;

	/* the weight placement, computed on a copy of the layer array */
	struct ax_net lay = *net;
	lay.layers = ax_xcalloc(n, sizeof(*lay.layers));
	for (size_t i = 0; i < n; i++)
		lay.layers[i] = net->layers[i];
	uint64_t wtotal = ax_net_layout_weights(&lay);

	bytes_add_str(&str, "");
	bytes_add_str(&symstr, "");
	memset(meta, 0, sizeof(meta));
	memcpy(meta + M_MAGIC, AX_ELF_MAGIC, 8);
	put_u32(meta + M_VERSION, AX_ELF_VERSION);
	put_u32(meta + M_META_SIZE, AX_ELF_META_SIZE);
	put_u32(meta + M_N_LAYERS, (uint32_t)n);
	put_u32(meta + M_LAYER_SIZE, AX_ELF_LAYER_SIZE);
	put_u32(meta + M_TENSOR_SIZE, AX_ELF_TENSOR_SIZE);
	put_u32(meta + M_NAME, bytes_add_str(&str, net->name ? net->name : ""));
	put_u32(meta + M_SOURCE, bytes_add_str(&str, net->source ? net->source : ""));
	put_u64(meta + M_WEIGHT_BYTES, wtotal);
	put_u64(meta + M_MACS, ax_net_macs(net));

	graph = ax_xcalloc(n, AX_ELF_LAYER_SIZE);
	tensors = ax_xcalloc(n, AX_ELF_TENSOR_SIZE);
	syms = ax_xcalloc(n + 1, sizeof(*syms));
	uint32_t n_inputs = 0, n_outputs = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ax_layer *l = &lay.layers[i];
		unsigned char *g = graph + i * AX_ELF_LAYER_SIZE, *t = tensors + i * AX_ELF_TENSOR_SIZE;
		n_inputs += l->op == AX_OP_INPUT;
		n_outputs += l->is_output != 0;
		put_u32(g + G_NAME, bytes_add_str(&str, l->name));
		put_u32(g + G_OP, (uint32_t)l->op);
		/* fields the op does not use are written as 0 */
		if (l->op != AX_OP_INPUT)
			put_u32(g + G_ACT, (uint32_t)l->act);
		if (l->act == AX_ACT_LEAKY_RELU)
			put_u32(g + G_ALPHA, (uint32_t)l->act_alpha_milli);
		put_u32(g + G_N_IN, l->n_in);
		for (uint32_t j = 0; j < l->n_in && j < AX_MAX_INPUTS; j++)
			put_u32(g + G_IN + 4 * j, l->in[j]);
		if (l->op == AX_OP_INPUT || l->op == AX_OP_CONST) {
			put_u32(g + G_IN_H, l->out.h);
			put_u32(g + G_IN_W, l->out.w);
			put_u32(g + G_IN_C, l->out.c);
		} else if (l->op == AX_OP_RELAYOUT) {
			put_u32(g + G_IN_H, l->to.h);
			put_u32(g + G_IN_W, l->to.w);
			put_u32(g + G_IN_C, l->to.c);
		}
		for (size_t f = 0; f < N_PARAM_FIELDS; f++)
			if ((unsigned)l->op < AX_OP_COUNT && (param_fields[f].ops & U(l->op)))
				put_u32(g + param_fields[f].off, param_get(l, &param_fields[f]));
		put_u32(g + G_IS_OUTPUT, l->is_output);
		put_u32(g + G_LINE, l->line > 0 ? (uint32_t)l->line : 0);
		put_u32(g + G_COL, l->col > 0 ? (uint32_t)l->col : 0);
		put_u64(g + G_WEIGHT_OFFSET, l->weight_offset);
		put_u64(g + G_WEIGHT_BYTES, l->weight_bytes);

		put_u32(t + T_PRODUCER, (uint32_t)i);
		put_u32(t + T_H, l->out.h);
		put_u32(t + T_W, l->out.w);
		put_u32(t + T_C, l->out.c);
		put_u64(t + T_BYTES, ax_shape_bytes(l->out));
		put_u32(t + T_IS_OUTPUT, l->is_output);

		GElf_Sym *s = &syms[i + 1];
		s->st_name = bytes_add_str(&symstr, l->name);
		s->st_info = GELF_ST_INFO(STB_GLOBAL, STT_OBJECT);
		s->st_other = STV_DEFAULT;
		s->st_value = (GElf_Addr)i * AX_ELF_LAYER_SIZE;
		s->st_size = AX_ELF_LAYER_SIZE;
		/* st_shndx is set once the section index of .ax.graph is known */
	}
	put_u32(meta + M_N_INPUTS, n_inputs);
	put_u32(meta + M_N_OUTPUTS, n_outputs);
	free(lay.layers);

	/* what we write must be what the reader accepts */
	struct image im = {
		.meta = meta, .meta_size = sizeof(meta),
		.graph = graph, .graph_size = (uint64_t)n * AX_ELF_LAYER_SIZE,
		.tensors = tensors, .tensors_size = (uint64_t)n * AX_ELF_TENSOR_SIZE,
		.str = str.buf, .str_size = str.len,
		.weights_size = wtotal,
	};
	struct reader r = { .file = path, .err = err };
	if (decode(&r, &im, &chk)) {
		rc = AX_EINPUT;
		goto out_bufs;
	}
	if (wtotal > SIZE_MAX) {
		rc = ax_err_add(err, "%s: %llu weight bytes do not fit in memory", path,
				(unsigned long long)wtotal);
		goto out_bufs;
	}
	/* weight contents, when the network carries them, make the section PROGBITS */
	if (net->weight_data && net->weight_data_bytes != wtotal) {
		rc = ax_err_add(err, "%s: the network carries %llu bytes of weight data; expected the "
				"%llu bytes its layers need", path,
				(unsigned long long)net->weight_data_bytes, (unsigned long long)wtotal);
		goto out_bufs;
	}

	static const char shnames[] = "\0" SEC_META "\0" SEC_GRAPH "\0" SEC_TENSORS "\0"
		SEC_WEIGHTS "\0" SEC_STR "\0.symtab\0.strtab\0.shstrtab";
	enum { S_META, S_GRAPH, S_TENSORS, S_WEIGHTS, S_STR, S_SYMTAB, S_STRTAB, S_SHSTRTAB, S_COUNT };
	struct sec_spec secs[S_COUNT] = {
		[S_META] = { SEC_META, SHT_PROGBITS, 0, 0, meta, sizeof(meta), 8, ELF_T_BYTE, NULL, 0 },
		[S_GRAPH] = { SEC_GRAPH, SHT_PROGBITS, 0, AX_ELF_LAYER_SIZE, graph,
			      n * AX_ELF_LAYER_SIZE, 8, ELF_T_BYTE, NULL, 0 },
		[S_TENSORS] = { SEC_TENSORS, SHT_PROGBITS, 0, AX_ELF_TENSOR_SIZE, tensors,
				n * AX_ELF_TENSOR_SIZE, 8, ELF_T_BYTE, NULL, 0 },
		[S_WEIGHTS] = { SEC_WEIGHTS, net->weight_data ? SHT_PROGBITS : SHT_NOBITS,
				SHF_ALLOC | SHF_WRITE, 0, net->weight_data, (size_t)wtotal, 64,
				ELF_T_BYTE, NULL, 0 },
		[S_STR] = { SEC_STR, SHT_STRTAB, 0, 0, str.buf, str.len, 1, ELF_T_BYTE, NULL, 0 },
		[S_SYMTAB] = { ".symtab", SHT_SYMTAB, 0, sizeof(Elf64_Sym), syms,
			       (n + 1) * sizeof(*syms), 8, ELF_T_SYM, NULL, 0 },
		[S_STRTAB] = { ".strtab", SHT_STRTAB, 0, 0, symstr.buf, symstr.len, 1, ELF_T_BYTE, NULL, 0 },
		[S_SHSTRTAB] = { ".shstrtab", SHT_STRTAB, 0, 0, (void *)shnames, sizeof(shnames), 1,
				 ELF_T_BYTE, NULL, 0 },
	};
	for (size_t i = 0, off = 0; i < S_COUNT; i++) {
		/* the names follow each other in shnames in section order */
		off += 1;
		AX_ASSERT(!strcmp(shnames + off, secs[i].name));
		secs[i].name_off = (GElf_Word)off;
		off += strlen(secs[i].name);
	}
	/* sections are numbered from 1 in the order created */
	for (size_t i = 1; i <= n; i++)
		syms[i].st_shndx = S_GRAPH + 1;

	if (ax_out_begin(&out, path, "", err)) {
		rc = AX_EIO;
		goto out_bufs;
	}
	rc = write_elf(out.fd, path, secs, S_COUNT, S_SYMTAB, S_STRTAB, S_SHSTRTAB, err);
	if (rc)
		ax_out_abandon(&out);
	else
		rc = ax_out_commit(&out, err);
out_bufs:
	ax_net_release(&chk);
	free(syms);
	free(graph);
	free(tensors);
	free(str.buf);
	free(symstr.buf);
	return rc;
}

/* ---- reading ---- */


/* ELF header checks on the raw bytes (offsets as in the ELF64 header). */
static int check_ehdr(struct reader *r, const unsigned char *b, size_t len)
{
	if (len == 0) {
		bad(r, "the file is empty; expected a compiled network (ELF)");
		return AX_EINPUT;
	}
	if (len < 4 || memcmp(b, ELFMAG, SELFMAG)) {
		bad(r, "ELF header offset 0x0: not an ELF file; expected the magic bytes 7f 45 4c 46");
		return AX_EINPUT;
	}
	if (len < sizeof(Elf64_Ehdr)) {
		bad(r, "the file is %zu bytes, too short for an ELF header; expected at least %zu",
		    len, sizeof(Elf64_Ehdr));
		return AX_EINPUT;
	}
	static const struct {
		unsigned off, size;
		uint64_t want;
		const char *what;
	} fields[] = {
		{ EI_CLASS, 1, ELFCLASS64, "class (expected ELFCLASS64)" },
		{ EI_DATA, 1, ELFDATA2LSB, "data encoding (expected little-endian)" },
		{ EI_VERSION, 1, EV_CURRENT, "ident version" },
		{ EI_OSABI, 1, ELFOSABI_NONE, "OS ABI" },
		{ EI_ABIVERSION, 1, 0, "ABI version" },
		{ 9, 1, 0, "ident padding" }, { 10, 1, 0, "ident padding" },
		{ 11, 1, 0, "ident padding" }, { 12, 1, 0, "ident padding" },
		{ 13, 1, 0, "ident padding" }, { 14, 1, 0, "ident padding" },
		{ 15, 1, 0, "ident padding" },
		{ 0x10, 2, ET_REL, "e_type (expected ET_REL)" },
		{ 0x12, 2, EM_AX, "e_machine (expected EM_RISCV)" },
		{ 0x14, 4, EV_CURRENT, "e_version" },
		{ 0x18, 8, 0, "e_entry" },
		{ 0x20, 8, 0, "e_phoff" },
		{ 0x30, 4, 0, "e_flags" },
		{ 0x34, 2, sizeof(Elf64_Ehdr), "e_ehsize" },
		{ 0x36, 2, 0, "e_phentsize" },
		{ 0x38, 2, 0, "e_phnum" },
		{ 0x3a, 2, sizeof(Elf64_Shdr), "e_shentsize" },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		unsigned o = fields[i].off;
		uint64_t v = fields[i].size == 1 ? b[o] : fields[i].size == 2 ? get_u16(b + o) :
			     fields[i].size == 4 ? get_u32(b + o) : get_u64(b + o);
		if (v != fields[i].want) {
			bad(r, "ELF header offset 0x%x: %s is %llu; expected %llu", o, fields[i].what,
			    (unsigned long long)v, (unsigned long long)fields[i].want);
			return AX_EINPUT;
		}
	}
	uint64_t shoff = get_u64(b + 0x28);
	uint16_t shnum = get_u16(b + 0x3c), shstrndx = get_u16(b + 0x3e);
	if (shnum < 2 || shnum > AX_ELF_MAX_SECTIONS)
		bad(r, "ELF header offset 0x3c: e_shnum %u is out of range; expected 2 to %d",
		    shnum, AX_ELF_MAX_SECTIONS);
	else if (shoff < sizeof(Elf64_Ehdr) || shoff % 8 || shoff > len ||
		 (uint64_t)shnum * sizeof(Elf64_Shdr) > len - shoff)
		bad(r, "ELF header offset 0x28: e_shoff 0x%llx with %u section headers does not fit "
		    "in the %zu-byte file", (unsigned long long)shoff, shnum, len);
	else if (shstrndx < 1 || shstrndx >= shnum)
		bad(r, "ELF header offset 0x3e: e_shstrndx %u is out of range; expected 1 to %u",
		    shstrndx, shnum - 1);
	return r->problems ? AX_EINPUT : AX_OK;
}

struct section {
	GElf_Shdr sh;
	const char *name;
};

/* Checks that a symbol table, if present, names every layer. */
static void check_symtab(struct reader *r, Elf *e, const unsigned char *b,
			 const struct section *sec, size_t shnum, size_t isym, size_t igraph,
			 const struct ax_net *net)
{
	const GElf_Shdr *sh = &sec[isym].sh;
	size_t n = net->n_layers;
	if (sh->sh_entsize != sizeof(Elf64_Sym) || sh->sh_size != (n + 1) * sizeof(Elf64_Sym) ||
	    sh->sh_info != 1) {
		bad(r, "section '.symtab': size %llu, entry size %llu, info %u; expected %zu, %zu, 1 "
		    "(one global symbol per layer)", (unsigned long long)sh->sh_size,
		    (unsigned long long)sh->sh_entsize, sh->sh_info, (n + 1) * sizeof(Elf64_Sym),
		    sizeof(Elf64_Sym));
		return;
	}
	if (sh->sh_link < 1 || sh->sh_link >= shnum || sec[sh->sh_link].sh.sh_type != SHT_STRTAB ||
	    sec[sh->sh_link].sh.sh_size < 1) {
		bad(r, "section '.symtab': sh_link %u is not a string table", sh->sh_link);
		return;
	}
	const GElf_Shdr *ssh = &sec[sh->sh_link].sh;
	const char *strs = (const char *)b + ssh->sh_offset;
	if (strs[0] || strs[ssh->sh_size - 1]) {
		bad(r, "section '%s' must start and end with a NUL byte", sec[sh->sh_link].name);
		return;
	}
	Elf_Data *d = elf_getdata(elf_getscn(e, isym), NULL);
	if (!d) {
		bad(r, "section '.symtab': libelf cannot read it: %s", elf_errmsg(-1));
		return;
	}
	for (size_t k = 0; k <= n && !too_many(r); k++) {
		GElf_Sym s;
		unsigned long long off = (unsigned long long)k * sizeof(Elf64_Sym);
		if (!gelf_getsym(d, (int)k, &s)) {
			bad(r, "section '.symtab' offset 0x%llx: libelf cannot read symbol %zu: %s", off, k,
			    elf_errmsg(-1));
			return;
		}
		if (k == 0) {
			if (s.st_name || s.st_info || s.st_other || s.st_shndx || s.st_value || s.st_size)
				bad(r, "section '.symtab' offset 0x0: symbol 0 is not null");
			continue;
		}
		const struct ax_layer *l = &net->layers[k - 1];
		if (s.st_name >= ssh->sh_size || strcmp(strs + s.st_name, l->name) ||
		    s.st_info != GELF_ST_INFO(STB_GLOBAL, STT_OBJECT) || s.st_other != STV_DEFAULT ||
		    s.st_shndx != igraph || s.st_value != (k - 1) * AX_ELF_LAYER_SIZE ||
		    s.st_size != AX_ELF_LAYER_SIZE)
			bad(r, "section '.symtab' offset 0x%llx: symbol %zu does not describe layer %zu "
			    "'%s'; expected a global object in .ax.graph at 0x%llx of %d bytes", off, k,
			    k - 1, l->name, (unsigned long long)(k - 1) * AX_ELF_LAYER_SIZE,
			    AX_ELF_LAYER_SIZE);
	}
}

static int read_image(struct reader *r, unsigned char *b, size_t len, struct ax_net *net)
{
	int rc = AX_EINPUT;
	struct section *sec = NULL;
	if (check_ehdr(r, b, len))
		return AX_EINPUT;
	size_t shnum = get_u16(b + 0x3c), shstrndx = get_u16(b + 0x3e);
	uint64_t shoff = get_u64(b + 0x28);

	if (elf_version(EV_CURRENT) == EV_NONE)
		AX_BUG("libelf is out of date: %s", elf_errmsg(-1));
	Elf *e = elf_memory((char *)b, len);
	if (!e || elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64) {
		bad(r, "libelf cannot read the file: %s", elf_errmsg(-1));
		goto out_elf;
	}
	size_t n2 = 0, s2 = 0;
	if (elf_getshdrnum(e, &n2) || elf_getshdrstrndx(e, &s2) || n2 != shnum || s2 != shstrndx) {
		bad(r, "libelf reads %zu sections and string table %zu; expected %zu and %zu", n2, s2,
		    shnum, shstrndx);
		goto out_elf;
	}

	/* every section header: type and bounds */
	sec = ax_xcalloc(shnum, sizeof(*sec));
	for (size_t i = 0; i < shnum; i++) {
		unsigned long long at = (unsigned long long)(shoff + i * sizeof(Elf64_Shdr));
		Elf_Scn *scn = elf_getscn(e, i);
		if (!scn || !gelf_getshdr(scn, &sec[i].sh)) {
			bad(r, "section header %zu at 0x%llx: libelf cannot read it: %s", i, at,
			    elf_errmsg(-1));
			goto out_elf;
		}
		const GElf_Shdr *sh = &sec[i].sh;
		if (i == 0) {
			if (sh->sh_type != SHT_NULL || sh->sh_size || sh->sh_link || sh->sh_name ||
			    sh->sh_info || sh->sh_flags || sh->sh_addr || sh->sh_offset ||
			    sh->sh_addralign || sh->sh_entsize)
				bad(r, "section header 0 at 0x%llx: not all zero; expected a null section", at);
			continue;
		}
		if (sh->sh_type != SHT_NOBITS &&
		    (sh->sh_offset > len || sh->sh_size > len - sh->sh_offset))
			bad(r, "section header %zu at 0x%llx: contents at 0x%llx, %llu bytes, extend past "
			    "the end of the %zu-byte file", i, at, (unsigned long long)sh->sh_offset,
			    (unsigned long long)sh->sh_size, len);
	}
	if (r->problems)
		goto out_elf;

	/* section names */
	const GElf_Shdr *ssh = &sec[shstrndx].sh;
	if (ssh->sh_type != SHT_STRTAB || ssh->sh_size < 1 || b[ssh->sh_offset] ||
	    b[ssh->sh_offset + ssh->sh_size - 1]) {
		bad(r, "section %zu (e_shstrndx): not a string table that starts and ends with a NUL byte",
		    shstrndx);
		goto out_elf;
	}
	for (size_t i = 1; i < shnum; i++) {
		if (sec[i].sh.sh_name >= ssh->sh_size) {
			bad(r, "section header %zu: name offset %u is outside the section name table "
			    "(%llu bytes)", i, sec[i].sh.sh_name, (unsigned long long)ssh->sh_size);
			goto out_elf;
		}
		sec[i].name = (const char *)b + ssh->sh_offset + sec[i].sh.sh_name;
	}

	/* the sections we need, each exactly once */
	static const struct {
		const char *name;
		GElf_Word type;
		GElf_Xword entsize, flags;
		int required;
	} want[] = {
		{ SEC_META, SHT_PROGBITS, 0, 0, 1 },
		{ SEC_GRAPH, SHT_PROGBITS, AX_ELF_LAYER_SIZE, 0, 1 },
		{ SEC_TENSORS, SHT_PROGBITS, AX_ELF_TENSOR_SIZE, 0, 1 },
		{ SEC_WEIGHTS, SHT_NOBITS, 0, SHF_ALLOC | SHF_WRITE, 1 },
		{ SEC_STR, SHT_STRTAB, 0, 0, 1 },
		{ ".symtab", SHT_SYMTAB, sizeof(Elf64_Sym), 0, 0 },
	};
	enum { W_META, W_GRAPH, W_TENSORS, W_WEIGHTS, W_STR, W_SYMTAB, W_COUNT };
	size_t at[W_COUNT] = { 0 };
	for (size_t w = 0; w < W_COUNT; w++) {
		size_t count = 0;
		for (size_t i = 1; i < shnum; i++) {
			if (strcmp(sec[i].name, want[w].name))
				continue;
			count++;
			at[w] = i;
		}
		if (count > 1) {
			bad(r, "section '%s' appears %zu times; expected once", want[w].name, count);
			continue;
		}
		if (count == 0) {
			if (want[w].required)
				bad(r, "section '%s' is missing", want[w].name);
			continue;
		}
		const GElf_Shdr *sh = &sec[at[w]].sh;
		/* .ax.weights is PROGBITS when the network carries its weight contents */
		int type_ok = sh->sh_type == want[w].type ||
			      (w == W_WEIGHTS && sh->sh_type == SHT_PROGBITS);
		if (!type_ok)
			bad(r, "section '%s' has type %u; expected %u", want[w].name, sh->sh_type,
			    want[w].type);
		else if (sh->sh_entsize != want[w].entsize)
			bad(r, "section '%s' has entry size %llu; expected %llu", want[w].name,
			    (unsigned long long)sh->sh_entsize, (unsigned long long)want[w].entsize);
		else if (sh->sh_flags != want[w].flags)
			bad(r, "section '%s' has flags 0x%llx; expected 0x%llx", want[w].name,
			    (unsigned long long)sh->sh_flags, (unsigned long long)want[w].flags);
		else if (sh->sh_addr)
			bad(r, "section '%s' has address 0x%llx; expected 0", want[w].name,
			    (unsigned long long)sh->sh_addr);
		else if (w != W_SYMTAB && (sh->sh_link || sh->sh_info))
			bad(r, "section '%s' has link %u and info %u; expected 0 and 0", want[w].name,
			    sh->sh_link, sh->sh_info);
	}
	if (r->problems)
		goto out_elf;

	struct image im = {
		.meta = b + sec[at[W_META]].sh.sh_offset, .meta_size = sec[at[W_META]].sh.sh_size,
		.graph = b + sec[at[W_GRAPH]].sh.sh_offset, .graph_size = sec[at[W_GRAPH]].sh.sh_size,
		.tensors = b + sec[at[W_TENSORS]].sh.sh_offset,
		.tensors_size = sec[at[W_TENSORS]].sh.sh_size,
		.str = b + sec[at[W_STR]].sh.sh_offset, .str_size = sec[at[W_STR]].sh.sh_size,
		.weights_size = sec[at[W_WEIGHTS]].sh.sh_size,
	};
	if (decode(r, &im, net))
		goto out_elf;
	/* decode checked the section size against the layers' weight blocks */
	const GElf_Shdr *wsh = &sec[at[W_WEIGHTS]].sh;
	if (wsh->sh_type == SHT_PROGBITS && wsh->sh_size && !r->sizes_only) {
		net->weight_data = ax_xcalloc(wsh->sh_size, 1);
		memcpy(net->weight_data, b + wsh->sh_offset, wsh->sh_size);
		net->weight_data_bytes = wsh->sh_size;
	}
	if (at[W_SYMTAB])
		check_symtab(r, e, b, sec, shnum, at[W_SYMTAB], at[W_GRAPH], net);
	if (!r->problems)
		rc = AX_OK;
out_elf:
	free(sec);
	if (e)
		elf_end(e);
	return rc;
}

static int read_buf(struct ax_net *net, const char *path, unsigned char *buf, size_t len, int sizes_only,
		    struct ax_err *err)
{
	ax_net_init(net);
	struct reader r = { .file = path, .err = err, .sizes_only = sizes_only };
	int rc = read_image(&r, buf, len, net);
	if (rc)
		ax_net_release(net);
	return rc;
}

int ax_elf_read_buf(struct ax_net *net, const char *path, unsigned char *buf, size_t len,
		    struct ax_err *err)
{
	return read_buf(net, path, buf, len, 0, err);
}

int ax_elf_read_buf_sizes(struct ax_net *net, const char *path, unsigned char *buf, size_t len,
			  struct ax_err *err)
{
	return read_buf(net, path, buf, len, 1, err);
}

int ax_elf_read(struct ax_net *net, const char *path, struct ax_err *err)
{
	struct ax_input in;
	ax_net_init(net);
	int rc = ax_input_read(&in, path, AX_ELF_MAX_FILE_BYTES, "a compiled network", err);
	if (rc)
		return rc;
	rc = ax_elf_read_buf(net, path, in.buf, in.len, err);
	ax_input_release(&in);
	return rc;
}
