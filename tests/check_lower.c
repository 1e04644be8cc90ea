/*
 * check_lower.c - the lowering and the compute model against hand-computed
 * mappings, placements and task structure (docs/timing-model.md).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config/arch.h"
#include "config/ccfg.h"
#include "lower/compute.h"
#include "lower/lower.h"
#include "lower/tasklist.h"
#include "net/net.h"
#include "testutil.h"

static struct ax_arch_desc arch;

static void setup(void)
{
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_arch_load(&arch, NULL, &err), AX_OK);
	ax_err_release(&err);
}

static void teardown(void)
{
	ax_arch_desc_release(&arch);
}

static struct ax_layer *input(struct ax_net *n, uint32_t h, uint32_t w, uint32_t c)
{
	struct ax_layer *l = ax_net_add_layer(n, "in", AX_OP_INPUT);
	l->out.h = h;
	l->out.w = w;
	l->out.c = c;
	return l;
}

static struct ax_layer *conv(struct ax_net *n, const char *name, uint32_t from, uint32_t cout,
			     uint32_t k, uint32_t stride, uint32_t groups)
{
	struct ax_layer *l = ax_net_add_layer(n, name, AX_OP_CONV);
	l->n_in = 1;
	l->in[0] = from;
	l->cout = cout;
	l->kh = l->kw = k;
	l->sh = l->sw = stride;
	l->pad_t = l->pad_l = l->pad_b = l->pad_r = k / 2;
	l->dh = l->dw = 1;
	l->groups = groups;
	l->has_bias = 1;
	return l;
}

static void infer(struct ax_net *n)
{
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_msg(ax_net_infer(n, &err) == AX_OK, "%s", ax_err_str(&err));
	ax_err_release(&err);
}

static void cfg_default(struct ax_ccfg *c, int cores, int used)
{
	ax_ccfg_init(c);
	c->v[AX_CC_AIPU_CORES] = cores;
	c->v[AX_CC_AIPU_CORES_USED] = used;
}

static size_t count(const struct ax_tasklist *tl, enum ax_task_kind k, int core)
{
	size_t n = 0;
	for (size_t i = 0; i < tl->n_tasks; i++)
		n += tl->tasks[i].kind == k && (core < 0 || tl->tasks[i].core == (uint32_t)core);
	return n;
}

/* 1x1 conv 512 -> 512 on 56x56: one full tile, 3136 passes of 8 cycles. */
START_TEST(test_map_full_tile)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 56, 56, 512);
	conv(&n, "c", 0, 512, 1, 1, 1);
	infer(&n);
	struct ax_imc_map m;
	ax_imc_map_layer(&n, &n.layers[1], &arch.arch, &m);
	ck_assert_uint_eq(m.rows, 512);
	ck_assert_uint_eq(m.cols, 512);
	ck_assert_uint_eq(m.tiles, 1);
	ck_assert_uint_eq(ax_mvm_cycles(&arch.arch, 56 * 56, 512), 16 + 56 * 56 * 8);

	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(tl.plans[1].passes, 3136);
	ck_assert_uint_eq(tl.plans[1].row_tiles, 1);
	ck_assert_uint_eq(tl.plans[1].weight_bytes, 512 * 512);
	uint64_t macs = 0, passes = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		macs += tl.tasks[i].macs;
		passes += tl.tasks[i].passes;
	}
	ck_assert_uint_eq(macs, ax_layer_macs(&n, &n.layers[1]));
	ck_assert_uint_eq(passes, 3136);
	ck_assert_uint_eq(count(&tl, AX_T_IMC_LOAD, -1), 1);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* 3x3 conv 64 -> 64: 576 rows -> two row tiles (512 + 64) whose partial sums
 * go through L1; a 1024-output dense layer needs two column tiles. */
START_TEST(test_map_tiles)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 28, 28, 64);
	conv(&n, "c", 0, 64, 3, 1, 1);
	struct ax_layer *d = ax_net_add_layer(&n, "fc", AX_OP_DENSE);
	d->n_in = 1;
	d->in[0] = 1;
	d->cout = 1024;
	infer(&n);
	struct ax_imc_map m;
	ax_imc_map_layer(&n, &n.layers[1], &arch.arch, &m);
	ck_assert_uint_eq(m.rows, 576);
	ck_assert_uint_eq(m.row_tiles, 2);
	uint32_t r, c;
	ax_imc_tile_dims(&m, &arch.arch, 1, &r, &c);
	ck_assert_uint_eq(r, 64);
	ck_assert_uint_eq(c, 64);
	ax_imc_map_layer(&n, &n.layers[2], &arch.arch, &m);
	ck_assert_uint_eq(m.rows, 28 * 28 * 64);
	ck_assert_uint_eq(m.col_tiles, 2);
	ck_assert_uint_eq(m.tiles, 98 * 2);
	/* results leave at imc.results_per_cycle: at the default 64 a 512-column
	 * pass drains in 8 cycles, as long as the bit-serial pass itself; at 32
	 * the drain (16 cycles) is what bounds a full-width pass, and a
	 * 64-column one is still bounded by imc.cycles_per_pass */
	uint64_t start = arch.arch.unit_start_cycles;
	ck_assert_uint_eq(ax_mvm_cycles(&arch.arch, 1, 512) - start, 8);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_arch_set(&arch, "imc.results_per_cycle=32", &err), AX_OK);
	ck_assert_uint_eq(ax_mvm_cycles(&arch.arch, 1, 512) - start, 16);
	ck_assert_uint_eq(ax_mvm_cycles(&arch.arch, 10, 512) - start, 160);
	ck_assert_uint_eq(ax_mvm_cycles(&arch.arch, 1, 64) - start, 8);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* Depthwise convolutions and pools run on the DWPU, adds on the DPU. */
START_TEST(test_units)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 16, 16, 32);
	conv(&n, "dw", 0, 32, 3, 1, 32);
	struct ax_layer *p = ax_net_add_layer(&n, "pool", AX_OP_MAXPOOL);
	p->n_in = 1;
	p->in[0] = 1;
	p->kh = p->kw = p->sh = p->sw = 2;
	p->dh = p->dw = 1;
	infer(&n);
	ck_assert(ax_layer_is_depthwise(&n, &n.layers[1]));
	ck_assert(!ax_layer_on_imc(&n, &n.layers[1]));
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(count(&tl, AX_T_MVM, -1), 0);
	ck_assert_uint_ge(count(&tl, AX_T_DWPU, -1), 2);
	/* depthwise MACs: 16*16*32*9 at 256 MAC/cycle */
	uint64_t macs = 0;
	for (size_t i = 0; i < tl.n_tasks; i++)
		macs += tl.tasks[i].macs;
	ck_assert_uint_eq(macs, 16 * 16 * 32 * 9);
	ck_assert_uint_eq(ax_dwpu_cycles(&arch.arch, 16 * 16 * 32 * 9, 16 * 16 * 32) - 16, 288);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* Placement by size: a small net stays in L1, a 640x640x32 tensor does not. */
START_TEST(test_placement)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 640, 640, 3);
	conv(&n, "big", 0, 32, 3, 1, 1);   /* 13.1 MB: too big for L1, fits L2 */
	conv(&n, "small", 1, 8, 3, 16, 1); /* 40x40x8 */
	conv(&n, "out", 2, 8, 1, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_int_eq(tl.tensors[0].home, AX_MEM_DDR); /* input from the host */
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_L2);
	ck_assert_int_eq(tl.tensors[2].home, AX_MEM_L1);
	ck_assert_int_eq(tl.tensors[3].home, AX_MEM_DDR); /* output to the host */
	ck_assert_int_eq(tl.weight_home, AX_MEM_L2);
	/* with a 1 MiB L2 (what-if) the big tensor spills to DDR */
	ax_tasklist_release(&tl);
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_arch_set(&arch, "l2.size=2MiB", &err), AX_OK);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	/* page_memory (default): the pages that fit stay in L2, the rest spills;
	 * the copy owns a quarter of L2 (one of four cores) less its weights */
	uint64_t copy_l2 = (2 * 1048576 - 1245184) / 4 - tl.weight_l2_bytes;
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_L2);
	ck_assert_uint_eq(tl.tensors[1].l2_bytes, copy_l2 / 65536 * 65536);
	ck_assert_uint_eq(tl.spilled_bytes, tl.tensors[1].bytes - tl.tensors[1].l2_bytes);
	/* the fetches of the big tensor read both parts */
	int from_l2 = 0, from_ddr = 0;
	for (size_t i = 0; i < tl.n_tasks; i++)
		if (tl.tasks[i].kind == AX_T_DMA && tl.tasks[i].layer == 2 && tl.tasks[i].dst == AX_MEM_L1) {
			from_l2 |= tl.tasks[i].src == AX_MEM_L2;
			from_ddr |= tl.tasks[i].src == AX_MEM_DDR;
		}
	ck_assert(from_l2 && from_ddr);
	ax_tasklist_release(&tl);
	/* without paging the whole buffer goes to DDR */
	c.v[AX_CC_PAGE_MEMORY] = 0;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_DDR);
	ck_assert_uint_eq(tl.spilled_bytes, tl.tensors[1].bytes);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* docs/memory.md "DMA": a layer split by output channels over the cores of
 * a cooperative copy stores each core's slice of an output in DDR as its real runs,
 * (c1 - c0) bytes per pixel, cout bytes apart, from the slice's first byte. */
