#include "lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute.h"
#include "../power/energy.h"

#define MAX_CORES 64
#define MAX_GROUP 64             /* tiles of one layer written at once */

struct idlist {
	uint32_t *v;
	size_t n, cap;
};

static void id_push(struct idlist *l, uint32_t id)
{
	AX_GROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = id;
}

static void id_append(struct idlist *l, const struct idlist *src)
{
	for (size_t i = 0; i < src->n; i++)
		id_push(l, src->v[i]);
}

/* Tasks that complete rows [r0, r1) of a layer's output: a consumer waits
 * only for the pieces whose rows it reads (docs/timing-model.md
 * "Dependencies"). */
struct spanlist {
	struct idlist ids;
	uint32_t *r0, *r1;
	size_t cap;
};

static void span_push(struct spanlist *l, uint32_t id, uint32_t r0, uint32_t r1)
{
	size_t c = l->cap;
	AX_GROW(l->r0, c, l->ids.n + 1);
	c = l->cap;
	AX_GROW(l->r1, c, l->ids.n + 1);
	l->cap = c;
	l->r0[l->ids.n] = r0;
	l->r1[l->ids.n] = r1;
	id_push(&l->ids, id);
}

/* The tasks of l that produce any of rows [i0, i1). */
static void span_deps(const struct spanlist *l, uint32_t i0, uint32_t i1, struct idlist *out)
{
	for (size_t k = 0; k < l->ids.n; k++)
		if (l->r0[k] < i1 && i0 < l->r1[k])
			id_push(out, l->ids.v[k]);
}

static void span_free(struct spanlist *l)
{
	free(l->ids.v);
	free(l->r0);
	free(l->r1);
	memset(l, 0, sizeof(*l));
}

/* Per-core state carried from layer to layer: which task last used each
 * slot of the IMC weight store (a slot is one bank of one weight set:
 * imc.rows x imc.cols/imc.banks weights) and each L1 weight-staging buffer
 * (docs/imc.md "Weight slots"). */
struct core_state {
	uint32_t n_slots;
	uint64_t next_slot;             /* slots are filled in ring order */
	uint8_t *slot_used;
	uint32_t *slot_last;            /* last MVM task that computed on the slot */
	uint64_t stages;                /* weight staging buffers filled so far */
	int stage_used[2];
	uint32_t stage_last[2];         /* IMC load that drained the staging buffer */
};

/* The slots a tile took, to mark them busy until its last pass. */
struct slot_span {
	uint32_t first, count;
};

/* Per-layer decisions that do not depend on the core or copy. */
struct layer_info {
	struct ax_imc_map map;
	uint32_t icr, window_rows;      /* replication factor, rows of the grown window */
	int imc, dwpu;
	int dyn;                        /* a dyn_matmul on the IMC: map is one head's run-time weights */
	uint32_t group;                 /* fused group index */
	int32_t epi;                    /* element-wise layer applied by this layer's DPU, or -1 */
	int32_t epi_of;                 /* for that element-wise layer: its producer, or -1 */
	/* docs/timing-model.md "Concatenation": a convolution merged into a
	 * sibling that reads the same input (its columns in the sibling's
	 * operator), or -1; the sibling's extra columns and their MACs */
	int32_t merged_into;
	uint32_t merged_cout;
	uint64_t merged_macs;
	/* a network input as the device holds it (docs/timing-model.md
	 * "Network inputs"): rows, bytes per row, pad rows above row 0 */
	uint32_t dev_h, dev_pt;
	uint64_t dev_row;
};

struct lstate {
	const struct ax_net *net;
	const struct ax_arch *a;
	const struct ax_ccfg *c;
	struct ax_tasklist *tl;
	uint32_t cpc;                   /* cores per copy */
	struct layer_info *li;
	uint32_t n_groups;
	uint32_t *gfirst, *glast;       /* layer range of each group */
	struct spanlist *done;          /* per layer: tasks that complete its output rows (current copy) */
	struct idlist *prev;            /* per copy and layer: the same, previous inference */
	const uint32_t *last_use;       /* per layer: its output's last reader */
	uint32_t infer;                 /* inference being lowered */
	struct idlist gate;             /* added to every task: the previous inference's readers */
	/* gating: a task that waits for a task already under the gate waits for
	 * the gate through it, so only a group's first tasks carry the gate.
	 * task_epoch[id] says which gate a task is under: epoch (the group's
	 * tasks: the set-up, or the inference gate without set-up) or pepoch
	 * (its weight prefetches: the inference gate alone). */
	struct idlist pgate;            /* the gate of the group's weight prefetches */
	uint32_t epoch, pepoch;
	uint32_t *task_epoch;
	size_t epoch_cap;
	struct core_state cs[MAX_CORES];
	enum ax_mem const_home;
	int const_resident;             /* constants live in L1 (constant_pool l1): no transfers */
	uint32_t io_pool, ws_pool;      /* enum ax_pool: highest memory for inputs and outputs, and for the rest */
	uint64_t const_base;            /* DDR address of the per-channel constants */
	uint64_t const_stride;          /* their bytes per layer: the largest layer's, page-aligned */
	uint64_t *woff;                 /* per layer: offset of its compiled weights (docs/memory.md "Weights") */
	int barrier;                    /* an operator waits for its whole producers (async_inter_operator false) */
	/* docs/timing-model.md "Multi-core modes" */
	uint32_t mode;                  /* enum ax_mc_mode */
	uint32_t lanes, per_inst;       /* input streams in all, and per instance */
	uint32_t split;                 /* cores one layer is split across (cooperative) */
	uint32_t *gstage;               /* pipeline: per group, its core within the instance */
	struct idlist *batch_prev;      /* per lane: its previous inference's output tasks */
	struct idlist *batch_cur;       /* per lane: the same, inference being lowered */
	/* docs/timing-model.md "Operator set-up": per core, the tasks of its
	 * last config_sets operators, in a ring */
	struct idlist *cfg;
	uint32_t cfg_sets, *cfg_slot;
	int setup_pending;              /* the group's set-up is not issued yet */
	uint32_t setup_core, setup_layer, setup_lane, setup_ops;
	struct idlist setup_deps;       /* the tasks of the group config_sets back */
};

/* DDR address map (docs/memory.md "Address map"): the weight section from 0,
 * then every copy's activations, then the constants, then one tasklist
 * region per core.  These are the compiler's layout choices, not hardware:
 * regions start on 1 MiB, tensors and constant blocks on 4 KiB. */
#define AX_DDR_ALIGN (1ull << 20)
#define AX_DDR_PAGE 4096ull

/* "file:line:col: " (or "origin: ") of a compilation key given, else deflt. */
static const char *cc_where(const struct ax_ccfg *c, enum ax_ccfg_id id, const char *deflt, char *buf, size_t n)
{
	const struct ax_ccfg_origin *o = &c->origin[id];
	if (o->file && o->line > 0)
		snprintf(buf, n, "%s:%d:%d: ", o->file, o->line, o->col);
	else if (o->file)
		snprintf(buf, n, "%s: ", o->file);
	else
		snprintf(buf, n, "%s", deflt);
	return buf;
}

