/*
 * onnx_model.c - the ONNX model read once: hash tables of its names, the
 * checks of its graph and its topological order (docs/onnx-import.md).
 */
#include "onnx_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- string hash table (values, layer names) ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

long htab_get(const struct htab *h, const char *k)
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

void htab_put(struct htab *h, const char *k, long v)
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

void htab_release(struct htab *h)
{
	free(h->keys);
	free(h->vals);
	memset(h, 0, sizeof(*h));
}

/* ---- the model: checks, order ---- */

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

long count_uses(const struct model *md, const char *name)
{
	long n = htab_get(&md->uses, name);
	return n < 0 ? 0 : n;
}

const struct xnode *producer(const struct model *md, const char *name)
{
	long k = name ? htab_get(&md->prod, name) : -1;
	return k < 0 ? NULL : &md->nodes[k];
}

/* A constant known before the conversion: an initializer or a Constant node. */
int static_tensor(const struct model *md, const char *name, struct ox_tensor *t)
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

int static_scalar(const struct model *md, const char *name, double *v)
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

int input_is(const struct xnode *n, size_t k, const char *name)
{
	return n && k < n->p->n_input && n->p->input[k] && name && !strcmp(n->p->input[k], name);
}

const char *out0(const struct xnode *n)
{
	return n && n->p->n_output ? n->p->output[0] : NULL;
}

void model_release(struct model *md)
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

int model_prepare(struct model *md, struct ax_err *err)
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
