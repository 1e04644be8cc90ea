/*
 * sweep.h - the results of a sweep and the merge of its point files
 * (docs/sweeps.md): what axsim sweep and axsim merge compute, as library
 * calls; the tool runs the points, prints and exits (sim/cli/sweep.c).
 */
#ifndef AX_RUN_SWEEP_H
#define AX_RUN_SWEEP_H

#include <stddef.h>
#include <jansson.h>

#include "common/err.h"

#define AX_SWEEP_SCHEMA_VERSION 1

/* A point's figures (docs/sweeps.md "JSON"), in the order of the sweep's
 * JSON and CSV.  Each is a metric of the run JSON: a statistic of the report
 * (report/stats.h), or siblings added as axsim compare adds them; the
 * statistics table gives its JSON type and whether higher is better. */
enum ax_sweep_figure {
	AX_FIG_LATENCY_US, AX_FIG_LATENCY_CYCLES, AX_FIG_FPS, AX_FIG_UTIL, AX_FIG_DDR, AX_FIG_DDR_PER_INF, AX_FIG_L2,
	AX_FIG_ENERGY, AX_FIG_POWER, AX_FIG_FPS_PER_W, AX_FIG_COUNT
};

/* One point of a sweep, as read from its file. */
struct ax_sweep_point {
	char *path;                /* the file read */
	json_t *doc;               /* the whole point file (trimmed once checked, ax_sweep_results_add) */
	json_t *values;            /* borrowed from doc */
	const char *status, *error;
	double fig[AX_FIG_COUNT];  /* NaN for an optional figure the point file lacks */
	int ok, best, conf, pareto;
};

/* What "best", the Pareto front and the table's order mean (--objective):
 * the figure that decides, in the direction the statistics table gives. */
enum ax_sweep_objective { AX_OBJ_LATENCY, AX_OBJ_FPS, AX_OBJ_DDR, AX_OBJ_COUNT };

/* The points of one sweep: zero it and set the objective, add the points,
 * finish; release it with ax_sweep_results_release. */
struct ax_sweep_results {
	struct ax_sweep_point *r;
	size_t n, cap;
	enum ax_sweep_objective objective;
	size_t first_ok;           /* index + 1 of the first ok point added, 0 when none */
	json_t *names;             /* the axes (borrowed from the first point) */
	/* per figure, from the statistics table (ax_sweep_results_finish) */
	unsigned char integer[AX_FIG_COUNT];      /* written as an integer */
	unsigned char higher[AX_FIG_COUNT];       /* higher is better */
	json_t *configured;        /* borrowed from the first point */
};

/* ---- the values of an axis ---- */

/* The typed value of key = text (config/keys.h): for a compilation key as
 * config.<key> of the run JSON, for a hardware parameter its base unit as
 * arch.<key>.  NULL with a message naming origin when text is not a value. */
json_t *ax_sweep_typed_value(const char *key, const char *text, const char *origin, struct ax_err *err);
/* The text of a typed value, as --axis takes it back ("true", "6", "16MiB"). */
void ax_sweep_value_text(const char *key, const json_t *v, char *buf, size_t len);
/* The order of values on an axis: numbers ascending, false before true,
 * strings by strcmp, values of different types by type. */
int ax_sweep_value_cmp(const json_t *a, const json_t *b);
/* The file name of a point: key=value pairs joined by commas (heap). */
char *ax_sweep_point_name(const json_t *names, const json_t *values);

/* ---- objectives ---- */

/* --objective NAME; -1 when NAME is none. */
int ax_sweep_objective_find(const char *name);
/* "lowest latency", and what the Pareto front is of, for the table's legend. */
const char *ax_sweep_objective_best(enum ax_sweep_objective o);
const char *ax_sweep_objective_front(enum ax_sweep_objective o);

/* ---- points and results ---- */

/* Reads a point file into r; AX_EINPUT with a message when it is not one. */
int ax_sweep_point_load(const char *path, struct ax_sweep_point *r, struct ax_err *err);
/* Takes a point's document (its reference) as the point read from path. */
int ax_sweep_point_from_doc(const char *path, json_t *doc, struct ax_sweep_point *r, struct ax_err *err);
/* Adds a point after checking that it belongs with those added; takes r's
 * memory either way.  Non-zero with a message when it does not belong. */
int ax_sweep_results_add(struct ax_sweep_results *rs, struct ax_sweep_point *r, struct ax_err *err);
/* Orders the points as the grid, checks they are each one point, and marks
 * best, configured and Pareto points; *missing is the number of grid points
 * without a file. */
int ax_sweep_results_finish(struct ax_sweep_results *rs, size_t *missing, struct ax_err *err);
/* Whether point a is better than b by the objective of rs (ties: neither). */
int ax_sweep_better(const struct ax_sweep_results *rs, const struct ax_sweep_point *a,
		    const struct ax_sweep_point *b);
/* The distinct values the points have on axis key, in value order (new reference). */
json_t *ax_sweep_axis_values(const struct ax_sweep_results *rs, const char *key);
/* The sweep JSON (docs/sweeps.md "JSON"; new reference). */
json_t *ax_sweep_results_json(const struct ax_sweep_results *rs);
/* Writes the sweep CSV to path (an output, common/output.h). */
int ax_sweep_results_csv(const struct ax_sweep_results *rs, const char *path, struct ax_err *err);
void ax_sweep_results_release(struct ax_sweep_results *rs);

/* ---- merge ---- */

/* Adds the point file path (from_dir: found in a directory given, where
 * other JSON is skipped with a warning in warn) or every *.json of dir, in
 * name order; problems go to err. */
int ax_sweep_merge_file(struct ax_sweep_results *rs, const char *path, int from_dir, struct ax_err *err,
			struct ax_err *warn);
void ax_sweep_merge_dir(struct ax_sweep_results *rs, const char *dir, struct ax_err *err, struct ax_err *warn);
/* axsim merge: adds every input, a point file or a directory of them. */
void ax_sweep_merge(struct ax_sweep_results *rs, const char *const *inputs, size_t n, struct ax_err *err,
		    struct ax_err *warn);

#endif