static uint64_t div_ceil(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* Output columns of one IMC bank (docs/imc.md "Weight slots"). */
static uint32_t bank_cols(const struct ax_arch *a)
{
	return (uint32_t)(a->imc_cols / a->imc_banks);
}

/* Slots the tiles of map take in all, each replicated icr times. */
static uint32_t map_slots(const struct ax_imc_map *m, const struct ax_arch *a, uint32_t icr)
{
	uint32_t n = 0;
	for (uint32_t t = 0; t < m->tiles; t++) {
		uint32_t r, c;
		ax_imc_tile_dims(m, a, t, &r, &c);
		n += (uint32_t)div_ceil((uint64_t)c * icr, bank_cols(a));
	}
	return n;
}

/* Slots a layer's tiles take in all. */
static uint32_t layer_slots(const struct lstate *s, uint32_t li)
{
	return map_slots(&s->li[li].map, s->a, s->li[li].icr);
}

/* docs/timing-model.md "Network inputs": the compiler moves the padding and
 * layout transform of a network input to the host
 * (remove_io_padding_and_layout_transform), so the device receives it with
 * its channels padded to imc.pword and, when a single IMC convolution reads
 * it, with that convolution's padding in memory and every row as wide as a
 * whole number of its passes (r replicas of stride s advance r s columns):
 * YOLOv5s's 640x640x3 arrives as 644x656x4. */
static void device_inputs(struct lstate *s)
{
	const struct ax_net *net = s->net;
	for (uint32_t i = 0; i < net->n_layers; i++) {
		const struct ax_layer *l = &net->layers[i];
		if (l->op != AX_OP_INPUT)
			continue;
		uint32_t readers = 0, r = 0;
		for (uint32_t j = i + 1; j < net->n_layers; j++)
			for (uint32_t k = 0; k < net->layers[j].n_in; k++)
				if (net->layers[j].in[k] == i) {
					readers++;
					r = j;
				}
		uint64_t c = div_ceil(l->out.c, s->a->imc_pword) * s->a->imc_pword;
		uint64_t h = l->out.h, w = l->out.w;
		s->li[i].dev_pt = 0;
		const struct ax_layer *rl = &net->layers[r];
		if (readers == 1 && s->li[r].imc && rl->op == AX_OP_CONV) {
			uint64_t step = (uint64_t)s->li[r].icr * rl->sw;
			h += rl->pad_t + rl->pad_b;
			w = div_ceil(w + rl->pad_l + rl->pad_r, step) * step;
			s->li[i].dev_pt = rl->pad_t;
		}
		s->li[i].dev_h = (uint32_t)h;
		s->li[i].dev_row = w * c;
	}
}

/* ---- fused groups (docs/tiling.md "Forming cones") ---- */

/* A concat or slice along the pixels, or a relayout: its output rows are not
 * its inputs' rows. */
static int pixel_axis(const struct ax_layer *l)
{
	return ((l->op == AX_OP_CONCAT || l->op == AX_OP_SLICE) && l->axis == AX_AXIS_PIXELS) ||
	       l->op == AX_OP_RELAYOUT;
}

/* A layer can sit inside a cone when its output rows depend on a bounded
 * window of input rows; dense and global pooling need the whole input. */
static int fusable(const struct lstate *s, uint32_t i)
{
	const struct ax_layer *l = &s->net->layers[i];
	if (l->op == AX_OP_INPUT || l->op == AX_OP_DENSE || l->op == AX_OP_GLOBALPOOL ||
	    l->op == AX_OP_MATMUL || l->op == AX_OP_CONST || l->op == AX_OP_EMBED || pixel_axis(l))
		return 0;  /* (a dyn_matmul needs the whole of its second operand) */
	if (l->out.h < 2)
		return 0;
	return 1;
}

/* Per layer: how many input slots of later layers read its output (heap). */
static uint32_t *readers_of(const struct ax_net *net)
{
	uint32_t n = (uint32_t)net->n_layers;
	uint32_t *readers = ax_xcalloc(n ? n : 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < net->layers[i].n_in; k++)
			readers[net->layers[i].in[k]]++;
	return readers;
}

/* Makes element-wise layer i the epilogue of its last input p when p is an
 * IMC layer alone in its group, read by nothing else and not an output, and
 * i is alone in its group too. */
static void bind_epilogue(struct lstate *s, uint32_t i, uint32_t p, const uint32_t *readers)
{
	if (!s->li[p].imc || readers[p] != 1 || s->net->layers[p].is_output ||
	    s->li[p].epi_of >= 0 || s->li[p].epi >= 0 ||
	    s->gfirst[s->li[p].group] != s->glast[s->li[p].group] ||
	    s->gfirst[s->li[i].group] != s->glast[s->li[i].group])
		return;
	s->li[p].epi = (int32_t)i;
	s->li[i].epi_of = (int32_t)p;
}

/* docs/imc.md "DPU epilogue": an element-wise add or mul whose later input
 * is an IMC layer alone on its group, read by nothing else, is applied by
 * that layer's DPU as the results stream out (the other input is fetched
 * beside them), so the IMC layer's output is never stored (and
 * docs/timing-model.md "Concatenation": a concat whose last input is such an IMC layer is applied the same way,
 * its other inputs padded, shifted and added as the results stream out;
 * not when a cooperative copy splits the IMC layer by channels). */
static void find_epilogues(struct lstate *s)
{
	const struct ax_net *net = s->net;
	uint32_t n = (uint32_t)net->n_layers;
	uint32_t *readers = readers_of(net);
	for (uint32_t i = 0; i < n; i++) {
		const struct ax_layer *l = &net->layers[i];
		if (l->op == AX_OP_CONCAT && l->axis == AX_AXIS_PIXELS)
			continue;  /* a copy of pixels, not a shift and add of channels */
		if (l->op == AX_OP_CONCAT && s->split == 1) {
			/* its last input, there once (readers[] counts it once) */
			uint32_t p = 0;
			for (uint32_t k = 0; k < l->n_in; k++)
				if (l->in[k] > p)
					p = l->in[k];
			bind_epilogue(s, i, p, readers);
			continue;
		}
		if ((l->op != AX_OP_ADD && l->op != AX_OP_MUL) || l->n_in != 2 || l->in[0] == l->in[1])
			continue;
		uint32_t p = l->in[0] > l->in[1] ? l->in[0] : l->in[1];
		uint32_t q = l->in[0] > l->in[1] ? l->in[1] : l->in[0];
		/* both inputs full-size: a broadcast operand (the
		 * squeeze-excitation scale) is no stream to apply on */
		if (ax_shape_bytes(net->layers[q].out) == ax_shape_bytes(l->out) &&
		    ax_shape_bytes(net->layers[p].out) == ax_shape_bytes(l->out))
			bind_epilogue(s, i, p, readers);
	}
	free(readers);
}

/* Whether convolution q can take its columns into convolution p's operator:
 * both read the same one input with the same strides, dilations and output
 * size, apply the same activation, and q's kernel window lies inside p's on
 * the same grid (so p's unrolled window already holds q's rows). */
static int mergeable(const struct lstate *s, uint32_t p, uint32_t q, const uint32_t *readers)
{
	const struct ax_layer *lp = &s->net->layers[p], *lq = &s->net->layers[q];
	const struct layer_info *iq = &s->li[q];
	if (!iq->imc || lq->op != AX_OP_CONV || lq->runtime || lq->is_output || readers[q] != 1 ||
	    iq->epi >= 0 || iq->epi_of >= 0 || iq->merged_into >= 0 || iq->map.expanded != 1 ||
	    s->gfirst[iq->group] != s->glast[iq->group])
		return 0;
	if (lq->n_in != 1 || lq->in[0] != lp->in[0] || lq->sh != lp->sh || lq->sw != lp->sw ||
	    lq->dh != lp->dh || lq->dw != lp->dw || lq->out.h != lp->out.h || lq->out.w != lp->out.w ||
	    lq->act != lp->act || lq->act_alpha_milli != lp->act_alpha_milli ||
	    lq->kh > lp->kh || lq->kw > lp->kw || lq->pad_t > lp->pad_t || lq->pad_l > lp->pad_l ||
	    !lp->dh || !lp->dw)
		return 0;
	/* q's first tap row (and column) is p's tap j: pad_p - pad_q = j x dilation */
	uint32_t dt = lp->pad_t - lq->pad_t, dl = lp->pad_l - lq->pad_l;
	return dt % lp->dh == 0 && dl % lp->dw == 0 && dt / lp->dh + lq->kh <= lp->kh &&
	       dl / lp->dw + lq->kw <= lp->kw;
}

/* docs/timing-model.md "Concatenation": the compiler's pad + shift + add of
 * a concat whose inputs are convolutions of one tensor is linear in that
 * tensor, so it folds into one convolution: the siblings' kernels zero-padded
 * to the last one's window and their columns placed beside its own.  The
 * concat is then that convolution's epilogue with nothing to add, and the
 * siblings are no operators of their own.  Not under a cooperative split by
 * channels (the concat is no epilogue there). */
static void merge_siblings(struct lstate *s)
{
	const struct ax_net *net = s->net;
	uint32_t n = (uint32_t)net->n_layers;
	uint32_t *readers = readers_of(net);
	for (uint32_t e = 0; e < n; e++) {
		const struct ax_layer *l = &net->layers[e];
		int32_t p = s->li[e].epi_of;
		if (l->op != AX_OP_CONCAT || l->axis != AX_AXIS_CHANNELS || p < 0 ||
		    net->layers[p].op != AX_OP_CONV || net->layers[p].n_in != 1 ||
		    net->layers[p].runtime || s->li[p].map.expanded != 1)
			continue;
		struct layer_info *ip = &s->li[p];
		for (uint32_t k = 0; k < l->n_in; k++) {
			uint32_t q = l->in[k];
			if (q == (uint32_t)p || !mergeable(s, (uint32_t)p, q, readers))
				continue;
			s->li[q].merged_into = p;
			ip->merged_cout += net->layers[q].cout;
			ip->merged_macs += ax_layer_macs(net, &net->layers[q]);
		}
		if (!ip->merged_cout)
			continue;
		ip->map.cols += ip->merged_cout;
		ip->map.col_tiles = (uint32_t)div_ceil(ip->map.cols, s->a->imc_cols);
		ip->map.tiles = ip->map.row_tiles * ip->map.col_tiles;
		ip->icr = ax_icr_factor_map(net, &net->layers[p], s->a, &ip->map,
					    (int)s->c->v[AX_CC_IN_CORE_REPLICATION], &ip->window_rows);
	}
	free(readers);
}

/* Output channels an IMC layer's operator computes: its own and those of
 * the siblings merged into it. */
static uint32_t op_cout(const struct lstate *s, uint32_t li)
{
	return s->net->layers[li].cout + s->li[li].merged_cout;
}

static void form_groups(struct lstate *s, uint32_t depth)
{
	const struct ax_net *net = s->net;
	uint32_t n = (uint32_t)net->n_layers;
	s->gfirst = ax_xcalloc(n, sizeof(uint32_t));
	s->glast = ax_xcalloc(n, sizeof(uint32_t));
	uint32_t g = 0, i = 0;
	while (i < n) {
		uint32_t first = i, slots = s->li[i].imc ? layer_slots(s, i) : 0;
		uint32_t tiles = s->li[i].imc ? s->li[i].map.tiles : 0;
		uint32_t half = (uint32_t)(s->a->imc_weight_sets * s->a->imc_banks / 2);
		uint32_t j = i + 1;
		/* grow the cone while it stays within tiling_depth, every member
		 * reads the member before it, and all members' weights fit half of
		 * the weight slots together (written once per cone, while the other
		 * half takes the next cone's weights) */
		if (depth > 1 && fusable(s, i) && slots <= half && tiles <= MAX_GROUP) {
			while (j < n && j - first < depth && fusable(s, j)) {
				const struct ax_layer *l = &net->layers[j];
				int reads_prev = 0;
				for (uint32_t k = 0; k < l->n_in; k++)
					reads_prev |= l->in[k] == j - 1;
				uint32_t sl = s->li[j].imc ? layer_slots(s, j) : 0;
				if (!reads_prev || slots + sl > half ||
				    (s->li[j].imc && s->li[j].map.tiles > MAX_GROUP))
					break;
				slots += sl;
				j++;
			}
		}
		s->gfirst[g] = first;
		s->glast[g] = j - 1;
		for (uint32_t k = first; k < j; k++)
			s->li[k].group = g;
		g++;
		i = j;
	}
	s->n_groups = g;
}

/* A tensor that only its own cone reads lives as row tiles in L1. */
static int internal_tensor(const struct lstate *s, uint32_t i, const uint32_t *last_use)
{
	const struct ax_layer *l = &s->net->layers[i];
	uint32_t g = s->li[i].group;
	if (s->li[i].epi >= 0 || s->li[i].merged_into >= 0)
		return 1;  /* consumed on the fly by its DPU epilogue, or never produced alone */
	if (l->is_output || s->gfirst[g] == s->glast[g] || i == s->glast[g])
		return 0;
	return last_use[i] <= s->glast[g];
}

/* ---- placement (docs/timing-model.md "Placement") ---- */

struct pitem {
	uint32_t idx, readers, life;    /* life: layers from producer to last reader */
	uint32_t top;                   /* enum ax_pool: the highest memory it may take */
};

/* Most readers per layer of lifetime first: a tensor read often and soon
 * saves the most traffic for the capacity it holds.  Ties: larger first,
 * then network order (deterministic). */
static int pitem_cmp(const void *x, const void *y)
{
	const struct pitem *a = x, *b = y;
	uint64_t l = (uint64_t)a->readers * b->life, r = (uint64_t)b->readers * a->life;
	if (l != r)
		return l > r ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Does b more bytes fit in use[from..to] under budget? */
static int fits(const uint64_t *use, uint32_t from, uint32_t to, uint64_t b, uint64_t budget)
{
	for (uint32_t t = from; t <= to; t++)
		if (use[t] + b > budget)
			return 0;
	return 1;
}

static void take(uint64_t *use, uint32_t from, uint32_t to, uint64_t b)
{
	for (uint32_t t = from; t <= to; t++)
		use[t] += b;
}

/*
 * Places every tensor over its lifetime [producer, last reader]: fused ones
 * as L1 row tiles; inputs and outputs in DDR (io_pool ddr, the default); the
 * others in priority order into the highest memory their pool allows
 * (workspace_pool, or io_pool for inputs and outputs): L1 (when allowed) if
 * it has room over the whole lifetime, else L2, else DDR.  peak[] gets each
 * memory's highest occupancy.
 */
/* Least room left in use[from..to] under budget. */
static uint64_t room(const uint64_t *use, uint32_t from, uint32_t to, uint64_t budget)
{
	uint64_t r = budget;
	for (uint32_t t = from; t <= to; t++) {
		uint64_t left = use[t] >= budget ? 0 : budget - use[t];
		if (left < r)
			r = left;
	}
	return r;
}

static void place(const struct lstate *s, const uint32_t *last_use, uint64_t l1_budget,
		  uint64_t l2_budget, int l1_allowed, struct ax_placement *out,
		  uint64_t peak[AX_MEM_COUNT], uint64_t *spilled)
{
	uint64_t page = s->c->v[AX_CC_PAGE_MEMORY] ? s->a->l2_page_bytes : 0;
	*spilled = 0;
	const struct ax_net *net = s->net;
	uint32_t n = (uint32_t)net->n_layers;
	uint64_t *use[AX_MEM_COUNT];
	for (int m = 0; m < AX_MEM_COUNT; m++)
		use[m] = ax_xcalloc(n ? n : 1, sizeof(uint64_t));
	uint32_t *readers = readers_of(net);
	struct pitem *items = ax_xcalloc(n ? n : 1, sizeof(*items));
	uint32_t ni = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct ax_layer *l = &net->layers[i];
		uint64_t b = l->op == AX_OP_INPUT ? (uint64_t)s->li[i].dev_h * s->li[i].dev_row
						  : ax_shape_bytes(l->out);
		out[i].bytes = b;
		out[i].fused = 0;
		out[i].l2_bytes = 0;
		out[i].ddr_addr = 0;
		if (internal_tensor(s, i, last_use)) {
			out[i].home = AX_MEM_L1;
			out[i].fused = 1;
		} else if ((l->op == AX_OP_INPUT || l->is_output) && s->io_pool == AX_POOL_DDR) {
			/* the host writes inputs and reads outputs in DDR */
			out[i].home = AX_MEM_DDR;
			take(use[AX_MEM_DDR], i, last_use[i], b);
		} else {
			items[ni].top = l->op == AX_OP_INPUT || l->is_output ? s->io_pool : s->ws_pool;
			items[ni].idx = i;
			items[ni].readers = readers[i] ? readers[i] : 1;
			items[ni].life = last_use[i] - i + 1;
			ni++;
		}
	}
	qsort(items, ni, sizeof(*items), pitem_cmp);
	for (uint32_t q = 0; q < ni; q++) {
		uint32_t i = items[q].idx, to = last_use[i];
		uint64_t b = out[i].bytes;
		uint32_t top = items[q].top;
		if (top == AX_POOL_DDR) {
			/* its pool is DDR: no spill, where it was asked to be */
			out[i].home = AX_MEM_DDR;
			take(use[AX_MEM_DDR], i, to, b);
		} else if (top == AX_POOL_L1 && l1_allowed && fits(use[AX_MEM_L1], i, to, b, l1_budget)) {
			out[i].home = AX_MEM_L1;
			take(use[AX_MEM_L1], i, to, b);
		} else if (fits(use[AX_MEM_L2], i, to, b, l2_budget)) {
			out[i].home = AX_MEM_L2;
			out[i].l2_bytes = b;
			take(use[AX_MEM_L2], i, to, b);
		} else {
			/* docs/memory.md "Paging": with page_memory the pages that
			 * fit stay in L2 and only the rest spills; without it the
			 * whole buffer goes to DDR */
			uint64_t in_l2 = page ? room(use[AX_MEM_L2], i, to, l2_budget) / page * page : 0;
			out[i].home = in_l2 ? AX_MEM_L2 : AX_MEM_DDR;
			out[i].l2_bytes = in_l2;
			take(use[AX_MEM_L2], i, to, in_l2);
			take(use[AX_MEM_DDR], i, to, b - in_l2);
			*spilled += b - in_l2;
		}
	}
	for (int m = 0; m < AX_MEM_COUNT; m++) {
		peak[m] = 0;
		for (uint32_t t = 0; t < n; t++)
			if (use[m][t] > peak[m])
				peak[m] = use[m][t];
		free(use[m]);
	}
	free(readers);
	free(items);
}

/* ---- task helpers ---- */

static uint32_t add_task_gated(struct lstate *s, struct ax_task *t, const struct idlist *deps,
			       const struct idlist *gate, uint32_t epoch);

static void setup_now(struct lstate *s, uint32_t core);

/* Weights, their constants and their writes into the array are prefetched
 * by descriptors of their own ahead of the operator's set-up (docs/
 * timing-model.md "Operator set-up"). */
static int prefetch_task(const struct ax_task *t)
{
	/* (a dyn_matmul's run-time weights are activations: written as part
	 * of its operator, after its set-up) */
	return (t->kind == AX_T_IMC_LOAD && t->data == AX_KIND_WEIGHTS) ||
	       (t->kind == AX_T_DMA && (t->data == AX_KIND_WEIGHTS || t->data == AX_KIND_CONST));
}

static uint32_t add_task(struct lstate *s, struct ax_task *t, const struct idlist *deps)
{
	int pre = s->cfg && prefetch_task(t);
	if (s->cfg && s->setup_pending && t->core == s->setup_core && !pre)
		setup_now(s, t->core);
	uint32_t id = pre ? add_task_gated(s, t, deps, &s->pgate, s->pepoch)
			  : add_task_gated(s, t, deps, &s->gate, s->epoch);
	if (s->cfg)
		id_push(&s->cfg[(size_t)t->core * s->cfg_sets + s->cfg_slot[t->core]], id);
	return id;
}

/* Adds t with deps, and gate unless a dependency is already under it (under
 * epoch, or under the group's set-up, which carries every gate); marks t as
 * under epoch. */
static uint32_t add_task_gated(struct lstate *s, struct ax_task *t, const struct idlist *deps,
			       const struct idlist *gate, uint32_t epoch)
{
	t->infer = s->infer;
	int under = 0;
	for (size_t i = 0; deps && i < deps->n && !under; i++) {
		uint32_t e = s->task_epoch[deps->v[i]];
		under = e == epoch || e == s->epoch;
	}
	uint32_t id;
	if (!gate->n || under) {
		id = ax_tasklist_add(s->tl, t, deps ? deps->v : NULL, deps ? (uint32_t)deps->n : 0);
	} else {
		struct idlist all = { 0 };
		if (deps)
			id_append(&all, deps);
		id_append(&all, gate);
		id = ax_tasklist_add(s->tl, t, all.v, (uint32_t)all.n);
		free(all.v);
	}
	AX_GROW(s->task_epoch, s->epoch_cap, (size_t)id + 1);
	s->task_epoch[id] = epoch;
	return id;
}

static uint32_t add_dma_at(struct lstate *s, uint32_t core, uint32_t layer, uint32_t copy,
			   enum ax_mem src, uint64_t src_addr, enum ax_mem dst, uint64_t dst_addr,
			   enum ax_kind kind, uint64_t bytes, const struct idlist *deps)
{
	struct ax_task t = { 0 };
	t.src_addr = src_addr;
	t.dst_addr = dst_addr;
	t.kind = AX_T_DMA;
	/* DDR <-> L2 goes through the system DMA; anything touching L1 through the core's DMA */
	t.unit = (src == AX_MEM_L1 || dst == AX_MEM_L1) ? AX_U_DMA_CORE : AX_U_DMA_SYS;
	t.core = core;
	t.layer = layer;
	t.copy = copy;
	t.src = src;
	t.dst = dst;
	t.data = kind;
	t.bytes = bytes;
	return add_task(s, &t, deps);
}

static uint32_t add_dma(struct lstate *s, uint32_t core, uint32_t layer, uint32_t copy,
			enum ax_mem src, enum ax_mem dst, enum ax_kind kind, uint64_t bytes,
			const struct idlist *deps)
{
	return add_dma_at(s, core, layer, copy, src, 0, dst, 0, kind, bytes, deps);
}

/* DMA of bytes [a, b) of tensor p between its home and L1 (to_l1: a fetch,
 * else a store).  A tensor paged between L2 and DDR (docs/memory.md
 * "Paging") moves its L2 part and its DDR part separately; every task made
 * is pushed to out. */
static void tensor_dma(struct lstate *s, uint32_t core, uint32_t li, uint32_t copy, uint32_t p,
		       uint64_t a, uint64_t b, int to_l1, const struct idlist *deps, struct idlist *out)
{
	const struct ax_placement *pl = &s->tl->tensors[p];
	uint64_t l2end = pl->home == AX_MEM_L2 ? pl->l2_bytes : 0;
	if (a < l2end) {
		uint64_t e = b < l2end ? b : l2end;
		uint32_t id = to_l1 ? add_dma_at(s, core, li, copy, AX_MEM_L2, a, AX_MEM_L1, 0, AX_KIND_ACT, e - a, deps)
				    : add_dma_at(s, core, li, copy, AX_MEM_L1, 0, AX_MEM_L2, a, AX_KIND_ACT, e - a, deps);
		id_push(out, id);
	}
	if (b > l2end) {
		uint64_t f = a > l2end ? a : l2end;
		uint64_t addr = pl->ddr_addr + copy * s->tl->ddr_copy_stride + (f - l2end);
		uint32_t id = to_l1 ? add_dma_at(s, core, li, copy, AX_MEM_DDR, addr, AX_MEM_L1, 0, AX_KIND_ACT, b - f, deps)
				    : add_dma_at(s, core, li, copy, AX_MEM_L1, 0, AX_MEM_DDR, addr, AX_KIND_ACT, b - f, deps);
		id_push(out, id);
	}
}

static struct ax_task compute_task(enum ax_task_kind k, uint32_t core, uint32_t layer, uint32_t copy)
{
	struct ax_task t = { 0 };
	t.kind = k;
	t.unit = k == AX_T_DPU ? AX_U_DPU : k == AX_T_DWPU ? AX_U_DWPU : AX_U_IMC;
	t.core = core;
	t.layer = layer;
	t.copy = copy;
	return t;
}

/* Input rows of producer tensor needed for output rows [r0, r1) of l. */
static void input_rows(const struct ax_layer *l, const struct ax_shape *in, uint32_t r0,
		       uint32_t r1, uint32_t *i0, uint32_t *i1)
{
	if (l->op == AX_OP_CONV || l->op == AX_OP_MAXPOOL || l->op == AX_OP_AVGPOOL) {
		int64_t lo = (int64_t)r0 * l->sh - l->pad_t;
		int64_t hi = (int64_t)(r1 - 1) * l->sh - l->pad_t + (int64_t)(l->kh - 1) * l->dh + 1;
		if (lo < 0)
			lo = 0;
		if (hi > in->h)
			hi = in->h;
		if (hi < lo)
			hi = lo;
		*i0 = (uint32_t)lo;
		*i1 = (uint32_t)hi;
	} else if (l->op == AX_OP_RESIZE) {
		*i0 = r0 / l->scale;
		*i1 = (uint32_t)div_ceil(r1, l->scale);
	} else if (l->op == AX_OP_DENSE || l->op == AX_OP_GLOBALPOOL || l->op == AX_OP_EMBED ||
		   pixel_axis(l) || in->h == 1) {
		*i0 = 0;
		*i1 = in->h;
	} else {
		*i0 = r0 < in->h ? r0 : in->h;
		*i1 = r1 < in->h ? r1 : in->h;
	}
}

/* Rows of input k of l needed for output rows [r0, r1): a dyn_matmul needs
 * the whole of its second operand B for any row of A (docs/timing-model.md
 * "Products of two activations"). */
static void operand_rows(const struct ax_layer *l, uint32_t k, const struct ax_shape *in, uint32_t r0,
			 uint32_t r1, uint32_t *i0, uint32_t *i1)
{
	if (l->op == AX_OP_MATMUL && k == 1) {
		*i0 = 0;
		*i1 = in->h;
		return;
	}
	input_rows(l, in, r0, r1, i0, i1);
}

/* Non-zero when input k of l repeats an earlier input (layer
 * normalisation's squaring mul reads x twice): it is fetched and streamed
 * once (docs/timing-model.md "Vector units"). */
static int repeated_input(const struct ax_layer *l, uint32_t k)
{
	for (uint32_t q = 0; q < k; q++)
		if (l->in[q] == l->in[k])
			return 1;
	return 0;
}

/* The tasks a consumer of rows [i0, i1) of tensor p waits for: the pieces
 * that produce those rows, or with the inter-operator barrier (docs/
 * timing-model.md "Operator barrier") every piece of p. */
static void producer_deps(const struct lstate *s, uint32_t p, uint32_t i0, uint32_t i1,
			  struct idlist *out)
{
	if (s->barrier)
		id_append(out, &s->done[p].ids);
	else
		span_deps(&s->done[p], i0, i1, out);
}

/* Brings the input rows a piece of work needs into L1 when they live
 * elsewhere; adds the resulting dependencies to deps.  Inputs produced inside
 * the same cone are skipped (the cone orders them itself).  kept[q], when
 * given, is the end of the rows of input q already in L1 from the previous
 * piece: overlapping halo rows are kept, not fetched again (docs/tiling.md
 * "Halo"). */
static void fetch_inputs(struct lstate *s, uint32_t core, uint32_t li, uint32_t copy,
			 uint32_t r0, uint32_t r1, uint32_t *kept, struct idlist *deps)
{
	const struct ax_layer *l = &s->net->layers[li];
	for (uint32_t k = 0; k < l->n_in; k++) {
		uint32_t p = l->in[k];
		if ((s->li[p].group == s->li[li].group && p != li) || repeated_input(l, k))
			continue;
		const struct ax_layer *pl = &s->net->layers[p];
		uint32_t i0, i1;
		operand_rows(l, k, &pl->out, r0, r1, &i0, &i1);
		struct idlist pd = { 0 };
		producer_deps(s, p, i0, i1 > i0 ? i1 : i0 + 1, &pd);
		if (s->tl->tensors[p].home == AX_MEM_L1) {
			id_append(deps, &pd);
			free(pd.v);
			continue;
		}
		if (kept) {
			if (kept[k] > i0)
				i0 = kept[k] < i1 ? kept[k] : i1;
			if (i1 > kept[k])
				kept[k] = i1;
		}
		uint64_t row = (uint64_t)pl->out.w * pl->out.c;
		if (pl->op == AX_OP_INPUT) {
			/* the device's padded layout: the pad rows are in memory */
			row = s->li[p].dev_row;
			i0 = i0 == 0 ? 0 : i0 + s->li[p].dev_pt;
			i1 = i1 >= pl->out.h ? s->li[p].dev_h : i1 + s->li[p].dev_pt;
		}
		if (i1 <= i0)
			id_append(deps, &pd);
		else
			tensor_dma(s, core, li, copy, p, i0 * row, i1 * row, 1, &pd, deps);
		free(pd.v);
	}
}

/* After a piece's compute task, write its rows [r0, r1) and channels
 * [c0, c1) to the tensor's home.  A channel slice is a 2-D strided transfer
 * (one run of (c1 - c0) bytes per pixel): to DDR it goes as its real runs;
 * to L2, or paged over L2 and DDR, as one block of its size at its own
 * offset within the rows (docs/memory.md "DMA"). */
static uint32_t store_output(struct lstate *s, uint32_t core, uint32_t li, uint32_t copy,
			     uint32_t r0, uint32_t r1, uint32_t c0, uint32_t c1, uint32_t compute)
{
	const struct ax_layer *l = &s->net->layers[li];
	enum ax_mem home = s->tl->tensors[li].home;
	if (home == AX_MEM_L1 || r1 <= r0)
		return compute;
	struct idlist d = { 0 }, made = { 0 };
	id_push(&d, compute);
	uint64_t row = (uint64_t)l->out.w * l->out.c;
	uint64_t from = r0 * row + (uint64_t)c0 * (r1 - r0) * l->out.w;
	uint64_t bytes = (uint64_t)(r1 - r0) * l->out.w * (c1 - c0);
	tensor_dma(s, core, li, copy, li, from, from + bytes, 0, &d, &made);
	if (home == AX_MEM_DDR && c1 - c0 < l->out.c && made.n == 1) {
		struct ax_task *t = &s->tl->tasks[made.v[0]];
		t->dst_addr = s->tl->tensors[li].ddr_addr + copy * s->tl->ddr_copy_stride + r0 * row + c0;
		t->run_bytes = c1 - c0;
		t->run_stride = l->out.c;
	}
	uint32_t id = compute;
	if (made.n == 1) {
		id = made.v[0];
	} else if (made.n > 1) {
		/* both parts must land before readers go on: a zero-byte DMA
		 * joins them (it costs its setup, as a descriptor would) */
		id = add_dma(s, core, li, copy, AX_MEM_L1, AX_MEM_L1, AX_KIND_ACT, 0, &made);
	}
	free(d.v);
	free(made.v);
	return id;
}

/* Rows [*s0, *s1) of strip si of ns over rows [r0, r0 + rows). */
static void strip_rows(uint32_t r0, uint32_t rows, uint32_t si, uint32_t ns, uint32_t *s0, uint32_t *s1)
{
	*s0 = r0 + (uint32_t)((uint64_t)rows * si / ns);
	*s1 = r0 + (uint32_t)((uint64_t)rows * (si + 1) / ns);
}

static uint32_t strips_for(uint32_t rows, uint64_t bytes)
{
	uint64_t n = div_ceil(bytes, AX_STRIP_BYTES);
	if (n > AX_MAX_STRIPS)
		n = AX_MAX_STRIPS;
	if (n > rows)
		n = rows;
	return n ? (uint32_t)n : 1;
}

/* Per-channel requantisation constants (hybrid quantisation only). */
static void fetch_consts(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy, uint32_t chans,
			 struct idlist *deps)
{
	if (s->c->v[AX_CC_PTQ_SCHEME] != AX_PTQ_HYBRID_PER_TENSOR_PER_CHANNEL || s->const_resident)
		return;
	uint64_t cb = (uint64_t)chans * s->a->dpu_const_bytes_per_channel;
	id_push(deps, add_dma_at(s, core, li, copy, s->const_home, s->const_base + li * s->const_stride,
				 AX_MEM_L1, 0, AX_KIND_CONST, cb, NULL));
}

/* DMA of bytes [addr, addr + bytes) of the weight section into L1: the part
 * below weight_l2_bytes is resident in L2, the rest streams from this copy's
 * weight section in DDR (docs/memory.md "Weights").  Returns the task that
 * completes it. */
static uint32_t weight_dma(struct lstate *s, uint32_t core, uint32_t li, uint32_t copy,
			   uint64_t addr, uint64_t bytes, const struct idlist *deps)
{
	uint64_t cut = s->tl->weight_l2_bytes;
	struct idlist made = { 0 };
	if (addr < cut || !bytes) {
		uint64_t e = addr + bytes < cut ? addr + bytes : cut;
		if (!bytes)
			e = addr;
		id_push(&made, add_dma_at(s, core, li, copy, AX_MEM_L2, addr, AX_MEM_L1, 0,
					  AX_KIND_WEIGHTS, e - addr, deps));
	}
	if (addr + bytes > cut) {
		uint64_t f = addr > cut ? addr : cut;
		id_push(&made, add_dma_at(s, core, li, copy, AX_MEM_DDR, f + (copy / s->per_inst) * s->tl->ddr_weight_stride,
					  AX_MEM_L1, 0, AX_KIND_WEIGHTS, addr + bytes - f, deps));
	}
	uint32_t id = made.v[0];
	if (made.n > 1)
		id = add_dma(s, core, li, copy, AX_MEM_L1, AX_MEM_L1, AX_KIND_WEIGHTS, 0, &made);
	free(made.v);
	return id;
}

/* The next of the two L1 weight-staging buffers; a transfer into it waits
 * (dependency pushed to d) until the IMC write that drained it ended. */
static uint32_t stage_claim(struct lstate *s, uint32_t core, struct idlist *d)
{
	struct core_state *cs = &s->cs[core];
	uint32_t stage = (uint32_t)(cs->stages++ % 2);
	if (cs->stage_used[stage])
		id_push(d, cs->stage_last[stage]);
	return stage;
}

/* Writes write_bytes from L1 into the next free weight slots (cols columns
 * need ceil(cols / bank width) slots), after the tasks in d and the last
 * pass on each slot; kind says whether the bytes are weights or a
 * dyn_matmul's run-time operand (an activation).  stage (or -1) is the
 * staging buffer it drains.  Returns the load task and the slots it filled
 * (docs/imc.md "Weight slots"). */
static uint32_t write_slots(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy, int stage,
			    struct idlist *d, uint64_t write_bytes, uint32_t cols, enum ax_kind kind,
			    struct slot_span *span)
{
	struct core_state *cs = &s->cs[core];
	span->count = (uint32_t)div_ceil(cols, bank_cols(s->a));
	span->first = (uint32_t)(cs->next_slot % cs->n_slots);
	cs->next_slot += span->count;
	for (uint32_t q = 0; q < span->count; q++) {
		uint32_t sl = (span->first + q) % cs->n_slots;
		if (cs->slot_used[sl])
			id_push(d, cs->slot_last[sl]);
	}
	struct ax_task lt = compute_task(AX_T_IMC_LOAD, core, li, copy);
	lt.bytes = write_bytes;
	lt.l1_read = write_bytes;
	lt.data = kind;
	lt.cycles = ax_imc_load_cycles(s->a, write_bytes);
	uint32_t load = add_task(s, &lt, d);
	if (stage >= 0) {
		cs->stage_used[stage] = 1;
		cs->stage_last[stage] = load;
	}
	return load;
}

/* Stages one tile's weights in L1 and writes them into the next free weight
 * slots; returns the load task and the slots it filled (docs/imc.md
 * "Weight slots"). */
static uint32_t load_tile(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
			  uint64_t dma_bytes, uint64_t write_bytes, uint32_t cols,
			  uint64_t src_addr, struct slot_span *span)
{
	struct idlist d = { 0 };
	uint32_t stage = stage_claim(s, core, &d);
	uint32_t wdma = weight_dma(s, core, li, copy, src_addr, dma_bytes, &d);
	d.n = 0;
	id_push(&d, wdma);
	uint32_t load = write_slots(s, li, core, copy, (int)stage, &d, write_bytes, cols, AX_KIND_WEIGHTS, span);
	free(d.v);
	return load;
}

static void release_slots(struct lstate *s, uint32_t core, const struct slot_span *span, uint32_t mvm)
{
	struct core_state *cs = &s->cs[core];
	for (uint32_t q = 0; q < span->count; q++) {
		uint32_t sl = (span->first + q) % cs->n_slots;
		cs->slot_used[sl] = 1;
		cs->slot_last[sl] = mvm;
	}
}

/* Bytes written into the array for tile t of layer li: the grown window
 * rows by r copies of the columns (docs/imc.md "In-core replication"). */
static void tile_bytes(const struct lstate *s, uint32_t li, const struct ax_imc_map *m, uint32_t t,
		       uint32_t *rows, uint32_t *cols, uint64_t *write)
{
	const struct layer_info *inf = &s->li[li];
	ax_imc_tile_dims(m, s->a, t, rows, cols);
	if (inf->icr > 1) {
		*write = (uint64_t)inf->window_rows * inf->icr * *cols;
	} else {
		*write = (uint64_t)*rows * *cols;
	}
}

/* The layer's own MACs in `mapped` multiply-accumulates of its IMC matrix:
 * padded input channels (imc.pword, imc.position_align) and the zeros of an expanded grouped
 * convolution do no useful work. */
static uint64_t imc_useful_macs(const struct lstate *s, uint32_t li, uint64_t mapped)
{
	__extension__ typedef unsigned __int128 u128;
	const struct ax_layer *l = &s->net->layers[li];
	const struct ax_imc_map *m = &s->li[li].map;
	u128 per_px = (u128)m->rows * m->cols * l->out.h * l->out.w;
	if (!per_px)
		return 0;
	return (uint64_t)((u128)mapped * (ax_layer_macs(s->net, l) + s->li[li].merged_macs) / per_px);
}

/* DPU cycles of requantising e results of layer li and applying its
 * activation (docs/timing-model.md "Vector units"). */
static uint64_t requant_cycles(const struct lstate *s, uint32_t li, uint64_t e)
{
	return ax_dpu_cycles(s->a, e) + ax_dpu_act_cycles(s->a, s->net->layers[li].act, e);
}

/* ---- a layer alone: weight-set groups outer, strips inner (docs/imc.md) ---- */

/* A group of tiles written and computed together (docs/imc.md
 * "Weight-slot groups"): the loads that write them, the slots they fill,
 * and the figures of one pass through them all. */
struct tile_group {
	struct idlist loads;
	struct slot_span spans[MAX_GROUP];
	uint64_t rows;       /* input-vector bytes read from L1 */
	uint64_t macs;       /* multiply-accumulates of the mapped matrix */
	uint64_t cycles;     /* beyond the start latency */
	uint64_t cells;      /* docs/energy.md "Gating" */
	uint64_t part_w, part_r; /* partial-sum bytes leaving and re-entering the accumulators */
};

/* Adds tile t of map m (tiles [g0, g1) form the group) with rows input
 * rows, cols columns in the array (replicas included), tc columns of its
 * own and macs multiply-accumulates per pass. */
static void group_add_tile(struct tile_group *tg, const struct ax_arch *a, const struct ax_imc_map *m,
			   uint32_t t, uint32_t g0, uint32_t g1, uint64_t rows, uint64_t cols,
			   uint32_t tc, uint64_t macs)
{
	tg->rows += rows;
	tg->macs += macs;
	tg->cells += ax_imc_gated_cells(a, rows, cols);
	tg->cycles += ax_mvm_cycles(a, 1, (uint32_t)cols) - a->unit_start_cycles;
	/* partial sums between groups go through L1 (imc.result_size each):
	 * tiles run row tile outer, column tile inner; a column's partial sums
	 * leave the accumulators when its next row tile is in a later group,
	 * and come back from L1 when its previous row tile was in an earlier
	 * one */
	uint32_t rt = t / m->col_tiles;
	if (rt + 1 < m->row_tiles && t + m->col_tiles >= g1)
		tg->part_w += (uint64_t)tc * a->imc_result_bytes;
	if (rt > 0 && t < g0 + m->col_tiles)
		tg->part_r += (uint64_t)tc * a->imc_result_bytes;
}

/* The slots of the group's n tiles are free again after its last pass;
 * releases the group. */
static void release_group(struct lstate *s, uint32_t core, struct tile_group *tg, uint32_t n,
			  uint32_t mvm)
{
	for (uint32_t t = 0; t < n; t++)
		release_slots(s, core, &tg->spans[t], mvm);
	free(tg->loads.v);
}

/* The passes of a strip of `pixels` output pixels (`passes` input vectors)
 * through the n tiles of group tg, after deps (freed); returns the task. */
static uint32_t group_mvm(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
			  const struct tile_group *tg, uint32_t n, uint64_t passes, uint64_t pixels,
			  uint64_t macs, struct idlist *deps)
{
	struct ax_task mt = compute_task(AX_T_MVM, core, li, copy);
	mt.passes = passes * n;
	mt.macs = macs;
	mt.imc_cells = passes * tg->cells;
	mt.cycles = s->a->unit_start_cycles + passes * tg->cycles;
	mt.l1_read = passes * tg->rows + pixels * tg->part_r;
	mt.l1_write = pixels * tg->part_w;
	uint32_t id = add_task(s, &mt, deps);
	free(deps->v);
	s->tl->plans[li].passes += mt.passes;
	return id;
}

/* Output rows [r0, r1) and output channels [c0, c1) of an IMC layer on one
 * core: a copy over several cores splits weight-heavy layers by channels and
 * the others by rows (docs/memory.md "Several cores"). */
static void lower_imc(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
		      uint32_t r0, uint32_t r1, uint32_t c0, uint32_t c1, struct spanlist *done)
{
	const struct ax_arch *a = s->a;
	const struct ax_layer *l = &s->net->layers[li];
	const struct layer_info *inf = &s->li[li];
	struct ax_imc_map local = inf->map;
	if (c1 - c0 < op_cout(s, li)) {   /* a channel slice: fewer columns */
		local.cols = c1 - c0;
		local.col_tiles = (uint32_t)div_ceil(local.cols, a->imc_cols);
		local.tiles = local.row_tiles * local.col_tiles;
	}
	const struct ax_imc_map *m = &local;
	uint32_t slots = map_slots(m, a, inf->icr);
	uint32_t rows = r1 - r0, chans = c1 - c0;
	uint32_t ns = strips_for(rows, (uint64_t)rows * l->out.w * chans);
	uint32_t gsize = ax_imc_group_size(m, a, slots);
	uint64_t cols_out = div_ceil(l->out.w, inf->icr); /* passes per output row */
	uint64_t bias_bytes = l->has_bias ? (uint64_t)AX_BIAS_BYTES * chans : 0;

	struct idlist cdeps = { 0 };
	fetch_consts(s, li, core, copy, chans, &cdeps);
	uint32_t *last_mvm = ax_xcalloc(ns, sizeof(uint32_t));
	/* address of the next tile in the weight section: a channel slice's
	 * columns start c0 columns of inf->map.rows weights in */
	uint64_t woff = (uint64_t)c0 * inf->map.rows;
	for (uint32_t g0 = 0; g0 < m->tiles; g0 += gsize) {
		uint32_t g1 = g0 + gsize < m->tiles ? g0 + gsize : m->tiles;
		struct tile_group tg = { 0 };
		for (uint32_t t = g0; t < g1; t++) {
			uint32_t tr, tc;
			uint64_t wb;
			tile_bytes(s, li, m, t, &tr, &tc, &wb);
			/* the DMA moves the tile as stored; replication happens
			 * as it is written into the array */
			uint64_t stored = (uint64_t)tr * tc + (t == 0 ? bias_bytes : 0);
			id_push(&tg.loads, load_tile(s, li, core, copy, stored, wb,
						     tc * inf->icr, s->woff[li] + woff, &tg.spans[t - g0]));
			woff += stored;
			s->tl->plans[li].weight_bytes += wb;
			group_add_tile(&tg, a, m, t, g0, g1, inf->icr > 1 ? inf->window_rows : tr,
				       (uint64_t)tc * inf->icr, tc, (uint64_t)tr * tc);
		}
		uint32_t kept[AX_MAX_INPUTS] = { 0 }; /* input rows streamed once per group */
		for (uint32_t si = 0; si < ns; si++) {
			uint32_t s0, s1;
			strip_rows(r0, rows, si, ns, &s0, &s1);
			uint64_t pixels = (uint64_t)(s1 - s0) * l->out.w;
			uint64_t passes = (uint64_t)(s1 - s0) * cols_out;
			struct idlist d = { 0 };
			id_append(&d, &tg.loads);
			fetch_inputs(s, core, li, copy, s0, s1, kept, &d);
			if (g0 > 0)
				id_push(&d, last_mvm[si]); /* partial sums of the previous group */
			last_mvm[si] = group_mvm(s, li, core, copy, &tg, g1 - g0, passes, pixels,
						 imc_useful_macs(s, li, pixels * tg.macs), &d);
		}
		release_group(s, core, &tg, g1 - g0, last_mvm[ns - 1]);
	}
	/* requantisation and activation on the DPU, strip by strip */
	for (uint32_t si = 0; si < ns; si++) {
		uint32_t s0, s1;
		strip_rows(r0, rows, si, ns, &s0, &s1);
		uint64_t elems = (uint64_t)(s1 - s0) * l->out.w * chans;
		struct idlist d = { 0 };
		id_push(&d, last_mvm[si]);
		id_append(&d, &cdeps);
		struct ax_task dt = compute_task(AX_T_DPU, core, li, copy);
		dt.cycles = requant_cycles(s, li, elems);
		dt.l1_write = elems;
		uint32_t out_layer = li;
		uint32_t st0 = c0, st1 = c1;  /* channels stored */
		if (inf->epi >= 0 && s->net->layers[inf->epi].op == AX_OP_CONCAT) {
			/* docs/timing-model.md "Concatenation": the other inputs'
			 * rows, padded, shifted and added as the results stream */
			uint32_t e = (uint32_t)inf->epi;
			const struct ax_layer *el = &s->net->layers[e];
			uint64_t oe = (uint64_t)(s1 - s0) * el->out.w * el->out.c, in_e = 0;
			uint32_t adds = 0;  /* inputs padded, shifted and added */
			for (uint32_t k = 0; k < el->n_in; k++) {
				uint32_t q = el->in[k];
				if (q == li || s->li[q].merged_into == (int32_t)li)
					continue;  /* computed by this layer's own columns */
				adds++;
				struct idlist qd = { 0 };
				producer_deps(s, q, s0, s1, &qd);
				uint64_t row = (uint64_t)el->out.w * s->net->layers[q].out.c;
				if (s->tl->tensors[q].home == AX_MEM_L1)
					id_append(&d, &qd);
				else
					tensor_dma(s, core, e, copy, q, s0 * row, s1 * row, 1, &qd, &d);
				in_e += (s1 - s0) * row;
				free(qd.v);
			}
			dt.layer = e;
			dt.cycles = requant_cycles(s, li, elems);
			dt.l1_write = elems;
			if (adds) {
				dt.cycles += ax_dpu_cycles(a, oe * (adds + 1)) + ax_dpu_act_cycles(a, el->act, oe);
				dt.l1_read = in_e + oe * adds;
				dt.l1_write = oe * (adds + 1);
			}
			out_layer = e;
			st0 = 0;
			st1 = el->out.c;
		} else if (inf->epi >= 0) {
			/* the epilogue's other input, the same rows and channels */
			uint32_t e = (uint32_t)inf->epi;
			const struct ax_layer *el = &s->net->layers[e];
			uint32_t q = el->in[0] == li ? el->in[1] : el->in[0];
			struct idlist qd = { 0 };
			producer_deps(s, q, s0, s1, &qd);
			if (s->tl->tensors[q].home == AX_MEM_L1) {
				id_append(&d, &qd);
			} else {
				uint64_t row = (uint64_t)el->out.w * el->out.c;
				uint64_t from = s0 * row + (uint64_t)c0 * (s1 - s0) * el->out.w;
				tensor_dma(s, core, e, copy, q, from, from + elems, 1, &qd, &d);
			}
			free(qd.v);
			dt.layer = e;
			/* requantise, then add (and the add's activation) */
			dt.cycles = requant_cycles(s, li, elems) + requant_cycles(s, e, elems);
			dt.l1_read = elems;
			out_layer = e;
		}
		uint32_t dpu = add_task(s, &dt, &d);
		free(d.v);
		span_push(done, store_output(s, core, out_layer, copy, s0, s1, st0, st1, dpu), s0, s1);
	}
	free(last_mvm);
	free(cdeps.v);
}

/* ---- products of two activations (docs/timing-model.md "Products of two activations") ---- */

/* Fetches pixels [px0, px1), channels [c0, c1) of tensor p into L1 after
 * deps, unless it lives there; the tasks are pushed to out (deps themselves
 * when nothing moves).  A channel slice from DDR goes as its real runs, from
 * L2 as one block of its size (docs/memory.md "DMA"), as store_output
 * writes them. */
static void slice_fetch(struct lstate *s, uint32_t core, uint32_t li, uint32_t copy, uint32_t p,
			uint64_t px0, uint64_t px1, uint32_t c0, uint32_t c1, const struct idlist *deps,
			struct idlist *out)
{
	const struct ax_placement *pl = &s->tl->tensors[p];
	uint64_t C = s->net->layers[p].out.c;
	if (pl->home == AX_MEM_L1 || px1 <= px0 || c1 <= c0) {
		id_append(out, deps);
		return;
	}
	uint64_t from = px0 * C + (uint64_t)c0 * (px1 - px0), bytes = (px1 - px0) * (c1 - c0);
	size_t before = out->n;
	tensor_dma(s, core, li, copy, p, from, from + bytes, 1, deps, out);
	if (pl->home == AX_MEM_DDR && c1 - c0 < C && out->n == before + 1) {
		struct ax_task *t = &s->tl->tasks[out->v[before]];
		t->src_addr = pl->ddr_addr + copy * s->tl->ddr_copy_stride + px0 * C + c0;
		t->run_bytes = c1 - c0;
		t->run_stride = C;
	}
}

/* Rows of a tensor of width w that hold pixels [px0, px1). */
static void pixel_rows(uint64_t w, uint64_t px0, uint64_t px1, uint32_t *i0, uint32_t *i1)
{
	*i0 = (uint32_t)(px0 / w);
	*i1 = (uint32_t)div_ceil(px1, w);
}

/* Writes one tile of head g's run-time weights B_g into the array: B's
 * values (rows [k0, k1) of K, columns [n0, n1) of N) move from B's home into
 * a staging buffer in L1 like any activation input, once B's producer has
 * written them, and are written into free weight slots as a tile of
 * write_bytes (its padded rows).  Returns the load task. */
static uint32_t load_runtime_tile(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
				  uint32_t g, uint32_t k0, uint32_t k1, uint32_t n0, uint32_t n1,
				  uint64_t write_bytes, struct slot_span *span)
{
	const struct ax_layer *l = &s->net->layers[li];
	uint32_t pb = l->in[1];
	const struct ax_layer *B = &s->net->layers[pb];
	uint32_t K = ax_layer_cin(s->net, l) / l->groups, N = l->cout / l->groups;
	/* docs/network-format.md "dyn_matmul": B_g is K pixels of its N
	 * channels, or transposed N pixels of its K channels */
	uint64_t px0 = l->trans_b ? n0 : k0, px1 = l->trans_b ? n1 : k1;
	uint32_t c0 = l->trans_b ? g * K + k0 : g * N + n0, c1 = l->trans_b ? g * K + k1 : g * N + n1;
	struct idlist d = { 0 }, pd = { 0 };
	uint32_t i0, i1;
	pixel_rows(B->out.w, px0, px1, &i0, &i1);
	producer_deps(s, pb, i0, i1, &pd);
	int stage = -1;
	if (s->tl->tensors[pb].home != AX_MEM_L1) {
		stage = (int)stage_claim(s, core, &pd);
		slice_fetch(s, core, li, copy, pb, px0, px1, c0, c1, &pd, &d);
	} else {
		id_append(&d, &pd);  /* read where it lives */
	}
	uint32_t load = write_slots(s, li, core, copy, stage, &d, write_bytes, n1 - n0, AX_KIND_ACT, span);
	free(d.v);
	free(pd.v);
	return load;
}

/* docs/timing-model.md "Products of two activations": a dyn_matmul on the
 * IMC, output rows [r0, r1) and channels [c0, c1) (whole heads) on one
 * core.  Head after head, B_g is written
 * into the weight slots tile by tile (in groups that fit, as a layer's
 * weights are) and the rows of A's head channels pass through it as the
 * H W input vectors of a 1 x 1 convolution with K inputs and N outputs;
 * the DPU requantises each strip of the head's N output channels. */
static void lower_dyn(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
		      uint32_t r0, uint32_t r1, uint32_t c0, uint32_t c1, struct spanlist *done)
{
	const struct ax_arch *a = s->a;
	const struct ax_layer *l = &s->net->layers[li];
	const struct ax_imc_map *m = &s->li[li].map;
	uint32_t heads = l->groups, pa = l->in[0];
	uint32_t K = ax_layer_cin(s->net, l) / heads, N = l->cout / heads;
	uint64_t W = l->out.w;
	uint32_t rows = r1 - r0;
	uint32_t ns = strips_for(rows, (uint64_t)rows * W * N);
	uint32_t gsize = ax_imc_group_size(m, a, map_slots(m, a, 1));
	uint32_t *last_mvm = ax_xcalloc(ns, sizeof(uint32_t));
	for (uint32_t g = c0 / N; g < c1 / N && g < heads; g++) {
		for (uint32_t g0 = 0; g0 < m->tiles; g0 += gsize) {
			uint32_t g1 = g0 + gsize < m->tiles ? g0 + gsize : m->tiles;
			struct tile_group tg = { 0 };
			for (uint32_t t = g0; t < g1; t++) {
				uint32_t tr, tc, rt = t / m->col_tiles, ct = t % m->col_tiles;
				ax_imc_tile_dims(m, a, t, &tr, &tc);
				/* the tile's rows of K that hold values (the rest is
				 * the padding of docs/timing-model.md "IMC mapping") */
				uint64_t k0 = (uint64_t)rt * a->imc_rows, k1 = k0 + tr;
				k0 = k0 < K ? k0 : K;
				k1 = k1 < K ? k1 : K;
				uint32_t n0 = ct * (uint32_t)a->imc_cols;
				uint64_t wb = (uint64_t)tr * tc;
				id_push(&tg.loads, load_runtime_tile(s, li, core, copy, g, (uint32_t)k0, (uint32_t)k1,
								     n0, n0 + tc, wb, &tg.spans[t - g0]));
				s->tl->plans[li].runtime_weight_bytes += wb;
				group_add_tile(&tg, a, m, t, g0, g1, tr, tc, tc, (k1 - k0) * tc);
			}
			for (uint32_t si = 0; si < ns; si++) {
				uint32_t s0, s1;
				strip_rows(r0, rows, si, ns, &s0, &s1);
				uint64_t pixels = (uint64_t)(s1 - s0) * W;
				struct idlist d = { 0 }, pd = { 0 };
				id_append(&d, &tg.loads);
				/* the strip's rows of A, head g's K channels */
				producer_deps(s, pa, s0, s1, &pd);
				slice_fetch(s, core, li, copy, pa, s0 * W, s1 * W, g * K, g * K + K, &pd, &d);
				free(pd.v);
				if (g0 > 0)
					id_push(&d, last_mvm[si]);
				last_mvm[si] = group_mvm(s, li, core, copy, &tg, g1 - g0, pixels, pixels,
							 pixels * tg.macs, &d);
			}
			release_group(s, core, &tg, g1 - g0, last_mvm[ns - 1]);
		}
		/* requantisation (and a fused activation) of head g's N channels */
		for (uint32_t si = 0; si < ns; si++) {
			uint32_t s0, s1;
			strip_rows(r0, rows, si, ns, &s0, &s1);
			uint64_t elems = (uint64_t)(s1 - s0) * W * N;
			struct idlist d = { 0 };
			id_push(&d, last_mvm[si]);
			struct ax_task dt = compute_task(AX_T_DPU, core, li, copy);
			dt.cycles = requant_cycles(s, li, elems);
			dt.l1_write = elems;
			uint32_t dpu = add_task(s, &dt, &d);
			free(d.v);
			span_push(done, store_output(s, core, li, copy, s0, s1, g * N, g * N + N, dpu), s0, s1);
		}
	}
	free(last_mvm);
}

/* MACs of layer li attributed to last-layer rows [0, x) of a cone whose last
 * layer has h rows: telescoping, so the pieces add up to the layer's MACs. */
static uint64_t macs_upto(uint64_t layer_macs, uint64_t x, uint64_t h)
{
	__extension__ typedef unsigned __int128 u128;
	return (uint64_t)((u128)layer_macs * x / h);
}

/* docs/timing-model.md "Relayout": output rows [s0, s1) of a relayout are a
 * DPU pass that reads each of their e elements once, wherever it lies in the
 * input (held whole in L1), and writes it to its place. */
static void relayout_pass(const struct ax_arch *a, uint64_t e, struct ax_task *t)
{
	t->cycles = ax_dpu_cycles(a, e);
	t->l1_read = e;
	t->l1_write = e;
}

/* One vector-unit task for output rows [s0, s1) of layer li; useful MACs are
 * passed in (a cone counts recomputed halo rows only once). */
static uint32_t vector_task(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
			    uint32_t s0, uint32_t s1, uint64_t useful_macs, const struct idlist *deps)
{
	const struct ax_arch *a = s->a;
	const struct ax_net *net = s->net;
	const struct ax_layer *l = &net->layers[li];
	uint64_t out_elems = (uint64_t)(s1 - s0) * l->out.w * l->out.c;
	uint64_t in_elems = 0, macs = 0;
	for (uint32_t k = 0; k < l->n_in; k++) {
		const struct ax_layer *p = &net->layers[l->in[k]];
		uint32_t i0, i1;
		if (repeated_input(l, k))
			continue;  /* one stream, however many times the layer uses it */
		operand_rows(l, k, &p->out, s0, s1, &i0, &i1);
		in_elems += (uint64_t)(i1 - i0) * p->out.w * p->out.c;
	}
	if (l->op == AX_OP_CONV || l->op == AX_OP_MAXPOOL || l->op == AX_OP_AVGPOOL)
		macs = out_elems * l->kh * l->kw; /* MACs, or window reads for pooling */
	int dw = s->li[li].dwpu;
	struct ax_task t = compute_task(dw ? AX_T_DWPU : AX_T_DPU, core, li, copy);
	t.l1_read = in_elems;
	t.l1_write = out_elems;
	if (dw) {
		uint64_t elems = l->op == AX_OP_GLOBALPOOL ? in_elems : out_elems;
		t.cycles = ax_dwpu_cycles(a, macs, elems);
		/* a table activation streams through the DPU behind the DWPU:
		 * the slower of the two sets the pace */
		if (ax_act_uses_lut(l->act)) {
			uint64_t lut = ax_dpu_cycles(a, out_elems) + ax_dpu_act_cycles(a, l->act, out_elems);
			if (lut > t.cycles)
				t.cycles = lut;
		}
		if (l->op == AX_OP_CONV)
			t.macs = useful_macs;
	} else if (l->op == AX_OP_CONCAT && l->axis == AX_AXIS_CHANNELS) {
		/* docs/timing-model.md "Concatenation": no native concat; each
		 * input is padded to the output's channels, shifted into place
		 * and added into the output, a DPU pass over the output each */
		uint64_t e = out_elems * l->n_in;
		t.cycles = ax_dpu_cycles(a, e) + ax_dpu_act_cycles(a, l->act, out_elems);
		t.l1_read = in_elems + out_elems * (l->n_in - 1);
		t.l1_write = e;
	} else if (l->op == AX_OP_RELAYOUT) {
		relayout_pass(a, out_elems, &t);
	} else if (l->op == AX_OP_MATMUL) {
		/* docs/timing-model.md "Products of two activations", on the
		 * DPU (dyn_matmul.unit dpu): the MACs at dpu.mac_throughput, then
		 * the requantisation pass over the results */
		t.cycles = ax_dpu_cycles(a, out_elems) + ax_dpu_matmul_cycles(a, useful_macs) +
			   ax_dpu_act_cycles(a, l->act, out_elems);
		t.macs = useful_macs;
	} else {
		uint64_t e = (in_elems > out_elems ? in_elems : out_elems);
		t.cycles = ax_dpu_cycles(a, e * ax_dpu_passes(l)) + ax_dpu_act_cycles(a, l->act, out_elems);
		/* softmax's exponent goes through a lookup table (timing-model.md
		 * "Vector units") */
		if (l->op == AX_OP_SOFTMAX)
			t.cycles += ax_dpu_lut_cycles(a, e);
	}
	return add_task(s, &t, deps);
}

/* Depthwise weights go to the DWPU through L1. */
static void fetch_dw_weights(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
			     uint32_t rows, struct idlist *deps)
{
	const struct ax_layer *l = &s->net->layers[li];
	if (!ax_layer_is_depthwise(s->net, l))
		return;
	uint64_t wb = ax_layer_weight_size(s->net, l);
	uint64_t part = div_ceil(wb * rows, l->out.h);
	id_push(deps, weight_dma(s, core, li, copy, s->woff[li], part, NULL));
}

static void lower_vector(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
			 uint32_t r0, uint32_t r1, struct spanlist *done)
{
	const struct ax_layer *l = &s->net->layers[li];
	uint32_t rows = r1 - r0;
	uint32_t ns = strips_for(rows, (uint64_t)rows * l->out.w * l->out.c);
	struct idlist wdeps = { 0 };
	fetch_dw_weights(s, li, core, copy, rows, &wdeps);
	uint64_t lm = ax_layer_macs(s->net, l);
	uint32_t kept[AX_MAX_INPUTS] = { 0 };
	for (uint32_t si = 0; si < ns; si++) {
		uint32_t s0, s1;
		strip_rows(r0, rows, si, ns, &s0, &s1);
		struct idlist d = { 0 };
		id_append(&d, &wdeps);
		fetch_inputs(s, core, li, copy, s0, s1, kept, &d);
		uint64_t useful = macs_upto(lm, s1, l->out.h) - macs_upto(lm, s0, l->out.h);
		uint32_t id = vector_task(s, li, core, copy, s0, s1, useful, &d);
		free(d.v);
		span_push(done, store_output(s, core, li, copy, s0, s1, 0, l->out.c, id), s0, s1);
	}
	free(wdeps.v);
}

/* docs/timing-model.md "Constant tensors": a const layer is its block of the
 * weight section moved to the tensor's home, a DMA and no operator; an
 * embedding gathers one table row per index, a DMA of those rows once the
 * indices are in L1.  Neither computes. */
static void lower_table(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
			struct spanlist *done)
{
	const struct ax_layer *l = &s->net->layers[li];
	uint64_t bytes = ax_shape_bytes(l->out);
	struct idlist d = { 0 };
	if (l->op == AX_OP_EMBED)
		fetch_inputs(s, core, li, copy, 0, l->out.h, NULL, &d);
	uint32_t id = weight_dma(s, core, li, copy, s->woff[li], bytes, &d);
	span_push(done, store_output(s, core, li, copy, 0, l->out.h, 0, l->out.c, id), 0, l->out.h);
	free(d.v);
}

/* ---- fused cones (docs/tiling.md) ---- */

/* L1 bytes a cone tile of `rows` last-layer rows needs for its members' row
 * tiles (docs/tiling.md "Tile height"). */
static uint64_t cone_working_set(const struct lstate *s, uint32_t g, uint32_t rows)
{
	uint32_t f = s->gfirst[g], last = s->glast[g];
	uint32_t n = last - f + 1;
	uint32_t *lo = ax_xcalloc(n, sizeof(uint32_t)), *hi = ax_xcalloc(n, sizeof(uint32_t));
	lo[n - 1] = 0;
	hi[n - 1] = rows < s->net->layers[last].out.h ? rows : s->net->layers[last].out.h;
	uint64_t bytes = 0;
	for (uint32_t k = n; k-- > 0;) {
		const struct ax_layer *l = &s->net->layers[f + k];
		if (hi[k] <= lo[k])
			continue;
		bytes += (uint64_t)(hi[k] - lo[k]) * l->out.w * l->out.c;
		for (uint32_t q = 0; q < l->n_in; q++) {
			uint32_t p = l->in[q];
			const struct ax_layer *pl = &s->net->layers[p];
			uint32_t i0, i1;
			input_rows(l, &pl->out, lo[k], hi[k], &i0, &i1);
			if (p >= f && p < f + k) {
				uint32_t pk = p - f;
				if (hi[pk] <= lo[pk]) { lo[pk] = i0; hi[pk] = i1; }
				else { if (i0 < lo[pk]) lo[pk] = i0; if (i1 > hi[pk]) hi[pk] = i1; }
			} else {
				bytes += (uint64_t)(i1 - i0) * pl->out.w * pl->out.c; /* external input rows */
			}
		}
	}
	free(lo);
	free(hi);
	return bytes;
}

/* Cone tiles per core part: as many as strips would be, more when the
 * members' row tiles would not fit the target. */
static uint32_t cone_tiles(const struct lstate *s, uint32_t g, uint32_t rows, uint64_t target)
{
	const struct ax_layer *last = &s->net->layers[s->glast[g]];
	uint32_t t = strips_for(rows, (uint64_t)rows * last->out.w * last->out.c);
	while (t < rows && cone_working_set(s, g, (uint32_t)div_ceil(rows, t)) > target)
		t++;
	return t;
}

static void lower_cone(struct lstate *s, uint32_t g, uint32_t core, uint32_t copy,
		       uint32_t r0, uint32_t r1, uint32_t ntiles)
{
	const struct ax_arch *a = s->a;
	const struct ax_net *net = s->net;
	uint32_t f = s->gfirst[g], last = s->glast[g], n = last - f + 1;
	uint32_t H = net->layers[last].out.h;
	uint32_t rows = r1 - r0;
	/* per tile and member: rows to produce, and the task that finished them */
	uint32_t *lo = ax_xcalloc((size_t)ntiles * n, sizeof(uint32_t));
	uint32_t *hi = ax_xcalloc((size_t)ntiles * n, sizeof(uint32_t));
	uint32_t *tile_last = ax_xcalloc((size_t)ntiles * n, sizeof(uint32_t));
	uint32_t *stored = ax_xcalloc(n, sizeof(uint32_t)); /* rows [0, stored) of a member are stored */
	uint32_t *last_mvm = ax_xcalloc(n, sizeof(uint32_t));
	uint32_t *last_task = ax_xcalloc(n, sizeof(uint32_t));
	struct idlist *loads = ax_xcalloc(n, sizeof(*loads));
	struct idlist *consts = ax_xcalloc(n, sizeof(*consts));
	struct slot_span (*spans)[MAX_GROUP] = ax_xcalloc(n, sizeof(*spans));
	uint32_t *nspans = ax_xcalloc(n, sizeof(uint32_t));
	uint32_t (*kept)[AX_MAX_INPUTS] = ax_xcalloc(n, sizeof(*kept));

	/* weights of every IMC member, written once for the whole cone */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t li = f + k;
		const struct ax_layer *l = &net->layers[li];
		if (s->li[li].imc) {
			uint64_t bias = l->has_bias ? (uint64_t)AX_BIAS_BYTES * l->cout : 0, woff = 0;
			for (uint32_t t = 0; t < s->li[li].map.tiles; t++) {
				uint32_t tr, tc;
				uint64_t wb;
				tile_bytes(s, li, &s->li[li].map, t, &tr, &tc, &wb);
				uint64_t as_stored = (uint64_t)tr * tc + (t == 0 ? bias : 0);
				id_push(&loads[k], load_tile(s, li, core, copy, as_stored, wb,
							     tc * s->li[li].icr, s->woff[li] + woff,
							     &spans[k][nspans[k]++]));
				woff += as_stored;
				s->tl->plans[li].weight_bytes += wb;
			}
			fetch_consts(s, li, core, copy, l->cout, &consts[k]);
		} else {
			fetch_dw_weights(s, li, core, copy, l->out.h, &loads[k]);
		}
	}
	/* rows each member must produce for each tile, halo included
	 * (recomputed: docs/tiling.md "Halo") */
	for (uint32_t ti = 0; ti < ntiles; ti++) {
		uint32_t *L = lo + (size_t)ti * n, *Hh = hi + (size_t)ti * n;
		L[n - 1] = r0 + (uint32_t)((uint64_t)rows * ti / ntiles);
		Hh[n - 1] = r0 + (uint32_t)((uint64_t)rows * (ti + 1) / ntiles);
		for (uint32_t k = n; k-- > 0;) {
			const struct ax_layer *l = &net->layers[f + k];
			if (Hh[k] <= L[k])
				continue;
			for (uint32_t q = 0; q < l->n_in; q++) {
				uint32_t p = l->in[q];
				if (p < f || p >= f + k)
					continue;
				uint32_t i0, i1, pk = p - f;
				input_rows(l, &net->layers[p].out, L[k], Hh[k], &i0, &i1);
				if (Hh[pk] <= L[pk]) { L[pk] = i0; Hh[pk] = i1; }
				else { if (i0 < L[pk]) L[pk] = i0; if (i1 > Hh[pk]) Hh[pk] = i1; }
			}
		}
	}
	/* issue in waves, member k working on tile w - k, so that the IMC
	 * computes one member while the DPU finishes the one before
	 * (docs/tiling.md "Pipelining") */
	for (uint32_t w = 0; w + 1 < ntiles + n; w++) {
		for (uint32_t k = 0; k < n; k++) {
			if (w < k || w - k >= ntiles)
				continue;
			uint32_t ti = w - k;
			uint32_t li = f + k;
			const struct ax_layer *l = &net->layers[li];
			uint32_t lk = lo[(size_t)ti * n + k], hk = hi[(size_t)ti * n + k];
			uint32_t o0 = lo[(size_t)ti * n + n - 1], o1 = hi[(size_t)ti * n + n - 1];
			if (hk <= lk)
				continue;
			struct idlist d = { 0 };
			id_append(&d, &loads[k]);
			for (uint32_t q = 0; q < l->n_in; q++) {
				uint32_t p = l->in[q];
				if (p >= f && p < li && hi[(size_t)ti * n + p - f] > lo[(size_t)ti * n + p - f])
					id_push(&d, tile_last[(size_t)ti * n + p - f]);
			}
			fetch_inputs(s, core, li, copy, lk, hk, kept[k], &d);
			uint64_t lm = ax_layer_macs(net, l);
			uint64_t useful = macs_upto(lm, o1, H) - macs_upto(lm, o0, H);
			uint32_t id;
			if (s->li[li].imc) {
				const struct layer_info *inf = &s->li[li];
				uint64_t passes_px = (uint64_t)(hk - lk) * div_ceil(l->out.w, inf->icr);
				uint64_t sum_rows = 0, cyc = 0, cells = 0;
				for (uint32_t t = 0; t < inf->map.tiles; t++) {
					uint32_t tr, tc;
					ax_imc_tile_dims(&inf->map, a, t, &tr, &tc);
					sum_rows += inf->icr > 1 ? inf->window_rows : tr;
					cells += ax_imc_gated_cells(a, inf->icr > 1 ? inf->window_rows : tr, (uint64_t)tc * inf->icr);
					cyc += ax_mvm_cycles(a, 1, tc * inf->icr) - a->unit_start_cycles;
				}
				struct ax_task mt = compute_task(AX_T_MVM, core, li, copy);
				mt.passes = passes_px * inf->map.tiles;
				mt.macs = useful;
				mt.imc_cells = passes_px * cells;
				mt.cycles = a->unit_start_cycles + passes_px * cyc;
				mt.l1_read = passes_px * sum_rows;
				uint32_t mvm = add_task(s, &mt, &d);
				last_mvm[k] = mvm;
				s->tl->plans[li].passes += mt.passes;
				struct idlist dd = { 0 };
				id_push(&dd, mvm);
				id_append(&dd, &consts[k]);
				uint64_t elems = (uint64_t)(hk - lk) * l->out.w * l->out.c;
				struct ax_task dt = compute_task(AX_T_DPU, core, li, copy);
				dt.cycles = requant_cycles(s, li, elems);
				dt.l1_write = elems;
				id = add_task(s, &dt, &dd);
				free(dd.v);
			} else {
				id = vector_task(s, li, core, copy, lk, hk, useful, &d);
			}
			free(d.v);
			/* rows read outside the cone are stored once, halo excluded */
			if (!s->tl->tensors[li].fused) {
				uint32_t from = k == n - 1 ? lk : (stored[k] > lk ? stored[k] : lk);
				uint32_t st = store_output(s, core, li, copy, from, hk, 0, l->out.c, id);
				if (hk > stored[k])
					stored[k] = hk;
				span_push(&s->done[li], st, from < hk ? from : lk, hk);
				id = st;
			}
			tile_last[(size_t)ti * n + k] = id;
			last_task[k] = id;
		}
	}
	/* the weight sets are free again once the cone's last tile computed */
	for (uint32_t k = 0; k < n; k++) {
		for (uint32_t q = 0; q < nspans[k]; q++)
			release_slots(s, core, &spans[k][q], last_mvm[k]);
		if (s->tl->tensors[f + k].fused)
			span_push(&s->done[f + k], last_task[k], 0, net->layers[f + k].out.h);
		free(loads[k].v);
		free(consts[k].v);
	}
	free(lo);
	free(hi);
	free(tile_last);
	free(stored);
	free(last_mvm);
	free(last_task);
	free(loads);
	free(consts);
	free(spans);
	free(nspans);
	free(kept);
}

