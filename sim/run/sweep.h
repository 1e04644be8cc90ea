/*
 * sweep.h - a sweep as library calls (docs/sweeps.md): its grid and the
 * running of its points, one child process each (sweep_run.c); the results
 * and the merge of point files (sweep.c).  axsim sweep and axsim merge only
 * parse argv, call these, print and exit (sim/cli).
 */
#ifndef AX_RUN_SWEEP_H
#define AX_RUN_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "common/err.h"

#define AX_SWEEP_SCHEMA_VERSION 1

#define AX_SWEEP_MAX_AXES 32
#define AX_SWEEP_MAX_VALUES 10000     /* per axis */
#define AX_SWEEP_MAX_POINTS 100000
#define AX_SWEEP_MAX_JOBS 1024

/* Names the sweep's overrides in messages and point files. */
#define AX_SWEEP_ORIGIN "sweep"

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

/* ---- running a sweep (sweep_run.c) ---- */

/* What every point of a sweep shares: the options of axsim sweep other than
 * its axes.  The strings are the caller's and must outlive the sweep. */
struct ax_sweep_spec {
	const char *net_path;             /* an ELF or a network description; NULL with nets */
	const char *const *nets;          /* a pipeline: "MODEL=NET" per model (run/run.h) */
	int n_nets;
	const char *const *rois;          /* "MODEL=N" */
	int n_rois;
	const char *arch_path, *config_path, *model, *board;
	const char *inferences;           /* 1 to 64 as given (the inputs digest hashes the
					     text); NULL: the default */
	const char *const *sets;          /* fixed hardware parameters, KEY=VALUE */
	int n_sets;
	const char *const *cc;            /* fixed compilation keys, KEY=VALUE */
	int n_cc;
};

/* One axis: a key and the values it takes. */
struct ax_sweep_axis {
	const char *key;          /* canonical compilation key or hardware path */
	const char *opt;          /* what gave it, for messages ("--tiling-depth", "--set") */
	const char *list;         /* the values as given */
	json_t *values;           /* typed, sorted, distinct */
};

/* A sweep: ax_sweep_init, then the spec and options set and axes added,
 * ax_sweep_grid, ax_sweep_load, ax_sweep_claim, then ax_sweep_run (or
 * ax_sweep_emit_jobs); ax_sweep_release in every case. */
struct ax_sweep {
	struct ax_sweep_spec spec;        /* paths made absolute by ax_sweep_load */
	struct ax_sweep_axis axes[AX_SWEEP_MAX_AXES];
	int n_axes;
	size_t n_points;                  /* the grid's (ax_sweep_grid) */
	int jobs;                         /* points at once, 1 to AX_SWEEP_MAX_JOBS */
	int resume;                       /* keep points already done (docs/sweeps.md "Running") */
	enum ax_sweep_objective objective;
	/* progress: called as points start and end (NULL: none) */
	void (*progress)(void *ctx, size_t done, size_t total, int running, size_t failed);
	void *progress_ctx;
	/* set by the calls */
	json_t *names;                    /* the axis keys (ax_sweep_claim) */
	json_t *configured;               /* their values without the sweep (null: inputs do not load) */
	json_t *inputs;                   /* the inputs digest */
	char *net_name;                   /* the network's name (ax_sweep_load) */
	char *out, *out_abs;              /* the points directory, as chosen and absolute */
	char **owned;                     /* strings the sweep allocated */
	size_t n_owned;
};

/* How ax_sweep_run went. */
struct ax_sweep_stats {
	size_t ran, resumed;              /* points run, and kept from an earlier run (--resume) */
	double seconds;                   /* running the points took */
	int damaged;                      /* a point file could not be rewritten or does not belong */
};

void ax_sweep_init(struct ax_sweep *sw);
void ax_sweep_release(struct ax_sweep *sw);
/* Adds an axis: key (canonical) takes the values of list (values and ranges
 * LOW-HIGH, comma-separated), checked, sorted, each once; opt names it in
 * messages.  AX_EINPUT with a message otherwise. */
int ax_sweep_axis_add(struct ax_sweep *sw, const char *opt, const char *key, const char *list,
		      struct ax_err *err);
