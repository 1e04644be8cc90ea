/*
 * pipeline.c - merging the tasklists of several models into one simulation
 * and reading a cascade's regions of interest (pipeline.h).
 */
#include "run/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "common/ydoc.h"

void ax_pipeline_release(struct ax_pipeline *p)
{
	for (uint32_t i = 0; i < p->n; i++) {
		free(p->m[i].name);
		free(p->m[i].net_path);
		ax_ccfg_release(&p->m[i].cfg);
		ax_net_release(&p->m[i].net);
	}
	free(p->m);
	memset(p, 0, sizeof(*p));
}

/* The value of key in any mapping of the postprocess list of step. */
static const struct ax_ynode *postprocess_key(const struct ax_ynode *step, const char *key)
{
	const struct ax_ynode *pp = ax_ynode_get(step, "postprocess");
	if (!pp || pp->kind != AX_Y_SEQ)
		return NULL;
	for (size_t i = 0; i < pp->n; i++) {
		const struct ax_ynode *op = pp->items[i];
		for (size_t k = 0; op->kind == AX_Y_MAP && k < op->n; k++) {
			const struct ax_ynode *v = ax_ynode_get(op->items[k], key);
			if (v && v->kind == AX_Y_SCALAR)
				return v;
		}
	}
	return NULL;
}

int ax_pipeline_default_rois(const char *path, const char *model, uint32_t *rois, const char **from,
			     struct ax_err *err)
{
	struct ax_ydoc doc = { 0 };
	*rois = 1;
	*from = "default";
	int rc = ax_ydoc_load_file(&doc, path, err);
	if (rc)
		return rc;
	const struct ax_ynode *pl = doc.root && doc.root->kind == AX_Y_MAP ? ax_ynode_get(doc.root, "pipeline") : NULL;
	const struct ax_ynode *found = NULL;
	const char *why = NULL;
	/* the pipeline: a list of one-key mappings, a step each, in order */
	for (size_t i = 0; pl && pl->kind == AX_Y_SEQ && i < pl->n && !found; i++) {
		const struct ax_ynode *item = pl->items[i];
		if (item->kind != AX_Y_MAP || item->n != 1 || item->items[0]->kind != AX_Y_MAP)
			continue;
		const struct ax_ynode *step = item->items[0];
		const struct ax_ynode *mn = ax_ynode_get(step, "model_name");
		if (!mn || mn->kind != AX_Y_SCALAR || strcmp(mn->str, model))
			continue;
		const struct ax_ynode *in = ax_ynode_get(step, "input");
		const struct ax_ynode *tk = in && in->kind == AX_Y_MAP ? ax_ynode_get(in, "top_k") : NULL;
		if (tk && tk->kind == AX_Y_SCALAR) {
			found = tk;
			why = "pipeline input.top_k";
		}
		for (size_t j = i; !found && j-- > 0;) {
			const struct ax_ynode *prev = pl->items[j];
			if (prev->kind != AX_Y_MAP || prev->n != 1 || prev->items[0]->kind != AX_Y_MAP)
				continue;
			if ((found = postprocess_key(prev->items[0], "top_k")))
				why = "pipeline postprocess top_k";
			else if ((found = postprocess_key(prev->items[0], "nms_top_k")))
				why = "pipeline postprocess nms_top_k";
		}
	}
	if (found) {
		long long v;
		rc = ax_ynode_i64(&doc, found, "top_k", 1, AX_MAX_ROIS, &v, err);
		if (!rc) {
			*rois = (uint32_t)v;
			*from = why;
		}
	}
	ax_ydoc_release(&doc);
	return rc;
}

/* Appends the layers of src to dst, named "prefix/layer", inputs moved by base. */
static void net_append(struct ax_net *dst, const struct ax_net *src, const char *prefix, uint32_t base)
{
	for (size_t i = 0; i < src->n_layers; i++) {
		const struct ax_layer *s = &src->layers[i];
		char *name = ax_xasprintf("%s/%s", prefix, s->name);
		struct ax_layer *l = ax_net_add_layer(dst, name, s->op);
		free(name);
		char *keep = l->name;
		*l = *s;
		l->name = keep;
		for (uint32_t k = 0; k < l->n_in; k++)
			l->in[k] += base;
	}
}

