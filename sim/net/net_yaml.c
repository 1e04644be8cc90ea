/*
 * net_yaml.c - reads a network description (docs/network-format.md) into a
 * struct ax_net, inferring shapes layer by layer as it goes (depthwise groups
 * and `pad: same` need the input shape).  Every problem of the file is
 * reported, each as "file:line:col: layer 'name': key: 'value' is ...;
 * expected ...".  A layer with a problem is kept in the graph with an unknown
 * shape, so that later references to it resolve but report nothing more.
 */
#include "net.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ydoc.h"

/* Pseudo op for `split`, which expands into slice layers. */
#define OP_SPLIT AX_OP_COUNT
#define M(op) (1u << (op))
#define WINDOW_OPS (M(AX_OP_CONV) | M(AX_OP_MAXPOOL) | M(AX_OP_AVGPOOL))

static const struct layer_key {
	const char *name;
	unsigned ops; /* mask of the ops (and OP_SPLIT) that take the key */
} layer_keys[] = {
	{ "name", ~0u },
	{ "op", ~0u },
	{ "in", ~0u & ~M(AX_OP_CONST) },
	{ "act", ~0u },
	{ "alpha", ~0u },
	{ "out", M(AX_OP_CONV) | M(AX_OP_DENSE) | M(AX_OP_MATMUL) | M(AX_OP_EMBED) },
	{ "kernel", WINDOW_OPS },
	{ "stride", WINDOW_OPS },
	{ "pad", WINDOW_OPS },
	{ "dilation", M(AX_OP_CONV) },
	{ "groups", M(AX_OP_CONV) },
	{ "heads", M(AX_OP_MATMUL) },
	{ "transpose_b", M(AX_OP_MATMUL) },
	{ "bias", M(AX_OP_CONV) | M(AX_OP_DENSE) },
	{ "start", M(AX_OP_SLICE) },
	{ "end", M(AX_OP_SLICE) },
	{ "sizes", M(OP_SPLIT) },
	{ "scale", M(AX_OP_RESIZE) },
	{ "axis", M(AX_OP_CONCAT) | M(AX_OP_SLICE) },
	{ "rows", M(AX_OP_EMBED) },
	{ "shape", M(AX_OP_CONST) },
};
#define N_LAYER_KEYS (sizeof(layer_keys) / sizeof(layer_keys[0]))

static const char *const top_keys[] = { "network", "inputs", "layers", "outputs" };
static const char *const input_keys[] = { "name", "shape" };

struct split {
	char *name;
	size_t first, n; /* its slice layers net->layers[first .. first + n) */
	int known;       /* sizes were read, so n is meaningful */
	int line;
};

/* Names to indices (layers, splits), so that resolving a name costs the
 * same whatever the network's size: compiling stays linear in the layers. */