/* The axis of key, or NULL. */
const struct ax_sweep_axis *ax_sweep_axis_find(const struct ax_sweep *sw, const char *key);
/* Completes the grid: the default axes when none was added (docs/sweeps.md
 * "Axes"), and n_points; AX_EINPUT when there are too many. */
int ax_sweep_grid(struct ax_sweep *sw, struct ax_err *err);
/* The axis values of point idx (the last axis varies fastest) as an object
 * (new reference) and, when texts is not NULL, as KEY=VALUE texts (texts
 * holds n_axes entries of 160 characters). */
json_t *ax_sweep_point_values(const struct ax_sweep *sw, size_t idx, char texts[][160]);
/* Checks once what every point reads (the hardware description, the model
 * YAML with the fixed keys, the networks) so that bad input is one message,
 * not one failed point per combination, and makes the spec's paths absolute
 * (children and job lines run anywhere).  Messages in err, warnings in warn. */
int ax_sweep_load(struct ax_sweep *sw, struct ax_err *err, struct ax_err *warn);
/*
 * Ties the sweep to its points directory out (NULL: sweep-NAME, or
 * sweep-NAME-XXXXXXXX when that is another sweep's), created when missing
 * and stamped (docs/sweeps.md "Running").  AX_EINPUT with a message when the
 * points' names would be too long or out is another sweep's; AX_EIO when it
 * cannot be created, read or stamped.
 */
int ax_sweep_claim(struct ax_sweep *sw, const char *out, struct ax_err *err);
/* Writes a job line per point not yet done to path (docs/sweeps.md "Job
 * lines"), each running self (the axsim tool); *written and *done count
 * them.  AX_EIO with a message when path cannot be written. */
int ax_sweep_emit_jobs(const struct ax_sweep *sw, const char *self, const char *path, size_t *written,
		       size_t *done, struct ax_err *err);
/*
 * Runs every point not yet done, jobs at once, each in a child process
 * (SystemC cannot restart), and reads the point files into rs (zeroed by
 * the caller; its objective is set here) as axsim merge would.  A point whose
 * process died gets a file with status crashed.  Returns AX_OK, or AX_EIO
 * when no process could be started; messages in err.  Finish rs with
 * ax_sweep_results_finish.
 */
int ax_sweep_run(struct ax_sweep *sw, struct ax_sweep_results *rs, struct ax_sweep_stats *st,
		 struct ax_err *err);

/* ---- one point ---- */

/* The values the axes names have without the sweep's overrides (null when
 * the inputs do not load); a new reference. */
json_t *ax_sweep_configured(const struct ax_sweep_spec *spec, const json_t *names);
/* FNV-1a, 64 bits: adds n bytes at p to *h. */
void ax_sweep_fnv1a(uint64_t *h, const void *p, size_t n);
/* The digest of what every point of one sweep shares (docs/sweeps.md "Point
 * files"); a new reference. */
json_t *ax_sweep_inputs_digest(const struct ax_sweep_spec *spec);
/* Splits "key=value"; NULL when malformed, else the key (heap). */
char *ax_sweep_split(const char *a, const char **value);
/* The axes of a point, "KEY=VALUE" texts, into names (array) and values
 * (object), both new references; AX_EINPUT with messages in msgs. */
int ax_sweep_point_axes(const char *const *axes, int n_axes, json_t **names, json_t **values,
			struct ax_err *msgs);
/*
 * Writes a point's file to path: doc (the run JSON; NULL when the point
 * failed; the reference is taken) with its "sweep" object (status from the
 * exit status, 0, 1 or 2; msgs as its error).  Returns status, or 1 when
 * the file cannot be written (message in werr).
 */
int ax_sweep_point_write(const struct ax_sweep_spec *spec, json_t *names, json_t *values, int status,
			 const struct ax_err *msgs, json_t *doc, const char *path, struct ax_err *werr);
/*
 * Runs one point (the run pipeline with the fixed compilation keys and the
 * axes as overrides) and writes its file to path.  Returns the exit status
 * axsim run would have: 0, 1 (failed) or 2 (bad input); the point's messages
 * in msgs, a failure to write in werr.  Runs SystemC: once per process.
 */
int ax_sweep_point_run(const struct ax_sweep_spec *spec, const char *const *axes, int n_axes,
		       const char *path, struct ax_err *msgs, struct ax_err *werr);

#endif