/* docs/memory.md "Several cores": a layer alone on a copy of several cores
 * is split by output channels (each core writes only its slice of the
 * weights and reads the whole input) or by output rows (each core writes all
 * the weights and reads its rows), whichever the estimate makes faster. */
/* Output channels each of the n cores of a channel split takes: whole banks. */
static uint32_t slice_cols(const struct ax_arch *a, uint32_t cout, uint32_t n)
{
	return (uint32_t)(div_ceil(div_ceil(cout, n), bank_cols(a)) * bank_cols(a));
}

static int split_channels(const struct lstate *s, uint32_t li)
{
	const struct ax_arch *a = s->a;
	const struct ax_layer *l = &s->net->layers[li];
	const struct layer_info *inf = &s->li[li];
	uint32_t n = s->split;
	if (n < 2 || l->cout < bank_cols(a) * n)
		return 0;
	/* estimated cycles of each split: the longer of the passes and the
	 * weight writes, plus the input each core reads over its link */
	uint64_t in_bytes = 0;
	for (uint32_t k = 0; k < l->n_in; k++)
		in_bytes += ax_shape_bytes(s->net->layers[l->in[k]].out);
	uint64_t w = (uint64_t)inf->map.rows * inf->map.cols;
	uint64_t per_row = div_ceil(l->out.w, inf->icr);
	uint64_t rows_c = div_ceil(l->out.h, n);
	uint64_t row_pass = rows_c * per_row * inf->map.tiles * a->imc_cycles_per_pass;
	uint64_t row_cost = (row_pass > w / a->imc_weight_write_bpc ? row_pass : w / a->imc_weight_write_bpc) +
			    in_bytes / n / a->noc_link_bpc;
	uint64_t cols = slice_cols(a, l->cout, n);
	uint64_t ch_tiles = inf->map.row_tiles * div_ceil(cols, a->imc_cols);
	uint64_t ch_pass = (uint64_t)l->out.h * l->out.w * ch_tiles * a->imc_cycles_per_pass;
	uint64_t ch_w = w / n / a->imc_weight_write_bpc;
	uint64_t ch_cost = (ch_pass > ch_w ? ch_pass : ch_w) + in_bytes / a->noc_link_bpc;
	return ch_cost < row_cost;
}

