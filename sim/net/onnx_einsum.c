/*
 * onnx_einsum.c - Einsum (docs/onnx-import.md "Einsum"): the equations
 * transformer exports write are products that MatMul already maps, so each
 * is taken apart into views of its operands and handed to the same paths:
 * a constant second operand to linear (a dense or 1x1 convolution layer,
 * its weights permuted as the equation says), two activations to
 * dyn_matmul, one operand alone to a transpose (a view, no layer).
 */
#include "onnx_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EQ_MAX 256          /* characters of an equation read */
#define N_LETTERS 52        /* A-Z, a-z: label ids in ASCII order, as the implicit output sorts */
#define N_LABELS (N_LETTERS + R) /* then one id per dimension an ellipsis covers */

/* One side of an equation: a label id per dimension. */
struct term {
	int n;
	int lab[R];
};

/* A term as written: letters, and where "..." stands (-1: nowhere). */
struct rawterm {
	int n;
	int lab[R];
	int ell;
};

static int letter_id(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return 26 + (c - 'a');
	return -1;
}

/* Parses s[0 .. len) into t; NULL, or why not. */
static const char *raw_parse(const char *s, size_t len, struct rawterm *t)
{
	t->n = 0;
	t->ell = -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ' ')
			continue;
		if (s[i] == '.') {
			if (t->ell >= 0 || len - i < 3 || s[i + 1] != '.' || s[i + 2] != '.')
				return "an ellipsis is not three dots, or appears twice in one term";
			t->ell = t->n;
			i += 2;
			continue;
		}
		int id = letter_id(s[i]);
		if (id < 0)
			return "a term holds a character that is not a letter or '...'";
		if (t->n >= R)
			return "a term has more indices than the importer's largest rank";
		t->lab[t->n++] = id;
	}
	return NULL;
}

/* Expands raw term t for a tensor of rank: the ellipsis covers the
 * dimensions the letters leave, right-aligned among e labels. */
static const char *expand(const struct rawterm *t, int rank, int e, struct term *out)
{
	int covered = t->ell >= 0 ? rank - t->n : 0;
	if (t->ell < 0 ? rank != t->n : covered < 0)
		return "a term's indices do not match its input's rank";
	if (covered > e)
		return "an ellipsis covers more dimensions than the equation allows";
	out->n = 0;
	for (int i = 0; i <= t->n; i++) {
		if (i == t->ell)
			for (int j = 0; j < covered; j++)
				out->lab[out->n++] = N_LETTERS + e - covered + j;
		if (i < t->n)
			out->lab[out->n++] = t->lab[i];
	}
	return NULL;
}

static int find_lab(const struct term *t, int lab)
{
	for (int i = 0; i < t->n; i++)
		if (t->lab[i] == lab)
			return i;
	return -1;
}

/* The equation, parsed against the inputs' ranks. */
struct eq {
	int n_in;
	struct term in[2], out;
	int64_t size[N_LABELS];
};