struct name_index {
	const char **key;   /* borrowed: the layer's or split's own name */
	long *val;
	size_t cap, n;      /* cap a power of two, at most half full */
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static long index_find(const struct name_index *x, const char *name)
{
	if (!x->cap)
		return -1;
	for (size_t i = name_hash(name) & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
		if (!x->key[i])
			return -1;
		if (!strcmp(x->key[i], name))
			return x->val[i];
	}
}

/* Adds name (kept if already there: the first definition wins, as before). */
static void index_add(struct name_index *x, const char *name, long val)
{
	if (2 * (x->n + 1) > x->cap) {
		struct name_index y = { 0 };
		y.cap = x->cap ? 2 * x->cap : 64;
		y.key = ax_xcalloc(y.cap, sizeof(*y.key));
		y.val = ax_xcalloc(y.cap, sizeof(*y.val));
		for (size_t i = 0; i < x->cap; i++)
			if (x->key[i])
				index_add(&y, x->key[i], x->val[i]);
		free(x->key);
		free(x->val);
		*x = y;
	}
	size_t i = name_hash(name) & (x->cap - 1);
	while (x->key[i]) {
		if (!strcmp(x->key[i], name))
			return;
		i = (i + 1) & (x->cap - 1);
	}
	x->key[i] = name;
	x->val[i] = val;
	x->n++;
}

static void index_release(struct name_index *x)
{
	free(x->key);
	free(x->val);
	memset(x, 0, sizeof(*x));
}

struct loader {
	struct ax_ydoc doc;
	const char *file;
	struct ax_net *net;
	struct ax_err *err;
	char *what;                   /* scratch "layer 'x': key" */
	struct split *splits;
	size_t n_splits, cap_splits;
	const struct ax_ynode *layers; /* the layers sequence, to name later definitions */
	size_t n_inputs;
	struct name_index layer_names, split_names;
};

/* Parameters of one layer entry before it enters the graph. */
struct entry {
	const struct ax_ynode *node;
	const char *name;   /* as written, or the placeholder */
	char placeholder[32];
	int op;             /* enum ax_op, OP_SPLIT, or -1 when unknown */
	struct ax_layer l;
	int silent;         /* an input is unusable for a reason already reported */
	int pad_same, depthwise, out_given;
	uint32_t *sizes;
	size_t n_sizes;
	int sizes_ok;
	const struct ax_ynode *sizes_node;
};

static void problem(struct loader *ld, const struct ax_ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct loader *ld, const struct ax_ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = ax_xvasprintf(fmt, ap);
	va_end(ap);
	ax_err_add(ld->err, "%s:%d:%d: %s", ld->file, n->line, n->col, msg);
	free(msg);
}

/* "<kind> 'name': key" for the typed ydoc readers; valid until the next call. */
static const char *what(struct loader *ld, const char *kind, const char *name, const char *key)
{
	free(ld->what);
	ld->what = ax_xasprintf("%s '%s': %s", kind, name, key);
	return ld->what;
}

static char *join(const char *const *names, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 2;
	char *s = ax_xcalloc(len, 1);
	size_t at = 0;
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(s + at, len - at, "%s%s", i ? ", " : "", names[i]);
	return s;
}

/* Reports unknown keys of a mapping whose keys must be among names. */
static void check_plain_keys(struct loader *ld, const struct ax_ynode *map, const char *prefix,
			     const char *const *names, size_t n)
{
	for (size_t i = 0; i < map->n; i++) {
		const struct ax_ynode *k = map->keys[i];
		size_t j;
		for (j = 0; j < n; j++)
			if (!strcmp(k->str, names[j]))
				break;
		if (j < n)
			continue;
		const char *sug = ax_suggest(k->str, names, n);
		if (sug) {
			problem(ld, k, "%sunknown key '%s'; did you mean '%s'?", prefix, k->str, sug);
		} else {
			char *all = join(names, n);
			problem(ld, k, "%sunknown key '%s'; expected one of: %s", prefix, k->str, all);
			free(all);
		}
	}
}

static const char *op_label(int op)
{
	return op == OP_SPLIT ? "split" : ax_op_name((enum ax_op)op);
}

static void check_layer_keys(struct loader *ld, struct entry *e)
{
	const char *valid[N_LAYER_KEYS];
	size_t nv = 0;
	for (size_t j = 0; j < N_LAYER_KEYS; j++)
		if (layer_keys[j].ops & M(e->op))
			valid[nv++] = layer_keys[j].name;
	for (size_t i = 0; i < e->node->n; i++) {
		const struct ax_ynode *k = e->node->keys[i];
		size_t j;
		for (j = 0; j < N_LAYER_KEYS; j++)
			if (!strcmp(k->str, layer_keys[j].name))
				break;
		if (j < N_LAYER_KEYS && (layer_keys[j].ops & M(e->op)))
			continue;
		char *all = join(valid, nv);
		const char *sug = ax_suggest(k->str, valid, nv);
		if (j < N_LAYER_KEYS)
			problem(ld, k, "layer '%s': key '%s' does not apply to a %s layer; expected one of: %s",
				e->name, k->str, op_label(e->op), all);
		else if (sug)
			problem(ld, k, "layer '%s': unknown key '%s'; did you mean '%s'?", e->name, k->str, sug);
		else
			problem(ld, k, "layer '%s': unknown key '%s'; expected one of: %s", e->name, k->str, all);
		free(all);
	}
}

static long find_split(const struct loader *ld, const char *name)
{
	return index_find(&ld->split_names, name);
}

/* The split whose parts name might be ("sp/3" -> sp), or -1. */
static long split_of_part(const struct loader *ld, const char *name)
{
	const char *slash = strrchr(name, '/');
	if (!slash)
		return -1;
	for (size_t i = 0; i < ld->n_splits; i++) {
		size_t len = strlen(ld->splits[i].name);
		if ((size_t)(slash - name) == len && !strncmp(ld->splits[i].name, name, len))
			return (long)i;
	}
	return -1;
}

/* Line at which name is already defined (layer, input or split), or 0. */
static int defined_at(const struct loader *ld, const char *name)
{
	long i = index_find(&ld->layer_names, name);
	if (i >= 0)
		return ld->net->layers[i].line ? ld->net->layers[i].line : 1;
	i = find_split(ld, name);
	if (i >= 0)
		return ld->splits[i].line;
	return 0;
}

/* Reads and checks the name of an input or layer entry; placeholder when absent. */
static void read_name(struct loader *ld, struct entry *e, const char *kind, size_t index)
{
	snprintf(e->placeholder, sizeof(e->placeholder), "#%zu", index + 1);
	e->name = e->placeholder;
	const struct ax_ynode *v = ax_ynode_get(e->node, "name");
	if (!v) {
		problem(ld, e->node, "%s #%zu: name: missing; expected a unique name", kind, index + 1);
		return;
	}
	const char *s;
	if (ax_ynode_str(&ld->doc, v, what(ld, kind, e->placeholder, "name"), &s, ld->err))
		return;
	e->name = s;
	if (!ax_layer_name_ok(s)) {
		problem(ld, v, "%s '%s': name: '%s' is not a valid name; expected letters, digits "
			"and _ . / : - only", kind, s, s);
		return;
	}
	int line = defined_at(ld, s);
	if (line)
		problem(ld, v, "%s '%s': name: '%s' is already defined at line %d; expected a unique name",
			kind, s, s, line);
}

/* Adds e as a layer (or, for a split, its slices); returns the first index. */
static size_t add_entry(struct loader *ld, struct entry *e, enum ax_op op, const char *name)
{
	struct ax_layer *l = ax_net_add_layer(ld->net, name, op);
	char *nm = l->name;
	*l = e->l;
	l->name = nm;
	l->op = op;
	if (nm)
		index_add(&ld->layer_names, nm, (long)ld->net->n_layers - 1);
	return ld->net->n_layers - 1;
}

/* ---- inputs ---- */

/* shape: [height, width, channels] of an input or a const layer (kind). */
static void read_shape(struct loader *ld, struct entry *e, const char *kind)
{
	const char *sub = !strcmp(kind, "input") ? "input" : "layer";
	const struct ax_ynode *v = ax_ynode_get(e->node, "shape");
	if (!v) {
		problem(ld, e->node, "%s '%s': shape: missing; expected [height, width, channels]", sub,
			e->name);
	} else if (!ax_ynode_expect(&ld->doc, v, AX_Y_SEQ, what(ld, sub, e->name, "shape"), ld->err)) {
		if (v->n != 3) {
			problem(ld, v, "%s '%s': shape: a list of %zu items; expected [height, width, channels]",
				sub, e->name, v->n);
		} else {
			long long d[3] = { 0, 0, 0 };
			int bad = 0;
			for (int i = 0; i < 3; i++)
				bad |= ax_ynode_i64(&ld->doc, v->items[i], what(ld, sub, e->name, "shape"),
						    1, AX_MAX_DIM, &d[i], ld->err);
			if (!bad) {
				e->l.out.h = (uint32_t)d[0];
				e->l.out.w = (uint32_t)d[1];
				e->l.out.c = (uint32_t)d[2];
			}
		}
	}
}

static void read_input(struct loader *ld, const struct ax_ynode *n, size_t index)
{
	struct entry e;
	memset(&e, 0, sizeof(e));
	e.node = n;
	e.l.line = n->line;
	e.l.col = n->col;
	int before = ld->err->count;
	if (ax_ynode_expect(&ld->doc, n, AX_Y_MAP, "inputs: item", ld->err)) {
		snprintf(e.placeholder, sizeof(e.placeholder), "#%zu", index + 1);
		add_entry(ld, &e, AX_OP_INPUT, e.placeholder);
		return;
	}
	/* problems with the name or unknown keys leave the shape usable */
	read_name(ld, &e, "input", index);
	char *prefix = ax_xasprintf("input '%s': ", e.name);
	check_plain_keys(ld, n, prefix, input_keys, 2);
	free(prefix);
	before = ld->err->count;
	read_shape(ld, &e, "input");
	size_t i = add_entry(ld, &e, AX_OP_INPUT, e.name);
	if (ld->err->count != before)
		memset(&ld->net->layers[i].out, 0, sizeof(struct ax_shape));
}

/* ---- layer keys ---- */

/* Reads an integer or a list of exactly n1 or n2 integers (n2 0: only n1). */
static int read_ints(struct loader *ld, struct entry *e, const char *key, size_t n1, size_t n2,
		     long long lo, long long hi, long long *out, size_t *count)
{
	const struct ax_ynode *v = ax_ynode_get(e->node, key);
	const char *w = what(ld, "layer", e->name, key);
	if (v->kind == AX_Y_SCALAR) {
		*count = 1;
		return ax_ynode_i64(&ld->doc, v, w, lo, hi, &out[0], ld->err);
	}
	if (v->kind != AX_Y_SEQ || (v->n != n1 && v->n != n2)) {
		char lists[64];
		if (n2)
			snprintf(lists, sizeof(lists), "a list of %zu or %zu integers", n1, n2);
		else
			snprintf(lists, sizeof(lists), "a list of %zu integers", n1);
		if (v->kind == AX_Y_SEQ)
			problem(ld, v, "layer '%s': %s: a list of %zu items; expected an integer or %s",
				e->name, key, v->n, lists);
		else
			problem(ld, v, "layer '%s': %s: found a %s; expected an integer or %s",
				e->name, key, ax_ykind_name(v->kind), lists);
		return AX_EINPUT;
	}
	int rc = AX_OK;
	for (size_t i = 0; i < v->n; i++)
		if (ax_ynode_i64(&ld->doc, v->items[i], w, lo, hi, &out[i], ld->err))
			rc = AX_EINPUT;
	*count = v->n;
	return rc;
}

/* kernel / stride / dilation: k or [kh, kw]. */
static int read_pair(struct loader *ld, struct entry *e, const char *key, uint32_t *a, uint32_t *b)
{
	long long v[2];
	size_t n;
	if (read_ints(ld, e, key, 2, 0, 1, AX_MAX_KERNEL, v, &n))
		return AX_EINPUT;
	*a = (uint32_t)v[0];
	*b = (uint32_t)(n == 2 ? v[1] : v[0]);
	return AX_OK;
}

static void read_pad(struct loader *ld, struct entry *e)
{
	const struct ax_ynode *v = ax_ynode_get(e->node, "pad");
	if (!v)
		return;
	if (v->kind == AX_Y_SCALAR && !strcmp(v->str, "same")) {
		e->pad_same = 1;
		return;
	}
	long long p[4];
	size_t n;
	if (v->kind == AX_Y_SCALAR && !(v->str[0] == '-' || (v->str[0] >= '0' && v->str[0] <= '9'))) {
		problem(ld, v, "layer '%s': pad: '%s' is not valid; expected an integer, [ph, pw], "
			"[top, left, bottom, right] or same", e->name, v->str);
		return;
	}
	if (read_ints(ld, e, "pad", 2, 4, 0, AX_MAX_DIM, p, &n))
		return;
	struct ax_layer *l = &e->l;
	if (n == 1) {
		l->pad_t = l->pad_l = l->pad_b = l->pad_r = (uint32_t)p[0];
	} else if (n == 2) {
		l->pad_t = l->pad_b = (uint32_t)p[0];
		l->pad_l = l->pad_r = (uint32_t)p[1];
	} else {
		l->pad_t = (uint32_t)p[0];
		l->pad_l = (uint32_t)p[1];
		l->pad_b = (uint32_t)p[2];
		l->pad_r = (uint32_t)p[3];
	}
}

static int read_u32(struct loader *ld, struct entry *e, const char *key, long long lo, long long hi,
		    uint32_t *out)
{
	long long v;
	const struct ax_ynode *n = ax_ynode_get(e->node, key);
	if (ax_ynode_i64(&ld->doc, n, what(ld, "layer", e->name, key), lo, hi, &v, ld->err))
		return AX_EINPUT;
	*out = (uint32_t)v;
	return AX_OK;
}

static void missing(struct loader *ld, struct entry *e, const char *key, const char *expected)
{
	problem(ld, e->node, "layer '%s': %s: missing; expected %s", e->name, key, expected);
}

static void read_window(struct loader *ld, struct entry *e)
{
	struct ax_layer *l = &e->l;
	if (!ax_ynode_get(e->node, "kernel"))
		missing(ld, e, "kernel", "an integer or [kh, kw]");
	else
		read_pair(ld, e, "kernel", &l->kh, &l->kw);
	if (ax_ynode_get(e->node, "stride")) {
		read_pair(ld, e, "stride", &l->sh, &l->sw);
	} else if (e->op == AX_OP_CONV) {
		l->sh = l->sw = 1;
	} else {
		l->sh = l->kh;
		l->sw = l->kw;
	}
	if (ax_ynode_get(e->node, "dilation"))
		read_pair(ld, e, "dilation", &l->dh, &l->dw);
	else
		l->dh = l->dw = 1;
	read_pad(ld, e);
}

/* axis: channels (default) or pixels. */
static void read_axis(struct loader *ld, struct entry *e)
{
	const struct ax_ynode *v = ax_ynode_get(e->node, "axis");
	const char *s;
	if (!v || ax_ynode_str(&ld->doc, v, what(ld, "layer", e->name, "axis"), &s, ld->err))
		return;
	for (int a = 0; a < AX_AXIS_COUNT; a++)
		if (!strcmp(s, ax_axis_name((enum ax_axis)a))) {
			e->l.axis = (uint32_t)a;
			return;
		}
	problem(ld, v, "layer '%s': axis: '%s' is not an axis; expected channels or pixels", e->name, s);
}

static void read_params(struct loader *ld, struct entry *e)
{
	struct ax_layer *l = &e->l;
	const struct ax_ynode *v;
	int b;

	switch (e->op) {
	case AX_OP_CONV:
		read_window(ld, e);
		l->groups = 1;
		if ((v = ax_ynode_get(e->node, "groups"))) {
			if (v->kind == AX_Y_SCALAR && !strcmp(v->str, "depthwise"))
				e->depthwise = 1;
			else if (v->kind == AX_Y_SCALAR && !(v->str[0] >= '0' && v->str[0] <= '9') &&
				 v->str[0] != '-')
				problem(ld, v, "layer '%s': groups: '%s' is not valid; expected an integer "
					"from 1 to %d or depthwise", e->name, v->str, AX_MAX_DIM);
			else
				read_u32(ld, e, "groups", 1, AX_MAX_DIM, &l->groups);
		}
		/* out and bias as for dense */
		/* fall through */
	case AX_OP_DENSE:
		if (ax_ynode_get(e->node, "out")) {
			e->out_given = 1;
			read_u32(ld, e, "out", 1, AX_MAX_DIM, &l->cout);
		} else if (!e->depthwise) {
			missing(ld, e, "out", "the number of output channels");
		}
		l->has_bias = 1;
		if ((v = ax_ynode_get(e->node, "bias")) &&
		    !ax_ynode_bool(&ld->doc, v, what(ld, "layer", e->name, "bias"), &b, ld->err))
			l->has_bias = (uint32_t)b;
		break;
	case AX_OP_MATMUL:
		if (!ax_ynode_get(e->node, "out"))
			missing(ld, e, "out", "the number of output channels (heads x N)");
		else
			read_u32(ld, e, "out", 1, AX_MAX_DIM, &l->cout);
		l->groups = 1;
		if (ax_ynode_get(e->node, "heads"))
			read_u32(ld, e, "heads", 1, AX_MAX_DIM, &l->groups);
		if ((v = ax_ynode_get(e->node, "transpose_b")) &&
		    !ax_ynode_bool(&ld->doc, v, what(ld, "layer", e->name, "transpose_b"), &b, ld->err))
			l->trans_b = (uint32_t)b;
		break;
	case AX_OP_MAXPOOL:
	case AX_OP_AVGPOOL:
		read_window(ld, e);
		break;
	case AX_OP_EMBED:
		if (!ax_ynode_get(e->node, "out"))
			missing(ld, e, "out", "the width of a table row (output channels)");
		else
			read_u32(ld, e, "out", 1, AX_MAX_DIM, &l->cout);
		if (!ax_ynode_get(e->node, "rows"))
			missing(ld, e, "rows", "the rows of the table");
		else
			read_u32(ld, e, "rows", 1, UINT32_MAX, &l->rows);
		break;
	case AX_OP_CONST:
		read_shape(ld, e, "const");
		break;
	case AX_OP_CONCAT:
		read_axis(ld, e);
		break;
	case AX_OP_SLICE:
		read_axis(ld, e);
		if (!ax_ynode_get(e->node, "start"))
			missing(ld, e, "start", "the first channel");
		else
			read_u32(ld, e, "start", 0, AX_MAX_DIM - 1, &l->slice_start);
		if (!ax_ynode_get(e->node, "end"))
			missing(ld, e, "end", "the channel after the last one");
		else
			read_u32(ld, e, "end", 1, AX_MAX_DIM, &l->slice_end);
		break;
	case AX_OP_RESIZE:
		if (!ax_ynode_get(e->node, "scale"))
			missing(ld, e, "scale", "an integer factor");
		else
			read_u32(ld, e, "scale", 1, AX_MAX_KERNEL, &l->scale);
		break;
	case OP_SPLIT:
		v = e->sizes_node = ax_ynode_get(e->node, "sizes");
		if (!v) {
			missing(ld, e, "sizes", "a list of channel counts");
			break;
		}
		if (ax_ynode_expect(&ld->doc, v, AX_Y_SEQ, what(ld, "layer", e->name, "sizes"), ld->err))
			break;
		if (v->n < 2) {
			problem(ld, v, "layer '%s': sizes: a list of %zu items; expected at least 2 "
				"channel counts", e->name, v->n);
			break;
		}
		e->sizes = ax_xcalloc(v->n, sizeof(*e->sizes));
		e->n_sizes = v->n;
		e->sizes_ok = 1;
		for (size_t i = 0; i < v->n; i++) {
			long long s;
			if (ax_ynode_i64(&ld->doc, v->items[i], what(ld, "layer", e->name, "sizes"),
					 1, AX_MAX_DIM, &s, ld->err))
				e->sizes_ok = 0;
			else
				e->sizes[i] = (uint32_t)s;
		}
		break;
	default:
		break;
	}
}

static void read_act(struct loader *ld, struct entry *e)
{
	const struct ax_ynode *v = ax_ynode_get(e->node, "act");
	const char *s;
	int act_ok = 0;
	if (!v) {
		if (e->op == AX_OP_ACT)
			missing(ld, e, "act", "an activation (relu, relu6, silu, sigmoid, hardswish, leaky_relu, gelu)");
		act_ok = 1;
	} else if (!ax_ynode_str(&ld->doc, v, what(ld, "layer", e->name, "act"), &s, ld->err)) {
		int a = ax_act_parse(s);
		const char *sug = ax_act_suggest(s);
		if (a < 0 && sug) {
			problem(ld, v, "layer '%s': act: '%s' is not an activation; did you mean '%s'?",
				e->name, s, sug);
		} else if (a < 0) {
			problem(ld, v, "layer '%s': act: '%s' is not an activation; expected none, relu, "
				"relu6, silu, sigmoid, hardswish or leaky_relu", e->name, s);
		} else if (a == AX_ACT_NONE && e->op == AX_OP_ACT) {
			problem(ld, v, "layer '%s': act: 'none' is not allowed for an act layer; expected "
				"an activation", e->name);
		} else {
			e->l.act = (enum ax_act)a;
			act_ok = 1;
		}
	}
	v = ax_ynode_get(e->node, "alpha");
	if (e->l.act == AX_ACT_LEAKY_RELU) {
		double alpha = 0.1;
		if (v)
			ax_ynode_f64(&ld->doc, v, what(ld, "layer", e->name, "alpha"), 0, 1, &alpha, ld->err);
		e->l.act_alpha_milli = (int32_t)lround(alpha * 1000);
	} else if (v && act_ok) {
		problem(ld, v, "layer '%s': alpha: '%s' applies only to act leaky_relu; expected no alpha",
			e->name, v->kind == AX_Y_SCALAR ? v->str : ax_ykind_name(v->kind));
	}
}

/* ---- inputs of a layer ---- */

/* Line of a layer entry after index k whose name (or split part) is s, or 0. */
static int defined_later(const struct loader *ld, size_t k, const char *s)
{
	for (size_t j = k + 1; j < ld->layers->n; j++) {
		const struct ax_ynode *n = ld->layers->items[j], *nm = ax_ynode_get(n, "name");
		if (!nm || nm->kind != AX_Y_SCALAR)
			continue;
		size_t len = strlen(nm->str);
		const struct ax_ynode *op = ax_ynode_get(n, "op");
		int is_split = op && op->kind == AX_Y_SCALAR && !strcmp(op->str, "split");
		if (!strcmp(nm->str, s) || (is_split && !strncmp(nm->str, s, len) && s[len] == '/'))
			return n->line;
	}
	return 0;
}

/* Resolves one input name; returns its index, or -1 (reported) / -2 (silently unusable). */
static long resolve(struct loader *ld, struct entry *e, size_t k, const struct ax_ynode *v,
		    const char *key)
{
	const char *s;
	if (ax_ynode_str(&ld->doc, v, what(ld, "layer", e->name, key), &s, ld->err))
		return -1;
	long i = index_find(&ld->layer_names, s);
	if (i >= 0)
		return i;
	long sp = find_split(ld, s);
	if (sp >= 0) {
		const struct split *p = &ld->splits[sp];
		if (p->known && p->n)
			problem(ld, v, "layer '%s': %s '%s' is a split; expected one of its parts '%s/0' to '%s/%zu'",
				e->name, key, s, s, s, p->n - 1);
		else
			problem(ld, v, "layer '%s': %s '%s' is a split; expected one of its parts '%s/0', ...",
				e->name, key, s, s);
		return -1;
	}
	sp = split_of_part(ld, s);
	if (sp >= 0 && !ld->splits[sp].known)
		return -2;
	if (!strcmp(s, e->name)) {
		problem(ld, v, "layer '%s': %s '%s' is not defined before this layer (it is this layer)",
			e->name, key, s);
		return -1;
	}
	int later = defined_later(ld, k, s);
	if (later) {
		problem(ld, v, "layer '%s': %s '%s' is not defined before this layer (it is defined at line %d)",
			e->name, key, s, later);
		return -1;
	}
	const char **names = ax_xcalloc(ld->net->n_layers + 1, sizeof(*names));
	for (size_t j = 0; j < ld->net->n_layers; j++)
		names[j] = ld->net->layers[j].name;
	const char *sug = ax_suggest(s, names, ld->net->n_layers);
	if (sug)
		problem(ld, v, "layer '%s': %s '%s' is not defined before this layer; did you mean '%s'?",
			e->name, key, s, sug);
	else
		problem(ld, v, "layer '%s': %s '%s' is not defined before this layer", e->name, key, s);
	free(names);
	return -1;
}

static void read_in(struct loader *ld, struct entry *e, size_t k, long prev, long prev_split)
{
	const struct ax_ynode *v = ax_ynode_get(e->node, "in");
	struct ax_layer *l = &e->l;
	if (!v) {
		if (prev_split >= 0) {
			const struct split *p = &ld->splits[prev_split];
			problem(ld, e->node, "layer '%s': in: missing, and the previous layer '%s' is a "
				"split; expected one of its parts '%s/0', ...", e->name, p->name, p->name);
		} else if (prev >= 0) {
			l->n_in = 1;
			l->in[0] = (uint32_t)prev;
		} else if (ld->n_inputs == 1) {
			l->n_in = 1;
			l->in[0] = 0;
		} else if (ld->n_inputs > 1) {
			problem(ld, e->node, "layer '%s': in: missing; expected one of the %zu inputs, since "
				"the first layer has no previous layer", e->name, ld->n_inputs);
		} else {
			e->silent = 1; /* no inputs at all: reported already */
		}
		return;
	}
	const struct ax_ynode *const *items = &v;
	size_t n = 1;
	if (v->kind == AX_Y_SEQ) {
		items = (const struct ax_ynode *const *)v->items;
		n = v->n;
		if (n == 0 || n > AX_MAX_INPUTS) {
			problem(ld, v, "layer '%s': in: a list of %zu names; expected 1 to %d names",
				e->name, n, AX_MAX_INPUTS);
			return;
		}
	} else if (v->kind != AX_Y_SCALAR) {
		problem(ld, v, "layer '%s': in: found a %s; expected a layer name or a list of names",
			e->name, ax_ykind_name(v->kind));
		return;
	}
	for (size_t j = 0; j < n; j++) {
		long i = resolve(ld, e, k, items[j], "input");
		if (i == -2)
			e->silent = 1;
		if (i >= 0)
			l->in[j] = (uint32_t)i;
	}
	l->n_in = (uint32_t)n;
}

/* ---- layers ---- */

/* Resolves what needs the input shape (pad same, depthwise), then infers. */
static void finish(struct loader *ld, struct entry *e, size_t first, size_t count)
{
	struct ax_net *net = ld->net;
	AX_ASSERT(count > 0 && first + count <= net->n_layers);
	struct ax_layer *l = &net->layers[first];
	if (l->op == AX_OP_CONST) {
		if (l->out.c)
			ax_net_infer_layer(net, first, NULL, ld->err);
		return;
	}
	for (uint32_t j = 0; j < l->n_in; j++)
		if (net->layers[l->in[j]].out.c == 0)
			return; /* reported at that input */
	struct ax_shape in = net->layers[l->in[0]].out;

	if (e->depthwise) {
		l->groups = in.c;
		if (!e->out_given)
			l->cout = in.c;
	}
	if (e->pad_same) {
		uint64_t ekh = (uint64_t)l->dh * (l->kh - 1) + 1, ekw = (uint64_t)l->dw * (l->kw - 1) + 1;
		uint64_t oh = (in.h + (uint64_t)l->sh - 1) / l->sh, ow = (in.w + (uint64_t)l->sw - 1) / l->sw;
		uint64_t th = (oh - 1) * l->sh + ekh, tw = (ow - 1) * l->sw + ekw;
		th = th > in.h ? th - in.h : 0;
		tw = tw > in.w ? tw - in.w : 0;
		l->pad_t = (uint32_t)(th / 2);
		l->pad_b = (uint32_t)(th - th / 2);
		l->pad_l = (uint32_t)(tw / 2);
		l->pad_r = (uint32_t)(tw - tw / 2);
	}
	if (e->op == OP_SPLIT) {
		uint64_t sum = 0;
		for (size_t i = 0; i < e->n_sizes; i++)
			sum += e->sizes[i];
		if (sum != in.c) {
			problem(ld, e->sizes_node, "layer '%s': sizes: add up to %llu; expected the %u input "
				"channels", e->name, (unsigned long long)sum, in.c);
			return;
		}
	}
	for (size_t i = 0; i < count; i++)
		ax_net_infer_layer(net, first + i, NULL, ld->err);
}

static void read_layer(struct loader *ld, const struct ax_ynode *n, size_t k, long *prev,
		       long *prev_split)
{
	struct entry e;
	memset(&e, 0, sizeof(e));
	e.node = n;
	e.op = -1;
	e.l.line = n->line;
	e.l.col = n->col;
	int before = ld->err->count;

	if (ax_ynode_expect(&ld->doc, n, AX_Y_MAP, "layers: item", ld->err)) {
		snprintf(e.placeholder, sizeof(e.placeholder), "#%zu", k + 1);
		*prev = (long)add_entry(ld, &e, AX_OP_ACT, e.placeholder);
		*prev_split = -1;
		return;
	}
	/* problems with the name or unknown keys do not stop inference */
	read_name(ld, &e, "layer", k);
	int soft = ld->err->count - before;

	const struct ax_ynode *v = ax_ynode_get(n, "op");
	const char *s;
	if (!v) {
		problem(ld, n, "layer '%s': op: missing; expected an operator such as conv", e.name);
	} else if (!ax_ynode_str(&ld->doc, v, what(ld, "layer", e.name, "op"), &s, ld->err)) {
		int op = ax_op_parse(s);
		if (!strcmp(s, "split")) {
			e.op = OP_SPLIT;
		} else if (op == AX_OP_INPUT) {
			problem(ld, v, "layer '%s': op: 'input' is not an operator for layers; expected "
				"inputs to be listed under inputs", e.name);
		} else if (op >= 0) {
			e.op = op;
		} else {
			const char *sug = ax_op_suggest(s, "split");
			if (sug)
				problem(ld, v, "layer '%s': op: '%s' is not an operator; did you mean '%s'?",
					e.name, s, sug);
			else
				problem(ld, v, "layer '%s': op: '%s' is not an operator; expected one of: conv, "
					"dense, maxpool, avgpool, global_avgpool, add, mul, concat, slice, split, "
					"resize, act, softmax, dyn_matmul, const, embed", e.name, s);
		}
	}

	if (e.op != AX_OP_CONST)
		read_in(ld, &e, k, *prev, *prev_split);
	if (e.op >= 0) {
		int keys_before = ld->err->count;
		check_layer_keys(ld, &e);
		soft += ld->err->count - keys_before;
		read_act(ld, &e);
		read_params(ld, &e);
	}

	if (e.op == OP_SPLIT && e.l.n_in > 1)
		problem(ld, ax_ynode_get(n, "in"), "layer '%s': in: split takes one input, found %u",
			e.name, e.l.n_in);
	int ok = ld->err->count - before == soft && !e.silent && e.op >= 0;
	if (e.op == OP_SPLIT) {
		AX_GROW(ld->splits, ld->cap_splits, ld->n_splits + 1);
		struct split *p = &ld->splits[ld->n_splits++];
		p->name = ax_xstrdup(e.name);
		index_add(&ld->split_names, p->name, (long)ld->n_splits - 1);
		p->line = n->line;
		p->first = ld->net->n_layers;
		p->known = e.sizes_ok;
		p->n = e.sizes_ok ? e.n_sizes : 0;
		uint32_t start = 0;
		for (size_t i = 0; i < p->n; i++) {
			char *part = ax_xasprintf("%s/%zu", e.name, i);
			int line = defined_at(ld, part);
			if (line) {
				problem(ld, n, "layer '%s': name: '%s' (a part of the split) is already defined "
					"at line %d; expected a unique name", e.name, part, line);
				ok = 0;
			}
			e.l.slice_start = start;
			e.l.slice_end = start + e.sizes[i];
			start = e.l.slice_end;
			add_entry(ld, &e, AX_OP_SLICE, part);
			free(part);
		}
		if (ok)
			finish(ld, &e, p->first, p->n);
		*prev = -1;
		*prev_split = (long)(ld->n_splits - 1);
	} else {
		size_t i = add_entry(ld, &e, e.op >= 0 ? (enum ax_op)e.op : AX_OP_ACT, e.name);
		if (ok)
			finish(ld, &e, i, 1);
		*prev = (long)i;
		*prev_split = -1;
	}
	free(e.sizes);
}

static void read_outputs(struct loader *ld, const struct ax_ynode *v)
{
	const struct ax_ynode *const *items = &v;
	size_t n = 1;
	if (v->kind == AX_Y_SEQ) {
		items = (const struct ax_ynode *const *)v->items;
		n = v->n;
		if (n == 0) {
			problem(ld, v, "outputs: an empty list; expected one or more layer names");
			return;
		}
	}
	for (size_t j = 0; j < n; j++) {
		const char *s;
		if (ax_ynode_str(&ld->doc, items[j], "outputs", &s, ld->err))
			continue;
		long i = index_find(&ld->layer_names, s);
		if (i >= 0) {
			if (ld->net->layers[i].is_output)
				problem(ld, items[j], "outputs: '%s' is listed twice; expected each layer once", s);
			ld->net->layers[i].is_output = 1;
			continue;
		}
		long sp = find_split(ld, s);
		if (sp >= 0) {
			problem(ld, items[j], "outputs: '%s' is a split; expected one of its parts '%s/0', ...",
				s, s);
			continue;
		}
		sp = split_of_part(ld, s);
		if (sp >= 0 && !ld->splits[sp].known)
			continue;
		const char **names = ax_xcalloc(ld->net->n_layers + 1, sizeof(*names));
		for (size_t k = 0; k < ld->net->n_layers; k++)
			names[k] = ld->net->layers[k].name;
		const char *sug = ax_suggest(s, names, ld->net->n_layers);
		if (sug)
			problem(ld, items[j], "outputs: '%s' is not a layer; did you mean '%s'?", s, sug);
		else
			problem(ld, items[j], "outputs: '%s' is not a layer", s);
		free(names);
	}
}

static void read_network_name(struct loader *ld, const struct ax_ynode *root, const char *path)
{
	const struct ax_ynode *v = ax_ynode_get(root, "network");
	const char *s;
	if (!v) {
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		const char *dot = strrchr(base, '.');
		size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
		ld->net->name = ax_xstrndup(base, len);
		return;
	}
	if (ax_ynode_str(&ld->doc, v, "network", &s, ld->err))
		return;
	if (!*s) {
		problem(ld, v, "network: '' is empty; expected a name");
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			problem(ld, v, "network: the name contains a control character; expected printable text");
			return;
		}
	}
	ld->net->name = ax_xstrdup(s);
}