/* Rows [r0, r1) of a layer's output that core k of the copy computes. */
static void split_rows(uint32_t h, uint32_t k, uint32_t n, uint32_t *r0, uint32_t *r1)
{
	*r0 = (uint32_t)((uint64_t)h * k / n);
	*r1 = (uint32_t)((uint64_t)h * (k + 1) / n);
}

/* docs/timing-model.md "Operator set-up": before the first task of an
 * operator group on a core that is not a weight prefetch, the control core
 * programs the group's n_ops operators, once the group config_sets before
 * it on that core has finished (its configuration set is free again).  The
 * set-up task carries the group's gate; the group's tasks then wait for the
 * set-up instead, its weight prefetches only for the gate. */
static void setup_group(struct lstate *s, uint32_t core, uint32_t layer, uint32_t lane,
			uint32_t n_ops, const struct idlist *gate)
{
	if (s->setup_pending)
		setup_now(s, s->setup_core);
	s->epoch += 2;
	s->pepoch = s->cfg ? s->epoch + 1 : s->epoch;
	s->gate.n = 0;
	id_append(&s->gate, gate);
	s->pgate.n = 0;
	id_append(&s->pgate, gate);
	if (!s->cfg)
		return;
	s->setup_pending = 1;
	s->setup_core = core;
	s->setup_layer = layer;
	s->setup_lane = lane;
	s->setup_ops = n_ops;
	/* the slot of the group config_sets back becomes this group's */
	s->cfg_slot[core] = (s->cfg_slot[core] + 1) % s->cfg_sets;
	struct idlist *ring = &s->cfg[(size_t)core * s->cfg_sets + s->cfg_slot[core]];
	s->setup_deps.n = 0;
	id_append(&s->setup_deps, ring);
	ring->n = 0;
}

