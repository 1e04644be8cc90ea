/*
 * tasklist.h - what the lowering produces and the platform executes: one list
 * of tasks per core (in issue order), each for one unit, with dependencies on
 * earlier tasks (of any core), plus where every tensor was placed.
 * docs/timing-model.md "Lowering" describes how a graph becomes this.
 */
#ifndef AX_TASKLIST_H
#define AX_TASKLIST_H

#include <stdint.h>
#include <stddef.h>

enum ax_mem { AX_MEM_DDR = 0, AX_MEM_L2, AX_MEM_L1, AX_MEM_COUNT };

/* What the bytes moved are, for the report's split of memory traffic. */
enum ax_kind { AX_KIND_WEIGHTS = 0, AX_KIND_ACT, AX_KIND_TASKLIST, AX_KIND_CONST, AX_KIND_COUNT };

/* Units a task can run on.  Per core: IMC, DPU, DWPU, core DMA.  Shared:
 * system DMA (index 0 of its own). */
enum ax_unit_id {
	AX_U_IMC = 0,     /* weight loads and matrix-vector passes */
	AX_U_DPU,
	AX_U_DWPU,
	AX_U_DMA_CORE,
	AX_U_DMA_SYS,
	AX_U_CTRL,        /* the core's control core itself (operator set-up) */
	AX_UNIT_COUNT
};

enum ax_task_kind {
	AX_T_DMA = 0,    /* move bytes from src to dst memory */
	AX_T_IMC_LOAD,   /* write weight bytes from L1 into a weight set */
	AX_T_MVM,        /* matrix-vector passes */
	AX_T_DPU,        /* element-wise work on the DPU */
	AX_T_DWPU,       /* depthwise / pooling / resize on the DWPU */
	AX_T_CTRL,       /* the control core programs an operator (docs/timing-model.md "Operator set-up") */
	AX_T_KIND_COUNT
};

/* Engines whose busy time is reported (per core, except the system DMA):
 * the rows of the table of hardware units (ax_engine_lookup). */
enum ax_engine {
	AX_E_IMC_MVM = 0,  /* IMC passes */
	AX_E_IMC_LOAD,     /* weight writes into the IMC */
	AX_E_DPU,
	AX_E_DWPU,
	AX_E_DMA_CORE,     /* summed over the core DMA's channels */
	AX_E_DMA_SYS,      /* shared; reported on core 0 */
	AX_E_CTRL,         /* descriptor fetch and dispatch */
	AX_E_SETUP,        /* operator set-up by the control core */
	AX_E_COUNT
};

/* The hardware's units, declared once: every engine with the tasks it runs,
 * the unit they are queued on, and its names in the report, the trace and the
 * VCD (docs/report-format.md, docs/traces.md).  The unit ids, task kinds and
 * names everywhere else are read from this table. */
struct ax_engine_info {
	const char *name;          /* in the report: busy.NAME, layers[].busy_cycles.NAME; the VCD's busy signal */
	enum ax_unit_id unit;      /* where its tasks are queued; the unit's label is its first engine's name */
	enum ax_task_kind kind;    /* the tasks it runs; AX_T_KIND_COUNT: none (the controller's dispatch) */
	const char *kind_name;     /* those tasks in the trace ("kind") */
	const char *bound;         /* layers[].bound when it is the layer's busiest engine */
	unsigned track;            /* the trace-event track of its core (0: one per channel, from 10) */
	const char *track_name;    /* NULL: it shares the track of another engine */
	int compute;               /* a compute unit of a core (a module of its own in the platform) */
};

const struct ax_engine_info *ax_engine_lookup(enum ax_engine e);
/* The engine that runs task kind k on unit u (a DMA on the core or the system DMA). */
enum ax_engine ax_engine_of(enum ax_task_kind k, enum ax_unit_id u);

struct ax_task {
	enum ax_task_kind kind;
	enum ax_unit_id unit;
	uint32_t core;            /* core whose controller issues it */
	uint32_t layer;           /* layer index in the network */
	uint32_t copy;            /* which input stream (lane, docs/timing-model.md "Multi-core modes") */
	uint32_t infer;           /* which of the back-to-back inferences */
	/* DMA */
	enum ax_mem src, dst;
	enum ax_kind data;
	uint64_t src_addr, dst_addr;  /* byte addresses (DDR: its address map, docs/memory.md) */
	uint64_t bytes;           /* DMA: bytes moved; IMC_LOAD: weight bytes written */
	/* DMA with DDR: the DDR side is runs of run_bytes, one every
	 * run_stride bytes from its address (a channel slice); 0: contiguous */
	uint64_t run_bytes, run_stride;
	/* compute */
	uint64_t cycles;          /* compute cycles at full rate (docs/timing-model.md) */
	uint64_t l1_read, l1_write; /* L1 bytes the compute task reads and writes */
	uint64_t passes;          /* MVM passes */
	uint64_t macs;            /* useful MACs */
	uint64_t imc_cells;       /* MVM: array cells enabled, summed over its passes (docs/energy.md "Gating") */
	/* dependencies: indices into ax_tasklist.deps */
	uint32_t dep_off, n_deps;
};

/* Where a tensor lives, per copy-group (all cores of one copy share it). */
struct ax_placement {
	enum ax_mem home;
	uint64_t bytes;
	uint32_t fused;   /* lives only as row tiles in L1 inside a fused cone */
	uint64_t l2_bytes;  /* home L2: its first l2_bytes are in L2, the rest spilled to DDR (page_memory) */
	uint64_t ddr_addr;  /* copy 0's address of the part in DDR */
};

