/*
 * sweep_table.c - what axsim sweep and axsim merge print and write of the
 * results (run/sweep.h): the table, best first by the objective, and the
 * --csv and --json outputs.
 */
#include "sweepcli.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static struct ax_sweep_results *table_ctx;

/* The table's order: results best first by the objective (ties in grid
 * order), then failed points. */
static int latency_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct ax_sweep_point *x = &table_ctx->r[a], *y = &table_ctx->r[b];
	if (x->ok != y->ok)
		return y->ok - x->ok;
	if (x->ok && ax_sweep_better(table_ctx, x, y))
		return -1;
	if (x->ok && ax_sweep_better(table_ctx, y, x))
		return 1;
	return (a > b) - (a < b);
}

static void results_table(struct ax_sweep_results *rs, FILE *out)
{
	size_t na = json_array_size(rs->names);
	size_t *w = ax_xcalloc(na + 1, sizeof(*w));
	size_t n_ok = 0;
	for (size_t p = 0; p < rs->n; p++)
		n_ok += rs->r[p].ok;
	for (size_t a = 0; a < na; a++) {
		const char *key = json_string_value(json_array_get(rs->names, a));
		w[a] = strlen(key);
		for (size_t p = 0; p < rs->n; p++) {
			char t[128];
			ax_sweep_value_text(key, json_object_get(rs->r[p].values, key), t, sizeof(t));
			if (strlen(t) > w[a])
				w[a] = strlen(t);
		}
	}
	const struct ax_sweep_point *any = NULL;
	for (size_t p = 0; p < rs->n && !any; p++)
		if (rs->r[p].ok)
			any = &rs->r[p];
	json_t *net = any ? json_object_get(json_object_get(any->doc, "network"), "name") : NULL;
	fprintf(out, "%s: %zu point%s (", json_string_value(net) ? json_string_value(net) : "?", rs->n,
		rs->n == 1 ? "" : "s");
	for (size_t a = 0; a < na; a++) {
		const char *key = json_string_value(json_array_get(rs->names, a));
		json_t *vals = ax_sweep_axis_values(rs, key);
		size_t distinct = json_array_size(vals);
		json_decref(vals);
		fprintf(out, "%s%s %zu", a ? " x " : "", key, distinct);
	}
	fprintf(out, "), %zu ok, %zu failed\n\n", n_ok, rs->n - n_ok);
	fprintf(out, "%-4s", "mark");
	for (size_t a = 0; a < na; a++)
		fprintf(out, "  %-*s", (int)w[a], json_string_value(json_array_get(rs->names, a)));
	fprintf(out, "  %12s %10s %8s %10s %10s %10s %9s %7s\n", "latency (us)", "fps", "IMC util", "DDR", "DDR/inf",
		"L2", "mJ/inf", "fps/W");
	size_t *order = ax_xcalloc(rs->n + 1, sizeof(*order));
	for (size_t p = 0; p < rs->n; p++)
		order[p] = p;
	table_ctx = rs;
	qsort(order, rs->n, sizeof(*order), latency_cmp);
	for (size_t k = 0; k < rs->n; k++) {
		const struct ax_sweep_point *r = &rs->r[order[k]];
		fprintf(out, "%c%c%c ", r->best ? 'B' : ' ', r->conf ? 'C' : ' ', r->pareto ? 'P' : ' ');
		for (size_t a = 0; a < na; a++) {
			const char *key = json_string_value(json_array_get(rs->names, a));
			char t[128];
			ax_sweep_value_text(key, json_object_get(r->values, key), t, sizeof(t));
			fprintf(out, "  %-*s", (int)w[a], t);
		}
		if (r->ok) {
			const double *v = r->fig;
			char ddr[32], ddr_inf[32], l2[32];
			ax_human_bytes((uint64_t)v[AX_FIG_DDR], ddr, sizeof(ddr));
			ax_human_bytes((uint64_t)(v[AX_FIG_DDR_PER_INF] + 0.5), ddr_inf, sizeof(ddr_inf));
			ax_human_bytes((uint64_t)v[AX_FIG_L2], l2, sizeof(l2));
			fprintf(out, "  %12.2f %10.1f %7.1f%% %10s %10s %10s %9.3f %7.0f\n", v[AX_FIG_LATENCY_US], v[AX_FIG_FPS],
				100.0 * v[AX_FIG_UTIL], ddr, ddr_inf, l2, 1e3 * v[AX_FIG_ENERGY], v[AX_FIG_FPS_PER_W]);
		} else {
			const char *e = r->error ? r->error : "";
			const char *nl = strchr(e, '\n');
			fprintf(out, "  %s: %.*s%s\n", r->status, nl ? (int)(nl - e) : (int)strlen(e), e,
				nl ? " (and more)" : "");
		}
	}
	fprintf(out, "\nB best (%s)  C configured (the model YAML's own values)  P Pareto front of %s\n",
		ax_sweep_objective_best(rs->objective), ax_sweep_objective_front(rs->objective));
	int conf_in = 0;
	for (size_t p = 0; p < rs->n; p++)
		conf_in |= rs->r[p].conf;
	if (!conf_in && json_is_object(rs->configured)) {
		fprintf(out, "the configured point (");
		const char *key;
		json_t *v;
		int first = 1;
		json_object_foreach(rs->configured, key, v) {
			char t[128];
			ax_sweep_value_text(key, v, t, sizeof(t));
			fprintf(out, "%s%s %s", first ? "" : ", ", key, t);
			first = 0;
		}
		fprintf(out, ") is not in the sweep\n");
	}
	free(order);
	free(w);
}

/* Prints the table and writes --csv and --json; returns the exit status. */
int ax_cli_sweep_output(struct ax_sweep_results *rs, const char *what, const char *csv, const char *json)
{
	struct ax_err err;
	ax_err_init(&err);
	size_t missing = 0;
	if (ax_sweep_results_finish(rs, &missing, &err)) {
		ax_cli_print_errors(&err, "axsim: ");
		ax_err_release(&err);
		return 2;
	}
	if (missing)
		fprintf(stderr, "axsim %s: warning: %zu points of the grid have no file; the table has the %zu found\n",
			what, missing, rs->n);
	results_table(rs, stdout);
	fflush(stdout);
	int status = 0;
	if (csv && ax_sweep_results_csv(rs, csv, &err))
		status = 1;
	if (json) {
		json_t *j = ax_sweep_results_json(rs);
		if (ax_write_json(j, json, &err))
			status = 1;
		json_decref(j);
	}
	ax_cli_print_errors(&err, "axsim: ");
	ax_err_release(&err);
	return status;
}
