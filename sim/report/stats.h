/*
 * stats.h - the report's statistics, each declared once: its path in the JSON
 * report, JSON type, unit, meaning, whether higher is better and how to read
 * it from a run (gem5's stats, DRAMSys's Stat objects).  The JSON report, the
 * per-layer CSV, compare's default metrics and their direction, and the field
 * tables of docs/report-format.md are all produced from the one table
 * (ax_report_stats in report.c); this file is the engine that walks it.
 *
 * A path names a key of the JSON, dots nesting objects.  A part <set> stands
 * for every member of a set in turn (<mem> is ddr, l2, l1; the sets are in
 * stats.c); `x.*` is an object whose keys the getter produces; `x[]` an
 * array, whose elements the entry's own table describes.
 */
#ifndef AX_STATS_H
#define AX_STATS_H

#include <stdio.h>
#include <jansson.h>

#include "report.h"

/* What the products of two activations (dyn_matmul layers) cost: their
 * count, MACs, the cycles charged to them, their weight-write engine's busy
 * time (copy 0, first inference) and the run-time weight bytes one copy
 * writes into the IMC per inference (docs/timing-model.md "Products of two
 * activations"; report.c computes them). */
struct ax_attention_figures {
	uint64_t layers, macs, cycles, write_cycles, runtime_bytes;
};

/* What a getter reads: the report's input and figures derived once per report
 * (or once per array element). */
struct ax_stat_ctx {
	const struct ax_report_input *in;
	struct ax_energy energy;         /* ax_report_energy */
	struct ax_attention_figures attention;
	double frames;
	struct ax_report_model one;      /* a single network as a pipeline of one */
	const struct ax_report_model *models;
	size_t n_models, slowest_model;
	size_t *layers;                  /* indices of the layers the report lists (no inputs) */
	size_t n_layers;
	size_t elem;                     /* the array element being written: a core, model or layer index */
	struct ax_layer_figures layer;   /* of layer elem */
};

enum ax_stat_better { AX_STAT_NEITHER = 0, AX_STAT_HIGHER, AX_STAT_LOWER };

struct ax_stat {
	const char *path;      /* in its table's object: "totals.fps", "memory.<mem>.busy", "config.*", "layers[]" */
	const char *type;      /* its JSON type(s) as the documentation writes them: "integer", "string, null" */
	const char *unit;      /* "cycles", "bytes", "share" ...; "" when it has none */
	enum ax_stat_better better;
	const char *doc;       /* what it means; NULL: it shares the documentation's row of the entry before */
	/* the value (a new reference); ix holds the member of each <set> of the path, in order */
	json_t *(*get)(struct ax_stat_ctx *c, const int *ix);
	/* an array (`x[]`): its elements' table, their count and choosing element k */
	const struct ax_stat *elem;
	size_t n_elem;
	size_t (*count)(struct ax_stat_ctx *c);
	void (*select)(struct ax_stat_ctx *c, size_t k);
	const char *title;     /* an array's documentation heading: "Layer objects" */
	int compare;           /* rank among axsim compare's default metrics (1 first); 0: not one */
	const char *compare_plus;  /* a sibling key added to it in that metric ("write_bytes") */
	int csv;               /* column of an element table's CSV (1 first); 0: not in it */
	const char *csv_name;  /* the CSV header when not the path */
};

/* The statistics of the JSON report (report.c), in the order written. */
const struct ax_stat *ax_report_stats(size_t *n);

/* The context of in for the getters; release it with ax_stat_ctx_release. */
void ax_stat_ctx_init(struct ax_stat_ctx *c, const struct ax_report_input *in);
void ax_stat_ctx_release(struct ax_stat_ctx *c);

/* The object the entries of t describe (a new reference). */
json_t *ax_stats_json(const struct ax_stat *t, size_t n, struct ax_stat_ctx *c);

/* The CSV of the array entry arr: a header of its columns, a row per element
 * (a heap string of *len bytes, NUL-terminated; the caller frees it). */
char *ax_stats_csv(const struct ax_stat *arr, struct ax_stat_ctx *c, size_t *len);

/* Calls fn with every concrete path of s (its <set> parts replaced by each
 * member in turn, leftmost slowest) and the members chosen. */
void ax_stat_foreach(const struct ax_stat *s, void (*fn)(const char *path, const int *ix, void *arg), void *arg);

/* The entry of t at a concrete path of the report ("memory.ddr.busy",
 * "layers.3.cycles", "config.tiling_depth"); NULL when none. */
const struct ax_stat *ax_stats_find(const struct ax_stat *t, size_t n, const char *path);

/* axsim compare's default metrics, in the order compared. */
struct ax_stat_metric {
	char name[128];        /* a path, or paths joined by '+' ("memory.ddr.read_bytes+write_bytes") */
	int higher_better;
};
size_t ax_stats_compare_defaults(struct ax_stat_metric *out, size_t max);

/* The documentation's field table of t (a Markdown table), and then the
 * tables of its arrays under headings "### TITLE (`PATH[]`)". */
void ax_stats_doc(const struct ax_stat *t, size_t n, FILE *out);
/* The CSV's header line of arr, without the line break. */
void ax_stats_csv_header(const struct ax_stat *arr, char *buf, size_t len);

/* docs/report-format.md, whole (reference.c). */
void ax_report_reference(FILE *out);

#endif
