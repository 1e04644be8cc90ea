/*
 * run.h - the run pipeline as a library call: hardware description,
 * compilation configuration, network, lowering, platform.  What axsim run,
 * a sweep point and the public API (axsim.h) all call.  Printing and writing
 * the outputs is the caller's; the result keeps everything the report
 * producers (sim/report) need.
 */
#ifndef AX_RUN_H
#define AX_RUN_H

#include <stdint.h>

#include "common/err.h"
#include "config/arch.h"
#include "config/ccfg.h"
#include "lower/tasklist.h"
#include "net/net.h"
#include "platform/platform.h"
#include "report/report.h"
#include "run/pipeline.h"

/* Back-to-back inferences per copy when a run does not say: two give the
 * steady-state throughput (docs/timing-model.md "Back-to-back inferences"). */
#define AX_DEFAULT_INFERENCES 2
#define AX_MAX_INFERENCES 64

/* What to simulate.  Zero it, then fill what applies; the strings are the
 * caller's and must outlive ax_run (the result copies the two paths). */
struct ax_run_spec {
	const char *net_path;          /* an ELF or a network description; "-" reads standard input */
	const char *arch_path;         /* NULL: the built-in configs/metis.yaml */
	const char *config_path;       /* model YAML; NULL: the SDK's default compilation configuration */
	const char *model, *board;     /* entry of models: and board section; need config_path */
	const char *const *sets;       /* KEY=VALUE (--set): a hardware parameter, applied after
					  arch_path, or a compilation key, applied after config_path */
	int n_sets;
	const char *const *overrides;  /* KEY=VALUE: a compilation key (ax_ccfg_set) or a hardware
					  parameter, applied after config_path and sets */
	int n_overrides;
	const char *origin;            /* names the overrides in messages, e.g. "sweep" */
	uint32_t inferences;           /* back-to-back inferences per copy, 1 to 64; 0: the default */
	int record_tasks;              /* keep every task's span, for ax_trace_write */
	const char *vcd_path;          /* non-NULL: the platform writes this VCD while it runs */
	uint64_t trace_limit_bytes;    /* the VCD stops once about this large (0: no limit) */
	/* a pipeline (docs/timing-model.md "Pipelines of models"): "MODEL=NET"
	 * for each model of config_path, in stage order, instead of net_path;
	 * "MODEL=N" overrides the runs per frame of a later stage */
	const char *const *nets;
	int n_nets;
	const char *const *rois;
	int n_rois;
};

/* Everything a finished run holds.  Initialise with ax_run_result_init,
 * release with ax_run_result_release; do not copy it (in points into it). */
struct ax_run_result {
	struct ax_arch_desc arch;
	struct ax_ccfg cfg;
	struct ax_net net;
	struct ax_tasklist tl;
	struct ax_result res;
	char *network_path, *config_path;
	uint64_t vcd_cut_ps;           /* where the VCD stopped at trace_limit_bytes; 0: whole */
	struct ax_report_input in;     /* valid after ax_run returned AX_OK */
	struct ax_pipeline pipe;       /* the models of a pipeline run (n 0 otherwise) */
	struct ax_report_model *models;/* heap, pipe.n */
};

void ax_run_result_init(struct ax_run_result *r);
void ax_run_result_release(struct ax_run_result *r);

/*
 * Runs the pipeline of spec into r (initialised by the caller).  Returns
 * AX_OK; AX_EINPUT or AX_EIO for bad input (a file, key or value of spec),
 * with every message in err; AX_ESIM when the simulation itself failed.
 * Warnings (keys accepted and ignored) go to warn.  Runs SystemC: call it at
 * most once per process.
 */
int ax_run(const struct ax_run_spec *spec, struct ax_run_result *r, struct ax_err *err,
	   struct ax_err *warn);

/* Parses text (--inferences: 1 to AX_MAX_INFERENCES) into *n; NULL text
 * is 0, the default.  AX_EINPUT with a message otherwise. */
int ax_run_parse_inferences(const char *text, uint32_t *n, struct ax_err *err);

/* The hardware description of spec: arch_path, sets (all taken as hardware
 * parameters: the caller leaves compilation keys out), then the hardware
 * parameters among the overrides (compilation keys skipped); messages
 * appended to err.  d is initialised here; release it in every case. */
int ax_run_load_arch(const struct ax_run_spec *spec, struct ax_arch_desc *d, struct ax_err *err);

/* Loads a network from an ELF or a network description, told apart by the
 * ELF magic; the file is read once, so a pipe works too. */
int ax_run_load_net(const char *path, struct ax_net *net, struct ax_err *err);

#endif
