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

const char *ax_unit_label(enum ax_unit_id u)
{
	static const char *const n[] = { "imc", "dpu", "dwpu", "dma_core", "dma_sys", "controller" };
	return u < AX_UNIT_COUNT ? n[u] : "?";
}
