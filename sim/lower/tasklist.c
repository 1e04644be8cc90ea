#include "tasklist.h"

#include <stdlib.h>
#include <string.h>

#include "../common/err.h"

void ax_tasklist_init(struct ax_tasklist *tl)
{
	memset(tl, 0, sizeof(*tl));
}

void ax_tasklist_release(struct ax_tasklist *tl)
{
	free(tl->tasks);
	free(tl->deps);
	free(tl->tensors);
	free(tl->plans);
	free(tl->stage);
	for (uint32_t p = 0; p < tl->n_parts; p++)
		ax_tasklist_release(&tl->parts[p]);
	free(tl->parts);
	free(tl->part_core_base);
	free(tl->part_layer_base);
	free(tl->core_part);
	memset(tl, 0, sizeof(*tl));
}

uint32_t ax_tasklist_add(struct ax_tasklist *tl, const struct ax_task *t,
			 const uint32_t *deps, uint32_t n_deps)
{
	if (tl->n_tasks >= UINT32_MAX - 1)
		AX_BUG("tasklist overflow");
	AX_GROW(tl->tasks, tl->cap_tasks, tl->n_tasks + 1);
	AX_GROW(tl->deps, tl->cap_deps, tl->n_deps + n_deps);
	struct ax_task *d = &tl->tasks[tl->n_tasks];
	*d = *t;
	d->dep_off = (uint32_t)tl->n_deps;
	d->n_deps = n_deps;
	for (uint32_t i = 0; i < n_deps; i++) {
		if (deps[i] >= tl->n_tasks)
			AX_BUG("task %zu depends on a later task %u", tl->n_tasks, deps[i]);
		tl->deps[tl->n_deps++] = deps[i];
	}
	return (uint32_t)tl->n_tasks++;
}

uint64_t ax_tasklist_ddr_bytes(const struct ax_tasklist *tl, struct ax_ddr_use *use)
{
	struct ax_ddr_use u;
	u.weights = (uint64_t)tl->copies * tl->ddr_weight_stride;
	u.activations = (uint64_t)tl->copies * tl->ddr_copy_stride;
	u.constants = tl->ddr_tasklist_base - u.weights - u.activations;
	u.tasklists = tl->tasklist_home == AX_MEM_DDR ? (uint64_t)tl->n_cores * tl->ddr_tasklist_stride : 0;
	if (use)
		*use = u;
	return tl->ddr_tasklist_base + u.tasklists;
}

const char *ax_mem_name(enum ax_mem m)
{
	static const char *const n[] = { "ddr", "l2", "l1" };
	return m < AX_MEM_COUNT ? n[m] : "?";
}

const char *ax_kind_name(enum ax_kind k)
{
	static const char *const n[] = { "weights", "activations", "tasklist", "constants" };
	return k < AX_KIND_COUNT ? n[k] : "?";
}

/* The table of hardware units (tasklist.h). */
static const struct ax_engine_info engines[AX_E_COUNT] = {
	[AX_E_IMC_MVM] = { "imc", AX_U_IMC, AX_T_MVM, "mvm", "imc", 2, "imc passes", 1 },
	[AX_E_IMC_LOAD] = { "imc_load", AX_U_IMC, AX_T_IMC_LOAD, "imc_load", "weight-writes", 3, "imc weight writes", 1 },
	[AX_E_DPU] = { "dpu", AX_U_DPU, AX_T_DPU, "dpu", "dpu", 4, "dpu", 1 },
	[AX_E_DWPU] = { "dwpu", AX_U_DWPU, AX_T_DWPU, "dwpu", "dwpu", 5, "dwpu", 1 },
	[AX_E_DMA_CORE] = { "dma_core", AX_U_DMA_CORE, AX_T_DMA, "dma", "memory", 0, NULL, 0 },
	[AX_E_DMA_SYS] = { "dma_sys", AX_U_DMA_SYS, AX_T_DMA, "dma", "memory", 0, NULL, 0 },
	[AX_E_CTRL] = { "controller", AX_U_CTRL, AX_T_KIND_COUNT, NULL, "dispatch", 1, "controller", 0 },
	/* the set-up runs on the control core, on the controller's track */
	[AX_E_SETUP] = { "setup", AX_U_CTRL, AX_T_CTRL, "setup", "setup", 1, NULL, 0 },
};

const struct ax_engine_info *ax_engine_lookup(enum ax_engine e)
{
	if ((unsigned)e >= AX_E_COUNT)
		AX_BUG("engine %d", (int)e);
	return &engines[e];
}

enum ax_engine ax_engine_of(enum ax_task_kind k, enum ax_unit_id u)
{
	for (int e = 0; e < AX_E_COUNT; e++)
		if (engines[e].kind == k && (k != AX_T_DMA || engines[e].unit == u))
			return (enum ax_engine)e;
	AX_BUG("no engine runs tasks of kind %d on unit %d", (int)k, (int)u);
}

const char *ax_engine_name(enum ax_engine e)
{
	return (unsigned)e < AX_E_COUNT ? engines[e].name : "?";
}

const char *ax_unit_label(enum ax_unit_id u)
{
	for (int e = 0; e < AX_E_COUNT; e++)
		if (engines[e].unit == u)
			return engines[e].name;
	return "?";
}

const char *ax_task_kind_name(enum ax_task_kind k)
{
	for (int e = 0; e < AX_E_COUNT; e++)
		if (engines[e].kind == k)
			return engines[e].kind_name;
	return "?";
}
