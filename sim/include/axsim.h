/*
 * axsim.h - the public C API of axsim, the cycle-approximate simulator of the
 * Axelera Metis AI chip.  This is the only header a program using libaxsim
 * includes (pkg-config --cflags --libs axsim).
 *
 * A run is described by a specification (struct axsim_spec: the network, the
 * compilation configuration, the hardware description and KEY=VALUE changes
 * to either), simulated by axsim_run inside a session, and read back from a
 * result: single figures by their JSON path, or the whole report as JSON,
 * text or CSV (docs/report-format.md).  axsim_sweep runs every combination
 * of a specification's axes, as axsim sweep does.
 *
 * Every function that can fail returns an enum axsim_status; the messages of
 * the last failed call of a session are in axsim_session_errors().  SystemC
 * cannot restart a simulation, so a process runs at most one: fork a child
 * per simulation (the Python package does so invisibly).
 *
 * Ownership: what a _new function returns is freed with the matching _free;
 * strings returned by axsim_result_format are freed with axsim_free; every
 * other returned string belongs to the library and stays valid until the next
 * call on the same object.
 */
#ifndef AXSIM_H
#define AXSIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum axsim_status {
	AXSIM_OK = 0,
	AXSIM_EINPUT = 1,  /* bad input: a file, key or value of the specification (axsim exits 2) */
	AXSIM_ESIM = 2,    /* the simulation itself failed (axsim exits 1) */
	AXSIM_EOUTPUT = 3, /* an output could not be written (axsim exits 1) */
	AXSIM_EUSAGE = 4,  /* the API was called wrongly: a NULL argument, a second simulation
			      in one process */
};

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *axsim_version(void);

/* ---- sessions: where the messages of each call go ---- */

struct axsim_session;

/* A new session; NULL only when memory is exhausted. */
struct axsim_session *axsim_session_new(void);
void axsim_session_free(struct axsim_session *s);
/* The errors of the session's last call, one per line (each ending in a newline); "" when it succeeded.
 * Each names where (file:line:column), what, and what was expected. */
const char *axsim_session_errors(const struct axsim_session *s);
/* The warnings of the last axsim_run (keys accepted and ignored); "" when none. */
const char *axsim_session_warnings(const struct axsim_session *s);

/* ---- the run specification ---- */

struct axsim_spec;

/* An empty specification: no network, the built-in hardware description, the
 * SDK's default compilation configuration, 2 back-to-back inferences. */
struct axsim_spec *axsim_spec_new(void);
void axsim_spec_free(struct axsim_spec *spec);
/* The network: an ELF written by axsim compile/import, or a network description. */
int axsim_spec_set_net(struct axsim_spec *spec, const char *path);
/* The compilation configuration: a model YAML; model and board (NULL: none)
 * choose its models: entry and its pcie:/m2: section. */
int axsim_spec_set_config(struct axsim_spec *spec, const char *path, const char *model,
			  const char *board);
/* Adds a model of a pipeline (several models of the axsim_spec_set_config
 * file at once, each on its own cores, in the order added; docs/timing-model.md
 * "Pipelines of models"): its models: entry and its network.  Replaces
 * axsim_spec_set_net; the config's model must be NULL. */
int axsim_spec_add_net(struct axsim_spec *spec, const char *model, const char *path);
/* A later stage of a pipeline runs rois times per frame of the first
 * (1 to 256; default: the pipeline section's top_k).  Checked by axsim_run. */
int axsim_spec_set_rois(struct axsim_spec *spec, const char *model, unsigned rois);
/* The hardware description file (NULL: the built-in configs/metis.yaml). */
int axsim_spec_set_arch(struct axsim_spec *spec, const char *path);
/* Adds one change, "KEY=VALUE": a hardware parameter (l2.size=16MiB) or a
 * compilation key (tiling_depth=2), applied in the order added after the
 * files.  Checked by axsim_run. */
int axsim_spec_set(struct axsim_spec *spec, const char *assignment);
/* Back-to-back inferences per copy of the network, 1 to 64 (checked by axsim_run). */
int axsim_spec_set_inferences(struct axsim_spec *spec, unsigned inferences);
/* Keeps every task's span so that the result can be written as a trace (AXSIM_FORMAT_TRACE). */
int axsim_spec_set_trace(struct axsim_spec *spec, int record);
/* Writes the units' busy signals as a VCD file while simulating (NULL: none). */
int axsim_spec_set_vcd(struct axsim_spec *spec, const char *path);

/* ---- running and results ---- */

struct axsim_result;

