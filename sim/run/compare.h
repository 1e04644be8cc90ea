/*
 * compare.h - the engine of axsim compare (docs/regression.md): two JSON
 * reports of axsim run, the metrics compared with their tolerances, the
 * inputs that differ and the layers paired by name.  What to print is the
 * caller's (sim/cli/compare.c); ax_compare_json gives it all as JSON.
 */
#ifndef AX_COMPARE_H
#define AX_COMPARE_H

#include <stddef.h>
#include <jansson.h>

#include "common/err.h"

/* What to compare: zero it, then fill what applies.  The strings are the
 * caller's and must outlive the struct ax_compare. */
struct ax_compare_spec {
	const char *base_path, *new_path;     /* reports of axsim run --json */
	const char *const *metrics;           /* --metric PATH; none: the defaults */
	int n_metrics;
	const char *const *tolerances;        /* --tolerance [METRIC=]PCT, in order */
	int n_tolerances;
	int force;                            /* compare runs of different networks */
};

struct ax_compare_metric {
	const char *name;
	char *owned;                /* name, when the comparison holds it (a default metric) */
	int higher_better;
	double tol;                 /* allowed worsening, a fraction of the base value */
	double base, cur;
};

struct ax_compare_report {
	const char *path;
	json_t *root;
	const char *network;        /* network.name */
};

struct ax_compare_layer {
	const char *name;
	double cycles;
	size_t index;               /* position in its report */
	long match;                 /* index of the same layer in the other report, or -1 */
	double delta;               /* cycles in the other report less these, once matched */
};

struct ax_compare_layers {
	struct ax_compare_layer *v;
	size_t n;
};

enum ax_compare_verdict { AX_V_SAME, AX_V_BETTER, AX_V_WITHIN, AX_V_REGRESSED };

/* A comparison.  Release with ax_compare_release. */
struct ax_compare {
	struct ax_compare_report base, cur;
	struct ax_compare_metric *m;          /* the metrics, in the order compared */
	size_t n;
	struct ax_compare_layers lb, lc;      /* matched: each layer's match is set */
};

/*
 * Reads both reports, evaluates every metric with its tolerance and pairs the
 * layers.  Returns AX_OK, or AX_EINPUT / AX_EIO with every message in err
 * (an unknown metric, a bad tolerance, a file that is not a report, reports
 * of different networks without force).  c is filled in every case; release it.
 */
int ax_compare_load(const struct ax_compare_spec *spec, struct ax_compare *c, struct ax_err *err);
void ax_compare_release(struct ax_compare *c);

/* How much worse cur is than base, as a fraction of base (negative: better). */
double ax_compare_worsening(const struct ax_compare_metric *m);
enum ax_compare_verdict ax_compare_metric_verdict(const struct ax_compare_metric *m);
/* "same", "better", "within", "REGRESSED". */
const char *ax_compare_verdict_name(enum ax_compare_verdict v);
/* Metrics worse than the base beyond their tolerance. */
size_t ax_compare_regressed(const struct ax_compare *c);

/*
 * The inputs of the runs that differ (network, config, arch and the
 * inferences per copy): an array of {"path", "base", "new"} in the order
 * axsim compare prints them, without "base" or "new" where that run lacks
 * the input.
 * A new reference; the caller json_decref's it.
 */
json_t *ax_compare_input_diffs(const struct ax_compare *c);

/* The whole comparison as JSON (new reference): "network", "base", "new",
 * "inputs_differ" (ax_compare_input_diffs), "metrics" (name, higher_better,
 * base, new, tolerance, verdict), "layers" (in_both, changed, added, removed)
 * and "regressed" (the count). */
json_t *ax_compare_json(const struct ax_compare *c);

/* The value at a dotted path of a report: object keys, where a key may
 * itself contain dots as the keys of "arch" do (the longest key that matches
 * wins), and array indices.  NULL when there is none (borrowed). */
json_t *ax_compare_path_get(json_t *root, const char *path);

#endif