static void setup_now(struct lstate *s, uint32_t core)
{
	s->setup_pending = 0;
	struct idlist *ring = &s->cfg[(size_t)core * s->cfg_sets + s->cfg_slot[core]];
	struct ax_task t = compute_task(AX_T_CTRL, core, s->setup_layer, s->setup_lane);
	t.unit = AX_U_CTRL;
	t.cycles = s->a->ctrl_op_setup_cycles * s->setup_ops;
	/* under the group's own epoch: its tasks need not carry the inference
	 * gate beside it */
	uint32_t id = add_task_gated(s, &t, &s->setup_deps, &s->pgate, s->epoch);
	id_push(ring, id);
	s->gate.n = 0;
	id_push(&s->gate, id);
}

/* Operators the control core programs for group g: one, a layer alone or
 * a depth-first cone, which the compiler fuses into one operator (an
 * epilogue and a fused activation are part of their layer's DPU
 * configuration); but a concatenation alone is rewritten into one pad +
 * shift + add operator per input (docs/timing-model.md "Operator set-up",
 * "Concatenation"). */
static uint32_t group_ops(const struct lstate *s, uint32_t g)
{
	const struct ax_layer *l = &s->net->layers[s->gfirst[g]];
	if (s->gfirst[g] == s->glast[g] && l->op == AX_OP_CONCAT && l->axis == AX_AXIS_CHANNELS)
		return l->n_in;
	if (s->gfirst[g] == s->glast[g] && l->op == AX_OP_CONST)
		return 0;  /* a DMA that its reader's operator programs */
	return 1;
}

