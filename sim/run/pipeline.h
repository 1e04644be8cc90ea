/*
 * pipeline.h - several models of one model YAML on one chip at once (a
 * cascade), docs/timing-model.md "Pipelines of models": each model lowered
 * alone onto its own cores, the tasklists merged into one and simulated once,
 * the figures attributed back to each model.
 */
#ifndef AX_PIPELINE_H
#define AX_PIPELINE_H

#include <stdint.h>

#include "common/err.h"
#include "config/ccfg.h"
#include "lower/tasklist.h"
#include "net/net.h"
#include "platform/platform.h"

/* Runs of a later stage per frame of the first, at most (each a back-to-back
 * inference of the model). */
#define AX_MAX_ROIS 256
/* Back-to-back inferences per copy of one model of a pipeline, at most. */
#define AX_MAX_PIPELINE_INFERENCES 1024

/* One model of a pipeline. */
struct ax_pipeline_model {
	char *name;                /* its models: entry */
	char *net_path;
	uint32_t runs_per_frame;   /* 1 for the first stage; the regions of interest for later ones */
	const char *rois_from;     /* where runs_per_frame came from, for the report */
	struct ax_ccfg cfg;
	struct ax_net net;
	uint32_t core_base, cores, copies, lanes;
	uint32_t resources_milli;  /* its share of the chip's memories: per copy x copies */
};

struct ax_pipeline {
	uint32_t n;
	struct ax_pipeline_model *m;   /* heap, n */
	uint32_t frames;               /* frames of the first stage simulated */
};

void ax_pipeline_release(struct ax_pipeline *p);

/*
 * The runs per frame a later stage of the model YAML at path gets by default
 * (docs/timing-model.md "Pipelines of models"): in its pipeline: section, the
 * step naming model as model_name and its input's top_k (the SDK's ROI
 * input); else the top_k, then the nms_top_k, of an earlier step's
 * postprocess; else 1.  *from says which.  Returns AX_OK or the YAML's error.
 */
int ax_pipeline_default_rois(const char *path, const char *model, uint32_t *rois, const char **from,
			     struct ax_err *err);

/*
 * Appends each tasklist of p (lowered alone, parts[i] for model i, already
 * in tl->parts) into tl: cores after the earlier models', layers and tasks
 * renumbered, DDR addresses above the earlier models' (ddr_base[i]); builds
 * the merged network of every model's layers ("model/layer") into net.
 */
void ax_pipeline_merge(const struct ax_pipeline *p, struct ax_tasklist *tl, struct ax_net *net,
		       const uint64_t *ddr_base);

/* A model's steady-state throughput in inferences per second, from its part
 * of res: lanes x (N - 1) over the span of its inferences' ends, counting only
 * those that ended while every model still ran (window_end_ps: the earliest
 * end of a model) when at least two did. */
double ax_pipeline_model_fps(const struct ax_pipeline_model *m, const struct ax_part_result *pr,
			     uint64_t window_end_ps);

#endif
