/*
 * compare.c - axsim compare, the regression gate (docs/regression.md).
 *
 * The engine (sim/run/compare.c) reads two JSON reports of axsim run
 * (docs/report-format.md); this prints how each metric and each layer's
 * cycles changed between them and which inputs differ, and returns 1 when a
 * metric got worse than its tolerance allows, 2 on bad input and 0
 * otherwise.  The output depends only on the two files and the options.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "run/compare.h"

#define LAYERS_LISTED 10        /* changed layers printed, largest change first */
#define ADDED_LISTED 20         /* added or removed layers printed by name */

/* Largest absolute change first, then network order. */
static int by_change(const void *a, const void *b)
{
	const struct ax_compare_layer *x = *(const struct ax_compare_layer *const *)a, *y = *(const struct ax_compare_layer *const *)b;
	double dx = fabs(x->delta), dy = fabs(y->delta);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

/* ---- printing ---- */

static void num_format(double v, char *buf, size_t n)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.6g", v);
}

/* Relative change in percent, as text; "from 0" when the base is 0. */
static void change_format(double base, double cur, char *buf, size_t n)
{
	if (base == cur)
		snprintf(buf, n, "0.00%%");
	else if (base == 0)
		snprintf(buf, n, "from 0");
	else
		snprintf(buf, n, "%+.2f%%", (cur - base) / fabs(base) * 100);
}

static void pct_format(double frac, char *buf, size_t n)
{
	snprintf(buf, n, "%g%%", frac * 100);
}

/* The inputs that differ, as ax_compare_input_diffs lists them; returns how many. */
static size_t input_diffs_print(const struct ax_compare *c)
{
	json_t *d = ax_compare_input_diffs(c);
	size_t i;
	json_t *v;
	json_array_foreach(d, i, v) {
		json_t *x = json_object_get(v, "base"), *y = json_object_get(v, "new");
		char *s = x ? json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		char *t = y ? json_dumps(y, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		if (!i)
			printf("\ninputs that differ:\n");
		printf("  %-40s %s -> %s\n", json_string_value(json_object_get(v, "path")), s ? s : "(absent)",
		       t ? t : "(absent)");
		free(s);
		free(t);
	}
	size_t n = json_array_size(d);
	json_decref(d);
	return n;
}

static void metrics_print(const struct ax_compare_metric *m, size_t n)
{
	int w = 6;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(m[i].name) > w)
			w = (int)strlen(m[i].name);
	printf("\n%-*s  %-6s  %14s  %14s  %9s  %9s  %s\n", w, "metric", "better", "base", "new", "change",
	       "tolerance", "verdict");
	for (size_t i = 0; i < n; i++) {
		char b[64], c[64], ch[64], t[64];
		num_format(m[i].base, b, sizeof(b));
		num_format(m[i].cur, c, sizeof(c));
		change_format(m[i].base, m[i].cur, ch, sizeof(ch));
		pct_format(m[i].tol, t, sizeof(t));
		printf("%-*s  %-6s  %14s  %14s  %9s  %9s  %s\n", w, m[i].name, m[i].higher_better ? "higher" : "lower",
		       b, c, ch, t, ax_compare_verdict_name(ax_compare_metric_verdict(&m[i])));
	}
}