/* Rows [r0, r1) and output channels [c0, c1) of group g on one core: a
 * cone, an IMC layer or a vector layer; records what completes its rows. */
static void lower_part(struct lstate *s, uint32_t g, uint32_t core, uint32_t copy, uint32_t r0,
		       uint32_t r1, uint32_t c0, uint32_t c1, uint64_t cone_target)
{
	uint32_t f = s->gfirst[g], last = s->glast[g];
	if (f != last) {
		uint32_t nt = cone_tiles(s, g, r1 - r0, cone_target);
		if (copy == 0)
			for (uint32_t i = f; i <= last; i++)
				s->tl->plans[i].cone_tiles = nt;
		lower_cone(s, g, core, copy, r0, r1, nt);
		return;
	}
	struct spanlist part = { 0 };
	const struct ax_layer *fl = &s->net->layers[f];
	if (fl->op == AX_OP_CONST || fl->op == AX_OP_EMBED)
		lower_table(s, f, core, copy, &part);
	else if (s->li[f].imc)
		lower_imc(s, f, core, copy, r0, r1, c0, c1, &part);
	else if (s->li[f].dyn)
		lower_dyn(s, f, core, copy, r0, r1, c0, c1, &part);
	else
		lower_vector(s, f, core, copy, r0, r1, &part);
	for (size_t q = 0; q < part.ids.n; q++) {
		span_push(&s->done[f], part.ids.v[q], part.r0[q], part.r1[q]);
		if (s->li[f].epi >= 0)
			span_push(&s->done[s->li[f].epi], part.ids.v[q], part.r0[q], part.r1[q]);
	}
	span_free(&part);
}

