#include "lower.h"

#include <stdlib.h>
#include <string.h>

#include "compute.h"

#define MAX_CORES 64

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

/* Per-core state carried from layer to layer: which task last used each IMC
 * weight set and each L1 weight-staging buffer (docs/timing-model.md
 * "Weight writes"). */
struct core_state {
	uint64_t loads;                 /* weight sets filled so far */
	int set_used[64];
	uint32_t set_last[64];          /* last MVM task that computed on the set */
	uint64_t stages;                /* weight staging buffers filled so far */
	int stage_used[2];
	uint32_t stage_last[2];         /* IMC load that drained the staging buffer */
};

struct lstate {
	const struct ax_net *net;
	const struct ax_arch *a;
	const struct ax_ccfg *c;
	struct ax_tasklist *tl;
	uint32_t cpc;                   /* cores per copy */
	struct idlist *done;            /* per layer: tasks that complete its output (current copy) */
	struct core_state cs[MAX_CORES];
	enum ax_mem const_home;
};

static uint64_t div_ceil(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* ---- placement (docs/timing-model.md "Placement") ---- */

static void place(const struct ax_net *net, const uint32_t *last_use, uint64_t l1_budget,
		  uint64_t l2_budget, int l1_allowed, struct ax_placement *out,
		  uint64_t peak[AX_MEM_COUNT])
{
	uint64_t used[AX_MEM_COUNT] = { 0 };
	memset(peak, 0, sizeof(uint64_t) * AX_MEM_COUNT);
	for (size_t i = 0; i < net->n_layers; i++) {
		const struct ax_layer *l = &net->layers[i];
		uint64_t b = ax_shape_bytes(l->out);
		enum ax_mem m;
		if (l->op == AX_OP_INPUT || l->is_output)
			m = AX_MEM_DDR; /* the host writes inputs and reads outputs in DDR */
		else if (l1_allowed && used[AX_MEM_L1] + b <= l1_budget)
			m = AX_MEM_L1;
		else if (used[AX_MEM_L2] + b <= l2_budget)
			m = AX_MEM_L2;
		else
			m = AX_MEM_DDR;
		out[i].home = m;
		out[i].bytes = b;
		used[m] += b;
		if (used[m] > peak[m])
			peak[m] = used[m];
		/* free what this layer was the last to read */
		for (uint32_t k = 0; k < l->n_in; k++) {
			uint32_t p = l->in[k];
			if (last_use[p] == i && !net->layers[p].is_output) {
				int dup = 0; /* the same input listed twice */
				for (uint32_t q = 0; q < k; q++)
					dup |= l->in[q] == p;
				if (!dup)
					used[out[p].home] -= out[p].bytes;
			}
		}
		if (last_use[i] == i && !l->is_output)
			used[m] -= b; /* never read */
	}
}

/* ---- task helpers ---- */

static uint32_t add_task(struct lstate *s, struct ax_task *t, const struct idlist *deps)
{
	return ax_tasklist_add(s->tl, t, deps ? deps->v : NULL, deps ? (uint32_t)deps->n : 0);
}

static uint32_t add_dma(struct lstate *s, uint32_t core, uint32_t layer, uint32_t copy,
			enum ax_mem src, enum ax_mem dst, enum ax_kind kind, uint64_t bytes,
			const struct idlist *deps)
{
	struct ax_task t = { 0 };
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
	} else if (l->op == AX_OP_DENSE || l->op == AX_OP_GLOBALPOOL || in->h == 1) {
		*i0 = 0;
		*i1 = in->h;
	} else {
		*i0 = r0;
		*i1 = r1 < in->h ? r1 : in->h;
	}
}

/* Brings the input rows a strip needs into L1 when they live elsewhere; adds
 * the resulting dependencies to deps. */
static void fetch_inputs(struct lstate *s, uint32_t core, uint32_t li, uint32_t copy,
			 uint32_t r0, uint32_t r1, struct idlist *deps)
{
	const struct ax_layer *l = &s->net->layers[li];
	for (uint32_t k = 0; k < l->n_in; k++) {
		uint32_t p = l->in[k];
		const struct ax_layer *pl = &s->net->layers[p];
		struct idlist *pd = &s->done[p];
		if (s->tl->tensors[p].home == AX_MEM_L1) {
			id_append(deps, pd);
			continue;
		}
		uint32_t i0, i1;
		input_rows(l, &pl->out, r0, r1, &i0, &i1);
		uint64_t bytes = (uint64_t)(i1 - i0) * pl->out.w * pl->out.c;
		if (!bytes)
			continue;
		uint32_t id = add_dma(s, core, li, copy, s->tl->tensors[p].home, AX_MEM_L1,
				      AX_KIND_ACT, bytes, pd);
		id_push(deps, id);
	}
}