START_TEST(test_channel_slice_runs)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 1, 4, 512);
	conv(&n, "fc", 0, 1024, 1, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 4, 4);
	c.v[AX_CC_MULTICORE_MODE] = AX_MC_COOPERATIVE;
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_DDR);
	uint64_t slices = 0, bytes = 0, base = tl.tensors[1].ddr_addr;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->kind != AX_T_DMA || t->dst != AX_MEM_DDR || t->layer != 1 || !t->bytes)
			continue;
		ck_assert_uint_gt(t->run_bytes, 0);
		ck_assert_uint_lt(t->run_bytes, 1024);
		ck_assert_uint_eq(t->run_stride, 1024);
		ck_assert_uint_eq(t->bytes, 4 * t->run_bytes);
		ck_assert_uint_eq((t->dst_addr - base) % t->run_bytes, 0);
		slices++;
		bytes += t->bytes;
	}
	ck_assert_uint_eq(slices, 4);
	ck_assert_uint_eq(bytes, 4 * 1024);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST


/* docs/timing-model.md "Multi-core modes".  Batch-1 copies replicate the
 * work per core.  Batch-4 (the default mode of a 4-core compilation) runs the
 * whole network on every core, each on its own input, with one copy of the
 * weights and the four cores starting an inference together.  Cooperative
 * splits the rows over the cores and keeps shared tensors in L2; pipeline
 * puts consecutive layers on different cores. */
START_TEST(test_cores)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 32, 32, 16);
	conv(&n, "a", 0, 16, 3, 1, 1);
	conv(&n, "b", 1, 16, 3, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 4, 1);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(tl.copies, 4);
	ck_assert_uint_eq(tl.lanes, 4);
	for (int k = 1; k < 4; k++)
		ck_assert_uint_eq(count(&tl, AX_T_MVM, k), count(&tl, AX_T_MVM, 0));
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_L1);
	ax_tasklist_release(&tl);

	/* Batch-4: one instance, four lanes, the same work on every core */
	cfg_default(&c, 4, 4);
	ax_tasklist_init(&tl);
	tl.inferences = 2;
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(tl.copies, 1);
	ck_assert_uint_eq(tl.lanes, 4);
	ck_assert_uint_eq(tl.mode, AX_MC_BATCH);
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_L1);
	uint64_t passes[4] = { 0 };
	for (size_t i = 0; i < tl.n_tasks; i++)
		passes[tl.tasks[i].core] += tl.tasks[i].passes;
	for (int k = 0; k < 4; k++)
		ck_assert_uint_eq(passes[k], 2 * 2 * 32 * 4); /* 2 inferences, 2 layers, 32 rows of 4 passes (r = 8) */
	/* the weights are shared: every core reads layer a's from the same address */
	uint64_t waddr = UINT64_MAX;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->kind != AX_T_DMA || t->data != AX_KIND_WEIGHTS || t->layer != 1)
			continue;
		if (waddr == UINT64_MAX)
			waddr = t->src_addr;
		ck_assert_uint_eq(t->src_addr, waddr);
	}
	ck_assert_uint_ne(waddr, UINT64_MAX);
	/* the batch starts together: core 0's second inference waits for the
	 * first inference of every other core */
	int waits_other = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->infer != 1 || t->core != 0)
			continue;
		for (uint32_t d = 0; d < t->n_deps; d++) {
			const struct ax_task *dt = &tl.tasks[ax_task_deps(&tl, t)[d]];
			waits_other |= dt->core != 0 && dt->infer == 0;
		}
	}
	ck_assert(waits_other);
	ax_tasklist_release(&tl);

	/* cooperative: the rows split over the cores, tensors in L2 */
	cfg_default(&c, 4, 4);
	c.v[AX_CC_MULTICORE_MODE] = AX_MC_COOPERATIVE;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(tl.copies, 1);
	ck_assert_uint_eq(tl.lanes, 1);
	ck_assert_uint_eq(tl.cores_per_copy, 4);
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_L2);
	memset(passes, 0, sizeof(passes));
	for (size_t i = 0; i < tl.n_tasks; i++)
		passes[tl.tasks[i].core] += tl.tasks[i].passes;
	for (int k = 0; k < 4; k++)
		ck_assert_uint_eq(passes[k], 2 * 8 * 4); /* 8 rows of 32 pixels, 8 per pass (r = 8), two layers */
	/* layer b on core 0 waits for layer a on every core (rows overlap) */
	waits_other = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->layer != 2 || t->core != 0)
			continue;
		for (uint32_t d = 0; d < t->n_deps; d++)
			waits_other |= tl.tasks[ax_task_deps(&tl, t)[d]].core != 0;
	}
	ck_assert(waits_other);
	ax_tasklist_release(&tl);

	/* pipeline over 2 cores: layer a on the first, b on the second, two
	 * instances */
	cfg_default(&c, 4, 2);
	c.v[AX_CC_MULTICORE_MODE] = AX_MC_PIPELINE;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(tl.copies, 2);
	ck_assert_uint_eq(tl.lanes, 2);
	ck_assert_uint_eq(tl.stage[1], 0);
	ck_assert_uint_eq(tl.stage[2], 1);
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->kind == AX_T_MVM)
			ck_assert_uint_eq(t->core, t->copy * 2 + (t->layer == 2));
	}
	ax_tasklist_release(&tl);

	cfg_default(&c, 4, 1);
	ck_assert_int_eq(ax_arch_set(&arch, "chip.cores=2", &err), AX_OK);
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_EINPUT);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "needs 4 cores"));
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* The ELF's home: the tasklist in DDR, in an L2 reserve, or streamed through
 * a reserve too small for it; hybrid quantisation fetches constants. */
START_TEST(test_elf_placement_and_ptq)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 128, 128, 16);
	conv(&n, "a", 0, 16, 3, 1, 1);
	conv(&n, "b", 1, 16, 3, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_int_eq(tl.tasklist_home, AX_MEM_DDR);
	ck_assert_uint_gt(tl.n_tasks, 16);
	ck_assert_uint_eq(tl.tasklist_bytes, tl.n_tasks * 64);
	size_t consts = 0;
	for (size_t i = 0; i < tl.n_tasks; i++)
		consts += tl.tasks[i].kind == AX_T_DMA && tl.tasks[i].data == AX_KIND_CONST;
	ck_assert_uint_eq(consts, 0);
	ax_tasklist_release(&tl);

	c.v[AX_CC_ELF_IN_DDR] = 0;
	c.v[AX_CC_PTQ_SCHEME] = AX_PTQ_HYBRID_PER_TENSOR_PER_CHANNEL;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_int_eq(tl.tasklist_home, AX_MEM_L2);
	ck_assert_uint_eq(tl.tasklist_reserve, 1048576);
	ck_assert_uint_eq(tl.tasklist_chunks, 1);
	consts = 0;
	for (size_t i = 0; i < tl.n_tasks; i++)
		if (tl.tasks[i].kind == AX_T_DMA && tl.tasks[i].data == AX_KIND_CONST) {
			consts++;
			ck_assert_uint_eq(tl.tasks[i].bytes, 16 * 8);
		}
	ck_assert_uint_eq(consts, 2); /* one table per layer */
	ax_tasklist_release(&tl);

	/* a reserve of 1 KiB holds 16 descriptors: the tasklist streams */
	c.v[AX_CC_L2_RESERVED_TASKLIST] = 1024;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(tl.tasklist_chunks, (tl.tasklist_bytes + 1023) / 1024);
	ck_assert_uint_gt(tl.tasklist_chunks, 1);
	ax_tasklist_release(&tl);

	/* smaller than one fetch: rejected with the reason */
	c.v[AX_CC_L2_RESERVED_TASKLIST] = 512;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_EINPUT);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "expected at least one fetch of 1024 bytes"));
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* docs/imc.md "In-core replication": a 3x3 convolution 16 -> 16 gets r = 8
 * (window 3 x (3 + 7) x 16 = 480 rows, 8 x 16 = 128 columns) and 8 times
 * fewer passes; the replicated block written is 480 x 128 bytes. */
START_TEST(test_icr)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 56, 56, 16);
	conv(&n, "c", 0, 16, 3, 1, 1);
	conv(&n, "wide", 1, 512, 1, 1, 1);  /* 512 columns: no room to replicate */
	infer(&n);
	uint32_t rows;
	ck_assert_uint_eq(ax_icr_factor(&n, &n.layers[1], &arch.arch, 1, &rows), 8);
	ck_assert_uint_eq(rows, 480);
	ck_assert_uint_eq(ax_icr_factor(&n, &n.layers[1], &arch.arch, 0, &rows), 1);
	ck_assert_uint_eq(ax_icr_factor(&n, &n.layers[2], &arch.arch, 1, &rows), 1);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist on, off;
	struct ax_err err;
	ax_err_init(&err);
	ax_tasklist_init(&on);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &on, &err), AX_OK);
	c.v[AX_CC_IN_CORE_REPLICATION] = 0;
	ax_tasklist_init(&off);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &off, &err), AX_OK);
	ck_assert_uint_eq(on.plans[1].icr, 8);
	ck_assert_uint_eq(off.plans[1].icr, 1);
	ck_assert_uint_eq(off.plans[1].passes, 56 * 56);
	ck_assert_uint_eq(on.plans[1].passes, 56 * 7);
	ck_assert_uint_eq(on.plans[1].weight_bytes, 480 * 128);
	ck_assert_uint_eq(off.plans[1].weight_bytes, 144 * 16);
	/* the same useful MACs either way */
	uint64_t m_on = 0, m_off = 0;
	for (size_t i = 0; i < on.n_tasks; i++)
		m_on += on.tasks[i].macs;
	for (size_t i = 0; i < off.n_tasks; i++)
		m_off += off.tasks[i].macs;
	ck_assert_uint_eq(m_on, m_off);
	ax_tasklist_release(&on);
	ax_tasklist_release(&off);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* docs/imc.md "Window layout": each kernel position's channels start on
 * imc.position_align (32) rows: 48 channels take 64 rows, so a 3x3 conv
 * 48 -> 48 needs 576 rows (two row tiles, no replication) where packed it
 * would need 432 (one tile); 96 channels are whole blocks; 24 channels take
 * 32 rows and 3 (padded to the word, 4) stay 4, the sub-words. */