void ax_pipeline_merge(const struct ax_pipeline *p, struct ax_tasklist *tl, struct ax_net *net,
		       const uint64_t *ddr_base)
{
	AX_ASSERT(tl->n_parts == p->n && p->n > 0);
	const struct ax_tasklist *first = &tl->parts[0];
	size_t layers = 0;
	for (uint32_t i = 0; i < p->n; i++)
		layers += tl->parts[i].n_layers;
	/* the header: the first model's, with the totals of all */
	tl->clock_hz = first->clock_hz;
	tl->tasklist_home = first->tasklist_home;
	tl->tasklist_bytes = first->tasklist_bytes;
	tl->tasklist_chunks = first->tasklist_chunks;
	tl->weight_home = first->weight_home;
	tl->weight_l2_bytes = first->weight_l2_bytes;
	tl->mode = first->mode;
	tl->cores_per_copy = first->cores_per_copy;
	tl->resources_milli = first->resources_milli;
	tl->mvm_limit_permille = first->mvm_limit_permille;
	tl->n_layers = layers;
	tl->tensors = ax_xcalloc(layers ? layers : 1, sizeof(*tl->tensors));
	tl->plans = ax_xcalloc(layers ? layers : 1, sizeof(*tl->plans));
	tl->part_core_base = ax_xcalloc(p->n, sizeof(uint32_t));
	tl->part_layer_base = ax_xcalloc(p->n, sizeof(uint32_t));
	uint32_t cores = 0;
	for (uint32_t i = 0; i < p->n; i++)
		cores += tl->parts[i].n_cores;
	tl->core_part = ax_xcalloc(cores, sizeof(uint32_t));
	net->name = ax_xstrdup("pipeline");
	uint32_t core = 0, layer = 0;
	for (uint32_t i = 0; i < p->n; i++) {
		struct ax_tasklist *pt = &tl->parts[i];
		tl->part_core_base[i] = core;
		tl->part_layer_base[i] = layer;
		for (uint32_t k = 0; k < pt->n_cores; k++)
			tl->core_part[core + k] = i;
		if (pt->stage) {
			if (!tl->stage)
				tl->stage = ax_xcalloc(layers, sizeof(uint32_t));
			for (size_t l = 0; l < pt->n_layers; l++)
				tl->stage[layer + l] = pt->stage[l] + core;
		}
		memcpy(tl->tensors + layer, pt->tensors, pt->n_layers * sizeof(*tl->tensors));
		memcpy(tl->plans + layer, pt->plans, pt->n_layers * sizeof(*tl->plans));
		for (size_t l = 0; l < pt->n_layers; l++) {
			tl->tensors[layer + l].ddr_addr += ddr_base[i];
			if (tl->plans[layer + l].merged_into >= 0)  /* a layer of this part */
				tl->plans[layer + l].merged_into += (int32_t)layer;
		}
		/* the part's own tasklist region, above the earlier models' DDR */
		pt->ddr_tasklist_base += ddr_base[i];
		uint32_t task0 = (uint32_t)tl->n_tasks;
		uint32_t *deps = NULL;
		size_t cap = 0;
		for (size_t t = 0; t < pt->n_tasks; t++) {
			struct ax_task k = pt->tasks[t];
			const uint32_t *d = ax_task_deps(pt, &pt->tasks[t]);
			AX_GROW(deps, cap, (size_t)k.n_deps + 1);
			for (uint32_t j = 0; j < k.n_deps; j++)
				deps[j] = d[j] + task0;
			k.core += core;
			k.layer += layer;
			if (k.kind == AX_T_DMA && k.src == AX_MEM_DDR)
				k.src_addr += ddr_base[i];
			if (k.kind == AX_T_DMA && k.dst == AX_MEM_DDR)
				k.dst_addr += ddr_base[i];
			ax_tasklist_add(tl, &k, deps, k.n_deps);
		}
		free(deps);
		net_append(net, &p->m[i].net, p->m[i].name, layer);
		if (pt->inferences > tl->inferences)
			tl->inferences = pt->inferences;
		if (pt->dma_sys_channels > tl->dma_sys_channels)
			tl->dma_sys_channels = pt->dma_sys_channels;
		if (pt->dma_core_channels > tl->dma_core_channels)
			tl->dma_core_channels = pt->dma_core_channels;
		/* the chip's cap (the limiter's ceiling) is the highest; each
		 * model's cores keep their own below it */
		if (pt->mvm_limit_permille > tl->mvm_limit_permille)
			tl->mvm_limit_permille = pt->mvm_limit_permille;
		for (int m = 0; m < AX_MEM_COUNT; m++)
			tl->peak_bytes[m] += pt->peak_bytes[m];
		tl->spilled_bytes += pt->spilled_bytes;
		tl->weight_bytes += pt->weight_bytes;
		tl->tasklist_reserve += pt->tasklist_reserve;
		tl->copies += pt->copies;
		tl->lanes += pt->lanes;
		core += pt->n_cores;
		layer += (uint32_t)pt->n_layers;
	}
	tl->n_cores = core;
}

double ax_pipeline_model_fps(const struct ax_pipeline_model *m, const struct ax_part_result *pr,
			     uint64_t window_end_ps)
{
	uint32_t n = 0;
	while (n < pr->inferences && pr->infer_end_ps[n] <= window_end_ps)
		n++;
	if (n < 2)
		n = pr->inferences;
	if (n >= 2) {
		uint64_t span = pr->infer_end_ps[n - 1] - pr->infer_end_ps[0];
		if (span)
			return m->lanes * (double)(n - 1) * 1e12 / (double)span;
	}
	return pr->latency_ps ? m->lanes * 1e12 / (double)pr->latency_ps : 0;
}