/*
 * Simulates spec.  On AXSIM_OK *out is a new result (free it with
 * axsim_result_free); otherwise *out is NULL and the session holds the
 * messages: AXSIM_EINPUT for bad input, AXSIM_ESIM when the simulation
 * failed, AXSIM_EUSAGE for a NULL argument or a second run in this process.
 */
int axsim_run(struct axsim_session *s, const struct axsim_spec *spec, struct axsim_result **out);
void axsim_result_free(struct axsim_result *r);

/* The first inference's latency in cycles of the core clock. */
uint64_t axsim_result_latency_cycles(const struct axsim_result *r);
/* The chip's steady-state throughput in inferences per second. */
double axsim_result_fps(const struct axsim_result *r);
/* The number at a dotted path of the JSON report ("totals.imc_utilization",
 * "memory.ddr.read_bytes", "layers.3.cycles") into *value; AXSIM_EINPUT when
 * the path names no number. */
int axsim_result_get(const struct axsim_result *r, const char *path, double *value);

enum axsim_format {
	AXSIM_FORMAT_JSON,  /* the report as JSON, as axsim run --json writes it */
	AXSIM_FORMAT_TEXT,  /* the text report axsim run prints */
	AXSIM_FORMAT_CSV,   /* one row per layer, as axsim run --csv writes it */
	AXSIM_FORMAT_TRACE, /* trace-event JSON for ui.perfetto.dev; needs axsim_spec_set_trace */
};

/* The result in format f as a new string (free it with axsim_free); NULL for
 * an unknown format or a trace that was not recorded. */
char *axsim_result_format(const struct axsim_result *r, enum axsim_format f);
/* Writes the result in format f to the file path (replaced atomically).
 * AXSIM_EOUTPUT with the message in the session when it cannot. */
int axsim_result_write(struct axsim_session *s, const struct axsim_result *r, enum axsim_format f,
		       const char *path);
/* Frees a string the library returned. */
void axsim_free(void *p);

/* ---- comparing two runs (axsim compare, docs/regression.md) ---- */

/*
 * Compares two reports of axsim run --json, the files base and cur.  metrics
 * is a NULL-terminated list of metric paths ("totals.fps",
 * "memory.ddr.read_bytes+write_bytes"; NULL: the defaults of axsim compare),
 * tolerances a NULL-terminated list of "[METRIC=]PCT" ("2%", "totals.fps=5%";
 * NULL: 0%); force compares reports of different networks.  On AXSIM_OK *out
 * is a new JSON string (free it with axsim_free): "metrics" with each one's
 * base, new, tolerance and verdict, "inputs_differ", "layers" and
 * "regressed", the number of metrics worse than their tolerance allows.  A
 * regression is a result, not an error.  AXSIM_EINPUT for bad input.
 */
int axsim_compare(struct axsim_session *s, const char *base, const char *cur, const char *const *metrics,
		  const char *const *tolerances, int force, char **out);

/* ---- sweeps (axsim sweep, docs/sweeps.md) ---- */

/* Adds an axis for axsim_sweep: key (a hardware parameter or a compilation
 * key) takes each of values, comma-separated values or integer ranges
 * LOW-HIGH ("1-4,8", "8MiB,32MiB", "true,false"), as axsim sweep --set
 * KEY=LIST takes them.  axsim_run ignores axes.  Checked by axsim_sweep. */
int axsim_spec_add_axis(struct axsim_spec *spec, const char *key, const char *values);

/*
 * Simulates every combination of spec's axes (none: the default axes of
 * axsim sweep) on top of the rest of spec, up to jobs at once, each in a
 * child process of its own; the calling process runs no simulation.  The
 * point files go to dir (NULL: sweep-NAME in the current directory) as axsim
 * sweep writes them; resume keeps the points dir already holds.  objective:
 * "latency", "fps" or "ddr" (NULL: latency), what the best point and the
 * Pareto front mean.  On AXSIM_OK *out is the sweep JSON (docs/sweeps.md
 * "Sweep JSON") as a new string (free it with axsim_free); a point that
 * failed is a result, with its status and error, not an error of the call.
 * AXSIM_EINPUT for bad input (a file, key, value or axis), AXSIM_EOUTPUT when
 * dir or a point file cannot be written, AXSIM_ESIM when no point's process
 * could be started, AXSIM_EUSAGE for a NULL argument or after axsim_run in
 * this process (the children would inherit its finished simulation).
 */
int axsim_sweep(struct axsim_session *s, const struct axsim_spec *spec, const char *dir, int jobs, int resume,
		const char *objective, char **out);

#ifdef __cplusplus
}
#endif

#endif