START_TEST(test_position_align)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 160, 160, 48);
	conv(&n, "c48", 0, 48, 3, 1, 1);
	conv(&n, "p48", 1, 48, 1, 1, 1);
	conv(&n, "e96", 2, 96, 1, 1, 1);
	conv(&n, "c96", 3, 24, 3, 1, 1);
	conv(&n, "c24", 4, 24, 3, 1, 1);
	infer(&n);
	struct ax_imc_map m;
	uint32_t rows;
	ax_imc_map_layer(&n, &n.layers[1], &arch.arch, &m);
	ck_assert_uint_eq(m.rows, 9 * 64);
	ck_assert_uint_eq(m.row_tiles, 2);
	ck_assert_uint_eq(ax_icr_factor(&n, &n.layers[1], &arch.arch, 1, &rows), 1);
	/* a 1x1 48 -> 48: eight positions of 64 rows still fit, r = 8 */
	ck_assert_uint_eq(ax_icr_factor(&n, &n.layers[2], &arch.arch, 1, &rows), 8);
	ck_assert_uint_eq(rows, 512);
	ax_imc_map_layer(&n, &n.layers[4], &arch.arch, &m);
	ck_assert_uint_eq(m.rows, 9 * 96);
	ax_imc_map_layer(&n, &n.layers[5], &arch.arch, &m);
	ck_assert_uint_eq(m.rows, 9 * 32);
	/* packed (position_align 1): 432 rows, one tile, and 3x3 48 -> 48 gets
	 * no replication either way (two positions wider would need 576) */
	struct ax_arch packed = arch.arch;
	packed.imc_position_align = 1;
	ax_imc_map_layer(&n, &n.layers[1], &packed, &m);
	ck_assert_uint_eq(m.rows, 432);
	ck_assert_uint_eq(m.row_tiles, 1);
	ax_imc_map_layer(&n, &n.layers[5], &packed, &m);
	ck_assert_uint_eq(m.rows, 9 * 24);
	/* the passes double with the second row tile */
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_err err;
	ax_err_init(&err);
	struct ax_tasklist tl, tp;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ax_tasklist_init(&tp);
	ck_assert_int_eq(ax_lower(&n, &packed, &c, &tp, &err), AX_OK);
	ck_assert_uint_eq(tl.plans[1].passes, 2 * 160 * 160);
	ck_assert_uint_eq(tp.plans[1].passes, 160 * 160);
	ax_tasklist_release(&tl);
	ax_tasklist_release(&tp);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* docs/timing-model.md "Network inputs": a 640x640x3 input read by one 6x6
 * stride-2 conv with padding 2 (YOLOv5's stem, r = 8) is held and fetched as
 * 644 rows of 656 x 4 bytes, as the vendor documents. */
START_TEST(test_device_input)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 640, 640, 3);
	struct ax_layer *l = conv(&n, "stem", 0, 32, 6, 2, 1);
	l->pad_t = l->pad_l = l->pad_b = l->pad_r = 2;
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_err err;
	ax_err_init(&err);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(tl.plans[1].icr, 8);
	ck_assert_uint_eq(tl.tensors[0].bytes, 644ull * 656 * 4);
	uint64_t fetched = 0;
	for (size_t i = 0; i < tl.n_tasks; i++)
		if (tl.tasks[i].kind == AX_T_DMA && tl.tasks[i].data == AX_KIND_ACT &&
		    tl.tasks[i].src == AX_MEM_DDR && tl.tasks[i].layer == 1)
			fetched += tl.tasks[i].bytes;
	ck_assert_uint_eq(fetched, 644ull * 656 * 4);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* docs/imc.md "Weight slots": a 3x3 conv 512 -> 512 has 9 x 1 tiles of 16
 * slots each (144 > 64 slots): computed in groups of 2 tiles (half the store),
 * with partial sums through L1 between groups. */
START_TEST(test_weight_groups)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 14, 14, 512);
	conv(&n, "c", 0, 512, 3, 1, 1);
	infer(&n);
	struct ax_imc_map m;
	ax_imc_map_layer(&n, &n.layers[1], &arch.arch, &m);
	ck_assert_uint_eq(m.tiles, 9);
	ck_assert_uint_eq(ax_imc_group_size(&m, &arch.arch, 9 * 16), 2);
	ck_assert_uint_eq(ax_imc_group_size(&m, &arch.arch, 64), 9); /* fits: all at once */
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	struct ax_err err;
	ax_err_init(&err);
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(count(&tl, AX_T_IMC_LOAD, -1), 9);
	uint64_t pw = 0, pr = 0;
	for (size_t i = 0; i < tl.n_tasks; i++)
		if (tl.tasks[i].kind == AX_T_MVM) {
			pw += tl.tasks[i].l1_write;
			pr += tl.tasks[i].l1_read;
		}
	/* 5 groups: 4 hand partial sums (196 pixels x 512 x 4 bytes) on */
	ck_assert_uint_eq(pw, 4ull * 196 * 512 * 4);
	ck_assert_uint_ge(pr, 4ull * 196 * 512 * 4);
	ck_assert_uint_eq(tl.plans[1].passes, 9 * 196);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* docs/tiling.md: tiling_depth 3 fuses a chain of three convolutions into
 * one cone whose inner tensors live only as L1 row tiles; the cone's
 * weights are written once. */
START_TEST(test_cone)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 128, 128, 16);
	conv(&n, "a", 0, 16, 3, 1, 1);
	conv(&n, "b", 1, 16, 3, 1, 1);
	conv(&n, "c", 2, 16, 3, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	c.v[AX_CC_TILING_DEPTH] = 3;
	struct ax_tasklist tl;
	struct ax_err err;
	ax_err_init(&err);
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(tl.plans[1].group, tl.plans[3].group);
	ck_assert_uint_eq(tl.plans[1].group_size, 3);
	ck_assert(tl.tensors[1].fused && tl.tensors[2].fused);
	ck_assert(!tl.tensors[3].fused);
	ck_assert_uint_gt(tl.plans[3].cone_tiles, 1);
	ck_assert_uint_eq(count(&tl, AX_T_IMC_LOAD, -1), 3);
	/* halo rows are recomputed: inner layers make more passes than rows */
	ck_assert_uint_gt(tl.plans[1].passes, tl.plans[3].passes);
	/* but the useful MACs add up exactly */
	uint64_t macs = 0;
	for (size_t i = 0; i < tl.n_tasks; i++)
		macs += tl.tasks[i].macs;
	ck_assert_uint_eq(macs, ax_net_macs(&n));
	/* no DMA touches the fused tensors */
	for (size_t i = 0; i < tl.n_tasks; i++)
		if (tl.tasks[i].kind == AX_T_DMA && tl.tasks[i].data == AX_KIND_ACT)
			ck_assert(tl.tasks[i].layer == 1 || tl.tasks[i].layer == 3);
	ax_tasklist_release(&tl);
	/* depth 1: three groups */
	c.v[AX_CC_TILING_DEPTH] = 1;
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_ne(tl.plans[1].group, tl.plans[2].group);
	ck_assert(!tl.tensors[1].fused);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* Every dependency points backwards and every task belongs to a core in use. */
/* Errors of the lowering name where the value came from; resources_used
 * 1/copies written in thousandths (0.0625) is the share it means. */
START_TEST(test_located_errors)
{
	char *elf = ax_compiled(ax_src("models/tiny/tiny.net.yaml"));
	char *cfg = ax_tmp("ru.yaml");
	ax_write_file(cfg, "models:\n  tiny:\n    extra_kwargs:\n      aipu_cores: 4\n      compilation_config:\n"
			   "        backend_config: {resources_used: 0.3}\n");
	ax_expect_fail("ru.yaml:6:42: resources_used 0.3 for each of 4 copies is more than the chip has",
		       "run '%s' --quiet --config '%s'", elf, cfg);
	ax_write_file(cfg, "models:\n  tiny:\n    extra_kwargs:\n      aipu_cores: 4\n      compilation_config:\n"
			   "        backend_config: {elf_in_ddr: false, l2_reserved_nbytes_tasklist: 64}\n");
	ax_expect_fail("ru.yaml:6:74: the L2 tasklist reserve gives each of 4 cores 64 bytes",
		       "run '%s' --quiet --config '%s'", elf, cfg);
	ax_write_file(cfg, "models:\n  tiny:\n    extra_kwargs:\n      aipu_cores: 16\n      compilation_config:\n"
			   "        backend_config: {resources_used: 0.0625}\n");
	struct ax_run r = ax_run_axsim("run '%s' --quiet --config '%s' --set chip.cores=16", elf, cfg);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ax_run_free(&r);
	free(cfg);
	free(elf);
}
END_TEST

START_TEST(test_bundled_tasklists_wellformed)
{
	static const char *const nets[] = {
		"models/resnet50/resnet50.net.yaml", "models/mobilenetv2/mobilenetv2.net.yaml",
		"models/yolov5s/yolov5s.net.yaml", NULL
	};
	for (size_t k = 0; nets[k]; k++) {
		struct ax_net n;
		struct ax_err err;
		ax_err_init(&err);
		ax_net_init(&n);
		ck_assert_msg(ax_net_load_yaml(&n, ax_src(nets[k]), &err) == AX_OK, "%s", ax_err_str(&err));
		struct ax_ccfg c;
		cfg_default(&c, 4, 1);
		struct ax_tasklist tl;
		ax_tasklist_init(&tl);
		ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
		uint64_t macs = 0;
		for (size_t i = 0; i < tl.n_tasks; i++) {
			const struct ax_task *t = &tl.tasks[i];
			ck_assert_uint_lt(t->core, tl.n_cores);
			for (uint32_t d = 0; d < t->n_deps; d++)
				ck_assert_uint_lt(ax_task_deps(&tl, t)[d], i);
			macs += t->macs;
		}
		/* the lowering accounts for every MAC of every copy */
		ck_assert_uint_eq(macs, 4 * ax_net_macs(&n));
		ax_tasklist_release(&tl);
		ax_ccfg_release(&c);
		ax_err_release(&err);
		ax_net_release(&n);
	}
}
END_TEST


/* docs/timing-model.md "Operator set-up": one set-up task per operator and
 * core, on the controller, controller.op_setup cycles long; every other task
 * of the operator waits for it (directly or through another task of the
 * operator), except the weight prefetches; the set-up of operator n waits for
 * every task of operator n - config_sets on its core. */
START_TEST(test_operator_setup)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 16, 16, 32);
	conv(&n, "a", 0, 32, 3, 1, 1);
	conv(&n, "b", 1, 32, 3, 1, 1);
	conv(&n, "c", 2, 32, 3, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(count(&tl, AX_T_CTRL, -1), 3);
	uint32_t setup_of[4] = { 0 };
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->kind != AX_T_CTRL)
			continue;
		ck_assert_int_eq(t->unit, AX_U_CTRL);
		ck_assert_uint_eq(t->cycles, arch.arch.ctrl_op_setup_cycles);
		setup_of[t->layer] = (uint32_t)i;
	}
	/* c's set-up waits for a task of a (two operators back), and for no task of b */
	const struct ax_task *sc = &tl.tasks[setup_of[3]];
	int on_a = 0, on_b = 0;
	for (uint32_t d = 0; d < sc->n_deps; d++) {
		uint32_t l = tl.tasks[ax_task_deps(&tl, sc)[d]].layer;
		on_a |= l == 1;
		on_b |= l == 2;
	}
	ck_assert(on_a);
	ck_assert(!on_b);
	/* every task of b after its set-up reaches it; its weight DMA comes before it */
	int wdma_before = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->layer != 2 || t->kind == AX_T_CTRL)
			continue;
		if (t->kind == AX_T_DMA && t->data == AX_KIND_WEIGHTS) {
			wdma_before |= i < setup_of[2];
			continue;
		}
		if (t->kind == AX_T_IMC_LOAD)
			continue;
		if (i < setup_of[2])
			continue;
		/* walk back through deps of the same layer until the set-up */
		uint32_t cur = (uint32_t)i;
		int found = 0;
		for (int hop = 0; hop < 64 && !found; hop++) {
			const struct ax_task *ct = &tl.tasks[cur];
			uint32_t next = UINT32_MAX;
			for (uint32_t d = 0; d < ct->n_deps; d++) {
				uint32_t id = ax_task_deps(&tl, ct)[d];
				if (id == setup_of[2])
					found = 1;
				else if (tl.tasks[id].layer == 2 && tl.tasks[id].kind != AX_T_IMC_LOAD &&
					 !(tl.tasks[id].kind == AX_T_DMA && tl.tasks[id].data == AX_KIND_WEIGHTS))
					next = id;
			}
			if (next == UINT32_MAX)
				break;
			cur = next;
		}
		ck_assert_msg(found, "task %zu (kind %d, %u deps, first %u of kind %d layer %u) of layer b does not wait for its set-up %u",
			      i, t->kind, t->n_deps, t->n_deps ? ax_task_deps(&tl, t)[0] : 0,
			      t->n_deps ? (int)tl.tasks[ax_task_deps(&tl, t)[0]].kind : -1,
			      t->n_deps ? tl.tasks[ax_task_deps(&tl, t)[0]].layer : 0, setup_of[2]);
	}
	ck_assert(wdma_before);
	ax_tasklist_release(&tl);

	/* no set-up time, no set-up tasks */
	ck_assert_int_eq(ax_arch_set(&arch, "controller.op_setup=0cycles", &err), AX_OK);
	ax_tasklist_init(&tl);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	ck_assert_uint_eq(count(&tl, AX_T_CTRL, -1), 0);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* docs/timing-model.md "Operator barrier": with async_inter_operator false a
 * layer's first strip waits for every piece of its producer; with true only
 * for the pieces that produce the rows it reads. */