/* Lowers one inference of the network on one lane: a core (batch), the
 * cores of a cooperative instance, or the stages of a pipeline. */
static void lower_copy(struct lstate *s, uint32_t copy, uint64_t cone_target)
{
	const struct ax_net *net = s->net;
	uint32_t first_core = s->mode == AX_MC_BATCH ? copy : copy * s->cpc;
	struct idlist gate = { 0 };
	for (size_t i = 0; i < net->n_layers; i++)
		s->done[i].ids.n = 0;
	for (uint32_t g = 0; g < s->n_groups; g++) {
		uint32_t f = s->gfirst[g], last = s->glast[g];
		const struct ax_layer *ll = &net->layers[last];
		if (f == last && ll->op == AX_OP_INPUT)
			continue;
		if (f == last && (s->li[f].epi_of >= 0 || s->li[f].merged_into >= 0))
			continue;  /* done by its producer's DPU, or its sibling's columns (lower_imc) */
		/* docs/timing-model.md "Back-to-back inferences": a group
		 * overwrites its buffers only after the previous inference's last
		 * readers of them are done; in batch mode the instance's cores
		 * also start an inference together, when all finished the last */
		gate.n = 0;
		if (s->infer > 0) {
			for (uint32_t i = f; i <= last; i++)
				id_append(&gate, &s->prev[(size_t)copy * net->n_layers + s->last_use[i]]);
			if (s->li[f].epi >= 0)
				id_append(&gate, &s->prev[(size_t)copy * net->n_layers +
							     s->last_use[s->li[f].epi]]);
			if (s->per_inst > 1 && s->mode == AX_MC_BATCH) {
				uint32_t l0 = copy / s->per_inst * s->per_inst;
				for (uint32_t l = l0; l < l0 + s->per_inst; l++)
					id_append(&gate, &s->batch_prev[l]);
			}
		}
		uint32_t n_ops = group_ops(s, g);
		int table = f == last && (ll->op == AX_OP_CONST || ll->op == AX_OP_EMBED);
		if (s->mode != AX_MC_COOPERATIVE || table) {
			/* the whole group on one core: the lane's own (batch) or
			 * its stage's (pipeline); a table's DMA is not split */
			uint32_t core = first_core + (s->gstage ? s->gstage[g] : 0);
			setup_group(s, core, f, copy, n_ops, &gate);
			lower_part(s, g, core, copy, 0, ll->out.h, 0,
				   f == last && s->li[f].imc ? op_cout(s, f) : ll->cout, cone_target);
			continue;
		}
		/* cooperative: the cone's (or layer's) output rows are split over
		 * the instance's cores, or a layer's output channels; each part
		 * waits for its inputs on every core (the barrier of
		 * docs/timing-model.md "Several cores") */
		int by_channels = f == last && s->li[f].imc && split_channels(s, f);
		/* docs/timing-model.md "Products of two activations": a dyn_matmul
		 * with a head for every core is split by heads, so that each core
		 * writes only its heads' run-time weights */
		int by_heads = f == last && s->li[f].dyn && ll->groups >= s->cpc;
		for (uint32_t k = 0; k < s->cpc; k++) {
			uint32_t r0, r1, c0 = 0, c1 = f == last && s->li[f].imc ? op_cout(s, f) : ll->cout;
			split_rows(ll->out.h, k, s->cpc, &r0, &r1);
			if (by_heads) {
				uint32_t h0, h1, n = ll->cout / ll->groups;
				split_rows(ll->groups, k, s->cpc, &h0, &h1);
				c0 = h0 * n;
				c1 = h1 * n;
				r0 = 0;
				r1 = ll->out.h;
			} else if (by_channels) {
				/* every core takes all rows and a slice of the output
				 * channels, in whole banks */
				uint32_t per = slice_cols(s->a, ll->cout, s->cpc);
				c0 = k * per;
				c1 = c0 + per < ll->cout ? c0 + per : ll->cout;
				r0 = 0;
				r1 = ll->out.h;
				if (c0 >= c1)
					continue;
			} else if (r0 == r1) {
				continue;
			}
			uint32_t core = first_core + k;
			setup_group(s, core, f, copy, n_ops, &gate);
			lower_part(s, g, core, copy, r0, r1, c0, c1, cone_target);
		}
	}
	if (s->setup_pending)
		setup_now(s, s->setup_core);
	free(gate.v);
	s->gate.n = 0;
	s->batch_cur[copy].n = 0;
	for (size_t i = 0; i < net->n_layers; i++) {
		struct idlist *p = &s->prev[(size_t)copy * net->n_layers + i];
		p->n = 0;
		id_append(p, &s->done[i].ids);
		if (net->layers[i].is_output)
			id_append(&s->batch_cur[copy], &s->done[i].ids);
	}
}

/* docs/timing-model.md "Multi-core modes", pipeline: an estimate of a
 * group's cycles on one core (the longer of its passes and weight writes
 * for IMC layers, vector elements otherwise, and its set-up). */
static uint64_t group_cost(const struct lstate *s, uint32_t g)
{
	const struct ax_arch *a = s->a;
	uint64_t c = 0;
	for (uint32_t i = s->gfirst[g]; i <= s->glast[g]; i++) {
		const struct ax_layer *l = &s->net->layers[i];
		const struct layer_info *inf = &s->li[i];
		if (inf->merged_into >= 0)
			continue;  /* its sibling's operator */
		c += a->ctrl_op_setup_cycles;
		if (inf->imc) {
			uint64_t pass = (uint64_t)l->out.h * div_ceil(l->out.w, inf->icr) * inf->map.tiles *
					a->imc_cycles_per_pass;
			uint64_t w = (uint64_t)inf->map.rows * inf->map.cols / a->imc_weight_write_bpc;
			c += pass > w ? pass : w;
		} else if (inf->dyn) {
			/* per head: its passes, or the writes of its B */
			uint64_t pass = (uint64_t)l->out.h * l->out.w * inf->map.tiles * a->imc_cycles_per_pass;
			uint64_t w = (uint64_t)inf->map.rows * inf->map.cols / a->imc_weight_write_bpc;
			c += (pass > w ? pass : w) * l->groups;
		} else {
			c += ax_shape_bytes(l->out) / (inf->dwpu ? a->dwpu_elems_per_cycle : a->dpu_elems_per_cycle);
		}
	}
	return c;
}

/* Cuts the groups into n consecutive stages of about equal cost. */
static void assign_stages(struct lstate *s, uint32_t n)
{
	uint64_t total = 0, acc = 0;
	for (uint32_t g = 0; g < s->n_groups; g++)
		total += group_cost(s, g);
	s->gstage = ax_xcalloc(s->n_groups ? s->n_groups : 1, sizeof(uint32_t));
	s->tl->stage = ax_xcalloc(s->net->n_layers ? s->net->n_layers : 1, sizeof(uint32_t));
	for (uint32_t g = 0; g < s->n_groups; g++) {
		uint64_t c = group_cost(s, g);
		/* the stage whose share of the total holds the group's middle */
		uint64_t mid = acc + c / 2;
		uint32_t st = total ? (uint32_t)((__extension__(unsigned __int128)mid * n) / total) : 0;
		if (st >= n)
			st = n - 1;
		if (g > 0 && st < s->gstage[g - 1])
			st = s->gstage[g - 1];
		s->gstage[g] = st;
		for (uint32_t i = s->gfirst[g]; i <= s->glast[g]; i++)
			s->tl->stage[i] = st;
		acc += c;
	}
}

/* docs/memory.md "Weights": the weight section as the compiler emits it,
 * one block per layer in layer order, 64-byte aligned: an IMC layer's
 * matrix as mapped (each window position on imc.position_align rows, a grouped
 * convolution expanded block-diagonally) and its int32 biases; a
 * depthwise layer's weights as stored.  Sets s->woff; returns the size. */
static uint64_t compiled_weights(struct lstate *s)
{
	const struct ax_net *net = s->net;
	s->woff = ax_xcalloc(net->n_layers ? net->n_layers : 1, sizeof(uint64_t));
	uint64_t off = 0;
	for (uint32_t i = 0; i < net->n_layers; i++) {
		const struct ax_layer *l = &net->layers[i];
		uint64_t b = 0;
		if (s->li[i].merged_into >= 0) {
			b = 0;  /* its columns are in its sibling's weights */
		} else if (s->li[i].imc) {
			const struct ax_imc_map *m = &s->li[i].map;
			b = (uint64_t)m->rows * m->cols + (l->has_bias ? (uint64_t)AX_BIAS_BYTES * op_cout(s, i) : 0);
		} else if (ax_layer_is_depthwise(net, l) || l->op == AX_OP_CONST || l->op == AX_OP_EMBED) {
			b = ax_layer_weight_size(net, l);
		}
		if (!b)
			continue;
		off = (off + 63) / 64 * 64;
		s->woff[i] = off;
		off += b;
	}
	return off;
}