static void read_doc(struct loader *ld, const char *path)
{
	const struct ax_ynode *root = ld->doc.root;
	if (!root) {
		ax_err_add(ld->err, "%s:1:1: the file is empty; expected a mapping with inputs and layers",
			   ld->file);
		return;
	}
	if (ax_ynode_expect(&ld->doc, root, AX_Y_MAP, "network description", ld->err))
		return;
	read_network_name(ld, root, path);

	const struct ax_ynode *inputs = ax_ynode_get(root, "inputs");
	if (!inputs) {
		problem(ld, root, "inputs: missing; expected a list of {name, shape}");
	} else if (!ax_ynode_expect(&ld->doc, inputs, AX_Y_SEQ, "inputs", ld->err)) {
		if (inputs->n == 0)
			problem(ld, inputs, "inputs: an empty list; expected at least one input");
		for (size_t i = 0; i < inputs->n && i < AX_MAX_LAYERS; i++)
			read_input(ld, inputs->items[i], i);
		ld->n_inputs = ld->net->n_layers;
	}

	const struct ax_ynode *layers = ax_ynode_get(root, "layers");
	if (!layers) {
		problem(ld, root, "layers: missing; expected a list of layers");
	} else if (!ax_ynode_expect(&ld->doc, layers, AX_Y_SEQ, "layers", ld->err)) {
		ld->layers = layers;
		if (layers->n == 0)
			problem(ld, layers, "layers: an empty list; expected at least one layer");
		long prev = -1, prev_split = -1;
		for (size_t k = 0; k < layers->n; k++) {
			if (ld->net->n_layers >= AX_MAX_LAYERS) {
				problem(ld, layers->items[k], "layers: more than %d layers; expected at most %d",
					AX_MAX_LAYERS, AX_MAX_LAYERS);
				break;
			}
			read_layer(ld, layers->items[k], k, &prev, &prev_split);
		}
		if (ld->net->n_layers > AX_MAX_LAYERS)
			problem(ld, layers, "layers: %zu layers after expanding splits; expected at most %d",
				ld->net->n_layers, AX_MAX_LAYERS);
	}

	const struct ax_ynode *outputs = ax_ynode_get(root, "outputs");
	if (outputs)
		read_outputs(ld, outputs);
	check_plain_keys(ld, root, "", top_keys, 4);
}