START_TEST(test_operator_barrier)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 256, 256, 32);
	conv(&n, "a", 0, 32, 3, 1, 1);
	conv(&n, "b", 1, 32, 3, 1, 1);
	infer(&n);
	size_t deps_on_a[2];
	for (int async = 0; async <= 1; async++) {
		struct ax_ccfg c;
		cfg_default(&c, 1, 1);
		c.v[AX_CC_ASYNC_INTER_OPERATOR] = async;
		struct ax_tasklist tl;
		ax_tasklist_init(&tl);
		struct ax_err err;
		ax_err_init(&err);
		ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
		/* the first MVM of b: how many tasks of a it waits for, through its input fetch */
		deps_on_a[async] = 0;
		for (size_t i = 0; i < tl.n_tasks; i++) {
			const struct ax_task *t = &tl.tasks[i];
			if (t->layer != 2 || t->kind != AX_T_MVM)
				continue;
			for (uint32_t d = 0; d < t->n_deps; d++)
				deps_on_a[async] += tl.tasks[ax_task_deps(&tl, t)[d]].layer == 1;
			break;
		}
		ax_tasklist_release(&tl);
		ax_ccfg_release(&c);
		ax_err_release(&err);
	}
	/* a has 16 strips (16 x 64 KiB of output); the barrier waits for all */
	ck_assert_uint_eq(deps_on_a[0], 16);
	ck_assert_uint_lt(deps_on_a[1], 4);
	ck_assert_uint_gt(deps_on_a[1], 0);
	ax_net_release(&n);
}
END_TEST

/* docs/timing-model.md "IMC mapping" and "Grouped convolutions": a 3-channel
 * input is padded to imc.pword channels; a grouped convolution that is not
 * depthwise maps as the dense block-diagonal matrix, with the useful MACs of
 * the grouped layer and its expanded weights in the compiled section. */
START_TEST(test_pword_and_grouped)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 8, 8, 3);
	conv(&n, "first", 0, 64, 3, 1, 1);
	conv(&n, "grouped", 1, 64, 3, 1, 4);
	infer(&n);
	struct ax_imc_map m;
	ax_imc_map_layer(&n, &n.layers[1], &arch.arch, &m);
	ck_assert_uint_eq(m.rows, 3 * 3 * 4);
	ax_imc_map_layer(&n, &n.layers[2], &arch.arch, &m);
	ck_assert_uint_eq(m.expanded, 4);
	ck_assert_uint_eq(m.rows, 3 * 3 * 64);
	ck_assert_uint_eq(m.cols, 64);
	ck_assert_uint_eq(m.tiles, 2);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	c.v[AX_CC_IN_CORE_REPLICATION] = 0;
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	uint64_t macs = 0, passes = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->kind != AX_T_MVM || t->layer != 2 || t->infer)
			continue;
		macs += t->macs;
		passes += t->passes;
	}
	ck_assert_uint_eq(macs, ax_layer_macs(&n, &n.layers[2]));
	ck_assert_uint_eq(passes, 64 * 2);                /* 64 pixels x 2 row tiles */
	/* the section holds 576 x 64 expanded weights for it, not 576 / 4 x 64 */
	uint64_t first = 3 * 3 * 4 * 64 + 4 * 64, grouped = 3 * 3 * 64 * 64 + 4 * 64;
	ck_assert_uint_eq(tl.weight_bytes, (first + 63) / 64 * 64 + grouped);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* docs/timing-model.md "Concatenation" and "Squeeze-excitation": a concat
 * whose last input is an IMC layer alone becomes its epilogue (no operator of
 * its own, n passes over the output on the DPU); a broadcast multiply by a
 * 1 x 1 x C scale never does. */
START_TEST(test_concat_and_se)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 16, 16, 32);                 /* 0 */
	conv(&n, "pre", 0, 32, 1, 1, 1);       /* 1 */
	conv(&n, "e1", 1, 32, 1, 1, 1);        /* 2: not the input e3 reads, so not merged */
	conv(&n, "e3", 0, 32, 3, 1, 1);        /* 3 */
	struct ax_layer *cat = ax_net_add_layer(&n, "cat", AX_OP_CONCAT); /* 4 */
	cat->n_in = 2;
	cat->in[0] = 2;
	cat->in[1] = 3;
	struct ax_layer *gp = ax_net_add_layer(&n, "pool", AX_OP_GLOBALPOOL); /* 5 */
	gp->n_in = 1;
	gp->in[0] = 4;
	conv(&n, "scale", 5, 64, 1, 1, 1);     /* 6 */
	struct ax_layer *mul = ax_net_add_layer(&n, "mul", AX_OP_MUL); /* 7 */
	mul->n_in = 2;
	mul->in[0] = 4;
	mul->in[1] = 6;
	/* a concat with no IMC producer to fuse into: one operator per input */
	struct ax_layer *cat2 = ax_net_add_layer(&n, "cat2", AX_OP_CONCAT); /* 8 */
	cat2->n_in = 3;
	cat2->in[0] = 0;
	cat2->in[1] = 7;
	cat2->in[2] = 0;
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_lower(&n, &arch.arch, &c, &tl, &err), AX_OK);
	int cat_setup = 0, mul_setup = 0, e3_dpu_as_cat = 0, mul_dpu = 0, cat2_setups = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->infer)
			continue;
		cat_setup |= t->kind == AX_T_CTRL && t->layer == 4;
		mul_setup |= t->kind == AX_T_CTRL && t->layer == 7;
		if (t->kind == AX_T_DPU && t->layer == 4) {
			/* requantise 16x16x32 results, then 2 passes over the 16x16x64 output */
			e3_dpu_as_cat = 1;
			ck_assert_uint_ge(t->cycles, ax_dpu_cycles(&arch.arch, 2 * 16 * 16 * 64));
		}
		mul_dpu |= t->kind == AX_T_DPU && t->layer == 7;
		if (t->kind == AX_T_CTRL && t->layer == 8) {
			ck_assert_uint_eq(t->cycles, 3 * arch.arch.ctrl_op_setup_cycles);
			cat2_setups++;
		}
	}
	ck_assert_int_eq(cat2_setups, 1);
	ck_assert(!cat_setup);
	ck_assert(e3_dpu_as_cat);
	ck_assert(mul_setup);
	ck_assert(mul_dpu);
	ck_assert(tl.tensors[3].fused);                  /* e3's output is consumed on the fly */
	ck_assert_int_eq(tl.plans[2].merged_into, -1);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_err_release(&err);
	ax_net_release(&n);
}
END_TEST