int ax_lower(const struct ax_net *net, const struct ax_arch *a,
	     const struct ax_ccfg *c, struct ax_tasklist *tl, struct ax_err *err)
{
	uint32_t cpc = ax_ccfg_cores_per_copy(c);
	uint32_t copies = ax_ccfg_exec_cores(c) / cpc;
	uint32_t ncores = cpc * copies;
	/* docs/timing-model.md "Multi-core modes": a lane is one input stream;
	 * a batch instance has one per core, the others one per instance */
	uint32_t mode = (uint32_t)c->v[AX_CC_MULTICORE_MODE];
	if (cpc == 1 || mode == AX_MC_MULTIPROCESS || mode == AX_MC_MULTITHREAD)
		mode = AX_MC_BATCH;
	uint32_t per_inst = mode == AX_MC_BATCH ? cpc : 1;
	uint32_t lanes = copies * per_inst;
	if (ncores > a->chip_cores || ncores > MAX_CORES)
		return ax_err_add(err, "the configuration needs %u cores (%u copies x %u cores each) but the chip has %llu (chip.cores)",
				  ncores, copies, cpc, (unsigned long long)a->chip_cores);
	uint64_t n_slots = a->imc_weight_sets * a->imc_banks;
	if (n_slots > 65536)
		return ax_err_add(err, "imc.weight_sets x imc.banks = %llu weight slots; expected at most 65536",
				  (unsigned long long)n_slots);
	tl->n_cores = ncores;
	tl->copies = copies;
	tl->cores_per_copy = cpc;
	tl->lanes = lanes;
	tl->mode = mode;
	/* the model's clock_profile, when it sets one, selects the clock */
	tl->clock_hz = c->origin[AX_CC_CLOCK_PROFILE].file
			       ? ax_ccfg_clock_mhz(c) * 1000000ull
			       : a->chip_clock_hz;
	/* docs/imc.md "Throughput caps": the stricter of the board's and the
	 * compiler's cap */
	tl->mvm_limit_permille = ax_ccfg_mvm_limit_permille(c);
	tl->n_layers = net->n_layers;
	tl->tensors = ax_xcalloc(net->n_layers, sizeof(*tl->tensors));
	tl->plans = ax_xcalloc(net->n_layers, sizeof(*tl->plans));

	/* docs/memory.md "Copies": each copy is its own instance of the
	 * compiled network, owning resources_used of L2 (default: its share of
	 * the cores), its own weights and its own tasklist reserve */
	uint64_t res_milli = c->origin[AX_CC_RESOURCES_USED].file
				     ? (uint64_t)c->v[AX_CC_RESOURCES_USED]
				     : 1000ull * cpc / a->chip_cores;
	char w[600];
	/* 1/copies given in thousandths rounds up (0.0625 is 63): the share it means */
	if (res_milli * copies > 1000 && res_milli <= (1000 + copies / 2) / copies)
		res_milli = 1000 / copies;
	if (res_milli * copies > 1000)
		return ax_err_add(err, "%sresources_used %.3g for each of %u copies is more than the chip has; expected at most %.3g",
				  cc_where(c, AX_CC_RESOURCES_USED, "", w, sizeof(w)),
				  (double)res_milli / 1000.0, copies, 1.0 / copies);
	tl->resources_milli = (uint32_t)res_milli;
	uint64_t l2_copy = (a->l2_size - a->l2_reserved) * res_milli / 1000;
	/* l2_constraint: the compiler's L2 budget for the copy, when lower */
	if (c->v[AX_CC_L2_CONSTRAINT] && (uint64_t)c->v[AX_CC_L2_CONSTRAINT] < l2_copy)
		l2_copy = (uint64_t)c->v[AX_CC_L2_CONSTRAINT];
	/* the ELF's home: DDR, or a reserve in L2 (docs/memory.md "ELF placement") */
	int in_ddr = c->v[AX_CC_ELF_IN_DDR] != 0;
	tl->tasklist_home = in_ddr ? AX_MEM_DDR : AX_MEM_L2;
	uint64_t reserve_copy = 0;
	if (!in_ddr)
		reserve_copy = c->v[AX_CC_L2_RESERVED_TASKLIST]
				       ? (uint64_t)c->v[AX_CC_L2_RESERVED_TASKLIST]
				       : a->l2_tasklist_reserve * cpc;
	tl->tasklist_reserve = reserve_copy * copies;
	if (reserve_copy >= l2_copy)
		return ax_err_add(err, "the tasklist reserve of %llu bytes leaves no L2 for data (each copy has %llu bytes: (l2.size - l2.reserved) x resources_used)",
				  (unsigned long long)reserve_copy, (unsigned long long)l2_copy);
	uint64_t l2_free = l2_copy - reserve_copy;  /* one copy's L2 for weights and data */

	struct lstate s = { .net = net, .a = a, .c = c, .tl = tl, .cpc = cpc, .mode = mode,
			    .lanes = lanes, .per_inst = per_inst,
			    .split = mode == AX_MC_COOPERATIVE ? cpc : 1,
			    .barrier = !c->v[AX_CC_ASYNC_INTER_OPERATOR] };
	if (a->ctrl_op_setup_cycles) {
		s.cfg_sets = (uint32_t)a->ctrl_config_sets;
		s.cfg = ax_xcalloc((size_t)ncores * s.cfg_sets, sizeof(*s.cfg));
		s.cfg_slot = ax_xcalloc(ncores, sizeof(uint32_t));
	}
	for (uint32_t k = 0; k < ncores; k++) {
		s.cs[k].n_slots = (uint32_t)n_slots;
		s.cs[k].slot_used = ax_xcalloc(n_slots, 1);
		s.cs[k].slot_last = ax_xcalloc(n_slots, sizeof(uint32_t));
	}
	/* docs/memory.md "Pools": where inputs and outputs, the other buffers
	 * and the constants are placed; a network of one operator with
	 * single_op_network_use_ddr keeps them all, and its weights, in DDR */
	int single_ddr = c->v[AX_CC_SINGLE_OP_USE_DDR] && ax_net_operators(net) == 1;
	s.io_pool = single_ddr ? AX_POOL_DDR : (uint32_t)c->v[AX_CC_IO_POOL];
	s.ws_pool = single_ddr ? AX_POOL_DDR : (uint32_t)c->v[AX_CC_WORKSPACE_POOL];
	uint32_t cpool = single_ddr ? AX_POOL_DDR : (uint32_t)c->v[AX_CC_CONSTANT_POOL];
	s.const_home = cpool == AX_POOL_DDR ? AX_MEM_DDR : cpool == AX_POOL_L2 ? AX_MEM_L2 : AX_MEM_L1;
	s.const_resident = cpool == AX_POOL_L1;
	s.li = ax_xcalloc(net->n_layers, sizeof(*s.li));
	for (uint32_t i = 0; i < net->n_layers; i++) {
		const struct ax_layer *l = &net->layers[i];
		struct layer_info *inf = &s.li[i];
		inf->imc = ax_layer_on_imc(net, l);
		inf->dwpu = ax_layer_is_depthwise(net, l) || l->op == AX_OP_MAXPOOL ||
			    l->op == AX_OP_AVGPOOL || l->op == AX_OP_GLOBALPOOL || l->op == AX_OP_RESIZE;
		inf->icr = 1;
		inf->epi = inf->epi_of = inf->merged_into = -1;
		if (inf->imc) {
			ax_imc_map_layer(net, l, a, &inf->map);
			inf->icr = ax_icr_factor(net, l, a, (int)c->v[AX_CC_IN_CORE_REPLICATION], &inf->window_rows);
		}
		/* docs/timing-model.md "Products of two activations": on the
		 * IMC, or on the DPU as a vector layer */
		inf->dyn = l->op == AX_OP_MATMUL && a->dyn_matmul_unit == AX_MM_ON_IMC;
		if (inf->dyn)
			ax_imc_map_layer(net, l, a, &inf->map);
	}
	device_inputs(&s);
	form_groups(&s, (uint32_t)c->v[AX_CC_TILING_DEPTH]);
	find_epilogues(&s);
	merge_siblings(&s);

	/* liveness: the last layer that reads each tensor */
	uint32_t *last_use = ax_xcalloc(net->n_layers, sizeof(uint32_t));
	for (uint32_t i = 0; i < net->n_layers; i++) {
		last_use[i] = i;
		const struct ax_layer *l = &net->layers[i];
		for (uint32_t k = 0; k < l->n_in; k++)
			if (last_use[l->in[k]] < i)
				last_use[l->in[k]] = i;
	}
	/* L1 keeps two weight-staging buffers of one array's worth; the rest
	 * holds activations.  Tensors shared by several cores live in L2. */
	uint64_t stage = 2 * a->imc_rows * a->imc_cols;
	uint64_t l1_avail = a->l1_size - a->l1_reserved;
	uint64_t l1_budget = l1_avail > stage ? l1_avail - stage : 0;
	/* docs/memory.md "Pools": per-channel constants resident in L1 take
	 * their bytes from the activations'; in L2 beside a DDR ELF, from the
	 * copy's L2 (with the ELF in L2 they sit in its reserve) */
	if (c->v[AX_CC_PTQ_SCHEME] == AX_PTQ_HYBRID_PER_TENSOR_PER_CHANNEL) {
		uint64_t cbytes = 0;
		for (uint32_t i = 0; i < net->n_layers; i++)
			if (s.li[i].imc)
				cbytes += (uint64_t)net->layers[i].cout * a->dpu_const_bytes_per_channel;
		if (s.const_resident)
			l1_budget = l1_budget > cbytes ? l1_budget - cbytes : 0;
		else if (s.const_home == AX_MEM_L2 && in_ddr) {
			if (cbytes >= l2_free)
				return ax_err_add(err, "the per-channel constants (%llu bytes) do not fit the copy's %llu bytes of L2 (constant_pool l2); expected constant_pool ddr or more L2",
						  (unsigned long long)cbytes, (unsigned long long)l2_free);
			l2_free -= cbytes;
		}
	}
	uint64_t weights = compiled_weights(&s);
	tl->weight_bytes = weights;
	if (mode == AX_MC_PIPELINE)
		assign_stages(&s, cpc);
	/* docs/tiling.md "Tile height": cones' row tiles are sized to an eighth
	 * of L1's activation space; they live in the L1 that the cone's fused
	 * tensors would otherwise take whole */
	uint64_t cone_target = l1_budget / 8;
	/* docs/memory.md "Weights": a copy keeps its weights resident in its L2
	 * (loaded once, before the first inference) unless streaming them from
	 * DDR every inference costs less DDR traffic than the activations they
	 * would push out of L2 (each spilled byte written and read back).  The
	 * lanes of a batch instance share its L2: one copy of the weights, and
	 * each lane's activations in an equal part of the rest; each lane
	 * streams what is not resident. */
	uint64_t nl = per_inst;
	int l1_ok = cpc == 1 || mode == AX_MC_BATCH;
	uint64_t peak[AX_MEM_COUNT], spilled_stream = 0, spilled_res = 0;
	place(&s, last_use, l1_budget, l2_free / nl, l1_ok, tl->tensors, peak, &spilled_stream);
	uint64_t cost_stream = nl * (weights + 2 * spilled_stream);
	/* with page_memory the weight section is paged too: the pages that fit
	 * beside the activations stay resident, only the rest streams */
	uint64_t page = c->v[AX_CC_PAGE_MEMORY] ? a->l2_page_bytes : 0;
	uint64_t part = 0;
	if (page && nl * peak[AX_MEM_L2] < l2_free) {
		part = (l2_free - nl * peak[AX_MEM_L2]) / page * page;
		if (part > weights)
			part = weights;
	}
	uint64_t cost_part = nl * ((weights - part) + 2 * spilled_stream);
	int fit = weights <= l2_free;
	if (fit)
		place(&s, last_use, l1_budget, (l2_free - weights) / nl, l1_ok, tl->tensors, peak, &spilled_res);
	uint64_t cost_res = fit ? nl * 2 * spilled_res : UINT64_MAX;
	if (cost_res <= cost_part && cost_res <= cost_stream)
		tl->weight_l2_bytes = weights;
	else if (cost_part < cost_stream)
		tl->weight_l2_bytes = part;
	else
		tl->weight_l2_bytes = 0;
	if (single_ddr)
		tl->weight_l2_bytes = 0;
	tl->weight_home = tl->weight_l2_bytes ? AX_MEM_L2 : AX_MEM_DDR;
	uint64_t l2_data = (l2_free - tl->weight_l2_bytes) / nl;
	place(&s, last_use, l1_budget, l2_data, l1_ok, tl->tensors, tl->peak_bytes,
	      &tl->spilled_bytes);
	/* DDR addresses of the activations in DDR (inputs, outputs, spills),
	 * one region per lane above every instance's weight section */
	tl->ddr_weight_stride = (weights + AX_DDR_ALIGN - 1) / AX_DDR_ALIGN * AX_DDR_ALIGN;
	uint64_t act_base = tl->ddr_weight_stride * copies, next = act_base;
	for (uint32_t i = 0; i < net->n_layers; i++) {
		struct ax_placement *pl = &tl->tensors[i];
		uint64_t ddr_part = pl->home == AX_MEM_DDR ? pl->bytes
				  : pl->home == AX_MEM_L2 ? pl->bytes - pl->l2_bytes : 0;
		if (!ddr_part)
			continue;
		pl->ddr_addr = next;
		next += (ddr_part + AX_DDR_PAGE - 1) / AX_DDR_PAGE * AX_DDR_PAGE;
	}
	tl->ddr_copy_stride = (next - act_base + AX_DDR_ALIGN - 1) / AX_DDR_ALIGN * AX_DDR_ALIGN;
	uint64_t acts_end = act_base + lanes * tl->ddr_copy_stride;
	tl->dma_sys_channels = c->v[AX_CC_DMA_DUAL_CHANNEL] ? (uint32_t)a->dma_sys_channels : 1;
	tl->dma_core_channels = c->v[AX_CC_DMA_DUAL_CHANNEL] ? (uint32_t)a->dma_core_channels : 1;

	for (uint32_t i = 0; i < net->n_layers; i++) {
		struct ax_layer_plan *p = &tl->plans[i];
		const struct layer_info *inf = &s.li[i];
		p->macs = ax_layer_macs(net, &net->layers[i]);
		p->main_unit = inf->imc || inf->dyn ? AX_U_IMC : inf->dwpu ? AX_U_DWPU : AX_U_DPU;
		p->icr = inf->icr;
		p->merged_into = inf->merged_into;
		p->group = inf->group;
		p->group_size = s.glast[inf->group] - s.gfirst[inf->group] + 1;
		p->weights_resident = p->group_size > 1;
		if (inf->imc || inf->dyn) {
			p->row_tiles = inf->map.row_tiles;
			p->col_tiles = inf->map.col_tiles;
			p->rows_used = inf->icr > 1 ? inf->window_rows : inf->map.rows;
			p->cols_used = inf->map.cols * inf->icr;
		}
	}

	/* the constants: one block per layer as large as the largest layer's
	 * (cout x dpu.const_bytes_per_channel); the tasklists follow */
	uint64_t max_cout = 1;
	for (uint32_t i = 0; i < net->n_layers; i++)
		if (net->layers[i].out.c > max_cout)
			max_cout = net->layers[i].out.c;
	s.const_stride = (max_cout * a->dpu_const_bytes_per_channel + AX_DDR_PAGE - 1) / AX_DDR_PAGE * AX_DDR_PAGE;
	s.const_base = acts_end;
	tl->ddr_tasklist_base = (acts_end + net->n_layers * s.const_stride + AX_DDR_ALIGN - 1) /
				AX_DDR_ALIGN * AX_DDR_ALIGN;
	s.done = ax_xcalloc(net->n_layers, sizeof(*s.done));
	s.prev = ax_xcalloc((size_t)lanes * net->n_layers, sizeof(*s.prev));
	s.batch_prev = ax_xcalloc(lanes, sizeof(*s.batch_prev));
	s.batch_cur = ax_xcalloc(lanes, sizeof(*s.batch_cur));
	s.last_use = last_use;
	uint32_t n_inf = tl->inferences ? tl->inferences : 1;
	tl->inferences = n_inf;
	for (s.infer = 0; s.infer < n_inf; s.infer++) {
		for (uint32_t ln = 0; ln < lanes; ln++) {
			struct idlist t = s.batch_prev[ln];
			s.batch_prev[ln] = s.batch_cur[ln];
			s.batch_cur[ln] = t;
		}
		for (uint32_t ln = 0; ln < lanes; ln++)
			lower_copy(&s, ln, cone_target);
	}
	for (size_t i = 0; i < net->n_layers; i++)
		span_free(&s.done[i]);
	for (size_t i = 0; i < (size_t)lanes * net->n_layers; i++)
		free(s.prev[i].v);
	for (uint32_t ln = 0; ln < lanes; ln++) {
		free(s.batch_prev[ln].v);
		free(s.batch_cur[ln].v);
	}
	free(s.batch_prev);
	free(s.batch_cur);
	if (s.cfg)
		for (size_t i = 0; i < (size_t)ncores * s.cfg_sets; i++)
			free(s.cfg[i].v);
	free(s.cfg);
	free(s.cfg_slot);
	free(s.pgate.v);
	free(s.task_epoch);
	free(s.setup_deps.v);
	free(s.gstage);
	free(s.woff);
	free(s.prev);
	free(s.gate.v);
	free(s.done);
	free(last_use);
	for (uint32_t k = 0; k < ncores; k++) {
		free(s.cs[k].slot_used);
		free(s.cs[k].slot_last);
	}
	free(s.li);
	free(s.gfirst);
	free(s.glast);
	/* plans accumulated over copies and inferences: keep one's figures */
	for (size_t i = 0; i < net->n_layers; i++) {
		tl->plans[i].passes /= (uint64_t)lanes * n_inf;
		tl->plans[i].weight_bytes /= (uint64_t)lanes * n_inf;
		tl->plans[i].runtime_weight_bytes /= (uint64_t)lanes * n_inf;
	}

	/* the tasklist: one descriptor per task, per core */
	uint64_t per_core[MAX_CORES] = { 0 };
	for (size_t i = 0; i < tl->n_tasks; i++)
		per_core[tl->tasks[i].core]++;
	uint64_t most = 0;
	for (uint32_t k = 0; k < ncores; k++)
		if (per_core[k] > most)
			most = per_core[k];
	tl->tasklist_bytes = most / n_inf * a->ctrl_descriptor_bytes;
	/* each core's region holds one inference's descriptors; later inferences
	 * fetch the same ones again */
	tl->ddr_tasklist_stride = (tl->tasklist_bytes + AX_DDR_ALIGN - 1) / AX_DDR_ALIGN * AX_DDR_ALIGN;
	tl->tasklist_chunks = 1;
	if (!in_ddr) {
		uint64_t share = reserve_copy / cpc;
		if (share < a->ctrl_descriptor_bytes * a->ctrl_fetch_batch)
			return ax_err_add(err, "%sthe L2 tasklist reserve gives each of %u cores %llu bytes; expected at least one fetch of %llu bytes (controller.fetch_batch x controller.descriptor_size)",
					  cc_where(c, AX_CC_L2_RESERVED_TASKLIST, "l2.tasklist_reserve: ", w, sizeof(w)),
					  ncores, (unsigned long long)share,
					  (unsigned long long)(a->ctrl_descriptor_bytes * a->ctrl_fetch_batch));
		tl->tasklist_chunks = (uint32_t)div_ceil(tl->tasklist_bytes, share);
		if (tl->tasklist_chunks > 1 && !c->v[AX_CC_STREAM_TASKLIST])
			return ax_err_add(err, "the tasklist of %llu bytes per core does not fit its %llu-byte share of the L2 reserve (l2_reserved_nbytes_tasklist) and stream_tasklist is false; expected a larger reserve, elf_in_ddr true, or stream_tasklist true",
					  (unsigned long long)tl->tasklist_bytes, (unsigned long long)share);
	}
	return AX_OK;
}