/* Parses eq for inputs of ranks rk with dims d; NULL, or why not. */
static const char *eq_parse(const char *s, int n_in, const int *rk, int64_t d[2][R], struct eq *q)
{
	const char *arrow = strstr(s, "->");
	if (arrow && strstr(arrow + 2, "->"))
		return "it has two arrows";
	size_t lhs = arrow ? (size_t)(arrow - s) : strlen(s);
	struct rawterm raw[2], ro;
	int n = 0;
	size_t at = 0;
	for (;;) {
		const char *comma = memchr(s + at, ',', lhs - at);
		size_t end = comma ? (size_t)(comma - s) : lhs;
		if (n >= 2)
			return "it has three or more operands";
		const char *why = raw_parse(s + at, end - at, &raw[n++]);
		if (why)
			return why;
		if (!comma)
			break;
		at = end + 1;
	}
	if (n != n_in)
		return "its terms and the node's inputs differ in number";
	q->n_in = n;
	int e = 0;
	for (int k = 0; k < n; k++) {
		int c = raw[k].ell >= 0 ? rk[k] - raw[k].n : 0;
		e = c > e ? c : e;
	}
	int count[N_LABELS] = { 0 };
	for (int k = 0; k < n; k++) {
		const char *why = expand(&raw[k], rk[k], e, &q->in[k]);
		if (why)
			return why;
		for (int i = 0; i < q->in[k].n; i++) {
			int lab = q->in[k].lab[i];
			if (find_lab(&q->in[k], lab) != i)
				return "an index repeats in one operand (a diagonal)";
			if (count[lab] && q->size[lab] != d[k][i])
				return "an index has different sizes in the two operands";
			q->size[lab] = d[k][i];
			count[lab]++;
		}
	}
	if (arrow) {
		const char *why = raw_parse(arrow + 2, strlen(arrow + 2), &ro);
		if (why)
			return why;
		if (ro.ell < 0 && e > 0)
			return "the output drops the ellipsis (a sum over its dimensions)";
		if (ro.n + (ro.ell >= 0 ? e : 0) > R)
			return "the output has more indices than the importer's largest rank";
		int re = ro.ell >= 0 ? ro.n + e : ro.n;
		if (expand(&ro, re, e, &q->out))
			return "the output's ellipsis is malformed";
	} else {
		/* implicit: the ellipsis, then the letters used once, sorted */
		q->out.n = 0;
		for (int j = 0; j < e; j++)
			q->out.lab[q->out.n++] = N_LETTERS + j;
		for (int lab = 0; lab < N_LETTERS; lab++)
			if (count[lab] == 1) {
				if (q->out.n >= R)
					return "the output has more indices than the importer's largest rank";
				q->out.lab[q->out.n++] = lab;
			}
	}
	for (int i = 0; i < q->out.n; i++) {
		int lab = q->out.lab[i];
		if (find_lab(&q->out, lab) != i)
			return "an index repeats in the output";
		if (!count[lab])
			return "an output index is in no operand";
	}
	return NULL;
}

/* x's view with its axes in the order of labels want (each in t), axes of
 * size 1 that want leaves out dropped; -1 when another axis is left out. */
static int view_pick(const struct view *x, const struct term *t, const int *want, int n,
		     struct view *v)
{
	for (int i = 0; i < t->n; i++) {
		int kept = 0;
		for (int j = 0; j < n; j++)
			kept |= want[j] == t->lab[i];
		if (!kept && x->dims[i] != 1)
			return -1;
	}
	*v = *x;
	v->rank = n;
	for (int j = 0; j < n; j++) {
		int i = find_lab(t, want[j]);
		if (i < 0)
			AX_BUG("einsum label not in its term");
		v->dims[j] = x->dims[i];
		v->strides[j] = x->strides[i];
	}
	if (x->flat)
		v->src_rank = 0; /* the element order is no longer known */
	return 0;
}

/* out's view, whose axes hold labels have, put in the output's order. */
static void view_to_out(struct val *out, const int *have, const struct eq *q)
{
	if (!out)
		return;
	struct term t = { .n = q->out.n };
	memcpy(t.lab, have, (size_t)t.n * sizeof(int));
	struct view v;
	if (view_pick(&out->v, &t, q->out.lab, q->out.n, &v))
		AX_BUG("einsum output axes differ");
	out->v = v;
}

static const char *const SUPPORTED =
	"expected two operands, each index kept, contracted once or shared as a batch "
	"(as MatMul maps), or one operand transposed";