/* Sets a compilation key as a model YAML would (with its origin). */
static void cfg_set(struct ax_ccfg *c, const char *key, const char *value)
{
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_msg(ax_ccfg_set(c, key, value, "test", &err) == AX_OK, "%s", ax_err_str(&err));
	ax_err_release(&err);
}

static void lower_ok(const struct ax_net *n, const struct ax_ccfg *c, struct ax_tasklist *tl)
{
	struct ax_err err;
	ax_err_init(&err);
	ax_tasklist_init(tl);
	ck_assert_msg(ax_lower(n, &arch.arch, c, tl, &err) == AX_OK, "%s", ax_err_str(&err));
	ax_err_release(&err);
}

/* docs/timing-model.md "Concatenation": convolutions of one tensor that feed
 * one concat fold into one operator when each earlier one's window lies in
 * the last one's: a SqueezeNet fire module's 1 x 1 expand goes into its 3 x 3
 * expand's columns (no tasks, no set-up of its own, its MACs in the merged
 * passes, nothing left to add); a 3 x 3 window does not fit a 1 x 1 one. */
START_TEST(test_concat_merge)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 16, 16, 32);                 /* 0 */
	conv(&n, "e1", 0, 32, 1, 1, 1);        /* 1: merged into e3 */
	conv(&n, "e3", 0, 32, 3, 1, 1);        /* 2 */
	struct ax_layer *cat = ax_net_add_layer(&n, "cat", AX_OP_CONCAT); /* 3 */
	cat->n_in = 2;
	cat->in[0] = 1;
	cat->in[1] = 2;
	conv(&n, "k3", 3, 32, 3, 1, 1);        /* 4: its window is not inside k1's */
	conv(&n, "k1", 3, 32, 1, 1, 1);        /* 5 */
	cat = ax_net_add_layer(&n, "cat2", AX_OP_CONCAT); /* 6 */
	cat->n_in = 2;
	cat->in[0] = 4;
	cat->in[1] = 5;
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	c.v[AX_CC_IN_CORE_REPLICATION] = 0;
	struct ax_tasklist tl;
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.plans[1].merged_into, 2);
	ck_assert_int_eq(tl.plans[4].merged_into, -1);
	ck_assert_int_eq(tl.plans[2].merged_into, -1);
	ck_assert_uint_eq(tl.plans[2].cols_used, 64);    /* both expands' columns */
	ck_assert_uint_eq(tl.plans[2].rows_used, 3 * 3 * 32);
	ck_assert(tl.tensors[1].fused);                  /* never stored */
	uint64_t macs = 0, e1_tasks = 0, setups_e3 = 0;
	int cat_dpu = 0, cat2_dpu = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->infer)
			continue;
		e1_tasks += t->layer == 1;
		setups_e3 += t->kind == AX_T_CTRL && t->layer == 2;
		if (t->kind == AX_T_MVM && t->layer == 2)
			macs += t->macs;
		if (t->kind == AX_T_DPU && t->layer == 3) {
			/* requantise the 16x16x64 results; nothing to pad, shift and add */
			cat_dpu = 1;
			ck_assert_uint_lt(t->cycles, ax_dpu_cycles(&arch.arch, 2 * 16 * 16 * 64));
			ck_assert_uint_ge(t->cycles, ax_dpu_cycles(&arch.arch, 16 * 16 * 64));
		}
		if (t->kind == AX_T_DPU && t->layer == 6) {
			cat2_dpu = 1;
			ck_assert_uint_ge(t->cycles, ax_dpu_cycles(&arch.arch, 2 * 16 * 16 * 64));
		}
	}
	ck_assert_uint_eq(e1_tasks, 0);
	ck_assert_uint_eq(setups_e3, 1);
	ck_assert_uint_eq(macs, ax_layer_macs(&n, &n.layers[1]) + ax_layer_macs(&n, &n.layers[2]));
	ck_assert(cat_dpu);
	ck_assert(cat2_dpu);
	/* the array takes the merged 288 x 64 matrix, nothing for e1 */
	ck_assert_uint_eq(tl.plans[1].weight_bytes, 0);
	ck_assert_uint_ge(tl.plans[2].weight_bytes, 3 * 3 * 32 * 64);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_net_release(&n);
}
END_TEST

/* docs/timing-model.md "Constant tensors": a const is a weight DMA with a
 * set-up of no operator; a concat of pixels is one DPU pass and one
 * operator, never an epilogue; an embedding fetches its indices, then its
 * rows from the weight section. */
START_TEST(test_tokens_const_embed)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 14, 14, 64);                               /* 0 */
	conv(&n, "patch", 0, 64, 1, 1, 1);                   /* 1 */
	struct ax_layer *l = ax_net_add_layer(&n, "cls", AX_OP_CONST); /* 2 */
	l->out.h = 1, l->out.w = 1, l->out.c = 64;
	l = ax_net_add_layer(&n, "cat", AX_OP_CONCAT);      /* 3 */
	l->n_in = 2;
	l->in[0] = 2;
	l->in[1] = 1;
	l->axis = AX_AXIS_PIXELS;
	l = ax_net_add_layer(&n, "ids", AX_OP_INPUT);       /* 4 */
	l->out.h = 1, l->out.w = 197, l->out.c = 1;
	l = ax_net_add_layer(&n, "emb", AX_OP_EMBED);       /* 5 */
	l->n_in = 1;
	l->in[0] = 4;
	l->rows = 1000;
	l->cout = 64;
	l = ax_net_add_layer(&n, "sum", AX_OP_ADD);         /* 6 */
	l->n_in = 2;
	l->in[0] = 3;
	l->in[1] = 5;
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	lower_ok(&n, &c, &tl);
	int cls_w = 0, cls_compute = 0, cat_dpu = 0, emb_w = 0, emb_ids = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->infer)
			continue;
		if (t->layer == 2) {
			cls_w += t->kind == AX_T_DMA && t->data == AX_KIND_WEIGHTS && t->bytes == 64;
			cls_compute += t->kind == AX_T_DPU || t->kind == AX_T_MVM;
			if (t->kind == AX_T_CTRL)
				ck_assert_uint_eq(t->cycles, 0);
		}
		if (t->layer == 3 && t->kind == AX_T_DPU) {
			cat_dpu++;
			ck_assert_uint_ge(t->cycles, ax_dpu_cycles(&arch.arch, 197 * 64));
			ck_assert_uint_lt(t->cycles, ax_dpu_cycles(&arch.arch, 2 * 197 * 64));
		}
		if (t->layer == 5 && t->kind == AX_T_DMA) {
			emb_w += t->data == AX_KIND_WEIGHTS && t->bytes == 197 * 64;
			emb_ids += t->data == AX_KIND_ACT && t->dst == AX_MEM_L1 && t->bytes >= 197;
		}
	}
	ck_assert_int_eq(cls_w, 1);
	ck_assert_int_eq(cls_compute, 0);
	ck_assert_int_eq(cat_dpu, 1);
	ck_assert_int_eq(emb_w, 1);
	ck_assert_int_eq(emb_ids, 1);
	ck_assert(!tl.tensors[1].fused);                 /* no epilogue into the patch conv */
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_net_release(&n);
}
END_TEST

/* docs/timing-model.md "Relayout": one DPU pass over the output, reading the
 * whole input (never in a cone with its producer), one operator. */
START_TEST(test_relayout)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 56, 56, 96);                               /* 0 */
	conv(&n, "c", 0, 96, 1, 1, 1);                       /* 1 */
	struct ax_layer *l = ax_net_add_layer(&n, "win", AX_OP_RELAYOUT); /* 2 */
	l->n_in = 1;
	l->in[0] = 1;
	l->to = (struct ax_shape){ 28, 28, 96 };
	infer(&n);
	struct ax_ccfg c;
	cfg_default(&c, 1, 1);
	struct ax_tasklist tl;
	lower_ok(&n, &c, &tl);
	uint64_t cycles = 0, rd = 0, wr = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->infer || t->layer != 2)
			continue;
		ck_assert(t->kind != AX_T_MVM && t->kind != AX_T_DWPU);
		if (t->kind == AX_T_DPU) {
			cycles += t->cycles - arch.arch.unit_start_cycles;
			rd += t->l1_read;
			wr += t->l1_write;
		}
	}
	ck_assert_uint_eq(rd, 28 * 28 * 96);
	ck_assert_uint_eq(wr, 28 * 28 * 96);
	ck_assert_uint_ge(cycles, ax_dpu_cycles(&arch.arch, 28 * 28 * 96) - arch.arch.unit_start_cycles);
	ck_assert(!tl.tensors[1].fused);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_net_release(&n);
}
END_TEST

