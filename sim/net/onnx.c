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

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	{ "ScatterND", NULL, 1 },
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
	{ "Einsum", op_einsum, 0 },
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
	       !strcmp(op, "MatMul") || !strcmp(op, "Einsum") || !strcmp(op, "ConvInteger") ||
	       !strcmp(op, "QLinearConv") ||
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
		v->from_init = 1;
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
	if (any && all_const && d->fold) {
		rc = fold_node(ox);
		/* values derive from the real inputs: shapes, indices and
		 * axes (integers) do not make a parameter of a result */
		int init = 0;
		for (size_t i = 0; i < n_inputs(ox); i++) {
			const struct val *v = in_val(ox, i);
			init |= v && v->from_init && ox_dtype_is_float(v->t.dtype);
		}
		for (size_t o = 0; !rc && o < n->p->n_output; o++) {
			struct val *v = out_val(ox, o);
			if (v && v->kind == V_CONST) {
				v->from_init = init;
				v->folded = 1;
			}
		}
	}
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
