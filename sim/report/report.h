/*
 * report.h - turns a simulation result into what users read: a text summary,
 * deterministic JSON (docs/report-format.md) and a per-layer CSV.
 */
#ifndef AX_REPORT_H
#define AX_REPORT_H

#include <stdio.h>
#include <jansson.h>

#include "../common/err.h"
#include "../config/arch.h"
#include "../config/ccfg.h"
#include "../lower/tasklist.h"
#include "../net/net.h"
#include "../platform/platform.h"

#define AX_REPORT_SCHEMA_VERSION 1

/* One model of a pipeline, as the report shows it (docs/report-format.md "pipeline"). */
struct ax_report_model {
	const char *name;
	uint32_t core_base, cores, copies, runs_per_frame;
	const char *rois_from;      /* where runs_per_frame came from */
	double resources_used;      /* its share of the chip's memories, all copies */
	double fps;                 /* its inferences per second, steady state */
	uint64_t latency_ps;        /* its first inference of every copy */
	uint64_t inferences;        /* back-to-back inferences simulated per copy */
};

struct ax_report_input {
	const struct ax_net *net;
	const struct ax_arch_desc *arch;
	const struct ax_ccfg *cfg;
	const struct ax_tasklist *tl;
	const struct ax_result *res;
	const char *network_path;   /* as given on the command line */
	const char *config_path;
	/* a pipeline of several models (docs/timing-model.md "Pipelines of
	 * models"); 0/NULL for one network, which the report shows as a pipeline of one */
	size_t n_models;
	const struct ax_report_model *models;
};

/* Derived per-layer figures shared by the text, JSON and CSV outputs. */
struct ax_layer_figures {
	uint64_t cycles, start_cycle, end_cycle;
	double utilization;         /* useful MACs / peak of the copy's cores over the layer's span */
	enum ax_engine bound;       /* the engine busiest during the layer */
};

void ax_report_layer(const struct ax_report_input *in, size_t i, struct ax_layer_figures *f);

/* docs/energy.md: the run's energy (whole run, every copy), and the
 * inferences it is shared by (lanes x back-to-back inferences). */
void ax_report_energy(const struct ax_report_input *in, struct ax_energy *e, double *frames);

/* The JSON document (new reference; the caller json_decref's it). */
json_t *ax_report_json(const struct ax_report_input *in);
/* The text summary. */
void ax_report_text(const struct ax_report_input *in, FILE *out);
/* Writes text to path as an output (common/output.h: a regular file through a
 * temporary file and rename(2), a device, FIFO or `-` in place). */
int ax_write_atomic(const char *path, const char *text, size_t len, struct ax_err *err);
/* JSON and CSV files, written atomically. */
int ax_report_write_json(const struct ax_report_input *in, const char *path, struct ax_err *err);
/* j as indented JSON with a final newline, written atomically (ax_write_atomic). */
int ax_write_json(const json_t *j, const char *path, struct ax_err *err);
/* A byte count for people: "812 B", "4.2 kB", "13.90 MB", "1.05 GB". */
void ax_human_bytes(uint64_t b, char *buf, size_t n);
/* s as one CSV field (quoted when it holds a comma, quote or line break; heap). */
char *ax_csv_quote(const char *s);
/* The per-layer CSV as a heap string of *len bytes (NUL-terminated; the caller frees it). */
char *ax_report_csv(const struct ax_report_input *in, size_t *len);
int ax_report_write_csv(const struct ax_report_input *in, const char *path, struct ax_err *err);

#endif