/* The product of activation a (term ta) by constant b (term tb). */
static int einsum_const(struct ox *ox, const struct val *a, const struct val *b,
			const struct eq *q, const char *eq)
{
	const struct term *ta = &q->in[0], *tb = &q->in[1];
	int m[R], nn[R], kk[R], nm = 0, n_n = 0, nk = 0;
	for (int i = 0; i < q->out.n; i++) {
		int lab = q->out.lab[i], ia = find_lab(ta, lab), ib = find_lab(tb, lab);
		if (ia >= 0 && ib >= 0)
			return unsup(ox, "equation '%s' shares an index between the activation and "
				     "a constant (a batch of constant matrices); %s", eq, SUPPORTED);
		if (ia >= 0)
			m[nm++] = lab;
		else
			nn[n_n++] = lab;
	}
	for (int i = 0; i < ta->n; i++)
		if (find_lab(tb, ta->lab[i]) >= 0 && find_lab(&q->out, ta->lab[i]) < 0)
			kk[nk++] = ta->lab[i];
	for (int i = 0; i < tb->n; i++)
		if (find_lab(ta, tb->lab[i]) < 0 && find_lab(&q->out, tb->lab[i]) < 0 &&
		    q->size[tb->lab[i]] != 1)
			return unsup(ox, "equation '%s' sums the constant over an index; %s", eq,
				     SUPPORTED);
	if (!nk)
		return unsup(ox, "equation '%s' contracts no index; %s", eq, SUPPORTED);
	struct val xa = *a;
	memcpy(m + nm, kk, (size_t)nk * sizeof(int));
	if (view_pick(&a->v, ta, m, nm + nk, &xa.v))
		return unsup(ox, "equation '%s' sums an operand over an index; %s", eq, SUPPORTED);
	int64_t K = 1, N = 1, nd[R];
	for (int j = 0; j < nk; j++)
		K *= q->size[kk[j]];
	for (int j = 0; j < n_n; j++)
		N *= q->size[nn[j]];
	if (K < 1 || N < 1)
		return bad(ox, "equation '%s': the constant is empty", eq);
	if (nk > 1) {
		/* several contracted indices (the heads of an output projection) are
		 * one axis of K values when they lie side by side in that order */
		for (int j = 0; j < nm; j++)
			nd[j] = q->size[m[j]];
		nd[nm] = K;
		if (xa.v.flat || view_reshape_strided(&xa.v, nm + 1, nd))
			return unsup(ox, "equation '%s' contracts indices that are not side by side in "
				     "'%s'; %s", eq, vname(a), SUPPORTED);
	}
	/* w[n][k]: n runs over the output's N indices in order, k over the
	 * contracted ones in the activation's order, the last fastest */
	int64_t bstr[R], s = 1;
	for (int i = tb->n - 1; i >= 0; i--) {
		bstr[i] = s;
		s *= q->size[tb->lab[i]];
	}
	float *w = ax_xcalloc((size_t)(N * K), sizeof(float));
	for (int64_t n = 0; n < N; n++) {
		int64_t off = 0, r = n;
		for (int j = n_n - 1; j >= 0; j--) {
			off += r % q->size[nn[j]] * bstr[find_lab(tb, nn[j])];
			r /= q->size[nn[j]];
		}
		for (int64_t k = 0; k < K; k++) {
			int64_t koff = 0;
			r = k;
			for (int j = nk - 1; j >= 0; j--) {
				koff += r % q->size[kk[j]] * bstr[find_lab(tb, kk[j])];
				r /= q->size[kk[j]];
			}
			w[n * K + k] = (float)ox_tensor_f(&b->t, (size_t)(off + koff));
		}
	}
	struct val *out = out_val(ox, 0);
	if (linear(ox, &xa, K, N, w, NULL, 1, n_n == 0, out))
		return AX_EINPUT;
	if (!out)
		return AX_OK;
	if (n_n > 1) {
		/* the N outputs split back into the constant's indices */
		for (int j = 0; j < nm; j++)
			nd[j] = q->size[m[j]];
		for (int j = 0; j < n_n; j++)
			nd[nm + j] = q->size[nn[j]];
		if (out->v.flat || view_reshape_strided(&out->v, nm + n_n, nd))
			return unsup(ox, "equation '%s': the product's outputs cannot be split into "
				     "indices without a copy; %s", eq, SUPPORTED);
	}
	int have[R];
	memcpy(have, m, (size_t)nm * sizeof(int));
	memcpy(have + nm, nn, (size_t)n_n * sizeof(int));
	view_to_out(out, have, q);
	return AX_OK;
}

/* The product of activations a (term ta) and b (term tb). */
static int einsum_dyn(struct ox *ox, const struct val *a, const struct val *b, const struct eq *q,
		      const char *eq)
{
	const struct term *ta = &q->in[0], *tb = &q->in[1];
	int pa[R], pb[R], have[R], nbat = 0, ml = -1, nl = -1, kl = -1, many = 0;
	for (int i = 0; i < q->out.n; i++) {
		int lab = q->out.lab[i], ia = find_lab(ta, lab), ib = find_lab(tb, lab);
		if (ia >= 0 && ib >= 0) {
			pa[nbat] = pb[nbat] = have[nbat] = lab;
			nbat++;
		} else if (ia >= 0) {
			many |= ml >= 0;
			ml = lab;
		} else {
			many |= nl >= 0;
			nl = lab;
		}
	}
	for (int i = 0; i < ta->n; i++)
		if (find_lab(tb, ta->lab[i]) >= 0 && find_lab(&q->out, ta->lab[i]) < 0) {
			many |= kl >= 0;
			kl = ta->lab[i];
		}
	if (many || ml < 0 || nl < 0 || kl < 0)
		return unsup(ox, "equation '%s' is not one row index, one column index and one "
			     "contracted index per pair of matrices; %s", eq, SUPPORTED);
	if (nbat + 2 > R)
		return unsup(ox, "equation '%s' has too many indices; %s", eq, SUPPORTED);
	struct val xa = *a, xb = *b;
	pa[nbat] = ml;
	pa[nbat + 1] = kl;
	pb[nbat] = kl;
	pb[nbat + 1] = nl;
	if (view_pick(&a->v, ta, pa, nbat + 2, &xa.v) || view_pick(&b->v, tb, pb, nbat + 2, &xb.v))
		return unsup(ox, "equation '%s' sums an operand over an index; %s", eq, SUPPORTED);
	int64_t groups = prod(xa.v.dims, nbat);
	struct val *out = out_val(ox, 0);
	if (dyn_matmul(ox, &xa, &xb, q->size[kl], q->size[nl], groups, out))
		return AX_EINPUT;
	have[nbat] = ml;
	have[nbat + 1] = nl;
	view_to_out(out, have, q);
	return AX_OK;
}