/* Per-layer facts the report needs that the platform does not compute. */
struct ax_layer_plan {
	uint32_t row_tiles, col_tiles;   /* IMC tiles (0 for non-IMC layers) */
	uint32_t rows_used, cols_used;   /* array rows and columns its weights take: the mapped
	                                  * matrix (padded, expanded), the grown window and the
	                                  * replicated columns under in-core replication */
	uint64_t passes;                 /* MVM passes over all cores of one copy */
	uint64_t macs;
	uint64_t weight_bytes;           /* bytes written into the IMC for this layer */
	uint64_t runtime_weight_bytes;   /* dyn_matmul: bytes of its activation operand written into the IMC at run time */
	enum ax_unit_id main_unit;       /* the unit that does the layer's arithmetic */
	uint32_t icr;                    /* in-core replication factor (1: none) */
	int32_t merged_into;             /* a convolution whose columns another's operator computes
	                                  * (docs/timing-model.md "Concatenation"), or -1 */
	uint32_t group;                  /* fused group (cone) index; layers alone have their own */
	uint32_t group_size;             /* layers in that group */
	uint32_t cone_tiles;             /* row tiles the group is computed in, per core */
	uint32_t weights_resident;       /* fused: weights written once per cone, not per tile */
};

struct ax_tasklist {
	struct ax_task *tasks;
	size_t n_tasks, cap_tasks;
	uint32_t *deps;
	size_t n_deps, cap_deps;

	uint32_t inferences;             /* back-to-back inferences per copy; set before ax_lower (0: 1) */
	uint32_t n_cores;                /* cores in use (copies x cores per copy) */
	uint32_t copies, cores_per_copy; /* compiled instances, and the cores of each */
	uint32_t lanes;                  /* inputs in flight at once over all instances */
	uint32_t mode;                   /* enum ax_mc_mode of the instances */
	uint32_t *stage;                 /* pipeline mode: per layer, the core of its instance that runs it */
	enum ax_mem tasklist_home;       /* DDR (elf_in_ddr) or L2 */
	uint64_t tasklist_bytes;         /* per core and inference: descriptors x descriptor size */
	uint64_t tasklist_reserve;       /* L2 bytes held for the tasklists, all copies (0 when in DDR) */
	uint32_t tasklist_chunks;        /* reloads of the reserve when the tasklist is larger */
	enum ax_mem weight_home;         /* L2 (resident, preloaded once, maybe in part) or DDR (streamed) */
	uint64_t weight_l2_bytes;        /* the weight section's first bytes resident in L2; the rest streams */
	uint64_t weight_bytes;           /* the network's weight section */

	size_t n_layers;
	struct ax_placement *tensors;    /* per layer output */
	struct ax_layer_plan *plans;     /* per layer */
	uint64_t peak_bytes[AX_MEM_COUNT]; /* peak occupancy of activations per memory (one copy) */
	uint64_t spilled_bytes;          /* activation bytes placed in DDR for want of L2 (one copy) */
	uint64_t ddr_copy_stride;        /* DDR activations of copy k live k x this above copy 0's */
	uint64_t ddr_weight_stride;      /* each copy's weight section, from address 0 */
	uint32_t resources_milli;        /* share of L2 each copy owns, in thousandths */
	uint64_t ddr_tasklist_base;      /* per core: base + core x ddr_tasklist_stride */
	uint64_t ddr_tasklist_stride;
	uint32_t dma_sys_channels, dma_core_channels; /* in use (dma_dual_channel) */
	uint64_t clock_hz;               /* effective core clock */
	uint32_t mvm_limit_permille;     /* IMC throughput cap, thousandths (docs/imc.md) */

	/* A pipeline of several models on one chip (docs/timing-model.md
	 * "Pipelines of models"): each model lowered alone into parts[p], whose
	 * tasks were appended here with their cores moved to part_core_base[p]
	 * on, their layers to part_layer_base[p] on and their DDR addresses
	 * above the earlier models'.  The controller of a core reads its part's
	 * tasklist fields.  All 0/NULL for one network. */
	uint32_t n_parts;
	struct ax_tasklist *parts;       /* heap, released with this one */
	uint32_t *part_core_base, *part_layer_base;  /* heap, per part */
	uint32_t *core_part;             /* heap, per core: its part */
};

void ax_tasklist_init(struct ax_tasklist *tl);
void ax_tasklist_release(struct ax_tasklist *tl);
/* Appends a task and returns its index; deps are copied. */
uint32_t ax_tasklist_add(struct ax_tasklist *tl, const struct ax_task *t,
			 const uint32_t *deps, uint32_t n_deps);
static inline const uint32_t *ax_task_deps(const struct ax_tasklist *tl, const struct ax_task *t)
{
	return tl->deps + t->dep_off;
}

/* The DDR a lowered network occupies (docs/memory.md "Address map"): the
 * weight sections and activations (inputs, outputs, spills) of every copy,
 * the constants, and the tasklists when they live in DDR; the parts filled
 * in when not NULL.  Returns the total in bytes. */
struct ax_ddr_use {
	uint64_t weights, activations, constants, tasklists;
};
uint64_t ax_tasklist_ddr_bytes(const struct ax_tasklist *tl, struct ax_ddr_use *use);

const char *ax_mem_name(enum ax_mem m);
const char *ax_kind_name(enum ax_kind k);
const char *ax_unit_label(enum ax_unit_id u);
const char *ax_engine_name(enum ax_engine e);
const char *ax_task_kind_name(enum ax_task_kind k);

#endif