static int load_net(struct ax_net *net, const char *path, const unsigned char *buf, size_t len,
		    struct ax_err *err)
{
	struct loader ld;
	memset(&ld, 0, sizeof(ld));
	ld.net = net;
	ld.err = err;
	ld.file = path;
	ax_net_init(net);

	int rc = buf ? ax_ydoc_load_buf(&ld.doc, path, (const char *)buf, len, err)
		     : ax_ydoc_load_file(&ld.doc, path, err);
	if (rc)
		goto out_doc;
	net->source = ax_xstrdup(path);
	int before = err->count;
	read_doc(&ld, path);
	if (err->count != before) {
		rc = AX_EINPUT;
		goto out_doc;
	}
	for (size_t i = 0; i < net->n_layers; i++)
		AX_ASSERT(net->layers[i].out.c > 0);
	ax_net_mark_outputs(net);

out_doc:
	if (rc)
		ax_net_release(net);
	for (size_t i = 0; i < ld.n_splits; i++)
		free(ld.splits[i].name);
	free(ld.splits);
	index_release(&ld.layer_names);
	index_release(&ld.split_names);
	free(ld.what);
	ax_ydoc_release(&ld.doc);
	return rc;
}

int ax_net_load_yaml(struct ax_net *net, const char *path, struct ax_err *err)
{
	return load_net(net, path, NULL, 0, err);
}

int ax_net_load_yaml_buf(struct ax_net *net, const char *path, const unsigned char *buf, size_t len,
			 struct ax_err *err)
{
	return load_net(net, path, buf, len, err);
}