static void layers_print(struct ax_compare_layers *a, const struct ax_compare_layers *b)
{
	size_t both = 0, n_changed = 0, added = 0, removed = 0;
	struct ax_compare_layer **changed = ax_xcalloc(a->n ? a->n : 1, sizeof(*changed));
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].match < 0) {
			removed++;
			continue;
		}
		both++;
		a->v[i].delta = b->v[a->v[i].match].cycles - a->v[i].cycles;
		if (a->v[i].delta != 0)
			changed[n_changed++] = &a->v[i];
	}
	for (size_t i = 0; i < b->n; i++)
		added += b->v[i].match < 0;
	printf("\nlayers: %zu in both (%zu with other cycles), %zu added, %zu removed\n", both, n_changed, added,
	       removed);
	if (n_changed) {
		qsort(changed, n_changed, sizeof(*changed), by_change);
		size_t shown = n_changed < LAYERS_LISTED ? n_changed : LAYERS_LISTED;
		int w = 5;
		for (size_t i = 0; i < shown; i++)
			if ((int)strlen(changed[i]->name) > w)
				w = (int)strlen(changed[i]->name);
		printf("  %-*s  %12s  %12s  %12s  %9s\n", w, "layer", "base cycles", "new cycles", "difference", "change");
		for (size_t i = 0; i < shown; i++) {
			const struct ax_compare_layer *l = changed[i];
			double cur = b->v[l->match].cycles;
			char x[64], y[64], d[64], sd[80], ch[64];
			num_format(l->cycles, x, sizeof(x));
			num_format(cur, y, sizeof(y));
			num_format(cur - l->cycles, d, sizeof(d));
			snprintf(sd, sizeof(sd), "%s%s", cur > l->cycles ? "+" : "", d);
			change_format(l->cycles, cur, ch, sizeof(ch));
			printf("  %-*s  %12s  %12s  %12s  %9s\n", w, l->name, x, y, sd, ch);
		}
		if (n_changed > shown)
			printf("  ... and %zu more with other cycles\n", n_changed - shown);
	}
	free(changed);
	const struct ax_compare_layers *lists[2] = { b, a };
	const char *what[2] = { "added", "removed" };
	for (int k = 0; k < 2; k++) {
		size_t listed = 0, total = k ? removed : added;
		for (size_t i = 0; i < lists[k]->n; i++) {
			const struct ax_compare_layer *l = &lists[k]->v[i];
			if (l->match >= 0)
				continue;
			if (listed++ == ADDED_LISTED)
				break;
			char c[64];
			num_format(l->cycles, c, sizeof(c));
			printf("  %s: %s (%s cycles)\n", what[k], l->name, c);
		}
		if (total > ADDED_LISTED)
			printf("  ... and %zu more %s\n", total - ADDED_LISTED, what[k]);
	}
}

/* The last lines: which metrics regressed, or that none did. */
static int verdict_print(const struct ax_compare_metric *m, size_t n)
{
	size_t regressed = 0;
	for (size_t i = 0; i < n; i++) {
		if (ax_compare_metric_verdict(&m[i]) != AX_V_REGRESSED)
			continue;
		char ch[64], t[64];
		change_format(m[i].base, m[i].cur, ch, sizeof(ch));
		pct_format(m[i].tol, t, sizeof(t));
		printf("%s %s: %s, %s is better, tolerance %s\n", regressed++ ? "          " : "\nregressed:", m[i].name,
		       ch, m[i].higher_better ? "higher" : "lower", t);
	}
	if (regressed) {
		printf("result: %zu of %zu metrics worse than the base beyond their tolerance\n", regressed, n);
		return 1;
	}
	size_t improved = 0;
	for (size_t i = 0; i < n; i++) {
		if (ax_compare_metric_verdict(&m[i]) != AX_V_BETTER || -ax_compare_worsening(&m[i]) <= m[i].tol)
			continue;
		char ch[64], t[64];
		change_format(m[i].base, m[i].cur, ch, sizeof(ch));
		pct_format(m[i].tol, t, sizeof(t));
		printf("%s %s: %s, better than the base beyond its tolerance %s\n",
		       improved++ ? "         " : "\nimproved:", m[i].name, ch, t);
	}
	if (improved)
		printf("(an intended improvement is kept by updating the baseline; docs/regression.md)\n");
	printf("\nresult: no metric worse than the base beyond its tolerance\n");
	return 0;
}

/* ---- the command ---- */

int ax_cmd_compare(int argc, char **argv)
{
	struct ax_opts o;
	if (ax_opts_parse("compare", argc, argv, &o))
		return 2;
	if (o.help) {
		ax_cli_usage("compare", stdout);
		return 0;
	}
	if (o.n_positional != 2) {
		fprintf(stderr, "axsim compare: expected two reports, BASE.json NEW.json; see axsim compare --help\n");
		return 2;
	}
	int status = 2;
	struct ax_err err;
	ax_err_init(&err);
	struct ax_compare_spec spec = {
		.base_path = o.positional[0], .new_path = o.positional[1],
		.metrics = o.metrics, .n_metrics = o.n_metrics,
		.tolerances = o.tolerances, .n_tolerances = o.n_tolerances,
		.force = o.force,
	};
	struct ax_compare c;
	if (ax_compare_load(&spec, &c, &err))
		goto print;

	if (strcmp(c.base.network, c.cur.network))
		printf("networks: base %s, new %s (--force)\n", c.base.network, c.cur.network);
	else
		printf("network: %s\n", c.base.network);
	printf("base: %s\nnew:  %s\n", c.base.path, c.cur.path);
	if (!input_diffs_print(&c))
		printf("\ninputs: the same network, compilation configuration and hardware\n");
	metrics_print(c.m, c.n);
	layers_print(&c.lb, &c.lc);
	status = verdict_print(c.m, c.n);
print:
	ax_cli_print_errors(&err, "axsim compare: ");
	ax_compare_release(&c);
	ax_err_release(&err);
	return status;
}