int op_einsum(struct ox *ox)
{
	const Onnx__AttributeProto *at = attr(ox, "equation");
	char eq[EQ_MAX];
	if (!at)
		return bad(ox, "the equation attribute is missing");
	if (attr_str(ox, "equation", "", eq, sizeof(eq)))
		return AX_EINPUT;
	if (at->s.len >= sizeof(eq))
		return unsup(ox, "equation of %zu characters is too long; expected at most %zu",
			     at->s.len, sizeof(eq) - 1);
	size_t n_in = n_inputs(ox);
	if (n_in < 1 || n_in > 2)
		return unsup(ox, "equation '%s' has %zu operands; %s", eq, n_in, SUPPORTED);
	struct val *v[2] = { in_val(ox, 0), n_in > 1 ? in_val(ox, 1) : NULL };
	if (n_in == 2 && v[0] && v[1] && v[0]->kind == V_CONST && v[1]->kind != V_CONST) {
		/* the constant second, as MatMul's weights are */
		struct val *t = v[0];
		v[0] = v[1];
		v[1] = t;
	}
	int rk[2] = { 0, 0 };
	int64_t d[2][R];
	for (size_t k = 0; k < n_in; k++) {
		if (!v[k])
			return bad(ox, "input %zu is missing", k);
		rk[k] = val_dims(v[k], d[k]);
		if (rk[k] < 0)
			return unsup(ox, "input '%s' has no known shape", vname(v[k]));
	}
	if (need_act(ox, v[0], "input") || no_pad(ox, v[0]))
		return AX_EINPUT;
	/* parsed in the inputs' order after the swap */
	char swapped[EQ_MAX];
	const char *use = eq;
	if (n_in == 2 && v[0] != in_val(ox, 0)) {
		const char *comma = strchr(eq, ','), *arrow = strstr(eq, "->");
		if (!comma || (arrow && arrow < comma))
			return unsup(ox, "equation '%s' does not have two terms; %s", eq, SUPPORTED);
		size_t l0 = (size_t)(comma - eq), l1 = arrow ? (size_t)(arrow - comma - 1) : strlen(comma + 1);
		snprintf(swapped, sizeof(swapped), "%.*s,%.*s%s", (int)l1, comma + 1, (int)l0, eq,
			 arrow ? arrow : "");
		use = swapped;
	}
	struct eq q;
	memset(&q, 0, sizeof(q));
	const char *why = eq_parse(use, (int)n_in, rk, d, &q);
	if (why)
		return unsup(ox, "equation '%s' is not supported: %s; %s", eq, why, SUPPORTED);
	if (n_in == 1) {
		struct val *out = out_val(ox, 0);
		struct view ov;
		if (view_pick(&v[0]->v, &q.in[0], q.out.lab, q.out.n, &ov))
			return unsup(ox, "equation '%s' sums over an index; %s", eq, SUPPORTED);
		set_act(out, v[0]->s, &ov);
		return AX_OK;
	}
	if (v[1]->kind == V_CONST)
		return einsum_const(ox, v[0], v[1], &q, eq);
	if (v[1]->kind != V_ACT)
		return unsup(ox, "input '%s' is not known on the chip", vname(v[1]));
	if (no_pad(ox, v[1]))
		return AX_EINPUT;
	return einsum_dyn(ox, v[0], v[1], &q, eq);
}