/* DMAs of layer li that read activations from src into L1. */
static size_t fetches_from(const struct ax_tasklist *tl, uint32_t li, enum ax_mem src)
{
	size_t k = 0;
	for (size_t i = 0; i < tl->n_tasks; i++)
		k += tl->tasks[i].kind == AX_T_DMA && tl->tasks[i].layer == li && tl->tasks[i].data == AX_KIND_ACT &&
		     tl->tasks[i].dst == AX_MEM_L1 && tl->tasks[i].src == src && tl->tasks[i].bytes;
	return k;
}

/* docs/memory.md "Pools": io_pool and workspace_pool are the highest memory
 * inputs and outputs, and the other buffers, may take (the network of
 * test_placement: input DDR, big L2, small L1, output DDR by default). */
START_TEST(test_pools)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 640, 640, 3);
	conv(&n, "big", 0, 32, 3, 1, 1);
	conv(&n, "small", 1, 8, 3, 16, 1);
	conv(&n, "out", 2, 8, 1, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	struct ax_tasklist tl;
	cfg_default(&c, 1, 1);
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.tensors[0].home, AX_MEM_DDR);
	ck_assert_int_eq(tl.tensors[2].home, AX_MEM_L1);
	ck_assert_int_eq(tl.tensors[3].home, AX_MEM_DDR);
	ck_assert_uint_gt(fetches_from(&tl, 1, AX_MEM_DDR), 0);
	ax_tasklist_release(&tl);

	/* io_pool l2: the host's buffers in L2, read from there */
	cfg_set(&c, "io_pool", "l2");
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.tensors[0].home, AX_MEM_L2);
	ck_assert_uint_eq(tl.tensors[0].l2_bytes, tl.tensors[0].bytes);
	ck_assert_int_eq(tl.tensors[3].home, AX_MEM_L2);
	ck_assert_uint_eq(fetches_from(&tl, 1, AX_MEM_DDR), 0);
	ck_assert_uint_gt(fetches_from(&tl, 1, AX_MEM_L2), 0);
	ax_tasklist_release(&tl);

	/* io_pool l1: the 1.2 MB input and the small output fit the core's L1 */
	cfg_set(&c, "io_pool", "l1");
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.tensors[0].home, AX_MEM_L1);
	ck_assert_int_eq(tl.tensors[3].home, AX_MEM_L1);
	ck_assert_uint_eq(fetches_from(&tl, 1, AX_MEM_DDR) + fetches_from(&tl, 1, AX_MEM_L2), 0);
	ax_tasklist_release(&tl);

	/* workspace_pool l2: no intermediate buffer in L1; ddr: all in DDR,
	 * where they were asked to be (not counted as spilled) */
	cfg_set(&c, "io_pool", "ddr");
	cfg_set(&c, "workspace_pool", "l2");
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.tensors[2].home, AX_MEM_L2);
	ax_tasklist_release(&tl);
	cfg_set(&c, "workspace_pool", "ddr");
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_DDR);
	ck_assert_int_eq(tl.tensors[2].home, AX_MEM_DDR);
	ck_assert_uint_eq(tl.tensors[1].l2_bytes, 0);
	ck_assert_uint_eq(tl.spilled_bytes, 0);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_net_release(&n);
}
END_TEST

/* l2_constraint caps a copy's L2 below its resources_used share; the big
 * tensor keeps fewer pages in L2. */
START_TEST(test_l2_constraint)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 640, 640, 3);
	conv(&n, "big", 0, 32, 3, 1, 1);
	conv(&n, "out", 1, 8, 1, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	struct ax_tasklist tl;
	cfg_default(&c, 1, 1);
	lower_ok(&n, &c, &tl);
	uint64_t free_l2 = tl.tensors[1].l2_bytes;
	ck_assert_uint_gt(free_l2, 4u << 20);
	ax_tasklist_release(&tl);
	cfg_set(&c, "l2_constraint", "2097152");
	lower_ok(&n, &c, &tl);
	ck_assert_uint_le(tl.tensors[1].l2_bytes + tl.weight_l2_bytes, 2097152);
	ck_assert_uint_lt(tl.tensors[1].l2_bytes, free_l2);
	ck_assert_uint_gt(tl.spilled_bytes, 0);
	ax_tasklist_release(&tl);
	/* a budget above the share changes nothing */
	cfg_set(&c, "l2_constraint", "68719476736");
	lower_ok(&n, &c, &tl);
	ck_assert_uint_eq(tl.tensors[1].l2_bytes, free_l2);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_net_release(&n);
}
END_TEST

/* constant_pool: hybrid quantisation's per-channel constants fetched from
 * DDR (default with the ELF in DDR), from L2, or resident in L1. */
START_TEST(test_constant_pool)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 128, 128, 16);
	conv(&n, "a", 0, 16, 3, 1, 1);
	conv(&n, "b", 1, 16, 3, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	struct ax_tasklist tl;
	cfg_default(&c, 1, 1);
	cfg_set(&c, "ptq_scheme", "hybrid_per_tensor_per_channel");
	static const struct {
		const char *pool;
		size_t from_ddr, from_l2;
	} want[] = { { NULL, 2, 0 }, { "l2", 0, 2 }, { "l1", 0, 0 }, { "ddr", 2, 0 } };
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		if (want[w].pool)
			cfg_set(&c, "constant_pool", want[w].pool);
		lower_ok(&n, &c, &tl);
		size_t ddr = 0, l2 = 0;
		for (size_t i = 0; i < tl.n_tasks; i++)
			if (tl.tasks[i].kind == AX_T_DMA && tl.tasks[i].data == AX_KIND_CONST) {
				ddr += tl.tasks[i].src == AX_MEM_DDR;
				l2 += tl.tasks[i].src == AX_MEM_L2;
			}
		ck_assert_msg(ddr == want[w].from_ddr && l2 == want[w].from_l2,
			      "constant_pool %s: %zu from DDR, %zu from L2", want[w].pool ? want[w].pool : "default",
			      ddr, l2);
		ax_tasklist_release(&tl);
	}
	/* with the ELF in L2 the default follows it */
	ax_ccfg_release(&c);
	cfg_default(&c, 1, 1);
	cfg_set(&c, "ptq_scheme", "hybrid_per_tensor_per_channel");
	cfg_set(&c, "elf_in_ddr", "false");
	ck_assert_int_eq(c.v[AX_CC_CONSTANT_POOL], AX_POOL_L2);
	ax_ccfg_release(&c);
	ax_net_release(&n);
}
END_TEST

/* mvm_utilization_limit and mvm_limitation: the stricter cap reaches the
 * tasklist, in thousandths; max_execution_cores caps the cores in use;
 * single_op_network_use_ddr keeps a one-operator network in DDR only. */
START_TEST(test_caps_and_single_op)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 64, 64, 16);
	conv(&n, "only", 0, 16, 3, 1, 1);
	infer(&n);
	struct ax_ccfg c;
	struct ax_tasklist tl;
	cfg_default(&c, 4, 1);
	lower_ok(&n, &c, &tl);
	ck_assert_uint_eq(tl.mvm_limit_permille, 1000);
	ck_assert_uint_eq(tl.n_cores, 4);
	ax_tasklist_release(&tl);
	cfg_set(&c, "mvm_utilization_limit", "0.125");
	lower_ok(&n, &c, &tl);
	ck_assert_uint_eq(tl.mvm_limit_permille, 125);
	ax_tasklist_release(&tl);
	cfg_set(&c, "mvm_limitation", "10");
	lower_ok(&n, &c, &tl);
	ck_assert_uint_eq(tl.mvm_limit_permille, 100);
	ax_tasklist_release(&tl);

	cfg_set(&c, "max_execution_cores", "2");
	lower_ok(&n, &c, &tl);
	ck_assert_uint_eq(tl.n_cores, 2);
	ck_assert_uint_eq(tl.copies, 2);
	ax_tasklist_release(&tl);

	/* one operator: io_pool l1 would put both tensors in L1 and the
	 * weights stay in L2; single_op_network_use_ddr keeps all in DDR */
	cfg_set(&c, "io_pool", "l1");
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.tensors[0].home, AX_MEM_L1);
	ck_assert_int_eq(tl.weight_home, AX_MEM_L2);
	ax_tasklist_release(&tl);
	cfg_set(&c, "single_op_network_use_ddr", "true");
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.tensors[0].home, AX_MEM_DDR);
	ck_assert_int_eq(tl.tensors[1].home, AX_MEM_DDR);
	ck_assert_int_eq(tl.weight_home, AX_MEM_DDR);
	ck_assert_uint_eq(tl.weight_l2_bytes, 0);
	ax_tasklist_release(&tl);
	/* two operators: no effect */
	conv(&n, "second", 1, 16, 1, 1, 1);
	infer(&n);
	lower_ok(&n, &c, &tl);
	ck_assert_int_eq(tl.tensors[0].home, AX_MEM_L1);
	ck_assert_int_eq(tl.weight_home, AX_MEM_L2);
	ax_tasklist_release(&tl);
	ax_ccfg_release(&c);
	ax_net_release(&n);
}
END_TEST

/* The table of hardware units (tasklist.h) is whole and consistent: every
 * task kind on its unit has one engine, every unit a label, every track one
 * name, and the names the report and the trace have always used. */