/* After a strip's compute task, write its rows to the tensor's home. */
static uint32_t store_output(struct lstate *s, uint32_t core, uint32_t li, uint32_t copy,
			     uint32_t r0, uint32_t r1, uint32_t compute)
{
	const struct ax_layer *l = &s->net->layers[li];
	enum ax_mem home = s->tl->tensors[li].home;
	if (home == AX_MEM_L1)
		return compute;
	struct idlist d = { 0 };
	id_push(&d, compute);
	uint64_t bytes = (uint64_t)(r1 - r0) * l->out.w * l->out.c;
	uint32_t id = add_dma(s, core, li, copy, AX_MEM_L1, home, AX_KIND_ACT, bytes, &d);
	free(d.v);
	return id;
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

/* ---- layers on the IMC (docs/timing-model.md "IMC layers") ---- */

static void lower_imc(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
		      uint32_t r0, uint32_t r1, struct idlist *done)
{
	const struct ax_arch *a = s->a;
	const struct ax_layer *l = &s->net->layers[li];
	struct core_state *cs = &s->cs[core];
	struct ax_imc_map m;
	ax_imc_map_layer(s->net, l, a, &m);
	uint32_t rows = r1 - r0;
	uint64_t part_bytes = (uint64_t)rows * l->out.w * l->out.c;
	uint32_t ns = strips_for(rows, part_bytes);
	uint32_t sets = (uint32_t)a->imc_weight_sets;

	/* per-channel requantisation constants (hybrid quantisation only) */
	struct idlist cdeps = { 0 };
	if (s->c->v[AX_CC_PTQ_SCHEME] == AX_PTQ_HYBRID_PER_TENSOR_PER_CHANNEL) {
		uint64_t cb = (uint64_t)l->cout * a->dpu_const_bytes_per_channel;
		id_push(&cdeps, add_dma(s, core, li, copy, s->const_home, AX_MEM_L1, AX_KIND_CONST, cb, NULL));
	}
	uint32_t *last_mvm = ax_xcalloc(ns, sizeof(uint32_t));
	uint64_t bias_bytes = l->has_bias ? 4ull * l->cout : 0;
	for (uint32_t t = 0; t < m.tiles; t++) {
		uint32_t tr, tc;
		ax_imc_tile_dims(&m, a, t, &tr, &tc);
		uint64_t wbytes = (uint64_t)tr * tc;
		uint32_t rt = (t % (m.row_tiles * m.col_tiles)) / m.col_tiles;
		/* weights into an L1 staging buffer (two of them, used in turn) */
		struct idlist d = { 0 };
		uint32_t stage = (uint32_t)(cs->stages++ % 2);
		if (cs->stage_used[stage])
			id_push(&d, cs->stage_last[stage]);
		uint32_t wdma = add_dma(s, core, li, copy, s->tl->weight_home, AX_MEM_L1, AX_KIND_WEIGHTS,
					wbytes + (t == 0 ? bias_bytes : 0), &d);
		d.n = 0;
		/* then into the next weight set, once its previous tile is done */
		id_push(&d, wdma);
		uint32_t set = (uint32_t)(cs->loads++ % sets);
		if (cs->set_used[set])
			id_push(&d, cs->set_last[set]);
		struct ax_task lt = { 0 };
		lt.kind = AX_T_IMC_LOAD;
		lt.unit = AX_U_IMC;
		lt.core = core;
		lt.layer = li;
		lt.copy = copy;
		lt.bytes = wbytes;
		lt.l1_read = wbytes;
		lt.cycles = ax_imc_load_cycles(a, wbytes);
		uint32_t load = add_task(s, &lt, &d);
		cs->stage_used[stage] = 1;
		cs->stage_last[stage] = load;
		for (uint32_t si = 0; si < ns; si++) {
			uint32_t s0 = r0 + (uint32_t)((uint64_t)rows * si / ns);
			uint32_t s1 = r0 + (uint32_t)((uint64_t)rows * (si + 1) / ns);
			uint64_t pixels = (uint64_t)(s1 - s0) * l->out.w;
			d.n = 0;
			id_push(&d, load);
			fetch_inputs(s, core, li, copy, s0, s1, &d);
			if (t > 0)
				id_push(&d, last_mvm[si]); /* partial sums of the previous tile */
			struct ax_task mt = { 0 };
			mt.kind = AX_T_MVM;
			mt.unit = AX_U_IMC;
			mt.core = core;
			mt.layer = li;
			mt.copy = copy;
			mt.passes = pixels;
			mt.macs = pixels * tr * tc;
			mt.cycles = ax_mvm_cycles(a, pixels, tc);
			mt.l1_read = pixels * tr;                 /* the input vectors */
			if (rt > 0)
				mt.l1_read += pixels * tc * 4;    /* partial sums read back */
			if (rt + 1 < m.row_tiles)
				mt.l1_write = pixels * tc * 4;    /* partial sums kept */
			last_mvm[si] = add_task(s, &mt, &d);
		}
		free(d.v);
		cs->set_used[set] = 1;
		cs->set_last[set] = last_mvm[ns - 1];
		s->tl->plans[li].passes += (uint64_t)rows * l->out.w;
		s->tl->plans[li].weight_bytes += wbytes;
	}
	/* requantisation and activation on the DPU, strip by strip */
	for (uint32_t si = 0; si < ns; si++) {
		uint32_t s0 = r0 + (uint32_t)((uint64_t)rows * si / ns);
		uint32_t s1 = r0 + (uint32_t)((uint64_t)rows * (si + 1) / ns);
		uint64_t elems = (uint64_t)(s1 - s0) * l->out.w * l->out.c;
		struct idlist d = { 0 };
		id_push(&d, last_mvm[si]);
		id_append(&d, &cdeps);
		struct ax_task dt = { 0 };
		dt.kind = AX_T_DPU;
		dt.unit = AX_U_DPU;
		dt.core = core;
		dt.layer = li;
		dt.copy = copy;
		dt.cycles = ax_dpu_cycles(a, elems);
		dt.l1_write = elems;
		uint32_t dpu = add_task(s, &dt, &d);
		free(d.v);
		id_push(done, store_output(s, core, li, copy, s0, s1, dpu));
	}
	free(last_mvm);
	free(cdeps.v);
}

/* ---- layers on the DPU or DWPU (docs/timing-model.md "Vector layers") ---- */

static void lower_vector(struct lstate *s, uint32_t li, uint32_t core, uint32_t copy,
			 uint32_t r0, uint32_t r1, struct idlist *done)
{
	const struct ax_arch *a = s->a;
	const struct ax_net *net = s->net;
	const struct ax_layer *l = &net->layers[li];
	uint32_t rows = r1 - r0;
	uint64_t part_bytes = (uint64_t)rows * l->out.w * l->out.c;
	uint32_t ns = strips_for(rows, part_bytes);
	int dw = ax_layer_is_depthwise(net, l) || l->op == AX_OP_MAXPOOL ||
		 l->op == AX_OP_AVGPOOL || l->op == AX_OP_GLOBALPOOL || l->op == AX_OP_RESIZE;
	struct idlist wdeps = { 0 };
	if (ax_layer_is_depthwise(net, l)) {
		/* depthwise weights and biases go to the DWPU through L1 */
		uint64_t wb = ax_layer_weight_size(net, l);
		uint64_t part = div_ceil(wb * rows, l->out.h);
		id_push(&wdeps, add_dma(s, core, li, copy, s->tl->weight_home, AX_MEM_L1,
					AX_KIND_WEIGHTS, part, NULL));
	}
	for (uint32_t si = 0; si < ns; si++) {
		uint32_t s0 = r0 + (uint32_t)((uint64_t)rows * si / ns);
		uint32_t s1 = r0 + (uint32_t)((uint64_t)rows * (si + 1) / ns);
		uint64_t out_elems = (uint64_t)(s1 - s0) * l->out.w * l->out.c;
		uint64_t in_elems = 0, macs = 0;
		for (uint32_t k = 0; k < l->n_in; k++) {
			const struct ax_layer *p = &net->layers[l->in[k]];
			uint32_t i0, i1;
			input_rows(l, &p->out, s0, s1, &i0, &i1);
			in_elems += (uint64_t)(i1 - i0) * p->out.w * p->out.c;
		}
		if (l->op == AX_OP_CONV)
			macs = out_elems * l->kh * l->kw;
		else if (l->op == AX_OP_MAXPOOL || l->op == AX_OP_AVGPOOL)
			macs = out_elems * l->kh * l->kw; /* window reads */
		struct idlist d = { 0 };
		id_append(&d, &wdeps);
		fetch_inputs(s, core, li, copy, s0, s1, &d);
		struct ax_task t = { 0 };
		t.kind = dw ? AX_T_DWPU : AX_T_DPU;
		t.unit = dw ? AX_U_DWPU : AX_U_DPU;
		t.core = core;
		t.layer = li;
		t.copy = copy;
		t.l1_read = in_elems;
		t.l1_write = out_elems;
		if (dw) {
			uint64_t elems = l->op == AX_OP_GLOBALPOOL ? in_elems : out_elems;
			t.cycles = ax_dwpu_cycles(a, macs, elems);
			if (l->op == AX_OP_CONV)
				t.macs = macs;
		} else {
			uint64_t e = (in_elems > out_elems ? in_elems : out_elems) * ax_dpu_passes(l);
			t.cycles = ax_dpu_cycles(a, e);
		}
		uint32_t id = add_task(s, &t, &d);
		free(d.v);
		id_push(done, store_output(s, core, li, copy, s0, s1, id));
	}
	free(wdeps.v);
}

/* Rows [r0, r1) of layer li's output that core k of the copy computes. */
static void split_rows(uint32_t h, uint32_t k, uint32_t n, uint32_t *r0, uint32_t *r1)
{
	*r0 = (uint32_t)((uint64_t)h * k / n);
	*r1 = (uint32_t)((uint64_t)h * (k + 1) / n);
}

static int lower_copy(struct lstate *s, uint32_t copy)
{
	const struct ax_net *net = s->net;
	for (size_t i = 0; i < net->n_layers; i++)
		s->done[i].n = 0;
	for (uint32_t li = 0; li < net->n_layers; li++) {
		const struct ax_layer *l = &net->layers[li];
		struct ax_layer_plan *plan = &s->tl->plans[li];
		if (l->op == AX_OP_INPUT)
			continue;
		int imc = ax_layer_on_imc(net, l);
		if (copy == 0) {
			plan->macs = ax_layer_macs(net, l);
			if (imc) {
				struct ax_imc_map m;
				ax_imc_map_layer(net, l, s->a, &m);
				plan->row_tiles = m.row_tiles * m.groups;
				plan->col_tiles = m.col_tiles;
				plan->main_unit = AX_U_IMC;
			} else {
				plan->main_unit = (ax_layer_is_depthwise(net, l) || l->op == AX_OP_MAXPOOL ||
						   l->op == AX_OP_AVGPOOL || l->op == AX_OP_GLOBALPOOL ||
						   l->op == AX_OP_RESIZE) ? AX_U_DWPU : AX_U_DPU;
			}
		}
		/* a layer split over several cores waits for all of its inputs on
		 * every core (the barrier of docs/timing-model.md "Several cores") */
		for (uint32_t k = 0; k < s->cpc; k++) {
			uint32_t r0, r1;
			split_rows(l->out.h, k, s->cpc, &r0, &r1);
			if (r0 == r1)
				continue;
			uint32_t core = copy * s->cpc + k;
			struct idlist part = { 0 };
			if (imc)
				lower_imc(s, li, core, copy, r0, r1, &part);
			else
				lower_vector(s, li, core, copy, r0, r1, &part);
			id_append(&s->done[li], &part);
			free(part.v);
		}
		if (copy == 0 && !imc)
			s->tl->plans[li].passes = 0;
	}
	/* plans were filled on every copy by lower_imc; keep one copy's worth */
	return AX_OK;
}

int ax_lower(const struct ax_net *net, const struct ax_arch *a,
	     const struct ax_ccfg *c, struct ax_tasklist *tl, struct ax_err *err)
{
	uint32_t cpc = (uint32_t)c->v[AX_CC_AIPU_CORES_USED];
	uint32_t copies = (uint32_t)(c->v[AX_CC_AIPU_CORES] / c->v[AX_CC_AIPU_CORES_USED]);
	uint32_t ncores = cpc * copies;
	if (ncores > a->chip_cores || ncores > MAX_CORES)
		return ax_err_add(err, "the configuration needs %u cores (%u copies x %u cores each) but the chip has %llu (chip.cores)",
				  ncores, copies, cpc, (unsigned long long)a->chip_cores);
	tl->n_cores = ncores;
	tl->copies = copies;
	tl->cores_per_copy = cpc;
	/* the model's clock_profile, when it sets one, selects the clock */
	tl->clock_hz = c->origin[AX_CC_CLOCK_PROFILE].file
			       ? ax_ccfg_clock_mhz(c) * 1000000ull
			       : a->chip_clock_hz;
	tl->mvm_limit_pct = (uint32_t)c->v[AX_CC_MVM_LIMITATION];
	tl->n_layers = net->n_layers;
	tl->tensors = ax_xcalloc(net->n_layers, sizeof(*tl->tensors));
	tl->plans = ax_xcalloc(net->n_layers, sizeof(*tl->plans));

	/* the ELF's home: DDR, or a reserve in L2 (docs/timing-model.md "ELF placement") */
	int in_ddr = c->v[AX_CC_ELF_IN_DDR] != 0;
	tl->tasklist_home = in_ddr ? AX_MEM_DDR : AX_MEM_L2;
	if (!in_ddr)
		tl->tasklist_reserve = c->v[AX_CC_L2_RESERVED_TASKLIST]
					       ? (uint64_t)c->v[AX_CC_L2_RESERVED_TASKLIST]
					       : a->l2_tasklist_reserve * ncores;
	uint64_t l2_free = a->l2_size - a->l2_reserved;
	if (tl->tasklist_reserve >= l2_free)
		return ax_err_add(err, "the tasklist reserve of %llu bytes leaves no L2 for data (l2.size - l2.reserved = %llu bytes)",
				  (unsigned long long)tl->tasklist_reserve, (unsigned long long)l2_free);
	l2_free -= tl->tasklist_reserve;

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
	uint64_t weights = ax_net_layout_weights((struct ax_net *)net);
	tl->weight_bytes = weights;
	/* Weights stay resident in L2 (loaded once, before the first inference)
	 * when they fit beside every copy's activations; otherwise every
	 * inference streams them from DDR. */
	uint64_t peak[AX_MEM_COUNT];
	place(net, last_use, l1_budget, l2_free / copies, cpc == 1, tl->tensors, peak);
	uint64_t act_l2 = peak[AX_MEM_L2] * copies;
	tl->weight_home = (weights + act_l2 <= l2_free) ? AX_MEM_L2 : AX_MEM_DDR;
	uint64_t l2_data = l2_free - (tl->weight_home == AX_MEM_L2 ? weights : 0);
	place(net, last_use, l1_budget, l2_data / copies, cpc == 1, tl->tensors, tl->peak_bytes);
	free(last_use);

	struct lstate s = { .net = net, .a = a, .c = c, .tl = tl, .cpc = cpc };
	s.const_home = tl->tasklist_home;
	s.done = ax_xcalloc(net->n_layers, sizeof(*s.done));
	for (uint32_t cp = 0; cp < copies; cp++)
		lower_copy(&s, cp);
	for (size_t i = 0; i < net->n_layers; i++)
		free(s.done[i].v);
	free(s.done);
	/* plans accumulated over copies: keep one copy's figures */
	for (size_t i = 0; i < net->n_layers; i++) {
		tl->plans[i].passes /= copies;
		tl->plans[i].weight_bytes /= copies;
	}

	/* the tasklist: one descriptor per task, per core */
	uint64_t per_core[MAX_CORES] = { 0 };
	for (size_t i = 0; i < tl->n_tasks; i++)
		per_core[tl->tasks[i].core]++;
	uint64_t most = 0;
	for (uint32_t k = 0; k < ncores; k++)
		if (per_core[k] > most)
			most = per_core[k];
	tl->tasklist_bytes = most * a->ctrl_descriptor_bytes;
	tl->tasklist_chunks = 1;
	if (!in_ddr) {
		uint64_t share = tl->tasklist_reserve / ncores;
		if (share < a->ctrl_descriptor_bytes * a->ctrl_fetch_batch)
			return ax_err_add(err, "the L2 tasklist reserve gives each of %u cores %llu bytes; expected at least one fetch of %llu bytes (controller.fetch_batch x controller.descriptor_size)",
					  ncores, (unsigned long long)share,
					  (unsigned long long)(a->ctrl_descriptor_bytes * a->ctrl_fetch_batch));
		tl->tasklist_chunks = (uint32_t)div_ceil(tl->tasklist_bytes, share);
	}
	return AX_OK;
}