START_TEST(test_unit_table)
{
	static const char *const names[AX_E_COUNT] = {
		"imc", "imc_load", "dpu", "dwpu", "dma_core", "dma_sys", "controller", "setup",
	};
	for (int e = 0; e < AX_E_COUNT; e++) {
		const struct ax_engine_info *u = ax_engine_lookup((enum ax_engine)e);
		ck_assert_str_eq(ax_engine_name((enum ax_engine)e), names[e]);
		ck_assert_ptr_nonnull(u->bound);
		if (u->kind != AX_T_KIND_COUNT)
			ck_assert_int_eq(ax_engine_of(u->kind, u->unit), e);
		ck_assert_msg(!u->compute || (u->kind != AX_T_KIND_COUNT && u->track_name),
			      "%s: a compute unit runs tasks on a track of its own", u->name);
		for (int f = 0; f < e; f++) {
			const struct ax_engine_info *v = ax_engine_lookup((enum ax_engine)f);
			ck_assert_msg(!u->track_name || !v->track_name || u->track != v->track,
				      "%s and %s name the same track", u->name, v->name);
		}
	}
	static const char *const labels[AX_UNIT_COUNT] = { "imc", "dpu", "dwpu", "dma_core", "dma_sys", "controller" };
	for (int u = 0; u < AX_UNIT_COUNT; u++)
		ck_assert_str_eq(ax_unit_label((enum ax_unit_id)u), labels[u]);
	static const char *const kinds[AX_T_KIND_COUNT] = { "dma", "imc_load", "mvm", "dpu", "dwpu", "setup" };
	for (int k = 0; k < AX_T_KIND_COUNT; k++)
		ck_assert_str_eq(ax_task_kind_name((enum ax_task_kind)k), kinds[k]);
	ck_assert_int_eq(ax_engine_of(AX_T_DMA, AX_U_DMA_SYS), AX_E_DMA_SYS);
	ck_assert_int_eq(ax_engine_of(AX_T_DMA, AX_U_DMA_CORE), AX_E_DMA_CORE);
	ck_assert_int_eq(ax_engine_of(AX_T_CTRL, AX_U_CTRL), AX_E_SETUP);
	ck_assert_str_eq(ax_engine_lookup(AX_E_IMC_LOAD)->bound, "weight-writes");
}
END_TEST

/* Lowers n for cores cores in one copy (multi-core mode mode, or -1 for the
 * default) on the hardware of this test into tl (initialised here; the
 * caller releases it). */
static void lower_on(const struct ax_net *n, int cores, int mode, struct ax_tasklist *tl)
{
	struct ax_ccfg c;
	cfg_default(&c, cores, cores);
	if (mode >= 0)
		c.v[AX_CC_MULTICORE_MODE] = mode;
	ax_tasklist_init(tl);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_msg(ax_lower(n, &arch.arch, &c, tl, &err) == AX_OK, "%s", ax_err_str(&err));
	ax_err_release(&err);
	ax_ccfg_release(&c);
}

/* A layer of op reading layer a, and layer b unless it is -1. */
static struct ax_layer *node(struct ax_net *n, const char *name, enum ax_op op, uint32_t a, int64_t b)
{
	struct ax_layer *l = ax_net_add_layer(n, name, op);
	l->n_in = b < 0 ? 1 : 2;
	l->in[0] = a;
	l->in[1] = b < 0 ? 0 : (uint32_t)b;
	return l;
}

/* A dyn_matmul of layers a and b with cout outputs, heads and trans_b. */
static void matmul(struct ax_net *n, uint32_t a, uint32_t b, uint32_t cout, uint32_t heads, uint32_t trans_b)
{
	struct ax_layer *m = node(n, "mm", AX_OP_MATMUL, a, b);
	m->cout = cout;
	m->groups = heads;
	m->trans_b = trans_b;
}

/* Tokens x 1 x ch tokens (layer 0) and their q, k and v projections
 * (layers 1, 2, 3). */
static void projections(struct ax_net *n, uint32_t tokens, uint32_t ch)
{
	input(n, tokens, 1, ch);
	conv(n, "q", 0, ch, 1, 1, 1);
	conv(n, "k", 0, ch, 1, 1, 1);
	conv(n, "v", 0, ch, 1, 1, 1);
}

/* An attention product: qa (8 x 1 x 128) times kb (600 x 1 x 128) transposed,
 * 2 heads of K = 64, N = 600 (docs/timing-model.md "Products of two
 * activations").  Returns the dyn_matmul's index. */
static uint32_t attention_net(struct ax_net *n)
{
	input(n, 8, 1, 128);
	struct ax_layer *y = ax_net_add_layer(n, "y", AX_OP_INPUT);
	y->out.h = 600;
	y->out.w = 1;
	y->out.c = 128;
	conv(n, "qa", 0, 128, 1, 1, 1);
	conv(n, "kb", 1, 128, 1, 1, 1);
	matmul(n, 2, 3, 1200, 2, 1);
	infer(n);
	return 4;
}

/* Does task id wait for a task of layer li, directly or through a DMA? */
static int waits_for_layer(const struct ax_tasklist *tl, uint32_t id, uint32_t li)
{
	const struct ax_task *t = &tl->tasks[id];
	const uint32_t *d = ax_task_deps(tl, t);
	for (uint32_t k = 0; k < t->n_deps; k++) {
		const struct ax_task *p = &tl->tasks[d[k]];
		if (p->layer == li && p->kind != AX_T_CTRL)
			return 1;
		if (p->kind == AX_T_DMA && p->layer == t->layer && waits_for_layer(tl, d[k], li))
			return 1;
	}
	return 0;
}

/* On the IMC: B_g is written into the weight sets at run time, one load per
 * head per tile, after B's producer, as activation data; the passes are a
 * 1 x 1 convolution's over A's rows; nothing of it is in the weight section. */
START_TEST(test_dyn_matmul_imc)
{
	struct ax_net n;
	ax_net_init(&n);
	uint32_t mm = attention_net(&n);
	ck_assert_uint_eq(ax_layer_params(&n, &n.layers[mm]), 0);
	struct ax_imc_map map;
	ax_imc_map_layer(&n, &n.layers[mm], &arch.arch, &map);
	ck_assert_uint_eq(map.rows, 64);
	ck_assert_uint_eq(map.cols, 600);
	ck_assert_uint_eq(map.tiles, 2);   /* 512 + 88 columns */
	struct ax_tasklist tl;
	lower_on(&n, 1, -1, &tl);
	size_t loads = 0, wdma = 0;
	uint64_t macs = 0, passes = 0, written = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->layer != mm)
			continue;
		if (t->kind == AX_T_IMC_LOAD) {
			loads++;
			written += t->bytes;
			ck_assert_int_eq(t->data, AX_KIND_ACT);
			ck_assert_msg(waits_for_layer(&tl, (uint32_t)i, 3), "load %zu does not wait for B's producer", i);
		}
		if (t->kind == AX_T_DMA && t->data == AX_KIND_WEIGHTS)
			wdma++;
		macs += t->macs;
		passes += t->passes;
	}
	ck_assert_uint_eq(loads, 2 * 2);           /* heads x tiles */
	ck_assert_uint_eq(wdma, 0);
	ck_assert_uint_eq(written, 2 * 64 * 600);
	ck_assert_uint_eq(tl.plans[mm].runtime_weight_bytes, 2 * 64 * 600);
	ck_assert_uint_eq(tl.plans[mm].weight_bytes, 0);
	ck_assert_uint_eq(tl.plans[mm].main_unit, AX_U_IMC);
	ck_assert_uint_eq(macs, ax_layer_macs(&n, &n.layers[mm]));
	ck_assert_uint_eq(macs, 8 * 64 * 1200);
	ck_assert_uint_eq(passes, 2 * 8 * 2);      /* heads x rows of A x tiles */
	/* the weight section holds qa's and kb's matrices and biases only */
	ck_assert_uint_eq(tl.weight_bytes, 2 * (128 * 128 + 4 * 128));
	ax_tasklist_release(&tl);
	ax_net_release(&n);
}
END_TEST

/* dyn_matmul.unit dpu: the product runs on the DPU at dpu.mac_throughput,
 * with no IMC task and no weight write. */
START_TEST(test_dyn_matmul_dpu)
{
	struct ax_net n;
	ax_net_init(&n);
	uint32_t mm = attention_net(&n);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_arch_set(&arch, "dyn_matmul.unit=dpu", &err), AX_OK);
	ck_assert_int_eq(ax_arch_set(&arch, "dpu.mac_throughput=64", &err), AX_OK);
	ax_err_release(&err);
	struct ax_tasklist tl;
	lower_on(&n, 1, -1, &tl);
	uint64_t macs = 0, cycles = 0;
	size_t dpu = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->layer != mm)
			continue;
		ck_assert(t->kind != AX_T_MVM && t->kind != AX_T_IMC_LOAD);
		if (t->kind == AX_T_DPU) {
			dpu++;
			cycles += t->cycles;
			macs += t->macs;
			ck_assert(waits_for_layer(&tl, (uint32_t)i, 3));
		}
	}
	ck_assert_uint_eq(tl.plans[mm].main_unit, AX_U_DPU);
	ck_assert_uint_eq(tl.plans[mm].runtime_weight_bytes, 0);
	ck_assert_uint_eq(macs, 8 * 64 * 1200);
	/* one strip (8 rows of 1200 outputs): requantise the 9600 results at
	 * 128 per cycle, the 614400 MACs at 64 */
	ck_assert_uint_eq(dpu, 1);
	ck_assert_uint_eq(cycles, 16 + 9600 / 128 + 614400 / 64);
	ax_tasklist_release(&tl);
	ax_net_release(&n);
}
END_TEST

/* Attention scores of tokens x ch tokens, heads heads: projections, then
 * Q x K^T (layer 4), lowered for cores cores in mode into tl. */
static void lower_scores(struct ax_net *n, uint32_t tokens, uint32_t ch, uint32_t heads, int cores, int mode,
			 struct ax_tasklist *tl)
{
	ax_net_init(n);
	projections(n, tokens, ch);
	matmul(n, 1, 2, heads * tokens, heads, 1);
	infer(n);
	lower_on(n, cores, mode, tl);
}

/* Many tiles of a long sequence: 4096 keys of 64 channels per head make 8
 * column tiles of 16 slots, 128 slots in all, so they are written in groups
 * of half the store (2 tiles) while the previous group computes; the
 * scores (4096 x 1 x 8192) are placed like any tensor. */
START_TEST(test_dyn_matmul_groups)
{
	struct ax_net n;
	struct ax_tasklist tl;
	lower_scores(&n, 4096, 128, 2, 1, -1, &tl);
	ck_assert_uint_eq(tl.plans[4].col_tiles, 8);
	ck_assert_uint_eq(count(&tl, AX_T_IMC_LOAD, -1) - 3 * 1, 2 * 8); /* q's, k's and v's own, then heads x tiles */
	/* a load waits for the passes on the slots it overwrites: the third
	 * group's first load waits for the first group's last pass */
	size_t seen = 0;
	int waits = 0;
	for (size_t i = 0; i < tl.n_tasks && !waits; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->layer != 4 || t->kind != AX_T_IMC_LOAD || ++seen != 5)
			continue;
		const uint32_t *d = ax_task_deps(&tl, t);
		for (uint32_t k = 0; k < t->n_deps; k++)
			waits |= tl.tasks[d[k]].kind == AX_T_MVM && tl.tasks[d[k]].layer == 4;
	}
	ck_assert(waits);
	ck_assert_uint_eq(tl.tensors[4].bytes, 4096ull * 8192);
	ck_assert_int_eq(tl.tensors[4].home, AX_MEM_DDR);  /* the output, to the host */
	ax_tasklist_release(&tl);
	ax_net_release(&n);
}
END_TEST

/* DPU cycles of the tasks of layer li of kind k. */
static uint64_t layer_cycles(const struct ax_tasklist *tl, uint32_t li, enum ax_task_kind k)
{
	uint64_t c = 0;
	for (size_t i = 0; i < tl->n_tasks; i++)
		if (tl->tasks[i].layer == li && tl->tasks[i].kind == k)
			c += tl->tasks[i].cycles;
	return c;
}

/* docs/timing-model.md "Vector units": layer normalisation as imported (a
 * squaring mul that reads x once, a normalising add), softmax with its
 * exponent through the table, GELU fused into the requantisation; with
 * dpu.lut_throughput at half of dpu.throughput so that the tables show. */
START_TEST(test_vector_passes)
{
	struct ax_net n;
	ax_net_init(&n);
	input(&n, 16, 1, 256);  /* e = 4096: one strip */
	node(&n, "ln/stats", AX_OP_MUL, 0, 0);
	node(&n, "ln", AX_OP_ADD, 0, 1);
	node(&n, "sm", AX_OP_SOFTMAX, 2, -1);
	conv(&n, "fc", 3, 256, 1, 1, 1)->act = AX_ACT_GELU;
	infer(&n);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_arch_set(&arch, "dpu.lut_throughput=64", &err), AX_OK);
	ax_err_release(&err);
	struct ax_tasklist tl;
	lower_on(&n, 1, -1, &tl);
	ck_assert_uint_eq(layer_cycles(&tl, 1, AX_T_DPU), 16 + 4096 / 128);
	ck_assert_uint_eq(layer_cycles(&tl, 2, AX_T_DPU), 16 + 2 * 4096 / 128);
	ck_assert_uint_eq(layer_cycles(&tl, 3, AX_T_DPU), 16 + 3 * 4096 / 128 + (4096 / 64 - 4096 / 128));
	ck_assert_uint_eq(layer_cycles(&tl, 4, AX_T_DPU), 16 + 4096 / 128 + (4096 / 64 - 4096 / 128));
	/* the squaring mul fetches its input (in DDR, from the host) once */
	size_t fetches = 0;
	for (size_t i = 0; i < tl.n_tasks; i++)
		fetches += tl.tasks[i].layer == 1 && tl.tasks[i].kind == AX_T_DMA && tl.tasks[i].dst == AX_MEM_L1;
	ck_assert_uint_eq(fetches, 1);
	ax_tasklist_release(&tl);
	ax_net_release(&n);
}
END_TEST

/* A 4096-token sequence (ViT-B's widths): the 12 heads' scores, 4096 x 1 x
 * 49152 (201 MB), are placed like any tensor and spill to DDR, and every
 * transfer of the attention layers stays inside the copy's activations. */
START_TEST(test_attention_spill)
{
	struct ax_net n;
	ax_net_init(&n);
	projections(&n, 4096, 768);
	matmul(&n, 1, 2, 12 * 4096, 12, 1);
	node(&n, "attn", AX_OP_SOFTMAX, 4, -1);
	matmul(&n, 5, 3, 768, 12, 0);
	infer(&n);
	struct ax_tasklist tl;
	lower_on(&n, 1, -1, &tl);
	const struct ax_placement *sc = &tl.tensors[4];
	ck_assert_uint_eq(sc->bytes, 4096ull * 49152);
	uint64_t in_ddr = sc->bytes - (sc->home == AX_MEM_L2 ? sc->l2_bytes : 0);
	ck_assert(sc->home != AX_MEM_L1 && in_ddr > sc->bytes / 2);
	ck_assert_uint_ge(tl.spilled_bytes, in_ddr);
	uint64_t lo = tl.ddr_weight_stride * tl.copies, hi = lo + tl.lanes * tl.ddr_copy_stride;
	size_t ddr = 0;
	for (size_t i = 0; i < tl.n_tasks; i++) {
		const struct ax_task *t = &tl.tasks[i];
		if (t->kind != AX_T_DMA || t->layer < 4 || (t->src != AX_MEM_DDR && t->dst != AX_MEM_DDR))
			continue;
		uint64_t addr = t->src == AX_MEM_DDR ? t->src_addr : t->dst_addr;
		uint64_t extent = t->run_bytes ? (t->bytes / t->run_bytes - 1) * t->run_stride + t->run_bytes : t->bytes;
		ck_assert_msg(addr >= lo && addr + extent <= hi, "task %zu: [%llu, %llu) outside [%llu, %llu)", i,
			      (unsigned long long)addr, (unsigned long long)(addr + extent),
			      (unsigned long long)lo, (unsigned long long)hi);
		ddr++;
	}
	ck_assert_uint_gt(ddr, 0);
	ck_assert_uint_eq(tl.plans[4].passes, 12ull * 4096 * 8);  /* heads x rows x column tiles */
	ax_tasklist_release(&tl);
	ax_net_release(&n);
}
END_TEST

/* Cooperative copies split a dyn_matmul by heads when every core gets one:
 * 4 heads on 4 cores, each core writes its head's B and nothing else; with
 * 2 heads on 4 cores they split A's rows, and every core writes both heads. */
START_TEST(test_dyn_matmul_cooperative)
{
	struct ax_net n;
	struct ax_tasklist tl;
	lower_scores(&n, 64, 256, 4, 4, AX_MC_COOPERATIVE, &tl);
	for (int k = 0; k < 4; k++) {
		size_t loads = 0, rows = 0;
		for (size_t i = 0; i < tl.n_tasks; i++) {
			const struct ax_task *t = &tl.tasks[i];
			loads += t->layer == 4 && t->kind == AX_T_IMC_LOAD && t->core == (uint32_t)k;
			rows += t->layer == 4 && t->kind == AX_T_MVM && t->core == (uint32_t)k ? t->passes : 0;
		}
		ck_assert_uint_eq(loads, 1);
		ck_assert_uint_eq(rows, 64);   /* all of A's rows, its head */
	}
	ck_assert_uint_eq(tl.plans[4].runtime_weight_bytes, 4 * 64 * 64);
	ax_tasklist_release(&tl);
	ax_net_release(&n);

	ax_net_init(&n);
	uint32_t mm = attention_net(&n);
	lower_on(&n, 4, AX_MC_COOPERATIVE, &tl);
	for (int k = 0; k < 4; k++) {
		size_t loads = 0;
		for (size_t i = 0; i < tl.n_tasks; i++)
			loads += tl.tasks[i].layer == mm && tl.tasks[i].kind == AX_T_IMC_LOAD && tl.tasks[i].core == (uint32_t)k;
		ck_assert_uint_eq(loads, 2 * 2);   /* both heads, two tiles each */
	}
	ax_tasklist_release(&tl);
	ax_net_release(&n);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lower");
	TCase *t = tcase_create("lower");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_map_full_tile);
	tcase_add_test(t, test_map_tiles);
	tcase_add_test(t, test_units);
	tcase_add_test(t, test_placement);
	tcase_add_test(t, test_cores);
	tcase_add_test(t, test_channel_slice_runs);
	tcase_add_test(t, test_elf_placement_and_ptq);
	tcase_add_test(t, test_bundled_tasklists_wellformed);
	tcase_add_test(t, test_icr);
	tcase_add_test(t, test_position_align);
	tcase_add_test(t, test_device_input);
	tcase_add_test(t, test_weight_groups);
	tcase_add_test(t, test_cone);
	tcase_add_test(t, test_located_errors);
	tcase_add_test(t, test_operator_setup);
	tcase_add_test(t, test_operator_barrier);
	tcase_add_test(t, test_pword_and_grouped);
	tcase_add_test(t, test_concat_and_se);
	tcase_add_test(t, test_concat_merge);
	tcase_add_test(t, test_tokens_const_embed);
	tcase_add_test(t, test_relayout);
	tcase_add_test(t, test_pools);
	tcase_add_test(t, test_l2_constraint);
	tcase_add_test(t, test_constant_pool);
	tcase_add_test(t, test_caps_and_single_op);
	tcase_add_test(t, test_dyn_matmul_imc);
	tcase_add_test(t, test_dyn_matmul_dpu);
	tcase_add_test(t, test_dyn_matmul_groups);
	tcase_add_test(t, test_vector_passes);
	tcase_add_test(t, test_attention_spill);
	tcase_add_test(t, test_dyn_matmul_cooperative);
	tcase_add_test(t, test_unit_table);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
